"""TripleSet, the filter index and the KG loaders, on toy triples and the real releases."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embedlab.datasets import list_kg_datasets, load_kg, read_triples
from embedlab.exceptions import InvalidInputError
from embedlab.io import TripleSet

TOY = [("a", "likes", "b"), ("b", "likes", "c"), ("a", "knows", "c")]


def test_vocabularies_are_sorted_labels_of_all_splits() -> None:
    ts = TripleSet.from_labels(TOY, valid=[("c", "likes", "d")], test=[("d", "hates", "a")])
    assert ts.entities.tolist() == ["a", "b", "c", "d"]
    assert ts.relations.tolist() == ["hates", "knows", "likes"]
    assert ts.train.tolist() == [[0, 2, 1], [1, 2, 2], [0, 1, 2]]
    assert ts.valid.tolist() == [[2, 2, 3]]
    assert ts.test.tolist() == [[3, 0, 0]]


def test_queries_are_tail_then_reciprocal_head_queries() -> None:
    ts = TripleSet.from_labels(TOY)
    q = ts.queries("train")
    n, nr = len(ts.train), ts.n_relations
    assert np.array_equal(q[:n], ts.train)
    assert np.array_equal(q[n:, 0], ts.train[:, 2])
    assert np.array_equal(q[n:, 1], ts.train[:, 1] + nr)
    assert np.array_equal(q[n:, 2], ts.train[:, 0])


def _brute_known(ts: TripleSet) -> dict[tuple[int, int], set[int]]:
    known: dict[tuple[int, int], set[int]] = {}
    for split in ("train", "valid", "test"):
        for h, r, t in ts.split(split).tolist():
            known.setdefault((h, r), set()).add(t)
            known.setdefault((t, r + ts.n_relations), set()).add(h)
    return known


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 2), st.integers(0, 5)), min_size=1, max_size=30
    )
)
def test_filter_index_equals_a_brute_force_dictionary(rows: list[tuple[int, int, int]]) -> None:
    labels = [(f"e{h}", f"r{r}", f"e{t}") for h, r, t in rows]
    ts = TripleSet.from_labels(labels[::2], test=labels[1::2])
    fi = ts.filter_index()
    known = _brute_known(ts)
    for h in range(ts.n_entities):
        for r in range(2 * ts.n_relations):
            assert fi.known(h, r).tolist() == sorted(known.get((h, r), set()))
    heads = np.repeat(np.arange(ts.n_entities), 2 * ts.n_relations)
    rels = np.tile(np.arange(2 * ts.n_relations), ts.n_entities)
    brows, btails = fi.pairs(heads, rels)
    got = {(int(i), int(t)) for i, t in zip(brows, btails, strict=True)}
    want = {
        (i, t)
        for i, (h, r) in enumerate(zip(heads, rels, strict=True))
        for t in known.get((h, r), ())
    }
    assert got == want and len(brows) == len(want)


def test_an_empty_filter_index_gives_no_pairs() -> None:
    from embedlab.io import FilterIndex

    empty = np.empty(0, dtype=np.int64)
    fi = FilterIndex(empty, np.zeros(1, dtype=np.int64), empty, n_entities=3, n_query_relations=2)
    rows, tails = fi.pairs(np.array([0, 1]), np.array([0, 1]))
    assert rows.size == 0 and tails.size == 0 and fi.known(0, 0).size == 0


def test_pairs_of_unknown_queries_are_empty() -> None:
    fi = TripleSet.from_labels(TOY).filter_index()
    rows, tails = fi.pairs(np.array([2, 2]), np.array([0, 1]))
    assert rows.size == 0 and tails.size == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"train": np.zeros((0, 3), dtype=int)}, "at least one training triple"),
        ({"train": np.array([[0, 0, 5]])}, "ids outside the vocabularies"),
        ({"train": np.array([[0, 1]])}, r"int array \[n, 3\]"),
        ({"train": np.array([[0.0, 0.0, 1.0]])}, "integer ids"),
    ],
)
def test_bad_triple_arrays(kwargs: dict, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        TripleSet(entities=np.array(["a", "b"]), relations=np.array(["r"]), **kwargs)


def test_bad_label_triple() -> None:
    with pytest.raises(
        InvalidInputError, match=r"'train' triple 1 must be \(head, relation, tail\)"
    ):
        TripleSet.from_labels([("a", "r", "b"), ("a", "r")])


def test_unknown_split() -> None:
    with pytest.raises(InvalidInputError, match="Unknown split 'dev'"):
        TripleSet.from_labels(TOY).split("dev")


def _write(path: Path, text: str) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(text)
    return path


def test_folder_and_single_file_loaders(tmp_path: Path) -> None:
    _write(tmp_path / "train.txt.gz", "# comment\na\tr\tb\n\na\tr\tb\nb\tr\tc\n")
    (tmp_path / "test.txt").write_text("c\tr\ta\n", encoding="utf-8")
    ts = load_kg(tmp_path)
    assert ts.name == tmp_path.name
    assert ts.train.tolist() == [[0, 0, 1], [1, 0, 2]]  # the repeated line is kept once
    assert ts.test.tolist() == [[2, 0, 0]] and len(ts.valid) == 0
    single = load_kg(tmp_path / "test.txt")
    assert single.name == "test" and single.train.tolist() == [[1, 0, 0]]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"a\tr\n", r"train.txt:1: expected 'head<TAB>relation<TAB>tail'"),
        (b"a\tr\tb\na r b\n", r"train.txt:2: expected"),
        (b"a\tr\t\xff\n", "is not UTF-8 text"),
    ],
)
def test_malformed_files(tmp_path: Path, content: bytes, match: str) -> None:
    (tmp_path / "train.txt").write_bytes(content)
    with pytest.raises(InvalidInputError, match=match):
        read_triples(tmp_path / "train.txt")


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(b"a\tr\tb\n" * 1000)
    (tmp_path / "train.txt.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidInputError, match="Cannot read"):
        load_kg(tmp_path)


def test_unknown_dataset_names_the_choices(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EMBEDLAB_DATA", str(tmp_path))
    with pytest.raises(InvalidInputError, match=r"No knowledge-graph data set 'nope'.*none"):
        load_kg("nope")


@pytest.mark.data
@pytest.mark.parametrize(
    ("name", "counts"),
    [
        ("nations", (14, 55, 1592, 199, 201)),
        ("kinships", (104, 25, 8544, 1068, 1074)),
        ("wn18rr", (40943, 11, 86835, 3034, 3134)),
    ],
)
def test_real_releases_match_their_readme_counts(data_dir: Path, name: str, counts: tuple) -> None:
    assert name in list_kg_datasets()
    ts = load_kg(name.upper())  # names are case-insensitive
    assert (ts.n_entities, ts.n_relations, len(ts.train), len(ts.valid), len(ts.test)) == counts
    fi = ts.filter_index()
    total = sum(len(ts.split(s)) for s in ("train", "valid", "test"))
    assert len(fi.tails) == 2 * total  # disjoint, duplicate-free splits: every triple twice
