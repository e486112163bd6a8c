r"""ADSL: (attention-based) dynamic subspace learners, grown on plateaus instead of tuned.

Adiga Vasudeva, Dolz, Lombaert et al., "Attention-based Dynamic Subspace Learners" (code:
adigasu/Dynamic_subspace_learners; after Sanakoyeu et al., "Divide and Conquer the Embedding
Space for Metric Learning", CVPR 2019). The :math:`D`-dimensional embedding is cut into :math:`K`
*learners*, disjoint sets of its dimensions; the training set is clustered into :math:`K` groups
(k-means, pseudo-labels, re-computed every ``recluster_every`` epochs and matched to the previous
clusters by the Hungarian algorithm), and the samples of cluster :math:`c` train only learner
:math:`c`'s unit-normalised sub-embedding, with the margin loss of Wu et al. (``train.py``
``train_batch``, ``lib/loss/margin_loss.py``),

.. math:: L = \frac{\sum_{(a,p)} [d_{ap} - \beta + \mu]_+ + \sum_{(a,n)} [\beta - d_{an} + \mu]_+}
          {\#\{\text{non-zero terms}\}} ,

:math:`\beta = 1.2`, :math:`\mu = 0.2` (pytorch-metric-learning's ``MarginLoss``), every positive
of an anchor paired with the nearest negatives at distance :math:`\ge 0.5`, as many as its
positives (the reference's ``Sampler``, cut-off 0.5). The final embedding is the concatenation of
the learners' unit sub-embeddings (:meth:`ADSLLoss.transform`).

The *dynamic* part (``train.py`` ``start``): training starts with one learner; when the monitored
retrieval quality has not improved for ``patience`` epochs since its best, the last learner is
split. Each of its dimensions is scored by its first-order Taylor importance, the mean over the
epoch's batches of activation x gradient (``FilterLearner.compute_score``), the scores' absolute
values L2-normalised and min-max scaled to [0, 1]; the dimensions above ``threshold`` (0.5) stay,
the others become a new learner whose rows of the encoder's last linear layer are re-initialised
(Xavier normal weights, zero bias; the optimiser's moments for them carry over, as in the
reference), and the data are re-clustered into :math:`K + 1` groups at once. After a split the
next one waits for a new best. From ``finetune_epoch`` on, the whole embedding is trained as one
learner (the reference's last 50 of 300 epochs).

Where this differs from the reference, and why: the monitored quality (``monitor``: the NMI of
k-means with one cluster per class, the reference's metric, or leave-one-out Recall@1) is that of
the *training* set, not of the test set, which the reference uses and which would leak the test
set into the schedule; clusters are computed on the unit-normalised embedding and a
batch's rows are assigned to the nearest centroid of the last clustering (the reference clusters
its backbone's penultimate features and keeps each image's cluster id; a loss does not see sample
ids); a batch holds all clusters' rows, each cluster's loss weighted by its rows (the reference
interleaves one-cluster batches); and the new learner is trained from the split on (the reference
waits for its next re-clustering). The attention of ADSL is a module of the encoder, not the loss:
:class:`~embedlab.losses.training.FeatureAttention` is the vector-input analogue of its spatial
sigmoid map.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.losses._torch import generator, torch
from embedlab.losses.base import MetricLoss, _positive_float, _positive_int, check_batch

__all__ = ["MONITORS", "ADSLLoss", "margin_triplets", "taylor_split"]


def margin_triplets(distances: Any, labels: Any, *, cutoff: float = 0.5) -> tuple[Any, Any, Any]:
    """Return ``(a, p, n)``: each positive of an anchor with one of its nearest far negatives.

    The ``k``-th positive (by index) of anchor ``a`` takes the ``k``-th nearest negative of ``a``
    among those at distance ``>= cutoff``; positives beyond the number of such negatives are left
    out. ``distances`` ``[B, B]`` is read detached.
    """
    d = distances.detach()
    b = len(labels)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(b, dtype=torch.bool, device=d.device)
    pos = same & ~eye
    inf = torch.tensor(float("inf"), dtype=d.dtype, device=d.device)
    far = torch.where(~same & (d >= cutoff), d, inf)
    order = far.argsort(dim=1, stable=True)
    a, p = torch.nonzero(pos, as_tuple=True)
    if len(a) == 0:
        empty = torch.empty(0, dtype=torch.long, device=d.device)
        return empty, empty, empty
    rank = (pos.cumsum(dim=1) - 1)[a, p]  # the k of each (a, p): its rank among a's positives
    n = order[a, rank]
    ok = torch.isfinite(far[a, n])
    return a[ok], p[ok], n[ok]


def taylor_split(scores: Any, *, threshold: float = 0.5) -> np.ndarray:
    """Return the mask of the dimensions that stay (normalised Taylor score ``> threshold``).

    ``scores`` are a learner's dimensions' mean activation x gradient; their absolute values are
    L2-normalised, then min-max scaled to [0, 1] (the reference's ``normalize_ranks``).
    """
    s = np.abs(np.asarray(scores, dtype=np.float64))
    s = s / max(float(np.linalg.norm(s)), 1e-12)
    span = float(s.max() - s.min()) if len(s) else 0.0
    if span == 0.0:
        return np.ones(len(s), dtype=bool)
    return (s - s.min()) / span > threshold


#: what the growth schedule watches on the training set
MONITORS = ("nmi", "recall@1")


def _recall_at_1(z: Any, labels: Any, *, block: int = 1024) -> float:
    """Leave-one-out Recall@1 of retrieval by class, Euclidean, ties to the lowest index."""
    hits = 0
    for start in range(0, len(z), block):
        d = torch.cdist(z[start : start + block], z)
        rows = torch.arange(start, min(start + block, len(z)))
        d[rows - start, rows] = float("inf")
        hits += int((labels[d.argmin(dim=1)] == labels[rows]).sum())
    return hits / max(len(z), 1)


class ADSLLoss(MetricLoss):
    r"""Subspace learners on k-means pseudo-labels, grown on plateaus (module docstring).

    Parameters
    ----------
    embedding_dim
        :math:`D` (``for_task`` fills it).
    n_learners
        The initial :math:`K` (1 for ADSL; a fixed :math:`K` with ``dynamic=False`` is
        divide-and-conquer, the learners an even contiguous split).
    dynamic
        Split the last learner on plateaus.
    patience
        Epochs without a new best of the monitored quality before a split.
    recluster_every
        The re-clustering period in epochs (the reference's 2).
    margin, beta, cutoff
        The margin loss's :math:`\mu`, :math:`\beta` and the negatives' distance cut-off.
    threshold
        The normalised Taylor score above which a dimension stays in the split learner.
    min_learner
        The fewest dimensions either side of a split may have.
    finetune_epoch
        The epoch from which the whole embedding is one learner (``None``: never).
    monitor
        ``"nmi"`` (the reference's) or ``"recall@1"``, of the training set (:meth:`quality`).
    random_state
        Seeds the k-means and the re-initialisation of split rows.
    """

    name: ClassVar[str] = "adsl"

    def __init__(
        self,
        *,
        embedding_dim: int,
        n_learners: int = 1,
        dynamic: bool = True,
        patience: int = 5,
        recluster_every: int = 2,
        margin: float = 0.2,
        beta: float = 1.2,
        cutoff: float = 0.5,
        threshold: float = 0.5,
        min_learner: int = 4,
        finetune_epoch: int | None = None,
        monitor: str = "nmi",
        random_state: int = 0,
    ) -> None:
        super().__init__()
        if monitor not in MONITORS:
            raise InvalidInputError(f"'monitor' must be one of {list(MONITORS)}; got {monitor!r}.")
        self.monitor = monitor
        self.embedding_dim = _positive_int("embedding_dim", embedding_dim)
        k = _positive_int("n_learners", n_learners)
        if k > self.embedding_dim:
            raise InvalidInputError(
                f"'n_learners' ({k}) must be <= 'embedding_dim' ({self.embedding_dim})."
            )
        self.dynamic = bool(dynamic)
        self.patience = _positive_int("patience", patience)
        self.recluster_every = _positive_int("recluster_every", recluster_every)
        self.margin = _positive_float("margin", margin)
        self.beta = _positive_float("beta", beta)
        self.cutoff = float(cutoff)
        if not 0 <= threshold < 1:
            raise InvalidInputError(f"'threshold' must be in [0, 1); got {threshold!r}.")
        self.threshold = float(threshold)
        self.min_learner = _positive_int("min_learner", min_learner)
        if finetune_epoch is not None:
            finetune_epoch = _positive_int("finetune_epoch", finetune_epoch)
        self.finetune_epoch = finetune_epoch
        self.random_state = int(random_state)
        #: each learner's embedding dimensions (an even contiguous split to start)
        self.learners: list[list[int]] = [
            [int(d) for d in part] for part in np.array_split(np.arange(self.embedding_dim), k)
        ]
        self.centroids: Any = None
        #: ``(epoch, number of learners after it)`` of every split
        self.splits: list[tuple[int, int]] = []
        self.finetuning = False
        self._best, self._best_epoch, self._explore = -1.0, 0, True
        self._taylor = torch.zeros(self.embedding_dim, dtype=torch.float64)
        self._batches = 0

    @classmethod
    def for_task(
        cls, *, n_classes: int, embedding_dim: int, random_state: int = 0, **params: Any
    ) -> ADSLLoss:
        """Build the loss over ``embedding_dim`` dimensions (``n_classes`` is not needed)."""
        _positive_int("n_classes", n_classes)
        return cls(embedding_dim=embedding_dim, random_state=random_state, **params)

    @property
    def n_learners(self) -> int:
        """The current :math:`K`."""
        return len(self.learners)

    def transform(self, embeddings: Any) -> Any:
        """Return the concatenation of the learners' unit sub-embeddings (the representation).

        A NumPy array in, a NumPy array out; a tensor in, a tensor out. During the fine-tuning
        phase (and with one learner) it is the unit embedding.
        """
        as_numpy = not isinstance(embeddings, torch.Tensor)
        z = torch.as_tensor(np.asarray(embeddings)) if as_numpy else embeddings
        if z.ndim != 2 or z.shape[1] != self.embedding_dim:
            raise InvalidInputError(
                f"'embeddings' must be [n, {self.embedding_dim}]; got {tuple(z.shape)}."
            )
        groups = [list(range(self.embedding_dim))] if self.finetuning else self.learners
        out = torch.empty_like(z)
        for dims in groups:
            out[:, dims] = torch.nn.functional.normalize(z[:, dims], dim=1)
        return out.numpy() if as_numpy else out

    # ------------------------------------------------------------------------ the loss
    def _margin(self, z: Any, labels: Any) -> Any:
        from pytorch_metric_learning.distances import LpDistance
        from pytorch_metric_learning.losses import MarginLoss

        zn = torch.nn.functional.normalize(z, dim=1)
        dist = LpDistance()
        triplets = margin_triplets(dist(zn), labels, cutoff=self.cutoff)
        if len(triplets[0]) == 0:
            return z.sum() * 0.0
        fn = MarginLoss(margin=self.margin, nu=0.0, beta=self.beta, distance=dist)
        return fn(zn, labels, triplets)

    def clusters(self, embeddings: Any) -> Any:
        """Return each row's cluster: the nearest centroid of the last clustering."""
        z = torch.nn.functional.normalize(embeddings.detach(), dim=1)
        c = self.centroids.to(z)
        return torch.cdist(z, c).argmin(dim=1)

    def forward(self, embeddings: Any, labels: Any, reference: Any = None) -> Any:
        """Return the learners' margin losses, each on its cluster's rows and dimensions."""
        check_batch(embeddings, labels)
        if reference is not None:
            raise InvalidInputError("ADSLLoss takes no 'reference' embeddings.")
        if embeddings.shape[1] != self.embedding_dim:
            raise InvalidInputError(
                f"The embeddings have {embeddings.shape[1]} dimensions; the loss was built for "
                f"{self.embedding_dim}."
            )
        if embeddings.requires_grad and torch.is_grad_enabled():
            act = embeddings.detach().to(torch.float64)

            def record(grad: Any) -> None:
                self._taylor += (act * grad.detach().to(torch.float64)).mean(dim=0).cpu()
                self._batches += 1

            embeddings.register_hook(record)
        if self.finetuning or self.n_learners == 1 or self.centroids is None:
            return self._margin(embeddings, labels)
        assign = self.clusters(embeddings)
        total = embeddings.sum() * 0.0
        for c, dims in enumerate(self.learners):
            rows = torch.nonzero(assign == c).flatten()
            if len(rows) > 1:
                part = self._margin(embeddings[rows][:, dims], labels[rows])
                total = total + part * (len(rows) / len(labels))
        return total

    # ------------------------------------------------------------------- between epochs
    def quality(self, z: Any, labels: Any, *, epoch: int) -> float:
        """Return the monitored quality of the training embeddings ``z`` (higher is better).

        ``"nmi"`` (the reference's metric): the NMI of k-means with one cluster per class
        against the labels; ``"recall@1"``: leave-one-out Recall@1 by class.
        """
        if self.monitor == "recall@1":
            return _recall_at_1(z, labels)
        from sklearn.cluster import KMeans
        from sklearn.metrics import normalized_mutual_info_score

        y = labels.numpy()
        k = len(np.unique(y))
        seed = np.random.SeedSequence([self.random_state, epoch, 3]).generate_state(1)[0]
        km = KMeans(n_clusters=k, n_init=1, max_iter=100, random_state=int(seed))
        pred = km.fit_predict(z.numpy().astype(np.float64))
        return float(normalized_mutual_info_score(y, pred))

    def _recluster(self, z: np.ndarray, epoch: int) -> None:
        from scipy.optimize import linear_sum_assignment
        from sklearn.cluster import KMeans

        k = self.n_learners
        if len(z) < k:
            raise InvalidInputError(f"ADSLLoss needs at least {k} training rows to cluster.")
        seed = np.random.SeedSequence([self.random_state, epoch, 1]).generate_state(1)[0]
        km = KMeans(n_clusters=k, n_init=1, max_iter=100, random_state=int(seed))
        new = km.fit(z).cluster_centers_
        if self.centroids is not None:
            old = self.centroids.numpy()
            cost = np.linalg.norm(old[:, None, :] - new[None, :, :], axis=2)
            rows, cols = linear_sum_assignment(cost)
            order = list(cols[np.argsort(rows)])
            order += [j for j in range(k) if j not in order]  # a new cluster: the new learner
            new = new[order]
        self.centroids = torch.from_numpy(np.ascontiguousarray(new))

    def _split(self, encoder: Any, epoch: int) -> bool:
        last = self.learners[-1]
        scores = (self._taylor / max(self._batches, 1)).numpy()[last]
        stay = taylor_split(scores, threshold=self.threshold)
        kept = [d for d, s in zip(last, stay, strict=True) if s]
        new = [d for d, s in zip(last, stay, strict=True) if not s]
        if len(kept) < self.min_learner or len(new) < self.min_learner:
            return False
        linears = [m for m in encoder.modules() if isinstance(m, torch.nn.Linear)]
        if not linears or linears[-1].out_features != self.embedding_dim:
            raise InvalidInputError(
                "ADSL's growth re-initialises the new learner's rows of the encoder's last "
                f"nn.Linear, which must output the {self.embedding_dim} embedding dimensions; "
                "this encoder has none (pass dynamic=False, or end the encoder with one)."
            )
        self.learners[-1:] = [kept, new]
        lin = linears[-1]
        std = math.sqrt(2.0 / (lin.weight.shape[0] + lin.weight.shape[1]))
        seed = np.random.SeedSequence([self.random_state, epoch, 2]).generate_state(1)[0]
        g = generator(int(seed))
        with torch.no_grad():
            fresh = torch.randn((len(new), lin.weight.shape[1]), generator=g) * std
            lin.weight[new] = fresh.to(lin.weight)
            if lin.bias is not None:
                lin.bias[new] = 0.0
        self.splits.append((epoch, self.n_learners))
        return True

    def start_epoch(
        self, encoder: Any, inputs: Any, labels: Any, *, epoch: int, history: list[float]
    ) -> None:
        """Monitor, split on a plateau, re-cluster; from ``finetune_epoch`` on, one learner."""
        if self.finetune_epoch is not None and epoch >= self.finetune_epoch:
            self.finetuning = True
            return
        encoder.eval()
        with torch.no_grad():
            z = encoder(inputs)
        grew = False
        if epoch > 0:
            quality = self.quality(self.transform(z), labels, epoch=epoch)
            if quality > self._best + 1e-6:
                self._best, self._best_epoch, self._explore = quality, epoch, True
            elif self.dynamic and self._explore and epoch >= self._best_epoch + self.patience:
                grew = self._split(encoder, epoch)
                self._explore = not grew
                if grew:
                    with torch.no_grad():
                        z = encoder(inputs)
        self._taylor.zero_()
        self._batches = 0
        if self.n_learners > 1 and (grew or epoch % self.recluster_every == 0):
            unit = torch.nn.functional.normalize(z, dim=1).numpy().astype(np.float64)
            self._recluster(unit, epoch)
