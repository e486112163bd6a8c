"""Every registered table, field embedding and CTR model passes the shared contract checks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from embedlab.bench.tables import REPORT_ORDER
from embedlab.registry import CTR_MODELS, FIELD_TABLES, TABLES
from embedlab.tables import HashTable
from embedlab.testing._table_checks import (
    check_table,
    check_table_rows_in_range,
    ctr_model_checks,
    field_embedding_checks,
    table_checks,
)


@pytest.mark.parametrize("check", list(table_checks()), ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", TABLES.names())
def test_table_contract(name: str, check: Any) -> None:
    check(name)


@pytest.mark.parametrize("check", list(field_embedding_checks()), ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", FIELD_TABLES.names())
def test_field_embedding_contract(name: str, check: Any) -> None:
    check(name)


@pytest.mark.parametrize("check", list(ctr_model_checks()), ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", CTR_MODELS.names())
def test_ctr_model_contract(name: str, check: Any) -> None:
    check(name)


class _OffByOneHash(HashTable):
    """Broken on purpose: its rows run one past the table."""

    def rows(self, ids: Any) -> np.ndarray:
        return super().rows(ids) + 1


def test_a_broken_table_fails_the_checks() -> None:
    with pytest.raises(AssertionError, match=r"rows in \[\d+, \d+\], outside \[0, num_rows=14\)"):
        check_table_rows_in_range(_OffByOneHash)
    with pytest.raises(AssertionError, match=r"^check_table_vectors\(<class .*_OffByOneHash'>\): "):
        check_table(_OffByOneHash)
    check_table(HashTable)  # the unbroken class passes


def test_bench_report_order_is_the_registry() -> None:
    """The bench's report order names registered methods only, each once; the registry's other
    methods (collisionless: a full table in Monolith's layout) are the stream bench's."""
    assert len(set(REPORT_ORDER)) == len(REPORT_ORDER)
    assert set(REPORT_ORDER) <= set(TABLES.names())
    assert set(TABLES.names()) - set(REPORT_ORDER) == {"collisionless"}
