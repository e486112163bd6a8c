"""Scale-out (issue 20): FastRP and partitioned skip-gram on a Dask LocalCluster.

* ``benchmarks/scale_dask.py parity``: 1M nodes, ~9.4M edges, Dask (2 worker processes, 8
  blocks) beside one process on the same graph: equality, time, bytes moved, peak RSS per
  worker, the memory estimate;
* ``benchmarks/scale_dask.py big``: 10M nodes, ~100M edges, 2 workers of 10 GiB each (one
  process would need about 17 GiB by the same estimate), 32 blocks;
* ``benchmarks/scale_skipgram.py``: DeepWalk on BlogCatalog, P = 4 partitions on 2 workers,
  beside the single-machine trainer.

Each script runs in its own process. Run through ``python benchmarks/run.py --only scale-dask``
(part of ``make bench``).
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from _common import BENCH, lines_to_md, log, machine, script_json

KEYS = ("scale_dask",)

GIB = 2.0**30


def run(tmp: Path) -> dict[str, Any]:
    m = machine()
    res: dict[str, Any] = {
        "measured_on": f"{m['cpu']}, {m['cores']} cores, {datetime.date.today().isoformat()}"
    }
    for kind in ("parity", "big"):
        log(f"scale-dask: FastRP {kind}")
        res[kind] = script_json("scale_dask.py", kind)
    log("scale-dask: partitioned DeepWalk on BlogCatalog (3 seeds) and a 300k-node graph")
    out = Path(tmp) / "skipgram.json"
    subprocess.run(
        [sys.executable, str(BENCH / "scale_skipgram.py"), str(out), "--seeds", "3"], check=True
    )
    res["skipgram"] = json.loads(out.read_text())
    return {"scale_dask": res}


def _fastrp_row(label: str, r: dict[str, Any]) -> str:
    peak = max(r["peak_rss"].values())
    est = r["estimate_per_worker"]
    return (
        f"| {label} | {r['n_nodes']:,} | {r['edges']:,} | {r['partitions']} | "
        f"{r['generate_s']:.0f} s | {r['fit_s']:.1f} s | {r['memory_limit']} | "
        f"{peak / GIB:.2f} GiB | {est / GIB:.2f} GiB ({(est - peak) / peak:+.0%}) | "
        f"{r['estimate_one_process'] / GIB:.1f} GiB |"
    )


def markdown(res: dict[str, Any]) -> str:
    if "scale_dask" not in res:
        return ""
    r = res["scale_dask"]
    par, big = r.get("parity"), r.get("big")
    lines = [
        "## Scale-out on Dask: FastRP with halo exchange",
        "",
        f"A LocalCluster of 2 worker processes, 1 thread each ({r['measured_on']}); the graph is "
        "generated on the workers, block by block (`power_law_blocks`: Chung-Lu, exponent 2.5, "
        "communities of 10,000 consecutive ids, 5 % of edges across); d = 128, the paper's four "
        "iteration weights. Peak RSS is per worker process (VmHWM, generation included); the estimate is "
        "`estimate_memory(..., graph)` with the graph's exact halos, made before the run.",
        "",
        "| run | nodes | edges | blocks | generate | FastRP | worker limit | peak RSS per worker "
        "| estimate (vs peak) | one process would need |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    if par:
        lines.append(_fastrp_row("parity", par))
    if big:
        lines.append(_fastrp_row("10M nodes", big))
    lines.append("")
    if par:
        lines += [
            f"Parity: the same 1M-node graph in one process: FastRP {par['local_fit_s']:.1f} s "
            f"(peak {par['local_peak_rss'] / GIB:.2f} GiB), the Dask run "
            f"{par['fit_s']:.1f} s; max abs difference {par['max_abs_diff']:.1e} (column "
            "standardisation's float64 sums per block; the propagated rows are bitwise equal).",
            "",
        ]
    lines += [
        "| run | halo rows (all blocks) | remote halo rows | bytes moved per dense round | "
        "remote halo x d x 4 | ratio | a broadcast would move |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, x in (("parity", par), ("10M nodes", big)):
        if not x:
            continue
        dense = max(x["bytes_per_round"][1:])
        lines.append(
            f"| {label} | {x['halo_rows']:,} | {x['remote_halo_rows']:,} | "
            f"{dense / 1e6:,.0f} MB | {x['remote_halo_bytes'] / 1e6:,.0f} MB | "
            f"{dense / x['remote_halo_bytes']:.3f} | {x['broadcast_bytes'] / 1e9:,.1f} GB |"
        )
    lines += [
        "",
        "The first round moves sparse rows of the projection "
        + (f"({par['bytes_per_round'][0] / 1e6:.1f} MB at 1M nodes)." if par else "."),
    ]
    sg = r.get("skipgram")
    if sg:
        lines += ["", *_skipgram_lines(sg)]
    return lines_to_md(lines)


def _skipgram_lines(sg: dict[str, Any]) -> list[str]:
    bc, sc = sg["blogcatalog"], sg.get("scale")
    cfg, summ = bc["settings"], bc["summary"]

    def mean(rows: list[dict[str, Any]], key: str) -> str:
        vals = [r[key] for r in rows]
        return f"{sum(vals) / len(vals):.3f}"

    def std(rows: list[dict[str, Any]], key: str) -> str:
        import statistics

        vals = [r[key] for r in rows]
        return f"{statistics.pstdev(vals):.3f}"

    single, part = bc["single"], bc["partitioned"]
    lines = [
        "### Partitioned skip-gram (PyTorch-BigGraph's schedule): DeepWalk on BlogCatalog",
        "",
        f"d = {cfg['n_components']}, {cfg['walks_per_node']} walks of {cfg['walk_length']}, "
        f"window {cfg['window']}, {cfg['negatives']} negatives; {cfg['seeds']} seeds, mean ± "
        f"std; node classification at 50 % training. Partitioned: P = {cfg['partitions']} on "
        f"{cfg['workers']} worker processes (`benchmarks/scale_skipgram.py`). Worker memory is "
        "VmHWM, and its growth over the worker's RSS before the fit.",
        "",
        "| trainer | Micro-F1 | Macro-F1 | time | peak RSS | growth during the fit | "
        "sent between workers |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| one process, 2 threads | {mean(single, 'micro_f1@0.5')} ± "
        f"{std(single, 'micro_f1@0.5')} | {mean(single, 'macro_f1@0.5')} | "
        f"{summ['single_fit_s']:.1f} s | {summ['single_peak_rss_mib']:.0f} MiB | "
        f"{summ['single_growth_mib']:.0f} MiB | — |",
        f"| P = {cfg['partitions']}, {cfg['workers']} workers | "
        f"{mean(part, 'micro_f1@0.5')} ± {std(part, 'micro_f1@0.5')} | "
        f"{mean(part, 'macro_f1@0.5')} | {summ['partitioned_wall_s']:.1f} s | "
        f"{summ['max_worker_vmhwm_mib']:.0f} MiB per worker | "
        f"{summ['max_worker_growth_mib']:.0f} MiB per worker | "
        f"{summ['bytes_moved_mib']:.0f} MiB |",
        "",
        f"The whole model (input and output tables) is {summ['model_mib']:.1f} MiB; one bucket "
        f"task holds {summ['bucket_task_mib']:.1f} MiB. On a graph this small a worker's growth "
        "(walks, the graph, Dask's buffers) exceeds the model, so *below the whole model* is not "
        "met here; it is where the model dominates:",
    ]
    if sc:
        st, sp = sc["settings"], sc["partitioned"]
        growth = max(w["growth_mib"] for w in sp["workers"].values())
        peak = max(w["vmhwm_mib"] for w in sp["workers"].values())
        lines += [
            "",
            f"| power-law graph, {st['n_nodes']:,} nodes, {st['n_edges']:,} edges, "
            f"{st['walks_per_node']} walk of {st['walk_length']} | time | peak RSS | growth "
            "during the fit | model |",
            "|---|---:|---:|---:|---:|",
            f"| one process | {sc['single']['fit_s']:.1f} s | "
            f"{sc['single']['peak_rss_mib']:.0f} MiB | "
            f"{sc['single']['peak_rss_mib'] - sc['single']['rss_before_fit_mib']:.0f} MiB | "
            f"{sp['model_mib']:.0f} MiB |",
            f"| P = {st['partitions']}, {st['workers']} workers | {sp['wall_s']:.1f} s | "
            f"{peak:.0f} MiB per worker | {growth:.0f} MiB per worker | {sp['model_mib']:.0f} MiB |",
        ]
    return lines
