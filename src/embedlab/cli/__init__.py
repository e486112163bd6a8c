"""The ``embedlab`` command line.

``embedlab <group> <command>``. The root knows each group by name and one line of help only
(:data:`GROUPS`); a group's module (``embedlab.cli.<module>``) is imported when that group runs,
so ``embedlab --version`` and ``embedlab --help`` import no family (no numpy, numba or torch).
Each group module defines ``app`` (a Typer group) and imports only :mod:`embedlab.cli._common`,
never this root.

Errors: one line on stderr, exit 1 for data or runtime errors, 2 for usage errors; no traceback
(set ``EMBEDLAB_DEBUG=1`` to see one). Outputs are written atomically and never replace an
existing file without ``--overwrite``.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from embedlab._version import __version__

__all__ = ["GROUPS", "app", "main"]

#: command name -> (module under embedlab.cli, its Typer attribute, one-line help)
GROUPS: dict[str, tuple[str, str, str]] = {
    "embed": ("embed", "app", "Learn embeddings of a graph."),
    "eval": ("eval", "app", "Evaluate embeddings."),
    "graph": ("graph", "app", "Graph statistics: graphlet orbits."),
    "text": ("retrieval", "text_app", "Encode text with a packaged model."),
    "index": ("retrieval", "index_app", "Build and search vector indexes."),
    "muvera": ("retrieval", "muvera_app", "MUVERA fixed-dimensional encodings of multi-vectors."),
    "bench": ("bench", "app", "Comparison tables (graph, tables, stream) and paper reproductions."),
    "datasets": ("datasets", "app", "Data sets: bundled and under $EMBEDLAB_DATA."),
    "store": ("store", "store_app", "Collections of embeddings on LanceDB."),
    "serve": ("store", "serve_app", "Serve a store over HTTP (Qdrant-style API)."),
    "plot": ("plot", "app", "Draw embeddings as a 2-D map (PNG, SVG, PDF)."),
    "demo": ("demo", "app", "Embed bundled and synthetic graphs with FastRP and score them."),
}


class _LazyGroup(TyperGroup):
    """The root group: lists :data:`GROUPS` without importing them, loads one on use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(GROUPS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in GROUPS:
            return None
        module, attribute, _ = GROUPS[cmd_name]
        try:
            group = getattr(importlib.import_module(f"embedlab.cli.{module}"), attribute)
        except KeyboardInterrupt:  # Ctrl-C while the group's imports run: one line, no trace
            typer.echo("error: interrupted.", err=True)
            raise typer.Exit(130) from None
        command = typer.main.get_command(group)
        command.name = cmd_name
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, help_text) for name, (_, _, help_text) in GROUPS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="embedlab",
    cls=_LazyGroup,
    help="Learn, compress, search and evaluate embeddings.\n\n"
    "Example: embedlab embed fastrp blogcatalog -o blog.parquet --n-components 512",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"embedlab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars or progress lines.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
) -> None:
    """Learn, compress, search and evaluate embeddings."""
    import warnings

    from embedlab.utils.progress import set_quiet

    set_quiet(True if quiet else None)
    warnings.formatwarning = _one_line_warning
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _one_line_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, line: Any = None
) -> str:
    """Format a warning as the CLI shows it: ``warning: <message>``, one line, no location."""
    return f"warning: {message}\n"


def main(argv: Sequence[str] | None = None) -> Any:
    """Entry point of the ``embedlab`` script."""
    try:
        return app(args=list(argv) if argv is not None else None, prog_name="embedlab")
    except KeyboardInterrupt:  # Ctrl-C while a group is still being imported
        typer.echo("error: interrupted.", err=True)
        raise SystemExit(130) from None
    except BrokenPipeError:  # `embedlab ... | head`: the reader left; stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout again at exit
        raise SystemExit(0) from None
