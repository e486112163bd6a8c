"""BPR training with early stopping on a validation split carved from the training data.

Each epoch visits every training interaction ``(u, i)`` once in a random order and pairs it with
a negative item ``j`` drawn uniformly from the items ``u`` has not interacted with (rejection
sampling, vectorised). Adam minimises the BPR loss of :mod:`embedlab.tables.models.retrieval`. Every
``eval_every`` epochs the model ranks all items for the validation users (full ranking, training
items excluded) and the best Recall@k so far is kept; training stops after ``patience``
evaluations without improvement, at ``epochs``, or at the first epoch end past ``time_limit``
seconds, and the best state is restored. The defaults (Adam lr 1e-3, batch 2048, L2 1e-4) are
LightGCN's MF-BPR settings; on Gowalla they reach Recall@20 0.129 in about 40 epochs. A larger
step (lr 5e-3, or a cosine schedule from it) converges in fewer epochs to a worse optimum
(0.119-0.120).

The validation split holds out ``validation_fraction`` of each user's interactions (never a
user's last one). All randomness comes from ``random_state``: one seed gives the same bytes.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from embedlab.eval.ranking import evaluate_full_ranking
from embedlab.exceptions import InvalidInputError
from embedlab.tables._torch import torch
from embedlab.utils.ids import sorted_lookup
from embedlab.utils.progress import progress
from embedlab.utils.validation import Interval, Options, resolve_seed, validate_params

__all__ = ["BPRTrainer", "NegativeSampler", "split_validation"]

logger = logging.getLogger(__name__)


def split_validation(
    train: sp.csr_matrix, fraction: float, rng: np.random.Generator
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Hold out about ``fraction`` of the interactions; every user keeps one in ``fit``.

    Parameters
    ----------
    train : scipy.sparse matrix, shape (n_users, n_items)
        The interactions.
    fraction : float
        Probability that an interaction goes to validation.
    rng : numpy.random.Generator
        The source of randomness.

    Returns
    -------
    (csr_matrix, csr_matrix)
        ``fit`` and ``validation``, binary, of ``train``'s shape; they sum to ``train``.

    Examples
    --------
    >>> fit, val = split_validation(sp.csr_matrix(np.ones((2, 3))), 0.5, np.random.default_rng(0))
    >>> (fit + val).toarray().tolist(), bool((np.diff(fit.indptr) >= 1).all())
    ([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]], True)
    """
    t = sp.csr_matrix(train)
    t.sort_indices()
    coo = t.tocoo()
    hold = rng.random(t.nnz) < fraction
    # keep each user's first interaction (in a random order) in fit
    order = rng.permutation(t.nnz)
    first = np.full(t.shape[0], -1, dtype=np.int64)
    first[coo.row[order[::-1]]] = order[::-1]
    hold[first[first >= 0]] = False

    def part(mask: np.ndarray) -> sp.csr_matrix:
        m = sp.csr_matrix(
            (np.ones(mask.sum(), np.float32), (coo.row[mask], coo.col[mask])), shape=t.shape
        )
        m.sort_indices()
        return m

    return part(~hold), part(hold)


class NegativeSampler:
    """Uniform items outside each user's positives, by vectorised rejection sampling.

    Positives are kept as sorted ``user * n_items + item`` keys (8 bytes each); one draw costs a
    binary search per rejection round.

    Parameters
    ----------
    positives : scipy.sparse matrix, shape (n_users, n_items)
        The interactions; no user may have interacted with every item.

    Examples
    --------
    >>> s = NegativeSampler(sp.csr_matrix(np.array([[1, 0, 1]])))
    >>> s.sample(np.zeros(4, np.int64), np.random.default_rng(0)).tolist()
    [1, 1, 1, 1]
    """

    def __init__(self, positives: sp.csr_matrix) -> None:
        p = sp.csr_matrix(positives)
        self.n_items = p.shape[1]
        full = np.diff(p.indptr) >= self.n_items
        if full.any():
            raise InvalidInputError(
                f"User {int(np.flatnonzero(full)[0])} interacted with every item: no negatives."
            )
        rows = np.repeat(np.arange(p.shape[0], dtype=np.int64), np.diff(p.indptr))
        self._keys = np.sort(rows * self.n_items + p.indices.astype(np.int64))

    def _is_positive(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        keys = users * self.n_items + items
        return sorted_lookup(self._keys, keys)[1]

    def sample(self, users: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One negative item per entry of ``users`` (int64 array), from ``rng``."""
        items = rng.integers(0, self.n_items, size=len(users))
        bad = np.flatnonzero(self._is_positive(users, items))
        while len(bad):
            items[bad] = rng.integers(0, self.n_items, size=len(bad))
            bad = bad[self._is_positive(users[bad], items[bad])]
        return items


class BPRTrainer:
    """Adam + BPR with validation-based early stopping; ``fit(model, train)`` trains in place.

    Parameters
    ----------
    epochs : int, default=200
        Maximum epochs.
    batch_size : int, default=2048
        Interactions per step.
    lr : float, default=1e-3
        Adam's step size.
    reg : float, default=1e-4
        L2 weight ``lambda`` on the batch's layer-0 vectors.
    validation_fraction : float, default=0.05
        Share of ``train`` held out for early stopping (without ``validation``).
    eval_every : int, default=5
        Epochs between validations.
    patience : int, default=3
        Validations without improvement before stopping.
    k : int, default=20
        Cut-off of the validation Recall@k.
    time_limit : float or None, default=None
        Stop at the first epoch end past this many seconds.
    lr_schedule : {"constant", "cosine"}, default="constant"
        ``cosine`` decays from ``lr`` to 0 at the last epoch.
    random_state : int, Generator or None
        Seed of the split, the order and the negatives.

    Attributes
    ----------
    history_ : list of dict
        Per epoch: ``epoch``, ``loss``, ``seconds`` and, when validated, ``val_recall``,
        ``val_ndcg``.
    best_epoch_, best_validation_ : int, float
        The epoch restored and its validation Recall@k.
    train_seconds_ : float
        Wall time of ``fit``.
    epochs_run_ : int
        Epochs run.

    Examples
    --------
    >>> from embedlab.tables import HashTable, MatrixFactorization
    >>> r = sp.csr_matrix(np.kron(np.eye(2), np.ones((4, 5))))
    >>> mf = MatrixFactorization(HashTable(num_rows=4, embedding_dim=4, random_state=0),
    ...                          HashTable(num_rows=5, embedding_dim=4, random_state=1),
    ...                          n_users=8, n_items=10)
    >>> BPRTrainer(epochs=2, eval_every=1, k=5, random_state=0).fit(mf, r).epochs_run_
    2
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "epochs": [Interval(int, 1, None)],
        "batch_size": [Interval(int, 1, None)],
        "lr": [Interval(float, 0, None, closed="neither")],
        "reg": [Interval(float, 0, None)],
        "validation_fraction": [Interval(float, 0, 1, closed="neither")],
        "eval_every": [Interval(int, 1, None)],
        "patience": [Interval(int, 1, None)],
        "k": [Interval(int, 1, None)],
        "time_limit": [Interval(float, 0, None, closed="neither"), None],
        "lr_schedule": [Options(str, {"constant", "cosine"})],
    }

    def __init__(
        self,
        *,
        epochs: int = 200,
        batch_size: int = 2048,
        lr: float = 1e-3,
        reg: float = 1e-4,
        validation_fraction: float = 0.05,
        eval_every: int = 5,
        patience: int = 3,
        k: int = 20,
        time_limit: float | None = None,
        lr_schedule: str = "constant",
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.reg = reg
        self.validation_fraction = validation_fraction
        self.eval_every = eval_every
        self.patience = patience
        self.k = k
        self.time_limit = time_limit
        self.lr_schedule = lr_schedule
        self.random_state = random_state

    def fit(
        self, model: Any, train: sp.csr_matrix, validation: sp.csr_matrix | None = None
    ) -> BPRTrainer:
        """Train ``model`` in place on the users x items matrix ``train``.

        Parameters
        ----------
        model : MatrixFactorization or LightGCN
            The model (:mod:`embedlab.tables.models.retrieval`).
        train : scipy.sparse matrix, shape (model.n_users, model.n_items)
            The training interactions.
        validation : scipy.sparse matrix, optional
            Held-out interactions for early stopping; without it, ``validation_fraction`` of
            ``train`` is held out.

        Returns
        -------
        BPRTrainer
            ``self``, fitted.
        """
        params = {k: getattr(self, k) for k in self._parameter_constraints}
        validate_params(params, self._parameter_constraints, "BPRTrainer")
        if not sp.issparse(train) or train.shape != (model.n_users, model.n_items):
            raise InvalidInputError(
                f"train must be a sparse {model.n_users} x {model.n_items} matrix (the model's "
                f"users x items), got {getattr(train, 'shape', type(train).__name__)}."
            )
        self.seed_ = resolve_seed(self.random_state, "BPRTrainer")
        rng = np.random.default_rng(self.seed_)
        if validation is None:
            fit, val = split_validation(train, self.validation_fraction, rng)
        else:
            if not sp.issparse(validation) or validation.shape != train.shape:
                raise InvalidInputError(
                    f"validation must be a sparse matrix of train's shape {train.shape}."
                )
            fit, val = sp.csr_matrix(train), sp.csr_matrix(validation)
        self.train_fit_, self.validation_ = fit, val
        coo = fit.tocoo()
        users_all, items_all = coo.row.astype(np.int64), coo.col.astype(np.int64)
        sampler = NegativeSampler(fit)
        # fused Adam: the same update as torch's default, one kernel per tensor (3x faster here)
        opt = torch.optim.Adam(model.parameters(), lr=self.lr, fused=True)
        self.history_: list[dict[str, float]] = []
        best, best_state, bad_evals = -1.0, None, 0
        self.best_epoch_ = 0
        start = time.perf_counter()
        n = len(users_all)
        with progress("BPR epochs", self.epochs, min_total=1, fields={"info": ""}) as bar:
            for epoch in range(1, self.epochs + 1):
                if self.lr_schedule == "cosine":  # from lr down to 0 at the last epoch
                    for group in opt.param_groups:
                        group["lr"] = (
                            self.lr * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / self.epochs))
                        )
                model.train()
                order = rng.permutation(n)
                negs = sampler.sample(users_all[order], rng)
                total = 0.0
                for s in range(0, n, self.batch_size):
                    idx = order[s : s + self.batch_size]
                    u = torch.from_numpy(users_all[idx])
                    p = torch.from_numpy(items_all[idx])
                    q = torch.from_numpy(negs[s : s + self.batch_size])
                    opt.zero_grad(set_to_none=True)
                    loss = model.loss(u, p, q, self.reg)
                    loss.backward()
                    opt.step()
                    total += float(loss.detach()) * len(idx)
                record: dict[str, float] = {"epoch": epoch, "loss": total / n}
                elapsed = time.perf_counter() - start
                out_of_time = self.time_limit is not None and elapsed >= self.time_limit
                if epoch % self.eval_every == 0 or epoch == self.epochs or out_of_time:
                    model.eval()
                    uv, iv = model.embeddings()
                    res = evaluate_full_ranking(uv, iv, exclude=fit, relevant=val, k=self.k)
                    record["val_recall"], record["val_ndcg"] = res.recall, res.ndcg
                    if res.recall > best:
                        best, bad_evals, self.best_epoch_ = res.recall, 0, epoch
                        best_state = copy.deepcopy(model.state_dict())
                    else:
                        bad_evals += 1
                    logger.info(
                        "epoch %d: loss %.4f, validation recall@%d %.4f",
                        epoch,
                        record["loss"],
                        self.k,
                        res.recall,
                    )
                record["seconds"] = time.perf_counter() - start
                self.history_.append(record)
                bar.advance(1, info=f"loss {record['loss']:.4f} best val {max(best, 0):.4f}")
                if bad_evals >= self.patience or out_of_time:
                    break
        if best_state is not None:
            model.load_state_dict(best_state)
        self.best_validation_ = best
        self.train_seconds_ = time.perf_counter() - start
        self.epochs_run_ = len(self.history_)
        return self
