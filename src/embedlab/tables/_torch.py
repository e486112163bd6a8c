"""The one place the tables package imports PyTorch (the ``[torch]`` extra)."""

from __future__ import annotations

from embedlab.exceptions import MissingExtraError

try:
    import torch
except ImportError:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError(
        "embedlab.tables needs PyTorch: pip install torch==2.13.0 'embedlab[tables]'."
    ) from None

__all__ = ["torch"]
