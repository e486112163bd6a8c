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
    """The ``k`` IDs with the highest counts, ties broken by the smaller ID, most frequent first."""
    x = as_ids(ids, "ids")
    c = np.asarray(counts, dtype=np.float64).reshape(-1)
    if len(c) != len(x):
        raise InvalidInputError(f"ids and counts differ in length ({len(x)} vs {len(c)}).")
    order = np.lexsort((x, -c))
    return x[order[:k]]


class FrequencyTable(EmbeddingTable):
    """``num_rows`` rows: the ``exclusive_fraction`` most frequent IDs own one each, the others
    are hashed onto the remaining rows. ``ids``/``counts`` are the training-data frequencies.

    >>> t = FrequencyTable(ids=[7, 8, 9], counts=[5, 1, 3], num_rows=4, embedding_dim=2,
    ...                    random_state=0)
    >>> t.frequent_ids_.tolist()  # floor(0.5 * 4) = 2 exclusive rows
    [7, 9]
    """

    method = "frequency"

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
        budget: float | int,
        exclusive_fraction: float = 0.5,
        **kwargs: Any,
    ) -> FrequencyTable:
        """The most rows whose parameters and frequent-ID map fit ``budget`` (fraction of the
        full table over ``len(ids)`` IDs, or bytes)."""
        n = len(as_ids(ids, "ids"))
        total = budget_bytes(budget, n, embedding_dim)
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

    @property
    def num_rows(self) -> int:
        return self._m

    def rows(self, ids: Any) -> np.ndarray:
        x = as_ids(ids)
        out = self.hash_(x)
        if self._k:
            pos, hit = sorted_lookup(self._sorted_ids, x)
            out[hit] = self._sorted_rows[pos[hit]]
        return out.reshape(-1, 1)

    def lookup_bytes(self) -> int:
        return int(self._sorted_ids.nbytes + self._sorted_rows.nbytes)
