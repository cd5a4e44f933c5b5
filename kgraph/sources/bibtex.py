"""BibTeX and biblatex (``.bib``), parsed with bibtexparser v2.

``title``, ``abstract``, ``year`` (else the year in ``date``), ``author`` (``and``-separated
names become ``"; "``-joined), ``journal``/``booktitle`` (the venue), ``keywords``, ``doi``,
``url``, ``eprint`` (an arXiv id). The entry type and the citation key are kept as
``entry_type`` and ``bibtex_key`` (not as ``paper_id``: reference managers regenerate
keys), the other fields under their own names. LaTeX is kept as written; the text
cleaning before the parse undoes it.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .fields import clean_text, extra_name
from .files import read_text


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


def _names(value: str) -> list[str]:
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


def read_bib(path: Path, on_skip, on_note) -> Iterator[tuple]:
    """Yield ``(record, fields, extras, "bib")`` for each entry; the record is the line of its ``@``."""
    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

    text = read_text(path, on_note)
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
            "authors": _names(values.pop("author", "")),
            "venue": values.pop("journal", None) or values.pop("journaltitle", None) or values.pop("booktitle", None),
            "doi": values.pop("doi", None),
            "url": values.pop("url", None),
            "keywords": values.pop("keywords", None),
        }
        eprint = values.get("eprint", "")
        if eprint and values.get("archiveprefix", "arxiv").lower() == "arxiv":
            fields["arxiv"] = eprint
        extras = {"entry_type": block.entry_type.lower(), "bibtex_key": block.key}
        extras.update({extra_name(k): v for k, v in values.items()})
        yield number, fields, extras, "bib"
