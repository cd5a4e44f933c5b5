"""What the explorer's views hold for the page (Python side): budgets, colours, counts, years.

The browser tests (``test_explorer_browser.py``) check what the page does with these fields.
"""
from __future__ import annotations

import json
import re
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from conftest import SMALL_RECORDS, make_kg, random_records
from kgraph import explorer, export
from kgraph.config import BuildConfig


def _page(path) -> dict:
    text = path.read_text("utf-8")
    return json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', text, re.S).group(1))


def _sparse_kg(n_papers: int, config: BuildConfig, seed: int = 0) -> SimpleNamespace:
    """Papers and their links only (no analysis): ``n_papers`` in 40 groups, 4 links each."""
    rng = np.random.default_rng(seed)
    ids = [f"w{i:05d}" for i in range(n_papers)]
    group = np.arange(n_papers) % 40
    source = np.repeat(np.arange(n_papers), 4)
    same = rng.random(len(source)) < 0.9  # most links inside a group
    target = np.where(same, (source + 40 * rng.integers(1, 10, len(source))) % n_papers,
                      rng.integers(0, n_papers, len(source)))
    keep = source < target
    papers = pd.DataFrame({"paper_id": ids, "title": [f"Paper {i}" for i in range(n_papers)],
                           "year": pd.array([2000 + int(g) % 20 for g in group], dtype="Int64")})
    links = pd.DataFrame({"source": [ids[i] for i in source[keep]], "target": [ids[i] for i in target[keep]],
                          "weight": 1.0}).drop_duplicates(["source", "target"])
    return SimpleNamespace(papers=papers, paper_links=links, config=config)


# ----------------------------------------------------------------------------- budgets
def test_the_papers_view_shows_every_paper_up_to_5000_by_default():
    kg = _sparse_kg(5000, BuildConfig(cache_dir=None))
    assert kg.config.max_html_nodes >= 5000
    view = explorer.build_view(kg, "papers")
    assert len(view.nodes) == 5000 and view.notes == []
    data = explorer._page_data(kg, view)
    assert data["shown"] == {"papers": 5000, "concepts": 0}
    assert data["build"] == {"papers": 5000, "concepts": 0}


def test_a_smaller_budget_keeps_the_best_linked_papers_and_says_so():
    kg = _sparse_kg(600, BuildConfig(cache_dir=None, max_html_nodes=500))
    view = explorer.build_view(kg, "papers")
    assert len(view.nodes) == 500
    assert view.notes[0] == "Showing 500 of 600 papers (those with the most links)."
    data = explorer._page_data(kg, view)
    assert data["shown"]["papers"] == 500 and data["build"]["papers"] == 600


def test_the_combined_view_keeps_two_thirds_of_its_budget_for_papers():
    kg = make_kg(random_records(300, 400, seed=3), max_html_nodes=120, centrality=False)
    n_concepts = int(kg.concepts["selected"].sum())
    assert n_concepts > 120  # concepts alone would fill the page
    view = explorer.build_view(kg, "graph")
    kinds = [view.kind(v) for v in view.nodes]
    assert kinds.count("paper") == 80 and kinds.count("concept") == 40
    assert view.notes[0].startswith(f"Showing 80 of 300 papers and 40 of {n_concepts:,} concepts")
    # the concepts drawn are those most linked to the papers drawn: none is left without one
    drawn = set(view.nodes)
    assert all(any(u in drawn for u in kg.graph[v]) for v in view.nodes if view.kind(v) == "concept")
    data = explorer._page_data(kg, view)
    assert data["shown"] == {"papers": 80, "concepts": 40}
    assert data["build"] == {"papers": 300, "concepts": n_concepts}


def test_papers_take_what_the_concepts_leave():
    kg = make_kg(random_records(200, 12, per_paper=3, seed=5), max_html_nodes=100, centrality=False)
    n_concepts = int(kg.concepts["selected"].sum())
    view = explorer.build_view(kg, "graph")
    kinds = [view.kind(v) for v in view.nodes]
    assert kinds.count("concept") == n_concepts and kinds.count("paper") == 100 - n_concepts


# ----------------------------------------------------------------------------- colours
@pytest.fixture(scope="module")
def written(tmp_path_factory):
    kg = make_kg(random_records(160, 120, seed=11), centrality=False)
    out = tmp_path_factory.mktemp("views") / "out"
    export.write_outputs(kg, out)
    return kg, out


def test_a_paper_has_one_colour_in_every_view_the_legend_and_the_gexf(written):
    kg, out = written
    pages = {name: _page(out / f"{name}.html") for name in explorer.VIEWS}
    colour = {name: {n["id"]: n["color"] for n in page["nodes"]} for name, page in pages.items()}
    gexf = nx.read_gexf(out / "graph.gexf")
    papers = kg.papers["paper_id"].tolist()
    assert set(colour["papers"]) == set(papers)
    assert len({colour["papers"][p] for p in papers}) > 3  # several communities, several colours
    for p in papers:
        rgb = gexf.nodes[f"paper:{p}"]["viz"]["color"]
        assert colour["graph"][f"paper:{p}"] == colour["papers"][p] == "#%02x%02x%02x" % (rgb["r"], rgb["g"], rgb["b"])
    for c in kg.concepts.loc[kg.concepts["selected"], "concept_id"]:
        assert colour["graph"][f"concept:{c}"] == colour["concepts"][c]
    # the colour is the community's, from the build's own ids: the papers of one community share it
    community = dict(zip(kg.papers["paper_id"], kg.papers["community"]))
    by_community = {}
    for p in papers:
        by_community.setdefault(community[p], set()).add(colour["papers"][p])
    assert all(len(found) == 1 for found in by_community.values())
    # each page's legend gives every drawn colour once, with the same colour for the same community
    for name, page in pages.items():
        legend = {e["group"]: e["color"] for e in page["communities"]}
        assert len(legend) == len(page["communities"])
        for node in page["nodes"]:
            assert legend[node["group"]] == node["color"]
    named = {(e["kind"], e["community"]): e["color"] for page in pages.values() for e in page["communities"]
             if e["group"] >= 0}
    for page in pages.values():
        for e in page["communities"]:
            if e["group"] >= 0:
                assert named[(e["kind"], e["community"])] == e["color"]


def test_a_concept_community_takes_the_colour_of_the_papers_that_write_it():
    """Concept community 0 is written by paper community 1 and the other way round: the colours
    follow the papers, not the ids."""
    papers = pd.DataFrame({"paper_id": [f"p{i}" for i in range(7)], "title": [f"Paper {i}" for i in range(7)],
                           "community": [0, 0, 0, 1, 1, -1, 2]})
    concepts = pd.DataFrame({"concept_id": ["a", "b", "c", "d", "e"], "label": ["A", "B", "C", "D", "E"],
                             "community": [0, 0, 1, 1, 2], "selected": True})
    mentions = pd.DataFrame({"paper_id": ["p3", "p4", "p3", "p0", "p1", "p2", "p2", "p5", "p5"],
                             "concept_id": ["a", "a", "b", "c", "c", "d", "c", "e", "e"]})
    kg = SimpleNamespace(papers=papers, concepts=concepts, mentions=mentions, config=BuildConfig(cache_dir=None))
    colours = explorer.community_colours(kg)
    assert colours.paper_group == {0: 0, 1: 1, 2: 2}
    assert colours.group("concept", 0) == 1 and colours.group("concept", 1) == 0
    # "e" is written only by a paper without a community: its community gets a colour no paper community has
    assert colours.group("concept", 2) == 3
    assert colours.community("paper", "p5") == -1 and colours.group("paper", -1) == -1


def test_views_agree_on_colours_when_the_build_has_no_communities():
    kg = _sparse_kg(300, BuildConfig(cache_dir=None, max_html_nodes=100))
    small = explorer.build_view(kg, "papers")
    kg.config = BuildConfig(cache_dir=None)
    full = explorer.build_view(kg, "papers")
    assert len(small.nodes) == 100 and len(full.nodes) == 300
    assert all(small.color(v) == full.color(v) for v in small.nodes)


# ----------------------------------------------------------------------------- hub counts and years
@pytest.fixture
def dated_kg():
    kg = make_kg(SMALL_RECORDS, focus=["flow"])
    kg.concepts["reach"] = kg.concepts["doc_freq"] + 3
    kg.concepts["mean_year"] = 2000.0 + np.arange(len(kg.concepts)) / 3
    return kg


def test_concepts_carry_reach_beside_papers_and_their_years(dated_kg):
    kg = dated_kg
    data = explorer._page_data(kg, explorer.build_view(kg, "concepts"))
    row = kg.concepts.set_index("concept_id")
    year = dict(zip(kg.papers["paper_id"], kg.papers["year"]))
    for node in data["nodes"]:
        cid = node["id"]
        assert node["info"]["papers"] == row.loc[cid, "doc_freq"]
        assert node["info"]["reach"] == row.loc[cid, "reach"]
        assert node["year"] == round(row.loc[cid, "mean_year"], 2)
        writers = kg.mentions.loc[kg.mentions["concept_id"] == cid, "paper_id"]
        assert node["years"] == sorted({int(year[p]) for p in writers if not pd.isna(year[p])})
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id["language model"]["years"] == [2021, 2022, 2024]  # p07 has no year
    assert data["build"] == {"papers": len(kg.papers), "concepts": int(kg.concepts["selected"].sum())}


def test_papers_carry_their_year_or_null(dated_kg):
    data = explorer._page_data(dated_kg, explorer.build_view(dated_kg, "graph"))
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id["paper:p01"]["year"] == 2019 and by_id["paper:p07"]["year"] is None
    assert by_id["paper:p01"]["color"].startswith("#") and len(by_id["paper:p01"]["color"]) == 7
    assert "years" not in by_id["paper:p01"] and "reach" not in by_id["paper:p01"]["info"]
    assert by_id["concept:sampling"]["info"]["reach"] == by_id["concept:sampling"]["info"]["papers"] + 3


def test_a_corpus_without_years_or_reach_still_gives_every_view(tmp_path):
    records = [dict(r, year=None) for r in SMALL_RECORDS]
    kg = make_kg(records)
    for name in explorer.VIEWS:
        data = explorer._page_data(kg, explorer.build_view(kg, name))
        assert all(n["year"] is None for n in data["nodes"])
        assert all(n["years"] == [] and n["info"]["reach"] == -1 for n in data["nodes"] if n["kind"] == "concept")
    kg.papers = kg.papers.drop(columns=["year"])  # no year column at all
    paths = explorer.write_html(kg, tmp_path)
    data = _page(paths[0])
    assert all(n["year"] is None for n in data["nodes"])


def test_the_summary_page_gives_a_hubs_reach_beside_its_papers(dated_kg):
    kg = dated_kg
    kg.concepts.loc[kg.concepts["concept_id"] == "sampling", "score"] = 1e6  # first in the top concepts
    page = explorer.render_index(kg)
    assert "<td>sampling</td><td>3 (6 with narrower)</td>" in page
    assert explorer._papers_text({"doc_freq": 4, "reach": 4}) == "4"
    assert explorer._papers_text({"doc_freq": 4}) == "4"
