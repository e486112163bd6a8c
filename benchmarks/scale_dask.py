"""FastRP on Dask: parity at 1M nodes, then 10M nodes / ~100M edges under a per-worker limit.

Run as a script (its own process; workers are processes, so peak RSS is per worker):

    python benchmarks/scale_dask.py parity   # 1M nodes, 10M drawn edges: Dask vs one process
    python benchmarks/scale_dask.py big      # 10M nodes, 110M drawn edges, 2 workers

Prints one JSON object. The graph is :func:`embedlab.distributed.synthetic.power_law_blocks`
(Chung-Lu, exponent 2.5, communities of 10,000 consecutive ids, 5 % of edges across), generated on
the workers block by block; FastRP d = 128 with the paper's four iteration weights.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np

D = 128
WORKERS = 2
SETTINGS = {
    "parity": {"n": 1_000_000, "m": 10_000_000, "partitions": 8, "memory_limit": "4GiB"},
    "big": {"n": 10_000_000, "m": 110_000_000, "partitions": 32, "memory_limit": "10GiB"},
}
GRAPH = {"exponent": 2.5, "community_size": 10_000, "mixing": 0.05}


def _model(n: int) -> Any:
    from embedlab.graph import FastRP

    model = FastRP(n_components=D, iteration_weights=[0.0, 0.0, 1.0, 6.67], random_state=0)
    model._validate_params()
    model.seed_, model.density_ = 0, 1.0 / np.sqrt(n)
    return model


def main(kind: str) -> dict[str, Any]:
    import dask

    from embedlab.distributed._client import open_client, peak_rss
    from embedlab.distributed.fastrp import fastrp_blocks
    from embedlab.distributed.memory import estimate_memory
    from embedlab.distributed.synthetic import power_law_blocks
    from embedlab.graph import FastRP

    cfg = SETTINGS[kind]
    n, m, p = cfg["n"], cfg["m"], cfg["partitions"]
    out: dict[str, Any] = {"kind": kind, "n_nodes": n, "drawn_edges": m, "partitions": p}
    out.update(d=D, workers=WORKERS, memory_limit=cfg["memory_limit"], graph=GRAPH)
    # no spilling to disk before 90 % of the limit: the run must fit, not page
    with (
        dask.config.set(
            {
                "distributed.worker.memory.target": False,
                "distributed.worker.memory.spill": 0.90,
                "distributed.worker.memory.pause": 0.95,
                "distributed.worker.memory.terminate": 0.98,
            }
        ),
        open_client(workers=WORKERS, processes=True, memory_limit=cfg["memory_limit"]) as client,
    ):
        out["baseline_rss"] = peak_rss(client)
        t0 = time.perf_counter()
        graph = power_law_blocks(n, m, partitions=p, client=client, **GRAPH)
        out["generate_s"] = round(time.perf_counter() - t0, 1)
        out["stored_entries"] = graph.nnz
        out["edges"] = graph.nnz // 2
        # the estimate, before the run, from the blocks as they are placed (exact halos)
        est = estimate_memory("fastrp", graph, n_components=D)
        out["estimate_per_worker"] = est.per_worker
        out["estimate_parts"] = est.parts
        model = _model(n)
        # compile the kernels on the workers first (numba caches them on disk after the first run)
        tiny = power_law_blocks(1000, 5000, partitions=2, client=client)
        fastrp_blocks(model, tiny, client)
        del tiny
        run = fastrp_blocks(model, graph, client)
        out["fit_s"] = round(run.seconds, 1)
        out["halo_rows"] = run.halo_rows
        out["remote_halo_rows"] = run.remote_halo_rows
        out["bytes_per_round"] = run.bytes_per_round
        out["remote_halo_bytes"] = run.remote_halo_rows * D * 4
        # a broadcast: every block receiving the rows of H held on the other worker
        out["broadcast_bytes"] = p * n * D * 4 * (WORKERS - 1) // WORKERS
        out["peak_rss"] = peak_rss(client)
        est_kw = {"n_nodes": n, "n_entries": graph.nnz, "n_components": D}
        local = estimate_memory("fastrp", **est_kw)
        out["estimate_one_process"] = local.per_worker
        if kind == "parity":
            g = graph.to_graph(client)
            emb = run.gather(client)
    if kind == "parity":
        from _common import peak_rss_mib

        t0 = time.perf_counter()
        single = FastRP(n_components=D, iteration_weights=[0.0, 0.0, 1.0, 6.67], random_state=0)
        ref = single.fit(g).embeddings_
        out["local_fit_s"] = round(time.perf_counter() - t0, 1)
        out["local_peak_rss"] = int(peak_rss_mib() * 2**20)
        out["max_abs_diff"] = float(np.abs(ref - emb).max())
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else "parity")))
