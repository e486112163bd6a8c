r"""FastRP: Fast Random Projection node embeddings.

Chen, Sultan, Tian, Chen & Skiena, "Fast and Accurate Network Embeddings via Very Sparse Random
Projection", CIKM 2019 (reference code: GTmac/FastRP).

The method
----------
Let :math:`S` be the (weighted) adjacency matrix, :math:`D` the diagonal of out-degrees and
:math:`A = D^{-1} S` the random-walk transition matrix. Draw a very sparse random projection
:math:`R \in \mathbb{R}^{n \times d}` (Li, Hastie & Church, "Very Sparse Random Projections",
KDD 2006) with i.i.d. entries

.. math::
    R_{ij} = \sqrt{\frac{s}{d}} \cdot
    \begin{cases} +1 & \text{with probability } \frac{1}{2s} \\
                   0 & \text{with probability } 1 - \frac{1}{s} \\
                  -1 & \text{with probability } \frac{1}{2s} \end{cases}
    \qquad s = \sqrt{n} \; (\text{density } 1/\sqrt{n}),

which is exactly ``sklearn.random_projection.SparseRandomProjection``'s distribution, the one the
authors' code uses. Degree normalisation of strength :math:`\beta` (``normalization_strength``)
reweights the projection, :math:`H_0 = D^{\beta} R`, and the embedding is

.. math::
    H_i = A\,H_{i-1} \quad (i = 1..k), \qquad
    N = \alpha_0 \,\mathrm{rownorm}(H_0) + \sum_{i=1}^{k} \alpha_i\, \mathrm{rownorm}(H_i),

where :math:`\mathrm{rownorm}` divides each row by its L2 norm (a zero row stays zero),
:math:`\alpha_{1..k}` are ``iteration_weights`` and :math:`\alpha_0` is ``node_self_influence``
(Neo4j GDS's name; the paper has :math:`\alpha_0 = 0`, but a positive value gives isolated nodes a
non-zero vector). With ``standardize=True`` the columns of :math:`N` are finally standardised to
zero mean and unit variance, as ``sklearn.preprocessing.scale`` in the authors' code.

Extensions users of Neo4j GDS rely on
-------------------------------------
* **Edge weights**: :math:`S` and :math:`D` are weighted.
* **Node features**: with ``property_ratio = r > 0`` and ``fit(graph, features=F)``, the last
  :math:`d_p = \mathrm{round}(r d)` columns of :math:`H_0` are :math:`F P` (before the degree
  reweighting), with :math:`P \in \mathbb{R}^{f \times d_p}` very sparse of density
  :math:`1/\sqrt{f}`; the first :math:`d - d_p` columns are random as above.
* **Per-node seeds**: row :math:`i` of :math:`R` is generated from a counter-based hash (SplitMix64)
  of ``(seed, node id)``, so a node's vector does not depend on the thread count or on the order in
  which nodes are listed: permuting the node ids permutes the rows of the result.
* **Out-of-sample nodes**: :meth:`FastRP.transform` embeds new nodes that attach to the fitted graph
  by the same recurrence, :math:`h_i(v) = \frac{1}{\deg v} \sum_{u} w_{vu} H_{i-1}[u]`, with the
  fitted nodes' :math:`H_{i-1}` (new nodes do not change the fitted ones), their own hashed
  :math:`h_0(v)`, and the fitted column means and scales.

Cost
----
Time :math:`O(k \cdot \mathrm{nnz}(S) \cdot d)` multiply-adds, multi-threaded over rows (numba); the
first step multiplies by the very sparse :math:`R` as a sparse product (the authors' code does the
same), which costs :math:`O(\mathrm{nnz}(S) \cdot d / \sqrt{n})`.
Memory: three float32 :math:`n \times d` buffers (:math:`12 n d` bytes) on top of the graph
(about 8 bytes per stored adjacency entry) — for a 1M-node, 10M-edge graph at :math:`d = 128`,
about 1.5 GiB + 0.17 GiB. :meth:`FastRP.transform` recomputes the propagation (same cost) instead
of keeping the :math:`k` intermediate matrices.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from embedlab.base import BaseEmbedder, check_is_fitted
from embedlab.exceptions import InvalidInputError
from embedlab.graph import _kernels as K
from embedlab.io._graph import Graph, _as_id_array, _factorize
from embedlab.registry import DISTRIBUTED
from embedlab.utils._numba import n_threads
from embedlab.utils.progress import progress
from embedlab.utils.validation import Interval, Options, Predicate, check_array, resolve_seed

__all__ = ["FastRP", "node_hash_keys", "very_sparse_projection"]

logger = logging.getLogger(__name__)

_FEATURE_SALT = np.uint64(0xF3A7_0C1D_5EED_0001)


def node_hash_keys(node_ids: np.ndarray) -> np.ndarray:
    """Return a stable 64-bit key per node id.

    The key is the value for integers, BLAKE2b of the text otherwise.

    >>> node_hash_keys(np.array([0, 5])).tolist()
    [0, 5]
    """
    if node_ids.dtype != object:
        return node_ids.astype(np.int64).view(np.uint64)
    out = np.empty(len(node_ids), dtype=np.uint64)
    for i, v in enumerate(node_ids.tolist()):
        if isinstance(v, int | np.integer) and not isinstance(v, bool):
            out[i] = np.uint64(int(v) & 0xFFFFFFFFFFFFFFFF)
        else:
            text = v if isinstance(v, str) else repr(v)
            digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
            out[i] = np.frombuffer(digest, dtype=np.uint64)[0]
    return out


def very_sparse_projection(
    keys: np.ndarray,
    n_components: int,
    density: float,
    seed: int,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Rows of a very sparse random projection (Li et al. 2006), one per key, float32.

    Row ``i`` depends only on ``(seed, keys[i])``. Entries are ``±sqrt(1 / (density *
    n_components))`` with probability ``density / 2`` each, else 0. ``out`` (float32
    ``[len(keys), n_components]``, C-contiguous) is filled in place when given.

    >>> r = very_sparse_projection(np.arange(4, dtype=np.uint64), 1000, 0.5, seed=0)
    >>> r.shape, sorted(set(np.round(r.ravel() ** 2 * 500, 6).tolist()))
    ((4, 1000), [0.0, 1.0])
    """
    streams = K.hash_keys(np.ascontiguousarray(keys, dtype=np.uint64), np.uint64(seed))
    threshold = np.uint64(min(int(density * 2.0**53), 2**53))
    value = np.float32(math.sqrt(1.0 / (density * n_components)))
    if out is None:
        out = np.empty((len(keys), n_components), dtype=np.float32)
    if len(keys):
        K.sparse_sign_rows(streams, threshold, value, out)
    return out


def _is_weight_list(value: Any) -> bool:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        return False
    arr = np.asarray(value, dtype=np.float64)
    return arr.ndim == 1 and arr.size >= 1 and bool(np.isfinite(arr).all())


class FastRP(BaseEmbedder):
    r"""Fast Random Projection node embeddings (Chen et al., CIKM 2019).

    See the module docstring for the equations, references and cost.

    Parameters
    ----------
    n_components : int, default=128
        Embedding dimension ``d``.
    iteration_weights : sequence of float, default=(0.0, 0.0, 1.0, 6.67)
        Weights :math:`\alpha_1..\alpha_k` of the normalised powers :math:`A^i H_0`; its length is
        the number of iterations ``k``. The default is the paper's BlogCatalog setting.
    normalization_strength : float, default=-0.64
        :math:`\beta` in :math:`H_0 = D^{\beta} R`; 0 disables degree normalisation. Nodes of
        degree 0 keep :math:`D^{\beta}_{ii} = 1`.
    node_self_influence : float, default=0.0
        Weight :math:`\alpha_0` of the node's own normalised initial vector.
    density : float or "auto", default="auto"
        Fraction of non-zero entries of :math:`R`; ``"auto"`` is :math:`1/\sqrt{n}` (the
        paper's choice).
    property_ratio : float in [0, 1], default=0.0
        Share of the dimensions that come from node features (needs ``features`` in ``fit``).
    standardize : bool, default=True
        Standardise the columns of the result (the authors' code does).
    input_matrix : {"transition", "adjacency"}, default="transition"
        Propagate with :math:`A = D^{-1} S` (the paper's node-classification setting) or with
        :math:`S` itself (the authors' ``input_matrix='adj'``, their link-prediction setting).
    normalize_iterations : bool, default=True
        L2-normalise the rows of every :math:`H_i` before weighting (the authors' ``normalization``
        switch; the paper's node-classification setting). Without it :math:`N = \sum_i \alpha_i
        H_i`, whose dot products count (degree-weighted) shared neighbourhoods.
    random_state : int, numpy Generator or None, default=None
        Seed of the projection; ``None`` draws one, logs it and stores it in ``seed_``.
    n_jobs : int or None, default=None
        Threads (``None`` or -1: all cores; per worker with ``backend="dask"``). Results do not
        depend on it.
    backend : {"local", "dask"}, default="local"
        ``"dask"`` runs the propagation on a Dask cluster (:mod:`embedlab.distributed.fastrp`:
        row blocks on the workers, halo exchange) with the client passed to :meth:`fit` or the
        current one; the result is the same as ``"local"``.
    partitions : int or None, default=None
        Row blocks of the Dask backend (``None``: twice the number of workers).

    Attributes
    ----------
    embeddings_ : ndarray of shape (n_nodes, n_components), float32
    ids_ : ndarray of shape (n_nodes,)
        Node ids aligned with the rows of ``embeddings_``.
    seed_ : int
        The seed actually used.
    density_ : float
        The projection density actually used.
    mean_, scale_ : ndarray of shape (n_components,)
        Column statistics used by ``standardize`` (zeros and ones when it is off).
    graph_ : Graph
        The fitted graph (``transform`` needs it).

    Examples
    --------
    >>> from embedlab import FastRP, Graph
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0])
    >>> model = FastRP(n_components=16, iteration_weights=[1.0, 1.0], random_state=0).fit(g)
    >>> model.embeddings_.shape, model.embeddings_.dtype
    ((4, 16), dtype('float32'))
    """

    name = "fastrp"

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_components": [Interval(int, 1, None)],
        "iteration_weights": [Predicate(_is_weight_list, "a non-empty list of finite floats")],
        "normalization_strength": [Interval(float, None, None)],
        "node_self_influence": [Interval(float, None, None)],
        "density": [Options(str, {"auto"}), Interval(float, 0, 1, closed="right")],
        "property_ratio": [Interval(float, 0, 1)],
        "standardize": [bool],
        "input_matrix": [Options(str, {"transition", "adjacency"})],
        "normalize_iterations": [bool],
        "random_state": [Interval(int, 0, None), np.random.Generator, None],
        "n_jobs": [Interval(int, -1, -1), Interval(int, 1, None), None],
        "backend": [Options(str, {"local", "dask"})],
        "partitions": [Interval(int, 1, None), None],
    }

    def __init__(
        self,
        *,
        n_components: int = 128,
        iteration_weights: Sequence[float] = (0.0, 0.0, 1.0, 6.67),
        normalization_strength: float = -0.64,
        node_self_influence: float = 0.0,
        density: float | str = "auto",
        property_ratio: float = 0.0,
        standardize: bool = True,
        input_matrix: str = "transition",
        normalize_iterations: bool = True,
        random_state: int | np.random.Generator | None = None,
        n_jobs: int | None = None,
        backend: str = "local",
        partitions: int | None = None,
    ) -> None:
        self.n_components = n_components
        self.iteration_weights = iteration_weights
        self.normalization_strength = normalization_strength
        self.node_self_influence = node_self_influence
        self.density = density
        self.property_ratio = property_ratio
        self.standardize = standardize
        self.input_matrix = input_matrix
        self.normalize_iterations = normalize_iterations
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.backend = backend
        self.partitions = partitions

    # ----------------------------------------------------------------------------- helpers
    def _feature_dims(self, features: Any, n: int) -> tuple[int, np.ndarray | None]:
        if features is None:
            if self.property_ratio > 0:
                raise InvalidInputError(
                    f"property_ratio={self.property_ratio} needs node features: pass "
                    "fit(graph, features=...) or set property_ratio=0."
                )
            return 0, None
        feats = check_array(features, name="features", dtype=np.float32)
        if feats.shape[0] != n:
            raise InvalidInputError(
                f"'features' has {feats.shape[0]} rows but the graph has {n} nodes; give one row "
                "per node, in the order of graph.node_ids."
            )
        d_p = round(self.property_ratio * self.n_components)
        if d_p == 0:
            raise InvalidInputError(
                f"features were given but property_ratio={self.property_ratio} leaves them no "
                f"dimension out of n_components={self.n_components}; raise property_ratio."
            )
        return d_p, feats

    def _initial(
        self, keys: np.ndarray, degrees: np.ndarray, feats: np.ndarray | None, d_p: int
    ) -> np.ndarray:
        """:math:`H_0` rows for nodes with hash ``keys``, out-degrees and features."""
        d = self.n_components
        h0 = np.empty((len(keys), d), dtype=np.float32)
        if d_p == 0:
            very_sparse_projection(keys, d, self.density_, self.seed_, out=h0)
        else:
            h0[:, : d - d_p] = very_sparse_projection(keys, d - d_p, self.density_, self.seed_)
            f = feats.shape[1]  # type: ignore[union-attr]
            fkeys = np.arange(f, dtype=np.uint64)
            proj = very_sparse_projection(
                fkeys, d_p, 1.0 / math.sqrt(f), int(np.uint64(self.seed_) ^ _FEATURE_SALT)
            )
            h0[:, d - d_p :] = feats @ proj
        beta = float(self.normalization_strength)
        if beta != 0.0:
            scale = np.ones(len(keys), dtype=np.float64)
            pos = degrees > 0
            scale[pos] = degrees[pos] ** beta
            K.scale_rows(h0, scale.astype(np.float32))
        return h0

    def _start(
        self, graph: Graph, feats: np.ndarray | None, d_p: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(inv_deg, H_0)`` of the fitted graph."""
        deg = graph.degrees(weighted=True)
        return self._row_scale(deg), self._initial(node_hash_keys(graph.node_ids), deg, feats, d_p)

    def _row_scale(self, deg: np.ndarray) -> np.ndarray:
        """Row factors of the propagation matrix: :math:`D^{-1}` or 1 (adjacency)."""
        if self.input_matrix == "adjacency":
            return np.ones(len(deg), dtype=np.float32)
        return _inverse(deg)

    def _combine(self, graph: Graph, feats: np.ndarray | None, d_p: int) -> np.ndarray:
        """:math:`N` for the graph's nodes (before column standardisation)."""
        weights = [float(w) for w in self.iteration_weights]
        inv_deg, x = self._start(graph, feats, d_p)
        acc = np.zeros_like(x)
        if self.node_self_influence:
            K.accumulate_normalized(
                x, acc, float(self.node_self_influence), self.normalize_iterations
            )
        out = np.empty_like(x)
        first = _first_step_operand(x)
        work = len(weights) * max(int(graph.indices.shape[0]), graph.n_nodes) * x.shape[1]
        with progress(
            "FastRP iterations", len(weights), min_total=1 if work >= 5e9 else 1e18
        ) as bar:
            for i, w in enumerate(weights):
                _step(
                    graph,
                    inv_deg,
                    x,
                    out,
                    acc,
                    w,
                    self.normalize_iterations,
                    first if i == 0 else None,
                )
                x, out = out, x
                bar.advance(1)
        return acc

    def _combine_new(
        self,
        graph: Graph,
        b: sp.csr_array,
        new_keys: np.ndarray,
        new_feats: np.ndarray | None,
    ) -> np.ndarray:
        """:math:`N` for new nodes whose edges into the fitted graph are the rows of ``b``.

        The fitted propagation is replayed (it is deterministic), and at every step the new
        nodes average the fitted nodes' previous :math:`H_{i-1}`.
        """
        weights = [float(w) for w in self.iteration_weights]
        d_p = self.n_feature_dims_
        inv_deg, x = self._start(graph, self.features_, d_p)
        out = np.empty_like(x)
        no_acc = np.zeros((1, 1), dtype=np.float32)
        new_deg = np.asarray(b.sum(axis=1)).ravel()
        inv_new = self._row_scale(new_deg)
        new_acc = np.zeros((b.shape[0], self.n_components), dtype=np.float32)
        if self.node_self_influence:
            h_new = self._initial(new_keys, new_deg, new_feats, d_p)
            K.accumulate_normalized(
                h_new, new_acc, float(self.node_self_influence), self.normalize_iterations
            )
        new_out = np.empty_like(new_acc)
        b_indptr, b_indices = b.indptr.astype(np.int64), b.indices.astype(np.int32)
        b_data = b.data.astype(np.float32)
        for i, w in enumerate(weights):
            K.propagate(
                b_indptr,
                b_indices,
                b_data,
                True,
                inv_new,
                x,
                new_out,
                new_acc,
                w,
                self.normalize_iterations,
            )
            if i + 1 < len(weights):
                _step(graph, inv_deg, x, out, no_acc, 0.0, True)
                x, out = out, x
        return new_acc

    # ----------------------------------------------------------------------------- API
    def fit(self, X: Any, y: Any = None, *, features: Any = None, client: Any = None) -> FastRP:
        """Embed the nodes of ``X``.

        ``X`` is a :class:`Graph`, a scipy.sparse matrix, a networkx graph or an edge-list path.

        ``features`` (optional, with ``property_ratio > 0``): array ``[n_nodes, f]`` aligned with
        ``Graph.node_ids``. ``client``: the Dask client of ``backend="dask"`` (default: the current
        one).
        """
        self._validate_params()
        graph = Graph.from_any(X)
        self.seed_ = resolve_seed(self.random_state, "FastRP")
        n = graph.n_nodes
        self.density_ = 1.0 / math.sqrt(n) if self.density == "auto" else float(self.density)
        d_p, feats = self._feature_dims(features, n)
        if self.backend == "dask":
            backend = DISTRIBUTED.get(self.name)
            emb, self.mean_, self.scale_, self.dask_run_ = backend.fit(
                self, graph, features=feats, d_p=d_p, client=client, partitions=self.partitions
            )
        elif client is not None:
            raise InvalidInputError("'client' is for backend='dask'; this FastRP is local.")
        else:
            emb = self._fit_local(graph, feats, d_p)
        self.embeddings_ = emb
        self.ids_ = graph.node_ids
        self.graph_ = graph
        self.features_: np.ndarray | None = feats
        self.n_feature_dims_ = d_p
        return self

    def _fit_local(self, graph: Graph, feats: np.ndarray | None, d_p: int) -> np.ndarray:
        with n_threads(self.n_jobs):
            emb = self._combine(graph, feats, d_p)
            if self.standardize:
                self.mean_, self.scale_ = K.column_standardize(emb)
            else:
                self.mean_ = np.zeros(self.n_components)
                self.scale_ = np.ones(self.n_components)
        return emb

    def transform(
        self,
        edges: Any,
        *,
        nodes: Any = None,
        features: Any = None,
    ) -> np.ndarray:
        """Embed new nodes from their edges into the fitted graph.

        Parameters
        ----------
        edges : array-like of shape (m, 2) or (m, 3)
            Rows ``(new_node, fitted_node[, weight])``. Weights are used when the fitted graph is
            weighted (missing weights count as 1). A new node never links to another new node.
        nodes : array-like, optional
            Order of the returned rows (every new node must appear); default: sorted new ids.
        features : array-like of shape (n_new, f), optional
            The new nodes' features in the order of ``nodes`` (required if fitted with features).

        Returns
        -------
        ndarray of shape (n_new, n_components), float32
        """
        check_is_fitted(self)
        graph = self.graph_
        rows = list(edges) if not isinstance(edges, np.ndarray) else edges
        if len(rows) == 0:
            raise InvalidInputError("'edges' is empty: give (new_node, fitted_node) pairs.")
        arr = np.empty((len(rows), len(rows[0])), dtype=object)
        arr[:] = [tuple(r) for r in rows] if not isinstance(rows, np.ndarray) else rows
        if arr.shape[1] not in (2, 3):
            raise InvalidInputError(
                f"'edges' rows must be (new_node, fitted_node[, weight]); got {arr.shape[1]} "
                "columns."
            )
        new_ids = _as_id_array(arr[:, 0].tolist(), "edges[:, 0]")
        if graph.node_ids.dtype != object and new_ids.dtype == object:
            raise InvalidInputError("New node ids must be integers like the fitted graph's ids.")
        targets = graph.positions(_as_id_array(arr[:, 1].tolist(), "edges[:, 1]"))
        uniq, codes = _factorize(new_ids)
        if nodes is not None:
            order = _as_id_array(nodes, "nodes")
            if len(order) != len(uniq) or len(np.unique(order)) != len(order):
                raise InvalidInputError(
                    f"'nodes' must list each of the {len(uniq)} new nodes exactly once."
                )
            codes = _positions_in(order, new_ids)
            uniq = order
        already = _is_in(graph.node_ids, uniq)
        if already.any():
            raise InvalidInputError(
                f"{int(already.sum())} of the new nodes are already in the fitted graph, e.g. "
                f"{uniq[already].tolist()[0]!r}; transform embeds nodes that were not fitted."
            )
        w = np.ones(len(arr), dtype=np.float64)
        if arr.shape[1] == 3 and graph.weighted:
            w = np.asarray(arr[:, 2], dtype=np.float64)
            if not np.isfinite(w).all() or (w <= 0).any():
                raise InvalidInputError("Edge weights must be finite and positive.")
        b = sp.csr_array((w, (codes, targets)), shape=(len(uniq), graph.n_nodes))
        b.sum_duplicates()
        if not graph.weighted:
            b.data[:] = 1.0
        new_feats = None
        if self.features_ is not None:
            if features is None:
                raise InvalidInputError("This FastRP was fitted with features; pass features=.")
            new_feats = check_array(features, name="features", dtype=np.float32)
            f = self.features_.shape[1]
            if new_feats.shape != (len(uniq), f):
                raise InvalidInputError(
                    f"'features' must have shape ({len(uniq)}, {f}); got {new_feats.shape}."
                )
        with n_threads(self.n_jobs):
            emb = self._combine_new(graph, b, node_hash_keys(uniq), new_feats)
        emb = ((emb - self.mean_) / self.scale_).astype(np.float32)
        return np.ascontiguousarray(emb)


def _inverse(deg: np.ndarray) -> np.ndarray:
    """``1 / deg`` as float32, 0 where the degree is 0 (rows of :math:`D^{-1}`)."""
    inv = np.zeros(len(deg), dtype=np.float32)
    inv[deg > 0] = (1.0 / deg[deg > 0]).astype(np.float32)
    return inv


def _first_step_operand(
    h0: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Return the CSR rows of :math:`H_0` when at most a quarter of it is non-zero, else ``None``.

    Then the first step is a sparse product; nothing of size ``nnz`` is allocated in the dense
    case.
    """
    indptr = K.row_nonzeros(h0)
    if indptr[-1] > 0.25 * h0.size:
        return None
    cols, vals = K.sparse_rows(h0, indptr)
    return indptr, cols, vals


def _step(
    graph: Graph,
    inv_deg: np.ndarray,
    x: np.ndarray,
    out: np.ndarray,
    acc: np.ndarray,
    coef: float,
    normalize: bool,
    sparse_x: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> None:
    """Run one propagation :math:`H_i = A H_{i-1}` over ``graph`` (:func:`_kernels.propagate`).

    ``sparse_x`` is ``x``'s CSR rows when ``x`` is sparse (the projection).
    """
    csr = (graph.indptr, graph.indices, graph.weights, graph.weighted, inv_deg)
    if sparse_x is None:
        K.propagate(*csr, x, out, acc, coef, normalize)
    else:
        K.propagate_sparse(*csr, *sparse_x, out, acc, coef, normalize)


def _is_in(keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    if keys.dtype != object and query.dtype != object:
        return np.isin(query, keys)
    s = set(keys.tolist())
    return np.fromiter((q in s for q in query.tolist()), dtype=bool, count=len(query))


def _positions_in(order: np.ndarray, values: np.ndarray) -> np.ndarray:
    from embedlab.utils.ids import positions

    return positions(order, values, what="new node ids (missing from 'nodes')")
