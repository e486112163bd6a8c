"""Experiment drivers: paper-style comparison tables and the ``reproduce`` registry.

``embedlab bench graph|tables|stream|retrieval`` run the comparisons of
:data:`embedlab.registry.BENCH_TASKS`; ``embedlab bench reproduce NAME`` runs one seed paper's
headline claim from :data:`embedlab.registry.REPRODUCTIONS`. Nothing is imported here: each
driver is its own module.
"""
