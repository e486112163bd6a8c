"""Versions: every write is a version that stays queryable; tags, restore, and optimize."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedlab.exceptions import ConflictError, InvalidInputError, NotFoundError


def _snapshot(col: Any, queries: np.ndarray, version: Any = None) -> dict[str, Any]:
    """Everything a reader can see at ``version``: results, counts, points (with vectors)."""
    flt = {"must": [{"key": "g", "match": {"value": 1}}]}
    results = [
        [(p.id, p.score, p.payload) for p in points]
        for points in col.query_batch(list(queries), limit=20, version=version)
    ]
    filtered = [(p.id, p.score) for p in col.query(queries[0], filter=flt, version=version)]
    ids = [p.id for p in col.scroll(limit=10_000, version=version)[0]]
    points = [
        (p.id, p.payload, np.asarray(p.vector, np.float32).tobytes())
        for p in col.get(ids, with_vectors=True, version=version)
    ]
    return {
        "results": results,
        "filtered": filtered,
        "count": col.count(version=version),
        "count_g1": col.count(flt, version=version),
        "points": points,
    }


@pytest.fixture
def history(store: Any) -> tuple[Any, list[int], list[dict[str, Any]], np.ndarray]:
    """A collection after five writes, and what each version showed while it was current."""
    rng = np.random.default_rng(17)
    col = store.create_collection("hist", 8, "cosine", payload_schema={"g": "integer"})
    queries = rng.standard_normal((3, 8)).astype(np.float32)
    versions, seen = [], []

    def record() -> None:
        versions.append(col.version)
        seen.append(_snapshot(col, queries))

    col.upsert(np.arange(50), rng.standard_normal((50, 8)), [{"g": i % 3} for i in range(50)])
    record()
    col.upsert(np.arange(40, 90), rng.standard_normal((50, 8)), [{"g": 1}] * 50)  # 10 replaced
    record()
    col.delete(list(range(0, 90, 4)))
    record()
    col.delete(filter={"must": [{"key": "g", "match": {"value": 1}}]})
    record()
    col.upsert([1000], rng.standard_normal((1, 8)), [{"g": 1}])
    record()
    return col, versions, seen, queries


def test_old_versions_reproduce_exactly(history: Any) -> None:
    col, versions, seen, queries = history
    assert versions == sorted(set(versions))  # each write made a new version
    counts = [s["count"] for s in seen]
    # 50; +40 new (10 replaced); -23 multiples of 4; -47 with g == 1; +1
    assert counts == [50, 90, 67, 20, 21]
    for v, expected in zip(versions, seen, strict=True):
        assert _snapshot(col, queries, version=v) == expected
    # the current version is the last recorded and the default
    assert _snapshot(col, queries) == seen[-1]
    assert col.version == versions[-1]


def test_tags_name_versions(history: Any) -> None:
    col, versions, seen, queries = history
    assert col.tag("first", versions[0]) == versions[0]
    assert col.tag("now") == versions[-1]
    assert _snapshot(col, queries, version="first") == seen[0]
    assert col.get([0], version="first")[0].id == 0
    assert col.get([0]) == []
    col.upsert([5000], np.ones((1, 8)))
    assert _snapshot(col, queries, version="now") == seen[-1]
    assert col.count(version="now") == 21
    assert col.count() == 22
    with pytest.raises(ConflictError, match=r"Collection `hist` already has a tag `first`"):
        col.tag("first", versions[1])
    with pytest.raises(NotFoundError, match=r"Collection `hist` has no version 999"):
        col.tag("later", 999)
    with pytest.raises(InvalidInputError, match=r"Collection names are 1 to 64 characters"):
        col.tag("bad tag")
    listed = {v["version"]: v for v in col.versions()}
    assert listed[versions[0]]["tags"] == ["first"]
    assert listed[versions[-1]]["tags"] == ["now"]


def test_versions_list_counts_and_tags(history: Any) -> None:
    col, versions, seen, _ = history
    col.tag("two", versions[1])
    col.tag("also-two", versions[1])
    listed = col.versions()
    nums = [v["version"] for v in listed]
    assert nums == sorted(nums)
    assert set(versions) <= set(nums)
    by_num = {v["version"]: v for v in listed}
    for v, s in zip(versions, seen, strict=True):
        assert by_num[v]["count"] == s["count"]
    assert by_num[versions[1]]["tags"] == ["also-two", "two"]
    assert all(isinstance(v["timestamp"], str) and "T" in v["timestamp"] for v in listed)


def test_restore_makes_a_new_version_with_the_old_contents(history: Any) -> None:
    col, versions, seen, queries = history
    before = col.version
    new = col.restore(versions[1])
    assert new == before + 1 == col.version
    assert _snapshot(col, queries) == seen[1]
    # history is kept: the versions after the restored one are still there
    assert _snapshot(col, queries, version=versions[3]) == seen[3]
    assert _snapshot(col, queries, version=before) == seen[-1]
    # writes continue from the restored contents
    col.upsert([7777], np.ones((1, 8)))
    assert col.count() == seen[1]["count"] + 1
    col.tag("old")
    assert col.restore("old") == col.version
    assert col.count() == seen[1]["count"] + 1


@pytest.mark.parametrize("version", [999, -1, 2**64, "no-such-tag"])
def test_unknown_versions(history: Any, version: Any) -> None:
    col = history[0]
    message = rf"Collection `hist` has no version {version!r}"
    with pytest.raises(NotFoundError, match=message):
        col.query(np.ones(8), version=version)
    with pytest.raises(NotFoundError, match=message):
        col.count(version=version)
    with pytest.raises(NotFoundError, match=message):
        col.get([1], version=version)
    with pytest.raises(NotFoundError, match=message):
        col.restore(version)


@pytest.mark.parametrize("version", [1.5, True, [1]])
def test_ill_typed_versions(history: Any, version: Any) -> None:
    with pytest.raises(InvalidInputError, match=r"'version' must be a version number or a tag"):
        history[0].count(version=version)


def _files(path: Path) -> int:
    return sum(1 for p in path.rglob("*") if p.is_file())


def test_optimize_bounds_the_file_count_and_keeps_the_results(store: Any) -> None:
    rng = np.random.default_rng(3)
    col = store.create_collection("small_writes", 8, "l2", payload_schema={"g": "integer"})
    x = rng.standard_normal((40, 8)).astype(np.float32)
    for i in range(40):  # 40 commits of one point each: a data file and a manifest apiece
        col.upsert([i], x[i : i + 1], [{"g": i % 2}])
    col.delete([3])
    queries = rng.standard_normal((4, 8)).astype(np.float32)
    flt = {"must": [{"key": "g", "match": {"value": 0}}]}
    before = _snapshot(col, queries)
    filtered = [(p.id, p.score) for p in col.query(queries[1], filter=flt, limit=50)]
    folder = store.path / "small_writes.lance"
    n_before = _files(folder)
    out = col.optimize()
    n_after = _files(folder)
    assert out["pruned"] is True
    assert out["files_before"] == n_before
    assert out["files_after"] == n_after
    # After compaction and pruning one version is left: measured 4 files (its manifest, the
    # latest-version hint, its transaction file, one compacted data file); 6 allows for a
    # deletion file and a second data file, however many writes came before. Before: 40+
    # data files, ~43 manifests and transaction files (125 measured).
    assert n_before >= 80
    assert n_after <= 6, sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
    assert _snapshot(col, queries) == before
    assert [(p.id, p.score) for p in col.query(queries[1], filter=flt, limit=50)] == filtered
    # pruned versions are gone, the store keeps working
    assert [v["version"] for v in col.versions()] == [col.version]
    col.upsert([100], np.zeros((1, 8)))
    assert col.count() == 40


def test_optimize_keeps_tagged_versions(store: Any) -> None:
    rng = np.random.default_rng(4)
    col = store.create_collection("tagged", 4, "ip")
    for i in range(10):
        col.upsert([i], rng.standard_normal((1, 4)))
    col.tag("five", 6)
    queries = rng.standard_normal((2, 4)).astype(np.float32)
    old = [[(p.id, p.score) for p in r] for r in col.query_batch(list(queries), version="five")]
    all_versions = {v["version"] for v in col.versions()}
    out = col.optimize()  # was a RuntimeError from LanceDB ("tagged version(s) ... cleanup")
    assert out["pruned"] is False
    again = [[(p.id, p.score) for p in r] for r in col.query_batch(list(queries), version="five")]
    assert again == old
    assert col.count(version="five") == 5
    kept = {v["version"] for v in col.versions()}
    # LanceDB cannot prune around a tag: a tagged collection is compacted only, every version
    # stays (with LanceDB's default age the ones older than 7 days would go, or fail)
    assert all_versions | {col.version} <= kept
    assert kept - all_versions == set(range(max(all_versions) + 1, col.version + 1))
    col.upsert([99], np.ones((1, 4)))
    assert col.count() == 11
    assert col.count(version="five") == 5


def test_optimize_without_prune_keeps_every_version(store: Any) -> None:
    col = store.create_collection("keep", 4, "ip")
    for i in range(5):
        col.upsert([i], np.full((1, 4), i))
    versions = [v["version"] for v in col.versions()]
    out = col.optimize(prune=False)
    after = [v["version"] for v in col.versions()]
    assert after[: len(versions)] == versions  # compaction commits new versions only
    assert after[-1] == out["version"] == col.version
    assert [col.count(version=v) for v in versions] == [0, 1, 2, 3, 4, 5]
