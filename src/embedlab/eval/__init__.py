"""Evaluation of embeddings: one evaluator per task, the maths as pure functions in ``metrics``."""

from embedlab.eval.metrics import f1_micro_macro, top_k_predictions
from embedlab.eval.node_classification import NodeClassification

__all__ = ["NodeClassification", "f1_micro_macro", "top_k_predictions"]
