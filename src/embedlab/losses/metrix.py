r"""Metrix: mixup for deep metric learning, with interpolated pair labels.

Venkataramanan, Psomas, Kijak, Amsaleg, Karantzalos & Avrithis, "It Takes Two to Tango: Mixup for
Deep Metric Learning", ICLR 2022 (code: billpsomas/metrix). A metric-learning loss is a function of
the pairs of a batch, each with a binary label (positive: same class; negative: not); Metrix adds
*mixed* examples :math:`\tilde x = \lambda x_1 + (1 - \lambda) x_2`, one scalar
:math:`\lambda \sim \mathrm{Beta}(2, 2)` per batch (the reference's ``alpha = 2.0``), each paired
with a clean anchor :math:`a` under the interpolated label :math:`\lambda` (how "positive" the pair
is). The mixed pairs, as the reference builds them (``mixup/utils.py``):

* positive-negative: for each anchor with a positive in the batch, its first positive
  :math:`p(a)` (lowest index) mixed with each of its negatives :math:`n`: :math:`x_1 = x_{p(a)}`,
  :math:`x_2 = x_n`;
* anchor-negative: for each anchor *without* a positive in the batch, the anchor itself mixed
  with each of its negatives: :math:`x_1 = x_a`, :math:`x_2 = x_n`.

(The reference draws one of the two kinds per iteration with a coin; here every anchor gets the
kind that applies to it in every batch, so no step is left without mixed pairs.) The loss is
:math:`L = L_\text{clean} + w\, L_\text{mix}` with :math:`w = 0.4` (the reference's weight), for
``loss``:

``"contrastive"`` (the reference's ``loss_posneg_mixup``), with Euclidean distance
:math:`d` of unit vectors, the clean loss pytorch-metric-learning's ``ContrastiveLoss(pos_margin=0,
neg_margin=0.5)`` and, over the mixed pairs :math:`i` with distances :math:`\tilde d_i`,

.. math:: L_\text{mix} = \operatorname{mean}^{+}_i \big[\lambda \tilde d_i\big]
          + \operatorname{mean}^{+}_i \big[(1 - \lambda)\,[0.5 - \tilde d_i]_+\big]

(:math:`\operatorname{mean}^{+}`: the mean over the non-zero terms, pml's ``AvgNonZeroReducer``).

``"multi-similarity"``, with cosine similarity :math:`S`, the clean loss pytorch-metric-learning's
``MultiSimilarityLoss(alpha=2, beta=50, base=0.5)`` on the pairs of its ``MultiSimilarityMiner(
epsilon=0.1)`` (the MS paper's values) and the paper's generalised form with the interpolated
labels weighting the positive and negative sums,

.. math:: L_\text{mix} = \frac{1}{|A|}\sum_{a \in A}
          \frac{1}{\alpha}\log\Big(1 + \sum_{i \in M(a)} \lambda\, e^{-\alpha (S_{a i} - b)}\Big)
          + \frac{1}{\beta}\log\Big(1 + \sum_{i \in M(a)} (1 - \lambda)\,
          e^{\beta (S_{a i} - b)}\Big)

over the anchors :math:`A` with mixed pairs :math:`M(a)`. (The reference's MS code indexes its
mixed masks with batch instead of pair indices, so its mixed negative term is always zero; the
equation above is the paper's, not that code.)

The mixing happens at one of three levels, ``level``:

* ``"embedding"``: the unit embeddings are mixed and re-normalised (the loss's ``forward``; works
  with any encoder);
* ``"feature"`` (the paper's best, "Metrix"): the hidden features entering the encoder's last
  layer (an ``nn.Sequential``) are mixed and passed through that layer;
* ``"input"``: the inputs are mixed and passed through the whole encoder.

The feature and input levels run through :meth:`MetrixLoss.batch_loss`, which
:func:`~embedlab.losses.train_encoder` calls. ``weight=0`` is the same loss without mixup (the
baseline of the claim).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.losses._torch import torch
from embedlab.losses.base import MetricLoss, _positive_float, check_batch

__all__ = ["LEVELS", "LOSSES_MIXED", "MetrixLoss", "mixing_pairs"]

#: where the examples are mixed
LEVELS = ("embedding", "feature", "input")
#: the base losses Metrix mixes into
LOSSES_MIXED = ("contrastive", "multi-similarity")


def mixing_pairs(labels: Any) -> tuple[Any, Any, Any]:
    """Return ``(anchor, first, second)`` index tensors of the batch's mixed pairs.

    Positive-negative pairs (an anchor's first positive with each of its negatives) for the
    anchors with a positive, anchor-negative pairs (the anchor with each of its negatives) for
    the others; the mixed example of pair ``i`` is ``lam * x[first[i]] + (1 - lam) * x[second[i]]``
    and is compared with ``x[anchor[i]]``.
    """
    if not isinstance(labels, torch.Tensor) or labels.ndim != 1 or labels.is_floating_point():
        raise InvalidInputError("'labels' must be a 1-D int tensor.")
    b = len(labels)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(b, dtype=torch.bool, device=labels.device)
    pos = same & ~eye
    has_pos = pos.any(dim=1)
    # the first positive of each anchor (argmax of a bool row is its first True), else itself
    own = torch.arange(b, device=labels.device)
    first_pos = torch.where(has_pos, pos.to(torch.int8).argmax(dim=1), own)
    anchor, second = torch.nonzero(~same, as_tuple=True)
    return anchor, first_pos[anchor], second


def _avg_nonzero(values: Any) -> Any:
    nz = values > 0
    if not bool(nz.any()):
        return values.sum() * 0.0
    return values.sum() / nz.sum()


class MetrixLoss(MetricLoss):
    r"""A contrastive or multi-similarity loss plus Metrix's mixed pairs (module docstring).

    Parameters
    ----------
    loss
        ``"contrastive"`` (margin 0.5 on the distance of negatives) or ``"multi-similarity"``.
    level
        ``"embedding"``, ``"feature"`` or ``"input"``: where the examples are mixed.
    weight
        :math:`w` of the mixed term (the reference's 0.4); ``0`` is the plain loss.
    mix_alpha
        :math:`\lambda \sim \mathrm{Beta}(a, a)` with :math:`a` = ``mix_alpha`` (the reference's 2).
    neg_margin
        The contrastive loss's margin on negatives (0.5).
    ms_alpha, ms_beta, ms_base, ms_epsilon
        The multi-similarity loss's :math:`\alpha`, :math:`\beta`, base :math:`b` and its miner's
        epsilon (2, 50, 0.5, 0.1).
    random_state
        Seed of the per-batch :math:`\lambda` (advanced once per call).
    """

    name: ClassVar[str] = "metrix"

    def __init__(
        self,
        *,
        loss: str = "contrastive",
        level: str = "embedding",
        weight: float = 0.4,
        mix_alpha: float = 2.0,
        neg_margin: float = 0.5,
        ms_alpha: float = 2.0,
        ms_beta: float = 50.0,
        ms_base: float = 0.5,
        ms_epsilon: float = 0.1,
        random_state: int = 0,
    ) -> None:
        super().__init__()
        if loss not in LOSSES_MIXED:
            raise InvalidInputError(f"'loss' must be one of {list(LOSSES_MIXED)}; got {loss!r}.")
        if level not in LEVELS:
            raise InvalidInputError(f"'level' must be one of {list(LEVELS)}; got {level!r}.")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight >= 0:
            raise InvalidInputError(f"'weight' must be a number >= 0; got {weight!r}.")
        self.loss = loss
        self.level = level
        self.weight = float(weight)
        self.mix_alpha = _positive_float("mix_alpha", mix_alpha)
        self.neg_margin = _positive_float("neg_margin", neg_margin)
        self.ms_alpha = _positive_float("ms_alpha", ms_alpha)
        self.ms_beta = _positive_float("ms_beta", ms_beta)
        self.ms_base = float(ms_base)
        self.ms_epsilon = _positive_float("ms_epsilon", ms_epsilon)
        self.random_state = int(random_state)
        self._calls = 0

    def next_lambda(self) -> float:
        """Draw the mixing coefficient of the next batch (advances the call counter)."""
        seq = np.random.SeedSequence([self.random_state, self._calls])
        self._calls += 1
        return float(np.random.default_rng(seq).beta(self.mix_alpha, self.mix_alpha))

    # ------------------------------------------------------------------ the two loss terms
    def clean_loss(self, embeddings: Any, labels: Any) -> Any:
        """Return the base loss (pytorch-metric-learning's) of the batch's pairs."""
        from pytorch_metric_learning import distances, losses, miners

        if self.loss == "contrastive":
            fn = losses.ContrastiveLoss(
                pos_margin=0.0, neg_margin=self.neg_margin, distance=distances.LpDistance()
            )
            return fn(embeddings, labels)
        sim = distances.CosineSimilarity()
        miner = miners.MultiSimilarityMiner(epsilon=self.ms_epsilon, distance=sim)
        fn = losses.MultiSimilarityLoss(
            alpha=self.ms_alpha, beta=self.ms_beta, base=self.ms_base, distance=sim
        )
        return fn(embeddings, labels, miner(embeddings, labels))

    def mixed_loss(self, anchors: Any, mixed: Any, anchor_index: Any, lam: float) -> Any:
        r"""``L_mix`` of unit ``anchors[i]`` against unit ``mixed[i]`` under label ``lam``.

        ``anchor_index[i]`` names pair ``i``'s anchor (the multi-similarity sums group by it).
        """
        if len(mixed) == 0:
            return anchors.sum() * 0.0
        if self.loss == "contrastive":
            d = torch.linalg.vector_norm(anchors - mixed, dim=1)
            pos = lam * d
            neg = (1.0 - lam) * torch.relu(self.neg_margin - d)
            return _avg_nonzero(pos) + _avg_nonzero(neg)
        s = (anchors * mixed).sum(dim=1)
        b = int(anchor_index.max()) + 1
        pos = torch.zeros(b, dtype=s.dtype, device=s.device).index_add(
            0, anchor_index, lam * torch.exp(-self.ms_alpha * (s - self.ms_base))
        )
        neg = torch.zeros(b, dtype=s.dtype, device=s.device).index_add(
            0, anchor_index, (1.0 - lam) * torch.exp(self.ms_beta * (s - self.ms_base))
        )
        used = torch.zeros(b, dtype=torch.bool, device=s.device)
        used[anchor_index] = True
        per_anchor = torch.log1p(pos) / self.ms_alpha + torch.log1p(neg) / self.ms_beta
        return per_anchor[used].mean()

    # ----------------------------------------------------------------------- the passes
    def forward(self, embeddings: Any, labels: Any, reference: Any = None) -> Any:
        """Return the loss with embedding-level mixing (whatever ``level`` says)."""
        check_batch(embeddings, labels)
        if reference is not None:
            raise InvalidInputError("MetrixLoss takes no 'reference' embeddings.")
        clean = self.clean_loss(embeddings, labels)
        if self.weight == 0:
            return clean
        z = torch.nn.functional.normalize(embeddings, dim=1)
        a, first, second = mixing_pairs(labels)
        lam = self.next_lambda()
        mixed = torch.nn.functional.normalize(lam * z[first] + (1.0 - lam) * z[second], dim=1)
        return clean + self.weight * self.mixed_loss(z[a], mixed, a, lam)

    def batch_loss(self, encoder: Any, inputs: Any, labels: Any, *, reference: Any = None) -> Any:
        """Return the loss with mixing at ``level`` (input and feature levels run the encoder)."""
        if self.level == "embedding" or self.weight == 0:
            return self(encoder(inputs), labels, reference=reference)
        if reference is not None:
            raise InvalidInputError("MetrixLoss takes no 'reference' embeddings.")
        if self.level == "feature":
            if not isinstance(encoder, torch.nn.Sequential) or len(encoder) < 2:
                raise InvalidInputError(
                    "Feature-level Metrix needs an nn.Sequential encoder of >= 2 modules (the "
                    f"features are the input of its last module); got {type(encoder).__name__}."
                )
            body, head = encoder[:-1], encoder[-1]
        else:
            body, head = torch.nn.Identity(), encoder
        features = body(inputs)
        embeddings = head(features)
        check_batch(embeddings, labels)
        clean = self.clean_loss(embeddings, labels)
        a, first, second = mixing_pairs(labels)
        lam = self.next_lambda()
        mixed_in = lam * features[first] + (1.0 - lam) * features[second]
        mixed = torch.nn.functional.normalize(head(mixed_in), dim=1)
        z = torch.nn.functional.normalize(embeddings, dim=1)
        return clean + self.weight * self.mixed_loss(z[a], mixed, a, lam)
