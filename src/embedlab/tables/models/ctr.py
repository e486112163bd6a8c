"""CTR models over field vectors ``[B, F, D]``: DeepFM and DCN-v2, each returning logits ``[B]``.

The field vectors come from any :class:`~embedlab.tables.fields.FieldEmbedding`.

* **DeepFM** (Guo et al., IJCAI 2017): ``y = sigmoid(b + sum_f w_f + sum_{f<g} <v_f, v_g> +
  MLP([v_1 .. v_F]))``. The per-ID first-order weight ``w_f`` is the last coordinate of the field
  vector and ``v_f`` the other ``D - 1``, so one table row holds both and a compressed table
  compresses both. The pairwise term uses the O(F D) identity ``1/2 ((sum v)^2 - sum v^2)``.
* **DCN-v2** (Wang et al., WWW 2021), stacked: ``x_{l+1} = x_0 * (W_l x_l + b_l) + x_l`` for
  ``cross_layers`` full-rank layers on ``x_0 = [v_1 .. v_F]``, then an MLP and a linear output.

Parameters are initialised from a ``torch.Generator`` seeded by ``random_state`` (PyTorch's
default ``Linear`` scheme, U(-1/sqrt(fan_in), 1/sqrt(fan_in))), never from the global RNG.
Every model is registered in :data:`embedlab.registry.CTR_MODELS` under its ``name`` and
built by :func:`make_ctr_model`.

Cost per example: DeepFM ``O(F D + MLP)``; DCN-v2 ``O(cross_layers (F D)^2 + MLP)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.registry import CTR_MODELS
from embedlab.tables._torch import torch
from embedlab.tables.base import _check_rows, _generator
from embedlab.utils.validation import resolve_seed

__all__ = ["DCNv2", "DeepFM", "make_ctr_model"]


def _init_(module: Any, gen: Any) -> None:
    for m in module.modules():
        if isinstance(m, torch.nn.Linear):
            bound = 1.0 / float(np.sqrt(m.in_features))
            with torch.no_grad():
                m.weight.uniform_(-bound, bound, generator=gen)
                if m.bias is not None:
                    m.bias.uniform_(-bound, bound, generator=gen)


def _mlp(d_in: int, hidden: tuple[int, ...]) -> Any:
    layers: list[Any] = []
    for h in hidden:
        layers += [torch.nn.Linear(d_in, h), torch.nn.ReLU()]
        d_in = h
    return torch.nn.Sequential(*layers), d_in


class DeepFM(torch.nn.Module):
    """DeepFM on ``num_fields`` field vectors of ``field_dim`` (>= 2) coordinates.

    ``logit = b + sum_f w_f + sum_{f<g} <v_f, v_g> + MLP([v_1 .. v_F])``, with ``w_f`` the last
    coordinate of field ``f``'s vector and ``v_f`` the others.

    Parameters
    ----------
    num_fields : int
        Fields ``F``.
    field_dim : int
        Coordinates ``D`` per field vector (``D - 1`` factors and the first-order weight).
    hidden : tuple of int, default=(128, 64)
        Widths of the MLP's ReLU layers.
    random_state : int, Generator or None
        Seed of the initialisation.

    Examples
    --------
    >>> net = DeepFM(num_fields=3, field_dim=4, hidden=(8,), random_state=0)
    >>> net(torch.zeros(5, 3, 4)).shape
    torch.Size([5])
    """

    name = "deepfm"

    def __init__(
        self,
        *,
        num_fields: int,
        field_dim: int,
        hidden: tuple[int, ...] = (128, 64),
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.num_fields = _check_rows(num_fields, "num_fields")
        if field_dim < 2:
            raise InvalidInputError(
                f"DeepFM needs field_dim >= 2 (factors + first-order weight), got {field_dim}."
            )
        self.field_dim = int(field_dim)
        self.deep, d_out = _mlp(self.num_fields * (self.field_dim - 1), tuple(hidden))
        self.out = torch.nn.Linear(d_out, 1)
        self.bias = torch.nn.Parameter(torch.zeros(1))
        _init_(self, _generator(resolve_seed(random_state, "DeepFM")))

    def forward(self, fields: Any) -> Any:
        """Logits ``[B]`` of field vectors ``[B, F, D]``."""
        v, w = fields[..., :-1], fields[..., -1]
        s = v.sum(dim=1)
        pair = 0.5 * (s * s - (v * v).sum(dim=1)).sum(dim=1)
        deep = self.out(self.deep(v.reshape(v.shape[0], -1))).squeeze(1)
        return self.bias + w.sum(dim=1) + pair + deep


class DCNv2(torch.nn.Module):
    """DCN-v2 (stacked cross network + MLP) on ``num_fields`` vectors of ``field_dim``.

    ``x_{l+1} = x_0 * (W_l x_l + b_l) + x_l`` on ``x_0 = [v_1 .. v_F]``, then the MLP and a
    linear output.

    Parameters
    ----------
    num_fields : int
        Fields ``F``.
    field_dim : int
        Coordinates ``D`` per field vector.
    cross_layers : int, default=2
        Full-rank cross layers.
    hidden : tuple of int, default=(128, 64)
        Widths of the MLP's ReLU layers.
    random_state : int, Generator or None
        Seed of the initialisation.

    Examples
    --------
    >>> net = DCNv2(num_fields=2, field_dim=3, hidden=(4,), random_state=0)
    >>> net(torch.zeros(5, 2, 3)).shape
    torch.Size([5])
    """

    name = "dcnv2"

    def __init__(
        self,
        *,
        num_fields: int,
        field_dim: int,
        cross_layers: int = 2,
        hidden: tuple[int, ...] = (128, 64),
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.num_fields = _check_rows(num_fields, "num_fields")
        self.field_dim = _check_rows(field_dim, "field_dim")
        d = self.num_fields * self.field_dim
        self.cross = torch.nn.ModuleList(
            torch.nn.Linear(d, d) for _ in range(_check_rows(cross_layers, "cross_layers"))
        )
        self.deep, d_out = _mlp(d, tuple(hidden))
        self.out = torch.nn.Linear(d_out, 1)
        _init_(self, _generator(resolve_seed(random_state, "DCNv2")))

    def forward(self, fields: Any) -> Any:
        """Logits ``[B]`` of field vectors ``[B, F, D]``."""
        x0 = fields.reshape(fields.shape[0], -1)
        x = x0
        for layer in self.cross:
            x = x0 * layer(x) + x
        return self.out(self.deep(x)).squeeze(1)


def make_ctr_model(name: str, *, num_fields: int, field_dim: int, random_state: int = 0) -> Any:
    """Make a registered CTR model (:data:`embedlab.registry.CTR_MODELS`) with its defaults.

    Parameters
    ----------
    name : str
        The registry key (``"deepfm"``, ``"dcnv2"``).
    num_fields, field_dim : int
        The input ``[B, F, D]``.
    random_state : int, default=0
        Seed of the initialisation.

    Returns
    -------
    torch.nn.Module

    Examples
    --------
    >>> type(make_ctr_model("deepfm", num_fields=2, field_dim=4)).__name__
    'DeepFM'
    """
    return CTR_MODELS.make(
        name, num_fields=num_fields, field_dim=field_dim, random_state=random_state
    )
