"""Retrieval: indexes, compression, Matryoshka search, MUVERA and BM25.

* :mod:`~embedlab.retrieval.spec` — the one spec grammar (``"Flat"``, ``"SQ8"``, ``"BFlat"``,
  ``"PQ32"``, ``"MRL256,SQ8"``, ``"faiss:IVF256,PQ32"``) and :func:`make_index`;
* :mod:`~embedlab.retrieval.index` — :class:`FlatIndex`, :class:`FaissIndex`,
  :class:`MatryoshkaIndex` under one contract, :func:`load_index`;
* :mod:`~embedlab.retrieval.compression` — :class:`Int8Quantizer`, :class:`BinaryQuantizer`,
  :class:`ProductQuantizer`, :class:`MatryoshkaTruncation`, :func:`rescore`;
* :mod:`~embedlab.retrieval.matryoshka` — adaptive and funnel search;
* :mod:`~embedlab.retrieval.muvera` — MUVERA fixed-dimensional encodings and MaxSim search;
* :mod:`~embedlab.retrieval.bm25` — the BM25 baseline.

The names are imported on first use (FAISS only when a FAISS index is built).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedlab.utils._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.retrieval.compression import (
        BinaryQuantizer,
        Int8Quantizer,
        MatryoshkaTruncation,
        ProductQuantizer,
        rescore,
    )
    from embedlab.retrieval.index import FlatIndex, MatryoshkaIndex, load_index
    from embedlab.retrieval.index._faiss import FaissIndex
    from embedlab.retrieval.spec import make_index, parse_spec

__all__ = [
    "BinaryQuantizer",
    "FaissIndex",
    "FlatIndex",
    "Int8Quantizer",
    "MatryoshkaIndex",
    "MatryoshkaTruncation",
    "ProductQuantizer",
    "load_index",
    "make_index",
    "parse_spec",
    "rescore",
]

_EXPORTS = {
    "BinaryQuantizer": "embedlab.retrieval.compression",
    "Int8Quantizer": "embedlab.retrieval.compression",
    "MatryoshkaTruncation": "embedlab.retrieval.compression",
    "ProductQuantizer": "embedlab.retrieval.compression",
    "rescore": "embedlab.retrieval.compression",
    "FlatIndex": "embedlab.retrieval.index",
    "MatryoshkaIndex": "embedlab.retrieval.index",
    "load_index": "embedlab.retrieval.index",
    "FaissIndex": "embedlab.retrieval.index._faiss",
    "make_index": "embedlab.retrieval.spec",
    "parse_spec": "embedlab.retrieval.spec",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
