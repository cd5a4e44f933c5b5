"""Save and load a build folder: plain formats only, checked on the way in.

A build is saved in the subfolder :data:`SAVE_FOLDER` of its output folder::

    kgraph-build/
      kgraph.json           what this is: format version, kgraph version, settings, summary, sizes
      papers.parquet        the seven tables (Parquet): papers, concepts, mentions,
      ...                   paper_links, concept_links, communities, concept_years
      graph.json            the three graphs (networkx node-link JSON): graph,
      ...                   paper_graph, concept_graph

Nothing in it is code, and nothing in it chooses what code runs: :func:`load`
parses Parquet and JSON and checks every file against what kgraph writes
(columns and dtypes, rows that name an unknown paper or concept, graph nodes and
edges) before it returns anything. Any problem is one
:class:`~kgraph.errors.KgraphError` line naming the file. The files are readable
without kgraph: ``pd.read_parquet("outputs/kgraph-build/papers.parquet")``,
``nx.node_link_graph(json.load(fh), edges="edges")``.

Examples
--------
>>> kg.save("outputs")                           # doctest: +SKIP
PosixPath('outputs/kgraph-build')
>>> KnowledgeGraph.load("outputs").top_concepts(3)  # doctest: +SKIP
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
import types
import typing
from dataclasses import fields
from itertools import chain, repeat
from pathlib import Path

import networkx as nx
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import __version__, trends
from .config import BuildConfig
from .errors import KgraphError

#: The subfolder of an output folder that holds the saved build.
SAVE_FOLDER = "kgraph-build"
#: Bump when the files of a saved build change, so an older kgraph says so instead of misreading them.
FORMAT_VERSION = 2  # 2: concept_years, and the year columns of concepts and communities
FORMAT = "kgraph build"
MANIFEST = "kgraph.json"
#: What an older kgraph saved (a pickle): never opened, only recognised.
OLD_SAVE = "kgraph.pkl"

#: The columns of each saved table and their dtypes. ``papers`` may have more columns (the
#: input's extra fields), all text.
TABLES = {
    "papers": {"paper_id": "str", "title": "str", "abstract": "str", "year": "Int64", "authors": "str",
               "doi": "str", "url": "str", "source": "str", "community": "int64", "degree": "int64",
               "pagerank": "float64", "betweenness": "float64", "community_label": "str"},
    "concepts": {"concept_id": "str", "label": "str", "aliases": "str", "doc_freq": "int64", "reach": "int64",
                 "term_freq": "int64", "score": "float64", "idf": "float64", "specificity": "float64", "broader": "str",
                 "selected": "bool", "focus": "bool", "community": "int64", "degree": "int64", "pagerank": "float64",
                 "betweenness": "float64", **trends.CONCEPT_COLUMNS},
    "mentions": {"paper_id": "str", "concept_id": "str", "label": "str", "count": "int64", "in_title": "bool",
                 "first_position": "int64", "score": "float64", "rank": "int64", "surface_forms": "str"},
    "paper_links": {"source": "str", "target": "str", "weight": "float64", "shared": "object", "n_shared": "int64"},
    "concept_links": {"source": "str", "target": "str", "weight": "float64", "cooccurrences": "int64"},
    "communities": {"community": "int64", "size": "int64", "label": "str", "top_concepts": "str",
                    **trends.COMMUNITY_COLUMNS},
    "concept_years": trends.CONCEPT_YEARS_COLUMNS,
}
GRAPHS = ("graph", "paper_graph", "concept_graph")
# how each dtype is stored in Parquet ("object" holds text); int64 and bool hold no missing values
_ARROW = {"str": pa.string(), "object": pa.string(), "int64": pa.int64(), "Int64": pa.int64(),
          "float64": pa.float64(), "bool": pa.bool_()}
_NO_MISSING = ("int64", "bool")
_PLAIN = (str, int, float, bool)  # the attribute values of kgraph's graphs
_SURROGATE = re.compile("[\ud800-\udfff]")


# ----------------------------------------------------------------------------- save
def save(kg, folder, settings: dict) -> Path:
    """Save ``kg`` into ``folder/kgraph-build/``, replacing a build saved there before.

    The new files are written next to it and renamed into place, so an interrupted
    save leaves the previous one whole.

    Parameters
    ----------
    kg : KnowledgeGraph
    folder : path
        Created if missing.
    settings : dict
        The settings to save (:func:`kgraph.config.output_settings`: not where
        the cache lives, which is no fact of the build and not for a folder that travels).

    Returns
    -------
    Path
        The saved build's folder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / SAVE_FOLDER
    if target.exists() and not (target / MANIFEST).is_file():
        raise KgraphError("is in the way of the saved build and was not made by kgraph", file=str(target))
    staging = Path(tempfile.mkdtemp(prefix=f".{SAVE_FOLDER}-new-", dir=folder))
    try:
        _write_files(kg, staging, settings)
        if target.exists():  # move the old build aside, the new one in, then delete the old one
            old = Path(tempfile.mkdtemp(prefix=f".{SAVE_FOLDER}-old-", dir=folder))
            os.replace(target, old / SAVE_FOLDER)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _write_files(kg, folder: Path, settings: dict) -> None:
    """Write the files of a saved build into the existing, empty ``folder`` (the manifest last)."""
    rows = {}
    for name, schema in TABLES.items():
        table, dtypes = _typed(getattr(kg, name), name, schema)
        arrow = pa.schema([(c, _ARROW[dtypes[c]]) for c in table.columns])
        pq.write_table(pa.Table.from_pandas(table, schema=arrow, preserve_index=False), folder / f"{name}.parquet")
        rows[name] = len(table)
    sizes = {}
    for name in GRAPHS:
        G = getattr(kg, name)
        text = json.dumps(_node_link(G), ensure_ascii=False, default=_plain_number)  # (json.dump: in Python)
        (folder / f"{name}.json").write_bytes(_utf8_bytes(text))
        sizes[name] = [G.number_of_nodes(), G.number_of_edges()]
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "kgraph": __version__,
                "config": settings, "summary": kg.summary, "rows": rows, "graphs": sizes}
    with open(folder / MANIFEST, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True, default=_plain_number)
        fh.write("\n")


def _typed(table: pd.DataFrame, name: str, schema: dict) -> tuple[pd.DataFrame, dict]:
    """``table`` with the dtypes of ``schema`` (a table without rows may have others) and a plain
    index, and the dtype of each of its columns."""
    extra = [c for c in table.columns if c not in schema]
    missing = [c for c in schema if c not in table.columns]
    if missing or extra and name != "papers":
        raise ValueError(f"the {name} table is not as kgraph.store.TABLES says: {missing or extra}")
    dtypes = {**schema, **dict.fromkeys(extra, "str")}
    # text in object columns may hold what pandas' str dtype and Parquet cannot: lone surrogates
    table = table.assign(**{c: _utf8(table[c]) for c, d in dtypes.items() if d in ("str", "object")
                            and table[c].dtype == object})
    changed = {c: d for c, d in dtypes.items() if str(table[c].dtype) != d}
    table = table.astype(changed) if changed else table
    return table.reset_index(drop=True), dtypes


def _utf8(column: pd.Series) -> pd.Series:
    """``column`` with each lone surrogate (which UTF-8 cannot carry) as U+FFFD, as in the CSV files."""
    try:
        "".join(v for v in column.tolist() if isinstance(v, str)).encode("utf-8")  # (faster than a search)
        return column
    except UnicodeEncodeError:
        return column.map(lambda v: _SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v)


def _utf8_bytes(text: str) -> bytes:
    """``text`` in UTF-8, each lone surrogate as U+FFFD."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def _plain_number(value):
    """A numpy number as the Python number JSON can write."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not a plain value")


def _node_link(G: nx.Graph) -> dict:
    """``G`` as networkx node-link data, its edges in an order that rebuilds every node's neighbours in order."""
    if type(G) is not nx.Graph:
        raise TypeError(f"only a plain networkx.Graph is saved, not {type(G).__name__}")
    return {"directed": False, "multigraph": False, "graph": dict(G.graph),
            "nodes": [{"id": n, **attrs} for n, attrs in G.nodes(data=True)],
            "edges": [{"source": u, "target": v, **data} for u, v, data in insertion_order(G)]}


def insertion_order(G: nx.Graph) -> list[tuple]:
    """The edges of ``G`` (``u, v, data``) in an order that, added to a graph holding its nodes,
    gives every node its neighbours in the order ``G`` has them.

    networkx keeps a node's neighbours in the order their edges were added and
    answers in that order (of two shortest paths, ``nx.shortest_path`` finds the one
    first in it), so a reloaded graph must add its edges in an order that agrees
    with every node's list. The order they were first added in is one; this finds
    one without knowing it: it places an edge when it is the next of both its ends,
    and otherwise first places the earlier edges of the end that is not ready.

    Examples
    --------
    >>> G = nx.Graph([("b", "c"), ("a", "b")])
    >>> H = nx.Graph(); H.add_nodes_from(G); H.add_edges_from(insertion_order(G))
    >>> list(G["b"]) == list(H["b"]) == ["c", "a"]
    True
    """
    adjacency = dict(G.adjacency())  # node: {neighbour: edge data} (networkx's own dicts, in order)
    neighbours = {u: list(nbrs) for u, nbrs in adjacency.items()}
    placed = dict.fromkeys(neighbours, 0)  # how many of each node's edges are in the order
    order = []
    for start in neighbours:
        stack = [start]
        while stack:
            u = stack[-1]
            edges, i = neighbours[u], placed[u]
            while i < len(edges):  # u's edges while each is also the next of its other end
                v = edges[i]
                if v != u:  # (a self-loop is one entry of its node)
                    if neighbours[v][placed[v]] != u:
                        break
                    placed[v] += 1
                order.append((u, v, adjacency[u][v]))
                i += 1
            placed[u] = i
            if i == len(edges):
                stack.pop()
            else:  # v has earlier edges: they go first (each step goes to an earlier edge, so this ends)
                stack.append(v)
    return order


# ----------------------------------------------------------------------------- load
def load(path) -> dict:
    """Read the build saved in ``path`` (an output folder, or its ``kgraph-build`` subfolder).

    Returns
    -------
    dict
        The fields of the :class:`~kgraph.pipeline.KnowledgeGraph` saved, equal to
        its own: tables (dtypes included), graphs (node, edge and neighbour order
        included), settings and summary. Where the cache lived and where extraction
        ran are not saved (the settings have their defaults), nor are the run's
        ``timings`` and ``run`` (empty). A lone surrogate in a text (which UTF-8
        cannot carry) comes back as U+FFFD, as in the CSV files.

    Raises
    ------
    KgraphError
        One line naming the file and the problem: no saved build, a build saved
        by an older kgraph (``kgraph.pkl``; it is not opened), another format
        version, or a missing, truncated or altered file.
    """
    folder = _saved_folder(Path(path))
    manifest = _read_manifest(folder / MANIFEST)
    config = _config(manifest.get("config"), folder / MANIFEST)
    summary = manifest.get("summary")
    if not isinstance(summary, dict):
        raise KgraphError("has no summary", file=str(folder / MANIFEST))
    tables = {name: _read_table(folder / f"{name}.parquet", name, schema, manifest["rows"][name])
              for name, schema in TABLES.items()}
    _check_references(tables, folder)
    graphs = {name: _read_graph(folder / f"{name}.json", manifest["graphs"][name]) for name in GRAPHS}
    _check_graph_nodes(graphs, tables, folder)
    return dict(**tables, **graphs, config=config, summary=summary, timings={}, run={})


def _saved_folder(path: Path) -> Path:
    if (path / MANIFEST).is_file():  # the subfolder itself
        return path
    if (path / SAVE_FOLDER).is_dir():
        return path / SAVE_FOLDER
    if path.name == OLD_SAVE or (path / OLD_SAVE).exists():
        raise KgraphError("made by an older kgraph; rebuild with --force", file=str(path))
    if not path.exists():
        raise KgraphError("no such folder (run `kgraph build` first)", file=str(path))
    raise KgraphError(f"no saved build here ({SAVE_FOLDER}/ is missing; run `kgraph build` first)",
                      file=str(path))


def _open(path: Path):
    """``path`` opened for reading, if it is a regular file (not a folder, a device or a pipe)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise KgraphError("is not a regular file", file=str(path))
        return open(path, "rb")
    except FileNotFoundError:
        raise KgraphError("is missing", file=str(path)) from None
    except OSError as exc:
        raise KgraphError(f"cannot be read ({exc.strerror or exc})", file=str(path)) from None


def _read_json(path: Path):
    try:
        with _open(path) as fh:
            return json.loads(fh.read().decode("utf-8"))
    except OSError as exc:
        raise KgraphError(f"cannot be read ({exc.strerror or exc})", file=str(path)) from None
    except UnicodeDecodeError:
        raise KgraphError("is not UTF-8 text", file=str(path)) from None
    except ValueError as exc:  # json.JSONDecodeError
        raise KgraphError(f"is not valid JSON (truncated?): {_one_line(exc)}", file=str(path)) from None
    except RecursionError:
        raise KgraphError("is not valid JSON (nested too deeply)", file=str(path)) from None


def _read_manifest(path: Path) -> dict:
    manifest = _read_json(path)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise KgraphError("is not a kgraph build's manifest", file=str(path))
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        made_by = manifest.get("kgraph")
        by = f"kgraph {made_by}" if isinstance(made_by, str) else "another kgraph"
        age = "an older" if isinstance(version, int) and version < FORMAT_VERSION else "a newer"
        raise KgraphError(f"made by {by} ({age} build format: {version!r}; this kgraph {__version__} reads "
                          f"{FORMAT_VERSION}); rebuild with --force", file=str(path))
    rows, sizes = manifest.get("rows"), manifest.get("graphs")
    if not (isinstance(rows, dict) and all(type(rows.get(t)) is int for t in TABLES)
            and isinstance(sizes, dict) and all(_is_size(sizes.get(g)) for g in GRAPHS)):
        raise KgraphError("lacks the sizes of the tables and graphs", file=str(path))
    return manifest


def _is_size(size) -> bool:
    return isinstance(size, list) and len(size) == 2 and all(type(n) is int for n in size)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _config(settings, path: Path) -> BuildConfig:
    """The settings saved in the manifest, each of the type its :class:`BuildConfig` field has."""
    if not isinstance(settings, dict):
        raise KgraphError("has no settings", file=str(path))
    hints = typing.get_type_hints(BuildConfig)
    known = {f.name for f in fields(BuildConfig)}
    values = {}
    for name, value in settings.items():
        if name not in known:
            raise KgraphError(f"has a setting this kgraph does not know: {name!r}", file=str(path))
        try:
            values[name] = _typed_value(value, hints[name])
        except TypeError:
            kind = getattr(hints[name], "__name__", str(hints[name]))
            raise KgraphError(f"setting {name!r} is not {kind}: {value!r}"[:300], file=str(path)) from None
    try:
        return BuildConfig(**values)
    except (TypeError, ValueError) as exc:
        raise KgraphError(f"has settings kgraph refuses: {_one_line(exc)}", file=str(path)) from None


def _typed_value(value, hint):
    """``value`` read from JSON as type ``hint`` (str, int, float, bool, Path, None, a list or union of
    them); TypeError if it is not one."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return _typed_value(value, option)
            except TypeError:
                pass
        raise TypeError(hint)
    if origin is list and isinstance(value, list):
        (item,) = typing.get_args(hint)
        return [_typed_value(v, item) for v in value]
    if hint is type(None) and value is None:
        return None
    if hint is Path and isinstance(value, str):
        return Path(value)
    if hint is bool and isinstance(value, bool):
        return value
    if hint in (int, float) and isinstance(value, (int, float)) and not isinstance(value, bool):
        if hint is int and not isinstance(value, int):
            raise TypeError(hint)
        return value
    if hint is str and isinstance(value, str):
        return value
    raise TypeError(hint)


def _read_table(path: Path, name: str, schema: dict, rows) -> pd.DataFrame:
    """One saved table, checked: the columns and dtypes of ``schema``, ``rows`` rows."""
    try:
        with _open(path) as fh:  # a file object: pyarrow reads no folder of files (a dataset) in its place
            table = pq.read_table(fh, use_threads=False)  # no thread pool: one was seen to abort the exit
    except OSError as exc:
        raise KgraphError(f"cannot be read ({exc.strerror or exc})", file=str(path)) from None
    except pa.ArrowException as exc:
        raise KgraphError(f"is not a readable Parquet file (truncated?): {_one_line(exc)}", file=str(path)) from None
    names = table.schema.names
    missing = [c for c in schema if c not in names]
    extra = [c for c in names if c not in schema]
    if missing or len(set(names)) < len(names) or (extra and name != "papers"):
        what = f"lacks the columns {missing}" if missing else f"has unexpected columns {extra or names}"
        raise KgraphError(f"{what}; the {name} table has {list(schema)}"[:300], file=str(path))
    if table.num_rows != rows:
        raise KgraphError(f"has {table.num_rows} rows; the build had {rows}", file=str(path))
    dtypes = {c: schema.get(c, "str") for c in names}
    for column, dtype in dtypes.items():
        field = table.schema.field(column)
        if field.type != _ARROW[dtype] and not (_ARROW[dtype] == pa.string() and field.type == pa.large_string()):
            raise KgraphError(f"column {column!r} holds {field.type}, not {dtype}", file=str(path))
        if dtype in _NO_MISSING and table.column(column).null_count:
            raise KgraphError(f"column {column!r} has missing values", file=str(path))
    # the pandas metadata pyarrow keeps is dropped: the schema above, not the file, says what each column is
    frame = table.replace_schema_metadata(None).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get,
                                                          use_threads=False)
    return frame.astype({c: d for c, d in dtypes.items() if str(frame[c].dtype) != d})


def _unknown(values: pd.Series, known: pd.Series) -> list:
    """Up to three of ``values`` not in ``known`` (pyarrow's ``is_in``: pandas' is ten times slower on text)."""
    inside = pc.is_in(pa.array(values), value_set=pa.array(known)).to_numpy(zero_copy_only=False)
    return values[~inside].unique().tolist()[:3]


def _check_references(tables: dict, folder: Path) -> None:
    """Ids are unique, and every row names papers and concepts the build has."""
    papers, concepts = tables["papers"]["paper_id"], tables["concepts"]["concept_id"]
    for name, ids in (("papers", papers), ("concepts", concepts)):
        if ids.isna().any() or ids.duplicated().any():
            raise KgraphError(f"{ids.name} has missing or repeated ids", file=str(folder / f"{name}.parquet"))
    for name, column, known in (("mentions", "paper_id", papers), ("mentions", "concept_id", concepts),
                                ("paper_links", "source", papers), ("paper_links", "target", papers),
                                ("concept_links", "source", concepts), ("concept_links", "target", concepts),
                                ("concept_years", "concept_id", concepts)):
        unknown = _unknown(tables[name][column], known)
        if unknown:
            raise KgraphError(f"{column} names what the build does not have: {unknown}"[:300],
                              file=str(folder / f"{name}.parquet"))


def _read_graph(path: Path, size) -> nx.Graph:
    """One saved graph: node-link data of plain values, its edges between its nodes, ``size`` = [nodes, edges]."""
    data = _read_json(path)

    def bad(problem: str):
        return KgraphError(problem[:300], file=str(path))

    if not isinstance(data, dict) or data.get("directed") is not False or data.get("multigraph") is not False:
        raise bad("is not the node-link data of an undirected graph")
    nodes, edges, attrs = data.get("nodes"), data.get("edges"), data.get("graph")
    if not (isinstance(nodes, list) and isinstance(edges, list) and isinstance(attrs, dict)):
        raise bad("lacks its nodes, edges or graph attributes")
    if size != [len(nodes), len(edges)]:
        raise bad(f"has {len(nodes)} nodes and {len(edges)} edges; the build had {size[0]} and {size[1]}")
    # checked a list at a time (map and set loop in C: a graph has hundreds of thousands of edges)
    try:
        ids = list(map(dict.pop, nodes, repeat("id")))
        sources = list(map(dict.pop, edges, repeat("source")))
        targets = list(map(dict.pop, edges, repeat("target")))
        values = set(map(type, chain(attrs.values(), *(chain.from_iterable(map(dict.values, items))
                                                      for items in (nodes, edges)))))
    except (TypeError, KeyError):  # not an object, or without its id or ends
        raise bad("has a node without an id or an edge without its ends") from None
    if not set(map(type, chain(ids, sources, targets))) <= {str}:
        raise bad("has a node id that is not text")
    if not values <= set(_PLAIN):
        raise bad("has a value that is not text, a number or true/false")
    known = set(ids)
    if len(known) < len(ids):
        raise bad("names a node twice")
    if not (known.issuperset(sources) and known.issuperset(targets)):
        unknown = next(n for n in chain(sources, targets) if n not in known)
        raise bad(f"has an edge to a node it does not have: {unknown!r}")
    G = nx.Graph()
    G.graph.update(attrs)
    # filled as add_nodes_from and add_edges_from would (neighbours in edge order, one data dict per
    # edge), straight into networkx's dicts of dicts: add_edges_from takes four times as long (2.4 s
    # of CPU at 10,000 papers, 750,000 edges), most of a reload
    G._node.update(zip(ids, nodes))
    adj = G._adj
    adj.update((n, {}) for n in ids)
    for u, v, data in zip(sources, targets, edges):
        adj[u][v] = adj[v][u] = data
    if G.number_of_edges() < len(edges):
        raise bad("names an edge twice")
    return G


def _check_graph_nodes(graphs: dict, tables: dict, folder: Path) -> None:
    """The graphs' nodes are the build's papers and graph concepts."""
    from .graph import concept_node, paper_node

    papers = tables["papers"]["paper_id"].tolist()
    concepts = tables["concepts"].loc[tables["concepts"]["selected"], "concept_id"].tolist()
    expected = {"graph": set(map(paper_node, papers)) | set(map(concept_node, concepts)),
                "paper_graph": set(papers), "concept_graph": set(concepts)}
    for name, nodes in expected.items():
        if set(graphs[name]) != nodes:
            raise KgraphError("has other nodes than the build's papers and concepts", file=str(folder / f"{name}.json"))
