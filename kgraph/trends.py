"""Time: when each concept is written about, what is rising and what is fading.

The one home of time facts. Every number here comes from the ``year`` of the papers
(papers without one are left out of it) and from the papers a concept *reaches*: those
that mention it or a concept narrower than it (:func:`kgraph.concepts.reach_pairs`, the
same pairs the ``reach`` column counts).

- :func:`concept_years`: papers per year of each concept (the ``concept_years`` table).
- :func:`year_columns`: ``first_year``, ``mean_year`` and ``growth`` of each concept.
- :func:`community_years`: ``median_year`` and ``growth`` of each paper community.
- :func:`rising_and_fading`, :func:`timeline`: the questions (``kg.trends``, ``kg.timeline``).

**Growth.** The dated papers are split into a *recent* period, the latest years that hold
at least a third of them (:data:`RECENT_SHARE`; never every year), and the *earlier* years.
A concept reaching ``n`` dated papers, ``r`` of them recent and ``e`` earlier, would be
expected to have ``R·n/N`` recent and ``E·n/N`` earlier ones if its share of papers had not
changed (``N`` dated papers, ``R`` recent, ``E`` earlier). Each period's rate against that
expectation gets ``K`` = :data:`PRIOR_PAPERS` pseudo-papers at rate 1 (a Gamma–Poisson
prior: a concept with few papers stays near "no change"), and ::

    growth = log2((r + K) / (R·n/N + K)) - log2((e + K) / (E·n/N + K))

0 is a steady share; +1 means the share of papers was about twice as high in the recent
period as before (-1: half). Because the counts are set against the papers of their own
period, a last year that is only partly in the corpus is no spike, and three papers in the
last year score about 0.5 while a concept with dozens of papers and a doubled share scores
about 1 or more. Sorting by ``growth`` finds what is rising (highest) and fading (lowest).
``growth`` is NaN when the dated papers span fewer than two years or the concept reaches
no dated paper.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: The recent period: the latest years that hold at least this share of the dated papers.
RECENT_SHARE = 1 / 3
#: Pseudo-papers at an unchanged share, added to each period of a concept (see the module doc).
PRIOR_PAPERS = 10.0
#: The columns :func:`year_columns` adds to the concepts table, and their dtypes.
CONCEPT_COLUMNS = {"first_year": "Int64", "mean_year": "float64", "growth": "float64"}
#: The columns :func:`community_years` adds to the communities table.
COMMUNITY_COLUMNS = {"median_year": "float64", "growth": "float64"}
#: The concept_years table's columns and dtypes.
CONCEPT_YEARS_COLUMNS = {"concept_id": "str", "year": "int64", "papers": "int64"}


# ----------------------------------------------------------------------------- years of the corpus
def _years(papers: pd.DataFrame) -> pd.Series:
    """The ``year`` column as Int64 (all missing when the table has none)."""
    if "year" not in papers.columns:
        return pd.Series(pd.NA, index=papers.index, dtype="Int64")
    return pd.Series(papers["year"], dtype="Int64")


def papers_per_year(papers: pd.DataFrame) -> pd.Series:
    """How many papers have each year (``year`` -> count, years ascending; papers without one left out).

    Examples
    --------
    >>> papers_per_year(pd.DataFrame({"year": pd.array([2020, None, 2020, 2022], dtype="Int64")})).to_dict()
    {2020: 2, 2022: 1}
    """
    years = _years(papers).dropna().astype("int64")
    return years.value_counts().sort_index().rename("papers").rename_axis("year")


def recent_from(per_year: pd.Series) -> int | None:
    """The first year of the recent period (see the module doc), or None with fewer than two years.

    Examples
    --------
    >>> recent_from(pd.Series({2019: 10, 2020: 10, 2021: 10, 2022: 10}))
    2021
    >>> recent_from(pd.Series({2020: 1, 2021: 50})), recent_from(pd.Series({2021: 50}))
    (2021, None)
    """
    per_year = per_year[per_year > 0].sort_index()
    if len(per_year) < 2:
        return None
    tail = per_year.iloc[::-1].cumsum()  # papers in the latest 1, 2, ... years
    years = int(np.searchsorted(tail.to_numpy(), RECENT_SHARE * per_year.sum())) + 1
    return int(per_year.index[len(per_year) - min(years, len(per_year) - 1)])


def year_summary(papers: pd.DataFrame) -> dict:
    """What the build's summary says about years: how many papers have one, and (``years``) their
    range and the first year of the recent period (None without dated papers).

    Examples
    --------
    >>> year_summary(pd.DataFrame({"year": pd.array([2020, None, 2022], dtype="Int64")}))
    {'papers_with_year': 2, 'years': {'first': 2020, 'last': 2022, 'recent_from': 2022}}
    """
    per_year = papers_per_year(papers)
    if per_year.empty:
        return {"papers_with_year": 0, "years": None}
    return {"papers_with_year": int(per_year.sum()),
            "years": {"first": int(per_year.index[0]), "last": int(per_year.index[-1]),
                      "recent_from": recent_from(per_year)}}


# ----------------------------------------------------------------------------- growth
def growth(recent, earlier, n_recent: int, n_earlier: int, prior: float = PRIOR_PAPERS) -> np.ndarray:
    """The growth score of the module doc for counts ``recent`` and ``earlier`` (arrays) of papers,
    out of ``n_recent`` and ``n_earlier`` dated papers.

    Examples
    --------
    >>> growth([3, 150, 0], [0, 60, 0], 700, 1400).round(2).tolist()  # three new papers, a tripled share, none
    [0.5, 2.1, 0.0]
    """
    recent, earlier = np.asarray(recent, dtype=np.float64), np.asarray(earlier, dtype=np.float64)
    share = (recent + earlier) / max(n_recent + n_earlier, 1)
    return (np.log2((recent + prior) / (n_recent * share + prior))
            - np.log2((earlier + prior) / (n_earlier * share + prior)))


# ----------------------------------------------------------------------------- concepts
def concept_years(concepts: pd.DataFrame, mentions: pd.DataFrame, papers: pd.DataFrame,
                  pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Papers per year that mention each concept or a narrower one.

    Parameters
    ----------
    concepts, mentions, papers : DataFrame
        The build's tables (``concepts.broader`` links concepts; ``papers.year`` may be missing).
    pairs : DataFrame, optional
        :func:`kgraph.concepts.reach_pairs` of ``concepts`` and ``mentions``, if already made.

    Returns
    -------
    DataFrame
        ``concept_id, year, papers``: one row per concept and year with at least one paper,
        sorted by concept_id and year. Tidy for pandas: ``.pivot(index="year",
        columns="concept_id", values="papers")``.

    Examples
    --------
    >>> concepts = pd.DataFrame({"concept_id": ["flow", "normalizing flow"], "broader": ["", "flow"]})
    >>> mentions = pd.DataFrame({"paper_id": ["a", "b"], "concept_id": ["flow", "normalizing flow"]})
    >>> papers = pd.DataFrame({"paper_id": ["a", "b"], "year": pd.array([2019, 2021], dtype="Int64")})
    >>> concept_years(concepts, mentions, papers).values.tolist()
    [['flow', 2019, 1], ['flow', 2021, 1], ['normalizing flow', 2021, 1]]
    """
    from .concepts import reach_pairs

    if pairs is None:
        pairs = reach_pairs(concepts, mentions)
    year_of = _years(papers).set_axis(papers["paper_id"].to_numpy())
    years = year_of.reindex(pairs["paper_id"].cat.categories).to_numpy(dtype=np.float64, na_value=np.nan)
    year = years[pairs["paper_id"].cat.codes.to_numpy()]
    dated = ~np.isnan(year)
    concept = pairs["concept_id"].cat.codes.to_numpy(dtype=np.int64)[dated]
    year = year[dated].astype(np.int64)
    if not len(year):
        return pd.DataFrame({c: [] for c in CONCEPT_YEARS_COLUMNS}).astype(CONCEPT_YEARS_COLUMNS)
    first = int(year.min())
    span = int(year.max()) - first + 1
    key, count = np.unique(concept * span + (year - first), return_counts=True)
    ids = pairs["concept_id"].cat.categories.to_numpy(dtype=object)
    table = pd.DataFrame({"concept_id": ids[key // span], "year": key % span + first, "papers": count})
    table = table.sort_values(["concept_id", "year"], kind="stable").reset_index(drop=True)
    return table.astype(CONCEPT_YEARS_COLUMNS)


def year_columns(concepts: pd.DataFrame, years: pd.DataFrame, papers: pd.DataFrame) -> pd.DataFrame:
    """``first_year``, ``mean_year`` and ``growth`` of each concept (index and order of ``concepts``).

    ``first_year`` and ``mean_year`` are the earliest and the mean year of the dated papers
    that mention the concept or a narrower one; ``growth`` is the score of the module doc.
    Missing (NA, NaN) for a concept without dated papers; ``growth`` also when the corpus's
    dated papers span fewer than two years.

    Parameters
    ----------
    concepts : DataFrame
    years : DataFrame
        :func:`concept_years` of the build.
    papers : DataFrame
        The papers table (its years say how many papers each period has).
    """
    per_year = papers_per_year(papers)
    start = recent_from(per_year)
    ids = pd.Index(concepts["concept_id"])
    at = ids.get_indexer(years["concept_id"])
    n = len(ids)
    count = years["papers"].to_numpy(dtype=np.float64)
    year = years["year"].to_numpy(dtype=np.float64)
    total = np.bincount(at, weights=count, minlength=n)
    weighted = np.bincount(at, weights=count * year, minlength=n)
    first = np.full(n, np.inf)
    np.minimum.at(first, at, year)
    dated = total > 0
    out = pd.DataFrame({
        "first_year": pd.array(np.where(dated, first, 0).astype(np.int64), dtype="Int64"),
        "mean_year": np.where(dated, weighted / np.where(dated, total, 1), np.nan),
        "growth": np.nan,
    }, index=concepts.index)
    out.loc[~dated, "first_year"] = pd.NA
    if start is not None:
        recent = np.bincount(at, weights=count * (year >= start), minlength=n)
        n_recent = int(per_year[per_year.index >= start].sum())
        score = growth(recent, total - recent, n_recent, int(per_year.sum()) - n_recent)
        out["growth"] = np.where(dated, score, np.nan)
    return out


# ----------------------------------------------------------------------------- communities
def community_years(papers: pd.DataFrame, communities: pd.DataFrame) -> pd.DataFrame:
    """``communities`` with ``median_year`` and ``growth`` of each paper community.

    ``median_year``: the median year of its dated papers. ``growth``: the score of the module
    doc for its papers (its share of the recent papers against its share of the earlier
    ones): positive for a community that grows, negative for one that shrinks. NaN for a
    community without dated papers, and ``growth`` also when the dated papers span fewer
    than two years.

    Examples
    --------
    >>> papers = pd.DataFrame({"community": [0, 0, 1, 1], "year": pd.array([2019, 2021, 2020, None], dtype="Int64")})
    >>> community_years(papers, pd.DataFrame({"community": [0, 1]}))["median_year"].tolist()
    [2020.0, 2020.0]
    """
    years = _years(papers).to_numpy(dtype=np.float64, na_value=np.nan)
    member = papers["community"].to_numpy(dtype=np.int64)
    dated = ~np.isnan(years)
    frame = pd.DataFrame({"community": member[dated], "year": years[dated]})
    median = frame.groupby("community")["year"].median()
    out = communities.copy()
    out["median_year"] = out["community"].map(median).astype("float64")
    out["growth"] = np.nan
    start = recent_from(papers_per_year(papers))
    if start is not None:
        recent = frame[frame["year"] >= start].groupby("community").size()
        total = frame.groupby("community").size()
        r = out["community"].map(recent).fillna(0).to_numpy(dtype=np.float64)
        t = out["community"].map(total).fillna(0).to_numpy(dtype=np.float64)
        n_recent = int((frame["year"] >= start).sum())
        out["growth"] = np.where(t > 0, growth(r, t - r, n_recent, len(frame) - n_recent), np.nan)
    return out


def add_years(papers: pd.DataFrame, concepts: pd.DataFrame, mentions: pd.DataFrame,
              communities: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The build's time facts: ``(concepts, communities, concept_years)``, the first two with the
    columns of :func:`year_columns` and :func:`community_years` added."""
    years = concept_years(concepts, mentions, papers)
    concepts = concepts.drop(columns=[c for c in CONCEPT_COLUMNS if c in concepts.columns])
    concepts = pd.concat([concepts, year_columns(concepts, years, papers)], axis=1)
    communities = community_years(papers, communities.drop(
        columns=[c for c in COMMUNITY_COLUMNS if c in communities.columns]))
    return concepts, communities, years


# ----------------------------------------------------------------------------- questions
def rising_and_fading(concepts: pd.DataFrame, years: pd.DataFrame, papers: pd.DataFrame, k: int = 20,
                      graph_only: bool = True) -> pd.DataFrame:
    """The ``k`` concepts rising most and the ``k`` fading most, by ``growth``.

    Parameters
    ----------
    concepts : DataFrame
        With the columns of :func:`year_columns`.
    years : DataFrame
        :func:`concept_years` of the build.
    papers : DataFrame
    k : int
        How many of each.
    graph_only : bool
        Only the concepts selected as graph nodes.

    Returns
    -------
    DataFrame
        ``trend`` (``"rising"`` or ``"fading"``: which list the row is in), ``concept_id``,
        ``label``, ``growth``, ``recent`` and ``earlier`` (dated papers in the recent period
        and before it), ``first_year``, ``mean_year``; rising first (highest growth first),
        then fading (lowest first); ties by concept_id. Only positive growth is rising and
        negative fading, and it is empty when the corpus spans fewer than two years. A concept
        on exactly the papers of a narrower one is left out (the narrower one stands for both).
        ``attrs["recent_from"]`` is the first year of the recent period.

    Raises
    ------
    ValueError
        ``k`` below 1, or ``concepts`` without the year columns.
    """
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, not {k!r}")
    missing = [c for c in CONCEPT_COLUMNS if c not in concepts.columns]
    if missing:
        raise ValueError(f"concepts lacks the year columns {missing} (see kgraph.trends.add_years)")
    start = recent_from(papers_per_year(papers))
    table = concepts[concepts["selected"]] if graph_only and "selected" in concepts else concepts
    table = table[table["growth"].notna() & ~table["concept_id"].isin(_echoes(concepts))]
    total = years.groupby("concept_id")["papers"].sum()
    recent = years[years["year"] >= start].groupby("concept_id")["papers"].sum() if start is not None else total * 0
    table = table.assign(recent=table["concept_id"].map(recent).fillna(0).astype("int64"))
    table = table.assign(earlier=table["concept_id"].map(total).fillna(0).astype("int64") - table["recent"])
    columns = ["trend", "concept_id", "label", "growth", "recent", "earlier", "first_year", "mean_year"]
    rising = table[table["growth"] > 0].sort_values(["growth", "concept_id"], ascending=[False, True]).head(k)
    fading = table[table["growth"] < 0].sort_values(["growth", "concept_id"], ascending=[True, True]).head(k)
    out = pd.concat([rising.assign(trend="rising"), fading.assign(trend="fading")], ignore_index=True)
    out = out.reindex(columns=columns)
    out["trend"] = out["trend"].astype("str")
    out.attrs["recent_from"] = start
    return out


def _echoes(concepts: pd.DataFrame) -> set[str]:
    """Concepts on exactly the papers of one of their narrower concepts (*space model* when every
    paper on it is on *state space model*): the same trend twice, so the lists keep the narrower one.

    A broader concept reaches every paper its narrower concepts reach, so equal ``reach`` means
    equal papers.
    """
    if "reach" not in concepts or "broader" not in concepts:
        return set()
    reach = dict(zip(concepts["concept_id"].tolist(), concepts["reach"].tolist()))
    echoes = set()
    for cid, broader in zip(concepts["concept_id"].tolist(), concepts["broader"].tolist()):
        for b in (broader.split("; ") if isinstance(broader, str) and broader else ()):
            if b in reach and reach[b] == reach[cid]:
                echoes.add(b)
    return echoes


def timeline(concept_id: str, years: pd.DataFrame, papers: pd.DataFrame) -> pd.DataFrame:
    """Papers per year that mention ``concept_id`` or a narrower concept, every year of the corpus.

    Returns
    -------
    DataFrame
        ``year`` (each year from the corpus's first dated paper to its last), ``papers`` (0
        in a year without one) and ``share`` (of that year's dated papers; NaN in a year
        without papers). Empty when no paper has a year.

    Examples
    --------
    >>> years = pd.DataFrame({"concept_id": ["flow"], "year": [2021], "papers": [1]})
    >>> papers = pd.DataFrame({"year": pd.array([2019, 2021, 2021], dtype="Int64")})
    >>> timeline("flow", years, papers).values.tolist()
    [[2019.0, 0.0, 0.0], [2020.0, 0.0, nan], [2021.0, 1.0, 0.5]]
    """
    per_year = papers_per_year(papers)
    if per_year.empty:
        return pd.DataFrame({"year": pd.Series(dtype="int64"), "papers": pd.Series(dtype="int64"),
                             "share": pd.Series(dtype="float64")})
    span = pd.RangeIndex(int(per_year.index[0]), int(per_year.index[-1]) + 1, name="year")
    mine = years[years["concept_id"] == concept_id].set_index("year")["papers"]
    counts = mine.reindex(span, fill_value=0).astype("int64")
    total = per_year.reindex(span, fill_value=0)
    share = (counts / total.where(total > 0)).astype("float64")
    return pd.DataFrame({"year": span.to_numpy(dtype=np.int64), "papers": counts.to_numpy(),
                         "share": share.to_numpy()})

