"""The budgeted table benchmark (``embedlab bench tables``): every table method at equal rows.

Each method is trained as MF or LightGCN with BPR and scored by full-ranking Recall@k / NDCG@k
on the held-out test interactions.

Protocol (GraphHash paper, Section 5): the Louvain partition of the training graph at
``resolution`` (200 unless a ``memory_fraction`` is given, then the resolution whose row count
meets it) fixes the user rows and item rows; every compressed method gets exactly those counts
(each table class builds its pair with
:meth:`~embedlab.tables.base.EmbeddingTable.pair_for`, looked up in
:data:`embedlab.registry.TABLES`).
Each (method, seed) trains from scratch with early stopping on a validation split of the training
interactions; the test items are never seen before the final evaluation. The partition is
computed once on the whole training graph (validation edges included, test edges never).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from embedlab.bench._base import BenchTask
from embedlab.datasets._recsys import ImplicitFeedback, load_lightgcn
from embedlab.eval.ranking import evaluate_full_ranking
from embedlab.exceptions import InvalidInputError
from embedlab.registry import TABLES
from embedlab.tables.factory import make_tables
from embedlab.tables.graphhash import BipartitePartition, bipartite_louvain, resolution_for_rows
from embedlab.tables.models.retrieval import LightGCN, MatrixFactorization
from embedlab.tables.training.bpr import BPRTrainer, split_validation

__all__ = [
    "MODELS",
    "REPORT_ORDER",
    "TRAINER_DEFAULTS",
    "TablesBench",
    "format_tables_bench",
    "run_tables_bench",
]

logger = logging.getLogger(__name__)

MODELS = ("mf", "lightgcn")

#: the table methods of the comparison, in report order (names of ``embedlab.registry.TABLES``;
#: the collisionless table, a full table in Monolith's layout, belongs to the stream bench)
REPORT_ORDER = ("full", "hash", "double-hash", "frequency", "qr", "graphhash", "double-graphhash")

#: trainer settings per model (see docs/benchmarks.md for how they were chosen)
TRAINER_DEFAULTS: dict[str, dict[str, Any]] = {
    "mf": {
        "epochs": 200,
        "batch_size": 2048,
        "lr": 1e-3,
        "reg": 1e-4,
        "eval_every": 5,
        "patience": 3,
    },
    # a LightGCN step is one full propagation whatever the batch: 4x its paper's batch and lr
    "lightgcn": {
        "epochs": 300,
        "batch_size": 8192,
        "lr": 4e-3,
        "reg": 1e-4,
        "eval_every": 5,
        "patience": 3,
    },
}


def _budget_partition(
    train: sp.csr_matrix, memory_fraction: float | None, resolution: float
) -> BipartitePartition:
    if memory_fraction is None:
        return bipartite_louvain(train, resolution=resolution)
    target = round(memory_fraction * sum(train.shape))
    return resolution_for_rows(train, target)


def run_tables_bench(
    dataset: str | ImplicitFeedback,
    *,
    model: str = "mf",
    methods: Sequence[str] = REPORT_ORDER,
    memory_fraction: float | None = None,
    seeds: int = 1,
    embedding_dim: int = 64,
    resolution: float = 200.0,
    n_layers: int = 3,
    k: int = 20,
    trainer: dict[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Train and score every table method at one number of rows.

    Parameters
    ----------
    dataset : str or ImplicitFeedback
        A LightGCN-layout data set (a name under ``$EMBEDLAB_DATA/recsys`` or a folder).
    model : {"mf", "lightgcn"}, default="mf"
        The retrieval model.
    methods : sequence of str, default=REPORT_ORDER
        Names of :data:`embedlab.registry.TABLES`.
    memory_fraction : float, optional
        The fraction in ``(0, 1]`` of the full table's rows (users + items) every compressed
        method gets; without it, the rows GraphHash reaches at ``resolution``.
    seeds : int, default=1
        Runs per method (seeds ``0 .. seeds - 1``).
    embedding_dim : int, default=64
        Coordinates per vector.
    resolution : float, default=200.0
        Louvain resolution without ``memory_fraction``.
    n_layers : int, default=3
        LightGCN's propagation rounds.
    k : int, default=20
        Cut-off of Recall@k and NDCG@k.
    trainer : dict, optional
        Overrides of :data:`TRAINER_DEFAULTS` (``epochs``, ``time_limit``, ...).

    Returns
    -------
    dict
        One entry per method: ``rows``, ``user_rows``, ``item_rows``, ``memory_bytes``,
        ``recall@k``, ``ndcg@k`` (means over seeds), their ``_std``, ``train_seconds`` and the
        per-seed ``runs``.
    """
    if model not in MODELS:
        raise InvalidInputError(f"model must be one of {', '.join(MODELS)}, got {model!r}.")
    methods = list(methods)
    if not methods:
        raise InvalidInputError(
            f"No table method given; choose one of: {', '.join(TABLES.names())}."
        )
    for m in methods:
        if m not in TABLES:
            raise TABLES.unknown(m)
    if memory_fraction is not None and not (0.0 < memory_fraction <= 1.0):
        raise InvalidInputError(
            f"memory_fraction must be a fraction in (0, 1], got {memory_fraction!r}."
        )
    if not isinstance(seeds, int) or seeds < 1:
        raise InvalidInputError(f"seeds must be an int >= 1, got {seeds!r}.")
    data = load_lightgcn(dataset) if isinstance(dataset, str) else dataset
    settings = {**TRAINER_DEFAULTS[model], **(trainer or {}), "k": k}
    frac = settings.pop("validation_fraction", 0.05)
    partition: BipartitePartition | None = None
    if memory_fraction is not None and not any("graphhash" in m for m in methods):
        # no GraphHash to match: the budget's share of each side
        user_rows = max(1, round(memory_fraction * data.n_users))
        item_rows = max(1, round(memory_fraction * data.n_items))
    else:
        t0 = time.perf_counter()
        partition = _budget_partition(data.train, memory_fraction, resolution)
        logger.info("%s (%.1f s)", partition, time.perf_counter() - t0)
        user_rows, item_rows = partition.n_user_clusters, partition.n_item_clusters
    results: dict[str, dict[str, Any]] = {}
    for method in methods:
        runs = []
        for seed in range(seeds):
            fit, val = split_validation(data.train, frac, np.random.default_rng(seed))
            ut, it = make_tables(
                method,
                data.train,
                embedding_dim=embedding_dim,
                user_rows=user_rows,
                item_rows=item_rows,
                partition=partition,
                random_state=seed,
            )
            net: MatrixFactorization | LightGCN
            if model == "mf":
                net = MatrixFactorization(ut, it, n_users=data.n_users, n_items=data.n_items)
            else:
                net = LightGCN(ut, it, biadjacency=fit, n_layers=n_layers)
            tr = BPRTrainer(random_state=seed, validation_fraction=frac, **settings)
            tr.fit(net, fit, validation=val)
            uv, iv = net.embeddings()
            res = evaluate_full_ranking(uv, iv, exclude=data.train, relevant=data.test, k=k)
            runs.append(
                {
                    "seed": seed,
                    f"recall@{k}": res.recall,
                    f"ndcg@{k}": res.ndcg,
                    "train_seconds": tr.train_seconds_,
                    "epochs": tr.epochs_run_,
                    "best_epoch": tr.best_epoch_,
                    "validation_recall": tr.best_validation_,
                }
            )
            logger.info(
                "%s seed %d: recall@%d %.4f ndcg@%d %.4f (%.0f s, best epoch %d)",
                method,
                seed,
                k,
                res.recall,
                k,
                res.ndcg,
                tr.train_seconds_,
                tr.best_epoch_,
            )
        rec = np.array([r[f"recall@{k}"] for r in runs])
        ndcg = np.array([r[f"ndcg@{k}"] for r in runs])
        results[method] = {
            "rows": net.num_rows,
            "user_rows": ut.num_rows,
            "item_rows": it.num_rows,
            "memory_bytes": net.memory_bytes(),
            f"recall@{k}": float(rec.mean()),
            f"ndcg@{k}": float(ndcg.mean()),
            f"recall@{k}_std": float(rec.std()),
            f"ndcg@{k}_std": float(ndcg.std()),
            "train_seconds": float(np.mean([r["train_seconds"] for r in runs])),
            "runs": runs,
        }
    return results


def format_tables_bench(results: dict[str, dict[str, Any]], k: int = 20) -> list[list[str]]:
    """Rows (method, rows, MiB, Recall@k, NDCG@k, train time) for a report table.

    Parameters
    ----------
    results : dict
        From :func:`run_tables_bench`.
    k : int, default=20
        Its cut-off.

    Returns
    -------
    list of list of str
    """
    out = []
    for method, r in results.items():

        def pm(key: str, r: dict[str, Any] = r) -> str:
            return f" ± {r[key + '_std']:.4f}" if len(r["runs"]) > 1 else ""

        out.append(
            [
                method,
                f"{r['rows']:,}",
                f"{r['memory_bytes'] / 2**20:.2f}",
                f"{r[f'recall@{k}']:.4f}{pm(f'recall@{k}')}",
                f"{r[f'ndcg@{k}']:.4f}{pm(f'ndcg@{k}')}",
                f"{r['train_seconds']:.0f} s",
            ]
        )
    return out


class TablesBench(BenchTask):
    """``embedlab bench tables``: :func:`run_tables_bench`, rendered by :func:`format_tables_bench`.

    Examples
    --------
    >>> TablesBench().markdown({}).splitlines()[0]
    '| method | rows | MiB | Recall@20 | NDCG@20 | train time |'
    """

    name: ClassVar[str] = "tables"
    title: ClassVar[str] = "Embedding tables at equal rows: MF / LightGCN, full-ranking Recall@20"

    def run(self, **options: Any) -> dict[str, dict[str, Any]]:
        """:func:`run_tables_bench` with ``options`` (``dataset`` defaults to Gowalla)."""
        dataset = options.pop("dataset", "gowalla")
        return run_tables_bench(dataset, **options)

    def markdown(self, results: dict[str, dict[str, Any]], k: int = 20) -> str:
        """One row per method."""
        head = ["method", "rows", "MiB", f"Recall@{k}", f"NDCG@{k}", "train time"]
        lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in format_tables_bench(results, k)]
        return "\n".join(lines)
