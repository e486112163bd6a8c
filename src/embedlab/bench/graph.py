"""``embedlab bench graph``: every method on every data set and task, one documented protocol.

The bench task ``graph`` (:class:`GraphBench`, registry :data:`embedlab.registry.BENCH_TASKS`);
:func:`run_graph_bench` and :func:`format_markdown` are its two halves.

Settings (per method and task) are in :data:`SETTINGS`; every cell is the mean ± standard deviation
over ``seeds`` runs, each with its own embedding seed and evaluation split:

* node classification — DeepWalk protocol at 50 % training, C = 0.1, one split per seed;
  reports Micro- and Macro-F1;
* link prediction — 30 % of the edges held out (connected residual); ROC-AUC of the dot score and
  of Hadamard features;
* reconstruction — RESTORE map@1 and map@2 on 1,000 sampled nodes (cosine).

A ``random`` row (Gaussian vectors) is the trivial baseline. Methods that are registered names of
later issues but not implemented yet are reported as ``not implemented``, never skipped.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from embedlab.base import BaseEmbedder
from embedlab.bench._base import BenchTask
from embedlab.exceptions import InvalidInputError
from embedlab.registry import unknown_name
from embedlab.utils.validation import Interval, resolve_seed

__all__ = [
    "KNOWN_METHODS",
    "SETTINGS",
    "TASKS",
    "GraphBench",
    "RandomVectors",
    "format_markdown",
    "run_graph_bench",
]

TASKS = ("node-classification", "link-prediction", "reconstruction")
_PLANNED: dict[str, str] = {}  # registered names not implemented yet

SETTINGS: dict[str, dict[str, dict[str, Any]]] = {
    "fastrp": {
        # Chen et al. 2019, BlogCatalog node classification
        "node-classification": {
            "n_components": 512,
            "iteration_weights": [0.0, 0.0, 1.0, 6.67],
            "normalization_strength": -0.64,
        },
        # the authors' link-prediction setting: adjacency, 2 powers, small 2nd weight, beta +0.2
        "link-prediction": {
            "n_components": 512,
            "input_matrix": "adjacency",
            "iteration_weights": [1.0, 0.01],
            "normalization_strength": 0.2,
            "normalize_iterations": False,
            "standardize": False,
        },
        "reconstruction": {"n_components": 128},
    },
    # the papers' defaults: d=128, 10 walks of 80 per node, window 10, 5 negatives
    "deepwalk": {task: {"n_components": 128} for task in TASKS},
    "node2vec": {task: {"n_components": 128, "p": 0.25, "q": 0.25} for task in TASKS},
    # LINE(1st+2nd), 64 + 64 dimensions, 100 edge samples per directed edge and order
    "line": {task: {"n_components": 128} for task in TASKS},
    "random": {task: {"n_components": 128} for task in TASKS},
}
#: the methods of the table: every one with a setting (``random`` is the trivial baseline)
KNOWN_METHODS = tuple(SETTINGS)


class RandomVectors(BaseEmbedder):
    """The trivial baseline: i.i.d. standard normal vectors, one per node.

    Parameters
    ----------
    n_components : int
        The dimension.
    random_state : int or None
        The seed (``None``: drawn, logged and stored in ``seed_``).

    Examples
    --------
    >>> from embedlab.graph import Graph
    >>> m = RandomVectors(n_components=4, random_state=0).fit(Graph.from_edges([0, 1], [1, 2]))
    >>> m.embeddings_.shape, m.embeddings_.dtype.name
    ((3, 4), 'float32')
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_components": [Interval(int, 1, None)]
    }

    def __init__(self, *, n_components: int = 128, random_state: int | None = None) -> None:
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> RandomVectors:
        """Draw the i.i.d. standard normal vectors, one per node of ``X`` (``y`` is ignored)."""
        from embedlab.graph import Graph

        self._validate_params()
        graph = Graph.from_any(X)
        self.seed_ = resolve_seed(self.random_state, "RandomVectors")
        rng = np.random.default_rng(self.seed_)
        self.embeddings_ = rng.standard_normal((graph.n_nodes, self.n_components), np.float32)
        self.ids_ = graph.node_ids
        return self


def _make(method: str, task: str, seed: int) -> Any:
    params = dict(SETTINGS[method][task], random_state=seed)
    if method == "random":
        return RandomVectors(**params)
    from embedlab.registry import EMBEDDERS

    return EMBEDDERS.make(method, **params)


def _one(method: str, task: str, dataset: str, seed: int) -> tuple[dict[str, float], float]:
    from embedlab.datasets import load_graph, load_labels
    from embedlab.eval import LinkPrediction, NodeClassification, Reconstruction

    graph = load_graph(dataset)
    est = _make(method, task, seed)
    if task == "link-prediction":
        t0 = time.perf_counter()
        est.fit(graph)  # timed on the full graph; the evaluator re-fits on the training graph
        took = time.perf_counter() - t0
        res = LinkPrediction(graph, operators=["dot", "hadamard"], random_state=seed)(est)
        return {
            "roc_auc[dot]": res["roc_auc[dot]"],
            "roc_auc[hadamard]": res["roc_auc[hadamard]"],
        }, took
    t0 = time.perf_counter()
    est.fit(graph)
    took = time.perf_counter() - t0
    if task == "node-classification":
        ev = NodeClassification(
            load_labels(dataset), train_ratios=[0.5], repeats=1, C=0.1, random_state=seed
        )
        return ev(est), took
    res = Reconstruction(graph, hops=[1, 2], random_state=seed)(est)
    return {"map@1": res["map@1"], "map@2": res["map@2"]}, took


def run_graph_bench(
    datasets: Sequence[str],
    methods: Sequence[str],
    tasks: Sequence[str] = TASKS,
    *,
    seeds: int = 3,
) -> dict[str, Any]:
    """Run the grid; return ``{"rows": [...], "settings": SETTINGS, "seeds": seeds}``.

    Parameters
    ----------
    datasets : sequence of str
        Graph data set names (``$EMBEDLAB_DATA/graphs/<name>``).
    methods : sequence of str
        Among :data:`KNOWN_METHODS`.
    tasks : sequence of str
        Among :data:`TASKS`.
    seeds : int
        Runs per cell, each with its own embedding seed and evaluation split.

    Returns
    -------
    dict
        ``rows``: one per (data set, method, task) with ``dataset``, ``method``, ``task``,
        ``status`` ("ok", "not implemented (issue N)", "no labels"), and for "ok" the
        ``metrics`` (name -> [per-seed values]) and ``embed_s``; ``settings``; ``seeds``.

    Examples
    --------
    >>> run_graph_bench(["cora"], ["nope"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    embedlab.exceptions.InvalidInputError: Unknown bench method 'nope'; choose one of: fastrp, ...
    """
    from embedlab.datasets import graph_dataset

    for m in methods:
        if m not in KNOWN_METHODS:
            raise unknown_name("bench method", m, KNOWN_METHODS)
    for t in tasks:
        if t not in TASKS:
            raise unknown_name("bench task", t, TASKS)
    if seeds < 1:
        raise InvalidInputError(f"'seeds' must be >= 1; got {seeds}.")
    for ds in datasets:
        graph_dataset(ds)  # fail early on an unknown name
    rows = []
    for ds in datasets:
        has_labels = graph_dataset(ds).labels is not None
        for method in methods:
            for task in tasks:
                row: dict[str, Any] = {"dataset": ds, "method": method, "task": task}
                if method in _PLANNED:
                    row["status"] = f"not implemented ({_PLANNED[method]})"
                elif task == "node-classification" and not has_labels:
                    row["status"] = "no labels"
                else:
                    metrics: dict[str, list[float]] = {}
                    times = []
                    for seed in range(seeds):
                        res, took = _one(method, task, ds, seed)
                        times.append(took)
                        for k, v in res.items():
                            metrics.setdefault(k, []).append(v)
                    row.update(status="ok", metrics=metrics, embed_s=float(np.mean(times)))
                rows.append(row)
    return {"rows": rows, "settings": SETTINGS, "seeds": seeds}


def format_markdown(result: dict[str, Any]) -> str:
    """Format a markdown table: one line per (data set, method), one column group per task.

    Parameters
    ----------
    result : dict
        What :func:`run_graph_bench` returns.

    Returns
    -------
    str
        The table; each cell is the mean ± standard deviation over the seeds.

    Examples
    --------
    >>> row = {"dataset": "cora", "method": "random", "task": "reconstruction", "status": "ok",
    ...        "metrics": {"map@1": [0.25, 0.75]}, "embed_s": 0.5}
    >>> print(format_markdown({"rows": [row]}))
    | dataset | method | reconstruction: map@1 | embed time (s) |
    |---|---|---|---|
    | cora | random | 0.500 ± 0.250 | 0.50 |
    """
    rows = result["rows"]
    tasks = [t for t in TASKS if any(r["task"] == t for r in rows)]
    header = ["dataset", "method"]
    keys: dict[str, list[str]] = {}
    for t in tasks:
        ks = next((list(r["metrics"]) for r in rows if r["task"] == t and r["status"] == "ok"), [])
        keys[t] = ks
        header += [f"{t}: {k}" for k in ks] or [t]
    header.append("embed time (s)")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    seen: list[tuple[str, str]] = []
    for r in rows:
        if (r["dataset"], r["method"]) not in seen:
            seen.append((r["dataset"], r["method"]))
    for ds, method in seen:
        cells = [ds, method]
        times = []
        for t in tasks:
            r = next(
                x for x in rows if x["dataset"] == ds and x["method"] == method and x["task"] == t
            )
            if r["status"] != "ok":
                cells += [r["status"]] * max(1, len(keys[t]))
                continue
            times.append(r["embed_s"])
            for k in keys[t]:
                v = np.asarray(r["metrics"][k])
                cells.append(f"{v.mean():.3f} ± {v.std():.3f}")
        cells.append(f"{np.mean(times):.2f}" if times else "—")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


class GraphBench(BenchTask):
    """The bench task ``graph``: :func:`run_graph_bench`, rendered by :func:`format_markdown`.

    Examples
    --------
    >>> from embedlab.registry import BENCH_TASKS
    >>> task = BENCH_TASKS.make("graph")
    >>> task.name, task.markdown({"rows": []}).splitlines()[0]
    ('graph', '| dataset | method | embed time (s) |')
    """

    name = "graph"
    title = "Every graph embedder on every data set and task (mean ± std over seeds)"

    def run(
        self,
        *,
        datasets: Sequence[str] = ("blogcatalog", "cora"),
        methods: Sequence[str] = KNOWN_METHODS,
        tasks: Sequence[str] = TASKS,
        seeds: int = 3,
        **unknown: Any,
    ) -> dict[str, Any]:
        """Run the grid of :func:`run_graph_bench` (same parameters; no others)."""
        if unknown:
            raise InvalidInputError(
                f"GraphBench.run got unknown options {sorted(unknown)}; it takes datasets, "
                "methods, tasks and seeds."
            )
        return run_graph_bench(datasets, methods, tasks, seeds=seeds)

    def markdown(self, results: dict[str, Any]) -> str:
        """:func:`format_markdown` of ``results``."""
        return format_markdown(results)
