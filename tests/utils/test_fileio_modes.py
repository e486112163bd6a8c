"""Outputs get the usual mode (0666 & ~umask), not mkstemp's 0600; folders are written whole."""

import os
import stat

import numpy as np
import pytest

from embedlab.exceptions import OutputExistsError
from embedlab.utils.fileio import atomic_dir, atomic_file, atomic_path, save_npz


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_files_follow_the_umask(tmp_path, umask_022):
    with atomic_path(tmp_path / "a.txt", overwrite=False) as tmp:
        tmp.write_text("x")
    with atomic_file(tmp_path / "b.bin") as fh:
        fh.write(b"x")
    save_npz(tmp_path / "c.npz", {"x": np.arange(2)})
    for name in ("a.txt", "b.bin", "c.npz"):
        assert _mode(tmp_path / name) == 0o644, name
    old = os.umask(0o077)
    try:
        with atomic_path(tmp_path / "d.txt", overwrite=False) as tmp:
            tmp.write_text("x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "d.txt") == 0o600


def test_atomic_dir_mode_and_refusals(tmp_path, umask_022):
    out = tmp_path / "run"
    with atomic_dir(out, overwrite=False) as tmp:
        (tmp / "a").write_text("1")
    assert _mode(out) == 0o755
    with (
        pytest.raises(OutputExistsError, match="already exists; pass overwrite=True"),
        atomic_dir(out, overwrite=False),
    ):
        pass

    def fail_midway():
        with atomic_dir(out, overwrite=True) as tmp:
            (tmp / "b").write_text("2")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_midway()
    assert sorted(p.name for p in out.iterdir()) == ["a"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    with atomic_dir(out, overwrite=True) as tmp:
        (tmp / "c").write_text("3")
    assert sorted(p.name for p in out.iterdir()) == ["c"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_save_npz_refuses_to_clobber(tmp_path):
    save_npz(tmp_path / "x.npz", {"a": np.ones(3)})
    with pytest.raises(OutputExistsError):
        save_npz(tmp_path / "x.npz", {"a": np.zeros(3)})
    save_npz(tmp_path / "x.npz", {"a": np.zeros(3)}, overwrite=True)
    assert np.load(tmp_path / "x.npz")["a"].tolist() == [0.0, 0.0, 0.0]
