"""Retrieval benchmarks (issue 6), called by ``benchmarks/run.py --only retrieval``.

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
from typing import Any

import numpy as np


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
    from embedlab.retrieval.compression import make_compressor
    from embedlab.retrieval.matryoshka import adaptive_search, funnel_search
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
            c = make_compressor(comp).fit(docs)
            size = c.code_size_bytes
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


def markdown(res: dict) -> list[str]:
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
        lines.append("")
    return lines
