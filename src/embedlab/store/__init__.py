"""Collections of embeddings on LanceDB (the ``[store]`` extra).

* :class:`Store` — a folder of named collections; imports and exports of EmbeddingSet and
  MultiVector files.
* :class:`Collection` — upsert, get, delete, scroll, query (exact, ANN, compressed codes,
  Matryoshka prefixes, MUVERA + MaxSim for vector sets, text and by-id queries), Qdrant-style
  filters, versions, tags, restore, optimize; 2-D maps (:meth:`Collection.project`) cached
  in the store as :class:`Projection` files.
* :func:`compile_filter` — the Qdrant-style JSON filter compiled against declared payload fields.

The names are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedlab.utils._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.store._collection import Collection, Point, ScoredPoint
    from embedlab.store._projection import Projection
    from embedlab.store._store import Store
    from embedlab.store.filters import compile_filter

__all__ = ["Collection", "Point", "Projection", "ScoredPoint", "Store", "compile_filter"]

_EXPORTS = {
    "Collection": "embedlab.store._collection",
    "Point": "embedlab.store._collection",
    "ScoredPoint": "embedlab.store._collection",
    "Projection": "embedlab.store._projection",
    "Store": "embedlab.store._store",
    "compile_filter": "embedlab.store.filters",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
