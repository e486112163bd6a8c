"""Helpers shared by the reproductions: per-seed values to a result."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from embedlab.bench._base import Reproduction, ReproductionResult
from embedlab.exceptions import InvalidInputError

__all__ = ["check_seeds", "result"]


def check_seeds(seeds: int) -> int:
    """``seeds`` if it is an int >= 1, else the error naming it.

    Examples
    --------
    >>> check_seeds(3)
    3
    >>> check_seeds(0)
    Traceback (most recent call last):
    ...
    embedlab.exceptions.InvalidInputError: 'seeds' must be an int >= 1; got 0.
    """
    if isinstance(seeds, bool) or not isinstance(seeds, int | np.integer) or seeds < 1:
        raise InvalidInputError(f"'seeds' must be an int >= 1; got {seeds!r}.")
    return int(seeds)


def result(
    entry: Reproduction,
    *,
    metric: str,
    ours: Sequence[float],
    reference: Sequence[float] | float,
    reference_name: str,
    higher_is_better: bool = True,
) -> ReproductionResult:
    """Build the result of ``entry``.

    ``ours`` and ``reference`` are per-seed values (or one published figure for ``reference``);
    the result holds their means and the standard deviation of ours.

    Examples
    --------
    >>> from embedlab.bench.reproduce.fastrp import FastRPReproduction
    >>> r = result(FastRPReproduction(), metric="micro_f1@0.1", ours=[0.37, 0.38],
    ...            reference=0.372, reference_name="paper")
    >>> round(r.ours, 3), round(r.std, 3), r.seeds, r.holds
    (0.375, 0.005, 2, True)
    """
    vals = np.asarray(ours, dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    return ReproductionResult(
        paper=entry.paper,
        claim=entry.claim,
        metric=metric,
        ours=float(vals.mean()),
        reference=float(ref.mean()),
        reference_name=reference_name,
        higher_is_better=higher_is_better,
        seeds=len(vals),
        std=float(vals.std()),
    )
