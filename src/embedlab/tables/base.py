"""The embedding-table contract: int64 raw IDs in, ``embedding_dim`` vectors out.

Every table in :mod:`embedlab.tables` is a ``torch.nn.Module`` with

* ``rows(ids) -> int64 [n, probes]``: the rows an ID reads (NumPy, no gradient); a full table
  has one probe, double hashing two, quotient-remainder one per sub-table;
* ``embed_rows(rows) -> float32 [n, embedding_dim]``: the differentiable combination of those
  rows (sum, product or concatenation);
* ``forward(ids)`` = ``embed_rows(rows(ids))`` for IDs of any shape (the output gains a last axis);
* ``num_rows`` (rows of parameters over all sub-tables) and ``memory_bytes()``: parameter bytes
  plus the bytes of any lookup structure the table keeps (a vocabulary, an ID -> cluster map);
* ``from_budget(..., budget=...)``: the largest table whose ``memory_bytes()`` fits the budget,
  given as a fraction of the full table's parameters (a float in ``(0, 1]``) or as bytes (an int).

Models precompute ``rows`` for a known ID universe once and call ``embed_rows`` per batch, so
hashing costs nothing inside the training loop.
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from typing import Any, ClassVar, cast

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.tables._torch import torch

__all__ = ["EmbeddingTable", "as_ids", "budget_bytes", "rows_for_budget"]

#: bytes per parameter (float32)
PARAM_BYTES = 4


def as_ids(ids: Any, name: str = "ids") -> np.ndarray:
    """A flat int64 array of IDs (from a list, array or tensor); floats and bools are refused."""
    if isinstance(ids, torch.Tensor):
        ids = ids.detach().cpu().numpy()
    arr = np.asarray(ids)
    if arr.dtype.kind not in "iu":
        raise InvalidInputError(f"{name} must be integers (int64 IDs), got dtype {arr.dtype}.")
    if arr.dtype == np.uint64 and arr.size and int(arr.max()) > np.iinfo(np.int64).max:
        raise InvalidInputError(f"{name} must fit in int64.")
    return np.ascontiguousarray(arr.reshape(-1), dtype=np.int64)


def budget_bytes(budget: float | int, num_ids: int, embedding_dim: int) -> int:
    """Bytes a budget allows: a float in ``(0, 1]`` is a fraction of the full table's parameter
    bytes (``num_ids * embedding_dim * 4``); an int is bytes."""
    if isinstance(budget, bool) or not isinstance(budget, numbers.Real):
        raise InvalidInputError(
            f"budget must be a fraction in (0, 1] or a number of bytes, got {budget!r}."
        )
    if isinstance(budget, numbers.Integral):
        if budget < 1:
            raise InvalidInputError(f"A budget in bytes must be >= 1, got {budget}.")
        return int(budget)
    if not 0.0 < float(budget) <= 1.0:
        raise InvalidInputError(
            f"A fractional budget must be in (0, 1] (of the full table), got {budget!r}."
        )
    return int(float(budget) * num_ids * embedding_dim * PARAM_BYTES)


def rows_for_budget(
    budget: float | int,
    num_ids: int,
    embedding_dim: int,
    *,
    lookup_bytes: int = 0,
    row_bytes: int | None = None,
) -> int:
    """The most rows whose parameters plus ``lookup_bytes`` fit ``budget`` (>= 1, or an error)."""
    total = budget_bytes(budget, num_ids, embedding_dim)
    per_row = embedding_dim * PARAM_BYTES if row_bytes is None else row_bytes
    rows = (total - lookup_bytes) // per_row
    if rows < 1:
        raise InvalidInputError(
            f"A budget of {total:,} bytes leaves no room for one row of {per_row} bytes "
            f"(the lookup structure takes {lookup_bytes:,} bytes)."
        )
    return int(rows)


def _check_dim(embedding_dim: Any) -> int:
    if (
        isinstance(embedding_dim, bool)
        or not isinstance(embedding_dim, numbers.Integral)
        or embedding_dim < 1
    ):
        raise InvalidInputError(f"embedding_dim must be an int >= 1, got {embedding_dim!r}.")
    return int(embedding_dim)


def _check_rows(num_rows: Any, name: str = "num_rows") -> int:
    if isinstance(num_rows, bool) or not isinstance(num_rows, numbers.Integral) or num_rows < 1:
        raise InvalidInputError(f"{name} must be an int >= 1, got {num_rows!r}.")
    return int(num_rows)


def _generator(seed: int) -> torch.Generator:
    g = torch.Generator()
    g.manual_seed(int(seed) % (2**63))
    return g


class EmbeddingTable(torch.nn.Module, ABC):
    """Base class: subclasses set ``method`` and implement ``rows`` and ``num_rows``."""

    #: the name used by :func:`embedlab.tables.make_tables` and the CLI
    method: ClassVar[str] = ""
    #: standard deviation of the N(0, sigma^2) initialisation (LightGCN's and NGCF's 0.1)
    init_std: ClassVar[float] = 0.1

    def __init__(self, embedding_dim: int) -> None:
        super().__init__()
        self.embedding_dim = _check_dim(embedding_dim)

    # -- to implement ------------------------------------------------------------------------
    @property
    @abstractmethod
    def num_rows(self) -> int:
        """Rows of parameters over all sub-tables."""

    @abstractmethod
    def rows(self, ids: Any) -> np.ndarray:
        """int64 ``[n, probes]``: the rows each of the ``n`` IDs reads."""

    # -- shared ------------------------------------------------------------------------------
    def _new_weight(self, n_rows: int, dim: int, seed: int, std: float | None = None) -> Any:
        w = torch.empty(n_rows, dim, dtype=torch.float32)
        w.normal_(0.0, self.init_std if std is None else std, generator=_generator(seed))
        return torch.nn.Parameter(w)

    def embed_rows(self, rows: Any) -> Any:
        """Sum of the rows' vectors, ``[n, embedding_dim]`` (override for other combinations)."""
        rows = torch.as_tensor(rows)
        weight = cast(torch.Tensor, self.weight)  # a Parameter set by each subclass
        if rows.shape[1] == 1:
            return torch.nn.functional.embedding(rows[:, 0], weight)
        return torch.nn.functional.embedding(rows, weight).sum(dim=1)

    def forward(self, ids: Any) -> Any:
        shape = tuple(ids.shape) if hasattr(ids, "shape") else (len(ids),)
        flat = as_ids(ids)
        out = self.embed_rows(torch.from_numpy(self.rows(flat)))
        return out.reshape(*shape, self.embedding_dim)

    def lookup_bytes(self) -> int:
        """Bytes of the lookup structure kept beside the parameters (0 for pure hashing)."""
        return 0

    def parameter_bytes(self) -> int:
        return sum(p.numel() * p.element_size() for p in self.parameters())

    def memory_bytes(self) -> int:
        """Parameter bytes plus lookup-structure bytes."""
        return self.parameter_bytes() + self.lookup_bytes()

    def describe(self) -> dict[str, Any]:
        """Method, rows, dimension and memory, for reports."""
        return {
            "method": self.method,
            "rows": self.num_rows,
            "embedding_dim": self.embedding_dim,
            "memory_bytes": self.memory_bytes(),
        }

    def extra_repr(self) -> str:
        return f"rows={self.num_rows}, embedding_dim={self.embedding_dim}"
