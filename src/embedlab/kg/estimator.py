"""``KGEmbedding``: train any registered KG model on a TripleSet, evaluate it, export its rows.

The estimator builds the model named by ``model`` (:data:`embedlab.registry.KG_MODELS`) with
``n_relations = 2 R`` (reciprocal relations), trains it with :func:`embedlab.kg.training
.train_model` under the model's own protocol unless told otherwise, keeps the parameters of the
best validation epoch, and exposes

* ``embeddings_`` (float32 ``[E, parts d]``) and ``ids_`` (entity labels): the entity rows,
  exported by :meth:`KGEmbedding.to_embedding_set` like any embedder's, so the store, the
  explorer and the evaluators take them;
* ``relation_embeddings_`` and ``relation_ids_`` (``r`` and ``r^-1`` for each relation ``r``);
* ``history_`` (loss, epoch seconds, validation MRR, the selected epoch), ``model_``, ``seed_``;
* :meth:`KGEmbedding.evaluate`: filtered MRR / Hits@k of a split.

Cost: that of the model's protocol (see :mod:`embedlab.kg.training`), times ``epochs``, plus one
filtered ranking of the validation split per ``valid_interval`` epochs.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import numpy as np

from embedlab.base import BaseEmbedder, check_is_fitted
from embedlab.exceptions import InvalidInputError
from embedlab.io._triples import TripleSet
from embedlab.kg._torch import torch
from embedlab.kg.models.base import KGModel
from embedlab.kg.ranking import TIES, rank_queries
from embedlab.kg.training import model_scorer, resolve_training, train_model
from embedlab.registry import KG_MODELS, normalize_name
from embedlab.utils.validation import Interval, Options, Predicate, resolve_seed

__all__ = ["KGEmbedding"]

logger = logging.getLogger(__name__)


def _threads(n_jobs: int | None) -> int:
    return torch.get_num_threads() if n_jobs is None else int(n_jobs)


class KGEmbedding(BaseEmbedder):
    """Train a knowledge-graph model on a :class:`~embedlab.io.TripleSet`.

    Parameters
    ----------
    model : str or KGModel subclass, default="nfe-1"
        A name in :data:`embedlab.registry.KG_MODELS` (``nfe-1``, ``nfe-2``, ``distmult``, ...)
        or a model class of one's own.
    embedding_dim : int, default=64
        ``d``, the size of each part of a row (NFE-2 entity rows have 3 d coordinates).
    epochs : int, default=60
        Training epochs (at most).
    protocol, loss, optimizer, lr, batch_size, decay_rate, negatives, margin, \
adversarial_temperature, weight_decay, label_smoothing : optional
        Training settings; ``None`` keeps the model's own (its ``training_defaults``; see
        :mod:`embedlab.kg.training`).
    model_params : dict, optional
        Extra keyword arguments of the model (``{"gamma": 1.0}``).
    model_inputs : dict, optional
        Options of the model's :meth:`~embedlab.kg.models.base.KGModel.inputs_from` (the text
        encoder of the multi-view models: ``{"encode": SentenceEncoder().encode}``).
    valid_interval : int, default=1
        Validate (filtered MRR) every this many epochs; 0 never (the last epoch is kept).
    patience : int, optional
        Stop after this many validations without a better MRR.
    ties : {"pessimistic", "optimistic", "realistic"}, default="pessimistic"
        Tie rule of validation and :meth:`evaluate` (see :mod:`embedlab.kg.ranking`).
    time_limit : float, optional
        Seconds after which training stops (checked after each epoch).
    n_jobs : int, optional
        Torch threads while fitting (restored afterwards); ``None`` keeps torch's setting.
    progress : bool, default=True
        Show an epoch bar (loss, validation MRR) on stderr for long runs.
    random_state : int, Generator or None
        Seed of the initialisation, the shuffles and the negatives.

    Examples
    --------
    >>> from embedlab.io import TripleSet
    >>> ts = TripleSet.from_labels([("a", "r", "b"), ("b", "r", "c"), ("c", "r", "a")])
    >>> est = KGEmbedding(model="distmult", embedding_dim=4, epochs=2, random_state=0).fit(ts)
    >>> est.embeddings_.shape, list(est.ids_), est.relation_ids_.tolist()
    ((3, 4), ['a', 'b', 'c'], ['r', 'r^-1'])
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "model": [
            Predicate(
                lambda v: v in KG_MODELS or (isinstance(v, type) and issubclass(v, KGModel)),
                f"one of {', '.join(KG_MODELS.names())} or a KGModel subclass",
            )
        ],
        "embedding_dim": [Interval(int, 1, None)],
        "epochs": [Interval(int, 1, None)],
        "valid_interval": [Interval(int, 0, None)],
        "patience": [Interval(int, 1, None), None],
        "ties": [Options(str, set(TIES))],
        "time_limit": [Interval(float, 0, None, closed="neither"), None],
        "n_jobs": [Interval(int, 1, None), None],
        "progress": [bool],
        "model_params": [dict, None],
        "model_inputs": [dict, None],
    }

    def __init__(
        self,
        *,
        model: str = "nfe-1",
        embedding_dim: int = 64,
        epochs: int = 60,
        protocol: str | None = None,
        loss: str | None = None,
        optimizer: str | None = None,
        lr: float | None = None,
        batch_size: int | None = None,
        decay_rate: float | None = None,
        negatives: int | None = None,
        margin: float | None = None,
        adversarial_temperature: float | None = None,
        weight_decay: float | None = None,
        label_smoothing: float | None = None,
        model_params: dict[str, Any] | None = None,
        model_inputs: dict[str, Any] | None = None,
        valid_interval: int = 1,
        patience: int | None = None,
        ties: str = "pessimistic",
        time_limit: float | None = None,
        n_jobs: int | None = None,
        progress: bool = True,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.model = model
        self.embedding_dim = embedding_dim
        self.epochs = epochs
        self.protocol = protocol
        self.loss = loss
        self.optimizer = optimizer
        self.lr = lr
        self.batch_size = batch_size
        self.decay_rate = decay_rate
        self.negatives = negatives
        self.margin = margin
        self.adversarial_temperature = adversarial_temperature
        self.weight_decay = weight_decay
        self.label_smoothing = label_smoothing
        self.model_params = model_params
        self.model_inputs = model_inputs
        self.valid_interval = valid_interval
        self.patience = patience
        self.ties = ties
        self.time_limit = time_limit
        self.n_jobs = n_jobs
        self.progress = progress
        self.random_state = random_state

    def training_config(self) -> dict[str, Any]:
        """Resolve the training settings (the model's own under this estimator's overrides)."""
        self._validate_params()
        overrides = {
            k: getattr(self, k)
            for k in (
                "protocol",
                "loss",
                "optimizer",
                "lr",
                "batch_size",
                "decay_rate",
                "negatives",
                "margin",
                "adversarial_temperature",
                "weight_decay",
                "label_smoothing",
            )
        }
        return resolve_training(self._model_class(), overrides)

    def _model_class(self) -> type:
        return self.model if isinstance(self.model, type) else KG_MODELS.get(self.model)

    def _model_name(self) -> str:
        if isinstance(self.model, type):
            return str(getattr(self.model, "name", "") or self.model.__name__)
        return normalize_name(self.model)

    def _build(self, triples: TripleSet, seed: int) -> Any:
        cls = self._model_class()
        extra = cls.inputs_from(triples, **(self.model_inputs or {}))  # type: ignore[attr-defined]
        params = dict(self.model_params or {})
        clash = sorted(set(params) & {"n_entities", "n_relations", "embedding_dim", "random_state"})
        if clash:
            raise InvalidInputError(
                f"'model_params' must not set {clash}: they come from the data and the estimator."
            )
        try:
            return cls(
                n_entities=triples.n_entities,
                n_relations=2 * triples.n_relations,
                embedding_dim=self.embedding_dim,
                random_state=seed,
                **extra,
                **params,
            )
        except TypeError as exc:  # an unknown model parameter
            raise InvalidInputError(
                f"Bad 'model_params' for {self._model_name()!r}: {exc}."
            ) from None

    def fit(self, X: TripleSet, y: Any = None) -> KGEmbedding:
        """Train on ``X.train`` (selecting the epoch on ``X.valid``); return ``self``."""
        if not isinstance(X, TripleSet):
            raise InvalidInputError(
                f"KGEmbedding.fit takes a TripleSet (embedlab.datasets.load_kg); got "
                f"{type(X).__name__}."
            )
        cfg = self.training_config()
        seed = resolve_seed(self.random_state, "KGEmbedding")
        before = torch.get_num_threads()
        torch.set_num_threads(_threads(self.n_jobs))
        try:
            model = self._build(X, seed)
            hist = train_model(
                model,
                X,
                epochs=self.epochs,
                config=cfg,
                random_state=seed,
                valid_interval=self.valid_interval,
                patience=self.patience,
                ties=self.ties,
                time_limit=self.time_limit,
                show_progress=self.progress,
            )
        finally:
            torch.set_num_threads(before)
        self.model_ = model
        self.history_ = hist
        self.training_ = cfg
        self.seed_ = seed
        self.triples_ = X
        self.ids_ = np.asarray(X.entities, dtype=object)
        self.embeddings_ = np.ascontiguousarray(model.entity_embeddings(), dtype=np.float32)
        self.relation_ids_ = np.array(
            [*map(str, X.relations), *(f"{r}^-1" for r in X.relations)], dtype=object
        )
        self.relation_embeddings_ = np.ascontiguousarray(
            model.relation_embeddings(), dtype=np.float32
        )
        return self

    def evaluate(
        self,
        split: str = "test",
        *,
        triples: TripleSet | None = None,
        ties: str | None = None,
        filtered: bool = True,
        batch_size: int = 512,
    ) -> dict[str, Any]:
        """Compute filtered MRR / MR / Hits@1,3,10 of ``split`` (both directions; ``rank_queries``).

        ``triples`` defaults to the fitted TripleSet (another one must share its vocabularies).
        """
        check_is_fitted(self, "model_")
        ts = self.triples_ if triples is None else triples
        same = ts is self.triples_ or (
            np.array_equal(ts.entities, self.triples_.entities)
            and np.array_equal(ts.relations, self.triples_.relations)
        )
        if not same:
            raise InvalidInputError(
                "The TripleSet's vocabularies differ from the ones the model was trained on "
                "(the same entities and relations, in the same order, are needed)."
            )
        return rank_queries(
            model_scorer(self.model_),
            ts,
            split,
            ties=self.ties if ties is None else ties,
            filtered=filtered,
            batch_size=batch_size,
        )

    def _metadata(self, source: str | None) -> dict[str, Any]:
        from embedlab._version import __version__
        from embedlab.base import _jsonable

        params = {k: _jsonable(v) for k, v in self.get_params().items()}
        params["model"] = self._model_name()
        params["random_state"] = self.seed_
        if self.model_inputs:  # callables (a text encoder) are named, not stored
            params["model_inputs"] = {
                k: getattr(v, "__qualname__", type(v).__name__) if callable(v) else _jsonable(v)
                for k, v in self.model_inputs.items()
            }
        return {
            "method": f"kg:{self._model_name()}",
            "parameters": params,
            "training": {k: _jsonable(v) for k, v in self.training_.items()},
            "seed": self.seed_,
            "embedlab_version": __version__,
            "source": source or self.triples_.name,
            "best_epoch": self.history_.best_epoch,
            "best_valid_mrr": (
                None if np.isnan(self.history_.best_valid_mrr) else self.history_.best_valid_mrr
            ),
        }

    def to_embedding_set(self, *, source: str | None = None, **extra: Any) -> Any:
        """Return the entity rows as an :class:`~embedlab.io.EmbeddingSet` (``kg:<model>``)."""
        from embedlab.io import EmbeddingSet

        check_is_fitted(self, "model_")
        md = {**self._metadata(source), "kind": "entities", **extra}
        return EmbeddingSet(ids=self.ids_, vectors=self.embeddings_, metadata=md)

    def relations_embedding_set(self, *, source: str | None = None) -> Any:
        """Return the relation rows (``r``, ``r^-1``) as an :class:`~embedlab.io.EmbeddingSet`."""
        from embedlab.io import EmbeddingSet

        check_is_fitted(self, "model_")
        md = {**self._metadata(source), "kind": "relations"}
        return EmbeddingSet(ids=self.relation_ids_, vectors=self.relation_embeddings_, metadata=md)
