"""Training knowledge-graph models: reciprocal relations, the 1-N and negative-sampling protocols.

Every protocol trains on both directions of each training triple: ``(h, r, t)`` and its
reciprocal ``(t, r + R, h)`` (:meth:`embedlab.io.TripleSet.queries`), shuffled each epoch with a
seeded generator; Adam (Kingma & Ba, 2015; or Adagrad, ``optimizer="adagrad"``, as the
hypercomplex reference) with an exponential learning-rate decay per epoch (``ExponentialLR``), as
the NFE reference ``main.py``.

* ``"1-n"`` (Dettmers et al., 2018; the NFE reference): a batch of queries ``(h, r)`` is scored
  against every entity, ``S = score_all(h, r)`` ``[B, E]``, with target ``y`` one-hot on the
  triple's tail. ``loss="softplus"`` is the reference's
  ``mean_b sum_e softplus((1 - 2 y_be) S_be)``; ``loss="bce"`` the mean binary cross-entropy over
  all ``B E`` entries with label smoothing ``eps`` (``y <- (1 - eps) y + eps / E``, ConvE).
  Both are computed through ``softplus(-s) = softplus(s) - s`` from the scores and the targets'
  scores alone, with no dense ``[B, E]`` target matrix.
* ``"negative-sampling"``: each query's tail against ``K = negatives`` tails drawn uniformly from
  all entities (corrupting the tail of ``(t, r + R, h)`` corrupts the head of ``(h, r, t)``).
  ``loss="margin"`` is the margin-ranking loss ``mean relu(margin - s_pos + s_neg)`` (TransE);
  ``loss="logistic"`` Sun et al.'s (RotatE, ICLR 2019) ``-log sigmoid(s_pos) - sum_k w_k log
  sigmoid(-s_neg_k)``, halved, with self-adversarial weights ``w = softmax(alpha s_neg)`` (not
  back-propagated; ``alpha = adversarial_temperature``, 0 = uniform ``1 / K``);
  ``loss="pooled"`` the hypercomplex reference's (``Hypercomplex-KG-Embedding``
  ``models/base.py``) single mean of ``-log sigmoid(s_pos)`` and ``-log sigmoid(-s_neg)`` over
  the ``B`` positives and ``B K`` negatives pooled (a positive weighs ``1 / (K + 1)``).

Model selection as the reference: the filtered validation MRR every ``valid_interval`` epochs,
the parameters of the best one restored at the end; ``patience`` validations without improvement
stop early; ``time_limit`` seconds stop after the epoch that passes it.

Cost per epoch: ``2 N / B`` batches of ``O(B E d)`` (1-N) or ``O(B K d)`` (negative sampling);
memory ``O(B E)`` for the 1-N score block, plus the parameters and Adam's two moments.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.io._triples import FilterIndex, TripleSet
from embedlab.kg._torch import torch
from embedlab.kg.models.base import TRAINING_KEYS, KGModel, generator
from embedlab.kg.ranking import check_ties, rank_queries
from embedlab.utils.progress import progress

__all__ = ["PROTOCOLS", "TrainingHistory", "resolve_training", "train_model"]

logger = logging.getLogger(__name__)

#: protocol -> its losses
PROTOCOLS = {"1-n": ("softplus", "bce"), "negative-sampling": ("margin", "logistic", "pooled")}

#: the optimizers (torch.optim classes by name)
OPTIMIZERS = {"adam": "Adam", "adagrad": "Adagrad"}

#: the trainer's defaults under every model's own ``training`` dict
DEFAULTS: dict[str, Any] = {
    "protocol": "1-n",
    "loss": None,  # the protocol's first loss
    "optimizer": "adam",
    "lr": 0.001,
    "batch_size": 128,
    "decay_rate": 1.0,
    "negatives": 32,
    "margin": 1.0,
    "adversarial_temperature": 0.0,
    "weight_decay": 0.0,
    "label_smoothing": 0.0,
}


def resolve_training(model_cls: type, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Resolve the settings of ``model_cls``: defaults, its ``training_defaults``, overrides.

    ``None`` values in ``overrides`` keep the model's setting; a protocol given without a loss
    takes the model's loss if it fits that protocol, else the protocol's first loss. The result
    is validated.

    Examples
    --------
    >>> from embedlab.kg.models.base import KGModel
    >>> cfg = resolve_training(KGModel, {"lr": 0.01, "batch_size": None})
    >>> cfg["protocol"], cfg["loss"], cfg["lr"], cfg["batch_size"]
    ('1-n', 'softplus', 0.01, 128)
    """
    cfg = dict(DEFAULTS)
    cfg.update(getattr(model_cls, "training_defaults", {}))
    for key, value in (overrides or {}).items():
        if key not in TRAINING_KEYS:
            raise InvalidInputError(
                f"Unknown training setting {key!r}; choose among: "
                f"{', '.join(sorted(TRAINING_KEYS))}."
            )
        if value is not None:
            cfg[key] = value
    if cfg["protocol"] not in PROTOCOLS:
        raise InvalidInputError(
            f"'protocol' must be one of {', '.join(PROTOCOLS)}; got {cfg['protocol']!r}."
        )
    losses = PROTOCOLS[cfg["protocol"]]
    loss_given = (overrides or {}).get("loss") is not None
    if cfg["loss"] is None or (not loss_given and cfg["loss"] not in losses):
        cfg["loss"] = losses[0]  # the model's loss belongs to another protocol
    if cfg["loss"] not in losses:
        raise InvalidInputError(
            f"The {cfg['protocol']!r} protocol takes loss {' or '.join(map(repr, losses))}; "
            f"got {cfg['loss']!r}."
        )
    if cfg["optimizer"] not in OPTIMIZERS:
        raise InvalidInputError(
            f"'optimizer' must be one of {', '.join(OPTIMIZERS)}; got {cfg['optimizer']!r}."
        )
    for key in ("batch_size", "negatives"):
        v = cfg[key]
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
            raise InvalidInputError(f"'{key}' must be an int >= 1; got {v!r}.")
    for key, lo, lo_open, hi in (
        ("lr", 0.0, True, None),
        ("decay_rate", 0.0, True, 1.0),
        ("margin", 0.0, False, None),
        ("adversarial_temperature", 0.0, False, None),
        ("weight_decay", 0.0, False, None),
        ("label_smoothing", 0.0, False, 1.0),
    ):
        v = cfg[key]
        ok = isinstance(v, int | float | np.floating) and not isinstance(v, bool)
        ok = ok and math.isfinite(float(v)) and (float(v) > lo if lo_open else float(v) >= lo)
        ok = ok and (hi is None or float(v) <= hi)
        if not ok:
            rng = f"({lo}, " if lo_open else f"[{lo}, "
            rng += f"{hi}]" if hi is not None else "inf)"
            raise InvalidInputError(f"'{key}' must be a number in {rng}; got {v!r}.")
    return cfg


@dataclass
class TrainingHistory:
    """Per-epoch loss and seconds, validation MRR where measured, the selected epoch."""

    loss: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    valid_mrr: dict[int, float] = field(default_factory=dict)
    best_epoch: int = 0
    best_valid_mrr: float = float("nan")
    stopped: str = "epochs"  # "epochs" | "patience" | "time_limit"

    @property
    def epochs(self) -> int:
        """Epochs trained."""
        return len(self.loss)

    @property
    def epoch_seconds(self) -> float:
        """Mean seconds of a training epoch (validation excluded)."""
        return float(np.mean(self.seconds)) if self.seconds else float("nan")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "epochs": self.epochs,
            "loss": [round(x, 6) for x in self.loss],
            "epoch_seconds": self.epoch_seconds,
            "valid_mrr": {str(k): v for k, v in self.valid_mrr.items()},
            "best_epoch": self.best_epoch,
            "best_valid_mrr": self.best_valid_mrr,
            "stopped": self.stopped,
        }


def model_scorer(model: KGModel) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``score_all`` of ``model`` on NumPy ids, without gradients, in eval mode."""

    def score(heads: np.ndarray, relations: np.ndarray) -> np.ndarray:
        was = model.training
        model.eval()
        with torch.no_grad():
            out = model.score_all(torch.from_numpy(heads), torch.from_numpy(relations))
        model.train(was)
        return out.numpy()

    return score


def _loss(model: KGModel, batch: Any, cfg: dict[str, Any], gen: Any) -> Any:
    heads, rels, tails = batch[:, 0], batch[:, 1], batch[:, 2]
    if cfg["protocol"] == "1-n":
        # softplus(-s) = softplus(s) - s, so with one-hot targets y both losses are
        # sum_e softplus(s_e) minus a sum of y_e s_e: no dense [B, E] target is built
        scores = model.score_all(heads, rels)
        pos = scores.gather(1, tails[:, None]).squeeze(1)
        sp = torch.nn.functional.softplus(scores)
        if cfg["loss"] == "softplus":
            return (sp.sum(-1) - pos).mean()
        eps = float(cfg["label_smoothing"])
        n_e = scores.shape[1]
        ys = (1.0 - eps) * pos.sum() + (eps / n_e) * scores.sum() if eps else pos.sum()
        return (sp.sum() - ys) / scores.numel()
    neg = torch.randint(0, model.n_entities, (len(tails), int(cfg["negatives"])), generator=gen)
    pos_s = model.score(heads, rels, tails)
    neg_s = model.score(heads, rels, neg)
    if cfg["loss"] == "margin":
        return torch.relu(float(cfg["margin"]) - pos_s[:, None] + neg_s).mean()
    alpha = float(cfg["adversarial_temperature"])
    if alpha > 0:
        w = torch.softmax(alpha * neg_s.detach(), dim=-1)
    else:
        w = torch.full_like(neg_s, 1.0 / neg_s.shape[1])
    pos_l = -torch.nn.functional.logsigmoid(pos_s)
    if cfg["loss"] == "pooled":  # one mean over the B positives and B K negatives together
        neg_all = -torch.nn.functional.logsigmoid(-neg_s)
        return (pos_l.sum() + neg_all.sum()) / (pos_l.numel() + neg_all.numel())
    neg_l = -(w * torch.nn.functional.logsigmoid(-neg_s)).sum(-1)
    return ((pos_l + neg_l) / 2.0).mean()


def train_model(
    model: KGModel,
    triples: TripleSet,
    *,
    epochs: int,
    config: dict[str, Any],
    random_state: int,
    valid_interval: int = 1,
    patience: int | None = None,
    ties: str = "pessimistic",
    time_limit: float | None = None,
    filter_index: FilterIndex | None = None,
    show_progress: bool = True,
) -> TrainingHistory:
    """Train ``model`` on ``triples.train`` in place; return the history.

    ``config`` is :func:`resolve_training`'s result. With a validation split and
    ``valid_interval > 0`` the parameters of the best validation epoch are restored at the end;
    without one, the last epoch's are kept.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int | np.integer) or epochs < 1:
        raise InvalidInputError(f"'epochs' must be an int >= 1; got {epochs!r}.")
    check_ties(ties)
    if isinstance(valid_interval, bool) or not isinstance(valid_interval, int | np.integer):
        raise InvalidInputError(f"'valid_interval' must be an int >= 0; got {valid_interval!r}.")
    if valid_interval < 0:
        raise InvalidInputError(f"'valid_interval' must be an int >= 0; got {valid_interval!r}.")
    if patience is not None and (
        isinstance(patience, bool) or not isinstance(patience, int | np.integer) or patience < 1
    ):
        raise InvalidInputError(f"'patience' must be an int >= 1 or None; got {patience!r}.")
    if time_limit is not None and not (
        isinstance(time_limit, int | float) and not isinstance(time_limit, bool) and time_limit > 0
    ):
        raise InvalidInputError(f"'time_limit' must be seconds > 0 or None; got {time_limit!r}.")
    if model.n_relations != 2 * triples.n_relations or model.n_entities != triples.n_entities:
        raise InvalidInputError(
            f"The model embeds {model.n_entities} entities and {model.n_relations} relation ids; "
            f"{triples.name!r} needs {triples.n_entities} and {2 * triples.n_relations} "
            "(reciprocals included)."
        )
    validate = valid_interval > 0 and len(triples.valid) > 0
    fi = (
        filter_index if filter_index is not None else (triples.filter_index() if validate else None)
    )
    rng = np.random.default_rng(random_state)
    gen = generator(random_state + 1)
    data = torch.from_numpy(triples.queries("train"))
    opt = getattr(torch.optim, OPTIMIZERS[config["optimizer"]])(
        model.parameters(), lr=float(config["lr"]), weight_decay=float(config["weight_decay"])
    )
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=float(config["decay_rate"]))
    bs = int(config["batch_size"])
    hist = TrainingHistory()
    best_state: dict[str, Any] | None = None
    since_best = 0
    t_start = time.perf_counter()
    desc = f"{type(model).__name__} on {triples.name}"
    with progress(
        desc, epochs, min_total=1 if show_progress else math.inf, fields={"info": ""}
    ) as bar:
        for epoch in range(1, int(epochs) + 1):
            t0 = time.perf_counter()
            model.train()
            perm = torch.from_numpy(rng.permutation(len(data)))
            total = 0.0
            for start in range(0, len(data), bs):
                batch = data[perm[start : start + bs]]
                loss = _loss(model, batch, config, gen) + model.regularization()
                if not torch.isfinite(loss):
                    raise InvalidInputError(
                        f"The training loss became {loss.item()} at epoch {epoch}: lower the "
                        f"learning rate (now {config['lr']})."
                    )
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(batch)
            sched.step()
            hist.loss.append(total / len(data))
            hist.seconds.append(time.perf_counter() - t0)
            info = f"loss {hist.loss[-1]:.4f}"
            if validate and epoch % valid_interval == 0:
                mrr = rank_queries(
                    model_scorer(model), triples, "valid", ties=ties, filter_index=fi
                )["mrr"]
                hist.valid_mrr[epoch] = mrr
                info += f", valid MRR {mrr:.4f}"
                if not hist.best_epoch or mrr > hist.best_valid_mrr:
                    hist.best_epoch, hist.best_valid_mrr = epoch, mrr
                    best_state = copy.deepcopy(model.state_dict())
                    since_best = 0
                else:
                    since_best += 1
            bar.advance(1, info=info)
            logger.debug("%s epoch %d: %s", desc, epoch, info)
            if patience is not None and since_best >= patience:
                hist.stopped = "patience"
                break
            if time_limit is not None and time.perf_counter() - t_start >= time_limit:
                hist.stopped = "time_limit"
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    else:
        hist.best_epoch = hist.epochs
    model.eval()
    return hist
