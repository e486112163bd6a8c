"""Registries, and the meta-test: every registered embedder passes the shared contract checks."""

import pytest

from embedlab.exceptions import InvalidInputError
from embedlab.graph import FastRP
from embedlab.registry import EMBEDDERS, EVALUATORS, Registry
from embedlab.testing import check_embedder, embedder_checks


def test_names_and_resolution():
    assert "fastrp" in EMBEDDERS.names()
    assert EMBEDDERS.get("FastRP") is FastRP
    assert EMBEDDERS.get("fast_rp".replace("_", "")) is FastRP
    assert EMBEDDERS.name_of(FastRP) == "fastrp"
    assert "node-classification" in EVALUATORS


def test_make_from_name_class_instance():
    assert EMBEDDERS.make("fastrp", n_components=8).n_components == 8
    assert EMBEDDERS.make(FastRP, n_components=4).n_components == 4
    inst = FastRP()
    assert EMBEDDERS.make(inst) is inst
    with pytest.raises(InvalidInputError, match="given together with a embedder instance"):
        EMBEDDERS.make(inst, n_components=3)


def test_unknown_name():
    with pytest.raises(
        InvalidInputError,
        match=r"Unknown embedder .nope.; choose one of: deepwalk, fastrp, line, node2vec, orbit-pmi, random-walk-pmi",
    ):
        EMBEDDERS.get("nope")


def test_conflicting_registration():
    reg = Registry("thing")
    reg.register("a", "x:Y")
    reg.register("a", "x:Y")
    with pytest.raises(InvalidInputError, match="already registered"):
        reg.register("a", "x:Z")


@pytest.mark.parametrize("name", EMBEDDERS.names())
@pytest.mark.parametrize("check", list(embedder_checks()), ids=lambda c: c.__name__)
def test_registered_embedders_pass_contract(name, check):
    check(EMBEDDERS.get(name))


class Float64FastRP(FastRP):
    """Breaks the contract: float64 output."""

    def fit(self, X, y=None, **kw):
        super().fit(X, y, **kw)
        self.embeddings_ = self.embeddings_.astype("float64")
        return self


def test_contract_checks_detect_a_broken_embedder():
    with pytest.raises(AssertionError, match="float32"):
        check_embedder(Float64FastRP)
