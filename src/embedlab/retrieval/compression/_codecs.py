r"""The compressors.

* :class:`Int8Quantizer`: per-dimension affine 8-bit codes (FAISS ``SQ8``'s ``QT_8bit`` scheme),
  :math:`c_j = \lfloor 255 \frac{x_j - lo_j}{hi_j - lo_j} \rfloor` clipped to [0, 255],
  :math:`\hat x_j = lo_j + (c_j + \tfrac12)\,\frac{hi_j - lo_j}{255}`, with the range
  :math:`[lo_j, hi_j]` calibrated on training vectors (min/max, or quantiles to ignore outliers).
  Maximum error per coordinate inside the range: half a step.
* :class:`BinaryQuantizer`: one sign bit per dimension (``x > 0``), packed 8 per byte
  (``np.packbits``, big-endian bit order as FAISS's binary indexes); compared by Hamming distance.
* :class:`ProductQuantizer`: FAISS's ``ProductQuantizer`` (Jégou et al., TPAMI 2011): ``m``
  sub-vectors, each replaced by the nearest of ``2^nbits`` k-means centroids.
* :class:`MatryoshkaTruncation`: the first ``dim`` coordinates, L2-renormalised (Kusupati et
  al., NeurIPS 2022) -- meaningful for models trained with a Matryoshka loss.

Each is registered in :data:`embedlab.registry.COMPRESSORS` under its ``name`` (``int8``,
``binary``, ``pq``, ``mrl``); the index spec grammar (:mod:`embedlab.retrieval.spec`) names the
indexes that store their codes (``SQ8``, ``BFlat``, ``PQ<M>``, ``MRL<D>,...``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from embedlab.exceptions import InvalidInputError, NotFittedError
from embedlab.utils.linalg import as_float_matrix, unit_rows

__all__ = ["BinaryQuantizer", "Int8Quantizer", "MatryoshkaTruncation", "ProductQuantizer"]


def _codes(c: Any, dtype: Any, width: int, what: str = "codes") -> np.ndarray:
    a = np.ascontiguousarray(c)
    if a.dtype != dtype or a.ndim != 2 or a.shape[1] != width:
        raise InvalidInputError(
            f"{what} must be {np.dtype(dtype).name} [n, {width}]; got {a.dtype} {a.shape}."
        )
    return a


class Int8Quantizer:
    """Per-dimension 8-bit scalar quantisation.

    Parameters
    ----------
    quantile : float in [0, 0.5), default=0.0
        The range of dimension ``j`` runs from its ``quantile`` to its ``1 - quantile``
        quantile over the training vectors (0: min/max, as FAISS ``SQ8``); values outside are
        clipped.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(100, 4)).astype("float32")
    >>> q = Int8Quantizer().fit(x)
    >>> q.transform(x).dtype, q.code_size_bytes
    (dtype('uint8'), 4)
    >>> bool(np.abs(q.inverse_transform(q.transform(x)) - x).max() <= q.scale_.max() / 2 + 1e-6)
    True
    """

    name: ClassVar[str] = "int8"

    def __init__(self, *, quantile: float = 0.0) -> None:
        self.quantile = quantile

    def fit(self, x: Any) -> Int8Quantizer:
        if not 0.0 <= self.quantile < 0.5:
            raise InvalidInputError(f"'quantile' must be in [0, 0.5); got {self.quantile!r}.")
        a = as_float_matrix(x)
        if self.quantile > 0:
            lo, hi = np.quantile(a, [self.quantile, 1.0 - self.quantile], axis=0)
        else:
            lo, hi = a.min(axis=0), a.max(axis=0)
        width = np.maximum(hi - lo, 1e-12)
        self.low_ = lo.astype(np.float32)
        self.scale_ = (width / 255.0).astype(np.float32)  # one code step, as FAISS
        self.dim_ = a.shape[1]
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "scale_"):
            raise NotFittedError("This Int8Quantizer is not fitted; call fit(x) first.")

    def transform(self, x: Any) -> np.ndarray:
        """uint8 codes ``[n, d]``."""
        self._fitted()
        a = as_float_matrix(x, dim=self.dim_)
        c = np.floor((a - self.low_) / self.scale_)
        return np.clip(c, 0, 255).astype(np.uint8)

    def inverse_transform(self, codes: Any) -> np.ndarray:
        """Decode each code to the centre of its cell, float32 ``[n, d]``."""
        self._fitted()
        c = _codes(codes, np.uint8, self.dim_)
        return self.low_ + (c.astype(np.float32) + 0.5) * self.scale_

    @property
    def code_size_bytes(self) -> int:
        self._fitted()
        return int(self.dim_)


class BinaryQuantizer:
    """Sign bits, packed: ``d`` dimensions -> ``ceil(d / 8)`` bytes.

    Examples
    --------
    >>> b = BinaryQuantizer().fit(np.zeros((1, 10), "float32"))
    >>> b.transform(np.array([[1, -1, 2, 0, 0, 0, 0, 0, -3, 4]], "float32")).tolist()
    [[160, 64]]
    >>> b.code_size_bytes
    2
    """

    name: ClassVar[str] = "binary"

    def fit(self, x: Any) -> BinaryQuantizer:
        self.dim_ = as_float_matrix(x).shape[1]
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "dim_"):
            raise NotFittedError("This BinaryQuantizer is not fitted; call fit(x) first.")

    def transform(self, x: Any) -> np.ndarray:
        """uint8 codes ``[n, ceil(d / 8)]``: bit ``j`` is ``x_j > 0``."""
        self._fitted()
        return np.packbits(as_float_matrix(x, dim=self.dim_) > 0, axis=1)

    def inverse_transform(self, codes: Any) -> np.ndarray:
        """``±1`` float32 ``[n, d]``."""
        self._fitted()
        c = _codes(codes, np.uint8, self.code_size_bytes)
        bits = np.unpackbits(c, axis=1, count=self.dim_)
        return bits.astype(np.float32) * 2.0 - 1.0

    @property
    def code_size_bytes(self) -> int:
        self._fitted()
        return (int(self.dim_) + 7) // 8


class ProductQuantizer:
    """FAISS product quantisation: ``m`` sub-quantisers of ``2^nbits`` centroids each.

    Parameters
    ----------
    m : int
        Number of sub-vectors; must divide ``d``.
    nbits : int, default=8
    random_state : int, default=0
        Seed of FAISS's k-means.
    """

    name: ClassVar[str] = "pq"

    def __init__(self, m: int, *, nbits: int = 8, random_state: int = 0) -> None:
        self.m = m
        self.nbits = nbits
        self.random_state = random_state

    def fit(self, x: Any) -> ProductQuantizer:
        from embedlab.retrieval._optional import import_faiss

        faiss = import_faiss()
        a = as_float_matrix(x)
        d = a.shape[1]
        if not isinstance(self.m, int) or self.m < 1 or d % self.m:
            raise InvalidInputError(f"'m' must divide the dimension {d}; got {self.m!r}.")
        if not 1 <= self.nbits <= 16:
            raise InvalidInputError(f"'nbits' must be in [1, 16]; got {self.nbits!r}.")
        if len(a) < 2**self.nbits:
            raise InvalidInputError(
                f"Product quantisation with nbits={self.nbits} needs at least "
                f"{2**self.nbits} training vectors; got {len(a)}."
            )
        pq = faiss.ProductQuantizer(d, self.m, self.nbits)
        pq.cp.seed = int(self.random_state)
        pq.train(a)
        self.pq_ = pq
        self.dim_ = d
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "pq_"):
            raise NotFittedError("This ProductQuantizer is not fitted; call fit(x) first.")

    def transform(self, x: Any) -> np.ndarray:
        """uint8 codes ``[n, code_size_bytes]``."""
        self._fitted()
        return np.asarray(self.pq_.compute_codes(as_float_matrix(x, dim=self.dim_)))

    def inverse_transform(self, codes: Any) -> np.ndarray:
        self._fitted()
        c = _codes(codes, np.uint8, self.code_size_bytes)
        return np.asarray(self.pq_.decode(c), dtype=np.float32)

    @property
    def code_size_bytes(self) -> int:
        self._fitted()
        return int(self.pq_.code_size)


class MatryoshkaTruncation:
    """The first ``dim`` coordinates, L2-normalised (zero vectors stay zero).

    Examples
    --------
    >>> MatryoshkaTruncation(2).fit(np.ones((1, 4))).transform(np.array([[3.0, 4.0, 9.0, 9.0]]))
    array([[0.6, 0.8]], dtype=float32)
    """

    name: ClassVar[str] = "mrl"

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def fit(self, x: Any) -> MatryoshkaTruncation:
        d = as_float_matrix(x).shape[1]
        if not isinstance(self.dim, int) or not 1 <= self.dim <= d:
            raise InvalidInputError(f"'dim' must be in [1, {d}]; got {self.dim!r}.")
        self.dim_ = d
        return self

    def transform(self, x: Any) -> np.ndarray:
        if not hasattr(self, "dim_"):
            raise NotFittedError("This MatryoshkaTruncation is not fitted; call fit(x) first.")
        return unit_rows(as_float_matrix(x, dim=self.dim_), self.dim)

    @property
    def code_size_bytes(self) -> int:
        return 4 * int(self.dim)
