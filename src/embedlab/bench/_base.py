"""The two kinds of bench entries: comparison tables and paper reproductions.

A :class:`BenchTask` (registry ``BENCH_TASKS``, CLI ``embedlab bench <name>``) runs a comparison
and renders it as a markdown table. A :class:`Reproduction` (registry ``REPRODUCTIONS``, CLI
``embedlab bench reproduce <name>``) runs one seed paper's headline comparison on the data here
and returns a :class:`ReproductionResult`: ``ours`` is the method, ``reference`` the paper's
baseline computed in the same run, or a published figure (cited in
:mod:`embedlab.bench.references`) that it must beat or match.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

__all__ = ["BenchTask", "Reproduction", "ReproductionResult"]


class BenchTask(ABC):
    """A comparison table: ``run(**options) -> results``, ``markdown(results) -> str``."""

    #: the registry key (``embedlab bench <name>``)
    name: ClassVar[str]
    #: one line for ``--help`` and report headings
    title: ClassVar[str]

    @abstractmethod
    def run(self, **options: Any) -> Any:
        """Run the comparison and return its results (JSON-serialisable)."""

    @abstractmethod
    def markdown(self, results: Any) -> str:
        """Format the results as a markdown table."""


@dataclass(frozen=True)
class ReproductionResult:
    """One reproduced headline claim (the keys of ``embedlab bench reproduce --json``)."""

    paper: str
    claim: str
    metric: str
    ours: float
    reference: float
    reference_name: str
    higher_is_better: bool
    seeds: int
    std: float

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a plain dict, in the documented key order."""
        return asdict(self)

    @property
    def holds(self) -> bool:
        """Whether ``ours`` is at least as good as ``reference`` in the metric's direction."""
        return self.ours >= self.reference if self.higher_is_better else self.ours <= self.reference


class Reproduction(ABC):
    """One seed paper's headline claim, run on the data here."""

    #: the registry key (``embedlab bench reproduce <name>``)
    name: ClassVar[str]
    #: the paper, with venue and year
    paper: ClassVar[str]
    #: the claim in one sentence
    claim: ClassVar[str]

    @abstractmethod
    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """Run both sides of the comparison (``quick``: a small, fast configuration)."""
