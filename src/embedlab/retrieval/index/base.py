"""The Index contract (FAISS's verbs), shared by the NumPy and FAISS backends.

* ``train(x)`` (a no-op for indexes that need none), ``add(vectors, ids=None)``;
* ``search(queries, k, **params) -> (distances float32 [n, k'], ids int64 [n, k'])``, best
  first, with ``k' = min(k, len(index))``: a ``k`` beyond the number of stored vectors never
  allocates more columns than there are vectors. Slots an approximate index leaves empty are
  padded with id ``-1`` (and ``-FLT_MAX`` for similarities, ``+FLT_MAX`` for distances), as FAISS.
  ``metric="ip"`` and ``"cosine"`` return similarities (larger is better), ``"l2"`` squared
  distances, binary codes Hamming distances (smaller is better);
* ``save(path)`` / ``Index.load(path)``: one file, written atomically; ``load`` gives identical
  search results, in any process (the index class comes from
  :data:`embedlab.registry.INDEXES` by the name stored in the file);
* ``len(index)``, ``index.dim``, ``index.metric``, ``index.describe()``: the canonical spec
  (:mod:`embedlab.retrieval.spec`) that :func:`~embedlab.retrieval.spec.make_index` turns back
  into an equivalent empty index.

Ids are the caller's int64 ids (default: positions ``0..n-1`` in insertion order).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError, NotFittedError
from embedlab.registry import INDEXES
from embedlab.utils.fileio import save_npz
from embedlab.utils.linalg import as_float_matrix

__all__ = ["METRICS", "Index", "check_metric"]

METRICS = ("ip", "cosine", "l2")
_FORMAT = "embedlab-index/1"


def check_metric(metric: str) -> str:
    """``metric`` if it is one of :data:`METRICS`, else an error naming them.

    Parameters
    ----------
    metric : str
        ``"ip"``, ``"cosine"`` or ``"l2"``.

    Returns
    -------
    str

    Examples
    --------
    >>> check_metric("l2")
    'l2'
    """
    if metric not in METRICS:
        raise InvalidInputError(f"'metric' must be one of {', '.join(METRICS)}; got {metric!r}.")
    return metric


class Index(ABC):
    """Base class: id bookkeeping, argument checks, one-file persistence."""

    #: the :data:`embedlab.registry.INDEXES` name, stored in saved files as their ``kind``
    name: ClassVar[str] = ""

    def __init__(self, dim: int, metric: str = "ip") -> None:
        if not isinstance(dim, int | np.integer) or dim < 1:
            raise InvalidInputError(f"'dim' must be an int >= 1; got {dim!r}.")
        self.dim = int(dim)
        self.metric = check_metric(metric)
        self._ids = np.zeros(0, dtype=np.int64)
        #: optional names aligned with the ids' values (document ids), saved with the index
        self.names: np.ndarray | None = None

    # -- contract -----------------------------------------------------------------------------
    @property
    def is_trained(self) -> bool:
        """Whether the index is ready for :meth:`add` (always, unless it learns from data)."""
        return True

    def train(self, x: Any) -> Index:
        """Learn what the index needs from ``x`` (quantiser ranges, centroids)."""
        return self

    def add(self, vectors: Any, ids: Any = None) -> Index:
        """Append vectors with int64 ``ids`` (default: the next positions)."""
        if not self.is_trained:
            raise NotFittedError(
                f"{self.describe()!r} must be trained before add(); call train(x)."
            )
        x = as_float_matrix(vectors, "vectors", dim=self.dim, allow_empty=True, allow_1d=True)
        if ids is None:
            new = np.arange(len(self._ids), len(self._ids) + len(x), dtype=np.int64)
        else:
            new = np.asarray(ids)
            if new.shape != (len(x),) or not np.issubdtype(new.dtype, np.integer):
                raise InvalidInputError(
                    f"ids must be {len(x)} integers, one per vector; got {new.dtype} {new.shape}."
                )
            new = new.astype(np.int64)
            if (new < 0).any():
                raise InvalidInputError("ids must be >= 0 (-1 marks a missing result).")
        self._add(x)
        self._ids = np.concatenate([self._ids, new])
        return self

    def search(self, queries: Any, k: int, **params: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return the ``min(k, len(self))`` best vectors per query: (distances, ids).

        Best first, ``-1``-padded where an approximate index finds fewer.
        """
        if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
            raise InvalidInputError(f"'k' must be an int >= 1; got {k!r}.")
        q = as_float_matrix(queries, "queries", dim=self.dim, allow_empty=True, allow_1d=True)
        self._check_params(params)
        width = min(int(k), len(self))
        if width == 0:
            return np.zeros((len(q), 0), np.float32), np.zeros((len(q), 0), np.int64)
        dist, pos = self._search(q, width, **params)
        ids = np.where(pos >= 0, self._ids[np.maximum(pos, 0)] if len(self._ids) else -1, -1)
        return dist.astype(np.float32, copy=False), ids.astype(np.int64, copy=False)

    def __len__(self) -> int:
        """Return the number of stored vectors."""
        return len(self._ids)

    @property
    def code_size_bytes(self) -> int | None:
        """Bytes per stored vector (``None`` where the backend does not say)."""
        return None

    @property
    def ids(self) -> np.ndarray:
        """The int64 ids of the stored vectors, in storage order."""
        return self._ids

    @abstractmethod
    def describe(self) -> str:
        """Return the factory string of this index."""

    def _check_params(self, params: dict[str, Any]) -> None:
        """Refuse search parameters this index does not take (before any search work)."""
        if params:
            raise InvalidInputError(
                f"{type(self).__name__} takes no search parameters; got {', '.join(params)}."
            )

    @abstractmethod
    def _add(self, x: np.ndarray) -> None: ...

    @abstractmethod
    def _search(self, q: np.ndarray, k: int, **params: Any) -> tuple[np.ndarray, np.ndarray]:
        """(distances, positions) with positions ``-1`` for padding."""

    @abstractmethod
    def _state(self) -> dict[str, np.ndarray]: ...

    @abstractmethod
    def _restore(self, state: dict[str, np.ndarray]) -> None: ...

    # -- persistence --------------------------------------------------------------------------
    def save(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write the index to one file (an ``.npz`` archive), atomically."""
        meta = {
            "format": _FORMAT,
            "kind": self.name,
            "spec": self.describe(),
            "dim": self.dim,
            "metric": self.metric,
        }
        arrays = {"ids": self._ids, **self._state()}
        if self.names is not None:
            arrays["names"] = np.asarray(self.names, dtype=str)
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        return save_npz(path, arrays, overwrite=overwrite)

    @classmethod
    def load(cls, path: str | Path) -> Index:
        """Read an index written by :meth:`save`."""
        p = Path(path)
        if not p.is_file():
            raise InvalidInputError(f"No index file at {str(p)!r}.")
        try:
            with np.load(p, allow_pickle=False) as z:
                arrays = {name: z[name] for name in z.files}
            meta = json.loads(bytes(arrays.pop("meta")).decode())
        except (OSError, ValueError, KeyError, EOFError, AttributeError, TypeError) as exc:
            why = (
                "it holds pickled Python objects, which embedlab never loads"
                if "pickle" in str(exc)
                else "it is not an .npz archive of an index"
                if isinstance(exc, AttributeError | TypeError)
                else str(exc)
            )
            raise InvalidInputError(f"{str(p)!r} is not an embedlab index file ({why}).") from None
        kind = meta.get("kind")
        if meta.get("format") != _FORMAT or not isinstance(kind, str) or kind not in INDEXES:
            raise InvalidInputError(f"{str(p)!r} is not an embedlab index file.")
        from embedlab.retrieval.spec import make_index

        index = make_index(meta["spec"], meta["dim"], metric=meta["metric"])
        if index.name != kind:
            raise InvalidInputError(
                f"{str(p)!r} holds a {kind!r} index but its spec {meta['spec']!r} builds "
                f"{index.name!r}; the file is damaged."
            )
        index._ids = arrays.pop("ids").astype(np.int64)
        index.names = arrays.pop("names", None)
        index._restore(arrays)
        return index

    def __repr__(self) -> str:
        """Show the class, spec, dimension, metric and size."""
        return (
            f"{type(self).__name__}({self.describe()!r}, dim={self.dim}, "
            f"metric={self.metric!r}, n={len(self)})"
        )
