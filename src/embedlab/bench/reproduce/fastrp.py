"""FastRP (Chen et al., CIKM 2019) on BlogCatalog: the authors' node-classification figure.

The paper's setting: d = 512, iteration weights [0, 0, 1, 6.67], degree normalisation
beta = -0.64, one-vs-rest logistic regression with C = 0.1 (DeepWalk protocol, top-k), 10 %
of the nodes labelled for training, Micro-F1 averaged over 5 splits. The reference is the figure
of the authors' code (:mod:`embedlab.bench.references`), which embedlab must match.
``quick``: one split per seed instead of five (the embedding is the same).
"""

from __future__ import annotations

from embedlab.bench._base import Reproduction, ReproductionResult
from embedlab.bench.references import PAPERS, reference
from embedlab.bench.reproduce._common import check_seeds, result

__all__ = ["FastRPReproduction"]


class FastRPReproduction(Reproduction):
    """FastRP's BlogCatalog Micro-F1 at 10 % training against the authors' figure.

    Examples
    --------
    >>> FastRPReproduction().run(quick=True)  # doctest: +SKIP
    ReproductionResult(paper=..., metric='micro_f1@0.1', ours=0.37..., reference=0.372, ...)
    """

    name = "fastrp"
    paper = PAPERS["fastrp"]
    claim = (
        "FastRP (d = 512, weights [0, 0, 1, 6.67], beta = -0.64) matches the authors' "
        "BlogCatalog Micro-F1 at 10 % training"
    )
    metric = "micro_f1@0.1"

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """Embed BlogCatalog once per seed and classify its nodes (see the module docstring)."""
        from embedlab.datasets import load_graph, load_labels
        from embedlab.eval import NodeClassification
        from embedlab.graph import FastRP

        seeds = check_seeds(seeds)
        graph, labels = load_graph("blogcatalog"), load_labels("blogcatalog")
        ours = []
        for seed in range(seeds):
            model = FastRP(
                n_components=512,
                iteration_weights=[0.0, 0.0, 1.0, 6.67],
                normalization_strength=-0.64,
                random_state=seed,
            ).fit(graph)
            ev = NodeClassification(
                labels, train_ratios=[0.1], repeats=1 if quick else 5, C=0.1, random_state=seed
            )
            ours.append(ev(model)[self.metric])
        ref = reference(f"fastrp-blogcatalog-{self.metric}")
        return result(
            self,
            metric=self.metric,
            ours=ours,
            reference=ref.value,
            reference_name=f"FastRP authors' code, published ({ref.citation})",
        )
