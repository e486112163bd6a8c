"""One test per HTTP error status: the envelope, the code and a pinned message; never a 500."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from embedlab.serve import create_app
from embedlab.store import Collection

DIM = 32  # the shared collection's (conftest)
Q = [0.5] * DIM
JSON = {"content-type": "application/json"}


# -- 400 --------------------------------------------------------------------------------------------
def test_400_wrong_dimension(client, sv):
    body = {"points": [{"id": 1, "vector": [1.0, 2.0, 3.0]}]}
    sv.err(
        client.put("/collections/docs/points", json=body),
        400,
        "bad_request",
        r"^The vectors have 3 dimensions; collection 'docs' has 32\.$",
    )
    sv.err(
        client.post("/collections/docs/points/query", json={"query": [1.0, 2.0]}),
        400,
        "bad_request",
        r"^Collection `docs` takes a 32-d vector as query; got shape \(2,\)\.$",
    )


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e300"])
def test_400_nan_and_inf(client, sv, literal):
    # Python's json reads NaN and Infinity: sent raw; 1e300 overflows float32 to inf
    values = ", ".join([literal] + ["0.5"] * (DIM - 1))
    raw = f'{{"points": [{{"id": 1, "vector": [{values}]}}]}}'.encode()
    sv.err(
        client.put("/collections/docs/points", content=raw, headers=JSON),
        400,
        "bad_request",
        r"^vectors\[0\] holds NaN or infinity; every value must be finite\.$",
    )
    raw = f'{{"query": [{values}]}}'.encode()
    sv.err(
        client.post("/collections/docs/points/query", content=raw, headers=JSON),
        400,
        "bad_request",
        r"^The query holds NaN or infinity; every value must be finite\.$",
    )
    assert sv.ok(client.get("/collections/docs"))["count"] == sv.N_POINTS


@pytest.mark.parametrize(
    ("flt", "message"),
    [
        (
            {"bogus": []},
            r"^filter: unknown key 'bogus'; a filter takes must, should and must_not\.",
        ),
        (
            {"must": [{"key": "label", "foo": 1}]},
            r"^filter\.must\[0\]: unsupported key\(s\) \['foo'\] in a field condition",
        ),
        (
            {"must": [{"key": "n", "range": {"gt": "a"}}]},
            r"^filter\.must\[0\]\.range\.gt: 'a' is not a number",
        ),
        (
            {"must": [{"key": "zzz", "match": {"value": "a"}}]},
            r"^filter\.must\[0\]\.key: Unknown payload field 'zzz' in filter; declared fields: "
            r"label, n, x\.$",
        ),
        (
            {"must": [{"key": "label", "match": {"value": "x' OR '1'='1"}}], "sql": "1=1"},
            r"^filter: unknown key 'sql'",
        ),
    ],
)
def test_400_bad_filter(client, sv, flt, message):
    for path, body in (
        ("points/query", {"query": Q, "filter": flt}),
        ("points/scroll", {"filter": flt}),
        ("points/count", {"filter": flt}),
        ("points/delete", {"filter": flt}),
    ):
        sv.err(client.post(f"/collections/docs/{path}", json=body), 400, "bad_request", message)
    assert sv.ok(client.get("/collections/docs"))["count"] == sv.N_POINTS


def test_400_bad_base64(client, sv):
    sv.err(
        client.put("/collections/docs/points", json={"ids": [1], "vectors_b64": "!!not base64"}),
        400,
        "bad_request",
        r"^'vectors_b64' is not valid base64\.$",
    )
    sv.err(
        client.put("/collections/docs/points", json={"ids": [1, 2], "vectors_b64": "AAAAAA=="}),
        400,
        "bad_request",
        r"^'vectors_b64' holds 4 bytes; 2 vectors of 32 float32 need 256\.$",
    )


def test_400_bad_arrow_body(client, sv):
    sv.err(
        client.put(
            "/collections/docs/points",
            content=b"not arrow",
            headers={"content-type": "application/vnd.apache.arrow.stream"},
        ),
        400,
        "bad_request",
        r"^The body is not an Arrow IPC stream \(",
    )


def test_400_bad_json_and_ids(client, sv):
    sv.err(
        client.post("/collections/docs/points/query", content=b'{"query": [1, 2', headers=JSON),
        400,
        "bad_request",
        r"^The body is not valid JSON\.$",
    )
    sv.err(
        client.put("/collections/docs/points", content=b"\xff\xfe{", headers=JSON),
        400,
        "bad_request",
        r"^The body is not valid JSON\.$",
    )
    sv.err(
        client.put("/collections/docs/points", json={"points": [{"id": "s", "vector": Q}]}),
        400,
        "bad_request",
        r"^ids\[0\] must be an integer \(collection 'docs' has int ids\); got 's'\.$",
    )
    sv.err(
        client.get("/collections/docs/points/abc"),
        400,
        "bad_request",
        r"^Point ids of `docs` are integers; got 'abc'\.$",
    )
    sv.err(
        client.post(
            "/collections/docs/points/query", json={"query": Q, "limit": 1000, "offset": 9500}
        ),
        400,
        "bad_request",
        r"^'limit \+ offset' must be at most 10000; got 10500\.$",
    )


@pytest.mark.parametrize("name", ["a" * 65, "%2E%2E", "a..b", "a b", "sémantique", "a%00b"])
def test_400_bad_collection_name(client, sv, tmp_path, name):
    r = client.put(f"/collections/{name}", json={"dim": 4})
    sv.err(r, 400, "bad_request", r"^Collection names are 1 to 64 characters from A-Z, a-z, 0-9")
    sv.err(client.get(f"/collections/{name}"), 400, "bad_request", "^Collection names are")
    assert sv.ok(client.get("/collections"))["collections"] == [{"name": "docs"}]


@pytest.mark.parametrize("name", ["a/b", "a%2Fb", "..", "..%2F..%2Fetc"])
def test_a_slash_in_a_name_is_no_route(client, sv, store, name):
    # a name never holds a '/', and the client folds '..' away: no path outside the store
    r = client.put(f"/collections/{name}", json={"dim": 4})
    assert r.status_code in (400, 404)
    sv.err(r, r.status_code, "bad_request" if r.status_code == 400 else "not_found")
    assert sorted(p.name for p in store.path.iterdir() if not p.name.startswith(".")) == [
        "docs.lance"
    ]


def test_64_characters_is_a_valid_name(client, sv):
    sv.ok(client.put("/collections/" + "a" * 64, json={"dim": 4}), 201)


# -- 401 / 403 ------------------------------------------------------------------------------------
WRITES = [
    ("put", "/collections/new", {"dim": 4}),
    ("put", "/collections/docs/points", {"points": [{"id": 1, "vector": Q}]}),
    ("post", "/collections/docs/points/delete", {"points": [100]}),
    ("post", "/collections/docs/tags", {"name": "t"}),
    ("post", "/collections/docs/restore", {"version": 1}),
    ("post", "/collections/docs/optimize", None),
    ("post", "/collections/docs/index", {"type": "IVF_PQ"}),
    ("post", "/collections/docs/warm", {"mode": "SQ8"}),
    ("delete", "/collections/docs", None),
]


@pytest.fixture
def keyed(store):
    with TestClient(create_app(store, api_key="s3cret"), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_401_403_writes_need_the_key(keyed, sv, method, path, body):
    kwargs = {} if body is None else {"json": body}
    sv.err(
        keyed.request(method.upper(), path, **kwargs),
        401,
        "unauthorized",
        r"^This endpoint needs an API key \(header 'api-key'\)\.$",
    )
    for headers in ({"api-key": "wrong"}, {"authorization": "Bearer wrong"}, {"api-key": "s3cre"}):
        sv.err(
            keyed.request(method.upper(), path, headers=headers, **kwargs),
            403,
            "forbidden",
            r"^The API key is not valid\.$",
        )
    assert sv.ok(keyed.get("/collections/docs"))["count"] == sv.N_POINTS


def test_the_key_opens_writes_and_reads_stay_open(keyed, sv):
    sv.ok(keyed.put("/collections/new", json={"dim": 4}, headers={"api-key": "s3cret"}), 201)
    sv.ok(
        keyed.put(
            "/collections/new/points",
            json={"points": [{"id": 1, "vector": [1, 0, 0, 0]}]},
            headers={"authorization": "Bearer s3cret"},
        )
    )
    sv.ok(keyed.get("/collections"))
    sv.ok(keyed.get("/collections/docs"))
    sv.ok(keyed.post("/collections/docs/points/query", json={"query": Q}))
    sv.ok(keyed.post("/collections/docs/points/query/batch", json={"searches": [{"query": Q}]}))
    sv.ok(keyed.post("/collections/docs/points/scroll", json={}))
    sv.ok(keyed.post("/collections/docs/points/count", json={}))
    sv.ok(keyed.post("/collections/docs/points", json={"ids": [100]}))
    sv.ok(keyed.get("/collections/docs/points/100"))
    sv.ok(keyed.get("/collections/docs/versions"))
    sv.ok(keyed.get("/healthz"))
    assert keyed.get("/metrics").status_code == 200


# -- 404 --------------------------------------------------------------------------------------------
def test_404_unknown_collection_point_version_route(client, sv):
    for r in (
        client.get("/collections/nope"),
        client.post("/collections/nope/points/query", json={"query": Q}),
        client.put("/collections/nope/points", json={"points": [{"id": 1, "vector": Q}]}),
        client.delete("/collections/nope"),
    ):
        sv.err(r, 404, "not_found", r"^Collection `nope` doesn't exist$")
    sv.err(
        client.get("/collections/docs/points/99"),
        404,
        "not_found",
        r"^Collection `docs` has no point '99'\.$",
    )
    sv.err(
        client.post("/collections/docs/points/query", json={"query": {"id": 99}}),
        404,
        "not_found",
        r"^Collection `docs` has no point 99\.$",
    )
    for version in (99, "notag", -1, 2**64):
        sv.err(
            client.post("/collections/docs/points/count", json={"version": version}),
            404,
            "not_found",
            rf"^Collection `docs` has no version {version!r}",
        )
    sv.err(
        client.post("/collections/docs/restore", json={"version": 99}),
        404,
        "not_found",
        "has no version 99",
    )
    sv.err(client.get("/nope"), 404, "not_found", r"^No endpoint GET /nope$")
    sv.err(
        client.post("/collections/docs/nope", json={}),
        404,
        "not_found",
        r"^No endpoint POST /collections/docs/nope$",
    )


# -- 405 --------------------------------------------------------------------------------------------
def test_405_method_not_allowed(client, sv):
    sv.err(client.delete("/healthz"), 405, "method_not_allowed", r"^Method Not Allowed$")
    sv.err(client.put("/collections/docs/points/query", json={}), 405, "method_not_allowed")
    sv.err(client.post("/collections"), 405, "method_not_allowed")


# -- 409 --------------------------------------------------------------------------------------------
def test_409_existing_collection_and_tag(client, sv):
    sv.err(
        client.put("/collections/docs", json={"dim": 8}),
        409,
        "conflict",
        r"^Collection `docs` already exists$",
    )
    sv.ok(client.post("/collections/docs/tags", json={"name": "t1"}))
    sv.err(
        client.post("/collections/docs/tags", json={"name": "t1"}),
        409,
        "conflict",
        r"^Collection `docs` already has a tag `t1`\.$",
    )
    assert sv.ok(client.get("/collections/docs"))["dim"] == 32


# -- 413 --------------------------------------------------------------------------------------------
@pytest.fixture
def small_body(store):
    with TestClient(create_app(store, max_body_bytes=2000), raise_server_exceptions=False) as c:
        yield c


def _chunks(total: int, size: int = 500):
    for _ in range(total // size):
        yield b" " * size


def test_413_body_too_large_by_content_length(small_body, sv):
    body = {"points": [{"id": i, "vector": Q} for i in range(20)]}
    sv.err(
        small_body.put("/collections/docs/points", json=body),
        413,
        "payload_too_large",
        r"^The body is \d+ bytes; at most 2000 are accepted\.$",
    )
    sv.err(
        small_body.post("/collections/docs/points/query", content=b" " * 2001, headers=JSON),
        413,
        "payload_too_large",
        r"^The body is 2001 bytes; at most 2000 are accepted\.$",
    )
    assert sv.ok(small_body.get("/collections/docs"))["count"] == sv.N_POINTS
    # at the cap: read
    sv.ok(small_body.post("/collections/docs/points/query", json={"query": Q, "limit": 1}))


@pytest.mark.parametrize("path", ["/collections/docs/points", "/collections/docs/points/query"])
def test_413_chunked_body_too_large(small_body, sv, path):
    # a generator body goes out with Transfer-Encoding: chunked and no Content-Length
    method = "PUT" if path.endswith("points") else "POST"
    r = small_body.request(method, path, content=_chunks(5000), headers=JSON)
    assert "content-length" not in r.request.headers
    sv.err(r, 413, "payload_too_large", r"^The body exceeds 2000 bytes\.$")
    assert sv.ok(small_body.get("/collections/docs"))["count"] == sv.N_POINTS


def test_bad_content_length_is_400(small_body, sv):
    r = small_body.post(
        "/collections/docs/points/query", content=b"{}", headers={**JSON, "content-length": "x"}
    )
    sv.err(r, 400, "bad_request", r"^Bad Content-Length header\.$")


# -- 415 --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "ctype", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_415_unsupported_content_type(client, sv, ctype):
    msg = r"^Send application/json \(or application/vnd\.apache\.arrow\.stream to PUT"
    sv.err(
        client.put(
            "/collections/docs/points", content=b"id,vector", headers={"content-type": ctype}
        ),
        415,
        "unsupported_media_type",
        msg,
    )
    sv.err(
        client.post(
            "/collections/docs/points/query",
            content=b'{"query": []}',
            headers={"content-type": ctype},
        ),
        415,
        "unsupported_media_type",
        msg,
    )
    # a charset parameter is fine
    r = client.post(
        "/collections/docs/points/count",
        content=b"{}",
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert sv.ok(r) == {"count": sv.N_POINTS}


# -- 422 --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (
            "points/query",
            {"query": Q, "limit": 0},
            r"limit: Input should be greater than or equal to 1",
        ),
        (
            "points/query",
            {"query": Q, "limit": 1001},
            r"limit: Input should be less than or equal to 1000",
        ),
        (
            "points/query",
            {"query": Q, "offset": 20000},
            r"offset: Input should be less than or equal to 10000",
        ),
        ("points/query", {"limit": 3}, r"query: Field required"),
        (
            "points/query",
            {"query": Q, "sql": "DROP TABLE docs"},
            r"sql: Extra inputs are not permitted",
        ),
        ("points/scroll", {"limit": 10001}, r"limit: Input should be less than or equal to 10000"),
        ("points", {"ids": []}, r"ids: List should have at least 1 item"),
        ("points/query/batch", {"searches": []}, r"searches: List should have at least 1 item"),
    ],
)
def test_422_schema_violation(client, sv, path, body, message):
    sv.err(
        client.post(f"/collections/docs/{path}", json=body),
        422,
        "unprocessable_entity",
        r"^The request does not fit the schema: .*" + message,
    )


def test_422_create_and_upsert_schema(client, sv):
    sv.err(
        client.put("/collections/new", json={"metric": "cosine"}),
        422,
        "unprocessable_entity",
        r"^The request does not fit the schema: dim: Field required$",
    )
    sv.err(
        client.put("/collections/new", json={"dim": 0}),
        422,
        "unprocessable_entity",
        r"dim: Input should be greater",
    )
    sv.err(
        client.put("/collections/docs/points", json={"points": []}),
        422,
        "unprocessable_entity",
        "points",
    )
    sv.err(client.put("/collections/docs/points", json=[1, 2]), 422, "unprocessable_entity")
    assert "new" not in [c["name"] for c in sv.ok(client.get("/collections"))["collections"]]


# -- 503 --------------------------------------------------------------------------------------------
def _slow_count(monkeypatch, seconds: float, started: threading.Event) -> None:
    real = Collection.count

    def slow(self, *args, **kwargs):
        started.set()
        time.sleep(seconds)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "count", slow)


def test_503_overloaded(store, sv, monkeypatch):
    started = threading.Event()
    _slow_count(monkeypatch, 1.0, started)
    client = TestClient(create_app(store, max_concurrency=1), raise_server_exceptions=False)
    out = {}
    slow = threading.Thread(
        target=lambda: out.setdefault("r", client.post("/collections/docs/points/count", json={}))
    )
    slow.start()
    assert started.wait(10)
    r = client.get("/collections/docs")
    sv.err(r, 503, "unavailable", r"^Overloaded: 1 requests in flight; retry shortly\.$")
    assert r.headers["retry-after"] == "1"
    slow.join(10)
    assert sv.ok(out["r"]) == {"count": sv.N_POINTS}
    sv.ok(client.get("/collections/docs"))  # free again


def test_503_time_budget(store, sv, monkeypatch):
    started = threading.Event()
    _slow_count(monkeypatch, 1.0, started)
    client = TestClient(create_app(store, time_budget_s=0.2), raise_server_exceptions=False)
    t0 = time.perf_counter()
    body = sv.err(
        client.post("/collections/docs/points/count", json={}),
        503,
        "unavailable",
        r"^The request took longer than the time budget \(0\.2 s\)\.$",
    )
    assert time.perf_counter() - t0 < 0.9
    assert 0.2 <= body["time"] < 0.9
    time.sleep(1.0)  # let the abandoned worker thread finish before the store's folder goes


def test_no_500_and_no_traceback_in_any_error(client):
    # a sweep of malformed requests: every answer is a 4xx envelope
    rng = np.random.default_rng(0)
    bodies = [
        b"",
        b"null",
        b"[]",
        b'"x"',
        b"{}",
        b'{"query": null}',
        b'{"query": {}}',
        b'{"query": {"id": null}}',
        b'{"query": {"text": 3}}',
        b'{"query": [[1]]}',
        b'{"query": "abc"}',
        b'{"filter": 3}',
        rng.bytes(64),
    ]
    for path in (
        "points/query",
        "points/scroll",
        "points/count",
        "points/delete",
        "points",
        "tags",
        "restore",
        "index",
        "points/query/batch",
    ):
        for raw in bodies:
            r = client.post(f"/collections/docs/{path}", content=raw, headers=JSON)
            assert r.status_code < 500, (path, raw, r.text)
            assert "Traceback" not in r.text
            if r.status_code >= 400:
                assert set(r.json()) == {"status", "time"}
    for raw in bodies:
        r = client.put("/collections/docs/points", content=raw, headers=JSON)
        assert 400 <= r.status_code < 500, (raw, r.text)
        r = client.put("/collections/new2", content=raw, headers=JSON)
        assert 400 <= r.status_code < 500, (raw, r.text)


def test_400_index_spec_modes_are_bounded(client, sv):
    r = client.post("/collections/docs/points/query", json={"query": Q, "mode": "HNSW100000"})
    sv.err(r, 400, "bad_request", r"^'mode' must be at most 64 characters with numbers up to 4096")
    r = client.post("/collections/docs/warm", json={"mode": "PQ8" * 30})
    sv.err(r, 400, "bad_request", r"^'mode' must be at most 64 characters")
