"""The budgeted table benchmark: every table method at the same number of rows, trained as MF or
LightGCN with BPR, scored by full-ranking Recall@k / NDCG@k on the held-out test interactions.

Protocol (GraphHash paper, Section 5): the Louvain partition of the training graph at
``resolution`` (200 unless a ``budget`` is given, then the resolution whose row count meets the
budget) fixes the user rows and item rows; every compressed method gets exactly those counts.
Each (method, seed) trains from scratch with early stopping on a validation split of the training
interactions; the test items are never seen before the final evaluation. The partition is
computed once on the whole training graph (validation edges included, test edges never).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from embedlab.datasets._recsys import ImplicitFeedback, load_lightgcn
from embedlab.eval.ranking import evaluate_full_ranking
from embedlab.exceptions import InvalidInputError
from embedlab.tables.factory import TABLE_METHODS, make_tables
from embedlab.tables.graphhash import BipartitePartition, bipartite_louvain, resolution_for_rows
from embedlab.tables.models import LightGCN, MatrixFactorization
from embedlab.tables.train import BPRTrainer, split_validation

__all__ = ["MODELS", "TRAINER_DEFAULTS", "format_tables_bench", "run_tables_bench"]

logger = logging.getLogger(__name__)

MODELS = ("mf", "lightgcn")

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
    train: sp.csr_matrix, budget: float | None, resolution: float
) -> BipartitePartition:
    if budget is None:
        return bipartite_louvain(train, resolution=resolution)
    target = round(budget * sum(train.shape))
    return resolution_for_rows(train, target)


def run_tables_bench(
    dataset: str | ImplicitFeedback,
    *,
    model: str = "mf",
    methods: Sequence[str] = TABLE_METHODS,
    budget: float | None = None,
    seeds: int = 1,
    embedding_dim: int = 64,
    resolution: float = 200.0,
    n_layers: int = 3,
    k: int = 20,
    trainer: dict[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """One entry per method: ``rows``, ``memory_bytes``, ``recall@k``, ``ndcg@k`` (means over
    seeds), their standard deviations, ``train_seconds`` and the per-seed runs.

    ``budget`` is the fraction of the full table's rows (users + items) every compressed method
    gets; without it, the rows GraphHash reaches at ``resolution``.
    """
    if model not in MODELS:
        raise InvalidInputError(f"model must be one of {', '.join(MODELS)}, got {model!r}.")
    methods = list(methods)
    bad = [m for m in methods if m not in TABLE_METHODS]
    if bad or not methods:
        raise InvalidInputError(
            f"Unknown table method(s) {', '.join(bad) or '(none given)'}; choose from "
            f"{', '.join(TABLE_METHODS)}."
        )
    if budget is not None and not (0.0 < budget <= 1.0):
        raise InvalidInputError(f"budget must be a fraction in (0, 1], got {budget!r}.")
    if not isinstance(seeds, int) or seeds < 1:
        raise InvalidInputError(f"seeds must be an int >= 1, got {seeds!r}.")
    data = load_lightgcn(dataset) if isinstance(dataset, str) else dataset
    settings = {**TRAINER_DEFAULTS[model], **(trainer or {}), "k": k}
    frac = settings.pop("validation_fraction", 0.05)
    partition: BipartitePartition | None = None
    if budget is not None and not any("graphhash" in m for m in methods):
        # no GraphHash to match: the budget's share of each side
        user_rows = max(1, round(budget * data.n_users))
        item_rows = max(1, round(budget * data.n_items))
    else:
        t0 = time.perf_counter()
        partition = _budget_partition(data.train, budget, resolution)
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
    """Rows (method, rows, MiB, Recall@k, NDCG@k, train time) for a report table."""
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
