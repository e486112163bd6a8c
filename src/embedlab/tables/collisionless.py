"""Monolith's collisionless embedding table: every admitted ID owns its row.

Liu et al., "Monolith: Real Time Recommendation System With Collisionless Embedding Table"
(ByteDance, ORSUM@RecSys 2022), section 2.1:

* **collisionless**: a hash map (Monolith: cuckoo hashing; here open addressing with linear
  probing and backward-shift deletion, :mod:`embedlab.tables._hashmap`) maps each int64 ID to its
  own row, so no two live IDs share a vector, whatever the IDs are;
* **frequency filtering**: an ID gets a row only once it has been seen ``occurrence_threshold``
  times (an *exact* counter kept in the same map record, 32 bytes per slot with the key, rather than
  Monolith's optional probabilistic filter); until then it reads a shared, trainable default
  vector (row 0);
* **expiry**: :meth:`CollisionlessTable.expire` removes every ID not seen for more than
  ``expire_after`` units of stream time; its row and the row's optimizer state go back to a free
  list and are re-initialised for the next ID admitted into them, so memory stays bounded by the
  number of *live* IDs;
* **growth**: the map doubles its slots at load 0.7 and the rows double when no free row is left
  (amortised O(1) per insert); ``memory_bytes`` counts what is allocated, not what is used.

A new row's vector is ``N(0, init_std^2)`` drawn from a counter-based generator keyed by the ID and
the seed, so the table's state is a function of the stream alone (same stream, same seed -> same
bytes), whatever the batch boundaries.

Lookup ``rows(ids)`` is read-only (serving); ``observe(ids, times)`` counts, admits and stamps
(training). Per-row Adagrad state (``row_state``) lives beside the weights and is zeroed when a
row is recycled.
"""

from __future__ import annotations

import io
import json
import numbers
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.tables import _hashmap as hm
from embedlab.tables._torch import torch
from embedlab.tables.base import EmbeddingTable, _check_rows, as_ids
from embedlab.utils.fileio import save_npz
from embedlab.utils.validation import resolve_seed

__all__ = ["CollisionlessTable"]

_MAX_LOAD = 0.7
_SNAPSHOT_FORMAT = "embedlab.collisionless/1"


def _pow2_at_least(n: int) -> int:
    return 1 << max(3, int(np.ceil(np.log2(max(n, 1)))))


def _empty_records(slots: int) -> np.ndarray:
    return np.zeros((slots, 4), np.int64)  # all-zero records are empty slots


class CollisionlessTable(EmbeddingTable):
    """A growable, collision-free table of int64 IDs with frequency filtering and expiry.

    Memory: ``num_rows * d * 4`` bytes of parameters (allocated rows, row 0 included) plus the
    map, 32 bytes per slot at load <= 0.7, plus the free-row stack (8 bytes per entry); the
    Adagrad state (``optimizer_bytes``) is not counted (serving has none).

    Parameters
    ----------
    embedding_dim : int
        Coordinates per vector.
    occurrence_threshold : int, default=1
        Sightings before an ID owns a row (until then it reads the shared row 0).
    expire_after : int or None, default=None
        Evict IDs unseen for longer than this (stream time) at :meth:`expire`.
    initial_capacity : int, default=1024
        Rows (and map slots) allocated up front; both grow by doubling.
    random_state : int, Generator or None
        Seed of the counter-based initialisation of each admitted row.

    Attributes
    ----------
    seed_ : int
        The seed used.
    evictions_, admissions_ : int
        IDs evicted and rows (re-)initialised so far.
    peak_memory_bytes_ : int
        The largest ``memory_bytes()`` seen.

    Examples
    --------
    >>> t = CollisionlessTable(embedding_dim=4, occurrence_threshold=2, random_state=0)
    >>> t.observe([7, 8, 7], times=[0, 0, 1]).ravel().tolist()  # 7 admitted at its 2nd sighting
    [0, 0, 1]
    >>> t.rows([7, 8, 9]).ravel().tolist()  # 8 is below the threshold, 9 unknown: default row 0
    [1, 0, 0]
    >>> t.expire(now=10, expire_after=5), t.num_live
    (2, 0)
    """

    name = "collisionless"
    expire_after: int | None
    occurrence_threshold: int

    def __init__(
        self,
        *,
        embedding_dim: int,
        occurrence_threshold: int = 1,
        expire_after: int | None = None,
        initial_capacity: int = 1024,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(embedding_dim)
        self.occurrence_threshold = _check_rows(occurrence_threshold, "occurrence_threshold")
        if expire_after is not None and (
            isinstance(expire_after, bool)
            or not isinstance(expire_after, numbers.Integral)
            or expire_after < 0
        ):
            raise InvalidInputError(
                f"expire_after must be None or an int >= 0 (stream time), got {expire_after!r}."
            )
        self.expire_after = None if expire_after is None else int(expire_after)
        cap = _check_rows(initial_capacity, "initial_capacity")
        self.seed_ = resolve_seed(random_state, "CollisionlessTable")
        slots = _pow2_at_least(int(cap / _MAX_LOAD) + 1)
        self._rec = _empty_records(slots)
        # meta: occupied slots, freed rows stacked, rows admitted by the last observe, return code,
        # scratch, next fresh row
        self._meta = np.zeros(6, np.int64)
        n_rows = cap + 1  # row 0 is the shared default vector
        self._free = np.empty(0, np.int64)  # rows freed by expiry, reused first
        self._meta[5] = 1  # the next fresh row
        self.weight = torch.nn.Parameter(torch.zeros(n_rows, self.embedding_dim))
        self.row_state = torch.zeros(n_rows, self.embedding_dim)
        self.evictions_ = 0
        self.admissions_ = 0
        self.peak_memory_bytes_ = self.memory_bytes()

    @classmethod
    def _build_pair(
        cls, train: Any, seed: int, *, embedding_dim: int, **_: Any
    ) -> tuple[CollisionlessTable, CollisionlessTable]:
        # every user and item is admitted up front: the full table in Monolith's layout
        out = []
        for side, n in enumerate(train.shape):
            t = cls(embedding_dim=embedding_dim, initial_capacity=n, random_state=seed + side)
            t.observe(np.arange(n))
            out.append(t)
        return out[0], out[1]

    # -- sizes -------------------------------------------------------------------------------
    @property
    def num_rows(self) -> int:
        """Rows allocated (live, free and the default row 0)."""
        return int(self.weight.shape[0])

    @property
    def num_live(self) -> int:
        """IDs that own a row now."""
        return int(self._meta[5]) - 1 - int(self._meta[1])

    @property
    def num_tracked(self) -> int:
        """IDs in the map: those owning a row plus those still below the threshold."""
        return int(self._meta[0])

    def lookup_bytes(self) -> int:
        """Bytes of the map's slots and of the free-row stack."""
        return int(self._rec.nbytes + self._free.nbytes)

    def optimizer_bytes(self) -> int:
        """Bytes of the per-row Adagrad state (not in ``memory_bytes``: serving has none)."""
        return int(self.row_state.numel() * 4)

    # -- lookup / insert ---------------------------------------------------------------------
    def rows(self, ids: Any) -> np.ndarray:
        """Read-only lookup: each ID's row, 0 (the default vector) if absent or not admitted."""
        x = as_ids(ids)
        out = np.empty(len(x), np.int64)
        find = hm.find_rows_parallel if len(x) >= hm.PARALLEL_MIN else hm.find_rows
        find(self._rec, x, out)
        return out[:, None]

    def observe(self, ids: Any, times: Any = 0) -> np.ndarray:
        """Count a sighting of each ID, admit those reaching the threshold (training).

        Parameters
        ----------
        ids : array-like of int
            The IDs, in stream order.
        times : int or array-like of int, default=0
            Stream time of the sightings (one scalar or one per ID).

        Returns
        -------
        ndarray of int64, shape (n, 1)
            Each ID's row after its sighting (0 while below the threshold).
        """
        x = as_ids(ids)
        t = np.broadcast_to(np.asarray(times, dtype=np.int64), x.shape)
        t = np.ascontiguousarray(t)
        out = np.empty(len(x), np.int64)
        start = 0
        while start < len(x):
            new_rows = np.empty(len(x) - start, np.int64)
            new_ids = np.empty(len(x) - start, np.int64)
            self._meta[2] = 0
            stop = hm.observe(
                self._rec,
                self._free,
                self._meta,
                self.num_rows,
                x[start:],
                t[start:],
                self.occurrence_threshold,
                int(_MAX_LOAD * len(self._rec)),
                out[start:],
                new_rows,
                new_ids,
            )
            n_new = int(self._meta[2])
            if n_new:
                self._reset_rows(new_rows[:n_new], new_ids[:n_new])
            start += int(stop)
            if start < len(x):
                if self._meta[3] == 1:
                    self._grow_slots(len(self._rec) * 2)
                else:
                    self._grow_rows(self.num_rows * 2)
        self._meta[2] = self._meta[3] = self._meta[4] = 0  # scratch: not part of the state
        self.peak_memory_bytes_ = max(self.peak_memory_bytes_, self.memory_bytes())
        return out[:, None]

    def _reset_rows(self, rows: np.ndarray, ids: np.ndarray) -> None:
        init = hm.init_rows_parallel if len(rows) >= hm.PARALLEL_MIN else hm.init_rows
        init(self.weight.data.numpy(), self.row_state.numpy(), rows, ids, self.seed_, self.init_std)
        self.admissions_ += len(rows)

    def expire(self, now: int, expire_after: int | None = None) -> int:
        """Evict every ID not seen for more than ``expire_after`` before ``now``.

        Parameters
        ----------
        now : int
            The current stream time.
        expire_after : int, optional
            The horizon (default: the table's; no eviction when both are None).

        Returns
        -------
        int
            How many IDs left the map; their rows are free for the next admissions.
        """
        horizon = self.expire_after if expire_after is None else int(expire_after)
        if horizon is None:
            return 0
        freed = np.empty(self.num_rows, np.int64)
        if len(self._free) < self.num_rows:  # room to push every owned row
            free = np.zeros(self.num_rows, np.int64)
            free[: int(self._meta[1])] = self._free[: int(self._meta[1])]
            self._free = free
        n_ids, _ = hm.expire(
            self._rec,
            self._free,
            self._meta,
            int(now) - horizon,
            freed,
        )
        self.evictions_ += int(n_ids)
        return int(n_ids)

    # -- growth ------------------------------------------------------------------------------
    def _grow_slots(self, slots: int) -> None:
        old = self._rec
        self._rec = _empty_records(slots)
        hm.reinsert(self._rec, old)

    def _grow_rows(self, n_rows: int) -> None:
        old = self.num_rows
        if int(self._meta[1]) != 0 or int(self._meta[5]) < old:
            raise RuntimeError("rows grow only when no free row is left")
        with torch.no_grad():
            w = torch.zeros(n_rows, self.embedding_dim)
            w[:old] = self.weight.data
            s = torch.zeros(n_rows, self.embedding_dim)
            s[:old] = self.row_state
        self.weight = torch.nn.Parameter(w)
        self.row_state = s

    # -- state -------------------------------------------------------------------------------
    def live_ids(self) -> np.ndarray:
        """Return the IDs that own a row, sorted."""
        r = self._rec
        mask = r[:, hm.ROW] > 0
        return np.sort(r[mask, hm.KEY])

    def state_arrays(self) -> dict[str, np.ndarray]:
        """Every array of the table's state (map, rows, Adagrad state, counters, settings)."""
        meta = {
            "format": _SNAPSHOT_FORMAT,
            "embedding_dim": self.embedding_dim,
            "occurrence_threshold": self.occurrence_threshold,
            "expire_after": self.expire_after,
            "seed": self.seed_,
            "evictions": self.evictions_,
            "admissions": self.admissions_,
            "peak_memory_bytes": self.peak_memory_bytes_,
        }
        return {
            "meta_json": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            "records": self._rec,
            "free": self._free,
            "counters": self._meta,
            "weight": self.weight.detach().numpy(),
            "row_state": self.row_state.numpy(),
        }

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Atomic, durable snapshot of the whole table (an uncompressed ``.npz``).

        Parameters
        ----------
        path : path-like
            The file (replaced if it exists; its folder is created if missing).

        Returns
        -------
        Path
            ``path``.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return save_npz(path, self.state_arrays(), overwrite=True)

    @classmethod
    def from_state_arrays(cls, arrays: Any) -> CollisionlessTable:
        """Rebuild a table from :meth:`state_arrays` (or an opened snapshot)."""
        meta = json.loads(bytes(np.asarray(arrays["meta_json"])).decode())
        if meta.get("format") != _SNAPSHOT_FORMAT:
            raise InvalidInputError(
                f"Not a collisionless-table snapshot (format {meta.get('format')!r})."
            )
        t = cls(
            embedding_dim=meta["embedding_dim"],
            occurrence_threshold=meta["occurrence_threshold"],
            expire_after=meta["expire_after"],
            initial_capacity=1,
            random_state=meta["seed"],
        )
        t._rec = np.array(arrays["records"])
        t._free = np.array(arrays["free"])
        t._meta = np.array(arrays["counters"])
        t.weight = torch.nn.Parameter(torch.from_numpy(np.array(arrays["weight"])))
        t.row_state = torch.from_numpy(np.array(arrays["row_state"]))
        t.evictions_ = int(meta["evictions"])
        t.admissions_ = int(meta["admissions"])
        t.peak_memory_bytes_ = int(meta["peak_memory_bytes"])
        return t

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CollisionlessTable:
        """Restore a table saved by :meth:`save`, byte for byte.

        Parameters
        ----------
        path : path-like
            A file written by :meth:`save` (read without pickles).

        Returns
        -------
        CollisionlessTable
        """
        p = Path(path)
        if not p.is_file():
            raise InvalidInputError(f"No snapshot at {p}.")
        try:
            with np.load(io.BytesIO(p.read_bytes())) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):
            raise InvalidInputError(f"snapshot {p} is truncated or corrupt.") from None
        if "meta_json" not in arrays:
            raise InvalidInputError(f"snapshot {p} is truncated or corrupt.")
        return cls.from_state_arrays(arrays)

    def copy_index_from(self, other: CollisionlessTable) -> None:
        """Make this table's ID -> row map (not its vectors) a copy of ``other``'s.

        Rows grow to match. The serving side of a sync: the map is metadata, the vectors are
        pushed apart.
        """
        self._rec = other._rec.copy()
        self._free = other._free.copy()
        self._meta = other._meta.copy()
        if self.num_rows < other.num_rows:
            with torch.no_grad():
                w = torch.zeros(other.num_rows, self.embedding_dim)
                w[: self.num_rows] = self.weight.data
            self.weight = torch.nn.Parameter(w)
            self.row_state = torch.zeros(other.num_rows, self.embedding_dim)

    def extra_repr(self) -> str:
        """Rows, live IDs and settings, for ``repr``."""
        return (
            f"rows={self.num_rows}, live={self.num_live}, embedding_dim={self.embedding_dim}, "
            f"occurrence_threshold={self.occurrence_threshold}, expire_after={self.expire_after}"
        )
