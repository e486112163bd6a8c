"""MemoryFormer's memory layer against loop transcriptions of the paper's and reference's maths."""

from __future__ import annotations

import itertools
import math

import pytest

torch = pytest.importorskip("torch")

from embedlab.exceptions import InvalidInputError  # noqa: E402
from embedlab.layers import (  # noqa: E402
    MemoryFormerBlock,
    MemoryLayer,
    TinyTransformer,
    chunk_codes,
    chunk_weights,
    linear_flops,
)


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_codes_are_the_sign_bits_msb_first():
    z = torch.randn(7, 3, 5, generator=_gen())
    got = chunk_codes(z)
    for i, k in itertools.product(range(7), range(3)):
        bits = [1 if float(v) >= 0 else 0 for v in z[i, k]]
        assert int(got[i, k]) == int("".join(map(str, bits)), 2)


@pytest.mark.parametrize("tau", [1, 3, 4])
def test_paper_weight_is_the_softmax_probability_of_the_chosen_bucket(tau):
    """p(h(z) | z) over all 2^tau sign vectors s, logits <z, s>: brute force."""
    z = torch.randn(20, tau, generator=_gen(tau), dtype=torch.float64)
    signs = torch.tensor(list(itertools.product((-1.0, 1.0), repeat=tau)), dtype=torch.float64)
    probs = torch.softmax(z @ signs.T, dim=1)
    chosen = torch.where(z >= 0, 1.0, -1.0).to(torch.float64)
    row = [next(j for j in range(len(signs)) if torch.equal(signs[j], c)) for c in chosen]
    want = probs[torch.arange(20), row]
    assert torch.allclose(chunk_weights(z, "paper"), want, atol=1e-12)


def test_reference_weight_is_the_l1_norm_times_the_probability():
    z = torch.randn(6, 4, 8, generator=_gen(), dtype=torch.float64)
    want = z.abs().sum(-1) / torch.prod(1 + torch.exp(-2 * z.abs()), dim=-1)  # the reference's form
    assert torch.allclose(chunk_weights(z), want, atol=1e-12)


@pytest.mark.parametrize("weighting", ["reference", "paper"])
def test_forward_is_the_weighted_sum_of_looked_up_rows(weighting):
    layer = MemoryLayer(12, 5, code_length=3, weighting=weighting, generator=_gen()).double()
    x = torch.randn(4, 12, generator=_gen(1), dtype=torch.float64)
    y = layer(x)
    for i in range(4):
        want = layer.bias.clone()
        for k in range(4):
            z = x[i, 3 * k : 3 * k + 3]
            code = sum((1 if float(v) >= 0 else 0) << (2 - j) for j, v in enumerate(z))
            p = math.prod(1 / (1 + math.exp(-2 * abs(float(v)))) for v in z)
            w = p * (float(z.abs().sum()) if weighting == "reference" else 1.0)
            want = want + w * layer.tables[k, code]
        assert torch.allclose(y[i], want, atol=1e-12)


def test_gradients_reach_only_the_looked_up_rows_and_the_input():
    layer = MemoryLayer(8, 3, code_length=4, generator=_gen()).double()
    x = torch.randn(1, 8, generator=_gen(2), dtype=torch.float64, requires_grad=True)
    layer(x).sum().backward()
    codes = chunk_codes(x.detach().view(1, 2, 4))[0]
    touched = torch.zeros(2, 16, dtype=torch.bool)
    touched[0, codes[0]] = touched[1, codes[1]] = True
    rows_with_grad = layer.tables.grad.abs().sum(-1) > 0
    assert torch.equal(rows_with_grad, touched)
    assert torch.autograd.gradcheck(lambda t: layer(t), (x,))  # the weights' gradient, exactly


def test_the_same_input_hashes_the_same_and_seeds_fix_the_tables():
    x = torch.randn(3, 16, generator=_gen())
    a, b = MemoryLayer(16, 4, generator=_gen(5)), MemoryLayer(16, 4, generator=_gen(5))
    assert torch.equal(a.hash(x)[0], a.hash(x.clone())[0])
    assert torch.equal(a.tables, b.tables) and torch.equal(a(x), b(x))


def test_flops_are_about_tau_times_below_a_linear_map():
    layer = MemoryLayer(512, 512)  # tau 8, K 64
    assert layer.flops_per_token == 2 * 64 * 512 + 4 * 512
    assert 2 * 512 * 512 / layer.flops_per_token == pytest.approx(8, rel=0.1)


def test_block_shares_one_hash_for_q_k_v_and_counts_its_flops():
    block = MemoryFormerBlock(16, 2, code_length=4)
    assert block.up.out_features == 4 * 6 and block.down.code_length == 6
    x = torch.randn(2, 3, 16, generator=_gen())
    codes, w = block.q.hash(block.norm1(x))
    assert torch.equal(block.k.lookup(codes, w), block.k(block.norm1(x)))
    per = {m: getattr(block, m).flops_per_token for m in ("q", "k", "v", "up", "down")}
    assert block.flops_per_token == sum(per.values()) - 2 * 4 * 16


def test_as_a_drop_in_for_linear_in_the_transformer():
    m = TinyTransformer(
        vocab_size=9,
        d_model=16,
        n_layers=1,
        n_heads=2,
        max_len=6,
        linear=lambda i, o: MemoryLayer(i, o, code_length=4),
    )
    assert sum(isinstance(x, MemoryLayer) for x in m.modules()) == 6
    assert linear_flops(m) == 4 * (2 * 4 * 16 + 64) + (2 * 4 * 64 + 64) + (2 * 16 * 16 + 256)
    assert m(torch.zeros(1, 4, dtype=torch.long)).shape == (1, 4, 9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"in_features": 10, "out_features": 2, "code_length": 4},
            "'in_features' (10) must be a multiple of 'code_length' (4).",
        ),
        ({"in_features": 16, "out_features": 0}, "'out_features' must be an int >= 1; got 0."),
        (
            {"in_features": 34, "out_features": 2, "code_length": 17},
            "'code_length' must be at most 16 (2^16 rows a table); got 17.",
        ),
        (
            {"in_features": 8, "out_features": 2, "weighting": "soft"},
            "'weighting' must be 'reference' or 'paper'; got 'soft'.",
        ),
    ],
)
def test_errors(kwargs, message):
    with pytest.raises(InvalidInputError) as err:
        MemoryLayer(**kwargs)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"d_model": 16, "n_heads": 3}, "'d_model' (16) must be a multiple of 'n_heads' (3)."),
        ({"d_model": 30, "n_heads": 2}, "'d_model' (30) must be a multiple of 'code_length' (8)."),
        (
            {"d_model": 32, "n_heads": 2, "code_length": 16},
            "'code_length' must be an int in [1, 14] (the FFN's second layer uses code_length + 2 "
            "bits); got 16.",
        ),
    ],
)
def test_block_errors(kwargs, message):
    with pytest.raises(InvalidInputError) as err:
        MemoryFormerBlock(**kwargs)
    assert str(err.value) == message


def test_wrong_input_width_is_named():
    with pytest.raises(InvalidInputError, match=r"^expected inputs of 16 features; got 8\.$"):
        MemoryLayer(16, 2)(torch.zeros(1, 8))
