"""benchmarks/speed.py: its targets, and its runs against today's kgraph (tiny sizes, no timing checked)."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import speed  # noqa: E402  (benchmarks/speed.py)

REPO = Path(__file__).resolve().parents[1]


def row(run, wall, system="kgraph", papers=100, up_to_date=False, peak_mb=300.0):
    return {"corpus": "c", "system": system, "run": run, "wall": wall, "papers": papers, "up_to_date": up_to_date,
            "peak_mb": peak_mb}


def test_targets_say_met_or_missed_with_the_figures():
    rows = [row("cold", 10.0), row("rebuild", 0.4, up_to_date=True), row("warm cache, --min-df 3", 4.0),
            row("cold", 30.0, system="textnets 0.10.4")]
    lines = speed.targets(rows, {})
    assert lines == [
        "- c, kgraph: cold build 3.00× textnets' papers/s (target ≥ 2.5×: met).",
        "- c, kgraph: unchanged rebuild 25× faster than cold (0.40 s vs 10.0 s) (target ≥ 20×: met).",
        "- c, kgraph: warm cache with --min-df 3 2.5× faster than cold (4.0 s vs 10.0 s) (target ≥ 3×: MISSED).",
    ]


def test_a_fast_rebuild_that_rebuilt_misses_its_target():
    lines = speed.targets([row("cold", 10.0), row("rebuild", 0.1, up_to_date=False)], {})
    assert "REBUILT" in lines[0] and lines[0].endswith("MISSED).")


def test_synthetic_targets_count_the_stages_not_the_generation():
    stages = {"generate": {"seconds": 50.0, "peak_mb": 5000.0}, "graph": {"seconds": 70.0, "peak_mb": 3000.0},
              "html": {"seconds": 40.0, "peak_mb": 1000.0}}
    (line,) = speed.targets([], {"kgraph": {"papers": 100_000, "stages": stages}})
    assert line.startswith("- 100,000-paper graph stages, kgraph: 110 s (target ≤ 120 s: met)")
    assert "peak 2.93 GB (target ≤ 4 GB: met)" in line  # the generation's own peak is not a stage's


def test_the_synthetic_run_calls_todays_stage_functions(tmp_path):
    """The one place speed.py imports kgraph's stages by name (graph_stages): a moved function
    must fail here, not in the next benchmark run."""
    r = speed.run_child(sys.executable, "synthetic", REPO, tmp_path, n_papers=300, out=str(tmp_path / "out"))
    assert "error" not in r, r.get("stderr")
    assert list(r["stages"]) == list(speed.STAGE_LABELS)
    assert r["papers"] == 300 and r["paper_links"] > 0 and r["communities"] > 0
    assert (tmp_path / "out" / "graph.graphml").stat().st_size > 0
    assert (tmp_path / "out" / "graph.html").stat().st_size > 0


def test_the_build_rows_run_the_command_line_as_a_user_does(tmp_path):
    """Cold, rebuild (up to date: nothing to do) and warm cache with --min-df 3, through `kgraph build`."""
    from kgraph.sources import read_papers

    papers, _ = read_papers(None)
    corpus = speed._write_jsonl(tmp_path / "c.jsonl", [{"id": p.paper_id, "title": p.title, "abstract": p.abstract}
                                                       for p in papers.head(30).itertuples()])
    rows = speed.bench_corpus("tiny", corpus, tmp_path, [("", REPO)], sys.executable, None, None)
    assert [r["run"] for r in rows] == ["cold", "rebuild", "warm cache, --min-df 3"]
    assert not [r["error"] for r in rows if "error" in r]
    cold, again, warm = rows
    assert (cold["up_to_date"], again["up_to_date"], warm["up_to_date"]) == (False, True, False)
    assert cold["papers"] == warm["papers"] == 30
    summary = json.loads(next(tmp_path.glob("*/out-min-df-3/summary.json")).read_text())
    assert summary["settings"]["min_df"] == 3
    table = speed.builds_table(rows)
    assert "| tiny | kgraph | rebuild | 30 |" in table and "up to date: nothing to do" in table
