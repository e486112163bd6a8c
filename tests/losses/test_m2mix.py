"""m²-Mix's geodesic mixup and loss against closed forms and a loop transcription."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from embedlab.exceptions import InvalidInputError
from embedlab.losses import M2MixLoss, TwoTower, geodesic_mix, mlp


def _unit(x):
    return x / x.norm(dim=-1, keepdim=True)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), lam=st.floats(0.0, 1.0))
def test_geodesic_mix_walks_the_great_circle(seed, lam):
    g = torch.Generator().manual_seed(seed)
    a = _unit(torch.randn(5, 7, generator=g, dtype=torch.float64))
    b = _unit(torch.randn(5, 7, generator=g, dtype=torch.float64))
    m = geodesic_mix(a, b, lam)
    theta = torch.acos((a * b).sum(1))
    np.testing.assert_allclose(m.norm(dim=1).numpy(), 1.0, atol=1e-9)
    # the angle to a is (1 - lam) theta, to b lam theta: lam = 1 gives a (the reference's order)
    np.testing.assert_allclose(
        torch.acos((m * a).sum(1).clamp(-1, 1)), (1 - lam) * theta, atol=1e-6
    )
    np.testing.assert_allclose(torch.acos((m * b).sum(1).clamp(-1, 1)), lam * theta, atol=1e-6)


def test_geodesic_mix_ends_and_guard():
    a = _unit(torch.tensor([[1.0, 2.0, 0.5]], dtype=torch.float64))
    b = _unit(torch.tensor([[0.0, 1.0, -1.0]], dtype=torch.float64))
    torch.testing.assert_close(geodesic_mix(a, b, 1.0), a)
    torch.testing.assert_close(geodesic_mix(a, b, 0.0), b)
    assert bool(torch.isfinite(geodesic_mix(a, a, 0.3)).all())  # the reference gives NaN here


def _transcription(e, lam, tau, tau_mix, weight, decay):
    n, d2 = e.shape
    a, b = _unit(e[:, : d2 // 2]), _unit(e[:, d2 // 2 :])
    th = [torch.acos((a[j] @ b[j]).clamp(-1 + 1e-6, 1 - 1e-6)) for j in range(n)]
    m = [
        torch.sin(lam * th[j]) / torch.sin(th[j]) * a[j]
        + torch.sin((1 - lam) * th[j]) / torch.sin(th[j]) * b[j]
        for j in range(n)
    ]

    def ce(rows):
        return sum(torch.logsumexp(torch.stack(r), 0) - r[i] for i, r in enumerate(rows)) / n

    clip_a = ce([[a[i] @ b[j] / tau for j in range(n)] for i in range(n)])
    clip_b = ce([[b[i] @ a[j] / tau for j in range(n)] for i in range(n)])
    mix_a = ce(
        [[(a[i] @ b[i] if i == j else a[i] @ m[j]) / tau_mix for j in range(n)] for i in range(n)]
    )
    mix_b = ce(
        [[(b[i] @ a[i] if i == j else b[i] @ m[j]) / tau_mix for j in range(n)] for i in range(n)]
    )
    return (clip_a + clip_b) / 2 + weight * decay * (mix_a + mix_b)


@pytest.mark.parametrize(("weight", "epoch"), [(0.0, 0), (0.05, 0), (0.05, 3)])
def test_loss_equals_its_transcription_in_value_and_gradient(weight, epoch):
    e = torch.randn(7, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    e.requires_grad_(True)
    loss = M2MixLoss(tau=0.05, weight=weight, random_state=3)
    loss.start_epoch(None, None, None, epoch=epoch, history=[])
    got = loss(e, torch.arange(7))
    lam = M2MixLoss(random_state=3).next_lambda()
    want = _transcription(e, lam, 0.05, 0.07, weight, 1 / (epoch + 1))
    assert got.item() == pytest.approx(want.item(), rel=1e-9)
    (g1,) = torch.autograd.grad(got, e)
    (g2,) = torch.autograd.grad(want, e)
    np.testing.assert_allclose(g1.numpy(), g2.numpy(), rtol=1e-7, atol=1e-12)


def test_lambda_is_a_seeded_beta_draw():
    draws = [M2MixLoss(random_state=9).next_lambda() for _ in range(3)]
    assert draws[0] == draws[1] == draws[2]
    loss = M2MixLoss(beta=0.5, random_state=9)
    many = [loss.next_lambda() for _ in range(400)]
    # Beta(1/2, 1/2): mean 1/2, variance 1/8
    assert abs(np.mean(many) - 0.5) < 4 * math.sqrt(0.125 / 400)


def test_an_odd_width_is_refused():
    with pytest.raises(InvalidInputError, match="needs the two views side by side, \\[B, 2 d\\]"):
        M2MixLoss()(torch.randn(4, 5), torch.arange(4))


def test_two_tower_splits_the_columns():
    first, second = mlp(3, 4, 2, random_state=0), mlp(5, 4, 2, random_state=1)
    tower = TwoTower(first, second, split=3)
    x = torch.randn(6, 8, generator=torch.Generator().manual_seed(0))
    out = tower(x)
    torch.testing.assert_close(out, torch.cat([first(x[:, :3]), second(x[:, 3:])], dim=1))
    with pytest.raises(InvalidInputError, match="TwoTower needs inputs of more than 3 columns"):
        tower(x[:, :3])
    with pytest.raises(InvalidInputError, match="The two towers' embeddings differ in shape"):
        TwoTower(first, mlp(5, 4, 3), split=3)(x)
