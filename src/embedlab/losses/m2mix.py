r"""m²-Mix: geodesic multi-modal mixup, mixed image-text embeddings as hard negatives.

So, Oh et al., "Geodesic Multi-Modal Mixup for Robust Fine-Tuning", NeurIPS 2023
(code: changdaeoh/multimodal-mixup, ``main.py`` ``sph_inter`` and ``do_train``, ``loss.py``). A
CLIP-style two-tower model embeds paired views :math:`(a_i, b_i)` (an image and its caption) on
the unit sphere and is trained with the symmetric contrastive loss

.. math:: L_\text{CLIP} = \tfrac12\big[\mathrm{CE}(A B^\top / \tau, I)
          + \mathrm{CE}(B A^\top / \tau, I)\big] ,

:math:`\tau` = ``tau``. The reference fixes :math:`\tau = 0.01` because it fine-tunes CLIP, whose
learned logit scale is 100; towers trained from scratch at 0.01 do not learn the contract's
planted classes (Recall@1 0.39 against 0.95 at 0.1), so the default here is 0.1, and the
reproduction passes the reference's 0.01. Such models leave the two modalities in separate
cones of the sphere (poor uniformity and alignment); m²-Mix adds, as hard negatives, points on the
geodesic between the paired embeddings,

.. math:: m_\lambda(a, b) = \frac{\sin(\lambda\theta)}{\sin\theta}\, a
          + \frac{\sin((1 - \lambda)\theta)}{\sin\theta}\, b , \qquad \theta = \arccos(a^\top b) ,

(the reference's ``sph_inter(a, b, lam)``: :math:`\lambda = 1` gives :math:`a`), one
:math:`\lambda \sim \mathrm{Beta}(\beta, \beta)` per batch (``beta`` 0.5, the reference's
``scripts/m2mix.sh``). With :math:`m_j = m_\lambda(a_j, b_j)`, the logits of anchor :math:`a_i` keep
the positive :math:`a_i^\top b_i` on the diagonal and take :math:`a_i^\top m_j` off it (likewise
for :math:`b_i`), all divided by :math:`\tau_m = 0.07` (``--sep_scale``), and

.. math:: L = L_\text{CLIP} + \frac{w}{e + 1}\big[\mathrm{CE}(\tilde L_a, I) + \mathrm{CE}(\tilde
          L_b, I)\big]

(the reference's ``clip_loss2`` sums the two directions), :math:`w` = ``weight`` (the reference
sweeps 0.001-0.05; default 0.01) decayed as :math:`1/(e + 1)` in epoch :math:`e` (``--schedule``;
:meth:`start_epoch` tracks it). :math:`\cos\theta` is clipped to :math:`[-1 + 10^{-6},
1 - 10^{-6}]` (the reference has no guard, and its ``acos`` gives NaN at 1).

The contract: embeddings are ``[B, 2 d]``, the two views side by side (a
:class:`~embedlab.losses.training.TwoTower` encoder makes them); row ``i`` of both halves is pair
``i``. Labels are not used by the loss (every pair is its own class, as in CLIP). Uniformity and
alignment (Wang & Isola) are :func:`embedlab.eval.metrics.uniformity` (over both views' embeddings
together) and :func:`~embedlab.eval.metrics.alignment` (of the pairs).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.losses._torch import torch
from embedlab.losses.base import MetricLoss, _positive_float, check_batch

__all__ = ["M2MixLoss", "geodesic_mix"]

_EPS = 1e-6


def geodesic_mix(a: Any, b: Any, lam: float) -> Any:
    r"""Return :math:`m_\lambda(a_i, b_i)` row by row for unit ``a``, ``b`` ``[B, d]``.

    ``lam`` 1 gives ``a``, 0 gives ``b``; the result is a unit vector on the shorter arc.
    """
    cos = (a * b).sum(dim=1, keepdim=True).clamp(-1 + _EPS, 1 - _EPS)
    theta = torch.acos(cos)
    s = torch.sin(theta)
    return torch.sin(lam * theta) / s * a + torch.sin((1 - lam) * theta) / s * b


class M2MixLoss(MetricLoss):
    r"""CLIP's contrastive loss plus geodesic-mixup hard negatives (module docstring).

    Parameters
    ----------
    tau
        Temperature of the contrastive loss (0.1; the reference's 0.01, see the module docstring).
    tau_mix
        Temperature of the mixed-negative logits (0.07).
    weight
        :math:`w` of the mixed term (0.01); ``0`` is CLIP's loss alone.
    beta
        :math:`\lambda \sim \mathrm{Beta}(\beta, \beta)` (0.5).
    schedule
        Decay the mixed term as :math:`1 / (e + 1)` with the epoch :math:`e` (the reference's).
    random_state
        Seed of the per-batch :math:`\lambda` (advanced once per call).
    """

    name: ClassVar[str] = "m2mix"
    #: the embeddings are two views side by side, ``[B, 2 d]``
    views: ClassVar[int] = 2

    def __init__(
        self,
        *,
        tau: float = 0.1,
        tau_mix: float = 0.07,
        weight: float = 0.01,
        beta: float = 0.5,
        schedule: bool = True,
        random_state: int = 0,
    ) -> None:
        super().__init__()
        self.tau = _positive_float("tau", tau)
        self.tau_mix = _positive_float("tau_mix", tau_mix)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight >= 0:
            raise InvalidInputError(f"'weight' must be a number >= 0; got {weight!r}.")
        self.weight = float(weight)
        self.beta = _positive_float("beta", beta)
        self.schedule = bool(schedule)
        self.random_state = int(random_state)
        self.epoch = 0
        self._calls = 0

    def start_epoch(
        self, encoder: Any, inputs: Any, labels: Any, *, epoch: int, history: list[float]
    ) -> None:
        """Record the epoch, for the :math:`1 / (e + 1)` decay of the mixed term."""
        self.epoch = int(epoch)

    def next_lambda(self) -> float:
        """Draw the mixing coefficient of the next batch (advances the call counter)."""
        seq = np.random.SeedSequence([self.random_state, self._calls])
        self._calls += 1
        return float(np.random.default_rng(seq).beta(self.beta, self.beta))

    def split(self, embeddings: Any) -> tuple[Any, Any]:
        """Return the two views' unit embeddings ``[B, d]`` each."""
        d2 = embeddings.shape[1]
        if d2 % 2:
            raise InvalidInputError(
                f"M2MixLoss needs the two views side by side, [B, 2 d]; got {d2} columns (odd)."
            )
        a, b = embeddings[:, : d2 // 2], embeddings[:, d2 // 2 :]
        return (torch.nn.functional.normalize(a, dim=1), torch.nn.functional.normalize(b, dim=1))

    def forward(self, embeddings: Any, labels: Any, reference: Any = None) -> Any:
        """Return the loss of a batch of ``[a | b]`` pairs."""
        check_batch(embeddings, labels)
        if reference is not None:
            raise InvalidInputError("M2MixLoss takes no 'reference' embeddings.")
        a, b = self.split(embeddings)
        ce = torch.nn.functional.cross_entropy
        target = torch.arange(len(a), device=a.device)
        logits = a @ b.T
        loss = (ce(logits / self.tau, target) + ce(logits.T / self.tau, target)) / 2
        if self.weight == 0:
            return loss
        lam = self.next_lambda()
        m = geodesic_mix(a, b, lam)
        eye = torch.eye(len(a), dtype=torch.bool, device=a.device)
        diag = (a * b).sum(dim=1)
        la = torch.where(eye, diag[:, None], a @ m.T) / self.tau_mix
        lb = torch.where(eye, diag[:, None], b @ m.T) / self.tau_mix
        decay = 1.0 / (self.epoch + 1) if self.schedule else 1.0
        return loss + self.weight * decay * (ce(la, target) + ce(lb, target))
