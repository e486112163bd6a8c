r"""The spec grammar: one compact, round-trippable string for every index and compression chain.

In the spirit of FAISS's ``index_factory("IVF4096,PQ32")``, a spec is a comma-separated chain::

    spec    := [ "MRL" D "," ] index | "MRL" D
    index   := "Flat" | "SQ8" | "BFlat"          exact search in NumPy (FlatIndex)
             | "faiss:" factory                   any FAISS factory string, served by FAISS
             | factory                            the same without the prefix ("HNSW32",
                                                  "IVF16,Flat", "PQ32", "IVF256,PQ32")

==================  ===========================================================================
``Flat``            float32 vectors, exact (:class:`~embedlab.retrieval.index.FlatIndex`)
``SQ8``             8-bit scalar codes, :math:`d` bytes a vector, exact over the reconstructions
``BFlat``           sign bits, :math:`\lceil d/8 \rceil` bytes, exact Hamming distance
``PQ<M>``           FAISS product quantisation, ``M`` sub-vectors of 8 bits (``M`` bytes)
``MRL<D>,<spec>``   the first ``D`` coordinates, L2-renormalised (Matryoshka), then ``<spec>``;
                    ``MRL<D>`` alone is ``MRL<D>,Flat``
``faiss:<f>``       FAISS's ``index_factory(f)`` (``"faiss:Flat"``, ``"faiss:SQ8"`` ...)
==================  ===========================================================================

Any other string is handed to FAISS as a factory string (extra ``[faiss]``). The compression
names of earlier versions are accepted as aliases and canonicalise to the new spelling:
``int8`` -> ``SQ8``, ``binary`` -> ``BFlat``, ``pq:M`` -> ``PQM``, ``mrl:D`` -> ``MRLD``
(case-insensitive, anywhere in a chain: ``"mrl:256,int8"`` is ``"MRL256,SQ8"``).

:func:`parse_spec` is the one parser; :meth:`IndexSpec.describe` gives the canonical string
(``parse_spec(s).describe()`` parses back to the same spec), and :func:`make_index` builds the
index, each backend found by name in :data:`embedlab.registry.INDEXES`. Every index's
``describe()`` returns its canonical spec, so ``make_index(index.describe(), index.dim,
index.metric)`` rebuilds an equivalent empty index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from embedlab.exceptions import InvalidInputError
from embedlab.registry import INDEXES

if TYPE_CHECKING:  # pragma: no cover
    from embedlab.retrieval.index.base import Index

__all__ = ["NUMPY_CODES", "VALID_SPECS", "IndexSpec", "make_index", "parse_spec"]

#: the NumPy index tokens and the codes :class:`~embedlab.retrieval.index.FlatIndex` stores
NUMPY_CODES: dict[str, str] = {"Flat": "float32", "SQ8": "int8", "BFlat": "binary"}

#: what an error lists as valid
VALID_SPECS = (
    "Flat, SQ8, BFlat, PQ<M>, MRL<D>[,<spec>], faiss:<FAISS factory string>, "
    "or a FAISS factory string such as HNSW32 or IVF256,PQ32"
)

_FAISS_PREFIX = "faiss:"
_MRL = re.compile(r"MRL(\d*)")
_ALIASES = {"int8": "SQ8", "binary": "BFlat"}
_ALIAS_ARG = re.compile(r"(pq|mrl):(.*)", re.IGNORECASE)


@dataclass(frozen=True)
class IndexSpec:
    """A parsed spec (build one with :func:`parse_spec`).

    Parameters
    ----------
    backend : {"flat", "faiss"}
        The :data:`~embedlab.registry.INDEXES` name of the index that stores the vectors.
    factory : str
        ``"Flat"``, ``"SQ8"`` or ``"BFlat"`` for ``"flat"``; the FAISS factory string for
        ``"faiss"``.
    mrl : int or None, default=None
        Keep the first ``mrl`` coordinates (renormalised) before indexing.

    Examples
    --------
    >>> s = parse_spec("mrl:256,int8")
    >>> s
    IndexSpec(backend='flat', factory='SQ8', mrl=256)
    >>> s.describe()
    'MRL256,SQ8'
    >>> parse_spec("faiss:IVF256,PQ32").describe(), parse_spec("faiss:SQ8").describe()
    ('IVF256,PQ32', 'faiss:SQ8')
    """

    backend: str
    factory: str
    mrl: int | None = None

    def describe(self) -> str:
        """Return the canonical spec string (parses back to an equal :class:`IndexSpec`).

        Returns
        -------
        str
            ``"faiss:"`` only where the bare factory string would mean something else, the
            Matryoshka prefix first, ``",Flat"`` after it omitted.
        """
        body = self.factory
        if self.backend == "faiss" and _needs_prefix(body):
            body = _FAISS_PREFIX + body
        if self.mrl is None:
            return body
        return f"MRL{self.mrl}" if body == "Flat" else f"MRL{self.mrl},{body}"

    @property
    def index_name(self) -> str:
        """The :data:`~embedlab.registry.INDEXES` name of the outermost index."""
        return "mrl" if self.mrl is not None else self.backend

    @property
    def exact(self) -> bool:
        """Whether the index ranks exactly by its stored codes (NumPy specs and FAISS ``Flat``)."""
        return self.backend == "flat" or self.factory in ("Flat", "BFlat")

    def build(self, dim: int, metric: str = "ip") -> Index:
        """Build an empty index for vectors of dimension ``dim``.

        Parameters
        ----------
        dim : int
            The dimension of the vectors given to ``add`` and ``search``.
        metric : {"ip", "cosine", "l2"}, default="ip"
            How vectors compare.

        Returns
        -------
        Index
            Untrained where the spec needs training (``SQ8``, ``IVF``, ``PQ``).
        """
        if self.mrl is not None:
            inner = IndexSpec(self.backend, self.factory).describe()
            return INDEXES.get("mrl")(dim, metric, truncate_dim=self.mrl, index=inner)
        if self.backend == "flat":
            return INDEXES.get("flat")(dim, metric, codes=NUMPY_CODES[self.factory])
        return INDEXES.get("faiss")(self.factory, dim, metric)


def _bad(token: str, spec: str, why: str) -> InvalidInputError:
    return InvalidInputError(f"Bad token {token!r} in spec {spec!r}: {why}. Valid: {VALID_SPECS}.")


def _alias(token: str, spec: str) -> str:
    """Map an old compression name to its token in the grammar; other tokens unchanged."""
    if token.lower() in _ALIASES:
        return _ALIASES[token.lower()]
    m = _ALIAS_ARG.fullmatch(token)
    if m is None:
        return token
    if not m.group(2).isdigit() or int(m.group(2)) < 1:
        raise _bad(token, spec, f"{m.group(1).lower()}:N needs an integer N >= 1")
    return f"{'PQ' if m.group(1).lower() == 'pq' else 'MRL'}{int(m.group(2))}"


def _needs_prefix(factory: str) -> bool:
    """Whether a FAISS factory string, written bare, would parse as something else."""
    try:
        return _parse_index(factory, factory) != ("faiss", factory)
    except InvalidInputError:
        return True


def _parse_index(rest: str, spec: str) -> tuple[str, str]:
    """``(backend, factory)`` of the part of a spec after any Matryoshka prefix."""
    if rest.startswith(_FAISS_PREFIX):
        factory = rest[len(_FAISS_PREFIX) :].strip()
        if not factory:
            raise _bad(rest, spec, "'faiss:' needs a FAISS factory string after it")
        return "faiss", factory
    tokens = [_alias(t.strip(), spec) for t in rest.split(",")]
    for t in tokens:
        if not t:
            raise _bad(t, spec, "empty token")
        if _MRL.fullmatch(t):
            raise _bad(t, spec, "MRL<D> comes first, once")
        if ":" in t:
            raise _bad(t, spec, "only 'faiss:' may prefix a factory string")
    if len(tokens) == 1 and tokens[0] in NUMPY_CODES:
        return "flat", tokens[0]
    return "faiss", ",".join(tokens)


def parse_spec(spec: str | IndexSpec) -> IndexSpec:
    """Parse an index or compression spec (the grammar of :mod:`embedlab.retrieval.spec`).

    Parameters
    ----------
    spec : str or IndexSpec
        ``"Flat"``, ``"SQ8"``, ``"MRL256,PQ16"``, ``"faiss:IVF256,PQ32"``, ``"HNSW32"`` ...;
        an :class:`IndexSpec` is returned as it is.

    Returns
    -------
    IndexSpec

    Raises
    ------
    InvalidInputError
        For an empty spec or a malformed token (naming it and listing the valid ones). Whether
        FAISS accepts a factory string is known only when the index is built.

    Examples
    --------
    >>> parse_spec("HNSW32")
    IndexSpec(backend='faiss', factory='HNSW32', mrl=None)
    >>> parse_spec("MRL256")
    IndexSpec(backend='flat', factory='Flat', mrl=256)
    >>> parse_spec("MRL0,SQ8")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    embedlab.exceptions.InvalidInputError: Bad token 'MRL0' in spec 'MRL0,SQ8': MRL<D> needs ...
    """
    if isinstance(spec, IndexSpec):
        return spec
    if not isinstance(spec, str) or not spec.strip():
        raise InvalidInputError(
            f"An index spec is a non-empty string; got {spec!r}. Valid: {VALID_SPECS}."
        )
    s = spec.strip()
    head, sep, rest = s.partition(",")
    head = head.strip() if head.startswith(_FAISS_PREFIX) else _alias(head.strip(), s)
    m = _MRL.fullmatch(head)
    if m is None:
        return IndexSpec(*_parse_index(s, s))
    if not m.group(1) or int(m.group(1)) < 1:
        raise _bad(head, s, "MRL<D> needs an integer D >= 1")
    backend, factory = _parse_index(rest.strip(), s) if sep else ("flat", "Flat")
    return IndexSpec(backend, factory, int(m.group(1)))


def make_index(spec: str | IndexSpec, dim: int, metric: str = "ip") -> Index:
    """Build an empty index from a spec.

    Parameters
    ----------
    spec : str or IndexSpec
        See :mod:`embedlab.retrieval.spec`.
    dim : int
        The dimension of the vectors.
    metric : {"ip", "cosine", "l2"}, default="ip"
        How vectors compare.

    Returns
    -------
    Index
        ``index.describe()`` is the canonical spec.

    Examples
    --------
    >>> make_index("SQ8", 16, metric="cosine")
    FlatIndex('SQ8', dim=16, metric='cosine', n=0)
    >>> make_index("faiss:Flat", 16).describe()
    'faiss:Flat'
    >>> make_index("mrl:8,int8", 16).describe()
    'MRL8,SQ8'
    """
    return parse_spec(spec).build(dim, metric)
