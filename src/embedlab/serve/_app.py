"""The HTTP API: a FastAPI app over a :class:`~embedlab.store.Store`, Qdrant's naming and envelopes.

Every answer is JSON with one envelope: ``{"result": ..., "status": "ok", "time": seconds}``, or
for an error ``{"status": {"error": message, "code": code}, "time": seconds}`` with a real HTTP
status: 400 bad input (wrong dimension, NaN, a bad filter), 401/403 a write without / with a
wrong API key (when one is configured), 404 unknown collection, point or version, 405, 409 the
collection or tag exists, 413 body over ``max_body_bytes``, 415 unknown content type, 422 a body
that does not fit the schema, 501 a feature whose extra is not installed, 503 more than
``max_concurrency`` requests in flight or a read over ``time_budget_s``. A bad request never
gets a 500 and no response ever carries a traceback.

No filesystem path is ever taken from a request: collections are names (``[A-Za-z0-9_-]{1,64}``)
inside the store's folder and text models are the packaged ones.
"""

# no "from __future__ import annotations": FastAPI reads the handlers' annotations as objects

import base64
import hmac
import json
import logging
import re
import time
from collections.abc import Callable
from functools import partial
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
from embedlab.serve._explore import QueueFullError, install_explorer
from embedlab.store import Store
from embedlab.store._config import check_name

__all__ = ["ARROW_STREAM", "create_app"]

logger = logging.getLogger(__name__)

ARROW_STREAM = "application/vnd.apache.arrow.stream"
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable_entity",
    429: "too_many_requests",
    500: "internal",
    501: "not_implemented",
    503: "unavailable",
}


#: embedlab's errors -> HTTP status (any other EmbedlabError, InvalidInputError included: 400)
_STATUS_OF: dict[type[Exception], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    MissingExtraError: 501,
    QueueFullError: 429,
}


class ApiError(Exception):
    """An error with its HTTP status (raised inside handlers and middleware)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _envelope_error(status: int, message: str, t0: float) -> dict[str, Any]:
    return {
        "status": {"error": message, "code": _CODES.get(status, "error")},
        "time": time.perf_counter() - t0,
    }


class _Limits:
    """Pure ASGI middleware: request-size cap, concurrency cap, timing, metrics."""

    def __init__(
        self, app: Any, *, max_body_bytes: int, max_concurrency: int, metrics: Any
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_concurrency = max_concurrency
        self.metrics = metrics
        self.in_flight = 0

    async def _reply(
        self, send: Any, status: int, message: str, t0: float, extra: list | None = None
    ) -> None:
        body = json.dumps(_envelope_error(status, message, t0)).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send(
            {"type": "http.response.start", "status": status, "headers": headers + (extra or [])}
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        scope.setdefault("state", {})["t0"] = t0
        status_holder = {"status": 500}
        length = None
        ctype = ""
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = -1
            elif key == b"content-type":
                ctype = value.decode("latin-1").split(";")[0].strip().lower()
        if length is not None and (length < 0 or length > self.max_body_bytes):
            if length < 0:
                await self._reply(send, 400, "Bad Content-Length header.", t0)
            else:
                await self._reply(
                    send,
                    413,
                    f"The body is {length} bytes; at most {self.max_body_bytes} are accepted.",
                    t0,
                )
            self.metrics.observe(scope, 413 if length >= 0 else 400, t0)
            return
        if ctype and not _accepted_type(ctype) and scope.get("method") in ("POST", "PUT", "PATCH"):
            await self._reply(
                send,
                415,
                f"Send application/json (or {ARROW_STREAM} to PUT /collections/{{name}}/points); "
                f"got {ctype!r}.",
                t0,
            )
            self.metrics.observe(scope, 415, t0)
            return
        if self.in_flight >= self.max_concurrency:
            await self._reply(
                send,
                503,
                f"Overloaded: {self.in_flight} requests in flight; retry shortly.",
                t0,
                [(b"retry-after", b"1")],
            )
            self.metrics.observe(scope, 503, t0)
            return
        seen = 0
        limit = self.max_body_bytes
        too_big = False  # a body without Content-Length (chunked) ran past the cap
        replied = False

        async def counted_receive() -> Any:
            nonlocal seen, too_big
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    too_big = True
                    raise ApiError(413, f"The body exceeds {limit} bytes.")
            return message

        async def reply_too_big() -> None:
            nonlocal replied
            replied = True
            status_holder["status"] = 413
            await self._reply(send, 413, f"The body exceeds {limit} bytes.", t0)

        async def tracked_send(message: Any) -> None:
            # whatever the framework made of the error raised while reading the body (FastAPI
            # turns it into a 400 for a parsed body), the client gets the 413
            if too_big:
                if message["type"] == "http.response.start" and not replied:
                    await reply_too_big()
                return
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
            await send(message)

        self.in_flight += 1
        self.metrics.in_flight.set(self.in_flight)
        try:
            await self.app(scope, counted_receive, tracked_send)
        except Exception:
            if not too_big:
                raise
            if not replied:
                await reply_too_big()
        finally:
            self.in_flight -= 1
            self.metrics.in_flight.set(self.in_flight)
            self.metrics.observe(scope, status_holder["status"], t0)


def _accepted_type(ctype: str) -> bool:
    """Whether a request body of this media type is read (JSON, or Arrow for upserts)."""
    return ctype in ("application/json", ARROW_STREAM) or (
        ctype.startswith("application/") and ctype.endswith("+json")
    )


class _Metrics:
    """Prometheus counters of one app (its own registry, so apps do not share counts)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        self.requests = Counter(
            "embedlab_http_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "embedlab_http_request_seconds",
            "HTTP request latency",
            ["route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "embedlab_http_in_flight", "Requests in flight", registry=self.registry
        )

    def observe(self, scope: Any, status: int, t0: float) -> None:
        route = scope.get("route")
        path = getattr(route, "path", None) or "unmatched"
        self.requests.labels(scope.get("method", "?"), path, str(status)).inc()
        self.latency.labels(path).observe(time.perf_counter() - t0)

    def render(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


def create_app(
    store: Store | str,
    *,
    api_key: str | None = None,
    max_body_bytes: int = 256 * 2**20,
    max_concurrency: int = 64,
    time_budget_s: float = 30.0,
    max_batch_points: int = 100_000,
    max_projection_points: int = 1_000_000,
) -> Any:
    """Build the FastAPI app serving ``store``.

    Parameters
    ----------
    store : Store or path
    api_key : str or None
        When set, writes (``PUT``, ``DELETE`` and the mutating ``POST`` endpoints) need the
        header ``api-key: KEY`` (or ``Authorization: Bearer KEY``): 401 without, 403 wrong.
    max_body_bytes : int, default=256 MiB
        Larger bodies get 413 (checked on the ``Content-Length`` header and while reading).
    max_concurrency : int, default=64
        Requests in flight beyond this get 503 with ``Retry-After: 1``.
    time_budget_s : float, default=30
        A read (query, scroll, retrieve, count, embed) that takes longer gets 503; writes run
        to their commit.
    max_batch_points : int, default=100,000
        Points per upsert request.
    max_projection_points : int, default=1,000,000
        Points on one map of the explorer (``max_points`` of a projection request; larger
        collections are mapped from a uniform random sample).

    Returns
    -------
    fastapi.FastAPI

    Examples
    --------
    >>> import tempfile
    >>> from fastapi.testclient import TestClient
    >>> client = TestClient(create_app(tempfile.mkdtemp()))
    >>> client.put("/collections/demo", json={"dim": 2, "metric": "cosine"}).status_code
    201
    >>> r = client.put("/collections/demo/points", json={"points": [
    ...     {"id": 1, "vector": [1, 0]}, {"id": 2, "vector": [0, 1]}]})
    >>> hits = client.post("/collections/demo/points/query",
    ...                    json={"query": [1, 0.2], "limit": 1}).json()["result"]["points"]
    >>> [(h["id"], round(h["score"], 3)) for h in hits]
    [(1, 0.981)]
    """
    import anyio
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, Response
    from pydantic import TypeAdapter, ValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from embedlab._version import __version__
    from embedlab.text.encoders import MODELS

    st = store if isinstance(store, Store) else Store(store)
    metrics = _Metrics()
    app = FastAPI(
        title="embedlab",
        version=__version__,
        description=(
            "Collections of embeddings on LanceDB: upsert, exact and approximate search, "
            "Qdrant-style filters, versions. Envelopes: {result, status, time}."
        ),
    )
    app.state.store = st

    def t0_of(request: Request) -> float:
        return float(request.scope.get("state", {}).get("t0", time.perf_counter()))

    def ok(request: Request, result: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(
            {"result": result, "status": "ok", "time": time.perf_counter() - t0_of(request)},
            status_code=status,
        )

    def fail(request: Request, status: int, message: str) -> JSONResponse:
        return JSONResponse(_envelope_error(status, message, t0_of(request)), status_code=status)

    # -- errors ---------------------------------------------------------------------------------
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return fail(request, exc.status, exc.message)

    @app.exception_handler(EmbedlabError)
    async def _embedlab_error(request: Request, exc: EmbedlabError) -> JSONResponse:
        status = next((c for t, c in _STATUS_OF.items() if isinstance(exc, t)), 400)
        return fail(request, status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return fail(request, 400, "The body is not valid JSON.")
        return fail(request, 422, _summarise(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "Error"
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No endpoint {request.method} {request.url.path}"
        return fail(request, exc.status_code, detail)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover
        logger.exception("Unhandled error on %s %s", request.method, request.url.path)
        return fail(request, 500, "Internal error; the server log has the details.")

    # -- helpers ----------------------------------------------------------------------------------
    async def read(fn: Callable[[], Any]) -> Any:
        try:
            with anyio.fail_after(time_budget_s):
                return await anyio.to_thread.run_sync(fn, abandon_on_cancel=True)
        except TimeoutError:
            raise ApiError(
                503, f"The request took longer than the time budget ({time_budget_s:g} s)."
            ) from None

    async def write(fn: Callable[[], Any]) -> Any:
        return await anyio.to_thread.run_sync(fn)

    def require_key(request: Request) -> None:
        if api_key is None:
            return
        given = request.headers.get("api-key")
        auth = request.headers.get("authorization", "")
        if given is None and auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        if not given:
            raise ApiError(401, "This endpoint needs an API key (header 'api-key').")
        if not hmac.compare_digest(given.encode(), api_key.encode()):
            raise ApiError(403, "The API key is not valid.")

    def collection(name: str) -> Any:
        check_name(name)
        return st.collection(name)

    def check_model(model: str | None, what: str) -> None:
        if model is not None and model not in MODELS:
            raise InvalidInputError(
                f"'{what}' must be a packaged model ({', '.join(MODELS)}); got {model!r}."
            )

    async def json_body(request: Request) -> Any:
        raw = await request.body()
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "The body is not valid JSON.") from None

    def points_out(points: list[Any]) -> list[dict[str, Any]]:
        return [p.to_dict() for p in points]

    def query_kwargs(q: S.QueryRequest) -> dict[str, Any]:
        params = q.params or S.SearchParams.model_validate({})
        mode = _check_mode(q.mode)
        if params.exact is True:
            mode = "exact"
        return {
            "limit": q.limit,
            "offset": q.offset,
            "filter": q.filter,
            "mode": mode,
            "version": q.version,
            "with_payload": q.with_payload,
            "with_vectors": q.with_vector,
            "nprobes": params.nprobes,
            "refine_factor": params.refine_factor,
            "ef": params.ef,
            "candidates": params.candidates,
        }

    # -- service ----------------------------------------------------------------------------------
    @app.get("/healthz", tags=["service"])
    async def healthz(request: Request) -> JSONResponse:
        """Liveness: the server answers and its store opens."""
        names = await read(st.list_collections)
        return ok(request, {"status": "ok", "collections": len(names), "version": __version__})

    @app.get("/metrics", tags=["service"], response_class=Response)
    async def prometheus() -> Response:
        """Prometheus text exposition: request counts by route and status, latency histograms."""
        from prometheus_client import CONTENT_TYPE_LATEST

        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @app.post("/embed", tags=["service"])
    async def embed(request: Request, body: S.EmbedRequest) -> JSONResponse:
        """Encode texts with a packaged model (``minilm``: all-MiniLM-L6-v2, 384-d)."""
        check_model(body.model, "model")
        if any(len(t) > 100_000 for t in body.texts):
            raise InvalidInputError("Each text must be at most 100,000 characters.")
        vecs = await read(partial(st.encode, body.texts, body.model))
        return ok(
            request, {"vectors": vecs.tolist(), "dim": int(vecs.shape[1]), "model": body.model}
        )

    # -- collections --------------------------------------------------------------------------
    @app.get("/collections", tags=["collections"])
    async def list_collections(request: Request) -> JSONResponse:
        """List the collections' names."""
        names = await read(st.list_collections)
        return ok(request, {"collections": [{"name": n} for n in names]})

    @app.put("/collections/{name}", status_code=201, tags=["collections"])
    async def create_collection(
        request: Request, name: str, body: S.CreateCollection
    ) -> JSONResponse:
        """Create a collection (409 if it exists)."""
        require_key(request)
        check_name(name)
        check_model(body.text_model, "text_model")

        def make() -> Any:
            col = st.create_collection(
                name,
                body.dim,
                body.metric,
                multivector=body.multivector,
                payload_schema=dict(body.payload_schema),
                id_type=body.id_type,
                text_model=body.text_model,
                muvera=body.muvera,
            )
            return col.info()

        return ok(request, await write(make), 201)

    @app.get("/collections/{name}", tags=["collections"])
    async def get_collection(request: Request, name: str) -> JSONResponse:
        """Return a collection's configuration, ``count``, ``version`` and indexes."""
        return ok(request, await read(lambda: collection(name).info()))

    @app.delete("/collections/{name}", tags=["collections"])
    async def delete_collection(request: Request, name: str) -> JSONResponse:
        """Delete a collection and all its versions."""
        require_key(request)
        await write(lambda: st.drop_collection(check_name(name)))
        app.state.projection_jobs.forget(name)
        return ok(request, True)

    # -- points -----------------------------------------------------------------------------------
    upsert_union = TypeAdapter(S.UpsertPoints | S.UpsertBase64)
    upsert_schema = upsert_union.json_schema(ref_template="#/components/schemas/{model}")
    upsert_defs = upsert_schema.pop("$defs", {})

    @app.put(
        "/collections/{name}/points",
        tags=["points"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": upsert_schema,
                        "examples": {
                            "points": {
                                "value": {
                                    "points": [
                                        {"id": 7, "vector": [0.1, 0.2], "payload": {"label": "a"}}
                                    ]
                                }
                            },
                            "base64": {"value": {"ids": [7], "vectors_b64": "zczMPc3MTD4="}},
                        },
                    },
                    ARROW_STREAM: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        },
    )
    async def upsert(request: Request, name: str) -> JSONResponse:
        """Insert or replace points, in one atomic commit.

        The body is JSON points, base64 little-endian float32 vectors, or an Arrow IPC stream
        (``id``, ``vector`` and payload columns).
        """
        require_key(request)
        col = collection(name)
        ctype = (
            request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
        )
        if ctype == ARROW_STREAM:
            raw = await request.body()
            table = _read_arrow(raw)
            if table.num_rows > max_batch_points:
                raise InvalidInputError(
                    f"At most {max_batch_points} points per request; got {table.num_rows}."
                )
            version = await write(lambda: col.upsert_arrow(table))
            return ok(
                request,
                {
                    "status": "completed",
                    "operation_id": version,
                    "version": version,
                    "count": table.num_rows,
                },
            )
        if ctype not in ("application/json", ""):
            raise ApiError(415, f"Send application/json or {ARROW_STREAM}; got {ctype!r}.")
        data = await json_body(request)
        try:
            body = upsert_union.validate_python(data)
        except ValidationError as exc:
            return fail(request, 422, _summarise(exc.errors()))
        if isinstance(body, S.UpsertPoints):
            n = len(body.points)
            if n > max_batch_points:
                raise InvalidInputError(f"At most {max_batch_points} points per request; got {n}.")
            ids = [p.id for p in body.points]
            payloads: list[Any] | None = [p.payload for p in body.points]
            if col.config.multivector:
                vectors: Any = [_as_set(p.vector, i) for i, p in enumerate(body.points)]
            else:
                vectors = [_as_row(p.vector, i) for i, p in enumerate(body.points)]
        else:
            n = len(body.ids)
            if n > max_batch_points:
                raise InvalidInputError(f"At most {max_batch_points} points per request; got {n}.")
            if col.config.multivector:
                raise InvalidInputError("Multivector points take JSON vector sets, not base64.")
            vectors = _decode_b64(body.vectors_b64, n, col.config.dim)
            ids = body.ids
            payloads = body.payloads
        version = await write(lambda: col.upsert(ids, vectors, payloads))
        return ok(
            request,
            {"status": "completed", "operation_id": version, "version": version, "count": n},
        )

    @app.post("/collections/{name}/points", tags=["points"])
    async def retrieve(request: Request, name: str, body: S.RetrieveRequest) -> JSONResponse:
        """Points by id (unknown ids are left out)."""
        col = collection(name)
        pts = await read(
            lambda: col.get(body.ids, with_vectors=body.with_vector, version=body.version)
        )
        out = points_out(pts)
        if not body.with_payload:
            for p in out:
                p["payload"] = {}
        return ok(request, out)

    @app.get("/collections/{name}/points/{point_id}", tags=["points"])
    async def get_point(request: Request, name: str, point_id: str) -> JSONResponse:
        """One point, with its vector."""
        col = collection(name)
        pid: Any = point_id
        if col.config.id_type == "int":
            try:
                pid = int(point_id)
            except ValueError:
                raise InvalidInputError(
                    f"Point ids of `{name}` are integers; got {point_id!r}."
                ) from None
        pts = await read(lambda: col.get([pid], with_vectors=True))
        if not pts:
            raise NotFoundError(f"Collection `{name}` has no point {point_id!r}.")
        return ok(request, pts[0].to_dict())

    @app.post("/collections/{name}/points/query", tags=["points"])
    async def query(request: Request, name: str, body: S.QueryRequest) -> JSONResponse:
        """Nearest points to a vector, a vector set, a stored point or a text."""
        col = collection(name)
        kwargs = query_kwargs(body)
        hits = await read(lambda: col.query(body.query, **kwargs))
        return ok(request, {"points": points_out(hits)})

    @app.post("/collections/{name}/points/query/batch", tags=["points"])
    async def query_batch(request: Request, name: str, body: S.QueryBatchRequest) -> JSONResponse:
        """Several queries; those with the same settings share one scan."""
        col = collection(name)

        def run() -> list[Any]:
            groups: dict[str, list[int]] = {}
            for i, q in enumerate(body.searches):
                key = json.dumps(query_kwargs(q), sort_keys=True, default=str)
                groups.setdefault(key, []).append(i)
            out: list[Any] = [None] * len(body.searches)
            for idx in groups.values():
                kwargs = query_kwargs(body.searches[idx[0]])
                res = col.query_batch([body.searches[i].query for i in idx], **kwargs)
                for i, hits in zip(idx, res, strict=True):
                    out[i] = {"points": points_out(hits)}
            return out

        return ok(request, await read(run))

    @app.post("/collections/{name}/points/scroll", tags=["points"])
    async def scroll(request: Request, name: str, body: S.ScrollRequest) -> JSONResponse:
        """Points in id order, a page at a time (``next_page_offset`` starts the next page)."""
        col = collection(name)
        pts, nxt = await read(
            lambda: col.scroll(
                limit=body.limit,
                offset=body.offset,
                filter=body.filter,
                with_vectors=body.with_vector,
                version=body.version,
            )
        )
        out = points_out(pts)
        if not body.with_payload:
            for p in out:
                p["payload"] = {}
        return ok(request, {"points": out, "next_page_offset": nxt})

    @app.post("/collections/{name}/points/count", tags=["points"])
    async def count(request: Request, name: str, body: S.CountRequest) -> JSONResponse:
        """Count the points matching a filter."""
        col = collection(name)
        return ok(
            request, {"count": await read(lambda: col.count(body.filter, version=body.version))}
        )

    @app.post("/collections/{name}/points/delete", tags=["points"])
    async def delete_points(request: Request, name: str, body: S.DeleteRequest) -> JSONResponse:
        """Delete points by id and/or filter (one commit)."""
        require_key(request)
        col = collection(name)
        if body.points is None and body.filter is None:
            raise InvalidInputError("Give 'points' (ids) or a 'filter'.")
        version = await write(lambda: col.delete(body.points, filter=body.filter))
        return ok(request, {"status": "completed", "operation_id": version, "version": version})

    # -- maintenance ------------------------------------------------------------------------------
    @app.post("/collections/{name}/index", tags=["maintenance"])
    async def create_index(request: Request, name: str, body: S.IndexRequest) -> JSONResponse:
        """Build LanceDB's vector index (IVF_PQ, IVF_HNSW_SQ ...) on the collection."""
        require_key(request)
        col = collection(name)
        info = await write(
            lambda: col.create_index(
                body.type,
                num_partitions=body.num_partitions,
                num_sub_vectors=body.num_sub_vectors,
                m=body.m,
                ef_construction=body.ef_construction,
            )
        )
        return ok(request, info)

    @app.post("/collections/{name}/warm", tags=["maintenance"])
    async def warm(request: Request, name: str, body: S.WarmRequest) -> JSONResponse:
        """Build the current version's in-memory structures (exact vectors or a spec index)."""
        require_key(request)
        col = collection(name)
        mode = _check_mode(body.mode)
        return ok(request, await write(lambda: col.warm(mode)))

    @app.get("/collections/{name}/versions", tags=["maintenance"])
    async def versions(request: Request, name: str) -> JSONResponse:
        """Every stored version: number, time, count, tags."""
        col = collection(name)
        return ok(request, {"versions": await read(col.versions)})

    @app.post("/collections/{name}/tags", tags=["maintenance"])
    async def tag(request: Request, name: str, body: S.TagRequest) -> JSONResponse:
        """Name a version (default: the current one)."""
        require_key(request)
        col = collection(name)
        version = await write(lambda: col.tag(body.name, body.version))
        return ok(request, {"tag": body.name, "version": version})

    @app.post("/collections/{name}/restore", tags=["maintenance"])
    async def restore(request: Request, name: str, body: S.RestoreRequest) -> JSONResponse:
        """Make an earlier version (or tag) current again, as a new version."""
        require_key(request)
        col = collection(name)
        await write(lambda: col.restore(body.version))
        return ok(request, await read(col.info))

    @app.post("/collections/{name}/optimize", tags=["maintenance"])
    async def optimize(request: Request, name: str) -> JSONResponse:
        """Compact files, update indexes and prune untagged old versions."""
        require_key(request)
        col = collection(name)
        return ok(request, await write(col.optimize))

    # -- the explorer: projections, map data, compare, export, the page ---------------------------
    install_explorer(
        app,
        ok=ok,
        read=read,
        collection=collection,
        api_error=ApiError,
        max_projection_points=max_projection_points,
    )

    # -- OpenAPI: the upsert body's models ------------------------------------------------------
    base_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = base_openapi()
            schema.setdefault("components", {}).setdefault("schemas", {}).update(upsert_defs)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    return _wrap(app, max_body_bytes, max_concurrency, metrics)


def _wrap(app: Any, max_body_bytes: int, max_concurrency: int, metrics: _Metrics) -> Any:
    """Install the limits middleware (outermost) and return the app."""
    app.add_middleware(
        _Limits, max_body_bytes=max_body_bytes, max_concurrency=max_concurrency, metrics=metrics
    )
    return app


def _check_mode(mode: str) -> str:
    """Return a query mode from a request if short, with no index spec number above 4096.

    An index spec is built in the server's memory on first use; bounding its numbers bounds what
    a request can make it allocate (``HNSW1000000`` would not fit).
    """
    if len(mode) > 64 or any(int(n) > 4096 for n in re.findall(r"\d+", mode)):
        raise InvalidInputError(
            f"'mode' must be at most 64 characters with numbers up to 4096; got {mode[:80]!r}."
        )
    return mode


def _summarise(errors: Any) -> str:
    parts = []
    for e in errors[:5]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body",))
        parts.append(f"{loc or 'body'}: {e.get('msg', 'invalid')}")
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return "The request does not fit the schema: " + "; ".join(parts) + more


def _as_row(v: Any, i: int) -> Any:
    if v and isinstance(v[0], list):
        raise InvalidInputError(f"points[{i}].vector must be a list of numbers (one vector).")
    return v


def _as_set(v: Any, i: int) -> Any:
    if not v or not isinstance(v[0], list):
        raise InvalidInputError(f"points[{i}].vector must be a list of vectors (a vector set).")
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # beyond float32: inf, refused later
            return np.asarray(v, dtype=np.float32)
    except ValueError:
        raise InvalidInputError(
            f"points[{i}].vector: every vector of a set needs the same length."
        ) from None


def _decode_b64(text: str, n: int, dim: int) -> np.ndarray:
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise InvalidInputError("'vectors_b64' is not valid base64.") from None
    if len(raw) != 4 * n * dim:
        raise InvalidInputError(
            f"'vectors_b64' holds {len(raw)} bytes; {n} vectors of {dim} float32 need "
            f"{4 * n * dim}."
        )
    return np.frombuffer(raw, dtype="<f4").reshape(n, dim)


def _read_arrow(raw: bytes) -> Any:
    import pyarrow as pa

    try:
        with pa.ipc.open_stream(raw) as reader:
            return reader.read_all()
    except (pa.ArrowInvalid, pa.ArrowException, OSError, ValueError) as exc:
        raise InvalidInputError(
            f"The body is not an Arrow IPC stream ({str(exc)[:200]})."
        ) from None
