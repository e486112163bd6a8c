"""Fixtures of the explorer's browser tests: a BlogCatalog store, a real server, one Chromium.

One store (two embeddings of BlogCatalog: FastRP and DeepWalk with 10 walks of 40; payload
``label`` = the node's first label), one ``embedlab serve`` process (uvicorn on 127.0.0.1) and one
headless Chromium (Debian's, driven by Playwright with ``executable_path``; never
``playwright install``) are shared by the tests. Every page they open goes through
:func:`open_page`, which aborts and records any request to a host other than the loopback one and
records console errors and uncaught page errors.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
pytest.importorskip("lancedb")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
VIEWPORT = {"width": 1280, "height": 800}
FASTRP, DEEPWALK = "blog_fastrp", "blog_deepwalk"


def first_labels(nodes: np.ndarray, labels: np.ndarray) -> dict[Any, str]:
    """Each node's first label in file order (BlogCatalog nodes have one or more)."""
    out: dict[Any, str] = {}
    for node, lab in zip(nodes.tolist(), labels.tolist(), strict=True):
        out.setdefault(node, str(lab))
    return out


@pytest.fixture(scope="session")
def blog_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with ``blog_fastrp`` (FastRP, 128-d) and ``blog_deepwalk`` (DeepWalk, 64-d, 10 walks
    of 40 per node) of BlogCatalog, ids = node ids, payload ``{"label": first label}``."""
    from embedlab.datasets import graph_dataset, load_graph, load_labels

    try:
        graph_dataset("blogcatalog")
    except Exception as exc:
        pytest.skip(f"BlogCatalog is not under $EMBEDLAB_DATA: {exc}")
    from embedlab.graph import DeepWalk, FastRP
    from embedlab.store import Store

    graph = load_graph("blogcatalog")
    lab = load_labels("blogcatalog")
    first = first_labels(lab.nodes, lab.labels)
    ids = np.asarray(graph.node_ids)
    payload = [{"label": first[i]} if i in first else {} for i in ids.tolist()]
    path = tmp_path_factory.mktemp("explore") / "store"
    store = Store(path)
    models = {
        FASTRP: FastRP(n_components=128, random_state=0),
        # 10 walks of 40 (the paper: 80): ~7 s on 2 cores, 10-NN sets agree with FastRP's ~0.12
        DEEPWALK: DeepWalk(
            n_components=64, walks_per_node=10, walk_length=40, window=5, random_state=0
        ),
    }
    for name, model in models.items():
        x = model.fit(graph).embeddings_
        col = store.create_collection(
            name, x.shape[1], "cosine", payload_schema={"label": "keyword"}
        )
        col.upsert(ids, x, payload)
    return path


@pytest.fixture(scope="session")
def server(blog_store: Path, servers: Any):
    """The base URL of ``embedlab serve --store blog_store`` on a free 127.0.0.1 port."""
    url, proc = servers.start(blog_store)
    yield url
    servers.stop(proc)


@pytest.fixture(scope="session")
def api(server: str):
    """An httpx client of the server (the expected answers)."""
    with httpx.Client(base_url=server, timeout=120, trust_env=False) as client:
        yield client


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium (skipped when missing, unless EMBEDLAB_REQUIRE_BROWSER=1)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("EMBEDLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(
                f"EMBEDLAB_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt install chromium)"
            )
        pytest.skip(f"{CHROMIUM} is missing (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("EMBEDLAB_REQUIRE_BROWSER") == "1":
            raise
        pytest.skip("the playwright Python package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class PageLog:
    """What a page did that a test may fail on."""

    offsite: list[str] = field(default_factory=list)
    console_errors: list[tuple[str, str]] = field(default_factory=list)  # (text, url)
    page_errors: list[str] = field(default_factory=list)

    def check(self, allow_statuses: tuple[int, ...] = ()) -> None:
        """No off-site request, no page error, no console error except Chromium's own
        "Failed to load resource ... status of N" for a status the test expects (Chromium logs
        one for every non-2xx reply, whatever the page does with it)."""
        assert not self.offsite, f"requests to non-loopback hosts: {self.offsite}"
        assert not self.page_errors, f"uncaught page errors: {self.page_errors}"
        allowed = tuple(
            f"Failed to load resource: the server responded with a status of {s} "
            for s in allow_statuses
        )
        bad = [(t, u) for t, u in self.console_errors if not (allowed and t.startswith(allowed))]
        assert not bad, f"console errors: {bad}"


def open_page(browser: Any, url: str, **context_kwargs: Any) -> tuple[Any, Any, PageLog]:
    """(context, page, log): a fresh context at 1280x800 whose requests are checked, at ``url``."""
    log = PageLog()
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, **context_kwargs)

    def route(r: Any) -> None:
        host = urlsplit(r.request.url).hostname
        if host in LOOPBACK:
            r.continue_()
        else:
            log.offsite.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on(
        "console",
        lambda m: (
            log.console_errors.append((m.text, m.location.get("url", "")))
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.goto(url)
    return context, page, log


class Helpers:
    """The names and the page opener, handed to the tests by the ``ex`` fixture."""

    FASTRP = FASTRP
    DEEPWALK = DEEPWALK
    open_page = staticmethod(open_page)


@pytest.fixture(scope="session")
def ex() -> type[Helpers]:
    """Collection names and :func:`open_page` (``ex.open_page(browser, url)``)."""
    return Helpers
