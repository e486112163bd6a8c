"""FastRP against a dense transcription of the authors' code, and its distributional claims."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.preprocessing import normalize, scale

from embedlab.datasets import erdos_renyi, stochastic_block_model
from embedlab.exceptions import InvalidInputError, NotFittedError
from embedlab.graph import FastRP, Graph
from embedlab.graph.fastrp import node_hash_keys, very_sparse_projection


def reference_fastrp(
    adj, r, weights, beta, self_influence=0.0, standardize=True, adjacency=False, normalized=True
):
    """GTmac/FastRP ``fastrp_projection`` + ``fastrp_merge`` (input_matrix='trans',
    normalization=True), in dense numpy, with the projection ``r`` given.
    """
    adj = np.asarray(adj, dtype=np.float64)
    deg = adj.sum(axis=1)
    trans = np.divide(adj, deg[:, None], out=np.zeros_like(adj), where=deg[:, None] > 0)
    if adjacency:  # the authors' input_matrix='adj'
        trans = adj
    rn = normalize if normalized else (lambda a: a)  # the authors' normalization switch
    dscale = np.where(deg > 0, np.power(np.where(deg > 0, deg, 1.0), beta), 1.0)
    h = r.astype(np.float64) * dscale[:, None]
    out = self_influence * rn(h) if self_influence else np.zeros_like(h)
    for w in weights:
        h = trans @ h
        out += w * rn(h)
    return scale(out) if standardize else out


def _projection(graph, d, seed):
    return very_sparse_projection(
        node_hash_keys(graph.node_ids), d, 1 / np.sqrt(graph.n_nodes), seed
    )


@pytest.mark.parametrize("density", ["auto", 0.6])  # sparse first step / dense first step
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("directed", [False, True])
def test_matches_authors_maths(global_random_seed, weighted, directed, density):
    rng = np.random.default_rng(global_random_seed)
    n = 80
    src, dst = rng.integers(0, n, 400), rng.integers(0, n, 400)
    w = rng.uniform(0.5, 3.0, 400) if weighted else None
    g = Graph.from_edges(src, dst, w, nodes=np.arange(n), directed=directed)
    weights, beta = [0.0, 0.5, 1.0, 6.67], -0.64
    model = FastRP(
        n_components=32,
        iteration_weights=weights,
        normalization_strength=beta,
        density=density,
        random_state=global_random_seed,
    ).fit(g)
    dens = 1 / np.sqrt(n) if density == "auto" else density
    r = very_sparse_projection(node_hash_keys(g.node_ids), 32, dens, global_random_seed)
    ref = reference_fastrp(g.adjacency().toarray(), r, weights, beta)
    np.testing.assert_allclose(model.embeddings_, ref, rtol=1e-4, atol=2e-4)


def test_without_standardization_and_with_self_influence():
    g, _ = stochastic_block_model([20, 20], 0.3, 0.05, random_state=3)
    m = FastRP(
        n_components=16,
        iteration_weights=[1.0, 2.0],
        normalization_strength=0.3,
        node_self_influence=0.7,
        standardize=False,
        random_state=5,
    ).fit(g)
    ref = reference_fastrp(
        g.adjacency().toarray(),
        _projection(g, 16, 5),
        [1.0, 2.0],
        0.3,
        self_influence=0.7,
        standardize=False,
    )
    np.testing.assert_allclose(m.embeddings_, ref, rtol=1e-5, atol=1e-5)
    assert np.array_equal(m.mean_, np.zeros(16)) and np.array_equal(m.scale_, np.ones(16))


@pytest.mark.parametrize("normalized", [True, False])
def test_adjacency_input_and_unnormalised_iterations(normalized):
    """The authors' link-prediction setting: input_matrix='adj', normalization switch."""
    g, _ = stochastic_block_model([30, 30], 0.2, 0.05, random_state=4)
    m = FastRP(
        n_components=16,
        iteration_weights=[1.0, 0.01],
        normalization_strength=0.2,
        input_matrix="adjacency",
        normalize_iterations=normalized,
        standardize=False,
        node_self_influence=0.5,
        random_state=2,
    ).fit(g)
    ref = reference_fastrp(
        g.adjacency().toarray(),
        _projection(g, 16, 2),
        [1.0, 0.01],
        0.2,
        self_influence=0.5,
        standardize=False,
        adjacency=True,
        normalized=normalized,
    )
    np.testing.assert_allclose(m.embeddings_, ref, rtol=1e-4, atol=1e-5)


def test_projection_distribution():
    """Li et al.'s very sparse projection: P(+v) = P(-v) = density/2, v = sqrt(1/(density d))."""
    density, d = 0.1, 500
    r = very_sparse_projection(np.arange(2000, dtype=np.uint64), d, density, seed=9)
    v = np.sqrt(1 / (density * d))
    vals = r.ravel()
    assert set(np.unique(np.round(vals / v, 6)).tolist()) == {-1.0, 0.0, 1.0}
    n = vals.size
    sigma = np.sqrt(0.05 * 0.95 / n)
    assert abs(np.mean(vals > 0) - 0.05) < 5 * sigma
    assert abs(np.mean(vals < 0) - 0.05) < 5 * sigma
    # E[R_ij^2] = 1/d, so squared norms of projected vectors are preserved on average
    x = np.random.default_rng(0).normal(size=(50, 2000))
    ratio = np.linalg.norm(x @ r, axis=1) ** 2 / np.linalg.norm(x, axis=1) ** 2
    assert abs(ratio.mean() - 1) < 0.05
    # rows are independent streams: no two rows equal, columns have the right per-column rate
    assert abs(np.mean(r != 0, axis=0).mean() - density) < 0.005


def test_projection_rows_depend_only_on_key_and_seed():
    a = very_sparse_projection(np.array([5, 9, 11], dtype=np.uint64), 64, 0.3, seed=1)
    b = very_sparse_projection(np.array([11, 5], dtype=np.uint64), 64, 0.3, seed=1)
    assert np.array_equal(a[[2, 0]], b)
    c = very_sparse_projection(np.array([5], dtype=np.uint64), 64, 0.3, seed=2)
    assert not np.array_equal(a[0], c[0])


def test_node_keys_for_strings_are_stable():
    keys = node_hash_keys(np.array(["a", "b", 3], dtype=object))
    assert keys[2] == 3 and keys[0] != keys[1]
    assert node_hash_keys(np.array(["a"], dtype=object))[0] == keys[0]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31), perm_seed=st.integers(0, 1000))
def test_relabelling_nodes_permutes_rows(seed, perm_seed):
    """Per-node seeds: listing the same graph in another node order permutes the rows."""
    g = erdos_renyi(40, 120, random_state=seed)
    src = np.repeat(np.arange(40), np.diff(g.indptr))
    dst = g.indices
    order = np.random.default_rng(perm_seed).permutation(len(src))
    ids = np.array([f"n{i}" for i in range(40)], dtype=object)
    g1 = Graph.from_edges(ids[src], ids[dst])
    g2 = Graph.from_edges(ids[src[order]], ids[dst[order]])
    e1 = FastRP(n_components=16, random_state=seed).fit(g1)
    e2 = FastRP(n_components=16, random_state=seed).fit(g2)
    pos = g2.positions(e1.ids_)
    np.testing.assert_allclose(e1.embeddings_, e2.embeddings_[pos], rtol=1e-5, atol=1e-5)


def test_thread_count_does_not_change_bytes():
    g, _ = stochastic_block_model([100, 100, 100], 0.1, 0.01, random_state=0)
    one = FastRP(n_components=64, random_state=3, n_jobs=1).fit_transform(g)
    two = FastRP(n_components=64, random_state=3, n_jobs=2).fit_transform(g)
    assert one.tobytes() == two.tobytes()


def test_isolated_nodes_need_self_influence():
    g = Graph.from_edges([0, 1], [1, 2], nodes=[0, 1, 2, 3])
    m0 = FastRP(
        n_components=64, iteration_weights=[1.0], standardize=False, density=0.5, random_state=0
    ).fit(g)
    assert np.all(m0.embeddings_[3] == 0)
    m1 = FastRP(
        n_components=64,
        iteration_weights=[1.0],
        node_self_influence=1.0,
        standardize=False,
        density=0.5,
        random_state=0,
    ).fit(g)
    assert np.linalg.norm(m1.embeddings_[3]) == pytest.approx(1.0, rel=1e-6)


def test_edge_weights_matter():
    src, dst = [0, 0, 1, 2], [1, 2, 3, 3]
    a = FastRP(n_components=32, iteration_weights=[1, 1], random_state=0)
    ea = a.fit_transform(Graph.from_edges(src, dst))
    eb = a.fit_transform(Graph.from_edges(src, dst, [1.0, 9.0, 1.0, 1.0]))
    assert not np.allclose(ea, eb)
    ec = a.fit_transform(Graph.from_edges(src, dst, [2.0, 2.0, 2.0, 2.0]))
    np.testing.assert_allclose(ea, ec, atol=1e-6)  # a uniform rescaling changes nothing


def test_features_follow_gds_layout():
    g, labels = stochastic_block_model([30, 30], 0.2, 0.2, random_state=1)  # no structure
    feats = np.eye(2, dtype=np.float32)[labels.labels] + 0.01
    m = FastRP(
        n_components=32,
        property_ratio=0.5,
        iteration_weights=[0.0, 1.0],
        node_self_influence=1.0,
        random_state=0,
    ).fit(g, features=feats)
    assert m.n_feature_dims_ == 16
    # the feature half alone carries the planted label
    from sklearn.linear_model import LogisticRegression

    acc = (
        LogisticRegression()
        .fit(m.embeddings_[:, 16:], labels.labels)
        .score(m.embeddings_[:, 16:], labels.labels)
    )
    assert acc > 0.95


def test_feature_errors():
    g = Graph.from_edges([0, 1], [1, 2])
    with pytest.raises(InvalidInputError, match="property_ratio=0.5 needs node features"):
        FastRP(property_ratio=0.5).fit(g)
    with pytest.raises(InvalidInputError, match="'features' has 2 rows but the graph has 3 nodes"):
        FastRP(property_ratio=0.5).fit(g, features=np.ones((2, 2)))
    with pytest.raises(InvalidInputError, match="property_ratio=0.0 leaves them no dimension"):
        FastRP().fit(g, features=np.ones((3, 2)))


def test_transform_of_a_copy_equals_the_original():
    """A new node with exactly the neighbours of fitted node u gets u's embedding (α0 = 0)."""
    g = Graph.from_networkx(nx.karate_club_graph(), weight=None)
    m = FastRP(n_components=32, random_state=0).fit(g)
    u = 5
    nbrs = g.indices[g.indptr[u] : g.indptr[u + 1]]
    new = m.transform([(1000, int(g.node_ids[v])) for v in nbrs])
    np.testing.assert_allclose(new[0], m.embeddings_[u], rtol=1e-4, atol=1e-4)


def test_transform_matches_dense_recurrence():
    g, _ = stochastic_block_model([25, 25], 0.2, 0.05, random_state=2)
    m = FastRP(
        n_components=16, iteration_weights=[0.5, 1.0, 2.0], node_self_influence=0.3, random_state=4
    ).fit(g)
    edges = [("x", 0, 1.0), ("x", 7, 1.0), ("y", 30, 1.0)]
    g_int = Graph.from_edges(g.node_ids[np.repeat(np.arange(50), np.diff(g.indptr))], g.indices)
    with pytest.raises(InvalidInputError, match="must be integers like the fitted graph's ids"):
        m.transform(edges)
    new = m.transform([(100, 0), (100, 7), (101, 30)])
    # dense recurrence: h_i(v) = mean of fitted H_{i-1} over v's neighbours
    adj = g_int.adjacency().toarray()
    deg = adj.sum(1)
    r = _projection(g, 16, 4) * (deg**-0.64)[:, None]
    rn = very_sparse_projection(np.array([100, 101], dtype=np.uint64), 16, 1 / np.sqrt(50), 4)
    rn = rn * np.array([2.0, 1.0])[:, None] ** -0.64
    b = np.zeros((2, 50))
    b[0, [0, 7]] = 0.5
    b[1, 30] = 1.0
    h, out = r.astype(np.float64), 0.3 * normalize(rn)
    for w in [0.5, 1.0, 2.0]:
        out += w * normalize(b @ h)
        h = (adj / deg[:, None]) @ h
    expect = (out - m.mean_) / m.scale_
    np.testing.assert_allclose(new, expect, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(
        m.transform([(101, 30), (100, 7), (100, 0)], nodes=[101, 100]), new[::-1], atol=1e-6
    )


def test_transform_errors():
    g = Graph.from_edges([0, 1], [1, 2])
    with pytest.raises(NotFittedError, match="not fitted yet"):
        FastRP().transform([(5, 0)])
    m = FastRP(n_components=8, random_state=0).fit(g)
    with pytest.raises(InvalidInputError, match="are already in the fitted graph, e.g. 1"):
        m.transform([(1, 0)])
    with pytest.raises(InvalidInputError, match="1 unknown node ids: 42"):
        m.transform([(9, 42)])
    with pytest.raises(InvalidInputError, match="'edges' is empty"):
        m.transform([])
    with pytest.raises(InvalidInputError, match="must list each of the 1 new nodes exactly once"):
        m.transform([(9, 0)], nodes=[9, 10])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"n_components": 0},
            r"'n_components' parameter of FastRP must be an int in the range \[1, inf\)",
        ),
        (
            {"iteration_weights": []},
            "'iteration_weights' parameter of FastRP must be a non-empty list",
        ),
        ({"iteration_weights": [1.0, np.nan]}, "'iteration_weights' parameter of FastRP"),
        (
            {"density": 0.0},
            r"'density' parameter of FastRP must be a str among \{'auto'\} or a float in the range \(0, 1\]",
        ),
        ({"property_ratio": 1.5}, "'property_ratio' parameter of FastRP"),
        ({"random_state": -1}, "'random_state' parameter of FastRP"),
        ({"n_jobs": 0}, "'n_jobs' parameter of FastRP"),
        ({"standardize": "yes"}, "'standardize' parameter of FastRP must be an instance of 'bool'"),
    ],
)
def test_bad_params(params, message):
    with pytest.raises(InvalidInputError, match=message):
        FastRP(**params).fit(Graph.from_edges([0], [1]))


def test_accepts_scipy_and_networkx_and_paths(tmp_path):
    adj = sp.csr_array(nx.to_scipy_sparse_array(nx.karate_club_graph(), weight=None))
    a = FastRP(n_components=8, random_state=0).fit_transform(adj)
    b = FastRP(n_components=8, random_state=0).fit_transform(
        Graph.from_networkx(nx.karate_club_graph(), weight=None)
    )
    np.testing.assert_allclose(a, b, atol=1e-6)
    p = tmp_path / "e.txt"
    p.write_text("0 1\n1 2\n")
    assert FastRP(n_components=4, random_state=0).fit(p).embeddings_.shape == (3, 4)
