"""Universal hashing: exact modular arithmetic and uniform buckets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from embedlab.tables._hash import MERSENNE_61, UniversalHash, mod_mersenne61, mulmod_mersenne61


def _reference(h: UniversalHash, x: np.ndarray) -> np.ndarray:
    """Python big-int arithmetic: ((a * (x mod p) + b) mod p) mod m, x read as uint64."""
    return np.array(
        [((h.a * ((int(v) % 2**64) % MERSENNE_61) + h.b) % MERSENNE_61) % h.m for v in x]
    )


@given(
    a=st.integers(0, MERSENNE_61 - 1),
    x=st.lists(st.integers(0, MERSENNE_61 - 1), min_size=1, max_size=20),
)
@settings(max_examples=200, deadline=None)
def test_mulmod_is_exact(a: int, x: list[int]) -> None:
    got = mulmod_mersenne61(a, np.array(x, dtype=np.uint64))
    assert got.tolist() == [(a * v) % MERSENNE_61 for v in x]


@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=20))
@settings(max_examples=100, deadline=None)
def test_mod_mersenne_is_exact(v: list[int]) -> None:
    assert mod_mersenne61(np.array(v, dtype=np.uint64)).tolist() == [t % MERSENNE_61 for t in v]


def test_hash_matches_big_int_reference(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    h = UniversalHash(997, rng)
    x = np.concatenate(
        [
            rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, 5000, dtype=np.int64),
            np.array([0, 1, -1, MERSENNE_61, MERSENNE_61 + 1, np.iinfo(np.int64).max]),
        ]
    )
    np.testing.assert_array_equal(h(x), _reference(h, x))


def test_hash_is_uniform_chi_square(global_random_seed: int) -> None:
    """Sequential IDs (the worst case for modulo hashing) spread uniformly over m buckets."""
    m, n = 1000, 200_000
    h = UniversalHash(m, np.random.default_rng(global_random_seed))
    counts = np.bincount(h(np.arange(n)), minlength=m)
    assert stats.chisquare(counts).pvalue > 1e-3


def test_hash_collision_rate_is_about_one_over_m(global_random_seed: int) -> None:
    """Universality: P[h(x) = h(y)] <= ~1/m over the draw of (a, b), for a fixed pair."""
    rng = np.random.default_rng(global_random_seed)
    m, draws = 50, 4000
    x = np.array([12345, 12345 + 50 * 7])  # equal modulo m: plain x mod m always collides
    hits = 0
    for _ in range(draws):
        h = UniversalHash(m, rng)
        b = h(x)
        hits += int(b[0] == b[1])
    rate = hits / draws
    assert rate < 1.0 / m + 4 * np.sqrt((1.0 / m) / draws)


def test_hash_rejects_bad_m() -> None:
    with pytest.raises(ValueError, match="m must be >= 1, got 0"):
        UniversalHash(0, np.random.default_rng(0))
