r"""ComplEx: complex embeddings, with optional N3 regularisation.

Trouillon, Welbl, Riedel, Gaussier and Bouchard, "Complex Embeddings for Simple Link
Prediction", ICML 2016. Entities and relations are complex vectors of size ``d`` (rows
``[re, im]``, so ``2 d`` reals) and

.. math:: s(h, r, t) = \mathrm{Re}\,\langle e_h, w_r, \bar e_t \rangle
          = \langle \mathrm{Re}(e_h w_r), \mathrm{Re}\, e_t \rangle
          + \langle \mathrm{Im}(e_h w_r), \mathrm{Im}\, e_t \rangle .

**N3** (Lacroix, Usunier and Obozinski, "Canonical Tensor Decomposition for Knowledge Base
Completion", ICML 2018): with ``regularization_weight = lambda > 0``, every ``score_all`` /
``score`` call in training mode keeps the batch's head and relation factors, and
:meth:`ComplEx.regularization` returns

.. math:: \frac{\lambda}{B} \sum_{b=1}^{B} \sum_{i=1}^{d} |e_{h_b,i}|^3 + |w_{r_b,i}|^3

(``|.|`` the complex modulus), the weighted (by frequency) nuclear 3-norm of Lacroix et al. on
the factors of the last batch. The tails are not penalised: with reciprocal relations every tail
``t`` of ``(h, r, t)`` is the head of ``(t, r + R, h)``, so each entity occurrence is penalised
once per direction. Cost ``O(B d)``; ``eval()`` drops the kept factors, and a copy or pickle of
the model does not hold them.

Training defaults: 1-N scoring with the summed softplus loss as the NFE reference trains
DistMult; initialisation ``U(-0.1, 0.1)`` (entities first, then relations, one
``torch.Generator`` seeded with ``random_state``).

Cost: 1-N scoring of ``B`` queries is one ``[B, 2d] x [2d, E]`` product, ``O(B E d)`` time and
``O(B E + E d)`` memory; ``K`` tails per query cost ``O(B K d)``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from embedlab.kg._torch import torch
from embedlab.kg.models._common import SeparableModel, check_real
from embedlab.kg.models.base import generator, uniform_parameter

__all__ = ["ComplEx"]


class ComplEx(SeparableModel):
    """ComplEx, ``Re(<e_h, w_r, conj(e_t)>)`` (see the module docstring).

    Parameters
    ----------
    n_entities, n_relations, embedding_dim, random_state
        See :class:`embedlab.kg.models.base.KGModel` (``embedding_dim`` complex coordinates).
    regularization_weight : float, default 0.0
        ``lambda`` of the N3 penalty on the last training batch's factors (``>= 0``; 0 = none).
    """

    name: ClassVar[str] = "complex"
    parts: ClassVar[int] = 2
    training_defaults: ClassVar[dict[str, Any]] = {
        "protocol": "1-n",
        "loss": "softplus",
        "lr": 0.003,
        "batch_size": 128,
        "decay_rate": 0.97,
    }

    def __init__(
        self,
        *,
        n_entities: int,
        n_relations: int,
        embedding_dim: int,
        random_state: int = 0,
        regularization_weight: float = 0.0,
    ) -> None:
        super().__init__(
            n_entities=n_entities,
            n_relations=n_relations,
            embedding_dim=embedding_dim,
            random_state=random_state,
        )
        self.regularization_weight = check_real(
            "ComplEx", "regularization_weight", regularization_weight, minimum=0.0
        )
        gen = generator(self.random_state)
        d = self.embedding_dim
        self.entity = uniform_parameter(self.n_entities, 2 * d, 0.1, gen)
        self.relation = uniform_parameter(self.n_relations, 2 * d, 0.1, gen)
        self._factors: tuple[Any, Any] | None = None

    def query_features(self, heads: Any, relations: Any) -> tuple[Any, Any]:
        """Return ``phi = [Re(e_h w_r), Im(e_h w_r)]`` (no constant terms)."""
        h = self.entity[heads]
        r = self.relation[relations]
        if self.training and self.regularization_weight > 0:
            self._factors = (h, r)
        h_re, h_im = h.chunk(2, dim=-1)
        r_re, r_im = r.chunk(2, dim=-1)
        re = h_re * r_re - h_im * r_im
        im = h_re * r_im + h_im * r_re
        return None, torch.cat([re, im], dim=-1)

    def tail_features(self, rows: Any) -> tuple[Any, Any]:
        """Return ``psi = [Re e_t, Im e_t]`` (the row itself)."""
        return None, rows

    def regularization(self) -> Any:
        """N3 of the last training batch's head and relation factors (0 when none or weight 0)."""
        if self._factors is None or self.regularization_weight == 0:
            return torch.zeros((), dtype=self.entity.dtype, device=self.entity.device)
        total = 0
        for f in self._factors:
            re, im = f.chunk(2, dim=-1)
            total = total + (re * re + im * im).pow(1.5).sum()
        return self.regularization_weight * total / self._factors[0].shape[0]

    def __getstate__(self) -> dict[str, Any]:
        """Pickle and deep-copy without the kept factors (graph tensors cannot be copied)."""
        state = super().__getstate__()
        state["_factors"] = None
        return state

    def train(self, mode: bool = True) -> ComplEx:
        """Set the training mode; leaving it drops the factors kept for :meth:`regularization`."""
        if not mode:
            self._factors = None
        return super().train(mode)
