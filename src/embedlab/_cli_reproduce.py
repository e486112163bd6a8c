"""CLI command ``embedlab bench reproduce`` (registered on ``bench_app`` by cli.py).

One seed paper's headline claim per entry of :data:`embedlab.registry.REPRODUCTIONS`.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from embedlab.cli import _fail, _guard, bench_app


@bench_app.command("reproduce")
@_guard
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
        _fail("give a reproduction NAME, or --list to see them.", 2)
    if name not in REPRODUCTIONS:
        _fail(str(REPRODUCTIONS.unknown(name)), 2)
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
