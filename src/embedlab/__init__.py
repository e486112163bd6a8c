"""embedlab: learn, compress, search and evaluate embeddings.

The public names below are imported on first use (PEP 562), so ``import embedlab`` is cheap and
never imports torch, faiss or dask.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from embedlab._version import __version__
from embedlab.utils._lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
