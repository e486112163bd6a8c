"""Property-based fuzzing of the HTTP API from its own OpenAPI document (schemathesis, in process).

Every operation gets positive (schema-valid) and negative (schema-violating) cases, with a random
collection name or one of the two collections that exist (``c``: 4-d with a payload schema,
``one``: 1-d), so generated requests reach the store. The checks: no 5xx (schemathesis'
``not_a_server_error``), an error envelope on every 4xx, no traceback in any body. ``/embed``
runs on a stub encoder (the model's speed is not what is fuzzed here).
"""

from __future__ import annotations

import collections
import tempfile
from pathlib import Path

import numpy as np
import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from embedlab.serve import create_app  # noqa: E402
from embedlab.store import Store  # noqa: E402

MAX_EXAMPLES = 40
EXISTING = {"c": 4, "one": 1}
# the operations, read from the OpenAPI document of an app whose store is never opened
_DOC = create_app(Path(tempfile.gettempdir()) / "embedlab-openapi-only-never-created").openapi()
OPERATIONS = sorted(
    f"{method.upper()} {path}" for path, item in _DOC["paths"].items() for method in item
)
CASES: collections.Counter[str] = collections.Counter()


def _populate(store: Store) -> None:
    """(Re)create the collections the fuzzer's writes may have dropped."""
    rng = np.random.default_rng(0)
    for name, dim in EXISTING.items():
        if name not in store:
            col = store.create_collection(
                name, dim, "cosine", payload_schema={"label": "keyword", "n": "integer"}
            )
            ids = list(range(30))
            payloads = [{"label": "ab"[i % 2], "n": i, "extra": [i]} for i in ids]
            col.upsert(ids, rng.standard_normal((len(ids), dim)), payloads)


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("fuzz") / "store")
    _populate(store)
    # /embed on a stub encoder: unit vectors of the model's size
    store.encode = lambda texts, model="minilm": np.full((len(texts), 384), 384**-0.5, np.float32)
    app = create_app(store, max_body_bytes=1 << 20)
    return store, schemathesis.openapi.from_asgi("/openapi.json", app)


def test_the_operations_are_all_fuzzed():
    assert len(OPERATIONS) >= 20
    assert "PUT /collections/{name}/points" in OPERATIONS
    assert "POST /collections/{name}/points/query" in OPERATIONS


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_server_error(fuzz_target, label):
    store, schema = fuzz_target
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    strategies = [
        operation.as_strategy(generation_mode=mode)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    if "{name}" in path:
        strategies += [
            operation.as_strategy(generation_mode=mode, path_parameters={"name": name})
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            for name in EXISTING
        ]

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def fuzz(case):
        _populate(store)
        response = case.call(timeout=30)
        CASES[label] += 1
        case.validate_response(response, checks=[not_a_server_error])
        assert b"Traceback" not in response.content  # an export answers in bytes
        if response.status_code >= 400:
            body = response.json()
            assert set(body) == {"status", "time"}, body
            assert set(body["status"]) == {"error", "code"}, body

    fuzz()
    has_inputs = "{" in path or method in ("POST", "PUT")
    assert CASES[label] >= (MAX_EXAMPLES // 3 if has_inputs else 1)
