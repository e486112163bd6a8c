"""User sessions with item metadata, for next-item recommendation (leave-one-out protocol).

* :func:`load_movielens_sessions`: MovieLens-100K (Harper & Konstan, ACM TiiS 2015) as one
  session per user: the user's 100,000 ratings in timestamp order (a stable sort: ties keep file
  order), every rating an implicit interaction whatever its value. Items are re-indexed
  ``0 .. n_items - 1`` in MovieLens-id order (``item_ids`` keeps the MovieLens ids). Item
  metadata: the 19 genre flags of ``u.item`` (a multi-valued attribute) and the release year (a
  categorical attribute; id 0 is "unknown", for the one item without a date). Read from
  ``$EMBEDLAB_DATA/recsys/movielens-100k`` (``u.data``, ``u.item``, plain or ``.gz``; the licence
  forbids bundling it).
* :func:`synthetic_sessions`: sessions with planted metadata-driven preferences (each user
  favours one genre; Zipfian item popularity), small and fast for tests.

The leave-one-out protocol of SASRec (Kang & McAuley, ICDM 2018) and M2TRec (Shalaby et al.,
RecSys 2022): in each user's sequence ``s_1 .. s_n`` the last item ``s_n`` is the test target
(input ``s_1 .. s_{n-1}``), the second-last ``s_{n-1}`` the validation target (input
``s_1 .. s_{n-2}``), and ``s_1 .. s_{n-2}`` is the training part. A user needs ``n >= 3``
interactions (every MovieLens-100K user has at least 20).

Memory: ``O(interactions + n_items * n_genres)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from embedlab.datasets._streams import _ml_file, _movielens_folder, _open_text, _zipf_probs
from embedlab.exceptions import InvalidInputError
from embedlab.utils.validation import check_random_state

__all__ = ["MOVIELENS_GENRES", "SessionData", "load_movielens_sessions", "synthetic_sessions"]

#: the 19 genres of MovieLens-100K, in the order of ``u.item``'s flags (``u.genre``)
MOVIELENS_GENRES: tuple[str, ...] = (
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)

_SPLITS = ("validation", "test")


@dataclass(frozen=True, eq=False)
class SessionData:
    """One time-ordered item sequence per user, with item metadata and the leave-one-out split.

    Attributes
    ----------
    name : str
        The data set's name.
    sequences : tuple of ndarray of int64
        Per user, the item indices (``0 .. n_items - 1``) in time order; at least 3 each.
    item_genres : ndarray of bool, shape (n_items, n_genres)
        The multi-valued attribute: genre flags.
    item_year : ndarray of int64, shape (n_items,)
        The categorical attribute: ids into ``years`` (0 is "unknown").
    years : ndarray of int64, shape (n_years,)
        The year of each year id (``years[0] == 0``: unknown).
    item_ids : ndarray of int64, shape (n_items,)
        The source's item ids, aligned with the item indices.
    user_ids : ndarray of int64, shape (n_users,)
        The source's user ids, aligned with ``sequences``.
    genre_names : tuple of str
        The name of each genre column.
    timestamps : tuple of ndarray of int64, optional
        Per user, the interaction times (non-decreasing), when the source has them.
    roles : ndarray of int8, shape (n_users,), optional
        ``None`` for the leave-one-out protocol; else the held-out-users protocol of
        :meth:`split_users`: per user 0 (training), 1 (validation) or 2 (test).

    Examples
    --------
    >>> d = synthetic_sessions(n_users=20, n_items=30, random_state=0)
    >>> d.n_users, d.n_items, d.n_genres
    (20, 30, 6)
    >>> inputs, targets = d.split("test")
    >>> bool((targets == [s[-1] for s in d.sequences]).all())
    True
    """

    name: str
    sequences: tuple[np.ndarray, ...]
    item_genres: np.ndarray
    item_year: np.ndarray
    years: np.ndarray
    item_ids: np.ndarray
    user_ids: np.ndarray
    genre_names: tuple[str, ...]
    timestamps: tuple[np.ndarray, ...] | None = None
    roles: np.ndarray | None = None

    def __post_init__(self) -> None:
        genres = np.asarray(self.item_genres)
        if genres.ndim != 2 or genres.dtype != np.bool_:
            raise InvalidInputError(
                f"item_genres must be a bool [n_items, n_genres] array; got dtype {genres.dtype} "
                f"and shape {genres.shape}."
            )
        n_items = genres.shape[0]
        year = np.asarray(self.item_year)
        if year.shape != (n_items,) or year.dtype.kind not in "iu":
            raise InvalidInputError(
                f"item_year must be {n_items} integer year ids (one per item); got dtype "
                f"{year.dtype} and shape {year.shape}."
            )
        if n_items and (year.min() < 0 or year.max() >= len(self.years)):
            raise InvalidInputError(
                f"item_year must be ids in [0, {len(self.years)}) (the year vocabulary)."
            )
        if len(self.item_ids) != n_items or len(self.user_ids) != len(self.sequences):
            raise InvalidInputError(
                "item_ids must have one entry per item and user_ids one per sequence."
            )
        if len(self.genre_names) != genres.shape[1]:
            raise InvalidInputError(
                f"genre_names must name the {genres.shape[1]} genre columns; got "
                f"{len(self.genre_names)} names."
            )
        if self.roles is not None:
            roles = np.asarray(self.roles)
            if roles.shape != (len(self.sequences),) or not np.isin(roles, (0, 1, 2)).all():
                raise InvalidInputError("roles must hold one of 0, 1, 2 per user.")
        for u, seq in enumerate(self.sequences):
            if len(seq) < 3:
                raise InvalidInputError(
                    f"every user needs >= 3 interactions for the leave-one-out split (train, "
                    f"validation, test); user {self.user_ids[u]} has {len(seq)}."
                )
            if seq.min() < 0 or seq.max() >= n_items:
                raise InvalidInputError(
                    f"the sequence of user {self.user_ids[u]} holds item indices outside "
                    f"[0, {n_items})."
                )

    @property
    def n_users(self) -> int:
        """Users (one sequence each)."""
        return len(self.sequences)

    @property
    def n_items(self) -> int:
        """Items of the catalogue (rows of ``item_genres``)."""
        return int(self.item_genres.shape[0])

    @property
    def n_genres(self) -> int:
        """Genre columns."""
        return int(self.item_genres.shape[1])

    @property
    def n_years(self) -> int:
        """Year ids, the unknown year 0 included."""
        return len(self.years)

    @property
    def n_interactions(self) -> int:
        """All interactions of all users."""
        return int(sum(len(s) for s in self.sequences))

    @property
    def protocol(self) -> str:
        """``"leave-one-out"`` or ``"held-out users"`` (:meth:`split_users`)."""
        return "leave-one-out" if self.roles is None else "held-out users"

    def split_users(self, fraction: float = 0.1, random_state: int = 0) -> SessionData:
        """Return a copy under the held-out-users (session-based) protocol.

        A seeded ``fraction`` of the users is held out for validation and another for test;
        the rest train on their whole sequences. Every next item of a held-out user is a case:
        input ``s_1 .. s_t``, target ``s_{t+1}`` for ``t = 1 .. n - 1``. Items only held-out
        users interact with are cold (no training interaction), as new items are.

        Examples
        --------
        >>> d = synthetic_sessions(n_users=50, n_items=30, random_state=0).split_users(0.2)
        >>> d.protocol, int((d.roles == 2).sum()), int((d.roles == 1).sum())
        ('held-out users', 10, 10)
        """
        if not isinstance(fraction, float | int) or isinstance(fraction, bool):
            raise InvalidInputError(f"'fraction' must be a number in (0, 0.5); got {fraction!r}.")
        n = self.n_users
        k = round(fraction * n)
        if not 0 < fraction < 0.5 or k < 1 or n - 2 * k < 1:
            raise InvalidInputError(
                f"'fraction' must be in (0, 0.5) and leave >= 1 user per part; got {fraction!r} "
                f"for {n} users."
            )
        order = check_random_state(random_state).permutation(n)
        roles = np.zeros(n, dtype=np.int8)
        roles[order[:k]] = 1
        roles[order[k : 2 * k]] = 2
        return replace(self, roles=roles)

    def train_sequences(self) -> list[np.ndarray]:
        """Return the training parts.

        Leave-one-out: per user the sequence without its last two items; held-out users: the
        whole sequences of the training users.
        """
        if self.roles is None:
            return [s[:-2] for s in self.sequences]
        return [s for s, r in zip(self.sequences, self.roles, strict=True) if r == 0]

    def split(self, split: str = "test") -> tuple[list[np.ndarray], np.ndarray]:
        """Return the inputs and targets of ``split`` ("validation" or "test").

        Parameters
        ----------
        split : {"validation", "test"}, default="test"
            ``"test"``: input ``s_1 .. s_{n-1}``, target ``s_n``; ``"validation"``: input
            ``s_1 .. s_{n-2}``, target ``s_{n-1}``. Under the held-out-users protocol
            (:meth:`split_users`): every prefix of the test (validation) users and its next item.

        Returns
        -------
        inputs : list of ndarray of int64
            Per case, the input history in time order.
        targets : ndarray of int64, shape (n_cases,)
            Per case, the held-out item.
        """
        if split not in _SPLITS:
            raise InvalidInputError(f"split must be 'validation' or 'test'; got {split!r}.")
        if self.roles is not None:
            role = 2 if split == "test" else 1
            held = [s for s, r in zip(self.sequences, self.roles, strict=True) if r == role]
            prefixes = [s[:t] for s in held for t in range(1, len(s))]
            nexts = np.array([s[t] for s in held for t in range(1, len(s))], dtype=np.int64)
            return prefixes, nexts
        cut = 1 if split == "test" else 2
        inputs = [s[:-cut] for s in self.sequences]
        targets = np.array([s[-cut] for s in self.sequences], dtype=np.int64)
        return inputs, targets

    def train_counts(self) -> np.ndarray:
        """Occurrences of each item in the training parts only, int64 ``[n_items]``."""
        parts = self.train_sequences()
        flat = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        return np.bincount(flat, minlength=self.n_items).astype(np.int64)

    def __repr__(self) -> str:
        return (
            f"SessionData({self.name!r}, {self.n_users:,} users, {self.n_items:,} items, "
            f"{self.n_interactions:,} interactions, {self.n_genres} genres, "
            f"{self.n_years} year ids)"
        )


def load_movielens_sessions(path: str | Path | None = None) -> SessionData:
    """MovieLens-100K as one time-ordered session per user (see the module docstring).

    Parameters
    ----------
    path : str or Path, optional
        The folder holding ``u.data`` and ``u.item`` (plain or ``.gz``); default
        ``$EMBEDLAB_DATA/recsys/movielens-100k``.

    Returns
    -------
    SessionData
        943 users, 1,682 items, 100,000 interactions; users in MovieLens-id order.
    """
    folder = _movielens_folder(path)
    with _open_text(_ml_file(folder, "u.data")) as fh:
        ratings = np.loadtxt(fh, dtype=np.int64, ndmin=2)
    if ratings.shape[1] != 4:
        raise InvalidInputError("u.data must have 4 columns: user item rating timestamp.")
    ids: list[int] = []
    flags: list[list[int]] = []
    raw_years: list[int] = []
    with _open_text(_ml_file(folder, "u.item")) as fh:
        for line in fh:
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("|")
            if len(parts) != 24:
                raise InvalidInputError(
                    f"u.item lines must have 24 '|'-separated fields (id, title, dates, URL, "
                    f"19 genre flags); got {len(parts)} in {line[:60]!r}."
                )
            ids.append(int(parts[0]))
            release = parts[2]
            raw_years.append(int(release[-4:]) if release[-4:].isdigit() else 0)
            flags.append([int(g) for g in parts[5:24]])
    item_ids = np.array(ids, dtype=np.int64)
    order_items = np.argsort(item_ids, kind="stable")
    item_ids = item_ids[order_items]
    genres = np.array(flags, dtype=np.int64)[order_items].astype(bool)
    year_values = np.array(raw_years, dtype=np.int64)[order_items]
    years = np.concatenate([[0], np.unique(year_values[year_values > 0])]).astype(np.int64)
    item_year = np.searchsorted(years, year_values).astype(np.int64)

    order = np.argsort(ratings[:, 3], kind="stable")
    r = ratings[order]
    pos = np.searchsorted(item_ids, r[:, 1])
    pos = np.minimum(pos, len(item_ids) - 1)
    missing = item_ids[pos] != r[:, 1]
    if missing.any():
        raise InvalidInputError(
            f"u.data refers to item {int(r[missing][0, 1])}, missing from u.item."
        )
    user_ids, user_of = np.unique(r[:, 0], return_inverse=True)
    # group by user, keeping the time order within each user (stable)
    by_user = np.argsort(user_of, kind="stable")
    bounds = np.searchsorted(user_of[by_user], np.arange(len(user_ids) + 1))
    items_sorted = pos[by_user].astype(np.int64)
    times_sorted = r[by_user, 3].astype(np.int64)
    sequences = tuple(
        np.ascontiguousarray(items_sorted[bounds[u] : bounds[u + 1]]) for u in range(len(user_ids))
    )
    timestamps = tuple(
        np.ascontiguousarray(times_sorted[bounds[u] : bounds[u + 1]]) for u in range(len(user_ids))
    )
    return SessionData(
        name="movielens-100k",
        sequences=sequences,
        item_genres=genres,
        item_year=item_year,
        years=years,
        item_ids=item_ids,
        user_ids=user_ids.astype(np.int64),
        genre_names=MOVIELENS_GENRES,
        timestamps=timestamps,
    )


def synthetic_sessions(
    n_users: int = 300,
    n_items: int = 200,
    *,
    n_genres: int = 6,
    n_years: int = 4,
    min_length: int = 8,
    max_length: int = 30,
    signal: float = 3.0,
    zipf_a: float = 1.0,
    random_state: int | np.random.Generator | None = 0,
) -> SessionData:
    """Sessions whose items follow a planted, metadata-driven preference.

    Each item has one or two of ``n_genres`` genres and a year id in ``1 .. n_years - 1`` (5 %
    get the unknown year 0); item popularity is Zipf(``zipf_a``) over a random ranking. Each
    user favours one genre ``f_u`` and draws ``L_u ~ U{min_length .. max_length}`` distinct items
    in sequence without replacement (Plackett-Luce, by the Gumbel top-k trick) with weights
    ``pop_i * exp(signal * [f_u in genres(i)])``. A session's past items thus reveal the genre
    its next items come from, which popularity cannot know.

    Parameters
    ----------
    n_users, n_items : int
        Users and items (``n_items >= max_length``).
    n_genres, n_years : int
        Genre flags and year ids (id 0 included).
    min_length, max_length : int
        Bounds of a user's number of interactions (``3 <= min_length <= max_length``).
    signal : float, default=3.0
        The log-weight of items in the user's favourite genre.
    zipf_a : float, default=1.0
        The popularity exponent.
    random_state : int, Generator or None, default=0
        Seed (a local numpy Generator; the global RNG is never used).

    Returns
    -------
    SessionData

    Examples
    --------
    >>> d = synthetic_sessions(n_users=5, n_items=40, max_length=10, random_state=1)
    >>> all(len(set(s.tolist())) == len(s) for s in d.sequences)
    True
    """
    for pname, value in (
        ("n_users", n_users),
        ("n_items", n_items),
        ("n_genres", n_genres),
        ("n_years", n_years),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInputError(f"'{pname}' must be an int >= 1; got {value!r}.")
    if n_years < 2:
        raise InvalidInputError(f"'n_years' must be >= 2 (id 0 is unknown); got {n_years}.")
    if not 3 <= min_length <= max_length <= n_items:
        raise InvalidInputError(
            f"need 3 <= min_length <= max_length <= n_items; got min_length={min_length}, "
            f"max_length={max_length}, n_items={n_items}."
        )
    rng = check_random_state(random_state)
    genres = np.zeros((n_items, n_genres), dtype=bool)
    genres[np.arange(n_items), rng.integers(0, n_genres, n_items)] = True
    second = rng.random(n_items) < 0.4
    genres[np.flatnonzero(second), rng.integers(0, n_genres, int(second.sum()))] = True
    item_year = rng.integers(1, n_years, n_items).astype(np.int64)
    item_year[rng.random(n_items) < 0.05] = 0
    log_pop = np.log(_zipf_probs(n_items, zipf_a)[rng.permutation(n_items)])
    favourite = rng.integers(0, n_genres, n_users)
    lengths = rng.integers(min_length, max_length + 1, n_users)
    logw = log_pop[None, :] + signal * genres[:, favourite].T  # [n_users, n_items]
    keys = logw + rng.gumbel(size=logw.shape)
    order = np.argsort(-keys, axis=1, kind="stable")
    sequences = tuple(
        np.ascontiguousarray(order[u, : lengths[u]].astype(np.int64)) for u in range(n_users)
    )
    return SessionData(
        name="synthetic",
        sequences=sequences,
        item_genres=genres,
        item_year=item_year,
        years=np.arange(n_years, dtype=np.int64),
        item_ids=np.arange(n_items, dtype=np.int64),
        user_ids=np.arange(n_users, dtype=np.int64),
        genre_names=tuple(f"genre{g}" for g in range(n_genres)),
        timestamps=tuple(np.arange(len(s), dtype=np.int64) for s in sequences),
    )
