"""The compiled loops (numba) of kgraph's two largest computations, in one place.

The one rule: a computation of at least ``kgraph.config.COMPILED_FROM`` (4·10⁷)
units of work runs its kernel here, a smaller one the library version, which is as
fast there without numba's import and the loading of its machine code (about half
a second). The units: the multiply-adds of a top-k product (the sum over columns of
their frequency squared; scipy's product below the rule, in :mod:`kgraph.links`),
and the sources × links of a sampled betweenness (igraph's below the rule, in
:mod:`kgraph.analyse`). Either way the answer is the same. Both reach the rule at
about 5,000 abstracts for the paper links, 10,000 for betweenness. numba is a hard
dependency; it caches the machine code beside this file when it can write there
(compiling takes a few seconds, once).

Top-k products: :func:`top_k_rows` gives what ``links._top_k_exact`` gives (scipy's product followed
by ``links._k_best``) without writing the product out: a row accumulates its
partners' sums in a dense array, a k-entry heap finds its k-th largest weight, and
only the entries near it are looked at again. Sums are made in scipy's
``csr_matmat`` order (the row's columns ascending), so the weights are the same
numbers. Rows run on numba's threads (``prange``), one per core.

The work of a product is the sum over columns of their frequency squared, so a
few frequent columns make most of it. With ``heavy`` columns (plain weights
only), a row is first accumulated without them; their share of any pair's
weight is at most ``bound[row]``. When that bound is below the row's k-th
largest light weight (less a margin for rounding and ties) the row is settled:
only the pairs whose light weight plus the bound can reach the k-th are
candidates, and each candidate's exact weight is summed along the two rows'
shared columns, in the same order as the full product. Other rows take the full
product. Either way the answer is the full product's (about 40% less time on
100,000 papers).

Betweenness: :func:`betweenness` is Brandes' algorithm from a sample of sources, the
sources shared among numba's threads.
"""
from __future__ import annotations

import numba
import numpy as np

__all__ = ["top_k", "top_k_rows", "choose_heavy", "MODES", "betweenness"]

#: How a pair's sum ``s`` and number of shared columns ``n`` become its weight.
PLAIN = 0         # w = s
JACCARD = 1       # w = n / (size[i] + size[j] - n)
ASSOCIATION = 2   # w = coef * n / (size[i] * size[j]), 0 where size[i] * size[j] == 0
MODES = {"plain": PLAIN, "jaccard": JACCARD, "association": ASSOCIATION}


@numba.njit(cache=True, nogil=True)
def _weight(mode, s, n, i, j, size, coef):
    if mode == PLAIN:
        return s
    if mode == JACCARD:
        return n / (size[i] + size[j] - n)
    expected = size[i] * size[j]
    if expected > 0:
        return coef * n / expected
    return 0.0


@numba.njit(cache=True, nogil=True)
def _sift_down(heap, size, pos):
    """Restore the min-heap ``heap[:size]`` below ``pos``."""
    while True:
        left = 2 * pos + 1
        if left >= size:
            return
        child = left
        if left + 1 < size and heap[left + 1] < heap[left]:
            child = left + 1
        if heap[child] < heap[pos]:
            heap[child], heap[pos] = heap[pos], heap[child]
            pos = child
        else:
            return


@numba.njit(cache=True, nogil=True)
def _kth_largest(vals, n, k, heap):
    """The k-th largest of ``vals[:n]`` (``n >= k``), by a min-heap of the k largest seen."""
    for t in range(k):
        heap[t] = vals[t]
    for t in range(k // 2 - 1, -1, -1):
        _sift_down(heap, k, t)
    for t in range(k, n):
        if vals[t] > heap[0]:
            heap[0] = vals[t]
            _sift_down(heap, k, 0)
    return heap[0]


@numba.njit(cache=True, nogil=True)
def _select(cand_w, cand_c, n_cand, k, heap, out_cols, out_w, base):
    """The top k of the candidates into ``out_*[base:]``; returns how many (``min(k, n_cand)``).

    As ``links._k_best``: weights within a relative 1e-9 of the k-th largest
    tie, and among tied weights the smaller column wins. Reorders the candidates.
    """
    if n_cand <= k:
        for t in range(n_cand):
            out_cols[base + t] = cand_c[t]
            out_w[base + t] = cand_w[t]
        return n_cand
    kth = _kth_largest(cand_w, n_cand, k, heap)
    tol = 1e-9 * max(abs(kth), 1e-300)
    got = 0
    n_tied = 0
    for t in range(n_cand):
        w = cand_w[t]
        if w > kth + tol:
            out_cols[base + got] = cand_c[t]
            out_w[base + got] = w
            got += 1
        elif abs(w - kth) <= tol:  # gathered at the front: those places are read already
            cand_c[n_tied] = cand_c[t]
            cand_w[n_tied] = w
            n_tied += 1
    order = np.argsort(cand_c[:n_tied], kind="mergesort")
    for t in range(min(n_tied, k - got)):
        out_cols[base + got] = cand_c[order[t]]
        out_w[base + got] = cand_w[order[t]]
        got += 1
    return got


@numba.njit(cache=True, nogil=True)
def _block(rows, first, last, indptr, indices, data, r_data, t_indptr, t_indices, t_data, n_out, k, min_weight,
           min_shared, mode, size, coef, heavy_slot, h_indptr, h_slot, h_val, bound, masks,
           out_cols, out_w, out_count, out_settled):
    """Rows ``rows[first:last]``: their top k into ``out_cols[pos * k:]``, ``out_w``, ``out_count[pos]``.

    ``r_data`` is R's values in L's pattern (R = RT's transpose, CSR, sorted).
    """
    acc = np.zeros(n_out)
    shared = np.zeros(n_out, dtype=np.int32)
    touched = np.empty(n_out, dtype=np.int64)
    cand_w = np.empty(n_out)
    cand_c = np.empty(n_out, dtype=np.int64)
    heap = np.empty(k)
    row_heavy = np.zeros(64)
    pruning = len(bound) > 0
    for pos in range(first, last):
        i = rows[pos]
        base = pos * k
        if pruning:
            # the light product: every column but the heavy ones
            m = 0
            for p in range(indptr[i], indptr[i + 1]):
                c = indices[p]
                if heavy_slot[c] >= 0:
                    continue
                v = data[p]
                for q in range(t_indptr[c], t_indptr[c + 1]):
                    j = t_indices[q]
                    if acc[j] == 0.0:  # values are positive: 0 means not yet met
                        touched[m] = j
                        m += 1
                    acc[j] += v * t_data[q]
            n_light = 0
            top = 0.0
            for t in range(m):
                j = touched[t]
                if j != i:
                    cand_w[n_light] = acc[j]
                    n_light += 1
                    top = max(top, acc[j])
            settled = False
            theta = 0.0
            margin = 0.0
            if n_light >= k:
                theta = _kth_largest(cand_w, n_light, k, heap)
                margin = 1e-8 * (top + bound[i])
                settled = bound[i] < theta - margin
            if settled:
                for p in range(indptr[i], indptr[i + 1]):  # this row's values on its heavy columns
                    slot = heavy_slot[indices[p]]
                    if slot >= 0:
                        row_heavy[slot] = data[p]
            # candidates: light weight plus the heavy columns the pair shares (summed in another order);
            # a pair whose light weight is below reach_from cannot make the k-th with every heavy column
            reach_from = theta - margin - (bound[i] if settled else 0.0)
            n_cand = 0
            for t in range(m):
                j = touched[t]
                w = acc[j]
                acc[j] = 0.0
                if not settled or j == i or w < reach_from:
                    continue
                both = masks[i] & masks[j]
                if both != 0:
                    for q in range(h_indptr[j], h_indptr[j + 1]):
                        if (both >> np.uint64(h_slot[q])) & np.uint64(1):
                            w += row_heavy[h_slot[q]] * h_val[q]
                if w >= theta - margin:
                    cand_w[n_cand] = w
                    cand_c[n_cand] = j
                    n_cand += 1
            if settled and n_cand > k:  # only those near the k-th need their exact weight
                floor = _kth_largest(cand_w, n_cand, k, heap) - margin
                near = 0
                for t in range(n_cand):
                    if cand_w[t] >= floor:
                        cand_c[near] = cand_c[t]
                        near += 1
                n_cand = near
            if settled:
                # the exact weight, summed along the shared columns in the full product's order
                near = n_cand
                n_cand = 0
                for t in range(near):
                    j = cand_c[t]
                    s = 0.0
                    a, a_end = indptr[i], indptr[i + 1]
                    b, b_end = indptr[j], indptr[j + 1]
                    while a < a_end and b < b_end:
                        if indices[a] == indices[b]:
                            s += data[a] * r_data[b]
                            a += 1
                            b += 1
                        elif indices[a] < indices[b]:
                            a += 1
                        else:
                            b += 1
                    if s > 0.0 and s >= min_weight:
                        cand_w[n_cand] = s
                        cand_c[n_cand] = j
                        n_cand += 1
            if settled:
                out_settled[pos] = True
                out_count[pos] = _select(cand_w, cand_c, n_cand, k, heap, out_cols, out_w, base)
                continue
        # the full product of the row
        m = 0
        for p in range(indptr[i], indptr[i + 1]):
            c = indices[p]
            v = data[p]
            for q in range(t_indptr[c], t_indptr[c + 1]):
                j = t_indices[q]
                if shared[j] == 0:
                    touched[m] = j
                    m += 1
                acc[j] += v * t_data[q]
                shared[j] += 1
        n_cand = 0
        for t in range(m):
            j = touched[t]
            s = acc[j]
            n = shared[j]
            acc[j] = 0.0
            shared[j] = 0
            if j == i or n < min_shared:
                continue
            w = _weight(mode, s, float(n), i, j, size, coef)
            if w <= 0.0 or w < min_weight:
                continue
            cand_w[n_cand] = w
            cand_c[n_cand] = j
            n_cand += 1
        out_count[pos] = _select(cand_w, cand_c, n_cand, k, heap, out_cols, out_w, base)


@numba.njit(cache=True, parallel=True)
def _blocks(rows, bounds, indptr, indices, data, r_data, t_indptr, t_indices, t_data, n_out, k, min_weight,
            min_shared, mode, size, coef, heavy_slot, h_indptr, h_slot, h_val, bound, masks,
            out_cols, out_w, out_count, out_settled):
    for b in numba.prange(len(bounds) - 1):
        _block(rows, bounds[b], bounds[b + 1], indptr, indices, data, r_data, t_indptr, t_indices, t_data, n_out, k,
               min_weight, min_shared, mode, size, coef, heavy_slot, h_indptr, h_slot, h_val, bound, masks,
               out_cols, out_w, out_count, out_settled)


def _heavy_parts(L, R, heavy):
    """What the kernel needs to know of the ``heavy`` columns (L and R CSR, same sorted pattern).

    Each column's slot (-1 for the light ones); R's heavy entries by row (CSR:
    ``h_indptr``, ``h_slot``, ``h_val``); each row's bound on what the heavy
    columns can add to any of its pairs (its heavy values times each column's
    largest value in R); each row's heavy columns as a 64-bit set.
    """
    cols = np.flatnonzero(heavy)
    if len(cols) > 64:
        raise ValueError("at most 64 heavy columns (their bit sets are 64-bit)")
    slot = np.full(L.shape[1], -1, dtype=np.int64)
    slot[cols] = np.arange(len(cols))
    RH = R[:, cols].tocsr()
    RH.sort_indices()
    col_max = np.asarray(RH.max(axis=0).todense()).ravel() if RH.nnz else np.zeros(len(cols))
    bound = np.asarray(L[:, cols] @ col_max).ravel()
    rows = np.repeat(np.arange(RH.shape[0]), np.diff(RH.indptr))
    masks = np.zeros(L.shape[0], dtype=np.uint64)
    np.bitwise_or.at(masks, rows, np.left_shift(np.uint64(1), RH.indices.astype(np.uint64)))
    return slot, (RH.indptr.astype(np.int64), RH.indices.astype(np.int64), RH.data.astype(float)), bound, masks


def top_k_rows(L, RT, k: int, mode: int = PLAIN, size=None, coef: float = 0.0, min_weight: float = 0.0,
               min_shared: int = 1, heavy=None, rows=None, blocks: int = 64):
    """Each row's k strongest partners in ``L @ RT`` (diagonal excluded).

    ``L`` (rows × columns) and ``RT`` (columns × partners, the transpose of a
    matrix ``R`` with L's sparsity pattern) are CSR with sorted indices and
    positive values. A pair qualifies when it shares at least ``min_shared``
    columns and its weight (``mode``, with ``size`` and ``coef``) is positive
    and at least ``min_weight``. ``heavy`` (a mask of at most 64 columns, plain
    weights and ``min_shared=1`` only) sets those columns aside as the module
    explains. ``rows``: only these rows. Returns ``(row, col, weight)`` arrays,
    rows in the order given, and each row's ``settled`` flag. numba's threads
    share ``blocks`` consecutive blocks of rows.
    """
    n_rows, n_out = L.shape[0], RT.shape[1]
    rows = np.arange(n_rows, dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
    size = np.zeros(0) if size is None else np.asarray(size, dtype=float)
    r_data = np.zeros(0)
    slot = np.full(L.shape[1], -1, dtype=np.int64)
    heavy_rows = (np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    bound, masks = np.zeros(0), np.zeros(0, dtype=np.uint64)
    if heavy is not None and heavy.any():
        if mode != PLAIN or min_shared != 1:
            raise ValueError("heavy columns are set aside for plain weights with min_shared=1 only")
        R = RT.T.tocsr()
        R.sort_indices()
        if not (np.array_equal(R.indptr, L.indptr) and np.array_equal(R.indices, L.indices)):
            raise ValueError("heavy columns need L and R with the same sparsity pattern")
        r_data = R.data.astype(float)
        slot, heavy_rows, bound, masks = _heavy_parts(L, R, heavy)
    out_cols = np.empty(len(rows) * k, dtype=np.int64)
    out_w = np.empty(len(rows) * k)
    out_count = np.zeros(len(rows), dtype=np.int64)
    out_settled = np.zeros(len(rows), dtype=np.bool_)
    bounds = np.unique(np.linspace(0, len(rows), min(blocks, max(len(rows), 1)) + 1).astype(np.int64))
    _blocks(rows, bounds, L.indptr.astype(np.int64), L.indices.astype(np.int64), L.data.astype(float), r_data,
            RT.indptr.astype(np.int64), RT.indices.astype(np.int64), RT.data.astype(float), n_out, k,
            float(min_weight), int(min_shared), mode, size, float(coef), slot, *heavy_rows, bound, masks,
            out_cols, out_w, out_count, out_settled)
    keep = np.arange(k)[None, :] < out_count[:, None]
    r = np.repeat(rows, out_count)
    return r, out_cols.reshape(-1, k)[keep], out_w.reshape(-1, k)[keep], out_settled


def choose_heavy(L, RT, k: int, sample: int = 512):
    """The most frequent columns worth setting aside, or None: tried 8, 16, 32, 64 on a sample of rows.

    The estimated cost of a choice (relative to the full product) is the light
    columns' share of the work plus the share of rows it leaves unsettled, which
    take the full product.
    """
    df = np.diff(RT.indptr).astype(float)
    work = df * df
    total = work.sum()
    if total == 0:
        return None
    order = np.argsort(-df, kind="stable")
    n = L.shape[0]
    rows = np.sort(np.random.default_rng(0).choice(n, size=min(sample, n), replace=False))
    best_cost, best = 0.75, None  # below this the bookkeeping pays for itself
    for h in (8, 16, 32, 64):
        if h >= len(df):
            break
        heavy = np.zeros(len(df), dtype=bool)
        heavy[order[:h]] = True
        light_share = work[~heavy].sum() / total
        *_, settled = top_k_rows(L, RT, k, heavy=heavy, rows=rows)
        cost = light_share + 1.0 - settled.mean()
        if cost < best_cost:
            best_cost, best = cost, heavy
    return best


def top_k(L, RT, k: int, mode: str = "plain", size=None, coef: float = 0.0, min_weight: float = 0.0,
          min_shared: int = 1):
    """Each row's k strongest partners in ``L @ RT``: ``(row, col, weight)`` arrays, as :func:`top_k_rows`.

    ``mode`` names the weight (a key of :data:`MODES`). Plain weights with
    ``min_shared=1`` set the most frequent columns aside where a sample of rows
    shows that it pays (:func:`choose_heavy`).
    """
    heavy = choose_heavy(L, RT, k) if mode == "plain" and min_shared == 1 else None
    r, c, w, _ = top_k_rows(L, RT, k, MODES[mode], size, coef, min_weight, min_shared, heavy)
    return r, c, w


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


def betweenness(n: int, u: np.ndarray, v: np.ndarray, sources: np.ndarray, blocks: int = 8) -> np.ndarray:
    """Brandes' betweenness (hop counts) of the ``n`` nodes, summed over ``sources``.

    The graph is undirected, its links ``(u[i], v[i])`` (self-loops are no
    path). Each source counts its paths to every node, so a pair of sources
    counts twice, as networkx sums. Sources are cut into ``blocks`` fixed runs
    that numba's threads share; each run sums its own sources in order and the
    runs are added in order, so the answer does not depend on the threads.
    """
    keep = u != v
    a, b = np.concatenate([u[keep], v[keep]]), np.concatenate([v[keep], u[keep]])
    order = np.lexsort((b, a))
    indptr = np.r_[0, np.cumsum(np.bincount(a, minlength=n))].astype(np.int64)
    nbr = b[order].astype(np.int64)
    sources = np.asarray(sources, dtype=np.int64)
    bounds = np.unique(np.linspace(0, len(sources), min(blocks, max(len(sources), 1)) + 1).astype(np.int64))
    parts = np.zeros((max(len(bounds) - 1, 0), n))
    _brandes_blocks(indptr, nbr, sources, bounds, parts)
    total = np.zeros(n)
    for part in parts:
        total += part
    return total
