import pickle
from typing import ClassVar

import numpy as np
import pytest

from embedlab.base import BaseEmbedder, check_is_fitted, clone
from embedlab.exceptions import InvalidInputError, NotFittedError
from embedlab.utils.validation import Interval


class Toy(BaseEmbedder):
    _parameter_constraints: ClassVar = {"n_components": [Interval(int, 1, None)]}

    def __init__(self, *, n_components=2, scale=1.0, name="x"):
        self.n_components = n_components
        self.scale = scale
        self.name = name


def test_get_params_reads_signature():
    assert Toy(scale=3.0).get_params() == {"n_components": 2, "scale": 3.0, "name": "x"}


def test_repr_shows_only_non_defaults():
    assert repr(Toy()) == "Toy()"
    assert repr(Toy(n_components=5, name="y")) == "Toy(n_components=5, name='y')"


def test_set_params_and_unknown_name():
    t = Toy().set_params(scale=2.0)
    assert t.scale == 2.0
    with pytest.raises(
        InvalidInputError, match=r"Toy has no parameter 'scal'; valid parameters are"
    ):
        t.set_params(scal=1)


def test_clone_is_deep_and_unfitted():
    t = Toy(name="z")
    t.embeddings_ = np.zeros((2, 2))
    c = clone(t)
    assert c.get_params() == t.get_params() and not hasattr(c, "embeddings_")
    assert pickle.loads(pickle.dumps(t)).get_params() == t.get_params()


def test_validate_params_message():
    with pytest.raises(
        InvalidInputError,
        match=r"^The 'n_components' parameter of Toy must be an int in the range \[1, inf\)\. "
        r"Got 0 instead\.$",
    ):
        Toy(n_components=0)._validate_params()


def test_positional_parameters_are_refused():
    class Bad(BaseEmbedder):
        def __init__(self, a=1):
            self.a = a

    with pytest.raises(TypeError, match="keyword-only"):
        Bad().get_params()


def test_check_is_fitted():
    with pytest.raises(NotFittedError, match="This Toy instance is not fitted yet"):
        check_is_fitted(Toy())


def test_to_embedding_set_records_provenance():
    from embedlab import FastRP, Graph, __version__

    g = Graph.from_edges([0, 1, 2], [1, 2, 0])
    model = FastRP(n_components=4, iteration_weights=(1.0, 2.0), random_state=None).fit(g)
    es = model.to_embedding_set(source="toy", note="x")
    md = es.metadata
    assert md["method"] == "fastrp" and md["source"] == "toy" and md["note"] == "x"
    assert md["seed"] == model.seed_ and md["parameters"]["random_state"] == model.seed_
    assert md["parameters"]["iteration_weights"] == [1.0, 2.0]
    assert md["embedlab_version"] == __version__
    assert es.vectors.tobytes() == model.embeddings_.tobytes()
    again = FastRP(**{**model.get_params(), "random_state": md["seed"]}).fit(g)
    assert again.embeddings_.tobytes() == model.embeddings_.tobytes()  # the seed reproduces it
    with pytest.raises(NotFittedError):
        FastRP().to_embedding_set()


def test_jsonable():
    from embedlab.base import _jsonable

    assert _jsonable((np.float32(1.5), [np.int64(2)])) == [1.5, [2]]
    assert _jsonable(np.random.default_rng(0)) is None
