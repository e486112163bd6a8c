"""``embedlab demo``: the main job of ``make run``, on bundled data."""

from __future__ import annotations

from typing import Annotated

import typer

from embedlab.cli._common import guard

__all__ = ["app"]

app = typer.Typer(rich_markup_mode=None)


@app.command("demo")
@guard
def demo(
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 0,
) -> None:
    """Embed bundled and synthetic graphs with FastRP and score them against baselines.

    Example: embedlab demo
    """
    from embedlab._demo import run_demo

    run_demo(seed=seed)
