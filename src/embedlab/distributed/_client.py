"""The Dask client every distributed routine uses, and what it measures.

One rule, as in the issue and in Dask's own libraries (dask-ml, xgboost.dask): a routine takes an
optional ``client``; without one it uses the current client (``distributed.get_client()``), so code
written for a laptop's :class:`distributed.LocalCluster` runs unchanged on a real cluster. The CLI
opens a client with :func:`open_client` from ``--scheduler ADDRESS`` or ``--workers N``.

Measurements: :func:`transfer_bytes` reads every worker's ``transfer_outgoing_bytes_total`` (the
bytes a worker sent to other workers, the network traffic of a computation) and :func:`peak_rss`
the peak resident memory of every worker process.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from embedlab.exceptions import InvalidInputError
from embedlab.utils.optional import import_optional

__all__ = [
    "dask_distributed",
    "memory_limits",
    "open_client",
    "peak_rss",
    "resolve_client",
    "transfer_bytes",
    "worker_addresses",
]


def dask_distributed() -> ModuleType:
    """Import ``distributed`` or raise the one missing-extra error."""
    return import_optional(
        "distributed", "distributed", "Dask backends", package="dask[distributed]"
    )


def resolve_client(client: Any = None) -> Any:
    """Return ``client``, or the current Dask client when it is ``None``.

    Raises
    ------
    InvalidInputError
        When no client is given and none is running.
    """
    distributed = dask_distributed()
    if client is not None:
        if not isinstance(client, distributed.Client):
            raise InvalidInputError(
                f"'client' must be a distributed.Client; got {type(client).__name__}."
            )
        return client
    try:
        return distributed.get_client()
    except ValueError:
        raise InvalidInputError(
            "No Dask client is running: start one (distributed.Client(LocalCluster()) or "
            "distributed.Client('tcp://scheduler:8786')) or pass client=..."
        ) from None


def worker_addresses(client: Any) -> list[str]:
    """Return the addresses of the client's workers, sorted (a fixed placement order).

    Asked of the scheduler on every call (``Client.nthreads``), not read from
    ``client.scheduler_info()``: the client's periodic refresh of that cache rewrites it without
    the per-worker entries, so a reply landing just after an on-demand fetch can make a healthy
    cluster look empty.
    """
    workers = sorted(client.nthreads())
    if not workers:
        raise InvalidInputError("The Dask cluster has no workers; start at least one.")
    return workers


@contextlib.contextmanager
def open_client(
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    threads_per_worker: int = 1,
    memory_limit: str | int | None = None,
    processes: bool = True,
) -> Iterator[Any]:
    """Open a client: to ``scheduler`` (an address) or to a new LocalCluster of ``workers``.

    Exactly one of ``scheduler`` and ``workers`` is given. The LocalCluster's scheduler serves its
    HTTP endpoints on a free port (Dask's 8787 may be taken) and is closed on exit; a remote
    cluster is left running. ``memory_limit`` (bytes or ``"4GB"``) is Dask's per-worker limit;
    ``None`` lets Dask split the machine's memory between the workers.

    Examples
    --------
    >>> with open_client(workers=1, processes=False) as client:
    ...     len(worker_addresses(client))
    1
    """
    if (scheduler is None) == (workers is None):
        raise InvalidInputError("Give exactly one of --scheduler ADDRESS and --workers N.")
    distributed = dask_distributed()
    if scheduler is not None:
        with distributed.Client(scheduler) as client:
            yield client
        return
    if workers is None or workers < 1:
        raise InvalidInputError(f"--workers must be at least 1; got {workers}.")
    kwargs: dict[str, Any] = {
        "n_workers": workers,
        "threads_per_worker": threads_per_worker,
        "processes": processes,
        "dashboard_address": ":0",  # any free port: the default 8787 may be taken
        "silence_logs": logging.WARNING,  # Dask's start/stop chatter is INFO
    }
    if memory_limit is not None:
        kwargs["memory_limit"] = memory_limit
    with (
        distributed.LocalCluster(**kwargs) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _outgoing(dask_worker: Any) -> int:
    return int(dask_worker.transfer_outgoing_bytes_total)


def _memory_limit(dask_worker: Any) -> int:
    return int(dask_worker.memory_manager.memory_limit or 0)


def memory_limits(client: Any) -> dict[str, int]:
    """Return each worker's Dask memory limit in bytes (0: none)."""
    return {str(k): int(v) for k, v in client.run(_memory_limit).items()}


def transfer_bytes(client: Any) -> int:
    """Return the bytes the client's workers have sent to one another so far (a counter)."""
    return int(sum(client.run(_outgoing).values()))


def _max_rss() -> int:
    """Return this process's peak resident memory: ``VmHWM`` on Linux, else ``ru_maxrss``.

    (``ru_maxrss`` of a forked worker starts at its parent's peak.)
    """
    import resource
    import sys

    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(rss if sys.platform == "darwin" else rss * 1024)


def peak_rss(client: Any) -> dict[str, int]:
    """Return each worker process's peak resident memory in bytes (meaningful with processes)."""
    return {str(k): int(v) for k, v in client.run(_max_rss).items()}
