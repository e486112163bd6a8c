r"""Partitioned skip-gram on Dask: PyTorch-BigGraph's bucket schedule for DeepWalk, node2vec, LINE.

Lerer, Wu, Shen, Lacroix, Wehrstedt, Bose & Peysakhovich, "PyTorch-BigGraph: A Large-scale Graph
Embedding System", SysML 2019 (PBG), applied to the skip-gram with negative sampling (SGNS) of
DeepWalk / word2vec that :mod:`embedlab.graph.skipgram` trains on one machine.

**Model and update.** The nodes are split into ``P`` partitions (:func:`node_partitions`: equal
contiguous ranges of a permutation keyed by the seed, by default; or of the node ids; or
``node % P``). The model is two ``n x d`` float32 tables, the *input* vectors :math:`x` and the
*output* vectors :math:`y`, each cut into ``P`` row blocks. A positive pair is (input node ``c``,
output node ``v``) with the roles of :func:`embedlab.graph.skipgram.sgns_update`: the input vector
:math:`x_c` of the window's *context* node predicts the output vector :math:`y_v` of the window's
*centre* node against ``k`` negatives :math:`u_1..u_k`, and SGD with rate :math:`\eta` on
:math:`-\log\sigma(x_c^\top y_v) - \sum_t \log\sigma(-x_c^\top y_{u_t})` updates
:math:`y_t \mathrel{+}= g_t x_c` and :math:`x_c \mathrel{+}= \sum_t g_t y_t` with
:math:`g_t = \eta\,(l_t - \sigma(x_c^\top y_t))` (word2vec; the same numba ``sgns_update``).
Pairs come from random walks (``pairs_from="walks"``: DeepWalk's uniform walks, node2vec's
second-order walks for ``p, q != 1``, with word2vec's reduced window and frequent-node
subsampling, exactly the rule of ``train_sgns``) or from edges drawn in proportion to their
weight (``pairs_from="edges"``: LINE, Tang et al., WWW 2015; ``order=2`` has separate input
(vertex) and output (context) tables, ``order=1`` one shared table).

**Buckets.** Pair ``(c, v)`` belongs to bucket ``(i, j) = (part(c), part(v))``: ``i`` is the
*input* partition (rows of :math:`x`), ``j`` the *output* partition (rows of :math:`y`). Training a
bucket reads and writes only input block ``i`` and output block ``j`` (for one shared table: its
blocks ``i`` and ``j``). As in PBG, negatives are drawn *inside the bucket*: from output partition
``j`` only, :math:`\propto \deg^{0.75}` restricted to its nodes (:func:`bucket_negatives`). With
the default random partitions a pair's output partition is independent of its context, so the
negatives' marginal law stays :math:`\propto \deg^{0.75}` up to the partitions' ratios of
:math:`\sum \deg` to :math:`\sum \deg^{0.75}`.

**Rounds.** The walks (or edge samples) are cut into ``R`` rounds (default: one walk per node,
``walks_per_node * epochs`` rounds, with the walks, starts and random streams of ``train_sgns``;
10 rounds of edge samples); every round visits each non-empty bucket once. A round's walks are
drawn on the workers, one task per block of walks, which returns the kept (subsampled) walk
nodes, the reduced window drawn at every position and the pair count of every bucket; the task of
bucket ``(i, j)`` then enumerates its own pairs from those walks (the centres in ``j``, their
contexts in ``i``, in walk order). This departs from shipping each task its pairs
pre-bucketed: a walk step is 6 bytes, its pairs ``2 E[window] * 8`` (88 at window 10), and on
BlogCatalog moving the walks instead halved the bytes sent between workers (543 to 240 MB) for an
enumeration costing about a sixth of the bucket's SGD. Edge samples are one pair each, so
their tasks do return pairs split by bucket (LINE's edge ``(u, v)``: input ``u``, output ``v``).

**Schedule.** A lock server in the driver hands buckets to workers, at most one bucket per worker
at a time: bucket ``(i, j)`` may run when input block ``i`` and output block ``j`` are free (one
shared table: when its blocks ``i`` and ``j`` are), so concurrent buckets never share a block. Its
list is PBG's *inside-out* order (:func:`bucket_order`: the L-shaped layers
``min(i, j) = P-1, P-2, ..., 0``, each shuffled with transposed buckets adjacent, a fresh shuffle
per round), and a worker takes the first free bucket of the earliest layer, preferring the one
that reuses the blocks it holds (PBG's lock-server affinity, ``2 [i = i'] + [j = j']``). PBG's own
lock server walks a lexicographic list with that affinity and uses inside-out only on one
machine; here the two are combined. So that the result does not depend on timing, the lock server
runs in advance on simulated time, each bucket lasting its number of pairs
(:func:`schedule_buckets`); the driver then executes that plan with real locks: a bucket is
submitted (``client.submit(..., workers=[addr], pure=False)``) when its worker is idle and every
earlier bucket of the plan sharing a block with it has finished (``distributed.wait(...,
return_when="FIRST_COMPLETED")``). Every block is thus updated by the same buckets in the same
order whatever the timing: the same seed gives the same bytes for the same ``P`` and number of
workers, on threads or processes. Rounds overlap: the next round's walks are drawn while this
round trains, and its buckets start as soon as their blocks are free.

**Learning rate.** As ``train_sgns``, it decays linearly from ``learning_rate`` to
``1e-4 * learning_rate``: in round ``r`` at simulated time ``t`` of a round lasting ``M``,
:math:`\eta = \eta_0 \max(1 - (r + t/M)/R, 10^{-4})`, interpolated linearly over the pairs of each
bucket, so that buckets running side by side share a schedule, as Hogwild threads do (the rounds
have equal walk counts, so this is a linear decay over the pairs up to their fluctuation).

**What moves.** Once: the graph (CSR and subsampling table, for the walks; the edge alias table
for LINE), the ``O(n)`` partition map and the per-partition negative tables, broadcast to every
worker. Per round: every worker training one of its buckets receives the round's walks
(:attr:`PartitionedSkipGram.walk_bytes`); for edges, each bucket task its pairs (8 bytes each).
Per bucket: its two blocks (``2 (n/P) d`` floats; nothing for a block its worker already holds)
and scalars. A task updates its two blocks in place (each version of a block is read by exactly
one bucket task) and returns them; they stay on its worker as Dask futures. The driver holds
``O(n)`` tables and never the model, until the input blocks are gathered at the end.

**Cost.** Time: the SGD of ``train_sgns`` (``pairs * (k + 1)`` updates of ``d`` floats) spread over
the workers, plus per round ``O(n L)`` walk steps, scanned once by each bucket (``P^2`` scans) to
enumerate its pairs; at most ``min(W, P)`` buckets run at once (``floor(P / 2)`` for one shared
table), fewer in the last layers. Memory per bucket task: two blocks, its pairs and one negative
table (:func:`partition_memory_bytes`). Memory per worker: that, plus the blocks it keeps between
buckets (on average ``2 n d 4 / W`` bytes: the model lives in the cluster's memory, where PBG keeps
resting partitions on disk), the walks of at most two rounds (``6 n L`` bytes each), the graph
(``O(n + m)``) and ``O(n)`` tables.

**Differences from the single-machine trainer.** Negatives come from the output block only (PBG);
as in ``train_sgns`` a centre's ``k`` negatives are drawn once and shared by its window's
contexts, but here once per bucket (per input partition present in the window); LINE draws fresh
negatives per pair, as ``train_line``. Within a round the pairs are applied bucket by bucket (in
walk order inside a bucket) instead of walk by walk, on one thread per bucket (no Hogwild inside a
bucket), and the negatives come from their own streams (:func:`bucket_seed`), so the result equals
that of :func:`train_bucket` run by hand over the same walks, not ``train_sgns``'s bytes.

**Measured** (``benchmarks/scale_skipgram.py``, 2 cores). BlogCatalog, DeepWalk's setting (d = 128,
10 walks of 80, window 10), P = 4 on 2 worker processes: Micro-F1 at 50 % 0.385 against 0.381 for
``train_sgns`` on 2 threads (means of 3 seeds; the reproduction's figure is 0.380), 16.8 s against
11.4 s, 234 MiB sent between workers. One bucket task holds 7.8 MiB (the model: 10.1 MiB), but each
worker process peaked at 223 MiB, 34 MiB above its resident memory before the fit (walks, graph,
pairs and Dask's buffers outweigh so small a model). On a power-law graph of 300,000 nodes (model
293 MiB; P = 8) each worker grew by at most 272 MiB, the single process by 293 MiB
(``python benchmarks/run.py --only scale-dask``, 2026-12-03).

Examples
--------
>>> from embedlab.datasets import stochastic_block_model
>>> from embedlab.distributed._client import open_client
>>> g, _ = stochastic_block_model([20, 20], 0.4, 0.02, random_state=0)
>>> with open_client(workers=2, processes=False) as client:
...     emb, n_pairs = train_partitioned_sgns(
...         g, n_components=8, walk_length=10, walks_per_node=2, window=3, seed=0,
...         partitions=2, client=client)
>>> emb.shape, n_pairs > 0
((40, 8), True)
"""

from __future__ import annotations

import logging
import operator
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numba import njit

from embedlab.distributed._client import dask_distributed, resolve_client, worker_addresses
from embedlab.exceptions import InvalidInputError
from embedlab.graph import _kernels as K
from embedlab.graph._sampling import alias_draw, alias_table
from embedlab.graph.skipgram import (
    _SGD_SALT,
    keep_probabilities,
    negative_sampler,
    sgns_update,
)
from embedlab.graph.walks import _row_cumsum, _uniform, walk_into
from embedlab.io._graph import Graph, csr_rows
from embedlab.utils.progress import progress

__all__ = [
    "Assignment",
    "BucketRecord",
    "DaskDeepWalk",
    "DaskLINE",
    "DaskNode2Vec",
    "NodePartitions",
    "PartitionedSkipGram",
    "bucket_negatives",
    "bucket_order",
    "bucket_seed",
    "edge_pairs",
    "node_partitions",
    "partition_memory_bytes",
    "partitioned_sgns",
    "schedule_buckets",
    "train_bucket",
    "train_partitioned_sgns",
    "walk_pairs",
]

logger = logging.getLogger(__name__)

_BUCKET_SALT = np.uint64(0xB1C6_5EED_0000_0009)
_EDGE_SALT = np.uint64(0x11AE_B1C6_5EED_0011)
_PARTITION_SALT = 0x9A27
_ORDER_SALT = 0x0DE5
_RULES = ("shuffle", "range", "modulo")
_SOURCES = ("walks", "edges")


# --------------------------------------------------------------------------------- partitions
@dataclass(frozen=True)
class NodePartitions:
    """Which partition every node is in, and its row inside the partition.

    Attributes
    ----------
    part : ndarray (n,), int32
        Partition of every node.
    local : ndarray (n,), int32
        Row of every node inside its partition's block.
    members : list of ndarray, int64
        ``members[k]``: the nodes of partition ``k`` in row order (``local[members[k]]`` is
        ``0, 1, ...``).
    """

    part: np.ndarray
    local: np.ndarray
    members: list[np.ndarray]

    @property
    def n_partitions(self) -> int:
        """Number of partitions ``P``."""
        return len(self.members)

    def sizes(self) -> np.ndarray:
        """Rows of every partition's block."""
        return np.array([len(m) for m in self.members], dtype=np.int64)


def node_partitions(
    n_nodes: int, partitions: int, *, seed: int = 0, rule: str = "shuffle"
) -> NodePartitions:
    """Split nodes ``0..n-1`` into ``partitions`` blocks of sizes differing by at most one.

    Parameters
    ----------
    n_nodes : int
        Number of nodes.
    partitions : int
        ``P``, between 1 and ``n_nodes``.
    seed : int, default=0
        Seeds the permutation of ``rule="shuffle"``.
    rule : {"shuffle", "range", "modulo"}, default="shuffle"
        ``"shuffle"``: contiguous ranges of a permutation drawn from ``(seed, ·)``; ``"range"``:
        contiguous ranges of the node ids; ``"modulo"``: node ``v`` in partition ``v % P``.
        Inside a partition rows follow the node ids.

    Returns
    -------
    NodePartitions

    Examples
    --------
    >>> node_partitions(5, 2, rule="modulo").part.tolist()
    [0, 1, 0, 1, 0]
    >>> node_partitions(5, 2, rule="range").local.tolist()
    [0, 1, 2, 0, 1]
    """
    _check_partitions(partitions, n_nodes)
    if rule not in _RULES:
        raise InvalidInputError(
            f"'partition_rule' must be one of {', '.join(map(repr, _RULES))}; got {rule!r}."
        )
    if rule == "modulo":
        members = [np.arange(k, n_nodes, partitions, dtype=np.int64) for k in range(partitions)]
    else:
        nodes = (
            np.random.default_rng([seed, _PARTITION_SALT]).permutation(n_nodes)
            if rule == "shuffle"
            else np.arange(n_nodes)
        )
        members = [np.sort(c).astype(np.int64) for c in np.array_split(nodes, partitions)]
    part = np.empty(n_nodes, dtype=np.int32)
    local = np.empty(n_nodes, dtype=np.int32)
    for k, m in enumerate(members):
        part[m] = k
        local[m] = np.arange(len(m), dtype=np.int32)
    return NodePartitions(part, local, members)


def partition_memory_bytes(
    n_nodes: int, n_components: int, partitions: int, *, pairs: int = 0
) -> int:
    """Bytes of model and data that one bucket task holds: two blocks and its pairs.

    ``2 * ceil(n / P) * d * 4`` (an input and an output block of float32 rows, or two blocks of
    the one shared table) ``+ 9 * pairs`` (two int32 local rows and a flag per pair)
    ``+ 12 * ceil(n / P)`` (the output partition's negative alias table).

    Examples
    --------
    >>> partition_memory_bytes(10_312, 128, 4)  # BlogCatalog, d = 128, P = 4
    2670808
    >>> 2 * 10_312 * 128 * 4  # the whole model
    10559488
    """
    _check_partitions(partitions, n_nodes)
    rows = -(-int(n_nodes) // int(partitions))
    return 2 * rows * int(n_components) * 4 + 9 * int(pairs) + 12 * rows


def bucket_negatives(
    degrees: np.ndarray, parts: NodePartitions
) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Return the alias tables of the negatives of each output partition, over its local rows.

    Table ``j`` draws row ``r`` of partition ``j`` with probability
    :math:`\propto \deg(v)^{0.75}`, ``v = members[j][r]`` (``negative_sampler`` restricted to the
    partition; uniform over it if none of its nodes has edges).
    """
    return [negative_sampler(np.asarray(degrees)[m]) for m in parts.members]


# ------------------------------------------------------------------------------ pair kernels
@njit(cache=True, nogil=True)
def _walk_block(
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
    keep: np.ndarray,
    window: int,
    part: np.ndarray,
    n_parts: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Walk, subsample and draw the reduced windows of walks ``starts``.

    Returns ``(nodes, offsets, reach, counts)``: the kept nodes of walk ``w`` are
    ``nodes[offsets[w]:offsets[w + 1]]``, ``reach`` the window half-width drawn at each position,
    ``counts[i * P + j]`` the pairs of bucket ``(i, j)``. The random streams are ``train_sgns``'s:
    the walk from ``streams[w]``, then subsampling and windows from ``streams[w] ^ salt``.
    """
    n_walks = starts.shape[0]
    nodes = np.empty(n_walks * walk_length, dtype=np.int32)
    reach = np.empty(n_walks * walk_length, dtype=np.int32)
    offsets = np.zeros(n_walks + 1, dtype=np.int64)
    counts = np.zeros(n_parts * n_parts, dtype=np.int64)
    walk = np.empty(walk_length, dtype=np.int32)
    state = np.empty(1, dtype=np.uint64)
    pos = 0
    for w in range(n_walks):
        length = walk_into(
            walk, starts[w], streams[w], indptr, indices, cumw, weighted, inv_p, inv_q, second_order
        )
        state[0] = streams[w] ^ _SGD_SALT
        first = pos
        for i in range(length):  # frequent-node subsampling, before windowing (word2vec)
            if _uniform(state) < keep[walk[i]]:
                nodes[pos] = walk[i]
                pos += 1
        kept = pos - first
        for i in range(kept):
            b = min(int(_uniform(state) * window), window - 1)  # reduced window (word2vec)
            r = window - b
            reach[first + i] = r
            out_part = part[nodes[first + i]]
            for j in range(max(0, i - r), min(kept, i + r + 1)):
                if j != i:
                    counts[part[nodes[first + j]] * n_parts + out_part] += 1
        offsets[w + 1] = pos
    return nodes[:pos].copy(), offsets, reach[:pos].copy(), counts


@njit(cache=True, nogil=True)
def _bucket_walk_pairs(
    nodes: np.ndarray,
    offsets: np.ndarray,
    reach: np.ndarray,
    part: np.ndarray,
    local: np.ndarray,
    in_part: int,
    out_part: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Enumerate the pairs of bucket ``(in_part, out_part)`` in walks ``nodes``, in walk order.

    Returns ``(pairs [2, N] int32, fresh [N] bool)``: ``pairs[0]`` the input (context) rows local
    to ``in_part``, ``pairs[1]`` the output (centre) rows local to ``out_part``; ``fresh`` marks
    the first pair of each centre occurrence (where its shared negatives are drawn).
    """
    total = 0
    for w in range(offsets.shape[0] - 1):
        lo_w, hi_w = offsets[w], offsets[w + 1]
        for i in range(lo_w, hi_w):
            if part[nodes[i]] != out_part:
                continue
            r = reach[i]
            for j in range(max(lo_w, i - r), min(hi_w, i + r + 1)):
                if j != i and part[nodes[j]] == in_part:
                    total += 1
    pairs = np.empty((2, total), dtype=np.int32)
    fresh = np.zeros(total, dtype=np.bool_)
    k = 0
    for w in range(offsets.shape[0] - 1):
        lo_w, hi_w = offsets[w], offsets[w + 1]
        for i in range(lo_w, hi_w):
            v = nodes[i]
            if part[v] != out_part:
                continue
            r = reach[i]
            first = True
            for j in range(max(lo_w, i - r), min(hi_w, i + r + 1)):
                if j != i and part[nodes[j]] == in_part:
                    pairs[0, k] = local[nodes[j]]
                    pairs[1, k] = local[v]
                    fresh[k] = first
                    first = False
                    k += 1
    return pairs, fresh


@njit(cache=True, nogil=True)
def _edge_pairs(
    first: int,
    last: int,
    base: np.uint64,
    sources: np.ndarray,
    indices: np.ndarray,
    edge_prob: np.ndarray,
    edge_alias: np.ndarray,
    weighted: bool,
    part: np.ndarray,
    local: np.ndarray,
    n_parts: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Edge samples ``first..last-1`` as pairs sorted by bucket: ``(pairs [2, N], offsets)``.

    Sample ``s`` draws edge ``e`` with probability proportional to its weight from the stream
    ``splitmix64(base + s)``; its pair is (input ``sources[e]``, output ``indices[e]``), local
    rows; bucket ``b = i * P + j`` is ``pairs[:, offsets[b]:offsets[b + 1]]``, in sample order.
    """
    m = indices.shape[0]
    count = last - first
    edges = np.empty(count, dtype=np.int64)
    n_buckets = n_parts * n_parts
    offsets = np.zeros(n_buckets + 1, dtype=np.int64)
    state = np.empty(1, dtype=np.uint64)
    for k in range(count):
        state[0] = K.splitmix64(base + np.uint64(first + k))
        u = _uniform(state)
        e = alias_draw(edge_prob, edge_alias, u) if weighted else min(int(u * m), m - 1)
        edges[k] = e
        offsets[part[sources[e]] * n_parts + part[indices[e]] + 1] += 1
    for b in range(n_buckets):
        offsets[b + 1] += offsets[b]
    pairs = np.empty((2, count), dtype=np.int32)
    fill = offsets[:n_buckets].copy()
    for k in range(count):
        e = edges[k]
        c, v = sources[e], indices[e]
        b = part[c] * n_parts + part[v]
        pairs[0, fill[b]] = local[c]
        pairs[1, fill[b]] = local[v]
        fill[b] += 1
    return pairs, offsets


@njit(cache=True, nogil=True, fastmath=True)
def _train_bucket(
    w_in: np.ndarray,
    w_out: np.ndarray,
    inputs: np.ndarray,
    outputs: np.ndarray,
    fresh: np.ndarray,
    every_pair: bool,
    neg_prob: np.ndarray,
    neg_alias: np.ndarray,
    negatives: int,
    lr_start: float,
    lr_end: float,
    seed: np.uint64,
) -> None:
    n = inputs.shape[0]
    targets = np.empty(negatives + 1, dtype=np.int32)
    grad = np.empty(w_in.shape[1], dtype=np.float32)
    state = np.empty(1, dtype=np.uint64)
    state[0] = seed
    step = (lr_end - lr_start) / max(n, 1)
    for k in range(n):
        targets[0] = outputs[k]
        if every_pair or fresh[k]:
            for t in range(1, negatives + 1):
                targets[t] = alias_draw(neg_prob, neg_alias, _uniform(state))
        sgns_update(w_in, w_out, inputs[k], targets, lr_start + step * k, grad)


def train_bucket(
    w_in: np.ndarray,
    w_out: np.ndarray,
    pairs: np.ndarray,
    negative_table: tuple[np.ndarray, np.ndarray],
    *,
    negatives: int,
    lr_start: float,
    lr_end: float,
    seed: int,
    fresh: np.ndarray | None = None,
) -> None:
    """Train one bucket in place, on one thread, deterministically.

    Parameters
    ----------
    w_in : ndarray (n_i, d), float32, C-contiguous
        Input block ``i`` (updated in place).
    w_out : ndarray (n_j, d), float32, C-contiguous
        Output block ``j`` (updated in place); may be ``w_in`` itself (one shared table, ``i = j``).
    pairs : ndarray (2, N), int32
        Local rows: ``pairs[0]`` input (context) rows in block ``i``, ``pairs[1]`` output (centre)
        rows in block ``j``, trained in this order.
    negative_table : (prob, alias)
        Alias table over the rows of block ``j`` (:func:`bucket_negatives`).
    negatives : int
        ``k`` negatives, drawn from the table.
    lr_start, lr_end : float
        Learning rate of the first pair and (exclusive) after the last, linear in between.
    seed : int
        The stream of the negatives (:func:`bucket_seed`).
    fresh : ndarray (N,) of bool or None, default=None
        Where new negatives are drawn (a centre occurrence's first pair: its negatives are shared
        by its window, as ``train_sgns``); ``None``: for every pair (LINE).
    """
    prob, alias = negative_table
    every = fresh is None
    flags = np.zeros(0, dtype=np.bool_) if fresh is None else np.asarray(fresh, dtype=np.bool_)
    if not every and len(flags) != pairs.shape[1]:
        raise InvalidInputError(
            f"'fresh' must have one flag per pair ({pairs.shape[1]}); got {len(flags)}."
        )
    _train_bucket(
        w_in,
        w_out,
        pairs[0],
        pairs[1],
        flags,
        every,
        prob,
        alias,
        int(negatives),
        float(lr_start),
        float(lr_end),
        np.uint64(seed),
    )


def bucket_seed(seed: int, round_index: int, bucket: tuple[int, int], partitions: int) -> int:
    """Return the negatives' stream of bucket ``(i, j)`` in round ``r``: a hash of its key."""
    i, j = bucket
    key = np.array([(round_index * partitions + i) * partitions + j], dtype=np.uint64)
    return int(K.hash_keys(key, np.uint64(seed) ^ _BUCKET_SALT)[0])


def walk_pairs(
    graph: Graph,
    starts: np.ndarray,
    streams: np.ndarray,
    parts: NodePartitions,
    *,
    walk_length: int,
    window: int,
    p: float = 1.0,
    q: float = 1.0,
    sample: float = 0.0,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return the positive pairs of walks ``starts`` (streams ``streams``), bucket by bucket.

    Returns ``P * P`` tuples ``(pairs [2, N] int32, fresh [N] bool)`` of
    :func:`train_bucket`, bucket ``(i, j)`` at ``i * P + j``: the pairs its task trains (a walk
    task then a bucket task compute them so); exposed for checks.
    """
    data = _walk_data(graph, parts, p, q, sample)
    _, block = _walk_task(data, starts, streams, walk_length, window, parts.n_partitions)
    P = parts.n_partitions
    return [_walk_bucket_pairs([block], data, (i, j)) for i in range(P) for j in range(P)]


def edge_pairs(
    graph: Graph, first: int, last: int, seed: int, parts: NodePartitions
) -> list[np.ndarray]:
    """Return edge samples ``first..last-1`` of ``seed`` as bucket pairs (``[2, N]`` each)."""
    data = _edge_data(graph, parts)
    return _edge_task(data, first, last, _edge_base(seed), parts.n_partitions)[1]


# --------------------------------------------------------------------------------- schedule
def bucket_order(partitions: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """PBG's inside-out bucket order for ``P`` partitions.

    Layer ``l`` holds the buckets with ``min(i, j) = l`` (an L shape in the ``P x P`` grid);
    layers come ``l = P-1`` first, down to ``0``. Inside a layer the groups ``[(l, l)]`` and
    ``{(m, l), (l, m)}`` (``m > l``, the two in random order, adjacent) are shuffled.

    Examples
    --------
    >>> order = bucket_order(3, np.random.default_rng(0))
    >>> [min(b) for b in order]
    [2, 1, 1, 1, 0, 0, 0, 0, 0]
    """
    order: list[tuple[int, int]] = []
    for layer in range(partitions - 1, -1, -1):
        groups: list[list[tuple[int, int]]] = [[(layer, layer)]]
        for m in range(layer + 1, partitions):
            pair = [(m, layer), (layer, m)]
            if rng.random() < 0.5:
                pair.reverse()
            groups.append(pair)
        for g in rng.permutation(len(groups)):
            order.extend(groups[int(g)])
    return order


@dataclass(frozen=True)
class Assignment:
    """One bucket of a plan: which worker trains it, when (in simulated pair units)."""

    bucket: tuple[int, int]
    worker: int
    start: float
    end: float


def _locks(bucket: tuple[int, int], shared: bool) -> set[tuple[str, int]]:
    i, j = bucket
    if shared:
        return {("table", i), ("table", j)}
    return {("input", i), ("output", j)}


def _affinity(bucket: tuple[int, int], held: tuple[int, int] | None, shared: bool) -> int:
    if held is None:
        return 0
    i, j = bucket
    if shared:
        return 2 * (i in held) + (j in held)
    return 2 * (i == held[0]) + (j == held[1])


def schedule_buckets(
    order: list[tuple[int, int]],
    costs: dict[tuple[int, int], float],
    n_workers: int,
    *,
    shared: bool = False,
    held: dict[int, tuple[int, int]] | None = None,
) -> list[Assignment]:
    """Run the lock server on simulated time: which worker trains which bucket, in which order.

    Workers ``0..W-1`` start idle at time 0; a bucket lasts its cost (its number of pairs). When a
    worker is idle (the lowest-numbered first), it takes, among the buckets not yet trained whose
    blocks are all free (input ``i`` and output ``j``; with ``shared``: blocks ``i`` and ``j`` of
    the one table), the one of the earliest layer (``min(i, j)``, layers ranked as they first
    appear in ``order``), then of the highest affinity with the bucket it last trained (``held``,
    then updated), then first in ``order``; if none is free it waits for the next bucket to
    finish. Buckets of cost 0 are left out.

    Returns
    -------
    list of Assignment
        In the order the buckets are acquired (non-decreasing start).

    Examples
    --------
    >>> plan = schedule_buckets([(1, 1), (0, 1), (1, 0), (0, 0)], dict.fromkeys(
    ...     [(0, 0), (0, 1), (1, 0), (1, 1)], 1.0), 2)
    >>> [(a.bucket, a.worker, a.start) for a in plan]
    [((1, 1), 0, 0.0), ((0, 0), 1, 0.0), ((1, 0), 0, 1.0), ((0, 1), 1, 1.0)]
    """
    position = {b: k for k, b in enumerate(order)}
    layer: dict[int, int] = {}  # layer min(i, j) -> its rank in ``order``
    for b in order:
        layer.setdefault(min(b), len(layer))
    remaining = [b for b in order if costs.get(b, 0) > 0]
    last: dict[int, tuple[int, int]] = dict(held or {})
    free_at = [0.0] * n_workers
    running: list[tuple[float, set[tuple[str, int]]]] = []
    plan: list[Assignment] = []
    while remaining:
        w = min(range(n_workers), key=lambda k: (free_at[k], k))
        now = free_at[w]
        running = [(end, locks) for end, locks in running if end > now]
        locked = set().union(*(locks for _, locks in running)) if running else set()
        free = [b for b in remaining if not (_locks(b, shared) & locked)]
        if not free:
            free_at[w] = min(end for end, _ in running)
            continue
        prev = last.get(w)
        bucket = min(
            free,
            key=lambda b: (layer[min(b)], -_affinity(b, prev, shared), position[b]),
        )
        end = now + float(costs[bucket])
        plan.append(Assignment(bucket, w, now, end))
        running.append((end, _locks(bucket, shared)))
        remaining.remove(bucket)
        last[w] = bucket
        free_at[w] = end
    return plan


# ------------------------------------------------------------------------------ worker tasks
def _walk_data(graph: Graph, parts: NodePartitions, p: float, q: float, sample: float) -> tuple:
    weighted = bool(graph.weighted)
    cumw = _row_cumsum(graph.indptr, graph.weights) if weighted else np.empty(0)
    keep = keep_probabilities(graph.degrees(), sample)
    second = not (p == 1.0 and q == 1.0)
    return (
        graph.indptr,
        graph.indices,
        cumw,
        weighted,
        1.0 / p,
        1.0 / q,
        second,
        keep,
        parts.part,
        parts.local,
    )


def _walk_task(
    data: tuple,
    starts: np.ndarray,
    streams: np.ndarray,
    walk_length: int,
    window: int,
    n_parts: int,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Walk one block: ``(counts, (nodes, offsets, reach))``; ``counts[-1]`` is the walk steps."""
    indptr, indices, cumw, weighted, inv_p, inv_q, second, keep, part, _ = data
    nodes, offsets, reach, counts = _walk_block(
        starts,
        streams,
        walk_length,
        indptr,
        indices,
        cumw,
        weighted,
        inv_p,
        inv_q,
        second,
        keep,
        window,
        part,
        n_parts,
    )
    if window < 2**15:
        reach = reach.astype(np.int16)
    return np.append(counts, len(nodes)), (nodes, offsets, reach)


def _walk_bucket_pairs(
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]], data: tuple, bucket: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    part, local = data[8], data[9]
    found = [
        _bucket_walk_pairs(nodes, off, reach, part, local, *bucket) for nodes, off, reach in blocks
    ]
    if len(found) == 1:
        return found[0]
    return (
        np.concatenate([f[0] for f in found], axis=1),
        np.concatenate([f[1] for f in found]),
    )


def _edge_base(seed: int) -> np.uint64:
    return np.uint64(K.splitmix64(np.uint64(seed) ^ _EDGE_SALT))


def _edge_data(graph: Graph, parts: NodePartitions) -> tuple:
    if graph.n_edges == 0:
        raise InvalidInputError("pairs_from='edges' needs at least one edge; the graph has none.")
    weighted = bool(graph.weighted)
    edge_prob, edge_alias = (
        alias_table(graph.weights) if weighted else (np.ones(1), np.zeros(1, np.int32))
    )
    sources = csr_rows(graph.indptr, np.int32)
    return (sources, graph.indices, edge_prob, edge_alias, weighted, parts.part, parts.local)


def _edge_task(
    data: tuple, first: int, last: int, base: np.uint64, n_parts: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sample one block of edges: ``(counts, pairs of every bucket)``; ``counts[-1]`` is 0."""
    sources, indices, edge_prob, edge_alias, weighted, part, local = data
    pairs, offsets = _edge_pairs(
        first, last, base, sources, indices, edge_prob, edge_alias, weighted, part, local, n_parts
    )
    pieces = [
        np.ascontiguousarray(pairs[:, offsets[b] : offsets[b + 1]]) for b in range(len(offsets) - 1)
    ]
    return np.append(np.diff(offsets), 0), pieces


def _item(result: tuple, k: int) -> Any:
    return result[k]


def _piece(result: tuple[np.ndarray, list[np.ndarray]], b: int) -> np.ndarray:
    return result[1][b]


def _init_block(members: np.ndarray, d: int, seed: int, half_width: float) -> np.ndarray:
    """Rows ``members`` of ``init_embeddings(n, d, seed)``'s input table (they depend on the id)."""
    streams = K.hash_keys(members.astype(np.uint64), np.uint64(seed))
    block = np.empty((len(members), d), dtype=np.float32)
    K.uniform_rows(streams, block)
    block -= 0.5
    block *= 2.0 * half_width / d
    return block


def _zero_block(rows: int, d: int) -> np.ndarray:
    return np.zeros((rows, d), dtype=np.float32)


def _worker_bytes() -> int:
    try:
        return int(dask_distributed().get_worker().state.nbytes)
    except (ValueError, AttributeError):
        return -1


def _bucket_task(
    w_in: np.ndarray,
    w_out: np.ndarray | None,
    negative_table: tuple[np.ndarray, np.ndarray],
    payloads: list[Any],
    data: tuple | None,
    bucket: tuple[int, int],
    negatives: int,
    lr_start: float,
    lr_end: float,
    seed: int,
) -> tuple[np.ndarray, np.ndarray | None, dict[str, Any]]:
    """Train one bucket on its worker; ``w_out=None``: the shared table's diagonal bucket.

    ``payloads``: the round's walk blocks (``data`` is the broadcast walk data; the bucket's pairs
    are enumerated from the walks here) or, with ``data=None``, the bucket's edge pairs per block.
    """
    started = time.time()
    held = _worker_bytes()
    if not w_in.flags.writeable:
        w_in = w_in.copy()
    if w_out is not None and not w_out.flags.writeable:
        w_out = w_out.copy()
    fresh: np.ndarray | None
    if data is not None:
        pairs, fresh = _walk_bucket_pairs(payloads, data, bucket)
    else:
        pairs = payloads[0] if len(payloads) == 1 else np.concatenate(payloads, axis=1)
        fresh = None
    train_bucket(
        w_in,
        w_in if w_out is None else w_out,
        pairs,
        negative_table,
        negatives=negatives,
        lr_start=lr_start,
        lr_end=lr_end,
        seed=seed,
        fresh=fresh,
    )
    stats = {
        "started": started,
        "finished": time.time(),
        "n_pairs": int(pairs.shape[1]),
        "worker_bytes": held,
    }
    return w_in, w_out, stats


# ------------------------------------------------------------------------------- the driver
@dataclass(frozen=True)
class BucketRecord:
    """What one bucket task did.

    ``started`` and ``finished`` are the worker's wall clock (``time.time()``); ``plan_start`` and
    ``plan_end`` the simulated times of the plan; ``worker_bytes`` the bytes Dask held on the
    worker when the task started (-1 if unknown).
    """

    round: int
    bucket: tuple[int, int]
    worker: str
    n_pairs: int
    plan_start: float
    plan_end: float
    lr_start: float
    lr_end: float
    started: float
    finished: float
    worker_bytes: int

    @property
    def seconds(self) -> float:
        """Wall time of the task on its worker."""
        return self.finished - self.started


@dataclass
class PartitionedSkipGram:
    """The result of :func:`partitioned_sgns`: embeddings and a report of the run.

    Attributes
    ----------
    embeddings : ndarray (n, d), float32
        Input (vertex) vectors, in node order.
    n_pairs : int
        Positive pairs trained.
    partitions : int
    rounds : int
    shared_table : bool
        One table for both ends (first-order LINE).
    workers : list of str
        Worker addresses; ``BucketRecord.worker`` is one of them.
    part : ndarray (n,), int32
        The partition of every node.
    buckets : list of BucketRecord
        One per bucket task, in plan order.
    bytes_moved : int
        Bytes the workers sent one another during the run (:func:`transfer_bytes`).
    wall_s : float
        Seconds from the first task to the gathered embeddings.
    model_bytes : int
        The whole model, ``(1 or 2) * n * d * 4``.
    bucket_bytes : int
        :func:`partition_memory_bytes` for the largest bucket.
    walk_bytes : int
        The largest round's walks (the kept nodes and windows, 6 bytes a step), which every
        worker training a bucket of that round receives (0 for edges).
    """

    embeddings: np.ndarray
    n_pairs: int
    partitions: int
    rounds: int
    shared_table: bool
    workers: list[str]
    part: np.ndarray
    buckets: list[BucketRecord] = field(default_factory=list)
    bytes_moved: int = 0
    wall_s: float = 0.0
    model_bytes: int = 0
    bucket_bytes: int = 0
    walk_bytes: int = 0


@dataclass
class _Entry:
    round: int
    assignment: Assignment
    locks: set[tuple[str, int]]
    prereqs: list[int]
    pieces: list[Any]
    lr_start: float
    lr_end: float
    seed: int


def _check_int(name: str, value: Any, low: int) -> int:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
        raise InvalidInputError(f"'{name}' must be an int >= {low}; got {value!r}.")
    return int(value)


def _check_positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not (
        isinstance(value, int | float | np.floating) and np.isfinite(value) and value > 0
    ):
        raise InvalidInputError(f"'{name}' must be a positive number; got {value!r}.")
    return float(value)


def _check_partitions(partitions: Any, n_nodes: int) -> int:
    if not isinstance(partitions, int | np.integer) or isinstance(partitions, bool):
        raise InvalidInputError(f"'partitions' must be an int >= 1; got {partitions!r}.")
    if partitions < 1:
        raise InvalidInputError(f"'partitions' must be an int >= 1; got {partitions!r}.")
    if partitions > n_nodes:
        raise InvalidInputError(
            f"'partitions' must be at most the number of nodes ({n_nodes}); got {partitions}: "
            "use fewer partitions."
        )
    return int(partitions)


def partitioned_sgns(
    graph: Graph,
    *,
    n_components: int = 128,
    walk_length: int = 80,
    walks_per_node: int = 10,
    window: int = 10,
    negatives: int = 5,
    learning_rate: float = 0.025,
    epochs: int = 1,
    p: float = 1.0,
    q: float = 1.0,
    seed: int,
    sample: float = 0.0,
    partitions: int = 4,
    client: Any = None,
    pairs_from: str = "walks",
    order: int = 2,
    n_samples: int | None = None,
    rounds: int | None = None,
    partition_rule: str = "shuffle",
    description: str = "partitioned skip-gram",
) -> PartitionedSkipGram:
    """Train SGNS with PBG's partitioned bucket schedule on a Dask cluster; return a report.

    Parameters
    ----------
    graph : Graph
    n_components : int, default=128
        ``d``.
    walk_length, walks_per_node, window : int, default=80, 10, 10
        The walks and the (reduced, as word2vec) window (``pairs_from="walks"``).
    negatives : int, default=5
        ``k`` negatives per pair, from the bucket's output partition.
    learning_rate : float, default=0.025
        Initial SGD step, decayed linearly over the rounds (see the module docstring).
    epochs : int, default=1
        Passes of ``walks_per_node`` walks per node (walks only).
    p, q : float, default=1.0
        node2vec's return and in-out parameters (1, 1: DeepWalk).
    seed : int
        Seeds everything: partitions, walks, bucket orders, negatives, initial vectors.
    sample : float, default=0.0
        word2vec's frequent-node subsampling threshold (walks only).
    partitions : int, default=4
        ``P``, between 1 and the number of nodes.
    client : distributed.Client or None
        ``None``: the current client.
    pairs_from : {"walks", "edges"}, default="walks"
        Positive pairs from walks (DeepWalk, node2vec) or from edges drawn by weight (LINE).
    order : {1, 2}, default=2
        LINE's order (edges only): 1 shares one table between both ends, 2 has separate input
        (vertex) and output (context) tables.
    n_samples : int or None, default=None
        Edge samples (edges only; ``None``: 100 per directed edge, as LINE).
    rounds : int or None, default=None
        ``R``: the walks (or samples) are cut into ``R`` consecutive slices, each trained as one
        pass over the buckets. ``None``: ``walks_per_node * epochs`` for walks (one walk per node
        per round), 10 for edges. More rounds hold fewer pairs at a time and mix better, at
        ``P * P`` more tasks per round.
    partition_rule : {"shuffle", "range", "modulo"}, default="shuffle"
        See :func:`node_partitions`.
    description : str
        Progress label.

    Returns
    -------
    PartitionedSkipGram
    """
    distributed = dask_distributed()
    if pairs_from not in _SOURCES:
        raise InvalidInputError(f"'pairs_from' must be 'walks' or 'edges'; got {pairs_from!r}.")
    n = graph.n_nodes
    seed = _check_int("seed", seed, 0)
    d = _check_int("n_components", n_components, 1)
    negatives = _check_int("negatives", negatives, 0)
    lr0 = _check_positive("learning_rate", learning_rate)
    partitions = _check_partitions(partitions, n)
    if pairs_from == "walks":
        walk_length = _check_int("walk_length", walk_length, 2)
        walks_per_node = _check_int("walks_per_node", walks_per_node, 1)
        window = _check_int("window", window, 1)
        epochs = _check_int("epochs", epochs, 1)
        p, q = _check_positive("p", p), _check_positive("q", q)
        if isinstance(sample, bool) or not (
            isinstance(sample, int | float) and 0.0 <= sample <= 1.0
        ):
            raise InvalidInputError(f"'sample' must be a number in [0, 1]; got {sample!r}.")
        total = walks_per_node * epochs * n
        default_rounds = walks_per_node * epochs
    else:
        if order not in (1, 2):
            raise InvalidInputError(f"'order' must be 1 or 2 (LINE's order); got {order!r}.")
        if graph.n_edges == 0:
            raise InvalidInputError(
                "pairs_from='edges' needs at least one edge; the graph has none."
            )
        total = (
            100 * len(graph.indices) if n_samples is None else _check_int("n_samples", n_samples, 1)
        )
        default_rounds = 10
    rounds = min(default_rounds, total) if rounds is None else _check_int("rounds", rounds, 1)
    if rounds > total:
        raise InvalidInputError(
            f"'rounds' must be at most the number of walks or samples ({total}); got {rounds}."
        )
    client = resolve_client(client)
    addresses = worker_addresses(client)
    n_workers = len(addresses)
    shared = pairs_from == "edges" and order == 1
    parts = node_partitions(n, partitions, seed=seed, rule=partition_rule)
    sizes = parts.sizes()
    half_width = 0.5 if pairs_from == "edges" else 1.0
    n_buckets = partitions * partitions

    begin = time.perf_counter()
    moved0 = _transfer_bytes(client)
    data = _walk_data(graph, parts, p, q, sample) if pairs_from == "walks" else None
    if data is None:
        data = _edge_data(graph, parts)
    [data_f] = client.scatter([data], broadcast=True, hash=False)
    neg_f = client.scatter(bucket_negatives(graph.degrees(), parts), broadcast=True, hash=False)
    bounds = (np.arange(rounds + 1, dtype=np.int64) * total) // rounds
    starts = _Starts(n, seed) if pairs_from == "walks" else None
    edge_base = _edge_base(seed)

    def submit_pairs(r: int) -> tuple[list[Any], list[list[Any]]]:
        a, b = int(bounds[r]), int(bounds[r + 1])
        cuts = np.linspace(a, b, min(n_workers, b - a) + 1).astype(np.int64)
        counts, pieces = [], []
        for k in range(len(cuts) - 1):
            lo, hi = int(cuts[k]), int(cuts[k + 1])
            where = [addresses[(r + k) % n_workers]]
            if starts is not None:
                streams = K.hash_keys(np.arange(lo, hi, dtype=np.uint64), np.uint64(seed))
                fut = client.submit(
                    _walk_task,
                    data_f,
                    starts.slice(lo, hi),
                    streams,
                    walk_length,
                    window,
                    partitions,
                    workers=where,
                    pure=False,
                )
            else:
                fut = client.submit(
                    _edge_task, data_f, lo, hi, edge_base, partitions, workers=where, pure=False
                )
            counts.append(client.submit(_item, fut, 0, workers=where, pure=False))
            if starts is not None:
                pieces.append([client.submit(_item, fut, 1, workers=where, pure=False)])
            else:
                pieces.append(
                    [
                        client.submit(_piece, fut, bk, workers=where, pure=False)
                        for bk in range(n_buckets)
                    ]
                )
        return counts, pieces

    entries: list[_Entry] = []
    last_user: dict[tuple[str, int], int] = {}
    held: dict[int, tuple[int, int]] = {}
    queues: list[deque[int]] = [deque() for _ in range(n_workers)]
    order_rng = np.random.default_rng([seed, _ORDER_SALT])
    n_pairs = 0
    steps: list[int] = []

    def plan_round(r: int, counts: list[Any], pieces: list[list[Any]]) -> list[Assignment]:
        nonlocal n_pairs
        per_block = np.asarray(client.gather(counts), dtype=np.int64).reshape(-1, n_buckets + 1)
        per_bucket = per_block[:, :n_buckets].sum(axis=0)
        n_pairs += int(per_bucket.sum())
        steps.append(int(per_block[:, -1].sum()))
        costs = {
            (i, j): float(per_bucket[i * partitions + j])
            for i in range(partitions)
            for j in range(partitions)
        }
        plan = schedule_buckets(
            bucket_order(partitions, order_rng), costs, n_workers, shared=shared, held=held
        )
        makespan = max((a.end for a in plan), default=1.0)

        def lr(t: float) -> float:
            return lr0 * max(1.0 - (r + t / makespan) / rounds, 1e-4)

        for a in plan:
            i, j = a.bucket
            locks = _locks(a.bucket, shared)
            pos = len(entries)
            prereqs = sorted({last_user[lk] for lk in locks if lk in last_user})
            for lk in locks:
                last_user[lk] = pos
            entries.append(
                _Entry(
                    r,
                    a,
                    locks,
                    prereqs,
                    [blk[0] if starts is not None else blk[i * partitions + j] for blk in pieces],
                    lr(a.start),
                    lr(a.end),
                    bucket_seed(seed, r, a.bucket, partitions),
                )
            )
            queues[a.worker].append(pos)
            held[a.worker] = a.bucket
        return plan

    # round 0's plan places the blocks: each where it is first used
    first_plan = plan_round(0, *submit_pairs(0))
    planned = 1
    pending: tuple[list[Any], list[list[Any]]] | None = None
    home: dict[tuple[str, int], int] = {}
    for a in first_plan:
        for lk in _locks(a.bucket, shared):
            home.setdefault(lk, a.worker)
    inputs: dict[int, Any] = {}
    outputs: dict[int, Any] = {}
    for k in range(partitions):
        key_in = ("table", k) if shared else ("input", k)
        where = [addresses[home.get(key_in, k % n_workers)]]
        inputs[k] = client.submit(
            _init_block, parts.members[k], d, seed, half_width, workers=where, pure=False
        )
        if not shared:
            where = [addresses[home.get(("output", k), k % n_workers)]]
            outputs[k] = client.submit(_zero_block, int(sizes[k]), d, workers=where, pure=False)

    running: dict[Any, int] = {}
    busy = [False] * n_workers
    done = [False] * len(entries)
    stats_f: dict[int, Any] = {}
    wait = distributed.wait
    expected = rounds * n_buckets
    finished = 0
    big = total >= (20_000 if starts is not None else 2e6)  # as train_sgns and train_line
    with progress(
        f"{description}: buckets", expected, min_total=1 if big else np.inf, fields={"rate": ""}
    ) as bar:
        while True:
            if pending is not None and any(not qu for qu in queues):
                plan_round(planned, *pending)
                done.extend([False] * (len(entries) - len(done)))
                planned += 1
                pending = None
            for w in range(n_workers):
                if busy[w] or not queues[w]:
                    continue
                pos = queues[w][0]
                entry = entries[pos]
                if not all(done[x] for x in entry.prereqs):
                    continue
                queues[w].popleft()
                i, j = entry.assignment.bucket
                where = [addresses[w]]
                if shared:
                    w_in, w_out = inputs[i], (None if i == j else inputs[j])
                else:
                    w_in, w_out = inputs[i], outputs[j]
                fut = client.submit(
                    _bucket_task,
                    w_in,
                    w_out,
                    neg_f[j],
                    entry.pieces,
                    data_f if starts is not None else None,
                    entry.assignment.bucket,
                    negatives,
                    entry.lr_start,
                    entry.lr_end,
                    entry.seed,
                    workers=where,
                    pure=False,
                )
                entry.pieces = []
                inputs[i] = client.submit(operator.getitem, fut, 0, workers=where, pure=False)
                if shared:
                    if i != j:
                        inputs[j] = client.submit(
                            operator.getitem, fut, 1, workers=where, pure=False
                        )
                else:
                    outputs[j] = client.submit(operator.getitem, fut, 1, workers=where, pure=False)
                stats_f[pos] = client.submit(operator.getitem, fut, 2, workers=where, pure=False)
                running[fut] = pos
                busy[w] = True
            if pending is None and planned < rounds:  # the next round's pairs, behind these
                pending = submit_pairs(planned)
            if not running:
                if planned >= rounds and not any(queues):
                    break
                raise RuntimeError("partitioned skip-gram: the bucket plan is stuck (a bug)")
            complete, _ = wait(list(running), return_when="FIRST_COMPLETED")
            for fut in complete:
                if fut.status == "error":
                    fut.result()  # raises the task's error
                pos = running.pop(fut)
                done[pos] = True
                busy[entries[pos].assignment.worker] = False
                finished += 1
                rate = finished / max(time.perf_counter() - begin, 1e-9)
                bar.advance(1, rate=f"{rate:.1f} buckets/s")
    blocks = client.gather([inputs[k] for k in range(partitions)])
    stats = client.gather([stats_f[k] for k in range(len(entries))])
    emb = np.empty((n, d), dtype=np.float32)
    for k, block in enumerate(blocks):
        emb[parts.members[k]] = block
    wall = time.perf_counter() - begin
    records = [
        BucketRecord(
            round=e.round,
            bucket=e.assignment.bucket,
            worker=addresses[e.assignment.worker],
            n_pairs=int(s["n_pairs"]),
            plan_start=e.assignment.start,
            plan_end=e.assignment.end,
            lr_start=e.lr_start,
            lr_end=e.lr_end,
            started=float(s["started"]),
            finished=float(s["finished"]),
            worker_bytes=int(s["worker_bytes"]),
        )
        for e, s in zip(entries, stats, strict=True)
    ]
    biggest = max((r.n_pairs for r in records), default=0)
    report = PartitionedSkipGram(
        embeddings=emb,
        n_pairs=n_pairs,
        partitions=partitions,
        rounds=rounds,
        shared_table=shared,
        workers=addresses,
        part=parts.part,
        buckets=records,
        bytes_moved=_transfer_bytes(client) - moved0,
        wall_s=wall,
        model_bytes=(1 if shared else 2) * n * d * 4,
        bucket_bytes=partition_memory_bytes(n, d, partitions, pairs=biggest),
        walk_bytes=6 * max(steps) if starts is not None else 0,
    )
    logger.info(
        "%s: %d pairs, P=%d, %d rounds, %d buckets on %d workers in %.1fs, %d bytes moved",
        description,
        n_pairs,
        partitions,
        rounds,
        len(records),
        n_workers,
        wall,
        report.bytes_moved,
    )
    return report


def _transfer_bytes(client: Any) -> int:
    from embedlab.distributed._client import transfer_bytes

    return transfer_bytes(client)


class _Starts:
    """The walk starts of ``train_sgns``: one permutation of the nodes per pass, drawn in order.

    Walk ``w`` starts at ``permutation_{w // n}[w % n]`` of the generator ``(seed, 1)``; slices
    are asked for in increasing order, so at most the passes they span are kept.
    """

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = np.random.default_rng([seed, 1])
        self.passes: dict[int, np.ndarray] = {}
        self.drawn = 0

    def _pass(self, k: int) -> np.ndarray:
        while self.drawn <= k:
            self.passes[self.drawn] = self.rng.permutation(self.n)
            self.drawn += 1
        return self.passes[k]

    def slice(self, lo: int, hi: int) -> np.ndarray:
        """Return the starts of walks ``lo..hi-1``."""
        out = np.empty(hi - lo, dtype=np.int64)
        pos = lo
        while pos < hi:
            k, off = divmod(pos, self.n)
            take = min(hi - pos, self.n - off)
            out[pos - lo : pos - lo + take] = self._pass(k)[off : off + take]
            pos += take
        for k in [k for k in self.passes if k < lo // self.n]:
            del self.passes[k]
        return out


def train_partitioned_sgns(
    graph: Graph,
    *,
    n_components: int = 128,
    walk_length: int = 80,
    walks_per_node: int = 10,
    window: int = 10,
    negatives: int = 5,
    learning_rate: float = 0.025,
    epochs: int = 1,
    p: float = 1.0,
    q: float = 1.0,
    seed: int,
    sample: float = 0.0,
    partitions: int = 4,
    client: Any = None,
    pairs_from: str = "walks",
    order: int = 2,
    n_samples: int | None = None,
    rounds: int | None = None,
    partition_rule: str = "shuffle",
    description: str = "partitioned skip-gram",
) -> tuple[np.ndarray, int]:
    """Train SGNS partitioned on Dask; return ``(input vectors, number of positive pairs)``.

    The return of :func:`embedlab.graph.skipgram.train_sgns`; parameters as
    :func:`partitioned_sgns`, which also returns the report.
    """
    report = partitioned_sgns(
        graph,
        n_components=n_components,
        walk_length=walk_length,
        walks_per_node=walks_per_node,
        window=window,
        negatives=negatives,
        learning_rate=learning_rate,
        epochs=epochs,
        p=p,
        q=q,
        seed=seed,
        sample=sample,
        partitions=partitions,
        client=client,
        pairs_from=pairs_from,
        order=order,
        n_samples=n_samples,
        rounds=rounds,
        partition_rule=partition_rule,
        description=description,
    )
    return report.embeddings, report.n_pairs


# ----------------------------------------------------------------------------- backends
def _default_partitions(model: Any, graph: Graph, client: Any) -> int:
    from ._client import resolve_client, worker_addresses

    if model.partitions is not None:
        return int(model.partitions)
    return min(2 * len(worker_addresses(resolve_client(client))), graph.n_nodes)


class DaskDeepWalk:
    """The Dask backend of :class:`~embedlab.graph.DeepWalk` (``backend="dask"``).

    Registered in :data:`embedlab.registry.DISTRIBUTED`; trains with :func:`partitioned_sgns`
    from the model's hyperparameters. The result matches the local trainer in quality, not in
    bytes (buckets replace interleaved walks, negatives come from the output partition).
    """

    name = "deepwalk"
    #: the distributed result matches the local one in quality only
    exact = False
    #: small hyperparameters for the contract checks
    check_params: ClassVar[dict[str, Any]] = {
        "n_components": 16,
        "walks_per_node": 4,
        "walk_length": 20,
        "window": 5,
        "partitions": 3,
    }

    @classmethod
    def fit(cls, model: Any, graph: Graph, *, client: Any = None) -> tuple[np.ndarray, int]:
        """Return ``(input vectors, positive pairs)`` as :func:`train_sgns` does."""
        p, q = model._bias()
        return train_partitioned_sgns(
            graph,
            n_components=model.n_components,
            walk_length=model.walk_length,
            walks_per_node=model.walks_per_node,
            window=model.window,
            negatives=model.negatives,
            learning_rate=float(model.learning_rate),
            epochs=model.epochs,
            p=p,
            q=q,
            seed=model.seed_,
            sample=float(model.sample),
            partitions=_default_partitions(model, graph, client),
            client=client,
            description=f"{type(model).__name__} (Dask)",
        )


class DaskNode2Vec(DaskDeepWalk):
    """The Dask backend of :class:`~embedlab.graph.Node2Vec` (second-order walks, ``p``, ``q``)."""

    name = "node2vec"


class DaskLINE:
    """The Dask backend of :class:`~embedlab.graph.LINE` (edge samples as the positive pairs).

    Order 1 shares one table (a bucket locks both of its partitions of it), order 2 has input and
    output tables; ``order="both"`` trains the two at ``d/2`` each and concatenates their
    L2-normalised rows, as the local LINE does.
    """

    name = "line"
    exact = False
    check_params: ClassVar[dict[str, Any]] = {
        "n_components": 16,
        "n_samples": 60_000,
        "partitions": 3,
    }

    @classmethod
    def fit(cls, model: Any, graph: Graph, *, client: Any = None, n_samples: int) -> np.ndarray:
        """Return the embedding (``n x n_components``, float32) as :class:`LINE` builds it."""
        orders = {"first": [1], "second": [2], "both": [1, 2]}[model.order]
        d = model.n_components // len(orders)
        parts = []
        for order in orders:
            emb, _ = train_partitioned_sgns(
                graph,
                n_components=d,
                negatives=model.negatives,
                learning_rate=float(model.learning_rate),
                seed=model.seed_ + order,
                partitions=_default_partitions(model, graph, client),
                client=client,
                pairs_from="edges",
                order=order,
                n_samples=n_samples,
                description=f"LINE({order}) (Dask)",
            )
            if len(orders) == 2:
                norms = np.linalg.norm(emb, axis=1, keepdims=True)
                emb = emb / np.where(norms > 0, norms, 1.0)
            parts.append(emb)
        return np.ascontiguousarray(np.hstack(parts), dtype=np.float32)
