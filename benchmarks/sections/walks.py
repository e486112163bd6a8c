"""Random-walk embeddings on BlogCatalog: DeepWalk vs gensim ``Word2Vec`` on NumPy walks
(``peers/gensim_deepwalk.py``), node2vec vs PecanPy (``peers/pecanpy_node2vec.py``), both in the
peer venv ``benchmarks/.peers/walks``; LINE; DeepWalk on 1 and 2 threads."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

from _common import BENCH, PEERS, ensure_venv, lines_to_md, log, peer_json

KEYS = ("walk_peer_versions", "walks")
WALK_PEER = PEERS / "walks"
WALK_PEER_PY = WALK_PEER / "bin" / "python"
WALK_SETTINGS = {"dim": 128, "walks": 10, "length": 80, "window": 10, "negatives": 5, "threads": 2}


def ensure_walk_peer() -> dict:
    return ensure_venv(WALK_PEER, ["gensim", "pecanpy"], ["gensim", "pecanpy"])


def walk_embedders(graph, labels, tmp: Path) -> dict:
    """DeepWalk vs gensim-on-walks, node2vec vs PecanPy, LINE, thread scaling (BlogCatalog)."""
    from embedlab.eval import NodeClassification
    from embedlab.graph import Graph
    from embedlab.registry import EMBEDDERS

    DeepWalk, Node2Vec, LINE = (EMBEDDERS.get(n) for n in ("deepwalk", "node2vec", "line"))
    ws = WALK_SETTINGS
    ev = NodeClassification(labels, train_ratios=[0.5], repeats=5, C=1.0, random_state=0)
    npz, tsv = tmp / "graph.npz", tmp / "edges.tsv"
    np.savez(npz, indptr=graph.indptr, indices=graph.indices)
    src = np.repeat(np.arange(graph.n_nodes, dtype=np.int64), np.diff(graph.indptr))
    keep = src < graph.indices
    np.savetxt(tsv, np.c_[src[keep], graph.indices[keep]], fmt="%d", delimiter="\t")
    common = {
        "n_components": ws["dim"],
        "walks_per_node": ws["walks"],
        "walk_length": ws["length"],
        "window": ws["window"],
        "negatives": ws["negatives"],
    }
    for cls in (DeepWalk, Node2Vec, LINE):  # compile (numba caches kernels on disk)
        kw = {"n_samples": 1000} if cls is LINE else {"walks_per_node": 1, "walk_length": 5}
        cls(n_components=8, random_state=0, **kw).fit(Graph.from_edges([0, 1], [1, 2]))

    def ours(cls, seed, threads=ws["threads"], **kw):
        model = cls(random_state=seed, n_jobs=threads, **kw)
        t0 = time.perf_counter()
        model.fit(graph)
        fit = time.perf_counter() - t0
        return {"s": fit, "pairs": getattr(model, "n_pairs_", None), **ev(model)}

    def gensim(seed):
        out = tmp / f"gensim{seed}.npy"
        args = [ws[k] for k in ("dim", "walks", "length", "window", "negatives", "threads")]
        r = peer_json(
            [str(WALK_PEER_PY), str(BENCH / "peers" / "gensim_deepwalk.py"), str(npz), str(out)]
            + [str(a) for a in [*args, seed]]
        )
        return {"s": r["total_s"], **r, **ev((graph.node_ids, np.load(out)))}

    def pecanpy(seed, p, q):
        out = tmp / f"pecanpy{seed}.npy"
        args = [graph.n_nodes, ws["dim"], ws["walks"], ws["length"], ws["window"], p, q]
        r = peer_json(
            [str(WALK_PEER_PY), str(BENCH / "peers" / "pecanpy_node2vec.py"), str(tsv), str(out)]
            + [str(a) for a in [*args, ws["threads"], seed]]
        )
        return {"s": r["total_s"], **r, **ev((graph.node_ids, np.load(out)))}

    res: dict = {"settings": ws}
    log("DeepWalk vs gensim Word2Vec on NumPy walks (3 seeds each, alternating)")
    res["deepwalk"], res["gensim"] = [], []
    for seed in range(3):
        res["deepwalk"].append(ours(DeepWalk, seed, **common))
        res["gensim"].append(gensim(seed))
    log("DeepWalk on one thread (scaling)")
    res["deepwalk_1thread"] = [ours(DeepWalk, 0, threads=1, **common)]
    log("node2vec vs PecanPy SparseOTF (p = q = 1: 2 seeds; p = q = 0.25: 1 seed)")
    res["node2vec_p1q1"], res["pecanpy_p1q1"] = [], []
    for seed in range(2):
        res["node2vec_p1q1"].append(ours(Node2Vec, seed, p=1.0, q=1.0, **common))
        res["pecanpy_p1q1"].append(pecanpy(seed, 1.0, 1.0))
    res["node2vec_p025q025"] = [ours(Node2Vec, 0, p=0.25, q=0.25, **common)]
    res["pecanpy_p025q025"] = [pecanpy(0, 0.25, 0.25)]
    log("LINE(1st+2nd)")
    res["line"] = [ours(LINE, 0, n_components=ws["dim"])]
    return res


def run(tmp: Path) -> dict:
    from embedlab.datasets import load_graph, load_labels

    versions = ensure_walk_peer()
    graph, labels = load_graph("blogcatalog"), load_labels("blogcatalog")
    return {"walk_peer_versions": versions, "walks": walk_embedders(graph, labels, tmp)}


def _stat(runs: list[dict], key: str) -> str:
    vals = [r[key] for r in runs]
    if len(vals) == 1:
        return f"{vals[0]:.3f}"
    return f"{statistics.mean(vals):.3f} ± {statistics.stdev(vals):.3f}"


def markdown(res: dict) -> str:
    if "walks" not in res:
        return ""
    w, v = res["walks"], res["walk_peer_versions"]
    med = {k: statistics.median(r["s"] for r in runs) for k, runs in w.items() if k != "settings"}
    rows = [
        ("embedlab DeepWalk", "deepwalk"),
        (f"gensim {v['gensim']} Word2Vec on NumPy walks", "gensim"),
        ("embedlab node2vec, p = q = 1", "node2vec_p1q1"),
        (f"PecanPy {v['pecanpy']} SparseOTF, p = q = 1", "pecanpy_p1q1"),
        ("embedlab node2vec, p = q = 0.25", "node2vec_p025q025"),
        (f"PecanPy {v['pecanpy']} SparseOTF, p = q = 0.25", "pecanpy_p025q025"),
        ("embedlab LINE(1st+2nd), 64 + 64 dims, 100 samples per edge", "line"),
    ]
    lines = [
        "## Random-walk embeddings on BlogCatalog: DeepWalk, node2vec, LINE",
        "",
        "d = 128, 10 walks of 80 per node, window 10, 5 negatives, 1 epoch, 2 threads; "
        "node classification at 50 % training, C = 1, 5 seeded splits. Time: training from a graph "
        "in memory (walks included; the peers' own scripts time their walks and training, "
        "excluding imports and reading the file; PecanPy's walk time includes its numba "
        "compilation, which it repeats on every run). Each seed is a separate embedding; "
        "F1 is mean ± std over seeds.",
        "",
        "| run | seeds | time (median) | Micro-F1@0.5 | Macro-F1@0.5 |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, key in rows:
        runs = w[key]
        lines.append(
            f"| {name} | {len(runs)} | {med[key]:.1f} s | {_stat(runs, 'micro_f1@0.5')} | "
            f"{_stat(runs, 'macro_f1@0.5')} |"
        )
    dw = w["deepwalk"]
    rate2 = statistics.median(r["pairs"] / r["s"] for r in dw)
    rate1 = w["deepwalk_1thread"][0]["pairs"] / w["deepwalk_1thread"][0]["s"]
    threads = w["settings"]["threads"]
    lines += [
        "",
        "| speed ratio (peer time / embedlab time, same run) | ratio |",
        "|---|---:|",
        f"| DeepWalk vs gensim on walks | {med['gensim'] / med['deepwalk']:.2f}x |",
        f"| node2vec vs PecanPy, p = q = 1 | {med['pecanpy_p1q1'] / med['node2vec_p1q1']:.2f}x |",
        f"| node2vec vs PecanPy, p = q = 0.25 | "
        f"{med['pecanpy_p025q025'] / med['node2vec_p025q025']:.2f}x |",
        "",
        f"DeepWalk throughput: {rate2 / 1e6:.2f} M positive pairs/s on {threads} threads "
        f"({rate2 / threads / 1e6:.2f} M per core), {rate1 / 1e6:.2f} M on one thread "
        f"({w['deepwalk_1thread'][0]['s']:.1f} s): {rate2 / rate1:.2f}x from 1 to {threads} "
        "threads. Each positive pair is one update of the context vector against 1 + 5 output "
        "vectors of 128 floats.",
    ]
    return lines_to_md(lines)
