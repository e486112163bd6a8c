r"""Next-item recommendation over sessions: M2TRec (item-ID free) and SASRec (item IDs).

Both read a user's time-ordered items ``s_1 .. s_T`` (at most ``max_length``, the most recent)
and score every item of the catalogue as the next one. Both are causal: one pass over a
right-padded batch gives the session encoding after every prefix ``s_1 .. s_t`` (each equal to
running that prefix alone), so training predicts every next item of a sequence at once.

**M2TRec** (Shalaby et al., "M2TRec: Metadata-aware Multi-task Transformer for Large-scale and
Cold-start free Session-based Recommendations", RecSys 2022). An item is encoded from its
metadata only, with one embedding per attribute and no per-item table. Here the attributes are
MovieLens' genres (multi-valued: the mean of the item's genre embeddings ``G``) and its release
year (categorical: ``Y``); the attribute embeddings are concatenated and mapped to the model
width:

.. math::
    e_i = W \big[\tfrac{1}{|g(i)|}\textstyle\sum_{c \in g(i)} G_c \,;\, Y_{y(i)}\big] + b,
    \qquad x_t = e_{s_t} + P_t,

(``P`` learned positions). A causal Transformer encoder gives ``h_1 .. h_T``, and the session
encoding is the average pooling of its outputs over the prefix, a running mean:
``z_t = (1/t) sum_{j <= t} h_j``. The paper's encoder is not said to be causal: within a
session it may let every item attend to every other. The causal mask here is a choice (one
pass trains and scores every prefix, each prefix encoded exactly as if it were the whole
session), under which an item's output sees only the items before it. The paper's figure
leaves the next-item output layer unstated; here the score of item ``i`` goes through the
same metadata encoder, ``score(s_{1..t}, i) = <z_t, e_i>``, which keeps the model item-ID free
for target items too: a new or rare item is scored from the attributes it shares with items
seen in training (items with identical metadata get identical scores). Multi-task training (the
paper: next item, its primary category and subcategories) predicts the next item's genres
(multi-label) and year:

.. math::
    \mathcal{L} = \mathrm{CE}\big(\mathrm{softmax}_i \langle z_t, e_i \rangle, s_{t+1}\big)
      + \lambda \Big[\tfrac{1}{C}\textstyle\sum_c \mathrm{BCE}\big(\sigma(U_c z_t + u_c),
      [c \in g(s_{t+1})]\big) + \mathrm{CE}\big(\mathrm{softmax}(V z_t + v), y(s_{t+1})\big)\Big],

averaged over the predicted positions, ``lambda = category_weight``.

**SASRec** (Kang & McAuley, "Self-Attentive Sequential Recommendation", ICDM 2018): item-ID
embeddings ``E`` plus learned positions, ``x_t = E_{s_t} + P_t``, the same causal encoder, the
last position's output ``h_t`` as the session encoding, scores ``<h_t, E_i>`` with the tied item
table, trained with the full softmax cross-entropy over all items (as in Klenitskiy &
Vasilev, "Turning Dross Into Gold Loss: is BERT4Rec really better than SASRec?", RecSys 2023)
rather than the original sampled binary loss.

The encoder (both models): ``n_layers`` pre-norm blocks ``x <- x + Attn(LN(x))``,
``x <- x + FFN(LN(x))`` with ``FFN = W_2 ReLU(W_1 .)`` of width ``d_model`` (SASRec's
point-wise network), causal multi-head attention with a key padding mask, a final LayerNorm.
Padding is ``-1`` after a sequence's items (right padding), so positions count from the
sequence's first item. Dropout masks come from the model's own ``torch.Generator``;
parameters are initialised from a ``torch.Generator`` seeded by ``random_state`` (never the
global RNG; construction runs under :func:`torch.random.fork_rng`).

Evaluation (:func:`evaluate_next_item`) ranks the target among all items minus the user's input
history (the target is never excluded), with ties broken at random *in expectation*: with ``a``
items scored above the target and ``m`` others equal to it, the rank ``R`` (0-based) is uniform
on ``{a, .., a + m}``, and :func:`expected_rank_metrics` returns ``E[R] = a + m/2``,
``E[Recall@k] = P(R < k)`` and ``E[NDCG@k] = E[1/log2(R + 2) [R < k]]`` exactly, so identical
scores never flatter a model (M2TRec gives identical scores to items of identical metadata).

Cost per training step of ``B`` windows of length ``L``, width ``d``, ``n`` items: attention
``O(n_layers B L^2 d)``, projections and FFN ``O(n_layers B L d^2)``, the full softmax
``O(B L n d)`` (the largest term here); M2TRec adds its item encoder over the ``u <= n``
distinct metadata rows, ``O(u (C + 2 d_attr) d)``. Memory: parameters ``O(n d)`` for SASRec and
``O((C + n_years) d_attr + d_attr d)`` for M2TRec (independent of ``n``) plus the encoder's
``O(n_layers d^2)``; activations ``O(B L (d + n))``.
"""

from __future__ import annotations

import abc
import copy
import logging
import numbers
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.tables._torch import torch
from embedlab.utils.progress import progress as _progress
from embedlab.utils.validation import resolve_seed

__all__ = [
    "PAD",
    "M2TRec",
    "SASRec",
    "SessionTraining",
    "evaluate_next_item",
    "expected_rank_metrics",
    "pad_sequences",
    "popularity_scores",
    "train_session_model",
]

logger = logging.getLogger(__name__)

#: the padding id of a right-padded batch
PAD = -1

F = torch.nn.functional


# ----------------------------------------------------------------------------- public helpers
def pad_sequences(sequences: Sequence[Any], max_length: int) -> np.ndarray:
    """Right-pad sequences with ``-1`` into one int64 array, keeping the most recent items.

    Parameters
    ----------
    sequences : sequence of 1-d int arrays
        Item indices in time order, at least one item each.
    max_length : int
        The most items kept per sequence (the last ``max_length``).

    Returns
    -------
    ndarray of int64, shape (len(sequences), min(longest, max_length))

    Examples
    --------
    >>> pad_sequences([[1, 2, 3], [4]], max_length=2).tolist()
    [[2, 3], [4, -1]]
    """
    _check_int(max_length, "max_length")
    rows = [np.asarray(s) for s in sequences]
    if not rows:
        raise InvalidInputError("sequences is empty: give at least one sequence.")
    for r in rows:
        if r.ndim != 1 or (r.size and r.dtype.kind not in "iu"):
            raise InvalidInputError(
                f"each sequence must be a 1-d array of int item indices; got dtype {r.dtype} "
                f"and shape {r.shape}."
            )
        if r.size == 0:
            raise InvalidInputError("every sequence needs at least one item; got an empty one.")
    length = min(max(len(r) for r in rows), max_length)
    out = np.full((len(rows), length), PAD, dtype=np.int64)
    for b, r in enumerate(rows):
        kept = r[-length:]
        out[b, : len(kept)] = kept
    return out


def expected_rank_metrics(
    scores: Any, targets: Any, *, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank, Recall@k and NDCG@k of each target, in expectation over random tie-breaking.

    With ``a`` entries of the row above the target's score and ``m`` other entries equal to it,
    the 0-based rank ``R`` is uniform on ``{a, .., a + m}``; returned are ``E[R] = a + m / 2``,
    ``E[[R < k]] = #{r in a..a+m : r < k} / (m + 1)`` and
    ``E[[R < k] / log2(R + 2)] = sum_{r = a}^{min(a + m, k - 1)} 1 / log2(r + 2) / (m + 1)``.
    Entries set to ``-inf`` (excluded items) rank below any finite target score.

    Parameters
    ----------
    scores : array-like of float, shape (B, n)
        One row of item scores per case; NaN is refused.
    targets : array-like of int, shape (B,)
        The relevant item of each row; its score must be finite.
    k : int
        The cut-off (>= 1).

    Returns
    -------
    rank, recall, ndcg : ndarray of float64, shape (B,)

    Examples
    --------
    >>> rank, hit, ndcg = expected_rank_metrics([[3.0, 1.0, 1.0, 0.0]], [1], k=2)
    >>> rank.tolist(), hit.tolist(), [round(float(x), 4) for x in ndcg]
    ([1.5], [0.5], [0.3155])
    """
    _check_int(k, "k")
    s = np.asarray(scores)
    if s.ndim != 2 or s.dtype.kind != "f":
        raise InvalidInputError(
            f"scores must be a 2-d float array [cases, items]; got dtype {s.dtype} and shape "
            f"{s.shape}."
        )
    t = np.asarray(targets)
    if t.shape != (s.shape[0],) or (t.size and t.dtype.kind not in "iu"):
        raise InvalidInputError(
            f"targets must be {s.shape[0]} int item indices (one per row of scores); got dtype "
            f"{t.dtype} and shape {t.shape}."
        )
    if t.size and (t.min() < 0 or t.max() >= s.shape[1]):
        raise InvalidInputError(f"targets must be item indices in [0, {s.shape[1]}).")
    if np.isnan(s).any():
        raise InvalidInputError("scores contain NaN: a NaN can be neither ranked nor tied.")
    ts = s[np.arange(len(t)), t]
    if not np.isfinite(ts).all():
        raise InvalidInputError("the target's score must be finite in every row.")
    above = (s > ts[:, None]).sum(axis=1).astype(np.int64)
    ties = (s == ts[:, None]).sum(axis=1).astype(np.int64) - 1
    rank = above + ties / 2.0
    width = ties + 1
    recall = np.clip(k - above, 0, width) / width
    disc = np.concatenate([[0.0], np.cumsum(1.0 / np.log2(np.arange(k) + 2.0))])
    ndcg = (disc[np.minimum(above + width, k)] - disc[np.minimum(above, k)]) / width
    return rank.astype(np.float64), recall.astype(np.float64), ndcg.astype(np.float64)


def popularity_scores(counts: Any) -> np.ndarray:
    """Score every item by its training count, for every session: the popularity baseline.

    Parameters
    ----------
    counts : array-like, shape (n_items,)
        Non-negative interaction counts (:meth:`SessionData.train_counts`).

    Returns
    -------
    ndarray of float32, shape (n_items,)
        The scores (ties, as among items of equal count, are ranked by expectation).

    Examples
    --------
    >>> popularity_scores([3, 0, 5]).tolist()
    [3.0, 0.0, 5.0]
    """
    c = np.asarray(counts)
    if c.ndim != 1 or c.size == 0 or c.dtype.kind not in "iuf":
        raise InvalidInputError(
            f"counts must be a non-empty 1-d array of item counts; got shape {c.shape}."
        )
    if not np.isfinite(c).all() or (c < 0).any():
        raise InvalidInputError("counts must be finite and >= 0.")
    return np.ascontiguousarray(c, dtype=np.float32)


# ------------------------------------------------------------------------------ private checks
def _check_int(value: Any, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise InvalidInputError(f"'{name}' must be an int >= {low}; got {value!r}.")
    return int(value)


def _check_fraction(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= float(value) < 1:
        raise InvalidInputError(f"'{name}' must be a float in [0, 1); got {value!r}.")
    return float(value)


def _rows_of(sequences: Any) -> list[np.ndarray]:
    """Return the valid items of each row of a padded 2-d batch or of a list of sequences."""
    if isinstance(sequences, torch.Tensor):
        sequences = sequences.detach().cpu().numpy()
    if isinstance(sequences, np.ndarray):
        if sequences.ndim != 2 or (sequences.size and sequences.dtype.kind not in "iu"):
            raise InvalidInputError(
                f"sequences must be a 2-d int array [batch, length] padded with -1, or a list "
                f"of 1-d item arrays; got dtype {sequences.dtype} and shape {sequences.shape}."
            )
        valid = sequences != PAD
        if (valid[:, 1:] & ~valid[:, :-1]).any():
            raise InvalidInputError(
                "padding (-1) must come after a sequence's items (right padding)."
            )
        return [row[v] for row, v in zip(sequences, valid, strict=True)]
    if isinstance(sequences, list | tuple):
        return [np.asarray(s) for s in sequences]
    raise InvalidInputError(
        f"sequences must be a 2-d int array padded with -1 or a list of 1-d item arrays; got "
        f"{type(sequences).__name__}."
    )


def _batch(model: _SessionModel, sequences: Any, *, truncate: bool) -> Any:
    rows = _rows_of(sequences)
    if not truncate:
        longest = max((len(r) for r in rows), default=0)
        if longest > model.max_length:
            raise InvalidInputError(
                f"prefix_scores needs sequences of at most max_length={model.max_length} "
                f"items; got {longest} (score() keeps the most recent max_length)."
            )
    padded = pad_sequences(rows, model.max_length)
    _check_items(padded, model.n_items, "sequences")
    return torch.from_numpy(padded)


def _check_items(x: np.ndarray, n_items: int, name: str) -> None:
    if x.size and (x.max() >= n_items or x.min() < PAD):
        raise InvalidInputError(
            f"{name} must hold item indices in [0, {n_items}) or -1 (padding); got values in "
            f"[{int(x.min())}, {int(x.max())}]."
        )


# ----------------------------------------------------------------------------- the encoder
class _Block(torch.nn.Module):
    """One pre-norm block: causal masked multi-head attention, then the point-wise FFN."""

    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.norm1 = torch.nn.LayerNorm(d_model)
        self.qkv = torch.nn.Linear(d_model, 3 * d_model)
        self.out = torch.nn.Linear(d_model, d_model)
        self.norm2 = torch.nn.LayerNorm(d_model)
        self.ff1 = torch.nn.Linear(d_model, d_model)
        self.ff2 = torch.nn.Linear(d_model, d_model)

    def forward(self, x: Any, mask: Any, drop: Callable[[Any], Any]) -> Any:
        b, length, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(d, dim=2)

        def heads(t: Any) -> Any:
            return t.view(b, length, self.n_heads, d // self.n_heads).transpose(1, 2)

        att = heads(q) @ heads(k).transpose(2, 3) / float(np.sqrt(d // self.n_heads))
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ heads(v)).transpose(1, 2).reshape(b, length, d)
        x = x + drop(self.out(y))
        return x + drop(self.ff2(F.relu(self.ff1(self.norm2(x)))))


class _SessionModel(torch.nn.Module, abc.ABC):
    """Shared encoder, scoring, validation and seeded initialisation of the session models."""

    name: ClassVar[str] = ""

    def _build_encoder(
        self,
        d_model: int,
        n_layers: int,
        n_heads: int,
        max_length: int,
        dropout: float,
    ) -> None:
        self.d_model = _check_int(d_model, "d_model")
        self.n_layers = _check_int(n_layers, "n_layers")
        self.n_heads = _check_int(n_heads, "n_heads")
        if self.d_model % self.n_heads:
            raise InvalidInputError(
                f"'d_model' ({d_model}) must be a multiple of 'n_heads' ({n_heads})."
            )
        self.max_length = _check_int(max_length, "max_length")
        self.dropout = _check_fraction(dropout, "dropout")
        self.positions = torch.nn.Parameter(torch.zeros(self.max_length, self.d_model))
        self.blocks = torch.nn.ModuleList(
            _Block(self.d_model, self.n_heads) for _ in range(self.n_layers)
        )
        self.norm = torch.nn.LayerNorm(self.d_model)

    def _init_parameters(self, seed: int, embeddings: Sequence[Any]) -> None:
        """Linear maps ~ U(+-1/sqrt(fan_in)), ``embeddings`` ~ N(0, 1/d), LayerNorm (1, 0)."""
        self.seed_ = seed
        g = torch.Generator().manual_seed(int(seed) % (2**63))
        self._dropout_generator = torch.Generator().manual_seed((int(seed) + 1) % (2**63))
        with torch.no_grad():
            for m in self.modules():
                if isinstance(m, torch.nn.Linear):
                    bound = 1.0 / float(np.sqrt(m.in_features))
                    m.weight.uniform_(-bound, bound, generator=g)
                    if m.bias is not None:
                        m.bias.uniform_(-bound, bound, generator=g)
                elif isinstance(m, torch.nn.LayerNorm):
                    m.weight.fill_(1.0)
                    m.bias.zero_()
            for p in embeddings:
                p.normal_(0.0, 1.0 / float(np.sqrt(p.shape[1])), generator=g)

    def reseed_dropout(self, seed: int) -> None:
        """Reset the generator of the dropout masks (training reseeds it from its own seed)."""
        self._dropout_generator.manual_seed(int(seed) % (2**63))

    def _drop(self, x: Any) -> Any:
        if not self.training or self.dropout == 0.0:
            return x
        keep = torch.rand(x.shape, generator=self._dropout_generator) >= self.dropout
        return x * keep / (1.0 - self.dropout)

    # -- each model: the catalogue, the input vectors, the encoding and the item scores
    @property
    @abc.abstractmethod
    def n_items(self) -> int:
        """Items of the catalogue."""

    @abc.abstractmethod
    def _input_vectors(self, items: Any) -> Any:
        """Input vectors ``[..., d_model]`` of item indices."""

    @abc.abstractmethod
    def _pool(self, h: Any, valid: Any) -> Any:
        """Session encodings after every prefix from the encoder's outputs ``h``."""

    @abc.abstractmethod
    def _item_logits(self, z: Any) -> Any:
        """Scores ``[..., n_items]`` of session encodings ``z``."""

    @abc.abstractmethod
    def bind(self, data: Any) -> _SessionModel:
        """Check (SASRec) or set (M2TRec) the catalogue from a :class:`SessionData`."""

    # -- shared
    def prefix_representations(self, batch: Any) -> Any:
        """Session encodings after every prefix of a right-padded int64 batch ``[B, L]``.

        ``L <= max_length``; every row needs its first item. Positions past a row's end hold
        the encoding of the whole row (M2TRec) or a meaningless value (SASRec).
        """
        if batch.ndim != 2 or batch.shape[1] > self.max_length or batch.shape[1] < 1:
            raise InvalidInputError(
                f"the batch must be [B, L] with 1 <= L <= max_length={self.max_length}; got "
                f"shape {tuple(batch.shape)}."
            )
        valid = batch != PAD
        if not bool(valid[:, 0].all()):
            raise InvalidInputError("every sequence needs at least one item; got an empty one.")
        length = batch.shape[1]
        x = self._input_vectors(batch.clamp(min=0)) + self.positions[:length]
        x = self._drop(x * valid.unsqueeze(-1))
        causal = torch.ones(length, length, dtype=torch.bool).tril()
        mask = causal[None, None] & valid[:, None, None, :]
        for block in self.blocks:
            x = block(x, mask, self._drop)
        return self._pool(self.norm(x), valid)

    def prefix_scores(self, sequences: Any) -> Any:
        """Scores ``[B, L, n_items]`` after every prefix, in one pass (NaN past a row's end).

        Parameters
        ----------
        sequences : 2-d int array or tensor padded with -1, or list of 1-d item arrays
            At most ``max_length`` items each.
        """
        batch = _batch(self, sequences, truncate=False)
        out = self._item_logits(self.prefix_representations(batch))
        return out.masked_fill((batch == PAD).unsqueeze(-1), float("nan"))

    def score(self, sequences: Any) -> Any:
        """Scores ``[B, n_items]`` (float32) of the next item after each whole sequence.

        Parameters
        ----------
        sequences : 2-d int array or tensor padded with -1, or list of 1-d item arrays
            Item indices in time order; the most recent ``max_length`` are read.
        """
        batch = _batch(self, sequences, truncate=True)
        z = self.prefix_representations(batch)
        last = (batch != PAD).sum(dim=1) - 1
        return self._item_logits(z[torch.arange(batch.shape[0]), last])

    def _check_loss_batch(self, inputs: Any, targets: Any) -> Any:
        if not isinstance(inputs, torch.Tensor) or not isinstance(targets, torch.Tensor):
            raise InvalidInputError("inputs and targets must be int64 tensors [B, L].")
        if targets.shape != inputs.shape or inputs.ndim != 2:
            raise InvalidInputError(
                f"targets must have the shape of inputs [B, L]; got {tuple(targets.shape)} and "
                f"{tuple(inputs.shape)}."
            )
        _check_items(inputs.numpy(), self.n_items, "inputs")
        _check_items(targets.numpy(), self.n_items, "targets")
        where = targets != PAD
        if bool((where & (inputs == PAD)).any()):
            raise InvalidInputError("a target sits on a padded input position.")
        if not bool(where.any()):
            raise InvalidInputError("the batch has no target (all targets are -1).")
        return where

    def _next_item_loss(self, inputs: Any, targets: Any) -> tuple[Any, Any, Any]:
        where = self._check_loss_batch(inputs, targets)
        z = self.prefix_representations(inputs)[where]
        y = targets[where]
        return F.cross_entropy(self._item_logits(z), y), z, y

    def loss(self, inputs: Any, targets: Any) -> Any:
        """Mean next-item cross-entropy (full softmax) over the positions with a target.

        Parameters
        ----------
        inputs : torch.Tensor of int64, shape (B, L)
            Right-padded item indices.
        targets : torch.Tensor of int64, shape (B, L)
            The next item at each position, -1 where there is none.
        """
        return self._next_item_loss(inputs, targets)[0]


# ------------------------------------------------------------------------------------ M2TRec
class M2TRec(_SessionModel):
    """M2TRec: item-ID free session model over item metadata (genres, year); multi-task.

    See the module docstring for the equations. The catalogue (each item's genre flags and year
    id) is data, not a parameter: :meth:`set_catalog` (or :meth:`bind`) sets it, and any
    catalogue of the same attribute vocabularies can be scored by the same parameters, new items
    included. The catalogue is not in the ``state_dict``.

    Parameters
    ----------
    n_genres : int
        Genre flags (the multi-valued attribute).
    n_years : int
        Year ids (the categorical attribute; id 0 is "unknown").
    d_attr : int, default=32
        Width of each attribute embedding.
    d_model : int, default=64
        Width of the Transformer.
    n_layers : int, default=2
        Transformer blocks.
    n_heads : int, default=2
        Attention heads (divides ``d_model``).
    max_length : int, default=50
        The most recent items read.
    dropout : float, default=0.0
        Dropout on the inputs and every residual branch, in training mode.
    category_weight : float, default=1.0
        ``lambda``, the weight of the genre and year losses.
    random_state : int, Generator or None, default=0
        Seed of the initialisation.

    Examples
    --------
    >>> import numpy as np
    >>> net = M2TRec(3, 2, d_attr=4, d_model=8, n_layers=1, max_length=5)
    >>> net = net.set_catalog(np.eye(3, dtype=bool), np.array([0, 1, 1]))
    >>> net.score([np.array([0, 1])]).shape
    torch.Size([1, 3])
    """

    name = "m2trec"
    genre_embedding: Any
    year_embedding: Any
    item_encoder: Any
    genre_head: Any
    year_head: Any
    category_weight: float

    def __init__(
        self,
        n_genres: int,
        n_years: int,
        *,
        d_attr: int = 32,
        d_model: int = 64,
        n_layers: int = 2,
        n_heads: int = 2,
        max_length: int = 50,
        dropout: float = 0.0,
        category_weight: float = 1.0,
        random_state: int | np.random.Generator | None = 0,
    ) -> None:
        super().__init__()
        self.n_genres = _check_int(n_genres, "n_genres")
        self.n_years = _check_int(n_years, "n_years")
        self.d_attr = _check_int(d_attr, "d_attr")
        if (
            isinstance(category_weight, bool)
            or not isinstance(category_weight, numbers.Real)
            or not np.isfinite(category_weight)
            or category_weight < 0
        ):
            raise InvalidInputError(
                f"'category_weight' must be a finite float >= 0; got {category_weight!r}."
            )
        self.category_weight = float(category_weight)
        seed = resolve_seed(random_state, "M2TRec")
        with torch.random.fork_rng(devices=[]):  # every weight is drawn again below
            self._build_encoder(d_model, n_layers, n_heads, max_length, dropout)
            self.genre_embedding = torch.nn.Parameter(torch.zeros(self.n_genres, self.d_attr))
            self.year_embedding = torch.nn.Parameter(torch.zeros(self.n_years, self.d_attr))
            self.item_encoder = torch.nn.Linear(2 * self.d_attr, self.d_model)
            self.genre_head = torch.nn.Linear(self.d_model, self.n_genres)
            self.year_head = torch.nn.Linear(self.d_model, self.n_years)
        self._init_parameters(seed, (self.positions, self.genre_embedding, self.year_embedding))
        for buf in ("item_genres", "item_year", "group_genres", "group_year", "item_group"):
            self.register_buffer(buf, None, persistent=False)

    def set_catalog(self, item_genres: Any, item_year: Any) -> M2TRec:
        """Set the items to score: genre flags ``[n_items, n_genres]`` and year ids.

        Items of identical metadata share one row of the item encoder (and so exactly equal
        scores).

        Parameters
        ----------
        item_genres : array-like of bool, shape (n_items, n_genres)
        item_year : array-like of int, shape (n_items,)
            Ids in ``[0, n_years)``.

        Returns
        -------
        M2TRec
            ``self``.
        """
        genres = np.asarray(item_genres)
        if genres.ndim != 2 or genres.shape[1] != self.n_genres or genres.shape[0] < 1:
            raise InvalidInputError(
                f"item_genres must be [n_items, {self.n_genres}] (the model's n_genres); got "
                f"shape {genres.shape}."
            )
        if genres.dtype != np.bool_ and not np.isin(genres, (0, 1)).all():
            raise InvalidInputError("item_genres must hold 0/1 flags.")
        year = np.asarray(item_year)
        if year.shape != (genres.shape[0],) or year.dtype.kind not in "iu":
            raise InvalidInputError(
                f"item_year must be {genres.shape[0]} int year ids; got dtype {year.dtype} and "
                f"shape {year.shape}."
            )
        if year.min() < 0 or year.max() >= self.n_years:
            raise InvalidInputError(
                f"item_year must be ids in [0, {self.n_years}) (the model's n_years); got "
                f"values in [{int(year.min())}, {int(year.max())}]."
            )
        meta = np.column_stack([genres.astype(np.int64), year.astype(np.int64)])
        groups, inverse = np.unique(meta, axis=0, return_inverse=True)
        self.item_genres = torch.from_numpy(genres.astype(bool))
        self.item_year = torch.from_numpy(year.astype(np.int64))
        self.group_genres = torch.from_numpy(groups[:, :-1].astype(bool))
        self.group_year = torch.from_numpy(groups[:, -1].astype(np.int64))
        self.item_group = torch.from_numpy(inverse.reshape(-1).astype(np.int64))
        return self

    def bind(self, data: Any) -> M2TRec:
        """Score the items of ``data`` (a :class:`SessionData`): ``set_catalog`` of its metadata."""
        return self.set_catalog(data.item_genres, data.item_year)

    @property
    def n_items(self) -> int:
        """Items of the catalogue (:meth:`set_catalog`)."""
        if self.item_group is None:
            raise InvalidInputError(
                "M2TRec has no item catalogue: call set_catalog(item_genres, item_year) first."
            )
        return int(self.item_group.shape[0])

    def group_vectors(self) -> Any:
        """``e`` of each distinct metadata row of the catalogue, ``[n_groups, d_model]``."""
        if self.group_genres is None:
            self.n_items  # noqa: B018 - raises the error naming set_catalog
        g = self.group_genres.to(self.genre_embedding.dtype)
        genre = (g @ self.genre_embedding) / g.sum(dim=1, keepdim=True).clamp(min=1.0)
        attrs = torch.cat([genre, self.year_embedding[self.group_year]], dim=1)
        return self.item_encoder(attrs)

    def item_vectors(self) -> Any:
        """``e_i`` of every item of the catalogue, ``[n_items, d_model]``."""
        return self.group_vectors()[self.item_group]

    def _input_vectors(self, items: Any) -> Any:
        return self.item_vectors()[items]

    def _pool(self, h: Any, valid: Any) -> Any:
        w = valid.unsqueeze(-1).to(h.dtype)
        return (h * w).cumsum(dim=1) / w.cumsum(dim=1).clamp(min=1.0)

    def _item_logits(self, z: Any) -> Any:
        return (z @ self.group_vectors().T)[..., self.item_group]

    def category_losses(self, z: Any, targets: Any) -> tuple[Any, Any]:
        """Return the genre BCE (mean over flags) and year CE of ``z`` for the next ``targets``."""
        genre = F.binary_cross_entropy_with_logits(
            self.genre_head(z), self.item_genres[targets].to(z.dtype)
        )
        year = F.cross_entropy(self.year_head(z), self.item_year[targets])
        return genre, year

    def loss(self, inputs: Any, targets: Any) -> Any:
        """Next-item CE + ``category_weight`` * (genre BCE + year CE), over target positions.

        Parameters
        ----------
        inputs : torch.Tensor of int64, shape (B, L)
            Right-padded item indices.
        targets : torch.Tensor of int64, shape (B, L)
            The next item at each position, -1 where there is none.
        """
        item, z, y = self._next_item_loss(inputs, targets)
        if self.category_weight == 0.0:
            return item
        genre, year = self.category_losses(z, y)
        return item + self.category_weight * (genre + year)


# ------------------------------------------------------------------------------------ SASRec
class SASRec(_SessionModel):
    """SASRec: item-ID embeddings, causal self-attention, tied output, full softmax CE.

    See the module docstring for the equations.

    Parameters
    ----------
    n_items : int
        Items (rows of the item table).
    d_model : int, default=64
        Width of the item embeddings and the Transformer.
    n_layers : int, default=2
        Transformer blocks.
    n_heads : int, default=2
        Attention heads (divides ``d_model``).
    max_length : int, default=50
        The most recent items read.
    dropout : float, default=0.0
        Dropout on the inputs and every residual branch, in training mode.
    random_state : int, Generator or None, default=0
        Seed of the initialisation.

    Examples
    --------
    >>> net = SASRec(10, d_model=8, n_layers=1, max_length=5)
    >>> net.score([[1, 2, 3]]).shape
    torch.Size([1, 10])
    """

    name = "sasrec"
    item_embedding: Any

    def __init__(
        self,
        n_items: int,
        *,
        d_model: int = 64,
        n_layers: int = 2,
        n_heads: int = 2,
        max_length: int = 50,
        dropout: float = 0.0,
        random_state: int | np.random.Generator | None = 0,
    ) -> None:
        super().__init__()
        self._n_items = _check_int(n_items, "n_items")
        seed = resolve_seed(random_state, "SASRec")
        with torch.random.fork_rng(devices=[]):
            self._build_encoder(d_model, n_layers, n_heads, max_length, dropout)
            self.item_embedding = torch.nn.Parameter(torch.zeros(self._n_items, self.d_model))
        self._init_parameters(seed, (self.positions, self.item_embedding))

    @property
    def n_items(self) -> int:
        """Items (rows of the item table)."""
        return self._n_items

    def bind(self, data: Any) -> SASRec:
        """Check ``data`` (a :class:`SessionData`) has this model's number of items."""
        if data.n_items != self._n_items:
            raise InvalidInputError(
                f"SASRec has {self._n_items} item embeddings but the data has {data.n_items} items."
            )
        return self

    def item_vectors(self) -> Any:
        """Return the item table ``E``, ``[n_items, d_model]``."""
        return self.item_embedding

    def _input_vectors(self, items: Any) -> Any:
        return self.item_embedding[items]

    def _pool(self, h: Any, valid: Any) -> Any:
        return h

    def _item_logits(self, z: Any) -> Any:
        return z @ self.item_embedding.T


# ---------------------------------------------------------------------------------- training
@dataclass(frozen=True)
class SessionTraining:
    """What :func:`train_session_model` did.

    Attributes
    ----------
    history : list of dict
        Per epoch: ``epoch``, ``loss`` (mean over targets), ``seconds`` (since the start) and,
        where evaluated, ``val_recall`` and ``val_ndcg`` (at ``k``).
    best_epoch : int
        The evaluated epoch of the best validation NDCG, whose parameters the model keeps.
    best_validation : float
        That NDCG.
    seconds : float
        Wall time of the training, evaluations included.
    targets_per_epoch : int
        Next-item targets seen per epoch.
    """

    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    best_validation: float = -1.0
    seconds: float = 0.0
    targets_per_epoch: int = 0


def _training_windows(data: Any, max_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Every next-item target of the training parts, in windows of ``max_length`` inputs.

    A training part ``t_1 .. t_m`` is cut, from its end, into windows of at most
    ``max_length + 1`` items overlapping by one; a window's inputs are its items but the last,
    its targets the items but the first. Each ``t_2 .. t_m`` is a target exactly once, predicted
    from at most ``max_length`` preceding items.
    """
    inputs: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    for part in data.train_sequences():
        end = len(part)
        while end > 1:
            start = max(0, end - max_length - 1)
            window = part[start:end]
            inputs.append(window[:-1])
            targets.append(window[1:])
            end = start + 1
    if not inputs:
        raise InvalidInputError(
            "the training parts hold no next-item target: a training part needs >= 2 items "
            "(>= 4 interactions a user under leave-one-out)."
        )
    x = np.full((len(inputs), max_length), PAD, dtype=np.int64)
    y = np.full((len(inputs), max_length), PAD, dtype=np.int64)
    for w, (a, b) in enumerate(zip(inputs, targets, strict=True)):
        x[w, : len(a)] = a
        y[w, : len(b)] = b
    return x, y


def train_session_model(
    model: Any,
    data: Any,
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 1e-3,
    eval_every: int = 5,
    k: int = 20,
    random_state: int | np.random.Generator | None = 0,
    progress: bool = False,
    time_limit: float | None = None,
) -> SessionTraining:
    """Train a session model with Adam on every next item of the training parts.

    Every target of each user's training part (:meth:`SessionData.train_sequences`) is
    predicted from at most ``max_length`` preceding items (SASRec-style windows, one causal
    pass each). Validation NDCG@``k`` (:func:`evaluate_next_item`, split "validation") is
    computed every ``eval_every`` epochs and at the last; the model ends with the parameters of
    the best one. Deterministic: the batch order comes from a numpy Generator and the dropout
    masks from the model's generator, both seeded from ``random_state``, so the same seeds give
    the same bytes of the final parameters (on a fixed number of threads).

    Parameters
    ----------
    model : M2TRec or SASRec
        Bound to ``data`` first (:meth:`M2TRec.bind`, :meth:`SASRec.bind`).
    data : SessionData
        The sessions and their leave-one-out split.
    epochs : int
        Passes over the targets (>= 1).
    batch_size : int, default=128
        Windows per Adam step.
    lr : float, default=1e-3
        Adam's learning rate.
    eval_every : int, default=5
        Epochs between validations.
    k : int, default=20
        The cut-off of the validation NDCG.
    random_state : int, Generator or None, default=0
        Seed of the batch order and the dropout masks.
    progress : bool, default=False
        Show a progress bar over the epochs (:func:`embedlab.utils.progress.progress`).
    time_limit : float, optional
        Seconds after which training stops at the end of an epoch (evaluated there).

    Returns
    -------
    SessionTraining
    """
    epochs = _check_int(epochs, "epochs")
    batch_size = _check_int(batch_size, "batch_size")
    eval_every = _check_int(eval_every, "eval_every")
    _check_int(k, "k")
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < np.inf:
        raise InvalidInputError(f"'lr' must be a float > 0; got {lr!r}.")
    if time_limit is not None and (
        isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real) or time_limit <= 0
    ):
        raise InvalidInputError(f"'time_limit' must be seconds > 0 or None; got {time_limit!r}.")
    if not isinstance(model, _SessionModel):
        raise InvalidInputError(f"model must be an M2TRec or SASRec; got {type(model).__name__}.")
    model.bind(data)
    seed = resolve_seed(random_state, "train_session_model")
    rng = np.random.default_rng(seed)
    model.reseed_dropout(seed + 1)
    x_all, y_all = _training_windows(data, model.max_length)
    n_targets = int((y_all != PAD).sum())
    opt = torch.optim.Adam(model.parameters(), lr=float(lr))
    history: list[dict[str, float]] = []
    best, best_epoch, best_state = -1.0, 0, None
    start = time.perf_counter()
    with _progress(
        f"{type(model).__name__} epochs",
        epochs,
        min_total=1 if progress else 1e18,
        fields={"info": ""},
    ) as bar:
        for epoch in range(1, epochs + 1):
            model.train()
            order = rng.permutation(len(x_all))
            total = 0.0
            for s in range(0, len(order), batch_size):
                idx = order[s : s + batch_size]
                xb, yb = x_all[idx], y_all[idx]
                length = int((xb != PAD).sum(axis=1).max())
                xt = torch.from_numpy(np.ascontiguousarray(xb[:, :length]))
                yt = torch.from_numpy(np.ascontiguousarray(yb[:, :length]))
                opt.zero_grad(set_to_none=True)
                loss = model.loss(xt, yt)
                loss.backward()
                opt.step()
                total += float(loss.detach()) * int((yt != PAD).sum())
            record: dict[str, float] = {"epoch": float(epoch), "loss": total / n_targets}
            out_of_time = time_limit is not None and time.perf_counter() - start >= time_limit
            if epoch % eval_every == 0 or epoch == epochs or out_of_time:
                res = evaluate_next_item(model, data, split="validation", k=k)
                record["val_recall"], record["val_ndcg"] = res[f"recall@{k}"], res[f"ndcg@{k}"]
                if record["val_ndcg"] > best:
                    best, best_epoch = record["val_ndcg"], epoch
                    best_state = copy.deepcopy(model.state_dict())
                logger.info(
                    "%s epoch %d: loss %.4f, validation ndcg@%d %.4f",
                    type(model).__name__,
                    epoch,
                    record["loss"],
                    k,
                    record["val_ndcg"],
                )
            record["seconds"] = time.perf_counter() - start
            history.append(record)
            bar.advance(1, info=f"loss {record['loss']:.4f} best val ndcg {max(best, 0):.4f}")
            if out_of_time:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return SessionTraining(
        history=history,
        best_epoch=best_epoch,
        best_validation=best,
        seconds=time.perf_counter() - start,
        targets_per_epoch=n_targets,
    )


# -------------------------------------------------------------------------------- evaluation
def _scores_of(scorer: Any, inputs: list[np.ndarray], n_items: int) -> np.ndarray:
    if isinstance(scorer, np.ndarray):
        if scorer.shape != (n_items,):
            raise InvalidInputError(
                f"static scores must be one per item, shape ({n_items},); got {scorer.shape}."
            )
        return np.broadcast_to(scorer.astype(np.float32), (len(inputs), n_items)).copy()
    if isinstance(scorer, _SessionModel):
        was = scorer.training
        scorer.eval()
        try:
            with torch.no_grad():
                out = scorer.score(inputs).numpy()
        finally:
            scorer.train(was)
    elif callable(scorer):
        out = scorer(inputs)
        if isinstance(out, torch.Tensor):
            out = out.detach().cpu().numpy()
        out = np.asarray(out)
    else:
        raise InvalidInputError(
            f"scorer must be a session model, a callable (histories -> scores) or an array of "
            f"per-item scores; got {type(scorer).__name__}."
        )
    if out.shape != (len(inputs), n_items):
        raise InvalidInputError(
            f"the scorer must return scores of shape ({len(inputs)}, {n_items}) [cases, items]; "
            f"got {out.shape}."
        )
    return np.array(out, dtype=np.float32)


def evaluate_next_item(
    scorer: Any,
    data: Any,
    *,
    split: str = "test",
    k: int = 20,
    rare_max: int = 5,
    batch_size: int = 256,
) -> dict[str, float]:
    """Recall@k and NDCG@k of the leave-one-out targets, overall and on rare and cold targets.

    Each user's target (:meth:`SessionData.split`) is ranked among all items except those in
    the user's input history (the target itself is never excluded), with ties counted in
    expectation (:func:`expected_rank_metrics`). "Rare" cases are those whose target has at
    most ``rare_max`` training interactions (:meth:`SessionData.train_counts`), "cold" those
    with none.

    Parameters
    ----------
    scorer : M2TRec, SASRec, callable or ndarray
        A session model (bound to ``data`` first: M2TRec scores ``data``'s items from their
        metadata), a callable ``histories -> scores [cases, n_items]``, or one score per item
        for every case (:func:`popularity_scores`).
    data : SessionData
        The sessions.
    split : {"test", "validation"}, default="test"
        Which targets.
    k : int, default=20
        The cut-off.
    rare_max : int, default=5
        The most training interactions of a rare target (>= 0).
    batch_size : int, default=256
        Users scored at once.

    Returns
    -------
    dict
        ``recall@k``, ``ndcg@k``, ``rare_recall@k``, ``rare_ndcg@k``, ``cold_recall@k``,
        ``cold_ndcg@k`` (NaN over an empty group), ``mean_rank`` (0-based), ``n_cases``,
        ``n_rare``, ``n_cold``.
    """
    _check_int(k, "k")
    _check_int(rare_max, "rare_max", low=0)
    _check_int(batch_size, "batch_size")
    inputs, targets = data.split(split)
    if isinstance(scorer, _SessionModel):
        scorer.bind(data)
    n = data.n_items
    ranks, hits, ndcgs = [], [], []
    for s in range(0, len(inputs), batch_size):
        hist = inputs[s : s + batch_size]
        tgt = targets[s : s + batch_size]
        scores = _scores_of(scorer, hist, n)
        rows = np.repeat(np.arange(len(hist)), [len(h) for h in hist])
        cols = np.concatenate(hist)
        keep = scores[np.arange(len(tgt)), tgt].copy()
        scores[rows, cols] = -np.inf
        scores[np.arange(len(tgt)), tgt] = keep
        rank, hit, ndcg = expected_rank_metrics(scores, tgt, k=k)
        ranks.append(rank)
        hits.append(hit)
        ndcgs.append(ndcg)
    rank_all, hit_all, ndcg_all = (np.concatenate(v) for v in (ranks, hits, ndcgs))
    counts = data.train_counts()[targets]
    rare, cold = counts <= rare_max, counts == 0

    def mean(x: np.ndarray, m: np.ndarray) -> float:
        return float(x[m].mean()) if m.any() else float("nan")

    every = np.ones(len(targets), dtype=bool)
    return {
        f"recall@{k}": mean(hit_all, every),
        f"ndcg@{k}": mean(ndcg_all, every),
        f"rare_recall@{k}": mean(hit_all, rare),
        f"rare_ndcg@{k}": mean(ndcg_all, rare),
        f"cold_recall@{k}": mean(hit_all, cold),
        f"cold_ndcg@{k}": mean(ndcg_all, cold),
        "mean_rank": mean(rank_all, every),
        "n_cases": float(len(targets)),
        "n_rare": float(rare.sum()),
        "n_cold": float(cold.sum()),
    }
