"""Reading papers: the original input formats, the built-in corpus, several files, ids and duplicates.

The bibliographic exports (Web of Science, Scopus, PubMed, OpenAlex...) are tested in test_sources.py."""
from __future__ import annotations

import csv
import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgraph.errors import InputError
from kgraph.sources import (PAPER_COLUMNS, builtin_corpus_path, clean_abstract, clean_text, detect_format,
                            iter_records, read_papers, title_key)
from kgraph.sources.sniff import extension_format

DATA = Path(__file__).parent / "data"


def check_report(papers: pd.DataFrame, report) -> None:
    assert report.records == report.papers + report.merged + len(report.skipped)
    assert report.papers == len(papers)
    assert papers["paper_id"].is_unique
    assert papers.columns[:len(PAPER_COLUMNS)].tolist() == PAPER_COLUMNS
    assert str(papers["year"].dtype) == "Int64"


# --------------------------------------------------------------------------- built-in corpus
def test_builtin_corpus_has_184_papers_with_exact_first_and_last_titles():
    said = []
    papers, report = read_papers(warn=said.append)
    check_report(papers, report)
    assert len(papers) == 184 and report.records == 184 and report.skipped == [] and report.merged == 0
    assert papers["title"].iloc[0] == "Quantifying the Sensitivity of Inverse Reinforcement Learning to Misspecification"
    assert papers["title"].iloc[-1] == ("The AI Economist: Optimal Economic Policy Design via Two-level Deep "
                                       "Reinforcement Learning")
    assert papers["abstract"].iloc[0].startswith("Inverse reinforcement learning (IRL) aims to infer")
    assert (papers["abstract"].str.len() > 200).all()
    assert papers["source"].iloc[0] == "trending_papers.txt:3"
    assert papers["source"].iloc[-1] == "trending_papers.txt:369"
    assert papers["paper_id"].str.fullmatch(r"[0-9a-f]{12}").all()  # no id, DOI or arXiv id: title hashes
    assert said == []  # header lines and the glued word are notes, not warnings
    assert any("ignored 2 header line(s)" in n for n in report.notes)
    assert read_papers([])[0].equals(papers) and read_papers([builtin_corpus_path()])[0].equals(papers)


def test_builtin_corpus_path_is_a_real_file():
    path = builtin_corpus_path()
    assert path.is_file() and path.name == "trending_papers.txt"


# --------------------------------------------------------------------------- fixtures, one format each
def test_jsonl_keeps_ids_and_merges_the_duplicate():
    papers, report = read_papers([DATA / "small.jsonl"])
    check_report(papers, report)
    assert papers["paper_id"].tolist() == ["j1", "j2", "j3", "j4", "j5"]
    assert (report.records, report.merged) == (6, 1)
    j2 = papers.set_index("paper_id").loc["j2"]
    # the first copy wins; its empty year and DOI are filled from the later copy
    assert j2["title"] == "Contrastive Pretraining of Graph Neural Networks for Molecular Property Prediction"
    assert j2["year"] == 2021 and j2["doi"] == "10.5555/gnn.2021.7"
    assert j2["authors"] == "Li Wei; Sara Novak"
    first = papers.iloc[0]
    assert first["authors"] == "Ana Costa; Rui Mendes" and first["year"] == 2023 and first["venue"] == "ICLR"
    assert papers.iloc[3]["authors"] == "Okafor, Chidi"
    assert papers["year"].tolist()[2] == 2022  # "2022" as a string
    assert papers["source"].tolist() == [f"small.jsonl:{i}" for i in range(1, 6)]


def test_csv_keeps_ids_years_and_extra_columns():
    papers, report = read_papers([DATA / "small.csv"])
    check_report(papers, report)
    assert papers["paper_id"].tolist() == ["c1", "c2", "c3", "c4", "c5", "c6"]
    assert papers["year"].tolist() == [2023, 2022, 2024, 2021, 2020, 2023]
    assert papers["venue"].tolist() == ["AAAI", "ICML", "", "Interspeech", "KDD", "CVPR"]
    assert papers.loc[0, "doi"] == "10.5555/ts.2023.4" and papers.loc[1, "url"] == "https://example.org/fl"
    assert papers.loc[5, "title"] == "Robustness Certificates for Vision Transformers"
    assert papers["source"].tolist() == [f"small.csv:{i}" for i in range(2, 8)]


def test_bibtex_ids_come_from_doi_then_arxiv_then_title_hash():
    papers, report = read_papers([DATA / "small.bib"])
    check_report(papers, report)
    assert len(papers) == 5
    ids = papers["paper_id"].tolist()
    assert ids[:3] == ["10.5555/jmlr.2021.88", "2204.05678", "2301.09876"]
    assert ids[3] != ids[4] and all(len(i) == 12 for i in ids[3:])
    first = papers.iloc[0]
    assert first["title"] == "Bayesian Optimization of Neural Network Hyperparameters with {Gaussian} Processes"
    assert first["authors"] == 'Schmidt, Lena; M{\\"u}ller, Jan'  # LaTeX kept for a later stage
    assert first["bibtex_key"] == "schmidt2021bayes" and first["venue"] == "Journal of Machine Learning Research"
    assert papers["year"].tolist() == [2021, 2022, 2023, 2020, 2024]  # 2020 from the biblatex date field
    assert papers.iloc[3]["authors"] == "Rossi, Giulia; {OpenScience Collective}"
    assert papers.iloc[4]["abstract"].endswith("orders of magnitude faster than a numerical solver.")


def test_ris_reads_tags_continuation_lines_and_keywords():
    papers, report = read_papers([DATA / "small.ris"])
    check_report(papers, report)
    assert len(papers) == 5
    assert papers["paper_id"].tolist()[:2] == ["10.5555/clin.2022.3", "2305.04321"]
    assert papers.loc[0, "authors"] == "Moreau, Claire; Adeyemi, Tunde"
    assert papers.loc[0, "keywords"] == "active learning; named entity recognition"
    second = papers.iloc[1]
    assert second["title"] == "Multi-Agent Reinforcement Learning for Power Grid Control"
    assert second["year"] == 2023 and second["url"] == "https://arxiv.org/abs/2305.04321"
    assert "learn to reroute power" in second["abstract"]  # a wrapped AB line
    assert papers["source"].tolist() == ["small.ris:1", "small.ris:13", "small.ris:22", "small.ris:29",
                                         "small.ris:36"]


def test_txt_page_dump_skips_the_header_and_tolerates_blank_lines():
    papers, report = read_papers([DATA / "small.txt"])
    check_report(papers, report)
    assert papers["title"].tolist() == [
        "Learning to Rank with Pairwise Neural Networks",
        "Variational Autoencoders for Anomaly Detection in Sensor Data",
        "Quantization-Aware Training of Convolutional Networks",
        "Topic Models Meet Neural Embeddings",
        "Meta-Learning for Fast Adaptation of Robot Controllers",
    ]
    assert papers["abstract"].str.endswith(".").all()
    assert report.notes == [f"{DATA / 'small.txt'}: ignored 2 header line(s) before the first title: "
                            "Reading list exported on Monday | Papers to read"]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


ABSTRACT = ("Graph networks pass messages between nodes. We scale message passing to billions of edges "
            "with sampling and show gains on three benchmarks.")


def test_txt_glued_page_word_is_removed_by_a_general_rule(tmp_path):
    dump = write(tmp_path / "dump.txt", [
        "Home", "Login to see the latest research", "LoginGraph Networks at Scale", ABSTRACT,
        "Sampling Subgraphs for Training", ABSTRACT.replace("three", "four")])
    papers, report = read_papers([dump])
    assert papers["title"].tolist() == ["Graph Networks at Scale", "Sampling Subgraphs for Training"]
    assert any("removed 'Login'" in n for n in report.notes)
    one = write(tmp_path / "one.txt", ["RegisterA Survey of Graph Networks", ABSTRACT])
    assert read_papers([one])[0]["title"].tolist() == ["A Survey of Graph Networks"]


def test_txt_keeps_a_real_camel_case_name_that_the_file_repeats(tmp_path):
    dump = write(tmp_path / "dump.txt", [
        "AlphaFold Meets Protein Design", "We combine AlphaFold with a diffusion model for protein design. "
        "Designed proteins fold as predicted in most cases we test in the lab.",
        "DeepMind Control Suite Revisited", ABSTRACT])
    papers, _ = read_papers([dump])
    assert papers["title"].tolist() == ["AlphaFold Meets Protein Design", "DeepMind Control Suite Revisited"]


def test_txt_odd_header_without_blank_lines(tmp_path):
    dump = write(tmp_path / "odd.txt", ["Exported list", "Graph Networks at Scale", ABSTRACT,
                                        "Another Title", ABSTRACT + " More."])
    papers, report = read_papers([dump])
    assert papers["title"].tolist() == ["Graph Networks at Scale", "Another Title"]
    assert papers["source"].tolist() == ["odd.txt:2", "odd.txt:4"]


# --------------------------------------------------------------------------- several files, overrides
C5_ABSTRACT = ("Road networks are graphs and traffic is a signal on them. A spatio-temporal graph neural network "
               "with learned adjacency improves forecasting accuracy on two city datasets.")


def test_several_files_in_one_call_merge_duplicates_across_files(tmp_path):
    extra = tmp_path / "more.jsonl"
    rows = [  # the same title and abstract up to case, punctuation and spacing: c5 again
        {"id": "other-id", "title": "graph neural networks for TRAFFIC forecasting",
         "abstract": C5_ABSTRACT.upper().replace(".", " "), "authors": "Late Author"},
        # the same title, another abstract: another paper
        {"id": "third-id", "title": "Graph Neural Networks for Traffic Forecasting", "abstract": "A reply."}]
    extra.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    files = [DATA / n for n in ("small.jsonl", "small.csv", "small.bib", "small.ris", "small.txt")] + [extra]
    said = []
    papers, report = read_papers(files, warn=said.append)
    check_report(papers, report)
    assert len(papers) == 5 + 6 + 5 + 5 + 5 + 1
    assert report.merged == 2 and report.files == [str(f) for f in files]
    assert report.merges[1] == {"file": str(extra), "record": 1, "into": "c5", "why": "same title and abstract"}
    c5 = papers.set_index("paper_id").loc["c5"]
    assert c5["authors"] == "Late Author"  # filled from the later copy in another file
    assert papers["paper_id"].iloc[-1] == "third-id"
    assert {s.split(":")[0] for s in papers["source"]} == {f.name for f in files}
    assert len([m for m in said if m.startswith("merged 2 duplicate")]) == 1
    # extra columns from different formats sit side by side, "" where a file has none
    assert {"bibtex_key", "entry_type", "type_of_reference"} <= set(papers.columns)
    assert papers.loc[papers["source"].str.startswith("small.txt"), "venue"].eq("").all()
    assert papers["format"].value_counts().to_dict() == {"csv": 6, "jsonl": 6, "bib": 5, "ris": 5, "txt": 5}


def test_any_extension_is_read_from_its_content_and_fmt_overrides(tmp_path):
    dat = tmp_path / "export.dat"
    shutil.copy(DATA / "small.jsonl", dat)
    for fmt in (None, "jsonl", "ndjson"):
        papers, _ = read_papers([dat], fmt=fmt)
        assert papers["paper_id"].tolist() == ["j1", "j2", "j3", "j4", "j5"]
        assert papers["source"].iloc[0] == "export.dat:1"
    with pytest.raises(InputError, match="unknown input format 'xml'"):
        read_papers([dat], fmt="xml")
    prose = write(tmp_path / "notes.dat", ["Some notes of mine.", "Nothing here is a paper."])
    with pytest.raises(InputError) as err:
        read_papers([prose])
    assert str(err.value).startswith(f"{prose}: cannot tell the format of this file (.dat; tried Web of Science")
    assert "--format" in str(err.value)


def test_detect_format_prefers_clear_content_over_the_extension(tmp_path):
    assert extension_format("a.NDJSON") == "jsonl" and extension_format("a.bibtex.gz") == "bib"
    assert extension_format("a.tsv") == "tsv" and extension_format("a.xyz") is None
    assert detect_format("anything", "bibtex") == "bib" and detect_format("anything", "isi") == "wos"
    cases = {
        "a.txt": (["PT J", "AU Costa, A", "TI A title", "ER"], "wos"),
        "b.txt": (["PMID- 123", "TI  - A title", "AB  - An abstract."], "medline"),
        "c.txt": (["TY  - JOUR", "TI  - A title", "ER  - "], "ris"),
        "d.txt": (["Title\tAbstract", "A\tB"], "tsv"),
        "e.txt": (["A title", "A much longer abstract line than the title."], "txt"),
        "f.csv": (["@article{k,", "title={A}}"], "bib"),
        "g.json": (['{"title": "A"}', '{"title": "B"}'], "json"),  # JSON Lines named .json: the JSON reader
        "h.jsonl": (["[", '{"title": "A"}', "]"], "json"),  # an array named .jsonl
        "i.csv": (["id,name", "1,x"], "csv"),  # no title column: the extension decides, the reader says why
    }
    for name, (lines, fmt) in cases.items():
        assert detect_format(write(tmp_path / name, lines)) == fmt, name


def test_iter_records_streams_rows_and_reports_skips():
    skipped = []
    rows = iter_records(DATA / "bad" / "truncated.jsonl", on_skip=lambda r, why: skipped.append(r))
    first = next(rows)
    assert first[0] == 1 and first[1]["paper_id"] == "t1" and skipped == []
    assert [r for r, _ in rows] == [2, 4] and skipped == [3]


def test_missing_file_and_folder_are_one_line_errors(tmp_path):
    with pytest.raises(InputError) as err:
        read_papers([tmp_path / "nope.jsonl"])
    assert str(err.value) == f"{tmp_path / 'nope.jsonl'}: file not found"
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        read_papers([tmp_path / "dir.csv"])


def test_report_to_dict_is_json_ready():
    _, report = read_papers([DATA / "bad" / "ragged.csv"])
    data = json.loads(json.dumps(report.to_dict()))
    assert data["records"] == 4 and data["papers"] == 2
    assert data["skipped"][0] == {"file": str(DATA / "bad" / "ragged.csv"), "record": 3,
                                  "reason": "row has 5 fields but the header has 4 (an unquoted delimiter or quote?)"}


def test_clean_text_and_title_key():
    assert clean_text("a\tb\nc\r\nd\x0be\x0cf\x00g\x7fh") == "a b c d e fgh"
    assert clean_text("Schro\u0308dinger\u00a0 equation ") == "Schrödinger equation"
    assert title_key("Attention is ALL you need!") == title_key("attention  is all you need")
    assert title_key("🤖 robots") != title_key("🧠 robots")  # symbols are not punctuation


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_title_key_removes_exactly_the_unicode_punctuation(text):
    import unicodedata

    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch for ch in folded if unicodedata.category(ch)[0] != "P")
    assert title_key(text) == " ".join(kept.split())


# --------------------------------------------------------------------------- properties
texts = st.text(max_size=60)


def expected_papers(records):
    """What reading ``records`` (id, title, abstract) back must give after hygiene, abstract
    cleaning and merging (no years, authors or DOIs: the same title and abstract is one paper)."""
    kept, by_key, skipped = [], {}, 0
    for pid, title, abstract in records:
        title, abstract = clean_text(title), clean_abstract(clean_text(abstract))
        if not title and not abstract:
            skipped += 1
            continue
        key = (title_key(title), title_key(abstract))
        if not abstract:  # (no years or authors here)
            key = (*key, None, "")
        if key in by_key and any(key[:2]):  # same title and abstract: merged (punctuation only: never)
            continue
        by_key[key] = len(kept)
        kept.append((pid, title, abstract))
    return kept, skipped


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=12))
def test_any_unicode_round_trips_through_jsonl_and_csv(pairs):
    records = [(f"r{i}", t, a) for i, (t, a) in enumerate(pairs)]
    kept, skipped = expected_papers(records)
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / "p.jsonl"
        with open(jsonl, "w", encoding="utf-8") as f:
            for pid, t, a in records:
                f.write(json.dumps({"id": pid, "title": t, "abstract": a}, ensure_ascii=False) + "\n")
        table = Path(tmp) / "p.csv"
        with open(table, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "title", "abstract"])
            writer.writerows(records)
        for path in (jsonl, table):
            if not kept:
                with pytest.raises(InputError, match="no paper could be read"):
                    read_papers([path])
                continue
            papers, report = read_papers([path])
            check_report(papers, report)
            assert list(zip(papers["paper_id"], papers["title"], papers["abstract"])) == kept
            assert len(report.skipped) == skipped and report.records == len(records)


@given(st.text())
def test_clean_text_is_idempotent_and_leaves_no_control_characters(text):
    once = clean_text(text)
    assert clean_text(once) == once
    assert not any(ord(c) < 32 or ord(c) == 0x7F for c in once)
    assert once == once.strip() and "  " not in once
