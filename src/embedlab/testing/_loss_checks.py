"""Contract checks of the metric-learning losses (:data:`embedlab.registry.LOSSES`).

Each check takes a ``LOSSES`` name or a :class:`~embedlab.losses.base.MetricLoss` subclass and
builds it with ``for_task`` and its defaults on a planted problem: four classes whose signal
lives in two of twelve input dimensions (means on a circle), under ten dimensions of noise of
standard deviation 3, so that nearest-neighbour retrieval on the raw input is poor and a linear
encoder trained with the loss must find the two dimensions. A two-view loss (``views = 2``:
embeddings of two views side by side, m²-Mix) gets a second view of each sample with the same two
informative dimensions and fresh noise elsewhere, a :class:`~embedlab.losses.training.TwoTower`
of two linear encoders, and is scored on the first view's embeddings.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = ["check_loss", "loss_checks"]

N_CLASSES, PER_CLASS, IN_DIM, D = 4, 30, 12, 8


def _cls(spec: str | type) -> Any:
    from embedlab.registry import LOSSES

    return LOSSES.get(spec) if isinstance(spec, str) else spec


def _planted(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(N_CLASSES), PER_CLASS)
    angle = 2 * np.pi * y / N_CLASSES
    x = rng.normal(0.0, 3.0, (len(y), IN_DIM))
    x[:, 0] = 2.0 * np.cos(angle) + rng.normal(0.0, 0.3, len(y))
    x[:, 1] = 2.0 * np.sin(angle) + rng.normal(0.0, 0.3, len(y))
    return x.astype(np.float32), y


def _reference_encoder() -> Any:
    """Build the frozen "v1" of a loss that needs one: it reads the two informative dims."""
    from embedlab.losses._torch import torch

    lin = torch.nn.Linear(IN_DIM, D, bias=False, device="meta").to_empty(device="cpu")
    with torch.no_grad():
        lin.weight.zero_()
        lin.weight[0, 0] = 1.0
        lin.weight[1, 1] = 1.0
    return lin.requires_grad_(False)


def _second_view(x: np.ndarray, seed: int) -> np.ndarray:
    """Return the samples' informative dimensions with fresh noise in the others."""
    rng = np.random.default_rng(10_000 + seed)
    out = x.copy()
    out[:, 2:] = rng.normal(0.0, 3.0, (len(x), IN_DIM - 2))
    return out


def _views(loss: Any) -> int:
    return int(getattr(loss, "views", 1))


def _build(spec: str | type, seed: int = 0) -> Any:
    return _cls(spec).for_task(n_classes=N_CLASSES, embedding_dim=D, random_state=seed)


def _batch(loss: Any, seed: int = 0) -> tuple[Any, Any, Any]:
    from embedlab.losses._torch import generator, torch

    x, y = _planted(seed)
    emb = torch.randn(len(y), D * _views(loss), generator=generator(seed), requires_grad=True)
    ref = _reference_encoder()(torch.from_numpy(x)) if loss.needs_reference else None
    return emb, torch.from_numpy(y), ref


def check_loss_name_and_constructor(spec: str | type) -> None:
    """``name`` matches the registry; ``__init__`` takes keyword-only hyperparameters."""
    from embedlab.losses.base import MetricLoss
    from embedlab.registry import LOSSES

    cls = _cls(spec)
    if not (isinstance(cls, type) and issubclass(cls, MetricLoss)):
        raise AssertionError(f"{cls!r} is not a MetricLoss subclass")
    if cls.name not in LOSSES or LOSSES.get(cls.name) is not cls:
        raise AssertionError(f"{cls.__name__}.name = {cls.name!r} is not its LOSSES key")
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    positional = [p.name for p in params if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    if positional:
        raise AssertionError(f"{cls.__name__}.__init__ takes non-keyword-only {positional}")


def check_loss_value_and_gradient(spec: str | type) -> None:
    """Check for a finite scalar whose gradient reaches the embeddings (finite, not all 0)."""
    loss = _build(spec)
    emb, y, ref = _batch(loss)
    value = loss(emb, y, reference=ref)
    if value.ndim != 0 or not bool(value.isfinite()):
        raise AssertionError(f"{type(loss).__name__} returned {value!r}, not a finite scalar")
    value.backward()
    g = emb.grad
    if g is None or not bool(g.isfinite().all()) or float(g.abs().sum()) == 0.0:
        raise AssertionError(f"{type(loss).__name__}: no finite, non-zero embedding gradient")


def check_loss_is_deterministic(spec: str | type) -> None:
    """Two losses built with one seed give the same bytes on the same batch."""
    values = []
    for _ in range(2):
        loss = _build(spec, seed=3)
        emb, y, ref = _batch(loss, seed=3)
        values.append(loss(emb, y, reference=ref).detach().numpy().tobytes())
    if values[0] != values[1]:
        raise AssertionError(f"{spec!r}: the same seed gave two loss values")


def check_loss_errors(spec: str | type) -> None:
    """Check that bad batches are one-line ``InvalidInputError``s.

    1-D embeddings, mismatched or float labels, a missing or an unexpected ``reference``.
    """
    from embedlab.exceptions import InvalidInputError
    from embedlab.losses._torch import torch

    loss = _build(spec)
    emb, y, ref = _batch(loss)
    wrong_ref = None if loss.needs_reference else emb.detach()
    cases = [
        (emb[:, 0], y, ref),
        (emb, y[:-1], ref),
        (emb, y.to(torch.float32), ref),
        (emb, y, wrong_ref),
    ]
    for e, lab, r in cases:
        try:
            loss(e, lab, reference=r)
        except InvalidInputError as exc:
            if "\n" in str(exc):
                raise AssertionError(f"{spec!r}: a multi-line error: {exc}") from None
        else:
            raise AssertionError(f"{spec!r} accepted a bad batch")


def _recall_at_1(z: np.ndarray, y: np.ndarray, gallery: np.ndarray | None = None) -> float:
    from embedlab.eval.metrics import class_retrieval_metrics

    if gallery is None:
        return class_retrieval_metrics(z, y, metric="cosine")["recall@1"]
    # query i against the other samples' reference embeddings (its own left out)
    zn = z / np.linalg.norm(z, axis=1, keepdims=True)
    gn = gallery / np.linalg.norm(gallery, axis=1, keepdims=True)
    s = zn @ gn.T
    np.fill_diagonal(s, -np.inf)
    return float((y[s.argmax(axis=1)] == y).mean())


def check_loss_learns_planted_classes(spec: str | type) -> None:
    """Check that a linear encoder trained with the loss retrieves far better.

    Recall@1 >= 0.9 and 0.2 above the untrained encoder's, of retrieval by class; for a loss with
    a reference, queries against the frozen model's embeddings; for a two-view loss, of the first
    view's embeddings (the towers see only the pairs, not the labels).
    """
    from embedlab.losses import embed, mlp, train_encoder
    from embedlab.losses.training import TwoTower

    loss = _build(spec)
    x, y = _planted(1)
    ref = _reference_encoder() if loss.needs_reference else None
    enc = mlp(IN_DIM, 1, D, layers=1, random_state=0)
    gal = embed(ref, x) if ref is not None else None

    def quality() -> float:
        return _recall_at_1(embed(enc, x)[:, :D], y, gal)

    if _views(loss) == 2:
        enc = TwoTower(enc, mlp(IN_DIM, 1, D, layers=1, random_state=1), split=IN_DIM)
        x = np.hstack([x, _second_view(x, 1)])
    before = quality()
    train_encoder(enc, loss, x, y, epochs=60, batch_size=len(y), lr=0.05, reference=ref)
    after = quality()
    if not (after >= 0.9 and after >= before + 0.2):
        raise AssertionError(
            f"{spec!r}: Recall@1 {before:.3f} before training, {after:.3f} after "
            "(want >= 0.9 and +0.2)"
        )


def loss_checks() -> Iterator[Callable[[str | type], None]]:
    """Every loss contract check, in order."""
    yield check_loss_name_and_constructor
    yield check_loss_value_and_gradient
    yield check_loss_is_deterministic
    yield check_loss_errors
    yield check_loss_learns_planted_classes


def check_loss(spec: str | type) -> None:
    """Run every loss check on ``spec`` (a ``LOSSES`` name or a class)."""
    for check in loss_checks():
        check(spec)
