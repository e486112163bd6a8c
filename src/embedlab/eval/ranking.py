r"""Full-ranking evaluation of recommenders (the LightGCN / NGCF protocol).

Every user with at least one held-out item ranks *all* items by score; the items the user
interacted with in training are excluded; the top ``k`` are compared with the held-out set
``T_u``. As in LightGCN's code (``Recall_ATk`` and ``NDCGatK_r``):

.. math::
    \mathrm{Recall@k}(u) = \frac{|\mathrm{top}_k(u) \cap T_u|}{|T_u|}, \qquad
    \mathrm{NDCG@k}(u) = \frac{\sum_{r=1}^{k} [\mathrm{item}_r \in T_u] / \log_2(r + 1)}
                              {\sum_{r=1}^{\min(k, |T_u|)} 1 / \log_2(r + 1)},

both averaged over the users with a non-empty ``T_u``. Cost: one ``users x items`` score block
per batch of users (``O(n_users * n_items * d)`` flops in all) and a top-k per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from embedlab.exceptions import InvalidInputError

__all__ = ["RankingResult", "evaluate_full_ranking", "ranking_metrics", "top_k_unseen"]


def _csr(m: Any, name: str) -> sp.csr_matrix:
    if not sp.issparse(m):
        raise InvalidInputError(f"{name} must be a scipy sparse users x items matrix.")
    out = sp.csr_matrix(m)
    out.sort_indices()
    return out


def ranking_metrics(
    top_items: np.ndarray, relevant: sp.csr_matrix, users: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return per-user Recall@k and NDCG@k of ranked lists.

    ``top_items[j]`` (best first) for ``users[j]`` is compared with the rows of the binary
    ``relevant`` matrix (each user needs >= 1).

    >>> rel = sp.csr_matrix(np.array([[0, 1, 1, 0]]))
    >>> r, n = ranking_metrics(np.array([[1, 0]]), rel, np.array([0]), k=2)
    >>> float(r[0]), round(float(n[0]), 4)  # 1 of 2 found at rank 1; IDCG = 1 + 1/log2(3)
    (0.5, 0.6131)
    """
    top = np.asarray(top_items)[:, :k]
    rel = _csr(relevant, "relevant")
    users = np.asarray(users, dtype=np.int64)
    n_rel = np.diff(rel.indptr)[users]
    if (n_rel == 0).any():
        raise InvalidInputError("Every evaluated user needs at least one relevant item.")
    hits = np.zeros(top.shape, dtype=bool)
    for j, u in enumerate(users):
        row = rel.indices[rel.indptr[u] : rel.indptr[u + 1]]
        hits[j] = np.isin(top[j], row, assume_unique=False)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    recall = hits.sum(axis=1) / n_rel
    dcg = (hits * discount[: top.shape[1]]).sum(axis=1)
    idcg = np.cumsum(discount)[np.minimum(n_rel, k) - 1]
    return recall.astype(np.float64), (dcg / idcg).astype(np.float64)


def top_k_unseen(
    user_vectors: Any,
    item_vectors: Any,
    exclude: sp.csr_matrix,
    users: np.ndarray,
    k: int,
    *,
    batch_size: int = 2048,
) -> np.ndarray:
    """Return the ``k`` highest-scoring items per user (inner product), skipping ``exclude``.

    Ties go to the lower item index. Vectors are torch tensors or arrays.
    """
    import torch

    u = torch.as_tensor(user_vectors, dtype=torch.float32)
    v = torch.as_tensor(item_vectors, dtype=torch.float32)
    ex = _csr(exclude, "exclude")
    out = np.empty((len(users), k), dtype=np.int64)
    neg_inf = torch.tensor(float("-inf"))
    for s in range(0, len(users), batch_size):
        batch = np.asarray(users[s : s + batch_size], dtype=np.int64)
        scores = u[torch.from_numpy(batch)] @ v.T
        sub = ex[batch]
        rows = np.repeat(np.arange(len(batch)), np.diff(sub.indptr))
        scores[torch.from_numpy(rows), torch.from_numpy(sub.indices.astype(np.int64))] = neg_inf
        out[s : s + len(batch)] = torch.topk(scores, k, dim=1, sorted=True).indices.numpy()
    return out


@dataclass(frozen=True)
class RankingResult:
    """Mean Recall@k / NDCG@k over ``n_users`` evaluated users."""

    k: int
    recall: float
    ndcg: float
    n_users: int

    def as_dict(self) -> dict[str, float]:
        """Return ``{"recall@k": ..., "ndcg@k": ...}``."""
        return {f"recall@{self.k}": self.recall, f"ndcg@{self.k}": self.ndcg}


def evaluate_full_ranking(
    user_vectors: Any,
    item_vectors: Any,
    *,
    exclude: sp.csr_matrix,
    relevant: sp.csr_matrix,
    k: int = 20,
    batch_size: int = 2048,
) -> RankingResult:
    """Return Recall@k and NDCG@k over all users with held-out items (``relevant``).

    Every item not in ``exclude`` (the training interactions) is ranked.
    """
    rel = _csr(relevant, "relevant")
    ex = _csr(exclude, "exclude")
    if rel.shape != ex.shape:
        raise InvalidInputError(f"relevant {rel.shape} and exclude {ex.shape} differ in shape.")
    if not isinstance(k, int) or k < 1 or k > rel.shape[1]:
        raise InvalidInputError(f"k must be an int in [1, {rel.shape[1]}], got {k!r}.")
    users = np.flatnonzero(np.diff(rel.indptr) > 0)
    if len(users) == 0:
        raise InvalidInputError("relevant holds no held-out interactions.")
    top = top_k_unseen(user_vectors, item_vectors, ex, users, k, batch_size=batch_size)
    recall, ndcg = ranking_metrics(top, rel, users, k)
    return RankingResult(k, float(recall.mean()), float(ndcg.mean()), len(users))
