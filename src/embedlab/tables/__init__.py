"""Embedding tables for categorical IDs (PyTorch, the ``[tables]`` extra).

One contract (:class:`~embedlab.tables.base.EmbeddingTable`: int64 IDs -> vectors, ``num_rows``,
``memory_bytes``, ``from_budget``) and one module per method: the full table
(:mod:`~embedlab.tables.full`), the hashing trick and double hashing
(:mod:`~embedlab.tables.hashing`), frequency-based hashing (:mod:`~embedlab.tables.frequency`),
quotient-remainder (:mod:`~embedlab.tables.qr`), GraphHash and DoubleGraphHash
(:mod:`~embedlab.tables.graphhash`), Monolith's collisionless table with frequency filtering and
expiry (:mod:`~embedlab.tables.collisionless`), multi-field inputs including Unified Embedding
(:mod:`~embedlab.tables.fields`), CTR models (:mod:`~embedlab.tables.ctr`) and online training
with a serving copy, syncs and snapshots (:mod:`~embedlab.tables.online`). Retrieval models (MF,
LightGCN) in :mod:`~embedlab.tables.models`, BPR training in :mod:`~embedlab.tables.train`, the
budgeted benchmark in :mod:`~embedlab.tables.bench`.
"""

from embedlab.tables.base import EmbeddingTable, budget_bytes, rows_for_budget
from embedlab.tables.collisionless import CollisionlessTable
from embedlab.tables.ctr import DCNv2, DeepFM, make_ctr_model
from embedlab.tables.factory import TABLE_METHODS, make_tables
from embedlab.tables.fields import (
    CollisionlessFields,
    FieldEmbedding,
    PerFieldHashing,
    UnifiedEmbedding,
    split_rows,
)
from embedlab.tables.frequency import FrequencyTable
from embedlab.tables.full import FullTable
from embedlab.tables.graphhash import (
    BipartitePartition,
    DoubleGraphHashTable,
    GraphHashTable,
    bipartite_louvain,
    bipartite_modularity,
    resolution_for_rows,
)
from embedlab.tables.hashing import DoubleHashTable, HashTable
from embedlab.tables.models import LightGCN, MatrixFactorization
from embedlab.tables.online import OnlineTrainer, StreamResult, auc_score, log_loss
from embedlab.tables.qr import QRTable
from embedlab.tables.train import BPRTrainer

__all__ = [
    "TABLE_METHODS",
    "BPRTrainer",
    "BipartitePartition",
    "CollisionlessFields",
    "CollisionlessTable",
    "DCNv2",
    "DeepFM",
    "DoubleGraphHashTable",
    "DoubleHashTable",
    "EmbeddingTable",
    "FieldEmbedding",
    "FrequencyTable",
    "FullTable",
    "GraphHashTable",
    "HashTable",
    "LightGCN",
    "MatrixFactorization",
    "OnlineTrainer",
    "PerFieldHashing",
    "QRTable",
    "StreamResult",
    "UnifiedEmbedding",
    "auc_score",
    "bipartite_louvain",
    "bipartite_modularity",
    "budget_bytes",
    "log_loss",
    "make_ctr_model",
    "make_tables",
    "resolution_for_rows",
    "rows_for_budget",
    "split_rows",
]
