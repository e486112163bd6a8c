"""GraphHash (Wu et al., "GraphHash: Graph Clustering Enables Parameter Efficiency in
Recommender Systems", WWW 2025; reference code snap-research/GraphHash).

The user-item training interactions form a bipartite graph ``B`` (users x items). Louvain
modularity maximisation (Blondel et al., 2008) on ``B`` with Barber's bipartite modularity,

    Q = 1/w * sum_ij (B_ij - gamma * d_i d_j / w) [c(i) = c(j)],

groups users and items that interact densely; ``gamma`` (``resolution``) sets the granularity:
the larger it is, the more and smaller the clusters, so it sets the memory budget. Every cluster
becomes one embedding row, on the user side and on the item side separately: ``e(x) = E[c(x)]``.
IDs absent from the graph (cold start) are hashed onto the cluster rows with a universal hash.
DoubleGraphHash adds a universal-hash row: ``e(x) = E[c(x)] + E[h(x)]``, so members of one cluster
keep distinct vectors.

The clustering is scikit-network's Louvain (``force_bipartite=True``); this module only maps its
labels to rows. Cost: Louvain is near-linear in the interactions (a few seconds for Gowalla's
810K); memory is ``clusters * d * 4`` bytes of parameters plus the ID -> cluster map (16 bytes
per ID: the sorted IDs and their rows, both int64).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp

from embedlab.exceptions import InvalidInputError, MissingExtraError
from embedlab.tables._hash import UniversalHash
from embedlab.tables.base import PARAM_BYTES, EmbeddingTable, as_ids, budget_bytes
from embedlab.utils.ids import sorted_lookup
from embedlab.utils.validation import resolve_seed

__all__ = [
    "BipartitePartition",
    "DoubleGraphHashTable",
    "GraphHashTable",
    "bipartite_louvain",
    "bipartite_modularity",
    "resolution_for_rows",
]


def _louvain() -> Any:
    try:
        from sknetwork.clustering import Louvain
    except ImportError:
        raise MissingExtraError(
            "GraphHash clusters with scikit-network's Louvain: pip install 'embedlab[tables]'."
        ) from None
    return Louvain


def _check_biadjacency(biadjacency: Any) -> sp.csr_matrix:
    if not sp.issparse(biadjacency) and not isinstance(biadjacency, np.ndarray):
        raise InvalidInputError(
            "biadjacency must be a scipy sparse matrix or a 2-d array (users x items)."
        )
    b = sp.csr_matrix(biadjacency, dtype=np.float64)
    if b.ndim != 2 or b.nnz == 0:
        raise InvalidInputError("biadjacency must be a non-empty users x items matrix.")
    if b.data.min() < 0:
        raise InvalidInputError("biadjacency must have non-negative weights.")
    return b


def _consecutive(labels: np.ndarray) -> np.ndarray:
    """Relabel to ``0 .. k-1`` in order of first appearance of each distinct label."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.reshape(-1)]


class BipartitePartition:
    """A clustering of a bipartite graph: ``user_labels_`` and ``item_labels_`` in one label space
    (a user and an item with the same label are in the same cluster), the ``resolution`` and the
    library's value of Barber's modularity."""

    def __init__(
        self,
        user_labels: np.ndarray,
        item_labels: np.ndarray,
        resolution: float,
        modularity: float,
    ) -> None:
        self.user_labels_ = np.asarray(user_labels, dtype=np.int64)
        self.item_labels_ = np.asarray(item_labels, dtype=np.int64)
        self.resolution = float(resolution)
        self.modularity = float(modularity)

    @property
    def n_user_clusters(self) -> int:
        return len(np.unique(self.user_labels_))

    @property
    def n_item_clusters(self) -> int:
        return len(np.unique(self.item_labels_))

    @property
    def rows(self) -> int:
        """Embedding rows GraphHash needs: user clusters + item clusters."""
        return self.n_user_clusters + self.n_item_clusters

    def __repr__(self) -> str:
        return (
            f"BipartitePartition(resolution={self.resolution:g}, {self.n_user_clusters:,} user "
            f"+ {self.n_item_clusters:,} item clusters, modularity={self.modularity:.4f})"
        )


def bipartite_modularity(
    biadjacency: Any, user_labels: Any, item_labels: Any, resolution: float = 1.0
) -> float:
    """Barber's bipartite modularity ``1/w sum_ij (B_ij - gamma d_i d_j / w)[c_i = c_j]``,
    computed directly (the reference the library's value is tested against)."""
    b = _check_biadjacency(biadjacency)
    cu, ci = np.asarray(user_labels), np.asarray(item_labels)
    w = b.sum()
    coo = b.tocoo()
    inside = float(b.data[cu[coo.row] == ci[coo.col]].sum()) / w
    du = np.asarray(b.sum(axis=1)).ravel()
    di = np.asarray(b.sum(axis=0)).ravel()
    k = int(max(cu.max(), ci.max())) + 1
    su = np.bincount(cu, weights=du, minlength=k)
    si = np.bincount(ci, weights=di, minlength=k)
    return inside - resolution * float(su @ si) / (w * w)


def bipartite_louvain(
    biadjacency: Any,
    *,
    resolution: float = 200.0,
) -> BipartitePartition:
    """Louvain clustering of a users x items graph with Barber's modularity (scikit-network).

    Nodes are visited in index order, as in the GraphHash reference code, so the partition is
    deterministic; the modularity stored is scikit-network's ``get_modularity`` on the directed
    user -> item graph, which is Barber's (:func:`bipartite_modularity` computes it directly).

    >>> b = sp.csr_matrix(np.kron(np.eye(2), np.ones((3, 3))))  # two disjoint bicliques
    >>> p = bipartite_louvain(b, resolution=1.0)
    >>> p.user_labels_.tolist(), p.item_labels_.tolist()
    ([0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 1])
    """
    b = _check_biadjacency(biadjacency)
    if not (isinstance(resolution, int | float) and resolution > 0 and math.isfinite(resolution)):
        raise InvalidInputError(f"resolution must be a positive number, got {resolution!r}.")
    model = _louvain()(resolution=float(resolution), return_probs=False, return_aggregate=False)
    model.fit(b, force_bipartite=True)
    from sknetwork.clustering import get_modularity
    from sknetwork.utils.format import bipartite2directed

    labels = np.hstack([model.labels_row_, model.labels_col_])
    q = float(get_modularity(bipartite2directed(b), labels, resolution=float(resolution)))
    return BipartitePartition(model.labels_row_, model.labels_col_, resolution, q)


def resolution_for_rows(
    biadjacency: Any,
    target_rows: int,
    *,
    tolerance: float = 0.01,
    max_iter: int = 40,
) -> BipartitePartition:
    """The partition whose row count (user + item clusters) is within ``tolerance`` of
    ``target_rows`` (or one row, if that is more) and does not exceed it, found by bisection
    on ``log(resolution)``.

    Louvain's cluster count grows with the resolution but not strictly monotonically, so the
    search keeps the best partition under the target and raises if none is within tolerance.
    """
    b = _check_biadjacency(biadjacency)
    if target_rows < 2 or target_rows > sum(b.shape):
        raise InvalidInputError(
            f"target_rows must be in [2, {sum(b.shape)}] (users + items), got {target_rows}."
        )
    lo, hi = math.log(1e-3), math.log(1e6)
    best: BipartitePartition | None = None
    for _ in range(max_iter):
        mid = 0.5 * (lo + hi)
        p = bipartite_louvain(b, resolution=math.exp(mid))
        if p.rows <= target_rows:
            if best is None or p.rows > best.rows:
                best = p
            if p.rows >= target_rows - max(tolerance * target_rows, 1.0):
                return p
            lo = mid
        else:
            hi = mid
    raise InvalidInputError(
        f"No Louvain resolution gave {target_rows:,} rows within {tolerance:.0%} "
        f"(closest below: {best.rows if best else 'none'})."
    )


class GraphHashTable(EmbeddingTable):
    """One row per cluster: ``ids[i]`` reads row ``labels[i]``; unknown IDs are hashed onto the
    cluster rows. Build the two sides with :meth:`from_partition`.

    >>> t = GraphHashTable(ids=[10, 11, 12], labels=[0, 0, 1], embedding_dim=4, random_state=0)
    >>> t.num_rows, t.rows([10, 11, 12]).ravel().tolist()
    (2, [0, 0, 1])
    """

    method = "graphhash"
    _double = False  # DoubleGraphHash adds a second, universal-hash row

    def __init__(
        self,
        *,
        ids: Any,
        labels: Any,
        embedding_dim: int,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(embedding_dim)
        x = as_ids(ids, "ids")
        lab = as_ids(labels, "labels")
        if len(x) != len(lab) or len(x) == 0:
            raise InvalidInputError(
                f"ids and labels must be non-empty and of one length ({len(x)} vs {len(lab)})."
            )
        if len(np.unique(x)) != len(x):
            raise InvalidInputError("ids must be distinct (one cluster label per ID).")
        lab = _consecutive(lab)
        order = np.argsort(x, kind="stable")
        self._sorted_ids, self._sorted_rows = x[order], lab[order]
        self._k = int(lab.max()) + 1
        self.seed_ = resolve_seed(random_state, type(self).__name__)
        rng = np.random.default_rng(self.seed_)
        self.hash_ = UniversalHash(self._k, rng)
        if self._double:
            self.second_hash_ = UniversalHash(self._k, np.random.default_rng(self.seed_ + 1))
        self.weight = self._new_weight(self._k, self.embedding_dim, self.seed_)

    @classmethod
    def from_partition(
        cls,
        partition: BipartitePartition,
        *,
        embedding_dim: int,
        user_ids: Any = None,
        item_ids: Any = None,
        random_state: int | np.random.Generator | None = None,
    ) -> tuple[GraphHashTable, GraphHashTable]:
        """(user table, item table) from a partition; IDs default to ``0 .. n-1``."""
        seed = resolve_seed(random_state, cls.__name__)
        nu, ni = len(partition.user_labels_), len(partition.item_labels_)
        u = np.arange(nu) if user_ids is None else user_ids
        i = np.arange(ni) if item_ids is None else item_ids
        return (
            cls(
                ids=u, labels=partition.user_labels_, embedding_dim=embedding_dim, random_state=seed
            ),
            cls(
                ids=i,
                labels=partition.item_labels_,
                embedding_dim=embedding_dim,
                random_state=seed + 1,
            ),
        )

    @classmethod
    def from_budget(
        cls,
        biadjacency: Any,
        *,
        embedding_dim: int,
        budget: float | int,
        random_state: int | np.random.Generator | None = None,
    ) -> tuple[GraphHashTable, GraphHashTable]:
        """(user table, item table) whose memory together fits ``budget`` (a fraction of the
        full tables over all users and items, or bytes), within 1 %: the Louvain resolution is
        searched (:func:`resolution_for_rows`) for the rows left after the ID -> cluster maps."""
        b = _check_biadjacency(biadjacency)
        n = int(sum(b.shape))
        total = budget_bytes(budget, n, embedding_dim)
        rows = (total - 16 * n) // (embedding_dim * PARAM_BYTES)
        if rows < 2:
            raise InvalidInputError(
                f"A budget of {total:,} bytes leaves no room for GraphHash's rows beside its "
                f"ID -> cluster maps ({16 * n:,} bytes)."
            )
        partition = resolution_for_rows(b, int(min(rows, n)))
        return cls.from_partition(partition, embedding_dim=embedding_dim, random_state=random_state)

    @property
    def num_rows(self) -> int:
        return self._k

    def _cluster_rows(self, x: np.ndarray) -> np.ndarray:
        pos, hit = sorted_lookup(self._sorted_ids, x)
        return np.where(hit, self._sorted_rows[pos], self.hash_(x))

    def rows(self, ids: Any) -> np.ndarray:
        return self._cluster_rows(as_ids(ids)).reshape(-1, 1)

    def lookup_bytes(self) -> int:
        return int(self._sorted_ids.nbytes + self._sorted_rows.nbytes)


class DoubleGraphHashTable(GraphHashTable):
    """DoubleGraphHash: the cluster row plus a universal-hash row of the same table, summed."""

    method = "double-graphhash"
    _double = True

    def rows(self, ids: Any) -> np.ndarray:
        x = as_ids(ids)
        return np.stack([self._cluster_rows(x), self.second_hash_(x)], axis=1)
