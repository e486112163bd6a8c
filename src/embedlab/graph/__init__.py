"""Graphs and graph embeddings.

* :class:`Graph` — CSR adjacency with the caller's node ids.
* :class:`FastRP` — Fast Random Projection (Chen et al., CIKM 2019).
* :func:`random_walks` — uniform (DeepWalk) and second-order (node2vec) walks.
"""

from embedlab.graph._graph import Graph
from embedlab.graph.fastrp import FastRP
from embedlab.graph.walks import random_walks

__all__ = ["FastRP", "Graph", "random_walks"]
