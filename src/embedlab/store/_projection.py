"""Projections of a collection: 2-D maps cached in the store, one file per (version, settings).

A projection is computed from one version of a collection: the rows are ordered by id, a fair
random sample of ``max_points`` is drawn (all rows when there are fewer), the sample is mapped by
:func:`embedlab.viz.project`, and the map's quality (:func:`embedlab.viz.map_quality`) is
measured. The result — ids, coordinates, the sampled rows' payloads and a JSON description — is
one Arrow IPC file, ``STORE/.projections/<collection>/<key>.arrow``, where ``key`` hashes the
collection's configuration, the version, the method and its parameters, the sample size and the
seed. The same request later (from any process) reads the file instead of recomputing.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embedlab.exceptions import InvalidInputError, NotFoundError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from embedlab.store._collection import Collection

__all__ = ["Projection", "compute_projection", "load_projection", "projection_key"]

_META = b"embedlab.projection"
_PREFIX = "p:"  # payload columns in the file: "p:label" (so a field called "x" or "id" is fine)
_SPREAD_MAX = 64  # undeclared payload keys spread into columns (the most frequent ones)
_CATEGORICAL_MAX = 256  # distinct values up to which a column colours by category (and
# at most half the values, or 20: a column of mostly unique strings is text)
_KEY_RE = frozenset("0123456789abcdef")


@dataclass
class Projection:
    """A 2-D map of (a sample of) one version of a collection.

    Attributes
    ----------
    key : str
        The cache key (hex).
    collection, method : str
    params : dict
        The method's parameters, completed with defaults.
    seed, version, n_total : int
        The seed of the sample and the map, the collection version, its row count.
    ids : numpy.ndarray
        The sampled rows' ids (id order), aligned with ``coords``.
    coords : numpy.ndarray of float32, shape (n, 2)
    payloads : pyarrow.Table
        The sampled rows' declared payload fields and their undeclared keys (one column each).
    quality : dict
        ``trustworthiness``, ``knn_overlap``, ``k``, ``sample`` of :func:`embedlab.viz.map_quality`.
    seconds : float
        Time to compute the map and its quality.
    """

    key: str
    collection: str
    method: str
    params: dict[str, Any]
    seed: int
    version: int
    n_total: int
    ids: np.ndarray
    coords: np.ndarray
    payloads: Any
    quality: dict[str, Any]
    seconds: float

    @property
    def n_points(self) -> int:
        """Points on the map."""
        return len(self.ids)

    def describe(self) -> dict[str, Any]:
        """Return the JSON-ready description (no arrays)."""
        return {
            "id": self.key,
            "collection": self.collection,
            "method": self.method,
            "params": self.params,
            "seed": self.seed,
            "version": self.version,
            "n_total": self.n_total,
            "n_points": self.n_points,
            "quality": self.quality,
            "seconds": self.seconds,
        }

    # -- ids ------------------------------------------------------------------------------------
    def positions_of(self, ids: Any) -> np.ndarray:
        """Return the map position of each id (``-1`` for an id not on the map)."""
        from embedlab.utils.ids import sorted_lookup

        want = np.asarray(list(ids), dtype=self.ids.dtype)
        if len(self.ids) == 0 or len(want) == 0:
            return np.full(len(want), -1, dtype=np.int64)
        at, found = sorted_lookup(self.ids, want)  # the map's ids are in id order
        return np.where(found, at, -1).astype(np.int64)

    # -- columns --------------------------------------------------------------------------------
    def columns(self) -> dict[str, list[Any]]:
        """Return the columns to colour by (``kind`` categorical or continuous) and text columns."""
        colour: list[dict[str, str]] = []
        text: list[str] = []
        for name in self.payloads.column_names:
            kind = _kind(self.payloads.column(name))
            if kind == "text":
                text.append(name)
            elif kind is not None:
                colour.append({"name": name, "kind": kind})
        return {"columns": colour, "text_columns": text}

    def column(self, name: str) -> dict[str, Any]:
        """Return a payload column aligned with the map, coded for colouring.

        Categorical: ``categories`` (sorted by frequency, then value) and ``codes`` (``-1`` where
        missing); continuous: ``values`` (``None`` where missing), ``min``, ``max``.
        """
        if name not in self.payloads.column_names:
            names = ", ".join(self.payloads.column_names) or "none"
            raise NotFoundError(
                f"Collection `{self.collection}` has no payload column {name!r} (columns: {names})."
            )
        col = self.payloads.column(name)
        kind = _kind(col)
        if kind is None:
            raise InvalidInputError(
                f"Column {name!r} of `{self.collection}` has no values on this map."
            )
        values = col.to_pylist()
        if kind == "continuous":
            nums = [None if v is None else float(v) for v in values]
            finite = [v for v in nums if v is not None and np.isfinite(v)]
            return {
                "name": name,
                "kind": kind,
                "values": [v if v is not None and np.isfinite(v) else None for v in nums],
                "min": min(finite) if finite else None,
                "max": max(finite) if finite else None,
            }
        if kind != "categorical":
            distinct = len({_text(v) for v in values if v is not None})
            raise InvalidInputError(
                f"Column {name!r} of `{self.collection}` holds free text ({distinct:,} distinct "
                "values); colour by a categorical or numeric column."
            )
        labels = [None if v is None else _text(v) for v in values]
        counts: dict[str, int] = {}
        for v in labels:
            if v is not None:
                counts[v] = counts.get(v, 0) + 1
        categories = sorted(counts, key=lambda c: (-counts[c], c))
        code = {c: i for i, c in enumerate(categories)}
        return {
            "name": name,
            "kind": kind,
            "categories": categories,
            "codes": [-1 if v is None else code[v] for v in labels],
        }

    # -- search ---------------------------------------------------------------------------------
    def search(
        self, col: Collection, q: str, *, by: str = "auto", limit: int = 100
    ) -> dict[str, Any]:
        """Return the map positions matching ``q`` (by id, payload text or a text query).

        ``by="id"``: the point whose id is ``q``; ``"payload"``: every point with a string
        payload value containing ``q`` (case-insensitive); ``"text"``: the ``limit`` nearest
        points to the encoded text (text collections only; those on the map); ``"auto"``: the
        first of these that finds anything.
        """
        if by not in ("auto", "id", "payload", "text"):
            raise InvalidInputError(f"'by' must be auto, id, payload or text; got {by!r}.")
        if not isinstance(q, str) or not q.strip():
            raise InvalidInputError("The search text 'q' must be a non-empty string.")
        q = q.strip()
        order = ["id", "payload", "text"] if by == "auto" else [by]
        for how in order:
            if how == "text" and col.config.text_model is None:
                if by == "text":
                    raise InvalidInputError(
                        f"Collection `{self.collection}` has no text model: search by id or "
                        "payload."
                    )
                continue
            found = getattr(self, f"_by_{how}")(col, q, limit)
            if len(found) or by != "auto":
                return {"by": how, "indices": found.tolist()}
        return {"by": order[-1] if by != "auto" else "payload", "indices": []}

    def _by_id(self, col: Collection, q: str, limit: int) -> np.ndarray:
        try:
            key: Any = int(q) if col.config.id_type == "int" else q
        except ValueError:
            return np.zeros(0, dtype=np.int64)
        if col.config.id_type == "int" and not -(2**63) <= key < 2**63:
            return np.zeros(0, dtype=np.int64)
        pos = self.positions_of([key])
        return pos[pos >= 0]

    def _by_payload(self, col: Collection, q: str, limit: int) -> np.ndarray:
        import pyarrow as pa
        import pyarrow.compute as pc

        hit = np.zeros(self.n_points, dtype=bool)
        for name in self.payloads.column_names:
            column = self.payloads.column(name)
            if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
                continue
            m = pc.match_substring(column, q, ignore_case=True).fill_null(False)
            hit |= np.asarray(m.to_numpy(zero_copy_only=False), dtype=bool)
        return np.flatnonzero(hit).astype(np.int64)

    def _by_text(self, col: Collection, q: str, limit: int) -> np.ndarray:
        hits = col.query({"text": q}, limit=limit, version=self.version, with_payload=False)
        pos = self.positions_of([h.id for h in hits])
        return pos[pos >= 0]


def _text(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v) if isinstance(v, list | dict) else str(v)


def _kind(col: Any) -> str | None:
    """categorical, continuous, text, or None (a column with no values)."""
    import pyarrow as pa

    t = col.type
    if col.null_count == len(col):
        return None
    if pa.types.is_boolean(t):
        return "categorical"
    distinct = len(col.drop_null().unique()) if not pa.types.is_nested(t) else _CATEGORICAL_MAX + 1
    few = min(_CATEGORICAL_MAX, max(20, (len(col) - col.null_count) // 2))
    if distinct <= few and not pa.types.is_floating(t):
        return "categorical"
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        return "continuous"
    return "text"


# -- keys, compute, files -----------------------------------------------------------------------
def projection_key(
    col: Collection, version: int, method: str, params: dict[str, Any], sample: int, seed: int
) -> str:
    """Return the cache key of a projection (hex, 24 characters)."""
    from embedlab._version import __version__

    described = {
        "config": col.config.describe(),
        "incarnation": col.incarnation,
        "software": [__version__, _library_version(method)],
        "version": int(version),
        "method": method,
        "params": params,
        "sample": int(sample),
        "seed": int(seed),
    }
    blob = json.dumps(described, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:24]


def _library_version(method: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    package = {"tsne": "openTSNE", "umap": "umap-learn"}.get(method, "numpy")
    try:
        return f"{package} {version(package)}"
    except PackageNotFoundError:
        return f"{package} missing"


def _folder(col: Collection) -> Path:
    return Path(col.store.path) / ".projections" / col.name


def load_projection(col: Collection, key: str) -> Projection | None:
    """Return the cached projection ``key`` of ``col``, or None when it is not cached."""
    import pyarrow as pa

    if len(key) != 24 or not set(key) <= _KEY_RE:
        raise NotFoundError(f"Collection `{col.name}` has no projection {key!r}.")
    path = _folder(col) / f"{key}.arrow"
    if not path.exists():
        return None
    try:
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_file(source).read_all()
        meta = json.loads(table.schema.metadata[_META])
        ids = col._id_array(table.column("id"))
        x, y = table.column("x").to_numpy(), table.column("y").to_numpy()
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None  # unreadable (an older layout, a partial copy): computed anew
    coords = np.stack([x, y], axis=1).astype(np.float32)
    names = [n for n in table.column_names if n.startswith(_PREFIX)]
    payloads = table.select(names).rename_columns([n[len(_PREFIX) :] for n in names])
    return Projection(
        key=key,
        collection=col.name,
        method=meta["method"],
        params=meta["params"],
        seed=meta["seed"],
        version=meta["version"],
        n_total=meta["n_total"],
        ids=ids,
        coords=coords,
        payloads=payloads,
        quality=meta["quality"],
        seconds=meta["seconds"],
    )


def _save(col: Collection, p: Projection) -> None:
    import pyarrow as pa

    meta = {k: v for k, v in p.describe().items() if k not in ("id", "collection", "n_points")}
    ids = pa.array(p.ids.tolist()) if p.ids.dtype == object else pa.array(p.ids)
    table = pa.table({"id": ids, "x": p.coords[:, 0], "y": p.coords[:, 1]})
    for name in p.payloads.column_names:
        table = table.append_column(_PREFIX + name, p.payloads.column(name))
    table = table.replace_schema_metadata({_META: json.dumps(meta).encode()})
    folder = _folder(col)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{p.key}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    try:
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        os.replace(tmp, folder / f"{p.key}.arrow")
    finally:
        tmp.unlink(missing_ok=True)


def _payload_columns(col: Collection, table: pa.Table) -> pa.Table:
    """Return the declared payload fields, and undeclared JSON keys spread into columns."""
    import pyarrow as pa

    out = table.select(list(col.config.payload_schema))
    rows = [json.loads(text) if text else {} for text in table.column("payload").to_pylist()]
    freq: dict[str, int] = {}
    for row in rows:
        for k in row:
            if k not in out.column_names:
                freq[k] = freq.get(k, 0) + 1
    for k in sorted(sorted(freq, key=lambda k: (-freq[k], k))[:_SPREAD_MAX]):
        values = [row.get(k) for row in rows]
        kinds = {type(v) for v in values if v is not None}
        if kinds == {bool}:
            arr = pa.array(values, pa.bool_())
        elif kinds == {int} and all(-(2**63) <= v < 2**63 for v in values if v is not None):
            arr = pa.array(values, pa.int64())
        elif kinds <= {int, float} and kinds:
            arr = pa.array([None if v is None else float(v) for v in values], pa.float64())
        else:
            arr = pa.array([None if v is None else _text(v) for v in values], pa.string())
        out = out.append_column(k, arr)
    return out


def _take_rows(
    col: Collection, handle: Any, want: np.ndarray, scan_pos: np.ndarray, cols: list[str]
) -> pa.Table:
    """Return the rows with ids ``want`` (in that order), at scan offsets ``scan_pos``."""
    import pyarrow as pa

    try:
        tab = handle.take_offsets(np.sort(scan_pos).tolist()).select(cols).to_arrow()
        got = col._id_array(tab.column("id"))
        at = {k: i for i, k in enumerate(got.tolist())}
        if len(at) == len(want) and all(k in at for k in want.tolist()):
            return tab.take([at[k] for k in want.tolist()])
    except (ValueError, RuntimeError, OSError, pa.ArrowException):
        pass
    rows = col._rows(handle, want, cols)  # offsets and scan order disagreed: by id
    schema = pa.schema([handle.schema.field(c) for c in cols])
    return pa.Table.from_pylist([rows[k] for k in want.tolist()], schema=schema)


def compute_projection(
    col: Collection,
    key: str,
    plan: dict[str, Any],
    progress: Callable[[float], None] | None = None,
) -> Projection:
    """Compute, save and return the projection ``key`` (see :meth:`Collection.project`)."""
    from embedlab.viz import map_quality, project, sample_positions

    method, params, seed = plan["method"], plan["params"], plan["seed"]
    report = progress or (lambda _f: None)
    t0 = time.perf_counter()
    handle = plan["handle"]
    cols = ["id", "vector", *col.config.payload_schema, "payload"]
    if plan["sample"] >= plan["n_total"]:  # every row: one scan
        taken = handle.search().select(cols).limit(None).to_arrow()
        order = np.argsort(col._id_array(taken.column("id")), kind="stable")
    else:  # the ids first, then only the sampled rows (memory bounded by the sample)
        scan_ids = col._id_array(handle.search().select(["id"]).limit(None).to_arrow()["id"])
        by_id = np.argsort(scan_ids, kind="stable")
        scan_pos = by_id[sample_positions(len(scan_ids), plan["sample"], seed)]
        taken = _take_rows(col, handle, scan_ids[scan_pos], scan_pos, cols)
        order = np.arange(taken.num_rows)
    # vectors reordered in NumPy (Arrow's take of a chunked list column is ~10x slower)
    x = np.asarray(
        taken.column("vector").combine_chunks().flatten().to_numpy(), dtype=np.float32
    ).reshape(taken.num_rows, col.config.dim)
    if not np.array_equal(order, np.arange(len(order))):
        x = x[order]
        taken = taken.drop_columns(["vector"]).combine_chunks().take(order)
    ids = col._id_array(taken.column("id"))
    metric = col.config.metric
    report(0.05)
    coords = project(
        x, method, seed=seed, metric=metric, progress=lambda f: report(0.05 + 0.85 * f), **params
    )
    quality = map_quality(x, coords, seed=seed, metric=metric)
    report(0.97)
    proj = Projection(
        key=key,
        collection=col.name,
        method=method,
        params=params,
        seed=seed,
        version=plan["version"],
        n_total=plan["n_total"],
        ids=ids,
        coords=coords,
        payloads=_payload_columns(col, taken),
        quality=quality,
        seconds=round(time.perf_counter() - t0, 4),
    )
    _save(col, proj)
    report(1.0)
    return proj
