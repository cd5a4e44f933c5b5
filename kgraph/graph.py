"""The bipartite paper–concept graph.

Node ids are prefixed (``paper:<paper_id>``, ``concept:<concept_id>``) so they
never collide; every node has ``kind`` and networkx's ``bipartite`` attribute (0
papers, 1 concepts). Attribute values are plain ``str``/``int``/``float``/``bool``
only, so the same graph writes to GraphML and GEXF.

Edges: ``kind="mention"`` between a paper and each selected concept it mentions
(``weight`` = the mention's score, ``rank``), and ``kind="broader"`` between a
concept and each broader concept (``narrower`` and ``broader`` name the two ends),
so a paper that mentions ``Boltzmann generator`` is reachable from ``Boltzmann``.
"""
from __future__ import annotations

import math

import networkx as nx
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


def top_concepts(mentions: pd.DataFrame, concepts: pd.DataFrame, n: int = 5) -> pd.Series:
    """Labels of each paper's ``n`` best-ranked graph concepts, ``"; "``-joined."""
    selected = set(concepts.loc[concepts["selected"], "concept_id"])
    m = mentions[mentions["concept_id"].isin(selected)].sort_values(["paper_id", "rank"])
    return m.groupby("paper_id", sort=False)["label"].agg(lambda s: "; ".join(s.head(n)))


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
    n_concepts = mentions.groupby("paper_id").size()
    paper_cols = [c for c in papers.columns if c not in ("paper_id", "abstract")]
    nodes = []
    for row in papers.itertuples(index=False):
        rec = row._asdict()
        pid = rec["paper_id"]
        attrs = {"kind": "paper", "bipartite": 0, "paper_id": str(pid)}
        for c in paper_cols:
            v = plain(rec.get(c))
            if v != "":
                attrs[c] = v
        attrs["top_concepts"] = str(tops.get(pid, ""))
        attrs["n_concepts"] = int(n_concepts.get(pid, 0))
        nodes.append((paper_node(pid), attrs))
    G.add_nodes_from(nodes)

    sel = concepts[concepts["selected"]]
    G.add_nodes_from(
        (
            concept_node(r.concept_id),
            {
                "kind": "concept",
                "bipartite": 1,
                "concept_id": r.concept_id,
                "label": plain(r.label),
                "aliases": plain(r.aliases),
                "doc_freq": int(r.doc_freq),
                "reach": int(r.reach),
                "score": float(r.score),
                "broader": plain(r.broader),
                "focus": bool(r.focus),
            },
        )
        for r in sel.itertuples(index=False)
    )
    ids = set(sel["concept_id"])
    m = mentions[mentions["concept_id"].isin(ids)]
    G.add_edges_from(
        (paper_node(p), concept_node(c), {"kind": "mention", "weight": float(s), "rank": int(k)})
        for p, c, s, k in zip(m["paper_id"], m["concept_id"], m["score"], m["rank"])
    )
    G.add_edges_from(
        (concept_node(c), concept_node(b), {"kind": "broader", "weight": 1.0, "narrower": c, "broader": b})
        for c, bs in zip(sel["concept_id"], sel["broader"])
        for b in filter(None, str(bs).split("; "))
        if b in ids
    )
    return G
