import gzip

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from embedlab.exceptions import InvalidInputError
from embedlab.io import read_edge_table


def _write(tmp_path, name, text):
    p = tmp_path / name
    if name.endswith(".gz"):
        p.write_bytes(gzip.compress(text.encode()))
    else:
        p.write_text(text)
    return p


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.txt", "1 2\n2 3\n"),
        ("a.tsv", "1\t2\n2\t3\n"),
        ("a.csv", "1,2\n2,3\n"),
        ("a.txt", "# comment\n  1   2  \n\n2 3 # trailing\n"),
        ("a.txt", "1 2\r\n2 3\r\n"),
        ("a.csv", "src,dst\n1, 2\n2 ,3\n"),
        ("a.txt.gz", "1 2\n2 3"),
        ("a.txt", "1\t 2\n2 \t3\n"),
    ],
)
def test_formats_read_the_same(tmp_path, name, text):
    t = read_edge_table(_write(tmp_path, name, text))
    assert t.src.tolist() == [1, 2] and t.dst.tolist() == [2, 3]
    assert t.src.dtype == np.int64 and t.weight is None


def test_weights_and_string_ids(tmp_path):
    t = read_edge_table(_write(tmp_path, "w.txt", "a b 0.5\nb c 2\n"))
    assert t.src.tolist() == ["a", "b"] and t.dst.tolist() == ["b", "c"]
    assert t.weight.tolist() == [0.5, 2.0]


def test_mixed_int_and_string_ids_become_strings(tmp_path):
    t = read_edge_table(_write(tmp_path, "m.txt", "1 x\n2 3\n"))
    assert t.src.tolist() == ["1", "2"] and t.dst.tolist() == ["x", "3"]


def test_late_string_id_after_a_large_integer_block(tmp_path):
    lines = "".join(f"{i} {i + 1}\n" for i in range(50000)) + "zz 1\n"
    t = read_edge_table(_write(tmp_path, "late.txt", lines))
    assert t.src[-1] == "zz" and t.src[0] == "0"


def test_parquet(tmp_path):
    p = tmp_path / "e.parquet"
    pq.write_table(pa.table({"dst": [2, 3], "src": [1, 2], "weight": [1.0, 3.0]}), p)
    t = read_edge_table(p)
    assert t.src.tolist() == [1, 2] and t.dst.tolist() == [2, 3] and t.weight.tolist() == [1, 3]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("e.txt", "1 2\n3 4 5 6\n", r"Malformed edge list .*Expected 2 columns, got 4: 3 4 5 6"),
        ("e.txt", "1 2 x\n", r"non-numeric weight 'x'; the third column must be a number"),
        ("e.txt", "1 2 3 4\n", r"has 4 columns; expected 2 \(src dst\) or 3"),
        ("e.txt", "# nothing\n\n", r"contains no edges"),
        ("e.txt", "1\n2\n", r"has 1 columns; expected 2"),
    ],
)
def test_malformed(tmp_path, name, content, message):
    with pytest.raises(InvalidInputError, match=message):
        read_edge_table(_write(tmp_path, name, content))


def test_missing_truncated_and_non_utf8(tmp_path):
    with pytest.raises(InvalidInputError, match=r"The edge list '.*nope.txt' does not exist"):
        read_edge_table(tmp_path / "nope.txt")
    good = gzip.compress(b"1 2\n" * 1000)
    (tmp_path / "t.txt.gz").write_bytes(good[: len(good) // 2])
    with pytest.raises(InvalidInputError, match="not a readable gzip file .* may be truncated"):
        read_edge_table(tmp_path / "t.txt.gz")
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe 1\n2 3\n")
    with pytest.raises(InvalidInputError, match="is not UTF-8 text .* re-encode it as UTF-8"):
        read_edge_table(tmp_path / "b.txt")
    with pytest.raises(InvalidInputError, match="is a directory"):
        read_edge_table(tmp_path)
