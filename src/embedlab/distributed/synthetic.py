r"""Graphs generated on the workers, block by block: no process ever holds the whole graph.

:func:`power_law_blocks` draws a Chung–Lu graph (Chung & Lu, 2002) with planted communities, an
LFR-like power-law graph (Lancichinetti, Fortunato & Radicchi, 2008) that is cheap to generate
in parallel:

* node :math:`i` has weight :math:`w_i = r_i^{-1/(\gamma - 1)}`, :math:`r` a seeded random
  permutation of :math:`1..n` (expected degrees follow a power law of exponent :math:`\gamma`;
  hubs are spread over the ids);
* an edge picks :math:`u \propto w`; with probability :math:`1 - \mu` its other end
  :math:`v \propto w` inside :math:`u`'s community (``community_size`` consecutive ids), else
  :math:`v \propto w` over all nodes (``mixing`` = :math:`\mu`);
* self-loops and repeated pairs are dropped, so the graph has slightly fewer than ``m`` edges
  (the count is returned); it is undirected and unweighted.

Communities of consecutive ids are the locality real graphs have after a crawl or a
bandwidth-reducing renumbering; ``mixing=1`` gives plain Chung–Lu (no locality).

How it runs: ``C`` chunk tasks (seeded ``(seed, chunk)``) each draw ``m / C`` edges and split both
directions of every edge by the block of its row; block ``b``'s task concatenates its pieces of
every chunk, sorts and de-duplicates them into CSR rows. Memory: the drawn pieces (``8`` bytes per
stored entry) until the blocks are built, then the blocks; time :math:`O(m \log n)`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.graph.fastrp import node_hash_keys

from ._client import resolve_client, worker_addresses
from .fastrp import BlockGraph, _Block

__all__ = ["power_law_blocks"]


def _cdf(n: int, exponent: float, seed: int) -> np.ndarray:
    ranks = np.random.default_rng([seed, 0]).permutation(n).astype(np.float64) + 1.0
    cdf = np.cumsum(ranks ** (-1.0 / (exponent - 1.0)))
    cdf /= cdf[-1]
    return cdf


def _lookup(cdf: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``searchsorted(cdf, q)``, with the queries sorted first (cache-friendly, 5-10x faster)."""
    order = np.argsort(q)
    out = np.empty(len(q), dtype=np.int64)
    out[order] = np.searchsorted(cdf, q[order])
    return np.minimum(out, len(cdf) - 1)


def _chunk(
    cdf: np.ndarray,
    k: int,
    seed: int,
    chunk: int,
    community: int,
    mixing: float,
    bounds: np.ndarray,
) -> list[np.ndarray]:
    n = len(cdf)
    rng = np.random.default_rng([seed, 1, chunk])
    u = _lookup(cdf, rng.random(k))
    lo = (u // community) * community
    hi = np.minimum(lo + community, n)
    start = np.where(lo > 0, cdf[np.maximum(lo - 1, 0)], 0.0)
    r = start + rng.random(k) * (cdf[hi - 1] - start)
    inside = np.minimum(_lookup(cdf, r), hi - 1)
    outside = _lookup(cdf, rng.random(k))
    v = np.where(rng.random(k) < mixing, outside, inside)
    keep = u != v
    rows = np.concatenate([u[keep], v[keep]]).astype(np.int64)
    cols = np.concatenate([v[keep], u[keep]]).astype(np.int64)
    owner = np.searchsorted(bounds, rows, side="right") - 1
    order = np.argsort(owner, kind="stable")
    rows, cols, owner = rows[order], cols[order], owner[order]
    cuts = np.searchsorted(owner, np.arange(len(bounds)))
    # one int64 key per entry, row-major: block b's task only sorts and de-duplicates
    keys = rows * n + cols
    return [keys[cuts[b] : cuts[b + 1]] for b in range(len(bounds) - 1)]


def _piece(pieces: list[np.ndarray], b: int) -> np.ndarray:
    return pieces[b]


def _build(n: int, lo: int, hi: int, *pieces: np.ndarray) -> _Block:
    keys = np.unique(np.concatenate(pieces)) if pieces else np.empty(0, dtype=np.int64)
    rows = keys // n - lo
    cols = (keys % n).astype(np.int32)
    counts = np.bincount(rows, minlength=hi - lo)
    indptr = np.zeros(hi - lo + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return _Block(
        start=lo,
        stop=hi,
        indptr=indptr,
        indices=cols,
        weights=np.empty(0, dtype=np.float32),
        keys=node_hash_keys(np.arange(lo, hi, dtype=np.int64)),
    )


def _entries(block: _Block) -> int:
    return int(block.indices.shape[0])


def power_law_blocks(
    n: int,
    m: int,
    *,
    partitions: int,
    client: Any = None,
    exponent: float = 2.5,
    community_size: int = 1000,
    mixing: float = 0.05,
    chunks: int | None = None,
    random_state: int = 0,
) -> BlockGraph:
    r"""Generate a power-law graph with communities directly as row blocks on the workers.

    Parameters
    ----------
    n, m : int
        Nodes and drawn edges (self-loops and repeats are then dropped).
    partitions : int
        Row blocks (equal numbers of rows), placed round-robin on the workers.
    exponent : float, default=2.5
        :math:`\gamma` of the degree power law (> 2).
    community_size : int, default=1000
        Consecutive ids per community.
    mixing : float in [0, 1], default=0.05
        Share of edges whose second end is drawn over all nodes.
    chunks : int, optional
        Generation tasks (default: one per 2M edges; the graph depends on it, not on the
        cluster).
    random_state : int
        The seed; the same seed gives the same graph for any number of workers.

    Returns
    -------
    BlockGraph
        Node ids ``0..n-1``; ``BlockGraph.nnz`` counts both directions of every edge.
    """
    if n < 2 or m < 1:
        raise InvalidInputError(f"power_law_blocks needs n >= 2 and m >= 1; got n={n}, m={m}.")
    if exponent <= 2:
        raise InvalidInputError(f"'exponent' must be > 2; got {exponent!r}.")
    if not 0.0 <= mixing <= 1.0:
        raise InvalidInputError(f"'mixing' must be in [0, 1]; got {mixing!r}.")
    if community_size < 2:
        raise InvalidInputError(f"'community_size' must be at least 2; got {community_size}.")
    if not 1 <= partitions <= n:
        raise InvalidInputError(f"'partitions' must be in [1, {n}]; got {partitions}.")
    client = resolve_client(client)
    workers = worker_addresses(client)
    n_chunks = chunks or math.ceil(m / 2_000_000)  # not from the cluster: same graph anywhere
    bounds = np.linspace(0, n, partitions + 1).round().astype(np.int64)
    cdfs = {
        w: client.submit(_cdf, n, exponent, random_state, workers=[w], pure=False) for w in workers
    }
    sizes = [m // n_chunks + (1 if c < m % n_chunks else 0) for c in range(n_chunks)]
    chunk_futures, chunk_workers = [], []
    for c, k in enumerate(sizes):
        w = workers[c % len(workers)]
        chunk_workers.append(w)
        chunk_futures.append(
            client.submit(
                _chunk,
                cdfs[w],
                k,
                random_state,
                c,
                community_size,
                mixing,
                bounds,
                workers=[w],
                pure=False,
            )
        )
    blocks, placed = [], []
    for b in range(partitions):
        w = workers[b % len(workers)]
        # cut the piece where the chunk is, so that only the piece travels
        pieces = [
            client.submit(_piece, f, b, workers=[cw], pure=False)
            for f, cw in zip(chunk_futures, chunk_workers, strict=True)
        ]
        blocks.append(
            client.submit(
                _build, n, int(bounds[b]), int(bounds[b + 1]), *pieces, workers=[w], pure=False
            )
        )
        placed.append(w)
    nnz = int(sum(client.gather([client.submit(_entries, f, pure=False) for f in blocks])))
    del chunk_futures, cdfs
    return BlockGraph(
        n_nodes=n, bounds=bounds, weighted=False, blocks=blocks, workers=placed, nnz=nnz
    )
