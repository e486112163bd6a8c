"""The one place the layers package imports PyTorch (the ``[torch]`` extra); its shared checks."""

from __future__ import annotations

from embedlab.exceptions import InvalidInputError, MissingExtraError
from embedlab.utils.optional import missing_extra_message

try:
    import torch
except ImportError:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError(
        missing_extra_message("torch", "torch", "Embedding layers for large models")
    ) from None

__all__ = ["check_heads", "check_positive_ints", "generator", "torch"]


def generator(seed: int) -> torch.Generator:
    """Return a ``torch.Generator`` seeded with ``seed`` (never the global RNG)."""
    g = torch.Generator()
    g.manual_seed(int(seed) % (2**63))
    return g


def check_positive_ints(**values: object) -> None:
    """Raise for the first of ``values`` that is not an int >= 1 (bools refused)."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInputError(f"'{name}' must be an int >= 1; got {value!r}.")


def check_heads(d_model: int, n_heads: int) -> None:
    """Check both are ints >= 1 and that ``n_heads`` divides ``d_model``."""
    check_positive_ints(d_model=d_model, n_heads=n_heads)
    if d_model % n_heads:
        raise InvalidInputError(
            f"'d_model' ({d_model}) must be a multiple of 'n_heads' ({n_heads})."
        )
