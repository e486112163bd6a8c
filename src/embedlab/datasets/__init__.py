"""Data sets: real graphs from ``$EMBEDLAB_DATA``, bundled small ones, synthetic generators.

* Any folder ``$EMBEDLAB_DATA/graphs/<name>/`` holding ``edges.txt.gz`` (and optionally
  ``labels.txt.gz``) is the data set ``<name>`` (BlogCatalog, Cora and ca-AstroPh ship that way);
  a folder path of the same layout works too.
* Any BEIR-layout folder ``$EMBEDLAB_DATA/retrieval/<name>/`` (corpus, queries, qrels) is the
  retrieval data set ``<name>`` (:func:`load_beir`; SciFact ships that way).
* Any LightGCN-layout folder ``$EMBEDLAB_DATA/recsys/<name>/`` (``train.txt``, ``test.txt``) is
  the implicit-feedback data set ``<name>`` (:func:`load_lightgcn`; Gowalla ships that way).
* Any folder ``$EMBEDLAB_DATA/kg/<name>/`` of tab-separated ``train`` / ``valid`` / ``test``
  triples is the knowledge graph ``<name>`` (:func:`load_kg`; Nations, Kinships, WN18RR and
  FB15k-237 ship that way).
* :func:`load_movielens_stream` (MovieLens-100K in time order) and
  :func:`synthetic_drifting_stream` are click streams for online training (:class:`ClickStream`).
* :func:`load_movielens_sessions` (MovieLens-100K, one time-ordered session per user, genre and
  year metadata) and :func:`synthetic_sessions` are next-item data with the leave-one-out split
  (:class:`SessionData`).
* ``karate`` (Zachary's karate club, 34 nodes, two factions) is bundled for the offline demo.
* :func:`stochastic_block_model`, :func:`erdos_renyi` and :func:`power_law_graph` generate graphs
  with known ground truth or a given size.
"""

from embedlab.datasets._beir import BeirDataset, list_retrieval_datasets, load_beir
from embedlab.datasets._graphs import (
    GraphDataset,
    NodeLabels,
    data_home,
    graph_dataset,
    list_graph_datasets,
    load_graph,
    load_labels,
    read_labels,
)
from embedlab.datasets._kg import kg_dataset_path, list_kg_datasets, load_kg, read_triples
from embedlab.datasets._recsys import ImplicitFeedback, list_recsys_datasets, load_lightgcn
from embedlab.datasets._sessions import (
    SessionData,
    load_movielens_sessions,
    synthetic_sessions,
)
from embedlab.datasets._streams import (
    ClickStream,
    MovieLensStream,
    SyntheticStream,
    load_movielens_stream,
    synthetic_drifting_stream,
)
from embedlab.datasets.synthetic import erdos_renyi, power_law_graph, stochastic_block_model

__all__ = [
    "BeirDataset",
    "ClickStream",
    "GraphDataset",
    "ImplicitFeedback",
    "MovieLensStream",
    "NodeLabels",
    "SessionData",
    "SyntheticStream",
    "data_home",
    "erdos_renyi",
    "graph_dataset",
    "kg_dataset_path",
    "list_graph_datasets",
    "list_kg_datasets",
    "list_recsys_datasets",
    "list_retrieval_datasets",
    "load_beir",
    "load_graph",
    "load_kg",
    "load_labels",
    "load_lightgcn",
    "load_movielens_sessions",
    "load_movielens_stream",
    "power_law_graph",
    "read_labels",
    "read_triples",
    "stochastic_block_model",
    "synthetic_drifting_stream",
    "synthetic_sessions",
]
