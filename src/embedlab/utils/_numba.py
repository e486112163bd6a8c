"""Thread control for numba kernels, and one source for a kernel's parallel and serial forms.

numba's thread count is process-wide; :func:`n_threads` sets it for one call and restores it.
Every embedlab kernel computes each output row independently and in a fixed order, so results do
not depend on the number of threads.

A loop over rows is often wanted twice: ``parallel=True`` for many rows, and serial (releasing
the GIL) for a few, where waking numba's thread pool costs more than the work.
:func:`parallel_and_serial` compiles one Python function, written with ``prange``, both ways;
without ``parallel=True`` numba runs ``prange`` as ``range``.
"""

from __future__ import annotations

import os
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from embedlab.exceptions import InvalidInputError

__all__ = ["KernelPair", "n_threads", "parallel_and_serial", "resolve_n_jobs"]


def resolve_n_jobs(n_jobs: int | None) -> int:
    """``None`` -> all usable cores; ``-1`` -> all; ``k >= 1`` -> ``k``."""
    import numba

    cap = int(getattr(numba.config, "NUMBA_NUM_THREADS"))  # noqa: B009 - untyped module
    avail = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    avail = min(cap, avail or 1)
    if n_jobs is None or n_jobs == -1:
        return avail
    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs < 1:
        raise InvalidInputError(
            f"The 'n_jobs' parameter must be None, -1 or an int >= 1. Got {n_jobs!r} instead."
        )
    return min(n_jobs, cap)


@contextmanager
def n_threads(n_jobs: int | None) -> Iterator[int]:
    """Run the enclosed numba kernels on ``n_jobs`` threads."""
    import numba

    k = resolve_n_jobs(n_jobs)
    previous = numba.get_num_threads()
    numba.set_num_threads(k)
    try:
        yield k
    finally:
        numba.set_num_threads(previous)


class KernelPair(NamedTuple):
    """The two compiled forms of one kernel source."""

    parallel: Callable[..., Any]
    serial: Callable[..., Any]


def _renamed(fn: Callable[..., Any], suffix: str) -> Callable[..., Any]:
    """Return a copy of ``fn`` under another qualified name (numba's disk caches stay apart)."""
    copy = types.FunctionType(
        fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__
    )
    copy.__qualname__ = f"{fn.__qualname__}__{suffix}"
    copy.__doc__ = fn.__doc__
    copy.__module__ = fn.__module__
    return copy


def parallel_and_serial(**options: Any) -> Callable[[Callable[..., Any]], KernelPair]:
    """Compile one kernel with ``parallel=True`` and without, from the same source.

    Parameters
    ----------
    **options
        ``numba.njit`` options shared by both forms (``cache``, ``nogil``, ``fastmath``...).

    Returns
    -------
    callable
        A decorator turning a function written with ``numba.prange`` into a
        :class:`KernelPair` ``(parallel, serial)``.

    Examples
    --------
    >>> import numpy as np
    >>> from numba import prange
    >>> @parallel_and_serial(nogil=True)
    ... def double(x):
    ...     for i in prange(x.shape[0]):
    ...         x[i] *= 2.0
    >>> a = np.ones(4); double.parallel(a); double.serial(a); a.tolist()
    [4.0, 4.0, 4.0, 4.0]
    """
    import numba

    if "parallel" in options:
        raise TypeError("parallel_and_serial compiles both forms; do not pass 'parallel'.")

    def decorate(fn: Callable[..., Any]) -> KernelPair:
        return KernelPair(
            parallel=numba.njit(parallel=True, **options)(_renamed(fn, "parallel")),
            serial=numba.njit(**options)(_renamed(fn, "serial")),
        )

    return decorate
