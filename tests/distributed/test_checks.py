"""The Dask-backend checks fail on broken backends (a check that cannot fail checks nothing)."""

import pytest

from embedlab.distributed.fastrp import DaskFastRP
from embedlab.registry import DISTRIBUTED
from embedlab.testing._distributed_checks import check_backend_estimator, check_backend_result


class Shifted(DaskFastRP):
    """Registered in place of the real backend: returns the right rows plus one."""

    @staticmethod
    def fit(*args, **kwargs):
        emb, mean, scale, run = DaskFastRP.fit(*args, **kwargs)
        return emb + 1.0, mean, scale, run


class NoCluster(DaskFastRP):
    """Computes locally and never touches the cluster."""

    @staticmethod
    def fit(model, graph, *, features, d_p, client=None, partitions=None):
        emb = model._fit_local(graph, features, d_p)
        return emb, model.mean_, model.scale_, None


def _registered(monkeypatch, cls):
    real = DISTRIBUTED.get
    monkeypatch.setattr(DISTRIBUTED, "get", lambda name: cls if name == "fastrp" else real(name))


def test_an_unregistered_backend_is_refused():
    with pytest.raises(AssertionError, match="Shifted is not the Dask backend registered for"):
        check_backend_estimator(Shifted)
    with pytest.raises(AssertionError, match="Shifted is not the backend registered for 'fastrp'"):
        check_backend_result(Shifted)


def test_a_wrong_result_fails(monkeypatch):
    _registered(monkeypatch, Shifted)
    with pytest.raises(AssertionError, match=r"fastrp: Dask differs from local by 1\.00e\+00"):
        check_backend_result(Shifted)


def test_a_backend_that_runs_nothing_on_the_cluster_fails(monkeypatch):
    _registered(monkeypatch, NoCluster)
    with pytest.raises(AssertionError, match="fastrp: backend='dask' ran no task on the cluster"):
        check_backend_result(NoCluster)


def test_the_real_backend_passes():
    check_backend_estimator(DaskFastRP)
    check_backend_result(DaskFastRP)
