"""Partitioned skip-gram (PyTorch-BigGraph's schedule) on Dask: buckets, locks, order, the maths."""

from collections import Counter

import numpy as np
import pytest

from embedlab.datasets import stochastic_block_model
from embedlab.distributed.skipgram import (
    _ORDER_SALT,
    _locks,
    bucket_negatives,
    bucket_order,
    bucket_seed,
    edge_pairs,
    node_partitions,
    partition_memory_bytes,
    partitioned_sgns,
    schedule_buckets,
    train_bucket,
    train_partitioned_sgns,
    walk_pairs,
)
from embedlab.exceptions import InvalidInputError
from embedlab.graph import Graph
from embedlab.graph import _kernels as K
from embedlab.graph._sampling import alias_probabilities
from embedlab.graph.skipgram import _SGD_SALT, init_embeddings, keep_probabilities
from embedlab.graph.walks import _row_cumsum, _uniform, walk_into

SMALL = {"n_components": 8, "walk_length": 12, "walks_per_node": 2, "window": 3}


def _random_graph(n=60, m=240, seed=0, weighted=False):
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.5, 3.0, m) if weighted else None
    return Graph.from_edges(rng.integers(0, n, m), rng.integers(0, n, m), w, nodes=np.arange(n))


def _sbm(seed=0):
    return stochastic_block_model([100, 100], 0.1, 0.01, random_state=seed)


# ------------------------------------------------------------------------------ partitions
@pytest.mark.parametrize("rule", ["shuffle", "range", "modulo"])
@pytest.mark.parametrize(("n", "partitions"), [(1, 1), (10, 1), (10, 3), (11, 11)])
def test_partitions_cover_every_node_once(rule, n, partitions):
    parts = node_partitions(n, partitions, seed=5, rule=rule)
    every = np.sort(np.concatenate(parts.members))
    np.testing.assert_array_equal(every, np.arange(n))
    sizes = parts.sizes()
    assert sizes.max() - sizes.min() <= 1
    for k, m in enumerate(parts.members):
        assert (parts.part[m] == k).all()
        np.testing.assert_array_equal(parts.local[m], np.arange(len(m)))
    if rule == "modulo":
        np.testing.assert_array_equal(parts.part, np.arange(n) % partitions)
    if rule == "range":
        assert (np.diff(parts.part) >= 0).all()


def test_shuffled_partitions_depend_on_the_seed():
    a, b = node_partitions(100, 4, seed=0), node_partitions(100, 4, seed=1)
    np.testing.assert_array_equal(a.part, node_partitions(100, 4, seed=0).part)
    assert (a.part != b.part).any()


def test_memory_estimate_is_two_blocks_and_the_pairs():
    assert partition_memory_bytes(10, 4, 3, pairs=5) == 2 * 4 * 4 * 4 + 9 * 5 + 12 * 4
    n, d = 10_312, 128
    assert partition_memory_bytes(n, d, 1) > 2 * n * d * 4  # one partition: the whole model
    assert partition_memory_bytes(n, d, 4) < 2 * n * d * 4 / 3


# ------------------------------------------------------------------------------- the pairs
def _reference_walk_pairs(graph, starts, streams, walk_length, window, keep):
    """Pairs (context, centre) of train_sgns's rule, written plainly with the same streams."""
    cumw = _row_cumsum(graph.indptr, graph.weights) if graph.weighted else np.empty(0)
    out, groups = [], []
    walk = np.empty(walk_length, np.int32)
    for w in range(len(starts)):
        length = walk_into(
            walk,
            starts[w],
            streams[w],
            graph.indptr,
            graph.indices,
            cumw,
            graph.weighted,
            1.0,
            1.0,
            False,
        )
        state = np.array([streams[w] ^ _SGD_SALT], np.uint64)
        kept = [int(v) for v in walk[:length] if _uniform(state) < keep[v]]
        for i, v in enumerate(kept):
            reach = window - min(int(_uniform(state) * window), window - 1)
            lo, hi = max(0, i - reach), min(len(kept), i + reach + 1)
            ctx = [kept[j] for j in range(lo, hi) if j != i]
            out.extend((c, v) for c in ctx)
            groups.append((v, ctx))
    return out, groups


@pytest.mark.parametrize("sample", [0.0, 0.001])
@pytest.mark.parametrize("partitions", [1, 3])
def test_walk_pairs_land_in_their_bucket_and_are_the_walks_pairs(sample, partitions):
    g = _random_graph(weighted=True)
    parts = node_partitions(g.n_nodes, partitions, seed=2)
    starts = np.random.default_rng(0).integers(0, g.n_nodes, 30)
    streams = K.hash_keys(np.arange(30, dtype=np.uint64), np.uint64(7))
    buckets = walk_pairs(g, starts, streams, parts, walk_length=10, window=3, sample=sample)
    ref, groups = _reference_walk_pairs(
        g, starts, streams, 10, 3, keep_probabilities(g.degrees(), sample)
    )
    found = []
    fresh_total = 0
    for b, (pairs, fresh) in enumerate(buckets):
        i, j = divmod(b, partitions)
        c = parts.members[i][pairs[0]]  # local rows back to nodes
        v = parts.members[j][pairs[1]]
        assert (parts.part[c] == i).all() and (parts.part[v] == j).all()
        found.extend(zip(c.tolist(), v.tolist(), strict=True))
        fresh_total += int(fresh.sum())
        if len(fresh):
            assert fresh[0]
    assert Counter(found) == Counter(ref)
    assert len(ref) > 100
    # one fresh draw of negatives per (centre occurrence, input partition present in its window)
    assert fresh_total == sum(len({int(parts.part[c]) for c in ctx}) for _, ctx in groups)
    if sample > 0:  # subsampling drops occurrences of frequent nodes
        assert len(ref) < len(_reference_walk_pairs(g, starts, streams, 10, 3, np.ones(60))[0])


def test_walk_pairs_keep_walk_order_inside_a_bucket():
    g = _random_graph()
    parts = node_partitions(g.n_nodes, 1)
    starts = np.arange(20)
    streams = K.hash_keys(np.arange(20, dtype=np.uint64), np.uint64(3))
    [(pairs, _)] = walk_pairs(g, starts, streams, parts, walk_length=8, window=2)
    ref, _ = _reference_walk_pairs(g, starts, streams, 8, 2, np.ones(60))
    assert list(zip(pairs[0].tolist(), pairs[1].tolist(), strict=True)) == ref


def test_edge_pairs_are_edges_in_their_bucket_drawn_by_weight():
    src, dst = np.array([0, 1, 2, 3]), np.array([1, 2, 3, 0])
    w = np.array([1.0, 2.0, 3.0, 4.0])
    g = Graph.from_edges(src, dst, w, directed=True)
    parts = node_partitions(4, 2, rule="modulo")
    buckets = edge_pairs(g, 0, 40_000, 3, parts)
    counts = Counter()
    for b, pairs in enumerate(buckets):
        i, j = divmod(b, 2)
        c, v = parts.members[i][pairs[0]], parts.members[j][pairs[1]]
        assert (parts.part[c] == i).all() and (parts.part[v] == j).all()
        counts.update(zip(c.tolist(), v.tolist(), strict=True))
    assert set(counts) == {(0, 1), (1, 2), (2, 3), (3, 0)}
    assert sum(counts.values()) == 40_000
    freq = np.array([counts[(0, 1)], counts[(1, 2)], counts[(2, 3)], counts[(3, 0)]]) / 40_000
    np.testing.assert_allclose(freq, w / w.sum(), atol=0.01)


# ----------------------------------------------------------------------------- negatives
def test_negative_tables_are_the_partitions_deg_075():
    g = _random_graph(weighted=True)
    parts = node_partitions(g.n_nodes, 3, seed=1)
    deg = g.degrees()
    for j, table in enumerate(bucket_negatives(deg, parts)):
        want = deg[parts.members[j]] ** 0.75
        np.testing.assert_allclose(alias_probabilities(*table), want / want.sum(), atol=1e-12)


@pytest.mark.parametrize("fresh_every", [1, 4])
def test_bucket_negatives_are_drawn_from_the_output_block(fresh_every):
    """Through the kernel: with y = 0 and x = 1 every negative draw moves its row by -lr/2, so
    the rows' drift counts the draws; they follow the output partition's deg^0.75 table."""
    rows = 7
    weights = np.arange(1.0, rows + 1) ** 2
    table = bucket_negatives(weights, node_partitions(rows, 1))[0]
    w_in = np.ones((1, 1), np.float32)
    w_out = np.zeros((rows, 1), np.float32)
    n = 40_000
    pairs = np.zeros((2, n), np.int32)  # context row 0 -> centre row 0, again and again
    fresh = np.arange(n) % fresh_every == 0
    lr = 1e-7
    train_bucket(
        w_in,
        w_out,
        pairs,
        table,
        negatives=5,
        lr_start=lr,
        lr_end=lr,
        seed=11,
        fresh=None if fresh_every == 1 else fresh,
    )
    draws = -w_out[1:, 0] / (lr / 2)  # row 0 is the positive (negatives equal to it are skipped)
    want = weights[1:] ** 0.75 / (weights**0.75).sum() * 5 * n  # a shared draw counts per pair
    np.testing.assert_allclose(draws, want, rtol=0.08 if fresh_every == 1 else 0.15)


# ---------------------------------------------------------------------------- the schedule
@pytest.mark.parametrize("partitions", [1, 2, 3, 5])
def test_inside_out_order(partitions):
    order = bucket_order(partitions, np.random.default_rng(partitions))
    assert sorted(order) == [(i, j) for i in range(partitions) for j in range(partitions)]
    layers = [min(b) for b in order]
    assert layers == sorted(layers, reverse=True)  # layer P-1 first, layer 0 last
    for k, (i, j) in enumerate(order):  # a bucket and its transpose are adjacent
        if i != j:
            assert (j, i) in order[max(0, k - 1) : k + 2]


def _check_plan(plan, order, costs, n_workers, shared):
    nonempty = [b for b in order if costs[b] > 0]
    assert sorted(a.bucket for a in plan) == sorted(nonempty)  # every bucket once
    for a in plan:
        assert a.end - a.start == costs[a.bucket]
    for x in plan:
        for y in plan:
            if x is y or not (x.start < y.end and y.start < x.end):
                continue
            assert x.worker != y.worker  # one bucket per worker at a time
            assert not (_locks(x.bucket, shared) & _locks(y.bucket, shared))
    # inside-out up to the locks: a later layer only when every earlier-layer bucket left was
    # locked by a running bucket at that moment
    for k, a in enumerate(plan):
        left = [x.bucket for x in plan[k + 1 :]]
        running = [x for x in plan[:k] if x.start <= a.start < x.end]
        locked = set().union(*(_locks(x.bucket, shared) for x in running)) if running else set()
        for b in left:
            if min(b) > min(a.bucket):
                assert _locks(b, shared) & locked, (a, b)


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("n_workers", [1, 2, 3])
@pytest.mark.parametrize("partitions", [1, 2, 4, 5])
def test_lock_server_plan(partitions, n_workers, shared):
    rng = np.random.default_rng(partitions * 10 + n_workers)
    order = bucket_order(partitions, rng)
    costs = {b: float(rng.integers(0, 5)) if partitions > 1 else 3.0 for b in order}
    plan = schedule_buckets(order, costs, n_workers, shared=shared)
    _check_plan(plan, order, costs, n_workers, shared)
    assert plan == schedule_buckets(order, costs, n_workers, shared=shared)
    if n_workers == 1:  # no contention: exactly the layers, inside out
        layers = [min(a.bucket) for a in plan]
        assert layers == sorted(layers, reverse=True)


def test_lock_server_prefers_the_blocks_a_worker_holds():
    costs = dict.fromkeys([(0, 0), (0, 1), (1, 0), (1, 1)], 1.0)
    # within a layer, a worker that holds input block 0 takes (0, 0) before (1, 0)
    plan = schedule_buckets([(1, 0), (0, 0)], costs, 1, held={0: (0, 1)})
    assert [a.bucket for a in plan] == [(0, 0), (1, 0)]
    # input block 1 held: (1, 0) first although it comes second in the order
    plan = schedule_buckets([(0, 0), (1, 0)], costs, 1, held={0: (1, 1)})
    assert [a.bucket for a in plan] == [(1, 0), (0, 0)]
    # input affinity (2) beats output affinity (1), as PBG's lock server
    plan = schedule_buckets([(0, 1), (1, 0)], costs, 1, held={0: (1, 1)})
    assert plan[0].bucket == (1, 0)
    # but never across layers: layer 1 first even without affinity
    plan = schedule_buckets([(1, 1), (0, 0)], costs, 1, held={0: (0, 1)})
    assert plan[0].bucket == (1, 1)


def test_disjoint_buckets_run_side_by_side():
    order = bucket_order(4, np.random.default_rng(0))
    plan = schedule_buckets(order, dict.fromkeys(order, 1.0), 2)
    assert plan[0].start == plan[1].start == 0.0  # (3, 3) and (2, 2) at once
    assert {plan[0].bucket, plan[1].bucket} == {(3, 3), (2, 2)}
    # one shared table: (3, 3) and (2, 2) are disjoint too, (2, 3) would not be
    plan = schedule_buckets(order, dict.fromkeys(order, 1.0), 2, shared=True)
    assert {plan[0].bucket, plan[1].bucket} == {(3, 3), (2, 2)}


# -------------------------------------------------------------------------- whole runs
def test_one_partition_equals_a_direct_run_of_the_bucket_trainer(client):
    g, _ = _sbm()
    seed, rounds, lr0 = 4, 3, 0.025
    got, n_pairs = train_partitioned_sgns(
        g, **SMALL, epochs=1, seed=seed, partitions=1, rounds=rounds, client=client
    )
    # the same thing, by hand, on one thread: init, walks as train_sgns, one bucket per round
    n = g.n_nodes
    parts = node_partitions(n, 1, seed=seed)
    w_in, w_out = init_embeddings(n, SMALL["n_components"], seed)
    table = bucket_negatives(g.degrees(), parts)[0]
    rng = np.random.default_rng([seed, 1])
    starts = np.concatenate([rng.permutation(n) for _ in range(SMALL["walks_per_node"])])
    bounds = np.arange(rounds + 1) * len(starts) // rounds
    total = 0
    for r in range(rounds):
        lo, hi = bounds[r], bounds[r + 1]
        streams = K.hash_keys(np.arange(lo, hi, dtype=np.uint64), np.uint64(seed))
        [(pairs, fresh)] = walk_pairs(g, starts[lo:hi], streams, parts, walk_length=12, window=3)
        total += pairs.shape[1]
        train_bucket(
            w_in,
            w_out,
            pairs,
            table,
            negatives=5,
            lr_start=lr0 * (1 - r / rounds),
            lr_end=lr0 * max(1 - (r + 1) / rounds, 1e-4),
            seed=bucket_seed(seed, r, (0, 0), 1),
            fresh=fresh,
        )
    assert n_pairs == total
    np.testing.assert_array_equal(got, w_in)


def _replay(g, *, seed, partitions, rounds, pairs_from="walks", order=2, n_samples=None):
    """Train the run's plan on one thread, bucket after bucket, from the public pieces."""
    n, d = g.n_nodes, SMALL["n_components"]
    parts = node_partitions(n, partitions, seed=seed)
    shared = pairs_from == "edges" and order == 1
    w_in, w_out = init_embeddings(n, d, seed, half_width=0.5 if pairs_from == "edges" else 1.0)
    xin = [w_in[m].copy() for m in parts.members]
    xout = xin if shared else [w_out[m].copy() for m in parts.members]
    tables = bucket_negatives(g.degrees(), parts)
    if pairs_from == "walks":
        rng = np.random.default_rng([seed, 1])
        starts = np.concatenate([rng.permutation(n) for _ in range(SMALL["walks_per_node"])])
        total = len(starts)
    else:
        total = n_samples
    bounds = np.arange(rounds + 1) * total // rounds
    order_rng = np.random.default_rng([seed, _ORDER_SALT])
    held = {}
    for r in range(rounds):
        lo, hi = int(bounds[r]), int(bounds[r + 1])
        if pairs_from == "walks":
            streams = K.hash_keys(np.arange(lo, hi, dtype=np.uint64), np.uint64(seed))
            buckets = walk_pairs(g, starts[lo:hi], streams, parts, walk_length=12, window=3)
        else:
            buckets = [(pc, None) for pc in edge_pairs(g, lo, hi, seed, parts)]
        costs = {
            (i, j): float(buckets[i * partitions + j][0].shape[1])
            for i in range(partitions)
            for j in range(partitions)
        }
        plan = schedule_buckets(
            bucket_order(partitions, order_rng), costs, 2, shared=shared, held=held
        )
        held.update({a.worker: a.bucket for a in plan})
        makespan = max(a.end for a in plan)

        def lr(t, r=r, makespan=makespan):
            return 0.025 * max(1 - (r + t / makespan) / rounds, 1e-4)

        for a in plan:
            i, j = a.bucket
            pairs, fresh = buckets[i * partitions + j]
            train_bucket(
                xin[i],
                xout[j],
                pairs,
                tables[j],
                negatives=5,
                lr_start=lr(a.start),
                lr_end=lr(a.end),
                seed=bucket_seed(seed, r, a.bucket, partitions),
                fresh=fresh,
            )
    out = np.empty((n, d), np.float32)
    for k, m in enumerate(parts.members):
        out[m] = xin[k]
    return out


@pytest.mark.parametrize(
    ("pairs_from", "order", "partitions"), [("walks", 2, 3), ("edges", 1, 3), ("edges", 2, 2)]
)
def test_partitioned_run_equals_its_plan_replayed_on_one_thread(
    client, pairs_from, order, partitions
):
    """Buckets run side by side only when disjoint, so the cluster's result is the plan's buckets
    applied one after the other: the whole driver (placement, versions, rates, seeds) checked."""
    g, _ = _sbm(3)
    seed, rounds = 8, 2
    kw = {"n_samples": 6_000} if pairs_from == "edges" else {}
    got, _ = train_partitioned_sgns(
        g,
        **SMALL,
        seed=seed,
        partitions=partitions,
        rounds=rounds,
        pairs_from=pairs_from,
        order=order,
        client=client,
        **kw,
    )
    want = _replay(
        g,
        seed=seed,
        partitions=partitions,
        rounds=rounds,
        pairs_from=pairs_from,
        order=order,
        **kw,
    )
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(("pairs_from", "order"), [("walks", 2), ("edges", 1), ("edges", 2)])
def test_runs_follow_the_lock_server_and_never_share_a_block(client, pairs_from, order):
    g, _ = _sbm(1)
    seed, partitions = 3, 4
    kw = {"n_samples": 20_000, "rounds": 2} if pairs_from == "edges" else {}
    rep = partitioned_sgns(
        g,
        **SMALL,
        seed=seed,
        partitions=partitions,
        client=client,
        pairs_from=pairs_from,
        order=order,
        **kw,
    )
    shared = order == 1 and pairs_from == "edges"
    assert rep.shared_table == shared
    assert rep.n_pairs == sum(b.n_pairs for b in rep.buckets)
    # the driver executed exactly the plans of the lock server, round by round
    order_rng = np.random.default_rng([seed, _ORDER_SALT])
    held = {}
    for r in range(rep.rounds):
        recs = [b for b in rep.buckets if b.round == r]
        costs = {b.bucket: float(b.n_pairs) for b in recs}
        assert len(costs) == partitions**2  # every bucket once (none is empty here)
        plan = schedule_buckets(
            bucket_order(partitions, order_rng), costs, 2, shared=shared, held=held
        )
        assert [a.bucket for a in plan] == [b.bucket for b in recs]
        workers = {a.worker: rep.workers.index(b.worker) for a, b in zip(plan, recs, strict=True)}
        assert all(k == v for k, v in workers.items())
        held.update({a.worker: a.bucket for a in plan})
    # real time: no two buckets sharing a locked block overlapped, one bucket per worker
    for x in rep.buckets:
        for y in rep.buckets:
            if x is y or not (x.started < y.finished and y.started < x.finished):
                continue
            assert x.worker != y.worker
            assert not (_locks(x.bucket, shared) & _locks(y.bucket, shared))
    # the learning rate falls from 0.025 towards 0, continuous across buckets of a worker
    lrs = [b.lr_start for b in rep.buckets]
    assert lrs[0] == pytest.approx(0.025)
    assert all(b.lr_end < b.lr_start for b in rep.buckets)
    assert min(b.lr_end for b in rep.buckets) == pytest.approx(0.025 * 1e-4, rel=1e-6)
    assert rep.model_bytes == (1 if shared else 2) * g.n_nodes * 8 * 4
    assert rep.bucket_bytes < rep.model_bytes or pairs_from == "edges"


def test_same_seed_same_bytes(client):
    g, _ = _sbm()
    a, na = train_partitioned_sgns(g, **SMALL, seed=1, partitions=3, client=client)
    b, nb = train_partitioned_sgns(g, **SMALL, seed=1, partitions=3, client=client)
    c, _ = train_partitioned_sgns(g, **SMALL, seed=2, partitions=3, client=client)
    assert na == nb
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.dtype == np.float32 and a.shape == (200, 8)


def test_worker_processes_give_the_same_bytes(client, process_client):
    """Everything pickles, and the result does not depend on threads versus processes."""
    g, _ = _sbm()
    for kw in ({}, {"pairs_from": "edges", "order": 1, "n_samples": 10_000, "rounds": 2}):
        a, _ = train_partitioned_sgns(g, **SMALL, seed=6, partitions=4, client=client, **kw)
        b, _ = train_partitioned_sgns(g, **SMALL, seed=6, partitions=4, client=process_client, **kw)
        np.testing.assert_array_equal(a, b)


def _accuracy(x, y):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    return cross_val_score(LogisticRegression(max_iter=1000), x, y, cv=4).mean()


@pytest.mark.parametrize(
    ("kw"),
    [
        {},
        {"p": 0.5, "q": 2.0},
        {"pairs_from": "edges", "order": 1, "n_samples": 200_000},
        {"pairs_from": "edges", "order": 2, "n_samples": 200_000},
    ],
    ids=["deepwalk", "node2vec", "line1", "line2"],
)
def test_planted_communities_are_separated(client, kw):
    g, labels = _sbm(2)
    emb, _ = train_partitioned_sgns(
        g,
        n_components=16,
        walk_length=20,
        walks_per_node=5,
        window=5,
        seed=0,
        partitions=4,
        client=client,
        **kw,
    )
    assert _accuracy(emb, labels.labels) >= 0.9


def test_walk_starts_are_those_of_train_sgns():
    from embedlab.distributed.skipgram import _Starts

    rng = np.random.default_rng([9, 1])
    want = np.concatenate([rng.permutation(13) for _ in range(4)])
    s = _Starts(13, 9)
    got = np.concatenate([s.slice(a, b) for a, b in [(0, 5), (5, 20), (20, 21), (21, 52)]])
    np.testing.assert_array_equal(got, want)


# ----------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"partitions": 0}, r"'partitions' must be an int >= 1; got 0"),
        ({"partitions": 2.5}, r"'partitions' must be an int >= 1; got 2.5"),
        ({"partitions": 201}, r"at most the number of nodes \(200\); got 201"),
        ({"pairs_from": "pairs"}, r"'pairs_from' must be 'walks' or 'edges'; got 'pairs'"),
        ({"pairs_from": "edges", "order": 3}, r"'order' must be 1 or 2 \(LINE's order\); got 3"),
        ({"rounds": 0}, r"'rounds' must be an int >= 1; got 0"),
        ({"rounds": 401}, r"'rounds' must be at most the number of walks or samples \(400\)"),
        ({"walk_length": 1}, r"'walk_length' must be an int >= 2; got 1"),
        ({"learning_rate": 0.0}, r"'learning_rate' must be a positive number; got 0.0"),
        ({"sample": 2.0}, r"'sample' must be a number in \[0, 1\]; got 2.0"),
        ({"partition_rule": "hash"}, r"'partition_rule' must be one of 'shuffle'"),
        ({"seed": -1}, r"'seed' must be an int >= 0; got -1"),
    ],
)
def test_bad_params(client, params, message):
    g, _ = _sbm()
    kw = {**SMALL, "seed": 0, "client": client, **params}
    with pytest.raises(InvalidInputError, match=message):
        train_partitioned_sgns(g, **kw)


def test_edges_need_an_edge(client):
    g = Graph.from_edges([], [], nodes=[0, 1, 2])
    with pytest.raises(InvalidInputError, match=r"pairs_from='edges' needs at least one edge"):
        train_partitioned_sgns(g, seed=0, partitions=1, client=client, pairs_from="edges")


def test_no_client(monkeypatch):
    import distributed

    def none():
        raise ValueError("No clients found")

    monkeypatch.setattr(distributed, "get_client", none)
    g, _ = _sbm()
    with pytest.raises(InvalidInputError, match=r"No Dask client is running"):
        train_partitioned_sgns(g, **SMALL, seed=0)
    with pytest.raises(InvalidInputError, match=r"'client' must be a distributed.Client"):
        train_partitioned_sgns(g, **SMALL, seed=0, client="tcp://nowhere:8786")


def test_memory_estimate_rejects_bad_partitions():
    with pytest.raises(InvalidInputError, match=r"at most the number of nodes \(3\); got 4"):
        partition_memory_bytes(3, 8, 4)
