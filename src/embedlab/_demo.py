"""``embedlab demo``: FastRP + node classification on bundled and synthetic data, with baselines.

Runs offline in seconds and prints tables a newcomer can read: what was embedded, how well the
embedding predicts the known groups, and how that compares with trivial features (random
vectors, node degree) that every quality table in embedlab carries beside the method.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from embedlab.datasets import load_graph, load_labels, stochastic_block_model
from embedlab.eval import NodeClassification
from embedlab.graph import FastRP, Graph

__all__ = ["run_demo"]


def _baselines(graph: Graph, d: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    deg = graph.degrees()[:, None]
    return {
        "random features (baseline)": rng.normal(size=(graph.n_nodes, d)).astype(np.float32),
        "degree only (baseline)": np.hstack([deg, np.log1p(deg)]).astype(np.float32),
    }


def _score(
    title: str,
    graph: Graph,
    labels: object,
    model: FastRP,
    ratio: float,
    seed: int,
    console: object,
) -> None:
    from rich.table import Table

    model.fit(graph)  # the very first fit of an installation also compiles the kernels
    t0 = time.perf_counter()
    model.fit(graph)
    took = time.perf_counter() - t0
    ev = NodeClassification(labels, train_ratios=[ratio], repeats=10, random_state=seed)  # type: ignore[arg-type]
    rows = {f"FastRP (d={model.n_components}, {took * 1000:.0f} ms)": model.embeddings_}
    rows.update(_baselines(graph, model.n_components, seed))
    table = Table(title=title, title_justify="left")
    table.add_column("features")
    table.add_column(f"Micro-F1 @ {ratio:.0%} train", justify="right")
    table.add_column(f"Macro-F1 @ {ratio:.0%} train", justify="right")
    for name, x in rows.items():
        res = ev.evaluate((graph.node_ids, x))
        mi, ma = res[f"micro_f1@{ratio:g}"], res[f"macro_f1@{ratio:g}"]
        table.add_row(
            name, f"{np.mean(mi):.3f} ± {np.std(mi):.3f}", f"{np.mean(ma):.3f} ± {np.std(ma):.3f}"
        )
    console.print(table)  # type: ignore[attr-defined]


def run_demo(seed: int = 0) -> None:
    """Print the demo's tables to stdout."""
    from rich.console import Console

    console = Console()
    from embedlab.graph import _kernels

    cache = Path(_kernels.__file__).parent / "__pycache__"
    if not any(cache.glob("_kernels.*.nbi")):
        console.print(
            "[dim]First run: compiling FastRP's kernels (a few seconds, cached on disk "
            "afterwards).[/dim]"
        )
    console.print(
        "[bold]embedlab demo[/bold]: FastRP node embeddings (Chen et al., CIKM 2019), "
        "scored by predicting each node's group from its vector\n"
        "(one-vs-rest logistic regression, 10 seeded train/test splits).\n"
    )
    karate = load_graph("karate")
    _score(
        "Zachary's karate club (bundled): 34 members, 78 friendships; predict who followed whom "
        "after the club split",
        karate,
        load_labels("karate"),
        FastRP(
            n_components=32,
            iteration_weights=[0.0, 1.0, 1.0],
            normalization_strength=0.0,
            random_state=seed,
        ),
        0.5,
        seed,
        console,
    )
    graph, labels = stochastic_block_model([200] * 5, 0.05, 0.005, random_state=seed)
    _score(
        f"Planted communities (stochastic block model): {graph.n_nodes} nodes, "
        f"{graph.n_edges} edges, 5 hidden groups",
        graph,
        labels,
        FastRP(n_components=64, random_state=seed),
        0.1,
        seed,
        console,
    )
    console.print(
        "\nHigher is better; 1.0 is perfect. FastRP learns the groups from the edges alone, "
        "the baselines cannot.\nNext (source .venv/bin/activate first), on karate here or on the "
        "real data sets once EMBEDLAB_DATA names their folder (README, Set up):\n"
        "  embedlab embed fastrp karate -o karate.parquet --n-components 32\n"
        "  embedlab eval node-classification karate.parquet --labels karate --json"
    )
