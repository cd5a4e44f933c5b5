"""JSON and JSON Lines: OpenAlex, Semantic Scholar, CSL-JSON (Zotero) and plain records.

What a file holds is found from its structure and each record from its keys, so pages,
single records and snapshot lines of any of them can be mixed:

- a page of results is opened: OpenAlex's ``{"meta": ..., "results": [...]}``, Semantic
  Scholar's search and bulk-search ``{"total": ..., "data": [...]}``; a JSON array
  (CSL-JSON, a Semantic Scholar batch response, any list of records) is read item by item;
- **OpenAlex** work (``abstract_inverted_index``, ``authorships`` or an
  ``https://openalex.org/W...`` id): ``title``/``display_name``, the abstract rebuilt from
  ``abstract_inverted_index``, ``publication_year``, ``authorships[].author.display_name``,
  ``primary_location.source.display_name``, ``doi``, ``referenced_works``; its ``paper_id``
  is the work id (``W2741809807``), the form its references take;
- **Semantic Scholar** paper (``paperId``): ``title``, ``abstract``, ``year``,
  ``authors[].name``, ``venue``, ``externalIds.DOI``/``ArXiv``, ``references[].paperId``;
  its ``paper_id`` is the ``paperId``. A ``null`` in a batch response (an id it did not
  find) is skipped with that reason;
- **CSL-JSON** item (Zotero, Better BibTeX; ``issued``, ``container-title`` or
  ``family``/``given`` authors): ``title``, ``abstract``, ``issued.date-parts``, ``author``,
  ``container-title``, ``DOI``, ``URL``, ``keyword``; its ``id`` (a citation key a reference
  manager may regenerate) is kept as ``csl_id``, not used as ``paper_id``;
- any other object: its keys matched like a table's columns
  (:func:`kgraph.sources.fields.split_fields`).

The record number is the line for JSON Lines and ``item N`` (the N-th record in the file)
for JSON. Only plain values (text, numbers, lists of them) of an OpenAlex, Semantic
Scholar or CSL record are kept as extra columns; a plain record keeps everything.
"""
from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from .fields import split_fields
from .files import lines, read_text

_JSON = json.JSONDecoder(strict=False,  # raw tabs/control characters inside strings are cleaned later
                         parse_float=str)  # as written: the arXiv id 1706.03760 is not the float 1706.0376


def _plain(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool)) or (
        isinstance(value, list) and all(isinstance(v, (str, int, float, bool)) for v in value))


def _plain_extras(record: dict, used: set[str]) -> dict:
    return {k: v for k, v in record.items() if k not in used and _plain(v)}


# --------------------------------------------------------------------------- OpenAlex
def _short_openalex(value) -> str:
    text = str(value or "")
    return text.rsplit("/", 1)[-1] if text.startswith("https://openalex.org/") else text


def inverted_abstract(index) -> str:
    """The text an OpenAlex ``abstract_inverted_index`` (``{word: [positions]}``) encodes.

    Examples
    --------
    >>> inverted_abstract({"Graphs": [0], "are": [1], "everywhere.": [2]})
    'Graphs are everywhere.'
    """
    if not index:
        return ""
    placed = sorted((int(p), str(word)) for word, positions in index.items() for p in positions)
    return " ".join(word for _, word in placed)


def _abstract_of(work: dict, note) -> str:
    try:
        return inverted_abstract(work.get("abstract_inverted_index"))
    except (AttributeError, TypeError, ValueError):
        note("its abstract_inverted_index is not {word: [positions]}; abstract left empty")
        return ""


def openalex_fields(work: dict, note=lambda message: None) -> tuple[dict, dict]:
    """Known fields and extra columns of one OpenAlex work; ``note(message)`` for a problem."""
    location = work.get("primary_location") or work.get("host_venue") or {}
    source = location.get("source") or {} if isinstance(location, dict) else {}
    venue = source.get("display_name") if isinstance(source, dict) else None
    authors = [a.get("author") or {"name": a.get("raw_author_name")} for a in work.get("authorships") or []
               if isinstance(a, dict)]
    fields = {
        "id": _short_openalex(work.get("id")),
        "title": work.get("title") or work.get("display_name"),
        "abstract": _abstract_of(work, note),
        "year": work.get("publication_year") or work.get("publication_date"),
        "authors": authors,
        "venue": venue or (location.get("display_name") if isinstance(location, dict) else None),
        "doi": work.get("doi"),
        "url": location.get("landing_page_url") if isinstance(location, dict) else None,
        "references": [_short_openalex(w) for w in work.get("referenced_works") or []],
    }
    used = {"id", "title", "display_name", "abstract_inverted_index", "publication_year", "doi",
            "referenced_works", "related_works"}
    return fields, _plain_extras(work, used)


# --------------------------------------------------------------------------- Semantic Scholar
def _lower_keys(record: dict) -> dict:
    return {str(k).lower(): v for k, v in record.items()}


def _name(value):
    return value.get("name") if isinstance(value, dict) else value


def s2_fields(paper: dict, note=lambda message: None) -> tuple[dict, dict]:
    """Known fields and extra columns of one Semantic Scholar paper (Graph API or datasets)."""
    low = _lower_keys(paper)
    external = _lower_keys(low.get("externalids") or {})
    venue = low.get("venue") or _name(low.get("publicationvenue")) or _name(low.get("journal"))
    fields = {
        "id": low.get("paperid") or low.get("corpusid"),
        "title": low.get("title"),
        "abstract": low.get("abstract"),
        "year": low.get("year") or low.get("publicationdate"),
        "authors": low.get("authors") or [],
        "venue": venue,
        "doi": external.get("doi"),
        "arxiv": external.get("arxiv"),
        "url": low.get("url"),
        "references": [r.get("paperId") or r.get("paperid") for r in low.get("references") or []
                       if isinstance(r, dict) and (r.get("paperId") or r.get("paperid"))],
    }
    used = {"paperId", "corpusId", "corpusid", "title", "abstract", "year", "venue", "url"}
    return fields, _plain_extras(paper, used)


# --------------------------------------------------------------------------- CSL-JSON
def csl_fields(item: dict, note=lambda message: None) -> tuple[dict, dict]:
    """Known fields and extra columns of one CSL-JSON item."""
    container = item.get("container-title")
    fields = {
        "title": item.get("title"),
        "abstract": item.get("abstract"),
        "year": item.get("issued") or item.get("original-date") or item.get("year"),
        "authors": item.get("author") or item.get("editor") or [],
        "venue": container[0] if isinstance(container, list) and container else container,
        "doi": item.get("DOI") or item.get("doi"),
        "url": item.get("URL") or item.get("url"),
        "keywords": item.get("keyword"),
    }
    used = {"id", "title", "abstract", "issued", "author", "container-title", "DOI", "doi", "URL", "url", "keyword"}
    extras = _plain_extras(item, used)
    if item.get("id") not in (None, ""):
        extras = {"csl_id": item["id"], **extras}
    return fields, extras


# --------------------------------------------------------------------------- records
def record_kind(record: dict) -> str:
    """``openalex``, ``s2``, ``csl-json`` or ``json`` (a plain record), from its keys."""
    if "abstract_inverted_index" in record or "authorships" in record or \
            str(record.get("id", "")).startswith("https://openalex.org/W"):
        return "openalex"
    keys = {str(k).lower() for k in record}
    if "paperid" in keys or ("corpusid" in keys and "title" in keys) or "externalids" in keys:
        return "s2"
    authors = record.get("author")
    if "issued" in record or "container-title" in record or (
            isinstance(authors, list) and authors and isinstance(authors[0], dict)
            and ("family" in authors[0] or "literal" in authors[0])):
        return "csl-json"
    return "json"


_READERS = {"openalex": openalex_fields, "s2": s2_fields, "csl-json": csl_fields}


def _records_in(value) -> list:
    """The records a JSON value holds: a list's items, a page's results, or the value itself."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if isinstance(value.get("results"), list):  # OpenAlex
            return value["results"]
        if isinstance(value.get("data"), list) and {"total", "offset", "token", "next"} & set(value):
            return value["data"]  # Semantic Scholar search and bulk search
    return [value]


def _fields(record, number, on_skip, on_note, default_kind: str):
    if record is None:
        on_skip(number, "null record (in a Semantic Scholar batch response: an id it did not find)")
        return None
    if not isinstance(record, dict):
        on_skip(number, f"JSON value is {type(record).__name__}, not an object")
        return None
    kind = record_kind(record)
    if kind == "json":
        return (*split_fields(record), default_kind)
    return (*_READERS[kind](record, lambda message: on_note(number, message)), kind)


def _is_paper(record) -> bool:
    return isinstance(record, dict) and (record_kind(record) != "json" or bool(
        {"title", "abstract"} & set(split_fields(record)[0])))


def read_jsonl(path: Path, on_skip, on_note) -> Iterator[tuple]:
    """Yield ``(record, fields, extras, format)`` for each JSON Lines record (the line number;
    a line holding a page of results gives each of its records that number)."""
    first: list = []  # the first records, held until one of them is a paper

    def records() -> Iterator[tuple]:
        for number, text in lines(path, on_note):
            if not text.strip():
                continue
            try:
                value = _JSON.decode(text)
            except json.JSONDecodeError as e:
                why = f"invalid JSON ({e.msg.removesuffix(' at')} at column {e.colno})"
                if re.fullmatch(r"0\d", text[max(e.pos - 1, 0):e.pos + 1]):  # {"id": 0712.3825}
                    number_text = re.match(r"[\d.]+", text[e.pos - 1:]).group()
                    why += f"; a JSON number cannot start with 0: quote it (\"{number_text}\")"
                on_skip(number, why)
                continue
            if not isinstance(value, dict):
                on_skip(number, f"JSON value is {type(value).__name__ if value is not None else 'null'}, "
                                "not an object")
                continue
            for record in _records_in(value):
                yield number, record

    stream = records()
    for number, record in stream:
        first.append((number, record))
        if _is_paper(record):
            break
        if len(first) == _FIRST:
            _no_papers(path, [r for _, r in first], f"the first {_FIRST} records")
    else:
        if first:
            _no_papers(path, [r for _, r in first], "its records")
    for number, record in itertools.chain(first, stream):
        got = _fields(record, number, on_skip, on_note, "jsonl")
        if got:
            yield (number, *got)


_FIRST = 20  # records that may go by without a paper before a file is taken for something else


def _no_papers(path: Path, records: list, which: str) -> None:
    keys = sorted({str(k) for r in records[:_FIRST] if isinstance(r, dict) for k in r})
    raise InputError(f"no paper records in this JSON ({which}: none is an OpenAlex work, a Semantic Scholar "
                     f"paper, a CSL-JSON item or a record with a title or abstract; keys: "
                     f"{', '.join(keys)[:120] or 'none'})", file=str(path))


def read_json(path: Path, on_skip, on_note) -> Iterator[tuple]:
    """Yield ``(record, fields, extras, format)`` for each record of a JSON file: one value,
    or several one after the other (JSON Lines saved as ``.json``, pages put together)."""
    text = read_text(path, on_note)
    values, position = [], 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position >= len(text):
            break
        try:
            value, position = _JSON.raw_decode(text, position)
        except json.JSONDecodeError as e:
            raise InputError(f"not valid JSON ({e.msg.removesuffix(' at')} at column {e.colno})",
                             file=str(path), record=e.lineno) from None
        values.append(value)
    records = [record for value in values for record in _records_in(value)]
    if records and not any(_is_paper(r) for r in records):
        _no_papers(path, records, "its records")
    for item, record in enumerate(records, start=1):
        got = _fields(record, f"item {item}", on_skip, on_note, "json")
        if got:
            yield (f"item {item}", *got)
