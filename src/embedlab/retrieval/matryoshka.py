r"""Adaptive retrieval with Matryoshka embeddings.

After Kusupati et al., "Matryoshka Representation Learning", NeurIPS 2022, section 4.3.

A Matryoshka-trained model packs coarse information into the first coordinates, so a short
prefix can shortlist and a longer one re-rank:

* :func:`adaptive_search`: the top ``shortlist`` documents by cosine over the first ``D_s``
  coordinates (exact search), re-ranked by cosine over the first ``D_r``;
* :func:`funnel_search`: the paper's funnel -- shortlist with ``dims[0]``, then at each stage
  keep half the candidates and use the next (larger) prefix, ending at ``k``.

Cost, in multiply-adds per query (what the MRL paper counts as FLOPs): ``N D_s + K D_r`` for
adaptive search over ``N`` documents with a shortlist of ``K``; the funnel sums
``K_i D_i`` over its stages. Prefixes are L2-renormalised, so scores are cosines.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.retrieval.compression._rescore import rescore
from embedlab.retrieval.index.flat import FlatIndex
from embedlab.utils.linalg import unit_rows

__all__ = ["adaptive_search", "funnel_search"]


def _check(queries: Any, docs: Any) -> tuple[np.ndarray, np.ndarray]:
    q = np.ascontiguousarray(queries, dtype=np.float32)
    x = np.ascontiguousarray(docs, dtype=np.float32)
    if q.ndim != 2 or x.ndim != 2 or q.shape[1] != x.shape[1] or not len(x):
        raise InvalidInputError(
            f"queries [n, d] and documents [N, d] must share d; got {q.shape} and {x.shape}."
        )
    return q, x


def _dim(d: int, full: int, name: str) -> int:
    if not isinstance(d, int | np.integer) or not 1 <= d <= full:
        raise InvalidInputError(f"{name} must be in [1, {full}]; got {d!r}.")
    return int(d)


def _shortlist(q: np.ndarray, x: np.ndarray, dim: int, size: int) -> np.ndarray:
    index = FlatIndex(dim, "ip").add(unit_rows(x, dim))
    return index.search(unit_rows(q, dim), size)[1]


def adaptive_search(
    queries: Any,
    docs: Any,
    k: int,
    *,
    shortlist_dim: int,
    rerank_dim: int,
    shortlist: int = 200,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Shortlist with ``shortlist_dim`` coordinates, re-rank with ``rerank_dim``.

    Returns ``(scores [n, k], positions [n, k], multiply-adds per query)``.

    >>> x = np.eye(4, dtype="float32")
    >>> scores, ids, flops = adaptive_search(
    ...     x[:1], x, 1, shortlist_dim=2, rerank_dim=4, shortlist=2
    ... )
    >>> ids.tolist(), flops
    ([[0]], 16.0)
    """
    q, x = _check(queries, docs)
    full = x.shape[1]
    ds = _dim(shortlist_dim, full, "shortlist_dim")
    dr = _dim(rerank_dim, full, "rerank_dim")
    if not isinstance(k, int) or not isinstance(shortlist, int) or not 1 <= k <= shortlist:
        raise InvalidInputError(f"need 1 <= k <= shortlist; got k={k!r}, shortlist={shortlist!r}.")
    cand = _shortlist(q, x, ds, min(shortlist, len(x)))
    scores, pos = rescore(unit_rows(q, dr), cand, unit_rows(x, dr), k, metric="ip")
    flops = float(len(x) * ds + min(shortlist, len(x)) * dr)
    return scores, pos, flops


def funnel_search(
    queries: Any,
    docs: Any,
    k: int,
    *,
    dims: Sequence[int] = (16, 32, 64, 128, 256),
    shortlist: int = 800,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Search by the MRL funnel.

    Shortlist ``shortlist`` with ``dims[0]``; each later stage re-ranks the survivors with
    ``dims[i]`` and keeps half of them (at least ``k``); the last keeps ``k``.

    Returns ``(scores [n, k], positions [n, k], multiply-adds per query)``.
    """
    q, x = _check(queries, docs)
    full = x.shape[1]
    stages = [_dim(d, full, "dims") for d in dims]
    if not stages or any(b <= a for a, b in pairwise(stages)):
        raise InvalidInputError(f"'dims' must increase; got {list(dims)!r}.")
    if not isinstance(k, int) or not isinstance(shortlist, int) or not 1 <= k <= shortlist:
        raise InvalidInputError(f"need 1 <= k <= shortlist; got k={k!r}, shortlist={shortlist!r}.")
    size = min(shortlist, len(x))
    cand = _shortlist(q, x, stages[0], size)
    scores = np.zeros(cand.shape, np.float32)
    flops = float(len(x) * stages[0])
    for i, d in enumerate(stages[1:], 1):
        keep = k if i == len(stages) - 1 else max(k, size // 2)
        flops += size * d
        scores, cand = rescore(unit_rows(q, d), cand, unit_rows(x, d), keep, metric="ip")
        size = keep
    if len(stages) == 1:
        scores, cand = rescore(unit_rows(q, stages[0]), cand, unit_rows(x, stages[0]), k)
    return scores, cand, flops
