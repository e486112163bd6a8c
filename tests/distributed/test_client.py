"""The client rule: a given client, else the current one, else a clear error."""

import numpy as np
import pytest

from embedlab.distributed._client import (
    open_client,
    peak_rss,
    resolve_client,
    transfer_bytes,
    worker_addresses,
)
from embedlab.exceptions import InvalidInputError


def test_no_client_running():
    import distributed

    with pytest.raises(ValueError, match="No global client found"):
        distributed.get_client()
    with pytest.raises(InvalidInputError, match="No Dask client is running"):
        resolve_client()


def test_the_current_client_is_used():
    with open_client(workers=1, processes=False) as client:
        assert resolve_client() is client
        assert resolve_client(client) is client
        assert len(worker_addresses(client)) == 1


def test_transfer_counter_counts_bytes_between_workers():
    with open_client(workers=2, processes=False) as client:
        a, b = worker_addresses(client)
        before = transfer_bytes(client)
        x = client.submit(np.ones, 100_000, workers=[a], pure=False)
        total = client.submit(np.sum, x, workers=[b], pure=False).result()
        assert total == 100_000
        moved = transfer_bytes(client) - before
        assert 800_000 <= moved <= 810_000  # the float64 array and a little framing


def test_peak_memory_of_worker_processes(process_client):
    rss = peak_rss(process_client)
    assert len(rss) == 2
    assert all(30e6 < v < 2e9 for v in rss.values())


def test_open_client_errors():
    with pytest.raises(InvalidInputError, match="Give exactly one of --scheduler ADDRESS and"):
        open_client().__enter__()
    with pytest.raises(InvalidInputError, match="Give exactly one of --scheduler ADDRESS and"):
        open_client(scheduler="tcp://127.0.0.1:1", workers=2).__enter__()
    with pytest.raises(InvalidInputError, match="--workers must be at least 1; got 0"):
        open_client(workers=0).__enter__()


def test_worker_limits_and_addresses_survive_the_info_refresh():
    # the client's scheduler_info cache is refreshed without per-worker entries; the helpers ask
    # the scheduler directly, so they see every worker on every call
    with open_client(workers=2, processes=False, memory_limit="1GiB") as client:
        from embedlab.distributed._client import memory_limits

        for _ in range(200):
            assert len(worker_addresses(client)) == 2
        assert sorted(memory_limits(client).values()) == [2**30, 2**30]
