"""Mixture-of-Transformers' block against a direct transcription of its equations."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from embedlab.exceptions import InvalidInputError  # noqa: E402
from embedlab.layers import MoTBlock, TinyTransformer, swiglu_width  # noqa: E402

F = torch.nn.functional


def _rms(x, w, eps=1e-5):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * w


def _transcription(block, x, tags):
    """Token by token: each token's own expert; attention over the whole causal prefix."""
    b, t, d = x.shape
    h_heads, dh = block.n_heads, d // block.n_heads
    e = [block.experts[int(m)] for m in tags.reshape(-1)]
    flat = x.reshape(-1, d)
    q = torch.stack([e[i].q.weight @ flat[i] for i in range(b * t)]).view(b, t, h_heads, dh)
    k = torch.stack([e[i].k.weight @ flat[i] for i in range(b * t)]).view(b, t, h_heads, dh)
    v = torch.stack([e[i].v.weight @ flat[i] for i in range(b * t)]).view(b, t, h_heads, dh)
    att = torch.zeros(b, t, h_heads, dh, dtype=x.dtype)
    for bi in range(b):
        for ti in range(t):
            for hi in range(h_heads):
                s = torch.stack([q[bi, ti, hi] @ k[bi, j, hi] for j in range(ti + 1)]) / dh**0.5
                att[bi, ti, hi] = torch.softmax(s, 0) @ v[bi, : ti + 1, hi]
    att = att.reshape(-1, d)
    out = []
    for i in range(b * t):
        ex = e[i]
        h = flat[i] + _rms(ex.o.weight @ att[i], ex.attention_norm.weight)
        f = ex.w2.weight @ (F.silu(ex.w1.weight @ h) * (ex.w3.weight @ h))
        out.append(h + _rms(f, ex.ffn_norm.weight))
    return torch.stack(out).view(b, t, d)


def _randomised(block, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in block.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * 0.3 + (p.dim() == 1))
    return block


def test_two_modalities_match_the_transcription():
    block = _randomised(MoTBlock(8, 2, n_modalities=2).double())
    x = torch.randn(2, 5, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    tags = torch.tensor([[0, 1, 1, 0, 1], [1, 0, 0, 0, 1]])
    assert torch.allclose(block(x, tags), _transcription(block, x, tags), atol=1e-10)


def test_one_modality_is_the_dense_block_with_the_same_weights():
    mot = _randomised(MoTBlock(8, 2, n_modalities=3).double())
    dense = MoTBlock(8, 2, n_modalities=1).double()
    dense.experts[0].load_state_dict(mot.experts[0].state_dict())
    x = torch.randn(3, 4, 8, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    zeros = torch.zeros(3, 4, dtype=torch.long)
    assert torch.allclose(mot(x, zeros), dense(x), atol=1e-12)
    assert torch.allclose(dense(x), _transcription(dense, x, zeros), atol=1e-10)


def test_a_token_uses_only_its_own_modality_parameters():
    block = _randomised(MoTBlock(8, 2, n_modalities=2))
    x = torch.randn(1, 4, 8, generator=torch.Generator().manual_seed(3))
    tags = torch.tensor([[0, 0, 0, 0]])
    before = block(x, tags)
    with torch.no_grad():
        for p in block.experts[1].parameters():
            p.add_(1.0)
    assert torch.equal(before, block(x, tags))
    assert not torch.equal(before, block(x, torch.tensor([[0, 1, 0, 0]])))


def test_flops_per_token_do_not_grow_with_modalities():
    assert (
        MoTBlock(64, 4, n_modalities=1).flops_per_token
        == MoTBlock(64, 4, n_modalities=4).flops_per_token
    )
    assert MoTBlock(64, 4).flops_per_token == 2 * (4 * 64 * 64 + 3 * 64 * swiglu_width(64))
    assert swiglu_width(64) == 176 and swiglu_width(4096, 256) == 11008


def test_errors_are_named():
    with pytest.raises(InvalidInputError, match=r"^'n_modalities' must be an int >= 1; got 0\.$"):
        MoTBlock(8, 2, n_modalities=0)
    with pytest.raises(
        InvalidInputError, match=r"^'d_model' \(10\) must be a multiple of 'n_heads' \(4\)\.$"
    ):
        MoTBlock(10, 4)
    with pytest.raises(InvalidInputError, match="needs 'modality', one tag per token"):
        MoTBlock(8, 2)(torch.zeros(1, 3, 8))
    with pytest.raises(
        InvalidInputError, match=r"^modality tags must lie in \[0, 2\); got \[0, 5\]\.$"
    ):
        MoTBlock(8, 2)(torch.zeros(1, 3, 8), torch.tensor([[0, 5, 1]]))
    m = TinyTransformer(
        vocab_size=5, d_model=8, n_layers=1, n_heads=2, max_len=4, block="mot", n_modalities=2
    )
    with pytest.raises(
        InvalidInputError, match=r"^modality tags must lie in \[0, 2\); got \[0, 2\]\.$"
    ):
        m(torch.zeros(1, 3, dtype=torch.long), torch.tensor([[0, 2, 1]]))
