import math

import numpy as np
import pytest

from embedlab.exceptions import InvalidInputError, NotFittedError
from embedlab.retrieval.bm25 import BM25

CORPUS = [
    "graph embeddings by random walks",
    "random projections for graph embeddings embeddings",
    "product quantisation of vectors",
    "walks walks walks",
]


def reference(query, corpus, k1, b):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as stop

    docs = [[t for t in d.split() if t not in stop] for d in corpus]
    avgdl = sum(map(len, docs)) / len(docs)
    out = []
    for d in docs:
        s = 0.0
        for t in set(query.split()):
            n_t = sum(t in x for x in docs)
            if n_t == 0:
                continue
            idf = math.log(1 + (len(docs) - n_t + 0.5) / (n_t + 0.5))
            f = d.count(t)
            if f == 0:
                continue
            s += idf * f * (k1 + 1) / (f + k1 * (1 - b + b * len(d) / avgdl))
        out.append(s)
    return np.array(out)


@pytest.mark.parametrize(("k1", "b"), [(0.9, 0.4), (1.2, 0.75), (0.0, 0.0)])
def test_scores_match_the_formula(k1, b):
    bm = BM25(k1=k1, b=b).fit(CORPUS)
    for q in ("graph walks", "embeddings embeddings", "quantisation vectors unseen"):
        np.testing.assert_allclose(bm.scores([q])[0], reference(q, CORPUS, k1, b), rtol=1e-5)


def test_search_ranks_and_breaks_ties_by_position():
    bm = BM25().fit(CORPUS)
    scores, pos = bm.search(["walks", "nothing"], k=3)
    assert pos[0, 0] == 3  # three occurrences in a short document
    assert pos[1].tolist() == [0, 1, 2] and (scores[1] == 0).all()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: BM25(b=2).fit(CORPUS), InvalidInputError, "0 <= b <= 1"),
        (lambda: BM25().fit([]), InvalidInputError, "non-empty corpus"),
        (lambda: BM25().fit(["the a of"]), InvalidInputError, "no word outside the stop list"),
        (lambda: BM25().scores(["x"]), NotFittedError, "not fitted"),
        (lambda: BM25().fit(CORPUS).search(["x"], 0), InvalidInputError, "'k' must be"),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
