"""DeepWalk, node2vec and LINE on BlogCatalog at the issue's settings (issue 4).

d = 128, 10 walks x 80 per node, window 10, 5 negatives, 1 epoch, all cores; node classification
at 50 % training, C = 1, 5 seeded splits.

Floors. The issue's DeepWalk floor (Micro 0.38 / Macro 0.21) is one gensim run. Measured here,
gensim 4.4 on the same walks scores Micro 0.3794 +- 0.0022 (6 seeds; runs from 0.377 to 0.383)
and embedlab 0.3791 +- 0.0019 (8 seeds): the same distribution, which clears 0.38 on about half
of its runs. Asserting 0.38 on one run would be a coin toss, so the test averages two seeds and
asserts Micro >= 0.376 (0.38 less twice the standard deviation of that mean) and Macro >= 0.21
(gensim 0.219, embedlab 0.219). node2vec at p = q = 0.25 (0.389 measured, PecanPy 0.391) must
clear the DeepWalk floors outright; LINE(1st+2nd) must reach the issue's 0.36 (0.398 measured).
"""

import json
import statistics

import pytest
from typer.testing import CliRunner

from embedlab.cli import app
from embedlab.datasets import load_graph, load_labels
from embedlab.eval import NodeClassification
from embedlab.graph.line import LINE
from embedlab.graph.node2vec import Node2Vec

pytestmark = [pytest.mark.slow, pytest.mark.data]


@pytest.fixture(scope="module")
def blog(data_dir):
    graph, labels = load_graph("blogcatalog"), load_labels("blogcatalog")
    return graph, NodeClassification(labels, train_ratios=[0.5], repeats=5, C=1.0, random_state=0)


def test_deepwalk_through_the_cli(blog, tmp_path):
    runner = CliRunner()
    micro, macro = [], []
    for seed in (0, 1):
        out = tmp_path / f"dw{seed}.parquet"
        res = runner.invoke(
            app,
            ["embed", "deepwalk", "blogcatalog", "-o", str(out), "--seed", str(seed), "-q"],
        )
        assert res.exit_code == 0, res.output
        res = runner.invoke(
            app,
            [
                "eval",
                "node-classification",
                str(out),
                "--labels",
                "blogcatalog",
                "--train-ratios",
                "0.5",
                "--c",
                "1",
                "--json",
            ],
        )
        assert res.exit_code == 0, res.output
        scores = json.loads(res.stdout)
        micro.append(scores["micro_f1@0.5"])
        macro.append(scores["macro_f1@0.5"])
    assert statistics.mean(micro) >= 0.376, micro
    assert statistics.mean(macro) >= 0.21, macro


def test_node2vec_inward_biased_is_no_worse(blog):
    graph, ev = blog
    scores = ev(Node2Vec(p=0.25, q=0.25, random_state=0).fit(graph))
    assert scores["micro_f1@0.5"] >= 0.38 and scores["macro_f1@0.5"] >= 0.21, scores


def test_line_first_plus_second_order(blog):
    graph, ev = blog
    scores = ev(LINE(random_state=0).fit(graph))
    assert scores["micro_f1@0.5"] >= 0.36, scores
