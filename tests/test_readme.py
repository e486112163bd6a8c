"""The README's quick start, run as a newcomer would: its own commands, copied from the README,
in a fresh folder with a fresh HOME, through the installed `embedlab` script (a new process each),
and the numbers it promises."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _quick_start_commands() -> list[str]:
    text = README.read_text()
    section = text[text.index("## Quick start") :]
    start = section.index("```bash") + len("```bash")
    block = section[start : section.index("```", start)]
    joined = block.replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip()]


def _embedlab() -> str:
    script = Path(sys.executable).with_name("embedlab")
    return str(script) if script.exists() else shutil.which("embedlab") or "embedlab"


def test_quick_start_is_what_the_readme_says():
    cmds = _quick_start_commands()
    assert cmds[0] == "source .venv/bin/activate"
    assert cmds[1].startswith("export EMBEDLAB_DATA=")
    assert [c.split()[1] for c in cmds[2:] if c.startswith("embedlab")] == [
        "datasets",
        "embed",
        "eval",
    ]


@pytest.mark.slow
@pytest.mark.data
def test_quick_start_runs_from_a_fresh_folder(data_dir, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": f"{Path(_embedlab()).parent}{os.pathsep}/usr/bin:/bin",
        "HOME": str(home),
        "EMBEDLAB_DATA": str(data_dir),
        "LANG": "C.UTF-8",
    }
    promised: dict[str, float] = {}
    outputs = []
    for cmd in _quick_start_commands():
        if cmd.startswith("#"):  # the README's expected output, e.g. {"micro_f1@0.1": 0.375, ...}
            promised = {k: float(v) for k, v in re.findall(r'"([^"]+)": ([0-9.]+)', cmd)}
            continue
        if cmd.startswith(("source ", "export ")):
            continue  # done above through env
        argv = shlex.split(cmd)
        argv[0] = _embedlab()
        res = subprocess.run(
            argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1200, check=False
        )
        assert res.returncode == 0, (cmd, res.stderr)
        outputs.append(res.stdout)
    assert "blogcatalog" in outputs[0]
    scores = json.loads(outputs[-1])
    assert promised, "the README shows the expected scores"
    for key, value in promised.items():
        assert scores[key] == pytest.approx(value, abs=0.005), key
