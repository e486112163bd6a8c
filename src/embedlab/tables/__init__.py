"""Embedding tables for categorical IDs (PyTorch, the ``[tables]`` extra).

One contract (:class:`~embedlab.tables.base.EmbeddingTable`: int64 IDs -> vectors, ``num_rows``,
``memory_bytes``, ``from_budget``) and one module per method: the full table
(:mod:`~embedlab.tables.full`), the hashing trick and double hashing
(:mod:`~embedlab.tables.hashing`), frequency-based hashing (:mod:`~embedlab.tables.frequency`),
quotient-remainder (:mod:`~embedlab.tables.qr`), GraphHash and DoubleGraphHash
(:mod:`~embedlab.tables.graphhash`), Monolith's collisionless table with frequency filtering and
expiry (:mod:`~embedlab.tables.collisionless`), multi-field inputs including Unified Embedding
(:mod:`~embedlab.tables.fields`). Models on the tables in :mod:`~embedlab.tables.models`
(retrieval: MF, LightGCN; CTR: DeepFM, DCN-v2; sessions: M2TRec, SASRec); training loops in
:mod:`~embedlab.tables.training` (BPR; online training with a serving copy, syncs and
snapshots). Every table, field embedding, CTR and session model is registered by name in
:mod:`embedlab.registry` (``TABLES``, ``FIELD_TABLES``, ``CTR_MODELS``, ``SESSION_MODELS``); the
experiment drivers are :mod:`embedlab.bench.tables` and :mod:`embedlab.bench.stream`.
"""

from embedlab.tables.base import EmbeddingTable, budget_bytes, rows_for_budget
from embedlab.tables.collisionless import CollisionlessTable
from embedlab.tables.factory import make_tables
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
from embedlab.tables.models import (
    DCNv2,
    DeepFM,
    LightGCN,
    M2TRec,
    MatrixFactorization,
    SASRec,
    evaluate_next_item,
    make_ctr_model,
    popularity_scores,
    train_session_model,
)
from embedlab.tables.qr import QRTable
from embedlab.tables.training import BPRTrainer, OnlineTrainer, StreamResult

__all__ = [
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
    "M2TRec",
    "MatrixFactorization",
    "OnlineTrainer",
    "PerFieldHashing",
    "QRTable",
    "SASRec",
    "StreamResult",
    "UnifiedEmbedding",
    "bipartite_louvain",
    "bipartite_modularity",
    "budget_bytes",
    "evaluate_next_item",
    "make_ctr_model",
    "make_tables",
    "popularity_scores",
    "resolution_for_rows",
    "rows_for_budget",
    "split_rows",
    "train_session_model",
]
