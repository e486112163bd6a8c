"""The one options-from-signature builder: `embed` and `eval link-prediction` agree (the
`--n-samples 1000` bug: link prediction parsed it as 1000.0 and LINE refused it)."""

import json

import pytest
import typer
from typer.testing import CliRunner

from embedlab.cli import app
from embedlab.cli._common import constructor_options, parse_method_options
from embedlab.datasets import stochastic_block_model
from embedlab.eval import LinkPrediction
from embedlab.graph import FastRP, Graph
from embedlab.graph.line import LINE

runner = CliRunner()


def _by_flag(cls):
    return {o.flag: o for o in constructor_options(cls)}


def test_values_have_the_constructor_types():
    line = _by_flag(LINE)
    assert line["--n-samples"].parse("1000") == 1000
    assert type(line["--n-samples"].parse("1000")) is int
    assert line["--n-samples"].parse("auto") is None
    assert line["--n-components"].parse("64") == 64
    assert line["--learning-rate"].parse("0.5") == 0.5
    assert line["--seed"].param == "random_state"
    assert line["--threads"].param == "n_jobs"
    fastrp = _by_flag(FastRP)
    assert fastrp["--iteration-weights"].parse("0,1,2.5") == [0.0, 1.0, 2.5]


def test_extra_arguments_parse_like_embed_options():
    opts = constructor_options(LINE)
    got = parse_method_options(
        opts, ["--n-samples", "1000", "--order=first", "--deterministic", "--n-components", "8"]
    )
    assert got == {"n_samples": 1000, "order": "first", "deterministic": True, "n_components": 8}
    assert parse_method_options(opts, ["--no-deterministic"]) == {"deterministic": False}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--n-components", "x"], "--n-components got 'x', not a number."),
        (["--n-components", "1.5"], "--n-components got '1.5', not an integer."),
        (["--n-samples"], "--n-samples needs a value."),
        (["--bogus", "1"], "unknown option '--bogus' for this method; valid: "),
        (["--seed", "3"], "unknown option '--seed' for this method"),
    ],
)
def test_bad_extra_arguments(args, message):
    with pytest.raises(typer.BadParameter, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_method_options(constructor_options(LINE), args)


def test_link_prediction_accepts_integer_method_options(tmp_path):
    g, _ = stochastic_block_model([30, 30], 0.3, 0.02, random_state=0)
    rows = [
        (int(g.node_ids[i]), int(g.node_ids[j]))
        for i in range(g.n_nodes)
        for j in g.indices[g.indptr[i] : g.indptr[i + 1]]
        if i < j
    ]
    edges = tmp_path / "g.txt"
    edges.write_text("".join(f"{u} {v}\n" for u, v in rows))
    res = runner.invoke(
        app,
        [
            *("eval", "link-prediction", str(edges), "--method", "line", "--json"),
            *("--n-samples", "20000", "--n-components", "16", "--deterministic", "--seed", "3"),
        ],
    )
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    graph = Graph.from_edgelist(edges)
    model = LINE(n_samples=20000, n_components=16, deterministic=True, random_state=3)
    want = LinkPrediction(graph, random_state=3)(model)
    assert got == pytest.approx(want, abs=0, rel=0)
    assert got["roc_auc"] > 0.6  # a planted two-block graph: far from chance


def _help(*cmd):
    res = runner.invoke(app, [*cmd, "--help"], terminal_width=200)
    assert res.exit_code == 0, res.output
    return " ".join(res.stdout.split())


def test_help_texts_are_whole_sentences():
    """Issue 25 #17: no empty descriptions, no Sphinx roles, no cut-off parentheses."""
    rw = _help("embed", "random-walk-pmi")
    assert "--n-components INTEGER" in rw or "--n-components <int>" in rw
    assert "Embedding dimension d" in rw and "The PMI shift b" in rw
    assert ":func:" not in _help("embed", "orbit-pmi")
    for cmd in ("fastrp", "deepwalk", "node2vec", "line", "orbit-pmi", "random-walk-pmi"):
        text = _help("embed", cmd)
        assert text.count("(") == text.count(")"), cmd
    assert "EDGES" in _help("embed", "fastrp")


def test_every_command_takes_quiet():
    for cmd in (
        ("eval", "clustering"),
        ("bench", "stream"),
        ("graph", "orbits"),
        ("embed", "fastrp"),
    ):
        assert "-q, --quiet" in _help(*cmd), cmd
