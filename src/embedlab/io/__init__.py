"""Reading and writing embeddings and graphs.

* :class:`EmbeddingSet` — ids + float32 vectors + metadata; Parquet (``id``, ``vector`` as
  ``FixedSizeList<float32, d>``, LanceDB's vector type), ``.npy`` and word2vec text, exact round
  trips, atomic writes.
* :class:`MultiVector` — a set of vectors per item (token vectors of texts): ``vectors``
  ``[N, d]`` and ``offsets`` ``[n + 1]``, ``.npz`` I/O.
* :class:`Graph` — CSR adjacency with the caller's node ids (also ``embedlab.graph.Graph``).
* :class:`TripleSet` — knowledge-graph triples (vocabularies, train/valid/test, reciprocal
  relations, the filter index of filtered ranking).
* :func:`read_edge_table` — TSV/CSV/space-separated/Parquet edge lists, optionally gzip'd.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedlab.utils._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.io._edgelist import EdgeTable, read_edge_table
    from embedlab.io._embedding_set import EmbeddingSet
    from embedlab.io._graph import Graph
    from embedlab.io._multivector import MultiVector
    from embedlab.io._triples import FilterIndex, TripleSet

__all__ = [
    "EdgeTable",
    "EmbeddingSet",
    "FilterIndex",
    "Graph",
    "MultiVector",
    "TripleSet",
    "read_edge_table",
]

_EXPORTS = {
    "EdgeTable": "embedlab.io._edgelist",
    "read_edge_table": "embedlab.io._edgelist",
    "EmbeddingSet": "embedlab.io._embedding_set",
    "Graph": "embedlab.io._graph",
    "MultiVector": "embedlab.io._multivector",
    "FilterIndex": "embedlab.io._triples",
    "TripleSet": "embedlab.io._triples",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
