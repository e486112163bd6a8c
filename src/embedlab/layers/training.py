"""Training and evaluation of :class:`~embedlab.layers.transformer.TinyTransformer` on token data.

The data are fixed-length windows of a token array (:class:`Windows`): a character-level text, or
interleaved multi-modal sequences with a modality tag per token. The loop is plain Adam with a
linear warm-up and cosine decay, seeded windows, and a validation loss (per modality when tags
are given) every ``eval_every`` steps, so "steps to reach a loss" can be read off the curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.layers._torch import check_positive_ints, torch
from embedlab.utils.progress import progress

__all__ = ["TrainingCurve", "Windows", "char_vocabulary", "evaluate_lm", "train_lm"]

F = torch.nn.functional


def char_vocabulary(text: str, *, min_count: int = 1) -> dict[str, int]:
    """Characters seen ``min_count`` times or more, by frequency; id 0 is the unknown character.

    Examples
    --------
    >>> char_vocabulary("abca", min_count=2)
    {'<unk>': 0, 'a': 1}
    """
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    kept = sorted((c for c, n in counts.items() if n >= min_count), key=lambda c: (-counts[c], c))
    return {"<unk>": 0, **{c: i + 1 for i, c in enumerate(kept)}}


@dataclass(frozen=True)
class Windows:
    """Sequences ``tokens [n, length]`` (int64) with optional ``modality [n, length]`` tags.

    A long stream is cut with :meth:`from_stream`; random windows of it are drawn for training.
    """

    tokens: np.ndarray
    modality: np.ndarray | None = None

    @classmethod
    def from_stream(cls, stream: np.ndarray, length: int) -> Windows:
        """Non-overlapping windows of ``length`` tokens of a 1-d ``stream`` (the tail dropped)."""
        n = len(stream) // length
        if n < 1:
            raise InvalidInputError(
                f"a stream of {len(stream)} tokens holds no window of {length}."
            )
        return cls(np.ascontiguousarray(stream[: n * length].reshape(n, length), dtype=np.int64))

    def __len__(self) -> int:
        """Return the number of sequences."""
        return len(self.tokens)

    def batch(self, rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Return the tokens (and tags) of ``rows`` as tensors."""
        t = torch.from_numpy(self.tokens[rows])
        m = None if self.modality is None else torch.from_numpy(self.modality[rows])
        return t, m


@dataclass
class TrainingCurve:
    """The training of one model: validation losses at ``steps`` (per modality if tagged)."""

    steps: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_loss_by_modality: list[list[float]] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)

    def steps_to_reach(self, target: float, modality: int | None = None) -> int | None:
        """Return the first evaluated step with a validation loss <= ``target`` (None: never)."""
        values = (
            self.val_loss if modality is None else [v[modality] for v in self.val_loss_by_modality]
        )
        for step, v in zip(self.steps, values, strict=True):
            if v <= target:
                return step
        return None


@torch.no_grad()
def evaluate_lm(
    model: torch.nn.Module, data: Windows, *, batch_size: int = 64, n_modalities: int = 1
) -> tuple[float, list[float]]:
    """Mean next-token cross-entropy (nats) over ``data``, and per target modality.

    The loss of position ``t + 1`` is counted in the modality of the token predicted there.
    """
    was_training = model.training
    model.eval()
    if data.modality is not None and int(data.modality.max()) >= n_modalities:
        raise InvalidInputError(
            f"the data hold modality tags up to {int(data.modality.max())}; pass "
            f"n_modalities={int(data.modality.max()) + 1}."
        )
    tot = np.zeros(n_modalities)
    cnt = np.zeros(n_modalities)
    for start in range(0, len(data), batch_size):
        tokens, tags = data.batch(np.arange(start, min(start + batch_size, len(data))))
        logits = model(tokens[:, :-1], None if tags is None else tags[:, :-1])
        nll = F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1), reduction="none"
        ).numpy()
        target = np.zeros_like(nll, dtype=np.int64) if tags is None else tags[:, 1:].reshape(-1)
        target = np.asarray(target)
        for m in range(n_modalities):
            sel = target == m
            tot[m] += nll[sel].sum()
            cnt[m] += sel.sum()
    model.train(was_training)
    per = [float(t / c) if c else math.nan for t, c in zip(tot, cnt, strict=True)]
    return float(tot.sum() / cnt.sum()), per


def train_lm(
    model: torch.nn.Module,
    train: Windows,
    valid: Windows,
    *,
    steps: int,
    batch_size: int = 32,
    lr: float = 2e-3,
    warmup: int = 50,
    eval_every: int = 50,
    n_modalities: int = 1,
    random_state: int = 0,
    show_progress: bool = False,
) -> TrainingCurve:
    """Train ``model`` for ``steps`` Adam steps on random windows of ``train``.

    The learning rate warms up linearly for ``warmup`` steps and decays to 0 along a cosine; the
    windows of each step are drawn with ``numpy.random.default_rng(random_state)``. The validation
    loss is measured every ``eval_every`` steps and at the end.
    """
    check_positive_ints(steps=steps, batch_size=batch_size, eval_every=eval_every)
    if not lr > 0:
        raise InvalidInputError(f"'lr' must be > 0; got {lr!r}.")
    rng = np.random.default_rng(random_state)
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.95))

    def rate(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(steps - warmup, 1)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, rate)
    curve = TrainingCurve()
    model.train()
    with progress(
        f"{type(model).__name__} training",
        steps,
        min_total=1 if show_progress else math.inf,
        fields={"info": ""},
    ) as bar:
        for step in range(1, steps + 1):
            tokens, tags = train.batch(rng.integers(0, len(train), batch_size))
            loss = model.loss(tokens, tags)  # type: ignore[operator]
            if not torch.isfinite(loss):
                raise InvalidInputError(
                    f"The training loss became {loss.detach().item()}: lower the learning rate "
                    f"(now {lr})."
                )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            curve.train_loss.append(loss.detach().item())
            if step % eval_every == 0 or step == steps:
                total, per = evaluate_lm(model, valid, n_modalities=n_modalities)
                curve.steps.append(step)
                curve.val_loss.append(total)
                curve.val_loss_by_modality.append(per)
                bar.advance(
                    eval_every if step % eval_every == 0 else step % eval_every,
                    info=f"val {total:.4f}",
                )
    model.eval()
    return curve
