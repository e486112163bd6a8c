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


def test_select_with_one_candidate_and_one_C_is_the_plain_protocol():
    g, lab = stochastic_block_model([60, 60, 60], 0.1, 0.02, random_state=0)
    emb = FastRP(n_components=16, random_state=0).fit(g)
    kw = {"train_ratios": [0.3, 0.5], "repeats": 3, "random_state": 4}
    sel = NodeClassification(lab, **kw).select({"fastrp": emb}, Cs=[0.5])
    plain = NodeClassification(lab, C=0.5, **kw)(emb)
    assert {k: v for k, v in sel.items() if not k.startswith("chosen")} == plain
    assert [c["candidate"] for c in sel["chosen@0.3"]] == ["fastrp"] * 3


def test_select_sees_only_training_nodes():
    """'honest' carries the labels on the training nodes of the split and noise on its test
    nodes, 'leaky' the reverse: selection must pick 'honest' (whose test score is then chance)."""
    n, seed = 400, 3
    lab = _labels(n, 2)
    y = np.arange(n) % 2
    perm = np.random.default_rng([seed, 0]).permutation(n)
    train = np.zeros(n, dtype=bool)
    train[perm[: n // 2]] = True
    noise = np.random.default_rng(0).normal(size=n)
    honest = np.where(train, 4.0 * y, noise)[:, None]
    leaky = np.where(train, noise, 4.0 * y)[:, None]
    ev = NodeClassification(lab, train_ratios=[0.5], repeats=1, random_state=seed)
    res = ev.select({"leaky": (np.arange(n), leaky), "honest": (np.arange(n), honest)})
    (choice,) = res["chosen@0.5"]
    assert choice["candidate"] == "honest"
    assert choice["validation_micro_f1"] == 1.0
    assert res["micro_f1@0.5"] < 0.7  # the honest features are noise on the test nodes
    # the leaky candidate alone would have scored perfectly on the test nodes
    assert ev.select({"leaky": (np.arange(n), leaky)})["micro_f1@0.5"] > 0.95


def test_select_takes_the_best_validation_score_of_a_reference():
    """The (candidate, C) chosen scores, on the validation nodes carved from the training split
    as documented, within fitting tolerance of the best any (candidate, C) reaches there, by
    scikit-learn's liblinear."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    g, lab = stochastic_block_model([40, 40, 40], 0.12, 0.04, random_state=0)
    cands = {
        "d16": FastRP(n_components=16, random_state=0).fit(g),
        "d2": FastRP(n_components=2, random_state=0).fit(g),
        "noise": (np.arange(120), np.random.default_rng(1).normal(size=(120, 8))),
    }
    grid, seed = [0.01, 1.0, 100.0], 5
    res = NodeClassification(lab, train_ratios=[0.5], repeats=2, random_state=seed).select(
        cands, Cs=grid
    )
    y = np.asarray(lab.labels)[np.argsort(lab.nodes)]
    assert (cands["d16"].ids_ == np.arange(120)).all()
    xs = {k: e.embeddings_ if hasattr(e, "embeddings_") else e[1] for k, e in cands.items()}
    for rep, choice in enumerate(res["chosen@0.5"]):
        perm = np.random.default_rng([seed, rep]).permutation(120)
        fit, val = perm[:45], perm[45:60]  # n_train = 60, the last quarter validates

        def ref(x, c, fit=fit, val=val):
            clf = OneVsRestClassifier(LogisticRegression(C=c, solver="liblinear"))
            clf.fit(x[fit], y[fit])
            return float(np.mean(clf.predict(x[val]) == y[val]))  # single label: accuracy

        scores = {(name, c): ref(xs[name], c) for name in cands for c in grid}
        assert scores[(choice["candidate"], choice["C"])] >= max(scores.values()) - 1 / 15
        assert choice["validation_micro_f1"] == pytest.approx(
            scores[(choice["candidate"], choice["C"])], abs=1 / 15 + 1e-9
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"Cs": []}, "'Cs' must be positive numbers"),
        ({"Cs": [1.0, 0.0]}, "'Cs' must be positive numbers"),
        ({"validation_ratio": 1.0}, r"'validation_ratio' must be in \(0, 1\)"),
        ({"candidates": {}}, "'candidates' is empty"),
    ],
)
def test_select_errors(kwargs, message):
    emb = (np.arange(40), np.zeros((40, 2)))
    ev = NodeClassification(_labels(40, 2), train_ratios=[0.5])
    call = {"candidates": {"a": emb}, **kwargs}
    with pytest.raises(InvalidInputError, match=message):
        ev.select(call.pop("candidates"), **call)


def test_select_refuses_an_empty_validation_split():
    ev = NodeClassification(_labels(6, 2), train_ratios=[0.2])
    with pytest.raises(InvalidInputError, match="leaves an empty split of 6 labelled nodes"):
        ev.select({"a": (np.arange(6), np.zeros((6, 2)))})


def test_any_subset_of_repeats_gives_those_repeats_scores():
    g, labels = stochastic_block_model([40, 40, 40], 0.2, 0.02, random_state=0)
    emb = FastRP(n_components=16, random_state=0).fit(g)
    ev = NodeClassification(labels, train_ratios=[0.3, 0.6], repeats=4, random_state=7)
    full = ev.evaluate(emb)
    for reps in ([2], [3, 0], []):
        part = ev.evaluate(emb, repeats=reps)
        for key, scores in full.items():
            assert part[key] == [scores[r] for r in reps]
    for bad in ([-1], [4], [1.0]):
        with pytest.raises(
            InvalidInputError, match=r"'repeats' must be repeat indices in \[0, 4\)"
        ):
            ev.evaluate(emb, repeats=bad)
