r"""Evaluation protocols as independent tasks on a Dask cluster, equal to one machine.

What is distributed
-------------------
A protocol is cut into the units that do not depend on one another, one task each:

==========================  ===============================================================
``NodeClassification``      one task per (training ratio, repeat): one seeded shuffle and its
                            classifiers (the shuffle of repeat ``r`` is seeded by
                            ``(random_state, r)`` alone, so a unit's scores depend on nothing
                            else)
``LinkPrediction``          one task per seed: its split, the embedder re-fitted on the
                            training graph, the scores of every operator
any other evaluator         one task per seed (``evaluator(embeddings)``)
==========================  ===============================================================

``seeds`` adds a dimension: one copy of the evaluator per seed (its ``random_state``), the units
of every copy submitted together. :func:`map_tasks` runs any other list of independent jobs
(the methods of a benchmark table, say): one task per item, the results in item order.

Equality with one machine
-------------------------
Each unit runs the evaluator's own public code on the same inputs: a unit is
``evaluate(embeddings, repeats=[r])`` of a copy of the evaluator configured with one ratio,
which computes the same shuffle, the same classifiers and the same score as the full evaluator's
repeat ``r``, and the merge takes the same means in the same order. The merged dict equals
``evaluator(embeddings)`` key for key and bit for bit (a ``random_state=None`` or a Generator
is turned into one integer seed on the driver first, as the evaluator would draw it, so that
every unit uses the same shuffles).

What moves, and the cost
------------------------
The embeddings (or the embedder) and the evaluator (its labels or graph) are scattered once and
fetched once by every worker that runs a unit; each unit sends back a small dict. Time: the
longest unit (one split's classifiers; one link-prediction fit) instead of their
sum, when there are enough workers. Memory on a worker: what one evaluation needs locally.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError

from ._client import resolve_client

__all__ = ["evaluate_distributed", "evaluate_seeds", "map_tasks"]


# ----------------------------------------------------------------------------- units
def _ratio_unit(
    evaluator: Any, embeddings: Any, ratio: float, repeat: int
) -> dict[str, list[float]]:
    """Scores of one training ratio in one repeat (``evaluate`` of a one-ratio copy)."""
    one = copy.copy(evaluator)
    one.train_ratios = [ratio]
    return dict(one.evaluate(embeddings, repeats=[repeat]))


def _join_repeats(parts: list[dict[str, list[float]]]) -> dict[str, list[float]]:
    """Concatenate per-repeat dicts (in repeat order) into one per-ratio dict."""
    out: dict[str, list[float]] = {}
    for part in parts:
        for key, scores in part.items():
            out.setdefault(key, []).extend(scores)
    return out


def _whole_unit(evaluator: Any, embeddings: Any) -> dict[str, float]:
    """Return the evaluator's result (one task)."""
    return dict(evaluator(embeddings))


def _is_node_classification(evaluator: Any) -> bool:
    from embedlab.eval.node_classification import NodeClassification

    return isinstance(evaluator, NodeClassification)


def _seeded(evaluator: Any, seed: Any) -> Any:
    """Return a copy of ``evaluator`` whose ``random_state`` is the integer seed it would draw."""
    from embedlab.utils.validation import resolve_seed

    if not hasattr(evaluator, "random_state"):
        raise InvalidInputError(
            f"{type(evaluator).__name__} has no 'random_state'; it cannot be run with seeds."
        )
    out = copy.copy(evaluator)
    out.random_state = resolve_seed(seed, type(evaluator).__name__)
    return out


def _plan(evaluator: Any, seeds: Sequence[Any] | None) -> list[Any]:
    """Return the evaluators to run: a copy per seed (or one, with its own seed resolved)."""
    if not callable(evaluator):
        raise InvalidInputError(
            "'evaluator' must be an evaluator (NodeClassification, LinkPrediction, ...); got "
            f"{type(evaluator).__name__}."
        )
    if seeds is None:
        if hasattr(evaluator, "random_state"):
            return [_seeded(evaluator, evaluator.random_state)]
        return [evaluator]
    items = list(seeds)
    if not items:
        raise InvalidInputError("'seeds' is empty; give at least one seed (or None).")
    return [_seeded(evaluator, s) for s in items]


def _run(evaluators: list[Any], embeddings: Any, client: Any) -> list[dict[str, float]]:
    """Submit every unit of every evaluator; return each evaluator's merged result."""
    client = resolve_client(client)
    [emb] = client.scatter([embeddings], hash=False)
    jobs: list[tuple[Any, list[Any]]] = []  # per evaluator: (ratios or None, futures)
    for ev in evaluators:
        [evf] = client.scatter([ev], hash=False)
        if _is_node_classification(ev):
            ratios = _ratios(ev)
            unique = list(dict.fromkeys(ratios))  # units per distinct ratio and repeat
            futs = [
                client.submit(
                    _join_repeats,
                    [
                        client.submit(_ratio_unit, evf, emb, r, rep, pure=False)
                        for rep in range(int(ev.repeats))
                    ],
                    pure=False,
                )
                for r in unique
            ]
            jobs.append((ratios, futs))
        else:
            jobs.append((None, [client.submit(_whole_unit, evf, emb, pure=False)]))
    results = client.gather([futs for _, futs in jobs])
    out: list[dict[str, float]] = []
    for (ratios, _), res in zip(jobs, results, strict=True):
        if ratios is None:
            out.append(res[0])
            continue
        out.append(_merge_ratios(ratios, dict(zip(dict.fromkeys(ratios), res, strict=True))))
    return out


def _merge_ratios(
    ratios: list[float], units: dict[float, dict[str, list[float]]]
) -> dict[str, float]:
    """Merge per-ratio results into the evaluator's means, keys and order.

    The evaluator appends, repeat by repeat, the score of every ratio in ``ratios`` to its key:
    a key that several entries of ``ratios`` share (a ratio given twice) collects their scores
    interleaved, repeat by repeat. The same lists are rebuilt here before the means.
    """
    keys: dict[str, None] = {}
    for r in ratios:
        keys.update(dict.fromkeys(units[r]))
    merged = {}
    for k in keys:
        columns = [units[r][k] for r in ratios if k in units[r]]
        merged[k] = float(np.mean(np.column_stack(columns).ravel()))
    return merged


def _ratios(evaluator: Any) -> list[float]:
    """Return the evaluator's training ratios, checked by the evaluator itself."""
    _ = evaluator.primary_metric  # raises the evaluator's own error for bad parameters
    return [float(r) for r in np.atleast_1d(np.asarray(evaluator.train_ratios, dtype=float))]


# ----------------------------------------------------------------------------- public
def evaluate_distributed(
    evaluator: Any,
    embeddings: Any,
    *,
    seeds: Sequence[Any] | None = None,
    client: Any = None,
) -> dict[str, float]:
    """Run an evaluator's protocol on the cluster, its independent units as separate tasks.

    Parameters
    ----------
    evaluator : NodeClassification, LinkPrediction or any evaluator
        Configured with its data (labels, graph) and protocol (ratios, repeats, seed).
    embeddings : object
        What the evaluator is called with: embeddings (an EmbeddingSet, a fitted embedder or
        ``(ids, vectors)``) for node classification, an embedder for link prediction.
    seeds : sequence of int, optional
        Run one copy of the evaluator per seed (its ``random_state``) and average each metric
        over the seeds. ``None``: the evaluator's own seed.
    client : distributed.Client, optional
        Default: the current client.

    Returns
    -------
    dict of str to float
        ``evaluator(embeddings)``, equal key for key; with ``seeds``, the mean over the seeds
        of ``evaluator_with_seed(embeddings)`` (see :func:`evaluate_seeds` for each).

    Examples
    --------
    >>> from embedlab.datasets import NodeLabels
    >>> from embedlab.distributed._client import open_client
    >>> from embedlab.eval import NodeClassification
    >>> labels = NodeLabels(np.arange(40), np.arange(40) % 2)
    >>> X = np.c_[np.arange(40) % 2, np.zeros(40)].astype("float32")
    >>> ev = NodeClassification(labels, train_ratios=[0.5], repeats=2)
    >>> with open_client(workers=2, processes=False) as client:
    ...     evaluate_distributed(ev, (np.arange(40), X), client=client)
    {'micro_f1@0.5': 1.0, 'macro_f1@0.5': 1.0}
    """
    runs = _run(_plan(evaluator, seeds), embeddings, client)
    if len(runs) == 1:
        return runs[0]
    return {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}


def evaluate_seeds(
    evaluator: Any,
    embeddings: Any,
    seeds: Sequence[Any],
    *,
    client: Any = None,
) -> list[dict[str, float]]:
    """Run one copy of the evaluator per seed on the cluster; return each seed's result.

    Parameters
    ----------
    evaluator : evaluator with a ``random_state``
        E.g. :class:`~embedlab.eval.LinkPrediction` (a seed is a split) or
        :class:`~embedlab.eval.NodeClassification` (a seed is a set of shuffles).
    embeddings : object
        What the evaluator is called with.
    seeds : sequence of int
        One evaluation per seed.
    client : distributed.Client, optional
        Default: the current client.

    Returns
    -------
    list of dict of str to float
        In seed order, each equal to the evaluator with ``random_state=seed`` called locally.
    """
    if seeds is None:
        raise InvalidInputError("'seeds' is required; give a sequence of seeds.")
    return _run(_plan(evaluator, seeds), embeddings, client)


def map_tasks(fn: Callable[[Any], Any], items: Iterable[Any], *, client: Any = None) -> list[Any]:
    """Run ``fn(item)`` for every item as its own task; return the results in item order.

    A thin helper for independent jobs (the methods of a benchmark table, evaluations of
    several candidates): each item travels with its task, each result comes back to the driver.
    ``fn`` must pickle (a module-level function, or anything cloudpickle handles) when the
    workers are processes. The first error of a task is raised here.

    Parameters
    ----------
    fn : callable
        Called once per item, on a worker.
    items : iterable
        The arguments; each is sent to the worker that runs its task.
    client : distributed.Client, optional
        Default: the current client.

    Returns
    -------
    list
        ``[fn(item) for item in items]``, computed on the cluster.

    Examples
    --------
    >>> from embedlab.distributed._client import open_client
    >>> with open_client(workers=2, processes=False) as client:
    ...     map_tasks(abs, [-3, 1, -2], client=client)
    [3, 1, 2]
    """
    if not callable(fn):
        raise InvalidInputError(f"'fn' must be callable; got {type(fn).__name__}.")
    jobs = list(items)
    if not jobs:
        return []
    client = resolve_client(client)
    args = client.scatter(jobs, hash=False)  # large items are not embedded in the task graph
    return list(client.gather([client.submit(fn, a, pure=False) for a in args]))
