"""The mention cache: a rebuild parses only text it has not seen with this model and extractor."""
import json
from pathlib import Path

import pandas as pd
import pytest

import kgraph
import kgraph.extract
import kgraph.run
from kgraph.sources import read_papers

from conftest import MODEL, assert_same_tables, write_corpus  # noqa: E402


def test_rebuild_parses_only_new_papers_and_gives_the_same_graph(corpus, tmp_path):
    cache = tmp_path / "cache"
    first18 = write_corpus(tmp_path / "first18.jsonl", corpus.head(18))
    all20 = write_corpus(tmp_path / "all20.jsonl", corpus)

    cold = kgraph.build(first18, cache_dir=cache)
    assert (cold.run["parsed"], cold.run["from_cache"]) == (18, 0)

    warm = kgraph.build(first18, cache_dir=cache)
    assert (warm.run["parsed"], warm.run["from_cache"]) == (0, 18)
    assert_same_tables(cold, warm)

    grown = kgraph.build(all20, cache_dir=cache)
    assert (grown.run["parsed"], grown.run["from_cache"]) == (2, 18)

    uncached = kgraph.build(all20, cache_dir=None)
    assert (uncached.run["parsed"], uncached.run["from_cache"]) == (20, 0)
    assert_same_tables(grown, uncached)


def test_edited_abstract_is_parsed_again(corpus, tmp_path):
    cache = tmp_path / "cache"
    kgraph.build(write_corpus(tmp_path / "a.jsonl", corpus.head(12)), cache_dir=cache)
    edited = corpus.head(12).copy()
    edited.loc[2, "abstract"] += " We also release the code."
    kg = kgraph.build(write_corpus(tmp_path / "b.jsonl", edited), cache_dir=cache)
    assert (kg.run["parsed"], kg.run["from_cache"]) == (1, 11)


def test_new_model_version_invalidates_the_cache(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    path = write_corpus(tmp_path / "c.jsonl", corpus.head(12))
    kgraph.build(path, cache_dir=cache)
    real = kgraph.extract.pipeline_identity
    monkeypatch.setattr(kgraph.extract, "pipeline_identity", lambda model: real(model) + ".post1")
    kg = kgraph.build(path, cache_dir=cache)
    assert (kg.run["parsed"], kg.run["from_cache"]) == (12, 0)


def test_new_extractor_version_invalidates_the_cache(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    path = write_corpus(tmp_path / "d.jsonl", corpus.head(12))
    kgraph.build(path, cache_dir=cache)
    monkeypatch.setattr(kgraph.extract, "EXTRACTOR_VERSION", kgraph.extract.EXTRACTOR_VERSION + "-test")
    kg = kgraph.build(path, cache_dir=cache)
    assert (kg.run["parsed"], kg.run["from_cache"]) == (12, 0)
    # and the old entries stay valid for the old version
    monkeypatch.undo()
    assert kgraph.build(path, cache_dir=cache).run["parsed"] == 0


def test_a_pipeline_retrained_in_its_folder_is_parsed_again_and_rebuilt(corpus, tmp_path):
    """The cache key and the build key name a pipeline folder the same way, by its meta.json and
    config.cfg: a pipeline retrained in place neither reuses the old entries nor the old build."""
    import importlib.util
    import shutil

    from kgraph.pipeline import build_key

    package = Path(importlib.util.find_spec(MODEL).origin).parent
    (installed,) = [p for p in package.iterdir() if (p / "config.cfg").is_file()]
    folder = tmp_path / "my_pipeline"
    shutil.copytree(installed, folder)
    path = write_corpus(tmp_path / "e.jsonl", corpus.head(6))
    config = kgraph.BuildConfig(inputs=[path], model=str(folder), cache_dir=tmp_path / "cache")
    first = kgraph.build(config=config)
    key = build_key(config)
    assert first.run["parsed"] == 6 and first.summary["build_key"] == key
    assert kgraph.build(config=config).run["from_cache"] == 6

    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    (folder / "meta.json").write_text(json.dumps(dict(meta, version=meta["version"] + "-retrained")),
                                      encoding="utf-8")
    again = kgraph.build(config=config)
    assert (again.run["parsed"], again.run["from_cache"]) == (6, 0)
    assert build_key(config) != key
    (folder / "config.cfg").write_text((folder / "config.cfg").read_text(encoding="utf-8") + "\n",
                                       encoding="utf-8")
    assert kgraph.build(config=config).run["parsed"] == 6


def test_text_to_parse_cuts_a_long_text_at_a_space(monkeypatch):
    from kgraph.text import MAX_PARSE_CHARS, clean_text, text_to_parse

    short = r"The Schr\"odinger  equation"
    assert text_to_parse(short) == clean_text(short) == "The Schrödinger equation"
    words = "graph neural networks " * (MAX_PARSE_CHARS // 10)  # over twice the limit
    cut = text_to_parse(words)
    assert len(cut) <= MAX_PARSE_CHARS and words.startswith(cut + " ")
    assert len(cut) > MAX_PARSE_CHARS - len("networks ")
    # a run without spaces comes in pieces of 200 (spaCy's tokenizer is quadratic in a run of
    # punctuation): so a text of one long run is cut at a space too
    assert text_to_parse("x" * (MAX_PARSE_CHARS + 5)) == " ".join(["x" * 200] * (MAX_PARSE_CHARS // 201))
    assert text_to_parse("a " + "&amp;" * 450 + " b") == "a " + "&" * 200 + " " + "&" * 200 + " " + "&" * 50 + " b"
    url = "https://github.com/AS-Lab/Marthi-et-al-2025-MedVisionLlama-Pre-Trained-LLM-Layers-to-Enhance"
    assert text_to_parse(f"code at {url * 2}") == f"code at {url * 2}"  # 184 characters: kept whole
    monkeypatch.setattr(kgraph.text, "MAX_PARSE_CHARS", 20)
    assert text_to_parse("We train Boltzmann generators on molecules.") == "We train Boltzmann"


def test_a_long_text_is_called_cut_only_when_the_parse_leaves_part_of_it_out(monkeypatch, tmp_path):
    """The note on a long text is about what the parse leaves out: markup that cleaning
    removes does not count, and a run broken into pieces gains its spaces."""
    from kgraph.text import parsed_length, text_to_parse

    monkeypatch.setattr(kgraph.text, "MAX_PARSE_CHARS", 1_000)
    shrinks = "<i>in vivo</i> &amp; " * 80  # 1,680 characters; 799 once cleaned
    assert parsed_length(shrinks) == 799
    assert text_to_parse(shrinks) == "in vivo & " * 79 + "in vivo &"
    words = "in vivo & " * 120  # 1,200 characters, 1,199 without the last space
    assert parsed_length(words) == 1_199 and len(text_to_parse(words)) < 1_000
    assert parsed_length("<i>x</i>" * 31) == 248  # at most a quarter of the limit: not cleaned
    assert parsed_length("\ufb2c" * 340) == 1_025  # NFC triples it (and a run gains its spaces): cut
    assert parsed_length("x" * 997) == 1_001  # in pieces of 200, with their spaces: cut
    assert parsed_length("x" * 996) == 1_000 and text_to_parse("x" * 996) == " ".join(["x" * 200] * 4 + ["x" * 196])
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"title": "Markup", "abstract": shrinks}) + "\n"
                    + json.dumps({"title": "Words", "abstract": words}) + "\n"
                    + json.dumps({"title": "A run", "abstract": "x" * 997}) + "\n", encoding="utf-8")
    papers, report = read_papers([path])
    assert len(papers) == 3
    assert [note.split(": ", 1)[1] for note in report.notes] == [
        "the abstract is 1,199 characters long; concepts come from its first 1,000 only",
        "the abstract is 1,001 characters long; concepts come from its first 1,000 only"]


@pytest.mark.parametrize("processes", [0, 2])
def test_only_the_beginning_of_an_overlong_abstract_is_parsed(corpus, tmp_path, monkeypatch, processes):
    """A text over the limit loses its end in the parse, in this process and in the pool's
    workers, and is cached under a key that names the limit."""
    import multiprocessing

    if processes and multiprocessing.get_start_method() != "fork":
        pytest.skip("the workers see the patched limit only when forked")
    papers = corpus.head(6).copy()
    limit = int(max(papers.abstract.str.len().max(), papers.title.str.len().max())) + 10  # only one is longer
    monkeypatch.setattr(kgraph.text, "MAX_PARSE_CHARS", limit)
    monkeypatch.setattr(kgraph.run, "CHUNK_PAPERS", 2)
    papers.loc[3, "abstract"] = ("We study zebrafish embryos under heat stress. " * (limit // 40)
                                 + "Finally, we use a quantum annealer.")
    from kgraph.cache import MentionCache

    cache = MentionCache(tmp_path / "cache")
    ex = kgraph.run.extract(papers, MODEL, cache=cache, processes=processes, batch_size=2)
    keys = set(ex.candidates.loc[ex.candidates.paper_id == papers.paper_id[3], "key"])
    assert "zebrafish embryo" in keys and not [k for k in keys if "quantum" in k]
    assert ex.candidates.paper_id.nunique() == 6
    ex = kgraph.run.extract(papers, MODEL, cache=cache, processes=processes)
    assert (ex.parsed, ex.from_cache) == (0, 6)
    monkeypatch.setattr(kgraph.text, "MAX_PARSE_CHARS", 2 * limit)  # the whole text now: parsed again
    ex = kgraph.run.extract(papers, MODEL, cache=cache, processes=processes)
    assert (ex.parsed, ex.from_cache) == (1, 5)
    assert "quantum annealer" in set(ex.candidates.loc[ex.candidates.paper_id == papers.paper_id[3], "key"])
    assert ex.candidates.paper_id.nunique() == 6


def test_an_abstract_over_spacys_limit_builds_with_a_note(corpus, tmp_path):
    """spaCy refuses a text of over 1,000,000 characters (and would need gigabytes for one):
    the build goes on with the abstract's beginning, says so, and keeps the whole text."""
    from click.testing import CliRunner

    from kgraph.cli import app

    papers = corpus.head(8).copy()
    huge = "We study zebrafish embryos under heat stress. " * 25_000 + "Finally, we use a quantum annealer."
    papers.loc[5, "abstract"] = huge
    path = write_corpus(tmp_path / "huge.jsonl", papers)
    result = CliRunner().invoke(app, ["build", str(path), "--out", str(tmp_path / "out"), "--no-cache", "-q"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert (f"{path}:6: the abstract is {len(huge):,} characters long; concepts come from its first "
            f"{kgraph.text.MAX_PARSE_CHARS:,} only") in result.output
    table = pd.read_csv(tmp_path / "out" / "papers.csv", keep_default_na=False)
    assert table.loc[table.paper_id == papers.paper_id[5], "abstract"].item() == huge
    mentions = pd.read_csv(tmp_path / "out" / "mentions.csv", keep_default_na=False)
    mine = set(mentions.loc[mentions.paper_id == papers.paper_id[5], "concept_id"])
    assert "zebrafish embryo" in mine and not [c for c in mine if "quantum" in c]


def test_a_build_lets_the_candidates_go_once_the_concepts_are_made(corpus, tmp_path, monkeypatch):
    """The candidates (4 million rows, about 350 MB, at 100,000 papers) are needed only to make
    the concepts: by the time the graph is built, a build holds them no more."""
    import gc
    import weakref

    import kgraph.graph

    made, alive = [], []
    real_extract, real_graph = kgraph.run.extract, kgraph.graph.bipartite_graph

    def extract(*args, **kwargs):
        extraction = real_extract(*args, **kwargs)
        made.append(weakref.ref(extraction))
        return extraction

    def bipartite_graph(*args, **kwargs):
        gc.collect()
        alive.append(made[0]() is not None)
        return real_graph(*args, **kwargs)

    monkeypatch.setattr(kgraph.run, "extract", extract)
    monkeypatch.setattr(kgraph.graph, "bipartite_graph", bipartite_graph)
    kg = kgraph.build([write_corpus(tmp_path / "c.jsonl", corpus)], cache_dir=tmp_path / "cache")
    assert alive == [False] and len(kg.papers) == 20


# --------------------------------------------------------------------------- a disposable cache
def _damage_rows(db_path, how):
    import sqlite3

    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT key, payload FROM entries ORDER BY key").fetchall()
        for i, (key, payload) in enumerate(rows[:4]):
            bad = {"json": payload[:-7], "shape": json.dumps([[["only", "two"]], []]),
                   "types": payload.replace("true", '"yes"', 1).replace("false", '"no"', 1),
                   "byte": payload[:1] + chr(ord(payload[1]) ^ 1) + payload[2:],  # '[[' becomes '[Z'
                   "schema": json.dumps({"candidates": [], "acronyms": []})}[how]
            db.execute("UPDATE entries SET payload = ? WHERE key = ?", (bad, key))
    return len(rows)


@pytest.mark.parametrize("how", ["json", "shape", "types", "byte", "schema"])
def test_a_damaged_row_is_parsed_again_and_the_build_is_the_same(corpus, tmp_path, how):
    path = write_corpus(tmp_path / "c.jsonl", corpus.head(12))
    clean = kgraph.build(path, cache_dir=tmp_path / "cache")
    _damage_rows(tmp_path / "cache" / "mentions.sqlite", how)
    warnings = []
    again = kgraph.build(path, cache_dir=tmp_path / "cache", warn=warnings.append)
    assert again.run["parsed"] == 4 and again.run["from_cache"] == 8, how
    assert_same_tables(clean, again)
    assert len(warnings) == 1 and "4 cached paper(s) were damaged" in warnings[0], warnings
    third = kgraph.build(path, cache_dir=tmp_path / "cache")  # the rows were replaced
    assert (third.run["parsed"], third.run["from_cache"]) == (0, 12)


@pytest.mark.parametrize("how", ["garbage", "truncated", "foreign", "old schema"])
def test_a_damaged_or_foreign_cache_file_is_set_aside_with_a_warning(corpus, tmp_path, how):
    import sqlite3

    path = write_corpus(tmp_path / "c.jsonl", corpus.head(12))
    clean = kgraph.build(path, cache_dir=tmp_path / "clean")
    folder = tmp_path / "cache"
    kgraph.build(path, cache_dir=folder)
    db = folder / "mentions.sqlite"
    with sqlite3.connect(db) as conn:  # everything in the main file, no journal beside it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    if how == "garbage":
        db.write_bytes(b"\x00garbage, not SQLite\xff" * 100)
    elif how == "truncated":
        db.write_bytes(db.read_bytes()[:1000])
    elif how == "foreign":
        db.unlink()
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE entries (id INTEGER, name TEXT, value BLOB)")
    else:
        db.unlink()
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, payload TEXT NOT NULL, extra TEXT)")
    warnings = []
    kg = kgraph.build(path, cache_dir=folder, warn=warnings.append, out=tmp_path / "out")
    assert_same_tables(clean, kg)
    kgraph.build(path, cache_dir=None, out=tmp_path / "clean-out")
    for f in (tmp_path / "clean-out").rglob("*"):  # the same bytes, file by file
        if f.is_file():
            assert (tmp_path / "out" / f.relative_to(tmp_path / "clean-out")).read_bytes() == f.read_bytes(), f.name
    aside = [p.name for p in folder.iterdir() if ".damaged-" in p.name]
    assert aside and any(aside[0] in w and "set aside" in w for w in warnings), (warnings, aside)
    again = kgraph.build(path, cache_dir=folder)  # the new cache holds every paper
    assert (again.run["parsed"], again.run["from_cache"]) == (0, 12)


def test_a_cache_that_fails_while_the_build_writes_leaves_the_build_alone(corpus, tmp_path, monkeypatch):
    """A full disk under the cache: one warning, the same tables, nothing raised."""
    import sqlite3

    from kgraph.cache import MentionCache

    path = write_corpus(tmp_path / "c.jsonl", corpus.head(12))
    clean = kgraph.build(path, cache_dir=None)

    real = MentionCache.put_many
    monkeypatch.setattr(MentionCache, "put_many",
                        lambda self, items: self._recover(sqlite3.OperationalError("database or disk is full")))
    warnings = []
    kg = kgraph.build(path, cache_dir=tmp_path / "cache", warn=warnings.append)
    assert_same_tables(clean, kg)
    assert len(warnings) == 1 and "disk is full" in warnings[0] and "not used" in warnings[0]
    monkeypatch.setattr(MentionCache, "put_many", real)


def test_two_builds_sharing_one_cache_at_once(corpus, tmp_path):
    """Both finish with the tables of a build alone, and the cache then holds every paper."""
    import subprocess
    import sys

    path = write_corpus(tmp_path / "c.jsonl", corpus.head(16))
    procs = [subprocess.Popen([sys.executable, "-m", "kgraph", "build", str(path), "--out", str(tmp_path / f"o{i}"),
                               "--cache-dir", str(tmp_path / "cache"), "-q"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        assert "Traceback" not in err and "warning" not in err, err
    for name in ("papers.csv", "concepts.csv", "mentions.csv", "paper_links.csv"):
        assert (tmp_path / "o0" / name).read_bytes() == (tmp_path / "o1" / name).read_bytes(), name
    kg = kgraph.build(path, cache_dir=tmp_path / "cache")
    assert (kg.run["parsed"], kg.run["from_cache"]) == (0, 16)


def test_a_crafted_thesaurus_or_stoplist_runs_nothing(corpus, tmp_path):
    """Both are read as text: code or a pickle in them is a term (or a clear error), never run."""
    import pickle

    class Payload:
        def __reduce__(self):
            return (open, (str(tmp_path / "PWNED-pickle"), "w"))

    thesaurus = tmp_path / "thesaurus.txt"
    thesaurus.write_text("label\treplace by\n__import__('os').system('touch " + str(tmp_path / "PWNED-eval")
                         + "')\tx\n{{7*7}}\t${jndi:ldap://x}\n", encoding="utf-8")
    stop = tmp_path / "stop.bin"
    stop.write_bytes(pickle.dumps(Payload()))
    path = write_corpus(tmp_path / "c.jsonl", corpus.head(6))
    try:
        kgraph.build(path, cache_dir=None, thesaurus=thesaurus, stopwords=stop)
    except kgraph.KgraphError as exc:  # a file that is not text may be refused, in one line
        assert "\n" not in str(exc) and "stop.bin" in str(exc)
    kgraph.build(path, cache_dir=None, thesaurus=thesaurus)
    assert not (tmp_path / "PWNED-pickle").exists() and not (tmp_path / "PWNED-eval").exists()
