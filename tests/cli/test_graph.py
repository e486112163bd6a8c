"""`embedlab graph orbits` writes its folder whole: no partial output, no stale files."""

import json

import pytest
import scipy.sparse as sp
from typer.testing import CliRunner

from embedlab.cli import app

runner = CliRunner()


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_overwrite_with_fewer_matrices_leaves_no_stale_files(tmp_path):
    out = tmp_path / "orb"
    assert runner.invoke(app, ["graph", "orbits", "karate", "-o", str(out)]).exit_code == 0
    assert len(_files(out)) == 28 + 2
    res = runner.invoke(
        app, ["graph", "orbits", "karate", "-o", str(out), "--max-hop", "1", "--overwrite"]
    )
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["matrices"]) == 19
    assert _files(out) == sorted(
        [e["file"] for e in manifest["matrices"]] + ["manifest.json", "node_ids.npy"]
    )
    assert _files(tmp_path) == ["orb"]  # no temporary folder left behind


@pytest.mark.parametrize("existing", [False, True])
def test_an_interrupted_write_leaves_the_old_folder_or_none(tmp_path, monkeypatch, existing):
    out = tmp_path / "orb"
    if existing:
        assert (
            runner.invoke(
                app, ["graph", "orbits", "karate", "-o", str(out), "--max-hop", "1"]
            ).exit_code
            == 0
        )
    before = _files(out) if existing else None
    calls = {"n": 0}
    real = sp.save_npz

    def flaky(path, matrix, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(path, matrix, *args, **kwargs)

    monkeypatch.setattr(sp, "save_npz", flaky)
    res = runner.invoke(app, ["graph", "orbits", "karate", "-o", str(out), "--overwrite"])
    assert res.exit_code == 130 and "interrupted" in res.output
    assert _files(tmp_path) == (["orb"] if existing else [])
    if existing:
        assert _files(out) == before


def test_refuses_before_counting(tmp_path):
    (tmp_path / "f").write_text("x")
    res = runner.invoke(app, ["graph", "orbits", "karate", "-o", str(tmp_path / "f")])
    assert res.exit_code == 1 and "exists and is not a folder" in res.output
    (tmp_path / "d").mkdir()
    res = runner.invoke(app, ["graph", "orbits", "karate", "-o", str(tmp_path / "d")])
    assert res.exit_code == 1 and "exists; pass --overwrite." in res.output
