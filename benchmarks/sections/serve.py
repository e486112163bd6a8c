"""The HTTP service under load, beside Chroma's server (issue 27): section ``serve``.

Both servers run as real processes on 127.0.0.1 and are driven by the same client code
(:mod:`_http_load`: threads, one keep-alive ``httpx.Client`` each, request bodies encoded before
the clock starts), on the same data: 100,000 x 384 float32 unit vectors drawn from a seeded
Gaussian mixture of 1,000 clusters, and 500 queries drawn from the same mixture (not from the
data), so that ANN recall means something. Truth is NumPy brute force (cosine).

- **embedlab** (``embedlab serve --store DIR``): upsert throughput with JSON arrays, base64
  little-endian float32 and Arrow IPC (each into its own collection, batches of 1,000); exact
  queries at 1 and 8 clients; then ``POST .../index`` and ANN queries at the stated parameters;
  server RSS before and after. Skipped, with the reason, when ``embedlab.serve`` is missing.
- **Chroma** (``chroma run``, peer venv ``benchmarks/.peers/chroma``, its v2 REST API, default
  tenant and database, a collection with ``{"hnsw": {"space": "cosine"}}`` and its default HNSW
  parameters, which are recorded): ``/add`` throughput (JSON arrays, batches of 1,000), ``/query``
  at 1 and 8 clients, recall@10, RSS.

Server and client share the machine's cores: queries/s at 8 clients measures both. Run alone with
``python benchmarks/run.py --only serve``.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from _common import PEERS, ensure_venv, lines_to_md, log
from _http_load import (
    free_port,
    outbound_sockets,
    proc_rss_mib,
    run_load,
    start_server,
    stop_server,
)
from figures import link

KEYS = ("serve",)

N, DIM, CLUSTERS, N_QUERIES, K = 100_000, 384, 1_000, 500, 10
#: noise norm relative to the (unit) cluster centre. At 2.0 a query's 10th neighbour has cosine
#: ~0.26 and its 1000th ~0.12, and Chroma's default HNSW misses ~1% of the top 10; at 1.0 the
#: clusters are so tight that it finds all of them (recall 1.000: nothing to compare)
SPREAD = 2.0
SEED = 27
BATCH = 1_000
CONCURRENCY = (1, 8)
REQUESTS = 500  # per query load, for each concurrency
TIME_CAP_S = 120.0
CHROMA_VERSION = "1.5.9"

#: the index embedlab builds, and the ANN query parameters (stated in the table)
#: one partition: IVF lists lose recall on this spread-out mixture (nprobes 80 of 316 lists:
#: recall@10 0.81), a single HNSW graph with float re-ranking of 2 x k candidates reaches 0.993
EMBEDLAB_INDEX = {"type": "IVF_HNSW_SQ", "num_partitions": 1}
EMBEDLAB_ANN = {"nprobes": 1, "ef": 64, "refine_factor": 2}
#: an in-memory FAISS index through the spec grammar (mode="HNSW32"), warmed by POST /warm
EMBEDLAB_HNSW = "HNSW32"
EMBEDLAB_HNSW_PARAMS = {"ef": 256}

JSON_HEADERS = {"content-type": "application/json"}
ARROW_HEADERS = {"content-type": "application/vnd.apache.arrow.stream"}


# --- data -------------------------------------------------------------------------------------


def _unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


def mixture(
    n: int, n_queries: int, dim: int = DIM, clusters: int = CLUSTERS, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray]:
    """(data [n, dim], queries [n_queries, dim]): unit float32 vectors of one seeded Gaussian
    mixture (unit centres, isotropic noise of norm ``SPREAD``); queries are fresh draws."""
    rng = np.random.default_rng(seed)
    centres = _unit(rng.standard_normal((clusters, dim)))
    sigma = SPREAD / np.sqrt(dim)

    def draw(m: int) -> np.ndarray:
        labels = rng.integers(0, clusters, size=m)
        return _unit(centres[labels] + sigma * rng.standard_normal((m, dim), dtype=np.float32))

    return draw(n), draw(n_queries)


def exact_topk(x: np.ndarray, q: np.ndarray, k: int = K) -> np.ndarray:
    """Row ids [len(q), k] of the k largest inner products (cosine on unit vectors)."""
    out = np.empty((len(q), k), dtype=np.int64)
    for s in range(0, len(q), 100):
        sims = q[s : s + 100] @ x.T
        part = np.argpartition(-sims, k, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
        out[s : s + 100] = np.take_along_axis(part, order, axis=1)
    return out


def recall_at_k(got: dict[int, list[int]], truth: np.ndarray) -> float:
    """Mean |got ∩ truth| / k over the queries answered (``got``: query row -> ids)."""
    if not got:
        return float("nan")
    k = truth.shape[1]
    return float(
        np.mean([len(set(ids[:k]) & set(truth[i].tolist())) / k for i, ids in got.items()])
    )


def _query_load(make, parse_ids, nq: int, truth: np.ndarray) -> dict[str, Any]:
    """Query loads at each concurrency; recall@k from the answers of every load."""
    out: dict[str, Any] = {}
    for c in CONCURRENCY:
        raw: dict[int, bytes] = {}

        def keep(i: int, resp: httpx.Response, raw: dict = raw) -> None:
            if resp.is_success:
                raw[i % nq] = resp.content  # parsed after the load, not on the client's clock

        res = run_load(make, REQUESTS, concurrency=c, time_cap_s=TIME_CAP_S, on_response=keep)
        got = {i: parse_ids(json.loads(body)) for i, body in raw.items()}
        res["recall@10"] = recall_at_k(got, truth)
        out[f"c{c}"] = res
        log(
            f"serve:   {c} client(s): p50 {res['p50_ms']:.1f} ms, p99 {res['p99_ms']:.1f} ms, "
            f"{res['qps']:.0f} q/s, recall@10 {res['recall@10']:.3f}, errors {res['errors']}"
        )
    return out


def _upsert_load(make, n_batches: int, pid: int) -> dict[str, Any]:
    """One client sending ``n_batches`` batches: vectors/s over the wall time of the loop less
    the client's own encoding seconds (reported apart)."""
    encode_s = [0.0]

    def timed_make(i: int):
        t0 = time.perf_counter()
        r = make(i)
        encode_s[0] += time.perf_counter() - t0
        return r

    res = run_load(timed_make, n_batches, concurrency=1, time_cap_s=600.0, warmup=0, timeout_s=300)
    # the loop's wall time includes the client's encoding (done between requests): take it out
    res["client_encode_s"] = encode_s[0]
    res["vectors_per_s"] = res["requests"] * BATCH / (res["wall_s"] - encode_s[0])
    res["rss_after_mib"] = proc_rss_mib(pid)
    return res


def _batches(n: int) -> int:
    return (n + BATCH - 1) // BATCH


# --- Chroma ------------------------------------------------------------------------------------

#: chromadb 1.x v2 REST API, default tenant and database (created by ``chroma run``)
CHROMA_DB = "/api/v2/tenants/default_tenant/databases/default_database"


def chroma_env() -> dict[str, str]:
    """Environment for ``chroma run``: no telemetry, no OpenTelemetry exporter, no proxies."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OTEL_", "CHROMA_")) and k.lower() not in {"http_proxy", "https_proxy"}
    }
    env.update({"ANONYMIZED_TELEMETRY": "False", "OTEL_SDK_DISABLED": "true", "NO_COLOR": "1"})
    return env


def chroma_bench(x: np.ndarray, q: np.ndarray, truth: np.ndarray, tmp: Path) -> dict[str, Any]:
    venv_dir = PEERS / "chroma"
    version = ensure_venv(venv_dir, [f"chromadb=={CHROMA_VERSION}"], ["chromadb"])["chromadb"]
    port = free_port()
    cmd = [
        str(venv_dir / "bin" / "chroma"), "run", "--path", str(tmp / "chroma"),
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    log(f"serve: chroma {version} on 127.0.0.1:{port}")
    proc = start_server(
        cmd, port, chroma_env(), health="/api/v2/heartbeat", log_path=tmp / "chroma.log"
    )
    base = f"http://127.0.0.1:{port}{CHROMA_DB}"
    out: dict[str, Any] = {"version": version, "startup_s": proc.startup_s}  # type: ignore[attr-defined]
    try:
        out["rss_start_mib"] = proc_rss_mib(proc.pid)
        with httpx.Client(timeout=60, trust_env=False) as client:
            r = client.post(
                f"{base}/collections",
                json={"name": "bench", "configuration": {"hnsw": {"space": "cosine"}}},
            )
            r.raise_for_status()
            coll = r.json()
        cid = coll["id"]
        out["hnsw"] = coll["configuration_json"]["hnsw"]
        log(f"serve: chroma collection {cid}, hnsw {out['hnsw']}")

        def add(i: int):
            sl = slice(i * BATCH, min((i + 1) * BATCH, len(x)))
            body = {"ids": [str(j) for j in range(sl.start, sl.stop)], "embeddings": x[sl].tolist()}
            return "POST", f"{base}/collections/{cid}/add", {
                "content": json.dumps(body).encode(), "headers": JSON_HEADERS}  # fmt: skip

        out["add"] = _upsert_load(add, _batches(len(x)), proc.pid)
        with httpx.Client(timeout=60, trust_env=False) as client:
            out["count"] = client.get(f"{base}/collections/{cid}/count").json()
        log(
            f"serve: chroma add {out['add']['vectors_per_s']:.0f} vectors/s, count {out['count']}, "
            f"RSS {out['add']['rss_after_mib']:.0f} MiB"
        )
        bodies = [
            json.dumps({"query_embeddings": [v.tolist()], "n_results": K, "include": ["distances"]})
            .encode() for v in q
        ]  # fmt: skip
        url = f"{base}/collections/{cid}/query"

        def query(i: int):
            return "POST", url, {"content": bodies[i % len(q)], "headers": JSON_HEADERS}

        out["rss_before_queries_mib"] = proc_rss_mib(proc.pid)
        out["query"] = _query_load(query, lambda j: [int(s) for s in j["ids"][0]], len(q), truth)
        out["rss_after_queries_mib"] = proc_rss_mib(proc.pid)
        out["outbound_sockets"] = outbound_sockets(proc.pid)
    finally:
        out["exit_code"] = stop_server(proc)
    return out


# --- embedlab ----------------------------------------------------------------------------------


def embedlab_serve_missing() -> str | None:
    """Why embedlab's server cannot run here, or None."""
    try:
        if importlib.util.find_spec("embedlab.serve") is None:
            return "embedlab.serve is not importable (the module does not exist in this tree)"
    except ImportError as exc:
        return f"embedlab.serve is not importable: {exc}"
    return None


def embedlab_command(store: Path, port: int) -> list[str]:
    """The server process: ``embedlab serve`` with this interpreter, on loopback."""
    return [
        sys.executable, "-m", "embedlab", "serve", "--store", str(store),
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip


def _arrow_body(ids: np.ndarray, vectors: np.ndarray) -> bytes:
    import pyarrow as pa

    vec = pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1), pa.float32()), DIM)
    table = pa.table({"id": pa.array(ids, pa.int64()), "vector": vec})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _embedlab_points(x: np.ndarray, fmt: str, i: int) -> dict[str, Any]:
    lo, hi = i * BATCH, min((i + 1) * BATCH, len(x))
    ids = np.arange(lo, hi, dtype=np.int64)
    if fmt == "json":
        body = {"points": [{"id": int(j), "vector": x[j].tolist()} for j in ids]}
        return {"content": json.dumps(body).encode(), "headers": JSON_HEADERS}
    if fmt == "base64":
        raw = np.ascontiguousarray(x[lo:hi], dtype="<f4").tobytes()
        body = {"ids": ids.tolist(), "vectors_b64": base64.b64encode(raw).decode("ascii")}
        return {"content": json.dumps(body).encode(), "headers": JSON_HEADERS}
    return {"content": _arrow_body(ids, x[lo:hi]), "headers": ARROW_HEADERS}


def _start_embedlab(tmp: Path, tag: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log(f"serve: embedlab ({tag}) on 127.0.0.1:{port}")
    cmd = embedlab_command(tmp / "embedlab", port)
    proc = start_server(cmd, port, dict(os.environ), log_path=tmp / f"embedlab-{tag}.log")
    return proc, f"http://127.0.0.1:{port}"


def _log_tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def embedlab_bench(x: np.ndarray, q: np.ndarray, truth: np.ndarray, tmp: Path) -> dict[str, Any]:
    """Upserts (three bodies, three collections) with one server; then a fresh server on the same
    store (what a restart reads back) for the queries, the index and the ANN queries."""
    out: dict[str, Any] = {"upsert": {}}
    proc, base = _start_embedlab(tmp, "upsert")
    try:
        out["upsert_server_rss_start_mib"] = proc_rss_mib(proc.pid)
        with httpx.Client(timeout=600, trust_env=False) as client:
            for fmt in ("json", "base64", "arrow"):
                name = f"bench_{fmt}"
                r = client.put(f"{base}/collections/{name}", json={"dim": DIM, "metric": "cosine"})
                if r.status_code != 201:
                    raise RuntimeError(f"PUT /collections/{name}: {r.status_code} {r.text[:500]}")
                url = f"{base}/collections/{name}/points"

                def make(i: int, fmt: str = fmt, url: str = url):
                    return "PUT", url, _embedlab_points(x, fmt, i)

                res = _upsert_load(make, _batches(len(x)), proc.pid)
                res["count"] = client.get(f"{base}/collections/{name}").json()["result"]["count"]
                out["upsert"][fmt] = res
                log(
                    f"serve: embedlab upsert {fmt}: {res['vectors_per_s']:.0f} vectors/s, "
                    f"count {res['count']}, errors {res['errors']}, "
                    f"RSS {res['rss_after_mib']:.0f} MiB"
                )
    except Exception as exc:
        raise RuntimeError(
            f"{exc}\nserver log tail:\n{_log_tail(tmp / 'embedlab-upsert.log')}"
        ) from exc
    finally:
        stop_server(proc)

    proc, base = _start_embedlab(tmp, "query")
    out["startup_s"] = proc.startup_s  # type: ignore[attr-defined]
    name = "bench_arrow"
    url = f"{base}/collections/{name}/points/query"

    def parse(j: dict) -> list[int]:
        return [int(p["id"]) for p in j["result"]["points"]]

    def bodies(extra: dict) -> list[bytes]:
        return [json.dumps({"query": v.tolist(), "limit": K, **extra}).encode() for v in q]

    try:
        out["rss_start_mib"] = proc_rss_mib(proc.pid)
        exact = bodies({"mode": "exact"})
        out["rss_before_queries_mib"] = proc_rss_mib(proc.pid)
        log("serve: embedlab exact queries")
        out["exact"] = _query_load(
            lambda i: ("POST", url, {"content": exact[i % len(q)], "headers": JSON_HEADERS}),
            parse, len(q), truth,
        )  # fmt: skip
        out["rss_after_exact_mib"] = proc_rss_mib(proc.pid)
        # FAISS HNSW in the server's memory (not persisted): built by /warm, then queried
        with httpx.Client(timeout=900, trust_env=False) as client:
            r = client.post(f"{base}/collections/{name}/warm", json={"mode": EMBEDLAB_HNSW})
        if not r.is_success:
            raise RuntimeError(f"POST /collections/{name}/warm: {r.status_code} {r.text[:500]}")
        out["hnsw_build_s"] = r.json()["result"]["seconds"]
        log(
            f"serve: embedlab {EMBEDLAB_HNSW} (FAISS, in memory) built in {out['hnsw_build_s']:.1f} s"
        )
        hnsw = bodies({"mode": EMBEDLAB_HNSW, "params": EMBEDLAB_HNSW_PARAMS})
        out["hnsw_params"] = EMBEDLAB_HNSW_PARAMS
        out["hnsw"] = _query_load(
            lambda i: ("POST", url, {"content": hnsw[i % len(q)], "headers": JSON_HEADERS}),
            parse, len(q), truth,
        )  # fmt: skip
        t0 = time.perf_counter()
        with httpx.Client(timeout=900, trust_env=False) as client:
            r = client.post(f"{base}/collections/{name}/index", json=EMBEDLAB_INDEX)
        if not r.is_success:
            raise RuntimeError(f"POST /collections/{name}/index: {r.status_code} {r.text[:500]}")
        out["index"] = {"body": EMBEDLAB_INDEX, "build_s": time.perf_counter() - t0}
        log(f"serve: embedlab index {EMBEDLAB_INDEX} built in {out['index']['build_s']:.1f} s")
        ann = bodies({"mode": "ann", "params": EMBEDLAB_ANN})
        out["ann_params"] = EMBEDLAB_ANN
        log(f"serve: embedlab ANN queries {EMBEDLAB_ANN}")
        out["ann"] = _query_load(
            lambda i: ("POST", url, {"content": ann[i % len(q)], "headers": JSON_HEADERS}),
            parse, len(q), truth,
        )  # fmt: skip
        out["rss_after_queries_mib"] = proc_rss_mib(proc.pid)
        out["outbound_sockets"] = outbound_sockets(proc.pid)
    except Exception as exc:
        raise RuntimeError(
            f"{exc}\nserver log tail:\n{_log_tail(tmp / 'embedlab-query.log')}"
        ) from exc
    finally:
        out["exit_code"] = stop_server(proc)
    return out


# --- section -----------------------------------------------------------------------------------


def run(tmp: Path) -> dict:
    log(f"serve: {N:,} x {DIM} mixture of {CLUSTERS} clusters, {N_QUERIES} queries")
    x, q = mixture(N, N_QUERIES)
    t0 = time.perf_counter()
    truth = exact_topk(x, q)
    out: dict[str, Any] = {
        "n": N, "dim": DIM, "clusters": CLUSTERS, "spread": SPREAD, "queries": N_QUERIES,
        "requests": REQUESTS, "batch": BATCH, "k": K, "cores": os.cpu_count(),
        "truth_s": time.perf_counter() - t0,
    }  # fmt: skip
    missing = embedlab_serve_missing()
    t0 = time.perf_counter()
    if missing:
        log(f"serve: embedlab skipped: {missing}")
        out["embedlab"] = {"skipped": missing}
    else:
        out["embedlab"] = embedlab_bench(x, q, truth, tmp)
        out["embedlab"]["section_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    try:
        out["chroma"] = chroma_bench(x, q, truth, tmp)
        out["chroma"]["section_s"] = time.perf_counter() - t0
    except Exception as exc:  # the peer failing must not lose embedlab's numbers
        log(f"serve: chroma failed: {exc}")
        out["chroma"] = {"skipped": f"chroma failed: {str(exc)[:500]}"}
    return {"serve": out}


def _ms(v: float) -> str:
    return f"{v:.1f} ms" if v == v else "n/a"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "n/a"


def markdown(res: dict) -> str:
    r = res.get("serve")
    if not r:
        return ""
    ch, el = r.get("chroma", {}), r.get("embedlab", {})
    lines = [
        "## HTTP service under load",
        "",
        f"{r['n']:,} x {r['dim']} float32 unit vectors (a seeded mixture of {r['clusters']:,} "
        f"Gaussian clusters), {r['queries']} queries from the same mixture, top-{r['k']}, "
        f"{r['requests']} requests per row; both servers on 127.0.0.1 driven by the same client "
        f"(`benchmarks/_http_load.py`: threads with a keep-alive httpx client each, bodies encoded "
        f"before the clock), sharing the machine's {r['cores']} cores with it. Recall@10 against "
        "NumPy brute force. `python benchmarks/run.py --only serve`.",
        "",
    ]
    if "skipped" in ch:
        lines += [f"Chroma: {ch['skipped']}", ""]
    else:
        h = ch["hnsw"]
        lines += [
            f"Chroma {ch['version']} (`chroma run`, v2 REST API), HNSW space `{h['space']}`, "
            f"M (`max_neighbors`) {h['max_neighbors']}, `ef_construction` {h['ef_construction']}, "
            f"`ef_search` {h['ef_search']} (its defaults).",
            "",
        ]
    if "skipped" in el:
        lines += [f"embedlab: skipped: {el['skipped']}.", ""]
    else:
        ann = ", ".join(f"{k}={v}" for k, v in el["ann_params"].items())
        lines += [
            "embedlab: upserts into three collections (one per body format) with one server, "
            "then queries on the Arrow-loaded collection with a fresh server on the same store; "
            f"ANN: `{json.dumps(el['index']['body'])}` built in {el['index']['build_s']:.1f} s, "
            f'queried at {ann}. In memory: `mode="{EMBEDLAB_HNSW}"` (FAISS HNSW through the '
            f"spec grammar, built by `POST /warm` in {el.get('hnsw_build_s', float('nan')):.1f} s, "
            "not persisted) at "
            + ", ".join(f"{k}={v}" for k, v in el.get("hnsw_params", {}).items())
            + ".",
            "",
        ]
    lines += [
        "| server / mode | clients | p50 | p99 | queries/s | recall@10 | errors | vs Chroma q/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows: list[tuple[str, dict]] = []
    if "skipped" not in el:
        rows += [("embedlab exact", el["exact"])]
        if "hnsw" in el:
            rows.append((f"embedlab {EMBEDLAB_HNSW} (FAISS, in memory)", el["hnsw"]))
        rows.append(("embedlab ANN (LanceDB)", el["ann"]))
    if "skipped" not in ch:
        rows.append(("Chroma HNSW", ch["query"]))
    for label, modes in rows:
        for c, m in modes.items():
            peer = ch.get("query", {}).get(c, {}).get("qps")
            vs = "" if label.startswith("Chroma") else _ratio(m["qps"], peer)
            lines.append(
                f"| {label} | {m['concurrency']} | {_ms(m['p50_ms'])} | {_ms(m['p99_ms'])} | "
                f"{m['qps']:.0f} | {m['recall@10']:.3f} | {m['errors']} | {vs} |"
            )
    if rows:
        lines += ["", *link("bench-serve-recall-latency.svg")[:-1]]
    lines += [
        "",
        "| server / upsert body | vectors/s | client encode | errors | RSS after | vs Chroma |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    peer_add = ch.get("add", {}).get("vectors_per_s")
    if "skipped" not in el:
        for fmt, u in el["upsert"].items():
            lines.append(
                f"| embedlab {fmt} | {u['vectors_per_s']:,.0f} | {u['client_encode_s']:.1f} s | "
                f"{u['errors']} | {u['rss_after_mib']:,.0f} MiB | "
                f"{_ratio(u['vectors_per_s'], peer_add)} |"
            )
    if "skipped" not in ch:
        a = ch["add"]
        lines.append(
            f"| Chroma JSON `/add` | {a['vectors_per_s']:,.0f} | {a['client_encode_s']:.1f} s | "
            f"{a['errors']} | {a['rss_after_mib']:,.0f} MiB | |"
        )
    lines += [
        "",
        "| server | RSS at start | before queries | after queries |",
        "|---|---:|---:|---:|",
    ]
    for label, s in (("embedlab", el), ("Chroma", ch)):
        if "skipped" not in s:
            lines.append(
                f"| {label} | {s['rss_start_mib']:,.0f} MiB | {s['rss_before_queries_mib']:,.0f} "
                f"MiB | {s['rss_after_queries_mib']:,.0f} MiB |"
            )
    return lines_to_md(lines)
