"""Which reader a file needs: from its content, with the extension as a hint.

A file whose content clearly is one format (a Web of Science, MEDLINE or RIS tag
structure, JSON, a BibTeX entry, a table whose header names a title or abstract column)
is read as that format whatever its extension. Otherwise the extension decides, so the
reader for it can say what is wrong (``.csv`` without a title column, ``.bib`` without
an entry). A ``.txt`` that is none of the tagged or tabular formats is kgraph's line
format; any other file that fits nothing is refused in one line that says what was tried.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import InputError
from .fields import known_column
from .files import decode_head, head_bytes

#: The input formats (the reader families ``--format`` chooses between) and the file
#: extensions that suggest them. A file's content decides when it is clear (see
#: :func:`detect_format`); each paper's ``format`` column says more precisely what it was
#: read as (``scopus``, ``ieee``, ``wos-tab``, ``openalex``, ``s2``, ``csl-json``...).
FORMATS = {
    "wos": (".isi", ".ciw"),
    "medline": (".nbib", ".medline"),
    "ris": (".ris",),
    "bib": (".bib", ".bibtex"),
    "csv": (".csv",),
    "tsv": (".tsv", ".tab"),
    "json": (".json",),
    "jsonl": (".jsonl", ".ndjson"),
    "txt": (".txt",),
}
_ALIASES = {"isi": "wos", "ciw": "wos", "webofscience": "wos", "web-of-science": "wos", "pubmed": "medline",
            "nbib": "medline", "bibtex": "bib", "ndjson": "jsonl", "text": "txt", "tab": "tsv"}
_EXTENSIONS = {ext: fmt for fmt, exts in FORMATS.items() for ext in exts}

#: What :func:`detect_format` looks for, in the words of its error message.
TRIED = ("Web of Science, MEDLINE, RIS, BibTeX, JSON (OpenAlex, Semantic Scholar, CSL-JSON, records), "
         "JSON Lines, CSV/TSV with a title or abstract column")

_WOS_HEADER = re.compile(r"FN [^\n]*\n\s*VR ")  # the two lines every Web of Science export starts with
_WOS_PT = re.compile(r"^PT [A-Z]", re.MULTILINE)
_WOS_TAGS = re.compile(r"^(?:AU|AF|TI|SO|AB|PY|UT|DI) \S", re.MULTILINE)
_MEDLINE = re.compile(r"^PMID- ?\d", re.MULTILINE)
_MEDLINE_TAGS = re.compile(r"^(?:TI|AB|FAU|AU|DP|JT|SO)\s*- ", re.MULTILINE)
_RIS = re.compile(r"^TY  - ", re.MULTILINE)
_BIBTEX = re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.MULTILINE)
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffd]")
_BINARY = {b"PK\x03\x04": "a zip archive or an Excel workbook (.xlsx): save the sheet as CSV (UTF-8)",
           b"\xd0\xcf\x11\xe0": "an Excel workbook (.xls) or another Office file: save the sheet as CSV (UTF-8)",
           b"%PDF": "a PDF document: kgraph reads exports of titles and abstracts, not papers",
           b"\x1f\x8b": "gzip-compressed data without a .gz extension: rename it to end in .gz"}


def format_name(fmt: str) -> str:
    """The reader family a ``--format`` value names (``isi`` and ``pubmed`` are accepted too).

    Raises
    ------
    InputError
        For a name that is not one of :data:`FORMATS`.
    """
    name = _ALIASES.get(fmt.lower(), fmt.lower())
    if name not in FORMATS:
        raise InputError(f"unknown input format {fmt!r} (choose from {', '.join(FORMATS)})")
    return name


def extension_format(path: str | Path) -> str | None:
    """The format the extension suggests (``.gz`` looked through), or None.

    Examples
    --------
    >>> extension_format("papers.NDJSON"), extension_format("refs.bib.gz"), extension_format("x.dat")
    ('jsonl', 'bib', None)
    """
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return _EXTENSIONS.get(suffixes[-1]) if suffixes else None


def content_format(head: str) -> str | None:
    """The format the start of a file clearly is, or None."""
    body = head.lstrip()
    if not body:
        return None
    if body[0] in "[{":
        return _json_kind(head)
    if (_WOS_PT.search(head) and _WOS_TAGS.search(head)) or _WOS_HEADER.match(body):
        return "wos"
    if _MEDLINE.search(head) and _MEDLINE_TAGS.search(head):
        return "medline"
    if _RIS.search(head):
        return "ris"
    if _BIBTEX.search(head):
        return "bib"
    return _table_kind(head)


def _json_kind(head: str) -> str | None:
    lines = [line for line in head.splitlines() if line.strip()]
    first = lines[0].strip()
    if first.startswith("{"):
        try:
            json.JSONDecoder(strict=False).decode(first)
        except json.JSONDecodeError:
            return "json"  # an object over several lines
        return "jsonl"
    return "json"


def _table_kind(head: str) -> str | None:
    header = next((line for line in head.splitlines() if line.strip()), "")
    delimiter = max("\t,;", key=header.count)
    if not header.count(delimiter):
        return None
    cells = [c.strip().strip('"').strip() for c in header.split(delimiter)]
    if {"PT", "TI", "UT"} <= set(cells) or any(known_column(c)[0] in ("title", "abstract") for c in cells):
        return "tsv" if delimiter == "\t" else "csv"
    return None


def detect_format(path: str | Path, fmt: str | None = None) -> str:
    """The format ``path`` is read as: ``fmt`` when given, else from its content and extension.

    Parameters
    ----------
    path : str or Path
        The file (read only when ``fmt`` is not given).
    fmt : str, optional
        One of :data:`FORMATS` (or ``isi``, ``pubmed``, ``bibtex``, ``ndjson``).

    Returns
    -------
    str
        One of :data:`FORMATS`.

    Raises
    ------
    InputError
        An unknown ``fmt``; a file that is empty, binary, or fits no format.
    """
    if fmt is not None:
        return format_name(fmt)
    path = Path(path)
    raw = head_bytes(path)
    for magic, what in _BINARY.items():
        if raw.startswith(magic) and not (magic == b"\x1f\x8b" and path.suffix.lower() == ".gz"):
            raise InputError(f"this is {what}", file=str(path))
    head = decode_head(raw)
    if not head.strip():
        raise InputError("the file is empty", file=str(path))
    if len(_NOT_TEXT.findall(head)) > len(head) * 3 // 10:  # a few are cleaned later; many: binary
        raise InputError("this is not a text file (control characters or bytes that are not text; a UTF-16 "
                         "file without a byte-order mark? save it as UTF-8)", file=str(path))
    by_extension = extension_format(path)
    by_content = content_format(head)
    if by_content:
        if by_extension == "tsv" and by_content == "csv":
            return "tsv"  # a .tsv whose header also holds commas
        if by_extension == "json" and by_content == "jsonl":
            return "json"  # one object on one line (the JSON reader reads JSON Lines too)
        if by_extension == "jsonl" and by_content == "json" and not head.lstrip().startswith("["):
            return "jsonl"  # its first line is not a whole object: the JSON Lines reader says so
        return by_content
    if by_extension:
        return by_extension
    ext = "".join(Path(path).suffixes[-2:]) or "no extension"
    raise InputError(f"cannot tell the format of this file ({ext}; tried {TRIED}); "
                     f"choose one with --format ({', '.join(FORMATS)})", file=str(path))
