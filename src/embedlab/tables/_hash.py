"""Universal hashing of int64 IDs (Carter & Wegman, 1979), exact in 64-bit arithmetic.

``h(x) = ((a * x + b) mod p) mod m`` with the Mersenne prime ``p = 2**61 - 1``, ``a`` drawn from
``[1, p)`` and ``b`` from ``[0, p)``. For two keys ``x != y`` below ``p`` the family collides with
probability at most about ``1/m``. A raw int64 ID is read as its two's-complement uint64 and
reduced modulo ``p`` first, so the IDs that share a residue (``x`` and ``x + p``, 2.3e18 apart)
share every hash; below ``2**61 - 1`` the reduction is the identity.

``a * x mod p`` is computed exactly without 128-bit integers: both factors are split into 32-bit
halves, every partial product fits in 64 bits, and ``2**61 = 1 (mod p)`` folds the high parts back.
Cost: about 20 vectorised uint64 operations per key.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MERSENNE_61", "UniversalHash", "mod_mersenne61", "mulmod_mersenne61"]

#: the Mersenne prime 2**61 - 1
MERSENNE_61 = (1 << 61) - 1
_P = np.uint64(MERSENNE_61)
_MASK32 = np.uint64(0xFFFFFFFF)
_MASK29 = np.uint64((1 << 29) - 1)


def mod_mersenne61(v: np.ndarray) -> np.ndarray:
    """``v mod (2**61 - 1)`` for any uint64 array."""
    v = (v & _P) + (v >> np.uint64(61))  # < 2**61 + 8
    return np.where(v >= _P, v - _P, v)


def mulmod_mersenne61(a: int, x: np.ndarray) -> np.ndarray:
    """Compute ``(a * x) mod (2**61 - 1)`` exactly, for ``0 <= a, x < 2**61 - 1``.

    ``x`` is a uint64 array.
    """
    a0, a1 = np.uint64(a & 0xFFFFFFFF), np.uint64(a >> 32)  # a1 < 2**29
    x0, x1 = x & _MASK32, x >> np.uint64(32)  # x1 < 2**29
    hi = (a1 * x1) << np.uint64(3)  # a1*x1 * 2**64 = a1*x1 * 8 (mod p); < 2**61
    mid = a1 * x0 + a0 * x1  # < 2**62; mid * 2**32 = (mid >> 29) + (mid & (2**29-1)) * 2**32
    mid = (mid >> np.uint64(29)) + ((mid & _MASK29) << np.uint64(32))
    lo = mod_mersenne61(a0 * x0)  # a0*x0 < 2**64
    return mod_mersenne61(mod_mersenne61(hi + mid) + lo)


class UniversalHash:
    """One member ``((a x + b) mod p) mod m`` of the universal family, drawn from ``rng``.

    >>> h = UniversalHash(10, np.random.default_rng(0))
    >>> h(np.array([1, 2, 3])).tolist() == h(np.array([1, 2, 3])).tolist()
    True
    """

    def __init__(self, m: int, rng: np.random.Generator) -> None:
        if m < 1:
            raise ValueError(f"m must be >= 1, got {m}")
        self.m = int(m)
        self.a = int(rng.integers(1, MERSENNE_61))
        self.b = int(rng.integers(0, MERSENNE_61))

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        """int64 buckets in ``[0, m)`` of int64 ``ids`` (any shape)."""
        x = mod_mersenne61(np.asarray(ids, dtype=np.int64).view(np.uint64))
        v = mulmod_mersenne61(self.a, x) + np.uint64(self.b)  # < 2**62
        v = mod_mersenne61(v)
        return (v % np.uint64(self.m)).astype(np.int64)

    def __repr__(self) -> str:
        return f"UniversalHash(m={self.m}, a={self.a}, b={self.b})"
