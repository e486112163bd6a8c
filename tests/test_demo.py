"""The demo module (exercised end to end through the CLI in test_cli)."""

from embedlab._demo import _baselines
from embedlab.datasets import load_graph


def test_baselines_are_trivial_features():
    g = load_graph("karate")
    base = _baselines(g, 8, 0)
    assert base["random features (baseline)"].shape == (34, 8)
    deg = base["degree only (baseline)"]
    assert deg.shape == (34, 2) and deg[:, 0].tolist() == g.degrees().tolist()
