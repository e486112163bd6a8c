import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from embedlab.datasets import NodeLabels, stochastic_block_model
from embedlab.eval.clustering import Clustering
from embedlab.exceptions import InvalidInputError
from embedlab.graph import FastRP


def test_planted_blocks_are_recovered():
    g, lab = stochastic_block_model([80, 80, 80], 0.2, 0.005, random_state=0)
    res = Clustering(lab)(FastRP(n_components=32, random_state=0).fit(g))
    assert res["nmi"] > 0.9 and res["ari"] > 0.9


def test_random_vectors_score_zero_and_match_sklearn():
    lab = NodeLabels(np.arange(300), np.arange(300) % 3)
    x = np.random.default_rng(0).normal(size=(300, 4))
    res = Clustering(lab, random_state=0)((np.arange(300), x))
    assert res["nmi"] < 0.05 and abs(res["ari"]) < 0.05
    from sklearn.cluster import KMeans

    pred = KMeans(n_clusters=3, n_init=10, random_state=0).fit_predict(x)
    assert res["nmi"] == pytest.approx(normalized_mutual_info_score(lab.labels, pred))
    assert res["ari"] == pytest.approx(adjusted_rand_score(lab.labels, pred))


def test_errors():
    multi = NodeLabels(np.array([0, 0, 1]), np.array([0, 1, 1]))
    with pytest.raises(InvalidInputError, match="needs single-label data"):
        Clustering(multi)((np.arange(2), np.zeros((2, 2))))
    one = NodeLabels(np.arange(3), np.zeros(3, dtype=int))
    with pytest.raises(InvalidInputError, match="at least 2 classes"):
        Clustering(one)((np.arange(3), np.zeros((3, 2))))
    lab = NodeLabels(np.arange(3), np.arange(3))
    with pytest.raises(InvalidInputError, match="1 unknown labelled nodes"):
        Clustering(lab)((np.arange(2), np.zeros((2, 2))))
