import numpy as np
import pytest

from embedlab.exceptions import InvalidInputError, NotFittedError
from embedlab.retrieval.compression import (
    BinaryQuantizer,
    Int8Quantizer,
    MatryoshkaTruncation,
    ProductQuantizer,
    rescore,
)


def test_int8_codes_are_the_nearest_cell_and_clip(rng):
    x = rng.normal(size=(200, 6)).astype(np.float32)
    q = Int8Quantizer().fit(x)
    codes = q.transform(x)
    assert codes.min() == 0 and codes.max() == 255
    rec = q.inverse_transform(codes)
    assert np.abs(rec - x).max() <= q.scale_.max() / 2 + 1e-6
    # outside the calibrated range: clipped to the end cells
    far = np.full((1, 6), 1e3, np.float32)
    assert (q.transform(far) == 255).all() and (q.transform(-far) == 0).all()


def test_int8_quantile_calibration_ignores_outliers(rng):
    x = rng.normal(size=(1000, 2)).astype(np.float32)
    x[0] = 1e4
    tight = Int8Quantizer(quantile=0.01).fit(x)
    loose = Int8Quantizer().fit(x)
    assert tight.scale_.max() * 100 < loose.scale_.max()


def test_binary_packs_sign_bits_big_endian():
    b = BinaryQuantizer().fit(np.zeros((1, 9), np.float32))
    x = np.array([[1, -1, -1, -1, -1, -1, -1, 2, 3]], np.float32)
    assert b.transform(x).tolist() == [[0b10000001, 0b10000000]]
    np.testing.assert_array_equal(b.inverse_transform(b.transform(x)), np.sign(x))


def test_pq_reconstructs_better_with_more_subquantisers(rng):
    x = rng.normal(size=(3000, 32)).astype(np.float32)
    err = {}
    for m in (4, 16):
        pq = ProductQuantizer(m, nbits=6).fit(x)
        assert pq.code_size_bytes == (m * 6 + 7) // 8
        err[m] = float(((pq.inverse_transform(pq.transform(x)) - x) ** 2).mean())
    assert err[16] < 0.7 * err[4]


def test_matryoshka_truncation_renormalises():
    m = MatryoshkaTruncation(2).fit(np.ones((1, 3), np.float32))
    out = m.transform(np.array([[3.0, 4.0, 100.0], [0.0, 0.0, 1.0]], np.float32))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
    assert m.code_size_bytes == 8


def test_rescore_is_exact_over_the_candidates(rng):
    x = rng.normal(size=(100, 8)).astype(np.float32)
    q = rng.normal(size=(5, 8)).astype(np.float32)
    cand = np.array([rng.permutation(100)[:20] for _ in range(5)])
    cand[:, -3:] = -1
    for metric in ("ip", "l2", "cosine"):
        scores, ids = rescore(q, cand, x, 6, metric=metric)
        for i in range(5):
            c = cand[i][cand[i] >= 0]
            v, w = x[c], q[i]
            if metric == "cosine":
                v = v / np.linalg.norm(v, axis=1, keepdims=True)
                w = w / np.linalg.norm(w)
            key = ((v - w) ** 2).sum(1) if metric == "l2" else -(v @ w)
            order = np.argsort(key, kind="stable")[:6]
            np.testing.assert_array_equal(ids[i], c[order])
            want = key[order] if metric == "l2" else -key[order]
            np.testing.assert_allclose(scores[i], want, rtol=1e-5, atol=1e-5)


def test_rescore_pads_short_rows():
    x = np.eye(2, dtype=np.float32)
    scores, ids = rescore(np.ones((1, 2), np.float32), np.array([[1, -1, -1]]), x, 3)
    assert ids.tolist() == [[1, -1, -1]] and scores[0, 1] == -np.finfo(np.float32).max


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: Int8Quantizer().transform(np.ones((1, 2))), NotFittedError, "not fitted"),
        (
            lambda: Int8Quantizer(quantile=0.5).fit(np.ones((2, 2))),
            InvalidInputError,
            r"'quantile' must be in \[0, 0.5\)",
        ),
        (lambda: Int8Quantizer().fit(np.ones((0, 2))), InvalidInputError, "non-empty"),
        (
            lambda: Int8Quantizer().fit(np.ones((2, 2))).transform(np.ones((1, 3))),
            InvalidInputError,
            "expected 2",
        ),
        (
            lambda: Int8Quantizer().fit(np.ones((2, 2))).inverse_transform(np.ones((1, 2))),
            InvalidInputError,
            r"codes must be uint8 \[n, 2\]",
        ),
        (
            lambda: ProductQuantizer(3).fit(np.ones((300, 8))),
            InvalidInputError,
            "'m' must divide the dimension 8",
        ),
        (
            lambda: ProductQuantizer(2).fit(np.ones((10, 8))),
            InvalidInputError,
            "at least 256 training vectors",
        ),
        (
            lambda: MatryoshkaTruncation(9).fit(np.ones((1, 8))),
            InvalidInputError,
            r"'dim' must be in \[1, 8\]",
        ),
        (
            lambda: rescore(np.ones((1, 2)), np.array([[5]]), np.ones((3, 2)), 1),
            InvalidInputError,
            r"candidate ids must lie in \[-1, 3\)",
        ),
        (
            lambda: rescore(np.ones((1, 2)), np.array([[0]]), np.ones((3, 2)), 1, metric="dot"),
            InvalidInputError,
            "'metric' must be",
        ),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
