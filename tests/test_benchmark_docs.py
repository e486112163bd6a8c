"""docs/benchmarks.md is exactly what the benchmark sections render from benchmarks/results.json
(no number typed by hand, no section missing from the page)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_page_is_rendered_from_the_results():
    res = subprocess.run(
        [sys.executable, "benchmarks/check_markdown.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "identical" in res.stdout
