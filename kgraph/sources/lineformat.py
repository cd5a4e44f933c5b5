"""kgraph's line format (``.txt``): a title line, then an abstract line, for each paper.

It is the "page dump" of the built-in corpus: blank lines are ignored; header lines
before the first (title, abstract) pair are recognised and noted; a button label glued
to the first title is removed (see :func:`read_lines`). A file that is another format
(Web of Science, MEDLINE, RIS, JSON, a table...) is never read as this one, even with
``--format txt``.
"""
from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError
from .fields import clean_text
from .files import decode_head, head_bytes, lines

_NAMES = {"wos": "Web of Science", "medline": "MEDLINE", "ris": "RIS", "bib": "BibTeX", "json": "JSON",
          "jsonl": "JSON Lines", "csv": "CSV", "tsv": "TSV"}
_GLUED = re.compile(r"^([A-Z][a-z]{2,})([A-Z][a-z]*)")


def _glued_prefix(first_title: str, others: Iterable[str]) -> str:
    """The page-chrome word glued to the first title, or ""; see :func:`read_lines`."""
    found = _GLUED.match(first_title)
    if not found:
        return ""
    prefix, glued = found.group(1), found.group(1) + found.group(2)
    word = re.compile(r"\b" + re.escape(prefix) + r"\b")
    for text in others:
        if glued in text or word.search(text):
            return ""
    return prefix


def read_lines(path: Path, on_skip, on_note) -> Iterator[tuple]:
    """Yield ``(line, fields, {}, "txt")`` for each (title, abstract) pair.

    Titles sit at the even or odd positions (blank lines not counted) that make most
    abstracts longer than their titles; the lines before the first pair whose abstract
    is longer than its title and at least a quarter of the median abstract are header
    lines. Page dumps also glue the last header element (a button label) to the first
    title with no space: when the first title starts with a capitalised word of three or
    more letters written together with the next capitalised word (``XxxYyy...``) and
    neither the glued pair ``XxxY`` nor the word ``Xxx`` occurs in the text after it,
    ``Xxx`` is removed: a real name such as "AlphaFold" is repeated in its abstract, page
    chrome is not. A final title with no abstract line gets the abstract "".

    Raises
    ------
    InputError
        The file is another format, or its lines are not title/abstract pairs.
    """
    from .sniff import content_format

    other = content_format(decode_head(head_bytes(path)))
    if other:
        raise InputError(f"this is a {_NAMES[other]} file, not kgraph's line format (a title line, then an "
                         f"abstract line); read it without --format, or with --format {other}", file=str(path))
    numbered = [(n, clean_text(t)) for n, t in lines(path, on_note)]
    numbered = [(n, t) for n, t in numbered if t]
    lengths = [len(t) for _, t in numbered]

    def pairs_from(start: int):
        return [(lengths[i], lengths[i + 1]) for i in range(start, len(numbered) - 1, 2)]

    votes = [sum(a > t for t, a in pairs_from(p)) / max(len(pairs_from(p)), 1) for p in (0, 1)]
    parity = 1 if votes[1] > votes[0] else 0
    if len(numbered) > 2 and votes[parity] < 0.5:
        raise InputError("the lines are not title/abstract pairs (kgraph's line format: a title line, then a "
                         "longer abstract line); choose the format with --format", file=str(path))
    abstracts = [a for _, a in pairs_from(parity)]
    typical = statistics.median(abstracts) if abstracts else 0
    first = parity
    while first + 1 < len(numbered):
        title_len, abstract_len = lengths[first], lengths[first + 1]
        if abstract_len > title_len and abstract_len >= typical / 4:
            break
        first += 2
    else:
        first = parity
    if first:
        on_note(None, f"ignored {first} header line(s) before the first title: "
                + " | ".join(t for _, t in numbered[:first])[:120])
    if first < len(numbered):
        number, title = numbered[first]
        prefix = _glued_prefix(title, (t for _, t in numbered[first + 1:]))  # the header may repeat it
        if prefix:
            numbered[first] = (number, title[len(prefix):])
            on_note(None, f"line {number}: removed {prefix!r} glued to the first title")
    for i in range(first, len(numbered), 2):
        number, title = numbered[i]
        abstract = numbered[i + 1][1] if i + 1 < len(numbered) else ""
        yield number, {"title": title, "abstract": abstract}, {}, "txt"
