"""The sections of ``make bench``: one module per study, each with ``run(tmp) -> dict`` (the
keys it writes into ``benchmarks/results.json``) and ``markdown(results) -> str`` (its part of
``docs/benchmarks.md``, rendered from the whole results dict; ``""`` when its keys are absent)."""
