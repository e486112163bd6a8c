"""Graph: a CSR adjacency matrix plus the mapping between the caller's node ids and rows.

Construction rules (the same whatever the source: edge-list file, arrays, networkx, scipy):

* **Ids** may be any integers or strings (from networkx: any hashable). Rows follow the sorted
  order of the ids for edge lists and arrays, and the graph's own node order for networkx and
  scipy. Ids are never required to be ``0..n-1``.
* **Direction** is explicit: ``directed=False`` (the default) stores every edge in both
  directions, so ``indptr``/``indices`` hold the symmetric adjacency.
* **Weights**: ``weighted=None`` means "weighted if weights were given". Weights must be finite
  and positive. An unweighted graph stores weight 1 on every edge.
* **Duplicates**: a pair listed more than once (in an undirected graph, also ``u v`` and ``v u``)
  becomes one edge; in a weighted graph its weights are summed, in an unweighted one it counts once.
* **Self-loops** are kept once (weight ``w`` on the diagonal) unless ``self_loops="drop"``.
* **Isolated nodes** exist only if named: ``nodes=`` for arrays and edge lists, and every node of a
  networkx graph or row of a matrix. They have empty rows.

Memory: ``indptr`` int64 (n + 1), ``indices`` int32 (nnz), ``weights`` float32 (nnz) —
about 8 bytes per stored entry, i.e. 16 bytes per undirected edge.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from embedlab.exceptions import InvalidInputError
from embedlab.utils.ids import positions

__all__ = ["Graph"]

logger = logging.getLogger(__name__)


def csr_rows(indptr: np.ndarray, dtype: Any = np.int64) -> np.ndarray:
    """Return the row of every stored entry of a CSR matrix (the source of every edge).

    >>> csr_rows(np.array([0, 2, 2, 3])).tolist()
    [0, 0, 2]
    """
    return np.repeat(np.arange(len(indptr) - 1, dtype=dtype), np.diff(indptr))


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (unique sorted ids, codes) of int64 or object arrays; fast for small ints."""
    if values.dtype != object:
        if len(values) and values.min() >= 0 and values.max() < 4 * len(values) + 1024:
            present = np.zeros(int(values.max()) + 1, dtype=bool)
            present[values] = True
            uniq = np.flatnonzero(present).astype(np.int64)
            remap = np.cumsum(present, dtype=np.int64) - 1
            return uniq, remap[values]
        uniq, codes = np.unique(values, return_inverse=True)
        return uniq.astype(np.int64), codes.astype(np.int64)
    try:
        uniq, codes = np.unique(values, return_inverse=True)
        return uniq, codes.astype(np.int64)
    except TypeError:  # unorderable mix of hashables: first-appearance order
        table: dict[Hashable, int] = {}
        codes_list = [table.setdefault(v, len(table)) for v in values.tolist()]
        uniq = np.empty(len(table), dtype=object)
        for i, v in enumerate(table):  # element-wise: tuples must stay single ids
            uniq[i] = v  # type: ignore[call-overload]
        return uniq, np.asarray(codes_list, dtype=np.int64)


def _as_id_array(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InvalidInputError(f"'{name}' must be 1-d; got shape {arr.shape}.")
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind in "US":
        return np.asarray(arr.tolist(), dtype=object)
    if arr.dtype == object:
        return arr
    if (
        np.issubdtype(arr.dtype, np.floating)
        and np.all(np.isfinite(arr))
        and np.all(arr == np.round(arr))
    ):
        return arr.astype(np.int64)
    raise InvalidInputError(
        f"'{name}' must hold integer or string node ids; got dtype {arr.dtype}."
    )


class Graph:
    """A graph as CSR adjacency with the caller's node ids.

    Build it with :meth:`from_edges`, :meth:`from_edgelist`, :meth:`from_networkx`,
    :meth:`from_scipy` or :meth:`from_any`; the constructor takes the CSR arrays directly.

    Examples
    --------
    >>> g = Graph.from_edges(["a", "b", "c"], ["b", "c", "a"])
    >>> g
    Graph(n_nodes=3, n_edges=3, directed=False, weighted=False)
    >>> g.node_ids.tolist(), g.degrees().tolist()
    (['a', 'b', 'c'], [2.0, 2.0, 2.0])
    """

    def __init__(
        self,
        indptr: np.ndarray,
        indices: np.ndarray,
        weights: np.ndarray,
        node_ids: np.ndarray,
        *,
        directed: bool,
        weighted: bool,
    ) -> None:
        self.indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(indices, dtype=np.int32)
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)
        self.node_ids = node_ids
        self.directed = bool(directed)
        self.weighted = bool(weighted)

    # ----------------------------------------------------------------------------- basics
    @property
    def n_nodes(self) -> int:
        return int(self.indptr.shape[0] - 1)

    @property
    def n_edges(self) -> int:
        """Edges as the user sees them: undirected pairs count once (self-loops once)."""
        from embedlab.io._graph_kernels import count_diagonal

        nnz = int(self.indices.shape[0])
        if self.directed:
            return nnz
        return (nnz + int(count_diagonal(self.indptr, self.indices))) // 2

    def __repr__(self) -> str:
        return (
            f"Graph(n_nodes={self.n_nodes}, n_edges={self.n_edges}, directed={self.directed}, "
            f"weighted={self.weighted})"
        )

    def adjacency(self) -> sp.csr_array:
        """Return the (weighted) adjacency matrix as a scipy CSR array (no copy of the arrays)."""
        n = self.n_nodes
        return sp.csr_array((self.weights, self.indices, self.indptr), shape=(n, n))

    def degrees(self, *, weighted: bool = True) -> np.ndarray:
        """Out-degrees (row sums; weighted by default), float64."""
        if not weighted or not self.weighted:
            return np.diff(self.indptr).astype(np.float64)
        from embedlab.io._graph_kernels import row_sums

        return np.asarray(row_sums(self.indptr, self.weights))

    def positions(self, ids: Iterable[Any]) -> np.ndarray:
        """Row positions of node ``ids``; unknown ids raise :class:`InvalidInputError`."""
        q = np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids)
        if self.node_ids.dtype == object and q.dtype.kind in "US":
            q = np.asarray(q.tolist(), dtype=object)
        return positions(self.node_ids, q, what="node ids")

    # ----------------------------------------------------------------------------- builders
    @classmethod
    def from_edges(
        cls,
        src: Any,
        dst: Any,
        weights: Any = None,
        *,
        nodes: Any = None,
        directed: bool = False,
        weighted: bool | None = None,
        self_loops: str = "keep",
    ) -> Graph:
        """Build from parallel arrays of source ids, target ids and optional weights."""
        src_a = _as_id_array(src, "src")
        dst_a = _as_id_array(dst, "dst")
        if src_a.shape != dst_a.shape:
            raise InvalidInputError(
                f"'src' and 'dst' must have the same length; got {len(src_a)} and {len(dst_a)}."
            )
        if self_loops not in ("keep", "drop"):
            raise InvalidInputError(
                f"The 'self_loops' parameter must be 'keep' or 'drop'. Got {self_loops!r} instead."
            )
        w = None
        if weights is not None:
            w = np.asarray(weights, dtype=np.float64)
            if w.shape != src_a.shape:
                raise InvalidInputError(
                    f"'weights' has {w.shape[0] if w.ndim else 0} entries for {len(src_a)} edges."
                )
            if not np.isfinite(w).all() or (w <= 0).any():
                bad = float(w[~(np.isfinite(w) & (w > 0))][0])
                raise InvalidInputError(
                    f"Edge weights must be finite and positive; found {bad!r}. Drop such edges "
                    "or pass weighted=False to ignore the weights."
                )
        if weighted is None:
            weighted = w is not None
        if weighted and w is None:
            raise InvalidInputError("weighted=True but no weights were given (a third column).")
        if not weighted:
            w = None
        extra = None if nodes is None else _as_id_array(nodes, "nodes")
        if src_a.dtype != dst_a.dtype or (extra is not None and extra.dtype != src_a.dtype):
            conv = [np.asarray(a.tolist(), dtype=object) for a in (src_a, dst_a)]
            src_a, dst_a = conv
            if extra is not None:
                extra = np.asarray(extra.tolist(), dtype=object)
        m = len(src_a)
        allv = np.concatenate([src_a, dst_a] + ([extra] if extra is not None else []))
        if len(allv) == 0:
            raise InvalidInputError("The graph is empty: no edges and no nodes were given.")
        uniq, codes = _factorize(allv)
        rows, cols = codes[:m], codes[m : 2 * m]
        if self_loops == "drop":
            keep = rows != cols
            n_loops = m - int(keep.sum())
            if n_loops:
                logger.info("dropped %d self-loops", n_loops)
                rows, cols = rows[keep], cols[keep]
                w = None if w is None else w[keep]
        return cls._from_codes(rows, cols, w, uniq, directed=directed)

    @classmethod
    def _from_codes(
        cls,
        rows: np.ndarray,
        cols: np.ndarray,
        w: np.ndarray | None,
        ids: np.ndarray,
        *,
        directed: bool,
    ) -> Graph:
        n = len(ids)
        if not directed:
            off = rows != cols
            rows, cols = np.concatenate([rows, cols[off]]), np.concatenate([cols, rows[off]])
            if w is not None:
                w = np.concatenate([w, w[off]])
        data = np.ones(len(rows), dtype=np.float32) if w is None else w.astype(np.float32)
        idx_dtype = np.int32 if n < 2**31 else np.int64
        mat = sp.csr_array((data, (rows.astype(idx_dtype), cols.astype(idx_dtype))), shape=(n, n))
        mat.sum_duplicates()
        if w is None:
            mat.data[:] = 1.0
        return cls(
            mat.indptr, mat.indices, mat.data, ids, directed=directed, weighted=w is not None
        )

    @classmethod
    def from_edgelist(
        cls,
        path: str | Path,
        *,
        directed: bool = False,
        weighted: bool | None = None,
        self_loops: str = "keep",
    ) -> Graph:
        """Read an edge-list file (see :func:`embedlab.io.read_edge_table` for the formats).

        ``weighted=None`` uses the third column when there is one; ``weighted=False`` ignores it.
        """
        from embedlab.io import read_edge_table

        table = read_edge_table(path, weights=weighted is not False)
        if weighted and table.weight is None:
            raise InvalidInputError(
                f"weighted=True but {str(path)!r} has no weight column (a third column)."
            )
        w = table.weight if weighted is not False else None
        return cls.from_edges(
            table.src, table.dst, w, directed=directed, weighted=weighted, self_loops=self_loops
        )

    @classmethod
    def from_networkx(cls, graph: Any, *, weight: str | None = "weight") -> Graph:
        """Build from a networkx graph; node order and ids are kept, direction follows the graph.

        The graph is weighted when ``weight`` is given and at least one edge carries it (missing
        values count as 1).
        """
        nodes = list(graph.nodes())
        if not nodes:
            raise InvalidInputError("The networkx graph has no nodes.")
        ids = np.empty(len(nodes), dtype=object)
        ids[:] = nodes
        if all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in nodes):
            ids = ids.astype(np.int64)
        elif all(isinstance(v, str) for v in nodes):
            pass
        index = {v: i for i, v in enumerate(nodes)}
        edges = list(graph.edges(data=True))
        rows = np.fromiter((index[u] for u, _, _ in edges), dtype=np.int64, count=len(edges))
        cols = np.fromiter((index[v] for _, v, _ in edges), dtype=np.int64, count=len(edges))
        has_w = weight is not None and any(weight in d for _, _, d in edges)
        w = None
        if has_w:
            w = np.fromiter((d.get(weight, 1.0) for _, _, d in edges), dtype=np.float64)
            if not np.isfinite(w).all() or (w <= 0).any():
                raise InvalidInputError("Edge weights must be finite and positive.")
        return cls._from_codes(rows, cols, w, ids, directed=bool(graph.is_directed()))

    @classmethod
    def from_scipy(
        cls,
        matrix: Any,
        *,
        node_ids: Any = None,
        directed: bool = False,
        weighted: bool | None = None,
    ) -> Graph:
        """Build from a square scipy.sparse matrix (or array).

        With ``directed=False`` the matrix must be symmetric, or triangular (then it is mirrored).
        ``weighted=None`` means weighted unless every stored value is 1.
        """
        if not sp.issparse(matrix):
            raise InvalidInputError(f"Expected a scipy.sparse matrix; got {type(matrix).__name__}.")
        a = sp.csr_array(matrix, dtype=np.float64)
        if a.shape[0] != a.shape[1]:
            raise InvalidInputError(f"The adjacency matrix must be square; got shape {a.shape}.")
        if a.shape[0] == 0:
            raise InvalidInputError("The graph is empty: the matrix has no rows.")
        a.eliminate_zeros()
        a.sum_duplicates()
        if not np.isfinite(a.data).all() or (a.data < 0).any():
            raise InvalidInputError("Adjacency values must be finite and non-negative.")
        n = a.shape[0]
        ids = (
            np.arange(n, dtype=np.int64) if node_ids is None else _as_id_array(node_ids, "node_ids")
        )
        if len(ids) != n:
            raise InvalidInputError(f"'node_ids' has {len(ids)} entries for {n} rows.")
        if len(np.unique(ids)) != n:
            raise InvalidInputError("'node_ids' must be unique.")
        coo = a.tocoo()
        rows, cols, w = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
        if not directed:
            diff = abs(a - a.T)
            if diff.nnz and diff.max() > 0:
                if sp.tril(a, k=-1).nnz == 0 or sp.triu(a, k=1).nnz == 0:
                    pass  # triangular: _from_codes mirrors it
                else:
                    raise InvalidInputError(
                        "directed=False but the matrix is neither symmetric nor triangular; "
                        "pass directed=True or symmetrise it first."
                    )
            else:
                keep = rows <= cols  # symmetric: one triangle, mirrored back by _from_codes
                rows, cols, w = rows[keep], cols[keep], w[keep]
        if weighted is None:
            weighted = bool((w != 1).any())
        return cls._from_codes(rows, cols, w if weighted else None, ids, directed=directed)

    @classmethod
    def from_any(cls, obj: Any, *, directed: bool = False, weighted: bool | None = None) -> Graph:
        """Return a Graph from a Graph, an edge-list path, a scipy.sparse or a networkx graph."""
        if isinstance(obj, Graph):
            return obj
        if isinstance(obj, str | Path):
            return cls.from_edgelist(obj, directed=directed, weighted=weighted)
        if sp.issparse(obj):
            return cls.from_scipy(obj, directed=directed, weighted=weighted)
        if hasattr(obj, "is_directed") and hasattr(obj, "edges"):
            return cls.from_networkx(obj)
        raise InvalidInputError(
            f"Cannot build a Graph from {type(obj).__name__}; give a Graph, an edge-list path, "
            "a scipy.sparse matrix or a networkx graph."
        )
