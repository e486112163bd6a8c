"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

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
