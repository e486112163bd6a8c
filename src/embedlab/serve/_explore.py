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

__all__ = ["ProjectionJobs", "install_explorer"]

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


class ProjectionJobs:
    """Projection jobs of one app: a queue, one worker thread, and the last maps in memory.

    Parameters
    ----------
    keep : int, default=8
        Finished projections kept in memory (the store keeps them all on disk).
    """

    def __init__(self, keep: int = 8) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._states: dict[tuple[str, str], dict[str, Any]] = {}
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
            self._maps[(name, key)] = proj
            self._maps.move_to_end((name, key))
            while len(self._maps) > self.keep:
                self._maps.popitem(last=False)

    def submit(self, col: Any, key: str, plan: dict[str, Any]) -> dict[str, Any]:
        """Return the job's state, starting it unless it is done, queued or running."""
        from embedlab.store._projection import load_projection

        with self._lock:
            state = self._states.get((col.name, key))
            if state is not None and state["status"] in ("pending", "running", "done"):
                return dict(state)
        cached = load_projection(col, key)
        if cached is not None:
            self._remember(col.name, key, cached)
            state = self._done_state(cached)
            with self._lock:
                self._states[(col.name, key)] = state
            return dict(state)
        state = self._describe(col, key, plan)
        with self._lock:
            self._states[(col.name, key)] = state
            self._queue.put((col, key, plan, state))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._work, name="embedlab-projections", daemon=True
                )
                self._worker.start()
        return dict(state)

    def _work(self) -> None:
        from embedlab.store import _projection

        while True:
            col, key, plan, state = self._queue.get()
            state["status"] = "running"

            def progress(f: float, state: dict[str, Any] = state) -> None:
                state["progress"] = round(float(f), 4)

            try:
                proj = _projection.compute_projection(col, key, plan, progress)
            except EmbedlabError as exc:
                state.update(status="failed", error=str(exc))
            except Exception as exc:  # a worker must outlive any one job
                logger.exception("Projection %s of %s failed", key, col.name)
                state.update(status="failed", error=f"The projection failed: {exc}")
            else:
                self._remember(col.name, key, proj)
                state.update(self._done_state(proj))
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
            self._compares[memo] = out
            while len(self._compares) > self.keep:
                self._compares.popitem(last=False)
        return out


def _shared(pa: Any, pb: Any) -> tuple[np.ndarray, np.ndarray]:
    """Positions on map A and on map B of the ids on both."""
    if pa.ids.dtype.kind != pb.ids.dtype.kind and "O" in (pa.ids.dtype.kind, pb.ids.dtype.kind):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    in_b = pb.positions_of(pa.ids)
    ia = np.flatnonzero(in_b >= 0)
    return ia, in_b[ia]


def _vectors(col: Any, version: int, ids: np.ndarray) -> np.ndarray:
    from embedlab.utils.ids import positions

    es = col.to_embedding_set(version=version)
    return np.asarray(es.vectors, dtype=np.float32)[positions(np.asarray(es.ids), ids)]


def _compare(a: Any, pa: Any, b: Any, pb: Any, k: int) -> dict[str, Any]:
    from embedlab.viz import knn_agreement, sample_positions

    ia, ib = _shared(pa, pb)
    if len(ia) <= k:
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
        "shared": len(_shared(pa, pb)[0]),
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
    return align(pb.coords[ib], pa.coords[ia]).apply(pb.coords)


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
    store: Any,
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
        col = collection(name)
        check_method(body.method)

        def plan() -> dict[str, Any]:
            key, settings = col.projection_plan(
                body.method,
                body.params,
                max_points=max_points,
                seed=body.seed,
                version=body.version,
            )
            return jobs.submit(col, key, settings)

        state = await read(plan)
        return ok(request, state, 200 if state["status"] == "done" else 202)

    @app.get("/collections/{name}/projections/{pid}", tags=["explorer"])
    async def projection_state(request: Request, name: str, pid: str) -> Any:
        """Return a projection job's state: pending, running (with progress), done or failed."""
        col = collection(name)
        return ok(request, await read(lambda: jobs.state(col, pid)))

    @app.get(
        "/collections/{name}/projections/{pid}/coords",
        tags=["explorer"],
        response_class=Response,
        responses={200: {"content": {"application/octet-stream": {}}}},
    )
    async def coords(request: Request, name: str, pid: str, align_to: str | None = None) -> Any:
        """Send the map's coordinates, little-endian float32 ``x0 y0 x1 y1 ...``."""
        col = collection(name)

        def run() -> Any:
            proj = jobs.projection(col, pid)
            xy = proj.coords
            if align_to:
                other, sep, other_id = align_to.partition(":")
                if not sep or not other_id:
                    raise InvalidInputError(
                        f"'align_to' must be COLLECTION:PROJECTION_ID; got {align_to!r}."
                    )
                target = jobs.projection(collection(other), other_id)
                xy = _aligned(proj, target)
            return np.ascontiguousarray(xy, dtype="<f4").tobytes(), proj.n_points

        body, n = await read(run)
        return Response(
            body,
            media_type="application/octet-stream",
            headers={"X-Points": str(n), "Cache-Control": "no-cache"},
        )

    @app.get("/collections/{name}/projections/{pid}/ids", tags=["explorer"])
    async def map_ids(request: Request, name: str, pid: str) -> Any:
        """List the ids of the map's points, aligned with the coordinates."""
        col = collection(name)
        proj = await read(lambda: jobs.projection(col, pid))
        return ok(request, {"ids": proj.ids.tolist()})

    @app.get("/collections/{name}/projections/{pid}/columns", tags=["explorer"])
    async def map_columns(request: Request, name: str, pid: str) -> Any:
        """Payload columns to colour the map by (categorical or continuous) and text columns."""
        col = collection(name)
        proj = await read(lambda: jobs.projection(col, pid))
        return ok(request, await read(proj.columns))

    @app.get("/collections/{name}/projections/{pid}/column/{column}", tags=["explorer"])
    async def map_column(request: Request, name: str, pid: str, column: str) -> Any:
        """One payload column aligned with the map: category codes or numbers."""
        col = collection(name)
        proj = await read(lambda: jobs.projection(col, pid))
        return ok(request, await read(lambda: proj.column(column)))

    @app.post("/collections/{name}/projections/{pid}/search", tags=["explorer"])
    async def map_search(request: Request, name: str, pid: str, body: S.MapSearchRequest) -> Any:
        """Map positions matching an id, a payload substring or (text collections) a text."""
        col = collection(name)
        proj = await read(lambda: jobs.projection(col, pid))
        return ok(
            request, await read(lambda: proj.search(col, body.q, by=body.by, limit=body.limit))
        )

    @app.post("/compare", tags=["explorer"])
    async def compare(request: Request, body: S.CompareRequest) -> Any:
        """Per-point agreement of two embeddings: overlap of kNN sets in the original spaces."""
        a, b = collection(body.a.collection), collection(body.b.collection)

        def run() -> Any:
            pa = jobs.projection(a, body.a.projection)
            pb = jobs.projection(b, body.b.projection)
            return jobs.compare(a, pa, b, pb, body.k)

        return ok(request, await read(run))

    @app.post(
        "/collections/{name}/export",
        tags=["explorer"],
        response_class=Response,
        responses={200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}}}},
    )
    async def export(request: Request, name: str, body: S.ExportRequest) -> Any:
        """Download the points ``ids`` (id and payload columns) as a CSV or Parquet download."""
        col = collection(name)

        def run() -> Any:
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
