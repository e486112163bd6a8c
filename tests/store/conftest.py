"""Shared fixtures of the store tests: a fresh store, and points as id and score arrays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("lancedb")


@pytest.fixture
def store(tmp_path: Path) -> Any:
    """An empty store in a fresh folder."""
    from embedlab.store import Store

    return Store(tmp_path / "store")


@pytest.fixture(scope="module")
def module_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One store for a whole module (collections built once, queried by many tests)."""
    from embedlab.store import Store

    return Store(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="session")
def as_arrays() -> Any:
    """``(ids, scores)`` arrays of a list of scored points (scores as float32, as stored)."""

    def convert(points: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        ids = [p.id for p in points]
        kind = object if ids and isinstance(ids[0], str) else np.int64
        return np.asarray(ids, dtype=kind), np.asarray([p.score for p in points], np.float32)

    return convert
