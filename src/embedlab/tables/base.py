"""The embedding-table contract: int64 raw IDs in, ``embedding_dim`` vectors out.

Every table in :mod:`embedlab.tables` is a ``torch.nn.Module`` with

* ``rows(ids) -> int64 [n, probes]``: the rows an ID reads (NumPy, no gradient); a full table
  has one probe, double hashing two, quotient-remainder one per sub-table;
* ``embed_rows(rows) -> float32 [n, embedding_dim]``: the differentiable combination of those
  rows (sum, product or concatenation);
* ``forward(ids)`` = ``embed_rows(rows(ids))`` for IDs of any shape (the output gains a last axis);
* ``num_rows`` (rows of parameters over all sub-tables) and ``memory_bytes()``: parameter bytes
  plus the bytes of any lookup structure the table keeps (a vocabulary, an ID -> cluster map);
* ``from_budget(..., memory_bytes=... | memory_fraction=...)``: the largest table whose
  ``memory_bytes()`` fits the budget, given in bytes or as a fraction of the full table's
  parameter bytes ``num_ids * embedding_dim * 4`` (exactly one of the two);
* ``pair_for(train, user_rows=, item_rows=, ...)``: the (user table, item table) pair of the
  GraphHash comparison protocol (:func:`embedlab.tables.make_tables` dispatches to it by name).

Models precompute ``rows`` for a known ID universe once and call ``embed_rows`` per batch, so
hashing costs nothing inside the training loop.
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from typing import Any, ClassVar, cast

import numpy as np
import scipy.sparse as sp

from embedlab.exceptions import InvalidInputError
from embedlab.tables._torch import torch
from embedlab.utils.validation import resolve_seed

__all__ = ["EmbeddingTable", "as_ids", "budget_bytes", "rows_for_budget"]

#: bytes per parameter (float32)
PARAM_BYTES = 4


def as_ids(ids: Any, name: str = "ids") -> np.ndarray:
    """Convert IDs (a list, array or tensor) to a flat int64 array; floats and bools are refused.

    Parameters
    ----------
    ids : array-like or torch.Tensor
        Integer IDs of any shape.
    name : str, default="ids"
        The parameter name used in error messages.

    Returns
    -------
    ndarray of int64, shape (n,)
        The IDs, flattened and C-contiguous.

    Examples
    --------
    >>> as_ids([[3, -1]]).tolist()
    [3, -1]
    """
    if isinstance(ids, torch.Tensor):
        ids = ids.detach().cpu().numpy()
    arr = np.asarray(ids)
    if arr.dtype.kind not in "iu":
        raise InvalidInputError(f"{name} must be integers (int64 IDs), got dtype {arr.dtype}.")
    if arr.dtype == np.uint64 and arr.size and int(arr.max()) > np.iinfo(np.int64).max:
        raise InvalidInputError(f"{name} must fit in int64.")
    return np.ascontiguousarray(arr.reshape(-1), dtype=np.int64)


def budget_bytes(
    num_ids: int,
    embedding_dim: int,
    *,
    memory_bytes: int | None = None,
    memory_fraction: float | None = None,
) -> int:
    """Bytes a memory budget allows (exactly one of ``memory_bytes`` and ``memory_fraction``).

    Parameters
    ----------
    num_ids : int
        IDs of the full table the fraction refers to.
    embedding_dim : int
        Coordinates per full-table row.
    memory_bytes : int, optional
        The budget in bytes (>= 1).
    memory_fraction : float, optional
        The budget as a fraction in ``(0, 1]`` of the full table's parameter bytes
        ``num_ids * embedding_dim * 4``.

    Returns
    -------
    int
        ``memory_bytes``, or ``int(memory_fraction * num_ids * embedding_dim * 4)``.

    Examples
    --------
    >>> budget_bytes(1000, 16, memory_fraction=0.5), budget_bytes(1000, 16, memory_bytes=300)
    (32000, 300)
    """
    if (memory_bytes is None) == (memory_fraction is None):
        got = "both" if memory_bytes is not None else "neither"
        raise InvalidInputError(
            f"Give exactly one of memory_bytes (bytes) and memory_fraction (of the full table); "
            f"got {got}."
        )
    if memory_bytes is not None:
        if (
            isinstance(memory_bytes, bool)
            or not isinstance(memory_bytes, numbers.Integral)
            or memory_bytes < 1
        ):
            raise InvalidInputError(f"memory_bytes must be an int >= 1, got {memory_bytes!r}.")
        return int(memory_bytes)
    return int(_check_fraction(memory_fraction) * num_ids * embedding_dim * PARAM_BYTES)


def _check_fraction(memory_fraction: Any) -> float:
    if (
        isinstance(memory_fraction, bool)
        or not isinstance(memory_fraction, numbers.Real)
        or not 0.0 < float(memory_fraction) <= 1.0
    ):
        raise InvalidInputError(
            f"memory_fraction must be a number in (0, 1] (of the full table), "
            f"got {memory_fraction!r}."
        )
    return float(memory_fraction)


def rows_for_budget(
    num_ids: int,
    embedding_dim: int,
    *,
    memory_bytes: int | None = None,
    memory_fraction: float | None = None,
    lookup_bytes: int = 0,
    row_bytes: int | None = None,
) -> int:
    """Return the most rows whose parameters and ``lookup_bytes`` fit the budget (>= 1, else raise).

    Parameters
    ----------
    num_ids, embedding_dim, memory_bytes, memory_fraction
        The budget, as in :func:`budget_bytes`.
    lookup_bytes : int, default=0
        Bytes of the lookup structure kept beside the rows.
    row_bytes : int, optional
        Bytes per row (default ``embedding_dim * 4``).

    Returns
    -------
    int
        ``(budget - lookup_bytes) // row_bytes``.

    Examples
    --------
    >>> rows_for_budget(1000, 16, memory_fraction=0.1)
    100
    """
    total = budget_bytes(
        num_ids, embedding_dim, memory_bytes=memory_bytes, memory_fraction=memory_fraction
    )
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


def _check_train(train: Any) -> sp.csr_matrix:
    if not sp.issparse(train):
        raise InvalidInputError("train must be a scipy sparse users x items matrix.")
    return train


def _generator(seed: int) -> torch.Generator:
    g = torch.Generator()
    g.manual_seed(int(seed) % (2**63))
    return g


def _normal_weight(n_rows: int, dim: int, seed: int, std: float) -> Any:
    """Draw a ``[n_rows, dim]`` float32 parameter from ``N(0, std^2)`` with a seeded generator."""
    w = torch.empty(n_rows, dim, dtype=torch.float32)
    w.normal_(0.0, std, generator=_generator(seed))
    return torch.nn.Parameter(w)


class EmbeddingTable(torch.nn.Module, ABC):
    """Base class of the tables: subclasses set ``name`` and implement ``rows`` and ``num_rows``.

    Parameters
    ----------
    embedding_dim : int
        Coordinates of the vector each ID reads.

    Attributes
    ----------
    name : str
        The registry key (:data:`embedlab.registry.TABLES`, :func:`embedlab.tables.make_tables`,
        the CLI).
    init_std : float
        Standard deviation ``sigma`` of the ``N(0, sigma^2)`` initialisation (LightGCN's and
        NGCF's 0.1).
    accepts_any_id : bool
        Whether every int64 ID has a row (hashing); False for a fixed vocabulary, where an
        unknown ID is an error.
    """

    name: ClassVar[str] = ""
    init_std: ClassVar[float] = 0.1
    accepts_any_id: ClassVar[bool] = True

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

    @classmethod
    def _build_pair(
        cls,
        train: sp.csr_matrix,
        seed: int,
        *,
        embedding_dim: int,
        user_rows: int | None,
        item_rows: int | None,
        partition: Any,
        resolution: float,
    ) -> tuple[EmbeddingTable, EmbeddingTable]:
        raise InvalidInputError(f"Table method {cls.name!r} does not build user/item pairs.")

    # -- the comparison protocol -------------------------------------------------------------
    @classmethod
    def pair_for(
        cls,
        train: Any,
        *,
        embedding_dim: int = 64,
        user_rows: int | None = None,
        item_rows: int | None = None,
        partition: Any = None,
        resolution: float = 200.0,
        random_state: int | np.random.Generator | None = None,
    ) -> tuple[EmbeddingTable, EmbeddingTable]:
        """(user table, item table) for users ``0..n_users-1`` and items ``0..n_items-1``.

        The GraphHash paper's comparison protocol: GraphHash's clustering fixes the user rows
        and item rows, and every other method is built with exactly those counts, so methods
        differ only in *which* IDs share rows.

        Parameters
        ----------
        train : scipy.sparse matrix, shape (n_users, n_items)
            The training interactions (the frequency table counts degrees in it, GraphHash
            clusters it).
        embedding_dim : int, default=64
            Coordinates per vector.
        user_rows, item_rows : int, optional
            Rows of each side; required by the hashing methods, ignored by the full and
            collisionless tables and by GraphHash (its partition decides).
        partition : BipartitePartition, optional
            GraphHash's clustering (computed at ``resolution`` when missing).
        resolution : float, default=200.0
            Louvain resolution when GraphHash computes its partition.
        random_state : int, Generator or None
            The user table gets the seed ``s``, the item table ``s + 1``.

        Returns
        -------
        (EmbeddingTable, EmbeddingTable)
            The user table and the item table.

        Examples
        --------
        >>> import scipy.sparse as sp
        >>> from embedlab.tables import HashTable
        >>> u, i = HashTable.pair_for(sp.random(20, 30, density=0.2, format="csr", random_state=0),
        ...                           embedding_dim=4, user_rows=5, item_rows=7, random_state=0)
        >>> u.num_rows, i.num_rows
        (5, 7)
        """
        train = _check_train(train)
        seed = resolve_seed(random_state, "make_tables")
        return cls._build_pair(
            train,
            seed,
            embedding_dim=embedding_dim,
            user_rows=user_rows,
            item_rows=item_rows,
            partition=partition,
            resolution=resolution,
        )

    @classmethod
    def _need_rows(cls, user_rows: int | None, item_rows: int | None) -> tuple[int, int]:
        if user_rows is None or item_rows is None:
            raise InvalidInputError(f"Method {cls.name!r} needs user_rows and item_rows.")
        return user_rows, item_rows

    # -- shared ------------------------------------------------------------------------------
    def _new_weight(self, n_rows: int, dim: int, seed: int, std: float | None = None) -> Any:
        return _normal_weight(n_rows, dim, seed, self.init_std if std is None else std)

    def embed_rows(self, rows: Any) -> Any:
        """Sum of the rows' vectors (override for other combinations).

        Parameters
        ----------
        rows : int64 tensor or array, shape (n, probes)
            Rows as returned by :meth:`rows`.

        Returns
        -------
        torch.Tensor, float32, shape (n, embedding_dim)
            Differentiable with respect to the table's parameters.
        """
        rows = torch.as_tensor(rows)
        weight = cast(torch.Tensor, self.weight)  # a Parameter set by each subclass
        if rows.shape[1] == 1:
            return torch.nn.functional.embedding(rows[:, 0], weight)
        return torch.nn.functional.embedding(rows, weight).sum(dim=1)

    def forward(self, ids: Any) -> Any:
        """Embed ``ids`` (any shape): ``embed_rows(rows(ids))``, ``[*ids.shape, d]``."""
        shape = tuple(ids.shape) if hasattr(ids, "shape") else (len(ids),)
        flat = as_ids(ids)
        out = self.embed_rows(torch.from_numpy(self.rows(flat)))
        return out.reshape(*shape, self.embedding_dim)

    def lookup_bytes(self) -> int:
        """Bytes of the lookup structure kept beside the parameters (0 for pure hashing)."""
        return 0

    def parameter_bytes(self) -> int:
        """Bytes of the parameters (``num_rows * embedding_dim * 4`` for one-table methods)."""
        return sum(p.numel() * p.element_size() for p in self.parameters())

    def memory_bytes(self) -> int:
        """Parameter bytes plus lookup-structure bytes."""
        return self.parameter_bytes() + self.lookup_bytes()

    def describe(self) -> dict[str, Any]:
        """Summarise the method, rows, dimension and memory, for reports."""
        return {
            "method": self.name,
            "rows": self.num_rows,
            "embedding_dim": self.embedding_dim,
            "memory_bytes": self.memory_bytes(),
        }

    def extra_repr(self) -> str:
        """Rows and dimension, for ``repr``."""
        return f"rows={self.num_rows}, embedding_dim={self.embedding_dim}"
