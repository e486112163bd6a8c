"""FastRP on a synthetic graph of 1,000,000 nodes and 10,000,000 edges (d=128, 4 iterations).

Run as a script: prints one JSON object with the graph build time, the embedding time (graph already
in memory), the resident memory before the fit and the process's peak RSS.
"""

from __future__ import annotations

import json
import sys
import time

from _common import peak_rss_mib, rss_mib


def main(kind: str = "power-law", n: int = 1_000_000, m: int = 10_000_000, d: int = 128) -> dict:
    from embedlab.datasets import erdos_renyi, power_law_graph
    from embedlab.graph import FastRP, Graph

    # compile the kernels on a tiny graph first, so that the timing is of the work (numba caches
    # compiled kernels on disk, so a user pays this once per installation, not per run)
    FastRP(n_components=8, random_state=0).fit(Graph.from_edges([0, 1], [1, 2]))
    t0 = time.perf_counter()
    gen = power_law_graph if kind == "power-law" else erdos_renyi
    graph = gen(n, m, random_state=0)
    build = time.perf_counter() - t0
    rss_before = rss_mib()
    model = FastRP(n_components=d, iteration_weights=[0.0, 0.0, 1.0, 6.67], random_state=0)
    t0 = time.perf_counter()
    model.fit(graph)
    fit = time.perf_counter() - t0
    peak = peak_rss_mib()
    return {
        "graph": kind,
        "n_nodes": graph.n_nodes,
        "n_edges": graph.n_edges,
        "d": d,
        "iterations": 4,
        "build_s": round(build, 2),
        "fit_s": round(fit, 2),
        "rss_before_fit_mib": round(rss_before),
        "peak_rss_mib": round(peak),
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:2])))
