"""``embedlab bench``: paper-style comparison tables (graph, tables, stream, retrieval)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from embedlab.cli._common import fail, group, guard
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
    from embedlab.bench.graph import format_markdown, run_graph_bench
    from embedlab.utils.fileio import atomic_path, check_output_path

    split = lambda text: [t.strip() for t in text.split(",") if t.strip()]  # noqa: E731
    if output is not None:
        check_output_path(output, overwrite=overwrite)
    result = run_graph_bench(split(datasets), split(methods), split(tasks), seeds=seeds)
    typer.echo(format_markdown(result))
    if output is not None:
        with atomic_path(output, overwrite=overwrite) as tmp:
            tmp.write_text(json.dumps(result, indent=2) + "\n")


@app.command("reproduce")
@guard
def bench_reproduce(
    name: Annotated[
        str | None, typer.Argument(help="The reproduction (see --list).", show_default=False)
    ] = None,
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Runs of each side.")] = 1,
    quick: Annotated[
        bool, typer.Option("--quick", help="A small configuration (well under a minute).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the reproductions.")] = False,
) -> None:
    """Run one seed paper's headline comparison on the data here: ours vs the paper's reference.

    Example: embedlab bench reproduce fastrp --quick --json
    """
    from embedlab.registry import REPRODUCTIONS

    if list_:
        for key, cls in REPRODUCTIONS.items():
            if as_json:
                typer.echo(json.dumps({"name": key, "paper": cls.paper, "claim": cls.claim}))
            else:
                typer.echo(f"{key}\t{cls.paper}\t{cls.claim}")
        return
    if name is None:
        fail("give a reproduction NAME, or --list to see them.", 2)
    if name not in REPRODUCTIONS:
        fail(str(REPRODUCTIONS.unknown(name)), 2)
    res = REPRODUCTIONS.make(name).run(seeds=seeds, quick=quick)
    if as_json:
        typer.echo(json.dumps(res.to_dict()))
        return
    better = "higher" if res.higher_is_better else "lower"
    rows = [
        ("paper", res.paper),
        ("claim", res.claim),
        ("metric", f"{res.metric} ({better} is better)"),
        ("ours", f"{res.ours:.4f} ± {res.std:.4f} over {res.seeds} seed(s)"),
        ("reference", f"{res.reference:.4f}: {res.reference_name}"),
        ("holds", "yes" if res.holds else "no"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        typer.echo(f"{key:<{width}}  {value}")


@app.command("retrieval")
@guard
def bench_retrieval(
    dataset: Annotated[
        str, typer.Option("--dataset", help="BEIR data set under $EMBEDLAB_DATA/retrieval.")
    ] = "scifact",
    configs: Annotated[
        str | None,
        typer.Option(
            "--configs",
            help="Comma-separated SPEC[+RESCORE] rows, e.g. Flat,SQ8,BFlat+40 "
            "(default: the benchmark's nine rows).",
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Encoding cache ($EMBEDLAB_CACHE).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Dense retrieval with every compression configuration: nDCG@10, Recall@100, bytes.

    Example: embedlab bench retrieval --dataset scifact --configs Flat,SQ8,BFlat+40
    """
    from embedlab.registry import BENCH_TASKS
    from embedlab.text._cache import default_cache_dir

    rows = None
    if configs is not None:
        rows = []
        for item in (c.strip() for c in configs.split(",") if c.strip()):
            spec, _, depth = item.partition("+")
            if depth and not depth.isdigit():
                raise typer.BadParameter(f"{item!r}: RESCORE is a number.", param_hint="--configs")
            rows.append((None if spec == "Flat" else spec, int(depth) if depth else None))
    task = BENCH_TASKS.make("retrieval")
    res = task.run(dataset=dataset, configs=rows, cache_dir=cache_dir or default_cache_dir())
    typer.echo(json.dumps(res) if as_json else task.markdown(res))
