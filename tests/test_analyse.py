"""Analysis: communities, centrality, labels and the questions a reader asks, on small known corpora."""
import math
import random

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from kgraph.analyse import (
    NO_COMMUNITY,
    bridges,
    centrality,
    communities,
    explain,
    find_paper,
    label_communities,
    papers_for,
    related,
)
from kgraph.links import paper_links, to_graph


def two_cliques(order=None):
    """Two 4-cliques joined by one weak edge, plus an isolated node."""
    edges = [(a, b, 1.0) for group in ("abcd", "wxyz") for i, a in enumerate(group) for b in group[i + 1:]]
    edges.append(("d", "w", 0.1))
    if order is not None:
        random.Random(order).shuffle(edges)
    G = nx.Graph()
    G.add_node("lonely")
    G.add_weighted_edges_from(edges)
    return G


def test_communities_are_found_numbered_by_size_and_isolated_nodes_get_minus_one():
    G = two_cliques()
    G.add_weighted_edges_from([("z", "v", 1.0), ("v", "y", 1.0)])  # the second community is bigger
    c = communities(G)
    assert c["lonely"] == NO_COMMUNITY
    assert {c[n] for n in "wxyzv"} == {0} and {c[n] for n in "abcd"} == {1}
    assert all(isinstance(v, int) for v in c.values())


def test_communities_do_not_depend_on_insertion_order():
    answers = {tuple(sorted(communities(two_cliques(order=o)).items())) for o in range(5)}
    assert len(answers) == 1


def test_centrality_matches_networkx_exactly_on_small_graphs():
    G = nx.relabel_nodes(nx.karate_club_graph(), str)
    G.add_node("alone")
    table = centrality(G).set_index("node")
    reference = nx.betweenness_centrality(G)
    assert max(abs(table.at[n, "betweenness"] - reference[n]) for n in G) < 1e-12
    assert table.at["0", "degree"] == 16 and table["degree"].dtype.kind == "i"
    assert table["pagerank"].sum() == pytest.approx(1.0)
    pagerank = nx.pagerank(G, weight="weight", tol=1e-14, max_iter=10_000)  # karate edges carry weights
    assert max(abs(table.at[n, "pagerank"] - pagerank[n]) for n in G) < 1e-9
    path = centrality(nx.path_graph(["a", "b", "c"]))
    assert path["betweenness"].tolist() == [0.0, 1.0, 0.0]


def test_sampled_betweenness_is_seeded_and_close():
    G = nx.relabel_nodes(nx.connected_watts_strogatz_graph(300, 6, 0.1, seed=1), str)
    a = centrality(G, k_max=100, seed=3)
    b = centrality(G, k_max=100, seed=3)
    assert a.equals(b)
    exact = pd.Series(nx.betweenness_centrality(G))
    assert a.set_index("node")["betweenness"].corr(exact) > 0.8


def corpus():
    """Two topics (flows, robots) and a paper that mixes them."""
    papers = {
        "f1": ["normalizing flow", "boltzmann generator", "sampling"],
        "f2": ["normalizing flow", "boltzmann generator", "boltzmann"],
        "f3": ["normalizing flow", "sampling", "density"],
        "r1": ["robot", "imitation learning", "policy"],
        "r2": ["robot", "imitation learning", "demonstration"],
        "r3": ["robot", "policy", "demonstration"],
        "mix": ["sampling", "policy", "density", "demonstration"],
        "alone": ["quantum"],
    }
    rows = [{"paper_id": p, "concept_id": c, "score": 1.0 / r, "rank": r}
            for p, cs in papers.items() for r, c in enumerate(cs, 1)]
    mentions = pd.DataFrame(rows)
    ids = sorted(mentions["concept_id"].unique())
    broader = {"boltzmann generator": "boltzmann; generator", "normalizing flow": "flow",
               "boltzmann": "", "generator": "flow"}
    concepts = pd.DataFrame({"concept_id": ids, "label": [c.capitalize() for c in ids], "selected": True,
                             "broader": [broader.get(c, "") for c in ids]})
    concepts = pd.concat([concepts, pd.DataFrame({"concept_id": ["flow", "generator"], "label": ["Flow", "Generator"],
                                                  "selected": False, "broader": ["", "flow"]})],
                         ignore_index=True)
    table = pd.DataFrame({"paper_id": list(papers), "title": [f"Paper about {p}" for p in papers]})
    return table, mentions, concepts


def bipartite(mentions):
    G = nx.Graph()
    for p, c in zip(mentions["paper_id"], mentions["concept_id"]):
        G.add_node(f"paper:{p}", kind="paper", title=f"Paper about {p}")
        G.add_node(f"concept:{c}", kind="concept", label=c.capitalize())
        G.add_edge(f"paper:{p}", f"concept:{c}", kind="mention")
    return G


def test_label_communities_names_each_topic_by_its_characteristic_concepts():
    papers, mentions, concepts = corpus()
    membership = {"f1": 0, "f2": 0, "f3": 0, "r1": 1, "r2": 1, "r3": 1, "mix": 1, "alone": NO_COMMUNITY}
    table = label_communities(membership, mentions, concepts).set_index("community")
    assert table.at[0, "size"] == 3 and table.at[1, "size"] == 4
    assert table.at[0, "label"].startswith("Normalizing flow")
    assert table.at[1, "label"].startswith("Robot") or table.at[1, "label"].startswith("Demonstration")
    assert "Sampling" not in table.at[1, "label"]  # in the robot community only through "mix"
    assert table.at[NO_COMMUNITY, "label"] == "(no links)"
    assert len(table.at[0, "top_concepts"].split("; ")) >= 3


def test_related_lists_the_strongest_links_with_labels():
    papers, mentions, concepts = corpus()
    links = paper_links(mentions, concepts)
    got = related("f1", papers, links, k=2, concepts=concepts)
    assert list(got.columns) == ["paper_id", "title", "weight", "shared"]
    assert got["paper_id"].tolist()[0] == "f2"
    assert got["weight"].is_monotonic_decreasing
    assert got["shared"].iloc[0].split("; ")[0] == "Boltzmann generator"
    assert related("alone", papers, links).empty
    with pytest.raises(ValueError, match="unknown"):
        related("nope", papers, links)


def test_explain_shared_concepts_add_up_to_the_link_weight():
    papers, mentions, concepts = corpus()
    links = paper_links(mentions, concepts).set_index(["source", "target"])
    why = explain("f1", "f2", mentions, concepts, bipartite(mentions))
    assert why.attrs["case"] == "shared" and set(why["case"]) == {"shared"}
    assert why["id"].tolist() == ["boltzmann generator", "normalizing flow"]
    assert why["contribution"].sum() == pytest.approx(links.loc[("f1", "f2"), "weight"])
    assert why["share"].sum() == pytest.approx(1.0)
    assert why["contribution"].iloc[0] == pytest.approx(math.log(8 / 2))
    for weight in ("count", "jaccard", "cosine"):
        links = paper_links(mentions, concepts, weight=weight, top_k=None).set_index(["source", "target"])
        why = explain("f1", "mix", mentions, concepts, weight=weight)
        assert why["contribution"].sum() == pytest.approx(links.loc[("f1", "mix"), "weight"]), weight
        assert why["share"].sum() == pytest.approx(1.0)


def test_explain_walks_the_bipartite_graph_when_nothing_is_shared():
    papers, mentions, concepts = corpus()
    why = explain("f2", "r1", mentions, concepts, bipartite(mentions))
    assert why.attrs["case"] == "path"
    assert why["id"].iloc[0] == "f2" and why["id"].iloc[-1] == "r1"
    assert why["kind"].tolist()[:2] == ["paper", "concept"]
    assert len(why) == 7  # f2 - flow concept - f1/f3 - sampling/density - mix - policy/demo - r1
    none = explain("f1", "alone", mentions, concepts, bipartite(mentions))
    assert none.empty and none.attrs["case"] == "none"
    with pytest.raises(ValueError, match="unknown"):
        explain("f1", "ghost", mentions, concepts)


def test_papers_for_follows_narrower_concepts_transitively():
    papers, mentions, concepts = corpus()
    # flow <- normalizing flow; flow <- generator <- boltzmann generator
    got = papers_for("flow", mentions, concepts, papers=papers)
    assert set(got["paper_id"]) == {"f1", "f2", "f3"}
    assert not got["direct"].any()
    assert {"title", "concept", "matched", "score"} <= set(got.columns)
    f2 = got.set_index("paper_id").loc["f2"]
    assert f2["matched"] == "normalizing flow; boltzmann generator"
    direct = papers_for("Boltzmann", mentions, concepts, include_narrower=False)
    assert direct["paper_id"].tolist() == ["f2"] and direct["direct"].all()
    assert set(papers_for("boltzmann", mentions, concepts)["paper_id"]) == {"f1", "f2"}
    with pytest.raises(ValueError, match="unknown concept"):
        papers_for("nothing like it", mentions, concepts)


def test_bridges_find_the_paper_and_concepts_between_communities():
    papers, mentions, concepts = corpus()
    links = paper_links(mentions, concepts, top_k=None)
    G = to_graph(links, papers)
    membership = {"f1": 0, "f2": 0, "f3": 0, "r1": 1, "r2": 1, "r3": 1, "mix": 1, "alone": NO_COMMUNITY}
    table = bridges(G, membership, k=3, concepts=concepts)
    assert list(table.columns) == ["kind", "id", "label", "score", "communities"]
    top_paper = table[table["kind"] == "paper"].iloc[0]
    assert top_paper["id"] == "mix" and top_paper["label"] == "Paper about mix"
    assert set(top_paper["communities"].split("; ")) == {"0", "1"}
    concept_ids = set(table.loc[table["kind"] == "concept", "id"])
    assert concept_ids <= {"sampling", "density"} and concept_ids
    assert "robot" not in concept_ids


def test_find_paper_by_id_or_unique_title_piece():
    papers = pd.DataFrame({"paper_id": ["p1", "p2", "p3"],
                           "title": ["Boltzmann generators", "Normalizing flows for sampling", "Flows of robots"]})
    assert find_paper("p2", papers) == "p2"
    assert find_paper("BOLTZMANN", papers) == "p1"
    with pytest.raises(ValueError, match="2 papers match"):
        find_paper("flows", papers)
    with pytest.raises(ValueError, match="no paper"):
        find_paper("quantum", papers)


def test_community_methods_are_checked_seeded_and_order_free():
    with pytest.raises(ValueError, match="method"):
        communities(two_cliques(), method="spectral")
    with pytest.raises(ValueError, match="resolution"):
        communities(two_cliques(), resolution=0)
    for method in ("leiden", "louvain"):
        c = communities(two_cliques(), method=method, seed=1)
        assert c == communities(two_cliques(order=3), method=method, seed=1)  # seeded, order-free
        assert c["lonely"] == NO_COMMUNITY
        assert len({c[n] for n in "abcd"}) == 1 and len({c[n] for n in "wxyz"}) == 1
        assert c["a"] != c["w"]


def planted(trial: int) -> nx.Graph:
    """Six planted groups of 15 nodes, weighted links, and a node without any."""
    rng = np.random.default_rng(trial)
    G = nx.relabel_nodes(nx.planted_partition_graph(6, 15, 0.5, 0.04, seed=trial), lambda i: f"p{i:03d}")
    for a, b in G.edges:
        G.edges[a, b]["weight"] = float(rng.choice([0.1, 0.5, 1.0, 2.0]) * rng.random() + 0.01)
    G.add_node("isolated")
    return G


@pytest.mark.parametrize("method", ["leiden", "louvain"])
def test_communities_are_as_good_as_networkx_louvains(method):
    for trial in range(4):
        G = planted(trial)
        found = communities(G, method=method, seed=trial)
        groups = [{n for n in G if found[n] == c} for c in range(max(found.values()) + 1)]
        assert set().union(*groups) == set(G) - {"isolated"} and found["isolated"] == NO_COMMUNITY
        assert [len(g) for g in groups] == sorted((len(g) for g in groups), reverse=True)  # numbered by size
        linked = G.subgraph(n for n in G if G.degree(n))
        ours = nx.community.modularity(linked, groups)
        theirs = nx.community.modularity(linked, nx.community.louvain_communities(linked, seed=trial))
        assert ours >= theirs - 0.01, (trial, ours, theirs)


def test_communities_draw_from_their_own_seeded_generator():
    """igraph draws from Python's random module; communities() neither reads nor moves it."""
    import igraph

    random.seed(5)
    expected = random.random()
    random.seed(5)
    communities(planted(0), seed=7)
    assert random.random() == expected
    random.seed(3)  # and igraph is back on the random module afterwards
    one = igraph.Graph.Erdos_Renyi(30, 0.2).get_edgelist()
    random.seed(3)
    assert igraph.Graph.Erdos_Renyi(30, 0.2).get_edgelist() == one


@pytest.mark.timeout(60)
def test_communities_end_where_networkx_louvain_moves_nodes_back_and_forth_for_ever():
    """networkx#8739: on this graph networkx's Louvain (3.6) moves nodes between communities
    for ever for many seeds (gains of round-off: 1e-17); igraph's end."""
    G = nx.Graph()
    G.add_nodes_from(range(7))
    G.add_edges_from([(0, 1), (0, 2), (0, 5), (0, 6), (1, 2), (1, 4), (2, 3), (2, 5), (2, 6), (3, 4)])
    for method in ("leiden", "louvain"):
        for seed in range(60):  # networkx does not end for 17 of these (0, 1, 13, 16, ...)
            found = communities(G, seed=seed, method=method)
            assert set(found) == set(G) and min(found.values()) == 0


def test_betweenness_samples_fewer_sources_on_large_graphs(monkeypatch):
    import kgraph.analyse as analyse

    G = nx.relabel_nodes(nx.connected_watts_strogatz_graph(300, 6, 0.1, seed=1), str)
    full = centrality(G, k_max=100, seed=3)
    monkeypatch.setattr(analyse, "BETWEENNESS_WORK", 60 * G.number_of_edges())  # room for 60 sources
    fewer = centrality(G, k_max=100, seed=3)
    assert not fewer["betweenness"].equals(full["betweenness"])
    exact = pd.Series(nx.betweenness_centrality(G))
    assert fewer.set_index("node")["betweenness"].corr(exact) > 0.7
    monkeypatch.setattr(analyse, "BETWEENNESS_WORK", 1)  # never fewer than MIN_BETWEENNESS_SOURCES
    assert centrality(G, k_max=100, seed=3).equals(centrality(G, k_max=analyse.MIN_BETWEENNESS_SOURCES, seed=3))


def test_sampled_betweenness_is_networkx_over_the_same_sources_scaled_as_networkx_scales_a_sample():
    G = nx.relabel_nodes(nx.connected_watts_strogatz_graph(120, 4, 0.2, seed=4), str)
    G.add_edge("x", "y")  # a second component
    G.add_edge("3", "3")  # a self-loop is no path
    order = sorted(G)
    n, k = len(order), 40
    sources = [order[i] for i in np.sort(np.random.default_rng(9).choice(n, size=k, replace=False))]
    # networkx's betweenness from k sources, normalised and scaled as nx.betweenness_centrality(k=...) does
    reference = nx.betweenness_centrality_subset(G, sources, list(G), normalized=False)
    scale = 2 / ((n - 1) * (n - 2)) * n / k  # (subset halves an undirected graph's sums)
    got = centrality(G, seed=9, k_max=k).set_index("node")["betweenness"]
    assert max(abs(got[v] - reference[v] * scale) for v in G) < 1e-12


def test_compiled_betweenness_is_igraphs(monkeypatch):
    """kgraph.kernels.betweenness (numba, large graphs) against igraph's: self-loops, components,
    a node without links, sampled or not, however the sources are cut among the threads."""
    import kgraph.analyse as analyse
    from kgraph import kernels

    G = nx.relabel_nodes(nx.connected_watts_strogatz_graph(150, 4, 0.2, seed=5), str)
    G.add_edge("x", "y")
    G.add_edge("3", "3")  # a self-loop is no path
    G.add_node("alone")
    for k_max in (500, 40):
        monkeypatch.setattr(analyse, "COMPILED_FROM", 10**12)
        expected = centrality(G, seed=2, k_max=k_max)
        monkeypatch.setattr(analyse, "COMPILED_FROM", 0)
        got = centrality(G, seed=2, k_max=k_max)
        pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)
    u, v = np.array([0, 1, 2, 4, 5]), np.array([1, 2, 3, 5, 5])
    sources = np.arange(0, 6)
    one = kernels.betweenness(6, u, v, sources, blocks=1)
    assert one.tolist() == [0.0, 4.0, 4.0, 0.0, 0.0, 0.0]  # the path 0-1-2-3 both ways round; 4-5 none
    for blocks in (2, 5, 100):
        assert np.array_equal(kernels.betweenness(6, u, v, sources, blocks=blocks), one)
