import numpy as np
import pytest

from embedlab.exceptions import InvalidInputError
from embedlab.retrieval.index import FlatIndex
from embedlab.retrieval.matryoshka import adaptive_search, funnel_search
from embedlab.utils.linalg import unit_rows as truncate


def exact(q, x, d, k):
    return FlatIndex(d).add(truncate(x, d)).search(truncate(q, d), k)


def test_full_shortlist_and_full_rerank_is_exact_search(rng):
    x = rng.normal(size=(400, 32)).astype(np.float32)
    q = rng.normal(size=(10, 32)).astype(np.float32)
    scores, ids, flops = adaptive_search(q, x, 5, shortlist_dim=4, rerank_dim=32, shortlist=400)
    want_s, want_i = exact(q, x, 32, 5)
    np.testing.assert_array_equal(ids, want_i)
    np.testing.assert_allclose(scores, want_s, rtol=1e-5)
    assert flops == 400 * 4 + 400 * 32


def test_shortlist_is_the_prefix_search(rng):
    """The re-ranked documents are exactly the prefix-search shortlist, re-ordered."""
    x = rng.normal(size=(300, 16)).astype(np.float32)
    q = rng.normal(size=(8, 16)).astype(np.float32)
    _, ids, flops = adaptive_search(q, x, 20, shortlist_dim=4, rerank_dim=16, shortlist=20)
    short = exact(q, x, 4, 20)[1]
    for a, b in zip(ids, short, strict=True):
        assert set(a) == set(b)
    assert flops == 300 * 4 + 20 * 16


def test_funnel_halves_the_candidates_and_counts_its_cost(rng):
    x = rng.normal(size=(500, 64)).astype(np.float32)
    q = rng.normal(size=(6, 64)).astype(np.float32)
    scores, ids, flops = funnel_search(q, x, 10, dims=(8, 16, 32, 64), shortlist=80)
    assert flops == 500 * 8 + 80 * 16 + 40 * 32 + 20 * 64
    # the last stage is an exact re-rank of its 20 survivors by the full vectors
    full = truncate(x, 64) @ truncate(q, 64).T
    for i in range(6):
        np.testing.assert_allclose(scores[i], full[ids[i], i], rtol=1e-5)
        assert (np.diff(scores[i]) <= 1e-7).all()
    one = funnel_search(q, x, 10, dims=(64,), shortlist=10)
    np.testing.assert_array_equal(one[1], exact(q, x, 64, 10)[1])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda x: adaptive_search(x, x, 1, shortlist_dim=0, rerank_dim=4),
            r"shortlist_dim must be in \[1, 4\]",
        ),
        (
            lambda x: adaptive_search(x, x, 5, shortlist_dim=2, rerank_dim=4, shortlist=3),
            "need 1 <= k <= shortlist",
        ),
        (lambda x: funnel_search(x, x, 1, dims=(4, 2)), "'dims' must increase"),
        (lambda x: funnel_search(x, x[:, :2], 1, dims=(2,)), "must share d"),
    ],
)
def test_errors(call, message):
    with pytest.raises(InvalidInputError, match=message):
        call(np.eye(4, dtype=np.float32))
