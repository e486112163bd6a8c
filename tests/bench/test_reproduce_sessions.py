"""The M2TRec reproduction: a quick run computes all three models on MovieLens-100K sessions."""

import math

import pytest

pytest.importorskip("torch")

from embedlab.bench.references import PAPERS
from embedlab.bench.reproduce.sessions import SESSION_RUN, M2TRecReproduction, m2trec_run
from embedlab.exceptions import InvalidInputError


@pytest.fixture(autouse=True, scope="module")
def one_thread(one_torch_thread):
    """Every test here on one torch thread (see conftest)."""


def test_the_reproduction_declares_its_claim_and_checks_seeds():
    # (once registered, tests/test_contracts.py runs embedlab.testing.reproduction_checks on it)
    assert M2TRecReproduction.paper == PAPERS["m2trec"] and "RecSys 2022" in PAPERS["m2trec"]
    assert "SASRec" in M2TRecReproduction.claim
    with pytest.raises(InvalidInputError, match=r"^'seeds' must be an int >= 1; got 0\.$"):
        M2TRecReproduction().run(seeds=0)
    with pytest.raises(InvalidInputError, match="protocol must be 'users' or 'leave-one-out'"):
        m2trec_run(0, protocol="time")


def test_leave_one_out_refuses_a_users_split():
    from embedlab.datasets import synthetic_sessions

    d = synthetic_sessions(n_users=30, n_items=40, random_state=0).split_users(0.1)
    with pytest.raises(InvalidInputError, match="'leave-one-out' needs data without a users split"):
        m2trec_run(0, protocol="leave-one-out", data=d)


@pytest.mark.slow
@pytest.mark.data
def test_the_quick_run_computes_all_three_models(data_dir):
    if not (data_dir / "recsys" / "movielens-100k").is_dir():
        pytest.skip("movielens-100k is not under $EMBEDLAB_DATA/recsys")
    run = m2trec_run(0, quick=True, protocol="leave-one-out")
    k = SESSION_RUN["k"]
    keys = {f"recall@{k}", f"ndcg@{k}", f"rare_recall@{k}", f"rare_ndcg@{k}", "n_rare", "n_cold"}
    for name in ("m2trec", "sasrec", "popularity"):
        res = run[name]
        assert keys <= set(res) and res["n_cases"] == 943
        assert 0.0 <= res[f"ndcg@{k}"] <= res[f"recall@{k}"] <= 1.0
        assert not math.isnan(res[f"rare_recall@{k}"])
        assert run["seconds"][name] > 0
    # the same cases for everyone: 16 test targets with <= 5 training interactions, 3 unseen
    assert {run[m]["n_rare"] for m in ("m2trec", "sasrec", "popularity")} == {16}
    assert run["popularity"]["n_cold"] == 3
    # sane numbers: every model well above chance (20 of ~1,600 items: recall 0.012), and
    # SASRec, an ID model, above the popularity ranking overall and useless on unseen targets
    assert min(run[m][f"recall@{k}"] for m in ("m2trec", "sasrec", "popularity")) > 0.03
    assert run["sasrec"][f"recall@{k}"] > run["popularity"][f"recall@{k}"]
    assert run["sasrec"][f"cold_recall@{k}"] == 0.0 and run["popularity"][f"cold_recall@{k}"] == 0
    assert set(run["best_epoch"]) == {"m2trec", "sasrec"} and len(run["validation"]["sasrec"]) == 2
