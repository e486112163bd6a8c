"""Skip-gram: the update against a NumPy reference, the negative table, determinism, quality."""

import numpy as np
import pytest

from embedlab.datasets import stochastic_block_model
from embedlab.eval import Clustering
from embedlab.exceptions import InvalidInputError
from embedlab.graph._sampling import alias_probabilities
from embedlab.graph.deepwalk import DeepWalk
from embedlab.graph.node2vec import Node2Vec
from embedlab.graph.skipgram import init_embeddings, negative_sampler, sgns_update


def _sigmoid_w2v(f):
    """word2vec's tabulated sigmoid: 1000 bins on [-6, 6), saturated outside."""
    if f >= 6:
        return 1.0
    if f <= -6:
        return 0.0
    i = int((f + 6) * (1000 / 12))
    return 1 / (1 + np.exp(-((i / 1000 * 2 - 1) * 6)))


def _numpy_sgns(w_in, w_out, context, targets, labels, lr):
    """word2vec's update, written plainly: gradients of -log s(x.y_v) - sum log s(-x.y_u)."""
    w_in, w_out = w_in.astype(np.float64), w_out.astype(np.float64)
    x = w_in[context].copy()
    grad = np.zeros_like(x)
    for t, label in zip(targets, labels, strict=True):
        if label == 0 and t == targets[0]:
            continue  # a negative that is the positive is skipped
        f = x @ w_out[t]
        g = lr * (label - _sigmoid_w2v(f))
        grad += g * w_out[t]
        w_out[t] += g * x
    w_in[context] += grad
    return w_in, w_out


@pytest.mark.parametrize("negatives", [[], [4], [4, 2, 5]])
def test_update_matches_numpy_reference(negatives, global_random_seed):
    rng = np.random.default_rng(global_random_seed)
    w_in = rng.normal(0, 0.5, size=(6, 8)).astype(np.float32)
    w_out = rng.normal(0, 0.5, size=(6, 8)).astype(np.float32)
    targets = [2, *negatives]  # a negative equal to the positive (2) is skipped
    ref_in, ref_out = _numpy_sgns(w_in, w_out, 1, targets, [1.0] + [0.0] * len(negatives), 0.1)
    sgns_update(w_in, w_out, 1, np.array(targets, np.int32), 0.1, np.empty(8, np.float32))
    np.testing.assert_allclose(w_in, ref_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w_out, ref_out, rtol=1e-5, atol=1e-6)


def test_update_saturates_beyond_six():
    """|x.y| >= 6: sigma is taken as exactly 0 or 1 (word2vec), so a confident positive is left
    alone and a confident negative gets the full step."""
    w_in = np.array([[3.0, 0.0]], np.float32)
    w_out = np.array([[3.0, 0.0], [-3.0, 0.0], [2.0, 1.0]], np.float32)  # x.y = 9, -9, 6
    sgns_update(w_in, w_out, 0, np.array([0, 1, 2], np.int32), 0.5, np.empty(2, np.float32))
    np.testing.assert_array_equal(w_out[:2], [[3.0, 0.0], [-3.0, 0.0]])
    np.testing.assert_allclose(w_out[2], [2.0 - 0.5 * 3.0, 1.0])  # g = (0 - 1) * 0.5
    np.testing.assert_allclose(w_in[0], [3.0 - 0.5 * 2.0, -0.5])


def test_update_lowers_the_loss():
    rng = np.random.default_rng(0)
    w_in = rng.normal(0, 0.1, size=(3, 4)).astype(np.float32)
    w_out = rng.normal(0, 0.1, size=(3, 4)).astype(np.float32)
    before = w_in[0] @ w_out[1]
    for _ in range(20):
        sgns_update(w_in, w_out, 0, np.array([1, 2], np.int32), 0.5, np.empty(4, np.float32))
    assert w_in[0] @ w_out[1] > before + 1 and w_in[0] @ w_out[2] < 0


def test_negatives_follow_degree_power():
    deg = np.array([1.0, 16.0, 81.0, 0.0])
    expect = deg**0.75 / (deg**0.75).sum()
    np.testing.assert_allclose(alias_probabilities(*negative_sampler(deg)), expect, rtol=1e-12)
    uniform = alias_probabilities(*negative_sampler(np.zeros(3)))  # no edges anywhere
    np.testing.assert_allclose(uniform, [1 / 3] * 3)


def test_init_is_gensims():
    w_in, w_out = init_embeddings(500, 16, seed=3)
    assert np.abs(w_in).max() <= 1 / 16 and np.abs(w_in).max() > 0.9 / 16
    assert abs(w_in.mean()) < 1e-3 and not w_out.any()
    again, _ = init_embeddings(10, 16, seed=3)
    assert np.array_equal(again, w_in[:10])  # rows depend only on (seed, node)
    half, _ = init_embeddings(10, 16, seed=3, half_width=0.5)  # word2vec.c / LINE
    np.testing.assert_allclose(half, w_in[:10] / 2)


@pytest.mark.parametrize("cls", [DeepWalk, Node2Vec])
def test_planted_partition_is_separated(cls):
    g, lab = stochastic_block_model([100, 100, 100], 0.1, 0.005, random_state=1)
    model = cls(n_components=32, walks_per_node=5, random_state=0).fit(g)
    assert Clustering(lab)(model)["nmi"] >= 0.9
    assert model.n_pairs_ > 0


def test_deterministic_mode_gives_same_bytes():
    g, _ = stochastic_block_model([30, 30], 0.2, 0.02, random_state=0)
    kw = {"n_components": 8, "walks_per_node": 2, "walk_length": 20, "deterministic": True}
    a = Node2Vec(p=0.5, q=2.0, random_state=4, **kw).fit_transform(g)
    b = Node2Vec(p=0.5, q=2.0, random_state=4, **kw).fit_transform(g)
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"walk_length": 1},
            r"'walk_length' parameter of DeepWalk must be an int in the range \[2, inf\)",
        ),
        ({"window": 0}, "'window' parameter of DeepWalk"),
        (
            {"learning_rate": 0.0},
            r"'learning_rate' parameter of DeepWalk must be a float in the range \(0, inf\)",
        ),
        ({"negatives": -1}, "'negatives' parameter of DeepWalk"),
    ],
)
def test_bad_params(params, message):
    from embedlab.graph import Graph

    with pytest.raises(InvalidInputError, match=message):
        DeepWalk(**params).fit(Graph.from_edges([0], [1]))


def test_subsampling_keeps_rare_nodes_and_thins_hubs():
    from embedlab.graph.skipgram import keep_probabilities

    deg = np.array([1.0, 1.0, 998.0])
    keep = keep_probabilities(deg, 1e-3)
    f = deg / deg.sum()
    assert keep[0] == 1.0 and keep[2] == pytest.approx((np.sqrt(f[2] / 1e-3) + 1) * 1e-3 / f[2])
    assert np.array_equal(keep_probabilities(deg, 0.0), np.ones(3))
    g, _ = stochastic_block_model([40, 40], 0.2, 0.02, random_state=0)
    kw = {"n_components": 8, "walks_per_node": 2, "deterministic": True, "random_state": 0}
    assert DeepWalk(sample=1e-3, **kw).fit(g).n_pairs_ < 0.6 * DeepWalk(**kw).fit(g).n_pairs_


def _uniforms(state):
    """The trainer's random stream (SplitMix64), written out in Python."""
    from embedlab.graph._kernels import splitmix64

    state = int(state)
    while True:
        z = int(splitmix64(np.uint64(state)))
        state = (state + 0x9E3779B97F4A7C15) % 2**64
        yield (z >> 11) * 2.0**-53


def test_trainer_matches_a_plain_python_transcription():
    """One thread, a tiny graph: walks -> reduced windows -> negatives shared by each centre's
    window -> pair-by-pair SGNS updates with the linearly decaying rate, replayed in Python
    from the same random streams, give the same vectors."""
    from embedlab.graph import _kernels as K
    from embedlab.graph._sampling import alias_draw
    from embedlab.graph.skipgram import _SGD_SALT, train_sgns
    from embedlab.graph.walks import walk_into
    from embedlab.utils._numba import n_threads

    g, _ = stochastic_block_model([6, 6], 0.6, 0.1, random_state=0)
    n, d, length, window, k, lr0, seed = g.n_nodes, 4, 7, 3, 2, 0.05, 11
    with n_threads(1):
        got, pairs = train_sgns(
            g,
            n_components=d,
            walk_length=length,
            walks_per_node=2,
            window=window,
            negatives=k,
            learning_rate=lr0,
            epochs=1,
            p=1.0,
            q=1.0,
            seed=seed,
            n_threads=1,
        )
    w_in, w_out = (a.astype(np.float64) for a in init_embeddings(n, d, seed))
    rng = np.random.default_rng([seed, 1])
    starts = np.concatenate([rng.permutation(n) for _ in range(2)])
    streams = K.hash_keys(np.arange(len(starts), dtype=np.uint64), np.uint64(seed))
    prob, alias = negative_sampler(g.degrees())
    count = 0
    for w, start in enumerate(starts):
        walk = np.empty(length, np.int32)
        walk_into(walk, start, streams[w], g.indptr, g.indices, np.empty(0), False, 1, 1, False)
        lr = lr0 * max(1 - w / len(starts), 1e-4)
        u = _uniforms(streams[w] ^ _SGD_SALT)
        for _ in range(length):
            next(u)  # the subsampling draw (sample=0 keeps every node)
        for i in range(length):
            reach = window - min(int(next(u) * window), window - 1)
            targets = [walk[i]] + [alias_draw(prob, alias, next(u)) for _ in range(k)]
            labels = [1.0] + [0.0] * k
            for j in range(max(0, i - reach), min(length, i + reach + 1)):
                if j != i:
                    w_in, w_out = _numpy_sgns(w_in, w_out, walk[j], targets, labels, lr)
                    count += 1
    assert pairs == count
    np.testing.assert_allclose(got, w_in, rtol=1e-4, atol=1e-6)
