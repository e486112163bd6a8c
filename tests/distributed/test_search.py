"""Sharded exact search on Dask equals the local FlatIndex: ids, scores and tie order."""

import numpy as np
import pytest

from embedlab.distributed.search import ShardedIndex, shard_bounds
from embedlab.exceptions import InvalidInputError
from embedlab.io import EmbeddingSet
from embedlab.retrieval.spec import make_index


def _data(seed=0, n=120, d=12, n_q=25):
    """Random vectors with duplicates inside one shard and across shard boundaries (ties)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    if n >= 50:
        x[10:14] = x[3]  # duplicates in the first shard
        x[n - 5 :] = x[3]  # ... and in the last one
        x[40] = x[3] * 2.0  # the same direction (a cosine tie, not an ip one)
    q = rng.normal(size=(n_q, d)).astype(np.float32)
    q[0] = x[3]  # a query whose best results are all tied
    q[1] = -x[3]
    return x, q


def _local(spec, metric, x, ids=None):
    return make_index(spec, x.shape[1], metric).train(x).add(x, ids=ids)


def _assert_same(a, b):
    np.testing.assert_array_equal(a[1], b[1])
    assert a[0].dtype == b[0].dtype == np.float32 and a[1].dtype == b[1].dtype == np.int64
    assert a[0].tobytes() == b[0].tobytes()  # bit for bit


@pytest.mark.parametrize("n_shards", [1, 3, 7])
@pytest.mark.parametrize("metric", ["ip", "cosine"])
def test_equals_local_flat(client, n_shards, metric):
    x, q = _data()
    index = ShardedIndex(x, n_shards=n_shards, metric=metric, client=client)
    local = _local("Flat", metric, x)
    for k in (1, 5, 30, 500):  # 30 > the 17-row shards of S = 7; 500 > n
        got = index.search(q, k)
        _assert_same(got, local.search(q, k))
    assert got[1].shape == (len(q), len(x))


def test_ties_go_to_the_lower_row_across_shards(client):
    x, q = _data()
    index = ShardedIndex(x, n_shards=7, metric="ip", client=client)
    _, ids = index.search(q[:1], 7)
    # 2 x[3] first; then x[3] and its copies, tied: rows 3, 10..13 (first shard), 115 (last)
    assert ids[0].tolist() == [40, 3, 10, 11, 12, 13, 115]


def test_float32_equal_scores_are_ordered_by_their_float64_value(client):
    """Two scores that round to one float32 keep the local index's (float64) order."""
    x = np.zeros((6, 2), np.float32)
    x[0] = [1.0, 2.0**-30]  # q . x = 1 + 2^-30: the lower row, the smaller exact score
    x[5] = [1.0, 2.0**-29]  # in another shard: 1 + 2^-29, the same float32 (1.0)
    q = np.ones((1, 2), np.float32)
    local = _local("Flat", "ip", x).search(q, 2)
    assert local[1][0].tolist() == [5, 0] and local[0][0].tolist() == [1.0, 1.0]
    _assert_same(ShardedIndex(x, n_shards=2, client=client).search(q, 2), local)


@pytest.mark.parametrize("spec", ["SQ8", "BFlat", "int8"])
@pytest.mark.parametrize("metric", ["ip", "cosine", "l2"])
def test_compressed_specs_equal_local(client, spec, metric):
    """SQ8's codec is calibrated on all vectors (shards share it), as the local index's."""
    x, q = _data(seed=1)
    x[:7] *= 5.0  # the first shard alone has the extreme values of every dimension
    ids = np.random.default_rng(2).permutation(10_000)[: len(x)]
    index = ShardedIndex(x, n_shards=3, spec=spec, metric=metric, ids=ids, client=client)
    assert index.describe() == {"int8": "SQ8"}.get(spec, spec)
    local = _local(spec, metric, x, ids=ids)
    for k in (4, 50, 200):
        _assert_same(index.search(q, k), local.search(q, k))


def test_l2_and_caller_ids(client):
    x, q = _data(seed=3)
    ids = np.arange(len(x)) * 3 + 1000
    index = ShardedIndex(x, n_shards=4, metric="l2", ids=ids, client=client)
    _assert_same(index.search(q, 9), _local("Flat", "l2", x, ids=ids).search(q, 9))
    # one query as a vector; no queries
    _assert_same(index.search(q[2], 3), _local("Flat", "l2", x, ids=ids).search(q[2], 3))
    d, i = index.search(np.zeros((0, x.shape[1]), np.float32), 3)
    assert d.shape == i.shape == (0, 3)


def test_embedding_set_input(client):
    x, q = _data(seed=4, n=30)
    es = EmbeddingSet(ids=np.arange(30) + 7, vectors=x)
    _assert_same(
        ShardedIndex(es, n_shards=3, client=client).search(q, 5),
        _local("Flat", "ip", x, ids=es.ids).search(q, 5),
    )
    named = ShardedIndex(
        EmbeddingSet(ids=np.array([f"doc{i}" for i in range(30)]), vectors=x),
        n_shards=2,
        client=client,
    )
    _, pos = named.search(q[:1], 2)
    assert [named.names[p] for p in pos[0]] == [f"doc{p}" for p in pos[0]]


def test_placement_and_memory(client):
    x, _ = _data(n=100, d=8)
    index = ShardedIndex(x, n_shards=5, ids=np.arange(100), client=client)
    workers = sorted(client.nthreads())  # not scheduler_info(): its cache can lack workers
    assert index.workers == [workers[s % 2] for s in range(5)]  # round-robin, sorted
    assert index.bounds.tolist() == [0, 20, 40, 60, 80, 100] and len(index) == 100
    held = client.who_has(index.shards)
    assert [list(held[f.key]) for f in index.shards] == [[w] for w in index.workers]
    # per vector: 32 bytes of float32 codes + 4 (squared norm) + 8 (index id) + 8 (caller id)
    assert index.memory_bytes() == [20 * 52] * 5
    sq8 = ShardedIndex(x, n_shards=2, spec="SQ8", client=client)
    assert sq8.memory_bytes() == [50 * (8 + 4 + 8)] * 2
    assert repr(sq8) == "ShardedIndex('SQ8', dim=8, metric='ip', n=100, n_shards=2)"


def test_default_shards_one_per_worker(client):
    x, q = _data(n=11)
    index = ShardedIndex(x, client=client)
    assert index.n_shards == 2
    _assert_same(index.search(q, 4), _local("Flat", "ip", x).search(q, 4))


def test_errors(client):
    x, _ = _data(n=10, d=4)
    with pytest.raises(InvalidInputError, match="supports the exact NumPy specs Flat, SQ8 and"):
        ShardedIndex(x, spec="HNSW32", client=client)
    with pytest.raises(InvalidInputError, match="supports the exact NumPy specs"):
        ShardedIndex(x, spec="MRL2", client=client)
    with pytest.raises(InvalidInputError, match="'n_shards'=11 is more than the 10 vectors"):
        ShardedIndex(x, n_shards=11, client=client)
    with pytest.raises(InvalidInputError, match="'n_shards' must be an int >= 1; got 0"):
        ShardedIndex(x, n_shards=0, client=client)
    with pytest.raises(InvalidInputError, match=r"vectors must be a non-empty \[n, d\] matrix"):
        ShardedIndex(np.zeros((0, 4), np.float32), client=client)
    with pytest.raises(InvalidInputError, match="needs at least one vector; got none"):
        ShardedIndex(EmbeddingSet(ids=np.zeros(0, int), vectors=np.zeros((0, 4))), client=client)
    with pytest.raises(InvalidInputError, match="'ids' must be 10 integers, one per vector"):
        ShardedIndex(x, ids=np.arange(9), client=client)
    with pytest.raises(InvalidInputError, match=r"'ids' must be >= 0"):
        ShardedIndex(x, ids=np.arange(10) - 1, client=client)
    with pytest.raises(InvalidInputError, match="brings its own ids"):
        ShardedIndex(EmbeddingSet(ids=np.arange(10), vectors=x), ids=np.arange(10), client=client)
    with pytest.raises(InvalidInputError, match="'metric' must be one of ip, cosine, l2"):
        ShardedIndex(x, metric="dot", client=client)
    with pytest.raises(InvalidInputError, match="'client' must be a distributed.Client"):
        ShardedIndex(x, client="tcp://nowhere")
    index = ShardedIndex(x, n_shards=2, client=client)
    with pytest.raises(InvalidInputError, match="'k' must be an int >= 1; got 0"):
        index.search(x, 0)
    with pytest.raises(InvalidInputError, match="queries"):
        index.search(np.ones((2, 5), np.float32), 1)
    with pytest.raises(InvalidInputError, match="NaN or infinite"):
        index.search(np.full((1, 4), np.nan, np.float32), 1)


def test_shard_bounds():
    assert shard_bounds(7, 7).tolist() == list(range(8))
    assert shard_bounds(5, 1).tolist() == [0, 5]
    sizes = np.diff(shard_bounds(1003, 7))
    assert sizes.sum() == 1003 and sizes.max() - sizes.min() <= 1


def test_worker_processes(process_client):
    """The same on worker processes: shards, queries and results pickle."""
    x, q = _data(seed=5)
    for spec, metric in (("Flat", "cosine"), ("SQ8", "l2")):
        index = ShardedIndex(x, n_shards=3, spec=spec, metric=metric, client=process_client)
        _assert_same(index.search(q, 10), _local(spec, metric, x).search(q, 10))
