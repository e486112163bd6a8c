"""``embedlab store ...`` (collections on LanceDB) and ``embedlab serve`` (the HTTP API)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from embedlab.cli._common import group
from embedlab.cli._common import guard as _guard
from embedlab.exceptions import InvalidInputError

__all__ = ["serve_app", "store_app"]

store_app = group("Collections of embeddings on LanceDB: create, add, query, list, export.")
serve_app = typer.Typer(add_completion=False, rich_markup_mode=None)

StoreDir = Annotated[Path, typer.Argument(help="The store's folder.", show_default=False)]
Name = Annotated[str, typer.Argument(help="Collection name.", show_default=False)]


def _json_option(text: str | None, what: str) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidInputError(f"{what} is not valid JSON ({exc}).") from None


def _version(text: str | None) -> Any:
    if text is None:
        return None
    return int(text) if text.lstrip("-").isdigit() else text


def _open(path: Path, *, must_exist: bool = True) -> Any:
    from embedlab.store import Store

    if must_exist and not path.is_dir():
        raise InvalidInputError(
            f"No store at {str(path)!r} (create one with `embedlab store create`)."
        )
    return Store(path)


@store_app.command("create")
@_guard
def store_create(
    store: StoreDir,
    name: Name,
    dim: Annotated[int, typer.Option("--dim", min=1, help="Vector dimension.")],
    metric: Annotated[str, typer.Option("--metric", help="cosine, ip or l2.")] = "cosine",
    payload_schema: Annotated[
        str | None,
        typer.Option("--payload-schema", help='Filterable fields, JSON: {"label": "keyword"}.'),
    ] = None,
    id_type: Annotated[str, typer.Option("--id-type", help="int or str.")] = "int",
    multivector: Annotated[
        bool, typer.Option("--multivector", help="Points hold vector sets (MaxSim).")
    ] = False,
    text_model: Annotated[
        str | None, typer.Option("--text-model", help="Encoder for text queries (minilm).")
    ] = None,
) -> None:
    """Create an empty collection (the store's folder is created when missing).

    Example: embedlab store create ./store blog --dim 128 --metric cosine
    """
    col = _open(store, must_exist=False).create_collection(
        name,
        dim,
        metric,
        multivector=multivector,
        payload_schema=_json_option(payload_schema, "--payload-schema"),
        id_type=id_type,
        text_model=text_model,
    )
    typer.echo(f"created {col!r} in {store}", err=True)


def _read_payloads(path: Path, ids: Any) -> list[Any]:
    """Payload mappings aligned with ``ids`` from a JSONL file of objects with an ``id`` key."""
    by_id: dict[Any, Any] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"Cannot read {str(path)!r} ({exc}).") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            raise InvalidInputError(f"{path.name}:{number} is not a JSON object.") from None
        if not isinstance(obj, dict) or "id" not in obj:
            raise InvalidInputError(f"{path.name}:{number} must be a JSON object with an 'id'.")
        key = obj.pop("id")
        by_id[key] = obj
    return [by_id.get(i) for i in ids]


@store_app.command("add")
@_guard
def store_add(
    store: StoreDir,
    name: Name,
    source: Annotated[
        Path,
        typer.Argument(
            help="Embedding file (.parquet, .npy, .txt) or multi-vector .npz.", show_default=False
        ),
    ],
    metric: Annotated[
        str, typer.Option("--metric", help="cosine, ip or l2 (a new collection).")
    ] = "cosine",
    payload: Annotated[
        Path | None,
        typer.Option("--payload", help="JSONL: one object per point with its 'id'."),
    ] = None,
    payload_schema: Annotated[
        str | None,
        typer.Option("--payload-schema", help="Filterable fields (a new collection), JSON."),
    ] = None,
    text_model: Annotated[
        str | None, typer.Option("--text-model", help="Encoder for text queries (minilm).")
    ] = None,
) -> None:
    """Upsert an embedding file into a collection (created when missing), in one commit.

    Example: embedlab store add ./store blog blog.parquet --payload labels.jsonl
    """
    from embedlab.io import EmbeddingSet, MultiVector

    st = _open(store, must_exist=False)
    schema = _json_option(payload_schema, "--payload-schema")
    if source.suffix == ".npz":
        mv = MultiVector.load(source)
        if mv.ids is None:
            raise InvalidInputError(f"{source.name} carries no ids.")
        payloads = _read_payloads(payload, mv.ids.tolist()) if payload else None
        col = st.import_multivector(name, mv, payload=payloads, text_model=text_model)
        n = len(mv)
    else:
        es = EmbeddingSet.load(source)
        payloads = _read_payloads(payload, es.ids.tolist()) if payload else None
        col = st.import_embeddings(
            name,
            es,
            metric=metric,
            payload=payloads,
            payload_schema=schema,
            text_model=text_model,
        )
        n = len(es)
    typer.echo(
        f"{n:,} points upserted into {name!r}: version {col.version}, {col.count():,} points",
        err=True,
    )


@store_app.command("query")
@_guard
def store_query(
    store: StoreDir,
    name: Name,
    vector: Annotated[
        str | None, typer.Option("--vector", help="A query vector: comma-separated numbers.")
    ] = None,
    point: Annotated[
        str | None, typer.Option("--id", help="Neighbours of this stored point.")
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="A text query.")] = None,
    queries: Annotated[
        Path | None, typer.Option("--queries", help="An embedding file of query vectors.")
    ] = None,
    k: Annotated[int, typer.Option("-k", "--limit", min=1, max=1000, help="Results.")] = 10,
    filter: Annotated[
        str | None, typer.Option("--filter", help="Qdrant-style JSON filter.")
    ] = None,
    mode: Annotated[
        str, typer.Option("--mode", help="auto, exact, ann or a spec (SQ8, MRL64,SQ8).")
    ] = "auto",
    version: Annotated[str | None, typer.Option("--version", help="Version or tag.")] = None,
    nprobes: Annotated[int | None, typer.Option("--nprobes", min=1)] = None,
    refine_factor: Annotated[int | None, typer.Option("--refine-factor", min=1)] = None,
    ef: Annotated[int | None, typer.Option("--ef", min=1)] = None,
) -> None:
    """Query a collection; one JSON line per query: {"query", "points": [{id, score, payload}]}.

    Example: embedlab store query ./store blog --id 42 -k 5
    --filter '{"must": [{"key": "group", "match": {"value": 3}}]}'
    """
    given = [x for x in (vector, point, text, queries) if x is not None]
    if len(given) != 1:
        raise InvalidInputError("Give exactly one of --vector, --id, --text or --queries.")
    col = _open(store).collection(name)
    kwargs = {
        "limit": k,
        "filter": _json_option(filter, "--filter"),
        "mode": mode,
        "version": _version(version),
        "nprobes": nprobes,
        "refine_factor": refine_factor,
        "ef": ef,
    }
    labels: list[Any]
    if queries is not None:
        from embedlab.io import EmbeddingSet

        es = EmbeddingSet.load(queries)
        labels, qs = es.ids.tolist(), list(es.vectors)
    elif vector is not None:
        try:
            qs = [[float(x) for x in vector.split(",")]]
        except ValueError:
            raise InvalidInputError("--vector must be comma-separated numbers.") from None
        labels = ["vector"]
    elif point is not None:
        pid: Any = (
            int(point) if col.config.id_type == "int" and point.lstrip("-").isdigit() else point
        )
        qs, labels = [{"id": pid}], [pid]
    else:
        qs, labels = [{"text": text}], [text]
    results = col.query_batch(qs, **kwargs)
    for label, hits in zip(labels, results, strict=True):
        sys.stdout.write(json.dumps({"query": label, "points": [h.to_dict() for h in hits]}))
        sys.stdout.write("\n")


@store_app.command("list")
@_guard
def store_list(
    store: StoreDir,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List the collections: name, points, dimension, metric, version.

    Example: embedlab store list ./store
    """
    st = _open(store)
    for name in st.list_collections():
        info = st.collection(name).info()
        if as_json:
            typer.echo(json.dumps(info))
        else:
            kind = " multivector" if info["multivector"] else ""
            typer.echo(
                f"{name}\t{info['count']:,} points\tdim {info['dim']}\t{info['metric']}{kind}"
                f"\tversion {info['version']}"
            )


@store_app.command("export")
@_guard
def store_export(
    store: StoreDir,
    name: Name,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Embedding file (.parquet ...) or .npz.")
    ],
    version: Annotated[str | None, typer.Option("--version", help="Version or tag.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace the output.")] = False,
) -> None:
    """Write a collection's ids and vectors to an embedding file (id order).

    Example: embedlab store export ./store blog -o blog_copy.parquet
    """
    col = _open(store).collection(name)
    col.export(output, version=_version(version), overwrite=overwrite)
    typer.echo(f"{name!r} written to {output}", err=True)


@store_app.command("index")
@_guard
def store_index(
    store: StoreDir,
    name: Name,
    kind: Annotated[
        str, typer.Option("--type", help="IVF_PQ, IVF_HNSW_SQ, IVF_HNSW_PQ, IVF_FLAT, IVF_SQ.")
    ] = "IVF_PQ",
    num_partitions: Annotated[int | None, typer.Option("--num-partitions", min=1)] = None,
    num_sub_vectors: Annotated[int | None, typer.Option("--num-sub-vectors", min=1)] = None,
) -> None:
    """Build LanceDB's vector index on a collection (for --mode ann).

    Example: embedlab store index ./store blog --type IVF_HNSW_SQ
    """
    col = _open(store).collection(name)
    info = col.create_index(kind, num_partitions=num_partitions, num_sub_vectors=num_sub_vectors)
    typer.echo(f"{kind} index built on {name!r}: version {info['version']}", err=True)


@store_app.command("versions")
@_guard
def store_versions(store: StoreDir, name: Name) -> None:
    """List a collection's versions: number, time, points, tags (JSON lines).

    Example: embedlab store versions ./store blog
    """
    for v in _open(store).collection(name).versions():
        typer.echo(json.dumps(v))


@store_app.command("optimize")
@_guard
def store_optimize(store: StoreDir, name: Name) -> None:
    """Compact a collection's files and prune untagged old versions.

    Example: embedlab store optimize ./store blog
    """
    stats = _open(store).collection(name).optimize()
    typer.echo(json.dumps(stats))


@serve_app.command("serve")
@_guard
def serve(
    store: Annotated[Path, typer.Option("--store", help="The store's folder.")],
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    api_key_file: Annotated[
        Path | None,
        typer.Option("--api-key-file", help="File whose first line is the key writes need."),
    ] = None,
    max_body_mb: Annotated[
        float, typer.Option("--max-body-mb", min=0.001, help="Largest request body (MiB).")
    ] = 256.0,
    max_concurrency: Annotated[
        int, typer.Option("--max-concurrency", min=1, help="Requests in flight before 503.")
    ] = 64,
    time_budget: Annotated[
        float, typer.Option("--time-budget", min=0.001, help="Seconds a read may take.")
    ] = 30.0,
) -> None:
    """Serve a store over HTTP (Qdrant-style API; OpenAPI at /docs) with uvicorn.

    Example: embedlab serve --store ./store --port 8000 --api-key-file key.txt
    """
    from embedlab.serve import create_app
    from embedlab.utils.optional import import_optional

    uvicorn = import_optional("uvicorn", "serve", "The HTTP service")
    key = None
    if api_key_file is not None:
        try:
            key = api_key_file.read_text(encoding="utf-8").splitlines()[0].strip()
        except (OSError, UnicodeDecodeError, IndexError):
            key = ""
        if not key:
            raise InvalidInputError(f"--api-key-file {str(api_key_file)!r} holds no key.")
    app = create_app(
        _open(store, must_exist=False),
        api_key=key,
        max_body_bytes=int(max_body_mb * 2**20),
        max_concurrency=max_concurrency,
        time_budget_s=time_budget,
    )
    typer.echo(f"serving {store} on http://{host}:{port} (OpenAPI: /docs)", err=True)
    from embedlab.serve._explore import preload_in_background

    preload_in_background()
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
