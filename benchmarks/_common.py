"""Helpers shared by the benchmark sections and scripts (run as ``python benchmarks/<script>.py``).

Peers run in their own venvs under ``benchmarks/.peers`` (created on first use, never the
project's); child processes are timed with GNU time for an honest peak RSS.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
PEERS = BENCH / ".peers"
GNU_TIME = "/usr/bin/time"


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def rss_mib() -> float:
    """Resident memory of this process now, MiB (Linux ``/proc``)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib() -> float:
    """Peak resident memory of this process, MiB (``VmHWM``: unlike ``ru_maxrss``, it does not
    count the parent's memory at the fork that started this process)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def ensure_venv(venv_dir: Path, packages: list[str], versions_of: list[str]) -> dict[str, str]:
    """A peer's own venv under benchmarks/.peers (created on first use, never the project's);
    returns the installed versions of ``versions_of``."""
    python = venv_dir / "bin" / "python"
    if not python.exists():
        log(f"creating the peer venv ({', '.join(packages)}) in {venv_dir.relative_to(ROOT)}")
        venv.create(venv_dir, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *packages], check=True)
    code = "import importlib.metadata as m, sys; print(*[m.version(p) for p in sys.argv[1:]])"
    out = subprocess.run(
        [str(python), "-c", code, *versions_of], capture_output=True, text=True, check=True
    )
    return dict(zip(versions_of, out.stdout.split(), strict=True))


class ChildFailed(RuntimeError):
    """A peer process failed; ``rss_mib`` and ``code`` say how (137: killed, e.g. out of memory)."""

    def __init__(self, cmd: list[str], code: int, rss_mib: float, err: str) -> None:
        super().__init__(f"{cmd} failed with exit code {code}: {err[-2000:]}")
        self.code, self.rss_mib = code, rss_mib


def child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of a child process; raises ChildFailed.

    The peak RSS is measured by GNU time around the command: a child forked straight from this
    (large) process would report this process's resident memory at the fork as its own peak.
    """
    if not Path(GNU_TIME).exists():
        sys.exit(f"make bench measures peak memory with GNU time; {GNU_TIME} is missing")
    t0 = time.perf_counter()
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as rss_file,
    ):
        wrapped = [GNU_TIME, "-f", "%M", "-o", rss_file.name, *cmd]
        code = subprocess.run(wrapped, env=env, stdout=out, stderr=err, check=False).returncode
        wall = time.perf_counter() - t0
        lines = [x for x in Path(rss_file.name).read_text().splitlines() if x.strip()]
        rss = int(lines[-1]) / 1024 if lines and lines[-1].strip().isdigit() else float("nan")
        if code != 0:
            err.seek(0)
            raise ChildFailed(cmd, code, rss, err.read().decode())
        out.seek(0)
        return wall, rss, out.read().decode()


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of a child process."""
    wall, rss, _ = child(cmd, env)
    return wall, rss


def timed_json(cmd: list[str]) -> tuple[float, float, dict]:
    """(wall seconds, peak RSS MiB, the JSON it printed last) of a child process."""
    wall, rss, text = child(cmd)
    return wall, rss, json.loads(text.strip().splitlines()[-1])


def peer_json(cmd: list[str]) -> dict:
    """The JSON a peer script printed last."""
    return timed_json(cmd)[2]


def script_json(script: str, *args: str) -> dict:
    """The JSON a script of benchmarks/ printed last, run with this Python in its own process."""
    out = subprocess.run(
        [sys.executable, str(BENCH / script), *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numba
    import numpy as np

    import embedlab

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "embedlab": embedlab.__version__,
    }


def lines_to_md(lines: list[str]) -> str:
    """A section's markdown lines as one block, without trailing blank lines (the driver puts
    one blank line between sections)."""
    while lines and not lines[-1]:
        lines = lines[:-1]
    return "\n".join(lines)
