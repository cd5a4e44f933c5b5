"""The trends page (``trends.html``): the concepts rising and fading most, each with its papers per year.

A static page beside the explorer's views: the numbers come from :mod:`kgraph.trends`,
the charts are inline SVG drawn here, and it runs no script and loads nothing (the same
strict Content-Security-Policy as the other pages, with no script allowed at all).
Without years, or with one, it says so.

Examples
--------
>>> write_trends_page(kg, "outputs/trends.html")  # doctest: +SKIP
PosixPath('outputs/trends.html')
"""
from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from . import trends

#: The page's file name in an output folder.
TRENDS_FILE = "trends.html"
#: How many rising and how many fading concepts the page lists.
PAGE_TOP = 20
_CHART_W, _CHART_H = 220, 40  # chart size in pixels (bars) and the year labels below
_BAR, _BAR_RECENT, _BACK_RECENT = "#9aa7b4", "#d9622b", "#fdf0e8"


def _esc(value) -> str:
    from .explorer import clean_text

    return html.escape(clean_text(value), quote=True)


def chart(counts: pd.DataFrame, recent_from: int | None) -> str:
    """An inline SVG bar chart of papers per year.

    Parameters
    ----------
    counts : DataFrame
        :func:`kgraph.trends.timeline` of a concept: ``year``, ``papers``, ``share``.
    recent_from : int or None
        The first year of the recent period, drawn on a tinted ground in another colour.

    Examples
    --------
    >>> counts = pd.DataFrame({"year": [2020, 2021], "papers": [1, 3], "share": [0.1, 0.2]})
    >>> chart(counts, 2021).startswith("<svg")
    True
    """
    years = counts["year"].tolist()
    n = max(len(years), 1)
    top = max(int(counts["papers"].max()) if len(counts) else 0, 1)
    width = _CHART_W / n
    parts = [f'<svg class="kg-chart" width="{_CHART_W}" height="{_CHART_H + 14}" '
             f'viewBox="0 0 {_CHART_W} {_CHART_H + 14}" role="img" aria-label="papers per year">']
    if recent_from is not None and years and recent_from <= years[-1]:
        x = _CHART_W * (years.index(recent_from) if recent_from in years else 0) / n
        parts.append(f'<rect x="{x:.1f}" y="0" width="{_CHART_W - x:.1f}" height="{_CHART_H}" '
                     f'fill="{_BACK_RECENT}"/>')
    parts.append(f'<line x1="0" y1="{_CHART_H}" x2="{_CHART_W}" y2="{_CHART_H}" stroke="#c8ccd0"/>')
    for i, (year, papers, share) in enumerate(zip(years, counts["papers"].tolist(), counts["share"].tolist())):
        if not papers:
            continue
        h = max(_CHART_H * papers / top, 1.0)
        color = _BAR_RECENT if recent_from is not None and year >= recent_from else _BAR
        of = "" if share != share else f" ({100 * share:.1f}% of that year's papers)"
        parts.append(f'<rect x="{i * width + 0.15 * width:.2f}" y="{_CHART_H - h:.2f}" '
                     f'width="{max(0.7 * width, 0.5):.2f}" height="{h:.2f}" fill="{color}">'
                     f'<title>{year}: {papers} paper{"s" * (papers != 1)}{of}</title></rect>')
    if years:
        parts.append(f'<text x="0" y="{_CHART_H + 12}" font-size="10" fill="#656d76">{years[0]}</text>'
                     f'<text x="{_CHART_W}" y="{_CHART_H + 12}" font-size="10" fill="#656d76" '
                     f'text-anchor="end">{years[-1]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _year_tables(kg) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(concepts, communities, concept_years) of ``kg``, the year columns made if it lacks them."""
    years = getattr(kg, "concept_years", None)
    if isinstance(years, pd.DataFrame) and "growth" in kg.concepts and "growth" in kg.communities:
        return kg.concepts, kg.communities, years
    return trends.add_years(kg.papers, kg.concepts, kg.mentions, kg.communities)


def _number(value, digits: int = 2, sign: bool = False) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def _concept_rows(table: pd.DataFrame, years: pd.DataFrame, papers: pd.DataFrame, start, chart_from: int) -> str:
    rows = []
    for row in table.to_dict("records"):
        counts = trends.timeline(row["concept_id"], years, papers)
        counts = counts[counts["year"] >= chart_from]
        first = row["first_year"]
        rows.append(f'<tr><td>{_esc(row["label"])}</td><td>{_number(row["growth"], sign=True)}</td>'
                    f'<td>{row["recent"]:,} / {row["earlier"]:,}</td>'
                    f'<td>{"—" if first is pd.NA or first is None else int(first)}</td>'
                    f'<td>{_number(row["mean_year"], 1)}</td><td>{chart(counts, start)}</td></tr>')
    return "\n".join(rows)


def render_trends(kg, k: int = PAGE_TOP) -> str:
    """The trends page of ``kg`` (a string): its ``k`` most rising and ``k`` most fading concepts, each
    with a chart of its papers per year, and the paper communities by period."""
    from .explorer import PAGES, VIEW_FILES, VIEW_TITLES, _csp, _fill, _template

    concepts, communities, years = _year_tables(kg)
    papers = kg.papers
    info = trends.year_summary(papers)
    dated, span = info["papers_with_year"], info["years"]
    if not dated:
        intro = (f"<p>No paper of this build has a year ({len(papers):,} papers), so nothing can be shown "
                 "over time. Give the input a year (a <code>year</code> or date field, which every reader "
                 "takes) to see what is rising and what is fading.</p>")
        body = ""
    elif span["recent_from"] is None:
        intro = (f"<p>{dated:,} of {len(papers):,} papers have a year, all of them {span['first']}: growth "
                 "needs papers from at least two years.</p>")
        body = ""
    else:
        start = span["recent_from"]
        per_year = trends.papers_per_year(papers)
        n_recent = int(per_year[per_year.index >= start].sum())
        intro = (f"<p>{dated:,} of {len(papers):,} papers have a year, from {span['first']} to {span['last']}. "
                 f"<b>Growth</b> compares a concept's share of papers in the recent period "
                 f"({start}–{span['last']}, {n_recent:,} papers: the latest years holding a third of them) "
                 f"with its share before ({dated - n_recent:,} papers), counting the papers on the concept or "
                 f"a narrower one: +1 is a share about twice as high, −1 half as high, and a concept with few "
                 f"papers stays near 0 (see <code>kgraph.trends</code>). Charts: papers per year, the recent "
                 f"period in orange; hover a bar for its numbers.</p>")
        table = trends.rising_and_fading(concepts, years, papers, k=k)
        # the charts leave out the first 1% of the dated papers: a few old ones would squeeze the rest
        chart_from = int(np.repeat(per_year.index.to_numpy(), per_year.to_numpy())[int(0.01 * dated)])
        if chart_from > span["first"]:
            earlier = int(per_year[per_year.index < chart_from].sum())
            intro += (f'<p class="kg-muted">The charts start in {chart_from}; {earlier:,} paper'
                      f'{"s" * (earlier != 1)} from {span["first"]} to {chart_from - 1} are in the counts '
                      "but not drawn.</p>")
        head = ("<tr><th>concept</th><th>growth</th><th>papers recent / before</th><th>first year</th>"
                "<th>mean year</th><th>papers per year</th></tr>")
        sections = []
        for trend, title in (("rising", "Rising"), ("fading", "Fading")):
            part = table[table["trend"] == trend]
            rows = _concept_rows(part, years, papers, start, chart_from) or '<tr><td colspan="6">None.</td></tr>'
            sections.append(f'<h2 id="{trend}">{title}</h2>\n<table>\n{head}\n{rows}\n</table>')
        comm = communities[communities["community"] >= 0].sort_values(["size", "community"],
                                                                      ascending=[False, True]).head(30)
        comm_rows = "\n".join(
            f'<tr><td>{int(r["community"])}</td><td>{_esc(r["label"])}</td><td>{int(r["size"]):,}</td>'
            f'<td>{_number(r["median_year"], 1)}</td><td>{_number(r["growth"], sign=True)}</td></tr>'
            for r in comm.to_dict("records")) or '<tr><td colspan="5">No communities.</td></tr>'
        sections.append('<h2 id="communities">Paper communities by period</h2>\n<p class="kg-muted">Median year '
                        "of each community's papers, and its growth: its share of the recent papers against "
                        "its share before (positive: a growing community).</p>\n<table>\n<tr><th>#</th>"
                        "<th>named after</th><th>papers</th><th>median year</th><th>growth</th></tr>\n"
                        f"{comm_rows}\n</table>")
        body = "\n".join(sections)
    return _fill(_template("trends.html"), {
        "CSP": html.escape(_csp([]), quote=False),
        "NAV": "".join(f'<a href="{_esc(VIEW_FILES[p])}">{_esc(VIEW_TITLES[p])}</a>'
                       for p in ("index",) + tuple(p for p in PAGES if p != "index")),
        "INTRO": intro,
        "BODY": body,
    })


def write_trends_page(kg, path, k: int = PAGE_TOP) -> Path:
    """Write :func:`render_trends` of ``kg`` to ``path`` (UTF-8); returns the path."""
    path = Path(path)
    path.write_text(render_trends(kg, k=k), encoding="utf-8", newline="\n")
    return path
