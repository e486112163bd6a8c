"""BPR sampling and training of MF / LightGCN, on small synthetic data."""

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
from embedlab.tables.training.bpr import NegativeSampler, split_validation


def block_data(seed: int, n_users: int = 120, n_items: int = 90, groups: int = 3) -> sp.csr_matrix:
    """Users like the items of their group: a recommender must learn the groups."""
    rng = np.random.default_rng(seed)
    gu, gi = np.arange(n_users) % groups, np.arange(n_items) % groups
    prob = np.where(gu[:, None] == gi[None, :], 0.3, 0.01)
    m = (rng.random((n_users, n_items)) < prob).astype(np.float32)
    m[m.sum(1) == 0, 0] = 1
    return sp.csr_matrix(m)


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
    with pytest.raises(InvalidInputError, match="^Unknown table method 'bloom'; choose one of: "):
        make_tables("bloom", train)
    with pytest.raises(InvalidInputError, match="Method 'hash' needs user_rows and item_rows"):
        make_tables("hash", train)
