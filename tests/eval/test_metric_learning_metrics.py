"""Retrieval by class (Recall@k, MAP@R), uniformity, alignment, effective rank."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embedlab.eval.metrics import alignment, class_retrieval_metrics, effective_rank, uniformity
from embedlab.exceptions import InvalidInputError


def _brute(q, yq, g, yg, ks, loo):
    recall = {k: [] for k in ks}
    aps = []
    for i in range(len(q)):
        d = ((g - q[i]) ** 2).sum(axis=1)
        order = [j for j in np.argsort(d, kind="stable") if not (loo and j == i)]
        rel = [yg[j] == yq[i] for j in order]
        r = sum(rel)
        if r == 0:
            continue
        for k in ks:
            recall[k].append(any(rel[:k]))
        hits, ap = 0, 0.0
        for pos in range(r):
            if rel[pos]:
                hits += 1
                ap += hits / (pos + 1)
        aps.append(ap / r)
    out = {f"recall@{k}": float(np.mean(v)) for k, v in recall.items()}
    out["map@r"] = float(np.mean(aps))
    return out


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(4, 40), classes=st.integers(2, 5))
def test_leave_one_out_metrics_equal_a_brute_force_loop(seed, n, classes):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = rng.integers(0, classes, n)
    if np.bincount(y).max() < 2:
        return
    got = class_retrieval_metrics(x, y, k=(1, 2, 5), block_size=7)
    want = _brute(x, y, x, y, (1, 2, 5), loo=True)
    assert got == pytest.approx(want, abs=1e-12)


def test_query_gallery_metrics_equal_a_brute_force_loop():
    rng = np.random.default_rng(1)
    q, g = rng.normal(size=(15, 4)), rng.normal(size=(30, 4))
    yq, yg = rng.integers(0, 3, 15), rng.integers(0, 3, 30)
    got = class_retrieval_metrics(q, yq, k=(1, 4), gallery=g, gallery_labels=yg)
    assert got == pytest.approx(_brute(q, yq, g, yg, (1, 4), loo=False), abs=1e-12)


def test_agrees_with_pytorch_metric_learning(monkeypatch):
    import sys
    import types

    # pml's inference module imports faiss.contrib.torch_utils, which patches faiss.Index.search
    # for the whole process (and breaks FAISS's `params=`); a stub keeps faiss as it is
    monkeypatch.setitem(
        sys.modules, "faiss.contrib.torch_utils", types.ModuleType("faiss.contrib.torch_utils")
    )
    import torch
    from pytorch_metric_learning.distances import LpDistance
    from pytorch_metric_learning.utils.accuracy_calculator import AccuracyCalculator
    from pytorch_metric_learning.utils.inference import CustomKNN

    rng = np.random.default_rng(2)
    y = np.repeat(np.arange(4), 12)
    x = rng.normal(size=(48, 6)) + y[:, None] * 0.4
    calc = AccuracyCalculator(
        include=("precision_at_1", "mean_average_precision_at_r"),
        k="max_bin_count",
        knn_func=CustomKNN(LpDistance(normalize_embeddings=False)),
    )
    t = torch.from_numpy(x.astype(np.float32))
    ref = calc.get_accuracy(t, torch.from_numpy(y), t, torch.from_numpy(y), ref_includes_query=True)
    ours = class_retrieval_metrics(x.astype(np.float32), y)
    assert ours["recall@1"] == pytest.approx(ref["precision_at_1"], abs=1e-6)
    assert ours["map@r"] == pytest.approx(ref["mean_average_precision_at_r"], abs=1e-6)


def test_cosine_metric_normalises_rows_and_queries_without_class_mates_are_skipped():
    x = np.array([[1.0, 0.0], [10.0, 1.0], [0.0, 1.0], [0.1, 5.0], [-1.0, -1.0]])
    y = np.array([0, 0, 1, 1, 2])
    # row 1 is far from row 0 in Euclidean terms but at a small angle
    assert class_retrieval_metrics(x, y, metric="cosine") == {"recall@1": 1.0, "map@r": 1.0}


def test_uniformity_and_alignment_are_the_formulas():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(9, 4))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    pairs = [(i, j) for i in range(9) for j in range(i + 1, 9)]
    want = np.log(np.mean([np.exp(-2 * ((x[i] - x[j]) ** 2).sum()) for i, j in pairs]))
    assert uniformity(x) == pytest.approx(want, rel=1e-12)
    y = rng.normal(size=(9, 4))
    assert alignment(x, y) == pytest.approx(np.mean(((x - y) ** 2).sum(axis=1)), rel=1e-12)
    assert alignment(x, y, alpha=1.0) == pytest.approx(np.mean(np.linalg.norm(x - y, axis=1)))


def test_effective_rank_closed_forms():
    rng = np.random.default_rng(4)
    u, _ = np.linalg.qr(rng.normal(size=(20, 5)))
    v, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    s = np.array([4.0, 2.0, 1.0, 1.0, 0.0])
    p = s[:4] / s.sum()
    assert effective_rank(u @ np.diag(s) @ v.T) == pytest.approx(np.exp(-(p * np.log(p)).sum()))
    assert effective_rank(u @ v.T) == pytest.approx(5.0)


def test_errors_are_pinned():
    x = np.zeros((3, 2))
    with pytest.raises(
        InvalidInputError, match=r"^'labels' must hold one label per row \(3\); got shape \(2,\)\.$"
    ):
        class_retrieval_metrics(x, [0, 1])
    with pytest.raises(
        InvalidInputError, match=r"^No query has an item of its class in the gallery\.$"
    ):
        class_retrieval_metrics(x, [0, 1, 2])
    with pytest.raises(
        InvalidInputError, match=r"^'k' must be a non-empty sequence of ints >= 1; got \(0,\)\.$"
    ):
        class_retrieval_metrics(x, [0, 0, 1], k=(0,))
    with pytest.raises(
        InvalidInputError, match=r"^'metric' must be 'euclidean' or 'cosine'; got 'l1'\.$"
    ):
        class_retrieval_metrics(x, [0, 0, 1], metric="l1")
    with pytest.raises(InvalidInputError, match=r"^'gallery' needs 'gallery_labels'\.$"):
        class_retrieval_metrics(x, [0, 0, 1], gallery=x)
    with pytest.raises(InvalidInputError, match=r"^'embeddings' holds NaN or infinite values\.$"):
        class_retrieval_metrics(np.full((3, 2), np.nan), [0, 0, 1])
    with pytest.raises(InvalidInputError, match=r"^'embeddings' needs at least two rows\.$"):
        uniformity(np.zeros((1, 3)))
    with pytest.raises(
        InvalidInputError, match=r"^'x' and 'y' must have one shape; got \(3, 2\) and \(2, 2\)\.$"
    ):
        alignment(x, np.zeros((2, 2)))
    with pytest.raises(
        InvalidInputError, match=r"^'embeddings' is all zeros: its effective rank is undefined\.$"
    ):
        effective_rank(x)


def test_more_errors_are_pinned():
    x = np.zeros((3, 2))
    with pytest.raises(
        InvalidInputError, match=r"^'k' must be a non-empty sequence of ints >= 1; got 5\.$"
    ):
        class_retrieval_metrics(x, [0, 0, 1], k=5)
    with pytest.raises(
        InvalidInputError, match=r"^'k' must be a non-empty sequence of ints >= 1; got \(1\.7,\)\.$"
    ):
        class_retrieval_metrics(x, [0, 0, 1], k=(1.7,))
    with pytest.raises(InvalidInputError, match=r"^'block_size' must be an int >= 1; got -1\.$"):
        class_retrieval_metrics(x, [0, 0, 1], block_size=-1)
    with pytest.raises(InvalidInputError, match=r"^'gallery_labels' needs 'gallery'\.$"):
        class_retrieval_metrics(x, [0, 0, 1], gallery_labels=[0])
    with pytest.raises(InvalidInputError, match=r"^'gallery' has 3 columns; the queries have 2\.$"):
        class_retrieval_metrics(x, [0, 0, 1], gallery=np.zeros((2, 3)), gallery_labels=[0, 1])
    with pytest.raises(
        InvalidInputError, match=r"^'embeddings' must be a non-empty 2-D array; got shape \(3,\)\.$"
    ):
        class_retrieval_metrics(np.zeros(3), [0, 0, 1])
    with pytest.raises(InvalidInputError, match=r"^'t' must be a number > 0; got 0\.$"):
        uniformity(x, t=0)
    with pytest.raises(InvalidInputError, match=r"^'alpha' must be a number > 0; got -2\.$"):
        alignment(x, x, alpha=-2)


def test_distance_ties_go_to_the_earlier_gallery_row():
    # query 0 has two gallery rows at the same distance: row 1 (another class) comes first
    x = np.array([[0.0, 0.0], [1.0, 0.0], [-1.0, 0.0], [5.0, 5.0]])
    y = np.array([0, 1, 0, 1])
    got = class_retrieval_metrics(x, y, k=(1, 2))
    assert got == pytest.approx(_brute(x, y, x, y, (1, 2), loo=True))
    swapped = class_retrieval_metrics(x[[0, 2, 1, 3]], y[[0, 2, 1, 3]], k=(1,))
    assert got["recall@1"] == 0.5 and swapped["recall@1"] == 0.75


def test_the_losses_leave_faiss_unpatched():
    import subprocess
    import sys

    code = (
        "import sys, torch\n"
        "from embedlab.losses import EBVLoss, HarmonicTripletLoss, TripletLoss\n"
        "e = torch.randn(8, 4, generator=torch.Generator().manual_seed(0))\n"
        "TripletLoss()(e, torch.arange(8) % 2)\n"
        "print('faiss.contrib.torch_utils' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
