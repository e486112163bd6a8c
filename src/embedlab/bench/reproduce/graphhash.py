"""GraphHash (Wu et al., WWW 2025) on Gowalla: graph clustering against hashing at equal rows.

The paper's claim: giving each Louvain cluster of the user-item graph one embedding row beats
the hashing baselines (hashing trick, double hashing, frequency-based hashing) at the same
number of rows, in Recall@20 of MF-BPR. Rows: GraphHash's partition at resolution 200 (16 % of
the full table); every baseline gets exactly those user and item rows; d = 64; full ranking of
all items with training items excluded. The reference is the best baseline of the same run.
Full: the benchmark's MF-BPR schedule (up to 100 epochs, early stopping). ``quick``: the first
``QUICK_USERS`` users of Gowalla and the items they interacted with in training, 1 epoch at a
larger step and batch (lr 1e-2, batch 8192), the hashing trick and frequency hashing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from embedlab.bench._base import Reproduction, ReproductionResult
from embedlab.bench.references import PAPERS
from embedlab.bench.reproduce._common import check_seeds, result

__all__ = ["GraphHashReproduction"]

BASELINES = ("hash", "double-hash", "frequency")
QUICK_BASELINES = ("hash", "frequency")
QUICK_TRAINER = {"epochs": 1, "batch_size": 8192, "lr": 1e-2, "eval_every": 1, "patience": 1}
QUICK_USERS = 8000


def first_users(data: Any, n_users: int) -> Any:
    """Return the sub-data set of the first ``n_users`` users and the items they trained on.

    Test interactions with items outside that set are dropped (they could not be ranked).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from embedlab.datasets import ImplicitFeedback
    >>> tr = sp.csr_matrix([[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    >>> sub = first_users(ImplicitFeedback("toy", tr, tr), 2)
    >>> sub.train.toarray().tolist()
    [[1, 0], [0, 1]]
    """
    from embedlab.datasets import ImplicitFeedback

    train = data.train[:n_users]
    items = np.flatnonzero(np.asarray(train.sum(axis=0)).ravel() > 0)
    return ImplicitFeedback(
        f"{data.name}[:{n_users} users]",
        sp.csr_matrix(train[:, items]),
        sp.csr_matrix(data.test[:n_users][:, items]),
    )


class GraphHashReproduction(Reproduction):
    """GraphHash against the best hashing baseline at GraphHash's rows (Recall@20)."""

    name = "graphhash"
    paper = PAPERS["graphhash"]
    claim = (
        "at the same number of rows, one row per Louvain cluster of the user-item graph beats "
        "every hashing baseline in Gowalla Recall@20 (MF-BPR)"
    )
    metric = "recall@20"

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """Every method at GraphHash's rows, ``seeds`` runs each."""
        from embedlab.bench.tables import run_tables_bench
        from embedlab.datasets import load_lightgcn

        seeds = check_seeds(seeds)
        baselines = QUICK_BASELINES if quick else BASELINES
        data = load_lightgcn("gowalla")
        if quick:
            data = first_users(data, QUICK_USERS)
        res = run_tables_bench(
            data,
            model="mf",
            methods=("graphhash", *baselines),
            seeds=seeds,
            trainer=QUICK_TRAINER if quick else None,
        )
        best = max(baselines, key=lambda m: res[m][self.metric])
        ours = [run[self.metric] for run in res["graphhash"]["runs"]]
        ref = [run[self.metric] for run in res[best]["runs"]]
        return result(
            self,
            metric=self.metric,
            ours=ours,
            reference=ref,
            reference_name=f"best hashing baseline at the same rows ({best}), this run",
        )
