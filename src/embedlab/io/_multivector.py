"""MultiVector: a collection of vector sets (a document's token vectors, say) in two arrays."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.utils.fileio import save_npz

__all__ = ["MultiVector"]


@dataclass(frozen=True)
class MultiVector:
    """Hold ``n`` vector sets: ``vectors`` float32 ``[N, d]`` and ``offsets`` int64 ``[n + 1]``.

    Set ``i`` is ``vectors[offsets[i]:offsets[i + 1]]``.

    >>> mv = MultiVector.from_list([np.ones((2, 3)), np.zeros((1, 3))])
    >>> len(mv), mv.dim, mv.offsets.tolist(), mv[1].shape
    (2, 3, [0, 2, 3], (1, 3))
    """

    vectors: np.ndarray
    offsets: np.ndarray
    #: optional ids of the sets (int64 or str), saved with them
    ids: np.ndarray | None = None

    def __post_init__(self) -> None:
        v = np.ascontiguousarray(self.vectors, dtype=np.float32)
        o = np.ascontiguousarray(self.offsets, dtype=np.int64)
        if v.ndim != 2:
            raise InvalidInputError(f"'vectors' must be [N, d]; got shape {v.shape}.")
        if o.ndim != 1 or len(o) < 1 or o[0] != 0 or o[-1] != len(v) or (np.diff(o) < 0).any():
            raise InvalidInputError(
                f"'offsets' must rise from 0 to {len(v)} (the number of vectors); got "
                f"{o[:3].tolist()}...{o[-2:].tolist() if len(o) else []}."
            )
        object.__setattr__(self, "vectors", v)
        object.__setattr__(self, "offsets", o)
        if self.ids is not None:
            ids = np.asarray(self.ids)
            if ids.shape != (len(o) - 1,):
                raise InvalidInputError(
                    f"'ids' must hold one id per set ({len(o) - 1}); got shape {ids.shape}."
                )
            object.__setattr__(self, "ids", ids)

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Write an ``.npz`` (``vectors``, ``offsets``, ``ids`` when set), atomically."""
        arrays: dict[str, np.ndarray] = {"vectors": self.vectors, "offsets": self.offsets}
        if self.ids is not None:
            ids = self.ids
            arrays["ids"] = ids.astype(str) if ids.dtype == object else ids
        save_npz(path, arrays, overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MultiVector:
        """Read a file written by :meth:`save`."""
        p = Path(path)
        if not p.is_file():
            raise InvalidInputError(f"No multi-vector file at {str(p)!r}.")
        try:
            with np.load(p, allow_pickle=False) as z:
                ids = z["ids"] if "ids" in z.files else None
                if ids is not None and ids.dtype.kind == "U":
                    ids = np.asarray(ids.tolist(), dtype=object)
                return cls(z["vectors"], z["offsets"], ids)
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise InvalidInputError(f"{str(p)!r} is not a multi-vector file ({exc}).") from None

    @classmethod
    def from_list(cls, sets: list[Any]) -> MultiVector:
        """From a list of ``[n_i, d]`` arrays (or tensors)."""
        mats = [np.asarray(s, dtype=np.float32) for s in sets]
        if not mats:
            raise InvalidInputError("A MultiVector needs at least one vector set.")
        dims = {m.shape[1] for m in mats if m.ndim == 2}
        if len(dims) != 1 or any(m.ndim != 2 for m in mats):
            raise InvalidInputError(f"Every set must be [n_i, d] with one d; got dims {dims}.")
        lengths = np.array([len(m) for m in mats], dtype=np.int64)
        return cls(np.concatenate(mats), np.concatenate([[0], np.cumsum(lengths)]))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def __getitem__(self, i: int) -> np.ndarray:
        if not -len(self) <= i < len(self):
            raise IndexError(f"set {i} out of range for {len(self)} sets")
        i %= len(self)
        return self.vectors[self.offsets[i] : self.offsets[i + 1]]

    def __repr__(self) -> str:
        return f"MultiVector({len(self):,} sets, {len(self.vectors):,} vectors, dim={self.dim})"
