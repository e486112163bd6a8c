"""``embedlab datasets``: the data sets available here."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from embedlab.cli._common import group, guard

__all__ = ["app"]

app = group("Data sets: bundled and under $EMBEDLAB_DATA.")


@app.command("list")
@guard
def datasets_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the data sets available here and where they are.

    Example: EMBEDLAB_DATA=../shared/datasets embedlab datasets list
    """
    from embedlab.datasets import (
        data_home,
        list_graph_datasets,
        list_recsys_datasets,
        list_retrieval_datasets,
    )

    rows = [
        {
            "name": d.name,
            "kind": "graph",
            "source": d.source,
            "edges": str(d.edges),
            "labels": str(d.labels) if d.labels else None,
        }
        for d in list_graph_datasets()
    ]
    home = data_home()
    for kind, names in (
        ("retrieval", list_retrieval_datasets()),
        ("recsys", list_recsys_datasets()),
    ):
        for name in names:
            rows.append(
                {
                    "name": name,
                    "kind": kind,
                    "source": "EMBEDLAB_DATA",
                    "edges": str(home / kind / name) if home else "",
                    "labels": None,
                }
            )
    from embedlab.registry import STREAMS

    for name, cls in STREAMS.items():
        where = cls().location()
        if where is not None:
            rows.append(
                {
                    "name": name,
                    "kind": "stream",
                    "source": "generated" if where == "generated" else "EMBEDLAB_DATA",
                    "edges": "" if where == "generated" else where,
                    "labels": None,
                }
            )
    if as_json:
        typer.echo(json.dumps(rows))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Data sets (EMBEDLAB_DATA={home if home else 'unset'})")
    for col in ("name", "kind", "source", "labels", "files"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["kind"], r["source"], "yes" if r["labels"] else "no", r["edges"])
    Console().print(table)
