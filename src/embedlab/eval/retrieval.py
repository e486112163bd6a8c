"""Retrieval evaluation with BEIR / pytrec_eval semantics: nDCG@k, Recall@k, MRR@k, MAP@k.

A *run* is, per query, its retrieved documents:

* a mapping ``{query_id: [doc_id, ...]}``, best first, in the list's order;
* a BEIR / pytrec_eval run ``{query_id: {doc_id: score}}``, ranked as trec_eval ranks it: by
  score, highest first, ties broken by document id in *decreasing* string order;
* or a pair ``(query_ids, doc_ids)`` where ``doc_ids`` is an ``[n_queries, k]`` array (an
  index's search result mapped to document ids; ``None``/``-1`` pads short rows).

A document listed twice for one query counts once, at its first (best) rank. Scores are means
over the queries that have judgements; a judged query missing from the run scores 0; queries
without judgements are skipped. The per-query maths is
:func:`embedlab.eval.metrics.query_retrieval_metrics`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from embedlab.eval.metrics import query_retrieval_metrics
from embedlab.exceptions import InvalidInputError

__all__ = ["RetrievalEvaluation", "dense_retrieval_run"]


def _ranked(docs: Any) -> list[Any]:
    """One query's documents best first, each once (its first occurrence)."""
    if isinstance(docs, Mapping):
        # trec_eval's order (usnistgov/trec_eval, form_res_rels.c, comp_sim_docno): "sort
        # results by sim, breaking ties lexicographically using docno" -- sim decreasing, then
        # strcmp(p2->docno, p1->docno), i.e. docno decreasing; pytrec_eval hands runs to that
        # same code. str order is code-point order, which is UTF-8 byte order, as strcmp.
        order = sorted(docs.items(), key=lambda kv: (float(kv[1]), str(kv[0])), reverse=True)
        docs = [d for d, _ in order]
    return list(dict.fromkeys(docs))


def _as_run(run: Any) -> dict[Any, list[Any]]:
    if isinstance(run, Mapping):
        return {q: _ranked(d) for q, d in run.items()}
    if isinstance(run, tuple) and len(run) == 2:
        qids, docs = run
        docs = np.asarray(docs, dtype=object)
        if docs.ndim != 2 or len(docs) != len(qids):
            raise InvalidInputError(
                f"A run pair needs doc_ids [n_queries, k] aligned with {len(qids)} query ids; "
                f"got shape {docs.shape}."
            )
        pad = {None, -1, "-1"}
        return {
            q: _ranked(d for d in row if d not in pad) for q, row in zip(qids, docs, strict=True)
        }
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

    name = "retrieval"
    greater_is_better = True

    @property
    def primary_metric(self) -> str:
        """``ndcg@10`` when 10 is a cut-off (BEIR's headline metric), else nDCG at the first."""
        ks = self._check()
        return "ndcg@10" if 10 in ks else f"ndcg@{ks[0]}"

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

    Parameters
    ----------
    query_vectors : float32 [n_queries, d]
    doc_vectors : float32 [n_docs, d]
    doc_ids : sequence
        One id per document row.
    query_ids : sequence
        One id per query row.
    k : int, default=100
        Documents per query (at most the number of documents).
    compression : str or None, default=None
        An index spec (:mod:`embedlab.retrieval.spec`): ``None`` or ``"Flat"`` (exact
        float32), ``"SQ8"`` (int8 codes, asymmetric distance), ``"BFlat"`` (sign bits,
        Hamming), ``"PQ<M>"`` (FAISS product quantisation, ``M`` sub-vectors),
        ``"MRL<D>"`` (first ``D`` dimensions, renormalised), chains such as ``"MRL256,SQ8"``,
        or any FAISS factory string. The old names ``int8``, ``binary``, ``pq:M`` and
        ``mrl:D`` are aliases of ``SQ8``, ``BFlat``, ``PQM`` and ``MRLD``.
    rescore : int or None, default=None
        Re-rank the compressed index's first ``rescore`` candidates by exact float32 scores;
        candidates ``rescore + 1 .. k`` follow in the compressed order, so the run always holds
        ``k`` documents and metrics at every cut-off up to ``k`` stay meaningful.
    metric : {"cosine", "ip", "l2"}, default="cosine"

    Returns
    -------
    dict
        ``{query_id: [doc_id, ...]}``, best first.

    Examples
    --------
    >>> x = np.eye(3, dtype="float32")
    >>> dense_retrieval_run(x[:1], x, ["a", "b", "c"], ["q"], k=2, compression="int8")
    {'q': ['a', 'b']}
    """
    from embedlab.retrieval.compression import rescore as exact_rescore
    from embedlab.retrieval.spec import make_index
    from embedlab.utils.linalg import as_float_matrix

    q = as_float_matrix(query_vectors, "query vectors", allow_empty=True)
    x = as_float_matrix(doc_vectors, "document vectors", dim=q.shape[1])
    if len(x) != len(doc_ids) or len(q) != len(query_ids):
        raise InvalidInputError("vectors and ids do not align.")
    if not isinstance(k, int | np.integer) or k < 1:
        raise InvalidInputError(f"'k' must be an int >= 1; got {k!r}.")
    if rescore is not None and (not isinstance(rescore, int) or rescore < 1):
        raise InvalidInputError(f"'rescore' must be an int >= 1; got {rescore!r}.")
    depth = max(k, rescore) if rescore is not None else k
    index = make_index(compression or "Flat", x.shape[1], metric)
    index.train(x).add(x)
    _, pos = index.search(q, depth)
    if rescore is not None:
        head, tail = pos[:, :rescore], pos[:, rescore:k]
        _, head = exact_rescore(q, head, x, min(k, head.shape[1]), metric=metric)
        pos = np.hstack([head, tail]) if tail.shape[1] else head
    docs = np.asarray(list(doc_ids), dtype=object)
    return {qid: [docs[p] for p in row if p >= 0] for qid, row in zip(query_ids, pos, strict=True)}
