"""embedlab.viz projections, quality measures and alignment against brute-force references."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embedlab.exceptions import InvalidInputError
from embedlab.viz import (
    align,
    available_methods,
    knn_agreement,
    knn_overlap,
    map_quality,
    normalize_params,
    project,
    sample_positions,
    trustworthiness,
)


def blobs(n=300, d=16, centres=4, seed=0):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(centres, d)) * 6
    return (c[rng.integers(0, centres, n)] + rng.normal(size=(n, d))).astype(np.float32)


# -- PCA ----------------------------------------------------------------------------------------
def test_pca_equals_the_svd_scores_up_to_sign():
    x = blobs(200, 12)
    y = project(x, "pca", metric="l2")
    c = x.astype(np.float64) - x.mean(0)
    _, _, vt = np.linalg.svd(c, full_matrices=False)
    ref = c @ vt[:2].T
    for j in range(2):
        assert np.allclose(np.abs(y[:, j]), np.abs(ref[:, j]), atol=1e-3)
        # the sign rule: the largest loading of each axis is positive
        axis = vt[j] * np.sign(ref[:, j] @ y[:, j])
        assert axis[np.abs(axis).argmax()] > 0


def test_pca_cosine_projects_the_unit_rows():
    x = blobs(100, 8) + 3
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    assert np.allclose(project(x, "pca"), project(unit, "pca", metric="l2"), atol=1e-5)


def test_pca_of_one_dimension_and_one_row():
    x = np.array([[1.0], [3.0], [5.0]], np.float32)
    assert np.allclose(project(x, metric="l2"), [[-2, 0], [0, 0], [2, 0]])
    assert project(x[:1], metric="l2").tolist() == [[0.0, 0.0]]


def test_pca_variance_is_the_top_two_eigenvalues():
    x = blobs(500, 20)
    y = project(x, metric="l2").astype(np.float64)
    c = x.astype(np.float64) - x.mean(0)
    top = np.sort(np.linalg.eigvalsh(c.T @ c))[::-1][:2]
    assert np.allclose((y * y).sum(0), top, rtol=1e-3)


def test_same_seed_same_bytes_for_pca_and_tsne():
    x = blobs(120, 8)
    assert project(x).tobytes() == project(x).tobytes()
    if available_methods()["tsne"]:
        a = project(x, "tsne", seed=3, n_iter=50, early_exaggeration_iter=20)
        b = project(x, "tsne", seed=3, n_iter=50, early_exaggeration_iter=20)
        assert a.tobytes() == b.tobytes()


@pytest.mark.skipif(not available_methods()["tsne"], reason="openTSNE missing")
def test_tsne_keeps_clusters_and_reports_progress():
    x = blobs(400, 32, centres=5)
    seen: list[float] = []
    y = project(x, "tsne", seed=1, progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 10
    assert map_quality(x, y)["trustworthiness"] > 0.9


@pytest.mark.slow
@pytest.mark.skipif(not available_methods()["umap"], reason="umap-learn missing")
def test_umap_keeps_clusters_and_is_deterministic():
    x = blobs(400, 32, centres=5)
    y = project(x, "umap", seed=1)
    assert y.tobytes() == project(x, "umap", seed=1).tobytes()
    assert map_quality(x, y)["trustworthiness"] > 0.9


# -- parameters ---------------------------------------------------------------------------------
def test_params_are_completed_and_checked():
    assert normalize_params("pca") == {}
    assert normalize_params("tsne", {"perplexity": 10}) == {
        "early_exaggeration_iter": 250,
        "n_iter": 500,
        "n_jobs": 1,
        "perplexity": 10.0,
    }
    with pytest.raises(
        InvalidInputError, match=r"'method' must be one of pca, tsne, umap; got 'mds'"
    ):
        normalize_params("mds")
    with pytest.raises(InvalidInputError, match=r"Unknown pca parameter\(s\) 'k'; allowed: none"):
        normalize_params("pca", {"k": 1})
    with pytest.raises(
        InvalidInputError,
        match=r"umap parameter 'n_neighbors' must be an integer from 2 to 1,000; got 1",
    ):
        normalize_params("umap", {"n_neighbors": 1})
    with pytest.raises(
        InvalidInputError, match=r"umap parameter 'min_dist' must be a number from 0 to 1; got -1"
    ):
        normalize_params("umap", {"min_dist": -1})
    with pytest.raises(
        InvalidInputError,
        match=r"tsne parameter 'perplexity' must be a number from 0 to 1,000 \(not 0\); got 'big'",
    ):
        normalize_params("tsne", {"perplexity": "big"})
    assert normalize_params("umap", {"min_dist": 0})["min_dist"] == 0.0
    for bad in (float("inf"), float("nan"), 1e400, 10_001, 2.5):
        with pytest.raises(
            InvalidInputError, match=r"tsne parameter 'n_iter' must be an integer from 1 to 10,000"
        ):
            normalize_params("tsne", {"n_iter": bad})
    with pytest.raises(
        InvalidInputError, match=r"'perplexity' must be a number from 0 to 1,000 \(not 0\); got 0"
    ):
        normalize_params("tsne", {"perplexity": 0})
    with pytest.raises(
        InvalidInputError, match=r"'min_dist' must be a number from 0 to 1; got 1.5"
    ):
        normalize_params("umap", {"min_dist": 1.5})


def test_bad_arrays_are_refused():
    with pytest.raises(InvalidInputError, match=r"'X' must be a 2-D array .* got shape \(3,\)"):
        project(np.ones(3))
    with pytest.raises(InvalidInputError, match="'X' holds NaN or infinite values"):
        project(np.array([[np.nan, 1.0]]))
    with pytest.raises(
        InvalidInputError, match="'metric' must be one of cosine, ip, l2; got 'dot'"
    ):
        project(np.ones((3, 2)), metric="dot")
    with pytest.raises(InvalidInputError, match="A t-SNE map needs at least 4 points; got 3"):
        project(np.eye(3), "tsne")


# -- sampling -----------------------------------------------------------------------------------
def test_sample_is_uniform_not_the_first_rows():
    counts = np.zeros(10)
    for seed in range(3000):
        pos = sample_positions(10, 3, seed)
        assert len(np.unique(pos)) == 3 and (np.diff(pos) > 0).all()
        counts[pos] += 1
    expected = 3000 * 3 / 10
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 27.9  # chi-square, 9 degrees of freedom, p = 0.001
    assert sample_positions(10**6, 5, 7).tolist() == sample_positions(10**6, 5, 7).tolist()
    assert sample_positions(10**6, 5, 7).max() > 5
    with pytest.raises(InvalidInputError, match="'max_points' must be an integer >= 1; got 0"):
        sample_positions(10, 0)


# -- quality ------------------------------------------------------------------------------------
def brute_knn(x, k, metric):
    if metric == "cosine":
        u = x / np.linalg.norm(x, axis=1, keepdims=True)
        d = 1 - u @ u.T
    else:
        d = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    return [set(np.argsort(row, kind="stable")[:k]) for row in d], d


def test_knn_overlap_equals_brute_force():
    x = blobs(150, 6).astype(np.float64)
    y = project(x, metric="l2").astype(np.float64)
    for metric in ("l2", "cosine"):
        nx, _ = brute_knn(x, 7, metric)
        ny, _ = brute_knn(y, 7, "l2")
        ref = [len(a & b) / 7 for a, b in zip(nx, ny, strict=True)]
        assert np.allclose(knn_overlap(x, y, 7, metric=metric), ref)


def test_knn_agreement_equals_brute_force():
    a = blobs(120, 8, seed=1).astype(np.float64)
    b = a + np.random.default_rng(2).normal(size=a.shape) * 2
    na, _ = brute_knn(a, 5, "l2")
    nb, _ = brute_knn(b, 5, "cosine")
    ref = [len(p & q) / 5 for p, q in zip(na, nb, strict=True)]
    assert np.allclose(knn_agreement(a, b, 5, metric_a="l2", metric_b="cosine"), ref)
    assert np.all(knn_agreement(a, 3 * a, 5, metric_a="l2", metric_b="l2") == 1)
    with pytest.raises(
        InvalidInputError, match=r"'k' must be smaller than the number of points \(3\)"
    ):
        knn_agreement(np.eye(3), np.eye(3), 3)


def trust_reference(x, y, k):
    """Venna & Kaski's trustworthiness, transcribed: ranks in the original space."""
    n = len(x)
    _, dx = brute_knn(x, k, "l2")
    ny, _ = brute_knn(y, k, "l2")
    ranks = np.argsort(np.argsort(dx, axis=1, kind="stable"), axis=1) + 1  # 1 = nearest
    nx = [set(np.argsort(row, kind="stable")[:k]) for row in dx]
    penalty = sum(ranks[i, j] - k for i in range(n) for j in ny[i] - nx[i])
    return 1 - 2 / (n * k * (2 * n - 3 * k - 1)) * penalty


def test_trustworthiness_matches_the_formula():
    x = blobs(80, 5).astype(np.float64)
    y = project(x, metric="l2").astype(np.float64)
    assert trustworthiness(x, y, 5, metric="l2") == pytest.approx(trust_reference(x, y, 5))
    with pytest.raises(
        InvalidInputError, match=r"'k' must be below half the number of points \(6\)"
    ):
        trustworthiness(np.eye(6), np.eye(6)[:, :2], 3)
    with pytest.raises(InvalidInputError, match="Trustworthiness needs a distance"):
        trustworthiness(np.eye(6), np.eye(6)[:, :2], 1, metric="ip")


@pytest.mark.parametrize("metric", ["l2", "cosine"])
@pytest.mark.parametrize("k", [1, 5, 12])
def test_trustworthiness_equals_scikit_learns(metric, k):
    from sklearn.manifold import trustworthiness as sk_trust

    x = blobs(150, 9, seed=k).astype(np.float64)
    y = project(x, metric=metric).astype(np.float64) + np.random.default_rng(k).normal(
        size=(150, 2)
    )
    ours = trustworthiness(x, y, k, metric=metric)
    ref = sk_trust(x, y, n_neighbors=k, metric="euclidean" if metric == "l2" else "cosine")
    assert ours == pytest.approx(ref, abs=1e-12)
    with pytest.raises(InvalidInputError, match="at most 5,000 points; got 5,001"):
        trustworthiness(np.ones((5001, 2)), np.ones((5001, 2)), 1)


def test_map_quality_uses_a_sample_and_a_fitting_k():
    x = blobs(500, 16)
    y = project(x)
    q = map_quality(x, y, sample=100, seed=4)
    pos = sample_positions(500, 100, 4)
    assert q["sample"] == 100 and q["k"] == 10
    assert q["trustworthiness"] == pytest.approx(trustworthiness(x[pos], y[pos], 10))
    assert q["knn_overlap"] == pytest.approx(knn_overlap(x[pos], y[pos], 10).mean())
    assert map_quality(x[:9], y[:9])["k"] == 4
    assert map_quality(x[:3], y[:3])["trustworthiness"] is None
    with pytest.raises(InvalidInputError, match="'k' must be an integer >= 1; got 2.5"):
        map_quality(x, y, k=2.5)
    with pytest.raises(InvalidInputError, match="'sample' must be from 1 to 5,000"):
        map_quality(x, y, sample=10_000)
    # a perfect map: the original 2-D points themselves
    flat = blobs(200, 2)
    assert map_quality(flat, flat, metric="l2") == {
        "trustworthiness": 1.0,
        "knn_overlap": 1.0,
        "k": 10,
        "sample": 200,
    }


# -- alignment ----------------------------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(
    angle=st.floats(0, 2 * np.pi),
    scale=st.floats(0.1, 10),
    flip=st.booleans(),
    shift=st.tuples(st.floats(-100, 100), st.floats(-100, 100)),
)
def test_align_recovers_a_similarity_transform(angle, scale, flip, shift):
    a = blobs(30, 2, seed=5).astype(np.float64)
    r = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    if flip:
        r = r @ np.diag([1.0, -1.0])
    b = scale * a @ r + np.array(shift)
    for how in ("least_squares", "spread"):
        fit = align(b, a, scale=how)
        assert np.allclose(fit.apply(b), a, atol=1e-3)
        assert fit.scale == pytest.approx(1 / scale, rel=1e-6)


def test_align_is_the_least_squares_procrustes():
    from scipy.linalg import orthogonal_procrustes

    rng = np.random.default_rng(0)
    a = rng.normal(size=(50, 2))
    b = rng.normal(size=(50, 2))
    fit = align(b, a)
    r, _ = orthogonal_procrustes(b - b.mean(0), a - a.mean(0))
    assert np.allclose(fit.rotation, r)
    # no other scale does better
    base = ((fit.apply(b) - a) ** 2).sum()
    for s in (0.9, 1.1):
        moved = s * fit.scale * (b - b.mean(0)) @ fit.rotation + a.mean(0)
        assert ((moved - a) ** 2).sum() > base
    with pytest.raises(InvalidInputError, match="matched 2-D arrays of one shape"):
        align(np.ones((3, 2)), np.ones((4, 2)))
    # "spread": same rotation, and the moved map as spread as the target (RMS about the mean)
    even = align(b, a, scale="spread")
    assert np.allclose(even.rotation, fit.rotation)
    moved = even.apply(b)
    assert np.sqrt(((moved - moved.mean(0)) ** 2).sum()) == pytest.approx(
        np.sqrt(((a - a.mean(0)) ** 2).sum())
    )
    assert fit.scale < even.scale  # unrelated maps: least squares shrinks
    with pytest.raises(
        InvalidInputError, match="'scale' must be 'least_squares' or 'spread'; got 'max'"
    ):
        align(a, b, scale="max")
