"""Knowledge-graph peers (issue 19): PyKEEN's TransE, DistMult, ComplEx, RotatE and QuatE on its
own bundled Kinships and Nations, with the best published settings at embedlab's dimension.

PyKEEN runs in its own venv ``benchmarks/.peers/pykeen`` (created on first use: torch 2.13 CPU
from the local wheel first, then PyKEEN), offline, one child process per (model, data set), each
``torch.set_num_threads(2)`` unless told otherwise. Where each model's settings come from is in
``benchmarks/peers/pykeen_kg.py`` (the Kinships winners of Ali et al., 2021; QuatE: PyKEEN's
shipped Zhang et al., 2019 configuration). Reported: test MRR and Hits@1/3/10 (both sides,
filtered with train + valid, PyKEEN's realistic rank and the pessimistic one), training seconds
and mean seconds per epoch (the first epoch left out).

Draft: the embedlab side, ``run``/``markdown`` and the registration in ``benchmarks/run.py`` are
the lead's.
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
