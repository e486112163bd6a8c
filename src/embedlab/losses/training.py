"""Train any torch encoder with a :class:`~embedlab.losses.base.MetricLoss`.

:func:`train_encoder` runs Adam over shuffled mini-batches (a seeded permutation per epoch), the
loss called as ``loss(encoder(x), y)`` or, for a loss that ``needs_reference``,
``loss(encoder(x), y, reference=frozen(x))`` with the frozen model's embeddings of the same batch
computed without gradients (the loss's :meth:`~embedlab.losses.base.MetricLoss.batch_loss`,
which a mixing loss overrides), and the loss's ``start_epoch`` hook before each epoch.
:func:`embed` maps an array through an encoder in eval mode;
:func:`mlp` builds the small seeded MLP encoder the reproductions use. Same seed and inputs ->
same bytes (CPU).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.losses._torch import generator, torch
from embedlab.losses.base import MetricLoss, _positive_float, _positive_int
from embedlab.utils.progress import progress

__all__ = [
    "FeatureAttention",
    "TwoTower",
    "attention_mlp",
    "augment",
    "embed",
    "mlp",
    "train_encoder",
]


def mlp(in_dim: int, hidden: int, out_dim: int, *, layers: int = 2, random_state: int = 0) -> Any:
    """Build a ``Linear -> ReLU`` stack of ``layers`` linear maps, the last one ``-> out_dim``.

    Its weights are drawn from ``random_state`` (PyTorch's default initialisation, seeded).
    """
    _positive_int("layers", layers)
    dims = [_positive_int("in_dim", in_dim)]
    dims += [_positive_int("hidden", hidden)] * (layers - 1) + [_positive_int("out_dim", out_dim)]
    mods: list[Any] = []
    gen = generator(random_state)
    for i, (a, b) in enumerate(itertools.pairwise(dims)):
        # built on the meta device, so the global RNG is never drawn from
        lin = torch.nn.Linear(a, b, device="meta").to_empty(device="cpu")
        bound = 1.0 / math.sqrt(a)
        with torch.no_grad():
            # kaiming_uniform_(a=sqrt(5)) as torch.nn.Linear, from our generator
            lin.weight.uniform_(-bound, bound, generator=gen)
            lin.bias.uniform_(-bound, bound, generator=gen)
        mods.append(lin)
        if i < len(dims) - 2:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


def augment(inputs: Any, *, mask: float = 0.2, noise: float = 0.1, generator: Any) -> Any:
    """Return a random view of ``inputs``: each entry zeroed with probability ``mask``, plus noise.

    The noise is Gaussian of standard deviation ``noise``; both draws come from ``generator``
    (a ``torch.Generator``), so a seeded generator gives the same view.
    """
    keep = (torch.rand(inputs.shape, generator=generator) >= mask).to(inputs)
    return inputs * keep + noise * torch.randn(inputs.shape, generator=generator).to(inputs)


class TwoTower(torch.nn.Module):
    """Two encoders over the two column blocks of one input: ``[x_a | x_b] -> [f(x_a) | g(x_b)]``.

    The encoder of a two-view (two-modality) loss (:class:`~embedlab.losses.M2MixLoss`): the
    first ``split`` columns of the input go through ``first``, the rest through ``second``, and
    the two embeddings, of one width, are concatenated.
    """

    def __init__(self, first: Any, second: Any, *, split: int) -> None:
        super().__init__()
        self.first, self.second = first, second
        self.split = _positive_int("split", split)

    def forward(self, x: Any) -> Any:
        """``[f(x[:, :split]) | g(x[:, split:])]``."""
        if x.ndim != 2 or x.shape[1] <= self.split:
            raise InvalidInputError(
                f"TwoTower needs inputs of more than {self.split} columns; got {tuple(x.shape)}."
            )
        a, b = self.first(x[:, : self.split]), self.second(x[:, self.split :])
        if a.shape != b.shape:
            raise InvalidInputError(
                f"The two towers' embeddings differ in shape: {tuple(a.shape)} and "
                f"{tuple(b.shape)}."
            )
        return torch.cat([a, b], dim=1)


class FeatureAttention(torch.nn.Module):
    """``h -> h * sigmoid(W2 relu(W1 h))``: a learned soft mask over a hidden feature vector.

    The vector-input analogue of ADSL's attention, a sigmoid map from a small convolutional stack
    that multiplies the backbone's feature map (``lib/model.py`` ``AttentionLayer``).
    """

    def __init__(self, dim: int, hidden: int, *, random_state: int = 0) -> None:
        super().__init__()
        self.score = torch.nn.Sequential(
            mlp(dim, hidden, dim, layers=2, random_state=random_state), torch.nn.Sigmoid()
        )

    def forward(self, h: Any) -> Any:
        """Return the masked features."""
        return h * self.score(h)


def attention_mlp(
    in_dim: int, hidden: int, out_dim: int, *, attention: int = 32, random_state: int = 0
) -> Any:
    """Build ``Linear -> ReLU -> FeatureAttention -> Linear``, seeded (ADSL's encoder here)."""
    body = mlp(in_dim, 1, hidden, layers=1, random_state=random_state)
    head = mlp(hidden, 1, out_dim, layers=1, random_state=random_state + 1)
    att = FeatureAttention(hidden, attention, random_state=random_state + 2)
    return torch.nn.Sequential(body[0], torch.nn.ReLU(), att, head[0])


def _tensor(x: Any, name: str) -> Any:
    a = np.asarray(x, dtype=np.float32)
    if a.ndim != 2 or len(a) == 0:
        raise InvalidInputError(f"{name!r} must be a non-empty 2-D array; got shape {a.shape}.")
    if not np.isfinite(a).all():
        raise InvalidInputError(f"{name!r} holds NaN or infinite values.")
    return torch.from_numpy(np.ascontiguousarray(a))


def embed(encoder: Any, X: Any, *, batch_size: int = 4096) -> np.ndarray:
    """``encoder(X)`` as float32 ``[n, d]``, in eval mode and without gradients."""
    x = _tensor(X, "X")
    bs = _positive_int("batch_size", batch_size)
    was = encoder.training
    encoder.eval()
    try:
        with torch.no_grad():
            out = [encoder(x[i : i + bs]) for i in range(0, len(x), bs)]
    finally:
        encoder.train(was)
    return torch.cat(out).numpy().astype(np.float32, copy=False)


def train_encoder(
    encoder: Any,
    loss: MetricLoss,
    X: Any,
    y: Any,
    *,
    epochs: int = 50,
    batch_size: int = 256,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    reference: Any = None,
    random_state: int = 0,
    show_progress: bool = False,
) -> list[float]:
    """Train ``encoder`` in place on ``(X, y)``; return the mean loss of each epoch.

    ``reference`` is the frozen encoder whose embeddings a ``needs_reference`` loss compares
    with (harmonic embeddings); it runs in eval mode without gradients, is never updated, and
    gets its train/eval mode back at the end. ``encoder`` is left in eval mode.
    """
    if not isinstance(loss, MetricLoss):
        raise InvalidInputError(
            f"'loss' must be an embedlab MetricLoss; got {type(loss).__name__}."
        )
    x = _tensor(X, "X")
    labels = np.asarray(y)
    if labels.shape != (len(x),) or labels.dtype.kind not in "iu":
        raise InvalidInputError(
            f"'y' must hold one int label per row of X ({len(x)}); got {labels.dtype} "
            f"{labels.shape}."
        )
    t_y = torch.from_numpy(labels.astype(np.int64))
    n_epochs = _positive_int("epochs", epochs)
    bs = _positive_int("batch_size", batch_size)
    if loss.needs_reference and reference is None:
        raise InvalidInputError(
            f"{type(loss).__name__} needs 'reference': the frozen encoder to stay comparable with."
        )
    if reference is not None and not loss.needs_reference:
        raise InvalidInputError(f"{type(loss).__name__} takes no 'reference' encoder.")
    params = list(encoder.parameters()) + list(loss.parameters())
    if (
        isinstance(weight_decay, bool)
        or not isinstance(weight_decay, int | float)
        or not weight_decay >= 0
    ):
        raise InvalidInputError(f"'weight_decay' must be a number >= 0; got {weight_decay!r}.")
    opt = torch.optim.Adam(params, lr=_positive_float("lr", lr), weight_decay=float(weight_decay))
    ref_was_training = reference.training if reference is not None else False
    if reference is not None:
        reference.eval()
    rng = np.random.default_rng(random_state)
    history: list[float] = []
    encoder.train()
    with progress(
        f"{type(loss).__name__} training",
        n_epochs,
        min_total=1 if show_progress else math.inf,
        fields={"info": ""},
    ) as bar:
        for epoch in range(n_epochs):
            loss.start_epoch(encoder, x, t_y, epoch=epoch, history=list(history))
            encoder.train()
            perm = torch.from_numpy(rng.permutation(len(x)))
            total = 0.0
            for start in range(0, len(x), bs):
                idx = perm[start : start + bs]
                xb, yb = x[idx], t_y[idx]
                ref = None
                if reference is not None:
                    with torch.no_grad():
                        ref = reference(xb)
                value = loss.batch_loss(encoder, xb, yb, reference=ref)
                if not torch.isfinite(value):
                    raise InvalidInputError(
                        f"The training loss became {value.item()}: lower the learning rate "
                        f"(now {lr})."
                    )
                opt.zero_grad(set_to_none=True)
                value.backward()
                opt.step()
                total += float(value.detach()) * len(idx)
            history.append(total / len(x))
            bar.advance(1, info=f"loss {history[-1]:.4f}")
    encoder.eval()
    if reference is not None:
        reference.train(ref_was_training)
    return history
