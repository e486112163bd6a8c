"""``make bench``: speed and quality beside the peers, in one run, reported as ratios.

What is measured (all on this machine, in the same run):

1. **Whole command** on BlogCatalog (read the edge list, embed d=512 with 4 iterations, write the
   output; start-up and imports count): ``embedlab embed fastrp`` vs a script doing the same with
   the PyPI package ``fastrp`` (Rust), installed in its own venv under ``benchmarks/.peers``.
   Median of 5 alternating runs each; peak RSS from GNU time.
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
9. **Graphlet orbit adjacencies**: all 28 matrices vs the PyPI package ``gradco`` (C++, peer venv
   ``benchmarks/.peers/gradco``) on Cora, ca-AstroPh and a random graph: time and exact equality;
   orbit-PMI vs random-walk PMI (NetMF) node classification on Cora and BlogCatalog.

10. **Retrieval** (``benchmarks/retrieval_bench.py``): exact search over float32 / int8 / binary
    codes vs FAISS on 100,000 x 384 vectors; SciFact with all-MiniLM-L6-v2 (encoding speed,
    compression, rescoring, BM25 baseline, Matryoshka adaptive search).
11. **MUVERA**: brute-force MaxSim and FDE search + re-rank on SciFact token vectors; FDE
    encoding speed beside muvera-python (Rust, peer venv ``benchmarks/.peers/muvera``).
12. **Embedding tables** (``benchmarks/tables_bench.py``): Gowalla, MF-BPR with every table method
    at GraphHash's rows (section ``tables``); LightGCN with the full table (section
    ``tables-lightgcn``, capped at 40 minutes of training).
8. **Graph evaluation table**: ``embedlab bench graph`` on BlogCatalog and Cora, every method,
   3 seeds (``embedlab.eval.bench``).

``python benchmarks/run.py --only orbits`` reruns one section and keeps the others' numbers.
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
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
PEER = BENCH / ".peers" / "fastrp"
PEER_PY = PEER / "bin" / "python"
EMBEDLAB = Path(sys.executable).parent / "embedlab"


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def ensure_venv(venv_dir: Path, packages: list[str], versions_of: list[str]) -> dict[str, str]:
    """A peer's own venv under benchmarks/.peers (created on first use, never the project's);
    returns the installed versions of ``versions_of``."""
    python = venv_dir / "bin" / "python"
    if not python.exists():
        log(f"creating the peer venv ({', '.join(packages)}) in {venv_dir.relative_to(ROOT)}")
        venv.create(venv_dir, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *packages], check=True)
    code = "import importlib.metadata as m, sys; print(*[m.version(p) for p in sys.argv[1:]])"
    out = subprocess.run(
        [str(python), "-c", code, *versions_of], capture_output=True, text=True, check=True
    )
    return dict(zip(versions_of, out.stdout.split(), strict=True))


def ensure_peer() -> str:
    return ensure_venv(PEER, ["fastrp", "numpy", "scipy", "pandas"], ["fastrp"])["fastrp"]


class ChildFailed(RuntimeError):
    """A peer process failed; ``rss_mib`` and ``code`` say how (137: killed, e.g. out of memory)."""

    def __init__(self, cmd: list[str], code: int, rss_mib: float, err: str) -> None:
        super().__init__(f"{cmd} failed with exit code {code}: {err[-2000:]}")
        self.code, self.rss_mib = code, rss_mib


GNU_TIME = "/usr/bin/time"


def _child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of a child process; raises ChildFailed.

    The peak RSS is measured by GNU time around the command: a child forked straight from this
    (large) process would report this process's resident memory at the fork as its own peak.
    """
    if not Path(GNU_TIME).exists():
        sys.exit(f"make bench measures peak memory with GNU time; {GNU_TIME} is missing")
    t0 = time.perf_counter()
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as rss_file,
    ):
        wrapped = [GNU_TIME, "-f", "%M", "-o", rss_file.name, *cmd]
        code = subprocess.run(wrapped, env=env, stdout=out, stderr=err, check=False).returncode
        wall = time.perf_counter() - t0
        lines = [x for x in Path(rss_file.name).read_text().splitlines() if x.strip()]
        rss = int(lines[-1]) / 1024 if lines and lines[-1].strip().isdigit() else float("nan")
        if code != 0:
            err.seek(0)
            raise ChildFailed(cmd, code, rss, err.read().decode())
        out.seek(0)
        return wall, rss, out.read().decode()


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of a child process."""
    wall, rss, _ = _child(cmd, env)
    return wall, rss


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
    return ensure_venv(WALK_PEER, ["gensim", "pecanpy"], ["gensim", "pecanpy"])


def timed_json(cmd: list[str]) -> tuple[float, float, dict]:
    """(wall seconds, peak RSS MiB, the JSON it printed last) of a child process."""
    wall, rss, text = _child(cmd)
    return wall, rss, json.loads(text.strip().splitlines()[-1])


def _peer_json(cmd: list[str]) -> dict:
    """The JSON a peer script printed last."""
    return timed_json(cmd)[2]


def walk_embedders(graph, labels, tmp: Path) -> dict:
    """DeepWalk vs gensim-on-walks, node2vec vs PecanPy, LINE, thread scaling (BlogCatalog)."""
    from embedlab.eval import NodeClassification
    from embedlab.graph import Graph
    from embedlab.graph._graph import csr_rows
    from embedlab.graph.deepwalk import DeepWalk
    from embedlab.graph.line import LINE
    from embedlab.graph.node2vec import Node2Vec

    ws = WALK_SETTINGS
    ev = NodeClassification(labels, train_ratios=[0.5], repeats=5, C=1.0, random_state=0)
    npz, tsv = tmp / "graph.npz", tmp / "edges.tsv"
    np.savez(npz, indptr=graph.indptr, indices=graph.indices)
    src = csr_rows(graph.indptr)
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


GRADCO_PEER = BENCH / ".peers" / "gradco"
GRADCO_PEER_PY = GRADCO_PEER / "bin" / "python"


def ensure_muvera_peer() -> str:
    venv_dir = BENCH / ".peers" / "muvera"
    ensure_venv(venv_dir, ["muvera-python==0.2.0", "numpy"], ["muvera-python"])
    return str(venv_dir / "bin" / "python")


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
    from embedlab.graph.orbits import MATRICES, _simple_graph, orbit_adjacency

    orbit_adjacency(Graph.from_edges([0, 1, 2], [1, 2, 0]))  # compile
    out = {}
    graphs = {name: load_graph(name) for name in names}
    graphs["erdos-renyi 2000 x 20000"] = erdos_renyi(2000, 20_000, random_state=0)
    for name, graph in graphs.items():
        indptr, indices = _simple_graph(graph)
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
        rss_ours = _child([sys.executable, "-c", _ORBIT_RSS_SNIPPET, str(npz)])[
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


#: fixed orbit sets of the orbit-PMI table, by the orbit specs OrbitPMI takes
ORBIT_SETS = {
    "adjacency only (0-0-1)": "0-0-1",
    "graphlets on 2-3 nodes (orbits 0-3, 1-2 hops)": "0-0-1,1-2-1,2-1-1,1-1-2,3-3-1",
    "the 19 one-hop orbit adjacencies": "1-hop",
    "all 28 orbit adjacencies": "all",
}
NETMF_WINDOWS = (1, 2, 3, 5, 10)
C_GRID = (0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)


def orbit_pmi_study(name: str) -> dict:
    """Orbit-PMI (GOPMI) vs random-walk PMI (NetMF) by node classification, d = 128.

    The 28 orbit adjacencies are counted once, one hop group at a time (the 2- and 3-hop ones
    of BlogCatalog hold 0.1-0.5 G entries each), and every embedding is built from them as
    OrbitPMI would (``orbit_pmi_embedding``: the PPMI of the sum of the chosen matrices). Every
    choice -- C for a fixed embedding; the matrix (or window) and C for the paper's
    best-of-family comparison -- is made by ``NodeClassification.select`` on validation nodes
    carved from each training split; the test nodes of the split never take part.
    """
    from embedlab.datasets import load_graph, load_labels
    from embedlab.eval import NodeClassification
    from embedlab.graph.orbit_pmi import RandomWalkPMI, parse_orbits, ppmi_embedding
    from embedlab.graph.orbits import _PRIMARY, orbit_adjacency

    graph, labels = load_graph(name), load_labels(name)
    d = 128
    singles: dict[str, Any] = {}
    set_keys = {label: set(parse_orbits(spec)) for label, spec in ORBIT_SETS.items()}
    sums: dict[str, Any] = {}
    timing: dict[str, float] = {}
    nnz: dict[str, int] = {}
    ids = graph.node_ids
    for hop in (1, 2, 3):
        keys = parse_orbits(f"{hop}-hop")
        log(f"orbit-PMI on {name}: counting the {len(keys)} {hop}-hop orbit adjacencies")
        t0 = time.perf_counter()
        mats = orbit_adjacency(graph, keys=keys, dtype=np.float64, max_bytes=16 * 2**30)
        timing[f"count {hop}-hop"] = time.perf_counter() - t0
        nnz.update({f"{o1}-{o2}-{h}": int(m.nnz) for (h, o1, o2), m in mats.items()})
        for h, o1, o2 in (k for k in _PRIMARY if k[0] == hop):
            label = f"orbit {o1}-{o2}, {h} hop{'s' if h > 1 else ''}"
            log(f"orbit-PMI on {name}: {label}")
            t0 = time.perf_counter()
            singles[label] = (ids, ppmi_embedding(mats[(h, o1, o2)], d, seed=0)[0])
            timing[label] = time.perf_counter() - t0
        for label, wanted in set_keys.items():
            for k in wanted & set(mats):
                sums[label] = mats[k] if label not in sums else sums[label] + mats[k]
        del mats
    fixed: dict[str, Any] = {}
    for label in ORBIT_SETS:
        log(f"orbit-PMI on {name}: {label}")
        t0 = time.perf_counter()
        fixed[f"orbit-PMI, {label}"] = (ids, ppmi_embedding(sums.pop(label), d, seed=0)[0])
        timing[f"orbit-PMI, {label}"] = time.perf_counter() - t0
    walks: dict[str, Any] = {}
    for t in NETMF_WINDOWS:
        log(f"orbit-PMI on {name}: NetMF T = {t}")
        t0 = time.perf_counter()
        walks[f"NetMF T = {t}"] = RandomWalkPMI(n_components=d, window=t, random_state=0).fit(graph)
        timing[f"NetMF T = {t}"] = time.perf_counter() - t0
    ev = NodeClassification(labels, train_ratios=[0.5], repeats=5, random_state=0)
    log(f"orbit-PMI on {name}: node classification")
    table = {label: ev.select({label: emb}, Cs=C_GRID) for label, emb in {**walks, **fixed}.items()}
    family = {
        "orbit": ev.select(singles, Cs=C_GRID),
        "walk": ev.select(walks, Cs=C_GRID),
    }
    return {
        "n_nodes": graph.n_nodes,
        "n_edges": graph.n_edges,
        "timing_s": timing,
        "nnz": nnz,
        "fixed": table,
        "family": family,
    }


def _chosen(picks: list[dict], with_candidate: bool) -> str:
    """'orbit 0-0, 1 hop (C = 10) x3, ...' from per-split choices."""
    from collections import Counter

    keys = Counter(
        (f"{p['candidate']} (C = {p['C']:g})" if with_candidate else f"{p['C']:g}") for p in picks
    )
    return ", ".join(f"{k} ×{v}" if v > 1 else k for k, v in keys.most_common())


def orbits_markdown(res: dict) -> list[str]:
    o = res["orbits"]
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
    for name, r in o.items():
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
    for name, r in res.get("orbit_pmi", {}).items():
        t = r["timing_s"]
        count = sum(v for k, v in t.items() if k.startswith("count"))
        lines += [
            "",
            f"### Orbit-PMI (GOPMI) vs random-walk PMI (NetMF) on {name}: node classification",
            "",
            f"{r['n_nodes']:,} nodes, {r['n_edges']:,} edges; the 28 orbit adjacencies counted once "
            f"in {count:.1f} s ("
            + ", ".join(f"{k.split()[1]} {v:.1f} s" for k, v in t.items() if k.startswith("count"))
            + "), then each embedding is the PPMI of its matrices factorised to d = 128 "
            "(randomized SVD). Micro/Macro-F1 at 50 % training on 5 seeded splits; in each split "
            "C in {0.01, 0.1, 1, 10, 100, 1000} (and, for the families, the matrix or window) is chosen "
            "on a quarter of the training nodes held out for validation, refitted on all "
            "training nodes, and scored on the test nodes, which selection never sees.",
            "",
            "| embedding | Micro-F1 | Macro-F1 | C chosen per split | embedding time |",
            "|---|---:|---:|---|---:|",
        ]
        for label, f in r["fixed"].items():
            lines.append(
                f"| {label} | {f['micro_f1@0.5']:.3f} | {f['macro_f1@0.5']:.3f} | "
                f"{_chosen(f['chosen@0.5'], False)} | {t.get(label, float('nan')):.1f} s |"
            )
        lines += [
            "",
            "The paper's comparison: the best single orbit adjacency (each of the 20, transposes "
            "giving the same PPMI) against the best walk window (T in {1, 2, 3, 5, 10}), each "
            "chosen per split on the validation nodes:",
            "",
            "| family | Micro-F1 | Macro-F1 | chosen per split |",
            "|---|---:|---:|---|",
        ]
        for fam, label in (("orbit", "orbit-PMI (GOPMI)"), ("walk", "random-walk PMI (NetMF)")):
            f = r["family"][fam]
            lines.append(
                f"| {label} | {f['micro_f1@0.5']:.3f} | {f['macro_f1@0.5']:.3f} | "
                f"{_chosen(f['chosen@0.5'], True)} |"
            )
    return lines


def retrieval_markdown(res: dict) -> list[str]:
    import retrieval_bench

    return [*retrieval_bench.markdown(res), *retrieval_bench.muvera_markdown(res)]


def tables_markdown(res: dict) -> list[str]:
    import tables_bench
    import tables_stream_bench

    return [*tables_bench.markdown(res), *tables_stream_bench.markdown(res)]


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
        *([*orbits_markdown(res), ""] if "orbits" in res else []),
        *retrieval_markdown(res),
        *tables_markdown(res),
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


SECTIONS = (
    "fastrp",
    "walks",
    "scale",
    "graph",
    "orbits",
    "orbit-pmi",
    "retrieval",
    "muvera",
    "tables",
    "tables-lightgcn",
    "tables-stream",
)


def main() -> None:
    import argparse

    from embedlab.datasets import graph_dataset, load_graph, load_labels

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections among {','.join(SECTIONS)}; the others keep their "
        "numbers from benchmarks/results.json (default: all)",
    )
    only = {x.strip() for x in parser.parse_args().only.split(",") if x.strip()}
    if not only <= set(SECTIONS):
        sys.exit(f"unknown sections: {sorted(only - set(SECTIONS))}; choose from {SECTIONS}")
    try:
        ds = graph_dataset("blogcatalog")
    except Exception as exc:
        sys.exit(f"make bench needs BlogCatalog under $EMBEDLAB_DATA/graphs: {exc}")
    results = BENCH / "results.json"
    res: dict = json.loads(results.read_text()) if only != set(SECTIONS) else {}
    res.update({"date": time.strftime("%Y-%m-%d"), "machine": machine()})
    graph, labels = load_graph("blogcatalog"), load_labels("blogcatalog")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if "fastrp" in only:
            res["peer_version"] = ensure_peer()
            log("whole command: embedlab vs fastrp (Rust)")
            res["whole_command"] = whole_command(ds.edges, tmp)
            log("embedding step alone")
            res["embed_only"] = embed_only(graph, tmp)
            log("quality")
            res["quality"] = quality(graph, labels, tmp)
            log("plain scipy implementation")
            res["scipy"] = scipy_speed(graph)
        if "walks" in only:
            res["walk_peer_versions"] = ensure_walk_peer()
            res["walks"] = walk_embedders(graph, labels, tmp)
        if "orbits" in only:
            res["gradco_version"] = ensure_gradco_peer()
            res["orbits"] = orbits_vs_gradco(["cora", "ca-astroph"], tmp)
    if "orbit-pmi" in only:
        res.pop("orbit_selection", None)  # superseded by the selection inside training splits
        res["orbit_pmi"] = {name: orbit_pmi_study(name) for name in ("cora", "blogcatalog")}
    if "retrieval" in only:
        import retrieval_bench

        log("retrieval: exact search, embedlab vs FAISS")
        res["flat_search"] = retrieval_bench.flat_search_speed()
        log("retrieval: SciFact with all-MiniLM-L6-v2 (encoding, compression, Matryoshka)")
        res["scifact"] = retrieval_bench.scifact_quality()
    if "muvera" in only:
        import retrieval_bench

        log("MUVERA: SciFact token vectors, MaxSim, FDE settings, muvera-python")
        with tempfile.TemporaryDirectory() as d:
            res["muvera"] = retrieval_bench.muvera_scifact(ensure_muvera_peer(), Path(d))
    if "tables" in only:
        import tables_bench

        log("embedding tables: Gowalla, MF-BPR, every method at GraphHash's rows")
        res["tables_mf"] = tables_bench.tables_gowalla("mf")
    if "tables-lightgcn" in only:
        import tables_bench

        log("embedding tables: Gowalla, LightGCN, full table (40 minutes of training at most)")
        res["tables_lightgcn"] = tables_bench.tables_gowalla(
            "lightgcn", time_limit=2400.0, methods=("full",)
        )
    if "tables-stream" in only:
        import tables_stream_bench

        log("real-time tables: throughput vs dict and TorchRec, synthetic stream, MovieLens-100K")
        res["tables_stream"] = tables_stream_bench.run_all()
    if "scale" in only:
        log("scale: 1M nodes, 10M edges")
        res["scale"] = scale()
        log("scale: DeepWalk on 1M nodes, 5M edges (1 and 2 walks per node)")
        res["scale_deepwalk"] = scale_deepwalk()
    if "graph" in only:
        log("graph evaluation table (embedlab bench graph)")
        from embedlab.eval.bench import run_graph_bench

        res["graph_bench"] = run_graph_bench(
            ["blogcatalog", "cora"], ["fastrp", "deepwalk", "node2vec", "line", "random"], seeds=3
        )
    results.write_text(json.dumps(res, indent=2) + "\n")
    md = write_markdown(res)
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
