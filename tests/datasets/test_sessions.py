"""Sessions: MovieLens-100K per user in time order, the leave-one-out split, synthetic sessions."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from embedlab.datasets import SessionData, load_movielens_sessions, synthetic_sessions
from embedlab.exceptions import InvalidInputError


def _folder(data_dir: Path) -> Path:
    folder = data_dir / "recsys" / "movielens-100k"
    if not folder.is_dir():
        pytest.skip("movielens-100k is not under $EMBEDLAB_DATA/recsys")
    return folder


def _lines(folder: Path, name: str) -> list[str]:
    plain = folder / name
    if plain.exists():
        return plain.read_text(encoding="latin-1").splitlines()
    with gzip.open(folder / f"{name}.gz", "rt", encoding="latin-1") as fh:
        return fh.read().splitlines()


@pytest.fixture(scope="module")
def movielens(data_dir: Path) -> tuple[SessionData, Path]:
    folder = _folder(data_dir)
    return load_movielens_sessions(folder), folder


@pytest.mark.data
def test_movielens_sessions_counts_and_time_order(movielens) -> None:
    d, folder = movielens
    assert (d.n_users, d.n_items, d.n_interactions) == (943, 1682, 100_000)
    assert d.user_ids.tolist() == list(range(1, 944))
    assert d.item_ids.tolist() == list(range(1, 1683))
    assert min(len(s) for s in d.sequences) == 20
    # per user, the ratings of u.data sorted by time with ties in file order (a stable sort)
    raw = np.array([line.split("\t") for line in _lines(folder, "u.data")], dtype=np.int64)
    for user in (1, 2, 450, 943):
        mine = raw[raw[:, 0] == user]
        mine = mine[np.argsort(mine[:, 3], kind="stable")]
        u = int(np.flatnonzero(d.user_ids == user)[0])
        assert d.item_ids[d.sequences[u]].tolist() == mine[:, 1].tolist()
        assert d.timestamps is not None and d.timestamps[u].tolist() == mine[:, 3].tolist()
    assert all((np.diff(t) >= 0).all() for t in d.timestamps)
    # ties exist, so the stable order is a real property of the loader
    assert any((np.diff(t) == 0).any() for t in d.timestamps)


@pytest.mark.data
def test_movielens_item_metadata_matches_u_item(movielens) -> None:
    d, folder = movielens
    lines = _lines(folder, "u.item")
    for line in (lines[0], lines[1], lines[266], lines[-1]):
        parts = line.split("|")
        i = int(np.flatnonzero(d.item_ids == int(parts[0]))[0])
        assert d.item_genres[i].tolist() == [p == "1" for p in parts[5:24]]
        year = int(parts[2][-4:]) if parts[2] else 0
        assert d.years[d.item_year[i]] == year
    assert d.item_genres.shape == (1682, 19) and d.item_genres.dtype == bool
    assert d.genre_names[0] == "unknown" and d.genre_names[-1] == "Western"
    # item 267 has no release date: the unknown year id 0, the only one
    assert d.item_year[266] == 0 and (d.item_year == 0).sum() == 1 and d.years[0] == 0
    assert (np.diff(d.years[1:]) > 0).all()


@pytest.mark.data
def test_movielens_leave_one_out(movielens) -> None:
    d, _ = movielens
    test_in, test_t = d.split("test")
    val_in, val_t = d.split("validation")
    train = d.train_sequences()
    for u in (0, 500, 942):
        s = d.sequences[u]
        assert test_t[u] == s[-1] and val_t[u] == s[-2]
        assert test_in[u].tolist() == s[:-1].tolist() and val_in[u].tolist() == s[:-2].tolist()
        assert train[u].tolist() == s[:-2].tolist()
    counts = d.train_counts()
    assert counts.sum() == 100_000 - 2 * 943
    direct = np.zeros(d.n_items, np.int64)
    for part in train:
        np.add.at(direct, part, 1)
    np.testing.assert_array_equal(counts, direct)


def test_the_loader_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMBEDLAB_DATA", raising=False)
    with pytest.raises(InvalidInputError, match=r"^MovieLens-100K is read from \$EMBEDLAB_DATA"):
        load_movielens_sessions()
    with pytest.raises(InvalidInputError, match="^No MovieLens-100K folder at "):
        load_movielens_sessions(tmp_path / "absent")
    with pytest.raises(InvalidInputError, match=r"has no u.data \(or u.data.gz\)"):
        load_movielens_sessions(tmp_path)
    (tmp_path / "u.data").write_text("1\t1\t5\t10\n1\t2\t3\t5\n1\t1\t4\t7\n")
    (tmp_path / "u.item").write_text("1|A (1995)|01-Jan-1995|x|y\n")
    with pytest.raises(InvalidInputError, match="^u.item lines must have 24 '|'-separated"):
        load_movielens_sessions(tmp_path)
    flags = "|".join(["0"] * 18 + ["1"])
    (tmp_path / "u.item").write_text(f"1|A (1995)|01-Jan-1995||url|{flags}\n")
    with pytest.raises(InvalidInputError, match="^u.data refers to item 2, missing from u.item"):
        load_movielens_sessions(tmp_path)
    (tmp_path / "u.item").write_text(f"1|A (1995)|01-Jan-1995||url|{flags}\n2|B|||url|{flags}\n")
    d = load_movielens_sessions(tmp_path)
    assert d.sequences[0].tolist() == [1, 0, 0]  # times 5, 7, 10
    assert d.years.tolist() == [0, 1995] and d.item_year.tolist() == [1, 0]
    (tmp_path / "u.data").write_text("1\t1\t5\t10\n1\t2\t3\t5\n")
    with pytest.raises(InvalidInputError, match="^every user needs >= 3 interactions"):
        load_movielens_sessions(tmp_path)


def test_synthetic_sessions_plant_the_genre_preference() -> None:
    d = synthetic_sessions(n_users=400, n_items=150, signal=3.0, random_state=3)
    again = synthetic_sessions(n_users=400, n_items=150, signal=3.0, random_state=3)
    assert all(np.array_equal(a, b) for a, b in zip(d.sequences, again.sequences, strict=True))
    assert all(len(np.unique(s)) == len(s) for s in d.sequences)
    assert all(8 <= len(s) <= 30 for s in d.sequences)
    # a user's items concentrate on one genre far above that genre's share of the catalogue
    top_share = np.array([d.item_genres[s].mean(axis=0).max() for s in d.sequences])
    assert top_share.mean() > 1.8 * d.item_genres.mean(axis=0).max()
    flat = synthetic_sessions(n_users=400, n_items=150, signal=0.0, random_state=3)
    flat_share = np.array([flat.item_genres[s].mean(axis=0).max() for s in flat.sequences])
    assert top_share.mean() > flat_share.mean() + 0.2
    assert ((d.item_year >= 0) & (d.item_year < d.n_years)).all()


def test_session_data_errors() -> None:
    d = synthetic_sessions(n_users=4, n_items=20, max_length=10, random_state=0)
    with pytest.raises(
        InvalidInputError, match="^split must be 'validation' or 'test'; got 'train'"
    ):
        d.split("train")
    with pytest.raises(InvalidInputError, match="^item_genres must be a bool"):
        SessionData(
            "x", d.sequences, d.item_genres.astype(int), d.item_year, d.years,
            d.item_ids, d.user_ids, d.genre_names,
        )  # fmt: skip
    with pytest.raises(InvalidInputError, match=r"^item_year must be ids in \[0, 4\)"):
        SessionData(
            "x", d.sequences, d.item_genres, d.item_year + 4, d.years,
            d.item_ids, d.user_ids, d.genre_names,
        )  # fmt: skip
    bad = (np.array([0, 1, 99]), *d.sequences[1:])
    with pytest.raises(InvalidInputError, match=r"holds item indices outside \[0, 20\)"):
        SessionData(
            "x", bad, d.item_genres, d.item_year, d.years, d.item_ids, d.user_ids, d.genre_names
        )
    with pytest.raises(InvalidInputError, match=r"^need 3 <= min_length <= max_length <= n_items"):
        synthetic_sessions(n_items=5, max_length=10)
    with pytest.raises(InvalidInputError, match=r"^'n_users' must be an int >= 1; got 0"):
        synthetic_sessions(n_users=0)


def test_held_out_users_protocol() -> None:
    d = synthetic_sessions(n_users=40, n_items=40, random_state=1)
    u = d.split_users(0.1, random_state=3)
    assert d.protocol == "leave-one-out" and u.protocol == "held-out users"
    assert [int((u.roles == r).sum()) for r in (0, 1, 2)] == [32, 4, 4]
    assert u.split_users(0.1, random_state=3).roles.tolist() == u.roles.tolist()  # seeded
    train = u.train_sequences()
    assert [s.tolist() for s in train] == [
        s.tolist() for s, r in zip(d.sequences, u.roles, strict=True) if r == 0
    ]
    for split, role in (("validation", 1), ("test", 2)):
        inputs, targets = u.split(split)
        want = [
            (s[:t].tolist(), int(s[t]))
            for s, r in zip(d.sequences, u.roles, strict=True)
            if r == role
            for t in range(1, len(s))
        ]
        assert [(x.tolist(), int(y)) for x, y in zip(inputs, targets, strict=True)] == want
    flat = np.concatenate(train)
    assert u.train_counts().tolist() == np.bincount(flat, minlength=40).tolist()
    with pytest.raises(InvalidInputError, match=r"'fraction' must be in \(0, 0.5\)"):
        d.split_users(0.5)
    with pytest.raises(InvalidInputError, match="leave >= 1 user per part; got 0.01 for 40 users"):
        d.split_users(0.01)
    with pytest.raises(InvalidInputError, match="'fraction' must be a number in"):
        d.split_users("0.1")
    from dataclasses import replace

    with pytest.raises(InvalidInputError, match="roles must hold one of 0, 1, 2 per user"):
        replace(d, roles=np.full(40, 3, dtype=np.int8))


@pytest.mark.data
def test_movielens_held_out_users(movielens) -> None:
    u = movielens[0].split_users(0.1, random_state=0)
    _, targets = u.split("test")
    counts = u.train_counts()[targets]
    # the counts quoted in the m2trec reproduction's docstring
    assert (len(targets), int((counts <= 5).sum()), int((counts == 0).sum())) == (9886, 109, 6)
