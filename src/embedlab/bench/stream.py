"""One online-training run on a click stream, as ``embedlab bench stream`` does it.

:func:`make_field_embedding` builds the input layer for a stream from a name of
:data:`embedlab.registry.FIELD_TABLES` (``collisionless``: Monolith's table per field, optional
frequency filter and expiry; ``hash``: the hashing trick per field, rows split by the stream's
per-field vocabulary sizes, which favours hashing; ``unified``: one multiplexed table,
``num_chunks`` probes per field), through each class's
:meth:`~embedlab.tables.fields.FieldEmbedding.for_fields`. :func:`run_stream` runs progressive
validation with a serving copy. When ``hash`` or ``unified`` get no memory setting, a
collisionless run on the same stream (same threshold and expiry) is made first and its peak
memory is theirs, so the comparison is at equal memory. Streams come from
:data:`embedlab.registry.STREAMS` (:func:`load_stream`).
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

from embedlab.bench._base import BenchTask
from embedlab.datasets._streams import ClickStream
from embedlab.exceptions import InvalidInputError
from embedlab.registry import FIELD_TABLES, STREAMS
from embedlab.tables.base import PARAM_BYTES, _check_fraction
from embedlab.tables.fields import FieldEmbedding
from embedlab.tables.models.ctr import make_ctr_model
from embedlab.tables.training.online import OnlineTrainer

__all__ = ["StreamBench", "full_table_bytes", "load_stream", "make_field_embedding", "run_stream"]


def load_stream(name: str, *, examples: int = 1_000_000, seed: int = 0) -> ClickStream:
    """Load a registered stream (:data:`embedlab.registry.STREAMS`) by name.

    Parameters
    ----------
    name : str
        ``"movielens-100k"`` (from ``$EMBEDLAB_DATA``) or ``"synthetic"``.
    examples : int, default=1_000_000
        Length of a generated stream.
    seed : int, default=0
        Seed of a generated stream.

    Returns
    -------
    ClickStream

    Examples
    --------
    >>> load_stream("synthetic", examples=500).name
    'synthetic'
    """
    return STREAMS.make(name).load(examples=examples, seed=seed)


def make_field_embedding(
    table: str,
    stream: ClickStream,
    *,
    embedding_dim: int = 16,
    memory_bytes: int | None = None,
    seed: int = 0,
    **options: Any,
) -> FieldEmbedding:
    """Build the input layer ``table`` for ``stream``.

    Parameters
    ----------
    table : str
        A name of :data:`embedlab.registry.FIELD_TABLES`.
    stream : ClickStream
        Its field vocabulary sizes size the tables.
    embedding_dim : int, default=16
        Coordinates per field vector.
    memory_bytes : int, optional
        The budget (required by ``hash`` and ``unified``).
    seed : int, default=0
        Seed of the embedding.
    **options
        Method options (``occurrence_threshold``, ``expire_after``, ``num_chunks``); each
        table takes those its ``for_fields`` names.

    Returns
    -------
    FieldEmbedding

    Examples
    --------
    >>> s = load_stream("synthetic", examples=500)
    >>> make_field_embedding("unified", s, memory_bytes=4096, num_chunks=4).num_rows
    256
    """
    cls = FIELD_TABLES.get(table)
    accepted = inspect.signature(cls.for_fields).parameters
    kw = {k: v for k, v in options.items() if k in accepted}
    return cls.for_fields(
        stream.field_sizes(),
        embedding_dim=embedding_dim,
        memory_bytes=memory_bytes,
        random_state=seed,
        **kw,
    )


def full_table_bytes(stream: ClickStream, embedding_dim: int) -> int:
    """Parameter bytes of a full table: one row per distinct ID of each field.

    Examples
    --------
    >>> s = load_stream("synthetic", examples=500)
    >>> full_table_bytes(s, 4) == int(s.field_sizes().sum()) * 16
    True
    """
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
    """Progressive-validation run; returns :meth:`StreamResult.to_dict` plus how memory was set.

    Parameters
    ----------
    stream : ClickStream
        The examples in time order.
    table : str, default="collisionless"
        A name of :data:`embedlab.registry.FIELD_TABLES`.
    model : str, default="deepfm"
        A name of :data:`embedlab.registry.CTR_MODELS`.
    embedding_dim : int, default=16
        Coordinates per field vector.
    occurrence_threshold, expire_after
        Collisionless options (also used by the reference run that sets the memory).
    sync_interval : int, optional
        Default: the stream's own (:class:`~embedlab.datasets._streams.StreamSource`), else 0.
    dense_sync_interval : int, optional
        Default ``4 * sync_interval``.
    memory_bytes : int, optional
        Memory of a ``hash`` / ``unified`` table.
    memory_fraction : float, optional
        ... or a fraction of :func:`full_table_bytes` (at most one of the two; with neither,
        a collisionless run's peak memory).
    num_chunks : int, default=4
        Unified Embedding probes per field.
    batch_size, sparse_lr, dense_lr, n_windows, snapshot_path, snapshot_interval, resume_from,\
 show_progress
        As in :class:`~embedlab.tables.training.online.OnlineTrainer` and its ``run``.
    seed : int, default=0
        Seed of the embedding and the model.

    Returns
    -------
    dict
        The result, plus ``dataset``, ``memory_budget_bytes``, ``memory_from``,
        ``full_table_bytes`` and the table options.

    Examples
    --------
    >>> r = run_stream(load_stream("synthetic", examples=2000), table="hash", memory_bytes=8000,
    ...                n_windows=2)
    >>> r["memory_bytes"] <= 8000, len(r["auc_per_window"])
    (True, 2)
    """
    if memory_bytes is not None and memory_fraction is not None:
        raise InvalidInputError("Give memory_bytes or memory_fraction, not both.")
    if memory_fraction is not None:
        frac = _check_fraction(memory_fraction)
        memory_bytes = int(frac * full_table_bytes(stream, embedding_dim))
    if sync_interval is None:
        sync_interval = STREAMS.get(stream.name).sync_interval if stream.name in STREAMS else 0
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
    FIELD_TABLES.get(table)  # an unknown name fails before the reference run
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


class StreamBench(BenchTask):
    """``embedlab bench stream``: one progressive-validation run on a registered stream.

    ``run(dataset=..., examples=..., **options)`` loads the stream (:func:`load_stream`) and
    calls :func:`run_stream` with the other options; ``markdown`` renders the AUC per window
    and the run's memory and throughput.

    Examples
    --------
    >>> b = StreamBench()
    >>> res = b.run(dataset="synthetic", examples=2000, table="collisionless", n_windows=2)
    >>> b.markdown(res).splitlines()[0]
    '| window | AUC |'
    """

    name: ClassVar[str] = "stream"
    title: ClassVar[str] = "Online training on a click stream (progressive validation)"

    def run(
        self, *, dataset: str = "movielens-100k", examples: int = 1_000_000, **options: Any
    ) -> dict[str, Any]:
        """Load ``dataset`` and run :func:`run_stream` (``seed`` also seeds the stream)."""
        stream = load_stream(dataset, examples=examples, seed=options.get("seed", 0))
        return run_stream(stream, **options)

    def markdown(self, results: dict[str, Any]) -> str:
        """AUC per window, then one summary line."""
        lines = ["| window | AUC |", "|---:|---:|"]
        for i, a in enumerate(results["auc_per_window"]):
            lines.append(f"| {i + 1} | {'-' if a is None else f'{a:.4f}'} |")
        auc = "-" if results["auc"] is None else f"{results['auc']:.4f}"
        lines.append("")
        lines.append(
            f"AUC (mean of windows) {auc}, log-loss {results['logloss']:.4f}, "
            f"memory {results['memory_bytes'] / 2**20:.2f} MiB, rows {results['rows']:,}, "
            f"evictions {results['evictions']:,}, {results['examples_per_second']:,.0f} examples/s"
        )
        return "\n".join(lines)
