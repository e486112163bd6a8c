"""Embedding tables for categorical IDs (PyTorch, the ``[tables]`` extra).

One contract (:class:`~embedlab.tables.base.EmbeddingTable`: int64 IDs -> vectors, ``num_rows``,
``memory_bytes``, ``from_budget``) and one module per method: the full table
(:mod:`~embedlab.tables.full`), the hashing trick and double hashing
(:mod:`~embedlab.tables.hashing`), frequency-based hashing (:mod:`~embedlab.tables.frequency`),
quotient-remainder (:mod:`~embedlab.tables.qr`), GraphHash and DoubleGraphHash
(:mod:`~embedlab.tables.graphhash`). Retrieval models (MF, LightGCN) in
:mod:`~embedlab.tables.models`, BPR training in :mod:`~embedlab.tables.train`, the budgeted
benchmark in :mod:`~embedlab.tables.bench`.
"""

from embedlab.tables.base import EmbeddingTable, budget_bytes, rows_for_budget
from embedlab.tables.factory import TABLE_METHODS, make_tables
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
from embedlab.tables.qr import QRTable
from embedlab.tables.train import BPRTrainer

__all__ = [
    "TABLE_METHODS",
    "BPRTrainer",
    "BipartitePartition",
    "DoubleGraphHashTable",
    "DoubleHashTable",
    "EmbeddingTable",
    "FrequencyTable",
    "FullTable",
    "GraphHashTable",
    "HashTable",
    "LightGCN",
    "MatrixFactorization",
    "QRTable",
    "bipartite_louvain",
    "bipartite_modularity",
    "budget_bytes",
    "make_tables",
    "resolution_for_rows",
    "rows_for_budget",
]
