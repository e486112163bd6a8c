"""Reading and writing embeddings and graphs.

* :class:`EmbeddingSet` — ids + float32 vectors + metadata; Parquet (``id``, ``vector`` as
  ``FixedSizeList<float32, d>``, LanceDB's vector type), ``.npy`` and word2vec text, exact round
  trips, atomic writes.
* :func:`read_edge_table` — TSV/CSV/space-separated/Parquet edge lists, optionally gzip'd.
"""

from embedlab.io._edgelist import EdgeTable, read_edge_table
from embedlab.io._embedding_set import EmbeddingSet

__all__ = ["EdgeTable", "EmbeddingSet", "read_edge_table"]
