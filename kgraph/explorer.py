"""Interactive, self-contained HTML views of a knowledge graph.

Three views are written, each a single HTML file that works offline (vis-network's
JavaScript and CSS are inlined from the installed pyvis wheel; the page makes no
network request, and its Content-Security-Policy forbids any):

- ``graph.html``: the bipartite graph of papers (dots) and concepts (diamonds);
- ``papers.html``: papers linked by the concepts they share;
- ``concepts.html``: concepts linked by co-occurrence, plus broader/narrower edges;

and ``index.html``, a summary of the build with links to each view.

The layout is computed once in Python (a seeded ForceAtlas2-style layout, see
:func:`layout`) and handed to the browser as positions, with physics off, so a
page opens at once and every build draws the same picture. Above
``kg.config.max_html_nodes`` nodes a view keeps the strongest nodes and links and
says in the page what it left out (the full graph is in the GraphML/GEXF/CSV files).

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
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

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
# At most this many drawn links per drawn node (vis-network stays fluid up to ~10,000 edges).
EDGES_PER_NODE = 5
# Colour-blind-friendly-ish categorical palette (Tableau 10 + 10 lighter/darker companions).
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#17becf", "#1f5fa0", "#c9611a", "#a83436", "#3d8c86", "#2f7a2a", "#b59a12",
    "#7d4a73", "#d9677a", "#6b4c36", "#0f8a99",
)
OTHER_COLOR = "#a8a8a8"
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
    try:
        if value is None or pd.isna(value):
            return default
        return int(value)
    except (TypeError, ValueError):
        return default


def _split(value: Any) -> list[str]:
    return [part.strip() for part in clean_text(value).split(";") if part.strip()]


# ----------------------------------------------------------------------------- layout
def layout(graph: nx.Graph, seed: int = 42, iterations: int | None = None,
           weight: str | None = "weight", scale: float = 45.0) -> dict:
    """Seeded force-directed positions (ForceAtlas2 style) for every node of ``graph``.

    Vectorised with numpy (exact degree-weighted repulsion, LinLog attraction
    along edges, gravity, FA2's adaptive speed), so 2,000 nodes take a few
    seconds. Each connected component is laid out on its own and the drawings are
    packed in rows, largest first; nodes without edges go in one grid at the end. The result
    is scaled so the drawing covers about ``scale * sqrt(n)`` units across.

    Parameters
    ----------
    graph : networkx.Graph
    seed : int
        Seed of the initial positions; the same graph and seed give the same layout.
    iterations : int, optional
        Defaults to 300 for small graphs, fewer for large ones.
    weight : str or None
        Edge attribute used as attraction weight (missing or non-positive -> 1).
    scale : float
        Spacing unit (about pixels at zoom 1).

    Returns
    -------
    dict
        node -> (x, y) floats.

    Examples
    --------
    >>> pos = layout(nx.path_graph(4), seed=1)
    >>> sorted(pos) == [0, 1, 2, 3]
    True
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    nodes = sorted(graph.nodes, key=str)
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    src, dst, w = [], [], []
    for u, v, data in graph.edges(data=True):
        if u == v:
            continue
        src.append(index[u])
        dst.append(index[v])
        x = data.get(weight, 1.0) if weight else 1.0
        try:
            x = float(x)
        except (TypeError, ValueError):
            x = 1.0
        w.append(x if math.isfinite(x) and x > 0 else 1.0)
    src_a = np.asarray(src, dtype=np.int64)
    dst_a = np.asarray(dst, dtype=np.int64)
    w_a = np.asarray(w, dtype=np.float64)
    if len(w_a):
        w_a = np.sqrt(w_a / np.median(w_a))  # tame heavy-tailed weights
    pieces = []  # (component's node indices, positions normalised to the spacing unit)
    n_parts, labels = connected_components(
        coo_matrix((np.ones(len(src_a)), (src_a, dst_a)), shape=(n, n)), directed=False)
    members = [[] for _ in range(n_parts)]
    for i, part in enumerate(labels):
        members[part].append(i)
    edges_of = [[] for _ in range(n_parts)]
    for k, a in enumerate(src_a):
        edges_of[labels[a]].append(k)
    singles = []
    for part in sorted(range(n_parts), key=lambda c: (-len(members[c]), members[c][0])):
        idx = np.asarray(members[part])
        if len(idx) == 1:
            singles.append(idx[0])
            continue
        remap = {v: j for j, v in enumerate(idx)}
        ks = np.asarray(edges_of[part])
        a = np.asarray([remap[v] for v in src_a[ks]])
        b = np.asarray([remap[v] for v in dst_a[ks]])
        degree = np.bincount(np.concatenate([a, b]), minlength=len(idx)).astype(float)
        core = _forceatlas2(a, b, w_a[ks], degree, seed, iterations)
        # same density for every drawing: RMS radius ~ scale * sqrt(nodes)
        core = core - core.mean(axis=0)
        rms = float(np.sqrt((core ** 2).sum(axis=1).mean())) or 1.0
        core *= scale * 0.8 * math.sqrt(len(idx)) / rms
        pieces.append((idx, _spread(core, scale * 0.5)))
    if singles:  # nodes without links: one compact grid, after the linked drawings
        columns = math.ceil(math.sqrt(len(singles) * 1.25))
        i = np.arange(len(singles))
        pieces.append((np.asarray(singles), np.column_stack([i % columns, i // columns]) * scale * 1.2))
    pos = np.zeros((n, 2))
    for (idx, xy), offset in zip(pieces, _pack([xy for _, xy in pieces], gap=scale * 1.5)):
        pos[idx] = xy + offset
    pos -= (pos.min(axis=0) + pos.max(axis=0)) / 2
    return {node: (float(pos[i, 0]), float(pos[i, 1])) for i, node in enumerate(nodes)}


def _spread(pos: np.ndarray, gap: float, radii: np.ndarray | None = None, rounds: int = 40) -> np.ndarray:
    """Push apart nodes closer than ``gap`` (plus their ``radii``), a few rounds:
    LinLog packs clusters tight and a reader must still tell the nodes apart."""
    from scipy.spatial import cKDTree

    pos = pos.copy()
    radii = np.zeros(len(pos)) if radii is None else np.asarray(radii, dtype=float)
    reach = gap + 2.0 * float(radii.max(initial=0.0))
    for _ in range(rounds):
        pairs = cKDTree(pos).query_pairs(reach, output_type="ndarray")
        if not len(pairs):
            break
        a, b = pairs[:, 0], pairs[:, 1]
        delta = pos[a] - pos[b]
        dist = np.hypot(delta[:, 0], delta[:, 1])
        need = gap + radii[a] + radii[b]
        close = dist < need
        if not close.any():
            break
        a, b, delta, dist, need = a[close], b[close], delta[close], dist[close], need[close]
        same = dist < 1e-9  # identical positions: split along a fixed direction
        delta[same] = (1.0, 0.0)
        dist[same] = 1.0
        push = delta * ((need - dist) / (2.0 * dist))[:, None]
        np.add.at(pos, a, push)
        np.add.at(pos, b, -push)
    return pos


def _pack(parts: list[np.ndarray], gap: float) -> list[np.ndarray]:
    """Offsets that put the drawings ``parts`` (largest first) side by side in rows."""
    boxes = [(xy.min(axis=0), xy.max(axis=0) - xy.min(axis=0)) for xy in parts]
    area = sum((w + gap) * (h + gap) for _, (w, h) in boxes)
    row_width = max(max(w for _, (w, _h) in boxes), math.sqrt(area * 1.25))
    offsets, x, y, row_height = [], 0.0, 0.0, 0.0
    for low, (w, h) in boxes:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        offsets.append(np.array([x, y]) - low)
        x += w + gap
        row_height = max(row_height, h)
    return offsets


def _forceatlas2(src, dst, w, degree, seed, iterations):
    """ForceAtlas2 (Jacomy et al. 2014, LinLog mode) with exact repulsion, vectorised in blocks."""
    n = len(degree)
    rng = np.random.default_rng(seed)
    if n == 1:
        return np.zeros((1, 2))
    if iterations is None:
        iterations = 300 if n <= 600 else 180 if n <= 2500 else 100
    mass = (degree + 1.0).astype(np.float32)
    pos = (rng.random((n, 2)) - 0.5) * math.sqrt(n) * 10.0
    pos = pos.astype(np.float32)
    kr = 2.0 if n > 100 else 5.0
    gravity = 1.0
    force_old = np.zeros_like(pos)
    speed, speed_efficiency = 1.0, 1.0
    jitter_tolerance = 1.0
    block = max(16, min(n, 2 ** 18 // n))  # rows per block: ~1 MB of float32 stays in cache
    wf = w.astype(np.float32)
    for _ in range(iterations):
        force = np.empty_like(pos)
        x, y = pos[:, 0], pos[:, 1]
        for start in range(0, n, block):
            stop = min(n, start + block)
            dx = x[start:stop, None] - x[None, :]
            dy = y[start:stop, None] - y[None, :]
            d2 = dx * dx
            d2 += dy * dy
            d2 += 0.01
            np.divide(mass[None, :], d2, out=d2)
            force[start:stop, 0] = np.einsum("ij,ij->i", dx, d2)
            force[start:stop, 1] = np.einsum("ij,ij->i", dy, d2)
        force *= (kr * mass)[:, None]
        # attraction along edges, logarithmic in distance (LinLog: clusters come apart clearly)
        delta = pos[src] - pos[dst]
        dist = np.hypot(delta[:, 0], delta[:, 1]) + 1e-9
        pull = delta * (wf * np.log1p(dist) / dist)[:, None]
        for axis in (0, 1):
            force[:, axis] -= np.bincount(src, weights=pull[:, axis], minlength=n)
            force[:, axis] += np.bincount(dst, weights=pull[:, axis], minlength=n)
        # gravity towards the centre, constant magnitude
        r = np.hypot(pos[:, 0], pos[:, 1]) + 1e-9
        force -= (gravity * mass / r)[:, None] * pos
        # adaptive speed (FA2 section "Adaptive speed")
        swinging = mass * np.hypot(*(force - force_old).T)
        traction = mass * np.hypot(*(force + force_old).T) / 2.0
        total_swing, total_traction = float(swinging.sum()), float(traction.sum())
        estimated_jitter = 0.05 * math.sqrt(n)
        jt = jitter_tolerance * max(math.sqrt(estimated_jitter), min(10.0, estimated_jitter * total_traction / n ** 2))
        if total_swing / max(total_traction, 1e-9) > 2.0:
            speed_efficiency = max(speed_efficiency * 0.5, 0.05)
            jt = max(jt, jitter_tolerance)
        target = jt * speed_efficiency * total_traction / max(total_swing, 1e-9)
        if total_swing > jt * total_traction:
            speed_efficiency = max(speed_efficiency * 0.7, 0.05)
        elif speed < 1000:
            speed_efficiency *= 1.3
        speed += min(target - speed, 0.5 * speed)
        factor = speed / (1.0 + np.sqrt(speed * swinging))
        step = force * factor[:, None]
        # never move a node further than a tenth of the drawing per step
        limit = 0.1 * (float(np.abs(pos).max()) + 1.0)
        length = np.hypot(step[:, 0], step[:, 1])
        too_far = length > limit
        step[too_far] *= (limit / length[too_far])[:, None]
        pos += step.astype(np.float32)
        force_old = force
    return pos.astype(np.float64)


def _grid_below(placed: np.ndarray, count: int, scale: float) -> np.ndarray:
    """Positions for ``count`` nodes in a grid under the already placed ones."""
    spacing = scale * 1.2
    if len(placed):
        left, right = float(placed[:, 0].min()), float(placed[:, 0].max())
        top = float(placed[:, 1].max()) + 2 * spacing
    else:
        left, right, top = 0.0, 0.0, 0.0
    columns = max(int(math.ceil(math.sqrt(count))), int((right - left) // spacing) + 1)
    columns = min(columns, count)
    i = np.arange(count)
    x = left + (i % columns) * spacing
    y = top + (i // columns) * spacing
    if not len(placed):
        x -= x.mean()
    return np.column_stack([x, y])


def _place_rest(graph: nx.Graph, positions: dict, seed: int, scale: float = 45.0) -> dict:
    """Give every node of ``graph`` a position: laid-out ones keep theirs, the others
    go near the mean of their placed neighbours (rounds of sparse averaging)."""
    missing = [node for node in graph if node not in positions]
    if not missing:
        return dict(positions)
    nodes = sorted(graph.nodes, key=str)
    index = {node: i for i, node in enumerate(nodes)}
    adjacency = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight=None, format="csr")
    pos = np.zeros((len(nodes), 2))
    placed = np.zeros(len(nodes), dtype=bool)
    for node, xy in positions.items():
        if node in index:
            pos[index[node]] = xy
            placed[index[node]] = True
    rng = np.random.default_rng(seed)
    for _ in range(20):
        counts = adjacency @ placed.astype(float)
        todo = (~placed) & (counts > 0)
        if not todo.any():
            break
        sums = adjacency @ (pos * placed[:, None])
        rows = np.flatnonzero(todo)
        pos[rows] = sums[rows] / counts[rows, None] + rng.normal(0.0, scale * 0.5, (len(rows), 2))
        placed[rows] = True
    rest = np.flatnonzero(~placed)
    if len(rest):
        pos[rest] = _grid_below(pos[placed], len(rest), scale)
    return {node: (float(pos[index[node], 0]), float(pos[index[node], 1])) for node in nodes}


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
        node -> community id (as in the tables).
    group : dict
        node -> colour index into :data:`PALETTE` (-1 for small communities).
    communities : list of dict
        The communities drawn, largest first: ``group``, ``community``, ``count``.
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
        g = self.group.get(node, -1)
        return PALETTE[g] if 0 <= g < len(PALETTE) else OTHER_COLOR


def _config(kg):
    config = getattr(kg, "config", None)
    if config is None:
        from kgraph.config import BuildConfig
        config = BuildConfig()
    return config


def _frame(kg, name: str) -> pd.DataFrame:
    frame = getattr(kg, name, None)
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()


def _rows_by_id(frame: pd.DataFrame, key: str, ids=None) -> dict[str, dict]:
    if frame.empty or key not in frame.columns:
        return {}
    if ids is not None:
        frame = frame[frame[key].astype(str).isin({str(i) for i in ids})]
    records = frame.to_dict("records")
    return {str(r[key]): r for r in records}


def _view_graph(kg, name: str) -> nx.Graph:
    """The full graph a view draws, with node attribute ``kind`` on every node."""
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
                graph.add_nodes_from(papers["paper_id"].astype(str))
            for row in links.itertuples(index=False):
                graph.add_edge(str(row.source), str(row.target), weight=float(row.weight),
                               shared=clean_text(getattr(row, "shared", "")))
        out = nx.Graph()
        out.add_nodes_from((node, {"kind": "paper"}) for node in graph.nodes)
        out.add_edges_from((u, v, {**d, "kind": "link"}) for u, v, d in graph.edges(data=True))
        return out
    if name == "concepts":
        graph = getattr(kg, "concept_graph", None)
        concepts = _frame(kg, "concepts")
        out = nx.Graph()
        if "concept_id" in concepts:
            selected = concepts
            if "selected" in concepts:
                selected = concepts[concepts["selected"].astype(bool)]
            out.add_nodes_from(((str(c), {"kind": "concept"}) for c in selected["concept_id"]))
        if graph is None:
            for row in _frame(kg, "concept_links").itertuples(index=False):
                out.add_edge(str(row.source), str(row.target), weight=float(row.weight),
                             cooccurrences=int(getattr(row, "cooccurrences", 0)), kind="cooccurrence")
        else:
            links = _frame(kg, "concept_links")
            counts = {}
            if {"source", "target", "cooccurrences"} <= set(links.columns):
                counts = {(str(a), str(b)): c for a, b, c in
                          zip(links["source"], links["target"], links["cooccurrences"])}
            out.add_nodes_from((node, {"kind": "concept"}) for node in graph.nodes)
            for u, v, d in graph.edges(data=True):
                count = counts.get((str(u), str(v)), counts.get((str(v), str(u))))
                extra = {"cooccurrences": int(count)} if count is not None and "cooccurrences" not in d else {}
                out.add_edge(u, v, **{**d, **extra, "kind": "cooccurrence"})
        if "broader" in concepts:
            for cid, broader in zip(concepts["concept_id"].astype(str), concepts["broader"]):
                for parent in _split(broader):
                    if cid in out and parent in out and cid != parent:
                        data = out.get_edge_data(cid, parent) or {}
                        out.add_edge(cid, parent, **{**data, "kind": "broader", "narrower": cid})
        return out
    raise ValueError(f"view must be one of {', '.join(PAGES)}, not {name!r}")


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


def _edge_strength(data: dict) -> float:
    if data.get("kind") == "broader":
        return math.inf  # hierarchy edges are few and always kept
    value = _num(data.get("weight", 1.0))
    return float(value) if value is not None else 0.0


def _select(graph: nx.Graph, name: str, max_nodes: int, focus: set) -> tuple[list, list, list[str]]:
    """Nodes and edges to draw: everything, or the strongest ones above the limits."""
    n_nodes, n_edges = graph.number_of_nodes(), graph.number_of_edges()
    max_edges = EDGES_PER_NODE * max_nodes
    strength = dict(graph.degree(weight="weight")) if name == "papers" else {}
    degree = dict(graph.degree())

    def rank(node):
        return (node not in focus, -degree[node], -strength.get(node, 0.0), str(node))

    notes = []
    if n_nodes <= max_nodes:
        kept = sorted(graph.nodes, key=str)
    elif name == "graph":
        papers = sorted((v for v in graph if _kind(graph, v) == "paper"), key=rank)
        concepts = sorted((v for v in graph if _kind(graph, v) == "concept"), key=rank)
        n_concepts = min(len(concepts), max(round(max_nodes * len(concepts) / n_nodes), max_nodes // 4))
        n_papers = min(len(papers), max_nodes - n_concepts)
        n_concepts = min(len(concepts), max_nodes - n_papers)
        kept = sorted(papers[:n_papers] + concepts[:n_concepts], key=str)
        notes.append(f"Showing {n_papers:,} of {len(papers):,} papers and {n_concepts:,} of {len(concepts):,} "
                     "concepts (those with the most links).")
    else:
        kept = sorted(sorted(graph.nodes, key=rank)[:max_nodes], key=str)
        what = "papers" if name == "papers" else "concepts"
        notes.append(f"Showing {len(kept):,} of {n_nodes:,} {what} (those with the most links).")
    sub = graph.subgraph(kept)
    edges = [(u, v) if str(u) <= str(v) else (v, u) for u, v in sub.edges()]
    if len(edges) > max_edges:
        weights = {e: _edge_strength(sub.edges[e]) for e in edges}
        order = sorted(edges, key=lambda e: (-weights[e], str(e[0]), str(e[1])))
        chosen, touched = set(), set()
        for e in order:  # the strongest edge of every node first: nobody is left hanging
            if e[0] not in touched or e[1] not in touched:
                chosen.add(e)
                touched.update(e)
        for e in order:
            if len(chosen) >= max_edges:
                break
            chosen.add(e)
        edges = [e for e in order if e in chosen]
        notes.append(f"Showing the {len(edges):,} strongest of {len(sub.edges()):,} links between them.")
    edges.sort(key=lambda e: (str(e[0]), str(e[1])))
    if notes:
        notes.append(f"The full graph ({n_nodes:,} nodes, {n_edges:,} links) is in the GraphML, GEXF and CSV files.")
    return kept, edges, notes


def _communities(kg, graph: nx.Graph, name: str, seed: int) -> dict:
    """node -> community id (-1: none), from the analysis when it ran, else computed here.

    In the bipartite view papers keep their paper community and a concept takes the
    community of the papers that mention it most (weighted by mention score), so one
    colour means one group of papers and its vocabulary.
    """
    kind = {"graph": "paper", "papers": "paper", "concepts": "concept"}[name]
    key, table = ("paper_id", _frame(kg, "papers")) if kind == "paper" else ("concept_id", _frame(kg, "concepts"))
    from_table = dict(zip(table[key].astype(str), table["community"])) if {key, "community"} <= set(table) else {}
    members = [v for v in graph if _kind(graph, v) == kind]
    found = {}
    for node in members:
        value = graph.nodes[node].get("community", from_table.get(_raw_id(node)))
        if value is not None:
            found[node] = _int(value, default=-1)
    if members and not found:  # no analysis: compute communities (seeded) on the view's graph
        parts = nx.community.louvain_communities(graph, weight="weight", seed=seed) if graph.number_of_edges() \
            else [{v} for v in graph]
        parts = sorted(parts, key=lambda p: (-len(p), min(str(v) for v in p)))
        return {node: (i if len(part) > 1 else -1) for i, part in enumerate(parts) for node in part}
    community = {node: found.get(node, -1) for node in members}
    if name == "graph":
        for node in graph:
            if _kind(graph, node) != "concept":
                continue
            votes: dict[int, float] = {}
            for other, data in graph.adj[node].items():
                c = community.get(other, -1)
                if c >= 0:
                    w = _num(data.get("weight", 1.0)) or 0.0
                    votes[c] = votes.get(c, 0.0) + float(w) + 1e-9
            community[node] = min(votes, key=lambda c: (-votes[c], c)) if votes else -1
    return community


def _layout_graph(graph: nx.Graph, kept: list, edges: list, community: dict, pull: float) -> nx.Graph:
    """The drawn nodes and edges, weighted for the layout: links inside a community
    pull harder than links across (x pull / x 1/pull), so the colours form visible regions."""
    drawn = nx.Graph()
    drawn.add_nodes_from(kept)
    for u, v in edges:
        strength = _edge_strength(graph.edges[u, v])
        weight = strength if math.isfinite(strength) and strength > 0 else 1.0
        cu, cv = community.get(u, -1), community.get(v, -1)
        weight *= pull if cu == cv and cu >= 0 else 1.0 / pull
        drawn.add_edge(u, v, weight=weight)
    return drawn


def build_view(kg, name: str = "graph") -> View:
    """Select, lay out and colour what the ``name`` view draws.

    Parameters
    ----------
    kg : KnowledgeGraph
        Anything with the attributes of :class:`kgraph.pipeline.KnowledgeGraph`.
    name : {"graph", "papers", "concepts"}

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
    max_nodes = int(getattr(config, "max_html_nodes", 2000))
    if max_nodes < 1:
        raise ValueError("max_html_nodes must be at least 1")
    graph = _view_graph(kg, name)
    focus = {v for v, f in graph.nodes(data="focus") if f is True}
    if name == "concepts":
        concepts = _frame(kg, "concepts")
        if {"concept_id", "focus"} <= set(concepts.columns):
            focus |= set(concepts.loc[concepts["focus"].astype(bool), "concept_id"].astype(str)) & set(graph)
    kept, edges, notes = _select(graph, name, max_nodes, focus)
    community = _communities(kg, graph, name, seed)
    drawn = layout(_layout_graph(graph, kept, edges, community, COMMUNITY_PULL[name]), seed=seed)
    node_sizes = _node_sizes(graph, kept, focus, drawn)
    if kept:  # no two drawn nodes overlap, even zoomed in
        zoom = _fit_zoom(drawn.values())
        room = math.sqrt(FIT_WIDTH * FIT_HEIGHT / len(kept))
        xy = _spread(np.array([drawn[v] for v in kept]), min(4.0, room / 10) / zoom,
                     radii=np.array([node_sizes[v] for v in kept]))
        drawn = {v: (float(x), float(y)) for v, (x, y) in zip(kept, xy)}
    positions = _place_rest(graph, drawn, seed)
    sizes: dict[int, int] = {}
    for node in kept:
        c = community.setdefault(node, -1)
        sizes[c] = sizes.get(c, 0) + 1
    order = sorted(sizes, key=lambda c: (-sizes[c], c))
    order = [c for c in order if c >= 0] + [c for c in order if c < 0]
    rank = {c: (i if i < len(PALETTE) and c >= 0 else -1) for i, c in enumerate(order)}
    group = {node: rank.get(c, -1) for node, c in community.items()}
    communities = [{"group": rank[c], "community": int(c), "count": sizes[c]} for c in order]
    return View(name, graph, kept, edges, positions, community, group, communities, notes, focus, node_sizes)


# ----------------------------------------------------------------------------- page data
def _concept_labels(kg) -> dict[str, str]:
    concepts = _frame(kg, "concepts")
    if "concept_id" not in concepts:
        return {}
    labels = concepts["label"] if "label" in concepts else concepts["concept_id"]
    return {str(c): clean_text(lbl) or str(c) for c, lbl in zip(concepts["concept_id"], labels)}


def _community_names(kg, view: View, labels: dict[str, str]) -> dict[int, str]:
    """Name each community: the analysis' labels for paper communities, else its top concepts."""
    graph = view.graph
    table = getattr(kg, "communities", None)
    if view.name != "concepts" and isinstance(table, pd.DataFrame) and {"community", "label"} <= set(table):
        names = {_int(c): clean_text(lbl) for c, lbl in zip(table["community"], table["label"])}
        if any(names.values()):
            return {**names, -1: "no community"}
    names: dict[int, list[str]] = {}
    degree = graph.degree
    for node in sorted((v for v in view.nodes if _kind(graph, v) == "concept"), key=lambda v: (-degree[v], str(v))):
        found = names.setdefault(view.community.get(node, -1), [])
        if len(found) < 3:
            found.append(labels.get(_raw_id(node), _raw_id(node)))
    missing = {c["community"] for c in view.communities} - {c for c, v in names.items() if v}
    mentions = _frame(kg, "mentions")
    if missing and {"paper_id", "concept_id"} <= set(mentions.columns):
        member = {_raw_id(v): view.community[v] for v in view.nodes
                  if _kind(graph, v) == "paper" and view.community.get(v, -1) in missing}
        sub = mentions[mentions["paper_id"].astype(str).isin(member)]
        if len(sub):
            score = sub["score"] if "score" in sub else pd.Series(1.0, index=sub.index)
            frame = pd.DataFrame({"community": sub["paper_id"].astype(str).map(member),
                                  "concept_id": sub["concept_id"].astype(str), "score": score.astype(float)})
            totals = frame.groupby(["community", "concept_id"], sort=True)["score"].sum().reset_index()
            totals = totals.sort_values(["community", "score", "concept_id"], ascending=[True, False, True])
            for comm, part in totals.groupby("community", sort=True):
                names[int(comm)] = [labels.get(c, c) for c in part["concept_id"].head(3)]
    out = {c: ", ".join(v) for c, v in names.items() if v}
    out[-1] = "no community"
    return out


# the page opens fitted into the window right of the side panel (same numbers in explorer.js)
FIT_WIDTH, FIT_HEIGHT = 1400 - 330, 900 - 40


def _fit_zoom(points) -> float:
    """vis-network's zoom when the page opens fitted (as explorer.js does it)."""
    arr = np.array(list(points), dtype=float).reshape(-1, 2)
    if not len(arr):
        return 1.0
    width, height = np.ptp(arr, axis=0) + 60.0
    return float(min(1.0, FIT_WIDTH / width, FIT_HEIGHT / height))


def _shares(graph: nx.Graph, nodes: list) -> dict:
    """sqrt(degree / the largest degree of that kind): 0..1, for sizes."""
    degree = graph.degree
    top = {k: max([degree[v] for v in nodes if _kind(graph, v) == k] or [1]) or 1 for k in ("paper", "concept")}
    return {v: math.sqrt(degree[v] / top[_kind(graph, v)]) for v in nodes}


def _node_sizes(graph: nx.Graph, nodes: list, focus: set, positions: dict) -> dict:
    """Node radii in layout units: 3.5-8.5 px (papers) and 5-16 px (concepts) when the
    page opens, by degree, times 0.45-2 by the room each node has in the window;
    focus stars 1.3 times larger."""
    if not nodes:
        return {}
    zoom = _fit_zoom(positions[v] for v in nodes)
    # small graphs get bigger nodes, crowded ones smaller (by the room each node has on screen)
    room = math.sqrt(FIT_WIDTH * FIT_HEIGHT / len(nodes))
    grow = min(2.0, max(0.45, room / 45.0))
    sizes = {}
    for v, share in _shares(graph, nodes).items():
        px = (3.5 + 5.0 * share) if _kind(graph, v) == "paper" else (5.0 + 11.0 * share)
        sizes[v] = round(grow * px * (1.3 if v in focus else 1.0) / zoom, 2)
    return sizes


def _label_sizes(view: View, degree: dict, text: dict) -> tuple[dict, dict]:
    """Font sizes (layout units) so that, when the page opens fitted to the window,
    the labels of the most connected nodes read at 13-21 px and do not overlap, while
    the others stay hidden until one zooms in (vis-network skips labels under ~7 px).
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
    size = view.sizes or _node_sizes(graph, nodes, view.focus, view.positions)
    share = _shares(graph, nodes)
    font = {v: round(small_px / zoom, 1) for v in nodes}
    # big labels, most connected first (focus concepts count double), skipping any that would overlap
    candidates = [v for v in nodes if view.name != "graph" or _kind(graph, v) == "concept"]
    candidates.sort(key=lambda v: (-degree[v] * (2 if v in view.focus else 1), str(v)))
    placed: list[tuple[float, float, float, float]] = []
    n_big = int(min(16 if view.name == "papers" else 28, max(8, n / 12)))
    for v in candidates:
        if len(placed) >= n_big:
            break
        px = (12.0 + 4.0 * share[v]) if _kind(graph, v) == "paper" else (13.0 + 8.0 * share[v])
        label = text[v]
        w = 0.56 * px * min(len(label), 40) + 6.0
        h = px + 4.0
        x = xy[v][0] * zoom
        y = xy[v][1] * zoom + size[v] * zoom + h / 2  # vis-network draws the label under the shape
        box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        font[v] = round(px / zoom, 1)
    return font, size


def _page_data(kg, view: View) -> dict:
    graph = view.graph
    labels = _concept_labels(kg)
    paper_ids = [_raw_id(v) for v in view.nodes if _kind(graph, v) == "paper"]
    concept_ids = [_raw_id(v) for v in view.nodes if _kind(graph, v) == "concept"]
    papers = _rows_by_id(_frame(kg, "papers"), "paper_id", paper_ids)
    concepts = _rows_by_id(_frame(kg, "concepts"), "concept_id", concept_ids)
    top = _top_concepts(kg, paper_ids, labels)
    degree = dict(graph.degree(view.nodes))
    nodes, index = [], {}
    for i, node in enumerate(view.nodes):
        index[node] = i
        kind = _kind(graph, node)
        attrs = graph.nodes[node]
        rid = _raw_id(node)
        x, y = view.positions[node]
        item: dict[str, Any] = {
            "id": clean_text(node), "kind": kind, "group": view.group.get(node, -1),
            "community": int(view.community.get(node, -1)), "degree": degree[node],
            "focus": node in view.focus, "x": round(x, 1), "y": round(y, 1),
        }
        if kind == "paper":
            row = papers.get(rid, {})
            title = clean_text(row.get("title", attrs.get("title", ""))) or rid
            year = _int(row.get("year", attrs.get("year")), default=-1)
            item.update(
                label=_shorten(title, 38),
                info={"title": title, "year": year if year > 0 else None,
                      "concepts": top.get(rid) or _split(attrs.get("top_concepts", ""))[:6],
                      "sentence": first_sentence(row.get("abstract", "")),
                      "authors": _shorten(clean_text(row.get("authors", "")), 160),
                      "url": _safe_url(row.get("url", "")) or _doi_url(row.get("doi", "")),
                      "doi": clean_text(row.get("doi", ""))})
        else:
            row = concepts.get(rid, {})
            label = clean_text(row.get("label", attrs.get("label", ""))) or labels.get(rid, rid)
            item.update(
                label=label,
                info={"label": label, "aliases": _split(row.get("aliases", attrs.get("aliases", "")))[:8],
                      "papers": _int(row.get("doc_freq", attrs.get("doc_freq")), default=-1),
                      "broader": [labels.get(b, b) for b in _split(row.get("broader", ""))][:8]})
        nodes.append(item)
    font_px, size_px = _label_sizes(view, degree, {node: item["label"] for node, item in zip(view.nodes, nodes)})
    for node, item in zip(view.nodes, nodes):
        item.update(font=font_px[node], size=size_px[node])
    edges = []
    for u, v in view.edges:
        data = graph.edges[u, v]
        kind = data.get("kind") or ("mention" if view.name == "graph" else "link")
        weight = _num(data.get("weight", 1.0), 4)
        if kind == "mention":
            extra = _int(data.get("rank"), default=0)
        elif kind == "link":
            extra = _split(data.get("shared", ""))
            extra = [labels.get(c, c) for c in extra][:8]
        elif kind == "cooccurrence":
            extra = _int(data.get("cooccurrences"), default=0)
        else:  # broader: 0 when the first end is the narrower concept, else 1
            extra = 0 if clean_text(data.get("narrower", _raw_id(u))) == _raw_id(u) else 1
        edges.append([index[u], index[v], weight if weight is not None else 0, EDGE_KINDS.get(kind, 2), extra])
    names = _community_names(kg, view, labels)
    legend = [{"group": c["group"], "community": c["community"], "count": c["count"],
               "color": PALETTE[c["group"]] if c["group"] >= 0 else OTHER_COLOR,
               "name": names.get(c["community"], "")} for c in view.communities]
    return {"view": view.name, "title": VIEW_TITLES[view.name], "nodes": nodes, "edges": edges,
            "communities": legend, "palette": list(PALETTE), "other": OTHER_COLOR, "notes": view.notes,
            "pages": {k: VIEW_FILES[k] for k in PAGES}, "total": {"nodes": view.graph.number_of_nodes(),
                                                                  "edges": view.graph.number_of_edges()}}


def _top_concepts(kg, paper_ids: list[str], labels: dict[str, str], limit: int = 6) -> dict[str, list[str]]:
    mentions = _frame(kg, "mentions")
    if mentions.empty or not {"paper_id", "concept_id"} <= set(mentions.columns):
        return {}
    sub = mentions[mentions["paper_id"].astype(str).isin(set(paper_ids))]
    if "rank" in sub:
        sub = sub.sort_values(["paper_id", "rank", "concept_id"], kind="stable")
    out: dict[str, list[str]] = {}
    for pid, cid in zip(sub["paper_id"].astype(str), sub["concept_id"].astype(str)):
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


def _vis_asset(suffix: str) -> str:
    lib = resources.files("pyvis") / "templates" / "lib"
    for version in ("vis-9.1.2", "vis-9.0.4"):
        path = lib / version / f"vis-network{suffix}"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"vis-network{suffix} not found in the installed pyvis package ({lib})")


def _csp(scripts: list[str]) -> str:
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
                      for s in scripts)
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
            "font-src data:; base-uri 'none'; form-action 'none'")


def _fill(template: str, values: dict[str, str]) -> str:
    # one pass, so a value can never be mistaken for a placeholder
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], template)


def render_view(kg, view: View) -> str:
    """The HTML page (a string) of a view built by :func:`build_view`."""
    data = _page_data(kg, view)
    app = _template("explorer.js")
    vis_js = _vis_asset(".min.js")
    return _fill(_template("explorer.html"), {
        "CSP": html.escape(_csp([vis_js, app]), quote=False),
        "TITLE": html.escape(f"kgraph: {VIEW_TITLES[view.name]}"),
        "VIS_CSS": _vis_asset(".css"),
        "CSS": _template("explorer.css"),
        "DATA": script_json(data),
        "VIS_JS": vis_js,
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
                f"<td>{_int(row.get('doc_freq'), 0):,}</td><td>{esc('' if score is None else f'{score:g}')}</td></tr>")
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
    """:func:`build_view` for every view, in a dict keyed by view name."""
    return {name: build_view(kg, name) for name in VIEWS}


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


def write_html(kg, out_dir, views: dict[str, View] | None = None, data_files: list[str] = ()) -> list[Path]:
    """Write graph.html, papers.html, concepts.html and index.html into ``out_dir``.

    Parameters
    ----------
    kg : KnowledgeGraph
    out_dir : path
        Created if missing. Files are written in place; :func:`kgraph.export.write_outputs`
        is the atomic, all-files variant.
    views : dict, optional
        Views already built with :func:`build_views` (to reuse their layout).
    data_files : list of str
        Other files of the output folder to link from index.html.

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
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    views = views or build_views(kg)
    written = Written()
    for name in VIEWS:
        path = out / VIEW_FILES[name]
        path.write_text(render_view(kg, views[name]), encoding="utf-8", newline="\n")
        written.append(path)
        written.notes.extend(f"{VIEW_FILES[name]}: {note}" for note in views[name].notes[:-1])
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
