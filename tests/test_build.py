"""End to end on the built-in corpus: the contract other tools rely on."""
import re

import networkx as nx
import pandas as pd
import pytest

import kgraph
from kgraph.concepts import GENERIC_WORDS, LEADING_FILLERS

PRONOUNS_DETERMINERS = {"this", "that", "these", "those", "our", "we", "it", "its", "their", "they", "the", "a",
                        "an", "his", "her", "my", "your", "which", "what", "some", "any", "each", "all"}


@pytest.fixture(scope="session")
def kg(tmp_path_factory):
    return kgraph.build(cache_dir=tmp_path_factory.mktemp("cache"),
                        focus=["Boltzmann", "rationale", "reasoning", "flow"])


def test_builtin_corpus_has_184_papers_in_order(kg):
    assert len(kg.papers) == 184
    assert kg.papers["title"].iloc[0] == "Quantifying the Sensitivity of Inverse Reinforcement Learning to Misspecification"
    assert kg.papers["title"].iloc[-1] == (
        "The AI Economist: Optimal Economic Policy Design via Two-level Deep Reinforcement Learning")
    assert kg.summary["records"] == kg.summary["papers"] + kg.summary["merged"] + kg.summary["skipped"]


def test_key_concepts_are_found(kg):
    ids = set(kg.concepts.loc[kg.concepts["selected"], "concept_id"])
    assert {"boltzmann generator", "normalizing flow", "reasoning", "reinforcement learning"} <= ids


def test_top_concepts_are_not_junk(kg):
    top = kg.concepts[kg.concepts["selected"]].sort_values("doc_freq", ascending=False).head(50)
    for cid in top["concept_id"]:
        words = cid.split(" ")
        assert words[0] not in PRONOUNS_DETERMINERS, cid
        assert not all(w in GENERIC_WORDS or w in LEADING_FILLERS for w in words), cid
        assert cid not in {"datum", "the art", "this paper", "this work", "our method"}


def test_acronyms_are_merged_on_the_builtin_corpus(kg):
    c = kg.concepts.set_index("concept_id")
    assert "LLM" in c.at["large language model", "aliases"].split("; ")
    assert "RL" in c.at["reinforcement learning", "aliases"].split("; ")
    assert not {"llm", "llms", "rl"} & set(c.index)


def test_boltzmann_is_a_hub(kg):
    narrower = kg.concepts["broader"].str.split("; ").map(lambda b: "boltzmann" in b)
    assert narrower.sum() >= 5
    focus = set(kg.focus_concepts()["concept_id"])
    assert {"boltzmann", "boltzmann generator", "reasoning", "rationale"} <= focus
    # a paper that mentions a narrower concept is reachable from the broader one
    G = kg.graph
    paper = next(n for n in G.neighbors("concept:boltzmann generator") if n.startswith("paper:"))
    assert nx.has_path(G, "concept:boltzmann", paper)
    assert G.edges["concept:boltzmann generator", "concept:boltzmann"]["kind"] == "broader"


def test_graph_conventions(kg):
    G = kg.graph
    paper_nodes = [n for n, d in G.nodes(data=True) if d["kind"] == "paper"]
    assert len(paper_nodes) == len(kg.papers)  # every paper is a node, with or without concepts
    for n, d in G.nodes(data=True):
        assert n.startswith(d["kind"] + ":")
        assert d["bipartite"] == (0 if d["kind"] == "paper" else 1)
        for v in d.values():
            assert isinstance(v, (str, int, float, bool)), (n, v)
    for _, _, d in G.edges(data=True):
        assert d["kind"] in ("mention", "broader")
        for v in d.values():
            assert isinstance(v, (str, int, float, bool))


def test_mentions_hold_every_concept_ranked(kg):
    m = kg.mentions
    assert {"paper_id", "concept_id", "label", "score", "rank"} <= set(m.columns)
    assert set(m["concept_id"]) == set(kg.concepts.loc[kg.concepts["doc_freq"] > 0, "concept_id"])
    assert not kg.concepts.loc[~kg.concepts["selected"]].empty  # not only graph nodes
    ranks = m.groupby("paper_id")["rank"].apply(lambda r: sorted(r) == list(range(1, len(r) + 1)))
    assert ranks.all()


def test_paper_links_explain_themselves(kg):
    pl = kg.paper_links
    assert {"source", "target", "weight", "shared"} <= set(pl.columns)
    assert (pl["shared"].str.len() > 0).all()
    selected = set(kg.concepts.loc[kg.concepts["selected"], "concept_id"])
    for shared in pl["shared"].head(200):
        assert set(shared.split("; ")) <= selected
    # every paper keeps at least its 10 strongest links (the corpus shares enough concepts for that)
    deg = pd.concat([pl["source"], pl["target"]]).value_counts()
    assert len(deg) == len(kg.papers)
    assert (deg >= kg.config.links_per_paper).all()


def test_dir_and_tab_completion_list_the_lazy_names():
    """build and KnowledgeGraph load pandas and spaCy only when used, and dir() shows them anyway."""
    import subprocess
    import sys

    code = ("import sys, kgraph; names = dir(kgraph); "
            "print(all(n in names for n in kgraph.__all__), 'pandas' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stdout.split() == ["True", "False"], r.stderr
    assert {"build", "KnowledgeGraph", "read_papers", "BuildConfig"} <= set(dir(kgraph))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        kgraph.nope
