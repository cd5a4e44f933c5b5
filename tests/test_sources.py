"""The exports researchers bring (issue 24): Web of Science, Scopus, IEEE Xplore, PubMed, OpenAlex,
Semantic Scholar, Zotero's CSL-JSON and any CSV, told apart by their content, read into one papers table.

The samples (tests/data/sources, and larger ones made here) come from tests/source_samples.py, which
writes each format as its documentation describes, around the built-in corpus's titles and abstracts.
"""
from __future__ import annotations

import doctest
import importlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import source_samples as S

import kgraph
from kgraph.errors import InputError
from kgraph.sources import FORMATS, PAPER_COLUMNS, RECORD_FORMATS, clean_abstract, detect_format, read_papers
from kgraph.sources.fields import authors_text, doi_of, keywords_text, references_text, year_of
from kgraph.sources.jsonrecords import inverted_abstract

SAMPLES = Path(__file__).parent / "data" / "sources"
REF = S.corpus(8)
REF[5]["no_abstract"] = True
#: the format column of each sample, and the reader family detect_format picks for its file
KINDS = {"wos": ("wos", "wos"), "wos-tab": ("wos-tab", "tsv"), "scopus": ("scopus", "csv"), "ieee": ("ieee", "csv"),
         "medline": ("medline", "medline"), "openalex": ("openalex", "json"),
         "openalex-jsonl": ("openalex", "jsonl"), "s2": ("s2", "json"), "s2-batch": ("s2", "json"),
         "csl-json": ("csl-json", "json"), "csv": ("csv", "csv")}
NO_ABSTRACT = {"scopus", "openalex", "openalex-jsonl", "s2", "s2-batch"}  # where record 6 has none


def sample(fmt: str) -> Path:
    return SAMPLES / S.FILES[fmt]


def test_the_committed_samples_are_what_the_generator_writes(tmp_path):
    written = S.write(tmp_path, REF)
    assert {p.name for p in SAMPLES.iterdir()} == {p.name for p in written.values()}
    for fmt, path in written.items():
        assert path.read_bytes() == sample(fmt).read_bytes(), fmt


@pytest.mark.parametrize("fmt", list(S.FILES))
def test_each_format_gives_every_record_with_its_fields(fmt):
    said = []
    papers, report = read_papers([sample(fmt)], warn=said.append)
    record_format, family = KINDS[fmt]
    assert detect_format(sample(fmt)) == family
    assert report.records == report.papers + report.merged + len(report.skipped)
    assert (report.papers, report.merged) == (8, 0)
    assert report.formats == {record_format: 8} and papers["format"].eq(record_format).all()
    assert papers.columns[:len(PAPER_COLUMNS)].tolist() == PAPER_COLUMNS and papers["paper_id"].is_unique
    assert papers["title"].tolist() == [p["title"] for p in REF]
    assert papers["year"].tolist() == [p["year"] for p in REF]
    assert papers["doi"].tolist() == [p["doi"] for p in REF]
    assert papers["venue"].ne("").all()
    assert [len(a.split("; ")) for a in papers["authors"]] == [len(p["authors"]) for p in REF]
    expected = [("" if fmt in NO_ABSTRACT and p.get("no_abstract") else p["abstract"]) for p in REF]
    assert papers["abstract"].tolist() == expected  # publisher sentences and headings gone, nothing else
    if fmt in NO_ABSTRACT:
        assert any("1 paper(s) have no abstract" in m for m in said)


def table(fmt: str) -> pd.DataFrame:
    return read_papers([sample(fmt)])[0]


def test_web_of_science_plain_text_as_documented():
    papers = table("wos")
    first, second = papers.iloc[0], papers.iloc[1]
    assert first["source"] == "savedrecs.txt:3"  # after the BOM, FN and VR lines
    assert second["authors"] == "Okafor, Mia; Fischer, Claire"  # AF full names; AU continuation lines
    assert second["authors_short"] == "Okafor, M; Fischer, C"
    assert first["venue"] == "JOURNAL OF MACHINE LEARNING RESEARCH"
    assert first["keywords"] == "machine learning; deep learning"
    assert first["keywords_plus"] == "MACHINE LEARNING; DEEP LEARNING"  # ID: Keywords Plus, not an id
    assert first["accession_number"] == "WOS:000500000000000" and first["publication_type"] == "J"
    # CR: the DOI of a cited reference, else the reference as written
    assert papers.iloc[3]["references"] == "10.5555/kg.2002; 10.5555/kg.2000; Smith J, 1998, THESIS U NOWHERE"
    assert "wrapped onto" not in first["title"] and first["title"].endswith("to Misspecification")


def test_web_of_science_tab_delimited_matches_the_plain_text():
    tab, plain = table("wos-tab"), table("wos")
    for column in ("paper_id", "title", "abstract", "year", "authors", "venue", "doi", "keywords"):
        assert tab[column].tolist() == plain[column].tolist(), column
    assert tab["references"].iloc[3] == "10.5555/kg.2002; 10.5555/kg.2000"
    assert tab["accession_number"].iloc[0] == "WOS:000600000000000"


def test_scopus_csv_as_exported():
    papers = table("scopus")
    assert papers["authors"].iloc[:2].tolist() == ["Costa A.", "Okafor M.; Fischer C."]  # "Costa A., Mendes R."
    assert papers["EID"].iloc[0] == "2-s2.0-85000000000" and papers["url"].iloc[0].startswith("https://www.scopus.com/")
    assert papers["keywords"].iloc[0] == "machine learning; deep learning"
    assert papers["Index Keywords"].iloc[0] == "Machine Learning; Deep Learning"
    assert papers["references"].iloc[0].startswith("Costa, A., Some cited work, (2010)")  # as written: no DOIs


def test_ieee_xplore_csv_as_exported():
    papers = table("ieee")
    assert papers["venue"].iloc[0] == "IEEE Transactions on Machine Learning Research"
    assert papers["authors"].iloc[1] == "M. Okafor; C. Fischer"
    assert papers["keywords"].iloc[0] == "machine learning; deep learning"  # "a;b" in the export
    assert papers["url"].iloc[0] == "https://ieeexplore.ieee.org/stamp/stamp.jsp?arnumber=9000000"
    assert papers["IEEE Terms"].iloc[0] == "Machine Learning;Deep Learning"


def test_pubmed_medline_as_documented():
    papers = table("medline")
    first = papers.iloc[0]
    assert first["source"] == "pubmed.nbib:1" and first["pmid"] == "31000000"
    assert papers["authors"].iloc[1] == "Okafor, Mia; Fischer, Claire"  # FAU, not AU
    assert first["keywords"] == "machine learning; deep learning"  # OT
    assert first["venue"] == "Journal of Machine Learning Research"  # JT
    assert first["copyright"].startswith("Copyright © 2012 Elsevier")  # CI is kept, apart from the abstract
    assert first["mesh_terms"] == "Humans; *Machine Learning"
    assert "BACKGROUND" not in " ".join(papers["abstract"]) and "Copyright" not in " ".join(papers["abstract"])


def test_openalex_works_as_documented():
    papers = table("openalex")
    assert papers["paper_id"].iloc[:2].tolist() == ["W4100000000", "W4100000001"]
    assert papers["references"].iloc[3] == "W4100000002; W4100000000"  # referenced_works, as paper_ids
    assert papers["authors"].iloc[1] == "Mia Okafor; Claire Fischer"
    assert papers["url"].iloc[0] == "https://doi.org/10.5555/kg.2000"
    assert papers["cited_by_count"].iloc[3] == "3" and papers["type"].iloc[0] == "article"
    assert table("openalex-jsonl")[["paper_id", "abstract", "references"]].equals(
        papers[["paper_id", "abstract", "references"]])


def test_semantic_scholar_search_and_batch():
    papers = table("s2")
    assert papers["paper_id"].iloc[0] == "b6589fc6ab0dc82cf12099d1c2d40ab994e8410c"  # paperId
    assert papers["references"].iloc[1] == papers["paper_id"].iloc[0]  # a null paperId is left out
    assert papers["authors"].iloc[1] == "Mia Okafor; Claire Fischer"
    batch, report = read_papers([sample("s2-batch")])
    assert batch["paper_id"].tolist() == papers["paper_id"].tolist()
    assert report.skipped == [(str(sample("s2-batch")), "item 2",
                               "null record (in a Semantic Scholar batch response: an id it did not find)")]
    assert batch["source"].iloc[1] == "s2_batch.json:item 3"


def test_csl_json_from_zotero():
    papers = table("csl-json")
    assert papers["csl_id"].iloc[0] == "costa20120"  # a citation key: kept, not the paper_id
    assert papers["paper_id"].iloc[0] == "10.5555/kg.2000"
    assert papers["authors"].iloc[1] == "Okafor, Mia; Fischer, Claire"
    assert papers["keywords"].iloc[0] == "machine learning; deep learning"  # "a, b" in Zotero's export


def test_a_spreadsheet_of_ones_own():
    papers = table("csv")
    assert papers["year"].iloc[0] == 2012  # Published: 2012-01-01
    assert papers["doi"].iloc[0] == "10.5555/kg.2000"  # https://doi.org/ removed
    assert papers["authors"].iloc[1] == "Mia Okafor; Claire Fischer" and papers["Notes"].iloc[0] == "to read"


def test_all_formats_in_one_read_are_merged_by_doi():
    files = [sample(fmt) for fmt in S.FILES]
    papers, report = read_papers(files)
    assert (report.records, report.papers, report.merged, len(report.skipped)) == (8 * 11 + 1, 8, 80, 1)
    assert {m["why"] for m in report.merges} == {"same DOI"}
    assert report.formats == {"wos": 8, "wos-tab": 8, "scopus": 8, "ieee": 8, "medline": 8, "openalex": 16,
                              "s2": 16, "csl-json": 8, "csv": 8}
    assert papers["format"].eq("wos").all()  # the first copy wins; the others fill its empty fields
    assert papers["abstract"].ne("").all() and papers["pmid"].ne("").all()


# --------------------------------------------------------------------------- formats from content
def test_a_web_of_science_export_is_never_read_as_the_line_format(tmp_path):
    for name in ("savedrecs.txt", "export.dat", "records"):
        copy = tmp_path / name
        shutil.copy(sample("wos"), copy)
        assert read_papers([copy])[0]["title"].tolist() == [p["title"] for p in REF]
    for fmt in ("wos", "medline"):
        with pytest.raises(InputError, match=r"this is a .* file, not kgraph's line format .*; read it without "
                                             r"--format, or with --format " + fmt):
            read_papers([sample(fmt)], fmt="txt")


def test_other_tables_researchers_save(tmp_path):
    ab = REF[0]["abstract"]
    wos_excel = tmp_path / "savedrecs.csv"  # Web of Science's Excel export, saved as CSV
    wos_excel.write_text("Publication Type,Authors,Article Title,Source Title,Abstract,Publication Year,DOI,"
                         f"UT (Unique WOS ID)\nJ,\"Costa, A; Mendes, R\",A Title,NEURAL NETWORKS,\"{ab}\",2020,"
                         "10.5555/E.1,WOS:000000000000001\n", encoding="utf-8")
    papers = read_papers([wos_excel])[0]
    assert papers[["title", "venue", "year", "doi", "authors"]].iloc[0].tolist() == [
        "A Title", "NEURAL NETWORKS", 2020, "10.5555/e.1", "Costa, A; Mendes, R"]
    bibliometrix = tmp_path / "M.csv"  # a bibliometrix data frame written with write.csv: ID is Keywords Plus
    bibliometrix.write_text(f"AU,TI,SO,PY,AB,DE,ID,DI\nCOSTA A,A TITLE,NEURAL NETWORKS,2020,\"{ab}\",x; y,"
                            "KEYWORD PLUS,10.5555/E.2\n", encoding="utf-8")
    papers = read_papers([bibliometrix])[0]
    assert papers[["paper_id", "title", "keywords", "keywords_plus", "format"]].iloc[0].tolist() == [
        "10.5555/e.2", "A TITLE", "x; y", "KEYWORD PLUS", "wos-tab"]


def test_formats_constant_names_every_reader_and_the_record_formats():
    from kgraph.config import INPUT_FORMATS  # the --format help lists the readers

    assert tuple(FORMATS) == INPUT_FORMATS == ("wos", "medline", "ris", "bib", "csv", "tsv", "json", "jsonl", "txt")
    assert set(RECORD_FORMATS) >= {kind for kind, _ in KINDS.values()}
    assert detect_format("x", "isi") == "wos" and detect_format("x", "PubMed") == "medline"


# --------------------------------------------------------------------------- values
@pytest.mark.parametrize("value, year", [
    (2015, 2015), ("2015", 2015), ("2015-03-01", 2015), ("2015 Mar", 2015), ("2014 Dec-2015 Jan", 2014),
    ("03/01/2015", 2015), ("Spring 2019", 2019), ("2021a", 2021), (2020.0, 2020), ({"date-parts": [[2015, 3]]}, 2015),
    ({"raw": "2019-05"}, 2019), (None, None), ("", None), (True, None), ("n.d.", "n.d.")])
def test_years_from_any_date_form(value, year):
    assert year_of(value) == year


def test_dois_authors_keywords_references():
    for raw in ("https://doi.org/10.1000/ABC", "http://dx.doi.org/10.1000/abc", "doi: 10.1000/Abc", "10.1000/abc"):
        assert doi_of(raw) == "10.1000/abc"
    assert authors_text("Costa A., Mendes R.B., Novak S.") == "Costa A.; Mendes R.B.; Novak S."  # Scopus to 2022
    assert authors_text("Costa, A.; Mendes, R.") == "Costa, A.; Mendes, R."  # Scopus since 2023
    assert authors_text("Costa, Ana") == "Costa, Ana"  # one author, family and given names
    assert authors_text([{"family": "Costa", "given": "Ana"}, {"literal": "The Consortium"}, {"name": "Rui"}]) == \
        "Costa, Ana; The Consortium; Rui"
    assert keywords_text("a; b;c") == "a; b; c" and keywords_text("a, b") == "a; b" and keywords_text(["x"]) == "x"
    assert references_text(["https://doi.org/10.1/AB", "W123", None]) == "10.1/ab; W123"
    assert inverted_abstract({"b": [1], "a": [0, 2]}) == "a b a"


KEPT = ["Digital watermarks serve copyright protection.", "We study the (c) case and the (d) case.",
        "Abstract syntax trees help.", "The methods: two of them.", "Copyright law differs. We compare it."]


@pytest.mark.parametrize("text, cleaned", [
    ("We test it. © 2020 Elsevier B.V. All rights reserved.", "We test it."),
    ("We test it. (C) 2015 Elsevier Ltd. All rights reserved.", "We test it."),
    ("We test it. Copyright © 2021 The Authors. Published by Elsevier Ltd.", "We test it."),
    ("We test it. © 2019, Springer Nature Switzerland AG.", "We test it."),
    ("We test it. This is an open access article under the CC BY-NC-ND license "
     "(http://creativecommons.org/licenses/by-nc-nd/4.0/).", "We test it."),
    ("We test it. © 2021 by the authors. Licensee MDPI, Basel, Switzerland. This article is an open access article "
     "distributed under the terms and conditions of the Creative Commons Attribution (CC BY) license.", "We test it."),
    ("Code at https://github.com/x/y © 2020 IEEE.", "Code at https://github.com/x/y"),
    ("We test it. (PsycInfo Database Record (c) 2020 APA, all rights reserved).", "We test it."),
    ("BACKGROUND: A. METHODS: B. RESULTS: C. CONCLUSIONS: D.", "A. B. C. D."),
    ("Purpose: A. Design/methodology/approach: B. Originality/value: C.", "A. B. C."),
    ("Background and Objective: A. Materials and methods: B.", "A. B."),
    ("Abstract: We test it.", "We test it."),
    ("[No abstract available]", ""), ("No abstract available.", ""), ("N/A", ""),
    *[(text, text) for text in KEPT],
])
def test_abstract_cleaning(text, cleaned):
    assert clean_abstract(text) == cleaned


# --------------------------------------------------------------------------- duplicates
def test_duplicates_the_doi_decides_and_every_merge_is_listed(tmp_path):
    ab, other = REF[0]["abstract"], REF[1]["abstract"]
    rows = [
        {"id": "a", "title": "Same Paper", "abstract": ab, "doi": "10.1/a", "year": 2020},
        {"id": "b", "title": "Retitled in a later export", "abstract": other, "doi": "https://doi.org/10.1/A"},
        {"id": "c", "title": "same paper!", "abstract": ab.upper(), "doi": "10.1/c"},  # another DOI: kept
        {"id": "d", "title": "Same  Paper", "abstract": ab + " More text.", "doi": ""},  # another abstract: kept
        {"id": "e", "title": "Same Paper.", "abstract": ab, "authors": "Filled In"},  # no DOI, same text: merged
        {"id": "f", "title": "Editorial", "abstract": "", "year": 2019},
        {"id": "g", "title": "Editorial", "abstract": "", "year": 2020},  # no abstract, another year: kept
        {"id": "h", "title": "EDITORIAL", "abstract": "", "year": 2020},  # no abstract, same year: merged
    ]
    path = tmp_path / "dups.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    papers, report = read_papers([path])
    assert papers["paper_id"].tolist() == ["a", "c", "d", "f", "g"]
    assert [(m["record"], m["into"], m["why"]) for m in report.merges] == [
        (2, "a", "same DOI"), (5, "a", "same title and abstract"), (8, "g", "same title and abstract")]
    assert papers.set_index("paper_id").at["a", "authors"] == "Filled In"


# --------------------------------------------------------------------------- builds
BANNED = {"py", "er", "ti", "ab", "fau", "au", "jt", "pt", "so", "ut", "di", "cr", "pmid", "elsevier", "rights",
          "right", "copyright", "reserved", "background", "methods", "conclusions", "licence", "license",
          "creative commons", "springer", "b.v.", "ltd"}


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The built-in corpus as plain JSONL (the reference) and as every format, built with one cache;
    also a Web of Science export of 300 records, 116 of them copies of others."""
    tmp = tmp_path_factory.mktemp("sources")
    papers = S.corpus()
    cache = tmp / "cache"

    def plain(name, rows):
        path = tmp / name
        path.write_text("".join(json.dumps({"id": f"p{p['i']}", "title": p["title"], "abstract": p["abstract"]}) + "\n"
                                for p in rows), encoding="utf-8")
        return kgraph.build(path, cache_dir=cache)

    out = {"reference-184": plain("all.jsonl", papers), "reference-40": plain("forty.jsonl", papers[:40])}
    copies = [dict(p) for p in papers[:70]] + [dict(p, doi=None) for p in papers[70:116]]
    big = tmp / "big" / "savedrecs.txt"
    big.parent.mkdir()
    big.write_text(S.wos(papers + copies), encoding="utf-8")
    out["wos-300"] = kgraph.build(big, cache_dir=cache)
    for fmt, path in S.write(tmp / "forty", papers[:40]).items():
        out[fmt] = kgraph.build(path, cache_dir=cache)
    out["all-formats"] = kgraph.build(list(S.write(tmp / "mixed", papers[:40]).values()), cache_dir=cache)
    return out


def labels(kg) -> set[str]:
    return set(kg.concepts.loc[kg.concepts["selected"], "label"])


def check_build(kg, reference, records: int, merged: int, skipped: int = 0) -> None:
    summary = kg.summary
    assert (summary["records"], summary["papers"], summary["merged"], summary["skipped"]) == (
        records, len(reference.papers), merged, skipped)
    assert len(summary["merges"]) == merged
    assert kg.papers["title"].ne("").all() and kg.papers["year"].notna().all()
    assert sorted(kg.papers["title"]) == sorted(reference.papers["title"])
    # no field tag, publisher sentence or heading became a concept, nor changed which concepts are chosen
    assert labels(kg) == labels(reference) and set(kg.concepts["label"]) == set(reference.concepts["label"])
    assert not words(kg) & BANNED - words(reference)  # (the texts themselves speak of "background" once)


def words(kg) -> set[str]:
    return {w for label in kg.concepts["label"] for w in [label.casefold(), *label.casefold().split()]}


def test_a_web_of_science_export_of_300_records_builds_the_map_of_its_texts(builds):
    check_build(builds["wos-300"], builds["reference-184"], records=300, merged=116)
    assert {m["why"] for m in builds["wos-300"].summary["merges"]} == {"same DOI", "same title and abstract"}


@pytest.mark.parametrize("fmt", list(S.FILES))
def test_each_format_builds_the_map_of_its_texts(builds, fmt):
    check_build(builds[fmt], builds["reference-40"], records=41 if fmt == "s2-batch" else 40, merged=0,
                skipped=1 if fmt == "s2-batch" else 0)


def test_every_format_in_one_build(builds):
    kg = builds["all-formats"]
    check_build(kg, builds["reference-40"], records=40 * 11 + 1, merged=40 * 10, skipped=1)
    assert kg.papers["format"].eq("wos").all() and kg.summary["merges"][0]["why"] == "same DOI"


def test_the_examples_in_the_docstrings():
    for name in ("fields", "sniff", "papers", "jsonrecords"):
        result = doctest.testmod(importlib.import_module(f"kgraph.sources.{name}"))
        assert result.attempted and not result.failed, name


@pytest.mark.parametrize("fmt", list(S.FILES))
def test_a_year_outside_1500_to_next_year_is_dropped_with_a_warning_naming_the_record(tmp_path, fmt):
    from kgraph.sources.fields import LAST_YEAR

    papers = [dict(p) for p in REF]
    papers[0]["year"], papers[2]["year"] = 1450, LAST_YEAR + 5
    path = S.write(tmp_path, papers, [fmt])[fmt]
    said = []
    table, _ = read_papers([path], warn=said.append)
    years = dict(zip(table["title"], table["year"]))
    assert years[papers[0]["title"]] is pd.NA and years[papers[2]["title"]] is pd.NA
    assert years[papers[1]["title"]] == papers[1]["year"]  # the others are kept
    for year in (1450, LAST_YEAR + 5):
        lines = [line for line in said if f"year {year} is outside 1500-{LAST_YEAR}" in line]
        assert len(lines) == 1 and lines[0].startswith(f"{path}:"), said  # the file and the record


@pytest.mark.parametrize("name, text", [
    ("refs.bib", "@article{old,\n  title = {An old paper},\n  abstract = {Some words about sampling.},\n"
                 "  year = {1066}\n}\n@article{ok,\n  title = {A newer paper},\n  abstract = {More words.},\n"
                 "  year = {2020}\n}\n"),
    ("refs.ris", "TY  - JOUR\nTI  - An old paper\nAB  - Some words about sampling.\nPY  - 1066\nER  - \n"
                 "TY  - JOUR\nTI  - A newer paper\nAB  - More words.\nPY  - 2020\nER  - \n"),
])
def test_bibtex_and_ris_drop_a_year_out_of_range_too(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    said = []
    table, _ = read_papers([path], warn=said.append)
    assert table["year"].tolist()[1] == 2020 and table["year"].isna().tolist() == [True, False]
    assert [line for line in said if line.startswith(f"{path}:") and "year 1066 is outside" in line]
