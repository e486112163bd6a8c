"""Partitioned skip-gram on Dask (PyTorch-BigGraph's bucket schedule) against single-machine DeepWalk.

Usage::

    python benchmarks/scale_skipgram.py OUT.json [--seeds 3] [--partitions 4] [--workers 2]
                                                 [--scale-nodes 300000] [--scale-partitions 8]

1. **BlogCatalog** (the DeepWalk reproduction's setting: d = 128, 10 walks of 80 per node, window
   10, 5 negatives, one epoch; Micro-F1 at 50 % training, C = 1, 5 seeded splits, the mean of the
   splits): DeepWalk on one machine (2 threads, in its own process) and
   ``embedlab.distributed.skipgram.partitioned_sgns`` with ``P`` partitions on a LocalCluster of
   ``--workers`` worker processes of one thread each (a fresh cluster per seed). Reported: Micro-F1
   and Macro-F1 per seed, wall time, positive pairs, bytes the workers sent one another, each
   worker's peak memory (``peak_rss``: ``ru_maxrss``; and ``VmHWM``, the peak of the process's own
   address space) beside its resident memory before the fit, the whole model's size
   (``2 n d 4`` bytes), the single process's peak, and what one bucket task holds.
2. **Scale** (``--scale-nodes``, 0 to skip): the same comparison of memory and time on a synthetic
   power-law graph (``5 n`` edges, d = 128, 1 walk of 20 per node, window 5), where the model, not
   the Python interpreter, dominates a process's memory.

Each measurement notes the load average when it started: the peers here share the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import machine, peak_rss_mib, rss_mib

BLOGCATALOG = {"n_components": 128, "walks_per_node": 10, "walk_length": 80, "window": 10}
SCALE = {"n_components": 128, "walks_per_node": 1, "walk_length": 20, "window": 5}
MIB = 2**20


def _log(msg: str) -> None:
    print(f"[scale_skipgram] {msg}", file=sys.stderr, flush=True)


def _graph(spec: str):
    if spec == "blogcatalog":
        from embedlab.datasets import load_graph

        return load_graph("blogcatalog")
    from embedlab.datasets import power_law_graph

    _, n = spec.split(":")
    return power_law_graph(int(n), 5 * int(n), random_state=0)


def single(spec: str, seed: int, settings: dict, out: str) -> dict:
    """DeepWalk on one machine, in this (child) process: time and memory; embeddings to ``out``."""
    from embedlab.graph import Graph
    from embedlab.graph.deepwalk import DeepWalk

    DeepWalk(n_components=8, walks_per_node=1, walk_length=5, random_state=0).fit(
        Graph.from_edges([0, 1], [1, 2])
    )
    graph = _graph(spec)
    before = rss_mib()
    model = DeepWalk(random_state=seed, n_jobs=2, **settings)
    t0 = time.perf_counter()
    model.fit(graph)
    fit = time.perf_counter() - t0
    np.save(out, model.embeddings_)
    return {
        "fit_s": round(fit, 2),
        "pairs": model.n_pairs_,
        "rss_before_fit_mib": round(before, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def _run_single(spec: str, seed: int, settings: dict, tmp: Path) -> tuple[dict, np.ndarray]:
    out = tmp / f"single-{seed}.npy"
    cmd = [sys.executable, __file__, "--single", spec, str(seed), json.dumps(settings), str(out)]
    load = os.getloadavg()[0]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    row = json.loads(res.stdout.strip().splitlines()[-1])
    row["load_average"] = round(load, 2)
    return row, np.load(out)


def _memory() -> dict:
    """This process's resident memory now and its peak (``/proc/self/status``), bytes."""
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key = line.split(":")[0]
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(line.split()[1]) * 1024
    return out


def _run_partitioned(
    graph, seed: int, settings: dict, partitions: int, workers: int
) -> tuple[dict, np.ndarray]:
    from embedlab.distributed._client import open_client, peak_rss
    from embedlab.distributed.skipgram import partitioned_sgns
    from embedlab.graph import Graph

    with open_client(workers=workers, threads_per_worker=1, processes=True) as client:
        # load the compiled kernels in the workers (numba caches them on disk)
        tiny = Graph.from_edges([0, 1, 2], [1, 2, 3])
        partitioned_sgns(
            tiny,
            n_components=8,
            walk_length=5,
            walks_per_node=1,
            window=2,
            seed=0,
            partitions=2,
            client=client,
        )
        partitioned_sgns(
            tiny,
            n_components=8,
            seed=0,
            partitions=2,
            client=client,
            pairs_from="edges",
            n_samples=100,
            rounds=1,
        )
        before = client.run(_memory)
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        rep = partitioned_sgns(graph, seed=seed, partitions=partitions, client=client, **settings)
        wall = time.perf_counter() - t0
        after = client.run(_memory)
        peaks = peak_rss(client)
    n, d = graph.n_nodes, settings["n_components"]
    per_worker = {}
    for addr in sorted(after):
        recs = [b for b in rep.buckets if b.worker == addr]
        per_worker[addr] = {
            "rss_before_fit_mib": round(before[addr]["VmRSS"] / MIB, 1),
            "vmhwm_mib": round(after[addr]["VmHWM"] / MIB, 1),
            "peak_rss_mib": round(peaks[addr] / MIB, 1),
            "growth_mib": round((after[addr]["VmHWM"] - before[addr]["VmRSS"]) / MIB, 1),
            "max_dask_managed_mib": round(max(b.worker_bytes for b in recs) / MIB, 1),
            "buckets": len(recs),
            "busy_s": round(sum(b.seconds for b in recs), 2),
        }
    row = {
        "wall_s": round(wall, 2),
        "pairs": rep.n_pairs,
        "pairs_per_s": round(rep.n_pairs / wall),
        "rounds": rep.rounds,
        "bucket_tasks": len(rep.buckets),
        "bytes_moved": rep.bytes_moved,
        "bytes_moved_mib": round(rep.bytes_moved / MIB, 1),
        "model_mib": round(2 * n * d * 4 / MIB, 2),
        "bucket_task_mib": round(rep.bucket_bytes / MIB, 2),
        "round_walks_mib": round(rep.walk_bytes / MIB, 2),
        "workers": per_worker,
        "driver_peak_rss_mib": round(peak_rss_mib(), 1),
        "load_average": round(load, 2),
    }
    return row, rep.embeddings


def blogcatalog(seeds: int, partitions: int, workers: int, tmp: Path) -> dict:
    from embedlab.bench.reproduce._walks import blogcatalog_classifier, load_blogcatalog

    graph, labels = load_blogcatalog()
    res: dict = {
        "settings": {
            **BLOGCATALOG,
            "negatives": 5,
            "partitions": partitions,
            "workers": workers,
            "seeds": seeds,
        }
    }
    res["single"], res["partitioned"] = [], []
    for seed in range(seeds):
        ev = blogcatalog_classifier(labels, seed, False)
        _log(f"BlogCatalog seed {seed}: DeepWalk on one machine")
        row, emb = _run_single("blogcatalog", seed, BLOGCATALOG, tmp)
        row.update(ev((graph.node_ids, emb)))
        res["single"].append(row)
        _log(f"  {row}")
        _log(f"BlogCatalog seed {seed}: partitioned, P = {partitions}, {workers} workers")
        row, emb = _run_partitioned(graph, seed, BLOGCATALOG, partitions, workers)
        row.update(ev((graph.node_ids, emb)))
        res["partitioned"].append(row)
        _log(f"  {json.dumps(row)}")
    model = 2 * graph.n_nodes * BLOGCATALOG["n_components"] * 4 / MIB

    def mean(rows: list[dict], key: str) -> float:
        return round(float(np.mean([r[key] for r in rows])), 4)

    res["summary"] = {
        "single_micro_f1": mean(res["single"], "micro_f1@0.5"),
        "partitioned_micro_f1": mean(res["partitioned"], "micro_f1@0.5"),
        "micro_f1_gap": round(
            mean(res["partitioned"], "micro_f1@0.5") - mean(res["single"], "micro_f1@0.5"), 4
        ),
        "reference_micro_f1": 0.380,
        "single_fit_s": mean(res["single"], "fit_s"),
        "partitioned_wall_s": mean(res["partitioned"], "wall_s"),
        "model_mib": round(model, 2),
        # VmHWM: the peak of the worker's own address space. peak_rss (ru_maxrss) is shown per
        # worker too, but it can carry the parent's resident memory at the fork that started the
        # worker (seen here: every worker at the driver's peak)
        "max_worker_vmhwm_mib": max(
            w["vmhwm_mib"] for r in res["partitioned"] for w in r["workers"].values()
        ),
        "max_worker_peak_rss_mib": max(
            w["peak_rss_mib"] for r in res["partitioned"] for w in r["workers"].values()
        ),
        "worker_rss_before_fit_mib": max(
            w["rss_before_fit_mib"] for r in res["partitioned"] for w in r["workers"].values()
        ),
        "max_worker_growth_mib": max(
            w["growth_mib"] for r in res["partitioned"] for w in r["workers"].values()
        ),
        "single_peak_rss_mib": max(r["peak_rss_mib"] for r in res["single"]),
        "single_growth_mib": round(
            max(r["peak_rss_mib"] - r["rss_before_fit_mib"] for r in res["single"]), 1
        ),
        "bucket_task_mib": max(r["bucket_task_mib"] for r in res["partitioned"]),
        "bytes_moved_mib": mean(res["partitioned"], "bytes_moved_mib"),
    }
    return res


def scale(n: int, partitions: int, workers: int, tmp: Path) -> dict:
    spec = f"powerlaw:{n}"
    _log(f"scale: power-law graph of {n} nodes: DeepWalk on one machine")
    single_row, _ = _run_single(spec, 0, SCALE, tmp)
    _log(f"  {single_row}")
    graph = _graph(spec)
    _log(f"scale: partitioned, P = {partitions}, {workers} workers")
    part_row, _ = _run_partitioned(graph, 0, SCALE, partitions, workers)
    _log(f"  {json.dumps(part_row)}")
    return {
        "settings": {
            **SCALE,
            "n_nodes": graph.n_nodes,
            "n_edges": graph.n_edges,
            "partitions": partitions,
            "workers": workers,
        },
        "single": single_row,
        "partitioned": part_row,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="where to write the JSON results")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale-nodes", type=int, default=300_000)
    parser.add_argument("--scale-partitions", type=int, default=8)
    args = parser.parse_args()
    results: dict = {"machine": machine()}
    with tempfile.TemporaryDirectory() as tmp:
        results["blogcatalog"] = blogcatalog(args.seeds, args.partitions, args.workers, Path(tmp))
        args.out.write_text(json.dumps(results, indent=2))
        if args.scale_nodes > 0:
            results["scale"] = scale(
                args.scale_nodes, args.scale_partitions, args.workers, Path(tmp)
            )
    args.out.write_text(json.dumps(results, indent=2))
    _log(f"wrote {args.out}")
    _log(json.dumps(results["blogcatalog"]["summary"]))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--single":
        spec, seed, settings, out = sys.argv[2:6]
        print(json.dumps(single(spec, int(seed), json.loads(settings), out)))
    else:
        main()
