"""Memory estimates: the arrays counted one by one, and the halos exact when the graph is given."""

import math

import numpy as np
import pytest

from embedlab.distributed.fastrp import block_bounds
from embedlab.distributed.memory import (
    PROCESS_BASELINE,
    check_memory,
    estimate_memory,
)
from embedlab.distributed.synthetic import power_law_blocks
from embedlab.exceptions import InvalidInputError
from embedlab.graph import Graph


def test_fastrp_one_process_counts_every_array():
    n, m, d = 10_000, 80_000, 64
    est = estimate_memory("fastrp", n_nodes=n, n_entries=m, n_components=d)
    expected = (
        8 * (n + 1)
        + 8 * m  # row pointers, column indices, weights
        + 20 * n  # keys, degrees, inverse degrees
        + 12 * n * d  # x, out, acc
        + int(8 * n * d / math.sqrt(n) + 8 * n)  # the sparse projection
    )
    assert est.per_worker == expected + PROCESS_BASELINE == est.total
    assert est.workers == 1
    assert sum(est.parts.values()) == expected


def test_fastrp_on_workers_uses_exact_halos():
    rng = np.random.default_rng(0)
    g = Graph.from_edges(rng.integers(0, 300, 2000), rng.integers(0, 300, 2000))
    d, p = 16, 4
    est = estimate_memory("fastrp", g, n_components=d, workers=2, partitions=p)
    bounds = block_bounds(g.indptr, p)
    per = [0, 0]
    peak = [0, 0]
    for b in range(p):
        lo, hi = bounds[b], bounds[b + 1]
        rows, entries = hi - lo, g.indptr[hi] - g.indptr[lo]
        halo = len(np.unique(g.indices[g.indptr[lo] : g.indptr[hi]]))
        per[b % 2] += 8 * rows + 8 * entries + 20 * rows + 12 * rows * d + 8 * halo
        peak[b % 2] = max(peak[b % 2], 12 * halo * d)
    worst = max(per[w] + peak[w] for w in range(2))
    assert est.per_worker == worst + PROCESS_BASELINE
    assert est.total == sum(per) + sum(peak) + 2 * PROCESS_BASELINE
    # from sizes alone the halo bound can only be larger
    loose = estimate_memory(
        "fastrp",
        n_nodes=g.n_nodes,
        n_entries=len(g.indices),
        n_components=d,
        workers=2,
        partitions=p,
    )
    assert loose.per_worker >= est.per_worker


def test_block_graph_estimate_equals_the_gathered_graphs(client):
    bg = power_law_blocks(2000, 8000, partitions=4, client=client, community_size=100)
    on_workers = estimate_memory("fastrp", bg, n_components=8)
    gathered = estimate_memory(
        "fastrp", bg.to_graph(client), n_components=8, workers=2, partitions=4
    )
    # the same blocks (equal rows here vs balanced entries there) give close, not equal, bytes
    assert on_workers.workers == 2
    assert abs(on_workers.per_worker - gathered.per_worker) < 0.2 * gathered.per_worker


def test_more_workers_need_less_each():
    kw = {"n_nodes": 1_000_000, "n_entries": 10_000_000, "n_components": 128}
    one = estimate_memory("fastrp", **kw)
    four = estimate_memory("fastrp", workers=4, partitions=32, **kw)
    assert four.per_worker < one.per_worker
    assert estimate_memory("deepwalk", **kw).per_worker > 8 * 1_000_000 * 128


def test_check_memory_refuses_and_warns():
    est = estimate_memory("fastrp", n_nodes=1_000_000, n_entries=10_000_000)
    with pytest.raises(InvalidInputError, match=r"needs about 1\.8 GiB per process but 1\.0 GiB"):
        check_memory(est, 2**30)
    assert check_memory(est, int(est.per_worker / 0.9)).startswith("This run needs about 1.8")
    assert check_memory(est, 100 * 2**30) is None


def test_errors():
    with pytest.raises(InvalidInputError, match="Memory estimates exist for fastrp, deepwalk"):
        estimate_memory("sgd", n_nodes=1, n_entries=1)
    with pytest.raises(InvalidInputError, match="Give the graph, or both n_nodes and n_entries"):
        estimate_memory("fastrp", n_nodes=10)
    with pytest.raises(InvalidInputError, match="'workers' must be at least 1; got 0"):
        estimate_memory("fastrp", n_nodes=10, n_entries=10, workers=0)
    with pytest.raises(InvalidInputError, match="A graph needs n_nodes >= 1"):
        estimate_memory("fastrp", n_nodes=0, n_entries=10)
