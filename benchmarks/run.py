"""``make bench``: speed and quality beside the peers, in one run, reported as ratios.

What is measured (all on this machine, in the same run):

1. **Whole command** on BlogCatalog (read the edge list, embed d=512 with 4 iterations, write the
   output; start-up and imports count): ``embedlab embed fastrp`` vs a script doing the same with
   the PyPI package ``fastrp`` (Rust), installed in its own venv under ``benchmarks/.peers``.
   Median of 5 alternating runs each; peak RSS from ``wait4``.
2. **Embedding step alone**, graph already in memory: ``FastRP.fit`` vs ``fastrp.fit_csr``.
3. **Quality**: Micro/Macro-F1 at 10 % training (DeepWalk protocol, C=0.1, 5 repeats) of both
   embeddings, beside trivial baselines (random vectors, degree features).
4. **Plain scipy implementation** of the same maths at d=512 (``benchmarks/scipy_fastrp.py``).
5. **Scale**: synthetic power-law graph of 1,000,000 nodes and 10,000,000 edges, d=128,
   4 iterations (``benchmarks/scale_fastrp.py``, its own process for an honest peak RSS).
6. **Random-walk embeddings** on BlogCatalog: DeepWalk vs gensim ``Word2Vec`` on NumPy walks
   (``peers/gensim_deepwalk.py``), node2vec vs PecanPy (``peers/pecanpy_node2vec.py``), both in
   the peer venv ``benchmarks/.peers/walks``; LINE; DeepWalk on 1 and 2 threads.
7. **Scale, DeepWalk**: 1,000,000 nodes and 5,000,000 edges, 1 and 2 walks per node
   (``benchmarks/scale_deepwalk.py``).
8. **Graph evaluation table**: ``embedlab bench graph`` on BlogCatalog and Cora, every method,
   3 seeds (``embedlab.eval.bench``).

Writes ``benchmarks/results.json`` and ``docs/benchmarks.md``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
PEER = BENCH / ".peers" / "fastrp"
PEER_PY = PEER / "bin" / "python"
EMBEDLAB = Path(sys.executable).parent / "embedlab"


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def ensure_peer() -> str:
    if not PEER_PY.exists():
        log("creating the peer venv (fastrp, numpy, scipy, pandas) in benchmarks/.peers/fastrp")
        venv.create(PEER, with_pip=True)
        subprocess.run(
            [str(PEER_PY), "-m", "pip", "install", "--quiet", "fastrp", "numpy", "scipy", "pandas"],
            check=True,
        )
    out = subprocess.run(
        [str(PEER_PY), "-c", "import importlib.metadata as m; print(m.version('fastrp'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of a child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {err}")
    return wall, usage.ru_maxrss / 1024


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


def scale() -> dict:
    out = subprocess.run(
        [sys.executable, str(BENCH / "scale_fastrp.py"), "power-law"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


WALK_PEER = BENCH / ".peers" / "walks"
WALK_PEER_PY = WALK_PEER / "bin" / "python"
WALK_SETTINGS = {"dim": 128, "walks": 10, "length": 80, "window": 10, "negatives": 5, "threads": 2}


def ensure_walk_peer() -> dict:
    if not WALK_PEER_PY.exists():
        log("creating the peer venv (gensim, pecanpy) in benchmarks/.peers/walks")
        venv.create(WALK_PEER, with_pip=True)
        subprocess.run(
            [str(WALK_PEER_PY), "-m", "pip", "install", "--quiet", "gensim", "pecanpy"], check=True
        )
    out = subprocess.run(
        [
            str(WALK_PEER_PY),
            "-c",
            "import importlib.metadata as m; print(m.version('gensim'), m.version('pecanpy'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    gensim_v, pecanpy_v = out.stdout.split()
    return {"gensim": gensim_v, "pecanpy": pecanpy_v}


def _peer_json(cmd: list[str]) -> dict:
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def walk_embedders(graph, labels, tmp: Path) -> dict:
    """DeepWalk vs gensim-on-walks, node2vec vs PecanPy, LINE, thread scaling (BlogCatalog)."""
    from embedlab.eval import NodeClassification
    from embedlab.graph import Graph
    from embedlab.graph.deepwalk import DeepWalk
    from embedlab.graph.line import LINE
    from embedlab.graph.node2vec import Node2Vec

    ws = WALK_SETTINGS
    ev = NodeClassification(labels, train_ratios=[0.5], repeats=5, C=1.0, random_state=0)
    npz, tsv = tmp / "graph.npz", tmp / "edges.tsv"
    np.savez(npz, indptr=graph.indptr, indices=graph.indices)
    src = np.repeat(np.arange(graph.n_nodes), np.diff(graph.indptr))
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
        r = _peer_json(
            [str(WALK_PEER_PY), str(BENCH / "peers" / "gensim_deepwalk.py"), str(npz), str(out)]
            + [str(a) for a in [*args, seed]]
        )
        return {"s": r["total_s"], **r, **ev((graph.node_ids, np.load(out)))}

    def pecanpy(seed, p, q):
        out = tmp / f"pecanpy{seed}.npy"
        args = [graph.n_nodes, ws["dim"], ws["walks"], ws["length"], ws["window"], p, q]
        r = _peer_json(
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


def scale_deepwalk() -> dict:
    out = {}
    for walks in (1, 2):
        r = subprocess.run(
            [sys.executable, str(BENCH / "scale_deepwalk.py"), str(walks)],
            capture_output=True,
            text=True,
            check=True,
        )
        out[str(walks)] = json.loads(r.stdout.strip().splitlines()[-1])
    return out


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numba

    import embedlab

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "embedlab": embedlab.__version__,
    }


def _stat(runs: list[dict], key: str) -> str:
    vals = [r[key] for r in runs]
    if len(vals) == 1:
        return f"{vals[0]:.3f}"
    return f"{statistics.mean(vals):.3f} ± {statistics.stdev(vals):.3f}"


def walks_markdown(res: dict) -> list[str]:
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
    sc = res.get("scale_deepwalk")
    if sc:
        lines += [
            "",
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
    return lines


def write_markdown(res: dict) -> str:
    from embedlab.eval.bench import format_markdown

    w, e, s, sc, q = (
        res["whole_command"],
        res["embed_only"],
        res["scipy"],
        res["scale"],
        res["quality"],
    )
    peer = f"fastrp {res['peer_version']} (Rust)"
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {res['machine']['cpu']} ({res['machine']['cores']} cores), "
        f"Python {res['machine']['python']}, numpy {res['machine']['numpy']}, numba "
        f"{res['machine']['numba']}; {res['date']}. Every peer runs in the same run; ratios are "
        "peer time / embedlab time (> 1: embedlab is faster).",
        "",
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
            + " | ".join(
                f"{r[f'{m}_f1@{t}']:.3f}" for t in ("0.1", "0.5", "0.9") for m in ("micro", "macro")
            )
            + " |"
        )
    lines += [
        "| FastRP authors' code (paper reference) | 0.372 | 0.228 | 0.412 | 0.275 | 0.426 | 0.280 |",
        "",
        f"embedlab is {100 * (q['embedlab FastRP (beta=-0.64)']['micro_f1@0.1'] - q['fastrp (Rust, PyPI)']['micro_f1@0.1']):.1f} "
        "Micro-F1 points above the Rust package at 10 % training (it has no degree normalisation, "
        "beta).",
        "",
        "## Scale: synthetic power-law graph, 1,000,000 nodes, 10,000,000 edges, d = 128, 4 iterations",
        "",
        "| graph build | embed (graph in memory) | RSS before the fit | peak RSS |",
        "|---:|---:|---:|---:|",
        f"| {sc['build_s']:.1f} s | {sc['fit_s']:.1f} s | {sc['rss_before_fit_mib'] / 1024:.2f} GiB | "
        f"{sc['peak_rss_mib'] / 1024:.2f} GiB |",
        "",
        *walks_markdown(res),
        "",
        "## Graph evaluation: `embedlab bench graph --datasets blogcatalog,cora --seeds 3`",
        "",
        "Mean ± std over 3 seeds (each: its own embedding seed and evaluation split). Node "
        "classification: DeepWalk protocol at 50 % training, C = 0.1; link prediction: 30 % of "
        "edges held out with a connected residual, ROC-AUC of the dot score and of Hadamard "
        "features; reconstruction: RESTORE map@1/map@2 over 1,000 sampled nodes. FastRP uses "
        "the paper's node-classification setting for node classification and reconstruction "
        "(d = 512 / 128) and the authors' link-prediction setting (adjacency, weights [1, 0.01], "
        "beta = +0.2, no per-iteration normalisation) for link prediction; `random` is the "
        "trivial baseline (Gaussian vectors). Embed time: mean fit time over the tasks.",
        "",
        format_markdown(res["graph_bench"]),
        "",
        "Reproduce: `make bench` (needs `EMBEDLAB_DATA` pointing at the data sets; the Makefile "
        "sets it when `../shared/datasets` exists). Raw numbers: `benchmarks/results.json`.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    from embedlab.datasets import graph_dataset, load_graph, load_labels

    try:
        ds = graph_dataset("blogcatalog")
    except Exception as exc:
        sys.exit(f"make bench needs BlogCatalog under $EMBEDLAB_DATA/graphs: {exc}")
    res: dict = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "peer_version": ensure_peer(),
        "walk_peer_versions": ensure_walk_peer(),
    }
    graph, labels = load_graph("blogcatalog"), load_labels("blogcatalog")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        log("whole command: embedlab vs fastrp (Rust)")
        res["whole_command"] = whole_command(ds.edges, tmp)
        log("embedding step alone")
        res["embed_only"] = embed_only(graph, tmp)
        log("quality")
        res["quality"] = quality(graph, labels, tmp)
        res["walks"] = walk_embedders(graph, labels, tmp)
    log("plain scipy implementation")
    res["scipy"] = scipy_speed(graph)
    log("scale: 1M nodes, 10M edges")
    res["scale"] = scale()
    log("scale: DeepWalk on 1M nodes, 5M edges (1 and 2 walks per node)")
    res["scale_deepwalk"] = scale_deepwalk()
    log("graph evaluation table (embedlab bench graph)")
    from embedlab.eval.bench import run_graph_bench

    res["graph_bench"] = run_graph_bench(
        ["blogcatalog", "cora"], ["fastrp", "deepwalk", "node2vec", "line", "random"], seeds=3
    )
    (BENCH / "results.json").write_text(json.dumps(res, indent=2) + "\n")
    md = write_markdown(res)
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
