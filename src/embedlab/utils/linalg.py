"""Vector checks and row normalisation shared by every family."""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError

__all__ = ["as_float_matrix", "unit_rows"]


def as_float_matrix(
    x: Any,
    what: str = "vectors",
    *,
    dim: int | None = None,
    allow_empty: bool = False,
    allow_1d: bool = False,
) -> np.ndarray:
    """``x`` as a C-contiguous, finite float32 ``[n, d]`` matrix, or an error that names it.

    Parameters
    ----------
    x : array-like
        The vectors.
    what : str, default="vectors"
        How error messages name ``x``.
    dim : int, optional
        The required number of columns.
    allow_empty : bool, default=False
        Accept ``n = 0``.
    allow_1d : bool, default=False
        Accept one vector of length ``dim`` as a ``[1, dim]`` matrix.

    Returns
    -------
    ndarray of float32, shape (n, d)

    Examples
    --------
    >>> as_float_matrix([[1, 2], [3, 4]]).dtype
    dtype('float32')
    >>> as_float_matrix([[np.nan, 0.0]], "queries")
    Traceback (most recent call last):
    ...
    embedlab.exceptions.InvalidInputError: queries hold NaN or infinite values (row 0).
    """
    a = np.ascontiguousarray(x, dtype=np.float32)
    if allow_1d and a.ndim == 1 and (dim is None or a.shape[0] == dim):
        a = a[None, :]
    if a.ndim != 2 or (a.shape[0] == 0 and not allow_empty):
        raise InvalidInputError(
            f"{what} must be a {'' if allow_empty else 'non-empty '}[n, d] matrix; "
            f"got shape {a.shape}."
        )
    if dim is not None and a.shape[1] != dim:
        raise InvalidInputError(f"{what} have {a.shape[1]} dimensions; expected {dim}.")
    finite = np.isfinite(a).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise InvalidInputError(f"{what} hold NaN or infinite values (row {row}).")
    return a


def unit_rows(x: np.ndarray, dim: int | None = None) -> np.ndarray:
    """Return the first ``dim`` columns of ``x`` (all by default) with unit L2 rows, as new float32.

    Zero rows stay zero.

    Examples
    --------
    >>> unit_rows(np.array([[3.0, 4.0, 12.0], [0.0, 0.0, 0.0]]), 2).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    t = np.array(x[:, : x.shape[1] if dim is None else dim], dtype=np.float32)
    norms = np.linalg.norm(t, axis=1, keepdims=True)
    np.divide(t, norms, out=t, where=norms > 0)
    return t
