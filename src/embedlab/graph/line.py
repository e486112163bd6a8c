r"""LINE: Large-scale Information Network Embedding, first and second order.

Tang, Qu, Wang, Zhang, Yan & Mei, "LINE: Large-scale Information Network Embedding", WWW 2015.

* **First order** keeps linked nodes close: for an edge :math:`(u, v)` it maximises
  :math:`\log\sigma(x_u^\top x_v) + \sum_{j=1}^{k} \log\sigma(-x_u^\top x_{n_j})` over one set of
  vectors.
* **Second order** keeps nodes with shared neighbours close: the same objective with the vertex
  vector of ``u`` against *context* vectors :math:`y_v, y_{n_j}` (skip-gram on edges).

As the paper's optimisation (and its ``line.cpp``): edges are sampled with probability
proportional to their weight (alias method, so the gradient's scale does not depend on the
weights), ``k`` negatives from :math:`\deg^{0.75}` (weighted out-degree), asynchronous SGD
(Hogwild) with the learning rate decayed linearly from ``learning_rate`` to
``1e-4 * learning_rate`` over ``n_samples`` edge samples; vertex vectors start uniform in
``[-0.5/d, 0.5/d)``, context vectors at zero. An undirected graph contributes both directions of
each edge, as the paper's input files do. ``order="both"`` trains the two models separately with
``d/2`` dimensions each, L2-normalises each and concatenates them (the paper's LINE(1st+2nd), and
``normalize``/``concatenate`` in the authors' code), so every order has the same total ``d``.

Every sample has its own random stream (SplitMix64 of ``(seed, sample index)``); with one thread
(``deterministic=True``) the same seed gives the same bytes.

Cost: ``n_samples * (k + 1)`` updates of ``d`` (one order) or ``d/2`` floats per order. Memory:
two float32 ``n x d`` matrices (one for first order), the graph, and alias tables of 12 bytes per
edge (weighted graphs) and per node.
"""

from __future__ import annotations

import logging
import time
from typing import Any, ClassVar

import numpy as np
from numba import njit, prange

from embedlab.base import BaseEmbedder
from embedlab.exceptions import InvalidInputError
from embedlab.graph import _kernels as K
from embedlab.graph._sampling import alias_draw, alias_table
from embedlab.graph.skipgram import _episodes, init_embeddings, negative_sampler, sgns_update
from embedlab.graph.walks import _uniform
from embedlab.io._graph import Graph, csr_rows
from embedlab.registry import DISTRIBUTED
from embedlab.utils._numba import n_threads, resolve_n_jobs
from embedlab.utils.progress import progress
from embedlab.utils.validation import Interval, Options, resolve_seed

__all__ = ["LINE", "train_line"]

logger = logging.getLogger(__name__)

_LINE_SALT = np.uint64(0x11AE_0000_5EED_0007)


@njit(parallel=True, cache=True, nogil=True, fastmath=True)
def _line_episode(
    first: int,
    last: int,
    total: int,
    seed: np.uint64,
    sources: np.ndarray,
    indices: np.ndarray,
    edge_prob: np.ndarray,
    edge_alias: np.ndarray,
    weighted: bool,
    w_vertex: np.ndarray,
    w_context: np.ndarray,
    neg_prob: np.ndarray,
    neg_alias: np.ndarray,
    negatives: int,
    lr0: float,
    n_threads: int,
) -> None:
    """Train on samples ``first..last-1``: thread ``t`` trains ``first + t, first + t + T, ...``."""
    m = indices.shape[0]
    d = w_vertex.shape[1]
    for t in prange(n_threads):
        targets = np.empty(negatives + 1, dtype=np.int32)
        grad = np.empty(d, dtype=np.float32)
        state = np.empty(1, dtype=np.uint64)
        for s in range(first + t, last, n_threads):
            state[0] = K.splitmix64(seed + np.uint64(s))
            u = _uniform(state)
            e = alias_draw(edge_prob, edge_alias, u) if weighted else min(int(u * m), m - 1)
            targets[0] = indices[e]
            for j in range(1, negatives + 1):
                targets[j] = alias_draw(neg_prob, neg_alias, _uniform(state))
            lr = lr0 * max(1.0 - s / total, 1e-4)
            sgns_update(w_vertex, w_context, sources[e], targets, lr, grad)


def train_line(
    graph: Graph,
    *,
    order: int,
    n_components: int,
    negatives: int,
    n_samples: int,
    learning_rate: float,
    seed: int,
    n_threads: int,
    description: str = "LINE",
) -> np.ndarray:
    """Train one LINE model (``order`` 1 or 2); return the vertex vectors."""
    if graph.n_edges == 0:
        raise InvalidInputError("LINE needs at least one edge; the graph has none.")
    n = graph.n_nodes
    w_vertex, w_context = init_embeddings(n, n_components, seed, half_width=0.5)
    if order == 1:
        w_context = w_vertex  # one set of vectors for both ends
    sources = csr_rows(graph.indptr, np.int32)
    weighted = bool(graph.weighted)
    edge_prob, edge_alias = (
        alias_table(graph.weights) if weighted else (np.ones(1), np.zeros(1, np.int32))
    )
    neg_prob, neg_alias = negative_sampler(graph.degrees())
    base = np.uint64(K.splitmix64(np.uint64(seed) ^ _LINE_SALT))
    begin = time.perf_counter()
    with progress(f"{description}: samples", n_samples, min_total=2e6, fields={"rate": ""}) as bar:
        for first, last in _episodes(n_samples, n_threads):
            _line_episode(
                first,
                last,
                n_samples,
                base,
                sources,
                graph.indices,
                edge_prob,
                edge_alias,
                weighted,
                w_vertex,
                w_context,
                neg_prob,
                neg_alias,
                negatives,
                learning_rate,
                n_threads,
            )
            rate = last / max(time.perf_counter() - begin, 1e-9)
            bar.advance(last - first, rate=f"{rate / 1e6:.2f}M samples/s")
    return w_vertex


def _l2_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


class LINE(BaseEmbedder):
    r"""LINE node embeddings, first order, second order or both (Tang et al., WWW 2015).

    Parameters
    ----------
    n_components : int, default=128
        Embedding dimension ``d`` (for ``order="both"``: ``d/2`` per order, concatenated).
    order : {"first", "second", "both"}, default="both"
        Which proximity to preserve; ``"both"`` is the paper's LINE(1st+2nd).
    negatives : int, default=5
        Negative samples per edge sample (the paper's ``K = 5``).
    n_samples : int or None, default=None
        Edge samples per order (the paper's ``T``); ``None``: 100 per directed edge.
    learning_rate : float, default=0.025
        Initial SGD step (the paper's :math:`\rho_0`), decayed linearly.
    deterministic : bool, default=False
        Train on one thread so that the same seed gives the same bytes.
    random_state : int, numpy Generator or None, default=None
    n_jobs : int or None, default=None
        Threads (``None``: all cores).
    backend : {"local", "dask"}, default="local"
        ``"dask"`` trains on a Dask cluster with PyTorch-BigGraph's partitioned schedule
        (:mod:`embedlab.distributed.skipgram`), with the client passed to :meth:`fit` or the
        current one; same quality, not the same bytes as ``"local"``.
    partitions : int or None, default=None
        Node partitions of the Dask backend (``None``: twice the number of workers).

    Attributes
    ----------
    embeddings_ : ndarray (n_nodes, n_components), float32
    ids_ : ndarray (n_nodes,)
    seed_ : int
    n_samples_ : int
        Edge samples per order actually used.

    Examples
    --------
    >>> from embedlab.datasets import stochastic_block_model
    >>> g, _ = stochastic_block_model([20, 20], 0.4, 0.02, random_state=0)
    >>> LINE(n_components=8, n_samples=20_000, random_state=0).fit(g).embeddings_.shape
    (40, 8)
    """

    name = "line"

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_components": [Interval(int, 1, None)],
        "order": [Options(str, {"first", "second", "both"})],
        "negatives": [Interval(int, 0, None)],
        "n_samples": [Interval(int, 1, None), None],
        "learning_rate": [Interval(float, 0, None, closed="neither")],
        "deterministic": [bool],
        "random_state": [Interval(int, 0, None), np.random.Generator, None],
        "n_jobs": [Interval(int, -1, -1), Interval(int, 1, None), None],
        "backend": [Options(str, {"local", "dask"})],
        "partitions": [Interval(int, 1, None), None],
    }

    def __init__(
        self,
        *,
        n_components: int = 128,
        order: str = "both",
        negatives: int = 5,
        n_samples: int | None = None,
        learning_rate: float = 0.025,
        deterministic: bool = False,
        random_state: int | np.random.Generator | None = None,
        n_jobs: int | None = None,
        backend: str = "local",
        partitions: int | None = None,
    ) -> None:
        self.n_components = n_components
        self.order = order
        self.negatives = negatives
        self.n_samples = n_samples
        self.learning_rate = learning_rate
        self.deterministic = deterministic
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.backend = backend
        self.partitions = partitions

    def fit(self, X: Any, y: Any = None, *, client: Any = None) -> LINE:
        """Embed the nodes of ``X``.

        ``X`` is a :class:`Graph`, a scipy.sparse matrix, a networkx graph or an edge-list path.
        ``client``: the Dask client of ``backend="dask"`` (default: the current one).
        """
        self._validate_params()
        if self.order == "both" and self.n_components % 2:
            raise InvalidInputError(
                f"order='both' splits n_components between the two orders; "
                f"it must be even, got {self.n_components}."
            )
        graph = Graph.from_any(X)
        self.seed_ = resolve_seed(self.random_state, "LINE")
        samples = self.n_samples if self.n_samples is not None else 100 * len(graph.indices)
        if self.backend == "dask":
            self.embeddings_ = DISTRIBUTED.get(self.name).fit(
                self, graph, client=client, n_samples=samples
            )
            self.ids_ = graph.node_ids
            self.n_samples_ = samples
            return self
        if client is not None:
            raise InvalidInputError("'client' is for backend='dask'; this LINE is local.")
        threads = 1 if self.deterministic else resolve_n_jobs(self.n_jobs)
        orders = {"first": [1], "second": [2], "both": [1, 2]}[self.order]
        d = self.n_components // len(orders)
        parts = []
        with n_threads(threads):
            for order in orders:
                emb = train_line(
                    graph,
                    order=order,
                    n_components=d,
                    negatives=self.negatives,
                    n_samples=samples,
                    learning_rate=float(self.learning_rate),
                    seed=self.seed_ + order,
                    n_threads=threads,
                    description=f"LINE({order})",
                )
                parts.append(_l2_rows(emb) if len(orders) == 2 else emb)
        self.embeddings_ = np.ascontiguousarray(np.hstack(parts), dtype=np.float32)
        self.ids_ = graph.node_ids
        self.n_samples_ = samples
        logger.info(
            "LINE(%s): %d edge samples per order, %d thread(s)", self.order, samples, threads
        )
        return self
