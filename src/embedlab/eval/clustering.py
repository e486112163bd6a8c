"""Clustering: k-means on the embeddings against ground-truth labels, scored by NMI and ARI.

k-means (scikit-learn, ``n_init`` restarts, ``k`` = the number of classes) on the vectors of the
labelled nodes; normalised mutual information (arithmetic normalisation) and the adjusted Rand
index (Hubert & Arabie 1985) between clusters and labels. Single-label data only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.datasets._graphs import NodeLabels
from embedlab.eval._inputs import embedding_arrays, labelled_rows
from embedlab.exceptions import InvalidInputError
from embedlab.io._graph import _factorize

__all__ = ["Clustering"]


class Clustering:
    """k-means clustering quality (NMI, ARI) against single-label ground truth.

    Parameters
    ----------
    labels : NodeLabels
        Single-label ground truth; every labelled node must have an embedding.
    n_init : int, default=10
        k-means restarts (the best inertia is kept).
    random_state : int, default=0
        Seed of k-means.

    Returns
    -------
    dict of str to float
        Calling the evaluator on embeddings gives ``{"nmi": ..., "ari": ...}``.

    Attributes
    ----------
    primary_metric : str
        ``"nmi"``.
    greater_is_better : bool
        True.

    Examples
    --------
    >>> labels = NodeLabels(np.arange(60), np.arange(60) % 3)
    >>> x = np.eye(3)[np.arange(60) % 3] + 0.01 * np.arange(60)[:, None] % 0.05
    >>> Clustering(labels)((np.arange(60), x))
    {'nmi': 1.0, 'ari': 1.0}
    """

    name = "clustering"
    primary_metric = "nmi"
    greater_is_better = True

    def __init__(self, labels: NodeLabels, *, n_init: int = 10, random_state: int = 0) -> None:
        self.labels = labels
        self.n_init = n_init
        self.random_state = random_state

    def __call__(self, embeddings: Any) -> dict[str, float]:
        """Cluster the labelled nodes' vectors with k-means and compare with the labels.

        Parameters
        ----------
        embeddings : EmbeddingSet, fitted embedder or (ids, vectors)
            The node embeddings; every labelled node must have one.

        Returns
        -------
        dict of str to float
            Normalised mutual information ``nmi`` and adjusted Rand index ``ari``.
        """
        from sklearn.cluster import KMeans
        from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

        if self.labels.is_multilabel:
            raise InvalidInputError(
                "Clustering needs single-label data; these labels give some nodes several labels."
            )
        ids, vec = embedding_arrays(embeddings)
        rows = labelled_rows(ids, self.labels.nodes)
        classes, truth = _factorize(self.labels.labels)
        if len(classes) < 2:
            raise InvalidInputError("Clustering needs at least 2 classes.")
        km = KMeans(n_clusters=len(classes), n_init=self.n_init, random_state=self.random_state)
        pred = km.fit_predict(np.asarray(vec, dtype=np.float64)[rows])
        return {
            "nmi": float(normalized_mutual_info_score(truth, pred)),
            "ari": float(adjusted_rand_score(truth, pred)),
        }
