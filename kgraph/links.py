"""Projections of the paper–concept incidence: paper links and concept links.

Everything here is a pure function over the ``mentions`` and ``concepts`` tables.
A link table is the sparse product of the incidence with itself, of which each
row keeps only its strongest entries, so memory stays bounded: no dense n×n array
is ever made and no Python loop runs over pairs of papers. Products are
:mod:`scipy.sparse`'s, a block of rows at a time, or from ``COMPILED_FROM``
multiply-adds on (the rule of :mod:`kgraph.kernels`), its compiled loop (same answer).

The main entry points are :func:`paper_links` (papers linked by the concepts they
share, each link explaining itself), :func:`concept_links` (concept
co-occurrence with VOSviewer's association strength), :func:`to_graph` and
:func:`backbone` (the disparity filter).
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from .config import COMPILED_FROM, LINK_WEIGHTS
from .graph import _add_edges_by_node

__all__ = ["incidence", "paper_links", "concept_links", "to_graph", "backbone", "idf", "LINK_WEIGHTS"]

INCIDENCE_VALUES = ("score", "binary", "idf")
#: ``max_df_share`` only applies to corpora of at least this many papers: in a
#: handful of papers a concept found in most of them is still informative.
MIN_PAPERS_FOR_DF_CAP = 20

# Memory bounds of the scipy products (entries, not bytes). A block of rows is
# multiplied at once while its estimated number of product entries stays under
# _CHUNK_ENTRIES (~16 bytes each, several arrays alive: a few hundred MB).
_CHUNK_ENTRIES = 4_000_000
# Expanded (pair, concept) entries per block when intersecting concept lists.
_INTERSECT_ENTRIES = 4_000_000

PAPER_LINK_COLUMNS = ["source", "target", "weight", "shared", "n_shared"]
CONCEPT_LINK_COLUMNS = ["source", "target", "weight", "cooccurrences"]


def _require(table: pd.DataFrame, columns, name: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, not {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {', '.join(missing)}")


def _isin(values: pd.Series, allowed) -> np.ndarray:
    """``values.isin(allowed)`` as a numpy mask; each distinct value is looked up once.

    pandas' ``isin`` on Arrow-backed strings converts ``allowed`` value by
    value; factorizing first makes it a hash lookup per distinct value.
    """
    codes, uniques = pd.factorize(values)
    hit = pd.Index(allowed).unique().get_indexer(uniques) >= 0 if len(uniques) else np.zeros(0, dtype=bool)
    return np.append(hit, False)[codes]  # code -1 (missing) picks the final False


def idf(mentions: pd.DataFrame) -> pd.Series:
    """Inverse document frequency of every concept in ``mentions``.

    ``idf = log(N / df)`` with ``N`` the number of papers in ``mentions`` and
    ``df`` the number of papers that mention the concept. A concept found in
    every paper gets 0: it tells no papers apart.

    Examples
    --------
    >>> m = pd.DataFrame({"paper_id": ["a", "a", "b"], "concept_id": ["x", "y", "x"]})
    >>> idf(m).round(3).to_dict()
    {'x': 0.0, 'y': 0.693}
    """
    _require(mentions, ["paper_id", "concept_id"], "mentions")
    pairs = mentions[["paper_id", "concept_id"]].drop_duplicates()
    n_papers = pairs["paper_id"].nunique()
    df = pairs.groupby("concept_id", sort=True).size()
    return np.log(n_papers / df).rename("idf")


def incidence(
    mentions: pd.DataFrame,
    concepts: pd.DataFrame | None = None,
    selected_only: bool = True,
    value: str = "score",
) -> tuple[sp.csr_matrix, list, list]:
    """Paper × concept incidence matrix.

    Parameters
    ----------
    mentions : DataFrame
        The mentions table (``paper_id``, ``concept_id``, and ``score`` when
        ``value="score"``). A repeated (paper, concept) row counts once.
    concepts : DataFrame, optional
        The concepts table; with ``selected_only`` only concepts whose
        ``selected`` is true become columns.
    selected_only : bool
        Keep only selected concepts (needs ``concepts``).
    value : {"score", "binary", "idf"}
        Cell value: the mention's score, 1, or the concept's :func:`idf`.

    Returns
    -------
    matrix : scipy.sparse.csr_matrix
        Shape (papers, concepts), float64, sorted indices. Every paper in
        ``mentions`` has a row, even one left without selected concepts.
    paper_ids, concept_ids : list
        Row and column labels, both sorted.

    Examples
    --------
    >>> m = pd.DataFrame({"paper_id": ["b", "a"], "concept_id": ["x", "x"], "score": [0.5, 1.0]})
    >>> X, rows, cols = incidence(m)
    >>> rows, cols, X.toarray().ravel().tolist()
    (['a', 'b'], ['x'], [1.0, 0.5])
    """
    if value not in INCIDENCE_VALUES:
        raise ValueError(f"value must be one of {', '.join(INCIDENCE_VALUES)}, not {value!r}")
    _require(mentions, ["paper_id", "concept_id"] + (["score"] if value == "score" else []), "mentions")
    m = mentions.drop_duplicates(["paper_id", "concept_id"])
    paper_codes, paper_ids = pd.factorize(m["paper_id"], sort=True)
    if concepts is not None and selected_only:
        _require(concepts, ["concept_id", "selected"], "concepts")
        chosen = concepts.loc[concepts["selected"].fillna(False).astype(bool), "concept_id"]
        keep = _isin(m["concept_id"], chosen)
    else:
        keep = np.ones(len(m), dtype=bool)
    concept_codes, concept_ids = pd.factorize(m["concept_id"][keep], sort=True)
    if value == "score":
        vals = pd.to_numeric(m["score"][keep], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    elif value == "binary":
        vals = np.ones(int(keep.sum()))
    else:
        vals = idf(mentions).reindex(concept_ids).to_numpy(dtype=float)[concept_codes]
    X = sp.csr_matrix(
        (vals, (paper_codes[keep], concept_codes)), shape=(len(paper_ids), len(concept_ids)), dtype=float
    )
    X.sort_indices()
    return X, paper_ids.tolist(), concept_ids.tolist()


# --------------------------------------------------------------------------- engine


@dataclass
class _Scoring:
    """How entries of the product ``L @ R.T`` become link weights.

    ``s`` is the summed product ``L[i] · R[j]`` and ``n`` the number of shared
    columns. ``mode`` ``plain``: the weight is ``s``; ``jaccard``:
    ``n / (size[i] + size[j] - n)``; ``association``: ``coef * n / (size[i] * size[j])``
    (0 where that product is 0). ``binary`` says L and R are 0/1, so ``n == s``.
    The compiled loop computes the same weights (``kernels.MODES``).
    """

    mode: str = "plain"
    size: np.ndarray | None = None
    coef: float = 0.0
    binary: bool = False

    def weigh(self, s, n, i, j):
        if self.mode == "plain":
            return s
        if self.mode == "jaccard":
            return n / (self.size[i] + self.size[j] - n)
        expected = self.size[i] * self.size[j]
        return np.divide(self.coef * n, expected, out=np.zeros(len(n)), where=expected > 0)


def _chunks(cost: np.ndarray, budget: float):
    """Consecutive row ranges whose summed cost stays under ``budget`` (at least one row each)."""
    cum = np.cumsum(cost, dtype=float)
    start, n = 0, len(cost)
    while start < n:
        base = cum[start - 1] if start else 0.0
        end = int(np.searchsorted(cum, base + budget, side="right"))
        end = max(end, start + 1)
        yield start, end
        start = end


def _k_best(indptr: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int, sample: int = 1024) -> np.ndarray:
    """Mask of each row's k largest ``vals``; ties go to the smaller column.

    Rows are the CSR segments ``indptr[r]:indptr[r+1]``. Values within a
    relative 1e-9 of the k-th largest count as tied, so that equal weights summed
    in a different order still tie. Loops over rows, never over pairs.

    A long row is first cut at a safe floor: the k-th largest of its first
    ``sample`` entries is at most the row's k-th largest, so the selection only
    needs the entries above it.
    """
    counts = np.diff(indptr)
    keep = np.repeat(counts <= k, counts)
    for r in np.flatnonzero(counts > k):
        a, b = indptr[r], indptr[r + 1]
        v = vals[a:b]
        if b - a > 4 * sample:
            floor = np.partition(v[:sample], sample - k)[sample - k]
            near = np.flatnonzero(v >= floor - 1e-9 * abs(floor))
        else:
            near = np.arange(b - a)
        sub = v[near]
        top = near[np.argpartition(sub, len(sub) - k)[len(sub) - k:]]
        t = v[top].min()
        tol = 1e-9 * max(abs(t), 1e-300)
        if np.count_nonzero(sub >= t - tol) > k:  # a tie at the k-th place: smaller column wins
            above = np.flatnonzero(v > t + tol)
            tied = np.flatnonzero(np.abs(v - t) <= tol)
            tied = tied[np.argsort(cols[a:b][tied], kind="stable")[:k - len(above)]]
            top = np.concatenate([above, tied])
        keep[a + top] = True
    return keep


def _intersect_rows(M: sp.csr_matrix, pi: np.ndarray, pj: np.ndarray, block: int = _INTERSECT_ENTRIES):
    """Shared columns of row pairs ``(pi[e], pj[e])`` of ``M`` (CSR, sorted indices).

    Returns arrays ``pair, col, pos_i, pos_j``: for each shared column, the pair
    index and the positions of the two entries in ``M.data``. Entries come out
    grouped by pair (ascending) and, within a pair, by column (ascending). Works by
    expanding the shorter row of each pair and looking its columns up in the other
    row with a binary search over ``row * ncols + col`` keys.
    """
    n_rows, n_cols = M.shape
    indptr = M.indptr.astype(np.int64)
    lens = np.diff(indptr)
    keys = np.repeat(np.arange(n_rows, dtype=np.int64), lens) * n_cols + M.indices
    swap = lens[pj] < lens[pi]
    short = np.where(swap, pj, pi).astype(np.int64)
    other = np.where(swap, pi, pj).astype(np.int64)
    out = ([], [], [], [])
    for s, e in _chunks(lens[short], block):
        la = lens[short[s:e]]
        total = int(la.sum())
        if total == 0:
            continue
        pair = np.repeat(np.arange(s, e, dtype=np.int64), la)
        first = np.cumsum(la) - la
        pos_a = np.arange(total, dtype=np.int64) - np.repeat(first - indptr[short[s:e]], la)
        query = other[pair] * n_cols + M.indices[pos_a]
        loc = np.searchsorted(keys, query)
        loc[loc == len(keys)] = len(keys) - 1
        hit = keys[loc] == query
        pair, pos_a, loc = pair[hit], pos_a[hit], loc[hit]
        sw = swap[pair]
        out[0].append(pair)
        out[1].append(M.indices[pos_a].astype(np.int64))
        out[2].append(np.where(sw, loc, pos_a))
        out[3].append(np.where(sw, pos_a, loc))
    if not out[0]:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    return tuple(np.concatenate(parts) for parts in out)


def _pair_sums(L, R, pi, pj):
    """Exact (s, n) = (sum of L[i,c]·R[j,c], number of shared c) for row pairs."""
    pair, _, pos_i, pos_j = _intersect_rows(L, pi, pj)
    s = np.bincount(pair, weights=L.data[pos_i] * R.data[pos_j], minlength=len(pi))
    n = np.bincount(pair, minlength=len(pi)).astype(float)
    return s, n


def _top_k_pairs(L, R, k, scoring: _Scoring, min_weight=0.0, min_shared=1):
    """Each row's k strongest partners in ``L @ R.T`` (diagonal excluded).

    ``L`` and ``R`` are CSR with the same sparsity pattern and positive values.
    A pair qualifies when its weight is at least ``min_weight`` and it shares
    at least ``min_shared`` columns. Returns global ``(row, col, weight)``
    arrays; with ``k=None`` every qualifying pair once (row < col).
    """
    RT = R.T.tocsr()
    RT.sort_indices()
    df = np.diff(RT.indptr).astype(float)
    if k is not None and df @ df >= COMPILED_FROM:  # its multiply-adds: the rule of kgraph.kernels
        from .kernels import top_k

        return top_k(L, RT, k, scoring.mode, scoring.size, scoring.coef, min_weight, min_shared)
    return _top_k_exact(L, RT, k, scoring, min_weight, min_shared)


def _top_k_exact(L, RT, k, scoring: _Scoring, min_weight, min_shared, budget=None):
    """:func:`_top_k_pairs` by scipy's product, a block of rows at a time (``budget``: product
    entries per block, default ``_CHUNK_ENTRIES``)."""
    pattern = L.copy()
    pattern.data = np.ones_like(pattern.data)
    PT = pattern.T.tocsr() if min_shared > 1 and not scoring.binary else None
    cost = pattern @ np.diff(RT.indptr).astype(float)  # product entries each row can make
    index = np.arange(L.shape[0])
    parts = []
    for s, e in _chunks(cost, budget or _CHUNK_ENTRIES):
        P = L[s:e] @ RT
        if PT is not None:
            Q = pattern[s:e] @ PT  # same pattern as P: every value is positive
            P.sort_indices()
            Q.sort_indices()
        counts = np.diff(P.indptr)
        rows = np.repeat(index[s:e], counts)
        cols, w = P.indices, P.data
        n = w if scoring.binary else (Q.data if PT is not None else None)
        w = scoring.weigh(w, n, rows, cols)
        if k is None:
            keep = cols > rows  # every pair once
        elif min_weight > 0 or min_shared > 1:
            keep = cols != rows
        else:
            # the common case: no copies of the block, the diagonal just sinks
            keep = None
            w[cols == rows] = -np.inf  # P is this block's own: writing into it is fine
        if min_weight > 0:
            keep &= w >= min_weight
        if min_shared > 1:
            keep &= n >= min_shared
        if keep is not None:
            rows, cols, w = rows[keep], cols[keep], w[keep]
            kept = np.r_[0, np.cumsum(keep)]
            counts = kept[P.indptr[1:]] - kept[P.indptr[:-1]]
        if k is not None:
            best = _k_best(np.r_[0, np.cumsum(counts)], cols, w, k)
            rows, cols, w = rows[best], cols[best], w[best]
            if keep is None:
                real = np.isfinite(w)  # a row with k or fewer entries kept its diagonal
                rows, cols, w = rows[real], cols[real], w[real]
        parts.append((rows, cols.astype(np.int64), w))
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    return tuple(np.concatenate(x) for x in zip(*parts))


def _union_pairs(r, c, n):
    """Unique undirected pairs (i < j) from directed (row, col) picks."""
    a, b = np.minimum(r, c), np.maximum(r, c)
    key = np.unique(a.astype(np.int64) * n + b)
    return key // n, key % n


# --------------------------------------------------------------------------- paper links


def _linking_matrices(mentions, concepts, weight, max_df_share):
    """The product's two sides for :func:`paper_links`: ``L @ R.T`` sums each pair's shared contributions.

    Returns ``(L, R, scoring, concept_ids, order_key, paper_ids)``; ``order_key``
    ranks a link's shared concepts (their idf; None for cosine, where the
    product of the two weights does).
    """
    # one incidence: the scores for cosine, and its pattern as the 0/1 matrix
    S, paper_ids, concept_ids = incidence(mentions, concepts, selected_only=True,
                                          value="score" if weight == "cosine" else "binary")
    B = S.copy()
    B.data = np.ones_like(B.data)
    n_papers = B.shape[0]  # every paper in mentions has a row
    df = np.diff(B.tocsc().indptr)
    concept_idf = np.log(n_papers / df) if concept_ids else np.zeros(0)  # idf(mentions) for these concepts
    usable = np.ones(len(concept_ids), dtype=bool)
    if n_papers >= MIN_PAPERS_FOR_DF_CAP:
        usable &= df <= max_df_share * n_papers
    if weight == "idf":
        usable &= concept_idf > 0
    if weight == "cosine":
        X = S
        # idf + 1 (scikit-learn's smoothing): a concept found in half the papers still counts a little
        X = (X @ sp.diags((1.0 + concept_idf) * usable)).tocsr()
        X.data[X.data < 0] = 0.0
        X.eliminate_zeros()
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        X = (sp.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)) @ X).tocsr()
        B = X.copy()
        B.data = np.ones_like(B.data)
    else:
        B = (B @ sp.diags(usable.astype(float))).tocsr()
        B.eliminate_zeros()
    sizes = np.diff(B.indptr).astype(float)
    # a concept found in one paper links nothing: drop it from the products
    linking = np.flatnonzero(np.diff(B.tocsc().indptr) >= 2)
    B = B[:, linking].tocsr()
    B.sort_indices()
    ids = [concept_ids[i] for i in linking]
    key = concept_idf[linking]
    if weight == "cosine":
        L = X[:, linking].tocsr()
        L.sort_indices()
        return L, L, _Scoring(), ids, None, paper_ids
    if weight == "idf":
        L = (B @ sp.diags(key)).tocsr()
        L.sort_indices()
        return L, B, _Scoring(), ids, key, paper_ids
    if weight == "count":
        return B, B, _Scoring(binary=True), ids, key, paper_ids
    return B, B, _Scoring("jaccard", sizes, binary=True), ids, key, paper_ids


def paper_links(
    mentions: pd.DataFrame,
    concepts: pd.DataFrame,
    weight: str = "idf",
    top_k: int | None = 10,
    min_weight: float = 0.0,
    max_df_share: float = 0.5,
    min_shared: int = 1,
    n_shared_explain: int = 5,
) -> pd.DataFrame:
    """Link papers by the selected concepts they share.

    Parameters
    ----------
    mentions, concepts : DataFrame
        The mentions and concepts tables. Only concepts with ``selected`` true link
        papers.
    weight : {"idf", "count", "jaccard", "cosine"}
        ``idf`` (default): sum over shared concepts of ``idf = log(N/df)``, so a
        rare shared concept counts more than a common one. ``count``: number of
        shared concepts. ``jaccard``: shared / union of the two papers' concept
        sets. ``cosine``: cosine of the papers' concept vectors (mention score ×
        (1 + idf), L2-normalised).
    top_k : int or None
        A link is kept when it is among the ``top_k`` strongest of *either*
        paper, so every linked paper keeps at least its ``top_k`` strongest
        links. ``None`` keeps every link (only sensible for small corpora).
    min_weight : float
        Links lighter than this are dropped (before the top k is taken). Links
        of weight 0 are never made.
    max_df_share : float
        Concepts found in more than this share of the papers are ignored for
        linking: they would tie nearly every paper to every other and make the
        graph near-complete. Applied only to corpora of at least
        ``MIN_PAPERS_FOR_DF_CAP`` (20) papers, where such a share means something.
    min_shared : int
        Minimum number of shared concepts for a link.
    n_shared_explain : int
        How many shared concepts ``shared`` lists.

    Returns
    -------
    DataFrame
        ``source``, ``target`` (paper_ids, source < target), ``weight``,
        ``shared`` (the shared concept_ids, strongest contribution first — idf,
        or the product of the two weights for cosine — "; "-joined, at most
        ``n_shared_explain``) and ``n_shared`` (all shared linking concepts).
        Sorted by weight (strongest first), then source, target. Ties in the top
        k are broken by the partner's paper_id (smaller first).

    Notes
    -----
    The product is exact and never held whole: each row keeps only its top k,
    so memory stays bounded. Its work is the sum over concepts of df², so it is
    the common concepts that cost (``max_df_share`` bounds them). Large
    products run compiled on every core (:mod:`kgraph.kernels`), with the
    most frequent concepts bounded rather than multiplied. A concept found in
    only one paper links nothing and is left out of the products, but still
    counts in a paper's concept set for ``jaccard`` and ``cosine``.

    Examples
    --------
    >>> mentions = pd.DataFrame({
    ...     "paper_id": ["a", "a", "b", "c", "c"],
    ...     "concept_id": ["rare", "common", "rare", "common", "other"],
    ...     "score": 1.0})
    >>> concepts = pd.DataFrame({"concept_id": ["rare", "common", "other"], "selected": True})
    >>> paper_links(mentions, concepts)[["source", "target", "shared"]].values.tolist()
    [['a', 'b', 'rare'], ['a', 'c', 'common']]
    """
    if weight not in LINK_WEIGHTS:
        raise ValueError(f"weight must be one of {', '.join(LINK_WEIGHTS)}, not {weight!r}")
    if top_k is not None and (not isinstance(top_k, (int, np.integer)) or top_k < 1):
        raise ValueError(f"top_k must be a positive integer or None, not {top_k!r}")
    if not 0 < max_df_share <= 1:
        raise ValueError(f"max_df_share must be in (0, 1], not {max_df_share!r}")
    if min_shared < 1:
        raise ValueError(f"min_shared must be at least 1, not {min_shared!r}")
    if n_shared_explain < 0:
        raise ValueError(f"n_shared_explain must be >= 0, not {n_shared_explain!r}")
    _require(concepts, ["concept_id", "selected"], "concepts")
    L, R, scoring, ids, key, paper_ids = _linking_matrices(mentions, concepts, weight, max_df_share)
    n = L.shape[0]
    r, c, _ = _top_k_pairs(L, R, top_k, scoring, min_weight, min_shared)
    pi, pj = _union_pairs(r, c, max(n, 1))
    # recompute every kept link from its shared concepts: exact, symmetric, and
    # the same numbers explain() reports
    pair, col, pos_i, pos_j = _intersect_rows(L, pi, pj)
    contrib = L.data[pos_i] * R.data[pos_j]
    s = np.bincount(pair, weights=contrib, minlength=len(pi))
    cnt = np.bincount(pair, minlength=len(pi)).astype(float)
    w = scoring.weigh(s, cnt, pi, pj)
    strength = contrib if key is None else key[col]
    order = np.lexsort((col, -strength, pair))
    pair, col = pair[order], col[order]
    first = np.searchsorted(pair, np.arange(len(pi)))
    rank = np.arange(len(pair)) - first[pair]
    shared = _joined_by_rank(np.asarray(ids, dtype=object), pair, col, rank, len(pi), n_shared_explain)
    pid = np.asarray(paper_ids, dtype=object)
    out = pd.DataFrame({
        "source": pid[pi] if len(pi) else pd.Series([], dtype=object),
        "target": pid[pj] if len(pi) else pd.Series([], dtype=object),
        "weight": w.astype(float),
        "shared": pd.Series(shared, dtype=object),
        "n_shared": cnt.astype(int),
    }, columns=PAPER_LINK_COLUMNS)
    out = out.sort_values(["weight", "source", "target"], ascending=[False, True, True], kind="stable")
    return out.reset_index(drop=True)


def _joined_by_rank(ids: np.ndarray, pair: np.ndarray, col: np.ndarray, rank: np.ndarray, n_pairs: int,
                    n: int) -> np.ndarray:
    """Per pair, the ids of its columns of rank 0 .. n-1, "; "-joined in rank order ("" for none).

    One vectorised pass per rank (n is small), not one join per pair.
    """
    out = np.full(n_pairs, "", dtype=object)
    for r in range(n):
        at = rank == r
        where, names = pair[at], ids[col[at]]
        if r == 0:
            out[where] = names
        else:
            out[where] = out[where] + "; " + names
    return out


# --------------------------------------------------------------------------- concept links


def concept_links(
    mentions: pd.DataFrame,
    concepts: pd.DataFrame,
    top_k: int | None = 10,
    min_cooccurrence: int = 2,
) -> pd.DataFrame:
    """Co-occurrence links between selected concepts, weighted by association strength.

    Two concepts co-occur when a paper mentions both. The weight is VOSviewer's
    association strength ``2 m c_ij / (s_i s_j)``: ``c_ij`` the number of papers
    with both, ``s_i`` the total co-occurrences of concept i (sum over j of
    ``c_ij``) and ``m`` the total co-occurrences in the network (half the sum of
    ``s``). It is the ratio of observed to expected co-occurrences, so 1 means
    "as often as chance" and hub concepts do not dominate.

    Parameters
    ----------
    mentions, concepts : DataFrame
        The mentions and concepts tables (selected concepts only).
    top_k : int or None
        A link is kept when among the ``top_k`` strongest of either concept.
    min_cooccurrence : int
        Minimum number of papers mentioning both.

    Returns
    -------
    DataFrame
        ``source``, ``target`` (concept_ids, source < target), ``weight``,
        ``cooccurrences``; strongest first.

    References
    ----------
    van Eck, N. J. & Waltman, L. (2009). How to normalize co-occurrence data? An
    analysis of some well-known similarity measures. JASIST 60(8).
    Waltman, L., van Eck, N. J. & Noyons, E. (2010). A unified approach to
    mapping and clustering of bibliometric networks. J. Informetrics 4(4).

    Examples
    --------
    >>> mentions = pd.DataFrame({"paper_id": ["a", "a", "b", "b"], "concept_id": ["x", "y", "x", "y"]})
    >>> concepts = pd.DataFrame({"concept_id": ["x", "y"], "selected": True})
    >>> concept_links(mentions, concepts).values.tolist()
    [['x', 'y', 2.0, 2]]
    """
    if top_k is not None and (not isinstance(top_k, (int, np.integer)) or top_k < 1):
        raise ValueError(f"top_k must be a positive integer or None, not {top_k!r}")
    if min_cooccurrence < 1:
        raise ValueError(f"min_cooccurrence must be at least 1, not {min_cooccurrence!r}")
    _require(concepts, ["concept_id", "selected"], "concepts")
    B, _, concept_ids = incidence(mentions, concepts, selected_only=True, value="binary")
    C = B.T.tocsr()
    C.sort_indices()
    per_paper = np.diff(B.indptr).astype(float)
    s = np.asarray(B.T @ np.maximum(per_paper - 1, 0)).ravel()  # co-occurrences of each concept
    m = s.sum() / 2
    scoring = _Scoring("association", s, 2 * m, binary=True)
    r, c, _ = _top_k_pairs(C, C, top_k, scoring, 0.0, min_cooccurrence)
    ci, cj = _union_pairs(r, c, max(C.shape[0], 1))
    counts, _ = _pair_sums(C, C, ci, cj)
    ids = np.asarray(concept_ids, dtype=object)
    out = pd.DataFrame({
        "source": ids[ci] if len(ci) else pd.Series([], dtype=object),
        "target": ids[cj] if len(ci) else pd.Series([], dtype=object),
        "weight": scoring.weigh(counts, counts, ci, cj).astype(float),
        "cooccurrences": counts.astype(int),
    }, columns=CONCEPT_LINK_COLUMNS)
    out = out.sort_values(["weight", "source", "target"], ascending=[False, True, True], kind="stable")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- graphs


def _plain(value, integer_column: bool = False):
    """A value GraphML/GEXF writers accept: str, int, float or bool (None/NA → "" or -1)."""
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value)
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return -1 if integer_column else ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _plain_values(column: pd.Series) -> tuple[list, np.ndarray | None]:
    """``column`` as a list of plain values (as :func:`_plain`), and which to leave out.

    A float column's NaN is an unknown number: its mask marks it (None when
    nothing is left out). An integer column's NA becomes -1, anything else's "".
    Works a column at a time, without a Python call per value where the dtype
    allows it.
    """
    dtype = column.dtype
    missing = column.isna().to_numpy()
    if pd.api.types.is_float_dtype(dtype):
        values = column.astype(float).tolist()
        return values, (missing if missing.any() else None)
    if not missing.any():
        if pd.api.types.is_bool_dtype(dtype):
            return column.astype(bool).tolist(), None
        if pd.api.types.is_integer_dtype(dtype):
            return column.astype("int64").tolist(), None
        if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
            return column.astype(object).tolist(), None
    elif pd.api.types.is_integer_dtype(dtype):
        return column.astype("Int64").fillna(-1).astype("int64").tolist(), None
    integer = pd.api.types.is_integer_dtype(dtype)
    return [_plain(v, integer) for v in column.tolist()], None


def _records(table: pd.DataFrame, skip=()) -> list:
    """Rows of ``table`` as dicts of plain values (NA in integer columns → -1, else "")."""
    cols = [c for c in table.columns if c not in skip]
    if not cols:
        return [{} for _ in range(len(table))]
    converted = [_plain_values(table[c]) for c in cols]
    values = [v for v, _ in converted]
    masks = [(i, m) for i, (_, m) in enumerate(converted) if m is not None]
    records = [dict(zip(cols, row)) for row in zip(*values)]
    for i, mask in masks:  # unknown numbers: leave the attribute out rather than invent one
        col = cols[i]
        for r in np.flatnonzero(mask).tolist():
            del records[r][col]
    return records


def to_graph(links: pd.DataFrame, nodes=None, node_key: str | None = None) -> nx.Graph:
    """The projection graph of ``links`` (paper_links or concept_links).

    Parameters
    ----------
    links : DataFrame
        With ``source``, ``target`` and ``weight``; every other column becomes an
        edge attribute.
    nodes : DataFrame or sequence of ids, optional
        One row per node (e.g. papers or concepts), or just the node ids. Every
        node is added, even one without links; a DataFrame's other columns
        become node attributes.
    node_key : str, optional
        The column of ``nodes`` holding node ids; default ``paper_id`` or
        ``concept_id``, whichever is present, else the first column.

    Returns
    -------
    networkx.Graph
        Node ids are the plain ids; attribute values are plain str/int/float/bool
        (NA becomes "" or -1 for integer columns, lists are "; "-joined).

    Examples
    --------
    >>> links = pd.DataFrame({"source": ["a"], "target": ["b"], "weight": [1.5]})
    >>> G = to_graph(links, pd.DataFrame({"paper_id": ["a", "b", "c"]}))
    >>> sorted(G.nodes), G.edges["a", "b"]["weight"]
    (['a', 'b', 'c'], 1.5)
    """
    _require(links, ["source", "target", "weight"], "links")
    G = nx.Graph()
    if nodes is not None and not isinstance(nodes, pd.DataFrame):
        if isinstance(nodes, (str, bytes)):
            raise ValueError("nodes must be a DataFrame or a sequence of node ids")
        G.add_nodes_from(list(nodes))
    elif nodes is not None:
        if node_key is None:
            node_key = next((c for c in ("paper_id", "concept_id") if c in nodes.columns), None)
            node_key = node_key or (nodes.columns[0] if len(nodes.columns) else None)
        if node_key not in nodes.columns:
            raise ValueError(f"nodes lacks the node_key column {node_key!r}")
        ids = nodes[node_key].tolist()
        G.add_nodes_from(zip(ids, _records(nodes, skip=(node_key,))))
    edge_cols = [c for c in links.columns if c not in ("source", "target")]
    sources, targets = links["source"].tolist(), links["target"].tolist()
    records = _records(links[edge_cols])
    _add_edges_by_node(G, sources, targets, records)
    return G


def backbone(links: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Keep the statistically significant links: the disparity filter.

    For a node with ``k`` links and total weight ``s``, a link of weight ``w``
    is significant when ``(1 - w/s) ** (k - 1) < alpha`` — unlikely if the node
    spread its weight uniformly at random over its links. A link is kept when it
    is significant for either endpoint. A node with a single link cannot make it
    significant (its share is always 1), so such a link survives only through its
    other endpoint.

    Parameters
    ----------
    links : DataFrame
        ``source``, ``target``, ``weight`` (non-negative), other columns kept.
    alpha : float
        Significance level in (0, 1].

    Returns
    -------
    DataFrame
        The kept rows of ``links`` with a column ``alpha``: the smaller of the
        two endpoints' p-values.

    References
    ----------
    Serrano, M. Á., Boguñá, M. & Vespignani, A. (2009). Extracting the
    multiscale backbone of complex weighted networks. PNAS 106(16), 6483–6488.

    Examples
    --------
    >>> links = pd.DataFrame({"source": ["a", "a", "a"], "target": ["b", "c", "d"],
    ...                       "weight": [10.0, 0.1, 0.1]})
    >>> backbone(links, alpha=0.05)["target"].tolist()
    ['b']
    """
    if not 0 < alpha <= 1:
        raise ValueError(f"alpha must be in (0, 1], not {alpha!r}")
    _require(links, ["source", "target", "weight"], "links")
    w = links["weight"].to_numpy(dtype=float)
    if (w < 0).any() or np.isnan(w).any():
        raise ValueError("backbone needs non-negative link weights")
    e = len(links)
    codes, _ = pd.factorize(pd.concat([links["source"], links["target"]], ignore_index=True))
    i, j = codes[:e], codes[e:]
    n = int(codes.max()) + 1 if e else 0
    strength = np.bincount(i, w, n) + np.bincount(j, w, n)
    degree = np.bincount(i, minlength=n) + np.bincount(j, minlength=n)

    def p_value(node):
        share = np.divide(w, strength[node], out=np.ones(e), where=strength[node] > 0)
        return (1.0 - share) ** (degree[node] - 1)

    p = np.minimum(p_value(i), p_value(j)) if e else np.zeros(0)
    out = links.loc[p < alpha].copy()
    out["alpha"] = p[p < alpha]
    return out.reset_index(drop=True)
