"""GraphHash: one embedding row per cluster of the user-item graph.

Wu et al., "GraphHash: Graph Clustering Enables Parameter Efficiency in Recommender Systems",
WWW 2025; reference code snap-research/GraphHash.

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

from embedlab.exceptions import InvalidInputError
from embedlab.tables._hash import UniversalHash
from embedlab.tables.base import PARAM_BYTES, EmbeddingTable, as_ids, budget_bytes
from embedlab.utils.ids import sorted_lookup
from embedlab.utils.optional import import_optional
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
    clustering = import_optional(
        "sknetwork.clustering", "tables", "GraphHash tables", package="scikit-network"
    )
    return clustering.Louvain


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
    """A clustering of a bipartite graph, users and items in one label space.

    Parameters
    ----------
    user_labels, item_labels : array-like of int
        Cluster of each user and each item; a user and an item with the same label are in the
        same cluster.
    resolution : float
        The Louvain resolution it was found at.
    modularity : float
        The library's value of Barber's modularity.

    Attributes
    ----------
    user_labels_, item_labels_ : ndarray of int64
        The labels.

    Examples
    --------
    >>> BipartitePartition([0, 0, 1], [0, 1], resolution=1.0, modularity=0.25).rows
    4
    """

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
        """Distinct user labels (user-table rows)."""
        return len(np.unique(self.user_labels_))

    @property
    def n_item_clusters(self) -> int:
        """Distinct item labels (item-table rows)."""
        return len(np.unique(self.item_labels_))

    @property
    def rows(self) -> int:
        """Embedding rows GraphHash needs: user clusters + item clusters."""
        return self.n_user_clusters + self.n_item_clusters

    def __repr__(self) -> str:
        """Resolution, cluster counts and modularity."""
        return (
            f"BipartitePartition(resolution={self.resolution:g}, {self.n_user_clusters:,} user "
            f"+ {self.n_item_clusters:,} item clusters, modularity={self.modularity:.4f})"
        )


def bipartite_modularity(
    biadjacency: Any, user_labels: Any, item_labels: Any, resolution: float = 1.0
) -> float:
    """Barber's bipartite modularity ``1/w sum_ij (B_ij - gamma d_i d_j / w)[c_i = c_j]``.

    Computed directly (the reference the library's value is tested against), in
    ``O(nnz + n)``.

    Parameters
    ----------
    biadjacency : scipy.sparse matrix or ndarray, shape (n_users, n_items)
        Non-negative interaction weights ``B``.
    user_labels, item_labels : array-like of int
        Cluster of each user and each item (one label space).
    resolution : float, default=1.0
        ``gamma``.

    Returns
    -------
    float

    Examples
    --------
    >>> b = np.kron(np.eye(2), np.ones((2, 2)))
    >>> bipartite_modularity(b, [0, 0, 1, 1], [0, 0, 1, 1])
    0.5
    """
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
    return float(inside - resolution * float(su @ si) / (w * w))


def bipartite_louvain(
    biadjacency: Any,
    *,
    resolution: float = 200.0,
) -> BipartitePartition:
    """Louvain clustering of a users x items graph with Barber's modularity (scikit-network).

    Parameters
    ----------
    biadjacency : scipy.sparse matrix or ndarray, shape (n_users, n_items)
        Non-negative interaction weights.
    resolution : float, default=200.0
        ``gamma``: larger gives more, smaller clusters (GraphHash's default 200).

    Returns
    -------
    BipartitePartition

    Notes
    -----
    Nodes are visited in index order, as in the GraphHash reference code, so the partition is
    deterministic; the modularity stored is scikit-network's ``get_modularity`` on the directed
    user -> item graph, which is Barber's (:func:`bipartite_modularity` computes it directly).

    Examples
    --------
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
    """Find the partition whose row count is within ``tolerance`` of ``target_rows``, not above it.

    Found by bisection on ``log(resolution)`` in ``[1e-3, 1e6]``. Louvain's cluster count grows
    with the resolution but not strictly monotonically, so the search keeps the best partition
    under the target and raises if none is within tolerance.

    Parameters
    ----------
    biadjacency : scipy.sparse matrix or ndarray, shape (n_users, n_items)
        Non-negative interaction weights.
    target_rows : int
        User + item clusters wanted, in ``[2, n_users + n_items]``.
    tolerance : float, default=0.01
        Accept ``rows >= target_rows - max(tolerance * target_rows, 1)``.
    max_iter : int, default=40
        Louvain runs at most.

    Returns
    -------
    BipartitePartition

    Examples
    --------
    >>> b = sp.csr_matrix(np.kron(np.eye(3), np.ones((3, 3))))
    >>> resolution_for_rows(b, 6).rows
    6
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
    """One row per cluster: ``ids[i]`` reads row ``labels[i]``; unknown IDs are hashed.

    Build the two sides with :meth:`from_partition` (or :meth:`from_budget`). Memory:
    ``clusters * d * 4`` bytes plus 16 bytes per ID (the sorted IDs and their rows).

    Parameters
    ----------
    ids : array-like of int
        The distinct IDs of the graph's side.
    labels : array-like of int
        Cluster of each ID (relabelled ``0 .. k-1`` by first appearance).
    embedding_dim : int
        Coordinates per vector.
    random_state : int, Generator or None
        Seed of the cold-start hash and of the initialisation.

    Attributes
    ----------
    hash_ : UniversalHash
        Cold-start hash of unknown IDs onto the cluster rows.
    seed_ : int
        The seed used.

    Examples
    --------
    >>> t = GraphHashTable(ids=[10, 11, 12], labels=[0, 0, 1], embedding_dim=4, random_state=0)
    >>> t.num_rows, t.rows([10, 11, 12]).ravel().tolist()
    (2, [0, 0, 1])
    """

    name = "graphhash"
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
        """(user table, item table) from a partition.

        Parameters
        ----------
        partition : BipartitePartition
            The clustering.
        embedding_dim : int
            Coordinates per vector.
        user_ids, item_ids : array-like of int, optional
            The IDs of each side (default ``0 .. n-1``).
        random_state : int, Generator or None
            The user table gets the seed ``s``, the item table ``s + 1``.

        Returns
        -------
        (GraphHashTable, GraphHashTable)

        Examples
        --------
        >>> p = BipartitePartition([0, 0, 1], [0, 1], resolution=1.0, modularity=0.0)
        >>> [t.num_rows for t in GraphHashTable.from_partition(p, embedding_dim=2, random_state=0)]
        [2, 2]
        """
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
        memory_bytes: int | None = None,
        memory_fraction: float | None = None,
        random_state: int | np.random.Generator | None = None,
    ) -> tuple[GraphHashTable, GraphHashTable]:
        """(user table, item table) whose memory together fits the budget, within 1 %.

        The Louvain resolution is searched (:func:`resolution_for_rows`) for the rows left after
        the ID -> cluster maps (``16 * (n_users + n_items)`` bytes).

        Parameters
        ----------
        biadjacency : scipy.sparse matrix or ndarray, shape (n_users, n_items)
            The training interactions.
        embedding_dim : int
            Coordinates per vector.
        memory_bytes : int, optional
            The budget in bytes, both tables together.
        memory_fraction : float, optional
            The budget as a fraction in ``(0, 1]`` of the full tables over all users and items
            (exactly one of the two).
        random_state : int, Generator or None
            The user table gets the seed ``s``, the item table ``s + 1``.

        Returns
        -------
        (GraphHashTable, GraphHashTable)

        Examples
        --------
        >>> b = sp.csr_matrix(np.kron(np.eye(4), np.ones((5, 5))))
        >>> u, i = GraphHashTable.from_budget(b, embedding_dim=8, memory_bytes=896,
        ...                                   random_state=0)  # 40 IDs * 16 bytes + 8 rows
        >>> u.num_rows, i.num_rows, u.memory_bytes() + i.memory_bytes()
        (4, 4, 896)
        """
        b = _check_biadjacency(biadjacency)
        n = int(sum(b.shape))
        total = budget_bytes(
            n, embedding_dim, memory_bytes=memory_bytes, memory_fraction=memory_fraction
        )
        rows = (total - 16 * n) // (embedding_dim * PARAM_BYTES)
        if rows < 2:
            raise InvalidInputError(
                f"A budget of {total:,} bytes leaves no room for GraphHash's rows beside its "
                f"ID -> cluster maps ({16 * n:,} bytes)."
            )
        partition = resolution_for_rows(b, int(min(rows, n)))
        return cls.from_partition(partition, embedding_dim=embedding_dim, random_state=random_state)

    @classmethod
    def _build_pair(
        cls,
        train: Any,
        seed: int,
        *,
        embedding_dim: int,
        partition: BipartitePartition | None,
        resolution: float,
        **_: Any,
    ) -> tuple[GraphHashTable, GraphHashTable]:
        p = partition if partition is not None else bipartite_louvain(train, resolution=resolution)
        return cls.from_partition(p, embedding_dim=embedding_dim, random_state=seed)

    @property
    def num_rows(self) -> int:
        """One row per cluster."""
        return self._k

    def _cluster_rows(self, x: np.ndarray) -> np.ndarray:
        pos, hit = sorted_lookup(self._sorted_ids, x)
        return np.where(hit, self._sorted_rows[pos], self.hash_(x))

    def rows(self, ids: Any) -> np.ndarray:
        """``[n, 1]``: the cluster row of a known ID, the hashed row of an unknown one."""
        return self._cluster_rows(as_ids(ids)).reshape(-1, 1)

    def lookup_bytes(self) -> int:
        """16 bytes per known ID (the sorted IDs and their rows)."""
        return int(self._sorted_ids.nbytes + self._sorted_rows.nbytes)


class DoubleGraphHashTable(GraphHashTable):
    """DoubleGraphHash: the cluster row plus a universal-hash row of the same table, summed.

    ``e(x) = E[c(x)] + E[h(x)]``: members of one cluster keep distinct vectors. Parameters as
    in :class:`GraphHashTable`.

    Examples
    --------
    >>> t = DoubleGraphHashTable(ids=[1, 2], labels=[0, 0], embedding_dim=2, random_state=0)
    >>> t.rows([1, 2]).shape
    (2, 2)
    """

    name = "double-graphhash"
    _double = True

    def rows(self, ids: Any) -> np.ndarray:
        """``[n, 2]``: the cluster row and the universal-hash row."""
        x = as_ids(ids)
        return np.stack([self._cluster_rows(x), self.second_hash_(x)], axis=1)
