"""The metric-learning reproductions on scikit-learn's bundled digits (8 x 8 images, 10 classes).

* ``facenet-semihard`` (Schroff et al., CVPR 2015): the zero-shot protocol, an MLP encoder
  (64 -> 128 -> 32, unit-normalised) trained with the triplet loss on digits 0-4, Recall@1 of
  retrieval by class among digits 5-9 (leave-one-out); semi-hard negatives against random
  negatives, same encoder, seed and schedule.
* ``facenet-harmonic``: v1 (64 -> 64 -> 32) trained with the triplet loss; v2, a different
  architecture (64 -> 256 -> 256 -> 32), trained with the harmonic triplet loss against the
  frozen v1; both on one stratified half of the digits. Recall@1 of v2 queries against v1
  gallery embeddings of the other half (each query's own image left out), against v1's own
  same-version Recall@1 minus 2 points (the claim: within 2 points of it).
* ``ebv`` (Shen et al., CVPR 2023): digits classification accuracy on a stratified 50 / 50
  split, the same MLP (64 -> 128 -> 32) with the fixed equiangular head (tau 0.07) against a
  learned softmax head.

``quick``: 5 epochs instead of 30 (60 for EBV), one seed's worth of work each.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.bench._base import Reproduction, ReproductionResult
from embedlab.bench.references import PAPERS
from embedlab.bench.reproduce._common import check_seeds, result

__all__ = [
    "EBVReproduction",
    "FaceNetHarmonicReproduction",
    "FaceNetSemihardReproduction",
    "digits",
    "harmonic_run",
    "softmax_head",
    "triplet_run",
]

#: the schedule of the triplet runs (Adam, full shuffles, 300 images a batch: ~60 per class)
TRIPLET_RUN: dict[str, Any] = {"epochs": 30, "batch_size": 300, "lr": 1e-3}
#: the schedule of the classification runs
EBV_RUN: dict[str, Any] = {"epochs": 60, "batch_size": 64, "lr": 1e-3}


def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's digits, pixels scaled to [0, 1] (float32), and their labels."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    return (x / 16.0).astype(np.float32), y.astype(np.int64)


def _unit(z: np.ndarray) -> np.ndarray:
    return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)


def cross_recall_at_1(query: np.ndarray, gallery: np.ndarray, labels: np.ndarray) -> float:
    """Return Recall@1 of row ``i`` of ``query`` against the other rows of ``gallery``.

    The same images embedded by another model; squared Euclidean distance of the unit rows.
    """
    q, g = _unit(query), _unit(gallery)
    s = q @ g.T
    np.fill_diagonal(s, -np.inf)
    return float((labels[s.argmax(axis=1)] == labels).mean())


def triplet_run(mining: str, seed: int, *, epochs: int = 30) -> dict[str, float]:
    """Train on digits 0-4 with ``mining``; retrieval metrics on digits 5-9."""
    from embedlab.eval.metrics import class_retrieval_metrics, effective_rank, uniformity
    from embedlab.losses import TripletLoss, embed, mlp, train_encoder

    x, y = digits()
    tr, te = y < 5, y >= 5
    enc = mlp(64, 128, 32, random_state=seed)
    run = {**TRIPLET_RUN, "epochs": epochs}
    train_encoder(
        enc, TripletLoss(mining=mining, random_state=seed), x[tr], y[tr], random_state=seed, **run
    )
    z = _unit(embed(enc, x[te]))
    m = class_retrieval_metrics(z, y[te], k=(1, 2, 4, 8))
    return {**m, "uniformity": uniformity(z), "effective_rank": effective_rank(z)}


def harmonic_run(seed: int, *, zero_shot: bool = False, epochs: int = 30) -> dict[str, float]:
    """v1, v2 harmonic and v2 independent; same-version and cross-version Recall@1.

    ``zero_shot``: train on digits 0-4, evaluate on 5-9; else train on one stratified half of
    all ten classes and evaluate on the other half.
    """
    from sklearn.model_selection import train_test_split

    from embedlab.eval.metrics import class_retrieval_metrics
    from embedlab.losses import HarmonicTripletLoss, TripletLoss, embed, mlp, train_encoder

    x, y = digits()
    if zero_shot:
        xtr, ytr, xte, yte = x[y < 5], y[y < 5], x[y >= 5], y[y >= 5]
    else:
        xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.5, stratify=y, random_state=seed)
    run = {**TRIPLET_RUN, "epochs": epochs, "random_state": seed}
    v1 = mlp(64, 64, 32, random_state=1000 + seed)
    train_encoder(v1, TripletLoss(random_state=seed), xtr, ytr, **run)
    v2 = mlp(64, 256, 32, layers=3, random_state=2000 + seed)
    train_encoder(v2, HarmonicTripletLoss(random_state=seed), xtr, ytr, reference=v1, **run)
    v2_alone = mlp(64, 256, 32, layers=3, random_state=2000 + seed)
    train_encoder(v2_alone, TripletLoss(random_state=seed), xtr, ytr, **run)
    z1, z2, z2a = (embed(m, xte) for m in (v1, v2, v2_alone))
    return {
        "v1_v1": class_retrieval_metrics(_unit(z1), yte)["recall@1"],
        "v2_v2": class_retrieval_metrics(_unit(z2), yte)["recall@1"],
        "v2_v1": cross_recall_at_1(z2, z1, yte),
        "v2_alone_v2_alone": class_retrieval_metrics(_unit(z2a), yte)["recall@1"],
        "v2_alone_v1": cross_recall_at_1(z2a, z1, yte),
    }


def softmax_head(embedding_dim: int, n_classes: int, seed: int) -> Any:
    """Build a learned linear softmax head as a :class:`~embedlab.losses.base.MetricLoss`.

    The baseline of EBV, with ``predict``.
    """
    from embedlab.losses import mlp
    from embedlab.losses._torch import torch
    from embedlab.losses.base import MetricLoss

    class SoftmaxHead(MetricLoss):
        name = "softmax"

        def __init__(self) -> None:
            super().__init__()
            self.head = mlp(embedding_dim, 1, n_classes, layers=1, random_state=seed)

        def forward(self, embeddings: Any, labels: Any, reference: Any = None) -> Any:
            return torch.nn.functional.cross_entropy(self.head(embeddings), labels)

        def predict(self, embeddings: Any) -> Any:
            return self.head(embeddings).argmax(dim=-1)

    return SoftmaxHead()


def classification_run(
    head: str,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    *,
    n_classes: int,
    hidden: int,
    embedding_dim: int,
    seed: int,
    alpha: float = 0.002,
    **run: Any,
) -> dict[str, float]:
    """Train the MLP encoder with an ``"ebv"`` or ``"softmax"`` head; test and train accuracy."""
    import time

    from embedlab.losses import EBVLoss, embed, mlp, train_encoder
    from embedlab.losses._torch import torch

    t0 = time.perf_counter()
    enc = mlp(x_train.shape[1], hidden, embedding_dim, random_state=seed)
    loss = (
        EBVLoss.for_task(
            n_classes=n_classes, embedding_dim=embedding_dim, random_state=seed, alpha=alpha
        )
        if head == "ebv"
        else softmax_head(embedding_dim, n_classes, seed)
    )
    train_encoder(enc, loss, x_train, y_train, random_state=seed, **run)

    def acc(xs: np.ndarray, ys: np.ndarray) -> float:
        pred = loss.predict(torch.from_numpy(embed(enc, xs)))
        return float((pred.numpy() == ys).mean())

    return {
        "accuracy": acc(x_test, y_test),
        "train_accuracy": acc(x_train, y_train),
        "learned_head_parameters": sum(p.numel() for p in loss.parameters()),
        "seconds": time.perf_counter() - t0,
    }


def ebv_digits_run(head: str, seed: int, *, epochs: int = 60) -> dict[str, float]:
    """EBV or softmax on digits, a stratified 50 / 50 split."""
    from sklearn.model_selection import train_test_split

    x, y = digits()
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.5, stratify=y, random_state=seed)
    run = {**EBV_RUN, "epochs": epochs}
    return classification_run(
        head, xtr, ytr, xte, yte, n_classes=10, hidden=128, embedding_dim=32, seed=seed, **run
    )


class FaceNetSemihardReproduction(Reproduction):
    """Semi-hard against random negatives, digits zero-shot (train 0-4, retrieve 5-9)."""

    name = "facenet-semihard"
    paper = PAPERS["facenet"]
    metric = "recall@1"
    claim = (
        "online semi-hard negative mining trains a better embedding than random triplets "
        "(Recall@1 of retrieval by class on unseen classes)"
    )

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """Both minings once per seed, same encoder initialisation and schedule."""
        seeds = check_seeds(seeds)
        epochs = 5 if quick else TRIPLET_RUN["epochs"]
        ours = [triplet_run("semihard", s, epochs=epochs)["recall@1"] for s in range(seeds)]
        ref = [triplet_run("random", s, epochs=epochs)["recall@1"] for s in range(seeds)]
        return result(
            self,
            metric="recall@1 (digits 5-9, trained on 0-4)",
            ours=ours,
            reference=ref,
            reference_name="random negatives, same run",
        )


class FaceNetHarmonicReproduction(Reproduction):
    """v2 (harmonic) queries against v1 gallery embeddings, held-out digits."""

    name = "facenet-harmonic"
    paper = PAPERS["facenet"]
    metric = "recall@1"
    claim = (
        "a v2 model trained with the harmonic triplet loss is comparable with the frozen v1: "
        "v2 queries against v1 embeddings retrieve within 2 points of v1 against itself"
    )

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """v1, v2 once per seed on a stratified half of the digits; the other half evaluated."""
        seeds = check_seeds(seeds)
        epochs = 5 if quick else TRIPLET_RUN["epochs"]
        runs = [harmonic_run(s, epochs=epochs) for s in range(seeds)]
        return result(
            self,
            metric="recall@1 (v2 queries, v1 gallery; held-out digits)",
            ours=[r["v2_v1"] for r in runs],
            reference=[r["v1_v1"] - 0.02 for r in runs],
            reference_name="v1 against itself minus 2 points, same run",
        )


class EBVReproduction(Reproduction):
    """The fixed equiangular head against a learned softmax head on digits."""

    name = "ebv"
    paper = PAPERS["ebv"]
    metric = "accuracy"
    claim = (
        "fixed equiangular class vectors classify as well as a learned softmax head "
        "(digits test accuracy, same encoder)"
    )

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """Both heads once per seed on the same split and encoder initialisation."""
        seeds = check_seeds(seeds)
        epochs = 5 if quick else EBV_RUN["epochs"]
        ours = [ebv_digits_run("ebv", s, epochs=epochs)["accuracy"] for s in range(seeds)]
        ref = [ebv_digits_run("softmax", s, epochs=epochs)["accuracy"] for s in range(seeds)]
        return result(
            self,
            metric="accuracy (digits, 50 / 50 split)",
            ours=ours,
            reference=ref,
            reference_name="learned softmax head, same run",
        )
