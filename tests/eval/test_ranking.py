"""Full-ranking Recall@k / NDCG@k against hand-computed values and a brute-force ranking."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from embedlab.eval.ranking import evaluate_full_ranking, ranking_metrics, top_k_unseen
from embedlab.exceptions import InvalidInputError


def test_hand_computed_recall_and_ndcg() -> None:
    # user 0: relevant {1, 3, 4}; ranked [3, 0, 4] -> hits at ranks 1 and 3
    # user 1: relevant {2};        ranked [0, 2, 1] -> hit at rank 2
    rel = sp.csr_matrix(np.array([[0, 1, 0, 1, 1], [0, 0, 1, 0, 0]]))
    top = np.array([[3, 0, 4], [0, 2, 1]])
    recall, ndcg = ranking_metrics(top, rel, np.array([0, 1]), k=3)
    np.testing.assert_allclose(recall, [2 / 3, 1.0])
    d = 1 / np.log2([2, 3, 4])
    np.testing.assert_allclose(ndcg, [(d[0] + d[2]) / d.sum(), d[1] / d[0]])


def test_ndcg_ideal_is_capped_at_k() -> None:
    """More relevant items than k: the ideal DCG counts only k of them (LightGCN's code)."""
    rel = sp.csr_matrix(np.ones((1, 10)))
    recall, ndcg = ranking_metrics(np.array([[0, 1]]), rel, np.array([0]), k=2)
    assert recall[0] == pytest.approx(0.2) and ndcg[0] == pytest.approx(1.0)


def test_top_k_unseen_matches_brute_force(rng: np.random.Generator) -> None:
    u, v = rng.normal(size=(50, 6)).astype(np.float32), rng.normal(size=(40, 6)).astype(np.float32)
    exclude = sp.csr_matrix(rng.random((50, 40)) < 0.3)
    top = top_k_unseen(u, v, exclude, np.arange(50), 5, batch_size=7)
    scores = u @ v.T
    scores[exclude.toarray()] = -np.inf
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :5]
    np.testing.assert_array_equal(top, expected)


def test_evaluate_full_ranking_equals_per_user_loop(rng: np.random.Generator) -> None:
    u, v = rng.normal(size=(30, 4)), rng.normal(size=(25, 4))
    train = sp.csr_matrix(rng.random((30, 25)) < 0.2)
    test = sp.csr_matrix((rng.random((30, 25)) < 0.15) & ~train.toarray())
    res = evaluate_full_ranking(u, v, exclude=train, relevant=test, k=5)
    recalls, ndcgs = [], []
    for user in range(30):
        rel = set(test[user].indices)
        if not rel:
            continue
        s = u[user] @ v.T
        s[train[user].indices] = -np.inf
        ranked = np.argsort(-s, kind="stable")[:5]
        hits = [int(i in rel) for i in ranked]
        recalls.append(sum(hits) / len(rel))
        dcg = sum(h / np.log2(r + 2) for r, h in enumerate(hits))
        idcg = sum(1 / np.log2(r + 2) for r in range(min(5, len(rel))))
        ndcgs.append(dcg / idcg)
    assert res.n_users == len(recalls)
    assert res.recall == pytest.approx(np.mean(recalls)) and res.ndcg == pytest.approx(
        np.mean(ndcgs)
    )
    assert res.as_dict() == {"recall@5": res.recall, "ndcg@5": res.ndcg}


def test_errors_are_pinned() -> None:
    rel = sp.csr_matrix(np.array([[0, 1], [0, 0]]))
    with pytest.raises(InvalidInputError, match="Every evaluated user needs at least one"):
        ranking_metrics(np.array([[0]]), rel, np.array([1]), k=1)
    with pytest.raises(InvalidInputError, match=r"relevant \(2, 2\) and exclude \(2, 3\) differ"):
        evaluate_full_ranking(
            np.ones((2, 1)), np.ones((2, 1)), exclude=sp.csr_matrix((2, 3)), relevant=rel
        )
    with pytest.raises(InvalidInputError, match=r"k must be an int in \[1, 2\], got 3"):
        evaluate_full_ranking(
            np.ones((2, 1)), np.ones((2, 1)), exclude=sp.csr_matrix((2, 2)), relevant=rel, k=3
        )
    with pytest.raises(InvalidInputError, match="relevant holds no held-out interactions"):
        evaluate_full_ranking(
            np.ones((2, 1)),
            np.ones((2, 1)),
            exclude=sp.csr_matrix((2, 2)),
            relevant=sp.csr_matrix((2, 2)),
            k=1,
        )
    with pytest.raises(InvalidInputError, match="relevant must be a scipy sparse"):
        evaluate_full_ranking(
            np.ones((2, 1)), np.ones((2, 1)), exclude=rel, relevant=np.zeros((2, 2))
        )
