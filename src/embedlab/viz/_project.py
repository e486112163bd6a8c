"""2-D maps of embeddings and how faithful they are.

* :func:`project`: PCA (always; the top two principal axes, computed from the ``d x d``
  covariance so 100k x 384 takes well under a second), t-SNE (openTSNE, extra ``tsne``) and UMAP
  (umap-learn, extra ``umap``). With ``metric="cosine"`` rows are unit-normalised first: the map
  shows the space the cosine search sees.
* :func:`sample_positions`: a fair random sample above a cap (never "the first N").
* :func:`trustworthiness` (Venna & Kaski 2001, via scikit-learn), :func:`knn_overlap` (the share
  of each point's k nearest neighbours in the original space that stay its k nearest on the map)
  and :func:`map_quality`, both on a random sample.
* :func:`align`: orthogonal Procrustes with scale and shift, so two maps of the same points
  (FastRP and DeepWalk of one graph) can be laid side by side; :func:`knn_agreement`: per point,
  the overlap of its kNN sets in two original spaces.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.utils.optional import import_optional

__all__ = [
    "METHODS",
    "Alignment",
    "align",
    "available_methods",
    "knn_agreement",
    "knn_overlap",
    "map_quality",
    "normalize_params",
    "project",
    "sample_positions",
    "trustworthiness",
]

#: Projection methods, their parameters and defaults (``None``: the library's own choice).
METHODS: dict[str, dict[str, Any]] = {
    "pca": {},
    "tsne": {"perplexity": 30.0, "n_iter": 500, "early_exaggeration_iter": 250, "n_jobs": 1},
    "umap": {"n_neighbors": 15, "min_dist": 0.1, "n_epochs": None},
}
_INTS = {"n_iter", "early_exaggeration_iter", "n_jobs", "n_neighbors", "n_epochs"}
#: Accepted ranges: one request must not occupy the server's map worker without bound.
_BOUNDS: dict[str, tuple[int, int]] = {
    "perplexity": (0, 1000),
    "n_iter": (1, 10_000),
    "early_exaggeration_iter": (0, 10_000),
    "n_jobs": (1, 64),
    "n_neighbors": (2, 1000),
    "min_dist": (0, 1),
    "n_epochs": (1, 10_000),
}
_MODULES = {
    "tsne": ("openTSNE", "t-SNE maps", "openTSNE"),
    "umap": ("umap", "UMAP maps", "umap-learn"),
}
_METRICS = ("cosine", "ip", "l2")

Progress = Callable[[float], None]


def available_methods() -> dict[str, bool]:
    """Return which projection methods can run here (an optional extra may be missing).

    Examples
    --------
    >>> available_methods()["pca"]
    True
    """
    out = {"pca": True}
    for method, (module, _, _) in _MODULES.items():
        out[method] = importlib.util.find_spec(module) is not None
    return out


def normalize_params(method: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return ``params`` checked and completed with the defaults of ``method``.

    The result is canonical (same map -> same dict), so it can key a cache.

    Examples
    --------
    >>> normalize_params("umap", {"n_neighbors": 5})
    {'min_dist': 0.1, 'n_epochs': None, 'n_neighbors': 5}
    """
    if method not in METHODS:
        raise InvalidInputError(f"'method' must be one of {', '.join(METHODS)}; got {method!r}.")
    given = dict(params or {})
    defaults = METHODS[method]
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        allowed = ", ".join(defaults) or "none"
        raise InvalidInputError(
            f"Unknown {method} parameter(s) {', '.join(map(repr, unknown))}; allowed: {allowed}."
        )
    out: dict[str, Any] = {}
    for key in sorted(defaults):
        value = given.get(key, defaults[key])
        if value is not None:
            value = _check_param(method, key, value)
        out[key] = value
    return out


def _check_param(method: str, key: str, value: Any) -> Any:
    low, high = _BOUNDS[key]
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if key in _INTS:
        if not numeric or not np.isfinite(value) or value != int(value) or not low <= value <= high:
            raise InvalidInputError(
                f"{method} parameter {key!r} must be an integer from {low} to {high:,}; "
                f"got {value!r}."
            )
        return int(value)
    positive = key != "min_dist"
    if (
        not numeric
        or not np.isfinite(value)
        or not low <= value <= high
        or (positive and value == 0)
    ):
        raise InvalidInputError(
            f"{method} parameter {key!r} must be a number from {low} to {high:,}"
            f"{'' if key == 'min_dist' else ' (not 0)'}; got {value!r}."
        )
    return float(value)


def sample_positions(n: int, cap: int, seed: int = 0) -> np.ndarray:
    """Return sorted positions of a uniform random sample of ``min(n, cap)`` of ``n`` rows.

    Every row is equally likely to be kept (no "first N"); all rows when ``n <= cap``; the same
    ``seed`` gives the same sample.

    Examples
    --------
    >>> sample_positions(5, 10).tolist()
    [0, 1, 2, 3, 4]
    >>> len(sample_positions(1000, 10, seed=1))
    10
    """
    _int_at_least("max_points", cap, 1)
    if n <= cap:
        return np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=int(cap), replace=False)).astype(np.int64)


def _as_matrix(x: Any, what: str = "X") -> np.ndarray:
    arr = np.asarray(x, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise InvalidInputError(
            f"'{what}' must be a 2-D array with at least one row and column; got shape {arr.shape}."
        )
    if not np.isfinite(arr).all():
        raise InvalidInputError(f"'{what}' holds NaN or infinite values.")
    return arr


def _matched(X: Any, Y: Any, x_name: str = "X", y_name: str = "Y") -> tuple[np.ndarray, np.ndarray]:
    """Return both arrays checked (:func:`_as_matrix`), with as many rows."""
    x, y = _as_matrix(X, x_name), _as_matrix(Y, y_name)
    if len(x) != len(y):
        raise InvalidInputError(
            f"'{x_name}' and '{y_name}' must have as many rows; got {len(x)} and {len(y)}."
        )
    return x, y


def _int_at_least(name: str, value: Any, least: int) -> int:
    """Return ``value`` as an int, or raise naming ``name`` when it is not an integer >= least."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        raise InvalidInputError(f"'{name}' must be an integer >= {least}; got {value!r}.")
    return int(value)


def _check_metric(metric: str) -> str:
    if metric not in _METRICS:
        raise InvalidInputError(f"'metric' must be one of {', '.join(_METRICS)}; got {metric!r}.")
    return metric


def _unit(x: np.ndarray) -> np.ndarray:
    """Return ``x`` with unit rows (zero rows stay zero); ``x`` itself when already so."""
    norms = np.sqrt(np.einsum("ij,ij->i", x, x))  # no n x d temporary
    if np.all(np.abs(norms - 1) <= 1e-6):
        return x
    return x / np.where(norms > 0, norms, 1).astype(x.dtype)[:, None]


def project(
    X: Any,
    method: str = "pca",
    *,
    seed: int = 0,
    metric: str = "cosine",
    progress: Progress | None = None,
    **params: Any,
) -> np.ndarray:
    """Return a 2-D map of the rows of ``X`` (float32, shape ``(n, 2)``).

    Parameters
    ----------
    X : array of shape (n, d)
    method : {"pca", "tsne", "umap"}, default="pca"
        ``"tsne"`` needs ``pip install 'embedlab[tsne]'`` (openTSNE), ``"umap"``
        ``pip install 'embedlab[umap]'`` (umap-learn).
    seed : int, default=0
        t-SNE and UMAP are deterministic for a given seed (one thread); PCA needs none.
    metric : {"cosine", "ip", "l2"}, default="cosine"
        The space the map should show: ``"cosine"`` unit-normalises the rows first.
    progress : callable or None
        Called with the fraction done (0..1) while the map is computed.
    **params
        The method's parameters (:data:`METHODS`): t-SNE ``perplexity``, ``n_iter``,
        ``early_exaggeration_iter``, ``n_jobs``; UMAP ``n_neighbors``, ``min_dist``,
        ``n_epochs``.

    Returns
    -------
    numpy.ndarray of float32, shape (n, 2)
        PCA coordinates are the scores on the first two principal axes, each axis' sign fixed
        so that its largest loading is positive.

    Examples
    --------
    >>> x = np.array([[0, 0, 0], [2, 0, 0], [4, 0, 1e-3]], dtype="float32")
    >>> np.round(project(x, "pca", metric="l2"), 3) + 0.0
    array([[-2.,  0.],
           [ 0.,  0.],
           [ 2.,  0.]], dtype=float32)
    """
    x = _as_matrix(X)
    _check_metric(metric)
    full = normalize_params(method, params)
    if metric == "cosine" and method != "pca":  # PCA normalises block by block
        x = _unit(x)
    report = progress or (lambda _f: None)
    report(0.0)
    if method == "pca":
        out = _pca(x, unit=metric == "cosine")
    elif method == "tsne":
        out = _tsne(x, full, seed, "euclidean" if metric == "l2" else "cosine", report)
    else:
        out = _umap(x, full, seed, "euclidean" if metric == "l2" else "cosine")
    report(1.0)
    return np.ascontiguousarray(out, dtype=np.float32)


_BLOCK = 16_384  # rows per block of the PCA passes (bounded temporaries, no n x d copy)


def _pca(x: np.ndarray, *, unit: bool = False) -> np.ndarray:
    """Return the scores on the top two principal axes (rows unit-normalised when ``unit``)."""
    n, d = x.shape
    if n < 2:
        return np.zeros((n, 2), np.float32)

    def rows(a: int) -> np.ndarray:
        block = x[a : a + _BLOCK]
        return _unit(block) if unit else block

    # covariance = X'X - n mu mu' accumulated over blocks (Gram blocks on BLAS in float32, the
    # sums in float64); scores = x @ axes - mu @ axes
    gram = np.zeros((d, d), np.float64)
    total = np.zeros(d, np.float64)
    for a in range(0, n, _BLOCK):
        block = rows(a)
        gram += block.T @ block
        total += block.sum(axis=0, dtype=np.float64)
    mu = total / n
    values, vectors = np.linalg.eigh(gram - n * np.outer(mu, mu))
    order = np.argsort(values)[::-1][: min(2, d)]
    axes = vectors[:, order]
    signs = np.sign(axes[np.abs(axes).argmax(axis=0), np.arange(axes.shape[1])])
    axes = (axes * np.where(signs == 0, 1.0, signs)).astype(np.float32)
    shift = (mu @ axes).astype(np.float32)
    out = np.zeros((n, 2), np.float32)
    for a in range(0, n, _BLOCK):
        out[a : a + _BLOCK, : axes.shape[1]] = rows(a) @ axes - shift
    return out


def _tsne(x: np.ndarray, p: dict[str, Any], seed: int, metric: str, report: Progress) -> Any:
    open_tsne = import_optional("openTSNE", "tsne", "t-SNE maps")
    n = x.shape[0]
    if n < 4:
        raise InvalidInputError(f"A t-SNE map needs at least 4 points; got {n}.")
    total = p["early_exaggeration_iter"] + p["n_iter"]
    done = [0]

    def tick(*_args: Any) -> bool:
        done[0] += 10
        report(min(0.99, done[0] / total))
        return False

    model = open_tsne.TSNE(
        n_components=2,
        perplexity=min(p["perplexity"], (n - 1) / 3),
        n_iter=p["n_iter"],
        early_exaggeration_iter=p["early_exaggeration_iter"],
        metric=metric,
        n_jobs=p["n_jobs"],
        random_state=seed,
        callbacks=tick,
        callbacks_every_iters=10,
        verbose=False,
    )
    return np.asarray(model.fit(x))


def _umap(x: np.ndarray, p: dict[str, Any], seed: int, metric: str) -> Any:
    with warnings.catch_warnings():  # umap-learn warns at import that TensorFlow is absent
        warnings.filterwarnings("ignore", "Tensorflow not installed", ImportWarning)
        umap = import_optional("umap", "umap", "UMAP maps", package="umap-learn")
    n = x.shape[0]
    if n < 4:
        raise InvalidInputError(f"A UMAP map needs at least 4 points; got {n}.")
    model = umap.UMAP(
        n_components=2,
        n_neighbors=min(p["n_neighbors"], n - 1),
        min_dist=p["min_dist"],
        n_epochs=p["n_epochs"],
        metric=metric,
        random_state=seed,
        n_jobs=1,
    )
    return model.fit_transform(x)


# -- quality ------------------------------------------------------------------------------------
def _knn(x: np.ndarray, k: int, metric: str) -> np.ndarray:
    """Return the ``k`` nearest other rows of every row (exact; ties by position)."""
    from embedlab.retrieval.index.flat import FlatIndex

    n = x.shape[0]
    index = FlatIndex(x.shape[1], metric).add(x)
    _, ids = index.search(x, k=min(k + 1, n))
    hit = ids == np.arange(n)[:, None]
    has = hit.any(axis=1)
    out = np.empty((n, k), dtype=np.int64)
    out[has] = ids[has][~hit[has]].reshape(-1, ids.shape[1] - 1)[:, :k]
    out[~has] = ids[~has, :k]
    return out


def _overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    k = a.shape[1]
    both = np.sort(np.concatenate([a, b], axis=1), axis=1)
    return (both[:, 1:] == both[:, :-1]).sum(axis=1) / k


def _check_k(k: Any, n: int) -> int:
    k = _int_at_least("k", k, 1)
    if k >= n:
        raise InvalidInputError(f"'k' must be smaller than the number of points ({n}); got {k}.")
    return int(k)


def knn_overlap(X: Any, Y: Any, k: int = 10, *, metric: str = "cosine") -> np.ndarray:
    """Return, per row, the share of its ``k`` nearest rows in ``X`` that are also nearest in ``Y``.

    ``X`` is the original space (compared by ``metric``), ``Y`` the map (Euclidean). 1 means
    the map keeps the point's neighbourhood exactly.

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0], [10.0]])
    >>> knn_overlap(x, x * -3, k=1, metric="l2").tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    x, y = _matched(X, Y)
    k = _check_k(k, len(x))
    return _overlap(_knn(x, k, _check_metric(metric)), _knn(y, k, "l2"))


def knn_agreement(
    A: Any, B: Any, k: int = 10, *, metric_a: str = "cosine", metric_b: str = "cosine"
) -> np.ndarray:
    """Return, per row, ``|kNN_A(i) & kNN_B(i)| / k``: how much two embeddings agree on it.

    Row ``i`` of ``A`` and of ``B`` must be the same item (for example the same node in a FastRP
    and a DeepWalk embedding); neighbours are searched among the given rows only.

    Examples
    --------
    >>> a = np.array([[0.0], [1.0], [5.0], [6.0]])
    >>> knn_agreement(a, 2 * a, k=1, metric_a="l2", metric_b="l2").tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    a, b = _matched(A, B, "A", "B")
    k = _check_k(k, len(a))
    return _overlap(_knn(a, k, _check_metric(metric_a)), _knn(b, k, _check_metric(metric_b)))


_PAIRWISE_MAX = 5000  # rows up to which the quality measures hold all pairwise distances


def _pairwise(x: np.ndarray, metric: str) -> np.ndarray:
    """Return all pairwise distances (float64; the diagonal +inf, so a row is not its own)."""
    z = x.astype(np.float64)
    if metric == "cosine":
        z = _unit(z)
        d = 1.0 - z @ z.T
    else:
        sq = (z * z).sum(axis=1)
        d = np.maximum(sq[:, None] + sq[None, :] - 2.0 * (z @ z.T), 0.0)
    np.fill_diagonal(d, np.inf)
    return d


def _nearest(d: np.ndarray, k: int) -> np.ndarray:
    """Return each row's ``k`` smallest entries' columns, nearest first."""
    idx = np.argpartition(d, k - 1, axis=1)[:, :k]
    order = np.argsort(np.take_along_axis(d, idx, axis=1), axis=1, kind="stable")
    return np.take_along_axis(idx, order, axis=1)


def _trust(dx: np.ndarray, nx: np.ndarray, ny: np.ndarray) -> float:
    """Venna & Kaski's trustworthiness from the original distances and both kNN sets."""
    m, k = ny.shape
    penalty = 0
    for a in range(0, m, 256):  # blocks of rows: memory 256 x k x m booleans
        rows = dx[a : a + 256]
        far = np.take_along_axis(rows, ny[a : a + 256], axis=1)  # X-distance to map neighbours
        rank = (rows[:, None, :] < far[:, :, None]).sum(axis=2) + 1  # 1 = nearest in X
        new = ~(ny[a : a + 256, :, None] == nx[a : a + 256, None, :]).any(axis=2)
        penalty += int(((rank - k) * new).sum())
    return float(1.0 - 2.0 / (m * k * (2.0 * m - 3.0 * k - 1.0)) * penalty)


def _quality_inputs(X: Any, Y: Any, k: Any, metric: str) -> tuple[np.ndarray, np.ndarray, int]:
    x, y = _matched(X, Y)
    k = _check_k(k, len(x))
    if k >= len(x) / 2:
        raise InvalidInputError(f"'k' must be below half the number of points ({len(x)}); got {k}.")
    if len(x) > _PAIRWISE_MAX:
        raise InvalidInputError(
            f"Trustworthiness compares all pairs: at most {_PAIRWISE_MAX:,} points; got "
            f"{len(x):,} (use map_quality, which draws a sample)."
        )
    if _check_metric(metric) == "ip":
        raise InvalidInputError(
            "Trustworthiness needs a distance: metric 'cosine' or 'l2', not 'ip'."
        )
    return x, y, k


def trustworthiness(X: Any, Y: Any, k: int = 10, *, metric: str = "cosine") -> float:
    """Return the trustworthiness of the map ``Y`` of ``X`` (Venna & Kaski 2001).

    ``1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in U_k(i)} (r(i, j) - k)``, where ``U_k(i)``
    are the map's k nearest neighbours of ``i`` that are not among its k nearest in ``X`` and
    ``r(i, j)`` is the rank of ``j`` among ``i``'s neighbours in ``X`` (1 = nearest). 1 means no
    point on the map has a neighbour that is not near it in the original space. Equal to
    scikit-learn's ``sklearn.manifold.trustworthiness`` (the tests check it) without its import
    (about 1 s, paid by a server's first map); ``k`` below half the rows, at most 5,000 rows.

    Examples
    --------
    >>> x = np.arange(12.0).reshape(6, 2)
    >>> trustworthiness(x, x[:, :1], k=2, metric="l2")
    1.0
    """
    x, y, k = _quality_inputs(X, Y, k, metric)
    dx = _pairwise(x, metric)
    return _trust(dx, _nearest(dx, k), _nearest(_pairwise(y, "l2"), k))


def map_quality(
    X: Any, Y: Any, *, k: int = 10, sample: int = 2000, seed: int = 0, metric: str = "cosine"
) -> dict[str, Any]:
    """Return the trustworthiness and mean kNN overlap of the map ``Y`` of ``X``, on a sample.

    Both are computed among ``min(n, sample)`` randomly drawn rows (exact neighbours in that
    sample); ``k`` is lowered to fit a small sample (``k < sample / 2``). With ``metric="ip"``
    the original space is compared by cosine (inner products are not a distance).

    Returns
    -------
    dict
        ``{"trustworthiness", "knn_overlap", "k", "sample"}`` (``None`` values below 5 points).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 8)).astype("float32")
    >>> q = map_quality(x, project(x, "pca", metric="l2"), metric="l2")
    >>> 0.5 < q["trustworthiness"] <= 1, q["k"], q["sample"]
    (True, 10, 200)
    """
    x, y = _matched(X, Y)
    _int_at_least("k", k, 1)
    if isinstance(sample, bool) or not isinstance(sample, int | np.integer):
        raise InvalidInputError(f"'sample' must be an integer; got {sample!r}.")
    if not 1 <= sample <= _PAIRWISE_MAX:
        raise InvalidInputError(
            f"'sample' must be from 1 to {_PAIRWISE_MAX:,} (all pairs are compared); "
            f"got {sample!r}."
        )
    pos = sample_positions(len(x), sample, seed)
    m = len(pos)
    k_eff = min(int(k), (m - 1) // 2)
    if k_eff < 1 or m < 5:
        return {"trustworthiness": None, "knn_overlap": None, "k": k_eff, "sample": m}
    metric = "cosine" if _check_metric(metric) == "ip" else metric
    xs, ys, k_eff = _quality_inputs(x[pos], y[pos], k_eff, metric)
    dx = _pairwise(xs, metric)
    nx, ny = _nearest(dx, k_eff), _nearest(_pairwise(ys, "l2"), k_eff)
    return {
        "trustworthiness": _trust(dx, nx, ny),
        "knn_overlap": float(_overlap(nx, ny).mean()),
        "k": k_eff,
        "sample": m,
    }


# -- alignment ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Alignment:
    """A similarity transform ``y -> scale * (y - source_mean) @ rotation + target_mean``.

    ``rotation`` is orthogonal (a reflection is allowed: map axes have no natural sign).
    """

    rotation: np.ndarray
    scale: float
    source_mean: np.ndarray
    target_mean: np.ndarray

    def apply(self, coords: Any) -> np.ndarray:
        """Return ``coords`` (n, 2) moved onto the target map (float32)."""
        y = np.asarray(coords, dtype=np.float64)
        out = self.scale * (y - self.source_mean) @ self.rotation + self.target_mean
        return out.astype(np.float32)


def align(source: Any, target: Any, *, scale: str = "least_squares") -> Alignment:
    """Fit the rotation, scale and shift that move ``source`` onto ``target``.

    Rows are matched (row ``i`` of both is the same item). The rotation (reflections allowed) is
    orthogonal Procrustes (Schönemann 1966) on the centred rows; the shift matches the means.

    Parameters
    ----------
    source, target : arrays of shape (n, 2)
    scale : {"least_squares", "spread"}, default="least_squares"
        ``"least_squares"``: the scale minimising the squared distances,
        ``sum(singular values) / ||source - mean||^2`` — it shrinks a map that agrees poorly
        with the target. ``"spread"``: ``||target - mean|| / ||source - mean||``, the two maps
        equally spread (what a side-by-side view wants). Both are equal for an exact similarity.

    Examples
    --------
    >>> a = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    >>> b = 3 * a @ np.array([[0.0, -1.0], [1.0, 0.0]]) + 5
    >>> np.allclose(align(b, a).apply(b), a, atol=1e-6)
    True
    """
    if scale not in ("least_squares", "spread"):
        raise InvalidInputError(f"'scale' must be 'least_squares' or 'spread'; got {scale!r}.")
    s = np.asarray(source, dtype=np.float64)
    t = np.asarray(target, dtype=np.float64)
    if s.ndim != 2 or s.shape != t.shape or len(s) < 1:
        raise InvalidInputError(
            f"'source' and 'target' must be matched 2-D arrays of one shape; got {s.shape} and "
            f"{t.shape}."
        )
    mu_s, mu_t = s.mean(axis=0), t.mean(axis=0)
    s0, t0 = s - mu_s, t - mu_t
    u, sigma, vt = np.linalg.svd(s0.T @ t0)
    rotation = u @ vt
    norm = float((s0 * s0).sum())
    if norm == 0:
        factor = 1.0
    elif scale == "spread":
        factor = float(np.sqrt((t0 * t0).sum() / norm))
    else:
        factor = float(sigma.sum() / norm)
    return Alignment(rotation, factor, mu_s, mu_t)
