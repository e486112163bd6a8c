"""Mixture-of-Transformers: every non-embedding parameter untied per modality.

Liang et al., "Mixture-of-Transformers: A Sparse and Scalable Architecture for Multi-Modal
Foundation Models", 2024 (reference code facebookresearch/Mixture-of-Transformers,
``src/simple_ModalityUntiedAttention.py`` and ``simple_ModalityUntiedFeedForward.py``).

Each token ``t`` carries a modality tag ``m(t)`` and goes through that modality's own
projections, feed-forward network and norms; self-attention is global over the interleaved
sequence (causal), so modalities still read each other::

    q_t, k_t, v_t = W_Q^m x_t, W_K^m x_t, W_V^m x_t                         (m = m(t))
    a = Attn(q, k, v)                                                       (all tokens)
    h_t = x_t + RMSNorm_attn^m(W_O^m a_t)
    y_t = h_t + RMSNorm_ffn^m(W_2^m (SiLU(W_1^m h_t) * W_3^m h_t))          (SwiGLU)

The norms sit on each sub-layer's output before the residual sum, as in the reference (the
Chameleon order; no pre-norm); projections have no bias; the SwiGLU hidden width is
``2 * 4 d / 3`` rounded up to ``multiple_of`` (the reference rounds to 256; 8 by default here, for
small widths). Token embeddings, the output head and the residual stream are shared. Routing is
deterministic: tokens are gathered by tag, projected, and scattered back in sequence order.

Cost: each token passes through one copy of the parameters, so FLOPs per token equal the dense
block's (``2 (4 d^2 + 3 d h)``, ``h`` the SwiGLU width) while parameters are ``M`` times as many;
the paper's claim is therefore in steps (= FLOPs): the dense model's final loss reached in about
55.8 % of them (text, Chameleon 7B). With ``M = 1`` the block is the dense transformer block of the
same architecture.
"""

from __future__ import annotations

from embedlab.exceptions import InvalidInputError
from embedlab.layers._torch import check_heads, check_positive_ints, torch

__all__ = ["MoTBlock", "swiglu_width"]

nn = torch.nn
F = torch.nn.functional


def swiglu_width(d_model: int, multiple_of: int = 8) -> int:
    """Return the reference's SwiGLU width: ``int(2 * 4 d / 3)`` rounded up to ``multiple_of``.

    Examples
    --------
    >>> swiglu_width(4096, 256)  # LLaMA-7B's 11008
    11008
    """
    h = int(2 * 4 * d_model / 3)
    return multiple_of * ((h + multiple_of - 1) // multiple_of)


class _Expert(nn.Module):
    """One modality's parameters."""

    def __init__(self, d_model: int, hidden: int) -> None:
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(d_model, d_model, bias=False) for _ in range(4))
        self.w1 = nn.Linear(d_model, hidden, bias=False)
        self.w3 = nn.Linear(d_model, hidden, bias=False)
        self.w2 = nn.Linear(hidden, d_model, bias=False)
        self.attention_norm = nn.RMSNorm(d_model, eps=1e-5)
        self.ffn_norm = nn.RMSNorm(d_model, eps=1e-5)

    def ffn(self, x: torch.Tensor) -> torch.Tensor:
        return self.ffn_norm(self.w2(F.silu(self.w1(x)) * self.w3(x)))


class MoTBlock(nn.Module):
    """A Mixture-of-Transformers block over ``n_modalities`` modalities (module docstring).

    Parameters
    ----------
    d_model, n_heads : int
        Width and heads (``d_model % n_heads == 0``).
    n_modalities : int, default=2
        ``M``; 1 gives the dense block of the same architecture.
    multiple_of : int, default=8
        The SwiGLU width's rounding.
    random_state : int, default=0
        Seeds torch's default initialisation of the experts (the global generator is left as it
        was).

    Examples
    --------
    >>> import torch
    >>> block = MoTBlock(16, 2, n_modalities=2)
    >>> x, tags = torch.randn(3, 5, 16), torch.randint(0, 2, (3, 5))
    >>> tuple(block(x, tags).shape)
    (3, 5, 16)
    """

    name = "mot-block"

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        *,
        n_modalities: int = 2,
        multiple_of: int = 8,
        random_state: int = 0,
    ) -> None:
        super().__init__()
        check_positive_ints(n_modalities=n_modalities, multiple_of=multiple_of)
        check_heads(d_model, n_heads)
        self.d_model, self.n_heads, self.n_modalities = d_model, n_heads, n_modalities
        self.hidden = swiglu_width(d_model, multiple_of)
        with torch.random.fork_rng(devices=[]):  # torch's default init, off the global stream
            torch.manual_seed(random_state)
            self.experts = nn.ModuleList(_Expert(d_model, self.hidden) for _ in range(n_modalities))

    @property
    def flops_per_token(self) -> int:
        """FLOPs of one token's linear maps: one expert's, whatever ``M``."""
        return 2 * (4 * self.d_model**2 + 3 * self.d_model * self.hidden)

    def _routed(self, x: torch.Tensor, masks: list[torch.Tensor], fn: str) -> torch.Tensor:
        """Apply each expert's ``fn`` to its own tokens of ``x [N, d]``; scatter in order."""
        out = x.new_empty(x.shape)
        for expert, mask in zip(self.experts, masks, strict=True):
            out[mask] = getattr(expert, fn)(x[mask])
        return out

    def forward(self, x: torch.Tensor, modality: torch.Tensor | None = None) -> torch.Tensor:
        """Return the block's output ``[B, T, d]`` for ``x [B, T, d]`` and tags ``[B, T]``."""
        from embedlab.layers.transformer import causal_attention

        b, t, d = x.shape
        if self.n_modalities == 1:
            modality = torch.zeros(b, t, dtype=torch.long, device=x.device)
        elif modality is None or tuple(modality.shape) != (b, t):
            raise InvalidInputError(
                "a block of several modalities needs 'modality', one tag per token."
            )
        elif int(modality.min()) < 0 or int(modality.max()) >= self.n_modalities:
            raise InvalidInputError(
                f"modality tags must lie in [0, {self.n_modalities}); got "
                f"[{int(modality.min())}, {int(modality.max())}]."
            )
        tags = modality.reshape(-1)
        masks = [tags == i for i in range(self.n_modalities)]
        flat = x.reshape(-1, d)
        q, k, v = (self._routed(flat, masks, name).view(b, t, d) for name in ("q", "k", "v"))
        a = causal_attention(q, k, v, self.n_heads).reshape(-1, d)
        out = a.new_empty(a.shape)
        for expert, mask in zip(self.experts, masks, strict=True):
            out[mask] = expert.attention_norm(expert.o(a[mask]))  # type: ignore[operator]
        h = flat + out
        return (h + self._routed(h, masks, "ffn")).view(b, t, d)
