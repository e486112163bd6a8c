from embedlab.utils import progress as P


def test_hidden_for_small_work_and_quiet(monkeypatch):
    monkeypatch.setattr(P.sys.stderr, "isatty", lambda: True, raising=False)
    assert P.progress_enabled(10, 1)
    assert not P.progress_enabled(10, 100)
    P.set_quiet(True)
    try:
        assert not P.progress_enabled(10, 1)
    finally:
        P.set_quiet(None)
    monkeypatch.setenv("EMBEDLAB_QUIET", "1")
    assert not P.progress_enabled(10, 1)


def test_not_a_terminal(monkeypatch):
    monkeypatch.setattr(P.sys.stderr, "isatty", lambda: False, raising=False)
    assert not P.progress_enabled(10, 1)
    with P.progress("x", 10, min_total=1) as bar:
        bar.advance(3)  # a no-op handle, must not fail
