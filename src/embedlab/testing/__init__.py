"""Shared contract checks that every registered embedder must pass.

``check_embedder(EstimatorClass)`` runs them all; each ``check_*`` function is also usable alone
(``pytest.mark.parametrize`` over :func:`embedder_checks`), in the spirit of scikit-learn's
``estimator_checks`` and PyKEEN's ``tests/cases.py``.
"""

from embedlab.testing._checks import check_embedder, embedder_checks

__all__ = ["check_embedder", "embedder_checks"]
