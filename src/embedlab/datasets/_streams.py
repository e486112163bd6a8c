"""Time-ordered click streams for online training of embedding tables.

* :func:`load_movielens_stream`: MovieLens-100K (Harper & Konstan, 2015) as a CTR stream, the
  100,000 ratings in timestamp order, label ``rating >= 4``, eight fields: user, item, the user's
  age decade, gender, occupation, first three zip-code characters, the movie's release year and
  its first listed genre. Stream time is the Unix timestamp (seconds). Read from
  ``$EMBEDLAB_DATA/recsys/movielens-100k`` (``u.data``, ``u.user``, ``u.item``, plain or ``.gz``;
  the licence forbids bundling it).
* :func:`synthetic_drifting_stream`: a stream with known click probabilities, built to exercise
  what real-time tables are for: Zipfian users and items, items that are born and die (a fixed
  lifetime, so the set of live IDs keeps moving and the number of distinct IDs grows without
  bound), item categories shared by new items, and user preferences rotating over the stream.
"""

from __future__ import annotations

import gzip
import zlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from embedlab.datasets._graphs import data_home
from embedlab.exceptions import InvalidInputError
from embedlab.utils.fileio import first_file
from embedlab.utils.validation import check_random_state

__all__ = [
    "ClickStream",
    "MovieLensStream",
    "StreamSource",
    "SyntheticStream",
    "load_movielens_stream",
    "synthetic_drifting_stream",
]


@dataclass(frozen=True)
class ClickStream:
    """Examples in time order, with their labels and stream time.

    ``X`` int64 ``[n, F]`` (field-local IDs), ``y`` float32 labels, ``time`` int64
    non-decreasing stream time, and for synthetic streams ``p`` the true click probabilities
    (the Bayes-optimal scores).
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    time: np.ndarray
    field_names: tuple[str, ...]
    p: np.ndarray | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.y)

    @property
    def num_fields(self) -> int:
        return int(self.X.shape[1])

    def field_sizes(self) -> np.ndarray:
        """Distinct IDs per field over the whole stream."""
        return np.array([len(np.unique(self.X[:, f])) for f in range(self.num_fields)])

    def window_bounds(self, n_windows: int) -> np.ndarray:
        """``n_windows + 1`` example indices cutting the stream into equal-count windows."""
        if n_windows < 1 or n_windows > len(self):
            raise InvalidInputError(f"n_windows must be in [1, {len(self)}], got {n_windows}.")
        return np.linspace(0, len(self), n_windows + 1).round().astype(np.int64)

    def slice(self, start: int, stop: int) -> ClickStream:
        p = None if self.p is None else self.p[start:stop]
        return ClickStream(
            self.name,
            self.X[start:stop],
            self.y[start:stop],
            self.time[start:stop],
            self.field_names,
            p,
            dict(self.info),
        )

    def __repr__(self) -> str:
        return (
            f"ClickStream({self.name!r}, {len(self):,} examples, {self.num_fields} fields, "
            f"CTR {float(self.y.mean()):.3f}, time {int(self.time[0])}..{int(self.time[-1])})"
        )


def _open_text(path: Path) -> Any:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="latin-1")
    return open(path, encoding="latin-1")


def _ml_file(folder: Path, name: str) -> Path:
    p = first_file(folder, (name, name + ".gz"))
    if p is None:
        raise InvalidInputError(f"{folder} has no {name} (or {name}.gz): not MovieLens-100K.")
    return p


def _movielens_folder(path: str | Path | None) -> Path:
    """Return ``path``, or ``$EMBEDLAB_DATA/recsys/movielens-100k``, checked to be a folder."""
    if path is None:
        home = data_home()
        if home is None:
            raise InvalidInputError(
                "MovieLens-100K is read from $EMBEDLAB_DATA/recsys/movielens-100k; "
                "set EMBEDLAB_DATA or pass the folder."
            )
        path = home / "recsys" / "movielens-100k"
    folder = Path(path)
    if not folder.is_dir():
        raise InvalidInputError(f"No MovieLens-100K folder at {folder}.")
    return folder


def load_movielens_stream(path: str | Path | None = None) -> ClickStream:
    """MovieLens-100K as a time-ordered CTR stream (see the module docstring).

    ``path`` is the folder (default ``$EMBEDLAB_DATA/recsys/movielens-100k``). Ties in timestamp
    keep file order (stable sort).
    """
    folder = _movielens_folder(path)
    with _open_text(_ml_file(folder, "u.data")) as fh:
        ratings = np.loadtxt(fh, dtype=np.int64, ndmin=2)
    if ratings.shape[1] != 4:
        raise InvalidInputError("u.data must have 4 columns: user item rating timestamp.")
    users: dict[int, tuple[int, int, int, int]] = {}
    occupations: dict[str, int] = {}
    with _open_text(_ml_file(folder, "u.user")) as fh:
        for line in fh:
            if not line.strip():
                continue
            uid, age, gender, occ, zipc = line.rstrip("\n").split("|")
            zip3 = zipc[:3]
            zip_id = int(zip3) if zip3.isdigit() else 1000 + zlib.crc32(zip3.encode()) % 10**6
            occ_id = occupations.setdefault(occ, len(occupations))
            users[int(uid)] = (int(age) // 10, int(gender == "M"), occ_id, zip_id)
    items: dict[int, tuple[int, int]] = {}
    with _open_text(_ml_file(folder, "u.item")) as fh:
        for line in fh:
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("|")
            release = parts[2]
            year = int(release[-4:]) if release[-4:].isdigit() else 0
            flags = [int(g) for g in parts[5:24]]
            genre = flags.index(1) if 1 in flags else 0
            items[int(parts[0])] = (year, genre)
    order = np.argsort(ratings[:, 3], kind="stable")
    r = ratings[order]
    try:
        uf = np.array([users[int(u)] for u in r[:, 0]], dtype=np.int64)
        itf = np.array([items[int(i)] for i in r[:, 1]], dtype=np.int64)
    except KeyError as e:
        raise InvalidInputError(f"u.data refers to id {e} missing from u.user / u.item.") from None
    X = np.column_stack([r[:, 0], r[:, 1], uf, itf]).astype(np.int64)
    names = ("user", "item", "age", "gender", "occupation", "zip3", "year", "genre")
    return ClickStream(
        "movielens-100k",
        np.ascontiguousarray(X),
        (r[:, 2] >= 4).astype(np.float32),
        np.ascontiguousarray(r[:, 3]),
        names,
    )


def _zipf_probs(n: int, a: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** a
    return w / w.sum()


def synthetic_drifting_stream(
    n_examples: int = 1_000_000,
    *,
    n_users: int = 20_000,
    n_live_items: int = 4_000,
    item_lifetime: int = 2_000,
    n_categories: int = 50,
    examples_per_tick: int = 50,
    latent_dim: int = 8,
    zipf_a: float = 1.05,
    signal: float = 3.0,
    random_state: int | np.random.Generator | None = 0,
) -> ClickStream:
    """Generate a drifting click stream with known click probabilities ``p``.

    Time advances one tick every ``examples_per_tick`` examples. Item ``k`` is born at tick
    ``k * item_lifetime / n_live_items`` and lives ``item_lifetime`` ticks, so about
    ``n_live_items`` items are alive at any time; within the live set an item is drawn with
    probability proportional to its (Pareto) appeal times a rise-and-fall life-cycle. Users are
    drawn Zipf(``zipf_a``) over a random ranking. Each user's preference vector rotates from
    ``a_u`` to ``b_u`` over the stream (``cos θ a_u + sin θ b_u``, θ from 0 to π/2); an item's
    vector is its category's vector plus its own noise. A click happens with probability
    ``sigmoid(signal * <u(t), v_k> + bias_k - 1)``. Fields: user, item, category. IDs are random
    63-bit integers (as hashed production IDs are).
    """
    if n_examples < 1 or n_users < 1 or n_live_items < 1 or item_lifetime < 1:
        raise InvalidInputError("n_examples, n_users, n_live_items, item_lifetime must be >= 1.")
    rng = check_random_state(random_state)
    n_ticks = -(-n_examples // examples_per_tick)
    birth_rate = n_live_items / item_lifetime  # items per tick
    n_items = int(np.ceil((n_ticks + item_lifetime) * birth_rate)) + 1
    # items born from tick -item_lifetime so the stream starts with a full live set
    birth = np.arange(n_items) / birth_rate - item_lifetime
    appeal = rng.pareto(1.5, n_items) + 1.0
    category = rng.integers(0, n_categories, n_items)
    cat_vec = rng.normal(0, 1 / np.sqrt(latent_dim), (n_categories, latent_dim))
    item_vec = cat_vec[category] + rng.normal(0, 0.7 / np.sqrt(latent_dim), (n_items, latent_dim))
    item_bias = rng.normal(0, 0.5, n_items)
    user_a = rng.normal(0, 1 / np.sqrt(latent_dim), (n_users, latent_dim))
    user_b = rng.normal(0, 1 / np.sqrt(latent_dim), (n_users, latent_dim))
    user_rank = rng.permutation(n_users)
    user_p = _zipf_probs(n_users, zipf_a)
    user_ids = rng.integers(1, 2**62, n_users, dtype=np.int64)
    item_ids = rng.integers(1, 2**62, n_items, dtype=np.int64)
    cat_ids = rng.integers(1, 2**62, n_categories, dtype=np.int64)

    ticks = np.arange(n_examples) // examples_per_tick
    u = user_rank[rng.choice(n_users, size=n_examples, p=user_p)]
    it = np.empty(n_examples, np.int64)
    for t in range(n_ticks):
        lo = int(np.searchsorted(birth, t - item_lifetime, side="right"))
        hi = int(np.searchsorted(birth, t, side="right"))
        age = (t - birth[lo:hi]) / item_lifetime
        w = appeal[lo:hi] * np.sin(np.pi * np.clip(age, 0, 1)) + 1e-12
        s, e = t * examples_per_tick, min((t + 1) * examples_per_tick, n_examples)
        it[s:e] = lo + rng.choice(hi - lo, size=e - s, p=w / w.sum())
    theta = 0.5 * np.pi * ticks / max(n_ticks - 1, 1)
    pref = np.cos(theta)[:, None] * user_a[u] + np.sin(theta)[:, None] * user_b[u]
    logit = signal * np.einsum("ij,ij->i", pref, item_vec[it]) + item_bias[it] - 1.0
    p = 1.0 / (1.0 + np.exp(-logit))
    y = (rng.random(n_examples) < p).astype(np.float32)
    X = np.column_stack([user_ids[u], item_ids[it], cat_ids[category[it]]]).astype(np.int64)
    return ClickStream(
        "synthetic",
        X,
        y,
        ticks.astype(np.int64),
        ("user", "item", "category"),
        p.astype(np.float32),
        {
            "n_users": n_users,
            "n_live_items": n_live_items,
            "item_lifetime": item_lifetime,
            "distinct_items": len(np.unique(it)),
        },
    )


class StreamSource(ABC):
    """A named click stream of :data:`embedlab.registry.STREAMS`: ``load(...) -> ClickStream``.

    Attributes
    ----------
    name : str
        The registry key (the CLI's ``--dataset``).
    sync_interval : int
        The default serving-sync interval, in the stream's own time units.
    """

    name: ClassVar[str] = ""
    sync_interval: ClassVar[int] = 0

    @abstractmethod
    def load(self, *, examples: int = 1_000_000, seed: int = 0) -> ClickStream:
        """Load the stream (``examples`` and ``seed`` apply to generated streams only).

        Parameters
        ----------
        examples : int, default=1_000_000
            Length of a generated stream.
        seed : int, default=0
            Seed of a generated stream.

        Returns
        -------
        ClickStream
        """

    def location(self) -> str | None:
        """Return where the stream comes from: a folder, ``"generated"``, or None if missing."""
        return "generated"


class MovieLensStream(StreamSource):
    """MovieLens-100K in time order (:func:`load_movielens_stream`); time in seconds.

    Examples
    --------
    >>> MovieLensStream.name, MovieLensStream.sync_interval
    ('movielens-100k', 3600)
    """

    name = "movielens-100k"
    sync_interval = 3600

    def load(self, *, examples: int = 1_000_000, seed: int = 0) -> ClickStream:
        """MovieLens-100K from ``$EMBEDLAB_DATA`` (``examples`` and ``seed`` do not apply)."""
        return load_movielens_stream()

    def location(self) -> str | None:
        """Return ``$EMBEDLAB_DATA/recsys/movielens-100k`` when it is there, else None."""
        home = data_home()
        folder = None if home is None else home / "recsys" / "movielens-100k"
        return str(folder) if folder is not None and folder.is_dir() else None


class SyntheticStream(StreamSource):
    """The drifting synthetic stream (:func:`synthetic_drifting_stream`); ticks of 50 examples.

    Examples
    --------
    >>> len(SyntheticStream().load(examples=1000, seed=0))
    1000
    """

    name = "synthetic"
    sync_interval = 10

    def load(self, *, examples: int = 1_000_000, seed: int = 0) -> ClickStream:
        """``examples`` clicks drawn with ``random_state=seed``."""
        return synthetic_drifting_stream(examples, random_state=seed)
