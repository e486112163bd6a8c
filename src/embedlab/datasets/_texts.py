"""Reading texts to encode: BEIR-style JSONL or plain text, one text per line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from embedlab.datasets._beir import _jsonl
from embedlab.exceptions import InvalidInputError

__all__ = ["read_texts"]


def read_texts(path: str | Path) -> tuple[list[Any], list[str]]:
    r"""Read the ids and texts of a file.

    A BEIR-style JSONL file (``.jsonl`` or ``.jsonl.gz``, rows ``{"_id", "title", "text"}``)
    gives its ``_id`` values and ``title + " " + text`` (the text alone without a title); any
    other file is UTF-8 text, one text per line, with ids ``0..n-1``.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    (ids, texts)

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "q.txt"
    >>> _ = p.write_text("first text\nsecond text\n")
    >>> read_texts(p)
    ([0, 1], ['first text', 'second text'])
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"No such file: {str(path)!r}.")
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz")):
        ids, texts = [], []
        for row in _jsonl(path):
            ids.append(str(row["_id"]))
            title, text = str(row.get("title") or ""), str(row.get("text") or "")
            texts.append(f"{title} {text}" if title else text)
        return ids, texts
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InvalidInputError(f"{path.name} is not UTF-8 text.") from None
    return list(range(len(lines))), lines
