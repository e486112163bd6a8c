"""The hashing trick and double hashing for embedding tables.

* Hashing trick (Weinberger et al., ICML 2009): ``e(x) = E[h(x)]`` with one universal hash
  ``h(x) = ((a x + b) mod p) mod m`` onto ``m`` rows; IDs that collide share a vector.
* Double hashing (Zhang et al., "Model Size Reduction Using Frequency Based Double Hashing for
  Recommender Systems", RecSys 2020; the GraphHash paper's baseline): ``e(x) = E[h1(x)] + E[h2(x)]``
  with two independent universal hashes onto the same ``m`` rows, so two IDs share their whole
  vector only if both hashes collide (probability about ``1/m**2``).

Cost: ``m * d * 4`` bytes of parameters, no lookup structure; hashing is ~20 uint64 operations
per ID and probe (:mod:`embedlab.tables._hash`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.tables._hash import UniversalHash
from embedlab.tables.base import EmbeddingTable, _check_rows, as_ids, rows_for_budget
from embedlab.utils.validation import resolve_seed

__all__ = ["DoubleHashTable", "HashTable"]


class HashTable(EmbeddingTable):
    """``probes`` universal hashes of an int64 ID onto ``num_rows`` rows, vectors summed.

    ``probes=1`` is the hashing trick, ``probes=2`` double hashing (:class:`DoubleHashTable`).

    >>> t = HashTable(num_rows=100, embedding_dim=8, random_state=0)
    >>> t(np.array([12345678901, -3])).shape
    torch.Size([2, 8])
    """

    method = "hash"

    def __init__(
        self,
        *,
        num_rows: int,
        embedding_dim: int,
        probes: int = 1,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(embedding_dim)
        self._m = _check_rows(num_rows)
        self.probes = _check_rows(probes, "probes")
        self.seed_ = resolve_seed(random_state, type(self).__name__)
        rng = np.random.default_rng(self.seed_)
        self.hashes_ = [UniversalHash(self._m, rng) for _ in range(self.probes)]
        self.weight = self._new_weight(self._m, self.embedding_dim, self.seed_)

    @classmethod
    def from_budget(
        cls, *, num_ids: int, embedding_dim: int, budget: float | int, **kwargs: Any
    ) -> HashTable:
        """The most rows within ``budget`` (fraction of ``num_ids`` full rows, or bytes)."""
        rows = rows_for_budget(budget, num_ids, embedding_dim)
        return cls(num_rows=rows, embedding_dim=embedding_dim, **kwargs)

    @property
    def num_rows(self) -> int:
        return self._m

    def rows(self, ids: Any) -> np.ndarray:
        x = as_ids(ids)
        return np.stack([h(x) for h in self.hashes_], axis=1)


class DoubleHashTable(HashTable):
    """Double hashing: two independent universal hashes onto one table, vectors summed."""

    method = "double-hash"

    def __init__(
        self,
        *,
        num_rows: int,
        embedding_dim: int,
        random_state: int | np.random.Generator | None = None,
        probes: int = 2,
    ) -> None:
        if probes != 2:
            raise InvalidInputError(
                "DoubleHashTable always uses 2 probes; use HashTable(probes=k)."
            )
        super().__init__(
            num_rows=num_rows, embedding_dim=embedding_dim, probes=2, random_state=random_state
        )
