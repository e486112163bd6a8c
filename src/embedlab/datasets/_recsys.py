"""Implicit-feedback data sets in the LightGCN / NGCF layout (He et al., SIGIR 2020).

A folder holds ``train.txt`` and ``test.txt`` (either may be gzip-compressed, ``.txt.gz``): one
line per user, ``user_id item_id item_id ...``, ids remapped to ``0 .. n-1``. Any such folder under
``$EMBEDLAB_DATA/recsys/`` is a data set by its folder name (Gowalla ships that way); a folder path
works too. Lines are read as sets: a repeated (user, item) pair counts once.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from embedlab.datasets._graphs import data_home
from embedlab.exceptions import InvalidInputError
from embedlab.utils.fileio import first_file

__all__ = [
    "ImplicitFeedback",
    "list_recsys_datasets",
    "load_lightgcn",
    "read_lightgcn_file",
    "recsys_dataset_path",
]


@dataclass(frozen=True)
class ImplicitFeedback:
    """A user x item training matrix and its held-out test matrix (CSR, binary, same shape)."""

    name: str
    train: sp.csr_matrix
    test: sp.csr_matrix

    @property
    def n_users(self) -> int:
        return int(self.train.shape[0])

    @property
    def n_items(self) -> int:
        return int(self.train.shape[1])

    def __repr__(self) -> str:
        return (
            f"ImplicitFeedback({self.name!r}, {self.n_users:,} users, {self.n_items:,} items, "
            f"{self.train.nnz:,} train + {self.test.nnz:,} test interactions)"
        )


def _find(folder: Path, stem: str) -> Path | None:
    return first_file(folder, (f"{stem}.txt", f"{stem}.txt.gz"))


def list_recsys_datasets() -> list[str]:
    """Names of the LightGCN-layout folders under ``$EMBEDLAB_DATA/recsys``."""
    home = data_home()
    if home is None or not (home / "recsys").is_dir():
        return []
    return sorted(
        p.name
        for p in (home / "recsys").iterdir()
        if p.is_dir() and _find(p, "train") is not None and _find(p, "test") is not None
    )


def recsys_dataset_path(name_or_path: str | Path) -> Path:
    """Return the folder of a LightGCN-layout data set given by name (``"gowalla"``) or path."""
    key = str(name_or_path)
    for name in list_recsys_datasets():
        if name.lower() == key.lower():
            home = data_home()
            assert home is not None  # list_recsys_datasets found it there
            return home / "recsys" / name
    p = Path(key).expanduser()
    if p.is_dir() and _find(p, "train") is not None and _find(p, "test") is not None:
        return p
    known = ", ".join(list_recsys_datasets()) or "none (is $EMBEDLAB_DATA set?)"
    raise InvalidInputError(
        f"No LightGCN-layout data set {key!r}: expected a folder with train.txt(.gz) and "
        f"test.txt(.gz), or one of the names under $EMBEDLAB_DATA/recsys: {known}."
    )


def read_lightgcn_file(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(users, items) int64 arrays of the pairs in one LightGCN-layout file, in file order."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    users: list[np.ndarray] = []
    items: list[np.ndarray] = []
    with opener(path, "rt") as fh:
        for lineno, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                continue
            try:
                row = np.array(parts, dtype=np.int64)
            except ValueError:
                raise InvalidInputError(
                    f"{path}:{lineno}: expected integers 'user item item ...', got {line[:60]!r}."
                ) from None
            if row.min() < 0:
                raise InvalidInputError(f"{path}:{lineno}: ids must be non-negative.")
            users.append(np.full(len(row) - 1, row[0], dtype=np.int64))
            items.append(row[1:])
    if not users:
        raise InvalidInputError(f"{path} holds no interactions.")
    return np.concatenate(users), np.concatenate(items)


def _binary(users: np.ndarray, items: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    m = sp.csr_matrix(
        (np.ones(len(users), dtype=np.float32), (users, items)), shape=shape, dtype=np.float32
    )
    m.sum_duplicates()
    m.data[:] = 1.0
    m.sort_indices()
    return m


def load_lightgcn(name_or_path: str | Path) -> ImplicitFeedback:
    """Load a LightGCN-layout data set by name (``"gowalla"``) or folder path.

    >>> load_lightgcn("gowalla")  # doctest: +SKIP
    ImplicitFeedback('gowalla', 29,858 users, 40,981 items, 810,128 train + 217,242 test ...)
    """
    folder = recsys_dataset_path(name_or_path)
    train_path, test_path = _find(folder, "train"), _find(folder, "test")
    assert train_path is not None and test_path is not None  # recsys_dataset_path checked
    tu, ti = read_lightgcn_file(train_path)
    su, si = read_lightgcn_file(test_path)
    shape = (int(max(tu.max(), su.max())) + 1, int(max(ti.max(), si.max())) + 1)
    return ImplicitFeedback(folder.name, _binary(tu, ti, shape), _binary(su, si, shape))
