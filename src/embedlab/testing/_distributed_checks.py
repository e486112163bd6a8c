"""Checks every Dask backend (:data:`embedlab.registry.DISTRIBUTED`) must pass.

A backend is a class with ``name`` (the estimator's registry name), ``exact`` (whether its
result equals the local one, or only matches it in quality), ``check_params`` (small
hyperparameters for these checks) and a static ``fit``. The checks run on a LocalCluster of two
threaded workers in this process.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = ["check_distributed_backend", "distributed_backend_checks"]


def _planted() -> tuple[Any, np.ndarray]:
    from embedlab.datasets import stochastic_block_model

    g, labels = stochastic_block_model([60, 60], 0.25, 0.01, random_state=0)
    return g, np.asarray(labels.first_labels(g.node_ids), dtype=np.int64)


def _accuracy(x: np.ndarray, y: np.ndarray) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    clf = LogisticRegression(max_iter=1000)
    return float(np.mean(cross_val_score(clf, x, y, cv=3)))


def check_backend_estimator(backend: type) -> None:
    """Check that the backend names an estimator taking ``backend="dask"`` and a client."""
    from embedlab.registry import EMBEDDERS

    name = backend.name  # type: ignore[attr-defined]
    if name not in EMBEDDERS:
        raise AssertionError(f"Dask backend {name!r} names no registered estimator")
    cls = EMBEDDERS.get(name)
    if "backend" not in inspect.signature(cls).parameters:
        raise AssertionError(f"{cls.__name__} has no 'backend' parameter")
    if "client" not in inspect.signature(cls.fit).parameters:
        raise AssertionError(f"{cls.__name__}.fit takes no 'client'")
    for attr in ("exact", "check_params", "fit"):
        if not hasattr(backend, attr):
            raise AssertionError(f"Dask backend {name!r} has no {attr!r}")
    from embedlab.registry import DISTRIBUTED

    if name not in DISTRIBUTED or DISTRIBUTED.get(name) is not backend:
        raise AssertionError(
            f"{backend.__name__} is not the Dask backend registered for {name!r}: the estimator "
            "would not run it"
        )


def check_backend_result(backend: type) -> None:
    """Check that the Dask result equals the local one (or is as good) and is deterministic."""
    from distributed import get_task_stream
    from embedlab.distributed._client import open_client
    from embedlab.registry import DISTRIBUTED, EMBEDDERS

    name = backend.name  # type: ignore[attr-defined]
    if DISTRIBUTED.get(name) is not backend:
        raise AssertionError(f"{backend.__name__} is not the backend registered for {name!r}")
    cls = EMBEDDERS.get(name)
    params = dict(backend.check_params)
    g, labels = _planted()
    local = cls(**params, random_state=0).fit(g).embeddings_
    with open_client(workers=2, processes=False) as client:
        with get_task_stream(client) as stream:
            first = cls(**params, random_state=0, backend="dask").fit(g, client=client).embeddings_
        ran_on = {t["worker"] for t in stream.data}
        if len(stream.data) == 0:
            raise AssertionError(f"{name}: backend='dask' ran no task on the cluster")
        if len(ran_on) < 2:
            raise AssertionError(f"{name}: all tasks ran on one worker of two")
        again = cls(**params, random_state=0, backend="dask").fit(g, client=client).embeddings_
    if first.shape != local.shape or first.dtype != np.float32:
        raise AssertionError(f"{name}: Dask result {first.shape} {first.dtype} vs {local.shape}")
    if not np.array_equal(first, again):
        raise AssertionError(f"{name}: the same seed gave different bytes on Dask")
    if backend.exact:
        diff = float(np.abs(first - local).max())
        if diff > 1e-6:
            raise AssertionError(f"{name}: Dask differs from local by {diff:.2e} (> 1e-6)")
        return
    acc_local, acc_dask = _accuracy(local, labels), _accuracy(first, labels)
    if acc_dask < min(0.9, acc_local - 0.05):
        raise AssertionError(
            f"{name}: planted communities recovered with accuracy {acc_dask:.3f} on Dask vs "
            f"{acc_local:.3f} locally"
        )


def distributed_backend_checks() -> Iterator[Callable[[type], None]]:
    """Yield the checks every registered Dask backend must pass."""
    yield check_backend_estimator
    yield check_backend_result


def check_distributed_backend(backend: type) -> None:
    """Run every Dask-backend check on ``backend``."""
    for check in distributed_backend_checks():
        check(backend)
