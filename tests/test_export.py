"""Output files: what is written, that it reads back, that it is the same every time,
that the HTML is offline and treats titles as text, and that folders are handled safely."""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from conftest import SMALL_RECORDS, make_kg, random_records

from kgraph import explorer, export
from kgraph.errors import OutputError
from kgraph.layout import layout

DATA = Path(__file__).parent / "data"
NASTY = "Control\x00chars\x0b and a lone \ud800 surrogate, a \"quote\", a comma,\nand a newline"


@pytest.fixture
def nasty_kg():
    """The small graph with one title full of characters XML cannot carry."""
    kg = make_kg(SMALL_RECORDS, focus=["flow"])
    kg.papers["title"] = kg.papers["title"].astype(object)  # pandas' arrow strings refuse lone surrogates
    kg.papers.loc[kg.papers["paper_id"] == "p01", "title"] = NASTY
    kg.graph.nodes["paper:p01"]["title"] = NASTY
    return kg


@pytest.fixture
def written(small_kg, tmp_path):
    out = tmp_path / "out"
    return out, export.write_outputs(small_kg, out)


def test_write_outputs_writes_every_file_and_the_marker(written):
    out, paths = written
    # a look-alike KnowledgeGraph cannot save itself, so there is no saved build
    assert [p.name for p in paths] == [f for f in export.OUTPUT_FILES if f != export.SAVE_FILE]
    assert all(p.parent == out.absolute() and p.stat().st_size > 0 for p in paths)
    assert sorted(p.name for p in out.iterdir()) == sorted([p.name for p in paths] + [export.MARKER])
    assert paths.notes == []  # everything fits in the HTML
    assert not [p for p in out.parent.iterdir() if ".kgraph-" in p.name]  # no staging folder left


def test_same_graph_gives_byte_identical_files(small_kg, tmp_path):
    first = export.write_outputs(small_kg, tmp_path / "a")
    second = export.write_outputs(small_kg, tmp_path / "b")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_graphml_gexf_and_json_read_back_with_the_same_graph(nasty_kg, tmp_path):
    out = tmp_path / "out"
    export.write_outputs(nasty_kg, out)
    G = nasty_kg.graph
    for H in (nx.read_graphml(out / "graph.graphml"), nx.read_gexf(out / "graph.gexf"),
              nx.node_link_graph(json.loads((out / "graph.json").read_text("utf-8")), edges="edges")):
        assert H.number_of_nodes() == G.number_of_nodes()
        assert H.number_of_edges() == G.number_of_edges()
        assert set(H.nodes) == set(G.nodes)
    H = nx.read_graphml(out / "graph.graphml")
    paper, concept = H.nodes["paper:p02"], H.nodes["concept:normalizing flow"]
    assert paper["kind"] == "paper" and paper["bipartite"] == 0 and paper["year"] == 2021
    assert paper["label"] == "Normalizing flows for lattice field theory"  # Gephi/Cytoscape show titles
    assert concept["focus"] is True and H.nodes["concept:sampling"]["focus"] is False  # narrower than "flow"
    assert isinstance(concept["doc_freq"], int) and isinstance(H.edges["paper:p02", "concept:sampling"]["weight"], float)
    # XML-forbidden characters and the lone surrogate are gone, the rest of the title is intact
    assert H.nodes["paper:p01"]["title"] == NASTY.replace("\x00", "").replace("\x0b", "").replace("\ud800", "\ufffd")


def test_gexf_carries_colours_sizes_positions_and_no_date(written):
    out, _ = written
    text = (out / "graph.gexf").read_text("utf-8")
    assert "lastmodifieddate" not in text
    G = nx.read_gexf(out / "graph.gexf")
    viz = G.nodes["concept:language model"]["viz"]
    assert set(viz) >= {"color", "size", "position"}
    assert (viz["color"]["r"], viz["color"]["g"], viz["color"]["b"]) != (0, 0, 0)
    # papers of one community share a colour
    colour = {v: tuple(G.nodes[v]["viz"]["color"][c] for c in "rgb") for v in ("paper:p06", "paper:p07")}
    assert colour["paper:p06"] == colour["paper:p07"]


def test_the_projections_are_graph_files_with_typed_attributes_and_the_views_colours(nasty_kg, tmp_path):
    out = tmp_path / "out"
    export.write_outputs(nasty_kg, out)
    views = explorer.build_views(nasty_kg)
    for name, view, table, key in (("paper_graph", "papers", nasty_kg.papers, "paper_id"),
                                   ("concept_graph", "concepts", nasty_kg.concepts, "concept_id")):
        G = getattr(nasty_kg, name)
        for H in (nx.read_graphml(out / f"{name}.graphml"), nx.read_gexf(out / f"{name}.gexf")):
            assert set(H.nodes) == set(G.nodes) and H.number_of_edges() == G.number_of_edges()
            for u, v in G.edges:
                assert H.edges[u, v]["weight"] == pytest.approx(G.edges[u, v]["weight"], rel=1e-5)
        H = nx.read_graphml(out / f"{name}.graphml")
        rows = table.set_index(key)
        for node in list(G.nodes)[:5]:
            assert H.nodes[node]["community"] == rows.at[node, "community"]
            assert isinstance(H.nodes[node]["pagerank"], float) and isinstance(H.nodes[node]["degree"], int)
        gexf = nx.read_gexf(out / f"{name}.gexf")
        for node in list(G.nodes)[:5]:  # the colour of the node in its HTML view
            colour = gexf.nodes[node]["viz"]["color"]
            assert "#%02x%02x%02x" % (colour["r"], colour["g"], colour["b"]) == views[view].color(node)
    H = nx.read_graphml(out / "paper_graph.graphml")
    assert H.nodes["p02"]["label"] == "Normalizing flows for lattice field theory" and H.nodes["p02"]["year"] == 2021
    assert "year" not in H.nodes["p07"]  # no year: no value, not a made-up one
    C = nx.read_graphml(out / "concept_graph.graphml")
    assert C.nodes["language model"]["doc_freq"] == 4  # (reach, in a real build: test_trends)
    assert isinstance(C.nodes["language model"]["mean_year"], float)


def test_graph_files_type_every_attribute_once(tmp_path):
    G = nx.Graph()
    G.add_node("a", score=1, tags=["x", "y"], missing=None, nan=float("nan"), flag=True)
    G.add_node("b", score=2.5, tags="z")
    G.add_edge("b", "a", weight=1)
    export.write_graphml(G, tmp_path / "g.graphml")
    H = nx.read_graphml(tmp_path / "g.graphml")
    assert list(H.nodes) == ["a", "b"]
    assert H.nodes["a"] == {"score": 1.0, "tags": "x; y", "flag": True}  # int+float -> float; None/NaN dropped
    assert H.nodes["b"]["score"] == 2.5


def test_csv_tables_round_trip_with_contract_columns_first(nasty_kg, tmp_path):
    out = tmp_path / "out"
    export.write_outputs(nasty_kg, out)
    for name, columns in export.TABLE_COLUMNS.items():
        table = pd.read_csv(out / f"{name}.csv", keep_default_na=False, dtype=str)
        assert list(table.columns[: len(columns)]) == columns, name
        assert len(table) == len(getattr(nasty_kg, name)), name
    papers = pd.read_csv(out / "papers.csv", keep_default_na=False).set_index("paper_id")
    original = nasty_kg.papers.set_index("paper_id")
    expected_title = NASTY.replace("\ud800", "\ufffd")  # CSV keeps control characters; only surrogates go
    assert papers.at["p01", "title"] == expected_title
    for pid in original.index.drop("p01"):
        assert papers.at[pid, "title"] == original.at[pid, "title"]
        assert papers.at[pid, "abstract"] == original.at[pid, "abstract"]
    assert papers.at["p07", "year"] == ""  # unknown year: an empty field
    mentions = pd.read_csv(out / "mentions.csv", keep_default_na=False)
    assert mentions["in_title"].dtype == bool and mentions["rank"].dtype == "int64"
    links = pd.read_csv(out / "paper_links.csv", keep_default_na=False)
    assert (links["source"] < links["target"]).all()
    assert set(links["shared"].str.split("; ").explode()) <= set(nasty_kg.concepts["concept_id"])


def test_summary_json_has_counts_and_files_but_no_timings(written, small_kg):
    out, _ = written
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["papers"] == len(small_kg.papers)
    assert summary["outputs"] == [f for f in export.OUTPUT_FILES if f != export.SAVE_FILE]
    assert "timings" not in summary and "timings" not in json.dumps(summary)


# ----------------------------------------------------------------------------- folder safety
def test_a_folder_kgraph_did_not_make_is_refused_without_force(small_kg, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with pytest.raises(OutputError, match="not made by kgraph; use --force"):
        export.write_outputs(small_kg, out)
    with pytest.raises(OutputError):
        export.check_output_dir(out)
    assert sorted(p.name for p in out.iterdir()) == ["thesis.tex"]
    # with force kgraph writes its files and keeps the others
    export.write_outputs(small_kg, out, force=True)
    assert (out / "thesis.tex").read_text() == "precious"
    assert (out / "graph.html").exists() and export.is_kgraph_dir(out)


def test_empty_or_missing_folders_are_fine_and_a_file_is_refused(small_kg, tmp_path):
    (tmp_path / "empty").mkdir()
    export.write_outputs(small_kg, tmp_path / "empty")
    export.write_outputs(small_kg, tmp_path / "new" / "nested")
    assert (tmp_path / "new" / "nested" / "papers.csv").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        export.write_outputs(small_kg, tmp_path / "file", force=True)


def test_rewriting_a_kgraph_folder_replaces_old_files_and_keeps_the_users(small_kg, tmp_path):
    out = tmp_path / "out"
    export.write_outputs(small_kg, out)
    (out / "notes.md").write_text("mine")
    marker = json.loads((out / export.MARKER).read_text())
    marker["files"].append("old_output.csv")  # a file an older kgraph wrote
    (out / export.MARKER).write_text(json.dumps(marker))
    (out / "old_output.csv").write_text("stale")
    export.write_outputs(small_kg, out)
    assert (out / "notes.md").read_text() == "mine"
    assert not (out / "old_output.csv").exists()


@pytest.mark.parametrize("writer", ["write_html", "write_gexf"])  # the first file written, a later one
def test_a_failed_write_leaves_the_previous_outputs_untouched(small_kg, tmp_path, monkeypatch, writer):
    out = tmp_path / "out"
    export.write_outputs(small_kg, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, writer, broken)
    changed = make_kg(SMALL_RECORDS[:6])
    with pytest.raises(RuntimeError, match="disk full"):
        export.write_outputs(changed, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if ".kgraph-" in p.name]


def test_writing_into_the_current_directory_replaces_files_in_place(small_kg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    export.write_outputs(small_kg, ".")
    export.write_outputs(small_kg, ".")
    assert export.is_kgraph_dir(tmp_path) and (tmp_path / "graph.gexf").exists()
    assert not [p for p in tmp_path.iterdir() if ".kgraph-" in p.name]


def test_a_new_build_removes_the_working_folders_a_killed_build_left(small_kg, tmp_path):
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()  # a process id that is gone

    def leftover(name, files=("graph.html", "papers.csv.tmp"), age=0.0):
        folder = tmp_path / name
        folder.mkdir()
        for f in files:
            (folder / f).write_text("half written")
        stamp = time.time() - age
        os.utime(folder, (stamp, stamp))
        return folder

    killed = leftover(f".out.kgraph-new-{dead}-x1y2z3")  # its build was killed
    swapped = leftover(f".out.kgraph-old-{dead}-a1b2c3", files=("graph.graphml", export.MARKER))
    older = leftover(".out.kgraph-new-k9j8h7", age=2 * 3600)  # no process id (an older kgraph), hours old
    running = leftover(f".out.kgraph-new-{os.getppid()}-q1w2e3")  # its process is alive: a build under way
    recent = leftover(".out.kgraph-new-r5t6y7", age=60)  # no process id, a minute old
    users = leftover(f".out.kgraph-old-{dead}-u1v2w3", files=("graph.html", "thesis.tex"))  # holds a user's file
    other = leftover(f".other.kgraph-new-{dead}-o1p2q3")  # next to another output folder
    mine = tmp_path / ".out.kgraph-new-notes"  # a file, not a folder
    mine.write_text("mine")

    export.write_outputs(small_kg, tmp_path / "out")
    assert not killed.exists() and not swapped.exists() and not older.exists()
    assert running.exists() and recent.exists() and users.exists() and other.exists() and mine.exists()
    assert (users / "thesis.tex").read_text() == "half written"
    assert export.remove_stale_staging(tmp_path, "out") == []  # nothing more to remove


# ----------------------------------------------------------------------------- HTML (static checks)
def test_html_is_offline_and_embeds_hostile_titles_as_escaped_data(written):
    out, _ = written
    for name in ("graph.html", "papers.html", "concepts.html", "index.html"):
        page = (out / name).read_text("utf-8")
        assert "Content-Security-Policy" in page and "default-src 'none'" in page
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), name
        assert "<link rel=\"stylesheet\"" not in page
        assert "<img" not in page and "alert(1)</script>" not in page, name
    page = (out / "graph.html").read_text("utf-8")
    assert _start_tags(page) == {"html", "head", "meta", "link", "title", "style", "body", "div", "aside",
                                 "header", "h1", "nav", "p", "input", "ul", "details", "summary", "button",
                                 "label", "output", "script"}  # no <img>, <iframe>, ... from the data
    assert _start_tags(page, "script") == 3  # data, vis-network, kgraph
    data = json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1))
    titles = {n["info"].get("title") for n in data["nodes"] if n["kind"] == "paper"}
    assert "<img src=x onerror=alert(1)>" in titles and "</script><script>alert(1)</script>" in titles


def _start_tags(page: str, count: str | None = None):
    """The set of element names an HTML parser sees (or how many ``count`` elements)."""
    from html.parser import HTMLParser

    seen = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            seen.append(tag)

    Parser().feed(page)
    return seen.count(count) if count else set(seen)


def test_views_draw_every_node_and_say_what_they_leave_out(small_kg):
    views = explorer.build_views(small_kg)
    assert len(views["graph"].nodes) == small_kg.graph.number_of_nodes()
    assert len(views["papers"].nodes) == len(small_kg.papers)
    assert len(views["concepts"].nodes) == int(small_kg.concepts["selected"].sum())
    assert all(v.notes == [] for v in views.values())

    big = make_kg(random_records(300, 150, seed=3), max_html_nodes=120, centrality=False)
    view = explorer.build_view(big, "graph")
    assert len(view.nodes) == 120 and len(view.edges) <= explorer.EDGES_PER_NODE * 120
    assert "Showing" in view.notes[0] and "GraphML" in view.notes[-1]
    assert set(view.positions) == set(big.graph)  # the GEXF still places every node
    page = explorer.render_view(big, view)
    assert "Showing" in page


def test_write_outputs_returns_the_html_notes(tmp_path):
    big = make_kg(random_records(200, 100, seed=4), max_html_nodes=50, centrality=False)
    paths = export.write_outputs(big, tmp_path / "out")
    assert any(n.startswith("graph.html: Showing") for n in paths.notes)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["html_notes"] == paths.notes


def test_script_json_cannot_break_out_of_its_script_element():
    text = explorer.script_json({"t": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"t": "</script><!-- & \u2028"}


def test_kg_html_and_show_for_notebooks(small_kg):
    page = explorer.kg_html(small_kg, "concepts")
    assert page.startswith("<!DOCTYPE html>") and "Concepts: co-occurrence and hierarchy" in page
    frame = explorer.show(small_kg, view="papers", height="500px")
    assert '<iframe srcdoc="&lt;!DOCTYPE html&gt;' in frame.data
    assert "height:500px" in frame.data and "<script" not in frame.data
    with pytest.raises(ValueError, match="view must be one of"):
        explorer.kg_html(small_kg, "nope")
    with pytest.raises(ValueError, match="CSS length"):
        explorer.show(small_kg, height="1px;background:url(x)")


def test_layout_is_seeded(small_kg):
    kg = make_kg(random_records(500, 300, seed=1), centrality=False)
    first = layout(kg.graph, seed=7)
    assert len(first) == kg.graph.number_of_nodes()
    assert layout(kg.graph, seed=7) == first
    assert layout(small_kg.graph, seed=8) != layout(small_kg.graph, seed=9)


def test_layout_draws_communities_as_separate_regions():
    import numpy as np

    # four dense groups of 150 nodes, a few links across: enough nodes for the grid repulsion
    G = nx.Graph()
    groups = {}
    for g in range(4):
        members = [f"g{g}n{i}" for i in range(150)]
        G.add_edges_from(nx.gnm_random_graph(150, 900, seed=g).edges())
        G = nx.relabel_nodes(G, {i: name for i, name in enumerate(members)}, copy=True)
        groups.update(dict.fromkeys(members, g))
    G.add_edges_from([("g0n0", "g1n0"), ("g1n1", "g2n1"), ("g2n2", "g3n2"), ("g3n3", "g0n3")])
    pos = layout(G, seed=3, community=groups)
    assert layout(G, seed=3, community=groups) == pos
    xy = {g: np.array([pos[v] for v in G if groups[v] == g]) for g in range(4)}
    centre = {g: p.mean(axis=0) for g, p in xy.items()}
    spread = max(float(np.sqrt(((p - centre[g]) ** 2).sum(axis=1)).mean()) for g, p in xy.items())
    apart = min(float(np.hypot(*(centre[a] - centre[b]))) for a in range(4) for b in range(a + 1, 4))
    assert apart > 2 * spread  # each group's region is clear of the others


# ----------------------------------------------------------------------------- a real build
@pytest.fixture(scope="module")
def real_kg(tmp_path_factory):
    import kgraph

    from pathlib import Path
    data = Path(__file__).parent / "data" / "small.jsonl"
    return kgraph.build(data, cache_dir=None, min_df=1)


def test_real_build_exports_and_reads_back(real_kg, tmp_path):
    paths = export.write_outputs(real_kg, tmp_path / "out")
    again = export.write_outputs(real_kg, tmp_path / "again")
    assert [p.name for p in paths] == export.OUTPUT_FILES
    for a, b in zip(paths, again):
        pairs = [(f, b / f.name) for f in a.iterdir()] if a.is_dir() else [(a, b)]  # the saved build's files too
        for x, y in pairs:
            assert x.read_bytes() == y.read_bytes(), x.name
    from kgraph.pipeline import KnowledgeGraph
    assert len(KnowledgeGraph.load(tmp_path / "out").papers) == len(real_kg.papers)
    G = nx.read_graphml(tmp_path / "out" / "graph.graphml")
    assert G.number_of_nodes() == real_kg.graph.number_of_nodes()
    assert G.number_of_edges() == real_kg.graph.number_of_edges()
    assert nx.read_gexf(tmp_path / "out" / "graph.gexf").number_of_nodes() == G.number_of_nodes()
    papers = pd.read_csv(tmp_path / "out" / "papers.csv", keep_default_na=False, dtype=str)
    assert sorted(papers["title"]) == sorted(real_kg.papers["title"])


def test_html_pages_and_tables_can_be_written_one_by_one(small_kg, tmp_path):
    some = explorer.write_html(small_kg, tmp_path / "a", pages=["papers", "index"])
    assert [p.name for p in some] == ["papers.html", "index.html"]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["index.html", "papers.html"]
    explorer.write_html(small_kg, tmp_path / "b")  # all at once: the same bytes
    for p in some:
        assert p.read_bytes() == (tmp_path / "b" / p.name).read_bytes(), p.name
    with pytest.raises(ValueError, match="pages must be among"):
        explorer.write_html(small_kg, tmp_path / "c", pages=["graph", "nope"])
    (tmp_path / "t").mkdir()
    paths = export.write_tables(small_kg, tmp_path / "t", names=["mentions"])
    assert [p.name for p in paths] == ["mentions.csv"] and os.listdir(tmp_path / "t") == ["mentions.csv"]
    with pytest.raises(ValueError, match="names must be among"):
        export.write_tables(small_kg, tmp_path / "t", names=["links"])


@pytest.mark.timeout(60)
def test_a_view_without_communities_gets_them_even_where_networkx_louvain_never_ends():
    """A table-only graph without the analysis' communities is coloured by kgraph's Louvain,
    which ends where networkx's moves nodes back and forth for ever (seeds 0, 1, 13 here)."""
    import types

    edges = [(0, 1), (0, 2), (0, 5), (0, 6), (1, 2), (1, 4), (2, 3), (2, 5), (2, 6), (3, 4)]
    ids = [f"p{i}" for i in range(8)]  # p7 has no links
    papers = pd.DataFrame({"paper_id": ids, "title": [f"Paper {i}" for i in range(8)]})
    links = pd.DataFrame({"source": [ids[a] for a, _ in edges], "target": [ids[b] for _, b in edges], "weight": 1.0})
    for seed in (0, 1, 13):
        kg = types.SimpleNamespace(papers=papers, paper_links=links,
                                   config=types.SimpleNamespace(seed=seed, max_html_nodes=100))
        view = explorer.build_view(kg, "papers")
        assert view.group == {"p0": 0, "p1": 1, "p2": 0, "p3": 1, "p4": 1, "p5": 0, "p6": 0, "p7": -1}


@pytest.mark.parametrize("errno_name", ["ENOSPC", "EDQUOT", "EACCES"])
def test_a_full_disk_is_one_line_and_the_previous_outputs_stay(tmp_path, monkeypatch, errno_name):
    """A write that fails (a full disk, a quota, no permission) names the folder, and nothing is swapped in."""
    import errno

    from click.testing import CliRunner

    from kgraph import cli

    out = tmp_path / "out"
    first = CliRunner().invoke(cli.app, ["build", str(DATA / "small.jsonl"), "--out", str(out), "--no-cache", "-q"])
    assert first.exit_code == 0, first.output
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    code = getattr(errno, errno_name)

    def no_space(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(export, "write_graphml", no_space)
    r = CliRunner().invoke(cli.app, ["build", str(DATA / "small.jsonl"), "--out", str(out), "--no-cache", "--min-df",
                                     "1", "-q"])
    assert r.exit_code == 2
    lines = [line for line in r.output.splitlines() if line.startswith("kgraph: error")]  # (warnings aside)
    assert len(lines) == 1 and str(out) in lines[0], r.output
    assert os.strerror(code) in lines[0] and "Traceback" not in r.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if "kgraph-new" in p.name or "kgraph-old" in p.name]
