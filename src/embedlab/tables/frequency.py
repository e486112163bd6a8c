"""Frequency-based hashing: exclusive rows for the most frequent IDs, the rest hashed.

DeepRec's adaptive embedding and Zhang et al. (RecSys 2020) keep the ``k`` most frequent IDs
collision-free and hash the long tail: with ``m`` rows and ``k = floor(exclusive_fraction * m)``,

    e(x) = E[m - k + rank(x)]   if x is among the k most frequent IDs (ties broken by smaller ID),
    e(x) = E[h(x)]              otherwise, h universal onto [0, m - k).

Memory: ``m * d * 4`` bytes of parameters plus the sorted frequent IDs and their rows
(16 bytes per frequent ID). Lookup: one binary search and one hash per ID.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp

from embedlab.exceptions import InvalidInputError
from embedlab.tables._hash import UniversalHash
from embedlab.tables.base import (
    PARAM_BYTES,
    EmbeddingTable,
    _check_rows,
    as_ids,
    budget_bytes,
)
from embedlab.utils.ids import sorted_lookup
from embedlab.utils.validation import resolve_seed

__all__ = ["FrequencyTable", "top_ids"]


def top_ids(ids: Any, counts: Any, k: int) -> np.ndarray:
    """Return the ``k`` IDs with the highest counts, most frequent first.

    Ties are broken by the smaller ID.

    Parameters
    ----------
    ids : array-like of int
        The IDs.
    counts : array-like of float
        One count per ID.
    k : int
        How many to return.

    Returns
    -------
    ndarray of int64, shape (min(k, n),)

    Examples
    --------
    >>> top_ids([7, 8, 9], [5, 1, 5], 2).tolist()
    [7, 9]
    """
    x = as_ids(ids, "ids")
    c = np.asarray(counts, dtype=np.float64).reshape(-1)
    if len(c) != len(x):
        raise InvalidInputError(f"ids and counts differ in length ({len(x)} vs {len(c)}).")
    order = np.lexsort((x, -c))
    return x[order[:k]]


class FrequencyTable(EmbeddingTable):
    """Exclusive rows for the most frequent IDs, the others hashed onto the remaining rows.

    Parameters
    ----------
    ids : array-like of int
        The distinct IDs of the training data.
    counts : array-like of float
        Their frequencies.
    num_rows : int
        Rows ``m`` in all.
    embedding_dim : int
        Coordinates per vector.
    exclusive_fraction : float, default=0.5
        ``k = floor(exclusive_fraction * m)`` rows (at most ``m - 1``) go to the ``k`` most
        frequent IDs, one each.
    random_state : int, Generator or None
        Seed of the hash and of the initialisation.

    Attributes
    ----------
    frequent_ids_ : ndarray of int64
        The IDs owning a row, most frequent first.
    hash_ : UniversalHash
        The hash of the other IDs onto ``[0, m - k)``.
    seed_ : int
        The seed used.

    Examples
    --------
    >>> t = FrequencyTable(ids=[7, 8, 9], counts=[5, 1, 3], num_rows=4, embedding_dim=2,
    ...                    random_state=0)
    >>> t.frequent_ids_.tolist()  # floor(0.5 * 4) = 2 exclusive rows
    [7, 9]
    """

    name = "frequency"

    def __init__(
        self,
        *,
        ids: Any,
        counts: Any,
        num_rows: int,
        embedding_dim: int,
        exclusive_fraction: float = 0.5,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(embedding_dim)
        m = _check_rows(num_rows)
        if not 0.0 <= float(exclusive_fraction) <= 1.0:
            raise InvalidInputError(
                f"exclusive_fraction must be in [0, 1], got {exclusive_fraction!r}."
            )
        x = as_ids(ids, "ids")
        if len(np.unique(x)) != len(x):
            raise InvalidInputError("ids must be distinct (one count per ID).")
        k = min(math.floor(float(exclusive_fraction) * m), len(x), m - 1)
        self.exclusive_fraction = float(exclusive_fraction)
        self.seed_ = resolve_seed(random_state, "FrequencyTable")
        self.frequent_ids_ = top_ids(x, counts, k)
        order = np.argsort(self.frequent_ids_, kind="stable")
        self._sorted_ids = self.frequent_ids_[order]
        self._sorted_rows = (m - k + order).astype(np.int64)
        self._m, self._k = m, k
        self.hash_ = UniversalHash(m - k, np.random.default_rng(self.seed_))
        self.weight = self._new_weight(m, self.embedding_dim, self.seed_)

    @classmethod
    def from_budget(
        cls,
        *,
        ids: Any,
        counts: Any,
        embedding_dim: int,
        memory_bytes: int | None = None,
        memory_fraction: float | None = None,
        exclusive_fraction: float = 0.5,
        **kwargs: Any,
    ) -> FrequencyTable:
        """Build the table with the most rows whose parameters and frequent-ID map fit the budget.

        ``m * d * 4 + 16 * min(floor(exclusive_fraction * m), n, m - 1) <= budget``.

        Parameters
        ----------
        ids, counts : array-like
            As in the constructor; ``len(ids)`` is the full table a fraction refers to.
        embedding_dim : int
            Coordinates per vector.
        memory_bytes : int, optional
            The budget in bytes.
        memory_fraction : float, optional
            The budget as a fraction in ``(0, 1]`` of ``len(ids) * embedding_dim * 4`` bytes
            (exactly one of the two).
        exclusive_fraction : float, default=0.5
            As in the constructor.
        **kwargs
            Passed to the constructor (``random_state``).

        Returns
        -------
        FrequencyTable

        Examples
        --------
        >>> t = FrequencyTable.from_budget(ids=np.arange(100), counts=np.arange(100),
        ...                                embedding_dim=4, memory_bytes=800, random_state=0)
        >>> t.num_rows, t.memory_bytes() <= 800
        (33, True)
        """
        n = len(as_ids(ids, "ids"))
        total = budget_bytes(
            n, embedding_dim, memory_bytes=memory_bytes, memory_fraction=memory_fraction
        )
        rows = int(total // (embedding_dim * PARAM_BYTES + 16 * float(exclusive_fraction)))
        while rows > 1:  # floor(fraction * rows) frequent IDs at 16 bytes each
            k = min(math.floor(float(exclusive_fraction) * rows), n, rows - 1)
            if rows * embedding_dim * PARAM_BYTES + 16 * k <= total:
                break
            rows -= 1
        if rows < 2:
            raise InvalidInputError(f"A budget of {total:,} bytes is too small for this table.")
        return cls(
            ids=ids,
            counts=counts,
            num_rows=rows,
            embedding_dim=embedding_dim,
            exclusive_fraction=exclusive_fraction,
            **kwargs,
        )

    @classmethod
    def _build_pair(
        cls,
        train: Any,
        seed: int,
        *,
        embedding_dim: int,
        user_rows: int | None,
        item_rows: int | None,
        **_: Any,
    ) -> tuple[FrequencyTable, FrequencyTable]:
        ur, ir = cls._need_rows(user_rows, item_rows)
        t = sp.csr_matrix(train)  # counts are the training degrees
        nu, ni = t.shape
        user_counts = np.diff(t.indptr)
        item_counts = np.bincount(t.indices, minlength=ni)
        kw: dict[str, Any] = {"embedding_dim": embedding_dim}
        return (
            cls(ids=np.arange(nu), counts=user_counts, num_rows=ur, random_state=seed, **kw),
            cls(ids=np.arange(ni), counts=item_counts, num_rows=ir, random_state=seed + 1, **kw),
        )

    @property
    def num_rows(self) -> int:
        """Rows ``m``."""
        return self._m

    def rows(self, ids: Any) -> np.ndarray:
        """``[n, 1]``: the exclusive row of a frequent ID, else its hash."""
        x = as_ids(ids)
        out = self.hash_(x)
        if self._k:
            pos, hit = sorted_lookup(self._sorted_ids, x)
            out[hit] = self._sorted_rows[pos[hit]]
        return out.reshape(-1, 1)

    def lookup_bytes(self) -> int:
        """16 bytes per frequent ID (the sorted IDs and their rows)."""
        return int(self._sorted_ids.nbytes + self._sorted_rows.nbytes)
