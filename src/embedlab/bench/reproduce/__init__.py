"""Reproductions: one seed paper's headline claim each (``embedlab bench reproduce NAME``).

Each module holds one :class:`~embedlab.bench._base.Reproduction`, registered in
:data:`embedlab.registry.REPRODUCTIONS`. ``run(seeds=N, quick=False)`` computes both sides of
the paper's comparison on the data under ``$EMBEDLAB_DATA`` (or a synthetic stream) and returns
a :class:`~embedlab.bench._base.ReproductionResult`. ``quick=True`` runs a smaller configuration
(a subset, fewer walks or epochs) that still computes both sides; the full mode is the paper's
setting. The only constants are published figures, from :mod:`embedlab.bench.references`.
"""
