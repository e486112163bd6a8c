"""MemoryFormer's memory layer: a fully-connected map replaced by hashed table lookups.

Ding et al., "MemoryFormer: Minimize Transformer Computation by Removing Fully-Connected
Layers", NeurIPS 2024 (reference code C0-Design/MemoryFormer, ``memory_module/memory.py``).

The input ``x`` in R^d is cut into ``K = d / tau`` contiguous chunks ``z_k`` in R^tau. Each chunk
is hashed by the signs of its coordinates (locality-sensitive: nearby chunks share a bucket)::

    h(z_k) = sum_i [z_ki >= 0] 2^(tau - 1 - i)            in [0, 2^tau)

and the layer returns the sum of the ``K`` rows it looks up, each weighted by a differentiable
score of its chunk::

    y = sum_k w(z_k) T_k[h(z_k)] + b,        T_k in R^(2^tau x d_out)

``w`` makes the hash trainable. With the bucket logits ``<z_k, s>`` over the sign vectors
``s in {-1, 1}^tau``, the chosen bucket's softmax probability factorises (``weighting="paper"``)::

    p(h(z_k) | z_k) = exp(|z_k|_1) / prod_i (e^z_ki + e^-z_ki) = prod_i sigmoid(2 |z_ki|)

and the reference code multiplies it by the chunk's L1 norm (``weighting="reference"``, the
default): ``w(z_k) = |z_k|_1 prod_i sigmoid(2 |z_ki|)``, so the output scales with the input as a
linear map's does. Gradients reach the tables (only the looked-up rows) and, through ``w``, the
input.

Cost per token: the hash and weights take ``O(d)`` comparisons and exponentials, the weighted sum
``K d_out`` multiply-adds -- counted ``2 K d_out + 4 d`` FLOPs against ``2 d d_out`` for
``nn.Linear(d, d_out)``: about ``tau`` times fewer (8 at the reference's ``tau = 8``). Memory:
``K 2^tau d_out`` parameters, ``2^tau / tau`` (32 at ``tau = 8``) times the linear map's.

:class:`MemoryFormerBlock` is the reference's transformer block: ``Q``, ``K``, ``V`` are three
memory layers sharing one hash of the normalised input, the attention output projection is
removed, and the feed-forward network is ``Mem(d -> K (tau + 2)) -> LayerNorm ->
Mem(K (tau + 2) -> d)`` with ``tau + 2``-bit codes in the second layer and no activation (the
reference's ``double_mlp_table`` with ``extra_bit = 2``). Chosen here, where the reference is
tied to its Megatron stack: LayerNorm rather than RMSNorm, learned positions rather than rotary.
"""

from __future__ import annotations

from typing import Literal

from embedlab.exceptions import InvalidInputError
from embedlab.layers._torch import check_heads, check_positive_ints, torch
from embedlab.layers._torch import generator as torch_generator

__all__ = ["MemoryFormerBlock", "MemoryLayer", "chunk_codes", "chunk_weights"]

nn = torch.nn
F = torch.nn.functional

Weighting = Literal["reference", "paper"]


def chunk_codes(z: torch.Tensor) -> torch.Tensor:
    """Return the bucket of each chunk: ``z [..., K, tau]`` -> ``[..., K]`` (int64, MSB first).

    Examples
    --------
    >>> import torch
    >>> chunk_codes(torch.tensor([[[1.0, -1.0, 0.0]]])).tolist()  # bits 1 0 1
    [[5]]
    """
    tau = z.shape[-1]
    powers = 2 ** torch.arange(tau - 1, -1, -1, device=z.device)
    return ((z >= 0).long() * powers).sum(-1)


def chunk_weights(z: torch.Tensor, weighting: Weighting = "reference") -> torch.Tensor:
    """Return each chunk's score ``w(z_k)`` (module docstring): ``[..., K, tau] -> [..., K]``.

    Examples
    --------
    >>> import torch
    >>> z = torch.tensor([[0.5, -1.0]])
    >>> p = float(chunk_weights(z, "paper")[0])  # the softmax over the 4 sign vectors
    >>> logits = torch.tensor([[a * 0.5 + b * -1.0 for a in (-1, 1) for b in (-1, 1)]])
    >>> round(p, 6) == round(float(torch.softmax(logits, 1)[0, 2]), 6)  # s = (+1, -1)
    True
    """
    a = z.abs()
    p = torch.sigmoid(2 * a).prod(-1)
    return p if weighting == "paper" else a.sum(-1) * p


class MemoryLayer(nn.Module):
    """A drop-in for ``nn.Linear(in_features, out_features)`` made of hashed lookup tables.

    Parameters
    ----------
    in_features, out_features : int
        ``in_features`` must be a multiple of ``code_length``.
    code_length : int, default=8
        ``tau``, the bits of each chunk's code; each of the ``in_features / tau`` tables has
        ``2^tau`` rows. 16 at most (65,536 rows a table).
    weighting : {"reference", "paper"}, default="reference"
        The chunk score: the reference code's (L1 norm times the bucket probability) or the
        paper's bucket probability alone.
    generator : torch.Generator, optional
        Draws the tables (normal, std 0.02, as the reference) and the bias (std 0.001); a
        generator seeded with 0 when omitted (never the global one).

    Examples
    --------
    >>> import torch
    >>> layer = MemoryLayer(16, 5, code_length=4)
    >>> tuple(layer(torch.randn(2, 3, 16)).shape), layer.tables.shape
    ((2, 3, 5), torch.Size([4, 16, 5]))
    """

    name = "memory-layer"

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        code_length: int = 8,
        weighting: Weighting = "reference",
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        check_positive_ints(
            in_features=in_features, out_features=out_features, code_length=code_length
        )
        if code_length > 16:
            raise InvalidInputError(
                f"'code_length' must be at most 16 (2^16 rows a table); got {code_length}."
            )
        if in_features % code_length:
            raise InvalidInputError(
                f"'in_features' ({in_features}) must be a multiple of 'code_length' "
                f"({code_length})."
            )
        if weighting not in ("reference", "paper"):
            raise InvalidInputError(
                f"'weighting' must be 'reference' or 'paper'; got {weighting!r}."
            )
        self.in_features, self.out_features = in_features, out_features
        self.code_length, self.weighting = code_length, weighting
        self.n_tables = in_features // code_length
        rows = 2**code_length
        if generator is None:  # seeded, never the global generator
            generator = torch_generator(0)
        self.tables = nn.Parameter(
            torch.randn(self.n_tables, rows, out_features, generator=generator) * 0.02
        )
        self.bias = nn.Parameter(torch.randn(out_features, generator=generator) * 0.001)
        self.register_buffer("offsets", torch.arange(self.n_tables) * rows, persistent=False)

    @property
    def flops_per_token(self) -> int:
        """``2 K d_out`` for the weighted sum plus ``4 d`` for the hash and the weights."""
        return 2 * self.n_tables * self.out_features + 4 * self.in_features

    def hash(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(codes, weights)`` of ``x [..., in_features]``, each ``[..., K]``."""
        if x.shape[-1] != self.in_features:
            raise InvalidInputError(
                f"expected inputs of {self.in_features} features; got {x.shape[-1]}."
            )
        z = x.reshape(*x.shape[:-1], self.n_tables, self.code_length)
        return chunk_codes(z), chunk_weights(z, self.weighting)

    def lookup(self, codes: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Return ``sum_k w_k T_k[code_k] + b`` for hashes from :meth:`hash` (or a sibling's)."""
        flat = self.tables.reshape(-1, self.out_features)
        offsets: torch.Tensor = self.offsets  # type: ignore[assignment]
        idx = (codes + offsets).reshape(-1, self.n_tables)
        w = weights.reshape(-1, self.n_tables)
        out = F.embedding_bag(idx, flat, per_sample_weights=w, mode="sum")
        return out.reshape(*codes.shape[:-1], self.out_features) + self.bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the layer's output ``[..., out_features]``."""
        return self.lookup(*self.hash(x))

    def extra_repr(self) -> str:
        """Name the sizes in the module's repr."""
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"code_length={self.code_length}, weighting={self.weighting!r}"
        )


class MemoryFormerBlock(nn.Module):
    """The reference's transformer block built of :class:`MemoryLayer` (module docstring).

    ``d_model`` must be a multiple of ``code_length``; the feed-forward hidden width is
    ``K (code_length + 2)``.
    """

    name = "memoryformer-block"

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        *,
        code_length: int = 8,
        weighting: Weighting = "reference",
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        check_heads(d_model, n_heads)
        if (
            isinstance(code_length, bool)
            or not isinstance(code_length, int)
            or not (1 <= code_length <= 14)
        ):
            raise InvalidInputError(
                f"'code_length' must be an int in [1, 14] (the FFN's second layer uses "
                f"code_length + 2 bits); got {code_length!r}."
            )
        if d_model % code_length:
            raise InvalidInputError(
                f"'d_model' ({d_model}) must be a multiple of 'code_length' ({code_length})."
            )
        if generator is None:
            generator = torch_generator(0)

        def memory(d_in: int, d_out: int, bits: int) -> MemoryLayer:
            return MemoryLayer(
                d_in, d_out, code_length=bits, weighting=weighting, generator=generator
            )

        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.q, self.k, self.v = (memory(d_model, d_model, code_length) for _ in range(3))
        self.n_heads = n_heads
        hidden = (d_model // code_length) * (code_length + 2)
        self.up = memory(d_model, hidden, code_length)
        self.mid = nn.LayerNorm(hidden)
        self.down = memory(hidden, d_model, code_length + 2)

    @property
    def flops_per_token(self) -> int:
        """The memory layers' FLOPs, the shared hash counted once (``K`` and ``V`` only look up)."""
        shared = 2 * 4 * self.q.in_features  # the hash K and V reuse
        layers = (self.q, self.k, self.v, self.up, self.down)
        return sum(m.flops_per_token for m in layers) - shared

    def forward(self, x: torch.Tensor, modality: torch.Tensor | None = None) -> torch.Tensor:
        """Return the block's output ``[B, T, d]`` (``modality`` is ignored)."""
        codes, weights = self.q.hash(self.norm1(x))  # one hash for Q, K and V
        q, k, v = (m.lookup(codes, weights) for m in (self.q, self.k, self.v))
        from embedlab.layers.transformer import causal_attention

        x = x + causal_attention(
            q, k, v, self.n_heads
        )  # no output projection (the reference's del_dense)
        return x + self.down(self.mid(self.up(self.norm2(x))))
