r"""Random walks on graphs: uniform (DeepWalk) and second-order (node2vec), in parallel.

* **First order** (Perozzi et al., KDD 2014): from ``v`` move to neighbour ``x`` with probability
  :math:`w_{vx} / \sum_y w_{vy}` — a binary search in the row's cumulative weights (``O(log d)``
  per step, ``O(m)`` memory; unweighted rows draw an index directly).
* **Second order** (Grover & Leskovec, KDD 2016): having come from ``t`` to ``v``, move to ``x``
  with probability proportional to :math:`\alpha_{pq}(t, x)\, w_{vx}`, where
  :math:`\alpha = 1/p` if ``x = t``, :math:`1` if ``x`` is a neighbour of ``t``, :math:`1/q`
  otherwise. Sampled by rejection as KnightKing (Yang et al., SOSP 2019) and PecanPy's
  SparseOTF do without alias tables: propose ``x`` by the first-order rule, accept with
  probability :math:`\alpha / \max(1/p, 1, 1/q)`; "is ``x`` a neighbour of ``t``" is a binary
  search in ``t``'s sorted CSR row. Memory stays ``O(m)`` instead of the ``O(m \bar d)`` of
  precomputed second-order alias tables.

Every walk has its own random stream, SplitMix64-hashed from ``(seed, walk index)``, so walks do
not depend on the number of threads. A walk that reaches a node without out-edges stops; the rest
of its row is ``-1``.

Cost: ``O(walks * length * log d)`` time for first-order walks (second-order: times the expected
number of proposals, at most :math:`\max(1/p, 1, 1/q) / \min(1/p, 1, 1/q)`); memory: the walks,
``walks * length`` int32 (the skip-gram trainer consumes walks as they are generated instead).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from embedlab.exceptions import InvalidInputError
from embedlab.graph import _kernels as K
from embedlab.io._graph import Graph
from embedlab.utils._numba import n_threads
from embedlab.utils.validation import resolve_seed

__all__ = ["random_walks"]

_S11 = np.uint64(11)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_INV53 = 1.0 / 9007199254740992.0  # 2^-53


@njit(cache=True, inline="always")
def _uniform(state: np.ndarray) -> float:
    """Return the next uniform double in [0, 1) of the stream in ``state[0]``.

    The SplitMix64 sequence: output ``mix(state + golden)``, then ``state += golden``.
    """
    z = K.splitmix64(state[0])
    state[0] += _GOLDEN
    return float(z >> _S11) * _INV53


@njit(cache=True, inline="always")
def _first_order(
    indptr: np.ndarray,
    indices: np.ndarray,
    cumw: np.ndarray,
    weighted: bool,
    v: int,
    state: np.ndarray,
) -> int:
    lo, hi = indptr[v], indptr[v + 1]
    if not weighted:
        return indices[lo + min(int(_uniform(state) * (hi - lo)), hi - lo - 1)]
    target = _uniform(state) * cumw[hi - 1]  # cumw restarts at every row
    a, b = lo, hi - 1
    while a < b:  # first position whose cumulative weight exceeds target
        mid = (a + b) // 2
        if cumw[mid] > target:
            b = mid
        else:
            a = mid + 1
    return indices[a]


@njit(cache=True, inline="always")
def _is_neighbour(indptr: np.ndarray, indices: np.ndarray, t: int, x: int) -> bool:
    a, b = indptr[t], indptr[t + 1]
    while a < b:
        mid = (a + b) // 2
        if indices[mid] < x:
            a = mid + 1
        else:
            b = mid
    return a < indptr[t + 1] and indices[a] == x


@njit(cache=True, nogil=True)
def walk_into(
    out: np.ndarray,
    start: int,
    stream: np.uint64,
    indptr: np.ndarray,
    indices: np.ndarray,
    cumw: np.ndarray,
    weighted: bool,
    inv_p: float,
    inv_q: float,
    second_order: bool,
) -> int:
    """Write one walk from ``start`` into ``out``; return its length (the rest is -1)."""
    state = np.empty(1, dtype=np.uint64)
    state[0] = stream
    bound = max(inv_p, 1.0, inv_q)
    out[0] = start
    prev = -1
    v = start
    length = out.shape[0]
    for step in range(1, length):
        if indptr[v] == indptr[v + 1]:
            for k in range(step, length):
                out[k] = -1
            return step
        if not second_order or prev < 0:
            x = _first_order(indptr, indices, cumw, weighted, v, state)
        else:
            while True:
                x = _first_order(indptr, indices, cumw, weighted, v, state)
                if x == prev:
                    alpha = inv_p
                elif _is_neighbour(indptr, indices, prev, x):
                    alpha = 1.0
                else:
                    alpha = inv_q
                if _uniform(state) * bound < alpha:
                    break
        out[step] = x
        prev = v
        v = x
    return length


@njit(parallel=True, cache=True, nogil=True)
def _walks(
    starts: np.ndarray,
    streams: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    cumw: np.ndarray,
    weighted: bool,
    inv_p: float,
    inv_q: float,
    second_order: bool,
    out: np.ndarray,
) -> None:
    for w in prange(starts.shape[0]):
        walk_into(
            out[w],
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


@njit(parallel=True, cache=True, nogil=True)
def _row_cumsum(indptr: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return running sums of the weights within each CSR row (float64), restarting per row."""
    out = np.empty(weights.shape[0], dtype=np.float64)
    for i in prange(indptr.shape[0] - 1):
        acc = 0.0
        for e in range(indptr[i], indptr[i + 1]):
            acc += weights[e]
            out[e] = acc
    return out


def random_walks(
    graph: Graph,
    *,
    walk_length: int = 80,
    walks_per_node: int = 10,
    p: float = 1.0,
    q: float = 1.0,
    random_state: int | np.random.Generator | None = None,
    n_jobs: int | None = None,
) -> np.ndarray:
    """Random walks as an int32 array ``[walks_per_node * n, walk_length]`` of row positions.

    Walk ``r * n + i`` starts at node ``i`` (round ``r``); ``p = q = 1`` gives DeepWalk's uniform
    walks, otherwise node2vec's second-order walks (see the module docstring). Map positions to
    ids with ``graph.node_ids[walks]`` (where ``walks >= 0``).

    Examples
    --------
    >>> from embedlab.graph import Graph
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 3])  # a path
    >>> w = random_walks(g, walk_length=4, walks_per_node=1, random_state=0)
    >>> w.shape, bool((np.abs(np.diff(w, axis=1)) == 1).all())
    ((4, 4), True)
    """
    for name, value, low in (
        ("walk_length", walk_length, 1),
        ("walks_per_node", walks_per_node, 1),
    ):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
            raise InvalidInputError(f"'{name}' must be an int >= {low}; got {value!r}.")
    for name, bias in (("p", p), ("q", q)):
        if not (isinstance(bias, int | float) and np.isfinite(bias) and bias > 0):
            raise InvalidInputError(f"'{name}' must be a positive number; got {bias!r}.")
    seed = resolve_seed(random_state, "random_walks")
    n = graph.n_nodes
    total = walks_per_node * n
    starts = np.tile(np.arange(n, dtype=np.int64), walks_per_node)
    streams = K.hash_keys(np.arange(total, dtype=np.uint64), np.uint64(seed))
    out = np.empty((total, walk_length), dtype=np.int32)
    second = not (p == 1.0 and q == 1.0)
    with n_threads(n_jobs):
        cumw = _row_cumsum(graph.indptr, graph.weights) if graph.weighted else np.empty(0)
        _walks(
            starts,
            streams,
            graph.indptr,
            graph.indices,
            cumw,
            graph.weighted,
            1.0 / p,
            1.0 / q,
            second,
            out,
        )
    return out
