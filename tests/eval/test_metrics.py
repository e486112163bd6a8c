import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import f1_score

from embedlab.eval.metrics import f1_micro_macro, top_k_predictions
from embedlab.exceptions import InvalidInputError


def test_hand_computed():
    t = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=bool)
    p = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 0]], dtype=bool)
    # label 0: TP1 FP1 FN1 -> 2/4; label 1: TP1 FP0 FN1 -> 2/3; label 2: TP0 FP1 FN0 -> 0
    # micro: TP2 FP2 FN2 -> 4/8
    micro, macro = f1_micro_macro(t, p)
    assert micro == pytest.approx(0.5)
    assert macro == pytest.approx((0.5 + 2 / 3 + 0) / 3)


def test_absent_label_counts_zero_in_macro():
    t = np.array([[1, 0], [1, 0]], dtype=bool)
    assert f1_micro_macro(t, t) == (1.0, 0.5)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_agrees_with_sklearn(data):
    shape = data.draw(
        st.tuples(st.integers(1, 12), st.integers(2, 6))
    )  # (n, 1) is "binary" to sklearn
    t = data.draw(arrays(bool, shape))
    p = data.draw(arrays(bool, shape))
    # Where a label has no true and no predicted positive, scikit-learn >= 1.3 scores it 1.0; the
    # DeepWalk-era protocol behind the reference figures (and this module) scores it 0.
    t[0] = True
    micro, macro = f1_micro_macro(t, p)
    assert micro == pytest.approx(f1_score(t, p, average="micro", zero_division=0))
    assert macro == pytest.approx(f1_score(t, p, average="macro", zero_division=0))


def test_top_k():
    s = np.array([[0.1, 0.9, 0.5], [0.7, 0.2, 0.7], [0.0, 0.0, 0.0]])
    pred = top_k_predictions(s, np.array([2, 1, 0]))
    assert pred.tolist() == [[False, True, True], [True, False, False], [False, False, False]]
    with pytest.raises(InvalidInputError, match=r"k must lie in \[0, 3\]"):
        top_k_predictions(s, np.array([4, 1, 1]))
    with pytest.raises(InvalidInputError, match="scores must be"):
        top_k_predictions(s, np.array([1]))
    with pytest.raises(InvalidInputError, match="equal-shape"):
        f1_micro_macro(np.zeros((2, 2)), np.zeros((2, 3)))
