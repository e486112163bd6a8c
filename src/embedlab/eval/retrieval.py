"""Retrieval evaluation with BEIR / pytrec_eval semantics: nDCG@k, Recall@k, MRR@k, MAP@k.

A *run* is, per query, its retrieved document ids best first: a mapping
``{query_id: [doc_id, ...]}``, or a pair ``(query_ids, doc_ids)`` where ``doc_ids`` is an
``[n_queries, k]`` array (an index's search result mapped to document ids; ``None``/``-1`` pads
short rows). Scores are means over the queries that have judgements; a judged query missing
from the run scores 0; queries without judgements are skipped. The per-query maths is
:func:`embedlab.eval.metrics.query_retrieval_metrics`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from embedlab.eval.metrics import query_retrieval_metrics
from embedlab.exceptions import InvalidInputError

__all__ = ["RetrievalEvaluation", "dense_retrieval_run"]


def _as_run(run: Any) -> dict[Any, list[Any]]:
    if isinstance(run, Mapping):
        return {q: list(d) for q, d in run.items()}
    if isinstance(run, tuple) and len(run) == 2:
        qids, docs = run
        docs = np.asarray(docs, dtype=object)
        if docs.ndim != 2 or len(docs) != len(qids):
            raise InvalidInputError(
                f"A run pair needs doc_ids [n_queries, k] aligned with {len(qids)} query ids; "
                f"got shape {docs.shape}."
            )
        pad = {None, -1, "-1"}
        return {q: [d for d in row if d not in pad] for q, row in zip(qids, docs, strict=True)}
    raise InvalidInputError(
        "A run is a mapping {query_id: [doc_id, ...]} or a pair (query_ids, doc_ids [n, k]); "
        f"got {type(run).__name__}."
    )


class RetrievalEvaluation:
    """Score retrieval runs against graded judgements.

    Parameters
    ----------
    qrels : mapping query_id -> mapping doc_id -> int
        Graded relevance (BEIR's ``qrels``; :class:`embedlab.datasets.BeirDataset` has them).
    k_values : sequence of int, default=(10, 100)
        Cut-offs; every metric is reported at each.

    Examples
    --------
    >>> ev = RetrievalEvaluation({"q1": {"d1": 1}, "q2": {"d9": 1}}, k_values=[10])
    >>> ev({"q1": ["d1", "d2"], "q2": ["d3", "d9"]})["mrr@10"]
    0.75
    """

    primary_metric = "ndcg@10"

    def __init__(
        self, qrels: Mapping[Any, Mapping[Any, int]], *, k_values: Sequence[int] = (10, 100)
    ):
        self.qrels = qrels
        self.k_values = k_values

    def _check(self) -> list[int]:
        ks = [int(k) for k in self.k_values]
        if not ks or any(k < 1 for k in ks):
            raise InvalidInputError(f"'k_values' must be integers >= 1; got {self.k_values!r}.")
        if not self.qrels:
            raise InvalidInputError("'qrels' is empty: no query has judgements.")
        return ks

    def evaluate(self, run: Any) -> dict[Any, dict[str, float]]:
        """Per-query metrics for every judged query."""
        ks = self._check()
        ranked = _as_run(run)
        return {
            q: query_retrieval_metrics(ranked.get(q, []), judged, ks)
            for q, judged in self.qrels.items()
        }

    def __call__(self, run: Any) -> dict[str, float]:
        """Mean of every metric over the judged queries."""
        per = self.evaluate(run)
        keys = next(iter(per.values())).keys()
        return {k: float(np.mean([m[k] for m in per.values()])) for k in keys}


def dense_retrieval_run(
    query_vectors: Any,
    doc_vectors: Any,
    doc_ids: Sequence[Any],
    query_ids: Sequence[Any],
    *,
    k: int = 100,
    compression: str | None = None,
    rescore: int | None = None,
    metric: str = "cosine",
) -> dict[Any, list[Any]]:
    """Search every query against the documents and return the run.

    ``compression``: ``None`` (exact float32), ``"int8"`` (SQ8 codes, asymmetric distance),
    ``"binary"`` (sign bits, Hamming), ``"pq:M"`` (FAISS product quantisation, ``M``
    sub-vectors) or ``"mrl:D"`` (first ``D`` dimensions, renormalised). ``rescore=R``: take
    ``R`` candidates from the compressed index and re-rank them by exact float32 scores; the run
    then holds ``min(k, R)`` documents per query.
    """
    from embedlab.retrieval.compression import (
        BinaryQuantizer,
        Int8Quantizer,
        MatryoshkaTruncation,
        make_compressor,
    )
    from embedlab.retrieval.compression import rescore as exact_rescore
    from embedlab.retrieval.index import make_index

    q = np.ascontiguousarray(query_vectors, dtype=np.float32)
    x = np.ascontiguousarray(doc_vectors, dtype=np.float32)
    if q.ndim != 2 or x.ndim != 2 or q.shape[1] != x.shape[1]:
        raise InvalidInputError(
            f"query vectors {q.shape} and document vectors {x.shape} must share their dimension."
        )
    if len(x) != len(doc_ids) or len(q) != len(query_ids):
        raise InvalidInputError("vectors and ids do not align.")
    if rescore is not None and (not isinstance(rescore, int) or rescore < 1):
        raise InvalidInputError(f"'rescore' must be an int >= 1; got {rescore!r}.")
    depth = rescore if rescore is not None else k
    dim = x.shape[1]
    qs, xs = q, x
    if compression is None:
        index = make_index("Flat", dim, metric)
    else:
        comp = make_compressor(compression)
        if isinstance(comp, MatryoshkaTruncation):
            comp.fit(x)
            qs, xs = comp.transform(q), comp.transform(x)
            index = make_index("Flat", comp.dim, metric)
        elif isinstance(comp, Int8Quantizer):
            index = make_index("SQ8", dim, metric)
        elif isinstance(comp, BinaryQuantizer):
            index = make_index("BFlat", dim, metric)
        else:
            index = make_index(f"PQ{comp.m}", dim, metric)
    index.train(xs).add(xs)
    _, pos = index.search(qs, depth)
    if rescore is not None:
        _, pos = exact_rescore(q, pos, x, min(k, rescore), metric=metric)
    docs = np.asarray(list(doc_ids), dtype=object)
    return {qid: [docs[p] for p in row if p >= 0] for qid, row in zip(query_ids, pos, strict=True)}
