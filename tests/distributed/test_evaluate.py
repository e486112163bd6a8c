"""Evaluation protocols as Dask tasks equal the local evaluators, key for key and bit for bit."""

from typing import Any, cast

import numpy as np
import pytest

from embedlab.datasets import NodeLabels, stochastic_block_model
from embedlab.distributed.evaluate import evaluate_distributed, evaluate_seeds, map_tasks
from embedlab.eval import Clustering, LinkPrediction, NodeClassification
from embedlab.exceptions import InvalidInputError
from embedlab.graph import FastRP


def _noisy(seed=0, n=150, d=8, n_classes=3):
    """Multi-label nodes with string ids and embeddings that only partly reveal the labels."""
    rng = np.random.default_rng(seed)
    first = rng.integers(0, n_classes, n)
    second = rng.integers(0, n_classes, n)
    extra = rng.random(n) < 0.3  # 30 % of the nodes carry a second label
    nodes = np.r_[np.arange(n), np.flatnonzero(extra)]
    labels = NodeLabels(nodes, np.r_[first, second[extra]])
    x = rng.normal(size=(n, d)).astype(np.float32)
    x[np.arange(n), first] += 1.0
    ids = rng.permutation(n)  # rows in another order than the labels
    return labels, (ids, x[ids])


@pytest.mark.parametrize(
    "params",
    [
        {"train_ratios": (0.1, 0.5, 0.9), "repeats": 3},
        {"train_ratios": [0.3, 0.7, 0.3], "repeats": 2, "C": 0.1, "random_state": 11},
        {"train_ratios": 0.5, "repeats": 2, "penalize_intercept": False},
    ],
    ids=["default", "repeated-ratio", "one-ratio-free-intercept"],
)
def test_node_classification_equals_local(client, params):
    labels, emb = _noisy()
    ev = NodeClassification(labels, **params)
    local = ev(emb)
    got = evaluate_distributed(ev, emb, client=client)
    assert got == local and list(got) == list(local)  # the same keys, order and bits
    assert 0.2 < got[ev.primary_metric] < 1.0  # neither trivial nor broken


def test_node_classification_seeds(client):
    labels, emb = _noisy(seed=1)
    ev = NodeClassification(labels, train_ratios=[0.5], repeats=2, random_state=0)
    per_seed = evaluate_seeds(ev, emb, [3, 4, 5], client=client)
    for seed, res in zip([3, 4, 5], per_seed, strict=True):
        ref = NodeClassification(labels, train_ratios=[0.5], repeats=2, random_state=seed)(emb)
        assert res == ref
    assert per_seed[0] != per_seed[1]  # different shuffles
    mean = evaluate_distributed(ev, emb, seeds=[3, 4, 5], client=client)
    assert mean == {k: float(np.mean([r[k] for r in per_seed])) for k in per_seed[0]}
    assert ev.random_state == 0  # the evaluator itself is left as it was


def test_generator_seed_is_drawn_once(client):
    """A Generator gives one seed, drawn on the driver, as the evaluator draws it."""
    labels, emb = _noisy(seed=2)

    def ev():
        rng: Any = np.random.default_rng(8)  # the seed rule (resolve_seed) takes a Generator
        return NodeClassification(labels, train_ratios=[0.2, 0.6], repeats=2, random_state=rng)

    assert evaluate_distributed(ev(), emb, client=client) == ev()(emb)


def test_link_prediction_equals_local(client):
    g, _ = stochastic_block_model([30, 30, 30], 0.3, 0.02, random_state=0)
    lp = LinkPrediction(g, operators=["hadamard", "dot"], random_state=2)
    embedder = FastRP(n_components=16, random_state=0)
    local = lp(embedder)
    assert evaluate_distributed(lp, embedder, client=client) == local
    splits = evaluate_seeds(lp, embedder, [2, 5], client=client)
    assert splits[0] == local
    assert splits[1] == LinkPrediction(g, operators=["hadamard", "dot"], random_state=5)(embedder)


def test_other_evaluators_run_as_one_task(client):
    _, emb = _noisy(seed=3)
    single = NodeLabels(np.arange(150), np.arange(150) % 3)
    ev = Clustering(single, random_state=1)
    assert evaluate_distributed(ev, emb, client=client) == ev(emb)
    assert evaluate_seeds(ev, emb, [4], client=client) == [Clustering(single, random_state=4)(emb)]


def test_errors(client):
    labels, emb = _noisy()
    with pytest.raises(InvalidInputError, match="'evaluator' must be an evaluator"):
        evaluate_distributed("node-classification", emb, client=client)
    ev = NodeClassification(labels, train_ratios=[1.5])
    with pytest.raises(InvalidInputError, match=r"'train_ratios' must be fractions in \(0, 1\)"):
        evaluate_distributed(ev, emb, client=client)
    with pytest.raises(InvalidInputError, match="'seeds' is empty; give at least one seed"):
        evaluate_distributed(NodeClassification(labels), emb, seeds=[], client=client)
    with pytest.raises(InvalidInputError, match="'random_state' parameter of NodeClass"):
        evaluate_seeds(NodeClassification(labels), emb, [-1], client=client)
    with pytest.raises(InvalidInputError, match="has no 'random_state'; it cannot be run with"):
        evaluate_seeds(len, emb, [1], client=client)
    bad = NodeClassification(labels, train_ratios=[0.5], repeats=1)
    with pytest.raises(InvalidInputError, match="labelled nodes"):  # raised on a worker
        evaluate_distributed(bad, (np.arange(10), np.zeros((10, 2))), client=client)


def _square(x):
    return x * x


def test_map_tasks(client):
    assert map_tasks(_square, range(7), client=client) == [i * i for i in range(7)]
    assert map_tasks(_square, [], client=client) == []
    big = [np.full(300_000, float(i)) for i in range(3)]  # 2.4 MB each: scattered, no warning
    assert map_tasks(np.sum, big, client=client) == [0.0, 300_000.0, 600_000.0]
    with pytest.raises(InvalidInputError, match="'fn' must be callable; got int"):
        map_tasks(cast(Any, 3), [1], client=client)
    with pytest.raises(ZeroDivisionError):
        map_tasks(lambda v: 1 / v, [1, 0], client=client)


def test_worker_processes(process_client):
    """Evaluators, embeddings and results pickle; BLAS in worker processes gives the same bits."""
    labels, emb = _noisy(seed=4)
    ev = NodeClassification(labels, train_ratios=[0.3, 0.6], repeats=2)
    assert evaluate_distributed(ev, emb, client=process_client) == ev(emb)
    assert map_tasks(lambda v: v + 1, [1, 2], client=process_client) == [2, 3]
