"""The BlogCatalog setting shared by the DeepWalk and node2vec reproductions."""

from __future__ import annotations

from typing import Any

#: the papers' walk budget: d = 128, 10 walks of 80 per node, window 10, 5 negatives
FULL = {"n_components": 128, "walks_per_node": 10, "walk_length": 80, "window": 10}
#: quick: half the walks (same length, d and window)
QUICK = {"n_components": 128, "walks_per_node": 5, "walk_length": 80, "window": 10}


def load_blogcatalog() -> tuple[Any, Any]:
    """Read BlogCatalog's graph and labels (once per reproduction, not once per seed)."""
    from embedlab.datasets import load_graph, load_labels

    return load_graph("blogcatalog"), load_labels("blogcatalog")


def blogcatalog_classifier(labels: Any, seed: int, quick: bool) -> Any:
    """Build the evaluator of ``seed``: 50 % training, C = 1, 5 splits (quick: 2)."""
    from embedlab.eval import NodeClassification

    return NodeClassification(
        labels, train_ratios=[0.5], repeats=2 if quick else 5, C=1.0, random_state=seed
    )
