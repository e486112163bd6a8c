"""Alias tables: the exact distribution they encode, draws, and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from embedlab.exceptions import InvalidInputError
from embedlab.graph._sampling import alias_draw, alias_probabilities, alias_table


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=60))
def test_table_encodes_the_weights_exactly(weights):
    w = np.array(weights)
    if w.sum() <= 0:
        return
    prob, alias = alias_table(w)
    assert ((prob >= 0) & (prob <= 1 + 1e-12)).all() and ((alias >= 0) & (alias < len(w))).all()
    np.testing.assert_allclose(alias_probabilities(prob, alias), w / w.sum(), atol=1e-12)


def test_draws_follow_the_distribution(global_random_seed):
    w = np.array([5.0, 1.0, 0.0, 3.0, 0.5])
    prob, alias = alias_table(w)
    u = np.random.default_rng(global_random_seed).random(50_000)
    draws = np.array([alias_draw(prob, alias, x) for x in u])
    counts = np.bincount(draws, minlength=5)
    assert counts[2] == 0
    live = w > 0
    _, pvalue = stats.chisquare(counts[live], w[live] / w.sum() * len(u))
    assert pvalue > 1e-3


def test_draw_at_the_edges_of_the_unit_interval():
    prob, alias = alias_table(np.array([1.0, 3.0]))  # slot 0 keeps 0 with probability 1/2
    assert alias_draw(prob, alias, 0.0) == 0
    assert alias_draw(prob, alias, 0.2499) == 0 and alias_draw(prob, alias, 0.2501) == 1
    assert alias_draw(prob, alias, np.nextafter(1.0, 0.0)) == 1


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (np.array([]), r"non-empty 1-d array of weights; got \(0,\)"),
        (np.ones((2, 2)), r"non-empty 1-d array of weights; got \(2, 2\)"),
        (np.array([1.0, -1.0]), "finite, non-negative weights with a positive sum"),
        (np.array([0.0, 0.0]), "finite, non-negative weights with a positive sum"),
        (np.array([1.0, np.nan]), "finite, non-negative weights with a positive sum"),
    ],
)
def test_bad_weights(weights, message):
    with pytest.raises(InvalidInputError, match=message):
        alias_table(weights)
