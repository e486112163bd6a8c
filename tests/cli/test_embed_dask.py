"""``embedlab embed ... --workers N``: the same file as one process, and the memory check."""

import numpy as np
import pytest
from typer.testing import CliRunner

from embedlab.cli import app
from embedlab.io import EmbeddingSet

pytest.importorskip("distributed")

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_fastrp_on_workers_writes_the_local_file(tmp_path):
    local, dask = tmp_path / "local.parquet", tmp_path / "dask.parquet"
    assert run("embed", "fastrp", "karate", "-o", str(local), "--seed", "0", "-q").exit_code == 0
    res = run(
        "embed",
        "fastrp",
        "karate",
        "-o",
        str(dask),
        "--seed",
        "0",
        "--workers",
        "2",
        "--partitions",
        "3",
        "-q",
    )
    assert res.exit_code == 0, res.output
    a, b = EmbeddingSet.load(local), EmbeddingSet.load(dask)
    np.testing.assert_array_equal(a.ids, b.ids)
    assert np.abs(a.vectors - b.vectors).max() <= 1e-6


def test_deepwalk_on_workers(tmp_path):
    out = tmp_path / "dw.parquet"
    res = run(
        "embed",
        "deepwalk",
        "karate",
        "-o",
        str(out),
        "--seed",
        "0",
        "--workers",
        "2",
        "--partitions",
        "2",
        "--walks-per-node",
        "2",
        "--walk-length",
        "10",
        "-q",
    )
    assert res.exit_code == 0, res.output
    es = EmbeddingSet.load(out)
    assert es.vectors.shape == (34, 128) and np.isfinite(es.vectors).all()


def test_memory_check_refuses_and_can_be_skipped(tmp_path, monkeypatch):
    import embedlab.cli.embed as embed

    monkeypatch.setattr(embed, "_machine_available", lambda: 0)
    out = tmp_path / "o.parquet"
    res = run("embed", "fastrp", "karate", "-o", str(out), "-q")
    assert res.exit_code == 1
    assert "needs about" in res.output and "--no-memory-check runs it anyway" in res.output
    assert not out.exists()
    res = run("embed", "fastrp", "karate", "-o", str(out), "-q", "--no-memory-check")
    assert res.exit_code == 0, res.output


def test_workers_and_scheduler_errors(tmp_path):
    out = str(tmp_path / "o.parquet")
    res = run("embed", "fastrp", "karate", "-o", out, "--workers", "2", "--scheduler", "tcp://x:1")
    assert res.exit_code == 2 and "give --workers or --scheduler, not both" in res.output
    res = run("embed", "fastrp", "karate", "-o", out, "--workers", "0")
    assert res.exit_code == 2 and "must be at least 1; got 0" in res.output
    # only the estimators with a Dask backend take the options
    assert "--workers" not in run("embed", "orbit-pmi", "--help").output
