"""The curves of docs/benchmarks.md, drawn from benchmarks/results.json (nothing is measured).

Each figure is a function ``results -> Figure | None`` (None when its numbers are absent); the
sections put :func:`link` under their tables. ``run.py`` (and ``--render``) writes them with
:func:`render` as SVG under ``docs/img/`` through :func:`embedlab.viz.save_figure`: no date in
the metadata, element ids from a fixed salt, text kept as text, so rendering the same results
with the same matplotlib gives the same bytes, which ``check_markdown.py`` checks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import ROOT

IMG = ROOT / "docs" / "img"
WIDTH, HEIGHT = 9.0, 3.6  # inches: two panels side by side, the page's text width


def _figure(panels: int = 2) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH if panels > 1 else WIDTH / 1.6, HEIGHT), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)[0]
    for ax in axes:
        ax.grid(True, which="major", color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig, axes


def _label(ax: Any, x: float, y: float, text: str, dx: int = 5, dy: int = 0) -> None:
    ax.annotate(
        text,
        (x, y),
        xytext=(dx, dy),
        textcoords="offset points",
        fontsize=7.5,
        va="center",
        ha="left" if dx >= 0 else "right",
    )


def _log_x(ax: Any, base: float = 10, subs: tuple[float, ...] = (1.0, 2.0, 3.0, 5.0)) -> None:
    """A log x axis with plain numbers at ``subs`` x 10^k (no 10^k notation, no minor ticks)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    ax.set_xscale("log", base=base)
    if base == 10:
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_locator(NullLocator())


# ------------------------------------------------------------------------------ figures
def serve_recall_latency(res: dict) -> Any:
    """Recall@10 against p50 latency of every index the HTTP service benchmark ran."""
    r = res.get("serve")
    if not r:
        return None
    el, ch = r.get("embedlab", {}), r.get("chroma", {})
    series: list[tuple[str, dict, str, str]] = []
    if "skipped" not in el:
        series += [("embedlab exact", el["exact"], "#1f77b4", "o")]
        if "hnsw" in el:
            series.append(("embedlab HNSW32 (FAISS)", el["hnsw"], "#2ca02c", "s"))
        series.append(("embedlab ANN (LanceDB)", el["ann"], "#9467bd", "D"))
    if "skipped" not in ch:
        series.append((f"Chroma {ch['version']} HNSW", ch["query"], "#d62728", "^"))
    if not series:
        return None
    from matplotlib.ticker import FormatStrFormatter

    fig, (lat, qps) = _figure()
    for label, modes, colour, marker in series:
        pts = sorted(
            (m["concurrency"], m["p50_ms"], m["qps"], m["recall@10"]) for m in modes.values()
        )
        for ax, col in ((lat, 1), (qps, 2)):
            ax.plot([p[col] for p in pts], [p[3] for p in pts], color=colour, linewidth=0.8)
            for c, *vals in pts:  # filled: one client; open: several
                ax.plot(
                    [vals[col - 1]],
                    [vals[2]],
                    marker=marker,
                    markersize=6,
                    color=colour,
                    markerfacecolor=colour if c == 1 else "white",
                    linestyle="",
                )
        qps.plot([], [], color=colour, marker=marker, linewidth=0.8, label=label)
    clients = sorted({m["concurrency"] for _, modes, _, _ in series for m in modes.values()})
    lat.set_xlabel("p50 latency per query (ms, log scale)")
    lat.set_ylabel("recall@10")
    lat.set_title(
        f"recall vs latency (filled: {clients[0]} client, open: {clients[-1]})", fontsize=9
    )
    qps.set_xlabel("queries/s (log scale)")
    qps.set_title("recall vs throughput", fontsize=9)
    lo = min(m["recall@10"] for _, modes, _, _ in series for m in modes.values())
    for ax in (lat, qps):
        _log_x(ax)
        ax.set_ylim(lo - 0.003, 1.0015)
        ax.yaxis.set_major_formatter(FormatStrFormatter("%.4f"))  # ticks can be 0.0025 apart
    qps.legend(fontsize=7.5, loc="lower left", frameon=False)
    fig.suptitle(f"HTTP service, {r['n']:,} x {r['dim']}, top-{r['k']}, over loopback", fontsize=10)
    return fig


def matryoshka_ndcg(res: dict) -> Any:
    """SciFact nDCG@10 against the Matryoshka prefix dimension, and against the cost."""
    s = res.get("scifact")
    if not s or "matryoshka" not in s:
        return None
    rows, mrl = s["rows"], s["matryoshka"]
    full = mrl["full dimension (exact, 384)"]
    dim = 384
    trunc = sorted(
        (int(k.split(":")[1]), v["ndcg@10"]) for k, v in rows.items() if k.startswith("mrl:")
    )
    trunc.append((dim, full["ndcg@10"]))
    adaptive = sorted(
        (int(k.split("D_s=")[1].split(",")[0]), v) for k, v in mrl.items() if "adaptive" in k
    )
    funnels = [(k, v) for k, v in mrl.items() if k.startswith("funnel")]
    fig, (by_dim, by_cost) = _figure()
    by_dim.plot(
        [d for d, _ in trunc],
        [v for _, v in trunc],
        marker="o",
        color="#1f77b4",
        label="first D coordinates only (exact search)",
    )
    by_dim.plot(
        [d for d, _ in adaptive],
        [v["ndcg@10"] for _, v in adaptive],
        marker="s",
        color="#ff7f0e",
        label=f"shortlist 200 at D, re-rank at {dim}",
    )
    if "BM25 (trivial baseline)" in rows:
        by_dim.axhline(
            rows["BM25 (trivial baseline)"]["ndcg@10"],
            color="#7f7f7f",
            linestyle="--",
            linewidth=0.8,
            label="BM25",
        )
    by_dim.set_xscale("log", base=2)
    ticks = sorted({d for d, _ in trunc} | {d for d, _ in adaptive})
    by_dim.set_xticks(ticks, [str(t) for t in ticks])
    by_dim.minorticks_off()
    by_dim.set_xlabel("prefix dimension D (log scale)")
    by_dim.set_ylabel("nDCG@10")
    by_dim.set_title("quality vs dimension", fontsize=10)
    by_dim.legend(fontsize=7.5, loc="upper left", framealpha=0.9, edgecolor="none")
    by_cost.plot(
        [v["flops_per_query"] / 1e6 for _, v in adaptive],
        [v["ndcg@10"] for _, v in adaptive],
        marker="s",
        color="#ff7f0e",
        label="adaptive (shortlist D_s = 32 ... 192)",
    )
    for d, v in adaptive:
        _label(by_cost, v["flops_per_query"] / 1e6, v["ndcg@10"], f"D_s={d}", dx=4, dy=-8)
    for i, (k, v) in enumerate(funnels):  # alternately left of and above the point
        by_cost.plot(
            [v["flops_per_query"] / 1e6],
            [v["ndcg@10"]],
            marker="D",
            linestyle="",
            color="#2ca02c",
            label="funnel" if i == 0 else None,
        )
        _label(
            by_cost,
            v["flops_per_query"] / 1e6,
            v["ndcg@10"],
            k.split(", ")[0][len("funnel ") :],
            dx=-6 if i % 2 == 0 else 0,
            dy=0 if i % 2 == 0 else 9,
        )
    by_cost.plot(
        [full["flops_per_query"] / 1e6],
        [full["ndcg@10"]],
        marker="o",
        linestyle="",
        color="#1f77b4",
        label=f"exact at {dim}",
    )
    _log_x(by_cost)
    by_cost.margins(x=0.08, y=0.12)
    by_cost.set_xlabel("MFLOPs per query (log scale)")
    by_cost.set_title("quality vs cost", fontsize=10)
    by_cost.legend(fontsize=7.5, loc="lower right", framealpha=0.9, edgecolor="none")
    fig.suptitle("Matryoshka prefixes on SciFact, all-MiniLM-L6-v2 (not MRL-trained)", fontsize=10)
    return fig


def tables_auc_memory(res: dict) -> Any:
    """Streaming CTR AUC against the embedding tables' memory (synthetic stream, MovieLens)."""
    r = res.get("tables_stream")
    if not r:
        return None
    syn, ml = r["synthetic"], r["movielens"]
    fig, (left, right) = _figure()
    colours = {"collisionless": "#1f77b4", "hash": "#d62728", "unified": "#2ca02c"}
    for name, x in syn["tables"].items():
        key = name.split(" ")[0]
        mib = x["peak_memory_bytes"] / 2**20
        left.errorbar(
            [mib],
            [x["auc"]],
            yerr=[x.get("auc_std", 0.0)],
            marker="o" if key == name else "^",
            color=colours.get(key, "#7f7f7f"),
            capsize=2,
            linestyle="",
        )
        text = name if len(name) < 20 else key + " (no expiry)"
        _label(left, mib, x["auc"], text, dx=-6 if key == "unified" else 6)
    _log_x(left)
    left.set_xlabel("table memory, peak (MiB, log scale)")
    left.set_ylabel("AUC (progressive validation)")
    left.set_title(
        f"synthetic drifting stream, DeepFM (Bayes AUC {syn['bayes_auc']:.3f})", fontsize=9
    )
    left.margins(x=0.6)
    names = {"full": "full", "hash": "per-field hashing", "unified": "Unified Embedding"}
    styles = {"deepfm": ("#1f77b4", "o"), "dcnv2": ("#ff7f0e", "s")}
    labelled: list[tuple[float, float]] = []
    for model, (colour, marker) in styles.items():
        pts = sorted((v["memory_bytes"] / 1024, v["auc"], k) for k, v in ml[model].items())
        for kib, auc, k in pts:
            right.plot([kib], [auc], marker=marker, color=colour, linestyle="")
            if not any(abs(kib - a) < 1 and abs(auc - b) < 0.003 for a, b in labelled):
                _label(right, kib, auc, names[k], dx=6)  # once where two points coincide
                labelled.append((kib, auc))
        right.plot([], [], marker=marker, color=colour, linestyle="", label=model)
    _log_x(right, subs=(1.0,))
    right.set_xlabel("table memory (KiB, log scale)")
    right.set_title("MovieLens-100K CTR stream", fontsize=9)
    right.margins(x=0.4)
    right.legend(fontsize=7.5, loc="upper left", frameon=False)
    fig.suptitle("AUC vs memory of the embedding tables", fontsize=10)
    return fig


def losses_mixup(res: dict) -> Any:
    """ADSL against fixed numbers of learners; m2-Mix's uniformity and alignment by weight."""
    import statistics

    r = res.get("losses_mixup")
    if not r:
        return None
    fig, (left, right) = _figure()

    def stats(runs: list[dict[str, Any]], key: str) -> tuple[float, float]:
        vals = [float(x[key]) for x in runs]
        return statistics.fmean(vals), statistics.pstdev(vals)

    fixed = [(int(k.split()[0]), v) for k, v in r["adsl"].items() if "fixed" in k]
    ks = [k for k, _ in fixed]
    means = [stats(v, "recall@1") for _, v in fixed]
    left.errorbar(
        ks,
        [m for m, _ in means],
        yerr=[s for _, s in means],
        marker="o",
        capsize=2,
        color="#1f77b4",
        label="fixed learners",
    )
    colours = ("#d62728", "#ff7f0e", "#9467bd", "#8c564b")
    grown = [(k, v) for k, v in r["adsl"].items() if "grown" in k]
    for (label, runs), colour in zip(grown, colours, strict=False):
        m, s = stats(runs, "recall@1")
        k = statistics.fmean(float(x["learners"]) for x in runs)
        left.errorbar([k], [m], yerr=[s], marker="D", color=colour, capsize=2, linestyle="")
        _label(left, k, m, label.replace("ADSL, grown ", "grown "), dx=6)
    _log_x(left, base=2)
    left.set_xticks(ks)
    left.set_xlabel("learners (grown runs: mean number at the end)")
    left.set_ylabel("Recall@1, digits 5-9")
    left.set_title("ADSL against fixed learners", fontsize=9)
    left.legend(fontsize=7.5, loc="lower right", frameon=False)
    for tau, colour in (("0.01", "#1f77b4"), ("0.1", "#2ca02c")):
        pts = [(k, v) for k, v in r["m2mix"].items() if k.startswith(f"tau {tau},")]
        xs = [stats(v, "uniformity")[0] for _, v in pts]
        ys = [stats(v, "alignment")[0] for _, v in pts]
        right.plot(xs, ys, marker="o", color=colour, label=f"tau {tau}")
        for (label, _), x, y in zip(pts, xs, ys, strict=True):
            text = "CLIP alone" if "alone" in label else "w " + label.split("weight ")[1]
            _label(right, x, y, text, dx=6)
    right.set_xlabel("uniformity (lower is better)")
    right.set_ylabel("alignment (lower is better)")
    right.set_title("m2-Mix: the mixed term's weight", fontsize=9)
    right.margins(x=0.3)
    right.legend(fontsize=7.5, loc="center right", frameon=False)
    fig.suptitle("Metric-learning objectives, part two", fontsize=10)
    return fig


def layers(res: dict) -> Any:
    """Validation curves: MemoryFormer against dense; MoT against dense per modality."""
    import numpy as np

    r = res.get("layers")
    if not r:
        return None
    fig, (left, right) = _figure()
    for (label, runs), colour in zip(
        r["memoryformer"].items(), ("#1f77b4", "#d62728"), strict=False
    ):
        steps = runs[0]["steps"]
        curve = np.mean([x["val_curve"] for x in runs], axis=0)
        left.plot(steps, curve, marker=".", color=colour, label=label)
    left.set_xlabel("Adam steps")
    left.set_ylabel("validation loss (nats / character)")
    left.set_title("MemoryFormer: character LM on SciFact", fontsize=9)
    left.legend(fontsize=7.5, loc="upper right", frameon=False)
    for (label, runs), colour in zip(r["mot"].items(), ("#1f77b4", "#d62728"), strict=False):
        steps = runs[0]["steps"]
        curve = np.mean([x["curve"] for x in runs], axis=0)
        right.plot(steps, curve[:, 0], color=colour, label=f"{label}, text")
        right.plot(steps, curve[:, 1], color=colour, linestyle="--", label=f"{label}, image")
    right.set_xlabel("Adam steps (equal FLOPs per step)")
    right.set_ylabel("validation loss (nats / token)")
    right.set_title("Mixture-of-Transformers: two modalities", fontsize=9)
    right.legend(fontsize=7.5, loc="upper right", frameon=False)
    fig.suptitle(f"Large-model layers ({len(r['seeds'])} seeds, mean)", fontsize=10)
    return fig


def ofa(res: dict) -> Any:
    """Held-out MLM loss curves of the four initialisations: overall and on new-token targets."""
    import numpy as np

    r = res.get("ofa")
    if not r:
        return None
    fig, (left, right) = _figure()
    colours = {
        "ofa": "#d62728",
        "ofa-factorized": "#ff7f0e",
        "mean": "#1f77b4",
        "random": "#7f7f7f",
    }
    for arm, runs in r["arms"].items():
        steps = runs[0]["steps"]
        left.plot(
            steps,
            np.mean([x["loss"] for x in runs], axis=0),
            marker=".",
            color=colours.get(arm),
            label=arm,
        )
        right.plot(
            steps,
            np.mean([x["new_token_loss"] for x in runs], axis=0),
            marker=".",
            color=colours.get(arm),
            label=arm,
        )
    for ax, title in ((left, "all masked positions"), (right, "masked new tokens")):
        ax.set_xlabel("continued pre-training steps")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7.5, loc="upper right", frameon=False)
    left.set_ylabel("held-out MLM loss (nats)")
    fig.suptitle(
        f"OFA: MiniLM + {r['new_tokens']:,} SciFact tokens ({len(r['seeds'])} seeds, mean)",
        fontsize=10,
    )
    return fig


def m2trec(res: dict) -> Any:
    """Recall@20 overall and on rare targets, per model and protocol (mean of the seeds)."""
    import numpy as np

    r = res.get("m2trec")
    if not r:
        return None
    fig, axes = _figure()
    models = ("m2trec", "sasrec", "popularity")
    colours = ("#d62728", "#1f77b4", "#7f7f7f")
    for ax, (protocol, runs) in zip(axes, r["protocols"].items(), strict=False):
        x = np.arange(2)
        for i, (model, colour) in enumerate(zip(models, colours, strict=True)):
            vals = [
                np.mean([run[model][key] for run in runs])
                for key in ("recall@20", "rare_recall@20")
            ]
            errs = [
                np.std([run[model][key] for run in runs]) for key in ("recall@20", "rare_recall@20")
            ]
            ax.bar(x + (i - 1) * 0.27, vals, 0.27, yerr=errs, color=colour, label=model)
        n_rare = int(runs[0]["popularity"]["n_rare"])
        ax.set_xticks(x, ["all cases", f"rare targets ({n_rare})"])
        ax.set_title(protocol, fontsize=9)
        ax.legend(fontsize=7.5, loc="upper right", frameon=False)
    axes[0].set_ylabel("Recall@20")
    fig.suptitle(
        f"M2TRec vs SASRec on MovieLens-100K ({len(r['seeds'])} seeds, mean ± std)", fontsize=10
    )
    return fig


#: file name under docs/img -> (figure function, alt text of the link)
FIGURES: dict[str, tuple[Callable[[dict], Any], str]] = {
    "bench-serve-recall-latency.svg": (serve_recall_latency, "recall@10 vs latency and q/s"),
    "bench-matryoshka-ndcg.svg": (matryoshka_ndcg, "nDCG@10 vs Matryoshka dimension and cost"),
    "bench-tables-auc-memory.svg": (tables_auc_memory, "AUC vs memory of the tables"),
    "bench-losses-mixup.svg": (losses_mixup, "ADSL vs fixed learners; m2-Mix by weight"),
    "bench-layers.svg": (layers, "validation curves of MemoryFormer and MoT against dense"),
    "bench-ofa.svg": (ofa, "held-out MLM loss of OFA against random and mean-of-subwords"),
    "bench-m2trec.svg": (m2trec, "Recall@20 of M2TRec, SASRec and popularity, all and rare"),
}


def link(name: str) -> list[str]:
    """The markdown lines that show figure ``name`` (``docs/img/<name>``) on the page."""
    return [f"![{FIGURES[name][1]}](img/{name})", ""]


def render(res: dict, folder: Path = IMG) -> list[Path]:
    """Write every figure whose numbers are in ``res`` to ``folder``; return their paths."""
    from embedlab.viz import save_figure

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, (make, _) in FIGURES.items():
        fig = make(res)
        if fig is not None:
            out.append(save_figure(fig, folder / name, overwrite=True))
    return out
