"""Filtered link-prediction ranking (Bordes et al., NeurIPS 2013): MRR and Hits@k.

Each test triple ``(h, r, t)`` is ranked in both directions: the tail query ``(h, r, ?)`` and the
head query ``(?, r, t)``, the latter asked as the tail query ``(t, r + R, ?)`` of the reciprocal
relation (:meth:`embedlab.io.TripleSet.queries`). A query's candidates are all ``E`` entities;
*filtered* means every other entity ``e`` for which ``(h, r, e)`` is a known triple (in any split)
is removed before ranking, so other correct answers do not count against the model.

With ``s`` the target's score and ``S`` the scores of the remaining candidates:

* ``pessimistic``: ``rank = 1 + #{S >= s}`` — the NFE reference (``main.py``: the filtered
  entries are set to ``-1e8``, then ``sum(scores >= target) + 1``); a constant score gets rank E;
* ``optimistic``: ``rank = 1 + #{S > s}``;
* ``realistic``: the mean of the two, PyKEEN's default (the expected rank under random
  tie-breaking).

Then ``MRR = mean(1 / rank)``, ``MR = mean(rank)``, ``Hits@k = mean(rank <= k)`` over the
``2 n`` queries. A score that is NaN is an error (a diverged model), never silently ranked.

Cost: one ``[B, E]`` score block per batch of ``B`` queries, ``O(B E)`` comparisons; the filter is
gathered from the CSR :class:`~embedlab.io.FilterIndex` without a Python loop per query. Memory
``O(B E)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.io._triples import FilterIndex, TripleSet

__all__ = [
    "TIES",
    "check_ties",
    "filtered_ranks",
    "rank_metrics",
    "rank_queries",
    "ranks_from_scores",
]

#: the tie rules (see the module docstring)
TIES = ("pessimistic", "optimistic", "realistic")


def check_ties(ties: str) -> str:
    """Return ``ties`` if it is one of :data:`TIES`, else the error naming the choices."""
    if ties not in TIES:
        raise InvalidInputError(f"'ties' must be one of {', '.join(TIES)}; got {ties!r}.")
    return ties


def ranks_from_scores(
    scores: np.ndarray,
    targets: np.ndarray,
    filter_rows: np.ndarray | None = None,
    filter_cols: np.ndarray | None = None,
    *,
    ties: str = "pessimistic",
) -> np.ndarray:
    """Rank (filtered, float64 ``[B]``) ``targets`` in the rows of ``scores`` ``[B, E]``.

    ``(filter_rows, filter_cols)`` mark the known answers to remove (the target itself may be
    among them: it is never removed from its own ranking). ``scores`` is not modified; infinite
    scores rank like any other value (a ``-inf`` target ties with every ``-inf`` candidate).

    Examples
    --------
    >>> s = np.array([[0.9, 0.5, 0.5, 0.1]])
    >>> ranks_from_scores(s, np.array([1])).tolist()  # 0.9 above, 0.5 tied
    [3.0]
    >>> ranks_from_scores(s, np.array([1]), ties="optimistic").tolist()
    [2.0]
    >>> ranks_from_scores(s, np.array([1]), np.array([0]), np.array([0]), ties="realistic").tolist()
    [1.5]
    """
    check_ties(ties)
    s = np.asarray(scores)
    if s.ndim != 2:
        raise InvalidInputError(f"'scores' must be a [B, E] array; got shape {s.shape}.")
    tgt = np.asarray(targets, dtype=np.int64)
    if tgt.shape != (s.shape[0],):
        raise InvalidInputError(
            f"'targets' must hold one entity per score row ({s.shape[0]}); got shape {tgt.shape}."
        )
    if len(tgt) and (tgt.min() < 0 or tgt.max() >= s.shape[1]):
        raise InvalidInputError(f"'targets' must be entity ids in [0, {s.shape[1]}).")
    if np.isnan(s).any():
        raise InvalidInputError(
            "The model's scores contain NaN (training diverged?): lower the learning rate or "
            "check the inputs."
        )
    rows = np.arange(len(tgt))
    t = s[rows, tgt].astype(np.float64)[:, None]
    removed = np.zeros(s.shape, dtype=bool)
    if filter_rows is not None and filter_cols is not None and len(filter_rows):
        removed[filter_rows, filter_cols] = True
    removed[rows, tgt] = True  # the target never counts against itself
    kept = ~removed
    higher = ((s > t) & kept).sum(axis=1)
    if ties == "optimistic":
        return (1.0 + higher).astype(np.float64)
    equal = ((s == t) & kept).sum(axis=1)
    pess = 1.0 + higher + equal
    if ties == "pessimistic":
        return pess.astype(np.float64)
    return (1.0 + higher + pess) / 2.0


def filtered_ranks(
    score_all: Callable[[np.ndarray, np.ndarray], np.ndarray],
    queries: np.ndarray,
    filter_index: FilterIndex | None,
    *,
    ties: str = "pessimistic",
    batch_size: int = 512,
) -> np.ndarray:
    """Ranks of the tail queries ``queries`` ``[n, 3]`` under ``score_all(heads, relations)``.

    ``score_all`` returns the ``[B, E]`` NumPy scores of a batch of (head, relation) ids;
    ``filter_index`` ``None`` gives the *raw* (unfiltered) ranks.
    """
    check_ties(ties)
    q = np.asarray(queries, dtype=np.int64)
    if q.ndim != 2 or q.shape[1] != 3:
        raise InvalidInputError(f"'queries' must be an int array [n, 3]; got shape {q.shape}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidInputError(f"'batch_size' must be an int >= 1; got {batch_size!r}.")
    out = np.empty(len(q), dtype=np.float64)
    for start in range(0, len(q), batch_size):
        b = q[start : start + batch_size]
        scores = np.asarray(score_all(b[:, 0], b[:, 1]))
        rows: np.ndarray | None = None
        cols: np.ndarray | None = None
        if filter_index is not None:
            rows, cols = filter_index.pairs(b[:, 0], b[:, 1])
        out[start : start + len(b)] = ranks_from_scores(scores, b[:, 2], rows, cols, ties=ties)
    return out


def rank_metrics(ranks: np.ndarray, ks: Sequence[int] = (1, 3, 10)) -> dict[str, float]:
    """``{"mrr", "mr", "hits@k"...}`` of an array of ranks.

    >>> {k: round(v, 4) for k, v in rank_metrics(np.array([1.0, 2.0, 4.0, 20.0])).items()}
    {'mrr': 0.45, 'mr': 6.75, 'hits@1': 0.25, 'hits@3': 0.5, 'hits@10': 0.75}
    """
    r = np.asarray(ranks, dtype=np.float64)
    if r.size == 0:
        raise InvalidInputError("No ranks to summarise: the split holds no triples.")
    out = {"mrr": float(np.mean(1.0 / r)), "mr": float(np.mean(r))}
    for k in ks:
        out[f"hits@{k}"] = float(np.mean(r <= k))
    return out


def rank_queries(
    score_all: Callable[[np.ndarray, np.ndarray], np.ndarray],
    triples: TripleSet,
    split: str = "test",
    *,
    ties: str = "pessimistic",
    filtered: bool = True,
    batch_size: int = 512,
    filter_index: FilterIndex | None = None,
) -> dict[str, Any]:
    """Compute filtered MRR / MR / Hits@1,3,10 of a split: both directions and each apart.

    Returns the metrics of all ``2 n`` queries, plus ``"tail"`` and ``"head"`` dicts of the same
    metrics over the tail and the head queries alone.
    """
    queries = triples.queries(split)
    if len(queries) == 0:
        raise InvalidInputError(f"The {split!r} split of {triples.name!r} holds no triples.")
    fi = (filter_index or triples.filter_index()) if filtered else None
    ranks = filtered_ranks(score_all, queries, fi, ties=ties, batch_size=batch_size)
    n = len(queries) // 2
    out: dict[str, Any] = rank_metrics(ranks)
    out["tail"] = rank_metrics(ranks[:n])
    out["head"] = rank_metrics(ranks[n:])
    return out
