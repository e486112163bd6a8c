"""Qdrant-style JSON filters compiled to a LanceDB (DataFusion) SQL ``WHERE`` clause.

A client sends a filter as JSON; :func:`compile_filter` checks it against the collection's
*declared* payload columns (:func:`check_payload_schema`) and writes the SQL itself. Client SQL
is never passed through: every identifier comes from the declared schema, every value is a typed
literal written here.

Grammar (Qdrant's)
------------------
A *filter* is an object with any of the keys ``must``, ``should`` and ``must_not``, each a list
of conditions or a single condition object:

* ``must``: every condition holds (AND);
* ``should``: at least one condition holds (OR), when the list is not empty; an empty
  ``should`` puts no constraint, as in Qdrant;
* ``must_not``: no condition holds.

The three parts combine with AND; an empty filter matches every point. A *condition* is one of

* a nested filter (an object whose keys are among ``must``, ``should``, ``must_not``);
* ``{"key": K, "match": {"value": V}}``: the field equals ``V``;
* ``{"key": K, "match": {"any": [V, ...]}}``: the field is one of the values (an empty list
  matches nothing);
* ``{"key": K, "match": {"except": [V, ...]}}``: the field has a value and it is none of the
  values;
* ``{"key": K, "range": {"gt" | "gte" | "lt" | "lte": number, ...}}``: every given bound holds
  (``integer`` and ``float`` fields only, at least one bound);
* ``{"is_null": {"key": K}}`` and ``{"is_empty": {"key": K}}``: the field is null (payload
  columns are scalar, so the two are the same);
* ``{"has_id": [id, ...]}``: the point id is one of these.

Values must fit the declared type: ``keyword`` takes a string, ``integer`` an integer within
int64 (not a bool), ``float`` a finite number, ``bool`` a bool. Range bounds on an ``integer``
field are compared exactly (``gt 2.5`` is ``>= 3``); on a ``float`` field they are float64, as
in Qdrant. Float columns are assumed to be float64.

Null semantics
--------------
Qdrant's, not SQL's three-valued logic: a condition on a null (missing) field is false, so its
``must_not`` is true. ``except`` does not match a null field either (the Qdrant server maps a
null value to false for ``except``). Every leaf is compiled to a two-valued expression
(``COALESCE(<expr>, FALSE)``, or ``IS [NOT] NULL``) and negations are pushed down to the
leaves, so ``NOT`` never meets a SQL ``NULL``.

Limits
------
Nesting depth at most :data:`MAX_DEPTH` filters, at most :data:`MAX_CONDITIONS` conditions,
at most :data:`MAX_LIST_ITEMS` values in one ``any``/``except``/``has_id`` list and at most
:data:`MAX_VALUES` values in the whole filter. Every error is an
:class:`~embedlab.exceptions.InvalidInputError` whose message names the place in the filter
(``filter.must[2].range``), the bad value and the fix.

Cost
----
Compiling is linear in the size of the filter. The SQL is evaluated by LanceDB as a scan over
the payload columns (or their scalar indexes, where built); the clause's size is linear in the
filter's.

Examples
--------
>>> fields = check_payload_schema({"label": "keyword", "year": "integer"})
>>> print(compile_filter({"must": [{"key": "label", "match": {"value": "it's"}}]}, fields))
COALESCE("label" = 'it''s', FALSE)
>>> print(compile_filter({"must_not": {"is_null": {"key": "year"}}}, fields))
"year" IS NOT NULL
>>> compile_filter({}, fields) is None
True
"""

from __future__ import annotations

import math
import numbers
import re
import reprlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from embedlab.exceptions import InvalidInputError

__all__ = [
    "FIELD_TYPES",
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "MAX_LIST_ITEMS",
    "MAX_VALUES",
    "check_payload_schema",
    "compile_filter",
]

FIELD_TYPES = ("keyword", "integer", "float", "bool")
"""The payload column types (Qdrant's names): utf8, int64, float64 and bool columns."""

MAX_DEPTH = 16
"""The deepest nesting of filters (the top-level filter is depth 1)."""

MAX_CONDITIONS = 1024
"""The most conditions (leaves and nested filters) in one filter."""

MAX_LIST_ITEMS = 10_000
"""The most values in one ``any``, ``except`` or ``has_id`` list."""

MAX_VALUES = 100_000
"""The most values in all the lists of one filter together."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_RESERVED = ("id", "vector", "vectors", "payload", "fde")
_FILTER_KEYS = ("must", "should", "must_not")
_MATCH_KINDS = ("value", "any", "except")
_RANGE_KEYS = ("gt", "gte", "lt", "lte")
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_CONDITION_FORMS = (
    "a condition is a nested filter (must/should/must_not), {'key': ..., 'match': {...}}, "
    "{'key': ..., 'range': {...}}, {'is_null': {'key': ...}}, {'is_empty': {'key': ...}} "
    "or {'has_id': [...]}"
)


def _type_name(value: object) -> str:
    return type(value).__name__


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 100
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4
_REPR.maxlong = 60


def _short(value: object, limit: int = 160) -> str:
    # reprlib truncates big containers and strings without building their whole repr first.
    if isinstance(value, int) and value.bit_length() > 128:
        return f"an integer of {value.bit_length()} bits"  # str() of a huge int is slow, or fails
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_payload_schema(schema: Mapping[str, str] | None) -> dict[str, str]:
    """Check a declared payload schema: field names and their types.

    Parameters
    ----------
    schema : mapping of str to str or None
        Field name to type, one of :data:`FIELD_TYPES`. Names match
        ``[A-Za-z_][A-Za-z0-9_]{0,63}``; ``id``, ``vector``, ``vectors``, ``payload``, ``fde``
        (in any case) and names starting with ``_`` are reserved for the store's own columns.

    Returns
    -------
    dict of str to str
        A plain copy of the schema, in its order; empty for ``None``.

    Raises
    ------
    InvalidInputError
        If the schema is not a mapping, a name is not valid or reserved, two names differ only in
        case, or a type is not one of :data:`FIELD_TYPES`.

    Examples
    --------
    >>> check_payload_schema({"label": "keyword", "score": "float"})
    {'label': 'keyword', 'score': 'float'}
    >>> check_payload_schema(None)
    {}
    """
    if schema is None:
        return {}
    if not isinstance(schema, Mapping):
        raise InvalidInputError(
            f"payload_schema: expected a mapping of field name to type, got "
            f"{_type_name(schema)} {_short(schema)}; give e.g. "
            f"{{'label': 'keyword', 'year': 'integer'}}."
        )
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, kind in schema.items():
        if not isinstance(name, str) or _NAME.fullmatch(name) is None:
            raise InvalidInputError(
                f"payload_schema: field name {_short(name)} is not valid; use 1 to 64 ASCII "
                "letters, digits or underscores, not starting with a digit."
            )
        if name.startswith("_") or name.lower() in _RESERVED:
            raise InvalidInputError(
                f"payload_schema: field name {name!r} is reserved for the store's own columns "
                f"(reserved: {', '.join(_RESERVED)} and names starting with '_'); rename the "
                "field."
            )
        if name.lower() in seen:
            raise InvalidInputError(
                f"payload_schema: field names {seen[name.lower()]!r} and {name!r} differ only in "
                "case; rename one of them."
            )
        seen[name.lower()] = name
        if not isinstance(kind, str) or kind not in FIELD_TYPES:
            raise InvalidInputError(
                f"payload_schema[{name!r}]: type {_short(kind)} is not supported; use one of "
                f"{', '.join(repr(t) for t in FIELD_TYPES)}."
            )
        out[name] = kind
    return out


# --- the boolean tree, in negation normal form ---------------------------------------------


@dataclass(frozen=True)
class _Const:
    value: bool


@dataclass(frozen=True)
class _Leaf:
    sql: str  # a two-valued SQL expression (never NULL)
    negated_sql: str  # its negation, also two-valued


@dataclass(frozen=True)
class _And:
    children: tuple[_Node, ...]


@dataclass(frozen=True)
class _Or:
    children: tuple[_Node, ...]


_Node = _Const | _Leaf | _And | _Or
_TRUE = _Const(True)
_FALSE = _Const(False)


def _combine(nodes: Sequence[_Node], kind: type[_And] | type[_Or]) -> _Node:
    """Flatten ``kind`` (AND or OR) over ``nodes``, folding constants.

    AND's absorbing constant is FALSE and its identity TRUE; OR's the other way round.
    """
    absorbing = kind is _Or
    children: list[_Node] = []
    for node in nodes:
        if isinstance(node, _Const):
            if node.value == absorbing:
                return node
        elif isinstance(node, kind):
            children.extend(node.children)
        else:
            children.append(node)
    if not children:
        return _Const(not absorbing)
    return children[0] if len(children) == 1 else kind(tuple(children))


def _and(nodes: Sequence[_Node]) -> _Node:
    return _combine(nodes, _And)


def _or(nodes: Sequence[_Node]) -> _Node:
    return _combine(nodes, _Or)


def _negate(node: _Node) -> _Node:
    if isinstance(node, _Const):
        return _Const(not node.value)
    if isinstance(node, _Leaf):
        return _Leaf(node.negated_sql, node.sql)
    if isinstance(node, _And):
        return _Or(tuple(_negate(child) for child in node.children))
    return _And(tuple(_negate(child) for child in node.children))


def _height(node: _Node) -> int:
    if isinstance(node, _And | _Or):
        return 1 + max(_height(child) for child in node.children)
    return 0


def _render(node: _Node) -> str:
    # The SQL parser (sqlparser-rs, 50 levels of recursion) recurses once per level of a right
    # operand but not along a chain of left operands, and once per parenthesis. So: the deepest
    # child goes first (AND and OR commute), and since AND binds tighter than OR only an OR
    # inside an AND is parenthesised. A filter nested MAX_DEPTH deep then parses with room.
    if isinstance(node, _Const):
        return "TRUE" if node.value else "FALSE"
    if isinstance(node, _Leaf):
        return node.sql
    children = sorted(node.children, key=_height, reverse=True)
    if isinstance(node, _And):
        return " AND ".join(
            f"({_render(child)})" if isinstance(child, _Or) else _render(child)
            for child in children
        )
    return " OR ".join(_render(child) for child in children)


# --- literals ---------------------------------------------------------------------------------


def _quote_ident(name: str) -> str:
    # Names are checked against _NAME before they get here; double quotes keep their case and
    # let names that are SQL keywords (``select``, ``order``) through.
    return f'"{name}"'


def _int_sql(value: int) -> str:
    # The parser reads ``-9223372036854775808`` as minus a number too large for int64.
    return f"({_INT64_MIN + 1} - 1)" if value == _INT64_MIN else str(value)


def _float_sql(value: float) -> str:
    return repr(value)  # shortest text that reads back to the same float64


def _str_sql(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class _Compiler:
    def __init__(self, fields: Mapping[str, str], id_type: str) -> None:
        self.fields = fields
        self.id_type = id_type
        self.conditions = 0
        self.values = 0

    # errors

    def _declared(self) -> str:
        if not self.fields:
            return "no payload fields are declared (declare them in the payload_schema)"
        return "declared fields: " + ", ".join(self.fields)

    # structure

    def filter(self, obj: object, path: str, depth: int) -> _Node:
        if not isinstance(obj, Mapping):
            raise InvalidInputError(
                f"{path}: expected a filter object with keys among must, should, must_not, got "
                f"{_type_name(obj)} {_short(obj)}."
            )
        if depth > MAX_DEPTH:
            raise InvalidInputError(
                f"{path}: filters are nested more than {MAX_DEPTH} deep (the limit); flatten the "
                "filter."
            )
        for key in obj:
            if key not in _FILTER_KEYS:
                raise InvalidInputError(
                    f"{path}: unknown key {_short(key)}; a filter takes must, should and must_not."
                )
        parts: list[_Node] = []
        for key in _FILTER_KEYS:
            if key not in obj:
                continue
            items = self._items(obj[key], f"{path}.{key}")
            nodes = [self.condition(cond, p, depth) for cond, p in items]
            if key == "must":
                parts.extend(nodes)
            elif key == "should":
                if nodes:
                    parts.append(_or(nodes))
            else:
                parts.extend(_negate(node) for node in nodes)
        return _and(parts)

    def _items(self, value: object, path: str) -> list[tuple[object, str]]:
        if isinstance(value, Mapping):
            return [(value, path)]
        if isinstance(value, list | tuple):
            return [(cond, f"{path}[{i}]") for i, cond in enumerate(value)]
        raise InvalidInputError(
            f"{path}: expected a list of conditions or one condition object, got "
            f"{_type_name(value)} {_short(value)}."
        )

    def condition(self, cond: object, path: str, depth: int) -> _Node:
        if not isinstance(cond, Mapping):
            raise InvalidInputError(
                f"{path}: expected a condition object, got {_type_name(cond)} {_short(cond)}; "
                f"{_CONDITION_FORMS}."
            )
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise InvalidInputError(
                f"{path}: the filter has more than {MAX_CONDITIONS} conditions (the limit); "
                "use match.any for many values of one field, or split the request."
            )
        keys = set(cond)
        if "key" in keys:
            return self.field_condition(cond, path)
        if keys <= set(_FILTER_KEYS):
            return self.filter(cond, path, depth + 1)
        if keys == {"is_null"} or keys == {"is_empty"}:
            (kind,) = keys
            return self.null_condition(cond[kind], f"{path}.{kind}")
        if keys == {"has_id"}:
            return self.has_id(cond["has_id"], f"{path}.has_id")
        raise InvalidInputError(
            f"{path}: unknown condition with keys {sorted(map(str, keys))}; {_CONDITION_FORMS}."
        )

    # leaves

    def _field(self, key: object, path: str) -> tuple[str, str]:
        if not isinstance(key, str):
            raise InvalidInputError(
                f"{path}: expected a payload field name (a string), got {_type_name(key)} "
                f"{_short(key)}; {self._declared()}."
            )
        kind = self.fields.get(key)
        if kind is None:
            raise InvalidInputError(
                f"{path}: Unknown payload field {_short(key)} in filter; {self._declared()}."
            )
        return _quote_ident(key), kind

    def null_condition(self, spec: object, path: str) -> _Node:
        if not isinstance(spec, Mapping) or set(spec) != {"key"}:
            raise InvalidInputError(
                f"{path}: expected {{'key': <field name>}}, got {_short(spec)}."
            )
        column, _ = self._field(spec["key"], f"{path}.key")
        return _Leaf(f"{column} IS NULL", f"{column} IS NOT NULL")

    def field_condition(self, cond: Mapping[str, Any], path: str) -> _Node:
        extra = sorted(str(k) for k in cond if k not in ("key", "match", "range"))
        if extra:
            raise InvalidInputError(
                f"{path}: unsupported key(s) {extra} in a field condition; a field condition is "
                "{'key': ..., 'match': {...}} or {'key': ..., 'range': {...}}."
            )
        if ("match" in cond) == ("range" in cond):
            raise InvalidInputError(
                f"{path}: a field condition takes exactly one of 'match' and 'range', got "
                f"{sorted(str(k) for k in cond)}."
            )
        column, kind = self._field(cond["key"], f"{path}.key")
        if "match" in cond:
            return self.match(cond["match"], f"{path}.match", cond["key"], column, kind)
        return self.range(cond["range"], f"{path}.range", cond["key"], column, kind)

    def _list(self, values: object, path: str, what: str) -> list[Any]:
        if not isinstance(values, list | tuple):
            raise InvalidInputError(
                f"{path}: expected a list of {what}, got {_type_name(values)} {_short(values)}."
            )
        if len(values) > MAX_LIST_ITEMS:
            raise InvalidInputError(
                f"{path}: {len(values)} values, more than {MAX_LIST_ITEMS} (the limit for one "
                "list); split the request."
            )
        self.values += len(values)
        if self.values > MAX_VALUES:
            raise InvalidInputError(
                f"{path}: the filter holds more than {MAX_VALUES} values in its lists (the "
                "limit); split the request."
            )
        return list(values)

    def match(self, spec: object, path: str, key: str, column: str, kind: str) -> _Node:
        if not isinstance(spec, Mapping) or len(spec) != 1 or next(iter(spec)) not in _MATCH_KINDS:
            raise InvalidInputError(
                f"{path}: expected exactly one of {{'value': v}}, {{'any': [...]}}, "
                f"{{'except': [...]}}, got {_short(spec)}."
            )
        ((how, arg),) = spec.items()
        if how == "value":
            literal = self._literal(arg, f"{path}.value", key, kind)
            return _coalesced(f"{column} = {literal}")
        items = self._list(arg, f"{path}.{how}", f"values of the {kind} field {key!r}")
        literals = list(
            dict.fromkeys(
                self._literal(v, f"{path}.{how}[{i}]", key, kind) for i, v in enumerate(items)
            )
        )
        if how == "any":
            if not literals:
                return _FALSE
            return _coalesced(f"{column} IN ({', '.join(literals)})")
        if not literals:  # except []: any value, but not null
            return _Leaf(f"{column} IS NOT NULL", f"{column} IS NULL")
        return _coalesced(f"{column} NOT IN ({', '.join(literals)})")

    def _literal(self, value: object, path: str, key: str, kind: str) -> str:
        if kind == "keyword":
            if not isinstance(value, str):
                raise InvalidInputError(
                    f"{path}: {_short(value)} is not a string; the keyword field {key!r} "
                    "takes strings."
                )
            return _str_sql(_checked_str(value, path))
        if kind == "bool":
            if not isinstance(value, bool):
                raise InvalidInputError(
                    f"{path}: {_short(value)} is not a bool; the bool field {key!r} takes true "
                    "or false."
                )
            return "TRUE" if value else "FALSE"
        if kind == "integer":
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise InvalidInputError(
                    f"{path}: {_short(value)} is not an integer; the integer field {key!r} "
                    "takes integers (use 'range' to compare with a fraction)."
                )
            return _int_sql(_checked_int(int(value), path))
        # float
        return _float_sql(float(_checked_number(value, path, f"the float field {key!r}")))

    def range(self, spec: object, path: str, key: str, column: str, kind: str) -> _Node:
        if kind not in ("integer", "float"):
            raise InvalidInputError(
                f"{path}: 'range' needs an integer or float field, but {key!r} is {kind}; use "
                "'match' instead."
            )
        if not isinstance(spec, Mapping) or not spec or not set(spec) <= set(_RANGE_KEYS):
            raise InvalidInputError(
                f"{path}: expected an object with at least one of gt, gte, lt, lte, got "
                f"{_short(spec)}."
            )
        bounds = {
            op: _checked_number(spec[op], f"{path}.{op}", "a range bound")
            for op in _RANGE_KEYS
            if op in spec
        }
        if kind == "float":
            symbols = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
            terms = [f"{column} {symbols[op]} {_float_sql(float(b))}" for op, b in bounds.items()]
            return _coalesced(" AND ".join(terms))
        # Integer field: turn the bounds into exact integer bounds lo <= x <= hi.
        lo, hi = _INT64_MIN, _INT64_MAX
        for op, b in bounds.items():
            if op == "gt":
                lo = max(lo, math.floor(b) + 1)
            elif op == "gte":
                lo = max(lo, math.ceil(b))
            elif op == "lt":
                hi = min(hi, math.ceil(b) - 1)
            else:
                hi = min(hi, math.floor(b))
        if lo > hi:
            return _FALSE
        if lo == _INT64_MIN and hi == _INT64_MAX:
            return _Leaf(f"{column} IS NOT NULL", f"{column} IS NULL")
        if lo == hi:
            return _coalesced(f"{column} = {_int_sql(lo)}")
        terms = []
        if lo > _INT64_MIN:
            terms.append(f"{column} >= {_int_sql(lo)}")
        if hi < _INT64_MAX:
            terms.append(f"{column} <= {_int_sql(hi)}")
        return _coalesced(" AND ".join(terms))

    def has_id(self, ids: object, path: str) -> _Node:
        items = self._list(ids, path, "point ids")
        literals: list[str] = []
        for i, value in enumerate(items):
            where = f"{path}[{i}]"
            if self.id_type == "int":
                if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                    raise InvalidInputError(
                        f"{where}: {_short(value)} is not an integer; this collection's ids are "
                        "integers."
                    )
                literals.append(_int_sql(_checked_int(int(value), where)))
            else:
                if not isinstance(value, str):
                    raise InvalidInputError(
                        f"{where}: {_short(value)} is not a string; this collection's ids are "
                        "strings."
                    )
                literals.append(_str_sql(_checked_str(value, where)))
        if not literals:
            return _FALSE
        literals = list(dict.fromkeys(literals))
        return _coalesced(f'"id" IN ({", ".join(literals)})')


def _coalesced(expr: str) -> _Leaf:
    sql = f"COALESCE({expr}, FALSE)"
    return _Leaf(sql, f"NOT {sql}")


def _checked_str(value: str, path: str) -> str:
    if "\x00" in value:
        raise InvalidInputError(
            f"{path}: the string {_short(value)} contains a NUL character; remove it."
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{path}: the string {_short(value)} is not valid Unicode (a lone surrogate); send "
            "valid UTF-8."
        ) from None
    return value


def _checked_int(value: int, path: str) -> int:
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise InvalidInputError(
            f"{path}: {_short(value)} is outside int64; give an integer between -2**63 and "
            "2**63 - 1."
        )
    return value


def _checked_number(value: object, path: str, what: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputError(
            f"{path}: {_short(value)} is not a number; {what} takes an integer or a float."
        )
    if isinstance(value, numbers.Integral):
        return _checked_int(int(value), path)
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInputError(f"{path}: {number!r} is not finite; give a finite number.")
    return number


def compile_filter(
    filter: Mapping[str, Any] | None,
    fields: Mapping[str, str],
    *,
    id_type: str = "int",
) -> str | None:
    """Compile a Qdrant-style JSON filter to a LanceDB SQL ``WHERE`` clause.

    Parameters
    ----------
    filter : mapping or None
        The filter (grammar in the module docstring): keys among ``must``, ``should``,
        ``must_not``.
    fields : mapping of str to str
        The collection's declared payload schema (checked with :func:`check_payload_schema`);
        only these columns can be named.
    id_type : {"int", "str"}, default "int"
        The type of the collection's ``id`` column (int64 or utf8), for ``has_id``.

    Returns
    -------
    str or None
        The clause, a boolean SQL expression that is never NULL; ``None`` when the filter puts
        no constraint (``None``, ``{}``, an empty ``should``), and ``"FALSE"`` when it can match
        nothing (an empty ``any``).

    Raises
    ------
    InvalidInputError
        If the filter does not follow the grammar, names an undeclared field, holds a value of
        the wrong type or goes past a limit; the message names the place, the value and the fix.

    Examples
    --------
    >>> fields = {"label": "keyword", "year": "integer", "score": "float"}
    >>> decade = {"key": "year", "range": {"gte": 2000, "lt": 2010.5}}
    >>> print(compile_filter({"must": decade}, fields))
    COALESCE("year" >= 2000 AND "year" <= 2010, FALSE)
    >>> either = [{"key": "label", "match": {"any": ["a", "b"]}}, {"is_null": {"key": "score"}}]
    >>> print(compile_filter({"should": either}, fields))
    COALESCE("label" IN ('a', 'b'), FALSE) OR "score" IS NULL
    >>> print(compile_filter({"must_not": [{"key": "label", "match": {"except": ["a"]}}]}, fields))
    NOT COALESCE("label" NOT IN ('a'), FALSE)
    >>> compile_filter({"must": {"key": "colour", "match": {"value": "red"}}}, fields)
    Traceback (most recent call last):
    ...
    embedlab.exceptions.InvalidInputError: filter.must.key: Unknown payload field 'colour' in ...
    """
    if id_type not in ("int", "str"):
        raise InvalidInputError(f"id_type: {id_type!r} is not supported; use 'int' or 'str'.")
    fields = check_payload_schema(fields)
    if filter is None:
        return None
    node = _Compiler(fields, id_type).filter(filter, "filter", 1)
    if node == _TRUE:
        return None
    return _render(node)
