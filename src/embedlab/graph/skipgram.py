r"""Skip-gram with negative sampling (SGNS) over random walks, generated online.

Mikolov et al., "Distributed Representations of Words and Phrases", NeurIPS 2013, applied to walks
as in DeepWalk (Perozzi et al., KDD 2014) and node2vec (Grover & Leskovec, KDD 2016); walks are
produced and consumed on the fly as in GraphVite (Zhu et al., WWW 2019), so memory is
:math:`O(n d)` whatever the number of walks.

For a positive pair (context ``c``, centre ``v``) within the (randomly reduced, as word2vec) window
of a walk, and ``k`` negatives :math:`u_j` drawn from the unigram distribution raised to 0.75 (the
walk visit frequency of a node is proportional to its degree, so negatives are drawn
:math:`\propto \deg^{0.75}`), SGD with learning rate :math:`\eta` on

.. math::
    \ell = -\log\sigma(x_c^\top y_v) - \sum_{j=1}^{k} \log\sigma(-x_c^\top y_{u_j})

updates, for every target :math:`t \in \{v, u_1..u_k\}` with label :math:`l_t` (1 for ``v``),
:math:`g_t = \eta\,(l_t - \sigma(x_c^\top y_t))`, :math:`y_t \mathrel{+}= g_t x_c`, and finally
:math:`x_c \mathrel{+}= \sum_t g_t y_t` (with the :math:`y_t` before their update, as word2vec).
The learning rate decays linearly from ``learning_rate`` to ``1e-4 * learning_rate``. With
``sample > 0`` frequent nodes are dropped from each walk before windowing, as word2vec does
(:func:`keep_probabilities`).

The ``k`` negatives of a centre are drawn once and shared by all the context nodes of its window
(Ji et al., "Parallelizing Word2Vec in Shared and Distributed Memory", 2016 -- pWord2Vec): the
``k + 1`` output rows then stay in cache for the whole window, which is most of the speed, while
the updates are still applied pair by pair as word2vec does (applying the window's updates at once,
as pWord2Vec's matrix form does, cost 0.003 Micro-F1 on BlogCatalog; pair by pair matched gensim).
Input vectors start uniform in ``[-1/d, 1/d)`` as in gensim >= 4 (word2vec.c uses half that
range; on BlogCatalog at one epoch the wider start measured +0.002 Micro- and +0.005 Macro-F1,
mean of 3 seeds).

Threads run Hogwild (lock-free updates, Recht et al. 2011): thread ``t`` trains walks
``t, t + T, t + 2T, ...`` so that every thread sees the same learning-rate schedule; with one
thread (``deterministic=True``) the same seed gives the same bytes. The walks are cut into about
100 episodes (GraphVite's term) between which the trainer reports progress in pairs/s.

Cost: ``walks * length * 2 * E[window] * (k + 1)`` updates of ``d`` floats, where
``E[window] = (window + 1) / 2``; memory: two float32 ``n x d`` matrices and an ``O(n)``
alias table for the negatives, whatever the number of walks.
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
from embedlab.graph.walks import _row_cumsum, _uniform, walk_into
from embedlab.io._graph import Graph
from embedlab.registry import DISTRIBUTED
from embedlab.utils._numba import n_threads, resolve_n_jobs
from embedlab.utils.progress import progress
from embedlab.utils.validation import Interval, Options, resolve_seed

__all__ = [
    "SkipGramEmbedder",
    "init_embeddings",
    "keep_probabilities",
    "negative_sampler",
    "sgns_update",
    "train_sgns",
]

logger = logging.getLogger(__name__)

_SGD_SALT = np.uint64(0x5EED_5EED_0000_0003)

# word2vec's sigmoid table: 1000 values of sigma on [-6, 6); beyond it sigma is taken as 0 or 1.
_MAX_EXP = 6.0
_SIGMOID_SIZE = 1000
_SIGMOID_SCALE = _SIGMOID_SIZE / (2.0 * _MAX_EXP)
_SIGMOID = 1.0 / (1.0 + np.exp(-((np.arange(_SIGMOID_SIZE) / _SIGMOID_SIZE * 2 - 1) * _MAX_EXP)))
_SIGMOID = _SIGMOID.astype(np.float32)


@njit(cache=True, nogil=True, fastmath=True)
def sgns_update(
    w_in: np.ndarray,
    w_out: np.ndarray,
    context: int,
    targets: np.ndarray,
    lr: float,
    grad: np.ndarray,
) -> None:
    """One SGNS step: ``context`` predicts ``targets[0]`` against the negatives ``targets[1:]``.

    A negative equal to the positive is skipped (word2vec). ``w_out`` may be ``w_in`` itself
    (first-order LINE). ``grad`` is scratch of length ``d``.
    """
    d = w_in.shape[1]
    x = w_in[context]
    for k in range(d):
        grad[k] = 0.0
    positive = targets[0]
    for j in range(targets.shape[0]):
        target = targets[j]
        if j > 0 and target == positive:
            continue
        label = 1.0 if j == 0 else 0.0
        y = w_out[target]
        f = np.float32(0.0)
        for k in range(d):
            f += x[k] * y[k]
        if f >= _MAX_EXP:
            g = (label - 1.0) * lr
        elif f <= -_MAX_EXP:
            g = label * lr
        else:
            g = (label - _SIGMOID[int((f + _MAX_EXP) * _SIGMOID_SCALE)]) * lr
        g32 = np.float32(g)
        for k in range(d):
            grad[k] += g32 * y[k]
            y[k] += g32 * x[k]
    for k in range(d):
        x[k] += grad[k]


@njit(cache=True, nogil=True, inline="always")
def _draw_negatives(
    prob: np.ndarray, alias: np.ndarray, state: np.ndarray, targets: np.ndarray
) -> None:
    for j in range(1, targets.shape[0]):
        targets[j] = alias_draw(prob, alias, _uniform(state))


@njit(parallel=True, cache=True, nogil=True, fastmath=True)
def _train_episode(
    first: int,
    last: int,
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
    neg_prob: np.ndarray,
    neg_alias: np.ndarray,
    window: int,
    negatives: int,
    lr0: float,
    n_threads: int,
    pairs: np.ndarray,
    keep: np.ndarray,
) -> None:
    """Train on walks ``first..last-1`` of ``starts``.

    Thread ``t`` generates and trains walks ``first + t, first + t + T, ...`` and adds its
    positive pairs to ``pairs[t]``.
    """
    total = starts.shape[0]
    d = w_in.shape[1]
    for t in prange(n_threads):
        walk = np.empty(walk_length, dtype=np.int32)
        targets = np.empty(negatives + 1, dtype=np.int32)
        grad = np.empty(d, dtype=np.float32)
        state = np.empty(1, dtype=np.uint64)
        count = 0
        for w in range(first + t, last, n_threads):
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
                targets[0] = walk[i]
                _draw_negatives(
                    neg_prob, neg_alias, state, targets
                )  # shared by the window (pWord2Vec)
                for j in range(lo, hi):
                    if j != i:
                        sgns_update(w_in, w_out, walk[j], targets, lr, grad)
                        count += 1
        pairs[t] += count


def negative_sampler(degrees: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the alias table drawing node ``v`` with probability ``∝ degree(v) ** 0.75``.

    word2vec's unigram^0.75 distribution, exactly rather than through a rounded table; uniform
    if no node has edges.

    >>> from embedlab.graph._sampling import alias_probabilities
    >>> alias_probabilities(*negative_sampler(np.array([1.0, 0.0, 16.0]))).round(6).tolist()
    [0.111111, 0.0, 0.888889]
    """
    weights = np.power(np.maximum(np.asarray(degrees, dtype=np.float64), 0.0), 0.75)
    if weights.sum() == 0:
        weights = np.ones_like(weights)
    return alias_table(weights)


def keep_probabilities(degrees: np.ndarray, sample: float) -> np.ndarray:
    r"""Return word2vec's subsampling probabilities.

    Keep an occurrence of node ``v`` with probability
    :math:`(\sqrt{f_v / (s F)} + 1)\, s F / f_v` (capped at 1), where the visit frequency
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


def init_embeddings(
    n: int, d: int, seed: int, *, half_width: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Return input vectors uniform in ``[-half_width/d, half_width/d)``, output vectors zero.

    ``half_width`` is 1 in gensim >= 4, 0.5 in word2vec.c and LINE.

    Row ``i`` depends only on ``(seed, i)``.
    """
    streams = K.hash_keys(np.arange(n, dtype=np.uint64), np.uint64(seed))
    w_in = np.empty((n, d), dtype=np.float32)
    K.uniform_rows(streams, w_in)
    w_in -= 0.5
    w_in *= 2.0 * half_width / d
    return w_in, np.zeros((n, d), dtype=np.float32)


def _episodes(total: int, threads: int) -> list[tuple[int, int]]:
    """Return about 100 equal slices of ``range(total)`` (GraphVite's episodes).

    The trainer returns to Python between them to report progress.
    """
    size = max(64 * threads, -(-total // 100))
    return [(a, min(a + size, total)) for a in range(0, total, size)]


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
    description: str = "skip-gram",
) -> tuple[np.ndarray, int]:
    """Train SGNS on online walks; return ``(input vectors, number of positive pairs)``."""
    n = graph.n_nodes
    w_in, w_out = init_embeddings(n, n_components, seed)
    degrees = graph.degrees()
    neg_prob, neg_alias = negative_sampler(degrees)
    rng = np.random.default_rng([seed, 1])
    rounds = walks_per_node * epochs
    starts = np.concatenate([rng.permutation(n) for _ in range(rounds)]).astype(np.int64)
    streams = K.hash_keys(np.arange(len(starts), dtype=np.uint64), np.uint64(seed))
    weighted = bool(graph.weighted)
    cumw = _row_cumsum(graph.indptr, graph.weights) if weighted else np.empty(0)
    keep = keep_probabilities(degrees, sample)
    pairs = np.zeros(n_threads, dtype=np.int64)
    total = len(starts)
    begin = time.perf_counter()
    fields = {"rate": ""}
    with progress(f"{description}: walks", total, min_total=20_000, fields=fields) as bar:
        for first, last in _episodes(total, n_threads):
            _train_episode(
                first,
                last,
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
                neg_prob,
                neg_alias,
                window,
                negatives,
                learning_rate,
                n_threads,
                pairs,
                keep,
            )
            rate = pairs.sum() / max(time.perf_counter() - begin, 1e-9)
            bar.advance(last - first, rate=f"{rate / 1e6:.2f}M pairs/s")
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
    backend: str
    partitions: int | None
    name: ClassVar[str]

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
        "backend": [Options(str, {"local", "dask"})],
        "partitions": [Interval(int, 1, None), None],
    }

    def _bias(self) -> tuple[float, float]:
        return 1.0, 1.0

    def fit(self, X: Any, y: Any = None, *, client: Any = None) -> SkipGramEmbedder:
        """Embed the nodes of ``X``.

        ``X`` is a :class:`Graph`, a scipy.sparse matrix, a networkx graph or an edge-list path.
        ``client``: the Dask client of ``backend="dask"`` (default: the current one).
        """
        self._validate_params()
        graph = Graph.from_any(X)
        name = type(self).__name__
        self.seed_ = resolve_seed(self.random_state, name)
        if self.backend == "dask":
            emb, pairs = DISTRIBUTED.get(self.name).fit(self, graph, client=client)
            self.embeddings_, self.ids_, self.n_pairs_ = emb, graph.node_ids, pairs
            return self
        if client is not None:
            raise InvalidInputError(f"'client' is for backend='dask'; this {name} is local.")
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
                description=name,
            )
        self.embeddings_ = emb
        self.ids_ = graph.node_ids
        self.n_pairs_ = pairs
        logger.info("%s: trained on %d positive pairs with %d thread(s)", name, pairs, threads)
        return self
