"""ID bookkeeping shared by every family: positions of ids in a key array, sorted membership."""

from __future__ import annotations

import numpy as np

from embedlab.exceptions import InvalidInputError

__all__ = ["positions", "sorted_lookup"]


def _unknown(missing: np.ndarray, what: str) -> None:
    shown = ", ".join(repr(v) for v in missing[:5].tolist())
    more = f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""
    raise InvalidInputError(f"{len(missing)} unknown {what}: {shown}{more}.")


def positions(keys: np.ndarray, query: np.ndarray, *, what: str = "ids") -> np.ndarray:
    """Row positions of ``query`` in ``keys``; unknown ids raise :class:`InvalidInputError`.

    Parameters
    ----------
    keys : ndarray
        The stored ids (any order, no duplicates), integer or object.
    query : array-like
        The ids to find.
    what : str, default="ids"
        How the error message names the ids.

    Returns
    -------
    ndarray of int64
        ``keys[result] == query``.

    Examples
    --------
    >>> positions(np.array([7, 3, 9]), np.array([9, 7])).tolist()
    [2, 0]
    """
    query = np.asarray(query)
    if keys.dtype != object and query.dtype != object:
        if not np.issubdtype(query.dtype, np.integer):
            raise InvalidInputError(
                f"{what} must be integers like the stored ids; got {query.dtype}."
            )
        order = np.argsort(keys, kind="stable")
        sk = keys[order]
        idx = np.searchsorted(sk, query)
        idx_c = np.minimum(idx, max(len(sk) - 1, 0))
        found = (idx < len(sk)) & (sk[idx_c] == query) if len(sk) else np.zeros(len(query), bool)
        if not found.all():
            _unknown(query[~found], what)
        return order[idx_c].astype(np.int64)
    lookup = {k: i for i, k in enumerate(keys.tolist())}
    out = np.empty(len(query), dtype=np.int64)
    missing = []
    for j, q in enumerate(query.tolist()):
        pos = lookup.get(q)
        if pos is None:
            missing.append(q)
            out[j] = -1
        else:
            out[j] = pos
    if missing:
        _unknown(np.asarray(missing, dtype=object), what)
    return out


def sorted_lookup(sorted_keys: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each ``x`` sits in the non-empty sorted array ``sorted_keys``, and whether it is there.

    Parameters
    ----------
    sorted_keys : ndarray
        Sorted, non-empty keys.
    x : ndarray
        The values to look up.

    Returns
    -------
    pos : ndarray of intp
        ``searchsorted`` positions clipped to the last index.
    hit : ndarray of bool
        ``sorted_keys[pos] == x``.

    Examples
    --------
    >>> pos, hit = sorted_lookup(np.array([2, 5, 9]), np.array([5, 6, 10]))
    >>> pos.tolist(), hit.tolist()
    ([1, 2, 2], [True, False, False])
    """
    pos = np.minimum(np.searchsorted(sorted_keys, x), len(sorted_keys) - 1)
    return pos, sorted_keys[pos] == x
