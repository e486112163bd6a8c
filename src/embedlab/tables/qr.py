"""Quotient-remainder embeddings: two small tables whose row pairs are distinct per ID.

Shi et al., "Compositional Embeddings Using Complementary Partitions for Memory-Efficient
Recommendation Systems", KDD 2020.

Two complementary partitions of the IDs: the remainder ``x mod m`` and the quotient
``floor(x / m)``. Each indexes its own table and the two vectors are combined,

    e(x) = R[x mod m]  (op)  Q[floor(x / m) mod q],   op in {multiply, add, concatenate},

so every ID in ``[0, m * q)`` gets a distinct pair of rows: no two of them share their whole
embedding, with ``m + q`` rows instead of ``m * q``. For ``n`` IDs and a budget of ``R`` rows,
``m`` is the largest value with ``m + ceil(n / m) <= R``. IDs beyond ``m * q`` (and negative IDs,
read as uint64) wrap around in the quotient. With ``concatenate`` each table holds ``d / 2``
columns. Memory: ``(m + q) * d * 4`` bytes (half that for ``concatenate``), no lookup structure.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.tables._torch import torch
from embedlab.tables.base import PARAM_BYTES, EmbeddingTable, _check_rows, as_ids, rows_for_budget
from embedlab.utils.validation import resolve_seed

__all__ = ["QRTable", "qr_split"]

_OPERATIONS = ("mult", "add", "concat")


def qr_split(num_ids: int, num_rows: int) -> tuple[int, int]:
    """Pick the split ``(m, q)`` with ``m`` as large as possible and ``m + ceil(num_ids / m)`` rows.

    Parameters
    ----------
    num_ids : int
        IDs to cover (``m * q >= num_ids``).
    num_rows : int
        Rows of both tables together (``m + q <= num_rows``).

    Returns
    -------
    (int, int)
        Remainder rows ``m`` and quotient rows ``q``. Raises when even the best split
        (``m ~ sqrt(num_ids)``) does not fit.

    Examples
    --------
    >>> qr_split(100, 30)
    (26, 4)
    """
    n = _check_rows(num_ids, "num_ids")
    r = _check_rows(num_rows)
    if r >= n + 1:
        return n, 1
    # m + n/m <= r  <=>  m in [(r - sqrt(r^2 - 4n)) / 2, (r + sqrt(r^2 - 4n)) / 2]
    disc = r * r - 4 * n
    if disc < 0:
        best = math.isqrt(n)
        raise InvalidInputError(
            f"Quotient-remainder cannot hash {n:,} IDs into {r:,} rows: it needs at least "
            f"{best + -(-n // max(best, 1)):,} (m ~ sqrt(n))."
        )
    m = min(int((r + math.sqrt(disc)) / 2) + 1, n)
    while m > 1 and m + -(-n // m) > r:
        m -= 1
    if m + -(-n // m) > r:
        raise InvalidInputError(f"Quotient-remainder cannot hash {n:,} IDs into {r:,} rows.")
    return m, -(-n // m)


class QRTable(EmbeddingTable):
    """Quotient-remainder table over ``num_ids`` IDs in ``num_rows`` rows (both tables together).

    Parameters
    ----------
    num_ids : int
        IDs ``0 .. num_ids - 1`` get distinct row pairs (others wrap around in the quotient).
    num_rows : int
        Rows ``m + q`` of the two tables together (:func:`qr_split`).
    embedding_dim : int
        Coordinates per vector.
    operation : {"mult", "add", "concat"}, default="mult"
        How the remainder and quotient vectors combine (``concat``: each holds ``d / 2``).
    random_state : int, Generator or None
        Seed of the initialisation.

    Attributes
    ----------
    m_, q_ : int
        Remainder and quotient rows.
    remainder, quotient : torch.nn.Parameter
        The two tables.
    seed_ : int
        The seed used.

    Examples
    --------
    >>> t = QRTable(num_ids=100, num_rows=30, embedding_dim=4, random_state=0)
    >>> (t.m_, t.q_), len({tuple(r) for r in t.rows(np.arange(100)).tolist()})
    ((26, 4), 100)
    """

    name = "qr"

    def __init__(
        self,
        *,
        num_ids: int,
        num_rows: int,
        embedding_dim: int,
        operation: str = "mult",
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(embedding_dim)
        if operation not in _OPERATIONS:
            raise InvalidInputError(
                f"operation must be one of {', '.join(_OPERATIONS)}, got {operation!r}."
            )
        if operation == "concat" and self.embedding_dim % 2:
            raise InvalidInputError("operation='concat' needs an even embedding_dim.")
        self.operation = operation
        self.m_, self.q_ = qr_split(num_ids, num_rows)
        self.seed_ = resolve_seed(random_state, "QRTable")
        width = self.embedding_dim // 2 if operation == "concat" else self.embedding_dim
        # products of two N(0, s^2) have standard deviation s^2: keep the output at init_std
        std = {"mult": math.sqrt(self.init_std), "add": self.init_std / math.sqrt(2)}.get(
            operation, self.init_std
        )
        self.remainder = self._new_weight(self.m_, width, self.seed_, std)
        self.quotient = self._new_weight(self.q_, width, self.seed_ + 1, std)

    @classmethod
    def from_budget(
        cls,
        *,
        num_ids: int,
        embedding_dim: int,
        memory_bytes: int | None = None,
        memory_fraction: float | None = None,
        operation: str = "mult",
        **kwargs: Any,
    ) -> QRTable:
        """Build the table with the most rows ``m + q`` within the budget.

        Rows are half-width for ``concat``.

        Parameters
        ----------
        num_ids : int
            IDs to cover; the full table a fraction refers to.
        embedding_dim : int
            Coordinates per vector.
        memory_bytes : int, optional
            The budget in bytes.
        memory_fraction : float, optional
            The budget as a fraction in ``(0, 1]`` of ``num_ids * embedding_dim * 4`` bytes
            (exactly one of the two).
        operation : {"mult", "add", "concat"}, default="mult"
            As in the constructor.
        **kwargs
            Passed to the constructor (``random_state``).

        Returns
        -------
        QRTable

        Examples
        --------
        >>> QRTable.from_budget(num_ids=100, embedding_dim=4, memory_fraction=0.3,
        ...                     random_state=0).num_rows
        30
        """
        row_bytes = embedding_dim * PARAM_BYTES // (2 if operation == "concat" else 1)
        rows = rows_for_budget(
            num_ids,
            embedding_dim,
            memory_bytes=memory_bytes,
            memory_fraction=memory_fraction,
            row_bytes=row_bytes,
        )
        return cls(
            num_ids=num_ids,
            num_rows=rows,
            embedding_dim=embedding_dim,
            operation=operation,
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
    ) -> tuple[QRTable, QRTable]:
        ur, ir = cls._need_rows(user_rows, item_rows)
        nu, ni = train.shape
        return (
            cls(num_ids=nu, num_rows=ur, embedding_dim=embedding_dim, random_state=seed),
            cls(num_ids=ni, num_rows=ir, embedding_dim=embedding_dim, random_state=seed + 1),
        )

    @property
    def num_rows(self) -> int:
        """Rows of both tables, ``m + q``."""
        return self.m_ + self.q_

    def rows(self, ids: Any) -> np.ndarray:
        """``[n, 2]``: remainder row ``x mod m`` and quotient row ``floor(x / m) mod q``."""
        x = as_ids(ids).view(np.uint64)
        m = np.uint64(self.m_)
        r = (x % m).astype(np.int64)
        q = ((x // m) % np.uint64(self.q_)).astype(np.int64)
        return np.stack([r, q], axis=1)

    def embed_rows(self, rows: Any) -> Any:
        """``R[r] (op) Q[q]`` for each ``(r, q)`` pair of ``rows``, ``[n, embedding_dim]``."""
        rows = torch.as_tensor(rows)
        f = torch.nn.functional.embedding
        r, q = f(rows[:, 0], self.remainder), f(rows[:, 1], self.quotient)
        if self.operation == "mult":
            return r * q
        if self.operation == "add":
            return r + q
        return torch.cat([r, q], dim=1)
