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

* ``metrix`` (Venkataramanan et al., ICLR 2022): the zero-shot protocol with the multi-similarity
  loss (2, 50, 0.5 and its miner) and the reference's batch of 100 images, embedding-level Metrix
  (the reference's only multi-similarity level; weight 0.4, lambda ~ Beta(2, 2)) against the same
  loss without mixup. (With the contrastive loss the gain is smaller: the benchmark has every
  level of both.)
* ``simlap``: the zero-shot protocol, SimLAP (arbitrary class pairs, gated logits) against
  pytorch-metric-learning's ``SupConLoss`` (temperature 0.1), both on the same two augmented views
  (20 % masking, noise 0.1); the score is a logistic-regression probe on the embeddings of digits
  5-9 (a stratified half to fit, the other half to score).
* ``m2mix`` (So et al., NeurIPS 2023): a generated two-view task (:func:`two_view_task`: 16-d
  latents seen through two random nonlinear maps, 32-d and 48-d, with noise; 2,000 training and
  1,000 test pairs), two MLP towers, CLIP's loss at the reference's temperatures (0.01, mixed
  negatives 0.07) with and without the geodesic mixed negatives (weight 0.05, the largest of the
  reference's sweep, lambda ~ Beta(0.5, 0.5), decayed 1 / (epoch + 1)); the score is the
  alignment of the test pairs (lower is better); uniformity and cross-view Recall@1 are in the
  benchmark.
* ``adsl``: the zero-shot protocol with the attention MLP (:func:`~embedlab.losses.attention_mlp`),
  60 epochs, the last 10 fine-tuning the whole embedding; ADSL grown from one learner (patience 2
  epochs: the reference's 10 of its 250 growth epochs, scaled to 50; the training set's NMI
  monitored) against the best of 1, 2, 4 and 8 fixed learners (divide-and-conquer) minus 1 point.

``quick``: 5 epochs instead of 30 or 60 (6 for ADSL, which needs a re-clustering and a
fine-tuning epoch), one seed's worth of work each.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.bench._base import Reproduction, ReproductionResult
from embedlab.bench.references import PAPERS
from embedlab.bench.reproduce._common import check_seeds, result

__all__ = [
    "ADSLReproduction",
    "EBVReproduction",
    "FaceNetHarmonicReproduction",
    "FaceNetSemihardReproduction",
    "M2MixReproduction",
    "MetrixReproduction",
    "SimLAPReproduction",
    "adsl_run",
    "digits",
    "harmonic_run",
    "m2mix_run",
    "many_class_triplet_run",
    "many_classes",
    "metrix_run",
    "simlap_run",
    "softmax_head",
    "triplet_run",
    "two_view_task",
]

#: the schedule of the triplet runs (Adam, full shuffles, 300 images a batch: ~60 per class)
TRIPLET_RUN: dict[str, Any] = {"epochs": 30, "batch_size": 300, "lr": 1e-3}
#: Metrix's run: the reference's batch of 100 images
METRIX_RUN: dict[str, Any] = {"epochs": 30, "batch_size": 100, "lr": 1e-3}
#: the m2-Mix run on the generated two-view task
M2MIX_RUN: dict[str, Any] = {"epochs": 30, "batch_size": 128, "lr": 1e-3}
#: ADSL's run (fine-tuning the whole embedding from epoch 50)
ADSL_RUN: dict[str, Any] = {"epochs": 60, "batch_size": 300, "lr": 1e-3}
#: the fixed numbers of learners ADSL is compared with
ADSL_FIXED = (1, 2, 4, 8)
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


def _zero_shot_triplets(
    x: np.ndarray, y: np.ndarray, seen: np.ndarray, mining: str, seed: int, epochs: int
) -> dict[str, float]:
    """Train the triplet MLP on the ``seen`` rows; retrieval metrics on the others."""
    from embedlab.eval.metrics import class_retrieval_metrics, effective_rank, uniformity
    from embedlab.losses import TripletLoss, embed, mlp, train_encoder

    enc = mlp(x.shape[1], 128, 32, random_state=seed)
    run = {**TRIPLET_RUN, "epochs": epochs}
    train_encoder(
        enc,
        TripletLoss(mining=mining, random_state=seed),
        x[seen],
        y[seen],
        random_state=seed,
        **run,
    )
    z = _unit(embed(enc, x[~seen]))
    m = class_retrieval_metrics(z, y[~seen], k=(1, 2, 4, 8))
    return {**m, "uniformity": uniformity(z), "effective_rank": effective_rank(z)}


def triplet_run(mining: str, seed: int, *, epochs: int = 30) -> dict[str, float]:
    """Train on digits 0-4 with ``mining``; retrieval metrics on digits 5-9."""
    x, y = digits()
    return _zero_shot_triplets(x, y, y < 5, mining, seed, epochs)


def many_classes(
    seed: int,
    *,
    classes: int = 200,
    per_class: int = 20,
    latent: int = 16,
    signal_dims: int = 64,
    distractors: int = 64,
    noise: float = 0.6,
) -> tuple[np.ndarray, np.ndarray]:
    """Return a generated many-class set: ``tanh((mu_y + e) W) + e'`` beside pure-noise columns.

    ``mu_y ~ N(0, I_latent)`` per class, within-class noise ``e`` of standard deviation
    ``noise``, ``W`` Gaussian scaled by ``1 / sqrt(latent)``, ``e'`` of standard deviation 0.1,
    then ``distractors`` standard Gaussian columns that carry no class: a zero-shot test with
    many classes, where raw nearest neighbours are poor and most random negatives are easy.
    """
    rng = np.random.default_rng(seed)
    mu = rng.normal(size=(classes, latent))
    w = rng.normal(size=(latent, signal_dims)) / np.sqrt(latent)
    y = np.repeat(np.arange(classes), per_class)
    z = mu[y] + noise * rng.normal(size=(len(y), latent))
    x = np.tanh(z @ w) + 0.1 * rng.normal(size=(len(y), signal_dims))
    x = np.hstack([x, rng.normal(size=(len(y), distractors))])
    return x.astype(np.float32), y.astype(np.int64)


def many_class_triplet_run(mining: str, seed: int, *, epochs: int = 30) -> dict[str, float]:
    """Train on the first half of :func:`many_classes`' classes; retrieve among the other half."""
    x, y = many_classes(seed)
    return _zero_shot_triplets(x, y, y < 100, mining, seed, epochs)


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


def metrix_run(
    weight: float,
    seed: int,
    *,
    level: str = "feature",
    loss: str = "contrastive",
    epochs: int = 30,
    batch_size: int = 100,
) -> dict[str, float]:
    """Train on digits 0-4 with Metrix (``weight`` 0: the plain loss); metrics on digits 5-9."""
    from embedlab.eval.metrics import class_retrieval_metrics
    from embedlab.losses import MetrixLoss, embed, mlp, train_encoder

    x, y = digits()
    tr, te = y < 5, y >= 5
    enc = mlp(64, 128, 32, random_state=seed)
    objective = MetrixLoss(loss=loss, level=level, weight=weight, random_state=seed)
    run = {**METRIX_RUN, "epochs": epochs, "batch_size": batch_size}
    train_encoder(enc, objective, x[tr], y[tr], random_state=seed, **run)
    return class_retrieval_metrics(_unit(embed(enc, x[te])), y[te], k=(1, 2, 4, 8))


def supcon_loss(seed: int) -> Any:
    """pytorch-metric-learning's ``SupConLoss`` on SimLAP's two augmented views, as a loss here.

    The views are drawn exactly as :class:`~embedlab.losses.SimLAPLoss` with ``random_state=seed``
    draws them (same seeds, masking and noise), so both see the same inputs.
    """
    from pytorch_metric_learning.losses import SupConLoss

    from embedlab.losses._torch import generator, torch
    from embedlab.losses.base import MetricLoss
    from embedlab.losses.training import augment

    class SupCon(MetricLoss):
        name = "supcon"

        def __init__(self) -> None:
            super().__init__()
            self.supcon = SupConLoss(temperature=0.1)
            self.calls = 0

        def forward(self, embeddings: Any, labels: Any, reference: Any = None) -> Any:
            return self.supcon(embeddings, labels)

        def batch_loss(
            self, encoder: Any, inputs: Any, labels: Any, *, reference: Any = None
        ) -> Any:
            state = np.random.SeedSequence([seed, self.calls, 1]).generate_state(1)[0]
            self.calls += 1
            g = generator(int(state))
            z1 = encoder(augment(inputs, generator=g))
            z2 = encoder(augment(inputs, generator=g))
            return self.supcon(torch.cat([z1, z2]), torch.cat([labels, labels]))

    return SupCon()


def linear_probe(z: np.ndarray, y: np.ndarray, seed: int) -> float:
    """Accuracy of a logistic regression fit on a stratified half of ``z``, scored on the rest."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    a, b, ya, yb = train_test_split(z, y, test_size=0.5, stratify=y, random_state=seed)
    return float(LogisticRegression(max_iter=3000).fit(a, ya).score(b, yb))


def simlap_run(
    kind: str, seed: int, *, pairing: str = "arbitrary", epochs: int = 30
) -> dict[str, float]:
    """SimLAP (``kind="simlap"``) or SupCon on digits 0-4; probe, Recall@1, rank on 5-9."""
    from embedlab.eval.metrics import class_retrieval_metrics, effective_rank
    from embedlab.losses import SimLAPLoss, embed, mlp, train_encoder

    x, y = digits()
    tr, te = y < 5, y >= 5
    enc = mlp(64, 128, 32, random_state=seed)
    objective = (
        SimLAPLoss(n_classes=5, embedding_dim=32, pairing=pairing, random_state=seed)
        if kind == "simlap"
        else supcon_loss(seed)
    )
    run = {**TRIPLET_RUN, "epochs": epochs}
    train_encoder(enc, objective, x[tr], y[tr], random_state=seed, **run)
    z = _unit(embed(enc, x[te]))
    return {
        "probe_accuracy": linear_probe(z, y[te], seed),
        "recall@1": class_retrieval_metrics(z, y[te])["recall@1"],
        "effective_rank": effective_rank(z),
    }


def two_view_task(
    seed: int,
    *,
    n: int = 3000,
    latent: int = 16,
    dims: tuple[int, int] = (32, 48),
    noise: float = 0.3,
) -> np.ndarray:
    """Return ``[n, dims[0] + dims[1]]`` pairs: ``tanh(z A) + e`` beside ``relu(z B) + e'``.

    ``z ~ N(0, I_latent)``, ``A``, ``B`` Gaussian scaled by ``1 / sqrt(latent)``, the noise
    Gaussian of standard deviation ``noise``; two "modalities" of one latent.
    """
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, latent))
    wa = rng.normal(size=(latent, dims[0])) / np.sqrt(latent)
    wb = rng.normal(size=(latent, dims[1])) / np.sqrt(latent)
    a = np.tanh(z @ wa) + noise * rng.normal(size=(n, dims[0]))
    b = np.maximum(z @ wb, 0.0) + noise * rng.normal(size=(n, dims[1]))
    return np.hstack([a, b]).astype(np.float32)


def m2mix_run(
    weight: float, seed: int, *, tau: float = 0.01, epochs: int = 30, n_train: int = 2000
) -> dict[str, float]:
    """CLIP's loss (+ m2-Mix at ``weight``) on :func:`two_view_task`; test-pair metrics."""
    from embedlab.eval.metrics import alignment, uniformity
    from embedlab.losses import M2MixLoss, TwoTower, embed, mlp, train_encoder

    x = two_view_task(seed)
    tr, te = x[:n_train], x[n_train:]
    enc = TwoTower(
        mlp(32, 128, 16, random_state=seed), mlp(48, 128, 16, random_state=100 + seed), split=32
    )
    objective = M2MixLoss(tau=tau, weight=weight, random_state=seed)
    run = {**M2MIX_RUN, "epochs": epochs}
    train_encoder(enc, objective, tr, np.arange(len(tr)), random_state=seed, **run)
    e = embed(enc, te)
    a, b = _unit(e[:, :16]), _unit(e[:, 16:])
    return {
        "cross_view_recall@1": float(((a @ b.T).argmax(axis=1) == np.arange(len(a))).mean()),
        "uniformity": uniformity(np.vstack([a, b])),
        "alignment": alignment(a, b),
    }


def adsl_run(
    n_learners: int,
    dynamic: bool,
    seed: int,
    *,
    epochs: int = 60,
    patience: int = 2,
    monitor: str = "nmi",
) -> dict[str, Any]:
    """ADSL (``dynamic``) or fixed learners on digits 0-4; Recall@1 on 5-9 and the splits."""
    from embedlab.eval.metrics import class_retrieval_metrics
    from embedlab.losses import ADSLLoss, attention_mlp, embed, train_encoder

    x, y = digits()
    tr, te = y < 5, y >= 5
    enc = attention_mlp(64, 128, 32, random_state=seed)
    objective = ADSLLoss(
        embedding_dim=32,
        n_learners=n_learners,
        dynamic=dynamic,
        patience=patience,
        monitor=monitor,
        finetune_epoch=max(1, epochs * 5 // 6),
        random_state=seed,
    )
    run = {**ADSL_RUN, "epochs": epochs}
    train_encoder(enc, objective, x[tr], y[tr], random_state=seed, **run)
    z = objective.transform(embed(enc, x[te]))
    return {
        **class_retrieval_metrics(z, y[te], k=(1, 2, 4, 8)),
        "learners": objective.n_learners,
        "splits": [list(s) for s in objective.splits],
    }


class MetrixReproduction(Reproduction):
    """Metrix against the same multi-similarity loss without mixup, digits zero-shot."""

    name = "metrix"
    paper = PAPERS["metrix"]
    metric = "recall@1"
    claim = (
        "mixing pairs with interpolated labels (Metrix) raises the multi-similarity loss's "
        "Recall@1 of retrieval on unseen classes at least 1 point above the same loss without "
        "mixup"
    )

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """Both once per seed, same encoder initialisation and schedule."""
        seeds = check_seeds(seeds)
        epochs = 5 if quick else METRIX_RUN["epochs"]
        kw: dict[str, Any] = {"loss": "multi-similarity", "level": "embedding", "epochs": epochs}
        ours = [metrix_run(0.4, s, **kw)["recall@1"] for s in range(seeds)]
        ref = [metrix_run(0.0, s, **kw)["recall@1"] + 0.01 for s in range(seeds)]
        return result(
            self,
            metric="recall@1 (digits 5-9, trained on 0-4)",
            ours=ours,
            reference=ref,
            reference_name="multi-similarity loss without mixup plus 1 point, same run",
        )


class SimLAPReproduction(Reproduction):
    """SimLAP against supervised contrastive learning: a linear probe on unseen classes."""

    name = "simlap"
    paper = PAPERS["simlap"]
    metric = "probe_accuracy"
    claim = (
        "positives from arbitrary class pairs with learned feature gates transfer better to "
        "unseen classes than supervised contrastive learning (linear probe accuracy)"
    )

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """Both once per seed on the same augmented views and encoder initialisation."""
        seeds = check_seeds(seeds)
        epochs = 5 if quick else TRIPLET_RUN["epochs"]
        ours = [simlap_run("simlap", s, epochs=epochs)["probe_accuracy"] for s in range(seeds)]
        ref = [simlap_run("supcon", s, epochs=epochs)["probe_accuracy"] for s in range(seeds)]
        return result(
            self,
            metric="probe_accuracy (linear probe, digits 5-9, trained on 0-4)",
            ours=ours,
            reference=ref,
            reference_name="pytorch-metric-learning SupConLoss, same views",
        )


class M2MixReproduction(Reproduction):
    """Geodesic mixed negatives against CLIP's loss alone on a generated two-view task."""

    name = "m2mix"
    paper = PAPERS["m2mix"]
    metric = "alignment"
    claim = (
        "geodesic multi-modal mixup as hard negatives aligns paired embeddings better than the "
        "contrastive loss alone (alignment of held-out pairs, lower is better)"
    )

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """Both once per seed, same towers, data and schedule."""
        seeds = check_seeds(seeds)
        epochs = 5 if quick else M2MIX_RUN["epochs"]
        ours = [m2mix_run(0.05, s, epochs=epochs)["alignment"] for s in range(seeds)]
        ref = [m2mix_run(0.0, s, epochs=epochs)["alignment"] for s in range(seeds)]
        return result(
            self,
            metric="alignment (generated two-view task, test pairs)",
            ours=ours,
            reference=ref,
            reference_name="CLIP's contrastive loss alone, same run",
            higher_is_better=False,
        )


class ADSLReproduction(Reproduction):
    """Learners grown on plateaus against the best fixed number of learners minus 1 point."""

    name = "adsl"
    paper = PAPERS["adsl"]
    metric = "recall@1"
    claim = (
        "growing subspace learners on plateaus comes within 1 point of Recall@1 of the best fixed "
        "number of learners, without tuning that number"
    )

    def run(self, *, seeds: int = 1, quick: bool = False) -> ReproductionResult:
        """ADSL and every fixed number once per seed; the best fixed number by its mean."""
        seeds = check_seeds(seeds)
        epochs = 6 if quick else ADSL_RUN["epochs"]
        fixed = {
            k: [adsl_run(k, False, s, epochs=epochs)["recall@1"] for s in range(seeds)]
            for k in ((1, 2) if quick else ADSL_FIXED)
        }
        best = max(fixed, key=lambda k: float(np.mean(fixed[k])))
        ours = [adsl_run(1, True, s, epochs=epochs)["recall@1"] for s in range(seeds)]
        return result(
            self,
            metric="recall@1 (digits 5-9, trained on 0-4)",
            ours=ours,
            reference=[v - 0.01 for v in fixed[best]],
            reference_name=f"best fixed number of learners ({best}) minus 1 point, same run",
        )
