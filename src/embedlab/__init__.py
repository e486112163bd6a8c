"""embedlab: learn, compress, search and evaluate embeddings.

The public names below are imported on first use (PEP 562), so ``import embedlab`` is cheap and
never imports torch, faiss or dask.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from embedlab._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.base import BaseEmbedder, clone
    from embedlab.datasets import load_graph, load_labels
    from embedlab.eval import NodeClassification
    from embedlab.exceptions import (
        EmbedlabError,
        InvalidInputError,
        MissingExtraError,
        NotFittedError,
        OutputExistsError,
    )
    from embedlab.graph import FastRP, Graph
    from embedlab.io import EmbeddingSet
    from embedlab.registry import EMBEDDERS, EVALUATORS, Registry

__all__ = [
    "EMBEDDERS",
    "EVALUATORS",
    "BaseEmbedder",
    "EmbeddingSet",
    "EmbedlabError",
    "FastRP",
    "Graph",
    "InvalidInputError",
    "MissingExtraError",
    "NodeClassification",
    "NotFittedError",
    "OutputExistsError",
    "Registry",
    "__version__",
    "clone",
    "load_graph",
    "load_labels",
]

_LAZY = {
    "BaseEmbedder": "embedlab.base",
    "clone": "embedlab.base",
    "EmbeddingSet": "embedlab.io",
    "FastRP": "embedlab.graph",
    "Graph": "embedlab.graph",
    "NodeClassification": "embedlab.eval",
    "load_graph": "embedlab.datasets",
    "load_labels": "embedlab.datasets",
    "EMBEDDERS": "embedlab.registry",
    "EVALUATORS": "embedlab.registry",
    "Registry": "embedlab.registry",
    "EmbedlabError": "embedlab.exceptions",
    "InvalidInputError": "embedlab.exceptions",
    "MissingExtraError": "embedlab.exceptions",
    "NotFittedError": "embedlab.exceptions",
    "OutputExistsError": "embedlab.exceptions",
}

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'embedlab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
