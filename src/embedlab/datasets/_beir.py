"""Retrieval data sets in the BEIR layout (Thakur et al., NeurIPS 2021 Datasets track).

A folder holds ``corpus.jsonl`` (or ``.jsonl.gz``) with rows ``{"_id", "title", "text"}``,
``queries.jsonl(.gz)`` with rows ``{"_id", "text"}`` and ``qrels/<split>.tsv`` with the header
``query-id<TAB>corpus-id<TAB>score``. Any such folder under ``$EMBEDLAB_DATA/retrieval/`` is a data
set by its folder name (SciFact ships that way); a folder path works too.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedlab.datasets._graphs import data_home
from embedlab.exceptions import InvalidInputError
from embedlab.registry import unknown_name
from embedlab.utils.fileio import first_file

__all__ = ["BeirDataset", "list_retrieval_datasets", "load_beir", "retrieval_dataset_path"]


@dataclass(frozen=True)
class BeirDataset:
    """A BEIR split: the whole corpus, the queries judged in the split, and their judgements.

    ``qrels[query_id][doc_id]`` is the graded relevance. ``queries`` keeps only queries with at
    least one judgement in the split (BEIR's convention), in file order.
    """

    name: str
    split: str
    corpus_ids: list[str]
    titles: list[str]
    texts: list[str]
    query_ids: list[str]
    queries: list[str]
    qrels: dict[str, dict[str, int]]

    def documents(self, sep: str = " ") -> list[str]:
        """Return ``title + sep + text`` per document (the text alone when the title is empty).

        This is sentence-transformers' BEIR convention.
        """
        return [f"{t}{sep}{x}" if t else x for t, x in zip(self.titles, self.texts, strict=True)]

    def __repr__(self) -> str:
        return (
            f"BeirDataset({self.name!r}, split={self.split!r}, {len(self.corpus_ids):,} documents,"
            f" {len(self.query_ids):,} queries, {sum(map(len, self.qrels.values())):,} judgements)"
        )


def _find(folder: Path, stem: str) -> Path | None:
    return first_file(folder, (f"{stem}.jsonl", f"{stem}.jsonl.gz"))


def _is_beir(folder: Path) -> bool:
    return _find(folder, "corpus") is not None and (folder / "qrels").is_dir()


def list_retrieval_datasets() -> list[str]:
    """Names of the BEIR-layout folders under ``$EMBEDLAB_DATA/retrieval``."""
    home = data_home()
    if home is None or not (home / "retrieval").is_dir():
        return []
    return sorted(p.name for p in (home / "retrieval").iterdir() if p.is_dir() and _is_beir(p))


def retrieval_dataset_path(name_or_path: str | Path) -> Path:
    """Return the folder of a retrieval data set given by name (``"scifact"``) or path."""
    key = str(name_or_path)
    home = data_home()
    if home is not None:
        for name in list_retrieval_datasets():
            if name.lower() == key.lower():
                return home / "retrieval" / name
    p = Path(key)
    if p.is_dir():
        if not _is_beir(p):
            raise InvalidInputError(
                f"The folder {key!r} is not in the BEIR layout: it needs corpus.jsonl(.gz), "
                "queries.jsonl(.gz) and qrels/<split>.tsv."
            )
        return p
    hint = "" if home else " (set EMBEDLAB_DATA to the datasets folder)"
    raise unknown_name("retrieval dataset", key, list_retrieval_datasets(), hint=hint)


def _open_text(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with _open_text(path) as fh:
        try:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidInputError(
                        f"{path.name}, line {lineno}: not JSON ({exc.msg})."
                    ) from None
                if not isinstance(row, dict) or "_id" not in row:
                    raise InvalidInputError(f"{path.name}, line {lineno}: a row needs an '_id'.")
                yield row
        except UnicodeDecodeError:
            raise InvalidInputError(f"{path.name} is not UTF-8 text.") from None
        except (EOFError, gzip.BadGzipFile) as exc:
            raise InvalidInputError(f"{path.name} is truncated or corrupt ({exc}).") from None


def _read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with _open_text(path) as fh:
        reader = csv.reader(fh, delimiter="\t")
        header = next(reader, None)
        if header is None or [h.strip() for h in header[:3]] != [
            "query-id",
            "corpus-id",
            "score",
        ]:
            raise InvalidInputError(
                f"{path.name} must start with the header 'query-id<TAB>corpus-id<TAB>score'."
            )
        for lineno, row in enumerate(reader, 2):
            if not row:
                continue
            try:
                qid, did, score = row[0], row[1], int(float(row[2]))
            except (IndexError, ValueError):
                raise InvalidInputError(
                    f"{path.name}, line {lineno}: expected query-id, corpus-id and an integer "
                    f"score; got {row!r}."
                ) from None
            qrels.setdefault(qid, {})[did] = score
    return qrels


def load_beir(name_or_path: str | Path, split: str = "test") -> BeirDataset:
    """Load a BEIR-layout data set: the corpus, and the queries and judgements of ``split``.

    Judgements naming a query or document absent from the files are an error (a truncated
    download, usually).
    """
    folder = retrieval_dataset_path(name_or_path)
    qrels_path = folder / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        splits = sorted(p.stem for p in (folder / "qrels").glob("*.tsv"))
        raise InvalidInputError(
            f"{folder.name} has no split {split!r}; available: {', '.join(splits) or 'none'}."
        )
    qrels = _read_qrels(qrels_path)
    corpus_path, queries_path = _find(folder, "corpus"), _find(folder, "queries")
    if corpus_path is None or queries_path is None:
        raise InvalidInputError(f"{folder.name} lacks corpus.jsonl or queries.jsonl.")
    ids, titles, texts = [], [], []
    for row in _jsonl(corpus_path):
        ids.append(str(row["_id"]))
        titles.append(str(row.get("title") or ""))
        texts.append(str(row.get("text") or ""))
    queries = {str(r["_id"]): str(r.get("text") or "") for r in _jsonl(queries_path)}
    missing_q = [q for q in qrels if q not in queries]
    known = set(ids)
    missing_d = sorted({d for judged in qrels.values() for d in judged if d not in known})
    if missing_q or missing_d:
        raise InvalidInputError(
            f"qrels/{split}.tsv names {len(missing_q)} unknown queries and {len(missing_d)} "
            f"unknown documents (e.g. {(missing_q + missing_d)[:3]}): the data set is incomplete."
        )
    qids = [q for q in queries if q in qrels]
    return BeirDataset(
        name=folder.name,
        split=split,
        corpus_ids=ids,
        titles=titles,
        texts=texts,
        query_ids=qids,
        queries=[queries[q] for q in qids],
        qrels={q: qrels[q] for q in qids},
    )
