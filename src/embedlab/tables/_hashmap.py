"""Numba kernels of the collisionless table: an open-addressing hash map from int64 IDs to rows.

Layout: one record of four int64 per slot, ``rec[S, 4]`` (``S`` a power of two), so a probe touches
one 32-byte record (half a cache line) instead of several arrays:

* ``rec[s, KEY]``: the ID stored in the slot;
* ``rec[s, ROW]``: the row the ID owns, ``0`` while it has not reached the occurrence threshold
  (row 0 is the shared default vector, never owned; so a zeroed array is an empty map);
* ``rec[s, COUNT]``: sightings since the ID entered the map (an exact counter, >= 1 for every
  stored ID, so ``COUNT == 0`` marks an empty slot);
* ``rec[s, LAST]``: stream time of the last sighting (for expiry).

Slots are found by linear probing from ``mix64(key) & (S - 1)`` (the SplitMix64 finaliser, a
bijection of the 64-bit keys, so equal keys always start at the same slot and no two keys are
confused: the key itself is compared). Deletion uses backward shifting (Knuth, TAOCP vol. 3,
algorithm 6.4R), so there are no tombstones and probe lengths never degrade after evictions.
The caller keeps the load at most ``max_size / S`` (0.7) by rehashing into twice the slots.

Rows ``1 .. meta[5] - 1`` have been handed out at least once; ``meta[5]`` is the next fresh row
and ``n_rows`` the rows allocated. Rows freed by expiry go on a stack ``free[:n_free]``
(``meta[1] = n_free``) and are reused first. ``meta[0]`` is the number of occupied slots. Kernels
that can run out of slots or rows stop *before* touching the ID that needs one and return its
index, so the caller grows and resumes without double counting.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
KEY, ROW, COUNT, LAST = 0, 1, 2, 3
#: below this many IDs the serial kernels win (a parallel launch costs tens of microseconds)
PARALLEL_MIN = 1 << 16
_AHEAD = 32


@njit(cache=True, inline="always")
def mix64(key: np.int64) -> np.uint64:  # pragma: no cover - compiled
    """SplitMix64's finaliser (Steele et al., 2014): a bijective avalanche of the 64-bit key."""
    z = np.uint64(key)
    z = (z ^ (z >> np.uint64(30))) * _C1
    z = (z ^ (z >> np.uint64(27))) * _C2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def _touch_ahead(rec, ids, start, mask):  # pragma: no cover - compiled
    """Load the home records of ``ids[start : start + _AHEAD]`` (software prefetching).

    Independent loads the CPU overlaps, so the probes that follow find them in cache: for a
    table much larger than the cache, each probe would otherwise wait ~100 ns on memory.
    """
    acc = np.int64(0)
    stop = min(start + _AHEAD, len(ids))
    for i in range(start, stop):
        acc += rec[np.int64(mix64(ids[i]) & mask), COUNT]
    return acc


@njit(cache=True, inline="always")
def _row_of(rec, k, mask):  # pragma: no cover - compiled
    """Find the row of key ``k``: probe from its home slot to the key or an empty slot."""
    s = np.int64(mix64(k) & mask)
    while rec[s, COUNT] != 0:
        if rec[s, KEY] == k:
            return rec[s, ROW]
        s = np.int64((np.uint64(s) + np.uint64(1)) & mask)
    return np.int64(0)


@njit(cache=True)
def find_rows(rec, ids, out):  # pragma: no cover - compiled
    """``out[i]`` = the row of ``ids[i]``, or 0 (the default row) if absent or not admitted."""
    mask = np.uint64(rec.shape[0] - 1)
    sink = np.int64(0)
    for i in range(len(ids)):
        if i % _AHEAD == 0:
            sink += _touch_ahead(rec, ids, i + _AHEAD, mask)
        out[i] = _row_of(rec, ids[i], mask)
    return sink


@njit(cache=True)
def observe(
    rec, free, meta, n_rows, ids, times, threshold, max_size, out, new_rows, new_ids
):  # pragma: no cover - compiled
    """Count a sighting of each ID at ``times[i]``, admit it at ``threshold`` sightings.

    Writes ``out[i]`` (the ID's row, 0 while below the threshold) and appends every newly
    admitted row and its ID to ``new_rows`` and ``new_ids`` (``meta[2]`` of them). Returns
    ``len(ids)`` when done, or the index of the first ID that needs a new slot (``meta[0] ==
    max_size``, ``meta[3] = 1``) or a new row (no free row, ``meta[3] = 2``), that ID untouched.
    """
    mask = np.uint64(rec.shape[0] - 1)
    sink = np.int64(0)
    for i in range(len(ids)):
        if i % _AHEAD == 0:
            sink += _touch_ahead(rec, ids, i + _AHEAD, mask)
        k = ids[i]
        s = np.int64(mix64(k) & mask)
        while rec[s, COUNT] != 0 and rec[s, KEY] != k:
            s = np.int64((np.uint64(s) + np.uint64(1)) & mask)
        if rec[s, COUNT] == 0:
            if meta[0] >= max_size:
                meta[3] = 1
                return i
            if threshold <= 1 and meta[1] == 0 and meta[5] >= n_rows:
                meta[3] = 2
                return i
            rec[s, KEY] = k
            rec[s, ROW] = 0
            meta[0] += 1
        elif (
            rec[s, ROW] == 0
            and rec[s, COUNT] + 1 >= threshold
            and meta[1] == 0
            and meta[5] >= n_rows
        ):
            meta[3] = 2
            return i
        c = rec[s, COUNT] + 1
        rec[s, COUNT] = c
        rec[s, LAST] = times[i]
        r = rec[s, ROW]
        if r == 0 and c >= threshold:
            if meta[1] > 0:
                meta[1] -= 1
                r = free[meta[1]]
            else:
                r = meta[5]
                meta[5] += 1
            rec[s, ROW] = r
            new_rows[meta[2]] = r
            new_ids[meta[2]] = k
            meta[2] += 1
        out[i] = r
    meta[3] = 0
    meta[4] = sink  # keeps the prefetching loads alive
    return len(ids)


@njit(cache=True)
def _delete(rec, s):  # pragma: no cover - compiled
    """Empty slot ``s`` and shift later entries of its probe run back (no tombstones)."""
    mask = np.int64(rec.shape[0] - 1)
    j = s
    while True:
        j = (j + 1) & mask
        if rec[j, COUNT] == 0:
            break
        h = np.int64(mix64(rec[j, KEY]) & np.uint64(mask))
        # the entry at j may move to s unless its home h lies cyclically in (s, j]
        stays = s < h <= j if s <= j else h > s or h <= j
        if not stays:
            for c in range(4):
                rec[s, c] = rec[j, c]
            s = j
    for c in range(4):
        rec[s, c] = 0


@njit(cache=True)
def expire(rec, free, meta, cutoff, evicted_rows):  # pragma: no cover - compiled
    """Remove every ID last seen before ``cutoff``; their rows go back on the free stack.

    Returns ``(ids_removed, rows_freed)``; the freed rows are written to ``evicted_rows``.
    """
    stale = np.empty(meta[0], dtype=np.int64)
    n_stale = 0
    for slot in range(rec.shape[0]):
        if rec[slot, COUNT] != 0 and rec[slot, LAST] < cutoff:
            stale[n_stale] = rec[slot, KEY]
            n_stale += 1
    mask = np.uint64(rec.shape[0] - 1)
    n_rows = 0
    for t in range(n_stale):
        k = stale[t]
        s = np.int64(mix64(k) & mask)
        while rec[s, COUNT] == 0 or rec[s, KEY] != k:
            s = np.int64((np.uint64(s) + np.uint64(1)) & mask)
        if rec[s, ROW] > 0:
            free[meta[1]] = rec[s, ROW]
            meta[1] += 1
            evicted_rows[n_rows] = rec[s, ROW]
            n_rows += 1
        _delete(rec, s)
        meta[0] -= 1
    return n_stale, n_rows


@njit(cache=True)
def reinsert(rec, old):  # pragma: no cover - compiled
    """Insert the old map's occupied records into the (empty, larger) ``rec``."""
    mask = np.uint64(rec.shape[0] - 1)
    for t in range(old.shape[0]):
        if old[t, COUNT] == 0:
            continue
        s = np.int64(mix64(old[t, KEY]) & mask)
        while rec[s, COUNT] != 0:
            s = np.int64((np.uint64(s) + np.uint64(1)) & mask)
        for c in range(4):
            rec[s, c] = old[t, c]


@njit(cache=True, inline="always")
def _init_row(weight, state, r, key, seed, std):  # pragma: no cover - compiled
    dim = weight.shape[1]
    inv = 1.0 / 18446744073709551616.0  # 2**-64
    base = mix64(np.int64(np.uint64(key) ^ np.uint64(seed)))
    for j in range(0, dim, 2):
        state[r, j] = 0.0
        z1 = mix64(np.int64(base + np.uint64(j + 1) * _GOLDEN))
        z2 = mix64(np.int64(base + np.uint64(j + 2) * _GOLDEN))
        u1 = (np.float64(z1 >> np.uint64(11)) + 0.5) * (inv * 2048.0)
        u2 = np.float64(z2 >> np.uint64(11)) * (inv * 2048.0)
        rad = np.sqrt(-2.0 * np.log(u1)) * std
        weight[r, j] = rad * np.cos(2.0 * np.pi * u2)
        if j + 1 < dim:
            state[r, j + 1] = 0.0
            weight[r, j + 1] = rad * np.sin(2.0 * np.pi * u2)


@njit(cache=True)
def init_rows(weight, state, rows, ids, seed, std):  # pragma: no cover - compiled
    """``state[rows[i]] = 0`` and ``weight[rows[i]] ~ N(0, std^2)``, from ``(ids[i], seed)`` alone.

    Counter-based (SplitMix64 of the ID, the seed and the coordinate, Box-Muller), so a row's
    initial vector does not depend on the order IDs arrive in, and a recycled row is
    re-initialised for its new ID.
    """
    for i in range(len(rows)):
        _init_row(weight, state, rows[i], ids[i], seed, std)


@njit(cache=True, parallel=True)
def init_rows_parallel(weight, state, rows, ids, seed, std):  # pragma: no cover - compiled
    """:func:`init_rows` over threads (rows are distinct, each written by one thread)."""
    for i in prange(len(rows)):
        _init_row(weight, state, rows[i], ids[i], seed, std)


@njit(cache=True, parallel=True)
def find_rows_parallel(rec, ids, out):  # pragma: no cover - compiled
    """:func:`find_rows` over threads (read-only, so any split gives the same ``out``)."""
    mask = np.uint64(rec.shape[0] - 1)
    for i in prange(len(ids)):
        out[i] = _row_of(rec, ids[i], mask)
