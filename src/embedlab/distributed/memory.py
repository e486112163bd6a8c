r"""Memory estimates before a run, per worker and in total (Neo4j GDS's ``.estimate``).

:func:`estimate_memory` adds up the arrays a method allocates, from the graph's size (or from
the graph itself, which gives FastRP's exact halos), for one process or for ``workers`` Dask
workers. It counts the arrays, not Python's own footprint: :data:`PROCESS_BASELINE` (the
interpreter, NumPy, SciPy, numba and the compiled kernels; a Dask worker adds its own) is added
once per process. The CLI refuses a run whose estimate exceeds the memory it can use and warns
above 80 % of it (:func:`check_memory`).

What is counted (``n`` nodes, ``m`` stored adjacency entries, ``d`` dimensions, float32
vectors, int32 column indices, int64 row pointers):

* **FastRP, one process**: the graph (``8 (n + 1) + 8 m``), node keys, degrees and inverse
  degrees (``20 n``), three ``n x d`` buffers (``12 n d``) and the very sparse first-step operand
  (``8 n d / \sqrt{n} + 8 n``).
* **FastRP on Dask**: per block ``b`` of ``n_b`` rows and ``m_b`` entries: its rows (``8 n_b +
  12 m_b``, the global and the halo-local column indices), keys and degrees (``20 n_b``), the
  three buffers (``12 n_b d``), the row lists other blocks request (``8`` per row); while it
  propagates, its received halo and its concatenation (``8 |H_b| d``), and on the owners the
  pieces being sent (``4 |H_b| d``, counted on the largest worker). With ``graph`` the halos are
  exact; from sizes alone the bound :math:`|H_b| \le \min(n, n_b + m_b)` is used.
* **Skip-gram (DeepWalk, node2vec, LINE), one process**: the graph, two ``n x d`` tables
  (``8 n d``), the alias table (``12 n``) and the walk starts and streams (``16 n r`` for ``r =
  walks_per_node * epochs``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError

__all__ = ["PROCESS_BASELINE", "MemoryEstimate", "check_memory", "estimate_memory"]

#: bytes of one Python process with embedlab's graph kernels loaded (measured: 2026-12-03,
#: ``benchmarks/scale_fastrp.py`` reports it beside each run)
PROCESS_BASELINE = 250 * 2**20

_METHODS = ("fastrp", "deepwalk", "node2vec", "line")


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a run needs.

    Attributes
    ----------
    method : str
    workers : int
        1 for a single process.
    per_worker : int
        The largest worker's bytes (the process's, with one), baseline included.
    total : int
        All workers together, baselines included.
    parts : dict of str to int
        The largest worker's bytes by what holds them.
    """

    method: str
    workers: int
    per_worker: int
    total: int
    parts: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """Return a short human summary (GiB)."""
        gib = 2.0**30
        where = "per worker" if self.workers > 1 else "in one process"
        lines = [
            f"{self.method}: {self.per_worker / gib:.2f} GiB {where}, "
            f"{self.total / gib:.2f} GiB in total"
        ]
        lines += [f"  {k}: {v / gib:.3f} GiB" for k, v in self.parts.items()]
        return "\n".join(lines)


def _graph_parts(n: int, m: int) -> int:
    return 8 * (n + 1) + 8 * m


def _fastrp_local(n: int, m: int, d: int) -> dict[str, int]:
    density = 1.0 / math.sqrt(max(n, 1))
    return {
        "graph": _graph_parts(n, m),
        "keys and degrees": 20 * n,
        "three n x d buffers": 12 * n * d,
        "sparse projection": int(8 * n * d * density + 8 * n),
    }


def _fastrp_blocks(
    rows: np.ndarray,
    entries: np.ndarray,
    halos: np.ndarray,
    owner: list[int],
    d: int,
    weighted: bool = False,
) -> tuple[list[int], dict[str, int]]:
    """Bytes of each worker and the parts of the largest one."""
    per_entry = 12 if weighted else 8  # global + halo-local column indices (+ weights)
    n_workers = max(owner) + 1
    fixed = np.zeros(n_workers)
    peak = np.zeros(n_workers)
    for b in range(len(rows)):
        w = owner[b]
        fixed[w] += 8 * rows[b] + per_entry * entries[b] + 20 * rows[b] + 12 * rows[b] * d
        fixed[w] += 8 * halos[b]  # the row lists, held by the owners
        peak[w] = max(peak[w], 12 * halos[b] * d)
    worst = int(np.argmax(fixed + peak))
    mine = [b for b in range(len(rows)) if owner[b] == worst]
    parts = {
        "blocks' rows": int(sum(8 * rows[b] + per_entry * entries[b] for b in mine)),
        "keys and degrees": int(sum(20 * rows[b] for b in mine)),
        "three buffers": int(sum(12 * rows[b] * d for b in mine)),
        "halo row lists": int(sum(8 * halos[b] for b in mine)),
        "halo in flight": int(peak[worst]),
    }
    return [int(v) for v in fixed + peak], parts


def estimate_memory(
    method: str,
    graph: Any = None,
    *,
    n_nodes: int | None = None,
    n_entries: int | None = None,
    n_components: int = 128,
    workers: int = 1,
    partitions: int | None = None,
    walks_per_node: int = 10,
    epochs: int = 1,
) -> MemoryEstimate:
    """Estimate the memory of ``method`` on a graph, in one process or on ``workers`` workers.

    Parameters
    ----------
    method : {"fastrp", "deepwalk", "node2vec", "line"}
    graph : Graph or BlockGraph, optional
        The graph itself (FastRP on Dask then uses its exact halos; a
        :class:`~embedlab.distributed.fastrp.BlockGraph` is measured on its workers, with its
        own blocks and placement); else give ``n_nodes`` and ``n_entries`` (stored adjacency
        entries: twice the edges of an undirected graph).
    n_components : int
    workers : int
        1 for one process; more for the Dask backend, with ``partitions`` blocks (default twice
        the workers) placed round-robin.
    walks_per_node, epochs : int
        The skip-gram methods' walk counts.

    Examples
    --------
    >>> est = estimate_memory("fastrp", n_nodes=1_000_000, n_entries=20_000_000, n_components=128)
    >>> round(est.per_worker / 2**30, 2)
    1.86
    """
    if method not in _METHODS:
        raise InvalidInputError(
            f"Memory estimates exist for {', '.join(_METHODS)}; got {method!r}."
        )
    if graph is not None:
        n = int(graph.n_nodes)
        m = int(graph.nnz) if hasattr(graph, "nnz") else int(graph.indices.shape[0])
    elif n_nodes is None or n_entries is None:
        raise InvalidInputError("Give the graph, or both n_nodes and n_entries.")
    else:
        n, m = int(n_nodes), int(n_entries)
    if n < 1 or m < 0:
        raise InvalidInputError(f"A graph needs n_nodes >= 1 and n_entries >= 0; got {n}, {m}.")
    if workers < 1:
        raise InvalidInputError(f"'workers' must be at least 1; got {workers}.")
    d = int(n_components)
    if method != "fastrp":
        if workers > 1:
            from embedlab.distributed.skipgram import partition_memory_bytes

            p = partitions or 2 * workers
            held = int(partition_memory_bytes(n, d, p))
            parts = {"graph": _graph_parts(n, m), "two partitions and a bucket": held}
            per = sum(parts.values()) + PROCESS_BASELINE
            return MemoryEstimate(method, workers, per, per * workers, parts)
        r = walks_per_node * epochs
        parts = {
            "graph": _graph_parts(n, m),
            "two n x d tables": 8 * n * d,
            "alias table": 12 * n,
            "walk starts and streams": 16 * n * r,
        }
        per = sum(parts.values()) + PROCESS_BASELINE
        return MemoryEstimate(method, 1, per, per, parts)
    from embedlab.distributed.fastrp import BlockGraph, block_bounds, block_sizes

    if isinstance(graph, BlockGraph):
        sizes = block_sizes(graph)
        rows, entries, halos = sizes[:, 0], sizes[:, 1], sizes[:, 2]
        p = graph.n_blocks
        owner_of = {w: i for i, w in enumerate(dict.fromkeys(graph.workers))}
        owner = [owner_of[w] for w in graph.workers]
        per_workers, parts = _fastrp_blocks(rows, entries, halos, owner, d, graph.weighted)
        per = max(per_workers) + PROCESS_BASELINE
        return MemoryEstimate(
            method, len(owner_of), per, sum(per_workers) + PROCESS_BASELINE * len(owner_of), parts
        )
    if workers == 1 and partitions is None:
        parts = _fastrp_local(n, m, d)
        per = sum(parts.values()) + PROCESS_BASELINE
        return MemoryEstimate(method, 1, per, per, parts)
    p = partitions if partitions is not None else min(2 * workers, n)
    if graph is not None:
        indptr = graph.indptr
        bounds = block_bounds(indptr, p)
        rows = np.diff(bounds)
        entries = np.diff(indptr[bounds])
        halos = np.array(
            [
                len(np.unique(graph.indices[indptr[bounds[b]] : indptr[bounds[b + 1]]]))
                for b in range(p)
            ]
        )
    else:
        rows = np.full(p, n / p)
        entries = np.full(p, m / p)
        halos = np.minimum(n, rows + entries)
    owner = [b % workers for b in range(p)]
    weighted = bool(getattr(graph, "weighted", False))
    per_workers, parts = _fastrp_blocks(rows, entries, halos, owner, d, weighted)
    per = max(per_workers) + PROCESS_BASELINE
    return MemoryEstimate(
        method, workers, per, sum(per_workers) + PROCESS_BASELINE * workers, parts
    )


def check_memory(estimate: MemoryEstimate, available: int) -> str | None:
    """Refuse an estimate above ``available`` bytes (per worker); return a warning above 80 %."""
    gib = 2.0**30
    if estimate.per_worker > available:
        raise InvalidInputError(
            f"This run needs about {estimate.per_worker / gib:.1f} GiB per "
            f"{'worker' if estimate.workers > 1 else 'process'} but {available / gib:.1f} GiB "
            "is available; use more workers or fewer dimensions.\n" + estimate.describe()
        )
    if estimate.per_worker > 0.8 * available:
        return (
            f"This run needs about {estimate.per_worker / gib:.1f} GiB of the "
            f"{available / gib:.1f} GiB available."
        )
    return None
