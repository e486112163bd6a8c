"""Indexes under one contract (:mod:`embedlab.retrieval.index.base`).

Exact NumPy search over float32 / int8 / binary codes, Matryoshka truncation in front of any
index, and FAISS, all built from the spec grammar of :mod:`embedlab.retrieval.spec`.
"""

from embedlab.retrieval.index.base import METRICS, Index
from embedlab.retrieval.index.flat import FlatIndex
from embedlab.retrieval.index.mrl import MatryoshkaIndex
from embedlab.retrieval.spec import make_index

__all__ = [
    "METRICS",
    "FaissIndex",
    "FlatIndex",
    "Index",
    "MatryoshkaIndex",
    "load_index",
    "make_index",
]


def load_index(path: str) -> Index:
    """Read an index file written by ``Index.save``.

    Parameters
    ----------
    path : str
        The file.

    Returns
    -------
    Index
    """
    return Index.load(path)


def __getattr__(name: str) -> object:
    if name == "FaissIndex":  # imported lazily: FAISS is an extra
        from embedlab.retrieval.index._faiss import FaissIndex

        return FaissIndex
    raise AttributeError(name)
