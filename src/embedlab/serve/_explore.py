"""The explorer's side of the HTTP API: projection jobs, map data, search, compare, export, page.

* ``POST /collections/{name}/projections`` starts (or finds) a 2-D map of a collection: the job
  runs on one background thread, its state is polled with ``GET .../projections/{id}``, and the
  result is cached in the store (:meth:`embedlab.store.Collection.project`), so a restarted
  server answers from the file.
* ``.../coords`` sends the coordinates as raw little-endian float32 (``x0 y0 x1 y1 ...``), not
  JSON; ``?align_to=OTHER:ID`` first moves them onto another map (orthogonal Procrustes on the
  shared ids).
* ``GET /explore`` is the page (``explorer/`` in this package: no CDN, no build step).
"""

# no "from __future__ import annotations": FastAPI reads the handlers' annotations as objects

import io
import json
import logging
import queue
import threading
from collections import OrderedDict
from importlib import resources
from typing import Any

import numpy as np

from embedlab.exceptions import (
    ConflictError,
    EmbedlabError,
    InvalidInputError,
    MissingExtraError,
    NotFoundError,
)
from embedlab.serve import _schemas as S

__all__ = ["ProjectionJobs", "QueueFullError", "install_explorer", "preload_in_background"]

logger = logging.getLogger("embedlab.serve")

_STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}
_COMPARE_CAP = 20_000  # shared points whose neighbourhoods a comparison measures
_MIN_SHARED = 3


def preload_in_background() -> threading.Thread:
    """Import what the first map needs (the exact index, pyarrow's compute kernels) on a thread.

    The server entry points call it before serving, so the first projection does not pay the
    imports; a request that comes sooner just waits on Python's import lock.
    """

    def load() -> None:
        import pyarrow.compute  # noqa: F401

        import embedlab.retrieval.index.flat
        import embedlab.store._projection  # noqa: F401

    thread = threading.Thread(target=load, name="embedlab-preload", daemon=True)
    thread.start()
    return thread


class QueueFullError(EmbedlabError):
    """Too many maps wait to be computed (HTTP 429)."""


class ProjectionJobs:
    """Projection jobs of one app: a queue, one worker thread, and the last maps in memory.

    Parameters
    ----------
    keep : int, default=8
        Finished projections kept in memory (the store keeps them all on disk).
    max_queued : int, default=16
        Jobs waiting beyond this are refused (:class:`QueueFullError`, HTTP 429).
    keep_states : int, default=256
        Finished jobs whose state is remembered (older ones are read back from the store).
    """

    def __init__(self, keep: int = 8, *, max_queued: int = 16, keep_states: int = 256) -> None:
        self.keep = keep
        self.max_queued = max_queued
        self.keep_states = keep_states
        self._lock = threading.Lock()
        self._states: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self._maps: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._queue: queue.Queue[Any] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._compares: OrderedDict[Any, dict[str, Any]] = OrderedDict()

    # -- state ----------------------------------------------------------------------------------
    @staticmethod
    def _describe(col: Any, key: str, plan: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": key,
            "collection": col.name,
            "method": plan["method"],
            "params": plan["params"],
            "seed": plan["seed"],
            "version": plan["version"],
            "status": "pending",
            "progress": 0.0,
            "error": None,
            "n_total": plan["n_total"],
            "n_points": plan["sample"],
            "quality": None,
            "seconds": None,
        }

    def _done_state(self, proj: Any) -> dict[str, Any]:
        out = proj.describe()
        out.update(status="done", progress=1.0, error=None)
        return out

    def _remember(self, name: str, key: str, proj: Any) -> None:
        with self._lock:
            _lru_put(self._maps, (name, key), proj, self.keep)

    def submit(self, col: Any, key: str, plan: dict[str, Any]) -> dict[str, Any]:
        """Return the job's state, starting it unless it is done, queued or running.

        Raises :class:`QueueFullError` when ``max_queued`` jobs already wait.
        """
        from embedlab.store._projection import load_projection

        ident = (col.name, key)
        with self._lock:
            state = self._states.get(ident)
            if state is not None and state["status"] in ("pending", "running", "done"):
                self._states.move_to_end(ident)
                return dict(state)
            waiting = sum(st["status"] == "pending" for st in self._states.values())
            if waiting >= self.max_queued:
                raise QueueFullError(
                    f"{waiting} maps are waiting to be computed (the limit); retry later."
                )
            # the placeholder makes a concurrent request for the same map wait for this one
            state = self._describe(col, key, plan)
            self._states[ident] = state
            self._prune()
        cached = load_projection(col, key)
        with self._lock:
            if cached is not None:
                _lru_put(self._maps, ident, cached, self.keep)
                state.update(self._done_state(cached))
                return dict(state)
            self._queue.put((col, key, plan, state))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._work, name="embedlab-projections", daemon=True
                )
                self._worker.start()
            return dict(state)

    def _prune(self) -> None:
        """Forget the oldest finished jobs beyond ``keep_states`` (under the lock)."""
        finished = [k for k, st in self._states.items() if st["status"] in ("done", "failed")]
        for k in finished[: max(0, len(self._states) - self.keep_states)]:
            del self._states[k]

    def forget(self, name: str) -> None:
        """Drop what is remembered of collection ``name`` (it was deleted)."""
        with self._lock:
            for k in [k for k, st in self._states.items() if k[0] == name]:
                if self._states[k]["status"] in ("done", "failed"):
                    del self._states[k]
            for k in [k for k in self._maps if k[0] == name]:
                del self._maps[k]
            for k in [k for k in self._compares if name in (k[0], k[2])]:
                del self._compares[k]

    def _work(self) -> None:
        from embedlab.store import _projection

        while True:
            col, key, plan, state = self._queue.get()
            state["status"] = "running"

            def progress(f: float, state: dict[str, Any] = state) -> None:
                state["progress"] = round(float(f), 4)

            try:
                proj = _projection.compute_projection(col, key, plan, progress)
                done = self._done_state(proj)
                self._remember(col.name, key, proj)
                state.update(done)
            except EmbedlabError as exc:
                state.update(status="failed", error=str(exc))
            except Exception as exc:  # a worker must outlive any one job
                logger.exception("Projection %s of %s failed", key, col.name)
                state.update(status="failed", error=f"The projection failed: {exc}")
            finally:
                self._queue.task_done()

    def state(self, col: Any, key: str) -> dict[str, Any]:
        """Return the state of job ``key`` (a map cached by another process counts as done)."""
        with self._lock:
            state = self._states.get((col.name, key))
            if state is not None:
                return dict(state)
        return self._done_state(self.projection(col, key))

    def projection(self, col: Any, key: str) -> Any:
        """Return the finished projection ``key`` (409 while it runs, 404 when unknown)."""
        with self._lock:
            proj = self._maps.get((col.name, key))
            state = self._states.get((col.name, key))
        if proj is not None:
            return proj
        if state is not None and state["status"] in ("pending", "running"):
            raise ConflictError(
                f"Projection {key} of `{col.name}` is {state['status']} "
                f"({100 * state['progress']:.0f}% done); poll GET /collections/{col.name}/"
                f"projections/{key}."
            )
        if state is not None and state["status"] == "failed":
            raise ConflictError(f"Projection {key} of `{col.name}` failed: {state['error']}")
        proj = col.projection(key)
        self._remember(col.name, key, proj)
        return proj

    def compare(self, a: Any, pa: Any, b: Any, pb: Any, k: int) -> dict[str, Any]:
        """Return the per-point kNN agreement of two maps' collections (cached)."""
        memo = (a.name, pa.key, b.name, pb.key, k)
        with self._lock:
            hit = self._compares.get(memo)
        if hit is not None:
            return hit
        out = _compare(a, pa, b, pb, k)
        with self._lock:
            _lru_put(self._compares, memo, out, self.keep)
        return out


def _lru_put(cache: OrderedDict[Any, Any], key: Any, value: Any, keep: int) -> None:
    """Store ``value`` as the newest entry, dropping the oldest beyond ``keep`` (caller locks)."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > keep:
        cache.popitem(last=False)


def _shared(pa: Any, pb: Any) -> tuple[np.ndarray, np.ndarray]:
    """Positions on map A and on map B of the ids on both."""
    if pa.ids.dtype.kind != pb.ids.dtype.kind and "O" in (pa.ids.dtype.kind, pb.ids.dtype.kind):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    in_b = pb.positions_of(pa.ids)
    ia = np.flatnonzero(in_b >= 0)
    return ia, in_b[ia]


def _vectors(col: Any, version: int, ids: np.ndarray) -> np.ndarray:
    """Return the vectors of ``ids`` at ``version`` (only those rows are read)."""
    points = col.get(ids.tolist(), with_vectors=True, version=version)
    if len(points) != len(ids):
        raise ConflictError(
            f"Collection `{col.name}` lost {len(ids) - len(points)} of the map's points at "
            f"version {version}; map it again."
        )
    return np.stack([np.asarray(p.vector, dtype=np.float32) for p in points])


def _compare(a: Any, pa: Any, b: Any, pb: Any, k: int) -> dict[str, Any]:
    from embedlab.viz import knn_agreement, sample_positions

    ia, ib = _shared(pa, pb)
    shared = len(ia)
    if shared <= k:
        raise InvalidInputError(
            f"Maps of `{a.name}` and `{b.name}` share {len(ia)} ids; comparing neighbourhoods of "
            f"k={k} needs more than {k}."
        )
    measured = sample_positions(len(ia), _COMPARE_CAP, 0)
    ia, ib = ia[measured], ib[measured]
    xa = _vectors(a, pa.version, pa.ids[ia])
    xb = _vectors(b, pb.version, pb.ids[ib])
    agree = knn_agreement(xa, xb, k, metric_a=a.config.metric, metric_b=b.config.metric)
    out_a: list[float | None] = [None] * pa.n_points
    out_b: list[float | None] = [None] * pb.n_points
    for i, j, v in zip(ia.tolist(), ib.tolist(), agree.tolist(), strict=True):
        out_a[i] = out_b[j] = v
    return {
        "shared": shared,
        "measured": len(ia),
        "k": k,
        "mean_agreement": float(agree.mean()),
        "agreement_a": out_a,
        "agreement_b": out_b,
    }


def _aligned(pb: Any, pa: Any) -> np.ndarray:
    from embedlab.viz import align

    ia, ib = _shared(pa, pb)
    if len(ia) < _MIN_SHARED:
        raise InvalidInputError(
            f"Maps of `{pb.collection}` and `{pa.collection}` share {len(ia)} ids; aligning "
            f"them needs at least {_MIN_SHARED}."
        )
    # equally spread maps side by side (the least-squares scale shrinks a map that disagrees)
    return align(pb.coords[ib], pa.coords[ia], scale="spread").apply(pb.coords)


def _export_table(col: Any, points: list[Any]) -> Any:
    import pyarrow as pa

    schema = list(col.config.payload_schema)
    data: dict[str, Any] = {"id": [p.id for p in points]}
    for name in schema:
        data[name] = [p.payload.get(name) for p in points]
    rest = [{k: v for k, v in p.payload.items() if k not in schema} for p in points]
    if any(rest):
        data["payload"] = [json.dumps(r, sort_keys=True) if r else None for r in rest]
    return pa.table(data)


def install_explorer(
    app: Any,
    *,
    ok: Any,
    read: Any,
    collection: Any,
    api_error: Any,
    max_projection_points: int,
) -> ProjectionJobs:
    """Add the explorer's endpoints and page to ``app`` (called by :func:`create_app`)."""
    from fastapi import Request
    from fastapi.responses import Response

    from embedlab.utils.optional import missing_extra_message
    from embedlab.viz import available_methods
    from embedlab.viz._project import _MODULES

    jobs = ProjectionJobs()
    app.state.projection_jobs = jobs

    def check_method(method: str) -> None:
        have = available_methods()
        if method in have and not have[method]:
            module, purpose, package = _MODULES[method]
            raise MissingExtraError(missing_extra_message(module, method, purpose, package=package))

    @app.get("/projections/methods", tags=["explorer"])
    async def methods(request: Request) -> Any:
        """Projection methods installed here and the server's limit on points per map."""
        return ok(
            request,
            {
                "methods": available_methods(),
                "max_points_limit": max_projection_points,
                "default_max_points": min(100_000, max_projection_points),
            },
        )

    @app.post("/collections/{name}/projections", tags=["explorer"])
    async def start_projection(request: Request, name: str, body: S.ProjectionRequest) -> Any:
        """Start (or find) a 2-D map of the collection; 200 when done, 202 while it runs."""
        max_points = body.max_points or min(100_000, max_projection_points)
        if max_points > max_projection_points:
            raise api_error(
                422,
                f"'max_points' must be at most {max_projection_points:,} (this server's limit "
                f"on points per map); got {max_points:,}. Larger collections are mapped "
                "from a uniform random sample of that many points.",
            )

        def plan() -> Any:
            check_method(body.method)
            col = collection(name)
            key, settings = col.projection_plan(
                body.method,
                body.params,
                max_points=max_points,
                seed=body.seed,
                version=body.version,
            )
            state = jobs.submit(col, key, settings)
            return ok(request, state, 200 if state["status"] == "done" else 202)

        return await read(plan)

    def on_map(name: str, pid: str, fn: Any) -> Any:
        """Run ``fn(collection, projection)`` and build its JSON answer, off the event loop."""

        def run() -> Any:
            col = collection(name)
            return fn(col, jobs.projection(col, pid))

        return run

    @app.get("/collections/{name}/projections/{pid}", tags=["explorer"])
    async def projection_state(request: Request, name: str, pid: str) -> Any:
        """Return a projection job's state: pending, running (with progress), done or failed."""
        return await read(lambda: ok(request, jobs.state(collection(name), pid)))

    @app.get(
        "/collections/{name}/projections/{pid}/coords",
        tags=["explorer"],
        response_class=Response,
        responses={200: {"content": {"application/octet-stream": {}}}},
    )
    async def coords(request: Request, name: str, pid: str, align_to: str | None = None) -> Any:
        """Send the map's coordinates, little-endian float32 ``x0 y0 x1 y1 ...``."""

        def send(col: Any, proj: Any) -> Any:
            xy = proj.coords
            if align_to:
                other, sep, other_id = align_to.partition(":")
                if not sep or not other_id:
                    raise InvalidInputError(
                        f"'align_to' must be COLLECTION:PROJECTION_ID; got {align_to!r}."
                    )
                xy = _aligned(proj, jobs.projection(collection(other), other_id))
            return Response(
                np.ascontiguousarray(xy, dtype="<f4").tobytes(),
                media_type="application/octet-stream",
                headers={"X-Points": str(proj.n_points), "Cache-Control": "no-cache"},
            )

        return await read(on_map(name, pid, send))

    @app.get("/collections/{name}/projections/{pid}/ids", tags=["explorer"])
    async def map_ids(request: Request, name: str, pid: str) -> Any:
        """List the ids of the map's points, aligned with the coordinates."""
        return await read(on_map(name, pid, lambda c, p: ok(request, {"ids": p.ids.tolist()})))

    @app.get("/collections/{name}/projections/{pid}/columns", tags=["explorer"])
    async def map_columns(request: Request, name: str, pid: str) -> Any:
        """Payload columns to colour the map by (categorical or continuous) and text columns."""
        return await read(on_map(name, pid, lambda c, p: ok(request, p.columns())))

    @app.get("/collections/{name}/projections/{pid}/column/{column}", tags=["explorer"])
    async def map_column(request: Request, name: str, pid: str, column: str) -> Any:
        """One payload column aligned with the map: category codes or numbers."""
        return await read(on_map(name, pid, lambda c, p: ok(request, p.column(column))))

    @app.post("/collections/{name}/projections/{pid}/search", tags=["explorer"])
    async def map_search(request: Request, name: str, pid: str, body: S.MapSearchRequest) -> Any:
        """Map positions matching an id, a payload substring or (text collections) a text."""

        def found(col: Any, proj: Any) -> Any:
            return ok(request, proj.search(col, body.q, by=body.by, limit=body.limit))

        return await read(on_map(name, pid, found))

    @app.post("/compare", tags=["explorer"])
    async def compare(request: Request, body: S.CompareRequest) -> Any:
        """Per-point agreement of two embeddings: overlap of kNN sets in the original spaces."""

        def run() -> Any:
            a, b = collection(body.a.collection), collection(body.b.collection)
            pa = jobs.projection(a, body.a.projection)
            pb = jobs.projection(b, body.b.projection)
            return ok(request, jobs.compare(a, pa, b, pb, body.k))

        return await read(run)

    @app.post(
        "/collections/{name}/export",
        tags=["explorer"],
        response_class=Response,
        responses={200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}}}},
    )
    async def export(request: Request, name: str, body: S.ExportRequest) -> Any:
        """Download the points ``ids`` (id and payload columns) as a CSV or Parquet file."""

        def run() -> Any:
            col = collection(name)
            points = col.get(body.ids)
            table = _export_table(col, points)
            sink = io.BytesIO()
            if body.format == "csv":
                import pyarrow.csv as pcsv

                pcsv.write_csv(table, sink)
            else:
                import pyarrow.parquet as pq

                pq.write_table(table, sink)
            return sink.getvalue(), len(set(body.ids)) - len(points)

        data, missing = await read(run)
        media = "text/csv" if body.format == "csv" else "application/vnd.apache.parquet"
        return Response(
            data,
            media_type=media,
            headers={
                "Content-Disposition": f'attachment; filename="{name}-selection.{body.format}"',
                "X-Missing": str(missing),
            },
        )

    files = resources.files("embedlab.serve") / "explorer"

    def static(file: str) -> Any:
        suffix = "." + file.rsplit(".", 1)[-1] if "." in file else ""
        allowed = file.replace("-", "").replace("_", "").replace(".", "").isalnum()
        path = files / file
        if not allowed or suffix not in _STATIC_TYPES or not path.is_file():
            raise NotFoundError(f"The explorer has no file {file!r}.")
        return Response(
            path.read_bytes(),
            media_type=_STATIC_TYPES[suffix],
            headers={"Cache-Control": "no-cache"},
        )

    @app.get("/explore", tags=["explorer"], response_class=Response)
    async def explore_page() -> Any:
        """Serve the embedding explorer (one page; its state lives in the URL's hash)."""
        return static("index.html")

    @app.get("/explore/static/{file}", tags=["explorer"], response_class=Response)
    async def explore_static(file: str) -> Any:
        """Serve the explorer's scripts and styles."""
        return static(file)

    return jobs
