"""Knowledge-graph data sets: ``train`` / ``valid`` / ``test`` files of tab-separated triples.

A folder holding ``train.txt`` (or ``train.txt.gz``) and optionally ``valid`` and ``test`` files
of the same form — one ``head<TAB>relation<TAB>tail`` line per triple, UTF-8, labels as in the
release — is a data set. Any such folder under ``$EMBEDLAB_DATA/kg/`` is known by its folder name
(Nations, Kinships, WN18RR and FB15k-237 ship that way); a folder path works too, and so does a
single TSV file (then it is all training triples). Blank lines and lines starting with ``#`` are
skipped; a line without exactly three tab-separated fields is an error naming the file and line.
Duplicate lines within a split are kept once (the standard releases have none).
"""

from __future__ import annotations

import gzip
from pathlib import Path

from embedlab.datasets._graphs import data_home
from embedlab.exceptions import InvalidInputError
from embedlab.io._triples import TripleSet
from embedlab.utils.fileio import first_file

__all__ = ["kg_dataset_path", "list_kg_datasets", "load_kg", "read_triples"]


def _find(folder: Path, stem: str) -> Path | None:
    return first_file(folder, (f"{stem}.txt", f"{stem}.txt.gz", f"{stem}.tsv", f"{stem}.tsv.gz"))


def list_kg_datasets() -> list[str]:
    """Names of the triple folders under ``$EMBEDLAB_DATA/kg``."""
    home = data_home()
    if home is None or not (home / "kg").is_dir():
        return []
    return sorted(p.name for p in (home / "kg").iterdir() if p.is_dir() and _find(p, "train"))


def kg_dataset_path(name_or_path: str | Path) -> Path:
    """Return the folder (or TSV file) of a KG data set given by name (``"kinships"``) or path."""
    key = str(name_or_path)
    for name in list_kg_datasets():
        if name.lower() == key.lower():
            home = data_home()
            if home is None:  # pragma: no cover - list_kg_datasets found it there
                break
            return home / "kg" / name
    p = Path(key).expanduser()
    if (p.is_dir() and _find(p, "train") is not None) or p.is_file():
        return p
    known = ", ".join(list_kg_datasets()) or "none (is $EMBEDLAB_DATA set?)"
    raise InvalidInputError(
        f"No knowledge-graph data set {key!r}: expected a folder with train.txt(.gz) (and "
        f"valid/test), a TSV file of triples, or one of the names under $EMBEDLAB_DATA/kg: "
        f"{known}."
    )


def read_triples(path: str | Path) -> list[tuple[str, str, str]]:
    """Read the ``(head, relation, tail)`` label triples of one tab-separated file, in order."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    out: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                line = line.rstrip("\r\n")
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.split("\t")
                if len(parts) != 3 or not all(p.strip() for p in parts):
                    raise InvalidInputError(
                        f"{path}:{lineno}: expected 'head<TAB>relation<TAB>tail', "
                        f"got {line[:80]!r}."
                    )
                t = (parts[0].strip(), parts[1].strip(), parts[2].strip())
                if t not in seen:
                    seen.add(t)
                    out.append(t)
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{path} is not UTF-8 text ({exc.reason}).") from None
    except (OSError, EOFError) as exc:
        raise InvalidInputError(f"Cannot read {path}: {exc}.") from None
    return out


def load_kg(name_or_path: str | Path) -> TripleSet:
    """Load a knowledge graph by name (``"kinships"``), folder or TSV file.

    >>> load_kg("kinships")  # doctest: +SKIP
    TripleSet('kinships', 104 entities, 25 relations, 8,544 / 1,068 / 1,074 triples)
    """
    p = kg_dataset_path(name_or_path)
    if p.is_file():
        return TripleSet.from_labels(read_triples(p), name=p.name.split(".")[0])
    splits = {}
    for stem in ("train", "valid", "test"):
        f = _find(p, stem)
        splits[stem] = read_triples(f) if f is not None else []
    if not splits["train"]:
        raise InvalidInputError(f"{p}: the training file holds no triples.")
    return TripleSet.from_labels(splits["train"], splits["valid"], splits["test"], name=p.name)
