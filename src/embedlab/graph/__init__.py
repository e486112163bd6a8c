"""Graphs and graph embeddings.

* :class:`Graph` — CSR adjacency with the caller's node ids.
* :class:`FastRP` — Fast Random Projection (Chen et al., CIKM 2019).
"""

from embedlab.graph._graph import Graph
from embedlab.graph.fastrp import FastRP

__all__ = ["FastRP", "Graph"]
