"""CLI commands for embedding tables (registered by cli.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from embedlab.cli import _guard, app
from embedlab.exceptions import InvalidInputError

tables_app = typer.Typer(
    help="Embedding tables for categorical IDs: hashing, QR, GraphHash.", no_args_is_help=True
)
app.add_typer(tables_app, name="tables")

_ALL = "full,hash,double-hash,frequency,qr,graphhash,double-graphhash"


@tables_app.command("bench")
@_guard
def tables_bench(
    dataset: Annotated[
        str,
        typer.Option(
            "--dataset",
            help="LightGCN-layout data set: a name under $EMBEDLAB_DATA/recsys or a folder path.",
        ),
    ] = "gowalla",
    model: Annotated[str, typer.Option("--model", help="mf or lightgcn.")] = "mf",
    methods: Annotated[str, typer.Option("--methods", help="Comma-separated table methods.")] = (
        _ALL
    ),
    budget: Annotated[
        float | None,
        typer.Option(
            "--budget",
            help="Fraction of the full rows every compressed method gets "
            "(default: the rows GraphHash reaches at --resolution).",
        ),
    ] = None,
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Runs per method.")] = 1,
    dim: Annotated[int, typer.Option("--dim", min=1, help="Embedding dimension.")] = 64,
    resolution: Annotated[
        float, typer.Option("--resolution", help="Louvain resolution without --budget.")
    ] = 200.0,
    epochs: Annotated[
        int | None, typer.Option("--epochs", min=1, help="Maximum epochs (default per model).")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds of training per run at most.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object by method.")] = (
        False
    ),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Save JSON here.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace --output.")] = False,
) -> None:
    """Train MF or LightGCN with each table method at one memory budget; full-ranking Recall@20.

    Example: embedlab tables bench --dataset gowalla --model mf --methods hash,graphhash --json
    """
    from embedlab.tables.bench import format_tables_bench, run_tables_bench
    from embedlab.utils.fileio import atomic_path, check_output_path

    names = [m.strip() for m in methods.split(",") if m.strip()]
    if budget is not None and not 0.0 < budget <= 1.0:
        raise InvalidInputError(f"--budget must be a fraction in (0, 1], got {budget}.")
    if output is not None:
        check_output_path(output, overwrite=overwrite)
    trainer: dict[str, float | int] = {}
    if epochs is not None:
        trainer["epochs"] = epochs
    if time_limit is not None:
        trainer["time_limit"] = time_limit
    res = run_tables_bench(
        dataset,
        model=model,
        methods=names,
        budget=budget,
        seeds=seeds,
        embedding_dim=dim,
        resolution=resolution,
        trainer=trainer,
    )
    if output is not None:
        with atomic_path(output, overwrite=overwrite) as tmp:
            tmp.write_text(json.dumps(res, indent=2) + "\n")
    if as_json:
        keys = (
            "recall@20",
            "ndcg@20",
            "rows",
            "memory_bytes",
            "recall@20_std",
            "ndcg@20_std",
            "train_seconds",
            "user_rows",
            "item_rows",
        )
        typer.echo(json.dumps({m: {k: r[k] for k in keys} for m, r in res.items()}))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{dataset}, {model}, d={dim}, {seeds} seed(s)")
    for col in ("method", "rows", "MiB", "Recall@20", "NDCG@20", "train time"):
        table.add_column(col, justify="left" if col == "method" else "right")
    for row in format_tables_bench(res):
        table.add_row(*row)
    Console().print(table)
