r"""Link prediction: hold out edges, re-fit the embedder on the rest, score held-out pairs.

The protocol of node2vec (Grover & Leskovec, KDD 2016) and FastRP (Chen et al., CIKM 2019):

1. **Split** (:func:`split_edges`). Of the ``m`` undirected edges (self-loops excluded), a seeded
   random spanning forest is always kept, so the training graph has the full graph's connected
   components; ``round(test_fraction * m)`` of the remaining edges are held out as test positives.
   As many node pairs that are not edges of the *full* graph are drawn uniformly as test
   negatives; up to ``max_classifier_pairs`` training edges and as many further non-edges serve
   to fit the classifier of the feature operators.
2. **Embed**: a clone of the embedder is fitted on the training graph (same node set).
3. **Score** each pair ``(u, v)``:

   ==============  =======================================================
   ``dot``         :math:`x_u^\top x_v`
   ``cosine``      :math:`x_u^\top x_v / (\lVert x_u\rVert \lVert x_v\rVert)`
   ``hadamard``    logistic regression on :math:`x_u \odot x_v`
   ``average``     logistic regression on :math:`(x_u + x_v) / 2`
   ``l1``          logistic regression on :math:`|x_u - x_v|`
   ``l2``          logistic regression on :math:`(x_u - x_v)^2`
   ==============  =======================================================

4. **Report** ROC-AUC and average precision on the test pairs (:mod:`embedlab.eval.metrics`).

Cost: the embedder's fit on the training graph, plus ``O(m)`` for the split and one logistic
regression per operator on ``2 t`` examples of dimension ``d`` (``t`` test edges).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from embedlab.base import clone
from embedlab.eval.metrics import average_precision, roc_auc
from embedlab.exceptions import InvalidInputError
from embedlab.io._graph import Graph, csr_rows
from embedlab.registry import unknown_name
from embedlab.utils.validation import check_random_state, resolve_seed

__all__ = ["OPERATORS", "EdgeSplit", "LinkPrediction", "edge_scores", "split_edges"]

OPERATORS = ("dot", "cosine", "hadamard", "average", "l1", "l2")
_FEATURE_OPS = {"hadamard", "average", "l1", "l2"}


@dataclass(frozen=True)
class EdgeSplit:
    """A link-prediction split: row positions of node pairs, shape ``(k, 2)`` each."""

    train_graph: Graph
    train_pos: np.ndarray
    train_neg: np.ndarray
    test_pos: np.ndarray
    test_neg: np.ndarray


def _undirected_edges(graph: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = csr_rows(graph.indptr)
    cols = graph.indices.astype(np.int64)
    keep = rows < cols
    return rows[keep], cols[keep], graph.weights[keep]


def _sample_non_edges(
    n: int, count: int, edge_keys: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """``count`` distinct uniform pairs ``u < v`` that are not edges, shape ``(count, 2)``."""
    from embedlab.datasets.synthetic import distinct_pairs

    def sample(k: int) -> tuple[np.ndarray, np.ndarray]:
        return rng.integers(0, n, size=k), rng.integers(0, n, size=k)

    u, v = distinct_pairs(sample, n, count, rng, exclude=edge_keys)
    return np.stack([u, v], axis=1)


def split_edges(
    graph: Graph,
    *,
    test_fraction: float = 0.3,
    max_classifier_pairs: int = 20_000,
    random_state: Any = 0,
) -> EdgeSplit:
    """Split an undirected graph for link prediction (see the module docstring).

    >>> from embedlab.datasets import erdos_renyi
    >>> s = split_edges(erdos_renyi(100, 400, random_state=0), test_fraction=0.25)
    >>> len(s.test_pos), len(s.test_neg), s.train_graph.n_edges
    (100, 100, 300)
    """
    if graph.directed:
        raise InvalidInputError(
            "Link prediction needs an undirected graph; build it with directed=False."
        )
    if not (isinstance(test_fraction, float | int) and 0.0 < test_fraction < 1.0):
        raise InvalidInputError(f"'test_fraction' must be in (0, 1); got {test_fraction!r}.")
    rng = check_random_state(random_state)
    n = graph.n_nodes
    u, v, w = _undirected_edges(graph)
    m = len(u)
    n_test = round(test_fraction * m)
    if n_test < 1:
        raise InvalidInputError(
            f"test_fraction={test_fraction} of {m} edges holds out no edge; raise it."
        )
    forest = sp.csgraph.minimum_spanning_tree(
        sp.csr_array((rng.random(m) + 1.0, (u, v)), shape=(n, n))
    ).tocoo()
    tree_keys = np.minimum(forest.row, forest.col).astype(np.int64) * n + np.maximum(
        forest.row, forest.col
    )
    keys = u * n + v
    candidates = np.flatnonzero(~np.isin(keys, tree_keys))
    if n_test > len(candidates):
        raise InvalidInputError(
            f"Only {len(candidates)} of {m} edges can be held out without disconnecting the "
            f"graph; test_fraction={test_fraction} asks for {n_test}. Lower test_fraction."
        )
    test_idx = rng.choice(candidates, size=n_test, replace=False)
    is_test = np.zeros(m, dtype=bool)
    is_test[test_idx] = True
    train_idx = np.flatnonzero(~is_test)
    n_clf = min(n_test, len(train_idx), max_classifier_pairs)
    clf_idx = rng.choice(train_idx, size=n_clf, replace=False)
    negatives = _sample_non_edges(n, n_test + len(clf_idx), keys, rng)
    ids = graph.node_ids
    train_graph = Graph.from_edges(
        ids[u[train_idx]],
        ids[v[train_idx]],
        w[train_idx] if graph.weighted else None,
        nodes=ids,
        directed=False,
        weighted=graph.weighted,
    )
    return EdgeSplit(
        train_graph=train_graph,
        train_pos=np.stack([u[clf_idx], v[clf_idx]], axis=1),
        train_neg=negatives[n_test:],
        test_pos=np.stack([u[test_idx], v[test_idx]], axis=1),
        test_neg=negatives[:n_test],
    )


def edge_scores(x: np.ndarray, pairs: np.ndarray, operator: str) -> np.ndarray:
    """Similarity score (``dot``, ``cosine``) or edge features (the other operators) of pairs.

    >>> x = np.array([[1.0, 0.0], [1.0, 1.0]])
    >>> pair = np.array([[0, 1]])
    >>> edge_scores(x, pair, "dot").tolist(), edge_scores(x, pair, "l1").tolist()
    ([1.0], [[0.0, 1.0]])
    """
    a, b = x[pairs[:, 0]].astype(np.float64), x[pairs[:, 1]].astype(np.float64)
    if operator == "dot":
        return np.einsum("ij,ij->i", a, b)
    if operator == "cosine":
        na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
        return np.einsum("ij,ij->i", a, b) / np.maximum(na * nb, 1e-12)
    if operator == "hadamard":
        return a * b
    if operator == "average":
        return (a + b) / 2
    if operator == "l1":
        return np.abs(a - b)
    if operator == "l2":
        return (a - b) ** 2
    raise unknown_name("operator", operator, OPERATORS)


class LinkPrediction:
    """Evaluate an embedder by link prediction on a held-out edge split.

    Parameters
    ----------
    graph : Graph
        Undirected graph.
    test_fraction : float, default=0.3
        Share of all edges held out (never from the kept spanning forest).
    operators : sequence of str, default=("hadamard",)
        Any of ``dot``, ``cosine``, ``hadamard``, ``average``, ``l1``, ``l2``.
    C : float, default=1.0
        Inverse regularisation of the logistic regression on edge features.
    max_classifier_pairs : int, default=20000
        At most this many training edges (and as many non-edges) fit that regression.
    random_state : int, default=0
        Seed of the split (the embedder keeps its own ``random_state``).

    Returns
    -------
    dict of str to float
        Calling the evaluator with an embedder (re-fitted on the training graph) gives
        ``{"roc_auc": ..., "average_precision": ...}`` for one operator, or the keys
        ``roc_auc[<operator>]`` and ``average_precision[<operator>]`` for several.

    Attributes
    ----------
    primary_metric : str
        ``roc_auc`` for one operator, ``roc_auc[<first operator>]`` for several: always a key
        of the result.
    greater_is_better : bool
        True.

    Examples
    --------
    >>> from embedlab import FastRP
    >>> from embedlab.datasets import stochastic_block_model
    >>> g, _ = stochastic_block_model([40, 40], 0.3, 0.01, random_state=0)
    >>> lp = LinkPrediction(g, operators=["dot"], random_state=0)
    >>> lp(FastRP(n_components=32, random_state=0))["roc_auc"] > 0.7
    True
    >>> LinkPrediction(g, operators=["hadamard", "dot"]).primary_metric
    'roc_auc[hadamard]'
    """

    name = "link-prediction"
    greater_is_better = True

    def __init__(
        self,
        graph: Graph,
        *,
        test_fraction: float = 0.3,
        operators: Sequence[str] = ("hadamard",),
        C: float = 1.0,
        max_classifier_pairs: int = 20_000,
        random_state: int = 0,
    ) -> None:
        self.graph = graph
        self.max_classifier_pairs = max_classifier_pairs
        self.test_fraction = test_fraction
        self.operators = operators
        self.C = C
        self.random_state = random_state

    @property
    def primary_metric(self) -> str:
        """``roc_auc``, or ``roc_auc[<first operator>]`` with several operators."""
        ops = self._operators()
        return "roc_auc" if len(ops) == 1 else f"roc_auc[{ops[0]}]"

    def _operators(self) -> list[str]:
        ops = [self.operators] if isinstance(self.operators, str) else list(self.operators)
        if not ops or any(op not in OPERATORS for op in ops):
            raise InvalidInputError(
                f"'operators' must be among {', '.join(OPERATORS)}; got {self.operators!r}."
            )
        return ops

    def split(self) -> EdgeSplit:
        """Return the seeded split (the same for every embedder evaluated).

        Returns
        -------
        EdgeSplit
            The training graph and the classifier / test pairs.
        """
        seed = resolve_seed(self.random_state, "LinkPrediction")
        return split_edges(
            self.graph,
            test_fraction=self.test_fraction,
            max_classifier_pairs=self.max_classifier_pairs,
            random_state=seed,
        )

    def __call__(self, embedder: Any) -> dict[str, float]:
        """Re-fit a clone of ``embedder`` on the training graph and score the test pairs.

        Parameters
        ----------
        embedder : embedder
            An unfitted or fitted embedder (it is cloned; its ``random_state`` is kept).

        Returns
        -------
        dict of str to float
            ROC-AUC and average precision per operator (see the class docstring for the keys).
        """
        ops = self._operators()
        if not hasattr(embedder, "fit"):
            raise InvalidInputError(
                "LinkPrediction re-fits the embedder on the training graph: give an embedder "
                f"(e.g. FastRP(...)), not {type(embedder).__name__}."
            )
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        split = self.split()
        model: Any = clone(embedder).fit(split.train_graph)
        x = np.asarray(model.embeddings_)
        test = np.concatenate([split.test_pos, split.test_neg])
        y_test = np.r_[np.ones(len(split.test_pos)), np.zeros(len(split.test_neg))]
        train = np.concatenate([split.train_pos, split.train_neg])
        y_train = np.r_[np.ones(len(split.train_pos)), np.zeros(len(split.train_neg))]
        out: dict[str, float] = {}
        for op in ops:
            if op in _FEATURE_OPS:
                clf = make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=1000))
                clf.fit(edge_scores(x, train, op), y_train)
                scores = clf.decision_function(edge_scores(x, test, op))
            else:
                scores = edge_scores(x, test, op)
            suffix = "" if len(ops) == 1 else f"[{op}]"
            out[f"roc_auc{suffix}"] = roc_auc(y_test, scores)
            out[f"average_precision{suffix}"] = average_precision(y_test, scores)
        return out
