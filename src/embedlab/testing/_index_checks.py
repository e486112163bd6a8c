"""The index and compressor contracts (DESIGN.md section 2), as executable checks.

``index_checks()`` yields checks that take a spec string (:mod:`embedlab.retrieval.spec`) and
``compressor_checks()`` checks that take a :data:`~embedlab.registry.COMPRESSORS` name; each
raises ``AssertionError`` naming what broke. Parametrise a test over both, in the spirit of
scikit-learn's ``estimator_checks``::

    @pytest.mark.parametrize("check", index_checks(), ids=lambda c: c.__name__)
    @pytest.mark.parametrize("spec", ["Flat", "SQ8", "HNSW32"])
    def test_index_contract(check, spec, tmp_path):
        check(spec)

The data are small and seeded: vectors near a 12-dimensional subspace (so that approximate
indexes have structure to find), queries near stored vectors. Exact indexes must rank as a
float64 NumPy reference over the same codes does (float32 vectors, int8 reconstructions, sign
bits); approximate ones must reach a recall floor, searched with every IVF list probed and a deep
HNSW beam, so that the floor tests their codes rather than their search effort.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.exceptions import NotFittedError
from embedlab.registry import COMPRESSORS, INDEXES
from embedlab.retrieval.spec import IndexSpec, make_index, parse_spec

__all__ = ["CHECK_PARAMS", "RECALL_FLOOR", "compressor_checks", "index_checks"]

#: recall@10 an approximate index must reach against exact search on the check data
RECALL_FLOOR = 0.6
#: constructor parameters of compressors that need some, for the checks
CHECK_PARAMS: dict[str, dict[str, Any]] = {"pq": {"m": 4, "nbits": 4}, "mrl": {"dim": 8}}

_FLT_MAX = float(np.finfo(np.float32).max)
_K = 10
Builder = Callable[[str, int, str], Any]


# ------------------------------------------------------------------------------- data
def _dim(spec: IndexSpec) -> int:
    """Pick a dimension every part of the spec accepts (a multiple of 64 above any MRL prefix)."""
    return 64 if spec.mrl is None else 64 * (spec.mrl // 64 + 2)


def _data(dim: int, n: int = 1200, nq: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(12, dim))
    x = rng.normal(size=(n, 12)) @ basis + 0.1 * rng.normal(size=(n, dim))
    q = x[rng.choice(n, nq, replace=False)] + 0.3 * rng.normal(size=(nq, dim))
    return x.astype(np.float32), q.astype(np.float32)


def _search_params(spec: IndexSpec) -> dict[str, Any]:
    if spec.backend != "faiss" or spec.factory.startswith("B"):
        return {}
    if "IVF" in spec.factory:
        return {"nprobe": 1 << 16}  # FAISS probes at most every list
    if "HNSW" in spec.factory:
        return {"efSearch": 256}
    return {}


def _unit(a: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(a, axis=1, keepdims=True)
    return np.divide(a, norms, out=np.zeros_like(a), where=norms > 0)


def _reference(
    spec: IndexSpec, x: np.ndarray, q: np.ndarray, k: int, metric: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return (keys, positions) by brute force in float64 over what the index stores.

    For approximate specs, over the float vectors. Smaller keys first, ties to the lower
    position.
    """
    x64, q64 = x.astype(np.float64), q.astype(np.float64)
    if spec.mrl is not None:  # the truncation is part of the spec: the reference shares it
        x64, q64 = _unit(x64[:, : spec.mrl]), _unit(q64[:, : spec.mrl])
    if spec.factory == "BFlat":
        key = ((q64[:, None, :] > 0) != (x64[None, :, :] > 0)).sum(axis=2).astype(np.float64)
    else:
        if metric == "cosine":
            x64, q64 = _unit(x64), _unit(q64)
        if spec.backend == "flat" and spec.factory == "SQ8":
            from embedlab.retrieval.compression import Int8Quantizer

            x32 = x64.astype(np.float32)
            qz = Int8Quantizer().fit(x32)
            x64 = qz.inverse_transform(qz.transform(x32)).astype(np.float64)
        if metric == "l2":
            key = ((q64[:, None, :] - x64[None, :, :]) ** 2).sum(axis=2)
        else:
            key = -(q64 @ x64.T)
    order = np.lexsort((np.broadcast_to(np.arange(len(x64)), key.shape), key), axis=1)[:, :k]
    return np.take_along_axis(key, order, axis=1), order


def _fail(spec: str, what: str) -> AssertionError:
    return AssertionError(f"index {spec!r}: {what}")


# ------------------------------------------------------------------------------- index checks
def check_index_attributes(spec: str, build: Builder = make_index) -> None:
    """``len``, ``dim``, ``metric`` in {ip, l2, cosine}, the registry ``name``, user ids."""
    parsed = parse_spec(spec)
    dim = _dim(parsed)
    x, _ = _data(dim)
    for metric in ("ip", "l2", "cosine"):
        index = build(spec, dim, metric)
        if index.dim != dim or index.metric != metric or len(index) != 0:
            raise _fail(spec, f"dim/metric/len are {index.dim}/{index.metric}/{len(index)}")
        if index.name not in INDEXES or INDEXES.get(index.name) is not type(index):
            raise _fail(spec, f"{type(index).__name__}.name {index.name!r} is not its registry key")
        if index.name != parsed.index_name:
            raise _fail(spec, f"built a {index.name!r} index; the spec names {parsed.index_name!r}")
    ids = np.arange(len(x), dtype=np.int64) * 7 + 3
    index.train(x).add(x[:600], ids=ids[:600]).add(x[600:], ids=ids[600:])
    if len(index) != len(x):
        raise _fail(spec, f"len is {len(index)} after adding {len(x)} vectors")
    found = index.search(x[:20], 1, **_search_params(parsed))[1]
    if not np.isin(found, ids).all():
        raise _fail(spec, "search returned ids that were never added")


def check_index_exact_or_recall(
    spec: str, build: Builder = make_index, *, metrics: tuple[str, ...] = ("ip", "l2", "cosine")
) -> None:
    """Exact specs rank as the NumPy reference over their codes; others reach the recall floor."""
    parsed = parse_spec(spec)
    dim = _dim(parsed)
    x, q = _data(dim)
    for metric in metrics:
        index = build(spec, dim, metric).train(x).add(x)
        dist, ids = index.search(q, _K, **_search_params(parsed))
        if dist.dtype != np.float32 or ids.dtype != np.int64 or ids.shape != (len(q), _K):
            raise _fail(spec, f"search returned {dist.dtype} {dist.shape}, {ids.dtype} {ids.shape}")
        if parsed.exact:
            want_key, want_ids = _reference(parsed, x, q, _K, metric)
            if not np.array_equal(ids, want_ids):
                wrong = float((ids != want_ids).mean())
                raise _fail(spec, f"{metric}: {wrong:.1%} of ids differ from exact search")
            similarity = metric != "l2" and parsed.factory != "BFlat"
            want = -want_key if similarity else want_key
            if not np.allclose(dist, want, rtol=1e-4, atol=1e-3):
                raise _fail(spec, f"{metric}: distances differ from exact search")
        else:
            _, exact = _reference(IndexSpec("flat", "Flat", parsed.mrl), x, q, _K, metric)
            recall = np.mean([len(set(a) & set(b)) / _K for a, b in zip(ids, exact, strict=True)])
            if recall < RECALL_FLOOR:
                raise _fail(spec, f"{metric}: recall@{_K} {recall:.3f} < {RECALL_FLOOR}")


def check_index_padding(spec: str, build: Builder = make_index) -> None:
    """Check ``k`` beyond the index: as many columns as vectors (even for ``k = 10**9``).

    Each vector appears at most once, empty slots are ``-1`` with the worst distance.
    """
    parsed = parse_spec(spec)
    dim = _dim(parsed)
    x, q = _data(dim)
    for metric in ("ip", "l2"):
        index = build(spec, dim, metric).train(x).add(x[:5], ids=[40, 41, 42, 43, 44])
        for k in (8, 10**9):
            dist, ids = index.search(q[:3], k, **_search_params(parsed))
            if ids.shape != (3, 5) or dist.shape != (3, 5):
                raise _fail(spec, f"k={k} over 5 vectors gave shape {ids.shape}, not (3, 5)")
            for row, drow in zip(ids, dist, strict=True):
                hit = row[row >= 0]
                if len(set(hit.tolist())) != len(hit) or not np.isin(hit, np.arange(40, 45)).all():
                    raise _fail(spec, f"k={k}: ids {row.tolist()} repeat or were never added")
                if (row[len(hit) :] != -1).any():
                    raise _fail(spec, f"k={k}: padding is not at the end of {row.tolist()}")
                if parsed.exact and len(hit) != 5:
                    raise _fail(spec, f"k={k}: an exact index missed vectors: {row.tolist()}")
                worst = _FLT_MAX if metric == "l2" or parsed.factory.startswith("B") else -_FLT_MAX
                if not (drow[row < 0] == worst).all():
                    raise _fail(spec, f"k={k}: padding distances are not {worst}")
        empty = build(spec, dim, metric).train(x)
        dist, ids = empty.search(q[:2], 4)
        if ids.shape != (2, 0):
            raise _fail(spec, f"an empty index returned shape {ids.shape}, not (2, 0)")


def check_index_save_load(spec: str, build: Builder = make_index) -> None:
    """``save`` then ``Index.load`` gives the same spec, metric, ids, names and results."""
    from embedlab.retrieval.index import Index

    parsed = parse_spec(spec)
    dim = _dim(parsed)
    x, q = _data(dim)
    index = build(spec, dim, "l2").train(x).add(x, ids=np.arange(len(x)) * 3)
    index.names = np.asarray([f"doc{i}" for i in range(len(x))])
    params = _search_params(parsed)
    before = index.search(q, _K, **params)
    with tempfile.TemporaryDirectory() as folder:
        again = Index.load(index.save(Path(folder) / "index.npz"))
    if (again.describe(), again.metric, again.dim, len(again)) != (
        index.describe(),
        "l2",
        dim,
        len(x),
    ):
        raise _fail(spec, f"reloaded as {again!r}")
    if type(again) is not type(index) or not np.array_equal(again.ids, index.ids):
        raise _fail(spec, "the reloaded index has another class or other ids")
    if again.names is None or again.names.tolist() != index.names.tolist():
        raise _fail(spec, "names were not saved")
    after = again.search(q, _K, **params)
    if not (np.array_equal(before[0], after[0]) and np.array_equal(before[1], after[1])):
        raise _fail(spec, "the reloaded index searches differently")


def check_index_describe_round_trip(spec: str, build: Builder = make_index) -> None:
    """``describe()`` is canonical and ``make_index`` turns it back into the same index."""
    parsed = parse_spec(spec)
    dim = _dim(parsed)
    index = build(spec, dim, "cosine")
    text = index.describe()
    if text != parsed.describe():
        raise _fail(spec, f"describe() is {text!r}; the canonical spec is {parsed.describe()!r}")
    if parse_spec(text) != parsed or parse_spec(text).describe() != text:
        raise _fail(spec, f"{text!r} does not parse back to {parsed!r}")
    again = make_index(text, dim, "cosine")
    if type(again) is not type(index) or again.describe() != text:
        raise _fail(spec, f"make_index({text!r}) built {again!r}, not {index!r}")


def index_checks() -> Iterator[Callable[..., None]]:
    """Yield the index contract checks, each ``check(spec, build=make_index)``.

    Returns
    -------
    iterator of callables

    Examples
    --------
    >>> for check in index_checks():
    ...     check("Flat")
    """
    yield check_index_attributes
    yield check_index_exact_or_recall
    yield check_index_padding
    yield check_index_save_load
    yield check_index_describe_round_trip


# ------------------------------------------------------------------------------- compressors
def _compressor(name: str) -> Any:
    return COMPRESSORS.make(name, **CHECK_PARAMS.get(name, {}))


def _codes_data(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(512, 16)).astype(np.float32)


def check_compressor_name(name: str) -> None:
    """Check that the registered class carries its registry key as ``name``."""
    cls = COMPRESSORS.get(name)
    if getattr(cls, "name", None) != name:
        raise AssertionError(f"compressor {name!r}: {cls.__name__}.name is {cls.name!r}")


def check_compressor_not_fitted(name: str) -> None:
    """``transform`` before ``fit`` raises :class:`~embedlab.exceptions.NotFittedError`."""
    try:
        _compressor(name).transform(_codes_data())
    except NotFittedError:
        return
    raise AssertionError(f"compressor {name!r}: transform before fit did not raise NotFittedError")


def check_compressor_codes(name: str) -> None:
    """Check that ``fit`` returns the compressor and codes are uint8 or float32 ``[n, w]``.

    The codes take ``code_size_bytes`` bytes per vector.
    """
    x = _codes_data()
    comp = _compressor(name)
    if comp.fit(x) is not comp:
        raise AssertionError(f"compressor {name!r}: fit does not return self")
    codes = comp.transform(x)
    if not isinstance(codes, np.ndarray) or codes.ndim != 2 or len(codes) != len(x):
        raise AssertionError(f"compressor {name!r}: codes are not [n, w]")
    if codes.dtype not in (np.uint8, np.float32):
        raise AssertionError(f"compressor {name!r}: codes are {codes.dtype}")
    if comp.code_size_bytes != codes.nbytes // len(x):
        raise AssertionError(
            f"compressor {name!r}: code_size_bytes {comp.code_size_bytes} but codes take "
            f"{codes.nbytes // len(x)} bytes per vector"
        )


def check_compressor_inverse(name: str) -> None:
    """Check ``inverse_transform``, where it exists.

    It gives float32 ``[n, d]``, closer to the data than their mean is (mean squared error), and
    re-encoding a reconstruction gives the same codes.
    """
    comp = _compressor(name)
    if not hasattr(comp, "inverse_transform"):
        return
    x = _codes_data()
    codes = comp.fit(x).transform(x)
    rec = comp.inverse_transform(codes)
    if rec.dtype != np.float32 or rec.shape != x.shape:
        raise AssertionError(f"compressor {name!r}: inverse_transform gave {rec.dtype} {rec.shape}")
    mse = float(((rec - x) ** 2).mean())
    base = float(((x - x.mean(axis=0)) ** 2).mean())
    if not mse < base:
        raise AssertionError(f"compressor {name!r}: reconstruction MSE {mse:.3f} >= {base:.3f}")
    if not np.array_equal(comp.transform(rec), codes):
        raise AssertionError(f"compressor {name!r}: reconstructions re-encode to other codes")


def check_compressor_deterministic(name: str) -> None:
    """Two compressors fitted on the same data give the same codes."""
    x = _codes_data()
    a = _compressor(name).fit(x).transform(x)
    b = _compressor(name).fit(x).transform(x)
    if not np.array_equal(a, b):
        raise AssertionError(f"compressor {name!r}: the same data gave different codes")


def compressor_checks() -> Iterator[Callable[[str], None]]:
    """Yield the compressor contract checks, each ``check(name)``.

    ``name`` is a :data:`~embedlab.registry.COMPRESSORS` name (parameters from
    :data:`CHECK_PARAMS`).

    Returns
    -------
    iterator of callables

    Examples
    --------
    >>> for check in compressor_checks():
    ...     check("int8")
    """
    yield check_compressor_name
    yield check_compressor_not_fitted
    yield check_compressor_codes
    yield check_compressor_inverse
    yield check_compressor_deterministic
