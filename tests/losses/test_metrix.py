"""Metrix's mixed pairs and losses against loop transcriptions of the reference's equations."""

import math

import numpy as np
import pytest
import torch

from embedlab.exceptions import InvalidInputError
from embedlab.losses import MetrixLoss, mixing_pairs, mlp


def _batch(seed=0, n=10, d=4, labels=(0, 0, 0, 1, 1, 2, 2, 2, 3, 4)):
    g = torch.Generator().manual_seed(seed)
    emb = torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True)
    return emb, torch.tensor(labels[:n])


def _brute_pairs(labels):
    out = []
    n = len(labels)
    for a in range(n):
        positives = [p for p in range(n) if p != a and labels[p] == labels[a]]
        first = positives[0] if positives else a
        out += [(a, first, k) for k in range(n) if labels[k] != labels[a]]
    return out


def test_mixing_pairs_equal_a_brute_force_construction():
    _, labels = _batch()
    a, f, s = mixing_pairs(labels)
    got = sorted(zip(a.tolist(), f.tolist(), s.tolist(), strict=True))
    assert got == sorted(_brute_pairs(labels.tolist()))
    # anchors 8 and 9 (classes 3, 4) have no positive: they are mixed with themselves
    assert {(x, y) for x, y, _ in got if x in (8, 9)} == {(8, 8), (9, 9)}


def _unit(x):
    return x / x.norm(dim=-1, keepdim=True)


def _avg_nonzero(terms):
    nz = [t for t in terms if t.detach().item() > 0]
    return sum(nz) / len(nz) if nz else torch.tensor(0.0, dtype=torch.float64)


def _contrastive_clean(emb, labels, margin=0.5):
    z = _unit(emb)
    n = len(labels)
    pos, neg = [], []
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            d = (z[i] - z[j]).norm()
            (pos if labels[i] == labels[j] else neg).append(
                d if labels[i] == labels[j] else torch.relu(margin - d)
            )
    return _avg_nonzero(pos) + _avg_nonzero(neg)


def _contrastive_mixed(emb, labels, lam, margin=0.5):
    z = _unit(emb)
    pos, neg = [], []
    for a, f, s in _brute_pairs(labels.tolist()):
        m = _unit(lam * z[f] + (1 - lam) * z[s])
        d = (z[a] - m).norm()
        pos.append(lam * d)
        neg.append((1 - lam) * torch.relu(margin - d))
    return _avg_nonzero(pos) + _avg_nonzero(neg)


def _ms_mixed(emb, labels, lam, alpha=2.0, beta=50.0, base=0.5):
    z = _unit(emb)
    groups = {}
    for a, f, s in _brute_pairs(labels.tolist()):
        groups.setdefault(a, []).append(_unit(lam * z[f] + (1 - lam) * z[s]))
    total = 0.0
    for a, ms in groups.items():
        sims = [z[a] @ m for m in ms]
        total = (
            total + torch.log(1 + sum(lam * torch.exp(-alpha * (s - base)) for s in sims)) / alpha
        )
        total = (
            total
            + torch.log(1 + sum((1 - lam) * torch.exp(beta * (s - base)) for s in sims)) / beta
        )
    return total / len(groups)


def _grad(f, emb):
    (g,) = torch.autograd.grad(f, emb)
    return g.numpy()


@pytest.mark.parametrize("seed", [0, 1])
def test_contrastive_metrix_equals_its_transcription_in_value_and_gradient(seed):
    emb, labels = _batch(seed)
    loss = MetrixLoss(random_state=seed)
    lam = MetrixLoss(random_state=seed).next_lambda()
    got = loss(emb, labels)
    want = _contrastive_clean(emb, labels) + 0.4 * _contrastive_mixed(emb, labels, lam)
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-10)
    np.testing.assert_allclose(_grad(got, emb), _grad(want, emb), rtol=1e-7, atol=1e-12)


def test_weight_zero_is_the_plain_contrastive_loss():
    emb, labels = _batch(2)
    got = MetrixLoss(weight=0)(emb, labels)
    np.testing.assert_allclose(
        got.item(), _contrastive_clean(emb, labels).detach().item(), rtol=1e-10
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_multi_similarity_mixed_term_equals_its_transcription(seed):
    emb, labels = _batch(seed)
    loss = MetrixLoss(loss="multi-similarity", random_state=seed)
    lam = MetrixLoss(random_state=seed).next_lambda()
    clean = MetrixLoss(loss="multi-similarity", weight=0).clean_loss(emb, labels)
    got = loss(emb, labels)
    want = clean + 0.4 * _ms_mixed(emb, labels, lam)
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-9)
    np.testing.assert_allclose(_grad(got, emb), _grad(want, emb), rtol=1e-6, atol=1e-10)


def test_the_clean_multi_similarity_loss_is_pml_s():
    from pytorch_metric_learning import distances, losses, miners

    emb, labels = _batch(3)
    sim = distances.CosineSimilarity()
    pml = losses.MultiSimilarityLoss(alpha=2, beta=50, base=0.5, distance=sim)
    want = pml(emb, labels, miners.MultiSimilarityMiner(epsilon=0.1, distance=sim)(emb, labels))
    got = MetrixLoss(loss="multi-similarity", weight=0)(emb, labels)
    assert got.item() == pytest.approx(want.item(), rel=1e-12)


def test_lambda_is_a_seeded_beta_draw_advanced_per_call():
    a, b = MetrixLoss(random_state=5), MetrixLoss(random_state=5)
    draws = [a.next_lambda() for _ in range(200)]
    assert draws == [b.next_lambda() for _ in range(200)]
    assert len(set(draws)) == 200 and all(0 < x < 1 for x in draws)
    # Beta(2, 2): mean 1/2, variance 1/20
    assert abs(np.mean(draws) - 0.5) < 4 * math.sqrt(0.05 / 200)


def _encoder_batch(seed=0):
    x = torch.randn(10, 6, generator=torch.Generator().manual_seed(seed), dtype=torch.float32)
    _, labels = _batch()
    return mlp(6, 8, 4, random_state=seed), x, labels


@pytest.mark.parametrize("level", ["feature", "input"])
def test_feature_and_input_levels_mix_before_the_last_layer_or_the_encoder(level):
    enc, x, labels = _encoder_batch()
    loss = MetrixLoss(level=level, random_state=1)
    got = loss.batch_loss(enc, x, labels)
    lam = MetrixLoss(random_state=1).next_lambda()
    a, f, s = mixing_pairs(labels)
    if level == "feature":
        h = enc[:-1](x)
        mixed = enc[-1](lam * h[f] + (1 - lam) * h[s])
    else:
        mixed = enc(lam * x[f] + (1 - lam) * x[s])
    z = enc(x)
    ref = MetrixLoss(weight=0)
    want = ref.clean_loss(z, labels) + 0.4 * ref.mixed_loss(_unit(z)[a], _unit(mixed), a, lam)
    assert got.item() == pytest.approx(want.item(), rel=1e-6)
    # embedding level through the same hook is the forward pass
    emb_loss = MetrixLoss(level="embedding", random_state=1)
    assert emb_loss.batch_loss(enc, x, labels).item() == pytest.approx(
        MetrixLoss(random_state=1)(enc(x), labels).item(), rel=1e-7
    )


def test_feature_level_needs_a_sequential_encoder():
    _, x, labels = _encoder_batch()
    with pytest.raises(InvalidInputError, match="Feature-level Metrix needs an nn.Sequential"):
        MetrixLoss(level="feature").batch_loss(torch.nn.Linear(6, 4), x, labels)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"loss": "triplet"}, "'loss' must be one of \\['contrastive', 'multi-similarity'\\]"),
        ({"level": "pixel"}, "'level' must be one of \\['embedding', 'feature', 'input'\\]"),
        ({"weight": -1}, "'weight' must be a number >= 0; got -1."),
        ({"mix_alpha": 0}, "'mix_alpha' must be a number > 0; got 0."),
    ],
)
def test_bad_parameters_are_one_line_errors(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        MetrixLoss(**kwargs)


def test_reference_is_refused():
    emb, labels = _batch()
    with pytest.raises(InvalidInputError, match="MetrixLoss takes no 'reference'"):
        MetrixLoss()(emb, labels, reference=emb)
