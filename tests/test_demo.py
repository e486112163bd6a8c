"""The demo module (exercised end to end through the CLI in test_cli)."""

from embedlab._demo import _baselines
from embedlab.datasets import load_graph


def test_baselines_are_trivial_features():
    g = load_graph("karate")
    base = _baselines(g, 8, 0)
    assert base["random features (baseline)"].shape == (34, 8)
    deg = base["degree only (baseline)"]
    assert deg.shape == (34, 2) and deg[:, 0].tolist() == g.degrees().tolist()


def test_demo_store_holds_the_demo_graphs_with_first_labels_and_maps(tmp_path, monkeypatch):
    import pytest

    pytest.importorskip("lancedb")
    from embedlab._demo import build_demo_store
    from embedlab.datasets import load_labels
    from embedlab.store import Store

    monkeypatch.delenv("EMBEDLAB_DATA", raising=False)
    seen: list[str] = []
    names = build_demo_store(tmp_path, 0, log=seen.append)
    assert names == ["karate_fastrp", "planted_fastrp"]
    assert seen == [
        "collection karate_fastrp: 34 points",
        "collection planted_fastrp: 1,000 points",
    ]
    col = Store(tmp_path).collection("karate_fastrp")
    lab = load_labels("karate")
    first = {}
    for node, label in zip(lab.nodes.tolist(), lab.labels.tolist(), strict=True):
        first.setdefault(node, str(label))
    g = load_graph("karate")
    points = col.get(g.node_ids.tolist())
    assert [p.payload["label"] for p in points] == [first.get(n, "-") for n in g.node_ids.tolist()]
    assert [p.payload["degree"] for p in points] == g.degrees(weighted=False).astype(int).tolist()
    # the PCA map is already cached in the store: asking for it computes nothing
    key, _ = col.projection_plan("pca")
    assert col.projection(key).n_points == 34
    # building again replaces the collections (no duplicates)
    assert build_demo_store(tmp_path, 0) == names
    assert Store(tmp_path).collection("karate_fastrp").count() == 34


def test_demo_serve_prints_the_explorer_url_and_serves_it(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx
    import pytest

    pytest.importorskip("uvicorn")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "EMBEDLAB_DATA"}
    cmd = [
        sys.executable,
        "-m",
        "embedlab",
        "demo",
        "--serve",
        "--store",
        str(tmp_path),
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        url = f"http://127.0.0.1:{port}/explore#c=karate_fastrp&color=label"
        assert line.strip() == f"explorer: {url}  (Ctrl-C stops the server)"
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/collections", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
                time.sleep(0.1)
        names = [c["name"] for c in r.json()["result"]["collections"]]
        assert names == ["karate_fastrp", "planted_fastrp"]
        page = httpx.get(f"http://127.0.0.1:{port}/explore", timeout=5)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # also closes the pipes
