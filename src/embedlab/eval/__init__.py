"""Evaluation of embeddings: one evaluator per task, the maths as pure functions in ``metrics``.

Every evaluator declares ``name`` (its :data:`embedlab.registry.EVALUATORS` key),
``primary_metric`` (a key of every result) and ``greater_is_better``; :func:`best_of` reads
them (see :mod:`embedlab.eval.base`). The names are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedlab.utils._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.eval.base import Evaluator, best_of
    from embedlab.eval.clustering import Clustering
    from embedlab.eval.link_prediction import LinkPrediction, split_edges
    from embedlab.eval.metrics import (
        average_precision,
        f1_micro_macro,
        precision_at_k,
        ranking_average_precision,
        roc_auc,
        top_k_predictions,
    )
    from embedlab.eval.node_classification import NodeClassification
    from embedlab.eval.reconstruction import Reconstruction
    from embedlab.eval.retrieval import RetrievalEvaluation

__all__ = [
    "Clustering",
    "Evaluator",
    "LinkPrediction",
    "NodeClassification",
    "Reconstruction",
    "RetrievalEvaluation",
    "average_precision",
    "best_of",
    "f1_micro_macro",
    "precision_at_k",
    "ranking_average_precision",
    "roc_auc",
    "split_edges",
    "top_k_predictions",
]

_EXPORTS = {
    "Evaluator": "embedlab.eval.base",
    "best_of": "embedlab.eval.base",
    "Clustering": "embedlab.eval.clustering",
    "LinkPrediction": "embedlab.eval.link_prediction",
    "split_edges": "embedlab.eval.link_prediction",
    "NodeClassification": "embedlab.eval.node_classification",
    "Reconstruction": "embedlab.eval.reconstruction",
    "RetrievalEvaluation": "embedlab.eval.retrieval",
    "average_precision": "embedlab.eval.metrics",
    "f1_micro_macro": "embedlab.eval.metrics",
    "precision_at_k": "embedlab.eval.metrics",
    "ranking_average_precision": "embedlab.eval.metrics",
    "roc_auc": "embedlab.eval.metrics",
    "top_k_predictions": "embedlab.eval.metrics",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
