"""The kg reproductions in quick mode: both sides computed on the real data, the JSON contract."""

import pytest
from typer.testing import CliRunner

from embedlab.cli import app
from embedlab.registry import REPRODUCTIONS

pytestmark = pytest.mark.data


@pytest.mark.parametrize(("name", "dataset"), [("nfe", "kinships"), ("hypercomplex", "nations")])
def test_quick_runs_both_sides(data_dir, name, dataset):
    r = REPRODUCTIONS.make(name).run(quick=True)
    assert dataset in r.metric and r.seeds == 1 and r.std == 0.0
    n_entities = {"kinships": 104, "nations": 14}[dataset]
    chance = sum(1 / k for k in range(1, n_entities + 1)) / n_entities
    assert r.ours > chance and r.reference > chance  # both models trained, not random
    assert r.ours != r.reference


def test_listed_by_the_cli():
    res = CliRunner().invoke(app, ["bench", "reproduce", "--list"])
    assert res.exit_code == 0, res.output
    assert "nfe" in res.stdout and "hypercomplex" in res.stdout
