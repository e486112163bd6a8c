"""Contract checks of the large-model layers (:data:`embedlab.registry.LAYERS`).

Each check takes a ``LAYERS`` name or class and builds it from :data:`EXAMPLES` (a new layer adds
its small configuration there): a forward pass on ``[2, 5, d]`` inputs (with modality tags for
blocks that take them) must be finite and shaped, reach every parameter with its gradient, keep
its output through a ``state_dict`` round trip (layers that embed token ids, ``takes_ids = True``,
get ``[2, 5]`` ids instead), and the layer must state its FLOPs per token.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["EXAMPLES", "check_layer", "layer_checks"]

#: LAYERS name -> (constructor keywords, input width, output width); for a layer that takes
#: token ids (``takes_ids = True``) the input width is the number of ids
EXAMPLES: dict[str, tuple[dict[str, Any], int, int]] = {
    "memory-layer": ({"in_features": 16, "out_features": 6, "code_length": 4}, 16, 6),
    "memoryformer-block": ({"d_model": 16, "n_heads": 2, "code_length": 4}, 16, 16),
    "mot-block": ({"d_model": 16, "n_heads": 2, "n_modalities": 2}, 16, 16),
    "ofa-embedding": ({"num_embeddings": 12, "rank": 4, "embedding_dim": 16}, 12, 16),
}


def _build(spec: str | type) -> tuple[Any, int, int, str]:
    from embedlab.registry import LAYERS

    cls = LAYERS.get(spec) if isinstance(spec, str) else spec
    name = LAYERS.name_of(cls)
    if name not in EXAMPLES:
        raise AssertionError(f"layer {name!r} has no example in embedlab.testing EXAMPLES")
    kw, d_in, d_out = EXAMPLES[name]
    return cls(**kw), d_in, d_out, name


def _forward(layer: Any, d_in: int) -> Any:
    import torch

    g = torch.Generator().manual_seed(0)
    if getattr(layer, "takes_ids", False):
        ids = torch.randint(d_in, (2, 5), generator=g)
        return ids, layer(ids)
    x = torch.randn(2, 5, d_in, generator=g, requires_grad=True)
    if "modality" in inspect.signature(layer.forward).parameters:
        tags = torch.tensor([[0, 1, 0, 1, 1], [1, 1, 0, 0, 0]])
        return x, layer(x, tags)
    return x, layer(x)


def check_layer_forward(spec: str | type) -> None:
    """Check the output is finite, ``[2, 5, d_out]``, and a gradient reaches every parameter."""
    import torch

    layer, d_in, d_out, name = _build(spec)
    x, y = _forward(layer, d_in)
    if tuple(y.shape) != (2, 5, d_out) or not torch.isfinite(y).all():
        raise AssertionError(
            f"{name}: output {tuple(y.shape)} (finite: {bool(torch.isfinite(y).all())})"
        )
    (y**2).sum().backward()
    for pname, p in layer.named_parameters():
        if p.grad is None or not torch.any(p.grad != 0):
            raise AssertionError(f"{name}: no gradient reaches {pname}")
    if x.is_floating_point() and (x.grad is None or not torch.any(x.grad != 0)):
        raise AssertionError(f"{name}: no gradient reaches the input")


def check_layer_state_dict(spec: str | type) -> None:
    """Check a fresh layer loaded with another's ``state_dict`` gives the same bytes."""
    import torch

    layer, d_in, _, name = _build(spec)
    other, *_ = _build(spec)
    with torch.no_grad():
        for p in layer.parameters():
            p.add_(0.01)
    other.load_state_dict(layer.state_dict())
    with torch.no_grad():
        _, a = _forward(layer, d_in)
        _, b = _forward(other, d_in)
    if not torch.equal(a, b):
        raise AssertionError(f"{name}: the state_dict round trip changes the output")


def check_layer_flops(spec: str | type) -> None:
    """Check the layer states a positive integer ``flops_per_token``."""
    layer, *_, name = _build(spec)
    flops = getattr(layer, "flops_per_token", None)
    if isinstance(flops, bool) or not isinstance(flops, int) or flops < 1:
        raise AssertionError(f"{name}: flops_per_token must be an int >= 1; got {flops!r}")


def layer_checks() -> Iterator[Callable[[str | type], None]]:
    """Yield the checks every registered layer must pass."""
    yield check_layer_forward
    yield check_layer_state_dict
    yield check_layer_flops


def check_layer(spec: str | type) -> None:
    """Run every layer check on ``spec``."""
    for check in layer_checks():
        check(spec)
