"""Without a terminal, long work reports plain lines (issue 25 #10); short work stays silent."""

import pytest

from embedlab.utils import progress as P


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 0.0}
    monkeypatch.setattr(P, "_clock", lambda: now["t"])
    monkeypatch.setattr(P.sys.stderr, "isatty", lambda: False, raising=False)
    monkeypatch.delenv("EMBEDLAB_QUIET", raising=False)
    monkeypatch.setenv("EMBEDLAB_PROGRESS_INTERVAL", "30")
    return now


def test_a_line_per_interval_and_a_last_one(clock, capsys):
    with P.progress("encoding corpus", 400, min_total=1, fields={"rate": ""}) as bar:
        for _ in range(4):
            clock["t"] += 20  # 20 s per 100 texts: a line at 40 s and at 80 s, not at 20 s or 60 s
            bar.advance(100, rate="5 texts/s")
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "encoding corpus: 200/400 (50%), 40s elapsed, ~40s left, 5 texts/s",
        "encoding corpus: 400/400 done in 1m20s, 5 texts/s",
    ]


def test_short_work_writes_nothing(clock, capsys):
    with P.progress("quick", 10, min_total=1) as bar:
        clock["t"] += 29
        bar.advance(10)
    assert capsys.readouterr().err == ""


def test_quiet_and_small_work_write_nothing(clock, capsys):
    P.set_quiet(True)
    try:
        with P.progress("x", 10, min_total=1) as bar:
            clock["t"] += 100
            bar.advance(5)
    finally:
        P.set_quiet(None)
    with P.progress("x", 10, min_total=100) as bar:
        clock["t"] += 100
        bar.advance(5)
    assert capsys.readouterr().err == ""
