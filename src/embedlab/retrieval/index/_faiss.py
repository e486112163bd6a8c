"""The FAISS backend (extra ``[faiss]``): any ``index_factory`` string, float or binary."""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.retrieval._optional import import_faiss
from embedlab.retrieval.index.base import Index
from embedlab.retrieval.spec import VALID_SPECS, IndexSpec
from embedlab.utils.linalg import as_float_matrix, unit_rows

__all__ = ["FaissIndex"]

_FLT_MAX = np.finfo(np.float32).max


class FaissIndex(Index):
    """A FAISS index built from a factory string, under the embedlab Index contract.

    Parameters
    ----------
    spec : str
        A FAISS ``index_factory`` string (``"HNSW32"``, ``"IVF256,PQ32"``, ``"SQ8"``, ``"Flat"``),
        or a binary one starting with ``B`` (``"BFlat"``, ``"BIVF256"``, ``"BHNSW32"``; vectors
        are binarised by sign and compared by Hamming distance).
    dim : int
    metric : {"ip", "cosine", "l2"}, default="ip"

    Search parameters, per call: ``nprobe`` (IVF), ``efSearch`` (HNSW).

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(50, 8)).astype("float32")
    >>> index = FaissIndex("HNSW8", 8, metric="l2").add(x)
    >>> int(index.search(x[:1], k=1, efSearch=16)[1][0, 0])
    0
    """

    name = "faiss"

    def __init__(self, spec: str, dim: int, metric: str = "ip") -> None:
        super().__init__(dim, metric)
        faiss = import_faiss()
        self.spec = spec.strip()
        self.binary = self.spec.startswith("B")
        try:
            if self.binary:
                if dim % 8:
                    raise InvalidInputError(
                        f"Binary FAISS indexes need a dimension divisible by 8; got {dim}."
                    )
                self._index = faiss.index_binary_factory(dim, self.spec)
            else:
                fm = faiss.METRIC_L2 if metric == "l2" else faiss.METRIC_INNER_PRODUCT
                self._index = faiss.index_factory(dim, self.spec, fm)
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
            raise InvalidInputError(
                f"FAISS cannot build {spec!r}: {first or 'unknown factory string'}. "
                f"Valid: {VALID_SPECS}."
            ) from None

    def describe(self) -> str:
        """Return the canonical spec (``"faiss:"`` where the bare string means a NumPy index)."""
        return IndexSpec("faiss", self.spec).describe()

    @property
    def code_size_bytes(self) -> int | None:
        """Bytes per stored vector as FAISS counts them (``sa_code_size``).

        ``None`` for indexes that do not say (HNSW).
        """
        try:
            return int(self._index.code_size if self.binary else self._index.sa_code_size())
        except RuntimeError:
            return None

    @property
    def is_trained(self) -> bool:
        return bool(self._index.is_trained)

    def _prepare(self, x: np.ndarray) -> np.ndarray:
        if self.binary:
            return np.packbits(x > 0, axis=1)
        return unit_rows(x) if self.metric == "cosine" else x

    def train(self, x: Any) -> FaissIndex:
        a = self._prepare(as_float_matrix(x, "training vectors", dim=self.dim, allow_1d=True))
        if not self._index.is_trained:
            try:
                self._index.train(a)
            except RuntimeError as exc:
                raise InvalidInputError(
                    f"FAISS could not train {self.spec!r} on {len(a)} vectors: "
                    f"{str(exc).strip().splitlines()[-1]}"
                ) from None
        return self

    def _add(self, x: np.ndarray) -> None:
        self._index.add(self._prepare(x))

    def _check_params(self, params: dict[str, Any]) -> None:
        self._params(params)

    def _params(self, params: dict[str, Any]) -> Any:
        if not params:
            return None
        faiss = import_faiss()
        unknown = set(params) - {"nprobe", "efSearch"}
        if unknown:
            raise InvalidInputError(
                f"Unknown search parameter(s) {sorted(unknown)}; FAISS indexes take nprobe "
                "(IVF) and efSearch (HNSW)."
            )
        if "nprobe" in params:
            if self.binary or faiss.try_extract_index_ivf(self._index) is None:
                raise InvalidInputError(f"nprobe applies to IVF indexes, not {self.spec!r}.")
            return faiss.SearchParametersIVF(nprobe=int(params["nprobe"]))
        if self.binary or "HNSW" not in self.spec:
            raise InvalidInputError(f"efSearch applies to HNSW indexes, not {self.spec!r}.")
        return faiss.SearchParametersHNSW(efSearch=int(params["efSearch"]))

    def _search(self, q: np.ndarray, k: int, **params: Any) -> tuple[np.ndarray, np.ndarray]:
        sp = self._params(params)
        qq = self._prepare(q)
        if sp is None:
            dist, pos = self._index.search(qq, k)
        else:
            dist, pos = self._index.search(qq, k, params=sp)
        dist = np.asarray(dist, dtype=np.float32)
        pos = np.asarray(pos, dtype=np.int64)
        similarity = self.metric != "l2" and not self.binary
        dist[pos < 0] = -_FLT_MAX if similarity else _FLT_MAX
        # FAISS leaves exact ties in heap order (often the higher id first); the contract is
        # best first, ties to the lower position, padding last
        order = np.lexsort(
            (np.where(pos < 0, np.iinfo(np.int64).max, pos), -dist if similarity else dist)
        )
        return np.take_along_axis(dist, order, axis=1), np.take_along_axis(pos, order, axis=1)

    def _state(self) -> dict[str, np.ndarray]:
        faiss = import_faiss()
        ser = faiss.serialize_index_binary if self.binary else faiss.serialize_index
        return {"faiss": np.asarray(ser(self._index))}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        faiss = import_faiss()
        de = faiss.deserialize_index_binary if self.binary else faiss.deserialize_index
        self._index = de(state["faiss"])
