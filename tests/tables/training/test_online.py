"""Online training: serving copy and syncs, progressive validation, snapshots and resume."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from embedlab.datasets import synthetic_drifting_stream
from embedlab.exceptions import InvalidInputError
from embedlab.tables import (
    CollisionlessFields,
    DeepFM,
    OnlineTrainer,
    PerFieldHashing,
    UnifiedEmbedding,
)


@pytest.fixture(scope="module")
def stream():
    return synthetic_drifting_stream(
        6000, n_users=300, n_live_items=120, item_lifetime=30, random_state=0
    )


def _trainer(kind: str = "collisionless", **kwargs) -> OnlineTrainer:
    if kind == "collisionless":
        emb = CollisionlessFields(
            num_fields=3,
            embedding_dim=8,
            occurrence_threshold=2,
            expire_after=20,
            initial_capacity=4,
            random_state=0,
        )
    elif kind == "hash":
        emb = PerFieldHashing(rows_per_field=[50, 50, 20], embedding_dim=8, random_state=0)
    else:
        emb = UnifiedEmbedding(
            num_rows=60, embedding_dim=8, num_fields=3, num_chunks=2, random_state=0
        )
    net = DeepFM(num_fields=3, field_dim=8, hidden=(16,), random_state=0)
    return OnlineTrainer(emb, net, batch_size=200, **kwargs)


def _emb_bytes(emb) -> dict[str, bytes]:
    return {k: np.ascontiguousarray(v).tobytes() for k, v in emb.state_arrays().items()}


@pytest.mark.parametrize("kind", ["collisionless", "hash", "unified"])
def test_serving_only_changes_at_syncs_and_only_touched_rows_move(stream, kind: str) -> None:
    tr = _trainer(kind, sync_interval=1000)  # no sync within the batches below
    X, y, t = stream.X, stream.y, stream.time
    before = tr.predict(X[:300])
    serving_w = [w.detach().clone() for w in tr.serving_embedding.weight_groups]
    tr.train_batch(X[:200], y[:200], t[:200])
    tr.train_batch(X[200:400], y[200:400], t[200:400])
    np.testing.assert_array_equal(tr.predict(X[:300]), before)  # serving is stale
    touched = [m.clone() for m in tr._touched]
    n = tr.sync(dense=False)
    assert n == sum(int(m.sum()) for m in touched) > 0
    for g, (w_srv, w_tr) in enumerate(
        zip(tr.serving_embedding.weight_groups, tr.embedding.weight_groups, strict=True)
    ):
        rows = torch.nonzero(touched[g]).ravel()
        torch.testing.assert_close(w_srv.detach()[rows], w_tr.detach()[rows])  # pushed
        rest = torch.ones(len(serving_w[g]), dtype=torch.bool)
        rest[rows[rows < len(rest)]] = False  # serving rows that existed before the sync
        torch.testing.assert_close(w_srv.detach()[: len(rest)][rest], serving_w[g][rest])  # not
    # dense weights wait for their own, slower sync
    for p_srv, p0 in zip(
        tr.serving_model.parameters(),
        DeepFM(num_fields=3, field_dim=8, hidden=(16,), random_state=0).parameters(),
        strict=True,
    ):
        assert torch.equal(p_srv, p0)
    tr.sync(dense=True)
    np.testing.assert_array_equal(tr.predict(X[:300]), tr.predict(X[:300], serving=False))


def test_serving_lookup_follows_the_collisionless_index(stream) -> None:
    tr = _trainer("collisionless", sync_interval=1000)
    tr.train_batch(stream.X[:400], stream.y[:400], stream.time[:400])
    srv = tr.serving_embedding
    assert all(t.num_live == 0 for t in srv.tables)  # nothing synced yet
    tr.sync(dense=True)
    for a, b in zip(tr.embedding.tables, srv.tables, strict=True):
        np.testing.assert_array_equal(a.rows(stream.X[:400, 0]), b.rows(stream.X[:400, 0]))


def test_progressive_validation_scores_before_training(stream) -> None:
    tr = _trainer("hash", sync_interval=0)
    first = tr.predict(stream.X[:200])  # the untrained model
    res = tr.run(stream, n_windows=3)
    ref = _trainer("hash", sync_interval=0)
    preds_first_batch = ref.predict(stream.X[:200])
    np.testing.assert_array_equal(first, preds_first_batch)
    assert len(res.auc_per_window) == 3 and res.examples == len(stream)
    assert 0.5 < res.auc < 1.0  # it learns something on a stream with signal


def test_same_seed_same_run(stream) -> None:
    a = _trainer("collisionless", sync_interval=5).run(stream, n_windows=4)
    b = _trainer("collisionless", sync_interval=5).run(stream, n_windows=4)
    assert a.auc_per_window == b.auc_per_window and a.logloss == b.logloss
    assert a.rows_synced == b.rows_synced and a.evictions == b.evictions > 0


def test_crash_and_resume_equals_an_uninterrupted_run(stream, tmp_path, monkeypatch) -> None:
    path = tmp_path / "run.snap"
    ref_tr = _trainer("collisionless", sync_interval=5, snapshot_interval=10, snapshot_path=path)
    ref = ref_tr.run(stream, n_windows=4)

    crashing = _trainer("collisionless", sync_interval=5, snapshot_interval=10, snapshot_path=path)
    calls = {"n": 0}
    original = OnlineTrainer.train_batch

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 17:
            raise RuntimeError("crash")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(OnlineTrainer, "train_batch", flaky)
    with pytest.raises(RuntimeError, match="crash"):
        crashing.run(stream, n_windows=4)
    monkeypatch.setattr(OnlineTrainer, "train_batch", original)
    saved = OnlineTrainer.read_snapshot(path)  # torch.load(weights_only=True)
    lost = 16 * 200 - saved["meta"]["position"]
    assert 0 <= lost <= 10 * 50 + 200  # at most one snapshot interval (10 ticks of 50) + a batch

    fresh = _trainer("collisionless", sync_interval=5, snapshot_interval=10, snapshot_path=path)
    res = fresh.run(stream, n_windows=4, resume_from=path)
    assert res.auc_per_window == ref.auc_per_window and res.logloss == ref.logloss
    assert _emb_bytes(fresh.embedding) == _emb_bytes(ref_tr.embedding)
    assert _emb_bytes(fresh.serving_embedding) == _emb_bytes(ref_tr.serving_embedding)
    for pa, pb in zip(fresh.model.parameters(), ref_tr.model.parameters(), strict=True):
        assert torch.equal(pa, pb)


def test_batch_fit_then_evaluate(stream) -> None:
    tr = _trainer("unified", sync_interval=3)
    half = len(stream) // 2
    tr.fit(stream.slice(0, half))
    np.testing.assert_array_equal(
        tr.predict(stream.X[:50]), tr.predict(stream.X[:50], serving=False)
    )
    res = tr.evaluate(stream.slice(half, len(stream)), n_windows=2)
    assert len(res.auc_per_window) == 2


def test_errors(stream, tmp_path) -> None:
    emb = PerFieldHashing(rows_per_field=[5, 5, 5], embedding_dim=4)
    net = DeepFM(num_fields=3, field_dim=4)
    with pytest.raises(InvalidInputError, match="^embedding must be a FieldEmbedding.$"):
        OnlineTrainer(net, net)
    with pytest.raises(InvalidInputError, match="^batch_size must be an int >= 1, got 0.$"):
        OnlineTrainer(emb, net, batch_size=0)
    with pytest.raises(InvalidInputError, match="^sparse_lr must be a positive number, got -1.$"):
        OnlineTrainer(emb, net, sparse_lr=-1)
    with pytest.raises(
        InvalidInputError,
        match=r"^sync_interval must be None or an int >= 0 \(stream time\), got -2.$",
    ):
        OnlineTrainer(emb, net, sync_interval=-2)
    with pytest.raises(
        InvalidInputError, match="^snapshot_interval and snapshot_path go together.$"
    ):
        OnlineTrainer(emb, net, snapshot_interval=5)
    with pytest.raises(InvalidInputError, match="^No snapshot at "):
        OnlineTrainer(emb, net).run(stream, resume_from=tmp_path / "none")
    with pytest.raises(InvalidInputError, match=r"^n_windows must be in \[1, 6000\], got 0.$"):
        OnlineTrainer(emb, net).run(stream, n_windows=0)


class _Evil:
    """A pickle payload: unpickling it creates ``path`` (a stand-in for arbitrary code)."""

    def __init__(self, path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_malicious_snapshot_is_refused_without_running(stream, tmp_path) -> None:
    import pickle

    canary = tmp_path / "canary"
    pickle.loads(pickle.dumps(_Evil(canary))).close()  # the payload does run when unpickled ...
    assert canary.is_file()
    canary.unlink()
    marker = tmp_path / "pwned"
    bad = tmp_path / "evil.snap"
    torch.save({"meta": "{}", "embedding": _Evil(marker)}, bad)
    with pytest.raises(
        InvalidInputError,
        match=r"^snapshot .*evil.snap holds pickled objects other than tensors and plain data; "
        r"refusing to load it \(unpickling it could run code\).$",
    ):
        _trainer("collisionless", sync_interval=5).run(stream, resume_from=bad)
    assert not marker.exists()  # ... but not through a resume


@pytest.mark.parametrize("content", ["truncated", "empty", "garbage", "other-json"])
def test_corrupt_snapshot_is_one_clear_error(stream, tmp_path, content: str) -> None:
    path = tmp_path / "run.snap"
    tr = _trainer("hash", sync_interval=0, snapshot_interval=10, snapshot_path=path)
    tr.run(stream.slice(0, 2000), n_windows=2)
    data = path.read_bytes()
    if content == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif content == "empty":
        path.write_bytes(b"")
    elif content == "garbage":
        path.write_bytes(bytes(range(256)) * 8)
    else:
        torch.save({"meta": '{"format": "something else"}'}, path)
    with pytest.raises(InvalidInputError, match=r"^snapshot .*run.snap is truncated or corrupt.$"):
        _trainer("hash", sync_interval=0).run(stream, resume_from=path)


def test_snapshot_of_another_table_or_seed_is_refused(stream, tmp_path) -> None:
    path = tmp_path / "run.snap"
    tr = _trainer("hash", sync_interval=0, snapshot_interval=10, snapshot_path=path)
    tr.run(stream.slice(0, 2000), n_windows=2)
    with pytest.raises(
        InvalidInputError,
        match=r"^snapshot was taken with table=hash, seed=0; pass the same options "
        r"\(this run: table=unified, seed=0\).$",
    ):
        _trainer("unified", sync_interval=0).run(stream, resume_from=path)
    emb = PerFieldHashing(rows_per_field=[50, 50, 20], embedding_dim=8, random_state=1)
    other_seed = OnlineTrainer(emb, DeepFM(num_fields=3, field_dim=8, hidden=(16,)), batch_size=200)
    with pytest.raises(
        InvalidInputError,
        match=r"^snapshot was taken with table=hash, seed=0; pass the same options "
        r"\(this run: table=hash, seed=1\).$",
    ):
        other_seed.run(stream, resume_from=path)
