"""Contract checks of the session models (:mod:`embedlab.tables.models.session`).

Each check takes a session-model class (built from :data:`SESSION_EXAMPLES` by its ``name``,
with :data:`SESSION_CATALOG` as its items) or a zero-argument factory returning a fresh,
seeded model with its catalogue set (``lambda: M2TRec(4, 3, ...).set_catalog(...)``). A model
scores ``[B, n_items]`` from right-padded ``-1`` batches (``score``), gives the scores after
every prefix in one pass (``prefix_scores``) and a training ``loss(inputs, targets)``. Checked:
the scores are finite float32 of the right shape, a gradient of the loss reaches every
parameter, the same seed gives the same bytes (after construction and after two Adam steps)
and leaves the global torch RNG alone, the scores after prefix ``t`` ignore later items and
equal the scores of that prefix run alone, and a ``state_dict`` round trip keeps the scores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = [
    "SESSION_CATALOG",
    "SESSION_EXAMPLES",
    "check_session_model",
    "session_model_checks",
]

#: a small catalogue: 12 items, 4 genre flags, 3 year ids (items 10 and 11 copy 2's metadata)
SESSION_CATALOG: dict[str, np.ndarray] = {
    "item_genres": np.array(
        [
            [1, 0, 0, 0],
            [0, 1, 0, 0],
            [0, 0, 1, 1],
            [0, 0, 0, 1],
            [1, 1, 0, 0],
            [0, 1, 1, 0],
            [1, 0, 1, 0],
            [0, 0, 0, 0],
            [1, 1, 1, 1],
            [0, 1, 0, 1],
            [0, 0, 1, 1],
            [0, 0, 1, 1],
        ],
        dtype=bool,
    ),
    "item_year": np.array([0, 1, 2, 1, 2, 0, 1, 2, 1, 0, 2, 2], dtype=np.int64),
}

#: model name -> constructor keywords of a small example (``max_length`` = the batch length)
SESSION_EXAMPLES: dict[str, dict[str, Any]] = {
    "m2trec": {
        "n_genres": 4,
        "n_years": 3,
        "d_attr": 4,
        "d_model": 8,
        "n_layers": 2,
        "n_heads": 2,
        "max_length": 6,
    },
    "sasrec": {"n_items": 12, "d_model": 8, "n_layers": 2, "n_heads": 2, "max_length": 6},
}

#: a right-padded batch over the catalogue (every position of row 0 is an item)
_BATCH = np.array(
    [
        [0, 3, 5, 7, 9, 11],
        [2, 4, 6, -1, -1, -1],
        [1, 8, 10, 2, 3, -1],
        [11, -1, -1, -1, -1, -1],
    ],
    dtype=np.int64,
)


def _factory(spec: Any) -> tuple[Callable[[], Any], str]:
    """Return a zero-argument builder of the model ``spec`` names, and its name."""
    if isinstance(spec, type):
        name = getattr(spec, "name", spec.__name__)
        if name not in SESSION_EXAMPLES:
            raise AssertionError(f"session model {name!r} has no example in SESSION_EXAMPLES")

        def build() -> Any:
            model = spec(**SESSION_EXAMPLES[name], random_state=0)
            if hasattr(model, "set_catalog"):
                model.set_catalog(**SESSION_CATALOG)
            return model

        return build, name
    if callable(spec):
        return spec, getattr(spec, "__name__", repr(spec))
    raise AssertionError(f"{spec!r} is neither a session-model class nor a factory")


def _targets(batch: np.ndarray) -> np.ndarray:
    """Next items of a right-padded batch (-1 where none)."""
    y = np.full_like(batch, -1)
    y[:, :-1] = batch[:, 1:]
    return y


def _adam_steps(model: Any, steps: int = 2) -> None:
    import torch

    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = torch.from_numpy(_BATCH)
    y = torch.from_numpy(_targets(_BATCH))
    model.train()
    for _ in range(steps):
        opt.zero_grad()
        model.loss(x, y).backward()
        opt.step()
    model.eval()


def _state_bytes(model: Any) -> dict[str, bytes]:
    return {k: v.detach().cpu().numpy().tobytes() for k, v in model.state_dict().items()}


def check_session_scores(spec: Any) -> None:
    """Check ``score`` gives finite float32 ``[B, n_items]`` scores of a padded batch."""
    import torch

    build, name = _factory(spec)
    model = build().eval()
    with torch.no_grad():
        s = model.score(_BATCH)
    n = int(model.n_items)
    if tuple(s.shape) != (len(_BATCH), n) or s.dtype != torch.float32:
        raise AssertionError(
            f"{name}: score gave {s.dtype} of shape {tuple(s.shape)}, not float32 "
            f"({len(_BATCH)}, {n})"
        )
    if not bool(torch.isfinite(s).all()):
        raise AssertionError(f"{name}: score gave non-finite scores")


def check_session_gradients(spec: Any) -> None:
    """Check a gradient of the training loss reaches every parameter."""
    import torch

    build, name = _factory(spec)
    model = build().train()
    loss = model.loss(torch.from_numpy(_BATCH), torch.from_numpy(_targets(_BATCH)))
    if loss.ndim != 0 or not bool(torch.isfinite(loss)):
        raise AssertionError(f"{name}: the loss is not a finite scalar ({loss})")
    loss.backward()
    for pname, p in model.named_parameters():
        if p.requires_grad and (p.grad is None or not bool(torch.any(p.grad != 0))):
            raise AssertionError(f"{name}: no gradient reaches {pname}")


def check_session_determinism(spec: Any) -> None:
    """Check the same seed gives the same bytes and the global torch RNG is left alone."""
    import torch

    build, name = _factory(spec)
    before = torch.random.get_rng_state()
    a, b = build(), build()
    if _state_bytes(a) != _state_bytes(b):
        raise AssertionError(f"{name}: the same seed gave two initialisations")
    _adam_steps(a)
    _adam_steps(b)
    if _state_bytes(a) != _state_bytes(b):
        raise AssertionError(f"{name}: the same seed and batches gave two trained models")
    if not torch.equal(before, torch.random.get_rng_state()):
        raise AssertionError(f"{name}: building or training the model drew from the global RNG")


def check_session_causality(spec: Any) -> None:
    """Check scores after prefix ``t`` ignore later items and equal that prefix run alone."""
    import torch

    build, name = _factory(spec)
    model = build().eval()
    n = int(model.n_items)
    row = _BATCH[:1]
    with torch.no_grad():
        full = model.prefix_scores(row)[0]
        for t in range(row.shape[1]):
            changed = row.copy()
            changed[0, t + 1 :] = (changed[0, t + 1 :] + 5) % n
            other = model.prefix_scores(changed)[0]
            if not torch.allclose(full[: t + 1], other[: t + 1], rtol=1e-5, atol=1e-5):
                raise AssertionError(
                    f"{name}: the scores after prefix {t + 1} change when later items change"
                )
            alone = model.score(row[:, : t + 1])[0]
            if not torch.allclose(full[t], alone, rtol=1e-5, atol=1e-5):
                raise AssertionError(
                    f"{name}: the one-pass scores after prefix {t + 1} differ from running that "
                    f"prefix alone"
                )
            padded = model.score(np.concatenate([row[:, : t + 1], _BATCH[1:, : t + 1]]))[0]
            if not torch.allclose(alone, padded, rtol=1e-5, atol=1e-5):
                raise AssertionError(
                    f"{name}: the scores of a sequence depend on the other rows of its batch"
                )


def check_session_state_dict(spec: Any) -> None:
    """Check a fresh model loaded with another's ``state_dict`` gives the same scores."""
    import torch

    build, name = _factory(spec)
    model, other = build(), build()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn(p.shape, generator=g))
        for b in model.buffers():
            if b.is_floating_point():
                b.add_(0.1 * torch.randn(b.shape, generator=g))
    other.load_state_dict(model.state_dict())
    model.eval()
    other.eval()
    with torch.no_grad():
        a, b = model.score(_BATCH), other.score(_BATCH)
    if not torch.equal(a, b):
        raise AssertionError(f"{name}: the state_dict round trip changes the scores")


def session_model_checks() -> Iterator[Callable[[Any], None]]:
    """Yield the checks every session model must pass."""
    yield check_session_scores
    yield check_session_gradients
    yield check_session_determinism
    yield check_session_causality
    yield check_session_state_dict


def check_session_model(spec: Any) -> None:
    """Run every session-model check on ``spec`` (a class or a zero-argument factory)."""
    for check in session_model_checks():
        check(spec)
