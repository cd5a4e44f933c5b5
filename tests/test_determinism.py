"""The same answer every time (issue 7): the same input and settings give byte-identical files.

One small corpus is built six ways: with a cold cache, a warm cache, no cache, on a
Dask LocalCluster of two worker processes, and twice through ``python -m kgraph
build`` in fresh processes with different ``PYTHONHASHSEED`` values (which reorders
every set and dict of strings, so any output that follows set order shows up). Every
file of the output folder (HTML, GraphML, GEXF, JSON, CSV, summary.json, the marker)
must be the same bytes, and so must the saved build (``kgraph-build/``).
"""
from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import kgraph
from kgraph.sources import read_papers

TABLES = ("papers", "concepts", "mentions", "paper_links", "concept_links", "communities")
MUST_MATCH = {"graph.html", "papers.html", "concepts.html", "index.html", "graph.graphml", "graph.gexf",
              "graph.json", "papers.csv", "concepts.csv", "mentions.csv", "paper_links.csv", "concept_links.csv",
              "summary.json", ".kgraph"}
EXTRA_PAPERS = [  # text that tends to expose ordering: ties, shared concepts, non-ASCII
    {"id": "u1", "title": "Normalizing flows for 🤖 robots: naïve Bayes vs. Boltzmann generators",
     "abstract": "Boltzmann generators and normalizing flows sample molecular states. "
                 "Naïve Bayes is a baseline. Flows are exact."},
    {"id": "u2", "title": "Boltzmann generators and normalizing flows, again",
     "abstract": "Normalizing flows and Boltzmann generators sample molecular states. Reasoning helps."},
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Twenty papers of the built-in corpus, spread over its topics, and two of our own, as JSONL."""
    papers, _ = read_papers(None)
    path = tmp_path_factory.mktemp("corpus") / "papers.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for row in papers.iloc[::9].head(20).itertuples():
            fh.write(json.dumps({"id": row.paper_id, "title": row.title, "abstract": row.abstract,
                                 "year": None if pd.isna(row.year) else int(row.year)}) + "\n")
        for record in EXTRA_PAPERS:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def first_difference(a: bytes, b: bytes) -> str:
    diff = difflib.unified_diff(a.decode("utf-8", "replace").splitlines(), b.decode("utf-8", "replace").splitlines(),
                                lineterm="", n=0)
    return "\n".join(list(diff)[2:8])


def assert_same_files(reference: Path, other: Path, label: str) -> None:
    want, got = files_of(reference), files_of(other)
    assert set(want) == set(got), label
    assert MUST_MATCH <= set(want)
    differ = {name: first_difference(want[name], got[name]) for name in want if want[name] != got[name]}
    assert not differ, f"{label}: files differ from the first build:\n" + "\n".join(
        f"--- {name}\n{d}" for name, d in differ.items())


@pytest.fixture(scope="module")
def builds(corpus, tmp_path_factory):
    """Five in-process builds of the corpus (kg, output folder), by how they were made."""
    root = tmp_path_factory.mktemp("builds")
    cache = root / "cache"
    out = {}
    for name, settings in [("cold cache", {"cache_dir": cache}), ("warm cache", {"cache_dir": cache}),
                           ("no cache", {"cache_dir": None}), ("dask local", {"cache_dir": None, "dask": "local:2"})]:
        kg = kgraph.build(corpus, **settings)
        kg.write(root / name)
        out[name] = (kg, root / name)
    return out


def test_cache_states_give_identical_files(builds):
    cold, warm, none = (builds[k][0] for k in ("cold cache", "warm cache", "no cache"))
    assert (cold.run["parsed"], warm.run["from_cache"], none.run["parsed"]) == (22, 22, 22)
    for name in ("warm cache", "no cache"):
        assert_same_files(builds["cold cache"][1], builds[name][1], name)


def test_dask_local_cluster_gives_identical_files(builds):
    kg, folder = builds["dask local"]
    assert kg.run["parsed"] == 22
    assert_same_files(builds["cold cache"][1], folder, "dask local")


def test_same_tables_and_graphs_in_memory(builds):
    reference = builds["cold cache"][0]
    for name in ("warm cache", "no cache", "dask local"):
        kg = builds[name][0]
        for table in TABLES:
            pd.testing.assert_frame_equal(getattr(kg, table), getattr(reference, table), obj=f"{name}: {table}")
        for graph in ("graph", "paper_graph", "concept_graph"):
            a, b = getattr(kg, graph), getattr(reference, graph)
            assert list(a.nodes(data=True)) == list(b.nodes(data=True)), (name, graph)
            assert sorted(map(repr, a.edges(data=True))) == sorted(map(repr, b.edges(data=True))), (name, graph)


def test_separate_processes_with_different_hash_seeds_give_identical_files(builds, corpus, tmp_path):
    for seed in ("1", "4242"):
        out = tmp_path / f"hashseed-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        r = subprocess.run([sys.executable, "-m", "kgraph", "build", str(corpus), "--out", str(out), "--no-cache",
                            "-q"], capture_output=True, text=True, env=env, timeout=300)
        assert r.returncode == 0, r.stderr
        assert_same_files(builds["cold cache"][1], out, f"PYTHONHASHSEED={seed}")


def test_a_rebuild_into_the_same_folder_gives_the_same_bytes(builds, tmp_path):
    kg, folder = builds["no cache"]
    kg.write(folder)  # over its own previous output
    assert_same_files(builds["cold cache"][1], folder, "rewritten")
