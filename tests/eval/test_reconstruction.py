import numpy as np
import pytest

from embedlab.datasets import erdos_renyi
from embedlab.eval.reconstruction import Reconstruction, hop_neighbourhoods
from embedlab.exceptions import InvalidInputError
from embedlab.graph import Graph


def cliques(k, size):
    src, dst = [], []
    for c in range(k):
        nodes = np.arange(c * size, (c + 1) * size)
        i, j = np.triu_indices(size, 1)
        src += nodes[i].tolist()
        dst += nodes[j].tolist()
    return Graph.from_edges(src, dst)


def test_one_hot_cliques_reconstruct_perfectly():
    g = cliques(5, 6)
    x = np.repeat(np.eye(5), 6, axis=0)
    res = Reconstruction(g, hops=[1], k=5, sample=30)((g.node_ids, x))
    assert res == {"map@1": 1.0, "precision@5": 1.0}


def test_random_vectors_score_near_density(global_random_seed):
    g = erdos_renyi(400, 8000, random_state=global_random_seed)  # density 0.1
    x = np.random.default_rng(global_random_seed).normal(size=(400, 16))
    res = Reconstruction(g, hops=[1], sample=400, random_state=global_random_seed)((g.node_ids, x))
    density = 2 * 8000 / (400 * 399)
    assert abs(res["map@1"] - density) < 0.03
    assert abs(res["precision@10"] - density) < 0.03


def test_hop_neighbourhoods_match_bfs():
    import networkx as nx

    g = erdos_renyi(60, 90, random_state=1)
    G = nx.Graph()
    G.add_nodes_from(range(60))
    rows = np.repeat(np.arange(60), np.diff(g.indptr))
    G.add_edges_from(zip(rows.tolist(), g.indices.tolist(), strict=True))
    src = np.array([0, 7, 33])
    masks = hop_neighbourhoods(g, src, 3)
    for h in (1, 2, 3):
        for r, s in enumerate(src):
            within = nx.single_source_shortest_path_length(G, int(s), cutoff=h)
            expect = sorted(v for v in within if v != s)
            assert np.flatnonzero(masks[h - 1][r]).tolist() == expect


def test_block_size_does_not_matter():
    g = erdos_renyi(200, 800, random_state=0)
    x = np.random.default_rng(0).normal(size=(200, 8))
    a = Reconstruction(g, block=7)((g.node_ids, x))
    b = Reconstruction(g, block=512)((g.node_ids, x))
    assert a == pytest.approx(b)


def test_errors():
    g = cliques(2, 3)
    x = np.ones((6, 2))
    with pytest.raises(InvalidInputError, match="'hops' must be positive integers"):
        Reconstruction(g, hops=[0])((g.node_ids, x))
    with pytest.raises(InvalidInputError, match="'similarity' must be 'cosine' or 'dot'"):
        Reconstruction(g, similarity="l2")((g.node_ids, x))
    with pytest.raises(InvalidInputError, match="The embedding has 2 nodes but the graph has 6"):
        Reconstruction(g)((np.arange(2), x[:2]))
    with pytest.raises(InvalidInputError, match="'sample' must be an int >= 1"):
        Reconstruction(g, sample=0)((g.node_ids, x))


@pytest.mark.data
def test_fastrp_on_cora_is_fast_and_beats_random(data_dir):
    import time

    from embedlab.datasets import load_graph
    from embedlab.graph import FastRP

    g = load_graph("cora")
    t0 = time.perf_counter()
    res = Reconstruction(g)(FastRP(n_components=128, random_state=0).fit(g))
    took = time.perf_counter() - t0
    rnd = Reconstruction(g)((g.node_ids, np.random.default_rng(0).normal(size=(g.n_nodes, 128))))
    assert set(res) == {"map@1", "map@2", "map@3", "precision@10"}
    assert res["map@1"] > 10 * rnd["map@1"]
    assert took < 10, f"Cora reconstruction took {took:.1f} s"
