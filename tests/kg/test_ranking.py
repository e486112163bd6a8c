"""Filtered ranking against a brute-force loop over every (triple, candidate), ties included."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.exceptions import InvalidInputError
from embedlab.io import TripleSet
from embedlab.kg.ranking import rank_metrics, rank_queries, ranks_from_scores


def _toy(rng: np.random.Generator) -> tuple[TripleSet, np.ndarray]:
    n_e, n_r = 7, 2
    rows = {(int(h), int(r), int(t)) for h, r, t in rng.integers(0, [n_e, n_r, n_e], (40, 3))}
    rows_l = sorted(rows)
    labels = [(f"e{h}", f"r{r}", f"e{t}") for h, r, t in rows_l]
    ts = TripleSet.from_labels(labels[:20], labels[20:26], labels[26:], name="toy")
    # integer-valued scores f(h, r, t) so that ties are frequent
    table = rng.integers(0, 3, (ts.n_entities, ts.n_relations, ts.n_entities)).astype(float)
    return ts, table


def _scorer(ts: TripleSet, table: np.ndarray):
    nr = ts.n_relations

    def score_all(heads: np.ndarray, rels: np.ndarray) -> np.ndarray:
        out = np.empty((len(heads), ts.n_entities))
        for i, (h, r) in enumerate(zip(heads, rels, strict=True)):
            # a reciprocal query (t, r + R, ?) scores the original triple (?, r, t)
            out[i] = table[h, r] if r < nr else table[:, r - nr, h]
        return out

    return score_all


def _brute(ts: TripleSet, table: np.ndarray, ties: str, filtered: bool = True) -> list[float]:
    known = {tuple(t) for s in ("train", "valid", "test") for t in ts.split(s).tolist()}
    ranks = []
    for direction in ("tail", "head"):
        for h, r, t in ts.test.tolist():
            target = table[h, r, t]
            higher = equal = 0
            for e in range(ts.n_entities):
                cand = (h, r, e) if direction == "tail" else (e, r, t)
                if cand == (h, r, t) or (filtered and cand in known):
                    continue
                s = table[cand]
                higher += s > target
                equal += s == target
            pess, opt = 1 + higher + equal, 1 + higher
            ranks.append(
                {"pessimistic": pess, "optimistic": opt, "realistic": (pess + opt) / 2}[ties]
            )
    return ranks


@pytest.mark.parametrize("ties", ["pessimistic", "optimistic", "realistic"])
@pytest.mark.parametrize("filtered", [True, False])
def test_ranks_equal_the_brute_force_loop(
    ties: str, filtered: bool, rng: np.random.Generator
) -> None:
    ts, table = _toy(rng)
    want = _brute(ts, table, ties, filtered)
    got = rank_queries(_scorer(ts, table), ts, "test", ties=ties, filtered=filtered, batch_size=3)
    assert got["mrr"] == pytest.approx(np.mean(1 / np.array(want)))
    assert got["hits@1"] == pytest.approx(np.mean(np.array(want) <= 1))
    n = len(ts.test)
    assert got["tail"]["mr"] == pytest.approx(np.mean(want[:n]))
    assert got["head"]["mr"] == pytest.approx(np.mean(want[n:]))


def test_constant_scores_give_the_worst_pessimistic_rank() -> None:
    s = np.zeros((2, 5))
    assert ranks_from_scores(s, np.array([0, 3])).tolist() == [5.0, 5.0]
    assert ranks_from_scores(s, np.array([0, 3]), ties="optimistic").tolist() == [1.0, 1.0]
    assert ranks_from_scores(s, np.array([0, 3]), ties="realistic").tolist() == [3.0, 3.0]


def test_the_filter_never_removes_the_target_and_leaves_scores_alone() -> None:
    s = np.array([[3.0, 2.0, 1.0]])
    before = s.copy()
    r = ranks_from_scores(s, np.array([1]), np.array([0, 0]), np.array([0, 1]))
    assert r.tolist() == [1.0] and np.array_equal(s, before)


def test_infinite_scores_rank_like_any_value() -> None:
    s = np.array([[-np.inf, -np.inf, -np.inf], [np.inf, 1.0, np.inf]])
    assert ranks_from_scores(s, np.array([0, 0])).tolist() == [3.0, 2.0]
    assert ranks_from_scores(s, np.array([0, 0]), ties="optimistic").tolist() == [1.0, 1.0]
    # a filtered -inf candidate is removed, not tied
    r = ranks_from_scores(s[:1], np.array([0]), np.array([0]), np.array([1]))
    assert r.tolist() == [2.0]


def test_metrics_closed_form() -> None:
    m = rank_metrics(np.array([1.0, 2.0, 4.0, 20.0]))
    assert m["mrr"] == pytest.approx((1 + 0.5 + 0.25 + 0.05) / 4)
    assert (m["hits@1"], m["hits@3"], m["hits@10"], m["mr"]) == (0.25, 0.5, 0.75, 6.75)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((np.zeros(3), np.array([0])), {}, r"\[B, E\] array"),
        ((np.zeros((1, 3)), np.array([0, 1])), {}, "one entity per score row"),
        ((np.zeros((1, 3)), np.array([3])), {}, r"entity ids in \[0, 3\)"),
        ((np.array([[np.nan, 0.0]]), np.array([0])), {}, "contain NaN"),
        ((np.zeros((1, 3)), np.array([0])), {"ties": "random"}, "'ties' must be one of"),
    ],
)
def test_bad_inputs(args: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        ranks_from_scores(*args, **kwargs)


def test_empty_split_is_an_error() -> None:
    ts = TripleSet.from_labels([("a", "r", "b")])
    with pytest.raises(InvalidInputError, match="'test' split of 'triples' holds no triples"):
        rank_queries(lambda h, r: np.zeros((len(h), 2)), ts, "test")
