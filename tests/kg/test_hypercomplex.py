"""Hypercomplex multi-view KG models: the algebra, the score against the reference, the views."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from embedlab.exceptions import InvalidInputError  # noqa: E402
from embedlab.io import TripleSet  # noqa: E402
from embedlab.kg.models.base import TRAINING_KEYS  # noqa: E402
from embedlab.kg.models.hypercomplex import (  # noqa: E402
    Dihedron,
    DihedronMultiView,
    Quaternion,
    QuaternionMultiView,
    dihedron_product,
    hamilton_product,
    unit_hypercomplex,
)
from embedlab.kg.views import char_ngram_views, readable_names, text_views  # noqa: E402
from embedlab.registry import KG_MODELS  # noqa: E402

E, R, D = 6, 3, 8  # entities, relation ids, embedding_dim (2 numbers per part)
NAMES = ["united_states", "united_kingdom", "ussr", "china", "cuba", "egypt"]


def basis(n: int) -> torch.Tensor:
    """The n-th basis element 1, i, j, k as a [4] float64 tensor."""
    e = torch.zeros(4, dtype=torch.float64)
    e[n] = 1.0
    return e


ONE, BI, BJ, BK = (basis(n) for n in range(4))  # 1, i, j, k


def rand(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(seed).normal(size=shape))


# ------------------------------------------------------------------------------- algebra
HAMILTON_TABLE = [
    (BI, BI, -ONE), (BJ, BJ, -ONE), (BK, BK, -ONE),
    (BI, BJ, BK), (BJ, BI, -BK), (BJ, BK, BI), (BK, BJ, -BI), (BK, BI, BJ), (BI, BK, -BJ),
    (ONE, BI, BI), (BJ, ONE, BJ),
]  # fmt: skip
DIHEDRON_TABLE = [
    (BI, BI, -ONE), (BJ, BJ, ONE), (BK, BK, ONE),
    (BI, BJ, BK), (BJ, BI, -BK), (BJ, BK, -BI), (BK, BJ, BI), (BK, BI, BJ), (BI, BK, -BJ),
    (ONE, BK, BK), (BI, ONE, BI),
]  # fmt: skip


@pytest.mark.parametrize(("p", "q", "pq"), HAMILTON_TABLE)
def test_hamilton_table(p, q, pq):
    assert torch.equal(hamilton_product(p, q), pq)


def test_hamilton_ijk_is_minus_one():
    assert torch.equal(hamilton_product(hamilton_product(BI, BJ), BK), -ONE)


@pytest.mark.parametrize(("p", "q", "pq"), DIHEDRON_TABLE)
def test_dihedron_table(p, q, pq):
    assert torch.equal(dihedron_product(p, q), pq)


@pytest.mark.parametrize("product", [hamilton_product, dihedron_product])
def test_associative_and_bilinear(product):
    a, b, c = rand(5, 12, seed=1), rand(5, 12, seed=2), rand(5, 12, seed=3)
    torch.testing.assert_close(product(product(a, b), c), product(a, product(b, c)))
    torch.testing.assert_close(product(a, 2.0 * b + c), 2.0 * product(a, b) + product(a, c))


def test_hamilton_norm_is_multiplicative():
    p, q = rand(7, 4, seed=4), rand(7, 4, seed=5)
    norm = lambda x: x.norm(dim=-1)  # noqa: E731
    torch.testing.assert_close(norm(hamilton_product(p, q)), norm(p) * norm(q))


def test_dihedron_indefinite_norm_is_multiplicative():
    p, q = rand(7, 4, seed=6), rand(7, 4, seed=7)
    n = lambda x: x[..., 0] ** 2 + x[..., 1] ** 2 - x[..., 2] ** 2 - x[..., 3] ** 2  # noqa: E731
    torch.testing.assert_close(n(dihedron_product(p, q)), n(p) * n(q))
    # the Euclidean norm is not multiplicative in the split-quaternions (j (1 + j) = 1 + j)
    one_j = ONE + BJ
    assert torch.equal(dihedron_product(BJ, one_j), one_j)


def test_dihedron_is_the_2x2_real_matrix_product():
    """The split-quaternions are M_2(R): 1, i, j, k -> I, [[0,1],[-1,0]], diag(1,-1), i j."""
    mats = np.array([[[1, 0], [0, 1]], [[0, 1], [-1, 0]], [[1, 0], [0, -1]], [[0, -1], [-1, 0]]])
    p, q = rand(4, seed=8), rand(4, seed=9)
    as_mat = lambda x: np.tensordot(x.numpy(), mats, axes=1)  # noqa: E731
    np.testing.assert_allclose(as_mat(dihedron_product(p, q)), as_mat(p) @ as_mat(q))


def test_products_are_blockwise():
    """Coordinate c of the blocks [s | x | y | z] multiplies alone."""
    a, b = rand(3, 8, seed=10), rand(3, 8, seed=11)
    for product in (hamilton_product, dihedron_product):
        full = product(a, b)
        for c in range(2):
            cols = [c, 2 + c, 4 + c, 6 + c]
            torch.testing.assert_close(full[:, cols], product(a[:, cols], b[:, cols]))


def test_product_needs_four_blocks():
    with pytest.raises(InvalidInputError, match=r"'a' must have a last axis of 4 m numbers"):
        hamilton_product(torch.zeros(3, 6), torch.zeros(3, 6))


def test_unit_hypercomplex():
    r = rand(5, 8, seed=12)
    u = unit_hypercomplex(r)
    blocks = u.reshape(5, 4, 2)  # [row, part, coordinate]
    torch.testing.assert_close((blocks**2).sum(1), torch.ones(5, 2, dtype=torch.float64))
    norm = r.reshape(5, 4, 2).norm(dim=1, keepdim=True)
    torch.testing.assert_close(u.reshape(5, 4, 2) * norm, r.reshape(5, 4, 2))
    assert torch.equal(unit_hypercomplex(torch.zeros(1, 4)), torch.zeros(1, 4))


# ------------------------------------------------------------------------------- reference
def np_mlp(v, w1, c1, w2, c2):
    """The reference's AdjustDim: tanh(fc2(tanh(fc1(v))))."""
    return np.tanh(np.tanh(v @ w1.T + c1) @ w2.T + c2)


def np_reference_scores(rel, head_parts, tail_parts, bh, bt, quaternion):
    """A transcription of Tetra_WSF(_Quat).get_queries + BaseE.similarity_score (eval mode).

    ``rel`` [B, d]; ``head_parts`` four [B, m]; ``tail_parts`` four [E, m]; returns [B, E].
    """
    m = rel.shape[1] // 4
    s_r, x_r, y_r, z_r = (rel[:, i * m : (i + 1) * m] for i in range(4))
    den = np.sqrt(s_r**2 + x_r**2 + y_r**2 + z_r**2)
    s_r, x_r, y_r, z_r = s_r / den, x_r / den, y_r / den, z_r / den
    s_h, x_h, y_h, z_h = head_parts
    if quaternion:  # givens_QuatE_rotations
        a = s_h * s_r - x_h * x_r - y_h * y_r - z_h * z_r
        b = s_h * x_r + s_r * x_h + y_h * z_r - y_r * z_h
        c = s_h * y_r + s_r * y_h + z_h * x_r - z_r * x_h
        d = s_h * z_r + s_r * z_h + x_h * y_r - x_r * y_h
    else:  # givens_DE_rotations_m
        a = s_h * s_r - x_h * x_r + y_h * y_r + z_h * z_r
        b = s_h * x_r + x_h * s_r - y_h * z_r + z_h * y_r
        c = s_h * y_r - x_h * z_r + y_h * s_r + z_h * x_r
        d = s_h * z_r + x_h * y_r - y_h * x_r + z_h * s_r
    lhs = np.concatenate([a, b, c, d], axis=1)
    rhs = np.concatenate(tail_parts, axis=1)
    x2 = (lhs * lhs).sum(-1, keepdims=True)
    y2 = (rhs * rhs).sum(-1, keepdims=True).T
    return bh[:, None] + bt[None, :] - (x2 + y2 - 2.0 * lhs @ rhs.T)


def views_for(n: int = E, widths=(5, 3, 4), seed: int = 20) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    keys = ("char", "subword", "sentence")
    return {
        key: rng.normal(size=(n, w)).astype(np.float32) for key, w in zip(keys, widths, strict=True)
    }


def build(cls, **kw):
    extra = {"views": views_for()} if "MultiView" in cls.__name__ else {}
    model = cls(n_entities=E, n_relations=R, embedding_dim=D, random_state=0, **extra, **kw)
    with torch.no_grad():  # random values everywhere, biases included
        for i, p in enumerate(model.parameters()):
            p.copy_(torch.from_numpy(np.random.default_rng(100 + i).normal(size=p.shape)))
    return model


def np_params(model):
    return {k: v.detach().numpy().astype(np.float64) for k, v in model.state_dict().items()}


def np_entity_parts(model, p):
    m = D // 4
    if not isinstance(model, DihedronMultiView | QuaternionMultiView):
        return [p["entity"][:, i * m : (i + 1) * m] for i in range(4)]
    parts = [p["entity"]]
    for i in range(3):
        w = [p[f"mlps.{i}.{n}"] for n in ("w1", "c1", "w2", "c2")]
        parts.append(np_mlp(p[f"view_{i}"], *w))
    return parts


ALL = [Dihedron, Quaternion, DihedronMultiView, QuaternionMultiView]


@pytest.mark.parametrize("cls", ALL)
def test_scores_match_the_reference_formula(cls):
    model = build(cls)
    p = np_params(model)
    heads = np.array([0, 3, 5, 3, 1])
    rels = np.array([0, 2, 1, 1, 2])
    parts = np_entity_parts(model, p)
    want = np_reference_scores(
        p["relation"][rels],
        [x[heads] for x in parts],
        parts,
        p["bias_head"][heads],
        p["bias_tail"],
        quaternion=cls in (Quaternion, QuaternionMultiView),
    )
    h, r = torch.from_numpy(heads), torch.from_numpy(rels)
    with torch.no_grad():
        got = model.score_all(h, r).numpy()
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-4)
        tails = torch.from_numpy(np.array([2, 3, 0, 5, 1]))
        got1 = model.score(h, r, tails).numpy()
        np.testing.assert_allclose(got1, want[np.arange(5), tails.numpy()], rtol=2e-5, atol=2e-4)
        tails2 = torch.from_numpy(np.random.default_rng(1).integers(0, E, size=(5, 7)))
        got2 = model.score(h, r, tails2).numpy()
        np.testing.assert_allclose(
            got2, np.take_along_axis(want, tails2.numpy(), 1), rtol=2e-5, atol=2e-4
        )
    np.testing.assert_allclose(model.entity_embeddings(), np.concatenate(parts, 1), rtol=1e-5)
    rel = model.relation_embeddings()
    assert rel.dtype == np.float32 and rel.shape == (R, D)
    np.testing.assert_allclose((rel.reshape(R, 4, 2) ** 2).sum(1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("cls", ALL)
def test_class_attributes_and_registry(cls):
    assert KG_MODELS.get(cls.name) is cls
    assert cls.parts == 1
    assert set(cls.training_defaults) <= TRAINING_KEYS
    assert cls.training_defaults["protocol"] == "negative-sampling"
    assert cls.training_defaults["loss"] == "pooled"
    assert cls.training_defaults["optimizer"] == "adagrad"


@pytest.mark.parametrize("cls", ALL)
def test_init_is_seeded_and_leaves_the_global_rng(cls):
    state = torch.get_rng_state()
    kw = {"views": views_for()} if "MultiView" in cls.__name__ else {}
    a = cls(n_entities=E, n_relations=R, embedding_dim=D, random_state=3, **kw)
    b = cls(n_entities=E, n_relations=R, embedding_dim=D, random_state=3, **kw)
    assert torch.equal(torch.get_rng_state(), state)
    for (ka, va), (_, vb) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert torch.equal(va, vb), ka
    assert float(a.entity.detach().abs().max()) < 1e-2  # init_size * N(0, 1), init_size = 1e-3
    assert float(a.bias_head.detach().abs().max()) == 0.0


def test_multiview_parts_come_from_frozen_views_through_the_mlp():
    views = views_for()
    model = DihedronMultiView(n_entities=E, n_relations=R, embedding_dim=D, views=views)
    names = {n for n, _ in model.named_parameters()}
    assert not any(n.startswith("view") for n in names)  # views are buffers
    assert {"mlps.0.w1", "mlps.2.c2", "entity", "relation"} <= names
    assert model.entity.shape == (E, D // 4)
    assert model.view_names == ("char", "subword", "sentence")
    for i, v in enumerate(views.values()):
        buf = getattr(model, f"view_{i}")
        assert not buf.requires_grad
        np.testing.assert_array_equal(buf.numpy(), v)
    emb = model.entity_embeddings()
    with torch.no_grad():
        mlp1 = model.mlps[1](torch.from_numpy(views["subword"])).numpy()
    np.testing.assert_array_equal(emb[:, 4:6], mlp1)
    # gradients reach the MLPs and the structural part, not the views
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    h, r, t = (
        torch.tensor([0, 1, 4]),
        torch.tensor([0, 2, 1]),
        torch.tensor([[2, 3], [5, 0], [1, 1]]),
    )
    loss = -torch.nn.functional.logsigmoid(-model.score(h, r, t)).mean()
    loss.backward()
    for n in ("w1", "c1", "w2", "c2"):
        for mlp in model.mlps:
            assert float(getattr(mlp, n).grad.abs().sum()) > 0.0
    assert float(model.entity.grad.abs().sum()) > 0
    opt.step()
    for i, v in enumerate(views.values()):
        np.testing.assert_array_equal(getattr(model, f"view_{i}").numpy(), v)


def test_structure_only_learns_all_four_parts():
    model = Dihedron(n_entities=E, n_relations=R, embedding_dim=D)
    assert model.entity.shape == (E, D)
    model.score_all(torch.tensor([0, 1]), torch.tensor([1, 2])).sum().backward()
    assert (model.entity.grad[[0, 1]].abs() > 0).all()


def test_views_as_a_sequence():
    v = list(views_for().values())
    model = QuaternionMultiView(n_entities=E, n_relations=R, embedding_dim=D, views=v)
    assert model.view_names == ("view 0", "view 1", "view 2")


@pytest.mark.parametrize(
    ("views", "match"),
    [
        (None, r"A multi-view model needs 'views'"),
        ({"a": np.zeros((E, 2)), "b": np.zeros((E, 2))}, r"'views' must hold 3 views \(parts"),
        (3, r"'views' must be a dict of 3 arrays or a sequence of 3 arrays"),
        (
            {"char": np.zeros((E - 1, 2)), "b": np.zeros((E, 2)), "c": np.zeros((E, 2))},
            r"view 'char' has 5 rows; expected one per entity \(6\)\.",
        ),
        (
            {"a": np.zeros((E, 2)), "sentence": np.full((E, 2), np.nan), "c": np.zeros((E, 2))},
            r"view 'sentence' holds NaN or infinite values",
        ),
        (
            {"a": np.zeros(E), "b": np.zeros((E, 2)), "c": np.zeros((E, 2))},
            r"view 'a' must be a 2-D array \[n_entities, k\]; got shape \(6,\)",
        ),
        (
            {"a": [["x"] * 2] * E, "b": np.zeros((E, 2)), "c": np.zeros((E, 2))},
            r"view 'a' must be a numeric array",
        ),
    ],
)
def test_bad_views(views, match):
    with pytest.raises(InvalidInputError, match=match):
        DihedronMultiView(n_entities=E, n_relations=R, embedding_dim=D, views=views)


def test_bad_dimension_and_init_size():
    with pytest.raises(InvalidInputError, match=r"must be a multiple of 4 .*; got 6\."):
        Dihedron(n_entities=E, n_relations=R, embedding_dim=6)
    with pytest.raises(InvalidInputError, match=r"'init_size' must be a float > 0; got 0"):
        Quaternion(n_entities=E, n_relations=R, embedding_dim=D, init_size=0)


# ------------------------------------------------------------------------------- views
def test_readable_names():
    assert readable_names(["new__york_city", 12, " a_b "]) == ["new york city", "12", "a b"]


def test_views_are_deterministic_for_a_seed():
    names = readable_names(NAMES)
    a = text_views(names, dims=4, random_state=7)
    b = text_views(names, dims=4, random_state=7)
    assert list(a) == ["char", "subword", "word"]
    for key in a:
        assert a[key].dtype == np.float32
        np.testing.assert_array_equal(a[key], b[key])


def test_svd_view_keeps_the_tfidf_geometry():
    """With k = E >= rank the SVD is a rotation: the cosine Gram matrix of TF-IDF is kept."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    names = readable_names(NAMES)
    x = TfidfVectorizer(analyzer="char", ngram_range=(2, 4), sublinear_tf=True)
    x = x.fit_transform(names).toarray()
    assert x.shape[1] > E  # so the SVD does run
    view = char_ngram_views(names, dims=E, random_state=0)["char"]
    assert view.shape == (E, E)
    np.testing.assert_allclose(view @ view.T, x @ x.T, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(view, axis=1), 1.0, rtol=1e-5)


def test_small_vocabulary_is_kept_and_dims_capped():
    v = char_ngram_views(["ab", "ab", "ba"], dims=50)
    assert v["char"].shape == (3, 2)  # two 2-grams 'ab', 'ba': no SVD
    np.testing.assert_allclose(v["char"], [[1, 0], [1, 0], [0, 1]])
    assert char_ngram_views(NAMES, dims=50)["subword"].shape[1] == E  # capped at E


def test_encoder_view_and_its_checks():
    names = readable_names(NAMES)
    enc = np.random.default_rng(0).normal(size=(E, 5))
    v = text_views(names, encode=lambda xs: enc[: len(xs)], dims=3)
    assert list(v) == ["char", "subword", "sentence"]
    np.testing.assert_array_equal(v["sentence"], enc.astype(np.float32))
    with pytest.raises(InvalidInputError, match=r"'encode' must return one row per name, \[6, k\]"):
        text_views(names, encode=lambda xs: enc[:2])
    with pytest.raises(InvalidInputError, match=r"'encode' returned NaN or infinite values"):
        text_views(names, encode=lambda xs: np.full((E, 2), np.inf))
    with pytest.raises(InvalidInputError, match=r"'names' is empty"):
        text_views([])
    with pytest.raises(InvalidInputError, match=r"'dims' must be an int >= 1; got 0"):
        char_ngram_views(names, dims=0)


def test_inputs_from_uses_readable_entity_names():
    train = [(NAMES[i], "rel", NAMES[(i + 1) % E]) for i in range(E)]
    ts = TripleSet.from_labels(train)
    seen = []

    def encode(xs):
        seen.extend(xs)
        return np.ones((len(xs), 3))

    extra = DihedronMultiView.inputs_from(ts, encode=encode, view_dim=4, random_state=1)
    assert seen == readable_names(ts.entities)
    want = text_views(readable_names(ts.entities), dims=4, random_state=1)
    np.testing.assert_array_equal(extra["views"]["char"], want["char"])
    model = DihedronMultiView(
        n_entities=ts.n_entities, n_relations=2 * ts.n_relations, embedding_dim=D, **extra
    )
    assert model.view_names == ("char", "subword", "sentence")
    with pytest.raises(InvalidInputError, match=r"Unknown option\(s\) \['dims'\]"):
        DihedronMultiView.inputs_from(ts, dims=3)
