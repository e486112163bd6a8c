"""Rescoring a compressed shortlist with full-precision vectors."""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError

__all__ = ["rescore"]


def rescore(
    queries: Any,
    candidates: Any,
    vectors: Any,
    k: int,
    *,
    metric: str = "ip",
) -> tuple[np.ndarray, np.ndarray]:
    """Re-rank each query's candidates by exact scores against full-precision ``vectors``.

    Parameters
    ----------
    queries : float32 [n, d]
    candidates : int64 [n, r]
        Row positions into ``vectors`` (an index's search result over positional ids); ``-1``
        pads short rows and never comes back.
    vectors : float32 [N, d]
    k : int
        Results kept (at most ``r``).
    metric : {"ip", "cosine", "l2"}
        ``cosine`` normalises queries and vectors; ``l2`` returns squared distances, smallest
        first; the others scores, largest first.

    Returns
    -------
    (scores float32 [n, k'], ids int64 [n, k']) with ``k' = min(k, r)``, FAISS's padding
    (``-1`` ids; ``-FLT_MAX`` scores, ``+FLT_MAX`` for l2). Ties: the lower id first.

    Examples
    --------
    >>> x = np.eye(3, dtype="float32")
    >>> rescore(np.array([[0.1, 0.9, 0.5]], "float32"), np.array([[0, 2, -1]]), x, 2)[1]
    array([[2, 0]])
    """
    if metric not in ("ip", "cosine", "l2"):
        raise InvalidInputError(f"'metric' must be 'ip', 'cosine' or 'l2'; got {metric!r}.")
    q = np.ascontiguousarray(queries, dtype=np.float32)
    c = np.asarray(candidates, dtype=np.int64)
    v = np.asarray(vectors, dtype=np.float32)
    if q.ndim != 2 or c.ndim != 2 or v.ndim != 2 or len(q) != len(c) or q.shape[1] != v.shape[1]:
        raise InvalidInputError(
            f"queries [n, d] {q.shape}, candidates [n, r] {c.shape} and vectors [N, d] {v.shape} "
            "do not align."
        )
    if not isinstance(k, int | np.integer) or k < 1:
        raise InvalidInputError(f"'k' must be an int >= 1; got {k!r}.")
    if c.size and (c.max() >= len(v) or c.min() < -1):
        raise InvalidInputError(f"candidate ids must lie in [-1, {len(v)}).")
    valid = c >= 0
    rows = v[np.where(valid, c, 0)]  # [n, r, d]
    if metric == "cosine":
        q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-30)
        rows = rows / np.maximum(np.linalg.norm(rows, axis=2, keepdims=True), 1e-30)
    dots = np.einsum("nd,nrd->nr", q, rows)
    big = np.finfo(np.float32).max
    if metric == "l2":
        key = (rows * rows).sum(axis=2) - 2 * dots + (q * q).sum(axis=1, keepdims=True)
        key = np.where(valid, key, np.inf)
    else:
        key = np.where(valid, -dots, np.inf)
    # smallest key first, the lower id among equals (ids of padding sort last with +inf keys)
    order = np.lexsort((np.where(valid, c, np.iinfo(np.int64).max), key), axis=1)[:, :k]
    out_ids = np.take_along_axis(np.where(valid, c, -1), order, axis=1)
    out_key = np.take_along_axis(key, order, axis=1)
    found = out_ids >= 0
    sign = 1.0 if metric == "l2" else -1.0  # back from keys (smaller first) to scores
    scores = np.where(found, sign * out_key, sign * big)
    return scores.astype(np.float32), out_ids
