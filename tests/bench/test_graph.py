"""The bench task ``graph`` (embedlab.bench.graph, moved from embedlab.eval.bench)."""

from __future__ import annotations

import pytest

from embedlab.bench._base import BenchTask
from embedlab.bench.graph import KNOWN_METHODS, SETTINGS, GraphBench, format_markdown
from embedlab.exceptions import InvalidInputError
from embedlab.registry import BENCH_TASKS


def test_registered_as_graph() -> None:
    assert "graph" in BENCH_TASKS.names()
    assert BENCH_TASKS.get("graph") is GraphBench and GraphBench.name == "graph"
    assert issubclass(GraphBench, BenchTask) and GraphBench.title


def test_known_methods_are_the_settings() -> None:
    assert KNOWN_METHODS == tuple(SETTINGS) == ("fastrp", "deepwalk", "node2vec", "line", "random")


def test_markdown_means_and_stds() -> None:
    rows = [
        {"dataset": "g", "method": "random", "task": "reconstruction", "status": "ok",
         "metrics": {"map@1": [0.2, 0.4]}, "embed_s": 1.0},
        {"dataset": "g", "method": "fastrp", "task": "reconstruction", "status": "no labels"},
    ]  # fmt: skip
    md = GraphBench().markdown({"rows": rows})
    assert md == format_markdown({"rows": rows})
    assert md.splitlines()[2] == "| g | random | 0.300 ± 0.100 | 1.00 |"
    assert md.splitlines()[3] == "| g | fastrp | no labels | — |"


def test_unknown_method() -> None:
    with pytest.raises(
        InvalidInputError, match=r"Unknown bench method 'nope'; choose one of: fastrp"
    ):
        GraphBench().run(datasets=["cora"], methods=["nope"])
