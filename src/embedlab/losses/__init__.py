"""Metric-learning and contrastive objectives (PyTorch, the ``[losses]`` extra).

Each objective is one module with its paper's equation in the docstring and is registered in
:data:`embedlab.registry.LOSSES`; all follow :class:`MetricLoss`'s contract
(``loss(embeddings, labels, reference=None) -> scalar``), so any torch encoder trains with them
(:func:`train_encoder`). Built on pytorch-metric-learning where it has the piece (distances, the
triplet margin loss). The retrieval-by-class metrics (Recall@k, MAP@R), uniformity, alignment
and effective rank are in :mod:`embedlab.eval.metrics`. Nothing is imported until used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedlab.utils._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.losses.base import MetricLoss
    from embedlab.losses.ebv import EBVLoss, equiangular_basis, max_abs_cosine, welch_bound
    from embedlab.losses.facenet import (
        HarmonicTripletLoss,
        TripletLoss,
        mine_triplets,
        squared_distances,
    )
    from embedlab.losses.training import embed, mlp, train_encoder

_EXPORTS = {
    "MetricLoss": "embedlab.losses.base",
    "EBVLoss": "embedlab.losses.ebv",
    "equiangular_basis": "embedlab.losses.ebv",
    "max_abs_cosine": "embedlab.losses.ebv",
    "welch_bound": "embedlab.losses.ebv",
    "HarmonicTripletLoss": "embedlab.losses.facenet",
    "TripletLoss": "embedlab.losses.facenet",
    "mine_triplets": "embedlab.losses.facenet",
    "squared_distances": "embedlab.losses.facenet",
    "embed": "embedlab.losses.training",
    "mlp": "embedlab.losses.training",
    "train_encoder": "embedlab.losses.training",
}

__all__ = [
    "EBVLoss",
    "HarmonicTripletLoss",
    "MetricLoss",
    "TripletLoss",
    "embed",
    "equiangular_basis",
    "max_abs_cosine",
    "mine_triplets",
    "mlp",
    "squared_distances",
    "train_encoder",
    "welch_bound",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
