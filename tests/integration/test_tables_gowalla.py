"""Gowalla (LightGCN split), CI-sized: MF-BPR with the full table, and GraphHash against the
hashing baselines at GraphHash's rows (16.0 % of the full table).

The full-length figures (MF Recall@20 >= 0.125 after up to 100 epochs at lr 1e-3, every method,
wall times) are in docs/benchmarks.md (``python benchmarks/run.py --only tables``). Here each run
is 10 epochs at a larger step (lr 5e-3, batch 4096), about 20 s each, with floors set below what
those short runs reach so that the test checks the method, not the schedule.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.data]

SHORT = {"epochs": 10, "batch_size": 4096, "lr": 5e-3, "eval_every": 10, "patience": 1}


@pytest.fixture(scope="module")
def gowalla(data_dir: Path):
    from embedlab.datasets import load_lightgcn

    if not (data_dir / "recsys" / "gowalla").is_dir():
        pytest.skip("gowalla is not under $EMBEDLAB_DATA/recsys")
    return load_lightgcn("gowalla")


def _recall(gowalla, method: str, partition) -> float:
    from embedlab.eval.ranking import evaluate_full_ranking
    from embedlab.tables import BPRTrainer, MatrixFactorization, make_tables

    ut, it = make_tables(
        method,
        gowalla.train,
        embedding_dim=64,
        user_rows=partition.n_user_clusters,
        item_rows=partition.n_item_clusters,
        partition=partition,
        random_state=0,
    )
    mf = MatrixFactorization(ut, it, n_users=gowalla.n_users, n_items=gowalla.n_items)
    BPRTrainer(random_state=0, **SHORT).fit(mf, gowalla.train)
    u, i = mf.embeddings()
    return evaluate_full_ranking(u, i, exclude=gowalla.train, relevant=gowalla.test).recall


@pytest.fixture(scope="module")
def partition(gowalla):
    from embedlab.tables import bipartite_louvain

    return bipartite_louvain(gowalla.train, resolution=200)


def test_graphhash_partition_is_sixteen_percent(gowalla, partition) -> None:
    full = gowalla.n_users + gowalla.n_items
    assert partition.rows / full == pytest.approx(0.160, abs=0.002)
    assert partition.modularity > 0.1


def test_mf_full_table_short_run(gowalla, partition) -> None:
    assert _recall(gowalla, "full", partition) >= 0.11


def test_graphhash_beats_hashing_by_half(gowalla, partition) -> None:
    recalls = {m: _recall(gowalla, m, partition) for m in ("hash", "frequency", "graphhash")}
    best = max(recalls["hash"], recalls["frequency"])
    assert recalls["graphhash"] >= 1.5 * best, recalls
    assert np.isfinite(list(recalls.values())).all()
