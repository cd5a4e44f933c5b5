"""Sparse projections: paper links, concept links, graphs and the backbone, on corpora whose answer is known."""
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from kgraph.links import LINK_WEIGHTS, backbone, concept_links, idf, incidence, paper_links, to_graph


def corpus(papers: dict, scores: dict | None = None, unselected=()):
    """mentions and concepts tables from {paper_id: [concept_id, ...]}."""
    rows = []
    for pid, cids in papers.items():
        for rank, cid in enumerate(cids, 1):
            rows.append({"paper_id": pid, "concept_id": cid, "label": cid.title(),
                         "score": (scores or {}).get((pid, cid), 1.0), "rank": rank})
    mentions = pd.DataFrame(rows)
    ids = sorted(mentions["concept_id"].unique())
    concepts = pd.DataFrame({"concept_id": ids, "label": [c.title() for c in ids],
                             "selected": [c not in unselected for c in ids], "broader": ""})
    return mentions, concepts


def weights(links):
    return {(s, t): w for s, t, w in zip(links["source"], links["target"], links["weight"])}


# A and B share a rare concept, A and C a common one.
RARE_COMMON = {
    "A": ["rare", "common"],
    "B": ["rare", "b only"],
    "C": ["common", "c only"],
    "D": ["common", "d only"],
    "E": ["e only"],
}


def test_incidence_rows_and_columns_are_sorted_and_selected_only():
    mentions, concepts = corpus({"b": ["y", "x"], "a": ["x", "z"]}, unselected=("z",))
    X, rows, cols = incidence(mentions, concepts, value="binary")
    assert rows == ["a", "b"] and cols == ["x", "y"]
    assert X.toarray().tolist() == [[1.0, 0.0], [1.0, 1.0]]
    X_all, _, cols_all = incidence(mentions, concepts, selected_only=False, value="binary")
    assert cols_all == ["x", "y", "z"] and X_all.nnz == 4


def test_incidence_values_score_and_idf():
    mentions, concepts = corpus({"a": ["x", "y"], "b": ["x"]}, scores={("a", "y"): 0.25})
    X, _, cols = incidence(mentions, concepts, value="score")
    assert X[0, cols.index("y")] == 0.25
    Xi, _, cols = incidence(mentions, concepts, value="idf")
    assert Xi[0, cols.index("x")] == 0.0  # in every paper
    assert Xi[0, cols.index("y")] == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="value"):
        incidence(mentions, concepts, value="tfidf")


def test_idf_is_log_papers_over_doc_freq():
    mentions, _ = corpus(RARE_COMMON)
    assert idf(mentions)["rare"] == pytest.approx(math.log(5 / 2))
    assert idf(mentions)["common"] == pytest.approx(math.log(5 / 3))


def test_a_rare_shared_concept_outweighs_a_common_one():
    mentions, concepts = corpus(RARE_COMMON)
    w = weights(paper_links(mentions, concepts, weight="idf"))
    assert w[("A", "B")] == pytest.approx(math.log(5 / 2))
    assert w[("A", "C")] == pytest.approx(math.log(5 / 3))
    assert w[("A", "B")] > w[("A", "C")]
    assert not any("E" in pair for pair in w)  # E shares nothing


def test_count_jaccard_and_cosine_weights():
    mentions, concepts = corpus({"A": ["x", "y", "z"], "B": ["x", "y"], "C": ["z", "w"], "D": ["w"]})
    count = weights(paper_links(mentions, concepts, weight="count"))
    assert count[("A", "B")] == 2 and count[("A", "C")] == 1
    jac = weights(paper_links(mentions, concepts, weight="jaccard"))
    assert jac[("A", "B")] == pytest.approx(2 / 3)
    assert jac[("A", "C")] == pytest.approx(1 / 4)
    cos = weights(paper_links(mentions, concepts, weight="cosine"))
    vec = {p: {c: math.log(4 / d) for c, d in zip("xyzw", (2, 2, 2, 2)) if c in cs}
           for p, cs in {"A": "xyz", "B": "xy", "C": "zw"}.items()}
    norm = {p: math.sqrt(sum(v * v for v in vec[p].values())) for p in vec}
    expected = sum(vec["A"][c] * vec["B"][c] for c in "xy") / (norm["A"] * norm["B"])
    assert cos[("A", "B")] == pytest.approx(expected)
    assert cos[("A", "B")] == pytest.approx(math.sqrt(2 / 3))


def test_links_explain_themselves_strongest_concept_first():
    mentions, concepts = corpus({"A": ["rare", "common", "mid"], "B": ["rare", "common", "mid"],
                                 "C": ["common", "mid"], "D": ["common"], "E": ["x"]})
    links = paper_links(mentions, concepts).set_index(["source", "target"])
    assert links.loc[("A", "B"), "shared"] == "rare; mid; common"
    assert links.loc[("A", "B"), "n_shared"] == 3
    assert links.loc[("A", "B"), "weight"] == pytest.approx(
        math.log(5 / 2) + math.log(5 / 3) + math.log(5 / 4))
    short = paper_links(mentions, concepts, n_shared_explain=1).set_index(["source", "target"])
    assert short.loc[("A", "B"), "shared"] == "rare" and short.loc[("A", "B"), "n_shared"] == 3


def test_links_table_contract():
    mentions, concepts = corpus(RARE_COMMON)
    links = paper_links(mentions, concepts)
    assert list(links.columns) == ["source", "target", "weight", "shared", "n_shared"]
    assert (links["source"] < links["target"]).all()
    assert links["weight"].is_monotonic_decreasing
    assert links["n_shared"].dtype.kind == "i"


def test_top_k_keeps_each_papers_strongest_links_from_either_end():
    # hub shares one concept with each leaf; leaf i also shares i concepts with its twin
    papers = {"hub": [f"h{i}" for i in range(6)]}
    for i in range(6):
        papers[f"leaf{i}"] = [f"h{i}"] + [f"t{i}_{j}" for j in range(i + 1)]
        papers[f"twin{i}"] = [f"t{i}_{j}" for j in range(i + 1)]
    mentions, concepts = corpus(papers)
    links = paper_links(mentions, concepts, weight="count", top_k=1)
    pairs = set(zip(links["source"], links["target"]))
    # every leaf's best link is its twin (>= 1 shared); the hub's best is kept from the hub's side
    for i in range(1, 6):
        assert (f"leaf{i}", f"twin{i}") in pairs
    hub_links = [p for p in pairs if "hub" in p]
    assert hub_links == [("hub", "leaf0")]  # all hub links weigh 1: the tie goes to the smallest id
    degree = pd.concat([links["source"], links["target"]]).value_counts()
    assert set(degree.index) == set(papers)  # nobody is left without its strongest link


def test_top_k_matches_brute_force_on_random_corpora():
    rng = np.random.default_rng(7)
    for trial in range(6):
        n, v = 40, 25
        p = 1 / np.arange(1, v + 1)
        papers = {f"p{i:02d}": [f"c{c:02d}" for c in rng.choice(v, size=rng.integers(1, 7), replace=False,
                                                                   p=p / p.sum())] for i in range(n)}
        mentions, concepts = corpus(papers)
        for weight in LINK_WEIGHTS:
            full = paper_links(mentions, concepts, weight=weight, top_k=None)
            got = paper_links(mentions, concepts, weight=weight, top_k=3)
            # expected: each paper's 3 strongest (ties: smaller id), union over both ends
            both = pd.concat([full, full.rename(columns={"source": "target", "target": "source"})])
            both = both.assign(w=both["weight"].round(9))
            best = both.sort_values(["source", "w", "target"], ascending=[True, False, True]).groupby("source").head(3)
            expected = {tuple(sorted(x)) for x in zip(best["source"], best["target"])}
            assert set(zip(got["source"], got["target"])) == expected, (trial, weight)
            assert weights(got) == pytest.approx({k: weights(full)[k] for k in expected})


def test_blocks_do_not_change_the_answer(monkeypatch):
    import kgraph.links as links

    rng = np.random.default_rng(3)
    papers = {f"p{i:03d}": [f"c{c:02d}" for c in rng.choice(30, size=5, replace=False)] for i in range(120)}
    mentions, concepts = corpus(papers)
    whole = paper_links(mentions, concepts, weight="cosine")
    monkeypatch.setattr(links, "_CHUNK_ENTRIES", 200)  # many small blocks
    pd.testing.assert_frame_equal(paper_links(mentions, concepts, weight="cosine"), whole)


def test_min_weight_and_min_shared():
    mentions, concepts = corpus({"A": ["x", "y"], "B": ["x", "y"], "C": ["x", "z"], "D": ["z"]})
    assert set(zip(*[paper_links(mentions, concepts, weight="count", min_shared=2)[c]
                     for c in ("source", "target")])) == {("A", "B")}
    w = weights(paper_links(mentions, concepts, weight="jaccard", min_weight=0.5))
    assert set(w) == {("A", "B"), ("C", "D")}


def test_max_df_share_ignores_ubiquitous_concepts_only_in_large_corpora():
    big = {f"p{i:02d}": ["everywhere", f"pair{i // 2}"] for i in range(20)}
    mentions, concepts = corpus(big)
    links = paper_links(mentions, concepts, weight="count", top_k=None)
    assert len(links) == 10  # only the pairs: "everywhere" (in 100%) does not link
    assert "everywhere" not in " ".join(links["shared"])
    loose = paper_links(mentions, concepts, weight="count", top_k=None, max_df_share=1.0)
    assert len(loose) == 20 * 19 // 2
    small = {k: v for k, v in list(big.items())[:6]}
    mentions, concepts = corpus(small)
    assert len(paper_links(mentions, concepts, weight="count", top_k=None)) == 15


def test_ties_are_broken_by_target_id():
    mentions, concepts = corpus({"A": ["x"], "D": ["x"], "B": ["x"], "C": ["x"], "Z": ["y"], "Y": ["y"]})
    links = paper_links(mentions, concepts, weight="count", top_k=1)
    # each of A, B, C, D links all others equally: every one picks the smallest other id
    assert set(zip(links["source"], links["target"])) == {("A", "B"), ("A", "C"), ("A", "D"), ("Y", "Z")}


def test_unselected_concepts_do_not_link():
    mentions, concepts = corpus({"A": ["x", "hidden"], "B": ["hidden"], "C": ["x"]}, unselected=("hidden",))
    assert set(zip(*[paper_links(mentions, concepts)[c] for c in ("source", "target")])) == {("A", "C")}


def test_bad_arguments_are_refused():
    mentions, concepts = corpus(RARE_COMMON)
    for kwargs in ({"weight": "dice"}, {"top_k": 0}, {"max_df_share": 0}, {"min_shared": 0}):
        with pytest.raises(ValueError):
            paper_links(mentions, concepts, **kwargs)
    with pytest.raises(ValueError, match="lacks"):
        paper_links(mentions.drop(columns="concept_id"), concepts)


def test_empty_and_linkless_corpora_give_empty_tables():
    mentions, concepts = corpus({"A": ["x"], "B": ["y"]})
    links = paper_links(mentions, concepts)
    assert links.empty and list(links.columns) == ["source", "target", "weight", "shared", "n_shared"]
    assert concept_links(mentions, concepts).empty


def test_concept_links_association_strength():
    mentions, concepts = corpus({"p1": ["a", "b"], "p2": ["a", "b"], "p3": ["a", "c"], "p4": ["a", "c", "d"]})
    links = concept_links(mentions, concepts, top_k=None, min_cooccurrence=1).set_index(["source", "target"])
    # co-occurrence totals s (sum of a concept's co-occurrences): a=5, b=2, c=3, d=2; m = 12/2
    s = {"a": 5, "b": 2, "c": 3, "d": 2}
    m = sum(s.values()) / 2
    assert links.loc[("a", "b"), "cooccurrences"] == 2
    assert links.loc[("a", "b"), "weight"] == pytest.approx(2 * m * 2 / (s["a"] * s["b"]))
    assert links.loc[("c", "d"), "weight"] == pytest.approx(2 * m * 1 / (s["c"] * s["d"]))
    strict = concept_links(mentions, concepts, top_k=None, min_cooccurrence=2)
    assert set(zip(strict["source"], strict["target"])) == {("a", "b"), ("a", "c")}


def test_to_graph_adds_every_node_with_plain_attributes():
    mentions, concepts = corpus(RARE_COMMON)
    links = paper_links(mentions, concepts)
    papers = pd.DataFrame({"paper_id": list(RARE_COMMON), "title": ["t"] * 5,
                           "year": pd.array([2020, None, 2021, 2022, 2023], dtype="Int64"),
                           "note": [None, "n", "n", "n", "n"]})
    G = to_graph(links, papers)
    assert set(G.nodes) == set(RARE_COMMON) and G.degree("E") == 0
    assert G.nodes["B"]["year"] == -1 and G.nodes["A"]["note"] == ""
    assert isinstance(G.nodes["A"]["year"], int)
    edge = G.edges["A", "B"]
    assert edge["shared"] == "rare" and isinstance(edge["weight"], float) and isinstance(edge["n_shared"], int)
    nx.write_graphml(G, __import__("io").BytesIO())  # writers accept it
    assert set(to_graph(links, papers["paper_id"]).nodes) == set(RARE_COMMON)  # ids alone are enough


def test_backbone_keeps_the_significant_links():
    links = pd.DataFrame({"source": ["hub"] * 5 + ["x"], "target": ["a", "b", "c", "d", "e", "y"],
                          "weight": [20.0, 0.5, 0.5, 0.5, 0.5, 1.0]})
    kept = backbone(links, alpha=0.05)
    assert kept["target"].tolist() == ["a"]
    assert kept["alpha"].iloc[0] == pytest.approx((1 - 20 / 22) ** 4)
    assert len(backbone(links, alpha=1.0)) == 5  # x–y: two degree-1 nodes never qualify
    with pytest.raises(ValueError):
        backbone(links, alpha=0)


def zipf_corpus(n_papers=300, n_concepts=400, per_paper=12, seed=0, repeat_every=0):
    """A corpus whose few most frequent concepts make most of the product's work, as real ones do."""
    rng = np.random.default_rng(seed)
    p = 1 / (np.arange(n_concepts) + 3.0)
    papers, scores = {}, {}
    for i in range(n_papers):
        if repeat_every and i % repeat_every == 1:
            papers[f"p{i:04d}"] = papers[f"p{i - 1:04d}"]  # a duplicate paper: ties everywhere
            continue
        size = int(rng.integers(1, per_paper + 1))
        cids = [f"c{c:03d}" for c in rng.choice(n_concepts, size=size, replace=False, p=p / p.sum())]
        papers[f"p{i:04d}"] = cids
        scores.update({(f"p{i:04d}", c): float(rng.choice([0.25, 0.5, 1.0])) for c in cids})
    return corpus(papers, scores)


@pytest.mark.parametrize("weight", LINK_WEIGHTS)
def test_the_compiled_product_gives_the_same_links(monkeypatch, weight):
    """kgraph.kernels (numba) against scipy's product: same pairs, same weights, ties included."""
    import kgraph.links as links

    mentions, concepts = zipf_corpus(repeat_every=25)
    monkeypatch.setattr(links, "COMPILED_FROM", 1e30)
    cases = [dict(min_weight=0.0), dict(min_weight=0.2), dict(min_shared=2), dict(top_k=1)]
    exact = [paper_links(mentions, concepts, weight=weight, **kw) for kw in cases]
    monkeypatch.setattr(links, "COMPILED_FROM", 0)
    for kw, expected in zip(cases, exact):
        got = paper_links(mentions, concepts, weight=weight, **kw)
        pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=f"{weight} {kw}")


def test_compiled_concept_links_are_scipys(monkeypatch):
    import kgraph.links as links

    mentions, concepts = zipf_corpus(seed=3)
    monkeypatch.setattr(links, "COMPILED_FROM", 1e30)
    expected = concept_links(mentions, concepts, top_k=5)
    monkeypatch.setattr(links, "COMPILED_FROM", 0)
    pd.testing.assert_frame_equal(concept_links(mentions, concepts, top_k=5), expected, check_exact=True)


def test_setting_aside_any_heavy_columns_gives_the_full_products_top_k():
    """Whatever columns are set aside, settled and unsettled rows make the full product's answer."""
    import kgraph.kernels as kernels
    import kgraph.links as links

    mentions, concepts = zipf_corpus(n_papers=200, seed=5, repeat_every=20)
    L, R, scoring, *_ = links._linking_matrices(mentions, concepts, "cosine", 0.5)
    RT = R.T.tocsr()
    exact = links._top_k_exact(L, RT, 4, scoring, 0.0, 1)
    expected = sorted(zip(*(x.tolist() for x in exact)))
    df = np.diff(RT.indptr)
    settled_some = False
    for h in (1, 3, 10, 40, 64):
        heavy = np.zeros(L.shape[1], dtype=bool)
        heavy[np.argsort(-df, kind="stable")[:h]] = True
        r, c, w, settled = kernels.top_k_rows(L, RT, 4, heavy=heavy, blocks=7)
        assert sorted(zip(r.tolist(), c.tolist(), w.tolist())) == expected, h
        settled_some |= bool(settled.any())
    assert settled_some  # the light product decided some rows (else only the fallback was tested)
    with pytest.raises(ValueError, match="64"):
        kernels.top_k_rows(L, RT, 4, heavy=np.ones(L.shape[1], dtype=bool))


def test_to_graph_is_the_graph_add_edges_from_makes():
    """Node order, neighbour order, shared edge dicts, NaN left out, NA integers -1, self-loops and repeats."""
    links = pd.DataFrame({"source": ["b", "a", "c", "x", "a"], "target": ["a", "c", "d", "x", "b"],
                          "weight": [1.0, np.nan, 2.0, 0.5, 3.0],
                          "n": pd.array([1, None, 3, 4, 5], dtype="Int64"),
                          "shared": ["u", None, "w", "v", "z"]})
    for table in (links, links.iloc[:4], links.iloc[:3]):
        G = to_graph(table, ["d", "z"])
        H = nx.Graph()
        H.add_nodes_from(["d", "z"])
        for s, t, w, n, sh in table.itertuples(index=False, name=None):
            attrs = {"n": -1 if n is pd.NA else int(n), "shared": sh if isinstance(sh, str) else ""}
            H.add_edge(s, t, **({"weight": w} if w == w else {}), **attrs)
        assert list(G.nodes) == list(H.nodes)
        for node in H:
            assert list(G.adj[node].items()) == list(H.adj[node].items())
        assert all(G.adj[u][v] is G.adj[v][u] for u, v in G.edges)


def test_bipartite_graph_is_the_graph_one_edge_at_a_time_makes():
    from kgraph.graph import bipartite_graph

    papers = pd.DataFrame({"paper_id": ["p1", "p2", "p3"], "title": ["One", "Two", "Three"],
                           "abstract": ["", "", ""], "year": pd.array([2020, None, 2021], dtype="Int64"),
                           "doi": ["10.1/x", None, ""]})
    mentions = pd.DataFrame({"paper_id": ["p2", "p1", "p1", "p1", "ghost"],
                             "concept_id": ["flow", "flow", "boltzmann generator", "noise", "flow"],
                             "label": ["Flow", "Flow", "Boltzmann generator", "noise", "Flow"],
                             "score": [0.5, 1.0, 0.8, 0.1, 0.3], "rank": [1, 1, 2, 3, 1]})
    concepts = pd.DataFrame({"concept_id": ["boltzmann generator", "flow", "noise"],
                             "label": ["Boltzmann generator", "Flow", "noise"], "aliases": ["BG", "", None],
                             "doc_freq": [1, 3, 1], "reach": [1, 3, 1], "score": [1.0, 2.0, 0.1],
                             "broader": ["flow", "", ""], "selected": [True, True, False], "focus": False})
    G = bipartite_graph(papers, concepts, mentions)
    assert list(G.nodes) == ["paper:p1", "paper:p2", "paper:p3", "concept:boltzmann generator", "concept:flow",
                             "paper:ghost"]
    assert G.nodes["paper:p1"] == {"kind": "paper", "bipartite": 0, "paper_id": "p1", "title": "One",
                                   "year": 2020, "doi": "10.1/x", "top_concepts": "Flow; Boltzmann generator",
                                   "n_concepts": 3}
    assert "year" not in G.nodes["paper:p2"] and "doi" not in G.nodes["paper:p2"]
    assert G.nodes["paper:p3"]["top_concepts"] == "" and G.nodes["paper:p3"]["n_concepts"] == 0
    assert G.nodes["concept:boltzmann generator"]["aliases"] == "BG"
    assert list(G.adj["concept:flow"]) == ["paper:p2", "paper:p1", "paper:ghost", "concept:boltzmann generator"]
    assert list(G.adj["paper:p1"]) == ["concept:flow", "concept:boltzmann generator"]
    assert G.edges["paper:p1", "concept:flow"] == {"kind": "mention", "weight": 1.0, "rank": 1}
    assert G.adj["paper:p1"]["concept:flow"] is G.adj["concept:flow"]["paper:p1"]
    assert G.edges["concept:boltzmann generator", "concept:flow"]["kind"] == "broader"


def _hand_made_extraction(n_papers: int = 120):
    """papers and an extraction (candidates only) of a random corpus with planted topics."""
    from conftest import random_records

    from kgraph.extract import ACRONYM_COLUMNS, CANDIDATE_COLUMNS, Extraction

    records = random_records(n_papers, 200, per_paper=8)
    papers = pd.DataFrame({"paper_id": [r["paper_id"] for r in records], "title": [r["title"] for r in records],
                           "abstract": [r["abstract"] for r in records]})
    cands = [(r["paper_id"], c, c, False, 3 * i, i == 0, "A" * c.count(" ") + "N")
             for r in records for i, c in enumerate(r["concepts"])]
    candidates = pd.DataFrame(cands, columns=CANDIDATE_COLUMNS).astype({"position": "int64"})
    return papers, Extraction(candidates, pd.DataFrame(columns=ACRONYM_COLUMNS))


def _tables(kg):
    return {name: getattr(kg, name) for name in ("papers", "concepts", "mentions", "paper_links", "concept_links",
                                                  "communities")}


@pytest.mark.parametrize("with_backbone", [None, 0.5])
def test_a_build_links_its_papers_and_concepts_as_the_link_functions_do(with_backbone):
    """from_extraction's links are paper_links of the linking mentions and concept_links of the
    mentions (then the backbone), and its graphs hold every paper and selected concept."""
    from kgraph import pipeline
    from kgraph.concepts import build_concepts, linking_mentions
    from kgraph.config import BuildConfig

    papers, extraction = _hand_made_extraction()
    config = BuildConfig(cache_dir=None, min_df=2, backbone=with_backbone)
    kg = pipeline.from_extraction(papers, extraction, config)
    settings = pipeline.concept_settings(config)
    concepts, mentions = build_concepts(papers, extraction, settings)
    plinks = paper_links(linking_mentions(mentions, concepts, settings), concepts, weight=config.link_weight,
                         top_k=config.links_per_paper)
    clinks = concept_links(mentions, concepts, top_k=config.links_per_paper)
    if with_backbone:
        plinks, clinks = (backbone(x, with_backbone).drop(columns="alpha") for x in (plinks, clinks))
    assert len(kg.paper_links) > 100
    pd.testing.assert_frame_equal(kg.paper_links, plinks)
    pd.testing.assert_frame_equal(kg.concept_links, clinks)
    assert set(kg.paper_graph) == set(papers["paper_id"]) and kg.paper_graph.number_of_edges() == len(plinks)
    assert set(kg.concept_graph) == set(concepts.loc[concepts["selected"], "concept_id"])
    assert list(kg.timings) == ["concepts", "graph", "projections", "communities"]
