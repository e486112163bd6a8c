r"""Exact search over a sharded index on a Dask cluster, equal to one machine's FlatIndex.

What is distributed
-------------------
The ``n`` vectors are cut into ``S`` contiguous row ranges (shards); shard :math:`s` holds rows
``bounds[s]..bounds[s+1]-1`` and lives on one worker (round-robin over the sorted worker
addresses) as a :class:`~embedlab.retrieval.index.FlatIndex` built **on that worker** from its
rows. A search sends the queries to every worker that holds a shard, runs one task per shard --
the shard's own top ``min(k, n_s)`` -- and merges the per-shard lists on a worker (a tree of
fan-in 8), so that the driver holds only the queries and the merged top-k.

Equality with one machine
-------------------------
:class:`~embedlab.retrieval.index.FlatIndex` ranks by a float64 re-scoring of its shortlist
(``-q.x`` for ``ip``/``cosine``, :math:`\lVert q - x\rVert^2` for ``l2``, Hamming distance for
``BFlat``), ties to the lower position. Every shard returns, beside its float32 scores, these
float64 keys of its candidates and their global row positions; the merge keeps the ``k`` smallest
``(key, position)`` pairs. The top-k of a union is the top-k of the union of the parts' top-k, so
the merged ids, scores and tie order are those of ``FlatIndex`` over all vectors (same spec,
metric and ids): ties go to the lower row, as there. (Like the local index, the float32 shortlist
holds 8 candidates beyond ``k``; exactness in float64 assumes no more than 8 vectors lie within
float32 rounding of the k-th score, for the local and the sharded search alike.)

Specs: the exact NumPy ones, ``"Flat"`` (float32), ``"SQ8"`` (int8 codes) and ``"BFlat"`` (sign
bits). ``SQ8``'s codec is calibrated on the data (per-dimension min/max): each shard sends its
``2 d`` extrema, the driver takes the global ones and every shard is trained on them, so all
shards share the codec that ``FlatIndex.train(all vectors)`` would fit, and their codes are the
local index's codes. ``cosine`` rows are normalised on the workers and searched by inner product,
which is what the local cosine index does inside. FAISS and Matryoshka (``MRL``) specs are refused.

What moves, and the cost
------------------------
Build: each shard's rows (``4 d`` bytes a vector, once, driver to one worker), for ``SQ8`` also
``2 d`` floats per shard each way. Search: the queries once to every worker holding a shard
(``4 d`` bytes a query), per shard ``n_q\,k_s\,(8 + 4 + 8 + 8)`` bytes of candidates (key,
score, position, id) to the merging worker, and the ``n_q\,k\,12`` bytes of the result to the
driver. Time: the local :math:`O(n_q\,n\,d)` divided over the workers, plus the merge
:math:`O(n_q\,S\,k \log(S k))`. Memory on a worker: its shards' codes (``4d``, ``d`` or
``d/8`` bytes a vector) plus their squared norms and ids (:meth:`ShardedIndex.memory_bytes`),
plus one score block of the local search.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError

from ._client import dask_distributed, resolve_client, worker_addresses

__all__ = ["ShardedIndex", "shard_bounds"]

#: per-shard results merged by one task
_FAN_IN = 8
#: float64 values of re-scored candidates held at once by one shard task (~32 MB)
_RESCORE_BLOCK = 1 << 22


def shard_bounds(n: int, n_shards: int) -> np.ndarray:
    """Cut ``n`` rows into ``n_shards`` contiguous ranges of sizes differing by at most one.

    Parameters
    ----------
    n : int
        The number of rows.
    n_shards : int
        The number of shards, ``1 <= n_shards <= n``.

    Returns
    -------
    ndarray of int64, shape (n_shards + 1,)
        Shard ``s`` holds rows ``bounds[s]..bounds[s + 1] - 1``.

    Examples
    --------
    >>> shard_bounds(10, 3).tolist()
    [0, 3, 6, 10]
    """
    if not isinstance(n_shards, int | np.integer) or isinstance(n_shards, bool) or n_shards < 1:
        raise InvalidInputError(f"'n_shards' must be an int >= 1; got {n_shards!r}.")
    if n_shards > n:
        raise InvalidInputError(
            f"'n_shards'={n_shards} is more than the {n} vectors; use at most {n}."
        )
    return (np.arange(int(n_shards) + 1, dtype=np.int64) * n) // int(n_shards)


# ----------------------------------------------------------------------------- worker side
class _Shard:
    """What one worker holds for a shard: its FlatIndex and the caller's ids of its rows."""

    def __init__(self, index: Any, offset: int, ids: np.ndarray | None) -> None:
        self.index = index
        self.offset = offset
        self.ids = ids


def _prepare(x: np.ndarray, metric: str) -> np.ndarray:
    """Rows as the local index stores them: unit length for cosine (then inner product)."""
    from embedlab.utils.linalg import unit_rows

    return unit_rows(x) if metric == "cosine" else x


def _extrema(part: tuple[np.ndarray, np.ndarray | None], metric: str) -> np.ndarray:
    """Per-dimension ``[min, max]`` of a shard's prepared rows (what int8 calibration reads)."""
    x = _prepare(part[0], metric)
    return np.stack([x.min(axis=0), x.max(axis=0)])


def _build(
    part: tuple[np.ndarray, np.ndarray | None],
    offset: int,
    metric: str,
    codes: str,
    extrema: np.ndarray | None,
) -> _Shard:
    """Build a shard's FlatIndex on the worker that holds its rows."""
    from embedlab.retrieval.index.flat import FlatIndex

    x, ids = part
    inner = "ip" if metric == "cosine" else metric  # cosine = ip on unit rows, as FlatIndex
    index = FlatIndex(x.shape[1], inner, codes=codes)
    if extrema is not None:
        # min/max of [lo; hi] are lo and hi: the codec FlatIndex.train(all rows) fits
        index.train(extrema)
    index.add(_prepare(x, metric))
    return _Shard(index, offset, ids)


def _shard_topk(shard: _Shard, q: np.ndarray, k: int, metric: str) -> tuple[np.ndarray, ...]:
    """One shard's top ``k``: (float64 keys, float32 scores, global positions, caller ids)."""
    index = shard.index
    dist, local = index.search(q, k)
    if index.codes == "binary":
        keys = dist.astype(np.float64)  # Hamming distances, exact integers
    else:
        keys = np.empty(dist.shape, dtype=np.float64)
        step = max(1, _RESCORE_BLOCK // max(k * index.dim, 1))
        for a in range(0, len(q), step):
            b = min(a + step, len(q))
            # the same float64 expression as FlatIndex's exact re-scoring, pair by pair
            rows = index.reconstruct(local[a:b].ravel()).astype(np.float64)
            rows = rows.reshape(b - a, k, index.dim)
            qq = q[a:b].astype(np.float64)[:, None, :]
            if metric == "l2":
                keys[a:b] = ((rows - qq) ** 2).sum(axis=2)
            else:
                keys[a:b] = -(rows * qq).sum(axis=2)
    pos = local + shard.offset
    ids = pos if shard.ids is None else shard.ids[local]
    return keys, dist, pos, ids


def _merge(k: int, *parts: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Keep the ``k`` smallest (key, position) pairs of the parts, per query, in that order."""
    keys, dist, pos, ids = (np.concatenate([p[i] for p in parts], axis=1) for i in range(4))
    order = np.lexsort((pos, keys))[:, :k]
    return tuple(np.take_along_axis(a, order, axis=1) for a in (keys, dist, pos, ids))


def _nbytes(shard: _Shard) -> int:
    index = shard.index
    n = len(index)
    own = 0 if shard.ids is None else int(shard.ids.nbytes)
    # codes, float32 squared norms, int64 index ids, the caller's ids
    return int(n * index.code_size_bytes + 4 * n + index.ids.nbytes + own)


# ----------------------------------------------------------------------------- driver side
def _input_arrays(vectors: Any, ids: Any) -> tuple[np.ndarray, np.ndarray | None, Any]:
    """``(float32 vectors, int64 ids or None, names or None)`` of numpy input or an EmbeddingSet."""
    from embedlab.io import EmbeddingSet
    from embedlab.utils.linalg import as_float_matrix

    names = None
    if isinstance(vectors, EmbeddingSet):
        if ids is not None:
            raise InvalidInputError(
                "An EmbeddingSet brings its own ids; do not pass 'ids' with it."
            )
        x = vectors.vectors
        if vectors.ids.dtype == object:  # string ids: positions, and the names beside them
            names = np.asarray([str(v) for v in vectors.ids])
        else:
            ids = vectors.ids
    else:
        x = as_float_matrix(vectors, "vectors")
    if len(x) == 0:
        raise InvalidInputError("A ShardedIndex needs at least one vector; got none.")
    if ids is None:
        return x, None, names
    arr = np.asarray(ids)
    if arr.shape != (len(x),) or not np.issubdtype(arr.dtype, np.integer):
        raise InvalidInputError(
            f"'ids' must be {len(x)} integers, one per vector; got {arr.dtype} {arr.shape}."
        )
    arr = arr.astype(np.int64)
    if (arr < 0).any():
        raise InvalidInputError("'ids' must be >= 0 (-1 marks a missing result).")
    return x, arr, names


class ShardedIndex:
    """Exact search over vectors sharded across Dask workers (see the module docstring).

    The vectors are cut into ``n_shards`` contiguous row ranges, each scattered to one worker
    (round-robin over the sorted worker addresses) and indexed there; the driver keeps only
    futures. :meth:`search` equals ``make_index(spec, d, metric).train(x).add(x, ids).search``
    over all vectors: the same ids, scores and tie order (ties to the lower row).

    Parameters
    ----------
    vectors : array-like of shape (n, d) or EmbeddingSet
        The vectors to index; an EmbeddingSet's integer ids become the index ids, its string
        ids the :attr:`names` (the index ids are then row positions, as ``embedlab index
        build`` does).
    n_shards : int, optional
        Shards (``1..n``); default: one per worker.
    spec : {"Flat", "SQ8", "BFlat"}, default="Flat"
        The exact NumPy specs of :mod:`embedlab.retrieval.spec` (aliases ``int8``, ``binary``
        accepted). ``SQ8`` shares one codec, calibrated on all vectors, between the shards.
    metric : {"ip", "cosine", "l2"}, default="ip"
    ids : array-like of int, optional
        Non-negative int64 ids aligned with the rows (default: row positions).
    client : distributed.Client, optional
        Default: the current client.

    Attributes
    ----------
    bounds : ndarray of int64, shape (n_shards + 1,)
        Shard ``s`` holds rows ``bounds[s]..bounds[s + 1] - 1``.
    workers : list of str
        The worker that holds each shard.
    names : ndarray of str or None
        The EmbeddingSet's string ids, indexed by the returned ids (positions).

    Examples
    --------
    >>> from embedlab.distributed._client import open_client
    >>> x = np.eye(4, dtype="float32")
    >>> with open_client(workers=2, processes=False) as client:
    ...     index = ShardedIndex(x, n_shards=2, ids=[10, 11, 12, 13], client=client)
    ...     index.search(np.array([[0.0, 1.0, 0.5, 0.0]], "float32"), k=2)
    (array([[1. , 0.5]], dtype=float32), array([[11, 12]]))
    """

    def __init__(
        self,
        vectors: Any,
        *,
        n_shards: int | None = None,
        spec: str = "Flat",
        metric: str = "ip",
        ids: Any = None,
        client: Any = None,
    ) -> None:
        from embedlab.retrieval.index.base import check_metric
        from embedlab.retrieval.spec import NUMPY_CODES, parse_spec

        parsed = parse_spec(spec)
        if parsed.backend != "flat" or parsed.mrl is not None:
            raise InvalidInputError(
                f"A ShardedIndex supports the exact NumPy specs Flat, SQ8 and BFlat; got {spec!r}."
            )
        self.metric = check_metric(metric)
        self.spec = parsed.describe()
        codes = NUMPY_CODES[parsed.factory]
        x, own_ids, self.names = _input_arrays(vectors, ids)
        self.client = resolve_client(client)
        distributed = dask_distributed()
        addresses = worker_addresses(self.client)
        self.dim = int(x.shape[1])
        self.bounds = shard_bounds(len(x), len(addresses) if n_shards is None else n_shards)
        self.workers = [addresses[s % len(addresses)] for s in range(len(self.bounds) - 1)]
        parts = []
        for s, addr in enumerate(self.workers):
            a, b = int(self.bounds[s]), int(self.bounds[s + 1])
            piece = (x[a:b], None if own_ids is None else own_ids[a:b])
            parts.append(self.client.scatter([piece], workers=[addr], hash=False)[0])
        extrema = None
        if codes == "int8":  # one codec for all shards: the global per-dimension range
            ext = self.client.gather(
                [
                    self.client.submit(_extrema, p, self.metric, workers=[w], pure=False)
                    for p, w in zip(parts, self.workers, strict=True)
                ]
            )
            extrema = np.stack([np.min([e[0] for e in ext], 0), np.max([e[1] for e in ext], 0)])
        self.shards = [
            self.client.submit(
                _build,
                p,
                int(self.bounds[s]),
                self.metric,
                codes,
                extrema,
                workers=[w],
                pure=False,
            )
            for s, (p, w) in enumerate(zip(parts, self.workers, strict=True))
        ]
        distributed.wait(self.shards)
        for f in self.shards:
            if f.status == "error":
                f.result()  # re-raise the worker's error here
        del parts  # the rows now live in the shards' indexes only

    @property
    def n_shards(self) -> int:
        """The number of shards ``S``."""
        return len(self.shards)

    def __len__(self) -> int:
        """Return the number of indexed vectors."""
        return int(self.bounds[-1])

    def describe(self) -> str:
        """Return the canonical spec of every shard's index (``"Flat"``, ``"SQ8"``, ``"BFlat"``)."""
        return self.spec

    def __repr__(self) -> str:
        """Show the spec, dimension, metric, size and number of shards."""
        return (
            f"ShardedIndex({self.spec!r}, dim={self.dim}, metric={self.metric!r}, n={len(self)}, "
            f"n_shards={self.n_shards})"
        )

    def memory_bytes(self) -> list[int]:
        """Return the bytes each shard holds on its worker.

        Returns
        -------
        list of int
            Per shard: its codes, their float32 squared norms, the index's int64 ids and the
            caller's int64 ids (when given), measured on the worker.
        """
        return [
            int(v)
            for v in self.client.gather([self.client.submit(_nbytes, s) for s in self.shards])
        ]

    def search(self, queries: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the ``min(k, len(self))`` best vectors per query: (scores, ids).

        Parameters
        ----------
        queries : array-like of shape (n_q, d) or (d,)
            Float vectors of the index's dimension.
        k : int
            Results per query (``>= 1``).

        Returns
        -------
        distances : ndarray of float32, shape (n_q, min(k, n))
            Similarities for ``ip``/``cosine``, squared distances for ``l2``, Hamming distances
            for ``BFlat``; best first.
        ids : ndarray of int64, shape (n_q, min(k, n))
            The ids of the vectors found (positions where none were given).
        """
        from embedlab.utils.linalg import as_float_matrix

        if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
            raise InvalidInputError(f"'k' must be an int >= 1; got {k!r}.")
        q = as_float_matrix(queries, "queries", dim=self.dim, allow_empty=True, allow_1d=True)
        width = min(int(k), len(self))
        if len(q) == 0:
            return np.zeros((0, width), np.float32), np.zeros((0, width), np.int64)
        q = _prepare(q, self.metric)
        client = self.client
        holders = sorted(set(self.workers))
        [qf] = client.scatter([q], workers=holders, broadcast=True, hash=False)
        sizes = np.diff(self.bounds)
        level = [
            client.submit(
                _shard_topk,
                shard,
                qf,
                min(width, int(size)),
                self.metric,
                workers=[w],
                pure=False,
            )
            for shard, size, w in zip(self.shards, sizes, self.workers, strict=True)
        ]
        while len(level) > 1:
            level = [
                client.submit(_merge, width, *level[i : i + _FAN_IN], pure=False)
                for i in range(0, len(level), _FAN_IN)
            ]
        _keys, dist, _pos, ids = level[0].result()
        return dist.astype(np.float32, copy=False), ids.astype(np.int64, copy=False)
