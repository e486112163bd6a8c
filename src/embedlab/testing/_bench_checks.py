"""Contract checks of the bench entries (comparison tables, reproductions) and click streams.

Running a comparison or a reproduction takes minutes on real data, so these checks pin what can
be checked without a run: the declared attributes, the abstract methods really implemented,
argument validation before any work; ``tests/bench`` runs one quick reproduction end to end.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

from embedlab.exceptions import InvalidInputError

__all__ = [
    "bench_task_checks",
    "check_bench_task",
    "check_reproduction",
    "check_stream",
    "reproduction_checks",
    "stream_checks",
]


def _cls(registry_name: str, spec: str | type) -> Any:
    from embedlab import registry

    reg = getattr(registry, registry_name)
    cls = reg.get(spec) if isinstance(spec, str) else spec
    key = reg.name_of(cls)
    declared = getattr(cls, "name", None)
    if declared != key:
        raise AssertionError(f"{cls.__qualname__}.name is {declared!r}, not {key!r}")
    return cls


def _implemented(cls: type, methods: tuple[str, ...]) -> None:
    missing = sorted(getattr(cls, "__abstractmethods__", ()))
    if missing:
        raise AssertionError(f"{cls.__qualname__} leaves {missing} abstract")
    for m in methods:
        if not callable(getattr(cls, m, None)):
            raise AssertionError(f"{cls.__qualname__}.{m} is not a method")


# ------------------------------------------------------------------------------- bench tasks
def check_bench_task_declares(spec: str | type) -> None:
    """Check a bench task subclasses BenchTask, names itself and has a one-line title."""
    from embedlab.bench._base import BenchTask

    cls = _cls("BENCH_TASKS", spec)
    if not (isinstance(cls, type) and issubclass(cls, BenchTask)):
        raise AssertionError(f"{cls!r} is not a BenchTask")
    title = getattr(cls, "title", "")
    if not isinstance(title, str) or not title or "\n" in title:
        raise AssertionError(f"{cls.__qualname__}.title must be one non-empty line; got {title!r}")
    _implemented(cls, ("run", "markdown"))
    cls()  # constructible without arguments, doing no work


def bench_task_checks() -> Iterator[Callable[[str | type], None]]:
    """Yield the checks every registered bench task must pass."""
    yield check_bench_task_declares


def check_bench_task(spec: str | type) -> None:
    """Run every bench-task check."""
    for check in bench_task_checks():
        check(spec)


# ------------------------------------------------------------------------------ reproductions
def check_reproduction_declares(spec: str | type) -> None:
    """Check paper (with a year), claim and metric are declared, and run is implemented."""
    from embedlab.bench._base import Reproduction

    cls = _cls("REPRODUCTIONS", spec)
    if not (isinstance(cls, type) and issubclass(cls, Reproduction)):
        raise AssertionError(f"{cls!r} is not a Reproduction")
    for attr in ("paper", "claim"):
        value = getattr(cls, attr, "")
        if not isinstance(value, str) or len(value) < 10:
            raise AssertionError(f"{cls.__qualname__}.{attr} must be a sentence; got {value!r}")
    if not re.search(r"\b(19|20)\d\d\b", cls.paper):
        raise AssertionError(f"{cls.__qualname__}.paper names no year: {cls.paper!r}")
    _implemented(cls, ("run",))
    params = inspect.signature(cls.run).parameters
    for name in ("seeds", "quick"):
        if name not in params or params[name].kind is not inspect.Parameter.KEYWORD_ONLY:
            raise AssertionError(f"{cls.__qualname__}.run must take keyword-only {name!r}")


def check_reproduction_validates_seeds(spec: str | type) -> None:
    """Check ``run(seeds=0)`` is refused before any work."""
    cls = _cls("REPRODUCTIONS", spec)
    try:
        cls().run(seeds=0, quick=True)
    except InvalidInputError as exc:
        if "'seeds' must be an int >= 1" not in str(exc):
            raise AssertionError(f"{cls.__qualname__}: unexpected message {exc}") from None
        return
    raise AssertionError(f"{cls.__qualname__}.run(seeds=0) was accepted")


def reproduction_checks() -> Iterator[Callable[[str | type], None]]:
    """Yield the checks every registered reproduction must pass."""
    yield check_reproduction_declares
    yield check_reproduction_validates_seeds


def check_reproduction(spec: str | type) -> None:
    """Run every reproduction check."""
    for check in reproduction_checks():
        check(spec)


# ------------------------------------------------------------------------------ streams
def check_stream_declares(spec: str | type) -> None:
    """Check a stream names itself, has a positive default sync interval and a ``load``."""
    cls = _cls("STREAMS", spec)
    sync = getattr(cls, "sync_interval", None)
    if isinstance(sync, bool) or not isinstance(sync, int) or sync < 0:
        raise AssertionError(f"{cls.__qualname__}.sync_interval must be an int >= 0; got {sync!r}")
    if not callable(getattr(cls, "load", None)):
        raise AssertionError(f"{cls.__qualname__} has no load()")


def stream_checks() -> Iterator[Callable[[str | type], None]]:
    """Yield the checks every registered stream must pass."""
    yield check_stream_declares


def check_stream(spec: str | type) -> None:
    """Run every stream check."""
    for check in stream_checks():
        check(spec)
