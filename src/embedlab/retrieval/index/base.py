"""The Index contract (FAISS's verbs), shared by the NumPy and FAISS backends.

* ``train(x)`` (a no-op for indexes that need none), ``add(vectors, ids=None)``;
* ``search(queries, k, **params) -> (distances float32 [n, k], ids int64 [n, k])``, best first,
  padded with id ``-1`` (and ``-FLT_MAX`` for similarities, ``+FLT_MAX`` for distances) when
  fewer than ``k`` vectors exist. ``metric="ip"`` and ``"cosine"`` return similarities (larger is
  better), ``"l2"`` squared distances, binary codes Hamming distances (smaller is better);
* ``save(path)`` / ``Index.load(path)``: one file, written atomically; ``load`` gives identical
  search results;
* ``len(index)``, ``index.dim``, ``index.metric``, ``index.describe()``: the factory string
  that :func:`embedlab.retrieval.index.make_index` turns back into an equivalent empty index.

Ids are the caller's int64 ids (default: positions ``0..n-1`` in insertion order).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError, NotFittedError
from embedlab.retrieval.compression._codecs import truncate
from embedlab.utils.fileio import atomic_path

__all__ = ["METRICS", "Index"]

METRICS = ("ip", "cosine", "l2")
_FORMAT = "embedlab-index/1"


def check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise InvalidInputError(f"'metric' must be one of {', '.join(METRICS)}; got {metric!r}.")
    return metric


def as_vectors(x: Any, dim: int, what: str = "vectors") -> np.ndarray:
    a = np.ascontiguousarray(x, dtype=np.float32)
    if a.ndim == 1 and a.shape[0] == dim:
        a = a[None, :]
    if a.ndim != 2 or a.shape[1] != dim:
        raise InvalidInputError(f"{what} must be [n, {dim}]; got shape {a.shape}.")
    if not np.isfinite(a).all():
        raise InvalidInputError(f"{what} hold NaN or infinite values.")
    return a


def normalize(a: np.ndarray) -> np.ndarray:
    """Unit rows (zero rows stay zero), as a new float32 array."""
    return truncate(a, a.shape[1])


class Index(ABC):
    """Base class: id bookkeeping, argument checks, one-file persistence."""

    #: registry of concrete classes by the ``kind`` stored in saved files
    _kinds: ClassVar[dict[str, type[Index]]] = {}
    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.kind:
            Index._kinds[cls.kind] = cls

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
        x = as_vectors(vectors, self.dim)
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
        """The ``k`` best vectors per query: (distances, ids), best first, ``-1``-padded."""
        if not isinstance(k, int | np.integer) or k < 1:
            raise InvalidInputError(f"'k' must be an int >= 1; got {k!r}.")
        q = as_vectors(queries, self.dim, "queries")
        dist, pos = self._search(q, int(k), **params)
        ids = np.where(pos >= 0, self._ids[np.maximum(pos, 0)] if len(self._ids) else -1, -1)
        return dist.astype(np.float32, copy=False), ids.astype(np.int64, copy=False)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> np.ndarray:
        return self._ids

    @abstractmethod
    def describe(self) -> str:
        """The factory string of this index."""

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
            "kind": self.kind,
            "spec": self.describe(),
            "dim": self.dim,
            "metric": self.metric,
        }
        arrays = {"ids": self._ids, **self._state()}
        if self.names is not None:
            arrays["names"] = np.asarray(self.names, dtype=str)
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        with atomic_path(path, overwrite=overwrite) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]  # numpy's stub misreads **kwargs
        return Path(path)

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
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise InvalidInputError(f"{str(p)!r} is not an embedlab index file ({exc}).") from None
        if meta.get("format") != _FORMAT or meta.get("kind") not in Index._kinds:
            raise InvalidInputError(f"{str(p)!r} is not an embedlab index file.")
        from embedlab.retrieval.index.factory import make_index

        index = make_index(meta["spec"], meta["dim"], metric=meta["metric"])
        index._ids = arrays.pop("ids").astype(np.int64)
        index.names = arrays.pop("names", None)
        index._restore(arrays)
        return index

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.describe()!r}, dim={self.dim}, "
            f"metric={self.metric!r}, n={len(self)})"
        )
