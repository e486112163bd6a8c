import gzip

import numpy as np
import pytest

from embedlab.datasets import (
    erdos_renyi,
    graph_dataset,
    list_graph_datasets,
    load_graph,
    load_labels,
    power_law_graph,
    read_labels,
    stochastic_block_model,
)
from embedlab.datasets.synthetic import _pairs_from_index
from embedlab.exceptions import InvalidInputError


def test_bundled_karate():
    g = load_graph("karate")
    assert (g.n_nodes, g.n_edges) == (34, 78)
    lab = load_labels("karate")
    assert lab.n_nodes == 34 and sorted(np.bincount(lab.labels).tolist()) == [17, 17]
    assert "karate" in [d.name for d in list_graph_datasets()]


@pytest.mark.data
def test_real_graphs_match_their_readmes(data_dir):
    blog = load_graph("blogcatalog")
    assert (blog.n_nodes, blog.n_edges) == (10312, 333983)
    lab = load_labels("blogcatalog")
    assert (lab.n_nodes, len(lab.classes), len(lab.nodes)) == (10312, 39, 14476)
    assert lab.is_multilabel
    cora = load_graph("cora")
    assert (cora.n_nodes, cora.n_edges) == (2708, 5278)
    assert load_graph("cora", directed=True).n_edges == 5429
    cl = load_labels("cora")
    assert sorted(np.bincount(cl.labels).tolist()) == sorted([818, 180, 217, 426, 351, 418, 298])
    astro = load_graph("ca-astroph")
    assert (astro.n_nodes, astro.n_edges) == (18772, 198110)
    rows = np.repeat(np.arange(astro.n_nodes), np.diff(astro.indptr))
    assert int((rows == astro.indices).sum()) == 60
    assert astro.node_ids.min() == 3 and astro.node_ids.max() == 133279


@pytest.mark.data
def test_folder_path_and_extra_folders(data_dir, tmp_path, monkeypatch):
    ds = graph_dataset(data_dir / "graphs" / "cora")
    assert ds.name == "cora" and ds.source == "path"
    extra = tmp_path / "graphs" / "tiny"
    extra.mkdir(parents=True)
    (extra / "edges.txt.gz").write_bytes(gzip.compress(b"1 2\n2 3\n"))
    monkeypatch.setenv("EMBEDLAB_DATA", str(tmp_path))
    assert load_graph("tiny").n_edges == 2
    with pytest.raises(InvalidInputError, match="has no labels file"):
        load_labels("tiny")


def test_unknown_dataset_and_bad_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("EMBEDLAB_DATA", raising=False)
    with pytest.raises(
        InvalidInputError,
        match=r"Unknown dataset 'nope'; choose one of: karate \(set EMBEDLAB_DATA",
    ):
        graph_dataset("nope")
    with pytest.raises(InvalidInputError, match="holds no edges file"):
        graph_dataset(tmp_path)


def test_read_labels(tmp_path):
    p = tmp_path / "l.txt"
    p.write_text("# c\na x\na y\nb\tx\n")
    lab = read_labels(p)
    assert lab.nodes.tolist() == ["a", "a", "b"] and lab.is_multilabel
    p.write_text("a\n")
    with pytest.raises(InvalidInputError, match=r"line 1: expected 'node label', got 'a'"):
        read_labels(p)
    p.write_text("# only a comment\n")
    with pytest.raises(InvalidInputError, match="holds no labels"):
        read_labels(p)
    with pytest.raises(InvalidInputError, match="does not exist"):
        read_labels(tmp_path / "none.txt")
    (tmp_path / "b.txt").write_bytes(b"\xff x\n")
    with pytest.raises(InvalidInputError, match="is not UTF-8 text"):
        read_labels(tmp_path / "b.txt")


def test_pairs_from_index_is_the_upper_triangle():
    for size in (2, 3, 7, 50):
        i, j = _pairs_from_index(np.arange(size * (size - 1) // 2), size)
        ref_i, ref_j = np.triu_indices(size, k=1)
        assert i.tolist() == ref_i.tolist() and j.tolist() == ref_j.tolist()


def test_sbm_densities(global_random_seed):
    g, lab = stochastic_block_model([300, 300], 0.05, 0.01, random_state=global_random_seed)
    adj = g.adjacency()
    same = lab.labels[:, None] == lab.labels[None, :]
    a = adj.toarray() > 0
    p_in = a[same].sum() / (same.sum() - 600)
    p_out = a[~same].sum() / (~same).sum()
    # binomial standard errors: ~0.0006 and ~0.0002
    assert abs(p_in - 0.05) < 0.003 and abs(p_out - 0.01) < 0.001
    g2, _ = stochastic_block_model([300, 300], 0.05, 0.01, random_state=global_random_seed)
    assert np.array_equal(g.indices, g2.indices)


def test_erdos_renyi_exact_size():
    g = erdos_renyi(1000, 5000, random_state=0)
    assert (g.n_nodes, g.n_edges) == (1000, 5000)
    with pytest.raises(InvalidInputError, match="has only 3 available node pairs; asked 4"):
        erdos_renyi(3, 4)


def test_power_law_is_heavy_tailed():
    g = power_law_graph(20000, 100000, exponent=2.5, random_state=0)
    deg = g.degrees()
    assert g.n_edges == 100000
    assert deg.max() > 20 * deg.mean()
    with pytest.raises(InvalidInputError, match="'exponent' must be > 2"):
        power_law_graph(10, 5, exponent=2.0)


def test_sbm_bad_input():
    with pytest.raises(InvalidInputError, match="'p_in' must be a probability"):
        stochastic_block_model([3], 1.5, 0.0)
    with pytest.raises(InvalidInputError, match="'sizes' must be positive block sizes"):
        stochastic_block_model([0], 0.5, 0.0)
