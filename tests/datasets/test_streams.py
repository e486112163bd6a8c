"""Click streams: the synthetic drifting stream's ground truth and MovieLens-100K in time order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedlab.datasets import load_movielens_stream, synthetic_drifting_stream
from embedlab.eval.metrics import roc_auc
from embedlab.exceptions import InvalidInputError


def test_synthetic_stream_drifts_and_is_seeded() -> None:
    s = synthetic_drifting_stream(40_000, n_users=500, n_live_items=200, item_lifetime=100)
    again = synthetic_drifting_stream(40_000, n_users=500, n_live_items=200, item_lifetime=100)
    np.testing.assert_array_equal(s.X, again.X)
    np.testing.assert_array_equal(s.y, again.y)
    assert (np.diff(s.time) >= 0).all() and s.time[-1] == 40_000 // 50 - 1
    first, last = set(s.X[:2000, 1].tolist()), set(s.X[-2000:, 1].tolist())
    assert not first & last  # items of the first window are all dead by the last
    live = [len(set(s.X[i : i + 2500, 1].tolist())) for i in range(0, 40_000, 10_000)]
    assert max(live) < 300  # about n_live_items alive at a time ...
    assert s.info["distinct_items"] > 1000  # ... of many more over the stream
    assert ((s.p > 0) & (s.p < 1)).all()
    assert abs(float(s.y.mean()) - float(s.p.mean())) < 0.01  # labels drawn from p
    assert roc_auc(s.y, s.p) > 0.7  # the Bayes-optimal scores separate clicks well
    users = np.unique(s.X[:, 0], return_counts=True)[1]
    assert users.max() > 20 * np.median(users)  # Zipfian users


def test_synthetic_stream_errors() -> None:
    with pytest.raises(
        InvalidInputError, match="^n_examples, n_users, n_live_items, item_lifetime"
    ):
        synthetic_drifting_stream(0)
    s = synthetic_drifting_stream(100, n_users=5, n_live_items=5, item_lifetime=5)
    with pytest.raises(InvalidInputError, match=r"^n_windows must be in \[1, 100\], got 101.$"):
        s.window_bounds(101)
    assert s.window_bounds(4).tolist() == [0, 25, 50, 75, 100]


@pytest.mark.data
def test_movielens_stream(data_dir: Path) -> None:
    folder = data_dir / "recsys" / "movielens-100k"
    if not folder.is_dir():
        pytest.skip("movielens-100k is not under $EMBEDLAB_DATA/recsys")
    s = load_movielens_stream(folder)
    assert len(s) == 100_000 and s.num_fields == 8
    assert s.field_names == ("user", "item", "age", "gender", "occupation", "zip3", "year", "genre")
    assert (np.diff(s.time) >= 0).all()
    assert int(s.y.sum()) == 34_174 + 21_201  # ratings 4 and 5 (the data set's README)
    sizes = s.field_sizes().tolist()
    assert sizes[:2] == [943, 1682] and sizes[3] == 2 and sizes[4] == 21


def test_movielens_errors(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("EMBEDLAB_DATA", raising=False)
    with pytest.raises(InvalidInputError, match=r"^MovieLens-100K is read from \$EMBEDLAB_DATA"):
        load_movielens_stream()
    with pytest.raises(InvalidInputError, match="has no u.data"):
        load_movielens_stream(tmp_path)
