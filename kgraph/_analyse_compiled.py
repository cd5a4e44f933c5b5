"""Compiled loops (numba) of kgraph.analyse for large graphs: Louvain and betweenness.

:func:`louvain` makes the same moves as ``analyse._louvain`` (networkx's
``louvain_communities`` replayed on integer lists), so the communities are the
same ones: every level's adjacency is kept in the order networkx's dicts would
hold it (CSR rows in insertion order), each node's neighbour communities are
visited in the order they are met, and every sum and gain is computed with the
same operations in the same order. Python's ``random.Random(seed)`` still
shuffles the nodes (between compiled steps), and powers are taken in Python, as
networkx takes them.

:func:`betweenness` is Brandes' algorithm (hop counts) from a set of sources,
as ``analyse._betweenness`` computes it with numpy.

``analyse`` imports this module (and numba) only for graphs large enough that
loading the compiled code pays.
"""
from __future__ import annotations

import random

import numba
import numpy as np
from numba import types
from numba.typed import Dict

__all__ = ["louvain", "betweenness"]


@numba.njit(cache=True)
def _first_adjacency(n, u, v, w):
    """CSR rows of the graph made by adding edges ``(u[i], v[i], w[i])`` in order (dict insertion order)."""
    count = np.zeros(n + 1, dtype=np.int64)
    for e in range(len(u)):
        count[u[e] + 1] += 1
        if v[e] != u[e]:
            count[v[e] + 1] += 1
    indptr = np.cumsum(count)
    fill = indptr[:-1].copy()
    nbr = np.empty(indptr[-1], dtype=np.int64)
    wts = np.empty(indptr[-1])
    for e in range(len(u)):
        a, b = u[e], v[e]
        nbr[fill[a]] = b
        wts[fill[a]] = w[e]
        fill[a] += 1
        if b != a:
            nbr[fill[b]] = a
            wts[fill[b]] = w[e]
            fill[b] += 1
    return indptr, nbr, wts


@numba.njit(cache=True)
def _degrees(indptr, nbr, wts):
    """``sum(nb.values()) + (i in nb and nb[i])`` per node: a self-loop counts twice."""
    n = len(indptr) - 1
    degree = np.zeros(n)
    for i in range(n):
        s = 0.0
        loop = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            s += wts[p]
            if nbr[p] == i:
                loop = wts[p]
        degree[i] = s + loop
    return degree


@numba.njit(cache=True)
def _one_level(indptr, nbr, wts, degree, m, two_m2, resolution, order, round_off):
    """One level of local moves, as ``analyse._one_level``; ``order`` is the shuffled node order."""
    k = len(degree)
    node2com = np.arange(k)
    stot = degree.copy()
    w2c = np.zeros(k)
    seen = np.zeros(k, dtype=np.bool_)
    met = np.empty(k, dtype=np.int64)
    improvement = False
    moves = 1
    while moves > 0:
        moves = 0
        gained = 0.0
        for node in order:
            best_mod = 0.0
            best_com = node2com[node]
            n_met = 0
            for p in range(indptr[node], indptr[node + 1]):
                x = nbr[p]
                if x == node:
                    continue
                c = node2com[x]
                if not seen[c]:
                    seen[c] = True
                    met[n_met] = c
                    n_met += 1
                w2c[c] += wts[p]
            deg = degree[node]
            stot[best_com] -= deg
            if not seen[best_com]:  # weights2com[best_com] adds the key in networkx's defaultdict
                seen[best_com] = True
                met[n_met] = best_com
                n_met += 1
            remove_cost = -w2c[best_com] / m + resolution * (stot[best_com] * deg) / two_m2
            for t in range(n_met):
                c = met[t]
                gain = remove_cost + w2c[c] / m - resolution * (stot[c] * deg) / two_m2
                if gain > best_mod:
                    best_mod = gain
                    best_com = c
            stot[best_com] += deg
            if best_com != node2com[node]:
                improvement = True
                moves += 1
                gained += best_mod
                node2com[node] = best_com
            for t in range(n_met):
                w2c[met[t]] = 0.0
                seen[met[t]] = False
        if moves > 0 and gained <= moves * round_off:
            break  # only round-off gains (analyse.ROUND_OFF_GAIN): the level is done
    return node2com, improvement


@numba.njit(cache=True)
def _aggregate(indptr, nbr, wts, com, k):
    """The graph of communities in ``analyse._aggregate``'s insertion order (CSR)."""
    n = len(indptr) - 1
    size = len(nbr)
    slot_of = Dict.empty(key_type=types.int64, value_type=types.int64)  # ci * k + cj -> slot
    head = np.full(k, -1, dtype=np.int64)
    tail = np.full(k, -1, dtype=np.int64)
    nxt = np.full(size, -1, dtype=np.int64)
    target = np.empty(size, dtype=np.int64)
    value = np.empty(size)
    used = 0
    for i in range(n):
        ci = com[i]
        for p in range(indptr[i], indptr[i + 1]):
            j = nbr[p]
            if j < i:
                continue
            cj = com[j]
            total = wts[p]
            if ci * k + cj in slot_of:
                total = value[slot_of[ci * k + cj]] + wts[p]
            for side in range(2):
                a, b = (ci, cj) if side == 0 else (cj, ci)
                if a * k + b in slot_of:
                    s = slot_of[a * k + b]
                else:
                    s = used
                    used += 1
                    slot_of[a * k + b] = s
                    target[s] = b
                    if head[a] < 0:
                        head[a] = s
                    else:
                        nxt[tail[a]] = s
                    tail[a] = s
                value[s] = total
    new_indptr = np.zeros(k + 1, dtype=np.int64)
    new_nbr = np.empty(used, dtype=np.int64)
    new_wts = np.empty(used)
    at = 0
    for a in range(k):
        s = head[a]
        while s >= 0:
            new_nbr[at] = target[s]
            new_wts[at] = value[s]
            at += 1
            s = nxt[s]
        new_indptr[a + 1] = at
    return new_indptr, new_nbr, new_wts


@numba.njit(cache=True)
def _modularity_parts(indptr, nbr, wts, degree, com):
    """Per community (in the order first met): the weight inside and the total degree; and sum(degree)."""
    n = len(indptr) - 1
    k = com.max() + 1 if n else 0
    inside = np.zeros(k)
    total = np.zeros(k)
    first = np.full(k, -1, dtype=np.int64)
    order = np.empty(k, dtype=np.int64)
    n_order = 0
    deg_sum = 0.0
    for i in range(n):
        deg_sum += degree[i]
        ci = com[i]
        if first[ci] < 0:
            first[ci] = i
            order[n_order] = ci
            n_order += 1
        total[ci] += degree[i]
        for p in range(indptr[i], indptr[i + 1]):
            j = nbr[p]
            if j >= i and com[j] == ci:
                inside[ci] += wts[p]
    return deg_sum, inside, total, order[:n_order]


@numba.njit(cache=True)
def _modularity_sum(inside, total, order, m, resolution, norm):
    q = 0.0
    for c in order:
        q += inside[c] / m - resolution * total[c] * total[c] * norm
    return q


def _modularity(adj, degree, com, resolution):
    deg_sum, inside, total, order = _modularity_parts(*adj, degree, com)
    return _modularity_sum(inside, total, order, deg_sum / 2, resolution, 1 / deg_sum**2)


def louvain(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray, resolution: float, seed: int,
            threshold: float = 1e-7) -> list:
    """As ``analyse._louvain`` (same arguments, same communities), compiled."""
    from .analyse import ROUND_OFF_GAIN as round_off

    rng = random.Random(seed)
    adj = _first_adjacency(n, np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64),
                           np.asarray(w, dtype=float))
    degree = _degrees(*adj)
    m = sum(degree.tolist()) / 2
    two_m2 = 2 * m**2

    def one_level(adj, degree):
        order = list(range(len(degree)))
        rng.shuffle(order)
        return _one_level(*adj, degree, m, two_m2, resolution, np.asarray(order, dtype=np.int64),
                          round_off * max(1.0, resolution))

    member = np.arange(n)
    mod = _modularity(adj, degree, np.arange(n), resolution)
    node2com, _ = one_level(adj, degree)
    result = member
    while True:
        used, com = np.unique(node2com, return_inverse=True)
        result = com[member]
        new_mod = _modularity(adj, degree, com, resolution)
        if new_mod - mod <= threshold:
            break
        mod = new_mod
        adj = _aggregate(*adj, com, len(used))
        degree = _degrees(*adj)
        member = result
        node2com, improvement = one_level(adj, degree)
        if not improvement:  # no node moved: this level's partition is the last one
            result = member
            break
    order = np.argsort(result, kind="stable")
    cuts = np.flatnonzero(np.diff(result[order])) + 1
    return [g.tolist() for g in np.split(order, cuts)] if n else []


@numba.njit(cache=True, nogil=True)
def _brandes(indptr, nbr, sources, total):
    """Add each source's dependencies (Brandes, unweighted) into ``total``, sources in order."""
    n = len(indptr) - 1
    dist = np.full(n, -1, dtype=np.int64)
    sigma = np.zeros(n)
    delta = np.zeros(n)
    queue = np.empty(n, dtype=np.int64)
    for s in sources:
        head, tail = 0, 1
        queue[0] = s
        dist[s] = 0
        sigma[s] = 1.0
        while head < tail:  # breadth first; queue[:tail] ends in the order nodes were reached
            x = queue[head]
            head += 1
            for p in range(indptr[x], indptr[x + 1]):
                y = nbr[p]
                if dist[y] < 0:
                    dist[y] = dist[x] + 1
                    queue[tail] = y
                    tail += 1
                if dist[y] == dist[x] + 1:
                    sigma[y] += sigma[x]
        for t in range(tail - 1, -1, -1):  # dependencies, farthest first
            y = queue[t]
            for p in range(indptr[y], indptr[y + 1]):
                x = nbr[p]
                if dist[x] == dist[y] - 1:
                    delta[x] += sigma[x] / sigma[y] * (1.0 + delta[y])
        for t in range(tail):
            y = queue[t]
            if y != s:
                total[y] += delta[y]
            dist[y] = -1
            sigma[y] = 0.0
            delta[y] = 0.0


@numba.njit(cache=True, parallel=True)
def _brandes_blocks(indptr, nbr, sources, bounds, parts):
    for b in numba.prange(len(bounds) - 1):
        _brandes(indptr, nbr, sources[bounds[b]:bounds[b + 1]], parts[b])


def betweenness(A, sources: np.ndarray, threads: int = 1, blocks: int = 8) -> np.ndarray:
    """``analyse._betweenness(A, sources)``: Brandes' betweenness (hop counts) summed over ``sources``.

    ``A`` is the symmetric adjacency (CSR; self-loops are ignored). Sources are
    cut into ``blocks`` fixed runs that ``threads`` threads share; each run sums
    its own sources in order and the runs are added in order, so the answer
    does not depend on the number of threads.
    """
    n = A.shape[0]
    A = A.tocsr()
    rows = np.repeat(np.arange(n), np.diff(A.indptr))
    keep = A.indices != rows
    indptr = np.r_[0, np.cumsum(np.bincount(rows[keep], minlength=n))]
    nbr = A.indices[keep].astype(np.int64)
    sources = np.asarray(sources, dtype=np.int64)
    bounds = np.unique(np.linspace(0, len(sources), min(blocks, max(len(sources), 1)) + 1).astype(np.int64))
    parts = np.zeros((max(len(bounds) - 1, 0), n))
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    try:
        _brandes_blocks(indptr.astype(np.int64), nbr, sources, bounds, parts)
    finally:
        numba.set_num_threads(before)
    total = np.zeros(n)
    for part in parts:
        total += part
    return total


def warm_up(threads: int = 1) -> None:
    """Load every function of this module from numba's cache (compiling it where the cache has
    none) by running them on a small graph: ~0.5 s that a build spends while a parse process
    loads spaCy (see ``kgraph.pipeline._prepare_later_stages``)."""
    import scipy.sparse as sp

    # two triangles joined by one edge: Louvain moves nodes, aggregates and stops
    u = np.array([0, 0, 1, 3, 3, 4, 2], dtype=np.int64)
    v = np.array([1, 2, 2, 4, 5, 5, 3], dtype=np.int64)
    w = np.ones(len(u))
    louvain(6, u, v, w, 1.0, 0)
    A = sp.coo_matrix((np.r_[w, w], (np.r_[u, v], np.r_[v, u])), shape=(6, 6)).tocsr()
    betweenness(A, np.arange(6), threads=threads)
