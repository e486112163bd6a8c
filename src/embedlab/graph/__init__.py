"""Graphs and graph embeddings.

* :class:`Graph` — CSR adjacency with the caller's node ids.
* :class:`FastRP` — Fast Random Projection (Chen et al., CIKM 2019).
* :class:`DeepWalk`, :class:`Node2Vec` — random walks + skip-gram (KDD 2014, KDD 2016).
* :class:`LINE` — first- and second-order proximity (Tang et al., WWW 2015).
* :class:`OrbitPMI`, :class:`RandomWalkPMI` — factorised PPMI of orbit / walk co-occurrences.
* :func:`random_walks` — uniform (DeepWalk) and second-order (node2vec) walks.

The names are imported on first use, so ``import embedlab.graph`` compiles no kernel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedlab.utils._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.graph.deepwalk import DeepWalk
    from embedlab.graph.fastrp import FastRP
    from embedlab.graph.line import LINE
    from embedlab.graph.node2vec import Node2Vec
    from embedlab.graph.orbit_pmi import OrbitPMI, RandomWalkPMI
    from embedlab.graph.walks import random_walks
    from embedlab.io._graph import Graph

__all__ = [
    "LINE",
    "DeepWalk",
    "FastRP",
    "Graph",
    "Node2Vec",
    "OrbitPMI",
    "RandomWalkPMI",
    "random_walks",
]

_EXPORTS = {
    "Graph": "embedlab.io._graph",
    "DeepWalk": "embedlab.graph.deepwalk",
    "FastRP": "embedlab.graph.fastrp",
    "LINE": "embedlab.graph.line",
    "Node2Vec": "embedlab.graph.node2vec",
    "OrbitPMI": "embedlab.graph.orbit_pmi",
    "RandomWalkPMI": "embedlab.graph.orbit_pmi",
    "random_walks": "embedlab.graph.walks",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
