"""Shared contract checks that every registered component must pass.

Each ``*_checks()`` generator yields checks usable alone (``pytest.mark.parametrize`` over
them), in the spirit of scikit-learn's ``estimator_checks`` and PyKEEN's ``tests/cases.py``;
``tests/test_contracts.py`` runs every registered component through its family's suite.

* embedders: :func:`embedder_checks`, :func:`check_embedder` (``check(cls)``);
* evaluators: :func:`evaluator_checks`, :func:`check_evaluator` (``check(name_or_cls,
  fixture=None)``, with a synthetic :class:`EvaluatorFixture` per registered evaluator);
* every registry entry: :func:`check_registry_entry` (it imports and has ``name == key``).
"""

from embedlab.testing._checks import (
    check_embedder,
    check_name_matches_registry,
    check_registry_entry,
    embedder_checks,
)
from embedlab.testing._evaluator_checks import (
    EvaluatorFixture,
    check_evaluator,
    evaluator_checks,
    evaluator_fixture,
)

__all__ = [
    "EvaluatorFixture",
    "check_embedder",
    "check_evaluator",
    "check_name_matches_registry",
    "check_registry_entry",
    "embedder_checks",
    "evaluator_checks",
    "evaluator_fixture",
]
