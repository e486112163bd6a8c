"""The batched L-BFGS reaches scikit-learn's LogisticRegression solution for every label."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from embedlab.eval._logreg import fit_multilabel_logreg


@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
@pytest.mark.parametrize(("penalize", "solver"), [(False, "lbfgs"), (True, "liblinear")])
def test_matches_sklearn(global_random_seed, C, penalize, solver):
    rng = np.random.default_rng(global_random_seed)
    x = rng.normal(size=(300, 8))
    w_true = rng.normal(size=(8, 5))
    y = (x @ w_true + rng.normal(size=(300, 5)) + np.array([0, 1, -2, 3, -1])) > 0
    w, b = fit_multilabel_logreg(x, y, C=C, tol=1e-8, max_iter=5000, penalize_intercept=penalize)
    for j in range(5):
        ref = LogisticRegression(C=C, tol=1e-10, max_iter=10000, solver=solver).fit(x, y[:, j])
        np.testing.assert_allclose(w[:, j], ref.coef_[0], rtol=1e-4, atol=1e-5)
        assert b[j] == pytest.approx(ref.intercept_[0], rel=1e-4, abs=1e-5)


def test_separable_label_is_bounded_by_regularisation():
    x = np.r_[np.ones((20, 1)), -np.ones((20, 1))]
    y = np.r_[np.ones(20), np.zeros(20)][:, None].astype(bool)
    w, _ = fit_multilabel_logreg(x, y, C=1.0)
    assert np.isfinite(w).all() and 1 < w[0, 0] < 20


def test_unreachable_tolerance_stops_instead_of_spinning():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4))
    y = (x[:, :2] + rng.normal(size=(200, 2))) > 0
    w, _ = fit_multilabel_logreg(x, y, C=1.0, tol=1e-300, max_iter=100000, penalize_intercept=False)
    ref = LogisticRegression(C=1.0, tol=1e-8, max_iter=10000).fit(x, y[:, 0])
    np.testing.assert_allclose(w[:, 0], ref.coef_[0], rtol=1e-4, atol=1e-6)
