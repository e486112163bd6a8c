"""The BlogCatalog setting shared by the DeepWalk and node2vec reproductions."""

from __future__ import annotations

from typing import Any

#: the papers' walk budget: d = 128, 10 walks of 80 per node, window 10, 5 negatives
FULL = {"n_components": 128, "walks_per_node": 10, "walk_length": 80, "window": 10}
#: quick: half the walks (same length, d and window)
QUICK = {"n_components": 128, "walks_per_node": 5, "walk_length": 80, "window": 10}


def blogcatalog_classifier(seed: int, quick: bool) -> tuple[Any, Any]:
    """BlogCatalog and its evaluator: 50 % training, C = 1, 5 splits (quick: 2)."""
    from embedlab.datasets import load_graph, load_labels
    from embedlab.eval import NodeClassification

    labels = load_labels("blogcatalog")
    ev = NodeClassification(
        labels, train_ratios=[0.5], repeats=2 if quick else 5, C=1.0, random_state=seed
    )
    return load_graph("blogcatalog"), ev
