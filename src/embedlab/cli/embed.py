"""``embedlab embed <method>``: one command per registered embedder.

Each command is generated from its embedder's constructor (PyKEEN's ``models/cli/builders.py``
idea), so a new registered embedder gets a CLI without new code, and option names are the
constructor's parameter names.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from embedlab.cli._common import (
    ConstructorOption,
    constructor_options,
    guard,
    resolve_edges,
    usage_errors,
)
from embedlab.registry import DISTRIBUTED, EMBEDDERS

__all__ = ["app"]

_SKIP = ("property_ratio", "backend")  # --features; --workers / --scheduler


class _EmbedGroup(TyperGroup):
    """Lists the registered embedders without importing them; builds a command on use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*EMBEDDERS.names(), "kg"]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        sub = typer.Typer(add_completion=False, rich_markup_mode=None)
        if cmd_name == "kg":  # knowledge graphs: triples, not an edge list
            from embedlab.cli.kg import embed_kg

            sub.command("kg")(embed_kg)
        elif cmd_name in EMBEDDERS:
            sub.command(cmd_name)(_command_for(cmd_name, EMBEDDERS.get(cmd_name)))
        else:
            return None

        @sub.callback()
        def _cb() -> None:
            pass

        return typer.main.get_command(sub).commands[cmd_name]  # type: ignore[attr-defined]

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in EMBEDDERS.names():
            doc = inspect.getdoc(EMBEDDERS.get(name)) or name
            rows.append((name, doc.splitlines()[0]))
        rows.append(("kg", "Knowledge-graph embeddings of triples (NFE, hypercomplex, baselines)."))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    cls=_EmbedGroup,
    help="Learn embeddings of a graph: one command per registered embedder, and kg for "
    "knowledge graphs.\n\n"
    "Example: embedlab embed fastrp blogcatalog -o blog.parquet --seed 0",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def _embed() -> None:
    """Learn embeddings of a graph: one command per registered embedder."""


def _command_for(name: str, cls: type) -> Any:
    options = constructor_options(cls, skip=_SKIP)
    params = [
        inspect.Parameter(
            "edges",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[
                str,
                typer.Argument(
                    help="Edge-list file (src dst [weight]; .gz ok) or a dataset name.",
                    metavar="EDGES",
                    show_default=False,
                ),
            ],
        ),
        inspect.Parameter(
            "output",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                Path,
                typer.Option(
                    "--output",
                    "-o",
                    help="Output file: .parquet, .npy or word2vec .txt.",
                    show_default=False,
                ),
            ],
        ),
    ]
    for opt in options:
        params.append(
            inspect.Parameter(
                opt.param,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=opt.annotation,
                default=opt.default,
            )
        )
    has_features = "property_ratio" in inspect.signature(cls).parameters
    if has_features:
        params.append(
            inspect.Parameter(
                "features",
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[
                    Path | None,
                    typer.Option(
                        "--features",
                        help="Node features: an id + vector file (.parquet/.npy/.txt).",
                    ),
                ],
            )
        )
        params.append(
            inspect.Parameter(
                "property_ratio",
                inspect.Parameter.KEYWORD_ONLY,
                default=0.0,
                annotation=Annotated[
                    float,
                    typer.Option(
                        "--property-ratio", help="Share of dimensions taken from --features."
                    ),
                ],
            )
        )
        options = [
            *options,
            ConstructorOption("property_ratio", "--property-ratio", float, 0.0, "", lambda v: v),
        ]
    if name in DISTRIBUTED:
        for pname, kind, text in (
            ("workers", int, "Run on a new local Dask cluster of N worker processes."),
            ("scheduler", str, "Run on the Dask cluster at this scheduler address."),
        ):
            params.append(
                inspect.Parameter(
                    pname,
                    inspect.Parameter.KEYWORD_ONLY,
                    default=None,
                    annotation=Annotated[
                        kind | None,
                        typer.Option(
                            f"--{pname}",
                            metavar="N" if kind is int else "ADDRESS",
                            help=text,
                        ),
                    ],
                )
            )
    if name in ("fastrp", "deepwalk", "node2vec", "line"):
        params.append(
            inspect.Parameter(
                "memory_check",
                inspect.Parameter.KEYWORD_ONLY,
                default=True,
                annotation=Annotated[
                    bool,
                    typer.Option(
                        "--memory-check/--no-memory-check",
                        help="Estimate the memory first; refuse a run that cannot fit.",
                    ),
                ],
            )
        )
    params.append(
        inspect.Parameter(
            "parquet_compression",
            inspect.Parameter.KEYWORD_ONLY,
            default="none",
            annotation=Annotated[
                str,
                typer.Option(
                    "--parquet-compression",
                    help="Codec of a .parquet output: none (fastest to read) or zstd (smaller).",
                ),
            ],
        )
    )
    for pname, text in (
        ("directed", "Treat edges as directed."),
        ("weighted", "Use the third column as edge weights."),
        ("overwrite", "Replace an existing output file."),
        ("quiet", "No progress bars."),
    ):
        params.append(
            inspect.Parameter(
                pname,
                inspect.Parameter.KEYWORD_ONLY,
                default=False,
                annotation=Annotated[
                    bool,
                    typer.Option(f"--{pname}", *(["-q"] if pname == "quiet" else []), help=text),
                ],
            )
        )
    converters = {o.param: o.convert for o in options}

    @guard
    def command(**kwargs: Any) -> None:
        _run_embed(name, cls, converters, kwargs)

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__name__ = name.replace("-", "_")
    summary = (inspect.getdoc(cls) or name).splitlines()[0]
    command.__doc__ = (
        f"{summary}\n\nExample: embedlab embed {name} blogcatalog -o emb.parquet --seed 0"
    )
    return command


def _run_embed(name: str, cls: type, converters: dict[str, Any], kwargs: dict[str, Any]) -> None:
    from embedlab.graph import Graph
    from embedlab.io import EmbeddingSet
    from embedlab.utils.fileio import check_output_path

    if kwargs.pop("quiet"):
        from embedlab.utils.progress import set_quiet

        set_quiet(True)
    output: Path = kwargs.pop("output")
    overwrite = kwargs.pop("overwrite")
    compression = kwargs.pop("parquet_compression")
    check_output_path(output, overwrite=overwrite)
    EmbeddingSet.check_path(output)  # the file type, before any training
    if compression not in ("none", "zstd"):
        raise typer.BadParameter(
            f"must be none or zstd; got {compression!r}.", param_hint="--parquet-compression"
        )
    path, source = resolve_edges(kwargs.pop("edges"))
    directed, weighted = kwargs.pop("directed"), kwargs.pop("weighted")
    features_path = kwargs.pop("features", None)
    workers, scheduler = kwargs.pop("workers", None), kwargs.pop("scheduler", None)
    memory_check = kwargs.pop("memory_check", False)
    if workers is not None and scheduler is not None:
        raise typer.BadParameter("give --workers or --scheduler, not both.", param_hint="--workers")
    if workers is not None and workers < 1:
        raise typer.BadParameter(f"must be at least 1; got {workers}.", param_hint="--workers")
    params = {k: converters[k](v) for k, v in kwargs.items()}
    distributed = workers is not None or scheduler is not None
    if distributed:
        params["backend"] = "dask"
    est = cls(**params)
    with usage_errors():
        est._validate_params()
    graph = Graph.from_edgelist(path, directed=directed, weighted=bool(weighted))
    fit_kwargs: dict[str, Any] = {}
    if features_path is not None:
        feats = EmbeddingSet.load(features_path)
        fit_kwargs["features"] = feats.vectors[feats.positions(graph.node_ids)]
    if not distributed:
        if memory_check:
            _check_memory(name, est, graph, None)
        est.fit(graph, **fit_kwargs)
    else:
        from embedlab.distributed._client import open_client

        with open_client(scheduler=scheduler, workers=workers) as client:
            if memory_check:
                _check_memory(name, est, graph, client)
            est.fit(graph, client=client, **fit_kwargs)
    es = est.to_embedding_set(
        source=source,
        graph={
            "n_nodes": graph.n_nodes,
            "n_edges": graph.n_edges,
            "directed": graph.directed,
            "weighted": graph.weighted,
        },
    )
    es.save(output, overwrite=overwrite, compression=compression)
    typer.echo(f"wrote {len(es)} x {es.dim} {name} embeddings of {source} to {output}", err=True)


def _machine_available() -> int:
    """Return this machine's available memory in bytes (``MemAvailable``, else free pages)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import os

    return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))


def _worker_limit(client: Any) -> int | None:
    """Return the smallest worker's Dask memory limit, ``None`` when a worker reports none."""
    from embedlab.distributed._client import memory_limits

    limits = list(memory_limits(client).values())
    return min(limits) if limits and min(limits) > 0 else None


def _check_memory(name: str, est: Any, graph: Any, client: Any) -> None:
    """Refuse a run whose estimate exceeds the memory available; warn above 80 %.

    One process: the estimate against this machine's available memory plus the graph already
    loaded. On Dask: the per-worker estimate against the smallest worker's limit, and the
    driver's share (the graph and the gathered embedding, twice) against this machine.
    """
    from embedlab.distributed._client import worker_addresses
    from embedlab.distributed.memory import MemoryEstimate, check_memory, estimate_memory
    from embedlab.exceptions import InvalidInputError

    kw: dict[str, Any] = {"n_components": est.n_components}
    if hasattr(est, "walks_per_node"):
        kw.update(walks_per_node=est.walks_per_node, epochs=est.epochs)
    graph_bytes = int(graph.indptr.nbytes + graph.indices.nbytes + graph.weights.nbytes)
    checks: list[tuple[MemoryEstimate, int | None]] = []
    if client is None:
        checks.append((estimate_memory(name, graph, **kw), _machine_available() + graph_bytes))
    else:
        kw.update(workers=len(worker_addresses(client)), partitions=est.partitions)
        checks.append((estimate_memory(name, graph, **kw), _worker_limit(client)))
        driver = graph_bytes + 2 * graph.n_nodes * est.n_components * 4
        checks.append(
            (
                MemoryEstimate("the driver", 1, driver, driver, {"graph and result": driver}),
                _machine_available() + graph_bytes,
            )
        )
    for estimate, available in checks:
        if available is None:
            typer.echo(
                "warning: the Dask workers report no memory limit; the memory was not checked.",
                err=True,
            )
            continue
        try:
            warning = check_memory(estimate, available)
        except InvalidInputError as exc:
            raise InvalidInputError(f"{exc}\n(--no-memory-check runs it anyway.)") from None
        if warning:
            typer.echo(f"warning: {warning}", err=True)
