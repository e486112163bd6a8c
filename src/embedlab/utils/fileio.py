"""Safe writes: a temporary file in the target's folder, renamed into place when complete.

A crash or an error never leaves a half-written output, and an existing file is replaced only
with ``overwrite=True``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from embedlab.exceptions import InvalidInputError, OutputExistsError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = [
    "atomic_dir",
    "atomic_file",
    "atomic_path",
    "check_output_path",
    "first_file",
    "save_npz",
]


def check_output_path(path: str | os.PathLike[str], *, overwrite: bool) -> Path:
    """``path`` as a :class:`Path`, refusing an existing file unless ``overwrite``."""
    p = Path(path)
    if p.exists() and not overwrite:
        raise OutputExistsError(
            f"{str(p)!r} already exists; pass overwrite=True (CLI: --overwrite) to replace it."
        )
    if p.exists() and p.is_dir():
        raise InvalidInputError(f"{str(p)!r} is a directory; give a file path.")
    if not p.parent.exists():
        raise InvalidInputError(f"The folder {str(p.parent)!r} does not exist; create it first.")
    return p


@contextmanager
def atomic_path(path: str | os.PathLike[str], *, overwrite: bool) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "x.txt", overwrite=False) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (d / "x.txt").read_text()
    'hello'
    """
    target = check_output_path(path, overwrite=overwrite)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
    try:
        yield tmp
        if target.exists() and not overwrite:  # appeared meanwhile
            raise OutputExistsError(
                f"{str(target)!r} already exists; pass overwrite=True (CLI: --overwrite)."
            )
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextmanager
def atomic_file(path: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[BinaryIO]:
    """Return a binary file handle on a temporary file beside ``path``, renamed onto it at exit.

    The file is flushed and fsynced before the rename (:func:`atomic_path`): a crash leaves the
    old file or the new one, never a torn one. For snapshots, which must survive the crash they
    are there for.
    """
    with atomic_path(path, overwrite=overwrite) as tmp, open(tmp, "wb") as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def save_npz(
    path: str | os.PathLike[str], arrays: dict[str, np.ndarray], *, overwrite: bool = False
) -> Path:
    """Write ``arrays`` to an uncompressed ``.npz`` at ``path``, atomically and durably.

    Parameters
    ----------
    path : path-like
        The output file; its folder must exist.
    arrays : dict of str to ndarray
        The arrays, by name (never object arrays: files are read with ``allow_pickle=False``).
    overwrite : bool, default=False
        Replace an existing file.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> out = save_npz(pathlib.Path(tempfile.mkdtemp()) / "a.npz", {"x": np.arange(3)})
    >>> np.load(out)["x"].tolist()
    [0, 1, 2]
    """
    import numpy as np

    with atomic_file(path, overwrite=overwrite) as fh:
        np.savez(fh, **arrays)  # type: ignore[arg-type]  # numpy's stub misreads **kwargs
    return Path(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def first_file(folder: Path, names: Iterable[str]) -> Path | None:
    """Return the first of ``names`` that is a file in ``folder`` (``a.txt``, then ``a.txt.gz``)."""
    for name in names:
        if (folder / name).is_file():
            return folder / name
    return None


@contextmanager
def atomic_dir(path: str | os.PathLike[str], *, overwrite: bool) -> Iterator[Path]:
    """Yield a fresh temporary folder beside ``path``; on success it replaces ``path`` whole.

    An interrupted write leaves the old folder (or none) and no partial one; with
    ``overwrite=True`` no stale file of the old folder survives.

    Parameters
    ----------
    path : path-like
        The output folder; its parent must exist.
    overwrite : bool
        Replace an existing folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> with atomic_dir(out, overwrite=False) as tmp:
    ...     _ = (tmp / "a.txt").write_text("1")
    >>> sorted(p.name for p in out.iterdir())
    ['a.txt']
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise InvalidInputError(f"{str(target)!r} exists and is not a folder.")
    if target.exists() and not overwrite:
        raise OutputExistsError(
            f"{str(target)!r} already exists; pass overwrite=True (CLI: --overwrite) to replace it."
        )
    if not target.parent.exists():
        raise InvalidInputError(
            f"The folder {str(target.parent)!r} does not exist; create it first."
        )
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    os.chmod(tmp, 0o777 & ~_umask())
    old: Path | None = None
    try:
        yield tmp
        if target.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
            )
            os.replace(target, old / target.name)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
