"""What every evaluator accepts as embeddings, validated once."""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.utils.ids import positions
from embedlab.utils.linalg import as_float_matrix

__all__ = ["embedding_arrays", "labelled_rows"]


def embedding_arrays(embeddings: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(ids, float32 vectors)``, refusing misaligned or non-finite input.

    ``embeddings`` is an EmbeddingSet, a fitted embedder or an ``(ids, vectors)`` pair.
    """
    if hasattr(embeddings, "ids") and hasattr(embeddings, "vectors"):
        ids, vec = np.asarray(embeddings.ids), np.asarray(embeddings.vectors, dtype=np.float32)
    elif hasattr(embeddings, "embeddings_") and hasattr(embeddings, "ids_"):
        ids, vec = np.asarray(embeddings.ids_), np.asarray(embeddings.embeddings_, np.float32)
    elif isinstance(embeddings, tuple) and len(embeddings) == 2:
        ids, vec = np.asarray(embeddings[0]), np.asarray(embeddings[1], dtype=np.float32)
    else:
        raise InvalidInputError(
            "Give an EmbeddingSet, a fitted embedder or an (ids, vectors) pair; got "
            f"{type(embeddings).__name__}."
        )
    if vec.ndim != 2 or len(ids) != len(vec):
        raise InvalidInputError(f"ids ({len(ids)}) and vectors {vec.shape} do not align.")
    return ids, as_float_matrix(vec, "The embeddings", allow_empty=True)


def labelled_rows(ids: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Return the rows of ``ids`` holding the labelled ``nodes``.

    A labelled node without an embedding is an error.
    """
    if ids.dtype == object and nodes.dtype != object:
        nodes = np.asarray([str(v) for v in nodes.tolist()], dtype=object)
    elif ids.dtype != object and nodes.dtype == object:
        raise InvalidInputError(
            "The labels name nodes by strings but the embedding ids are integers."
        )
    return positions(ids, nodes, what="labelled nodes (labels for nodes without an embedding)")
