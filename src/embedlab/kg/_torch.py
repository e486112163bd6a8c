"""The one place the kg package imports PyTorch (the ``[kg]`` extra)."""

from __future__ import annotations

from embedlab.exceptions import MissingExtraError
from embedlab.utils.optional import missing_extra_message

try:
    import torch
except ImportError:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError(
        missing_extra_message("torch", "kg", "Knowledge-graph embeddings")
    ) from None

__all__ = ["torch"]
