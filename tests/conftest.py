"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest


@pytest.fixture(params=[0, 1, 42])
def global_random_seed(request: pytest.FixtureRequest) -> int:
    """Seeded tests must pass for any seed (scikit-learn's convention); we try three."""
    return int(request.param)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """``$EMBEDLAB_DATA``; tests that need the real data sets skip when it is absent."""
    env = os.environ.get("EMBEDLAB_DATA")
    if not env or not Path(env).is_dir():
        pytest.skip("EMBEDLAB_DATA is not set to the real data sets")
    return Path(env)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture(scope="module")
def one_torch_thread() -> Any:
    """One intra-op torch thread for a module (tiny models: faster, and immune to a busy machine)."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class _Servers:
    """Start ``embedlab serve`` processes on free 127.0.0.1 ports; stop them at the end."""

    SRC = str(Path(__file__).resolve().parents[1] / "src")

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.procs: list[Any] = []

    def start(self, store: Path, *extra: str) -> tuple[str, Any]:
        """Return the base URL and the process of a server over ``store``, once it answers."""
        import socket
        import subprocess
        import sys
        import time

        import httpx

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        url = f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        env["PYTHONPATH"] = self.SRC + os.pathsep + env.get("PYTHONPATH", "")
        log = self.logs / f"server-{port}.log"
        cmd = [sys.executable, "-m", "embedlab", "serve", "--store", str(store)]
        with open(log, "wb") as fh:
            proc = subprocess.Popen(
                [*cmd, "--host", "127.0.0.1", "--port", str(port), *extra],
                env=env,
                stdout=fh,
                stderr=subprocess.STDOUT,
            )
        proc.log = log  # type: ignore[attr-defined]
        self.procs.append(proc)
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    return url, proc
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the server did not answer /healthz within 60 s")
            time.sleep(0.1)

    @staticmethod
    def stop(proc: Any) -> None:
        """Stop a server as Ctrl-C would (SIGINT), killing it when it does not exit."""
        import signal
        import subprocess

        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)

    def close(self) -> None:
        for proc in self.procs:
            self.stop(proc)


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``servers.start(store) -> (url, process)``: real ``embedlab serve`` processes."""
    pool = _Servers(tmp_path_factory.mktemp("server-logs"))
    yield pool
    pool.close()
