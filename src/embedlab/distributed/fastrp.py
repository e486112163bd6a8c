r"""FastRP on a Dask cluster: row blocks, halo exchange, the same bytes as one machine.

The method is :mod:`embedlab.graph.fastrp` (Chen et al., CIKM 2019): :math:`H_0 = D^{\beta} R`,
:math:`H_i = A H_{i-1}`, :math:`N = \sum_i \alpha_i\,\mathrm{rownorm}(H_i)`, then column
standardisation. Only where the work runs changes.

Partitioning
------------
The nodes (rows of the CSR matrix) are cut into ``P`` contiguous blocks
:math:`B_1..B_P` of about equal *stored entries* (not equal rows: a block's work is its
non-zeros), placed round-robin on the workers. Block :math:`b` keeps its rows of :math:`S`, its
rows of :math:`H_{i-1}`, :math:`H_i` and :math:`N`, and nothing else.

Row :math:`v` of :math:`H_i` needs the rows :math:`H_{i-1}[u]` of its neighbours only, so block
:math:`b` needs the rows of its **halo** :math:`\mathcal{H}_b = \{u : S_{vu} \ne 0, v \in B_b\}`.
Once, before the first round, each block computes its halo (sorted, split by owning block
:math:`\mathcal{H}_{bj} = \mathcal{H}_b \cap B_j`) and re-indexes its CSR columns into halo
positions; the list :math:`\mathcal{H}_{bj}` is sent to block :math:`j`'s worker and stays there.
Each round is then, per block pair with a non-empty :math:`\mathcal{H}_{bj}`:

1. on :math:`j`'s worker, ``take``: the rows :math:`H_{i-1}[\mathcal{H}_{bj}]` (a copy);
2. on :math:`b`'s worker, ``propagate``: the pieces concatenated in owner order (which is the
   sorted halo order) and :func:`embedlab.graph._kernels.propagate` over the re-indexed rows,
   fused with :math:`N_b \mathrel{+}= \alpha_i\,\mathrm{rownorm}(H_i)`.

**What moves per round** is exactly :math:`\sum_b \sum_{j \notin w(b)} |\mathcal{H}_{bj}|\,d\,4`
bytes (:math:`j` on another worker than :math:`b`: pieces between blocks of one worker do not move;
Dask counts the arrays' bytes, without the framing), never the whole :math:`n \times d`
matrix: a broadcast would be :math:`P\,n\,d\,4`. On graphs with locality (communities, a
bandwidth-reducing order: :func:`fit_fastrp` with ``renumber="rcm"``, reverse Cuthill-McKee)
halos are a small multiple of the block; on a graph with random ids a halo approaches all nodes
(every block touches almost every hub) -- then the traffic approaches the broadcast, which is the
price of a 1-D row partition and is measured in ``docs/scale.md``. The first round multiplies by
the very sparse projection, so its pieces travel as sparse rows (about :math:`d/\sqrt{n}` entries
a row).

Equality with one machine
-------------------------
Every row is computed by the same kernel from the same inputs in the same order (a block's CSR
keeps the column order of each row, the halo is a re-indexing, not a reordering), the projection
row of a node is hashed from ``(seed, node id)``, and the sparse-or-dense decision for the first
step is taken on the global count of non-zeros: the propagated rows are bitwise those of
``FastRP().fit``. Column standardisation sums float64 partials per block (one machine: per
chunk of rows), which differs only in float64 round-off (max abs difference about 1e-7 after the
float32 cast).

Cost
----
Time: the single-machine :math:`O(k\,\mathrm{nnz}(S)\,d)`, divided over the workers, plus the
transfers. Memory of a worker holding blocks :math:`W`: :math:`\sum_{b \in W} (3\,|B_b|\,d\,4 +
12\,\mathrm{nnz}_b)` for its buffers and CSR rows, plus, while one block propagates,
:math:`2\,|\mathcal{H}_b|\,d\,4` (the received pieces and their concatenation);
:func:`embedlab.distributed.memory.estimate_memory` computes it.
"""

from __future__ import annotations

import logging
import operator
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.graph import _kernels as K
from embedlab.graph.fastrp import FastRP, node_hash_keys
from embedlab.io._graph import Graph
from embedlab.utils._numba import n_threads
from embedlab.utils.progress import progress

from ._client import dask_distributed, resolve_client, transfer_bytes, worker_addresses

__all__ = [
    "BlockGraph",
    "DaskFastRP",
    "FastRPRun",
    "block_bounds",
    "block_graph",
    "block_sizes",
    "fastrp_blocks",
    "fit_fastrp",
    "renumbering",
]

logger = logging.getLogger(__name__)

_RENUMBER = (None, "rcm")


# ----------------------------------------------------------------------------- blocks
@dataclass
class _Block:
    """One row block of a CSR matrix: rows ``start..stop-1``, columns as global positions."""

    start: int
    stop: int
    indptr: np.ndarray  # int64, rebased to 0
    indices: np.ndarray  # int32, global positions
    weights: np.ndarray  # float32
    keys: np.ndarray  # uint64 hash keys of the block's node ids
    features: np.ndarray | None = None


@dataclass
class _Plan:
    """A block re-indexed into its halo, ready to propagate."""

    start: int
    stop: int
    indptr: np.ndarray
    local: np.ndarray  # int32 positions into the halo
    weights: np.ndarray
    keys: np.ndarray
    degrees: np.ndarray  # float64 weighted out-degrees
    features: np.ndarray | None
    halo_sizes: np.ndarray  # rows requested from each block
    requests: list[np.ndarray]  # per owner block: owner-local rows, sorted


@dataclass
class BlockGraph:
    """A graph cut into row blocks held by Dask workers.

    Attributes
    ----------
    n_nodes : int
    bounds : ndarray of shape (P + 1,)
        Block ``b`` holds rows ``bounds[b]..bounds[b+1]-1``.
    weighted : bool
    blocks : list of Future
        One per block, each resolving to a ``_Block``.
    workers : list of str
        The worker that holds each block.
    nnz : int
        Stored entries of the CSR matrix.
    directed : bool
        Whether the rows are out-edges of a directed graph.
    """

    n_nodes: int
    bounds: np.ndarray
    weighted: bool
    blocks: list[Any]
    workers: list[str]
    nnz: int
    directed: bool = False

    @property
    def n_blocks(self) -> int:
        """The number of blocks ``P``."""
        return len(self.blocks)

    def to_graph(self, client: Any = None) -> Graph:
        """Gather the blocks into one :class:`Graph` (node ids ``0..n-1``) on the driver."""
        client = resolve_client(client)
        parts = client.gather(self.blocks)
        offsets = np.cumsum([0] + [int(b.indptr[-1]) for b in parts])
        indptr = np.concatenate(
            [[0]] + [b.indptr[1:] + off for b, off in zip(parts, offsets, strict=False)]
        )
        indices = np.concatenate([b.indices for b in parts])
        weights = (
            np.concatenate([b.weights for b in parts])
            if self.weighted
            else np.ones(len(indices), dtype=np.float32)
        )
        return Graph(
            indptr,
            indices,
            weights,
            np.arange(self.n_nodes, dtype=np.int64),
            directed=self.directed,
            weighted=self.weighted,
        )


def block_bounds(indptr: np.ndarray, partitions: int) -> np.ndarray:
    """Cut rows into ``partitions`` contiguous blocks of about equal stored entries.

    A block's cost is its non-zeros plus its rows, so the cut balances ``nnz + rows``; every block
    has at least one row.

    >>> block_bounds(np.array([0, 1, 2, 3, 10]), 2).tolist()
    [0, 3, 4]
    """
    n = len(indptr) - 1
    if not isinstance(partitions, int) or isinstance(partitions, bool) or partitions < 1:
        raise InvalidInputError(f"'partitions' must be an int >= 1; got {partitions!r}.")
    if partitions > n:
        raise InvalidInputError(
            f"'partitions'={partitions} is more than the {n} nodes; use at most {n}."
        )
    work = indptr.astype(np.float64) + np.arange(n + 1)
    targets = work[-1] * np.arange(1, partitions) / partitions
    cuts = np.searchsorted(work, targets, side="left")
    bounds = np.concatenate([[0], cuts, [n]]).astype(np.int64)
    # every block keeps at least one row
    for b in range(1, partitions):
        bounds[b] = max(bounds[b], bounds[b - 1] + 1)
    for b in range(partitions - 1, 0, -1):
        bounds[b] = min(bounds[b], bounds[b + 1] - 1)
    return bounds


def renumbering(graph: Graph, method: str | None) -> np.ndarray | None:
    """Return a node order that shrinks halos (``perm[new] = old``), or ``None``.

    ``"rcm"``: reverse Cuthill-McKee (scipy), a bandwidth-reducing order: neighbours get nearby
    positions, so a contiguous block's halo is mostly itself.
    """
    if method not in _RENUMBER:
        raise InvalidInputError(f"'renumber' must be None or 'rcm'; got {method!r}.")
    if method is None:
        return None
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    a = graph.adjacency()
    sym = not graph.directed
    return np.asarray(reverse_cuthill_mckee(a.tocsr(), symmetric_mode=sym), dtype=np.int64)


def _permuted(graph: Graph, perm: np.ndarray) -> Graph:
    """``graph`` with its nodes listed in the order ``perm`` (row ``new`` is old ``perm[new]``)."""
    a = graph.adjacency()[perm][:, perm].tocsr()
    a.sort_indices()  # rows sorted by the new positions, as Graph builds them
    return Graph(
        a.indptr,
        a.indices,
        a.data,
        graph.node_ids[perm],
        directed=graph.directed,
        weighted=graph.weighted,
    )


def block_graph(
    graph: Graph,
    partitions: int,
    client: Any = None,
    *,
    features: np.ndarray | None = None,
) -> BlockGraph:
    """Cut ``graph`` into row blocks and scatter them round-robin to the client's workers."""
    client = resolve_client(client)
    workers = worker_addresses(client)
    bounds = block_bounds(graph.indptr, partitions)
    keys = node_hash_keys(graph.node_ids)
    futures, placed = [], []
    for b in range(partitions):
        lo, hi = int(bounds[b]), int(bounds[b + 1])
        p0, p1 = int(graph.indptr[lo]), int(graph.indptr[hi])
        block = _Block(
            start=lo,
            stop=hi,
            indptr=graph.indptr[lo : hi + 1] - p0,
            indices=graph.indices[p0:p1].copy(),
            # an unweighted graph's kernels never read the weights: none are shipped
            weights=graph.weights[p0:p1].copy() if graph.weighted else np.empty(0, np.float32),
            keys=keys[lo:hi].copy(),
            features=None if features is None else np.ascontiguousarray(features[lo:hi]),
        )
        worker = workers[b % len(workers)]
        futures.append(client.scatter(block, workers=[worker], hash=False))
        placed.append(worker)
    return BlockGraph(
        n_nodes=graph.n_nodes,
        bounds=bounds,
        weighted=bool(graph.weighted),
        blocks=futures,
        workers=placed,
        nnz=int(graph.indices.shape[0]),
        directed=bool(graph.directed),
    )


# ----------------------------------------------------------------------------- worker tasks
def _plan(block: _Block, bounds: np.ndarray, weighted: bool) -> _Plan:
    halo, local = np.unique(block.indices, return_inverse=True)
    owners = np.searchsorted(bounds, halo, side="right") - 1
    cuts = np.searchsorted(owners, np.arange(len(bounds)))
    requests = [
        (halo[cuts[j] : cuts[j + 1]] - bounds[j]).astype(np.int64) for j in range(len(bounds) - 1)
    ]
    if weighted:
        from embedlab.io._graph_kernels import row_sums

        degrees = np.asarray(row_sums(block.indptr, block.weights))
    else:
        degrees = np.diff(block.indptr).astype(np.float64)
    return _Plan(
        start=block.start,
        stop=block.stop,
        indptr=block.indptr,
        local=local.astype(np.int32).reshape(-1),
        weights=block.weights,
        keys=block.keys,
        degrees=degrees,
        features=block.features,
        halo_sizes=np.array([len(r) for r in requests], dtype=np.int64),
        requests=requests,
    )


def _request(plan: _Plan, owner: int) -> np.ndarray:
    return plan.requests[owner]


def _block_sizes(block: _Block) -> tuple[int, int, int]:
    return block.stop - block.start, len(block.indices), len(np.unique(block.indices))


def block_sizes(graph: BlockGraph, client: Any = None) -> np.ndarray:
    """``[P, 3]`` rows, stored entries and halo rows of every block (computed on the workers)."""
    client = resolve_client(client)
    futures = [
        client.submit(_block_sizes, blk, workers=[w], pure=False)
        for blk, w in zip(graph.blocks, graph.workers, strict=True)
    ]
    return np.array(client.gather(futures), dtype=np.int64).reshape(-1, 3)


def _halo_sizes(plan: _Plan) -> np.ndarray:
    return plan.halo_sizes


def _start(
    plan: _Plan, model: FastRP, d_p: int, threads: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """``(H_0 rows, N rows, inverse degrees, non-zeros of H_0)`` of a block."""
    with n_threads(_worker_threads(threads)):
        h0 = model._initial(plan.keys, plan.degrees, plan.features, d_p)
        acc = np.zeros_like(h0)
        if model.node_self_influence:
            K.accumulate_normalized(
                h0, acc, float(model.node_self_influence), model.normalize_iterations
            )
        nnz = int(K.row_nonzeros(h0)[-1])
    return h0, acc, model._row_scale(plan.degrees), nnz


def _worker_threads(threads: int | None) -> int | None:
    """``n_jobs`` of a task: ``None`` means the worker's own thread count, not every core."""
    if threads is not None:
        return threads
    try:
        from distributed import get_worker

        return int(get_worker().state.nthreads)
    except (ImportError, ValueError):
        return None


def _copy(rows: np.ndarray) -> np.ndarray:
    return rows.copy()


def _take(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x[rows])


def _take_sparse(x: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    part = np.ascontiguousarray(x[rows])
    indptr = K.row_nonzeros(part)
    cols, vals = K.sparse_rows(part, indptr)
    return np.diff(indptr), cols, vals


def _propagate(
    plan: _Plan,
    inv_deg: np.ndarray,
    acc: np.ndarray,
    coef: float,
    normalize: bool,
    sparse: bool,
    threads: int | None,
    weighted: bool,
    *pieces: Any,
) -> tuple[np.ndarray, np.ndarray]:
    n_rows, d = acc.shape
    out = np.empty((n_rows, d), dtype=np.float32)
    csr = (plan.indptr, plan.local, plan.weights, weighted, inv_deg)
    if not pieces:  # a block whose rows have no edges: its halo is empty
        pieces = (
            ((np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0, np.float32)),)
            if sparse
            else (np.empty((0, d), np.float32),)
        )
    with n_threads(_worker_threads(threads)):
        if sparse:
            counts = np.concatenate([p[0] for p in pieces])
            x_indptr = np.zeros(len(counts) + 1, dtype=np.int64)
            np.cumsum(counts, out=x_indptr[1:])
            cols = np.concatenate([p[1] for p in pieces])
            vals = np.concatenate([p[2] for p in pieces])
            K.propagate_sparse(*csr, x_indptr, cols, vals, out, acc, coef, normalize)
        else:
            halo = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
            K.propagate(*csr, halo, out, acc, coef, normalize)
    return out, acc


def _column_sums(acc: np.ndarray) -> np.ndarray:
    return np.asarray(K._column_sums(acc, 1).sum(axis=0))


def _column_partials(acc: np.ndarray, mean: np.ndarray) -> np.ndarray:
    return np.asarray(K._column_partials(acc, mean, 1).sum(axis=0))


def _standardize(acc: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    K.apply_standardize(acc, mean, scale)
    return acc


def _save_block(acc: np.ndarray, path: str) -> int:
    np.save(path, acc)
    return int(acc.nbytes)


# ----------------------------------------------------------------------------- driver
def _light(model: FastRP) -> FastRP:
    """Return a copy of ``model``'s hyperparameters and resolved seed, without fitted arrays."""
    light = FastRP(**model.get_params())
    light.seed_, light.density_ = model.seed_, model.density_
    return light


def _flow(submit_block: Any, workers: list[str]) -> None:
    """Run every block's round with at most one block in flight per worker.

    A block's pieces are taken only when it is submitted and are released when it is done, so a
    worker holds the incoming and outgoing pieces of a few blocks, never of the whole round (all
    at once, every worker would hold its share of every halo: about ``P`` times its rows).
    """
    distributed = dask_distributed()
    pending = list(range(len(workers)))
    busy: dict[Any, int] = {}
    while pending or busy:
        free = {workers[b] for b in busy.values()}
        for b in [b for b in pending if workers[b] not in free]:
            if workers[b] in free:
                continue
            busy[submit_block(b)] = b
            free.add(workers[b])
            pending.remove(b)
        done, _ = distributed.wait(list(busy), return_when="FIRST_COMPLETED")
        for f in done:
            if f.status == "error":
                f.result()
            del busy[f]


def _round(
    client: Any,
    workers: list[str],
    plans: list[Any],
    inv: list[Any],
    acc: list[Any],
    x: list[Any],
    requests: list[dict[int, Any]],
    coef: float,
    take: Any,
    args: tuple[Any, ...],
) -> list[Any]:
    """Submit one propagation round, block by block under :func:`_flow`; return its futures."""
    results: list[Any] = [None] * len(plans)

    def submit_block(b: int) -> Any:
        pieces = [
            client.submit(take, x[j], requests[b][j], workers=[workers[j]], pure=False)
            for j in sorted(requests[b])
        ]
        results[b] = client.submit(
            _propagate,
            plans[b],
            inv[b],
            acc[b],
            coef,
            *args,
            *pieces,
            workers=[workers[b]],
            pure=False,
        )
        return results[b]

    _flow(submit_block, workers)
    return results


def _wait(futures: list[Any]) -> None:
    """Block until ``futures`` are done; raise the first task error."""
    done = dask_distributed().wait(futures)
    for f in done.done:
        if f.status == "error":
            f.result()


@dataclass
class FastRPRun:
    r"""The result of :func:`fastrp_blocks`: embedding blocks on the workers and what it cost.

    Attributes
    ----------
    blocks : list of Future
        Block ``b``'s rows of the embedding (standardised when the model standardises).
    bounds : ndarray
        Row bounds of the blocks.
    mean, scale : ndarray of shape (d,)
        Column statistics (zeros and ones without standardisation).
    halo_rows : int
        :math:`\\sum_b |\\mathcal{H}_b|`, halo rows over all blocks (own rows included).
    remote_halo_rows : int
        Halo rows owned by a block on another worker: what has to move each dense round.
    bytes_per_round : list of int
        Bytes the workers sent to one another in each propagation round (Dask's counters).
    seconds : float
        Wall time of the propagation (planning included, scattering excluded).
    """

    blocks: list[Any]
    bounds: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    halo_rows: int
    remote_halo_rows: int
    bytes_per_round: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def gather(self, client: Any = None) -> np.ndarray:
        """Return the whole embedding on the driver (``n x d`` float32)."""
        client = resolve_client(client)
        d = len(self.mean)
        out = np.empty((int(self.bounds[-1]), d), dtype=np.float32)
        for b, block in enumerate(self.blocks):  # one block at a time: no second full copy
            out[self.bounds[b] : self.bounds[b + 1]] = block.result()
        return out

    def save(self, directory: str, client: Any = None) -> list[str]:
        """Write each block as ``part-BBBBB.npy`` from its worker (a shared file system)."""
        client = resolve_client(client)
        paths = [f"{directory}/part-{b:05d}.npy" for b in range(len(self.blocks))]
        futures = [
            client.submit(_save_block, blk, path, pure=False)
            for blk, path in zip(self.blocks, paths, strict=True)
        ]
        client.gather(futures)
        return paths


def fastrp_blocks(
    model: FastRP,
    graph: BlockGraph,
    client: Any = None,
    *,
    d_p: int = 0,
) -> FastRPRun:
    """Run FastRP's propagation over a :class:`BlockGraph`; the result stays on the workers.

    ``model`` carries the hyperparameters and its resolved ``seed_`` and ``density_`` (as
    :meth:`FastRP.fit` sets them); ``d_p`` is the number of feature dimensions (the blocks then
    carry feature rows).
    """
    client = resolve_client(client)
    begin = time.perf_counter()
    p = graph.n_blocks
    w = graph.workers
    threads = model.n_jobs
    sub = client.submit

    def on(b: int) -> list[str]:
        return [w[b]]

    plans = [
        sub(_plan, graph.blocks[b], graph.bounds, graph.weighted, workers=on(b), pure=False)
        for b in range(p)
    ]
    sizes = np.stack(
        client.gather(
            [sub(_halo_sizes, pl, workers=on(b), pure=False) for b, pl in enumerate(plans)]
        )
    )
    # requests[b][j]: the rows block b needs from block j, cut on b's worker (so that only the
    # row list travels, not b's plan) and kept on j's worker
    requests: list[dict[int, Any]] = []
    for b in range(p):
        cut = {
            j: sub(_request, plans[b], j, workers=on(b), pure=False)
            for j in range(p)
            if sizes[b, j]
        }
        requests.append({j: sub(_copy, r, workers=on(j), pure=False) for j, r in cut.items()})
    light = _light(model)
    starts = [
        sub(_start, plans[b], light, d_p, threads, workers=on(b), pure=False) for b in range(p)
    ]
    x = [sub(operator.getitem, s, 0, workers=on(b), pure=False) for b, s in enumerate(starts)]
    acc = [sub(operator.getitem, s, 1, workers=on(b), pure=False) for b, s in enumerate(starts)]
    inv = [sub(operator.getitem, s, 2, workers=on(b), pure=False) for b, s in enumerate(starts)]
    nnz = sum(
        client.gather(
            [sub(operator.getitem, s, 3, workers=on(b), pure=False) for b, s in enumerate(starts)]
        )
    )
    del starts
    sparse_first = nnz <= 0.25 * graph.n_nodes * model.n_components
    remote = int(sum(sizes[b, j] for b in range(p) for j in range(p) if w[b] != w[j]))
    weights = [float(v) for v in model.iteration_weights]
    run = FastRPRun(
        blocks=[],
        bounds=graph.bounds,
        mean=np.zeros(model.n_components),
        scale=np.ones(model.n_components),
        halo_rows=int(sizes.sum()),
        remote_halo_rows=remote,
    )
    with progress("FastRP rounds (Dask)", len(weights), min_total=1) as bar:
        for i, coef in enumerate(weights):
            sparse = sparse_first and i == 0
            take = _take_sparse if sparse else _take
            sent = transfer_bytes(client)
            args = (model.normalize_iterations, sparse, threads, graph.weighted)
            results = _round(client, w, plans, inv, acc, x, requests, coef, take, args)
            new_x = [
                sub(operator.getitem, r, 0, workers=on(b), pure=False)
                for b, r in enumerate(results)
            ]
            acc = [
                sub(operator.getitem, r, 1, workers=on(b), pure=False)
                for b, r in enumerate(results)
            ]
            _wait(acc)
            x = new_x
            run.bytes_per_round.append(transfer_bytes(client) - sent)
            bar.advance(1)
    del x, requests, results
    if model.standardize:
        n = graph.n_nodes
        sums = client.gather(
            [sub(_column_sums, a, workers=on(b), pure=False) for b, a in enumerate(acc)]
        )
        mean = np.sum(sums, axis=0) / n
        parts = client.gather(
            [sub(_column_partials, a, mean, workers=on(b), pure=False) for b, a in enumerate(acc)]
        )
        var = np.sum(parts, axis=0) / n
        scale = np.sqrt(var)
        magnitude = np.maximum(np.abs(mean), np.sqrt(var + mean * mean))
        scale[(scale <= 1e-6 * magnitude) | (scale < 10 * np.finfo(np.float64).eps)] = 1.0
        acc = [
            sub(_standardize, a, mean, scale, workers=on(b), pure=False) for b, a in enumerate(acc)
        ]
        run.mean, run.scale = mean, scale
    _wait(acc)
    run.blocks = acc
    run.seconds = time.perf_counter() - begin
    logger.info(
        "FastRP on %d blocks: halo %d rows (%d remote), %s bytes moved per round",
        p,
        run.halo_rows,
        run.remote_halo_rows,
        run.bytes_per_round,
    )
    return run


def fit_fastrp(
    model: FastRP,
    graph: Graph,
    *,
    features: np.ndarray | None,
    d_p: int,
    client: Any = None,
    partitions: int | None = None,
    renumber: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, FastRPRun]:
    """Fit FastRP on Dask (the backend of :meth:`FastRP.fit`): ``(embedding, mean, scale, run)``.

    ``partitions`` defaults to twice the number of workers. With ``renumber="rcm"`` the blocks are
    cut in reverse Cuthill-McKee order and the result is put back in the graph's order.
    """
    client = resolve_client(client)
    if partitions is None:
        partitions = min(2 * len(worker_addresses(client)), graph.n_nodes)
    perm = renumbering(graph, renumber)
    work, feats = graph, features
    if perm is not None:
        work = _permuted(graph, perm)
        feats = None if features is None else features[perm]
    blocks = block_graph(work, partitions, client, features=feats)
    run = fastrp_blocks(model, blocks, client, d_p=d_p)
    emb = run.gather(client)
    run.blocks = []  # the rows are on the driver now: free the workers' copies
    if perm is not None:
        back = np.empty_like(emb)
        back[perm] = emb
        emb = back
    return emb, run.mean, run.scale, run


class DaskFastRP:
    """The Dask backend of :class:`~embedlab.graph.fastrp.FastRP` (``backend="dask"``).

    Registered in :data:`embedlab.registry.DISTRIBUTED` under the estimator's name; its result
    equals the local backend's (see the module docstring).
    """

    name = "fastrp"
    #: the distributed result equals the local one (not only in quality)
    exact = True
    #: small hyperparameters for the contract checks
    check_params: ClassVar[dict[str, Any]] = {"n_components": 16, "partitions": 3}

    @staticmethod
    def fit(
        model: FastRP,
        graph: Graph,
        *,
        features: np.ndarray | None,
        d_p: int,
        client: Any = None,
        partitions: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, FastRPRun]:
        """See :func:`fit_fastrp`."""
        return fit_fastrp(
            model, graph, features=features, d_p=d_p, client=client, partitions=partitions
        )
