"""benchmarks/speed.py's accounting of a cold build: spaCy's share and kgraph's own parts.

A hand-made row (no build is run): the own-work parts the targets list add up to
the own work, with the part of spaCy's load that ran before the nlp stage taken off
the time outside the stages, not off the nlp stage.
"""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import speed  # noqa: E402  (benchmarks/speed.py)

TIMINGS = {"ingest": 0.1, "nlp": 16.5, "concepts": 1.6, "graph": 0.25, "projections": 0.7, "communities": 0.6,
           "export": 1.5}


def cold_row(load_in_nlp: float) -> dict:
    return {"corpus": "c", "system": "kgraph", "run": "cold", "papers": 1000, "parsed": 1000, "wall": 22.0,
            "peak_mb": 500, "timings": dict(TIMINGS), "build": 20.2, "spacy_import": 0.0, "spacy_load": 1.2,
            "spacy_load_in_nlp": load_in_nlp, "spacy_parse": 13.6, "spacy_parse_cpu": 28.4, "parse_processes": 2,
            "dask": False, "parse_process": True}


@pytest.mark.parametrize("load_in_nlp", [1.2, 0.7])
def test_the_own_work_parts_add_up_to_the_own_work(load_in_nlp):
    (line,) = speed.targets([cold_row(load_in_nlp)], None)
    own = 22.0 - 1.2 - 13.6
    assert f"({own:.1f} of 22.0 s" in line
    listed = line.split("The parts: ")[1].removesuffix(" s.").split(", ")
    parts = {name: float(v) for name, v in (part.rsplit(" ", 1) for part in listed)}
    assert len(parts) == 7  # five stages, the nlp stage's own part, and what is outside the stages
    assert sum(parts.values()) == pytest.approx(own, abs=0.03)
    # the nlp stage's own part: the stage less the parse and the load's part within it
    assert parts["nlp (kgraph part)"] == pytest.approx(16.5 - load_in_nlp - 13.6, abs=0.006)


def test_the_cpu_floor_spreads_kgraphs_cpu_over_every_core():
    """The share the target would have with no core ever idle: kgraph's CPU seconds (all of the
    build's, less the parse processes') over the cores, against spaCy's part of the wall."""
    row = dict(cold_row(1.2), cpu_total=40.0, cores=2)
    lines = speed.targets([row], None)
    (line,) = [x for x in lines if "with no core ever idle" in x.lower()]
    kgraph_cpu, spacy_s = 40.0 - 28.4, 1.2 + 13.6
    assert f"{kgraph_cpu:.1f} core-seconds (of 40.0" in line
    assert "4.0 core-seconds idle in 22.0 s on 2 cores" in line  # 2 x 22 - 40
    floor = kgraph_cpu / 2
    assert f"{floor:.1f} s of wall, {floor / (spacy_s + floor):.0%} of it" in line  # 5.8 s, 28%
    assert f"under {0.15 / 0.85 * spacy_s * 2:.1f} core-seconds" in line  # 5.2
    # a build whose spaCy ran in this process (no parse processes) gets no such line
    assert not [x for x in speed.targets([dict(row, parse_process=False)], None) if "idle" in x]


def test_the_table_says_how_much_of_the_load_ran_before_the_nlp_stage():
    table = speed.corpus_table([cold_row(0.7)])
    row = table.splitlines()[-1].split(" | ")
    assert "1.2 (0.5 before the stage)" in row
    assert "2.20" in row  # nlp: kgraph = 16.5 - 0.7 - 13.6


def test_the_build_child_runs_against_todays_kgraph(tmp_path):
    """speed.py wraps kgraph.nlp's functions by name to time them: a renamed one must fail here,
    not in the next benchmark run (a cold build of 40 papers in a fresh process)."""
    from kgraph.sources import read_papers

    papers, _ = read_papers(None)
    corpus = tmp_path / "c.jsonl"
    rows = [{"id": r.paper_id, "title": r.title, "abstract": r.abstract} for r in papers.head(40).itertuples()]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    row = speed.run_child(sys.executable, "build", inputs=str(corpus), cache_dir=str(tmp_path / "cache"),
                          out=str(tmp_path / "out"), force=True)
    assert "error" not in row, row
    assert (row["papers"], row["parsed"]) == (40, 40)
    assert row["extract"] > 0 and row["spacy_parse_cpu"] > 0  # extraction and spaCy's parse were timed
    assert row["cpu_total"] > row["spacy_parse_cpu"] and row["cores"] >= 1
