"""LightGCN-layout loader: tiny folders written here, and Gowalla's published counts."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from embedlab.datasets._recsys import list_recsys_datasets, load_lightgcn, read_lightgcn_file
from embedlab.exceptions import InvalidInputError


def _write(folder: Path, train: str, test: str, gz: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("train", train), ("test", test)):
        if gz:
            with gzip.open(folder / f"{name}.txt.gz", "wt") as fh:
                fh.write(text)
        else:
            (folder / f"{name}.txt").write_text(text)
    return folder


@pytest.mark.parametrize("gz", [False, True])
def test_tiny_folder(tmp_path: Path, gz: bool) -> None:
    folder = _write(tmp_path / "tiny", "0 1 2\n1 0\n\n2 2 2 3\n", "0 3\n1 1\n2 0\n", gz)
    data = load_lightgcn(folder)
    assert (data.n_users, data.n_items) == (3, 4)
    assert data.train.toarray().tolist() == [[0, 1, 1, 0], [1, 0, 0, 0], [0, 0, 1, 1]]
    assert data.test.toarray().tolist() == [[0, 0, 0, 1], [0, 1, 0, 0], [1, 0, 0, 0]]
    assert "3 users, 4 items, 5 train + 3 test" in repr(data)


def test_names_resolve_under_embedlab_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "recsys" / "Tiny", "0 0\n", "0 1\n")
    (tmp_path / "recsys" / "not-a-dataset").mkdir()
    monkeypatch.setenv("EMBEDLAB_DATA", str(tmp_path))
    assert list_recsys_datasets() == ["Tiny"]
    assert load_lightgcn("tiny").name == "Tiny"


def test_errors_are_pinned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMBEDLAB_DATA", raising=False)
    with pytest.raises(InvalidInputError, match="No LightGCN-layout data set 'nope': expected a"):
        load_lightgcn("nope")
    bad = _write(tmp_path / "bad", "0 x 2\n", "0 1\n")
    with pytest.raises(InvalidInputError, match=r"train.txt:1: expected integers 'user item"):
        load_lightgcn(bad)
    neg = _write(tmp_path / "neg", "0 -1\n", "0 1\n")
    with pytest.raises(InvalidInputError, match="train.txt:1: ids must be non-negative"):
        load_lightgcn(neg)
    (tmp_path / "empty.txt").write_text("\n")
    with pytest.raises(InvalidInputError, match="empty.txt holds no interactions"):
        read_lightgcn_file(tmp_path / "empty.txt")


@pytest.mark.data
def test_gowalla_matches_published_counts(data_dir: Path) -> None:
    if not (data_dir / "recsys" / "gowalla").is_dir():
        pytest.skip("gowalla is not under $EMBEDLAB_DATA/recsys")
    data = load_lightgcn("gowalla")
    assert (data.n_users, data.n_items) == (29_858, 40_981)
    assert (data.train.nnz, data.test.nnz) == (810_128, 217_242)
    assert data.train.multiply(data.test).nnz == 0
