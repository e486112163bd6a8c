r"""Graph reconstruction (RESTORE): how well embedding similarity recovers h-hop neighbourhoods.

Yip, Tan, Zhang & Lim, "RESTORE: Graph Embedding Assessment Through Reconstruction", 2023, with the
mean-average-precision definition of GEM (Goyal & Ferrara, ``evaluation/metrics.py``,
``computeMAP``):

1. draw ``sample`` nodes with at least one neighbour (seeded; all when fewer);
2. for each, rank every other node by embedding similarity (cosine by default, or dot), exactly,
   in blocks of rows (a ``[block, n]`` score matrix at a time);
3. its ground truth at hop ``h`` is the set of nodes within ``h`` hops (breadth-first frontiers on
   the CSR adjacency, the node itself excluded);
4. ``map@h`` is the mean over sampled nodes of the average precision of the ranking against that
   set (:func:`embedlab.eval.metrics.ranking_average_precision`), and ``precision@k`` the mean
   share of 1-hop neighbours among the ``k`` best-ranked nodes (``k`` capped at ``n - 1``).

Cost: ``O(sample * n * d)`` for the scores plus ``O(sample * n log n)`` for the rankings and
``O(h * sample * nnz / n)`` per frontier row; memory ``O(block * n)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from embedlab.eval._inputs import embedding_arrays
from embedlab.eval.metrics import precision_at_k, ranking_average_precision
from embedlab.exceptions import InvalidInputError
from embedlab.io._graph import Graph
from embedlab.utils.validation import check_random_state

__all__ = ["Reconstruction", "hop_neighbourhoods"]


def hop_neighbourhoods(graph: Graph, sources: np.ndarray, max_hop: int) -> list[np.ndarray]:
    """Boolean ``[len(sources), n]`` masks of the nodes within ``1..max_hop`` hops (self excluded).

    >>> from embedlab.graph import Graph
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 3])
    >>> [m.astype(int).tolist() for m in hop_neighbourhoods(g, np.array([0]), 2)]
    [[[0, 1, 0, 0]], [[0, 1, 1, 0]]]
    """
    adj = graph.adjacency().astype(bool)
    n = graph.n_nodes
    reached = np.zeros((len(sources), n), dtype=bool)
    reached[np.arange(len(sources)), sources] = True
    frontier = reached.copy()
    masks = []
    for _ in range(max_hop):
        nxt = (adj.T @ frontier.T).T.astype(bool) & ~reached  # sparse x dense, one hop further
        reached |= nxt
        frontier = nxt
        mask = reached.copy()
        mask[np.arange(len(sources)), sources] = False
        masks.append(mask)
    return masks


class Reconstruction:
    """RESTORE-style reconstruction of h-hop neighbourhoods from embeddings.

    Parameters
    ----------
    graph : Graph
        The graph whose neighbourhoods the embeddings should recover.
    hops : sequence of int, default=(1, 2, 3)
        The neighbourhood radii ``h`` reported as ``map@h``.
    sample : int, default=1000
        Nodes evaluated (all when the graph has fewer with a neighbour).
    k : int, default=10
        The ``k`` of ``precision@k`` (1-hop neighbours).
    similarity : {"cosine", "dot"}, default="cosine"
        How two embeddings are compared.
    random_state : int, default=0
        Seed of the node sample.
    block : int, default=256
        Sampled nodes scored at a time.

    Returns
    -------
    dict of str to float
        Calling the evaluator on embeddings of the graph's nodes gives ``map@h`` for every hop
        and ``precision@k``.

    Attributes
    ----------
    primary_metric : str
        ``map@h`` of the smallest hop, a key of every result.
    greater_is_better : bool
        True.

    Examples
    --------
    >>> from embedlab.graph import Graph
    >>> g = Graph.from_edges([0, 0, 1, 3, 3, 4], [1, 2, 2, 4, 5, 5])  # two triangles
    >>> x = np.repeat(np.eye(2), 3, axis=0)  # one-hot per triangle
    >>> {k: round(v, 6) for k, v in Reconstruction(g, hops=[1])((g.node_ids, x)).items()}
    {'map@1': 1.0, 'precision@10': 0.4}
    >>> Reconstruction(g, hops=[3, 2]).primary_metric
    'map@2'
    """

    name = "reconstruction"
    greater_is_better = True

    def __init__(
        self,
        graph: Graph,
        *,
        hops: Sequence[int] = (1, 2, 3),
        sample: int = 1000,
        k: int = 10,
        similarity: str = "cosine",
        random_state: int = 0,
        block: int = 256,
    ) -> None:
        self.graph = graph
        self.hops = hops
        self.sample = sample
        self.k = k
        self.similarity = similarity
        self.random_state = random_state
        self.block = block

    def _vectors(self, embeddings: Any) -> np.ndarray:
        ids, vec = embedding_arrays(embeddings)
        if len(ids) != self.graph.n_nodes:
            raise InvalidInputError(
                f"The embedding has {len(ids)} nodes but the graph has {self.graph.n_nodes}; "
                "embed the same graph."
            )
        rows = self.graph.positions(ids)
        x = np.empty_like(vec, dtype=np.float32)
        x[rows] = vec
        if self.similarity == "cosine":
            x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        return x

    @property
    def primary_metric(self) -> str:
        """``map@h`` of the smallest hop."""
        return f"map@{self._hops()[0]}"

    def _hops(self) -> list[int]:
        hops = sorted({int(h) for h in self.hops})
        if not hops or hops[0] < 1:
            raise InvalidInputError(f"'hops' must be positive integers; got {self.hops!r}.")
        return hops

    def __call__(self, embeddings: Any) -> dict[str, float]:
        """Score how well embedding similarity ranks each sampled node's neighbourhoods.

        Parameters
        ----------
        embeddings : EmbeddingSet, fitted embedder or (ids, vectors)
            One vector per node of the graph.

        Returns
        -------
        dict of str to float
            ``map@h`` per hop, then ``precision@k``.
        """
        hops = self._hops()
        if self.similarity not in ("cosine", "dot"):
            raise InvalidInputError(
                f"'similarity' must be 'cosine' or 'dot'; got {self.similarity!r}."
            )
        if not (isinstance(self.sample, int) and self.sample >= 1):
            raise InvalidInputError(f"'sample' must be an int >= 1; got {self.sample!r}.")
        x = self._vectors(embeddings)
        deg = np.diff(self.graph.indptr)
        candidates = np.flatnonzero(deg > 0)
        if len(candidates) == 0:
            raise InvalidInputError("The graph has no edges to reconstruct.")
        rng = check_random_state(self.random_state)
        nodes = np.sort(
            rng.choice(candidates, size=min(self.sample, len(candidates)), replace=False)
        )
        ap: dict[int, list[np.ndarray]] = {h: [] for h in hops}
        prec: list[np.ndarray] = []
        for start in range(0, len(nodes), self.block):
            src = nodes[start : start + self.block]
            scores = x[src] @ x.T
            scores[np.arange(len(src)), src] = -np.inf  # a node never ranks itself
            masks = hop_neighbourhoods(self.graph, src, hops[-1])
            for h in hops:
                ap[h].append(ranking_average_precision(masks[h - 1], scores))
            prec.append(precision_at_k(masks[0], scores, min(self.k, len(x) - 1)))
        out = {f"map@{h}": float(np.nanmean(np.concatenate(ap[h]))) for h in hops}
        out[f"precision@{self.k}"] = float(np.mean(np.concatenate(prec)))
        return out
