"""Embedding tables on Gowalla: LightGCN with the full table, capped at 40 minutes of training
(the study and its table are :mod:`sections.tables`'s, run for ``model="lightgcn"``)."""

from __future__ import annotations

from pathlib import Path

from _common import lines_to_md, log
from sections import tables

KEYS = ("tables_lightgcn",)
TIME_LIMIT_S = 2400.0


def run(tmp: Path) -> dict:
    log("embedding tables: Gowalla, LightGCN, full table (40 minutes of training at most)")
    return {
        "tables_lightgcn": tables.tables_gowalla(
            "lightgcn", time_limit=TIME_LIMIT_S, methods=("full",)
        )
    }


def markdown(res: dict) -> str:
    return lines_to_md(tables.markdown_lines({k: res[k] for k in KEYS if k in res}))
