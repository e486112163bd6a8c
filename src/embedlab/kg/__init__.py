"""Knowledge-graph embeddings (PyTorch, the ``[kg]`` extra).

Triples come as an :class:`embedlab.io.TripleSet` (:func:`embedlab.datasets.load_kg` reads the
standard releases). Models (one module each under :mod:`embedlab.kg.models`, registered in
:data:`embedlab.registry.KG_MODELS`) score a query ``(h, r, ?)`` against every entity; the
trainer (:mod:`embedlab.kg.training`) uses reciprocal relations and the 1-N or the
negative-sampling protocol; :mod:`embedlab.kg.ranking` is the filtered link-prediction
evaluation (MRR, Hits@k; pessimistic, optimistic or realistic ties).
"""
