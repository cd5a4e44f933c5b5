"""Write every output of a build into one folder, atomically and deterministically.

Files (see :data:`OUTPUT_FILES`): the HTML views and summary page
(:mod:`kgraph.explorer`), the trends page (:mod:`kgraph.trendspage`), the bipartite
graph as GraphML, GEXF (with colours, sizes and positions for Gephi) and node-link
JSON, the two projections (papers linked by shared concepts, concepts by
co-occurrence) as GraphML and GEXF, the seven tables as CSV, ``summary.json``, and
``kgraph-build/`` (the whole build, :mod:`kgraph.store`, for ``KnowledgeGraph.load``
and ``kgraph related``/``explain``).

- Atomic: everything is written into a hidden sibling folder which then replaces
  the output folder (old folder renamed away, new one renamed in, old one
  deleted), so an interrupted build never leaves a half-written file or a mix of
  old and new files. Files in the folder that kgraph did not write are kept.
- Safe: a hidden marker file (``.kgraph``) identifies folders kgraph made; an
  existing non-empty folder without it is refused unless ``force=True``, and even
  then only files with kgraph's names are replaced.
- Deterministic: the same graph gives byte-identical files (rows, nodes and edges
  sorted, floats rounded to 6 significant digits, no dates), and the saved build
  the same bytes for the same build. Timings are not
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

import csv
import json
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from . import __version__
from ._outdir import MARKER, SUMMARY_NAME, check_output_dir, is_kgraph_dir  # noqa: F401 (public here too)
from .errors import OutputError
from .explorer import (_SURROGATE, VIEW_FILES, View, Written, _edge_lists, _round6, build_views, clean_text,
                       write_html)
from .sources import PAPER_COLUMNS
from .trendspage import TRENDS_FILE, write_trends_page

GRAPH_FILES = ["graph.graphml", "graph.gexf", "graph.json"]
#: The projections as graph files: (graph attribute, table, id column, node attributes from the table).
PROJECTIONS = {
    "paper_graph": ("papers", "paper_id", {"label": "title", "year": "year", "community": "community",
                                           "community_label": "community_label", "degree": "degree",
                                           "pagerank": "pagerank", "betweenness": "betweenness"}),
    "concept_graph": ("concepts", "concept_id", {"label": "label", "doc_freq": "doc_freq", "reach": "reach",
                                                 "specificity": "specificity", "community": "community", "degree": "degree",
                                                 "pagerank": "pagerank", "betweenness": "betweenness",
                                                 "first_year": "first_year", "mean_year": "mean_year",
                                                 "growth": "growth"}),
}
PROJECTION_FILES = [f"{name}.{ext}" for name in PROJECTIONS for ext in ("graphml", "gexf")]
TABLE_FILES = ["papers.csv", "concepts.csv", "mentions.csv", "paper_links.csv", "concept_links.csv",
               "communities.csv", "concept_years.csv"]
HTML_FILES = [VIEW_FILES[k] for k in ("graph", "papers", "concepts", "index")] + [TRENDS_FILE]
from .store import SAVE_FOLDER as SAVE_FILE  # the whole build, for KnowledgeGraph.load and `kgraph related`
OUTPUT_FILES = HTML_FILES + GRAPH_FILES + PROJECTION_FILES + TABLE_FILES + [SUMMARY_NAME, SAVE_FILE]

# the contract columns of each table, written first and in this order (other columns follow)
TABLE_COLUMNS = {
    "papers": PAPER_COLUMNS,
    "concepts": ["concept_id", "label", "aliases", "doc_freq", "term_freq", "score", "idf", "specificity",
                 "broader", "selected", "focus"],
    "mentions": ["paper_id", "concept_id", "label", "count", "in_title", "first_position", "score", "rank",
                 "surface_forms"],
    "paper_links": ["source", "target", "weight", "shared", "n_shared"],
    "concept_links": ["source", "target", "weight", "cooccurrences"],
    "communities": ["community", "size", "label", "top_concepts", "median_year", "growth"],
    "concept_years": ["concept_id", "year", "papers"],
}
TABLE_ORDER = {
    "papers": ["paper_id"],
    "concepts": ["concept_id"],
    "mentions": ["paper_id", "rank", "concept_id"],
    "paper_links": ["source", "target"],
    "concept_links": ["source", "target"],
    "communities": ["community"],
    "concept_years": ["concept_id", "year"],
}
_CHUNK = 50_000  # rows of a table or graph file assembled and written at a time
_NONE = type(None)
# attribute names the GEXF writer treats specially (renamed with a trailing "_")
_GEXF_RESERVED = {"node": {"id", "pid", "start", "end", "viz", "parents", "slices", "spells"},
                  "edge": {"id", "label", "type", "start", "end", "slices", "spells"}}


# ----------------------------------------------------------------------------- output folder
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
        The files written, in :data:`OUTPUT_FILES` order (``kgraph-build`` only for a real
        :class:`~kgraph.pipeline.KnowledgeGraph`). Its attribute ``notes``
        says what the HTML views left out (for the CLI to print).

    Raises
    ------
    OutputError
        ``out_dir`` is a file, or a folder kgraph did not make and ``force`` is False,
        or a file cannot be written (a full disk): the previous outputs stay as they were.

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
    staging = None
    try:
        staging_parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(staging_parent, out.name)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.kgraph-new-{os.getpid()}-", dir=staging_parent))
        names, notes = write_files(kg, staging)
        if in_place:
            _replace_files(staging, out, names)
        else:
            _swap_folder(staging, out)
    except OSError as exc:  # a full disk (ENOSPC, EDQUOT), no permission...: one line, nothing swapped in
        raise OutputError(f"cannot write the outputs ({exc.strerror or exc}); the previous outputs, if any, "
                          "are untouched", file=str(out)) from exc
    finally:
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    written = Written(out / name for name in names)
    written.notes = notes
    return written


def remove_stale_staging(parent, name: str, max_age: float = 3600.0) -> list[Path]:
    """Remove the hidden working folders that an interrupted build left in ``parent``.

    A build writes into ``.<name>.kgraph-new-<pid>-<random>`` next to the output
    folder ``<name>`` (and briefly renames the previous outputs to
    ``.<name>.kgraph-old-<pid>-<random>``); a killed build leaves them behind. One
    is stale when the process that made it is gone, or when it is older than
    ``max_age`` seconds and names no process (older kgraph versions) or more than a
    day old (the process id may have been reused). Only folders that hold nothing but
    files with kgraph's output names are removed: one holding anything else (a
    previous output folder with the user's files in it) is left alone.

    Returns
    -------
    list of Path
        The folders removed.

    Examples
    --------
    >>> remove_stale_staging(".", "outputs")            # doctest: +SKIP
    []
    """
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    now = time.time()
    prefixes = (f".{name}.kgraph-new-", f".{name}.kgraph-old-")  # the same length
    for entry in entries:
        if not entry.name.startswith(prefixes):
            continue
        head, dash, _ = entry.name[len(prefixes[0]):].partition("-")  # "<pid>-<random>"; older: "<random>"
        pid = int(head) if dash and head.isdigit() else None
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
            if pid is None:
                stale = age > max_age
            else:
                stale = (pid != os.getpid() and not _process_alive(pid)) or age > max(max_age, 86400.0)
            if not stale or not _only_our_files(Path(entry.path)):
                continue
            shutil.rmtree(entry.path)
        except OSError:
            continue  # gone meanwhile, or not ours to remove
        removed.append(Path(entry.path))
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's) or cannot tell: keep
    return True


def _only_our_files(folder: Path) -> bool:
    """True when ``folder`` holds only regular files named like kgraph's outputs (or their .tmp)."""
    ours = set(OUTPUT_FILES) | {MARKER}
    for entry in os.scandir(folder):
        stem = entry.name[:-4] if entry.name.endswith(".tmp") else entry.name
        if stem not in ours or not (entry.is_file(follow_symlinks=False)
                                    or stem == SAVE_FILE and entry.is_dir(follow_symlinks=False)):
            return False
    return True


def write_files(kg, folder) -> tuple[list[str], list[str]]:
    """Write every output file (and the marker) into an existing ``folder``; no swapping.

    Returns the names of the files written and the notes on what the HTML views left out.
    """
    folder = Path(folder)
    saves = callable(getattr(kg, "save", None))  # a KnowledgeGraph (not a look-alike) saves itself
    names = [name for name in OUTPUT_FILES if saves or name != SAVE_FILE]
    views = build_views(kg)  # the GEXF takes the graph view's colours and positions
    notes = write_html(kg, folder, views=views, data_files=GRAPH_FILES + PROJECTION_FILES
                       + TABLE_FILES + [SUMMARY_NAME]).notes
    write_trends_page(kg, folder / TRENDS_FILE)
    write_tables(kg, folder)
    graph = GraphColumns.from_graph(kg.graph)  # cleaned and typed once for the three graph files
    write_graphml(graph, folder / "graph.graphml")
    write_gexf(graph, folder / "graph.gexf", view=views["graph"])
    write_json(graph, folder / "graph.json")
    for name, view in (("paper_graph", "papers"), ("concept_graph", "concepts")):
        projection = projection_columns(kg, name)
        write_graphml(projection, folder / f"{name}.graphml")
        write_gexf(projection, folder / f"{name}.gexf", view=views[view])  # the view's colours and positions
    if saves:
        kg.save(folder)
    write_summary(kg, folder / SUMMARY_NAME, notes=notes, outputs=names)
    (folder / MARKER).write_text(json.dumps({"kgraph": __version__, "files": names}, indent=1) + "\n",
                                 encoding="utf-8")
    return names, notes


def _swap_folder(staging: Path, out: Path) -> None:
    """Put ``staging`` in the place of ``out``, carrying over files kgraph did not write."""
    if not out.exists():
        os.rename(staging, out)
        return
    ours = _previous_files(out) | set(os.listdir(staging))
    keep = sorted(name for name in os.listdir(out) if name not in ours)
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.kgraph-old-{os.getpid()}-", dir=out.parent))
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
        if name == SAVE_FILE and (out / name).is_dir() and not (out / name).is_symlink():
            shutil.rmtree(out / name)  # a folder is not replaced by a rename
        os.replace(staging / name, out / name)
    for name in stale:
        if "/" not in name and name not in ("", ".", ".."):
            (out / name).unlink(missing_ok=True)
    os.replace(staging / MARKER, out / MARKER)


# ----------------------------------------------------------------------------- tables
def _csv_value(value: Any) -> Any:
    """A cell as CSV carries it: lists joined with "; ", dicts as JSON; in text, lone surrogates
    (which UTF-8 cannot encode) become U+FFFD and line breaks "\n" (a bare CR, left unquoted by
    the csv module when rows end in "\n", would end the row for a reader)."""
    if isinstance(value, (list, tuple, set)):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    elif not isinstance(value, str):
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not value.isascii() and _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return value


def _csv_cells(column: pd.Series) -> list:
    """The cells of one column for the csv module: floats with 6 significant digits, missing values
    None (an empty field), text as :func:`_csv_value` makes it."""
    if pd.api.types.is_float_dtype(column.dtype):
        return [None if x != x else "%.6g" % x for x in column.to_numpy(dtype=np.float64, na_value=np.nan).tolist()]
    values = column.to_numpy(dtype=object, na_value=None).tolist()
    if pd.api.types.is_numeric_dtype(column.dtype):
        return values
    if set(map(type, values)) <= {str, _NONE}:  # plain text (the rule): change nothing unless some need it
        text = "".join(v for v in values if v is not None)
        if "\r" not in text and (text.isascii() or not _SURROGATE.search(text)):
            return values
    return list(map(_csv_value, values))


def table_for_csv(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` with the contract columns first and rows in a stable order."""
    first = [c for c in TABLE_COLUMNS.get(name, []) if c in frame.columns]
    frame = frame[first + [c for c in frame.columns if c not in first]]
    order = [c for c in TABLE_ORDER.get(name, []) if c in frame.columns]
    if order:
        frame = frame.sort_values(order, kind="stable")
    return frame.reset_index(drop=True)


def write_tables(kg, folder, names: Iterable[str] | None = None) -> list[Path]:
    """Write papers.csv, concepts.csv, mentions.csv, paper_links.csv, concept_links.csv,
    communities.csv and concept_years.csv (or only the tables ``names``).

    UTF-8, header row, contract columns first; floats with 6 significant digits,
    missing values as empty fields. Read them back with ids as text (``0712.3825`` is not a number):
    ``pd.read_csv(path, keep_default_na=False, dtype={c: str for c in ("paper_id", "concept_id", "source", "target")})``.
    """
    folder = Path(folder)
    names = list(TABLE_COLUMNS if names is None else names)
    unknown = [name for name in names if name not in TABLE_COLUMNS]
    if unknown:
        raise ValueError(f"names must be among {', '.join(TABLE_COLUMNS)}, not {', '.join(map(repr, unknown))}")
    paths = []
    for name in names:
        frame = getattr(kg, name, None)
        if not isinstance(frame, pd.DataFrame):
            frame = pd.DataFrame(columns=TABLE_COLUMNS[name])
        frame = table_for_csv(frame, name)
        path = folder / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")  # QUOTE_MINIMAL
            writer.writerow(_csv_value(str(c)) for c in frame.columns)
            for start in range(0, len(frame), _CHUNK):  # bounded memory on millions of rows
                part = frame.iloc[start:start + _CHUNK]
                writer.writerows(zip(*(_csv_cells(part[c]) for c in part.columns)))
        paths.append(path)
    return paths


# ----------------------------------------------------------------------------- graphs
# The three graph files are written from one columnar copy of the graph (GraphColumns): each
# attribute is a list of its distinct values, cleaned and typed once, and a code per node or edge
# (numpy), so a file is assembled from the text of the distinct values, chunk of rows by chunk of
# rows. Why not networkx's writers: they need a cleaned copy of the graph first and are slow. The
# three files of the 2,592 abstracts' graph (39k edges) took 5.0 s of CPU with them against 0.6 s
# here, and of a 100,000-paper graph (3M edges) 367 s and 6.6 GB against 26 s and 0.4 GB (the
# GEXF writer holds the whole document as an element tree, and writes today's date into it).
_XML_TYPES = {"bool": "boolean", "int": "long", "float": "double", "str": "string"}
_KINDS = {bool: "bool", int: "int", float: "float", str: "str"}


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


class Column:
    """One attribute of every node (or edge) of a :class:`GraphColumns`.

    Attributes
    ----------
    kind : str
        "bool", "int", "float" or "str": the type of every present value.
    distinct : list
        The distinct values (cleaned, of that type).
    codes : numpy.ndarray
        For each node or edge, the position of its value in ``distinct`` (-1: absent).
    """

    __slots__ = ("kind", "distinct", "codes")

    def __init__(self, kind: str, distinct: list, codes: np.ndarray):
        self.kind, self.distinct, self.codes = kind, distinct, codes

    @property
    def values(self) -> list:
        """The value of each node or edge (None where absent)."""
        return list(map((self.distinct + [None]).__getitem__, self.codes.tolist()))


def _one_type(values: list) -> tuple[str, list] | None:
    """(kind, values) with one type for every present value: int and float mixed become float,
    any other mix str; None when no value is present."""
    types = set(map(type, values))
    types.discard(_NONE)
    if not types:
        return None
    if len(types) == 1:
        return _KINDS[types.pop()], values
    cast = float if types <= {int, float} else str
    return _KINDS[cast], [None if v is None else cast(v) for v in values]


def _codes(values: list) -> tuple[list, np.ndarray]:
    """(distinct values, the position of each value among them); raises TypeError when a value
    cannot be hashed."""
    distinct = list(dict.fromkeys(values))
    where = {value: k for k, value in enumerate(distinct)}
    return distinct, np.fromiter(map(where.__getitem__, values), dtype=np.int64, count=len(values))


def _column(raw: list, order: np.ndarray | None = None) -> Column | None:
    """Clean one attribute's values (None where absent) into a :class:`Column`, rows taken in
    ``order`` (positions in ``raw``) when given. Absent, NaN and infinite values are absent."""
    types = set(map(type, raw))
    types.discard(_NONE)
    if not types:
        return None
    if all(issubclass(t, (float, np.floating)) for t in types):
        values = np.array(raw, dtype=np.float64)  # None -> NaN
        if order is not None:
            values = values[order]
        ok = np.isfinite(values)
        if not ok.any():
            return None
        distinct, inverse = np.unique(_round6(values[ok]), return_inverse=True)
        codes = np.full(len(values), -1, dtype=np.int64)
        codes[ok] = inverse.ravel()
        return Column("float", distinct.tolist(), codes)
    distinct = None
    if not (len(types) > 1 and any(issubclass(t, (bool, np.bool_)) for t in types)):
        try:  # (True == 1 == 1.0 would share one entry, yet True becomes "True" and 1 "1")
            distinct, codes = _codes(raw)
        except TypeError:  # lists, dicts: value by value
            pass
    if distinct is None:
        typed = _one_type([_plain_value(v) for v in raw])
        if typed is None:
            return None
        distinct, codes = _codes(typed[1])
        kind, distinct = typed[0], distinct
    else:
        typed = _one_type([_plain_value(v) for v in distinct])
        if typed is None:
            return None
        kind, distinct = typed
    if None in distinct:  # values that became absent (NaN, None, ...): code -1, out of the list
        present = [v is not None for v in distinct]
        remap = np.cumsum(present) - 1
        remap[~np.array(present)] = -1
        codes = remap[codes]
        distinct = [v for v in distinct if v is not None]
    if order is not None:
        codes = codes[order]
    return Column(kind, distinct, codes)


def _columns(records: list[dict], order: np.ndarray | None = None) -> dict[str, Column]:
    """One :class:`Column` per attribute name (sorted by name) of a list of attribute dicts, rows
    in ``order`` (positions in ``records``) when given.

    The dicts are read in the order they come (the order they sit in memory, as a rule) and the
    columns reordered after: reading them in sorted order is several times slower on large graphs."""
    raw = {key: [d.get(key) for d in records] for key in dict.fromkeys(chain.from_iterable(records))}
    if order is not None and (np.diff(order) == 1).all():
        order = None  # already in order
    out = {}
    for key in sorted(raw, key=str):
        column = _column(raw.pop(key), order)
        if column is not None:
            out[str(key)] = column
    return out


class GraphColumns:
    """A graph as columns, cleaned, typed and sorted (see :meth:`from_graph`): what the graph
    files hold.

    Build one with :meth:`from_graph`; :func:`write_graphml`, :func:`write_gexf` and
    :func:`write_json` accept it in place of a graph, so one cleaning serves all three.

    Attributes
    ----------
    ids : list of str
        Node ids (XML-forbidden characters removed), sorted.
    nodes : dict
        Attribute name -> :class:`Column` (one value per node, in ``ids`` order), names sorted.
    source, target : numpy.ndarray
        Edge ends as positions in ``ids`` (source <= target), edges sorted by them.
    edges : dict
        Attribute name -> :class:`Column`, one value per edge.

    Examples
    --------
    >>> g = GraphColumns.from_graph(nx.Graph([("b", "a", {"weight": 1 / 3})]))
    >>> g.ids, g.edges["weight"].kind, g.edges["weight"].values
    (['a', 'b'], 'float', [0.333333])
    """

    def __init__(self, ids, nodes, source, target, edges):
        self.ids, self.nodes, self.source, self.target, self.edges = ids, nodes, source, target, edges

    @classmethod
    def from_graph(cls, graph: nx.Graph) -> "GraphColumns":
        """Clean, type and sort ``graph``; a directed graph or multigraph is read as the
        undirected graph networkx makes of it.

        Node ids become strings without XML-forbidden characters (ids that then collide raise
        ValueError). Values become str/int/float/bool: lists joined with ``"; "``, floats rounded
        to 6 significant digits, text without XML-forbidden characters; None, NaN, infinities and
        NA are left out. Each attribute gets one type (int and float mixed: float; other mixes:
        str). Paper nodes without a ``label`` get their title as label."""
        if graph.is_directed() or graph.is_multigraph():
            graph = nx.Graph(graph)
        raw = list(graph.nodes)
        clean = [node if type(node) is str and node.isprintable() else clean_text(node) for node in raw]
        if len(set(clean)) < len(clean):
            raise ValueError("node ids collide once XML-forbidden characters are removed")
        order = sorted(range(len(raw)), key=clean.__getitem__)
        ids = [clean[i] for i in order]
        nodes = _columns([d for _, d in graph.nodes(data=True)], np.asarray(order, dtype=np.int64))
        _add_paper_labels(nodes)
        source, target, data, edge_order = _edge_lists(graph, {raw[i]: k for k, i in enumerate(order)})
        return cls(ids, nodes, source, target, _columns(data, edge_order))

    def degree(self) -> np.ndarray:
        """Degree of every node (a self-loop counts twice, as in networkx)."""
        n = len(self.ids)
        return np.bincount(self.source, minlength=n) + np.bincount(self.target, minlength=n)


def projection_columns(kg, name: str) -> GraphColumns:
    """The projection ``name`` (``paper_graph`` or ``concept_graph``) of ``kg`` as a :class:`GraphColumns`,
    its nodes carrying the columns of their table that :data:`PROJECTIONS` names (a paper's title as
    its ``label``), typed for GraphML and GEXF."""
    table_name, key, attrs = PROJECTIONS[name]
    g = GraphColumns.from_graph(getattr(kg, name))
    table = getattr(kg, table_name)
    ids = [i if type(i) is str and i.isprintable() else clean_text(i) for i in table[key].tolist()]
    at = pd.Index(ids).get_indexer(g.ids)  # the nodes' rows (-1: none)
    present = at >= 0
    for attr, column in attrs.items():
        if column not in table.columns:
            continue
        values = np.empty(len(at), dtype=object)
        values[present] = table[column].to_numpy(dtype=object, na_value=None)[at[present]]
        typed = _column(values.tolist())
        if typed is None:
            g.nodes.pop(attr, None)
        else:
            g.nodes[attr] = typed
    g.nodes = dict(sorted(g.nodes.items()))
    return g


def _add_paper_labels(nodes: dict) -> None:
    """Paper nodes without a label get their title as label (so Gephi and Cytoscape show it)."""
    if "kind" not in nodes or "title" not in nodes:
        return
    kinds, titles = nodes["kind"].values, nodes["title"].values
    labels = nodes["label"].values if "label" in nodes else [None] * len(kinds)
    changed = False
    for i, (kind, title) in enumerate(zip(kinds, titles)):
        if labels[i] is None and kind == "paper" and title:
            labels[i] = title
            changed = True
    if changed:
        nodes["label"] = _column(labels)
        for name in sorted(nodes):  # names stay sorted
            nodes[name] = nodes.pop(name)


def _columns_of(graph) -> GraphColumns:
    return graph if isinstance(graph, GraphColumns) else GraphColumns.from_graph(graph)


def _xml_text(text: str) -> str:
    # CR as a reference: XML parsers turn a literal CR into LF
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _xml_attr(text: str) -> str:
    # in attributes parsers also turn literal tabs and line breaks into spaces
    return _xml_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


_XML_TEXT = re.compile("[&<>\r]")
_XML_ATTR = re.compile('[&<>\r"\n\t]')


def _escape_all(texts: list[str], escape) -> list[str]:
    """``escape`` (:func:`_xml_text` or :func:`_xml_attr`) of each text, skipping the many that need none."""
    special = _XML_TEXT if escape is _xml_text else _XML_ATTR
    if not special.search("".join(texts)):
        return texts
    search = special.search
    return [escape(t) if search(t) else t for t in texts]


def _text(kind: str, value) -> str:
    """A typed value as XML/JSON text (numbers as Python writes them, booleans in lower case)."""
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return repr(value)
    return str(value)


def _cells(column: Column, before: str, after: str, escape=None) -> tuple[list, np.ndarray]:
    """(texts, codes): ``before + text + after`` of each distinct value (text escaped by ``escape``
    when a string), and "" last, for absent values (code -1)."""
    texts = column.distinct if column.kind == "str" else [_text(column.kind, v) for v in column.distinct]
    if escape is not None and column.kind == "str":
        texts = _escape_all(texts, escape) if escape in (_xml_text, _xml_attr) else list(map(escape, texts))
    return [before + t + after for t in texts] + [""], column.codes


def _write_rows(fh, size: int, parts, sep: str) -> None:
    """Write ``size`` rows, ``sep`` between rows; ``parts(start, stop)`` gives, for a chunk of
    rows, a list of sequences of text whose items are concatenated into each row."""
    for start in range(0, size, _CHUNK):
        stop = min(size, start + _CHUNK)
        if start:
            fh.write(sep)
        fh.write(sep.join(map("".join, zip(*parts(start, stop)))))


def _pieces(cells: list[tuple[list, np.ndarray]], start: int, stop: int, tail: str = "") -> list:
    """The text of each column for rows ``start:stop``; ``tail`` ends every row (folded into the
    last column's text, so rows are joined from fewer parts)."""
    if not cells:
        return [repeat(tail, stop - start)] if tail else []
    *first, (texts, codes) = cells
    if tail:
        texts = [t + tail for t in texts]
    return [map(t.__getitem__, c[start:stop].tolist()) for t, c in first] + \
        [map(texts.__getitem__, codes[start:stop].tolist())]


def _edge_ends(escaped: list[str], g: "GraphColumns", first: str, second: str, end: str = ""):
    """``parts`` for :func:`_write_rows`: ``first + source id`` and ``second + target id + end`` of
    each edge, ids from ``escaped`` (the ids as the file writes them)."""
    left = [first + i for i in escaped]
    right = [second + i + end for i in escaped]

    def ends(start: int, stop: int) -> list:
        return [map(left.__getitem__, g.source[start:stop].tolist()),
                map(right.__getitem__, g.target[start:stop].tolist())]
    return ends


def write_graphml(graph, path) -> Path:
    """Write a graph as GraphML (typed keys, UTF-8, one node or edge per line).

    ``graph`` is any networkx graph (cleaned and typed as :meth:`GraphColumns.from_graph`
    says) or a :class:`GraphColumns`. ``networkx.read_graphml`` reads back the same nodes,
    edges and typed attributes.
    """
    g = _columns_of(graph)
    keys = [("node", name, column.kind) for name, column in g.nodes.items()]
    keys += [("edge", name, column.kind) for name, column in g.edges.items()]
    key_id = {(scope, name): f"d{k}" for k, (scope, name, _) in enumerate(keys)}

    def cells(scope, table):
        return [_cells(column, f'<data key="{key_id[scope, name]}">', "</data>", _xml_text)
                for name, column in table.items()]

    node_cells, edge_cells = cells("node", g.nodes), cells("edge", g.edges)
    ids = _escape_all(g.ids, _xml_attr)
    node_heads = [f'<node id="{i}">' for i in ids]
    edge_ends = _edge_ends(ids, g, '<edge source="', '" target="', '">')
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("<?xml version='1.0' encoding='utf-8'?>\n"
                 '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                 'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        for scope, name, kind in keys:
            fh.write(f'<key id="{key_id[scope, name]}" for="{scope}" attr.name="{_xml_attr(name)}" '
                     f'attr.type="{_XML_TYPES[kind]}"/>\n')
        fh.write('<graph edgedefault="undirected">\n')
        _write_rows(fh, len(g.ids), lambda a, b: [node_heads[a:b], *_pieces(node_cells, a, b, "</node>\n")], "")
        _write_rows(fh, len(g.source), lambda a, b: [*edge_ends(a, b), *_pieces(edge_cells, a, b, "</edge>\n")], "")
        fh.write("</graph>\n</graphml>\n")
    return Path(path)


def _rgb(hex_color: str) -> tuple[int, int, int]:
    value = int(hex_color.lstrip("#"), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def write_gexf(graph, path, view: View | None = None) -> Path:
    """Write a graph as GEXF 1.2 for Gephi (UTF-8, one node or edge per line).

    ``graph`` is any networkx graph (cleaned and typed as :meth:`GraphColumns.from_graph`
    says) or a :class:`GraphColumns`. A node's ``label`` attribute becomes its GEXF label
    and a numeric edge ``weight`` the edge's weight; other attributes named like
    GEXF's own (``id``, ``start``, ...) get a trailing ``_``. With ``view`` (the
    explorer's bipartite view) every node carries ``viz`` colour (its community's
    colour in the HTML), size (by degree) and position (the HTML's layout, y
    pointing up as in Gephi). No date is written, so the file is the same on every
    run. ``networkx.read_gexf`` reads it back.
    """
    g = _columns_of(graph)
    n, m = len(g.ids), len(g.source)
    node_attrs = {(k + "_" if k in _GEXF_RESERVED["node"] else k): c for k, c in g.nodes.items() if k != "label"}
    edge_attrs = dict(g.edges)
    weight = edge_attrs.pop("weight", None)
    if weight is not None and weight.kind not in ("int", "float"):  # the weight attribute must be a number
        edge_attrs["weight"], weight = weight, None
    edge_attrs = {(k + "_" if k in _GEXF_RESERVED["edge"] else k): c for k, c in sorted(edge_attrs.items())}
    attr_id = {("node", name): str(k) for k, name in enumerate(node_attrs)}
    attr_id.update({("edge", name): str(k + len(node_attrs)) for k, name in enumerate(edge_attrs)})

    def cells(scope, table):
        return [_cells(column, f'<attvalue for="{attr_id[scope, name]}" value="', '"/>', _xml_attr)
                for name, column in table.items()]

    node_cells, edge_cells = cells("node", node_attrs), cells("edge", edge_attrs)
    labels = g.nodes["label"].values if "label" in g.nodes else [None] * n
    ids = _escape_all(g.ids, _xml_attr)
    labels = _escape_all([i if lbl is None else str(lbl) for i, lbl in zip(g.ids, labels)], _xml_attr)
    node_heads = [f'<node id="{i}" label="{lbl}">' for i, lbl in zip(ids, labels)]
    viz = _viz(g, view) if view is not None else repeat("")
    node_heads = [h + v + ("<attvalues>" if node_cells else "") for h, v in zip(node_heads, viz)]
    node_tail = ("</attvalues>" if node_cells else "") + "</node>\n"
    edge_ends = _edge_ends(ids, g, '<edge source="', '" target="', '" id="')
    edge_open = "><attvalues>" if edge_cells else ">"
    edge_tail = ("</attvalues>" if edge_cells else "") + "</edge>\n"
    # each edge: its ends, its number, the weight (a number, or none), then its attributes
    number_end = '"' if weight else '"' + edge_open
    weights = []
    if weight:
        texts, codes = _cells(weight, ' weight="', '"' + edge_open)
        texts[-1] = edge_open
        weights = [(texts, codes)]
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("<?xml version='1.0' encoding='utf-8'?>\n"
                 '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:viz="http://www.gexf.net/1.2draft/viz" '
                 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" '
                 'version="1.2">\n'
                 f"  <meta>\n    <creator>kgraph {__version__}</creator>\n  </meta>\n"
                 '  <graph defaultedgetype="undirected" mode="static" name="">\n')
        for scope, table in (("node", node_attrs), ("edge", edge_attrs)):
            if table:
                fh.write(f'    <attributes class="{scope}" mode="static">\n')
                for name, column in table.items():
                    fh.write(f'      <attribute id="{attr_id[scope, name]}" title="{_xml_attr(name)}" '
                             f'type="{_XML_TYPES[column.kind]}"/>\n')
                fh.write("    </attributes>\n")
        fh.write("    <nodes>\n")
        _write_rows(fh, n, lambda a, b: [node_heads[a:b], *_pieces(node_cells, a, b, node_tail)], "")
        fh.write("    </nodes>\n    <edges>\n")
        _write_rows(fh, m, lambda a, b: [*edge_ends(a, b), map(("{}" + number_end).format, range(a, b)),
                                         *_pieces(weights, a, b), *_pieces(edge_cells, a, b, edge_tail)], "")
        fh.write("    </edges>\n  </graph>\n</gexf>\n")
    return Path(path)


def _viz(g: GraphColumns, view: View) -> list[str]:
    """The viz elements of each node: colour and position from the view, size by degree."""
    degree = g.degree()
    top = int(degree.max(initial=1)) or 1
    sizes = np.round(4.0 + 16.0 * np.sqrt(degree / top), 3).tolist()
    by_id = {clean_text(node): node for node in view.positions}
    colors: dict[str, str] = {}
    out = []
    for i, size in zip(g.ids, sizes):
        node = by_id.get(i)
        if node is None:
            out.append("")
            continue
        color = view.color(node)
        if color not in colors:
            r, gr, b = _rgb(color)
            colors[color] = f'<viz:color r="{r}" g="{gr}" b="{b}" a="1.0"/>'
        x, y = view.positions[node]
        out.append(f'{colors[color]}<viz:size value="{size!r}"/>'
                   f'<viz:position x="{round(x, 2) + 0.0!r}" y="{round(-y, 2) + 0.0!r}" z="0.0"/>')
    return out


def write_json(graph, path) -> Path:
    """Write a graph as networkx node-link JSON (``nodes`` and ``edges``, one per line).

    ``graph`` is any networkx graph (cleaned and typed as :meth:`GraphColumns.from_graph`
    says) or a :class:`GraphColumns`. Read it back with
    ``nx.node_link_graph(json.load(f), edges="edges")``.
    """
    g = _columns_of(graph)
    quote = json.encoder.encode_basestring  # C; keeps every non-ASCII character as it is

    def cells(table, reserved):
        return [_cells(column, f", {quote(name)}: ", "", quote)
                for name, column in table.items() if name not in reserved]

    node_cells, edge_cells = cells(g.nodes, {"id"}), cells(g.edges, {"source", "target"})
    ids = list(map(quote, g.ids))
    node_heads = ['{"id": ' + i for i in ids]
    edge_ends = _edge_ends(ids, g, '{"source": ', ', "target": ')
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write('{"directed": false, "multigraph": false, "graph": {},\n"nodes": [\n')
        _write_rows(fh, len(g.ids), lambda a, b: [node_heads[a:b], *_pieces(node_cells, a, b, "}")], ",\n")
        fh.write('\n],\n"edges": [\n')
        _write_rows(fh, len(g.source), lambda a, b: [*edge_ends(a, b), *_pieces(edge_cells, a, b, "}")], ",\n")
        fh.write("\n]}\n")
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
