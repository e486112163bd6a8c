"""``make bench``: speed and quality beside the peers, in one run, reported as ratios.

Every section is a module of ``benchmarks/sections`` with ``run(tmp) -> dict`` (the keys it writes
into ``benchmarks/results.json``) and ``markdown(results) -> str`` (its part of
``docs/benchmarks.md``); the module docstrings say what each measures. Published figures quoted
beside the measurements come from :mod:`embedlab.bench.references`.

``python benchmarks/run.py --only orbits`` reruns one section and keeps the others' numbers;
``--render`` measures nothing: it redraws the page and its figures (:mod:`figures`, written as
``docs/img/bench-*.svg``) from ``results.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import figures
from _common import BENCH, ROOT, lines_to_md, machine
from sections import (
    cli,
    explore,
    fastrp,
    graph,
    kg,
    layers,
    layers_m2trec,
    layers_ofa,
    losses,
    losses_mixup,
    muvera,
    orbit_pmi,
    orbits,
    retrieval,
    scale,
    scale_dask,
    serve,
    tables,
    tables_lightgcn,
    tables_stream,
    walks,
)

#: ``--only`` name -> section, in the order they run
SECTIONS = {
    "fastrp": fastrp,
    "walks": walks,
    "orbits": orbits,
    "orbit-pmi": orbit_pmi,
    "retrieval": retrieval,
    "muvera": muvera,
    "serve": serve,
    "explore": explore,
    "tables": tables,
    "tables-lightgcn": tables_lightgcn,
    "tables-stream": tables_stream,
    "kg": kg,
    "losses": losses,
    "losses-mixup": losses_mixup,
    "layers": layers,
    "ofa": layers_ofa,
    "m2trec": layers_m2trec,
    "scale": scale,
    "scale-dask": scale_dask,
    "graph": graph,
    "cli": cli,
}

#: the page, in reading order (the scale tables sit beside their methods)
PAGE = (
    fastrp.markdown,
    scale.fastrp_markdown,
    walks.markdown,
    scale.deepwalk_markdown,
    scale_dask.markdown,
    orbits.markdown,
    orbit_pmi.markdown,
    retrieval.markdown,
    muvera.markdown,
    serve.markdown,
    explore.markdown,
    tables.markdown,
    tables_lightgcn.markdown,
    tables_stream.markdown,
    kg.markdown,
    losses.markdown,
    losses_mixup.markdown,
    layers.markdown,
    layers_ofa.markdown,
    layers_m2trec.markdown,
    graph.markdown,
    cli.markdown,
)


def header(res: dict) -> str:
    m = res["machine"]
    return lines_to_md(
        [
            "# Benchmarks",
            "",
            f"Measured by `make bench` on {m['cpu']} ({m['cores']} cores), Python {m['python']}, "
            f"numpy {m['numpy']}, numba {m['numba']}; {res['date']}. Every peer runs in the same "
            "run; ratios are peer time / embedlab time (> 1: embedlab is faster).",
        ]
    )


FOOTER = (
    "Reproduce: `make bench` (needs `EMBEDLAB_DATA` pointing at the data sets; the Makefile "
    "sets it when `../shared/datasets` exists). Raw numbers: `benchmarks/results.json`."
)


def render(res: dict) -> str:
    """The whole of docs/benchmarks.md from the results dict."""
    parts = [header(res), *(part(res) for part in PAGE), FOOTER]
    return "\n\n".join(p for p in parts if p) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections among {','.join(SECTIONS)}; the others keep their "
        "numbers from benchmarks/results.json (default: all)",
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="measure nothing: re-render docs/benchmarks.md and its figures (docs/img/bench-*.svg) "
        "from benchmarks/results.json",
    )
    args = parser.parse_args()
    if args.render:
        res = json.loads((BENCH / "results.json").read_text())
        (ROOT / "docs" / "benchmarks.md").write_text(render(res))
        figures.render(res)
        return
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    if not only <= set(SECTIONS):
        sys.exit(f"unknown sections: {sorted(only - set(SECTIONS))}; choose from {list(SECTIONS)}")
    from embedlab.datasets import graph_dataset

    try:
        graph_dataset("blogcatalog")
    except Exception as exc:
        sys.exit(f"make bench needs BlogCatalog under $EMBEDLAB_DATA/graphs: {exc}")
    results = BENCH / "results.json"
    res: dict = json.loads(results.read_text()) if only != set(SECTIONS) else {}
    res.update({"date": time.strftime("%Y-%m-%d"), "machine": machine()})
    for name, section in SECTIONS.items():
        if name in only:
            with tempfile.TemporaryDirectory() as d:
                res.update(section.run(Path(d)))
    results.write_text(json.dumps(res, indent=2) + "\n")
    md = render(res)
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.md").write_text(md)
    figures.render(res)
    print(md)


if __name__ == "__main__":
    main()
