"""Orbit adjacencies against brute-force enumeration of every 2-, 3- and 4-node subset."""

from collections import defaultdict
from itertools import combinations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embedlab.exceptions import InvalidInputError
from embedlab.graph import Graph
from embedlab.graph.orbits import MATRICES, ORBIT_MULTIPLICITY, orbit_adjacency, orbit_counts


def _orbits_of(sub: np.ndarray) -> list[int] | None:
    """Pržulj orbit of each node of a connected induced graphlet on 2-4 nodes (None if
    disconnected)."""
    k = len(sub)
    if not nx.is_connected(nx.from_numpy_array(sub)):
        return None
    deg = sub.sum(axis=1).astype(int).tolist()
    edges = sum(deg) // 2
    if k == 2:
        return [0, 0]
    if k == 3:
        return [2 if d == 2 else 1 for d in deg] if edges == 2 else [3, 3, 3]
    by_shape = {
        (3, (1, 1, 2, 2)): {1: 4, 2: 5},
        (3, (1, 1, 1, 3)): {1: 6, 3: 7},
        (4, (2, 2, 2, 2)): {2: 8},
        (4, (1, 2, 2, 3)): {1: 9, 2: 10, 3: 11},
        (5, (2, 2, 3, 3)): {2: 12, 3: 13},
        (6, (3, 3, 3, 3)): {3: 14},
    }
    return [by_shape[(edges, tuple(sorted(deg)))][d] for d in deg]


def brute_force(adj: np.ndarray) -> dict:
    """Every connected induced subgraph on 2-4 nodes, every ordered pair in it."""
    n = len(adj)
    out: dict = defaultdict(lambda: np.zeros((n, n), dtype=np.int64))
    for k in (2, 3, 4):
        for nodes in combinations(range(n), k):
            sub = adj[np.ix_(nodes, nodes)]
            orbits = _orbits_of(sub)
            if orbits is None:
                continue
            dist = dict(nx.all_pairs_shortest_path_length(nx.from_numpy_array(sub)))
            for i, j in combinations(range(k), 2):
                for a, b in ((i, j), (j, i)):
                    out[(dist[a][b], orbits[a], orbits[b])][nodes[a], nodes[b]] += 1
    return out


def _random_adj(n: int, p: float, seed: int) -> np.ndarray:
    g = nx.gnp_random_graph(n, p, seed=seed)
    return nx.to_numpy_array(g, nodelist=range(n), dtype=np.int64)


def _check(adj: np.ndarray) -> None:
    n = len(adj)
    src, dst = np.nonzero(np.triu(adj))
    graph = Graph.from_edges(np.r_[src, np.arange(n)], np.r_[dst, np.arange(n)])  # + self-loops
    got = orbit_adjacency(graph)
    ref = brute_force(adj)
    assert set(got) == set(MATRICES) and len(got) == 28
    assert set(ref) <= set(MATRICES)
    order = np.argsort(graph.node_ids)  # graph rows in id order
    for key in MATRICES:
        want = ref[key] if key in ref else np.zeros((n, n), dtype=np.int64)
        dense = got[key].toarray()[np.ix_(order, order)]
        assert np.array_equal(dense, want), key


@pytest.mark.parametrize(("n", "p", "seed"), [(8, 0.5, 0), (9, 0.35, 1), (10, 0.6, 2), (7, 0.9, 3)])
def test_all_28_match_brute_force(n, p, seed):
    _check(_random_adj(n, p, seed))


@settings(max_examples=40, deadline=None)
@given(st.integers(4, 9), st.floats(0.1, 0.95), st.integers(0, 10_000))
def test_random_graphs_match_brute_force(n, p, seed):
    _check(_random_adj(n, p, seed))


def test_named_graphlets():
    """One of each 4-node graphlet on its own: a pair's count and the matrix total (ordered
    pairs of that orbit pair at that hop distance)."""
    for edges, key, pair, total in [
        ([(0, 1), (1, 2), (2, 3)], (3, 4, 4), (0, 3), 2),
        ([(0, 1), (0, 2), (0, 3)], (2, 6, 6), (1, 2), 6),
        ([(0, 1), (1, 2), (2, 3), (3, 0)], (2, 8, 8), (0, 2), 4),
        ([(0, 1), (1, 2), (2, 3), (3, 0)], (1, 8, 8), (0, 1), 8),
        ([(0, 1), (1, 2), (2, 0), (2, 3)], (2, 9, 10), (3, 0), 2),
        ([(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)], (2, 12, 12), (1, 3), 2),
        ([(a, b) for a, b in combinations(range(4), 2)], (1, 14, 14), (0, 3), 12),
    ]:
        src, dst = zip(*edges, strict=True)
        m = orbit_adjacency(Graph.from_edges(list(src), list(dst)))[key]
        assert m[pair] == 1 and m.sum() == total, key


def test_orbit_counts_are_row_sums():
    adj = _random_adj(12, 0.4, 5)
    src, dst = np.nonzero(np.triu(adj))
    graph = Graph.from_edges(src, dst)
    counts = orbit_counts(graph)
    mats = orbit_adjacency(graph)
    for (h, o1, o2), mult in ORBIT_MULTIPLICITY.items():
        sums = np.asarray(mats[(h, o1, o2)].sum(axis=1)).ravel()
        assert np.array_equal(sums, mult * counts[:, o1]), (h, o1, o2)
    assert np.array_equal(counts[:, 0], graph.degrees().astype(int))


def test_top_k_and_threshold_prune_rows():
    adj = _random_adj(40, 0.3, 7)
    src, dst = np.nonzero(np.triu(adj))
    g = Graph.from_edges(src, dst)
    full = orbit_adjacency(g)
    top = orbit_adjacency(g, top_k=3)
    thr = orbit_adjacency(g, threshold=4)
    for key in [(2, 1, 1), (2, 6, 6), (3, 4, 4)]:
        f, t = full[key].toarray(), top[key].toarray()
        assert ((t != 0).sum(axis=1) <= 3).all()
        for r in range(len(f)):  # kept entries are the row's largest, at their full value
            kept = t[r][t[r] != 0]
            assert np.array_equal(kept, f[r][t[r] != 0])
            if len(kept):
                assert kept.min() >= np.sort(f[r])[::-1][min(3, (f[r] != 0).sum()) - 1]
        tt = thr[key].toarray()
        assert np.array_equal(tt, np.where(f >= 4, f, 0))
    assert np.array_equal(top[(1, 3, 3)].toarray(), full[(1, 3, 3)].toarray())  # 1-hop untouched


def test_memory_guard_refuses_before_computing():
    g = Graph.from_edges([0] * 50, list(range(1, 51)))  # a star: 50 * 49 two-hop pairs
    with pytest.raises(
        InvalidInputError, match=r"need about .* GiB \(max_bytes=0.0 GiB\): pass top_k or threshold"
    ):
        orbit_adjacency(g, max_bytes=1000)
    pruned = orbit_adjacency(g, max_bytes=1000, top_k=2)
    assert (np.diff(pruned[(2, 6, 6)].indptr) <= 2).all()
    assert len(orbit_adjacency(g, max_hop=1)) == 19 and len(orbit_adjacency(g, max_hop=2)) == 27


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_hop": 4}, "max_hop must be 1, 2 or 3; got 4"),
        ({"top_k": 0}, "top_k must be a positive integer; got 0"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        orbit_adjacency(Graph.from_edges([0], [1]), **kwargs)


def test_cli_writes_matrices_and_manifest(tmp_path):
    import json

    import scipy.sparse as sp
    from typer.testing import CliRunner

    from embedlab.cli import app
    from embedlab.datasets import load_graph

    out = tmp_path / "orb"
    runner = CliRunner()
    res = runner.invoke(app, ["graph", "orbits", "karate", "-o", str(out)])
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["matrices"]) == 28 and manifest["n_nodes"] == 34
    want = orbit_adjacency(load_graph("karate"))
    for entry in manifest["matrices"]:
        m = sp.load_npz(out / entry["file"])
        key = (entry["hop"], *entry["orbits"])
        assert (m != want[key]).nnz == 0 and entry["nnz"] == want[key].nnz
        assert entry["sum"] == want[key].sum()
    ids = np.load(out / "node_ids.npy")
    assert np.array_equal(ids, load_graph("karate").node_ids)
    res = runner.invoke(app, ["graph", "orbits", "karate", "-o", str(out)])
    assert res.exit_code == 1 and "already holds orbit matrices; pass --overwrite" in res.output
    res = runner.invoke(
        app, ["graph", "orbits", "karate", "-o", str(tmp_path / "x"), "--max-gib", "0"]
    )
    assert res.exit_code == 1 and "pass top_k or threshold" in res.output


def test_a_subset_of_keys_equals_the_full_computation():
    adj = _random_adj(30, 0.3, 11)
    src, dst = np.nonzero(np.triu(adj))
    g = Graph.from_edges(src, dst)
    full = orbit_adjacency(g)
    three_node = [(1, 0, 0), (1, 2, 1), (1, 3, 3), (2, 1, 1)]  # no 4-node count needed
    mixed = [(2, 10, 9), (1, 13, 12), (3, 4, 4)]
    for keys in (three_node, mixed):
        got = orbit_adjacency(g, keys=keys)
        assert list(got) == [k for k in MATRICES if k in keys]
        for key in keys:
            assert (got[key] != full[key]).nnz == 0, key
    with pytest.raises(InvalidInputError, match=r"keys must be \(hop, orbit1, orbit2\) among"):
        orbit_adjacency(g, keys=[(1, 1, 1)])
