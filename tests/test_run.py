"""Where extraction runs: in this process or in a pool of workers, the same tables, in order;
an interrupted build keeps what it parsed and leaves no process behind."""
import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

import kgraph
import kgraph.run
from kgraph.errors import KgraphError

from conftest import MODEL, assert_same_tables, write_corpus  # noqa: E402


@pytest.mark.parametrize("processes", [0, 2])
def test_the_pool_gives_the_tables_and_cache_entries_of_one_process(corpus, tmp_path, processes, monkeypatch):
    from kgraph.cache import MentionCache

    monkeypatch.setattr(kgraph.run, "CHUNK_PAPERS", 6)  # 20 papers: four chunks
    here, there = MentionCache(tmp_path / "here"), MentionCache(tmp_path / "there")
    one = kgraph.run.extract(corpus, MODEL, cache=here, processes=0)
    two = kgraph.run.extract(corpus, MODEL, cache=there, processes=processes)
    pd.testing.assert_frame_equal(one.candidates, two.candidates)
    pd.testing.assert_frame_equal(one.acronyms, two.acronyms)
    rows = "SELECT key, payload FROM entries ORDER BY key"
    assert here.db.execute(rows).fetchall() == there.db.execute(rows).fetchall()
    assert len(there) == len(corpus) and (two.parsed, two.from_cache) == (20, 0)


@pytest.mark.parametrize("processes,n,chunk", [(2, None, 4), (3, 5, 2), (2, 1, 4), (0, None, 3), (2, None, 64)])
def test_the_same_candidates_whatever_the_chunks_and_the_runner(corpus, processes, n, chunk, monkeypatch):
    """Chunks come back in the papers' order, even with more workers than chunks."""
    papers = corpus if n is None else corpus.head(n)
    one = kgraph.run.extract(papers, MODEL, processes=0, batch_size=2)
    monkeypatch.setattr(kgraph.run, "CHUNK_PAPERS", chunk)
    many = kgraph.run.extract(papers, MODEL, processes=processes, batch_size=2)
    pd.testing.assert_frame_equal(one.candidates, many.candidates)
    pd.testing.assert_frame_equal(one.acronyms, many.acronyms)
    assert one.candidates.paper_id.nunique() == len(papers)


def test_the_pool_is_used_by_papers_and_cores(monkeypatch):
    monkeypatch.setattr(kgraph.run, "available_cores", lambda: 2)
    assert kgraph.run.pool_size(kgraph.run.POOL_FROM - 1) == 0
    assert kgraph.run.pool_size(kgraph.run.POOL_FROM) == 2
    monkeypatch.setattr(kgraph.run, "available_cores", lambda: 1)
    assert kgraph.run.pool_size(10_000) == 0
    monkeypatch.setattr(kgraph.run, "available_cores", lambda: 64)
    assert kgraph.run.pool_size(10_000) == kgraph.run.MAX_WORKERS


@pytest.mark.parametrize("processes", [0, 2])
def test_a_pipeline_that_is_not_installed_is_reported(corpus, processes):

    with pytest.raises(KgraphError, match="'no_such_pipeline' is not installed"):
        kgraph.run.extract(corpus, "no_such_pipeline", processes=processes)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("processes", [0, 2])
def test_an_interrupted_build_keeps_what_it_parsed(corpus, tmp_path, monkeypatch, processes):
    """Ctrl-C after some chunks (here: in the progress callback): what was parsed is in the cache,
    no worker is left, and the next build parses only the rest, into the same tables."""

    monkeypatch.setattr(kgraph.run, "CHUNK_PAPERS", 4)  # 20 papers: five chunks
    monkeypatch.setattr(kgraph.run, "POOL_FROM", 1 if processes else 10**9)
    path = write_corpus(tmp_path / "f.jsonl", corpus)
    seen = []

    def progress(done, total):
        seen.append((done, total))
        if done >= 8:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        kgraph.build(path, cache_dir=tmp_path / "cache", progress=progress)
    assert seen == [(4, 20), (8, 20)]
    assert multiprocessing.active_children() == []

    seen.clear()
    rest = kgraph.build(path, cache_dir=tmp_path / "cache", progress=lambda done, total: seen.append((done, total)))
    assert (rest.run["parsed"], rest.run["from_cache"]) == (12, 8)
    assert seen == [(4, 12), (8, 12), (12, 12)]  # the papers left to parse, not the corpus
    assert_same_tables(rest, kgraph.build(path, cache_dir=None))


def test_a_build_that_parses_nothing_shows_no_progress(corpus, tmp_path):
    path = write_corpus(tmp_path / "g.jsonl", corpus.head(5))
    kgraph.build(path, cache_dir=tmp_path / "cache")
    calls = []
    kg = kgraph.build(path, cache_dir=tmp_path / "cache", progress=lambda done, total: calls.append(done))
    assert (kg.run["parsed"], kg.run["from_cache"]) == (0, 5) and calls == []


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the workers' slow load is patched in")
def test_ctrl_c_while_the_workers_load_spacy_prints_no_traceback_and_leaves_no_process(tmp_path):
    """A terminal's Ctrl-C reaches every process of the job; the workers leave it to the build,
    which stops the pool. Sent here while the workers load spaCy (made slow), the moment a worker
    would otherwise print its own traceback."""
    loading = tmp_path / "loading"
    code = f"""
import time
import kgraph.extract, kgraph.run
from kgraph.sources import read_papers

real = kgraph.extract.load_pipeline

def slow(model):
    with open({str(loading)!r}, "a") as fh:
        fh.write("x")
    time.sleep(2)
    return real(model)

kgraph.extract.load_pipeline = slow  # in the workers (forked): the build itself never loads spaCy
papers, _ = read_papers(None)
try:
    kgraph.run.extract(papers.head(40), processes=2)
except KeyboardInterrupt:
    print("interrupted")
"""
    # as from a terminal: SIGINT's default action, even when this suite runs in a background job
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while (not loading.exists() or len(loading.read_text()) < 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert loading.read_text() == "xx"  # both workers are loading
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert (proc.returncode, out.strip()) == (0, "interrupted"), err
    assert "Traceback" not in err and "Exception" not in err, err
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):  # no worker left behind in its group
        os.killpg(proc.pid, 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux ends a worker with its parent")
def test_a_build_killed_alone_leaves_no_worker():
    """`kill PID` ends the build without a word to its pool: the workers must not wait forever."""
    code = """
import kgraph.run
from kgraph.sources import read_papers

papers, _ = read_papers(None)
kgraph.run.CHUNK_PAPERS = 4
kgraph.run.extract(papers.head(80), processes=2, progress=lambda done, total: print(done, flush=True))
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == "4"  # a chunk is back: the workers run
        proc.send_signal(signal.SIGTERM)  # the build alone, not its process group
        proc.wait(timeout=60)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)  # a worker is left in the build's group
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            pytest.fail("a worker outlived the build")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
