"""Extraction on a Dask cluster gives exactly the tables of a local build."""
import json
import socket
import sys
import time

import pandas as pd
import pytest

import kgraph
import kgraph.run
from kgraph.errors import KgraphError
from kgraph.sources import read_papers

TABLES = ("papers", "concepts", "mentions", "paper_links", "concept_links")
ONE_PAPER = pd.DataFrame({"paper_id": ["p1"], "title": ["Boltzmann generators"], "abstract": ["We sample."]})


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    """Twenty papers of the built-in corpus, spread over its topics, as JSONL."""
    papers, _ = read_papers(None)
    path = tmp_path_factory.mktemp("dask") / "twenty.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for row in papers.iloc[::9].head(20).itertuples():
            fh.write(json.dumps({"id": row.paper_id, "title": row.title, "abstract": row.abstract}) + "\n")
    return path


def test_local_cluster_build_equals_local_build_and_shares_its_cache(corpus_file, tmp_path):
    cache = tmp_path / "cache"
    on_dask = kgraph.build(corpus_file, dask="local", cache_dir=cache)
    local = kgraph.build(corpus_file, cache_dir=None)
    assert on_dask.run["parsed"] == local.run["parsed"] == 20
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(on_dask, name), getattr(local, name), obj=name)

    # the Dask build filled the cache a local build reads, and the other way round
    warm = kgraph.build(corpus_file, cache_dir=cache)
    assert (warm.run["parsed"], warm.run["from_cache"]) == (0, 20)
    warm_dask = kgraph.build(corpus_file, dask="local", cache_dir=cache)  # nothing to send: no cluster
    assert warm_dask.run["parsed"] == 0
    pd.testing.assert_frame_equal(warm_dask.mentions, local.mentions)


def test_nobody_listening_is_one_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(KgraphError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}") as err:
        kgraph.run.extract(ONE_PAPER, dask=f"tcp://127.0.0.1:{port}")
    assert "\n" not in str(err.value)
    assert time.monotonic() - start < 5


def test_a_port_that_never_answers_times_out(monkeypatch):
    monkeypatch.setattr(kgraph.run, "CONNECT_TIMEOUT", 1.0)
    with socket.socket() as s:  # accepts connections (the kernel's backlog), never speaks
        s.bind(("127.0.0.1", 0))
        s.listen()
        address = "tcp://127.0.0.1:%d" % s.getsockname()[1]
        start = time.monotonic()
        with pytest.raises(KgraphError, match="does not answer like a Dask scheduler"):
            kgraph.run.extract(ONE_PAPER, dask=address)
        assert time.monotonic() - start < 10


@pytest.mark.parametrize("spec, message", [
    ("localhost", "scheduler address such as tcp://host:8786"),
    ("local:zero", "needs a number of workers"),
])
def test_bad_dask_setting(spec, message):
    with pytest.raises(KgraphError, match=message):
        kgraph.run.extract(ONE_PAPER, dask=spec)


def test_missing_dask_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(KgraphError, match=r"pip install 'kgraph\[dask\]'"):
        kgraph.run.extract(ONE_PAPER, dask="local")


def test_a_scheduler_address_runs_the_same_task(corpus_file):
    """A cluster given by its tcp:// address (here one in this process) parses the papers into the
    tables of a parse in this process."""
    import logging

    import distributed

    papers, _ = read_papers([corpus_file])
    papers = papers.head(5)
    here = kgraph.run.extract(papers, processes=0)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        assert cluster.scheduler_address.startswith("tcp://")
        there = kgraph.run.extract(papers, dask=cluster.scheduler_address)
    pd.testing.assert_frame_equal(here.candidates, there.candidates)
    pd.testing.assert_frame_equal(here.acronyms, there.acronyms)
    assert there.parsed == 5
