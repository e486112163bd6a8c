"""Check that the sections render docs/benchmarks.md from benchmarks/results.json unchanged.

``python benchmarks/check_markdown.py`` imports every section (nothing is measured) and compares
``run.render(results)`` with the page on disk; prints a unified diff and exits 1 when they differ.
"""

from __future__ import annotations

import difflib
import json
import sys

from _common import BENCH, ROOT


def main() -> int:
    import run

    res = json.loads((BENCH / "results.json").read_text())
    page = (ROOT / "docs" / "benchmarks.md").read_text()
    got = run.render(res)
    if got == page:
        print(f"docs/benchmarks.md: rendered from results.json, identical ({len(page):,} chars)")
        return 0
    sys.stdout.writelines(
        difflib.unified_diff(
            page.splitlines(keepends=True),
            got.splitlines(keepends=True),
            "docs/benchmarks.md",
            "rendered",
        )
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
