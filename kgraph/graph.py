"""The bipartite paper–concept graph.

Node ids are prefixed (``paper:<paper_id>``, ``concept:<concept_id>``) so they
never collide; every node has ``kind`` and networkx's ``bipartite`` attribute (0
papers, 1 concepts). Attribute values are plain ``str``/``int``/``float``/``bool``
only, so the same graph writes to GraphML and GEXF.

Edges: ``kind="mention"`` between a paper and each selected concept it mentions
(``weight`` = the mention's score, ``rank``), and ``kind="broader"`` between a
concept and each broader concept (``narrower`` and ``broader`` name the two ends),
so a paper that mentions ``Boltzmann generator`` is reachable from ``Boltzmann``.

The graph is built column by column (``Series.tolist``, never iterating a
pandas column element by element, which is slow for Arrow-backed strings) and
its mention edges are filled a node at a time: 100,000 papers with 3 million
mentions take a few seconds.
"""
from __future__ import annotations

import math
from itertools import groupby

import networkx as nx
import numpy as np
import pandas as pd

PAPER = "paper:"
CONCEPT = "concept:"


def paper_node(paper_id: str) -> str:
    return PAPER + str(paper_id)


def concept_node(concept_id: str) -> str:
    return CONCEPT + str(concept_id)


def plain(value, default=""):
    """A value GraphML and GEXF can carry: str/int/float/bool, never None or NaN."""
    if value is None or value is pd.NA:
        return default
    if isinstance(value, bool):
        return value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        return default if math.isnan(value) else value
    if isinstance(value, (int, str)):
        return value
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value)
    return str(value)


def _plain_column(column: pd.Series, default="") -> list:
    """``[plain(v, default) for v in column]``, without a Python call per value where the dtype allows."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) and not column.isna().any():
        return column.astype(bool).tolist()
    if pd.api.types.is_integer_dtype(dtype) and not column.isna().any():
        return column.astype("int64").tolist()
    if pd.api.types.is_float_dtype(dtype) and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        values = column.tolist()
        return [default if v != v else v for v in values]  # NaN is the only value unequal to itself
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return column.fillna(default).tolist() if default == "" else [plain(v, default) for v in column.tolist()]
    return [plain(v, default) for v in column.tolist()]


def top_concepts(mentions: pd.DataFrame, concepts: pd.DataFrame, n: int = 5) -> pd.Series:
    """Labels of each paper's ``n`` best-ranked graph concepts, ``"; "``-joined.

    Ties in rank keep the order of ``mentions``. Papers without a selected
    concept are left out.

    Examples
    --------
    >>> m = pd.DataFrame({"paper_id": ["a", "a", "b"], "concept_id": ["x", "y", "x"],
    ...                   "label": ["X", "Y", "X"], "rank": [2, 1, 1]})
    >>> c = pd.DataFrame({"concept_id": ["x", "y"], "selected": [True, True]})
    >>> top_concepts(m, c).to_dict()
    {'a': 'Y; X', 'b': 'X'}
    """
    selected = concepts.loc[concepts["selected"].fillna(False).astype(bool), "concept_id"]
    m = mentions.loc[mentions["concept_id"].isin(selected), ["paper_id", "rank", "label"]]
    m = m.sort_values(["paper_id", "rank"], kind="stable")
    m = m[m.groupby("paper_id", sort=False).cumcount().to_numpy() < n]
    pids, labels = m["paper_id"].tolist(), [str(x) for x in m["label"].tolist()]
    index, joined = [], []
    start = 0
    for pid, group in groupby(pids):
        size = sum(1 for _ in group)
        index.append(pid)
        joined.append("; ".join(labels[start:start + size]))
        start += size
    return pd.Series(joined, index=pd.Index(index, dtype=object), dtype=object, name="label")


def _add_edges_by_node(G: nx.Graph, u: list, v: list, data: list) -> None:
    """``G.add_edges_from(zip(u, v, data))`` into a plain ``nx.Graph``, several times faster.

    The same graph comes out: nodes that are new are added in the order
    ``add_edges_from`` meets them, each node's neighbours are in the order of
    its edges, and the two directions of an edge share one data dict. Each
    node's neighbours are written into networkx's adjacency (``G._adj``, the
    dict of dicts every ``nx.Graph`` is) in one ``dict.update``, instead of a
    method call per edge. Self-loops, repeated pairs and subclasses of
    ``nx.Graph`` take ``add_edges_from`` itself.
    """
    n_edges = len(u)
    if type(G) is not nx.Graph or n_edges == 0:
        G.add_edges_from(zip(u, v, data))
        return
    ends = np.empty(2 * n_edges, dtype=object)
    ends[0::2], ends[1::2] = u, v  # edge e is seen from u at 2e and from v at 2e + 1
    codes, names = pd.factorize(ends)
    cu, cv = codes[0::2].astype(np.int64), codes[1::2].astype(np.int64)
    if (cu == cv).any() or len(np.unique(np.minimum(cu, cv) * len(names) + np.maximum(cu, cv))) < n_edges:
        G.add_edges_from(zip(u, v, data))
        return
    names = names.tolist()
    G.add_nodes_from(n for n in names if n not in G._node)
    others = np.empty(2 * n_edges, dtype=object)
    others[0::2], others[1::2] = v, u
    shared = np.empty(2 * n_edges, dtype=object)
    shared[0::2] = shared[1::2] = data
    _fill_neighbours(G, names, codes, others, shared)


def _fill_neighbours(G: nx.Graph, names: list, codes: np.ndarray, others: np.ndarray, data: np.ndarray) -> None:
    """``G._adj[names[codes[i]]][others[i]] = data[i]`` for every i, grouped by node, in order.

    Each node's new neighbours are written with one ``dict.update``, in the
    order of the arrays (a stable sort by node), so they come after the ones it
    had, as ``add_edges_from`` adds them.
    """
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    others = others[order].tolist()
    data = data[order].tolist()
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_codes)) + 1] if len(order) else np.zeros(0, dtype=np.int64)
    stops = np.r_[starts[1:], len(order)]
    adj = G._adj
    for code, a, b in zip(sorted_codes[starts].tolist(), starts.tolist(), stops.tolist()):
        adj[names[code]].update(zip(others[a:b], data[a:b]))
    cache = getattr(G, "__networkx_cache__", None)
    if cache:
        cache.clear()


def bipartite_graph(papers: pd.DataFrame, concepts: pd.DataFrame, mentions: pd.DataFrame) -> nx.Graph:
    """Build the paper–concept graph from the three tables.

    Every paper is a node, whether or not it has concepts; only selected concepts
    are nodes.

    Examples
    --------
    >>> G = bipartite_graph(kg.papers, kg.concepts, kg.mentions)  # doctest: +SKIP
    >>> G.nodes["concept:boltzmann"]["kind"]  # doctest: +SKIP
    'concept'
    """
    G = nx.Graph()
    tops = top_concepts(mentions, concepts)
    pids = papers["paper_id"].tolist()
    top_map = dict(zip(tops.index.tolist(), tops.tolist()))
    top_of = [str(top_map.get(p, "")) for p in pids]
    n_of = pd.Series(pids, dtype=object).map(mentions["paper_id"].value_counts()).fillna(0).astype("int64").tolist()
    paper_cols = [c for c in papers.columns if c not in ("paper_id", "abstract")]
    columns = [_plain_column(papers[c]) for c in paper_cols]
    nodes = []
    for pid, row, top, n_concepts in zip(pids, zip(*columns) if columns else ([()] * len(pids)), top_of, n_of):
        attrs = {"kind": "paper", "bipartite": 0, "paper_id": str(pid)}
        attrs.update((c, v) for c, v in zip(paper_cols, row) if not (isinstance(v, str) and v == ""))
        attrs["top_concepts"] = top
        attrs["n_concepts"] = n_concepts
        nodes.append((paper_node(pid), attrs))
    G.add_nodes_from(nodes)

    sel = concepts[concepts["selected"].fillna(False).astype(bool)]
    cids = sel["concept_id"].tolist()
    G.add_nodes_from(
        (
            concept_node(cid),
            {
                "kind": "concept",
                "bipartite": 1,
                "concept_id": cid,
                "label": label,
                "aliases": aliases,
                "doc_freq": int(df),
                "reach": int(reach),
                "score": float(score),
                "broader": broader,
                "focus": bool(focus),
            },
        )
        for cid, label, aliases, df, reach, score, broader, focus in zip(
            cids, _plain_column(sel["label"]), _plain_column(sel["aliases"]), sel["doc_freq"].tolist(),
            sel["reach"].tolist(), sel["score"].tolist(), _plain_column(sel["broader"]), sel["focus"].tolist())
    )
    ids = set(cids)
    m = mentions[mentions["concept_id"].isin(ids)]
    p_codes, p_uniq = pd.factorize(m["paper_id"])
    c_codes, c_uniq = pd.factorize(m["concept_id"])
    p_names = [paper_node(p) for p in p_uniq.tolist()]
    c_names = [concept_node(c) for c in c_uniq.tolist()]
    data = np.empty(len(m), dtype=object)
    data[:] = [{"kind": "mention", "weight": float(s), "rank": int(k)}
               for s, k in zip(m["score"].tolist(), m["rank"].tolist())]
    # as add_edges_from would, a node at a time: papers and concepts are never the same node
    G.add_nodes_from(p for p in p_names if p not in G._node)  # a mention of a paper missing from papers
    p_arr, c_arr = np.empty(len(p_names), dtype=object), np.empty(len(c_names), dtype=object)
    p_arr[:], c_arr[:] = p_names, c_names
    _fill_neighbours(G, p_names, p_codes, c_arr[c_codes], data)
    _fill_neighbours(G, c_names, c_codes, p_arr[p_codes], data)
    G.add_edges_from(
        (concept_node(c), concept_node(b), {"kind": "broader", "weight": 1.0, "narrower": c, "broader": b})
        for c, bs in zip(cids, sel["broader"].tolist())
        for b in filter(None, str(bs).split("; "))
        if b in ids
    )
    return G
