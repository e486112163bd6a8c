r"""OFA: initialise the embeddings of unseen subwords from a factorised source matrix.

Liu et al., "OFA: A Framework of Initializing Unseen Subword Embeddings for Efficient Large-scale
Multilingual Continued Pretraining", NAACL Findings 2024 (reference code cisnlp/ofa,
``ofa/ofa.py`` and ``ofa/utils.py``).

A source model's embedding matrix :math:`E^s \in \mathbb{R}^{V_s \times D}` is factorised by a
truncated SVD (:func:`factorize`),

.. math::
    E^s \approx C^s P, \qquad C^s = U_{:, :k}, \quad P = \operatorname{diag}(s_{:k}) V_{:, :k}^\top
    \in \mathbb{R}^{k \times D},

so a token is a row of coordinates :math:`C^s` over :math:`k` shared "primitive" embeddings
:math:`P`; by Eckart-Young the error is :math:`\lVert E^s - C^s P \rVert_F^2 = \sum_{i > k}
s_i^2`, the smallest of any rank-``k`` matrix. With ``k = D`` nothing is factorised and the source
matrix itself is used (the reference's ``keep_dim = 768``).

An external word space (the paper uses multilingual ColexNet+ vectors; any word vectors serve)
gives every subword ``t`` of a tokenizer a vector: the mean of the vectors of the words whose
tokenisation contains ``t`` (:func:`subword_vectors`; the reference's
``get_subword_embeddings_in_word_embedding_space``; subwords no word produces are "not covered").
The target vocabulary's rows are then (:func:`ofa_initialize`, the reference's
``create_target_embeddings``):

* a token the source vocabulary also has: its source row, copied exactly;
* a new, covered token ``t``: with :math:`\mathcal{N}(t)` its ``neighbors`` (10) source subwords of
  highest cosine similarity in the word space,

  .. math::
      C^t_t = \sum_{j \in \mathcal{N}(t)} \frac{\exp(\cos(v_t, v_j) / T)}
      {\sum_{l \in \mathcal{N}(t)} \exp(\cos(v_t, v_l) / T)} \, C^s_j, \qquad T = 0.1;

* a new token the word space does not cover: a draw from :math:`\mathcal{N}(\mu, \sigma^2)` with
  the per-column mean and standard deviation of the source rows (the reference's fallback).

The target model keeps the factorised form: input embeddings :math:`C^t P` with both factors
trained (:class:`FactorizedEmbedding`), ``V_t k + k D`` parameters instead of ``V_t D``.
Neighbours are taken among the *covered* source subwords only (the reference's cosine against all
source rows gives uncovered, all-zero rows a similarity of 0, so they can only enter when fewer
than ``neighbors`` covered subwords have a positive similarity).

:func:`subword_mean_rows` is the usual baseline the paper compares against in spirit (new token =
mean of the source rows of the pieces the source tokenizer cuts it into) and
:func:`gaussian_rows` the random one.

Cost: the SVD ``O(V_s D^2)``; the neighbour search ``O(V_new V_s m)`` for ``m``-dimensional word
vectors (done in blocks); a lookup ``2 k D`` FLOPs per token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.layers._torch import check_positive_ints, generator, torch
from embedlab.utils.validation import check_random_state

__all__ = [
    "FactorizedEmbedding",
    "OFAInit",
    "factorize",
    "gaussian_rows",
    "ofa_initialize",
    "subword_mean_rows",
    "subword_vectors",
]

nn = torch.nn

#: how a target row was made (``OFAInit.source``)
COPIED, NEIGHBOURS, RANDOM = 0, 1, 2


def _matrix(x: Any, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise InvalidInputError(f"'{name}' must be a non-empty 2-d matrix; got shape {a.shape}.")
    if not np.all(np.isfinite(a)):
        raise InvalidInputError(f"'{name}' has non-finite values.")
    return a


def factorize(source: Any, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(coordinates U[:, :rank], primitives diag(s[:rank]) V[:, :rank]^T)`` of ``source``.

    ``coordinates @ primitives`` is the best rank-``rank`` approximation of ``source`` (its
    Frobenius error is ``sqrt(sum of the discarded squared singular values)``).

    Examples
    --------
    >>> import numpy as np
    >>> e = np.random.default_rng(0).normal(size=(20, 6))
    >>> c, p = factorize(e, 6)
    >>> bool(np.allclose(c @ p, e))
    True
    """
    e = _matrix(source, "source")
    check_positive_ints(rank=rank)
    if rank > min(e.shape):
        raise InvalidInputError(
            f"'rank' ({rank}) must be at most min(n_tokens, dim) = {min(e.shape)}."
        )
    u, s, vt = np.linalg.svd(e, full_matrices=False)
    return u[:, :rank].copy(), s[:rank, None] * vt[:rank]


def subword_vectors(
    word_vectors: Any, word_pieces: Sequence[Sequence[int]], vocab_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return each subword's vector in the word space and whether any word covers it.

    ``word_pieces[w]`` are the token ids a tokenizer cuts word ``w`` into; subword ``t``'s vector is
    the mean of the vectors of the words whose pieces contain ``t`` (each word counted once).
    Uncovered subwords get zeros; a subword whose mean vector is exactly zero counts as uncovered
    too (the reference's ``get_n_closest`` skips all-zero target vectors).
    """
    w = _matrix(word_vectors, "word_vectors")
    check_positive_ints(vocab_size=vocab_size)
    if len(word_pieces) != len(w):
        raise InvalidInputError(
            f"'word_pieces' has {len(word_pieces)} entries for {len(w)} word vectors."
        )
    sums = np.zeros((vocab_size, w.shape[1]))
    counts = np.zeros(vocab_size, dtype=np.int64)
    for i, pieces in enumerate(word_pieces):
        ids = np.unique(np.asarray(pieces, dtype=np.int64))
        if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
            raise InvalidInputError(f"word {i} has a piece outside [0, {vocab_size}).")
        sums[ids] += w[i]
        counts[ids] += 1
    covered = counts > 0
    sums[covered] /= counts[covered, None]
    return sums, covered & (np.linalg.norm(sums, axis=1) > 0)


@dataclass(frozen=True)
class OFAInit:
    """Target rows made by :func:`ofa_initialize`.

    ``matrix`` ``[V_t, k]`` (coordinates, or full rows when nothing was factorised); ``source``
    per row ``COPIED`` (0), ``NEIGHBOURS`` (1) or ``RANDOM`` (2); ``neighbours`` / ``weights``
    ``[V_t, neighbors]`` the source rows and softmax weights used (-1 / 0 where not used).
    """

    matrix: np.ndarray
    source: np.ndarray
    neighbours: np.ndarray
    weights: np.ndarray

    def counts(self) -> dict[str, int]:
        """Rows copied, made from neighbours, drawn at random."""
        return {
            k: int(np.sum(self.source == v))
            for k, v in (("copied", COPIED), ("neighbours", NEIGHBOURS), ("random", RANDOM))
        }


def _unit(a: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(a, axis=1, keepdims=True)
    return np.divide(a, n, out=np.zeros_like(a), where=n > 0)


def gaussian_rows(source: Any, n_rows: int, random_state: Any = 0) -> np.ndarray:
    """Draw ``n_rows`` rows from ``N(mean, std^2)`` of ``source``'s columns (OFA's fallback)."""
    e = _matrix(source, "source")
    check_positive_ints(n_rows=n_rows)
    rng = check_random_state(random_state)
    return rng.normal(e.mean(0), e.std(0), size=(n_rows, e.shape[1]))


def subword_mean_rows(source: Any, pieces: Sequence[Sequence[int]]) -> np.ndarray:
    """Row ``i``: the mean of ``source``'s rows ``pieces[i]`` (the mean-of-subwords baseline)."""
    e = _matrix(source, "source")
    out = np.empty((len(pieces), e.shape[1]))
    for i, p in enumerate(pieces):
        ids = np.asarray(p, dtype=np.int64)
        if ids.size == 0:
            raise InvalidInputError(f"token {i} has no source pieces.")
        if ids.min() < 0 or ids.max() >= len(e):
            raise InvalidInputError(f"token {i} has a piece outside [0, {len(e)}).")
        out[i] = e[ids].mean(0)
    return out


def ofa_initialize(
    source_matrix: Any,
    source_vectors: Any,
    source_covered: Any,
    target_vectors: Any,
    target_covered: Any,
    shared: Any,
    *,
    neighbors: int = 10,
    temperature: float = 0.1,
    random_state: Any = 0,
    block: int = 1024,
) -> OFAInit:
    """Make the target vocabulary's rows (coordinates) as OFA does (see the module docstring).

    Parameters
    ----------
    source_matrix : array ``[V_s, k]``
        The source coordinates (:func:`factorize`) or the source embeddings themselves.
    source_vectors, target_vectors : arrays ``[V_s, m]``, ``[V_t, m]``
        Subword vectors in the external word space (:func:`subword_vectors`).
    source_covered, target_covered : bool arrays ``[V_s]``, ``[V_t]``
        Whether each subword has a word-space vector.
    shared : int array ``[V_t]``
        The source id of each target token that the source vocabulary also has, else -1; those
        rows are copied.
    neighbors, temperature
        The reference's 10 and 0.1.
    random_state
        Seeds the Gaussian fallback rows.
    """
    c = _matrix(source_matrix, "source_matrix")
    sv = _matrix(source_vectors, "source_vectors")
    tv = _matrix(target_vectors, "target_vectors")
    sh_raw = np.asarray(shared)
    if sh_raw.size and sh_raw.dtype.kind not in "iu":
        raise InvalidInputError(f"'shared' must hold integer source ids; got dtype {sh_raw.dtype}.")
    sh = sh_raw.astype(np.int64)
    for name, flags in (("source_covered", source_covered), ("target_covered", target_covered)):
        if np.asarray(flags).dtype != np.bool_:
            raise InvalidInputError(f"'{name}' must be a bool array.")
    # a zero vector has no direction: such subwords cannot be neighbours or find any
    scov = np.asarray(source_covered) & (np.linalg.norm(sv, axis=1) > 0)
    tcov = np.asarray(target_covered) & (np.linalg.norm(tv, axis=1) > 0)
    check_positive_ints(neighbors=neighbors, block=block)
    if not temperature > 0:
        raise InvalidInputError(f"'temperature' must be > 0; got {temperature!r}.")
    if len(sv) != len(c) or scov.shape != (len(c),):
        raise InvalidInputError(
            f"'source_vectors' / 'source_covered' must have one row per source token ({len(c)})."
        )
    if tv.shape[1] != sv.shape[1]:
        raise InvalidInputError(
            f"source and target vectors differ in width ({sv.shape[1]} vs {tv.shape[1]})."
        )
    n_t = len(tv)
    if tcov.shape != (n_t,) or sh.shape != (n_t,):
        raise InvalidInputError(
            f"'target_covered' and 'shared' must have one entry per target token ({n_t})."
        )
    if sh.max(initial=-1) >= len(c) or sh.min(initial=-1) < -1:
        raise InvalidInputError(f"'shared' must hold source ids in [0, {len(c)}) or -1.")
    pool = np.flatnonzero(scov)
    if len(pool) < neighbors:
        raise InvalidInputError(
            f"only {len(pool)} source subwords are covered by the word space; "
            f"'neighbors' is {neighbors}."
        )
    matrix = np.zeros((n_t, c.shape[1]))
    source = np.full(n_t, RANDOM, dtype=np.int8)
    nbrs = np.full((n_t, neighbors), -1, dtype=np.int64)
    wts = np.zeros((n_t, neighbors))
    copied = sh >= 0
    matrix[copied] = c[sh[copied]]
    source[copied] = COPIED
    todo = np.flatnonzero(~copied & tcov)
    pool_unit = _unit(sv[pool])
    for start in range(0, len(todo), block):
        rows = todo[start : start + block]
        sims = _unit(tv[rows]) @ pool_unit.T
        top = np.argpartition(-sims, neighbors - 1, axis=1)[:, :neighbors]
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        top_sims = np.take_along_axis(top_sims, order, axis=1)
        z = top_sims / temperature
        w = np.exp(z - z.max(1, keepdims=True))
        w /= w.sum(1, keepdims=True)
        ids = pool[top]
        matrix[rows] = np.einsum("rn,rnk->rk", w, c[ids])
        nbrs[rows], wts[rows] = ids, w
        source[rows] = NEIGHBOURS
    fallback = np.flatnonzero(source == RANDOM)
    if len(fallback):
        matrix[fallback] = gaussian_rows(c, len(fallback), random_state)
    return OFAInit(matrix, source, nbrs, wts)


class FactorizedEmbedding(nn.Module):
    r"""Embeddings held as coordinates times primitives: ``E = C P`` (OFA's target model).

    ``forward(ids) = C[ids] @ P``; :attr:`weight` gives the full ``[V, D]`` matrix (for a tied
    output layer). ``rank == embedding_dim`` may still be used (then ``P`` starts as given).

    Parameters
    ----------
    num_embeddings, rank, embedding_dim : int
        ``V``, ``k`` and ``D``.
    random_state : int
        Seeds the default initialisation (``C ~ N(0, 1/k)``, ``P ~ N(0, 0.02^2)``) when no
        factors are given; :meth:`from_factors` loads OFA's.

    Cost: ``2 k D`` FLOPs per token; ``V k + k D`` parameters.
    """

    name = "ofa-embedding"
    takes_ids = True

    def __init__(
        self, num_embeddings: int, rank: int, embedding_dim: int, *, random_state: int = 0
    ) -> None:
        super().__init__()
        check_positive_ints(num_embeddings=num_embeddings, rank=rank, embedding_dim=embedding_dim)
        g = generator(random_state)
        self.coordinates = nn.Parameter(torch.randn(num_embeddings, rank, generator=g) / rank**0.5)
        self.primitives = nn.Parameter(torch.randn(rank, embedding_dim, generator=g) * 0.02)

    @classmethod
    def from_factors(cls, coordinates: Any, primitives: Any) -> FactorizedEmbedding:
        """Build from OFA's ``[V, k]`` coordinates and ``[k, D]`` primitives (float32 copies)."""
        c = _matrix(coordinates, "coordinates")
        p = _matrix(primitives, "primitives")
        if c.shape[1] != p.shape[0]:
            raise InvalidInputError(
                f"coordinates are {c.shape} but primitives {p.shape}: the ranks differ."
            )
        layer = cls(c.shape[0], c.shape[1], p.shape[1])
        with torch.no_grad():
            layer.coordinates.copy_(torch.as_tensor(c, dtype=torch.float32))
            layer.primitives.copy_(torch.as_tensor(p, dtype=torch.float32))
        return layer

    @property
    def num_embeddings(self) -> int:
        """``V``."""
        return int(self.coordinates.shape[0])

    @property
    def embedding_dim(self) -> int:
        """``D``."""
        return int(self.primitives.shape[1])

    @property
    def flops_per_token(self) -> int:
        """``2 k D``: one row of coordinates times the primitives."""
        return 2 * int(self.coordinates.shape[1]) * self.embedding_dim

    @property
    def weight(self) -> Any:
        """The full ``[V, D]`` matrix ``C P`` (differentiable)."""
        return self.coordinates @ self.primitives

    def forward(self, ids: Any) -> Any:
        """Embed integer ``ids`` of any shape: ``[..., D]``."""
        if ids.dtype not in (torch.int64, torch.int32):
            raise InvalidInputError(f"token ids must be int32/int64; got {ids.dtype}.")
        if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= self.num_embeddings):
            raise InvalidInputError(f"token ids must lie in [0, {self.num_embeddings}).")
        return nn.functional.embedding(ids, self.coordinates) @ self.primitives
