"""Equiangular basis vectors: the generation reaches its bound; the loss is the equation."""

import math

import numpy as np
import pytest
import torch

from embedlab.exceptions import InvalidInputError
from embedlab.losses import EBVLoss, equiangular_basis, max_abs_cosine, welch_bound


def test_welch_bound_closed_form():
    assert welch_bound(1000, 64) == pytest.approx(math.sqrt(936 / (64 * 999)))
    assert welch_bound(64, 64) == 0.0
    # d + 1 vectors: the regular simplex meets the bound with |cos| = 1 / d
    assert welch_bound(4, 3) == pytest.approx(1 / 3)


@pytest.mark.parametrize(("n", "d", "alpha"), [(10, 16, 0.002), (100, 16, 0.35), (4, 3, 0.34)])
def test_generation_reaches_alpha(n, d, alpha):
    w = equiangular_basis(n, d, alpha=alpha, random_state=1)
    assert w.shape == (n, d) and w.dtype == torch.float32
    np.testing.assert_allclose(w.norm(dim=1).numpy(), 1.0, atol=1e-5)
    assert max_abs_cosine(w) <= alpha + 1e-4 + 1e-6


def test_same_seed_same_bytes_other_seed_other_basis():
    a = equiangular_basis(20, 8, alpha=0.5, random_state=3)
    assert (
        a.numpy().tobytes() == equiangular_basis(20, 8, alpha=0.5, random_state=3).numpy().tobytes()
    )
    assert not torch.equal(a, equiangular_basis(20, 8, alpha=0.5, random_state=4))


def test_generation_errors_are_pinned():
    with pytest.raises(
        InvalidInputError,
        match=r"^No 1000 unit vectors in 64 dimensions have every \|cos\| <= 0\.1: the Welch bound is 0\.1210\.$",
    ):
        equiangular_basis(1000, 64, alpha=0.1)
    with pytest.raises(
        InvalidInputError,
        match=r"^After 1 steps the largest \|cos\| is 0\.\d{4} > alpha = 0\.002: raise 'alpha' \(the Welch bound is 0\.0000\) or 'max_steps', or lower 'lr'\.$",
    ):
        equiangular_basis(50, 64, max_steps=1)
    with pytest.raises(InvalidInputError, match=r"^'alpha' must be a number > 0; got -1\.$"):
        equiangular_basis(5, 4, alpha=-1)


def test_loss_value_and_gradient_equal_the_equation():
    basis = equiangular_basis(6, 5, alpha=0.3, random_state=0)
    g = torch.Generator().manual_seed(0)
    z = torch.randn(9, 5, generator=g, requires_grad=True)
    y = torch.tensor([0, 1, 2, 3, 4, 5, 0, 1, 2])
    loss = EBVLoss(basis=basis, tau=0.1)
    got = loss(z, y)
    got.backward()

    # numpy transcription: p(y|z) = softmax(cos(z, w) / tau); and its gradient by finite
    # differences of the same formula in float64
    def value(zz):
        zn = zz / np.linalg.norm(zz, axis=1, keepdims=True)
        w = basis.numpy().astype(np.float64)
        s = zn @ w.T / 0.1
        s = s - s.max(axis=1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        return -logp[np.arange(len(y)), y.numpy()].mean()

    z64 = z.detach().numpy().astype(np.float64)
    assert float(got.detach()) == pytest.approx(value(z64), rel=1e-5)
    num = np.zeros_like(z64)
    for i in range(z64.shape[0]):
        for j in range(z64.shape[1]):
            e = np.zeros_like(z64)
            e[i, j] = 1e-6
            num[i, j] = (value(z64 + e) - value(z64 - e)) / 2e-6
    np.testing.assert_allclose(z.grad.numpy(), num, rtol=1e-3, atol=1e-5)


def test_predict_is_the_largest_cosine_and_the_basis_is_not_learned():
    basis = torch.eye(3, 4)
    loss = EBVLoss(basis=basis * 5.0)  # stored normalised
    np.testing.assert_allclose(loss.basis.numpy(), basis.numpy())
    assert list(loss.parameters()) == []
    z = torch.tensor([[0.1, 2.0, 0.0, 9.0], [-1.0, -2.0, 0.5, 0.0]])
    assert loss.predict(z).tolist() == [1, 2]


def test_for_task_generates_the_basis_from_the_seed():
    a = EBVLoss.for_task(n_classes=7, embedding_dim=6, random_state=2, alpha=0.4, tau=0.2)
    assert a.tau == 0.2 and a.n_classes == 7
    assert torch.equal(
        a.basis, EBVLoss.for_task(n_classes=7, embedding_dim=6, random_state=2, alpha=0.4).basis
    )
    assert max_abs_cosine(a.basis) <= 0.4 + 1e-4 + 1e-6


def test_loss_errors_are_pinned():
    loss = EBVLoss(basis=torch.eye(3, 4))
    z = torch.zeros(2, 4)
    with pytest.raises(
        InvalidInputError, match=r"^'labels' must be class indices in \[0, 3\); got \[0, 3\]\.$"
    ):
        loss(z, torch.tensor([0, 3]))
    with pytest.raises(
        InvalidInputError, match=r"^The embeddings have 5 dimensions; the basis has 4\.$"
    ):
        loss(torch.zeros(2, 5), torch.tensor([0, 1]))
    with pytest.raises(
        InvalidInputError,
        match=r"^'basis' must be a 2-D float tensor \[n_classes, embedding_dim\] \(embedlab\.losses\.equiangular_basis\)\.$",
    ):
        EBVLoss(basis=torch.zeros(3, dtype=torch.int64))
    with pytest.raises(InvalidInputError, match=r"^'tau' must be a number > 0; got 0\.$"):
        EBVLoss(basis=torch.eye(3), tau=0)


def test_more_errors_are_pinned():
    with pytest.raises(InvalidInputError, match=r"^'max_steps' must be an int >= 1; got 0\.$"):
        equiangular_basis(5, 4, max_steps=0)
    with pytest.raises(InvalidInputError, match=r"^'lr' must be a number > 0; got 0\.$"):
        equiangular_basis(5, 4, lr=0)
    with pytest.raises(InvalidInputError, match=r"^'dim' must be an int >= 1; got 0\.$"):
        welch_bound(5, 0)
    loss = EBVLoss(basis=torch.eye(3, 4))
    z = torch.zeros(2, 4)
    with pytest.raises(InvalidInputError, match=r"^EBVLoss takes no 'reference' embeddings\.$"):
        loss(z, torch.tensor([0, 1]), reference=z)
    with pytest.raises(InvalidInputError, match=r"^EBVLoss needs a non-empty batch\.$"):
        loss(torch.zeros(0, 4), torch.zeros(0, dtype=torch.int64))


def _sgd_by_hand(n, d, alpha, lr, steps, seed):
    """The reference's generation loop, written out: renormalise, measure, step."""
    w = torch.nn.functional.normalize(
        torch.randn(n, d, generator=torch.Generator().manual_seed(seed)), dim=1
    )
    off = ~torch.eye(n, dtype=torch.bool)
    for _ in range(steps):
        w = torch.nn.functional.normalize(w, dim=1).requires_grad_(True)
        torch.relu((w @ w.T).abs()[off] - alpha).sum().backward()
        w = (w - lr * w.grad).detach()
    return torch.nn.functional.normalize(w, dim=1)


def test_generation_is_the_reference_loop_and_its_last_step_is_checked():
    n, d, alpha, lr = 6, 4, 0.6, 0.05
    k = next(
        k
        for k in range(1, 500)
        if max_abs_cosine(_sgd_by_hand(n, d, alpha, lr, k, 3)) <= alpha + 1e-4
    )
    assert k > 1
    # success comes exactly with the k-th step: max_steps=k must return it, k - 1 must fail
    got = equiangular_basis(n, d, alpha=alpha, lr=lr, max_steps=k, random_state=3)
    np.testing.assert_allclose(got.numpy(), _sgd_by_hand(n, d, alpha, lr, k, 3).numpy(), atol=1e-6)
    with pytest.raises(InvalidInputError, match=rf"^After {k - 1} steps the largest"):
        equiangular_basis(n, d, alpha=alpha, lr=lr, max_steps=k - 1, random_state=3)
