"""The EmbeddingTable contract and each method's row assignment."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from embedlab.exceptions import InvalidInputError
from embedlab.tables import (
    DoubleHashTable,
    FrequencyTable,
    FullTable,
    GraphHashTable,
    HashTable,
    QRTable,
    budget_bytes,
    rows_for_budget,
)
from embedlab.tables.qr import qr_split

D = 8


def _tables() -> list[torch.nn.Module]:
    ids = np.arange(0, 500, 5)
    return [
        FullTable(ids=ids, embedding_dim=D, random_state=0),
        HashTable(num_rows=17, embedding_dim=D, random_state=0),
        DoubleHashTable(num_rows=17, embedding_dim=D, random_state=0),
        FrequencyTable(
            ids=ids, counts=np.arange(len(ids)), num_rows=20, embedding_dim=D, random_state=0
        ),
        QRTable(num_ids=500, num_rows=60, embedding_dim=D, random_state=0),
        GraphHashTable(ids=ids, labels=ids % 7, embedding_dim=D, random_state=0),
    ]


@pytest.mark.parametrize("table", _tables(), ids=lambda t: type(t).__name__)
def test_contract(table: torch.nn.Module) -> None:
    ids = np.array([[0, 5], [10, 495]])
    out = table(ids)
    assert out.shape == (2, 2, D) and out.dtype == torch.float32
    flat = table(ids.ravel())
    torch.testing.assert_close(out.reshape(4, D), flat)
    # forward = embed_rows(rows)
    torch.testing.assert_close(flat, table.embed_rows(torch.from_numpy(table.rows(ids))))
    params = sum(p.numel() * 4 for p in table.parameters())
    assert table.memory_bytes() == params + table.lookup_bytes()
    assert table.describe()["rows"] == table.num_rows
    # gradients reach the parameters
    table(ids).sum().backward()
    assert all(p.grad is not None for p in table.parameters())


@pytest.mark.parametrize("table", _tables(), ids=lambda t: type(t).__name__)
def test_same_seed_same_bytes(table: torch.nn.Module) -> None:
    ids = np.arange(0, 500, 5)
    a = next(t for t in _tables() if type(t) is type(table))
    np.testing.assert_array_equal(a.rows(ids), table.rows(ids))
    for p, q in zip(a.parameters(), table.parameters(), strict=True):
        assert torch.equal(p, q)


def test_different_seeds_differ() -> None:
    a = HashTable(num_rows=50, embedding_dim=D, random_state=0)
    b = HashTable(num_rows=50, embedding_dim=D, random_state=1)
    assert not np.array_equal(a.rows(np.arange(100)), b.rows(np.arange(100)))
    assert not torch.equal(a.weight, b.weight)


def test_ids_must_be_integers() -> None:
    with pytest.raises(
        InvalidInputError, match="ids must be integers .int64 IDs., got dtype float64"
    ):
        HashTable(num_rows=5, embedding_dim=2, random_state=0)(np.array([1.5]))


def test_full_table_maps_vocabulary_to_distinct_rows() -> None:
    t = FullTable(ids=[30, -7, 2**40], embedding_dim=2, random_state=0)
    assert t.rows([-7, 30, 2**40]).ravel().tolist() == [0, 1, 2]
    assert t.lookup_bytes() == 24
    with pytest.raises(InvalidInputError, match="FullTable has no row for ID 5 .1 unknown IDs."):
        t.rows([30, 5])
    plain = FullTable(num_ids=4, embedding_dim=2, random_state=0)
    assert plain.lookup_bytes() == 0
    with pytest.raises(InvalidInputError, match="FullTable has no row for ID 4"):
        plain.rows([4])
    with pytest.raises(InvalidInputError, match="FullTable takes exactly one of num_ids and ids"):
        FullTable(embedding_dim=2)


def test_double_hash_sums_two_independent_rows() -> None:
    t = DoubleHashTable(num_rows=1000, embedding_dim=D, random_state=3)
    ids = np.arange(2000)
    rows = t.rows(ids)
    assert rows.shape == (2000, 2)
    assert np.mean(rows[:, 0] == rows[:, 1]) < 0.01  # independent hashes rarely agree
    torch.testing.assert_close(t(ids[:5]), t.weight[rows[:5, 0]] + t.weight[rows[:5, 1]])
    with pytest.raises(InvalidInputError, match="DoubleHashTable always uses 2 probes"):
        DoubleHashTable(num_rows=4, embedding_dim=2, probes=3)


def test_frequency_table_gives_top_ids_exclusive_rows() -> None:
    ids = np.arange(100, 200)
    counts = np.zeros(100)
    counts[[5, 50, 70]] = [10, 30, 20]  # ids 105, 150, 170
    counts[[10, 11]] = 10  # ties with id 105: the smaller ids (105, 110) win
    t = FrequencyTable(ids=ids, counts=counts, num_rows=10, embedding_dim=2, random_state=0)
    assert t.frequent_ids_.tolist() == [150, 170, 105, 110, 111]
    r = t.rows(ids).ravel()
    exclusive = r[np.isin(ids, t.frequent_ids_)]
    assert sorted(exclusive.tolist()) == [5, 6, 7, 8, 9]  # rows m-k .. m-1, one each
    rest = r[~np.isin(ids, t.frequent_ids_)]
    assert rest.min() >= 0 and rest.max() < 5
    # unseen IDs are hashed onto the shared rows
    assert t.rows([10**12]).item() < 5
    assert t.lookup_bytes() == 5 * 16
    with pytest.raises(InvalidInputError, match="ids and counts differ in length .3 vs 2."):
        FrequencyTable(ids=[1, 2, 3], counts=[1, 2], num_rows=4, embedding_dim=2)
    with pytest.raises(InvalidInputError, match="exclusive_fraction must be in .0, 1., got 1.5"):
        FrequencyTable(ids=[1], counts=[1], num_rows=4, embedding_dim=2, exclusive_fraction=1.5)


def test_qr_split_is_minimal_and_complementary() -> None:
    for n, r in [(100, 30), (29858, 4777), (10, 11), (1000, 64)]:
        m, q = qr_split(n, r)
        assert m + q <= r and m * q >= n
        # no larger remainder table fits
        assert m == n or (m + 1) + math.ceil(n / (m + 1)) > r
    t = QRTable(num_ids=1000, num_rows=100, embedding_dim=D, random_state=0)
    pairs = t.rows(np.arange(t.m_ * t.q_))
    assert len({tuple(p) for p in pairs.tolist()}) == t.m_ * t.q_  # every ID its own pair
    x = np.array([0, 7, 999])
    torch.testing.assert_close(t(x), t.remainder[x % t.m_] * t.quotient[(x // t.m_) % t.q_])
    with pytest.raises(InvalidInputError, match="cannot hash 1,000 IDs into 50 rows: it needs"):
        qr_split(1000, 50)


@pytest.mark.parametrize("operation", ["mult", "add", "concat"])
def test_qr_operations(operation: str) -> None:
    t = QRTable(num_ids=100, num_rows=30, embedding_dim=D, operation=operation, random_state=0)
    x = np.array([3, 77])
    r, q = t.remainder[x % t.m_], t.quotient[(x // t.m_) % t.q_]
    expected = {"mult": r * q, "add": r + q, "concat": torch.cat([r, q], 1)}[operation]
    torch.testing.assert_close(t(x), expected)
    assert t(x).shape == (2, D)
    with pytest.raises(InvalidInputError, match="operation must be one of mult, add, concat"):
        QRTable(num_ids=10, num_rows=8, embedding_dim=2, operation="max")


@pytest.mark.parametrize("budget", [0.01, 0.05, 0.16, 0.5, 200_000])
@pytest.mark.parametrize("method", ["hash", "double-hash", "frequency", "qr", "qr-concat"])
def test_budget_is_met_within_one_percent(method: str, budget: float) -> None:
    n, d = 30_000, 64
    ids = np.arange(n)
    counts = np.random.default_rng(0).zipf(1.5, n).astype(float)
    # an int is a budget in bytes, a float a fraction of the full table
    mem = {"memory_bytes": budget} if isinstance(budget, int) else {"memory_fraction": budget}
    make = {
        "hash": lambda: HashTable.from_budget(num_ids=n, embedding_dim=d, random_state=0, **mem),
        "double-hash": lambda: DoubleHashTable.from_budget(
            num_ids=n, embedding_dim=d, random_state=0, **mem
        ),
        "frequency": lambda: FrequencyTable.from_budget(
            ids=ids, counts=counts, embedding_dim=d, random_state=0, **mem
        ),
        "qr": lambda: QRTable.from_budget(num_ids=n, embedding_dim=d, random_state=0, **mem),
        "qr-concat": lambda: QRTable.from_budget(
            num_ids=n, embedding_dim=d, operation="concat", random_state=0, **mem
        ),
    }[method]
    target = budget_bytes(n, d, **mem)
    if method == "qr" and budget == 0.01:  # 300 rows < 2 sqrt(30000): no split exists
        with pytest.raises(InvalidInputError, match="needs at least 347"):
            make()
        return
    t = make()
    assert t.memory_bytes() <= target
    assert t.memory_bytes() >= 0.99 * target


def test_budget_errors() -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"^memory_fraction must be a number in \(0, 1\] \(of the full table\), got 1.5.$",
    ):
        budget_bytes(10, 4, memory_fraction=1.5)
    with pytest.raises(InvalidInputError, match="^memory_bytes must be an int >= 1, got 0.$"):
        budget_bytes(10, 4, memory_bytes=0)
    with pytest.raises(
        InvalidInputError,
        match=r"^Give exactly one of memory_bytes \(bytes\) and memory_fraction \(of the full "
        r"table\); got both.$",
    ):
        budget_bytes(10, 4, memory_bytes=100, memory_fraction=0.5)
    with pytest.raises(InvalidInputError, match="^memory_fraction must be a number in .0, 1. .of"):
        budget_bytes(10, 4, memory_fraction="half")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="^memory_bytes must be an int >= 1, got 2500.0.$"):
        budget_bytes(10, 4, memory_bytes=2.5e3)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="leaves no room for one row of 256 bytes"):
        rows_for_budget(10, 64, memory_bytes=100)
    with pytest.raises(InvalidInputError, match="embedding_dim must be an int >= 1, got 0"):
        HashTable(num_rows=3, embedding_dim=0)
    with pytest.raises(InvalidInputError, match="num_rows must be an int >= 1, got 0"):
        HashTable(num_rows=0, embedding_dim=3)
