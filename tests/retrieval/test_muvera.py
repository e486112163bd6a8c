"""MUVERA FDEs against a plain transcription of the reference, closed forms and properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embedlab.exceptions import InvalidInputError, NotFittedError
from embedlab.io import MultiVector
from embedlab.retrieval.muvera import (
    MuveraFDE,
    MuveraRetriever,
    chamfer_rerank,
    chamfer_scores,
    chamfer_search,
    gray_bucket,
)


def reference_fde(fde, sets, *, document):
    """Google's GenerateQuery/DocumentFixedDimensionalEncoding, loop by loop, on the matrices
    ``fde`` drew (AppendToGrayCode, GrayCodeToBinary distance, sum / average / fill)."""
    k, dp, b = fde.num_simhash, fde.block_dim_, 2**fde.num_simhash
    out = []
    for pts in sets:
        vec = np.zeros(fde.num_repetitions * b * dp)
        for r in range(fde.num_repetitions):
            sketch = pts @ fde.simhash_[r]
            proj = pts if fde.projections_ is None else pts @ fde.projections_[r]
            sizes = np.zeros(b)
            for i in range(len(pts)):
                idx = 0
                for j in range(k):
                    bit = int(sketch[i, j] > 0)
                    idx = (idx << 1) + (bit ^ (idx & 1))
                base = r * b * dp + idx * dp
                vec[base : base + dp] += proj[i]
                sizes[idx] += 1
            if not document:
                continue
            for p in range(b):
                base = r * b * dp + p * dp
                if sizes[p] == 0 and k > 0:
                    if fde.fill_empty_partitions and len(pts):
                        best, best_d = -1, 10**9
                        for i in range(len(pts)):
                            binary, dist = p ^ (p >> 1), 0
                            for j in range(k - 1, -1, -1):
                                dist += int(sketch[i, j] > 0) != (binary & 1)
                                binary >>= 1
                            if dist < best_d:
                                best, best_d = i, dist
                        vec[base : base + dp] = proj[best]
                    continue
                if sizes[p] > 0:
                    vec[base : base + dp] /= sizes[p]
        out.append(vec)
    return np.array(out)


def random_sets(rng, n, d, lo=1, hi=12):
    return [rng.normal(size=(rng.integers(lo, hi), d)).astype(np.float32) for _ in range(n)]


@pytest.mark.parametrize("projection", ["ams", "dense", "identity"])
@pytest.mark.parametrize("fill", [True, False])
def test_matches_the_reference_transcription(projection, fill, global_random_seed):
    rng = np.random.default_rng(global_random_seed)
    sets = random_sets(rng, 6, 10)
    fde = MuveraFDE(
        num_repetitions=3,
        num_simhash=3,
        projection=projection,
        projection_dim=4,
        fill_empty_partitions=fill,
        random_state=global_random_seed,
    ).fit(10)
    mv = MultiVector.from_list(sets)
    np.testing.assert_allclose(
        fde.transform_documents(mv), reference_fde(fde, sets, document=True), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(
        fde.transform_queries(mv), reference_fde(fde, sets, document=False), rtol=1e-5, atol=1e-5
    )


def test_gray_code_buckets_match_append_to_gray_code():
    bits = np.array(list(np.ndindex(2, 2, 2, 2)), dtype=bool)
    want = []
    for row in bits:
        idx = 0
        for bit in row:
            idx = (idx << 1) + (int(bit) ^ (idx & 1))
        want.append(idx)
    assert gray_bucket(bits).tolist() == want
    assert sorted(want) == list(range(16))  # a bijection


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 12))
def test_one_bucket_identity_is_sum_times_mean(seed, d):
    rng = np.random.default_rng(seed)
    q, p = rng.normal(size=(rng.integers(1, 6), d)), rng.normal(size=(rng.integers(1, 6), d))
    fde = MuveraFDE(num_repetitions=1, num_simhash=0, projection="identity").fit(d)
    fq = fde.transform_queries(MultiVector.from_list([q]))
    fp = fde.transform_documents(MultiVector.from_list([p]))
    want = q.sum(axis=0) @ p.mean(axis=0)
    assert float(fq[0] @ fp[0]) == pytest.approx(float(want), rel=1e-4, abs=1e-4)


def clustered(rng, n_sets, d=32, centres=20):
    c = rng.normal(size=(centres, d))
    sets = []
    for _ in range(n_sets):
        pick = rng.integers(0, centres, size=rng.integers(4, 10))
        v = c[pick] + 0.3 * rng.normal(size=(len(pick), d))
        sets.append(v / np.linalg.norm(v, axis=1, keepdims=True))
    return MultiVector.from_list(sets)


def test_fde_tracks_chamfer_and_improves_with_repetitions():
    """Clustered unit vectors (the setting of the paper's analysis), k_sim = 3."""
    rng = np.random.default_rng(0)
    docs, queries = clustered(rng, 200), clustered(rng, 20)
    exact = chamfer_scores(queries, docs)
    overlap, corr = {}, {}
    for r in (1, 4, 16, 64):
        fde = MuveraFDE(num_repetitions=r, num_simhash=3, projection="identity", random_state=1)
        fde.fit(32)
        approx = fde.transform_queries(queries) @ fde.transform_documents(docs).T / r
        top_exact = np.argsort(-exact, axis=1)[:, :10]
        top_fde = np.argsort(-approx, axis=1)[:, :10]
        overlap[r] = np.mean(
            [len(set(a) & set(b)) / 10 for a, b in zip(top_exact, top_fde, strict=True)]
        )
        corr[r] = np.mean([np.corrcoef(a, b)[0, 1] for a, b in zip(approx, exact, strict=True)])
    # FDE products are biased in scale (bucket sums times bucket means), so the error that must
    # shrink is the scale-free one, 1 - correlation, and the rank disagreement with Chamfer
    assert corr[64] > corr[16] > corr[4] > corr[1] and corr[64] > 0.7
    assert overlap[64] > overlap[16] > overlap[4] > overlap[1]


def test_chamfer_scores_brute_force(rng):
    qs, ds = random_sets(rng, 5, 6), random_sets(rng, 40, 6)
    got = chamfer_scores(MultiVector.from_list(qs), MultiVector.from_list(ds), block_tokens=17)
    want = np.array([[sum((q @ p.T).max(axis=1)) for p in ds] for q in qs])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    _, i = chamfer_search(MultiVector.from_list(qs), MultiVector.from_list(ds), 3)
    np.testing.assert_array_equal(i, np.argsort(-want, axis=1, kind="stable")[:, :3])


def test_rerank_and_pipeline(rng):
    docs, queries = clustered(rng, 300), clustered(rng, 10)
    exact = chamfer_scores(queries, docs)
    cand = np.argsort(-exact, axis=1)[:, :30].copy()
    cand[:, -5:] = -1
    s, i = chamfer_rerank(queries, docs, cand, 10)
    np.testing.assert_array_equal(i, np.argsort(-exact, axis=1, kind="stable")[:, :10])
    np.testing.assert_allclose(s, np.take_along_axis(exact, i, axis=1), rtol=1e-5)
    ret = MuveraRetriever(
        MuveraFDE(num_repetitions=16, num_simhash=3, projection_dim=8), candidates=300
    ).fit(docs)
    _, i2 = ret.search(queries, 10)  # every document is a candidate: the exact top 10
    np.testing.assert_array_equal(i2, i)
    fs, fi = ret.search(queries, 10, rerank=False)
    assert fi.shape == (10, 10) and (np.diff(fs, axis=1) <= 1e-5).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_repetitions": 0}, "'num_repetitions' must be an int >= 1"),
        ({"num_simhash": 31}, r"'num_simhash' must be in \[0, 30\]"),
        ({"projection": "pca"}, "'projection' must be 'ams', 'dense' or 'identity'"),
        ({"projection_dim": 0}, "'projection_dim' must be an int >= 1"),
        ({"final_projection": "svd"}, "'final_projection' must be None"),
        ({"final_projection": "dense"}, "'final_dim' must be an int >= 1"),
    ],
)
def test_parameter_errors(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        MuveraFDE(**kwargs).fit(8)


def test_use_errors(rng):
    mv = MultiVector.from_list(random_sets(rng, 2, 4))
    with pytest.raises(NotFittedError, match="not fitted"):
        MuveraFDE().transform_queries(mv)
    with pytest.raises(InvalidInputError, match="fitted for 8"):
        MuveraFDE().fit(8).transform_documents(mv)
    with pytest.raises(InvalidInputError, match="Give a MultiVector"):
        MuveraFDE().fit(4).transform_queries(np.ones((2, 4)))
    with pytest.raises(InvalidInputError, match=r"candidate positions must lie in \[-1, 2\)"):
        chamfer_rerank(mv, mv, [[5], [0]], 1)


def test_final_projections_keep_inner_products_on_average(rng):
    docs = MultiVector.from_list(random_sets(rng, 50, 16, 3, 8))
    base = MuveraFDE(num_repetitions=4, num_simhash=2, projection_dim=8, random_state=3).fit(16)
    full = base.transform_documents(docs)
    for kind in ("countsketch", "dense"):
        fde = MuveraFDE(
            num_repetitions=4,
            num_simhash=2,
            projection_dim=8,
            final_projection=kind,
            final_dim=64,
            random_state=3,
        ).fit(16)
        small = fde.transform_documents(docs)
        assert small.shape == (50, 64)
        # same seed, same inner matrices: the final map is applied to the same FDEs
        np.testing.assert_allclose(
            small,
            full @ (fde.final_.toarray() if kind == "countsketch" else fde.final_),
            rtol=1e-4,
            atol=1e-4,
        )
        ratio = (small @ small.T).trace() / (full @ full.T).trace()
        assert 0.7 < ratio < 1.3


def test_empty_sets_score_zero(rng):
    q = MultiVector.from_list([rng.normal(size=(2, 3)), np.zeros((0, 3))])
    d = MultiVector.from_list([rng.normal(size=(4, 3)), np.zeros((0, 3)), rng.normal(size=(1, 3))])
    got = chamfer_scores(q, d)
    assert (got[1] == 0).all() and (got[:, 1] == 0).all()
    np.testing.assert_allclose(got[0, 2], (q[0] @ d[2].T).max(axis=1).sum(), rtol=1e-5)
