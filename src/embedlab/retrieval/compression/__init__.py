"""Compress vectors, and rescore a compressed shortlist at full precision.

Compressors: int8 scalar quantisation, sign bits, product quantisation, Matryoshka truncation.

Every compressor has ``fit(x)``, ``transform(x) -> codes``, ``inverse_transform(codes)`` (where a
reconstruction exists) and ``code_size_bytes`` (bytes per vector once fitted), and is registered
by name in :data:`embedlab.registry.COMPRESSORS`. Indexes over the codes and compression chains
are named by the spec grammar (:mod:`embedlab.retrieval.spec`: ``"SQ8"``, ``"MRL256,PQ16"``).
"""

from embedlab.retrieval.compression._codecs import (
    BinaryQuantizer,
    Int8Quantizer,
    MatryoshkaTruncation,
    ProductQuantizer,
)
from embedlab.retrieval.compression._rescore import rescore

__all__ = [
    "BinaryQuantizer",
    "Int8Quantizer",
    "MatryoshkaTruncation",
    "ProductQuantizer",
    "rescore",
]
