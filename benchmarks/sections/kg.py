"""Knowledge-graph embeddings (issue 19): NFE and the hypercomplex multi-view models, beside the
classic baselines and PyKEEN in the same run.

* Kinships and Nations, d = 64 per part, 60 epochs, 3 seeds: every embedlab KG
  model under its own protocol, filtered test MRR / Hits@k at the best validation epoch
  (pessimistic ties, the NFE reference's rule; the realistic rank too, PyKEEN's default).
* Multi-view: the Dihedron and quaternion models with text views against their structure-only
  versions on Nations (real country names) and Kinships (``person12``: no text, the control),
  with the hypercomplex reference's run (rank 32, up to 1,500 epochs, patience 20, Adagrad,
  pooled logistic loss), and once with Adam and the halved logistic loss (300 epochs) to show
  how much of the gap is the optimiser.
* PyKEEN (its own venv, its bundled Kinships and Nations): TransE, DistMult, ComplEx, RotatE and
  QuatE at the same dimension (see ``kg_peers.py``); epoch time beside embedlab's for the same
  model and batch size.
* WN18RR and FB15k-237 at a CPU-sized dimension, each run capped at a stated wall time, beside
  the papers' figures (d = 1024 on a GPU).

Run through ``python benchmarks/run.py --only kg`` (part of ``make bench``).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

from embedlab.bench.reproduce.kg import REFERENCE_RUN

KEYS = ("kg",)
SEEDS = (0, 1, 2)
DIM = 64
EPOCHS = 60

#: (row label, model, estimator overrides) on Kinships and Nations
SMALL_MODELS: list[tuple[str, str, dict[str, Any]]] = [
    ("NFE-1", "nfe-1", {}),
    ("NFE-2", "nfe-2", {}),
    ("NFE-3", "nfe-3", {}),
    ("NFE without uncertainty", "nfe-no-uncertainty", {}),
    ("NFE sigma only", "nfe-sigma", {}),
    ("DistMult (1-N)", "distmult", {}),
    ("ComplEx (1-N)", "complex", {}),
    ("TransE (negative sampling, margin)", "transe", {}),
    ("TransE (1-N softplus)", "transe", {"protocol": "1-n", "loss": "softplus", "lr": 0.003}),
    ("RotatE (self-adversarial negative sampling)", "rotate", {}),
]

#: the rows the issue sets a bar for on Kinships (3 seeds); the others run one seed there
KINSHIPS_3_SEEDS = ("NFE-1", "NFE-2", "NFE without uncertainty", "DistMult (1-N)")

MULTIVIEW = [
    ("Dihedron multi-view", "dihedron-mv"),
    ("Dihedron structure-only", "dihedron"),
    ("Quaternion multi-view", "quaternion-mv"),
    ("Quaternion structure-only", "quaternion"),
]

#: PyKEEN's epochs per model (its published settings train 300-800 epochs; ComplEx's NSSA with
#: 59 negatives costs ~8 s an epoch here, QuatE ~4 s)
PYKEEN_EPOCHS = {"transe": 60, "distmult": 60, "complex": 15, "rotate": 60, "quate": 30}

#: the per-batch timing: the same model, 1-N scoring, the same batch size on both sides
TIMING_BATCH = 128
TIMING_EPOCHS = 20
TIMING_MODELS: list[tuple[str, str, dict[str, Any]]] = [
    ("distmult", "distmult", {}),
    ("transe", "transe", {"protocol": "1-n", "loss": "softplus", "lr": 0.003}),
]

#: the multi-view comparison once more with the trainer's Adam and halved logistic loss
ADAM_RUN: dict[str, Any] = {
    "optimizer": "adam",
    "loss": "logistic",
    "epochs": 300,
    "patience": None,
}

#: d per part of the WN18RR / FB15k-237 runs
LARGE_DIM = 32

#: the wall-time cap of each WN18RR / FB15k-237 run (seconds of training)
CAP_S = 600.0

#: Kinships (the control) is 5x the size of Nations: its multi-view runs stop at 300 epochs
KINSHIPS_MV_EPOCHS = 300

#: (dataset, label, model, overrides, wall-time cap in seconds)
LARGE: list[tuple[str, str, str, dict[str, Any], float]] = [
    # NFE-1 with the reference's gamma / lr / decay for the data set ('Hyper-parameters
    # Settings.txt'); no per-epoch validation (the last epoch is scored). RotatE is left out
    # here: its score is not separable, and one filtered ranking over WN18RR's 40,943 entities
    # takes minutes on this machine.
    (
        "fb15k-237",
        "NFE-1",
        "nfe-1",
        {"batch_size": 1024, "lr": 0.001, "decay_rate": 0.93, "model_params": {"gamma": 2.0}},
        CAP_S,
    ),
    ("fb15k-237", "ComplEx", "complex", {"batch_size": 1024}, CAP_S),
    (
        "wn18rr",
        "NFE-1",
        "nfe-1",
        {"batch_size": 512, "lr": 0.005, "decay_rate": 0.9, "model_params": {"gamma": 1.0}},
        CAP_S,
    ),
    ("wn18rr", "ComplEx", "complex", {"batch_size": 512}, CAP_S),
]

#: the longer run: NFE-1 (the paper's model) on FB15k-237 with a wall-time cap of its own and
#: validation every ``LONG_VALID_INTERVAL`` epochs (the curve is recorded; the best epoch's
#: parameters are scored)
LONG_CAP_S = 2400.0
LONG_VALID_INTERVAL = 2
LONG = [row for row in LARGE if row[:2] == ("fb15k-237", "NFE-1")]

#: published filtered MRR at GPU scale: RotatE (Sun et al., ICLR 2019, Table 5; d = 500 complex,
#: 1,000 real), ComplEx-N3 with reciprocals (Lacroix et al., ICML 2018, Table 2; rank 2,000).
#: The NFE paper's own table (d = 1,024) could not be read here, so it is not quoted.
PAPER_MRR = {
    ("wn18rr", "RotatE"): 0.476,
    ("wn18rr", "ComplEx"): 0.48,
    ("fb15k-237", "RotatE"): 0.338,
    ("fb15k-237", "ComplEx"): 0.37,
}


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def fit_eval(model: str, dataset: str, seed: int, **kw: Any) -> dict[str, Any]:
    """One embedlab run: test metrics (pessimistic and realistic ties) and times."""
    from embedlab.datasets import load_kg
    from embedlab.kg.estimator import KGEmbedding

    ts = load_kg(dataset)
    params: dict[str, Any] = {"embedding_dim": DIM, "epochs": EPOCHS, **kw}
    t0 = time.perf_counter()
    est = KGEmbedding(model=model, random_state=seed, progress=False, n_jobs=2, **params)
    est.fit(ts)
    train_s = time.perf_counter() - t0
    pess = est.evaluate("test")
    real = est.evaluate("test", ties="realistic")
    return {
        "mrr": pess["mrr"],
        "hits@1": pess["hits@1"],
        "hits@3": pess["hits@3"],
        "hits@10": pess["hits@10"],
        "mrr_realistic": real["mrr"],
        "hits@10_realistic": real["hits@10"],
        "train_s": train_s,
        "epoch_s": est.history_.epoch_seconds,
        "epochs": est.history_.epochs,
        "best_epoch": est.history_.best_epoch,
        "stopped": est.history_.stopped,
        "batch_size": est.training_["batch_size"],
        "protocol": est.training_["protocol"],
        "valid_mrr": {str(k): v for k, v in est.history_.valid_mrr.items()},
    }


def popularity(dataset: str) -> dict[str, Any]:
    """The trivial baseline: rank tails by how often they answer the relation in training."""
    import numpy as np

    from embedlab.datasets import load_kg
    from embedlab.kg.ranking import rank_queries

    ts = load_kg(dataset)
    q = ts.queries("train")
    counts = np.zeros((2 * ts.n_relations, ts.n_entities))
    np.add.at(counts, (q[:, 1], q[:, 2]), 1.0)

    def score_all(heads: Any, rels: Any) -> Any:
        return counts[rels]

    pess = rank_queries(score_all, ts, "test")
    real = rank_queries(score_all, ts, "test", ties="realistic")
    return {
        "mrr": pess["mrr"],
        "hits@1": pess["hits@1"],
        "hits@3": pess["hits@3"],
        "hits@10": pess["hits@10"],
        "mrr_realistic": real["mrr"],
        "hits@10_realistic": real["hits@10"],
        "train_s": 0.0,
        "epoch_s": 0.0,
        "epochs": 0,
        "best_epoch": 0,
        "stopped": "none",
        "batch_size": 0,
        "protocol": "none",
    }


POPULARITY = "tail popularity per relation (trivial baseline)"


def _text_inputs() -> dict[str, Any]:
    from embedlab.text import SentenceEncoder

    return {"encode": SentenceEncoder().encode}


def run_small(done: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every model on Kinships and Nations: 3 seeds for the issue's rows, else one on Kinships.

    ``done`` holds rows already measured (a resumed run); each finished row is logged as JSON.
    """
    out: dict[str, Any] = {k: dict(v) for k, v in (done or {}).items()}
    for dataset in ("kinships", "nations"):
        rows = out.setdefault(dataset, {})
        rows.setdefault(POPULARITY, [popularity(dataset)])
        for label, model, kw in SMALL_MODELS:
            if label in rows:
                continue
            seeds = SEEDS if dataset == "nations" or label in KINSHIPS_3_SEEDS else SEEDS[:1]
            log(f"  {dataset}: {label} ({len(seeds)} seeds)")
            rows[label] = [fit_eval(model, dataset, s, **kw) for s in seeds]
            log("  row " + json.dumps({"dataset": dataset, "label": label, "runs": rows[label]}))
    return out


def run_multiview(done: dict[str, Any] | None = None) -> dict[str, Any]:
    """Multi-view against structure-only: Nations (both products, and Adam), Kinships (control).

    The issue's comparison (Dihedron on Nations, the reference's run) takes 3 seeds; the
    quaternion pair, the Adam variant and the Kinships control one seed each.
    """
    inputs = _text_inputs()
    mv: dict[str, Any] = {k: dict(v) for k, v in (done or {}).items()}
    plan: list[tuple[str, str, str, dict[str, Any], tuple[int, ...]]] = []
    for label, model in MULTIVIEW:
        three = SEEDS if model.startswith("dihedron") else SEEDS[:1]
        plan.append(("nations", label, model, dict(REFERENCE_RUN), three))
    for label, model in MULTIVIEW[:2]:
        adam = {**REFERENCE_RUN, **ADAM_RUN}
        plan.append(
            ("nations", f"{label} (Adam, halved logistic, 300 epochs)", model, adam, SEEDS[:1])
        )
    for label, model in MULTIVIEW[:2]:
        kin = {**REFERENCE_RUN, "epochs": KINSHIPS_MV_EPOCHS}
        plan.append(("kinships", label, model, kin, SEEDS[:1]))
    for label, model in MULTIVIEW[:2]:
        adam = {**REFERENCE_RUN, **ADAM_RUN}
        tag = f"{label} (Adam, halved logistic, 300 epochs)"
        plan.append(("kinships", tag, model, adam, SEEDS[:1]))
    for dataset, label, model, kw, seeds in plan:
        rows = mv.setdefault(dataset, {})
        if label in rows:
            continue
        log(f"  multi-view {dataset}: {label} ({len(seeds)} seeds)")
        if model.endswith("-mv"):
            kw = {**kw, "model_inputs": inputs}
        rows[label] = [fit_eval(model, dataset, s, **kw) for s in seeds]
        log("  row " + json.dumps({"dataset": dataset, "label": label, "runs": rows[label]}))
    return mv


def capped_run(
    dataset: str, label: str, model: str, kw: dict[str, Any], cap: float, valid_interval: int
) -> dict[str, Any]:
    """One seed-0 run at ``LARGE_DIM`` capped at ``cap`` seconds of training, as a result row."""
    run = {
        "epochs": 1000,
        "time_limit": cap,
        "valid_interval": valid_interval,
        "embedding_dim": LARGE_DIM,
    }
    r = fit_eval(model, dataset, 0, **{**run, **kw})
    return {"dataset": dataset, "label": label, "cap_s": cap, "embedding_dim": LARGE_DIM, **kw, **r}


def run_large() -> list[dict[str, Any]]:
    """WN18RR and FB15k-237, one seed, each run capped in wall time."""
    large = []
    for dataset in dict.fromkeys(d for d, *_ in LARGE):
        large.append(
            {"dataset": dataset, "label": POPULARITY, "cap_s": 0.0, "embedding_dim": 0}
            | popularity(dataset)
        )
        log("  large " + json.dumps(large[-1]))
    for dataset, label, model, kw, cap in LARGE:
        log(f"  {dataset}: {label} (capped at {cap:.0f} s)")
        large.append(capped_run(dataset, label, model, kw, cap, valid_interval=0))
        log("  large " + json.dumps(large[-1]))
    return large


def run_long() -> list[dict[str, Any]]:
    """NFE-1 on FB15k-237 once more with a longer cap and a validation curve, one seed."""
    long = []
    for dataset, label, model, kw, _ in LONG:
        log(f"  {dataset}: {label} (capped at {LONG_CAP_S:.0f} s, validation curve)")
        long.append(
            capped_run(dataset, label, model, kw, LONG_CAP_S, valid_interval=LONG_VALID_INTERVAL)
        )
        log("  long " + json.dumps(long[-1]))
    return long


def lcwa_rows(dataset: str) -> int:
    """Training rows of a 1-N epoch over unique ``(h, r')`` queries (PyKEEN's LCWA loop)."""
    import numpy as np

    from embedlab.datasets import load_kg

    q = load_kg(dataset).queries("train")
    return len(np.unique(q[:, 0] * (q[:, 1].max() + 1) + q[:, 1]))


def run_pykeen() -> list[dict[str, Any]]:
    """PyKEEN's models on its own Kinships and Nations (quality and wall time)."""
    from sections.kg_peers import pykeen_rows

    return pykeen_rows(dim=DIM, epochs=PYKEEN_EPOCHS, threads=2)


def run_timing() -> dict[str, Any]:
    """Per-batch training time of the same models, 1-N scoring, same batch size, both sides."""
    from sections.kg_peers import pykeen_rows

    timing: dict[str, Any] = {"batch": TIMING_BATCH, "epochs": TIMING_EPOCHS, "rows": []}
    for model, ours, kw in TIMING_MODELS:
        est = fit_eval(
            ours,
            "kinships",
            0,
            **{"batch_size": TIMING_BATCH, "epochs": TIMING_EPOCHS, "valid_interval": 0, **kw},
        )
        peer = pykeen_rows(
            models=(model,),
            datasets=("kinships",),
            dim=DIM,
            epochs=TIMING_EPOCHS,
            batch=TIMING_BATCH,
            threads=2,
        )[0]
        n_ours = -(-2 * len_train("kinships") // TIMING_BATCH)
        rows = (
            lcwa_rows("kinships")
            if peer.get("training_loop") == "lcwa"
            else 2 * len_train("kinships")
        )
        n_peer = -(-rows // TIMING_BATCH)
        timing["rows"].append(
            {
                "model": model,
                "embedlab_epoch_s": est["epoch_s"],
                "embedlab_batches": n_ours,
                "pykeen_epoch_s": peer.get("epoch_s"),
                "pykeen_batches": n_peer,
                "pykeen_loop": peer.get("training_loop"),
            }
        )
    return timing


def len_train(dataset: str) -> int:
    """Training triples of ``dataset`` (without reciprocals)."""
    from embedlab.datasets import load_kg

    return len(load_kg(dataset).train)


def run(tmp: Any) -> dict[str, Any]:
    log("knowledge graphs: NFE, baselines, multi-view, PyKEEN, WN18RR / FB15k-237")
    out: dict[str, Any] = {"dim": DIM, "epochs": EPOCHS, "seeds": list(SEEDS)}
    out.update(run_small())
    out["pykeen"] = {"timing": run_timing(), "quality": run_pykeen()}
    out["multiview"] = run_multiview()
    out["large"] = run_large()
    out["long"] = run_long()
    return {"kg": out}


def _ms(vals: list[float]) -> str:
    m = statistics.fmean(vals)
    if len(vals) == 1:
        return f"{m:.3f}"
    return f"{m:.3f} ± {statistics.pstdev(vals):.3f}"


def _epoch(runs: list[dict[str, Any]]) -> str:
    t = statistics.fmean(_agg(runs, "epoch_s"))
    return f"{t:.3f} s" if t > 0 else "—"


def _agg(runs: list[dict[str, Any]], key: str) -> list[float]:
    return [float(r[key]) for r in runs]


def markdown_lines(res: dict[str, Any]) -> list[str]:
    if "kg" not in res:
        return []
    r = res["kg"]
    n = len(r["seeds"])
    lines = [
        "## Knowledge-graph embeddings: NFE, hypercomplex multi-view, baselines, PyKEEN",
        "",
        f"Filtered link prediction, both directions, test split at the best validation epoch; "
        f"d = {r['dim']} per part, {r['epochs']} epochs, mean ± std over {n} seeds (Kinships: "
        f"one seed, shown without a spread, for the rows the issue sets no bar for). MRR with "
        "pessimistic ties (the NFE reference's rule: a tie counts against the model) and with "
        "realistic ties (PyKEEN's default, the mean of the optimistic and pessimistic ranks).",
        "",
    ]
    for dataset in ("kinships", "nations"):
        lines += [
            f"### {dataset.capitalize()}",
            "",
            "| model | MRR | MRR (realistic) | Hits@1 | Hits@10 | epoch time | batch |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for label, runs in r[dataset].items():
            lines.append(
                f"| {label} | {_ms(_agg(runs, 'mrr'))} | {_ms(_agg(runs, 'mrr_realistic'))} | "
                f"{_ms(_agg(runs, 'hits@1'))} | {_ms(_agg(runs, 'hits@10'))} | "
                f"{_epoch(runs)} | {runs[0]['batch_size'] or '—'} |"
            )
        lines.append("")
    mv = r["multiview"]
    lines += [
        "### Multi-view (text) against structure-only, same dimension and protocol",
        "",
        "The hypercomplex reference's run (d = 32, up to 1,500 epochs, validation every epoch, "
        "early stop after 20 without a better MRR, Adagrad lr 0.01, 100 negatives, the pooled "
        "logistic loss); Kinships, the control whose names (person12) carry no text, capped at "
        f"{KINSHIPS_MV_EPOCHS} epochs; rows marked Adam use the trainer's Adam and halved logistic "
        "loss for 300 epochs. σ is the larger standard deviation of the two rows compared.",
        "",
        "| data | model | MRR | Hits@10 | gap to structure-only (in its std) |",
        "|---|---|---:|---:|---:|",
    ]
    for dataset, rows in mv.items():
        for label, runs in rows.items():
            gap = ""
            base = rows.get(label.replace("multi-view", "structure-only"))
            if "multi-view" in label and base:
                d = statistics.fmean(_agg(runs, "mrr")) - statistics.fmean(_agg(base, "mrr"))
                sd = max(statistics.pstdev(_agg(base, "mrr")), statistics.pstdev(_agg(runs, "mrr")))
                gap = f"{d:+.3f} ({d / sd:+.1f} σ)" if sd > 0 else f"{d:+.3f}"
            lines.append(
                f"| {dataset} | {label} | {_ms(_agg(runs, 'mrr'))} | "
                f"{_ms(_agg(runs, 'hits@10'))} | {gap} |"
            )
    lines.append("")
    lines += pykeen_lines(r)
    lines += [
        "### WN18RR and FB15k-237 at a CPU-sized dimension (one seed, wall time capped)",
        "",
        "The cap is checked after each epoch, so a run stops after the first epoch that passes "
        "it; no validation during training (the last epoch is scored).",
        "",
        "| data | model | d | epochs in the cap | s / epoch | MRR | Hits@10 | published MRR (GPU "
        "scale) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    ran = {(x["dataset"], x["label"]) for x in r["large"]}
    missing = [f"{d} {label}" for d, label, *_ in LARGE if (d, label) not in ran]
    for x in sorted(r["large"], key=lambda x: x["dataset"]):  # stable: baseline first
        paper = PAPER_MRR.get((x["dataset"], x["label"]))
        trained = x["protocol"] != "none"
        lines.append(
            f"| {x['dataset']} | {x['label']} | {x['embedding_dim'] if trained else '—'} | "
            + (f"{x['epochs']} ({x['cap_s']:.0f} s) | {x['epoch_s']:.0f}" if trained else "— | —")
            + f" | {x['mrr']:.3f} | {x['hits@10']:.3f} | {paper if paper is not None else '—'} |"
        )
    if missing:
        lines += ["", f"Not measured in the recorded run: {', '.join(missing)}."]
    if r.get("long"):
        lines += [
            "",
            f"NFE-1 on FB15k-237 once more with a {LONG_CAP_S:.0f} s cap and the validation MRR "
            f"every {LONG_VALID_INTERVAL} epochs (filtered, pessimistic; the test split scored "
            "at the best validation epoch):",
            "",
            "| model | d | epochs in the cap | s / epoch | validation MRR by epoch | test MRR | "
            "Hits@10 |",
            "|---|---:|---:|---:|---|---:|---:|",
        ]
        for x in r["long"]:
            curve = ", ".join(f"{k}: {v:.3f}" for k, v in x["valid_mrr"].items())
            lines.append(
                f"| {x['label']} | {x['embedding_dim']} | {x['epochs']} ({x['cap_s']:.0f} s) | "
                f"{x['epoch_s']:.0f} | {curve} | {x['mrr']:.3f} | {x['hits@10']:.3f} |"
            )
    return lines


def pykeen_lines(r: dict[str, Any]) -> list[str]:
    from sections.kg_peers import markdown_lines as peer_lines

    return peer_lines(r)


def markdown(res: dict[str, Any]) -> str:
    from _common import lines_to_md

    return lines_to_md(markdown_lines(res))
