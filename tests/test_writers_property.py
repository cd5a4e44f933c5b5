"""Any text a paper can carry never crashes a writer, and every file reads back (issue 7).

Hypothesis draws small corpora whose titles, abstracts, ids and concept phrases hold
any Unicode (control characters, lone surrogates, U+FFFE/U+FFFF, RTL text and
bidi overrides, emoji with joiners, ``<script>``, quotes, ``]]>``, spreadsheet
formulas, values pandas would read as missing, very long strings). Each corpus goes
through :func:`kgraph.pipeline.from_extraction`, every stage after the parse
(concepts from a hand-made :class:`kgraph.extract.Extraction`, the bipartite graph,
:mod:`kgraph.links`, the pipeline's analysis) into a real
:class:`~kgraph.pipeline.KnowledgeGraph`, which :func:`kgraph.export.write_outputs`
writes. Then GraphML and GEXF parse with networkx to the same nodes and edges,
node-link JSON and ``summary.json`` parse, every CSV reads back with pandas with no
paper lost and every id intact, and no title escapes into the HTML as markup.
"""
from __future__ import annotations

import json
import math
import re
import tempfile
from functools import lru_cache
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kgraph import export
from kgraph.config import BuildConfig
from kgraph.explorer import clean_text as xml_clean
from kgraph.export import write_outputs
from kgraph.sources import clean_text as ingest_clean
from kgraph.extract import ACRONYM_COLUMNS, CANDIDATE_COLUMNS, Extraction, normalise_key
from kgraph.pipeline import KnowledgeGraph, from_extraction

SURROGATE = re.compile("[\ud800-\udfff]")
NASTY = [
    "<script>alert(1)</script>",
    "</script><script>alert(2)</script>",
    "<img src=x onerror=alert(3)>",
    "<!-- comment --> ]]> <![CDATA[x]]>",
    "\"double\" 'single' `back` \u201ccurly\u201d",
    "a & b < c > d &amp; &#0; &lt;",
    "تعلم الآلة للغة العربية",
    "למידה עמוקה בעברית",
    "\u202eevil bidi override\u202c \u200f\u200e",
    "🤖 Robots that 🧠 learn 👩\u200d🔬 🇵🇹 👍🏽",
    "\x00\x01\x08\x0b\x0c\x1b[31m\x1f\x7f controls",
    "\ufffe\uffff non-characters \ufeff BOM",
    "\ud800 lone \udfff surrogates \udbff",
    "line\nbreak\r\ncrlf\rcr\ttab \u2028 \u2029 \x85",
    "=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)",
    "NA", "nan", "NaN", "null", "None", "#N/A", "", " ",
    ",;\t|\"", "\\", "{\"json\": [1]}",
    "x" * 20_000,
    "Schr\\\"odinger $\\mathcal{O}(n)$ {braces}",
    "\U0001d518\U0001d52b\U0001d526 math letters",
]
# ids as they come out of ingest: cleaned text, so no controls or surrogates, but
# anything else (values pandas reads as missing, numbers with leading zeros, markup)
NASTY_IDS = ["NA", "nan", "null", "None", "#N/A", "0", "007", "1.0", "1e5", "-1", "TRUE",
             "<script>", "a,b", "a;b", "\"q\"", "10.1000/xyz(123)", "2101.00001", "مرحبا", "🤖",
             "x" * 300, "paper:1", "concept:1"]
CONCEPT_WORDS = ["<script>", "</script>", "a&b", "\"q\"", "it's", "naïve", "Straße", "ΣΩ", "עברית",
                 "العربية", "🤖", "x" * 200, "]]>", "nan", "null", "1.0", "\u202e", "\U0001d518"]

# every code point: st.characters() leaves out lone surrogates unless asked for them
any_char = st.one_of(st.characters(), st.characters(categories=["Cs"]))
any_text = st.one_of(
    st.text(any_char),
    st.sampled_from(NASTY),
    st.tuples(st.sampled_from(NASTY), st.text(max_size=20), st.sampled_from(NASTY)).map("".join),
)
paper_ids = st.one_of(
    st.sampled_from(NASTY_IDS),
    st.text(min_size=1, max_size=30).map(ingest_clean),
).filter(bool)
word = st.one_of(
    st.sampled_from(CONCEPT_WORDS),
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Z")), min_size=1, max_size=12),
)
phrases = st.lists(word, min_size=1, max_size=3).map(" ".join).filter(lambda p: len(normalise_key(p)) >= 2)


@st.composite
def corpora(draw):
    """(papers, candidates, min_df): a small corpus and its extraction."""
    pool = draw(st.lists(phrases, min_size=1, max_size=8, unique_by=normalise_key))
    ids = draw(st.lists(paper_ids, min_size=1, max_size=6, unique=True))
    rows, cands = [], []
    for pid in ids:
        rows.append({"paper_id": pid, "title": draw(any_text), "abstract": draw(any_text),
                     "year": draw(st.one_of(st.none(), st.integers(1000, 2999))),
                     "authors": draw(any_text), "doi": "", "url": draw(st.sampled_from(
                         ["", "https://example.org/x?a=1&b=2", "javascript:alert(1)"])),
                     "source": f"hand-made.jsonl:{len(rows) + 1}"})
        chosen = draw(st.lists(st.sampled_from(pool), max_size=4, unique_by=normalise_key))
        for position, display in enumerate(chosen):
            key = normalise_key(display)
            for repeat in range(draw(st.integers(1, 2))):
                cands.append({"paper_id": pid, "key": key, "display": display,
                              "in_title": draw(st.booleans()), "position": 4 * position + repeat,
                              "sent_start": position == 0, "pattern": "N" * (key.count(" ") + 1)})
    papers = pd.DataFrame(rows, dtype=object)  # object: pandas' default str dtype cannot hold surrogates
    papers["year"] = pd.array(papers["year"].tolist(), dtype="Int64")
    candidates = pd.DataFrame(cands, columns=CANDIDATE_COLUMNS, dtype=object).astype(
        {"in_title": bool, "sent_start": bool, "position": "int64"})
    return papers, candidates, draw(st.sampled_from([1, 2]))


def knowledge_graph(papers: pd.DataFrame, candidates: pd.DataFrame, min_df: int = 1) -> KnowledgeGraph:
    """A real KnowledgeGraph from hand-made tables, through every stage after the parse."""
    config = BuildConfig(min_df=min_df, cache_dir=None, max_html_nodes=200)
    extraction = Extraction(candidates=candidates, acronyms=pd.DataFrame(columns=ACRONYM_COLUMNS))
    return from_extraction(papers, extraction, config)


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, dtype=str)


def as_csv_reads_back(text: str) -> str:
    """What a CSV file gives back: lone surrogates as U+FFFD (UTF-8 cannot carry them), line breaks as LF."""
    return SURROGATE.sub("\ufffd", text).replace("\r\n", "\n").replace("\r", "\n")


@lru_cache(maxsize=1)
def script_tags_of_a_plain_build() -> dict[str, int]:
    papers = pd.DataFrame({"paper_id": ["a", "b"], "title": ["Flows", "More flows"], "abstract": ["", ""],
                           "year": pd.array([2020, None], dtype="Int64"), "authors": "", "doi": "", "url": "",
                           "source": ["x:1", "x:2"]})
    cands = pd.DataFrame([{"paper_id": p, "key": "flow", "display": "flow", "in_title": True, "position": 0,
                           "sent_start": True, "pattern": "N"} for p in ("a", "b")], columns=CANDIDATE_COLUMNS)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_outputs(knowledge_graph(papers, cands), Path(tmp) / "out")
        return {p.name: p.read_text(encoding="utf-8").lower().count("<script") for p in paths
                if p.suffix == ".html"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(corpora())
def test_any_text_writes_every_file_and_reads_back(corpus):
    papers, candidates, min_df = corpus
    kg = knowledge_graph(papers, candidates, min_df)
    n_nodes, n_edges = kg.graph.number_of_nodes(), kg.graph.number_of_edges()
    assert sum(1 for _, d in kg.graph.nodes(data=True) if d["kind"] == "paper") == len(papers)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        paths = write_outputs(kg, out)
        assert {p.name for p in paths} >= {"graph.graphml", "graph.gexf", "graph.json", "papers.csv",
                                           "summary.json", "graph.html", "index.html"}

        # GraphML and GEXF: the same nodes (ids without XML-forbidden characters) and edges
        node_ids = {xml_clean(n) for n in kg.graph.nodes}
        for reader, name in ((nx.read_graphml, "graph.graphml"), (nx.read_gexf, "graph.gexf")):
            G = reader(out / name)
            assert (G.number_of_nodes(), G.number_of_edges()) == (n_nodes, n_edges), name
            assert set(G.nodes) == node_ids, name
        # titles survive exactly, less XML-forbidden characters (both writers escape CR as &#13;)
        G, X = nx.read_graphml(out / "graph.graphml"), nx.read_gexf(out / "graph.gexf")
        for pid, title in zip(papers["paper_id"], papers["title"]):
            assert G.nodes[f"paper:{pid}"]["kind"] == X.nodes[f"paper:{pid}"]["kind"] == "paper"
            assert X.nodes[f"paper:{pid}"].get("title", "") == xml_clean(title)
            assert G.nodes[f"paper:{pid}"].get("title", "") == xml_clean(title)

        # node-link JSON and summary.json parse
        data = json.loads((out / "graph.json").read_text(encoding="utf-8"))
        H = nx.node_link_graph(data, edges="edges")
        assert (H.number_of_nodes(), H.number_of_edges()) == (n_nodes, n_edges)
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert summary["papers"] == len(papers)

        # CSV: no paper lost, ids and titles intact, every mention's paper known
        table = read_csv(out / "papers.csv")
        assert len(table) == len(papers)
        assert sorted(table["paper_id"]) == sorted(papers["paper_id"])
        by_id = dict(zip(table["paper_id"], table["title"]))
        for pid, title in zip(papers["paper_id"], papers["title"]):
            assert by_id[pid] == as_csv_reads_back(title)
        mentions = read_csv(out / "mentions.csv")
        assert len(mentions) == len(kg.mentions)
        assert set(mentions["paper_id"]) <= set(papers["paper_id"])
        concepts = read_csv(out / "concepts.csv")
        assert sorted(concepts["concept_id"]) == sorted(kg.concepts["concept_id"])
        for name in ("paper_links", "concept_links"):
            links = read_csv(out / f"{name}.csv")
            assert len(links) == len(getattr(kg, name))
            assert (links["weight"].astype(float) > 0).all(), name  # no empty (NaN) or zero weight

        # HTML: titles are data, never markup
        for name, count in script_tags_of_a_plain_build().items():
            page = (out / name).read_text(encoding="utf-8")
            assert page.lower().count("<script") == count, name
            for markup in ("<script>alert", "<img src=x", "<!-- comment", "]]>"):
                assert markup not in page, (name, markup)


@settings(max_examples=30, deadline=None)
@example([("a bare\rCR once split a CSV row", "\r"), ("\ud800\x00", "\r\n")])
@given(st.lists(st.tuples(st.text(any_char), st.text(any_char)), min_size=1, max_size=5))
def test_lone_surrogates_and_controls_in_any_attribute_or_id(pairs):
    """Strings no file can carry (lone surrogates, NUL, bare CR) straight into every text column, and
    controls into the ids (pandas' groupby cannot hold a surrogate in a key, so ids have none)."""
    papers = pd.DataFrame({
        "paper_id": [f"p{i}{SURROGATE.sub('', t[:3])}" for i, (t, _) in enumerate(pairs)],
        "title": [t for t, _ in pairs], "abstract": [a for _, a in pairs],
        "year": pd.array([None] * len(pairs), dtype="Int64"), "authors": [a for _, a in pairs],
        "doi": "", "url": "", "source": [a for _, a in pairs]}, dtype=object)
    ids = [xml_clean(p) for p in papers["paper_id"]]
    if len(set(ids)) < len(ids):  # ids that differ only in XML-forbidden characters: refused by design
        return
    cands = pd.DataFrame([{"paper_id": p, "key": "flow", "display": "flow", "in_title": True, "position": 0,
                           "sent_start": True, "pattern": "N"} for p in papers["paper_id"]],
                         columns=CANDIDATE_COLUMNS, dtype=object).astype({"in_title": bool, "sent_start": bool})
    kg = knowledge_graph(papers, cands)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        write_outputs(kg, out)
        for reader, name in ((nx.read_graphml, "graph.graphml"), (nx.read_gexf, "graph.gexf")):
            G = reader(out / name)
            assert G.number_of_nodes() == kg.graph.number_of_nodes() == len(pairs) + 1
            assert G.number_of_edges() == kg.graph.number_of_edges() == len(pairs)
        table = read_csv(out / "papers.csv")
        assert sorted(table["paper_id"]) == sorted(map(as_csv_reads_back, papers["paper_id"]))
        assert sorted(table["title"]) == sorted(map(as_csv_reads_back, papers["title"]))
        assert sorted(table["abstract"]) == sorted(map(as_csv_reads_back, papers["abstract"]))
        json.loads((out / "graph.json").read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- the graph writers on any graph
ATTRIBUTE_NAMES = ["a", "b", "kind", "title", "label", "weight", "id", "start", "type", "source", "v\u00e9rt\u00e9x"]
attribute_values = st.one_of(
    st.none(), st.booleans(), st.integers(-2 ** 62, 2 ** 62), st.sampled_from([0, 1, -1, 2 ** 53 + 1]),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e30, 1e30).map(np.float32),
    st.integers(-1000, 1000).map(np.int64), st.just(np.bool_(True)), st.sampled_from(["paper", "concept"]),
    st.text(any_char, max_size=12), st.lists(st.integers(0, 9), max_size=3), st.just(pd.NA),
)
attributes = st.dictionaries(st.sampled_from(ATTRIBUTE_NAMES), attribute_values, max_size=4)


@st.composite
def any_graphs(draw):
    """Small graphs whose ids and attributes hold any value a user might put there."""
    ids = draw(st.lists(st.one_of(st.text(any_char, min_size=1, max_size=8), st.integers(0, 50)),
                        min_size=1, max_size=8, unique_by=lambda v: xml_clean(v)))
    graph = nx.Graph()
    for node in ids:
        graph.add_node(node, **draw(attributes))
    for _ in range(draw(st.integers(0, 12))):
        u, v = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        graph.add_edge(u, v, **draw(attributes))
    return graph


def plain(value):
    """A value as the graph files carry it (None: left out)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(f"{float(value):.6g}") if math.isfinite(value) else None
    if isinstance(value, list):
        return xml_clean("; ".join(map(str, value)))
    return xml_clean(value)


def plain_attributes(dicts: list[dict]) -> list[dict]:
    """The attribute dicts as the files carry them: plain values, one type per attribute (int and
    float mixed become float, other mixes str)."""
    out = [{} for _ in dicts]
    for name in set().union(*dicts):
        values = [plain(d.get(name)) for d in dicts]
        types = {type(v) for v in values} - {type(None)}
        cast = (lambda v: v) if len(types) < 2 else float if types == {int, float} else str
        for d, v in zip(out, values):
            if v is not None:
                d[str(name)] = cast(v)
    return out


def expected_graph(graph: nx.Graph) -> tuple[dict, dict]:
    """(node id -> attributes, {end ids} -> attributes) that the graph files should hold."""
    nodes = list(graph)
    node_data = plain_attributes([graph.nodes[v] for v in nodes])
    for d in node_data:  # Gephi and Cytoscape show a paper's title
        if "label" not in d and d.get("kind") == "paper" and d.get("title"):
            d["label"] = d["title"]
    edges = list(graph.edges)
    edge_data = plain_attributes([graph.edges[e] for e in edges])
    return (dict(zip(map(xml_clean, nodes), node_data)),
            {frozenset(map(xml_clean, e)): d for e, d in zip(edges, edge_data)})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_graphs())
def test_graph_files_read_back_with_plain_typed_attributes(graph):
    """GraphML and node-link JSON read back every node, edge and attribute, cleaned and typed; GEXF
    too, less what GEXF itself reserves (label, weight, ids). Nodes and edges come sorted."""
    expected_nodes, expected_edges = expected_graph(graph)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        export.write_graphml(graph, tmp / "g.graphml")
        columns = export.GraphColumns.from_graph(graph)  # what write_outputs hands the writers
        export.write_gexf(columns, tmp / "g.gexf")
        export.write_json(columns, tmp / "g.json")
        G = nx.read_graphml(tmp / "g.graphml")
        X = nx.read_gexf(tmp / "g.gexf")
        J = nx.node_link_graph(json.loads((tmp / "g.json").read_text(encoding="utf-8")), edges="edges")
    assert list(G.nodes) == sorted(expected_nodes)
    assert [tuple(sorted(e)) for e in G.edges] == sorted(tuple(sorted(map(xml_clean, e))) for e in graph.edges)
    assert typed(G.nodes(data=True)) == typed(expected_nodes.items())
    assert {frozenset((u, v)): typed(d.items()) for u, v, d in G.edges(data=True)} == \
        {e: typed(d.items()) for e, d in expected_edges.items()}
    assert typed(J.nodes(data=True)) == typed((v, {k: x for k, x in d.items() if k != "id"})
                                             for v, d in expected_nodes.items())
    assert {frozenset((u, v)): typed(d.items()) for u, v, d in J.edges(data=True)} == \
        {e: typed((k, x) for k, x in d.items() if k not in ("source", "target")) for e, d in expected_edges.items()}
    gexf_nodes = {}
    for v, d in expected_nodes.items():
        renamed = {(k + "_" if k in {"id", "start", "end", "pid", "viz", "parents", "slices", "spells"} else k): x
                   for k, x in d.items() if k != "label"}
        gexf_nodes[v] = {**renamed, "label": str(d["label"]) if "label" in d else v}
    assert typed(X.nodes(data=True)) == typed(gexf_nodes.items())
    for u, v, d in X.edges(data=True):
        want = expected_edges[frozenset((u, v))]
        numeric = isinstance(want.get("weight"), (int, float)) and not isinstance(want.get("weight"), bool)
        got = {k: x for k, x in d.items() if k != "id"}
        renamed = {(k + "_" if k in {"id", "label", "type", "start", "end"} else k): x for k, x in want.items()
                   if not (k == "weight" and numeric)}
        if numeric:
            renamed["weight"] = float(want["weight"])
        assert typed(got.items()) == typed(renamed.items())


def typed(items) -> dict:
    """Items as a dict of (type, value) pairs, so 1 and 1.0 and True differ (NaN never occurs)."""
    out = {}
    for key, value in items:
        out[key] = typed(value.items()) if isinstance(value, dict) else (type(value), value)
    return out
