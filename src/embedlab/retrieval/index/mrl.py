r"""Matryoshka truncation in front of any index (spec ``"MRL<D>,<index>"``).

A model trained with a Matryoshka loss (Kusupati et al., "Matryoshka Representation Learning",
NeurIPS 2022) packs coarse information into the first coordinates; keeping the first :math:`D`
of them, L2-renormalised, :math:`x \mapsto x_{1:D} / \lVert x_{1:D} \rVert` (zero rows stay
zero), shrinks the index by :math:`d / D` before any other compression. Vectors and queries are
given at their full dimension and truncated on the way in; the inner index (``"Flat"``,
``"SQ8"``, ``"PQ16"``, ``"HNSW32"`` ...) sees ``D``-dimensional vectors at positions ``0..n-1``.

Memory: the inner index's, plus one truncated copy of each batch being added or searched.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.retrieval.index.base import Index
from embedlab.utils.linalg import as_float_matrix, unit_rows

__all__ = ["MatryoshkaIndex"]

_INNER = "inner."


class MatryoshkaIndex(Index):
    """The first ``truncate_dim`` coordinates (renormalised), indexed by ``index``.

    Parameters
    ----------
    dim : int
        The full dimension of the vectors given to ``add`` and ``search``.
    metric : {"ip", "cosine", "l2"}, default="ip"
        How the truncated vectors compare.
    truncate_dim : int
        ``D``, in ``[1, dim]``.
    index : str, default="Flat"
        The spec of the inner index (without a Matryoshka prefix).

    Examples
    --------
    >>> x = np.array([[3.0, 4.0, 9.0], [1.0, 0.0, -9.0]], "float32")
    >>> index = MatryoshkaIndex(3, truncate_dim=2).add(x)
    >>> index.describe(), index.search(np.array([[0.0, 1.0, 0.0]], "float32"), 2)
    ('MRL2', (array([[0.8, 0. ]], dtype=float32), array([[0, 1]])))
    """

    name = "mrl"

    def __init__(
        self, dim: int, metric: str = "ip", *, truncate_dim: int, index: str = "Flat"
    ) -> None:
        from embedlab.retrieval.spec import make_index, parse_spec

        super().__init__(dim, metric)
        if not isinstance(truncate_dim, int | np.integer) or not 1 <= truncate_dim <= self.dim:
            raise InvalidInputError(
                f"'MRL{truncate_dim}' keeps the first D coordinates of {self.dim}: D must be in "
                f"[1, {self.dim}]; got {truncate_dim!r}."
            )
        if parse_spec(index).mrl is not None:
            raise InvalidInputError(f"The inner index of MRL<D> has no MRL prefix; got {index!r}.")
        self.truncate_dim = int(truncate_dim)
        self.inner = make_index(index, self.truncate_dim, metric)

    def describe(self) -> str:
        """Return the canonical spec, ``"MRL<D>,<inner>"`` (``"MRL<D>"`` over ``Flat``)."""
        from embedlab.retrieval.spec import parse_spec

        return parse_spec(f"MRL{self.truncate_dim},{self.inner.describe()}").describe()

    @property
    def is_trained(self) -> bool:
        """Whether the inner index is trained."""
        return self.inner.is_trained

    @property
    def code_size_bytes(self) -> int | None:
        """Bytes per stored vector in the inner index."""
        return self.inner.code_size_bytes

    def _truncate(self, x: np.ndarray) -> np.ndarray:
        return unit_rows(x, self.truncate_dim)

    def train(self, x: Any) -> MatryoshkaIndex:
        """Train the inner index on the truncated ``x``."""
        a = as_float_matrix(x, "training vectors", dim=self.dim, allow_1d=True)
        self.inner.train(self._truncate(a))
        return self

    def _add(self, x: np.ndarray) -> None:
        self.inner.add(self._truncate(x))

    def _check_params(self, params: dict[str, Any]) -> None:
        self.inner._check_params(params)

    def _search(self, q: np.ndarray, k: int, **params: Any) -> tuple[np.ndarray, np.ndarray]:
        return self.inner.search(self._truncate(q), k, **params)

    def _state(self) -> dict[str, np.ndarray]:
        return {_INNER + key: value for key, value in self.inner._state().items()}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.inner._ids = np.arange(len(self._ids), dtype=np.int64)
        self.inner._restore({k[len(_INNER) :]: v for k, v in state.items() if k.startswith(_INNER)})
