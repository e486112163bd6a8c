"""The metric-learning reproductions: quick runs compute both sides, the helpers are right."""

import numpy as np
import pytest

from embedlab.bench.reproduce.metric_learning import (
    ADSLReproduction,
    EBVReproduction,
    FaceNetHarmonicReproduction,
    FaceNetSemihardReproduction,
    M2MixReproduction,
    MetrixReproduction,
    SimLAPReproduction,
    cross_recall_at_1,
    digits,
    linear_probe,
    two_view_task,
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
    "entry",
    [
        FaceNetSemihardReproduction,
        FaceNetHarmonicReproduction,
        EBVReproduction,
        MetrixReproduction,
        SimLAPReproduction,
        ADSLReproduction,
    ],
)
def test_quick_runs_compute_both_sides(entry):
    r = entry().run(seeds=1, quick=True)
    assert r.seeds == 1 and r.std == 0.0
    assert 0.2 < r.ours <= 1.0 and 0.0 < r.reference <= 1.0
    assert r.paper == entry.paper and r.metric.startswith(entry.metric)


def test_the_m2mix_quick_run_computes_both_alignments():
    r = M2MixReproduction().run(seeds=1, quick=True)
    assert r.seeds == 1 and not r.higher_is_better
    # alignment of unit pairs lies in [0, 4]; the towers pull the pairs together
    assert 0.0 < r.ours < 2.0 and 0.0 < r.reference < 2.0


def test_the_two_view_task_is_seeded_and_shaped():
    a, b = two_view_task(3, n=50), two_view_task(3, n=50)
    assert a.shape == (50, 80) and a.dtype == np.float32
    assert a.tobytes() == b.tobytes()
    assert not np.array_equal(a, two_view_task(4, n=50))
    # the second view is relu(.) + noise: mostly small positive values around the relu's mean
    assert a[:, 32:].mean() > 0.1


def test_linear_probe_separates_separable_classes():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 20)
    z = rng.normal(0, 0.1, (60, 4)) + np.eye(4)[y]
    assert linear_probe(z, y, 0) == 1.0
    assert linear_probe(rng.normal(size=(60, 4)), y, 0) < 0.7


def test_the_supcon_baseline_sees_simlap_s_views(monkeypatch):
    import torch

    import embedlab.losses.training as training
    from embedlab.bench.reproduce.metric_learning import supcon_loss
    from embedlab.losses import SimLAPLoss, mlp

    views = []
    original = training.augment

    def spy(inputs, **kw):
        views.append(original(inputs, **kw))
        return views[-1]

    monkeypatch.setattr(training, "augment", spy)
    x = torch.rand(8, 5, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0, 1] * 4)
    supcon_loss(3).batch_loss(mlp(5, 4, 3), x, y)
    SimLAPLoss(n_classes=2, embedding_dim=3, random_state=3).batch_loss(mlp(5, 4, 3), x, y)
    assert torch.equal(views[0], views[2]) and torch.equal(views[1], views[3])


def test_many_classes_is_seeded_with_distractor_columns():
    from embedlab.bench.reproduce.metric_learning import many_classes

    x, y = many_classes(1, classes=6, per_class=4)
    x2, _ = many_classes(1, classes=6, per_class=4)
    assert x.shape == (24, 128) and x.tobytes() == x2.tobytes()
    assert np.bincount(y).tolist() == [4] * 6
    # the signal columns are tanh(.) + small noise; the distractors are standard Gaussian
    assert np.abs(x[:, :64]).max() < 1.6 and 0.8 < x[:, 64:].std() < 1.2
