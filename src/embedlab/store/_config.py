"""A collection's declared configuration, its Arrow schema and the row conversions.

The configuration (dimension, metric, id type, payload schema, multivector and text settings)
lives in the LanceDB table's own schema metadata under the key ``embedlab``: the database is the
one source of truth, no side file is kept.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from embedlab._version import __version__
from embedlab.exceptions import InvalidInputError
from embedlab.io._multivector import MultiVector
from embedlab.retrieval.index.base import METRICS
from embedlab.store.filters import check_payload_schema

__all__ = [
    "ID_TYPES",
    "CollectionConfig",
    "check_name",
    "normalise_metric",
]

FORMAT = "embedlab-collection/1"
META_KEY = b"embedlab"
#: A random id written when the collection is created: a dropped and re-created collection of
#: the same name is another incarnation (its cached maps are not the old one's).
UID_KEY = b"embedlab.uid"
ID_TYPES = ("int", "str")
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: Qdrant's metric names are accepted too, in any case
METRIC_ALIASES = {
    "cosine": "cosine",
    "ip": "ip",
    "dot": "ip",
    "l2": "l2",
    "euclid": "l2",
    "euclidean": "l2",
}
#: embedlab metric -> LanceDB distance type
LANCE_DISTANCE = {"cosine": "cosine", "ip": "dot", "l2": "l2"}
MAX_DIM = 65536
MAX_STR_ID = 256
#: defaults of the MUVERA encoder of a multivector collection (2,560-d encodings)
MUVERA_DEFAULTS: dict[str, Any] = {
    "num_repetitions": 10,
    "num_simhash": 4,
    "projection": "ams",
    "projection_dim": 16,
    "random_state": 0,
}
_ARROW_TYPES = {"keyword": "string", "integer": "int64", "float": "float64", "bool": "bool_"}


def check_name(name: Any) -> str:
    """``name`` if it is a valid collection name (``[A-Za-z0-9_-]{1,64}``), else an error.

    Parameters
    ----------
    name : str

    Returns
    -------
    str

    Examples
    --------
    >>> check_name("blogcatalog_fastrp")
    'blogcatalog_fastrp'
    """
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise InvalidInputError(
            "Collection names are 1 to 64 characters from A-Z, a-z, 0-9, '_' and '-'; "
            f"got {name!r}."
        )
    return name


def normalise_metric(metric: Any) -> str:
    """Return the embedlab name (``"cosine"``, ``"ip"``, ``"l2"``) of a metric or a Qdrant alias.

    Parameters
    ----------
    metric : str
        ``"cosine"``, ``"ip"``/``"dot"``, ``"l2"``/``"euclid"`` in any case.

    Returns
    -------
    str

    Examples
    --------
    >>> normalise_metric("Dot"), normalise_metric("Euclid")
    ('ip', 'l2')
    """
    key = metric.lower() if isinstance(metric, str) else None
    if key not in METRIC_ALIASES:
        raise InvalidInputError(
            f"'metric' must be one of {', '.join(METRICS)} (or Qdrant's Cosine, Dot, Euclid); "
            f"got {metric!r}."
        )
    return METRIC_ALIASES[key]


@dataclass(frozen=True)
class CollectionConfig:
    """What a collection declares when it is created (immutable afterwards)."""

    name: str
    dim: int
    metric: str = "cosine"
    id_type: str = "int"
    payload_schema: dict[str, str] = field(default_factory=dict)
    multivector: bool = False
    muvera: dict[str, Any] | None = None
    text_model: str | None = None
    created_with: str = __version__

    @classmethod
    def build(
        cls,
        name: str,
        dim: Any,
        metric: Any = "cosine",
        *,
        id_type: Any = "int",
        payload_schema: Any = None,
        multivector: Any = False,
        muvera: Any = None,
        text_model: Any = None,
    ) -> CollectionConfig:
        """Check every argument and build the configuration."""
        check_name(name)
        if (
            isinstance(dim, bool)
            or not isinstance(dim, int | np.integer)
            or not 1 <= dim <= MAX_DIM
        ):
            raise InvalidInputError(f"'dim' must be an int in [1, {MAX_DIM}]; got {dim!r}.")
        if id_type not in ID_TYPES:
            raise InvalidInputError(f"'id_type' must be 'int' or 'str'; got {id_type!r}.")
        if not isinstance(multivector, bool):
            raise InvalidInputError(f"'multivector' must be true or false; got {multivector!r}.")
        fde: dict[str, Any] | None = None
        if multivector:
            if muvera is not None and not isinstance(muvera, dict):
                raise InvalidInputError(
                    f"'muvera' must be a mapping of MuveraFDE parameters; got {muvera!r}."
                )
            fde = {**MUVERA_DEFAULTS, **(muvera or {})}
            from embedlab.retrieval.muvera import MuveraFDE

            try:
                MuveraFDE(**fde)._check()
            except TypeError as exc:
                raise InvalidInputError(f"Bad 'muvera' parameters {muvera!r}: {exc}.") from None
        elif muvera is not None:
            raise InvalidInputError("'muvera' parameters only apply to multivector collections.")
        if text_model is not None and (not isinstance(text_model, str) or not text_model):
            raise InvalidInputError(f"'text_model' must be a model name; got {text_model!r}.")
        return cls(
            name=name,
            dim=int(dim),
            metric=normalise_metric(metric),
            id_type=id_type,
            payload_schema=check_payload_schema(payload_schema),
            multivector=multivector,
            muvera=fde,
            text_model=text_model,
        )

    # -- persistence in the table schema -------------------------------------------------------
    def to_json(self) -> str:
        """Return the configuration as JSON (stored in the table's schema metadata)."""
        return json.dumps({"format": FORMAT, **asdict(self)}, sort_keys=True)

    @classmethod
    def from_metadata(cls, name: str, metadata: dict[bytes, bytes] | None) -> CollectionConfig:
        """Read the configuration back from a LanceDB table's schema metadata."""
        raw = (metadata or {}).get(META_KEY)
        if raw is None:
            raise InvalidInputError(
                f"Table '{name}' in this store was not created by embedlab (no configuration)."
            )
        data = json.loads(raw)
        data.pop("format", None)
        data["name"] = name
        return cls(**data)

    # -- Arrow ---------------------------------------------------------------------------------
    @property
    def search_dim(self) -> int:
        """Size of the searched ``vector`` column (the MUVERA encoding's for multivectors)."""
        if not self.multivector:
            return self.dim
        m = self.muvera or {}
        per = self.dim if m.get("projection") == "identity" else int(m["projection_dim"])
        return int(m["num_repetitions"]) * (2 ** int(m["num_simhash"])) * per

    def arrow_schema(self) -> Any:
        """Return the table's Arrow schema, with this configuration in its metadata."""
        import pyarrow as pa

        cols = [
            pa.field("id", pa.int64() if self.id_type == "int" else pa.string(), nullable=False),
            pa.field("vector", pa.list_(pa.float32(), self.search_dim)),
        ]
        if self.multivector:
            cols.append(pa.field("vectors", pa.list_(pa.list_(pa.float32(), self.dim))))
        for key, kind in self.payload_schema.items():
            cols.append(pa.field(key, getattr(pa, _ARROW_TYPES[kind])()))
        cols.append(pa.field("payload", pa.string()))
        return pa.schema(cols, metadata={META_KEY: self.to_json().encode()})

    def describe(self) -> dict[str, Any]:
        """Return a JSON-ready summary (the HTTP API's collection info, without count/version)."""
        out: dict[str, Any] = {
            "name": self.name,
            "dim": self.dim,
            "metric": self.metric,
            "id_type": self.id_type,
            "payload_schema": dict(self.payload_schema),
            "multivector": self.multivector,
        }
        if self.multivector:
            out["muvera"] = dict(self.muvera or {})
        if self.text_model is not None:
            out["text_model"] = self.text_model
        return out

    # -- checks of incoming rows ---------------------------------------------------------------
    def check_ids(self, ids: Any, what: str = "ids") -> np.ndarray:
        """Ids as int64 or str array, checked against the collection's id type."""
        if (
            isinstance(ids, np.ndarray)
            and ids.ndim == 1
            and self.id_type == "int"
            and ids.dtype.kind in "iu"
        ):
            if ids.dtype.kind == "u" and len(ids) and ids.max() > np.iinfo(np.int64).max:
                raise InvalidInputError(f"'{what}' must fit in int64.")
            return ids.astype(np.int64, copy=False)
        items = list(ids) if not isinstance(ids, str | bytes) else None
        if items is None:
            raise InvalidInputError(f"'{what}' must be a list of ids; got {ids!r}.")
        if self.id_type == "int":
            for i, v in enumerate(items):
                if isinstance(v, bool) or not isinstance(v, int | np.integer):
                    raise InvalidInputError(
                        f"{what}[{i}] must be an integer (collection '{self.name}' has int ids); "
                        f"got {v!r}."
                    )
                if not -(2**63) <= int(v) < 2**63:
                    raise InvalidInputError(f"{what}[{i}] = {v} does not fit in int64.")
            return np.asarray(items, dtype=np.int64).reshape(-1)
        for i, v in enumerate(items):
            if not isinstance(v, str) or not 1 <= len(v) <= MAX_STR_ID or "\x00" in v:
                raise InvalidInputError(
                    f"{what}[{i}] must be a string of 1 to {MAX_STR_ID} characters (collection "
                    f"'{self.name}' has string ids); got {v!r}."
                )
        return np.asarray(items, dtype=object).reshape(-1)

    def check_vectors(self, vectors: Any, n: int) -> np.ndarray:
        """Dense vectors as finite float32 ``[n, dim]``."""
        if isinstance(vectors, MultiVector):
            raise InvalidInputError(
                f"Collection '{self.name}' holds one vector per point; got a MultiVector."
            )
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # beyond float32: inf, refused below
                x = np.asarray(vectors, dtype=np.float32)
        except (TypeError, ValueError):
            raise InvalidInputError(
                "'vectors' must be numbers, one row of the collection's dimension per point."
            ) from None
        if x.ndim == 1 and n == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[0] != n:
            raise InvalidInputError(
                f"'vectors' must be [{n}, {self.dim}] (one row per id); got shape {x.shape}."
            )
        if x.shape[1] != self.dim:
            raise InvalidInputError(
                f"The vectors have {x.shape[1]} dimensions; collection '{self.name}' has "
                f"{self.dim}."
            )
        if not np.isfinite(x).all():
            bad = int(np.flatnonzero(~np.isfinite(x).all(axis=1))[0])
            raise InvalidInputError(
                f"vectors[{bad}] holds NaN or infinity; every value must be finite."
            )
        return np.ascontiguousarray(x)

    def check_multivector(self, sets: Any, n: int) -> MultiVector:
        """Token vector sets as a MultiVector of ``n`` non-empty sets of dimension ``dim``."""
        if not isinstance(sets, MultiVector):
            try:
                with np.errstate(over="ignore", invalid="ignore"):
                    sets = MultiVector.from_list([np.asarray(s, dtype=np.float32) for s in sets])
            except (TypeError, ValueError) as exc:
                raise InvalidInputError(
                    f"Multivector points need a list of [n_i, {self.dim}] vector sets ({exc})."
                ) from None
        if len(sets) != n:
            raise InvalidInputError(f"Got {len(sets)} vector sets for {n} ids.")
        if sets.dim != self.dim:
            raise InvalidInputError(
                f"The vectors have {sets.dim} dimensions; collection '{self.name}' has {self.dim}."
            )
        if n and (sets.lengths == 0).any():
            bad = int(np.flatnonzero(sets.lengths == 0)[0])
            raise InvalidInputError(
                f"Vector set {bad} is empty; each point needs at least one vector."
            )
        if not np.isfinite(sets.vectors).all():
            raise InvalidInputError(
                "The vector sets hold NaN or infinity; every value must be finite."
            )
        return sets

    def payload_columns(self, payloads: Any, n: int) -> dict[str, list[Any]]:
        """Split ``n`` payload dicts into the declared columns and one JSON column of the rest."""
        if payloads is None:
            payloads = [None] * n
        elif isinstance(payloads, dict):
            raise InvalidInputError(
                "'payload' must be a list with one mapping (or null) per point."
            )
        payloads = list(payloads)
        if len(payloads) != n:
            raise InvalidInputError(f"Got {len(payloads)} payloads for {n} points.")
        cols: dict[str, list[Any]] = {k: [None] * n for k in self.payload_schema}
        rest: list[str | None] = [None] * n
        for i, p in enumerate(payloads):
            if p is None:
                continue
            if not isinstance(p, dict):
                raise InvalidInputError(f"payload[{i}] must be a mapping or null; got {p!r}.")
            extra = {}
            for key, value in p.items():
                kind = self.payload_schema.get(key)
                if kind is None:
                    if not isinstance(key, str):
                        raise InvalidInputError(f"payload[{i}] keys must be strings; got {key!r}.")
                    extra[key] = value
                    continue
                cols[key][i] = _check_value(value, kind, f"payload[{i}].{key}")
            if extra:
                try:
                    rest[i] = json.dumps(extra, allow_nan=False, ensure_ascii=False)
                except (TypeError, ValueError) as exc:
                    raise InvalidInputError(
                        f"payload[{i}] is not JSON-serialisable ({exc})."
                    ) from None
        cols["payload"] = rest
        return cols


def _check_value(value: Any, kind: str, where: str) -> Any:
    if value is None:
        return None
    ok = {
        "keyword": isinstance(value, str) and "\x00" not in value,
        "integer": isinstance(value, int | np.integer)
        and not isinstance(value, bool)
        and -(2**63) <= int(value) < 2**63,
        "float": isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(float(value)),
        "bool": isinstance(value, bool | np.bool_),
    }[kind]
    if not ok:
        raise InvalidInputError(f"{where} must be a {kind} value (declared type); got {value!r}.")
    if kind == "float":
        return float(value)
    if kind == "integer":
        return int(value)
    if kind == "bool":
        return bool(value)
    return value


def row_payload(row: dict[str, Any], schema: dict[str, str]) -> dict[str, Any]:
    """Return the payload of one stored row: declared columns (nulls left out) and the JSON rest."""
    out = {k: row[k] for k in schema if row.get(k) is not None}
    extra = row.get("payload")
    if extra:
        out.update(json.loads(extra))
    return out
