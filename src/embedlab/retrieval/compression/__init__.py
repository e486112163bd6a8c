"""Vector compression: int8 scalar quantisation, sign bits, product quantisation, Matryoshka
truncation, and full-precision rescoring of a compressed shortlist.

Every compressor has ``fit(x)``, ``transform(x) -> codes``, ``inverse_transform(codes)`` (where a
reconstruction exists) and ``code_size_bytes`` (bytes per vector once fitted).
"""

from embedlab.retrieval.compression._codecs import (
    BinaryQuantizer,
    Int8Quantizer,
    MatryoshkaTruncation,
    ProductQuantizer,
    make_compressor,
)
from embedlab.retrieval.compression._rescore import rescore

__all__ = [
    "BinaryQuantizer",
    "Int8Quantizer",
    "MatryoshkaTruncation",
    "ProductQuantizer",
    "make_compressor",
    "rescore",
]
