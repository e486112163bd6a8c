"""Qdrant-style filters compiled to LanceDB SQL: errors, and equality with a reference on a real table."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from embedlab.exceptions import InvalidInputError
from embedlab.store.filters import (
    FIELD_TYPES,
    MAX_CONDITIONS,
    MAX_DEPTH,
    MAX_LIST_ITEMS,
    check_payload_schema,
    compile_filter,
)

lancedb = pytest.importorskip("lancedb")
pa = pytest.importorskip("pyarrow")

I64_MIN, I64_MAX = -(2**63), 2**63 - 1
FIELDS = {"kw": "keyword", "n": "integer", "x": "float", "flag": "bool"}

# Values the rows take (besides NULL): SQL-hostile strings, int64 extremes, signed zeros.
KW = [
    "a",
    "b",
    "it's",
    "'; DROP TABLE t; --",
    "' OR '1'='1",
    "back\\slash",
    "\\'",
    '"quoted"',
    "ünïcødé",
    "日本語",
    "😀",
    "",
    " ",
    "a'b''c",
    "%",
    "_",
    "line\nbreak",
    "tab\t",
    "NULL",
    "null",
]
N = [I64_MIN, I64_MIN + 1, -(2**53) - 1, -5, -1, 0, 1, 2, 3, 7, 100, 2**53 + 1, 2**62, I64_MAX]
X = [-1e300, -2.5, -1.0, -0.0, 0.0, 5e-324, 0.1, 0.30000000000000004, 1.0, 1.5, 2.0, 1e16, 1e300]
N_ROWS = 300


def _rows(seed: int = 7) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(N_ROWS):

        def pick(pool: list[Any]) -> Any:
            return None if rng.random() < 0.2 else pool[int(rng.integers(len(pool)))]

        rows.append(
            {
                "id": i,
                "kw": pick(KW),
                "n": pick(N),
                "x": pick(X),
                "flag": pick([True, False]),
            }
        )
    return rows


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, list[dict[str, Any]]]:
    rows = _rows()
    arrow = pa.table(
        {
            "id": pa.array([r["id"] for r in rows], pa.int64()),
            "kw": pa.array([r["kw"] for r in rows], pa.utf8()),
            "n": pa.array([r["n"] for r in rows], pa.int64()),
            "x": pa.array([r["x"] for r in rows], pa.float64()),
            "flag": pa.array([r["flag"] for r in rows], pa.bool_()),
        }
    )
    db = lancedb.connect(tmp_path_factory.mktemp("filters"))
    return db.create_table("t", arrow), rows


def _lance_ids(tbl: Any, where: str | None) -> set[int]:
    query = tbl.search().select(["id"]).limit(N_ROWS + 10)
    if where is not None:
        query = query.where(where)
    return set(query.to_arrow()["id"].to_pylist())


# --- the reference: Qdrant semantics transcribed on Python rows ------------------------------


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _ref_filter(flt: dict[str, Any], row: dict[str, Any]) -> bool:
    must = _as_list(flt.get("must", []))
    should = _as_list(flt.get("should", []))
    must_not = _as_list(flt.get("must_not", []))
    return (
        all(_ref_cond(c, row) for c in must)
        and (not should or any(_ref_cond(c, row) for c in should))
        and not any(_ref_cond(c, row) for c in must_not)
    )


def _ref_cond(cond: dict[str, Any], row: dict[str, Any]) -> bool:
    if "is_null" in cond:
        return row[cond["is_null"]["key"]] is None
    if "is_empty" in cond:
        return row[cond["is_empty"]["key"]] is None
    if "has_id" in cond:
        return row["id"] in cond["has_id"]
    if "key" not in cond:
        return _ref_filter(cond, row)
    value = row[cond["key"]]
    if value is None:  # Qdrant: a condition on a missing field is false (except included)
        return False
    if "match" in cond:
        ((how, arg),) = cond["match"].items()
        if how == "value":
            return value == arg
        if how == "any":
            return value in arg
        return value not in arg
    rng = cond["range"]
    if FIELDS[cond["key"]] == "float":  # bounds are float64 on a float field
        rng = {op: float(b) for op, b in rng.items()}
    # Python compares int with float exactly, which is what the integer field promises.
    return (
        ("gt" not in rng or value > rng["gt"])
        and ("gte" not in rng or value >= rng["gte"])
        and ("lt" not in rng or value < rng["lt"])
        and ("lte" not in rng or value <= rng["lte"])
    )


# --- strategies --------------------------------------------------------------------------------

# Mostly values the rows hold (so that conditions select some rows), some arbitrary ones.
_VALUES = {
    "kw": st.one_of(
        st.sampled_from(KW),
        st.sampled_from(KW),
        st.text(max_size=4).filter(lambda s: "\x00" not in s),
    ),
    "n": st.one_of(st.sampled_from(N), st.sampled_from(N), st.integers(I64_MIN, I64_MAX)),
    "x": st.one_of(
        st.sampled_from(X),
        st.sampled_from(X),
        st.sampled_from([0, 1, 2, -1]),
        st.floats(allow_nan=False, allow_infinity=False),
    ),
    "flag": st.booleans(),
}
_BOUNDS = {
    "n": st.one_of(
        st.sampled_from(N),
        st.sampled_from(N),
        st.integers(-10, 10),
        st.sampled_from([2.5, -2.5, 0.5, -0.0, 1e30, -1e30, 2.0**63, -(2.0**63), 9.2e18]),
        st.floats(-20, 20),
    ),
    "x": st.one_of(
        st.sampled_from(X),
        st.sampled_from(X),
        st.integers(-3, 3),
        st.sampled_from([2**53 + 1, I64_MAX]),
        st.floats(allow_nan=False, allow_infinity=False),
    ),
}


@st.composite
def _field_condition(draw: st.DrawFn) -> dict[str, Any]:
    kinds = ["value", "any", "any", "except", "range", "range", "is_null", "is_empty", "has_id"]
    kind = draw(st.sampled_from(kinds))
    if kind == "has_id":
        ids = st.integers(-3, N_ROWS + 3)
        few = st.lists(ids, max_size=6)
        many = st.builds(lambda a, b: list(range(min(a, b), max(a, b))), ids, ids)
        return {"has_id": draw(st.one_of(few, many))}
    if kind == "range":
        key = draw(st.sampled_from(["n", "x"]))
        ops = draw(
            st.lists(
                st.sampled_from(["gt", "gte", "lt", "lte"]), min_size=1, max_size=2, unique=True
            )
        )
        return {"key": key, "range": {op: draw(_BOUNDS[key]) for op in ops}}
    key = draw(st.sampled_from(list(FIELDS)))
    if kind in ("is_null", "is_empty"):
        return {kind: {"key": key}}
    if kind == "value":
        return {"key": key, "match": {"value": draw(_VALUES[key])}}
    return {"key": key, "match": {kind: draw(st.lists(_VALUES[key], max_size=12))}}


def _clauses(cond: st.SearchStrategy[Any], min_size: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    part = st.one_of(st.lists(cond, max_size=3), cond)
    keys = st.sampled_from(["must", "should", "must_not"])
    return st.dictionaries(keys, part, min_size=min_size)


# A nested empty filter matches everything (its must_not nothing): tested below, not drawn here.
_conditions = st.recursive(
    _field_condition(), lambda cond: _clauses(cond, min_size=1), max_leaves=16
)
_filters = _clauses(_conditions)


def _depth(flt: Any) -> int:
    if not isinstance(flt, dict) or not set(flt) <= {"must", "should", "must_not"}:
        return 0
    inner = [_depth(c) for part in flt.values() for c in _as_list(part)]
    return 1 + max(inner, default=0)


@settings(max_examples=100, deadline=None)
@given(flt=_filters)
def test_lancedb_matches_qdrant_reference(table: Any, flt: dict[str, Any]) -> None:
    assume(_depth(flt) <= MAX_DEPTH)
    tbl, rows = table
    where = compile_filter(flt, FIELDS)
    expected = {r["id"] for r in rows if _ref_filter(flt, r)}
    assert _lance_ids(tbl, where) == expected, where


@settings(max_examples=100, deadline=None)
@given(cond=_field_condition())
def test_each_condition_and_its_negation_match_reference(table: Any, cond: dict[str, Any]) -> None:
    # One leaf at a time, so that no other condition masks an off-by-one or a lost digit.
    tbl, rows = table
    for flt in ({"must": cond}, {"must_not": [cond]}):
        expected = {r["id"] for r in rows if _ref_filter(flt, r)}
        assert _lance_ids(tbl, compile_filter(flt, FIELDS)) == expected, flt


@pytest.mark.parametrize("value", KW)
def test_hostile_strings_match_literally(table: Any, value: str) -> None:
    tbl, rows = table
    for flt, keep in [
        ({"must": {"key": "kw", "match": {"value": value}}}, lambda v: v == value),
        ({"must": {"key": "kw", "match": {"any": [value, "b"]}}}, lambda v: v in (value, "b")),
        (
            {"must": {"key": "kw", "match": {"except": [value]}}},
            lambda v: v is not None and v != value,
        ),
    ]:
        expected = {r["id"] for r in rows if keep(r["kw"])}
        assert _lance_ids(tbl, compile_filter(flt, FIELDS)) == expected
    assert any(r["kw"] == value for r in rows)  # the table holds each hostile string


def test_null_semantics_follow_qdrant(table: Any) -> None:
    tbl, rows = table
    nulls = {r["id"] for r in rows if r["n"] is None}
    everyone = {r["id"] for r in rows}
    assert nulls
    eq = {"key": "n", "match": {"value": 1}}
    ex = {"key": "n", "match": {"except": [1]}}
    rg = {"key": "n", "range": {"gt": 0}}
    # A null field fails every field condition, ``except`` included; its must_not passes.
    for cond in (eq, ex, rg):
        assert not _lance_ids(tbl, compile_filter({"must": [cond]}, FIELDS)) & nulls
        assert nulls <= _lance_ids(tbl, compile_filter({"must_not": [cond]}, FIELDS))
    # except [] is "has a value"; any [] matches nothing; is_null and is_empty agree.
    assert _lance_ids(tbl, compile_filter({"must": ex | {"match": {"except": []}}}, FIELDS)) == (
        everyone - nulls
    )
    assert compile_filter({"must": {"key": "n", "match": {"any": []}}}, FIELDS) == "FALSE"
    assert _lance_ids(tbl, "FALSE") == set()
    for kind in ("is_null", "is_empty"):
        assert _lance_ids(tbl, compile_filter({"must": {kind: {"key": "n"}}}, FIELDS)) == nulls


def test_integer_extremes_and_exact_integer_ranges(table: Any) -> None:
    tbl, rows = table
    for value in (I64_MIN, I64_MAX, 2**53 + 1):
        where = compile_filter({"must": {"key": "n", "match": {"value": value}}}, FIELDS)
        assert _lance_ids(tbl, where) == {r["id"] for r in rows if r["n"] == value}
        where = compile_filter({"must": {"has_id": [value, 3]}}, FIELDS)
        assert _lance_ids(tbl, where) == {3}
    # 2**53 + 1 is not a float64: an exact comparison tells it from 2**53.
    where = compile_filter({"must": {"key": "n", "range": {"gt": 2**53}}}, FIELDS)
    assert _lance_ids(tbl, where) == {
        r["id"] for r in rows if r["n"] is not None and r["n"] > 2**53
    }
    assert compile_filter({"must": {"key": "n", "range": {"gt": 2.5, "lte": 3.7}}}, FIELDS) == (
        'COALESCE("n" = 3, FALSE)'
    )
    assert compile_filter({"must": {"key": "n", "range": {"gt": 1e30}}}, FIELDS) == "FALSE"
    assert compile_filter({"must": {"key": "n", "range": {"gte": -1e30}}}, FIELDS) == (
        '"n" IS NOT NULL'
    )
    assert compile_filter({"must": {"key": "n", "range": {"gte": I64_MIN}}}, FIELDS) == (
        '"n" IS NOT NULL'
    )
    assert compile_filter({"must": {"key": "n", "range": {"lt": I64_MIN + 1}}}, FIELDS) == (
        'COALESCE("n" = (-9223372036854775807 - 1), FALSE)'
    )


def test_floats_round_trip_exactly(table: Any) -> None:
    tbl, rows = table
    # An integer value for a float field is written as a float64 literal.
    assert compile_filter({"must": {"key": "x", "match": {"any": [2, I64_MAX]}}}, FIELDS) == (
        'COALESCE("x" IN (2.0, 9.223372036854776e+18), FALSE)'
    )
    for value in (0.1, 0.30000000000000004, 5e-324, 1e300, -0.0):
        where = compile_filter({"must": {"key": "x", "match": {"value": value}}}, FIELDS)
        assert repr(value) in where
        assert _lance_ids(tbl, where) == {r["id"] for r in rows if r["x"] == value}


def test_range_bounds_at_and_next_to_every_stored_value(table: Any) -> None:
    # Off-by-one (gt vs gte on an integer field) and lost digits (a float bound written short)
    # show only at a bound equal or next to a stored value: try them all, with every operator.
    tbl, rows = table
    bounds: dict[str, list[int | float]] = {
        "n": [b for v in N for b in (v, v + 0.5, v - 0.5) if I64_MIN <= b <= I64_MAX],
        "x": [b for v in X for b in (v, math.nextafter(v, -math.inf), math.nextafter(v, math.inf))],
    }
    for key, values in bounds.items():
        for bound in values:
            for op in ("gt", "gte", "lt", "lte"):
                flt = {"must": {"key": key, "range": {op: bound}}}
                expected = {r["id"] for r in rows if _ref_filter(flt, r)}
                assert _lance_ids(tbl, compile_filter(flt, FIELDS)) == expected, flt


def test_string_ids(tmp_path: Any) -> None:
    ids = ["a", "it's", "'; DROP TABLE t; --", "😀", "back\\slash", ""]
    db = lancedb.connect(tmp_path)
    tbl = db.create_table("s", pa.table({"id": pa.array(ids, pa.utf8())}))
    where = compile_filter({"must": {"has_id": ["it's", "😀", "zz"]}}, {}, id_type="str")
    got = set(tbl.search().where(where).select(["id"]).limit(10).to_arrow()["id"].to_pylist())
    assert got == {"it's", "😀"}
    where = compile_filter({"must_not": {"has_id": ["'; DROP TABLE t; --", ""]}}, {}, id_type="str")
    got = set(tbl.search().where(where).select(["id"]).limit(10).to_arrow()["id"].to_pylist())
    assert got == {"a", "it's", "😀", "back\\slash"}
    assert tbl.count_rows() == len(ids)


def _nested(depth: int) -> dict[str, Any]:
    # The worst shape for the SQL parser: every level adds an AND and an OR, deepest child last.
    flt: dict[str, Any] = {"must": [{"key": "n", "match": {"value": 1}}]}
    for level in range(depth - 1):
        flt = {
            "must": [{"key": "n", "range": {"gt": -level}}],
            "should": [{"key": "x", "range": {"lt": level}}, flt],
        }
    return flt


def test_limits_are_usable_by_lancedb(table: Any) -> None:
    tbl, rows = table
    deep = _nested(MAX_DEPTH)
    where = compile_filter(deep, FIELDS)
    assert _lance_ids(tbl, where) == {r["id"] for r in rows if _ref_filter(deep, r)}
    negated = {"must_not": [_nested(MAX_DEPTH - 1)]}
    where = compile_filter(negated, FIELDS)
    assert _lance_ids(tbl, where) == {r["id"] for r in rows if _ref_filter(negated, r)}
    many = {
        "should": [{"key": "n", "range": {"gt": i, "lt": i + 3}} for i in range(MAX_CONDITIONS)]
    }
    where = compile_filter(many, FIELDS)
    assert _lance_ids(tbl, where) == {r["id"] for r in rows if _ref_filter(many, r)}
    big = {"must": {"key": "n", "match": {"any": [*range(MAX_LIST_ITEMS - 1), I64_MAX]}}}
    where = compile_filter(big, FIELDS)
    assert _lance_ids(tbl, where) == {r["id"] for r in rows if _ref_filter(big, r)}


def test_no_constraint_is_none() -> None:
    assert compile_filter(None, FIELDS) is None
    assert compile_filter({}, FIELDS) is None
    assert compile_filter({"should": []}, FIELDS) is None
    assert compile_filter({"must": [], "should": [], "must_not": []}, FIELDS) is None
    assert compile_filter({"must": [{}]}, FIELDS) is None  # a nested empty filter
    assert compile_filter({"must_not": {"key": "n", "match": {"any": []}}}, FIELDS) is None


def test_identifiers_are_quoted() -> None:
    fields = {"select": "integer", "Order": "keyword"}
    where = compile_filter(
        {"must": [{"key": "select", "match": {"value": 1}}, {"is_null": {"key": "Order"}}]}, fields
    )
    assert where == 'COALESCE("select" = 1, FALSE) AND "Order" IS NULL'


# --- check_payload_schema ------------------------------------------------------------------------


def test_check_payload_schema_accepts_and_copies() -> None:
    schema = {"label": "keyword", "year": "integer", "score": "float", "ok": "bool", "a_1": "bool"}
    out = check_payload_schema(schema)
    assert out == schema and out is not schema and type(out) is dict
    assert check_payload_schema(None) == {}
    assert check_payload_schema({}) == {}
    assert set(FIELD_TYPES) == {"keyword", "integer", "float", "bool"}
    assert check_payload_schema({"x" * 64: "float"}) == {"x" * 64: "float"}


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (["label"], r"payload_schema: expected a mapping of field name to type, got list"),
        ({"a-b": "keyword"}, r"payload_schema: field name 'a-b' is not valid; use 1 to 64"),
        ({"1a": "keyword"}, r"field name '1a' is not valid; .*not starting with a digit"),
        ({"": "keyword"}, r"field name '' is not valid"),
        ({"x" * 65: "keyword"}, r"field name 'x{65}' is not valid"),
        ({"a\n": "keyword"}, r"field name 'a\\n' is not valid"),
        ({3: "keyword"}, r"field name 3 is not valid"),
        ({"id": "integer"}, r"field name 'id' is reserved for the store's own columns .*rename"),
        ({"Vector": "float"}, r"field name 'Vector' is reserved"),
        ({"vectors": "float"}, r"field name 'vectors' is reserved"),
        ({"payload": "float"}, r"field name 'payload' is reserved"),
        ({"fde": "float"}, r"field name 'fde' is reserved"),
        ({"_x": "float"}, r"field name '_x' is reserved .*names starting with '_'"),
        ({"a": "bool", "A": "bool"}, r"field names 'a' and 'A' differ only in case; rename one"),
        (
            {"a": "text"},
            r"payload_schema\['a'\]: type 'text' is not supported; use one of 'keyword'",
        ),
        ({"a": "int"}, r"type 'int' is not supported"),
        ({"a": None}, r"type None is not supported"),
    ],
)
def test_check_payload_schema_errors(schema: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        check_payload_schema(schema)


# --- compile_filter errors -----------------------------------------------------------------------


def _deep(depth: int) -> dict[str, Any]:
    flt: dict[str, Any] = {}
    for _ in range(depth - 1):
        flt = {"must": [flt]}
    return flt


@pytest.mark.parametrize(
    ("flt", "message"),
    [
        (
            [1],
            r"^filter: expected a filter object with keys among must, should, must_not, got list",
        ),
        (
            {"filter": []},
            r"^filter: unknown key 'filter'; a filter takes must, should and must_not\.",
        ),
        ({"min_should": {}}, r"unknown key 'min_should'"),
        (
            {"must": "a"},
            r"^filter\.must: expected a list of conditions or one condition object, got str",
        ),
        (
            {"must": [1]},
            r"^filter\.must\[0\]: expected a condition object, got int 1; a condition is",
        ),
        (
            {"must": [{"has_vector": "v"}]},
            r"^filter\.must\[0\]: unknown condition with keys \['has_vector'\]; a condition is a nested",
        ),
        (
            {"must": [{"is_null": "n"}]},
            r"^filter\.must\[0\]\.is_null: expected \{'key': <field name>\}",
        ),
        (
            {"must": [{"is_null": {"key": "n"}, "is_empty": {"key": "n"}}]},
            r"unknown condition with keys \['is_empty', 'is_null'\]",
        ),
        (
            {"should": [{}, {"key": "nope", "match": {"value": 1}}]},
            r"^filter\.should\[1\]\.key: Unknown payload field 'nope' in filter; declared fields: kw, n, x, flag\.",
        ),
        (
            {"must": {"key": 3, "match": {"value": 1}}},
            r"^filter\.must\.key: expected a payload field name \(a string\), got int 3",
        ),
        (
            {"must": {"key": "n"}},
            r"^filter\.must: a field condition takes exactly one of 'match' and 'range', got \['key'\]",
        ),
        (
            {"must": {"key": "n", "match": {"value": 1}, "range": {"gt": 0}}},
            r"exactly one of 'match' and 'range'",
        ),
        (
            {"must": {"key": "n", "geo_radius": {}}},
            r"^filter\.must: unsupported key\(s\) \['geo_radius'\] in a field condition",
        ),
        (
            {"must": {"key": "kw", "match": {"text": "a"}}},
            r"^filter\.must\.match: expected exactly one of \{'value': v\}",
        ),
        (
            {"must": {"key": "kw", "match": {"value": "a", "any": ["a"]}}},
            r"expected exactly one of",
        ),
        (
            {"must": {"key": "kw", "match": "a"}},
            r"filter\.must\.match: expected exactly one of .*got 'a'",
        ),
        (
            {"must": {"key": "kw", "match": {"value": 1}}},
            r"^filter\.must\.match\.value: 1 is not a string; the keyword field 'kw' takes strings",
        ),
        (
            {"must": {"key": "kw", "match": {"value": "a\x00b"}}},
            r"match\.value: the string 'a\\x00b' contains a NUL character; remove it",
        ),
        (
            {"must": {"key": "kw", "match": {"value": "\ud800"}}},
            r"is not valid Unicode \(a lone surrogate\); send valid UTF-8",
        ),
        (
            {"must": {"key": "kw", "match": {"any": ["a", None]}}},
            r"^filter\.must\.match\.any\[1\]: None is not a string",
        ),
        (
            {"must": {"key": "kw", "match": {"except": "a"}}},
            r"^filter\.must\.match\.except: expected a list of values of the keyword field 'kw', got str",
        ),
        (
            {"must": {"key": "n", "match": {"value": True}}},
            r"match\.value: True is not an integer; the integer field 'n' takes integers",
        ),
        (
            {"must": {"key": "n", "match": {"value": 1.0}}},
            r"1\.0 is not an integer; .*use 'range' to compare with a fraction",
        ),
        (
            {"must": {"key": "n", "match": {"value": 2**63}}},
            r"match\.value: 9223372036854775808 is outside int64; give an integer between -2\*\*63 and 2\*\*63 - 1",
        ),
        (
            {"must": {"key": "n", "match": {"any": [-(2**63) - 1]}}},
            r"match\.any\[0\]: -9223372036854775809 is outside int64",
        ),
        (
            {"must": {"key": "n", "match": {"value": 10**5000}}},
            r"match\.value: an integer of 16610 bits is outside int64",
        ),
        (
            {"must": {"key": "kw", "match": {"value": ["z" * 1000] * 1000}}},
            r"^filter\.must\.match\.value: \['z.{0,160} is not a string; the keyword field 'kw' takes strings\.$",
        ),
        (
            {"must": {"key": "x", "match": {"value": "1"}}},
            r"match\.value: '1' is not a number; the float field 'x' takes an integer or a float",
        ),
        ({"must": {"key": "x", "match": {"value": False}}}, r"False is not a number"),
        (
            {"must": {"key": "x", "match": {"value": math.nan}}},
            r"match\.value: nan is not finite; give a finite number",
        ),
        ({"must": {"key": "x", "match": {"value": math.inf}}}, r"inf is not finite"),
        (
            {"must": {"key": "flag", "match": {"value": 1}}},
            r"match\.value: 1 is not a bool; the bool field 'flag' takes true or false",
        ),
        (
            {"must": {"key": "kw", "range": {"gt": 1}}},
            r"^filter\.must\.range: 'range' needs an integer or float field, but 'kw' is keyword; use 'match'",
        ),
        (
            {"must": [{"key": "n", "range": {}}]},
            r"^filter\.must\[0\]\.range: expected an object with at least one of gt, gte, lt, lte, got \{\}",
        ),
        (
            {"must": [{"key": "n", "range": {"eq": 1}}]},
            r"at least one of gt, gte, lt, lte, got \{'eq': 1\}",
        ),
        (
            {"must": [{"key": "n", "range": [1, 2]}]},
            r"at least one of gt, gte, lt, lte, got \[1, 2\]",
        ),
        (
            {"must": [{"key": "n", "range": {"gt": "1"}}]},
            r"^filter\.must\[0\]\.range\.gt: '1' is not a number; a range bound takes",
        ),
        ({"must": [{"key": "x", "range": {"lte": math.inf}}]}, r"range\.lte: inf is not finite"),
        (
            {"must": [{"key": "x", "range": {"lt": 2**64}}]},
            r"range\.lt: 18446744073709551616 is outside int64",
        ),
        (
            {"must": [{"has_id": 3}]},
            r"^filter\.must\[0\]\.has_id: expected a list of point ids, got int 3",
        ),
        (
            {"must": [{"has_id": [1, "2"]}]},
            r"^filter\.must\[0\]\.has_id\[1\]: '2' is not an integer; this collection's ids are integers",
        ),
        ({"must": [{"has_id": [True]}]}, r"has_id\[0\]: True is not an integer"),
        (
            {"must": {"key": "n", "match": {"any": list(range(MAX_LIST_ITEMS + 1))}}},
            r"match\.any: 10001 values, more than 10000 \(the limit for one list\); split the request",
        ),
        (
            {"should": [{"key": "n", "match": {"any": list(range(MAX_LIST_ITEMS))}}] * 11},
            r"^filter\.should\[10\]\.match\.any: the filter holds more than 100000 values in its lists \(the limit\)",
        ),
        (
            {"should": [{"is_null": {"key": "n"}}] * (MAX_CONDITIONS + 1)},
            r"^filter\.should\[1024\]: the filter has more than 1024 conditions \(the limit\); use match\.any",
        ),
        (
            _deep(MAX_DEPTH + 1),
            r"^filter(\.must\[0\]){16}: filters are nested more than 16 deep \(the limit\); flatten the filter",
        ),
    ],
)
def test_compile_filter_errors(flt: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        compile_filter(flt, FIELDS)


def test_compile_filter_error_edges() -> None:
    assert compile_filter(_deep(MAX_DEPTH), FIELDS) is None  # exactly at the depth limit
    at_limit = {"should": [{"is_null": {"key": "n"}}] * MAX_CONDITIONS}
    assert compile_filter(at_limit, FIELDS) is not None
    with pytest.raises(
        InvalidInputError,
        match=r"^filter\.must\.key: Unknown payload field 'n' in filter; no payload fields are declared \(declare them in the payload_schema\)\.",
    ):
        compile_filter({"must": {"key": "n", "match": {"value": 1}}}, {})
    with pytest.raises(
        InvalidInputError, match=r"^id_type: 'uuid' is not supported; use 'int' or 'str'\."
    ):
        compile_filter({}, FIELDS, id_type="uuid")
    with pytest.raises(
        InvalidInputError,
        match=r"has_id\[0\]: 1 is not a string; this collection's ids are strings",
    ):
        compile_filter({"must": {"has_id": [1]}}, FIELDS, id_type="str")
    with pytest.raises(InvalidInputError, match=r"has_id\[0\]: the string 'a\\x00' contains a NUL"):
        compile_filter({"must": {"has_id": ["a\x00"]}}, FIELDS, id_type="str")
    with pytest.raises(InvalidInputError, match=r"payload_schema: field name 'id' is reserved"):
        compile_filter({}, {"id": "integer"})  # the declared fields are checked too
