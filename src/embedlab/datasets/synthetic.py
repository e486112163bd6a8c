"""Synthetic graphs with known ground truth or a chosen size.

* :func:`stochastic_block_model` — planted communities (Holland, Laskey & Leinhardt 1983): each
  pair inside block ``a`` is an edge with probability ``p_in``, across blocks with ``p_out``;
  sampled exactly per block pair (binomial count, then distinct pairs), O(m) memory.
* :func:`erdos_renyi` — G(n, m): ``m`` distinct edges drawn uniformly (Erdős & Rényi 1959).
* :func:`power_law_graph` — Chung–Lu graph with expected degrees following a power law of
  exponent ``exponent`` (Chung & Lu 2002), ``m`` distinct edges, for scale tests.

Every generator takes ``random_state`` and returns the same graph for the same seed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from embedlab.datasets._graphs import NodeLabels
from embedlab.exceptions import InvalidInputError
from embedlab.io._graph import Graph
from embedlab.utils.validation import check_random_state

__all__ = ["distinct_pairs", "erdos_renyi", "power_law_graph", "stochastic_block_model"]


def _pairs_from_index(idx: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Map indices of the strict upper triangle of a ``size x size`` matrix to (i, j), i < j."""
    # row i starts at offset i*size - i*(i+1)/2; invert with the quadratic formula
    n = float(size)
    i = np.floor(((2 * n - 1) - np.sqrt((2 * n - 1) ** 2 - 8 * idx.astype(np.float64))) / 2)
    i = i.astype(np.int64)
    start = i * size - i * (i + 1) // 2
    over = idx >= start + (size - 1 - i)  # float rounding at row ends
    i[over] += 1
    under = idx < i * size - i * (i + 1) // 2
    i[under] -= 1
    start = i * size - i * (i + 1) // 2
    j = idx - start + i + 1
    return i, j


def _check_prob(name: str, p: float) -> None:
    if not (0.0 <= p <= 1.0):
        raise InvalidInputError(f"'{name}' must be a probability in [0, 1]; got {p!r}.")


def stochastic_block_model(
    sizes: Sequence[int],
    p_in: float,
    p_out: float,
    *,
    random_state: int | np.random.Generator | None = None,
) -> tuple[Graph, NodeLabels]:
    """Return a planted-partition graph and its block labels (block ``b`` -> label ``b``).

    The nodes are ``0..n-1``, block by block.

    >>> g, labels = stochastic_block_model([50, 50], 0.3, 0.01, random_state=0)
    >>> g.n_nodes, labels.classes.tolist()
    (100, [0, 1])
    """
    sizes = [int(s) for s in sizes]
    if not sizes or any(s < 1 for s in sizes):
        raise InvalidInputError(f"'sizes' must be positive block sizes; got {sizes!r}.")
    _check_prob("p_in", p_in)
    _check_prob("p_out", p_out)
    rng = check_random_state(random_state)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    src, dst = [], []
    for a, sa in enumerate(sizes):
        for b in range(a, len(sizes)):
            if a == b:
                total = sa * (sa - 1) // 2
                k = rng.binomial(total, p_in) if total else 0
                idx = rng.choice(total, size=k, replace=False) if k else np.empty(0, np.int64)
                i, j = _pairs_from_index(idx, sa)
                src.append(i + offsets[a])
                dst.append(j + offsets[a])
            else:
                sb = sizes[b]
                total = sa * sb
                k = rng.binomial(total, p_out) if total else 0
                idx = rng.choice(total, size=k, replace=False) if k else np.empty(0, np.int64)
                src.append(idx // sb + offsets[a])
                dst.append(idx % sb + offsets[b])
    n = int(offsets[-1])
    graph = Graph.from_edges(
        np.concatenate(src), np.concatenate(dst), nodes=np.arange(n, dtype=np.int64)
    )
    labels = NodeLabels(np.arange(n, dtype=np.int64), np.repeat(np.arange(len(sizes)), sizes))
    return graph, labels


def distinct_pairs(
    sample: Callable[[int], tuple[np.ndarray, np.ndarray]],
    n: int,
    m: int,
    rng: np.random.Generator,
    exclude: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``m`` distinct node pairs ``u < v`` by rejection, in random order.

    ``sample(k)`` proposes ``k`` endpoints each; no pair has its key ``u * n + v`` in ``exclude``.
    """
    excluded = np.empty(0, dtype=np.int64) if exclude is None else np.asarray(exclude, np.int64)
    max_pairs = n * (n - 1) // 2 - len(excluded)
    if m > max_pairs:
        raise InvalidInputError(
            f"A simple graph on {n} nodes has only {max_pairs} available node pairs; asked {m}."
        )
    keys = np.empty(0, dtype=np.int64)
    while len(keys) < m:
        need = int((m - len(keys)) * 1.1) + 16
        u, v = sample(need)
        keep = u != v
        lo, hi = np.minimum(u[keep], v[keep]), np.maximum(u[keep], v[keep])
        new = lo.astype(np.int64) * n + hi
        if len(excluded):
            new = new[~np.isin(new, excluded)]
        keys = np.unique(np.concatenate([keys, new]))
    keys = rng.permutation(keys)[:m]
    return keys // n, keys % n


def erdos_renyi(n: int, m: int, *, random_state: int | np.random.Generator | None = None) -> Graph:
    """G(n, m): an undirected graph with ``m`` distinct uniformly random edges on ``n`` nodes."""
    if n < 2 or m < 0:
        raise InvalidInputError(f"erdos_renyi needs n >= 2 and m >= 0; got n={n}, m={m}.")
    rng = check_random_state(random_state)

    def sample(k: int) -> tuple[np.ndarray, np.ndarray]:
        return rng.integers(0, n, size=k), rng.integers(0, n, size=k)

    u, v = distinct_pairs(sample, n, m, rng)
    return Graph.from_edges(u, v, nodes=np.arange(n, dtype=np.int64))


def power_law_graph(
    n: int,
    m: int,
    *,
    exponent: float = 2.5,
    random_state: int | np.random.Generator | None = None,
) -> Graph:
    """Return a Chung–Lu graph with ``m`` distinct edges.

    Endpoint ``i`` is drawn with weight ``(i+1)^(-1/(γ-1))``.

    Expected degrees follow a power law with exponent ``γ = exponent`` (> 2).
    """
    if n < 2 or m < 0:
        raise InvalidInputError(f"power_law_graph needs n >= 2 and m >= 0; got n={n}, m={m}.")
    if exponent <= 2:
        raise InvalidInputError(f"'exponent' must be > 2; got {exponent!r}.")
    rng = check_random_state(random_state)
    w = (np.arange(1, n + 1, dtype=np.float64)) ** (-1.0 / (exponent - 1.0))
    cdf = np.cumsum(w)
    cdf /= cdf[-1]
    perm = rng.permutation(n)  # so that node id does not reveal degree rank

    def sample(k: int) -> tuple[np.ndarray, np.ndarray]:
        u = np.minimum(np.searchsorted(cdf, rng.random(k)), n - 1)
        v = np.minimum(np.searchsorted(cdf, rng.random(k)), n - 1)
        return perm[u], perm[v]

    u, v = distinct_pairs(sample, n, m, rng)
    return Graph.from_edges(u, v, nodes=np.arange(n, dtype=np.int64))
