"""FastRP on Dask equals FastRP on one machine, and moves only the halos."""

import numpy as np
import pytest

from embedlab.distributed.fastrp import (
    block_bounds,
    block_graph,
    fastrp_blocks,
    renumbering,
)
from embedlab.exceptions import InvalidInputError
from embedlab.graph import FastRP, Graph


def _graph(seed=0, n=600, m=3000, weighted=False, directed=False):
    """Random graph with non-contiguous integer ids and isolated nodes (listed via ``nodes``)."""
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.uniform(0.5, 2.0, m) if weighted else None
    nodes = np.arange(n + 25) * 7 + 3  # 25 isolated nodes, ids with gaps
    return Graph.from_edges(src * 7 + 3, dst * 7 + 3, w, nodes=nodes, directed=directed)


@pytest.mark.parametrize("partitions", [1, 3, 8])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"iteration_weights": [1.0, 2.0], "node_self_influence": 0.5, "density": 0.9},
        {"standardize": False, "input_matrix": "adjacency", "normalize_iterations": False},
    ],
    ids=["default", "dense-first-step", "adjacency-unnormalised"],
)
def test_equals_local(client, partitions, params):
    g = _graph()
    local = FastRP(n_components=24, random_state=3, **params).fit(g)
    dask = FastRP(
        n_components=24, random_state=3, backend="dask", partitions=partitions, **params
    ).fit(g, client=client)
    assert np.abs(dask.embeddings_ - local.embeddings_).max() <= 1e-6
    np.testing.assert_allclose(dask.mean_, local.mean_, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(dask.ids_, local.ids_)
    # isolated nodes stay where they are and get the same (possibly zero) rows
    assert dask.embeddings_.dtype == np.float32 and dask.embeddings_.flags.c_contiguous


@pytest.mark.parametrize("weighted", [False, True])
def test_weighted_directed_and_features_equal_local(client, weighted):
    g = _graph(seed=1, weighted=weighted, directed=True)
    feats = np.random.default_rng(2).normal(size=(g.n_nodes, 5)).astype(np.float32)
    kw = {"n_components": 16, "property_ratio": 0.25, "random_state": 9}
    local = FastRP(**kw).fit(g, features=feats)
    dask = FastRP(**kw, backend="dask", partitions=5).fit(g, features=feats, client=client)
    assert np.abs(dask.embeddings_ - local.embeddings_).max() <= 1e-6
    # transform works on a Dask-fitted model (it replays the local propagation)
    new = [(10_001, int(g.node_ids[0])), (10_001, int(g.node_ids[5]))]
    np.testing.assert_array_equal(
        dask.transform(new, features=feats[:1]), local.transform(new, features=feats[:1])
    )


def test_string_ids_equal_local(client):
    g = Graph.from_edges(list("abcdefgh"), list("bcdefgha"))
    local = FastRP(n_components=8, iteration_weights=[1.0], random_state=0).fit(g)
    dask = FastRP(
        n_components=8, iteration_weights=[1.0], random_state=0, backend="dask", partitions=3
    ).fit(g, client=client)
    assert np.abs(dask.embeddings_ - local.embeddings_).max() <= 1e-6


def test_bytes_moved_are_the_remote_halos(client):
    g = _graph(seed=4)
    d = 32
    model = FastRP(n_components=d, random_state=0, backend="dask", partitions=4, density=0.9)
    model.fit(g, client=client)
    run = model.dask_run_
    # brute force: the halo of each block, split by the worker that owns each row
    bounds = block_bounds(g.indptr, 4)
    owner_block = np.searchsorted(bounds, np.arange(g.n_nodes), side="right") - 1
    workers = sorted(client.nthreads())
    remote = halo = 0
    for b in range(4):
        cols = np.unique(g.indices[g.indptr[bounds[b]] : g.indptr[bounds[b + 1]]])
        halo += len(cols)
        owners = owner_block[cols]
        remote += int(np.sum(np.array([workers[o % 2] != workers[b % 2] for o in owners])))
    assert run.halo_rows == halo
    assert run.remote_halo_rows == remote
    for sent in run.bytes_per_round:  # dense rounds (density 0.9): the pieces plus framing
        assert remote * d * 4 <= sent <= 1.5 * remote * d * 4
    assert max(run.bytes_per_round) < 4 * g.n_nodes * d * 4 / 2  # far below a broadcast


def test_sparse_first_round_moves_sparse_rows(client):
    g = _graph(seed=5, n=2000, m=8000)
    model = FastRP(n_components=64, random_state=0, backend="dask", partitions=4).fit(
        g, client=client
    )
    run = model.dask_run_
    dense = run.remote_halo_rows * 64 * 4
    assert run.bytes_per_round[0] < 0.5 * dense  # density 1/sqrt(n): about 1.4 entries a row
    assert run.bytes_per_round[1] >= dense


def test_rcm_renumbering_shrinks_halos_and_keeps_rows(client):
    # a ring whose ids are shuffled: contiguous blocks of ids have huge halos, RCM fixes that
    n = 400
    rng = np.random.default_rng(0)
    label = rng.permutation(n)
    g = Graph.from_edges(label, np.roll(label, 1), nodes=np.arange(n))
    from embedlab.distributed.fastrp import fit_fastrp

    model = FastRP(n_components=16, random_state=0)
    model._validate_params()
    model.seed_, model.density_ = 0, 1 / np.sqrt(n)
    plain = fit_fastrp(model, g, features=None, d_p=0, client=client, partitions=4)
    rcm = fit_fastrp(model, g, features=None, d_p=0, client=client, partitions=4, renumber="rcm")
    assert rcm[3].remote_halo_rows < 0.1 * plain[3].remote_halo_rows  # 12 vs 330 rows
    # same rows up to the order neighbours are summed in
    assert np.abs(rcm[0] - plain[0]).max() <= 1e-5
    perm = renumbering(g, "rcm")
    assert sorted(perm.tolist()) == list(range(n))


def test_result_can_stay_on_the_workers(client, tmp_path):
    g = _graph(seed=6)
    model = FastRP(n_components=8, random_state=1)
    model._validate_params()
    model.seed_, model.density_ = 1, 1 / np.sqrt(g.n_nodes)
    run = fastrp_blocks(model, block_graph(g, 3, client), client)
    paths = run.save(str(tmp_path), client)
    local = FastRP(n_components=8, random_state=1).fit(g).embeddings_
    saved = np.concatenate([np.load(p) for p in paths])
    assert np.abs(saved - local).max() <= 1e-6
    np.testing.assert_array_equal(run.gather(client), saved)


def test_on_worker_processes(process_client):
    g = _graph(seed=7)
    local = FastRP(n_components=16, random_state=2).fit(g)
    dask = FastRP(n_components=16, random_state=2, backend="dask", partitions=3).fit(
        g, client=process_client
    )
    assert np.abs(dask.embeddings_ - local.embeddings_).max() <= 1e-6


def test_block_bounds_balance_entries():
    indptr = np.concatenate([[0], np.cumsum([100, 1, 1, 1, 1, 1, 100, 1])])
    b = block_bounds(indptr, 2)
    assert b.tolist() == [0, 4, 8]  # 103 + 4 rows vs 103 + 4 rows
    assert block_bounds(np.array([0, 0, 0]), 2).tolist() == [0, 1, 2]


def test_errors(client):
    g = _graph()
    with pytest.raises(InvalidInputError, match=r"'partitions' must be an int >= 1; got 0"):
        block_bounds(g.indptr, 0)
    with pytest.raises(InvalidInputError, match=r"'partitions'=700 is more than the 625 nodes"):
        FastRP(backend="dask", partitions=700).fit(g, client=client)
    with pytest.raises(InvalidInputError, match="'client' is for backend='dask'"):
        FastRP().fit(g, client=client)
    with pytest.raises(InvalidInputError, match="The 'backend' parameter"):
        FastRP(backend="spark").fit(g)
    with pytest.raises(InvalidInputError, match="'renumber' must be None or 'rcm'; got 'metis'"):
        renumbering(g, "metis")
    with pytest.raises(InvalidInputError, match="'client' must be a distributed.Client"):
        FastRP(backend="dask").fit(g, client="tcp://nowhere")


@pytest.mark.parametrize("directed", [False, True])
def test_blocks_without_edges(client, directed):
    # 300 connected nodes then 700 isolated ones: the last blocks have empty halos
    rng = np.random.default_rng(8)
    src, dst = rng.integers(0, 300, 2000), rng.integers(0, 300, 2000)
    g = Graph.from_edges(src, dst, nodes=np.arange(1000), directed=directed)
    for density in ("auto", 0.9):  # sparse and dense first rounds
        kw = {"n_components": 16, "random_state": 0, "node_self_influence": 0.3}
        local = FastRP(**kw, density=density).fit(g)
        dask = FastRP(**kw, density=density, backend="dask", partitions=8).fit(g, client=client)
        assert np.abs(dask.embeddings_ - local.embeddings_).max() <= 1e-6


def test_a_fitted_model_leaves_nothing_on_the_workers(client):
    g = _graph(seed=9)
    model = FastRP(n_components=8, random_state=0, backend="dask", partitions=3)
    model.fit(g, client=client)
    model.fit(g, client=client)  # a refit ships the hyperparameters, not the fitted arrays
    assert model.dask_run_.blocks == []
    import time

    for _ in range(50):  # the scheduler forgets released keys asynchronously
        if not client.who_has():
            break
        time.sleep(0.1)
    assert client.who_has() == {}
