"""One writer per collection: a thread lock inside the process and ``flock`` across processes.

LanceDB commits optimistically: two writers of one table race, and the loser's commit fails
with a conflict (or retries a merge). embedlab serialises its own writers instead, so that every
upsert, delete, restore, index build and compaction is one commit made by one writer at a time;
:func:`retry_conflicts` still retries a commit that conflicts with a writer outside embedlab.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from embedlab.exceptions import ConflictError

__all__ = ["WriteLock", "retry_conflicts"]

T = TypeVar("T")
LOCK_DIR = ".locks"


class WriteLock:
    """Exclusive write access to one collection of a store.

    Parameters
    ----------
    root : Path
        The store's folder; lock files live in ``root/.locks/<name>.lock``.
    name : str
        The collection.
    """

    def __init__(self, root: Path, name: str) -> None:
        self.path = root / LOCK_DIR / f"{name}.lock"
        self._thread_lock = threading.Lock()

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the lock (blocking) for the duration of the ``with`` block."""
        with self._thread_lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


def _is_conflict(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "conflict" in text and ("commit" in text or "retry" in text or "concurrent" in text)


def retry_conflicts(fn: Callable[[], T], *, attempts: int = 6, base_delay: float = 0.05) -> T:
    """Call ``fn`` and retry it (exponential back-off) while LanceDB reports a commit conflict.

    Parameters
    ----------
    fn : callable
        One commit.
    attempts : int, default=6
    base_delay : float, default=0.05
        Seconds before the first retry; doubled after each.

    Returns
    -------
    The result of ``fn``.

    Examples
    --------
    >>> retry_conflicts(lambda: 3)
    3
    """
    for attempt in range(attempts):
        try:
            return fn()
        except (OSError, RuntimeError, ValueError) as exc:
            if not _is_conflict(exc):
                raise
            if attempt == attempts - 1:
                raise ConflictError(
                    f"The write conflicted with another writer {attempts} times; try again."
                ) from exc
            time.sleep(base_delay * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover
