"""numba kernels of the flat index: running top-k merges and Hamming search."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit, prange

__all__ = ["finish_topk", "hamming_topk", "init_topk", "merge_topk", "serial_and_parallel"]


def serial_and_parallel(py_func: Callable[..., Any]) -> tuple[Any, Any]:
    """Compile one loop twice: serial (GIL released) and parallel over its ``prange``.

    ``prange`` acts as ``range`` when a function is compiled with ``parallel=False``, so one
    source serves both. numba's on-disk cache keys a function by its module, qualified name and
    line, not by its flags: the serial copy gets its own qualified name, so that neither build
    ever loads the other's machine code.

    Parameters
    ----------
    py_func : function
        A numba-compilable Python function whose outer loop is a ``prange``.

    Returns
    -------
    (serial, parallel)
        The two numba dispatchers.
    """
    serial_py = types.FunctionType(
        py_func.__code__,
        py_func.__globals__,
        f"{py_func.__name__}_serial",
        py_func.__defaults__,
        py_func.__closure__,
    )
    serial_py.__qualname__ = f"{py_func.__qualname__}_serial"
    serial_py.__doc__ = py_func.__doc__
    return njit(cache=True, nogil=True)(serial_py), njit(cache=True, parallel=True)(py_func)


def init_topk(n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Empty running results: keys ``+inf`` (smaller is better), ids ``-1``."""
    return np.full((n, k), np.inf, dtype=np.float32), np.full((n, k), -1, dtype=np.int64)


@njit(cache=True, inline="always")
def _worse(ka: float, ia: int, kb: float, ib: int) -> bool:
    """Is (ka, ia) ranked after (kb, ib)? Smaller key first, then the smaller id."""
    return ka > kb or (ka == kb and ia > ib)


@njit(cache=True, inline="always")
def _sift_down(keys: np.ndarray, ids: np.ndarray, k: int) -> None:
    """Restore the max-heap (the worst kept result at the root) after the root changed."""
    pos = 0
    while True:
        left = 2 * pos + 1
        if left >= k:
            return
        worst = left
        right = left + 1
        if right < k and _worse(keys[right], ids[right], keys[left], ids[left]):
            worst = right
        if _worse(keys[worst], ids[worst], keys[pos], ids[pos]):
            keys[pos], keys[worst] = keys[worst], keys[pos]
            ids[pos], ids[worst] = ids[worst], ids[pos]
            pos = worst
        else:
            return


@njit(cache=True, inline="always")
def _merge_row(
    row: np.ndarray, offset: int, hk: np.ndarray, hi: np.ndarray, sqn: np.ndarray, l2: bool
) -> None:
    k = hk.shape[0]
    for j in range(row.shape[0]):
        # the key, smaller is better: -dot, or ||x||^2 - 2 dot (||q||^2 is added at the end)
        v = sqn[j] - 2.0 * row[j] if l2 else -row[j]
        if v < hk[0]:  # ids grow along the scan: an equal key later loses the tie
            hk[0] = v
            hi[0] = offset + j
            _sift_down(hk, hi, k)


def _merge_rows(
    block: np.ndarray, offset: int, keys: np.ndarray, ids: np.ndarray, sqn: np.ndarray, l2: bool
) -> None:
    for i in prange(block.shape[0]):
        _merge_row(block[i], offset, keys[i], ids[i], sqn, l2)


_merge_serial, _merge_parallel = serial_and_parallel(_merge_rows)


_NO_NORMS = np.zeros(0, dtype=np.float32)


def merge_topk(
    dots: np.ndarray,
    offset: int,
    heap_keys: np.ndarray,
    heap_ids: np.ndarray,
    sqnorms: np.ndarray | None = None,
    *,
    parallel: bool = True,
) -> None:
    """Merge a ``[n, b]`` block of dot products (ids ``offset + j``) into running max-heaps.

    The keys are ``-dot`` (inner product), or ``||x||^2 - 2 dot`` when the block's squared
    norms ``sqnorms`` are given (l2).

    A heap starts as all ``(+inf, -1)``, which is a valid max-heap. Rows in parallel when there
    are many and ``parallel``; a few rows stay on the calling thread (waking numba's pool between
    BLAS calls costs more than the merge itself). The serial kernel releases the GIL.
    """
    l2 = sqnorms is not None
    sqn = _NO_NORMS if sqnorms is None else sqnorms
    if dots.shape[0] >= 16 and parallel:
        _merge_parallel(dots, offset, heap_keys, heap_ids, sqn, l2)
    else:
        _merge_serial(dots, offset, heap_keys, heap_ids, sqn, l2)


def top_k_of_scores(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the ``min(k, m)`` largest entries of each row of ``scores [n, m]``.

    Largest first, ties to the lower position: ``(scores, positions)``, by the flat index's
    heaps (no full sort).
    """
    s = np.ascontiguousarray(scores, dtype=np.float32)
    kk = min(k, s.shape[1])
    keys, pos = init_topk(s.shape[0], kk)
    merge_topk(s, 0, keys, pos)
    finish_topk(keys, pos)
    return -keys, pos


@njit(cache=True, parallel=True)
def finish_topk(heap_keys: np.ndarray, heap_ids: np.ndarray) -> None:
    """Sort each row in place: smaller key first, then the smaller id; empty slots last."""
    n = heap_keys.shape[0]
    for i in prange(n):
        ids = heap_ids[i]
        # empty slots (-1, +inf) must go last: give them the largest id
        tie = np.where(ids < 0, np.iinfo(np.int64).max, ids)
        o1 = np.argsort(tie, kind="mergesort")
        keys = heap_keys[i][o1]
        o2 = np.argsort(keys, kind="mergesort")
        heap_keys[i] = keys[o2]
        heap_ids[i] = ids[o1][o2]


@njit(cache=True, inline="always")
def _popcount64(x: np.uint64) -> np.uint64:
    # the SWAR idiom, which LLVM compiles to one popcnt instruction
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


#: queries scanned together: each code is loaded once for the whole block
_QBLOCK = 8


@njit(cache=True, parallel=True)
def hamming_topk(
    queries: np.ndarray, codes: np.ndarray, k: int, nbits: int
) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest codes by Hamming distance (uint64 words ``[n, w]`` vs ``[N, w]``).

    Blocks of 8 queries scan the codes together (each code word read once per block), each
    query keeping a max-heap of its k best (distance, id); a code enters only when strictly
    closer than the heap's worst, so ties go to the smaller id. Hardware popcount. Short
    results pad with ``(nbits + 1, -1)``; the caller maps the padding.
    """
    nq, w = queries.shape
    n = codes.shape[0]
    out_d = np.full((nq, k), nbits + 1, dtype=np.int32)
    out_i = np.full((nq, k), -1, dtype=np.int64)
    n_blocks = (nq + _QBLOCK - 1) // _QBLOCK
    for b in prange(n_blocks):
        q0 = b * _QBLOCK
        q1 = min(q0 + _QBLOCK, nq)
        m = q1 - q0
        heap_d = np.full((_QBLOCK, k), nbits + 1, dtype=np.int32)
        heap_i = np.full((_QBLOCK, k), -1, dtype=np.int64)
        top = np.full(_QBLOCK, nbits + 1, dtype=np.int32)
        qb = queries[q0:q1]
        for j in range(n):
            c = codes[j]
            for r in range(m):
                acc = np.uint64(0)
                for t in range(w):
                    acc += _popcount64(qb[r, t] ^ c[t])
                d = np.int32(acc)
                if d < top[r]:
                    heap_d[r, 0] = d
                    heap_i[r, 0] = j
                    _sift_down(heap_d[r], heap_i[r], k)
                    top[r] = heap_d[r, 0]
        for r in range(m):
            o1 = np.argsort(
                np.where(heap_i[r] < 0, np.iinfo(np.int64).max, heap_i[r]), kind="mergesort"
            )
            dd = heap_d[r][o1]
            o2 = np.argsort(dd, kind="mergesort")
            out_d[q0 + r] = dd[o2]
            out_i[q0 + r] = heap_i[r][o1][o2]
    return out_d, out_i


@njit(cache=True, parallel=True)
def sq8_dot(qs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``qs @ codes.T`` for uint8 codes without decoding them: float32 ``[nq, n]``.

    Used for a few queries, where decoding every code per call would cost more than the dot
    products; many queries decode a block once and use BLAS instead.
    """
    nq, d = qs.shape
    n = codes.shape[0]
    out = np.empty((nq, n), dtype=np.float32)
    for j in prange(n):
        c = codes[j]
        for r in range(nq):
            acc = np.float32(0.0)
            q = qs[r]
            for t in range(d):
                acc += q[t] * np.float32(c[t])
            out[r, j] = acc
    return out
