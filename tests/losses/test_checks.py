"""The loss contract checks fail on broken losses (so passing them means something)."""

from typing import ClassVar

import pytest

from embedlab.losses.base import MetricLoss, check_batch
from embedlab.testing._loss_checks import (
    check_loss_errors,
    check_loss_is_deterministic,
    check_loss_learns_planted_classes,
    check_loss_name_and_constructor,
    check_loss_value_and_gradient,
)


class Inert(MetricLoss):
    """Validates its batch and learns nothing."""

    name: ClassVar[str] = "facenet-triplet"  # a registered key, but not this class's

    def forward(self, embeddings, labels, reference=None):
        check_batch(embeddings, labels)
        return (embeddings * 0.0).sum()


class Careless(Inert):
    def forward(self, embeddings, labels, reference=None):
        return embeddings.pow(2).mean()


def test_a_loss_that_learns_nothing_fails_the_learning_and_gradient_checks():
    with pytest.raises(AssertionError, match="Recall@1"):
        check_loss_learns_planted_classes(Inert)
    with pytest.raises(AssertionError, match="no finite, non-zero embedding gradient"):
        check_loss_value_and_gradient(Inert)


def test_a_class_under_another_name_fails_the_name_check():
    with pytest.raises(AssertionError, match="is not its LOSSES key"):
        check_loss_name_and_constructor(Inert)


def test_a_loss_that_accepts_any_batch_fails_the_error_check():
    with pytest.raises(AssertionError, match="accepted a bad batch"):
        check_loss_errors(Careless)


class Unseeded(Inert):
    _count = 0

    def forward(self, embeddings, labels, reference=None):
        check_batch(embeddings, labels)
        Unseeded._count += 1  # a loss whose value depends on hidden state
        return embeddings.sum() * Unseeded._count


def test_a_loss_that_is_not_deterministic_fails_the_determinism_check():
    with pytest.raises(AssertionError, match="the same seed gave two loss values"):
        check_loss_is_deterministic(Unseeded)
