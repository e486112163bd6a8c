"""ADSL: the sampler, the margin loss, the learners, the Taylor split and the growth schedule."""

import numpy as np
import pytest
import torch

from embedlab.exceptions import InvalidInputError
from embedlab.losses import ADSLLoss, attention_mlp, margin_triplets, taylor_split, train_encoder


def _batch(seed=0, n=12, d=6):
    g = torch.Generator().manual_seed(seed)
    emb = torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True)
    labels = torch.tensor([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3][:n])
    return emb, labels


def _dist(z):
    u = z / z.norm(dim=1, keepdim=True)
    return (u[:, None, :] - u[None, :, :]).norm(dim=-1)


def _brute_triplets(d, labels, cutoff):
    out = []
    n = len(labels)
    for a in range(n):
        positives = [p for p in range(n) if p != a and labels[p] == labels[a]]
        far = sorted(
            (k for k in range(n) if labels[k] != labels[a] and d[a, k] >= cutoff),
            key=lambda k: (d[a, k], k),
        )
        out += [(a, p, far[i]) for i, p in enumerate(positives) if i < len(far)]
    return out


@pytest.mark.parametrize("cutoff", [0.0, 0.5, 1.3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sampler_equals_a_brute_force_selection(seed, cutoff):
    emb, labels = _batch(seed)
    d = _dist(emb.detach())
    a, p, n = margin_triplets(d, labels, cutoff=cutoff)
    got = list(zip(a.tolist(), p.tolist(), n.tolist(), strict=True))
    assert got == _brute_triplets(d.numpy(), labels.tolist(), cutoff)


def _margin_transcription(z, labels, cutoff=0.5, beta=1.2, margin=0.2):
    d = _dist(z)
    terms = []
    for a, p, n in _brute_triplets(d.detach().numpy(), labels.tolist(), cutoff):
        terms += [torch.relu(d[a, p] - beta + margin), torch.relu(beta - d[a, n] + margin)]
    nonzero = sum(1 for t in terms if t.detach().item() > 0)
    return sum(terms) / nonzero


def test_one_learner_is_the_margin_loss_of_wu_et_al():
    emb, labels = _batch(3)
    got = ADSLLoss(embedding_dim=6)(emb, labels)
    want = _margin_transcription(emb, labels)
    # pml keeps beta as a float32 parameter: 1.2 to 8 digits
    assert got.item() == pytest.approx(want.item(), rel=1e-7)
    (g1,) = torch.autograd.grad(got, emb)
    (g2,) = torch.autograd.grad(want, emb)
    np.testing.assert_allclose(g1.numpy(), g2.numpy(), rtol=1e-6, atol=1e-9)


def test_each_cluster_trains_its_own_learner_weighted_by_its_rows():
    emb, labels = _batch(4)
    loss = ADSLLoss(embedding_dim=6, n_learners=2, dynamic=False)
    assert loss.learners == [[0, 1, 2], [3, 4, 5]]
    u = (emb / emb.norm(dim=1, keepdim=True)).detach()
    loss.centroids = torch.stack([u[:6].mean(0), u[6:].mean(0)])
    assign = loss.clusters(emb)
    got = loss(emb, labels)
    want = 0.0
    for c, dims in enumerate(loss.learners):
        rows = torch.nonzero(assign == c).flatten()
        if len(rows) > 1:
            want = want + _margin_transcription(emb[rows][:, dims], labels[rows]) * len(rows) / 12
    assert got.item() == pytest.approx(want.item(), rel=1e-7)


def test_transform_normalises_each_learner():
    loss = ADSLLoss(embedding_dim=5, n_learners=2, dynamic=False)
    z = np.arange(1.0, 11.0).reshape(2, 5)
    out = loss.transform(z)
    np.testing.assert_allclose(np.linalg.norm(out[:, :3], axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(out[:, 3:], axis=1), 1.0)
    np.testing.assert_allclose(out[0, :3], z[0, :3] / np.linalg.norm(z[0, :3]))
    loss.finetuning = True
    np.testing.assert_allclose(np.linalg.norm(loss.transform(z), axis=1), 1.0)


def test_taylor_split_normalises_then_min_max_scales():
    # |s| / ||s|| then (x - min) / (max - min): [0, 1/3, 2/3, 1] for 1, 2, 3, 4
    assert taylor_split([1.0, -2.0, 3.0, 4.0]).tolist() == [False, False, True, True]
    assert taylor_split([1.0, 2.0, 3.0, 4.0], threshold=0.3).tolist() == [False, True, True, True]
    assert taylor_split([2.0, 2.0]).tolist() == [True, True]


def test_a_split_keeps_the_important_dimensions_and_resets_the_others():
    enc = attention_mlp(5, 8, 8, random_state=0)
    loss = ADSLLoss(embedding_dim=8, min_learner=2, random_state=1)
    loss._taylor = torch.tensor([5.0, 0.1, 4.0, 0.2, 6.0, 0.0, 0.3, 5.5], dtype=torch.float64)
    loss._batches = 1
    before = enc[-1].weight.detach().clone()
    with torch.no_grad():
        enc[-1].bias.fill_(1.0)
    assert loss._split(enc, epoch=7)
    assert loss.learners == [[0, 2, 4, 7], [1, 3, 5, 6]]
    assert loss.splits == [(7, 2)]
    after = enc[-1].weight.detach()
    torch.testing.assert_close(after[[0, 2, 4, 7]], before[[0, 2, 4, 7]])
    assert not torch.equal(after[[1, 3, 5, 6]], before[[1, 3, 5, 6]])
    assert enc[-1].bias[[1, 3, 5, 6]].tolist() == [0.0] * 4
    assert enc[-1].bias[[0, 2, 4, 7]].tolist() == [1.0] * 4
    # too few dimensions on one side: no split
    small = ADSLLoss(embedding_dim=8, min_learner=5)
    small._taylor, small._batches = loss._taylor.clone(), 1
    assert not small._split(enc, epoch=7) and small.learners == [list(range(8))]


def test_taylor_scores_are_activation_times_gradient():
    emb, labels = _batch(5)
    loss = ADSLLoss(embedding_dim=6)
    value = loss(emb, labels)
    value.backward()
    want = (emb.detach() * emb.grad).mean(dim=0)
    torch.testing.assert_close(loss._taylor, want)
    assert loss._batches == 1


def _planted(seed=0, n_classes=6, per=20, dim=10):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(n_classes), per)
    x = rng.normal(0, 1.0, (len(y), dim)) + 3.0 * rng.normal(size=(n_classes, dim))[y]
    return x.astype(np.float32), y


def test_training_grows_learners_on_plateaus_and_finetunes_at_the_end():
    x, y = _planted()
    runs = []
    for _ in range(2):
        enc = attention_mlp(10, 32, 16, random_state=0)
        loss = ADSLLoss(embedding_dim=16, patience=1, min_learner=2, finetune_epoch=25)
        train_encoder(enc, loss, x, y, epochs=30, batch_size=60, lr=1e-2)
        runs.append((loss.splits, [list(map(int, d)) for d in loss.learners]))
        assert loss.n_learners >= 2 and loss.finetuning
        assert sorted(d for dims in loss.learners for d in dims) == list(range(16))
        assert all(e < 25 for e, _ in loss.splits)
        assert [k for _, k in loss.splits] == list(range(2, loss.n_learners + 1))
    assert runs[0] == runs[1]


def test_fixed_learners_never_grow_and_recluster_on_schedule(monkeypatch):
    x, y = _planted(1)
    enc = attention_mlp(10, 32, 16, random_state=0)
    loss = ADSLLoss(embedding_dim=16, n_learners=4, dynamic=False, recluster_every=2)
    seen = []
    original = ADSLLoss._recluster

    def spy(self, z, epoch):
        seen.append(epoch)
        original(self, z, epoch)

    monkeypatch.setattr(ADSLLoss, "_recluster", spy)
    train_encoder(enc, loss, x, y, epochs=7, batch_size=60, lr=1e-2)
    assert seen == [0, 2, 4, 6]
    assert loss.n_learners == 4 and loss.splits == []
    assert loss.centroids.shape == (4, 16)


def test_the_split_is_even_when_the_width_does_not_divide():
    assert ADSLLoss(embedding_dim=10, n_learners=4, dynamic=False).learners == [
        [0, 1, 2],
        [3, 4, 5],
        [6, 7],
        [8, 9],
    ]
    assert [len(d) for d in ADSLLoss(embedding_dim=6, n_learners=4).learners] == [2, 2, 1, 1]


def test_reclustering_keeps_each_learner_on_its_cluster():
    rng = np.random.default_rng(0)
    centres = np.eye(4)[:3] * 5
    loss = ADSLLoss(embedding_dim=4, n_learners=3, dynamic=False)
    # the previous clustering, in an order k-means would not produce by itself
    loss.centroids = torch.from_numpy(centres[[2, 0, 1]])
    z = np.vstack([c + rng.normal(0, 0.1, (30, 4)) for c in centres])
    loss._recluster(z, epoch=5)
    np.testing.assert_allclose(loss.centroids.numpy(), centres[[2, 0, 1]], atol=0.1)
    # one more learner: the old clusters keep their indices, the new one comes last
    grown = ADSLLoss(embedding_dim=4, n_learners=4, dynamic=False)
    grown.centroids = torch.from_numpy(centres[[2, 0, 1]])
    extra = np.vstack([z, np.array([0, 0, 0, 5.0]) + rng.normal(0, 0.1, (30, 4))])
    grown._recluster(extra, epoch=5)
    np.testing.assert_allclose(grown.centroids.numpy()[:3], centres[[2, 0, 1]], atol=0.1)
    np.testing.assert_allclose(grown.centroids.numpy()[3], [0, 0, 0, 5.0], atol=0.1)


def test_a_split_needs_a_last_linear_layer_of_the_embedding_width():
    loss = ADSLLoss(embedding_dim=8, min_learner=2)
    loss._taylor = torch.tensor([5.0, 0.1, 4.0, 0.2, 6.0, 0.0, 0.3, 5.5], dtype=torch.float64)
    loss._batches = 1
    with pytest.raises(InvalidInputError, match="re-initialises the new learner's rows"):
        loss._split(torch.nn.Sequential(torch.nn.Linear(8, 4)), epoch=1)
    assert loss.learners == [list(range(8))]


def test_a_forward_without_backward_records_no_taylor_batch():
    emb, labels = _batch(6)
    loss = ADSLLoss(embedding_dim=6)
    loss(emb, labels)
    assert loss._batches == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_learners": 9}, "'n_learners' \\(9\\) must be <= 'embedding_dim' \\(8\\)."),
        ({"threshold": 1.0}, "'threshold' must be in \\[0, 1\\); got 1.0."),
        ({"patience": 0}, "'patience' must be an int >= 1; got 0."),
    ],
)
def test_bad_parameters_are_one_line_errors(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        ADSLLoss(embedding_dim=8, **kwargs)


def test_a_batch_of_the_wrong_width_is_refused():
    with pytest.raises(InvalidInputError, match="The embeddings have 5 dimensions; the loss was"):
        ADSLLoss(embedding_dim=8)(torch.randn(4, 5), torch.tensor([0, 0, 1, 1]))


def test_the_monitored_recall_equals_the_evaluator_s():
    from embedlab.eval.metrics import class_retrieval_metrics
    from embedlab.losses.adsl import _recall_at_1

    rng = np.random.default_rng(0)
    z = rng.normal(size=(300, 5))
    y = rng.integers(0, 4, 300)
    want = class_retrieval_metrics(z, y, metric="euclidean")["recall@1"]
    assert _recall_at_1(torch.from_numpy(z), torch.from_numpy(y), block=64) == pytest.approx(want)


def test_the_nmi_monitor_scores_the_training_clusters():
    x, y = _planted(2)
    loss = ADSLLoss(embedding_dim=10)
    z, labels = torch.from_numpy(x), torch.from_numpy(y)
    assert loss.quality(z, labels, epoch=1) == pytest.approx(1.0)
    shuffled = torch.from_numpy(np.random.default_rng(0).permutation(y))
    assert loss.quality(z, shuffled, epoch=1) < 0.2
    recall = ADSLLoss(embedding_dim=10, monitor="recall@1")
    assert recall.quality(z, labels, epoch=1) > 0.95 > recall.quality(z, shuffled, epoch=1)
    with pytest.raises(InvalidInputError, match="'monitor' must be one of \\['nmi', 'recall@1'\\]"):
        ADSLLoss(embedding_dim=10, monitor="loss")
