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


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_auc_and_ap_agree_with_sklearn(data):
    from sklearn.metrics import average_precision_score, roc_auc_score

    from embedlab.eval.metrics import average_precision, roc_auc

    n = data.draw(st.integers(2, 30))
    y = data.draw(arrays(bool, n))
    y[0], y[1] = True, False
    s = data.draw(arrays(np.float64, n, elements=st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.0])))
    assert roc_auc(y, s) == pytest.approx(roc_auc_score(y, s))
    assert average_precision(y, s) == pytest.approx(average_precision_score(y, s))


def test_auc_ap_hand_computed_and_errors():
    from embedlab.eval.metrics import average_precision, roc_auc

    y, s = np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])
    assert roc_auc(y, s) == 0.75  # 3 of 4 positive-negative pairs ordered right
    assert average_precision(y, s) == pytest.approx((1 / 1 + 2 / 3) / 2)
    with pytest.raises(InvalidInputError, match="needs both positive and negative"):
        roc_auc(np.ones(3), np.arange(3))
    with pytest.raises(InvalidInputError, match="differ in length"):
        roc_auc(np.array([0, 1]), np.arange(3))


def test_ranking_ap_and_precision():
    from embedlab.eval.metrics import precision_at_k, ranking_average_precision

    rel = np.array([[1, 0, 1, 0], [0, 0, 0, 0]], dtype=bool)
    sc = np.array([[0.9, 0.8, 0.1, 0.5], [1, 2, 3, 4]])
    ap = ranking_average_precision(rel, sc)
    assert ap[0] == pytest.approx((1 + 2 / 4) / 2) and np.isnan(ap[1])
    assert precision_at_k(rel, sc, 2).tolist() == [0.5, 0.0]


@settings(max_examples=60, deadline=None)
@given(
    y=st.lists(st.booleans(), min_size=2, max_size=60),
    seed=st.integers(0, 1000),
)
def test_auc_and_logloss_match_sklearn(y: list[bool], seed: int) -> None:
    """Moved from the tables' online metrics: one implementation each, ties counted half."""
    from sklearn.metrics import log_loss as sk_log_loss
    from sklearn.metrics import roc_auc_score

    from embedlab.eval.metrics import log_loss, roc_auc

    yy = np.asarray(y, dtype=np.float32)
    p = np.random.default_rng(seed).integers(0, 5, len(y)) / 5.0 + 0.1  # many ties
    if yy.min() == yy.max():
        with pytest.raises(InvalidInputError, match="^y_true needs both positive and negative"):
            roc_auc(yy, p)
        return
    assert roc_auc(yy, p) == pytest.approx(roc_auc_score(yy, p))
    assert log_loss(yy, p) == pytest.approx(sk_log_loss(yy, p, labels=[0, 1]))


def test_ties_count_half_and_log_loss_clips() -> None:
    from sklearn.metrics import roc_auc_score

    from embedlab.eval.metrics import log_loss, roc_auc

    # 2 positives, 2 negatives, one positive tied with one negative: (3 + 0.5) / 4
    y, s = np.array([1, 1, 0, 0]), np.array([0.9, 0.5, 0.5, 0.1])
    assert roc_auc(y, s) == 0.875 == roc_auc_score(y, s)
    assert roc_auc(np.array([1, 0, 1, 0]), np.full(4, 0.3)) == 0.5  # all tied
    assert log_loss(np.array([1.0]), np.array([0.0])) == pytest.approx(-np.log(1e-7))
    with pytest.raises(InvalidInputError, match="^y_true and probabilities must be non-empty"):
        log_loss(np.array([1, 0]), np.array([0.5]))
