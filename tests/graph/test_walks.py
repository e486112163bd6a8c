"""Random walks: transition frequencies against the node2vec formula (chi-square), determinism."""

import numpy as np
import pytest
from scipy.stats import chisquare

from embedlab.datasets import erdos_renyi
from embedlab.exceptions import InvalidInputError
from embedlab.graph import Graph
from embedlab.graph.walks import random_walks


def _graph(weighted):
    # t=0 -- v=1; v's neighbours: 0 (return), 2 (also a neighbour of t), 3 and 4 (farther)
    src, dst = [0, 1, 1, 1, 0, 3], [1, 2, 3, 4, 2, 5]
    w = [1.0, 2.0, 0.5, 3.0, 1.0, 1.0] if weighted else None
    return Graph.from_edges(src, dst, w)


def _expected(g, t, v, p, q):
    adj = g.adjacency().toarray().astype(np.float64)
    probs = np.zeros(g.n_nodes)
    for x in np.flatnonzero(adj[v]):
        alpha = 1 / p if x == t else (1.0 if adj[t, x] > 0 else 1 / q)
        probs[x] = alpha * adj[v, x]
    return probs / probs.sum()


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(("p", "q"), [(1.0, 1.0), (0.25, 4.0), (4.0, 0.25), (2.0, 0.5)])
def test_second_order_transitions_match_node2vec(weighted, p, q):
    g = _graph(weighted)
    walks = random_walks(g, walk_length=3, walks_per_node=40000, p=p, q=q, random_state=7)
    # steps t -> v -> x with t = 0, v = 1
    sel = (walks[:, 0] == 0) & (walks[:, 1] == 1)
    counts = np.bincount(walks[sel, 2], minlength=g.n_nodes)
    expect = _expected(g, 0, 1, p, q)
    support = expect > 0
    assert counts[~support].sum() == 0
    res = chisquare(counts[support], expect[support] * counts.sum())
    assert res.pvalue > 1e-3, (counts, expect)


@pytest.mark.parametrize("weighted", [False, True])
def test_first_step_is_proportional_to_weight(weighted):
    g = _graph(weighted)
    walks = random_walks(g, walk_length=2, walks_per_node=40000, random_state=3)
    counts = np.bincount(walks[walks[:, 0] == 1, 1], minlength=g.n_nodes)
    adj = g.adjacency().toarray().astype(np.float64)
    expect = adj[1] / adj[1].sum()
    support = expect > 0
    assert chisquare(counts[support], expect[support] * counts.sum()).pvalue > 1e-3


def test_walks_follow_edges_and_are_deterministic():
    g = erdos_renyi(200, 800, random_state=0)
    a = random_walks(g, walk_length=20, walks_per_node=3, p=0.5, q=2.0, random_state=1, n_jobs=1)
    b = random_walks(g, walk_length=20, walks_per_node=3, p=0.5, q=2.0, random_state=1, n_jobs=2)
    assert a.tobytes() == b.tobytes()
    adj = g.adjacency().toarray() > 0
    valid = (a[:, :-1] >= 0) & (a[:, 1:] >= 0)
    assert adj[a[:, :-1][valid], a[:, 1:][valid]].all()
    assert np.array_equal(a[:, 0], np.tile(np.arange(200), 3))
    c = random_walks(g, walk_length=20, walks_per_node=3, p=0.5, q=2.0, random_state=2)
    assert not np.array_equal(a, c)


def test_dead_ends_pad_with_minus_one():
    g = Graph.from_edges([0, 1], [1, 2], directed=True)
    w = random_walks(g, walk_length=5, walks_per_node=1, random_state=0)
    assert w.tolist() == [[0, 1, 2, -1, -1], [1, 2, -1, -1, -1], [2, -1, -1, -1, -1]]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"walk_length": 0}, "'walk_length' must be an int >= 1; got 0"),
        ({"walks_per_node": 1.5}, "'walks_per_node' must be an int >= 1"),
        ({"p": 0}, "'p' must be a positive number; got 0"),
        ({"q": float("inf")}, "'q' must be a positive number"),
    ],
)
def test_errors(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        random_walks(Graph.from_edges([0], [1]), **kwargs)
