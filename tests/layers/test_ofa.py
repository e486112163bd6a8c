"""OFA's factorisation and initialisation against the paper's equations, written out by loops."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from embedlab.exceptions import InvalidInputError  # noqa: E402
from embedlab.layers.ofa import (  # noqa: E402
    COPIED,
    NEIGHBOURS,
    RANDOM,
    FactorizedEmbedding,
    factorize,
    gaussian_rows,
    ofa_initialize,
    subword_mean_rows,
    subword_vectors,
)
from embedlab.testing import check_layer  # noqa: E402


def _rng(seed=0):
    return np.random.default_rng(seed)


@pytest.mark.parametrize("rank", [1, 3, 8])
def test_factorisation_error_is_the_discarded_singular_values(rank):
    e = _rng(rank).normal(size=(40, 8))
    c, p = factorize(e, rank)
    s = np.linalg.svd(e, compute_uv=False)
    err = np.linalg.norm(e - c @ p)
    assert err == pytest.approx(np.sqrt(np.sum(s[rank:] ** 2)), rel=1e-10, abs=1e-10)
    assert np.allclose(c.T @ c, np.eye(rank))  # coordinates are orthonormal columns
    # Eckart-Young: no other rank-k matrix does better (a random projection's least squares)
    q, _ = np.linalg.qr(_rng(99).normal(size=(8, rank)))
    other = (e @ q) @ q.T
    assert err <= np.linalg.norm(e - other) + 1e-12


def test_full_rank_factorisation_is_exact():
    e = _rng().normal(size=(10, 4))
    c, p = factorize(e, 4)
    assert np.allclose(c @ p, e)


def test_subword_vectors_are_the_mean_over_the_words_containing_them():
    w = _rng().normal(size=(4, 3))
    pieces = [[0, 1], [1, 1, 2], [2], []]  # a repeated piece counts its word once
    got, covered = subword_vectors(w, pieces, 5)
    for t in range(5):
        users = [i for i, p in enumerate(pieces) if t in p]
        if users:
            assert covered[t] and np.allclose(got[t], w[users].mean(0))
        else:
            assert not covered[t] and np.all(got[t] == 0)


def _brute_ofa(c, sv, scov, tv, tcov, shared, k, temp):
    out, kind = {}, {}
    for t in range(len(tv)):
        if shared[t] >= 0:
            out[t], kind[t] = c[shared[t]], COPIED
            continue
        if not tcov[t]:
            kind[t] = RANDOM
            continue
        sims = []
        for j in range(len(c)):
            if scov[j]:
                cos = tv[t] @ sv[j] / np.linalg.norm(tv[t]) / np.linalg.norm(sv[j])
                sims.append((cos, j))
        best = sorted(sims, reverse=True)[:k]
        z = np.array([s for s, _ in best]) / temp
        w = np.exp(z) / np.exp(z).sum()
        out[t] = sum(wi * c[j] for wi, (_, j) in zip(w, best, strict=True))
        kind[t] = NEIGHBOURS
    return out, kind


@pytest.mark.parametrize(("k", "temp"), [(1, 0.1), (3, 0.1), (4, 1.0)])
def test_initialisation_equals_the_written_out_rule(k, temp):
    g = _rng(k)
    c = g.normal(size=(12, 5))
    sv, tv = g.normal(size=(12, 6)), g.normal(size=(9, 6))
    scov = np.ones(12, bool)
    scov[[2, 7]] = False  # uncovered source subwords are never neighbours
    tcov = np.ones(9, bool)
    tcov[[5]] = False
    shared = np.array([0, 3, -1, -1, 11, -1, -1, -1, 4])
    init = ofa_initialize(c, sv, scov, tv, tcov, shared, neighbors=k, temperature=temp)
    want, kind = _brute_ofa(c, sv, scov, tv, tcov, shared, k, temp)
    assert list(init.source) == [kind[t] for t in range(9)]
    for t, row in want.items():
        if kind[t] == COPIED:
            assert np.array_equal(init.matrix[t], c[shared[t]])  # exactly, not approximately
        else:
            assert np.allclose(init.matrix[t], row)
            assert not set(init.neighbours[t]) & {2, 7}
            assert init.weights[t].sum() == pytest.approx(1.0)
    assert init.counts() == {"copied": 4, "neighbours": 4, "random": 1}


def test_uncovered_new_tokens_are_drawn_from_the_source_columns_gaussian():
    g = _rng(1)
    c = g.normal(loc=[0.0, 5.0, -3.0], scale=[1.0, 0.1, 2.0], size=(50, 3))
    sv = g.normal(size=(50, 2))
    n = 4000
    init = ofa_initialize(
        c,
        sv,
        np.ones(50, bool),
        np.zeros((n, 2)),
        np.zeros(n, bool),
        np.full(n, -1),
        random_state=3,
    )
    assert (init.source == RANDOM).all()
    assert np.allclose(init.matrix.mean(0), c.mean(0), atol=0.1)
    assert np.allclose(init.matrix.std(0), c.std(0), rtol=0.05)
    again = ofa_initialize(
        c,
        sv,
        np.ones(50, bool),
        np.zeros((n, 2)),
        np.zeros(n, bool),
        np.full(n, -1),
        random_state=3,
    )
    assert np.array_equal(init.matrix, again.matrix)
    assert np.array_equal(init.matrix, gaussian_rows(c, n, 3))


def test_blocks_do_not_change_the_result():
    g = _rng(5)
    c, sv, tv = g.normal(size=(30, 4)), g.normal(size=(30, 3)), g.normal(size=(25, 3))
    args = (c, sv, np.ones(30, bool), tv, np.ones(25, bool), np.full(25, -1))
    a = ofa_initialize(*args, neighbors=5, block=1024)
    b = ofa_initialize(*args, neighbors=5, block=3)
    assert np.array_equal(a.neighbours, b.neighbours)
    assert np.allclose(a.matrix, b.matrix, rtol=1e-12, atol=1e-12)  # BLAS blocking rounds


def test_subword_mean_rows():
    e = _rng().normal(size=(6, 3))
    got = subword_mean_rows(e, [[1, 2], [5], [0, 0, 4]])
    assert np.allclose(got, [e[[1, 2]].mean(0), e[5], e[[0, 0, 4]].mean(0)])


def test_factorized_embedding_is_coordinates_times_primitives():
    g = _rng(2)
    c, p = g.normal(size=(7, 3)), g.normal(size=(3, 5))
    layer = FactorizedEmbedding.from_factors(c, p)
    ids = torch.tensor([[0, 6, 3], [3, 3, 1]])
    want = torch.as_tensor(c, dtype=torch.float32)[ids] @ torch.as_tensor(p, dtype=torch.float32)
    assert torch.allclose(layer(ids), want)
    assert torch.allclose(layer.weight, torch.as_tensor(c @ p, dtype=torch.float32), atol=1e-5)
    layer(ids).sum().backward()
    # only the looked-up coordinate rows get a gradient; the primitives always do
    touched = {int(i) for i in ids.flatten()}
    for r in range(7):
        assert bool(torch.any(layer.coordinates.grad[r] != 0)) == (r in touched)
    assert torch.any(layer.primitives.grad != 0)
    assert layer.flops_per_token == 2 * 3 * 5


def test_factorized_embedding_passes_the_layer_contract():
    check_layer("ofa-embedding")


def test_same_seed_same_bytes_and_the_global_generator_untouched():
    state = torch.random.get_rng_state()
    a = FactorizedEmbedding(9, 2, 4, random_state=1)
    b = FactorizedEmbedding(9, 2, 4, random_state=1)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.equal(a.coordinates, b.coordinates) and torch.equal(a.primitives, b.primitives)
    assert not torch.equal(a.coordinates, FactorizedEmbedding(9, 2, 4, random_state=2).coordinates)


def test_error_messages():
    e = _rng().normal(size=(5, 3))
    with pytest.raises(
        InvalidInputError, match=r"'rank' \(4\) must be at most min\(n_tokens, dim\) = 3"
    ):
        factorize(e, 4)
    with pytest.raises(InvalidInputError, match="'rank' must be an int >= 1; got 0"):
        factorize(e, 0)
    with pytest.raises(InvalidInputError, match="'source' must be a non-empty 2-d matrix"):
        factorize(np.ones(3), 1)
    with pytest.raises(InvalidInputError, match="'source' has non-finite values"):
        factorize(np.full((2, 2), np.nan), 1)
    with pytest.raises(InvalidInputError, match="'word_pieces' has 1 entries for 5 word vectors"):
        subword_vectors(e, [[0]], 4)
    with pytest.raises(InvalidInputError, match=r"word 0 has a piece outside \[0, 2\)"):
        subword_vectors(e[:1], [[3]], 2)
    with pytest.raises(InvalidInputError, match="token 0 has no source pieces"):
        subword_mean_rows(e, [[]])
    with pytest.raises(InvalidInputError, match=r"token 0 has a piece outside \[0, 5\)"):
        subword_mean_rows(e, [[5]])
    ok = (e, e, np.ones(5, bool), e[:2], np.ones(2, bool), np.array([-1, 0]))
    with pytest.raises(InvalidInputError, match="'temperature' must be > 0; got 0"):
        ofa_initialize(*ok, neighbors=2, temperature=0)
    with pytest.raises(
        InvalidInputError, match="only 5 source subwords are covered .* 'neighbors' is 6"
    ):
        ofa_initialize(*ok, neighbors=6)
    with pytest.raises(InvalidInputError, match=r"'shared' must hold source ids in \[0, 5\) or -1"):
        ofa_initialize(*ok[:5], np.array([-1, 5]), neighbors=2)
    with pytest.raises(InvalidInputError, match="one entry per target token \\(2\\)"):
        ofa_initialize(*ok[:5], np.array([-1]), neighbors=2)
    with pytest.raises(InvalidInputError, match="source and target vectors differ in width"):
        ofa_initialize(e, e, np.ones(5, bool), e[:2, :2], np.ones(2, bool), np.array([-1, 0]))
    with pytest.raises(InvalidInputError, match="one row per source token \\(5\\)"):
        ofa_initialize(e, e[:4], np.ones(4, bool), e[:2], np.ones(2, bool), np.array([-1, 0]))
    with pytest.raises(InvalidInputError, match="the ranks differ"):
        FactorizedEmbedding.from_factors(np.ones((3, 2)), np.ones((3, 2)))
    layer = FactorizedEmbedding(4, 2, 3)
    with pytest.raises(InvalidInputError, match=r"token ids must lie in \[0, 4\)"):
        layer(torch.tensor([4]))
    with pytest.raises(InvalidInputError, match="token ids must be int32/int64"):
        layer(torch.tensor([0.0]))


def test_zero_vectors_count_as_uncovered():
    # a word space can give a subword an exactly-zero mean: it has no direction to compare
    w = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    _, covered = subword_vectors(w, [[0], [0], [1]], 3)
    assert covered.tolist() == [False, True, False]  # token 0's two words cancel out
    c = _rng().normal(size=(6, 3))
    sv = _rng(1).normal(size=(6, 2))
    sv[2] = 0.0  # a zero source vector is never a neighbour
    tv = np.array([[0.0, 0.0], [1.0, 0.5]])
    init = ofa_initialize(
        c, sv, np.ones(6, bool), tv, np.ones(2, bool), np.array([-1, -1]), neighbors=5
    )
    assert init.source.tolist() == [RANDOM, NEIGHBOURS]
    assert 2 not in set(init.neighbours[1])


def test_ids_and_flags_must_have_their_types():
    e = _rng().normal(size=(5, 3))
    with pytest.raises(InvalidInputError, match="'shared' must hold integer source ids"):
        ofa_initialize(e, e, np.ones(5, bool), e[:2], np.ones(2, bool), np.array([-1.0, 0.5]))
    with pytest.raises(InvalidInputError, match="'target_covered' must be a bool array"):
        ofa_initialize(e, e, np.ones(5, bool), e[:2], np.ones(2), np.array([-1, 0]))
