"""Time (issue 26): concepts' years and growth, communities by period, the trends page, kg.trends and
kg.timeline; a corpus without years, or with one, builds as before and says so."""
from __future__ import annotations

import json
import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import kgraph
from kgraph import trends, trendspage
from kgraph.cli import app


def tables(papers: list[tuple[str, int | None, list[str]]], broader: dict[str, str] | None = None):
    """papers, concepts and mentions tables from ``(paper_id, year, concept_ids)`` rows."""
    broader = broader or {}
    frame = pd.DataFrame({"paper_id": [p for p, _, _ in papers],
                          "year": pd.array([y for _, y, _ in papers], dtype="Int64"), "community": -1})
    mentions = pd.DataFrame([(p, c) for p, _, cs in papers for c in cs], columns=["paper_id", "concept_id"])
    ids = sorted(set(mentions["concept_id"]) | set(broader.values()))
    concepts = pd.DataFrame({"concept_id": ids, "label": ids, "broader": [broader.get(c, "") for c in ids],
                             "selected": True, "aliases": ""})
    return frame, concepts, mentions


def field(years=range(2010, 2022), per_year=30):
    """A made-up field: "filler" on every paper; "new method" rising steadily from 2014 to 2021;
    "old method" fading; "fad" on three papers of the last year only; "deep new method" narrower
    than "new method"."""
    rows, i = [], 0
    for y in years:
        k = y - years[0]
        for j in range(per_year):
            concepts = ["filler"]
            if k >= 4 and j < 2 * (k - 3):
                concepts.append("new method" if j % 2 else "deep new method")
            if j >= per_year - max(12 - k, 0):
                concepts.append("old method")
            if y == years[-1] and j in (5, 6, 7):
                concepts.append("fad")
            rows.append((f"p{i:04d}", y, concepts))
            i += 1
    return tables(rows, broader={"deep new method": "new method"})


def test_growth_finds_the_rising_and_the_fading_and_three_new_papers_do_not_top_it():
    papers, concepts, mentions = field()
    concepts, _, years = trends.add_years(papers, concepts, mentions, pd.DataFrame({"community": []}))
    by = concepts.set_index("concept_id")
    assert by.at["new method", "growth"] > by.at["fad", "growth"] > 0
    assert by.at["old method", "growth"] < 0 < by.at["new method", "growth"]
    assert abs(by.at["filler", "growth"]) < 1e-9  # on every paper: a steady share
    top = trends.rising_and_fading(concepts, years, papers, k=2)
    assert top[top["trend"] == "rising"]["concept_id"].tolist()[0] == "new method"
    assert top[top["trend"] == "fading"]["concept_id"].tolist() == ["old method"]
    assert top.attrs["recent_from"] == 2018  # the latest years holding a third of the papers
    # three papers in the last year score about half a doubling, not more
    assert 0.3 < by.at["fad", "growth"] < 0.8


def test_years_count_the_papers_of_narrower_concepts():
    papers, concepts, mentions = field()
    concepts, _, years = trends.add_years(papers, concepts, mentions, pd.DataFrame({"community": []}))
    by = concepts.set_index("concept_id")
    # "new method" reaches the papers of "deep new method" too
    new = years[years["concept_id"] == "new method"]
    deep = years[years["concept_id"] == "deep new method"]
    assert new["papers"].sum() > deep["papers"].sum() > 0
    assert by.at["new method", "first_year"] == 2014
    assert by.at["old method", "mean_year"] < by.at["filler", "mean_year"] < by.at["new method", "mean_year"]
    assert list(years.columns) == ["concept_id", "year", "papers"]
    assert years.equals(years.sort_values(["concept_id", "year"]).reset_index(drop=True))
    # mean_year is the mean year of the papers on the concept or a narrower one
    expected = (new["year"] * new["papers"]).sum() / new["papers"].sum()
    assert by.at["new method", "mean_year"] == pytest.approx(expected)


def test_timeline_fills_every_year_and_gives_the_share():
    papers, concepts, mentions = field()
    years = trends.concept_years(concepts, mentions, papers)
    line = trends.timeline("fad", years, papers)
    assert line["year"].tolist() == list(range(2010, 2022))
    assert line["papers"].tolist() == [0] * 11 + [3]
    assert line["share"].iloc[-1] == pytest.approx(3 / 30)


@pytest.mark.parametrize("years", [[None] * 6, [2021] * 6, [2021, None, 2021, None, None, 2021]])
def test_no_years_or_one_year_gives_empty_answers_not_errors(years):
    rows = [(f"p{i}", y, ["a", "b"] if i % 2 else ["a"]) for i, y in enumerate(years)]
    papers, concepts, mentions = tables(rows)
    comm = pd.DataFrame({"community": [0, -1], "size": [3, 3], "label": ["a", "(no links)"]})
    papers["community"] = [0, 0, 0, -1, -1, -1]
    concepts, comm, table = trends.add_years(papers, concepts, mentions, comm)
    assert concepts["growth"].isna().all() and comm["growth"].isna().all()
    assert trends.rising_and_fading(concepts, table, papers).empty
    dated = any(y is not None for y in years)
    assert len(table) == (2 if dated else 0)
    assert concepts["mean_year"].notna().all() == dated
    assert str(concepts["first_year"].dtype) == "Int64"
    line = trends.timeline("a", table, papers)
    assert line["papers"].tolist() == ([years.count(2021)] if dated else [])


def test_community_median_year_and_growth():
    papers = pd.DataFrame({"paper_id": [f"p{i}" for i in range(40)],
                           "year": pd.array([2015 + i % 8 for i in range(40)], dtype="Int64"),
                           "community": [0 if i % 8 < 4 else 1 for i in range(40)]})
    comm = trends.community_years(papers, pd.DataFrame({"community": [0, 1, 2]}))
    assert comm["median_year"].tolist()[:2] == [2016.5, 2020.5] and np.isnan(comm["median_year"].iloc[2])
    assert comm["growth"].iloc[0] < 0 < comm["growth"].iloc[1]


def test_the_page_draws_svg_charts_under_the_strict_policy(small_kg):
    page = trendspage.render_trends(small_kg, k=3)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in policy and "script-src ;" in policy  # no script at all
    assert "<script" not in page and "http://" not in page.replace("http://www.w3", "")
    assert page.count("<svg") >= 2 and "Rising" in page and "Fading" in page
    assert "Paper communities by period" in page
    # a hostile label is text
    small_kg.concepts.loc[0, "label"] = "<img src=x onerror=alert(1)>"
    assert "<img src=x" not in trendspage.render_trends(small_kg)


def test_the_page_says_when_there_are_no_years(small_kg):
    small_kg.papers["year"] = pd.array([None] * len(small_kg.papers), dtype="Int64")
    small_kg.concepts, small_kg.communities, small_kg.concept_years = trends.add_years(
        small_kg.papers, small_kg.concepts, small_kg.mentions, small_kg.communities)
    page = trendspage.render_trends(small_kg)
    assert "No paper of this build has a year" in page and "<svg" not in page


# ----------------------------------------------------------------------------- real builds
def write_jsonl(path, papers, years):
    with open(path, "w", encoding="utf-8") as fh:
        for row, year in zip(papers.itertuples(), years):
            record = {"id": row.paper_id, "title": row.title, "abstract": row.abstract}
            if year is not None:
                record["year"] = year
            fh.write(json.dumps(record) + "\n")
    return path


@pytest.mark.parametrize("kind", ["none", "one", "spread"])
def test_a_real_build_with_no_years_one_year_or_many(corpus, tmp_path, kind):
    years = {"none": [None] * len(corpus), "one": [2020] * len(corpus),
             "spread": [2010 + i % 12 for i in range(len(corpus))]}[kind]
    out = tmp_path / "out"
    kg = kgraph.build(write_jsonl(tmp_path / "in.jsonl", corpus, years), out=out, cache_dir=None)
    assert kg.summary["papers_with_year"] == (0 if kind == "none" else len(corpus))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["papers_with_year"] == kg.summary["papers_with_year"]
    assert (summary["years"] is None) == (kind == "none")
    assert {"first_year", "mean_year", "growth"} <= set(kg.concepts.columns)
    assert kg.concepts["growth"].notna().any() == (kind == "spread")
    page = (out / "trends.html").read_text(encoding="utf-8")
    cy = pd.read_csv(out / "concept_years.csv", keep_default_na=False, dtype={"concept_id": str})
    assert list(cy.columns) == ["concept_id", "year", "papers"]
    comm = pd.read_csv(out / "communities.csv")
    assert {"median_year", "growth"} <= set(comm.columns)
    again = kgraph.KnowledgeGraph.load(out)
    pd.testing.assert_frame_equal(again.concept_years, kg.concept_years)
    if kind == "none":
        assert cy.empty and "No paper of this build has a year" in page and kg.trends().empty
        assert kg.timeline(kg.top_concepts(1)["label"].iloc[0]).empty
    elif kind == "one":
        assert "all of them 2020" in page and kg.trends().empty
        assert kg.timeline(kg.top_concepts(1)["label"].iloc[0])["year"].tolist() == [2020]
    else:
        assert len(cy) and "<svg" in page
        top = kg.top_concepts(1).iloc[0]
        line = kg.timeline(top["label"])
        assert line["year"].tolist() == list(range(2010, 2022))
        assert line["papers"].sum() == (cy[cy["concept_id"] == top["concept_id"]]["papers"].sum())
        assert line["papers"].sum() == top["reach"]  # every paper it reaches is dated
        rising = kg.trends(3)
        assert set(rising["trend"]) <= {"rising", "fading"} and len(rising) <= 6
        with pytest.raises(ValueError, match="no concept named"):
            kg.timeline("no such concept at all")
    result = CliRunner().invoke(app, ["trends", "--top", "3", "--build", str(out)])
    assert result.exit_code == 0, result.output
    if kind == "none":
        assert "has a year" in result.output and "trends need papers with a year" in result.output
    elif kind == "one":
        assert "are from 2020" in result.output
    else:
        assert "rising" in result.output and "fading" in result.output


def test_the_projections_read_back_with_their_types(corpus, tmp_path):
    out = tmp_path / "out"
    kg = kgraph.build(write_jsonl(tmp_path / "in.jsonl", corpus, [2015 + i % 5 for i in range(len(corpus))]),
                      out=out, cache_dir=None)
    for name, reader in (("paper_graph.graphml", nx.read_graphml), ("paper_graph.gexf", nx.read_gexf)):
        G = reader(out / name)
        assert set(G.nodes) == set(kg.paper_graph.nodes) and G.number_of_edges() == kg.paper_graph.number_of_edges()
        pid = kg.papers["paper_id"].iloc[0]
        node = G.nodes[pid]
        title = kg.papers["title"].iloc[0]
        assert node["label"] == title and node["year"] == 2015 and isinstance(node["pagerank"], float)
        assert isinstance(node["community"], int)
    for name, reader in (("concept_graph.graphml", nx.read_graphml), ("concept_graph.gexf", nx.read_gexf)):
        G = reader(out / name)
        assert set(G.nodes) == set(kg.concept_graph.nodes)
        top = kg.top_concepts(1).iloc[0]
        node = G.nodes[top["concept_id"]]
        assert node["label"] == top["label"] and node["reach"] == top["reach"] and node["doc_freq"] == top["doc_freq"]
        assert isinstance(node["mean_year"], float) and isinstance(node["first_year"], int)


def test_a_concept_on_exactly_the_papers_of_a_narrower_one_is_listed_once():
    # "space model" appears only inside "state space model": the same rise twice
    rows = [(f"p{i:03d}", 2010 + i // 20, ["filler"] + (["state space model"] if i >= 120 and i % 2 else []))
            for i in range(200)]
    papers, concepts, mentions = tables(rows, broader={"state space model": "space model"})
    concepts, _, years = trends.add_years(papers, concepts, mentions, pd.DataFrame({"community": []}))
    from kgraph.concepts import _reach
    concepts["reach"] = _reach(concepts, mentions).to_numpy()
    by = concepts.set_index("concept_id")
    assert by.at["space model", "growth"] == by.at["state space model", "growth"] > 0
    rising = trends.rising_and_fading(concepts, years, papers, k=5)
    assert "state space model" in rising["concept_id"].tolist()
    assert "space model" not in rising["concept_id"].tolist()
    # once the broader concept has papers of its own, it is a trend of its own
    mentions = pd.concat([mentions, pd.DataFrame({"paper_id": ["p000"], "concept_id": ["space model"]})],
                         ignore_index=True)
    concepts["reach"] = _reach(concepts, mentions).to_numpy()
    concepts, _, years = trends.add_years(papers, concepts, mentions, pd.DataFrame({"community": []}))
    assert "space model" in trends.rising_and_fading(concepts, years, papers, k=5)["concept_id"].tolist()
