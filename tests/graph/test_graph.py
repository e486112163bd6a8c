import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from embedlab.exceptions import InvalidInputError
from embedlab.graph import Graph


def dense(g):
    return g.adjacency().toarray()


def test_undirected_duplicates_collapse():
    g = Graph.from_edges([1, 2, 1], [2, 1, 2])
    assert g.n_nodes == 2 and g.n_edges == 1
    assert dense(g).tolist() == [[0, 1], [1, 0]]


def test_weighted_duplicates_sum():
    g = Graph.from_edges([1, 2], [2, 1], [0.5, 2.0])
    assert g.weighted and dense(g).tolist() == [[0, 2.5], [2.5, 0]]


def test_self_loops_kept_once_or_dropped():
    g = Graph.from_edges([0, 0], [0, 1])
    assert dense(g).tolist() == [[1, 1], [1, 0]] and g.n_edges == 2
    g = Graph.from_edges([0, 0], [0, 1], self_loops="drop")
    assert dense(g).tolist() == [[0, 1], [1, 0]]
    with pytest.raises(InvalidInputError, match="'self_loops' parameter must be 'keep' or 'drop'"):
        Graph.from_edges([0], [1], self_loops="x")


def test_directed_and_isolated():
    g = Graph.from_edges(["a"], ["b"], nodes=["c"], directed=True)
    assert g.node_ids.tolist() == ["a", "b", "c"]
    assert dense(g).tolist() == [[0, 1, 0], [0, 0, 0], [0, 0, 0]]
    assert g.degrees().tolist() == [1, 0, 0]


def test_non_contiguous_ids_and_positions():
    g = Graph.from_edges([100, 5], [7, 100])
    assert g.node_ids.tolist() == [5, 7, 100]
    assert g.positions([100, 5]).tolist() == [2, 0]
    with pytest.raises(InvalidInputError, match=r"1 unknown node ids: 6"):
        g.positions([6])


def test_huge_integer_ids():
    g = Graph.from_edges([2**62, 3], [3, 10**15])
    assert g.node_ids.tolist() == [3, 10**15, 2**62]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (([1], [2, 3]), {}, "'src' and 'dst' must have the same length"),
        (([1], [2], [-1.0]), {}, r"Edge weights must be finite and positive; found -1\.0"),
        (([1], [2], [np.nan]), {}, "Edge weights must be finite and positive"),
        (([1], [2]), {"weighted": True}, "weighted=True but no weights were given"),
        (([], []), {}, "The graph is empty"),
        (([[1, 2]], [[1, 2]]), {}, "'src' must be 1-d"),
        (([1.5], [2]), {}, "must hold integer or string node ids"),
    ],
)
def test_bad_edges(args, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        Graph.from_edges(*args, **kwargs)


def test_from_edgelist_weight_handling(tmp_path):
    p = tmp_path / "w.txt"
    p.write_text("1 2 3.0\n2 3 1.0\n")
    assert Graph.from_edgelist(p).weighted
    assert not Graph.from_edgelist(p, weighted=False).weighted
    q = tmp_path / "u.txt"
    q.write_text("1 2\n")
    with pytest.raises(InvalidInputError, match="has no weight column"):
        Graph.from_edgelist(q, weighted=True)


def test_from_networkx_keeps_ids_and_direction():
    G = nx.DiGraph()
    G.add_edge(("a", 1), "b", weight=2.0)
    G.add_node(7)
    g = Graph.from_networkx(G)
    assert g.directed and g.weighted and g.n_nodes == 3
    assert g.node_ids.tolist() == [("a", 1), "b", 7]
    assert dense(g)[0, 1] == 2.0 and dense(g)[1, 0] == 0
    assert g.positions([7]).tolist() == [2]
    k = Graph.from_networkx(nx.karate_club_graph(), weight=None)
    assert (k.n_nodes, k.n_edges, k.weighted) == (34, 78, False)


def test_from_scipy():
    m = sp.csr_array(np.array([[0, 1, 0], [0, 0, 2], [0, 0, 0]], dtype=float))
    g = Graph.from_scipy(m)  # upper-triangular: mirrored
    assert dense(g).tolist() == [[0, 1, 0], [1, 0, 2], [0, 2, 0]] and g.weighted
    gd = Graph.from_scipy(m, directed=True, weighted=False)
    assert dense(gd).tolist() == [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    sym = m + m.T
    assert np.array_equal(dense(Graph.from_scipy(sym)), sym.toarray())
    bad = sp.csr_array(np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=float))
    with pytest.raises(InvalidInputError, match="neither symmetric nor triangular"):
        Graph.from_scipy(bad)
    with pytest.raises(InvalidInputError, match="must be square"):
        Graph.from_scipy(sp.csr_array((2, 3)))
    with pytest.raises(InvalidInputError, match="Expected a scipy.sparse matrix"):
        Graph.from_scipy(np.eye(2))


def test_from_any():
    g = Graph.from_edges([0], [1])
    assert Graph.from_any(g) is g
    with pytest.raises(InvalidInputError, match="Cannot build a Graph from int"):
        Graph.from_any(3)


@settings(max_examples=40, deadline=None)
@given(
    edges=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=1, max_size=40),
    directed=st.booleans(),
)
def test_matches_networkx(edges, directed):
    src, dst = zip(*edges, strict=True)
    g = Graph.from_edges(list(src), list(dst), directed=directed)
    G = (nx.DiGraph if directed else nx.Graph)()
    G.add_edges_from(edges)
    order = g.node_ids.tolist()
    ref = nx.to_numpy_array(G, nodelist=order, weight=None)
    ref[np.diag_indices_from(ref)] = np.minimum(np.diag(ref), 1)  # networkx counts loops as 1 too
    assert np.array_equal(dense(g), ref)
    assert g.n_edges == G.number_of_edges()
