"""The embedder contract (DESIGN.md section 2), and the registry-entry contract, as checks.

Each embedder check builds a small synthetic graph with a planted structure, so that the checks
are meaningful, not only about shapes. :func:`check_registry_entry` holds for every entry of
every registry in :data:`embedlab.registry.REGISTRIES`.
"""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from embedlab.base import BaseEmbedder, clone
from embedlab.exceptions import InvalidInputError, NotFittedError

__all__ = [
    "check_embedder",
    "check_name_matches_registry",
    "check_registry_entry",
    "embedder_checks",
]


def check_registry_entry(registry: Any, key: str) -> None:
    """Check that the entry ``key`` of ``registry`` imports and carries ``name == key``.

    Parameters
    ----------
    registry : Registry
        A family registry.
    key : str
        One of its names.

    Examples
    --------
    >>> from embedlab.registry import EMBEDDERS
    >>> check_registry_entry(EMBEDDERS, "fastrp")
    """
    path = registry.path(key)
    try:
        component = registry.get(key)
    except (ImportError, AttributeError) as exc:
        raise AssertionError(f"{registry.kind} {key!r}: {path} does not import: {exc}") from exc
    name = getattr(component, "name", None)
    if name != key:
        raise AssertionError(
            f"{registry.kind} {key!r} ({path}) must declare name = {key!r}; it has {name!r}"
        )


def _graph() -> Any:
    from embedlab.datasets import stochastic_block_model

    return stochastic_block_model([30, 30, 30], 0.3, 0.02, random_state=7)


def _make(cls: type[BaseEmbedder], **extra: Any) -> Any:
    params: dict[str, Any] = {"random_state": 0}
    sig = inspect.signature(cls.__init__).parameters
    if "n_components" in sig:
        params["n_components"] = 16
    if "deterministic" in sig:  # Hogwild threads may differ run to run; the contract is per seed
        params["deterministic"] = True
    params.update(extra)
    return cls(**{k: v for k, v in params.items() if k in sig})


def check_name_matches_registry(cls: type[BaseEmbedder]) -> None:
    """``cls.name`` is the key under which :data:`~embedlab.registry.EMBEDDERS` holds it.

    An unregistered class (a user's subclass) passes: only registered names are checked.
    """
    from embedlab.registry import EMBEDDERS

    try:
        key = EMBEDDERS.name_of(cls)
    except InvalidInputError:
        return
    if getattr(cls, "name", None) != key:
        raise AssertionError(
            f"{cls.__name__}.name is {getattr(cls, 'name', None)!r}; its registry key is {key!r}"
        )


def check_constructor_only_stores(cls: type[BaseEmbedder]) -> None:
    """``__init__`` takes keyword-only parameters, stores them unchanged and does nothing else."""
    sig = inspect.signature(cls.__init__)
    for p in sig.parameters.values():
        if p.name != "self" and p.kind is not p.KEYWORD_ONLY:
            raise AssertionError(f"{cls.__name__}: parameter {p.name!r} is not keyword-only")
    est = cls()
    params = est.get_params()
    if set(params) != {p for p in sig.parameters if p != "self"}:
        raise AssertionError(f"{cls.__name__}: get_params does not match the signature")
    for name, value in params.items():
        default = sig.parameters[name].default
        if value is not default:
            raise AssertionError(f"{cls.__name__}: __init__ altered parameter {name!r}")
    fitted = [a for a in vars(est) if a.endswith("_") and not a.startswith("_")]
    if fitted:
        raise AssertionError(f"{cls.__name__}: __init__ set fitted attributes {fitted}")


def check_repr_clone_pickle(cls: type[BaseEmbedder]) -> None:
    """``repr`` shows non-default parameters; ``clone`` and pickling keep the parameters."""
    est = _make(cls)
    if "random_state=0" not in repr(est):
        raise AssertionError(f"{cls.__name__}: repr {est!r} hides a non-default parameter")
    if clone(est).get_params() != est.get_params():
        raise AssertionError(f"{cls.__name__}: clone changed the parameters")
    if pickle.loads(pickle.dumps(est)).get_params() != est.get_params():
        raise AssertionError(f"{cls.__name__}: pickling changed the parameters")


def check_fit_output(cls: type[BaseEmbedder]) -> None:
    """Check that ``fit`` returns self and ``embeddings_`` is float32 [n, d], finite.

    ``embeddings_`` is also C-contiguous and aligned with ``ids_``; ``seed_`` is an int.
    """
    graph, _ = _graph()
    est = _make(cls)
    if est.fit(graph) is not est:
        raise AssertionError(f"{cls.__name__}.fit does not return self")
    emb = est.embeddings_
    if emb.dtype != np.float32 or not emb.flags.c_contiguous:
        raise AssertionError(f"{cls.__name__}: embeddings_ must be float32 C-contiguous")
    if emb.shape != (graph.n_nodes, est.n_components):
        raise AssertionError(f"{cls.__name__}: embeddings_ has shape {emb.shape}")
    if not np.isfinite(emb).all():
        raise AssertionError(f"{cls.__name__}: embeddings_ holds NaN/inf")
    if not np.array_equal(est.ids_, graph.node_ids):
        raise AssertionError(f"{cls.__name__}: ids_ do not match the graph's node ids")
    if not isinstance(est.seed_, int):
        raise AssertionError(f"{cls.__name__}: seed_ must be the int seed used")


def check_same_seed_same_bytes(cls: type[BaseEmbedder]) -> None:
    """Check that the same seed gives identical bytes; another seed gives different embeddings."""
    graph, _ = _graph()
    a = _make(cls).fit_transform(graph)
    b = _make(cls).fit_transform(graph)
    if a.tobytes() != b.tobytes():
        raise AssertionError(f"{cls.__name__}: same seed, different bytes")
    c = _make(cls, random_state=1).fit_transform(graph)
    if np.array_equal(a, c):
        raise AssertionError(f"{cls.__name__}: different seeds gave identical embeddings")


def check_seed_none_recorded(cls: type[BaseEmbedder]) -> None:
    """With ``random_state=None`` the drawn seed is stored and reproduces the run."""
    graph, _ = _graph()
    est = _make(cls, random_state=None).fit(graph)
    again = _make(cls, random_state=est.seed_).fit(graph)
    if est.embeddings_.tobytes() != again.embeddings_.tobytes():
        raise AssertionError(f"{cls.__name__}: seed_ does not reproduce the run")


def check_structure_recovered(cls: type[BaseEmbedder]) -> None:
    """On a 3-block SBM, nodes are closer (cosine) to their own block than to others."""
    graph, labels = _graph()
    emb = _make(cls).fit_transform(graph).astype(np.float64)
    emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    sim = emb @ emb.T
    same = labels.labels[:, None] == labels.labels[None, :]
    np.fill_diagonal(same, False)
    diff = labels.labels[:, None] != labels.labels[None, :]
    if not sim[same].mean() > sim[diff].mean() + 0.1:
        raise AssertionError(
            f"{cls.__name__}: within-block similarity {sim[same].mean():.3f} is not above "
            f"between-block {sim[diff].mean():.3f}"
        )


def check_bad_params_rejected(cls: type[BaseEmbedder]) -> None:
    """Check that a negative ``n_components`` is refused at ``fit`` with a message naming it."""
    graph, _ = _graph()
    if "n_components" not in inspect.signature(cls.__init__).parameters:
        return
    est: Any = cls(n_components=-1)  # type: ignore[call-arg]
    try:
        est.fit(graph)
    except InvalidInputError as exc:
        if "n_components" not in str(exc) or "-1" not in str(exc):
            raise AssertionError(f"{cls.__name__}: unhelpful message {exc}") from exc
    else:
        raise AssertionError(f"{cls.__name__} accepted n_components=-1")


def check_not_fitted(cls: type[BaseEmbedder]) -> None:
    """``transform`` before ``fit`` raises :class:`NotFittedError` (where ``transform`` exists)."""
    est = _make(cls)
    if not hasattr(est, "transform"):
        return
    try:
        est.transform([(10_000, 0)])
    except NotFittedError:
        return
    raise AssertionError(f"{cls.__name__}.transform before fit did not raise NotFittedError")


def embedder_checks() -> Iterator[Callable[[type[BaseEmbedder]], None]]:
    """Every embedder contract check, in order.

    Yields
    ------
    callable
        ``check(cls)``; raises ``AssertionError`` on a breach.
    """
    yield check_name_matches_registry
    yield check_constructor_only_stores
    yield check_repr_clone_pickle
    yield check_fit_output
    yield check_same_seed_same_bytes
    yield check_seed_none_recorded
    yield check_structure_recovered
    yield check_bad_params_rejected
    yield check_not_fitted


def check_embedder(cls: type[BaseEmbedder]) -> None:
    """Run every contract check on ``cls``; raise ``AssertionError`` naming the first failure."""
    for check in embedder_checks():
        check(cls)
