import numpy as np
import pytest

from embedlab.datasets import NodeLabels, stochastic_block_model
from embedlab.eval.node_classification import NodeClassification
from embedlab.exceptions import InvalidInputError
from embedlab.graph import FastRP
from embedlab.io import EmbeddingSet


def _labels(n=200, k=4):
    return NodeLabels(np.arange(n), np.arange(n) % k)


def test_perfect_features_score_one():
    x = np.eye(4, dtype=np.float32)[np.arange(200) % 4] * 5
    res = NodeClassification(_labels(), train_ratios=[0.3, 0.7], repeats=3)((np.arange(200), x))
    assert res == {
        "micro_f1@0.3": 1.0,
        "macro_f1@0.3": 1.0,
        "micro_f1@0.7": 1.0,
        "macro_f1@0.7": 1.0,
    }


def test_random_features_score_chance(global_random_seed):
    x = np.random.default_rng(global_random_seed).normal(size=(2000, 8)).astype(np.float32)
    res = NodeClassification(
        _labels(2000), train_ratios=[0.5], repeats=2, random_state=global_random_seed
    )((np.arange(2000), x))
    assert 0.2 < res["micro_f1@0.5"] < 0.3  # 4 balanced classes: chance is 0.25


def test_multilabel_top_k_protocol():
    # node i has labels {i % 3} and, for even i, also label 3; features reveal both exactly
    n = 300
    nodes = np.r_[np.arange(n), np.arange(0, n, 2)]
    labels = np.r_[np.arange(n) % 3, np.full(n // 2, 3)]
    x = np.c_[np.eye(3)[np.arange(n) % 3], (np.arange(n) % 2 == 0)].astype(np.float32) * 4
    res = NodeClassification(NodeLabels(nodes, labels), train_ratios=[0.5], repeats=2)(
        (np.arange(n), x)
    )
    assert res["micro_f1@0.5"] == 1.0


@pytest.mark.parametrize("penalize", [True, False])
def test_solvers_agree(penalize):
    g, lab = stochastic_block_model([60, 60, 60], 0.1, 0.02, random_state=0)
    emb = FastRP(n_components=16, random_state=0).fit(g)
    kw = {"train_ratios": [0.5], "repeats": 2, "penalize_intercept": penalize}
    a = NodeClassification(lab, **kw)(emb)
    b = NodeClassification(lab, solver="sklearn", **kw)(emb)
    assert a == pytest.approx(b, abs=0.02)


def test_same_seed_same_scores_and_accepts_embedding_sets():
    g, lab = stochastic_block_model([50, 50], 0.1, 0.02, random_state=0)
    m = FastRP(n_components=16, random_state=0).fit(g)
    es = EmbeddingSet(ids=m.ids_, vectors=m.embeddings_)
    ev = NodeClassification(lab, train_ratios=[0.5], repeats=3, random_state=7)
    assert ev(m) == ev(es)
    per = ev.evaluate(es)
    assert len(per["micro_f1@0.5"]) == 3


def test_string_ids():
    ids = np.array([f"n{i}" for i in range(40)], dtype=object)
    lab = NodeLabels(ids, np.arange(40) % 2)
    x = np.c_[np.arange(40) % 2].astype(np.float32)
    assert NodeClassification(lab, train_ratios=[0.5])((ids, x))["micro_f1@0.5"] == 1.0


@pytest.mark.parametrize(
    ("kwargs", "emb", "message"),
    [
        ({"train_ratios": [1.0]}, None, r"'train_ratios' must be fractions in \(0, 1\)"),
        ({"repeats": 0}, None, "'repeats' must be an int >= 1"),
        ({"C": -1}, None, "'C' must be a positive number"),
        ({"solver": "x"}, None, "'solver' must be 'joint' or 'sklearn'"),
        (
            {},
            (np.arange(5), np.zeros((5, 2))),
            r"5 unknown labelled nodes \(labels for nodes without an embedding\): 5, 6, 7, 8, 9\.",
        ),
        ({}, (np.arange(10), np.full((10, 2), np.nan)), "NaN or infinite"),
        ({}, 3, "Give an EmbeddingSet, a fitted embedder or an"),
        ({"train_ratios": [0.01]}, None, "leaves an empty split"),
    ],
)
def test_errors(kwargs, emb, message):
    ev = NodeClassification(_labels(10, 2), **kwargs)
    with pytest.raises(InvalidInputError, match=message):
        ev(emb if emb is not None else (np.arange(10), np.zeros((10, 2))))
