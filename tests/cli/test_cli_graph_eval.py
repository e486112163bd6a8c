"""CLI of the graph evaluation commands (issue 3): JSON keys, method options, errors."""

import json

import pytest
from typer.testing import CliRunner

from embedlab.cli import app
from embedlab.datasets import load_labels, stochastic_block_model
from embedlab.eval import Clustering, LinkPrediction, Reconstruction
from embedlab.graph import LINE, FastRP, Graph
from embedlab.io import EmbeddingSet

runner = CliRunner()


@pytest.fixture
def sbm_files(tmp_path):
    g, lab = stochastic_block_model([40, 40, 40], 0.25, 0.01, random_state=0)
    rows = [
        (int(g.node_ids[i]), int(g.node_ids[j]))
        for i in range(g.n_nodes)
        for j in g.indices[g.indptr[i] : g.indptr[i + 1]]
        if i < j
    ]
    edges = tmp_path / "sbm.txt"
    edges.write_text("".join(f"{u} {v}\n" for u, v in rows))
    labels = tmp_path / "labels.txt"
    labels.write_text("".join(f"{n} {c}\n" for n, c in zip(lab.nodes, lab.labels, strict=True)))
    emb = tmp_path / "sbm.parquet"
    assert (
        runner.invoke(
            app, ["embed", "fastrp", str(edges), "-o", str(emb), "--n-components", "32", "-q"]
        ).exit_code
        == 0
    )
    return edges, labels, emb


def test_link_prediction_keys_and_method_options(sbm_files):
    edges, _, _ = sbm_files
    res = runner.invoke(
        app,
        [
            "eval",
            "link-prediction",
            str(edges),
            "--method",
            "fastrp",
            "--n-components",
            "32",
            "--iteration-weights",
            "0,1,1",
            "--no-standardize",
            "--operators",
            "hadamard,dot",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) == {
        "roc_auc[hadamard]",
        "average_precision[hadamard]",
        "roc_auc[dot]",
        "average_precision[dot]",
    }
    assert data["roc_auc[dot]"] > 0.7  # chance is 0.5
    # the same numbers as the Python API on the same split, method and options
    graph = Graph.from_edgelist(edges)
    fastrp = FastRP(n_components=32, iteration_weights=[0, 1, 1], standardize=False, random_state=0)
    expect = LinkPrediction(graph, operators=["hadamard", "dot"], random_state=0)(fastrp)
    assert data == pytest.approx(expect, abs=1e-12)
    single = runner.invoke(
        app,
        [
            "eval",
            "link-prediction",
            str(edges),
            "--method",
            "fastrp",
            "--n-components=16",
            "--json",
        ],
    )
    assert set(json.loads(single.stdout)) == {"roc_auc", "average_precision"}
    expect = LinkPrediction(graph, random_state=0)(FastRP(n_components=16, random_state=0))
    assert json.loads(single.stdout) == pytest.approx(expect, abs=1e-12)


def test_link_prediction_int_or_none_option(sbm_files):
    edges, _, _ = sbm_files
    args = ["eval", "link-prediction", str(edges), "--method", "line", "--n-components", "8"]
    res = runner.invoke(app, [*args, "--n-samples", "1000", "--deterministic", "--json"])
    assert res.exit_code == 0, res.output
    line = LINE(n_components=8, n_samples=1000, deterministic=True, random_state=0)
    expect = LinkPrediction(Graph.from_edgelist(edges), random_state=0)(line)
    assert json.loads(res.stdout) == pytest.approx(expect, abs=1e-12)


def test_reconstruction_and_clustering_keys(sbm_files):
    edges, labels, emb = sbm_files
    res = runner.invoke(app, ["eval", "reconstruction", str(emb), str(edges), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) == {"map@1", "map@2", "map@3", "precision@10"}
    graph, es = Graph.from_edgelist(edges), EmbeddingSet.load(emb)
    assert data == pytest.approx(Reconstruction(graph)(es), abs=1e-12)
    res = runner.invoke(
        app, ["eval", "reconstruction", str(emb), str(edges), "--hops", "2", "--sample", "50"]
    )
    assert res.exit_code == 0 and "map@2" in res.stdout
    res = runner.invoke(app, ["eval", "clustering", str(emb), "--labels", str(labels), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) == {"nmi", "ari"} and data["nmi"] > 0.8
    assert data == pytest.approx(Clustering(load_labels(str(labels)))(es), abs=1e-12)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--method", "fastrp", "--n-componentz", "3"], 2, "unknown option '--n-componentz'"),
        (["--method", "fastrp", "--n-components"], 2, "--n-components needs a value"),
        (["--method", "fastrp", "--n-components", "x"], 2, "got 'x', not a number"),
        (["--method", "nope"], 1, "Unknown embedder 'nope'"),
        (["--method", "fastrp", "--operators", "max"], 2, "--operators must be among"),
        (
            ["--method", "fastrp", "--test-fraction", "0.99"],
            1,
            "can be held out without disconnecting",
        ),
    ],
)
def test_link_prediction_errors(sbm_files, args, code, message):
    edges, _, _ = sbm_files
    res = runner.invoke(app, ["eval", "link-prediction", str(edges), *args])
    assert res.exit_code == code, res.output
    assert message in " ".join(res.stderr.split())


def test_bench_graph_reports_planned_methods(tmp_path, monkeypatch, sbm_files):
    edges, labels, _ = sbm_files
    folder = tmp_path / "graphs" / "sbm"
    folder.mkdir(parents=True)
    (folder / "edges.txt").write_text(edges.read_text())
    (folder / "labels.txt").write_text(labels.read_text())
    monkeypatch.setenv("EMBEDLAB_DATA", str(tmp_path))
    out = tmp_path / "r.json"
    res = runner.invoke(
        app,
        [
            "bench",
            "graph",
            "--datasets",
            "sbm",
            "--methods",
            "fastrp,line,random",
            "--seeds",
            "2",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    line_row = next(r for r in res.stdout.splitlines() if r.startswith("| sbm | line |"))
    assert "not implemented" not in line_row and line_row.count("±") == 6
    assert "±" in res.stdout
    rows = json.loads(out.read_text())["rows"]
    fast = {r["task"]: r for r in rows if r["method"] == "fastrp"}
    rnd = {r["task"]: r for r in rows if r["method"] == "random"}
    assert len(fast["reconstruction"]["metrics"]["map@1"]) == 2
    for task, key in [
        ("node-classification", "micro_f1@0.5"),
        ("link-prediction", "roc_auc[dot]"),
        ("reconstruction", "map@1"),
    ]:
        assert min(fast[task]["metrics"][key]) > max(rnd[task]["metrics"][key])
    bad = runner.invoke(app, ["bench", "graph", "--datasets", "sbm", "--methods", "nope"])
    assert bad.exit_code == 1 and "Unknown bench method 'nope'; choose one of:" in bad.stderr
    again = runner.invoke(app, ["bench", "graph", "--datasets", "sbm", "-o", str(out)])
    assert again.exit_code == 1 and "already exists" in again.stderr
