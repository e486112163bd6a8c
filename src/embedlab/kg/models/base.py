"""The contract of every knowledge-graph model: score a query ``(h, r, ?)`` against all entities.

A model is a :class:`torch.nn.Module` built from keyword-only parameters::

    Model(n_entities=E, n_relations=R2, embedding_dim=d, random_state=seed, **hyper)

``n_relations`` is the number of relation *ids* the model embeds. The trainer
(:mod:`embedlab.kg.training`) always uses reciprocal relations (Lacroix et al., 2018; the NFE
reference ``datasets.py``): relation ``r`` of a TripleSet with ``R`` relations gets the inverse id
``r + R``, a triple ``(h, r, t)`` is also trained as ``(t, r + R, h)``, and head prediction
``(?, r, t)`` is tail prediction ``(t, r + R, ?)``. So a model only ever scores tails and is
built with ``n_relations = 2 R``.

Two scoring methods, which must agree (the contract check in :mod:`embedlab.testing` asserts
``score(h, r, t) == score_all(h, r)[arange(B), t]``):

* ``score_all(heads [B], relations [B]) -> [B, E]`` (1-N scoring: one matrix product per batch
  where the model allows it) — training with the 1-N protocol and every evaluation use it;
* ``score(heads [B], relations [B], tails [B] or [B, K]) -> [B] or [B, K]`` (point-wise; the
  negative-sampling protocol uses it). The default gathers from ``score_all``; models override it
  with a direct formula when that is cheaper.

Higher scores mean more plausible. ``entity_embeddings()`` / ``relation_embeddings()`` return the
float32 NumPy rows a user exports (every part of a row concatenated, for example ``[mu, sigma]``
for NFE), in id order. Class attributes: ``name`` (the registry key), ``training_defaults`` (the
protocol, loss and hyper-parameters the trainer uses unless told otherwise; see
:data:`TRAINING_KEYS`), ``parts`` (how many ``embedding_dim``-sized parts an entity row has).

A model that needs inputs derived from the data (text views of the entity names, for the
hypercomplex multi-view models) declares them by overriding :meth:`KGModel.inputs_from`, which
returns extra constructor keyword arguments computed from the TripleSet.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.kg._torch import torch

__all__ = ["TRAINING_KEYS", "KGModel", "generator", "uniform_parameter"]

#: the keys a model's ``training_defaults`` may set (the trainer's defaults for that model)
TRAINING_KEYS = frozenset(
    {
        "protocol",  # "1-n" (score every entity, softplus/bce over all) or "negative-sampling"
        "loss",  # 1-n: "softplus" | "bce"; negative-sampling: "margin" | "logistic" | "pooled"
        "optimizer",  # "adam" | "adagrad"
        "lr",
        "batch_size",
        "decay_rate",  # ExponentialLR gamma per epoch (1.0 = none)
        "negatives",  # negatives per positive (negative sampling)
        "margin",  # margin of the margin-ranking loss
        "adversarial_temperature",  # self-adversarial weights (RotatE); 0 = uniform
        "weight_decay",
        "label_smoothing",
    }
)


def generator(seed: int) -> Any:
    """Return a ``torch.Generator`` seeded with ``seed`` (never the global RNG)."""
    g = torch.Generator()
    g.manual_seed(int(seed) % (2**63))
    return g


def uniform_parameter(rows: int, cols: int, bound: float, gen: Any) -> Any:
    """Draw a float32 ``[rows, cols]`` parameter from ``U(-bound, bound)`` with ``gen``."""
    w = torch.empty(rows, cols, dtype=torch.float32)
    w.uniform_(-bound, bound, generator=gen)
    return torch.nn.Parameter(w)


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise InvalidInputError(f"'{name}' must be an int >= 1; got {value!r}.")
    return int(value)


class KGModel(torch.nn.Module, ABC):
    """Base class: stores the sizes and the seed; subclasses build parameters and ``score_all``.

    Parameters
    ----------
    n_entities : int
        Entities ``E`` (the rows scored by :meth:`score_all`).
    n_relations : int
        Relation ids embedded (``2 R`` with reciprocal relations).
    embedding_dim : int
        ``d``, the size of each part of a row (NFE-1: an entity row is ``[mu, sigma]``, 2 d).
    random_state : int
        Seed of the initialisation (a ``torch.Generator``; the global RNG is never touched).
    """

    name: ClassVar[str] = ""
    parts: ClassVar[int] = 1
    training_defaults: ClassVar[dict[str, Any]] = {"protocol": "1-n", "loss": "softplus"}

    def __init__(
        self, *, n_entities: int, n_relations: int, embedding_dim: int, random_state: int = 0
    ) -> None:
        super().__init__()
        self.n_entities = _positive_int("n_entities", n_entities)
        self.n_relations = _positive_int("n_relations", n_relations)
        self.embedding_dim = _positive_int("embedding_dim", embedding_dim)
        if isinstance(random_state, bool) or not isinstance(random_state, int | np.integer):
            raise InvalidInputError(
                f"'random_state' of a KG model must be an int seed; got {random_state!r}."
            )
        self.random_state = int(random_state)

    @classmethod
    def inputs_from(cls, triples: Any, **options: Any) -> dict[str, Any]:
        """Compute extra constructor arguments from a TripleSet (none by default).

        A model without data-derived inputs takes no options: passing some is an error rather
        than silently ignored.
        """
        if options:
            raise InvalidInputError(
                f"{cls.__name__} takes no model inputs; got {sorted(options)} (only the "
                "multi-view models take text options such as 'encode')."
            )
        return {}

    @abstractmethod
    def score_all(self, heads: Any, relations: Any) -> Any:
        """Scores ``[B, E]`` of ``(heads[i], relations[i], e)`` for every entity ``e``."""

    def score(self, heads: Any, relations: Any, tails: Any) -> Any:
        """Scores of ``(heads[i], relations[i], tails[i])`` (``tails`` ``[B]`` or ``[B, K]``)."""
        full = self.score_all(heads, relations)
        if tails.dim() == 1:
            return full.gather(1, tails[:, None])[:, 0]
        return full.gather(1, tails)

    def forward(self, heads: Any, relations: Any) -> Any:
        """Alias of :meth:`score_all`."""
        return self.score_all(heads, relations)

    def regularization(self) -> Any:
        """Return a penalty added to the loss (0 unless the model defines one)."""
        return torch.zeros((), dtype=torch.float32)

    @abstractmethod
    def entity_embeddings(self) -> np.ndarray:
        """Entity rows, float32 ``[E, parts * d]`` (every part concatenated), in id order."""

    @abstractmethod
    def relation_embeddings(self) -> np.ndarray:
        """Relation rows, float32 ``[n_relations, k]``, in id order."""
