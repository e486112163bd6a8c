"""A collection: points (id, vector or vector set, payload) in one LanceDB table.

Writes
    :meth:`Collection.upsert` (a LanceDB ``merge_insert`` on ``id``: new ids inserted, known ids
    replaced whole, repeated ids in one batch resolved to the last), :meth:`~Collection.delete`,
    :meth:`~Collection.restore`, :meth:`~Collection.create_index`, :meth:`~Collection.optimize`:
    each is one atomic LanceDB commit made under the collection's write lock, so a reader (or a
    process killed mid-write) sees the whole write or none of it. Every commit is a new version.

Queries (:meth:`Collection.query`), by ``mode``:

* ``"exact"`` -- embedlab's :class:`~embedlab.retrieval.index.FlatIndex` over the collection's
  vectors, loaded once per collection version and kept in memory (ids and scores are exactly
  those of a FlatIndex built from the same vectors). A filter selects the matching rows first
  (prefiltering, so a filtered query returns exactly ``min(limit, matches)`` points).
* ``"ann"`` -- LanceDB's own vector index (IVF_PQ, IVF_HNSW_SQ ..., built by
  :meth:`~Collection.create_index`) with ``nprobes``, ``refine_factor`` and ``ef``; prefiltered;
  when the index returns fewer than ``min(limit, matches)`` points the query falls back to exact.
* an index spec (``"SQ8"``, ``"BFlat"``, ``"PQ16"``, ``"MRL64"``, ``"MRL64,SQ8"``; the grammar of
  :mod:`embedlab.retrieval.spec`) -- compressed codes or Matryoshka prefixes held in memory per
  version, scores as that index reports them.
* ``"auto"`` (default) -- exact up to ``exact_max_rows`` points, else ANN when an index exists,
  else LanceDB's own flat scan.

Scores follow :class:`~embedlab.retrieval.index.FlatIndex`: cosine similarity, inner product, or
the squared L2 distance (smaller is better) for ``metric="l2"``. Multivector collections search
the MUVERA encodings of the vector sets (stored in ``vector``) for ``candidates`` points and
re-rank them by exact MaxSim (Chamfer) similarity of the token vectors.

Memory: the exact cache holds ``4 d`` bytes per point (twice while it is built) for up to
``cache_versions`` versions; a spec index its codes.
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embedlab.exceptions import ConflictError, InvalidInputError, NotFoundError
from embedlab.io._multivector import MultiVector
from embedlab.store._config import (
    LANCE_DISTANCE,
    UID_KEY,
    CollectionConfig,
    check_name,
    row_payload,
)
from embedlab.store._locks import WriteLock, retry_conflicts
from embedlab.store.filters import compile_filter
from embedlab.utils.ids import sorted_lookup

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.io import EmbeddingSet
    from embedlab.retrieval.index import FlatIndex
    from embedlab.store._projection import Projection
    from embedlab.store._store import Store

__all__ = ["ANN_INDEX_TYPES", "MAX_LIMIT", "Collection", "Point", "ScoredPoint"]

#: LanceDB vector index types a collection can build
ANN_INDEX_TYPES = ("IVF_PQ", "IVF_HNSW_SQ", "IVF_HNSW_PQ", "IVF_FLAT", "IVF_SQ")
MAX_LIMIT = 10_000
MODES = ("auto", "exact", "ann")
_IN_CHUNK = 4096
#: filters whose matching rows are kept per cached version
_FILTER_CACHE = 64
#: payload columns up to this size are kept in memory per cached version (results need no read)
_PAYLOAD_CACHE = 256 * 2**20
#: an optimize that must not prune: LanceDB's own default (None) prunes versions older than 7
#: days, and fails outright when a tag holds one of them
_KEEP_VERSIONS = timedelta(days=36500)


@dataclass
class Point:
    """A stored point: ``id``, ``payload`` and, when asked for, its ``vector`` (or vector set)."""

    id: Any
    payload: dict[str, Any] = field(default_factory=dict)
    vector: Any = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the HTTP API's point)."""
        out: dict[str, Any] = {"id": self.id, "payload": self.payload}
        if self.vector is not None:
            out["vector"] = np.asarray(self.vector).tolist()
        return out


@dataclass
class ScoredPoint(Point):
    """A query result: a :class:`Point` and its ``score``."""

    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the HTTP API's scored point)."""
        out = super().to_dict()
        out["score"] = self.score
        return out


class _Snapshot:
    """The vectors of one collection version, as an exact index (positions as ids)."""

    def __init__(self, ids: np.ndarray, index: FlatIndex) -> None:
        self.ids = ids
        self.index = index
        self.order = np.argsort(ids, kind="stable")
        self.sorted_ids = ids[self.order]
        self.extra: dict[str, Any] = {}
        self.batcher = _Batcher()
        #: ``id`` and payload columns in position order (small payloads only), or False
        self.payloads: Any = None

    def lookup(self, ids: np.ndarray) -> np.ndarray | None:
        """Positions aligned with ``ids``, or None when one is unknown."""
        if len(self.sorted_ids) == 0:
            return None
        pos, hit = sorted_lookup(self.sorted_ids, ids)
        if not hit.all():
            return None
        return self.order[pos].astype(np.int64)

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Positions of the given ids (unknown ids dropped)."""
        if len(self.sorted_ids) == 0 or len(ids) == 0:
            return np.zeros(0, dtype=np.int64)
        pos, hit = sorted_lookup(self.sorted_ids, ids)
        return np.sort(self.order[pos[hit]]).astype(np.int64)


class _Batcher:
    """Dynamic batching of concurrent exact searches of one index.

    A search over ``n x d`` float32 vectors reads all of them for every query: one query at a
    time, 100,000 x 384 vectors cost ~150 MB of memory traffic each. Callers that arrive while
    a search runs wait; the running caller then searches all of them in one product (the matrix
    read once) and hands each its rows. :class:`~embedlab.retrieval.index.FlatIndex` results do
    not depend on the batch, so every caller gets exactly what it would get alone.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[dict[str, Any]] = []
        self._running = False

    def search(self, index: Any, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        item: dict[str, Any] = {"q": q, "k": k, "done": threading.Event()}
        with self._lock:
            self._pending.append(item)
            leader = not self._running
            self._running = True
        if not leader:
            item["done"].wait()
        else:
            while True:
                with self._lock:
                    batch, self._pending = self._pending, []
                    if not batch:
                        self._running = False
                        break
                self._run(index, batch)
        if "error" in item:
            raise item["error"]
        return item["out"]

    @staticmethod
    def _run(index: Any, batch: list[dict[str, Any]]) -> None:
        groups: dict[int, list[dict[str, Any]]] = {}
        for it in batch:
            groups.setdefault(it["k"], []).append(it)
        for k, items in groups.items():
            try:
                d, p = index.search(np.concatenate([it["q"] for it in items]), k)
                row = 0
                for it in items:
                    m = len(it["q"])
                    it["out"] = (d[row : row + m], p[row : row + m])
                    row += m
            except BaseException as exc:  # handed to every caller of the group
                for it in items:
                    it["error"] = exc
            finally:
                for it in items:
                    it["done"].set()


def sql_literal_list(values: Iterable[Any]) -> str:
    """Return a SQL list of int or string literals (strings quoted, ``'`` doubled)."""
    parts = []
    for v in values:
        if isinstance(v, str):
            parts.append("'" + v.replace("'", "''") + "'")
        else:
            parts.append(str(int(v)))
    return ", ".join(parts)


class Collection:
    """One named collection of a :class:`~embedlab.store.Store` (get it from the store).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from embedlab.store import Store
    >>> store = Store(tempfile.mkdtemp())
    >>> col = store.create_collection("demo", dim=2, metric="cosine",
    ...                               payload_schema={"label": "keyword"})
    >>> col.upsert([1, 2, 3], [[1, 0], [0, 1], [1, 1]],
    ...            payload=[{"label": "a"}, {"label": "b"}, {"label": "a"}])
    2
    >>> [(p.id, round(p.score, 3)) for p in col.query([1, 0.1], limit=2)]
    [(1, 0.995), (3, 0.774)]
    >>> [p.id for p in col.query([1, 0.1], filter={"must": [
    ...     {"key": "label", "match": {"value": "b"}}]})]
    [2]
    """

    def __init__(self, store: Store, config: CollectionConfig, table: Any) -> None:
        self.store = store
        self.config = config
        self.name = config.name
        self._table = table
        self._lock = WriteLock(store.path, config.name)
        self._cache_lock = threading.Lock()
        self._snapshots: OrderedDict[int, _Snapshot] = OrderedDict()
        self._handles: OrderedDict[Any, Any] = OrderedDict()
        self._fde: Any = None
        self._uid: str | None = None

    def __repr__(self) -> str:
        c = self.config
        return f"Collection({c.name!r}, dim={c.dim}, metric={c.metric!r})"

    # ------------------------------------------------------------------------------ reading
    @property
    def incarnation(self) -> str:
        """A random id given at creation: another collection of the same name has another one."""
        if self._uid is None:
            meta = self._table.schema.metadata or {}
            self._uid = meta.get(UID_KEY, b"").decode()
        return self._uid

    @property
    def version(self) -> int:
        """The current version (each commit makes a new one)."""
        return int(self._table.version)

    def count(self, filter: Any = None, *, version: Any = None) -> int:
        """Count the points (matching ``filter``) at ``version`` (default: the current one)."""
        sql = self._sql(filter)
        return int(self._handle(version).count_rows(sql))

    def info(self) -> dict[str, Any]:
        """Return the configuration, ``count``, ``version`` and vector indexes (JSON-ready)."""
        handle = self._handle(None)
        out = self.config.describe()
        out["count"] = int(handle.count_rows())
        out["version"] = int(handle.version)
        out["indexes"] = [
            {"name": i.name, "type": i.index_type, "columns": list(i.columns)}
            for i in handle.list_indices()
        ]
        return out

    def _handle(self, version: Any) -> Any:
        """Return the table at ``version`` (an int or a tag name; ``None``: the latest)."""
        if version is None:
            return self._table
        if isinstance(version, bool) or not isinstance(version, int | np.integer | str):
            raise InvalidInputError(
                f"'version' must be a version number or a tag; got {version!r}."
            )
        key = int(version) if not isinstance(version, str) else version
        if isinstance(key, int) and not 0 <= key < 2**63:  # LanceDB takes only u64 versions
            raise NotFoundError(f"Collection `{self.name}` has no version {version!r}.")
        with self._cache_lock:
            handle = self._handles.get(key)
            if handle is not None:
                self._handles.move_to_end(key)
                return handle
        handle = self.store._open_table(self.name)
        try:
            handle.checkout(key)
        except (ValueError, RuntimeError, OSError) as exc:
            raise NotFoundError(
                f"Collection `{self.name}` has no version {version!r} ({_short(exc)})."
            ) from None
        with self._cache_lock:
            self._handles[key] = handle
            while len(self._handles) > 8:
                self._handles.popitem(last=False)
        return handle

    def _pinned(self, version: Any) -> tuple[int, Any]:
        """(version number, a table handle fixed at it): reads that must agree use one handle."""
        if version is None:
            version = int(self._table.version)
        handle = self._handle(version)
        return int(handle.version), handle

    def _sql(self, filter: Any) -> str | None:
        return compile_filter(filter, self.config.payload_schema, id_type=self.config.id_type)

    def _columns(self, with_vectors: bool) -> list[str]:
        cols = ["id", *self.config.payload_schema, "payload"]
        if with_vectors:
            cols.append("vectors" if self.config.multivector else "vector")
        return cols

    def _rows(self, handle: Any, ids: np.ndarray, columns: list[str]) -> dict[Any, dict[str, Any]]:
        """Rows of ``ids`` (by id) with ``columns``; unknown ids are left out."""
        out: dict[Any, dict[str, Any]] = {}
        uniq = list(dict.fromkeys(ids.tolist()))
        for a in range(0, len(uniq), _IN_CHUNK):
            part = uniq[a : a + _IN_CHUNK]
            where = f"id IN ({sql_literal_list(part)})"
            tab = handle.search().where(where).select(columns).limit(len(part)).to_arrow()
            for row in tab.to_pylist():
                out[row["id"]] = row
        return out

    def _rows_for(
        self, handle: Any, version: int, ids: np.ndarray, columns: list[str]
    ) -> dict[Any, dict[str, Any]]:
        """:meth:`_rows`, by row offset when the version's vectors are in memory (no scan)."""
        with self._cache_lock:
            snap = self._snapshots.get(version)
        if snap is None:
            return self._rows(handle, ids, columns)
        pos = snap.lookup(ids)
        if pos is None:
            return self._rows(handle, ids, columns)
        if not any(c in ("vector", "vectors") for c in columns):
            table = self._payload_table(snap, handle)
            if table is not None:
                return {row["id"]: row for row in table.take(pos).to_pylist()}
        tab = handle.take_offsets(np.unique(pos).tolist()).select(columns).to_arrow()
        out = {row["id"]: row for row in tab.to_pylist()}
        if len(out) != len(set(ids.tolist())) or any(i not in out for i in ids.tolist()):
            return self._rows(handle, ids, columns)  # offsets and scan order disagreed: scan
        return out

    def _payload_table(self, snap: _Snapshot, handle: Any) -> Any:
        """Return a version's ids and payloads held in memory (under ``_PAYLOAD_CACHE`` bytes)."""
        if snap.payloads is None:
            cols = self._columns(False)
            table = handle.search().select(cols).limit(None).to_arrow().combine_chunks()
            ok = table.nbytes <= _PAYLOAD_CACHE and np.array_equal(
                self._id_array(table.column("id")), snap.ids
            )
            with self._cache_lock:
                snap.payloads = table if ok else False
        return snap.payloads if snap.payloads is not False else None

    def _point(self, row: dict[str, Any], with_vectors: bool, cls: type = Point, **kw: Any) -> Any:
        vec = None
        if with_vectors:
            vec = row["vectors"] if self.config.multivector else row["vector"]
        return cls(
            id=row["id"], payload=row_payload(row, self.config.payload_schema), vector=vec, **kw
        )

    def get(self, ids: Any, *, with_vectors: bool = False, version: Any = None) -> list[Point]:
        """Return the points with ``ids`` (in that order; unknown ids are left out).

        Parameters
        ----------
        ids : list of int or str
        with_vectors : bool, default=False
        version : int or str or None
            A version number or tag (default: the current version).

        Returns
        -------
        list of Point
        """
        want = self.config.check_ids(ids)
        _, handle = self._pinned(version)
        rows = self._rows(handle, want, self._columns(with_vectors))
        return [self._point(rows[i], with_vectors) for i in want.tolist() if i in rows]

    def _matching_ids(self, handle: Any, sql: str) -> np.ndarray:
        tab = handle.search().where(sql).select(["id"]).limit(None).to_arrow()
        return self._id_array(tab.column("id"))

    def scroll(
        self,
        *,
        limit: int = 100,
        offset: Any = None,
        filter: Any = None,
        with_vectors: bool = False,
        version: Any = None,
    ) -> tuple[list[Point], Any]:
        """Points in id order, a page at a time, with an id cursor (Qdrant's scroll).

        Parameters
        ----------
        limit : int, default=100
            Points per page (1 to 10,000).
        offset : int or str or None
            The first id of the page (the ``next_offset`` of the previous page).
        filter : dict or None
            A Qdrant-style filter (:mod:`embedlab.store.filters`).
        with_vectors : bool, default=False
        version : int or str or None

        Returns
        -------
        points : list of Point
        next_offset : id or None
            The id that starts the next page; ``None`` after the last page.
        """
        _check_limit(limit, "limit")
        sql = self._sql(filter)
        _, handle = self._pinned(version)
        ids = self._matching_ids(handle, sql or "true")
        ids = np.sort(ids)
        start = 0
        if offset is not None:
            cursor = self.config.check_ids([offset], "offset")
            start = int(np.searchsorted(ids, cursor[0], side="left"))
        page = ids[start : start + limit]
        nxt = ids[start + limit].item() if start + limit < len(ids) else None
        rows = self._rows(handle, page, self._columns(with_vectors))
        return [self._point(rows[i], with_vectors) for i in page.tolist() if i in rows], nxt

    # ------------------------------------------------------------------------------ writing
    def upsert(self, ids: Any, vectors: Any, payload: Any = None) -> int:
        """Insert new points and replace known ones, in one atomic commit.

        Parameters
        ----------
        ids : list of int or str
            The collection's id type; a repeated id keeps its last row.
        vectors : array-like ``[n, dim]``, or a MultiVector / list of ``[n_i, dim]`` sets
            Finite values; vector sets for a multivector collection.
        payload : list of dict or None
            One mapping (or ``None``) per point: declared fields are typed columns (filterable),
            other keys are kept as JSON.

        Returns
        -------
        int
            The new version.
        """
        cfg = self.config
        ids_arr = cfg.check_ids(ids)
        n = len(ids_arr)
        if n == 0:
            raise InvalidInputError("An upsert needs at least one point.")
        if cfg.multivector:
            sets = cfg.check_multivector(vectors, n)
            search = self._encoder().transform_documents(sets)
            columns = {"vectors": sets}
        else:
            search = cfg.check_vectors(vectors, n)
            columns = {}
        cols = cfg.payload_columns(payload, n)
        keep = _last_occurrences(ids_arr)
        table = self._arrow(ids_arr, search, columns.get("vectors"), cols, keep)
        return self._write_rows(table)

    def upsert_arrow(self, table: Any) -> int:
        """Upsert an Arrow table (columns ``id``, ``vector`` and any declared payload columns).

        ``vector`` is a fixed-size or variable list of float32 (or float64) of the collection's
        dimension; payload columns are cast to their declared types, a ``payload`` column holds
        JSON objects of undeclared fields. One atomic commit; returns the new version.
        """
        import pyarrow as pa

        cfg = self.config
        if not isinstance(table, pa.Table):
            raise InvalidInputError(f"Give a pyarrow Table; got {type(table).__name__}.")
        if cfg.multivector:
            raise InvalidInputError(
                "Arrow upserts carry one vector per point; multivector collections take "
                "vector sets through upsert()."
            )
        names = set(table.column_names)
        missing = {"id", "vector"} - names
        if missing:
            raise InvalidInputError(
                "The Arrow table needs columns 'id' and 'vector'; missing "
                f"{', '.join(sorted(missing))}."
            )
        extra = names - {"id", "vector", "payload", *cfg.payload_schema}
        if extra:
            raise InvalidInputError(
                f"Unknown columns {', '.join(sorted(extra))}; declared payload fields: "
                f"{', '.join(cfg.payload_schema) or 'none'} (other fields go in a 'payload' "
                "JSON column)."
            )
        n = table.num_rows
        if n == 0:
            raise InvalidInputError("An upsert needs at least one point.")
        vec_col = table.column("vector").combine_chunks()
        if vec_col.null_count:
            raise InvalidInputError("The 'vector' column holds nulls; every point needs a vector.")
        if pa.types.is_fixed_size_list(vec_col.type):
            width = vec_col.type.list_size
            flat = vec_col.flatten()
        elif pa.types.is_list(vec_col.type) or pa.types.is_large_list(vec_col.type):
            lengths = np.asarray(vec_col.value_lengths())
            if len(lengths) and (lengths != lengths[0]).any():
                raise InvalidInputError("Every 'vector' must have the same length.")
            width = int(lengths[0]) if len(lengths) else cfg.dim
            flat = vec_col.flatten()
        else:
            raise InvalidInputError(f"'vector' must be a list of floats; got type {vec_col.type}.")
        if not (pa.types.is_floating(flat.type) or pa.types.is_integer(flat.type)):
            raise InvalidInputError(f"'vector' values must be floats; got type {flat.type}.")
        with np.errstate(over="ignore", invalid="ignore"):  # beyond float32: inf, refused below
            x = np.asarray(flat.to_numpy(zero_copy_only=False), dtype=np.float32).reshape(n, width)
        vectors = cfg.check_vectors(x, n)
        id_col = table.column("id").combine_chunks()
        if id_col.null_count:
            raise InvalidInputError("The 'id' column holds nulls.")
        if cfg.id_type == "int":
            if not pa.types.is_integer(id_col.type):
                raise InvalidInputError(
                    f"'id' must be integers for this collection; got {id_col.type}."
                )
            ids_arr = cfg.check_ids(np.asarray(id_col.to_numpy(), dtype=np.int64))
        else:
            if not pa.types.is_string(id_col.type) and not pa.types.is_large_string(id_col.type):
                raise InvalidInputError(
                    f"'id' must be strings for this collection; got {id_col.type}."
                )
            ids_arr = cfg.check_ids(id_col.to_pylist())
        rows: list[dict[str, Any]] = [{} for _ in range(n)]
        for key in cfg.payload_schema:
            if key in names:
                for i, v in enumerate(table.column(key).to_pylist()):
                    if v is not None:
                        rows[i][key] = v
        if "payload" in names:
            for i, v in enumerate(table.column("payload").to_pylist()):
                if v is None:
                    continue
                try:
                    obj = json.loads(v) if isinstance(v, str) else None
                except ValueError:
                    obj = None
                if not isinstance(obj, dict):
                    raise InvalidInputError(f"payload[{i}] must be a JSON object; got {v!r}.")
                rows[i].update(obj)
        cols = cfg.payload_columns(rows, n)
        keep = _last_occurrences(ids_arr)
        return self._write_rows(self._arrow(ids_arr, vectors, None, cols, keep))

    def _arrow(
        self,
        ids: np.ndarray,
        search: np.ndarray,
        sets: MultiVector | None,
        cols: dict[str, list[Any]],
        keep: np.ndarray | None,
    ) -> Any:
        import pyarrow as pa

        schema = self.config.arrow_schema()
        if keep is not None:  # repeated ids: the last row of each wins
            ids, search = ids[keep], search[keep]
            cols = {k: [v[i] for i in keep.tolist()] for k, v in cols.items()}
            if sets is not None:
                sets = MultiVector.from_list([sets[i] for i in keep.tolist()])
        arrays: dict[str, Any] = {
            "id": pa.array(
                ids if ids.dtype != object else ids.tolist(), type=schema.field("id").type
            ),
            "vector": pa.FixedSizeListArray.from_arrays(
                pa.array(np.ascontiguousarray(search, np.float32).reshape(-1)), search.shape[1]
            ),
        }
        if sets is not None:
            inner = pa.FixedSizeListArray.from_arrays(pa.array(sets.vectors.reshape(-1)), sets.dim)
            arrays["vectors"] = pa.ListArray.from_arrays(
                pa.array(sets.offsets.astype(np.int32)), inner
            )
        for key in self.config.payload_schema:
            arrays[key] = pa.array(cols[key], type=schema.field(key).type)
        arrays["payload"] = pa.array(cols["payload"], type=pa.string())
        return pa.Table.from_arrays(list(arrays.values()), schema=schema)

    def _write_rows(self, table: Any) -> int:
        def commit() -> Any:
            if self._table.count_rows() == 0:
                return self._table.add(table)
            return (
                self._table.merge_insert("id")
                .when_matched_update_all()
                .when_not_matched_insert_all()
                .execute(table)
            )

        with self._lock.hold():
            retry_conflicts(commit)
            return self.version

    def delete(self, ids: Any = None, *, filter: Any = None) -> int:
        """Delete the points with ``ids`` and/or matching ``filter`` (both: their intersection).

        One atomic commit; returns the new version.
        """
        parts = []
        if ids is not None:
            want = self.config.check_ids(ids)
            if len(want) == 0:
                return self.version
            parts.append(f"id IN ({sql_literal_list(want.tolist())})")
        if filter is not None:
            sql = self._sql(filter)
            if sql is not None:
                parts.append(f"({sql})")
            elif ids is None:
                raise InvalidInputError(
                    "An empty filter matches every point; give ids or a non-empty filter "
                    "(drop the collection to delete everything)."
                )
        if not parts:
            raise InvalidInputError("Give the ids or a filter of the points to delete.")
        where = " AND ".join(parts)
        with self._lock.hold():
            retry_conflicts(lambda: self._table.delete(where))
            return self.version

    # ------------------------------------------------------------------------------ versions
    def versions(self) -> list[dict[str, Any]]:
        """List every version still stored.

        Each is a dict: ``version``, ``timestamp`` (ISO 8601), ``count``, ``tags``.
        """
        tags: dict[int, list[str]] = {}
        for tag, meta in self._table.tags.list().items():
            tags.setdefault(int(meta["version"]), []).append(tag)
        out = []
        for v in self._table.list_versions():
            num = int(v["version"])
            meta = v.get("metadata") or {}
            out.append(
                {
                    "version": num,
                    "timestamp": v["timestamp"].isoformat(),
                    "count": int(meta.get("total_rows", 0)),
                    "tags": sorted(tags.get(num, [])),
                }
            )
        return out

    def restore(self, version: Any) -> int:
        """Make the contents of ``version`` (a number or tag) current again, as a new version."""
        handle = self._handle(version)  # checks that it exists
        target = int(handle.version)
        with self._lock.hold():
            retry_conflicts(lambda: self._table.restore(target))
            return self.version

    def tag(self, name: str, version: Any = None) -> int:
        """Name ``version`` (default: the current one) ``name``; returns the version tagged."""
        check_name(name)
        target = self.version if version is None else int(self._handle(version).version)
        with self._lock.hold():
            if name in self._table.tags.list():
                raise ConflictError(f"Collection `{self.name}` already has a tag `{name}`.")
            self._table.tags.create(name, target)
        return target

    def optimize(self, *, prune: bool = True) -> dict[str, Any]:
        """Compact small files, fold new rows into the vector indexes, prune old versions.

        With ``prune=True`` the files of versions older than the current one are deleted: those
        versions can no longer be queried or restored. LanceDB refuses to prune while a tag
        holds an old version, so a collection with tags is compacted only (``pruned`` false).

        Returns
        -------
        dict
            ``files_before``, ``files_after``, ``version``, ``pruned``.
        """
        before = _count_files(self.store.path / f"{self.name}.lance")
        with self._lock.hold(), warnings.catch_warnings():
            # LanceDB warns that pruning to the latest version breaks concurrent writers of old
            # versions: embedlab's writers hold this collection's lock, and readers pin versions
            warnings.filterwarnings("ignore", "optimize", UserWarning)
            # compaction commits a new version, so any tag then holds an old one
            pruned = prune and not self._table.tags.list()
            retry_conflicts(
                lambda: self._table.optimize(
                    cleanup_older_than=timedelta(0) if pruned else _KEEP_VERSIONS,
                    delete_unverified=pruned,
                )
            )
            version = self.version
        with self._cache_lock:
            self._handles.clear()
        after = _count_files(self.store.path / f"{self.name}.lance")
        return {"files_before": before, "files_after": after, "version": version, "pruned": pruned}

    def create_index(
        self,
        kind: str = "IVF_PQ",
        *,
        num_partitions: int | None = None,
        num_sub_vectors: int | None = None,
        m: int = 20,
        ef_construction: int = 300,
        sample_rate: int = 256,
        max_iterations: int = 50,
    ) -> dict[str, Any]:
        """Build LanceDB's vector index on the searched column (one commit).

        Parameters
        ----------
        kind : {"IVF_PQ", "IVF_HNSW_SQ", "IVF_HNSW_PQ", "IVF_FLAT", "IVF_SQ"}
        num_partitions : int or None
            IVF lists (default: LanceDB's choice, about ``sqrt(n)``).
        num_sub_vectors : int or None
            PQ sub-vectors (default: LanceDB's choice); must divide the dimension.
        m, ef_construction : int
            HNSW graph degree and build beam (``IVF_HNSW_*``).
        sample_rate, max_iterations : int
            k-means training sample per partition and iterations.

        Returns
        -------
        dict
            The collection's :meth:`info` afterwards.
        """
        if kind not in ANN_INDEX_TYPES:
            raise InvalidInputError(
                f"Unknown index type {kind!r}; choose one of: {', '.join(ANN_INDEX_TYPES)}."
            )
        _check_optional_counts(num_partitions=num_partitions, num_sub_vectors=num_sub_vectors)
        dim = self.config.search_dim
        if num_sub_vectors is not None and dim % num_sub_vectors:
            raise InvalidInputError(
                f"'num_sub_vectors' must divide the dimension {dim}; got {num_sub_vectors}."
            )
        n = self._table.count_rows()
        parts = num_partitions if num_partitions is not None else max(1, int(np.sqrt(max(n, 1))))
        if n < max(256, parts):
            raise InvalidInputError(
                f"A vector index needs at least max(256, num_partitions) points to train; "
                f"collection `{self.name}` has {n}."
            )
        kwargs: dict[str, Any] = {
            "metric": LANCE_DISTANCE[self.config.metric],
            "index_type": kind,
            "num_partitions": parts,
            "sample_rate": sample_rate,
            "max_iterations": max_iterations,
            "vector_column_name": "vector",
            "replace": True,
        }
        if kind.startswith("IVF_HNSW"):
            kwargs.update(m=m, ef_construction=ef_construction)
        if num_sub_vectors is not None:
            kwargs["num_sub_vectors"] = num_sub_vectors
        with self._lock.hold(), warnings.catch_warnings():
            # LanceDB 0.40 deprecates these keyword arguments (for config objects) but takes them
            warnings.filterwarnings("ignore", r"The create_index\(\) API", DeprecationWarning)
            try:
                retry_conflicts(lambda: self._table.create_index(**kwargs))
            except (ValueError, RuntimeError, OSError) as exc:
                if isinstance(exc, ConflictError):
                    raise
                raise InvalidInputError(
                    f"LanceDB could not build the index: {_short(exc)}"
                ) from None
        return self.info()

    def warm(self, mode: str = "exact", *, version: Any = None) -> dict[str, Any]:
        """Load a version's in-memory search structures now rather than on its first query.

        ``mode`` is ``"exact"`` (the vectors and payloads) or an index spec (``"SQ8"``,
        ``"HNSW32"``, ``"MRL64,SQ8"``...; trained and filled on the version's vectors). These live
        in memory only: every new version (each write) and every new process builds them again.

        Returns
        -------
        dict
            ``mode``, ``version``, ``seconds``.
        """
        import time

        t0 = time.perf_counter()
        v, handle = self._pinned(version)
        if mode in ("exact", "Flat"):
            snap = self._snapshot(v, handle)
            self._payload_table(snap, handle)
        elif mode in ("auto", "ann"):
            raise InvalidInputError("Warm 'exact' or an index spec; 'ann' indexes live in LanceDB.")
        else:
            self._spec_index(v, handle, mode)
        return {"mode": mode, "version": v, "seconds": time.perf_counter() - t0}

    def has_ann_index(self, handle: Any = None) -> bool:
        """Whether the searched column has a LanceDB vector index."""
        h = self._table if handle is None else handle
        return any("vector" in list(i.columns) for i in h.list_indices())

    # ------------------------------------------------------------------------------ maps
    def projection_plan(
        self,
        method: str = "pca",
        params: dict[str, Any] | None = None,
        *,
        max_points: int = 100_000,
        seed: int = 0,
        version: Any = None,
    ) -> tuple[str, dict[str, Any]]:
        """Return the cache key of a projection and its resolved settings (nothing computed).

        The settings hold ``method``, ``params`` (with defaults), ``seed``, ``version`` (a
        number), ``sample`` (points on the map: ``min(count, max_points)``), ``n_total`` and
        ``handle``.
        """
        from embedlab.store._projection import projection_key
        from embedlab.viz import normalize_params

        if self.config.multivector:
            raise InvalidInputError(
                f"Collection `{self.name}` holds vector sets; maps are drawn of single-vector "
                "collections (import the vectors to map as one)."
            )
        full = normalize_params(method, params)
        for what, value, least in (("max_points", max_points, 1), ("seed", seed, 0)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
                raise InvalidInputError(f"'{what}' must be an integer >= {least}; got {value!r}.")
        v, handle = self._pinned(version)
        n = int(handle.count_rows())
        if n == 0:
            raise InvalidInputError(f"Collection `{self.name}` has no points to map.")
        sample = min(n, int(max_points))
        key = projection_key(self, v, method, full, sample, int(seed))
        plan = {
            "method": method,
            "params": full,
            "seed": int(seed),
            "version": v,
            "sample": sample,
            "n_total": n,
            "handle": handle,
        }
        return key, plan

    def project(
        self,
        method: str = "pca",
        params: dict[str, Any] | None = None,
        *,
        max_points: int = 100_000,
        seed: int = 0,
        version: Any = None,
        progress: Any = None,
    ) -> Projection:
        """Return a 2-D map of the collection, from the store's cache when it was drawn before.

        Parameters
        ----------
        method : {"pca", "tsne", "umap"}, default="pca"
            t-SNE needs the extra ``tsne`` (openTSNE), UMAP the extra ``umap`` (umap-learn).
        params : dict or None
            The method's parameters (:data:`embedlab.viz.METHODS`).
        max_points : int, default=100,000
            Above this many points a uniform random sample (``seed``) is mapped.
        seed : int, default=0
        version : int or str or None
            The version (or tag) to map; default the current one.
        progress : callable or None
            Called with the fraction done while computing.

        Returns
        -------
        Projection
            Ids, float32 coordinates, the sampled rows' payloads and the map's quality
            (trustworthiness and kNN overlap on a sample of 2,000 points).

        Examples
        --------
        >>> import tempfile, numpy as np
        >>> from embedlab.store import Store
        >>> col = Store(tempfile.mkdtemp()).create_collection("m", 3, "l2")
        >>> _ = col.upsert([1, 2, 3, 4, 5], np.eye(5, 3, dtype="float32") * [1, 2, 3])
        >>> p = col.project("pca")
        >>> p.n_points, p.coords.dtype, col.project("pca").key == p.key
        (5, dtype('float32'), True)
        """
        from embedlab.store._projection import compute_projection, load_projection

        key, plan = self.projection_plan(
            method, params, max_points=max_points, seed=seed, version=version
        )
        cached = load_projection(self, key)
        if cached is not None:
            return cached
        return compute_projection(self, key, plan, progress)

    def projection(self, key: str) -> Projection:
        """Return the cached projection ``key`` (:class:`NotFoundError` when there is none)."""
        from embedlab.store._projection import load_projection

        found = load_projection(self, key)
        if found is None:
            raise NotFoundError(f"Collection `{self.name}` has no projection {key!r}.")
        return found

    # ------------------------------------------------------------------------------ exports
    def to_embedding_set(self, *, version: Any = None) -> EmbeddingSet:
        """Return the collection's ids and vectors (id order) as an EmbeddingSet."""
        from embedlab.io import EmbeddingSet

        if self.config.multivector:
            raise InvalidInputError(
                "A multivector collection exports vector sets: use to_multivector()."
            )
        v, handle = self._pinned(version)
        ids, x = self._load_vectors(handle, "vector")
        order = np.argsort(ids, kind="stable")
        meta = {
            "source": f"embedlab store collection {self.name!r} version {v}",
            "metric": self.config.metric,
        }
        return EmbeddingSet(ids=ids[order], vectors=x[order], metadata=meta)

    def to_multivector(self, *, version: Any = None) -> MultiVector:
        """Return a multivector collection's vector sets (id order) with their ids."""
        if not self.config.multivector:
            raise InvalidInputError("Only multivector collections hold vector sets.")
        _, handle = self._pinned(version)
        tab = handle.search().select(["id", "vectors"]).limit(None).to_arrow()
        ids = self._id_array(tab.column("id"))
        order = np.argsort(ids, kind="stable")
        col = tab.column("vectors").combine_chunks()
        sets = _sets_from_arrow(col, self.config.dim)
        vectors, offsets = _concat([sets[i] for i in order.tolist()], self.config.dim)
        return MultiVector(vectors, offsets, ids=ids[order])

    def export(
        self, path: str | os.PathLike[str], *, version: Any = None, overwrite: bool = False
    ) -> Path:
        """Write the collection to a file.

        An EmbeddingSet file (``.parquet``, ``.npy`` ...) or, for a multivector collection, a
        MultiVector ``.npz``.
        """
        if self.config.multivector:
            self.to_multivector(version=version).save(path, overwrite=overwrite)
        else:
            self.to_embedding_set(version=version).save(path, overwrite=overwrite)
        return Path(path)

    # ------------------------------------------------------------------------------ querying
    def _encoder(self) -> Any:
        if self._fde is None:
            from embedlab.retrieval.muvera import MuveraFDE

            self._fde = MuveraFDE(**(self.config.muvera or {})).fit(self.config.dim)
        return self._fde

    def _id_array(self, col: Any) -> np.ndarray:
        if self.config.id_type == "int":
            return np.asarray(col.to_numpy(), dtype=np.int64)
        return np.asarray(col.to_pylist(), dtype=object)

    def _load_vectors(self, handle: Any, column: str) -> tuple[np.ndarray, np.ndarray]:
        tab = handle.search().select(["id", column]).limit(None).to_arrow()
        ids = self._id_array(tab.column("id"))
        col = tab.column(column).combine_chunks()
        width = self.config.search_dim
        x = np.asarray(col.flatten().to_numpy(), dtype=np.float32).reshape(len(ids), width)
        return ids, x

    def _snapshot(self, version: int, handle: Any) -> _Snapshot:
        with self._cache_lock:
            snap = self._snapshots.get(version)
            if snap is not None:
                self._snapshots.move_to_end(version)
                return snap
            from embedlab.retrieval.index import FlatIndex

            ids, x = self._load_vectors(handle, "vector")
            index = FlatIndex(self.config.search_dim, self.config.metric)
            index.add(x)
            del x
            snap = _Snapshot(ids, index)
            self._snapshots[version] = snap
            while len(self._snapshots) > self.store.cache_versions:
                self._snapshots.popitem(last=False)
            return snap

    def _spec_index(self, version: int, handle: Any, spec: str) -> Any:
        snap = self._snapshot(version, handle)
        with self._cache_lock:
            index = snap.extra.get(spec)
        if index is None:
            from embedlab.retrieval.spec import make_index, parse_spec

            canon = parse_spec(spec)
            index = make_index(canon, self.config.search_dim, self.config.metric)
            x = self._load_vectors(handle, "vector")[1]
            index.train(x)
            index.add(x)
            with self._cache_lock:
                snap.extra[spec] = index
        return index

    def resolve_query(self, query: Any, *, version: Any = None) -> tuple[Any, Any]:
        """Return the query vector (or vector set) and the id to leave out of the results.

        ``query`` is a vector, a vector set (multivector collections), ``{"id": x}`` (the
        stored point's vector; the point itself is left out) or ``{"text": "..."}`` (encoded by
        the collection's ``text_model``).
        """
        cfg = self.config
        if isinstance(query, dict):
            if set(query) == {"id"}:
                want = cfg.check_ids([query["id"]], "query.id")
                _, handle = self._pinned(version)
                col = "vectors" if cfg.multivector else "vector"
                rows = self._rows(handle, want, ["id", col])
                if want[0] not in rows:
                    raise NotFoundError(f"Collection `{self.name}` has no point {query['id']!r}.")
                return np.asarray(rows[want[0]][col], dtype=np.float32), want[0]
            if set(query) == {"text"}:
                text = query["text"]
                if not isinstance(text, str) or not text.strip():
                    raise InvalidInputError("query.text must be a non-empty string.")
                if cfg.text_model is None:
                    raise InvalidInputError(
                        f"Collection `{self.name}` has no text model; create it with "
                        "text_model='minilm' to query by text."
                    )
                if cfg.multivector:
                    mv = self.store.encode_tokens([text], cfg.text_model)
                    return mv.vectors, None
                return self.store.encode([text], cfg.text_model)[0], None
            raise InvalidInputError(
                "A query is a vector, {'id': <point id>} or {'text': <string>}; got keys "
                f"{sorted(query)}."
            )
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # beyond float32: inf, refused below
                q = np.asarray(query, dtype=np.float32)
        except (TypeError, ValueError):
            raise InvalidInputError("The query vector must be a list of numbers.") from None
        want_ndim = 2 if cfg.multivector else 1
        if q.ndim != want_ndim or q.shape[-1] != cfg.dim or (cfg.multivector and len(q) == 0):
            what = f"[n_tokens, {cfg.dim}] vector set" if cfg.multivector else f"{cfg.dim}-d vector"
            raise InvalidInputError(
                f"Collection `{self.name}` takes a {what} as query; got shape {q.shape}."
            )
        if not np.isfinite(q).all():
            raise InvalidInputError("The query holds NaN or infinity; every value must be finite.")
        return q, None

    def query(
        self,
        query: Any,
        *,
        limit: int = 10,
        offset: int = 0,
        filter: Any = None,
        mode: str = "auto",
        version: Any = None,
        with_payload: bool = True,
        with_vectors: bool = False,
        nprobes: int | None = None,
        refine_factor: int | None = None,
        ef: int | None = None,
        candidates: int | None = None,
    ) -> list[ScoredPoint]:
        """Return the ``limit`` nearest points to ``query`` (after skipping ``offset``).

        Parameters
        ----------
        query : vector, vector set, {"id": ...} or {"text": ...}
            See :meth:`resolve_query`.
        limit : int, default=10
            1 to 1,000 (``limit + offset`` at most 10,000).
        offset : int, default=0
        filter : dict or None
            A Qdrant-style filter on declared payload fields; prefiltered: the result holds
            exactly ``min(limit, matches - offset)`` points.
        mode : str, default="auto"
            ``"exact"``, ``"ann"``, ``"auto"`` or an index spec (``"SQ8"``, ``"MRL64,SQ8"``...).
        version : int or str or None
            Query the collection as it was at that version (or tag).
        with_payload, with_vectors : bool
        nprobes, refine_factor, ef : int or None
            LanceDB ANN parameters (``mode="ann"``).
        candidates : int or None
            Multivector collections: points re-ranked by exact MaxSim (default
            ``max(100, 4 * (limit + offset))``).

        Returns
        -------
        list of ScoredPoint
            Best first; ties to the earlier stored point.
        """
        return self.query_batch(
            [query],
            limit=limit,
            offset=offset,
            filter=filter,
            mode=mode,
            version=version,
            with_payload=with_payload,
            with_vectors=with_vectors,
            nprobes=nprobes,
            refine_factor=refine_factor,
            ef=ef,
            candidates=candidates,
        )[0]

    def query_batch(
        self,
        queries: list[Any],
        *,
        limit: int = 10,
        offset: int = 0,
        filter: Any = None,
        mode: str = "auto",
        version: Any = None,
        with_payload: bool = True,
        with_vectors: bool = False,
        nprobes: int | None = None,
        refine_factor: int | None = None,
        ef: int | None = None,
        candidates: int | None = None,
    ) -> list[list[ScoredPoint]]:
        """:meth:`query` for several queries with the same settings (one scan for exact search)."""
        _check_limit(limit, "limit", maximum=1000)
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise InvalidInputError(f"'offset' must be an int >= 0; got {offset!r}.")
        if limit + offset > MAX_LIMIT:
            raise InvalidInputError(
                f"'limit + offset' must be at most {MAX_LIMIT}; got {limit + offset}."
            )
        _check_optional_counts(
            nprobes=nprobes, refine_factor=refine_factor, ef=ef, candidates=candidates
        )
        if not isinstance(queries, list | tuple) or not queries:
            raise InvalidInputError("Give at least one query.")
        if len(queries) > 1000:
            raise InvalidInputError(f"At most 1000 queries per batch; got {len(queries)}.")
        sql = self._sql(filter)
        v, handle = self._pinned(version)
        resolved = [self.resolve_query(q, version=v) for q in queries]
        k = limit + offset
        cfg = self.config
        if cfg.multivector:
            hits = [
                self._maxsim(
                    q, skip, k, sql, v, handle, mode, candidates, nprobes, refine_factor, ef
                )
                for q, skip in resolved
            ]
        else:
            vecs = np.stack([q for q, _ in resolved])
            skips = [s for _, s in resolved]
            hits = self._first_stage(
                vecs, skips, k, sql, v, handle, mode, nprobes, refine_factor, ef
            )
        out = []
        cols = self._columns(with_vectors)
        for ids, scores in hits:
            ids, scores = ids[offset:], scores[offset:]
            rows = self._rows_for(handle, v, ids, cols) if len(ids) else {}
            points = []
            for i, s in zip(ids.tolist(), scores.tolist(), strict=True):
                p = self._point(rows[i], with_vectors, ScoredPoint, score=float(s))
                if not with_payload:
                    p.payload = {}
                points.append(p)
            out.append(points)
        return out

    # -- engines ------------------------------------------------------------------------------
    def _choose(self, mode: Any, version: int, handle: Any) -> str:
        if not isinstance(mode, str) or not mode:
            raise InvalidInputError(
                f"'mode' must be 'auto', 'exact', 'ann' or an index spec; got {mode!r}."
            )
        if mode == "auto":
            with self._cache_lock:
                snap = self._snapshots.get(version)
            n_rows = len(snap.ids) if snap is not None else int(handle.count_rows())
            if n_rows <= self.store.exact_max_rows:
                return "exact"
            return "ann" if self.has_ann_index(handle) else "scan"
        if mode == "ann" and not self.has_ann_index(handle):
            raise InvalidInputError(
                f"Collection `{self.name}` has no vector index; build one with create_index "
                "(POST /collections/{name}/index) or query with mode='exact'."
            )
        if mode in ("exact", "Flat"):
            return "exact"
        return mode

    def _first_stage(
        self,
        vecs: np.ndarray,
        skips: list[Any],
        k: int,
        sql: str | None,
        version: int,
        handle: Any,
        mode: str,
        nprobes: int | None,
        refine_factor: int | None,
        ef: int | None,
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Top ``k`` (ids, scores) of each query vector (of the searched column)."""
        engine = self._choose(mode, version, handle)
        if engine in ("ann", "scan"):
            return [
                self._lance(q, skip, k, sql, handle, engine, nprobes, refine_factor, ef, version)
                for q, skip in zip(vecs, skips, strict=True)
            ]
        index = None if engine == "exact" else self._spec_index(version, handle, engine)
        params = _spec_params(index, nprobes, ef)
        snap = self._snapshot(version, handle)
        allowed = None if sql is None else self._allowed(snap, handle, sql)
        if index is None and all(s is None for s in skips):  # one scan for the whole batch
            target = snap.index if allowed is None else snap.index.subset(allowed)
            if len(target) == 0:
                empty = (np.zeros(0, snap.ids.dtype), np.zeros(0, np.float32))
                return [empty for _ in skips]
            if allowed is None:  # concurrent callers share one pass over the vectors
                d, p = snap.batcher.search(target, vecs, k)
            else:
                d, p = target.search(vecs, k)
            return [(snap.ids[p[i]], d[i]) for i in range(len(vecs))]
        results = []
        for q, skip in zip(vecs, skips, strict=True):
            keep = allowed
            if skip is not None:
                skip_pos = snap.positions(np.asarray([skip], dtype=snap.ids.dtype))
                base = keep if keep is not None else np.arange(len(snap.ids), dtype=np.int64)
                keep = np.setdiff1d(base, skip_pos, assume_unique=True)
            results.append(self._search_one(snap, index, q, k, keep, params))
        return results

    def _allowed(self, snap: _Snapshot, handle: Any, sql: str) -> np.ndarray:
        """Sorted positions of the points matching ``sql`` (cached per version and filter)."""
        key = "filter:" + sql
        with self._cache_lock:
            hit = snap.extra.get(key)
        if hit is not None:
            return hit
        pos = snap.positions(self._matching_ids(handle, sql))
        with self._cache_lock:
            filters = [k for k in snap.extra if k.startswith("filter:")]
            if len(filters) >= _FILTER_CACHE:
                del snap.extra[filters[0]]
            snap.extra[key] = pos
        return pos

    def _search_one(
        self,
        snap: _Snapshot,
        index: Any,
        q: np.ndarray,
        k: int,
        keep: np.ndarray | None,
        params: dict[str, Any] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        qq = q[None, :]
        if index is None:
            target = snap.index if keep is None else snap.index.subset(keep)
            if len(target) == 0:
                return np.zeros(0, snap.ids.dtype), np.zeros(0, np.float32)
            d, p = target.search(qq, k)
            return snap.ids[p[0]], d[0]
        # a compressed or Matryoshka index: search deeper until enough allowed points come back
        n = len(index)
        params = params or {}
        if keep is None:
            d, p = index.search(qq, k, **params)
            ok = p[0] >= 0
            return snap.ids[p[0][ok]], d[0][ok]
        mask = np.zeros(n, dtype=bool)
        mask[keep] = True
        want = min(k, int(mask.sum()))
        depth = min(n, max(4 * k, 64))
        while True:
            d, p = index.search(qq, depth, **params)
            p0, d0 = p[0], d[0]
            ok = (p0 >= 0) & mask[np.maximum(p0, 0)]
            if ok.sum() >= want:
                return snap.ids[p0[ok][:k]], d0[ok][:k]
            if depth >= n:  # an approximate index reached too few matches: exact over them
                return self._search_one(snap, None, q, k, keep)
            depth = min(n, depth * 4)

    def _lance(
        self,
        q: np.ndarray,
        skip: Any,
        k: int,
        sql: str | None,
        handle: Any,
        engine: str,
        nprobes: int | None,
        refine_factor: int | None,
        ef: int | None,
        version: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        metric = self.config.metric
        where = sql
        if skip is not None:
            clause = f"id != {sql_literal_list([skip])}"
            where = clause if where is None else f"({where}) AND {clause}"
        qb = handle.search(q, vector_column_name="vector").distance_type(LANCE_DISTANCE[metric])
        if where is not None:
            qb = qb.where(where, prefilter=True)
        if engine == "scan":
            qb = qb.bypass_vector_index()
        else:
            if nprobes is not None:
                qb = qb.nprobes(nprobes)
            if refine_factor is not None:
                qb = qb.refine_factor(refine_factor)
            if ef is not None:
                qb = qb.ef(ef)
        tab = qb.select(["id", "_distance"]).limit(k).to_arrow()
        ids = self._id_array(tab.column("id"))
        dist = np.asarray(tab.column("_distance").to_numpy(), dtype=np.float32)
        if engine == "ann":
            matches = int(handle.count_rows(where))
            if len(ids) < min(k, matches):  # the probed lists held too few matches: be exact
                snap = self._snapshot(version, handle)
                keep = snap.positions(self._matching_ids(handle, where or "true"))
                return self._search_one(snap, None, q, k, keep)
        if metric == "cosine":
            scores = (1.0 - dist).astype(np.float32)
        elif metric == "ip":
            scores = -dist
        else:
            scores = dist
        return ids, scores

    def _maxsim(
        self,
        q: np.ndarray,
        skip: Any,
        k: int,
        sql: str | None,
        version: int,
        handle: Any,
        mode: str,
        candidates: int | None,
        nprobes: int | None,
        refine_factor: int | None,
        ef: int | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        from embedlab.retrieval.muvera import chamfer_scores

        query_set = MultiVector(q, np.array([0, len(q)], dtype=np.int64))
        fde = self._encoder().transform_queries(query_set)
        n_cand = max(candidates or max(100, 4 * k), k)
        cand_ids, _ = self._first_stage(
            fde, [skip], n_cand, sql, version, handle, mode, nprobes, refine_factor, ef
        )[0]
        if len(cand_ids) == 0:
            return cand_ids, np.zeros(0, np.float32)
        rows = self._rows(handle, cand_ids, ["id", "vectors"])
        sets = [
            np.asarray(rows[i]["vectors"], dtype=np.float32).reshape(-1, self.config.dim)
            for i in cand_ids.tolist()
        ]
        docs = MultiVector(*_concat(sets, self.config.dim))
        scores = chamfer_scores(query_set, docs)[0]
        order = np.lexsort((np.arange(len(scores)), -scores.astype(np.float64)))[:k]
        return cand_ids[order], scores[order]


def _spec_params(index: Any, nprobes: int | None, ef: int | None) -> dict[str, Any]:
    """FAISS's names for the ANN parameters of an in-memory spec index (``HNSW32``, ``IVF...``)."""
    params: dict[str, Any] = {}
    if index is None or (nprobes is None and ef is None):
        return params
    inner = getattr(index, "inner", index)  # MRL<D>,<spec> forwards to its inner index
    if inner.name != "faiss":
        raise InvalidInputError(
            f"nprobes and ef apply to ANN indexes; mode {index.describe()!r} takes none."
        )
    if nprobes is not None:
        params["nprobe"] = nprobes
    if ef is not None:
        params["efSearch"] = ef
    return params


def _concat(sets: list[np.ndarray], dim: int) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.array([len(s) for s in sets], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    vectors = np.concatenate(sets) if sets else np.zeros((0, dim), np.float32)
    return np.ascontiguousarray(vectors, dtype=np.float32), offsets


def _sets_from_arrow(col: Any, dim: int) -> list[np.ndarray]:
    offsets = np.asarray(col.offsets.to_numpy(), dtype=np.int64)
    flat = np.asarray(col.values.flatten().to_numpy(), dtype=np.float32).reshape(-1, dim)
    return [flat[offsets[i] : offsets[i + 1]] for i in range(len(col))]


def _last_occurrences(ids: np.ndarray) -> np.ndarray | None:
    """Positions keeping the last row of each repeated id (in order), or None when all differ."""
    if len(np.unique(ids)) == len(ids):
        return None
    rev = ids[::-1]
    _, first = np.unique(rev, return_index=True)
    return np.sort(len(ids) - 1 - first)


def _check_optional_counts(**values: Any) -> None:
    """Each value is None or an int >= 1 (the error names the parameter)."""
    for key, value in values.items():
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise InvalidInputError(f"'{key}' must be an int >= 1; got {value!r}.")


def _check_limit(limit: Any, what: str, *, maximum: int = MAX_LIMIT) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= maximum:
        raise InvalidInputError(f"'{what}' must be an int in [1, {maximum}]; got {limit!r}.")


def _count_files(path: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(path))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
