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

__all__ = ["build_demo_store", "run_demo"]


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
        "  embedlab eval node-classification karate.parquet --labels karate --json\n"
        "To look at these embeddings in the browser (the explorer): make serve"
    )


# -- the explorer's demo store --------------------------------------------------------------------
def _add(store: object, name: str, graph: Graph, x: np.ndarray, labels: object, what: str) -> None:
    from embedlab.io import EmbeddingSet

    firsts = ["-" if v is None else str(v) for v in labels.first_labels(graph.node_ids)]  # type: ignore[attr-defined]
    counts: dict[object, int] = {}
    for node in labels.nodes.tolist():  # type: ignore[attr-defined]
        counts[node] = counts.get(node, 0) + 1
    degree = graph.degrees(weighted=False)
    payload = [
        {
            "label": lab,
            "n_labels": counts.get(node, 0),
            "degree": int(deg),
            "text": f"{what} node {node}: group {lab}, {int(deg)} neighbours",
        }
        for node, lab, deg in zip(graph.node_ids.tolist(), firsts, degree.tolist(), strict=True)
    ]
    es = EmbeddingSet(ids=np.asarray(graph.node_ids, dtype=np.int64), vectors=x)
    store.import_embeddings(  # type: ignore[attr-defined]
        name,
        es,
        metric="cosine",
        payload=payload,
        payload_schema={"label": "keyword", "n_labels": "integer", "degree": "integer"},
    )


def build_demo_store(path: str | Path, seed: int = 0, *, log: object = None) -> list[str]:
    """Embed the demo's graphs into a store at ``path`` and map each collection (PCA).

    Collections: ``karate_fastrp``, ``planted_fastrp`` and, when ``$EMBEDLAB_DATA`` holds
    BlogCatalog, ``blogcatalog_fastrp`` and ``blogcatalog_deepwalk`` (the explorer's compare
    view). Each point's payload: ``label`` (its first label), ``n_labels``, ``degree``,
    ``text``. Existing collections of those names are replaced.

    Returns
    -------
    list of str
        The collections' names.
    """
    from embedlab.datasets import list_graph_datasets
    from embedlab.graph import DeepWalk
    from embedlab.store import Store

    say = log if callable(log) else (lambda _m: None)
    store = Store(path)
    for name in store.list_collections():
        store.drop_collection(name)
    made: list[str] = []

    def put(name: str, graph: Graph, x: np.ndarray, labels: object, what: str) -> None:
        _add(store, name, graph, np.asarray(x, dtype=np.float32), labels, what)
        store.collection(name).project("pca")
        made.append(name)
        say(f"collection {name}: {graph.n_nodes:,} points")

    karate = load_graph("karate")
    fr = FastRP(
        n_components=32,
        iteration_weights=[0.0, 1.0, 1.0],
        normalization_strength=0.0,
        random_state=seed,
    )
    put("karate_fastrp", karate, fr.fit(karate).embeddings_, load_labels("karate"), "karate")
    graph, labels = stochastic_block_model([200] * 5, 0.05, 0.005, random_state=seed)
    x = FastRP(n_components=64, random_state=seed).fit(graph).embeddings_
    put("planted_fastrp", graph, x, labels, "planted-partition")
    if any(ds.name == "blogcatalog" for ds in list_graph_datasets()):
        blog, blog_labels = load_graph("blogcatalog"), load_labels("blogcatalog")
        say("BlogCatalog: FastRP (d=128) and DeepWalk (d=64; walks 40 x 10, window 5)")
        x = FastRP(n_components=128, random_state=seed).fit(blog).embeddings_
        put("blogcatalog_fastrp", blog, x, blog_labels, "BlogCatalog")
        dw = DeepWalk(
            n_components=64, walk_length=40, walks_per_node=10, window=5, random_state=seed
        )
        put("blogcatalog_deepwalk", blog, dw.fit(blog).embeddings_, blog_labels, "BlogCatalog")
    return made
