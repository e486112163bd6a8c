"""Interop formats and the error messages a user sees for wrong files (issue 25 #12, #15, #16,
#22): word2vec binary as word2vec.c writes it, GloVe text, Parquet zstd, pickled .npy refused,
file names in every message, NaN weights named as such."""

import struct

import numpy as np
import pyarrow.parquet as pq
import pytest

from embedlab.exceptions import InvalidInputError
from embedlab.io import EmbeddingSet, read_edge_table
from embedlab.io._graph import Graph


def _word2vec_c_bytes(words, vectors, newline=True):
    """What word2vec.c writes with -binary 1: fprintf("%s ", word); fwrite(floats); "\\n"."""
    out = f"{len(words)} {vectors.shape[1]}\n".encode()
    for w, v in zip(words, vectors, strict=True):
        out += w.encode() + b" " + struct.pack(f"<{len(v)}f", *v) + (b"\n" if newline else b"")
    return out


@pytest.mark.parametrize("newline", [True, False])
def test_reads_word2vec_c_binary(tmp_path, newline):
    rng = np.random.default_rng(0)
    vec = rng.normal(size=(3, 5)).astype(np.float32)
    path = tmp_path / "vectors.bin"
    path.write_bytes(_word2vec_c_bytes(["the", "cañón", "</s>"], vec, newline))
    es = EmbeddingSet.load(path)
    assert es.ids.tolist() == ["the", "cañón", "</s>"]
    assert es.vectors.tobytes() == vec.tobytes()


def test_word2vec_binary_round_trip_and_truncation(tmp_path):
    vec = np.arange(12, dtype=np.float32).reshape(4, 3) / 7
    es = EmbeddingSet(ids=np.array([10, 20, 30, 40]), vectors=vec)
    path = tmp_path / "e.bin"
    es.save(path)
    assert path.read_bytes() == _word2vec_c_bytes(["10", "20", "30", "40"], vec)
    back = EmbeddingSet.load(path)
    assert back.ids.tolist() == [10, 20, 30, 40] and back.vectors.tobytes() == vec.tobytes()
    (tmp_path / "cut.bin").write_bytes(path.read_bytes()[:-10])
    with pytest.raises(
        InvalidInputError, match=r"announces 4 vectors of 3 floats but ends after 3"
    ):
        EmbeddingSet.load(tmp_path / "cut.bin")


def test_reads_glove_text_without_header(tmp_path):
    path = tmp_path / "glove.6B.3d.txt"
    path.write_text("the 0.5 -1 2\n, 0.25 0 1e-3\n")
    es = EmbeddingSet.load(path)
    assert es.ids.tolist() == ["the", ","]
    np.testing.assert_array_equal(es.vectors, np.array([[0.5, -1, 2], [0.25, 0, 1e-3]], np.float32))
    path.write_text("hello world\n")
    with pytest.raises(InvalidInputError, match="does not start with a word2vec header 'n d'"):
        EmbeddingSet.load(path)


def test_parquet_zstd(tmp_path):
    vec = np.tile(np.arange(64, dtype=np.float32), (2000, 1))
    es = EmbeddingSet(ids=np.arange(2000), vectors=vec)
    es.save(tmp_path / "plain.parquet")
    es.save(tmp_path / "small.parquet", compression="zstd")
    meta = pq.ParquetFile(tmp_path / "small.parquet").metadata
    assert meta.row_group(0).column(1).compression == "ZSTD"
    assert (tmp_path / "small.parquet").stat().st_size < (
        tmp_path / "plain.parquet"
    ).stat().st_size / 5
    back = EmbeddingSet.load(tmp_path / "small.parquet")
    assert back.vectors.tobytes() == vec.tobytes()
    with pytest.raises(InvalidInputError, match="'compression' must be one of none, zstd"):
        es.save(tmp_path / "x.parquet", compression="brotli9")


class _Boom:
    def __reduce__(self):
        return (open, ("/nonexistent-dir/should-not-run", "w"))


def test_pickled_npy_is_refused_not_unpickled(tmp_path):
    path = tmp_path / "evil.npy"
    np.save(path, np.array([_Boom()], dtype=object), allow_pickle=True)
    with pytest.raises(InvalidInputError) as err:
        EmbeddingSet.load(path)
    msg = str(err.value)
    assert "is not an embedding .npy file: it holds pickled Python objects" in msg
    assert "allow_pickle" not in msg


def test_nan_vectors_name_the_file(tmp_path):
    vec = np.ones((3, 2), np.float32)
    vec[1, 0] = np.nan
    path = tmp_path / "v.npy"
    np.save(path, vec)
    with pytest.raises(InvalidInputError, match=r"v\.npy'.*hold NaN or infinite values \(row 1\)"):
        EmbeddingSet.load(path)


def test_nan_weight_is_named_and_ignored_when_unweighted(tmp_path):
    path = tmp_path / "e.txt"
    path.write_text("1 2 1.0\n2 3 NaN\n3 1 2\n")
    with pytest.raises(
        InvalidInputError, match=r"has a weight of nan \(edge 2\); weights must be finite"
    ):
        read_edge_table(path)
    g = Graph.from_edgelist(path, weighted=False)
    assert g.n_edges == 3 and not g.weighted
    path.write_text("1 2 1.0\n2 3\n")
    with pytest.raises(InvalidInputError, match="Malformed edge list"):
        read_edge_table(path)


def test_na_and_null_are_ids(tmp_path):
    path = tmp_path / "e.txt"
    path.write_text("NA 2\n2 null\nnull NA\n")
    g = Graph.from_edgelist(path)
    assert sorted(g.node_ids.tolist()) == ["2", "NA", "null"] and g.n_edges == 3


@pytest.mark.parametrize("kind", ["pickled", "npy"])
def test_wrong_index_files_are_named_as_such(tmp_path, kind):
    from embedlab.retrieval.index import load_index

    path = tmp_path / "x.idx"
    with open(path, "wb") as fh:
        if kind == "pickled":
            np.savez(fh, meta=np.array([_Boom()], dtype=object))
        else:
            np.save(fh, np.ones(3))
    with pytest.raises(InvalidInputError, match="is not an embedlab index file") as err:
        load_index(str(path))
    assert "allow_pickle" not in str(err.value)


def test_transformers_bars_follow_ours():
    hf_logging = pytest.importorskip("transformers.utils.logging")
    from embedlab.text.encoders import _transformers_bars

    hf_logging.enable_progress_bar()
    with _transformers_bars(False):
        assert not hf_logging.is_progress_bar_enabled()
    assert hf_logging.is_progress_bar_enabled()
    with _transformers_bars(True):
        assert hf_logging.is_progress_bar_enabled()
