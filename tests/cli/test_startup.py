"""The root CLI answers --version and --help without importing any family (checked in a fresh
interpreter: what a user's shell runs)."""

import json
import subprocess
import sys

import pytest

from embedlab import __version__

_PROBE = """
import json, sys
from embedlab.cli import main
try:
    main({argv!r})
except SystemExit as exc:
    code = exc.code
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {{'numpy', 'numba', 'scipy', 'torch',
    'pyarrow', 'sklearn', 'faiss', 'sentence_transformers', 'rich'}})
families = sorted(m for m in sys.modules if m.startswith('embedlab.') and m.split('.')[1] in {{'graph', 'tables',
    'retrieval', 'text', 'eval', 'io', 'datasets', 'bench', 'testing', 'kg', 'losses'}})
sys.stderr.write(json.dumps({{'code': code, 'heavy': heavy, 'families': families}}))
"""


def _probe(argv: list[str]) -> tuple[str, dict]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    *rest, last = out.stderr.strip().splitlines()
    return out.stdout + "\n".join(rest), json.loads(last)


@pytest.mark.parametrize("argv", [["--version"], ["--help"], []])
def test_root_imports_no_family(argv):
    stdout, info = _probe(argv)
    assert info["heavy"] == [], info
    assert info["families"] == [], info
    if argv == ["--version"]:
        assert stdout.strip() == f"embedlab {__version__}"
        assert info["code"] in (0, None)
    else:
        assert "Commands" in stdout  # no arguments: the help too, as a usage error
        assert info["code"] == (0 if argv else 2)
        for group in ("embed", "eval", "bench", "index", "text", "datasets", "demo"):
            assert f"\n  {group} " in stdout


def test_a_group_imports_only_itself():
    _, info = _probe(["graph", "--help"])
    assert info["heavy"] == [], info  # the orbit kernels load only when the command runs


def test_a_closed_pipe_ends_quietly():
    """Issue 25 #18: `embedlab ... | head` ends without a BrokenPipeError traceback."""
    import os
    from pathlib import Path

    script = str(Path(sys.executable).with_name("embedlab"))
    read, write = os.pipe()
    proc = subprocess.Popen(
        [script, "datasets", "list", "--json"], stdout=write, stderr=subprocess.PIPE
    )
    os.close(write)
    os.close(read)  # the reader leaves before reading anything
    _, err = proc.communicate(timeout=120)
    assert err == b""  # no traceback, no message: the reader chose to stop
    assert proc.returncode in (0, 1)  # click's own EPIPE handling exits 1


def test_ctrl_c_while_a_group_loads(monkeypatch, capsys):
    """Issue 25 #18: Ctrl-C during start-up is one line and exit code 130, no traceback."""
    import importlib

    from embedlab.cli import main

    real = importlib.import_module

    def interrupted(name, *args, **kwargs):
        if name.startswith("embedlab.cli."):
            raise KeyboardInterrupt
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", interrupted)
    with pytest.raises(SystemExit) as exc:
        main(["graph", "--help"])
    assert exc.value.code == 130
    assert capsys.readouterr().err == "error: interrupted.\n"
