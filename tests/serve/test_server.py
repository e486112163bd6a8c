"""A real `embedlab serve` (uvicorn) on 127.0.0.1: 4 client processes upsert overlapping ids concurrently."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

import embedlab  # noqa: E402

SRC = str(Path(embedlab.__file__).resolve().parents[1])
N_CLIENTS, SPAN, STEP, BATCH, DIM = 4, 6000, 2000, 200, 8

# client k upserts ids [k * STEP, k * STEP + SPAN) in batches of BATCH, in a shuffled order, as
# base64 vectors whose values name the writer (so the winner of each id is visible)
CLIENT = textwrap.dedent(
    """
    import base64, random, sys
    import httpx
    import numpy as np
    url, k, span, step, batch, dim = sys.argv[1], *map(int, sys.argv[2:])
    ids = np.arange(k * step, k * step + span)
    starts = list(range(0, span, batch))
    random.Random(k).shuffle(starts)
    with httpx.Client(base_url=url, timeout=120) as client:
        for a in starts:
            part = ids[a : a + batch]
            vecs = np.full((len(part), dim), k + 1, dtype="<f4")
            vecs[:, 0] = part
            body = {"ids": part.tolist(), "vectors_b64": base64.b64encode(vecs.tobytes()).decode(),
                    "payloads": [{"writer": k}] * len(part)}
            r = client.put("/collections/shared/points", json=body)
            if r.status_code != 200:
                sys.exit(f"client {k}: {r.status_code} {r.text}")
    """
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture
def server(tmp_path, servers):
    url, proc = servers.start(tmp_path / "store")
    yield url, proc
    servers.stop(proc)


def test_concurrent_overlapping_upserts_from_four_processes(server):
    url, proc = server
    with httpx.Client(base_url=url, timeout=60) as client:
        r = client.put("/collections/shared", json={"dim": DIM, "metric": "l2"})
        assert r.status_code == 201, r.text
        clients = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    CLIENT,
                    url,
                    str(k),
                    str(SPAN),
                    str(STEP),
                    str(BATCH),
                    str(DIM),
                ],
                env=_env(),
                stderr=subprocess.PIPE,
            )
            for k in range(N_CLIENTS)
        ]
        for c in clients:
            _, err = c.communicate(timeout=300)
            assert c.returncode == 0, err.decode()[-2000:]
        unique = (N_CLIENTS - 1) * STEP + SPAN
        info = client.get("/collections/shared").json()["result"]
        assert info["count"] == unique
        seen, cursor = [], None
        while True:
            res = client.post(
                "/collections/shared/points/scroll",
                json={"limit": 5000, "offset": cursor, "with_vector": True},
            ).json()["result"]
            seen += res["points"]
            cursor = res["next_page_offset"]
            if cursor is None:
                break
        ids = [p["id"] for p in seen]
        assert len(ids) == len(set(ids)) == unique
        assert ids == list(range(unique))
        for p in seen:  # each point is one writer's whole row: its vector and payload agree
            k = p["payload"]["writer"]
            assert k * STEP <= p["id"] < k * STEP + SPAN
            assert p["vector"] == [float(p["id"])] + [float(k + 1)] * (DIM - 1)
        r = client.post("/collections/shared/points/count", json={})
        assert r.json()["result"]["count"] == unique
        metrics = client.get("/metrics").text
        assert 'route="/collections/{name}/points",status="200"' in metrics
    proc.send_signal(signal.SIGINT)
    assert proc.wait(20) == 0
