"""Monolith (Liu et al., 2022): a collisionless table against hashing at equal memory.

The paper's claim: on a stream whose IDs come and go, a collisionless embedding table (one row
per live ID) with a frequency filter and expiry of inactive IDs predicts clicks better than a
hashed table of the same memory. Here: the synthetic drifting click stream (items live for a
while, then retire), DeepFM with d = 16, progressive validation (each batch scored before it is
trained on), syncs every 10 ticks; the collisionless table admits an ID at its 2nd sighting and
expires it after 400 ticks unseen; the reference is per-field hashing given the collisionless
table's peak memory, in the same run. AUC over the stream. Full: 1,000,000 examples (the
benchmark). ``quick``: 60,000 examples of a smaller stream (3,000 users, 600 live items living
300 ticks), expiry after 150 ticks.
"""

from __future__ import annotations

from typing import Any

from embedlab.bench._base import Reproduction, ReproductionResult
from embedlab.bench.references import PAPERS
from embedlab.bench.reproduce._common import check_seeds, result

__all__ = ["MonolithReproduction"]

QUICK_STREAM = {"n_users": 3000, "n_live_items": 600, "item_lifetime": 300}


class MonolithReproduction(Reproduction):
    """Collisionless table with filter and expiry against per-field hashing at equal memory."""

    name = "monolith"
    paper = PAPERS["monolith"]
    claim = (
        "a collisionless table with a frequency filter and expiry beats a hashed table of the "
        "same memory in AUC on a drifting click stream"
    )
    metric = "auc"

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """Both tables on the same stream, once per seed."""
        from embedlab.bench.stream import run_stream
        from embedlab.datasets import synthetic_drifting_stream

        seeds = check_seeds(seeds)
        if quick:
            stream = synthetic_drifting_stream(60_000, random_state=0, **QUICK_STREAM)
            expire = 150
        else:
            stream = synthetic_drifting_stream(1_000_000, random_state=0)
            expire = 400
        ours, ref = [], []
        for seed in range(seeds):
            kw: dict[str, Any] = dict(
                occurrence_threshold=2, expire_after=expire, sync_interval=10, seed=seed
            )
            coll = run_stream(stream, table="collisionless", **kw)
            hashed = run_stream(stream, table="hash", memory_bytes=coll["peak_memory_bytes"], **kw)
            ours.append(coll[self.metric])
            ref.append(hashed[self.metric])
        return result(
            self,
            metric=self.metric,
            ours=ours,
            reference=ref,
            reference_name="per-field hashing at the collisionless table's peak memory, this run",
        )
