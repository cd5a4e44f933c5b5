"""Nothing lost, nothing half-written (issue 7): every input record is accounted for.

Every record of every input file ends up as exactly one of: a paper (a node of the
graph and a row of ``papers.csv``, even when it has no concept), a duplicate merged
into an earlier copy, or a skipped record with its file, record number and reason.
``summary.json`` says the same as ``kg.summary``; the command line prints numbers that
add up; ``--strict`` stops at the first bad record with one line naming it, and leaves
no output folder behind (and a previous good one untouched).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

import kgraph
from kgraph.errors import InputError
from kgraph.pipeline import KnowledgeGraph, _versions

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
EXPECTED = json.loads((BAD / "EXPECTED.json").read_text(encoding="utf-8"))
# readable files that skip or merge records, in the order they are read
WITH_SKIPS = ["truncated.jsonl", "ragged.csv", "no_er.ris", "neither.jsonl", "unbalanced.bib", "stray_quote.csv"]
MIXED_BAD = WITH_SKIPS[:5] + ["duplicate_ids.jsonl", WITH_SKIPS[5]]
EXTRA = [
    # a paper whose only phrase is generic: no concept at all, still a paper
    {"id": "none1", "title": "A new approach", "abstract": ""},
    # the same paper as small.jsonl's first record: merged across files
    {"id": "j1", "title": "Sparse Mixture-of-Experts Routing for Efficient Language Models", "abstract": "Again."},
]


def kgraph_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kgraph", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def extra_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("extra") / "extra.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in EXTRA), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def mixed_inputs(extra_file):
    """small.jsonl (one duplicate), seven files from tests/data/bad that read with skips or merges,
    and a file with a concept-less paper and a duplicate of small.jsonl's first paper."""
    return [DATA / "small.jsonl", *(BAD / name for name in MIXED_BAD), extra_file]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def builds(mixed_inputs, cache, tmp_path_factory):
    """name -> (inputs, kg, output folder, warnings) for several input sets, built once."""
    sets = {
        "small.jsonl": [DATA / "small.jsonl"],
        "every format": [DATA / f"small.{ext}" for ext in ("jsonl", "csv", "bib", "ris", "txt")],
        "mixed with bad records": mixed_inputs,
    }
    out = {}
    for name, inputs in sets.items():
        said = []
        kg = kgraph.build(inputs, cache_dir=cache, warn=said.append)
        folder = tmp_path_factory.mktemp("out") / "out"
        kg.write(folder)
        out[name] = (inputs, kg, folder, said)
    return out


BUILDS = ["small.jsonl", "every format", "mixed with bad records"]
MERGED = re.compile(r"(\S+:\d+) into '")


@pytest.mark.parametrize("name", BUILDS)
def test_every_record_is_a_paper_a_merged_duplicate_or_a_skip_with_its_reason(builds, name):
    inputs, kg, _, said = builds[name]
    s = kg.summary
    assert s["records"] == s["papers"] + s["merged"] + s["skipped"]
    assert s["papers"] == len(kg.papers) and kg.papers["paper_id"].is_unique
    assert len(s["skipped_records"]) == s["skipped"]
    assert s["files"] == [str(p) for p in inputs]
    # each record is one of them, never two: papers and skips name distinct file:record places
    kept = {tuple(src.rsplit(":", 1)) for src in kg.papers["source"]}
    assert len(kept) == len(kg.papers)
    skipped = {(Path(r["file"]).name, str(r["record"])) for r in s["skipped_records"]}
    assert len(skipped) == s["skipped"]
    # the merge note names each merged record ("small.jsonl:7 into 'j2' (small.jsonl:2)")
    merged = {tuple(m.rsplit(":", 1)) for note in said if note.startswith("merged ")
              for m in MERGED.findall(note)}
    assert len(merged) == s["merged"]
    assert not kept & skipped and not kept & merged and not skipped & merged
    assert len(kept | skipped | merged) == s["records"]
    for r in s["skipped_records"]:
        assert r["file"] in s["files"] and isinstance(r["record"], int) and r["record"] >= 1
        assert r["reason"].strip()


def test_small_jsonl_counts(builds):
    s = builds["small.jsonl"][1].summary
    assert (s["records"], s["papers"], s["merged"], s["skipped"]) == (6, 5, 1, 0)


def test_mixed_set_counts_are_the_sum_of_each_files_and_name_every_skip(builds, extra_file):
    _, kg, _, said = builds["mixed with bad records"]
    s = kg.summary
    per_file = [EXPECTED[name] for name in MIXED_BAD]
    # small.jsonl: 6 records, 5 papers, 1 merged; extra: 2 records, 1 paper, 1 merged (across files)
    records = 6 + 2 + sum(e["records"] for e in per_file)
    papers = 5 + 1 + sum(e["papers"] for e in per_file)
    merged = 1 + 1 + sum(e["merged"] for e in per_file)
    skipped = sum(e["skipped"] for e in per_file)
    assert (s["records"], s["papers"], s["merged"], s["skipped"]) == (records, papers, merged, skipped)
    assert (records, papers, merged, skipped) == (33, 21, 4, 8)
    # every skip names its file, the record's line and why
    for name in MIXED_BAD:
        e = EXPECTED[name]
        mine = [r for r in s["skipped_records"] if Path(r["file"]).name == name]
        assert len(mine) == e["skipped"], name
        if e["skipped"]:
            first = min(mine, key=lambda r: r["record"])
            assert first["record"] == e["line"] and e["message_contains"] in first["reason"], name
    # the merged records, each into the first copy (which keeps its source)
    note = next(n for n in said if n.startswith("merged "))
    assert sorted(MERGED.findall(note)) == ["duplicate_ids.jsonl:2", "duplicate_ids.jsonl:4", "extra.jsonl:2",
                                            "small.jsonl:7"]
    assert kg.papers.set_index("paper_id").at["j1", "source"] == "small.jsonl:1"


def test_papers_without_concepts_are_still_nodes_and_rows(builds):
    _, kg, out, _ = builds["mixed with bad records"]
    conceptless = set(kg.papers["paper_id"]) - set(kg.mentions["paper_id"])
    assert "none1" in conceptless
    assert kg.summary["papers_without_concepts"] == len(conceptless)
    paper_nodes = {n for n, d in kg.graph.nodes(data=True) if d["kind"] == "paper"}
    assert paper_nodes == {f"paper:{p}" for p in kg.papers["paper_id"]}
    assert kg.graph.nodes["paper:none1"]["n_concepts"] == 0
    assert set(kg.paper_graph.nodes) == set(kg.papers["paper_id"])
    table = pd.read_csv(out / "papers.csv", keep_default_na=False, dtype=str)
    assert sorted(table["paper_id"]) == sorted(kg.papers["paper_id"])
    G = nx.read_graphml(out / "graph.graphml")
    assert {n for n, d in G.nodes(data=True) if d["kind"] == "paper"} == paper_nodes


@pytest.mark.parametrize("name", BUILDS)
def test_summary_json_holds_the_same_counts_settings_and_versions(builds, name):
    _, kg, out, _ = builds[name]
    written = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert json.loads(json.dumps(kg.summary, default=str)) == {
        k: v for k, v in written.items() if k not in ("outputs", "html_notes")}
    settings = {k: v for k, v in kg.config.to_dict().items() if k not in ("cache_dir", "progress", "dask")}
    assert written["settings"] == json.loads(json.dumps(settings))
    assert written["versions"] == _versions() and written["versions"]["kgraph"] == kgraph.__version__
    assert "timings" not in written and "run" not in written
    # a community is a group of linked papers; papers without links are not one
    real = sorted(c for c in set(kg.papers["community"]) if c >= 0)
    assert written["communities"] == len(real)
    assert real == list(range(len(real)))


@pytest.mark.parametrize("name", WITH_SKIPS)
def test_strict_stops_at_the_first_bad_record_naming_it(name):
    path, e = BAD / name, EXPECTED[name]
    with pytest.raises(InputError) as err:
        kgraph.build(path, strict=True, cache_dir=None)
    message = str(err.value)
    assert message.startswith(f"{path}:{e['line']}: ") and "\n" not in message
    assert (err.value.file, err.value.record) == (str(path), e["line"])


# ----------------------------------------------------------------------------- the command line
SUMMARY_LINE = re.compile(r"^papers\s+(\d+) read from (\d+) records \((\d+) duplicates merged, (\d+) skipped\)$",
                          re.M)


@pytest.fixture(scope="module")
def cli_build(mixed_inputs, cache, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "out"
    r = kgraph_cli("build", *mixed_inputs, "--out", out, "--cache-dir", cache, "-q")
    assert r.returncode == 0, r.stderr
    return out, r


def test_cli_summary_numbers_add_up_and_each_skip_is_one_warning(cli_build, builds):
    out, r = cli_build
    papers, records, merged, skipped = map(int, SUMMARY_LINE.search(r.stdout).groups())
    assert records == papers + merged + skipped
    s = builds["mixed with bad records"][1].summary
    assert (papers, records, merged, skipped) == (s["papers"], s["records"], s["merged"], s["skipped"])
    written = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (written["papers"], written["records"], written["merged"], written["skipped"]) == (
        papers, records, merged, skipped)
    warnings = [l for l in r.stderr.splitlines() if l.endswith("(record skipped)")]
    assert len(warnings) == skipped
    for line, rec in zip(warnings, written["skipped_records"]):
        assert line.startswith(f"kgraph: warning: {rec['file']}:{rec['record']}: {rec['reason']}")
    assert "Traceback" not in r.stderr
    communities = int(re.search(r"(\d+) paper communities", r.stdout).group(1))
    assert communities == written["communities"]


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}  # (the saved build's files too)


def leftovers(parent: Path, name: str) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.startswith(f".{name}.kgraph-")]


def test_cli_strict_is_one_line_exit_2_and_no_output_folder(mixed_inputs, tmp_path):
    out = tmp_path / "out"
    r = kgraph_cli("build", *mixed_inputs, "--out", out, "--no-cache", "--strict", "-q")
    assert r.returncode == 2
    first_bad = BAD / MIXED_BAD[0]
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert r.stderr.startswith(f"kgraph: error: {first_bad}:{EXPECTED[MIXED_BAD[0]]['line']}: ")
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert not out.exists() and leftovers(tmp_path, "out") == []


def test_cli_strict_failure_leaves_a_previous_good_output_untouched(cli_build, mixed_inputs):
    out, _ = cli_build
    before = snapshot(out)
    assert ".kgraph" in before and "papers.csv" in before
    r = kgraph_cli("build", *mixed_inputs, "--out", out, "--no-cache", "--strict", "-q")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert snapshot(out) == before
    assert leftovers(out.parent, out.name) == []
    assert len(KnowledgeGraph.load(out).papers) == json.loads(before["summary.json"][0])["papers"]
