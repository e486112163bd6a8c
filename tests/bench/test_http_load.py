"""benchmarks/_http_load.py: the bounded load client counts, times and refuses what it should,
against a tiny threaded HTTP server on 127.0.0.1, and starts/stops a real server process."""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import _http_load as hl


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        i = json.loads(body)["i"]
        code = 500 if i % 10 == 3 else 200
        out = json.dumps({"echo": i}).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize("concurrency", [1, 4])
def test_every_request_is_sent_once_and_counted(server, concurrency):
    seen = {}
    lock = threading.Lock()

    def keep(i, resp):
        with lock:
            seen[i] = resp.json()["echo"]

    res = hl.run_load(
        lambda i: ("POST", server + "/q", {"json": {"i": i}}),
        n=50,
        concurrency=concurrency,
        on_response=keep,
    )
    assert seen == {i: i for i in range(50)}
    assert res["requests"] == 50
    assert res["status"] == {"200": 45, "500": 5}
    assert res["errors"] == 5
    assert 0 < res["p50_ms"] <= res["p90_ms"] <= res["p99_ms"]
    assert res["qps"] == pytest.approx(50 / res["wall_s"])
    assert not res["capped"]


def test_time_cap_stops_early(server):
    res = hl.run_load(
        lambda i: ("POST", server + "/q", {"json": {"i": 0}}), n=10**6, time_cap_s=0.2
    )
    assert res["capped"] and 0 < res["requests"] < 10**6


def test_refuses_non_loopback_hosts():
    with pytest.raises(ValueError, match="only talks to loopback hosts"):
        hl.run_load(lambda i: ("GET", "http://example.com/", {}), n=1)
    assert hl.check_loopback("http://[::1]:80/x") == "http://[::1]:80/x"


def test_start_and_stop_a_server_process(tmp_path):
    port = hl.free_port()
    cmd = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    proc = hl.start_server(cmd, port, health="/", timeout_s=30, log_path=tmp_path / "log")
    try:
        assert hl.proc_rss_mib(proc.pid) > 1
        assert hl.outbound_sockets(proc.pid) == []
    finally:
        hl.stop_server(proc)
    assert proc.poll() is not None


def test_a_server_that_exits_is_reported(tmp_path):
    port = hl.free_port()
    cmd = [sys.executable, "-c", "print('boom'); raise SystemExit(3)"]
    with pytest.raises(RuntimeError, match="exited with code 3.*boom"):
        hl.start_server(cmd, port, timeout_s=30, log_path=tmp_path / "log")


def test_serve_section_truth_and_recall():
    import numpy as np

    from sections import serve

    x, q = serve.mixture(2000, 20, dim=16, clusters=10, seed=1)
    assert np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-5)
    truth = serve.exact_topk(x, q, k=5)
    ref = np.argsort(-(q @ x.T), axis=1, kind="stable")[:, :5]
    assert (truth == ref).all()
    got = {0: truth[0].tolist(), 1: [*truth[1, :4].tolist(), -1]}
    assert serve.recall_at_k(got, truth) == pytest.approx((1 + 0.8) / 2)
    # queries are fresh draws, not rows of the data
    assert not (q[:, None, :] == x[None, :, :]).all(axis=2).any()
