"""The table, field-embedding and CTR-model contracts (DESIGN.md section 2), as executable checks.

Each check takes a registry name (of :data:`embedlab.registry.TABLES`, ``FIELD_TABLES`` or
``CTR_MODELS``), or the class itself, builds small instances on a planted users x items graph
and raises ``AssertionError`` naming what is broken. ``table_checks()``,
``field_embedding_checks()`` and ``ctr_model_checks()`` yield them, for
``pytest.mark.parametrize``; ``check_table`` / ``check_field_embedding`` / ``check_ctr_model``
run them all.

The table contract: ``forward(ids)`` is float32 ``[*ids.shape, d]`` and equals
``embed_rows(rows(ids))``; the same ID reads the same vector; the same seed gives the same bytes;
``rows(ids)`` lies in ``[0, num_rows)``; ``memory_bytes() = num_rows * d * 4 + lookup_bytes()``;
``from_budget`` (where defined) stays within its budget in both spellings and refuses both at
once; float IDs, IDs beyond int64, and (for tables that map a fixed vocabulary) unknown IDs raise
:class:`~embedlab.exceptions.InvalidInputError` with a pinned message.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError

__all__ = [
    "check_ctr_model",
    "check_field_embedding",
    "check_table",
    "ctr_model_checks",
    "field_embedding_checks",
    "table_checks",
]

D = 8
N_USERS, N_ITEMS = 40, 30
FIELD_SIZES = np.array([50, 20, 5])


def _torch() -> Any:
    import torch

    return torch


def _cls(registry: Any, spec: str | type) -> Any:
    return registry.get(spec) if isinstance(spec, str) else spec


def _table_cls(spec: str | type) -> Any:
    from embedlab.registry import TABLES

    return _cls(TABLES, spec)


def _train() -> Any:
    """Build a planted 3-block users x items graph (every user and item has an interaction)."""
    import scipy.sparse as sp

    rng = np.random.default_rng(7)
    gu, gi = np.arange(N_USERS) % 3, np.arange(N_ITEMS) % 3
    m = rng.random((N_USERS, N_ITEMS)) < np.where(gu[:, None] == gi[None, :], 0.4, 0.03)
    m[np.arange(N_USERS), np.arange(N_USERS) % N_ITEMS] = True
    return sp.csr_matrix(m.astype(np.float32))


def _pair(spec: str | type, seed: int = 0) -> tuple[Any, Any]:
    return _table_cls(spec).pair_for(
        _train(),
        embedding_dim=D,
        user_rows=14,
        item_rows=12,
        resolution=1.0,
        random_state=seed,
    )


def _ids(n: int) -> np.ndarray:
    return np.array([0, 3, n - 1, 3, 7, 0], dtype=np.int64)


def _check_name(registry: Any, spec: str | type, cls: Any) -> None:
    """Check that a name maps to a class carrying it.

    A class must carry a registered name of its family.
    """
    if isinstance(spec, str):
        if cls.name != spec:
            raise AssertionError(f"{cls.__name__}.name is {cls.name!r}, registered as {spec!r}")
    elif cls.name not in registry or not issubclass(cls, registry.get(cls.name)):
        raise AssertionError(f"{cls.__name__}.name {cls.name!r} is not its registered name")


def _accepts_any_id(table: Any) -> bool:
    return bool(getattr(table, "accepts_any_id", True))  # False: a fixed vocabulary


# ----------------------------------------------------------------------------------- tables
def check_table_name(spec: str | type) -> None:
    """Check that the class's ``name`` is its registry key."""
    from embedlab.registry import TABLES

    _check_name(TABLES, spec, _table_cls(spec))


def check_table_vectors(spec: str | type) -> None:
    """``forward`` gives float32 ``[*shape, d]`` equal to ``embed_rows(rows(ids))``."""
    torch = _torch()
    for table, n in zip(_pair(spec), (N_USERS, N_ITEMS), strict=True):
        ids = _ids(n)
        out = table(ids.reshape(2, 3))
        if tuple(out.shape) != (2, 3, table.embedding_dim) or out.dtype != torch.float32:
            raise AssertionError(
                f"{type(table).__name__}: ids [2, 3] gave {out.dtype} {tuple(out.shape)}, "
                f"expected float32 (2, 3, {table.embedding_dim})"
            )
        ref = table.embed_rows(torch.from_numpy(table.rows(ids)))
        if not torch.equal(out.reshape(6, -1), ref) or not torch.isfinite(out).all():
            raise AssertionError(f"{type(table).__name__}: forward != embed_rows(rows(ids))")


def check_table_same_id_same_vector(spec: str | type) -> None:
    """Repeated IDs read identical rows and vectors, within one call and across calls."""
    torch = _torch()
    table = _pair(spec)[0]
    ids = _ids(N_USERS)  # 0 and 3 repeat
    out = table(ids)
    rows = table.rows(ids)
    same = (rows[0] == rows[5]).all() and (rows[1] == rows[3]).all()
    if not (same and torch.equal(out[0], out[5]) and torch.equal(out[1], out[3])):
        raise AssertionError(f"{type(table).__name__}: the same ID read different vectors")
    if not torch.equal(table(ids[:2]), out[:2]):
        raise AssertionError(f"{type(table).__name__}: a second lookup gave other vectors")


def _table_bytes(table: Any) -> bytes:
    parts = [table.rows(np.arange(N_USERS)).tobytes()]
    parts += [p.detach().numpy().tobytes() for p in table.parameters()]
    return b"".join(parts)


def check_table_same_seed_same_bytes(spec: str | type) -> None:
    """Check that the same seed gives the same rows and parameters, byte for byte.

    Another seed must give different ones.
    """
    a, b, c = _pair(spec, 3)[0], _pair(spec, 3)[0], _pair(spec, 4)[0]
    if _table_bytes(a) != _table_bytes(b):
        raise AssertionError(f"{type(a).__name__}: the same seed gave different bytes")
    if _table_bytes(a) == _table_bytes(c):
        raise AssertionError(f"{type(a).__name__}: seeds 3 and 4 gave the same bytes")


def check_table_rows_in_range(spec: str | type) -> None:
    """``rows(ids)`` is int64 ``[n, probes]`` in ``[0, num_rows)``, for any ID the table takes."""
    for table, n in zip(_pair(spec), (N_USERS, N_ITEMS), strict=True):
        ids = np.arange(n, dtype=np.int64)
        if _accepts_any_id(table):
            rng = np.random.default_rng(0)
            big = rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, 200, np.int64)
            ids = np.concatenate([ids, big, [-1, np.iinfo(np.int64).max]])
        rows = table.rows(ids)
        if rows.dtype != np.int64 or rows.ndim != 2 or rows.shape[0] != len(ids):
            raise AssertionError(
                f"{type(table).__name__}: rows gave {rows.dtype} {rows.shape} for {len(ids)} IDs"
            )
        if rows.min() < 0 or rows.max() >= table.num_rows:
            raise AssertionError(
                f"{type(table).__name__}: rows in [{rows.min()}, {rows.max()}], outside "
                f"[0, num_rows={table.num_rows})"
            )


def check_table_memory_bytes(spec: str | type) -> None:
    """``memory_bytes() = num_rows * embedding_dim * 4 + lookup_bytes()``, the parameters'."""
    for table in _pair(spec):
        params = sum(p.numel() * p.element_size() for p in table.parameters())
        expected = table.num_rows * table.embedding_dim * 4 + table.lookup_bytes()
        if params != table.num_rows * table.embedding_dim * 4:
            raise AssertionError(
                f"{type(table).__name__}: {params} parameter bytes for {table.num_rows} rows of "
                f"dimension {table.embedding_dim}"
            )
        if table.memory_bytes() != expected:
            raise AssertionError(
                f"{type(table).__name__}: memory_bytes() = {table.memory_bytes()}, expected "
                f"num_rows * d * 4 + lookup_bytes() = {expected}"
            )
        if table.lookup_bytes() < 0 or table.describe()["memory_bytes"] != expected:
            raise AssertionError(f"{type(table).__name__}: describe() disagrees on memory")


def _from_budget(cls: Any, **mem: Any) -> tuple[list[Any], int]:
    """Tables built by ``cls.from_budget`` and the number of IDs the budget refers to."""
    train = _train()
    d = 4 * D
    params = inspect.signature(cls.from_budget).parameters
    if "biadjacency" in params:
        return list(cls.from_budget(train, embedding_dim=d, random_state=0, **mem)), sum(
            train.shape
        )
    if "counts" in params:
        counts = np.diff(train.indptr)
        t = cls.from_budget(
            ids=np.arange(N_USERS), counts=counts, embedding_dim=d, random_state=0, **mem
        )
        return [t], N_USERS
    return [cls.from_budget(num_ids=N_USERS, embedding_dim=d, random_state=0, **mem)], N_USERS


def check_table_from_budget(spec: str | type) -> None:
    """``from_budget`` (where defined) stays within the budget, in bytes and as a fraction."""
    from embedlab.tables.base import budget_bytes

    cls = _table_cls(spec)
    if not hasattr(cls, "from_budget"):
        return  # sized by its data (full) or by what it admits (collisionless)
    for mem in ({"memory_fraction": 0.6}, {"memory_bytes": 3000}):
        tables, n = _from_budget(cls, **mem)
        used = sum(t.memory_bytes() for t in tables)
        limit = budget_bytes(n, 4 * D, **mem)
        if used > limit:
            raise AssertionError(f"{cls.__name__}.from_budget({mem}) uses {used} > {limit} bytes")
    try:
        _from_budget(cls, memory_bytes=3000, memory_fraction=0.6)
    except InvalidInputError as exc:
        if "Give exactly one of memory_bytes" not in str(exc):
            raise AssertionError(f"{cls.__name__}.from_budget: unexpected error {exc}") from None
    else:
        raise AssertionError(f"{cls.__name__}.from_budget took both memory_bytes and a fraction")


def _run(checks: Iterator[Callable[[str | type], None]], spec: str | type) -> None:
    """Run ``checks``; any failure becomes an ``AssertionError`` naming the check."""
    for check in checks:
        try:
            check(spec)
        except Exception as exc:  # a crash is a failed check too
            raise AssertionError(f"{check.__name__}({spec!r}): {exc}") from exc


def _raises(fn: Callable[[], Any], pattern: str, what: str) -> None:
    import re

    try:
        fn()
    except InvalidInputError as exc:
        if not re.search(pattern, str(exc)):
            raise AssertionError(
                f"{what}: message {str(exc)!r} does not match {pattern!r}"
            ) from None
        return
    raise AssertionError(f"{what}: no InvalidInputError")


def check_table_bad_ids(spec: str | type) -> None:
    """Float IDs, IDs beyond int64 and (vocabulary tables) unknown IDs raise a pinned error."""
    table = _pair(spec)[0]
    name = type(table).__name__
    _raises(
        lambda: table(np.array([1.5])),
        r"^ids must be integers \(int64 IDs\), got dtype float64\.$",
        f"{name} on float IDs",
    )
    _raises(
        lambda: table.rows(np.array([2**63], dtype=np.uint64)),
        r"^ids must fit in int64\.$",
        f"{name} on an ID beyond int64",
    )
    if not _accepts_any_id(table):
        for bad in (-1, N_USERS):
            _raises(
                functools.partial(table.rows, [0, bad]),
                rf"^{name} has no row for ID {bad} \(1 unknown IDs\)",
                f"{name} on the unknown ID {bad}",
            )


def table_checks() -> Iterator[Callable[[str | type], None]]:
    """Every table contract check, in order."""
    yield check_table_name
    yield check_table_vectors
    yield check_table_same_id_same_vector
    yield check_table_same_seed_same_bytes
    yield check_table_rows_in_range
    yield check_table_memory_bytes
    yield check_table_from_budget
    yield check_table_bad_ids


def check_table(spec: str | type) -> None:
    """Run every table check on ``spec`` (a ``TABLES`` name or a class)."""
    _run(table_checks(), spec)


# ----------------------------------------------------------------------------------- fields
def _field_cls(spec: str | type) -> Any:
    from embedlab.registry import FIELD_TABLES

    return _cls(FIELD_TABLES, spec)


def _fields(spec: str | type, seed: int = 0) -> Any:
    return _field_cls(spec).for_fields(
        FIELD_SIZES, embedding_dim=D, memory_bytes=40 * D * 4, random_state=seed
    )


def _X() -> np.ndarray:
    rng = np.random.default_rng(1)
    return np.stack([rng.integers(0, s, 64) for s in FIELD_SIZES], axis=1).astype(np.int64)


def check_field_name(spec: str | type) -> None:
    """Check that the class's ``name`` is its registry key."""
    from embedlab.registry import FIELD_TABLES

    _check_name(FIELD_TABLES, spec, _field_cls(spec))


def check_field_vectors(spec: str | type) -> None:
    """Float32 ``[B, F, field_dim]``; rows within each group; gathered leaves give the same."""
    torch = _torch()
    emb = _fields(spec)
    X = _X()
    rows = emb.field_rows(X, train=True)
    name = type(emb).__name__
    if rows.shape != (len(X), len(FIELD_SIZES), emb.probes) or rows.dtype != np.int64:
        raise AssertionError(f"{name}: field_rows gave {rows.dtype} {rows.shape}")
    for g, fields in emb.group_fields():
        n = int(emb.weight_groups[g].shape[0])
        r = rows[:, fields]
        if r.min() < 0 or r.max() >= n:
            raise AssertionError(f"{name}: rows of group {g} outside [0, {n})")
    out = emb(X)
    if tuple(out.shape) != (len(X), len(FIELD_SIZES), emb.field_dim) or out.dtype != torch.float32:
        raise AssertionError(f"{name}: forward gave {out.dtype} {tuple(out.shape)}")
    leaves = emb.gather(rows)
    if not torch.equal(emb.vectors(rows, leaves), out):
        raise AssertionError(f"{name}: gathered leaves disagree with the weights")
    emb.vectors(rows, leaves).pow(2).sum().backward()
    if any(leaf.grad is None or not leaf.grad.abs().sum() > 0 for _, _, leaf in leaves):
        raise AssertionError(f"{name}: no gradient reaches the gathered rows")


def check_field_same_seed_same_bytes(spec: str | type) -> None:
    """Check that the same seed and the same lookups give the same state, byte for byte."""
    states = []
    for seed in (0, 0, 1):
        emb = _fields(spec, seed)
        emb.field_rows(_X(), train=True)
        states.append({k: np.asarray(v).tobytes() for k, v in emb.state_arrays().items()})
    if states[0] != states[1]:
        raise AssertionError(f"{_field_cls(spec).__name__}: the same seed gave different bytes")
    if states[0] == states[2]:
        raise AssertionError(f"{_field_cls(spec).__name__}: seeds 0 and 1 gave the same bytes")


def check_field_memory_bytes(spec: str | type) -> None:
    """``memory_bytes()`` is the weights' bytes plus ``lookup_bytes()``, within a given budget."""
    emb = _fields(spec)
    emb.field_rows(_X(), train=True)
    weights = sum(int(w.numel() * w.element_size()) for w in emb.weight_groups)
    if emb.memory_bytes() != weights + emb.lookup_bytes():
        raise AssertionError(f"{type(emb).__name__}: memory_bytes() != weights + lookup_bytes()")
    if getattr(emb, "fixed_size", True) and emb.memory_bytes() > 40 * D * 4:
        raise AssertionError(f"{type(emb).__name__}: {emb.memory_bytes()} > the 1280-byte budget")


def check_field_bad_input(spec: str | type) -> None:
    """Float IDs and a wrong number of fields raise pinned errors."""
    emb = _fields(spec)
    name = type(emb).__name__
    _raises(
        lambda: emb(np.zeros((2, len(FIELD_SIZES)))),
        r"^X must hold integer IDs, got dtype float64\.$",
        f"{name} on float IDs",
    )
    _raises(
        lambda: emb(np.zeros((2, len(FIELD_SIZES) + 1), np.int64)),
        rf"^X must be int64 \[batch, {len(FIELD_SIZES)}\]",
        f"{name} on a wrong number of fields",
    )


def field_embedding_checks() -> Iterator[Callable[[str | type], None]]:
    """Every field-embedding contract check, in order."""
    yield check_field_name
    yield check_field_vectors
    yield check_field_same_seed_same_bytes
    yield check_field_memory_bytes
    yield check_field_bad_input


def check_field_embedding(spec: str | type) -> None:
    """Run every field-embedding check on ``spec`` (a ``FIELD_TABLES`` name or a class)."""
    _run(field_embedding_checks(), spec)


# ----------------------------------------------------------------------------------- CTR
def _ctr_cls(spec: str | type) -> Any:
    from embedlab.registry import CTR_MODELS

    return _cls(CTR_MODELS, spec)


def _net(spec: str | type, seed: int = 0) -> Any:
    return _ctr_cls(spec)(num_fields=len(FIELD_SIZES), field_dim=D, random_state=seed)


def _field_input() -> Any:
    torch = _torch()
    g = torch.Generator().manual_seed(0)
    return torch.randn(16, len(FIELD_SIZES), D, generator=g)


def check_ctr_name(spec: str | type) -> None:
    """Check that the class's ``name`` is its registry key."""
    from embedlab.registry import CTR_MODELS

    _check_name(CTR_MODELS, spec, _ctr_cls(spec))


def check_ctr_forward(spec: str | type) -> None:
    """Logits are finite float32 ``[B]``; the same seed gives the same output, another differs."""
    torch = _torch()
    x = _field_input()
    out = _net(spec)(x)
    name = _ctr_cls(spec).__name__
    if tuple(out.shape) != (16,) or out.dtype != torch.float32 or not torch.isfinite(out).all():
        raise AssertionError(f"{name}: forward gave {out.dtype} {tuple(out.shape)}")
    if not torch.equal(_net(spec)(x), out):
        raise AssertionError(f"{name}: the same seed gave a different output")
    if torch.equal(_net(spec, 1)(x), out):
        raise AssertionError(f"{name}: seeds 0 and 1 gave the same output")


def check_ctr_gradients_reach_the_embedding(spec: str | type) -> None:
    """Check a loss on the logits sends a non-zero gradient to the embedding rows of the batch."""
    torch = _torch()
    from embedlab.tables.fields import PerFieldHashing

    emb = PerFieldHashing(rows_per_field=[10, 10, 5], embedding_dim=D, random_state=0)
    X = _X()
    rows = emb.field_rows(X)
    leaves = emb.gather(rows)
    net = _net(spec)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        net(emb.vectors(rows, leaves)), torch.from_numpy((X[:, 0] % 2).astype(np.float32))
    )
    loss.backward()
    grad = leaves[0][2].grad
    if grad is None or not grad.abs().sum() > 0:
        raise AssertionError(f"{_ctr_cls(spec).__name__}: no gradient reaches the embedding")
    if any(p.grad is None for p in net.parameters()):
        raise AssertionError(f"{_ctr_cls(spec).__name__}: a parameter got no gradient")


def ctr_model_checks() -> Iterator[Callable[[str | type], None]]:
    """Every CTR-model contract check, in order."""
    yield check_ctr_name
    yield check_ctr_forward
    yield check_ctr_gradients_reach_the_embedding


def check_ctr_model(spec: str | type) -> None:
    """Run every CTR-model check on ``spec`` (a ``CTR_MODELS`` name or a class)."""
    _run(ctr_model_checks(), spec)
