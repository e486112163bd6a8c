r"""FaceNet's triplet loss with online semi-hard mining, and harmonic embeddings.

Schroff, Kalenichenko & Philbin, "FaceNet: A Unified Embedding for Face Recognition and
Clustering", CVPR 2015. Embeddings live on the unit hypersphere, :math:`f(x) = g(x) / \|g(x)\|`,
and distances are squared Euclidean, :math:`D_{ij} = \|f(x_i) - f(x_j)\|^2` (pytorch-metric-
learning's ``LpDistance(power=2)``). For every anchor-positive pair :math:`(a, p)` of the batch
(same label, :math:`a \ne p`: *all* pairs, as the paper) one negative :math:`n` is chosen and

.. math:: L = \frac{1}{|P|} \sum_{(a, p) \in P} \big[D_{ap} - D_{an} + \alpha\big]_+ ,

with margin :math:`\alpha = 0.2` (the paper's). The negative of a pair, by ``mining``:

* ``"semihard"`` (Sec. 3.2): the closest negative still farther than the positive,
  :math:`n = \arg\min \{D_{an} : D_{an} > D_{ap}\}`: the hardest of the semi-hard negatives
  (those with :math:`D_{ap} < D_{an} < D_{ap} + \alpha` give a loss; if the closest one lies
  beyond the margin, every semi-hard one would give zero). When no negative is farther than the
  positive, the farthest negative is used (the rule of TensorFlow's ``triplet_semihard_loss``,
  which the paper leaves open);
* ``"hardest"``: :math:`\arg\min_n D_{an}` (the paper warns it collapses early in training);
* ``"random"``: a uniformly random negative per pair (the baseline of the paper's mining).

The mining reads detached distances; ties go to the lowest batch index. The loss itself is
pytorch-metric-learning's ``TripletMarginLoss`` on the mined ``(a, p, n)`` triplets with a plain
mean (``MeanReducer``), i.e. the equation above. Cost: ``O(B^2 d)`` for the distances and
``O(|P| B)`` for the mining, with :math:`|P| \le B^2`.

**Harmonic embeddings** (Sec. 7, Fig. 9): a new model v2 is trained so that its embeddings can be
compared with those of a frozen v1. :class:`HarmonicTripletLoss` takes v1's embeddings of the
same batch as ``reference``, mines the triplets above over the joint set of the ``2B`` v1 and v2
embeddings (so a triplet may mix versions, and a sample's v1 and v2 embeddings are a positive
pair), and never forms a triplet of v1 embeddings only (it would carry no gradient): a pair of
two v1 rows takes its negative among the v2 rows.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.losses._torch import generator, torch
from embedlab.losses.base import MetricLoss, _positive_float, check_batch

__all__ = ["MINING", "HarmonicTripletLoss", "TripletLoss", "mine_triplets", "squared_distances"]

#: the negative-selection rules of :func:`mine_triplets`
MINING = ("semihard", "hardest", "random")


def squared_distances(embeddings: Any) -> Any:
    """Return the ``[B, B]`` squared Euclidean distances of the L2-normalised rows.

    pytorch-metric-learning's ``LpDistance(normalize_embeddings=True, p=2, power=2)``.
    """
    from pytorch_metric_learning.distances import LpDistance

    return LpDistance(normalize_embeddings=True, p=2, power=2)(embeddings)


def mine_triplets(
    distances: Any,
    labels: Any,
    *,
    mining: str = "semihard",
    seed: int = 0,
    frozen: Any = None,
) -> tuple[Any, Any, Any]:
    """Return ``(anchors, positives, negatives)`` index tensors, one triplet per positive pair.

    ``distances`` is ``[B, B]`` (read detached), ``labels`` ``[B]``; the rule is the module's
    ``mining``. Pairs whose anchor has no negative in the batch are left out. ``frozen`` ``[B]``
    bool, when given, marks rows that carry no gradient: no triplet is made of frozen rows only
    (a pair of two frozen rows takes its negative among the others).
    """
    if mining not in MINING:
        raise InvalidInputError(f"'mining' must be one of {list(MINING)}; got {mining!r}.")
    b = len(labels) if isinstance(labels, torch.Tensor) and labels.ndim == 1 else -1
    if b < 0 or labels.is_floating_point():
        raise InvalidInputError("'labels' must be a 1-D int tensor.")
    if not isinstance(distances, torch.Tensor) or tuple(distances.shape) != (b, b):
        shape = tuple(distances.shape) if isinstance(distances, torch.Tensor) else type(distances)
        raise InvalidInputError(f"'distances' must be a [{b}, {b}] tensor; got {shape}.")
    if frozen is not None and (
        not isinstance(frozen, torch.Tensor) or frozen.dtype != torch.bool or frozen.shape != (b,)
    ):
        raise InvalidInputError(f"'frozen' must be a bool tensor of shape ({b},).")
    d = distances.detach()
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool, device=d.device)
    a, p = torch.nonzero(same & ~eye, as_tuple=True)
    neg = ~same[a]  # [P, B]: the negatives of each pair's anchor
    if frozen is not None:
        both_frozen = (frozen[a] & frozen[p])[:, None]
        neg = neg & (~both_frozen | ~frozen[None, :])
    keep = neg.any(dim=1)
    a, p, neg = a[keep], p[keep], neg[keep]
    if len(a) == 0:
        empty = torch.empty(0, dtype=torch.long, device=d.device)
        return empty, empty, empty
    d_an = d[a]  # [P, B]
    d_ap = d[a, p][:, None]
    inf = torch.tensor(float("inf"), dtype=d.dtype, device=d.device)
    if mining == "hardest":
        n = torch.where(neg, d_an, inf).argmin(dim=1)
    elif mining == "semihard":
        outside = neg & (d_an > d_ap)
        closest_outside = torch.where(outside, d_an, inf).argmin(dim=1)
        farthest_inside = torch.where(neg, d_an, -inf).argmax(dim=1)
        n = torch.where(outside.any(dim=1), closest_outside, farthest_inside)
    else:
        # a uniform draw among each pair's negatives: the first of a random ordering
        u = torch.rand(neg.shape, generator=generator(seed), dtype=torch.float64)
        n = torch.where(neg, u.to(d.device), torch.tensor(2.0, dtype=torch.float64)).argmin(dim=1)
    return a, p, n


def _call_seed(random_state: int, calls: int) -> int:
    """Return the seed of a loss's ``calls``-th batch (distinct streams per ``random_state``)."""
    return int(np.random.SeedSequence([random_state, calls]).generate_state(1)[0])


def _triplet_loss(embeddings: Any, triplets: tuple[Any, Any, Any], margin: float) -> Any:
    from pytorch_metric_learning.distances import LpDistance
    from pytorch_metric_learning.losses import TripletMarginLoss
    from pytorch_metric_learning.reducers import MeanReducer

    if len(triplets[0]) == 0:
        return embeddings.sum() * 0.0
    loss = TripletMarginLoss(
        margin=margin,
        distance=LpDistance(normalize_embeddings=True, p=2, power=2),
        reducer=MeanReducer(),
    )
    return loss(embeddings, None, indices_tuple=triplets)


class TripletLoss(MetricLoss):
    r"""FaceNet's triplet loss on the unit hypersphere with online mining (module docstring).

    Parameters
    ----------
    margin
        :math:`\alpha` (the paper's 0.2).
    mining
        ``"semihard"`` (the paper's), ``"hardest"`` or ``"random"``.
    random_state
        Seed of the ``"random"`` negatives; advanced once per call, so a training run is
        reproducible and its batches draw different negatives.
    """

    name: ClassVar[str] = "facenet-triplet"

    def __init__(
        self, *, margin: float = 0.2, mining: str = "semihard", random_state: int = 0
    ) -> None:
        super().__init__()
        self.margin = _positive_float("margin", margin)
        if mining not in MINING:
            raise InvalidInputError(f"'mining' must be one of {list(MINING)}; got {mining!r}.")
        self.mining = mining
        self.random_state = int(random_state)
        self._calls = 0

    def triplets(self, embeddings: Any, labels: Any) -> tuple[Any, Any, Any]:
        """Return the mined ``(a, p, n)`` of the batch (the next call's, for ``"random"``)."""
        return mine_triplets(
            squared_distances(embeddings.detach()),
            labels,
            mining=self.mining,
            seed=_call_seed(self.random_state, self._calls),
        )

    def forward(self, embeddings: Any, labels: Any, reference: Any = None) -> Any:
        """Return the mean hinge over the mined triplets of the batch."""
        check_batch(embeddings, labels)
        if reference is not None:
            raise InvalidInputError(f"{type(self).__name__} takes no 'reference' embeddings.")
        t = self.triplets(embeddings, labels)
        self._calls += 1
        return _triplet_loss(embeddings, t, self.margin)


class HarmonicTripletLoss(TripletLoss):
    """FaceNet's harmonic triplet loss: train v2 to be comparable with a frozen v1.

    Called as ``loss(v2_embeddings, labels, reference=v1_embeddings)`` on the same batch; the
    triplets are mined over the joint ``2B`` set, never of v1 rows only (module docstring).
    """

    name: ClassVar[str] = "facenet-harmonic"
    needs_reference: ClassVar[bool] = True

    def forward(self, embeddings: Any, labels: Any, reference: Any = None) -> Any:
        """Return the mean hinge over the mined mixed-version triplets."""
        if reference is None:
            raise InvalidInputError(
                "HarmonicTripletLoss needs 'reference': the frozen model's embeddings of the "
                "same batch."
            )
        check_batch(embeddings, labels, reference)
        b = len(embeddings)
        joint = torch.cat([embeddings, reference.detach().to(embeddings.dtype)])
        joint_labels = torch.cat([labels, labels])
        old = torch.arange(2 * b, device=embeddings.device) >= b
        t = mine_triplets(
            squared_distances(joint.detach()),
            joint_labels,
            mining=self.mining,
            seed=_call_seed(self.random_state, self._calls),
            frozen=old,
        )
        self._calls += 1
        return _triplet_loss(joint, t, self.margin)
