"""Knowledge-graph triples: vocabularies, integer splits, reciprocal relations, the filter index.

A :class:`TripleSet` holds the entity and relation labels (the id of a label is its position) and
three int64 ``[n, 3]`` arrays ``(head, relation, tail)``: ``train``, ``valid``, ``test``.

Reciprocal relations (Lacroix et al., ICML 2018; the NFE reference ``datasets.py``): relation
``r`` gets the inverse id ``r + R`` (``R = n_relations``) and a triple ``(h, r, t)`` the reciprocal
``(t, r + R, h)``, so predicting the head of ``(?, r, t)`` is predicting the tail of
``(t, r + R, ?)``. :meth:`TripleSet.queries` gives both directions of a split in that form.

The *filter index* of the filtered protocol (Bordes et al., 2013) maps a query ``(h, r')``
(``r'`` in ``0 .. 2R-1``) to the sorted tails ``t`` of every known triple, over all three splits
and both directions: those tails other than the one being ranked are removed from its ranking.
It is a CSR structure (sorted query keys ``h * 2R + r'``, offsets, tails), built in one
``numpy.lexsort`` — ``O(N log N)`` time, ``O(N)`` memory for ``N`` triples.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError

__all__ = ["FilterIndex", "TripleSet"]

SPLITS = ("train", "valid", "test")


@dataclass(frozen=True, eq=False)
class FilterIndex:
    """Known tails per query ``(h, r')``: sorted ``keys``, ``offsets`` into ``tails``.

    ``keys[i] = h * n_query_relations + r'``; the tails of query ``i`` are
    ``tails[offsets[i]:offsets[i + 1]]``, sorted and unique.
    """

    keys: np.ndarray
    offsets: np.ndarray
    tails: np.ndarray
    n_entities: int
    n_query_relations: int

    def known(self, head: int, relation: int) -> np.ndarray:
        """Sorted known tails of the query ``(head, relation)`` (empty if none)."""
        key = int(head) * self.n_query_relations + int(relation)
        i = int(np.searchsorted(self.keys, key))
        if i == len(self.keys) or self.keys[i] != key:
            return np.empty(0, dtype=np.int64)
        return self.tails[self.offsets[i] : self.offsets[i + 1]]

    def pairs(self, heads: np.ndarray, relations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, tails)`` of every known tail of every query of a batch, vectorised.

        ``rows[j]`` is the position in the batch and ``tails[j]`` a known tail of that query, so
        ``mask[rows, tails] = True`` marks the batch's filter (no Python loop per query).
        """
        key = np.asarray(heads, dtype=np.int64) * self.n_query_relations + np.asarray(
            relations, dtype=np.int64
        )
        if len(self.keys) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        pos = np.searchsorted(self.keys, key)
        pos_c = np.minimum(pos, len(self.keys) - 1)
        found = (pos < len(self.keys)) & (self.keys[pos_c] == key)
        starts = np.where(found, self.offsets[pos_c], 0)
        lens = np.where(found, self.offsets[pos_c + 1] - self.offsets[pos_c], 0)
        total = int(lens.sum())
        rows = np.repeat(np.arange(len(key), dtype=np.int64), lens)
        first = np.repeat(np.cumsum(lens) - lens, lens)
        idx = np.arange(total, dtype=np.int64) - first + np.repeat(starts, lens)
        return rows, self.tails[idx]


def _as_triples(name: str, a: Any) -> np.ndarray:
    arr = np.asarray(a)
    if arr.size == 0:
        return np.empty((0, 3), dtype=np.int64)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise InvalidInputError(f"'{name}' must be an int array [n, 3]; got shape {arr.shape}.")
    if not np.issubdtype(arr.dtype, np.integer):
        raise InvalidInputError(f"'{name}' must hold integer ids; got dtype {arr.dtype}.")
    return np.ascontiguousarray(arr, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class TripleSet:
    """Entities, relations and the train / valid / test triples of a knowledge graph.

    Parameters
    ----------
    entities, relations : array of str
        Labels; the id of a label is its position.
    train, valid, test : int array [n, 3]
        ``(head, relation, tail)`` ids; ``valid`` and ``test`` may be empty.
    name : str
        Shown in reprs and saved metadata.

    Examples
    --------
    >>> ts = TripleSet.from_labels([("a", "likes", "b"), ("b", "likes", "c")],
    ...                            test=[("a", "likes", "c")], name="toy")
    >>> ts
    TripleSet('toy', 3 entities, 1 relations, 2 / 0 / 1 triples)
    >>> ts.queries("test").tolist()  # (a, likes, ?) and (c, likes^-1, ?)
    [[0, 0, 2], [2, 1, 0]]
    >>> ts.filter_index().known(0, 0).tolist()  # tails of (a, likes) in any split
    [1, 2]
    """

    entities: np.ndarray
    relations: np.ndarray
    train: np.ndarray
    valid: np.ndarray = field(default_factory=lambda: np.empty((0, 3), dtype=np.int64))
    test: np.ndarray = field(default_factory=lambda: np.empty((0, 3), dtype=np.int64))
    name: str = "triples"

    def __post_init__(self) -> None:
        ents = np.asarray(self.entities, dtype=object)
        rels = np.asarray(self.relations, dtype=object)
        if ents.ndim != 1 or len(ents) == 0:
            raise InvalidInputError("A TripleSet needs at least one entity.")
        if rels.ndim != 1 or len(rels) == 0:
            raise InvalidInputError("A TripleSet needs at least one relation.")
        object.__setattr__(self, "entities", ents)
        object.__setattr__(self, "relations", rels)
        for split in SPLITS:
            arr = _as_triples(split, getattr(self, split))
            if len(arr):
                bad_e = (arr[:, [0, 2]] < 0) | (arr[:, [0, 2]] >= len(ents))
                bad_r = (arr[:, 1] < 0) | (arr[:, 1] >= len(rels))
                if bad_e.any() or bad_r.any():
                    raise InvalidInputError(
                        f"'{split}' holds ids outside the vocabularies "
                        f"({len(ents)} entities, {len(rels)} relations)."
                    )
            object.__setattr__(self, split, arr)
        if len(self.train) == 0:
            raise InvalidInputError("A TripleSet needs at least one training triple.")

    @classmethod
    def from_labels(
        cls,
        train: Iterable[Sequence[str]],
        valid: Iterable[Sequence[str]] = (),
        test: Iterable[Sequence[str]] = (),
        *,
        name: str = "triples",
    ) -> TripleSet:
        """Build the vocabularies (sorted labels of all splits) and the integer splits."""
        given = (train, valid, test)
        raw = {s: [tuple(map(str, t)) for t in rows] for s, rows in zip(SPLITS, given, strict=True)}
        for split, rows in raw.items():
            for i, t in enumerate(rows):
                if len(t) != 3:
                    raise InvalidInputError(
                        f"'{split}' triple {i} must be (head, relation, tail); got {t!r}."
                    )
        ent_set = {x for rows in raw.values() for t in rows for x in (t[0], t[2])}
        rel_set = {t[1] for rows in raw.values() for t in rows}
        entities = np.array(sorted(ent_set), dtype=object)
        relations = np.array(sorted(rel_set), dtype=object)
        e_id = {e: i for i, e in enumerate(entities)}
        r_id = {r: i for i, r in enumerate(relations)}
        arrays = {
            s: np.array([[e_id[h], r_id[r], e_id[t]] for h, r, t in rows], dtype=np.int64).reshape(
                -1, 3
            )
            for s, rows in raw.items()
        }
        return cls(entities, relations, arrays["train"], arrays["valid"], arrays["test"], name)

    @property
    def n_entities(self) -> int:
        """Number of entities ``E``."""
        return len(self.entities)

    @property
    def n_relations(self) -> int:
        """Number of relations ``R`` (without reciprocals)."""
        return len(self.relations)

    def split(self, name: str) -> np.ndarray:
        """Return the ``[n, 3]`` triples of ``"train"``, ``"valid"`` or ``"test"``."""
        if name not in SPLITS:
            raise InvalidInputError(f"Unknown split {name!r}; choose one of: {', '.join(SPLITS)}.")
        arr: np.ndarray = getattr(self, name)
        return arr

    def queries(self, name: str) -> np.ndarray:
        """Both directions of a split as tail queries: ``(h, r, t)`` then ``(t, r + R, h)``.

        Rows ``0 .. n-1`` are the tail queries in split order, rows ``n .. 2n-1`` the reciprocal
        (head) queries in the same order.
        """
        arr = self.split(name)
        recip = arr[:, [2, 1, 0]].copy()
        recip[:, 1] += self.n_relations
        return np.concatenate([arr, recip])

    def filter_index(self) -> FilterIndex:
        """Build the filter index over all splits and both directions (see the module docstring)."""
        allq = np.concatenate([self.queries(s) for s in SPLITS])
        nq = 2 * self.n_relations
        key = allq[:, 0] * nq + allq[:, 1]
        order = np.lexsort((allq[:, 2], key))
        key, tails = key[order], allq[order, 2]
        keep = np.ones(len(key), dtype=bool)
        keep[1:] = (key[1:] != key[:-1]) | (tails[1:] != tails[:-1])
        key, tails = key[keep], tails[keep]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        offsets = np.append(starts, len(key)).astype(np.int64)
        return FilterIndex(
            keys=key[starts].copy(),
            offsets=offsets,
            tails=np.ascontiguousarray(tails),
            n_entities=self.n_entities,
            n_query_relations=nq,
        )

    def __repr__(self) -> str:
        """Show the name, the vocabulary sizes and the split sizes."""
        return (
            f"TripleSet({self.name!r}, {self.n_entities:,} entities, {self.n_relations:,} "
            f"relations, {len(self.train):,} / {len(self.valid):,} / {len(self.test):,} triples)"
        )
