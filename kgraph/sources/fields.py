"""One record's raw values turned into a row of the ``papers`` table.

Every reader gives, for each record, its known fields under the names below (raw values:
text, numbers, lists) and the rest as extra columns; :func:`make_paper` does the rest the
same way for every format:

``id``, ``title``, ``abstract``, ``year``, ``authors``, ``venue``, ``doi``, ``url``,
``keywords``, ``references``, ``arxiv``
"""
from __future__ import annotations

import datetime
import functools
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Callable

from .. import text as _text

#: The contract columns of the ``papers`` table, in order; extra input columns follow.
PAPER_COLUMNS = ["paper_id", "title", "abstract", "year", "authors", "venue", "doi", "url", "keywords",
                 "references", "format", "source"]

#: The years kept: from 1500 to next year (a later one is a typo or a placeholder).
FIRST_YEAR, LAST_YEAR = 1500, datetime.date.today().year + 1

SkipHandler = Callable[[object, str], None]
NoteHandler = Callable[[object, str], None]

# Column names of tables (CSV, JSON records) that stand for a known field, matched after
# lower-casing and turning "_" and "-" into spaces; for a field several columns may hold,
# the one listed first wins (the others stay extra columns).
ALIASES = {
    "id": ["id", "paper id", "paperid"],
    "title": ["title", "document title", "article title", "primary title", "ti"],
    "abstract": ["abstract", "summary", "ab"],
    "year": ["year", "publication year", "py", "pubyear", "year published", "date", "published",
             "publication date", "pubdate", "date published", "issued"],
    "authors": ["authors", "author", "author names", "au"],
    "venue": ["venue", "source title", "journal", "publication title", "journal title", "container title",
              "publication", "publication name", "booktitle", "conference", "so"],
    "doi": ["doi", "di"],
    "url": ["url", "link", "pdf link", "landing page url"],
    "keywords": ["keywords", "author keywords", "keyword", "de"],
    "references": ["references", "cited references", "referenced works", "cr"],
    "arxiv": ["arxiv id", "arxiv"],
}
_ALIAS_RANK = {name: (canon, rank) for canon, names in ALIASES.items() for rank, name in enumerate(names)}
# never extra columns under their own names: they would clash with the table's own
_RESERVED = set(PAPER_COLUMNS) | {"community", "community_label", "degree", "pagerank", "betweenness"}

# One str.translate does the character-level hygiene: line breaks become spaces, the other
# control characters, lone surrogates, U+FEFF, U+FFFE and U+FFFF go.
_HYGIENE = {c: " " for c in (0x09, 0x0A, 0x0B, 0x0C, 0x0D)}
_HYGIENE.update({c: None for c in [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F,
                                   *range(0xD800, 0xE000), 0xFEFF, 0xFFFE, 0xFFFF]})
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ARXIV_ID = r"(\d{4}\.\d{4,5}|[a-z][a-z.\-]*(?:\.[A-Z]{2})?/\d{7})"
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/" + _ARXIV_ID + r"(?:v\d+)?", re.IGNORECASE)
_ARXIV_PLAIN = re.compile(r"^(?:arxiv:)?" + _ARXIV_ID + r"(?:v\d+)?$", re.IGNORECASE)


# --------------------------------------------------------------------------- text
def clean_text(value: str) -> str:
    """Apply the ingest text hygiene to one string.

    Removes control characters ``[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]``, lone
    surrogates, U+FEFF, U+FFFE and U+FFFF (tab, newline, carriage return, vertical
    tab and form feed become a space), NFC-normalises, collapses whitespace runs to
    one space and strips the ends.

    Examples
    --------
    >>> clean_text("  Deep\\tlearning\\x00 for\\r\\n Schro\\u0308dinger  ")
    'Deep learning for Schrödinger'
    """
    if value.isascii() and value.isprintable() and "  " not in value:
        return value.strip()  # the common case, already clean but for the ends
    # str.split() splits on exactly the characters re's \s matches, and is faster
    return " ".join(unicodedata.normalize("NFC", value.translate(_HYGIENE)).split())


class _Punctuation(dict):
    """A str.translate table deleting every Unicode punctuation character (category P*),
    filled in as characters are met (the whole table would take 0.2 s to build)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code))[0] == "P" else code
        self[code] = kept
        return kept


_PUNCTUATION = _Punctuation()


def title_key(title: str) -> str:
    """The key under which two titles (or abstracts) count as the same.

    NFKC-normalised, case-folded, punctuation (Unicode category P*) removed,
    whitespace collapsed.

    Examples
    --------
    >>> title_key("Boltzmann  Generators: Sampling Equilibrium States!")
    'boltzmann generators sampling equilibrium states'
    """
    return " ".join(unicodedata.normalize("NFKC", title).casefold().translate(_PUNCTUATION).split())


def title_hash(text: str) -> str:
    """The ``paper_id`` of a record with no id, DOI or arXiv id: 12 hex digits of the SHA-1
    of :func:`title_key`."""
    return hashlib.sha1(title_key(text).encode("utf-8")).hexdigest()[:12]


# --------------------------------------------------------------------------- abstracts
# Publisher boilerplate: a sentence holding one of these is not the authors' text.
_BOILERPLATE = re.compile(
    r"©|\(c\)\s*(?:\d{4}|the\s+authors?)|all rights reserved|\bcopyright\s*(?:©|\(c\)|:|\d{4}|by\b|the\b|"
    r"held\b|owned\b|may be transferred)|protected by copyright|^published by\b|^licensee\b|open[- ]access article|"
    r"creative\s?commons|\bCC[- ]BY\b|distributed under the terms of",
    re.IGNORECASE)
# where a copyright notice starts, maybe within a sentence that has no full stop before it
_NOTICE = re.compile(r"(?:\bcrown\s+)?\bcopyright\s*(?:©|\(c\)|\d{4})|©|\(c\)\s*(?:\d{4}|the\s+authors?)",
                     re.IGNORECASE)
# a sentence ends at . ! or ? (and maybe a closing quote or bracket), then a space and a capital
# letter, a digit, ©, ( or [
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)\]]))\s+(?=[A-Z0-9©(\[])")
# Structured-abstract headings ("BACKGROUND:", "Materials and methods:") at the start of a
# sentence: one to five words, all from this list.
_HEADING_WORDS = (
    "background|introduction|context|importance|rationale|motivation|aims?|objectives?|purpose|goals?|"
    "hypothesis|study|design|setting|settings|participants|patients|subjects|population|interventions?|"
    "measurements|main|primary|secondary|outcomes?|measures?|methods?|methodology|materials?|approach|"
    "results?|findings|conclusions?|discussion|interpretation|significance|implications?|limitations|"
    "summary|originality|value|practical|social|research|clinical|relevance|trial|registration|evidence|"
    "data|sources|selection|synthesis|review|key|expert|opinion|areas|covered|and|of")
# matched backwards from each colon, on the text before it: a heading starts the text or a sentence
_HEADING = re.compile(r"(?:^|(?<=[.!?]\s))(?:%s)(?:[ /-]+(?:%s)){0,4}\s*$" % (_HEADING_WORDS, _HEADING_WORDS),
                      re.IGNORECASE)
_HEADING_SPAN = 80  # characters before a colon that can hold a heading
# cheap tests first: most abstracts have none of these
_NOTICE_HINTS = ("©", "(c)", "copyright", "rights reserved", "published by", "licensee", "open access",
                 "open-access", "creative", "cc by", "cc-by", "distributed under")
# "Abstract: We...", "ABSTRACT. We...", "Abstract We..." (OpenAlex), not "Abstract syntax trees..."
_LEADING_ABSTRACT = re.compile(r"^(?i:abstract)(?:\s*[:.\-–—]\s*|\s+(?=[A-Z]))")
_NO_ABSTRACT = re.compile(r"^[\[(]?\s*(?:no\s+abstract(?:\s+(?:is\s+)?available)?|abstract\s+not\s+available|"
                          r"not\s+available|n/?a|none)\s*\.?\s*[\])]?\.?$", re.IGNORECASE)


def clean_abstract(abstract: str) -> str:
    """``abstract`` without the text a database adds around the authors' words.

    Removed: a placeholder for a missing abstract (``[No abstract available]`` becomes
    ""), a leading ``Abstract`` label, structured-abstract headings (``BACKGROUND:``,
    ``Materials and methods:``, ``CONCLUSIONS:``...), and every sentence of publisher
    boilerplate: copyright (``©``, ``(C) 2015``, ``Copyright 2020 ...``, ``All rights
    reserved``), ``Published by ...``, ``Licensee ...`` and open-access licence
    sentences (``open access article``, ``Creative Commons``, ``CC BY``). A sentence that
    merely speaks of copyright ("watermarks for copyright protection") is kept.

    Examples
    --------
    >>> clean_abstract("BACKGROUND: Sleep matters. RESULTS: It does. © 2020 Elsevier B.V. All rights reserved.")
    'Sleep matters. It does.'
    >>> clean_abstract("[No abstract available]")
    ''
    """
    if not abstract or _NO_ABSTRACT.match(abstract):
        return ""
    text = _LEADING_ABSTRACT.sub("", abstract)
    lower = text.lower()
    if any(hint in lower for hint in _NOTICE_HINTS):
        kept = []
        for sentence in _SENTENCE_END.split(text):
            notice = _NOTICE.search(sentence)
            if notice:  # the rest is the notice: "...at https://x.org (C) 2020 Elsevier", "...results.© 2020 IEEE"
                sentence = sentence[:notice.start()]
                bracket = sentence.rfind("(")
                if bracket >= 0 and ")" not in sentence[bracket:]:  # "(PsycInfo Database Record (c) 2020 APA)"
                    sentence = sentence[:bracket]
                sentence = sentence.rstrip()
            if sentence and not _BOILERPLATE.search(sentence):
                kept.append(sentence)
        text = " ".join(kept)
    if ":" in text:
        text = _without_headings(text)
    return text.strip()


def _without_headings(text: str) -> str:
    out, done = [], 0
    for colon in re.finditer(r"\s*:\s*", text):
        start = max(done, colon.start() - _HEADING_SPAN)
        before = text[start:colon.start()]
        heading = _HEADING.search(before)
        # at the slice's start is the start of a sentence only where the text or a heading ended
        if heading and (heading.start() > 0 or start == done):
            out.append(text[done:start + heading.start()])
            done = colon.end()
    out.append(text[done:])
    return "".join(out)


# --------------------------------------------------------------------------- values
def scalar_text(value) -> str:
    """A raw value as text ("" for missing; a list of plain values "; "-joined)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)) and all(not isinstance(v, (dict, list)) for v in value):
        return "; ".join(t for t in (scalar_text(v) for v in value) if t)
    return clean_text(json.dumps(value, ensure_ascii=False))


def prose(value) -> str:
    """Title/abstract text: a list of pieces (paragraphs, lines) is joined with spaces."""
    if isinstance(value, (list, tuple)):
        return clean_text(" ".join(scalar_text(v) for v in value))
    return scalar_text(value)


def author_name(value) -> str:
    """One author as text: a name, or a dict with ``name``/``display_name`` or
    ``family``/``given`` (``"Family, Given"``), or a list of name parts."""
    if isinstance(value, dict):
        for key in ("name", "display_name", "literal", "raw_author_name"):
            if value.get(key):
                return scalar_text(value[key])
        family = value.get("family") or value.get("last") or value.get("lastname") or ""
        given = value.get("given") or value.get("first") or value.get("firstname") or ""
        return ", ".join(t for t in (scalar_text(family), scalar_text(given)) if t)
    if isinstance(value, (list, tuple)):  # e.g. arXiv's authors_parsed ["Last", "First", ""]
        return ", ".join(t for t in (scalar_text(v) for v in value) if t)
    return scalar_text(value)


_SCOPUS_INITIALS = re.compile(r"(?<=\.),\s+(?=\S)")  # "Smith J., Doe A.B." (Scopus before 2023)


def authors_text(value) -> str:
    """Authors "; "-joined, in order, from a list or a text.

    A text is split on ``;``; without one, a Scopus-style list of names with initials
    (``Smith J., Doe A.``) is split after each initial. Other commas are kept: they
    separate family and given names.
    """
    if isinstance(value, (list, tuple)):
        names = [author_name(v) for v in value]
    else:
        text = author_name(value)
        if ";" in text:
            names = [clean_text(t) for t in text.split(";")]
        elif text.count(".,") >= 1 and _SCOPUS_INITIALS.search(text):
            names = [clean_text(t) for t in _SCOPUS_INITIALS.split(text)]
        else:
            names = [text]
    return "; ".join(n for n in names if n)


def keywords_text(value) -> str:
    """Keywords "; "-joined, from a list or a text split on ``;`` (on ``,`` when it has no ``;``)."""
    if isinstance(value, (list, tuple)):
        terms = [scalar_text(v) for v in value]
    else:
        text = scalar_text(value)
        terms = [clean_text(t) for t in text.split(";" if ";" in text else ",")]
    return "; ".join(t for t in terms if t)


def references_text(value) -> str:
    """References "; "-joined: DOIs (lower case, without the URL prefix) or source ids."""
    if isinstance(value, (list, tuple)):
        items = [scalar_text(v) for v in value]
    else:
        items = scalar_text(value).split(";")
    out = []
    for item in items:
        item = item.strip()
        if item:
            doi = _DOI_PREFIX.sub("", item)
            out.append(doi.lower() if doi.startswith("10.") else item)
    return "; ".join(out)


def year_of(value) -> int | str | None:
    """The year in ``value`` as an int, None when missing, or the text when it holds no year.

    Reads numbers, ``"2015-03-01"``, ``"2015 Mar"``, ``"03/01/2015"``, ``"Spring 2019"``,
    ``"2021a"`` (the first number of four digits) and CSL's ``{"date-parts": [[2015, 3]]}``.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dict):  # CSL-JSON / Crossref dates
        parts = value.get("date-parts")
        if parts and isinstance(parts, list) and parts[0] and isinstance(parts[0], list):
            return year_of(parts[0][0])
        return year_of(value.get("raw") or value.get("literal") or value.get("year"))
    if isinstance(value, (list, tuple)):
        return year_of(value[0]) if value else None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else str(value)
    if isinstance(value, int):
        return value
    text = scalar_text(value)
    if not text:
        return None
    found = _YEAR.search(text)
    return int(found.group(1)) if found else text


def doi_of(value) -> str:
    """A DOI in lower case, without ``https://doi.org/`` or ``doi:``."""
    return _DOI_PREFIX.sub("", scalar_text(value)).strip().lower()


def arxiv_of(*values) -> str:
    """The first arXiv id (without version) among ``values``: plain ids or arxiv.org URLs."""
    for value in values:
        text = scalar_text(value)
        found = _ARXIV_PLAIN.match(text) or _ARXIV_URL.search(text)
        if found:
            return found.group(1)
    return ""


# --------------------------------------------------------------------------- columns
@functools.lru_cache(maxsize=4096)
def known_column(name: str) -> tuple[str | None, int]:
    """The known field a table column stands for (or None), and its rank among that field's names."""
    key = " ".join(str(name).lower().replace("_", " ").replace("-", " ").split())
    return _ALIAS_RANK.get(key, (None, 0))


def extra_name(name: str, position: int = 0) -> str:
    """The column name an extra input column gets in the ``papers`` table."""
    name = clean_text(str(name))
    if not name:
        return f"unnamed_{position}"
    return f"input_{name}" if name.lower() in _RESERVED else name


def split_fields(record: dict) -> tuple[dict, dict]:
    """Split a table row or JSON record into known fields (by :data:`ALIASES`) and extra columns."""
    best: dict[str, tuple[int, str]] = {}
    for name in record:
        canon, rank = known_column(name)
        if canon and (canon not in best or rank < best[canon][0]):
            best[canon] = (rank, name)
    chosen = {name: canon for canon, (_, name) in best.items()}
    fields, extras = {}, {}
    for i, (name, value) in enumerate(record.items()):
        if name in chosen:
            fields[chosen[name]] = value
        else:
            extras[extra_name(name, i)] = value
    return fields, extras


# --------------------------------------------------------------------------- rows
def make_paper(fields: dict, extras: dict, fmt: str, source: str, record,
               on_skip: SkipHandler, on_note: NoteHandler) -> dict | None:
    """Turn the known ``fields`` (raw values) and ``extras`` of one record into a papers row.

    The row has the :data:`PAPER_COLUMNS` (``year`` an int or None) and the extra
    columns as text, and one more key, ``"_id_from"``: ``"id"``, ``"doi"``, ``"arxiv"`` or
    ``"title"``, what its ``paper_id`` was taken from. None when the record has no title
    and no abstract (after ``on_skip``).
    """
    title = prose(fields.get("title"))
    abstract = clean_abstract(prose(fields.get("abstract")))
    if not title and not abstract:
        on_skip(record, "record has no title and no abstract")
        return None
    limit = _text.MAX_PARSE_CHARS
    for name, value in (("title", title), ("abstract", abstract)):
        length = _text.parsed_length(value)
        if length > limit:  # kept whole here; the parse takes its beginning
            on_note(record, f"the {name} is {length:,} characters long; concepts come from its first "
                            f"{limit:,} only")
    year = year_of(fields.get("year"))
    if isinstance(year, str):
        on_note(record, f"year {year[:40]!r} is not a number; left empty")
        year = None
    elif year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        on_note(record, f"year {year} is outside {FIRST_YEAR}-{LAST_YEAR}; left empty")
        year = None
    doi = doi_of(fields.get("doi"))
    url = scalar_text(fields.get("url"))
    paper_id, id_from = scalar_text(fields.get("id")), "id"
    if not paper_id:
        arxiv = arxiv_of(fields.get("arxiv"), url)
        if doi.startswith("10."):
            paper_id, id_from = doi, "doi"
        elif arxiv:
            paper_id, id_from = arxiv, "arxiv"
        else:
            paper_id, id_from = title_hash(title or abstract), "title"
    row = {"paper_id": paper_id, "title": title, "abstract": abstract, "year": year,
           "authors": authors_text(fields.get("authors")), "venue": prose(fields.get("venue")), "doi": doi,
           "url": url, "keywords": keywords_text(fields.get("keywords")),
           "references": references_text(fields.get("references")), "format": fmt, "source": source}
    for name, value in extras.items():
        row[name] = scalar_text(value)
    row["_id_from"] = id_from
    return row
