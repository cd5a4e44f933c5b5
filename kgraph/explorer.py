"""Interactive, self-contained HTML views of a knowledge graph.

Three views are written, each a single HTML file that works offline (sigma.js and graphology
are inlined from ``templates/vendor/``; the page makes no network request, and its
Content-Security-Policy forbids any):

- ``graph.html``: the bipartite graph of papers (dots) and concepts (diamonds);
- ``papers.html``: papers linked by the concepts they share;
- ``concepts.html``: concepts linked by co-occurrence, plus broader/narrower edges;

and ``index.html``, a summary of the build with links to each view.

The layout is computed once in Python (a seeded ForceAtlas2-style layout, see
:func:`kgraph.layout.layout`) and handed to the browser as positions, so a
page opens at once and every build draws the same picture. Above
``kg.config.max_html_nodes`` nodes (20,000 by default) a view keeps the strongest nodes and
links and says in the page what it left out (the full graph is in the GraphML/GEXF/CSV
files); the combined view keeps up to :data:`PAPER_SHARE` of that budget for papers. Colour
is the community, the same in every view and the GEXF (:func:`community_colours`).

Titles, abstracts and labels are data, never markup: they travel as escaped JSON
inside ``<script type="application/json">`` and the page's script shows them with
``textContent`` only.

Examples
--------
>>> import kgraph                                       # doctest: +SKIP
>>> kg = kgraph.build()                                 # doctest: +SKIP
>>> kgraph.explorer.write_html(kg, "outputs")           # doctest: +SKIP
>>> kgraph.explorer.show(kg, view="papers")             # in Jupyter  # doctest: +SKIP
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from itertools import chain
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from .config import MAX_HTML_NODES
from .layout import layout_arrays, place_near_neighbours, spread_apart
from .trendspage import TRENDS_FILE

VIEWS = ("graph", "papers", "concepts")
PAGES = VIEWS + ("index",)
VIEW_FILES = {"graph": "graph.html", "papers": "papers.html", "concepts": "concepts.html", "index": "index.html"}
VIEW_TITLES = {
    "graph": "Papers and concepts",
    "papers": "Papers linked by shared concepts",
    "concepts": "Concepts: co-occurrence and hierarchy",
    "index": "Build summary",
}
# Layout only: links inside a community pull this much harder than links across (x pull, x 1/pull),
# so the colours form regions; the bipartite graph needs more help than the projections.
COMMUNITY_PULL = {"graph": 4.0, "papers": 2.0, "concepts": 2.0}
# At most this many drawn links per node of the budget (``max_html_nodes``).
EDGES_PER_NODE = 5
# The combined view's budget: papers get up to this share of it, the concepts with the most links
# to the drawn papers fill the rest, and a kind that needs less leaves its share to the other.
# Papers are what a reader came to find; concepts outnumber them (5,724 to 2,075 on 2,075 arXiv
# abstracts) and, ranked together, took three quarters of the page.
PAPER_SHARE = 2 / 3
# Colour-blind-friendly-ish categorical palette (Tableau 10 + 10 lighter/darker companions): the
# 20 largest paper communities of the build get one each, in every view.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#17becf", "#1f5fa0", "#c9611a", "#a83436", "#3d8c86", "#2f7a2a", "#b59a12",
    "#7d4a73", "#d9677a", "#6b4c36", "#0f8a99",
)
OTHER_COLOR = "#a8a8a8"
# The renderer: sigma.js (WebGL) on a graphology graph, committed under templates/vendor/.
VENDOR_SCRIPTS = ("graphology.umd.min.js", "sigma.min.js")
EDGE_KINDS = {"mention": 0, "broader": 1, "link": 2, "cooccurrence": 3}

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")
_SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$", re.I)


# ----------------------------------------------------------------------------- text helpers
def clean_text(value: Any) -> str:
    """Return ``value`` as a string that any XML/HTML/JSON writer accepts.

    Missing values (None, NaN, ``pd.NA``) become ``""``; characters XML forbids
    (C0 controls other than tab/newline/CR, U+FFFE/U+FFFF) are removed; lone
    surrogates become U+FFFD.

    Examples
    --------
    >>> clean_text("a\\x00b\\ud800c")
    'ab\\ufffdc'
    >>> clean_text(float("nan"))
    ''
    """
    if type(value) is str and value.isprintable():  # the common case: nothing to remove
        return value
    if value is None:
        return ""
    if not isinstance(value, str):
        try:
            if pd.isna(value):
                return ""
        except (TypeError, ValueError):
            pass
        value = str(value)
    value = _FORBIDDEN.sub("", value)
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return value


def first_sentence(text: Any, limit: int = 280) -> str:
    """First sentence of ``text`` (whitespace collapsed), cut to ``limit`` characters.

    Examples
    --------
    >>> first_sentence("We study flows. Then more.")
    'We study flows.'
    """
    text = " ".join(clean_text(text).split())
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
    return _shorten(sentence, limit)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def script_json(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``.

    ``<``, ``>``, ``&`` and U+2028/U+2029 are written as ``\\u`` escapes, so no
    string in the data can close the script element or start markup.

    Examples
    --------
    >>> script_json({"t": "</script>"})
    '{"t":"\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _num(value: Any, digits: int = 6) -> float | int | None:
    """Round a float to ``digits`` significant digits; None for missing/non-finite."""
    if value is None or isinstance(value, bool):
        return value
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x):
        return None
    if x == int(x) and abs(x) < 1e15:
        return int(x)
    return float(f"{x:.{digits}g}")


def _int(value: Any, default: int = -1) -> int:
    if type(value) is int:
        return value
    try:
        if value is None or pd.isna(value):
            return default
        return int(value)
    except (TypeError, ValueError):
        return default


def _split(value: Any) -> list[str]:
    return [part for part in map(str.strip, clean_text(value).split(";")) if part]


# ----------------------------------------------------------------------------- views
@dataclass
class View:
    """What one HTML view draws, computed once and shared with the GEXF export.

    Attributes
    ----------
    name : str
        ``graph``, ``papers`` or ``concepts``.
    graph : networkx.Graph
        The full graph of the view (every node, every edge).
    nodes : list
        Nodes drawn in the page (all of them up to ``max_html_nodes``).
    edges : list of tuple
        Edges drawn.
    positions : dict
        node -> (x, y) for every node of ``graph`` (the drawn ones are laid out,
        the others placed next to their neighbours).
    community : dict
        node -> community id, as in the ``community`` column of the papers table (papers) or
        of the concepts table (concepts); -1 for none.
    group : dict
        node -> colour index into :data:`PALETTE`, the same in every view (see
        :func:`community_colours`); -1 (grey) for small communities and none.
    communities : list of dict
        The legend: one entry per colour drawn, most nodes first, grey last: ``group``,
        ``community`` and ``kind`` (the community the colour names: a paper community where
        papers of that colour are drawn, else a concept community), ``paper_community`` and
        ``concept_community`` (None where no node of that kind has the colour), ``count``,
        ``papers``, ``concepts`` (nodes drawn). The grey entry (``group`` -1) gathers every
        uncoloured community: ``communities`` says how many, ``without`` how many of its nodes
        have none.
    notes : list of str
        What the page left out, in words (empty when everything is drawn).
    focus : set
        Focus nodes (drawn as stars).
    sizes : dict
        node -> radius in layout units, for the drawn nodes.
    """

    name: str
    graph: nx.Graph
    nodes: list
    edges: list
    positions: dict
    community: dict
    group: dict
    communities: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    focus: set = field(default_factory=set)
    sizes: dict = field(default_factory=dict)

    def color(self, node) -> str:
        """The node's colour as ``#rrggbb`` (its community's, the same in every view)."""
        g = self.group.get(node, -1)
        return PALETTE[g] if 0 <= g < len(PALETTE) else OTHER_COLOR

    def kind(self, node) -> str:
        """"paper" or "concept"."""
        if self.name == "graph":
            return _kind(self.graph, node)
        return "paper" if self.name == "papers" else "concept"

    def raw_id(self, node) -> str:
        """The paper_id or concept_id of a node."""
        return _raw_id(node) if self.name == "graph" else str(node)


def _config(kg):
    config = getattr(kg, "config", None)
    if config is None:
        from kgraph.config import BuildConfig
        config = BuildConfig()
    return config


def _frame(kg, name: str) -> pd.DataFrame:
    frame = getattr(kg, name, None)
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()


def _texts(column: pd.Series) -> pd.Series:
    """A column as str (left as it is when it already holds only strings)."""
    if pd.api.types.is_string_dtype(column.dtype) and not column.hasnans:
        return column
    return column.astype(str)


def _rows_by_id(frame: pd.DataFrame, key: str, ids=None, columns=None) -> dict[str, dict]:
    """id -> {column: value} for the rows of ``ids`` (all rows when None), of ``columns`` (all when None);
    missing values as None."""
    if frame.empty or key not in frame.columns:
        return {}
    if ids is not None:
        frame = frame[_texts(frame[key]).isin({str(i) for i in ids})]
    names = [c for c in (columns or frame.columns) if c in frame.columns]
    values = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in names]
    return {str(k): dict(zip(names, row)) for k, row in zip(frame[key].tolist(), zip(*values))}


def _view_graph(kg, name: str) -> nx.Graph:
    """The full graph a view draws (the build's own graph where it has one: not copied)."""
    if name == "graph":
        graph = getattr(kg, "graph", None)
        if graph is None:
            raise ValueError("kg has no bipartite graph (kg.graph)")
        return graph
    if name == "papers":
        graph = getattr(kg, "paper_graph", None)
        if graph is None:
            graph = nx.Graph()
            papers, links = _frame(kg, "papers"), _frame(kg, "paper_links")
            if "paper_id" in papers:
                graph.add_nodes_from(papers["paper_id"].astype(str).tolist())
            if len(links):
                shared = links["shared"].tolist() if "shared" in links else [""] * len(links)
                graph.add_edges_from(
                    (str(s), str(t), {"weight": float(w), "shared": clean_text(x), "kind": "link"}) for s, t, w, x in
                    zip(links["source"].tolist(), links["target"].tolist(), links["weight"].tolist(), shared))
        return graph
    if name == "concepts":
        graph = getattr(kg, "concept_graph", None)
        concepts = _frame(kg, "concepts")
        links = _frame(kg, "concept_links")
        out = nx.Graph()
        if "concept_id" in concepts:
            selected = concepts
            if "selected" in concepts:
                selected = concepts[concepts["selected"].astype(bool)]
            out.add_nodes_from(selected["concept_id"].astype(str).tolist(), kind="concept")
        if graph is None:
            counts = _cooccurrences(links)
            out.add_edges_from((s, t, {"weight": float(w), "cooccurrences": int(counts.get((s, t), 0))})
                               for s, t, w in zip(links["source"].astype(str).tolist(),
                                                  links["target"].astype(str).tolist(), links["weight"].tolist()))
        else:
            out.add_nodes_from(graph.nodes, kind="concept")
            out.add_edges_from(graph.edges(data=True))
        if "broader" in concepts:
            for cid, broader in zip(concepts["concept_id"].astype(str).tolist(), concepts["broader"].tolist()):
                if broader and isinstance(broader, str) and cid in out:
                    for parent in _split(broader):
                        if parent in out and cid != parent:
                            out.add_edge(cid, parent, kind="broader", narrower=cid)  # a co-occurrence link keeps its weight
        return out
    raise ValueError(f"view must be one of {', '.join(PAGES)}, not {name!r}")


def _cooccurrences(links: pd.DataFrame, nodes=None) -> dict:
    """(source, target) -> co-occurrence count from the concept_links table (links among ``nodes``)."""
    if not {"source", "target", "cooccurrences"} <= set(links.columns):
        return {}
    source, target = _texts(links["source"]), _texts(links["target"])
    if nodes is not None:
        keep = source.isin(nodes) & target.isin(nodes)
        links, source, target = links[keep], source[keep], target[keep]
    return dict(zip(zip(source.tolist(), target.tolist()), links["cooccurrences"].tolist()))


def _kind(graph: nx.Graph, node) -> str:
    kind = graph.nodes[node].get("kind")
    if kind in ("paper", "concept"):
        return kind
    return "concept" if str(node).startswith("concept:") else "paper"


def _raw_id(node) -> str:
    text = str(node)
    for prefix in ("paper:", "concept:"):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def _round6(values: np.ndarray) -> np.ndarray:
    """Floats rounded to 6 significant digits, as ``float(f"{x:.6g}")`` does (vectorised)."""
    out = np.array(values, dtype=np.float64)
    with np.errstate(all="ignore"):
        k = 5.0 - np.floor(np.log10(np.abs(out)))
        finite = np.isfinite(k)
        up = finite & (k >= 0) & (k <= 22)  # powers of ten up to 1e22 are exact doubles
        scale = 10.0 ** k[up]
        out[up] = np.round(out[up] * scale) / scale
        down = finite & (k < 0) & (k >= -22)
        scale = 10.0 ** -k[down]
        out[down] = np.round(out[down] / scale) * scale
    for i in np.flatnonzero(finite & ~up & ~down).tolist():  # beyond 1e±22: one by one
        out[i] = float(f"{out[i]:.6g}")
    return out


def _floats(values: list) -> np.ndarray:
    """Numbers as float64 (None and anything that is not a number: NaN)."""
    try:
        return np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        out = np.full(len(values), np.nan)
        for i, value in enumerate(values):
            try:
                out[i] = float(value)
            except (TypeError, ValueError):
                pass
        return out


def _edge_lists(graph: nx.Graph, position: dict) -> tuple[np.ndarray, np.ndarray, list[dict], np.ndarray]:
    """Every edge of an undirected graph once: the positions (``position[node]``) of its ends
    (source <= target, sorted), the attribute dicts (in the order networkx lists the edges, which
    is about the order they sit in memory) and the order that sorts them.

    Read node by node from the adjacency, where an edge shows twice with the same attribute dict:
    pairing the two sightings by that dict gives both ends without looking a single neighbour up
    (with millions of edges the look-ups are most of the time). Where the dicts do not pair
    (a self-loop shows once), the neighbours are looked up."""
    visit = {node: k for k, node in enumerate(graph)}  # the adjacency's order
    neighbours = [nbrs for _, nbrs in graph.adjacency()]
    here = np.repeat(np.arange(len(neighbours)), [len(nbrs) for nbrs in neighbours])
    data = list(chain.from_iterable(map(dict.values, neighbours)))
    if not data:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), [], empty.copy()
    identity = np.fromiter(map(id, data), dtype=np.int64, count=len(data))
    by_dict = np.argsort(identity, kind="stable")
    same = identity[by_dict]
    starts = np.flatnonzero(np.r_[True, same[1:] != same[:-1]])
    counts = np.diff(np.r_[starts, len(same)])
    if (counts <= 2).all():
        pairs = counts == 2
        a, b = by_dict[starts[pairs]], by_dict[starts[pairs] + 1]  # a < b: the sort is stable
        first, u, v = a, here[a], here[b]
        alone = by_dict[starts[~pairs]]
        if len(alone):  # seen once: a self-loop, or a graph that does not share dicts: look up
            keys = list(chain.from_iterable(neighbours))
            there = np.fromiter((visit[keys[k]] for k in alone.tolist()), dtype=np.int64, count=len(alone))
            first, u, v = np.r_[first, alone], np.r_[u, here[alone]], np.r_[v, there]
        order = np.argsort(first, kind="stable")  # as networkx lists them
        first, u, v = first[order], u[order], v[order]
    else:  # attribute dicts shared between edges: look every neighbour up
        there = np.fromiter(map(visit.__getitem__, chain.from_iterable(neighbours)), dtype=np.int64,
                            count=len(here))
        first = np.flatnonzero(here <= there)  # seen from its first end (a self-loop shows once)
        u, v = here[first], there[first]
    data = list(map(data.__getitem__, first.tolist()))
    rank = np.empty(len(visit), dtype=np.int64)
    for node, k in visit.items():
        rank[k] = position[node]
    u, v = rank[u], rank[v]
    source, target = np.minimum(u, v), np.maximum(u, v)
    perm = np.lexsort((target, source))
    return source[perm], target[perm], data, perm


class _Arrays:
    """A view's graph as arrays: nodes sorted by str (``index`` maps them to positions), each edge
    once as ``lo < hi`` (or a self-loop), its weight (NaN when not a number) and whether it is a
    broader/narrower link."""

    def __init__(self, graph: nx.Graph, name: str):
        self.nodes = sorted(graph.nodes, key=str)
        self.index = {node: i for i, node in enumerate(self.nodes)}
        n = self.n = len(self.nodes)
        if name == "graph":
            self.concept = np.fromiter((_kind(graph, v) == "concept" for v in self.nodes), dtype=bool, count=n)
        else:
            self.concept = np.full(n, name == "concepts")
        self.lo, self.hi, data, order = _edge_lists(graph, self.index)
        m = len(data)
        self.weight = _floats([d.get("weight", 1.0) for d in data])[order]
        self.broader = np.array([d.get("kind") == "broader" for d in data], dtype=bool).reshape(m)[order]
        self.degree = np.bincount(self.lo, minlength=n) + np.bincount(self.hi, minlength=n)

    def strength(self) -> np.ndarray:
        """How strong each edge is for choosing what to draw: broader links always first."""
        value = _round6(self.weight)
        value[~np.isfinite(value)] = 0.0
        value[self.broader] = np.inf  # hierarchy edges are few and always kept
        return value


def _select(a: _Arrays, name: str, max_nodes: int, focus: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Nodes (sorted positions) and edges (positions in the edge arrays, sorted by their ends) to
    draw: everything, or the strongest ones above the limits. The combined view gives papers up
    to :data:`PAPER_SHARE` of ``max_nodes`` and fills the rest with the concepts most linked to
    the papers drawn."""
    n, n_edges = a.n, len(a.lo)
    max_edges = EDGES_PER_NODE * max_nodes
    strength = np.zeros(n)
    if name == "papers":  # weighted degree
        w = np.where(np.isfinite(a.weight), a.weight, 0.0)
        strength = np.bincount(a.lo, weights=w, minlength=n) + np.bincount(a.hi, weights=w, minlength=n)
    rank = np.lexsort((np.arange(n), -strength, -a.degree, ~focus))  # best first; ties by id
    notes = []
    if n <= max_nodes:
        kept = np.arange(n)
    elif name == "graph":
        papers, concepts = rank[~a.concept[rank]], rank[a.concept[rank]]
        n_papers = min(len(papers), max(math.ceil(max_nodes * PAPER_SHARE), max_nodes - len(concepts)))
        n_concepts = min(len(concepts), max_nodes - n_papers)
        papers = papers[:n_papers]
        # concepts: focus first, then the most links to the papers drawn, then the most links
        drawn_paper = np.zeros(n, dtype=bool)
        drawn_paper[papers] = True
        to_drawn = (np.bincount(a.lo[drawn_paper[a.hi]], minlength=n)
                    + np.bincount(a.hi[drawn_paper[a.lo]], minlength=n))
        concepts = concepts[np.lexsort((concepts, -a.degree[concepts], -to_drawn[concepts], ~focus[concepts]))]
        kept = np.sort(np.concatenate([papers, concepts[:n_concepts]]))
        notes.append(f"Showing {n_papers:,} of {a.n - int(a.concept.sum()):,} papers and {n_concepts:,} of "
                     f"{int(a.concept.sum()):,} concepts (papers get up to {PAPER_SHARE:.0%} of the "
                     f"{max_nodes:,} nodes, those with the most links first; the concepts most linked "
                     "to them fill the rest).")
    else:
        kept = np.sort(rank[:max_nodes])
        what = "papers" if name == "papers" else "concepts"
        notes.append(f"Showing {len(kept):,} of {n:,} {what} (those with the most links).")
    drawn = np.zeros(n, dtype=bool)
    drawn[kept] = True
    edges = np.flatnonzero(drawn[a.lo] & drawn[a.hi])
    if len(edges) > max_edges:
        total = len(edges)
        strength = a.strength()[edges]
        order = edges[np.lexsort((a.hi[edges], a.lo[edges], -strength))]
        # the strongest edge of every node first, so nobody is left hanging; then the strongest others
        first = np.full(n, len(order))
        position = np.arange(len(order))
        np.minimum.at(first, a.lo[order], position)
        np.minimum.at(first, a.hi[order], position)
        chosen = (first[a.lo[order]] == position) | (first[a.hi[order]] == position)
        more = max_edges - int(chosen.sum())
        if more > 0:
            chosen[np.flatnonzero(~chosen)[:more]] = True
        edges = order[chosen]
        notes.append(f"Showing the {len(edges):,} strongest of {total:,} links between them.")
    edges = edges[np.lexsort((a.hi[edges], a.lo[edges]))]
    if notes:
        notes.append(f"The full graph ({n:,} nodes, {n_edges:,} links) is in the GraphML, GEXF and CSV files.")
    return kept, edges, notes


# ----------------------------------------------------------------------------- colours
@dataclass(frozen=True)
class Colours:
    """One colour per community for a whole build, so every view and the GEXF agree.

    Attributes
    ----------
    paper, concept : dict
        paper_id / concept_id -> community id (-1: none), from the tables' ``community`` columns.
    paper_group, concept_group : dict
        community id -> index into :data:`PALETTE`; communities not listed are grey.
    """

    paper: dict
    concept: dict
    paper_group: dict
    concept_group: dict

    def community(self, kind: str, rid: str) -> int:
        """The community id of paper or concept ``rid`` (-1: none)."""
        return (self.paper if kind == "paper" else self.concept).get(rid, -1)

    def group(self, kind: str, community: int) -> int:
        """The palette index of a paper or concept community (-1: grey)."""
        return (self.paper_group if kind == "paper" else self.concept_group).get(community, -1)


def _membership(kg, kind: str, seed: int) -> dict[str, int]:
    """id -> community id from the papers or concepts table; without the analysis' column,
    communities (seeded) of the papers or concepts view's graph."""
    key, table = ("paper_id", _frame(kg, "papers")) if kind == "paper" else ("concept_id", _frame(kg, "concepts"))
    if {key, "community"} <= set(table.columns):
        return {k: _int(c) for k, c in zip(_texts(table[key]).tolist(), table["community"].tolist())}
    try:
        graph = _view_graph(kg, "papers" if kind == "paper" else "concepts")
    except (AttributeError, KeyError, TypeError):  # not enough tables for the graph: no communities
        return {}
    if not graph.number_of_nodes():
        return {}
    from .analyse import communities

    found = communities(graph, weight="weight", seed=seed)  # by size; -1 for a node without links
    return {str(k): int(v) for k, v in found.items()}


def _by_size(membership: dict[str, int]) -> list[int]:
    """The communities (ids >= 0), largest first, ties by id."""
    counts: dict[int, int] = {}
    for c in membership.values():
        if c >= 0:
            counts[c] = counts.get(c, 0) + 1
    return sorted(counts, key=lambda c: (-counts[c], c))


def community_colours(kg) -> Colours:
    """The colour of every paper and concept community of a build, the same in every view.

    The 20 largest paper communities (:data:`PALETTE` has 20 colours) get the palette in order
    of size. Each of the 20 largest concept communities takes the colour of the paper community
    whose papers write its concepts most (cosine of the mention counts, greedily, strongest pair
    first, each colour once), so in the combined view a topic's papers and its vocabulary share a
    colour; a concept community left without one takes a colour no paper community has, else
    grey. Smaller communities, and nodes without one, are grey (:data:`OTHER_COLOR`).

    Parameters
    ----------
    kg : KnowledgeGraph
        Its ``papers`` and ``concepts`` tables' ``community`` columns (computed here, seeded,
        from the links when missing) and ``mentions``.

    Returns
    -------
    Colours

    Examples
    --------
    >>> colours = community_colours(kg)                 # doctest: +SKIP
    >>> PALETTE[colours.group("paper", colours.community("paper", "2005.05083"))]  # doctest: +SKIP
    '#4e79a7'
    """
    seed = int(getattr(_config(kg), "seed", 42))
    paper, concept = _membership(kg, "paper", seed), _membership(kg, "concept", seed)
    paper_group = {c: i for i, c in enumerate(_by_size(paper)[:len(PALETTE)])}
    coloured = _by_size(concept)[:len(PALETTE)]
    concept_group: dict[int, int] = {}
    mentions = _frame(kg, "mentions")
    if coloured and paper_group and {"paper_id", "concept_id"} <= set(mentions.columns):
        pairs = pd.DataFrame({"p": _texts(mentions["paper_id"]).map(paper), "c": _texts(mentions["concept_id"]).map(concept)})
        pairs = pairs[(pairs["p"] >= 0) & (pairs["c"] >= 0)].astype("int64")  # NaN (not in a table) fails >= 0
        counts = pairs.groupby(["c", "p"], sort=True).size()
        if len(counts):
            c, p, k = (counts.index.get_level_values(0).to_numpy(), counts.index.get_level_values(1).to_numpy(),
                       counts.to_numpy().astype(np.float64))
            total_c = pd.Series(k).groupby(c).transform("sum").to_numpy()
            total_p = pd.Series(k).groupby(p).transform("sum").to_numpy()
            w = k / np.sqrt(total_c * total_p)
            ok = np.isin(c, coloured) & np.isin(p, list(paper_group))
            taken: set[int] = set()
            for i in np.lexsort((p, c, -w)).tolist():  # strongest pair first; ties by ids
                if ok[i] and c[i] not in concept_group and paper_group[p[i]] not in taken:
                    concept_group[int(c[i])] = paper_group[int(p[i])]
                    taken.add(paper_group[int(p[i])])
    free = iter(sorted(set(range(len(PALETTE))) - set(paper_group.values()) - set(concept_group.values())))
    for c in coloured:
        if c not in concept_group:
            slot = next(free, None)
            if slot is None:
                break
            concept_group[c] = slot
    return Colours(paper, concept, paper_group, concept_group)


def _layout_communities(a: _Arrays, name: str, community: np.ndarray) -> np.ndarray:
    """The communities the layout draws as regions: each node's own, except in the bipartite view,
    where a concept joins the paper community whose papers' mention weights vote for it most, so
    it sits with the papers that use it."""
    if name != "graph":
        return community
    community = np.where(a.concept, -1, community)
    concept_end = np.where(a.concept[a.lo], a.lo, a.hi)
    paper_end = np.where(a.concept[a.lo], a.hi, a.lo)
    vote = a.concept[concept_end] & ~a.concept[paper_end] & (community[paper_end] >= 0)
    if vote.any():
        w = _round6(np.where(np.isnan(a.weight), 1.0, a.weight))[vote]
        w = np.where(np.isfinite(w), w, 0.0) + 1e-9
        c, p = concept_end[vote], community[paper_end[vote]]
        span = int(p.max()) + 1
        keys, inverse = np.unique(c * span + p, return_inverse=True)
        total = np.bincount(inverse.ravel(), weights=w, minlength=len(keys))
        pair_c, pair_p = keys // span, keys % span
        best = np.lexsort((pair_p, -total, pair_c))  # per concept: most votes, then lowest id
        head = np.r_[True, pair_c[best][1:] != pair_c[best][:-1]]
        community[pair_c[best][head]] = pair_p[best][head]
    return community


def _legend(a: _Arrays, kept: np.ndarray, community: np.ndarray, group: np.ndarray) -> list[dict]:
    """One legend entry per colour drawn (see :class:`View`), most nodes first, grey last."""
    entries: dict[int, dict] = {}
    grey: set[tuple[bool, int]] = set()
    alone = 0  # drawn nodes without a community
    for i, c, g in zip(kept.tolist(), community[kept].tolist(), group[kept].tolist()):
        kind = "concept" if a.concept[i] else "paper"
        entry = entries.setdefault(g, {"group": g, "papers": 0, "concepts": 0, "paper_community": None,
                                       "concept_community": None})
        entry[kind + "s"] += 1
        if g >= 0:
            entry[kind + "_community"] = c
        elif c >= 0:
            grey.add((kind == "concept", c))
        else:
            alone += 1
    out = []
    for g, entry in entries.items():
        kind = "paper" if entry["paper_community"] is not None or (g < 0 and entry["papers"]) else "concept"
        community = entry[kind + "_community"]
        entry.update(kind=kind, community=-1 if community is None else community,
                     count=entry["papers"] + entry["concepts"])
        if g < 0:
            entry.update(communities=len(grey), without=alone)
        out.append(entry)
    return sorted(out, key=lambda e: (e["group"] < 0, -e["count"], e["group"]))


def build_view(kg, name: str = "graph", colours: Colours | None = None) -> View:
    """Select, lay out and colour what the ``name`` view draws.

    Parameters
    ----------
    kg : KnowledgeGraph
        Anything with the attributes of :class:`kgraph.pipeline.KnowledgeGraph`.
    name : {"graph", "papers", "concepts"}
    colours : Colours, optional
        :func:`community_colours` of ``kg`` (computed here when not given).

    Returns
    -------
    View

    Examples
    --------
    >>> view = build_view(kg, "papers")                 # doctest: +SKIP
    >>> view.notes                                      # doctest: +SKIP
    []
    """
    if name not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {name!r}")
    config = _config(kg)
    seed = int(getattr(config, "seed", 42))
    max_nodes = int(getattr(config, "max_html_nodes", MAX_HTML_NODES))
    if max_nodes < 1:
        raise ValueError("max_html_nodes must be at least 1")
    colours = community_colours(kg) if colours is None else colours
    graph = _view_graph(kg, name)
    a = _Arrays(graph, name)
    focus = {v for v, f in graph.nodes(data="focus") if f is True}
    if name == "concepts":
        concepts = _frame(kg, "concepts")
        if {"concept_id", "focus"} <= set(concepts.columns):
            focus |= set(concepts.loc[concepts["focus"].astype(bool), "concept_id"].astype(str)) & set(graph)
    is_focus = np.zeros(a.n, dtype=bool)
    is_focus[[a.index[v] for v in focus]] = True
    kept, edges, notes = _select(a, name, max_nodes, is_focus)
    nodes = a.nodes
    strip = _raw_id if name == "graph" else str
    community = np.fromiter((colours.community("concept" if c else "paper", strip(v))
                             for v, c in zip(nodes, a.concept.tolist())), dtype=np.int64, count=a.n)
    group = np.fromiter((colours.group("concept" if c else "paper", k)
                         for c, k in zip(a.concept.tolist(), community.tolist())), dtype=np.int64, count=a.n)
    # layout weights: links inside a community pull harder than links across (x pull / x 1/pull),
    # so the colours form visible regions
    region = _layout_communities(a, name, community)
    lo, hi = a.lo[edges], a.hi[edges]
    weight = np.where(a.broader[edges], 1.0, _round6(a.weight[edges]))
    weight = np.where(np.isfinite(weight) & (weight > 0), weight, 1.0)
    pull = COMMUNITY_PULL[name]
    weight *= np.where((region[lo] == region[hi]) & (region[lo] >= 0), pull, 1.0 / pull)
    where = np.full(a.n, -1, dtype=np.int64)
    where[kept] = np.arange(len(kept))
    xy = layout_arrays(len(kept), where[lo], where[hi], weight, region[kept], seed=seed)
    radius = _node_sizes(a, kept, is_focus, xy)
    if len(kept):  # no two drawn nodes overlap, even zoomed in
        zoom = _fit_zoom(xy)
        room = math.sqrt(FIT_WIDTH * FIT_HEIGHT / len(kept))
        xy = spread_apart(xy, min(4.0, room / 10) / zoom, radii=radius)
    pos = place_near_neighbours(a.n, a.lo, a.hi, kept, xy, seed)  # the GEXF places every node
    positions = dict(zip(nodes, zip(pos[:, 0].tolist(), pos[:, 1].tolist())))
    kept_nodes = [nodes[i] for i in kept.tolist()]
    drawn_edges = [(nodes[i], nodes[j]) for i, j in zip(lo.tolist(), hi.tolist())]
    return View(name, graph, kept_nodes, drawn_edges, positions, dict(zip(nodes, community.tolist())),
                dict(zip(nodes, group.tolist())), _legend(a, kept, community, group), notes,
                {v for v in focus}, dict(zip(kept_nodes, radius.tolist())))


# ----------------------------------------------------------------------------- page data
def _concept_labels(kg) -> dict[str, str]:
    concepts = _frame(kg, "concepts")
    if "concept_id" not in concepts:
        return {}
    ids = _texts(concepts["concept_id"]).tolist()
    labels = concepts["label"].tolist() if "label" in concepts else ids
    return {c: clean_text(lbl) or c for c, lbl in zip(ids, labels)}


def _community_names(kg, view: View, labels: dict[str, str]) -> dict[tuple[str, int], str]:
    """Name each community of the legend, keyed by (kind, community): a paper community by the
    analysis' label (else by the concepts its drawn papers write most), a concept community by
    its three most linked concepts drawn."""
    graph = view.graph
    wanted = {(c["kind"], c["community"]) for c in view.communities if c["group"] >= 0}
    out: dict[tuple[str, int], str] = {}
    table = getattr(kg, "communities", None)
    if isinstance(table, pd.DataFrame) and {"community", "label"} <= set(table):
        for c, lbl in zip(table["community"].tolist(), table["label"].tolist()):
            if ("paper", _int(c)) in wanted and clean_text(lbl):
                out[("paper", _int(c))] = clean_text(lbl)
    tops: dict[int, list[str]] = {}
    degree = graph.degree
    for node in sorted((v for v in view.nodes if view.kind(v) == "concept" and ("concept", view.community.get(v, -1))
                        in wanted), key=lambda v: (-degree[v], str(v))):
        found = tops.setdefault(view.community[node], [])
        if len(found) < 3:
            found.append(labels.get(view.raw_id(node), view.raw_id(node)))
    out.update({("concept", c): ", ".join(v) for c, v in tops.items()})
    missing = {c for kind, c in wanted if kind == "paper"} - {c for kind, c in out if kind == "paper"}
    mentions = _frame(kg, "mentions")
    if missing and {"paper_id", "concept_id"} <= set(mentions.columns):
        member = {view.raw_id(v): view.community[v] for v in view.nodes
                  if view.kind(v) == "paper" and view.community.get(v, -1) in missing}
        sub = mentions[_texts(mentions["paper_id"]).isin(member)]
        if len(sub):
            score = sub["score"] if "score" in sub else pd.Series(1.0, index=sub.index)
            frame = pd.DataFrame({"community": _texts(sub["paper_id"]).map(member),
                                  "concept_id": _texts(sub["concept_id"]), "score": score.astype(float)})
            totals = frame.groupby(["community", "concept_id"], sort=True)["score"].sum().reset_index()
            totals = totals.sort_values(["community", "score", "concept_id"], ascending=[True, False, True])
            for comm, part in totals.groupby("community", sort=True):
                out[("paper", int(comm))] = ", ".join(labels.get(c, c) for c in part["concept_id"].head(3))
    return out


def _legend_name(entry: dict, names: dict[tuple[str, int], str]) -> str:
    if entry["group"] < 0:
        smaller = entry["communities"]
        if not smaller:
            return "no community"
        name = f"{smaller:,} smaller {'community' if smaller == 1 else 'communities'}"
        return name + (" or none" if entry["without"] else "")
    return names.get((entry["kind"], entry["community"]), "") or f"{entry['kind']} community {entry['community']}"


# the page opens fitted into the window right of the side panel (same numbers in explorer.js)
FIT_WIDTH, FIT_HEIGHT = 1400 - 330, 900 - 40


def _fit_zoom(points) -> float:
    """The zoom at which the page opens, fitted to the map frame (explorer.js fits it the same way,
    within a few percent: sigma keeps a 30 px padding)."""
    arr = points if isinstance(points, np.ndarray) else np.array(list(points), dtype=float)
    arr = arr.reshape(-1, 2)
    if not len(arr):
        return 1.0
    width, height = np.ptp(arr, axis=0) + 60.0
    return float(min(1.0, FIT_WIDTH / width, FIT_HEIGHT / height))


def _shares(degree: np.ndarray, concept: np.ndarray) -> np.ndarray:
    """sqrt(degree / the largest degree of that kind): 0..1, for sizes."""
    top_paper = int(degree[~concept].max(initial=1)) or 1
    top_concept = int(degree[concept].max(initial=1)) or 1
    return np.sqrt(degree / np.where(concept, top_concept, top_paper))


def _node_sizes(a: "_Arrays", kept: np.ndarray, focus: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Radii (layout units) of the drawn nodes ``kept`` at ``xy``: 3.5-8.5 px (papers) and 5-16 px
    (concepts) when the page opens, by degree, times 0.45-2 by the room each node has in the
    window; focus stars 1.3 times larger."""
    if not len(kept):
        return np.zeros(0)
    zoom = _fit_zoom(xy)
    # small graphs get bigger nodes, crowded ones smaller (by the room each node has on screen)
    room = math.sqrt(FIT_WIDTH * FIT_HEIGHT / len(kept))
    grow = min(2.0, max(0.45, room / 45.0))
    concept = a.concept[kept]
    share = _shares(a.degree[kept], concept)
    px = np.where(concept, 5.0 + 11.0 * share, 3.5 + 5.0 * share)
    radius = grow * px * np.where(focus[kept], 1.3, 1.0) / zoom
    return np.array([round(r, 2) for r in radius.tolist()])


def _label_sizes(view: View, degree: dict, text: dict) -> tuple[dict, dict]:
    """Font sizes (layout units) so that, when the page opens fitted to the window,
    the labels of the most connected nodes read at 13-21 px and do not overlap, while
    the others are drawn only where there is room (explorer.js drops a label that would overlap one
    already drawn, most important first, and skips labels under ~7 px).
    Returns fonts and node sizes."""
    graph, nodes = view.graph, view.nodes
    n = len(nodes)
    if not n:
        return {}, {}
    xy = {v: view.positions[v] for v in nodes}
    zoom = _fit_zoom(xy.values())
    arr = np.array(list(xy.values()))
    width, height = np.ptp(arr, axis=0) + 60.0
    # small labels show from the start only when the nodes are far enough apart for them
    spacing = math.sqrt(width * height / n) * zoom
    small_px = 11.0 if n <= 40 or (spacing > 80 and n <= 100) else 6.0
    size = view.sizes
    concept = np.array([view.kind(v) == "concept" for v in nodes])
    share = dict(zip(nodes, _shares(np.array([graph.degree[v] for v in nodes]), concept).tolist()))
    font = {v: round(small_px / zoom, 1) for v in nodes}
    # big labels, most connected first (focus concepts count double), skipping any that would overlap
    candidates = [v for v in nodes if view.name != "graph" or view.kind(v) == "concept"]
    candidates.sort(key=lambda v: (-degree[v] * (2 if v in view.focus else 1), str(v)))
    placed: list[tuple[float, float, float, float]] = []
    n_big = int(min(16 if view.name == "papers" else 28, max(8, n / 12)))
    for v in candidates:
        if len(placed) >= n_big:
            break
        px = (12.0 + 4.0 * share[v]) if view.kind(v) == "paper" else (13.0 + 8.0 * share[v])
        label = text[v]
        w = 0.56 * px * min(len(label), 40) + 6.0
        h = px + 4.0
        x = xy[v][0] * zoom
        y = xy[v][1] * zoom + size[v] * zoom + h / 2  # the page draws the label under the shape
        box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        font[v] = round(px / zoom, 1)
    return font, size


def _year(value: Any) -> int | None:
    year = _int(value, default=-1)
    return year if year > 0 else None


def _mean_year(value: Any) -> float | None:
    x = _num(value)
    return None if x is None else round(x, 2)


def _concept_years(kg, concept_ids: list[str]) -> dict[str, list[int]]:
    """concept_id -> the distinct years, ascending, of the papers that write it."""
    mentions, papers = _frame(kg, "mentions"), _frame(kg, "papers")
    if not ({"paper_id", "concept_id"} <= set(mentions.columns) and {"paper_id", "year"} <= set(papers.columns)):
        return {}
    year = pd.to_numeric(papers["year"], errors="coerce")
    year = dict(zip(_texts(papers["paper_id"])[year > 0].tolist(), year[year > 0].astype("int64").tolist()))
    concept = _texts(mentions["concept_id"])
    keep = concept.isin(set(concept_ids))
    pairs = pd.DataFrame({"c": concept[keep], "y": _texts(mentions["paper_id"])[keep].map(year)}).dropna()
    pairs = pairs.astype({"y": "int64"}).drop_duplicates().sort_values(["c", "y"])
    ids, starts = np.unique(pairs["c"].to_numpy(dtype=object), return_index=True)  # sorted: runs of one concept
    runs = np.split(pairs["y"].to_numpy(), starts[1:])
    return dict(zip(ids.tolist(), (run.tolist() for run in runs)))


def _counts(kg, view: View) -> tuple[dict, dict]:
    """What the page shows and what the build holds: {papers, concepts} each (concepts: graph nodes)."""
    shown = {"papers": 0, "concepts": 0}
    for node in view.nodes:
        shown[view.kind(node) + "s"] += 1
    papers, concepts = _frame(kg, "papers"), _frame(kg, "concepts")
    if "selected" in concepts:
        concepts = concepts[concepts["selected"].astype(bool)]
    build = {"papers": len(papers), "concepts": len(concepts)}
    if view.name != "graph":  # a build without the table: its graph
        build[view.name] = max(build[view.name], view.graph.number_of_nodes())
    return shown, build


def _papers_text(row: dict) -> str:
    """A concept's papers in words: those that write it, and its reach when narrower concepts add
    some ("1 (109 with narrower)": a hub such as "tuning" is not a concept of one paper)."""
    papers, reach = _int(row.get("doc_freq"), 0), _int(row.get("reach"), -1)
    return f"{papers:,} ({reach:,} with narrower)" if reach > papers else f"{papers:,}"


def _page_data(kg, view: View, labels: dict[str, str] | None = None) -> dict:
    """What the page's script draws (JSON). Beside the drawing (``x``, ``y``, ``size``, ``font``) each
    node has ``color`` (#rrggbb, its community's in every view), ``year`` (a paper's year, a concept's
    ``mean_year``; null when unknown), and a concept ``years`` (of the papers that write it) and
    ``info.reach`` (papers on it or on anything narrower) beside ``info.papers`` (papers that write
    it); the page has ``shown`` and ``build``: {papers, concepts} drawn and in the build."""
    graph = view.graph
    labels = _concept_labels(kg) if labels is None else labels
    paper_ids = [view.raw_id(v) for v in view.nodes if view.kind(v) == "paper"]
    concept_ids = [view.raw_id(v) for v in view.nodes if view.kind(v) == "concept"]
    papers = _rows_by_id(_frame(kg, "papers"), "paper_id", paper_ids,
                         ["title", "year", "abstract", "authors", "url", "doi"])
    concepts = _rows_by_id(_frame(kg, "concepts"), "concept_id", concept_ids,
                           ["label", "aliases", "doc_freq", "reach", "mean_year", "broader"])
    years = _concept_years(kg, concept_ids)
    top = _top_concepts(kg, paper_ids, labels)
    degree = dict(graph.degree(view.nodes))
    nodes, index = [], {}
    for i, node in enumerate(view.nodes):
        index[node] = i
        kind = view.kind(node)
        attrs = graph.nodes[node]
        rid = view.raw_id(node)
        x, y = view.positions[node]
        item: dict[str, Any] = {
            "id": clean_text(node), "kind": kind, "group": view.group.get(node, -1), "color": view.color(node),
            "community": int(view.community.get(node, -1)), "degree": degree[node],
            "focus": node in view.focus, "x": round(x, 1), "y": round(y, 1),
        }
        if kind == "paper":
            row = papers.get(rid, {})
            title = clean_text(row.get("title", attrs.get("title", ""))) or rid
            year = _year(row.get("year", attrs.get("year")))
            item.update(
                label=_shorten(title, 38), year=year,
                info={"title": title, "year": year,
                      "concepts": top.get(rid) or _split(attrs.get("top_concepts", ""))[:6],
                      "sentence": first_sentence(row.get("abstract", "")),
                      "authors": _shorten(clean_text(row.get("authors", "")), 160),
                      "url": _safe_url(row.get("url", "")) or _doi_url(row.get("doi", "")),
                      "doi": clean_text(row.get("doi", ""))})
        else:
            row = concepts.get(rid, {})
            label = clean_text(row.get("label", attrs.get("label", ""))) or labels.get(rid, rid)
            item.update(
                label=label, year=_mean_year(row.get("mean_year")), years=years.get(rid, []),
                info={"label": label, "aliases": _split(row.get("aliases", attrs.get("aliases", "")))[:8],
                      "papers": _int(row.get("doc_freq", attrs.get("doc_freq")), default=-1),
                      "reach": _int(row.get("reach", attrs.get("reach")), default=-1),
                      "broader": [labels.get(b, b) for b in _split(row.get("broader", ""))][:8]})
        nodes.append(item)
    font_px, size_px = _label_sizes(view, degree, {node: item["label"] for node, item in zip(view.nodes, nodes)})
    for node, item in zip(view.nodes, nodes):
        item.update(font=font_px[node], size=size_px[node])
    edges = []
    default = {"graph": "mention", "papers": "link", "concepts": "cooccurrence"}[view.name]
    counts = None
    for u, v in view.edges:
        data = graph.edges[u, v]
        kind = data.get("kind") or default
        weight = _num(data.get("weight", 1.0), 4)
        if kind == "mention":
            extra = _int(data.get("rank"), default=0)
        elif kind == "link":
            extra = [labels.get(c, c) for c in _split(data.get("shared", ""))[:8]]
        elif kind == "cooccurrence":
            extra = data.get("cooccurrences")
            if extra is None:  # not on the link: from the table
                if counts is None:
                    counts = _cooccurrences(_frame(kg, "concept_links"), {str(x) for x in view.nodes})
                extra = counts.get((str(u), str(v)), counts.get((str(v), str(u))))
            extra = _int(extra, default=0)
        else:  # broader: 0 when the first end is the narrower concept, else 1
            extra = 0 if clean_text(data.get("narrower", view.raw_id(u))) == view.raw_id(u) else 1
        edges.append([index[u], index[v], weight if weight is not None else 0, EDGE_KINDS.get(kind, 2), extra])
    names = _community_names(kg, view, labels)
    legend = [{**c, "color": PALETTE[c["group"]] if c["group"] >= 0 else OTHER_COLOR, "name": _legend_name(c, names)}
              for c in view.communities]
    shown, build = _counts(kg, view)
    return {"view": view.name, "title": VIEW_TITLES[view.name], "nodes": nodes, "edges": edges,
            "communities": legend, "palette": list(PALETTE), "other": OTHER_COLOR, "notes": view.notes,
            "pages": {**{k: VIEW_FILES[k] for k in PAGES}, "trends": TRENDS_FILE}, "shown": shown, "build": build,
            "total": {"nodes": view.graph.number_of_nodes(), "edges": view.graph.number_of_edges()}}


def _top_concepts(kg, paper_ids: list[str], labels: dict[str, str], limit: int = 6) -> dict[str, list[str]]:
    mentions = _frame(kg, "mentions")
    if mentions.empty or not {"paper_id", "concept_id"} <= set(mentions.columns):
        return {}
    sub = mentions[_texts(mentions["paper_id"]).isin(set(paper_ids))]
    if "rank" in sub:
        sub = sub.sort_values(["paper_id", "rank", "concept_id"], kind="stable")
    out: dict[str, list[str]] = {}
    for pid, cid in zip(_texts(sub["paper_id"]).tolist(), _texts(sub["concept_id"]).tolist()):
        found = out.setdefault(pid, [])
        if len(found) < limit:
            found.append(labels.get(cid, cid))
    return out


def _safe_url(value: Any) -> str:
    url = clean_text(value).strip()
    return url if _SAFE_URL.match(url) else ""


def _doi_url(value: Any) -> str:
    doi = clean_text(value).strip()
    return _safe_url("https://doi.org/" + doi) if doi.startswith("10.") else ""


# ----------------------------------------------------------------------------- rendering
def _template(name: str) -> str:
    return (resources.files("kgraph") / "templates" / name).read_text(encoding="utf-8")


def _vendor_js() -> str:
    """graphology and sigma.js, as committed under templates/vendor/ (pinned and checked against the
    npm registry's integrity by ``make vendor``; see vendor.json), in one script."""
    vendor = resources.files("kgraph") / "templates" / "vendor"
    parts = [(vendor / name).read_text(encoding="utf-8").rstrip() for name in VENDOR_SCRIPTS]
    # graphology ends with a source-map comment: each library starts on its own line
    return "\n;\n".join(parts)


def _csp(scripts: list[str]) -> str:
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
                      for s in scripts)
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
            "font-src data:; base-uri 'none'; form-action 'none'")


def _fill(template: str, values: dict[str, str]) -> str:
    # one pass, so a value can never be mistaken for a placeholder
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], template)


def render_view(kg, view: View, labels: dict[str, str] | None = None) -> str:
    """The HTML page (a string) of a view built by :func:`build_view` (``labels``: concept_id ->
    label, looked up in ``kg.concepts`` when not given)."""
    return render_page(_page_data(kg, view, labels))


def render_page(data: dict) -> str:
    """The HTML page of a view from its page data (what :func:`_page_data` returns)."""
    app = _template("explorer.js")
    vendor = _vendor_js()
    return _fill(_template("explorer.html"), {
        "CSP": html.escape(_csp([vendor, app]), quote=False),
        "TITLE": html.escape(f"kgraph: {VIEW_TITLES.get(data.get('view'), '')}"),
        "CSS": _template("explorer.css"),
        "DATA": script_json(data),
        "VENDOR_JS": vendor,
        "APP_JS": app,
    })


def render_index(kg, views: dict[str, View] | None = None, data_files: list[str] = ()) -> str:
    """The build summary page (counts, settings, top concepts, links to each view)."""
    esc = html.escape
    summary = dict(getattr(kg, "summary", None) or {})
    config = _config(kg)
    rows = []
    counts = {k: v for k, v in summary.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    if not counts:
        counts = {"papers": len(_frame(kg, "papers")), "concepts": len(_frame(kg, "concepts")),
                  "paper_links": len(_frame(kg, "paper_links")), "concept_links": len(_frame(kg, "concept_links"))}
    for key in sorted(counts):
        value = _num(counts[key])
        shown = f"{value:,}" if isinstance(value, int) else f"{value:g}" if value is not None else ""
        rows.append(f"<tr><th>{esc(key.replace('_', ' '))}</th><td>{esc(shown)}</td></tr>")
    # the summary holds only the settings that shape the result (not the cache folder, not --dask)
    settings = summary.get("settings")
    if settings is None:
        settings = config.to_dict() if hasattr(config, "to_dict") else {}
    setting_rows = [f"<tr><th>{esc(k.replace('_', ' '))}</th><td>{esc(clean_text(_plain(v)))}</td></tr>"
                    for k, v in sorted(settings.items())]
    concepts = _frame(kg, "concepts")
    top_rows = []
    if "concept_id" in concepts:
        table = concepts
        if "selected" in table:
            table = table[table["selected"].astype(bool)]
        by = [c for c in ("score", "doc_freq") if c in table]
        table = table.sort_values(by + ["concept_id"], ascending=[False] * len(by) + [True]).head(30)
        for row in table.to_dict("records"):
            label = clean_text(row.get("label", row["concept_id"]))
            score = _num(row.get("score"), 3)
            top_rows.append(
                f"<tr><td>{esc(label)}{' ★' if row.get('focus') is True else ''}</td>"
                f"<td>{esc(_papers_text(row))}</td><td>{esc('' if score is None else f'{score:g}')}</td></tr>")
    community_rows = []
    table = getattr(kg, "communities", None)
    if isinstance(table, pd.DataFrame) and {"community", "label"} <= set(table):
        if "size" in table:
            table = table.sort_values(["size", "community"], ascending=[False, True])
        table = table.head(20)
        for row in table.to_dict("records"):
            community_rows.append(f"<tr><td>{_int(row['community'])}</td><td>{esc(clean_text(row['label']))}</td>"
                                  f"<td>{_int(row.get('size'), 0):,}</td></tr>")
    links = []
    for name in VIEWS:
        detail = ""
        if views and name in views:
            v = views[name]
            detail = f" ({len(v.nodes):,} nodes, {len(v.edges):,} links)"
            detail += "".join(f" {n}" for n in v.notes[:1])
        links.append(f'<li><a href="{VIEW_FILES[name]}">{esc(VIEW_TITLES[name])}</a>{esc(detail)}</li>')
    links.append(f'<li><a href="{TRENDS_FILE}">Trends: rising and fading concepts</a></li>')
    files = "".join(f'<li><a href="{esc(f, quote=True)}">{esc(f)}</a></li>' for f in data_files)
    return _fill(_template("index.html"), {
        "CSP": html.escape(_csp([]), quote=False),
        "CSS": _template("explorer.css"),
        "COUNTS": "\n".join(rows),
        "VIEWS": "\n".join(links),
        "TOP": "\n".join(top_rows) or '<tr><td colspan="3">No concepts.</td></tr>',
        "SETTINGS": "\n".join(setting_rows),
        "COMMUNITIES": "\n".join(community_rows) or '<tr><td colspan="3">No communities.</td></tr>',
        "FILES": files or "<li>(only the HTML views were written)</li>",
    })


def _plain(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "—"
    return "—" if value is None else str(value)


# ----------------------------------------------------------------------------- public API
def build_views(kg) -> dict[str, View]:
    """:func:`build_view` for every view, in a dict keyed by view name (one :func:`community_colours`
    for all)."""
    colours = community_colours(kg)
    return {name: build_view(kg, name, colours) for name in VIEWS}


def kg_html(kg, view: str = "graph") -> str:
    """The self-contained HTML page of one view, as a string.

    Parameters
    ----------
    kg : KnowledgeGraph
    view : {"graph", "papers", "concepts", "index"}

    Examples
    --------
    >>> page = kg_html(kg, "concepts")                  # doctest: +SKIP
    >>> page.startswith("<!DOCTYPE html>")              # doctest: +SKIP
    True
    """
    if view not in PAGES:
        raise ValueError(f"view must be one of {', '.join(PAGES)}, not {view!r}")
    if view == "index":
        return render_index(kg)
    return render_view(kg, build_view(kg, view))


def write_html(kg, out_dir, views: dict[str, View] | None = None, data_files: list[str] = (),
               pages: Iterable[str] = PAGES) -> list[Path]:
    """Write graph.html, papers.html, concepts.html and index.html into ``out_dir``.

    Parameters
    ----------
    kg : KnowledgeGraph
    out_dir : path
        Created if missing. Files are written in place; :func:`kgraph.export.write_outputs`
        is the atomic, all-files variant.
    views : dict, optional
        Views already built with :func:`build_views` (to reuse their layout); those
        missing are built. For index.html alone, anything with the ``nodes``,
        ``edges`` and ``notes`` of each view will do.
    data_files : list of str
        Other files of the output folder to link from index.html.
    pages : iterable of str
        Which of ``graph``, ``papers``, ``concepts`` and ``index`` to write (all by default).

    Returns
    -------
    list of Path
        The files written. Its attribute ``notes`` lists what the pages left out.

    Examples
    --------
    >>> paths = write_html(kg, "outputs")               # doctest: +SKIP
    >>> [p.name for p in paths]                         # doctest: +SKIP
    ['graph.html', 'papers.html', 'concepts.html', 'index.html']
    """
    pages = list(pages)
    unknown = [p for p in pages if p not in PAGES]
    if unknown:
        raise ValueError(f"pages must be among {', '.join(PAGES)}, not {', '.join(map(repr, unknown))}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    needed = VIEWS if "index" in pages else [name for name in VIEWS if name in pages]
    views = dict(views or {})
    views.update({name: build_view(kg, name) for name in needed if name not in views})
    written = Written()
    labels = _concept_labels(kg) if set(pages) & set(VIEWS) else {}
    for name in VIEWS:
        if name in pages:
            path = out / VIEW_FILES[name]
            path.write_text(render_view(kg, views[name], labels), encoding="utf-8", newline="\n")
            written.append(path)
            written.notes.extend(f"{VIEW_FILES[name]}: {note}" for note in views[name].notes[:-1])
    if "index" in pages:
        path = out / VIEW_FILES["index"]
        path.write_text(render_index(kg, views, list(data_files)), encoding="utf-8", newline="\n")
        written.append(path)
    return written


class Written(list):
    """A list of written paths with ``notes``: what was left out, for the CLI to print."""

    def __init__(self, *args):
        super().__init__(*args)
        self.notes: list[str] = []


def show(kg, view: str = "graph", height: str = "700px"):
    """Display a view inline in Jupyter (an iframe whose ``srcdoc`` is the page).

    Parameters
    ----------
    kg : KnowledgeGraph
    view : {"graph", "papers", "concepts", "index"}
    height : str
        CSS height of the frame.

    Returns
    -------
    IPython.display.HTML

    Examples
    --------
    >>> kgraph.explorer.show(kg, "concepts", height="500px")   # doctest: +SKIP
    """
    from IPython.display import HTML

    if not re.fullmatch(r"\d+(\.\d+)?(px|em|rem|vh|%)", str(height)):
        raise ValueError(f"height must be a CSS length such as '700px', not {height!r}")
    page = kg_html(kg, view)
    return HTML(f'<div class="kgraph-frame"><iframe srcdoc="{html.escape(page, quote=True)}" '
                f'style="width:100%;height:{height};border:1px solid #ddd" '
                f'title="{html.escape(VIEW_TITLES[view], quote=True)}"></iframe></div>')
