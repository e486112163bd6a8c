"""`embedlab plot`: a readable picture of the requested size, the map's quality, one-line errors."""

import json
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

pytest.importorskip("matplotlib")

from embedlab.cli import app
from embedlab.io import EmbeddingSet

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["plot", *map(str, args)])


@pytest.fixture(scope="module")
def karate(tmp_path_factory):
    from embedlab import FastRP, load_graph

    path = tmp_path_factory.mktemp("plot") / "karate.parquet"
    FastRP(n_components=16, random_state=0).fit(load_graph("karate")).to_embedding_set().save(path)
    return path


def test_writes_a_png_of_the_requested_size_and_reports_the_quality(karate, tmp_path):
    import matplotlib.image

    out = tmp_path / "map.png"
    res = run(karate, "--labels", "karate", "--size", "640x480", "--dpi", "80", "-o", out)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == f"wrote {out} (640x480, PCA of 34 points)"
    assert lines[1].startswith("map quality on 34 points: trustworthiness 0.")
    assert "10-NN overlap 0." in lines[1]
    image = matplotlib.image.imread(out)
    assert image.shape == (480, 640, 4)
    assert (image[..., :3] < 0.9).any()  # something is drawn on the white background


def test_json_and_reproducible_bytes(karate, tmp_path):
    from embedlab.viz import map_quality, project

    outs = []
    for name in ("a.svg", "b.svg"):
        res = run(karate, "--labels", "karate", "--json", "--seed", "3", "-o", tmp_path / name)
        assert res.exit_code == 0, res.output
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1]
    got = json.loads(res.stdout)
    x = EmbeddingSet.load(karate).vectors
    want = map_quality(x, project(x, "pca"), seed=3)
    assert got == {
        "output": str(tmp_path / "b.svg"),
        "method": "pca",
        "points": 34,
        "total": 34,
        "width": 1200,
        "height": 900,
        **want,
    }


def test_max_points_plots_a_sample(karate, tmp_path):
    res = run(karate, "--max-points", "20", "--json", "-o", tmp_path / "s.png")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["points"] == 20


def test_labels_of_string_ids_match_integer_nodes(tmp_path):
    """The labels file names nodes 0..9; the embeddings' ids are the same numbers as text."""
    es = EmbeddingSet([str(i) for i in range(10)], np.random.default_rng(0).normal(size=(10, 4)))
    es.save(tmp_path / "s.parquet")
    (tmp_path / "l.txt").write_text("".join(f"{i} {'ab'[i % 2]}\n" for i in range(8)))
    res = run(tmp_path / "s.parquet", "--labels", tmp_path / "l.txt", "-o", tmp_path / "s.png")
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["missing.parquet"], 1, "error: The embedding file 'missing.parquet' does not exist."),
        (
            ["{emb}", "--method", "mds"],
            2,
            "--method must be one of pca, tsne, umap; got 'mds'",
        ),
        (["{emb}", "--metric", "dot"], 2, "--metric must be one of cosine, ip, l2; got 'dot'"),
        (["{emb}", "--density", "x"], 2, "--density must be one of auto, always, never"),
        (["{emb}", "--size", "big"], 2, "expected WIDTHxHEIGHT in pixels"),
        (
            ["{emb}", "--labels", "{bad_labels}"],
            1,
            "error: The labels '{bad_labels}' name none of the 34 embedding ids",
        ),
        (
            ["{emb}", "--labels", "{tmp}/no.txt"],
            1,
            "error: The labels file '{tmp}/no.txt' does not exist.",
        ),
    ],
)
def test_errors_are_one_line(karate, tmp_path, args, code, message):
    bad = tmp_path / "bad.txt"
    bad.write_text("alice x\nbob y\n")
    fill = {"emb": karate, "bad_labels": bad, "tmp": tmp_path}
    res = run(*[a.format(**fill) for a in args], "-o", tmp_path / "m.png")
    assert res.exit_code == code, res.output
    assert message.format(**fill) in " ".join(res.stderr.split())
    assert "Traceback" not in res.output
    assert not (tmp_path / "m.png").exists()


def test_output_suffix_and_existing_output(karate, tmp_path):
    res = run(karate, "-o", tmp_path / "m.jpg")
    assert res.exit_code == 2
    assert "Unknown figure file type '.jpg'" in res.stderr and ".png, .svg or .pdf" in res.stderr
    (tmp_path / "m.png").write_bytes(b"keep")
    res = run(karate, "-o", tmp_path / "m.png")
    assert res.exit_code == 1
    assert "already exists; pass --overwrite to replace it." in res.stderr
    assert (tmp_path / "m.png").read_bytes() == b"keep"
    assert run(karate, "-o", tmp_path / "m.png", "--overwrite").exit_code == 0


def test_without_matplotlib_the_error_names_the_extra(karate, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    res = run(karate, "-o", tmp_path / "m.png")
    assert res.exit_code == 1
    assert "error: Plots need the package 'matplotlib': pip install 'embedlab[plot]'." in (
        res.stderr
    )


def test_help_has_an_example():
    res = run("--help")
    assert res.exit_code == 0
    assert "Example: embedlab plot blog.parquet --labels blogcatalog" in res.stdout
    for opt in ("--labels", "--method", "--max-points", "--seed", "--size", "--density"):
        assert opt in res.stdout
