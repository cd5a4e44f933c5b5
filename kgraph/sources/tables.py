"""CSV and TSV: Scopus, IEEE Xplore, Web of Science tab-delimited, and any table whose
header names a title or an abstract column.

The header decides how a table is read:

- Web of Science tab-delimited (``PT``, ``AU``, ``TI``, ``UT``... two-letter field tags
  as column names; bibliometrix writes its tables with them too): read as the plain-text
  Web of Science export is
  (:func:`kgraph.sources.tagged.wos_fields`); its ``ID`` column is Keywords Plus, not an id.
- Scopus (an ``EID`` column, or ``Source title`` and ``Link``) and IEEE Xplore
  (``Document Title`` with ``PDF Link``, ``IEEE Terms`` or ``Publication Title``): their
  column names are among the common names below; only the ``format`` column differs.
- Any other table: columns matched case-insensitively to the known fields
  (:data:`kgraph.sources.fields.ALIASES`: ``Title``/``Document Title``/``Article Title``,
  ``Abstract``, ``Year``/``Publication Year``/``PY``/``date``/``published``, ``Authors``,
  ``Source title``/``Journal``/``Venue``, ``DOI``...); the rest are kept as extra columns.

The delimiter is the most frequent of ``,``, ``;`` and tab in the header line (tab for
``.tsv``). A row with more fields than the header is read when the extra fields are empty
(every Scopus export ends its rows with a comma), and skipped otherwise.
"""
from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from .fields import clean_text, known_column, split_fields
from .files import lines


_WOS_CODES = {"PT", "AU", "AF", "TI", "SO", "DE", "ID", "AB", "CR", "PY", "DI", "UT"}


def _vendor(header: list[str], delimiter: str) -> str:
    names = set(header)
    lower = {h.lower() for h in header}
    if "TI" in names and len(names & _WOS_CODES) >= 4:  # also bibliometrix's tables, whose ID is Keywords Plus
        return "wos-tab"
    if "eid" in lower or {"source title", "link"} <= lower:
        return "scopus"
    if "document title" in lower and lower & {"pdf link", "ieee terms", "publication title"}:
        return "ieee"
    return "tsv" if delimiter == "\t" else "csv"


def read_table(path: Path, on_skip, on_note, delimiter: str | None = None) -> Iterator[tuple]:
    """Yield ``(record, fields, extras, format)`` for each row of a CSV/TSV file; the record
    is the line the row starts on."""
    from .tagged import WOS_TAGS, wos_fields

    if csv.field_size_limit() < 2**31 - 1:  # the default 128 kB would reject long abstracts
        csv.field_size_limit(2**31 - 1)
    stream = lines(path, on_note)
    header_line = next(((n, t) for n, t in stream if t.strip()), None)
    if header_line is None:
        return
    if delimiter is None:
        text = header_line[1]
        delimiter = max([",", ";", "\t"], key=text.count) if any(d in text for d in ",;\t") else ","
    start = header_line[0]
    feed = (t + "\n" for _, t in itertools.chain([header_line], stream))
    # strict: a stray quote is reported instead of silently swallowing the following lines
    reader = csv.reader(feed, delimiter=delimiter, strict=True)
    try:
        header = [clean_text(h) for h in next(reader)]
    except csv.Error as e:
        raise InputError(f"malformed CSV header ({e})", file=str(path), record=start) from None
    fmt = _vendor(header, delimiter)
    if fmt != "wos-tab" and not {known_column(h)[0] for h in header} & {"title", "abstract"}:
        raise InputError(f"no 'title' or 'abstract' column (columns: {', '.join(header)[:200]})",
                         file=str(path), record=start)
    names = _unique(header)
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
        if len(row) > len(header) and not any(cell.strip() for cell in row[len(header):]):
            row = row[:len(header)]  # a trailing delimiter (Scopus) or empty cells past the header
        if len(row) != len(header):
            on_skip(number, f"row has {len(row)} fields but the header has {len(header)} "
                            "(an unquoted delimiter or quote?)")
            continue
        record = {name: value for name, value in zip(names, row) if name or value.strip()}
        if fmt == "wos-tab":
            entry = {WOS_TAGS.get(name, name): value for name, value in record.items()}
            yield (number, *wos_fields(entry, split="; "), fmt)
        else:
            yield (number, *split_fields(record), fmt)


def _unique(header: list[str]) -> list[str]:
    seen: set[str] = set()
    names = []
    for i, name in enumerate(header):
        key = name if name not in seen else f"{name}_{i}"
        seen.add(key)
        names.append(key)
    return names
