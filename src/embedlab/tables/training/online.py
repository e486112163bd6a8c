"""Online training on a click stream, Monolith-style (Liu et al., 2022, sections 2.2-2.4).

:class:`OnlineTrainer` keeps two copies of a CTR model: the **training** copy learns from every
batch of the stream in order; the **serving** copy scores the traffic. Every ``sync_interval``
units of stream time only the embedding rows touched since the last sync are pushed to serving
(with the collisionless table's ID -> row map, which is metadata), and the dense weights every
``dense_sync_interval`` (slower: they change little per step), as Monolith's parameter sync does.
``sync_interval=0`` serves the training copy itself (no staleness).

**Progressive validation** (Blum et al., 1999; McMahan et al., 2013): each batch is scored by the
serving copy *before* it is trained on, so every example is a test example for a model that has
never seen it; AUC is reported per window of the stream and as the mean over windows.

Expired IDs are evicted every ``expire_check`` units of stream time (default an eighth of the
table's ``expire_after``). Snapshots (:meth:`OnlineTrainer.snapshot`) hold everything the run
needs to continue, written atomically every ``snapshot_interval``; after a crash,
``run(..., resume_from=path)`` restores the state and replays the stream from the snapshot's
position, so at most one snapshot interval of updates is redone and the result is the same as an
uninterrupted run, byte for byte. A snapshot holds only tensors, plain containers and one JSON
string of metadata, and is read with ``torch.load(weights_only=True)``: a crafted file cannot run
code. It records the table and its seed, and a resume with other options is refused.

Sparse rows use row-wise Adagrad (:meth:`~embedlab.tables.fields.FieldEmbedding.adagrad_step`,
Monolith's default for embeddings), dense weights Adam. AUC and log-loss are
:func:`embedlab.eval.metrics.roc_auc` and :func:`embedlab.eval.metrics.log_loss`.
"""

from __future__ import annotations

import copy
import io
import itertools
import json
import math
import os
import pickle
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.datasets._streams import ClickStream
from embedlab.eval.metrics import log_loss, roc_auc
from embedlab.exceptions import InvalidInputError
from embedlab.tables._torch import torch
from embedlab.tables.fields import FieldEmbedding
from embedlab.utils.fileio import atomic_file
from embedlab.utils.progress import progress

__all__ = ["OnlineTrainer", "StreamResult"]

_SNAPSHOT_FORMAT = "embedlab.online/2"


def _window_auc(y: np.ndarray, p: np.ndarray) -> float:
    """ROC AUC of one window, NaN when the window holds one class only."""
    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any():
        return float("nan")
    return roc_auc(y, p)


def _tensors(arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    return {k: torch.from_numpy(np.array(v, copy=True)) for k, v in arrays.items()}


def _arrays(tensors: dict[str, Any]) -> dict[str, np.ndarray]:
    return {k: v.numpy() for k, v in tensors.items()}


@dataclass
class StreamResult:
    """What :meth:`OnlineTrainer.run` measured (``auc`` is the mean of ``auc_per_window``).

    Attributes
    ----------
    auc : float
        Mean of the windows' progressive-validation AUC (NaN windows skipped).
    auc_per_window : list of float
        AUC of each window (NaN for a one-class window).
    logloss : float
        Log-loss over the whole stream.
    memory_bytes, peak_memory_bytes : int
        The embedding's memory at the end and at its peak.
    rows, evictions, examples, syncs, rows_synced : int
        Rows at the end, IDs evicted, examples scored, syncs and rows pushed to serving.
    examples_per_second : float
        Throughput.
    table, model : str
        The embedding's registry name and the model's class.
    settings : dict
        Sync intervals, batch size, sparse step size.
    """

    auc: float
    auc_per_window: list[float]
    logloss: float
    memory_bytes: int
    peak_memory_bytes: int
    rows: int
    evictions: int
    examples_per_second: float
    examples: int
    syncs: int = 0
    rows_synced: int = 0
    table: str = ""
    model: str = ""
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data (NaN AUCs become None)."""
        d = asdict(self)
        d["auc_per_window"] = [None if math.isnan(a) else a for a in self.auc_per_window]
        if math.isnan(d["auc"]):
            d["auc"] = None
        return d


def _check_interval(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise InvalidInputError(f"{name} must be None or an int >= 0 (stream time), got {value!r}.")
    return int(value)


class OnlineTrainer:
    """Train ``model`` on ``embedding``'s field vectors from a stream, with a lagging serving copy.

    Parameters
    ----------
    embedding : FieldEmbedding
        The input layer (trained sparsely with row-wise Adagrad).
    model : torch.nn.Module
        A CTR model on ``[B, F, D]`` field vectors returning logits ``[B]``.
    sparse_lr : float, default=0.05
        Adagrad step size of the embedding rows.
    dense_lr : float, default=1e-3
        Adam step size of the model.
    batch_size : int, default=256
        Examples per step.
    sync_interval : int or None, default=0
        Stream time between pushes of the touched rows to serving (0: serve the training copy).
    dense_sync_interval : int or None, default=None
        Stream time between pushes of the dense weights (default ``4 * sync_interval``).
    expire_check : int or None, default=None
        Stream time between evictions (default ``expire_after // 8`` of the table).
    snapshot_interval : int or None, default=None
        Stream time between snapshots (with ``snapshot_path``).
    snapshot_path : path-like or None, default=None
        Where snapshots are written (atomically).
    show_progress : bool, default=False
        Show a progress bar.

    Attributes
    ----------
    serving_embedding, serving_model
        The serving copy (the training copy itself when ``sync_interval=0``).
    syncs_, rows_synced_ : int
        Syncs made and rows pushed.

    Examples
    --------
    >>> from embedlab.datasets import synthetic_drifting_stream
    >>> from embedlab.tables import CollisionlessFields, DeepFM, OnlineTrainer
    >>> s = synthetic_drifting_stream(5_000, n_users=200, n_live_items=100, item_lifetime=20)
    >>> emb = CollisionlessFields(num_fields=3, embedding_dim=8, random_state=0)
    >>> net = DeepFM(num_fields=3, field_dim=8, random_state=0)
    >>> res = OnlineTrainer(emb, net, sync_interval=5).run(s, n_windows=5)
    >>> len(res.auc_per_window), res.rows > 0
    (5, True)
    """

    def __init__(
        self,
        embedding: FieldEmbedding,
        model: Any,
        *,
        sparse_lr: float = 0.05,
        dense_lr: float = 1e-3,
        batch_size: int = 256,
        sync_interval: int | None = 0,
        dense_sync_interval: int | None = None,
        expire_check: int | None = None,
        snapshot_interval: int | None = None,
        snapshot_path: str | os.PathLike[str] | None = None,
        show_progress: bool = False,
    ) -> None:
        if not isinstance(embedding, FieldEmbedding):
            raise InvalidInputError("embedding must be a FieldEmbedding.")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidInputError(f"batch_size must be an int >= 1, got {batch_size!r}.")
        for name, lr in (("sparse_lr", sparse_lr), ("dense_lr", dense_lr)):
            if not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)):
                raise InvalidInputError(f"{name} must be a positive number, got {lr!r}.")
        self.embedding = embedding
        self.model = model
        self.sparse_lr = float(sparse_lr)
        self.batch_size = batch_size
        si = _check_interval(sync_interval, "sync_interval")
        self.sync_interval = 0 if si is None else si
        dsi = _check_interval(dense_sync_interval, "dense_sync_interval")
        self.dense_sync_interval = 4 * self.sync_interval if dsi is None else dsi
        self.expire_check = _check_interval(expire_check, "expire_check")
        self.snapshot_interval = _check_interval(snapshot_interval, "snapshot_interval")
        if (self.snapshot_interval is None) != (snapshot_path is None):
            raise InvalidInputError("snapshot_interval and snapshot_path go together.")
        self.snapshot_path = None if snapshot_path is None else Path(snapshot_path)
        self.show_progress = show_progress
        self.optimizer = torch.optim.Adam(model.parameters(), lr=float(dense_lr))
        self.loss_fn = torch.nn.BCEWithLogitsLoss()
        if self.sync_interval > 0:
            self.serving_embedding = copy.deepcopy(embedding)
            self.serving_model = copy.deepcopy(model)
        else:
            self.serving_embedding, self.serving_model = embedding, model
        self._touched: list[Any] = []  # per weight group: rows touched since the last sync
        self.syncs_ = 0
        self.rows_synced_ = 0

    # -- one step ----------------------------------------------------------------------------
    def train_batch(self, X: np.ndarray, y: np.ndarray, times: np.ndarray | None = None) -> float:
        """One step on a batch (the training copy).

        Parameters
        ----------
        X : ndarray of int64, shape (B, F)
            Raw IDs.
        y : ndarray, shape (B,)
            Clicks (0 or 1).
        times : ndarray of int64, optional
            Stream time of each example.

        Returns
        -------
        float
            The batch's mean log-loss before the step.
        """
        emb = self.embedding
        rows = emb.field_rows(X, times, train=True)
        leaves = emb.gather(rows)
        vec = emb.vectors(rows, leaves)
        self.model.train()
        loss = self.loss_fn(self.model(vec), torch.from_numpy(np.asarray(y, np.float32)))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        for (g, _), (uniq, _, leaf) in zip(emb.group_fields(), leaves, strict=True):
            emb.adagrad_step(g, uniq, leaf.grad, self.sparse_lr)
            self._touch(g, uniq)
        return float(loss.detach())

    def _touch(self, group: int, rows: Any) -> None:
        n = int(self.embedding.weight_groups[group].shape[0])
        while len(self._touched) <= group:
            self._touched.append(torch.zeros(0, dtype=torch.bool))
        mask = self._touched[group]
        if len(mask) < n:
            grown = torch.zeros(n, dtype=torch.bool)
            grown[: len(mask)] = mask
            self._touched[group] = mask = grown
        mask[rows] = True

    @torch.no_grad()
    def predict(self, X: np.ndarray, *, serving: bool = True) -> np.ndarray:
        """Click probabilities ``[B]`` (float64) from the serving copy (or the training copy)."""
        emb = self.serving_embedding if serving else self.embedding
        net = self.serving_model if serving else self.model
        net.eval()
        return torch.sigmoid(net(emb(X))).numpy().astype(np.float64)

    def sync(self, *, dense: bool) -> int:
        """Push the rows touched since the last sync (and the dense weights if ``dense``).

        Returns
        -------
        int
            Rows pushed.
        """
        if self.sync_interval == 0:
            return 0
        rows = [torch.nonzero(m).ravel() for m in self._touched]
        rows += [torch.zeros(0, dtype=torch.int64)] * (
            len(self.embedding.weight_groups) - len(rows)
        )
        self.embedding.push_rows(self.serving_embedding, rows)
        for m in self._touched:
            m.zero_()
        if dense:
            self.serving_model.load_state_dict(self.model.state_dict())
        self.syncs_ += 1
        n_rows = sum(len(r) for r in rows)
        self.rows_synced_ += n_rows
        return n_rows

    # -- whole streams -----------------------------------------------------------------------
    def fit(self, stream: ClickStream, *, epochs: int = 1) -> OnlineTrainer:
        """Batch training: ``epochs`` passes in stream order, then serving = training.

        Returns
        -------
        OnlineTrainer
            ``self``.
        """
        for _ in range(epochs):
            for s in range(0, len(stream), self.batch_size):
                e = min(s + self.batch_size, len(stream))
                self.train_batch(stream.X[s:e], stream.y[s:e], stream.time[s:e])
        if self.sync_interval > 0:
            for g, w in enumerate(self.embedding.weight_groups):
                self._touch(g, torch.arange(int(w.shape[0])))
            self.sync(dense=True)
        return self

    def evaluate(self, stream: ClickStream, *, n_windows: int = 10) -> StreamResult:
        """Score the whole stream with the serving copy, no training (a frozen model).

        Parameters
        ----------
        stream : ClickStream
            The examples, in time order.
        n_windows : int, default=10
            AUC windows (equal numbers of examples).

        Returns
        -------
        StreamResult
        """
        bounds = stream.window_bounds(n_windows)
        t0 = time.perf_counter()
        p = np.concatenate(
            [
                self.predict(stream.X[s : s + self.batch_size])
                for s in range(0, len(stream), self.batch_size)
            ]
        )
        return self._result(stream, p, bounds, time.perf_counter() - t0)

    def run(
        self,
        stream: ClickStream,
        *,
        n_windows: int = 10,
        resume_from: str | os.PathLike[str] | None = None,
    ) -> StreamResult:
        """Progressive validation over the stream: score each batch with serving, then train.

        Parameters
        ----------
        stream : ClickStream
            The examples, in time order.
        n_windows : int, default=10
            AUC windows (equal numbers of examples).
        resume_from : path-like, optional
            A snapshot of this run (same table, seed and options): continue from it.

        Returns
        -------
        StreamResult
        """
        bounds = stream.window_bounds(n_windows)
        n = len(stream)
        preds = np.empty(n, np.float64)
        t_first = int(stream.time[0])
        expire_after = getattr(self.embedding, "expire_after", None)
        expire_check = self.expire_check
        if expire_check is None and expire_after is not None:
            expire_check = max(1, expire_after // 8)
        sched = {
            "sync": t_first + self.sync_interval,
            "dense": t_first + self.dense_sync_interval,
            "expire": None if expire_check is None else t_first + expire_check,
            "snapshot": (
                None if self.snapshot_interval is None else t_first + self.snapshot_interval
            ),
        }
        start, elapsed = 0, 0.0
        if resume_from is not None:
            start, sched, elapsed = self._restore(resume_from, preds)
        t0 = time.perf_counter()
        with progress("stream", n - start, min_total=1 if self.show_progress else 1e6) as bar:
            self._loop(stream, start, preds, sched, expire_check, bar, elapsed, t0)
        return self._result(stream, preds, bounds, elapsed + time.perf_counter() - t0)

    def _loop(
        self,
        stream: ClickStream,
        start: int,
        preds: np.ndarray,
        sched: dict[str, Any],
        expire_check: int | None,
        bar: Any,
        elapsed: float,
        t0: float,
    ) -> None:
        n = len(stream)
        for s in range(start, n, self.batch_size):
            e = min(s + self.batch_size, n)
            X, y, t = stream.X[s:e], stream.y[s:e], stream.time[s:e]
            preds[s:e] = self.predict(X)
            self.train_batch(X, y, t)
            now = int(t[-1])
            if expire_check is not None and now >= sched["expire"]:
                self.embedding.expire(now)
                sched["expire"] = _next(sched["expire"], now, expire_check)
            if self.sync_interval > 0 and now >= sched["sync"]:
                dense = now >= sched["dense"]
                self.sync(dense=dense)
                sched["sync"] = _next(sched["sync"], now, self.sync_interval)
                if dense:
                    sched["dense"] = _next(sched["dense"], now, max(self.dense_sync_interval, 1))
            if sched["snapshot"] is not None and now >= sched["snapshot"]:
                interval, path = self.snapshot_interval, self.snapshot_path
                if interval is None or path is None:  # pragma: no cover - set together
                    raise RuntimeError("snapshot_interval and snapshot_path go together")
                sched["snapshot"] = _next(sched["snapshot"], now, interval)
                self.snapshot(
                    path,
                    position=e,
                    schedule=sched,
                    preds=preds[:e],
                    elapsed=elapsed + time.perf_counter() - t0,
                )
            bar.advance(e - s)

    def _result(
        self, stream: ClickStream, preds: np.ndarray, bounds: np.ndarray, seconds: float
    ) -> StreamResult:
        aucs = [_window_auc(stream.y[a:b], preds[a:b]) for a, b in itertools.pairwise(bounds)]
        finite = [a for a in aucs if not math.isnan(a)]
        emb = self.embedding
        return StreamResult(
            auc=float(np.mean(finite)) if finite else float("nan"),
            auc_per_window=aucs,
            logloss=log_loss(stream.y, preds),
            memory_bytes=emb.memory_bytes(),
            peak_memory_bytes=emb.peak_memory_bytes,
            rows=emb.num_rows,
            evictions=emb.evictions,
            examples_per_second=len(stream) / max(seconds, 1e-9),
            examples=len(stream),
            syncs=self.syncs_,
            rows_synced=self.rows_synced_,
            table=emb.name,
            model=type(self.model).__name__,
            settings={
                "sync_interval": self.sync_interval,
                "dense_sync_interval": self.dense_sync_interval,
                "batch_size": self.batch_size,
                "sparse_lr": self.sparse_lr,
            },
        )

    # -- snapshots ---------------------------------------------------------------------------
    def _identity(self) -> dict[str, Any]:
        """Return what a snapshot must agree on with the trainer that resumes from it."""
        seed = getattr(self.embedding, "seed_", None)
        return {"table": self.embedding.name, "seed": None if seed is None else int(seed)}

    def snapshot(
        self,
        path: str | os.PathLike[str],
        *,
        position: int = 0,
        schedule: dict[str, Any] | None = None,
        preds: np.ndarray | None = None,
        elapsed: float = 0.0,
    ) -> Path:
        """Atomically write everything needed to continue.

        Both copies of the embedding and the model, the dense optimizer, the touched-row set, the
        stream position and schedule. The file holds tensors, plain containers and one JSON
        string (``"meta"``) only, so it loads with ``torch.load(weights_only=True)``.

        Parameters
        ----------
        path : path-like
            The file (replaced atomically; its folder is created if missing).
        position : int, default=0
            Examples consumed so far.
        schedule : dict, optional
            Next stream times of sync, dense sync, expiry and snapshot.
        preds : ndarray, optional
            Predictions made so far.
        elapsed : float, default=0.0
            Seconds of training so far.

        Returns
        -------
        Path
            ``path``.
        """
        meta = {
            "format": _SNAPSHOT_FORMAT,
            **self._identity(),
            "model": type(self.model).__name__,
            "position": int(position),
            "schedule": {k: None if v is None else int(v) for k, v in (schedule or {}).items()},
            "elapsed": float(elapsed),
            "syncs": int(self.syncs_),
            "rows_synced": int(self.rows_synced_),
        }
        serving = self.sync_interval > 0
        state = {
            "meta": json.dumps(meta),
            "embedding": _tensors(self.embedding.state_arrays()),
            "serving_embedding": (
                _tensors(self.serving_embedding.state_arrays()) if serving else None
            ),
            "model": self.model.state_dict(),
            "serving_model": self.serving_model.state_dict() if serving else None,
            "optimizer": self.optimizer.state_dict(),
            "touched": [m.clone() for m in self._touched],
            "preds": None if preds is None else torch.from_numpy(np.array(preds, np.float64)),
        }
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as fh:
            torch.save(state, fh)
        return path

    @staticmethod
    def read_snapshot(path: str | os.PathLike[str]) -> dict[str, Any]:
        """Read a snapshot safely (``weights_only=True``), its metadata decoded into ``"meta"``.

        Parameters
        ----------
        path : path-like
            A file written by :meth:`snapshot`.

        Returns
        -------
        dict
            The saved state.
        """
        p = Path(path)
        if not p.is_file():
            raise InvalidInputError(f"No snapshot at {p}.")
        try:
            state = torch.load(io.BytesIO(p.read_bytes()), weights_only=True)
        except pickle.UnpicklingError as exc:
            # weights_only refuses any callable or class it does not allow: a crafted pickle
            # stops here, before anything runs
            if any(k in str(exc).lower() for k in ("unsupported global", "unsupported class")):
                raise InvalidInputError(
                    f"snapshot {p} holds pickled objects other than tensors and plain data; "
                    "refusing to load it (unpickling it could run code)."
                ) from None
            raise InvalidInputError(f"snapshot {p} is truncated or corrupt.") from None
        except (RuntimeError, EOFError, OSError, ValueError, KeyError, zipfile.BadZipFile):
            raise InvalidInputError(f"snapshot {p} is truncated or corrupt.") from None
        try:
            meta = json.loads(state["meta"])
            ok = meta.get("format") == _SNAPSHOT_FORMAT
        except (TypeError, KeyError, ValueError, AttributeError):
            ok = False
        if not ok:
            raise InvalidInputError(f"snapshot {p} is truncated or corrupt.")
        return {**state, "meta": meta}

    def _restore(
        self, path: str | os.PathLike[str], preds: np.ndarray
    ) -> tuple[int, dict[str, Any], float]:
        p = Path(path)
        state = self.read_snapshot(p)
        meta = state["meta"]
        mine = self._identity()
        if {k: meta.get(k) for k in mine} != mine:
            raise InvalidInputError(
                f"snapshot was taken with table={meta.get('table')}, seed={meta.get('seed')}; "
                f"pass the same options (this run: table={mine['table']}, seed={mine['seed']})."
            )
        if self.sync_interval > 0 and state["serving_embedding"] is None:
            raise InvalidInputError("The snapshot was taken without a serving copy.")
        try:
            self.embedding.load_state_arrays(_arrays(state["embedding"]))
            self.model.load_state_dict(state["model"])
            self.optimizer.load_state_dict(state["optimizer"])
            if self.sync_interval > 0:
                self.serving_embedding.load_state_arrays(_arrays(state["serving_embedding"]))
                self.serving_model.load_state_dict(state["serving_model"])
        except (KeyError, RuntimeError, ValueError) as exc:
            raise InvalidInputError(
                f"snapshot {p} does not fit this trainer's embedding and model ({exc}); "
                "pass the same options."
            ) from None
        if self.sync_interval == 0:
            self.serving_embedding, self.serving_model = self.embedding, self.model
        self._touched = [m.clone() for m in state["touched"]]
        self.syncs_ = int(meta["syncs"])
        self.rows_synced_ = int(meta["rows_synced"])
        pos = int(meta["position"])
        if state["preds"] is not None:
            preds[:pos] = state["preds"].numpy()[:pos]
        return pos, dict(meta["schedule"]), float(meta["elapsed"])


def _next(current: int, now: int, interval: int) -> int:
    """Return the first multiple-of-``interval`` step after ``current`` that is past ``now``."""
    if interval <= 0:
        return now + 1
    k = (now - current) // interval + 1
    return current + k * interval
