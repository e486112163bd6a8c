"""Multi-field embeddings: collisionless per field, per-field hashing, Unified Embedding."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from embedlab.exceptions import InvalidInputError
from embedlab.tables import (
    CollisionlessFields,
    PerFieldHashing,
    UnifiedEmbedding,
    split_rows,
)
from embedlab.tables._hash import UniversalHash

X = np.array([[1, 1, 1], [2, 5, 9], [2, 5, 10**15]], dtype=np.int64)


@settings(max_examples=100, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5000), min_size=1, max_size=8),
    extra=st.integers(0, 20000),
)
def test_split_rows_is_capped_proportional_and_complete(sizes: list[int], extra: int) -> None:
    total = len(sizes) + extra
    rows = split_rows(total, sizes)
    assert (rows >= 1).all() and (rows <= np.asarray(sizes)).all()
    assert rows.sum() == min(total, sum(sizes))
    # fields below their size hold their proportional share of the extra rows, to within one
    free = rows < np.asarray(sizes)
    if free.any():
        s = np.asarray(sizes)[free]
        share = s / s.sum() * (rows[free] - 1).sum()
        assert np.all(np.abs(rows[free] - 1 - share) < 1.0)


def test_split_rows_examples_and_errors() -> None:
    assert split_rows(10, [100, 2, 50]).tolist() == [6, 1, 3]
    assert split_rows(1000, [100, 2, 50]).tolist() == [100, 2, 50]
    with pytest.raises(InvalidInputError, match="^2 rows cannot give each of 3 fields a row"):
        split_rows(2, [5, 5, 5])
    with pytest.raises(InvalidInputError, match="^field_sizes must be a non-empty list"):
        split_rows(5, [])


def test_per_field_hashing_rows_stay_in_their_field() -> None:
    e = PerFieldHashing(rows_per_field=[7, 3, 11], embedding_dim=4, random_state=0)
    rows = e.field_rows(np.random.default_rng(0).integers(-(10**12), 10**12, (500, 3)))
    lo, hi = np.array([0, 7, 10]), np.array([7, 10, 21])
    assert ((rows[:, :, 0] >= lo) & (rows[:, :, 0] < hi)).all()
    assert e.num_rows == 21 and e.memory_bytes() == 21 * 4 * 4


def test_per_field_hashing_from_budget() -> None:
    e = PerFieldHashing.from_budget(
        memory_bytes=10_000, field_sizes=[1000, 2, 300], embedding_dim=8
    )
    assert e.memory_bytes() <= 10_000
    assert e.rows_per_field.tolist() == split_rows(10_000 // 32, [1000, 2, 300]).tolist()


def test_unified_rows_are_the_salted_hashes_and_vectors_concatenate() -> None:
    ue = UnifiedEmbedding(num_rows=50, embedding_dim=8, num_fields=3, num_chunks=2, random_state=4)
    rng = np.random.default_rng(ue.seed_)  # the hashes are drawn field by field, chunk by chunk
    expected = np.empty((len(X), 3, 2), np.int64)
    for f in range(3):
        for j in range(2):
            expected[:, f, j] = UniversalHash(50, rng)(X[:, f])
    np.testing.assert_array_equal(ue.field_rows(X), expected)
    vec = ue(X)
    w = ue.weight.detach()
    for b in range(len(X)):
        for f in range(3):
            manual = torch.cat([w[expected[b, f, 0]], w[expected[b, f, 1]]])
            torch.testing.assert_close(vec[b, f], manual)
    # the same raw ID in different fields reads different rows (per-field salts)
    ids = np.arange(1000)
    rows = ue.field_rows(np.stack([ids, ids, ids], axis=1))
    assert (rows[:, 0, 0] != rows[:, 1, 0]).mean() > 0.9


def test_unified_from_budget_and_errors() -> None:
    ue = UnifiedEmbedding.from_budget(
        memory_bytes=4000, embedding_dim=16, num_chunks=4, num_fields=2
    )
    assert ue.row_dim == 4 and ue.num_rows == 250 and ue.memory_bytes() == 4000
    assert ue.field_dim == 16
    with pytest.raises(
        InvalidInputError, match=r"^embedding_dim \(10\) must be a multiple of num_chunks \(4\)\.$"
    ):
        UnifiedEmbedding(num_rows=5, embedding_dim=10, num_fields=2, num_chunks=4)
    with pytest.raises(InvalidInputError, match=r"^X must be int64 \[batch, 2\]"):
        ue.field_rows(np.zeros((3, 3), np.int64))
    with pytest.raises(InvalidInputError, match="^X must hold integer IDs, got dtype float64.$"):
        ue.field_rows(np.zeros((3, 2)))


def test_collisionless_fields_keep_fields_apart() -> None:
    e = CollisionlessFields(num_fields=3, embedding_dim=4, random_state=0)
    rows = e.field_rows(X, times=np.arange(3), train=True)
    # the same raw ID 1 in three fields: three tables, each its own row 1
    assert rows[0, :, 0].tolist() == [1, 1, 1]
    assert [t.num_live for t in e.tables] == [2, 2, 3]
    v = e(X)
    for f in range(3):
        torch.testing.assert_close(v[:, f], e.tables[f].weight.detach()[rows[:, f, 0]])
    with pytest.raises(
        InvalidInputError, match=r"^occurrence_threshold needs one value per field \(3\)\.$"
    ):
        CollisionlessFields(num_fields=3, embedding_dim=4, occurrence_threshold=[1, 2])


@pytest.mark.parametrize("kind", ["collisionless", "hash", "unified"])
def test_gather_gives_the_same_vectors_and_adagrad_is_exact(kind: str) -> None:
    if kind == "collisionless":
        e = CollisionlessFields(num_fields=3, embedding_dim=4, random_state=0)
    elif kind == "hash":
        e = PerFieldHashing(rows_per_field=[3, 3, 3], embedding_dim=4, random_state=0)
    else:
        e = UnifiedEmbedding(
            num_rows=7, embedding_dim=4, num_fields=3, num_chunks=2, random_state=0
        )
    rows = e.field_rows(X, train=True)
    leaves = e.gather(rows)
    torch.testing.assert_close(e.vectors(rows, leaves), e(X))
    # a loss on the gathered leaves, then row-wise Adagrad twice: compare with the formula
    before = [w.detach().clone() for w in e.weight_groups]
    state = {g: torch.zeros_like(w) for g, w in enumerate(before)}
    for _ in range(2):
        leaves = e.gather(rows)
        (e.vectors(rows, leaves) ** 2).sum().backward()
        for (g, _), (uniq, _, leaf) in zip(e.group_fields(), leaves, strict=True):
            w = before[g]
            state[g][uniq] += leaf.grad**2
            w[uniq] -= 0.1 * leaf.grad / (state[g][uniq].sqrt() + 1e-10)
            e.adagrad_step(g, uniq, leaf.grad, 0.1)
    for g, w in enumerate(e.weight_groups):
        torch.testing.assert_close(w.detach(), before[g])
