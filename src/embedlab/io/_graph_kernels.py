"""numba kernels of :class:`~embedlab.graph.Graph`'s own statistics (degrees, self-loops)."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["count_diagonal", "row_sums"]


@njit(parallel=True, cache=True, nogil=True)
def row_sums(indptr: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted out-degrees of a CSR matrix (float64)."""
    n = indptr.shape[0] - 1
    out = np.zeros(n, dtype=np.float64)
    for i in prange(n):
        acc = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            acc += weights[p]
        out[i] = acc
    return out


@njit(cache=True, nogil=True)
def count_diagonal(indptr: np.ndarray, indices: np.ndarray) -> int:
    """Count the stored diagonal entries (self-loops) of a CSR matrix."""
    count = 0
    for i in range(indptr.shape[0] - 1):
        for p in range(indptr[i], indptr[i + 1]):
            if indices[p] == i:
                count += 1
    return count
