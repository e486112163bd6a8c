import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from embedlab.exceptions import InvalidInputError, OutputExistsError
from embedlab.io import EmbeddingSet

SUFFIXES = [".parquet", ".npy", ".txt"]


def _es(ids, d=3, seed=0):
    vec = np.random.default_rng(seed).normal(size=(len(ids), d)).astype(np.float32)
    return EmbeddingSet(ids=ids, vectors=vec, metadata={"method": "t", "seed": seed})


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("ids", [[3, 1, 2], ["a", "b", "c"], ["007", "7", "x"]])
def test_round_trip_exact(tmp_path, suffix, ids):
    es = _es(ids)
    path = tmp_path / f"e{suffix}"
    es.save(path)
    back = EmbeddingSet.load(path)
    assert back.ids.tolist() == es.ids.tolist()
    assert back.ids.dtype == es.ids.dtype
    assert back.vectors.tobytes() == es.vectors.tobytes()
    if suffix != ".txt":
        assert back.metadata == es.metadata


@settings(max_examples=25, deadline=None)
@given(
    vec=arrays(
        np.float32,
        st.tuples(st.integers(1, 6), st.integers(1, 5)),
        elements=st.floats(width=32, allow_nan=False, allow_infinity=False),
    ),
    suffix=st.sampled_from(SUFFIXES),
)
def test_round_trip_property(tmp_path_factory, vec, suffix):
    es = EmbeddingSet(ids=np.arange(len(vec)) * 7 - 3, vectors=vec)
    path = tmp_path_factory.mktemp("rt") / f"e{suffix}"
    es.save(path)
    back = EmbeddingSet.load(path)
    assert back.vectors.tobytes() == es.vectors.tobytes()
    assert back.ids.tolist() == es.ids.tolist()


def test_parquet_schema_is_lancedb_vector(tmp_path):
    _es([1, 2], d=4).save(tmp_path / "e.parquet")
    table = pq.read_table(tmp_path / "e.parquet")
    assert table.column_names == ["id", "vector"]
    assert table.schema.field("vector").type == pa.list_(pa.float32(), 4)
    assert table.schema.field("id").type == pa.int64()
    assert json.loads(table.schema.metadata[b"embedlab"])["method"] == "t"


def test_no_silent_overwrite(tmp_path):
    es = _es([1, 2])
    for suffix in SUFFIXES:
        es.save(tmp_path / f"e{suffix}")
        with pytest.raises(OutputExistsError, match="already exists"):
            es.save(tmp_path / f"e{suffix}")
        es.save(tmp_path / f"e{suffix}", overwrite=True)


def test_lookup_and_positions():
    es = _es(["a", "b", "c"])
    assert np.array_equal(es.lookup(["c", "a"]), es.vectors[[2, 0]])
    with pytest.raises(InvalidInputError, match=r"1 unknown embedding ids: 'z'"):
        es.lookup(["z"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"ids": [1, 2], "vectors": np.zeros((3, 2))},
            "'ids' has 2 entries but 'vectors' has 3 rows",
        ),
        ({"ids": [1, 1], "vectors": np.zeros((2, 2))}, "'ids' must be unique"),
        (
            {"ids": [1], "vectors": np.zeros(3)},
            r"'vectors' must be a \[n, d\] matrix; got shape \(3,\)",
        ),
        (
            {"ids": [1, 2], "vectors": [[0.0], [np.nan]]},
            r"'vectors' hold NaN or infinite values \(row 1\)",
        ),
        ({"ids": [1.5], "vectors": [[0.0]]}, "must be all integers or all strings"),
        ({"ids": [1], "vectors": [[0.0]], "metadata": {"x": object()}}, "JSON-serialisable"),
    ],
)
def test_invalid(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        EmbeddingSet(**kwargs)


def test_bad_files(tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        EmbeddingSet.load(tmp_path / "x.parquet")
    with pytest.raises(InvalidInputError, match=r"Unknown embedding file type '.csv'"):
        _es([1]).save(tmp_path / "x.csv")
    pq.write_table(pa.table({"a": [1]}), tmp_path / "o.parquet")
    with pytest.raises(InvalidInputError, match="needs columns 'id' and 'vector'"):
        EmbeddingSet.load(tmp_path / "o.parquet")
    (tmp_path / "t.txt").write_text("3 2\na 1 2\nb 3 4\n")
    with pytest.raises(
        InvalidInputError, match="announces 3 vectors but holds 2; it may be truncated"
    ):
        EmbeddingSet.load(tmp_path / "t.txt")
    (tmp_path / "h.txt").write_text("hello\n")
    with pytest.raises(InvalidInputError, match="does not start with a word2vec header"):
        EmbeddingSet.load(tmp_path / "h.txt")
    (tmp_path / "u.txt").write_bytes(b"1 1\n\xff 1\n")
    with pytest.raises(InvalidInputError, match="is not UTF-8 text"):
        EmbeddingSet.load(tmp_path / "u.txt")
    (tmp_path / "g.parquet").write_bytes(b"garbage")
    with pytest.raises(InvalidInputError, match="is not a readable Parquet file"):
        EmbeddingSet.load(tmp_path / "g.parquet")
    with pytest.raises(
        InvalidInputError, match="cannot hold ids that are empty or contain whitespace"
    ):
        _es(["a b"]).save(tmp_path / "w.txt")
