"""M2TRec (issue 29): item-ID free sessions against SASRec and popularity, 3 seeds, 2 protocols.

MovieLens-100K sessions (:func:`~embedlab.bench.reproduce.sessions.m2trec_run`): held-out users
(every next item of 10 % of the users) and leave-one-out (each user's last item); Recall@20 and
NDCG@20 overall, on targets with at most 5 training interactions, and on unseen targets. Run
through ``python benchmarks/run.py --only m2trec`` (part of ``make bench``).
"""

from __future__ import annotations

import datetime
import statistics
from typing import Any

from _common import log, machine
from figures import link
from sections.losses import _ms

KEYS = ("m2trec",)
SEEDS = (0, 1, 2)
MODELS = ("m2trec", "sasrec", "popularity")


def run(tmp: Any) -> dict[str, Any]:
    log("m2trec: MovieLens-100K sessions, M2TRec / SASRec / popularity")
    import torch

    from embedlab.bench.reproduce.sessions import PROTOCOLS, SESSION_RUN, m2trec_run
    from embedlab.datasets import load_movielens_sessions

    torch.set_num_threads(1)
    m = machine()
    base = load_movielens_sessions()
    out: dict[str, Any] = {}
    for protocol in PROTOCOLS:
        data = base.split_users(0.1, random_state=0) if protocol == "users" else base
        runs = []
        for seed in SEEDS:
            r = m2trec_run(seed, data=data, protocol=protocol)
            runs.append(r)
            log(
                f"  {protocol} seed {seed}: recall@20 "
                + ", ".join(f"{k} {r[k]['recall@20']:.4f}" for k in MODELS)
                + "; rare "
                + ", ".join(f"{k} {r[k]['rare_recall@20']:.4f}" for k in MODELS)
            )
        out[protocol] = [
            {k: r[k] for k in (*MODELS, "seconds", "best_epoch", "validation")} for r in runs
        ]
    return {
        "m2trec": {
            "seeds": list(SEEDS),
            "measured_on": f"{m['cpu']}, {m['cores']} cores, {datetime.date.today().isoformat()}",
            "settings": dict(SESSION_RUN),
            "protocols": out,
        }
    }


def _col(runs: list[dict[str, Any]], model: str, key: str) -> list[float]:
    return [float(r[model][key]) for r in runs]


def markdown_lines(res: dict[str, Any]) -> list[str]:
    if "m2trec" not in res:
        return []
    r = res["m2trec"]
    cfg = r["settings"]
    n = len(r["seeds"])
    lines = [
        "## M2TRec: item-ID free session recommendation (MovieLens-100K)",
        "",
        f"{n} seeds, mean ± std, torch on one thread ({r['measured_on']}). M2TRec encodes and "
        "scores items from their genres and release year only; SASRec has one embedding per "
        f"item. Both: width {cfg['d_model']}, {cfg['n_layers']} blocks, {cfg['n_heads']} heads, "
        f"the last {cfg['max_length']} items, {cfg['epochs']} epochs of Adam (lr {cfg['lr']:g}, "
        f"batch {cfg['batch_size']}), the epoch of the best validation NDCG@20 kept. All 1,682 "
        "items ranked minus the user's history; tied scores count in expectation (M2TRec gives "
        "films of identical metadata identical scores). Rare: targets with <= "
        f"{cfg['rare_max']} training interactions.",
        "",
    ]
    titles = {
        "users": "held-out users (every next item of 10 % of the users; the claim's protocol)",
        "leave-one-out": "leave-one-out (each user's last item)",
    }
    for protocol, runs in r["protocols"].items():
        first = runs[0]["popularity"]
        lines += [
            f"### {titles.get(protocol, protocol)}: {int(first['n_cases']):,} cases, "
            f"{int(first['n_rare'])} rare, {int(first['n_cold'])} unseen",
            "",
            "| model | Recall@20 | NDCG@20 | rare Recall@20 | rare NDCG@20 | unseen Recall@20 | "
            "s / run |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for model in MODELS:
            secs = [float(x["seconds"][model]) for x in runs]
            lines.append(
                f"| {model} | {_ms(_col(runs, model, 'recall@20'))} | "
                f"{_ms(_col(runs, model, 'ndcg@20'))} | "
                f"{_ms(_col(runs, model, 'rare_recall@20'))} | "
                f"{_ms(_col(runs, model, 'rare_ndcg@20'))} | "
                f"{_ms(_col(runs, model, 'cold_recall@20'))} | {_ms(secs, '.1f')} |"
            )
        lines.append("")
    users = r["protocols"].get("users")
    if users:
        rare = {m: statistics.fmean(_col(users, m, "rare_recall@20")) for m in MODELS}
        every = {m: statistics.fmean(_col(users, m, "recall@20")) for m in MODELS}
        n_rare = int(users[0]["popularity"]["n_rare"])
        verdict = "holds" if rare["m2trec"] > rare["sasrec"] else "does not hold"
        lines += [
            f"On held-out users' rare targets M2TRec's Recall@20 is {rare['m2trec']:.3f} against "
            f"SASRec's {rare['sasrec']:.3f} (about {rare['m2trec'] * n_rare:.0f} of {n_rare} "
            f"cases): the claim {verdict}. Overall it is {every['m2trec']:.3f} against SASRec's "
            f"{every['sasrec']:.3f} and popularity's {every['popularity']:.3f}: genres and year "
            "cannot tell apart films of the same description, and an ID-free score cannot learn "
            "one film's popularity.",
            "",
        ]
    lines += [*link("bench-m2trec.svg")]
    return lines


def markdown(res: dict[str, Any]) -> str:
    from _common import lines_to_md

    return lines_to_md(markdown_lines(res))
