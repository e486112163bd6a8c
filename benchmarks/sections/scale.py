"""Scale: FastRP and DeepWalk on synthetic power-law graphs, each run in its own process.

* FastRP: 1,000,000 nodes and 10,000,000 edges, d=128, 4 iterations
  (``benchmarks/scale_fastrp.py``, its own process for an honest peak RSS);
* DeepWalk: 1,000,000 nodes and 5,000,000 edges, 1 and 2 walks per node
  (``benchmarks/scale_deepwalk.py``).

Each table sits beside its method on the page: :func:`fastrp_markdown` after the FastRP section,
:func:`deepwalk_markdown` after the random-walk section.
"""

from __future__ import annotations

from pathlib import Path

from _common import lines_to_md, log, script_json

KEYS = ("scale", "scale_deepwalk")


def run(tmp: Path) -> dict:
    log("scale: 1M nodes, 10M edges")
    res = {"scale": script_json("scale_fastrp.py", "power-law")}
    log("scale: DeepWalk on 1M nodes, 5M edges (1 and 2 walks per node)")
    res["scale_deepwalk"] = {str(w): script_json("scale_deepwalk.py", str(w)) for w in (1, 2)}
    return res


def fastrp_markdown(res: dict) -> str:
    sc = res.get("scale")
    if not sc:
        return ""
    return lines_to_md(
        [
            "## Scale: synthetic power-law graph, 1,000,000 nodes, 10,000,000 edges, d = 128, "
            "4 iterations",
            "",
            "| graph build | embed (graph in memory) | RSS before the fit | peak RSS |",
            "|---:|---:|---:|---:|",
            f"| {sc['build_s']:.1f} s | {sc['fit_s']:.1f} s | "
            f"{sc['rss_before_fit_mib'] / 1024:.2f} GiB | {sc['peak_rss_mib'] / 1024:.2f} GiB |",
        ]
    )


def deepwalk_markdown(res: dict) -> str:
    sc = res.get("scale_deepwalk")
    if not sc:
        return ""
    lines = [
        "## Scale: DeepWalk on a synthetic power-law graph, 1,000,000 nodes, 5,000,000 edges",
        "",
        "d = 128, walks of 80, window 10, 5 negatives, one epoch, 2 threads; each row is its "
        "own process (`benchmarks/scale_deepwalk.py`).",
        "",
        "| walks per node | graph build | training | positive pairs | pairs/s | "
        "RSS before the fit | peak RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for k, r in sorted(sc.items()):
        lines.append(
            f"| {k} | {r['build_s']:.1f} s | {r['fit_s']:.1f} s | {r['pairs'] / 1e9:.2f} B | "
            f"{r['pairs_per_s'] / 1e6:.2f} M | {r['rss_before_fit_mib'] / 1024:.2f} GiB | "
            f"{r['peak_rss_mib'] / 1024:.2f} GiB |"
        )
    lines += [
        "",
        "Walks are generated and consumed online, so doubling them doubles the time and leaves "
        "the peak memory where it was (two n x d float32 matrices plus the graph).",
    ]
    return lines_to_md(lines)


def markdown(res: dict) -> str:
    """Both tables (the page places them separately, see the module docstring)."""
    return "\n\n".join(p for p in (fastrp_markdown(res), deepwalk_markdown(res)) if p)
