"""EmbeddingSet: the caller's ids, float32 vectors aligned with them, and provenance metadata.

Formats (chosen by the file suffix):

========================  =====================================================================
``.parquet``              columns ``id`` (int64 or string) and ``vector``
                          (``FixedSizeList<float32, d>``, LanceDB's vector type); the metadata
                          as JSON under the schema key ``embedlab``.
``.npy``                  the vectors; ids in ``<stem>.ids.npy`` and metadata in
                          ``<stem>.meta.json`` beside it (absent ids mean ``0..n-1``).
``.txt``/``.vec``/``.w2v`` word2vec text: a ``n d`` header, then ``id v1 ... vd`` per line
                          (floats written with 9 significant digits, so float32 round-trips).
========================  =====================================================================

Every format round-trips exactly (ids, their type, vectors bit for bit, metadata); every write is
atomic and refuses to replace an existing file unless ``overwrite=True``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.utils.fileio import atomic_path, check_output_path
from embedlab.utils.linalg import as_float_matrix

__all__ = ["EmbeddingSet"]

_TEXT_SUFFIXES = {".txt", ".vec", ".w2v"}
_META_KEY = b"embedlab"


def _as_ids(ids: Any, n: int) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.ndim != 1:
        raise InvalidInputError(f"'ids' must be 1-d; got shape {arr.shape}.")
    if arr.shape[0] != n:
        raise InvalidInputError(
            f"'ids' has {arr.shape[0]} entries but 'vectors' has {n} rows; they must match."
        )
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind in "US":
        return np.asarray(arr.astype(str), dtype=object)
    if arr.dtype == object:
        if all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in arr):
            return arr.astype(np.int64)
        if all(isinstance(v, str) for v in arr):
            return arr
    raise InvalidInputError(f"'ids' must be all integers or all strings; got dtype {arr.dtype}.")


@dataclass(eq=False)
class EmbeddingSet:
    """Ids, vectors and metadata, with lossless file formats.

    Parameters
    ----------
    ids : array-like of int or str, shape (n,)
        The caller's own ids, unique, aligned with the rows of ``vectors``.
    vectors : array-like of shape (n, d)
        Stored as float32, C-contiguous; NaN and infinity are refused.
    metadata : dict
        JSON-serialisable provenance: ``method``, ``parameters``, ``seed``, ``embedlab_version``,
        ``source``...

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> es = EmbeddingSet(ids=["a", "b"], vectors=np.eye(2), metadata={"method": "demo"})
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "emb.parquet"
    >>> es.save(path)
    >>> back = EmbeddingSet.load(path)
    >>> back.ids.tolist(), back.dim, back.metadata["method"]
    (['a', 'b'], 2, 'demo')
    """

    ids: np.ndarray
    vectors: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        vec = np.asarray(self.vectors)
        if not np.issubdtype(vec.dtype, np.number):
            raise InvalidInputError(f"'vectors' must be numeric; got dtype {vec.dtype}.")
        vec = as_float_matrix(vec, "'vectors'", allow_empty=True)
        self.vectors = vec
        self.ids = _as_ids(self.ids, vec.shape[0])
        if np.unique(self.ids).shape[0] != self.ids.shape[0]:
            raise InvalidInputError("'ids' must be unique; found repeated ids.")
        self.metadata = dict(self.metadata)
        try:
            json.dumps(self.metadata)
        except TypeError as exc:
            raise InvalidInputError(f"'metadata' must be JSON-serialisable: {exc}") from exc

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    @property
    def dim(self) -> int:
        """The vector dimension ``d``."""
        return int(self.vectors.shape[1])

    def __repr__(self) -> str:
        method = self.metadata.get("method", "?")
        return f"EmbeddingSet(n={len(self)}, dim={self.dim}, method={method!r})"

    def lookup(self, ids: Any) -> np.ndarray:
        """Return the vectors of ``ids`` (in that order); an unknown id is an error."""
        return self.vectors[self.positions(ids)]

    def positions(self, ids: Any) -> np.ndarray:
        """Row positions of ``ids``; unknown ids raise :class:`InvalidInputError`."""
        from embedlab.utils.ids import positions

        return positions(self.ids, np.asarray(ids, dtype=self.ids.dtype), what="embedding ids")

    # ----------------------------------------------------------------------------- writing
    @staticmethod
    def check_path(path: str | os.PathLike[str]) -> str:
        """Return the format a file name selects (``"parquet"``, ``"npy"``, ``"word2vec"``).

        Raises :class:`InvalidInputError` for any other suffix.

        Callers check an output path with it before expensive work.

        >>> EmbeddingSet.check_path("emb.parquet")
        'parquet'
        """
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix == ".parquet":
            return "parquet"
        if suffix == ".npy":
            return "npy"
        if suffix in _TEXT_SUFFIXES:
            return "word2vec"
        raise InvalidInputError(
            f"Unknown embedding file type {suffix!r} for {str(p)!r}; use .parquet, .npy or "
            "a word2vec text suffix (.txt, .vec, .w2v)."
        )

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Write to ``path``; the suffix picks the format (see the module docstring)."""
        p = Path(path)
        kind = self.check_path(p)
        if kind == "parquet":
            self._save_parquet(p, overwrite)
        elif kind == "npy":
            self._save_npy(p, overwrite)
        else:
            self._save_word2vec(p, overwrite)

    def _arrow_table(self) -> Any:
        import pyarrow as pa

        d = self.dim
        flat = pa.array(self.vectors.reshape(-1), type=pa.float32())
        vector = pa.FixedSizeListArray.from_arrays(flat, d)
        ids = pa.array(self.ids, type=pa.int64() if self.ids.dtype != object else pa.string())
        schema = pa.schema(
            [pa.field("id", ids.type, nullable=False), pa.field("vector", vector.type)],
            metadata={_META_KEY: json.dumps(self.metadata).encode()},
        )
        return pa.Table.from_arrays([ids, vector], schema=schema)

    def _save_parquet(self, p: Path, overwrite: bool) -> None:
        import pyarrow.parquet as pq

        table = self._arrow_table()
        with atomic_path(p, overwrite=overwrite) as tmp:
            pq.write_table(table, tmp, compression="none", use_dictionary=["id"])

    def _save_npy(self, p: Path, overwrite: bool) -> None:
        ids_path = p.with_name(p.stem + ".ids.npy")
        meta_path = p.with_name(p.stem + ".meta.json")
        for q in (p, ids_path, meta_path):
            check_output_path(q, overwrite=overwrite)
        ids = self.ids if self.ids.dtype != object else self.ids.astype(str)
        with atomic_path(ids_path, overwrite=overwrite) as tmp, tmp.open("wb") as fh:
            np.save(fh, ids, allow_pickle=False)
        with atomic_path(meta_path, overwrite=overwrite) as tmp:
            tmp.write_text(json.dumps(self.metadata), encoding="utf-8")
        with atomic_path(p, overwrite=overwrite) as tmp, tmp.open("wb") as fh:
            np.save(fh, self.vectors, allow_pickle=False)

    def _save_word2vec(self, p: Path, overwrite: bool) -> None:
        words = [str(i) for i in self.ids]
        if any((not w) or any(c.isspace() for c in w) for w in words):
            raise InvalidInputError(
                "The word2vec text format cannot hold ids that are empty or contain whitespace; "
                "save as .parquet instead."
            )
        with atomic_path(p, overwrite=overwrite) as tmp, tmp.open("w", encoding="utf-8") as fh:
            fh.write(f"{len(self)} {self.dim}\n")
            fmt = " ".join(["%.9g"] * self.dim)
            for w, row in zip(words, self.vectors, strict=True):
                fh.write(w + " " + fmt % tuple(row.tolist()) + "\n")

    # ----------------------------------------------------------------------------- reading
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> EmbeddingSet:
        """Read a file written by :meth:`save` (or by another tool in one of these formats)."""
        p = Path(path)
        if not p.exists():
            raise InvalidInputError(f"The embedding file {str(p)!r} does not exist.")
        suffix = p.suffix.lower()
        if suffix == ".parquet":
            return cls._load_parquet(p)
        if suffix == ".npy":
            return cls._load_npy(p)
        if suffix in _TEXT_SUFFIXES:
            return cls._load_word2vec(p)
        raise InvalidInputError(
            f"Unknown embedding file type {suffix!r} for {str(p)!r}; use .parquet, .npy or "
            "a word2vec text suffix (.txt, .vec, .w2v)."
        )

    @classmethod
    def _load_parquet(cls, p: Path) -> EmbeddingSet:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(p)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InvalidInputError(f"{str(p)!r} is not a readable Parquet file: {exc}") from exc
        if "id" not in table.column_names or "vector" not in table.column_names:
            raise InvalidInputError(
                f"{str(p)!r} is not an embedding file: it needs columns 'id' and 'vector', "
                f"found {table.column_names}."
            )
        vec_col = table.column("vector").combine_chunks()
        if pa.types.is_fixed_size_list(vec_col.type):
            d = vec_col.type.list_size
            vectors = np.asarray(vec_col.flatten().to_numpy(), dtype=np.float32).reshape(-1, d)
        elif pa.types.is_list(vec_col.type) or pa.types.is_large_list(vec_col.type):
            rows = vec_col.to_pylist()
            if len({len(r) for r in rows}) > 1:
                raise InvalidInputError(f"{str(p)!r} has vectors of different lengths.")
            vectors = np.asarray(rows, dtype=np.float32)
        else:
            raise InvalidInputError(
                f"{str(p)!r}: column 'vector' has type {vec_col.type}; expected a list of floats."
            )
        id_col = table.column("id").combine_chunks()
        if pa.types.is_integer(id_col.type):
            ids = np.asarray(id_col.to_numpy(), dtype=np.int64)
        else:
            ids = np.asarray(id_col.cast(pa.string()).to_pylist(), dtype=object)
        raw_meta = (table.schema.metadata or {}).get(_META_KEY)
        metadata = json.loads(raw_meta) if raw_meta else {}
        return cls(ids=ids, vectors=vectors, metadata=metadata)

    @classmethod
    def _load_npy(cls, p: Path) -> EmbeddingSet:
        try:
            vectors = np.load(p, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise InvalidInputError(f"{str(p)!r} is not a readable .npy file: {exc}") from exc
        ids_path = p.with_name(p.stem + ".ids.npy")
        meta_path = p.with_name(p.stem + ".meta.json")
        ids: Any = np.arange(len(vectors), dtype=np.int64)
        if ids_path.exists():
            ids = np.load(ids_path, allow_pickle=False)
            if ids.dtype.kind == "U":
                ids = np.asarray(ids.tolist(), dtype=object)
        metadata = json.loads(meta_path.read_text("utf-8")) if meta_path.exists() else {}
        return cls(ids=ids, vectors=vectors, metadata=metadata)

    @classmethod
    def _load_word2vec(cls, p: Path) -> EmbeddingSet:
        try:
            lines = p.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as exc:
            raise InvalidInputError(f"{str(p)!r} is not UTF-8 text: {exc}") from exc
        if not lines:
            raise InvalidInputError(f"{str(p)!r} is empty.")
        header = lines[0].split()
        if len(header) != 2 or not all(h.isdigit() for h in header):
            raise InvalidInputError(
                f"{str(p)!r} does not start with a word2vec header 'n d'; got {lines[0][:80]!r}."
            )
        n, d = int(header[0]), int(header[1])
        body = [ln for ln in lines[1:] if ln.strip()]
        if len(body) != n:
            raise InvalidInputError(
                f"{str(p)!r} announces {n} vectors but holds {len(body)}; it may be truncated."
            )
        words, rows = [], []
        for lineno, ln in enumerate(body, start=2):
            parts = ln.split()
            if len(parts) != d + 1:
                raise InvalidInputError(
                    f"{str(p)!r} line {lineno}: expected an id and {d} numbers, got "
                    f"{len(parts)} fields."
                )
            words.append(parts[0])
            try:
                rows.append([float(x) for x in parts[1:]])
            except ValueError as exc:
                raise InvalidInputError(f"{str(p)!r} line {lineno}: {exc}.") from exc
        ids: Any = np.asarray(words, dtype=object)
        if all(_is_canonical_int(w) for w in words):
            ids = np.asarray([int(w) for w in words], dtype=np.int64)
        return cls(ids=ids, vectors=np.asarray(rows, dtype=np.float32).reshape(n, d))


def _is_canonical_int(w: str) -> bool:
    try:
        return str(int(w)) == w
    except ValueError:
        return False
