"""The trainer: settings, each loss against its formula, model selection, stopping, determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from embedlab.exceptions import InvalidInputError
from embedlab.io import EmbeddingSet, TripleSet
from embedlab.kg.estimator import KGEmbedding
from embedlab.kg.models.base import KGModel, generator, uniform_parameter
from embedlab.kg.ranking import rank_queries
from embedlab.kg.training import _loss, model_scorer, resolve_training, train_model


class Bilinear(KGModel):
    """A DistMult of the test's own (the trainer must not depend on any registered model)."""

    name = "bilinear-test"
    training_defaults = {  # noqa: RUF012
        "protocol": "1-n",
        "loss": "softplus",
        "lr": 0.02,
        "batch_size": 16,
    }

    def __init__(self, *, n_entities, n_relations, embedding_dim, random_state=0, scale=0.1):
        super().__init__(
            n_entities=n_entities,
            n_relations=n_relations,
            embedding_dim=embedding_dim,
            random_state=random_state,
        )
        g = generator(random_state)
        self.ent = uniform_parameter(n_entities, embedding_dim, scale, g)
        self.rel = uniform_parameter(n_relations, embedding_dim, scale, g)

    def score_all(self, heads, relations):
        return (self.ent[heads] * self.rel[relations]) @ self.ent.T

    def entity_embeddings(self):
        return self.ent.detach().numpy().copy()

    def relation_embeddings(self):
        return self.rel.detach().numpy().copy()


def _planted(n: int = 12) -> TripleSet:
    e = [f"e{i:02d}" for i in range(n)]
    rows = [(e[i], "next", e[(i + 1) % n]) for i in range(n)]
    rows += [(e[i], "twin", e[n - 1 - i]) for i in range(n)]
    rows += [(e[i], "skip", e[(i + 2) % n]) for i in range(n)]
    return TripleSet.from_labels(rows[::2] + rows[1::4], valid=rows[3::4], test=rows[1::4])


def _model(ts: TripleSet, seed: int = 0) -> Bilinear:
    return Bilinear(
        n_entities=ts.n_entities, n_relations=2 * ts.n_relations, embedding_dim=6, random_state=seed
    )


def test_settings_resolve_defaults_then_model_then_overrides() -> None:
    cfg = resolve_training(Bilinear, {"lr": 0.5, "negatives": None})
    assert (cfg["protocol"], cfg["loss"], cfg["lr"], cfg["batch_size"]) == (
        "1-n",
        "softplus",
        0.5,
        16,
    )
    ns = resolve_training(Bilinear, {"protocol": "negative-sampling"})
    assert ns["loss"] == "margin"  # the protocol's first loss when the model's does not fit


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"momentum": 0.9}, "Unknown training setting 'momentum'"),
        ({"protocol": "1-k"}, "'protocol' must be one of 1-n, negative-sampling"),
        ({"loss": "margin"}, "The '1-n' protocol takes loss 'softplus' or 'bce'; got 'margin'"),
        ({"lr": 0.0}, r"'lr' must be a number in \(0.0, inf\); got 0.0"),
        ({"decay_rate": 1.5}, r"'decay_rate' must be a number in \(0.0, 1.0\]"),
        ({"batch_size": 0}, "'batch_size' must be an int >= 1; got 0"),
        ({"optimizer": "sgd"}, "'optimizer' must be one of adam, adagrad; got 'sgd'"),
        ({"label_smoothing": -0.1}, r"'label_smoothing' must be a number in \[0.0, 1.0\]"),
    ],
)
def test_bad_settings(overrides: dict, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        resolve_training(Bilinear, overrides)


def _batch(ts: TripleSet) -> torch.Tensor:
    return torch.from_numpy(ts.queries("train")[:7])


def test_softplus_1n_loss_is_the_reference_formula() -> None:
    ts = _planted()
    m, b = _model(ts), _batch(ts)
    got = _loss(m, b, resolve_training(Bilinear), generator(0))
    s = m.score_all(b[:, 0], b[:, 1]).detach().numpy().astype(np.float64)
    y = np.zeros_like(s)
    y[np.arange(len(b)), b[:, 2].numpy()] = 1
    want = np.mean(np.sum(np.log1p(np.exp((1 - 2 * y) * s)), axis=1))
    assert float(got.detach()) == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize(("loss", "eps"), [("softplus", 0.0), ("bce", 0.0), ("bce", 0.1)])
def test_1n_loss_gradients_equal_the_dense_target_formula(loss: str, eps: float) -> None:
    ts = _planted()
    b = _batch(ts)
    cfg = resolve_training(Bilinear, {"loss": loss, "label_smoothing": eps})
    m1, m2 = _model(ts), _model(ts)
    _loss(m1, b, cfg, generator(0)).backward()
    s = m2.score_all(b[:, 0], b[:, 1])
    y = torch.zeros_like(s)
    y[torch.arange(len(b)), b[:, 2]] = 1.0
    if loss == "softplus":
        dense = torch.nn.functional.softplus((1.0 - 2.0 * y) * s).sum(-1).mean()
    else:
        y = (1.0 - eps) * y + eps / s.shape[1]
        dense = torch.nn.functional.binary_cross_entropy_with_logits(s, y)
    dense.backward()
    for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
        assert p1.grad is not None and p2.grad is not None
        np.testing.assert_allclose(p1.grad.numpy(), p2.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_bce_with_label_smoothing_is_the_conve_formula() -> None:
    ts = _planted()
    m, b = _model(ts), _batch(ts)
    cfg = resolve_training(Bilinear, {"loss": "bce", "label_smoothing": 0.1})
    got = _loss(m, b, cfg, generator(0))
    s = m.score_all(b[:, 0], b[:, 1]).detach().numpy().astype(np.float64)
    y = np.zeros_like(s)
    y[np.arange(len(b)), b[:, 2].numpy()] = 1
    y = 0.9 * y + 0.1 / s.shape[1]
    p = 1 / (1 + np.exp(-s))
    want = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert float(got.detach()) == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_logistic_negative_sampling_loss_is_rotate_formula(alpha: float) -> None:
    ts = _planted()
    m, b = _model(ts), _batch(ts)
    cfg = resolve_training(
        Bilinear,
        {
            "protocol": "negative-sampling",
            "loss": "logistic",
            "negatives": 5,
            "adversarial_temperature": alpha,
        },
    )
    got = _loss(m, b, cfg, generator(11))
    neg = torch.randint(0, ts.n_entities, (len(b), 5), generator=generator(11)).numpy()
    s = m.score_all(b[:, 0], b[:, 1]).detach().numpy().astype(np.float64)
    pos = s[np.arange(len(b)), b[:, 2].numpy()]
    sn = np.take_along_axis(s, neg, axis=1)
    w = np.exp(alpha * sn) / np.exp(alpha * sn).sum(1, keepdims=True)
    logsig = lambda x: -np.log1p(np.exp(-x))  # noqa: E731
    want = np.mean((-logsig(pos) - (w * logsig(-sn)).sum(1)) / 2)
    assert float(got.detach()) == pytest.approx(want, rel=1e-5)


def test_pooled_loss_is_one_mean_over_positives_and_negatives() -> None:
    ts = _planted()
    m, b = _model(ts), _batch(ts)
    cfg = resolve_training(
        Bilinear, {"protocol": "negative-sampling", "loss": "pooled", "negatives": 3}
    )
    got = _loss(m, b, cfg, generator(2))
    neg = torch.randint(0, ts.n_entities, (len(b), 3), generator=generator(2)).numpy()
    s = m.score_all(b[:, 0], b[:, 1]).detach().numpy().astype(np.float64)
    pos = s[np.arange(len(b)), b[:, 2].numpy()]
    sn = np.take_along_axis(s, neg, axis=1)
    terms = np.concatenate([np.log1p(np.exp(-pos)), np.log1p(np.exp(sn)).ravel()])
    assert float(got.detach()) == pytest.approx(terms.mean(), rel=1e-5)


def test_adagrad_is_used_when_asked() -> None:
    ts = _planted()
    cfg = resolve_training(Bilinear, {"optimizer": "adagrad", "lr": 0.1})
    a, b = _model(ts), _model(ts)
    train_model(a, ts, epochs=1, config=cfg, random_state=0, valid_interval=0, show_progress=False)
    # one manual Adagrad epoch over the same batches gives the same parameters
    opt = torch.optim.Adagrad(b.parameters(), lr=0.1)
    data = torch.from_numpy(ts.queries("train"))
    perm = torch.from_numpy(np.random.default_rng(0).permutation(len(data)))
    for start in range(0, len(data), cfg["batch_size"]):
        batch = data[perm[start : start + cfg["batch_size"]]]
        loss = _loss(b, batch, cfg, generator(1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert torch.allclose(a.ent, b.ent, atol=1e-6)


def test_margin_loss_is_the_margin_ranking_formula() -> None:
    ts = _planted()
    m, b = _model(ts), _batch(ts)
    cfg = resolve_training(
        Bilinear, {"protocol": "negative-sampling", "negatives": 4, "margin": 0.5}
    )
    got = _loss(m, b, cfg, generator(5))
    neg = torch.randint(0, ts.n_entities, (len(b), 4), generator=generator(5)).numpy()
    s = m.score_all(b[:, 0], b[:, 1]).detach().numpy().astype(np.float64)
    pos = s[np.arange(len(b)), b[:, 2].numpy()]
    want = np.mean(np.maximum(0, 0.5 - pos[:, None] + np.take_along_axis(s, neg, axis=1)))
    assert float(got.detach()) == pytest.approx(want, rel=1e-5)


def test_training_learns_and_restores_the_best_validation_epoch() -> None:
    ts = _planted()
    m = _model(ts)
    hist = train_model(
        m, ts, epochs=40, config=resolve_training(Bilinear), random_state=0, show_progress=False
    )
    assert hist.epochs == 40 and len(hist.valid_mrr) == 40
    assert hist.best_valid_mrr == max(hist.valid_mrr.values())
    assert hist.valid_mrr[hist.best_epoch] == hist.best_valid_mrr
    # the restored parameters are the best epoch's: their validation MRR is the recorded one
    assert rank_queries(model_scorer(m), ts, "valid")["mrr"] == pytest.approx(hist.best_valid_mrr)
    assert hist.loss[-1] < hist.loss[0]
    assert rank_queries(model_scorer(m), ts, "train")["mrr"] > 0.5


def test_patience_and_time_limit_stop_early() -> None:
    ts = _planted()
    cfg = resolve_training(Bilinear, {"lr": 1e-6})  # nothing improves after the first epoch
    h = train_model(
        _model(ts), ts, epochs=50, config=cfg, random_state=0, patience=2, show_progress=False
    )
    assert h.stopped == "patience" and h.epochs == h.best_epoch + 2
    h = train_model(
        _model(ts), ts, epochs=50, config=cfg, random_state=0, time_limit=1e-9, show_progress=False
    )
    assert (h.stopped, h.epochs) == ("time_limit", 1)


def test_without_validation_the_last_epoch_is_kept() -> None:
    ts = _planted()
    h = train_model(
        _model(ts),
        ts,
        epochs=3,
        config=resolve_training(Bilinear),
        random_state=0,
        valid_interval=0,
        show_progress=False,
    )
    assert h.valid_mrr == {} and h.best_epoch == 3


def test_model_sized_for_other_data_is_refused() -> None:
    ts = _planted()
    small = Bilinear(n_entities=3, n_relations=2, embedding_dim=2)
    with pytest.raises(
        InvalidInputError, match="embeds 3 entities and 2 relation ids; .triples. needs 12 and 6"
    ):
        train_model(small, ts, epochs=1, config=resolve_training(Bilinear), random_state=0)


def test_diverging_training_is_an_error_not_nan_metrics() -> None:
    ts = _planted()
    huge = Bilinear(n_entities=12, n_relations=6, embedding_dim=6, scale=1e30)
    with pytest.raises(InvalidInputError, match="training loss became .* lower the learning rate"):
        train_model(huge, ts, epochs=1, config=resolve_training(Bilinear), random_state=0)


# ------------------------------------------------------------------------------ estimator
def test_same_seed_same_bytes_other_seed_other_rows() -> None:
    ts = _planted()
    a = KGEmbedding(model=Bilinear, embedding_dim=6, epochs=3, random_state=4).fit(ts)
    b = KGEmbedding(model=Bilinear, embedding_dim=6, epochs=3, random_state=4).fit(ts)
    c = KGEmbedding(model=Bilinear, embedding_dim=6, epochs=3, random_state=5).fit(ts)
    assert a.embeddings_.tobytes() == b.embeddings_.tobytes()
    assert a.history_.loss == b.history_.loss
    assert not np.array_equal(a.embeddings_, c.embeddings_)


def test_estimator_exports_and_evaluates(tmp_path: Path) -> None:
    ts = _planted()
    est = KGEmbedding(model=Bilinear, embedding_dim=6, epochs=5, random_state=0).fit(ts)
    assert est.embeddings_.dtype == np.float32 and est.embeddings_.flags.c_contiguous
    es = est.to_embedding_set()
    es.save(tmp_path / "e.parquet")
    back = EmbeddingSet.load(tmp_path / "e.parquet")
    assert back.ids.tolist() == ts.entities.tolist()
    assert np.array_equal(back.vectors, est.embeddings_)
    md = back.metadata
    assert (md["method"], md["seed"], md["kind"], md["source"]) == (
        "kg:bilinear-test",
        0,
        "entities",
        "triples",
    )
    assert md["training"]["lr"] == 0.02 and md["best_epoch"] == est.history_.best_epoch
    rel = est.relations_embedding_set()
    assert rel.ids.tolist() == ["next", "skip", "twin", "next^-1", "skip^-1", "twin^-1"]
    res = est.evaluate("test")
    assert set(res) >= {"mrr", "hits@1", "hits@3", "hits@10", "mr", "head", "tail"}
    raw = est.evaluate("test", filtered=False)
    # every planted relation is a function both ways: no other true answers, raw = filtered
    # (the filter itself is checked against brute force in test_ranking.py)
    assert raw["mrr"] == res["mrr"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": "nope"}, "The 'model' parameter of KGEmbedding must be one of"),
        (
            {"model_params": {"embedding_dim": 3}},
            r"'model_params' must not set \['embedding_dim'\]",
        ),
        ({"model_params": {"colour": 1}}, "Bad 'model_params' for 'bilinear-test'"),
        ({"ties": "random"}, "The 'ties' parameter of KGEmbedding"),
        ({"lr": -1.0}, r"'lr' must be a number in \(0.0, inf\)"),
    ],
)
def test_estimator_errors(kwargs: dict, match: str) -> None:
    params = {"model": Bilinear, "embedding_dim": 4, "epochs": 1, **kwargs}
    with pytest.raises(InvalidInputError, match=match):
        KGEmbedding(**params).fit(_planted())


def test_fit_takes_a_tripleset() -> None:
    with pytest.raises(InvalidInputError, match="KGEmbedding.fit takes a TripleSet"):
        KGEmbedding(model=Bilinear).fit(np.zeros((3, 3)))


@pytest.mark.parametrize("change", ["entities", "relations"])
def test_evaluate_refuses_other_vocabularies(change: str) -> None:
    ts = _planted()
    est = KGEmbedding(model=Bilinear, embedding_dim=4, epochs=1).fit(ts)
    ents, rels = ts.entities.copy(), ts.relations.copy()
    if change == "entities":
        ents[0] = "someone else"  # same count, other labels
    else:
        rels = rels[:1]  # fewer relations: r + R would hit a forward relation
        keep = ts.test[:, 1] == 0
        other = TripleSet(ents, rels, ts.train[ts.train[:, 1] == 0], test=ts.test[keep])
    if change == "entities":
        other = TripleSet(ents, rels, ts.train, test=ts.test)
    with pytest.raises(InvalidInputError, match="vocabularies differ"):
        est.evaluate(triples=other)
    same = TripleSet(ts.entities.copy(), ts.relations.copy(), ts.train, test=ts.test)
    assert est.evaluate(triples=same)["mrr"] == est.evaluate()["mrr"]


def test_train_model_checks_its_loop_settings() -> None:
    ts = _planted()
    cfg = resolve_training(Bilinear)
    for kw, match in (
        ({"valid_interval": 1.5}, "'valid_interval' must be an int >= 0"),
        ({"patience": 0}, "'patience' must be an int >= 1 or None"),
        ({"time_limit": -1}, "'time_limit' must be seconds > 0 or None"),
    ):
        with pytest.raises(InvalidInputError, match=match):
            train_model(_model(ts), ts, epochs=1, config=cfg, random_state=0, **kw)


def test_no_progress_output_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    from embedlab.utils import progress as prog

    seen: list[float] = []
    monkeypatch.setattr(prog, "progress_shown", lambda total, min_total: seen.append(min_total))
    ts = _planted()
    cfg = resolve_training(Bilinear)
    train_model(_model(ts), ts, epochs=1, config=cfg, random_state=0, show_progress=False)
    train_model(_model(ts), ts, epochs=1, config=cfg, random_state=0, show_progress=True)
    assert seen == [float("inf"), 1]  # hidden whatever the terminal; shown from one epoch
