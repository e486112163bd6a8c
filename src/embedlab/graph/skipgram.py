r"""Skip-gram with negative sampling (SGNS) over random walks, generated online.

Mikolov et al., "Distributed Representations of Words and Phrases", NeurIPS 2013, applied to walks
as in DeepWalk (Perozzi et al., KDD 2014) and node2vec (Grover & Leskovec, KDD 2016); walks are
produced and consumed on the fly as in GraphVite (Zhu et al., WWW 2019), so memory is
:math:`O(n d)` whatever the number of walks.

For a positive pair (context ``c``, centre ``v``) within the (randomly reduced, as word2vec) window
of a walk, and ``k`` negatives :math:`u_j` drawn from the unigram distribution raised to 0.75 (the
walk visit frequency of a node is proportional to its degree, so the table is
:math:`\propto \deg^{0.75}`), SGD with learning rate :math:`\eta` on

.. math::
    \ell = -\log\sigma(x_c^\top y_v) - \sum_{j=1}^{k} \log\sigma(-x_c^\top y_{u_j})

updates, for every target :math:`t \in \{v, u_1..u_k\}` with label :math:`l_t` (1 for ``v``),
:math:`g_t = \eta\,(l_t - \sigma(x_c^\top y_t))`, :math:`y_t \mathrel{+}= g_t x_c`, and finally
:math:`x_c \mathrel{+}= \sum_t g_t y_t` (with the :math:`y_t` before their update, as word2vec).
The learning rate decays linearly from ``learning_rate`` to ``1e-4 * learning_rate``. With
``sample > 0`` frequent nodes are dropped from each walk before windowing, as word2vec does
(:func:`keep_probabilities`).

Threads run Hogwild (lock-free updates, Recht et al. 2011): thread ``t`` trains walks
``t, t + T, t + 2T, ...`` so that every thread sees the same learning-rate schedule; with one
thread (``deterministic=True``) the same seed gives the same bytes.

Cost: ``walks * length * 2 * E[window] * (k + 1)`` updates of ``d`` floats; memory: two
float32 ``n x d`` matrices and an ``O(n)`` negative table.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import numpy as np
from numba import njit, prange

from embedlab.base import BaseEmbedder
from embedlab.graph import _kernels as K
from embedlab.graph._graph import Graph
from embedlab.graph.walks import _row_cumsum, _uniform, walk_into
from embedlab.utils._numba import n_threads, resolve_n_jobs
from embedlab.utils.validation import Interval, resolve_seed

__all__ = [
    "SkipGramEmbedder",
    "init_embeddings",
    "keep_probabilities",
    "negative_table",
    "sgns_update",
    "train_sgns",
]

logger = logging.getLogger(__name__)

_SGD_SALT = np.uint64(0x5EED_5EED_0000_0003)


@njit(cache=True, nogil=True, fastmath=True)
def sgns_update(
    w_in: np.ndarray,
    w_out: np.ndarray,
    context: int,
    center: int,
    table: np.ndarray,
    negatives: int,
    lr: float,
    state: np.ndarray,
    grad: np.ndarray,
) -> None:
    """One SGNS step for the pair (``context`` -> ``center``) with ``negatives`` draws."""
    d = w_in.shape[1]
    x = w_in[context]
    for k in range(d):
        grad[k] = 0.0
    for j in range(negatives + 1):
        if j == 0:
            target = center
            label = 1.0
        else:
            target = table[min(int(_uniform(state) * table.shape[0]), table.shape[0] - 1)]
            if target == center:
                continue
            label = 0.0
        y = w_out[target]
        f = 0.0
        for k in range(d):
            f += x[k] * y[k]
        if f > 6.0:
            g = (label - 1.0) * lr
        elif f < -6.0:
            g = label * lr
        else:
            g = (label - 1.0 / (1.0 + np.exp(-f))) * lr
        g32 = np.float32(g)
        for k in range(d):
            grad[k] += g32 * y[k]
            y[k] += g32 * x[k]
    for k in range(d):
        x[k] += grad[k]


@njit(parallel=True, cache=True, nogil=True, fastmath=True)
def _train(
    starts: np.ndarray,
    streams: np.ndarray,
    walk_length: int,
    indptr: np.ndarray,
    indices: np.ndarray,
    cumw: np.ndarray,
    weighted: bool,
    inv_p: float,
    inv_q: float,
    second_order: bool,
    w_in: np.ndarray,
    w_out: np.ndarray,
    table: np.ndarray,
    window: int,
    negatives: int,
    lr0: float,
    n_threads: int,
    pairs: np.ndarray,
    keep: np.ndarray,
) -> None:
    total = starts.shape[0]
    d = w_in.shape[1]
    for t in prange(n_threads):
        walk = np.empty(walk_length, dtype=np.int32)
        grad = np.empty(d, dtype=np.float32)
        state = np.empty(1, dtype=np.uint64)
        count = 0
        for w in range(t, total, n_threads):
            length = walk_into(
                walk,
                starts[w],
                streams[w],
                indptr,
                indices,
                cumw,
                weighted,
                inv_p,
                inv_q,
                second_order,
            )
            lr = lr0 * max(1.0 - w / total, 1e-4)
            state[0] = streams[w] ^ _SGD_SALT
            kept = 0  # frequent-node subsampling, before windowing (word2vec, gensim)
            for i in range(length):
                if _uniform(state) < keep[walk[i]]:
                    walk[kept] = walk[i]
                    kept += 1
            length = kept
            for i in range(length):
                b = min(int(_uniform(state) * window), window - 1)  # reduced window (word2vec)
                reach = window - b
                lo, hi = max(0, i - reach), min(length, i + reach + 1)
                for j in range(lo, hi):
                    if j != i:
                        sgns_update(
                            w_in, w_out, walk[j], walk[i], table, negatives, lr, state, grad
                        )
                        count += 1
        pairs[t] = count


def negative_table(degrees: np.ndarray, size: int | None = None) -> np.ndarray:
    """Node ids repeated in proportion to ``degree ** 0.75`` (word2vec's unigram^0.75 table).

    >>> negative_table(np.array([1.0, 0.0, 16.0]), size=9).tolist()
    [0, 2, 2, 2, 2, 2, 2, 2, 2]
    """
    weights = np.power(np.maximum(degrees, 0.0), 0.75)
    if weights.sum() == 0:
        weights = np.ones_like(weights)
    size = size or max(1_000_000, 10 * len(degrees))
    counts = np.floor(weights / weights.sum() * size + 0.5).astype(np.int64)
    counts[np.argmax(weights)] += size - counts.sum()  # exact size
    return np.repeat(np.arange(len(degrees), dtype=np.int32), np.maximum(counts, 0))


def keep_probabilities(degrees: np.ndarray, sample: float) -> np.ndarray:
    """word2vec's subsampling: keep an occurrence of node ``v`` with probability
    :math:`(\\sqrt{f_v / (s F)} + 1)\\, s F / f_v` (capped at 1), where the visit frequency
    :math:`f_v / F` of a random walk is ``deg(v) / sum(deg)`` and ``s = sample``; ``sample = 0``
    keeps everything.

    >>> keep_probabilities(np.array([1.0, 999.0]), 1e-3).round(3).tolist()  # f = 0.001, 0.999
    [1.0, 0.033]
    """
    if sample <= 0:
        return np.ones(len(degrees))
    freq = np.maximum(degrees, 0.0) / max(float(np.sum(degrees)), 1e-300)
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = (np.sqrt(freq / sample) + 1.0) * sample / freq
    return np.where(freq > 0, np.minimum(keep, 1.0), 1.0)


def init_embeddings(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """word2vec's start: input vectors uniform in ``[-0.5/d, 0.5/d)``, output vectors zero.

    Row ``i`` depends only on ``(seed, i)``.
    """
    streams = K.hash_keys(np.arange(n, dtype=np.uint64), np.uint64(seed))
    w_in = np.empty((n, d), dtype=np.float32)
    K.uniform_rows(streams, w_in)
    w_in -= 0.5
    w_in /= d
    return w_in, np.zeros((n, d), dtype=np.float32)


def train_sgns(
    graph: Graph,
    *,
    n_components: int,
    walk_length: int,
    walks_per_node: int,
    window: int,
    negatives: int,
    learning_rate: float,
    epochs: int,
    p: float,
    q: float,
    seed: int,
    n_threads: int,
    sample: float = 0.0,
) -> tuple[np.ndarray, int]:
    """Train SGNS on online walks; return ``(input vectors, number of positive pairs)``."""
    n = graph.n_nodes
    w_in, w_out = init_embeddings(n, n_components, seed)
    table = negative_table(graph.degrees())
    rng = np.random.default_rng([seed, 1])
    rounds = walks_per_node * epochs
    starts = np.concatenate([rng.permutation(n) for _ in range(rounds)]).astype(np.int64)
    streams = K.hash_keys(np.arange(len(starts), dtype=np.uint64), np.uint64(seed))
    weighted = bool(graph.weighted)
    cumw = _row_cumsum(graph.indptr, graph.weights) if weighted else np.empty(0)
    pairs = np.zeros(n_threads, dtype=np.int64)
    _train(
        starts,
        streams,
        walk_length,
        graph.indptr,
        graph.indices,
        cumw,
        weighted,
        1.0 / p,
        1.0 / q,
        not (p == 1.0 and q == 1.0),
        w_in,
        w_out,
        table,
        window,
        negatives,
        learning_rate,
        n_threads,
        pairs,
        keep_probabilities(graph.degrees(), sample),
    )
    return w_in, int(pairs.sum())


class SkipGramEmbedder(BaseEmbedder):
    """Shared ``fit`` of the walk + skip-gram embedders (DeepWalk, node2vec)."""

    # hyperparameters every subclass stores (declared for type checkers; set in __init__)
    n_components: int
    walk_length: int
    walks_per_node: int
    window: int
    negatives: int
    epochs: int
    learning_rate: float
    sample: float
    deterministic: bool
    random_state: int | np.random.Generator | None
    n_jobs: int | None

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_components": [Interval(int, 1, None)],
        "walk_length": [Interval(int, 2, None)],
        "walks_per_node": [Interval(int, 1, None)],
        "window": [Interval(int, 1, None)],
        "negatives": [Interval(int, 0, None)],
        "epochs": [Interval(int, 1, None)],
        "learning_rate": [Interval(float, 0, None, closed="neither")],
        "p": [Interval(float, 0, None, closed="neither")],
        "q": [Interval(float, 0, None, closed="neither")],
        "sample": [Interval(float, 0, 1)],
        "deterministic": [bool],
        "random_state": [Interval(int, 0, None), np.random.Generator, None],
        "n_jobs": [Interval(int, -1, -1), Interval(int, 1, None), None],
    }

    def _bias(self) -> tuple[float, float]:
        return 1.0, 1.0

    def fit(self, X: Any, y: Any = None) -> SkipGramEmbedder:
        """Embed the nodes of ``X`` (a :class:`Graph`, scipy.sparse matrix, networkx graph or
        edge-list path)."""
        self._validate_params()
        graph = Graph.from_any(X)
        name = type(self).__name__
        self.seed_ = resolve_seed(self.random_state, name)
        p, q = self._bias()
        threads = 1 if self.deterministic else resolve_n_jobs(self.n_jobs)
        with n_threads(threads):
            emb, pairs = train_sgns(
                graph,
                n_components=self.n_components,
                walk_length=self.walk_length,
                walks_per_node=self.walks_per_node,
                window=self.window,
                negatives=self.negatives,
                learning_rate=float(self.learning_rate),
                epochs=self.epochs,
                p=p,
                q=q,
                seed=self.seed_,
                n_threads=threads,
                sample=float(self.sample),
            )
        self.embeddings_ = emb
        self.ids_ = graph.node_ids
        self.n_pairs_ = pairs
        logger.info("%s: trained on %d positive pairs with %d thread(s)", name, pairs, threads)
        return self
