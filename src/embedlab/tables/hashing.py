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

    ``probes=1`` is the hashing trick, ``probes=2`` double hashing (:class:`DoubleHashTable`):
    ``e(x) = sum_k E[h_k(x)]``. Every int64 ID is valid (negative ones included).

    Parameters
    ----------
    num_rows : int
        Rows ``m`` of the table.
    embedding_dim : int
        Coordinates per vector.
    probes : int, default=1
        Independent hashes per ID.
    random_state : int, Generator or None
        Seed of the hash functions and of the initialisation.

    Attributes
    ----------
    hashes_ : list of UniversalHash
        The ``probes`` hash functions onto ``[0, m)``.
    seed_ : int
        The seed used.

    Examples
    --------
    >>> t = HashTable(num_rows=100, embedding_dim=8, random_state=0)
    >>> t(np.array([12345678901, -3])).shape
    torch.Size([2, 8])
    """

    name = "hash"

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
        cls,
        *,
        num_ids: int,
        embedding_dim: int,
        memory_bytes: int | None = None,
        memory_fraction: float | None = None,
        **kwargs: Any,
    ) -> HashTable:
        """Build the table with the most rows within the budget.

        There is no lookup structure: ``m = budget // (4 d)``.

        Parameters
        ----------
        num_ids : int
            IDs of the full table a fraction refers to.
        embedding_dim : int
            Coordinates per vector.
        memory_bytes : int, optional
            The budget in bytes.
        memory_fraction : float, optional
            The budget as a fraction in ``(0, 1]`` of ``num_ids * embedding_dim * 4`` bytes
            (exactly one of the two).
        **kwargs
            Passed to the constructor (``random_state``).

        Returns
        -------
        HashTable

        Examples
        --------
        >>> HashTable.from_budget(num_ids=1000, embedding_dim=8, memory_fraction=0.1,
        ...                       random_state=0).num_rows
        100
        """
        rows = rows_for_budget(
            num_ids, embedding_dim, memory_bytes=memory_bytes, memory_fraction=memory_fraction
        )
        return cls(num_rows=rows, embedding_dim=embedding_dim, **kwargs)

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
    ) -> tuple[HashTable, HashTable]:
        nu, ni = cls._need_rows(user_rows, item_rows)
        return (
            cls(num_rows=nu, embedding_dim=embedding_dim, random_state=seed),
            cls(num_rows=ni, embedding_dim=embedding_dim, random_state=seed + 1),
        )

    @property
    def num_rows(self) -> int:
        """Rows ``m``."""
        return self._m

    def rows(self, ids: Any) -> np.ndarray:
        """``[n, probes]``: ``h_k(x)`` for every ID and probe."""
        x = as_ids(ids)
        return np.stack([h(x) for h in self.hashes_], axis=1)


class DoubleHashTable(HashTable):
    """Double hashing: two independent universal hashes onto one table, vectors summed.

    Parameters
    ----------
    num_rows, embedding_dim, random_state
        As in :class:`HashTable`.
    probes : int, default=2
        Always 2 (anything else is refused; use :class:`HashTable` for ``k`` probes).

    Examples
    --------
    >>> DoubleHashTable(num_rows=10, embedding_dim=4, random_state=0).rows([5]).shape
    (1, 2)
    """

    name = "double-hash"

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
