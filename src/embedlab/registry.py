"""Registries: one name per component, the same in Python, the CLI and the HTTP API.

Modelled on PyKEEN's ``ClassResolver``: a component may be given as a registered name
(``"fastrp"``), a class or an instance, and :meth:`Registry.make` returns an instance.
Registration is lazy: an entry is a dotted import path, so nothing heavy is imported until the
component is asked for (``import embedlab`` never imports torch, faiss or dask).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

from embedlab.exceptions import InvalidInputError

__all__ = ["EMBEDDERS", "EVALUATORS", "Registry"]


def _normalize(name: str) -> str:
    return name.strip().lower().replace("_", "-")


class Registry:
    """A mapping from names to lazily imported classes.

    Examples
    --------
    >>> from embedlab.registry import EMBEDDERS
    >>> EMBEDDERS.get("fastrp").__name__
    'FastRP'
    >>> EMBEDDERS.make("FastRP", n_components=8)
    FastRP(n_components=8)
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._paths: dict[str, str] = {}

    def register(self, name: str, path: str) -> None:
        """Register ``path`` (``"package.module:Class"``) under ``name``."""
        key = _normalize(name)
        if key in self._paths and self._paths[key] != path:
            raise InvalidInputError(f"{self.kind} {name!r} is already registered.")
        self._paths[key] = path

    def names(self) -> list[str]:
        return sorted(self._paths)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _normalize(name) in self._paths

    def get(self, name: str) -> type:
        """The class registered under ``name`` (case, ``_`` and ``-`` do not matter)."""
        key = _normalize(name)
        if key not in self._paths:
            raise InvalidInputError(
                f"Unknown {self.kind} {name!r}; choose one of: {', '.join(self.names())}."
            )
        module, _, attr = self._paths[key].partition(":")
        cls: type = getattr(importlib.import_module(module), attr)
        return cls

    def name_of(self, cls: type) -> str:
        """The registered name of ``cls``."""
        for key, path in self._paths.items():
            module, _, attr = path.partition(":")
            if cls.__module__ == module and cls.__name__ == attr:
                return key
        raise InvalidInputError(f"{cls.__name__} is not a registered {self.kind}.")

    def make(self, spec: str | type | Any, **params: Any) -> Any:
        """An instance from a name, a class or an instance (then ``params`` must be empty)."""
        if isinstance(spec, str):
            return self.get(spec)(**params)
        if isinstance(spec, type):
            return spec(**params)
        if params:
            raise InvalidInputError(
                f"Parameters {sorted(params)} given together with a {self.kind} instance; "
                "pass a name or a class instead."
            )
        return spec


EMBEDDERS = Registry("embedder")
EMBEDDERS.register("fastrp", "embedlab.graph.fastrp:FastRP")
EMBEDDERS.register("deepwalk", "embedlab.graph.deepwalk:DeepWalk")
EMBEDDERS.register("node2vec", "embedlab.graph.node2vec:Node2Vec")
EMBEDDERS.register("line", "embedlab.graph.line:LINE")
EMBEDDERS.register("orbit-pmi", "embedlab.graph.orbit_pmi:OrbitPMI")
EMBEDDERS.register("random-walk-pmi", "embedlab.graph.orbit_pmi:RandomWalkPMI")

EVALUATORS = Registry("evaluator")
EVALUATORS.register("node-classification", "embedlab.eval.node_classification:NodeClassification")
EVALUATORS.register("link-prediction", "embedlab.eval.link_prediction:LinkPrediction")
EVALUATORS.register("reconstruction", "embedlab.eval.reconstruction:Reconstruction")
EVALUATORS.register("clustering", "embedlab.eval.clustering:Clustering")
