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


def test_parallel_and_serial_compile_one_source_twice():
    import numpy as np
    from numba import prange

    from embedlab.utils._numba import parallel_and_serial

    @parallel_and_serial(nogil=True)
    def row_sums(x, out):
        for i in prange(x.shape[0]):
            s = 0.0
            for j in range(x.shape[1]):
                s += x[i, j]
            out[i] = s

    x = np.random.default_rng(0).normal(size=(50, 7))
    a, b = np.empty(50), np.empty(50)
    row_sums.parallel(x, a)
    row_sums.serial(x, b)
    assert np.array_equal(a, b) and np.allclose(a, x.sum(axis=1))
    assert row_sums.parallel.targetoptions["parallel"] is True
    assert "parallel" not in row_sums.serial.targetoptions
    assert row_sums.serial.targetoptions["nogil"] is True
    assert row_sums.serial.py_func.__qualname__.endswith("row_sums__serial")
    with pytest.raises(TypeError, match="do not pass 'parallel'"):
        parallel_and_serial(parallel=True)
