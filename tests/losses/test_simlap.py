"""SimLAP's gated multi-positive InfoNCE against a loop transcription of the reference's loss."""

import math

import numpy as np
import pytest
import torch

from embedlab.exceptions import InvalidInputError
from embedlab.losses import SimLAPLoss, mlp, simlap_loss


def _views(seed=0, n=9, d=4):
    g = torch.Generator().manual_seed(seed)
    z1 = torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True)
    z2 = torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True)
    gate = torch.rand(n, d, generator=g, dtype=torch.float64, requires_grad=True)
    labels = torch.tensor([0, 0, 1, 1, 1, 2, 2, 3, 0][:n])
    targets = torch.tensor([1, 0, 2, 1, 0, 3, 2, 3, 2][:n])
    return z1, z2, gate, labels, targets


def _transcription(z1, z2, labels, targets, gate, scale, same_view):
    """``multipos_ce_loss`` written out: sum over positives of log(e^l_p + sum_neg e^l_n) - l_p."""
    n = len(labels)
    u1 = z1 / z1.norm(dim=1, keepdim=True)
    u2 = z2 / z2.norm(dim=1, keepdim=True)
    rows = []
    for i in range(n):
        logit = [scale * (u1[i] * gate[i] * gate[i] * u2[j]).sum() for j in range(n)]
        cols = [j for j in range(n) if not (same_view and j == i)]
        pos = [j for j in cols if labels[j] == targets[i]]
        neg = [j for j in cols if labels[j] != targets[i] and labels[j] != labels[i]]
        if not pos:
            rows.append(torch.tensor(0.0, dtype=torch.float64))
            continue
        terms = [
            torch.log(torch.exp(logit[p]) + sum(torch.exp(logit[k]) for k in neg)) - logit[p]
            for p in pos
        ]
        rows.append(sum(terms) / (len(pos) + 1e-6))
    return sum(rows) / n


@pytest.mark.parametrize("same_view", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_loss_equals_its_transcription_in_value_and_gradient(seed, same_view):
    z1, z2, gate, labels, targets = _views(seed)
    if same_view:
        z2 = z1
    got = simlap_loss(z1, z2, labels, targets, gate, 10.0, same_view=same_view)
    want = _transcription(z1, z2, labels, targets, gate, 10.0, same_view)
    assert got.item() == pytest.approx(want.item(), rel=1e-10)
    inputs = (z1, gate) if same_view else (z1, z2, gate)
    for a, b in zip(
        torch.autograd.grad(got, inputs), torch.autograd.grad(want, inputs), strict=True
    ):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-8, atol=1e-12)


def test_a_row_without_positives_adds_zero_but_counts():
    z1, z2, gate, _, _ = _views(n=3)
    labels = torch.tensor([0, 1, 2])
    targets = torch.tensor([1, 3, 3])  # rows 1, 2 have no column of class 3
    got = simlap_loss(z1, z2, labels, targets, gate, 10.0, same_view=False)
    # the mean is over rows: row 0's loss (against all columns) divided by 3
    u1, u2 = z1 / z1.norm(dim=1, keepdim=True), z2 / z2.norm(dim=1, keepdim=True)
    logit = 10.0 * (u1[0] * gate[0] ** 2) @ u2.T
    row0 = torch.log(torch.exp(logit[1]) + torch.exp(logit[2])) - logit[1]  # negative: class 2
    assert got.item() == pytest.approx(row0.item() / (1 + 1e-6) / 3, rel=1e-10)


def test_gates_are_in_zero_one_and_depend_on_the_pair_only():
    loss = SimLAPLoss(n_classes=4, embedding_dim=6, random_state=0).eval()
    y1 = torch.tensor([0, 1, 2, 3, 0, 2])
    y2 = torch.tensor([1, 0, 2, 3, 1, 3])
    g = loss.gates(y1, y2)
    assert g.shape == (6, 6)
    assert bool(((g > 0) & (g < 1)).all())
    # (E[a] + E[b]) / 2 is symmetric, so the gate of (0, 1) is that of (1, 0)
    torch.testing.assert_close(g[0], g[1])
    torch.testing.assert_close(g[0], g[4])


def test_pairings_draw_the_documented_targets():
    labels = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3])
    arbitrary = SimLAPLoss(n_classes=4, embedding_dim=3, random_state=1)
    distinct = SimLAPLoss(n_classes=4, embedding_dim=3, pairing="distinct", random_state=1)
    identical = SimLAPLoss(n_classes=4, embedding_dim=3, pairing="identical")
    t = arbitrary.targets(labels)
    assert sorted(t.tolist()) == sorted(labels.tolist()) and not torch.equal(t, labels)
    assert bool((distinct.targets(labels) != labels).all())
    assert torch.equal(identical.targets(labels), labels)


def test_forward_uses_the_batch_as_both_views_and_learned_scale():
    loss = SimLAPLoss(n_classes=4, embedding_dim=4, random_state=2)
    z1, _, _, labels, _ = _views(2)
    z = z1.detach().to(torch.float32)
    twin = SimLAPLoss(n_classes=4, embedding_dim=4, random_state=2)
    targets = twin.targets(labels)
    want = simlap_loss(
        z,
        z,
        labels,
        targets,
        twin.gates(labels, targets),
        math.exp(math.log(10.0)),
        same_view=True,
    )
    assert loss(z, labels).item() == pytest.approx(want.item(), rel=1e-6)
    assert loss.log_scale.item() == pytest.approx(math.log(10.0))


def test_the_two_views_differ_and_are_seeded(monkeypatch):
    import embedlab.losses.training as training

    views = []
    original = training.augment

    def spy(inputs, **kw):
        out = original(inputs, **kw)
        views.append(out)
        return out

    monkeypatch.setattr(training, "augment", spy)
    x = torch.rand(12, 5, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 1, 2, 3] * 3)
    for _ in range(2):
        SimLAPLoss(n_classes=4, embedding_dim=3, random_state=4).batch_loss(mlp(5, 8, 3), x, labels)
    assert len(views) == 4
    assert not torch.equal(views[0], views[1])
    assert torch.equal(views[0], views[2]) and torch.equal(views[1], views[3])


def test_batch_loss_is_seeded_and_trains_the_scale_and_gate():
    x = torch.rand(12, 5, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 1, 2, 3] * 3)
    values = []
    for _ in range(2):
        loss = SimLAPLoss(n_classes=4, embedding_dim=3, random_state=4)
        enc = mlp(5, 8, 3, random_state=0)
        v = loss.batch_loss(enc, x, labels)
        v.backward()
        values.append(v.detach().numpy().tobytes())
        assert loss.log_scale.grad is not None and loss.table.weight.grad.abs().sum() > 0
    assert values[0] == values[1]


def test_a_batch_of_one_row_uses_the_running_statistics():
    loss = SimLAPLoss(n_classes=2, embedding_dim=3)
    v = loss(torch.randn(1, 3, generator=torch.Generator().manual_seed(0)), torch.tensor([1]))
    assert torch.isfinite(v) and loss.gate.training


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pairing": "any"}, "'pairing' must be one of \\['arbitrary', 'distinct', 'identical'\\]"),
        ({"n_classes": 1, "pairing": "distinct"}, "pairing='distinct' needs n_classes >= 2."),
        ({"mask": 1.0}, "'mask' must be in \\[0, 1\\); got 1.0."),
        ({"temperature": 0}, "'temperature' must be a number > 0; got 0."),
    ],
)
def test_bad_parameters_are_one_line_errors(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        SimLAPLoss(**{"n_classes": 3, "embedding_dim": 4, **kwargs})


def test_bad_batches_are_one_line_errors():
    loss = SimLAPLoss(n_classes=3, embedding_dim=4)
    with pytest.raises(
        InvalidInputError, match="The embeddings have 5 dimensions; the gate has 4."
    ):
        loss(torch.randn(4, 5), torch.tensor([0, 1, 2, 0]))
    with pytest.raises(
        InvalidInputError, match="'labels' must be class indices in \\[0, 3\\); got"
    ):
        loss(torch.randn(4, 4), torch.tensor([0, 1, 3, 0]))
