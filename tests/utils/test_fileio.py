import pytest

from embedlab.exceptions import InvalidInputError, OutputExistsError
from embedlab.utils.fileio import atomic_path, check_output_path


def test_atomic_write_and_no_clobber(tmp_path):
    target = tmp_path / "out.txt"
    with atomic_path(target, overwrite=False) as tmp:
        tmp.write_text("one")
        assert not target.exists()
    assert target.read_text() == "one"
    with pytest.raises(OutputExistsError, match="already exists; pass overwrite=True"):
        check_output_path(target, overwrite=False)
    with atomic_path(target, overwrite=True) as tmp:
        tmp.write_text("two")
    assert target.read_text() == "two"


def test_failure_leaves_nothing(tmp_path):
    target = tmp_path / "out.txt"

    def write_then_fail():
        with atomic_path(target, overwrite=False) as tmp:
            tmp.write_text("partial")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_then_fail()
    assert list(tmp_path.iterdir()) == []


def test_bad_targets(tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist; create it first"):
        check_output_path(tmp_path / "no" / "x.txt", overwrite=False)
    with pytest.raises(InvalidInputError, match="is a directory"):
        check_output_path(tmp_path, overwrite=True)
