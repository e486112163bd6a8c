r"""Hypercomplex multi-view KG embeddings: Dihedron and quaternion products, text views on parts.

Nayyeri, Wang, Akter, Alam, Rony, Lehmann, Staab, "Integrating Knowledge Graph Embeddings and
Pre-trained Language Models in Hypercomplex Spaces" (ISWC 2023); reference code
ZihaoWang/Hypercomplex-KG-Embedding, ``models/euclidean.py`` (``Tetra_WSF``: Dihedron,
``Tetra_WSF_Quat``: quaternion) and ``utils/euclidean.py`` (``givens_DE_rotations_m``,
``givens_QuatE_rotations``).

**Layout.** With ``d = embedding_dim`` (a multiple of 4) and ``m = d / 4``, a row of ``d``
numbers is ``[s | x | y | z]``, four contiguous blocks of ``m``: coordinate ``c`` of the blocks
is the hypercomplex number ``q_c = s_c + x_c i + y_c j + z_c k``; the ``m`` numbers are
multiplied independently. :func:`hamilton_product` and :func:`dihedron_product` take and
return this layout (the last axis split into 4; a last axis of 4 is one number).

**Products.** Hamilton (quaternions): ``i^2 = j^2 = k^2 = ijk = -1``, so ``ij = k``,
``jk = i``, ``ki = j`` (and anti-commuting). Dihedron (split-quaternions, the reference's
``givens_DE_rotations_m``): ``i^2 = -1``, ``j^2 = k^2 = +1``, ``ij = k = -ji``,
``jk = -i = -kj``, ``ki = j = -ik``; for ``p = a1 + b1 i + c1 j + d1 k``, ``q = a2 + ...``::

    p q = (a1 a2 - b1 b2 + c1 c2 + d1 d2)
        + (a1 b2 + b1 a2 - c1 d2 + d1 c2) i
        + (a1 c2 + c1 a2 - b1 d2 + d1 b2) j
        + (a1 d2 + d1 a2 + b1 c2 - c1 b2) k

It is associative (the split-quaternions are the 2 x 2 real matrices) and multiplies the
indefinite norm ``N(q) = a^2 + b^2 - c^2 - d^2``; the Hamilton product multiplies
``|q|^2 = a^2 + b^2 + c^2 + d^2``.

**Score** (as the reference, head on the left)::

    f(h, r, t) = -|| e_h (x) r_hat - e_t ||^2 + b_h + b_t,   r_hat_c = r_c / |r_c|

with ``(x)`` the Dihedron (or Hamilton) product per coordinate, ``|r_c|`` the Euclidean norm of
the four numbers of coordinate ``c`` (unit-normalised per block, also for the Dihedron), and
entity biases ``b_h`` (head) and ``b_t`` (tail), two tables initialised at 0 (``bias="learn"``).

**Multi-view entities** (``Tetra_WSF``): ``e = [s | g_i(v_i) | g_j(v_j) | g_k(v_k)]`` with ``s``
the learned structural embedding (``m`` numbers) and ``g(v) = tanh(W_2 tanh(W_1 v + c_1) + c_2)``
the reference's ``AdjustDim`` MLP (``k_v -> m -> m``) applied to frozen text vectors ``v``:
the views are buffers (never trained), the MLPs are trained. The paper's parts are
``i`` Word2Vec, ``j`` FastText, ``k`` SentenceTransformer; here they are character 2-4-gram
TF-IDF/SVD, ``char_wb`` 3-5-gram TF-IDF/SVD, and the packaged MiniLM on the entity names (or a
word TF-IDF/SVD view without an encoder) — see :mod:`embedlab.kg.views`. The same ``e`` is used
as head and as tail. Structure-only models (``"dihedron"``, ``"quaternion"``) learn all four
parts freely at the same ``d``.

Deviations from the reference, stated: ``Tetra_WSF`` scales the head's text parts (and, at
evaluation only, the tail's) by ``init_size`` = 1e-3 but not the tail's FastText and
SentenceTransformer parts during training — the training and evaluation scores disagree there;
``Tetra_WSF_Quat`` does not scale, and neither do we (one score for training and evaluation).
The reference allocates ``d`` structural numbers per entity and uses ``m``; we allocate ``m``.
Float32 instead of the reference's float64; relation norms clamped at 1e-15. The reference's
structure-only Dihedron (``Tetra_zero``) also adds a relation translation; ours does not, so
that the multi-view and structure-only models differ only in where the parts come from. QuatE
(Zhang et al., 2019) scores by an inner product; ``"quaternion"`` keeps the reference's
distance and biases with the Hamilton product.

**Training** (``training_defaults``; ``run.py``, ``optimizers/kg_optimizer.py``, the README
command for Nations ``--rank 32 --neg_sample_size 100 --batch_size 400 --learning_rate
0.01``): reciprocal relations, 100 uniform tail corruptions per query (unfiltered), logistic loss
``-log sigmoid(s_pos)``, ``-log sigmoid(-s_neg)``, lr 0.01, no regularisation (``--reg 0``;
the reference's N3 weight defaults to 0), no decay; positives and negatives pooled in one mean
(a positive weighs ``1 / (K + 1)``: the trainer's ``loss="pooled"``) and Adagrad
(``optimizer="adagrad"``), as the reference.

**Cost.** A query ``e_h (x) r_hat`` is ``O(d)``; :meth:`score_all` one ``[B, d] x [d, E]``
product: ``O(B E d)`` time, ``O(B E)`` memory. The multi-view models run the MLPs on the entity
rows a call needs (all ``E`` for :meth:`score_all`): ``O(E (k m + m^2))`` per view. Parameters:
``E d + R d + 2 E`` (structure-only), ``E m + R d + 2 E + sum_v (k_v m + m^2 + 2 m)``
(multi-view), plus the frozen views ``E sum_v k_v``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.kg._torch import torch
from embedlab.kg.models._common import tails_as_matrix
from embedlab.kg.models.base import KGModel, generator, uniform_parameter

__all__ = [
    "Dihedron",
    "DihedronMultiView",
    "Quaternion",
    "QuaternionMultiView",
    "dihedron_product",
    "hamilton_product",
    "unit_hypercomplex",
]


# ------------------------------------------------------------------------------- algebra
def _split4(name: str, a: Any) -> tuple[Any, Any, Any, Any]:
    n = a.shape[-1]
    if n == 0 or n % 4:
        raise InvalidInputError(
            f"'{name}' must have a last axis of 4 m numbers [s | x | y | z]; got {n}."
        )
    m = n // 4
    return a[..., :m], a[..., m : 2 * m], a[..., 2 * m : 3 * m], a[..., 3 * m :]


def hamilton_product(a: Any, b: Any) -> Any:
    """Multiply quaternions ``a b`` (Hamilton: ``i^2 = j^2 = k^2 = ijk = -1``), blockwise.

    Parameters
    ----------
    a, b : torch.Tensor
        ``[..., 4 m]``: the last axis is four blocks ``[s | x | y | z]`` of ``m`` numbers, so
        coordinate ``c`` is ``s_c + x_c i + y_c j + z_c k``; the leading axes broadcast.

    Returns
    -------
    torch.Tensor
        ``[..., 4 m]``, the same layout: the ``m`` products ``a_c b_c``.

    Examples
    --------
    >>> from embedlab.kg._torch import torch
    >>> i, j = torch.tensor([0.0, 1, 0, 0]), torch.tensor([0.0, 0, 1, 0])
    >>> hamilton_product(i, j).tolist()  # ij = k
    [0.0, 0.0, 0.0, 1.0]
    """
    a1, b1, c1, d1 = _split4("a", a)
    a2, b2, c2, d2 = _split4("b", b)
    return torch.cat(
        (
            a1 * a2 - b1 * b2 - c1 * c2 - d1 * d2,
            a1 * b2 + b1 * a2 + c1 * d2 - d1 * c2,
            a1 * c2 + c1 * a2 + d1 * b2 - b1 * d2,
            a1 * d2 + d1 * a2 + b1 * c2 - c1 * b2,
        ),
        dim=-1,
    )


def dihedron_product(a: Any, b: Any) -> Any:
    """Multiply Dihedron numbers ``a b`` (``i^2 = -1``, ``j^2 = k^2 = +1``, ``ij = k``), blockwise.

    Parameters
    ----------
    a, b : torch.Tensor
        ``[..., 4 m]``, four blocks ``[s | x | y | z]`` as :func:`hamilton_product`.

    Returns
    -------
    torch.Tensor
        ``[..., 4 m]``: the split-quaternion products ``a_c b_c`` (the reference's
        ``givens_DE_rotations_m(b, a)``).

    Examples
    --------
    >>> from embedlab.kg._torch import torch
    >>> j, k = torch.tensor([0.0, 0, 1, 0]), torch.tensor([0.0, 0, 0, 1])
    >>> dihedron_product(j, k).tolist()  # jk = -i
    [0.0, -1.0, 0.0, 0.0]
    """
    a1, b1, c1, d1 = _split4("a", a)
    a2, b2, c2, d2 = _split4("b", b)
    return torch.cat(
        (
            a1 * a2 - b1 * b2 + c1 * c2 + d1 * d2,
            a1 * b2 + b1 * a2 - c1 * d2 + d1 * c2,
            a1 * c2 + c1 * a2 - b1 * d2 + d1 * b2,
            a1 * d2 + d1 * a2 + b1 * c2 - c1 * b2,
        ),
        dim=-1,
    )


def unit_hypercomplex(a: Any, eps: float = 1e-15) -> Any:
    """Divide each number ``(s_c, x_c, y_c, z_c)`` of ``[..., 4 m]`` by its Euclidean norm.

    Parameters
    ----------
    a : torch.Tensor
        ``[..., 4 m]`` in the layout of :func:`hamilton_product`.
    eps : float, default=1e-15
        Lower bound of the norms (a zero number stays zero instead of NaN).

    Returns
    -------
    torch.Tensor
        ``[..., 4 m]``, every number of unit norm ``s_c^2 + x_c^2 + y_c^2 + z_c^2 = 1``.
    """
    s, x, y, z = _split4("a", a)
    norm = torch.sqrt(s * s + x * x + y * y + z * z).clamp_min(eps)
    return torch.cat((s / norm, x / norm, y / norm, z / norm), dim=-1)


# ------------------------------------------------------------------------------- checks
def _check_dim(d: int) -> int:
    if d % 4:
        raise InvalidInputError(
            f"'embedding_dim' of a hypercomplex model must be a multiple of 4 (d / 4 numbers "
            f"per part); got {d}."
        )
    return d // 4


def _check_init_size(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidInputError(f"'init_size' must be a float > 0; got {value!r}.")
    if not math.isfinite(value):
        raise InvalidInputError(f"'init_size' must be a float > 0; got {value!r}.")
    return float(value)


def _check_views(views: Any, n_entities: int) -> list[tuple[str, np.ndarray]]:
    """Return the three views as ``(name, float32 [E, k])`` in part order (i, j, k)."""
    if views is None:
        raise InvalidInputError(
            "A multi-view model needs 'views': three frozen text views [n_entities, k]; build "
            "them with Model.inputs_from(triples) or embedlab.kg.views.text_views(names)."
        )
    if isinstance(views, Mapping):
        items = [(str(key), value) for key, value in views.items()]
    elif isinstance(views, Sequence) and not isinstance(views, str):
        items = [(f"view {i}", value) for i, value in enumerate(views)]
    else:
        raise InvalidInputError(
            "'views' must be a dict of 3 arrays or a sequence of 3 arrays [n_entities, k]; got "
            f"{type(views).__name__}."
        )
    if len(items) != 3:
        raise InvalidInputError(
            f"'views' must hold 3 views (parts i, j, k); got {len(items)}: "
            f"{[name for name, _ in items]}."
        )
    out = []
    for name, value in items:
        if hasattr(value, "detach"):  # a torch tensor
            value = value.detach().cpu().numpy()
        try:
            arr = np.asarray(value, dtype=np.float32)
        except (TypeError, ValueError):
            raise InvalidInputError(
                f"view {name!r} must be a numeric array [n_entities, k]; got "
                f"{type(value).__name__}."
            ) from None
        if arr.ndim != 2 or arr.shape[1] < 1:
            raise InvalidInputError(
                f"view {name!r} must be a 2-D array [n_entities, k]; got shape {arr.shape}."
            )
        if arr.shape[0] != n_entities:
            raise InvalidInputError(
                f"view {name!r} has {arr.shape[0]} rows; expected one per entity ({n_entities})."
            )
        if not np.isfinite(arr).all():
            raise InvalidInputError(
                f"view {name!r} holds NaN or infinite values; clean or re-encode the names."
            )
        out.append((name, np.ascontiguousarray(arr)))
    return out


# ------------------------------------------------------------------------------- models
class _ViewMLP(torch.nn.Module):
    """The reference's ``AdjustDim``: ``tanh(W_2 tanh(W_1 v + c_1) + c_2)``, ``k -> m -> m``.

    Initialised as ``torch.nn.Linear`` (``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``) with ``gen``.
    """

    def __init__(self, in_dim: int, out_dim: int, gen: Any) -> None:
        super().__init__()
        b1, b2 = 1.0 / math.sqrt(in_dim), 1.0 / math.sqrt(out_dim)
        self.w1 = uniform_parameter(out_dim, in_dim, b1, gen)
        self.c1 = uniform_parameter(1, out_dim, b1, gen)
        self.w2 = uniform_parameter(out_dim, out_dim, b2, gen)
        self.c2 = uniform_parameter(1, out_dim, b2, gen)

    def forward(self, v: Any) -> Any:
        """Map view rows ``[n, k]`` to ``[n, m]``."""
        hidden = torch.tanh(v @ self.w1.T + self.c1)
        return torch.tanh(hidden @ self.w2.T + self.c2)


def _normal_parameter(rows: int, cols: int, scale: float, gen: Any) -> Any:
    w = torch.randn(rows, cols, generator=gen, dtype=torch.float32)
    return torch.nn.Parameter(w * scale)


class _Hypercomplex(KGModel):
    """Shared parameters and scoring; subclasses fix the product and where the parts come from."""

    parts: ClassVar[int] = 1
    training_defaults: ClassVar[dict[str, Any]] = {
        "protocol": "negative-sampling",
        "loss": "pooled",
        "optimizer": "adagrad",
        "lr": 0.01,
        "batch_size": 400,
        "negatives": 100,
        "adversarial_temperature": 0.0,
        "decay_rate": 1.0,
        "weight_decay": 0.0,
    }
    _product: ClassVar[Any] = staticmethod(dihedron_product)

    def __init__(
        self,
        *,
        n_entities: int,
        n_relations: int,
        embedding_dim: int,
        random_state: int = 0,
        init_size: float = 1e-3,
    ) -> None:
        super().__init__(
            n_entities=n_entities,
            n_relations=n_relations,
            embedding_dim=embedding_dim,
            random_state=random_state,
        )
        self._build(init_size, structure_parts=4)

    def _build(self, init_size: Any, *, structure_parts: int) -> Any:
        """Build the structural parts, relations and biases; return the generator, drawn on."""
        self.block_dim = _check_dim(self.embedding_dim)
        self.init_size = _check_init_size(init_size)
        gen = generator(self.random_state)
        width = structure_parts * self.block_dim
        self.entity = _normal_parameter(self.n_entities, width, self.init_size, gen)
        self.relation = _normal_parameter(self.n_relations, self.embedding_dim, self.init_size, gen)
        self.bias_head = torch.nn.Parameter(torch.zeros(self.n_entities, dtype=torch.float32))
        self.bias_tail = torch.nn.Parameter(torch.zeros(self.n_entities, dtype=torch.float32))
        return gen

    def _entity_rows(self, ids: Any | None) -> Any:
        """Entity rows ``[n, d]`` of ``ids`` (all entities when ``None``)."""
        return self.entity if ids is None else self.entity[ids]

    def _query(self, heads_e: Any, relations: Any) -> Any:
        return self._product(heads_e, unit_hypercomplex(self.relation[relations]))

    def score_all(self, heads: Any, relations: Any) -> Any:
        """Scores ``[B, E]``: ``-||e_h (x) r_hat - e_t||^2 + b_h + b_t`` for every tail ``t``."""
        table = self._entity_rows(None)
        q = self._query(table[heads], relations)
        sq = (q * q).sum(-1, keepdim=True) + (table * table).sum(-1)[None, :] - 2.0 * q @ table.T
        return self.bias_head[heads][:, None] + self.bias_tail[None, :] - sq

    def score(self, heads: Any, relations: Any, tails: Any) -> Any:
        """Scores of ``(heads[i], relations[i], tails[i])``; ``tails`` ``[B]`` or ``[B, K]``."""
        tails_as_matrix(tails)  # the shape check
        ids, inverse = torch.unique(torch.cat((heads, tails.reshape(-1))), return_inverse=True)
        rows = self._entity_rows(ids)
        q = self._query(rows[inverse[: len(heads)]], relations)
        t = rows[inverse[len(heads) :]].reshape(*tails.shape, self.embedding_dim)
        if tails.dim() == 2:
            q = q[:, None, :]
        bias_h = self.bias_head[heads] if tails.dim() == 1 else self.bias_head[heads][:, None]
        return bias_h + self.bias_tail[tails] - ((q - t) ** 2).sum(-1)

    def entity_embeddings(self) -> np.ndarray:
        """Entity rows ``[E, d]``: ``[s | x | y | z]`` (the text parts through their MLPs)."""
        with torch.no_grad():
            return self._entity_rows(None).detach().cpu().numpy().astype(np.float32, copy=True)

    def relation_embeddings(self) -> np.ndarray:
        """Unit-normalised relation rows ``[n_relations, d]`` (``r_hat``, as they act)."""
        with torch.no_grad():
            r = unit_hypercomplex(self.relation.detach())
            return r.cpu().numpy().astype(np.float32, copy=True)


class _MultiView(_Hypercomplex):
    """Structural part ``s`` learned; parts ``i, j, k`` from three frozen views through MLPs."""

    def __init__(
        self,
        *,
        n_entities: int,
        n_relations: int,
        embedding_dim: int,
        random_state: int = 0,
        init_size: float = 1e-3,
        views: Any = None,
    ) -> None:
        KGModel.__init__(
            self,
            n_entities=n_entities,
            n_relations=n_relations,
            embedding_dim=embedding_dim,
            random_state=random_state,
        )
        checked = _check_views(views, self.n_entities)
        gen = self._build(init_size, structure_parts=1)
        self.view_names = tuple(name for name, _ in checked)
        for i, (_, arr) in enumerate(checked):
            self.register_buffer(f"view_{i}", torch.from_numpy(arr))
        self.mlps = torch.nn.ModuleList(
            _ViewMLP(arr.shape[1], self.block_dim, gen) for _, arr in checked
        )

    def _entity_rows(self, ids: Any | None) -> Any:
        parts = [self.entity if ids is None else self.entity[ids]]
        for i, mlp in enumerate(self.mlps):
            view = getattr(self, f"view_{i}")
            parts.append(mlp(view if ids is None else view[ids]))
        return torch.cat(parts, dim=-1)

    @classmethod
    def inputs_from(cls, triples: Any, **options: Any) -> dict[str, Any]:
        """Build ``{"views": ...}`` from the entity labels of a TripleSet.

        Options: ``encode`` (the sentence encoder ``list[str] -> [E, k]``; ``None`` gives the
        word TF-IDF view), ``view_dim`` (width of the TF-IDF/SVD views, default 64) and
        ``random_state`` (seed of their SVDs, default 0); see :func:`embedlab.kg.views.text_views`.
        """
        from embedlab.kg.views import readable_names, text_views

        unknown = sorted(set(options) - {"encode", "view_dim", "random_state"})
        if unknown:
            raise InvalidInputError(
                f"Unknown option(s) {unknown} of {cls.__name__}.inputs_from; choose from: "
                "encode, random_state, view_dim."
            )
        seed = options.get("random_state", 0)
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise InvalidInputError(
                f"The 'random_state' input of {cls.__name__} must be an int >= 0; got {seed!r}."
            )
        views = text_views(
            readable_names(triples.entities),
            encode=options.get("encode"),
            dims=options.get("view_dim", 64),
            random_state=int(seed),
        )
        return {"views": views}


class Dihedron(_Hypercomplex):
    """Structure-only Dihedron model: all four parts of every entity learned.

    Parameters
    ----------
    n_entities, n_relations, embedding_dim, random_state
        See :class:`~embedlab.kg.models.base.KGModel`; ``embedding_dim`` ``d`` is a multiple of 4
        (``d / 4`` numbers per part).
    init_size : float, default=1e-3
        Entity and relation parameters start as ``init_size * N(0, 1)`` (the reference).
    """

    name: ClassVar[str] = "dihedron"
    _product: ClassVar[Any] = staticmethod(dihedron_product)


class Quaternion(_Hypercomplex):
    """Structure-only quaternion model (QuatE-like: the Hamilton product; distance and biases).

    Parameters are those of :class:`Dihedron`.
    """

    name: ClassVar[str] = "quaternion"
    _product: ClassVar[Any] = staticmethod(hamilton_product)


class DihedronMultiView(_MultiView):
    """Multi-view Dihedron model (the reference's ``Tetra_WSF``).

    Parameters
    ----------
    n_entities, n_relations, embedding_dim, random_state, init_size
        As :class:`Dihedron` (``init_size`` scales the structural part and the relations).
    views : dict of str to array [n_entities, k], or a sequence of 3 arrays
        The frozen text views of parts ``i``, ``j``, ``k``, in that order (the dict's order);
        :meth:`inputs_from` builds them from the entity names.
    """

    name: ClassVar[str] = "dihedron-mv"
    _product: ClassVar[Any] = staticmethod(dihedron_product)


class QuaternionMultiView(_MultiView):
    """Multi-view quaternion model (the reference's ``Tetra_WSF_Quat``).

    Parameters are those of :class:`DihedronMultiView`.
    """

    name: ClassVar[str] = "quaternion-mv"
    _product: ClassVar[Any] = staticmethod(hamilton_product)
