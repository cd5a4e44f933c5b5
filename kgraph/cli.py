"""The ``kgraph`` command: a thin shell over the library.

Every command parses its options, calls one library function and prints the
result. The ``build`` command's settings are made from :class:`BuildConfig`'s
fields (their metadata names each option, its help and its limits). A problem
with the user's input or options is one line on stderr, ``kgraph: error: ...``,
and exit status 2, never a traceback; Ctrl-C is ``kgraph: interrupted``, status 130.

click, not typer: ``kgraph build`` on up-to-date outputs is mostly the interpreter's
start and the imports, and with typer (which loads rich) it took about twice as long.
"""
from __future__ import annotations

import sys
import time
import types
import typing
from dataclasses import MISSING, fields
from pathlib import Path

import click

from . import __version__
from .config import BuildConfig, SettingError, limits_text
from .errors import KgraphError


class _Kgraph(click.Group):
    """The command group, reporting every problem as one line (also under click's ``CliRunner``)."""

    def main(self, args=None, prog_name=None, **extra):
        try:
            super().main(args, prog_name or "kgraph", standalone_mode=False, **extra)
            code = 0
        except click.exceptions.NoArgsIsHelpError as exc:  # a bare `kgraph`: the help
            exc.show()
            code = exc.exit_code
        except click.exceptions.Exit as exc:  # --help, --version
            code = exc.exit_code
        except click.ClickException as exc:  # a bad option or value
            click.echo(f"kgraph: error: {exc.format_message()}", err=True)
            code = 2
        except SettingError as exc:
            click.echo(f"kgraph: error: {exc.option or exc.setting} {exc.problem}", err=True)
            code = 2
        except KgraphError as exc:
            click.echo(f"kgraph: error: {exc}", err=True)
            code = 2
        except (KeyboardInterrupt, click.Abort):
            click.echo("kgraph: interrupted", err=True)
            code = 130
        sys.exit(code)


@click.group(cls=_Kgraph, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="kgraph", message="%(prog)s %(version)s")
def app() -> None:
    """Build a knowledge graph that links scientific papers by the concepts they share."""


def main() -> None:
    """Entry point of the ``kgraph`` console script."""
    app.main(prog_name="kgraph")


def _warn(message: str) -> None:
    click.echo(f"kgraph: warning: {message}", err=True)


# ----------------------------------------------------------------------------- build
def _setting_options(command):
    """``command`` with one option per :class:`BuildConfig` field that names one in its metadata."""
    hints = typing.get_type_hints(BuildConfig)
    for f in reversed(fields(BuildConfig)):
        meta = f.metadata
        if not meta.get("option"):
            continue
        kind = hints[f.name]
        if isinstance(kind, types.UnionType):  # X | None
            kind = next(t for t in typing.get_args(kind) if t is not type(None))
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        limits = limits_text(meta)
        shown = [f"default: {default}"] if default not in (None, [], False) else []
        if limits and "choices" not in meta:
            shown.append(limits)
        decls = [meta["option"], *([meta["short"]] if meta["short"] else []), f.name]
        if kind is bool:
            option = click.option(*decls, is_flag=True, default=None, help=meta["help"])
        else:
            if kind is Path:
                kind = click.Path(path_type=Path)
            elif typing.get_origin(kind) is list:
                kind = str  # comma-separated; BuildConfig splits it
            metavar = "[" + "|".join(meta["choices"]) + "]" if "choices" in meta else None
            help = meta["help"] + (f"  [{'; '.join(shown)}]" if shown else "")
            option = click.option(*decls, type=kind, default=None, metavar=metavar, help=help)
        command = option(command)
    return command


@app.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("outputs"), show_default=True,
              help="Output folder.")
@_setting_options
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache, and build even when --out is "
              "up to date.")
@click.option("--force", is_flag=True, help="Build even when --out is up to date, and write into an existing "
              "folder that kgraph did not make (only files with kgraph's names are replaced).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def build(inputs, out: Path, no_cache: bool, force: bool, quiet: bool, **settings) -> None:
    """Build the graph from INPUTS and write every output file to --out.

    INPUTS: exports of Web of Science, Scopus, IEEE Xplore, PubMed, OpenAlex, Semantic
    Scholar or Zotero (CSL-JSON), BibTeX, RIS, CSV/TSV, JSON Lines, or kgraph's line format
    (a title line, then an abstract line), told apart by their content; none: the
    built-in corpus of 184 papers.

    Like make, nothing is done when --out already holds this build: the same input
    bytes, settings, spaCy pipeline and versions (kgraph's code no newer than the
    outputs), and every output file there and untouched. --force or --no-cache builds anyway.
    """
    from . import pipeline  # cheap: spaCy, pandas and networkx load only when something is built

    started = time.perf_counter()
    settings = {name: value for name, value in settings.items() if value is not None}  # the rest: defaults
    if no_cache:
        settings["cache_dir"] = None
    config = BuildConfig(inputs=list(inputs), **settings)
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
        result = pipeline.build_into(out, config, force=force, progress=progress, warn=_warn)
    finally:
        if bar is not None:
            bar.close()
    if isinstance(result, pipeline.PreviousBuild):
        built = time.strftime("%Y-%m-%d %H:%M", time.localtime(result.built_ns / 1e9))
        click.echo(f"{out}/ is up to date (build key {result.key[:12]}…, built {built}); nothing to do — "
                   "--force rebuilds")
        return
    _print_summary(result, out, time.perf_counter() - started)


def _print_summary(kg, out: Path, seconds: float) -> None:
    s, run = kg.summary, kg.run
    years = s.get("years")
    lines = [
        f"papers      {s['papers']} read from {s['records']} records "
        f"({s['merged']} duplicates merged, {s['skipped']} skipped)",
        f"years       {s.get('papers_with_year', 0)} of {s['papers']} papers have a year"
        + (f" ({years['first']}–{years['last']})" if years else ""),
        f"parsed      {run['parsed']} papers ({run['from_cache']} from cache)",
        f"concepts    {s['concepts_extracted']} extracted, {s['concepts_selected']} selected as graph nodes",
        f"links       {s['paper_links']} paper links, {s['concept_links']} concept links, "
        f"{s['communities']} paper communities",
        "top         " + ", ".join(f"{label} {df} ({reach} with narrower)" for label, df, reach in
                                   kg.top_concepts(8)[["label", "doc_freq", "reach"]].itertuples(index=False)),
        f"outputs     {out}/: " + ", ".join(sorted(Path(p).name for p in run["written"])),
        *(f"note        {n}" for n in run["notes"]),
        "timings     " + ", ".join(f"{k} {v:.1f}s" for k, v in kg.timings.items()),
        f"done        in {seconds:.1f} s",
    ]
    click.echo("\n".join(lines))


# ----------------------------------------------------------------------------- questions
build_option = click.option("--build", "-b", "build_dir", type=click.Path(path_type=Path), default=Path("outputs"),
                            show_default=True, help="Output folder of a build.")


def _load(build_dir: Path):
    from .pipeline import KnowledgeGraph

    return KnowledgeGraph.load(build_dir)


def _table(df) -> str:
    import pandas as pd

    with pd.option_context("display.max_colwidth", 70, "display.width", 200):
        return df.to_string(index=False)


def _ask(question, *args):
    """``question(*args)``; the ValueError of a paper or concept it cannot find becomes the user's error."""
    try:
        return question(*args)
    except ValueError as exc:
        raise KgraphError(str(exc)) from None


@app.command()
@click.argument("paper")
@click.option("-k", type=click.IntRange(min=1), default=10, show_default=True, help="How many related papers.")
@build_option
def related(paper: str, k: int, build_dir: Path) -> None:
    """Papers most strongly linked to PAPER (its id, or a unique part of its title), and the
    shared concepts that explain each link."""
    kg = _load(build_dir)
    pid = _ask(kg.find_paper, paper)
    df = kg.related(pid, k=k)
    title = kg.papers.set_index("paper_id").at[pid, "title"]
    click.echo(f"{pid}: {title}\n")
    click.echo(_table(df) if len(df) else "(no links)")


@app.command()
@click.argument("a")
@click.argument("b")
@build_option
def explain(a: str, b: str, build_dir: Path) -> None:
    """Why papers A and B (ids, or unique parts of their titles) are linked: their shared concepts,
    or the shortest concept path between them."""
    kg = _load(build_dir)
    a, b = _ask(kg.find_paper, a), _ask(kg.find_paper, b)
    df = kg.explain(a, b)
    case = df.attrs.get("case")
    if case == "shared":
        click.echo(f"{a} and {b} share {len(df)} concept{'s' * (len(df) > 1)}:\n")
        click.echo(_table(df[["id", "label", "contribution", "share"]].rename(columns={"id": "concept_id"})))
    elif case == "path":  # no contribution to show: one line, the nearest connection
        between = [label if kind == "concept" else f"paper {pid}"
                   for kind, pid, label in zip(df["kind"], df["id"], df["label"])][1:-1]
        click.echo(f"{a} and {b} share no concept; the nearest connection: {' → '.join(between)}")
    else:
        click.echo(f"{a} and {b} share no concept, and no chain of concepts and papers joins them")


@app.command()
@click.option("--top", "-n", type=click.IntRange(min=1), default=20, show_default=True, help="How many concepts.")
@build_option
def concepts(top: int, build_dir: Path) -> None:
    """The graph's concepts found in the most papers."""
    kg = _load(build_dir)
    cols = [c for c in ("label", "doc_freq", "reach", "aliases", "broader", "community") if c in kg.concepts]
    click.echo(_table(kg.top_concepts(top)[cols]))


@app.command()
@click.option("--top", "-n", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many rising and how many fading concepts.")
@build_option
def trends(top: int, build_dir: Path) -> None:
    """The concepts rising and fading most over the papers' years (growth: a concept's share of the
    recent papers against its share before; see kgraph.trends)."""
    kg = _load(build_dir)
    years = kg.summary.get("years")
    dated = kg.summary.get("papers_with_year", 0)
    if not years:
        click.echo(f"No paper in {build_dir}/ has a year: trends need papers with a year (a year or date field "
                   "in the input).")
        return
    df = kg.trends(top)
    if years["recent_from"] is None:
        click.echo(f"All {dated} papers with a year are from {years['first']}: trends need two years or more.")
        return
    click.echo(f"{dated} of {len(kg.papers)} papers have a year ({years['first']}–{years['last']}); recent: "
               f"{years['recent_from']}–{years['last']}. growth: log2 of a concept's share of recent papers "
               "against before (shrunk to 0 for few papers).")
    cols = ["label", "growth", "recent", "earlier", "first_year", "mean_year"]
    for trend in ("rising", "fading"):
        part = df[df["trend"] == trend]
        click.echo(f"\n{trend}\n" + (_table(part[cols].round({"growth": 2, "mean_year": 1})) if len(part) else "(none)"))
