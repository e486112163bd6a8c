"""Metric-learning objectives (issue 22, first part): FaceNet's triplet loss and mining, harmonic
embeddings, equiangular basis vectors; 3 seeds each, beside pytorch-metric-learning.

* Triplet mining on the digits zero-shot split (train 0-4, retrieve 5-9): semi-hard, random and
  hardest negatives (embedlab), pytorch-metric-learning's ``TripletMarginMiner`` (all semi-hard
  triplets of the batch, its own rule) with its ``TripletMarginLoss`` as the peer; the raw pixels
  and the untrained encoder as floors. Recall@1/2/4/8, MAP@R, uniformity, effective rank, and
  seconds per run (30 epochs).
* Harmonic embeddings: v1 and v2 (harmonic) and v2 trained alone, Recall@1 within and across
  versions, on held-out images of the training classes and on the zero-shot split.
* EBV against a learned softmax head: digits (50 / 50 split), and 1,000 generated classes in
  64 dimensions (Gaussian classes in 32 input dimensions, 20 training and 10 test samples each;
  basis alpha 0.2, Welch bound 0.121), with the 256-wide encoder and a 1,024-wide one.

Run through ``python benchmarks/run.py --only losses`` (part of ``make bench``).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from _common import log

KEYS = ("losses",)
SEEDS = (0, 1, 2)
MININGS = ("semihard", "random", "hardest")
PEER = "pytorch-metric-learning semihard miner"
#: the generated many-class task
N_GENERATED, GEN_IN, GEN_DIM, GEN_NOISE, GEN_ALPHA = 1000, 32, 64, 0.6, 0.2
GEN_RUN: dict[str, Any] = {"epochs": 30, "batch_size": 256, "lr": 1e-3}


def _threads() -> None:
    import torch

    torch.set_num_threads(1)


def pml_semihard_run(seed: int) -> dict[str, float]:
    """The peer: pytorch-metric-learning's semi-hard miner and triplet loss, same encoder/run."""
    from pytorch_metric_learning.distances import LpDistance
    from pytorch_metric_learning.losses import TripletMarginLoss
    from pytorch_metric_learning.miners import TripletMarginMiner
    from pytorch_metric_learning.reducers import MeanReducer

    from embedlab.bench.reproduce.metric_learning import TRIPLET_RUN, _unit, digits
    from embedlab.eval.metrics import class_retrieval_metrics, effective_rank, uniformity
    from embedlab.losses import embed, mlp, train_encoder
    from embedlab.losses.base import MetricLoss

    dist = LpDistance(normalize_embeddings=True, p=2, power=2)

    class PMLSemihard(MetricLoss):
        name = "pml-semihard"

        def __init__(self) -> None:
            super().__init__()
            self.miner = TripletMarginMiner(margin=0.2, type_of_triplets="semihard", distance=dist)
            self.loss = TripletMarginLoss(margin=0.2, distance=dist, reducer=MeanReducer())

        def forward(self, embeddings: Any, labels: Any, reference: Any = None) -> Any:
            return self.loss(embeddings, labels, self.miner(embeddings, labels))

    x, y = digits()
    tr, te = y < 5, y >= 5
    enc = mlp(64, 128, 32, random_state=seed)
    train_encoder(enc, PMLSemihard(), x[tr], y[tr], random_state=seed, **TRIPLET_RUN)
    z = _unit(embed(enc, x[te]))
    m = class_retrieval_metrics(z, y[te], k=(1, 2, 4, 8))
    return {**m, "uniformity": uniformity(z), "effective_rank": effective_rank(z)}


def run_triplets() -> dict[str, Any]:
    from embedlab.bench.reproduce.metric_learning import _unit, digits, triplet_run
    from embedlab.eval.metrics import class_retrieval_metrics, effective_rank, uniformity
    from embedlab.losses import embed, mlp

    rows: dict[str, list[dict[str, float]]] = {}
    for label, fn in [(f"embedlab {m}", m) for m in MININGS] + [(PEER, None)]:
        rows[label] = []
        for s in SEEDS:
            t0 = time.perf_counter()
            r = triplet_run(fn, s) if fn else pml_semihard_run(s)
            rows[label].append({**r, "seconds": time.perf_counter() - t0})
        log(f"  triplets {label}: " + str(rows[label]))
    x, y = digits()
    te = y >= 5
    floors = {}
    for label, z in [
        ("raw pixels", x[te]),
        ("untrained encoder", embed(mlp(64, 128, 32, random_state=0), x[te])),
    ]:
        zu = _unit(z)
        floors[label] = {
            **class_retrieval_metrics(zu, y[te], k=(1, 2, 4, 8)),
            "uniformity": uniformity(zu),
            "effective_rank": effective_rank(zu),
        }
    return {"rows": rows, "floors": floors}


def run_harmonic() -> dict[str, Any]:
    from embedlab.bench.reproduce.metric_learning import harmonic_run

    out: dict[str, Any] = {}
    for split, zero_shot in (("held-out images", False), ("zero-shot (train 0-4, test 5-9)", True)):
        out[split] = [harmonic_run(s, zero_shot=zero_shot) for s in SEEDS]
        log(f"  harmonic {split}: {out[split]}")
    return out


def generated_classes(seed: int) -> tuple[Any, Any, Any, Any]:
    """``N_GENERATED`` Gaussian classes: means N(0, I) in ``GEN_IN`` dims, noise GEN_NOISE."""
    import numpy as np

    rng = np.random.default_rng(seed)
    mu = rng.standard_normal((N_GENERATED, GEN_IN))

    def draw(k: int) -> tuple[Any, Any]:
        y = np.repeat(np.arange(N_GENERATED), k)
        return (mu[y] + GEN_NOISE * rng.standard_normal((len(y), GEN_IN))).astype(np.float32), y

    xtr, ytr = draw(20)
    xte, yte = draw(10)
    return xtr, ytr, xte, yte


def run_ebv() -> dict[str, Any]:
    from embedlab.bench.reproduce.metric_learning import classification_run, ebv_digits_run

    out: dict[str, Any] = {"digits": {}, "generated": {}}
    for head in ("ebv", "softmax"):
        out["digits"][head] = [ebv_digits_run(head, s) for s in SEEDS]
        log(f"  ebv digits {head}: {out['digits'][head]}")
    for hidden in (256, 1024):
        for head in ("ebv", "softmax"):
            runs = []
            for s in SEEDS:
                xtr, ytr, xte, yte = generated_classes(s)
                runs.append(
                    classification_run(
                        head,
                        xtr,
                        ytr,
                        xte,
                        yte,
                        n_classes=N_GENERATED,
                        hidden=hidden,
                        embedding_dim=GEN_DIM,
                        seed=s,
                        alpha=GEN_ALPHA,
                        **GEN_RUN,
                    )
                )
            out["generated"][f"{head} (hidden {hidden})"] = runs
            log(f"  ebv generated {head} hidden {hidden}: {runs}")
    return out


def run(tmp: Any) -> dict[str, Any]:
    log("losses: FaceNet triplets and mining, harmonic embeddings, EBV")
    _threads()
    return {
        "losses": {
            "seeds": list(SEEDS),
            "triplets": run_triplets(),
            "harmonic": run_harmonic(),
            "ebv": run_ebv(),
        }
    }


def _ms(vals: list[float], f: str = ".3f") -> str:
    m = statistics.fmean(vals)
    if len(vals) == 1:
        return format(m, f)
    return f"{format(m, f)} ± {format(statistics.pstdev(vals), f)}"


def _col(runs: list[dict[str, Any]], key: str) -> list[float]:
    return [float(r[key]) for r in runs]


def markdown_lines(res: dict[str, Any]) -> list[str]:
    if "losses" not in res:
        return []
    r = res["losses"]
    n = len(r["seeds"])
    lines = [
        "## Metric-learning objectives (FaceNet, harmonic embeddings, EBV)",
        "",
        f"Digits (scikit-learn's 8 x 8 images), {n} seeds, mean ± std; an MLP encoder "
        "64 -> 128 -> 32 with unit-normalised outputs, Adam lr 1e-3, 30 epochs of 300-image "
        "batches (`embedlab.losses.train_encoder`), torch on one thread. Retrieval by class, "
        "leave-one-out (`embedlab.eval.metrics.class_retrieval_metrics`).",
        "",
        "### Triplet mining, zero-shot (train on digits 0-4, retrieve among 5-9)",
        "",
        "| negatives | Recall@1 | Recall@4 | MAP@R | uniformity | effective rank | s / run |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    t = r["triplets"]
    for label, runs in t["rows"].items():
        lines.append(
            f"| {label} | {_ms(_col(runs, 'recall@1'))} | {_ms(_col(runs, 'recall@4'))} | "
            f"{_ms(_col(runs, 'map@r'))} | {_ms(_col(runs, 'uniformity'), '.2f')} | "
            f"{_ms(_col(runs, 'effective_rank'), '.1f')} | {_ms(_col(runs, 'seconds'), '.1f')} |"
        )
    for label, m in t["floors"].items():
        lines.append(
            f"| {label} (no training) | {m['recall@1']:.3f} | {m['recall@4']:.3f} | "
            f"{m['map@r']:.3f} | {m['uniformity']:.2f} | {m['effective_rank']:.1f} | — |"
        )
    semi = statistics.fmean(_col(t["rows"]["embedlab semihard"], "recall@1"))
    rnd = statistics.fmean(_col(t["rows"]["embedlab random"], "recall@1"))
    peer = statistics.fmean(_col(t["rows"][PEER], "seconds"))
    ours = statistics.fmean(_col(t["rows"]["embedlab semihard"], "seconds"))
    lines += [
        "",
        f"Semi-hard minus random Recall@1: {semi - rnd:+.3f}. Time per run, the peer's semi-hard "
        f"miner / embedlab's: {peer / ours:.2f}x (> 1: embedlab is faster). The peer mines every "
        "semi-hard triplet of the batch; embedlab one negative per anchor-positive pair, FaceNet's "
        "rule.",
        "",
        "### Harmonic embeddings (v1: 64 -> 64 -> 32; v2: 64 -> 256 -> 256 -> 32)",
        "",
        "Recall@1; `a -> b`: queries embedded by a, gallery by b (the query's own image left out).",
        "",
        "| split | v1 -> v1 | v2 -> v2 | v2 -> v1 (harmonic) | v2 alone -> v1 (no harmonic term) |",
        "|---|---:|---:|---:|---:|",
    ]
    for split, runs in r["harmonic"].items():
        lines.append(
            f"| {split} | {_ms(_col(runs, 'v1_v1'))} | {_ms(_col(runs, 'v2_v2'))} | "
            f"{_ms(_col(runs, 'v2_v1'))} | {_ms(_col(runs, 'v2_alone_v1'))} |"
        )
    e = r["ebv"]
    lines += [
        "",
        "### Equiangular basis vectors against a learned softmax head",
        "",
        "| task | head | test accuracy | train accuracy | learned head parameters | s / run |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for task, rows in (
        ("digits, d = 32", e["digits"]),
        (f"{N_GENERATED} generated classes, d = {GEN_DIM}", e["generated"]),
    ):
        for head, runs in rows.items():
            lines.append(
                f"| {task} | {head} | {_ms(_col(runs, 'accuracy'))} | "
                f"{_ms(_col(runs, 'train_accuracy'))} | {int(runs[0]['learned_head_parameters'])} | "
                f"{_ms(_col(runs, 'seconds'), '.1f')} |"
            )
    lines.append("")
    return lines


def markdown(res: dict[str, Any]) -> str:
    from _common import lines_to_md

    return lines_to_md(markdown_lines(res))
