"""MUVERA on SciFact token vectors: brute-force MaxSim and FDE search + re-rank; FDE encoding
speed beside muvera-python (Rust, peer venv ``benchmarks/.peers/muvera``). The measurement lives
beside the other SciFact studies in :mod:`sections.retrieval`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from _common import PEERS, ensure_venv, lines_to_md, log
from sections import retrieval

KEYS = ("muvera",)


def ensure_muvera_peer() -> str:
    venv_dir = PEERS / "muvera"
    ensure_venv(venv_dir, ["muvera-python==0.2.0", "numpy"], ["muvera-python"])
    return str(venv_dir / "bin" / "python")


def run(tmp: Path) -> dict:
    log("MUVERA: SciFact token vectors, MaxSim, FDE settings, muvera-python")
    with tempfile.TemporaryDirectory() as d:
        return {"muvera": retrieval.muvera_scifact(ensure_muvera_peer(), Path(d))}


def markdown(res: dict) -> str:
    return lines_to_md(retrieval.muvera_markdown(res))
