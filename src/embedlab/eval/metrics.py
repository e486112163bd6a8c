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

import numpy as np

from embedlab.exceptions import InvalidInputError

__all__ = ["f1_micro_macro", "top_k_predictions"]


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
