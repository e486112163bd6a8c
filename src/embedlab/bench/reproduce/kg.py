"""The knowledge-graph reproductions: NFE (Xiao et al., 2023) and hypercomplex multi-view KGE.

* ``nfe``: on Kinships, NFE-2 (entities as Gaussians, relations as affine flows, the 2-Wasserstein
  score with two scale vectors) against DistMult, both with the NFE reference's protocol
  (reciprocal relations, 1-N scoring, summed softplus loss, Adam with exponential decay, the test
  split scored at the best-validation-MRR epoch), d = 64 per part, 60 epochs, filtered MRR with
  the reference's pessimistic ties. ``quick``: 20 epochs at d = 32.
* ``hypercomplex``: on Nations (real country names), the Dihedron multi-view model (structure plus
  three text views of the entity names: the packaged MiniLM and two character n-gram TF-IDF views)
  against its structure-only version at the same dimension, both with the reference's protocol
  (Adagrad, 100 negatives, the pooled logistic loss; rank 32, up to 1,500 epochs, patience 20).
  ``quick``: 20 epochs at d = 16, no MiniLM.
"""

from __future__ import annotations

from typing import Any

from embedlab.bench._base import Reproduction, ReproductionResult
from embedlab.bench.references import PAPERS
from embedlab.bench.reproduce._common import check_seeds, result

__all__ = ["REFERENCE_RUN", "HypercomplexReproduction", "NFEReproduction", "fit_kg"]

#: the hypercomplex reference's run on Nations (``run.py`` defaults and its README command):
#: rank 32, at most 1,500 epochs, validation every epoch, early stop after 20 without a better MRR
REFERENCE_RUN: dict[str, Any] = {"embedding_dim": 32, "epochs": 1500, "patience": 20}


def fit_kg(model: str, dataset: str, *, seed: int, **params: Any) -> Any:
    """Fit ``model`` on the KG ``dataset`` (by name) and return the fitted ``KGEmbedding``."""
    from embedlab.datasets import load_kg
    from embedlab.kg.estimator import KGEmbedding

    est = KGEmbedding(model=model, random_state=seed, progress=False, **params)
    return est.fit(load_kg(dataset))


class NFEReproduction(Reproduction):
    """NFE-2 against DistMult on Kinships, the reference's 1-N protocol, same run."""

    name = "nfe"
    paper = PAPERS["nfe"]
    claim = (
        "modelling entities as random variables and relations as normalizing flows (NFE-2) "
        "beats the bilinear DistMult in filtered MRR on Kinships"
    )
    metric = "mrr"

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """Both models on Kinships once per seed; test MRR at the best validation epoch."""
        seeds = check_seeds(seeds)
        kw: dict[str, Any] = (
            {"embedding_dim": 32, "epochs": 20}
            if quick
            else {
                "embedding_dim": 64,
                "epochs": 60,
            }
        )
        ours, ref = [], []
        for seed in range(seeds):
            ours.append(fit_kg("nfe-2", "kinships", seed=seed, **kw).evaluate()["mrr"])
            ref.append(fit_kg("distmult", "kinships", seed=seed, **kw).evaluate()["mrr"])
        return result(
            self,
            metric="mrr (kinships, filtered, test)",
            ours=ours,
            reference=ref,
            reference_name="DistMult, same protocol and dimension, this run",
        )


class HypercomplexReproduction(Reproduction):
    """Dihedron multi-view against Dihedron structure-only on Nations, same run."""

    name = "hypercomplex"
    paper = PAPERS["hypercomplex"]
    claim = (
        "adding text views of the entities (frozen language-model vectors through small MLPs) "
        "to a Dihedron KG embedding beats the structure-only model at equal dimension on Nations"
    )
    metric = "mrr"

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """Both models on Nations once per seed; test MRR at the best validation epoch."""
        seeds = check_seeds(seeds)
        kw: dict[str, Any] = (
            {"embedding_dim": 32, "epochs": 5}
            if quick
            else {
                "embedding_dim": 64,
                "epochs": 100,
            }
        )
        inputs: dict[str, Any] = {}
        if not quick:
            from embedlab.text import SentenceEncoder

            inputs["encode"] = SentenceEncoder().encode
        ours, ref = [], []
        for seed in range(seeds):
            mv = fit_kg("dihedron-mv", "nations", seed=seed, model_inputs=inputs or None, **kw)
            ours.append(mv.evaluate()["mrr"])
            ref.append(fit_kg("dihedron", "nations", seed=seed, **kw).evaluate()["mrr"])
        return result(
            self,
            metric="mrr (nations, filtered, test)",
            ours=ours,
            reference=ref,
            reference_name="Dihedron structure-only, same dimension and protocol, this run",
        )
