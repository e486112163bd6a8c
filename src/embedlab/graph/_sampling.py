"""Walker's alias method: O(1) draws from a fixed discrete distribution.

Vose, "A Linear Algorithm for Generating Random Numbers with a Given Distribution", IEEE TSE 1991.
Used for the skip-gram negatives (``deg ** 0.75``, word2vec's unigram table without its
rounding) and for LINE's edge sampling (edges in proportion to their weight). Memory: 12 bytes
per outcome; a draw reads one slot.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from embedlab.exceptions import InvalidInputError

__all__ = ["alias_draw", "alias_probabilities", "alias_table"]


@njit(cache=True)
def _vose(p: np.ndarray, prob: np.ndarray, alias: np.ndarray) -> None:
    n = p.shape[0]
    scaled = p * n
    small = np.empty(n, dtype=np.int64)
    large = np.empty(n, dtype=np.int64)
    ns = nl = 0
    for i in range(n):
        if scaled[i] < 1.0:
            small[ns] = i
            ns += 1
        else:
            large[nl] = i
            nl += 1
    while ns > 0 and nl > 0:
        ns -= 1
        s = small[ns]
        g = large[nl - 1]
        prob[s] = scaled[s]
        alias[s] = g
        scaled[g] = (scaled[g] + scaled[s]) - 1.0
        if scaled[g] < 1.0:
            nl -= 1
            small[ns] = g
            ns += 1
    for k in range(nl):  # what is left has probability 1 up to rounding
        prob[large[k]] = 1.0
        alias[large[k]] = large[k]
    for k in range(ns):
        prob[small[k]] = 1.0
        alias[small[k]] = small[k]


def alias_table(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(prob, alias)`` for drawing ``i`` with probability ``weights[i] / sum(weights)``.

    >>> prob, alias = alias_table(np.array([1.0, 3.0]))
    >>> prob.tolist(), alias.tolist()
    ([0.5, 1.0], [1, 1])
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or len(w) == 0:
        raise InvalidInputError(
            f"alias_table needs a non-empty 1-d array of weights; got {w.shape}."
        )
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise InvalidInputError(
            "alias_table needs finite, non-negative weights with a positive sum."
        )
    prob = np.empty(len(w), dtype=np.float64)
    alias = np.empty(len(w), dtype=np.int32 if len(w) < 2**31 else np.int64)
    _vose(w / w.sum(), prob, alias)
    return prob, alias


def alias_probabilities(prob: np.ndarray, alias: np.ndarray) -> np.ndarray:
    """Return the distribution a table draws from (for checks).

    It is ``(prob[i] + sum of 1 - prob[j] over the j aliased to i) / n``.
    """
    n = len(prob)
    out = np.asarray(prob, dtype=np.float64).copy()
    np.add.at(out, alias, 1.0 - prob)
    return out / n


@njit(cache=True, nogil=True, inline="always")
def alias_draw(prob: np.ndarray, alias: np.ndarray, u: float) -> int:
    """Return the outcome for one uniform ``u`` in ``[0, 1)``.

    Slot ``floor(u n)``, kept if the remainder is below its probability, else its alias.
    """
    n = prob.shape[0]
    x = u * n
    i = min(int(x), n - 1)
    if x - i < prob[i]:
        return i
    return alias[i]
