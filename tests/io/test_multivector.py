import numpy as np
import pytest

from embedlab.exceptions import InvalidInputError
from embedlab.io import MultiVector


def test_sets_are_slices_of_one_array():
    sets = [np.full((3, 2), 1.0), np.full((1, 2), 2.0), np.zeros((0, 2))]
    mv = MultiVector.from_list(sets)
    assert len(mv) == 3 and mv.lengths.tolist() == [3, 1, 0]
    for i, s in enumerate(sets):
        np.testing.assert_array_equal(mv[i], s)
    np.testing.assert_array_equal(mv[-2], sets[1])
    assert mv.vectors.dtype == np.float32 and mv.offsets.dtype == np.int64
    with pytest.raises(IndexError):
        mv[3]


@pytest.mark.parametrize(
    ("vectors", "offsets", "message"),
    [
        (np.ones(3), [0, 3], r"'vectors' must be \[N, d\]"),
        (np.ones((3, 2)), [1, 3], "'offsets' must rise from 0 to 3"),
        (np.ones((3, 2)), [0, 2], "'offsets' must rise from 0 to 3"),
        (np.ones((3, 2)), [0, 2, 1, 3], "'offsets' must rise from 0 to 3"),
    ],
)
def test_bad_layouts(vectors, offsets, message):
    with pytest.raises(InvalidInputError, match=message):
        MultiVector(vectors, np.asarray(offsets))


def test_from_list_refuses_mixed_dimensions():
    with pytest.raises(InvalidInputError, match="one d"):
        MultiVector.from_list([np.ones((1, 2)), np.ones((1, 3))])
    with pytest.raises(InvalidInputError, match="at least one vector set"):
        MultiVector.from_list([])


@pytest.mark.parametrize("ids", [None, np.array([7, 9]), np.array(["a", "bc"], dtype=object)])
def test_save_load_round_trip(tmp_path, ids):
    mv = MultiVector(np.arange(12, dtype=np.float32).reshape(4, 3), np.array([0, 1, 4]), ids)
    mv.save(tmp_path / "m.npz")
    back = MultiVector.load(tmp_path / "m.npz")
    assert back.vectors.tobytes() == mv.vectors.tobytes()
    assert back.offsets.tolist() == [0, 1, 4]
    if ids is None:
        assert back.ids is None
    else:
        assert back.ids.tolist() == ids.tolist() and back.ids.dtype == ids.dtype
    with pytest.raises(Exception, match="already exists"):
        mv.save(tmp_path / "m.npz")


def test_load_errors(tmp_path):
    with pytest.raises(InvalidInputError, match="No multi-vector file"):
        MultiVector.load(tmp_path / "x.npz")
    (tmp_path / "x.npz").write_bytes(b"junk")
    with pytest.raises(InvalidInputError, match="is not a multi-vector file"):
        MultiVector.load(tmp_path / "x.npz")
    with pytest.raises(InvalidInputError, match="one id per set"):
        MultiVector(np.ones((2, 2)), np.array([0, 2]), np.array([1, 2]))
