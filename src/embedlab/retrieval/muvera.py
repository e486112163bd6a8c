r"""MUVERA: multi-vector retrieval through fixed-dimensional encodings.

After Dhulipala, Hadian, Jayaram, Lee & Mirrokni, NeurIPS 2024, and Google's reference
(google/graph-mining, ``sketching/point_cloud/fixed_dimensional_encoding.cc``).

Chamfer (MaxSim) similarity of a query set :math:`Q` and a document set :math:`P`,
:math:`\mathrm{CH}(Q, P) = \sum_{q \in Q} \max_{p \in P} \langle q, p \rangle`, is approximated by
one inner product of fixed-dimensional encodings (FDEs). Per repetition :math:`r = 1..R`:

1. ``k_sim`` Gaussian hyperplanes split space into :math:`B = 2^{k_{sim}}` buckets; a vector's
   bucket is its sign bits read as a Gray code, as the reference (``AppendToGrayCode``), so that
   neighbouring buckets differ in one hyperplane;
2. each vector is projected to ``d_proj`` coordinates: ``"ams"`` (the reference's AMS sketch:
   each input coordinate added with a random sign to one random output coordinate),
   ``"dense"`` (the paper's :math:`\pm 1/\sqrt{d_{proj}}` matrix) or ``"identity"``;
3. a query's block for bucket :math:`b` is the **sum** of its projected vectors in :math:`b`; a
   document's is their **average**; with ``fill_empty_partitions`` (documents only) an empty
   bucket takes the document vector whose sign bits are nearest to the bucket's in Hamming
   distance (the first such vector on ties).

Blocks are concatenated to :math:`R \cdot B \cdot d_{proj}` coordinates (repetition-major, then
bucket), optionally followed by a final projection: ``"countsketch"`` (the reference's) or
``"dense"`` :math:`\pm 1/\sqrt{D_{final}}`. Queries and documents must share the fitted
transform (same seed, same matrices). With ``k_sim = 0`` and the identity projection the FDE
inner product is exactly :math:`\sum_{q} q \cdot \mathrm{mean}(P)`.

Random matrices come from NumPy's PCG64 seeded by ``random_state`` (the reference draws from
``std::mt19937``), so encodings are not bit-identical to the C++ for the same seed, only equal in
distribution. Encoding is vectorised over all vectors of a repetition plus one numba kernel
(parallel over sets) for the buckets: no Python loop per vector or per set.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from numba import njit, prange

from embedlab.exceptions import InvalidInputError, NotFittedError
from embedlab.io import MultiVector
from embedlab.retrieval.index._kernels import serial_and_parallel, top_k_of_scores
from embedlab.utils.linalg import as_float_matrix
from embedlab.utils.validation import resolve_seed

__all__ = ["MuveraFDE", "MuveraRetriever", "chamfer_rerank", "chamfer_scores", "chamfer_search"]


def gray_bucket(bits: np.ndarray) -> np.ndarray:
    """Return the bucket ids of sign-bit rows ``[N, k]`` (bit 0 first).

    As the reference's ``AppendToGrayCode``: id bit ``i`` is the XOR of sign bits ``0..i``
    (MSB first).

    >>> gray_bucket(np.array([[1, 0], [1, 1], [0, 1]], dtype=bool)).tolist()
    [3, 2, 1]
    """
    k = bits.shape[1]
    prefix = np.bitwise_xor.accumulate(bits.astype(np.int64), axis=1)
    weights = (1 << np.arange(k - 1, -1, -1)).astype(np.int64)
    return prefix @ weights


@njit(cache=True, inline="always")
def _aggregate_set(
    s: int,
    offsets: np.ndarray,
    buckets: np.ndarray,
    signs: np.ndarray,
    projected: np.ndarray,
    n_buckets: int,
    dp: int,
    average: bool,
    fill: bool,
    out: np.ndarray,
) -> None:
    """Every repetition's blocks of set ``s``.

    ``buckets``/``signs`` are ``[N, R]``: each vector's bucket and its sign bits as an integer
    (bit ``k - 1 - i`` = hyperplane ``i``), the pattern a bucket ``b`` stands for being
    ``b ^ (b >> 1)`` (the reference's ``GrayCodeToBinary``); ``projected`` is ``[N, R * dp]``.
    """
    reps = buckets.shape[1]
    a, b = offsets[s], offsets[s + 1]
    counts = np.zeros(n_buckets, dtype=np.int64)
    for r in range(reps):
        column = r * n_buckets * dp
        counts[:] = 0
        for i in range(a, b):
            bk = buckets[i, r]
            base = column + bk * dp
            counts[bk] += 1
            for t in range(dp):
                out[s, base + t] += projected[i, r * dp + t]
        if not average:
            continue
        for bk in range(n_buckets):
            base = column + bk * dp
            if counts[bk] > 0:
                inv = 1.0 / counts[bk]
                for t in range(dp):
                    out[s, base + t] *= inv
            elif fill and b > a:
                pattern = bk ^ (bk >> 1)
                best = -1
                best_d = 1 << 30
                for i in range(a, b):
                    x = signs[i, r] ^ pattern
                    d = 0
                    while x:
                        x &= x - 1
                        d += 1
                    if d < best_d:
                        best_d = d
                        best = i
                for t in range(dp):
                    out[s, base + t] = projected[best, r * dp + t]


def _aggregate_sets(
    offsets: np.ndarray,
    buckets: np.ndarray,
    signs: np.ndarray,
    projected: np.ndarray,
    n_buckets: int,
    dp: int,
    average: bool,
    fill: bool,
    out: np.ndarray,
) -> None:
    for s in prange(len(offsets) - 1):
        _aggregate_set(s, offsets, buckets, signs, projected, n_buckets, dp, average, fill, out)


_aggregate_serial, _aggregate_parallel = serial_and_parallel(_aggregate_sets)


def _aggregate(*args: Any) -> None:
    """Aggregate all sets' blocks.

    A few sets stay on the calling thread (waking numba's pool right after a BLAS product costs
    milliseconds, more than the work).
    """
    offsets = args[0]
    if len(offsets) - 1 >= 64:
        _aggregate_parallel(*args)
    else:
        _aggregate_serial(*args)


class MuveraFDE:
    """Fixed-dimensional encodings of vector sets (MUVERA).

    Parameters
    ----------
    num_repetitions : int, default=20
        ``R``.
    num_simhash : int, default=5
        ``k_sim``: ``2^k_sim`` buckets per repetition (0 to 30).
    projection : {"ams", "dense", "identity"}, default="ams"
    projection_dim : int, default=16
        ``d_proj`` (ignored for ``"identity"``).
    fill_empty_partitions : bool, default=True
        Documents only.
    final_projection : {None, "countsketch", "dense"}, default=None
    final_dim : int or None, default=None
        Output size of the final projection.
    random_state : int, default=0

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> docs = MultiVector.from_list([rng.normal(size=(5, 8)) for _ in range(3)])
    >>> fde = MuveraFDE(num_repetitions=2, num_simhash=2, projection_dim=4).fit(8)
    >>> fde.transform_documents(docs).shape, fde.output_dim_
    ((3, 32), 32)
    """

    _projections: ClassVar[tuple[str, ...]] = ("ams", "dense", "identity")

    def __init__(
        self,
        *,
        num_repetitions: int = 20,
        num_simhash: int = 5,
        projection: str = "ams",
        projection_dim: int = 16,
        fill_empty_partitions: bool = True,
        final_projection: str | None = None,
        final_dim: int | None = None,
        random_state: int = 0,
    ) -> None:
        self.num_repetitions = num_repetitions
        self.num_simhash = num_simhash
        self.projection = projection
        self.projection_dim = projection_dim
        self.fill_empty_partitions = fill_empty_partitions
        self.final_projection = final_projection
        self.final_dim = final_dim
        self.random_state = random_state

    def _check(self) -> None:
        def positive(name: str, value: Any) -> None:
            if not isinstance(value, int | np.integer) or value < 1:
                raise InvalidInputError(f"'{name}' must be an int >= 1; got {value!r}.")

        positive("num_repetitions", self.num_repetitions)
        if not isinstance(self.num_simhash, int | np.integer) or not 0 <= self.num_simhash <= 30:
            raise InvalidInputError(f"'num_simhash' must be in [0, 30]; got {self.num_simhash!r}.")
        if self.projection not in self._projections:
            raise InvalidInputError(
                f"'projection' must be 'ams', 'dense' or 'identity'; got {self.projection!r}."
            )
        if self.projection != "identity":
            positive("projection_dim", self.projection_dim)
        if self.final_projection not in (None, "countsketch", "dense"):
            raise InvalidInputError(
                "'final_projection' must be None, 'countsketch' or 'dense'; got "
                f"{self.final_projection!r}."
            )
        if self.final_projection is not None:
            positive("final_dim", self.final_dim)

    def fit(self, X: Any) -> MuveraFDE:
        """Draw the random matrices for vectors of dimension ``X`` (an int, or a MultiVector)."""
        self._check()
        dim = X.dim if isinstance(X, MultiVector) else X
        if not isinstance(dim, int | np.integer) or dim < 1:
            raise InvalidInputError(f"Give a vector dimension >= 1 or a MultiVector; got {X!r}.")
        dim = int(dim)
        seed = resolve_seed(self.random_state, "MuveraFDE")
        rng = np.random.default_rng(seed)
        r, k = int(self.num_repetitions), int(self.num_simhash)
        dp = dim if self.projection == "identity" else int(self.projection_dim)
        self.simhash_ = rng.standard_normal((r, dim, k)).astype(np.float32)
        if self.projection == "ams":
            cols = rng.integers(0, dp, size=(r, dim))
            signs = rng.choice(np.array([-1.0, 1.0], np.float32), size=(r, dim))
            mats = np.zeros((r, dim, dp), np.float32)
            mats[np.arange(r)[:, None], np.arange(dim)[None, :], cols] = signs
            self.projections_: np.ndarray | None = mats
        elif self.projection == "dense":
            signs = rng.choice(np.array([-1.0, 1.0], np.float32), size=(r, dim, dp))
            self.projections_ = (signs / np.sqrt(dp)).astype(np.float32)
        else:
            self.projections_ = None
        self.dim_ = dim
        self.block_dim_ = dp
        self.fde_dim_ = r * (2**k) * dp
        self.final_: Any = None
        if self.final_projection == "countsketch":
            fd = int(self.final_dim or 0)
            idx = rng.integers(0, fd, size=self.fde_dim_)
            sgn = rng.choice(np.array([-1.0, 1.0], np.float32), size=self.fde_dim_)
            self.final_ = sp.csr_array(
                (sgn, (np.arange(self.fde_dim_), idx)), shape=(self.fde_dim_, fd)
            )
        elif self.final_projection == "dense":
            fd = int(self.final_dim or 0)
            sgn = rng.choice(np.array([-1.0, 1.0], np.float32), size=(self.fde_dim_, fd))
            self.final_ = (sgn / np.sqrt(fd)).astype(np.float32)
        self.output_dim_ = self.fde_dim_ if self.final_ is None else int(self.final_dim or 0)
        self.seed_ = seed
        return self

    def _encode(self, mv: MultiVector, *, average: bool, fill: bool) -> np.ndarray:
        if not hasattr(self, "simhash_"):
            raise NotFittedError("This MuveraFDE is not fitted; call fit(dim) first.")
        if not isinstance(mv, MultiVector):
            raise InvalidInputError(f"Give a MultiVector; got {type(mv).__name__}.")
        if mv.dim != self.dim_:
            raise InvalidInputError(
                f"The vectors have {mv.dim} dimensions; fitted for {self.dim_}."
            )
        as_float_matrix(mv.vectors, "The vectors", allow_empty=True)  # finite
        k, reps = int(self.num_simhash), int(self.num_repetitions)
        n_buckets = 2**k
        dp = self.block_dim_
        out = np.zeros((len(mv), self.fde_dim_), dtype=np.float32)
        weights = (1 << np.arange(k - 1, -1, -1)).astype(np.int64)
        # one product per chunk of sets with every repetition's hyperplanes and projection side
        # by side: the vectors are read once, not twice per repetition
        mats = [self.simhash_[r] for r in range(reps)]
        if self.projections_ is not None:
            mats += [self.projections_[r] for r in range(reps)]
        both = np.concatenate(mats, axis=1) if mats else np.zeros((self.dim_, 0), np.float32)
        offs = mv.offsets
        start = 0
        while start < len(mv):
            stop = int(np.searchsorted(offs, offs[start] + 65536, side="right")) - 1
            stop = min(max(stop, start + 1), len(mv))
            a, b = offs[start], offs[stop]
            chunk = mv.vectors[a:b]
            prod = chunk @ both
            local = offs[start : stop + 1] - a
            if k > 0:
                bits = (prod[:, : reps * k] > 0).reshape(b - a, reps, k)
                prefix = np.bitwise_xor.accumulate(bits.astype(np.int64), axis=2)
                buckets = prefix @ weights  # Gray-code ids, [n, R]
                signs = bits.astype(np.int64) @ weights
            else:
                buckets = np.zeros((b - a, reps), np.int64)
                signs = buckets
            if self.projections_ is None:
                proj = np.ascontiguousarray(np.tile(chunk, (1, reps)))
            else:
                proj = np.ascontiguousarray(prod[:, reps * k :])
            _aggregate(
                local, buckets, signs, proj, n_buckets, dp, average, fill and k > 0, out[start:stop]
            )
            start = stop
        if self.final_ is not None:
            out = np.asarray(out @ self.final_, dtype=np.float32)
        return out

    def transform_queries(self, queries: MultiVector) -> np.ndarray:
        """Query FDEs (bucket sums), float32 ``[n, output_dim_]``."""
        return self._encode(queries, average=False, fill=False)

    def transform_documents(self, documents: MultiVector) -> np.ndarray:
        """Document FDEs (bucket averages, empty buckets filled if asked), float32."""
        return self._encode(documents, average=True, fill=bool(self.fill_empty_partitions))


# ------------------------------------------------------------------------------- exact Chamfer
def _segment_max_sum(sims: np.ndarray, q_offsets: np.ndarray, d_offsets: np.ndarray) -> np.ndarray:
    """``[n_q, n_d]`` Chamfer scores from token similarities ``[Nq, Nd]``."""
    # reduceat over the non-empty sets only (their starts rise strictly); empty sets score 0
    d_full = np.diff(d_offsets) > 0
    doc_max = np.zeros((sims.shape[0], len(d_full)), dtype=np.float32)
    if d_full.any():
        doc_max[:, d_full] = np.maximum.reduceat(sims, d_offsets[:-1][d_full], axis=1)
    q_full = np.diff(q_offsets) > 0
    out = np.zeros((len(q_full), len(d_full)), dtype=np.float32)
    if q_full.any():
        out[q_full] = np.add.reduceat(doc_max, q_offsets[:-1][q_full], axis=0)
    return out


def chamfer_scores(
    queries: MultiVector, documents: MultiVector, *, block_tokens: int = 16384
) -> np.ndarray:
    """Compute the exact Chamfer similarity of every query set with every document set.

    Float32 ``[n_queries, n_documents]``, blocked over documents (BLAS products of all query
    tokens against a block of document tokens, then segment maxima and sums).
    """
    _same_dim(queries, documents)
    out = np.zeros((len(queries), len(documents)), dtype=np.float32)
    offs = documents.offsets
    start = 0
    while start < len(documents):
        stop = int(np.searchsorted(offs, offs[start] + block_tokens, side="right")) - 1
        stop = max(stop, start + 1)
        stop = min(stop, len(documents))
        a, b = offs[start], offs[stop]
        sims = queries.vectors @ documents.vectors[a:b].T
        if b > a:
            out[:, start:stop] = _segment_max_sum(sims, queries.offsets, offs[start : stop + 1] - a)
        start = stop
    return out


def _same_dim(queries: MultiVector, documents: MultiVector) -> None:
    if not isinstance(queries, MultiVector) or not isinstance(documents, MultiVector):
        raise InvalidInputError("Queries and documents must be MultiVectors.")
    if queries.dim != documents.dim:
        raise InvalidInputError(
            f"Queries have {queries.dim} dimensions and documents {documents.dim}."
        )


def chamfer_search(
    queries: MultiVector, documents: MultiVector, k: int, *, block_tokens: int = 16384
) -> tuple[np.ndarray, np.ndarray]:
    """Search by brute-force MaxSim: ``(scores, document positions)`` of the ``k`` best per query.

    Ties go to the lower position.
    """
    if not isinstance(k, int) or k < 1:
        raise InvalidInputError(f"'k' must be an int >= 1; got {k!r}.")
    return top_k_of_scores(chamfer_scores(queries, documents, block_tokens=block_tokens), k)


def chamfer_rerank(
    queries: MultiVector, documents: MultiVector, candidates: Any, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Re-rank each query's candidate documents by exact Chamfer similarity.

    Candidates are positions, ``-1`` = none; returns ``(scores, positions)`` of the best
    ``min(k, r)``, ``-1``-padded.
    """
    _same_dim(queries, documents)
    cand = np.asarray(candidates, dtype=np.int64)
    if cand.ndim != 2 or len(cand) != len(queries):
        raise InvalidInputError(
            f"candidates must be [n_queries, r] for {len(queries)} queries; got {cand.shape}."
        )
    if cand.size and (cand.max() >= len(documents) or cand.min() < -1):
        raise InvalidInputError(f"candidate positions must lie in [-1, {len(documents)}).")
    kk = min(k, cand.shape[1])
    out_s = np.full((len(queries), kk), -np.finfo(np.float32).max, dtype=np.float32)
    out_i = np.full((len(queries), kk), -1, dtype=np.int64)
    offs, vecs = documents.offsets, documents.vectors
    for qi in range(len(queries)):  # a BLAS product per candidate on its contiguous token block
        c = cand[qi][cand[qi] >= 0]
        if not len(c):
            continue
        q = queries[qi]
        scores = np.zeros(len(c), dtype=np.float32)
        if len(q):
            for t, j in enumerate(c):
                if offs[j + 1] > offs[j]:
                    scores[t] = (q @ vecs[offs[j] : offs[j + 1]].T).max(axis=1).sum()
        order = np.lexsort((c, -scores))[:kk]
        out_s[qi, : len(order)] = scores[order]
        out_i[qi, : len(order)] = c[order]
    return out_s, out_i


class MuveraRetriever:
    """FDE index -> top ``candidates`` by inner product -> exact Chamfer re-rank -> top k.

    Parameters
    ----------
    fde : MuveraFDE
        Unfitted or fitted; fitted on the documents' dimension by :meth:`fit`.
    index : str, default="Flat"
        Any :func:`~embedlab.retrieval.index.make_index` spec (``"Flat"``, ``"HNSW32"``,
        ``"IVF256,PQ64"`` ...), inner product.
    candidates : int, default=100
    """

    def __init__(self, fde: MuveraFDE, *, index: str = "Flat", candidates: int = 100) -> None:
        self.fde = fde
        self.index = index
        self.candidates = candidates

    def fit(self, documents: MultiVector) -> MuveraRetriever:
        """Encode the documents as FDEs and index them (fitting the FDE if needed); return self."""
        from embedlab.retrieval.index import make_index

        if not isinstance(self.candidates, int) or self.candidates < 1:
            raise InvalidInputError(f"'candidates' must be an int >= 1; got {self.candidates!r}.")
        if not hasattr(self.fde, "simhash_"):
            self.fde.fit(documents.dim)
        codes = self.fde.transform_documents(documents)
        self.index_ = make_index(self.index, codes.shape[1], "ip").train(codes).add(codes)
        self.documents_ = documents
        return self

    def search(
        self, queries: MultiVector, k: int, *, rerank: bool = True, **params: Any
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(scores, document positions)`` of the ``k`` best documents per query.

        Chamfer scores after the re-rank, FDE inner products with ``rerank=False``.
        """
        if not hasattr(self, "index_"):
            raise NotFittedError("This MuveraRetriever is not fitted; call fit(documents).")
        fq = self.fde.transform_queries(queries)
        depth = max(k, self.candidates) if rerank else k
        scores, cand = self.index_.search(fq, depth, **params)
        if not rerank:
            return scores, cand
        return chamfer_rerank(queries, self.documents_, cand, k)
