"""The ``kgraph`` command: a thin shell over the library.

Every command parses its options, calls one library function and prints the
result. A problem with the user's input or options is one line on stderr and
exit status 2, never a traceback.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import List, Optional

import typer

from ._quick import nothing_to_do
from .config import DEFAULT_MODEL, BuildConfig, default_cache_dir
from .errors import KgraphError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Build a knowledge graph that links scientific papers by the concepts they share.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _fail(message: str) -> None:
    typer.echo(f"kgraph: error: {message}", err=True)
    raise typer.Exit(2)


def _warn(message: str) -> None:
    typer.echo(f"kgraph: warning: {message}", err=True)


@app.command()
def build(
    inputs: List[Path] = typer.Argument(
        None, help="Input files: .jsonl, .csv/.tsv, .bib, .ris or .txt (title line, abstract line). "
        "None: the built-in corpus of 184 papers.", show_default=False),
    out: Path = typer.Option(Path("outputs"), "--out", "-o", help="Output folder."),
    format: Optional[str] = typer.Option(
        None, "--format", "-f", help="Input format for every file (jsonl, csv, tsv, bib, ris, txt) "
        "instead of guessing it from the extension."),
    model: str = typer.Option(DEFAULT_MODEL, "--model", help="Installed spaCy pipeline to parse with."),
    min_df: int = typer.Option(2, "--min-df", min=1, help="A concept becomes a graph node when found in at least "
                               "this many papers."),
    max_concepts: Optional[int] = typer.Option(None, "--max-concepts", min=1,
                                               help="Keep at most this many concepts as nodes (highest scored)."),
    thesaurus: Optional[Path] = typer.Option(None, "--thesaurus", help="VOSviewer thesaurus file: tab-separated, "
                                             "header 'label<TAB>replace by'; an empty replacement drops the term."),
    stopwords: Optional[Path] = typer.Option(None, "--stopwords", help="File of terms to drop, one a line."),
    focus: Optional[str] = typer.Option(None, "--focus", help='Comma-separated focus terms, e.g. '
                                        '"Boltzmann,rationale,reasoning,flow": they and every narrower concept '
                                        'are highlighted.'),
    link_weight: str = typer.Option("cosine", "--link-weight", help="Paper-link weight: cosine (of the papers' "
                                    "concept vectors, rare concepts weigh more), idf (sum of shared concepts' idf), "
                                    "count or jaccard."),
    links_per_paper: int = typer.Option(10, "--links-per-paper", min=1,
                                        help="Strongest links kept for each paper."),
    backbone: Optional[float] = typer.Option(None, "--backbone", min=0.0, max=1.0,
                                             help="Keep only links the disparity filter finds significant at "
                                             "this level (e.g. 0.05): a sparser graph for large corpora."),
    community_method: str = typer.Option("leiden", "--communities",
                                         help="Community detection (igraph's, seeded): leiden or louvain."),
    cache_dir: Path = typer.Option(default_cache_dir(), "--cache-dir",
                                   help="Cache of extracted concepts: a rebuild parses only new papers."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache, and build even "
                                  "when --out is up to date."),
    batch_size: int = typer.Option(16, "--batch-size", min=1, help="spaCy batch size (16 measured fastest here)."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Run extraction on Dask: 'local' (a LocalCluster on "
                                       "this machine) or a scheduler address such as tcp://host:8786."),
    max_html_nodes: int = typer.Option(2000, "--max-html-nodes", min=10,
                                       help="Above this many nodes the HTML keeps the strongest and says so."),
    seed: int = typer.Option(42, "--seed", help="Seed for layout and communities (same seed, same picture)."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad record instead of skipping it."),
    force: bool = typer.Option(False, "--force", help="Build even when --out is up to date, and write into an "
                               "existing folder that kgraph did not make (only files with kgraph's names are "
                               "replaced)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Build the graph from INPUTS (default: the built-in corpus) and write every output file to --out.

    Like make, nothing is done when --out already holds this build: the same input
    bytes, settings, spaCy pipeline and versions (kgraph's code no newer than the
    outputs), and every output file there and untouched. --force or --no-cache builds anyway.
    """
    from . import pipeline  # cheap: spaCy, pandas and networkx load only when something is built

    started = time.perf_counter()
    try:
        config = BuildConfig(
            inputs=list(inputs or []), format=format, model=model, min_df=min_df, max_concepts=max_concepts,
            thesaurus=thesaurus, stopwords=stopwords, focus=focus or [], link_weight=link_weight,
            links_per_paper=links_per_paper, backbone=backbone, community_method=community_method,
            cache_dir=None if no_cache else cache_dir,
            batch_size=batch_size,
            strict=strict, dask=dask, seed=seed, max_html_nodes=max_html_nodes,
        )
    except ValueError as exc:
        _fail(str(exc))
    if not (force or no_cache):
        prev = pipeline.up_to_date(out, config)
        if prev is not None:
            typer.echo(nothing_to_do(out, prev))
            return
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if quiet:
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, desc="extracting", unit="paper", file=sys.stderr, leave=False)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()  # before the outputs are written

    try:
        kg = pipeline.build(config=config, out=out, force=force, progress=progress, warn=_warn)
    except KgraphError as exc:
        _fail(str(exc))
    finally:
        if bar is not None:
            bar.close()
    if kg.run.get("up_to_date"):  # another run finished this very build meanwhile
        typer.echo(f"{out}/ is up to date; nothing to do — --force rebuilds")
        return
    _print_summary(kg, out, kg.run["written"], time.perf_counter() - started, notes=kg.run["notes"])


def _print_summary(kg, out: Path, written, seconds: float, notes=()) -> None:
    s = kg.summary
    lines = [
        f"papers      {s['papers']} read from {s['records']} records "
        f"({s['merged']} duplicates merged, {s['skipped']} skipped)",
        f"parsed      {kg.run['parsed']} papers ({kg.run['from_cache']} from cache)",
        f"concepts    {s['concepts_extracted']} extracted, {s['concepts_selected']} selected as graph nodes",
        f"links       {s['paper_links']} paper links, {s['concept_links']} concept links, "
        f"{s['communities']} paper communities",
        f"top         " + ", ".join(kg.top_concepts(8)["label"]),
        f"outputs     {out}/: " + ", ".join(sorted(Path(p).name for p in written)),
        *(f"note        {n}" for n in notes),
        "timings     " + ", ".join(f"{k} {v:.1f}s" for k, v in kg.timings.items()),
        f"done        in {seconds:.1f} s",
    ]
    typer.echo("\n".join(lines))


def _load(build_dir: Path):
    from .pipeline import KnowledgeGraph

    return KnowledgeGraph.load(build_dir)


def _table(df) -> str:
    import pandas as pd

    with pd.option_context("display.max_colwidth", 70, "display.width", 200):
        return df.to_string(index=False)


@app.command()
def related(
    paper: str = typer.Argument(..., help="Paper id, or a unique part of its title."),
    k: int = typer.Option(10, "-k", min=1, help="How many related papers."),
    build_dir: Path = typer.Option(Path("outputs"), "--build", "-b", help="Output folder of a build."),
) -> None:
    """Papers most strongly linked to PAPER, and the shared concepts that explain each link."""
    try:
        kg = _load(build_dir)
        pid = kg.find_paper(paper)
        df = kg.related(pid, k=k)
    except (KgraphError, ValueError) as exc:
        _fail(str(exc))
    title = kg.papers.set_index("paper_id").at[pid, "title"]
    typer.echo(f"{pid}: {title}\n")
    typer.echo(_table(df) if len(df) else "(no links)")


@app.command()
def explain(
    a: str = typer.Argument(..., help="First paper (id or unique part of the title)."),
    b: str = typer.Argument(..., help="Second paper."),
    build_dir: Path = typer.Option(Path("outputs"), "--build", "-b", help="Output folder of a build."),
) -> None:
    """Why papers A and B are linked: their shared concepts, or the shortest concept path between them."""
    try:
        kg = _load(build_dir)
        df = kg.explain(a, b)
    except (KgraphError, ValueError) as exc:
        _fail(str(exc))
    typer.echo(_table(df) if len(df) else "(no connection)")


@app.command()
def concepts(
    top: int = typer.Option(20, "--top", "-n", min=1, help="How many concepts."),
    build_dir: Path = typer.Option(Path("outputs"), "--build", "-b", help="Output folder of a build."),
) -> None:
    """The graph's concepts found in the most papers."""
    try:
        kg = _load(build_dir)
    except KgraphError as exc:
        _fail(str(exc))
    cols = [c for c in ("label", "doc_freq", "reach", "aliases", "broader", "community") if c in kg.concepts]
    typer.echo(_table(kg.top_concepts(top)[cols]))


def main() -> None:
    """Entry point of the ``kgraph`` console script."""
    try:
        app()
        code = 0
    except SystemExit as exc:  # typer ends every command with one (130 after Ctrl-C, silently)
        code = exc.code
    except KeyboardInterrupt:
        code = 130
    if code == 130:
        typer.echo("kgraph: interrupted", err=True)
    exit_now(code)


def exit_now(code: int | str | None = 0) -> None:
    """End the process with ``code`` (as ``sys.exit`` reads it), skipping the interpreter's teardown.

    Everything is flushed and the exit handlers run (logging, multiprocessing,
    temporary folders); only freeing the objects one by one is skipped, which is
    0.3-0.5 s after a build of a few thousand papers (graphs, tables and the
    spaCy pipeline) and gains nothing: the process's memory goes back at once.
    """
    import atexit
    import os

    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed, or a broken pipe
            pass
    os._exit(code)
