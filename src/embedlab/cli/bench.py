"""``embedlab bench``: paper-style comparison tables (graph, tables, stream, retrieval)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from embedlab.cli._common import group, guard
from embedlab.cli.tables import tables_app as _tables_commands

__all__ = ["app"]

app = group("Paper-style comparison tables and paper reproductions.")
app.registered_commands.extend(_tables_commands.registered_commands)


@app.command("graph")
@guard
def bench_graph(
    datasets: Annotated[
        str, typer.Option("--datasets", help="Data set names.")
    ] = "blogcatalog,cora",
    methods: Annotated[str, typer.Option("--methods", help="Methods (random = baseline).")] = (
        "fastrp,deepwalk,node2vec,line,random"
    ),
    tasks: Annotated[str, typer.Option("--tasks", help="Tasks.")] = (
        "node-classification,link-prediction,reconstruction"
    ),
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Runs per cell.")] = 3,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Save JSON here.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace --output.")] = False,
) -> None:
    """Every method on every data set and task; markdown table (mean ± std over seeds).

    Example: embedlab bench graph --datasets cora --methods fastrp,random --seeds 2 -o cora.json
    """
    from embedlab.eval.bench import format_markdown, run_graph_bench
    from embedlab.utils.fileio import atomic_path, check_output_path

    split = lambda text: [t.strip() for t in text.split(",") if t.strip()]  # noqa: E731
    if output is not None:
        check_output_path(output, overwrite=overwrite)
    result = run_graph_bench(split(datasets), split(methods), split(tasks), seeds=seeds)
    typer.echo(format_markdown(result))
    if output is not None:
        with atomic_path(output, overwrite=overwrite) as tmp:
            tmp.write_text(json.dumps(result, indent=2) + "\n")
