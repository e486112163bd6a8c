"""Orbit-PMI and NetMF: the PMI matrices against direct formulas, and quality on planted graphs."""

import numpy as np
import pytest
import scipy.sparse as sp

from embedlab.datasets import stochastic_block_model
from embedlab.eval import Clustering
from embedlab.exceptions import InvalidInputError
from embedlab.graph.orbit_pmi import OrbitPMI, RandomWalkPMI, parse_orbits, ppmi_embedding
from embedlab.graph.orbits import orbit_adjacency


def _sbm():
    return stochastic_block_model([40, 40, 40], 0.25, 0.01, random_state=3)


def test_ppmi_singular_values_match_the_formula():
    rng = np.random.default_rng(0)
    m = rng.poisson(1.0, size=(12, 12)).astype(float)
    s = m + m.T
    vol, r = s.sum(), s.sum(axis=1)
    ppmi = np.log(np.maximum(vol * s / np.outer(r, r) / 2.0, 1.0))  # b = 2
    want = np.linalg.svd(ppmi, compute_uv=False)[:5]
    for given in (m, sp.csr_array(m)):
        emb, sigma = ppmi_embedding(given, 5, negatives=2.0, seed=0)
        np.testing.assert_allclose(sigma, want, rtol=1e-6)
        assert emb.shape == (12, 5)


def test_netmf_matrix_matches_the_formula():
    g, _ = stochastic_block_model([10, 10], 0.5, 0.1, random_state=0)
    a = g.adjacency().toarray()
    d = a.sum(axis=1)
    p = a / d[:, None]
    t = 3
    m = sum(np.linalg.matrix_power(p, r) @ np.diag(1 / d) for r in range(1, t + 1))
    netmf = np.log(np.maximum(a.sum() / t * m, 1.0))
    want = np.linalg.svd(netmf, compute_uv=False)[:6]
    model = RandomWalkPMI(n_components=6, window=t, random_state=0).fit(g)
    np.testing.assert_allclose(model.singular_values_, want, rtol=1e-6)


def test_orbit_pmi_on_the_adjacency_is_netmf_with_window_one():
    g, _ = _sbm()
    a = OrbitPMI(n_components=8, orbits="0-0-1", random_state=0).fit(g)
    b = RandomWalkPMI(n_components=8, window=1, random_state=0).fit(g)
    np.testing.assert_allclose(a.singular_values_, b.singular_values_, rtol=1e-6)


def test_orbit_pmi_sums_the_chosen_matrices():
    g, _ = _sbm()
    mats = orbit_adjacency(g, max_hop=2)
    total = mats[(1, 3, 3)] + mats[(2, 12, 12)]
    want = ppmi_embedding(total, 6, seed=0)[1]
    got = OrbitPMI(n_components=6, orbits="3-3-1,12-12-2", random_state=0).fit(g)
    np.testing.assert_allclose(got.singular_values_, want, rtol=1e-9)


@pytest.mark.parametrize("cls", [OrbitPMI, RandomWalkPMI])
def test_planted_partition_is_separated(cls):
    g, lab = _sbm()
    assert Clustering(lab)(cls(n_components=16, random_state=0).fit(g))["nmi"] >= 0.9


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("0-0", r"Orbit adjacency '0-0' is not 'o1-o2-hop' \(e.g. 0-0-1, 12-12-2\)"),
        ("1-1-1", "There is no orbit adjacency '1-1-1': orbits 1 and 1 are never 1 hop"),
        ("", "No orbit adjacency given"),
    ],
)
def test_bad_orbit_specs(spec, message):
    with pytest.raises(InvalidInputError, match=message):
        parse_orbits(spec)


def test_groups():
    assert parse_orbits("2-hop") == [k for k in parse_orbits("all") if k[0] == 2]
    assert parse_orbits("3-hop") == [(3, 4, 4)]
    assert parse_orbits("0-0-1,0-0-1") == [(1, 0, 0)]


def test_embedding_from_counted_matrices_equals_the_estimator():
    from embedlab.graph.orbit_pmi import orbit_pmi_embedding

    g, _ = _sbm()
    mats = orbit_adjacency(g, max_hop=2)
    emb, sigma = orbit_pmi_embedding(mats, "1-hop,1-1-2", 6, seed=3)
    model = OrbitPMI(n_components=6, orbits="1-hop,1-1-2", random_state=3).fit(g)
    np.testing.assert_array_equal(emb, model.embeddings_)
    np.testing.assert_array_equal(sigma, model.singular_values_)
    with pytest.raises(InvalidInputError, match="lack 4-4-3: count them first"):
        orbit_pmi_embedding(mats, "4-4-3", 6)
