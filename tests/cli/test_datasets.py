"""`embedlab datasets list` names every loadable data set, the click streams included."""

import json

from typer.testing import CliRunner

from embedlab.cli import app

runner = CliRunner()


def _rows(monkeypatch, home):
    if home is None:
        monkeypatch.delenv("EMBEDLAB_DATA", raising=False)
    else:
        monkeypatch.setenv("EMBEDLAB_DATA", str(home))
    res = runner.invoke(app, ["datasets", "list", "--json"])
    assert res.exit_code == 0, res.output
    return {r["name"]: r for r in json.loads(res.stdout)}


def test_streams_are_listed(monkeypatch, tmp_path):
    rows = _rows(monkeypatch, None)
    assert rows["synthetic"]["kind"] == "stream" and rows["synthetic"]["source"] == "generated"
    assert rows["karate"]["kind"] == "graph" and "movielens-100k" not in rows
    (tmp_path / "recsys" / "movielens-100k").mkdir(parents=True)
    rows = _rows(monkeypatch, tmp_path)
    ml = rows["movielens-100k"]
    assert ml["kind"] == "stream" and ml["edges"] == str(tmp_path / "recsys" / "movielens-100k")
