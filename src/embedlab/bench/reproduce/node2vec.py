"""node2vec (Grover & Leskovec, KDD 2016) on BlogCatalog against DeepWalk.

The paper's comparison (Table 2): with the same walk budget, node2vec's biased walks (return
``p`` and in-out ``q``; here p = q = 0.25, the setting of this project's benchmark) give a
higher Macro-F1 than DeepWalk's uniform walks (node2vec 0.2581 vs DeepWalk 0.2110 at 50 %
training in the paper). Both are computed here with d = 128, 10 walks of 80 per node, window
10, on the same splits (50 % training, C = 1). ``quick``: 5 walks of 80 per node, 2 splits.
"""

from __future__ import annotations

from embedlab.bench._base import Reproduction, ReproductionResult
from embedlab.bench.references import PAPERS, reference
from embedlab.bench.reproduce._common import check_seeds, result
from embedlab.bench.reproduce._walks import (
    FULL,
    QUICK,
    blogcatalog_classifier,
    load_blogcatalog,
)

__all__ = ["Node2VecReproduction"]


class Node2VecReproduction(Reproduction):
    """node2vec (p = q = 0.25) against DeepWalk on BlogCatalog (Macro-F1 at 50 % training)."""

    name = "node2vec"
    paper = PAPERS["node2vec"]
    claim = (
        "node2vec's biased walks (p = q = 0.25) beat DeepWalk's uniform walks in BlogCatalog "
        "Macro-F1 at the same walk budget"
    )
    metric = "macro_f1@0.5"

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """node2vec and DeepWalk, once per seed, on the same splits."""
        from embedlab.registry import EMBEDDERS

        seeds = check_seeds(seeds)
        params = QUICK if quick else FULL
        graph, labels = load_blogcatalog()
        ours, ref = [], []
        for seed in range(seeds):
            ev = blogcatalog_classifier(labels, seed, quick)
            n2v = EMBEDDERS.make("node2vec", p=0.25, q=0.25, random_state=seed, **params)
            ours.append(ev(n2v.fit(graph))[self.metric])
            dw = EMBEDDERS.make("deepwalk", random_state=seed, **params)
            ref.append(ev(dw.fit(graph))[self.metric])
        paper_n2v = reference("node2vec-blogcatalog-macro_f1@0.5")
        paper_dw = reference("node2vec-blogcatalog-deepwalk-macro_f1@0.5")
        return result(
            self,
            metric=self.metric,
            ours=ours,
            reference=ref,
            reference_name=(
                f"DeepWalk, same walk budget, this run (paper: {paper_n2v.value:.4f} vs "
                f"{paper_dw.value:.4f}, {paper_n2v.citation})"
            ),
        )
