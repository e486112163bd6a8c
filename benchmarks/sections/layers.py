"""Large-model layers (issue 29): MemoryFormer and Mixture-of-Transformers, 3 seeds each.

* MemoryFormer's block (hashed memory layers, tau = 8) against the dense pre-norm block of the
  same width, a character-level language model over SciFact's documents
  (:func:`~embedlab.bench.reproduce.large_models.memoryformer_run`): validation loss, bits per
  character, the linear maps' FLOPs per token and the blocks' parameters.
* Mixture-of-Transformers (2 modalities) against the dense block of the same architecture on the
  generated text / image-patch sequences (:func:`~embedlab.bench.reproduce.large_models.mot_run`):
  per-modality validation loss and the share of the steps MoT needs to reach the dense model's
  final loss.

Both are small, honest stand-ins for the papers' billion-parameter runs (stated on the page).
Run through ``python benchmarks/run.py --only layers`` (part of ``make bench``).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from _common import log
from figures import link
from sections.losses import _col, _ms

KEYS = ("layers",)
SEEDS = (0, 1, 2)


def _threads() -> None:
    import torch

    torch.set_num_threads(1)


def run_memoryformer() -> dict[str, Any]:
    from embedlab.bench.reproduce.large_models import CHAR_LM, char_lm_data, memoryformer_run

    data = char_lm_data(CHAR_LM["length"])
    rows: dict[str, list[dict[str, Any]]] = {"dense": [], "memoryformer": []}
    for seed in SEEDS:
        for block in rows:
            t0 = time.perf_counter()
            out = memoryformer_run(block, seed, data=data)
            rows[block].append({**out, "seconds": time.perf_counter() - t0})
            log(f"  memoryformer {block} seed {seed}: {out['val_loss']:.4f}")
    return rows


def run_mot() -> dict[str, Any]:
    from embedlab.bench.reproduce.large_models import mot_run, mot_step_shares, two_modality_data

    data = two_modality_data()
    rows: dict[str, list[dict[str, Any]]] = {"dense": [], "mot": []}
    for seed in SEEDS:
        curves = {}
        for label, m in (("dense", 1), ("mot", 2)):
            t0 = time.perf_counter()
            out = mot_run(m, seed, data=data)
            curve = out.pop("curve")
            curves[label] = curve
            rows[label].append(
                {
                    **out,
                    "steps": list(curve.steps),
                    "curve": [list(v) for v in curve.val_loss_by_modality],
                    "seconds": time.perf_counter() - t0,
                }
            )
            log(
                f"  mot {label} seed {seed}: text {out['text_loss']:.4f} image {out['image_loss']:.4f}"
            )
        text, image = mot_step_shares(curves["mot"], curves["dense"])
        rows["mot"][-1].update(text_share=text, image_share=image)
    return rows


def run(tmp: Any) -> dict[str, Any]:
    log("layers: MemoryFormer, Mixture-of-Transformers")
    _threads()
    import datetime

    from _common import machine

    m = machine()
    measured = f"{m['cpu']}, {m['cores']} cores, {datetime.date.today().isoformat()}"
    return {
        "layers": {
            "seeds": list(SEEDS),
            "measured_on": measured,
            "memoryformer": run_memoryformer(),
            "mot": run_mot(),
        }
    }


def markdown_lines(res: dict[str, Any]) -> list[str]:
    if "layers" not in res:
        return []
    from embedlab.bench.reproduce.large_models import CHAR_LM, MOT_RUN

    r = res["layers"]
    n = len(r["seeds"])
    mf, mot = r["memoryformer"], r["mot"]
    dense_flops = statistics.fmean(_col(mf["dense"], "linear_flops_per_token"))
    mem_flops = statistics.fmean(_col(mf["memoryformer"], "linear_flops_per_token"))
    lines = [
        "## Large-model layers (MemoryFormer, Mixture-of-Transformers)",
        "",
        f"{n} seeds, mean ± std, torch on one thread ({r['measured_on']}). The papers train billion-parameter models; "
        "these are small stand-ins that run here, with the same blocks and equal schedules for "
        "both sides.",
        "",
        f"### MemoryFormer: character LM on SciFact (width {CHAR_LM['d_model']}, "
        f"{CHAR_LM['n_layers']} blocks, {CHAR_LM['length'] - 1} characters of context, "
        f"{CHAR_LM['steps']} Adam steps of {CHAR_LM['batch_size']})",
        "",
        "| block | validation loss (nats / char) | bits / char | linear FLOPs / token | "
        "block parameters | s / run |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, runs in mf.items():
        lines.append(
            f"| {label} | {_ms(_col(runs, 'val_loss'))} | {_ms(_col(runs, 'bits_per_char'))} | "
            f"{statistics.fmean(_col(runs, 'linear_flops_per_token')):,.0f} | "
            f"{statistics.fmean(_col(runs, 'block_parameters')):,.0f} | "
            f"{_ms(_col(runs, 'seconds'), '.1f')} |"
        )
    gap = (
        statistics.fmean(_col(mf["memoryformer"], "val_loss"))
        / statistics.fmean(_col(mf["dense"], "val_loss"))
        - 1
    )
    lines += [
        "",
        f"MemoryFormer's linear maps cost {dense_flops / mem_flops:.1f}x fewer FLOPs per token "
        f"than dense (the analytic counts of `linear_flops`), its validation loss is "
        f"{gap:+.1%} relative to dense (the claim: within 5 %); it holds "
        f"{statistics.fmean(_col(mf['memoryformer'], 'block_parameters')) / statistics.fmean(_col(mf['dense'], 'block_parameters')):.0f}x "
        "the parameters (2^tau rows a table).",
        "",
        f"### Mixture-of-Transformers: text / image-patch sequences (width {MOT_RUN['d_model']}, "
        f"{MOT_RUN['n_layers']} blocks, {MOT_RUN['steps']} steps)",
        "",
        "Each sequence: 16 tokens of a class-dependent Markov chain, the 16 quantised 2x2 patches "
        "of a digit of that class (64 k-means codes), 16 more chain tokens. Equal FLOPs per token "
        "on both sides.",
        "",
        "| model | text loss | image loss | share of the steps to dense's final text loss | "
        "... image loss | s / run |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, runs in mot.items():
        shares = (
            (f"{_ms(_col(runs, 'text_share'), '.0%')}", f"{_ms(_col(runs, 'image_share'), '.0%')}")
            if "text_share" in runs[0]
            else ("–", "–")
        )
        lines.append(
            f"| {label} | {_ms(_col(runs, 'text_loss'))} | {_ms(_col(runs, 'image_loss'))} | "
            f"{shares[0]} | {shares[1]} | {_ms(_col(runs, 'seconds'), '.1f')} |"
        )
    lines += [
        "",
        "A share of 100 % means MoT did not reach the dense model's final loss within the run "
        "(counted as the whole run). The paper: 55.8 % of the FLOPs for text at 7B parameters.",
        "",
        *link("bench-layers.svg"),
    ]
    return lines


def markdown(res: dict[str, Any]) -> str:
    from _common import lines_to_md

    return lines_to_md(markdown_lines(res))
