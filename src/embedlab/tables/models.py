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
    """Mean ``-log sigmoid(pos - neg)`` plus ``reg * sum ||ego||^2 / (2 B)``."""
    loss = torch.nn.functional.softplus(neg - pos).mean()
    if reg:
        loss = loss + reg * sum(e.pow(2).sum() for e in ego) / (2 * pos.shape[0])
    return loss


class _TwoTower(torch.nn.Module):
    """Shared plumbing: the two tables and their rows for IDs ``0..n-1``, computed once."""

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
    """``s(u, i) = <e_u, e_i>`` over the two tables, for users ``0..n_users-1`` and items
    ``0..n_items-1``."""

    def __init__(
        self, user_table: EmbeddingTable, item_table: EmbeddingTable, *, n_users: int, n_items: int
    ) -> None:
        super().__init__(user_table, item_table, n_users, n_items)

    def loss(self, users: Any, pos: Any, neg: Any, reg: float) -> Any:
        eu, ep = self.ego(users, pos)
        _, en = self.ego(users[:0], neg)
        return bpr_loss((eu * ep).sum(1), (eu * en).sum(1), (eu, ep, en), reg)

    @torch.no_grad()
    def embeddings(self) -> tuple[Any, Any]:
        """(all user vectors, all item vectors) for ranking."""
        return self.ego(torch.arange(self.n_users), torch.arange(self.n_items))


def normalized_adjacency(biadjacency: Any) -> Any:
    """``D^{-1/2} A D^{-1/2}`` of the bipartite graph ``A = [[0, R], [R^T, 0]]`` as a torch sparse
    CSR tensor (users first, then items); isolated nodes get zero rows. The matrix is symmetric."""
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
    """``y = Â x`` for a symmetric sparse ``Â``: the gradient ``Â^T g`` is ``Â g``, one more CSR
    product (torch's generic backward transposes the sparse matrix, about 8x slower here)."""

    @staticmethod
    def forward(ctx: Any, adjacency: Any, x: Any) -> Any:
        ctx.adjacency = adjacency
        return adjacency @ x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return None, ctx.adjacency @ grad


class LightGCN(_TwoTower):
    """LightGCN over the training graph ``biadjacency`` (users x items), ``n_layers`` rounds of
    propagation, layer combination by the mean (``alpha_l = 1 / (L + 1)``)."""

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
        eu, ei = self.ego(torch.arange(self.n_users), torch.arange(self.n_items))
        e = torch.cat([eu, ei])
        total = e
        for _ in range(self.n_layers):
            e = _SymmetricPropagate.apply(self.adjacency, e)
            total = total + e
        total = total / (self.n_layers + 1)
        return total[: self.n_users], total[self.n_users :]

    def loss(self, users: Any, pos: Any, neg: Any, reg: float) -> Any:
        fu, fi = self.propagate()
        u, p, n = fu[users], fi[pos], fi[neg]
        eu, ep = self.ego(users, pos)
        _, en = self.ego(users[:0], neg)
        return bpr_loss((u * p).sum(1), (u * n).sum(1), (eu, ep, en), reg)

    @torch.no_grad()
    def embeddings(self) -> tuple[Any, Any]:
        return self.propagate()
