"""Knowledge-graph peers (issue 19): PyKEEN's TransE, DistMult, ComplEx, RotatE and QuatE on its
own bundled Kinships and Nations, with the best published settings at embedlab's dimension.

PyKEEN runs in its own venv ``benchmarks/.peers/pykeen`` (created on first use: torch 2.13 CPU
from the local wheel first, then PyKEEN), offline, one child process per (model, data set), each
``torch.set_num_threads(2)`` unless told otherwise. Where each model's settings come from is in
``benchmarks/peers/pykeen_kg.py`` (the Kinships winners of Ali et al., 2021; QuatE: PyKEEN's
shipped Zhang et al., 2019 configuration). Reported: test MRR and Hits@1/3/10 (both sides,
filtered with train + valid, PyKEEN's realistic rank and the pessimistic one), training seconds
and mean seconds per epoch (the first epoch left out).

The embedlab side and the tables are in ``kg.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import venv
from typing import Any

from _common import BENCH, PEERS, ChildFailed, child, log

PYKEEN = PEERS / "pykeen"
PYKEEN_PY = PYKEEN / "bin" / "python"
PYKEEN_VERSION = "1.11.1"
SCRIPT = BENCH / "peers" / "pykeen_kg.py"
MODELS = ("transe", "distmult", "complex", "rotate", "quate")
DATASETS = ("kinships", "nations")


def ensure_pykeen() -> dict[str, str]:
    """PyKEEN in its own venv; returns the installed pykeen and torch versions.

    torch goes in first and alone, pinned to the CPU build whose wheel lies on this machine
    (``torch==2.13.0``; any other spec pulls a multi-GB CUDA build), then PyKEEN, which keeps it.
    """
    code = "import importlib.metadata as m; print(m.version('pykeen'), m.version('torch'))"

    def versions() -> list[str] | None:
        if not PYKEEN_PY.exists():
            return None
        out = subprocess.run([str(PYKEEN_PY), "-c", code], capture_output=True, text=True)
        return out.stdout.split() if out.returncode == 0 else None

    found = versions()
    if found is None:  # absent, or a half-finished install
        log("creating the PyKEEN peer venv in benchmarks/.peers/pykeen")
        if not PYKEEN_PY.exists():
            venv.create(PYKEEN, with_pip=True)
        pip = [str(PYKEEN_PY), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "torch==2.13.0"], check=True)
        subprocess.run([*pip, f"pykeen=={PYKEEN_VERSION}"], check=True)
        found = versions()
        if found is None:
            raise RuntimeError("the PyKEEN peer venv was created but 'import pykeen' fails")
    return {"pykeen": found[0], "torch": found[1]}


def _offline_env(home: str) -> dict[str, str]:
    """The child's environment: no network (every request fails at once), caches in ``home``."""
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYSTOW_HOME=home,  # PyKEEN's data/cache folder (its bundled sets need none)
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        no_proxy="",
        NO_PROXY="",
    )
    return env


def pykeen_rows(
    models: list[str] | tuple[str, ...] = MODELS,
    datasets: list[str] | tuple[str, ...] = DATASETS,
    dim: int = 64,
    epochs: int | dict[str, int] = 60,
    seed: int = 0,
    batch: int | dict[str, int] = 0,
    threads: int = 2,
) -> list[dict[str, Any]]:
    """One row per (model, data set): PyKEEN's test metrics, times and settings.

    ``epochs`` and ``batch`` are one number for every model or a dict model -> number; 0 means
    the published one. ``threads``: torch threads of each PyKEEN process (2 by the issue; on a
    machine shared with other work, 1 avoids the oversubscription that makes 2 threads several
    times slower). A run that fails gives a row with ``error`` (and the metrics absent)
    instead of stopping the section.
    """
    versions = ensure_pykeen()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as home:
        env = _offline_env(home)
        env["PYKEEN_KG_THREADS"] = str(threads)
        for dataset in datasets:
            for model in models:
                n_epochs = epochs[model] if isinstance(epochs, dict) else epochs
                n_batch = batch.get(model, 0) if isinstance(batch, dict) else batch
                cmd = [str(PYKEEN_PY), str(SCRIPT), dataset, model, str(dim)]
                cmd += [str(n_epochs), str(n_batch), str(seed)]
                log(f"kg peers: PyKEEN {model} on {dataset} (d={dim}, {n_epochs} epochs)")
                try:
                    wall, rss, text = child(cmd, env)
                    row = json.loads(text.strip().splitlines()[-1])
                    row.update(wall_s=wall, peak_rss_mib=rss)
                except ChildFailed as exc:
                    row = {
                        "model": model,
                        "dataset": dataset,
                        "dim": dim,
                        "seed": seed,
                        "error": f"exit code {exc.code}",
                        "peak_rss_mib": exc.rss_mib,
                    }
                row["pykeen"] = versions["pykeen"]
                rows.append(row)
                if "error" not in row:
                    log(
                        f"kg peers: PyKEEN {model} {dataset}: MRR {row['mrr']:.3f}, "
                        f"Hits@10 {row['hits@10']:.3f}, {row['epoch_s']:.2f} s/epoch, "
                        f"train {row['train_s']:.0f} s"
                    )
    return rows


if __name__ == "__main__":  # PYTHONPATH=benchmarks python benchmarks/sections/kg_peers.py [EPOCHS]
    import sys

    print(json.dumps(pykeen_rows(epochs=int(sys.argv[1]) if len(sys.argv) > 1 else 60), indent=2))


#: PyKEEN model -> the embedlab row (in the section's Kinships / Nations tables) beside it
OURS = {
    "transe": "TransE (negative sampling, margin)",
    "distmult": "DistMult (1-N)",
    "complex": "ComplEx (1-N)",
    "rotate": "RotatE (self-adversarial negative sampling)",
}


def markdown_lines(r: dict[str, Any]) -> list[str]:
    """The PyKEEN tables of the kg section (``r`` is ``results["kg"]``)."""
    import statistics

    if "pykeen" not in r:
        return []
    p = r["pykeen"]
    quality = [x for x in p["quality"] if "error" not in x]
    failed = [x for x in p["quality"] if "error" in x]
    version = quality[0]["pykeen"] if quality else "?"
    lines = [
        f"### PyKEEN {version} beside embedlab, same data and dimension",
        "",
        "PyKEEN's own bundled Kinships and Nations, the Kinships winners of its benchmarking "
        "study (Ali et al., 2021; Nations has no study entry and takes the same settings; QuatE "
        "PyKEEN's shipped Zhang et al. configuration), its realistic rank (pessimistic in "
        "brackets), one seed, trained for the epochs shown (the study trains 300-800); "
        "embedlab: the mean of its seeds above. The train times of this table were taken on a "
        "machine busy with other work (PyKEEN's partly at low priority beside a test run): the "
        "controlled speed comparison is the next table, both sides measured alone.",
        "",
        "| data | model | PyKEEN loop, loss | epochs | PyKEEN MRR | PyKEEN Hits@10 | PyKEEN "
        "train | embedlab MRR | embedlab Hits@10 | embedlab train |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for x in quality:
        ours = r.get(x["dataset"], {}).get(OURS.get(x["model"], ""), [])
        if ours:
            om = statistics.fmean(o["mrr_realistic"] for o in ours)
            oh = statistics.fmean(o["hits@10_realistic"] for o in ours)
            ot = statistics.fmean(o["train_s"] for o in ours)
            tail = f"{om:.3f} | {oh:.3f} | {ot:.1f} s |"
        else:
            tail = "— | — | — |"
        lines.append(
            f"| {x['dataset']} | {x['model']} | {x['training_loop']}, {x['loss']} | "
            f"{x['epochs']} | {x['mrr']:.3f} ({x['mrr_pessimistic']:.3f}) | "
            f"{x['hits@10']:.3f} | {x['train_s']:.1f} s | {tail}"
        )
    for x in failed:
        lines.append(f"| {x['dataset']} | {x['model']} | failed: {x['error']} | | | | | | | |")
    t = p["timing"]
    lines += [
        "",
        f"#### Training speed: 1-N scoring, batches of {t['batch']}, {t['epochs']} epochs on "
        "Kinships, same run",
        "",
        "PyKEEN's LCWA loop batches unique (head, relation) queries (3,131 on Kinships with "
        "inverse triples), embedlab's 1-N loop every training triple and its reciprocal (17,088) "
        "as the NFE reference does: an embedlab epoch is 5.4x the work of a PyKEEN epoch, a batch "
        "(B queries scored against every entity) is the same work on both sides.",
        "",
        "| model | embedlab s / epoch (batches) | PyKEEN s / epoch (batches) | epoch: PyKEEN / "
        "embedlab | ms / batch embedlab | ms / batch PyKEEN | batch: PyKEEN / embedlab |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for x in t["rows"]:
        if x["pykeen_epoch_s"] is None:
            lines.append(f"| {x['model']} | {x['embedlab_epoch_s']:.3f} | failed | | | | |")
            continue
        ob = 1000 * x["embedlab_epoch_s"] / x["embedlab_batches"]
        pb = 1000 * x["pykeen_epoch_s"] / x["pykeen_batches"]
        lines.append(
            f"| {x['model']} | {x['embedlab_epoch_s']:.3f} ({x['embedlab_batches']}) | "
            f"{x['pykeen_epoch_s']:.3f} ({x['pykeen_batches']}) | "
            f"{x['pykeen_epoch_s'] / x['embedlab_epoch_s']:.1f}x | {ob:.2f} | {pb:.2f} | "
            f"{pb / ob:.1f}x |"
        )
    lines.append("")
    return lines
