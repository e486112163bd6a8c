"""The evaluator contract (DESIGN.md section 2), as executable checks.

Every check takes an evaluator (its registered name, or a class) and a small synthetic
:class:`EvaluatorFixture`; without one it builds the evaluator's own from
:func:`evaluator_fixture`: a three-block stochastic block model from :mod:`embedlab.datasets`,
with the planted-partition indicator vectors (plus a little noise) as the *good* embedding and
Gaussian noise as the *bad* one. The checks:

* ``name`` is the evaluator's registry key, ``greater_is_better`` a ``bool``;
* ``evaluator(x)[evaluator.primary_metric]`` exists, and every value is a Python ``float``;
* the same seed gives the same result;
* the good embedding beats the bad one in the declared direction.

A new evaluator adds its fixture builder to ``_FIXTURES`` below (one function).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from embedlab.base import BaseEmbedder

__all__ = [
    "EvaluatorFixture",
    "check_better_embedding_scores_better",
    "check_declares_contract",
    "check_evaluator",
    "check_primary_metric_returned",
    "check_same_seed_same_result",
    "check_values_are_floats",
    "evaluator_checks",
    "evaluator_fixture",
]


@dataclass(frozen=True)
class EvaluatorFixture:
    """A seeded evaluator factory with an input it should score well and one it should not.

    Parameters
    ----------
    make : callable
        ``make(random_state) -> evaluator``.
    good : object
        What the evaluator is called with that carries the planted structure.
    bad : object
        The same kind of input without it (noise).

    Examples
    --------
    >>> fx = evaluator_fixture("clustering")
    >>> fx.make(0).primary_metric
    'nmi'
    """

    make: Callable[[int], Any]
    good: Any
    bad: Any


def _sbm() -> tuple[Any, Any]:
    from embedlab.datasets import stochastic_block_model

    return stochastic_block_model([30, 30, 30], 0.3, 0.02, random_state=7)


def _planted(block: np.ndarray, seed: int, noise: float) -> np.ndarray:
    """One-hot block indicators plus Gaussian noise, float32."""
    rng = np.random.default_rng(seed)
    x = np.eye(int(block.max()) + 1)[block] + noise * rng.normal(size=(len(block), 3))
    return x.astype(np.float32)


def _noise(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 3)).astype(np.float32)


class _PlantedEmbedder(BaseEmbedder):
    """Embeds each node by its planted block (``blocks[node id]``) plus a little noise."""

    def __init__(self, *, blocks: Any = None, noise: float = 0.05, random_state: int = 0):
        self.blocks = blocks
        self.noise = noise
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> _PlantedEmbedder:
        block = np.asarray(self.blocks)[np.asarray(X.node_ids, dtype=np.int64)]
        self.embeddings_ = _planted(block, self.random_state, self.noise)
        self.ids_ = X.node_ids
        self.seed_ = self.random_state
        return self


class _NoiseEmbedder(BaseEmbedder):
    """Embeds every node by Gaussian noise."""

    def __init__(self, *, random_state: int = 0):
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> _NoiseEmbedder:
        self.embeddings_ = _noise(X.n_nodes, self.random_state)
        self.ids_ = X.node_ids
        self.seed_ = self.random_state
        return self


def _node_embeddings() -> tuple[Any, Any, Any, Any]:
    """Return the SBM, its labels, and the good and bad ``(ids, vectors)`` of its nodes."""
    graph, labels = _sbm()
    good = (graph.node_ids, _planted(_blocks(graph, labels), 0, 0.1))
    bad = (graph.node_ids, _noise(graph.n_nodes, 0))
    return graph, labels, good, bad


def _blocks(graph: Any, labels: Any) -> np.ndarray:
    """Return the planted block of every node, by row."""
    block = np.zeros(graph.n_nodes, dtype=np.int64)
    block[graph.positions(labels.nodes)] = labels.labels
    return block


def _node_classification(cls: type) -> EvaluatorFixture:
    _, labels, good, bad = _node_embeddings()
    return EvaluatorFixture(
        lambda seed: cls(labels, train_ratios=(0.5, 0.8), repeats=2, random_state=seed), good, bad
    )


def _link_prediction(cls: type) -> EvaluatorFixture:
    graph, labels = _sbm()
    blocks = np.zeros(int(np.max(graph.node_ids)) + 1, dtype=np.int64)
    blocks[labels.nodes] = labels.labels
    return EvaluatorFixture(
        lambda seed: cls(graph, operators=("hadamard", "dot"), random_state=seed),
        _PlantedEmbedder(blocks=blocks),
        _NoiseEmbedder(),
    )


def _reconstruction(cls: type) -> EvaluatorFixture:
    graph, _, good, bad = _node_embeddings()
    return EvaluatorFixture(
        lambda seed: cls(graph, hops=(2, 1), sample=40, random_state=seed), good, bad
    )


def _clustering(cls: type) -> EvaluatorFixture:
    _, labels, good, bad = _node_embeddings()
    return EvaluatorFixture(lambda seed: cls(labels, n_init=3, random_state=seed), good, bad)


def _retrieval(cls: type) -> EvaluatorFixture:
    # queries are the SBM's nodes, relevant documents the other nodes of the same block; the
    # good run ranks by the planted similarity, the bad one by noise
    graph, labels, (ids, good_x), (_, bad_x) = _node_embeddings()
    block = _blocks(graph, labels)
    qrels = {
        int(q): {int(d): 1 for d in ids[block == block[i]] if d != q}
        for i, q in enumerate(ids[:20])
    }

    def run(x: np.ndarray) -> dict[int, list[int]]:
        scores = x[:20] @ x.T
        scores[np.arange(20), np.arange(20)] = -np.inf
        return {
            int(q): ids[np.argsort(-scores[i], kind="stable")[:10]].tolist()
            for i, q in enumerate(ids[:20])
        }

    return EvaluatorFixture(lambda seed: cls(qrels, k_values=(10, 5)), run(good_x), run(bad_x))


#: registered name -> fixture builder (called with the evaluator class)
_FIXTURES: dict[str, Callable[[type], EvaluatorFixture]] = {
    "node-classification": _node_classification,
    "link-prediction": _link_prediction,
    "reconstruction": _reconstruction,
    "clustering": _clustering,
    "retrieval": _retrieval,
}


def evaluator_fixture(evaluator: str | type) -> EvaluatorFixture:
    """Return the synthetic fixture of a registered evaluator (a name, or a class).

    Parameters
    ----------
    evaluator : str or type
        A registered name, or an evaluator class (its ``name`` picks the fixture).

    Returns
    -------
    EvaluatorFixture
        Built for that class.

    Examples
    --------
    >>> fx = evaluator_fixture("node-classification")
    >>> fx.make(0).primary_metric in fx.make(0)(fx.good)
    True
    """
    name, cls = _resolve(evaluator)
    if name not in _FIXTURES:
        raise AssertionError(
            f"No synthetic fixture for evaluator {name!r}: add a builder to _FIXTURES in "
            "embedlab/testing/_evaluator_checks.py."
        )
    return _FIXTURES[name](cls)


def _resolve(evaluator: str | type) -> tuple[str, type]:
    from embedlab.exceptions import InvalidInputError
    from embedlab.registry import EVALUATORS, normalize_name

    if isinstance(evaluator, str):
        return normalize_name(evaluator), EVALUATORS.get(evaluator)
    try:  # a registered class; else (a subclass) its declared name
        return EVALUATORS.name_of(evaluator), evaluator
    except InvalidInputError:
        return str(getattr(evaluator, "name", evaluator.__name__)), evaluator


def _setup(evaluator: str | type, fixture: EvaluatorFixture | None) -> tuple[str, Any]:
    _, cls = _resolve(evaluator)
    return cls.__name__, fixture if fixture is not None else evaluator_fixture(evaluator)


def check_declares_contract(evaluator: str | type, fixture: EvaluatorFixture | None = None) -> None:
    """``name`` is the registry key, ``greater_is_better`` a bool, ``primary_metric`` a str."""
    from embedlab.exceptions import InvalidInputError
    from embedlab.registry import EVALUATORS

    _, cls = _resolve(evaluator)
    try:
        key = EVALUATORS.name_of(cls)
    except InvalidInputError:
        key = None
    if key is not None and getattr(cls, "name", None) != key:
        raise AssertionError(
            f"{cls.__name__}.name is {getattr(cls, 'name', None)!r}; its registry key is {key!r}"
        )
    if not isinstance(getattr(cls, "greater_is_better", None), bool):
        raise AssertionError(f"{cls.__name__}.greater_is_better must be a bool")
    ev = (fixture or evaluator_fixture(evaluator)).make(0)
    if not isinstance(ev.primary_metric, str):
        raise AssertionError(f"{cls.__name__}.primary_metric must be a str")


def check_primary_metric_returned(
    evaluator: str | type, fixture: EvaluatorFixture | None = None
) -> None:
    """``evaluator(x)[evaluator.primary_metric]`` exists for the configured evaluator."""
    label, fx = _setup(evaluator, fixture)
    ev = fx.make(0)
    result = ev(fx.good)
    if ev.primary_metric not in result:
        raise AssertionError(
            f"{label}: primary_metric {ev.primary_metric!r} is not a returned key "
            f"(keys: {sorted(result)})"
        )


def check_values_are_floats(evaluator: str | type, fixture: EvaluatorFixture | None = None) -> None:
    """Every returned value is a Python ``float`` (JSON-ready, not a numpy scalar)."""
    label, fx = _setup(evaluator, fixture)
    result = fx.make(0)(fx.good)
    wrong = {k: type(v).__name__ for k, v in result.items() if type(v) is not float}
    if not result or wrong:
        raise AssertionError(f"{label}: values must be Python floats; got {wrong or 'nothing'}")


def check_same_seed_same_result(
    evaluator: str | type, fixture: EvaluatorFixture | None = None
) -> None:
    """Two evaluators built with the same seed give identical results."""
    label, fx = _setup(evaluator, fixture)
    a, b = fx.make(0)(fx.good), fx.make(0)(fx.good)
    if a != b:
        raise AssertionError(f"{label}: same seed, different results {a} vs {b}")


def check_better_embedding_scores_better(
    evaluator: str | type, fixture: EvaluatorFixture | None = None
) -> None:
    """Check that the planted structure beats noise on ``primary_metric`` (declared direction)."""
    label, fx = _setup(evaluator, fixture)
    ev = fx.make(0)
    direction = getattr(ev, "greater_is_better", None)
    if not isinstance(direction, bool):
        raise AssertionError(f"{label}.greater_is_better must be a bool; got {direction!r}")
    key = ev.primary_metric
    good, bad = ev(fx.good)[key], ev(fx.bad)[key]
    if not (1.0 if direction else -1.0) * (good - bad) > 0.1:
        raise AssertionError(
            f"{label}: {key} of the planted embedding ({good:.3f}) does not beat noise "
            f"({bad:.3f}) with greater_is_better={direction}"
        )


def evaluator_checks() -> Iterator[Callable[..., None]]:
    """Every evaluator contract check, in order.

    Yields
    ------
    callable
        ``check(evaluator, fixture=None)``; raises ``AssertionError`` on a breach.

    Examples
    --------
    >>> [c.__name__ for c in evaluator_checks()][:2]
    ['check_declares_contract', 'check_primary_metric_returned']
    """
    yield check_declares_contract
    yield check_primary_metric_returned
    yield check_values_are_floats
    yield check_same_seed_same_result
    yield check_better_embedding_scores_better


def check_evaluator(evaluator: str | type, fixture: EvaluatorFixture | None = None) -> None:
    """Run every evaluator check; raise ``AssertionError`` naming the first failure.

    Parameters
    ----------
    evaluator : str or type
        A registered name or an evaluator class.
    fixture : EvaluatorFixture, optional
        Defaults to the evaluator's own (:func:`evaluator_fixture`).
    """
    fx = fixture if fixture is not None else evaluator_fixture(evaluator)
    for check in evaluator_checks():
        check(evaluator, fx)
