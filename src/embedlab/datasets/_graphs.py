"""Loaders for graph data sets laid out as ``<folder>/edges.txt.gz`` (+ ``labels.txt.gz``)."""

from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError
from embedlab.io._graph import Graph, _factorize
from embedlab.registry import unknown_name

__all__ = [
    "GraphDataset",
    "NodeLabels",
    "data_home",
    "graph_dataset",
    "list_graph_datasets",
    "load_graph",
    "load_labels",
    "read_labels",
]

_EDGE_FILES = ("edges.txt.gz", "edges.txt", "edges.tsv", "edges.csv", "edges.parquet")
_LABEL_FILES = ("labels.txt.gz", "labels.txt")


def data_home() -> Path | None:
    """Return the folder named by ``$EMBEDLAB_DATA``, or ``None`` when unset or missing."""
    env = os.environ.get("EMBEDLAB_DATA")
    if not env:
        return None
    p = Path(env).expanduser()
    return p if p.is_dir() else None


@dataclass(frozen=True)
class GraphDataset:
    """Where a graph data set's files are."""

    name: str
    edges: Path
    labels: Path | None
    source: str  # "bundled", "EMBEDLAB_DATA" or "path"


@dataclass(frozen=True)
class NodeLabels:
    """(node, label) pairs: a node with several labels appears several times.

    >>> lab = NodeLabels(np.array([0, 0, 1]), np.array(["x", "y", "x"], dtype=object))
    >>> lab.n_nodes, lab.classes.tolist()
    (2, ['x', 'y'])
    """

    nodes: np.ndarray
    labels: np.ndarray

    @property
    def node_ids(self) -> np.ndarray:
        return _factorize(self.nodes)[0]

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def classes(self) -> np.ndarray:
        return _factorize(self.labels)[0]

    @property
    def is_multilabel(self) -> bool:
        return len(self.nodes) > self.n_nodes

    def first_labels(self, ids: Any) -> np.ndarray:
        """Return each of ``ids``' first label in file order (``None`` where it has none).

        Ids and nodes are matched as text when one side is integers and the other strings.

        >>> lab = NodeLabels(np.array([0, 0, 1]), np.array(["x", "y", "x"], dtype=object))
        >>> lab.first_labels(np.array([1, 0, 2])).tolist()
        ['x', 'x', None]
        """
        ids = np.asarray(ids)
        as_text = (ids.dtype == object) != (self.nodes.dtype == object)
        first: dict[Any, Any] = {}
        for node, label in zip(self.nodes.tolist(), self.labels.tolist(), strict=True):
            first.setdefault(str(node) if as_text else node, label)
        keys = [str(i) for i in ids.tolist()] if as_text else ids.tolist()
        return np.array([first.get(k) for k in keys], dtype=object)


def _bundled_dir() -> Path:
    return Path(str(resources.files("embedlab.datasets") / "data"))


def _folder_dataset(name: str, folder: Path, source: str) -> GraphDataset | None:
    edges = next((folder / f for f in _EDGE_FILES if (folder / f).is_file()), None)
    if edges is None:
        return None
    labels = next((folder / f for f in _LABEL_FILES if (folder / f).is_file()), None)
    return GraphDataset(name, edges, labels, source)


def list_graph_datasets() -> list[GraphDataset]:
    """Bundled data sets and every dataset folder under ``$EMBEDLAB_DATA/graphs``."""
    bundled = _bundled_dir()
    out = [
        GraphDataset(
            "karate", bundled / "karate_edges.txt", bundled / "karate_labels.txt", "bundled"
        )
    ]
    home = data_home()
    if home is not None and (home / "graphs").is_dir():
        for folder in sorted((home / "graphs").iterdir()):
            if folder.is_dir():
                ds = _folder_dataset(folder.name, folder, "EMBEDLAB_DATA")
                if ds is not None:
                    out.append(ds)
    return out


def graph_dataset(name_or_path: str | Path) -> GraphDataset:
    """Resolve a data set name (``"blogcatalog"``) or a dataset folder path."""
    key = str(name_or_path)
    for ds in list_graph_datasets():
        if ds.name.lower() == key.lower():
            return ds
    p = Path(key)
    if p.is_dir():
        found = _folder_dataset(p.name, p, "path")
        if found is not None:
            return found
        raise InvalidInputError(
            f"The folder {key!r} holds no edges file ({', '.join(_EDGE_FILES)})."
        )
    hint = "" if data_home() else " (set EMBEDLAB_DATA to the datasets folder for more)"
    raise unknown_name("dataset", key, [d.name for d in list_graph_datasets()], hint=hint)


def load_graph(
    name_or_path: str | Path, *, directed: bool = False, weighted: bool | None = None
) -> Graph:
    """Return the graph of a data set (undirected unless ``directed=True``)."""
    ds = graph_dataset(name_or_path)
    return Graph.from_edgelist(ds.edges, directed=directed, weighted=weighted)


def read_labels(path: str | Path) -> NodeLabels:
    """Read a ``node label`` file (``.gz`` ok, ``#`` comments, several lines per node allowed)."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInputError(f"The labels file {str(p)!r} does not exist.")
    try:
        raw = gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
        text = raw.decode("utf-8")
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InvalidInputError(f"{str(p)!r} is not a readable gzip file: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{str(p)!r} is not UTF-8 text: {exc}") from exc
    nodes, labels = [], []
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.replace(",", " ").replace("\t", " ").split()
        if len(parts) != 2:
            raise InvalidInputError(
                f"{str(p)!r} line {lineno}: expected 'node label', got {line[:60]!r}."
            )
        nodes.append(parts[0])
        labels.append(parts[1])
    if not nodes:
        raise InvalidInputError(f"The labels file {str(p)!r} holds no labels.")
    return NodeLabels(_maybe_int(nodes), _maybe_int(labels))


def _maybe_int(tokens: list[str]) -> np.ndarray:
    try:
        ints = [int(t) for t in tokens]
    except ValueError:
        return np.asarray(tokens, dtype=object)
    if all(str(i) == t for i, t in zip(ints, tokens, strict=True)):
        return np.asarray(ints, dtype=np.int64)
    return np.asarray(tokens, dtype=object)


def load_labels(name_or_path: str | Path) -> NodeLabels:
    """Labels of a data set name or folder, or of a labels file path."""
    p = Path(str(name_or_path))
    if p.is_file():
        return read_labels(p)
    if not p.exists() and (p.suffix in (".txt", ".gz", ".tsv", ".csv") or os.sep in str(p)):
        raise InvalidInputError(f"The labels file {str(p)!r} does not exist.")
    ds = graph_dataset(name_or_path)
    if ds.labels is None:
        raise InvalidInputError(f"The dataset {ds.name!r} has no labels file.")
    return read_labels(ds.labels)
