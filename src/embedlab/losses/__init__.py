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
    from embedlab.losses.adsl import ADSLLoss, margin_triplets, taylor_split
    from embedlab.losses.base import MetricLoss
    from embedlab.losses.ebv import EBVLoss, equiangular_basis, max_abs_cosine, welch_bound
    from embedlab.losses.facenet import (
        HarmonicTripletLoss,
        TripletLoss,
        mine_triplets,
        squared_distances,
    )
    from embedlab.losses.m2mix import M2MixLoss, geodesic_mix
    from embedlab.losses.metrix import MetrixLoss, mixing_pairs
    from embedlab.losses.simlap import SimLAPLoss, simlap_loss
    from embedlab.losses.training import (
        FeatureAttention,
        TwoTower,
        attention_mlp,
        augment,
        embed,
        mlp,
        train_encoder,
    )

_EXPORTS = {
    "ADSLLoss": "embedlab.losses.adsl",
    "margin_triplets": "embedlab.losses.adsl",
    "taylor_split": "embedlab.losses.adsl",
    "M2MixLoss": "embedlab.losses.m2mix",
    "geodesic_mix": "embedlab.losses.m2mix",
    "MetrixLoss": "embedlab.losses.metrix",
    "mixing_pairs": "embedlab.losses.metrix",
    "SimLAPLoss": "embedlab.losses.simlap",
    "simlap_loss": "embedlab.losses.simlap",
    "FeatureAttention": "embedlab.losses.training",
    "TwoTower": "embedlab.losses.training",
    "attention_mlp": "embedlab.losses.training",
    "augment": "embedlab.losses.training",
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
    "ADSLLoss",
    "EBVLoss",
    "FeatureAttention",
    "HarmonicTripletLoss",
    "M2MixLoss",
    "MetricLoss",
    "MetrixLoss",
    "SimLAPLoss",
    "TripletLoss",
    "TwoTower",
    "attention_mlp",
    "augment",
    "embed",
    "equiangular_basis",
    "geodesic_mix",
    "margin_triplets",
    "max_abs_cosine",
    "mine_triplets",
    "mixing_pairs",
    "mlp",
    "simlap_loss",
    "squared_distances",
    "taylor_split",
    "train_encoder",
    "welch_bound",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
