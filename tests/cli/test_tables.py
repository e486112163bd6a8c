"""`embedlab bench stream` snapshots: never clobbered without --overwrite, no folder created,
everything checked before the stream is read (issue 25 #6, #9)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from embedlab.cli import app

runner = CliRunner()

BASE = [
    *("bench", "stream", "--dataset", "synthetic", "--examples", "3000"),
    *("--windows", "2", "--json", "--sync-interval", "5"),
]


def _one_line_error(res, code=1):
    assert res.exit_code == code, res.output
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    return res.stderr


def test_existing_snapshot_is_refused_without_overwrite(tmp_path: Path):
    snap = tmp_path / "run.snap"
    snap.write_bytes(b"precious")
    res = runner.invoke(app, [*BASE, "--snapshot", str(snap), "--snapshot-interval", "20"])
    assert "already exists; pass --overwrite to replace it." in _one_line_error(res)
    assert snap.read_bytes() == b"precious"
    res = runner.invoke(
        app, [*BASE, "--snapshot", str(snap), "--snapshot-interval", "20", "--overwrite"]
    )
    assert res.exit_code == 0, res.output
    assert snap.read_bytes() != b"precious"


def test_missing_folder_and_missing_resume(tmp_path: Path):
    res = runner.invoke(
        app, [*BASE, "--snapshot", str(tmp_path / "no" / "s.snap"), "--snapshot-interval", "20"]
    )
    assert "does not exist; create it first" in _one_line_error(res)
    assert not (tmp_path / "no").exists()
    res = runner.invoke(app, [*BASE, "--resume", str(tmp_path / "none.snap")])
    assert "No snapshot at" in _one_line_error(res)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is truncated or corrupt"), (b"garbage" * 10, "is truncated or corrupt")],
)
def test_corrupt_snapshot_is_one_line(tmp_path: Path, content, message):
    snap = tmp_path / "bad.snap"
    snap.write_bytes(content)
    res = runner.invoke(app, [*BASE, "--resume", str(snap)])
    assert message in _one_line_error(res)


def test_resume_into_the_same_file_continues_it(tmp_path: Path):
    snap = tmp_path / "run.snap"
    args = [*BASE, "--snapshot", str(snap), "--snapshot-interval", "20"]
    full = runner.invoke(app, args)
    assert full.exit_code == 0, full.output
    res = runner.invoke(app, [*args, "--resume", str(snap)])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["auc_per_window"] == json.loads(full.stdout)["auc_per_window"]


def test_another_table_is_refused_by_name(tmp_path: Path):
    snap = tmp_path / "run.snap"
    args = [*BASE, "--snapshot", str(snap), "--snapshot-interval", "20"]
    assert runner.invoke(app, args).exit_code == 0
    res = runner.invoke(app, [*BASE, "--resume", str(snap), "--table", "hash"])
    err = _one_line_error(res)
    assert "snapshot was taken with table=collisionless, seed=0; pass the same options" in err
