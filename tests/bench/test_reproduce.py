"""``embedlab bench reproduce``: the registry, every entry's contract, the result keys, runs."""

from __future__ import annotations

import json
import math
from dataclasses import fields

import numpy as np
import pytest
from typer.testing import CliRunner

from embedlab.bench._base import Reproduction, ReproductionResult
from embedlab.bench.references import PAPERS, REFERENCES, reference
from embedlab.bench.reproduce._common import check_seeds, result
from embedlab.cli import app
from embedlab.exceptions import InvalidInputError
from embedlab.registry import REPRODUCTIONS

runner = CliRunner()
NAMES = [
    "adsl",
    "deepwalk",
    "ebv",
    "facenet-harmonic",
    "facenet-semihard",
    "fastrp",
    "gradco",
    "graphhash",
    "hypercomplex",
    "m2mix",
    "m2trec",
    "memoryformer",
    "metrix",
    "monolith",
    "mot",
    "muvera",
    "nfe",
    "node2vec",
    "ofa",
    "simlap",
    "unified-embedding",
]
KEYS = [
    "paper",
    "claim",
    "metric",
    "ours",
    "reference",
    "reference_name",
    "higher_is_better",
    "seeds",
    "std",
]


def test_registry_names() -> None:
    assert REPRODUCTIONS.names() == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_entry_class_attributes(name: str) -> None:
    cls = REPRODUCTIONS.get(name)
    assert issubclass(cls, Reproduction)
    assert cls.name == name
    assert cls.paper in PAPERS.values()  # cited in the one place
    assert any(str(year) in cls.paper for year in range(2009, 2027))
    assert len(cls.claim) > 40 and cls.claim == cls.claim.strip()
    assert isinstance(cls.metric, str) and cls.metric
    assert cls.__doc__ and cls.__module__.startswith("embedlab.bench.reproduce.")


def test_result_keys_and_order() -> None:
    assert [f.name for f in fields(ReproductionResult)] == KEYS
    r = result(
        REPRODUCTIONS.make("fastrp"),
        metric="micro_f1@0.1",
        ours=[0.36, 0.38, 0.40],
        reference=[0.30, 0.32, 0.34],
        reference_name="x",
    )
    assert list(r.to_dict()) == KEYS
    assert r.ours == pytest.approx(0.38) and r.reference == pytest.approx(0.32)
    assert r.std == pytest.approx(np.std([0.36, 0.38, 0.40])) and r.seeds == 3
    assert r.holds
    lower = result(
        REPRODUCTIONS.make("fastrp"),
        metric="loss",
        ours=[0.5],
        reference=0.4,
        reference_name="x",
        higher_is_better=False,
    )
    assert not lower.holds and lower.std == 0.0


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_seeds_validated(bad: object) -> None:
    with pytest.raises(InvalidInputError, match=r"'seeds' must be an int >= 1; got"):
        check_seeds(bad)  # type: ignore[arg-type]


def test_references_are_cited_fractions() -> None:
    for key, ref in REFERENCES.items():
        assert ref.key == key and ref.paper in PAPERS
        assert 0.0 < ref.value < 1.0 and ref.where and ref.metric
    assert reference("fastrp-blogcatalog-micro_f1@0.1").value == 0.372
    with pytest.raises(InvalidInputError, match=r"Unknown reference 'nope'; choose one of: "):
        reference("nope")


def test_cli_list() -> None:
    res = runner.invoke(app, ["bench", "reproduce", "--list"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == NAMES
    for line in lines:
        name, paper, claim = line.split("\t")
        assert (paper, claim) == (REPRODUCTIONS.get(name).paper, REPRODUCTIONS.get(name).claim)
    as_json = runner.invoke(app, ["bench", "reproduce", "--list", "--json"])
    assert [json.loads(x)["name"] for x in as_json.stdout.splitlines()] == NAMES


def test_cli_unknown_name_is_a_usage_error() -> None:
    res = runner.invoke(app, ["bench", "reproduce", "nope"])
    assert res.exit_code == 2
    assert (
        "Unknown reproduction 'nope'; choose one of: adsl, deepwalk, ebv, facenet-harmonic, "
        "facenet-semihard, fastrp," in res.stderr
    )
    assert runner.invoke(app, ["bench", "reproduce"]).exit_code == 2


# ------------------------------------------------------------------ runs (the cheap entry)
@pytest.fixture(scope="module")
def monolith_quick() -> ReproductionResult:
    pytest.importorskip("torch")
    return REPRODUCTIONS.make("monolith").run(quick=True)


def _check_auc_result(r: dict) -> None:
    assert list(r) == KEYS
    assert r["metric"] == "auc" and r["higher_is_better"] is True and r["seeds"] == 1
    for side in ("ours", "reference"):
        assert math.isfinite(r[side]) and 0.5 < r[side] < 1.0
    assert r["std"] == 0.0


def test_monolith_quick_in_python_beats_a_trivial_baseline(monolith_quick) -> None:
    from embedlab.bench.reproduce.monolith import QUICK_STREAM
    from embedlab.datasets import synthetic_drifting_stream
    from embedlab.eval.metrics import roc_auc

    r = monolith_quick.to_dict()
    _check_auc_result(r)
    # the trivial baseline: every click scored by its item's click rate so far in the stream
    s = synthetic_drifting_stream(60_000, random_state=0, **QUICK_STREAM)
    item = np.unique(s.X[:, 1], return_inverse=True)[1]
    clicks, seen = np.zeros(item.max() + 1), np.zeros(item.max() + 1)
    score = np.empty(len(s))
    for i, (it, y) in enumerate(zip(item, s.y, strict=True)):
        score[i] = (clicks[it] + 1) / (seen[it] + 2)
        clicks[it] += y
        seen[it] += 1
    trivial = roc_auc(s.y, score)
    assert r["ours"] > trivial + 0.01, (r["ours"], trivial)
    assert monolith_quick.holds  # the paper's direction: collisionless above hashing


@pytest.mark.slow
def test_monolith_quick_through_the_cli(monolith_quick) -> None:
    res = runner.invoke(app, ["bench", "reproduce", "monolith", "--quick", "--json"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)
    _check_auc_result(r)
    assert r["ours"] == pytest.approx(monolith_quick.ours, abs=1e-3)  # same seed, same run
    table = runner.invoke(app, ["bench", "reproduce", "monolith", "--quick"])
    assert table.exit_code == 0 and "holds" in table.stdout and "per-field hashing" in table.stdout


@pytest.mark.data
def test_fastrp_quick_matches_the_paper(data_dir) -> None:
    res = runner.invoke(app, ["bench", "reproduce", "fastrp", "--quick", "--json"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)
    assert list(r) == KEYS and r["reference"] == 0.372
    assert r["ours"] == pytest.approx(r["reference"], abs=0.015)  # 0.370 measured
