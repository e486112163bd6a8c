"""Collections: queries equal embedlab's own indexes on the same vectors; writes, reads, files.

Every query result is compared with the index it claims to be (ids and float32 scores equal,
``assert_array_equal``): :class:`~embedlab.retrieval.index.FlatIndex` for exact search (also
over the NumPy-masked rows of a filter), :func:`~embedlab.retrieval.spec.make_index` for the
compressed and Matryoshka modes, and a NumPy MaxSim for vector sets.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from embedlab.exceptions import InvalidInputError, NotFoundError
from embedlab.io import EmbeddingSet, MultiVector
from embedlab.retrieval.index import FlatIndex
from embedlab.retrieval.spec import make_index

pa = pytest.importorskip("pyarrow")


def _load_filter_tests() -> Any:
    """The filter tests' strategy and Qdrant reference evaluator (one source of truth)."""
    name = "_embedlab_store_filter_reference"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).with_name("test_filters.py")
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


ref = _load_filter_tests()

METRICS = ("cosine", "ip", "l2")
N, D = 400, 24


def _flat_top(x: np.ndarray, q: np.ndarray, k: int, metric: str, keep: Any = None) -> Any:
    """FlatIndex over ``x[keep]`` with the rows' positions as ids: (scores, positions)."""
    pos = np.arange(len(x)) if keep is None else np.flatnonzero(keep)
    index = FlatIndex(x.shape[1], metric).add(x[pos], ids=pos)
    return index.search(np.atleast_2d(q), k)


# ------------------------------------------------------------------------------ exact queries
@pytest.fixture(
    scope="module",
    params=[(m, t) for m in METRICS for t in ("int", "str")],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def exact(module_store: Any, request: pytest.FixtureRequest) -> SimpleNamespace:
    metric, id_type = request.param
    rng = np.random.default_rng(2 * METRICS.index(metric) + (id_type == "str"))
    x = rng.standard_normal((N, D)).astype(np.float32)
    x[300] = x[7]  # a tie: the earlier stored point first, as FlatIndex
    raw = rng.choice(10**12, size=N, replace=False)  # neither sorted nor consecutive
    ids = raw if id_type == "int" else np.asarray([f"p-{v}" for v in raw], dtype=object)
    col = module_store.create_collection(f"exact_{metric}_{id_type}", D, metric, id_type=id_type)
    col.upsert(ids, x, payload=[{"row": i} for i in range(N)])
    queries = np.vstack([rng.standard_normal((6, D)), x[7:8]]).astype(np.float32)
    index = FlatIndex(D, metric).add(x, ids=raw if id_type == "int" else np.arange(N))
    lookup = None if id_type == "int" else ids
    return SimpleNamespace(
        col=col, x=x, ids=ids, metric=metric, queries=queries, index=index, lookup=lookup
    )


def _flat(case: SimpleNamespace, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The reference FlatIndex's (ids, scores) of each query (the caller's ids)."""
    d, i = case.index.search(np.atleast_2d(q), k)
    if case.lookup is not None:
        i = case.lookup[i]
    return i, d


@pytest.mark.parametrize("limit", [1, 10, 57])
def test_exact_query_equals_flat_index(exact: SimpleNamespace, as_arrays: Any, limit: int) -> None:
    for mode in ("exact", "auto"):
        ref_ids, ref_scores = _flat(exact, exact.queries, limit)
        for j, q in enumerate(exact.queries):
            ids, scores = as_arrays(exact.col.query(q, limit=limit, mode=mode))
            np.testing.assert_array_equal(ids, ref_ids[j])
            np.testing.assert_array_equal(scores, ref_scores[j])


def test_exact_tie_goes_to_the_earlier_point(exact: SimpleNamespace, as_arrays: Any) -> None:
    ids, scores = as_arrays(exact.col.query(exact.x[7], limit=N))
    first = ids.tolist().index(exact.ids[7])
    assert ids[first + 1] == exact.ids[300]  # equal vectors: the earlier stored point first
    assert scores[first] == scores[first + 1]
    if exact.metric != "ip":  # the query is the duplicated point: both rows come first
        assert first == 0


def test_query_batch_equals_flat_index_and_single_queries(
    exact: SimpleNamespace, as_arrays: Any
) -> None:
    ref_ids, ref_scores = _flat(exact, exact.queries, 12)
    batch = exact.col.query_batch(list(exact.queries), limit=12)
    assert len(batch) == len(exact.queries)
    for j, points in enumerate(batch):
        ids, scores = as_arrays(points)
        np.testing.assert_array_equal(ids, ref_ids[j])
        np.testing.assert_array_equal(scores, ref_scores[j])
        single = as_arrays(exact.col.query(exact.queries[j].tolist(), limit=12))
        np.testing.assert_array_equal(single[0], ids)
        np.testing.assert_array_equal(single[1], scores)


@pytest.mark.parametrize(("limit", "offset"), [(10, 0), (10, 3), (5, 50), (20, 390), (7, 399)])
def test_offset_is_a_slice_of_the_deeper_search(
    exact: SimpleNamespace, as_arrays: Any, limit: int, offset: int
) -> None:
    ref_ids, ref_scores = _flat(exact, exact.queries, limit + offset)
    for j, q in enumerate(exact.queries[:3]):
        ids, scores = as_arrays(exact.col.query(q, limit=limit, offset=offset))
        assert len(ids) == min(limit, N - offset)
        np.testing.assert_array_equal(ids, ref_ids[j][offset:])
        np.testing.assert_array_equal(scores, ref_scores[j][offset:])


def test_offset_past_the_end_and_limit_beyond_count(exact: SimpleNamespace, as_arrays: Any) -> None:
    q = exact.queries[0]
    ids, scores = as_arrays(exact.col.query(q, limit=1000))
    ref_ids, ref_scores = _flat(exact, q, 1000)
    assert len(ids) == N
    np.testing.assert_array_equal(ids, ref_ids[0])
    np.testing.assert_array_equal(scores, ref_scores[0])
    assert sorted(ids.tolist()) == sorted(exact.ids.tolist())  # every point exactly once
    assert exact.col.query(q, limit=10, offset=N) == []
    assert exact.col.query(q, limit=10, offset=5000) == []


def test_results_carry_payload_and_stored_vectors(exact: SimpleNamespace) -> None:
    points = exact.col.query(exact.queries[1], limit=5, with_vectors=True)
    where = {v: i for i, v in enumerate(exact.ids.tolist())}
    for p in points:
        row = where[p.id]
        assert p.payload == {"row": row}
        np.testing.assert_array_equal(np.asarray(p.vector, np.float32), exact.x[row])
    bare = exact.col.query(exact.queries[1], limit=5, with_payload=False)
    assert [p.id for p in bare] == [p.id for p in points]
    assert all(p.payload == {} and p.vector is None for p in bare)
    assert [p.to_dict()["id"] for p in points] == [p.id for p in points]


# ------------------------------------------------------------------------------ query by id
def test_query_by_id_equals_the_stored_vector_minus_the_point(
    exact: SimpleNamespace, as_arrays: Any
) -> None:
    for row in (0, 7, 123, N - 1):
        keep = np.ones(N, dtype=bool)
        keep[row] = False
        d, pos = _flat_top(exact.x, exact.x[row], 15, exact.metric, keep)
        ids, scores = as_arrays(exact.col.query({"id": exact.ids[row]}, limit=15))
        np.testing.assert_array_equal(ids, exact.ids[pos[0]])
        np.testing.assert_array_equal(scores, d[0])
        if exact.metric == "l2" and row == 7:  # its duplicate, at distance 0, comes first
            assert ids[0] == exact.ids[300]
            assert scores[0] == 0.0
        # with an offset and in a batch, the same slice
        batch = exact.col.query_batch([{"id": exact.ids[row]}, exact.x[row]], limit=10, offset=5)
        np.testing.assert_array_equal(as_arrays(batch[0])[0], exact.ids[pos[0][5:15]])
        full = as_arrays(exact.col.query(exact.x[row], limit=16))[0]
        assert list(as_arrays(batch[1])[0]) == list(full[5:15])


def test_query_by_unknown_or_ill_typed_id(exact: SimpleNamespace) -> None:
    unknown = -5 if exact.lookup is None else "nope"
    with pytest.raises(NotFoundError, match=r"has no point"):
        exact.col.query({"id": unknown})
    wrong = "p-1" if exact.lookup is None else 3
    with pytest.raises(InvalidInputError, match=r"query\.id\[0\] must be"):
        exact.col.query({"id": wrong})


def test_query_vector_errors(exact: SimpleNamespace) -> None:
    col = exact.col
    with pytest.raises(InvalidInputError, match=r"takes a 24-d vector as query; got shape \(3,\)"):
        col.query([1.0, 2.0, 3.0])
    bad = exact.queries[0].copy()
    bad[4] = np.nan
    with pytest.raises(InvalidInputError, match="NaN or infinity"):
        col.query(bad)
    bad[4] = np.inf
    with pytest.raises(InvalidInputError, match="NaN or infinity"):
        col.query(bad)
    with pytest.raises(InvalidInputError, match=r"must be a list of numbers"):
        col.query(["a"] * D)
    with pytest.raises(InvalidInputError, match=r"'limit' must be an int in \[1, 1000\]"):
        col.query(exact.queries[0], limit=0)
    with pytest.raises(InvalidInputError, match=r"'limit \+ offset' must be at most 10000"):
        col.query(exact.queries[0], limit=1000, offset=9001)
    with pytest.raises(InvalidInputError, match=r"'offset' must be an int >= 0"):
        col.query(exact.queries[0], offset=-1)
    with pytest.raises(InvalidInputError, match=r"no vector index"):
        col.query(exact.queries[0], mode="ann")
    with pytest.raises(InvalidInputError, match=r"has no text model"):
        col.query({"text": "hello"})
    with pytest.raises(InvalidInputError, match=r"A query is a vector"):
        col.query({"vector": [0.0] * D})


# ------------------------------------------------------------------------------ filtered queries
@pytest.fixture(scope="module")
def filtered(module_store: Any) -> SimpleNamespace:
    """300 points with the filter tests' payload rows (ids 0..299), one collection per metric."""
    rows = ref._rows()
    rng = np.random.default_rng(2024)
    x = rng.standard_normal((len(rows), 16)).astype(np.float32)
    payload = [{k: v for k, v in r.items() if k != "id"} for r in rows]
    ids = np.asarray([r["id"] for r in rows], dtype=np.int64)
    cols = {}
    for metric in METRICS:
        col = module_store.create_collection(
            f"filtered_{metric}", 16, metric, payload_schema=ref.FIELDS
        )
        col.upsert(ids, x, payload=payload)
        cols[metric] = col
    return SimpleNamespace(cols=cols, rows=rows, x=x, ids=ids)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    flt=ref._filters,
    metric=st.sampled_from(METRICS),
    seed=st.integers(0, 2**32 - 1),
    limit=st.sampled_from([1, 3, 10, 50, 400]),
    offset=st.sampled_from([0, 0, 2, 30]),
)
def test_filtered_query_equals_flat_index_on_the_numpy_mask(
    filtered: SimpleNamespace,
    as_arrays: Any,
    flt: dict[str, Any],
    metric: str,
    seed: int,
    limit: int,
    offset: int,
) -> None:
    assume(ref._depth(flt) <= ref.MAX_DEPTH)
    mask = np.asarray([ref._ref_filter(flt, r) for r in filtered.rows])
    matches = int(mask.sum())
    event("no match" if not matches else "fewer than limit" if matches < limit else ">= limit")
    q = np.random.default_rng(seed).standard_normal(16).astype(np.float32)
    col = filtered.cols[metric]
    ids, scores = as_arrays(col.query(q, limit=limit, offset=offset, filter=flt))
    assert len(ids) == max(0, min(limit, int(mask.sum()) - offset))
    if mask.any():
        d, pos = _flat_top(filtered.x, q, limit + offset, metric, mask)
        np.testing.assert_array_equal(ids, filtered.ids[pos[0][offset:]])
        np.testing.assert_array_equal(scores, d[0][offset:])
    assert col.count(flt) == int(mask.sum())


def test_filtered_query_batch_and_by_id(filtered: SimpleNamespace, as_arrays: Any) -> None:
    flt = {"must": [{"key": "flag", "match": {"value": True}}]}
    mask = np.asarray([r["flag"] is True for r in filtered.rows])
    col = filtered.cols["cosine"]
    qs = np.random.default_rng(3).standard_normal((4, 16)).astype(np.float32)
    d, pos = _flat_top(filtered.x, qs, 20, "cosine", mask)
    for j, points in enumerate(col.query_batch(list(qs), limit=20, filter=flt)):
        ids, scores = as_arrays(points)
        np.testing.assert_array_equal(ids, filtered.ids[pos[j]])
        np.testing.assert_array_equal(scores, d[j])
    row = int(np.flatnonzero(mask)[0])
    keep = mask.copy()
    keep[row] = False
    d, pos = _flat_top(filtered.x, filtered.x[row], 20, "cosine", keep)
    ids, scores = as_arrays(col.query({"id": row}, limit=20, filter=flt))
    np.testing.assert_array_equal(ids, filtered.ids[pos[0]])
    np.testing.assert_array_equal(scores, d[0])
    # a point that fails the filter can still be the query
    other = int(np.flatnonzero(~mask)[0])
    d, pos = _flat_top(filtered.x, filtered.x[other], 5, "cosine", mask)
    np.testing.assert_array_equal(
        as_arrays(col.query({"id": other}, limit=5, filter=flt))[0], filtered.ids[pos[0]]
    )


def test_filter_on_undeclared_field_is_refused(filtered: SimpleNamespace) -> None:
    with pytest.raises(InvalidInputError, match=r"'label'"):
        filtered.cols["ip"].query(
            filtered.x[0], filter={"must": [{"key": "label", "match": {"value": "a"}}]}
        )


# ------------------------------------------------------------------------------ spec modes
# "PQ4x4" is PQ4 with 4-bit codebooks: FAISS trains 256-centroid codebooks (plain "PQ4") in
# several seconds even on 600 points, so 8-bit PQ runs once, in the slow tests.
SPECS = (
    "SQ8",
    "BFlat",
    "PQ4x4",
    pytest.param("PQ4", marks=pytest.mark.slow),
    "MRL8",
    "MRL8,SQ8",
)


@pytest.fixture(scope="module", params=["cosine", "l2"])
def coded(module_store: Any, request: pytest.FixtureRequest) -> SimpleNamespace:
    metric = request.param
    rng = np.random.default_rng(11)
    n, d = 600, 16
    x = rng.standard_normal((n, d)).astype(np.float32)
    ids = rng.choice(10**9, size=n, replace=False)
    group = rng.integers(0, 10, size=n)
    col = module_store.create_collection(
        f"coded_{metric}", d, metric, payload_schema={"g": "integer"}
    )
    col.upsert(ids, x, payload=[{"g": int(g)} for g in group])
    q = rng.standard_normal((5, d))
    return SimpleNamespace(col=col, x=x, ids=ids, group=group, metric=metric, q=q, refs={})


def _reference_index(case: SimpleNamespace, spec: str) -> Any:
    """``make_index(spec)`` trained on and holding the collection's vectors (built once)."""
    if spec not in case.refs:
        index = make_index(spec, case.x.shape[1], case.metric)
        index.train(case.x)
        index.add(case.x)  # positions 0..n-1 -> case.ids
        case.refs[spec] = index
    return case.refs[spec]


@pytest.mark.parametrize("spec", SPECS)
def test_spec_mode_equals_make_index(coded: SimpleNamespace, as_arrays: Any, spec: str) -> None:
    index = _reference_index(coded, spec)
    q = coded.q.astype(np.float32)
    d, pos = index.search(q, 10)
    for j in range(len(q)):
        ids, scores = as_arrays(coded.col.query(q[j], limit=10, mode=spec))
        np.testing.assert_array_equal(ids, coded.ids[pos[j]])
        np.testing.assert_array_equal(scores, d[j])
    ids, _ = as_arrays(coded.col.query(q[0], limit=4, offset=6, mode=spec))
    np.testing.assert_array_equal(ids, coded.ids[pos[0][6:10]])


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize(("groups", "limit"), [((3,), 10), ((1, 2, 3, 4), 25), ((5,), 200)])
def test_filtered_spec_mode_holds_min_limit_matches(
    coded: SimpleNamespace, as_arrays: Any, spec: str, groups: tuple[int, ...], limit: int
) -> None:
    flt = {"must": [{"key": "g", "match": {"any": list(groups)}}]}
    mask = np.isin(coded.group, groups)
    index = _reference_index(coded, spec)
    q = coded.q.astype(np.float32)
    d, pos = index.search(q, len(coded.x))  # the index's whole ranking, then the mask
    g_of = dict(zip(coded.ids.tolist(), coded.group.tolist(), strict=True))
    for j in range(len(q)):
        ids, scores = as_arrays(coded.col.query(q[j], limit=limit, filter=flt, mode=spec))
        assert len(ids) == min(limit, int(mask.sum()))
        assert all(g_of[i] in groups for i in ids.tolist())
        assert len(set(ids.tolist())) == len(ids)
        ok = mask[pos[j]]
        np.testing.assert_array_equal(ids, coded.ids[pos[j][ok][:limit]])
        np.testing.assert_array_equal(scores, d[j][ok][:limit])


def test_bad_spec_is_refused(coded: SimpleNamespace) -> None:
    with pytest.raises(InvalidInputError, match=r"Bad token 'MRL0'"):
        coded.col.query(coded.q[0], mode="MRL0,SQ8")
    with pytest.raises(InvalidInputError, match=r"'mode' must be 'auto', 'exact', 'ann'"):
        coded.col.query(coded.q[0], mode="")


# ------------------------------------------------------------------------------ multivector
def _maxsim_reference(q: np.ndarray, sets: list[np.ndarray]) -> np.ndarray:
    """Sum over query tokens of the best dot product with a document token (float64)."""
    q64 = q.astype(np.float64)
    return np.asarray([(q64 @ s.astype(np.float64).T).max(axis=1).sum() for s in sets])


@pytest.fixture(scope="module")
def multi(module_store: Any) -> SimpleNamespace:
    rng = np.random.default_rng(5)
    n, d = 80, 8
    sets = [rng.standard_normal((int(rng.integers(1, 7)), d)).astype(np.float32) for _ in range(n)]
    ids = rng.choice(10**6, size=n, replace=False)
    col = module_store.create_collection("multi", d, "ip", multivector=True)
    col.upsert(ids, sets, payload=[{"len": len(s)} for s in sets])
    return SimpleNamespace(col=col, sets=sets, ids=ids, rng=rng, d=d)


def test_maxsim_equals_numpy_reference(multi: SimpleNamespace, as_arrays: Any) -> None:
    for n_tokens in (1, 3, 9):
        q = multi.rng.standard_normal((n_tokens, multi.d)).astype(np.float32)
        expected = _maxsim_reference(q, multi.sets)
        order = np.argsort(-expected, kind="stable")
        ids, scores = as_arrays(multi.col.query(q, limit=15, candidates=len(multi.ids)))
        np.testing.assert_array_equal(ids, multi.ids[order[:15]])
        np.testing.assert_allclose(scores, expected[order[:15]], rtol=1e-5, atol=1e-5)
        assert (np.diff(scores) <= 0).all()
        # every point, when the limit covers them all
        ids, scores = as_arrays(multi.col.query(q.tolist(), limit=200, candidates=200))
        np.testing.assert_array_equal(ids, multi.ids[order])
        np.testing.assert_allclose(scores, expected[order], rtol=1e-5, atol=1e-5)


def test_multivector_query_by_id_and_filter_free_candidates(
    multi: SimpleNamespace, as_arrays: Any
) -> None:
    row = 4
    expected = _maxsim_reference(multi.sets[row], multi.sets)
    expected[row] = -np.inf
    order = np.argsort(-expected, kind="stable")[:10]
    ids, scores = as_arrays(multi.col.query({"id": multi.ids[row]}, limit=10, candidates=100))
    np.testing.assert_array_equal(ids, multi.ids[order])
    np.testing.assert_allclose(scores, expected[order], rtol=1e-5, atol=1e-5)
    # fewer candidates than points: MaxSim re-ranks the MUVERA shortlist, still MaxSim scores
    q = multi.sets[9]
    full = _maxsim_reference(q, multi.sets)
    points = multi.col.query(q, limit=5, candidates=20)
    where = {v: i for i, v in enumerate(multi.ids.tolist())}
    for p in points:
        assert math.isclose(p.score, full[where[p.id]], rel_tol=1e-5, abs_tol=1e-5)


def test_to_multivector_round_trip(multi: SimpleNamespace, tmp_path: Path) -> None:
    mv = multi.col.to_multivector()
    order = np.argsort(multi.ids)
    np.testing.assert_array_equal(mv.ids, multi.ids[order])
    for j, i in enumerate(order):
        np.testing.assert_array_equal(mv[j], multi.sets[i])
    path = multi.col.export(tmp_path / "sets.npz")
    back = MultiVector.load(path)
    np.testing.assert_array_equal(back.vectors, mv.vectors)
    np.testing.assert_array_equal(back.offsets, mv.offsets)
    np.testing.assert_array_equal(back.ids, mv.ids)
    got = multi.col.get([multi.ids[3]], with_vectors=True)[0]
    np.testing.assert_array_equal(np.asarray(got.vector, np.float32), multi.sets[3])
    assert got.payload == {"len": len(multi.sets[3])}


def test_multivector_errors(multi: SimpleNamespace) -> None:
    col = multi.col
    with pytest.raises(InvalidInputError, match=r"Vector set 1 is empty"):
        col.upsert([1, 2], [np.ones((2, 8)), np.zeros((0, 8))])
    with pytest.raises(InvalidInputError, match=r"The vectors have 3 dimensions"):
        col.upsert([1], [np.ones((2, 3))])
    with pytest.raises(InvalidInputError, match=r"Got 1 vector sets for 2 ids"):
        col.upsert([1, 2], [np.ones((2, 8))])
    with pytest.raises(InvalidInputError, match=r"NaN or infinity"):
        col.upsert([1], [np.full((2, 8), np.nan)])
    with pytest.raises(InvalidInputError, match=r"\[n_tokens, 8\] vector set"):
        col.query(np.ones(8))
    with pytest.raises(InvalidInputError, match=r"use to_multivector"):
        col.to_embedding_set()
    with pytest.raises(InvalidInputError, match=r"multivector collections take vector sets"):
        col.upsert_arrow(pa.table({"id": [1], "vector": [[0.0] * 8]}))
    assert col.count() == len(multi.ids)


# ------------------------------------------------------------------------------ upsert semantics
SCHEMA = {"label": "keyword", "n": "integer", "x": "float", "ok": "bool"}


@pytest.fixture
def col(store: Any) -> Any:
    return store.create_collection("points", 4, "l2", payload_schema=SCHEMA)


def _vec(*rows: Any) -> np.ndarray:
    return np.asarray(rows, dtype=np.float32)


def test_known_id_is_replaced_whole(col: Any) -> None:
    col.upsert([1, 2], _vec([1, 0, 0, 0], [0, 1, 0, 0]), [{"label": "a", "n": 3, "k": [1]}, None])
    col.upsert([1], _vec([0, 0, 0, 9]), [{"x": 2.5}])
    assert col.count() == 2
    (p,) = col.get([1], with_vectors=True)
    assert p.payload == {"x": 2.5}  # label, n and the JSON key are gone
    np.testing.assert_array_equal(np.asarray(p.vector, np.float32), [0, 0, 0, 9])
    assert col.count({"must": [{"key": "label", "match": {"value": "a"}}]}) == 0
    (p2,) = col.get([2], with_vectors=True)
    assert p2.payload == {}
    assert col.query([0, 0, 0, 9], limit=1)[0].id == 1


def test_repeated_id_in_one_batch_keeps_the_last_row(col: Any) -> None:
    col.upsert(
        [5, 6, 5, 5],
        _vec([1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3], [4, 4, 4, 4]),
        [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}],
    )
    assert col.count() == 2
    points = {p.id: p for p in col.get([5, 6], with_vectors=True)}
    assert points[5].payload == {"n": 4}
    np.testing.assert_array_equal(np.asarray(points[5].vector, np.float32), [4, 4, 4, 4])
    assert points[6].payload == {"n": 2}
    # also against a known id
    col.upsert([6, 6], _vec([7, 7, 7, 7], [8, 8, 8, 8]), [{"label": "first"}, {"label": "last"}])
    (p,) = col.get([6], with_vectors=True)
    assert p.payload == {"label": "last"}
    np.testing.assert_array_equal(np.asarray(p.vector, np.float32), [8, 8, 8, 8])
    assert sorted(p.id for p in col.scroll(limit=10)[0]) == [5, 6]


def test_undeclared_payload_round_trips_as_json(col: Any) -> None:
    extra = {
        "nested": {"a": [1, 2, {"b": None}], "c": "ünï 😀"},
        "big": 2**62,
        "f": 0.30000000000000004,
        "neg": -0.0,
        "t": True,
        "none": None,
        "quote": 'it\'s "x"',
    }
    col.upsert([1], _vec([0, 0, 0, 0]), [{**extra, "label": "L", "ok": False}])
    (p,) = col.get([1])
    assert p.payload == {**extra, "label": "L", "ok": False}
    assert json.dumps(p.payload, sort_keys=True) == json.dumps(
        {**extra, "label": "L", "ok": False}, sort_keys=True
    )
    assert math.copysign(1.0, p.payload["neg"]) == -1.0
    assert col.count({"must": [{"key": "ok", "match": {"value": False}}]}) == 1


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"label": 3}, r"payload\[0\]\.label must be a keyword value \(declared type\); got 3"),
        ({"n": 1.5}, r"payload\[0\]\.n must be a integer value \(declared type\); got 1\.5"),
        ({"n": True}, r"payload\[0\]\.n must be a integer value .*got True"),
        ({"n": 2**63}, r"payload\[0\]\.n must be a integer value"),
        ({"x": "1"}, r"payload\[0\]\.x must be a float value .*got '1'"),
        ({"x": float("nan")}, r"payload\[0\]\.x must be a float value .*got nan"),
        ({"x": float("inf")}, r"payload\[0\]\.x must be a float value .*got inf"),
        ({"ok": 1}, r"payload\[0\]\.ok must be a bool value .*got 1"),
        ({"label": "a\x00b"}, r"payload\[0\]\.label must be a keyword value"),
        ({"other": float("nan")}, r"payload\[0\] is not JSON-serialisable"),
        ({"other": {1, 2}}, r"payload\[0\] is not JSON-serialisable"),
        ("label", r"payload\[0\] must be a mapping or null; got 'label'"),
    ],
)
def test_declared_types_are_enforced(col: Any, payload: Any, message: str) -> None:
    col.upsert([9], _vec([1, 1, 1, 1]), [{"label": "before"}])
    version = col.version
    with pytest.raises(InvalidInputError, match=message):
        col.upsert([1, 9], _vec([0, 0, 0, 0], [2, 2, 2, 2]), [payload, {"label": "after"}])
    assert col.version == version  # a refused write commits nothing
    assert col.count() == 1
    assert col.get([9])[0].payload == {"label": "before"}


def test_integer_field_takes_int64_extremes_and_float_takes_ints(col: Any) -> None:
    col.upsert(
        [1, 2, 3],
        _vec([0, 0, 0, 0], [1, 0, 0, 0], [2, 0, 0, 0]),
        [{"n": -(2**63), "x": 3}, {"n": 2**63 - 1, "x": -1e300}, {"n": np.int32(7)}],
    )
    got = {p.id: p.payload for p in col.get([1, 2, 3])}
    assert got == {1: {"n": -(2**63), "x": 3.0}, 2: {"n": 2**63 - 1, "x": -1e300}, 3: {"n": 7}}
    assert isinstance(got[1]["x"], float)


@pytest.mark.parametrize(
    ("ids", "vectors", "message"),
    [
        ([1, 2], [[0, 0, 0, 0], [0, np.nan, 0, 0]], r"vectors\[1\] holds NaN or infinity"),
        ([1], [[np.inf, 0, 0, 0]], r"vectors\[0\] holds NaN or infinity"),
        ([1], [[-np.inf, 0, 0, 0]], r"vectors\[0\] holds NaN or infinity"),
        ([1], [[0, 0, 0, 0, 0]], r"The vectors have 5 dimensions; collection 'points' has 4"),
        ([1, 2], [[0, 0, 0, 0]], r"'vectors' must be \[2, 4\] \(one row per id\); got shape"),
        ([1], [["a", 0, 0, 0]], r"'vectors' must be numbers"),
        ([1], [[[0, 0, 0, 0]]], r"'vectors' must be \[1, 4\]"),
        (["a"], [[0, 0, 0, 0]], r"ids\[0\] must be an integer \(collection 'points' has int ids"),
        ([True], [[0, 0, 0, 0]], r"ids\[0\] must be an integer"),
        ([2**63], [[0, 0, 0, 0]], r"ids\[0\] = 9223372036854775808 does not fit in int64"),
        ("12", [[0, 0, 0, 0]], r"'ids' must be a list of ids"),
        ([], np.zeros((0, 4)), r"An upsert needs at least one point"),
    ],
)
def test_bad_points_are_refused(col: Any, ids: Any, vectors: Any, message: str) -> None:
    version = col.version
    with pytest.raises(InvalidInputError, match=message):
        col.upsert(ids, vectors)
    assert col.version == version
    assert col.count() == 0


def test_payload_count_mismatch(col: Any) -> None:
    with pytest.raises(InvalidInputError, match=r"Got 1 payloads for 2 points"):
        col.upsert([1, 2], np.zeros((2, 4)), [{}])
    with pytest.raises(InvalidInputError, match=r"'payload' must be a list with one mapping"):
        col.upsert([1], np.zeros((1, 4)), {"label": "a"})


def test_string_ids_are_checked(store: Any) -> None:
    col = store.create_collection("named", 2, "ip", id_type="str")
    with pytest.raises(InvalidInputError, match=r"ids\[1\] must be a string of 1 to 256"):
        col.upsert(["a", 3], np.zeros((2, 2)))
    with pytest.raises(InvalidInputError, match=r"ids\[0\] must be a string of 1 to 256"):
        col.upsert([""], np.zeros((1, 2)))
    with pytest.raises(InvalidInputError, match=r"ids\[0\] must be a string of 1 to 256"):
        col.upsert(["x" * 257], np.zeros((1, 2)))
    hostile = ["it's", "'; DROP TABLE named; --", "日本", "a'b''c", "x" * 256]
    col.upsert(hostile, np.eye(5, 2, dtype=np.float32))
    assert [p.id for p in col.get(hostile)] == hostile
    col.delete([hostile[1]])
    assert sorted(p.id for p in col.scroll()[0]) == sorted(hostile[:1] + hostile[2:])


def test_upsert_arrow_equals_upsert(store: Any) -> None:
    rng = np.random.default_rng(8)
    x = rng.standard_normal((30, 4)).astype(np.float32)
    ids = rng.choice(1000, size=30, replace=False)
    payload = [{"label": f"l{i % 3}", "n": i, "extra": {"i": i}} for i in range(30)]
    a = store.create_collection("by_upsert", 4, "cosine", payload_schema=SCHEMA)
    a.upsert(ids, x, payload)
    fixed = pa.FixedSizeListArray.from_arrays(pa.array(x.reshape(-1)), 4)
    tables = {
        "fixed": pa.table(
            {
                "id": pa.array(ids, pa.int64()),
                "vector": fixed,
                "label": [p["label"] for p in payload],
                "n": pa.array([p["n"] for p in payload], pa.int32()),  # cast to int64
                "payload": [json.dumps({"extra": p["extra"]}) for p in payload],
            }
        ),
        "list64": pa.table(
            {
                "id": pa.array(ids, pa.int32()),
                "vector": pa.array(x.astype(np.float64).tolist(), pa.list_(pa.float64())),
                "label": [p["label"] for p in payload],
                "n": [p["n"] for p in payload],
                "payload": [json.dumps({"extra": p["extra"]}) for p in payload],
            }
        ),
    }
    want = {p.id: p for p in a.get(ids.tolist(), with_vectors=True)}
    for name, table in tables.items():
        b = store.create_collection(f"by_arrow_{name}", 4, "cosine", payload_schema=SCHEMA)
        b.upsert_arrow(table)
        got = {p.id: p for p in b.get(ids.tolist(), with_vectors=True)}
        assert got.keys() == want.keys()
        for i, p in got.items():
            assert p.payload == want[i].payload
            np.testing.assert_array_equal(
                np.asarray(p.vector, np.float32), np.asarray(want[i].vector, np.float32)
            )
        q = x[0] + 0.1
        assert [(p.id, p.score) for p in b.query(q, limit=30)] == [
            (p.id, p.score) for p in a.query(q, limit=30)
        ]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"id": [1]}, r"needs columns 'id' and 'vector'; missing vector"),
        ({"id": [1], "vector": [[0.0] * 4], "zzz": [1]}, r"Unknown columns zzz"),
        ({"id": [1, 2], "vector": [[0.0] * 4, [0.0] * 3]}, r"Every 'vector' must have the same"),
        ({"id": [1], "vector": [[0.0] * 5]}, r"The vectors have 5 dimensions"),
        ({"id": [1], "vector": [[0.0, math.nan, 0.0, 0.0]]}, r"vectors\[0\] holds NaN"),
        ({"id": [1], "vector": [None]}, r"'vector' column holds nulls"),
        ({"id": [None], "vector": [[0.0] * 4]}, r"'id' column holds nulls"),
        ({"id": ["a"], "vector": [[0.0] * 4]}, r"'id' must be integers for this collection"),
        ({"id": [1], "vector": [[0.0] * 4], "label": [5]}, r"payload\[0\]\.label must be a keyw"),
        ({"id": [1], "vector": [[0.0] * 4], "payload": ["[1]"]}, r"must be a JSON object"),
        ({"id": [1], "vector": ["abcd"]}, r"'vector' must be a list of floats"),
    ],
)
def test_upsert_arrow_errors(col: Any, table: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        col.upsert_arrow(pa.table(table))
    with pytest.raises(InvalidInputError, match=r"Give a pyarrow Table"):
        col.upsert_arrow(table)
    assert col.count() == 0


# ------------------------------------------------------------------------------ delete, scroll
@pytest.fixture
def hundred(store: Any) -> Any:
    col = store.create_collection("hundred", 3, "ip", payload_schema={"g": "integer"})
    rng = np.random.default_rng(1)
    ids = rng.permutation(np.arange(0, 300, 3))  # 0, 3, ..., 297, unsorted
    col.upsert(ids, rng.standard_normal((100, 3)), [{"g": int(i % 7)} for i in ids])
    return col


def _all_ids(col: Any, **kw: Any) -> list[Any]:
    return [p.id for p in col.scroll(limit=10_000, **kw)[0]]


def test_delete_by_ids_by_filter_and_both(hundred: Any) -> None:
    ids = set(range(0, 300, 3))
    v0 = hundred.version
    v1 = hundred.delete([0, 3, 6, 1_000_001])  # an unknown id is no error
    assert v1 == v0 + 1
    ids -= {0, 3, 6}
    assert set(_all_ids(hundred)) == ids
    g1 = {"must": [{"key": "g", "match": {"value": 1}}]}
    hundred.delete(filter=g1)
    ids -= {i for i in ids if i % 7 == 1}
    assert set(_all_ids(hundred)) == ids
    g2 = {"must": [{"key": "g", "match": {"value": 2}}]}
    hundred.delete([12, 30, 51], filter=g2)  # the intersection: 30 and 51 (g == 2), not 12
    ids -= {30, 51}
    assert set(_all_ids(hundred)) == ids
    assert hundred.count() == len(ids)
    assert hundred.delete([]) == hundred.version  # nothing to do: no commit
    with pytest.raises(InvalidInputError, match=r"An empty filter matches every point"):
        hundred.delete(filter={})
    with pytest.raises(InvalidInputError, match=r"Give the ids or a filter"):
        hundred.delete()
    assert hundred.count() == len(ids)
    # deleted points are gone from queries too
    hits = {p.id for p in hundred.query([1.0, 0.0, 0.0], limit=1000)}
    assert hits == ids


def test_scroll_pages_cover_every_id_once_in_order(hundred: Any) -> None:
    everything = list(range(0, 300, 3))
    g = {"must_not": [{"key": "g", "match": {"any": [0, 4]}}]}
    matching = [i for i in everything if i % 7 not in (0, 4)]
    for flt, expected in ((None, everything), (g, matching)):
        for page_size in (1, 7, 33, 100, 500):
            seen, cursor, pages = [], None, 0
            while True:
                page, cursor = hundred.scroll(limit=page_size, offset=cursor, filter=flt)
                assert len(page) == min(page_size, len(expected) - len(seen))
                seen += [p.id for p in page]
                pages += 1
                if cursor is None:
                    break
                assert cursor == expected[len(seen)]  # the first id of the next page
            assert seen == expected
            assert pages == max(1, math.ceil(len(expected) / page_size))


def test_scroll_cursor_semantics(hundred: Any) -> None:
    page, nxt = hundred.scroll(limit=3, offset=10)  # not an id: starts at the next one
    assert [p.id for p in page] == [12, 15, 18]
    assert nxt == 21
    page, nxt = hundred.scroll(limit=3, offset=291)
    assert [p.id for p in page] == [291, 294, 297]
    assert nxt is None
    page, nxt = hundred.scroll(limit=3, offset=298)
    assert (page, nxt) == ([], None)
    page, _ = hundred.scroll(limit=2, offset=-50, with_vectors=True)
    assert [p.id for p in page] == [0, 3]
    assert all(len(p.vector) == 3 for p in page)
    assert all(p.payload == {"g": p.id % 7} for p in page)
    with pytest.raises(InvalidInputError, match=r"offset\[0\] must be an integer"):
        hundred.scroll(offset="a")
    with pytest.raises(InvalidInputError, match=r"'limit' must be an int in \[1, 10000\]"):
        hundred.scroll(limit=0)


def test_get_keeps_the_order_asked_and_drops_unknown_ids(hundred: Any) -> None:
    got = hundred.get([297, 5, 0, 297, 3])
    assert [p.id for p in got] == [297, 0, 297, 3]
    assert hundred.get([1, 2]) == []


# ------------------------------------------------------------------------------ import / export
@pytest.mark.parametrize("id_kind", ["int", "str"])
def test_import_then_export_is_byte_exact(store: Any, tmp_path: Path, id_kind: str) -> None:
    rng = np.random.default_rng(99)
    n = 257
    raw = rng.choice(10**15, size=n, replace=False)
    ids = raw if id_kind == "int" else np.asarray([f"node/{v}" for v in raw], dtype=object)
    x = rng.standard_normal((n, 12)).astype(np.float32) * 1e-3
    x[0, 0] = np.float32(1e-40)  # a subnormal survives
    x[1, 1] = -0.0
    es = EmbeddingSet(ids=ids, vectors=x, metadata={"method": "test"})
    col = store.import_embeddings(f"imp_{id_kind}", es, metric="ip")
    assert col.config.id_type == id_kind
    assert col.count() == n
    path = col.export(tmp_path / "out.parquet")
    back = EmbeddingSet.load(path)
    order = np.argsort(ids)
    np.testing.assert_array_equal(back.ids, ids[order])
    assert back.vectors.dtype == np.float32
    assert back.vectors.tobytes() == x[order].tobytes()
    # a second import of the same file into the same collection changes nothing
    store.import_embeddings(f"imp_{id_kind}", path)
    assert col.count() == n
    assert col.to_embedding_set().vectors.tobytes() == x[order].tobytes()
    with pytest.raises(NotFoundError, match=r"Collection `missing` doesn't exist"):
        store.import_embeddings("missing", es, create=False)


# ------------------------------------------------------------------------------ ANN indexes
@pytest.mark.parametrize("kind", ["IVF_PQ", "IVF_HNSW_SQ", "IVF_HNSW_PQ", "IVF_FLAT", "IVF_SQ"])
def test_every_ann_index_builds_and_answers(store: Any, kind: str) -> None:
    rng = np.random.default_rng(21)
    x = rng.standard_normal((600, 16)).astype(np.float32)
    group = rng.integers(0, 10, 600)
    col = store.create_collection("ann", 16, "l2", payload_schema={"g": "integer"})
    col.upsert(np.arange(600), x, [{"g": int(g)} for g in group])
    info = col.create_index(kind, num_partitions=2, num_sub_vectors=4)
    assert [i["columns"] for i in info["indexes"]] == [["vector"]]
    assert col.has_ann_index()
    exact = FlatIndex(16, "l2").add(x)
    for row in (3, 77, 400):
        hits = col.query(x[row], limit=5, mode="ann", nprobes=2, refine_factor=50)
        # every list probed and every candidate re-scored exactly: the exact answer
        _, ids = exact.search(x[row][None, :], 5)
        assert [p.id for p in hits] == ids[0].tolist()
        np.testing.assert_allclose(hits[0].score, 0.0, atol=1e-4)
        flt = {"must": [{"key": "g", "match": {"value": int(group[row])}}]}
        hits = col.query(x[row], limit=7, mode="ann", nprobes=2, filter=flt)
        assert len(hits) == 7 and all(group[p.id] == group[row] for p in hits)


def test_ann_mode_needs_an_index(store: Any) -> None:
    col = store.create_collection("plain", 4, "cosine")
    col.upsert([1, 2], np.eye(2, 4))
    with pytest.raises(InvalidInputError, match="has no vector index; build one with create_index"):
        col.query([1, 0, 0, 0], mode="ann")
    with pytest.raises(InvalidInputError, match=r"at least max\(256, num_partitions\) points"):
        col.create_index("IVF_PQ")


def test_concurrent_exact_queries_are_batched_and_equal_single_ones(store: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(5)
    x = rng.standard_normal((3000, 24)).astype(np.float32)
    col = store.create_collection("batched", 24, "cosine")
    col.upsert(np.arange(3000), x, [{"n": i} for i in range(3000)])
    queries = rng.standard_normal((64, 24)).astype(np.float32)
    alone = [[(p.id, p.score, p.payload) for p in col.query(q, limit=7)] for q in queries]
    snap = col._snapshots[col.version]
    calls = []
    original = snap.index.search

    def counting(q: np.ndarray, k: int) -> Any:
        calls.append(len(q))
        if len(calls) == 1:
            time.sleep(0.3)  # the first search is slow: the other callers queue behind it
        return original(q, k)

    snap.index.search = counting  # type: ignore[method-assign]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda q: col.query(q, limit=7), queries))
    assert [[(p.id, p.score, p.payload) for p in r] for r in together] == alone
    assert sum(calls) == 64
    assert len(calls) < 64 and max(calls) > 1  # the queued callers shared searches


def test_faiss_hnsw_spec_takes_ef_and_filters_stay_exact_in_count(store: Any) -> None:
    pytest.importorskip("faiss")
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2000, 16)).astype(np.float32)
    col = store.create_collection("hnsw", 16, "l2", payload_schema={"g": "integer"})
    col.upsert(np.arange(2000), x, [{"g": i % 50} for i in range(2000)])
    warm = col.warm("HNSW16")
    assert warm["mode"] == "HNSW16" and warm["version"] == col.version
    ref = make_index("HNSW16", 16, "l2").train(x).add(x)
    for row in (0, 999):
        got = col.query(x[row], limit=10, mode="HNSW16", ef=128)
        dist, ids = ref.search(x[row][None, :], 10, efSearch=128)
        assert [p.id for p in got] == ids[0].tolist()
        np.testing.assert_array_equal([p.score for p in got], dist[0])
    # a filter keeping 2 % of the points: the graph search runs dry, exact search takes over
    flt = {"must": [{"key": "g", "match": {"value": 7}}]}
    got = col.query(x[7], limit=50, mode="HNSW16", filter=flt)
    assert len(got) == 40 and all(p.id % 50 == 7 for p in got)
    with pytest.raises(InvalidInputError, match="nprobes and ef apply to ANN indexes; mode 'SQ8'"):
        col.query(x[0], mode="SQ8", ef=10)
    with pytest.raises(InvalidInputError, match="Warm 'exact' or an index spec"):
        col.warm("ann")
