"""The evaluator contract, and the one helper that reads it: :func:`best_of`.

An evaluator is built with its data and a seeded protocol, and called on embeddings (or, for
link prediction, on an embedder it re-fits); it returns ``dict[str, float]``. Three attributes
describe the result (DESIGN.md section 2):

==========================  ====================================================================
``name``                    its key in :data:`embedlab.registry.EVALUATORS`
``primary_metric``          the key of the returned dict that ranks candidates; it may depend on
                            the configuration (``micro_f1@0.5`` for ``train_ratios=[0.5]``), so
                            it is read on the configured instance, and
                            ``evaluator(x)[evaluator.primary_metric]`` always works
``greater_is_better``       the direction of ``primary_metric``
==========================  ====================================================================

The shared checks in :mod:`embedlab.testing` hold every registered evaluator to this.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from embedlab.exceptions import InvalidInputError

__all__ = ["Evaluator", "best_of"]


@runtime_checkable
class Evaluator(Protocol):
    """What every registered evaluator provides (a structural type, nothing to inherit)."""

    name: str
    greater_is_better: bool

    @property
    def primary_metric(self) -> str:
        """The returned key that ranks candidates."""
        ...

    def __call__(self, embeddings: Any) -> dict[str, float]:
        """Score ``embeddings``; the keys include :attr:`primary_metric`."""
        ...


def best_of(results: Mapping[str, Mapping[str, Any]], evaluator: Any) -> str:
    """Return the candidate whose result is best by the evaluator's primary metric.

    Parameters
    ----------
    results : mapping of str to mapping of str to float
        ``{candidate: evaluator(candidate's embeddings)}``.
    evaluator : Evaluator
        The evaluator that produced the results: its ``primary_metric`` and
        ``greater_is_better`` decide. Ties go to the first candidate.

    Returns
    -------
    str
        The best candidate's name.

    Examples
    --------
    >>> from embedlab.eval import Clustering
    >>> from embedlab.datasets import NodeLabels
    >>> ev = Clustering(NodeLabels([0, 1], [0, 1]))
    >>> best_of({"noise": {"nmi": 0.1, "ari": 0.0}, "fastrp": {"nmi": 0.9, "ari": 0.8}}, ev)
    'fastrp'
    """
    if not results:
        raise InvalidInputError("'results' is empty: there is no candidate to choose.")
    key = evaluator.primary_metric
    sign = 1.0 if evaluator.greater_is_better else -1.0
    best_name: str | None = None
    best_value = float("-inf")
    for cand, scores in results.items():
        if key not in scores:
            raise InvalidInputError(
                f"The result of candidate {cand!r} has no primary metric {key!r} (keys: "
                f"{', '.join(map(str, scores))}); give the results of this evaluator."
            )
        value = sign * float(scores[key])
        if best_name is None or value > best_value:
            best_name, best_value = cand, value
    return str(best_name)
