"""Edge-list files: ``src dst [weight]`` per line.

Accepted: whitespace-, tab- or comma-separated text (``.gz`` too), ``#`` comments (whole-line or
trailing), an optional header line made of the usual column names (``src dst weight``,
``source,target``, ``u v w``...), and Parquet files (columns ``src``/``dst``/``weight`` or the
first two or three columns). Node ids that all parse as integers are read as int64, anything else
as strings. Parsing is done by pyarrow's multi-threaded CSV reader, so files of tens of millions
of lines read in seconds.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError

__all__ = ["EdgeTable", "read_edge_table"]

_HEADER_WORDS = {
    "src",
    "dst",
    "source",
    "target",
    "u",
    "v",
    "w",
    "weight",
    "from",
    "to",
    "node1",
    "node2",
    "head",
    "tail",
    "i",
    "j",
    "a",
    "b",
    "value",
}
_COMMENT = re.compile(rb"#[^\n]*")
_SPACES = re.compile(rb"[ \t]+")
_EDGE_SPACES = re.compile(rb"(?m)^ +| +$")


@dataclass(frozen=True)
class EdgeTable:
    """The columns of an edge list: ``src`` and ``dst`` ids (int64 or str) and optional weights."""

    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray | None

    def __len__(self) -> int:
        return int(self.src.shape[0])


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InvalidInputError(
            f"{str(path)!r} is not a readable gzip file ({exc}); it may be truncated."
        ) from exc
    except IsADirectoryError as exc:
        raise InvalidInputError(f"{str(path)!r} is a directory, not an edge list.") from exc


def _normalise_text(raw: bytes) -> tuple[bytes, str]:
    """Strip comments, unify line ends and whitespace; return the text and its delimiter."""
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"#" in raw:
        raw = _COMMENT.sub(b"", raw)
    first = next((ln for ln in raw.split(b"\n", 64) if ln.strip()), b"")
    if b"," in first:
        delim = ","
        if b" " in raw or b"\t" in raw:
            raw = _SPACES.sub(b"", raw)
    elif b"\t" in first and b" " not in first.strip(b" \t"):
        delim = "\t"
        if b" " in raw:
            raw = _EDGE_SPACES.sub(b"", raw.replace(b"\t ", b"\t").replace(b" \t", b"\t"))
    else:
        delim = " "
        if b"\t" in raw or b"  " in raw:
            raw = _SPACES.sub(b" ", raw)
        if raw.startswith(b" ") or b"\n " in raw or b" \n" in raw or raw.endswith(b" "):
            raw = _EDGE_SPACES.sub(b"", raw)
    return raw, delim


def _has_header(raw: bytes, delim: str) -> bool:
    first = next((ln for ln in raw.split(b"\n", 8) if ln.strip()), b"")
    try:
        tokens = first.decode("utf-8").strip().lower().split(delim)
    except UnicodeDecodeError:
        return False
    return 2 <= len(tokens) <= 3 and all(t.strip() in _HEADER_WORDS for t in tokens)


def _parse_text(path: Path, weights: bool = True) -> EdgeTable:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    raw, delim = _normalise_text(_read_bytes(path))
    if not raw.strip():
        raise InvalidInputError(f"The edge list {str(path)!r} contains no edges.")
    skip = 1 if _has_header(raw, delim) else 0
    read = pacsv.ReadOptions(autogenerate_column_names=True, skip_rows=skip, block_size=1 << 24)
    parse = pacsv.ParseOptions(delimiter=delim, quote_char=False)
    try:
        table = pacsv.read_csv(
            io.BytesIO(raw),
            read_options=read,
            parse_options=parse,
            convert_options=_convert_options(),
        )
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if "conversion error" in msg or "CSV conversion" in msg:
            table = _parse_as_strings(raw, read, parse, path)
        else:
            raise InvalidInputError(
                f"Malformed edge list {str(path)!r}: {_clean(msg)}. "
                "Every line must be 'src dst' or 'src dst weight'."
            ) from exc
    return _columns(table, path, weights)


def _convert_options() -> Any:
    """Build pyarrow's CSV options where only an empty field is missing.

    ``NaN``, ``NA`` and ``null`` are values: a NaN weight is reported as such, an id ``NA``
    stays an id.
    """
    import pyarrow.csv as pacsv

    return pacsv.ConvertOptions(null_values=[""], strings_can_be_null=True)


def _parse_as_strings(raw: bytes, read: Any, parse: Any, path: Path) -> Any:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    types = {"f0": pa.string(), "f1": pa.string()}
    try:
        return pacsv.read_csv(
            io.BytesIO(raw),
            read_options=read,
            parse_options=parse,
            convert_options=pacsv.ConvertOptions(
                column_types=types, null_values=[""], strings_can_be_null=True
            ),
        )
    except pa.ArrowInvalid as exc:
        raise InvalidInputError(
            f"Malformed edge list {str(path)!r}: {_clean(str(exc))}. "
            "Every line must be 'src dst' or 'src dst weight' with a numeric weight."
        ) from exc


def _clean(msg: str) -> str:
    return " ".join(msg.split()).rstrip(".")


def _ids(column: Any, path: Path, name: str) -> np.ndarray:
    import pyarrow as pa

    col = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    if col.null_count:
        raise InvalidInputError(f"The edge list {str(path)!r} has empty {name} ids.")
    if pa.types.is_integer(col.type):
        return np.asarray(col.to_numpy(), dtype=np.int64)
    if pa.types.is_floating(col.type):
        arr = np.asarray(col.to_numpy())
        if np.all(arr == np.round(arr)):
            return arr.astype(np.int64)
    if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type):
        raise InvalidInputError(
            f"The edge list {str(path)!r} is not UTF-8 text (its {name} ids are not decodable); "
            "re-encode it as UTF-8."
        )
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return np.asarray(col.to_pylist(), dtype=object)
    return np.asarray([str(v) for v in col.to_pylist()], dtype=object)


def _columns(table: Any, path: Path, weights: bool = True) -> EdgeTable:
    import pyarrow as pa

    ncol = table.num_columns
    if ncol not in (2, 3):
        raise InvalidInputError(
            f"The edge list {str(path)!r} has {ncol} columns; expected 2 (src dst) or 3 "
            "(src dst weight)."
        )
    if table.num_rows == 0:
        raise InvalidInputError(f"The edge list {str(path)!r} contains no edges.")
    src = _ids(table.column(0), path, "source")
    dst = _ids(table.column(1), path, "target")
    if src.dtype != dst.dtype:  # one column all-integer, the other not: use strings for both
        src = np.asarray([str(v) for v in src], dtype=object)
        dst = np.asarray([str(v) for v in dst], dtype=object)
    weight = None
    if ncol == 3 and weights:
        col = table.column(2)
        if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
            bad = next(v for v in col.to_pylist() if not _is_number(v))
            raise InvalidInputError(
                f"The edge list {str(path)!r} has a non-numeric weight {bad!r}; the third "
                "column must be a number."
            )
        if col.null_count:
            line = int(np.flatnonzero(np.asarray(col.is_null()))[0]) + 1
            raise InvalidInputError(
                f"The edge list {str(path)!r} has an edge without a weight (edge {line})."
            )
        weight = np.asarray(col.to_numpy(), dtype=np.float64)
        bad = ~np.isfinite(weight)
        if bad.any():
            raise InvalidInputError(
                f"The edge list {str(path)!r} has a weight of {float(weight[bad][0])!r} (edge "
                f"{int(np.flatnonzero(bad)[0]) + 1}); weights must be finite numbers."
            )
    return EdgeTable(src, dst, weight)


def _is_number(v: Any) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def _parse_parquet(path: Path, weights: bool = True) -> EdgeTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidInputError(f"{str(path)!r} is not a readable Parquet file: {exc}") from exc
    names = [n.lower() for n in table.column_names]
    if "src" in names and "dst" in names:
        cols = [names.index("src"), names.index("dst")]
        if "weight" in names:
            cols.append(names.index("weight"))
        table = table.select(cols)
    elif table.num_columns > 3:
        raise InvalidInputError(
            f"The Parquet edge list {str(path)!r} has columns {table.column_names}; name them "
            "src, dst and optionally weight."
        )
    return _columns(table, path, weights)


def read_edge_table(path: str | Path, *, weights: bool = True) -> EdgeTable:
    """Read an edge list file into an :class:`EdgeTable`.

    Raises :class:`InvalidInputError` for a missing, empty, truncated or malformed file, naming
    the file and the offending line. With ``weights=False`` a third column is ignored unread
    (neither parsed nor checked), as for an unweighted graph.
    """
    p = Path(path)
    if not p.exists():
        raise InvalidInputError(f"The edge list {str(p)!r} does not exist.")
    if p.suffix == ".parquet":
        return _parse_parquet(p, weights)
    return _parse_text(p, weights)
