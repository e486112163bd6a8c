"""The metric-learning reproductions: quick runs compute both sides, the helpers are right."""

import numpy as np
import pytest

from embedlab.bench.reproduce.metric_learning import (
    EBVReproduction,
    FaceNetHarmonicReproduction,
    FaceNetSemihardReproduction,
    cross_recall_at_1,
    digits,
)


def test_digits_are_the_bundled_set_scaled():
    x, y = digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_cross_recall_leaves_the_query_image_out():
    labels = np.array([0, 0, 1, 1])
    q = np.array([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0], [0.1, 1.0]])
    assert cross_recall_at_1(q, q, labels) == 1.0
    # a gallery whose rows are swapped between classes: every query finds the other class
    assert cross_recall_at_1(q, q[[2, 3, 0, 1]], labels) == 0.0


@pytest.mark.parametrize(
    "entry", [FaceNetSemihardReproduction, FaceNetHarmonicReproduction, EBVReproduction]
)
def test_quick_runs_compute_both_sides(entry):
    r = entry().run(seeds=1, quick=True)
    assert r.seeds == 1 and r.std == 0.0
    assert 0.2 < r.ours <= 1.0 and 0.0 < r.reference <= 1.0
    assert r.paper == entry.paper and r.metric.startswith(entry.metric)
