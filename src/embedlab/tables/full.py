"""The full embedding table: one row per known ID, no sharing (the uncompressed reference).

``E[v(x)]`` where ``v`` maps each of the ``n`` known IDs to its own row. With ``num_ids=n`` the IDs
are ``0 .. n-1`` and ``v`` is the identity (no lookup structure); with ``ids=...`` the vocabulary is
kept sorted and ``v`` is a binary search (8 bytes per ID, counted in ``memory_bytes``). Memory:
``n * d * 4`` bytes of parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.tables.base import EmbeddingTable, _check_rows, as_ids
from embedlab.utils.ids import sorted_lookup
from embedlab.utils.validation import resolve_seed

__all__ = ["FullTable"]


class FullTable(EmbeddingTable):
    """One row per ID, no sharing; unknown IDs are an error.

    Parameters
    ----------
    embedding_dim : int
        Coordinates per vector.
    num_ids : int, optional
        The IDs are ``0 .. num_ids - 1`` (no lookup structure).
    ids : array-like of int, optional
        Any int64 vocabulary (kept sorted: 8 bytes per ID in ``memory_bytes``). Give exactly
        one of ``num_ids`` and ``ids``.
    random_state : int, Generator or None
        Seed of the ``N(0, 0.1^2)`` initialisation.

    Attributes
    ----------
    vocabulary_ : ndarray of int64 or None
        The sorted vocabulary (None with ``num_ids``).
    seed_ : int
        The seed used.

    Examples
    --------
    >>> t = FullTable(num_ids=5, embedding_dim=4, random_state=0)
    >>> t(np.array([0, 4])).shape, t.num_rows
    (torch.Size([2, 4]), 5)
    """

    name = "full"
    accepts_any_id = False

    def __init__(
        self,
        *,
        embedding_dim: int,
        num_ids: int | None = None,
        ids: Any = None,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(embedding_dim)
        if (num_ids is None) == (ids is None):
            raise InvalidInputError("FullTable takes exactly one of num_ids and ids.")
        if ids is not None:
            vocab = np.unique(as_ids(ids, "ids"))
            if len(vocab) == 0:
                raise InvalidInputError("FullTable needs at least one ID.")
            self.vocabulary_: np.ndarray | None = vocab
            n = len(vocab)
        else:
            n = _check_rows(num_ids, "num_ids")
            self.vocabulary_ = None
        self.seed_ = resolve_seed(random_state, "FullTable")
        self._n = n
        self.weight = self._new_weight(n, self.embedding_dim, self.seed_)

    @classmethod
    def _build_pair(
        cls, train: Any, seed: int, *, embedding_dim: int, **_: Any
    ) -> tuple[FullTable, FullTable]:
        nu, ni = train.shape
        return (
            cls(num_ids=nu, embedding_dim=embedding_dim, random_state=seed),
            cls(num_ids=ni, embedding_dim=embedding_dim, random_state=seed + 1),
        )

    @property
    def num_rows(self) -> int:
        """One row per ID."""
        return self._n

    def rows(self, ids: Any) -> np.ndarray:
        """Return the row of each ID, ``[n, 1]``; an ID outside the vocabulary raises."""
        x = as_ids(ids)
        if self.vocabulary_ is None:
            bad = (x < 0) | (x >= self._n)
            r = x
        else:
            r, hit = sorted_lookup(self.vocabulary_, x)
            bad = ~hit
        if bad.any():
            raise InvalidInputError(
                f"FullTable has no row for ID {int(x[np.flatnonzero(bad)[0]])} "
                f"({int(bad.sum())} unknown IDs); a full table only maps the IDs it was built on."
            )
        return r.reshape(-1, 1)

    def lookup_bytes(self) -> int:
        """8 bytes per vocabulary ID (0 with ``num_ids``)."""
        return 0 if self.vocabulary_ is None else int(self.vocabulary_.nbytes)
