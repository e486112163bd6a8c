"""Quotient-remainder embeddings (Shi et al., "Compositional Embeddings Using Complementary
Partitions for Memory-Efficient Recommendation Systems", KDD 2020).

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
    """``(m, q)``: remainder rows ``m`` as large as possible with ``m + ceil(num_ids / m)`` within
    ``num_rows``. Raises when even the best split (``m ~ sqrt(num_ids)``) does not fit."""
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

    >>> t = QRTable(num_ids=100, num_rows=30, embedding_dim=4, random_state=0)
    >>> (t.m_, t.q_), len({tuple(r) for r in t.rows(np.arange(100)).tolist()})
    ((26, 4), 100)
    """

    method = "qr"

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
        budget: float | int,
        operation: str = "mult",
        **kwargs: Any,
    ) -> QRTable:
        row_bytes = embedding_dim * PARAM_BYTES // (2 if operation == "concat" else 1)
        rows = rows_for_budget(budget, num_ids, embedding_dim, row_bytes=row_bytes)
        return cls(
            num_ids=num_ids,
            num_rows=rows,
            embedding_dim=embedding_dim,
            operation=operation,
            **kwargs,
        )

    @property
    def num_rows(self) -> int:
        return self.m_ + self.q_

    def rows(self, ids: Any) -> np.ndarray:
        x = as_ids(ids).view(np.uint64)
        m = np.uint64(self.m_)
        r = (x % m).astype(np.int64)
        q = ((x // m) % np.uint64(self.q_)).astype(np.int64)
        return np.stack([r, q], axis=1)

    def embed_rows(self, rows: Any) -> Any:
        rows = torch.as_tensor(rows)
        f = torch.nn.functional.embedding
        r, q = f(rows[:, 0], self.remainder), f(rows[:, 1], self.quotient)
        if self.operation == "mult":
            return r * q
        if self.operation == "add":
            return r + q
        return torch.cat([r, q], dim=1)
