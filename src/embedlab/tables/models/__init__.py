"""Models on embedding tables.

Retrieval (MF, LightGCN: :mod:`.retrieval`) and CTR (DeepFM, DCN-v2: :mod:`.ctr`).
"""

from embedlab.tables.models.ctr import DCNv2, DeepFM, make_ctr_model
from embedlab.tables.models.retrieval import LightGCN, MatrixFactorization

__all__ = ["DCNv2", "DeepFM", "LightGCN", "MatrixFactorization", "make_ctr_model"]
