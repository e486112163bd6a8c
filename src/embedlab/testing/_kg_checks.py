"""Contract checks of the knowledge-graph models (:data:`embedlab.registry.KG_MODELS`).

Each check takes a ``KG_MODELS`` name or a :class:`~embedlab.kg.models.base.KGModel` subclass and
builds the model on a small synthetic TripleSet whose entity labels are words (the multi-view
models derive their text views from them through ``inputs_from``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = ["check_kg_model", "kg_model_checks"]

D = 16  # divisible by 4: the hypercomplex models split a row into four parts
WORDS = [
    "apple",
    "river",
    "stone",
    "cloud",
    "tiger",
    "maple",
    "ocean",
    "ember",
    "lotus",
    "amber",
    "cedar",
    "frost",
]


def _cls(spec: str | type) -> Any:
    from embedlab.registry import KG_MODELS

    return KG_MODELS.get(spec) if isinstance(spec, str) else spec


def _triples() -> Any:
    """Build two symmetric relations over 12 entities that every model can represent.

    Even an ablation that keeps only the scales: ``partner`` (i <-> i xor 1) and ``group``
    (i <-> j within the same block of four).
    """
    from embedlab.io import TripleSet

    n = len(WORDS)
    train = [(WORDS[i], "partner", WORDS[i ^ 1]) for i in range(n)]
    train += [
        (WORDS[i], "group", WORDS[j])
        for i in range(n)
        for j in range(n)
        if i != j and i // 4 == j // 4
    ]
    return TripleSet.from_labels(train, valid=train[:4], name="planted")


def _build(spec: str | type, seed: int = 0) -> tuple[Any, Any]:
    cls = _cls(spec)
    ts = _triples()
    model = cls(
        n_entities=ts.n_entities,
        n_relations=2 * ts.n_relations,
        embedding_dim=D,
        random_state=seed,
        **cls.inputs_from(ts),
    )
    return model, ts


def check_kg_name(spec: str | type) -> None:
    """Check the class carries its registered name and defaults the trainer accepts."""
    from embedlab.kg.training import resolve_training
    from embedlab.registry import KG_MODELS

    cls = _cls(spec)
    if isinstance(spec, str) and cls.name != spec:
        raise AssertionError(f"{cls.__name__}.name is {cls.name!r}, registered as {spec!r}")
    if cls.name not in KG_MODELS:
        raise AssertionError(f"{cls.__name__}.name {cls.name!r} is not a registered KG model")
    resolve_training(cls)  # raises on a bad default


def check_kg_score_matches_score_all(spec: str | type) -> None:
    """``score(h, r, t)`` equals ``score_all(h, r)[., t]`` for ``[B]`` and ``[B, K]`` tails."""
    import torch

    model, ts = _build(spec)
    gen = torch.Generator().manual_seed(0)
    h = torch.randint(0, ts.n_entities, (6,), generator=gen)
    r = torch.randint(0, 2 * ts.n_relations, (6,), generator=gen)
    t = torch.randint(0, ts.n_entities, (6,), generator=gen)
    tk = torch.randint(0, ts.n_entities, (6, 3), generator=gen)
    with torch.no_grad():
        full = model.score_all(h, r)
        if tuple(full.shape) != (6, ts.n_entities):
            raise AssertionError(f"score_all returned shape {tuple(full.shape)}")
        one, many = model.score(h, r, t), model.score(h, r, tk)
    if not torch.allclose(one, full.gather(1, t[:, None])[:, 0], rtol=1e-4, atol=1e-4):
        raise AssertionError("score(h, r, t) differs from score_all(h, r)[:, t]")
    if not torch.allclose(many, full.gather(1, tk), rtol=1e-4, atol=1e-4):
        raise AssertionError("score(h, r, tails [B, K]) differs from score_all gathered")


def check_kg_embeddings(spec: str | type) -> None:
    """Check exported rows: float32 ``[E, parts d]``, ``[n_relations, k]``; seed -> same bytes."""
    model, ts = _build(spec, seed=3)
    ent, rel = model.entity_embeddings(), model.relation_embeddings()
    if ent.dtype != np.float32 or ent.shape != (ts.n_entities, model.parts * D):
        raise AssertionError(f"entity_embeddings: {ent.dtype} {ent.shape}")
    if rel.dtype != np.float32 or rel.ndim != 2 or rel.shape[0] != 2 * ts.n_relations:
        raise AssertionError(f"relation_embeddings: {rel.dtype} {rel.shape}")
    again, _ = _build(spec, seed=3)
    other, _ = _build(spec, seed=4)
    if again.entity_embeddings().tobytes() != ent.tobytes():
        raise AssertionError("the same seed gave different entity rows")
    if np.array_equal(other.entity_embeddings(), ent):
        raise AssertionError("different seeds gave the same entity rows")


def check_kg_learns_a_planted_graph(spec: str | type) -> None:
    """Check a few epochs of its own protocol fit two planted relations far above chance."""
    import torch

    from embedlab.kg.ranking import rank_queries
    from embedlab.kg.training import model_scorer, resolve_training, train_model

    model, ts = _build(spec)
    own = resolve_training(type(model))
    lr = 0.1 if own["optimizer"] == "adagrad" else 0.02  # Adagrad's steps shrink as it goes
    cfg = resolve_training(type(model), {"batch_size": 8, "lr": lr})
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        train_model(
            model,
            ts,
            epochs=60,
            config=cfg,
            random_state=0,
            valid_interval=0,
            show_progress=False,
        )
    finally:
        torch.set_num_threads(before)
    mrr = rank_queries(model_scorer(model), ts, "train")["mrr"]
    chance = float(np.mean(1.0 / np.arange(1, ts.n_entities + 1)))
    if mrr < 2 * chance:
        raise AssertionError(f"train MRR {mrr:.3f} after 60 epochs; chance is {chance:.3f}")


def kg_model_checks() -> Iterator[Callable[[str | type], None]]:
    """Every KG-model contract check, in order."""
    yield check_kg_name
    yield check_kg_score_matches_score_all
    yield check_kg_embeddings
    yield check_kg_learns_a_planted_graph


def check_kg_model(spec: str | type) -> None:
    """Run every KG-model check on ``spec`` (a ``KG_MODELS`` name or a class)."""
    for check in kg_model_checks():
        check(spec)
