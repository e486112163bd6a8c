"""NFE models: each score against a direct NumPy transcription of the reference ``model.py``.

The references below loop over every (query, entity) pair in float64 and follow
changyi7231/NFE ``model.py`` term by term; NFE-1 and NFE-3 are also checked against the
2-Wasserstein distance and the KL divergence of Gaussians computed independently (full
covariance matrices, ``scipy.linalg.sqrtm``, numerical integration).
"""

import math

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.stats
import torch

from embedlab.exceptions import InvalidInputError
from embedlab.kg.models.base import TRAINING_KEYS
from embedlab.kg.models.nfe import NFE1, NFE2, NFE3, NFESigma, NFEWithoutUncertainty
from embedlab.registry import KG_MODELS

E, R2, D = 7, 4, 5


def close(a, b, rtol=1.3e-6, atol=1e-5):
    """``np.testing.assert_allclose`` on tensors (torch.testing's first call costs seconds)."""
    np.testing.assert_allclose(np.asarray(a.detach()), np.asarray(b.detach()), rtol=rtol, atol=atol)


ALL = [NFE1, NFE2, NFE3, NFEWithoutUncertainty, NFESigma]
NAMES = {
    NFE1: "nfe-1",
    NFE2: "nfe-2",
    NFE3: "nfe-3",
    NFEWithoutUncertainty: "nfe-no-uncertainty",
    NFESigma: "nfe-sigma",
}
#: (entity parts, relation parts) of each model
PARTS = {NFE1: (2, 2), NFE2: (3, 2), NFE3: (2, 2), NFEWithoutUncertainty: (1, 2), NFESigma: (1, 1)}


def build(cls, seed=0, gamma=0.0, scale=0.7):
    """A model whose parameters are redrawn N(0, scale^2) (signs and sizes that exercise |.|)."""
    m = cls(n_entities=E, n_relations=R2, embedding_dim=D, random_state=seed, gamma=gamma)
    rng = np.random.default_rng(seed + 100)
    with torch.no_grad():
        for p in (m.entity, m.relation):
            p.copy_(torch.from_numpy(rng.normal(0, scale, p.shape).astype(np.float32)))
    return m


def tables(m):
    return m.entity.detach().double().numpy(), m.relation.detach().double().numpy()


def softplus(x):
    return np.log1p(np.exp(x))


# ---------------------------------------------------------------- per-pair references (float64)
def ref_nfe1(ent, rel, h, r, t, gamma):
    h_mu, h_sigma = ent[h, :D], ent[h, D:]
    r_mu, r_sigma = rel[r, :D], rel[r, D:]
    t_mu, t_sigma = ent[t, :D], ent[t, D:]
    mu1 = r_sigma * h_mu + r_mu
    sigma1 = np.abs(r_sigma * h_sigma)
    sigma2 = np.abs(t_sigma)
    dist = 0.0
    for i in range(D):
        dist += (mu1[i] - t_mu[i]) ** 2 + (sigma1[i] - sigma2[i]) ** 2
    return gamma - dist


def ref_nfe2(ent, rel, h, r, t, gamma):
    """The reference's expression as written (expanded squares, four ``constant *`` terms)."""
    h_mu, h_s1, h_s2 = ent[h, :D], ent[h, D : 2 * D], ent[h, 2 * D :]
    r_mu, r_sigma = rel[r, :D], rel[r, D:]
    t_mu, t_s1, t_s2 = ent[t, :D], ent[t, D : 2 * D], ent[t, 2 * D :]
    mu1, mu2 = r_sigma * h_mu + r_mu, t_mu
    sigma1, sigma2 = np.abs(r_sigma * h_s1), np.abs(r_sigma * h_s2)
    sigma3, sigma4 = np.abs(t_s1), np.abs(t_s2)
    c = (2 / math.pi) ** 0.5
    s = -2 * mu1 @ mu2 + mu1 @ mu1 + mu2 @ mu2
    s += -sigma1 @ sigma3 + sigma1 @ sigma1 / 2 + sigma3 @ sigma3 / 2
    s += -sigma2 @ sigma4 + sigma2 @ sigma2 / 2 + sigma4 @ sigma4 / 2
    s += c * (
        mu1 @ (sigma2 - sigma1)
        + mu1 @ (sigma3 - sigma4)
        - (sigma2 - sigma1) @ mu2
        - mu2 @ (sigma3 - sigma4)
    )
    return gamma - s


def ref_nfe3_parts(ent, rel, h, r, t):
    h_mu, h_sigma = ent[h, :D], ent[h, D:]
    r_mu, r_sigma = rel[r, :D], rel[r, D:]
    mu1 = r_sigma * h_mu + r_mu
    s1 = softplus(r_sigma) * softplus(h_sigma)
    return mu1, s1, ent[t, :D], softplus(ent[t, D:])


def ref_nfe3(ent, rel, h, r, t, gamma):
    mu1, s1, mu2, s2 = ref_nfe3_parts(ent, rel, h, r, t)
    kl = 0.0
    for i in range(D):
        kl += math.log(s2[i] / s1[i]) + (s1[i] ** 2 + (mu1[i] - mu2[i]) ** 2) / (2 * s2[i] ** 2)
        kl -= 0.5
    return gamma - kl


def ref_no_uncertainty(ent, rel, h, r, t, gamma):
    mu1 = rel[r, D:] * ent[h] + rel[r, :D]
    return gamma - sum((mu1[i] - ent[t, i]) ** 2 for i in range(D))


def ref_sigma(ent, rel, h, r, t, gamma):
    s1, s2 = np.abs(rel[r] * ent[h]), np.abs(ent[t])
    return gamma - sum((s1[i] - s2[i]) ** 2 for i in range(D))


REFS = {
    NFE1: ref_nfe1,
    NFE2: ref_nfe2,
    NFE3: ref_nfe3,
    NFEWithoutUncertainty: ref_no_uncertainty,
    NFESigma: ref_sigma,
}

HEADS = torch.tensor([0, 3, 6, 2])
RELS = torch.tensor([1, 0, 3, 2])


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("gamma", [0.0, 1.5])
def test_score_all_matches_the_reference_formula(cls, gamma):
    m = build(cls, seed=3, gamma=gamma)
    ent, rel = tables(m)
    got = m.score_all(HEADS, RELS).detach().double().numpy()
    want = np.array(
        [
            [REFS[cls](ent, rel, h, r, t, gamma) for t in range(E)]
            for h, r in zip(HEADS, RELS, strict=True)
        ]
    )
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("cls", ALL)
def test_score_of_given_tails_matches_the_reference_and_score_all(cls):
    m = build(cls, seed=4, gamma=0.5)
    ent, rel = tables(m)
    full = m.score_all(HEADS, RELS)
    tails1 = torch.tensor([5, 0, 6, 2])
    tails2 = torch.tensor([[1, 4, 4], [0, 6, 2], [3, 3, 5], [6, 0, 1]])
    s1 = m.score(HEADS, RELS, tails1)
    s2 = m.score(HEADS, RELS, tails2)
    assert s1.shape == (4,) and s2.shape == (4, 3)
    close(s1, full.gather(1, tails1[:, None])[:, 0], rtol=1e-5, atol=1e-5)
    close(s2, full.gather(1, tails2), rtol=1e-5, atol=1e-5)
    want = np.array(
        [
            [REFS[cls](ent, rel, int(h), int(r), int(t), 0.5) for t in row]
            for h, r, row in zip(HEADS, RELS, tails2, strict=True)
        ]
    )
    np.testing.assert_allclose(s2.detach().double().numpy(), want, rtol=1e-5, atol=1e-4)


def test_score_rejects_tails_of_another_rank():
    m = build(NFE1)
    with pytest.raises(InvalidInputError, match=r"'tails' must have shape \[B\] or \[B, K\]"):
        m.score(HEADS, RELS, torch.zeros(4, 2, 2, dtype=torch.long))


def test_nfe1_is_the_squared_w2_distance_of_the_pushed_gaussians():
    """W2^2(N(m1, S1), N(m2, S2)) = |m1 - m2|^2 + tr(S1 + S2 - 2 (S2^1/2 S1 S2^1/2)^1/2)."""
    m = build(NFE1, seed=5)
    ent, rel = tables(m)
    got = m.score_all(HEADS, RELS).detach().double().numpy()
    for b, (h, r) in enumerate(zip(HEADS.tolist(), RELS.tolist(), strict=True)):
        r_mu, r_sigma = rel[r, :D], rel[r, D:]
        # the flow g(x) = r_sigma x + r_mu pushes N(mu_h, diag sigma_h^2) to N(A mu_h + r_mu, A S A)
        a = np.diag(r_sigma)
        m1 = a @ ent[h, :D] + r_mu
        s1 = a @ np.diag(ent[h, D:] ** 2) @ a.T
        for t in range(E):
            m2, s2 = ent[t, :D], np.diag(ent[t, D:] ** 2)
            root = scipy.linalg.sqrtm(s2)
            cross = scipy.linalg.sqrtm(root @ s1 @ root)
            w2 = np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * np.real(cross))
            assert got[b, t] == pytest.approx(-w2, rel=1e-5, abs=1e-4)


def test_nfe3_is_the_kl_divergence_of_diagonal_gaussians():
    """KL(N(m1, S1) || N(m2, S2)) from the full-covariance formula, and one pair by quadrature."""
    m = build(NFE3, seed=6)
    ent, rel = tables(m)
    got = m.score_all(HEADS, RELS).detach().double().numpy()
    for b, (h, r) in enumerate(zip(HEADS.tolist(), RELS.tolist(), strict=True)):
        for t in range(E):
            mu1, s1, mu2, s2 = ref_nfe3_parts(ent, rel, h, r, t)
            c1, c2 = np.diag(s1**2), np.diag(s2**2)
            inv2 = np.linalg.inv(c2)
            diff = mu2 - mu1
            kl = 0.5 * (
                np.trace(inv2 @ c1)
                + diff @ inv2 @ diff
                - D
                + np.log(np.linalg.det(c2) / np.linalg.det(c1))
            )
            assert got[b, t] == pytest.approx(-kl, rel=1e-5, abs=1e-4)
    # one pair by numerical integration of p log(p / q), coordinate by coordinate
    mu1, s1, mu2, s2 = ref_nfe3_parts(ent, rel, 3, 0, 5)
    total = 0.0
    for i in range(D):
        p = scipy.stats.norm(mu1[i], s1[i])
        q = scipy.stats.norm(mu2[i], s2[i])
        lo, hi = mu1[i] - 12 * s1[i], mu1[i] + 12 * s1[i]
        val, _ = scipy.integrate.quad(
            lambda x, p=p, q=q: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)), lo, hi
        )
        total += val
    assert got[1, 5] == pytest.approx(-total, rel=1e-5, abs=1e-4)


def test_nfe2_with_equal_scales_is_nfe1_with_the_mean_scale():
    """sigma1 = sigma2 makes the sqrt(2/pi) cross terms vanish: D = |m1 - m2|^2 + |s1 - s3|^2."""
    m2 = build(NFE2, seed=7)
    m1 = NFE1(n_entities=E, n_relations=R2, embedding_dim=D)
    with torch.no_grad():
        m2.entity[:, 2 * D :] = m2.entity[:, D : 2 * D]
        m1.entity.copy_(m2.entity[:, : 2 * D])
        m1.relation.copy_(m2.relation)
    close(m2.score_all(HEADS, RELS), m1.score_all(HEADS, RELS))


@pytest.mark.parametrize("cls", ALL)
def test_gamma_shifts_every_score(cls):
    a = build(cls, seed=8, gamma=0.0).score_all(HEADS, RELS)
    b = build(cls, seed=8, gamma=-2.5).score_all(HEADS, RELS)
    close(b, a - 2.5)


@pytest.mark.parametrize("cls", ALL)
def test_gradients_reach_every_part(cls):
    m = build(cls, seed=9)
    heads = torch.arange(E).repeat_interleave(R2)
    rels = torch.arange(R2).repeat(E)
    (m.score_all(heads, rels).sum() + m.score(heads, rels, heads.flip(0)).sum()).backward()
    ent_parts, rel_parts = PARTS[cls]
    for grad, parts in ((m.entity.grad, ent_parts), (m.relation.grad, rel_parts)):
        assert grad.shape[1] == parts * D
        for chunk in grad.chunk(parts, dim=1):
            assert torch.isfinite(chunk).all()
            assert (chunk.abs().sum(1) > 0).all()  # every row of every part


@pytest.mark.parametrize("cls", ALL)
def test_initialisation_is_seeded_uniform_and_leaves_the_global_rng(cls):
    state = torch.get_rng_state()
    a = cls(n_entities=E, n_relations=R2, embedding_dim=D, random_state=11)
    b = cls(n_entities=E, n_relations=R2, embedding_dim=D, random_state=11)
    c = cls(n_entities=E, n_relations=R2, embedding_dim=D, random_state=12)
    assert torch.equal(torch.get_rng_state(), state)
    for p, q, o in zip(a.parameters(), b.parameters(), c.parameters(), strict=True):
        assert p.detach().numpy().tobytes() == q.detach().numpy().tobytes()
        assert not torch.equal(p, o)
        assert p.dtype == torch.float32
        assert p.abs().max() <= 0.1
        assert p.min() < -0.05 and p.max() > 0.05  # U(-0.1, 0.1), not a narrower range


@pytest.mark.parametrize("cls", ALL)
def test_embeddings_are_the_parameters(cls):
    m = build(cls, seed=13)
    ent_parts, rel_parts = PARTS[cls]
    assert cls.parts == ent_parts
    ents, rels = m.entity_embeddings(), m.relation_embeddings()
    assert ents.dtype == np.float32 and rels.dtype == np.float32
    assert ents.shape == (E, ent_parts * D) and rels.shape == (R2, rel_parts * D)
    np.testing.assert_array_equal(ents, m.entity.detach().numpy())
    np.testing.assert_array_equal(rels, m.relation.detach().numpy())
    ents[:] = 0  # a copy: the model is untouched
    assert m.entity.abs().sum() > 0


@pytest.mark.parametrize("cls", ALL)
def test_registered_with_nfe_training_defaults(cls):
    assert KG_MODELS.get(NAMES[cls]) is cls
    assert cls.name == NAMES[cls]
    assert set(cls.training_defaults) <= TRAINING_KEYS
    assert cls.training_defaults == {
        "protocol": "1-n",
        "loss": "softplus",
        "lr": 0.005,
        "batch_size": 64 if cls.name == "nfe-1" else 128,
        "decay_rate": 0.97,
    }


@pytest.mark.parametrize(
    ("gamma", "message"),
    [
        (float("nan"), r"'gamma' of NFE2 must be finite; got nan\."),
        (float("inf"), r"'gamma' of NFE2 must be finite; got inf\."),
        ("1", r"'gamma' of NFE2 must be a real number; got '1'\."),
        (True, r"'gamma' of NFE2 must be a real number; got True\."),
    ],
)
def test_bad_gamma_is_rejected(gamma, message):
    with pytest.raises(InvalidInputError, match=message):
        NFE2(n_entities=E, n_relations=R2, embedding_dim=D, gamma=gamma)


def test_bad_sizes_are_rejected():
    with pytest.raises(InvalidInputError, match=r"'embedding_dim' must be an int >= 1; got 0"):
        NFE1(n_entities=E, n_relations=R2, embedding_dim=0)
