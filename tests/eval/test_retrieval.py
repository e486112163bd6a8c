"""Retrieval metrics against values computed by hand (trec_eval / pytrec_eval semantics)."""

import math

import numpy as np
import pytest

from embedlab.eval.metrics import query_retrieval_metrics
from embedlab.eval.retrieval import RetrievalEvaluation, dense_retrieval_run
from embedlab.exceptions import InvalidInputError


def test_graded_ndcg_by_hand():
    # ranks: d3 (grade 2), d9 (unjudged), d1 (grade 1), d4 (judged 0); d7 (grade 3) missed
    judged = {"d1": 1, "d3": 2, "d4": 0, "d7": 3}
    m = query_retrieval_metrics(["d3", "d9", "d1", "d4"], judged, [3, 10])
    dcg3 = 2 / math.log2(2) + 1 / math.log2(4)
    idcg3 = 3 / math.log2(2) + 2 / math.log2(3) + 1 / math.log2(4)
    assert m["ndcg@3"] == pytest.approx(dcg3 / idcg3)
    assert m["ndcg@10"] == pytest.approx(dcg3 / idcg3)  # nothing relevant after rank 3
    assert m["recall@3"] == pytest.approx(2 / 3)  # 3 relevant (grade >= 1), 2 found
    assert m["mrr@3"] == 1.0
    assert m["map@3"] == pytest.approx((1 / 1 + 2 / 3) / 3)


def test_cut_offs_and_reciprocal_rank():
    m = query_retrieval_metrics(["a", "b", "c", "r"], {"r": 1}, [1, 3, 4])
    assert m["mrr@3"] == 0.0 and m["recall@3"] == 0.0 and m["ndcg@1"] == 0.0
    assert m["mrr@4"] == 0.25 and m["map@4"] == 0.25
    assert m["ndcg@4"] == pytest.approx(1 / math.log2(5))


def test_a_query_without_relevant_documents_scores_zero():
    m = query_retrieval_metrics(["a"], {"a": 0}, [10])
    assert set(m.values()) == {0.0}


def test_perfect_ranking_scores_one():
    judged = {"a": 3, "b": 2, "c": 1}
    m = query_retrieval_metrics(["a", "b", "c"], judged, [3])
    assert m == {"ndcg@3": 1.0, "recall@3": 1.0, "mrr@3": 1.0, "map@3": 1.0}


def test_evaluation_averages_judged_queries_only():
    ev = RetrievalEvaluation({"q1": {"d1": 1}, "q2": {"d2": 1}}, k_values=[10])
    run = {"q1": ["d1"], "q3": ["d2"]}  # q2 missing (scores 0), q3 unjudged (skipped)
    res = ev(run)
    assert res["ndcg@10"] == 0.5 and res["recall@10"] == 0.5
    assert set(ev.evaluate(run)) == {"q1", "q2"}


def test_run_pairs_with_padding():
    ev = RetrievalEvaluation({"q1": {"d1": 1}}, k_values=[2])
    docs = np.array([["d0", "d1"]], dtype=object)
    assert ev((["q1"], docs))["mrr@2"] == 0.5
    assert ev((["q1"], np.array([[None, "d1"]], dtype=object)))["mrr@2"] == 1.0


@pytest.mark.parametrize(
    ("qrels", "kw", "run", "message"),
    [
        ({"q": {"d": 1}}, {"k_values": [0]}, {}, "'k_values' must be integers >= 1"),
        ({}, {}, {}, "'qrels' is empty"),
        ({"q": {"d": 1}}, {}, ["d"], "A run is a mapping"),
        ({"q": {"d": 1}}, {}, (["q", "r"], [["d"]]), r"doc_ids \[n_queries, k\] aligned"),
    ],
)
def test_errors(qrels, kw, run, message):
    with pytest.raises(InvalidInputError, match=message):
        RetrievalEvaluation(qrels, **kw)(run)


def test_dense_run_with_rescore_equals_exact_when_the_shortlist_is_everything(rng):
    x = rng.normal(size=(300, 64)).astype(np.float32)
    q = rng.normal(size=(20, 64)).astype(np.float32)
    ids = [f"d{i}" for i in range(300)]
    qids = [f"q{i}" for i in range(20)]
    exact = dense_retrieval_run(q, x, ids, qids, k=10)
    for comp in ("int8", "binary", "pq:8", "mrl:32"):
        again = dense_retrieval_run(q, x, ids, qids, k=10, compression=comp, rescore=300)
        assert again == exact, comp
    binary = dense_retrieval_run(q, x, ids, qids, k=10, compression="binary")
    assert binary != exact  # sign bits alone do not rank like the float vectors


def test_a_scored_run_is_ranked_by_score_then_doc_id_decreasing_as_trec_eval():
    """Issue 25 #2: {qid: {doc: score}} was ranked by insertion order."""
    ev = RetrievalEvaluation({"q1": {"d2": 1}}, k_values=[1, 3])
    assert ev({"q1": {"d1": 0.1, "d2": 0.9, "d3": 0.5}})["mrr@1"] == 1.0
    # ties: trec_eval's comp_sim_docno puts the larger docno first ("d3" > "d2" > "d1")
    tied = ev({"q1": {"d1": 0.5, "d2": 0.5, "d3": 0.5}})
    assert tied["mrr@3"] == 0.5 and tied["mrr@1"] == 0.0
    ranked = ev.evaluate({"q1": {"d3": 1, "d2": 1.0, "x": 2}})["q1"]  # x, then d3, then d2
    assert ranked["mrr@3"] == pytest.approx(1 / 3) and ranked["mrr@1"] == 0.0
    # a list keeps its order, whatever the ids
    assert ev({"q1": ["d1", "d2", "d3"]})["mrr@3"] == 0.5


def test_duplicate_documents_count_once_at_their_first_rank():
    """Issue 25 #4: duplicates pushed metrics above 1 (pytrec_eval sees each document once)."""
    ev = RetrievalEvaluation({"q1": {"d1": 1, "d2": 1}}, k_values=[10])
    res = ev({"q1": ["d1", "d1", "d1"]})
    assert res["ndcg@10"] == pytest.approx(1 / (1 + 1 / math.log2(3)))  # 0.6131...
    assert res["ndcg@10"] == pytest.approx(0.6131471927654584)
    assert res["recall@10"] == 0.5 and res["map@10"] == 0.5 and res["mrr@10"] == 1.0
    again = ev({"q1": ["d3", "d1", "d3", "d1", "d2"]})
    assert again == ev({"q1": ["d3", "d1", "d2"]})
    docs = np.array([["d1", "d1", "d2"]], dtype=object)
    assert ev((["q1"], docs)) == ev({"q1": ["d1", "d2"]})


@pytest.mark.parametrize(
    ("old", "new"), [("int8", "SQ8"), ("binary", "BFlat"), ("pq:8", "PQ8"), ("mrl:32", "MRL32")]
)
def test_old_compression_names_are_aliases_of_the_spec_grammar(old, new, rng):
    x = rng.normal(size=(300, 64)).astype(np.float32)
    q = rng.normal(size=(20, 64)).astype(np.float32)
    ids = [f"d{i}" for i in range(300)]
    qids = [f"q{i}" for i in range(20)]
    a = dense_retrieval_run(q, x, ids, qids, k=10, compression=old)
    assert a == dense_retrieval_run(q, x, ids, qids, k=10, compression=new)


def test_dense_run_takes_chains_and_caps_k(rng):
    x = rng.normal(size=(300, 64)).astype(np.float32)
    q = rng.normal(size=(20, 64)).astype(np.float32)
    ids = [f"d{i}" for i in range(300)]
    qids = [f"q{i}" for i in range(20)]
    chain = dense_retrieval_run(q, x, ids, qids, k=10, compression="MRL32,SQ8", rescore=300)
    assert chain == dense_retrieval_run(q, x, ids, qids, k=10)
    wide = dense_retrieval_run(q, x, ids, qids, k=10**9)
    assert all(len(v) == 300 and len(set(v)) == 300 for v in wide.values())


def test_a_short_rescore_keeps_the_compressed_tail(rng):
    """Issue 25 #11: --rescore R < k re-ranks the first R candidates exactly and keeps
    candidates R+1..k in the compressed order, so @k metrics are computed on k documents."""
    x = rng.normal(size=(200, 16)).astype(np.float32)
    q = rng.normal(size=(5, 16)).astype(np.float32)
    ids, qids = [f"d{i}" for i in range(200)], [f"q{j}" for j in range(5)]
    plain = dense_retrieval_run(q, x, ids, qids, k=50, compression="BFlat")
    short = dense_retrieval_run(q, x, ids, qids, k=50, compression="BFlat", rescore=20)
    exact = dense_retrieval_run(q, x, ids, qids, k=200)
    for qid in qids:
        assert len(short[qid]) == 50
        assert short[qid][20:] == plain[qid][20:]  # the tail in compressed order
        assert sorted(short[qid][:20]) == sorted(plain[qid][:20])  # the same shortlist ...
        rank = {d: i for i, d in enumerate(exact[qid])}
        assert [rank[d] for d in short[qid][:20]] == sorted(rank[d] for d in plain[qid][:20])
