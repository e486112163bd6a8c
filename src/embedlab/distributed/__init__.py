"""Scale-out on Dask: the same estimators when one machine is not enough.

* :mod:`~embedlab.distributed.fastrp` — FastRP's propagation over row blocks with halo exchange
  (``FastRP(backend="dask")``), equal to the single-machine result;
* :mod:`~embedlab.distributed.skipgram` — DeepWalk, node2vec and LINE with PyTorch-BigGraph's
  partitioned bucket schedule (``backend="dask"``);
* :mod:`~embedlab.distributed.memory` — :func:`estimate_memory`, per worker and in total, before
  a run;
* :mod:`~embedlab.distributed.search` — :class:`ShardedIndex`, exact search over shards, merged;
* :mod:`~embedlab.distributed.encode` — :func:`encode_corpus`, a JSONL/Parquet corpus encoded
  partition by partition;
* :mod:`~embedlab.distributed.evaluate` — :func:`evaluate_distributed`, :func:`map_tasks`:
  evaluation protocols as independent tasks;
* :mod:`~embedlab.distributed.synthetic` — :func:`power_law_blocks`, a graph generated on the
  workers;
* :mod:`~embedlab.distributed._client` — the client rule (pass one, or the current one is used)
  and :func:`open_client` for ``--scheduler`` / ``--workers``.

Every routine takes an optional ``client``; without one it uses ``distributed.get_client()``.
Nothing here imports Dask until it is used (``pip install 'embedlab[distributed]'``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedlab.utils._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.distributed._client import open_client, resolve_client
    from embedlab.distributed.encode import encode_corpus
    from embedlab.distributed.evaluate import evaluate_distributed, map_tasks
    from embedlab.distributed.fastrp import BlockGraph, DaskFastRP, block_graph, fastrp_blocks
    from embedlab.distributed.memory import estimate_memory
    from embedlab.distributed.search import ShardedIndex
    from embedlab.distributed.skipgram import (
        DaskDeepWalk,
        DaskLINE,
        DaskNode2Vec,
        partitioned_sgns,
        train_partitioned_sgns,
    )
    from embedlab.distributed.synthetic import power_law_blocks

__all__ = [
    "BlockGraph",
    "DaskDeepWalk",
    "DaskFastRP",
    "DaskLINE",
    "DaskNode2Vec",
    "ShardedIndex",
    "block_graph",
    "encode_corpus",
    "estimate_memory",
    "evaluate_distributed",
    "fastrp_blocks",
    "map_tasks",
    "open_client",
    "partitioned_sgns",
    "power_law_blocks",
    "resolve_client",
    "train_partitioned_sgns",
]

_EXPORTS = {
    "open_client": "embedlab.distributed._client",
    "resolve_client": "embedlab.distributed._client",
    "BlockGraph": "embedlab.distributed.fastrp",
    "DaskFastRP": "embedlab.distributed.fastrp",
    "block_graph": "embedlab.distributed.fastrp",
    "fastrp_blocks": "embedlab.distributed.fastrp",
    "encode_corpus": "embedlab.distributed.encode",
    "evaluate_distributed": "embedlab.distributed.evaluate",
    "map_tasks": "embedlab.distributed.evaluate",
    "estimate_memory": "embedlab.distributed.memory",
    "ShardedIndex": "embedlab.distributed.search",
    "power_law_blocks": "embedlab.distributed.synthetic",
    "DaskDeepWalk": "embedlab.distributed.skipgram",
    "DaskLINE": "embedlab.distributed.skipgram",
    "DaskNode2Vec": "embedlab.distributed.skipgram",
    "partitioned_sgns": "embedlab.distributed.skipgram",
    "train_partitioned_sgns": "embedlab.distributed.skipgram",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
