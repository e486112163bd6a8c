"""Embeddings for many categorical fields at once: the input layer of a CTR model.

A :class:`FieldEmbedding` turns a batch of raw IDs ``X`` (int64 ``[B, F]``, one column per field,
IDs local to their field) into rows ``[B, F, P]`` of one weight matrix ``[rows, row_dim]``; the
model reads field ``f``'s vector as the concatenation of its ``P`` rows (``field_dim = P *
row_dim``). Rows live in one or more weight groups (one per field for per-field tables, one for a
multiplexed table); sparse training gathers the batch's unique rows of each group into a leaf
tensor (:meth:`FieldEmbedding.gather`), back-propagates into it and applies row-wise Adagrad
(:meth:`FieldEmbedding.adagrad_step`, its state beside the weights).

* :class:`CollisionlessFields`: Monolith's table (:class:`~embedlab.tables.collisionless.
  CollisionlessTable`), one per field; with ``occurrence_threshold=1`` and no expiry it is the
  full table.
* :class:`PerFieldHashing`: the hashing trick with one table per field (concatenated, with
  offsets), rows split across fields by :func:`split_rows` (the baseline of Unified Embedding).
* :class:`UnifiedEmbedding`: Coleman et al., "Unified Embedding: Battle-Tested Feature
  Representations for Web-Scale ML Systems" (NeurIPS 2023): *feature multiplexing*, one table for
  every field, each field told apart by its own hash functions ("salts"), and *multi-probe*: field
  ``f`` reads ``num_chunks`` rows of width ``d / num_chunks`` through independent hashes and
  concatenates them, so two IDs share their whole vector only if all chunks collide.
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from typing import Any, ClassVar, cast

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.tables._hash import UniversalHash
from embedlab.tables._torch import torch
from embedlab.tables.base import (
    PARAM_BYTES,
    _check_dim,
    _check_rows,
    _normal_weight,
    budget_bytes,
)
from embedlab.tables.collisionless import CollisionlessTable
from embedlab.utils.validation import resolve_seed

__all__ = [
    "CollisionlessFields",
    "FieldEmbedding",
    "PerFieldHashing",
    "UnifiedEmbedding",
    "split_rows",
]


def _check_X(X: Any, num_fields: int) -> np.ndarray:
    arr = np.asarray(X)
    if arr.ndim != 2 or arr.shape[1] != num_fields:
        raise InvalidInputError(
            f"X must be int64 [batch, {num_fields}] (one column per field), got shape {arr.shape}."
        )
    if arr.dtype.kind not in "iu":
        raise InvalidInputError(f"X must hold integer IDs, got dtype {arr.dtype}.")
    return np.ascontiguousarray(arr, dtype=np.int64)


def split_rows(total_rows: int, field_sizes: Any) -> np.ndarray:
    """Split ``total_rows`` across fields: one row each, the rest in proportion to vocabulary.

    No field gets more rows than its own size (water-filling, largest remainders); the sum is
    ``min(total_rows, sum(sizes))``.

    Parameters
    ----------
    total_rows : int
        Rows to split (at least one per field).
    field_sizes : array-like of int
        Vocabulary size of each field (>= 1).

    Returns
    -------
    ndarray of int64, shape (num_fields,)

    Examples
    --------
    >>> split_rows(10, [100, 2, 50]).tolist()
    [6, 1, 3]
    """
    sizes = np.asarray(field_sizes, dtype=np.int64)
    if sizes.ndim != 1 or len(sizes) == 0 or (sizes < 1).any():
        raise InvalidInputError("field_sizes must be a non-empty list of ints >= 1.")
    total = _check_rows(total_rows, "total_rows")
    if total < len(sizes):
        raise InvalidInputError(
            f"{total} rows cannot give each of {len(sizes)} fields a row of its own."
        )
    rows = np.ones(len(sizes), np.int64)  # every field one row, the rest by water-filling
    room = sizes - 1
    left = total - len(sizes)
    active = room > 0
    while left > 0 and active.any():
        idx = np.flatnonzero(active)
        share = sizes[idx] / sizes[idx].sum() * left
        over = share >= room[idx]
        if over.any():  # these fields fill up; share the rest among the others
            full = idx[over]
            rows[full] += room[full]
            left -= int(room[full].sum())
            room[full] = 0
            active[full] = False
            continue
        take = np.floor(share).astype(np.int64)
        rows[idx] += take
        rest = left - int(take.sum())  # the largest remainders get the leftover rows
        order = np.argsort(-(share - take), kind="stable")[:rest]
        rows[idx[order]] += 1
        left = 0
    return rows


class FieldEmbedding(torch.nn.Module, ABC):
    """Base class: weight groups ``[rows_g, row_dim]`` and ``field_rows(X) -> [B, F, probes]``.

    Field ``f`` reads rows of group ``field_group[f]``: one group for a multiplexed or
    concatenated table, one per field for per-field collisionless tables. Subclasses with a single
    ``weight`` only implement ``field_rows`` and :meth:`for_fields`.

    Parameters
    ----------
    num_fields : int
        Fields ``F`` (columns of ``X``).
    row_dim : int
        Coordinates per row.
    probes : int
        Rows per field (``field_dim = probes * row_dim``).

    Attributes
    ----------
    name : str
        The registry key (:data:`embedlab.registry.FIELD_TABLES`, the CLI's ``--table``).
    field_dim : int
        Coordinates of each field's vector.
    fixed_size : bool
        Whether the memory is set at construction (False: the table grows with the IDs).
    """

    name: ClassVar[str] = ""
    init_std: ClassVar[float] = 0.1
    fixed_size: ClassVar[bool] = True

    def __init__(self, num_fields: int, row_dim: int, probes: int) -> None:
        super().__init__()
        self.num_fields = _check_rows(num_fields, "num_fields")
        self.row_dim = _check_dim(row_dim)
        self.probes = _check_rows(probes, "probes")
        self.field_dim = self.row_dim * self.probes
        self._row_states: list[Any] = []

    # -- to implement ------------------------------------------------------------------------
    @abstractmethod
    def field_rows(self, X: Any, times: Any = None, *, train: bool = False) -> np.ndarray:
        """int64 ``[B, F, probes]`` rows of each field's group.

        Parameters
        ----------
        X : array-like of int, shape (B, F)
            Raw IDs, one column per field.
        times : array-like of int, optional
            Stream time of each row of ``X`` (collisionless tables stamp it).
        train : bool, default=False
            Whether the lookup may insert (collisionless tables count, admit and stamp);
            otherwise it is read-only.

        Returns
        -------
        ndarray of int64, shape (B, F, probes)
        """

    @classmethod
    @abstractmethod
    def for_fields(
        cls,
        field_sizes: Any,
        *,
        embedding_dim: int,
        memory_bytes: int | None = None,
        random_state: int | np.random.Generator | None = None,
    ) -> FieldEmbedding:
        """Build the embedding for fields of the given vocabulary sizes (one protocol for all).

        Subclasses add their own keyword options (``occurrence_threshold``, ``num_chunks``);
        callers such as :func:`embedlab.bench.stream.make_field_embedding` pass the options a
        subclass's signature names.

        Parameters
        ----------
        field_sizes : array-like of int
            Distinct IDs of each field.
        embedding_dim : int
            Coordinates of each field's vector.
        memory_bytes : int, optional
            The memory budget (required by fixed-size tables; a collisionless one grows).
        random_state : int, Generator or None
            Seed.

        Returns
        -------
        FieldEmbedding
        """

    @property
    def weight_groups(self) -> list[Any]:
        """The weight matrices, one per group."""
        return [self.weight]

    @property
    def field_group(self) -> np.ndarray:
        """int64 ``[F]``: the weight group each field reads."""
        return np.zeros(self.num_fields, np.int64)

    @property
    def state_groups(self) -> list[Any]:
        """Per-row Adagrad state, one tensor per weight group (created lazily, zero)."""
        ws = self.weight_groups
        if len(self._row_states) != len(ws) or any(
            s.shape != w.shape for s, w in zip(self._row_states, ws, strict=True)
        ):
            self._row_states = [torch.zeros_like(w.detach()) for w in ws]
        return self._row_states

    # -- shared ------------------------------------------------------------------------------
    @property
    def num_rows(self) -> int:
        """Rows over all weight groups."""
        return int(sum(w.shape[0] for w in self.weight_groups))

    def group_fields(self) -> list[tuple[int, np.ndarray]]:
        """``(group, fields)`` pairs: which fields read each weight group.

        Fixed at construction and computed once (every training step asks).
        """
        groups = getattr(self, "_groups", None)
        if groups is None:
            fg = self.field_group
            groups = [(int(g), np.flatnonzero(fg == g)) for g in np.unique(fg)]
            self._groups = groups
        return groups

    def vectors(self, rows: np.ndarray, leaves: list[Any] | None = None) -> Any:
        """Field vectors ``[B, F, field_dim]`` of ``rows`` ``[B, F, probes]``.

        From the weights, or, with ``leaves`` (one ``(unique_rows, inverse, leaf)`` per group as
        made by :meth:`gather`), from the gathered leaf tensors so gradients land there.
        """
        B = rows.shape[0]
        parts: list[Any] = [None] * self.num_fields
        for i, (g, fields) in enumerate(self.group_fields()):
            if leaves is None:
                v = torch.nn.functional.embedding(
                    torch.from_numpy(np.ascontiguousarray(rows[:, fields])),
                    self.weight_groups[g],
                )
            else:
                _, inv, leaf = leaves[i]
                v = leaf[inv]
            for j, f in enumerate(fields):
                parts[f] = v[:, j]
        return torch.stack(parts, dim=1).reshape(B, self.num_fields, self.field_dim)

    def gather(self, rows: np.ndarray) -> list[tuple[Any, Any, Any]]:
        """Leaf copies of the rows a batch reads, for sparse training.

        Parameters
        ----------
        rows : ndarray of int64, shape (B, F, probes)
            From :meth:`field_rows`.

        Returns
        -------
        list of (Tensor, Tensor, Tensor)
            Per group: the unique rows, the inverse map (``rows[:, fields]``'s shape) and a leaf
            copy of their vectors with ``requires_grad``.
        """
        out = []
        for g, fields in self.group_fields():
            r = rows[:, fields]
            uniq, inv = np.unique(r, return_inverse=True)
            uniq_t = torch.from_numpy(uniq)
            leaf = self.weight_groups[g].detach()[uniq_t].clone().requires_grad_(True)
            out.append((uniq_t, torch.from_numpy(inv.reshape(r.shape)), leaf))
        return out

    def forward(self, X: Any) -> Any:
        """Field vectors ``[B, F, field_dim]`` (read-only lookup)."""
        return self.vectors(self.field_rows(X))

    def expire(self, now: int) -> int:
        """Evict inactive IDs (collisionless only); returns how many left."""
        return 0

    @property
    def evictions(self) -> int:
        """IDs evicted so far (collisionless only)."""
        return 0

    def lookup_bytes(self) -> int:
        """Bytes of the ID -> row maps (collisionless only)."""
        return 0

    def memory_bytes(self) -> int:
        """Parameter bytes (allocated rows) plus lookup structure; optimizer state excluded."""
        params = sum(int(w.numel() * w.element_size()) for w in self.weight_groups)
        return params + self.lookup_bytes()

    @property
    def peak_memory_bytes(self) -> int:
        """The largest ``memory_bytes()`` reached (a fixed-size table's memory)."""
        return self.memory_bytes()

    @torch.no_grad()
    def adagrad_step(self, group: int, rows: Any, grad: Any, lr: float, eps: float = 1e-10) -> None:
        """Row-wise Adagrad on the unique ``rows`` of weight group ``group`` (Duchi et al., 2011).

        ``G += g^2``, ``w -= lr * g / (sqrt(G) + eps)``.
        """
        state = self.state_groups[group]
        g2 = state[rows] + grad * grad
        state[rows] = g2
        self.weight_groups[group].data[rows] -= lr * grad / (g2.sqrt() + eps)

    @torch.no_grad()
    def push_rows(self, serving: FieldEmbedding, rows: list[Any]) -> None:
        """Copy each group's ``rows`` (and any ID -> row map) to ``serving``, a copy of this."""
        for g, r in enumerate(rows):
            serving.weight_groups[g].data[r] = self.weight_groups[g].data[r]

    def describe(self) -> dict[str, Any]:
        """Summarise the method, rows, row width, probes and memory, for reports."""
        return {
            "method": self.name,
            "rows": self.num_rows,
            "row_dim": self.row_dim,
            "probes": self.probes,
            "memory_bytes": self.memory_bytes(),
        }

    # -- snapshots ---------------------------------------------------------------------------
    def state_arrays(self) -> dict[str, np.ndarray]:
        """Weights and Adagrad state of every group, by name (copies; for snapshots)."""
        out = {}
        for g, (w, st) in enumerate(zip(self.weight_groups, self.state_groups, strict=True)):
            out[f"weight{g}"] = w.detach().numpy().copy()
            out[f"row_state{g}"] = st.numpy().copy()
        return out

    def load_state_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`state_arrays` returned (the inverse)."""
        states = []
        with torch.no_grad():
            for g, w in enumerate(self.weight_groups):
                w.data.copy_(torch.from_numpy(np.array(arrays[f"weight{g}"])))
                states.append(torch.from_numpy(np.array(arrays[f"row_state{g}"])))
        self._row_states = states


class CollisionlessFields(FieldEmbedding):
    """Monolith's layout: one collisionless table per field, so IDs of different fields never meet.

    Each field has its own :class:`~embedlab.tables.collisionless.CollisionlessTable` (map, rows,
    threshold and expiry); field ``f``'s table is seeded ``(seed + 7919 f) mod 2^63``.

    Parameters
    ----------
    num_fields : int
        Fields ``F``.
    embedding_dim : int
        Coordinates per vector.
    occurrence_threshold : int or list of int, default=1
        One value for all fields or one per field.
    expire_after : int, list or None, default=None
        One value for all fields or one per field (None: never expire).
    initial_capacity : int, default=1024
        Rows allocated up front per field.
    random_state : int, Generator or None
        Seed.

    Attributes
    ----------
    tables : torch.nn.ModuleList
        The per-field tables.
    seed_ : int
        The seed used.

    Examples
    --------
    >>> e = CollisionlessFields(num_fields=2, embedding_dim=4, random_state=0)
    >>> e.field_rows(np.array([[5, 5], [6, 5]]), train=True)[:, :, 0].tolist()
    [[1, 1], [2, 1]]
    """

    name = "collisionless"
    fixed_size = False

    def __init__(
        self,
        *,
        num_fields: int,
        embedding_dim: int,
        occurrence_threshold: int | list[int] = 1,
        expire_after: int | list[int | None] | None = None,
        initial_capacity: int = 1024,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(num_fields, embedding_dim, 1)
        thr = _per_field(occurrence_threshold, self.num_fields, "occurrence_threshold")
        exp = _per_field(expire_after, self.num_fields, "expire_after")
        seed = resolve_seed(random_state, "CollisionlessFields")
        self.seed_ = seed
        self.tables = torch.nn.ModuleList(
            CollisionlessTable(
                embedding_dim=embedding_dim,
                occurrence_threshold=thr[f],
                expire_after=exp[f],
                initial_capacity=initial_capacity,
                random_state=(seed + 7919 * f) % 2**63,
            )
            for f in range(self.num_fields)
        )

    @classmethod
    def for_fields(
        cls,
        field_sizes: Any,
        *,
        embedding_dim: int,
        memory_bytes: int | None = None,
        random_state: int | np.random.Generator | None = None,
        occurrence_threshold: int = 1,
        expire_after: int | None = None,
    ) -> CollisionlessFields:
        """One collisionless table per field, starting small (it grows; ``memory_bytes`` unused).

        Parameters
        ----------
        field_sizes : array-like of int
            Distinct IDs of each field (only their number is used).
        embedding_dim, random_state, occurrence_threshold, expire_after
            As in the constructor.
        memory_bytes : int, optional
            Ignored: the table holds exactly the live IDs.

        Returns
        -------
        CollisionlessFields

        Examples
        --------
        >>> CollisionlessFields.for_fields([10, 3], embedding_dim=4, random_state=0).num_fields
        2
        """
        return cls(
            num_fields=len(np.asarray(field_sizes).reshape(-1)),
            embedding_dim=embedding_dim,
            occurrence_threshold=occurrence_threshold,
            expire_after=expire_after,
            initial_capacity=16,
            random_state=random_state,
        )

    @property
    def table_list(self) -> list[CollisionlessTable]:
        """The per-field tables, typed."""
        return [cast(CollisionlessTable, t) for t in self.tables]

    @property
    def weight_groups(self) -> list[Any]:
        """One weight matrix per field."""
        return [t.weight for t in self.table_list]

    @property
    def state_groups(self) -> list[Any]:
        """Each table's own Adagrad state (recycled rows are zeroed)."""
        return [t.row_state for t in self.table_list]

    @property
    def field_group(self) -> np.ndarray:
        """Field ``f`` reads group ``f``."""
        return np.arange(self.num_fields, dtype=np.int64)

    @property
    def expire_after(self) -> int | None:
        """The shortest expiry over the fields (None when no field expires)."""
        vals = [t.expire_after for t in self.table_list if t.expire_after is not None]
        return min(vals) if vals else None

    def field_rows(self, X: Any, times: Any = None, *, train: bool = False) -> np.ndarray:
        """Each field's rows in its own table (``train=True`` observes, else read-only)."""
        x = _check_X(X, self.num_fields)
        out = np.empty((x.shape[0], self.num_fields, 1), np.int64)
        for f, table in enumerate(self.table_list):
            if train:
                out[:, f] = table.observe(x[:, f], 0 if times is None else times)
            else:
                out[:, f] = table.rows(x[:, f])
        return out

    def expire(self, now: int) -> int:
        """Evict every field's inactive IDs; returns how many left."""
        return sum(t.expire(now) for t in self.table_list)

    @property
    def evictions(self) -> int:
        """IDs evicted so far, over the fields."""
        return sum(t.evictions_ for t in self.table_list)

    @property
    def peak_memory_bytes(self) -> int:
        """Sum of the tables' peak memory."""
        return sum(t.peak_memory_bytes_ for t in self.table_list)

    def lookup_bytes(self) -> int:
        """Bytes of the per-field maps."""
        return sum(t.lookup_bytes() for t in self.table_list)

    @torch.no_grad()
    def push_rows(self, serving: FieldEmbedding, rows: list[Any]) -> None:
        """Copy each field's map and its touched ``rows`` to ``serving``."""
        if not isinstance(serving, CollisionlessFields):
            raise InvalidInputError("A collisionless table syncs only to a collisionless copy.")
        for f, (src, dst) in enumerate(zip(self.table_list, serving.table_list, strict=True)):
            dst.copy_index_from(src)
            dst.weight.data[rows[f]] = src.weight.data[rows[f]]

    def state_arrays(self) -> dict[str, np.ndarray]:
        """Every table's state, keys prefixed by the field (``"0/weight"``)."""
        return {
            f"{f}/{k}": np.array(v, copy=True)
            for f, t in enumerate(self.table_list)
            for k, v in t.state_arrays().items()
        }

    def load_state_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        """Rebuild the tables from :meth:`state_arrays`."""
        self.tables = torch.nn.ModuleList(
            CollisionlessTable.from_state_arrays(
                {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith(f"{f}/")}
            )
            for f in range(self.num_fields)
        )

    def describe(self) -> dict[str, Any]:
        """As :meth:`FieldEmbedding.describe`, plus live IDs and evictions."""
        d = super().describe()
        d.update(live=sum(t.num_live for t in self.table_list), evictions=self.evictions)
        return d


def _per_field(value: Any, num_fields: int, name: str) -> list[Any]:
    if isinstance(value, (list, tuple)):
        if len(value) != num_fields:
            raise InvalidInputError(f"{name} needs one value per field ({num_fields}).")
        return list(value)
    return [value] * num_fields


class PerFieldHashing(FieldEmbedding):
    """The hashing trick per field, the tables stored end to end in one weight matrix.

    Field ``f`` hashes onto its own ``rows_per_field[f]`` rows with one universal hash:
    ``e_f(x) = E[o_f + h_f(x)]``, ``o_f`` the field's offset. Memory: ``sum(rows) * d * 4``.

    Parameters
    ----------
    rows_per_field : array-like of int
        Rows of each field (>= 1).
    embedding_dim : int
        Coordinates per vector.
    random_state : int, Generator or None
        Seed of the hashes and of the initialisation.

    Attributes
    ----------
    offsets_ : ndarray of int64
        First row of each field.
    hashes_ : list of UniversalHash
        One hash per field.
    seed_ : int
        The seed used.

    Examples
    --------
    >>> e = PerFieldHashing(rows_per_field=[3, 5], embedding_dim=4, random_state=0)
    >>> e(np.array([[1, 2]])).shape, e.num_rows
    (torch.Size([1, 2, 4]), 8)
    """

    name = "hash"

    def __init__(
        self,
        *,
        rows_per_field: Any,
        embedding_dim: int,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        sizes = np.asarray(rows_per_field, dtype=np.int64)
        if sizes.ndim != 1 or len(sizes) == 0 or (sizes < 1).any():
            raise InvalidInputError("rows_per_field must be a non-empty list of ints >= 1.")
        super().__init__(len(sizes), embedding_dim, 1)
        self.rows_per_field = sizes
        self.offsets_ = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
        self.seed_ = resolve_seed(random_state, "PerFieldHashing")
        rng = np.random.default_rng(self.seed_)
        self.hashes_ = [UniversalHash(int(m), rng) for m in sizes]
        self.weight = _normal_weight(int(sizes.sum()), self.row_dim, self.seed_, self.init_std)

    @classmethod
    def from_budget(
        cls,
        *,
        field_sizes: Any,
        embedding_dim: int,
        memory_bytes: int | None = None,
        memory_fraction: float | None = None,
        **kwargs: Any,
    ) -> PerFieldHashing:
        """Build the table with the most rows within the budget.

        The rows are split across fields by :func:`split_rows`.

        Parameters
        ----------
        field_sizes : array-like of int
            Distinct IDs of each field; their sum is the full table a fraction refers to.
        embedding_dim : int
            Coordinates per vector.
        memory_bytes : int, optional
            The budget in bytes.
        memory_fraction : float, optional
            The budget as a fraction in ``(0, 1]`` of ``sum(field_sizes) * embedding_dim * 4``
            bytes (exactly one of the two).
        **kwargs
            Passed to the constructor (``random_state``).

        Returns
        -------
        PerFieldHashing

        Examples
        --------
        >>> PerFieldHashing.from_budget(field_sizes=[100, 2], embedding_dim=4,
        ...                             memory_fraction=0.5).rows_per_field.tolist()
        [49, 2]
        """
        sizes = np.asarray(field_sizes, dtype=np.int64)
        total = budget_bytes(
            int(sizes.sum()),
            embedding_dim,
            memory_bytes=memory_bytes,
            memory_fraction=memory_fraction,
        ) // (embedding_dim * PARAM_BYTES)
        return cls(
            rows_per_field=split_rows(total, field_sizes), embedding_dim=embedding_dim, **kwargs
        )

    @classmethod
    def for_fields(
        cls,
        field_sizes: Any,
        *,
        embedding_dim: int,
        memory_bytes: int | None = None,
        random_state: int | np.random.Generator | None = None,
    ) -> PerFieldHashing:
        """:meth:`from_budget` with ``memory_bytes`` (required), rows split by vocabulary.

        Parameters
        ----------
        field_sizes, embedding_dim, memory_bytes, random_state
            As in :meth:`from_budget`.

        Returns
        -------
        PerFieldHashing

        Examples
        --------
        >>> PerFieldHashing.for_fields([10, 3], embedding_dim=4, memory_bytes=160).num_rows
        10
        """
        if memory_bytes is None:
            raise InvalidInputError(f"The {cls.name} table needs a memory budget (memory_bytes).")
        return cls.from_budget(
            field_sizes=field_sizes,
            embedding_dim=embedding_dim,
            memory_bytes=memory_bytes,
            random_state=random_state,
        )

    def field_rows(self, X: Any, times: Any = None, *, train: bool = False) -> np.ndarray:
        """``[B, F, 1]``: ``o_f + h_f(x)`` for each field (read-only)."""
        x = _check_X(X, self.num_fields)
        cols = [self.offsets_[f] + self.hashes_[f](x[:, f]) for f in range(self.num_fields)]
        return np.stack(cols, axis=1)[:, :, None]


class UnifiedEmbedding(FieldEmbedding):
    """Feature multiplexing with multi-probe chunks (Coleman et al., NeurIPS 2023).

    Field ``f`` reads rows ``h_{f,j}(id)``, ``j = 0..num_chunks-1``, of the one shared table
    ``[num_rows, embedding_dim / num_chunks]``, each ``h_{f,j}`` an independently drawn universal
    hash (the per-field salt), and concatenates them into an ``embedding_dim`` vector. Memory:
    ``num_rows * (embedding_dim / num_chunks) * 4`` bytes, no lookup structure.

    Parameters
    ----------
    num_rows : int
        Rows of the shared table.
    embedding_dim : int
        Coordinates of each field's vector (a multiple of ``num_chunks``).
    num_fields : int
        Fields ``F``.
    num_chunks : int, default=1
        Probes per field.
    random_state : int, Generator or None
        Seed of the hashes and of the initialisation.

    Attributes
    ----------
    hashes_ : list of list of UniversalHash
        ``hashes_[f][j]``, drawn field by field, chunk by chunk.
    seed_ : int
        The seed used.

    Examples
    --------
    >>> ue = UnifiedEmbedding(num_rows=50, embedding_dim=8, num_fields=3, num_chunks=2,
    ...                       random_state=0)
    >>> ue(np.array([[1, 1, 1], [2, 5, 9]])).shape
    torch.Size([2, 3, 8])
    """

    name = "unified"

    def __init__(
        self,
        *,
        num_rows: int,
        embedding_dim: int,
        num_fields: int,
        num_chunks: int = 1,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        dim = _check_dim(embedding_dim)
        chunks = _check_rows(num_chunks, "num_chunks")
        if isinstance(num_chunks, numbers.Integral) and dim % chunks:
            raise InvalidInputError(
                f"embedding_dim ({dim}) must be a multiple of num_chunks ({chunks})."
            )
        super().__init__(num_fields, dim // chunks, chunks)
        self._m = _check_rows(num_rows)
        self.num_chunks = chunks
        self.seed_ = resolve_seed(random_state, "UnifiedEmbedding")
        rng = np.random.default_rng(self.seed_)
        self.hashes_ = [
            [UniversalHash(self._m, rng) for _ in range(chunks)] for _ in range(self.num_fields)
        ]
        self.weight = _normal_weight(self._m, self.row_dim, self.seed_, self.init_std)

    @classmethod
    def from_budget(
        cls,
        *,
        embedding_dim: int,
        memory_bytes: int | None = None,
        memory_fraction: float | None = None,
        num_ids: int | None = None,
        num_chunks: int = 1,
        **kwargs: Any,
    ) -> UnifiedEmbedding:
        """Build the table with the most rows of width ``embedding_dim / num_chunks`` in the budget.

        Parameters
        ----------
        embedding_dim : int
            Coordinates of each field's vector.
        memory_bytes : int, optional
            The budget in bytes.
        memory_fraction : float, optional
            The budget as a fraction in ``(0, 1]`` of a full table over ``num_ids`` IDs
            (``num_ids * embedding_dim * 4`` bytes); exactly one of the two.
        num_ids : int, optional
            Distinct IDs over all fields (required with ``memory_fraction``).
        num_chunks : int, default=1
            Probes per field.
        **kwargs
            Passed to the constructor (``num_fields``, ``random_state``).

        Returns
        -------
        UnifiedEmbedding

        Examples
        --------
        >>> UnifiedEmbedding.from_budget(embedding_dim=8, memory_bytes=800, num_chunks=2,
        ...                              num_fields=3).num_rows
        50
        """
        row_dim = _check_dim(embedding_dim) // _check_rows(num_chunks, "num_chunks")
        if memory_fraction is not None and num_ids is None:
            raise InvalidInputError(
                "memory_fraction needs num_ids (distinct IDs over all fields) to know the full "
                "table; or give memory_bytes."
            )
        total = budget_bytes(
            0 if num_ids is None else _check_rows(num_ids, "num_ids"),
            embedding_dim,
            memory_bytes=memory_bytes,
            memory_fraction=memory_fraction,
        )
        rows = total // (max(row_dim, 1) * PARAM_BYTES)
        if rows < 1:
            raise InvalidInputError(f"{total} bytes leave no room for one row.")
        return cls(num_rows=rows, embedding_dim=embedding_dim, num_chunks=num_chunks, **kwargs)

    @classmethod
    def for_fields(
        cls,
        field_sizes: Any,
        *,
        embedding_dim: int,
        memory_bytes: int | None = None,
        random_state: int | np.random.Generator | None = None,
        num_chunks: int = 4,
    ) -> UnifiedEmbedding:
        """:meth:`from_budget` with ``memory_bytes`` (required) for ``len(field_sizes)`` fields.

        Parameters
        ----------
        field_sizes : array-like of int
            Distinct IDs of each field (only their number is used).
        embedding_dim, memory_bytes, random_state, num_chunks
            As in :meth:`from_budget`.

        Returns
        -------
        UnifiedEmbedding

        Examples
        --------
        >>> UnifiedEmbedding.for_fields([10, 3], embedding_dim=8, memory_bytes=800).num_rows
        100
        """
        if memory_bytes is None:
            raise InvalidInputError(f"The {cls.name} table needs a memory budget (memory_bytes).")
        return cls.from_budget(
            memory_bytes=memory_bytes,
            embedding_dim=embedding_dim,
            num_chunks=num_chunks,
            num_fields=len(np.asarray(field_sizes).reshape(-1)),
            random_state=random_state,
        )

    def field_rows(self, X: Any, times: Any = None, *, train: bool = False) -> np.ndarray:
        """``[B, F, num_chunks]``: ``h_{f,j}(x)`` for each field and chunk (read-only)."""
        x = _check_X(X, self.num_fields)
        out = np.empty((x.shape[0], self.num_fields, self.num_chunks), np.int64)
        for f in range(self.num_fields):
            for j, h in enumerate(self.hashes_[f]):
                out[:, f, j] = h(x[:, f])
        return out
