"""``embedlab bench tables`` and ``embedlab bench stream``: the embedding-table experiments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from embedlab.cli._common import guard as _guard
from embedlab.exceptions import InvalidInputError

__all__ = ["tables_app"]

tables_app = typer.Typer()  # its commands join `embedlab bench` (embedlab.cli.bench)


@tables_app.command("tables")
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
    methods: Annotated[
        str | None,
        typer.Option("--methods", help="Comma-separated table methods (default: all of them)."),
    ] = None,
    memory_fraction: Annotated[
        float | None,
        typer.Option(
            "--memory-fraction",
            help="Fraction of the full rows every compressed method gets "
            "(default: the rows GraphHash reaches at --resolution).",
        ),
    ] = None,
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Runs per method.")] = 1,
    embedding_dim: Annotated[
        int, typer.Option("--embedding-dim", min=1, help="Coordinates per vector.")
    ] = 64,
    resolution: Annotated[
        float, typer.Option("--resolution", help="Louvain resolution without --memory-fraction.")
    ] = 200.0,
    epochs: Annotated[
        int | None, typer.Option("--epochs", min=1, help="Maximum epochs (default per model).")
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            min=0,
            help="Stop training at the first epoch end past this many seconds (checked once "
            "per epoch, so a run can exceed it by one epoch).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object by method.")] = (
        False
    ),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Save JSON here.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace --output.")] = False,
) -> None:
    """Train MF or LightGCN with each table method at one memory budget; full-ranking Recall@20.

    Example: embedlab bench tables --dataset gowalla --model mf --methods hash,graphhash --json
    """
    from embedlab.bench.tables import REPORT_ORDER, format_tables_bench, run_tables_bench
    from embedlab.utils.fileio import atomic_path, check_output_path

    if methods is None:
        names = list(REPORT_ORDER)
    else:
        names = [m.strip() for m in methods.split(",") if m.strip()]
    if memory_fraction is not None and not 0.0 < memory_fraction <= 1.0:
        raise InvalidInputError(
            f"--memory-fraction must be a fraction in (0, 1], got {memory_fraction}."
        )
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
        memory_fraction=memory_fraction,
        seeds=seeds,
        embedding_dim=embedding_dim,
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

    table = Table(title=f"{dataset}, {model}, d={embedding_dim}, {seeds} seed(s)")
    for col in ("method", "rows", "MiB", "Recall@20", "NDCG@20", "train time"):
        table.add_column(col, justify="left" if col == "method" else "right")
    for row in format_tables_bench(res):
        table.add_row(*row)
    Console().print(table)


@tables_app.command("stream")
@_guard
def tables_stream(
    dataset: Annotated[
        str, typer.Option("--dataset", help="movielens-100k ($EMBEDLAB_DATA) or synthetic.")
    ] = "movielens-100k",
    table: Annotated[
        str, typer.Option("--table", help="collisionless, hash (per field) or unified.")
    ] = "collisionless",
    model: Annotated[str, typer.Option("--model", help="deepfm or dcnv2.")] = "deepfm",
    occurrence_threshold: Annotated[
        int,
        typer.Option("--occurrence-threshold", min=1, help="Sightings before an ID owns a row."),
    ] = 1,
    expire_after: Annotated[
        int | None,
        typer.Option(
            "--expire-after", min=0, help="Evict IDs unseen this long (stream time units)."
        ),
    ] = None,
    sync_interval: Annotated[
        int | None,
        typer.Option(
            "--sync-interval",
            min=0,
            help="Push touched rows to serving every S units of stream time; 0 serves the "
            "training copy (default: 3600 s for MovieLens, 10 ticks for synthetic).",
        ),
    ] = None,
    dense_sync_interval: Annotated[
        int | None,
        typer.Option("--dense-sync-interval", min=0, help="Dense weights (default 4x sync)."),
    ] = None,
    memory_bytes: Annotated[
        int | None,
        typer.Option(
            "--memory-bytes",
            min=1,
            help="Memory of a hash / unified table (default: what a collisionless run reaches).",
        ),
    ] = None,
    memory_fraction: Annotated[
        float | None,
        typer.Option("--memory-fraction", help="... or a fraction of the full table's bytes."),
    ] = None,
    num_chunks: Annotated[
        int, typer.Option("--num-chunks", min=1, help="Unified Embedding probes per field.")
    ] = 4,
    embedding_dim: Annotated[
        int, typer.Option("--embedding-dim", min=2, help="Coordinates per field vector.")
    ] = 16,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 256,
    windows: Annotated[int, typer.Option("--windows", min=1, help="AUC windows.")] = 10,
    examples: Annotated[
        int, typer.Option("--examples", min=1, help="Length of the synthetic stream.")
    ] = 1_000_000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of tables, model and stream.")] = 0,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            "--snapshot", help="Write atomic snapshots to this file (its folder must exist)."
        ),
    ] = None,
    snapshot_interval: Annotated[
        int | None, typer.Option("--snapshot-interval", min=1, help="Stream time per snapshot.")
    ] = None,
    resume: Annotated[
        Path | None, typer.Option("--resume", help="Continue from this snapshot.")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing --snapshot file.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Online training on a time-ordered click stream with progressive validation.

    Each batch is scored by the serving copy before the training copy learns from it; touched
    rows are pushed to serving every --sync-interval. Reports AUC per window, log-loss, memory,
    rows, evictions and throughput.

    Example: embedlab bench stream --dataset synthetic --table collisionless
    --occurrence-threshold 2 --expire-after 400 --json
    """
    from embedlab.bench.stream import load_stream, run_stream
    from embedlab.utils.fileio import check_output_path

    if (snapshot is None) != (snapshot_interval is None):
        raise InvalidInputError("--snapshot and --snapshot-interval go together.")
    if resume is not None and not resume.is_file():
        raise InvalidInputError(f"No snapshot at {str(resume)!r} to resume from.")
    if snapshot is not None:  # resuming into the same file continues it
        same = resume is not None and snapshot.resolve() == resume.resolve()
        check_output_path(snapshot, overwrite=overwrite or same)
    stream = load_stream(dataset, examples=examples, seed=seed)
    res = run_stream(
        stream,
        table=table,
        model=model,
        embedding_dim=embedding_dim,
        occurrence_threshold=occurrence_threshold,
        expire_after=expire_after,
        sync_interval=sync_interval,
        dense_sync_interval=dense_sync_interval,
        memory_bytes=memory_bytes,
        memory_fraction=memory_fraction,
        num_chunks=num_chunks,
        batch_size=batch_size,
        n_windows=windows,
        seed=seed,
        snapshot_path=None if snapshot is None else str(snapshot),
        snapshot_interval=snapshot_interval,
        resume_from=None if resume is None else str(resume),
        show_progress=not as_json,
    )
    if as_json:
        typer.echo(json.dumps(res))
        return
    from rich.console import Console
    from rich.table import Table

    out = Table(title=f"{dataset}: {table} table, {model}, d={embedding_dim}")
    out.add_column("window", justify="right")
    out.add_column("AUC", justify="right")
    for i, a in enumerate(res["auc_per_window"]):
        out.add_row(str(i + 1), "-" if a is None else f"{a:.4f}")
    console = Console()
    console.print(out)
    auc = "-" if res["auc"] is None else f"{res['auc']:.4f}"
    console.print(
        f"AUC (mean of windows) {auc}, log-loss {res['logloss']:.4f}, "
        f"memory {res['memory_bytes'] / 2**20:.2f} MiB (peak "
        f"{res['peak_memory_bytes'] / 2**20:.2f}), rows {res['rows']:,}, "
        f"evictions {res['evictions']:,}, {res['examples_per_second']:,.0f} examples/s"
    )
