"""GraphHash: Louvain partitions of the bipartite graph, their modularity, and the tables."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from embedlab.exceptions import InvalidInputError
from embedlab.tables import (
    DoubleGraphHashTable,
    GraphHashTable,
    bipartite_louvain,
    bipartite_modularity,
    budget_bytes,
    resolution_for_rows,
)


def planted_bipartite(
    n_users: int, n_items: int, groups: int, p_in: float, p_out: float, seed: int
) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    gu, gi = rng.integers(0, groups, n_users), rng.integers(0, groups, n_items)
    prob = np.where(gu[:, None] == gi[None, :], p_in, p_out)
    b = (rng.random((n_users, n_items)) < prob).astype(np.float64)
    b[b.sum(1) == 0, 0] = 1
    b[0, b.sum(0) == 0] = 1
    return sp.csr_matrix(b)


def brute_force_barber(b: np.ndarray, cu: np.ndarray, ci: np.ndarray, gamma: float) -> float:
    """Barber (2007), term by term: 1/w sum_ij (B_ij - gamma d_i d_j / w) [c_i = c_j]."""
    w = b.sum()
    du, di = b.sum(1), b.sum(0)
    q = 0.0
    for i in range(b.shape[0]):
        for j in range(b.shape[1]):
            if cu[i] == ci[j]:
                q += b[i, j] - gamma * du[i] * di[j] / w
    return q / w


def test_disjoint_bicliques_are_recovered() -> None:
    b = sp.csr_matrix(np.kron(np.eye(3), np.ones((4, 5))))
    p = bipartite_louvain(b, resolution=1.0)
    assert p.n_user_clusters == 3 and p.n_item_clusters == 3
    # each user cluster is the item cluster of the same block
    for k in range(3):
        assert len(set(p.user_labels_[4 * k : 4 * k + 4])) == 1
        assert p.user_labels_[4 * k] == p.item_labels_[5 * k]


@pytest.mark.parametrize("resolution", [0.5, 1.0, 3.0])
def test_modularity_matches_library_and_definition(resolution: float) -> None:
    b = planted_bipartite(40, 30, 4, 0.5, 0.05, seed=1)
    p = bipartite_louvain(b, resolution=resolution)
    ours = bipartite_modularity(b, p.user_labels_, p.item_labels_, resolution)
    assert ours == pytest.approx(p.modularity, abs=1e-12)
    ref = brute_force_barber(b.toarray(), p.user_labels_, p.item_labels_, resolution)
    assert ours == pytest.approx(ref, abs=1e-12)


def test_tables_reproduce_partition_and_its_modularity() -> None:
    b = planted_bipartite(60, 50, 5, 0.4, 0.03, seed=2)
    p = bipartite_louvain(b, resolution=1.0)
    ut, it = GraphHashTable.from_partition(p, embedding_dim=4, random_state=0)
    ru, ri = ut.rows(np.arange(60)).ravel(), it.rows(np.arange(50)).ravel()
    assert ut.num_rows == p.n_user_clusters and it.num_rows == p.n_item_clusters
    # same row <=> same cluster, on each side
    assert np.array_equal(
        ru[:, None] == ru[None, :], p.user_labels_[:, None] == p.user_labels_[None, :]
    )
    assert np.array_equal(
        ri[:, None] == ri[None, :], p.item_labels_[:, None] == p.item_labels_[None, :]
    )
    # the row assignment, read back as a partition, has the library's modularity
    u2c = {int(r): int(c) for r, c in zip(ru, p.user_labels_, strict=True)}
    i2c = {int(r): int(c) for r, c in zip(ri, p.item_labels_, strict=True)}
    q = bipartite_modularity(b, np.array([u2c[r] for r in ru]), np.array([i2c[r] for r in ri]))
    assert q == pytest.approx(p.modularity, abs=1e-12)
    assert ut.lookup_bytes() == 60 * 16


def test_unknown_ids_are_hashed_onto_cluster_rows() -> None:
    t = GraphHashTable(ids=[5, 9, 2], labels=[4, 4, 8], embedding_dim=3, random_state=0)
    assert t.num_rows == 2
    assert t.rows([5, 9, 2]).ravel().tolist() == [0, 0, 1]  # labels relabelled by first use
    far = t.rows(np.arange(100, 1100)).ravel()
    assert set(far.tolist()) == {0, 1}


def test_double_graphhash_adds_a_hash_row() -> None:
    t = DoubleGraphHashTable(
        ids=np.arange(200), labels=np.arange(200) // 20, embedding_dim=4, random_state=0
    )
    rows = t.rows(np.arange(200))
    assert rows.shape == (200, 2)
    np.testing.assert_array_equal(rows[:, 0], np.arange(200) // 20)
    assert rows[:, 1].max() < 10
    torch.testing.assert_close(t([7]), t.weight[rows[7, 0]][None] + t.weight[rows[7, 1]][None])
    # members of one cluster mostly keep distinct vectors
    assert len({tuple(r) for r in rows[:20].tolist()}) >= 8


def test_resolution_for_rows_meets_target_within_one_percent() -> None:
    b = planted_bipartite(300, 300, 10, 0.2, 0.01, seed=3)
    for target in (60, 200):
        p = resolution_for_rows(b, target)
        assert 0.99 * target <= p.rows <= target


@pytest.mark.parametrize("budget", [0.5, 0.8, 100_000])
def test_graphhash_from_budget_meets_it_within_one_percent(budget: float) -> None:
    b = planted_bipartite(1000, 1000, 20, 0.02, 0.002, seed=4)
    mem = {"memory_bytes": budget} if isinstance(budget, int) else {"memory_fraction": budget}
    ut, it = GraphHashTable.from_budget(b, embedding_dim=16, random_state=0, **mem)
    target = budget_bytes(2000, 16, **mem)
    used = ut.memory_bytes() + it.memory_bytes()
    assert 0.99 * target <= used <= target


def test_errors_are_pinned() -> None:
    with pytest.raises(InvalidInputError, match="leaves no room for GraphHash's rows beside"):
        GraphHashTable.from_budget(
            sp.csr_matrix(np.ones((3, 3))), embedding_dim=4, memory_fraction=0.5
        )
    with pytest.raises(InvalidInputError, match="biadjacency must be a scipy sparse matrix"):
        bipartite_louvain([[1, 0]])
    with pytest.raises(InvalidInputError, match="resolution must be a positive number, got 0"):
        bipartite_louvain(sp.csr_matrix(np.ones((2, 2))), resolution=0)
    with pytest.raises(InvalidInputError, match="target_rows must be in .2, 4. .users . items."):
        resolution_for_rows(sp.csr_matrix(np.ones((2, 2))), 10)
    with pytest.raises(InvalidInputError, match="ids and labels must be non-empty and of one"):
        GraphHashTable(ids=[1, 2], labels=[0], embedding_dim=2)
    with pytest.raises(InvalidInputError, match="ids must be distinct"):
        GraphHashTable(ids=[1, 1], labels=[0, 1], embedding_dim=2)
