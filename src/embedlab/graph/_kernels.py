"""numba kernels shared by the graph embedders: counter-based hashing and sparse propagation.

Every kernel computes each output row on its own, in a fixed order, so results are identical
whatever the number of threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "accumulate_normalized",
    "column_standardize",
    "hash_keys",
    "propagate",
    "propagate_sparse",
    "row_nonzeros",
    "scale_rows",
    "sparse_rows",
    "sparse_sign_rows",
    "splitmix64",
]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)


@njit(cache=True, inline="always")
def splitmix64(x: np.uint64) -> np.uint64:
    """Steele, Lea & Flood's SplitMix64 finaliser: a bijective 64-bit mix (used as a hash)."""
    z = x + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def hash_keys(keys: np.ndarray, seed: np.uint64) -> np.ndarray:
    """One 64-bit stream key per node: ``splitmix64(key ^ splitmix64(seed))``."""
    out = np.empty(keys.shape[0], dtype=np.uint64)
    s = splitmix64(seed)
    for i in range(keys.shape[0]):
        out[i] = splitmix64(keys[i] ^ s)
    return out


@njit(parallel=True, cache=True, nogil=True)
def sparse_sign_rows(
    streams: np.ndarray, threshold: np.uint64, value: np.float32, out: np.ndarray
) -> None:
    """Fill ``out[i]`` with Li et al.'s very sparse entries drawn from stream ``streams[i]``.

    Entry ``k`` of row ``i`` hashes ``(streams[i], k)`` to ``u`` uniform on ``[0, 2^53)`` and is
    ``+value`` if ``u < t/2``, ``-value`` if ``t/2 <= u < t``, else 0, with ``t = density * 2^53``.
    """
    n, d = out.shape
    half = threshold >> np.uint64(1)
    for i in prange(n):
        base = streams[i]
        for k in range(d):
            u = splitmix64(base + np.uint64(k)) >> _S11
            if u < half:
                out[i, k] = value
            elif u < threshold:
                out[i, k] = -value
            else:
                out[i, k] = 0.0


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _normalize_into(
    o: np.ndarray, s: np.float32, acc: np.ndarray, row: int, coef: float, normalize: bool
) -> None:
    """Scale ``o *= s``, then add ``acc[row] += coef * o / ||o||``.

    ``coef * o`` when not ``normalize``; nothing when ``coef`` or the norm is 0.
    """
    d = o.shape[0]
    ss = 0.0
    for k in range(d):
        o[k] *= s
        ss += np.float64(o[k]) * np.float64(o[k])
    if coef != 0.0 and ss > 0.0:
        f = np.float32(coef / np.sqrt(ss)) if normalize else np.float32(coef)
        a = acc[row]
        for k in range(d):
            a[k] += f * o[k]


@njit(parallel=True, cache=True, nogil=True, fastmath=True)
def propagate(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    weighted: bool,
    inv_deg: np.ndarray,
    x: np.ndarray,
    out: np.ndarray,
    acc: np.ndarray,
    coef: float,
    normalize: bool = True,
) -> None:
    """Compute ``out = D^-1 S x`` row by row, fused with ``acc[i] += coef * out[i] / ||out[i]||``.

    The increment is ``coef * out[i]`` when not ``normalize``.

    Rows of ``out`` with zero norm add nothing to ``acc``. Neighbours are summed four at a time
    (a fixed order: the result does not depend on the thread count). ``acc`` may be a ``(1, 1)``
    dummy when ``coef == 0``.
    """
    n, d = out.shape
    one = np.float32(1.0)  # unweighted: multiplying by one costs nothing next to the loads
    for i in prange(n):
        o = out[i]
        for k in range(d):
            o[k] = 0.0
        p = indptr[i]
        end = indptr[i + 1]
        while p + 4 <= end:
            x0, x1, x2, x3 = x[indices[p]], x[indices[p + 1]], x[indices[p + 2]], x[indices[p + 3]]
            if weighted:
                w0, w1, w2, w3 = weights[p], weights[p + 1], weights[p + 2], weights[p + 3]
            else:
                w0 = w1 = w2 = w3 = one
            for k in range(d):
                o[k] += (w0 * x0[k] + w1 * x1[k]) + (w2 * x2[k] + w3 * x3[k])
            p += 4
        while p < end:
            x0 = x[indices[p]]
            w0 = weights[p] if weighted else one
            for k in range(d):
                o[k] += w0 * x0[k]
            p += 1
        _normalize_into(o, inv_deg[i], acc, i, coef, normalize)


@njit(parallel=True, cache=True, nogil=True)
def row_nonzeros(x: np.ndarray) -> np.ndarray:
    """CSR row pointer of the non-zeros of ``x`` (``indptr``, length ``n + 1``)."""
    n, d = x.shape
    counts = np.zeros(n + 1, dtype=np.int64)
    for i in prange(n):
        c = 0
        for k in range(d):
            if x[i, k] != 0.0:
                c += 1
        counts[i + 1] = c
    return np.cumsum(counts)


@njit(parallel=True, cache=True, nogil=True)
def sparse_rows(x: np.ndarray, indptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the non-zeros of each row of ``x`` as CSR ``(columns, values)`` for ``indptr``."""
    n, d = x.shape
    cols = np.empty(indptr[n], dtype=np.int32)
    vals = np.empty(indptr[n], dtype=np.float32)
    for i in prange(n):
        q = indptr[i]
        for k in range(d):
            if x[i, k] != 0.0:
                cols[q] = k
                vals[q] = x[i, k]
                q += 1
    return cols, vals


@njit(parallel=True, cache=True, nogil=True, fastmath=True)
def propagate_sparse(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    weighted: bool,
    inv_deg: np.ndarray,
    x_indptr: np.ndarray,
    x_cols: np.ndarray,
    x_vals: np.ndarray,
    out: np.ndarray,
    acc: np.ndarray,
    coef: float,
    normalize: bool = True,
) -> None:
    """:func:`propagate` for a sparse ``x`` given by its CSR rows: ``O(nnz(S) * nnz(x) / n)``.

    FastRP's first step multiplies by the very sparse projection (density ``1/sqrt(n)``), which
    makes it about ``d / (d / sqrt(n))`` times cheaper than a dense step, as the authors' code
    (a sparse x sparse product) also exploits.
    """
    n, d = out.shape
    for i in prange(n):
        o = out[i]
        for k in range(d):
            o[k] = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            w = weights[p] if weighted else np.float32(1.0)
            for q in range(x_indptr[j], x_indptr[j + 1]):
                o[x_cols[q]] += w * x_vals[q]
        _normalize_into(o, inv_deg[i], acc, i, coef, normalize)


@njit(parallel=True, cache=True, nogil=True)
def scale_rows(x: np.ndarray, s: np.ndarray) -> None:
    """In place: ``x[i] *= s[i]``."""
    n, d = x.shape
    for i in prange(n):
        for k in range(d):
            x[i, k] *= s[i]


@njit(parallel=True, cache=True, nogil=True)
def accumulate_normalized(
    x: np.ndarray, acc: np.ndarray, coef: float, normalize: bool = True
) -> None:
    """Add ``acc[i] += coef * x[i] / ||x[i]||`` for rows with non-zero norm.

    No division when not ``normalize``.
    """
    n, d = x.shape
    for i in prange(n):
        ss = 0.0
        for k in range(d):
            ss += np.float64(x[i, k]) * np.float64(x[i, k])
        if ss > 0.0:
            f = np.float32(coef / np.sqrt(ss)) if normalize else np.float32(coef)
            for k in range(d):
                acc[i, k] += f * x[i, k]


@njit(parallel=True, cache=True, nogil=True)
def _column_partials(x: np.ndarray, mean: np.ndarray, n_chunks: int) -> np.ndarray:
    n, d = x.shape
    part = np.zeros((n_chunks, d), dtype=np.float64)
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        for i in range(c * step, min(n, (c + 1) * step)):
            for k in range(d):
                v = np.float64(x[i, k]) - mean[k]
                part[c, k] += v * v
    return part


@njit(parallel=True, cache=True, nogil=True)
def _column_sums(x: np.ndarray, n_chunks: int) -> np.ndarray:
    n, d = x.shape
    part = np.zeros((n_chunks, d), dtype=np.float64)
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        for i in range(c * step, min(n, (c + 1) * step)):
            for k in range(d):
                part[c, k] += x[i, k]
    return part


@njit(parallel=True, cache=True, nogil=True)
def apply_standardize(x: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> None:
    """In place: ``x[:, k] = (x[:, k] - mean[k]) / scale[k]``."""
    n, d = x.shape
    for i in prange(n):
        for k in range(d):
            x[i, k] = np.float32((np.float64(x[i, k]) - mean[k]) / scale[k])


def column_standardize(x: np.ndarray, n_chunks: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Standardise columns in place, as ``sklearn.preprocessing.scale``; return ``(mean, scale)``.

    Population std; a constant column is centred and left unscaled. Two passes in float64,
    O(d) extra memory.

    Unlike scikit-learn's absolute ``10 * eps(float64)`` test, a column counts as constant when its
    spread is below float32 resolution of its magnitude (``std <= 1e-6 * max(|mean|, rms)``):
    otherwise round-off in a mathematically constant column would be blown up to unit variance.
    """
    n = x.shape[0]
    n_chunks = max(1, min(n_chunks, n))
    mean = _column_sums(x, n_chunks).sum(axis=0) / n
    var = _column_partials(x, mean, n_chunks).sum(axis=0) / n
    scale = np.sqrt(var)
    magnitude = np.maximum(np.abs(mean), np.sqrt(var + mean * mean))
    scale[(scale <= 1e-6 * magnitude) | (scale < 10 * np.finfo(np.float64).eps)] = 1.0
    apply_standardize(x, mean, scale)
    return mean, scale


@njit(parallel=True, cache=True, nogil=True)
def uniform_rows(streams: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out[i]`` with uniforms in ``[0, 1)`` hashed from ``(streams[i], k)``."""
    n, d = out.shape
    for i in prange(n):
        for k in range(d):
            out[i, k] = np.float32(
                np.float64(splitmix64(streams[i] + np.uint64(k)) >> _S11) / 9007199254740992.0
            )
