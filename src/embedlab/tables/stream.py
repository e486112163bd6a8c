"""One online-training run on a click stream, as ``embedlab tables stream`` does it.

:func:`make_field_embedding` builds the input layer for a stream: ``collisionless`` (Monolith's
table per field, optional frequency filter and expiry), ``hash`` (the hashing trick per field, rows
split by the stream's per-field vocabulary sizes, which favours hashing) or ``unified`` (one
multiplexed table, ``num_chunks`` probes per field). :func:`run_stream` runs progressive
validation with a serving copy. When ``hash`` or ``unified`` get no memory setting, a collisionless
run on the same stream (same threshold and expiry) is made first and its peak memory is theirs, so
the comparison is at equal memory.
"""

from __future__ import annotations

from typing import Any

from embedlab.datasets._streams import (
    ClickStream,
    load_movielens_stream,
    synthetic_drifting_stream,
)
from embedlab.exceptions import InvalidInputError
from embedlab.tables.base import PARAM_BYTES
from embedlab.tables.ctr import make_ctr_model
from embedlab.tables.fields import (
    CollisionlessFields,
    FieldEmbedding,
    PerFieldHashing,
    UnifiedEmbedding,
)
from embedlab.tables.online import OnlineTrainer

__all__ = [
    "STREAM_DATASETS",
    "STREAM_TABLES",
    "load_stream",
    "make_field_embedding",
    "run_stream",
]

STREAM_DATASETS = ("movielens-100k", "synthetic")
STREAM_TABLES = ("collisionless", "hash", "unified")
#: default sync interval per data set, in its stream time (seconds for MovieLens, ticks of 50
#: examples for the synthetic stream)
DEFAULT_SYNC = {"movielens-100k": 3600, "synthetic": 10}


def load_stream(name: str, *, examples: int = 1_000_000, seed: int = 0) -> ClickStream:
    """``movielens-100k`` (from ``$EMBEDLAB_DATA``) or ``synthetic`` (``examples`` long)."""
    if name == "movielens-100k":
        return load_movielens_stream()
    if name == "synthetic":
        return synthetic_drifting_stream(examples, random_state=seed)
    raise InvalidInputError(f"Unknown stream {name!r}; choose from {', '.join(STREAM_DATASETS)}.")


def make_field_embedding(
    table: str,
    stream: ClickStream,
    *,
    embedding_dim: int = 16,
    memory_bytes: int | None = None,
    occurrence_threshold: int = 1,
    expire_after: int | None = None,
    num_chunks: int = 4,
    seed: int = 0,
) -> FieldEmbedding:
    """The input layer ``table`` for ``stream`` (``memory_bytes`` required for hash/unified)."""
    F = stream.num_fields
    if table == "collisionless":
        return CollisionlessFields(
            num_fields=F,
            embedding_dim=embedding_dim,
            occurrence_threshold=occurrence_threshold,
            expire_after=expire_after,
            initial_capacity=16,
            random_state=seed,
        )
    if table not in STREAM_TABLES:
        raise InvalidInputError(f"Unknown table {table!r}; choose from {', '.join(STREAM_TABLES)}.")
    if memory_bytes is None:
        raise InvalidInputError(f"The {table} table needs a memory budget (memory_bytes).")
    if table == "hash":
        return PerFieldHashing.from_budget(
            memory_bytes=memory_bytes,
            field_sizes=stream.field_sizes(),
            embedding_dim=embedding_dim,
            random_state=seed,
        )
    return UnifiedEmbedding.from_budget(
        memory_bytes=memory_bytes,
        embedding_dim=embedding_dim,
        num_chunks=num_chunks,
        num_fields=F,
        random_state=seed,
    )


def full_table_bytes(stream: ClickStream, embedding_dim: int) -> int:
    """Parameter bytes of a full table: one row per distinct ID of each field."""
    return int(stream.field_sizes().sum()) * embedding_dim * PARAM_BYTES


def run_stream(
    stream: ClickStream,
    *,
    table: str = "collisionless",
    model: str = "deepfm",
    embedding_dim: int = 16,
    occurrence_threshold: int = 1,
    expire_after: int | None = None,
    sync_interval: int | None = None,
    dense_sync_interval: int | None = None,
    memory_bytes: int | None = None,
    memory_fraction: float | None = None,
    num_chunks: int = 4,
    batch_size: int = 256,
    sparse_lr: float = 0.05,
    dense_lr: float = 1e-3,
    n_windows: int = 10,
    seed: int = 0,
    snapshot_path: str | None = None,
    snapshot_interval: int | None = None,
    resume_from: str | None = None,
    show_progress: bool = False,
) -> dict[str, Any]:
    """Progressive-validation run; returns :meth:`StreamResult.to_dict` plus how memory was set."""
    if memory_bytes is not None and memory_fraction is not None:
        raise InvalidInputError("Give memory_bytes or memory_fraction, not both.")
    if memory_fraction is not None:
        if not 0.0 < memory_fraction <= 1.0:
            raise InvalidInputError(f"memory_fraction must be in (0, 1], got {memory_fraction}.")
        memory_bytes = int(memory_fraction * full_table_bytes(stream, embedding_dim))
    if sync_interval is None:
        sync_interval = DEFAULT_SYNC.get(stream.name, 0)
    common: dict[str, Any] = dict(
        model=model,
        embedding_dim=embedding_dim,
        sync_interval=sync_interval,
        dense_sync_interval=dense_sync_interval,
        batch_size=batch_size,
        sparse_lr=sparse_lr,
        dense_lr=dense_lr,
        n_windows=n_windows,
        seed=seed,
        show_progress=show_progress,
    )
    memory_from = "given" if memory_bytes is not None else None
    if table != "collisionless" and memory_bytes is None:
        ref = run_stream(
            stream,
            table="collisionless",
            occurrence_threshold=occurrence_threshold,
            expire_after=expire_after,
            **common,
        )
        memory_bytes = int(ref["peak_memory_bytes"])
        memory_from = "collisionless run (peak memory)"
    emb = make_field_embedding(
        table,
        stream,
        embedding_dim=embedding_dim,
        memory_bytes=memory_bytes,
        occurrence_threshold=occurrence_threshold,
        expire_after=expire_after,
        num_chunks=num_chunks,
        seed=seed,
    )
    net = make_ctr_model(
        model, num_fields=stream.num_fields, field_dim=emb.field_dim, random_state=seed
    )
    trainer = OnlineTrainer(
        emb,
        net,
        sparse_lr=sparse_lr,
        dense_lr=dense_lr,
        batch_size=batch_size,
        sync_interval=sync_interval,
        dense_sync_interval=dense_sync_interval,
        snapshot_interval=snapshot_interval,
        snapshot_path=snapshot_path,
        show_progress=show_progress,
    )
    res = trainer.run(stream, n_windows=n_windows, resume_from=resume_from).to_dict()
    res.update(
        dataset=stream.name,
        model=model,
        memory_budget_bytes=memory_bytes,
        memory_from=memory_from,
        full_table_bytes=full_table_bytes(stream, embedding_dim),
        occurrence_threshold=occurrence_threshold,
        expire_after=expire_after,
        num_chunks=num_chunks if table == "unified" else None,
    )
    return res
