"""Progress reporting that stays out of the way.

A bar is shown only when the work is large (``total >= min_total``), stderr is a terminal and
progress is not disabled (``EMBEDLAB_QUIET=1`` or the CLI's ``--quiet``). The library never prints:
bars go to stderr through rich, and everything else through ``logging``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Progress", "progress", "progress_enabled", "set_quiet"]

_QUIET: bool | None = None


def set_quiet(quiet: bool | None) -> None:
    """Force progress bars off (``True``), or back to the default rule (``None``/``False``)."""
    global _QUIET
    _QUIET = quiet


def progress_enabled(total: float, min_total: float) -> bool:
    """Whether a bar should be shown for ``total`` units of work."""
    if _QUIET is True or os.environ.get("EMBEDLAB_QUIET", "") not in ("", "0"):
        return False
    if total < min_total:
        return False
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


class Progress:
    """A minimal handle: ``advance(n)``; a no-op when the bar is hidden."""

    def __init__(self, bar: Any = None, task: Any = None) -> None:
        self._bar = bar
        self._task = task

    def advance(self, n: float = 1, **fields: Any) -> None:
        """Move the bar ``n`` units on; ``fields`` update the extra columns (``rate=...``)."""
        if self._bar is not None:
            self._bar.update(self._task, advance=n, **fields)


@contextmanager
def progress(
    description: str,
    total: float,
    *,
    min_total: float = 1e6,
    fields: dict[str, str] | None = None,
) -> Iterator[Progress]:
    """Context manager yielding a :class:`Progress`; shows a rich bar only for large work.

    ``fields`` names extra text columns (initial values), updated by ``advance(n, name=value)``:
    ``progress("training", walks, fields={"rate": ""})``, then
    ``bar.advance(64, rate="2M pairs/s")``.
    """
    if not progress_enabled(total, min_total):
        yield Progress()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        *(TextColumn(f"{{task.fields[{name}]}}") for name in fields or {}),
    )
    with RichProgress(*columns, console=Console(stderr=True), transient=True) as bar:
        extra: dict[str, Any] = dict(fields or {})
        task = bar.add_task(description, total=total, **extra)
        yield Progress(bar, task)
