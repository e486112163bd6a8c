"""The contract of a metric-learning objective (:data:`embedlab.registry.LOSSES`).

A loss is a ``torch.nn.Module`` called on a batch of embeddings and their labels::

    loss(embeddings [B, d] float, labels [B] int64, reference=None) -> scalar tensor

``labels`` are class ids (any ints for the pair- and triplet-based losses; ``0 .. n_classes - 1``
for a classification head such as EBV). A loss with ``needs_reference = True`` (harmonic
embeddings) also takes ``reference`` ``[B, d]``: a frozen older model's embeddings of the same
batch. :meth:`MetricLoss.for_task` builds a loss for a task of ``n_classes`` classes in
``embedding_dim`` dimensions (a fixed head is generated there, never in ``__init__``); every
registered loss can be built that way with its defaults, which is what the contract checks
(:func:`embedlab.testing.loss_checks`) and the trainer (:func:`embedlab.losses.train_encoder`)
rely on.

Two hooks let a loss reach past one batch's embeddings; :func:`~embedlab.losses.train_encoder`
calls both. :meth:`MetricLoss.batch_loss` (by default ``loss(encoder(inputs), labels,
reference)``) is overridden by a loss that mixes inputs or hidden features (Metrix) or embeds two
augmented views (SimLAP), and
:meth:`MetricLoss.start_epoch` (by default nothing) by one that needs the whole training set
between epochs (ADSL's re-clustering and its growth on plateaus).
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.losses._torch import torch

__all__ = ["MetricLoss", "check_batch"]


def _shape(x: Any) -> str:
    return str(tuple(x.shape)) if isinstance(x, torch.Tensor) else f"a {type(x).__name__}"


def check_batch(embeddings: Any, labels: Any, reference: Any = None) -> None:
    """Raise a one-line error unless the arguments form a valid batch.

    ``embeddings`` ``[B, d]`` float, ``labels`` ``[B]`` int, and ``reference``, when given, of
    the shape of ``embeddings``.
    """
    if not isinstance(embeddings, torch.Tensor) or embeddings.ndim != 2:
        raise InvalidInputError(
            f"'embeddings' must be a 2-D float tensor; got {_shape(embeddings)}."
        )
    if not embeddings.is_floating_point():
        raise InvalidInputError(f"'embeddings' must be floating point; got {embeddings.dtype}.")
    if not isinstance(labels, torch.Tensor) or labels.shape != (len(embeddings),):
        raise InvalidInputError(
            f"'labels' must be an int tensor of shape ({len(embeddings)},); got {_shape(labels)}."
        )
    if labels.is_floating_point() or labels.dtype == torch.bool:
        raise InvalidInputError(f"'labels' must be an int tensor; got {labels.dtype}.")
    if reference is not None and (
        not isinstance(reference, torch.Tensor) or reference.shape != embeddings.shape
    ):
        raise InvalidInputError(
            f"'reference' must be a tensor of the embeddings' shape "
            f"{tuple(embeddings.shape)}; got {_shape(reference)}."
        )


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise InvalidInputError(f"'{name}' must be an int >= 1; got {value!r}.")
    return int(value)


def _positive_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidInputError(f"'{name}' must be a number > 0; got {value!r}.")
    return float(value)


class MetricLoss(torch.nn.Module, ABC):
    """A metric-learning objective over a labelled batch of embeddings."""

    #: the :data:`embedlab.registry.LOSSES` key
    name: ClassVar[str]
    #: whether ``forward`` needs a frozen model's embeddings of the same batch (``reference``)
    needs_reference: ClassVar[bool] = False

    @classmethod
    def for_task(
        cls, *, n_classes: int, embedding_dim: int, random_state: int = 0, **params: Any
    ) -> MetricLoss:
        """Build the loss for ``n_classes`` classes in ``embedding_dim`` dimensions.

        The pair- and triplet-based losses need neither (``random_state`` seeds their random
        draws, when they take one); a classification head (EBV) generates its fixed class
        vectors here from ``random_state``.
        """
        _positive_int("n_classes", n_classes)
        _positive_int("embedding_dim", embedding_dim)
        if "random_state" in inspect.signature(cls.__init__).parameters:
            params = {"random_state": random_state, **params}
        return cls(**params)

    def batch_loss(self, encoder: Any, inputs: Any, labels: Any, *, reference: Any = None) -> Any:
        """Return the loss of one training batch of raw ``inputs`` through ``encoder``.

        ``reference`` is the frozen model's embeddings of the batch, for a loss that
        ``needs_reference``. The default is ``self(encoder(inputs), labels, reference=...)``.
        """
        return self(encoder(inputs), labels, reference=reference)

    def start_epoch(
        self, encoder: Any, inputs: Any, labels: Any, *, epoch: int, history: list[float]
    ) -> None:
        """Prepare for epoch ``epoch`` (0-based) of training on the whole set ``(inputs, labels)``.

        ``history`` holds the mean loss of each finished epoch. The default does nothing.
        """

    @abstractmethod
    def forward(self, embeddings: Any, labels: Any, reference: Any = None) -> Any:
        """Return the scalar loss of the batch."""
