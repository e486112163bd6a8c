"""The encoder trainer: seeded, checked inputs, the reference never trained."""

import numpy as np
import pytest
import torch

from embedlab.exceptions import InvalidInputError
from embedlab.losses import HarmonicTripletLoss, TripletLoss, embed, mlp, train_encoder


class _NaNLoss(TripletLoss):
    def forward(self, embeddings, labels, reference=None):
        return embeddings.sum() * float("nan")


def test_for_task_passes_the_seed_on():
    loss = TripletLoss.for_task(n_classes=3, embedding_dim=4, random_state=7, mining="random")
    assert loss.random_state == 7 and loss.mining == "random"


def _data():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 10)
    x = rng.normal(size=(30, 6)).astype(np.float32) + y[:, None]
    return x, y


def test_mlp_is_seeded_and_shaped():
    a, b = mlp(6, 8, 4, random_state=1), mlp(6, 8, 4, random_state=1)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    assert not torch.equal(next(a.parameters()), next(mlp(6, 8, 4, random_state=2).parameters()))
    assert [m.out_features for m in mlp(6, 8, 4, layers=3) if hasattr(m, "out_features")] == [
        8,
        8,
        4,
    ]
    assert embed(a, np.zeros((3, 6))).shape == (3, 4)


def test_training_is_deterministic():
    x, y = _data()
    runs = []
    for _ in range(2):
        enc = mlp(6, 8, 4, random_state=0)
        hist = train_encoder(
            enc, TripletLoss(mining="random", random_state=1), x, y, epochs=3, batch_size=8
        )
        runs.append((hist, embed(enc, x).tobytes()))
    assert runs[0] == runs[1]


def test_the_reference_encoder_is_frozen_in_eval_mode_and_given_its_mode_back():
    x, y = _data()
    seen_modes = []
    ref = torch.nn.Sequential(torch.nn.BatchNorm1d(6, affine=False), mlp(6, 8, 4, random_state=5))
    ref[0].register_forward_hook(lambda m, i, o: seen_modes.append(m.training))
    ref.train()
    stats = ref[0].running_mean.clone()
    before = [p.detach().clone() for p in ref.parameters()]
    enc = mlp(6, 8, 4, random_state=0)
    train_encoder(enc, HarmonicTripletLoss(), x, y, epochs=2, batch_size=10, reference=ref)
    assert seen_modes and not any(seen_modes)  # every reference call ran in eval mode
    assert torch.equal(ref[0].running_mean, stats)  # no batch statistics updated
    assert ref.training and not enc.training
    for p, q in zip(ref.parameters(), before, strict=True):
        assert torch.equal(p, q) and p.grad is None


def test_mlp_leaves_the_global_rng_alone():
    torch.manual_seed(0)
    want = torch.rand(3)
    torch.manual_seed(0)
    mlp(6, 8, 4, layers=3, random_state=1)
    assert torch.equal(torch.rand(3), want)


def test_errors_are_pinned():
    x, y = _data()
    enc = mlp(6, 8, 4)
    with pytest.raises(
        InvalidInputError,
        match=r"^HarmonicTripletLoss needs 'reference': the frozen encoder to stay comparable with\.$",
    ):
        train_encoder(enc, HarmonicTripletLoss(), x, y, epochs=1)
    with pytest.raises(InvalidInputError, match=r"^TripletLoss takes no 'reference' encoder\.$"):
        train_encoder(enc, TripletLoss(), x, y, epochs=1, reference=enc)
    with pytest.raises(
        InvalidInputError,
        match=r"^'y' must hold one int label per row of X \(30\); got float64 \(30,\)\.$",
    ):
        train_encoder(enc, TripletLoss(), x, y.astype(float), epochs=1)
    with pytest.raises(
        InvalidInputError, match=r"^'loss' must be an embedlab MetricLoss; got MSELoss\.$"
    ):
        train_encoder(enc, torch.nn.MSELoss(), x, y, epochs=1)
    with pytest.raises(InvalidInputError, match=r"^'X' holds NaN or infinite values\.$"):
        train_encoder(enc, TripletLoss(), np.full((30, 6), np.nan), y, epochs=1)
    with pytest.raises(InvalidInputError, match=r"^'epochs' must be an int >= 1; got 0\.$"):
        train_encoder(enc, TripletLoss(), x, y, epochs=0)


def test_more_errors_are_pinned():
    x, y = _data()
    enc = mlp(6, 8, 4)
    with pytest.raises(
        InvalidInputError, match=r"^'X' must be a non-empty 2-D array; got shape \(30,\)\.$"
    ):
        train_encoder(enc, TripletLoss(), x[:, 0], y, epochs=1)
    with pytest.raises(
        InvalidInputError, match=r"^'weight_decay' must be a number >= 0; got -1\.$"
    ):
        train_encoder(enc, TripletLoss(), x, y, epochs=1, weight_decay=-1)
    with pytest.raises(InvalidInputError, match=r"^'lr' must be a number > 0; got 0\.$"):
        train_encoder(enc, TripletLoss(), x, y, epochs=1, lr=0)
    with pytest.raises(InvalidInputError, match=r"^'batch_size' must be an int >= 1; got 0\.$"):
        train_encoder(enc, TripletLoss(), x, y, epochs=1, batch_size=0)
    with pytest.raises(
        InvalidInputError,
        match=r"^The training loss became nan: lower the learning rate \(now 0\.001\)\.$",
    ):
        train_encoder(enc, _NaNLoss(), x, y, epochs=1)
    with pytest.raises(InvalidInputError, match=r"^'layers' must be an int >= 1; got 0\.$"):
        mlp(6, 8, 4, layers=0)


def test_the_trainer_calls_the_epoch_and_batch_hooks():
    from embedlab.losses import TripletLoss

    class Recording(TripletLoss):
        def __init__(self):
            super().__init__()
            self.epochs, self.batches = [], 0

        def start_epoch(self, encoder, inputs, labels, *, epoch, history):
            self.epochs.append((epoch, len(history), tuple(inputs.shape), len(labels)))

        def batch_loss(self, encoder, inputs, labels, *, reference=None):
            self.batches += 1
            return super().batch_loss(encoder, inputs, labels, reference=reference)

    x = np.random.default_rng(0).normal(size=(30, 4)).astype(np.float32)
    y = np.arange(30) % 3
    loss = Recording()
    history = train_encoder(mlp(4, 8, 2), loss, x, y, epochs=3, batch_size=10)
    assert loss.epochs == [(0, 0, (30, 4), 30), (1, 1, (30, 4), 30), (2, 2, (30, 4), 30)]
    assert loss.batches == 9 and len(history) == 3


def test_augment_is_seeded_masks_and_adds_noise():
    from embedlab.losses import augment
    from embedlab.losses._torch import generator

    x = torch.ones(200, 50)
    a = augment(x, mask=0.2, noise=0.0, generator=generator(1))
    assert torch.equal(a, augment(x, mask=0.2, noise=0.0, generator=generator(1)))
    assert set(a.unique().tolist()) == {0.0, 1.0}
    assert abs((a == 0).float().mean().item() - 0.2) < 0.02
    b = augment(x, mask=0.0, noise=0.5, generator=generator(2))
    assert abs((b - 1).std().item() - 0.5) < 0.02


def test_attention_mlp_gates_its_hidden_features_and_is_seeded():
    from embedlab.losses import FeatureAttention, attention_mlp

    enc = attention_mlp(6, 8, 3, attention=4, random_state=2)
    twin = attention_mlp(6, 8, 3, attention=4, random_state=2)
    x = torch.randn(5, 6, generator=torch.Generator().manual_seed(0))
    assert torch.equal(enc(x), twin(x))
    att = enc[2]
    assert isinstance(att, FeatureAttention)
    h = torch.relu(enc[0](x))
    torch.testing.assert_close(enc(x), enc[3](h * att.score(h)))
    assert bool(((att.score(h) > 0) & (att.score(h) < 1)).all())
