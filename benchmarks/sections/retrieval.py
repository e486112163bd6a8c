"""Retrieval benchmarks (issue 6): sections ``retrieval`` and (with :mod:`sections.muvera`) ``muvera``.

1. Exact search on 100,000 x 384 synthetic unit vectors, 1,000 queries, k = 10: embedlab's
   NumPy ``FlatIndex`` (float32, int8, binary) beside FAISS ``IndexFlatIP``, ``SQ8`` and
   ``IndexBinaryFlat`` (faiss-cpu, the ``[faiss]`` extra), same process, same threads; a batch of
   all queries, and queries one at a time.
2. SciFact (test) with all-MiniLM-L6-v2: encoding throughput, nDCG@10 / Recall@100 / MRR@10 of
   float32 and every compression, with and without a float rescore, and BM25 (trivial baseline).
3. Matryoshka adaptive retrieval and funnel on SciFact: nDCG@10 and multiply-adds per query.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from figures import link

BENCH_DIR = Path(__file__).resolve().parent.parent
KEYS = ("flat_search", "scifact")


def _median_time(fn: Any, repeats: int = 3) -> float:
    fn()  # warm-up (numba compilation, FAISS thread pool)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def flat_search_speed(n: int = 100_000, d: int = 384, nq: int = 1000, k: int = 10) -> dict:
    import faiss

    from embedlab.retrieval.index import make_index

    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, d)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q = rng.normal(size=(nq, d)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    out: dict[str, Any] = {"n": n, "d": d, "queries": nq, "k": k, "faiss": faiss.__version__}
    pairs = {
        "float32": ("Flat", "faiss:Flat"),
        "int8 (SQ8)": ("SQ8", "faiss:SQ8"),
        "binary (Hamming)": ("BFlat", "faiss:BFlat"),
    }
    single = q[:100]
    for label, (ours_spec, peer_spec) in pairs.items():
        ours = make_index(ours_spec, d, "ip").train(x).add(x)
        peer = make_index(peer_spec, d, "ip").train(x).add(x)
        same = float((ours.search(q, k)[1] == peer.search(q, k)[1]).mean())
        row = {
            "embedlab_batch_s": _median_time(lambda i=ours: i.search(q, k)),
            "faiss_batch_s": _median_time(lambda i=peer: i.search(q, k)),
            "embedlab_single_s": _median_time(
                lambda i=ours: [i.search(v[None, :], k) for v in single]
            ),
            "faiss_single_s": _median_time(
                lambda i=peer: [i.search(v[None, :], k) for v in single]
            ),
            "same_ids": same,
            "bytes_per_vector": ours.code_size_bytes,
        }
        out[label] = row
        del ours, peer
    return out


def scifact_quality() -> dict:
    from embedlab.datasets import load_beir
    from embedlab.eval.retrieval import RetrievalEvaluation, dense_retrieval_run
    from embedlab.retrieval.bm25 import BM25
    from embedlab.retrieval.matryoshka import adaptive_search, funnel_search
    from embedlab.retrieval.spec import make_index
    from embedlab.text import SentenceEncoder

    ds = load_beir("scifact")
    enc = SentenceEncoder(max_seq_length=256)  # no cache: the throughput is measured
    t0 = time.perf_counter()
    docs = enc.encode(ds.documents())
    doc_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    queries = enc.encode(ds.queries)
    query_s = time.perf_counter() - t0
    ev = RetrievalEvaluation(ds.qrels, k_values=(10, 100))
    ids = np.asarray(ds.corpus_ids, dtype=object)
    out: dict[str, Any] = {
        "documents": len(ids),
        "queries": len(ds.query_ids),
        "encode_documents_s": doc_s,
        "encode_queries_s": query_s,
    }
    rows: dict[str, Any] = {}
    for comp, rescore in [
        (None, None),
        ("int8", None),
        ("binary", None),
        ("binary", 40),
        ("binary", 100),
        ("pq:32", None),
        ("pq:32", 40),
        ("mrl:128", None),
        ("mrl:256", None),
    ]:
        label = (comp or "float32") + (f" + float rescore of {rescore}" if rescore else "")
        t0 = time.perf_counter()
        run = dense_retrieval_run(
            queries, docs, ds.corpus_ids, ds.query_ids, k=100, compression=comp, rescore=rescore
        )
        elapsed = time.perf_counter() - t0
        size = 4 * docs.shape[1]
        if comp is not None:
            size = make_index(comp, docs.shape[1]).code_size_bytes  # the old names are aliases
        rows[label] = {**ev(run), "bytes_per_vector": size, "index_and_search_s": elapsed}
    t0 = time.perf_counter()
    bm = BM25().fit(ds.documents())
    _, pos = bm.search(ds.queries, 100)
    rows["BM25 (trivial baseline)"] = {
        **ev({q: list(ids[p]) for q, p in zip(ds.query_ids, pos, strict=True)}),
        "bytes_per_vector": None,
        "index_and_search_s": time.perf_counter() - t0,
    }
    out["rows"] = rows
    full = docs.shape[1]
    mrl: dict[str, Any] = {}
    for ds_dim, dr_dim, short in [(32, 384, 200), (64, 384, 200), (128, 384, 200), (192, 384, 200)]:
        _, pos, flops = adaptive_search(
            queries, docs, 100, shortlist_dim=ds_dim, rerank_dim=dr_dim, shortlist=short
        )
        run = {q: list(ids[p]) for q, p in zip(ds.query_ids, pos, strict=True)}
        mrl[f"adaptive D_s={ds_dim}, D_r={dr_dim}, shortlist {short}"] = {
            **ev(run),
            "flops_per_query": flops,
        }
    for dims, short in [((48, 96, 192, 384), 800), ((96, 192, 384), 400)]:
        _, pos, flops = funnel_search(queries, docs, 100, dims=dims, shortlist=short)
        run = {q: list(ids[p]) for q, p in zip(ds.query_ids, pos, strict=True)}
        mrl[f"funnel dims {'-'.join(map(str, dims))}, shortlist {short}"] = {
            **ev(run),
            "flops_per_query": flops,
        }
    mrl["full dimension (exact, 384)"] = {
        **{k: v for k, v in rows["float32"].items() if "@" in k},
        "flops_per_query": float(len(ids) * full),
    }
    out["matryoshka"] = mrl
    return out


def markdown_lines(res: dict) -> list[str]:
    lines: list[str] = []
    f = res.get("flat_search")
    if f:
        lines += [
            f"## Exact search: {f['n']:,} x {f['d']} synthetic unit vectors, k = {f['k']}",
            "",
            f"embedlab's NumPy `FlatIndex` vs FAISS {f['faiss']} (`IndexFlatIP`, `SQ8`, "
            "`IndexBinaryFlat`), same process and threads; median of 3 after a warm-up. Batch: "
            f"{f['queries']:,} queries in one call; single: 100 queries one call each. "
            "Ratio = FAISS time / embedlab time (> 1: embedlab faster). Same ids: share of "
            "result ids equal to FAISS's.",
            "",
            "| codes | bytes / vector | embedlab batch (queries/s) | FAISS batch | ratio | "
            "embedlab single (ms/query) | FAISS single | ratio | same ids |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label in ("float32", "int8 (SQ8)", "binary (Hamming)"):
            r = f[label]
            lines.append(
                f"| {label} | {r['bytes_per_vector']} | {f['queries'] / r['embedlab_batch_s']:,.0f} | "
                f"{f['queries'] / r['faiss_batch_s']:,.0f} | "
                f"{r['faiss_batch_s'] / r['embedlab_batch_s']:.2f}x | "
                f"{r['embedlab_single_s'] * 10:.2f} | {r['faiss_single_s'] * 10:.2f} | "
                f"{r['faiss_single_s'] / r['embedlab_single_s']:.2f}x | {r['same_ids']:.3f} |"
            )
        fl, bi = f["float32"], f["binary (Hamming)"]
        lines += [
            "",
            f"Binary vs float32 inside embedlab: {fl['embedlab_batch_s'] / bi['embedlab_batch_s']:.1f}x "
            f"faster in batch, {fl['embedlab_single_s'] / bi['embedlab_single_s']:.1f}x one query "
            "at a time.",
            "",
        ]
    s = res.get("scifact")
    if s:
        lines += [
            "## SciFact (BEIR test) with all-MiniLM-L6-v2",
            "",
            f'{s["documents"]:,} documents (title + " " + text, max_seq_length 256) encoded in '
            f"{s['encode_documents_s']:.0f} s ({s['documents'] / s['encode_documents_s']:.1f} "
            f"documents/s), {s['queries']} queries in {s['encode_queries_s']:.1f} s "
            f"({s['queries'] / s['encode_queries_s']:.0f} queries/s), on the CPU. Cosine "
            "similarity, exact search over the (compressed) codes; metrics as pytrec_eval. "
            "MTEB's published nDCG@10 for this model: 0.6451.",
            "",
            "| retrieval | bytes / vector | nDCG@10 | Recall@100 | MRR@10 | index + search |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for label, r in s["rows"].items():
            size = "—" if r["bytes_per_vector"] is None else str(r["bytes_per_vector"])
            lines.append(
                f"| {label} | {size} | {r['ndcg@10']:.4f} | {r['recall@100']:.4f} | "
                f"{r['mrr@10']:.4f} | {r['index_and_search_s']:.2f} s |"
            )
        lines += [
            "",
            "A rescore of R candidates returns at most R documents, which caps Recall@100 when "
            "R < 100. BM25 (no stemming) is above MiniLM on SciFact, as in BEIR.",
            "",
            "### Matryoshka adaptive retrieval on SciFact",
            "",
            "Shortlist with the first D_s coordinates (renormalised), re-rank with D_r; the funnel "
            "halves the candidates at each larger prefix. Cost: multiply-adds per query. "
            "all-MiniLM-L6-v2 is **not** Matryoshka-trained, so its prefixes carry less than an "
            "MRL model's would: this shows the machinery and its cost, not MRL's accuracy.",
            "",
            "| search | nDCG@10 | Recall@100 | MFLOPs / query |",
            "|---|---:|---:|---:|",
        ]
        for label, r in s["matryoshka"].items():
            lines.append(
                f"| {label} | {r['ndcg@10']:.4f} | {r['recall@100']:.4f} | "
                f"{r['flops_per_query'] / 1e6:.2f} |"
            )
        lines += ["", *link("bench-matryoshka-ndcg.svg")]
    return lines


def muvera_scifact(peer_python: str | None, tmp: Any) -> dict:
    """MaxSim and MUVERA on SciFact token vectors; FDE encoding speed beside muvera-python."""
    import json
    import subprocess

    from embedlab.datasets import load_beir
    from embedlab.eval.retrieval import RetrievalEvaluation
    from embedlab.retrieval.muvera import (
        MuveraFDE,
        MuveraRetriever,
        chamfer_rerank,
        chamfer_scores,
    )
    from embedlab.text import SentenceEncoder

    ds = load_beir("scifact")
    enc = SentenceEncoder(max_seq_length=256)
    t0 = time.perf_counter()
    docs = enc.encode_tokens(ds.documents())
    tok_s = time.perf_counter() - t0
    queries = enc.encode_tokens(ds.queries)
    ev = RetrievalEvaluation(ds.qrels, k_values=(10, 100))
    ids = np.asarray(ds.corpus_ids, dtype=object)

    def run(pos: np.ndarray) -> dict:
        return {q: list(ids[p[p >= 0]]) for q, p in zip(ds.query_ids, pos, strict=True)}

    t0 = time.perf_counter()
    exact_scores = chamfer_scores(queries, docs)
    brute_s = time.perf_counter() - t0
    exact = np.argsort(-exact_scores, axis=1, kind="stable")[:, :100]
    out: dict[str, Any] = {
        "documents": len(docs),
        "queries": len(queries),
        "document_tokens": len(docs.vectors),
        "query_tokens": len(queries.vectors),
        "encode_tokens_s": tok_s,
        "maxsim": {**ev(run(exact)), "all_queries_s": brute_s},
        "settings": {},
    }
    lat_q = 50
    for r, k, dp in [(20, 5, 16), (10, 4, 16)]:
        fde = MuveraFDE(num_repetitions=r, num_simhash=k, projection_dim=dp, random_state=0)
        fde.fit(docs.dim)
        t0 = time.perf_counter()
        fde.transform_documents(docs)
        enc_doc_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        fde.transform_queries(queries)
        enc_query_s = time.perf_counter() - t0
        ret = MuveraRetriever(fde, candidates=100).fit(docs)
        _, fpos = ret.search(queries, 100, rerank=False)
        recall = float(
            np.mean([len(set(a[:10]) & set(b)) / 10 for a, b in zip(exact, fpos, strict=True)])
        )
        _, rpos = chamfer_rerank(queries, docs, fpos, 100)

        # one query at a time: FDE encode + search + rerank of 100, vs brute-force MaxSim
        def one_muvera(i: int, ret: Any = ret) -> None:
            ret.search(_subset(queries, i), 10)

        def one_brute(i: int) -> None:
            chamfer_scores(_subset(queries, i), docs)

        muv_t = _median_time(lambda: [one_muvera(i) for i in range(lat_q)], repeats=3) / lat_q
        brute_t = _median_time(lambda: [one_brute(i) for i in range(lat_q)], repeats=1) / lat_q
        row = {
            "dims": fde.output_dim_,
            "fde_alone": ev(run(fpos)),
            "reranked": ev(run(rpos)),
            "exact_top10_in_fde_top100": recall,
            "encode_documents_s": enc_doc_s,
            "encode_queries_s": enc_query_s,
            "query_latency_s": muv_t,
            "brute_force_latency_s": brute_t,
        }
        if peer_python:
            path = tmp / "tokens.npz"
            if not path.exists():
                np.savez(
                    path,
                    vectors=docs.vectors,
                    offsets=docs.offsets,
                    query_vectors=queries.vectors,
                    query_offsets=queries.offsets,
                )
            res = subprocess.run(
                [
                    peer_python,
                    str(BENCH_DIR / "peers" / "muvera_python.py"),
                    str(path),
                    str(r),
                    str(k),
                    str(dp),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            row["peer"] = json.loads(res.stdout.strip().splitlines()[-1])
        out["settings"][f"R={r}, k_sim={k}, d_proj={dp}"] = row
    return out


def _subset(mv: Any, i: int) -> Any:
    from embedlab.io import MultiVector

    v = mv[i]
    return MultiVector(v, np.array([0, len(v)]))


def muvera_markdown(res: dict) -> list[str]:
    m = res.get("muvera")
    if not m:
        return []
    ms = m["maxsim"]
    lines = [
        "## MUVERA on SciFact: all-MiniLM-L6-v2 token vectors",
        "",
        f"{m['documents']:,} documents, {m['document_tokens']:,} token vectors (unit length, "
        f"special tokens kept, max_seq_length 256; encoded in {m['encode_tokens_s']:.0f} s); "
        f"{m['query_tokens']:,} query token vectors. Brute-force MaxSim (Chamfer) over the corpus: "
        f"nDCG@10 **{ms['ndcg@10']:.4f}**, Recall@100 {ms['recall@100']:.4f} (reference measured "
        "with the same model and data: 0.707). MUVERA: FDE inner-product search over a flat "
        "index for 100 candidates, then exact MaxSim re-rank. Latency: one query at a time "
        "(FDE encoding + search + re-rank), median over 50 queries, against brute-force MaxSim "
        "of the same query over the whole corpus.",
        "",
        "| FDE setting | dims | FDE alone nDCG@10 | re-ranked nDCG@10 | exact top-10 in FDE top-100 "
        "| latency | brute force | speed-up |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in m["settings"].items():
        lines.append(
            f"| {label} | {r['dims']:,} | {r['fde_alone']['ndcg@10']:.4f} | "
            f"{r['reranked']['ndcg@10']:.4f} | {100 * r['exact_top10_in_fde_top100']:.1f} % | "
            f"{r['query_latency_s'] * 1000:.1f} ms | {r['brute_force_latency_s'] * 1000:.0f} ms | "
            f"{r['brute_force_latency_s'] / r['query_latency_s']:.0f}x |"
        )
    peers = [(label, r) for label, r in m["settings"].items() if "peer" in r]
    if peers:
        p0 = peers[0][1]["peer"]
        lines += [
            "",
            f"FDE encoding throughput beside muvera-python {p0['version']} (Rust kernels: "
            f"{p0['rust']}), same parameters (AMS projection, empty partitions filled), same "
            "token vectors, same run; ratio = peer time / embedlab time.",
            "",
            "| setting | embedlab documents/s | muvera-python | ratio | embedlab queries/s | "
            "muvera-python | ratio |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        n = m["documents"]
        for label, r in peers:
            p = r["peer"]
            nq = m["queries"]
            lines.append(
                f"| {label} | {n / r['encode_documents_s']:,.0f} | {n / p['documents_s']:,.0f} | "
                f"{p['documents_s'] / r['encode_documents_s']:.2f}x | "
                f"{nq / r['encode_queries_s']:,.0f} | {nq / p['queries_s']:,.0f} | "
                f"{p['queries_s'] / r['encode_queries_s']:.2f}x |"
            )
    lines.append("")
    return lines


def run(tmp: Path) -> dict:
    from _common import log

    log("retrieval: exact search, embedlab vs FAISS")
    res = {"flat_search": flat_search_speed()}
    log("retrieval: SciFact with all-MiniLM-L6-v2 (encoding, compression, Matryoshka)")
    res["scifact"] = scifact_quality()
    return res


def markdown(res: dict) -> str:
    from _common import lines_to_md

    return lines_to_md(markdown_lines(res))
