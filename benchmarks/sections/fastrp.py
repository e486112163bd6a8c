"""FastRP on BlogCatalog beside the Rust package ``fastrp`` and a plain scipy implementation.

1. **Whole command** (read the edge list, embed d=512 with 4 iterations, write the output;
   start-up and imports count): ``embedlab embed fastrp`` vs a script doing the same with the PyPI
   package ``fastrp`` (Rust), installed in its own venv under ``benchmarks/.peers``. Median of 5
   alternating runs each; peak RSS from GNU time.
2. **Embedding step alone**, graph already in memory: ``FastRP.fit`` vs ``fastrp.fit_csr``.
3. **Quality**: Micro/Macro-F1 at 10/50/90 % training (DeepWalk protocol, C=0.1, 5 repeats) of
   both embeddings, beside trivial baselines (random vectors, degree features) and the paper's
   figures (:mod:`embedlab.bench.references`).
4. **Plain scipy implementation** of the same maths at d=512 (``benchmarks/scipy_fastrp.py``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from _common import BENCH, PEERS, ensure_venv, lines_to_md, log, timed

KEYS = ("peer_version", "whole_command", "embed_only", "quality", "scipy")
PEER = PEERS / "fastrp"
PEER_PY = PEER / "bin" / "python"
EMBEDLAB = Path(sys.executable).parent / "embedlab"
RATIOS = ("0.1", "0.5", "0.9")


def ensure_peer() -> str:
    return ensure_venv(PEER, ["fastrp", "numpy", "scipy", "pandas"], ["fastrp"])["fastrp"]


def whole_command(edges: Path, tmp: Path, runs: int = 5) -> dict:
    env = dict(os.environ)

    def ours_cmd(i):
        return [
            str(EMBEDLAB),
            "-q",
            "embed",
            "fastrp",
            str(edges),
            "-o",
            str(tmp / f"ours{i}.parquet"),
            "--n-components",
            "512",
            "--seed",
            "0",
        ]

    def peer_cmd(i):
        return [
            str(PEER_PY),
            str(BENCH / "peers" / "fastrp_rust_cli.py"),
            str(edges),
            str(tmp / f"peer{i}.npy"),
            "512",
        ]

    timed(ours_cmd("warm"), env)  # first run fills numba's on-disk cache (once per install)
    timed(peer_cmd("warm"), env)
    ours, peer = [], []
    for i in range(runs):
        ours.append(timed(ours_cmd(i), env))
        peer.append(timed(peer_cmd(i), env))
    med = lambda xs: statistics.median(x[0] for x in xs)  # noqa: E731
    return {
        "embedlab_s": med(ours),
        "peer_s": med(peer),
        "embedlab_peak_rss_mib": max(x[1] for x in ours),
        "peer_peak_rss_mib": max(x[1] for x in peer),
        "runs": runs,
    }


def embed_only(graph, tmp: Path, repeats: int = 5) -> dict:
    from embedlab.graph import FastRP

    FastRP(n_components=512, random_state=0).fit(graph)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        FastRP(n_components=512, random_state=0).fit(graph)
        times.append(time.perf_counter() - t0)
    npz = tmp / "graph.npz"
    np.savez(npz, indptr=graph.indptr, indices=graph.indices)
    out = subprocess.run(
        [str(PEER_PY), str(BENCH / "peers" / "fastrp_rust_fit.py"), str(npz), "512", str(repeats)],
        capture_output=True,
        text=True,
        check=True,
    )
    peer = json.loads(out.stdout)["fit_s"]
    return {"embedlab_s": statistics.median(times), "peer_s": statistics.median(peer)}


def quality(graph, labels, tmp: Path) -> dict:
    from embedlab.eval import NodeClassification
    from embedlab.graph import FastRP

    ev = NodeClassification(labels, train_ratios=[0.1, 0.5, 0.9], repeats=5, C=0.1, random_state=0)
    ours = FastRP(n_components=512, random_state=0).fit(graph)
    peer_vec = np.load(tmp / "peer0.npy")
    peer_ids = np.load(tmp / "peer0.ids.npy")
    rng = np.random.default_rng(0)
    deg = graph.degrees()[:, None]
    rows = {
        "embedlab FastRP (beta=-0.64)": (ours.ids_, ours.embeddings_),
        "fastrp (Rust, PyPI)": (peer_ids, peer_vec),
        "random features (baseline)": (
            graph.node_ids,
            rng.normal(size=(graph.n_nodes, 512)).astype(np.float32),
        ),
        "degree only (baseline)": (
            graph.node_ids,
            np.hstack([deg, np.log1p(deg)]).astype(np.float32),
        ),
    }
    return {name: ev(data) for name, data in rows.items()}


def scipy_speed(graph, repeats: int = 3) -> dict:
    sys.path.insert(0, str(BENCH))
    from embedlab.graph import FastRP
    from embedlab.graph.fastrp import node_hash_keys, very_sparse_projection
    from scipy_fastrp import scipy_fastrp

    adj = graph.adjacency()
    r = very_sparse_projection(node_hash_keys(graph.node_ids), 512, 1 / np.sqrt(graph.n_nodes), 0)
    ref = scipy_fastrp(adj, r, [0.0, 0.0, 1.0, 6.67], -0.64)
    ours = FastRP(n_components=512, random_state=0).fit(graph).embeddings_
    max_diff = float(np.abs(ref - ours).max())
    t_scipy, t_ours = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        scipy_fastrp(adj, r, [0.0, 0.0, 1.0, 6.67], -0.64)
        t_scipy.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        FastRP(n_components=512, random_state=0).fit(graph)
        t_ours.append(time.perf_counter() - t0)
    return {
        "embedlab_s": statistics.median(t_ours),
        "scipy_s": statistics.median(t_scipy),
        "max_abs_diff": max_diff,
    }


def run(tmp: Path) -> dict:
    from embedlab.datasets import graph_dataset, load_graph, load_labels

    graph, labels = load_graph("blogcatalog"), load_labels("blogcatalog")
    res = {"peer_version": ensure_peer()}
    log("whole command: embedlab vs fastrp (Rust)")
    res["whole_command"] = whole_command(graph_dataset("blogcatalog").edges, tmp)
    log("embedding step alone")
    res["embed_only"] = embed_only(graph, tmp)
    log("quality")
    res["quality"] = quality(graph, labels, tmp)
    log("plain scipy implementation")
    res["scipy"] = scipy_speed(graph)
    return res


def paper_row() -> str:
    """The FastRP paper's BlogCatalog figures as a row of the quality table."""
    from embedlab.bench.references import reference

    cells = [
        f"{reference(f'fastrp-blogcatalog-{m}_f1@{t}').value:.3f}"
        for t in RATIOS
        for m in ("micro", "macro")
    ]
    return "| FastRP authors' code (paper reference) | " + " | ".join(cells) + " |"


def markdown(res: dict) -> str:
    if "whole_command" not in res:
        return ""
    w, e, s, q = res["whole_command"], res["embed_only"], res["scipy"], res["quality"]
    peer = f"fastrp {res['peer_version']} (Rust)"
    lines = [
        "## FastRP on BlogCatalog (10,312 nodes, 333,983 edges), d = 512, 4 iterations",
        "",
        "| what | embedlab | peer | ratio |",
        "|---|---:|---:|---:|",
        f"| whole command (read edges, embed, write; median of {w['runs']}) | {w['embedlab_s']:.2f} s | "
        f"{w['peer_s']:.2f} s ({peer} script) | {w['peer_s'] / w['embedlab_s']:.2f}x |",
        f"| peak RSS of that command | {w['embedlab_peak_rss_mib']:.0f} MiB | "
        f"{w['peer_peak_rss_mib']:.0f} MiB | {w['peer_peak_rss_mib'] / w['embedlab_peak_rss_mib']:.2f}x |",
        f"| embedding step alone (graph in memory; median of 5) | {e['embedlab_s'] * 1000:.0f} ms | "
        f"{e['peer_s'] * 1000:.0f} ms ({peer}) | {e['peer_s'] / e['embedlab_s']:.2f}x |",
        f"| embedding step vs plain scipy, same maths (median of 3) | {s['embedlab_s'] * 1000:.0f} ms | "
        f"{s['scipy_s'] * 1000:.0f} ms (scipy CSR x dense) | {s['scipy_s'] / s['embedlab_s']:.2f}x |",
        "",
        f"The scipy implementation agrees with embedlab's to {s['max_abs_diff']:.1e} (max abs "
        "difference of standardised embeddings). The command timings exclude the one-off numba "
        "compilation of a fresh install (it is cached on disk after the first run).",
        "",
        "### Quality (node classification, DeepWalk protocol, C = 0.1, 5 seeded splits)",
        "",
        "| embedding | Micro-F1 10% | Macro-F1 10% | Micro-F1 50% | Macro-F1 50% | Micro-F1 90% | Macro-F1 90% |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in q.items():
        lines.append(
            f"| {name} | "
            + " | ".join(f"{r[f'{m}_f1@{t}']:.3f}" for t in RATIOS for m in ("micro", "macro"))
            + " |"
        )
    lines += [
        paper_row(),
        "",
        f"embedlab is {100 * (q['embedlab FastRP (beta=-0.64)']['micro_f1@0.1'] - q['fastrp (Rust, PyPI)']['micro_f1@0.1']):.1f} "
        "Micro-F1 points above the Rust package at 10 % training (it has no degree normalisation, "
        "beta).",
    ]
    return lines_to_md(lines)
