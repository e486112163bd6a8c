"""The web explorer measured in the page (issue 17): section ``explore``.

Two synthetic collections, 10,000 and 100,000 points of 384-d float32 unit vectors (a seeded
mixture of 20 Gaussian blobs, payload ``label`` = the blob, a keyword), are loaded into a store
and served by a real ``embedlab serve`` on 127.0.0.1. Headless Debian Chromium (Playwright with
``executable_path``, 1280 x 800, software rendering: ``--disable-gpu``) opens
``/explore#c=NAME&color=label`` and reads the page's own timing hooks (``window.__explorer``):

- **first paint**: ``performance.now()`` (ms since the navigation started) at the first frame with
  points; **coloured**: the same when the label colours are drawn. The first open of a collection
  computes its projection (the "cold" row: the server's PCA job inside the time); the next three,
  each in a fresh browser context, find it cached (the median is reported).
- **pan/zoom frame**: ``__explorer.benchPanZoom(60)``: 60 synchronous redraws along a pan-and-zoom
  path (the script's work: the pixel buffer and ``putImageData``, without the compositor's), after
  10 warm-up frames; median and p95. ``__explorer.benchRaf(60)``: the same path, one redraw per
  ``requestAnimationFrame``; the median interval between frames (16.7 ms at 60 Hz is the floor).
- **PCA job**: the ``seconds`` of the 100,000 x 384 projection job (read from the store, PCA,
  map quality on a sample), and the client's wall time from ``POST .../projections`` to ``done``;
  then, in this process on the same matrix, the PCA alone and the map quality alone.

Peer: TensorFlow's Embedding Projector. Its hosted page (projector.tensorflow.org) cannot be
opened offline and its TensorBoard plugin is not driven by this section, so no peer number is
given. Run alone with ``python benchmarks/run.py --only explore``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from _common import lines_to_md, log
from _http_load import free_port, start_server, stop_server

KEYS = ("explore",)

SIZES = (10_000, 100_000)
DIM, BLOBS, SEED = 384, 20, 17
SPREAD = 1.5  # noise norm relative to the unit blob centres
WARM_OPENS = 3
FRAMES, WARMUP = 60, 10
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
#: the issue's aims at 100,000 points on this machine
AIM_FIRST_PAINT_MS, AIM_FRAME_MS, AIM_PCA_S = 2000.0, 33.0, 2.0
PAINTED = (
    "window.__explorer && window.__explorer.firstPaintMs > 0 && window.__explorer.colouredMs > 0"
)


def blobs(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """(unit float32 vectors [n, DIM], blob labels [n]) of a seeded Gaussian mixture."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((BLOBS, DIM)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    labels = rng.integers(0, BLOBS, size=n)
    x = centres[labels] + (SPREAD / np.sqrt(DIM)) * rng.standard_normal((n, DIM), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), labels


def build_store(path: Path) -> dict[int, str]:
    """The collections (size -> name) in a new store at ``path``."""
    from embedlab.store import Store

    store = Store(path)
    names = {}
    for n in SIZES:
        name = f"blobs_{n // 1000}k"
        x, labels = blobs(n)
        col = store.create_collection(name, DIM, "cosine", payload_schema={"label": "keyword"})
        step = 20_000
        for a in range(0, n, step):
            part = range(a, min(n, a + step))
            col.upsert(
                np.asarray(part, dtype=np.int64),
                x[a : a + step],
                [{"label": f"blob {labels[i]}"} for i in part],
            )
        names[n] = name
        log(f"explore: {name}: {n:,} x {DIM} in the store")
    return names


def _open(browser: Any, url: str) -> dict[str, Any]:
    """Open ``url`` in a fresh context; the page's timings once it is coloured."""
    context = browser.new_context(viewport=VIEWPORT)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_function(PAINTED, timeout=600_000)
    out = page.evaluate(
        "({firstPaintMs: __explorer.firstPaintMs, colouredMs: __explorer.colouredMs, "
        "points: __explorer.points, job: __explorer.jobs().a})"
    )
    out["wall_s"] = time.perf_counter() - t0
    out["errors"] = errors
    out["page"], out["context"] = page, context
    return out


def _stats(times: list[float]) -> dict[str, float]:
    s = sorted(times)
    return {
        "median_ms": statistics.median(s),
        "p95_ms": float(np.percentile(s, 95)),
        "max_ms": s[-1],
        "n": len(s),
    }


def measure(browser: Any, base: str, name: str, n: int) -> dict[str, Any]:
    url = f"{base}/explore#c={name}&color=label"
    opens = []
    for k in range(1 + WARM_OPENS):
        o = _open(browser, url)
        if o["errors"]:
            raise RuntimeError(f"explore: page errors at {url}: {o['errors'][:5]}")
        if o["points"] != n:
            raise RuntimeError(f"explore: {o['points']} points drawn, expected {n}")
        log(
            f"explore: {name} open {k} ({'cold' if k == 0 else 'cached'}): first paint "
            f"{o['firstPaintMs']:.0f} ms, coloured {o['colouredMs']:.0f} ms"
        )
        if k < WARM_OPENS:
            o["context"].close()
        opens.append(o)
    page = opens[-1]["page"]
    page.evaluate(f"__explorer.benchPanZoom({WARMUP})")
    draw = page.evaluate(f"__explorer.benchPanZoom({FRAMES})")
    raf = page.evaluate(f"__explorer.benchRaf({FRAMES})")
    opens[-1]["context"].close()
    cold, warm = opens[0], opens[1:]
    res = {
        "points": n,
        "cold": {
            "first_paint_ms": cold["firstPaintMs"],
            "coloured_ms": cold["colouredMs"],
            "job_seconds": cold["job"]["seconds"],
        },
        "cached": {
            "first_paint_ms": statistics.median(o["firstPaintMs"] for o in warm),
            "coloured_ms": statistics.median(o["colouredMs"] for o in warm),
            "opens": len(warm),
        },
        "draw": _stats(draw),
        "raf": _stats(raf),
    }
    log(
        f"explore: {name}: draw median {res['draw']['median_ms']:.1f} ms, p95 "
        f"{res['draw']['p95_ms']:.1f} ms; rAF interval median {res['raf']['median_ms']:.1f} ms"
    )
    return res


def pca_job(base: str, name: str, n: int) -> dict[str, Any]:
    """A fresh PCA job of collection ``name`` (a seed the page never asks for, so not cached)."""
    with httpx.Client(base_url=base, timeout=600, trust_env=False) as client:
        t0 = time.perf_counter()
        r = client.post(
            f"/collections/{name}/projections", json={"method": "pca", "max_points": n, "seed": 1}
        )
        r.raise_for_status()
        job = r.json()["result"]
        while job["status"] not in ("done", "failed"):
            time.sleep(0.05)
            job = client.get(f"/collections/{name}/projections/{job['id']}").json()["result"]
        wall = time.perf_counter() - t0
    if job["status"] != "done":
        raise RuntimeError(f"explore: the PCA job failed: {job['error']}")
    log(f"explore: PCA of {n:,} x {DIM}: job {job['seconds']:.2f} s, client wall {wall:.2f} s")
    return {"points": n, "dim": DIM, "job_seconds": job["seconds"], "wall_s": wall,
            "quality": job["quality"]}  # fmt: skip


def pca_breakdown(n: int) -> dict[str, float]:
    """In this process, on the same matrix: the PCA alone and the map quality alone (median of 3
    each), the two parts of the job beside reading the store."""
    from embedlab.viz import map_quality, project

    x, _ = blobs(n)
    pca, quality = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        y = project(x, "pca", seed=0, metric="cosine")
        pca.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        map_quality(x, y, seed=0, metric="cosine")
        quality.append(time.perf_counter() - t0)
    out = {"pca_s": statistics.median(pca), "quality_s": statistics.median(quality)}
    log(f"explore: in process: PCA {out['pca_s']:.2f} s, map quality {out['quality_s']:.2f} s")
    return out


def run(tmp: Path) -> dict:
    from playwright.sync_api import sync_playwright

    names = build_store(tmp / "store")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "embedlab", "serve", "--store", str(tmp / "store"),
           "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    proc = start_server(cmd, port, dict(os.environ), log_path=tmp / "server.log")
    out: dict[str, Any] = {
        "dim": DIM, "blobs": BLOBS, "viewport": [VIEWPORT["width"], VIEWPORT["height"]],
        "frames": FRAMES, "warm_opens": WARM_OPENS, "cores": os.cpu_count(), "sizes": {},
    }  # fmt: skip
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            out["chromium"] = browser.version
            try:
                for n in SIZES:
                    out["sizes"][str(n)] = measure(browser, base, names[n], n)
            finally:
                browser.close()
        out["pca"] = pca_job(base, names[SIZES[-1]], SIZES[-1])
    finally:
        stop_server(proc)
    out["pca"].update(pca_breakdown(SIZES[-1]))
    return {"explore": out}


def _met(value: float, aim: float) -> str:
    return "met" if value <= aim else "**missed**"


def markdown(res: dict) -> str:
    r = res.get("explore")
    if not r:
        return ""
    big = r["sizes"][str(SIZES[-1])]
    pca = r["pca"]
    lines = [
        "## Web explorer, measured in the page",
        "",
        f"`/explore` in headless Chromium {r['chromium']} ({r['viewport'][0]} x "
        f"{r['viewport'][1]}, software rendering) against `embedlab serve` on 127.0.0.1, on "
        f"synthetic collections of {r['dim']}-d unit vectors ({r['blobs']} Gaussian blobs, "
        "coloured by their label); the page's own hooks (`window.__explorer`). First paint: ms "
        "from the navigation to the first frame with points (coloured: with the label colours); "
        "cold = the first open, which computes the PCA map; cached = the median of "
        f"{r['warm_opens']} later opens in fresh browser contexts. Frame: "
        f"`benchPanZoom({r['frames']})`, synchronous redraws of the pixel buffer along a "
        "pan-and-zoom path (the script's work, not the compositor's); rAF: the interval between "
        "animation frames along the same path (16.7 ms is the 60 Hz floor). "
        "`python benchmarks/run.py --only explore`.",
        "",
        "| points | first paint, cold | coloured, cold | first paint, cached | coloured, cached "
        "| frame median | frame p95 | rAF interval median |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in SIZES:
        s = r["sizes"][str(n)]
        lines.append(
            f"| {n:,} | {s['cold']['first_paint_ms']:,.0f} ms | {s['cold']['coloured_ms']:,.0f} ms "
            f"| {s['cached']['first_paint_ms']:,.0f} ms | {s['cached']['coloured_ms']:,.0f} ms "
            f"| {s['draw']['median_ms']:.1f} ms | {s['draw']['p95_ms']:.1f} ms "
            f"| {s['raf']['median_ms']:.1f} ms |"
        )
    fp = big["cold"]["first_paint_ms"]
    frame = big["draw"]["p95_ms"]
    cached = big["cached"]["first_paint_ms"]
    lines += [
        "",
        f"PCA of {pca['points']:,} x {pca['dim']} server-side: the projection job took "
        f"{pca['job_seconds']:.2f} s (its `seconds`: read from the store, PCA, map quality on a "
        f"sample; {pca['wall_s']:.2f} s from `POST .../projections` to `done` at the client). "
        f"On the same matrix in one process, median of 3: the PCA alone {pca['pca_s']:.2f} s, the "
        f"map quality (trustworthiness and kNN overlap, sample of {pca['quality']['sample']:,}) "
        f"alone {pca['quality_s']:.2f} s.",
        "",
        f"Aims of issue 17 at {SIZES[-1]:,} points on this machine: first paint <= "
        f"{AIM_FIRST_PAINT_MS:,.0f} ms: {fp:,.0f} ms on the first open, which waits for the "
        f"projection job ({_met(fp, AIM_FIRST_PAINT_MS)}), {cached:,.0f} ms once it is cached "
        f"({_met(cached, AIM_FIRST_PAINT_MS)}); <= {AIM_FRAME_MS:.0f} ms per pan/zoom frame: p95 "
        f"{frame:.1f} ms ({_met(frame, AIM_FRAME_MS)}); PCA <= {AIM_PCA_S:.0f} s: "
        f"{pca['pca_s']:.2f} s for the PCA ({_met(pca['pca_s'], AIM_PCA_S)}), "
        f"{pca['job_seconds']:.2f} s for the whole job with its quality "
        f"({_met(pca['job_seconds'], AIM_PCA_S)}).",
        "",
        "Peer: TensorFlow's Embedding Projector. Its hosted page cannot be opened offline and its "
        "TensorBoard plugin is not driven here, so no peer number is given.",
    ]
    return lines_to_md(lines)
