"""MF / LightGCN maths, BPR sampling and training, on small synthetic data."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from embedlab.eval.ranking import evaluate_full_ranking
from embedlab.exceptions import InvalidInputError, MissingExtraError  # noqa: F401
from embedlab.tables import (
    BPRTrainer,
    FullTable,
    HashTable,
    LightGCN,
    MatrixFactorization,
    make_tables,
)
from embedlab.tables.models import bpr_loss, normalized_adjacency
from embedlab.tables.train import NegativeSampler, split_validation


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


def test_split_validation_keeps_one_item_per_user(global_random_seed: int) -> None:
    train = block_data(global_random_seed)
    fit, val = split_validation(train, 0.3, np.random.default_rng(global_random_seed))
    assert (fit + val != train).nnz == 0 and fit.multiply(val).nnz == 0
    assert (np.diff(fit.indptr) >= 1).all()
    assert 0.2 < val.nnz / train.nnz < 0.35


def test_negative_sampler_never_returns_a_positive(global_random_seed: int) -> None:
    train = block_data(global_random_seed)
    s = NegativeSampler(train)
    rng = np.random.default_rng(global_random_seed)
    users = np.repeat(np.arange(train.shape[0]), 50)
    items = s.sample(users, rng)
    assert train[users, items].sum() == 0
    # uniform over each user's negatives: user 0's draws cover its negatives evenly
    negs = np.setdiff1d(np.arange(train.shape[1]), train[0].indices)
    draws = s.sample(np.zeros(20000, dtype=np.int64), rng)
    counts = np.bincount(draws, minlength=train.shape[1])[negs]
    assert counts.min() > 0.6 * counts.mean()
    full = sp.csr_matrix(np.ones((1, 3)))
    with pytest.raises(InvalidInputError, match="User 0 interacted with every item"):
        NegativeSampler(full)


def _train(method: str, seed: int, train: sp.csr_matrix, model: str = "mf") -> tuple:
    ut, it = make_tables(
        method, train, embedding_dim=8, user_rows=30, item_rows=30, random_state=seed
    )
    net = (
        MatrixFactorization(ut, it, n_users=train.shape[0], n_items=train.shape[1])
        if model == "mf"
        else LightGCN(ut, it, biadjacency=train, n_layers=2)
    )
    tr = BPRTrainer(epochs=6, batch_size=256, lr=0.02, eval_every=2, patience=5, random_state=seed)
    tr.fit(net, train)
    return net, tr


@pytest.mark.parametrize("model", ["mf", "lightgcn"])
def test_training_is_deterministic(model: str) -> None:
    train = block_data(0)
    a, ta = _train("hash", 7, train, model)
    b, tb = _train("hash", 7, train, model)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    assert ta.history_ == [
        {k: v for k, v in h.items() if k != "seconds"} | {"seconds": h2}
        for h, h2 in zip(tb.history_, [h["seconds"] for h in ta.history_], strict=True)
    ]


@pytest.mark.parametrize("model", ["mf", "lightgcn"])
def test_training_learns_the_groups(model: str) -> None:
    """Recall@10 on held-out interactions well above what random scores give."""
    full = block_data(1)
    rng = np.random.default_rng(1)
    train, test = split_validation(full, 0.2, rng)
    ut = FullTable(num_ids=train.shape[0], embedding_dim=8, random_state=0)
    it = FullTable(num_ids=train.shape[1], embedding_dim=8, random_state=1)
    net = (
        MatrixFactorization(ut, it, n_users=train.shape[0], n_items=train.shape[1])
        if model == "mf"
        else LightGCN(ut, it, biadjacency=train, n_layers=2)
    )
    BPRTrainer(epochs=30, batch_size=128, lr=0.02, eval_every=5, patience=3, random_state=0).fit(
        net, train
    )
    u, i = net.embeddings()
    got = evaluate_full_ranking(u, i, exclude=train, relevant=test, k=10).recall
    g = torch.Generator().manual_seed(0)
    rand = evaluate_full_ranking(
        torch.randn(120, 8, generator=g),
        torch.randn(90, 8, generator=g),
        exclude=train,
        relevant=test,
        k=10,
    ).recall
    # the oracle knows the groups: its own items first, in random order
    onehot_u = torch.nn.functional.one_hot(torch.arange(120) % 3).float()
    onehot_i = torch.nn.functional.one_hot(torch.arange(90) % 3).float()
    oracle = evaluate_full_ranking(
        onehot_u,
        onehot_i + 1e-3 * torch.rand(90, 3, generator=g),
        exclude=train,
        relevant=test,
        k=10,
    ).recall
    assert got > 0.8 * oracle and got > 2.5 * rand


def test_trainer_errors_are_pinned() -> None:
    train = block_data(0)
    ut, it = HashTable(num_rows=5, embedding_dim=4), HashTable(num_rows=5, embedding_dim=4)
    net = MatrixFactorization(ut, it, n_users=120, n_items=90)
    with pytest.raises(InvalidInputError, match="The 'lr' parameter of BPRTrainer must be"):
        BPRTrainer(lr=0).fit(net, train)
    with pytest.raises(InvalidInputError, match="train must be a sparse 120 x 90 matrix"):
        BPRTrainer().fit(net, train[:10])
    with pytest.raises(InvalidInputError, match="validation must be a sparse matrix of train's"):
        BPRTrainer().fit(net, train, validation=train[:5])
    with pytest.raises(InvalidInputError, match="user and item tables differ in embedding_dim"):
        MatrixFactorization(ut, HashTable(num_rows=5, embedding_dim=3), n_users=2, n_items=2)
    with pytest.raises(InvalidInputError, match="Unknown table method 'bloom'"):
        make_tables("bloom", train)
    with pytest.raises(InvalidInputError, match="Method 'hash' needs user_rows and item_rows"):
        make_tables("hash", train)


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
