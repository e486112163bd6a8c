import numpy as np
import pytest

from embedlab.exceptions import InvalidInputError
from embedlab.utils.validation import (
    Interval,
    Options,
    Predicate,
    check_array,
    check_random_state,
    resolve_seed,
    validate_params,
)


@pytest.mark.parametrize(
    ("interval", "value", "ok"),
    [
        (Interval(int, 1, None), 1, True),
        (Interval(int, 1, None), 0, False),
        (Interval(int, 1, None), 1.0, False),
        (Interval(int, 1, None), True, False),
        (Interval(float, 0, 1), 0.0, True),
        (Interval(float, 0, 1, closed="right"), 0.0, False),
        (Interval(float, 0, 1, closed="left"), 1.0, False),
        (Interval(float, None, None), float("nan"), False),
        (Interval(float, None, None), -1e300, True),
    ],
)
def test_interval_contains(interval, value, ok):
    assert interval.contains(value) is ok


def test_descriptions():
    assert Interval(float, 0, 1, closed="neither").describe() == "a float in the range (0, 1)"
    assert Interval(int, None, 5).describe() == "an int in the range (-inf, 5]"
    assert Options(str, {"b", "a"}).describe() == "a str among {'a', 'b'}"


def test_validate_params_lists_all_alternatives():
    cons = {"density": [Options(str, {"auto"}), Interval(float, 0, 1, closed="right"), None]}
    with pytest.raises(
        InvalidInputError,
        match=r"^The 'density' parameter of X must be a str among \{'auto'\}, a float in the "
        r"range \(0, 1\] or None\. Got 2\.0 instead\.$",
    ):
        validate_params({"density": 2.0}, cons, "X")
    validate_params({"density": "auto"}, cons, "X")
    validate_params({"density": None}, cons, "X")


def test_predicate_swallows_type_errors():
    p = Predicate(lambda v: len(v) > 0, "a non-empty list")
    assert p.contains([1]) and not p.contains(3)


def test_resolve_seed():
    assert resolve_seed(5) == 5
    g1, g2 = np.random.default_rng(0), np.random.default_rng(0)
    assert resolve_seed(g1) == resolve_seed(g2)
    a, b = resolve_seed(None), resolve_seed(None)
    assert a != b and 0 <= a < 2**63
    with pytest.raises(InvalidInputError, match="must be a non-negative int"):
        resolve_seed(-1)
    with pytest.raises(InvalidInputError, match="Got 'x' instead"):
        resolve_seed("x")


def test_check_random_state_is_local():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 - checking the global RNG is untouched
    check_random_state(3).random(10)
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def test_check_array():
    out = check_array([[1, 2], [3, 4]], name="x")
    assert out.dtype == np.float32 and out.flags.c_contiguous
    with pytest.raises(
        InvalidInputError, match=r"'x' must be a 2-d array; got an array of shape \(3,\)"
    ):
        check_array([1, 2, 3], name="x")
    with pytest.raises(
        InvalidInputError, match=r"'x' holds NaN or infinite values \(first in row 1\)"
    ):
        check_array([[1.0], [np.inf]], name="x")
    with pytest.raises(InvalidInputError, match=r"'x' is empty"):
        check_array(np.zeros((0, 3)), name="x")
    with pytest.raises(InvalidInputError, match="must hold real numbers"):
        check_array([["a"]], name="x")
