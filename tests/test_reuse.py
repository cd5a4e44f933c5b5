"""A rebuild of an unchanged build does nothing, like make; any change that matters builds again (issue #6)."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kgraph
from kgraph import pipeline
from kgraph.config import BuildConfig


def write_jsonl(path: Path, rows) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    return path


def files_of(folder: Path) -> dict:
    """Every file of an output folder (the marker too): its modification time and bytes."""
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir() if p.is_file()}


def copy_build(folder: Path, to: Path) -> Path:
    shutil.copytree(folder, to)  # copy2 keeps the files' times, so the copy is as finished as the original
    return to


@pytest.fixture(scope="module")
def corpus_rows():
    """Six papers of the built-in corpus, as a user's JSONL records."""
    from kgraph.sources import read_papers

    papers, _ = read_papers(None)
    return [{"id": f"u{i}", "title": r.title, "abstract": r.abstract} for i, r in
            enumerate(papers.iloc[::30].head(7).itertuples())]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def built(tmp_path_factory, corpus_rows, cache):
    """A finished build of six papers: (input file, output folder, its KnowledgeGraph)."""
    root = tmp_path_factory.mktemp("built")
    corpus = write_jsonl(root / "six.jsonl", corpus_rows[:6])
    kg = kgraph.build(corpus, out=root / "out", cache_dir=cache, min_df=1)
    assert kg.run["up_to_date"] is False and kg.run["parsed"] == 6
    return corpus, root / "out", kg


def test_an_unchanged_rebuild_parses_and_writes_nothing(built, tmp_path):
    corpus, out, kg = built
    before = files_of(out)
    fresh_cache = tmp_path / "never-made"  # where the cache lives does not change the outputs
    again = kgraph.build(corpus, out=out, cache_dir=fresh_cache, min_df=1)
    assert again.run["up_to_date"] is True
    assert (again.run["parsed"], again.run["from_cache"]) == (0, 0)
    assert not fresh_cache.exists()  # extraction never ran: it would have opened the cache
    assert files_of(out) == before  # same bytes, same modification times
    # the build comes back whole, from the folder's kgraph-build/
    assert again.summary["build_key"] == kg.summary["build_key"]
    assert len(again.papers) == 6 and len(again.paper_links) == len(kg.paper_links)


def test_the_key_is_in_summary_json_and_names_the_settings(built):
    _, out, kg = built
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["build_key"] == kg.summary["build_key"] == pipeline.build_key(kg.config)
    assert len(summary["build_key"]) == 64


def test_one_changed_input_byte_rebuilds_and_parses_only_that_paper(built, corpus_rows, cache, tmp_path):
    corpus = write_jsonl(tmp_path / "six.jsonl", corpus_rows[:6])
    first = kgraph.build(corpus, out=tmp_path / "out", cache_dir=cache, min_df=1)
    assert first.run["parsed"] == 0  # the module's cache already holds these papers
    data = corpus.read_bytes()
    at = data.index(b'"title": "') + len(b'"title": "')
    corpus.write_bytes(data[:at] + (b"X" if data[at:at + 1] != b"X" else b"Y") + data[at + 1:])
    second = kgraph.build(corpus, out=tmp_path / "out", cache_dir=cache, min_df=1)
    assert second.run["up_to_date"] is False
    assert (second.run["parsed"], second.run["from_cache"]) == (1, 5)
    assert second.summary["build_key"] != first.summary["build_key"]
    assert pipeline.up_to_date(tmp_path / "out", second.config) is not None


def test_one_added_paper_is_the_only_one_parsed(corpus_rows, cache, tmp_path):
    corpus = write_jsonl(tmp_path / "grown.jsonl", corpus_rows[:6])
    kgraph.build(corpus, out=tmp_path / "out", cache_dir=cache, min_df=1)
    write_jsonl(corpus, corpus_rows[:7])
    grown = kgraph.build(corpus, out=tmp_path / "out", cache_dir=cache, min_df=1)
    assert (grown.run["up_to_date"], grown.run["parsed"], grown.run["from_cache"]) == (False, 1, 6)
    assert json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["papers"] == 7


def test_one_changed_setting_rebuilds_from_the_cache(built, cache, tmp_path):
    corpus, out, kg = built
    out = copy_build(out, tmp_path / "out")
    other = kgraph.build(corpus, out=out, cache_dir=cache, min_df=2)
    assert (other.run["up_to_date"], other.run["parsed"], other.run["from_cache"]) == (False, 0, 6)
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["settings"]["min_df"] == 2
    assert kgraph.build(corpus, out=out, cache_dir=cache, min_df=2).run["up_to_date"] is True
    assert kgraph.build(corpus, out=out, cache_dir=cache, min_df=1).run["up_to_date"] is False


def test_force_and_no_cache_rebuild_to_the_same_bytes(built, cache, tmp_path):
    corpus, out, kg = built
    out = copy_build(out, tmp_path / "out")
    before = files_of(out)
    forced = kgraph.build(corpus, out=out, cache_dir=cache, min_df=1, force=True)
    assert (forced.run["up_to_date"], forced.run["from_cache"]) == (False, 6)
    after = files_of(out)
    assert after[".kgraph"][0] > before[".kgraph"][0]  # written again
    for name in before:
        assert after[name][1] == before[name][1], name
    assert kgraph.build(corpus, out=out, cache_dir=None, min_df=1).run["up_to_date"] is False


def damage_delete(out):
    (out / "graph.gexf").unlink()


def damage_truncate(out):
    (out / "papers.csv").write_bytes(b"")


def damage_edit_after(out):
    html = out / "graph.html"
    html.write_text(html.read_text(encoding="utf-8") + "<!-- mine -->", encoding="utf-8")
    later = (out / ".kgraph").stat().st_mtime_ns + 10**9
    os.utime(html, ns=(later, later))


def damage_summary(out):
    (out / "summary.json").write_text('{"papers": 6', encoding="utf-8")


def damage_marker(out):
    (out / ".kgraph").unlink()


@pytest.mark.parametrize("damage", [damage_delete, damage_truncate, damage_edit_after, damage_summary,
                                    damage_marker])
def test_a_damaged_output_folder_is_not_up_to_date(built, tmp_path, damage):
    _, out, kg = built
    out = copy_build(out, tmp_path / "out")
    assert pipeline.up_to_date(out, kg.config) is not None
    damage(out)
    assert pipeline.previous_build(out) is None
    assert pipeline.up_to_date(out, kg.config) is None


def test_a_deleted_output_file_is_rebuilt(built, cache, tmp_path):
    corpus, out, kg = built
    out = copy_build(out, tmp_path / "out")
    want = (out / "graph.graphml").read_bytes()
    (out / "graph.graphml").unlink()
    again = kgraph.build(corpus, out=out, cache_dir=cache, min_df=1)
    assert again.run["up_to_date"] is False
    assert (out / "graph.graphml").read_bytes() == want
    assert pipeline.up_to_date(out, kg.config) is not None


def test_kgraph_code_newer_than_the_outputs_rebuilds(built, tmp_path):
    _, out, kg = built
    out = copy_build(out, tmp_path / "out")
    for p in out.rglob("*"):  # (the saved build's files too)
        os.utime(p, (946684800, 946684800))  # 2000-01-01: older than any kgraph source file
    assert pipeline.previous_build(out) is not None  # finished and untouched, but made by older code
    assert pipeline.up_to_date(out, kg.config) is None


def test_build_key_covers_what_the_outputs_depend_on(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [{"title": "Flows", "abstract": "We sample."}])
    the = tmp_path / "thesaurus.txt"
    the.write_text("label\treplace by\nflows\tflow\n", encoding="utf-8")
    base = BuildConfig(inputs=[a], thesaurus=the, cache_dir=tmp_path / "c")
    key = pipeline.build_key(base)
    assert len(key) == 64 and key == pipeline.build_key(BuildConfig(inputs=[a], thesaurus=the, cache_dir=None,
                                                                      dask="local"))
    for other in (BuildConfig(inputs=[a], thesaurus=the, min_df=3),
                  BuildConfig(inputs=[a], thesaurus=the, focus="flow"),
                  BuildConfig(inputs=[a], thesaurus=the, model="some_other_model"),
                  BuildConfig(inputs=[a]),
                  BuildConfig(inputs=[a, a], thesaurus=the),
                  BuildConfig(thesaurus=the)):  # the built-in corpus
        assert pipeline.build_key(other) != key, other
    the.write_text("label\treplace by\nflows\tflows\n", encoding="utf-8")  # same path, other content
    assert pipeline.build_key(base) != key
    assert pipeline.build_key(BuildConfig(inputs=[tmp_path / "missing.jsonl"]))  # no error: the build reports it


def test_a_pipeline_folder_counts_by_its_meta_and_config(tmp_path):
    model = tmp_path / "my_pipeline"
    model.mkdir()
    (model / "meta.json").write_text('{"name": "mine", "version": "1.0.0"}', encoding="utf-8")
    (model / "config.cfg").write_text("[nlp]\n", encoding="utf-8")
    config = BuildConfig(model=str(model), cache_dir=None)
    key = pipeline.build_key(config)
    (model / "meta.json").write_text('{"name": "mine", "version": "1.0.1"}', encoding="utf-8")
    assert pipeline.build_key(config) != key


def test_the_names_agree_with_the_exporter():
    from kgraph import export

    assert pipeline.SUMMARY_NAME in export.OUTPUT_FILES


def test_the_inputs_are_hashed_once_a_build(built, cache, tmp_path, monkeypatch):
    """One key a run decides and goes into summary.json: up to date or not, the inputs are read
    for the key once (they were read three times: the command's check, build's, _build's)."""
    corpus, out, kg = built
    out = copy_build(out, tmp_path / "out")
    keys = []
    real = pipeline.build_key
    monkeypatch.setattr(pipeline, "build_key", lambda config: keys.append(1) or real(config))
    assert kgraph.build(corpus, out=out, cache_dir=cache, min_df=1).run["up_to_date"] is True
    assert len(keys) == 1
    rebuilt = kgraph.build(corpus, out=out, cache_dir=cache, min_df=2)
    assert rebuilt.run["up_to_date"] is False and len(keys) == 2
    assert rebuilt.summary["build_key"] == real(rebuilt.config)


NO_OP = """
import atexit, sys
from kgraph.cli import main
sys.argv = ["kgraph", *sys.argv[1:]]

@atexit.register
def imported():
    heavy = [m for m in ("spacy", "pandas", "networkx", "numpy", "scipy", "typer", "rich") if m in sys.modules]
    print("imported:", ",".join(heavy) or "-", file=sys.stderr)

main()
"""


def kgraph_cli(*args):
    return subprocess.run([sys.executable, "-c", NO_OP, *map(str, args)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "COLUMNS": "300"})  # help lines unwrapped


def test_the_command_does_nothing_without_loading_spacy_pandas_or_networkx(built, tmp_path):
    """Nor the saved build (unpickling it loads pandas and networkx), nor typer and rich."""
    corpus, out, _ = built
    out = copy_build(out, tmp_path / "out")  # made by kgraph.build(out=...): the command sees the same build
    before = files_of(out)
    r = kgraph_cli("build", corpus, "--out", out, "--min-df", "1", "--cache-dir", tmp_path / "cache")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("\n") == 1 and "is up to date (build key " in r.stdout
    assert "nothing to do — --force rebuilds" in r.stdout
    assert "imported: -" in r.stderr
    assert files_of(out) == before and not (tmp_path / "cache").exists()


def test_the_command_rebuilds_with_force_or_no_cache(built, cache, tmp_path):
    corpus, out, _ = built
    out = copy_build(out, tmp_path / "out")
    r = kgraph_cli("build", corpus, "--out", out, "--min-df", "1", "--cache-dir", cache, "--force", "-q")
    assert r.returncode == 0, r.stderr
    assert "parsed      0 papers (6 from cache)" in r.stdout and "up to date" not in r.stdout
    r = kgraph_cli("build", corpus, "--out", out, "--min-df", "1", "--no-cache", "-q")
    assert r.returncode == 0, r.stderr
    assert "parsed      6 papers (0 from cache)" in r.stdout
    help_text = kgraph_cli("build", "--help").stdout
    assert "up to date" in help_text and "--force" in help_text and "--no-cache" in help_text
