"""``make_index(spec, dim, metric)``: one string names any index.

* ``"Flat"``, ``"SQ8"``, ``"BFlat"``: exact search in NumPy (:class:`FlatIndex`) over float32,
  int8 or binary codes -- no FAISS needed;
* ``"faiss:<spec>"``: the same strings served by FAISS instead;
* anything else: a FAISS ``index_factory`` string (``"HNSW32"``, ``"IVF256,PQ32"``,
  ``"BIVF256"``), via :class:`FaissIndex` (extra ``[faiss]``).

``make_index(index.describe(), index.dim, metric=index.metric)`` rebuilds an equivalent empty
index.
"""

from __future__ import annotations

from embedlab.exceptions import InvalidInputError
from embedlab.retrieval.index.base import Index

__all__ = ["NUMPY_SPECS", "make_index"]

NUMPY_SPECS = {"Flat": "float32", "SQ8": "int8", "BFlat": "binary"}


def make_index(spec: str, dim: int, metric: str = "ip") -> Index:
    """Build an empty index from a factory string.

    >>> make_index("SQ8", 16, metric="cosine")
    FlatIndex('SQ8', dim=16, metric='cosine', n=0)
    >>> make_index("faiss:Flat", 16).describe()
    'faiss:Flat'
    """
    if not isinstance(spec, str) or not spec.strip():
        raise InvalidInputError(f"An index spec is a non-empty string; got {spec!r}.")
    s = spec.strip()
    if s in NUMPY_SPECS:
        from embedlab.retrieval.index.flat import FlatIndex

        return FlatIndex(dim, metric, codes=NUMPY_SPECS[s])
    from embedlab.retrieval.index._faiss import FaissIndex

    return FaissIndex(s.removeprefix("faiss:"), dim, metric)
