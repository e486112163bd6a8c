"""DeepWalk on a synthetic graph of 1,000,000 nodes and 5,000,000 edges (YouTube-sized).

Run as a script with the number of walks per node: prints one JSON object with the graph build
time, the training time (graph in memory; walks generated online, one epoch, d=128, length 80,
window 10, 5 negatives, all cores), the positive pairs trained, the resident memory before the
fit and the process's peak RSS. ``benchmarks/run.py`` runs it with 1 and 2 walks per node, each in
its own process, to show that memory does not grow with the number of walks.
"""

from __future__ import annotations

import json
import sys
import time

from _common import peak_rss_mib, rss_mib


def main(walks_per_node: int = 2, n: int = 1_000_000, m: int = 5_000_000) -> dict:
    from embedlab.datasets import power_law_graph
    from embedlab.graph import Graph
    from embedlab.graph.deepwalk import DeepWalk

    # compile on a tiny graph first (numba caches kernels on disk: once per installation)
    DeepWalk(n_components=8, walks_per_node=1, walk_length=5, random_state=0).fit(
        Graph.from_edges([0, 1], [1, 2])
    )
    t0 = time.perf_counter()
    graph = power_law_graph(n, m, random_state=0)
    build = time.perf_counter() - t0
    rss_before = rss_mib()
    model = DeepWalk(walks_per_node=walks_per_node, random_state=0)
    t0 = time.perf_counter()
    model.fit(graph)
    fit = time.perf_counter() - t0
    peak = peak_rss_mib()
    return {
        "n_nodes": graph.n_nodes,
        "n_edges": graph.n_edges,
        "walks_per_node": walks_per_node,
        "build_s": round(build, 2),
        "fit_s": round(fit, 2),
        "pairs": model.n_pairs_,
        "pairs_per_s": round(model.n_pairs_ / fit),
        "rss_before_fit_mib": round(rss_before),
        "peak_rss_mib": round(peak),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)))
