"""`embedlab embed kg` and `embedlab eval kg` on a tiny KG folder: outputs, JSON, one-line errors."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embedlab.cli import app
from embedlab.io import EmbeddingSet

runner = CliRunner()


@pytest.fixture
def tiny_kg(tmp_path: Path) -> Path:
    folder = tmp_path / "tinykg"
    folder.mkdir()
    e = [f"city_{i}" for i in range(8)]
    rows = [f"{e[i]}\tnear\t{e[(i + 1) % 8]}" for i in range(8)]
    rows += [f"{e[i]}\topposite\t{e[(i + 4) % 8]}" for i in range(8)]
    (folder / "train.txt").write_text("\n".join(rows[::2] + rows[1::4]) + "\n")
    (folder / "valid.txt").write_text("\n".join(rows[3::4]) + "\n")
    (folder / "test.txt").write_text("\n".join(rows[1::4]) + "\n")
    return folder


FAST = ["--dim", "4", "--epochs", "2", "--seed", "0", "-q"]


def _one_line_error(res, code):
    """Exit 1: one line on stderr; exit 2 (usage): Typer's usage block ending in the message."""
    assert res.exit_code == code, res.output
    lines = res.stderr.strip().splitlines()
    if code == 1:
        assert len(lines) == 1, res.stderr
    return lines[-1]


def test_eval_prints_the_four_filtered_metrics(tiny_kg: Path):
    res = runner.invoke(app, ["eval", "kg", "distmult", str(tiny_kg), *FAST, "--json"])
    assert res.exit_code == 0, res.output
    scores = json.loads(res.stdout.strip().splitlines()[-1])
    assert list(scores) == ["mrr", "hits@1", "hits@3", "hits@10"]
    assert all(0.0 < v <= 1.0 for v in scores.values())
    assert scores["hits@1"] <= scores["hits@3"] <= scores["hits@10"]
    again = runner.invoke(app, ["eval", "kg", "distmult", str(tiny_kg), *FAST, "--json"])
    assert json.loads(again.stdout.strip().splitlines()[-1]) == scores  # same seed, same result


def test_eval_table_shows_both_directions(tiny_kg: Path):
    res = runner.invoke(app, ["eval", "kg", "distmult", str(tiny_kg), *FAST])
    assert res.exit_code == 0, res.output
    assert "both" in res.stdout and "head" in res.stdout and "hits@10" in res.stdout


def test_embed_writes_entities_and_relations(tiny_kg: Path, tmp_path: Path):
    out, rel = tmp_path / "e.parquet", tmp_path / "r.parquet"
    args = [
        "embed",
        "kg",
        "nfe-1",
        str(tiny_kg),
        *FAST,
        "-o",
        str(out),
        "--relations-out",
        str(rel),
    ]
    args += ["--param", "gamma=1.5", "--lr", "0.01"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    es, rs = EmbeddingSet.load(out), EmbeddingSet.load(rel)
    assert es.ids.tolist() == [f"city_{i}" for i in range(8)] and es.dim == 8  # [mu, sigma]
    assert rs.ids.tolist() == ["near", "opposite", "near^-1", "opposite^-1"]
    md = es.metadata
    assert md["method"] == "kg:nfe-1" and md["parameters"]["model_params"] == {"gamma": 1.5}
    assert md["training"]["lr"] == 0.01 and np.isfinite(es.vectors).all()
    again = runner.invoke(app, args)  # never clobbered without --overwrite
    assert "already exists; pass --overwrite" in _one_line_error(again, 1)


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--ties", "random"], 2, "--ties parameter of KGEmbedding must be a str among"),
        (["--param", "gamma"], 2, "expected KEY=VALUE; got 'gamma'"),
        (["--param", "colour=red"], 1, "Bad 'model_params' for 'distmult'"),
        (["--protocol", "1-n", "--loss", "margin"], 2, "takes loss 'softplus' or 'bce'"),
        (["--text-encoder", "bert"], 2, "must be packaged or none"),
    ],
)
def test_bad_options_are_one_line_errors(tiny_kg: Path, extra, code, message):
    res = runner.invoke(app, ["eval", "kg", "distmult", str(tiny_kg), *FAST, *extra])
    assert message in _one_line_error(res, code)


def test_unknown_model_and_dataset(tiny_kg: Path):
    res = runner.invoke(app, ["eval", "kg", "transx", str(tiny_kg), *FAST])
    assert "Unknown KG model 'transx'" in _one_line_error(res, 2)
    res = runner.invoke(app, ["eval", "kg", "distmult", "no-such-kg", *FAST])
    assert "No knowledge-graph data set 'no-such-kg'" in _one_line_error(res, 1)


def test_embed_kg_is_listed_in_embed_help():
    res = runner.invoke(app, ["embed", "--help"])
    assert res.exit_code == 0 and "kg" in res.stdout
    res = runner.invoke(app, ["embed", "kg", "--help"])
    assert res.exit_code == 0 and "Example: embedlab embed kg nfe-2 kinships" in res.stdout
