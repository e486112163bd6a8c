"""Monolith's collisionless table: no shared rows, frequency filter, expiry, snapshots."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embedlab.exceptions import InvalidInputError
from embedlab.tables import CollisionlessTable


def _state_bytes(t: CollisionlessTable) -> dict[str, bytes]:
    return {k: np.ascontiguousarray(v).tobytes() for k, v in t.state_arrays().items()}


def test_ten_million_distinct_ids_never_share_a_row() -> None:
    n = 10_000_000
    # distinct by construction: an odd multiplier is a bijection of the 64-bit integers
    ids = (np.arange(n, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)).view(np.int64)
    assert (ids < 0).any() and (ids > 0).any()  # the whole int64 range, negatives included
    t = CollisionlessTable(embedding_dim=1, random_state=0)
    rows = np.concatenate([t.observe(ids[s : s + 2**21]).ravel() for s in range(0, n, 2**21)])
    assert len(np.unique(rows)) == n  # one row per ID
    assert rows.min() >= 1  # row 0 is the shared default, never owned
    assert t.num_live == n
    np.testing.assert_array_equal(t.rows(ids).ravel(), rows)  # lookups find the same rows


class _Model:
    """Brute-force reference: a dict of (count, last seen, admitted)."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.entries: dict[int, list[int]] = {}

    def observe(self, ids: list[int], t: int) -> None:
        for k in ids:
            e = self.entries.setdefault(k, [0, t, 0])
            e[0] += 1
            e[1] = t
            if e[0] >= self.threshold:
                e[2] = 1

    def expire(self, now: int, horizon: int) -> int:
        stale = [k for k, e in self.entries.items() if e[1] < now - horizon]
        for k in stale:
            del self.entries[k]
        return len(stale)

    def admitted(self) -> set[int]:
        return {k for k, e in self.entries.items() if e[2]}


@settings(max_examples=60, deadline=None)
@given(
    threshold=st.integers(1, 3),
    ops=st.lists(
        st.one_of(
            st.tuples(st.just("obs"), st.lists(st.integers(-40, 40), max_size=30)),
            st.tuples(st.just("exp"), st.integers(0, 4)),
        ),
        max_size=25,
    ),
)
def test_matches_a_brute_force_model(threshold: int, ops: list) -> None:
    """Inserts, growth, expiry with backward-shift deletion: always the reference's state."""
    t = CollisionlessTable(
        embedding_dim=2, occurrence_threshold=threshold, initial_capacity=2, random_state=0
    )
    ref = _Model(threshold)
    for now, (kind, arg) in enumerate(ops, start=1):
        if kind == "obs":
            rows = t.observe(np.asarray(arg, dtype=np.int64), times=now).ravel()
            for k, r in zip(arg, rows, strict=True):  # admitted at this very sighting or before
                ref.observe([k], now)
                assert (r > 0) == (k in ref.admitted())
        else:
            assert t.expire(now, expire_after=arg) == ref.expire(now, arg)
        live = ref.admitted()
        assert set(t.live_ids().tolist()) == live
        assert t.num_tracked == len(ref.entries)
        probe = np.arange(-41, 42)
        rows = t.rows(probe).ravel()
        owned = rows[rows > 0]
        assert len(np.unique(owned)) == len(owned) == len(live)  # no two live IDs share a row
        assert {int(k) for k in probe[rows > 0]} == live


def test_below_the_threshold_an_id_never_owns_a_row() -> None:
    t = CollisionlessTable(embedding_dim=4, occurrence_threshold=3, random_state=0)
    for time in range(2):
        assert t.observe([5, 6], times=time).ravel().tolist() == [0, 0]
    assert t.rows([5, 6]).ravel().tolist() == [0, 0]
    assert t.num_live == 0 and t.num_tracked == 2
    assert t.live_ids().tolist() == []
    r = t.observe([5], times=2).ravel()  # third sighting: admitted
    assert r[0] > 0 and t.live_ids().tolist() == [5]
    assert t.rows([6]).ravel().tolist() == [0]  # still below
    # the default vector is the same row for every unadmitted or unknown ID
    assert t.rows([6, 123456789, -1]).ravel().tolist() == [0, 0, 0]


def test_expired_id_is_gone_and_its_row_reused_fresh() -> None:
    t = CollisionlessTable(embedding_dim=6, expire_after=10, initial_capacity=4, random_state=3)
    rows = t.observe([100, 200], times=0).ravel()
    t.observe([200], times=5)
    t.weight.data[rows[0]] += 1.0  # as if trained
    t.row_state[rows[0]] = 7.0
    assert t.expire(now=10) == 0  # inactive exactly expire_after: kept
    assert t.expire(now=11) == 1  # inactive more than expire_after: evicted
    assert t.rows([100]).ravel().tolist() == [0]
    assert t.live_ids().tolist() == [200] and t.evictions_ == 1
    n_rows = t.num_rows
    new = t.observe([300], times=12).ravel()
    assert new[0] == rows[0]  # the freed row is the next one handed out
    assert t.num_rows == n_rows  # memory came back: no growth
    assert float(t.row_state[new[0]].abs().sum()) == 0.0  # optimizer state recycled
    fresh = CollisionlessTable(embedding_dim=6, random_state=3)
    r = fresh.observe([300]).ravel()[0]
    np.testing.assert_array_equal(t.weight.data[new[0]].numpy(), fresh.weight.data[r].numpy())


def test_memory_is_bounded_by_live_ids_under_expiry() -> None:
    t = CollisionlessTable(embedding_dim=4, expire_after=2, initial_capacity=64, random_state=0)
    for step in range(100):  # 50 new IDs per step, each alive for 3 steps
        t.observe(np.arange(step * 50, step * 50 + 50), times=step)
        t.expire(step)
    assert t.num_live == 150
    # at most 200 IDs live at once (just before an expiry): rows grew 65 -> 130 -> 260, no further
    assert t.num_rows == 260
    assert t.evictions_ == 97 * 50


def test_state_does_not_depend_on_batch_boundaries() -> None:
    rng = np.random.default_rng(0)
    ids = rng.integers(-(2**62), 2**62, 5000) % 700
    times = np.arange(len(ids)) // 100
    a = CollisionlessTable(embedding_dim=3, occurrence_threshold=2, random_state=1)
    b = CollisionlessTable(embedding_dim=3, occurrence_threshold=2, random_state=1)
    a.observe(ids, times)
    for s in range(0, len(ids), 37):
        b.observe(ids[s : s + 37], times[s : s + 37])
    assert _state_bytes(a) == _state_bytes(b)


def test_initial_vectors_are_n_0_sigma() -> None:
    t = CollisionlessTable(embedding_dim=8, random_state=0)
    t.observe(np.arange(20_000))
    w = t.weight.data[1 : t.num_live + 1].numpy().ravel()
    assert abs(w.mean()) < 3 * 0.1 / np.sqrt(w.size)
    assert abs(w.std() - 0.1) < 0.002
    assert float(t.weight.data[0].abs().sum()) == 0.0  # the default vector starts at zero


def test_snapshot_crash_restore_is_byte_for_byte(tmp_path) -> None:
    rng = np.random.default_rng(1)
    t = CollisionlessTable(embedding_dim=5, occurrence_threshold=2, expire_after=3, random_state=2)
    for step in range(20):
        t.observe(rng.integers(0, 300, 200), times=step)
        t.expire(step)
    t.weight.data.mul_(1.5)
    path = t.save(tmp_path / "snap.npz")
    before = _state_bytes(t)
    del t  # the crash
    restored = CollisionlessTable.load(path)
    assert _state_bytes(restored) == before
    # and it keeps working: same results as a table that never crashed
    assert restored.rows(np.arange(300)).shape == (300, 1)


def test_snapshot_write_is_atomic(tmp_path, monkeypatch) -> None:
    t = CollisionlessTable(embedding_dim=2, random_state=0)
    t.observe([1, 2, 3])
    path = t.save(tmp_path / "snap.npz")
    good = path.read_bytes()
    t.observe([4, 5])

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        t.save(path)
    assert path.read_bytes() == good  # the old snapshot is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.npz"]  # no temporary left


def test_copy_index_from_makes_lookups_agree() -> None:
    a = CollisionlessTable(embedding_dim=2, initial_capacity=2, random_state=0)
    b = CollisionlessTable(embedding_dim=2, initial_capacity=2, random_state=0)
    a.observe(np.arange(50))
    b.copy_index_from(a)
    np.testing.assert_array_equal(a.rows(np.arange(60)), b.rows(np.arange(60)))
    assert b.num_rows == a.num_rows


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"occurrence_threshold": 0}, "occurrence_threshold must be an int >= 1, got 0."),
        (
            {"expire_after": -1},
            r"expire_after must be None or an int >= 0 \(stream time\), got -1.",
        ),
        (
            {"expire_after": 1.5},
            r"expire_after must be None or an int >= 0 \(stream time\), got 1.5.",
        ),
        ({"initial_capacity": 0}, "initial_capacity must be an int >= 1, got 0."),
        ({"embedding_dim": 0}, "embedding_dim must be an int >= 1, got 0."),
    ],
)
def test_errors(kwargs: dict, message: str) -> None:
    args = {"embedding_dim": 2, **kwargs}
    with pytest.raises(InvalidInputError, match=f"^{message}$"):
        CollisionlessTable(**args)


def test_load_errors(tmp_path) -> None:
    with pytest.raises(InvalidInputError, match="^No snapshot at "):
        CollisionlessTable.load(tmp_path / "missing.npz")
    np.savez(tmp_path / "other.npz", meta_json=np.frombuffer(b'{"format": "x"}', np.uint8))
    with pytest.raises(
        InvalidInputError, match=r"^Not a collisionless-table snapshot \(format 'x'\)\.$"
    ):
        CollisionlessTable.load(tmp_path / "other.npz")
    t = CollisionlessTable(embedding_dim=2, random_state=0)
    with pytest.raises(InvalidInputError, match="^ids must be integers"):
        t.observe([1.5])
