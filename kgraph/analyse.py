"""Analysis of the projected graphs: communities, centrality, labels and questions.

Communities and centrality work on any networkx graph (the paper graph or the
concept graph from :mod:`kgraph.links`) and are igraph's, in C; the question
functions — :func:`related`, :func:`explain`, :func:`papers_for`,
:func:`bridges`, :func:`find_paper` — answer what a reader asks of a corpus and
return small DataFrames. Every result is reproducible: seeds are explicit, nodes
are handed to igraph in sorted order, and ties are broken by id.
"""
from __future__ import annotations

import math
import random
from collections import defaultdict

import networkx as nx
import numpy as np
import pandas as pd

from .config import COMMUNITY_METHODS, COMPILED_FROM
from .links import _intersect_rows, _isin, _linking_matrices, _require

__all__ = [
    "communities",
    "centrality",
    "label_communities",
    "related",
    "explain",
    "papers_for",
    "bridges",
    "find_paper",
    "NO_COMMUNITY",
]

#: Betweenness samples at most this many sources × links (see :func:`centrality`) ...
BETWEENNESS_WORK = 50_000_000
#: ... but at least this many sources.
MIN_BETWEENNESS_SOURCES = 50

#: Community id of a node without links: each such node alone would be a
#: "community" of one, which is noise, so they share this id instead.
NO_COMMUNITY = -1

_SEP = "; "


def _sort_key(node):
    return (str(type(node).__name__), str(node))


def _as_igraph(G: nx.Graph, weight: str | None):
    """``G`` as an igraph graph: ``(index, graph, ends, weights)``.

    ``index`` maps each node to its vertex (nodes in sorted order); links go in
    sorted order too, so igraph's answers do not depend on the order ``G`` was
    built in. ``ends`` holds each link's two vertices (smaller first) and
    ``weights`` its ``weight`` attribute (1 where it has none, or without ``weight``).
    """
    import igraph

    index = {node: i for i, node in enumerate(sorted(G.nodes, key=_sort_key))}
    u, v, w = [], [], []
    for a, b, x in G.edges(data=weight, default=1.0) if weight else ((a, b, 1.0) for a, b in G.edges):
        u.append(index[a])
        v.append(index[b])
        w.append(x)
    u, v, w = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64), np.asarray(w, dtype=float)
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((hi, lo))
    lo, hi = lo[order], hi[order]
    return index, igraph.Graph(n=len(index), edges=list(zip(lo.tolist(), hi.tolist()))), (lo, hi), w[order]


def communities(G: nx.Graph, weight: str | None = "weight", seed: int = 42, resolution: float = 1.0,
                method: str = "leiden") -> dict:
    """Communities that maximise modularity, numbered by size.

    Parameters
    ----------
    G : networkx.Graph
        A projection graph (paper graph or concept graph).
    weight : str or None
        Edge attribute used as weight (None: unweighted).
    seed : int
        Random seed; with the same graph and seed the answer is the same.
    resolution : float
        Modularity's resolution: above 1 gives more, smaller communities.
    method : {"leiden", "louvain"}
        ``leiden`` (default): igraph's Leiden algorithm optimising modularity,
        run until a pass changes nothing (its communities are connected).
        ``louvain``: igraph's Louvain (``community_multilevel``).

    Returns
    -------
    dict
        node -> community id (int). Communities are numbered 0, 1, ... by size,
        largest first, ties by their smallest node id. A node without links gets
        ``NO_COMMUNITY`` (-1) rather than a community of its own.

    Notes
    -----
    igraph draws its random numbers from Python's :mod:`random` module; the
    call draws them from its own ``random.Random(seed)`` instead and then puts
    igraph's default back. Nodes and links are handed to igraph in sorted
    order, so the answer does not depend on how ``G`` was built.

    References
    ----------
    Traag, V. A., Waltman, L. & van Eck, N. J. (2019). From Louvain to Leiden:
    guaranteeing well-connected communities. Scientific Reports 9, 5233.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y")])
    >>> G.add_node("lonely")
    >>> communities(G)
    {'a': 0, 'b': 0, 'c': 0, 'x': 1, 'y': 1, 'lonely': -1}
    """
    if resolution <= 0:
        raise ValueError(f"resolution must be positive, not {resolution!r}")
    if method not in COMMUNITY_METHODS:
        raise ValueError(f"method must be one of {', '.join(COMMUNITY_METHODS)}, not {method!r}")
    import igraph

    index, graph, _, w = _as_igraph(G, weight)
    linked = np.flatnonzero(np.asarray(graph.degree(), dtype=np.int64) > 0)
    number = np.full(len(index), NO_COMMUNITY, dtype=np.int64)
    if len(linked):
        igraph.set_random_number_generator(random.Random(seed))
        try:
            if method == "leiden":
                found = graph.community_leiden(objective_function="modularity", weights=w.tolist(),
                                               resolution=resolution, n_iterations=-1)
            else:
                found = graph.community_multilevel(weights=w.tolist(), resolution=resolution)
        finally:
            igraph.set_random_number_generator(random)  # igraph's default (it tells no other one set before)
        membership = np.asarray(found.membership)[linked]
        # by size, largest first; ties by their first node in sorted order
        ids, first, size = np.unique(membership, return_index=True, return_counts=True)
        rank = np.empty(len(ids), dtype=np.int64)
        rank[np.lexsort((first, -size))] = np.arange(len(ids))
        number[linked] = rank[np.searchsorted(ids, membership)]
    return {node: int(number[index[node]]) for node in G.nodes}


def centrality(G: nx.Graph, seed: int = 42, k_max: int = 500, weight: str | None = "weight") -> pd.DataFrame:
    """Degree, PageRank and betweenness of every node.

    Parameters
    ----------
    G : networkx.Graph
    seed : int
        Seed of the sampled betweenness.
    k_max : int
        Betweenness is exact up to ``k_max`` nodes; above that it is estimated
        from ``k_max`` seeded sample sources (as networkx's ``k=``). On large
        graphs the sample shrinks so that sources × links stays under
        ``BETWEENNESS_WORK`` (5·10⁷, e.g. 500 sources up to 100,000 links, 66 at
        750,000), but never below ``MIN_BETWEENNESS_SOURCES`` (50). igraph computes
        it, or from ``COMPILED_FROM`` sources × links on, :mod:`kgraph.kernels`.
    weight : str or None
        Edge attribute PageRank follows. Betweenness counts hops: link weights
        are similarities, not distances.

    Returns
    -------
    DataFrame
        ``node``, ``degree`` (number of links, int), ``pagerank`` (as networkx
        defines it, solved exactly by igraph rather than iterated to a
        tolerance), ``betweenness`` (normalised as networkx does: by
        ``(n-1)(n-2)``, and ``n/k`` when sampled), in node order of ``G``.

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c"])
    >>> centrality(G)[["node", "degree", "betweenness"]].values.tolist()
    [['a', 1, 0.0], ['b', 2, 1.0], ['c', 1, 0.0]]
    """
    if k_max < 1:
        raise ValueError(f"k_max must be at least 1, not {k_max!r}")
    if G.number_of_nodes() == 0:
        return pd.DataFrame({"node": [], "degree": pd.Series([], dtype=int), "pagerank": [], "betweenness": []})
    index, graph, (u, v), w = _as_igraph(G, weight)
    n = len(index)
    k = min(k_max, max(MIN_BETWEENNESS_SOURCES, BETWEENNESS_WORK // max(len(u), 1)))
    if n <= k:
        sources, scale = np.arange(n), 1.0
    else:
        sources = np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))
        scale = n / k
    if n > 2:
        scale /= (n - 1) * (n - 2)
    if len(sources) * len(u) >= COMPILED_FROM:  # the rule of kgraph.kernels
        from . import kernels

        raw = kernels.betweenness(n, u, v, sources)
    else:  # igraph counts each pair once; networkx (and its normalisation) both ways round
        raw = 2 * np.asarray(graph.betweenness(directed=False, sources=None if n <= k else sources.tolist()))
    pagerank = graph.pagerank(weights=w.tolist(), directed=False) if graph.ecount() else np.full(n, 1.0 / n)
    at = [index[node] for node in G.nodes]
    return pd.DataFrame({
        "node": list(G.nodes),
        "degree": np.fromiter((d for _, d in G.degree), dtype=np.int64, count=n),
        "pagerank": np.asarray(pagerank, dtype=float)[at],
        "betweenness": (raw * scale)[at],
    })


def _selected_mentions(mentions: pd.DataFrame, concepts: pd.DataFrame | None) -> pd.DataFrame:
    _require(mentions, ["paper_id", "concept_id"], "mentions")
    m = mentions.drop_duplicates(["paper_id", "concept_id"])
    if concepts is not None and "selected" in concepts.columns:
        chosen = concepts.loc[concepts["selected"].fillna(False).astype(bool), "concept_id"]
        m = m[_isin(m["concept_id"], chosen)]
    return m


def _labels(concepts: pd.DataFrame | None) -> dict:
    if concepts is None or "label" not in concepts.columns:
        return {}
    # tolist() first: iterating an Arrow-backed column makes one Python scalar at a time, slowly
    return dict(zip(concepts["concept_id"].tolist(), concepts["label"].fillna("").astype(str).tolist()))


def label_communities(
    membership: dict, mentions: pd.DataFrame, concepts: pd.DataFrame, n: int = 3, n_top: int = 10
) -> pd.DataFrame:
    """Name each community by its most characteristic concepts.

    A concept characterises a community when it is frequent in it *and* more
    frequent there than in the corpus: its score is ``p_k * log(p_k / p)`` with
    ``p_k`` the share of the community's papers that mention it and ``p`` its
    share in all papers (the community's term of a KL divergence — a tf-idf over
    communities). Only selected concepts count, and a concept must be in at least
    two of the community's papers (one, for a community of one).

    Parameters
    ----------
    membership : dict
        paper_id -> community id (from :func:`communities`).
    mentions, concepts : DataFrame
        The mentions and concepts tables (``label`` names the concepts).
    n : int
        How many concept labels make the community's ``label``.
    n_top : int
        How many concept labels ``top_concepts`` lists.

    Returns
    -------
    DataFrame
        ``community``, ``size`` (papers), ``label`` (top ``n`` labels joined
        ", "), ``top_concepts`` (top ``n_top`` labels, "; "-joined), by community.
        Papers without links (community -1) are labelled "(no links)".

    Examples
    --------
    >>> mentions = pd.DataFrame({"paper_id": list("aabbcc"),
    ...                          "concept_id": ["x", "z", "x", "z", "y", "z"]})
    >>> concepts = pd.DataFrame({"concept_id": ["x", "y", "z"], "label": ["X", "Y", "Z"], "selected": True})
    >>> label_communities({"a": 0, "b": 0, "c": 1}, mentions, concepts)[["community", "label"]].values.tolist()
    [[0, 'X'], [1, 'Y']]
    """
    if n < 1 or n_top < 1:
        raise ValueError("n and n_top must be at least 1")
    if not isinstance(membership, dict):
        raise ValueError("membership must be a dict paper_id -> community")
    names = _labels(concepts)
    member = pd.Series(membership, name="community", dtype="int64")
    m = _selected_mentions(mentions, concepts)
    codes, uniques = pd.factorize(m["paper_id"])
    at = pd.Index(member.index).get_indexer(uniques)  # each paper looked up once
    row_at = np.append(at, -1)[codes]  # a missing paper_id (code -1) is no member
    m = m[row_at >= 0].assign(community=member.to_numpy()[row_at[row_at >= 0]])
    n_papers = len(member)
    size = member.value_counts()
    df = m.groupby("concept_id").size()
    dfk = m.groupby(["community", "concept_id"]).size().rename("dfk").reset_index()
    dfk["size"] = dfk["community"].map(size).to_numpy()
    p_k = dfk["dfk"] / dfk["size"]
    p = dfk["concept_id"].map(df).to_numpy() / n_papers
    dfk["score"] = p_k * np.log(p_k / p)
    dfk = dfk[(dfk["dfk"] >= np.minimum(2, dfk["size"])) & (dfk["score"] > 0)]
    dfk = dfk.sort_values(["community", "score", "dfk", "concept_id"], ascending=[True, False, False, True])
    best = dfk.groupby("community", sort=False).head(max(n, n_top))
    tops = defaultdict(list)
    for community, c in zip(best["community"].tolist(), best["concept_id"].tolist()):
        tops[community].append(c)
    rows = []
    for community in sorted(size.index):
        if community == NO_COMMUNITY:
            rows.append((int(community), int(size[community]), "(no links)", ""))
            continue
        labels = [names.get(c, c) or c for c in tops.get(community, [])]
        rows.append((int(community), int(size[community]), ", ".join(labels[:n]), _SEP.join(labels[:n_top])))
    return pd.DataFrame(rows, columns=["community", "size", "label", "top_concepts"])


def _shared_labels(shared: str, names: dict) -> str:
    if not shared:
        return ""
    return _SEP.join(names.get(c, c) for c in shared.split(_SEP))


def related(
    paper_id: str,
    papers: pd.DataFrame,
    paper_links: pd.DataFrame,
    k: int = 10,
    concepts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The papers most strongly linked to one paper.

    Parameters
    ----------
    paper_id : str
        The paper (see :func:`find_paper` to look one up by title).
    papers, paper_links : DataFrame
        The papers and paper_links tables.
    k : int
        How many to return.
    concepts : DataFrame, optional
        When given, ``shared`` shows concept labels instead of concept_ids.

    Returns
    -------
    DataFrame
        ``paper_id``, ``title``, ``weight``, ``shared`` (the shared concepts,
        strongest first), strongest link first, ties by paper_id.

    Examples
    --------
    >>> papers = pd.DataFrame({"paper_id": ["a", "b", "c"], "title": ["A", "B", "C"]})
    >>> links = pd.DataFrame({"source": ["a", "a"], "target": ["b", "c"], "weight": [1.0, 2.0],
    ...                       "shared": ["x", "y"], "n_shared": [1, 1]})
    >>> related("a", papers, links)["paper_id"].tolist()
    ['c', 'b']
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k!r}")
    _require(papers, ["paper_id", "title"], "papers")
    _require(paper_links, ["source", "target", "weight", "shared"], "paper_links")
    if paper_id not in set(papers["paper_id"]):
        raise ValueError(f"unknown paper_id {paper_id!r}")
    out_links = paper_links[paper_links["source"] == paper_id]
    in_links = paper_links[paper_links["target"] == paper_id]
    found = pd.DataFrame({
        "paper_id": pd.concat([out_links["target"], in_links["source"]], ignore_index=True),
        "weight": pd.concat([out_links["weight"], in_links["weight"]], ignore_index=True).astype(float),
        "shared": pd.concat([out_links["shared"], in_links["shared"]], ignore_index=True).fillna("").astype(str),
    })
    found = found.sort_values(["weight", "paper_id"], ascending=[False, True], kind="stable").head(k)
    titles = dict(zip(papers["paper_id"], papers["title"]))
    names = _labels(concepts)
    found["title"] = [titles.get(p, "") for p in found["paper_id"]]
    found["shared"] = [_shared_labels(s, names) for s in found["shared"]]
    return found[["paper_id", "title", "weight", "shared"]].reset_index(drop=True)


EXPLAIN_COLUMNS = ["case", "step", "kind", "id", "label", "contribution", "share"]


def explain(
    a: str,
    b: str,
    mentions: pd.DataFrame,
    concepts: pd.DataFrame,
    graph: nx.Graph | None = None,
    weight: str = "idf",
    max_df_share: float = 0.5,
) -> pd.DataFrame:
    """Why two papers are linked.

    Parameters
    ----------
    a, b : str
        Two paper_ids.
    mentions, concepts : DataFrame
        The tables the links were made from (pass the same ``mentions`` that
        went into :func:`kgraph.links.paper_links`).
    graph : networkx.Graph, optional
        The bipartite graph ("paper:<id>" / "concept:<id>" nodes); needed only
        when the papers share no linking concept.
    weight, max_df_share
        As given to :func:`kgraph.links.paper_links`, so that the
        contributions add up to that link's weight.

    Returns
    -------
    DataFrame
        Columns ``case``, ``step``, ``kind``, ``id``, ``label``,
        ``contribution``, ``share``. When the papers share linking concepts
        (``case == "shared"``): one row per shared concept, strongest first, with
        its ``contribution`` to the link weight (its idf for ``idf``; the product
        of the two papers' concept weights for ``cosine``; an equal part for
        ``count`` and ``jaccard``) and ``share`` of it; the contributions sum to
        the weight :func:`~kgraph.links.paper_links` gives the pair. Otherwise
        (``case == "path"``) the shortest path through the bipartite graph, one
        row per node from ``a`` (step 0) to ``b``, contribution and share NaN.
        With no path at all the table is empty. ``result.attrs["case"]`` always
        holds the case ("shared", "path" or "none").

    Examples
    --------
    >>> mentions = pd.DataFrame({"paper_id": ["a", "a", "b", "c"], "concept_id": ["x", "y", "x", "y"]})
    >>> concepts = pd.DataFrame({"concept_id": ["x", "y"], "label": ["X", "Y"], "selected": True})
    >>> explain("a", "b", mentions, concepts)[["case", "id", "share"]].values.tolist()
    [['shared', 'x', 1.0]]
    """
    _require(mentions, ["paper_id", "concept_id"], "mentions")
    known = set(mentions["paper_id"])
    if graph is not None:
        known |= {str(n)[len("paper:"):] for n in graph if str(n).startswith("paper:")}
    for p in (a, b):
        if p not in known:
            raise ValueError(f"unknown paper_id {p!r}")
    names = _labels(concepts)
    L, R, scoring, ids, _, paper_ids = _linking_matrices(mentions, concepts, weight, max_df_share)
    row = {p: i for i, p in enumerate(paper_ids)}
    if a in row and b in row and a != b:
        pi, pj = np.array([row[a]]), np.array([row[b]])
        _, col, pos_i, pos_j = _intersect_rows(L, pi, pj)
    else:
        col = pos_i = pos_j = np.zeros(0, dtype=np.int64)
    if len(col):
        products = L.data[pos_i] * R.data[pos_j]
        n = float(len(col))
        total = float(scoring.weigh(np.array([products.sum()]), np.array([n]), pi, pj)[0])
        # count and jaccard give every shared concept the same part
        parts = products if weight in ("idf", "cosine") else np.full(len(col), total / n)
        order = np.lexsort((col, -parts))
        cids = [ids[c] for c in col[order]]
        out = pd.DataFrame({
            "case": "shared",
            "step": range(1, len(order) + 1),
            "kind": "concept",
            "id": cids,
            "label": [names.get(c, c) for c in cids],
            "contribution": parts[order].astype(float),
            "share": (parts[order] / total if total > 0 else np.zeros(len(order))).astype(float),
        }, columns=EXPLAIN_COLUMNS)
        out.attrs["case"] = "shared"
        return out
    empty = pd.DataFrame(columns=EXPLAIN_COLUMNS)
    empty.attrs["case"] = "none"
    if graph is None:
        return empty
    try:
        path = nx.shortest_path(graph, f"paper:{a}", f"paper:{b}")
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return empty
    rows = []
    for step, node in enumerate(path):
        attrs = graph.nodes[node]
        kind, _, plain = str(node).partition(":")
        kind = attrs.get("kind", kind)
        label = attrs.get("label") if kind == "concept" else attrs.get("title")
        rows.append(("path", step, kind, plain, str(label if label is not None else plain), math.nan, math.nan))
    out = pd.DataFrame(rows, columns=EXPLAIN_COLUMNS)
    out.attrs["case"] = "path"
    return out


def _narrower_closure(concept_id: str, concepts: pd.DataFrame) -> list:
    """``concept_id`` and every concept narrower than it, transitively (from ``broader``)."""
    children = defaultdict(set)
    if "broader" in concepts.columns:
        for child, broader in zip(concepts["concept_id"], concepts["broader"].fillna("").astype(str)):
            for parent in broader.split(_SEP):
                if parent.strip():
                    children[parent.strip()].add(child)
    seen, todo = {concept_id}, [concept_id]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return sorted(seen)


def _resolve_concept(query: str, concepts: pd.DataFrame) -> str:
    ids = set(concepts["concept_id"])
    if query in ids:
        return query
    q = str(query).strip().casefold()
    hits = sorted({c for c, lab in zip(concepts["concept_id"], concepts.get("label", concepts["concept_id"]))
                   if str(c).casefold() == q or str(lab).casefold() == q})
    if len(hits) == 1:
        return hits[0]
    near = sorted(c for c in ids if q in str(c).casefold())[:5]
    hint = f"; did you mean: {', '.join(near)}" if near else ""
    raise ValueError(f"unknown concept {query!r}{hint}")


def papers_for(
    concept_id: str,
    mentions: pd.DataFrame,
    concepts: pd.DataFrame,
    include_narrower: bool = True,
    papers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Papers that mention a concept (or, by default, any concept narrower than it).

    Parameters
    ----------
    concept_id : str
        A concept_id, or a concept label (case-insensitive).
    mentions, concepts : DataFrame
        The mentions and concepts tables; ``concepts.broader`` ("; "-joined
        broader concept_ids) defines narrower concepts: X's narrower concepts are
        those whose broader contains X, transitively.
    include_narrower : bool
        Also count mentions of narrower concepts.
    papers : DataFrame, optional
        The papers table, to add each paper's ``title``.

    Returns
    -------
    DataFrame
        ``paper_id``, ``title`` (with ``papers``), ``concept`` (label of the
        paper's strongest matching concept), ``matched`` (all matching
        concept_ids the paper mentions, "; "-joined, strongest first), ``score``
        (best mention score), ``rank`` (best rank), ``direct`` (whether the
        concept itself is mentioned); best score first, ties by paper_id.

    Examples
    --------
    >>> mentions = pd.DataFrame({"paper_id": ["a", "b"], "concept_id": ["flow", "normalizing flow"],
    ...                          "score": [0.5, 0.9], "rank": [1, 1]})
    >>> concepts = pd.DataFrame({"concept_id": ["flow", "normalizing flow"], "broader": ["", "flow"]})
    >>> papers_for("flow", mentions, concepts)[["paper_id", "concept"]].values.tolist()
    [['b', 'normalizing flow'], ['a', 'flow']]
    """
    _require(mentions, ["paper_id", "concept_id"], "mentions")
    _require(concepts, ["concept_id"], "concepts")
    target = _resolve_concept(concept_id, concepts)
    wanted = _narrower_closure(target, concepts) if include_narrower else [target]
    m = mentions[mentions["concept_id"].isin(wanted)].copy()
    if "score" not in m.columns:
        m["score"] = 0.0
    if "rank" not in m.columns:
        m["rank"] = 0
    m = m.sort_values(["paper_id", "score", "concept_id"], ascending=[True, False, True])
    grouped = m.groupby("paper_id", sort=True)
    names = _labels(concepts)
    out = pd.DataFrame({
        "concept": grouped["concept_id"].first().map(lambda c: names.get(c, c) or c),
        "matched": grouped["concept_id"].agg(_SEP.join),
        "score": grouped["score"].max().astype(float),
        "rank": grouped["rank"].min().astype(int),
        "direct": grouped["concept_id"].agg(lambda s: bool((s == target).any())),
    }).reset_index()
    columns = ["paper_id", "concept", "matched", "score", "rank", "direct"]
    if papers is not None:
        _require(papers, ["paper_id", "title"], "papers")
        titles = dict(zip(papers["paper_id"], papers["title"]))
        out["title"] = [str(titles.get(p, "")) for p in out["paper_id"]]
        columns.insert(1, "title")
    out = out.sort_values(["score", "paper_id"], ascending=[False, True], kind="stable")
    return out[columns].reset_index(drop=True)


def _participation(weights_by_community: dict) -> float:
    total = sum(weights_by_community.values())
    if total <= 0:
        return 0.0
    return 1.0 - sum((w / total) ** 2 for w in weights_by_community.values())


def bridges(
    paper_graph,
    membership: dict | None = None,
    k: int = 10,
    concepts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Concepts and papers that join communities.

    A paper's link weight spread over its neighbours' communities gives its
    participation coefficient ``P = 1 - sum_c (w_c / w)^2`` (0: all links inside
    one community). Its score is ``P * log(1 + links outside its own
    community)``, so a paper with many cross-community links outranks one with
    a single link each way. A concept is scored the same way over the links it
    explains (those whose ``shared`` lists it): the communities of their
    endpoints give P, and the number of links between different communities the
    log factor.

    Parameters
    ----------
    paper_graph : networkx.Graph or KnowledgeGraph
        Paper graph whose edges carry ``weight`` and ``shared`` (concept_ids);
        papers' ``title`` labels them. A built ``KnowledgeGraph`` stands for its
        ``paper_graph``, its papers' ``community`` and its ``concepts``.
    membership : dict, optional
        node -> community (from :func:`communities`); default: the nodes'
        ``community`` attribute.
    k : int
        How many of each kind to return.
    concepts : DataFrame, optional
        When given, concepts are labelled with ``concepts.label``.

    Returns
    -------
    DataFrame
        ``kind`` ("concept" or "paper"), ``id``, ``label``, ``score``,
        ``communities`` (the communities touched, "; "-joined, most weight
        first); concepts first, each kind by score.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_edge("a", "b", weight=1.0, shared="x")
    >>> G.add_edge("b", "c", weight=1.0, shared="y")
    >>> bridges(G, {"a": 0, "b": 0, "c": 1})[["kind", "id"]].values.tolist()
    [['concept', 'y'], ['paper', 'b']]
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k!r}")
    if hasattr(paper_graph, "paper_graph"):  # a KnowledgeGraph
        kg = paper_graph
        paper_graph = kg.paper_graph
        concepts = kg.concepts if concepts is None else concepts
        if membership is None and "community" in kg.papers.columns:
            membership = dict(zip(kg.papers["paper_id"], kg.papers["community"].astype(int)))
        titles = dict(zip(kg.papers["paper_id"], kg.papers["title"]))
    else:
        titles = {}
    if membership is None:
        membership = {n: int(c) for n, c in paper_graph.nodes(data="community", default=NO_COMMUNITY)}
    names = _labels(concepts)
    paper_rows, concept_w, concept_cross = [], defaultdict(lambda: defaultdict(float)), defaultdict(int)
    node_w = defaultdict(lambda: defaultdict(float))
    for u, v, d in paper_graph.edges(data=True):
        w = float(d.get("weight", 1.0))
        cu, cv = membership.get(u, NO_COMMUNITY), membership.get(v, NO_COMMUNITY)
        node_w[u][cv] += w
        node_w[v][cu] += w
        for c in str(d.get("shared", "") or "").split(_SEP):
            if c:
                concept_w[c][cu] += w / 2
                concept_w[c][cv] += w / 2
                concept_cross[c] += int(cu != cv)
    for node, by_c in node_w.items():
        own = membership.get(node, NO_COMMUNITY)
        outside = sum(1 for nb in paper_graph[node] if membership.get(nb, NO_COMMUNITY) != own)
        score = _participation(by_c) * math.log1p(outside)
        if score > 0:
            title = paper_graph.nodes[node].get("title") or titles.get(node, "")
            paper_rows.append(("paper", node, str(title or node), score, by_c))
    concept_rows = []
    for c, by_c in concept_w.items():
        score = _participation(by_c) * math.log1p(concept_cross[c])
        if score > 0:
            concept_rows.append(("concept", c, names.get(c, c), score, by_c))

    def top(rows):
        rows.sort(key=lambda r: (-r[3], _sort_key(r[1])))
        return [
            (kind, i, label, float(score),
             _SEP.join(str(c) for c, _ in sorted(by_c.items(), key=lambda x: (-x[1], x[0]))))
            for kind, i, label, score, by_c in rows[:k]
        ]

    return pd.DataFrame(top(concept_rows) + top(paper_rows), columns=["kind", "id", "label", "score", "communities"])


def find_paper(query: str, papers: pd.DataFrame) -> str:
    """A paper_id from an exact id or a unique piece of the title.

    Parameters
    ----------
    query : str
        A paper_id, or a case-insensitive substring of exactly one title.
    papers : DataFrame
        The papers table.

    Returns
    -------
    str
        The paper_id.

    Raises
    ------
    ValueError
        When nothing matches, or several titles do (up to 5 candidates listed).

    Examples
    --------
    >>> papers = pd.DataFrame({"paper_id": ["p1", "p2"], "title": ["Boltzmann generators", "Normalizing flows"]})
    >>> find_paper("boltzmann", papers)
    'p1'
    """
    _require(papers, ["paper_id", "title"], "papers")
    ids = papers["paper_id"].astype(str)
    if str(query) in set(ids):
        return str(query)
    q = str(query).strip().casefold()
    if not q:
        raise ValueError("empty paper query")
    titles = papers["title"].fillna("").astype(str)
    hits = papers[titles.str.casefold().str.contains(q, regex=False)]
    if len(hits) == 1:
        return str(hits["paper_id"].iloc[0])
    if hits.empty:
        raise ValueError(f"no paper has the id or a title containing {query!r}")
    listed = "; ".join(f"{p}: {t}" for p, t in zip(hits["paper_id"].head(5), hits["title"].head(5)))
    more = f" (and {len(hits) - 5} more)" if len(hits) > 5 else ""
    raise ValueError(f"{len(hits)} papers match {query!r}: {listed}{more}")
