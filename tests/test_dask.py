"""Extraction on a Dask cluster gives exactly the tables of a local build."""
import json
import socket
import sys
import time

import pandas as pd
import pytest

import kgraph
import kgraph.distributed as kd
from kgraph.config import BuildConfig
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


def test_partitions_keep_order_and_spread_over_workers():
    items = list(range(1000))
    parts = kd.partitions(items, n_workers=2)
    assert [x for p in parts for x in p] == items
    assert len(parts) == 8
    assert max(len(p) for p in kd.partitions(list(range(100_000)), n_workers=2)) == kd.MAX_PARTITION
    assert kd.partitions([], n_workers=4) == []
    with pytest.raises(ValueError):
        kd.partitions(items, n_workers=0)


def test_nobody_listening_is_one_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(KgraphError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}") as err:
        kd.extract_dask(ONE_PAPER, BuildConfig(dask=f"tcp://127.0.0.1:{port}", cache_dir=None))
    assert "\n" not in str(err.value)
    assert time.monotonic() - start < 5


def test_a_port_that_never_answers_times_out(monkeypatch):
    monkeypatch.setattr(kd, "CONNECT_TIMEOUT", 1.0)
    with socket.socket() as s:  # accepts connections (the kernel's backlog), never speaks
        s.bind(("127.0.0.1", 0))
        s.listen()
        address = "tcp://127.0.0.1:%d" % s.getsockname()[1]
        start = time.monotonic()
        with pytest.raises(KgraphError, match="does not answer like a Dask scheduler"):
            kd.extract_dask(ONE_PAPER, BuildConfig(dask=address, cache_dir=None))
        assert time.monotonic() - start < 10


@pytest.mark.parametrize("spec, message", [
    ("localhost", "scheduler address such as tcp://host:8786"),
    ("local:zero", "needs a number of workers"),
])
def test_bad_dask_setting(spec, message):
    with pytest.raises(KgraphError, match=message):
        kd.extract_dask(ONE_PAPER, BuildConfig(dask=spec, cache_dir=None))


def test_missing_dask_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(KgraphError, match=r"pip install 'kgraph\[dask\]'"):
        kd.extract_dask(ONE_PAPER, BuildConfig(dask="local", cache_dir=None))
