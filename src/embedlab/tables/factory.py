"""Build a (user table, item table) pair of any method with given row counts.

The comparison protocol of the GraphHash paper: GraphHash's clustering fixes the number of user
rows and item rows, and every other method is built with exactly those counts, so methods differ
only in *which* IDs share rows. The full table is the uncompressed reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from embedlab.exceptions import InvalidInputError
from embedlab.tables.base import EmbeddingTable
from embedlab.tables.frequency import FrequencyTable
from embedlab.tables.full import FullTable
from embedlab.tables.graphhash import (
    BipartitePartition,
    DoubleGraphHashTable,
    GraphHashTable,
    bipartite_louvain,
)
from embedlab.tables.hashing import DoubleHashTable, HashTable
from embedlab.tables.qr import QRTable
from embedlab.utils.validation import resolve_seed

__all__ = ["TABLE_METHODS", "make_tables"]

#: every method name, in report order
TABLE_METHODS = ("full", "hash", "double-hash", "frequency", "qr", "graphhash", "double-graphhash")


def make_tables(
    method: str,
    train: sp.csr_matrix,
    *,
    embedding_dim: int = 64,
    user_rows: int | None = None,
    item_rows: int | None = None,
    partition: BipartitePartition | None = None,
    resolution: float = 200.0,
    random_state: int | np.random.Generator | None = None,
) -> tuple[EmbeddingTable, EmbeddingTable]:
    """(user table, item table) for users ``0..n_users-1`` and items ``0..n_items-1`` of the
    users x items matrix ``train``.

    Hashing methods need ``user_rows`` and ``item_rows``; the frequency table counts IDs in
    ``train``; GraphHash methods use ``partition`` (computed at ``resolution`` when missing).
    """
    if method not in TABLE_METHODS:
        raise InvalidInputError(
            f"Unknown table method {method!r}; choose from {', '.join(TABLE_METHODS)}."
        )
    if not sp.issparse(train):
        raise InvalidInputError("train must be a scipy sparse users x items matrix.")
    nu, ni = train.shape
    seed = resolve_seed(random_state, "make_tables")
    d = embedding_dim
    if method == "full":
        return (
            FullTable(num_ids=nu, embedding_dim=d, random_state=seed),
            FullTable(num_ids=ni, embedding_dim=d, random_state=seed + 1),
        )
    if method in ("graphhash", "double-graphhash"):
        p = partition if partition is not None else bipartite_louvain(train, resolution=resolution)
        cls = GraphHashTable if method == "graphhash" else DoubleGraphHashTable
        return cls.from_partition(p, embedding_dim=d, random_state=seed)
    if user_rows is None or item_rows is None:
        raise InvalidInputError(f"Method {method!r} needs user_rows and item_rows.")
    kw: dict[str, Any] = {"embedding_dim": d}
    if method == "hash":
        return (
            HashTable(num_rows=user_rows, random_state=seed, **kw),
            HashTable(num_rows=item_rows, random_state=seed + 1, **kw),
        )
    if method == "double-hash":
        return (
            DoubleHashTable(num_rows=user_rows, random_state=seed, **kw),
            DoubleHashTable(num_rows=item_rows, random_state=seed + 1, **kw),
        )
    if method == "qr":
        return (
            QRTable(num_ids=nu, num_rows=user_rows, random_state=seed, **kw),
            QRTable(num_ids=ni, num_rows=item_rows, random_state=seed + 1, **kw),
        )
    # frequency: counts are the training degrees
    t = sp.csr_matrix(train)
    user_counts = np.diff(t.indptr)
    item_counts = np.bincount(t.indices, minlength=ni)
    return (
        FrequencyTable(
            ids=np.arange(nu), counts=user_counts, num_rows=user_rows, random_state=seed, **kw
        ),
        FrequencyTable(
            ids=np.arange(ni), counts=item_counts, num_rows=item_rows, random_state=seed + 1, **kw
        ),
    )
