"""Shared Dask clusters for the distributed tests: one per module, threads for speed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A LocalCluster of 2 single-threaded workers in this process (no pickling, fast start)."""
    from embedlab.distributed._client import open_client

    with open_client(workers=2, processes=False) as c:
        yield c


@pytest.fixture(scope="module")
def process_client() -> Iterator[Any]:
    """A LocalCluster of 2 worker processes: catches what does not pickle."""
    from embedlab.distributed._client import open_client

    with open_client(workers=2, processes=True, memory_limit="2GB") as c:
        yield c
