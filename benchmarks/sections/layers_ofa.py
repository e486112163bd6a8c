"""OFA (issue 29): new SciFact tokens in MiniLM, four initialisations, 3 seeds.

Continued masked-LM pre-training of the packaged all-MiniLM-L6-v2 extended with SciFact's
frequent split words (:func:`~embedlab.bench.reproduce.ofa.ofa_run`): OFA at full width, OFA
factorised to rank 100, mean-of-subwords and random initialisation of the new rows, everything
else equal; the held-out MLM loss every 40 steps, overall, on new-token targets and on the
others. Run through
``python benchmarks/run.py --only ofa`` (part of ``make bench``).
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from _common import log, machine
from figures import link
from sections.losses import _col, _ms

KEYS = ("ofa",)
SEEDS = (0, 1, 2)


def run(tmp: Any) -> dict[str, Any]:
    log("ofa: MiniLM + SciFact tokens, OFA / factorised / mean / random")
    import torch

    from embedlab.bench.reproduce.ofa import ARMS, OFA_RUN, _data, ofa_run

    torch.set_num_threads(1)
    m = machine()
    data = _data(OFA_RUN)
    rows: dict[str, list[dict[str, Any]]] = {a: [] for a in ARMS}
    info: dict[str, Any] = {}
    for seed in SEEDS:
        t0 = time.perf_counter()
        out = ofa_run(seed, data=data)
        for arm, v in out["arms"].items():
            rows[arm].append(v)
            log(
                f"  ofa {arm} seed {seed}: {v['loss'][-1]:.4f} (new tokens {v['new_token_loss'][-1]:.4f})"
            )
        info = {k: out[k] for k in ("new_tokens", "init_counts", "word_vectors")}
        log(f"  seed {seed}: {time.perf_counter() - t0:.0f} s")
    return {
        "ofa": {
            "seeds": list(SEEDS),
            "measured_on": f"{m['cpu']}, {m['cores']} cores, {datetime.date.today().isoformat()}",
            "settings": dict(OFA_RUN),
            **info,
            "arms": rows,
        }
    }


def markdown_lines(res: dict[str, Any]) -> list[str]:
    if "ofa" not in res:
        return []
    r = res["ofa"]
    cfg = r["settings"]
    n = len(r["seeds"])
    arms = r["arms"]
    lines = [
        "## OFA: new SciFact tokens in MiniLM",
        "",
        f"{n} seeds, mean ± std, torch on one thread ({r['measured_on']}). The paper extends "
        "XLM-R to 500 languages; here the packaged all-MiniLM-L6-v2 gets "
        f"{r['new_tokens']:,} new tokens (SciFact words it splits, seen >= {cfg['min_count']} "
        f"times in the training 90 % of the corpus). The external word space is a "
        f"{cfg['word_dim']}-d PPMI-SVD of those documents ({r['word_vectors']:,} words); OFA made "
        f"{r['init_counts']['neighbours']:,} rows from neighbours and "
        f"{r['init_counts']['random']:,} at random. An MLM head is fitted first "
        f"({cfg['head_steps']} steps, encoder frozen, shared by the arms); then "
        f"{cfg['steps']} AdamW steps (lr {cfg['lr']:g}, batch {cfg['batch_size']} x "
        f"{cfg['length']} tokens) for every arm with the same data, masks and seed. The "
        f"held-out set: {cfg['eval_windows']} windows of the last 10 % of the documents, "
        f"{arms['ofa'][0]['masked']:,} masked positions, {arms['ofa'][0]['masked_new']:,} of "
        "them with a new token as the target.",
        "",
        "| initialisation of the new rows | held-out MLM loss, step 0 | "
        f"step {cfg['steps']} | new-token targets, step 0 | step {cfg['steps']} | "
        f"other targets, step 0 | step {cfg['steps']} | embedding parameters | s / run |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = {
        "ofa": "OFA (full width, 384)",
        "ofa-factorized": f"OFA factorised (rank {cfg['rank']})",
        "mean": "mean of the old pieces",
        "random": "random (source columns' Gaussian)",
    }
    for arm, runs in arms.items():
        first = [x["loss"][0] for x in runs]
        last = [x["loss"][-1] for x in runs]
        nfirst = [x["new_token_loss"][0] for x in runs]
        nlast = [x["new_token_loss"][-1] for x in runs]
        ofirst = [x["old_token_loss"][0] for x in runs]
        olast = [x["old_token_loss"][-1] for x in runs]
        lines.append(
            f"| {names.get(arm, arm)} | {_ms(first)} | {_ms(last)} | {_ms(nfirst)} | "
            f"{_ms(nlast)} | {_ms(ofirst)} | {_ms(olast)} | {runs[0]['parameters']:,.0f} | "
            f"{_ms(_col(runs, 'seconds'), '.0f')} |"
        )
    ofa = [x["loss"][-1] for x in arms["ofa"]]
    best = [
        min(a["loss"][-1], b["loss"][-1]) for a, b in zip(arms["mean"], arms["random"], strict=True)
    ]
    wins = sum(o < b for o, b in zip(ofa, best, strict=True))
    lines += [
        "",
        f"OFA's held-out loss after {cfg['steps']} steps is below the better baseline's in "
        f"{wins} of {n} seeds (mean difference {sum(o - b for o, b in zip(ofa, best, strict=True)) / n:+.3f} nats). "
        "Where each arm gains or loses is in the two right-hand loss columns: the new rows "
        "matter as targets (their own logits) and as competitors of the old tokens in the tied "
        "output layer.",
        "",
        *link("bench-ofa.svg"),
    ]
    return lines


def markdown(res: dict[str, Any]) -> str:
    from _common import lines_to_md

    return lines_to_md(markdown_lines(res))
