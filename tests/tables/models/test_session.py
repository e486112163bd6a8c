"""Session models (M2TRec, SASRec), their training and the tie-aware next-item evaluation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from embedlab.datasets import SessionData, synthetic_sessions
from embedlab.exceptions import InvalidInputError
from embedlab.tables.models.session import (
    M2TRec,
    SASRec,
    evaluate_next_item,
    expected_rank_metrics,
    pad_sequences,
    popularity_scores,
    train_session_model,
)
from embedlab.testing import check_session_model
from embedlab.testing._session_checks import (
    SESSION_CATALOG,
    check_session_causality,
    check_session_determinism,
    check_session_gradients,
    check_session_scores,
    check_session_state_dict,
)

GENRES, YEARS = SESSION_CATALOG["item_genres"], SESSION_CATALOG["item_year"]
F = torch.nn.functional


@pytest.fixture(autouse=True, scope="module")
def one_thread(one_torch_thread):
    """Every test here on one torch thread (see conftest)."""


def small_m2trec(**kw) -> M2TRec:
    args = {"d_attr": 4, "d_model": 8, "n_layers": 2, "n_heads": 2, "max_length": 6} | kw
    return M2TRec(4, 3, **args).set_catalog(GENRES, YEARS)


def small_sasrec(**kw) -> SASRec:
    return SASRec(12, **({"d_model": 8, "n_layers": 2, "n_heads": 2, "max_length": 6} | kw))


def tiny_data(sequences, n_items=6) -> SessionData:
    genres = np.zeros((n_items, 2), dtype=bool)
    genres[np.arange(n_items), np.arange(n_items) % 2] = True
    return SessionData(
        name="tiny",
        sequences=tuple(np.array(s, dtype=np.int64) for s in sequences),
        item_genres=genres,
        item_year=np.zeros(n_items, dtype=np.int64),
        years=np.array([0]),
        item_ids=np.arange(n_items),
        user_ids=np.arange(len(sequences)),
        genre_names=("a", "b"),
    )


# ------------------------------------------------------------------ tie-aware ranking metrics
def brute_force(scores: np.ndarray, target: int, k: int) -> tuple[float, float, float]:
    """Average rank, hit and NDCG over every tie-breaking order (each order equally likely)."""
    n = len(scores)
    ranks = []
    for priority in itertools.permutations(range(n)):
        order = sorted(range(n), key=lambda i: (-scores[i], priority[i]))
        ranks.append(order.index(target))
    r = np.array(ranks, dtype=np.float64)
    ndcg = np.where(r < k, 1.0 / np.log2(r + 2), 0.0)
    return r.mean(), (r < k).mean(), ndcg.mean()


def test_expected_rank_metrics_equal_the_average_over_all_tie_breakings() -> None:
    rng = np.random.default_rng(0)
    rows, targets = [], []
    for _ in range(40):
        row = rng.integers(0, 3, 6).astype(np.float64)  # many ties
        row[rng.random(6) < 0.2] = -np.inf  # excluded items
        t = int(rng.integers(6))
        row[t] = float(rng.integers(0, 3))
        rows.append(row)
        targets.append(t)
    scores = np.array(rows)
    for k in (1, 2, 3, 5):
        rank, hit, ndcg = expected_rank_metrics(scores, np.array(targets), k=k)
        for b in range(len(rows)):
            want = brute_force(scores[b], targets[b], k)
            np.testing.assert_allclose([rank[b], hit[b], ndcg[b]], want, rtol=1e-12, atol=1e-12)


def test_ties_never_flatter() -> None:
    # the target ties with every other item: on average it is in the middle, not first
    rank, hit, ndcg = expected_rank_metrics(np.zeros((1, 100)), np.array([7]), k=20)
    assert rank[0] == 49.5 and hit[0] == pytest.approx(0.2)
    assert ndcg[0] == pytest.approx(sum(1 / math.log2(r + 2) for r in range(20)) / 100)
    # without ties: rank = items above, NDCG = 1 / log2(rank + 2)
    rank, hit, ndcg = expected_rank_metrics(np.array([[5.0, 4.0, 3.0, 2.0]]), np.array([2]), k=3)
    assert (rank[0], hit[0]) == (2.0, 1.0) and ndcg[0] == pytest.approx(0.5)
    _, hit, ndcg = expected_rank_metrics(np.array([[5.0, 4.0, 3.0, 2.0]]), np.array([2]), k=2)
    assert (hit[0], ndcg[0]) == (0.0, 0.0)


def test_metric_errors() -> None:
    s, t = np.zeros((2, 3)), np.array([0, 1])
    with pytest.raises(InvalidInputError, match=r"^'k' must be an int >= 1; got 0\.$"):
        expected_rank_metrics(s, t, k=0)
    with pytest.raises(InvalidInputError, match=r"^scores must be a 2-d float array"):
        expected_rank_metrics(np.zeros(3), t, k=1)
    with pytest.raises(InvalidInputError, match=r"^targets must be 2 int item indices"):
        expected_rank_metrics(s, np.array([0]), k=1)
    with pytest.raises(InvalidInputError, match=r"^targets must be item indices in \[0, 3\)"):
        expected_rank_metrics(s, np.array([0, 3]), k=1)
    with pytest.raises(InvalidInputError, match="^scores contain NaN"):
        expected_rank_metrics(np.array([[0.0, np.nan, 1.0], [0, 0, 0]]), t, k=1)
    with pytest.raises(InvalidInputError, match="^the target's score must be finite"):
        expected_rank_metrics(np.array([[-np.inf, 0, 1.0], [0, 0, 0]]), t, k=1)


# ------------------------------------------------------------------ evaluation protocol
def test_evaluation_excludes_the_history_but_never_the_target() -> None:
    # user 0: history [0, 1, 2], test target 3; user 1: history [4, 5, 4], target 4 (a repeat)
    data = tiny_data([[0, 1, 2, 3], [4, 5, 4, 4]])
    scores = np.array([10.0, 9.0, 8.0, 1.0, 2.0, 0.5], dtype=np.float32)

    def scorer(histories):
        assert [h.tolist() for h in histories] == [[0, 1, 2], [4, 5, 4]]
        return np.tile(scores, (len(histories), 1))

    res = evaluate_next_item(scorer, data, k=1)
    # user 0: 0, 1, 2 excluded, item 4 (2.0) above the target 3 (1.0): rank 1, a miss at k=1;
    # user 1: 4 is the target (kept though in the history), 5 excluded; 0, 1, 2 above: rank 3
    assert res["mean_rank"] == pytest.approx((1 + 3) / 2)
    assert res["recall@1"] == 0.0
    res = evaluate_next_item(scorer, data, k=2)
    assert res["recall@2"] == 0.5 and res["ndcg@2"] == pytest.approx(0.5 / math.log2(3))
    # the validation split: user 0's history [0, 1], target 2: only 0 and 1 excluded, rank 0
    val = evaluate_next_item(lambda h: np.tile(scores, (len(h), 1)), data, split="validation")
    assert val["n_cases"] == 2 and val["mean_rank"] == pytest.approx((0 + 3) / 2)


def test_popularity_and_rare_and_cold_cases() -> None:
    # training parts: [0, 0, 1], [0, 2, 2]; counts 3, 1, 2, 0, 0, 0
    data = tiny_data([[0, 0, 1, 5, 3], [0, 2, 2, 4, 1]])
    counts = data.train_counts()
    assert counts.tolist() == [3, 1, 2, 0, 0, 0]
    pop = popularity_scores(counts)
    assert pop.dtype == np.float32 and pop.tolist() == [3, 1, 2, 0, 0, 0]
    res = evaluate_next_item(pop, data, k=3, rare_max=1)
    # user 0: history {0, 1, 5}, target 3 ties with 4 at 0 below item 2: rank 1 + 1/2
    # user 1: history {0, 2, 4}, target 1 is the best left: rank 0
    assert res["mean_rank"] == pytest.approx(0.75)
    assert res["recall@3"] == 1.0 and res["n_rare"] == 2 and res["n_cold"] == 1
    want0 = (1 / math.log2(3) + 1 / math.log2(4)) / 2
    assert res["ndcg@3"] == pytest.approx((want0 + 1.0) / 2)
    assert res["cold_ndcg@3"] == pytest.approx(want0)
    assert evaluate_next_item(pop, data, rare_max=0)["n_rare"] == 1  # only the cold target
    assert math.isnan(evaluate_next_item(pop, tiny_data([[0, 1, 2, 0]]))["cold_recall@20"])
    with pytest.raises(InvalidInputError, match=r"^counts must be finite and >= 0"):
        popularity_scores([1, -1])
    with pytest.raises(InvalidInputError, match=r"^counts must be a non-empty 1-d array"):
        popularity_scores([[1, 2]])


def test_evaluation_errors() -> None:
    data = tiny_data([[0, 1, 2, 3], [4, 5, 4, 4]])
    pop = popularity_scores(data.train_counts())
    with pytest.raises(InvalidInputError, match="^split must be 'validation' or 'test'; got 'dev'"):
        evaluate_next_item(pop, data, split="dev")
    with pytest.raises(InvalidInputError, match=r"^'k' must be an int >= 1; got 0\."):
        evaluate_next_item(pop, data, k=0)
    with pytest.raises(InvalidInputError, match=r"^'rare_max' must be an int >= 0; got -1\."):
        evaluate_next_item(pop, data, rare_max=-1)
    with pytest.raises(InvalidInputError, match=r"^static scores must be one per item, shape"):
        evaluate_next_item(pop[:3], data)
    with pytest.raises(
        InvalidInputError, match=r"^the scorer must return scores of shape \(2, 6\)"
    ):
        evaluate_next_item(lambda h: np.zeros((2, 5)), data)
    with pytest.raises(InvalidInputError, match="^scorer must be a session model, a callable"):
        evaluate_next_item("popularity", data)
    with pytest.raises(InvalidInputError, match="^SASRec has 12 item embeddings but the data"):
        evaluate_next_item(small_sasrec(), data)


# ------------------------------------------------------------------ the models' maths
def test_m2trec_pools_the_running_mean_equal_to_each_prefix_alone(monkeypatch) -> None:
    net = small_m2trec().eval()
    batch = torch.tensor([[0, 3, 5, 7, 9, 11], [2, 4, 6, -1, -1, -1]])
    with torch.no_grad():
        z = net.prefix_representations(batch)
        for b, length in ((0, 6), (1, 3)):
            for t in range(length):
                alone = net.prefix_representations(batch[b : b + 1, : t + 1])[0, t]
                torch.testing.assert_close(z[b, t], alone, rtol=1e-5, atol=1e-6)
        monkeypatch.setattr(net, "_pool", lambda h, valid: h)
        h = net.prefix_representations(batch)
    for t in range(6):
        torch.testing.assert_close(z[0, t], h[0, : t + 1].mean(0), rtol=1e-5, atol=1e-6)
    for t in range(3):
        torch.testing.assert_close(z[1, t], h[1, : t + 1].mean(0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("build", [small_m2trec, small_sasrec], ids=["m2trec", "sasrec"])
def test_scores_after_a_prefix_ignore_later_items(build) -> None:
    net = build().eval()
    a = np.array([[0, 3, 5, 7, 9, 11]])
    b = np.array([[0, 3, 5, 1, 2, 4]])
    with torch.no_grad():
        sa, sb = net.prefix_scores(a)[0], net.prefix_scores(b)[0]
    torch.testing.assert_close(sa[:3], sb[:3], rtol=1e-5, atol=1e-6)
    assert not torch.allclose(sa[3], sb[3])
    torch.testing.assert_close(net.score(a[:, :3]).detach()[0], sa[2], rtol=1e-5, atol=1e-6)


def _reference_encoder(net, x):
    """The pre-norm causal encoder of one unpadded sequence ``x [L, d]``, written out."""
    d = x.shape[1]
    for blk in net.blocks:
        hq = F.layer_norm(x, (d,), blk.norm1.weight, blk.norm1.bias)
        q, k, v = (hq @ blk.qkv.weight.T + blk.qkv.bias).split(d, dim=1)
        dh = d // net.n_heads
        heads = []
        for hd in range(net.n_heads):
            sl = slice(hd * dh, (hd + 1) * dh)
            rows = []
            for t in range(x.shape[0]):
                w = torch.softmax(q[t, sl] @ k[: t + 1, sl].T / math.sqrt(dh), dim=0)
                rows.append(w @ v[: t + 1, sl])
            heads.append(torch.stack(rows))
        x = x + torch.cat(heads, dim=1) @ blk.out.weight.T + blk.out.bias
        h2 = F.layer_norm(x, (d,), blk.norm2.weight, blk.norm2.bias)
        x = x + F.relu(h2 @ blk.ff1.weight.T + blk.ff1.bias) @ blk.ff2.weight.T + blk.ff2.bias
    return F.layer_norm(x, (d,), net.norm.weight, net.norm.bias)


def test_sasrec_scores_are_the_last_output_dotted_with_the_item_table() -> None:
    net = small_sasrec(random_state=3).eval()
    seqs = [np.array([4, 1, 7, 7, 2]), np.array([9, 0])]
    with torch.no_grad():
        got = net.score(seqs)
        for b, s in enumerate(seqs):
            x = net.item_embedding[torch.from_numpy(s)] + net.positions[: len(s)]
            h = _reference_encoder(net, x)[-1]
            torch.testing.assert_close(got[b], h @ net.item_embedding.T, rtol=1e-5, atol=1e-5)


def test_m2trec_item_vectors_are_the_metadata_encoder_and_scores_go_through_it() -> None:
    net = small_m2trec(random_state=4).eval()
    g = torch.from_numpy(GENRES).float()
    genre = (g @ net.genre_embedding) / g.sum(1, keepdim=True).clamp(min=1)
    attrs = torch.cat([genre, net.year_embedding[torch.from_numpy(YEARS)]], 1)
    e = attrs @ net.item_encoder.weight.T + net.item_encoder.bias
    with torch.no_grad():
        torch.testing.assert_close(net.item_vectors(), e, rtol=1e-5, atol=1e-6)
        s = np.array([1, 8, 3])
        x = e[torch.from_numpy(s)] + net.positions[:3]
        z = _reference_encoder(net, x).mean(0)
        torch.testing.assert_close(net.score([s])[0], z @ e.T, rtol=1e-5, atol=1e-5)


def test_m2trec_multi_task_loss_is_the_written_out_sum() -> None:
    net = small_m2trec(category_weight=0.7, random_state=2).train()
    inputs = torch.tensor([[0, 3, 5, 7], [2, 4, -1, -1]])
    targets = torch.tensor([[3, 5, 7, -1], [4, 9, -1, -1]])
    z = net.prefix_representations(inputs)
    cases = [(0, 0, 3), (0, 1, 5), (0, 2, 7), (1, 0, 4), (1, 1, 9)]
    e = net.item_vectors()
    item = genre = year = 0.0
    for b, t, y in cases:
        logits = z[b, t] @ e.T
        item = item - torch.log_softmax(logits, 0)[y]
        p = torch.sigmoid(net.genre_head.weight @ z[b, t] + net.genre_head.bias)
        lab = torch.from_numpy(GENRES[y]).float()
        genre = genre - (lab * p.log() + (1 - lab) * (1 - p).log()).mean()
        year = (
            year
            - torch.log_softmax(net.year_head.weight @ z[b, t] + net.year_head.bias, 0)[
                int(YEARS[y])
            ]
        )
    want = item / 5 + 0.7 * (genre / 5 + year / 5)
    torch.testing.assert_close(net.loss(inputs, targets), want, rtol=1e-5, atol=1e-5)
    net0 = small_m2trec(category_weight=0.0, random_state=2)
    torch.testing.assert_close(net0.loss(inputs, targets), item / 5, rtol=1e-5, atol=1e-5)


def test_m2trec_embeds_an_item_it_never_saw_in_training() -> None:
    data = synthetic_sessions(n_users=300, n_items=120, random_state=5)
    net = M2TRec(data.n_genres, data.n_years, d_attr=8, d_model=16, n_layers=1, max_length=20)
    train_session_model(net, data, epochs=6, eval_every=6, lr=5e-3, random_state=0)
    # a new item, 120, with the metadata of a popular item of genre 0
    counts = data.train_counts()
    twin = int(np.argmax(np.where(data.item_genres[:, 0], counts, -1)))
    genres = np.vstack([data.item_genres, data.item_genres[twin]])
    years = np.append(data.item_year, data.item_year[twin])
    net.set_catalog(genres, years)
    sessions = [s[:-1] for s in data.sequences if data.item_genres[s, 0].mean() > 0.6]
    with torch.no_grad():
        scores = net.score(sessions).numpy()
    assert scores.shape == (len(sessions), 121) and len(sessions) >= 10
    np.testing.assert_array_equal(scores[:, 120], scores[:, twin])  # identical metadata
    rank, _, _ = expected_rank_metrics(scores, np.full(len(sessions), 120), k=20)
    assert np.median(rank) < 121 / 4  # ranked among the top quarter for genre-0 sessions
    # SASRec has no row for it: an ID model cannot even score it
    with pytest.raises(InvalidInputError, match=r"^sequences must hold item indices in \[0, 120\)"):
        SASRec(120, d_model=8, n_layers=1).score([np.array([120])])


# ------------------------------------------------------------------ training
def test_training_is_deterministic_and_leaves_the_global_rng_alone() -> None:
    data = synthetic_sessions(n_users=60, n_items=40, max_length=15, random_state=1)

    def run(seed):
        net = M2TRec(data.n_genres, data.n_years, d_attr=4, d_model=8, n_layers=1,
                     max_length=10, dropout=0.2, random_state=seed)  # fmt: skip
        train_session_model(net, data, epochs=3, batch_size=16, eval_every=2, random_state=seed)
        return {k: v.numpy().tobytes() for k, v in net.state_dict().items()}

    before = torch.random.get_rng_state()
    a, b, c = run(0), run(0), run(1)
    assert torch.equal(before, torch.random.get_rng_state())
    assert a == b and a != c
    net = SASRec(data.n_items, d_model=8, n_layers=1, max_length=10, dropout=0.1)
    log = train_session_model(net, data, epochs=2, batch_size=16, random_state=0)
    assert torch.equal(before, torch.random.get_rng_state())
    assert log.targets_per_epoch == sum(len(s) - 3 for s in data.sequences)
    assert [h["epoch"] for h in log.history] == [1, 2] and "val_ndcg" in log.history[-1]


def test_training_windows_cover_every_target_once() -> None:
    from embedlab.tables.models.session import _training_windows

    data = tiny_data([[0, 1, 2, 3, 4, 5, 0, 1], [5, 4, 3]])
    x, y = _training_windows(data, max_length=2)
    pairs = sorted((int(a), int(b)) for a, b in zip(x[y >= 0], y[y >= 0], strict=True))
    # training part [0 .. 5]: each next item once; user 1's part [5] has no target
    want = sorted([(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)])
    assert pairs == want and x.shape[1] == 2
    assert ((x >= 0).sum(1) <= 2).all()


def test_models_learn_the_planted_preference_better_than_popularity() -> None:
    data = synthetic_sessions(n_users=400, n_items=150, random_state=2)
    pop = evaluate_next_item(popularity_scores(data.train_counts()), data)
    width = {"d_model": 16, "n_layers": 1, "n_heads": 2, "max_length": 30}
    for net in (M2TRec(data.n_genres, data.n_years, d_attr=8, **width), SASRec(150, **width)):
        train_session_model(net, data, epochs=10, batch_size=32, eval_every=5, lr=5e-3)
        res = evaluate_next_item(net, data)
        # the session reveals the user's genre, which popularity cannot know
        assert res["recall@20"] > 1.15 * pop["recall@20"], (type(net).__name__, res, pop)
        assert res["ndcg@20"] > pop["ndcg@20"]


# ------------------------------------------------------------------ errors
def test_model_and_training_errors() -> None:
    with pytest.raises(
        InvalidInputError, match=r"^'d_model' \(6\) must be a multiple of 'n_heads'"
    ):
        SASRec(5, d_model=6, n_heads=4)
    with pytest.raises(InvalidInputError, match=r"^'dropout' must be a float in \[0, 1\)"):
        SASRec(5, dropout=1.0)
    with pytest.raises(InvalidInputError, match=r"^'category_weight' must be a finite float >= 0"):
        M2TRec(3, 2, category_weight=-1)
    with pytest.raises(InvalidInputError, match="^M2TRec has no item catalogue: call set_catalog"):
        M2TRec(3, 2).score([[0]])
    net = small_m2trec()
    with pytest.raises(InvalidInputError, match=r"^item_genres must be \[n_items, 4\]"):
        net.set_catalog(np.ones((3, 5), bool), np.zeros(3, int))
    with pytest.raises(InvalidInputError, match=r"^item_year must be ids in \[0, 3\)"):
        net.set_catalog(np.ones((3, 4), bool), np.array([0, 1, 3]))
    with pytest.raises(InvalidInputError, match=r"^item_year must be 3 int year ids"):
        net.set_catalog(np.ones((3, 4), bool), np.zeros(2, int))
    with pytest.raises(InvalidInputError, match=r"^padding \(-1\) must come after"):
        net.score(np.array([[1, -1, 2]]))
    with pytest.raises(InvalidInputError, match=r"^sequences must be a 2-d int array \[batch"):
        net.score(np.zeros((2, 2, 2), dtype=np.int64))
    with pytest.raises(InvalidInputError, match=r"^sequences must hold item indices in \[0, 12\)"):
        net.score([[0, 12]])
    with pytest.raises(InvalidInputError, match="^every sequence needs at least one item"):
        net.score([[1], []])
    with pytest.raises(InvalidInputError, match=r"^prefix_scores needs sequences of at most"):
        net.prefix_scores([np.arange(7)])
    assert net.score([np.arange(9)]).shape == (1, 12)  # score keeps the last max_length
    x = torch.tensor([[0, 1, 2]])
    with pytest.raises(InvalidInputError, match=r"^targets must have the shape of inputs"):
        net.loss(x, torch.tensor([1, 2, -1]))
    with pytest.raises(InvalidInputError, match="^a target sits on a padded input position"):
        net.loss(torch.tensor([[0, -1]]), torch.tensor([[1, 2]]))
    with pytest.raises(InvalidInputError, match=r"^the batch has no target"):
        net.loss(x, torch.full((1, 3), -1))
    data = synthetic_sessions(n_users=10, n_items=30, max_length=10, random_state=0)
    with pytest.raises(InvalidInputError, match=r"^'epochs' must be an int >= 1; got 0\."):
        train_session_model(small_sasrec(), data, epochs=0)
    with pytest.raises(InvalidInputError, match=r"^'lr' must be a float > 0"):
        train_session_model(small_sasrec(), data, epochs=1, lr=0.0)
    with pytest.raises(InvalidInputError, match="^model must be an M2TRec or SASRec"):
        train_session_model(torch.nn.Linear(2, 2), data, epochs=1)
    with pytest.raises(InvalidInputError, match=r"^SASRec has 12 item embeddings but the data"):
        train_session_model(small_sasrec(), data, epochs=1)
    with pytest.raises(InvalidInputError, match="^the training parts hold no next-item target"):
        train_session_model(SASRec(6, d_model=8), tiny_data([[0, 1, 2]]), epochs=1)
    with pytest.raises(InvalidInputError, match=r"^'max_length' must be an int >= 1; got 0"):
        pad_sequences([[1]], max_length=0)


# ------------------------------------------------------------------ the contract checks
def test_both_models_pass_the_session_checks() -> None:
    check_session_model(M2TRec)
    check_session_model(SASRec)
    check_session_model(lambda: small_m2trec(n_layers=1))  # a factory works too


class NaNScores(SASRec):
    def _item_logits(self, z):
        return super()._item_logits(z) * float("nan")


class DeadParameter(SASRec):
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.unused = torch.nn.Parameter(torch.zeros(3))


class GlobalInit(SASRec):
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.extra = torch.nn.Parameter(torch.randn(3))  # the global RNG: another draw each time

    def _item_logits(self, z):
        return super()._item_logits(z) + self.extra.sum()


class GlobalDropout(SASRec):
    def _drop(self, x):
        torch.rand(1)  # consumes the global RNG (without changing the result)
        return x


class WholeSequenceMean(M2TRec):
    def _pool(self, h, valid):
        w = valid.unsqueeze(-1).to(h.dtype)
        mean = (h * w).sum(1, keepdim=True) / w.sum(1, keepdim=True)
        return mean.expand_as(h)  # peeks at later items


class UnsavedScale(SASRec):
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.register_buffer("scale", torch.ones(1), persistent=False)

    def _item_logits(self, z):
        return super()._item_logits(z) * self.scale


def test_each_session_check_fails_on_a_broken_model() -> None:
    with pytest.raises(AssertionError, match="score gave non-finite scores"):
        check_session_scores(NaNScores)
    with pytest.raises(AssertionError, match="no gradient reaches unused"):
        check_session_gradients(DeadParameter)
    with pytest.raises(AssertionError, match="the same seed gave two initialisations"):
        check_session_determinism(GlobalInit)
    with pytest.raises(AssertionError, match="drew from the global RNG"):
        check_session_determinism(GlobalDropout)
    with pytest.raises(AssertionError, match="change when later items change"):
        check_session_causality(WholeSequenceMean)
    with pytest.raises(AssertionError, match="the state_dict round trip changes the scores"):
        check_session_state_dict(UnsavedScale)
    with pytest.raises(AssertionError, match="has no example in SESSION_EXAMPLES"):
        check_session_scores(type("Other", (SASRec,), {"name": "other"}))
