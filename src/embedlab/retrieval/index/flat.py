r"""Exact search in NumPy: float32, int8 or binary codes.

* ``codes="float32"`` (factory ``"Flat"``): blocked matrix products (BLAS ``sgemm``) of the
  queries against blocks of the stored vectors, each block merged into running top-k heaps by a
  numba kernel (parallel over queries) -- FAISS ``IndexFlat``'s scheme. ``cosine`` normalises
  vectors on ``add`` and queries on ``search`` and is then inner product; ``l2`` uses
  :math:`\lVert q - x\rVert^2 = \lVert q\rVert^2 - 2 q\cdot x + \lVert x\rVert^2`.
* ``codes="int8"`` (``"SQ8"``): vectors stored as 8-bit codes
  (:class:`~embedlab.retrieval.compression.Int8Quantizer`, calibrated by ``train``), 4x smaller;
  a query is compared with each code's reconstruction (asymmetric distance), decoded block by
  block.
* ``codes="binary"`` (``"BFlat"``): sign bits, 32x smaller; queries are binarised too and codes
  compared by Hamming distance (smaller is better), counted with hardware popcount by a numba
  kernel that selects the top k by counting sort over the ``d + 1`` possible distances.

Memory: the codes (``4d``, ``d`` or ``d/8`` bytes per vector) plus one ``[n_queries,
block]`` float32 score block during search. Ties go to the lower position.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError, NotFittedError
from embedlab.retrieval.compression._codecs import BinaryQuantizer, Int8Quantizer
from embedlab.retrieval.index._kernels import (
    finish_topk,
    hamming_topk,
    init_topk,
    merge_topk,
    sq8_dot,
)
from embedlab.retrieval.index.base import Index
from embedlab.retrieval.spec import NUMPY_CODES
from embedlab.utils._numba import resolve_n_jobs
from embedlab.utils.linalg import unit_rows

__all__ = ["FlatIndex"]

#: codes -> spec token, the inverse of the grammar's table
_TOKENS = {codes: token for token, codes in NUMPY_CODES.items()}
#: extra shortlist entries re-scored exactly, so that ties at position k are decided exactly
_TIE_SLACK = 8

_FLT_MAX = np.finfo(np.float32).max
#: queries x vectors up to which a search is one BLAS product and a partition (few queries)
_FEW = 1 << 22


class FlatIndex(Index):
    """Exact (brute-force) search over float32, int8 or binary codes.

    Parameters
    ----------
    dim : int
    metric : {"ip", "cosine", "l2"}, default="ip"
        For ``codes="binary"`` the distance is always Hamming; ``metric`` says how vectors were
        meant to be compared (cosine and ip both suit sign bits).
    codes : {"float32", "int8", "binary"}, default="float32"
    block_size : int, default=4096
        Stored vectors per score block.

    Examples
    --------
    >>> x = np.eye(4, dtype="float32")
    >>> index = FlatIndex(4).add(x, ids=[10, 11, 12, 13])
    >>> index.search(np.array([[0.0, 1.0, 0.5, 0.0]], "float32"), k=2)
    (array([[1. , 0.5]], dtype=float32), array([[11, 12]]))
    """

    name = "flat"

    def __init__(
        self, dim: int, metric: str = "ip", *, codes: str = "float32", block_size: int = 4096
    ) -> None:
        super().__init__(dim, metric)
        if codes not in _TOKENS:
            *head, last = (repr(c) for c in _TOKENS)
            raise InvalidInputError(f"'codes' must be {', '.join(head)} or {last}; got {codes!r}.")
        if not isinstance(block_size, int) or block_size < 1:
            raise InvalidInputError(f"'block_size' must be an int >= 1; got {block_size!r}.")
        self.codes = codes
        self.block_size = block_size
        self._quantizer: Any = None
        if codes == "binary":
            self._quantizer = BinaryQuantizer().fit(np.zeros((1, dim), np.float32))
        width = {"float32": dim, "int8": dim, "binary": (dim + 7) // 8}[codes]
        dtype = np.float32 if codes == "float32" else np.uint8
        self._data = np.zeros((0, width), dtype=dtype)
        self._sqnorms = np.zeros(0, dtype=np.float32)

    def describe(self) -> str:
        """Return the factory string of this index (``"Flat"``, ``"SQ8"`` ...)."""
        return _TOKENS[self.codes]

    @property
    def is_trained(self) -> bool:
        """Whether the index is ready for :meth:`add` (int8 codes need :meth:`train` first)."""
        return self.codes != "int8" or self._quantizer is not None

    @property
    def code_size_bytes(self) -> int:
        """Bytes per stored vector."""
        return int(self._data.shape[1] * self._data.itemsize)

    def train(self, x: Any) -> FlatIndex:
        """Calibrate the int8 ranges (per dimension min/max of ``x``); a no-op otherwise."""
        if self.codes == "int8":
            x = self._prepare(np.asarray(x, dtype=np.float32))
            self._quantizer = Int8Quantizer().fit(x)
        return self

    def _check_params(self, params: dict[str, Any]) -> None:
        if params:
            raise InvalidInputError(
                f"A flat index takes no search parameters; got {', '.join(params)}."
            )

    def _prepare(self, x: np.ndarray) -> np.ndarray:
        return unit_rows(x) if self.metric == "cosine" else x

    def _add(self, x: np.ndarray) -> None:
        x = self._prepare(x)
        if self.codes == "float32":
            codes = x
            sq = (x * x).sum(axis=1)
        else:
            codes = self._quantizer.transform(x)
            if self.codes == "int8":
                rec = self._quantizer.inverse_transform(codes)
                sq = (rec * rec).sum(axis=1)
            else:
                sq = np.zeros(len(x), np.float32)
        self._data = np.concatenate([self._data, codes])
        self._sqnorms = np.concatenate([self._sqnorms, sq.astype(np.float32)])

    def _block(self, start: int, stop: int) -> np.ndarray:
        part = self._data[start:stop]
        if self.codes == "int8":
            return self._quantizer.inverse_transform(part)
        return part

    def _search(self, q: np.ndarray, k: int, **params: Any) -> tuple[np.ndarray, np.ndarray]:
        self._check_params(params)
        if self.codes == "binary":
            return self._search_binary(q, k)
        q = self._prepare(q)
        wide = min(k + _TIE_SLACK, len(self._data)) if len(self._data) else k
        if self.codes == "float32" and len(self._data) and len(q) * len(self._data) <= _FEW:
            return self._exact_order(q, self._shortlist_few(q, wide), k)
        keys, pos = init_topk(len(q), wide)
        workers = resolve_n_jobs(None)
        if len(q) >= 64 and workers > 1:
            # one query slice per core, each with single-threaded BLAS and its own merges: no
            # hand-over between BLAS's and numba's thread pools after every block
            from concurrent.futures import ThreadPoolExecutor

            from threadpoolctl import threadpool_limits

            cuts = np.linspace(0, len(q), workers + 1).astype(int)
            parts = [slice(a, b) for a, b in itertools.pairwise(cuts) if b > a]
            with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(len(parts)) as ex:
                list(ex.map(lambda s: self._scan(q[s], keys[s], pos[s], parallel=False), parts))
        else:
            self._scan(q, keys, pos, parallel=True)
        finish_topk(keys, pos)
        return self._exact_order(q, pos, k)

    def _shortlist_few(self, q: np.ndarray, wide: int) -> np.ndarray:
        """Return the ``wide`` best positions of each of a few queries (one product, a partition).

        The heaps' selection (smaller key, then the lower position) without their per-block
        merges, which dominate when there are only a few queries: a single query against
        100k x 384 vectors is one memory-bound ``sgemv``. Memory: ``n_queries * n`` floats.
        """
        scores = (self._data @ q.T).T  # [n, d] x [d, n_q]: gemv for one query
        key = self._sqnorms[None, :] - 2 * scores if self.metric == "l2" else -scores
        n = key.shape[1]
        if wide >= n:
            return np.tile(np.arange(n, dtype=np.int64), (len(q), 1))
        thr = np.partition(key, wide - 1, axis=1)[:, wide - 1 : wide]
        out = np.empty((len(q), wide), dtype=np.int64)
        for i in range(len(q)):
            better = np.flatnonzero(key[i] < thr[i])
            tied = np.flatnonzero(key[i] == thr[i])[: wide - len(better)]
            out[i] = np.concatenate([better, tied])
        return out

    def _exact_order(self, q: np.ndarray, pos: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Re-score the shortlist in float64, one (query, vector) pair at a time, and keep k.

        BLAS rounds the same dot product differently with the shape of the query block (and
        int8 has a direct path for a few queries), so equal vectors could come back in an order
        that depends on the batch size. The returned scores and their order are computed here
        independently of the batch: float64 sums of each pair, ties to the lower position. The
        shortlist holds ``_TIE_SLACK`` extra candidates, so ties straddling position ``k`` are
        decided here too. Cost: ``(k + slack) * d`` multiply-adds per query.
        """
        n_q, wide = pos.shape
        dist = np.empty((n_q, k), dtype=np.float32)
        out = np.empty((n_q, k), dtype=np.int64)
        step = max(1, (1 << 22) // max(wide * self.dim, 1))  # ~32 MB of float64 at a time
        worst = np.iinfo(np.int64).max
        for a in range(0, n_q, step):
            b = min(a + step, n_q)
            p = pos[a:b]
            valid = p >= 0
            rows = self.reconstruct(np.where(valid, p, 0).ravel()).astype(np.float64)
            rows = rows.reshape(b - a, wide, self.dim)
            qq = q[a:b].astype(np.float64)[:, None, :]
            if self.metric == "l2":
                key = ((rows - qq) ** 2).sum(axis=2)
            else:
                key = -(rows * qq).sum(axis=2)
            key[~valid] = np.inf
            order = np.lexsort((np.where(valid, p, worst), key))[:, :k]
            out[a:b] = np.take_along_axis(p, order, axis=1)
            best = np.take_along_axis(key, order, axis=1)
            empty = out[a:b] < 0
            if self.metric == "l2":
                d = best.astype(np.float32)
                d[empty] = _FLT_MAX
            else:
                d = (-best).astype(np.float32)
                d[empty] = -_FLT_MAX
            dist[a:b] = d
        return dist, out

    def _scan(self, q: np.ndarray, keys: np.ndarray, pos: np.ndarray, *, parallel: bool) -> None:
        """Merge every stored block into the running top-k of ``q`` (rows of ``keys``/``pos``)."""
        n = len(self._data)
        direct = self.codes == "int8" and len(q) < 16
        if direct:  # q . (low + (c + 1/2) scale) = q . low + (q scale) . (c + 1/2)
            qz = self._quantizer
            qs = np.ascontiguousarray(q * qz.scale_, dtype=np.float32)
            base = (q @ qz.low_ + 0.5 * qs.sum(axis=1)).astype(np.float32)[:, None]
        buf = np.empty((len(q), min(self.block_size, max(n, 1))), dtype=np.float32)
        for start in range(0, n, self.block_size):
            stop = min(start + self.block_size, n)
            out = buf[:, : stop - start]
            if direct:
                out[...] = sq8_dot(qs, self._data[start:stop])
                out += base
            else:
                np.matmul(q, self._block(start, stop).T, out=out)  # reused: no page faults
            sqn = self._sqnorms[start:stop] if self.metric == "l2" else None
            merge_topk(out, start, keys, pos, sqn, parallel=parallel)

    def _search_binary(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        qc = self._quantizer.transform(q)
        n_words = (qc.shape[1] + 7) // 8
        pad = n_words * 8 - qc.shape[1]
        qw = np.pad(qc, ((0, 0), (0, pad))).view(np.uint64)
        words: np.ndarray | None = getattr(self, "_words", None)
        if words is None or len(words) != len(self._data):  # 64-bit words, rebuilt after add
            words = np.ascontiguousarray(np.pad(self._data, ((0, 0), (0, pad))).view(np.uint64))
            self._words = words
        dist, pos = hamming_topk(qw, words, k, self.dim)
        out = dist.astype(np.float32)
        out[pos < 0] = _FLT_MAX
        return out, pos

    def reconstruct(self, positions: Any) -> np.ndarray:
        """Return the stored vectors (decoded codes) at ``positions`` (not ids)."""
        p = np.asarray(positions, dtype=np.int64)
        if p.size and (p.min() < 0 or p.max() >= len(self._data)):
            raise InvalidInputError(f"positions must lie in [0, {len(self._data)}).")
        if self.codes == "float32":
            return self._data[p]
        if self._quantizer is None:
            raise NotFittedError("The index is not trained.")
        return self._quantizer.inverse_transform(self._data[p])

    def subset(self, positions: Any) -> FlatIndex:
        """Return an index over the stored vectors at ``positions`` (codes copied, not re-encoded).

        Searching it gives the scores and order that an index built from those vectors alone
        gives (cosine rows are already unit length, int8 codes keep this index's calibration);
        its ids are this index's ids at ``positions``. Cost: a copy of ``len(positions)`` codes.

        Parameters
        ----------
        positions : array-like of int
            Row positions (not ids), each in ``[0, len(self))``.

        Returns
        -------
        FlatIndex

        Examples
        --------
        >>> index = FlatIndex(2).add(np.eye(2, dtype="float32"), ids=[10, 11])
        >>> index.subset([1]).search(np.ones((1, 2), "float32"), k=2)
        (array([[1.]], dtype=float32), array([[11]]))
        """
        p = np.asarray(positions, dtype=np.int64).reshape(-1)
        if p.size and (p.min() < 0 or p.max() >= len(self._data)):
            raise InvalidInputError(f"positions must lie in [0, {len(self._data)}).")
        out = FlatIndex(self.dim, self.metric, codes=self.codes, block_size=self.block_size)
        out._quantizer = self._quantizer
        out._data = self._data[p]
        out._sqnorms = self._sqnorms[p]
        out._ids = self._ids[p]
        return out

    def _state(self) -> dict[str, np.ndarray]:
        state = {"data": self._data, "sqnorms": self._sqnorms}
        if self.codes == "int8" and self._quantizer is not None:
            state["int8_low"] = self._quantizer.low_
            state["int8_scale"] = self._quantizer.scale_
        return state

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self._data = state["data"]
        self._sqnorms = state["sqnorms"]
        if "int8_low" in state:
            qz = Int8Quantizer()
            qz.low_, qz.scale_, qz.dim_ = state["int8_low"], state["int8_scale"], self.dim
            self._quantizer = qz
