"""Knowledge-graph embeddings (PyTorch, the ``[kg]`` extra).

Triples come as an :class:`embedlab.io.TripleSet` (:func:`embedlab.datasets.load_kg` reads the
standard releases). Models, one module each under :mod:`embedlab.kg.models` and registered in
:data:`embedlab.registry.KG_MODELS`, score a query ``(h, r, ?)`` against every entity: NFE-1/2/3
and its ablations (:mod:`~embedlab.kg.models.nfe`), the Dihedron and quaternion multi-view models
and their structure-only versions (:mod:`~embedlab.kg.models.hypercomplex`, text views from
:mod:`~embedlab.kg.views`), and the baselines TransE, DistMult, ComplEx and RotatE. The trainer
(:mod:`embedlab.kg.training`) uses reciprocal relations and the 1-N or the negative-sampling
protocol; :mod:`embedlab.kg.ranking` is the filtered link-prediction evaluation (MRR, Hits@k;
pessimistic, optimistic or realistic ties); :class:`KGEmbedding` ties them together. Nothing is
imported until used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedlab.utils._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.kg.estimator import KGEmbedding
    from embedlab.kg.models.base import KGModel
    from embedlab.kg.models.complex import ComplEx
    from embedlab.kg.models.distmult import DistMult
    from embedlab.kg.models.hypercomplex import (
        Dihedron,
        DihedronMultiView,
        Quaternion,
        QuaternionMultiView,
    )
    from embedlab.kg.models.nfe import NFE1, NFE2, NFE3, NFESigma, NFEWithoutUncertainty
    from embedlab.kg.models.rotate import RotatE
    from embedlab.kg.models.transe import TransE
    from embedlab.kg.ranking import rank_metrics, rank_queries, ranks_from_scores

_EXPORTS = {
    "KGEmbedding": "embedlab.kg.estimator",
    "KGModel": "embedlab.kg.models.base",
    "NFE1": "embedlab.kg.models.nfe",
    "NFE2": "embedlab.kg.models.nfe",
    "NFE3": "embedlab.kg.models.nfe",
    "NFESigma": "embedlab.kg.models.nfe",
    "NFEWithoutUncertainty": "embedlab.kg.models.nfe",
    "TransE": "embedlab.kg.models.transe",
    "DistMult": "embedlab.kg.models.distmult",
    "ComplEx": "embedlab.kg.models.complex",
    "RotatE": "embedlab.kg.models.rotate",
    "Dihedron": "embedlab.kg.models.hypercomplex",
    "DihedronMultiView": "embedlab.kg.models.hypercomplex",
    "Quaternion": "embedlab.kg.models.hypercomplex",
    "QuaternionMultiView": "embedlab.kg.models.hypercomplex",
    "rank_metrics": "embedlab.kg.ranking",
    "rank_queries": "embedlab.kg.ranking",
    "ranks_from_scores": "embedlab.kg.ranking",
}

__all__ = [
    "NFE1",
    "NFE2",
    "NFE3",
    "ComplEx",
    "Dihedron",
    "DihedronMultiView",
    "DistMult",
    "KGEmbedding",
    "KGModel",
    "NFESigma",
    "NFEWithoutUncertainty",
    "Quaternion",
    "QuaternionMultiView",
    "RotatE",
    "TransE",
    "rank_metrics",
    "rank_queries",
    "ranks_from_scores",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
