"""Bad input (issues 7 and 24): every file in tests/data/bad either reads, skipping bad records with a
reason that is counted, or stops with one InputError naming the file, the record and the problem.

``tests/data/bad/EXPECTED.json`` is the table: for each case, why it is there and what must happen.
A case is one file (its name) unless it lists ``files`` (read in one build); ``fmt`` forces a format.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kgraph.errors import InputError
from kgraph.sources import read_papers

BAD = Path(__file__).parent / "data" / "bad"
EXPECTED = json.loads((BAD / "EXPECTED.json").read_text(encoding="utf-8"))
OK = sorted(name for name, e in EXPECTED.items() if e["outcome"] == "ok")
ERRORS = sorted(name for name, e in EXPECTED.items() if e["outcome"] == "error")


def paths(name: str) -> list[Path]:
    return [BAD / f for f in EXPECTED[name].get("files", [name])]


def test_every_bad_file_has_an_expected_outcome():
    files = {p.name for p in BAD.iterdir()} - {"EXPECTED.json"}
    assert files == {p.name for name in EXPECTED for p in paths(name)}
    assert len(EXPECTED) >= 60  # issue 23's hostile-input suite, the sources' formats included
    assert {e["outcome"] for e in EXPECTED.values()} == {"ok", "error"}
    assert all(e["why"] for e in EXPECTED.values())


def one_line_error(path: Path, expected: dict, error: InputError) -> None:
    message = str(error)
    assert "\n" not in message
    where = f"{path}:{expected['line']}: " if "line" in expected else f"{path}"
    assert message.startswith(where), message
    assert expected["message_contains"] in message


@pytest.mark.parametrize("name", ERRORS)
def test_unreadable_file_stops_with_one_input_error(name):
    (path,), expected = paths(name), EXPECTED[name]
    for strict in (False, True):
        with pytest.raises(InputError) as err:
            read_papers([path], fmt=expected.get("fmt"), strict=strict)
        one_line_error(path, expected.get("strict", expected) if strict else expected, err.value)
        assert err.value.file == str(path)


@pytest.mark.parametrize("name", OK)
def test_readable_file_skips_bad_records_and_counts_them(name):
    files, expected = paths(name), EXPECTED[name]
    path = files[0]
    said = []
    papers, report = read_papers(files, fmt=expected.get("fmt"), warn=said.append)
    assert report.records == report.papers + report.merged + len(report.skipped)
    assert (report.records, report.papers, report.merged, len(report.skipped)) == (
        expected["records"], expected["papers"], expected["merged"], expected["skipped"])
    assert len(papers) == report.papers and papers["paper_id"].is_unique
    for column, key in (("paper_id", "ids"), ("title", "titles"), ("abstract", "abstracts"),
                        ("authors", "authors")):
        if key in expected:
            assert papers[column].tolist() == expected[key]
    if "years" in expected:
        assert [None if pd.isna(y) else int(y) for y in papers["year"]] == expected["years"]
    if "abstract_lengths" in expected:
        assert papers["abstract"].str.len().tolist() == expected["abstract_lengths"]
    if "notes_contain" in expected:
        assert any(expected["notes_contain"] in n for n in report.notes), report.notes
    if "formats" in expected:
        assert report.formats == expected["formats"]
        assert papers["format"].isin(list(expected["formats"])).all()
    if "merges" in expected:
        assert [dict(m, file=Path(m["file"]).name) for m in report.merges] == expected["merges"]
    assert papers["title"].ne("").any() and papers["format"].ne("").all() and papers["source"].ne("").all()
    # every kept text is clean: no control characters, no doubled or edge spaces
    for column in ("title", "abstract", "authors"):
        for text in papers[column]:
            assert not any(ord(c) < 32 or ord(c) == 0x7F for c in text) and text == text.strip()
    skip_lines = [m for m in said if m.endswith("(record skipped)")]
    assert len(skip_lines) == expected["skipped"] and all("\n" not in m for m in said)
    if expected["skipped"]:
        file, record, reason = report.skipped[0]
        assert (file, record) == (str(path), expected["line"])
        assert expected["message_contains"] in reason
        assert skip_lines[0] == f"{path}:{record}: {reason} (record skipped)"


@pytest.mark.parametrize("name", OK)
def test_strict_mode_turns_the_first_skip_into_an_error(name):
    files, expected = paths(name), EXPECTED[name]
    if expected["skipped"]:
        with pytest.raises(InputError) as err:
            read_papers(files, fmt=expected.get("fmt"), strict=True)
        one_line_error(files[0], expected, err.value)
        assert err.value.record == expected["line"]
    else:
        papers, report = read_papers(files, fmt=expected.get("fmt"), strict=True)
        assert report.papers == expected["papers"] and not report.skipped


def test_cli_prints_one_line_and_exits_with_status_2(tmp_path):
    from click.testing import CliRunner

    from kgraph.cli import app

    result = CliRunner().invoke(app, ["build", str(BAD / "paper.pdf"), "--out", str(tmp_path / "out"),
                                      "--no-cache", "--quiet"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f"kgraph: error: {BAD / 'paper.pdf'}: this is a PDF document: kgraph reads exports of "
                     "titles and abstracts, not papers"]
    assert not (tmp_path / "out").exists()
