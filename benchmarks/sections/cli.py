"""Start-up time of the ``embedlab`` command: whole processes, beside ``python -c pass``.

``embedlab --version`` and ``--help`` import no family (the root knows its groups by name), so a
shell answer costs Python's start plus Typer. Each command runs ``REPEATS`` times in a fresh
process; the table gives the median wall time and the ratio to an empty interpreter.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import lines_to_md, log

KEYS = ("cli",)
REPEATS = 15


def _time(argv: list[str]) -> float:
    runs = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def run(tmp: Path) -> dict:
    """Median wall seconds of each command in a new process."""
    script = str(Path(sys.executable).with_name("embedlab"))
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "embedlab --version": [script, "--version"],
        "embedlab --help": [script, "--help"],
        "embedlab embed --help": [script, "embed", "--help"],
    }
    out = {}
    for name, argv in commands.items():
        out[name] = _time(argv)
        log(f"cli: {name} {out[name] * 1000:.0f} ms")
    return {"cli": {"repeats": REPEATS, "seconds": out}}


def markdown(res: dict) -> str:
    """The start-up table."""
    r = res.get("cli")
    if not r:
        return ""
    base = r["seconds"]["python -c pass"]
    lines = [
        "## CLI start-up",
        "",
        f"Whole-process wall time, median of {r['repeats']} runs "
        "(`python benchmarks/run.py --only cli`). `embedlab --version` and `--help` import no "
        "family; `embed --help` imports the embedders to list their docstrings.",
        "",
        "| command | median | vs `python -c pass` |",
        "|---|---:|---:|",
    ]
    for name, sec in r["seconds"].items():
        lines.append(f"| `{name}` | {sec * 1000:.0f} ms | {sec / base:.1f}x |")
    return lines_to_md(lines)
