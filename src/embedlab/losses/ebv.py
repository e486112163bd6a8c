r"""Equiangular Basis Vectors: a fixed, near-orthogonal class vector per class.

Shen, Sun, Yao, Wei, Zhang & Wang, "Equiangular Basis Vectors", CVPR 2023 (reference code
aassxun/Equiangular-Basis-Vectors: its basis-generation script). Instead of a learned ``d x N``
softmax head, ``N`` unit vectors :math:`w_1 .. w_N \in \mathbb{R}^d` are generated once,
before training, so that every pair is nearly orthogonal, by minimising

.. math:: \sum_{i \ne j} \big[\, |w_i^\top w_j| - \alpha \,\big]_+

with SGD (learning rate ``lr``), the rows renormalised to the unit sphere before every step, and
stopping as soon as :math:`\max_{i \ne j} |w_i^\top w_j| \le \alpha + 10^{-4}` (the reference's
rule; it uses :math:`\alpha = 0.002`, ``lr = 1e-3``, 100,000 steps at most). For ``N > d`` no set
can beat the Welch bound :math:`\max |w_i^\top w_j| \ge \sqrt{(N - d) / (d (N - 1))}`, so a
smaller :math:`\alpha` is refused. The vectors are then fixed (a buffer, not a parameter), and a
sample's embedding :math:`z` is classified by cross-entropy over its cosines,

.. math:: p(y \mid z) = \frac{\exp(\cos(z, w_y) / \tau)}{\sum_c \exp(\cos(z, w_c) / \tau)},
    \qquad \tau = 0.07,

so the head has no learned parameter whatever ``N``. Generation costs ``O(N^2 d)`` per step
(``O(N^2)`` memory); the loss ``O(B N d)``.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from embedlab.exceptions import InvalidInputError
from embedlab.losses._torch import generator, torch
from embedlab.losses.base import MetricLoss, _positive_float, _positive_int, check_batch

__all__ = ["EBVLoss", "equiangular_basis", "max_abs_cosine", "welch_bound"]


def welch_bound(n: int, dim: int) -> float:
    """Return the Welch lower bound on the largest ``|cos|`` of ``n`` unit vectors in ``dim`` dims.

    Met only by equiangular tight frames; no set of ``n`` unit vectors does better.

    >>> round(welch_bound(1000, 64), 4)
    0.121
    >>> welch_bound(10, 64)
    0.0
    """
    n, dim = _positive_int("n", n), _positive_int("dim", dim)
    return math.sqrt((n - dim) / (dim * (n - 1))) if n > dim else 0.0


def max_abs_cosine(basis: Any) -> float:
    """Return the largest ``|w_i . w_j|`` over distinct rows of the L2-normalised ``basis``."""
    w = torch.nn.functional.normalize(basis.detach().to(torch.float64), dim=1)
    m = (w @ w.T).abs()
    m.fill_diagonal_(0.0)
    return float(m.max()) if len(w) > 1 else 0.0


def equiangular_basis(
    n_classes: int,
    embedding_dim: int,
    *,
    alpha: float = 0.002,
    lr: float = 1e-3,
    max_steps: int = 100_000,
    random_state: int = 0,
) -> Any:
    """Generate ``n_classes`` unit vectors in ``embedding_dim`` dims, pairwise ``|cos| <= alpha``.

    To within the reference's tolerance of 1e-4; float32 ``[n_classes, embedding_dim]``.

    Raises a one-line error when ``alpha`` is below the Welch bound, or when ``max_steps`` SGD
    steps end above ``alpha + 1e-4`` (naming the value reached).
    """
    n = _positive_int("n_classes", n_classes)
    d = _positive_int("embedding_dim", embedding_dim)
    alpha = _positive_float("alpha", alpha)
    lr = _positive_float("lr", lr)
    steps = _positive_int("max_steps", max_steps)
    bound = welch_bound(n, d)
    if alpha < bound:
        raise InvalidInputError(
            f"No {n} unit vectors in {d} dimensions have every |cos| <= {alpha}: the Welch "
            f"bound is {bound:.4f}."
        )
    w0 = torch.randn(n, d, generator=generator(random_state), dtype=torch.float32)
    w = torch.nn.Parameter(torch.nn.functional.normalize(w0, dim=1))
    opt = torch.optim.SGD([w], lr=lr)
    off = ~torch.eye(n, dtype=torch.bool)
    reached = math.inf
    for _ in range(steps):
        with torch.no_grad():
            w.copy_(torch.nn.functional.normalize(w, dim=1))
        cos = (w @ w.T).abs()
        reached = float(cos.detach()[off].max()) if n > 1 else 0.0
        if reached <= alpha + 1e-4:
            return w.detach().clone()
        loss = torch.relu(cos[off] - alpha).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    with torch.no_grad():
        w.copy_(torch.nn.functional.normalize(w, dim=1))
        reached = max_abs_cosine(w)
    if reached <= alpha + 1e-4:
        return w.detach().clone()
    raise InvalidInputError(
        f"After {steps} steps the largest |cos| is {reached:.4f} > alpha = {alpha}: raise "
        f"'alpha' (the Welch bound is {bound:.4f}) or 'max_steps', or lower 'lr'."
    )


class EBVLoss(MetricLoss):
    """Cross-entropy over cosines to fixed equiangular class vectors, divided by ``tau``.

    Parameters
    ----------
    basis
        ``[n_classes, embedding_dim]`` class vectors (:func:`equiangular_basis`); kept as a
        buffer, normalised.
    tau
        The temperature (the paper's 0.07).

    Build one for a task with ``EBVLoss.for_task(n_classes=, embedding_dim=, alpha=, ...)``.
    """

    name: ClassVar[str] = "ebv"
    basis: Any  # the normalised [n_classes, embedding_dim] buffer

    def __init__(self, *, basis: Any, tau: float = 0.07) -> None:
        super().__init__()
        if not isinstance(basis, torch.Tensor) or basis.ndim != 2 or not basis.is_floating_point():
            raise InvalidInputError(
                "'basis' must be a 2-D float tensor [n_classes, embedding_dim] "
                "(embedlab.losses.equiangular_basis)."
            )
        self.tau = _positive_float("tau", tau)
        self.register_buffer(
            "basis", torch.nn.functional.normalize(basis.detach().to(torch.float32), dim=1)
        )

    @classmethod
    def for_task(
        cls, *, n_classes: int, embedding_dim: int, random_state: int = 0, **params: Any
    ) -> EBVLoss:
        """Generate the basis (``alpha``, ``lr``, ``max_steps``) and build the loss (``tau``)."""
        gen_keys = ("alpha", "lr", "max_steps")
        gen = {k: params.pop(k) for k in gen_keys if k in params}
        basis = equiangular_basis(n_classes, embedding_dim, random_state=random_state, **gen)
        return cls(basis=basis, **params)

    @property
    def n_classes(self) -> int:
        """The number of class vectors."""
        return int(self.basis.shape[0])

    def logits(self, embeddings: Any) -> Any:
        """``cos(z, w_c) / tau`` for every class, ``[B, n_classes]``."""
        if embeddings.shape[-1] != self.basis.shape[1]:
            raise InvalidInputError(
                f"The embeddings have {embeddings.shape[-1]} dimensions; the basis has "
                f"{self.basis.shape[1]}."
            )
        z = torch.nn.functional.normalize(embeddings, dim=-1)
        return z @ self.basis.to(z.dtype).T / self.tau

    def predict(self, embeddings: Any) -> Any:
        """Return the class of the nearest basis vector (largest cosine) of each row."""
        return self.logits(embeddings).argmax(dim=-1)

    def forward(self, embeddings: Any, labels: Any, reference: Any = None) -> Any:
        """Return the mean cross-entropy of the batch."""
        check_batch(embeddings, labels)
        if reference is not None:
            raise InvalidInputError("EBVLoss takes no 'reference' embeddings.")
        if len(labels) == 0:
            raise InvalidInputError("EBVLoss needs a non-empty batch.")
        if int(labels.min()) < 0 or int(labels.max()) >= self.n_classes:
            raise InvalidInputError(
                f"'labels' must be class indices in [0, {self.n_classes}); got "
                f"[{int(labels.min())}, {int(labels.max())}]."
            )
        return torch.nn.functional.cross_entropy(self.logits(embeddings), labels.long())
