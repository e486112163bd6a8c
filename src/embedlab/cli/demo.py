"""``embedlab demo``: the main job of ``make run``; ``--serve`` opens the explorer on its data."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from embedlab.cli._common import guard

__all__ = ["app"]

app = typer.Typer(rich_markup_mode=None)


@app.command("demo")
@guard
def demo(
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 0,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="Load the demo's embeddings into a store and serve the web explorer.",
        ),
    ] = False,
    store: Annotated[
        Path | None,
        typer.Option("--store", help="With --serve: the store's folder (default: a new temp one)."),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="With --serve: interface.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="With --serve.")] = 8000,
) -> None:
    """Embed bundled and synthetic graphs with FastRP and score them against baselines.

    With --serve: embed karate, a planted partition and (when $EMBEDLAB_DATA holds it)
    BlogCatalog with FastRP and DeepWalk into a store, map them, and serve the explorer on
    http://127.0.0.1:PORT/explore (Ctrl-C stops it).

    Example: embedlab demo --serve --port 8000
    """
    if not serve:
        from embedlab._demo import run_demo

        run_demo(seed=seed)
        return
    from embedlab._demo import build_demo_store
    from embedlab.serve import create_app
    from embedlab.utils.optional import import_optional

    uvicorn = import_optional("uvicorn", "serve", "The explorer")
    folder = store if store is not None else Path(tempfile.mkdtemp(prefix="embedlab-demo-"))
    names = build_demo_store(folder, seed, log=lambda m: typer.echo(m, err=True))
    first = "blogcatalog_fastrp" if "blogcatalog_fastrp" in names else names[0]
    url = f"http://{host}:{port}/explore#c={first}&color=label"
    if "blogcatalog_deepwalk" in names:
        url += "&cmp=blogcatalog_deepwalk"
    typer.echo(f"store: {folder}", err=True)
    from embedlab.serve._explore import preload_in_background

    preload_in_background()
    typer.echo(f"explorer: {url}  (Ctrl-C stops the server)")
    uvicorn.run(
        create_app(str(folder)), host=host, port=port, log_level="warning", access_log=False
    )
