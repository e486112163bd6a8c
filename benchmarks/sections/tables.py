"""Embedding-table benchmark on Gowalla (issue 9): every method at GraphHash's rows, MF-BPR.

Run through ``python benchmarks/run.py --only tables`` (part of ``make bench``; LightGCN with the
full table: ``--only tables-lightgcn``, :mod:`sections.tables_lightgcn`); standalone:
``python benchmarks/sections/tables.py [--model lightgcn --time-limit 1500]`` prints JSON.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def popularity(data: Any) -> dict[str, float]:
    """The trivial baseline: every user gets the most popular unseen items."""
    from embedlab.eval.ranking import evaluate_full_ranking

    counts = np.bincount(data.train.indices, minlength=data.n_items).astype(np.float32)
    # item score = count, ties broken towards lower ids by a tiny decreasing offset
    items = (counts - np.arange(data.n_items, dtype=np.float32) * 1e-6)[:, None]
    res = evaluate_full_ranking(
        np.ones((data.n_users, 1), np.float32), items, exclude=data.train, relevant=data.test
    )
    return res.as_dict()


def tables_gowalla(
    model: str = "mf", time_limit: float | None = None, methods: tuple[str, ...] | None = None
) -> dict[str, Any]:
    from embedlab.bench.tables import REPORT_ORDER, TRAINER_DEFAULTS, run_tables_bench
    from embedlab.datasets import load_lightgcn
    from embedlab.tables.graphhash import bipartite_louvain

    data = load_lightgcn("gowalla")
    t = time.perf_counter()
    part = bipartite_louvain(data.train, resolution=200)
    louvain_s = time.perf_counter() - t
    trainer = {} if time_limit is None else {"time_limit": time_limit}
    t = time.perf_counter()
    res = run_tables_bench(
        data, model=model, methods=methods or REPORT_ORDER, seeds=1, trainer=trainer
    )
    return {
        "model": model,
        "settings": {
            **TRAINER_DEFAULTS[model],
            **trainer,
            "embedding_dim": 64,
            "validation_fraction": 0.05,
        },
        "partition": {
            "user_clusters": part.n_user_clusters,
            "item_clusters": part.n_item_clusters,
            "rows": part.rows,
            "fraction": part.rows / (data.n_users + data.n_items),
            "modularity": part.modularity,
            "louvain_seconds": louvain_s,
        },
        "full_rows": data.n_users + data.n_items,
        "popularity": popularity(data),
        "methods": res,
        "total_seconds": time.perf_counter() - t,
    }


LIGHTGCN_NOTE = (
    "3 layers. A LightGCN step is one full propagation over the 1.6M-edge graph whatever the "
    "batch (0.15 s here), so the batch is 4x the paper's 2048 and the step 4x its 1e-3; the "
    "run is capped by time, not by early stopping."
)


def markdown_lines(res: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for key, title in (("tables_mf", "MF-BPR"), ("tables_lightgcn", "LightGCN")):
        if key not in res:
            continue
        r = res[key]
        p, m = r["partition"], r["methods"]
        st = r["settings"]
        cmd = f"embedlab bench tables --dataset gowalla --model {r['model']}"
        if len(m) == 1:
            cmd += f" --methods {next(iter(m))}"
        if "time_limit" in st:
            cmd += f" --time-limit {st['time_limit']:g}"
        hashing = {k: m[k]["recall@20"] for k in ("hash", "double-hash", "frequency") if k in m}
        best = max(hashing, key=hashing.get) if hashing else None
        lines += [
            f"## Embedding tables on Gowalla: {title}"
            + (", every method at GraphHash's rows" if len(m) > 1 else ", full table"),
            "",
            f"`{cmd}` (one seed). "
            + (
                f"GraphHash's Louvain partition at resolution 200: {p['user_clusters']:,} user + "
                f"{p['item_clusters']:,} item clusters = {p['rows']:,} rows, "
                f"{100 * p['fraction']:.1f} % of the full table's {r['full_rows']:,} "
                f"(Barber modularity {p['modularity']:.4f}, {p['louvain_seconds']:.1f} s). Every "
                "compressed method gets exactly those user and item rows. "
                if len(m) > 1
                else f"{LIGHTGCN_NOTE} "
            )
            + "d = 64, Adam lr "
            f"{st['lr']:g}, batch {st['batch_size']}, L2 {st['reg']:g} (LightGCN's), at most "
            f"{st['epochs']} epochs, early stopping on 5 % of the training interactions "
            f"(evaluated every {st['eval_every']} epochs, patience {st['patience']}); test: full "
            "ranking of all items, training items excluded, LightGCN's Recall@20 / NDCG@20.",
            "",
            "| method | rows | MiB | Recall@20 | NDCG@20 | epochs (best) | train time |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, x in m.items():
            run = x["runs"][0]
            lines.append(
                f"| {name} | {x['rows']:,} | {x['memory_bytes'] / 2**20:.2f} | "
                f"{x['recall@20']:.4f} | {x['ndcg@20']:.4f} | {run['epochs']} "
                f"({run['best_epoch']}) | {x['train_seconds']:.0f} s |"
            )
        pop = r["popularity"]
        if r["model"] == "lightgcn":
            lines.append(lightgcn_paper_row(r["full_rows"]))
        lines += [
            f"| most popular items (baseline) | – | – | {pop['recall@20']:.4f} | "
            f"{pop['ndcg@20']:.4f} | – | – |",
            "",
        ]
        if best and "graphhash" in m:
            g = m["graphhash"]["recall@20"]
            lines += [
                f"GraphHash / best hashing baseline ({best}): **{g / hashing[best]:.2f}x** "
                f"Recall@20. Whole benchmark: {r['total_seconds'] / 60:.0f} min.",
                "",
            ]
    return lines


def lightgcn_paper_row(full_rows: int) -> str:
    """The LightGCN paper's Gowalla figures as a row of the table (full table: every row)."""
    from embedlab.bench.references import reference

    recall = reference("lightgcn-gowalla-recall@20").value
    ndcg = reference("lightgcn-gowalla-ndcg@20").value
    return f"| full, LightGCN paper (reference) | {full_rows:,} | – | {recall:.4f} | {ndcg:.4f} | – | – |"


KEYS = ("tables_mf",)


def run(tmp: Any) -> dict[str, Any]:
    log("embedding tables: Gowalla, MF-BPR, every method at GraphHash's rows")
    return {"tables_mf": tables_gowalla("mf")}


def markdown(res: dict[str, Any]) -> str:
    """The MF-BPR table (``tables_mf``)."""
    from _common import lines_to_md

    return lines_to_md(markdown_lines({k: res[k] for k in KEYS if k in res}))


if __name__ == "__main__":
    import argparse
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="mf")
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--methods", default=None)
    a = ap.parse_args()
    ms = tuple(a.methods.split(",")) if a.methods else None
    print(json.dumps(tables_gowalla(a.model, a.time_limit, ms), indent=2))
