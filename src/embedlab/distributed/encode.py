r"""Batch text encoding of a JSONL or Parquet corpus over Dask partitions, equal to one machine.

What is distributed
-------------------
The corpus file is cut into ``P`` partitions in corpus order, without reading it on the
driver: a JSONL file (one JSON object a line) into ``P`` byte ranges (a line belongs to the range
its first byte lies in), a Parquet file into ``P`` contiguous row ranges (read through the row
groups they overlap). Two passes of one task per partition:

1. **scan**: parse the partition and check every row (a JSON object with a string
   ``text_field``, an ``id_field``), returning only its row count and id type -- a bad row
   fails here, before any model runs or any part is written;
2. **encode**: read the partition again and encode its texts on the worker with
   :class:`~embedlab.text.SentenceEncoder` (one encoder per worker process and settings, loaded
   on first use from the packaged model, offline), then either write the part
   ``output/part-00000.parquet`` ... (an :class:`~embedlab.io.EmbeddingSet` file: columns ``id``
   and ``vector``, the encoder's metadata in the schema) or send the vectors back.

Equality with one machine
-------------------------
The parts, concatenated in order (:func:`load_parts`), hold the ids and texts of the corpus in
corpus order, and their vectors equal ``SentenceEncoder(...).encode(all texts)``: each text is
encoded by the same model with the same settings; only the padded batches differ (the encoder
sorts texts by length and pads each batch to its longest), which changes float32 round-off, not
values -- the maximum absolute difference is about 1e-7 (tested: <= 1e-6).

What moves, and the cost
------------------------
Nothing of the corpus passes through the driver: every worker reads its byte or row range from
the file (which must be reachable at the same path from every worker, e.g. a shared file
system, as must ``output``). What moves is per partition a few integers, and either nothing
more (parts written by the workers) or its ``n_p\,d\,4`` bytes of vectors (an EmbeddingSet
returned). Time: the local encoding divided over the workers plus one extra read of the corpus
(the scan). Memory on a worker: the model (about 90 MB for MiniLM) once per process, plus one
partition's texts and vectors.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from embedlab.exceptions import InvalidInputError, OutputExistsError

from ._client import resolve_client, worker_addresses

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.io import EmbeddingSet

__all__ = ["encode_corpus", "load_parts"]

#: bytes of corpus per default partition
_PARTITION_BYTES = 64 << 20
_PART = "part-{:05d}.parquet"
_PART_GLOB = "part-*.parquet"
_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}

#: one SentenceEncoder per worker process and settings, with the lock that serialises its use
#: (a process's worker threads share it; Hugging Face's fast tokenizers refuse concurrent calls)
_ENCODERS: dict[tuple[Any, ...], tuple[Any, threading.Lock]] = {}
_ENCODERS_LOCK = threading.Lock()


# ----------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class _Fields:
    """Which fields of a row hold the text, the id (``None``: positions) and the title."""

    text: str
    id: str | None
    title: str | None


def _kind(value: Any) -> str:
    """Name a value's type as a JSON user sees it (``null`` for None)."""
    return "null" if value is None else type(value).__name__


def _text_of(row: Any, fields: _Fields, where: str) -> str:
    """Return the text of a parsed JSONL row: ``title + " " + text`` with a title, else the text."""
    if not isinstance(row, dict):
        raise InvalidInputError(f"{where}: a row must be a JSON object; got {_kind(row)}.")
    if fields.text not in row:
        raise InvalidInputError(
            f"{where}: the row has no text field {fields.text!r} (its fields: "
            f"{', '.join(map(repr, row)) or 'none'}); set text_field=..."
        )
    text = row[fields.text]
    if not isinstance(text, str):
        raise InvalidInputError(
            f"{where}: field {fields.text!r} must be a string; got {_kind(text)}."
        )
    if fields.id is not None and fields.id not in row:
        raise InvalidInputError(
            f"{where}: the row has no id field {fields.id!r}; set id_field=... (None: row "
            "positions)."
        )
    title = row.get(fields.title) if fields.title is not None else None
    if title is not None and not isinstance(title, str):
        raise InvalidInputError(
            f"{where}: field {fields.title!r} must be a string; got {_kind(title)}."
        )
    return f"{title} {text}" if title else text


def _read_jsonl(path: str, start: int, stop: int, fields: _Fields) -> tuple[list[Any], list[str]]:
    """Return the ids and texts of the lines whose first byte lies in ``[start, stop)``."""
    ids: list[Any] = []
    texts: list[str] = []
    name = Path(path).name
    with open(path, "rb") as fh:
        if start > 0:
            fh.seek(start - 1)
            fh.readline()  # the line that began before ``start`` belongs to the previous range
        pos = fh.tell()
        while pos < stop:
            line = fh.readline()
            if not line:
                break
            where = f"{name}, the line at byte {pos}"
            first, pos = pos == 0, pos + len(line)
            if not line.strip():
                continue
            try:
                row = json.loads(line.decode("utf-8-sig" if first else "utf-8"))
            except UnicodeDecodeError:
                raise InvalidInputError(f"{where} is not UTF-8 text.") from None
            except json.JSONDecodeError as exc:
                raise InvalidInputError(f"{where} is not JSON ({exc.msg}).") from None
            texts.append(_text_of(row, fields, where))
            if fields.id is not None:
                ids.append(row[fields.id])
    return ids, texts


def _read_parquet(path: str, start: int, stop: int, fields: _Fields) -> tuple[list[Any], list[str]]:
    """Return the ids and texts of rows ``start..stop-1`` (read from the row groups overlapped)."""
    import pyarrow.parquet as pq

    name = Path(path).name
    pf = pq.ParquetFile(path)
    meta = pf.metadata
    columns = [c for c in (fields.id, fields.title, fields.text) if c is not None]
    groups, first, seen = [], None, 0
    for g in range(meta.num_row_groups):
        rows = meta.row_group(g).num_rows
        if seen + rows > start and seen < stop:
            groups.append(g)
            first = seen if first is None else first
        seen += rows
    if not groups or first is None:
        return [], []
    table = pf.read_row_groups(groups, columns=columns).slice(start - first, stop - start)
    text = table.column(fields.text).to_pylist()
    bad = next((i for i, t in enumerate(text) if not isinstance(t, str)), None)
    if bad is not None:
        raise InvalidInputError(
            f"{name}, row {start + bad}: field {fields.text!r} must be a string; got "
            f"{_kind(text[bad])}."
        )
    if fields.title is not None:
        titles = table.column(fields.title).to_pylist()
        text = [f"{h} {t}" if h else t for h, t in zip(titles, text, strict=True)]
    ids = table.column(fields.id).to_pylist() if fields.id is not None else []
    if fields.id is not None and any(v is None for v in ids):
        bad = ids.index(None)
        raise InvalidInputError(f"{name}, row {start + bad}: the id field {fields.id!r} is null.")
    return ids, text


def _read(kind: str, path: str, start: int, stop: int, fields: _Fields) -> tuple[list, list]:
    reader = _read_jsonl if kind == "jsonl" else _read_parquet
    return reader(path, start, stop, fields)


def _is_int(v: Any) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool)


def _scan(kind: str, path: str, start: int, stop: int, fields: _Fields) -> tuple[int, bool]:
    """Check a partition's rows; return its row count and whether all its ids are integers."""
    ids, texts = _read(kind, path, start, stop, fields)
    return len(texts), all(_is_int(v) for v in ids)


def _id_array(ids: list[Any] | None, int_ids: bool, offset: int, n: int) -> np.ndarray:
    """Return a partition's ids: its rows' own, or the global row positions when ``None``."""
    if ids is None:
        return np.arange(offset, offset + n, dtype=np.int64)
    if int_ids:
        return np.asarray(ids, dtype=np.int64)
    return np.asarray([str(v) for v in ids], dtype=object)


# ----------------------------------------------------------------------------- encoding
def _encoder(settings: dict[str, Any]) -> tuple[Any, threading.Lock]:
    """Return this process's encoder for ``settings`` (made, its model loaded, on first use)."""
    from embedlab.text.encoders import SentenceEncoder, model_path

    key = (str(model_path(settings["model"])), *sorted(settings.items()))
    with _ENCODERS_LOCK:
        if key not in _ENCODERS:
            enc = SentenceEncoder(**settings)
            _ = enc.dim  # loads the model now, under the lock
            _ENCODERS[key] = (enc, threading.Lock())
        return _ENCODERS[key]


def _encode_partition(
    kind: str,
    path: str,
    start: int,
    stop: int,
    fields: _Fields,
    settings: dict[str, Any],
    torch_threads: int | None,
    int_ids: bool,
    offset: int,
    target: str | None,
    part_metadata: dict[str, Any],
) -> tuple[np.ndarray, np.ndarray | None, dict[str, Any]]:
    """Encode one partition on a worker; write its part or return its vectors.

    Returns ``(ids, vectors or None when written, encoder metadata)``.
    """
    from embedlab.io import EmbeddingSet

    ids, texts = _read(kind, path, start, stop, fields)
    if torch_threads is not None:
        import torch

        torch.set_num_threads(torch_threads)
    enc, lock = _encoder(settings)
    with lock:
        vectors = enc.encode(texts)
        meta = enc.metadata()
    id_arr = _id_array(ids if fields.id is not None else None, int_ids, offset, len(texts))
    if target is None:
        return id_arr, vectors, meta
    EmbeddingSet(ids=id_arr, vectors=vectors, metadata={**meta, **part_metadata}).save(
        target, overwrite=True
    )
    return id_arr[:0], None, meta


# ----------------------------------------------------------------------------- driver side
def _partitions(kind: str, path: Path, partitions: int | None, n_workers: int) -> list[tuple]:
    """``[(start, stop), ...]``: byte ranges (JSONL) or row ranges (Parquet), in corpus order."""
    if partitions is not None and (
        not isinstance(partitions, int) or isinstance(partitions, bool) or partitions < 1
    ):
        raise InvalidInputError(f"'partitions' must be an int >= 1; got {partitions!r}.")
    size = path.stat().st_size
    default = max(n_workers, -(-size // _PARTITION_BYTES))
    if kind == "jsonl":
        total = size
        p = partitions or default
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            total = pq.ParquetFile(path).metadata.num_rows
        except (pa.ArrowInvalid, OSError) as exc:
            raise InvalidInputError(f"{path.name} is not a readable Parquet file: {exc}") from None
        p = partitions or max(1, min(default, total))
    bounds = (np.arange(p + 1, dtype=np.int64) * total) // p
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds)]


def _check_parquet_fields(path: Path, fields: _Fields) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidInputError(f"{path.name} is not a readable Parquet file: {exc}") from None
    for what, col in (("text", fields.text), ("id", fields.id), ("title", fields.title)):
        if col is None:
            continue
        if col not in schema.names:
            raise InvalidInputError(
                f"{path.name} has no {what} column {col!r} (its columns: "
                f"{', '.join(map(repr, schema.names))}); set {what}_field=..."
            )
        typ = schema.field(col).type
        if what != "id" and not (pa.types.is_string(typ) or pa.types.is_large_string(typ)):
            raise InvalidInputError(f"{path.name}: column {col!r} must hold strings; got {typ}.")


def _check_output(output: Any, overwrite: bool) -> tuple[Path, list[Path]]:
    """Return the output folder and the parts of an earlier run to replace; nothing is changed."""
    out = Path(output).resolve()
    if out.exists() and not out.is_dir():
        raise InvalidInputError(
            f"'output' {str(out)!r} is a file; give a folder for the Parquet parts."
        )
    old = sorted(out.glob(_PART_GLOB)) if out.is_dir() else []
    if old and not overwrite:
        raise OutputExistsError(
            f"{str(out)!r} already holds {len(old)} parts; pass overwrite=True to replace them."
        )
    if not out.parent.exists():
        raise InvalidInputError(f"The folder {str(out.parent)!r} does not exist; create it first.")
    return out, old


@overload
def encode_corpus(
    path: str | os.PathLike[str],
    output: None = None,
    *,
    text_field: str = ...,
    id_field: str | None = ...,
    title_field: str | None = ...,
    model: str | None = ...,
    batch_size: int = ...,
    max_seq_length: int | None = ...,
    normalize: bool = ...,
    truncate_dim: int | None = ...,
    partitions: int | None = ...,
    torch_threads: int | None = ...,
    overwrite: bool = ...,
    client: Any = ...,
) -> EmbeddingSet: ...


@overload
def encode_corpus(
    path: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    text_field: str = ...,
    id_field: str | None = ...,
    title_field: str | None = ...,
    model: str | None = ...,
    batch_size: int = ...,
    max_seq_length: int | None = ...,
    normalize: bool = ...,
    truncate_dim: int | None = ...,
    partitions: int | None = ...,
    torch_threads: int | None = ...,
    overwrite: bool = ...,
    client: Any = ...,
) -> list[Path]: ...


def encode_corpus(
    path: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    *,
    text_field: str = "text",
    id_field: str | None = "_id",
    title_field: str | None = None,
    model: str | None = None,
    batch_size: int = 64,
    max_seq_length: int | None = None,
    normalize: bool = True,
    truncate_dim: int | None = None,
    partitions: int | None = None,
    torch_threads: int | None = None,
    overwrite: bool = False,
    client: Any = None,
) -> EmbeddingSet | list[Path]:
    """Encode every text of a JSONL or Parquet corpus on the cluster, one task per partition.

    Parameters
    ----------
    path : path-like
        ``.jsonl`` (or ``.ndjson``; one JSON object a line, blank lines skipped; not gzip'd:
        partitions are byte ranges) or ``.parquet``. Every worker must reach it at this path.
    output : path-like, optional
        A folder for the parts ``part-00000.parquet`` ... (one per partition, each an
        :class:`~embedlab.io.EmbeddingSet` file; read them back with :func:`load_parts`),
        written by the workers. ``None``: the vectors come back as one EmbeddingSet.
    text_field : str, default="text"
        The field (JSONL) or column (Parquet) holding the text, a string in every row.
    id_field : str or None, default="_id"
        The field holding each row's id (integers stay int64, anything else becomes its
        string); ``None``: ids are the row positions ``0..n-1``.
    title_field : str, optional
        A field prepended to the text (``title + " " + text``, as BEIR corpora are encoded by
        ``embedlab text encode``); rows without one use the text alone.
    model : str, optional
        A packaged model name or a model folder (default ``"minilm"``, all-MiniLM-L6-v2),
        loaded offline once per worker process.
    batch_size, max_seq_length, normalize, truncate_dim
        As :class:`~embedlab.text.SentenceEncoder`.
    partitions : int, optional
        Number of partitions; default: the number of workers, or one per 64 MiB of corpus if
        that is more (for Parquet, at most the number of rows).
    torch_threads : int, optional
        ``torch.set_num_threads`` on each worker before it encodes (process-wide: with
        in-process workers it is the driver's setting too). ``None``: leave it (Dask's worker
        processes start with ``OMP_NUM_THREADS=1``).
    overwrite : bool, default=False
        Replace the parts of an earlier run in ``output`` (its other files are kept).
    client : distributed.Client, optional
        Default: the current client.

    Returns
    -------
    EmbeddingSet or list of Path
        With ``output=None``, the corpus's ids and vectors in corpus order, with the encoder's
        metadata (``source``: the corpus path); else the paths of the parts written, in order.

    Raises
    ------
    InvalidInputError
        For a missing file, an unknown suffix, a row without the text (or id) field or with a
        non-string text, invalid JSON, or a corpus without a single row; all before any model
        is loaded.
    OutputExistsError
        When ``output`` already holds parts and ``overwrite`` is not set.

    Notes
    -----
    The output folder is created (and old parts removed) only once the scan has passed; an
    error while encoding (a worker lost, say) leaves the parts written so far, and a rerun with
    ``overwrite=True`` replaces them. Ids must be unique: within each part when parts are
    written, across the corpus when an EmbeddingSet is returned.

    Examples
    --------
    >>> es = encode_corpus("corpus.jsonl", partitions=4)  # doctest: +SKIP
    >>> parts = encode_corpus("corpus.parquet", "emb/", client=client)  # doctest: +SKIP
    >>> load_parts("emb/").vectors.shape  # doctest: +SKIP
    (5183, 384)
    """
    src = Path(path)
    if not src.is_file():
        raise InvalidInputError(f"No such file: {str(src)!r}.")
    kind = _FORMATS.get(src.suffix.lower())
    if kind is None:
        raise InvalidInputError(
            f"encode_corpus reads .jsonl, .ndjson or .parquet files; got {src.name!r}."
        )
    if not isinstance(text_field, str) or not text_field:
        raise InvalidInputError(f"'text_field' must be a field name; got {text_field!r}.")
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise InvalidInputError(f"'batch_size' must be an int >= 1; got {batch_size!r}.")
    if torch_threads is not None and (not isinstance(torch_threads, int) or torch_threads < 1):
        raise InvalidInputError(f"'torch_threads' must be an int >= 1; got {torch_threads!r}.")
    fields = _Fields(text_field, id_field, title_field)
    if kind == "parquet":
        _check_parquet_fields(src, fields)
    client = resolve_client(client)
    ranges = _partitions(kind, src, partitions, len(worker_addresses(client)))
    out, old = _check_output(output, overwrite) if output is not None else (None, [])
    where = str(src.resolve())

    scans = client.gather(
        [client.submit(_scan, kind, where, a, b, fields, pure=False) for a, b in ranges]
    )
    counts = [c for c, _ in scans]
    if sum(counts) == 0:
        raise InvalidInputError(f"{src.name} holds no text: there is nothing to encode.")
    int_ids = id_field is not None and all(flag for _, flag in scans)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int).tolist()
    if out is not None:  # the corpus is good: now make room for the parts
        out.mkdir(exist_ok=True)
        for p in old:  # only our own part files; this run may have fewer partitions
            p.unlink()

    settings = {
        "model": model or "minilm",
        "batch_size": batch_size,
        "max_seq_length": max_seq_length,
        "normalize": normalize,
        "truncate_dim": truncate_dim,
    }
    targets = [None if out is None else str(out / _PART.format(i)) for i in range(len(ranges))]
    futures = [
        client.submit(
            _encode_partition,
            kind,
            where,
            a,
            b,
            fields,
            settings,
            torch_threads,
            int_ids,
            off,
            target,
            {"source": where, "part": i, "n_parts": len(ranges)},
            pure=False,
        )
        for i, ((a, b), off, target) in enumerate(zip(ranges, offsets, targets, strict=True))
    ]
    results = client.gather(futures)
    if out is not None:
        return [Path(t) for t in targets if t is not None]
    from embedlab.io import EmbeddingSet

    ids = np.concatenate([r[0] for r in results])
    vectors = np.concatenate([r[1] for r in results])
    return EmbeddingSet(ids=ids, vectors=vectors, metadata={**results[0][2], "source": where})


def _part_number(p: Path) -> int:
    digits = p.stem.removeprefix("part-")
    return int(digits) if digits.isdigit() else -1


def load_parts(folder: str | os.PathLike[str]) -> EmbeddingSet:
    """Read the parts :func:`encode_corpus` wrote into one EmbeddingSet, in corpus order.

    Parameters
    ----------
    folder : path-like
        The ``output`` folder of :func:`encode_corpus`.

    Returns
    -------
    EmbeddingSet
        The parts' ids and vectors concatenated; the metadata of the first part without its
        ``part`` and ``n_parts`` keys.
    """
    from embedlab.io import EmbeddingSet

    d = Path(folder)
    paths = sorted(d.glob(_PART_GLOB), key=_part_number) if d.is_dir() else []
    if not paths:
        raise InvalidInputError(f"{str(d)!r} holds no parts (part-*.parquet) to read.")
    parts = [EmbeddingSet.load(p) for p in paths]
    n_parts = parts[0].metadata.get("n_parts")
    if n_parts != len(parts):
        raise InvalidInputError(
            f"{str(d)!r} holds {len(parts)} parts but they were written as {n_parts}; some "
            "are missing."
        )
    meta = {k: v for k, v in parts[0].metadata.items() if k not in ("part", "n_parts")}
    # empty parts are left out of the ids: their int64 empty arrays would not change the type
    ids = np.concatenate([p.ids for p in parts if len(p)] or [parts[0].ids])
    return EmbeddingSet(ids=ids, vectors=np.concatenate([p.vectors for p in parts]), metadata=meta)
