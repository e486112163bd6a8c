"""Indexes against brute-force references, FAISS, and their own saved copies."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embedlab.exceptions import InvalidInputError, NotFittedError
from embedlab.retrieval.index import FaissIndex, FlatIndex, Index, load_index, make_index

FLT_MAX = np.finfo(np.float32).max


def brute(q, x, k, metric):
    """Reference: exact scores in float64, smaller key first, then the lower position."""
    q64, x64 = q.astype(np.float64), x.astype(np.float64)
    if metric == "cosine":
        q64 = q64 / np.linalg.norm(q64, axis=1, keepdims=True)
        x64 = x64 / np.linalg.norm(x64, axis=1, keepdims=True)
    if metric == "l2":
        key = ((q64[:, None, :] - x64[None, :, :]) ** 2).sum(axis=2)
    else:
        key = -(q64 @ x64.T)
    order = np.lexsort((np.broadcast_to(np.arange(len(x)), key.shape), key), axis=1)[:, :k]
    vals = np.take_along_axis(key, order, axis=1)
    return (vals if metric == "l2" else -vals), order


@pytest.mark.parametrize("metric", ["ip", "cosine", "l2"])
def test_flat_is_exact(metric, global_random_seed):
    rng = np.random.default_rng(global_random_seed)
    x = rng.normal(size=(500, 24)).astype(np.float32)
    q = rng.normal(size=(40, 24)).astype(np.float32)
    index = FlatIndex(24, metric, block_size=64).add(x)  # several blocks
    dist, ids = index.search(q, 7)
    want_d, want_i = brute(q, x, 7, metric)
    np.testing.assert_array_equal(ids, want_i)
    np.testing.assert_allclose(dist, want_d, rtol=1e-4, atol=1e-4)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 30),
    k=st.integers(1, 40),
    block=st.integers(1, 9),
    seed=st.integers(0, 2**32 - 1),
)
def test_flat_ties_and_padding(n, k, block, seed):
    """Integer vectors make many exact ties: they go to the lower position; rows pad with -1."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-1, 2, size=(n, 3)).astype(np.float32)
    q = rng.integers(-1, 2, size=(4, 3)).astype(np.float32)
    dist, ids = FlatIndex(3, block_size=block).add(x).search(q, k)
    want_d, want_i = brute(q, x, k, "ip")
    m = min(k, n)
    np.testing.assert_array_equal(ids[:, :m], want_i)
    np.testing.assert_array_equal(dist[:, :m], want_d.astype(np.float32))
    assert (ids[:, m:] == -1).all() and (dist[:, m:] == -FLT_MAX).all()


def test_user_ids_are_returned():
    x = np.eye(3, dtype=np.float32)
    index = FlatIndex(3).add(x[:2], ids=[70, 50]).add(x[2:], ids=[90])
    assert index.search(x, 1)[1].ravel().tolist() == [70, 50, 90]
    assert len(index) == 3 and index.ids.tolist() == [70, 50, 90]


@pytest.mark.parametrize("metric", ["ip", "l2"])
def test_sq8_searches_the_reconstructions_and_matches_faiss(metric, rng):
    x = rng.normal(size=(3000, 32)).astype(np.float32)
    q = rng.normal(size=(50, 32)).astype(np.float32)
    ours = make_index("SQ8", 32, metric).train(x).add(x)
    rec = ours.reconstruct(np.arange(len(x)))
    # codes: at most half a step from the vectors inside the calibrated range
    step = (x.max(axis=0) - x.min(axis=0)) / 255
    assert (np.abs(rec - x) <= step / 2 + 1e-5).all()
    dist, ids = ours.search(q, 10)
    want_d, want_i = brute(q, rec, 10, metric)
    np.testing.assert_array_equal(ids, want_i)
    np.testing.assert_allclose(dist, want_d, rtol=1e-4, atol=1e-3)
    faiss_ids = make_index("faiss:SQ8", 32, metric).train(x).add(x).search(q, 10)[1]
    assert (faiss_ids == ids).mean() >= 0.99  # FAISS rounds a few cell borders the other way
    assert ours.code_size_bytes == 32


def test_binary_is_exact_hamming_and_matches_faiss(rng):
    x = rng.normal(size=(2000, 64)).astype(np.float32)
    q = rng.normal(size=(30, 64)).astype(np.float32)
    dist, ids = make_index("BFlat", 64).add(x).search(q, 15)
    bits_x, bits_q = x > 0, q > 0
    ham = (bits_q[:, None, :] != bits_x[None, :, :]).sum(axis=2)
    order = np.lexsort((np.broadcast_to(np.arange(len(x)), ham.shape), ham), axis=1)[:, :15]
    np.testing.assert_array_equal(ids, order)
    np.testing.assert_array_equal(dist, np.take_along_axis(ham, order, axis=1))
    fd, fi = make_index("faiss:BFlat", 64).add(x).search(q, 15)
    np.testing.assert_array_equal(fd, dist)
    np.testing.assert_array_equal(fi, ids)  # FAISS breaks ties by id as well


def test_binary_dimension_not_a_multiple_of_64(rng):
    x = rng.normal(size=(100, 20)).astype(np.float32)
    dist, ids = make_index("BFlat", 20).add(x).search(x[:5], 3)
    assert ids[:, 0].tolist() == [0, 1, 2, 3, 4] and (dist[:, 0] == 0).all()
    dist, ids = make_index("BFlat", 20).add(x[:2]).search(x[:1], 4)
    assert ids.tolist() == [[0, 1]]  # k beyond the index: as wide as the index (issue 25 #5)
    assert dist[0].tolist() == [0.0, float(((x[0] > 0) != (x[1] > 0)).sum())]


@pytest.mark.parametrize("spec", ["Flat", "SQ8", "BFlat", "IVF16,PQ8", "HNSW16", "faiss:Flat"])
def test_save_load_gives_identical_results(spec, tmp_path, rng):
    x = rng.normal(size=(1500, 32)).astype(np.float32)
    q = rng.normal(size=(20, 32)).astype(np.float32)
    index = make_index(spec, 32, "l2").train(x).add(x, ids=np.arange(1500) * 3)
    params = {"nprobe": 4} if spec.startswith("IVF") else {}
    before = index.search(q, 5, **params)
    path = index.save(tmp_path / "i.idx")
    again = load_index(str(path))
    assert again.describe() == spec and again.metric == "l2" and len(again) == 1500
    after = again.search(q, 5, **params)
    np.testing.assert_array_equal(before[1], after[1])
    np.testing.assert_array_equal(before[0], after[0])
    with pytest.raises(Exception, match="already exists"):
        index.save(path)


@pytest.mark.parametrize("spec", ["Flat", "SQ8", "BFlat", "faiss:SQ8", "IVF64,PQ16", "HNSW32"])
def test_describe_round_trips(spec):
    index = make_index(spec, 64, "cosine")
    again = make_index(index.describe(), 64, "cosine")
    assert type(again) is type(index) and again.describe() == spec


def test_ivf_nprobe_is_a_per_call_parameter(rng):
    x = rng.normal(size=(4000, 16)).astype(np.float32)
    q = rng.normal(size=(50, 16)).astype(np.float32)
    index = make_index("IVF64,Flat", 16, "l2").train(x).add(x)
    exact = brute(q, x, 10, "l2")[1]
    recall = {
        p: np.mean(
            [
                len(set(a) & set(b)) / 10
                for a, b in zip(index.search(q, 10, nprobe=p)[1], exact, strict=True)
            ]
        )
        for p in (1, 64)
    }
    assert recall[64] == 1.0 and recall[1] < 0.9


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: FlatIndex(0), InvalidInputError, "'dim' must be an int >= 1"),
        (lambda: FlatIndex(4, "dot"), InvalidInputError, "'metric' must be one of ip, cosine, l2"),
        (
            lambda: FlatIndex(4, codes="int4"),
            InvalidInputError,
            "'codes' must be 'float32', 'int8'",
        ),
        (
            lambda: FlatIndex(4).add(np.ones((2, 5))),
            InvalidInputError,
            "vectors have 5 dimensions; expected 4",
        ),
        (lambda: FlatIndex(2).add([[np.nan, 1.0]]), InvalidInputError, "NaN or infinite"),
        (
            lambda: FlatIndex(2).add(np.ones((2, 2)), ids=[1]),
            InvalidInputError,
            "ids must be 2 integers",
        ),
        (
            lambda: FlatIndex(2).add(np.ones((1, 2)), ids=[-3]),
            InvalidInputError,
            "ids must be >= 0",
        ),
        (
            lambda: FlatIndex(2).search(np.ones((1, 2)), 0),
            InvalidInputError,
            "'k' must be an int >= 1",
        ),
        (
            lambda: FlatIndex(2).search(np.ones((1, 2)), 1, nprobe=3),
            InvalidInputError,
            "takes no search parameters",
        ),
        (
            lambda: make_index("SQ8", 2).add(np.ones((1, 2))),
            NotFittedError,
            "must be trained before add",
        ),
        (lambda: make_index("", 2), InvalidInputError, "non-empty string"),
        (lambda: make_index("IVF?", 8), InvalidInputError, "FAISS cannot build 'IVF\\?'"),
        (
            lambda: FaissIndex("BFlat", 12),
            InvalidInputError,
            "divisible by 8",
        ),
        (
            lambda: (
                make_index("HNSW8", 4).add(np.ones((3, 4))).search(np.ones((1, 4)), 1, nprobe=2)
            ),
            InvalidInputError,
            "nprobe applies to IVF",
        ),
        (
            lambda: make_index("Flat", 4).search(np.ones((1, 4)), 1, foo=1),
            InvalidInputError,
            "takes no search parameters",
        ),
        (
            lambda: make_index("HNSW8", 4).search(np.ones((1, 4)), 1, foo=1),
            InvalidInputError,
            r"Unknown search parameter\(s\) \['foo'\]",
        ),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_load_refuses_other_files(tmp_path):
    (tmp_path / "x.idx").write_bytes(b"not an index")
    with pytest.raises(InvalidInputError, match="is not an embedlab index file"):
        Index.load(tmp_path / "x.idx")
    with pytest.raises(InvalidInputError, match="No index file at"):
        Index.load(tmp_path / "missing.idx")


@pytest.mark.parametrize("spec", ["Flat", "SQ8", "BFlat"])
@pytest.mark.parametrize("metric", ["ip", "l2"])
def test_one_query_at_a_time_equals_the_batch(spec, metric, rng):
    """Few queries take other code paths (serial merges, int8 dot products without decoding)."""
    x = rng.normal(size=(2500, 64)).astype(np.float32)
    q = rng.normal(size=(40, 64)).astype(np.float32)
    index = make_index(spec, 64, metric).train(x).add(x)
    batch_d, batch_i = index.search(q, 10)
    singles = [index.search(v[None, :], 10) for v in q]
    np.testing.assert_array_equal(batch_i, np.vstack([s[1] for s in singles]))
    np.testing.assert_allclose(batch_d, np.vstack([s[0] for s in singles]), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("spec", ["Flat", "SQ8", "BFlat", "MRL8", "HNSW16", "IVF4,Flat"])
def test_a_huge_k_returns_as_many_columns_as_vectors(spec, rng):
    """Issue 25 #5: search allocated [nq, k] before anything (k=10**9 -> 10**9 columns)."""
    x = rng.normal(size=(300, 16)).astype(np.float32)
    index = make_index(spec, 16, "l2").train(x).add(x)
    params = {"nprobe": 4} if spec.startswith("IVF") else {}
    dist, ids = index.search(x[:3], 10**9, **params)
    assert ids.shape == dist.shape == (3, 300)
    for row in ids:  # each vector at most once; exact indexes return every one of them
        hit = row[row >= 0]
        assert len(set(hit.tolist())) == len(hit) and (row[len(hit) :] == -1).all()
        assert len(hit) == 300 or spec == "HNSW16"
    assert ids[:, 0].tolist() == [0, 1, 2] or spec in ("SQ8", "BFlat")
    assert make_index(spec, 16).train(x).search(x[:2], 10**9)[1].shape == (2, 0)


_LOAD_IN_A_NEW_PROCESS = """
import sys
import numpy as np
from embedlab.retrieval.index import load_index
index = load_index(sys.argv[1])
q = np.load(sys.argv[2])
d, i = index.search(q, 5)
np.save(sys.argv[3], i)
print(index.describe())
"""


@pytest.mark.parametrize("spec", ["HNSW32", "IVF16,Flat", "faiss:Flat", "MRL8,HNSW32"])
def test_faiss_indexes_load_in_a_new_process(spec, tmp_path, rng):
    """Issue 25 #1: Index.load checked the kind before the FAISS backend was imported; in a
    fresh process (nothing imported first) loading a FAISS index failed."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import embedlab

    x = rng.normal(size=(800, 16)).astype(np.float32)
    q = rng.normal(size=(10, 16)).astype(np.float32)
    index = make_index(spec, 16, "l2").train(x).add(x)
    path = index.save(tmp_path / "i.idx")
    np.save(tmp_path / "q.npy", q)
    src = str(Path(embedlab.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _LOAD_IN_A_NEW_PROCESS,
            str(path),
            str(tmp_path / "q.npy"),
            str(tmp_path / "ids.npy"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == index.describe()
    np.testing.assert_array_equal(np.load(tmp_path / "ids.npy"), index.search(q, 5)[1])


@pytest.mark.parametrize("spec", ["faiss:Flat", "Flat", "faiss:SQ8"])
def test_exact_ties_go_to_the_lower_position(spec):
    """Issue 25 #20: FAISS returns exact ties in heap order (the higher id first); the contract
    is the lower position first, as the NumPy indexes do."""
    pytest.importorskip("faiss")
    x = np.ones((6, 4), np.float32)
    x[3] = 0.5
    index = make_index(spec, 4, "ip").train(x).add(x, ids=np.arange(6) * 10)
    dist, ids = index.search(np.ones((3, 4), np.float32), 6)
    assert ids.tolist() == [[0, 10, 20, 40, 50, 30]] * 3
    assert (np.diff(dist, axis=1) <= 0).all()


@pytest.mark.parametrize("spec", ["Flat", "SQ8"])
@pytest.mark.parametrize("metric", ["ip", "cosine", "l2"])
def test_results_do_not_depend_on_the_batch(spec, metric):
    """Issue 25 #20: equal vectors came back in an order that depended on the query batch size
    (BLAS rounds a dot product differently with the block shape; int8 has a direct path for a few
    queries). Scores and order are now computed per pair: the same bytes for any batch."""
    rng = np.random.default_rng(3)
    base = rng.normal(size=(60, 24)).astype(np.float32)
    x = np.concatenate([base, base[::3], base[1::5]])  # many exact duplicates, spread apart
    q = rng.normal(size=(200, 24)).astype(np.float32)
    index = make_index(spec, 24, metric).train(x).add(x)
    full_d, full_i = index.search(q, 12)
    for size in (1, 3, 15, 16, 64, 199):
        d = np.concatenate([index.search(q[s : s + size], 12)[0] for s in range(0, 200, size)])
        i = np.concatenate([index.search(q[s : s + size], 12)[1] for s in range(0, 200, size)])
        assert d.tobytes() == full_d.tobytes() and i.tobytes() == full_i.tobytes(), size
    dup = np.flatnonzero((x == x[0]).all(axis=1))  # row 0 and its copy
    assert len(dup) == 2
    row = index.search(x[:1], len(x))[1][0].tolist()
    assert row.index(dup[0]) < row.index(dup[1])  # exact ties: the lower position first
