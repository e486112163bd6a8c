"""Retrieval: indexes (:mod:`~embedlab.retrieval.index`), compression
(:mod:`~embedlab.retrieval.compression`) and Matryoshka adaptive search
(:mod:`~embedlab.retrieval.matryoshka`)."""
