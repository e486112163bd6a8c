import numpy as np
from sklearn.preprocessing import scale

from embedlab.graph import _kernels as K


def test_splitmix64_reference_values():
    # SplitMix64 seeded with 0 yields 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, ... (Vigna's
    # reference implementation): output n is mix(n * golden), and our splitmix64(x) = mix(x + golden).
    golden = np.uint64(0x9E3779B97F4A7C15)
    assert int(K.splitmix64(np.uint64(0))) == 0xE220A8397B1DCDAF
    assert int(K.splitmix64(golden)) == 0x6E789E6AA1B965F4


def test_column_standardize_matches_sklearn(rng):
    x = rng.normal(3, 2, size=(500, 7)).astype(np.float32)
    x[:, 3] = 1.5  # a constant column is centred, not scaled
    ref = scale(x.astype(np.float64))
    mean, sd = K.column_standardize(x)
    np.testing.assert_allclose(x, ref, atol=2e-5)
    assert sd[3] == 1.0 and np.allclose(mean[:3], 3, atol=0.3)


def test_propagate_matches_dense(rng):
    import scipy.sparse as sp

    a = sp.random_array((60, 60), density=0.1, random_state=1, format="csr", dtype=np.float32)
    x = rng.normal(size=(60, 5)).astype(np.float32)
    inv = rng.random(60).astype(np.float32)
    out = np.empty_like(x)
    acc = np.ones_like(x)
    K.propagate(a.indptr.astype(np.int64), a.indices, a.data, True, inv, x, out, acc, 2.0)
    ref = inv[:, None] * (a.toarray() @ x)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    norms = np.linalg.norm(ref, axis=1, keepdims=True)
    expect = 1 + np.divide(2 * ref, norms, out=np.zeros_like(ref), where=norms > 0)
    np.testing.assert_allclose(acc, expect, rtol=1e-5, atol=1e-5)


def test_float32_roundoff_columns_count_as_constant():
    x = np.full((6, 2), 3.0, dtype=np.float32)
    x[:, 1] = [1, 2, 3, 4, 5, 6]
    x[2, 0] = np.nextafter(np.float32(3.0), np.float32(4.0))  # one ulp of noise
    _, sd = K.column_standardize(x)
    assert sd[0] == 1.0 and np.abs(x[:, 0]).max() < 1e-6
    np.testing.assert_allclose(x[:, 1], scale(np.arange(1.0, 7.0)), atol=1e-6)
