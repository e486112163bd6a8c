"""MF / LightGCN maths: the BPR loss, the normalised adjacency, propagation and its gradient."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from embedlab.tables import FullTable, HashTable, LightGCN
from embedlab.tables.models.retrieval import bpr_loss, normalized_adjacency


def block_data(seed: int, n_users: int = 120, n_items: int = 90, groups: int = 3) -> sp.csr_matrix:
    """Users like the items of their group: a recommender must learn the groups."""
    rng = np.random.default_rng(seed)
    gu, gi = np.arange(n_users) % groups, np.arange(n_items) % groups
    prob = np.where(gu[:, None] == gi[None, :], 0.3, 0.01)
    m = (rng.random((n_users, n_items)) < prob).astype(np.float32)
    m[m.sum(1) == 0, 0] = 1
    return sp.csr_matrix(m)


def test_bpr_loss_closed_form() -> None:
    pos, neg = torch.tensor([2.0, 0.0]), torch.tensor([1.0, 0.0])
    ego = (torch.tensor([[1.0, 2.0], [0.0, 1.0]]),)
    expected = (np.log1p(np.exp(-1.0)) + np.log(2.0)) / 2 + 0.1 * 6.0 / 4
    assert bpr_loss(pos, neg, ego, 0.1).item() == pytest.approx(expected, rel=1e-6)


def test_normalized_adjacency_matches_dense_formula() -> None:
    r = np.array([[1, 0, 1], [0, 0, 1]], dtype=np.float32)  # user 1 and item 1: item 1 isolated
    a = np.block([[np.zeros((2, 2)), r], [r.T, np.zeros((3, 3))]])
    deg = a.sum(1)
    inv = np.where(deg > 0, deg, 1) ** -0.5 * (deg > 0)
    expected = inv[:, None] * a * inv[None, :]
    np.testing.assert_allclose(
        normalized_adjacency(sp.csr_matrix(r)).to_dense().numpy(), expected, rtol=1e-6
    )


def test_lightgcn_propagation_matches_numpy() -> None:
    train = block_data(0, 12, 9)
    ut = FullTable(num_ids=12, embedding_dim=4, random_state=0)
    it = FullTable(num_ids=9, embedding_dim=4, random_state=1)
    model = LightGCN(ut, it, biadjacency=train, n_layers=2)
    a = normalized_adjacency(train).to_dense().numpy()
    e0 = np.vstack([ut.weight.detach().numpy(), it.weight.detach().numpy()])
    expected = (e0 + a @ e0 + a @ a @ e0) / 3
    u, i = model.embeddings()
    np.testing.assert_allclose(np.vstack([u.numpy(), i.numpy()]), expected, rtol=1e-5, atol=1e-6)


def test_lightgcn_gradient_matches_dense_autograd() -> None:
    """The symmetric-propagation backward equals autograd through the dense matrix."""
    train = block_data(3, 15, 11)
    ut = FullTable(num_ids=15, embedding_dim=4, random_state=0)
    it = HashTable(num_rows=7, embedding_dim=4, random_state=1)
    model = LightGCN(ut, it, biadjacency=train, n_layers=3)
    users, pos, neg = torch.tensor([0, 3, 7]), torch.tensor([1, 2, 9]), torch.tensor([4, 0, 10])
    model.loss(users, pos, neg, 0.01).backward()
    a = normalized_adjacency(train).to_dense()
    e0 = torch.cat([ut.weight, it.weight[torch.from_numpy(it.rows(np.arange(11)))[:, 0]]])
    e0 = e0.detach().requires_grad_(True)
    layers, e = [e0], e0
    for _ in range(3):
        e = a @ e
        layers.append(e)
    final = torch.stack(layers).mean(0)
    u, i = final[:15], final[15:]
    ego_u, ego_i = e0[:15], e0[15:]
    ref = bpr_loss(
        (u[users] * i[pos]).sum(1),
        (u[users] * i[neg]).sum(1),
        (ego_u[users], ego_i[pos], ego_i[neg]),
        0.01,
    )
    ref.backward()
    torch.testing.assert_close(ut.weight.grad, e0.grad[:15])
    # the hashed item table's gradient is the sum over the items sharing each row
    rows = torch.from_numpy(it.rows(np.arange(11)))[:, 0]
    expected = torch.zeros_like(it.weight).index_add_(0, rows, e0.grad[15:])
    torch.testing.assert_close(it.weight.grad, expected)
