"""Progress reporting that stays out of the way.

Progress is shown only when the work is large (``total >= min_total``) and progress is not
disabled (``EMBEDLAB_QUIET=1`` or the CLI's ``--quiet``). On a terminal it is a rich bar; when
stderr is not a terminal (a log file, CI, ``2> log``) it is a plain line every
``$EMBEDLAB_PROGRESS_INTERVAL`` seconds (default 30) and one at the end, so a long job is never
silent (work that ends within the first interval writes nothing). The library never prints
otherwise: progress goes to stderr, everything else through ``logging``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Progress", "progress", "progress_enabled", "progress_shown", "set_quiet"]

_QUIET: bool | None = None


def set_quiet(quiet: bool | None) -> None:
    """Force progress bars off (``True``), or back to the default rule (``None``/``False``)."""
    global _QUIET
    _QUIET = quiet


def progress_shown(total: float, min_total: float) -> bool:
    """Whether progress (a bar or lines) is reported for ``total`` units of work."""
    if _QUIET is True or os.environ.get("EMBEDLAB_QUIET", "") not in ("", "0"):
        return False
    return total >= min_total


def progress_enabled(total: float, min_total: float) -> bool:
    """Whether a bar (on a terminal) should be shown for ``total`` units of work."""
    return progress_shown(total, min_total) and _isatty()


def _isatty() -> bool:
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def _interval() -> float:
    try:
        return max(float(os.environ.get("EMBEDLAB_PROGRESS_INTERVAL", "30")), 0.0)
    except ValueError:
        return 30.0


def _clock() -> float:
    return time.monotonic()


def _duration(seconds: float) -> str:
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class _Lines:
    """Plain progress lines on stderr: one per interval, and one at the end if any was written."""

    def __init__(self, description: str, total: float) -> None:
        self.description = description
        self.total = total
        self.done = 0.0
        self.fields: dict[str, Any] = {}
        self.start = self.last = _clock()
        self.written = 0

    def _write(self, text: str) -> None:
        self.written += 1
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def line(self) -> str:
        """Describe the current state in one line."""
        elapsed = _clock() - self.start
        share = self.done / self.total if self.total else 1.0
        left = f", ~{_duration(elapsed * (1 - share) / share)} left" if 0 < share < 1 else ""
        return (
            f"{self.description}: {_count(self.done)}/{_count(self.total)} "
            f"({100 * share:.0f}%), {_duration(elapsed)} elapsed{left}{self._extra()}"
        )

    def update(self, n: float, fields: dict[str, Any]) -> None:
        self.done += n
        self.fields.update(fields)
        now = _clock()
        if now - self.last >= _interval() and self.done < self.total:
            self.last = now
            self._write(self.line())

    def finish(self) -> None:
        if not self.written:
            return
        self._write(
            f"{self.description}: {_count(self.done)}/{_count(self.total)} done in "
            f"{_duration(_clock() - self.start)}{self._extra()}"
        )

    def _extra(self) -> str:
        return "".join(f", {v}" for v in self.fields.values() if v)


def _count(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


class Progress:
    """A minimal handle: ``advance(n)``; a no-op when progress is hidden."""

    def __init__(self, bar: Any = None, task: Any = None) -> None:
        self._bar = bar
        self._task = task

    def advance(self, n: float = 1, **fields: Any) -> None:
        """Move the bar ``n`` units on; ``fields`` update the extra columns (``rate=...``)."""
        if isinstance(self._bar, _Lines):
            self._bar.update(n, fields)
        elif self._bar is not None:
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
    if not progress_shown(total, min_total):
        yield Progress()
        return
    if not _isatty():
        lines = _Lines(description, total)
        yield Progress(lines)
        lines.finish()
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
