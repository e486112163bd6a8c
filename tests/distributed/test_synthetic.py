"""The block-wise power-law generator: a valid symmetric graph, the same for any cluster."""

import numpy as np
import pytest

from embedlab.distributed._client import open_client
from embedlab.distributed.synthetic import power_law_blocks
from embedlab.exceptions import InvalidInputError


def test_blocks_form_a_simple_undirected_graph(client):
    bg = power_law_blocks(3000, 20_000, partitions=5, client=client, community_size=300)
    g = bg.to_graph(client)
    a = g.adjacency()
    assert (a != a.T).nnz == 0  # symmetric
    assert a.diagonal().sum() == 0  # no self-loops
    assert a.max() == 1  # no repeated pairs
    assert bg.nnz == a.nnz and 0.8 * 40_000 < a.nnz <= 40_000
    assert bg.bounds.tolist() == [0, 600, 1200, 1800, 2400, 3000]


def test_communities_and_mixing(client):
    community = 500
    for mixing, lo, hi in ((0.0, 1.0, 1.0), (0.3, 0.6, 0.8), (1.0, 0.0, 0.1)):
        g = power_law_blocks(
            5000, 30_000, partitions=2, client=client, community_size=community, mixing=mixing
        ).to_graph(client)
        rows = np.repeat(np.arange(g.n_nodes), np.diff(g.indptr))
        inside = np.mean(rows // community == g.indices // community)
        assert lo <= inside <= hi, (mixing, inside)


def test_degrees_follow_a_heavy_tail(client):
    g = power_law_blocks(20_000, 100_000, partitions=2, client=client, mixing=1.0).to_graph(client)
    deg = np.diff(g.indptr)
    assert deg.max() > 20 * deg.mean()  # hubs, as a power law of exponent 2.5 has


def test_same_seed_same_graph_on_any_cluster(client):
    a = power_law_blocks(2000, 9000, partitions=3, client=client, random_state=4).to_graph(client)
    with open_client(workers=1, processes=False) as one:
        b = power_law_blocks(2000, 9000, partitions=3, client=one, random_state=4).to_graph(one)
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    c = power_law_blocks(2000, 9000, partitions=3, client=client, random_state=5).to_graph(client)
    assert not np.array_equal(a.indices, c.indices)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 1, "m": 5}, "power_law_blocks needs n >= 2 and m >= 1; got n=1, m=5"),
        ({"exponent": 2.0}, "'exponent' must be > 2; got 2.0"),
        ({"mixing": 1.5}, r"'mixing' must be in \[0, 1\]; got 1.5"),
        ({"community_size": 1}, "'community_size' must be at least 2; got 1"),
        ({"partitions": 0}, r"'partitions' must be in \[1, 100\]; got 0"),
    ],
)
def test_errors(client, kwargs, message):
    args = {"n": 100, "m": 500, "partitions": 2, **kwargs}
    n, m = args.pop("n"), args.pop("m")
    with pytest.raises(InvalidInputError, match=message):
        power_law_blocks(n, m, client=client, **args)
