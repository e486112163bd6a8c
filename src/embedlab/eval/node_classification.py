r"""Node classification by one-vs-rest logistic regression: the DeepWalk protocol.

Perozzi, Al-Rfou & Skiena, "DeepWalk: Online Learning of Social Representations", KDD 2014 (their
``scoring.py``), used unchanged by node2vec, LINE and FastRP:

1. keep the nodes that have both a label and an embedding;
2. for each repeat ``r``, shuffle them with a seed derived from ``(random_state, r)``; for each
   training ratio ``ρ`` the first ``floor(ρ n)`` nodes train, the rest test (the same shuffle for
   every ratio);
3. fit one L2-regularised logistic regression per label on the training nodes, minimising
   liblinear's objective :math:`C \sum_i \log(1 + e^{-\tilde y_i (x_i^\top w + b)}) + \frac12
   (\lVert w \rVert^2 + b^2)` — ``LogisticRegression()``'s default solver when DeepWalk's
   ``scoring.py`` was written, hence the objective behind the published DeepWalk, node2vec and
   FastRP figures. Its intercept is penalised; ``penalize_intercept=False`` gives today's
   scikit-learn ``lbfgs`` objective instead, which on BlogCatalog scores about 0.8 Micro-F1 points
   lower at 10 % training (measured: FastRP d=512, 37.5 vs 36.7). The objective is a sum of
   independent per-label terms, so
   ``solver="joint"`` (default) runs one L-BFGS per label but evaluates all labels in the same
   matrix products (:mod:`embedlab.eval._logreg`) — scikit-learn's ``lbfgs`` solution and
   stopping rule, about 20x faster here; ``solver="sklearn"`` runs ``LogisticRegression``
   (liblinear, or lbfgs when the intercept is free) per label;
4. predict for each test node its ``k`` highest-scoring labels, ``k`` being its true label count
   (for single-label data, the arg-max);
5. report Micro- and Macro-F1 (see :mod:`embedlab.eval.metrics`), averaged over repeats.

Labels absent from a training split are never predicted. Cost: ``repeats x len(train_ratios)``
batched L-BFGS runs, each iteration two ``[n, d] x [d, L]`` products; memory ``O(n (d + L))``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from embedlab.datasets._graphs import NodeLabels
from embedlab.eval._inputs import embedding_arrays, labelled_rows
from embedlab.eval._logreg import fit_multilabel_logreg
from embedlab.eval.metrics import f1_micro_macro, top_k_predictions
from embedlab.exceptions import InvalidInputError
from embedlab.io._graph import _factorize
from embedlab.utils.progress import progress
from embedlab.utils.validation import resolve_seed

__all__ = ["NodeClassification"]

logger = logging.getLogger(__name__)


def _ratio_key(r: float) -> str:
    return f"{r:g}"


class NodeClassification:
    """Evaluate node embeddings by multi-label node classification.

    Parameters
    ----------
    labels : NodeLabels
        (node, label) pairs; every labelled node must have an embedding.
    train_ratios : sequence of float in (0, 1), default=(0.1, 0.5, 0.9)
        Shares of the labelled nodes that train; each gives its own pair of scores.
    repeats : int, default=5
        Seeded shuffles per ratio; scores are averaged.
    C : float, default=1.0
        Inverse L2 regularisation of the logistic regressions (DeepWalk's default; FastRP's
        BlogCatalog setting is 0.1).
    random_state : int, default=0
        Seed of the shuffles (the same for every embedding evaluated).
    penalize_intercept : bool, default=True
        Regularise the intercept as liblinear does (the DeepWalk protocol); ``False``: lbfgs's
        free intercept.
    solver : {"joint", "sklearn"}, default="joint"
        Batched per-label L-BFGS, or scikit-learn's ``LogisticRegression`` per label.
    n_jobs : int, default=None
        Threads for ``solver="sklearn"`` (``None``: all cores).
    max_iter : int, default=1000
        Iterations of each logistic regression.
    tol : float, default=1e-4
        Stopping tolerance on the largest gradient entry of the per-sample objective, as
        scikit-learn's ``tol`` for ``lbfgs``.

    Returns
    -------
    dict of str to float
        Calling the evaluator on embeddings (an EmbeddingSet, a fitted embedder or an
        ``(ids, vectors)`` pair) gives ``micro_f1@ρ`` and ``macro_f1@ρ`` for every training
        ratio ``ρ`` (formatted with ``:g``), means over the repeats.

    Attributes
    ----------
    primary_metric : str
        ``micro_f1@ρ`` of the first training ratio given, a key of every result.
    greater_is_better : bool
        True.

    Examples
    --------
    >>> import numpy as np
    >>> from embedlab.datasets import NodeLabels
    >>> labels = NodeLabels(np.arange(40), np.arange(40) % 2)
    >>> X = np.c_[np.arange(40) % 2, np.zeros(40)].astype("float32")
    >>> ev = NodeClassification(labels, train_ratios=[0.5], repeats=2)
    >>> ev((np.arange(40), X))
    {'micro_f1@0.5': 1.0, 'macro_f1@0.5': 1.0}
    >>> ev.primary_metric
    'micro_f1@0.5'
    """

    name = "node-classification"
    greater_is_better = True

    def __init__(
        self,
        labels: NodeLabels,
        *,
        train_ratios: Any = (0.1, 0.5, 0.9),
        repeats: int = 5,
        C: float = 1.0,
        random_state: int = 0,
        penalize_intercept: bool = True,
        solver: str = "joint",
        n_jobs: int | None = None,
        max_iter: int = 1000,
        tol: float = 1e-4,
    ) -> None:
        self.labels = labels
        self.train_ratios = train_ratios
        self.repeats = repeats
        self.C = C
        self.random_state = random_state
        self.penalize_intercept = penalize_intercept
        self.solver = solver
        self.n_jobs = n_jobs
        self.max_iter = max_iter
        self.tol = tol

    @property
    def primary_metric(self) -> str:
        """``micro_f1@ρ`` of the first training ratio: a key of every result."""
        return f"micro_f1@{_ratio_key(self._check()[0])}"

    def _check(self) -> list[float]:
        ratios = [float(r) for r in np.atleast_1d(np.asarray(self.train_ratios, dtype=float))]
        if not ratios or any(not (0.0 < r < 1.0) for r in ratios):
            raise InvalidInputError(
                f"'train_ratios' must be fractions in (0, 1); got {self.train_ratios!r}."
            )
        if not isinstance(self.repeats, int) or self.repeats < 1:
            raise InvalidInputError(f"'repeats' must be an int >= 1; got {self.repeats!r}.")
        if not (isinstance(self.C, int | float) and self.C > 0):
            raise InvalidInputError(f"'C' must be a positive number; got {self.C!r}.")
        if self.solver not in ("joint", "sklearn"):
            raise InvalidInputError(f"'solver' must be 'joint' or 'sklearn'; got {self.solver!r}.")
        return ratios

    def _design(self, embeddings: Any) -> tuple[np.ndarray, np.ndarray, int]:
        ids, vectors = embedding_arrays(embeddings)
        lab = self.labels
        uniq_nodes, node_code = _factorize(lab.nodes)
        classes, class_code = _factorize(lab.labels)
        rows = labelled_rows(ids, uniq_nodes)
        y = np.zeros((len(uniq_nodes), len(classes)), dtype=bool)
        y[node_code, class_code] = True
        return vectors[rows], y, len(classes)

    def evaluate(
        self, embeddings: Any, *, repeats: Sequence[int] | None = None
    ) -> dict[str, list[float]]:
        """Per-repeat scores: ``{"micro_f1@0.1": [r1, r2, ...], ...}``.

        Parameters
        ----------
        embeddings : EmbeddingSet, fitted embedder or (ids, vectors)
            The node embeddings; every labelled node must have one.
        repeats : sequence of int, optional
            The repeats to run (default ``range(self.repeats)``). Repeat ``r``'s split is drawn
            from ``(random_state, r)`` alone, so any subset gives those repeats' scores: the
            Dask runner (:mod:`embedlab.distributed.evaluate`) runs one repeat per task.

        Returns
        -------
        dict of str to list of float
            The keys of :meth:`__call__`, each with one score per repeat.
        """
        ratios = self._check()
        x, y, _n_classes = self._design(embeddings)
        n = len(x)
        seed = resolve_seed(self.random_state, "NodeClassification")
        out: dict[str, list[float]] = {}
        for r in ratios:
            out[f"micro_f1@{_ratio_key(r)}"] = []
            out[f"macro_f1@{_ratio_key(r)}"] = []
        reps = list(range(self.repeats)) if repeats is None else list(repeats)
        if any(
            not isinstance(r, int | np.integer) or isinstance(r, bool) or not 0 <= r < self.repeats
            for r in reps
        ):
            raise InvalidInputError(
                f"'repeats' must be repeat indices in [0, {self.repeats}); got {reps}."
            )
        reps = [int(r) for r in reps]
        splits = len(reps) * len(ratios)
        big = x.size * y.shape[1] * splits >= 1e9  # a bar only for protocols of many seconds
        with progress("node classification splits", splits, min_total=1 if big else np.inf) as bar:
            for rep in reps:
                self._one_repeat(
                    x, y, np.random.default_rng([seed, rep]).permutation(n), ratios, out
                )
                bar.advance(len(ratios))
        return out

    def _one_repeat(
        self,
        x: np.ndarray,
        y: np.ndarray,
        perm: np.ndarray,
        ratios: list[float],
        out: dict[str, list[float]],
    ) -> None:
        n = len(x)
        for r in ratios:
            n_train = int(r * n)
            if n_train < 1 or n_train >= n:
                raise InvalidInputError(
                    f"train ratio {r} leaves an empty split of {n} labelled nodes."
                )
            tr, te = perm[:n_train], perm[n_train:]
            micro, macro = self._score(x[tr], y[tr], x[te], y[te], self.C)
            out[f"micro_f1@{_ratio_key(r)}"].append(micro)
            out[f"macro_f1@{_ratio_key(r)}"].append(macro)

    def __call__(self, embeddings: Any) -> dict[str, float]:
        """Mean Micro- and Macro-F1 per training ratio.

        Parameters
        ----------
        embeddings : EmbeddingSet, fitted embedder or (ids, vectors)
            The node embeddings; every labelled node must have one.

        Returns
        -------
        dict of str to float
            ``micro_f1@ρ`` and ``macro_f1@ρ`` per training ratio, means over the repeats.
        """
        return {k: float(np.mean(v)) for k, v in self.evaluate(embeddings).items()}

    def select(
        self,
        candidates: Mapping[str, Any],
        *,
        Cs: Sequence[float] = (0.01, 0.1, 1.0, 10.0, 100.0),
        validation_ratio: float = 0.25,
    ) -> dict[str, Any]:
        """Model selection inside each training split, then the test score of the choice.

        For every repeat and training ratio, the training nodes of the split are cut once more:
        the last ``validation_ratio`` of them validate, the rest train. Each candidate embedding
        is scored there with every ``C`` in ``Cs``; the best (candidate, C) by validation
        Micro-F1 (ties: the first candidate, then the smallest C) is refitted on the whole
        training split and scored on its test nodes, which selection never sees.

        Parameters
        ----------
        candidates : mapping of name -> embeddings
            Anything :meth:`evaluate` accepts, all embedding the labelled nodes. One candidate
            tunes ``C`` alone.
        Cs : sequence of positive float
            The grid of inverse regularisations tried.
        validation_ratio : float in (0, 1)
            Share of each training split that validates.

        Returns
        -------
        dict
            ``micro_f1@ρ`` and ``macro_f1@ρ`` (means over repeats, as :meth:`__call__`), and
            ``chosen@ρ``: per repeat ``{"candidate", "C", "validation_micro_f1"}``.

        Examples
        --------
        >>> import numpy as np
        >>> from embedlab.datasets import NodeLabels
        >>> labels = NodeLabels(np.arange(40), np.arange(40) % 2)
        >>> good = (np.arange(40), np.c_[np.arange(40) % 2, np.zeros(40)])
        >>> noise = (np.arange(40), np.random.default_rng(0).normal(size=(40, 2)))
        >>> ev = NodeClassification(labels, train_ratios=[0.5], repeats=2)
        >>> res = ev.select({"noise": noise, "good": good}, Cs=[1.0])
        >>> res["micro_f1@0.5"], [c["candidate"] for c in res["chosen@0.5"]]
        (1.0, ['good', 'good'])
        """
        ratios = self._check()
        grid = [float(c) for c in Cs]
        if not grid or any(not (np.isfinite(c) and c > 0) for c in grid):
            raise InvalidInputError(f"'Cs' must be positive numbers; got {Cs!r}.")
        if not 0.0 < validation_ratio < 1.0:
            raise InvalidInputError(
                f"'validation_ratio' must be in (0, 1); got {validation_ratio!r}."
            )
        if not candidates:
            raise InvalidInputError("'candidates' is empty: nothing to select from.")
        names = list(candidates)
        xs = {}
        y = np.zeros((0, 0), dtype=bool)
        for name in names:
            xs[name], y, _ = self._design(candidates[name])
        n = len(y)
        seed = resolve_seed(self.random_state, "NodeClassification")
        out: dict[str, Any] = {}
        for r in ratios:
            key = _ratio_key(r)
            micro_l, macro_l, chosen = [], [], []
            for rep in range(self.repeats):
                perm = np.random.default_rng([seed, rep]).permutation(n)
                n_train = int(r * n)
                n_fit = int((1.0 - validation_ratio) * n_train)
                if not 1 <= n_fit < n_train < n:
                    raise InvalidInputError(
                        f"train ratio {r} with validation_ratio {validation_ratio} leaves an "
                        f"empty split of {n} labelled nodes."
                    )
                tr, te = perm[:n_train], perm[n_train:]
                fit, val = tr[:n_fit], tr[n_fit:]
                best = (-np.inf, names[0], grid[0])
                for name in names:
                    x = xs[name]
                    for c in sorted(grid):
                        v = self._score(x[fit], y[fit], x[val], y[val], c)[0]
                        if v > best[0]:
                            best = (v, name, c)
                v, name, c = best
                micro, macro = self._score(xs[name][tr], y[tr], xs[name][te], y[te], c)
                micro_l.append(micro)
                macro_l.append(macro)
                chosen.append({"candidate": name, "C": c, "validation_micro_f1": float(v)})
            out[f"micro_f1@{key}"] = float(np.mean(micro_l))
            out[f"macro_f1@{key}"] = float(np.mean(macro_l))
            out[f"chosen@{key}"] = chosen
        return out

    def _score(
        self, x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, y_te: np.ndarray, C: float
    ) -> tuple[float, float]:
        """(Micro-F1, Macro-F1) on the test rows of a classifier fitted on the training rows."""
        scores = self._fit_predict(x_tr, y_tr, x_te, C)
        pred = top_k_predictions(scores, y_te.sum(axis=1))
        micro, macro = f1_micro_macro(y_te, pred)
        return float(micro), float(macro)

    def _fit_predict(
        self, x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, C: float
    ) -> np.ndarray:
        const = y_tr.all(axis=0) | ~y_tr.any(axis=0)
        if self.solver == "joint":
            scores = np.empty((len(x_te), y_tr.shape[1]))
            live = np.flatnonzero(~const)
            if len(live):
                w, b = fit_multilabel_logreg(
                    x_tr,
                    y_tr[:, live],
                    C=C,
                    tol=self.tol,
                    max_iter=self.max_iter,
                    penalize_intercept=self.penalize_intercept,
                )
                scores[:, live] = x_te.astype(np.float64) @ w + b
        else:
            scores = self._fit_predict_sklearn(x_tr, y_tr, x_te, C)
        # a label constant on the training split is never (or always) predicted
        scores[:, const] = np.where(y_tr[0, const], np.inf, -np.inf)
        return scores

    def _fit_predict_sklearn(
        self, x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, C: float
    ) -> np.ndarray:
        from joblib import Parallel, delayed
        from sklearn.linear_model import LogisticRegression

        def one(label: int) -> np.ndarray:
            yl = y_tr[:, label]
            if yl.all() or not yl.any():  # handled by the caller
                return np.zeros(len(x_te))
            solver = "liblinear" if self.penalize_intercept else "lbfgs"
            clf = LogisticRegression(C=C, max_iter=self.max_iter, solver=solver)
            clf.fit(x_tr, yl)
            return clf.decision_function(x_te)

        cols = Parallel(n_jobs=self.n_jobs or -1, prefer="threads")(
            delayed(one)(j) for j in range(y_tr.shape[1])
        )
        return np.column_stack(cols)
