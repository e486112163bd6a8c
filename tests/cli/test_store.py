"""`embedlab store ...` and `embedlab serve`: the CLI over the same library calls."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from embedlab.cli import app
from embedlab.io import EmbeddingSet, MultiVector
from embedlab.retrieval.index import FlatIndex
from embedlab.store import Store

pytest.importorskip("lancedb")

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def emb(tmp_path):
    rng = np.random.default_rng(0)
    es = EmbeddingSet(ids=np.arange(100, 160), vectors=rng.standard_normal((60, 8)))
    path = tmp_path / "emb.parquet"
    es.save(path)
    return es, path


def test_add_query_list_export_round_trip(tmp_path, emb):
    es, path = emb
    store = tmp_path / "store"
    payload = tmp_path / "labels.jsonl"
    payload.write_text("".join(json.dumps({"id": int(i), "g": int(i) % 3}) + "\n" for i in es.ids))
    res = invoke("store", "add", store, "emb", path, "--payload", payload,
                 "--payload-schema", '{"g": "integer"}')  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "60 points upserted into 'emb': version 2, 60 points" in res.output

    res = invoke("store", "list", store)
    assert res.exit_code == 0
    assert res.stdout.split("\t")[:4] == ["emb", "60 points", "dim 8", "cosine"]

    q = es.vectors[5]
    res = invoke("store", "query", store, "emb", "--vector", ",".join(map(repr, q.tolist())),
                 "-k", "4")  # fmt: skip
    assert res.exit_code == 0, res.output
    line = json.loads(res.stdout)
    dist, ids = FlatIndex(8, "cosine").add(es.vectors, ids=es.ids).search(q[None, :], 4)
    assert [p["id"] for p in line["points"]] == ids[0].tolist()
    np.testing.assert_allclose([p["score"] for p in line["points"]], dist[0], rtol=1e-6)

    flt = '{"must": [{"key": "g", "match": {"value": 1}}]}'
    res = invoke("store", "query", store, "emb", "--id", 105, "-k", "50", "--filter", flt)
    hits = json.loads(res.stdout)["points"]
    assert len(hits) == 20 and all(p["payload"]["g"] == 1 for p in hits)  # 20 of 60 have g == 1
    assert 105 not in [p["id"] for p in hits]

    out = tmp_path / "copy.parquet"
    assert invoke("store", "export", store, "emb", "-o", out).exit_code == 0
    back = EmbeddingSet.load(out)
    np.testing.assert_array_equal(back.ids, es.ids)
    assert back.vectors.tobytes() == es.vectors.tobytes()
    assert invoke("store", "export", store, "emb", "-o", out).exit_code == 1  # no clobbering


def test_queries_file_and_spec_mode(tmp_path, emb):
    es, path = emb
    store = tmp_path / "store"
    invoke("store", "add", store, "emb", path)
    qpath = tmp_path / "q.parquet"
    EmbeddingSet(ids=["a", "b"], vectors=es.vectors[:2]).save(qpath)
    res = invoke("store", "query", store, "emb", "--queries", qpath, "-k", "3", "--mode", "SQ8")
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["query"] for x in lines] == ["a", "b"]
    assert [x["points"][0]["id"] for x in lines] == [100, 101]  # each finds itself first


def test_create_versions_optimize_multivector(tmp_path):
    store = tmp_path / "store"
    res = invoke("store", "create", store, "mv", "--dim", 4, "--multivector", "--metric", "ip")
    assert res.exit_code == 0, res.output
    rng = np.random.default_rng(1)
    mv = MultiVector.from_list([rng.standard_normal((n, 4)) for n in (2, 3, 1)])
    mv = MultiVector(mv.vectors, mv.offsets, ids=np.array([1, 2, 3]))
    mv.save(tmp_path / "mv.npz")
    assert invoke("store", "add", store, "mv", tmp_path / "mv.npz").exit_code == 0
    res = invoke("store", "versions", store, "mv")
    versions = [json.loads(x) for x in res.stdout.splitlines()]
    assert [v["count"] for v in versions] == [0, 3]
    stats = json.loads(invoke("store", "optimize", store, "mv").stdout)
    assert stats["files_after"] <= stats["files_before"]
    assert Store(store).collection("mv").count() == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("query", "{store}", "emb"), "Give exactly one of --vector, --id, --text or --queries."),
        (("query", "{store}", "nope", "--id", "1"), "Collection `nope` doesn't exist"),
        (("query", "{store}", "emb", "--vector", "1,x"), "--vector must be comma-separated"),
        (("query", "{store}", "emb", "--vector", "1,2"), "takes a 8-d vector as query"),
        (("query", "{store}", "emb", "--id", "1", "--filter", "{"), "--filter is not valid JSON"),
        (("query", "{missing}", "emb", "--id", "1"), "No store at"),
        (("create", "{store}", "bad/name", "--dim", "2"), "Collection names are 1 to 64"),
        (("create", "{store}", "emb", "--dim", "2"), "Collection `emb` already exists"),
    ],
)
def test_errors_are_one_line(tmp_path, emb, args, message):
    _, path = emb
    store = tmp_path / "store"
    assert invoke("store", "add", store, "emb", path).exit_code == 0
    subs = {"{store}": str(store), "{missing}": str(tmp_path / "missing")}
    filled = [subs.get(a, a) for a in args]
    res = invoke("store", *filled)
    assert res.exit_code == 1
    assert message in res.output
    assert "Traceback" not in res.output


def test_serve_rejects_an_empty_key_file(tmp_path):
    key = tmp_path / "key.txt"
    key.write_text("\n")
    res = invoke("serve", "--store", tmp_path / "s", "--api-key-file", key)
    assert res.exit_code == 1
    assert "holds no key" in res.output
