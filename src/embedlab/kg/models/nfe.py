r"""NFE: knowledge-graph embedding by normalizing flows (NFE-1, NFE-2, NFE-3 and two ablations).

Xiao, He and Cao, "Knowledge Graph Embedding by Normalizing Flows", AAAI 2023 (reference code
changyi7231/NFE, ``model.py``). An entity is a random variable ``X_e`` with mean ``mu_e`` and
scale ``sigma_e`` (vectors of size ``d``); a relation is the invertible affine flow
``g_r(x) = r_sigma * x + r_mu`` (element-wise). The query ``(h, r, ?)`` pushes ``X_h`` through
the flow, giving mean and scale

.. math:: \mu_1 = r_\sigma \odot \mu_h + r_\mu, \qquad \sigma_1 = |r_\sigma \odot \sigma_h|,

and a tail ``t`` is scored by ``gamma - D(g_r(X_h), X_t)`` for a distance ``D`` between the two
random variables (``gamma`` a constant shift, 0 by default as in the reference):

* **NFE-1** (:class:`NFE1`): Gaussians and the squared 2-Wasserstein distance of diagonal
  Gaussians, ``D = ||mu_1 - mu_t||^2 + ||sigma_1 - |sigma_t| ||^2``.
* **NFE-2** (:class:`NFE2`): two scale vectors per entity (rows ``[mu, sigma1, sigma2]``),
  ``s_1 = |r_sigma * sigma1_h|``, ``s_2 = |r_sigma * sigma2_h|``, ``s_3 = |sigma1_t|``,
  ``s_4 = |sigma2_t|`` and, with ``c = sqrt(2 / pi)`` (the mean of a half-normal ``|Z|``),

  .. math:: D = \|\mu_1 - \mu_t\|^2 + \tfrac12 \|s_1 - s_3\|^2 + \tfrac12 \|s_2 - s_4\|^2
            + c \, \langle \mu_1 - \mu_t, (s_2 - s_1) + (s_3 - s_4) \rangle

  (the reference's ``NFE-2`` expression, regrouped: its four ``constant *`` cross terms are the
  last inner product).
* **NFE-3** (:class:`NFE3`): Gaussians with softplus scales, ``s_1 = softplus(r_sigma) *
  softplus(sigma_h)``, ``s_t = softplus(sigma_t)``, and the KL divergence

  .. math:: D = \mathrm{KL}(N(\mu_1, s_1^2) \,\|\, N(\mu_t, s_t^2))
            = \sum_i \log\frac{s_{t,i}}{s_{1,i}} + \frac{s_{1,i}^2 + (\mu_{1,i} - \mu_{t,i})^2}
              {2 s_{t,i}^2} - \frac12 .
* **without uncertainty** (:class:`NFEWithoutUncertainty`, the reference's
  ``NFE-w/o-uncertainty``): entities are points, ``D = ||r_sigma * mu_h + r_mu - mu_t||^2``.
* **sigma only** (:class:`NFESigma`, the reference's ``NFE-sigma``):
  ``D = || |r_sigma * sigma_h| - |sigma_t| ||^2``.

The ablations keep only the parts their distance reads (entity rows ``[mu]`` or ``[sigma]``,
relation rows ``[mu, sigma]`` or ``[sigma]``); the reference allocates ``2 d`` per row and leaves
the unread half at its initial value, which changes no score.

Initialisation ``U(-0.1, 0.1)`` for every parameter (entities drawn first, then relations, from
one ``torch.Generator`` seeded with ``random_state``). Row layouts: entities ``[mu, sigma]``
(NFE-2: ``[mu, sigma1, sigma2]``), relations ``[r_mu, r_sigma]``.

Cost. Every ``D`` above is separable, ``a(q) + b(t) + <phi(q), psi(t)>`` (the reference expands
``||x - y||^2 = |x|^2 - 2 <x, y> + |y|^2`` the same way), so 1-N scoring of ``B`` queries is one
matrix product per part: ``O(B E k d)`` time, ``k = 2`` (NFE-1, NFE-3), 4 (NFE-2), 1 (ablations),
plus ``O(E k d)`` for the tail features, and ``O(B E + E k d)`` memory — never a ``[B, E, d]``
tensor. Point-wise scoring of ``K`` tails per query is ``O(B K k d)``.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from embedlab.kg._torch import torch
from embedlab.kg.models._common import SeparableModel, check_real
from embedlab.kg.models.base import generator, uniform_parameter

__all__ = ["NFE1", "NFE2", "NFE3", "NFESigma", "NFEWithoutUncertainty"]

_F = torch.nn.functional

#: the weight of NFE-2's cross terms, E|Z| = sqrt(2 / pi) for a standard normal Z
HALF_NORMAL_MEAN = math.sqrt(2.0 / math.pi)

#: NFE's training defaults (the reference's protocol: 1-N scoring, summed softplus loss, Adam with
#: exponential decay). The reference publishes settings for d = 1024 on WN18RR / FB15k-237 /
#: YAGO3-10 only; these were chosen on Kinships' validation MRR at d = 64 over lr in
#: {0.003, 0.005, 0.01}, batch in {64, 128, 256}, decay in {0.95, 0.97, 0.98}, gamma in {0, 1, 2, 4}
#: (NFE-1 takes batches of 64, see :class:`NFE1`).
NFE_TRAINING: dict[str, Any] = {
    "protocol": "1-n",
    "loss": "softplus",
    "lr": 0.005,
    "batch_size": 128,
    "decay_rate": 0.97,
}


def _sq(x: Any) -> Any:
    return (x * x).sum(-1)


class _NFE(SeparableModel):
    """Shared constructor of the NFE models.

    Parameters
    ----------
    n_entities, n_relations, embedding_dim, random_state
        See :class:`embedlab.kg.models.base.KGModel` (``embedding_dim`` is ``d`` per part).
    gamma : float, default 0.0
        The constant the distance is subtracted from (the reference's ``--gamma``; any finite
        real).
    """

    parts: ClassVar[int] = 2
    #: parts of a relation row
    relation_parts: ClassVar[int] = 2
    training_defaults: ClassVar[dict[str, Any]] = NFE_TRAINING

    def __init__(
        self,
        *,
        n_entities: int,
        n_relations: int,
        embedding_dim: int,
        random_state: int = 0,
        gamma: float = 0.0,
    ) -> None:
        super().__init__(
            n_entities=n_entities,
            n_relations=n_relations,
            embedding_dim=embedding_dim,
            random_state=random_state,
        )
        self.gamma = check_real(type(self).__name__, "gamma", gamma)
        gen = generator(self.random_state)
        d = self.embedding_dim
        self.entity = uniform_parameter(self.n_entities, self.parts * d, 0.1, gen)
        self.relation = uniform_parameter(self.n_relations, self.relation_parts * d, 0.1, gen)

    def _flow(self, heads: Any, relations: Any) -> tuple[Any, Any, Any]:
        """Head rows split in parts, and the relation's ``(r_mu, r_sigma)``."""
        h = self.entity[heads].chunk(self.parts, dim=-1)
        r_mu, r_sigma = self.relation[relations].chunk(2, dim=-1)
        return h, r_mu, r_sigma


class NFE1(_NFE):
    """NFE-1: Gaussian entities, squared 2-Wasserstein distance (see the module docstring)."""

    name: ClassVar[str] = "nfe-1"
    training_defaults: ClassVar[dict[str, Any]] = {**NFE_TRAINING, "batch_size": 64}

    def query_features(self, heads: Any, relations: Any) -> tuple[Any, Any]:
        """Return ``a = gamma - |mu_1|^2 - |sigma_1|^2``, ``phi = [2 mu_1, 2 sigma_1]``."""
        (h_mu, h_sigma), r_mu, r_sigma = self._flow(heads, relations)
        mu1 = r_sigma * h_mu + r_mu
        sigma1 = (r_sigma * h_sigma).abs()
        return self.gamma - _sq(mu1) - _sq(sigma1), torch.cat([2 * mu1, 2 * sigma1], dim=-1)

    def tail_features(self, rows: Any) -> tuple[Any, Any]:
        """Return ``b = -|mu_t|^2 - |sigma_t|^2``, ``psi = [mu_t, |sigma_t|]``."""
        mu2, sigma2 = rows.chunk(2, dim=-1)
        sigma2 = sigma2.abs()
        return -_sq(mu2) - _sq(sigma2), torch.cat([mu2, sigma2], dim=-1)


class NFE2(_NFE):
    """NFE-2: two scales per entity, cross terms weighted by ``sqrt(2/pi)`` (module docstring)."""

    name: ClassVar[str] = "nfe-2"
    parts: ClassVar[int] = 3

    def query_features(self, heads: Any, relations: Any) -> tuple[Any, Any]:
        """Return ``a = gamma - a_D`` and ``phi = [2 mu_1 + c u, s_1, s_2, -c mu_1]``.

        ``a_D = |mu_1|^2 + (|s_1|^2 + |s_2|^2) / 2 + c <mu_1, u>`` with ``u = s_2 - s_1``.
        """
        (h_mu, h_s1, h_s2), r_mu, r_sigma = self._flow(heads, relations)
        mu1 = r_sigma * h_mu + r_mu
        s1 = (r_sigma * h_s1).abs()
        s2 = (r_sigma * h_s2).abs()
        u = s2 - s1
        c = HALF_NORMAL_MEAN
        a = self.gamma - (_sq(mu1) + 0.5 * _sq(s1) + 0.5 * _sq(s2) + c * (mu1 * u).sum(-1))
        return a, torch.cat([2 * mu1 + c * u, s1, s2, -c * mu1], dim=-1)

    def tail_features(self, rows: Any) -> tuple[Any, Any]:
        """Return ``b = -(|mu_t|^2 + (|s_3|^2 + |s_4|^2) / 2 - c <mu_t, w>)``, ``psi``.

        ``psi = [mu_t, s_3, s_4, w]`` with ``w = s_3 - s_4``.
        """
        mu2, s3, s4 = rows.chunk(3, dim=-1)
        s3 = s3.abs()
        s4 = s4.abs()
        w = s3 - s4
        c = HALF_NORMAL_MEAN
        b = -(_sq(mu2) + 0.5 * _sq(s3) + 0.5 * _sq(s4) - c * (mu2 * w).sum(-1))
        return b, torch.cat([mu2, s3, s4, w], dim=-1)


class NFE3(_NFE):
    """NFE-3: Gaussian entities with softplus scales, KL divergence (see the module docstring)."""

    name: ClassVar[str] = "nfe-3"

    def query_features(self, heads: Any, relations: Any) -> tuple[Any, Any]:
        """Return ``a = gamma + sum log s_1 + d/2``, ``phi = -[s_1^2 + mu_1^2, mu_1]``."""
        (h_mu, h_sigma), r_mu, r_sigma = self._flow(heads, relations)
        mu1 = r_sigma * h_mu + r_mu
        s1 = _F.softplus(r_sigma) * _F.softplus(h_sigma)
        a = self.gamma + s1.log().sum(-1) + 0.5 * self.embedding_dim
        return a, -torch.cat([s1 * s1 + mu1 * mu1, mu1], dim=-1)

    def tail_features(self, rows: Any) -> tuple[Any, Any]:
        """Return ``b = -sum log s_t - |mu_t/s_t|^2/2``, ``psi = [1/(2 s_t^2), -mu_t/s_t^2]``."""
        mu2, sigma2 = rows.chunk(2, dim=-1)
        s2 = _F.softplus(sigma2)
        inv = 1.0 / (s2 * s2)
        b = -s2.log().sum(-1) - 0.5 * _sq(mu2 / s2)
        return b, torch.cat([0.5 * inv, -mu2 * inv], dim=-1)


class NFEWithoutUncertainty(_NFE):
    """NFE without uncertainty: point entities through the affine flow (module docstring)."""

    name: ClassVar[str] = "nfe-no-uncertainty"
    parts: ClassVar[int] = 1

    def query_features(self, heads: Any, relations: Any) -> tuple[Any, Any]:
        """Return ``a = gamma - |mu_1|^2``, ``phi = 2 mu_1``."""
        (h_mu,), r_mu, r_sigma = self._flow(heads, relations)
        mu1 = r_sigma * h_mu + r_mu
        return self.gamma - _sq(mu1), 2 * mu1

    def tail_features(self, rows: Any) -> tuple[Any, Any]:
        """Return ``b = -|mu_t|^2``, ``psi = mu_t``."""
        return -_sq(rows), rows


class NFESigma(_NFE):
    """NFE with scales only: ``D = || |r_sigma * sigma_h| - |sigma_t| ||^2`` (module docstring)."""

    name: ClassVar[str] = "nfe-sigma"
    parts: ClassVar[int] = 1
    relation_parts: ClassVar[int] = 1

    def query_features(self, heads: Any, relations: Any) -> tuple[Any, Any]:
        """Return ``a = gamma - |sigma_1|^2``, ``phi = 2 sigma_1``."""
        sigma1 = (self.relation[relations] * self.entity[heads]).abs()
        return self.gamma - _sq(sigma1), 2 * sigma1

    def tail_features(self, rows: Any) -> tuple[Any, Any]:
        """Return ``b = -|sigma_t|^2``, ``psi = |sigma_t|``."""
        sigma2 = rows.abs()
        return -_sq(sigma2), sigma2
