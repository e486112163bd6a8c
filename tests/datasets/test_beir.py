import gzip
import json

import pytest

from embedlab.datasets import load_beir
from embedlab.datasets._beir import list_retrieval_datasets
from embedlab.exceptions import InvalidInputError


def make(folder, corpus=None, queries=None, qrels=None, gz=False):
    folder.mkdir(parents=True, exist_ok=True)
    corpus = corpus or [
        {"_id": "d1", "title": "T1", "text": "first"},
        {"_id": "d2", "title": "", "text": "second"},
    ]
    queries = queries or [{"_id": "q1", "text": "a?"}, {"_id": "q2", "text": "b?"}]
    body = "".join(json.dumps(r) + "\n" for r in corpus).encode()
    if gz:
        (folder / "corpus.jsonl.gz").write_bytes(gzip.compress(body))
    else:
        (folder / "corpus.jsonl").write_bytes(body)
    (folder / "queries.jsonl").write_text("".join(json.dumps(r) + "\n" for r in queries))
    (folder / "qrels").mkdir(exist_ok=True)
    (folder / "qrels" / "test.tsv").write_text(
        qrels if qrels is not None else "query-id\tcorpus-id\tscore\nq2\td1\t2\nq2\td2\t0\n"
    )
    return folder


@pytest.mark.parametrize("gz", [False, True])
def test_load_a_folder(tmp_path, gz):
    ds = load_beir(make(tmp_path / "tiny", gz=gz))
    assert ds.corpus_ids == ["d1", "d2"]
    assert ds.documents() == ["T1 first", "second"]
    assert ds.query_ids == ["q2"] and ds.queries == ["b?"]  # q1 has no judgement in the split
    assert ds.qrels == {"q2": {"d1": 2, "d2": 0}}
    assert "2 documents, 1 queries, 2 judgements" in repr(ds)


def test_names_resolve_under_embedlab_data(tmp_path, monkeypatch):
    make(tmp_path / "retrieval" / "tiny")
    monkeypatch.setenv("EMBEDLAB_DATA", str(tmp_path))
    assert list_retrieval_datasets() == ["tiny"]
    assert load_beir("TINY").name == "tiny"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"qrels": "q\td\ts\nq2\td1\t1\n"}, "must start with the header 'query-id"),
        ({"qrels": "query-id\tcorpus-id\tscore\nq2\td1\n"}, "line 2: expected query-id"),
        ({"qrels": "query-id\tcorpus-id\tscore\nq2\td9\t1\n"}, "1 unknown documents"),
        ({"qrels": "query-id\tcorpus-id\tscore\nq7\td1\t1\n"}, "1 unknown queries"),
        ({"corpus": [{"title": "no id"}]}, "corpus.jsonl, line 1: a row needs an '_id'"),
    ],
)
def test_bad_files(tmp_path, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        load_beir(make(tmp_path / "bad", **kwargs))


def test_broken_json_and_encoding(tmp_path):
    folder = make(tmp_path / "x")
    (folder / "corpus.jsonl").write_text('{"_id": "d1"}\n{oops\n')
    with pytest.raises(InvalidInputError, match="corpus.jsonl, line 2: not JSON"):
        load_beir(folder)
    (folder / "corpus.jsonl").write_bytes(b'{"_id": "d1", "text": "\xff"}\n')
    with pytest.raises(InvalidInputError, match="corpus.jsonl is not UTF-8"):
        load_beir(folder)


def test_unknown_split_and_dataset(tmp_path, monkeypatch):
    folder = make(tmp_path / "x")
    with pytest.raises(InvalidInputError, match="x has no split 'dev'; available: test"):
        load_beir(folder, split="dev")
    monkeypatch.delenv("EMBEDLAB_DATA", raising=False)
    with pytest.raises(InvalidInputError, match="Unknown retrieval dataset 'nope'"):
        load_beir("nope")
    (tmp_path / "plain").mkdir()
    with pytest.raises(InvalidInputError, match="is not in the BEIR layout"):
        load_beir(tmp_path / "plain")


@pytest.mark.data
def test_scifact_counts(data_dir):
    ds = load_beir(data_dir / "retrieval" / "scifact")
    assert len(ds.corpus_ids) == 5183 and len(set(ds.corpus_ids)) == 5183
    assert len(ds.query_ids) == 300
    assert sum(map(len, ds.qrels.values())) == 339
    assert len(load_beir(data_dir / "retrieval" / "scifact", split="train").query_ids) == 809
