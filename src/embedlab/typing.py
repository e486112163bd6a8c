"""Type aliases shared across embedlab.

``FloatArray`` is always float32 of shape ``[n, d]`` when returned by embedlab; ``IdArray`` holds
the caller's own ids (integers or strings); ``GraphLike`` is whatever :meth:`Graph.from_any`
accepts.
"""

from __future__ import annotations

from os import PathLike
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = ["FloatArray", "GraphLike", "IdArray", "PathLike_", "RandomState"]

FloatArray: TypeAlias = npt.NDArray[np.float32]
IdArray: TypeAlias = npt.NDArray[Any]
RandomState: TypeAlias = int | np.random.Generator | None
PathLike_: TypeAlias = str | PathLike[str]
GraphLike: TypeAlias = Any  # Graph | scipy.sparse matrix | networkx.Graph | edge-list path
