"""Evaluation of embeddings: one evaluator per task, the maths as pure functions in ``metrics``."""

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

__all__ = [
    "Clustering",
    "LinkPrediction",
    "NodeClassification",
    "Reconstruction",
    "average_precision",
    "f1_micro_macro",
    "precision_at_k",
    "ranking_average_precision",
    "roc_auc",
    "split_edges",
    "top_k_predictions",
]
