"""Graphlet orbit adjacencies: all 28 matrices vs the PyPI package ``gradco`` (C++, peer venv
``benchmarks/.peers/gradco``) on Cora, ca-AstroPh and a random graph: time and exact equality."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from _common import BENCH, PEERS, ChildFailed, child, ensure_venv, lines_to_md, log, timed_json

KEYS = ("gradco_version", "orbits")
GRADCO_PEER = PEERS / "gradco"
GRADCO_PEER_PY = GRADCO_PEER / "bin" / "python"


def ensure_gradco_peer() -> str:
    return ensure_venv(GRADCO_PEER, ["gradco==0.1.8", "scipy"], ["gradco"])["gradco"]


_ORBIT_RSS_SNIPPET = """
import sys, numpy as np
from embedlab.graph import Graph
from embedlab.graph.orbits import orbit_adjacency
z = np.load(sys.argv[1])
import scipy.sparse as sp
a = sp.csr_array((np.ones(len(z["indices"])), z["indices"], z["indptr"]))
orbit_adjacency(Graph.from_scipy(a))
"""


def orbits_vs_gradco(names: list[str], tmp: Path) -> dict:
    """All 28 orbit adjacencies: time and exact equality, embedlab vs gradco (C++)."""
    import scipy.sparse as sp

    from embedlab.datasets import erdos_renyi, load_graph
    from embedlab.graph import Graph
    from embedlab.graph.orbits import MATRICES, orbit_adjacency, simple_graph

    orbit_adjacency(Graph.from_edges([0, 1, 2], [1, 2, 0]))  # compile
    out = {}
    graphs = {name: load_graph(name) for name in names}
    graphs["erdos-renyi 2000 x 20000"] = erdos_renyi(2000, 20_000, random_state=0)
    for name, graph in graphs.items():
        indptr, indices = simple_graph(graph)
        npz = tmp / "orbit_graph.npz"
        np.savez(npz, indptr=indptr, indices=indices)
        log(f"orbits: gradco on {name}")
        peer_out = tmp / "gradco_out.npz"
        cmd = [str(GRADCO_PEER_PY), str(BENCH / "peers" / "gradco_orbits.py"), str(npz)]
        try:
            wall, rss, peer_json = timed_json([*cmd, str(peer_out)])
            failed = None
        except ChildFailed as exc:  # gradco's dense n x n steps can exhaust the memory
            wall, rss, peer_json = float("nan"), exc.rss_mib, {"count_s": float("nan")}
            failed = f"exit code {exc.code}" + (
                " (killed: out of memory)" if exc.code in (-9, 137) else ""
            )
        log(f"orbits: embedlab on {name}")
        t0 = time.perf_counter()
        ours = orbit_adjacency(graph)
        ours_s = time.perf_counter() - t0
        rss_ours = child([sys.executable, "-c", _ORBIT_RSS_SNIPPET, str(npz)])[
            1
        ]  # the same call in a fresh process, for its peak memory
        n = graph.n_nodes
        same = []
        if failed is None:
            z = np.load(peer_out)
            for hop, o1, o2 in MATRICES:
                key = f"h{hop}_{o1}_{o2}"
                peer = sp.csr_array(
                    (z[key + "_vals"], (z[key + "_rows"], z[key + "_cols"])), shape=(n, n)
                )
                same.append(bool((peer != ours[(hop, o1, o2)]).nnz == 0))
        out[name] = {
            "n_nodes": n,
            "n_edges": int(len(indices) // 2),
            "embedlab_s": ours_s,
            "embedlab_peak_rss_mib": rss_ours,
            "gradco_count_s": peer_json["count_s"],
            "gradco_process_s": wall,
            "gradco_peak_rss_mib": rss,
            "gradco_failed": failed,
            "identical": sum(same),
            "compared": len(same),
            "nnz": {f"{h}-{a}-{b}": int(m.nnz) for (h, a, b), m in ours.items()},
        }
        del ours
    return out


def run(tmp: Path) -> dict:
    version = ensure_gradco_peer()
    return {"gradco_version": version, "orbits": orbits_vs_gradco(["cora", "ca-astroph"], tmp)}


def markdown(res: dict) -> str:
    if "orbits" not in res:
        return ""
    lines = [
        "## Graphlet orbit adjacencies (GRADCO): all 28 matrices",
        "",
        f"embedlab `orbit_adjacency` vs the PyPI package gradco {res['gradco_version']} (C++), "
        "same run; gradco's time is its `Counter.count()` (its own timing, inside its process), "
        "embedlab's the call from a graph in memory. Identical: matrices equal entry for entry.",
        "",
        "| graph | nodes | edges | embedlab | embedlab peak RSS | gradco | gradco peak RSS | "
        "ratio | identical |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in res["orbits"].items():
        if r.get("gradco_failed"):
            peer, ratio = f"failed, {r['gradco_failed']}", "—"
            same = "— (no gradco output)"
        else:
            peer = f"{r['gradco_count_s']:.2f} s"
            ratio = f"{r['gradco_count_s'] / r['embedlab_s']:.2f}x"
            same = f"{r['identical']}/{r['compared']}"
        lines.append(
            f"| {name} | {r['n_nodes']:,} | {r['n_edges']:,} | {r['embedlab_s']:.2f} s | "
            f"{r['embedlab_peak_rss_mib'] / 1024:.1f} GiB | {peer} | "
            f"{r['gradco_peak_rss_mib'] / 1024:.1f} GiB | {ratio} | {same} |"
        )
    return lines_to_md(lines)
