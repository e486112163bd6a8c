r"""DistMult: the diagonal bilinear model.

Yang, Yih, He, Gao and Deng, "Embedding Entities and Relations for Learning and Inference in
Knowledge Bases", ICLR 2015. Entities and relations are vectors of size ``d`` and

.. math:: s(h, r, t) = \langle e_h, w_r, e_t \rangle = \sum_i e_{h,i} \, w_{r,i} \, e_{t,i}.

The score is symmetric in ``h`` and ``t``; with reciprocal relations (the trainer's ``r + R``
ids) the inverse direction has its own vector. Trained as the NFE reference trains it (its
``model.py`` ``DistMult`` branch and ``main.py``): 1-N scoring of every entity with the summed
softplus loss, Adam, ``U(-0.1, 0.1)`` initialisation (entities drawn first, then relations, from
one ``torch.Generator`` seeded with ``random_state``).

Cost: 1-N scoring of ``B`` queries is one ``[B, d] x [d, E]`` product, ``O(B E d)`` time and
``O(B E + E d)`` memory; ``K`` tails per query cost ``O(B K d)``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from embedlab.kg.models._common import SeparableModel
from embedlab.kg.models.base import generator, uniform_parameter

__all__ = ["DistMult"]


class DistMult(SeparableModel):
    """DistMult, ``<e_h, w_r, e_t>`` (see the module docstring).

    Parameters
    ----------
    n_entities, n_relations, embedding_dim, random_state
        See :class:`embedlab.kg.models.base.KGModel`.
    """

    name: ClassVar[str] = "distmult"
    parts: ClassVar[int] = 1
    training_defaults: ClassVar[dict[str, Any]] = {
        "protocol": "1-n",
        "loss": "softplus",
        "lr": 0.003,
        "batch_size": 128,
        "decay_rate": 0.97,
    }

    def __init__(
        self, *, n_entities: int, n_relations: int, embedding_dim: int, random_state: int = 0
    ) -> None:
        super().__init__(
            n_entities=n_entities,
            n_relations=n_relations,
            embedding_dim=embedding_dim,
            random_state=random_state,
        )
        gen = generator(self.random_state)
        self.entity = uniform_parameter(self.n_entities, self.embedding_dim, 0.1, gen)
        self.relation = uniform_parameter(self.n_relations, self.embedding_dim, 0.1, gen)

    def query_features(self, heads: Any, relations: Any) -> tuple[Any, Any]:
        """Return ``phi = e_h * w_r`` (no constant terms)."""
        return None, self.entity[heads] * self.relation[relations]

    def tail_features(self, rows: Any) -> tuple[Any, Any]:
        """Return ``psi = e_t``."""
        return None, rows
