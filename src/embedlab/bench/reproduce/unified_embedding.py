"""Unified Embedding (Coleman et al., NeurIPS 2023) on MovieLens-100K at 10 % memory.

The paper's claim: one shared table for all fields, each field with its own hash functions and
several probes concatenated (feature multiplexing), beats one hashed table per field at the
same memory. Here: the MovieLens-100K CTR stream (ratings in time order, rating >= 4 is a
click), DeepFM with d = 16, progressive validation; both inputs get 10 % of the full table's
bytes; Unified Embedding with 4 chunks. AUC over the stream; the reference is per-field hashing
in the same run. ``quick``: the first 40,000 ratings of the stream.
"""

from __future__ import annotations

from typing import Any

from embedlab.bench._base import Reproduction, ReproductionResult
from embedlab.bench.references import PAPERS
from embedlab.bench.reproduce._common import check_seeds, result

__all__ = ["UnifiedEmbeddingReproduction"]

QUICK_EXAMPLES = 40_000


class UnifiedEmbeddingReproduction(Reproduction):
    """Unified Embedding against per-field hashing at 10 % memory (DeepFM, AUC)."""

    name = "unified-embedding"
    paper = PAPERS["unified-embedding"]
    claim = (
        "at 10 % of the full table's memory, one multiplexed table for all fields beats "
        "per-field hashing in MovieLens-100K click AUC (DeepFM)"
    )
    metric = "auc"

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """Both inputs on the same stream, once per seed."""
        from embedlab.bench.stream import run_stream
        from embedlab.datasets import load_movielens_stream

        seeds = check_seeds(seeds)
        stream = load_movielens_stream()
        if quick:
            stream = stream.slice(0, min(QUICK_EXAMPLES, len(stream)))
        ours, ref = [], []
        for seed in range(seeds):
            kw: dict[str, Any] = dict(
                model="deepfm", seed=seed, sync_interval=0, memory_fraction=0.1
            )
            ours.append(run_stream(stream, table="unified", **kw)[self.metric])
            ref.append(run_stream(stream, table="hash", **kw)[self.metric])
        return result(
            self,
            metric=self.metric,
            ours=ours,
            reference=ref,
            reference_name="per-field hashing at the same memory, this run",
        )
