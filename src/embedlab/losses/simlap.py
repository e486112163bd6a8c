r"""SimLAP: contrastive learning with label-conditioned feature gates over any pair of classes.

"Rethinking positive pairs in contrastive learning" (SimLAP / Hydra; code: erow/FastSSL,
``model/simlap.py``). Supervised contrastive learning pulls together only same-class pairs and
collapses each class to a point; SimLAP lets *any* pair of classes :math:`(y_1, y_2)` be a
positive pair, and learns for it a feature gate, so that two classes need only agree on the
features they share:

.. math:: g(y_1, y_2) = \sigma\big(\mathrm{MLP}\big((E[y_1] + E[y_2]) / 2\big)\big) \in (0, 1)^d ,

with a label table :math:`E` and the reference's MLP ``ReLU -> BatchNorm -> Linear -> ReLU ->
BatchNorm -> Linear`` (512 -> 1024 -> d there; ``label_dim`` -> ``hidden`` -> d here). For a batch
of two views :math:`\hat z^{(1)}_i, \hat z^{(2)}_j` (L2-normalised), each anchor :math:`i` draws a
target class :math:`y'_i` (``pairing="arbitrary"``: the label of a random row of the batch, a seeded
permutation of the batch's labels, the reference's default; ``"distinct"``: a different class;
``"identical"``: its own, which is supervised contrastive learning with a gate), and the gated
logits, gate on the anchor side twice (the reference's ``contrast(z1 * gate * gate, k2)``), are

.. math:: l_{ij} = s \sum_k g_k(y_i, y'_i)^2\, \hat z^{(1)}_{ik}\, \hat z^{(2)}_{jk} ,

with a learned scale :math:`s = 1 / T` (initial temperature :math:`T = 0.1`). The positives of
:math:`i` are the columns of class :math:`y'_i`, :math:`P_i`, its negatives the columns of neither
:math:`y_i` nor :math:`y'_i`, :math:`N_i`, and (``multipos_ce_loss``)

.. math:: L = \frac{1}{B} \sum_i \frac{1}{|P_i|} \sum_{p \in P_i}
          \Big[\log\Big(e^{l_{ip}} + \sum_{n \in N_i} e^{l_{in}}\Big) - l_{ip}\Big] ,

each positive against the negatives only, never the other positives; a row without positives adds
0 but counts in the mean (as the reference). No regulariser on the gate (the reference's is unused).

Two views: :meth:`SimLAPLoss.batch_loss` (what :func:`~embedlab.losses.train_encoder` calls)
embeds two augmentations of the inputs (:func:`~embedlab.losses.training.augment`: random masking
and Gaussian noise, standing in for the reference's image augmentations); ``forward`` on one batch
of embeddings uses them as both views and leaves each anchor's own column out. The gate is used in
training only; the representation is the encoder's ungated output, as the reference evaluates.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.losses._torch import generator, torch
from embedlab.losses.base import MetricLoss, _positive_float, _positive_int, check_batch

__all__ = ["PAIRINGS", "SimLAPLoss", "simlap_loss"]

#: how each anchor's target class is drawn
PAIRINGS = ("arbitrary", "distinct", "identical")


def simlap_loss(
    z1: Any, z2: Any, labels: Any, targets: Any, gate: Any, scale: Any, *, same_view: bool
) -> Any:
    """Return the multi-positive InfoNCE on gated logits (module docstring).

    ``z1``, ``z2`` ``[B, d]`` are the two views (row ``i`` of both is sample ``i``), ``labels``
    ``[B]`` their classes, ``targets`` ``[B]`` each anchor's target class, ``gate`` ``[B, d]`` in
    (0, 1), ``scale`` the logit scale. ``same_view``: ``z1`` and ``z2`` are one view, so each
    anchor's own column is left out of its positives and negatives.
    """
    z1n = torch.nn.functional.normalize(z1, dim=1)
    z2n = torch.nn.functional.normalize(z2, dim=1)
    logits = (z1n * gate * gate) @ z2n.T * scale
    pos = targets[:, None] == labels[None, :]
    excluded = (labels[:, None] == labels[None, :]) | pos
    if same_view:
        eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
        pos = pos & ~eye
        excluded = excluded | eye
    ninf = torch.tensor(float("-inf"), dtype=logits.dtype, device=logits.device)
    neg_lse = torch.logsumexp(torch.where(excluded, ninf, logits), dim=1, keepdim=True)
    # log(e^l_ip + sum_n e^l_in) - l_ip, stably; 0 where the row has no negatives
    terms = torch.logaddexp(logits, neg_lse) - logits
    per_row = (terms * pos).sum(dim=1) / (pos.sum(dim=1).to(logits.dtype) + 1e-6)
    return per_row.mean()


class SimLAPLoss(MetricLoss):
    r"""Gated multi-positive InfoNCE over arbitrary class pairs (module docstring).

    Parameters
    ----------
    n_classes, embedding_dim
        The label table's rows and the gate's width (``for_task`` fills both).
    label_dim, hidden
        The label embedding's and the gate MLP's hidden widths.
    temperature
        The initial :math:`T` of the learned scale :math:`s = 1 / T` (the reference's 0.1).
    pairing
        ``"arbitrary"`` (the reference's), ``"distinct"`` or ``"identical"``.
    mask, noise
        The augmentation of :meth:`batch_loss`'s two views (fraction of inputs zeroed, standard
        deviation of the added noise).
    random_state
        Seeds the gate's initial weights, and, advanced once per call, the target classes and the
        augmentations.
    """

    name: ClassVar[str] = "simlap"

    def __init__(
        self,
        *,
        n_classes: int,
        embedding_dim: int,
        label_dim: int = 64,
        hidden: int = 128,
        temperature: float = 0.1,
        pairing: str = "arbitrary",
        mask: float = 0.2,
        noise: float = 0.1,
        random_state: int = 0,
    ) -> None:
        super().__init__()
        from embedlab.losses.training import mlp

        self.n_classes = _positive_int("n_classes", n_classes)
        self.embedding_dim = _positive_int("embedding_dim", embedding_dim)
        if pairing not in PAIRINGS:
            raise InvalidInputError(f"'pairing' must be one of {list(PAIRINGS)}; got {pairing!r}.")
        if pairing == "distinct" and self.n_classes < 2:
            raise InvalidInputError("pairing='distinct' needs n_classes >= 2.")
        self.pairing = pairing
        if not (isinstance(mask, int | float) and 0 <= mask < 1):
            raise InvalidInputError(f"'mask' must be in [0, 1); got {mask!r}.")
        if not (isinstance(noise, int | float) and noise >= 0):
            raise InvalidInputError(f"'noise' must be a number >= 0; got {noise!r}.")
        self.mask, self.noise = float(mask), float(noise)
        self.random_state = int(random_state)
        self._calls = 0
        ld, hd = _positive_int("label_dim", label_dim), _positive_int("hidden", hidden)
        self.table = torch.nn.Embedding(self.n_classes, ld, device="meta").to_empty(device="cpu")
        with torch.no_grad():
            self.table.weight.normal_(generator=generator(self.random_state))
        first = mlp(ld, 1, hd, layers=1, random_state=self.random_state + 1)
        second = mlp(hd, 1, self.embedding_dim, layers=1, random_state=self.random_state + 2)
        self.gate = torch.nn.Sequential(
            torch.nn.ReLU(),
            torch.nn.BatchNorm1d(ld),
            first,
            torch.nn.ReLU(),
            torch.nn.BatchNorm1d(hd),
            second,
        )
        t = _positive_float("temperature", temperature)
        self.log_scale = torch.nn.Parameter(torch.tensor(math.log(1.0 / t)))

    @classmethod
    def for_task(
        cls, *, n_classes: int, embedding_dim: int, random_state: int = 0, **params: Any
    ) -> SimLAPLoss:
        """Build the gate for ``n_classes`` labels and ``embedding_dim`` features."""
        return cls(
            n_classes=n_classes, embedding_dim=embedding_dim, random_state=random_state, **params
        )

    def gates(self, labels: Any, targets: Any) -> Any:
        """Return :math:`g(y_1, y_2)` ``[B, d]`` for the label pairs of the rows.

        The batch norms use the batch's statistics in training mode, their running statistics for
        a batch of one row (a training set's last, short batch) and in eval mode.
        """
        fused = (self.table(labels) + self.table(targets)) / 2
        if self.training and len(labels) < 2:
            self.gate.eval()
            try:
                return torch.sigmoid(self.gate(fused))
            finally:
                self.gate.train()
        return torch.sigmoid(self.gate(fused))

    def _seed(self, stream: int) -> int:
        seq = np.random.SeedSequence([self.random_state, self._calls, stream])
        return int(seq.generate_state(1)[0])

    def targets(self, labels: Any) -> Any:
        """Draw each anchor's target class by ``pairing`` (the current call's draw)."""
        if self.pairing == "identical":
            return labels
        g = generator(self._seed(0))
        if self.pairing == "arbitrary":
            return labels[torch.randperm(len(labels), generator=g).to(labels.device)]
        shift = torch.randint(1, self.n_classes, (len(labels),), generator=g).to(labels.device)
        return (labels + shift) % self.n_classes

    def _check(self, embeddings: Any, labels: Any, reference: Any) -> None:
        check_batch(embeddings, labels)
        if reference is not None:
            raise InvalidInputError("SimLAPLoss takes no 'reference' embeddings.")
        if embeddings.shape[1] != self.embedding_dim:
            raise InvalidInputError(
                f"The embeddings have {embeddings.shape[1]} dimensions; the gate has "
                f"{self.embedding_dim}."
            )
        if len(labels) and (int(labels.min()) < 0 or int(labels.max()) >= self.n_classes):
            raise InvalidInputError(
                f"'labels' must be class indices in [0, {self.n_classes}); got "
                f"[{int(labels.min())}, {int(labels.max())}]."
            )

    def _loss(self, z1: Any, z2: Any, labels: Any, *, same_view: bool) -> Any:
        targets = self.targets(labels)
        self._calls += 1
        gate = self.gates(labels, targets)
        return simlap_loss(z1, z2, labels, targets, gate, self.log_scale.exp(), same_view=same_view)

    def forward(self, embeddings: Any, labels: Any, reference: Any = None) -> Any:
        """Return the loss with ``embeddings`` as both views (each anchor's own column out)."""
        self._check(embeddings, labels, reference)
        return self._loss(embeddings, embeddings, labels, same_view=True)

    def batch_loss(self, encoder: Any, inputs: Any, labels: Any, *, reference: Any = None) -> Any:
        """Return the loss of two augmented views of ``inputs`` through ``encoder``."""
        from embedlab.losses.training import augment

        g = generator(self._seed(1))
        z1 = encoder(augment(inputs, mask=self.mask, noise=self.noise, generator=g))
        z2 = encoder(augment(inputs, mask=self.mask, noise=self.noise, generator=g))
        self._check(z1, labels, reference)
        return self._loss(z1, z2, labels, same_view=False)
