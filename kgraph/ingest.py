"""Read papers (title + abstract) from JSONL, CSV/TSV, BibTeX, RIS and plain-text files.

The ``papers`` table every later stage works on is made here, once, from one or more
input files::

    papers, report = read_papers(["search.jsonl", "reading-list.bib"])

Rules that hold for every format
--------------------------------
Text hygiene
    Every text value goes through :func:`clean_text`: control characters
    ``[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]``, lone surrogates, the non-characters
    U+FFFE/U+FFFF and stray byte-order marks (U+FEFF) are removed (tab, newline,
    carriage return, vertical tab and form feed become a space), the text is
    NFC-normalised and runs of whitespace collapse to one space. LaTeX is kept as it
    is; a later stage undoes it.
paper_id
    The record's ``id`` (JSONL/CSV) when given; else its DOI (lower case, without
    ``https://doi.org/``); else its arXiv id (from an ``arxiv_id`` column, a BibTeX
    ``eprint`` field or an arxiv.org URL, without version, e.g. ``2101.00001``); else
    the first 12 hex digits of the SHA-1 of :func:`title_key` of the title (of the
    abstract when there is no title). BibTeX keys and RIS ``ID`` tags are *not* used:
    reference managers regenerate them (``smith2020a`` becomes ``smith2020b`` after
    another export), so they are kept as the extra columns ``bibtex_key``/``ris_id``.
Duplicates
    Two records are the same paper when they have the same ``paper_id`` or the same
    :func:`title_key` of a non-empty title. The first copy wins; its empty fields are
    filled from later copies; every merge is counted in :attr:`IngestReport.merged`.
Bad records
    A record that cannot be used (invalid JSON, a CSV row with the wrong number of
    fields, a broken BibTeX entry, an RIS record without ``ER``, no title and no
    abstract) is skipped with a reason in :attr:`IngestReport.skipped`, or, with
    ``strict=True``, stops the read with an :class:`~kgraph.errors.InputError`.
    A problem with the whole file (missing, empty, unknown format, not UTF-8, no
    title/abstract column) always raises an :class:`~kgraph.errors.InputError` naming
    the file and line. ``records == papers + merged + len(skipped)`` always.
    A title or abstract longer than :data:`kgraph.text.MAX_PARSE_CHARS` (100,000
    characters: a whole book pasted in) once its markup is undone is kept whole,
    with a note: only its beginning is parsed.
Record numbers
    ``source`` is ``"<file name>:<record>"`` where the record is the line on which the
    record starts (JSONL line, CSV row, BibTeX ``@entry``, RIS ``TY`` tag, txt title).

Formats (from the extension; ``fmt=`` overrides; a ``.gz`` suffix is decompressed)
    ``jsonl`` (``.jsonl``, ``.ndjson``): one JSON object a line; blank lines are ignored.
    ``csv`` (``.csv``; the delimiter is the most frequent of ``,`` ``;`` and tab in the
    header line) and ``tsv`` (``.tsv``, tab). For JSONL and CSV the known columns are
    matched case-insensitively: ``id``/``paper_id``, ``title``, ``abstract``/``summary``,
    ``year``, ``authors``/``author`` (a list or a string), ``doi``, ``url``/``link``,
    ``arxiv_id``; every other column is kept as an extra text column (a name that
    clashes with a ``papers`` column gets the prefix ``input_``).
    ``bib`` (``.bib``, ``.bibtex``; parsed with bibtexparser v2): ``title``,
    ``abstract``, ``year`` (else the year in ``date``), ``author`` (``and``-separated
    names become ``"; "``-joined), ``doi``, ``url``, ``eprint``.
    ``ris`` (``.ris``; tags mapped by rispy): ``TI``/``T1``, ``AB``/``N2``,
    ``AU``/``A1``, ``PY``/``Y1``/``DA``, ``DO``, ``UR``.
    ``txt``: the "page dump" format of the built-in corpus, see :func:`iter_records`.

A year is an integer 1000–2999 (the first such number found in the value, so
``"2021a"`` and ``"March 2021"`` give 2021); anything else leaves the year missing and
adds a note to the report.
"""
from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import json
import logging
import math
import re
import statistics
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from .config import builtin_corpus_path  # the one home of the bundled corpus's path
from .errors import InputError
from . import text as _text

__all__ = [
    "read_papers",
    "iter_records",
    "IngestReport",
    "builtin_corpus_path",
    "clean_text",
    "title_key",
    "detect_format",
    "PAPER_COLUMNS",
    "FORMATS",
]

#: The contract columns of the ``papers`` table, in order; extra input columns follow.
PAPER_COLUMNS = ["paper_id", "title", "abstract", "year", "authors", "doi", "url", "source"]

#: Input formats and the file extensions that select them.
FORMATS = {
    "jsonl": (".jsonl", ".ndjson"),
    "csv": (".csv",),
    "tsv": (".tsv", ".tab"),
    "bib": (".bib", ".bibtex"),
    "ris": (".ris",),
    "txt": (".txt",),
}
_FORMAT_ALIASES = {"json": "jsonl", "ndjson": "jsonl", "bibtex": "bib", "text": "txt"}
_EXTENSIONS = {ext: fmt for fmt, exts in FORMATS.items() for ext in exts}

# Known JSONL/CSV columns, matched case-insensitively.
_ALIASES = {
    "id": "id", "paper_id": "id",
    "title": "title",
    "abstract": "abstract", "summary": "abstract",
    "year": "year",
    "authors": "authors", "author": "authors",
    "doi": "doi",
    "url": "url", "link": "url",
    "arxiv_id": "arxiv",
}
_JSON = json.JSONDecoder(strict=False,  # raw tabs/control characters inside strings are cleaned later
                         parse_float=str)  # as written: the arXiv id 1706.03760 is not the float 1706.0376
_RESERVED = {c.lower() for c in PAPER_COLUMNS} | {"community", "degree", "pagerank", "betweenness"}

# One str.translate does the character-level hygiene: line breaks become spaces, the other
# control characters, lone surrogates, U+FEFF, U+FFFE and U+FFFF go.
_HYGIENE = {c: " " for c in (0x09, 0x0A, 0x0B, 0x0C, 0x0D)}
_HYGIENE.update({c: None for c in [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F,
                                   *range(0xD800, 0xE000), 0xFEFF, 0xFFFE, 0xFFFF]})
_YEAR = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ARXIV_ID = r"(\d{4}\.\d{4,5}|[a-z][a-z.\-]*(?:\.[A-Z]{2})?/\d{7})"
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/" + _ARXIV_ID + r"(?:v\d+)?", re.IGNORECASE)
_ARXIV_PLAIN = re.compile(r"^(?:arxiv:)?" + _ARXIV_ID + r"(?:v\d+)?$", re.IGNORECASE)

SkipHandler = Callable[[int, str], None]
NoteHandler = Callable[[int | None, str], None]


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
    """A str.translate table deleting every Unicode punctuation character (category P*).

    Filled in as characters are met (a character's category is looked up once), so
    the first title does not pay for the 1.1 million code points of the whole table
    (about 0.2 s).
    """

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code))[0] == "P" else code
        self[code] = kept
        return kept


_PUNCTUATION = _Punctuation()


def title_key(title: str) -> str:
    """The key under which two titles count as the same paper.

    NFKC-normalised, case-folded, punctuation (Unicode category P*) removed,
    whitespace collapsed.

    Examples
    --------
    >>> title_key("Boltzmann  Generators: Sampling Equilibrium States!")
    'boltzmann generators sampling equilibrium states'
    """
    return " ".join(unicodedata.normalize("NFKC", title).casefold().translate(_PUNCTUATION).split())


def _title_hash(text: str) -> str:
    return hashlib.sha1(title_key(text).encode("utf-8")).hexdigest()[:12]


def _scalar_text(value) -> str:
    """A JSON/CSV value as text ("" for missing)."""
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
        return "; ".join(t for t in (_scalar_text(v) for v in value) if t)
    return clean_text(json.dumps(value, ensure_ascii=False))


def _prose(value) -> str:
    """Title/abstract text: a list of pieces (paragraphs) is joined with spaces."""
    if isinstance(value, (list, tuple)):
        return clean_text(" ".join(_scalar_text(v) for v in value))
    return _scalar_text(value)


def _author_name(value) -> str:
    if isinstance(value, dict):
        if value.get("name"):
            return _scalar_text(value["name"])
        family = value.get("family") or value.get("last") or value.get("lastname") or ""
        given = value.get("given") or value.get("first") or value.get("firstname") or ""
        return ", ".join(t for t in (_scalar_text(family), _scalar_text(given)) if t)
    if isinstance(value, (list, tuple)):  # e.g. arXiv's authors_parsed ["Last", "First", ""]
        return ", ".join(t for t in (_scalar_text(v) for v in value) if t)
    return _scalar_text(value)


def _authors(value) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(t for t in (_author_name(v) for v in value) if t)
    return _author_name(value)


def _year(value) -> int | None | str:
    """An int year, None when missing, or the unreadable text."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1000 <= value <= 2999 else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() and 1000 <= value <= 2999 else str(value)
    text = _scalar_text(value)
    if not text:
        return None
    found = _YEAR.search(text)
    return int(found.group(1)) if found else text


def _doi(value) -> str:
    return _DOI_PREFIX.sub("", _scalar_text(value)).strip().lower()


def _arxiv_id(*values) -> str:
    for value in values:
        text = _scalar_text(value)
        found = _ARXIV_PLAIN.match(text) or _ARXIV_URL.search(text)
        if found:
            return found.group(1)
    return ""


def _make_paper(fields: dict, extras: dict, source: str, record: int,
                on_skip: SkipHandler, on_note: NoteHandler) -> dict | None:
    """Turn the canonical ``fields`` (raw values) of one record into a papers row."""
    title = _prose(fields.get("title"))
    abstract = _prose(fields.get("abstract"))
    if not title and not abstract:
        on_skip(record, "record has no title and no abstract")
        return None
    limit = _text.MAX_PARSE_CHARS
    for name, text in (("title", title), ("abstract", abstract)):
        length = _text.parsed_length(text)
        if length > limit:  # kept whole here; the parse takes its beginning
            on_note(record, f"the {name} is {length:,} characters long; concepts come from its first "
                            f"{limit:,} only")
    year = _year(fields.get("year"))
    if isinstance(year, str):
        on_note(record, f"year {year[:40]!r} is not a number; left empty")
        year = None
    doi = _doi(fields.get("doi"))
    url = _scalar_text(fields.get("url"))
    paper_id = _scalar_text(fields.get("id"))
    if not paper_id:
        paper_id = (doi if doi.startswith("10.") else "") or _arxiv_id(fields.get("arxiv"), url) \
            or _title_hash(title or abstract)
    row = {"paper_id": paper_id, "title": title, "abstract": abstract, "year": year,
           "authors": _authors(fields.get("authors")), "doi": doi, "url": url, "source": source}
    for name, value in extras.items():
        row[name] = _scalar_text(value)
    return row


def _split_fields(record: dict) -> tuple[dict, dict]:
    """Split a JSONL/CSV record into known fields (by alias) and extra columns."""
    fields, extras = {}, {}
    for i, (name, value) in enumerate(record.items()):
        name, canon = _column(name)
        if canon and canon not in fields:
            fields[canon] = value
        else:
            extras[_extra_name(name, i)] = value
    return fields, extras


@functools.lru_cache(maxsize=4096)
def _column(name) -> tuple[str, str | None]:
    """A column name, cleaned, and the known field it stands for (or None)."""
    name = clean_text(str(name))
    return name, _ALIASES.get(name.lower())


def _extra_name(name: str, position: int) -> str:
    if not name:
        return f"unnamed_{position}"
    return f"input_{name}" if name.lower() in _RESERVED or name.lower() in _ALIASES else name


# --------------------------------------------------------------------------- files
def detect_format(path: str | Path, fmt: str | None = None) -> str:
    """The input format of ``path``: ``fmt`` when given, else from the extension.

    Raises
    ------
    InputError
        For an unknown ``fmt`` or extension.

    Examples
    --------
    >>> detect_format("papers.NDJSON"), detect_format("refs.bib.gz"), detect_format("x.dat", "csv")
    ('jsonl', 'bib', 'csv')
    """
    if fmt is not None:
        name = _FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
        if name not in FORMATS:
            raise InputError(f"unknown input format {fmt!r} (choose from {', '.join(FORMATS)})")
        return name
    path = Path(path)
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    ext = suffixes[-1] if suffixes else ""
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    known = ", ".join(_EXTENSIONS)
    what = f"extension {ext!r}" if ext else "no extension"
    raise InputError(f"unknown input format ({what}); use one of {known}, or choose the format "
                     "explicitly (--format)", file=str(path))


def _open(path: Path):
    try:
        if path.is_dir():
            raise InputError("is a folder, not a file", file=str(path))
        if path.suffix.lower() == ".gz":
            return gzip.open(path, "rb")
        return open(path, "rb")
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except OSError as e:
        raise InputError(f"cannot read the file ({e.strerror or e})", file=str(path)) from None


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Decoded lines (line number from 1, text without the line ending), streamed."""
    with _open(path) as handle:
        try:
            for number, raw in enumerate(handle, start=1):
                if number == 1:
                    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                        raise InputError("the file is UTF-16 encoded; save it as UTF-8", file=str(path), record=1)
                    if raw.startswith(b"\xef\xbb\xbf"):
                        raw = raw[3:]
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as e:
                    raise InputError(f"not valid UTF-8 (byte 0x{raw[e.start]:02x} at column {e.start + 1}); "
                                     "save the file as UTF-8", file=str(path), record=number) from None
                yield number, text.rstrip("\r\n")
        except (OSError, EOFError, zlib.error) as e:  # e.g. a corrupt .gz
            raise InputError(f"cannot read the file ({e})", file=str(path)) from None


def _file_text(path: Path) -> str:
    return "\n".join(text for _, text in _lines(path))


# --------------------------------------------------------------------------- formats
def _jsonl(path: Path, on_skip: SkipHandler) -> Iterator[tuple[int, dict, dict]]:
    first = True
    for number, text in _lines(path):
        if not text.strip():
            continue
        try:
            value = _JSON.decode(text)
        except json.JSONDecodeError as e:
            if first and text.lstrip().startswith("["):
                raise InputError("this looks like one JSON array, not JSON Lines (one object a line)",
                                 file=str(path), record=number) from None
            why = f"invalid JSON ({e.msg.removesuffix(' at')} at column {e.colno})"
            if re.fullmatch(r"0\d", text[max(e.pos - 1, 0):e.pos + 1]):  # {"id": 0712.3825}
                number_text = re.match(r"[\d.]+", text[e.pos - 1:]).group()
                why += f"; a JSON number cannot start with 0: quote it (\"{number_text}\")"
            on_skip(number, why)
            continue
        finally:
            first = False
        if not isinstance(value, dict):
            on_skip(number, f"JSON value is {type(value).__name__ if value is not None else 'null'}, not an object")
            continue
        yield (number, *_split_fields(value))


def _csv(path: Path, on_skip: SkipHandler, delimiter: str | None) -> Iterator[tuple[int, dict, dict]]:
    if csv.field_size_limit() < 2**31 - 1:  # the default 128 kB would reject long abstracts
        csv.field_size_limit(2**31 - 1)
    lines = _lines(path)
    header_line = next(((n, t) for n, t in lines if t.strip()), None)
    if header_line is None:
        return
    if delimiter is None:
        delimiter = max([",", ";", "\t"], key=header_line[1].count) if any(
            d in header_line[1] for d in ",;\t") else ","
    start = header_line[0]
    feed = (t + "\n" for _, t in _chain([header_line], lines))
    # strict: a stray quote is reported instead of silently swallowing the following lines
    reader = csv.reader(feed, delimiter=delimiter, strict=True)
    try:
        header = [clean_text(h) for h in next(reader)]
    except csv.Error as e:
        raise InputError(f"malformed CSV header ({e})", file=str(path), record=start) from None
    known = [_column(h)[1] for h in header]
    if "title" not in known and "abstract" not in known:
        raise InputError(f"no 'title' or 'abstract' column (columns: {', '.join(header)[:200]})",
                         file=str(path), record=start)
    line = start + reader.line_num - 1
    while True:
        number = line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            line = start + reader.line_num - 1
            if "end of data" in str(e):
                raise InputError(f"a quoted field in the row starting here is never closed ({e})",
                                 file=str(path), record=number) from None
            on_skip(number, f"malformed CSV row ({e})")
            continue
        line = start + reader.line_num - 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            on_skip(number, f"row has {len(row)} fields but the header has {len(header)} "
                            "(an unquoted delimiter or quote?)")
            continue
        yield (number, *_split_fields(dict(_unique_columns(header, row))))


def _unique_columns(header: list[str], row: list[str]) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for i, (name, value) in enumerate(zip(header, row)):
        key = name if name not in seen else f"{name}_{i}"
        seen.add(key)
        yield key, value


def _chain(*iterables):
    for iterable in iterables:
        yield from iterable


@contextmanager
def _quiet(logger_name: str):
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _unwrap(value: str) -> str:
    """Remove one level of enclosing ``{...}`` or ``"..."`` from a raw BibTeX value."""
    value = value.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    if len(value) >= 2 and value[0] == "{" and value[-1] == "}":
        depth = 0
        for i, ch in enumerate(value):
            depth += (ch == "{") - (ch == "}")
            if depth == 0 and i < len(value) - 1:
                return value  # "{a} # {b}" is not one group
        return value[1:-1]
    return value


def _bibtex_names(value: str) -> list[str]:
    """Split a BibTeX name list on ``and`` outside braces."""
    names, depth, start = [], 0, 0
    for found in re.finditer(r"[{}]|\s+and\s+", value, flags=re.IGNORECASE):
        token = found.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            names.append(value[start:found.start()])
            start = found.end()
    names.append(value[start:])
    return [n.strip() for n in names if n.strip()]


def _bib(path: Path, on_skip: SkipHandler) -> Iterator[tuple[int, dict, dict]]:
    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

    text = _file_text(path)
    with _quiet("bibtexparser"):
        library = bibtexparser.parse_string(text, parse_stack=[])
    for block in library.blocks:
        number = block.start_line + 1
        if isinstance(block, DuplicateBlockKeyBlock):  # a repeated key is still a record
            block = block.ignore_error_block
        if isinstance(block, ParsingFailedBlock):
            reason = getattr(block.error, "abort_reason", "") or str(block.error) or "unreadable entry"
            on_skip(number, "BibTeX entry cannot be parsed (unbalanced braces or quotes?): "
                    + clean_text(reason)[:160])
            continue
        if not isinstance(block, Entry):
            continue  # @comment, @string, @preamble, text between entries
        values = {key.lower(): _unwrap(str(f.value)) for key, f in block.fields_dict.items()}
        fields = {
            "title": values.pop("title", None),
            "abstract": values.pop("abstract", None),
            "year": values.pop("year", None) or values.get("date"),
            "authors": _bibtex_names(values.pop("author", "")),
            "doi": values.pop("doi", None),
            "url": values.pop("url", None),
        }
        eprint = values.get("eprint", "")
        if eprint and values.get("archiveprefix", "arxiv").lower() == "arxiv":
            fields["arxiv"] = eprint
        extras = {"entry_type": block.entry_type.lower(), "bibtex_key": block.key}
        extras.update({_extra_name(k, 0): v for k, v in values.items()})
        yield number, fields, extras


_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: |$)")
_RIS_FIELDS = {
    "title": ("title", "primary_title"),
    "abstract": ("abstract", "notes_abstract"),
    "authors": ("authors", "first_authors"),
    "year": ("year", "publication_year", "date"),
    "doi": ("doi",),
    "url": ("urls", "url"),
}


def _ris(path: Path, on_skip: SkipHandler) -> Iterator[tuple[int, dict, dict]]:
    import rispy

    def parse(start: int, chunk: list[str]):
        try:
            entries = rispy.loads("\n".join(chunk))
        except Exception as e:  # rispy raises plain IOError/ValueError on bad tags
            on_skip(start, f"RIS record cannot be parsed ({clean_text(str(e))[:160]})")
            return None
        if not entries:
            on_skip(start, "RIS record cannot be parsed")
            return None
        entry = dict(entries[0])
        fields = {}
        for name, keys in _RIS_FIELDS.items():
            for key in keys:
                value = entry.pop(key, None)
                if value and name not in fields:
                    fields[name] = value[0] if name == "url" and isinstance(value, list) else value
        extras = {}
        if "id" in entry:
            extras["ris_id"] = entry.pop("id")
        unknown = entry.pop("unknown_tag", None) or {}
        extras.update({_extra_name(k, 0): v for k, v in entry.items()})
        extras.update({f"ris_{tag}": v for tag, v in unknown.items()})
        return start, fields, extras

    start, chunk = None, []
    for number, text in _lines(path):
        tag = _RIS_TAG.match(text)
        if tag and tag.group(1) == "TY":
            if start is not None:
                on_skip(start, f"RIS record has no 'ER' end tag before the next record (line {number})")
            start, chunk = number, [text]
        elif start is None:
            continue  # text outside a record
        elif tag and tag.group(1) == "ER":
            chunk.append("ER  - ")
            parsed = parse(start, chunk)
            if parsed:
                yield parsed
            start, chunk = None, []
        else:
            chunk.append(text)
    if start is not None:
        on_skip(start, "RIS record has no 'ER' end tag (the file ends inside it)")


_GLUED = re.compile(r"^([A-Z][a-z]{2,})([A-Z][a-z]*)")


def _glued_prefix(first_title: str, others: Iterable[str]) -> str:
    """The page-chrome word glued to the first title, or ""; see :func:`iter_records`."""
    found = _GLUED.match(first_title)
    if not found:
        return ""
    prefix, glued = found.group(1), found.group(1) + found.group(2)
    word = re.compile(r"\b" + re.escape(prefix) + r"\b")
    for text in others:
        if glued in text or word.search(text):
            return ""
    return prefix


def _txt(path: Path, on_note: NoteHandler) -> Iterator[tuple[int, dict, dict]]:
    lines = [(n, clean_text(t)) for n, t in _lines(path)]
    lines = [(n, t) for n, t in lines if t]
    lengths = [len(t) for _, t in lines]

    def pairs_from(start: int):
        return [(lengths[i], lengths[i + 1]) for i in range(start, len(lines) - 1, 2)]

    # Parity: titles sit at even or odd positions; the right one makes abstracts longer than titles.
    votes = [sum(a > t for t, a in pairs_from(p)) / max(len(pairs_from(p)), 1) for p in (0, 1)]
    parity = 1 if votes[1] > votes[0] else 0
    abstracts = [a for _, a in pairs_from(parity)]
    typical = statistics.median(abstracts) if abstracts else 0
    first = parity
    while first + 1 < len(lines):
        title_len, abstract_len = lengths[first], lengths[first + 1]
        if abstract_len > title_len and abstract_len >= typical / 4:
            break
        first += 2
    else:
        first = parity
    if first:
        on_note(None, f"ignored {first} header line(s) before the first title: "
                + " | ".join(t for _, t in lines[:first])[:120])
    if first < len(lines):
        number, title = lines[first]
        prefix = _glued_prefix(title, (t for _, t in lines[first + 1:]))  # the header may repeat it
        if prefix:
            lines[first] = (number, title[len(prefix):])
            on_note(None, f"line {number}: removed {prefix!r} glued to the first title")
    for i in range(first, len(lines), 2):
        number, title = lines[i]
        abstract = lines[i + 1][1] if i + 1 < len(lines) else ""
        yield number, {"title": title, "abstract": abstract}, {}


def iter_records(path: str | Path, fmt: str | None = None, *, on_skip: SkipHandler | None = None,
                 on_note: NoteHandler | None = None) -> Iterator[tuple[int, dict]]:
    """Stream the papers of one file as ``(record, row)`` pairs.

    ``row`` is a dict with the ``papers`` columns (``year`` an int or None) plus any
    extra columns. Rows are produced one at a time, so a large JSONL or CSV file is
    never held in memory as a whole (BibTeX, RIS records and txt lines are).
    Duplicates are *not* merged here (:func:`read_papers` does that).

    The ``txt`` format is a page dump: one title line then one abstract line per paper;
    blank lines are ignored. Leading header lines are recognised as the lines before
    the first (title, abstract) pair, where titles sit at the even or odd positions
    that make most abstracts longer than their titles, and the first pair is the first
    whose abstract is longer than its title and at least a quarter of the median
    abstract length. Page dumps also glue the last header element (a button label) to
    the first title with no space: when the first title starts with a capitalised word
    of three or more letters written together with the next capitalised word
    (``XxxYyy...``) and neither the glued pair ``XxxY`` nor the word ``Xxx`` occurs in
    the papers' text after it (header lines do not count), ``Xxx`` is removed: a real
    name such as "AlphaFold" is repeated in its abstract, page chrome is not. A final
    title with no abstract line gets the abstract "".

    Parameters
    ----------
    path : str or Path
        The file.
    fmt : str, optional
        ``jsonl``, ``csv``, ``tsv``, ``bib``, ``ris`` or ``txt``; default from the extension.
    on_skip : callable, optional
        ``on_skip(record, reason)`` for a record that cannot be used; default raises
        :class:`~kgraph.errors.InputError`.
    on_note : callable, optional
        ``on_note(record_or_None, message)`` for things worth telling the user (header
        lines ignored, a year that is not a number); default ignores them.

    Raises
    ------
    InputError
        When the file cannot be read at all, naming the file and line.

    Examples
    --------
    >>> rows = list(iter_records(builtin_corpus_path()))
    >>> len(rows), rows[0][0], rows[0][1]["source"]
    (184, 3, 'trending_papers.txt:3')
    """
    path = Path(path)
    name = detect_format(path, fmt)

    def raise_skip(record: int, reason: str) -> None:
        raise InputError(reason, file=str(path), record=record)

    skip = on_skip or raise_skip
    seen = 0  # records, including those skipped

    def counted_skip(record: int, reason: str) -> None:
        nonlocal seen
        seen += 1
        skip(record, reason)

    on_note = on_note or (lambda record, message: None)
    if name == "jsonl":
        raw = _jsonl(path, counted_skip)
    elif name in ("csv", "tsv"):
        raw = _csv(path, counted_skip, "\t" if name == "tsv" else None)
    elif name == "bib":
        raw = _bib(path, counted_skip)
    elif name == "ris":
        raw = _ris(path, counted_skip)
    else:
        raw = _txt(path, on_note)
    for record, fields, extras in raw:
        seen += 1
        row = _make_paper(fields, extras, f"{path.name}:{record}", record, skip,
                          lambda _r, message, record=record: on_note(record, message))
        if row is not None:
            yield record, row
    if not seen:
        _check_not_empty(path, name)


def _check_not_empty(path: Path, name: str) -> None:
    """Raise the right error for a file that produced no records at all."""
    has_text = any(t.strip() for _, t in _lines(path))
    if not has_text:
        raise InputError("the file is empty", file=str(path))
    problem = {"jsonl": "no JSON records found", "csv": "no rows found after the header",
               "tsv": "no rows found after the header", "bib": "no BibTeX entries (@article{...}) found",
               "ris": "no RIS records found (a 'TY  - ' line starts one)", "txt": "no title lines found"}[name]
    raise InputError(problem, file=str(path))


# --------------------------------------------------------------------------- report
@dataclass
class IngestReport:
    """What :func:`read_papers` read, kept, merged and skipped.

    ``records == papers + merged + len(skipped)`` always holds.

    Attributes
    ----------
    records : int
        Records seen in all files (blank lines, comments and header lines are not records).
    papers : int
        Rows in the returned ``papers`` table.
    merged : int
        Records merged into an earlier copy of the same paper.
    skipped : list of (file, record, reason)
        Records that could not be used.
    files : list of str
        The files read, in order.
    notes : list of str
        Other things worth knowing (header lines ignored, unreadable years, merges).
    """

    records: int = 0
    papers: int = 0
    merged: int = 0
    skipped: list[tuple[str, int, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (``skipped`` as a list of ``{file, record, reason}``)."""
        out = asdict(self)
        out["skipped"] = [{"file": f, "record": r, "reason": why} for f, r, why in self.skipped]
        return out


def _fill_empty(kept: dict, later: dict) -> None:
    for name, value in later.items():
        if name not in ("paper_id", "source") and value not in ("", None) and kept.get(name) in ("", None):
            kept[name] = value


def read_papers(sources: str | Path | Iterable[str | Path] | None = None, fmt: str | None = None,
                strict: bool = False, warn: Callable[[str], None] | None = None,
                ) -> tuple[pd.DataFrame, IngestReport]:
    """Read papers from files into the ``papers`` table.

    Parameters
    ----------
    sources : path or list of paths, optional
        Input files (formats from their extensions). None or empty: the built-in
        corpus (:func:`builtin_corpus_path`).
    fmt : str, optional
        Read every file as this format (``jsonl``, ``csv``, ``tsv``, ``bib``, ``ris``, ``txt``).
    strict : bool
        Raise :class:`~kgraph.errors.InputError` for the first record that would be skipped.
    warn : callable, optional
        ``warn(message)`` is called with one line for each skipped record, each note
        about a value (an unreadable year) and once with a summary of merged
        duplicates. Default: say nothing; everything is in the report.

    Returns
    -------
    papers : pandas.DataFrame
        Columns ``paper_id, title, abstract, year (Int64), authors, doi, url, source``
        then the extra input columns (text, "" where a file lacks them); ``paper_id``
        is unique.
    report : IngestReport

    Raises
    ------
    InputError
        A file cannot be read (missing, empty, unknown format, not UTF-8, no title or
        abstract column, ...), a record is bad and ``strict`` is set, or no paper at
        all could be read.

    Examples
    --------
    >>> papers, report = read_papers()
    >>> len(papers), report.records, report.skipped
    (184, 184, [])
    >>> papers.columns[:8].tolist()
    ['paper_id', 'title', 'abstract', 'year', 'authors', 'doi', 'url', 'source']
    """
    if sources is None:
        paths = [builtin_corpus_path()]
    elif isinstance(sources, (str, Path)):
        paths = [Path(sources)]
    else:
        paths = [Path(p) for p in sources] or [builtin_corpus_path()]
    if fmt is not None:
        detect_format("", fmt)  # a bad fmt fails before any file is opened
    say = warn or (lambda message: None)
    report = IngestReport(files=[str(p) for p in paths])
    rows: list[dict] = []
    by_id: dict[str, int] = {}
    by_title: dict[str, int] = {}
    merges: list[str] = []

    for path in paths:
        def skip(record: int, reason: str, path=path) -> None:
            if strict:
                raise InputError(reason, file=str(path), record=record)
            report.records += 1
            report.skipped.append((str(path), record, reason))
            say(f"{path}:{record}: {reason} (record skipped)")

        def note(record: int | None, message: str, path=path) -> None:
            where = f"{path}:{record}" if record is not None else str(path)
            report.notes.append(f"{where}: {message}")
            if record is not None:
                say(f"{where}: {message}")

        for _, row in iter_records(path, fmt, on_skip=skip, on_note=note):
            report.records += 1
            key = title_key(row["title"]) if row["title"] else ""
            index = by_id.get(row["paper_id"])
            if index is None and key:
                index = by_title.get(key)
            if index is not None:
                kept = rows[index]
                _fill_empty(kept, row)
                report.merged += 1
                merges.append(f"{row['source']} into {kept['paper_id']!r} ({kept['source']})")
            else:
                index = len(rows)
                rows.append(row)
            by_id.setdefault(row["paper_id"], index)
            if key:
                by_title.setdefault(key, index)

    if merges:
        shown = "; ".join(merges[:5]) + (f"; and {len(merges) - 5} more" if len(merges) > 5 else "")
        message = f"merged {len(merges)} duplicate record(s) (same id or same title): {shown}"
        report.notes.append(message)
        say(message)
    report.papers = len(rows)
    if not rows:
        where = paths[0] if len(paths) == 1 else None
        raise InputError(f"no paper could be read ({len(report.skipped)} record(s) skipped"
                         + (f"; first: {report.skipped[0][0]}:{report.skipped[0][1]}: {report.skipped[0][2]}"
                            if report.skipped else "") + ")", file=where)
    return _papers_frame(rows), report


def _papers_frame(rows: list[dict]) -> pd.DataFrame:
    extras: dict[str, None] = {}
    for row in rows:
        for name in row:
            if name not in extras:
                extras[name] = None
    columns = PAPER_COLUMNS + [c for c in extras if c not in PAPER_COLUMNS]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    frame["year"] = pd.array([r["year"] for r in rows], dtype="Int64")
    text_columns = [c for c in columns if c != "year"]
    frame[text_columns] = frame[text_columns].fillna("").astype(str)
    return frame
