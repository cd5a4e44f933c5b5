"""The :class:`KnowledgeGraph`: a build's tables and graphs, the questions they answer, save and load."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .config import BuildConfig, output_settings

if TYPE_CHECKING:  # importing this module stays cheap: the up-to-date check of `kgraph build` needs no pandas
    import networkx as nx
    import pandas as pd


@dataclass
class KnowledgeGraph:
    """A built knowledge graph: the tables and the graphs made from them.

    Attributes
    ----------
    papers, concepts, mentions, paper_links, concept_links : DataFrame
        The tables (see docs/architecture.md); ``papers`` and ``concepts`` carry
        ``community``, ``degree``, ``pagerank`` and ``betweenness``.
    communities : DataFrame
        One row per paper community: ``community, size, label, top_concepts, median_year, growth``.
    concept_years : DataFrame
        Papers per year on each concept or a narrower one: ``concept_id, year, papers``
        (:func:`kgraph.trends.concept_years`; ``concepts`` has ``first_year``, ``mean_year``
        and ``growth`` from it, and ``communities`` ``median_year`` and ``growth``). Made
        from the tables when not given.
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
    concept_years: pd.DataFrame | None = None

    def __post_init__(self):
        if self.concept_years is None:  # made from the tables (the build passes its own)
            from .trends import add_years

            self.concepts, self.communities, self.concept_years = add_years(
                self.papers, self.concepts, self.mentions, self.communities)

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

    def trends(self, k: int = 20) -> pd.DataFrame:
        """The ``k`` graph concepts rising most and the ``k`` fading most, by ``growth``.

        The ``trend`` column says which (``"rising"`` rows first, highest growth first; then
        ``"fading"``, lowest first); ``recent`` and ``earlier`` count the dated papers in the
        recent period (from ``attrs["recent_from"]``) and before it. Empty when the papers'
        years span fewer than two years. See :mod:`kgraph.trends` for the growth score.

        Examples
        --------
        >>> kg.trends(5)[["trend", "label", "growth", "recent", "earlier"]]  # doctest: +SKIP
        """
        from .trends import rising_and_fading

        return rising_and_fading(self.concepts, self.concept_years, self.papers, k=k)

    def timeline(self, concept: str) -> pd.DataFrame:
        """Papers per year on ``concept`` (by key, label or alias) or a concept narrower than it.

        Returns ``year`` (every year from the first dated paper to the last), ``papers`` and
        ``share`` (of that year's dated papers); empty when no paper has a year.

        Examples
        --------
        >>> kg.timeline("large language model").plot(x="year", y="papers")  # doctest: +SKIP
        """
        from .concepts import resolve_term
        from .trends import timeline

        cid = resolve_term(concept, self.concepts)
        if cid is None:
            raise ValueError(f"no concept named {concept!r}")
        return timeline(cid, self.concept_years, self.papers)

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
                ("papers with a year", s.get("papers_with_year", "—")),
                ("model", self.config.model),
            ]
        )
        return (f"<div><b>KnowledgeGraph</b><table>{rows}</table>"
                f"<p><b>Top concepts:</b> {top}</p></div>")

    def __repr__(self) -> str:
        return (f"KnowledgeGraph({len(self.papers)} papers, {int(self.concepts['selected'].sum())} concepts, "
                f"{len(self.paper_links)} paper links)")

    # -- persistence ---------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Save the whole build into ``folder/kgraph-build/`` (Parquet and JSON, see :mod:`kgraph.store`)."""
        from .store import save

        return save(self, folder, output_settings(self.config))

    @classmethod
    def load(cls, folder: str | Path) -> "KnowledgeGraph":
        """Reopen a build saved by :meth:`save` or by ``kgraph build`` (its output folder).

        Opening a folder never runs code from it: it holds only Parquet and JSON,
        checked before anything is returned (:func:`kgraph.store.load`).

        Raises
        ------
        KgraphError
            One line naming the file and the problem (missing, damaged, or made by
            an older kgraph).
        """
        from .store import load

        return cls(**load(folder))


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
        keep_generic=config.keep_generic,
    )
