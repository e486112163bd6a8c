"""CLI: embedlab tables bench on a tiny LightGCN-layout folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embedlab.cli import app

runner = CliRunner()


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    folder = tmp_path / "tiny"
    folder.mkdir()
    train, test = [], []
    for u in range(60):
        items = np.flatnonzero(rng.random(45) < np.where(np.arange(45) % 3 == u % 3, 0.4, 0.02))
        items = items if len(items) >= 2 else np.array([u % 45, (u + 3) % 45])
        train.append(f"{u} " + " ".join(map(str, items[:-1])))
        test.append(f"{u} {items[-1]}")
    (folder / "train.txt").write_text("\n".join(train) + "\n")
    (folder / "test.txt").write_text("\n".join(test) + "\n")
    return folder


def test_bench_json_equal_rows(tiny: Path) -> None:
    res = runner.invoke(
        app,
        [
            "bench",
            "tables",
            "--dataset",
            str(tiny),
            "--methods",
            "full,hash,frequency,graphhash,double-graphhash",
            "--resolution",
            "1",
            "--epochs",
            "4",
            "--embedding-dim",
            "8",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert list(out) == ["full", "hash", "frequency", "graphhash", "double-graphhash"]
    assert out["full"]["rows"] == 60 + 45
    rows = {m: out[m]["rows"] for m in ("hash", "frequency", "graphhash", "double-graphhash")}
    assert len(set(rows.values())) == 1  # every compressed method gets GraphHash's rows
    for r in out.values():
        assert 0.0 <= r["recall@20"] <= 1.0 and 0.0 <= r["ndcg@20"] <= 1.0
        assert r["memory_bytes"] >= r["rows"] * 8 * 4
    assert out["hash"]["memory_bytes"] == out["hash"]["rows"] * 8 * 4


def test_bench_table_output(tiny: Path) -> None:
    res = runner.invoke(
        app,
        [
            "bench",
            "tables",
            "--dataset",
            str(tiny),
            "--methods",
            "hash,qr",
            "--memory-fraction",
            "0.5",
            "--epochs",
            "2",
            "--embedding-dim",
            "4",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Recall@20" in res.output and "qr" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--methods", "hash,bloom"],
            "Unknown table method 'bloom'; choose one of: collisionless,",
        ),
        (["--memory-fraction", "2"], "--memory-fraction must be a fraction in (0, 1], got 2.0."),
        (["--model", "gru"], "model must be one of mf, lightgcn, got 'gru'."),
    ],
)
def test_errors_are_one_line(tiny: Path, args: list[str], message: str) -> None:
    res = runner.invoke(app, ["bench", "tables", "--dataset", str(tiny), *args])
    assert res.exit_code == 1
    assert message in res.output and "Traceback" not in res.output


def test_tables_stream_json_and_equal_memory() -> None:
    base = ["bench", "stream", "--dataset", "synthetic", "--examples", "4000", "--windows", "2"]
    res = runner.invoke(app, [*base, "--table", "collisionless", "--expire-after", "20", "--json"])
    assert res.exit_code == 0, res.output
    coll = json.loads(res.output)
    keys = {
        "auc",
        "auc_per_window",
        "logloss",
        "memory_bytes",
        "rows",
        "evictions",
        "examples_per_second",
    }
    assert keys <= set(coll) and len(coll["auc_per_window"]) == 2
    assert coll["evictions"] > 0 and coll["memory_from"] is None
    res = runner.invoke(app, [*base, "--table", "hash", "--expire-after", "20", "--json"])
    assert res.exit_code == 0, res.output
    h = json.loads(res.output)
    assert h["memory_from"] == "collisionless run (peak memory)"
    assert h["memory_budget_bytes"] == coll["peak_memory_bytes"]
    assert h["memory_bytes"] <= h["memory_budget_bytes"] and h["evictions"] == 0


def test_tables_stream_table_output_and_errors(tmp_path: Path) -> None:
    base = ["bench", "stream", "--dataset", "synthetic", "--examples", "2000", "--windows", "2"]
    res = runner.invoke(app, [*base, "--table", "unified", "--memory-bytes", "4096"])
    assert res.exit_code == 0, res.output
    assert "AUC (mean of windows)" in res.output and "examples/s" in res.output
    res = runner.invoke(app, [*base, "--table", "cuckoo"])
    assert res.exit_code != 0
    assert (
        "Unknown field embedding 'cuckoo'; choose one of: collisionless, hash, unified."
        in res.output
    )
    res = runner.invoke(app, [*base, "--snapshot", str(tmp_path / "s")])
    assert res.exit_code != 0
    assert "--snapshot and --snapshot-interval go together." in res.output
    res = runner.invoke(app, ["bench", "stream", "--dataset", "criteo"])
    assert res.exit_code != 0
    assert "Unknown stream 'criteo'; choose one of: movielens-100k, synthetic." in res.output


def test_tables_stream_snapshot_and_resume(tmp_path: Path) -> None:
    base = [
        "bench",
        "stream",
        "--dataset",
        "synthetic",
        "--examples",
        "3000",
        "--windows",
        "2",
        "--json",
        "--sync-interval",
        "5",
    ]
    snap = tmp_path / "run.snap"
    res = runner.invoke(app, [*base, "--snapshot", str(snap), "--snapshot-interval", "20"])
    assert res.exit_code == 0, res.output
    full = json.loads(res.output)
    assert snap.is_file()
    res = runner.invoke(app, [*base, "--resume", str(snap)])
    assert res.exit_code == 0, res.output
    resumed = json.loads(res.output)
    assert resumed["auc_per_window"] == full["auc_per_window"]
