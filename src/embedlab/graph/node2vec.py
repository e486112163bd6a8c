"""node2vec: second-order biased random walks + skip-gram with negative sampling.

Grover & Leskovec, "node2vec: Scalable Feature Learning for Networks", KDD 2016. The return
parameter ``p`` and in-out parameter ``q`` bias each step from ``v`` (having come from ``t``) to
``x`` by :math:`1/p` (``x = t``), :math:`1` (``x`` adjacent to ``t``) or :math:`1/q`; the walks are
drawn by rejection sampling without alias tables (:mod:`embedlab.graph.walks`) and consumed online
by the SGNS trainer (:mod:`embedlab.graph.skipgram`). ``p = q = 1`` is DeepWalk.

Memory: two float32 ``n x d`` matrices plus the graph — no ``O(m * avg degree)`` alias tables.
"""

from __future__ import annotations

import numpy as np

from embedlab.graph.skipgram import SkipGramEmbedder

__all__ = ["Node2Vec"]


class Node2Vec(SkipGramEmbedder):
    """node2vec node embeddings (Grover & Leskovec, KDD 2016).

    Parameters are DeepWalk's (:class:`embedlab.graph.deepwalk.DeepWalk`) plus:

    Parameters
    ----------
    n_components : int, default=128
        Embedding dimension ``d``.
    p : float, default=1.0
        Return parameter: weight ``1/p`` for stepping back to the previous node.
    q : float, default=1.0
        In-out parameter: weight ``1/q`` for moving away from the previous node's neighbourhood.
    walk_length : int, default=80
        Nodes per walk.
    walks_per_node : int, default=10
        Walks started from every node (per epoch).
    window : int, default=10
        Largest centre-context distance.
    negatives : int, default=5
        Negative samples per positive pair.
    epochs : int, default=1
        Passes over the walks.
    learning_rate : float, default=0.025
        Initial SGD step, decayed linearly.
    sample : float, default=0.0
        word2vec's frequent-node subsampling threshold (0: off).
    deterministic : bool, default=False
        One thread: the same seed gives the same bytes.
    random_state : int, numpy Generator or None, default=None
    n_jobs : int or None, default=None
        Threads (``None``: all cores).
    backend : {"local", "dask"}, default="local"
        ``"dask"`` trains on a Dask cluster with PyTorch-BigGraph's partitioned schedule
        (:mod:`embedlab.distributed.skipgram`), with the client passed to :meth:`fit` or the
        current one; same quality, not the same bytes as ``"local"``.
    partitions : int or None, default=None
        Node partitions of the Dask backend (``None``: twice the number of workers).

    Examples
    --------
    >>> from embedlab.datasets import stochastic_block_model
    >>> g, _ = stochastic_block_model([20, 20], 0.4, 0.02, random_state=0)
    >>> Node2Vec(n_components=8, p=0.5, q=2.0, walks_per_node=2, walk_length=10,
    ...          random_state=0).fit(g).embeddings_.shape
    (40, 8)
    """

    name = "node2vec"

    def __init__(
        self,
        *,
        n_components: int = 128,
        p: float = 1.0,
        q: float = 1.0,
        walk_length: int = 80,
        walks_per_node: int = 10,
        window: int = 10,
        negatives: int = 5,
        epochs: int = 1,
        learning_rate: float = 0.025,
        sample: float = 0.0,
        deterministic: bool = False,
        random_state: int | np.random.Generator | None = None,
        n_jobs: int | None = None,
        backend: str = "local",
        partitions: int | None = None,
    ) -> None:
        self.n_components = n_components
        self.p = p
        self.q = q
        self.walk_length = walk_length
        self.walks_per_node = walks_per_node
        self.window = window
        self.negatives = negatives
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.sample = sample
        self.deterministic = deterministic
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.backend = backend
        self.partitions = partitions

    def _bias(self) -> tuple[float, float]:
        return float(self.p), float(self.q)
