"""Durability with real processes: a bulk upsert killed by SIGKILL, and concurrent writers.

Each child is a fresh ``python -c`` process that imports embedlab from this checkout. LanceDB
commits a write by writing its data files first and then one manifest (the atomic step), so a
writer killed at any moment leaves either the old version or the new one; embedlab's per-
collection ``flock`` serialises writers of several processes, and a lock dies with its process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import embedlab
from embedlab.store import Store

SRC = str(Path(embedlab.__file__).resolve().parents[1])
N_OLD, N_NEW, DIM = 1000, 300_000, 64
OLD_BASE = 10**9  # the 1000 points already there: ids 10**9 .. 10**9 + 999


def _spawn(script: str, *args: Any, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    with open(log, "wb") as err:
        return subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script), *map(str, args)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _wait_for(path: Path, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the child exited ({proc.returncode}): {log.read_text()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the child never wrote {path.name}: {log.read_text()}")
        time.sleep(0.005)


BULK = """
    import sys
    from pathlib import Path
    import numpy as np
    from embedlab.store import Store

    root, marks, n, dim = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    col = Store(root).collection("bulk")
    x = np.random.default_rng(7).standard_normal((n, dim)).astype(np.float32)
    ids = np.arange(n, dtype=np.int64)
    (marks / "started").touch()
    col.upsert(ids, x)
    (marks / "done").touch()
"""


@pytest.fixture(scope="module")
def bulk_vectors() -> np.ndarray:
    return np.random.default_rng(7).standard_normal((N_NEW, DIM)).astype(np.float32)


def _kill_when(
    proc: subprocess.Popen[bytes], root: Path, marks: Path, trigger: str, delay: float
) -> tuple[bool, bool]:
    """SIGKILL the child ``delay`` s after ``trigger``; return (write seen, commit seen) first.

    ``"write"``: once LanceDB has begun writing the batch's data file (a new entry under
    ``data/``), i.e. midway through the upsert; ``"start"``: after the child's marker, written
    right before the upsert call; ``"done"``: after the child's marker written once the
    upsert returned (the batch is committed: it must survive the kill).
    """
    data = root / "bulk.lance" / "data"
    before = set(data.iterdir())
    if trigger == "write":
        deadline = time.monotonic() + 60
        while set(data.iterdir()) == before and proc.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.001)
    if trigger == "done":
        while not (marks / "done").exists() and proc.poll() is None:
            time.sleep(0.001)
    time.sleep(delay)
    writing = set(data.iterdir()) != before
    finished = (marks / "done").exists()
    proc.send_signal(signal.SIGKILL)
    return writing, finished


@pytest.mark.parametrize(
    ("trigger", "low", "high"),
    [("write", 0.0, 0.05), ("write", 0.1, 0.3), ("start", 1.0, 3.0), ("done", 0.0, 0.02)],
)
def test_sigkill_during_bulk_upsert_leaves_all_or_nothing(
    tmp_path: Path, bulk_vectors: np.ndarray, trigger: str, low: float, high: float
) -> None:
    root = tmp_path / "store"
    rng = np.random.default_rng()  # the kill time is meant to vary from run to run
    old = np.random.default_rng(1).standard_normal((N_OLD, DIM)).astype(np.float32)
    col = Store(root).create_collection("bulk", DIM, "l2", payload_schema={"i": "integer"})
    col.upsert(np.arange(OLD_BASE, OLD_BASE + N_OLD), old, [{"i": -1}] * N_OLD)
    log = tmp_path / "child.log"
    proc = _spawn(BULK, root, tmp_path, N_NEW, DIM, log=log)
    _wait_for(tmp_path / "started", proc, log)
    wait = float(rng.uniform(low, high))
    writing, finished_before = _kill_when(proc, root, tmp_path, trigger, wait)
    assert proc.wait(timeout=30) in (-signal.SIGKILL, 0), log.read_text()
    if trigger == "write":
        assert writing, "the child was killed before LanceDB began writing"
    if trigger == "done":
        assert finished_before, log.read_text()

    store = Store(root)  # a fresh reader of what is on disk
    again = store.collection("bulk")
    count = again.count()
    assert count in (N_OLD, N_OLD + N_NEW), f"partial batch after a kill at {trigger}+{wait:.3f}"
    if finished_before:
        assert count == N_OLD + N_NEW
    # the old points are intact either way
    some_old = [OLD_BASE, OLD_BASE + 517, OLD_BASE + N_OLD - 1]
    got = again.get(some_old, with_vectors=True)
    assert [p.id for p in got] == some_old
    for p in got:
        np.testing.assert_array_equal(np.asarray(p.vector, np.float32), old[p.id - OLD_BASE])
    hit = again.query(old[17], limit=1)[0]
    assert (hit.id, hit.score) == (OLD_BASE + 17, 0.0)
    if count == N_OLD + N_NEW:  # the whole batch, exactly
        for i in (0, 123_456, N_NEW - 1):
            (p,) = again.get([i], with_vectors=True)
            assert p.payload == {}
            np.testing.assert_array_equal(np.asarray(p.vector, np.float32), bulk_vectors[i])
        hit = again.query(bulk_vectors[4242], limit=1)[0]
        assert (hit.id, hit.score) == (4242, 0.0)
        assert again.count({"must": [{"key": "i", "match": {"value": -1}}]}) == N_OLD
    else:
        assert again.get([0, N_NEW - 1]) == []
    # the dead writer's lock went with it: the store takes writes and compacts
    again.upsert([-1], np.zeros((1, DIM)))
    assert again.count() == count + 1
    again.optimize()
    assert Store(root).collection("bulk").count() == count + 1


WRITER = """
    import sys, time
    from pathlib import Path
    import numpy as np
    from embedlab.store import Store

    root, go, w = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    col = Store(root).collection("shared")
    while not go.exists():
        time.sleep(0.002)
    start = 500 * w
    for b in range(5):
        ids = np.arange(start + 200 * b, start + 200 * (b + 1), dtype=np.int64)
        x = np.zeros((len(ids), 4), dtype=np.float32)
        x[:, 0] = ids
        x[:, 1] = w
        col.upsert(ids, x, [{"w": w}] * len(ids))
"""


def test_four_processes_upserting_overlapping_ids(tmp_path: Path) -> None:
    root = tmp_path / "store"
    Store(root).create_collection("shared", 4, "l2", payload_schema={"w": "integer"})
    go = tmp_path / "go"
    logs = [tmp_path / f"w{w}.log" for w in range(4)]
    procs = [_spawn(WRITER, root, go, w, log=logs[w]) for w in range(4)]
    go.touch()
    for proc, log in zip(procs, logs, strict=True):
        assert proc.wait(timeout=120) == 0, log.read_text()
    col = Store(root).collection("shared")
    expected = set(range(500 * 3 + 1000))  # writer w: ids 500 w .. 500 w + 999
    assert col.count() == len(expected)
    seen: list[int] = []
    cursor = None
    while True:
        page, cursor = col.scroll(limit=700, offset=cursor, with_vectors=True)
        for p in page:
            vec = np.asarray(p.vector, np.float32)
            # each row is one writer's row whole: its id, its writer's vector and payload
            assert vec[0] == p.id
            assert vec[1] == p.payload["w"]
            assert 500 * p.payload["w"] <= p.id < 500 * p.payload["w"] + 1000
        seen += [p.id for p in page]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))  # no duplicates
    assert set(seen) == expected
    # 4 writers x 5 commits, one version each, after the creation
    assert col.version == 1 + 20
