"""Build a (user table, item table) pair of any registered table method by name.

The comparison protocol of the GraphHash paper: GraphHash's clustering fixes the number of user
rows and item rows, and every other method is built with exactly those counts, so methods differ
only in *which* IDs share rows. Each table class implements it as
:meth:`~embedlab.tables.base.EmbeddingTable.pair_for`; this module only looks the class up in
:data:`embedlab.registry.TABLES`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.registry import TABLES
from embedlab.tables.base import EmbeddingTable

__all__ = ["make_tables"]


def make_tables(
    method: str,
    train: Any,
    *,
    embedding_dim: int = 64,
    user_rows: int | None = None,
    item_rows: int | None = None,
    partition: Any = None,
    resolution: float = 200.0,
    random_state: int | np.random.Generator | None = None,
) -> tuple[EmbeddingTable, EmbeddingTable]:
    """(user table, item table) of the table method ``method`` for the users x items ``train``.

    Parameters
    ----------
    method : str
        A name of :data:`embedlab.registry.TABLES` (``"hash"``, ``"graphhash"``, ...).
    train, embedding_dim, user_rows, item_rows, partition, resolution, random_state
        As in :meth:`EmbeddingTable.pair_for <embedlab.tables.base.EmbeddingTable.pair_for>`.

    Returns
    -------
    (EmbeddingTable, EmbeddingTable)
        The user table and the item table.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> u, i = make_tables("qr", sp.random(50, 40, density=0.1, format="csr", random_state=0),
    ...                    embedding_dim=4, user_rows=20, item_rows=20, random_state=0)
    >>> type(u).__name__, u.num_rows <= 20
    ('QRTable', True)
    """
    cls = TABLES.get(method)
    return cls.pair_for(
        train,
        embedding_dim=embedding_dim,
        user_rows=user_rows,
        item_rows=item_rows,
        partition=partition,
        resolution=resolution,
        random_state=random_state,
    )
