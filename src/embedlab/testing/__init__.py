"""Shared contract checks that every registered component must pass.

Each ``*_checks()`` generator yields checks usable alone (``pytest.mark.parametrize`` over
them), in the spirit of scikit-learn's ``estimator_checks`` and PyKEEN's ``tests/cases.py``;
``tests/test_contracts.py`` runs every registered component through its family's suite.

* embedders: :func:`embedder_checks`, :func:`check_embedder` (``check(cls)``);
* evaluators: :func:`evaluator_checks`, :func:`check_evaluator` (``check(name_or_cls,
  fixture=None)``, with a synthetic :class:`EvaluatorFixture` per registered evaluator);
* embedding tables, field embeddings, CTR models: :func:`table_checks`,
  :func:`field_embedding_checks`, :func:`ctr_model_checks` (``check(name_or_cls)``);
* knowledge-graph models: :func:`kg_model_checks`, :func:`check_kg_model` (``check(name_or_cls)``);
* metric-learning losses: :func:`loss_checks`, :func:`check_loss` (``check(name_or_cls)``);
* large-model layers: :func:`layer_checks`, :func:`check_layer` (``check(name_or_cls)``);
* session models (M2TRec, SASRec): :func:`session_model_checks`, :func:`check_session_model`
  (``check(cls_or_factory)``);
* indexes and compressors: :func:`index_checks` (``check(spec)``), :func:`compressor_checks`;
* bench tasks, reproductions, click streams: :func:`bench_task_checks`,
  :func:`reproduction_checks`, :func:`stream_checks`;
* Dask backends: :func:`distributed_backend_checks`, :func:`check_distributed_backend`
  (``check(backend_cls)``: equal to local, or as good, and deterministic);
* every registry entry: :func:`check_registry_entry` (it imports and has ``name == key``).

The table and index checks import torch or FAISS only when they run.
"""

from embedlab.testing._bench_checks import (
    bench_task_checks,
    check_bench_task,
    check_reproduction,
    check_stream,
    reproduction_checks,
    stream_checks,
)
from embedlab.testing._checks import (
    check_embedder,
    check_name_matches_registry,
    check_registry_entry,
    embedder_checks,
)
from embedlab.testing._distributed_checks import (
    check_distributed_backend,
    distributed_backend_checks,
)
from embedlab.testing._evaluator_checks import (
    EvaluatorFixture,
    check_evaluator,
    evaluator_checks,
    evaluator_fixture,
)
from embedlab.testing._index_checks import compressor_checks, index_checks
from embedlab.testing._kg_checks import check_kg_model, kg_model_checks
from embedlab.testing._layer_checks import check_layer, layer_checks
from embedlab.testing._loss_checks import check_loss, loss_checks
from embedlab.testing._session_checks import check_session_model, session_model_checks
from embedlab.testing._table_checks import (
    check_ctr_model,
    check_field_embedding,
    check_table,
    ctr_model_checks,
    field_embedding_checks,
    table_checks,
)

__all__ = [
    "EvaluatorFixture",
    "bench_task_checks",
    "check_bench_task",
    "check_ctr_model",
    "check_distributed_backend",
    "check_embedder",
    "check_evaluator",
    "check_field_embedding",
    "check_kg_model",
    "check_layer",
    "check_loss",
    "check_name_matches_registry",
    "check_registry_entry",
    "check_reproduction",
    "check_session_model",
    "check_stream",
    "check_table",
    "compressor_checks",
    "ctr_model_checks",
    "distributed_backend_checks",
    "embedder_checks",
    "evaluator_checks",
    "evaluator_fixture",
    "field_embedding_checks",
    "index_checks",
    "kg_model_checks",
    "layer_checks",
    "loss_checks",
    "reproduction_checks",
    "session_model_checks",
    "stream_checks",
    "table_checks",
]
