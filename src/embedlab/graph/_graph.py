"""Compatibility path of :mod:`embedlab.io._graph`.

:class:`~embedlab.graph.Graph` is the data type that every layer above ``io`` shares (data set
loaders build it, embedders and evaluators read it), so it lives in ``io``; the public name
stays ``embedlab.graph.Graph``.
"""

from embedlab.io._graph import Graph, csr_rows

__all__ = ["Graph", "csr_rows"]
