"""Models on embedding tables.

Retrieval (MF, LightGCN: :mod:`.retrieval`), CTR (DeepFM, DCN-v2: :mod:`.ctr`) and next-item
session models (M2TRec, item-ID free; SASRec: :mod:`.session`).
"""

from embedlab.tables.models.ctr import DCNv2, DeepFM, make_ctr_model
from embedlab.tables.models.retrieval import LightGCN, MatrixFactorization
from embedlab.tables.models.session import (
    M2TRec,
    SASRec,
    evaluate_next_item,
    popularity_scores,
    train_session_model,
)

__all__ = [
    "DCNv2",
    "DeepFM",
    "LightGCN",
    "M2TRec",
    "MatrixFactorization",
    "SASRec",
    "evaluate_next_item",
    "make_ctr_model",
    "popularity_scores",
    "train_session_model",
]
