r"""Retrieval models over two embedding tables (users, items), trained with BPR.

* Matrix factorisation (Rendle et al., "BPR: Bayesian Personalized Ranking from Implicit
  Feedback", UAI 2009): ``s(u, i) = <e_u, e_i>``.
* LightGCN (He et al., SIGIR 2020): with the normalised bipartite adjacency
  ``Â = D^{-1/2} A D^{-1/2}`` over users and items, ``E^{(l+1)} = Â E^{(l)}`` and the final
  embeddings ``E = 1/(L+1) sum_{l=0}^{L} E^{(l)}``; ``s(u, i) = <E_u, E_i>``. ``E^{(0)}`` is read
  from the tables, so any table (hashed, QR, GraphHash) plugs in.

BPR loss with LightGCN's regulariser on the layer-0 vectors of the batch:

.. math::
    \mathcal{L} = \frac{1}{B}\sum_{(u,i,j)} -\log\sigma(s_{ui} - s_{uj})
      + \lambda \frac{\lVert e^{(0)}_u \rVert^2 + \lVert e^{(0)}_i \rVert^2
      + \lVert e^{(0)}_j \rVert^2}{2B}.

Cost per step: MF ``O(B d)``; LightGCN ``O(L * nnz(A) * d)`` for the full propagation.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp

from embedlab.exceptions import InvalidInputError
from embedlab.tables._torch import torch
from embedlab.tables.base import EmbeddingTable

__all__ = ["LightGCN", "MatrixFactorization", "bpr_loss", "normalized_adjacency"]


def bpr_loss(pos: Any, neg: Any, ego: tuple[Any, ...], reg: float) -> Any:
    """Mean ``-log sigmoid(pos - neg)`` plus ``reg * sum ||ego||^2 / (2 B)``.

    Parameters
    ----------
    pos, neg : torch.Tensor, shape (B,)
        Scores of the positive and the sampled negative item.
    ego : tuple of torch.Tensor
        Layer-0 vectors of the batch (users, positives, negatives).
    reg : float
        ``lambda``.

    Returns
    -------
    torch.Tensor
        The scalar loss.

    Examples
    --------
    >>> round(float(bpr_loss(torch.tensor([0.0]), torch.tensor([0.0]), (), 0.0)), 4)  # log 2
    0.6931
    """
    loss = torch.nn.functional.softplus(neg - pos).mean()
    if reg:
        loss = loss + reg * sum(e.pow(2).sum() for e in ego) / (2 * pos.shape[0])
    return loss


class _TwoTower(torch.nn.Module):
    """Shared plumbing: the two tables and their rows for IDs ``0..n-1``, computed once.

    The tables are any :class:`~embedlab.tables.base.EmbeddingTable` of one ``embedding_dim``.
    """

    def __init__(
        self, user_table: EmbeddingTable, item_table: EmbeddingTable, n_users: int, n_items: int
    ) -> None:
        super().__init__()
        if not isinstance(user_table, EmbeddingTable) or not isinstance(item_table, EmbeddingTable):
            raise InvalidInputError("user_table and item_table must be EmbeddingTable instances.")
        if user_table.embedding_dim != item_table.embedding_dim:
            raise InvalidInputError(
                f"user and item tables differ in embedding_dim ({user_table.embedding_dim} vs "
                f"{item_table.embedding_dim})."
            )
        self.user_table, self.item_table = user_table, item_table
        self.n_users, self.n_items = int(n_users), int(n_items)
        self.user_rows = torch.from_numpy(user_table.rows(np.arange(n_users)))
        self.item_rows = torch.from_numpy(item_table.rows(np.arange(n_items)))

    def memory_bytes(self) -> int:
        """Both tables' memory."""
        return self.user_table.memory_bytes() + self.item_table.memory_bytes()

    @property
    def num_rows(self) -> int:
        """Rows of both tables together."""
        return self.user_table.num_rows + self.item_table.num_rows

    def ego(self, users: Any, items: Any) -> tuple[Any, Any]:
        """Layer-0 vectors of user IDs and item IDs (int64 tensors)."""
        return (
            self.user_table.embed_rows(self.user_rows[users]),
            self.item_table.embed_rows(self.item_rows[items]),
        )


class MatrixFactorization(_TwoTower):
    """Matrix factorisation ``s(u, i) = <e_u, e_i>`` over two embedding tables.

    Parameters
    ----------
    user_table, item_table : EmbeddingTable
        Tables of one ``embedding_dim`` for users ``0..n_users-1`` and items ``0..n_items-1``.
    n_users, n_items : int
        The ID universes (their rows are computed once).

    Examples
    --------
    >>> from embedlab.tables import HashTable
    >>> mf = MatrixFactorization(HashTable(num_rows=4, embedding_dim=2, random_state=0),
    ...                          HashTable(num_rows=4, embedding_dim=2, random_state=1),
    ...                          n_users=10, n_items=6)
    >>> [tuple(e.shape) for e in mf.embeddings()]
    [(10, 2), (6, 2)]
    """

    def __init__(
        self, user_table: EmbeddingTable, item_table: EmbeddingTable, *, n_users: int, n_items: int
    ) -> None:
        super().__init__(user_table, item_table, n_users, n_items)

    def loss(self, users: Any, pos: Any, neg: Any, reg: float) -> Any:
        """BPR loss of a batch of (user, positive, negative) int64 tensors (:func:`bpr_loss`)."""
        eu, ep = self.ego(users, pos)
        _, en = self.ego(users[:0], neg)
        return bpr_loss((eu * ep).sum(1), (eu * en).sum(1), (eu, ep, en), reg)

    @torch.no_grad()
    def embeddings(self) -> tuple[Any, Any]:
        """(all user vectors, all item vectors) for ranking."""
        return self.ego(torch.arange(self.n_users), torch.arange(self.n_items))


def normalized_adjacency(biadjacency: Any) -> Any:
    """``D^{-1/2} A D^{-1/2}`` of the bipartite graph ``A = [[0, R], [R^T, 0]]``.

    Parameters
    ----------
    biadjacency : scipy.sparse matrix, shape (n_users, n_items)
        ``R`` (binarised).

    Returns
    -------
    torch.Tensor
        A symmetric sparse CSR tensor ``[n_users + n_items]^2`` (users first, then items);
        isolated nodes get zero rows.

    Examples
    --------
    >>> normalized_adjacency(sp.csr_matrix(np.ones((1, 1)))).to_dense().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    r = sp.csr_matrix(biadjacency, dtype=np.float32)
    r.data[:] = 1.0
    nu, ni = r.shape
    a = sp.bmat([[None, r], [r.T, None]], format="csr", dtype=np.float32)
    deg = np.asarray(a.sum(axis=1)).ravel()
    inv = np.zeros_like(deg)
    inv[deg > 0] = deg[deg > 0] ** -0.5
    a = sp.diags(inv) @ a @ sp.diags(inv)
    a = sp.csr_matrix(a, dtype=np.float32)
    a.sort_indices()
    with warnings.catch_warnings():  # "sparse CSR support is in beta": the product is stable
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(
            torch.from_numpy(a.indptr.astype(np.int64)),
            torch.from_numpy(a.indices.astype(np.int64)),
            torch.from_numpy(a.data),
            size=(nu + ni, nu + ni),
            check_invariants=False,  # built here from a sorted scipy CSR: valid by construction
        )


class _SymmetricPropagate(torch.autograd.Function):
    """``y = Â x`` for a symmetric sparse ``Â``: the gradient ``Â^T g`` is ``Â g``.

    One more CSR product (torch's generic backward transposes the sparse matrix, about 8x slower
    here).
    """

    @staticmethod
    def forward(ctx: Any, adjacency: Any, x: Any) -> Any:
        ctx.adjacency = adjacency
        return adjacency @ x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return None, ctx.adjacency @ grad


class LightGCN(_TwoTower):
    """LightGCN: ``E = 1/(L+1) sum_l Â^l E^(0)``, ``s(u, i) = <E_u, E_i>``.

    Propagation over the training graph, layer combination by the mean
    (``alpha_l = 1 / (L + 1)``). Cost: ``O(L * nnz(A) * d)`` per step.

    Parameters
    ----------
    user_table, item_table : EmbeddingTable
        Layer-0 tables of one ``embedding_dim``.
    biadjacency : scipy.sparse matrix, shape (n_users, n_items)
        The training interactions.
    n_layers : int, default=3
        Propagation rounds ``L``.

    Examples
    --------
    >>> from embedlab.tables import FullTable
    >>> r = sp.csr_matrix(np.eye(3))
    >>> m = LightGCN(FullTable(num_ids=3, embedding_dim=2, random_state=0),
    ...              FullTable(num_ids=3, embedding_dim=2, random_state=1), biadjacency=r)
    >>> [tuple(e.shape) for e in m.embeddings()]
    [(3, 2), (3, 2)]
    """

    def __init__(
        self,
        user_table: EmbeddingTable,
        item_table: EmbeddingTable,
        *,
        biadjacency: Any,
        n_layers: int = 3,
    ) -> None:
        nu, ni = biadjacency.shape
        super().__init__(user_table, item_table, nu, ni)
        if not isinstance(n_layers, int) or n_layers < 0:
            raise InvalidInputError(f"n_layers must be an int >= 0, got {n_layers!r}.")
        self.n_layers = n_layers
        self.adjacency = normalized_adjacency(biadjacency)

    def propagate(self) -> tuple[Any, Any]:
        """(user vectors, item vectors) after ``L`` rounds, averaged over the layers."""
        eu, ei = self.ego(torch.arange(self.n_users), torch.arange(self.n_items))
        e = torch.cat([eu, ei])
        total = e
        for _ in range(self.n_layers):
            e = _SymmetricPropagate.apply(self.adjacency, e)
            total = total + e
        total = total / (self.n_layers + 1)
        return total[: self.n_users], total[self.n_users :]

    def loss(self, users: Any, pos: Any, neg: Any, reg: float) -> Any:
        """BPR loss on the propagated vectors, regularising the layer-0 ones."""
        fu, fi = self.propagate()
        u, p, n = fu[users], fi[pos], fi[neg]
        eu, ep = self.ego(users, pos)
        _, en = self.ego(users[:0], neg)
        return bpr_loss((u * p).sum(1), (u * n).sum(1), (eu, ep, en), reg)

    @torch.no_grad()
    def embeddings(self) -> tuple[Any, Any]:
        """(all user vectors, all item vectors) for ranking."""
        return self.propagate()
