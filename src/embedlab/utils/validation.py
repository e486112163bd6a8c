"""Parameter validation with messages that name the parameter, the value and the fix.

Modelled on scikit-learn's ``_param_validation``: an estimator declares ``_parameter_constraints``
(a dict of parameter name -> list of constraints) and calls :func:`validate_params` at the start of
``fit``. A constraint is a type, ``None``, an :class:`Interval`, an :class:`Options` set or a
callable returning ``True`` for acceptable values.
"""

from __future__ import annotations

import logging
import math
import numbers
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError

__all__ = [
    "Interval",
    "Options",
    "Predicate",
    "check_array",
    "check_random_state",
    "resolve_seed",
    "validate_params",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Interval:
    """A real or integer interval; ``None`` bounds are infinite.

    >>> Interval(int, 1, None).describe()
    'an int in the range [1, inf)'
    >>> Interval(float, 0, 1, closed="right").contains(0.0)
    False
    """

    kind: type
    left: float | None
    right: float | None
    closed: str = "both"  # "both", "left", "right" or "neither"

    def contains(self, value: Any) -> bool:
        """Tell whether ``value`` satisfies the constraint."""
        if isinstance(value, bool | np.bool_):
            return False
        if self.kind is int and not isinstance(value, numbers.Integral):
            return False
        if self.kind is float and not isinstance(value, numbers.Real):
            return False
        v = float(value)
        if math.isnan(v):
            return False
        left_open = self.closed in ("right", "neither")
        right_open = self.closed in ("left", "neither")
        if self.left is not None and (v < self.left or (v == self.left and left_open)):
            return False
        return not (self.right is not None and (v > self.right or (v == self.right and right_open)))

    def describe(self) -> str:
        """Describe the constraint for error messages (``an int in the range [1, inf)``)."""
        lb = "[" if self.closed in ("both", "left") and self.left is not None else "("
        rb = "]" if self.closed in ("both", "right") and self.right is not None else ")"
        left = "-inf" if self.left is None else _fmt(self.left)
        right = "inf" if self.right is None else _fmt(self.right)
        name = "an int" if self.kind is int else "a float"
        return f"{name} in the range {lb}{left}, {right}{rb}"


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values.

    >>> Options(str, {"auto"}).describe()
    "a str among {'auto'}"
    """

    kind: type
    values: frozenset[Any] | set[Any]

    def contains(self, value: Any) -> bool:
        """Tell whether ``value`` satisfies the constraint."""
        return isinstance(value, self.kind) and value in self.values

    def describe(self) -> str:
        """Describe the constraint for error messages (``an int in the range [1, inf)``)."""
        vals = ", ".join(repr(v) for v in sorted(self.values, key=str))
        return f"a {self.kind.__name__} among {{{vals}}}"


@dataclass(frozen=True)
class Predicate:
    """A value accepted by ``func``, described in words by ``description``."""

    func: Callable[[Any], bool]
    description: str

    def contains(self, value: Any) -> bool:
        """Tell whether ``value`` satisfies the constraint."""
        try:
            return bool(self.func(value))
        except (TypeError, ValueError):
            return False

    def describe(self) -> str:
        """Describe the constraint for error messages (``an int in the range [1, inf)``)."""
        return self.description


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _describe(constraint: Any) -> str:
    if constraint is None:
        return "None"
    if isinstance(constraint, type):
        return f"an instance of '{constraint.__name__}'"
    return str(constraint.describe())


def _satisfies(value: Any, constraint: Any) -> bool:
    if constraint is None:
        return value is None
    if isinstance(constraint, type):
        return isinstance(value, constraint)
    return bool(constraint.contains(value))


def validate_params(
    params: Mapping[str, Any], constraints: Mapping[str, Iterable[Any]], owner: str
) -> None:
    """Raise :class:`InvalidInputError` for the first parameter that meets none of its constraints.

    >>> cons = {"n_components": [Interval(int, 1, None)]}
    >>> validate_params({"n_components": -1}, cons, "FastRP")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    embedlab.exceptions.InvalidInputError: The 'n_components' parameter of FastRP must be ...
    """
    for name, cons in constraints.items():
        if name not in params:
            continue
        value = params[name]
        cons = list(cons)
        if any(_satisfies(value, c) for c in cons):
            continue
        described = [_describe(c) for c in cons]
        expected = (
            described[0]
            if len(described) == 1
            else (", ".join(described[:-1]) + " or " + described[-1])
        )
        raise InvalidInputError(
            f"The '{name}' parameter of {owner} must be {expected}. Got {value!r} instead."
        )


def resolve_seed(random_state: int | np.random.Generator | None, owner: str = "") -> int:
    """Turn ``random_state`` into the integer seed the run uses (and stores in ``seed_``).

    An int is used as is; a Generator gives one draw; ``None`` draws fresh entropy and logs it so
    the run can be repeated.

    >>> resolve_seed(7)
    7
    """
    if random_state is None:
        seed = secrets.randbits(63)
        logger.info("%s: random_state=None, drew seed %d (pass it to repeat this run)", owner, seed)
        return seed
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**63 - 1))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if int(random_state) < 0:
            raise InvalidInputError(
                f"The 'random_state' parameter{' of ' + owner if owner else ''} must be a "
                f"non-negative int, a numpy Generator or None. Got {random_state!r} instead."
            )
        return int(random_state)
    of = f" of {owner}" if owner else ""
    raise InvalidInputError(
        f"The 'random_state' parameter{of} must be a non-negative int, a numpy Generator or "
        f"None. Got {random_state!r} instead."
    )


def check_random_state(random_state: int | np.random.Generator | None) -> np.random.Generator:
    """Return a local numpy Generator for ``random_state`` (never the global RNG)."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(resolve_seed(random_state))


def check_array(
    x: Any, *, name: str, ndim: int = 2, dtype: type = np.float32, allow_empty: bool = False
) -> np.ndarray:
    """Return ``x`` as a C-contiguous ``dtype`` array of ``ndim`` dimensions, all finite."""
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"'{name}' must be array-like; got {type(x).__name__}.") from exc
    if arr.ndim != ndim:
        raise InvalidInputError(
            f"'{name}' must be a {ndim}-d array; got an array of shape {arr.shape}."
        )
    if not allow_empty and arr.size == 0:
        raise InvalidInputError(f"'{name}' is empty (shape {arr.shape}).")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise InvalidInputError(f"'{name}' must hold real numbers; got dtype {arr.dtype}.")
    out: np.ndarray = np.ascontiguousarray(arr, dtype=dtype)
    if np.issubdtype(out.dtype, np.floating) and not np.isfinite(out).all():
        bad = int(np.flatnonzero(~np.isfinite(out).reshape(out.shape[0], -1).all(axis=1))[0])
        raise InvalidInputError(
            f"'{name}' holds NaN or infinite values (first in row {bad}); remove or impute them."
        )
    return out
