"""TransE, DistMult, ComplEx and RotatE against direct NumPy transcriptions of their papers.

Each reference loops over (query, entity) pairs in float64 (ComplEx and RotatE in NumPy complex
arithmetic, so the real-pair bookkeeping of the models is checked too).
"""

import copy
import math

import numpy as np
import pytest
import torch

import embedlab.kg.models.rotate as rotate_module
from embedlab.exceptions import InvalidInputError
from embedlab.kg.models.base import TRAINING_KEYS
from embedlab.kg.models.complex import ComplEx
from embedlab.kg.models.distmult import DistMult
from embedlab.kg.models.rotate import RotatE
from embedlab.kg.models.transe import TransE
from embedlab.registry import KG_MODELS

E, R2, D = 7, 4, 5


def close(a, b, rtol=1.3e-6, atol=1e-5):
    """``np.testing.assert_allclose`` on tensors (torch.testing's first call costs seconds)."""
    np.testing.assert_allclose(np.asarray(a.detach()), np.asarray(b.detach()), rtol=rtol, atol=atol)


HEADS = torch.tensor([0, 3, 6, 2])
RELS = torch.tensor([1, 0, 3, 2])
TAILS1 = torch.tensor([5, 0, 6, 2])
TAILS2 = torch.tensor([[1, 4, 4], [0, 6, 2], [3, 3, 5], [6, 0, 1]])


def redraw(m, seed, scale=0.7):
    """Redraw every parameter N(0, scale^2) (larger than the initialisation, both signs)."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in (m.entity, m.relation):
            p.copy_(torch.from_numpy(rng.normal(0, scale, p.shape).astype(np.float32)))
    return m


def tables(m):
    return m.entity.detach().double().numpy(), m.relation.detach().double().numpy()


def as_complex(rows):
    half = rows.shape[-1] // 2
    return rows[..., :half] + 1j * rows[..., half:]


# ---------------------------------------------------------------- per-pair references (float64)
def ref_transe(m):
    ent, rel = tables(m)

    def f(h, r, t):
        eh, et = ent[h], ent[t]
        if m.normalize_entities:
            eh, et = eh / np.sqrt(np.sum(eh**2)), et / np.sqrt(np.sum(et**2))
        diff = eh + rel[r] - et
        dist = sum(abs(x) ** m.norm for x in diff) ** (1.0 / m.norm)
        return m.gamma - dist

    return f


def ref_distmult(m):
    ent, rel = tables(m)
    return lambda h, r, t: sum(ent[h, i] * rel[r, i] * ent[t, i] for i in range(D))


def ref_complex(m):
    ent, rel = as_complex(tables(m)[0]), as_complex(tables(m)[1])
    return lambda h, r, t: sum(ent[h, i] * rel[r, i] * np.conj(ent[t, i]) for i in range(D)).real


def ref_rotate(m):
    ent, x = tables(m)
    ent = as_complex(ent)
    phase = x / (m.embedding_range / math.pi)  # the reference's ``relation / (range / pi)``
    rot = np.cos(phase) + 1j * np.sin(phase)
    return lambda h, r, t: m.gamma - sum(abs(ent[h, i] * rot[r, i] - ent[t, i]) for i in range(D))


CASES = {
    "transe-l1": (
        lambda s: TransE(n_entities=E, n_relations=R2, embedding_dim=D, random_state=s, gamma=2.0),
        ref_transe,
    ),
    "transe-l2": (
        lambda s: TransE(n_entities=E, n_relations=R2, embedding_dim=D, random_state=s, norm=2),
        ref_transe,
    ),
    "transe-raw": (
        lambda s: TransE(
            n_entities=E, n_relations=R2, embedding_dim=D, random_state=s, normalize_entities=False
        ),
        ref_transe,
    ),
    "distmult": (
        lambda s: DistMult(n_entities=E, n_relations=R2, embedding_dim=D, random_state=s),
        ref_distmult,
    ),
    "complex": (
        lambda s: ComplEx(n_entities=E, n_relations=R2, embedding_dim=D, random_state=s),
        ref_complex,
    ),
    "rotate": (
        lambda s: RotatE(n_entities=E, n_relations=R2, embedding_dim=D, random_state=s),
        ref_rotate,
    ),
    "rotate-12": (
        lambda s: RotatE(n_entities=E, n_relations=R2, embedding_dim=D, random_state=s, gamma=12.0),
        ref_rotate,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_score_all_matches_the_reference_formula(case):
    make, ref = CASES[case]
    m = redraw(make(1), seed=21)
    f = ref(m)
    got = m.score_all(HEADS, RELS).detach().double().numpy()
    want = np.array(
        [[f(h, r, t) for t in range(E)] for h, r in zip(HEADS.tolist(), RELS.tolist(), strict=True)]
    )
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", sorted(CASES))
def test_score_of_given_tails_matches_the_reference_and_score_all(case):
    make, ref = CASES[case]
    m = redraw(make(2), seed=22)
    f = ref(m)
    full = m.score_all(HEADS, RELS).detach().numpy()
    s1 = m.score(HEADS, RELS, TAILS1).detach().numpy()  # B < E: TransE normalises gathered rows
    s2 = m.score(HEADS, RELS, TAILS2).detach().numpy()  # B K >= E: TransE normalises the table
    assert s1.shape == (4,) and s2.shape == (4, 3)
    np.testing.assert_allclose(
        s1, np.take_along_axis(full, TAILS1.numpy()[:, None], 1)[:, 0], rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(
        s2, np.take_along_axis(full, TAILS2.numpy(), 1), rtol=1e-5, atol=1e-5
    )
    want = [
        [f(h, r, t) for t in row]
        for h, r, row in zip(HEADS.tolist(), RELS.tolist(), TAILS2.tolist(), strict=True)
    ]
    np.testing.assert_allclose(s2, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradients_reach_every_part(case):
    make, _ = CASES[case]
    m = redraw(make(3), seed=23)
    heads = torch.arange(E).repeat_interleave(R2)
    rels = torch.arange(R2).repeat(E)
    (m.score_all(heads, rels).sum() + m.score(heads, rels, heads.flip(0)).sum()).backward()
    for p in (m.entity, m.relation):
        parts = p.shape[1] // D
        for chunk in p.grad.chunk(parts, dim=1):
            assert torch.isfinite(chunk).all()
            assert (chunk.abs().sum(1) > 0).all()


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_seed_same_bytes_and_the_global_rng_untouched(case):
    make, _ = CASES[case]
    state = torch.get_rng_state()
    a, b, c = make(5), make(5), make(6)
    assert torch.equal(torch.get_rng_state(), state)
    for p, q, o in zip(a.parameters(), b.parameters(), c.parameters(), strict=True):
        assert p.dtype == torch.float32
        assert p.detach().numpy().tobytes() == q.detach().numpy().tobytes()
        assert not torch.equal(p, o)


@pytest.mark.parametrize(
    ("case", "ent_cols", "rel_cols"),
    [("transe-raw", D, D), ("distmult", D, D), ("complex", 2 * D, 2 * D), ("rotate", 2 * D, D)],
)
def test_embeddings_are_the_parameters(case, ent_cols, rel_cols):
    m = redraw(CASES[case][0](7), seed=27)
    assert m.parts * D == ent_cols
    ents, rels = m.entity_embeddings(), m.relation_embeddings()
    assert ents.dtype == np.float32 and rels.dtype == np.float32
    assert ents.shape == (E, ent_cols) and rels.shape == (R2, rel_cols)
    np.testing.assert_array_equal(ents, m.entity.detach().numpy())
    np.testing.assert_array_equal(rels, m.relation.detach().numpy())


# ---------------------------------------------------------------------------------------- TransE
def test_transe_exports_the_unit_rows_it_scores_with():
    m = redraw(TransE(n_entities=E, n_relations=R2, embedding_dim=D), seed=31)
    ents = m.entity_embeddings()
    assert ents.shape == (E, D)
    np.testing.assert_allclose(np.linalg.norm(ents, axis=1), 1.0, rtol=1e-6)
    raw = m.entity.detach().numpy()
    np.testing.assert_allclose(ents, raw / np.linalg.norm(raw, axis=1, keepdims=True), rtol=1e-6)
    np.testing.assert_array_equal(m.relation_embeddings(), m.relation.detach().numpy())


def test_transe_initialisation_is_bordes_uniform_then_unit_rows():
    m = TransE(n_entities=E, n_relations=R2, embedding_dim=D, random_state=0)
    for p in (m.entity, m.relation):
        close(p.norm(dim=1), torch.ones(p.shape[0]))
    # the direction is that of a U(-6/sqrt(d), 6/sqrt(d)) draw from the seeded generator
    g = torch.Generator().manual_seed(0)
    bound = 6 / math.sqrt(D)
    w = torch.empty(E, D).uniform_(-bound, bound, generator=g)
    close(m.entity, w / w.norm(dim=1, keepdim=True))


def test_transe_scores_are_invariant_to_the_scale_of_stored_entity_rows():
    m = redraw(TransE(n_entities=E, n_relations=R2, embedding_dim=D), seed=32)
    before = m.score_all(HEADS, RELS)
    with torch.no_grad():
        m.entity.mul_(torch.arange(1, E + 1, dtype=torch.float32)[:, None])
    close(m.score_all(HEADS, RELS), before)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"norm": 3}, r"'norm' of TransE must be 1 \(L1 distance\) or 2 \(L2 distance\); got 3\."),
        (
            {"norm": True},
            r"'norm' of TransE must be 1 \(L1 distance\) or 2 \(L2 distance\); got True\.",
        ),
        ({"gamma": -1}, r"'gamma' of TransE must be >= 0; got -1\.0\. Pass a value >= 0\."),
        (
            {"normalize_entities": "yes"},
            r"'normalize_entities' of TransE must be True or False; got 'yes'\.",
        ),
    ],
)
def test_transe_rejects_bad_hyper_parameters(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        TransE(n_entities=E, n_relations=R2, embedding_dim=D, **kwargs)


# --------------------------------------------------------------------------------------- ComplEx
def test_complex_n3_is_the_weighted_nuclear_3_norm_of_the_last_batch():
    m = redraw(
        ComplEx(n_entities=E, n_relations=R2, embedding_dim=D, regularization_weight=0.05), seed=41
    )
    assert m.regularization().item() == 0.0  # nothing scored yet
    m.score_all(HEADS, RELS)
    ent, rel = as_complex(tables(m)[0]), as_complex(tables(m)[1])
    want = sum(
        np.sum(np.abs(ent[h]) ** 3) + np.sum(np.abs(rel[r]) ** 3)
        for h, r in zip(HEADS.tolist(), RELS.tolist(), strict=True)
    )
    want *= 0.05 / len(HEADS)
    reg = m.regularization()
    assert reg.item() == pytest.approx(want, rel=1e-5)
    reg.backward()  # reaches the batch's rows only
    rows = m.entity.grad.abs().sum(1) > 0
    assert rows.tolist() == [i in HEADS.tolist() for i in range(E)]
    # point-wise scoring keeps the factors too; eval() drops them
    m.score(HEADS[:2], RELS[:2], TAILS2[:2])
    assert m.regularization().item() == pytest.approx(
        0.05
        / 2
        * sum(
            np.sum(np.abs(ent[h]) ** 3) + np.sum(np.abs(rel[r]) ** 3) for h, r in [(0, 1), (3, 0)]
        ),
        rel=1e-5,
    )
    m.eval()
    assert m.regularization().item() == 0.0
    m.score_all(HEADS, RELS)  # not kept outside training mode
    assert m.regularization().item() == 0.0


def test_complex_copies_without_the_kept_factors():
    m = redraw(
        ComplEx(n_entities=E, n_relations=R2, embedding_dim=D, regularization_weight=0.1), seed=43
    )
    m.score_all(HEADS, RELS)
    assert m.regularization().item() > 0
    twin = copy.deepcopy(m)  # a trainer keeping its best epoch
    assert twin.regularization().item() == 0.0
    assert m.regularization().item() > 0
    close(twin.score_all(HEADS, RELS), m.score_all(HEADS, RELS))


def test_complex_without_weight_has_no_penalty():
    m = ComplEx(n_entities=E, n_relations=R2, embedding_dim=D)
    m.score_all(HEADS, RELS)
    assert m.regularization().item() == 0.0


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (-0.1, r"'regularization_weight' of ComplEx must be >= 0; got -0\.1\."),
        (float("nan"), r"'regularization_weight' of ComplEx must be finite; got nan\."),
        (None, r"'regularization_weight' of ComplEx must be a real number; got None\."),
    ],
)
def test_complex_rejects_a_bad_weight(weight, message):
    with pytest.raises(InvalidInputError, match=message):
        ComplEx(n_entities=E, n_relations=R2, embedding_dim=D, regularization_weight=weight)


def test_complex_is_distmult_on_real_embeddings():
    c = redraw(ComplEx(n_entities=E, n_relations=R2, embedding_dim=D), seed=42)
    d = DistMult(n_entities=E, n_relations=R2, embedding_dim=D)
    with torch.no_grad():
        c.entity[:, D:] = 0
        c.relation[:, D:] = 0
        d.entity.copy_(c.entity[:, :D])
        d.relation.copy_(c.relation[:, :D])
    close(c.score_all(HEADS, RELS), d.score_all(HEADS, RELS))


# ---------------------------------------------------------------------------------------- RotatE
def test_rotate_relations_have_modulus_one_and_preserve_moduli():
    m = redraw(RotatE(n_entities=E, n_relations=R2, embedding_dim=D), seed=51, scale=5.0)
    cos, sin = m.rotations(torch.arange(R2))
    modulus = (cos.double() ** 2 + sin.double() ** 2).sqrt()
    np.testing.assert_allclose(
        modulus.detach().numpy(), 1.0, rtol=0, atol=2e-7
    )  # float32 rounding only
    # |h o r| = |h| coordinate by coordinate: scoring against a zero tail gives gamma - sum |h|
    with torch.no_grad():
        m.entity[0] = 0
    got = m.score(HEADS, RELS, torch.zeros(4, dtype=torch.long)).detach().double().numpy()
    ent = as_complex(tables(m)[0])
    want = [m.gamma - np.sum(np.abs(ent[h])) for h in HEADS.tolist()]
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_rotate_initialisation_follows_the_reference_range():
    m = RotatE(n_entities=50, n_relations=40, embedding_dim=D, gamma=12.0)
    assert m.embedding_range == pytest.approx((12.0 + 2.0) / D)
    for p in (m.entity, m.relation):
        assert p.abs().max() <= m.embedding_range
    phases = m.relation * (math.pi / m.embedding_range)
    assert phases.min() < -0.9 * math.pi and phases.max() > 0.9 * math.pi  # uniform on [-pi, pi]


def test_rotate_score_all_over_many_blocks(monkeypatch):
    m = redraw(RotatE(n_entities=E, n_relations=R2, embedding_dim=D), seed=52)
    whole = m.score_all(HEADS, RELS)
    monkeypatch.setattr(rotate_module, "_BLOCK_ELEMENTS", 2 * len(HEADS) * D)  # 2 entities a block
    close(m.score_all(HEADS, RELS), whole)


def test_rotate_gradient_is_finite_at_a_zero_difference():
    m = RotatE(n_entities=E, n_relations=R2, embedding_dim=D)
    with torch.no_grad():
        m.entity[:2] = 0
    heads = torch.tensor([0])
    rels = torch.tensor([1])
    (m.score(heads, rels, torch.tensor([1])).sum() + m.score_all(heads, rels).sum()).backward()
    assert torch.isfinite(m.entity.grad).all() and torch.isfinite(m.relation.grad).all()
    assert m.score(heads, rels, torch.tensor([1])).item() == pytest.approx(m.gamma, abs=1e-12)


@pytest.mark.parametrize(
    ("gamma", "message"),
    [
        (-1.0, r"'gamma' of RotatE must be >= 0; got -1\.0\. Pass a value >= 0\."),
        (float("inf"), r"'gamma' of RotatE must be finite; got inf\."),
    ],
)
def test_rotate_rejects_a_bad_gamma(gamma, message):
    with pytest.raises(InvalidInputError, match=message):
        RotatE(n_entities=E, n_relations=R2, embedding_dim=D, gamma=gamma)


# -------------------------------------------------------------------------------------- registry
@pytest.mark.parametrize(
    ("name", "cls", "protocol", "loss"),
    [
        ("transe", TransE, "negative-sampling", "margin"),
        ("distmult", DistMult, "1-n", "softplus"),
        ("complex", ComplEx, "1-n", "softplus"),
        ("rotate", RotatE, "negative-sampling", "logistic"),
    ],
)
def test_registered_with_training_defaults(name, cls, protocol, loss):
    assert KG_MODELS.get(name) is cls
    assert cls.name == name
    assert set(cls.training_defaults) <= TRAINING_KEYS
    assert cls.training_defaults["protocol"] == protocol and cls.training_defaults["loss"] == loss
