r"""Shared pieces of the NFE and baseline models: separable scores and hyper-parameter checks.

Most models here score a query ``q = (h, r)`` against a tail ``t`` with a *separable* form

.. math:: s(q, t) = a(q) + b(t) + \langle \phi(q), \psi(t) \rangle,

where ``a``/``b`` are scalars and ``phi``/``psi`` feature vectors of length ``k d``. Then 1-N
scoring of ``B`` queries against ``E`` entities is one ``[B, k d] x [k d, E]`` matrix product,
``O(B E k d)`` time and ``O(B E + E k d)`` memory, and a point-wise score with ``K`` tails per
query is ``O(B K k d)``; both use the same features, so they agree to rounding.
:class:`SeparableModel` implements ``score_all`` and ``score`` from the two feature maps.
"""

from __future__ import annotations

import math
import numbers
from abc import abstractmethod
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.kg._torch import torch
from embedlab.kg.models.base import KGModel

__all__ = ["SeparableModel", "as_rows", "check_real", "tails_as_matrix"]


def check_real(owner: str, name: str, value: Any, *, minimum: float | None = None) -> float:
    """Return ``value`` as a float, raising when it is not a finite real (``>= minimum``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputError(f"'{name}' of {owner} must be a real number; got {value!r}.")
    out = float(value)
    if not math.isfinite(out):
        raise InvalidInputError(f"'{name}' of {owner} must be finite; got {out!r}.")
    if minimum is not None and out < minimum:
        raise InvalidInputError(
            f"'{name}' of {owner} must be >= {minimum:g}; got {out!r}. Pass a value >= {minimum:g}."
        )
    return out


def tails_as_matrix(tails: Any) -> tuple[Any, bool]:
    """``tails`` as ``[B, K]`` and whether it was ``[B]`` (to squeeze the result back)."""
    if tails.dim() == 1:
        return tails[:, None], True
    if tails.dim() == 2:
        return tails, False
    raise InvalidInputError(
        f"'tails' must have shape [B] or [B, K]; got a tensor with shape {tuple(tails.shape)}."
    )


def as_rows(param: Any) -> np.ndarray:
    """Copy a parameter to a float32 NumPy array (detached, on the CPU)."""
    return param.detach().to("cpu", torch.float32).numpy().copy()


class SeparableModel(KGModel):
    """A model whose score is ``a(q) + b(t) + <phi(q), psi(t)>`` (see the module docstring).

    Subclasses keep their entity rows in the parameter ``entity`` ``[E, parts * d]`` and their
    relation rows in ``relation``, and implement :meth:`query_features` and
    :meth:`tail_features`.
    """

    entity: Any  # the [E, parts * d] parameter, set by the subclass
    relation: Any

    @abstractmethod
    def query_features(self, heads: Any, relations: Any) -> tuple[Any, Any]:
        """Return ``(a [B] or None, phi [B, k])`` of the queries ``(heads[i], relations[i])``."""

    @abstractmethod
    def tail_features(self, rows: Any) -> tuple[Any, Any]:
        """Return ``(b [...] or None, psi [..., k])`` of entity rows ``[..., parts * d]``."""

    def score_all(self, heads: Any, relations: Any) -> Any:
        """Scores ``[B, E]``: one matrix product of the query and tail features."""
        a, phi = self.query_features(heads, relations)
        b, psi = self.tail_features(self.entity)
        out = phi @ psi.T
        if a is not None:
            out = out + a[:, None]
        if b is not None:
            out = out + b[None, :]
        return out

    def score(self, heads: Any, relations: Any, tails: Any) -> Any:
        """Scores of the given tails (``[B]`` or ``[B, K]``), ``O(B K k d)``."""
        tails2, squeeze = tails_as_matrix(tails)
        a, phi = self.query_features(heads, relations)
        b, psi = self.tail_features(self.entity[tails2])  # [B, K], [B, K, k]
        out = torch.bmm(psi, phi[:, :, None])[:, :, 0]
        if a is not None:
            out = out + a[:, None]
        if b is not None:
            out = out + b
        return out[:, 0] if squeeze else out

    def entity_embeddings(self) -> np.ndarray:
        """Entity rows ``[E, parts * d]`` (the parameter), float32, in id order."""
        return as_rows(self.entity)

    def relation_embeddings(self) -> np.ndarray:
        """Relation rows (the parameter), float32, in id order."""
        return as_rows(self.relation)
