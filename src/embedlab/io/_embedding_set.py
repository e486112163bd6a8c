"""EmbeddingSet: the caller's ids, float32 vectors aligned with them, and provenance metadata.

Formats (chosen by the file suffix):

========================  =====================================================================
``.parquet``              columns ``id`` (int64 or string) and ``vector``
                          (``FixedSizeList<float32, d>``, LanceDB's vector type); the metadata
                          as JSON under the schema key ``embedlab``.
``.npy``                  the vectors; ids in ``<stem>.ids.npy`` and metadata in
                          ``<stem>.meta.json`` beside it (absent ids mean ``0..n-1``).
``.txt``/``.vec``/``.w2v`` word2vec text: a ``n d`` header, then ``id v1 ... vd`` per line
                          (floats written with 9 significant digits, so float32 round-trips);
                          read also without the header (GloVe's text format).
``.bin``                  word2vec binary (``word2vec.c``'s ``-binary 1``): a ``n d`` header
                          line, then per word its UTF-8 bytes, a space and ``d`` little-endian
                          float32 (an optional newline after each vector).
========================  =====================================================================

Parquet is written uncompressed by default (fastest to read); ``save(path,
compression="zstd")`` trades a little speed for smaller files.

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
_BINARY_SUFFIXES = {".bin"}
_PARQUET_CODECS = ("none", "zstd", "snappy", "gzip", "lz4")
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
        if suffix in _BINARY_SUFFIXES:
            return "word2vec-binary"
        raise InvalidInputError(
            f"Unknown embedding file type {suffix!r} for {str(p)!r}; use .parquet, .npy, "
            "a word2vec text suffix (.txt, .vec, .w2v) or word2vec binary (.bin)."
        )

    def save(
        self,
        path: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        compression: str = "none",
    ) -> None:
        """Write to ``path``; the suffix picks the format (see the module docstring).

        Parameters
        ----------
        path : path-like
            ``.parquet``, ``.npy``, ``.txt``/``.vec``/``.w2v`` (word2vec text) or ``.bin``.
        overwrite : bool, default=False
            Replace an existing file.
        compression : {"none", "zstd", "snappy", "gzip", "lz4"}, default="none"
            Parquet's codec (other formats are never compressed).
        """
        p = Path(path)
        kind = self.check_path(p)
        if compression not in _PARQUET_CODECS:
            raise InvalidInputError(
                f"'compression' must be one of {', '.join(_PARQUET_CODECS)}; got {compression!r}."
            )
        if kind == "parquet":
            self._save_parquet(p, overwrite, compression)
        elif kind == "npy":
            self._save_npy(p, overwrite)
        elif kind == "word2vec":
            self._save_word2vec(p, overwrite)
        else:
            self._save_word2vec_binary(p, overwrite)

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

    def _save_parquet(self, p: Path, overwrite: bool, compression: str = "none") -> None:
        import pyarrow.parquet as pq

        table = self._arrow_table()
        with atomic_path(p, overwrite=overwrite) as tmp:
            pq.write_table(table, tmp, compression=compression, use_dictionary=["id"])

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
        words = self._word2vec_words()
        with atomic_path(p, overwrite=overwrite) as tmp, tmp.open("w", encoding="utf-8") as fh:
            fh.write(f"{len(self)} {self.dim}\n")
            fmt = " ".join(["%.9g"] * self.dim)
            for w, row in zip(words, self.vectors, strict=True):
                fh.write(w + " " + fmt % tuple(row.tolist()) + "\n")

    def _save_word2vec_binary(self, p: Path, overwrite: bool) -> None:
        words = self._word2vec_words()
        little = self.vectors.astype("<f4", copy=False)
        with atomic_path(p, overwrite=overwrite) as tmp, tmp.open("wb") as fh:
            fh.write(f"{len(self)} {self.dim}\n".encode())
            for w, row in zip(words, little, strict=True):
                fh.write(w.encode("utf-8") + b" " + row.tobytes() + b"\n")

    def _word2vec_words(self) -> list[str]:
        words = [str(i) for i in self.ids]
        if any((not w) or any(c.isspace() for c in w) for w in words):
            raise InvalidInputError(
                "The word2vec formats cannot hold ids that are empty or contain whitespace; "
                "save as .parquet instead."
            )
        return words

    # ----------------------------------------------------------------------------- reading
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> EmbeddingSet:
        """Read a file written by :meth:`save` (or by another tool in one of these formats).

        Every error names the file; pickled ``.npy`` files are refused, never unpickled.
        """
        p = Path(path)
        if not p.exists():
            raise InvalidInputError(f"The embedding file {str(p)!r} does not exist.")
        kind = cls.check_path(p)
        reader = {
            "parquet": cls._load_parquet,
            "npy": cls._load_npy,
            "word2vec": cls._load_word2vec,
            "word2vec-binary": cls._load_word2vec_binary,
        }[kind]
        try:
            return reader(p)
        except InvalidInputError as exc:
            if str(p) in str(exc):
                raise
            raise InvalidInputError(f"{str(p)!r}: {exc}") from None

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
        vectors = _load_plain_npy(p, "vectors")
        ids_path = p.with_name(p.stem + ".ids.npy")
        meta_path = p.with_name(p.stem + ".meta.json")
        ids: Any = np.arange(len(vectors), dtype=np.int64)
        if ids_path.exists():
            ids = _load_plain_npy(ids_path, "ids")
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
        if len(header) == 2 and all(h.isdigit() for h in header):
            n, d = int(header[0]), int(header[1])
            body = [ln for ln in lines[1:] if ln.strip()]
        elif _is_glove_line(header):  # GloVe: no header, every line "word v1 ... vd"
            body = [ln for ln in lines if ln.strip()]
            n, d = len(body), len(header) - 1
        else:
            raise InvalidInputError(
                f"{str(p)!r} does not start with a word2vec header 'n d' (nor with a GloVe line "
                f"'word v1 ... vd'); got {lines[0][:80]!r}."
            )
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

    @classmethod
    def _load_word2vec_binary(cls, p: Path) -> EmbeddingSet:
        data = p.read_bytes()
        end = data.find(b"\n")
        header = data[:end].split() if end >= 0 else []
        if len(header) != 2 or not all(h.isdigit() for h in header):
            raise InvalidInputError(
                f"{str(p)!r} does not start with a word2vec binary header 'n d'; got {data[:40]!r}."
            )
        n, d = int(header[0]), int(header[1])
        pos, width = end + 1, 4 * d
        words: list[str] = []
        vectors = np.empty((n, d), dtype=np.float32)
        for i in range(n):
            while pos < len(data) and data[pos : pos + 1] == b"\n":  # the optional newline
                pos += 1
            space = data.find(b" ", pos)
            if space < 0 or space + 1 + width > len(data):
                raise InvalidInputError(
                    f"{str(p)!r} announces {n} vectors of {d} floats but ends after {i}; "
                    "it may be truncated."
                )
            try:
                words.append(data[pos:space].decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise InvalidInputError(f"{str(p)!r}: word {i + 1} is not UTF-8: {exc}") from exc
            vectors[i] = np.frombuffer(data, dtype="<f4", count=d, offset=space + 1)
            pos = space + 1 + width
        ids: Any = np.asarray(words, dtype=object)
        if all(_is_canonical_int(w) for w in words):
            ids = np.asarray([int(w) for w in words], dtype=np.int64)
        return cls(ids=ids, vectors=vectors)


def _load_plain_npy(p: Path, what: str) -> np.ndarray:
    """``np.load`` of a plain array; a pickled file is reported as the wrong type, not unpickled."""
    try:
        return np.load(p, allow_pickle=False)
    except ValueError as exc:
        if "pickle" in str(exc):
            raise InvalidInputError(
                f"{str(p)!r} is not an embedding .npy file: it holds pickled Python objects, "
                f"not a numeric array of {what} (embedlab never unpickles files)."
            ) from None
        raise InvalidInputError(f"{str(p)!r} is not a readable .npy file: {exc}") from None
    except OSError as exc:
        raise InvalidInputError(f"{str(p)!r} is not a readable .npy file: {exc}") from None


def _is_glove_line(fields: list[str]) -> bool:
    if len(fields) < 2:
        return False
    try:
        [float(x) for x in fields[1:]]
    except ValueError:
        return False
    return True


def _is_canonical_int(w: str) -> bool:
    try:
        return str(int(w)) == w
    except ValueError:
        return False
