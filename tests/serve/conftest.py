"""Shared fixtures of the HTTP service tests: a small store and in-process clients."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("lancedb")

from fastapi.testclient import TestClient

from embedlab.serve import create_app
from embedlab.store import Store

DIM = 32
N_POINTS = 60
LABELS = ("a", "b", "c")
PAYLOAD_SCHEMA = {"label": "keyword", "n": "integer", "x": "float"}


def small_data(seed: int = 3) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """Ids, float32 vectors and payloads of the shared small collection."""
    rng = np.random.default_rng(seed)
    ids = np.arange(100, 100 + N_POINTS, dtype=np.int64)
    vectors = rng.standard_normal((N_POINTS, DIM)).astype(np.float32)
    payloads = [
        {"label": LABELS[i % 3], "n": int(i), "x": float(i) / 4, "note": f"point {i}"}
        for i in range(N_POINTS)
    ]
    return ids, vectors, payloads


def points_json(ids: Any, vectors: np.ndarray, payloads: list[dict[str, Any]] | None) -> dict:
    """The JSON upsert body of these points."""
    return {
        "points": [
            {
                "id": int(i),
                "vector": v.tolist(),
                **({"payload": payloads[k]} if payloads is not None else {}),
            }
            for k, (i, v) in enumerate(zip(ids, vectors, strict=True))
        ]
    }


def check_error(response: Any, status: int, code: str, match: str | None = None) -> dict:
    """The response is the error envelope with this status and code (and message)."""
    import re

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert "Traceback" not in response.text
    body = response.json()
    assert set(body) == {"status", "time"}, body
    assert set(body["status"]) == {"error", "code"}, body
    assert body["status"]["code"] == code
    assert isinstance(body["time"], float)
    assert body["time"] >= 0
    if match is not None:
        assert re.search(match, body["status"]["error"]), body["status"]["error"]
    return body


def ok_result(response: Any, status: int = 200) -> Any:
    """The ``result`` of a success envelope (checked)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "ok", body
    assert isinstance(body["time"], float)
    assert set(body) == {"result", "status", "time"}
    return body["result"]


class Helpers:
    """The shared constants and checks, handed to tests by the ``sv`` fixture."""

    DIM = DIM
    N_POINTS = N_POINTS
    PAYLOAD_SCHEMA = PAYLOAD_SCHEMA
    data = staticmethod(small_data)
    points_json = staticmethod(points_json)
    err = staticmethod(check_error)
    ok = staticmethod(ok_result)


@pytest.fixture(scope="session")
def sv() -> type[Helpers]:
    """Constants and checks of the service tests (``sv.ok(response)``, ``sv.err(...)``)."""
    return Helpers


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A store holding collection ``docs``: 60 points of 32-d, payload label/n/x (+ note)."""
    st = Store(tmp_path / "store")
    col = st.create_collection("docs", DIM, "cosine", payload_schema=PAYLOAD_SCHEMA)
    ids, vectors, payloads = small_data()
    col.upsert(ids, vectors, payloads)
    return st


@pytest.fixture
def client(store: Store) -> TestClient:
    """An in-process client of an app over ``store`` (server errors surface as 500s)."""
    with TestClient(create_app(store), raise_server_exceptions=False) as c:
        yield c
