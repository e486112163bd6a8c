r"""Graphlet orbit adjacencies (GRADCO) and node orbit counts, for graphlets on 2-4 nodes.

Windels, Malod-Dognin & Pržulj, "Graphlets correct for the topological information missed by
random walks" (2024); orbits in Pržulj's numbering (as ORCA):

====  ==========================  ======================================================
G     graphlet                    orbits
====  ==========================  ======================================================
G0    edge                        0
G1    path of 3                   1 (end), 2 (middle)
G2    triangle                    3
G3    path of 4                   4 (end), 5 (inner)
G4    claw                        6 (leaf), 7 (centre)
G5    4-cycle                     8
G6    paw (triangle + tail)       9 (tail end), 10 (triangle, degree 2), 11 (degree 3)
G7    diamond                     12 (degree 2), 13 (degree 3)
G8    4-clique                    14
====  ==========================  ======================================================

``A[(h, o1, o2)][u, v]`` counts the *induced* graphlets in which ``u`` is on orbit ``o1``, ``v``
on orbit ``o2``, and ``u``, ``v`` are ``h`` hops apart inside the graphlet. There are 28: 19 at one
hop, 8 at two, 1 at three; ``A[(h, o2, o1)]`` is the transpose of ``A[(h, o1, o2)]``. Keys are
GRADCO's ``(hop, orbit1, orbit2)``.

How they are counted, without enumerating 4-node subsets: every matrix is a sum over the common
neighbours of a pair of a few per-edge counts — ``t(u,v)`` (triangles on the edge),
``k(u,v)`` (4-cliques on the edge), ``cn(u,w)`` (common neighbours), ``D(u,w)`` (edges among the
common neighbours) — by inclusion-exclusion. For instance, a claw's two leaves ``u, w`` (not
adjacent) see ``A[(2,6,6)][u,w] = sum_{c in N(u) & N(w)} (d_c - 2 - t(c,u) - t(c,w)) + 2 D(u,w)``.
The derivations are in the comments of :func:`_one_hop` and :func:`_two_hop_rows`; the tests check
every matrix against brute-force enumeration of all 3- and 4-node subsets.

Cost: ``O(sum_v d_v^2)`` for the wedges, ``O(sum over triangles of the degrees)`` for the
cliques, and for the 3-hop matrix one pass over the 3-paths, ``O(sum_(b,c) d_b d_c)``. Memory:
the 1-hop matrices have the pattern of ``A``; the 2-hop ones that of the distance-2 pairs, and
the 3-hop one up to that of ``A^3`` — on hub-heavy graphs these fill in, so :func:`orbit_adjacency`
estimates their size first and refuses (or keeps a per-row top-k / a threshold) past a limit.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import scipy.sparse as sp
from numba import njit, prange

from embedlab.exceptions import InvalidInputError
from embedlab.io._graph import Graph, csr_rows

__all__ = [
    "MATRICES",
    "ORBIT_MULTIPLICITY",
    "orbit_adjacency",
    "orbit_counts",
    "simple_graph",
]

logger = logging.getLogger(__name__)

#: every (hop, orbit1, orbit2) GRADCO computes, in its order; transposes are listed after
_PRIMARY = [
    (1, 0, 0),
    (1, 1, 2),
    (1, 3, 3),
    (1, 4, 5),
    (1, 5, 5),
    (1, 6, 7),
    (1, 8, 8),
    (1, 9, 11),
    (1, 10, 10),
    (1, 10, 11),
    (1, 12, 13),
    (1, 13, 13),
    (1, 14, 14),
    (2, 1, 1),
    (2, 4, 5),
    (2, 6, 6),
    (2, 8, 8),
    (2, 9, 10),
    (2, 12, 12),
    (3, 4, 4),
]
_TRANSPOSED = [(h, b, a) for h, a, b in _PRIMARY if a != b]
#: the 28 orbit adjacencies, keyed (hop, orbit1, orbit2)
MATRICES: tuple[tuple[int, int, int], ...] = tuple(_PRIMARY + _TRANSPOSED)

#: for (hop, o1, o2): how many nodes on orbit o2 lie ``hop`` away from one node on orbit o1 inside
#: the graphlet, so that ``A[key].sum(axis=1) / ORBIT_MULTIPLICITY[key]`` is the orbit-o1 count
ORBIT_MULTIPLICITY: dict[tuple[int, int, int], int] = {
    (1, 0, 0): 1,
    (1, 1, 2): 1,
    (1, 2, 1): 2,
    (2, 1, 1): 1,
    (1, 3, 3): 2,
    (1, 4, 5): 1,
    (1, 5, 4): 1,
    (1, 5, 5): 1,
    (2, 4, 5): 1,
    (2, 5, 4): 1,
    (3, 4, 4): 1,
    (1, 6, 7): 1,
    (1, 7, 6): 3,
    (2, 6, 6): 2,
    (1, 8, 8): 2,
    (2, 8, 8): 1,
    (1, 9, 11): 1,
    (1, 11, 9): 1,
    (2, 9, 10): 2,
    (2, 10, 9): 1,
    (1, 10, 10): 1,
    (1, 10, 11): 1,
    (1, 11, 10): 2,
    (1, 12, 13): 2,
    (1, 13, 12): 2,
    (2, 12, 12): 1,
    (1, 13, 13): 1,
    (1, 14, 14): 3,
}


@njit(parallel=True, cache=True, nogil=True)
def _triangles(indptr: np.ndarray, indices: np.ndarray, n_threads: int) -> np.ndarray:
    """``t[p]``: common neighbours of the edge at CSR position ``p``."""
    n = indptr.shape[0] - 1
    tri = np.zeros(indices.shape[0], dtype=np.int64)
    for t in prange(n_threads):
        mark = np.zeros(n, dtype=np.bool_)
        for u in range(t, n, n_threads):
            for p in range(indptr[u], indptr[u + 1]):
                mark[indices[p]] = True
            for p in range(indptr[u], indptr[u + 1]):
                v = indices[p]
                c = 0
                for q in range(indptr[v], indptr[v + 1]):
                    if mark[indices[q]]:
                        c += 1
                tri[p] = c
            for p in range(indptr[u], indptr[u + 1]):
                mark[indices[p]] = False
    return tri


@njit(parallel=True, cache=True, nogil=True)
def _edge_sums(
    indptr: np.ndarray, indices: np.ndarray, tri: np.ndarray, n_threads: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Count the per-edge sums over common neighbours.

    Per directed edge ``u -> v`` (CSR position ``p``), over ``z`` in ``N(u) & N(v)``:
    ``k4[p]`` (edges among those ``z``: 4-cliques on the edge), ``sd[p] = sum d_z``,
    ``stv[p] = sum t(v, z)``; and ``q[p] = sum over x in N(v) - N[u] of cn(u, x)``.
    """
    n = indptr.shape[0] - 1
    m = indices.shape[0]
    k4 = np.zeros(m, dtype=np.int64)
    sd = np.zeros(m, dtype=np.int64)
    stv = np.zeros(m, dtype=np.int64)
    q = np.zeros(m, dtype=np.int64)
    for t in prange(n_threads):
        in_u = np.zeros(n, dtype=np.bool_)
        in_v = np.full(n, -1, dtype=np.int64)
        cn = np.zeros(n, dtype=np.int64)
        touched = np.empty(n, dtype=np.int64)
        for u in range(t, n, n_threads):
            lo, hi = indptr[u], indptr[u + 1]
            for p in range(lo, hi):
                in_u[indices[p]] = True
            n_touched = 0
            for p in range(lo, hi):  # common-neighbour counts of u with every node
                c = indices[p]
                for r in range(indptr[c], indptr[c + 1]):
                    w = indices[r]
                    if w != u:
                        if cn[w] == 0:
                            touched[n_touched] = w
                            n_touched += 1
                        cn[w] += 1
            for p in range(lo, hi):
                v = indices[p]
                for r in range(indptr[v], indptr[v + 1]):
                    in_v[indices[r]] = v
                cliques = 0
                s_d = 0
                s_t = 0
                s_q = 0
                for r in range(indptr[v], indptr[v + 1]):
                    z = indices[r]
                    if in_u[z]:
                        s_d += indptr[z + 1] - indptr[z]
                        s_t += tri[r]
                        for s in range(indptr[z], indptr[z + 1]):
                            y = indices[s]
                            if in_u[y] and in_v[y] == v:
                                cliques += 1
                    elif z != u:
                        s_q += cn[z]
                k4[p] = cliques // 2
                sd[p] = s_d
                stv[p] = s_t
                q[p] = s_q
            for p in range(lo, hi):
                in_u[indices[p]] = False
            for i in range(n_touched):
                cn[touched[i]] = 0
    return k4, sd, stv, q


@njit(parallel=True, cache=True, nogil=True)
def _two_hop_pattern(indptr: np.ndarray, indices: np.ndarray, n_threads: int) -> np.ndarray:
    """Count the nodes at distance exactly 2 from each node."""
    n = indptr.shape[0] - 1
    counts = np.zeros(n, dtype=np.int64)
    for t in prange(n_threads):
        stamp = np.full(n, -1, dtype=np.int64)
        for u in range(t, n, n_threads):
            stamp[u] = u
            for p in range(indptr[u], indptr[u + 1]):
                stamp[indices[p]] = u
            c = 0
            for p in range(indptr[u], indptr[u + 1]):
                x = indices[p]
                for r in range(indptr[x], indptr[x + 1]):
                    w = indices[r]
                    if stamp[w] != u:
                        stamp[w] = u
                        c += 1
            counts[u] = c
    return counts


@njit(parallel=True, cache=True, nogil=True)
def _two_hop_rows(
    indptr: np.ndarray,
    indices: np.ndarray,
    tri: np.ndarray,
    rows: np.ndarray,
    offsets: np.ndarray,
    with_d: bool,
    n_threads: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Count the six 2-hop orbit adjacencies of every pair at distance 2.

    For every pair ``(u, w)`` at distance 2, ``u = rows[i]`` (its entries from ``offsets[i]``):
    ``w`` and the six 2-hop orbit adjacencies ``[1-1, 4-5, 6-6, 8-8, 9-10, 12-12]``.

    With ``cn = |N(u) & N(w)|``, ``D`` = edges among those common neighbours, and sums over the
    common neighbours ``c``: ``sa = sum (d_c - 2 - t(c,u))``, ``s2 = sum t(c,w)``:

    * 1-1 (ends of a path u-c-w): ``cn``;
    * 12-12 (the two degree-2 nodes of a diamond): ``D``;
    * 8-8 (opposite corners of a 4-cycle): pairs of non-adjacent common neighbours,
      ``C(cn, 2) - D``;
    * 6-6 (two leaves of a claw centred on ``c``): third leaves ``x in N(c)`` adjacent to
      neither, ``d_c - 2 - t(c,u) - t(c,w) + |N(c) & N(u) & N(w)|``, summed: ``sa - s2 + 2D``;
    * 9-10 (tail ``u``, triangle node ``w`` of a paw with centre ``c``): ``y in N(w) & N(c)`` not
      adjacent to ``u``, ``t(w,c) - |N(w) & N(c) & N(u)|``, summed: ``s2 - 2D``;
    * 4-5 (end ``u``, far inner ``w`` of a path u-b-w-d): ``d in N(w) - b`` adjacent to neither
      ``u`` nor ``b``, ``d_w - cn - t(b,w) + |N(u) & N(b) & N(w)|``, summed over ``b``:
      ``cn (d_w - cn) - s2 + 2D``.
    """
    n = indptr.shape[0] - 1
    total = offsets[rows.shape[0]]
    cols = np.empty(total, dtype=np.int32)
    vals = np.zeros((total, 6), dtype=np.int64)
    for t in prange(n_threads):
        stamp = np.full(n, -1, dtype=np.int64)  # u for N[u]
        cn = np.zeros(n, dtype=np.int64)
        sa = np.zeros(n, dtype=np.int64)
        s2 = np.zeros(n, dtype=np.int64)
        dd = np.zeros(n, dtype=np.int64)
        touched = np.empty(n, dtype=np.int64)
        for i_row in range(t, rows.shape[0], n_threads):
            u = rows[i_row]
            lo, hi = indptr[u], indptr[u + 1]
            stamp[u] = u
            for p in range(lo, hi):
                stamp[indices[p]] = u
            n_touched = 0
            for p in range(lo, hi):
                c = indices[p]
                dc = indptr[c + 1] - indptr[c]
                for r in range(indptr[c], indptr[c + 1]):
                    w = indices[r]
                    if stamp[w] == u:
                        continue
                    if cn[w] == 0:
                        touched[n_touched] = w
                        n_touched += 1
                    cn[w] += 1
                    sa[w] += dc - 2 - tri[p]
                    s2[w] += tri[r]
            # D: for every edge (c, x) inside N(u), each w adjacent to both gains one
            for p in range(lo if with_d else hi, hi):
                c = indices[p]
                for r in range(indptr[c], indptr[c + 1]):
                    x = indices[r]
                    if x <= c or x == u or stamp[x] != u:
                        continue
                    a, b = indptr[c], indptr[x]  # merge N(c) and N(x)
                    while a < indptr[c + 1] and b < indptr[x + 1]:
                        ya, yb = indices[a], indices[b]
                        if ya < yb:
                            a += 1
                        elif ya > yb:
                            b += 1
                        else:
                            if stamp[ya] != u:
                                dd[ya] += 1
                            a += 1
                            b += 1
            # emit, sorted by column
            row = touched[:n_touched].copy()
            row.sort()
            o = offsets[i_row]
            for i in range(n_touched):
                w = row[i]
                dw = indptr[w + 1] - indptr[w]
                k = cn[w]
                d = dd[w]
                cols[o + i] = w
                vals[o + i, 0] = k
                vals[o + i, 1] = k * (dw - k) - s2[w] + 2 * d
                vals[o + i, 2] = sa[w] - s2[w] + 2 * d
                vals[o + i, 3] = k * (k - 1) // 2 - d
                vals[o + i, 4] = s2[w] - 2 * d
                vals[o + i, 5] = d
                cn[w] = 0
                sa[w] = 0
                s2[w] = 0
                dd[w] = 0
    return cols, vals


@njit(parallel=True, cache=True, nogil=True)
def _three_hop(
    indptr: np.ndarray,
    indices: np.ndarray,
    rows: np.ndarray,
    offsets: np.ndarray,
    count_only: bool,
    n_threads: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count A[(3, 4, 4)] for ``a = rows[i]``: the induced paths a-b-c-d, per end ``d``.

    ``b ~ a``; ``c ~ b``, not in ``N[a]``; ``d ~ c``, not in ``N[a]`` nor ``N[b]``.

    Returns ``(entries per row, columns, values)``; with ``count_only`` only the first (then
    ``offsets`` is ignored), so that the output can be sized before it is filled.
    """
    n = indptr.shape[0] - 1
    counts = np.zeros(rows.shape[0], dtype=np.int64)
    size = 0 if count_only else offsets[rows.shape[0]]
    cols = np.empty(size, dtype=np.int32)
    vals = np.empty(size, dtype=np.int64)
    for t in prange(n_threads):
        near = np.full(n, -1, dtype=np.int64)  # a for N[a]
        nb = np.full(n, -1, dtype=np.int64)  # b for N(b)
        acc = np.zeros(n, dtype=np.int64)
        touched = np.empty(n, dtype=np.int64)
        for i_row in range(t, rows.shape[0], n_threads):
            a = rows[i_row]
            near[a] = a
            for p in range(indptr[a], indptr[a + 1]):
                near[indices[p]] = a
            n_touched = 0
            for p in range(indptr[a], indptr[a + 1]):
                b = indices[p]
                for r in range(indptr[b], indptr[b + 1]):
                    nb[indices[r]] = b
                for r in range(indptr[b], indptr[b + 1]):
                    c = indices[r]
                    if near[c] == a:
                        continue
                    for s in range(indptr[c], indptr[c + 1]):
                        d = indices[s]
                        if near[d] == a or nb[d] == b or d == b:
                            continue
                        if acc[d] == 0:
                            touched[n_touched] = d
                            n_touched += 1
                        acc[d] += 1
                for r in range(indptr[b], indptr[b + 1]):
                    nb[indices[r]] = -1
            counts[i_row] = n_touched
            row = touched[:n_touched].copy()
            row.sort()
            o = 0 if count_only else offsets[i_row]
            for i in range(n_touched):
                if not count_only:
                    cols[o + i] = row[i]
                    vals[o + i] = acc[row[i]]
                acc[row[i]] = 0
    return counts, cols, vals


@njit(cache=True, nogil=True)
def _keep(indptr: np.ndarray, vals: np.ndarray, top_k: int, threshold: float) -> np.ndarray:
    """Return the mask of the entries kept per row.

    Kept: nonzero, ``>= threshold``, and among the row's ``top_k`` largest (ties: the earlier
    column) when ``top_k > 0``.
    """
    keep = (vals != 0) & (vals >= threshold)
    if top_k > 0:
        for r in range(indptr.shape[0] - 1):
            lo, hi = indptr[r], indptr[r + 1]
            live = 0
            for i in range(lo, hi):
                if keep[i]:
                    live += 1
            if live <= top_k:
                continue
            order = np.argsort(-vals[lo:hi], kind="mergesort")
            kept = 0
            for j in range(hi - lo):
                i = lo + order[j]
                if keep[i]:
                    if kept < top_k:
                        kept += 1
                    else:
                        keep[i] = False
    return keep


def simple_graph(graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(indptr, indices)`` of the graph graphlets are defined on.

    Undirected, unweighted, loop-free, rows sorted (int64 pointers, int32 columns).
    """
    a = graph.adjacency().astype(bool)
    a = (a + a.T).tocsr()
    a.setdiag(False)
    a.eliminate_zeros()
    a.sort_indices()
    return a.indptr.astype(np.int64), a.indices.astype(np.int32)


def _reverse_positions(rows: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Return ``rev[p]``, the position of edge ``(v, u)`` for the edge ``(u, v)`` at ``p``.

    ``rows`` is :func:`csr_rows` of the adjacency.
    """
    order = np.lexsort((rows, indices))  # edges sorted by (v, u): the CSR order of the transpose
    rev = np.empty(len(indices), dtype=np.int64)
    rev[order] = np.arange(len(indices))
    return rev


def _one_hop(
    indptr: np.ndarray, indices: np.ndarray, threads: int, four: bool = True
) -> tuple[dict[tuple[int, int, int], np.ndarray], np.ndarray]:
    """Return the 13 one-hop orbit adjacencies as values aligned with the CSR pattern.

    Per directed edge ``u -> v`` with ``t = t(u,v)``, ``k = k(u,v)``, sums over
    ``z in N(u) & N(v)``: ``sd = sum d_z``, ``stv = sum t(v,z)``, ``stu = sum t(u,z)``;
    ``q = sum over x in N(v) - N[u] of cn(u,x)``; ``E_v`` the triangles at ``v`` and
    ``S_v = sum of the degrees of N(v)``. Inclusion-exclusion gives (``u`` on the first orbit):

    * 1-2 (end, middle): ``d_v - 1 - t``; 3-3: ``t``; 14-14: ``k``; 13-13: ``C(t,2) - k``;
    * 12-13 (diamond, ``u`` of degree 2): ``stv - t - 2k``;
    * 10-10 (paw, both of degree 2 in the triangle): ``sd - stu - stv + 2k``;
    * 10-11 (paw, ``v`` the centre): ``t (d_v - t) - stv + 2k``;
    * 9-11 (paw, ``u`` the tail, ``v`` the centre): edges inside ``N(v) - u`` away from
      ``N(u)``: ``E_v - stv + k``;
    * 6-7 (claw, ``u`` a leaf, ``v`` the centre): non-adjacent pairs of ``N(v) - N[u]``:
      ``C(d_v - 1 - t, 2)`` minus the 9-11 count;
    * 8-8 (4-cycle): edges between ``N(u) - N[v]`` and ``N(v) - N[u]``:
      ``q(v->u) - (d_u - 1 - t) - (stu - t) + 2k``;
    * 5-5 (inner nodes of a path): ``(d_u - 1 - t)(d_v - 1 - t)`` minus the 8-8 count;
    * 4-5 (end, near inner): ``S_v - d_u - sd - q - 2 E_v + 2 stv - 2k``.
    """
    n = len(indptr) - 1
    deg = np.diff(indptr)
    rows = csr_rows(indptr)
    tri = _triangles(indptr, indices, threads)
    if not four:  # graphlets on 2-3 nodes need the triangles only
        return {
            (1, 0, 0): np.ones(len(indices), dtype=np.int64),
            (1, 1, 2): deg[indices] - 1 - tri,
            (1, 3, 3): tri,
        }, tri
    k4, sd, stv, q = _edge_sums(indptr, indices, tri, threads)
    rev = _reverse_positions(rows, indices)
    stu = stv[rev]
    q_rev = q[rev]
    du, dv = deg[rows], deg[indices]
    e_node = np.bincount(rows, weights=tri, minlength=n).astype(np.int64) // 2
    s_node = np.bincount(rows, weights=deg[indices], minlength=n).astype(np.int64)
    e_v, s_v = e_node[indices], s_node[indices]
    a_9_11 = e_v - stv + k4
    a_8_8 = q_rev - (du - 1 - tri) - (stu - tri) + 2 * k4
    free = dv - 1 - tri
    return {
        (1, 0, 0): np.ones(len(indices), dtype=np.int64),
        (1, 1, 2): dv - 1 - tri,
        (1, 3, 3): tri,
        (1, 4, 5): s_v - du - sd - q - 2 * e_v + 2 * stv - 2 * k4,
        (1, 5, 5): (du - 1 - tri) * (dv - 1 - tri) - a_8_8,
        (1, 6, 7): free * (free - 1) // 2 - a_9_11,
        (1, 8, 8): a_8_8,
        (1, 9, 11): a_9_11,
        (1, 10, 10): sd - stu - stv + 2 * k4,
        (1, 10, 11): tri * (dv - tri) - stv + 2 * k4,
        (1, 12, 13): stv - tri - 2 * k4,
        (1, 13, 13): tri * (tri - 1) // 2 - k4,
        (1, 14, 14): k4,
    }, tri


_TWO_HOP_KEYS = [(2, 1, 1), (2, 4, 5), (2, 6, 6), (2, 8, 8), (2, 9, 10), (2, 12, 12)]


def _blocks(sizes: np.ndarray, budget: int) -> list[np.ndarray]:
    """Consecutive row blocks of at most ``budget`` entries (at least one row each)."""
    out, start, acc = [], 0, 0
    for i, s in enumerate(sizes.tolist()):
        if acc + s > budget and i > start:
            out.append(np.arange(start, i, dtype=np.int64))
            start, acc = i, 0
        acc += s
    out.append(np.arange(start, len(sizes), dtype=np.int64))
    return out


def orbit_adjacency(
    graph: Any,
    *,
    max_hop: int = 3,
    keys: Any = None,
    top_k: int | None = None,
    threshold: float | None = None,
    max_bytes: float = 4 * 2**30,
    dtype: Any = np.int64,
    n_jobs: int | None = None,
) -> dict[tuple[int, int, int], sp.csr_array]:
    """Return the orbit adjacency matrices of ``graph`` up to ``max_hop`` hops (28 for 3 hops).

    Parameters
    ----------
    graph : Graph, scipy.sparse matrix, networkx graph or edge-list path
        Treated as simple and undirected (directions, weights and self-loops are dropped).
    max_hop : {1, 2, 3}
        Largest hop distance inside the graphlet (1: 19 matrices, 2: 27, 3: 28).
    keys : iterable of (hop, orbit1, orbit2), optional
        Only these matrices (``max_hop`` is then ignored). Without any orbit above 3 (graphlets
        on 2-3 nodes only) no 4-clique or diamond count is made, which is much cheaper on
        hub-heavy graphs.
    top_k : int, optional
        Keep only the ``top_k`` largest entries of each row of the 2- and 3-hop matrices (their
        transposes are transposed after pruning).
    threshold : float, optional
        Drop entries below it in the 2- and 3-hop matrices.
    max_bytes : float, default 4 GiB
        Refuse, before computing, when the 2- and 3-hop matrices would need more (values plus
        column indices) and neither ``top_k`` nor ``threshold`` is given; with either, rows are
        processed in blocks so that at most about this much is held before pruning.
    dtype : numpy dtype, default int64
        Of the values (``float32`` halves the memory; counts above 2^24 then round).
    n_jobs : int, optional
        Threads (``None``: all cores).

    Returns
    -------
    dict
        ``{(hop, orbit1, orbit2): scipy.sparse.csr_array (n, n)}`` in the graph's node order.

    Examples
    --------
    >>> from embedlab.graph import Graph
    >>> g = Graph.from_edges([0, 1, 2, 2], [1, 2, 0, 3])  # a triangle with a tail: a paw
    >>> A = orbit_adjacency(g)
    >>> int(A[(1, 9, 11)][3, 2]), int(A[(2, 9, 10)][3, 0]), int(A[(1, 10, 10)][0, 1])
    (1, 1, 1)
    """
    from embedlab.utils._numba import n_threads, resolve_n_jobs

    if max_hop not in (1, 2, 3):
        raise InvalidInputError(f"max_hop must be 1, 2 or 3; got {max_hop!r}.")
    if top_k is not None and (not isinstance(top_k, int | np.integer) or top_k < 1):
        raise InvalidInputError(f"top_k must be a positive integer; got {top_k!r}.")
    if keys is None:
        wanted = [key for key in MATRICES if key[0] <= max_hop]
    else:
        wanted = list(dict.fromkeys((int(h), int(a), int(b)) for h, a, b in keys))
        unknown = [key for key in wanted if key not in MATRICES]
        if unknown or not wanted:
            raise InvalidInputError(
                f"keys must be (hop, orbit1, orbit2) among orbit_adjacency's 28; got {unknown}."
            )
    primary = {key if key in _PRIMARY else (key[0], key[2], key[1]) for key in wanted}
    four = any(max(key[1:]) >= 4 for key in primary)
    two_keys = [key for key in _TWO_HOP_KEYS if key in primary]
    g = Graph.from_any(graph)
    indptr, indices = simple_graph(g)
    n = len(indptr) - 1
    threads = resolve_n_jobs(n_jobs)
    out: dict[tuple[int, int, int], sp.csr_array] = {}
    with n_threads(threads):
        one, tri = _one_hop(indptr, indices, threads, four)
        for key, vals in one.items():
            if key not in primary:
                continue
            m = sp.csr_array((vals.astype(dtype), indices.copy(), indptr.copy()), shape=(n, n))
            m.eliminate_zeros()
            out[key] = m
        if two_keys or (3, 4, 4) in primary:
            prune = top_k is not None or threshold is not None
            two = _two_hop_pattern(indptr, indices, threads)
            all_rows = np.arange(n, dtype=np.int64)
            three = None
            if (3, 4, 4) in primary:
                three = _three_hop(indptr, indices, all_rows, all_rows, True, threads)[0]
            entry = np.dtype(dtype).itemsize + 4
            n3 = int(three.sum()) if three is not None else 0
            need = (len(two_keys) * int(two.sum()) + n3) * entry
            if need > max_bytes and not prune:
                raise InvalidInputError(
                    f"The 2-{'and 3-' if three is not None else ''}hop orbit adjacencies of this "
                    f"graph need about {need / 2**30:.1f} GiB (max_bytes="
                    f"{max_bytes / 2**30:.1f} GiB): pass top_k or threshold to keep them sparse, "
                    "lower max_hop, or raise max_bytes."
                )
            budget = max(1, int(max_bytes // 64))  # the kernel holds 52 bytes per pair
            k, thr = (top_k or 0), (threshold if threshold is not None else -np.inf)
            parts: dict[tuple[int, int, int], list[Any]] = {key: [] for key in two_keys}
            for rows in _blocks(two, budget) if two_keys else []:
                offsets = np.concatenate([[0], np.cumsum(two[rows])]).astype(np.int64)
                cols, vals = _two_hop_rows(indptr, indices, tri, rows, offsets, four, threads)
                for key in two_keys:
                    v = vals[:, _TWO_HOP_KEYS.index(key)]
                    keep = _keep(offsets, v, k, thr) if prune else v != 0
                    parts[key].append((rows, offsets, cols, v, keep))
            for key in two_keys:
                out[key] = _assemble(parts[key], n, dtype)
            if three is not None:
                chunks = []
                for rows in _blocks(three, budget * 4):
                    offsets = np.concatenate([[0], np.cumsum(three[rows])]).astype(np.int64)
                    _, cols, vals = _three_hop(indptr, indices, rows, offsets, False, threads)
                    keep = _keep(offsets, vals, k, thr) if prune else vals != 0
                    chunks.append((rows, offsets, cols, vals, keep))
                out[(3, 4, 4)] = _assemble(chunks, n, dtype)
    for h, a, b in _PRIMARY:
        if a != b and (h, a, b) in out and (h, b, a) in wanted:
            out[(h, b, a)] = out[(h, a, b)].T.tocsr()
    return {key: out[key] for key in MATRICES if key in wanted}


def _assemble(chunks: list[Any], n: int, dtype: Any) -> sp.csr_array:
    """One CSR matrix from row blocks ``(rows, offsets, cols, vals, keep)``."""
    counts = np.zeros(n, dtype=np.int64)
    all_cols, all_vals = [], []
    for rows, offsets, cols, vals, keep in chunks:
        row_of = csr_rows(offsets)
        counts[rows] = np.bincount(row_of[keep], minlength=len(rows))
        all_cols.append(cols[keep])
        all_vals.append(vals[keep].astype(dtype))
    indptr = np.concatenate([[0], np.cumsum(counts)])
    cols = np.concatenate(all_cols) if all_cols else np.empty(0, np.int32)
    vals = np.concatenate(all_vals) if all_vals else np.empty(0, dtype)
    return sp.csr_array((vals, cols, indptr), shape=(n, n))


def orbit_counts(graph: Any, *, n_jobs: int | None = None) -> np.ndarray:
    """Node orbit counts (graphlet degree vectors), int64 ``(n, 15)``, orbits 0-14 as ORCA.

    Each column is a row sum of one orbit adjacency divided by how many partner nodes an orbit
    has in its graphlet (:data:`ORBIT_MULTIPLICITY`).

    >>> from embedlab.graph import Graph
    >>> orbit_counts(Graph.from_edges([0, 1, 2], [1, 2, 3]))[:, [0, 1, 2, 4, 5]].tolist()
    [[1, 1, 0, 1, 0], [2, 1, 1, 0, 1], [2, 1, 1, 0, 1], [1, 1, 0, 1, 0]]
    """
    mats = orbit_adjacency(graph, n_jobs=n_jobs)
    source = {
        0: (1, 0, 0), 1: (2, 1, 1), 2: (1, 2, 1), 3: (1, 3, 3), 4: (3, 4, 4), 5: (1, 5, 5),
        6: (1, 6, 7), 7: (1, 7, 6), 8: (2, 8, 8), 9: (1, 9, 11), 10: (1, 10, 11),
        11: (1, 11, 9), 12: (2, 12, 12), 13: (1, 13, 13), 14: (1, 14, 14),
    }  # fmt: skip
    n = next(iter(mats.values())).shape[0]
    counts = np.zeros((n, 15), dtype=np.int64)
    for orbit, key in source.items():
        counts[:, orbit] = np.asarray(mats[key].sum(axis=1)).ravel() // ORBIT_MULTIPLICITY[key]
    return counts
