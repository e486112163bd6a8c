"""The CLI contract: commands, JSON keys, exit codes, one-line errors, nothing half-written."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from embedlab import __version__
from embedlab.cli import app
from embedlab.io import EmbeddingSet

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_version_and_help():
    res = run("--version")
    assert res.exit_code == 0 and res.stdout.strip() == f"embedlab {__version__}"
    res = run("embed", "fastrp", "--help")
    assert res.exit_code == 0
    for opt in (
        "--n-components",
        "--iteration-weights",
        "--normalization-strength",
        "--node-self-influence",
        "--seed",
        "--directed",
        "--weighted",
        "--overwrite",
        "Example: embedlab embed fastrp",
    ):
        assert opt in res.stdout


def test_embed_writes_parquet_with_metadata(tmp_path):
    out = tmp_path / "k.parquet"
    res = run(
        "embed",
        "fastrp",
        "karate",
        "-o",
        str(out),
        "--n-components",
        "16",
        "--iteration-weights",
        "0,1,2",
        "--normalization-strength",
        "-0.5",
        "--seed",
        "3",
    )
    assert res.exit_code == 0, res.output
    es = EmbeddingSet.load(out)
    assert es.vectors.shape == (34, 16)
    md = es.metadata
    assert md["method"] == "fastrp" and md["seed"] == 3 and md["source"] == "dataset:karate"
    assert md["parameters"]["iteration_weights"] == [0.0, 1.0, 2.0]
    assert md["parameters"]["normalization_strength"] == -0.5
    from embedlab import FastRP, load_graph

    ref = FastRP(
        n_components=16, iteration_weights=[0, 1, 2], normalization_strength=-0.5, random_state=3
    ).fit(load_graph("karate"))
    assert es.vectors.tobytes() == ref.embeddings_.tobytes()


def test_embed_edge_file_formats(tmp_path):
    edges = tmp_path / "e.tsv"
    edges.write_text("# demo\na\tb\t2.0\nb\tc\t1.0\nc\ta\t0.5\n")
    out = tmp_path / "e.txt"
    res = run(
        "embed",
        "fastrp",
        str(edges),
        "-o",
        str(out),
        "--n-components",
        "4",
        "--weighted",
        "--directed",
        "--node-self-influence",
        "1",
    )
    assert res.exit_code == 0, res.output
    es = EmbeddingSet.load(out)
    assert es.ids.tolist() == ["a", "b", "c"]
    assert es.metadata == {}  # the word2vec text format has no metadata


def test_features_option(tmp_path):
    """--features reaches FastRP: the file equals the Python API's result with those features
    (aligned by id, whatever the file's row order), and other features change the vectors."""
    from embedlab import FastRP, load_graph

    graph = load_graph("karate")
    rng = np.random.default_rng(0)
    feats = {name: rng.normal(size=(34, 3)).astype(np.float32) for name in ("a", "b")}
    order = rng.permutation(34)  # the file lists the nodes shuffled
    outputs = {}
    for name, f in feats.items():
        EmbeddingSet(ids=graph.node_ids[order], vectors=f[order]).save(tmp_path / f"{name}.parquet")
        out = tmp_path / f"o-{name}.parquet"
        res = run(
            "embed",
            "fastrp",
            "karate",
            "-o",
            str(out),
            "--n-components",
            "8",
            "--seed",
            "5",
            "--features",
            str(tmp_path / f"{name}.parquet"),
            "--property-ratio",
            "0.5",
        )
        assert res.exit_code == 0, res.output
        outputs[name] = EmbeddingSet.load(out).vectors
        ref = FastRP(n_components=8, property_ratio=0.5, random_state=5).fit(graph, features=f)
        assert outputs[name].tobytes() == ref.embeddings_.tobytes()
    # the features matter: other features, or none (property_ratio=0), give other vectors
    assert not np.allclose(outputs["a"], outputs["b"], atol=1e-3)
    plain = FastRP(n_components=8, random_state=5).fit(graph).embeddings_
    assert not np.allclose(outputs["a"], plain, atol=1e-3)


def test_eval_json_keys(tmp_path):
    out = tmp_path / "k.parquet"
    assert run("embed", "fastrp", "karate", "-o", str(out), "-q").exit_code == 0
    res = run(
        "eval",
        "node-classification",
        str(out),
        "--labels",
        "karate",
        "--json",
        "--train-ratios",
        "0.5,0.9",
        "--repeats",
        "2",
        "--c",
        "0.1",
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) == {"micro_f1@0.5", "macro_f1@0.5", "micro_f1@0.9", "macro_f1@0.9"}
    from embedlab import NodeClassification, load_labels

    expect = NodeClassification(load_labels("karate"), train_ratios=[0.5, 0.9], repeats=2, C=0.1)
    assert data == pytest.approx(expect(EmbeddingSet.load(out)), abs=1e-12)
    table = run("eval", "node-classification", str(out), "--labels", "karate", "--repeats", "2")
    assert table.exit_code == 0 and "Micro-F1" in table.stdout and "±" in table.stdout


def test_datasets_list_json():
    res = run("datasets", "list", "--json")
    assert res.exit_code == 0
    rows = json.loads(res.stdout)
    karate = next(r for r in rows if r["name"] == "karate")
    assert karate["source"] == "bundled" and karate["labels"]
    assert "karate" in run("datasets", "list").stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["embed", "fastrp", "missing.txt", "-o", "{tmp}/o.parquet"],
            1,
            "error: The edge list 'missing.txt' does not exist.",
        ),
        (
            ["embed", "fastrp", "nosuchdataset", "-o", "{tmp}/o.parquet"],
            1,
            "error: Unknown dataset 'nosuchdataset'; choose one of: karate",
        ),
        (
            ["embed", "fastrp", "{tmp}/bad.txt", "-o", "{tmp}/o.parquet"],
            1,
            "error: Malformed edge list",
        ),
        (
            ["embed", "fastrp", "karate", "-o", "{tmp}/o.parquet", "--n-components", "-2"],
            2,
            "Invalid value: The --n-components parameter of FastRP must be an int in the range [1, inf). Got -2 instead.",
        ),
        (
            ["embed", "fastrp", "karate", "-o", "{tmp}/exists.parquet"],
            1,
            "already exists; pass --overwrite to replace it.",
        ),
        (
            ["embed", "fastrp", "karate", "-o", "{tmp}/nodir/o.parquet"],
            1,
            "does not exist; create it first",
        ),
        (
            ["embed", "fastrp", "karate", "-o", "{tmp}/o.csv"],
            1,
            "Unknown embedding file type '.csv'",
        ),
        (
            ["embed", "fastrp", "karate", "-o", "{tmp}/o.parquet", "--iteration-weights", "a,b"],
            2,
            "Invalid value for --iteration-weights",
        ),
        (["embed", "fastrp", "karate"], 2, "Missing option '--output'"),
        (
            ["eval", "node-classification", "{tmp}/exists.parquet", "--labels", "{tmp}/labels.txt"],
            1,
            "error: 1 unknown labelled nodes (labels for nodes without an embedding): 999.",
        ),
        (
            ["eval", "node-classification", "{tmp}/none.parquet", "--labels", "karate"],
            1,
            "does not exist",
        ),
        (
            [
                "eval",
                "node-classification",
                "{tmp}/exists.parquet",
                "--labels",
                "karate",
                "--c",
                "0",
            ],
            2,
            "Invalid value for --c",
        ),
        (
            [
                "eval",
                "node-classification",
                "{tmp}/exists.parquet",
                "--labels",
                "karate",
                "--train-ratios",
                "1.5",
            ],
            2,
            "--train-ratios must be fractions in (0, 1)",
        ),
        (["nosuchcommand"], 2, "No such command"),
    ],
)
def test_errors_are_one_line(tmp_path, args, code, message):
    (tmp_path / "bad.txt").write_text("1 2\n3 4 5 6\n")
    (tmp_path / "labels.txt").write_text("0 1\n999 2\n")
    EmbeddingSet(ids=np.arange(34), vectors=np.ones((34, 2))).save(tmp_path / "exists.parquet")
    before = sorted(p.name for p in tmp_path.iterdir())
    res = run(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert res.exit_code == code, res.output
    assert message in " ".join(res.stderr.split())
    assert "Traceback" not in res.output
    if code == 1:
        assert len(res.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing half-written


def test_overwrite(tmp_path):
    out = tmp_path / "o.parquet"
    assert run("embed", "fastrp", "karate", "-o", str(out), "--seed", "1").exit_code == 0
    first = out.read_bytes()
    assert (
        run("embed", "fastrp", "karate", "-o", str(out), "--seed", "2", "--overwrite").exit_code
        == 0
    )
    assert out.read_bytes() != first


def test_unexpected_errors_are_one_line(tmp_path, monkeypatch):
    import embedlab.graph.fastrp as mod

    def boom(*a, **k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(mod.FastRP, "fit", boom)
    res = run("embed", "fastrp", "karate", "-o", str(tmp_path / "o.parquet"))
    assert res.exit_code == 1
    assert (
        res.stderr.strip() == "error: RuntimeError: kaboom (set EMBEDLAB_DEBUG=1 for a traceback)"
    )


def test_demo_runs_and_beats_baselines():
    res = run("demo")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "karate club" in out and "stochastic block model" in out
    rows = [ln for ln in out.splitlines() if "FastRP (d=" in ln or "(baseline)" in ln]
    scores = [float(ln.split("│")[2].split("±")[0]) for ln in rows]
    # per table: FastRP first, then the two baselines
    for i in range(0, len(scores), 3):
        assert scores[i] > max(scores[i + 1], scores[i + 2]) + 0.2


def test_python_m_entry_point():
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, "-m", "embedlab", "--version"], capture_output=True, text=True, check=True
    )
    assert res.stdout.strip() == f"embedlab {__version__}"


@pytest.mark.parametrize(
    ("method", "options"),
    [
        ("deepwalk", ["--walks-per-node", "2", "--window", "3", "--deterministic"]),
        ("node2vec", ["--p", "0.5", "--q", "2", "--walk-length", "10", "--deterministic"]),
        ("line", ["--order", "second", "--n-samples", "5000", "--deterministic"]),
        ("orbit-pmi", ["--orbits", "0-0-1,12-12-2"]),
        ("random-walk-pmi", ["--window", "3"]),
    ],
)
def test_embed_walk_methods_match_the_python_api(tmp_path, method, options):
    """The generated options reach the constructor: the CLI's file equals the Python result."""
    from embedlab import EMBEDDERS, load_graph

    out = tmp_path / "w.npy"
    res = run(
        "embed", method, "karate", "-o", str(out), "--n-components", "8", "--seed", "2", *options
    )
    assert res.exit_code == 0, res.output
    kwargs = {
        "deepwalk": {"walks_per_node": 2, "window": 3},
        "node2vec": {"p": 0.5, "q": 2.0, "walk_length": 10},
        "line": {"order": "second", "n_samples": 5000},
        "orbit-pmi": {"orbits": "0-0-1,12-12-2"},
        "random-walk-pmi": {"window": 3},
    }[method]
    if method in ("deepwalk", "node2vec", "line"):
        kwargs["deterministic"] = True
    model = EMBEDDERS.make(method, n_components=8, random_state=2, **kwargs)
    expect = model.fit(load_graph("karate")).embeddings_
    assert np.array_equal(EmbeddingSet.load(out).vectors, expect)


def test_embed_line_auto_samples_and_help(tmp_path):
    res = run("embed", "line", "--help")
    assert res.exit_code == 0
    assert "--n-samples" in res.output and "auto" in res.output and "--order" in res.output
    out = tmp_path / "l.npy"
    res = run("embed", "line", "karate", "-o", str(out), "--n-samples", "auto", "-q")
    assert res.exit_code == 0, res.output
    res = run("embed", "line", "karate", "-o", str(tmp_path / "x.npy"), "--n-samples", "0")
    assert res.exit_code == 2  # a bad option value is a usage error, in the CLI's own words
    assert "--n-samples parameter of LINE must be an int in the range [1, inf) or None" in " ".join(
        res.output.split()
    )
