"""Experiment drivers: paper-style comparison tables and the ``reproduce`` registry.

``embedlab bench graph|tables|stream|retrieval`` run the comparisons of
:data:`embedlab.registry.BENCH_TASKS` (:class:`~embedlab.bench._base.BenchTask`);
``embedlab bench reproduce NAME`` runs one seed paper's headline claim from
:data:`embedlab.registry.REPRODUCTIONS` (:class:`~embedlab.bench._base.Reproduction`), against
the published figures of :mod:`embedlab.bench.references`. Every registered class is exported
here by its class name, imported on first use (the registries are the one list of them).
"""

from __future__ import annotations

from embedlab.registry import BENCH_TASKS, REPRODUCTIONS
from embedlab.utils._lazy import lazy_exports

_EXPORTS = {
    "BenchTask": "embedlab.bench._base",
    "Reproduction": "embedlab.bench._base",
    "ReproductionResult": "embedlab.bench._base",
    **{
        path.partition(":")[2]: path.partition(":")[0]
        for registry in (BENCH_TASKS, REPRODUCTIONS)
        for path in (registry.path(name) for name in registry.names())
    },
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
