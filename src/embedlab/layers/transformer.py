"""A small causal transformer language model whose linear maps can be swapped.

The shared test bed of :mod:`embedlab.layers`: MemoryFormer's memory layer
(:class:`~embedlab.layers.memoryformer.MemoryLayer`) replaces its projections through
``linear=``, and Mixture-of-Transformers' block (:class:`~embedlab.layers.mot.MoTBlock`) replaces
its blocks through ``n_modalities=``. Pre-norm blocks (GPT-2 / LLaMA order)::

    h = x + W_o Attn(W_q LN1(x), W_k LN1(x), W_v LN1(x))        (causal, n_heads heads)
    y = h + W_2 GELU(W_1 LN2(h))                                  (width ffn_mult * d)

with learned token and position embeddings and an output head tied to the token embedding
(logits = LN_f(y) E^T).

Cost per token, ``L`` blocks of width ``d`` over ``T`` positions: ``2 (4 d^2 + 2 ffn_mult d^2)``
FLOPs in the linear maps of a block (a multiply-add counted as two), ``4 T d`` in attention, and
``2 d V`` in the head; :func:`linear_flops` counts the first term for any ``linear`` (each module
reports its own ``flops_per_token``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from embedlab.exceptions import InvalidInputError
from embedlab.layers._torch import check_heads, check_positive_ints, generator, torch

__all__ = ["DenseLinear", "TinyTransformer", "causal_attention", "linear_flops"]

nn = torch.nn
F = torch.nn.functional

LinearFactory = Callable[[int, int], "nn.Module"]


class DenseLinear(nn.Linear):
    """``nn.Linear`` that states its cost: ``2 * in * out`` FLOPs per token."""

    @property
    def flops_per_token(self) -> int:
        """Multiply-adds of one token through the layer, counted as two FLOPs each."""
        return 2 * self.in_features * self.out_features


def causal_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, n_heads: int
) -> torch.Tensor:
    """Causal softmax attention of projected ``q``, ``k``, ``v`` (each ``[B, T, d]``) in heads."""
    b, t, d = q.shape

    def heads(x: torch.Tensor) -> torch.Tensor:
        return x.view(b, t, n_heads, d // n_heads).transpose(1, 2)

    out = F.scaled_dot_product_attention(heads(q), heads(k), heads(v), is_causal=True)
    return out.transpose(1, 2).reshape(b, t, d)


class Attention(nn.Module):
    """Causal multi-head self-attention with swappable projections."""

    def __init__(self, d_model: int, n_heads: int, linear: LinearFactory) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.q, self.k, self.v, self.o = (linear(d_model, d_model) for _ in range(4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.o(causal_attention(self.q(x), self.k(x), self.v(x), self.n_heads))


class FeedForward(nn.Module):
    """``W_2 GELU(W_1 x)`` with swappable maps."""

    def __init__(self, d_model: int, hidden: int, linear: LinearFactory) -> None:
        super().__init__()
        self.up, self.down = linear(d_model, hidden), linear(hidden, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(F.gelu(self.up(x)))


class Block(nn.Module):
    """One pre-norm transformer block."""

    def __init__(self, d_model: int, n_heads: int, ffn_mult: int, linear: LinearFactory) -> None:
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attn = Attention(d_model, n_heads, linear)
        self.ffn = FeedForward(d_model, ffn_mult * d_model, linear)

    def forward(self, x: torch.Tensor, modality: torch.Tensor | None = None) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.ffn(self.norm2(x))


def linear_flops(model: nn.Module) -> int:
    """FLOPs per token of every linear map in ``model`` that reports ``flops_per_token``.

    A module that reports its cost is not searched further (its own parts are in its count).

    Examples
    --------
    >>> m = TinyTransformer(vocab_size=10, d_model=8, n_layers=2, n_heads=2, max_len=4)
    >>> linear_flops(m) == 2 * 2 * (4 * 8 * 8 + 2 * 8 * 32)
    True
    """

    def walk(mod: nn.Module) -> int:
        if hasattr(type(mod), "flops_per_token"):
            return int(getattr(mod, "flops_per_token"))  # noqa: B009 - typed as a module attribute
        return sum(walk(c) for c in mod.children())

    return walk(model)


class TinyTransformer(nn.Module):
    """A causal transformer LM of ``n_layers`` pre-norm blocks (see the module docstring).

    Parameters
    ----------
    vocab_size, d_model, n_layers, n_heads, max_len : int
        Vocabulary, width, depth, heads (``d_model % n_heads == 0``), longest sequence.
    ffn_mult : int, default=4
        The feed-forward width of a ``"dense"`` block as a multiple of ``d_model`` (the other
        blocks fix their own widths, and ignore ``ffn_mult`` and ``linear``).
    linear : callable (in_features, out_features) -> nn.Module, optional
        The factory of every projection of a ``"dense"`` block (attention q, k, v, o and both
        feed-forward maps): :class:`DenseLinear` when omitted, or for instance
        ``lambda i, o: MemoryLayer(i, o)``.
    block : {"dense", "memoryformer", "mot"}, default="dense"
        The block: pre-norm GPT (above), MemoryFormer's
        (:class:`~embedlab.layers.memoryformer.MemoryFormerBlock`, ``code_length`` bits) or
        Mixture-of-Transformers' (:class:`~embedlab.layers.mot.MoTBlock`, ``n_modalities``
        modalities; the forward pass then takes each token's modality).
    n_modalities : int, default=1
        The modalities of a ``"mot"`` block (1: the dense block of that architecture).
    code_length : int, default=8
        The bits of a ``"memoryformer"`` block's chunk codes.
    random_state : int, default=0
        Seeds the initialisation (normal, std 0.02; the residual projections scaled by
        ``1 / sqrt(2 n_layers)``, as GPT-2).

    Examples
    --------
    >>> import torch
    >>> m = TinyTransformer(vocab_size=11, d_model=16, n_layers=1, n_heads=2, max_len=8)
    >>> tuple(m(torch.zeros(3, 5, dtype=torch.long)).shape)
    (3, 5, 11)
    """

    def __init__(
        self,
        *,
        vocab_size: int,
        d_model: int,
        n_layers: int,
        n_heads: int,
        max_len: int,
        ffn_mult: int = 4,
        linear: LinearFactory | None = None,
        block: str = "dense",
        n_modalities: int = 1,
        code_length: int = 8,
        random_state: int = 0,
    ) -> None:
        super().__init__()
        check_positive_ints(vocab_size=vocab_size, d_model=d_model, n_layers=n_layers)
        check_heads(d_model, n_heads)
        check_positive_ints(max_len=max_len, ffn_mult=ffn_mult, n_modalities=n_modalities)
        if block not in ("dense", "memoryformer", "mot"):
            raise InvalidInputError(
                f"'block' must be 'dense', 'memoryformer' or 'mot'; got {block!r}."
            )
        if n_modalities > 1 and block != "mot":
            raise InvalidInputError(
                f"several modalities need block='mot'; got block={block!r} with "
                f"n_modalities={n_modalities}."
            )
        factory: LinearFactory = linear if linear is not None else DenseLinear
        self.max_len, self.n_modalities, self.block = max_len, n_modalities, block
        with torch.random.fork_rng(devices=[]):  # every weight is drawn again by _init
            self._build(vocab_size, d_model, n_layers, n_heads, ffn_mult, factory, code_length)
        self._init(random_state, n_layers)

    def _build(
        self,
        vocab_size: int,
        d_model: int,
        n_layers: int,
        n_heads: int,
        ffn_mult: int,
        factory: LinearFactory,
        code_length: int,
    ) -> None:
        block, n_modalities = self.block, self.n_modalities
        self.embed = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(self.max_len, d_model)
        blocks: list[nn.Module]
        if block == "mot":
            from embedlab.layers.mot import MoTBlock

            blocks = [
                MoTBlock(d_model, n_heads, n_modalities=n_modalities) for _ in range(n_layers)
            ]
        elif block == "memoryformer":
            from embedlab.layers.memoryformer import MemoryFormerBlock

            blocks = [
                MemoryFormerBlock(d_model, n_heads, code_length=code_length)
                for _ in range(n_layers)
            ]
        else:
            blocks = [Block(d_model, n_heads, ffn_mult, factory) for _ in range(n_layers)]
        self.blocks = nn.ModuleList(blocks)
        self.norm = nn.LayerNorm(d_model)

    def _init(self, seed: int, n_layers: int) -> None:
        """Weights and tables ~ N(0, 0.02^2), residual outputs / sqrt(2 L); biases 0, norms 1."""
        g = generator(seed)
        residual = ("o.weight", "down.weight", "w2.weight", "o.tables", "down.tables")
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.endswith("bias"):
                    p.zero_()
                elif p.dim() >= 2:
                    std = 0.02 / math.sqrt(2 * n_layers) if name.endswith(residual) else 0.02
                    p.copy_(torch.randn(p.shape, generator=g) * std)

    def forward(self, tokens: torch.Tensor, modality: torch.Tensor | None = None) -> torch.Tensor:
        """Logits ``[B, T, vocab]`` of the next token at every position of ``tokens [B, T]``."""
        if tokens.dim() != 2:
            raise InvalidInputError(f"'tokens' must be [batch, length]; got {tuple(tokens.shape)}.")
        if tokens.shape[1] > self.max_len:
            raise InvalidInputError(
                f"sequences of {tokens.shape[1]} tokens exceed 'max_len' ({self.max_len})."
            )
        if self.n_modalities == 1:
            modality = None  # one modality: every token is of it
        else:
            if modality is None or modality.shape != tokens.shape:
                raise InvalidInputError(
                    "a model of several modalities needs 'modality', one tag per token."
                )
            if int(modality.min()) < 0 or int(modality.max()) >= self.n_modalities:
                raise InvalidInputError(
                    f"modality tags must lie in [0, {self.n_modalities}); got "
                    f"[{int(modality.min())}, {int(modality.max())}]."
                )
        pos = torch.arange(tokens.shape[1], device=tokens.device)
        x = self.embed(tokens) + self.pos(pos)
        for block in self.blocks:
            x = block(x, modality)
        return self.norm(x) @ self.embed.weight.T

    def loss(self, tokens: torch.Tensor, modality: torch.Tensor | None = None) -> torch.Tensor:
        """Mean next-token cross-entropy over ``tokens[:, 1:]``."""
        logits = self(tokens[:, :-1], None if modality is None else modality[:, :-1])
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1))
