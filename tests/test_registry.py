"""Registries: name resolution and normalisation, construction, the one "unknown" error.

The contract meta-test (every registered component passes its checks) is tests/test_contracts.py.
"""

import pytest

from embedlab.exceptions import InvalidInputError
from embedlab.graph import FastRP, RandomWalkPMI
from embedlab.registry import EMBEDDERS, EVALUATORS, Registry, normalize_name


def test_names_and_resolution():
    assert "fastrp" in EMBEDDERS.names()
    assert EMBEDDERS.get("FastRP") is FastRP
    assert EMBEDDERS.name_of(FastRP) == "fastrp"
    assert "node-classification" in EVALUATORS


def test_name_normalisation():
    """Case, surrounding space and ``_`` vs ``-`` do not matter; the underscore is kept as is."""
    for spelling in ("random-walk-pmi", "random_walk_pmi", " Random_Walk-PMI ", "RANDOM_WALK_PMI"):
        assert spelling in EMBEDDERS
        assert EMBEDDERS.get(spelling) is RandomWalkPMI
        assert EMBEDDERS.path(spelling) == "embedlab.graph.orbit_pmi:RandomWalkPMI"
    assert normalize_name(" Orbit_PMI ") == "orbit-pmi"
    assert EMBEDDERS.make("Orbit_Pmi", n_components=4).name == "orbit-pmi"
    # normalisation maps '_' to '-', it does not delete it: 'fast_rp' is not 'fastrp'
    assert "fast_rp" not in EMBEDDERS
    with pytest.raises(InvalidInputError, match=r"Unknown embedder 'fast_rp'; choose one of"):
        EMBEDDERS.get("fast_rp")


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
