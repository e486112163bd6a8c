"""LINE: the objective it optimises, orders, determinism, errors."""

import numpy as np
import pytest

from embedlab.datasets import stochastic_block_model
from embedlab.eval import Clustering
from embedlab.exceptions import InvalidInputError
from embedlab.graph import Graph
from embedlab.graph.line import LINE, train_line


def _sbm():
    return stochastic_block_model([60, 60, 60], 0.15, 0.005, random_state=2)


@pytest.mark.parametrize("order", ["first", "second", "both"])
def test_planted_partition_is_separated(order):
    g, lab = _sbm()
    model = LINE(n_components=16, order=order, random_state=0, n_jobs=1).fit(g)
    assert model.embeddings_.shape == (180, 16) and model.n_samples_ == 100 * len(g.indices)
    assert Clustering(lab)(model)["nmi"] >= 0.9


def test_first_order_pulls_edges_together():
    """First order models P(u, v) = sigma(x_u . x_v): linked pairs must outscore random pairs
    (AUC), and their mean probability must be high."""
    from embedlab.eval.metrics import roc_auc

    g, _ = _sbm()
    x = train_line(
        g,
        order=1,
        n_components=16,
        negatives=5,
        n_samples=200_000,
        learning_rate=0.025,
        seed=0,
        n_threads=1,
    )
    src = np.repeat(np.arange(g.n_nodes), np.diff(g.indptr))
    linked = np.einsum("ij,ij->i", x[src], x[g.indices])
    a, b = np.random.default_rng(0).integers(0, g.n_nodes, (2, len(linked)))
    unlinked = np.einsum("ij,ij->i", x[a], x[b])
    y = np.r_[np.ones(len(linked)), np.zeros(len(unlinked))]
    assert roc_auc(y, np.r_[linked, unlinked]) >= 0.9
    assert (1 / (1 + np.exp(-linked))).mean() >= 0.65


def test_both_concatenates_unit_halves():
    g, _ = _sbm()
    emb = LINE(n_components=16, n_samples=50_000, deterministic=True, random_state=1).fit(g)
    halves = emb.embeddings_[:, :8], emb.embeddings_[:, 8:]
    for h in halves:
        np.testing.assert_allclose(np.linalg.norm(h, axis=1), 1.0, rtol=1e-5)
    first = (
        LINE(n_components=8, order="first", n_samples=50_000, deterministic=True, random_state=1)
        .fit(g)
        .embeddings_
    )
    # order 1 of "both" is the first-order model on its own, normalised
    np.testing.assert_allclose(
        halves[0], first / np.linalg.norm(first, axis=1, keepdims=True), rtol=1e-5, atol=1e-6
    )


def test_weights_set_the_edge_sampling():
    """A weight-w edge is sampled w times as often: doubling every weight changes nothing, while
    a heavy edge is pulled together harder than a light one."""
    src, dst = [0, 0, 1, 2, 3, 3], [1, 2, 2, 3, 4, 5]
    kw = {
        "n_components": 8,
        "order": "first",
        "n_samples": 20_000,
        "deterministic": True,
        "random_state": 3,
    }
    g1 = Graph.from_edges(src, dst, weights=[1, 1, 1, 1, 1, 1])
    g2 = Graph.from_edges(src, dst, weights=[2, 2, 2, 2, 2, 2])
    assert LINE(**kw).fit(g1).embeddings_.tobytes() == LINE(**kw).fit(g2).embeddings_.tobytes()
    heavy = Graph.from_edges(src, dst, weights=[50, 1, 1, 1, 1, 1])
    x = LINE(**kw).fit(heavy).embeddings_
    assert x[0] @ x[1] > x[0] @ x[2]


def test_deterministic_gives_same_bytes_and_seed_matters():
    g, _ = _sbm()
    kw = {"n_components": 8, "n_samples": 30_000, "deterministic": True}
    a = LINE(random_state=5, **kw).fit_transform(g)
    b = LINE(random_state=5, **kw).fit_transform(g)
    c = LINE(random_state=6, **kw).fit_transform(g)
    assert a.tobytes() == b.tobytes() and a.tobytes() != c.tobytes()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"order": "third"}, r"'order' parameter of LINE must be a str among \{"),
        ({"n_samples": 0}, r"'n_samples' parameter of LINE must be an int in the range \[1, inf\)"),
        (
            {"n_components": 7},
            "order='both' splits n_components between the two orders; it must be even, got 7",
        ),
        ({"learning_rate": -1.0}, "'learning_rate' parameter of LINE"),
    ],
)
def test_bad_params(params, message):
    with pytest.raises(InvalidInputError, match=message):
        LINE(**params).fit(Graph.from_edges([0], [1]))


def test_graph_without_edges():
    g = Graph.from_edges([0], [1]).__class__.from_scipy(
        __import__("scipy").sparse.csr_array((3, 3))
    )
    with pytest.raises(InvalidInputError, match="LINE needs at least one edge; the graph has none"):
        LINE().fit(g)
