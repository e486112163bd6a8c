"""Frozen text views of entity names for the hypercomplex multi-view models.

Nayyeri et al., "Integrating Knowledge Graph Embeddings and Pre-trained Language Models in
Hypercomplex Spaces" (ISWC 2023; reference code ZihaoWang/Hypercomplex-KG-Embedding) give each
entity three frozen vectors from pre-trained language models, which their model "Tetra_WSF"
places on the imaginary parts of a hypercomplex number (:mod:`embedlab.kg.models.hypercomplex`).
Only what ships offline is used here, one stand-in per view, in this order:

======  =========================  ===========================================================
part    the paper's view           here (key of the dict :func:`text_views` returns)
======  =========================  ===========================================================
``i``   Word2Vec                   ``"char"``: character 2-4-gram TF-IDF, TruncatedSVD
``j``   FastText (sub-word)        ``"subword"``: character 3-5-grams inside word boundaries
                                   (``char_wb``, FastText's boundary-marked n-grams), TF-IDF,
                                   TruncatedSVD
``k``   SentenceTransformer        ``"sentence"``: ``encode(names)`` (the caller passes the
                                   packaged MiniLM sentence encoder); without an encoder
                                   ``"word"``: word 1-2-gram TF-IDF, TruncatedSVD (stated)
======  =========================  ===========================================================

A TF-IDF/SVD view of names ``n_1 .. n_E``: ``X = tfidf(n)`` ``[E, V]`` (sub-linear term
frequency, smoothed idf, rows L2-normalised), ``Z = X V_k`` with ``V_k`` the top ``k`` right
singular vectors (randomised SVD seeded with ``random_state``, so a view is a deterministic
function of the names and the seed), ``k = min(dims, E)``, and the rows of ``Z`` L2-normalised
(a name without any n-gram keeps a zero row). A vocabulary of at most ``dims`` n-grams is kept
as it is (``Z = X``; the SVD would only rotate it). Names are read as given;
:func:`readable_names` turns labels such as ``united_states`` into ``united states`` first
(WN18RR's and FB15k-237's numeric ids carry no text: their views are near-arbitrary and the
multi-view model then gains nothing, which is expected).

Cost: TF-IDF ``O(L g)`` for ``L`` characters of names and ``g`` n-gram lengths; the randomised
SVD ``O(nnz(X) k)`` per power iteration; memory ``O(nnz(X) + E k)``. This package never imports
a text encoder (layering): the CLI and the benchmarks pass one as ``encode``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from embedlab.exceptions import InvalidInputError

__all__ = ["char_ngram_views", "readable_names", "text_views"]

#: the TF-IDF analysers of the views: key -> (analyzer, ngram_range)
_ANALYSERS: dict[str, tuple[str, tuple[int, int]]] = {
    "char": ("char", (2, 4)),
    "subword": ("char_wb", (3, 5)),
    "word": ("word", (1, 2)),
}

_SPACES = re.compile(r"\s+")


def readable_names(labels: Iterable[Any]) -> list[str]:
    """Return entity labels as text: underscores become spaces, runs of spaces one space.

    Parameters
    ----------
    labels : iterable
        Entity labels (anything ``str`` accepts).

    Returns
    -------
    list of str
        One name per label, stripped.

    Examples
    --------
    >>> readable_names(["united_states", "person12", " new__york "])
    ['united states', 'person12', 'new york']
    """
    return [_SPACES.sub(" ", str(x).replace("_", " ")).strip() for x in labels]


def _names(names: Any) -> list[str]:
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise InvalidInputError(
            f"'names' must be a sequence of entity names; got {type(names).__name__}."
        )
    out = [str(x) for x in names]
    if not out:
        raise InvalidInputError("'names' is empty; pass one name per entity.")
    return out


def _dims(dims: Any) -> int:
    if isinstance(dims, bool) or not isinstance(dims, int | np.integer) or dims < 1:
        raise InvalidInputError(f"'dims' must be an int >= 1; got {dims!r}.")
    return int(dims)


def _tfidf_svd(names: list[str], key: str, dims: int, random_state: int) -> np.ndarray:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer, ngrams = _ANALYSERS[key]
    extra = {"token_pattern": r"(?u)\b\w+\b"} if analyzer == "word" else {}
    vec = TfidfVectorizer(
        analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True, dtype=np.float64, **extra
    )
    try:
        x = vec.fit_transform(names)
    except ValueError:  # no name has any n-gram: an empty vocabulary
        return np.zeros((len(names), 1), dtype=np.float32)
    if x.shape[1] <= dims:
        z = x.toarray()
    else:
        k = min(dims, len(names))
        z = TruncatedSVD(n_components=k, random_state=random_state).fit_transform(x)
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    z = np.divide(z, norms, out=np.zeros_like(z), where=norms > 0)
    return np.ascontiguousarray(z, dtype=np.float32)


def char_ngram_views(
    names: Sequence[str], dims: int = 64, random_state: int = 0
) -> dict[str, np.ndarray]:
    """Build the two character n-gram views of entity names (TF-IDF, then TruncatedSVD).

    Parameters
    ----------
    names : sequence of str
        One name per entity, in id order.
    dims : int, default=64
        Width ``k`` of each view (at most; capped by the number of names and n-grams).
    random_state : int, default=0
        Seed of the randomised SVD (the views are deterministic for a seed).

    Returns
    -------
    dict of str to ndarray
        ``{"char": [E, k1], "subword": [E, k2]}``, float32, rows of unit norm (or zero):
        character 2-4-grams, and 3-5-grams within word boundaries (``char_wb``).

    Examples
    --------
    >>> v = char_ngram_views(["usa", "uk", "ussr", "china"], dims=3)
    >>> {key: a.shape for key, a in v.items()}
    {'char': (4, 3), 'subword': (4, 3)}
    """
    items = _names(names)
    k = _dims(dims)
    return {key: _tfidf_svd(items, key, k, int(random_state)) for key in ("char", "subword")}


def text_views(
    names: Sequence[str],
    *,
    encode: Callable[[list[str]], Any] | None = None,
    dims: int = 64,
    random_state: int = 0,
) -> dict[str, np.ndarray]:
    """Build the three frozen text views of the multi-view models (parts ``i``, ``j``, ``k``).

    Parameters
    ----------
    names : sequence of str
        One name per entity, in id order (see :func:`readable_names`).
    encode : callable, optional
        ``list[str] -> [E, k]`` float array: the sentence encoder of the third view (the packaged
        MiniLM, wired in by the CLI). ``None``: a word 1-2-gram TF-IDF/SVD view instead.
    dims : int, default=64
        Width of the TF-IDF/SVD views (at most).
    random_state : int, default=0
        Seed of the randomised SVDs.

    Returns
    -------
    dict of str to ndarray
        ``{"char": ..., "subword": ..., "sentence" | "word": ...}`` in part order, float32
        ``[E, k]`` each. The encoder's rows are kept as it returns them.

    Examples
    --------
    >>> v = text_views(["usa", "uk", "ussr"], dims=2)
    >>> list(v)
    ['char', 'subword', 'word']
    """
    items = _names(names)
    views = char_ngram_views(items, dims, random_state)
    if encode is None:
        views["word"] = _tfidf_svd(items, "word", _dims(dims), int(random_state))
        return views
    if not callable(encode):
        raise InvalidInputError(
            f"'encode' must be a callable list[str] -> [n, k] array; got {type(encode).__name__}."
        )
    out = encode(list(items))
    if hasattr(out, "detach"):  # a torch tensor
        out = out.detach().cpu().numpy()
    arr = np.asarray(out, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[0] != len(items) or arr.shape[1] < 1:
        raise InvalidInputError(
            f"'encode' must return one row per name, [{len(items)}, k]; got shape {arr.shape}."
        )
    if not np.isfinite(arr).all():
        raise InvalidInputError("'encode' returned NaN or infinite values.")
    views["sentence"] = np.ascontiguousarray(arr)
    return views
