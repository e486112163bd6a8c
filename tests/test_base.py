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
