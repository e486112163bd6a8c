import numba
import pytest

from embedlab.exceptions import InvalidInputError
from embedlab.utils._numba import n_threads, resolve_n_jobs


def test_threads_set_and_restored():
    before = numba.get_num_threads()
    with n_threads(1) as k:
        assert k == 1 and numba.get_num_threads() == 1
    assert numba.get_num_threads() == before


def test_resolve_n_jobs():
    assert resolve_n_jobs(None) >= 1
    assert resolve_n_jobs(-1) == resolve_n_jobs(None)
    with pytest.raises(
        InvalidInputError, match="'n_jobs' parameter must be None, -1 or an int >= 1"
    ):
        resolve_n_jobs(0)
