"""Check that the sections render docs/benchmarks.md and its figures from benchmarks/results.json.

``python benchmarks/check_markdown.py`` imports every section (nothing is measured) and compares
``run.render(results)`` with the page on disk (a unified diff and exit 1 when they differ); then
it checks the figures: every image the page links exists, no ``docs/img/bench-*`` file is left
unlinked, and drawing the figures again (:func:`figures.render` into a temporary folder) gives
the committed files byte for byte. SVG output is deterministic for one matplotlib version, not
across versions (tick placement and path output change), so the bytes are compared when the
running matplotlib is the one named in the committed files, and only their presence otherwise.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
import tempfile
from pathlib import Path

from _common import BENCH, ROOT

_CREATOR = re.compile(rb"Matplotlib v([0-9][^,<]*)")


def check_figures(res: dict, page: str) -> list[str]:
    """Problems with the page's figures (an empty list when they are what the results draw)."""
    import figures

    img = ROOT / "docs"
    linked = set(re.findall(r"\]\((img/bench-[^)]+)\)", page))
    problems = [
        f"docs/{name} is linked from the page but missing"
        for name in sorted(linked)
        if not (img / name).is_file()
    ]
    on_disk = {f"img/{p.name}" for p in figures.IMG.glob("bench-*")}
    problems += [f"docs/{name} is not linked from the page" for name in sorted(on_disk - linked)]
    try:
        import matplotlib
    except ImportError:
        print("figures: matplotlib is not installed; their bytes are not compared")
        return problems
    with tempfile.TemporaryDirectory() as tmp:
        drawn = {f"img/{p.name}": p.read_bytes() for p in figures.render(res, Path(tmp))}
        problems += [
            f"the results draw docs/{name}, which the page does not link"
            for name in sorted(set(drawn) - linked)
        ]
        for name in sorted(set(drawn) & on_disk):
            committed = (img / name).read_bytes()
            made_with = _CREATOR.search(committed)
            version = made_with.group(1).decode() if made_with else "?"
            if version != matplotlib.__version__:
                print(
                    f"figures: docs/{name} was drawn with matplotlib {version}, this is "
                    f"{matplotlib.__version__}; bytes not compared"
                )
            elif committed != drawn[name]:
                problems.append(f"docs/{name} differs from what results.json draws")
        problems += [
            f"docs/{name} is linked from the page but the results draw no such figure"
            for name in sorted(linked - set(drawn))
        ]
    return problems


def main() -> int:
    import run

    res = json.loads((BENCH / "results.json").read_text())
    page = (ROOT / "docs" / "benchmarks.md").read_text()
    got = run.render(res)
    if got != page:
        sys.stdout.writelines(
            difflib.unified_diff(
                page.splitlines(keepends=True),
                got.splitlines(keepends=True),
                "docs/benchmarks.md",
                "rendered",
            )
        )
        return 1
    problems = check_figures(res, page)
    if problems:
        print("\n".join(problems))
        print("redraw them: python benchmarks/run.py --render")
        return 1
    print(
        f"docs/benchmarks.md: rendered from results.json, identical ({len(page):,} chars); "
        f"its figures too"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
