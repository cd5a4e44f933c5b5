"""Write every output of a build into one folder, atomically and deterministically.

Files (see :data:`OUTPUT_FILES`): the HTML views and summary page
(:mod:`kgraph.explorer`), the bipartite graph as GraphML, GEXF (with colours,
sizes and positions for Gephi) and node-link JSON, the five tables as CSV,
``summary.json``, and ``kgraph.pkl`` (the whole build, for
``KnowledgeGraph.load`` and ``kgraph related``/``explain``).

- Atomic: everything is written into a hidden sibling folder which then replaces
  the output folder (old folder renamed away, new one renamed in, old one
  deleted), so an interrupted build never leaves a half-written file or a mix of
  old and new files. Files in the folder that kgraph did not write are kept.
- Safe: a hidden marker file (``.kgraph``) identifies folders kgraph made; an
  existing non-empty folder without it is refused unless ``force=True``, and even
  then only files with kgraph's names are replaced.
- Deterministic: the same graph gives byte-identical files (rows, nodes and edges
  sorted, floats rounded to 6 significant digits, no dates); ``kgraph.pkl`` is a
  Python pickle and is not promised to be. Timings are not
  written to any file; ``kg.timings`` holds them and the CLI prints them.

Examples
--------
>>> import kgraph                                        # doctest: +SKIP
>>> kg = kgraph.build()                                  # doctest: +SKIP
>>> paths = kgraph.export.write_outputs(kg, "outputs")   # doctest: +SKIP
>>> paths.notes                                          # what the HTML left out  # doctest: +SKIP
[]
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from . import __version__
from .errors import OutputError
from .explorer import _SURROGATE, VIEW_FILES, View, Written, build_views, clean_text, write_html

MARKER = ".kgraph"
GRAPH_FILES = ["graph.graphml", "graph.gexf", "graph.json"]
TABLE_FILES = ["papers.csv", "concepts.csv", "mentions.csv", "paper_links.csv", "concept_links.csv"]
HTML_FILES = [VIEW_FILES[k] for k in ("graph", "papers", "concepts", "index")]
SAVE_FILE = "kgraph.pkl"  # the whole build, for KnowledgeGraph.load and `kgraph related/explain`
OUTPUT_FILES = HTML_FILES + GRAPH_FILES + TABLE_FILES + ["summary.json", SAVE_FILE]

# the contract columns of each table, written first and in this order (other columns follow)
TABLE_COLUMNS = {
    "papers": ["paper_id", "title", "abstract", "year", "authors", "doi", "url", "source"],
    "concepts": ["concept_id", "label", "aliases", "doc_freq", "term_freq", "score", "idf", "broader",
                 "selected", "focus"],
    "mentions": ["paper_id", "concept_id", "label", "count", "in_title", "first_position", "score", "rank",
                 "surface_forms"],
    "paper_links": ["source", "target", "weight", "shared", "n_shared"],
    "concept_links": ["source", "target", "weight", "cooccurrences"],
}
TABLE_ORDER = {
    "papers": ["paper_id"],
    "concepts": ["concept_id"],
    "mentions": ["paper_id", "rank", "concept_id"],
    "paper_links": ["source", "target"],
    "concept_links": ["source", "target"],
}
# attribute names the GEXF writer treats specially (renamed with a trailing "_")
_GEXF_RESERVED = {"node": {"id", "pid", "start", "end", "viz", "parents", "slices", "spells"},
                  "edge": {"id", "label", "type", "start", "end", "slices", "spells"}}


# ----------------------------------------------------------------------------- output folder
def is_kgraph_dir(path) -> bool:
    """True when ``path`` is a folder kgraph wrote (it holds the ``.kgraph`` marker)."""
    marker = Path(path) / MARKER
    try:
        return marker.is_file() and marker.read_text(encoding="utf-8").lstrip().startswith("{")
    except OSError:
        return False


def check_output_dir(out_dir, force: bool = False) -> None:
    """Raise :class:`~kgraph.errors.OutputError` unless kgraph may write into ``out_dir``.

    A missing or empty folder, or one kgraph made, is fine; any other existing
    folder needs ``force=True``; a file in the way is always refused.

    Examples
    --------
    >>> check_output_dir("outputs")                    # doctest: +SKIP
    """
    out = Path(out_dir)
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError("exists and is not a folder", file=str(out))
    if force or is_kgraph_dir(out) or not any(out.iterdir()):
        return
    raise OutputError("exists and was not made by kgraph; use --force (only files with kgraph's names "
                      "are replaced)", file=str(out))


def _previous_files(out: Path) -> set[str]:
    try:
        return set(json.loads((out / MARKER).read_text(encoding="utf-8")).get("files", []))
    except (OSError, ValueError, AttributeError):
        return set()


def _write_in_place(out: Path) -> bool:
    """Renaming the folder itself is impossible or unkind: a symlink, a mount point, or
    the current directory (or one of its parents)."""
    if out.is_symlink() or os.path.ismount(out):
        return True
    try:
        Path.cwd().resolve().relative_to(out.resolve())
        return True
    except ValueError:
        return False


def write_outputs(kg, out_dir, force: bool = False) -> list[Path]:
    """Write every output file of ``kg`` into ``out_dir``, atomically.

    Parameters
    ----------
    kg : KnowledgeGraph
    out_dir : path
        Created if missing (with its parents).
    force : bool
        Write into an existing non-empty folder that kgraph did not make (only
        files with kgraph's names are replaced; others are kept).

    Returns
    -------
    list of Path
        The files written, in :data:`OUTPUT_FILES` order (``kgraph.pkl`` only for a real
        :class:`~kgraph.pipeline.KnowledgeGraph`). Its attribute ``notes``
        says what the HTML views left out (for the CLI to print).

    Raises
    ------
    OutputError
        ``out_dir`` is a file, or a folder kgraph did not make and ``force`` is False.

    Examples
    --------
    >>> paths = write_outputs(kg, "outputs")            # doctest: +SKIP
    >>> sorted(p.name for p in paths)[:3]               # doctest: +SKIP
    ['concept_links.csv', 'concepts.csv', 'concepts.html']
    """
    out = Path(out_dir).absolute()
    check_output_dir(out, force=force)
    in_place = out.exists() and _write_in_place(out)
    staging_parent = out if in_place else out.parent
    staging_parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.kgraph-new-", dir=staging_parent))
    try:
        names, notes = write_files(kg, staging)
        if in_place:
            _replace_files(staging, out, names)
        else:
            _swap_folder(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    written = Written(out / name for name in names)
    written.notes = notes
    return written


def write_files(kg, folder) -> tuple[list[str], list[str]]:
    """Write every output file (and the marker) into an existing ``folder``; no swapping.

    Returns the names of the files written and the notes on what the HTML views left out.
    """
    folder = Path(folder)
    saves = callable(getattr(kg, "save", None))  # a KnowledgeGraph (not a look-alike) saves itself
    names = [name for name in OUTPUT_FILES if saves or name != SAVE_FILE]
    views = build_views(kg)
    write_tables(kg, folder)
    graph = plain_graph(kg.graph)
    write_graphml(graph, folder / "graph.graphml")
    write_gexf(graph, folder / "graph.gexf", view=views["graph"])
    write_json(graph, folder / "graph.json")
    html = write_html(kg, folder, views=views, data_files=GRAPH_FILES + TABLE_FILES + ["summary.json"])
    write_summary(kg, folder / "summary.json", notes=html.notes, outputs=names)
    if saves:
        kg.save(folder / SAVE_FILE)
    (folder / MARKER).write_text(json.dumps({"kgraph": __version__, "files": names}, indent=1) + "\n",
                                 encoding="utf-8")
    return names, html.notes


def _swap_folder(staging: Path, out: Path) -> None:
    """Put ``staging`` in the place of ``out``, carrying over files kgraph did not write."""
    if not out.exists():
        os.rename(staging, out)
        return
    ours = _previous_files(out) | set(os.listdir(staging))
    keep = sorted(name for name in os.listdir(out) if name not in ours)
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.kgraph-old-", dir=out.parent))
    os.rmdir(old)  # we only wanted a free name next to `out`
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(old, out)  # put the previous outputs back
        raise
    for name in keep:  # the user's own files
        os.rename(old / name, out / name)
    shutil.rmtree(old, ignore_errors=True)


def _replace_files(staging: Path, out: Path, names: list[str]) -> None:
    """Replace kgraph's files one by one (each atomically), marker last."""
    stale = _previous_files(out) - set(names) - {MARKER}
    (out / MARKER).unlink(missing_ok=True)  # a half-replaced folder is not a finished kgraph build
    for name in names:
        os.replace(staging / name, out / name)
    for name in stale:
        if "/" not in name and name not in ("", ".", ".."):
            (out / name).unlink(missing_ok=True)
    os.replace(staging / MARKER, out / MARKER)


# ----------------------------------------------------------------------------- tables
def _csv_value(value: Any) -> Any:
    if isinstance(value, str):  # CSV keeps every character UTF-8 can encode, except:
        # lone surrogates (U+FFFD instead), and a bare CR, which the csv writer leaves unquoted (its
        # line terminator is "\n") while readers end the row there: line breaks become "\n", as in XML
        return _SURROGATE.sub("\ufffd", value).replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def table_for_csv(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` with the contract columns first and rows in a stable order."""
    frame = frame.copy()
    first = [c for c in TABLE_COLUMNS.get(name, []) if c in frame.columns]
    frame = frame[first + [c for c in frame.columns if c not in first]]
    order = [c for c in TABLE_ORDER.get(name, []) if c in frame.columns]
    if order:
        frame = frame.sort_values(order, kind="stable").reset_index(drop=True)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(_csv_value)
    return frame


def write_tables(kg, folder) -> list[Path]:
    """Write papers.csv, concepts.csv, mentions.csv, paper_links.csv and concept_links.csv.

    UTF-8, header row, contract columns first; floats with 6 significant digits,
    missing values as empty fields. Read them back with
    ``pd.read_csv(path, keep_default_na=False)``.
    """
    folder = Path(folder)
    paths = []
    for name in TABLE_COLUMNS:
        frame = getattr(kg, name, None)
        if not isinstance(frame, pd.DataFrame):
            frame = pd.DataFrame(columns=TABLE_COLUMNS[name])
        path = folder / f"{name}.csv"
        table_for_csv(frame, name).to_csv(path, index=False, encoding="utf-8", float_format="%.6g",
                                          lineterminator="\n")
        paths.append(path)
    return paths


# ----------------------------------------------------------------------------- graphs
def _plain_value(value: Any) -> Any:
    """str/int/float/bool, or None for a value to leave out (None, NaN, NA)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        return float(f"{x:.6g}") if math.isfinite(x) else None
    if isinstance(value, (list, tuple, set)):
        items = sorted(value, key=str) if isinstance(value, set) else value
        return clean_text("; ".join(str(v) for v in items))
    return clean_text(value)


def _typed(records: list[dict]) -> None:
    """Give each attribute one type across all records (in place): bool, int, float or str."""
    kinds: dict[str, set] = {}
    for attrs in records:
        for key, value in attrs.items():
            kinds.setdefault(key, set()).add(type(value))
    for key, types in kinds.items():
        if len(types) == 1:
            continue
        if types <= {int, float}:
            cast = float
        else:
            cast = str
        for attrs in records:
            if key in attrs:
                attrs[key] = cast(attrs[key])


def plain_graph(graph: nx.Graph) -> nx.Graph:
    """A copy of ``graph`` that GraphML, GEXF and JSON writers accept and that writes
    the same bytes every time.

    Node ids become clean strings; attribute values become str/int/float/bool
    (lists joined with ``"; "``, floats rounded to 6 significant digits, missing
    values dropped, XML-forbidden characters removed), each attribute with one type;
    nodes and edges are sorted. Paper nodes get a ``label`` (their title) so Gephi
    and Cytoscape show it.

    Examples
    --------
    >>> G = nx.Graph([("b", "a")]); G.nodes["a"]["tags"] = ["x", "y"]
    >>> H = plain_graph(G)
    >>> list(H.nodes), H.nodes["a"]["tags"]
    (['a', 'b'], 'x; y')
    """
    ids = {node: clean_text(node) for node in graph.nodes}
    if len(set(ids.values())) < len(ids):
        raise ValueError("node ids collide once XML-forbidden characters are removed")
    nodes = sorted(graph.nodes, key=lambda v: ids[v])
    node_attrs = []
    for node in nodes:
        attrs = {str(k): _plain_value(v) for k, v in sorted(graph.nodes[node].items(), key=lambda kv: str(kv[0]))}
        attrs = {k: v for k, v in attrs.items() if v is not None}
        if "label" not in attrs and attrs.get("kind") == "paper" and attrs.get("title"):
            attrs["label"] = attrs["title"]
        node_attrs.append(attrs)
    edges = []
    for u, v, data in graph.edges(data=True):
        a, b = sorted((ids[u], ids[v]))
        attrs = {str(k): _plain_value(x) for k, x in sorted(data.items(), key=lambda kv: str(kv[0]))}
        edges.append((a, b, {k: x for k, x in attrs.items() if x is not None}))
    edges.sort(key=lambda e: (e[0], e[1]))
    _typed(node_attrs)
    _typed([e[2] for e in edges])
    out = nx.Graph()
    out.add_nodes_from((ids[node], attrs) for node, attrs in zip(nodes, node_attrs))
    out.add_edges_from(edges)
    return out


def write_graphml(graph: nx.Graph, path) -> Path:
    """Write a :func:`plain_graph` as GraphML (typed keys, UTF-8)."""
    nx.write_graphml(graph, path, encoding="utf-8", prettyprint=True)
    return Path(path)


def _rgb(hex_color: str) -> dict:
    value = int(hex_color.lstrip("#"), 16)
    return {"r": (value >> 16) & 255, "g": (value >> 8) & 255, "b": value & 255, "a": 1.0}


def write_gexf(graph: nx.Graph, path, view: View | None = None) -> Path:
    """Write a :func:`plain_graph` as GEXF 1.2 for Gephi.

    With ``view`` (the explorer's bipartite view) every node carries ``viz``
    colour (its community's colour in the HTML), size (by degree) and position
    (the HTML's layout, y pointing up as in Gephi). No date is written, so the
    file is the same on every run.
    """
    from networkx.readwrite.gexf import GEXFWriter

    data_graph = nx.Graph()
    degree = dict(graph.degree())
    top = max(degree.values(), default=1) or 1
    ids = {}
    if view is not None:
        ids = {clean_text(node): node for node in view.positions}
    for node, attrs in graph.nodes(data=True):
        attrs = {(k + "_" if k in _GEXF_RESERVED["node"] else k): v for k, v in attrs.items()}
        if view is not None and node in ids:
            x, y = view.positions[ids[node]]
            attrs["viz"] = {"color": _rgb(view.color(ids[node])),
                            "size": round(4.0 + 16.0 * math.sqrt(degree[node] / top), 3),
                            "position": {"x": round(x, 2), "y": round(-y, 2), "z": 0.0}}
        data_graph.add_node(node, **attrs)
    for u, v, attrs in graph.edges(data=True):
        data_graph.add_edge(u, v, **{(k + "_" if k in _GEXF_RESERVED["edge"] else k): x for k, x in attrs.items()})
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)  # a date would make every build's file differ
        creator = meta.find("creator")
        if creator is not None:
            creator.text = f"kgraph {__version__} (NetworkX {nx.__version__})"
    writer.add_graph(data_graph)
    with open(path, "wb") as fh:
        writer.write(fh)
    return Path(path)


def write_json(graph: nx.Graph, path) -> Path:
    """Write a :func:`plain_graph` as networkx node-link JSON (``nodes`` and ``edges``).

    Read it back with ``nx.node_link_graph(json.load(f), edges="edges")``.
    """
    data = nx.node_link_data(graph, edges="edges")
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False)
        fh.write("\n")
    return Path(path)


# ----------------------------------------------------------------------------- summary
def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        items = sorted(value, key=str) if isinstance(value, set) else value
        return [_json_safe(v) for v in items]
    if isinstance(value, Path):
        return str(value)
    return _plain_value(value)


def write_summary(kg, path, notes: list[str] = (), outputs: list[str] = OUTPUT_FILES) -> Path:
    """Write ``summary.json``: ``kg.summary`` (without timings) plus the output files
    and what the HTML left out."""
    summary = dict(getattr(kg, "summary", None) or {})
    summary.pop("timings", None)  # timings change every run: the terminal shows them, no file holds them
    summary["outputs"] = list(outputs)
    summary["html_notes"] = list(notes)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(_json_safe(summary), fh, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False)
        fh.write("\n")
    return Path(path)
