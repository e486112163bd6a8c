"""Retrieval: indexes (:mod:`~embedlab.retrieval.index`), compression and rescoring
(:mod:`~embedlab.retrieval.compression`), Matryoshka adaptive search
(:mod:`~embedlab.retrieval.matryoshka`), MUVERA multi-vector search
(:mod:`~embedlab.retrieval.muvera`, :mod:`~embedlab.retrieval.multivector`) and the BM25
baseline (:mod:`~embedlab.retrieval.bm25`)."""
