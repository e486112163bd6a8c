"""FaceNet's triplet loss and mining against brute-force transcriptions."""

import numpy as np
import pytest
import torch

from embedlab.exceptions import InvalidInputError
from embedlab.losses import HarmonicTripletLoss, TripletLoss, mine_triplets, squared_distances


def _batch(seed=0, n=18, d=5, classes=3):
    g = torch.Generator().manual_seed(seed)
    emb = torch.randn(n, d, generator=g, dtype=torch.float64)
    labels = torch.arange(n) % classes
    return emb, labels


def _dist(emb):
    z = emb / emb.norm(dim=1, keepdim=True)
    return ((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)


def _brute(d, labels, rule):
    out = []
    n = len(labels)
    for a in range(n):
        for p in range(n):
            if a == p or labels[a] != labels[p]:
                continue
            negs = [k for k in range(n) if labels[k] != labels[a]]
            if not negs:
                continue
            if rule == "hardest":
                out.append((a, p, min(negs, key=lambda k: (d[a, k], k))))
            else:
                outside = [k for k in negs if d[a, k] > d[a, p]]
                if outside:
                    out.append((a, p, min(outside, key=lambda k: (d[a, k], k))))
                else:
                    out.append((a, p, min(negs, key=lambda k: (-d[a, k], k))))
    return out


def test_squared_distances_are_those_of_the_normalised_rows():
    emb, _ = _batch()
    np.testing.assert_allclose(squared_distances(emb).numpy(), _dist(emb).numpy(), atol=1e-12)


@pytest.mark.parametrize("rule", ["semihard", "hardest"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mining_equals_a_brute_force_selection(rule, seed):
    emb, labels = _batch(seed)
    d = _dist(emb)
    a, p, n = mine_triplets(d, labels, mining=rule)
    got = list(zip(a.tolist(), p.tolist(), n.tolist(), strict=True))
    assert got == _brute(d.numpy(), labels.tolist(), rule)


def test_semihard_falls_back_to_the_farthest_negative():
    # anchor 0 and positive 1 far apart, both negatives closer than the positive
    emb = torch.tensor([[1.0, 0.0], [-1.0, 0.01], [1.0, 0.2], [1.0, 0.5]], dtype=torch.float64)
    labels = torch.tensor([0, 0, 1, 1])
    a, p, n = mine_triplets(_dist(emb), labels, mining="semihard")
    first = (a == 0) & (p == 1)
    assert n[first].tolist() == [3]


def test_random_negatives_are_negatives_and_seeded():
    emb, labels = _batch(3)
    d = _dist(emb)
    a, _, n = mine_triplets(d, labels, mining="random", seed=5)
    assert bool((labels[a] != labels[n]).all())
    assert torch.equal(n, mine_triplets(d, labels, mining="random", seed=5)[2])
    assert not torch.equal(n, mine_triplets(d, labels, mining="random", seed=6)[2])
    # every negative of a pair is drawn: over many seeds all of anchor 0's negatives appear
    seen = {int(mine_triplets(d, labels, mining="random", seed=s)[2][0]) for s in range(200)}
    assert seen == {k for k in range(len(labels)) if labels[k] != labels[0]}


def test_no_pair_or_no_negative_gives_no_triplet_and_a_zero_loss():
    g = torch.Generator().manual_seed(0)
    emb = torch.randn(4, 3, generator=g, dtype=torch.float64, requires_grad=True)
    for labels in (torch.tensor([0, 1, 2, 3]), torch.tensor([0, 0, 0, 0])):
        a, _, _ = mine_triplets(_dist(emb), labels)
        assert len(a) == 0
        value = TripletLoss()(emb, labels)
        assert float(value.detach()) == 0.0
        value.backward()


@pytest.mark.parametrize("mining", ["semihard", "hardest", "random"])
def test_loss_value_and_gradient_equal_the_equation(mining):
    emb, labels = _batch(4)
    emb.requires_grad_(True)
    loss = TripletLoss(margin=0.3, mining=mining, random_state=2)
    a, p, n = loss.triplets(emb, labels)
    got = loss(emb, labels)
    got.backward()
    e2 = emb.detach().clone().requires_grad_(True)
    d = _dist(e2)
    want = torch.relu(d[a, p] - d[a, n] + 0.3).mean()
    want.backward()
    assert float(got.detach()) == pytest.approx(float(want.detach()), rel=1e-10)
    np.testing.assert_allclose(emb.grad.numpy(), e2.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_random_mining_draws_new_negatives_each_call():
    emb, labels = _batch(5)
    loss = TripletLoss(mining="random")
    first = loss.triplets(emb, labels)[2]
    loss(emb, labels)
    assert not torch.equal(first, loss.triplets(emb, labels)[2])


def test_harmonic_mines_over_both_versions_but_never_only_the_old_one():
    new, labels = _batch(6, n=12)
    old, _ = _batch(7, n=12)
    b = len(new)
    joint = torch.cat([new, old])
    frozen = torch.arange(2 * b) >= b
    a, p, n = mine_triplets(_dist(joint), torch.cat([labels, labels]), frozen=frozen)
    assert not bool((frozen[a] & frozen[p] & frozen[n]).any())
    assert bool((frozen[a] | frozen[p] | frozen[n]).any())  # cross-version triplets exist
    # the same brute-force rule, negatives of old-old pairs restricted to the new rows
    d = _dist(joint).numpy()
    jl = torch.cat([labels, labels]).tolist()
    want = []
    for aa in range(2 * b):
        for pp in range(2 * b):
            if aa == pp or jl[aa] != jl[pp]:
                continue
            negs = [k for k in range(2 * b) if jl[k] != jl[aa]]
            if aa >= b and pp >= b:
                negs = [k for k in negs if k < b]
            outside = [k for k in negs if d[aa, k] > d[aa, pp]]
            if outside:
                want.append((aa, pp, min(outside, key=lambda k: (d[aa, k], k))))
            else:
                want.append((aa, pp, min(negs, key=lambda k: (-d[aa, k], k))))
    assert list(zip(a.tolist(), p.tolist(), n.tolist(), strict=True)) == want


def test_harmonic_loss_is_the_equation_and_leaves_the_reference_alone():
    new, labels = _batch(8, n=12)
    old, _ = _batch(9, n=12)
    new.requires_grad_(True)
    old.requires_grad_(True)
    got = HarmonicTripletLoss()(new, labels, reference=old)
    got.backward()
    assert old.grad is None
    b = len(new)
    e2 = new.detach().clone().requires_grad_(True)
    joint = torch.cat([e2, old.detach()])
    d = _dist(joint)
    a, p, n = mine_triplets(d, torch.cat([labels, labels]), frozen=torch.arange(2 * b) >= b)
    want = torch.relu(d[a, p] - d[a, n] + 0.2).mean()
    want.backward()
    assert float(got.detach()) == pytest.approx(float(want.detach()), rel=1e-10)
    np.testing.assert_allclose(new.grad.numpy(), e2.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_errors_are_pinned():
    emb, labels = _batch()
    with pytest.raises(
        InvalidInputError,
        match=r"^'mining' must be one of \['semihard', 'hardest', 'random'\]; got 'easy'\.$",
    ):
        TripletLoss(mining="easy")
    with pytest.raises(InvalidInputError, match=r"^'margin' must be a number > 0; got 0\.$"):
        TripletLoss(margin=0)
    with pytest.raises(
        InvalidInputError,
        match=r"^HarmonicTripletLoss needs 'reference': the frozen model's embeddings of the same batch\.$",
    ):
        HarmonicTripletLoss()(emb, labels)
    with pytest.raises(InvalidInputError, match=r"^TripletLoss takes no 'reference' embeddings\.$"):
        TripletLoss()(emb, labels, reference=emb)
    with pytest.raises(
        InvalidInputError, match=r"^'labels' must be an int tensor of shape \(18,\); got \(17,\)\.$"
    ):
        TripletLoss()(emb, labels[:-1])
    with pytest.raises(
        InvalidInputError, match=r"^'embeddings' must be a 2-D float tensor; got \(18,\)\.$"
    ):
        TripletLoss()(emb[:, 0], labels)
    with pytest.raises(
        InvalidInputError,
        match=r"^'reference' must be a tensor of the embeddings' shape \(18, 5\); got \(18, 4\)\.$",
    ):
        HarmonicTripletLoss()(emb, labels, reference=emb[:, :4])


def test_batch_errors_are_pinned():
    emb, labels = _batch()
    with pytest.raises(
        InvalidInputError, match=r"^'labels' must be an int tensor; got torch\.float32\.$"
    ):
        TripletLoss()(emb, labels.to(torch.float32))
    with pytest.raises(
        InvalidInputError, match=r"^'embeddings' must be a 2-D float tensor; got a ndarray\.$"
    ):
        TripletLoss()(emb.numpy(), labels)
    with pytest.raises(
        InvalidInputError, match=r"^'embeddings' must be floating point; got torch\.int64\.$"
    ):
        TripletLoss()(emb.long(), labels)


def test_ties_go_to_the_lowest_batch_index():
    # rows 2 and 3 (class 1) and rows 4 and 5 (class 2) are duplicates: equal distances
    emb = torch.tensor(
        [[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.0, 1.0], [-1.0, 0.2], [-1.0, 0.2]],
        dtype=torch.float64,
    )
    labels = torch.tensor([0, 0, 1, 1, 2, 2])
    d = _dist(emb)
    for rule in ("semihard", "hardest"):
        a, p, n = mine_triplets(d, labels, mining=rule)
        got = list(zip(a.tolist(), p.tolist(), n.tolist(), strict=True))
        assert got == _brute(d.numpy(), labels.tolist(), rule)
        assert all(k not in (3, 5) for k in n.tolist())  # the later duplicate is never chosen


def test_random_mining_streams_differ_between_seeds_and_calls():
    emb, labels = _batch(10)
    draws = {}
    for state in (0, 1):
        loss = TripletLoss(mining="random", random_state=state)
        for call in range(2):
            draws[(state, call)] = loss.triplets(emb, labels)[2].tolist()
            loss(emb, labels)
    # the second batch of seed 0 is not the first batch of seed 1
    assert draws[(0, 1)] != draws[(1, 0)]
    assert len({tuple(v) for v in draws.values()}) == 4


def test_mine_triplets_checks_its_inputs():
    emb, labels = _batch()
    d = _dist(emb)
    with pytest.raises(
        InvalidInputError, match=r"^'distances' must be a \[18, 18\] tensor; got \(18, 17\)\.$"
    ):
        mine_triplets(d[:, :-1], labels)
    with pytest.raises(InvalidInputError, match=r"^'labels' must be a 1-D int tensor\.$"):
        mine_triplets(d, labels.to(torch.float64))
    with pytest.raises(
        InvalidInputError, match=r"^'frozen' must be a bool tensor of shape \(18,\)\.$"
    ):
        mine_triplets(d, labels, frozen=torch.zeros(18, dtype=torch.int64))
