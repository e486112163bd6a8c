"""Thread control for numba kernels.

numba's thread count is process-wide; :func:`n_threads` sets it for one call and restores it.
Every embedlab kernel computes each output row independently and in a fixed order, so results do
not depend on the number of threads.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from embedlab.exceptions import InvalidInputError

__all__ = ["n_threads", "resolve_n_jobs"]


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
