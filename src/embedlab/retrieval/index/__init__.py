"""Indexes under one contract (:mod:`embedlab.retrieval.index.base`): exact NumPy search over
float32 / int8 / binary codes, and FAISS from factory strings."""

from embedlab.retrieval.index.base import METRICS, Index
from embedlab.retrieval.index.factory import make_index
from embedlab.retrieval.index.flat import FlatIndex

__all__ = ["METRICS", "FaissIndex", "FlatIndex", "Index", "load_index", "make_index"]


def load_index(path: str) -> Index:
    """Read an index file written by ``Index.save``."""
    return Index.load(path)


def __getattr__(name: str) -> object:
    if name == "FaissIndex":  # imported lazily: FAISS is an extra
        from embedlab.retrieval.index._faiss import FaissIndex

        return FaissIndex
    raise AttributeError(name)
