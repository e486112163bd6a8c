"""Graph evaluation table: ``embedlab bench graph`` on BlogCatalog and Cora, every method,
3 seeds (:class:`embedlab.bench.graph.GraphBench`)."""

from __future__ import annotations

from pathlib import Path

from _common import lines_to_md, log

KEYS = ("graph_bench",)
DATASETS = ("blogcatalog", "cora")
METHODS = ("fastrp", "deepwalk", "node2vec", "line", "random")
SEEDS = 3


def run(tmp: Path) -> dict:
    from embedlab.registry import BENCH_TASKS

    log("graph evaluation table (embedlab bench graph)")
    task = BENCH_TASKS.make("graph")
    return {"graph_bench": task.run(datasets=DATASETS, methods=METHODS, seeds=SEEDS)}


def markdown(res: dict) -> str:
    if "graph_bench" not in res:
        return ""
    from embedlab.registry import BENCH_TASKS

    return lines_to_md(
        [
            f"## Graph evaluation: `embedlab bench graph --datasets {','.join(DATASETS)} "
            f"--seeds {res['graph_bench']['seeds']}`",
            "",
            f"Mean ± std over {res['graph_bench']['seeds']} seeds (each: its own embedding seed "
            "and evaluation split). Node "
            "classification: DeepWalk protocol at 50 % training, C = 0.1; link prediction: 30 % of "
            "edges held out with a connected residual, ROC-AUC of the dot score and of Hadamard "
            "features; reconstruction: RESTORE map@1/map@2 over 1,000 sampled nodes. FastRP uses "
            "the paper's node-classification setting for node classification and reconstruction "
            "(d = 512 / 128) and the authors' link-prediction setting (adjacency, weights [1, 0.01], "
            "beta = +0.2, no per-iteration normalisation) for link prediction; `random` is the "
            "trivial baseline (Gaussian vectors). Embed time: mean fit time over the tasks.",
            "",
            BENCH_TASKS.make("graph").markdown(res["graph_bench"]),
        ]
    )
