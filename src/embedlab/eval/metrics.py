r"""Metric maths as pure functions, tested against hand-computed values.

Multi-label F1 (as ``sklearn.metrics.f1_score`` with ``zero_division=0``), over a binary
indicator matrix of ``n`` samples and ``L`` labels:

.. math::
    \mathrm{F1}_{micro} = \frac{2\,TP}{2\,TP + FP + FN}, \qquad
    \mathrm{F1}_{macro} = \frac{1}{L}\sum_{l=1}^{L} \frac{2\,TP_l}{2\,TP_l + FP_l + FN_l},

where the sums run over all labels and a label with :math:`2TP_l + FP_l + FN_l = 0` scores 0
(the DeepWalk protocol's convention, so labels absent from a test split count against Macro-F1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError

__all__ = [
    "alignment",
    "average_precision",
    "class_retrieval_metrics",
    "effective_rank",
    "f1_micro_macro",
    "log_loss",
    "precision_at_k",
    "query_retrieval_metrics",
    "ranking_average_precision",
    "roc_auc",
    "top_k_predictions",
    "uniformity",
]


def top_k_predictions(scores: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Binary predictions: the ``k[i]`` highest-scoring labels of each row (ties: lower index).

    >>> top_k_predictions(np.array([[0.1, 0.9, 0.5], [0.7, 0.2, 0.7]]), np.array([2, 1])).tolist()
    [[False, True, True], [True, False, False]]
    """
    scores = np.asarray(scores)
    k = np.asarray(k, dtype=np.int64)
    if scores.ndim != 2 or k.shape != (scores.shape[0],):
        raise InvalidInputError(
            f"scores must be [n, L] and k [n]; got {scores.shape} and {k.shape}."
        )
    if (k < 0).any() or (k > scores.shape[1]).any():
        raise InvalidInputError(f"k must lie in [0, {scores.shape[1]}].")
    order = np.argsort(-scores, axis=1, kind="stable")
    rank = np.empty_like(order)
    rows = np.arange(scores.shape[0])[:, None]
    rank[rows, order] = np.arange(scores.shape[1])[None, :]
    return rank < k[:, None]


def f1_micro_macro(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[float, float]:
    """(Micro-F1, Macro-F1) of binary indicator matrices ``[n, L]``.

    >>> t = np.array([[1, 0], [1, 1], [0, 1]], dtype=bool)
    >>> p = np.array([[1, 0], [0, 1], [1, 0]], dtype=bool)
    >>> [round(v, 4) for v in f1_micro_macro(t, p)]
    [0.5714, 0.5833]
    """
    t = np.asarray(y_true, dtype=bool)
    p = np.asarray(y_pred, dtype=bool)
    if t.shape != p.shape or t.ndim != 2:
        raise InvalidInputError(
            f"y_true and y_pred must be equal-shape [n, L]; got {t.shape}, {p.shape}."
        )
    tp = (t & p).sum(axis=0).astype(np.float64)
    fp = (~t & p).sum(axis=0).astype(np.float64)
    fn = (t & ~p).sum(axis=0).astype(np.float64)
    denom_micro = 2 * tp.sum() + fp.sum() + fn.sum()
    micro = 2 * tp.sum() / denom_micro if denom_micro else 0.0
    denom = 2 * tp + fp + fn
    per = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    macro = float(per.mean()) if per.size else 0.0
    return float(micro), macro


def _binary(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(y_true).astype(bool).ravel()
    s = np.asarray(scores, dtype=np.float64).ravel()
    if t.shape != s.shape:
        raise InvalidInputError(f"y_true and scores differ in length: {t.shape} vs {s.shape}.")
    if not np.isfinite(s).all():
        raise InvalidInputError("scores hold NaN or infinite values.")
    if t.all() or not t.any():
        raise InvalidInputError("y_true needs both positive and negative examples.")
    return t, s


def roc_auc(y_true: np.ndarray, scores: np.ndarray) -> float:
    r"""Area under the ROC curve: :math:`P(s^+ > s^-) + \frac12 P(s^+ = s^-)` (Mann–Whitney U).

    Tied scores count half (average ranks), as ``sklearn.metrics.roc_auc_score``.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Binary labels (both classes present).
    scores : array-like of shape (n,)
        Finite scores, higher meaning positive.

    Returns
    -------
    float

    Examples
    --------
    >>> roc_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    0.75
    >>> roc_auc(np.array([0, 1]), np.array([0.5, 0.5]))  # a tie counts half
    0.5
    """
    from scipy.stats import rankdata

    t, s = _binary(y_true, scores)
    ranks = rankdata(s)  # average ranks for ties
    n_pos, n_neg = int(t.sum()), int((~t).sum())
    return float((ranks[t].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def log_loss(y_true: np.ndarray, probabilities: np.ndarray, *, eps: float = 1e-7) -> float:
    r"""Mean binary cross-entropy :math:`-\frac1n\sum_i y_i \log p_i + (1 - y_i)\log(1 - p_i)`.

    Probabilities are clipped to ``[eps, 1 - eps]`` so a confident mistake costs
    :math:`-\log \epsilon` rather than infinity.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Labels in ``{0, 1}``.
    probabilities : array-like of shape (n,)
        Predicted probabilities of the positive class.
    eps : float, default=1e-7
        The clipping margin.

    Returns
    -------
    float

    Examples
    --------
    >>> round(log_loss(np.array([1, 0]), np.array([0.5, 0.5])), 4)  # log 2
    0.6931
    """
    y = np.asarray(y_true, dtype=np.float64).ravel()
    q = np.asarray(probabilities, dtype=np.float64).ravel()
    if y.shape != q.shape or y.size == 0:
        raise InvalidInputError(
            f"y_true and probabilities must be non-empty and of one length: {y.shape} vs {q.shape}."
        )
    q = np.clip(q, eps, 1 - eps)
    return float(-(y * np.log(q) + (1 - y) * np.log(1 - q)).mean())


def average_precision(y_true: np.ndarray, scores: np.ndarray) -> float:
    r"""Compute the average precision, :math:`\sum_k (R_k - R_{k-1}) P_k`.

    The sum runs over distinct score thresholds (scikit-learn's definition: tied scores form one
    threshold).

    >>> round(average_precision(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])), 4)
    0.8333
    """
    t, s = _binary(y_true, scores)
    order = np.argsort(-s, kind="stable")
    s_sorted, t_sorted = s[order], t[order]
    last = np.r_[np.flatnonzero(np.diff(s_sorted)), len(s_sorted) - 1]  # end of each tie group
    tp = np.cumsum(t_sorted)[last]
    precision = tp / (last + 1)
    recall = tp / t.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def ranking_average_precision(relevant: np.ndarray, scores: np.ndarray) -> np.ndarray:
    r"""Per-row average precision of a full ranking (GEM's ``computeMAP``, used by RESTORE).

    Row ``i`` ranks all columns by ``scores[i]`` (descending, ties by column order);
    :math:`AP_i = \frac{1}{|H_i|}\sum_{k:\,\mathrm{rel}(k)} P_i@k` over the hit positions ``k``.
    Rows without any relevant column get NaN.

    >>> ranking_average_precision(np.array([[1, 0, 1]]), np.array([[0.9, 0.8, 0.1]])).tolist()
    [0.8333333333333333]
    """
    rel = np.asarray(relevant, dtype=bool)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), axis=1, kind="stable")
    hits = np.take_along_axis(rel, order, axis=1)
    cum = np.cumsum(hits, axis=1)
    prec = cum / np.arange(1, rel.shape[1] + 1)[None, :]
    n_rel = hits.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_rel > 0, (prec * hits).sum(axis=1) / n_rel, np.nan)


def precision_at_k(relevant: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Per-row fraction of the ``k`` highest-scoring columns that are relevant.

    >>> precision_at_k(np.array([[1, 0, 1]]), np.array([[0.9, 0.8, 0.1]]), 2).tolist()
    [0.5]
    """
    rel = np.asarray(relevant, dtype=bool)
    k = min(int(k), rel.shape[1])
    top = np.argpartition(-np.asarray(scores, dtype=np.float64), k - 1, axis=1)[:, :k]
    return np.take_along_axis(rel, top, axis=1).sum(axis=1) / k


def query_retrieval_metrics(
    ranked: Sequence[Any], judged: Mapping[Any, float], k_values: Sequence[int]
) -> dict[str, float]:
    r"""Compute nDCG@k, Recall@k, MRR@k and MAP@k of one query, with trec_eval's semantics.

    These are ``pytrec_eval``'s ``ndcg_cut``, ``recall`` and ``map_cut``; MRR is as BEIR
    computes it.

    ``ranked`` holds distinct document ids, best first; ``judged`` maps document ids to graded
    relevance. A document is relevant when its grade is >= 1; unjudged documents and grades
    <= 0 have gain 0.

    .. math::
        \mathrm{nDCG@k} = \frac{\sum_{i \le k} g_i / \log_2(i + 1)}
        {\sum_{i \le k} g^*_i / \log_2(i + 1)}, \quad
        \mathrm{Recall@k} = \frac{|\mathrm{rel} \cap \mathrm{top}_k|}{|\mathrm{rel}|}, \quad
        \mathrm{MAP@k} = \frac{1}{|\mathrm{rel}|} \sum_{i \le k,\, d_i \in \mathrm{rel}}
        \mathrm{P@}i,

    with :math:`g_i` the grade at rank :math:`i` (the raw grade, as trec_eval), :math:`g^*` the
    grades sorted decreasingly, and MRR@k the reciprocal rank of the first relevant document
    within the top k (0 if none). A query with no relevant document scores 0 everywhere.

    >>> m = query_retrieval_metrics(["a", "x", "b"], {"a": 1, "b": 2}, [2, 3])
    >>> {k: round(v, 4) for k, v in m.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'ndcg@2': 0.3801, 'recall@2': 0.5, 'mrr@2': 1.0, 'map@2': 0.5,
     'ndcg@3': 0.7602, 'recall@3': 1.0, 'mrr@3': 1.0, 'map@3': 0.8333}
    """
    grades = [float(judged.get(d, 0.0)) for d in ranked]
    n_rel = sum(1 for g in judged.values() if g >= 1)
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)
    out: dict[str, float] = {}
    for k in k_values:
        if k < 1:
            raise InvalidInputError(f"k must be >= 1; got {k}.")
        top = grades[:k]
        dcg = sum(g / np.log2(i + 2) for i, g in enumerate(top) if g > 0)
        idcg = sum(g / np.log2(i + 2) for i, g in enumerate(ideal[:k]))
        hits = [i for i, g in enumerate(top) if g >= 1]
        out[f"ndcg@{k}"] = float(dcg / idcg) if idcg > 0 else 0.0
        out[f"recall@{k}"] = len(hits) / n_rel if n_rel else 0.0
        out[f"mrr@{k}"] = 1.0 / (hits[0] + 1) if hits else 0.0
        out[f"map@{k}"] = (
            sum((j + 1) / (i + 1) for j, i in enumerate(hits)) / n_rel if n_rel else 0.0
        )
    return out


def _matrix(x: Any, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise InvalidInputError(f"{name!r} must be a non-empty 2-D array; got shape {a.shape}.")
    if not np.isfinite(a).all():
        raise InvalidInputError(f"{name!r} holds NaN or infinite values.")
    return a


def _labels(y: Any, n: int, name: str) -> np.ndarray:
    a = np.asarray(y)
    if a.shape != (n,):
        raise InvalidInputError(f"{name!r} must hold one label per row ({n}); got shape {a.shape}.")
    return a


def class_retrieval_metrics(
    embeddings: Any,
    labels: Any,
    *,
    k: Sequence[int] = (1,),
    gallery: Any = None,
    gallery_labels: Any = None,
    metric: str = "euclidean",
    block_size: int = 1024,
) -> dict[str, float]:
    r"""Recall@k and MAP@R of retrieval by class (the deep-metric-learning protocol).

    Each query's gallery items are ranked by distance (``"euclidean"``, or ``"cosine"``: the
    rows L2-normalised first), ties in the order of the gallery rows. Without ``gallery`` the
    queries are their own gallery and each query's own row is left out (leave-one-out). With
    ``rel_i = 1`` when the item at rank ``i`` shares the query's label and ``R`` the number of
    gallery items that do (Musgrave, Belongie & Lim, "A Metric Learning Reality Check",
    ECCV 2020):

    .. math::
        \mathrm{Recall@k} = [\exists\, i \le k: rel_i = 1], \qquad
        \mathrm{MAP@R} = \frac{1}{R} \sum_{i=1}^{R} \mathrm{P@}i \; rel_i,

    each averaged over the queries that have ``R >= 1`` (Recall@k as in Song et al., 2016, and
    the FaceNet / Metrix tables: a hit if any of the k nearest is of the class). Cost:
    ``O(n_q n_g d)`` time, ``O(block_size n_g)`` memory.

    >>> x = np.array([[0.0], [0.1], [1.0], [1.2]])
    >>> class_retrieval_metrics(x, [0, 0, 1, 1], k=(1,))
    {'recall@1': 1.0, 'map@r': 1.0}
    >>> class_retrieval_metrics(x, [0, 1, 0, 1], k=(1, 2))
    {'recall@1': 0.0, 'recall@2': 0.5, 'map@r': 0.0}
    """
    q = _matrix(embeddings, "embeddings")
    yq = _labels(labels, len(q), "labels")
    loo = gallery is None
    if loo:
        if gallery_labels is not None:
            raise InvalidInputError("'gallery_labels' needs 'gallery'.")
        g, yg = q, yq
    else:
        g = _matrix(gallery, "gallery")
        if gallery_labels is None:
            raise InvalidInputError("'gallery' needs 'gallery_labels'.")
        yg = _labels(gallery_labels, len(g), "gallery_labels")
        if g.shape[1] != q.shape[1]:
            raise InvalidInputError(
                f"'gallery' has {g.shape[1]} columns; the queries have {q.shape[1]}."
            )
    if (
        not isinstance(k, Sequence)
        or not k
        or any(isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1 for v in k)
    ):
        raise InvalidInputError(f"'k' must be a non-empty sequence of ints >= 1; got {k!r}.")
    ks = [int(v) for v in k]
    if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 1:
        raise InvalidInputError(f"'block_size' must be an int >= 1; got {block_size!r}.")
    if metric not in ("euclidean", "cosine"):
        raise InvalidInputError(f"'metric' must be 'euclidean' or 'cosine'; got {metric!r}.")
    if metric == "cosine":
        q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
        g = q if loo else g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-12)
    classes, counts = np.unique(yg, return_counts=True)
    pos = np.searchsorted(classes, yq)
    known = (pos < len(classes)) & (classes[np.minimum(pos, len(classes) - 1)] == yq)
    r = np.where(known, counts[np.minimum(pos, len(classes) - 1)], 0) - (1 if loo else 0)
    depth = min(max(max(ks), int(r.max(initial=0))), len(g) - (1 if loo else 0))
    g_sq = (g * g).sum(axis=1)
    hits = {kk: 0.0 for kk in ks}
    ap_sum = 0.0
    for start in range(0, len(q), block_size):
        qb = q[start : start + block_size]
        d = g_sq[None, :] - 2.0 * qb @ g.T
        if loo:
            d[np.arange(len(qb)), np.arange(start, start + len(qb))] = np.inf
        order = np.argsort(d, axis=1, kind="stable")[:, :depth]
        rel = (yg[order] == yq[start : start + len(qb), None]) & np.isfinite(
            np.take_along_axis(d, order, axis=1)
        )
        rb = r[start : start + len(qb)]
        ok = rb >= 1
        for kk in ks:
            hits[kk] += float(rel[ok, :kk].any(axis=1).sum())
        prec = np.cumsum(rel, axis=1) / np.arange(1, depth + 1)
        within = np.arange(depth)[None, :] < rb[:, None]
        ap = (prec * rel * within).sum(axis=1)
        ap_sum += float((ap[ok] / rb[ok]).sum())
    n_ok = int((r >= 1).sum())
    if n_ok == 0:
        raise InvalidInputError("No query has an item of its class in the gallery.")
    out = {f"recall@{kk}": hits[kk] / n_ok for kk in ks}
    out["map@r"] = ap_sum / n_ok
    return out


def uniformity(embeddings: Any, *, t: float = 2.0) -> float:
    r"""Return Wang & Isola's uniformity loss (ICML 2020) over all distinct pairs of rows.

    Lower is more uniform:

    .. math:: \mathcal{L}_{uniform} = \log \frac{2}{n(n-1)} \sum_{i<j} e^{-t \|x_i - x_j\|^2}.

    Rows are used as given (the paper's embeddings are on the unit sphere). Cost ``O(n^2 d)``.

    >>> round(uniformity(np.array([[1.0, 0.0], [-1.0, 0.0]])), 3)  # one pair at distance 2
    -8.0
    """
    x = _matrix(embeddings, "embeddings")
    if isinstance(t, bool) or not isinstance(t, int | float) or not t > 0:
        raise InvalidInputError(f"'t' must be a number > 0; got {t!r}.")
    if len(x) < 2:
        raise InvalidInputError("'embeddings' needs at least two rows.")
    sq = (x * x).sum(axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * x @ x.T, 0.0)
    iu = np.triu_indices(len(x), k=1)
    v = -float(t) * d2[iu]
    m = v.max()
    return float(m + np.log(np.exp(v - m).mean()))


def alignment(x: Any, y: Any, *, alpha: float = 2.0) -> float:
    r"""Return Wang & Isola's alignment loss, the mean of :math:`\|x_i - y_i\|^\alpha`.

    Over the positive pairs (row ``i`` of ``x`` with row ``i`` of ``y``); lower = better aligned.

    >>> alignment(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]))
    25.0
    """
    a = _matrix(x, "x")
    b = _matrix(y, "y")
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not alpha > 0:
        raise InvalidInputError(f"'alpha' must be a number > 0; got {alpha!r}.")
    if a.shape != b.shape:
        raise InvalidInputError(f"'x' and 'y' must have one shape; got {a.shape} and {b.shape}.")
    return float((np.linalg.norm(a - b, axis=1) ** float(alpha)).mean())


def effective_rank(embeddings: Any) -> float:
    r"""Return Roy & Vetterli's effective rank (EUSIPCO 2007) of the matrix of rows.

    .. math:: \mathrm{erank}(X) = \exp\Big(-\sum_i p_i \log p_i\Big), \qquad
        p_i = \sigma_i / \textstyle\sum_j \sigma_j,

    over the singular values :math:`\sigma` (zeros contribute nothing). 1 for a rank-one matrix,
    ``d`` when all ``d`` singular values are equal.

    >>> round(effective_rank(np.eye(4)), 6)
    4.0
    >>> round(effective_rank(np.outer([1.0, 2.0, 3.0], [1.0, -1.0])), 6)
    1.0
    """
    x = _matrix(embeddings, "embeddings")
    s = np.linalg.svd(x, compute_uv=False)
    if s.sum() <= 0:
        raise InvalidInputError("'embeddings' is all zeros: its effective rank is undefined.")
    p = s / s.sum()
    p = p[p > 0]
    return float(np.exp(-(p * np.log(p)).sum()))
