"""A store: a folder of named collections, each a LanceDB table.

LanceDB is the database underneath (an embedded, versioned, columnar store with atomic commits);
embedlab adds the collection contract (declared dimension, metric, id type and payload
schema), one writer per collection, exact search with embedlab's own kernels, MUVERA for vector
sets, and imports and exports of :class:`~embedlab.io.EmbeddingSet` and
:class:`~embedlab.io.MultiVector` files.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.exceptions import ConflictError, InvalidInputError, NotFoundError
from embedlab.store._collection import Collection
from embedlab.store._config import UID_KEY, CollectionConfig, check_name
from embedlab.store._locks import WriteLock
from embedlab.utils.optional import import_optional

__all__ = ["Store"]


def _lancedb() -> Any:
    return import_optional("lancedb", "store", "The embedlab store")


class Store:
    """Named collections of embeddings in a folder, on LanceDB.

    Parameters
    ----------
    path : path
        The store's folder (created when missing).
    exact_max_rows : int, default=2_000_000
        ``mode="auto"`` searches exactly (in memory) up to this many points per collection.
    cache_versions : int, default=2
        Collection versions whose vectors are kept in memory for exact search.

    Examples
    --------
    >>> import tempfile
    >>> store = Store(tempfile.mkdtemp())
    >>> col = store.create_collection("docs", dim=3, metric="l2", id_type="str")
    >>> col.upsert(["a", "b"], [[0, 0, 0], [1, 1, 1]])
    2
    >>> store.list_collections()
    ['docs']
    >>> store.collection("docs").info()["count"]
    2
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        exact_max_rows: int = 2_000_000,
        cache_versions: int = 2,
    ) -> None:
        self.path = Path(path)
        self.exact_max_rows = exact_max_rows
        self.cache_versions = cache_versions
        self._db: Any = None
        self._lock = threading.Lock()
        self._collections: dict[str, Collection] = {}
        self._encoders: dict[str, Any] = {}
        self._encode_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # -- connection ----------------------------------------------------------------------------
    def _connect(self) -> Any:
        if self._db is None:
            if self.path.exists() and not self.path.is_dir():
                raise InvalidInputError(
                    f"The store path {str(self.path)!r} is a file, not a folder."
                )
            for key, value in (
                ("exact_max_rows", self.exact_max_rows),
                ("cache_versions", self.cache_versions),
            ):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise InvalidInputError(f"'{key}' must be an int >= 0; got {value!r}.")
            self.path.mkdir(parents=True, exist_ok=True)
            lancedb = _lancedb()
            # strong consistency: every read sees the latest commit, also another process's
            self._db = lancedb.connect(str(self.path), read_consistency_interval=timedelta(0))
        return self._db

    def _open_table(self, name: str) -> Any:
        return self._connect().open_table(name)

    def _table_names(self) -> list[str]:
        db = self._connect()
        names: list[str] = []
        token = None
        while True:
            page = db.list_tables(page_token=token)
            names.extend(page.tables)
            token = page.page_token
            if not token:
                return sorted(names)

    # -- collections ---------------------------------------------------------------------------
    def list_collections(self) -> list[str]:
        """Names of the collections, sorted."""
        return self._table_names()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._table_names()

    def collection(self, name: str) -> Collection:
        """Return the collection ``name`` (:class:`~embedlab.exceptions.NotFoundError` if none)."""
        check_name(name)
        with self._lock:
            col = self._collections.get(name)
            if col is not None:
                return col
            if name not in self._table_names():
                raise NotFoundError(f"Collection `{name}` doesn't exist")
            table = self._open_table(name)
            config = CollectionConfig.from_metadata(name, table.schema.metadata)
            col = Collection(self, config, table)
            self._collections[name] = col
            return col

    def create_collection(
        self,
        name: str,
        dim: int,
        metric: str = "cosine",
        *,
        multivector: bool = False,
        payload_schema: dict[str, str] | None = None,
        id_type: str = "int",
        text_model: str | None = None,
        muvera: dict[str, Any] | None = None,
    ) -> Collection:
        """Create an empty collection.

        Parameters
        ----------
        name : str
            ``[A-Za-z0-9_-]{1,64}``.
        dim : int
            Vector (token vector, for multivector collections) dimension.
        metric : {"cosine", "ip", "l2"}, default="cosine"
            Qdrant's ``Cosine``, ``Dot`` and ``Euclid`` are accepted too.
        multivector : bool, default=False
            Points hold vector sets (token vectors), searched by MUVERA + exact MaxSim.
        payload_schema : dict or None
            Filterable payload fields and their types (``keyword``, ``integer``, ``float``,
            ``bool``); other payload keys are stored but not filterable.
        id_type : {"int", "str"}, default="int"
        text_model : str or None
            An encoder (``"minilm"``) for ``{"text": ...}`` queries.
        muvera : dict or None
            :class:`~embedlab.retrieval.muvera.MuveraFDE` parameters (multivector only).

        Returns
        -------
        Collection
        """
        config = CollectionConfig.build(
            name,
            dim,
            metric,
            id_type=id_type,
            payload_schema=payload_schema,
            multivector=multivector,
            muvera=muvera,
            text_model=text_model,
        )
        db = self._connect()
        with WriteLock(self.path, name).hold(), self._lock:
            if name in self._table_names():
                raise ConflictError(f"Collection `{name}` already exists")
            schema = config.arrow_schema()
            schema = schema.with_metadata({**schema.metadata, UID_KEY: uuid.uuid4().hex.encode()})
            table = db.create_table(name, schema=schema)
            col = Collection(self, config, table)
            self._collections[name] = col
            return col

    def drop_collection(self, name: str) -> None:
        """Delete a collection and all its versions."""
        col = self.collection(name)
        with col._lock.hold(), self._lock:
            self._connect().drop_table(name)
            self._collections.pop(name, None)
            shutil.rmtree(self.path / f"{name}.lance", ignore_errors=True)
            shutil.rmtree(self.path / ".projections" / name, ignore_errors=True)

    # -- imports -------------------------------------------------------------------------------
    def import_embeddings(
        self,
        name: str,
        source: Any,
        *,
        metric: str = "cosine",
        payload: list[dict[str, Any]] | None = None,
        payload_schema: dict[str, str] | None = None,
        text_model: str | None = None,
        create: bool = True,
    ) -> Collection:
        """Upsert an :class:`~embedlab.io.EmbeddingSet` (or a file it reads) into a collection.

        The collection is created (id type and dimension from the set) when ``create`` and it
        does not exist. The vectors reach LanceDB as Arrow views of the set's arrays (no copy
        beyond Arrow's own).

        Returns
        -------
        Collection
        """
        from embedlab.io import EmbeddingSet

        es = source if isinstance(source, EmbeddingSet) else EmbeddingSet.load(source)
        id_type = "str" if es.ids.dtype == object or es.ids.dtype.kind == "U" else "int"
        if name in self:
            col = self.collection(name)
        elif create:
            col = self.create_collection(
                name,
                es.dim,
                metric,
                id_type=id_type,
                payload_schema=payload_schema,
                text_model=text_model,
            )
        else:
            raise NotFoundError(f"Collection `{name}` doesn't exist")
        ids = es.ids if id_type == "int" else np.asarray(es.ids.tolist(), dtype=object)
        col.upsert(ids, es.vectors, payload)
        return col

    def import_multivector(
        self,
        name: str,
        source: Any,
        *,
        ids: Any = None,
        payload: list[dict[str, Any]] | None = None,
        muvera: dict[str, Any] | None = None,
        text_model: str | None = None,
    ) -> Collection:
        """Upsert a :class:`~embedlab.io.MultiVector` (or its ``.npz``) into a collection.

        The multivector collection is created when missing; ``ids`` default to the set's own.
        """
        from embedlab.io import MultiVector

        mv = source if isinstance(source, MultiVector) else MultiVector.load(source)
        set_ids = ids if ids is not None else mv.ids
        if set_ids is None:
            raise InvalidInputError("The vector sets carry no ids; pass ids=[...].")
        set_ids = np.asarray(set_ids)
        id_type = "int" if set_ids.dtype.kind in "iu" else "str"
        if name in self:
            col = self.collection(name)
        else:
            col = self.create_collection(
                name,
                mv.dim,
                "ip",
                multivector=True,
                id_type=id_type,
                muvera=muvera,
                text_model=text_model,
            )
        col.upsert(set_ids.tolist() if id_type == "str" else set_ids, mv, payload)
        return col

    # -- text ----------------------------------------------------------------------------------
    def _encoder(self, model: str) -> Any:
        with self._encode_lock:
            enc = self._encoders.get(model)
            if enc is None:
                from embedlab.text import SentenceEncoder

                enc = SentenceEncoder(model)
                self._encoders[model] = enc
            return enc

    def encode(self, texts: list[str], model: str = "minilm") -> np.ndarray:
        """Sentence vectors of ``texts`` by the packaged ``model`` (loaded once per store)."""
        enc = self._encoder(model)
        with self._encode_lock:
            return np.asarray(enc.encode(texts), dtype=np.float32)

    def encode_tokens(self, texts: list[str], model: str = "minilm") -> Any:
        """Token vectors (a MultiVector) of ``texts`` by the packaged ``model``."""
        enc = self._encoder(model)
        with self._encode_lock:
            return enc.encode_tokens(texts)
