r"""Orbit-PMI ("GOPMI") embeddings and the random-walk PMI (NetMF) baseline.

Windels, Malod-Dognin & Pržulj (2024) embed nodes by factorising the pointwise mutual
information of graphlet orbit adjacencies (:mod:`embedlab.graph.orbits`) instead of the random-walk
co-occurrence that DeepWalk factorises implicitly (Qiu et al., "Network Embedding as Matrix
Factorization", WSDM 2018 -- NetMF).

For a non-negative co-occurrence matrix :math:`M` (symmetrised, :math:`S = M + M^\top`), with
:math:`\mathrm{vol} = \sum_{uv} S_{uv}` and row sums :math:`s_u`,

.. math::
    \mathrm{PPMI}_{uv} = \max\left(\log \frac{\mathrm{vol}\; S_{uv}}{b\, s_u s_v}, 0\right)

(``b`` negative samples, 1 by default), and the embedding is :math:`U_d \Sigma_d^{1/2}` from a
randomized truncated SVD (Halko et al. 2011) of the PPMI matrix.

* :class:`OrbitPMI`: ``M`` is the sum of the chosen orbit adjacencies (``"o1-o2-hop"`` strings,
  ``"all"`` for the 28, ``"1-hop"``/``"2-hop"`` for those at one distance). Sparse throughout.
* :class:`RandomWalkPMI`: NetMF's small-window matrix,
  :math:`\log\max\left(\frac{\mathrm{vol}(A)}{bT} \sum_{r=1}^{T} (D^{-1}A)^r D^{-1}, 1\right)`,
  which is dense: ``O(n^2)`` memory (0.8 GiB per 10,000 nodes in float64) -- for graphs up to
  some 10^4 nodes, as in the NetMF paper. With ``T = 1`` it equals :class:`OrbitPMI` on the
  adjacency (``orbits="0-0-1"``).
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from embedlab.base import BaseEmbedder
from embedlab.exceptions import DimensionWarning, InvalidInputError
from embedlab.io._graph import Graph
from embedlab.utils.validation import Interval, resolve_seed

__all__ = ["OrbitPMI", "RandomWalkPMI", "orbit_pmi_embedding", "parse_orbits", "ppmi_embedding"]


def parse_orbits(spec: str | Any) -> list[tuple[int, int, int]]:
    """Parse an orbit list: ``"0-0-1,1-2-1"`` -> ``[(1, 0, 0), (1, 1, 2)]``.

    The keys are ``(hop, o1, o2)``; ``"all"``, ``"1-hop"``, ``"2-hop"``, ``"3-hop"`` name groups.

    >>> parse_orbits("12-12-2, 0-0-1")
    [(2, 12, 12), (1, 0, 0)]
    >>> len(parse_orbits("all")), len(parse_orbits("1-hop"))
    (28, 19)
    """
    from embedlab.graph.orbits import MATRICES

    items = spec.split(",") if isinstance(spec, str) else list(spec)
    keys: list[tuple[int, int, int]] = []
    for raw in items:
        item = str(raw).strip()
        if not item:
            continue
        if item == "all":
            keys += list(MATRICES)
            continue
        if item.endswith("-hop") and item[0].isdigit():
            keys += [k for k in MATRICES if k[0] == int(item[0])]
            continue
        parts = item.split("-")
        try:
            o1, o2, hop = (int(p) for p in parts)
        except ValueError:
            raise InvalidInputError(
                f"Orbit adjacency {item!r} is not 'o1-o2-hop' (e.g. 0-0-1, 12-12-2) nor a group "
                "('all', '1-hop', '2-hop', '3-hop')."
            ) from None
        if (hop, o1, o2) not in MATRICES:
            raise InvalidInputError(
                f"There is no orbit adjacency {item!r}: orbits {o1} and {o2} are never "
                f"{hop} hop(s) apart in a graphlet on 2-4 nodes."
            )
        keys.append((hop, o1, o2))
    if not keys:
        raise InvalidInputError("No orbit adjacency given.")
    return list(dict.fromkeys(keys))


def ppmi_embedding(
    m: Any, n_components: int, *, negatives: float = 1.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``(U_d sqrt(S_d), S_d)`` of the positive PMI of ``m + m.T`` (sparse or dense)."""
    dense = not sp.issparse(m)
    s = (m + m.T) if dense else sp.csr_array(m + m.T, dtype=np.float64)
    rows = np.asarray(s.sum(axis=1)).ravel().astype(np.float64)
    vol = float(rows.sum())
    if vol <= 0:
        raise InvalidInputError("The co-occurrence matrix is empty: nothing to factorise.")
    inv = np.divide(1.0, rows, out=np.zeros_like(rows), where=rows > 0)
    if dense:
        pmi = np.asarray(s, dtype=np.float64) * (vol / negatives)
        pmi *= inv[:, None]
        pmi *= inv[None, :]
        np.log(np.maximum(pmi, 1.0), out=pmi)
        mat: Any = pmi
    else:
        coo = s.tocoo()
        vals = np.log(np.maximum(coo.data * vol / negatives * inv[coo.row] * inv[coo.col], 1.0))
        mat = sp.csr_array((vals, (coo.row, coo.col)), shape=s.shape)
        mat.eliminate_zeros()
    return _factorise(mat, n_components, seed)


def orbit_pmi_embedding(
    adjacencies: Any,
    orbits: str | Any,
    n_components: int,
    *,
    negatives: float = 1.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the GOPMI embedding from orbit adjacencies already counted.

    It is the PPMI embedding of the sum of the matrices that ``orbits`` names (as
    :class:`OrbitPMI`, which calls it).

    ``adjacencies`` maps ``(hop, o1, o2)`` to a sparse matrix, as returned by
    :func:`embedlab.graph.orbits.orbit_adjacency`; count once, embed many orbit sets.
    """
    keys = parse_orbits(orbits)
    missing = [f"{o1}-{o2}-{h}" for h, o1, o2 in keys if (h, o1, o2) not in adjacencies]
    if missing:
        raise InvalidInputError(
            f"The orbit adjacencies given lack {', '.join(missing)}: count them first."
        )
    first = adjacencies[keys[0]]
    total = sp.csr_array(first, dtype=np.float64)
    for k in keys[1:]:
        total = total + adjacencies[k]
    return ppmi_embedding(total, n_components, negatives=negatives, seed=seed)


def _factorise(mat: Any, n_components: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``U_d sqrt(S_d)`` of a randomized truncated SVD (zero-padded when ``d >= n``)."""
    from sklearn.utils.extmath import randomized_svd

    d = min(n_components, min(mat.shape) - 1)
    if d < 1:
        raise InvalidInputError("The graph needs at least 2 nodes to be factorised.")
    u, sigma, _ = randomized_svd(mat, d, n_iter=7, random_state=seed % 2**32)  # sklearn: 32 bits
    emb = u * np.sqrt(sigma)[None, :]
    if d < n_components:
        warnings.warn(
            f"n_components={n_components} exceeds the {d} dimensions a truncated SVD of a "
            f"{min(mat.shape)}-node graph gives: the last {n_components - d} columns are zeros "
            f"(they cost memory and carry nothing). Pass n_components <= {d}.",
            DimensionWarning,
            stacklevel=4,
        )
        emb = np.hstack([emb, np.zeros((len(emb), n_components - d))])
    return emb.astype(np.float32), sigma


class OrbitPMI(BaseEmbedder):
    """Orbit-PMI (GOPMI) node embeddings: randomized SVD of the PPMI of orbit adjacencies.

    Parameters
    ----------
    n_components : int, default=128
        Embedding dimension ``d``.
    orbits : str, default="all"
        Orbit adjacencies summed before the PMI: ``"o1-o2-hop"`` items separated by commas
        (``0-0-1`` is the adjacency), or ``all``, ``1-hop``, ``2-hop``, ``3-hop``.
    negatives : float, default=1.0
        The PMI shift ``b`` (``log b`` subtracted).
    top_k : int or None, default=None
        Per-row top-k of the 2-3 hop matrices (:func:`embedlab.graph.orbits.orbit_adjacency`).
    random_state : int, numpy Generator or None, default=None
    n_jobs : int or None, default=None
        Threads for the counting (``None``: all cores).

    Attributes
    ----------
    embeddings_ : ndarray (n_nodes, n_components), float32
    ids_ : ndarray (n_nodes,)
    singular_values_ : ndarray (n_components,)

    Examples
    --------
    >>> from embedlab.datasets import stochastic_block_model
    >>> g, _ = stochastic_block_model([20, 20], 0.4, 0.02, random_state=0)
    >>> OrbitPMI(n_components=4, orbits="1-hop", random_state=0).fit(g).embeddings_.shape
    (40, 4)
    """

    name = "orbit-pmi"

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_components": [Interval(int, 1, None)],
        "orbits": [str],
        "negatives": [Interval(float, 0, None, closed="neither")],
        "top_k": [Interval(int, 1, None), None],
        "random_state": [Interval(int, 0, None), np.random.Generator, None],
        "n_jobs": [Interval(int, -1, -1), Interval(int, 1, None), None],
    }

    def __init__(
        self,
        *,
        n_components: int = 128,
        orbits: str = "all",
        negatives: float = 1.0,
        top_k: int | None = None,
        random_state: int | np.random.Generator | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.n_components = n_components
        self.orbits = orbits
        self.negatives = negatives
        self.top_k = top_k
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any = None) -> OrbitPMI:
        """Count the chosen orbit adjacencies of ``X`` and factorise their PPMI."""
        from embedlab.graph.orbits import orbit_adjacency

        self._validate_params()
        keys = parse_orbits(self.orbits)
        graph = Graph.from_any(X)
        seed = resolve_seed(self.random_state, "OrbitPMI")
        mats = orbit_adjacency(
            graph,
            keys=keys,
            top_k=self.top_k,
            dtype=np.float64,
            n_jobs=self.n_jobs,
        )
        self.embeddings_, self.singular_values_ = orbit_pmi_embedding(
            mats, self.orbits, self.n_components, negatives=float(self.negatives), seed=seed
        )
        self.ids_ = graph.node_ids
        self.seed_ = seed
        return self


class RandomWalkPMI(BaseEmbedder):
    """NetMF (small window): randomized SVD of the PPMI of random-walk co-occurrence.

    Parameters
    ----------
    n_components : int, default=128
        Embedding dimension d (at most n - 1; more is zero-padded with a DimensionWarning).
    window : int, default=10
        ``T``, the DeepWalk window the matrix stands for.
    negatives : float, default=1.0
        The PMI shift b, the number of negative samples it stands for (log b subtracted).
    random_state : int, numpy Generator or None, default=None
        Seed of the randomized SVD; None draws one (stored in ``seed_``).

    Attributes
    ----------
    embeddings_ : ndarray (n_nodes, n_components), float32
    ids_ : ndarray (n_nodes,)

    Examples
    --------
    >>> from embedlab.datasets import stochastic_block_model
    >>> g, _ = stochastic_block_model([20, 20], 0.4, 0.02, random_state=0)
    >>> RandomWalkPMI(n_components=4, window=3, random_state=0).fit(g).embeddings_.shape
    (40, 4)
    """

    name = "random-walk-pmi"

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_components": [Interval(int, 1, None)],
        "window": [Interval(int, 1, None)],
        "negatives": [Interval(float, 0, None, closed="neither")],
        "random_state": [Interval(int, 0, None), np.random.Generator, None],
    }

    def __init__(
        self,
        *,
        n_components: int = 128,
        window: int = 10,
        negatives: float = 1.0,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.n_components = n_components
        self.window = window
        self.negatives = negatives
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> RandomWalkPMI:
        """Build NetMF's matrix for ``X`` (dense, ``O(n^2)``) and factorise its PPMI."""
        self._validate_params()
        graph = Graph.from_any(X)
        seed = resolve_seed(self.random_state, "RandomWalkPMI")
        a = graph.adjacency().astype(np.float64)
        a = ((a + a.T) / 2).tocsr()
        deg = np.asarray(a.sum(axis=1)).ravel()
        inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
        p = sp.diags_array(inv) @ a
        power = np.diag(inv)  # P^0 D^-1, then P^r D^-1 = P (P^(r-1) D^-1)
        total = np.zeros((graph.n_nodes, graph.n_nodes))
        for _ in range(self.window):
            power = p @ power
            total += power
        vol = float(deg.sum())
        total *= vol / (self.negatives * self.window)  # NetMF: vol(G) / (b T) sum_r P^r D^-1
        np.log(np.maximum(total, 1.0), out=total)
        self.embeddings_, self.singular_values_ = _factorise(total, self.n_components, seed)
        self.ids_ = graph.node_ids
        self.seed_ = seed
        return self
