"""The one place the layers package imports PyTorch (the ``[torch]`` extra)."""

from __future__ import annotations

from embedlab.exceptions import MissingExtraError
from embedlab.utils.optional import missing_extra_message

try:
    import torch
except ImportError:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError(
        missing_extra_message("torch", "torch", "Embedding layers for large models")
    ) from None

__all__ = ["generator", "torch"]


def generator(seed: int) -> torch.Generator:
    """Return a ``torch.Generator`` seeded with ``seed`` (never the global RNG)."""
    g = torch.Generator()
    g.manual_seed(int(seed) % (2**63))
    return g
