"""Field-tagged exports: Web of Science plain text, PubMed/MEDLINE and RIS.

Each is a sequence of records made of tagged lines, a value running on over indented
continuation lines:

- **Web of Science** (``savedrecs.txt``, ``.isi``, ``.ciw``): ``FN``/``VR`` header lines, then
  records from ``PT`` to ``ER``, two-letter tags (``TI``, ``AU``, ``AB``, ``PY``, ``SO``,
  ``DI``, ``DE``, ``CR``, ``UT``...) followed by a space; continuation lines start with
  three spaces and, for the list tags (``AU``, ``AF``, ``CR``...), each holds one item.
  Parsed by rispy's ``WokParser``.
- **MEDLINE** (PubMed's "PubMed" format, ``.nbib``, ``.medline``, ``.txt``): records start
  at ``PMID-`` and run to the next; tags of up to four letters padded to four and
  followed by ``- `` (``TI  - ``, ``FAU - ``, ``AB  - ``, ``DP  - ``, ``JT  - ``,
  ``AID - 10.1000/x [doi]``); continuation lines start with six spaces. No maintained
  package reads it (the candidates were last released in 2020 and 2021), and the layout
  is the few lines of :func:`_medline_entry`.
- **RIS** (``.ris``): records from ``TY  - `` to ``ER  - ``, parsed by rispy.

kgraph cuts the file into records itself, so every record is accounted for: a record
with no ``ER`` before the next one starts is read with a warning; one the file ends
inside (a cut download) is skipped with its reason; lines outside any record are
counted in a note.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from rispy.config import WOK_TAG_KEY_MAPPING

from .fields import clean_text, extra_name
from .files import lines

#: Web of Science field tags and the names rispy gives them (``TI``: ``document_title``...).
WOS_TAGS = dict(WOK_TAG_KEY_MAPPING)

_MEDLINE_TAG = re.compile(r"^([A-Z][A-Z0-9]{0,3}) *- ?(.*)$")
_CR_DOI = re.compile(r"\bDOI\s+\[?(10\.\d{4,}/[^\s,\]]+)", re.IGNORECASE)
_ANY_DOI = re.compile(r"\b(10\.\d{4,}/[^\s,;\]]+)")


# --------------------------------------------------------------------------- records
def _cut(path: Path, on_skip, on_note, *, is_start: Callable[[str], bool], is_end: Callable[[str], bool] | None,
         is_header: Callable[[str], bool], what: str, end_tag: str) -> Iterator[tuple[int, list[str]]]:
    """The records of a tagged file as ``(first line number, lines)``; see the module docstring."""
    start, chunk = None, []
    outside, first_outside = 0, None
    for number, text in lines(path, on_note):
        if is_start(text):
            if start is not None:
                if is_end is not None:
                    on_note(start, f"{what} record has no '{end_tag}' end tag before the next record "
                                   f"(line {number}); read up to there")
                yield start, chunk
            start, chunk = number, [text]
        elif start is None:
            if text.strip() and not is_header(text):
                outside += 1
                first_outside = first_outside or (number, text)
        elif is_end is not None and is_end(text):
            yield start, chunk
            start, chunk = None, []
        elif text.strip():
            chunk.append(text)
    if start is not None:
        if is_end is None:
            yield start, chunk
        else:
            on_skip(start, f"{what} record has no '{end_tag}' end tag (the file ends inside it: cut off?)")
    if outside:
        number, text = first_outside
        on_note(number, f"{outside} line(s) outside any {what} record ignored "
                        f"(the first: {clean_text(text)[:60]!r})")


# --------------------------------------------------------------------------- Web of Science
def reference_id(reference: str) -> str:
    """A cited reference as kept in ``references``: its DOI when it names one, else the
    reference as written (``Smith J, 2010, NATURE, V465, P123``)."""
    found = _CR_DOI.search(reference) or _ANY_DOI.search(reference)
    return found.group(1).rstrip(".").lower() if found else clean_text(reference)


def wos_fields(entry: dict, split: str | None = None) -> tuple[dict, dict]:
    """Known fields and extra columns of one Web of Science record (keys named as rispy
    names the tags; values lists or, from the tab-delimited export, ``split``-joined text)."""
    entry = {k: v for k, v in entry.items() if v not in ("", None, [])}
    for name in ("file_name", "version_number", "end_of_record", "end_of_file"):
        entry.pop(name, None)
    unknown = entry.pop("unknown_tag", None) or {}
    references = entry.pop("cited_references", [])
    if isinstance(references, str):
        references = references.split(split or ";")
    fields = {
        "title": entry.pop("document_title", None),
        "abstract": entry.pop("abstract", None),
        "year": entry.pop("publication_year", None) or entry.get("early_access_year")
        or entry.get("early_access_date") or entry.get("publication_date"),
        "authors": entry.pop("author_full_name", None) or entry.pop("authors", None)
        or entry.get("group_authors"),
        "venue": entry.pop("publication_name", None),
        "doi": entry.pop("doi", None),
        "keywords": entry.pop("author_keywords", None),
        "references": [reference_id(r) for r in references if r.strip()],
    }
    if "authors" in entry:  # the short names (AU) beside the full ones (AF)
        entry["authors_short"] = entry.pop("authors")
    extras = {extra_name(k): v for k, v in entry.items()}
    extras.update({f"wos_{tag}": v for tag, v in unknown.items() if tag.strip()})
    return fields, extras


def read_wos(path: Path, on_skip, on_note) -> Iterator[tuple]:
    """Yield ``(record, fields, extras, "wos")`` for each record of a Web of Science export."""
    import rispy

    for start, chunk in _cut(path, on_skip, on_note, is_start=lambda t: t.startswith("PT "),
                             is_end=lambda t: t.rstrip() == "ER", is_header=_wos_header,
                             what="Web of Science", end_tag="ER"):
        try:
            entries = rispy.loads("\n".join(chunk + ["ER"]), implementation=rispy.WokParser)
        except Exception as e:  # rispy raises plain errors on what it cannot read
            on_skip(start, f"Web of Science record cannot be parsed ({clean_text(str(e))[:160]})")
            continue
        yield (start, *wos_fields(entries[0]), "wos")


def _wos_header(text: str) -> bool:
    return text.startswith(("FN ", "VR ")) or text.rstrip() == "EF"


# --------------------------------------------------------------------------- MEDLINE
# MEDLINE tags kept as extra columns under a readable name (the others keep their tag).
_MEDLINE_NAMES = {"PMID": "pmid", "PMC": "pmcid", "MH": "mesh_terms", "PT": "publication_type", "LA": "language",
                  "TA": "journal_abbreviation", "AD": "affiliations", "IS": "issn", "VI": "volume", "IP": "issue",
                  "PG": "pages", "SO": "citation", "CI": "copyright", "DEP": "electronic_date",
                  "PL": "place_of_publication", "STAT": "status", "OWN": "owner"}


def _medline_entry(chunk: list[str]) -> dict[str, list[str]]:
    entry: dict[str, list[str]] = {}
    last = None
    for text in chunk:
        tag = _MEDLINE_TAG.match(text) if not text[:1].isspace() else None
        if tag:
            last = tag.group(1)
            entry.setdefault(last, []).append(tag.group(2).strip())
        elif last is not None:  # a continuation line
            entry[last][-1] = f"{entry[last][-1]} {text.strip()}"
    return entry


def _medline_title(title: str) -> str:
    """A MEDLINE title without its closing period and the brackets of a translated title."""
    title = title.strip()
    if title.startswith("[") and title.rstrip(".").endswith("]"):
        title = title.rstrip(".")[1:-1]
    return title[:-1] if title.endswith(".") and not title.endswith("..") else title


def _medline_doi(values: list[str]) -> str:
    for value in values:
        if value.endswith("[doi]"):
            return value[:-5].strip()
    return ""


def read_medline(path: Path, on_skip, on_note) -> Iterator[tuple]:
    """Yield ``(record, fields, extras, "medline")`` for each record of a MEDLINE file."""
    last = None
    for start, chunk in _cut(path, on_skip, on_note, is_start=lambda t: t.startswith("PMID"), is_end=None,
                             is_header=lambda t: False, what="MEDLINE", end_tag="SO"):
        entry = _medline_entry(chunk)
        last = (start, entry)
        one = {tag: values[0] for tag, values in entry.items()}
        fields = {
            "title": _medline_title(one.get("TI") or one.get("BTI") or ""),
            "abstract": one.get("AB"),
            "year": one.get("DP") or one.get("DEP") or one.get("EDAT"),
            "authors": entry.get("FAU") or entry.get("AU") or entry.get("CN"),
            "venue": one.get("JT") or one.get("TA"),
            "doi": _medline_doi(entry.get("AID", []) + entry.get("LID", [])),
            "keywords": entry.get("OT"),
        }
        used = {"TI", "BTI", "AB", "FAU", "AU", "JT"}
        extras = {_MEDLINE_NAMES.get(tag, tag): values for tag, values in entry.items() if tag not in used}
        yield start, fields, extras, "medline"
    if last is not None and "SO" not in last[1]:
        on_note(last[0], "the last MEDLINE record has no 'SO' line, which ends every record: the file may be "
                         "cut off inside it")


# --------------------------------------------------------------------------- RIS
_RIS_FIELDS = {
    "title": ("title", "primary_title"),
    "abstract": ("abstract", "notes_abstract"),
    "authors": ("authors", "first_authors"),
    "year": ("year", "publication_year", "date"),
    "venue": ("secondary_title", "alternate_title3", "journal_name", "alternate_title2", "alternate_title1"),
    "doi": ("doi",),
    "url": ("urls", "url"),
    "keywords": ("keywords",),
}


def read_ris(path: Path, on_skip, on_note) -> Iterator[tuple]:
    """Yield ``(record, fields, extras, "ris")`` for each RIS record (tags mapped by rispy)."""
    import rispy

    for start, chunk in _cut(path, on_skip, on_note, is_start=lambda t: t.startswith("TY  -"),
                             is_end=lambda t: t.startswith("ER  -") or t.rstrip() == "ER  -",
                             is_header=lambda t: False, what="RIS", end_tag="ER"):
        try:
            entries = rispy.loads("\n".join(chunk + ["ER  - "]))
        except Exception as e:  # rispy raises plain IOError/ValueError on bad tags
            on_skip(start, f"RIS record cannot be parsed ({clean_text(str(e))[:160]})")
            continue
        if not entries:
            on_skip(start, "RIS record cannot be parsed")
            continue
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
        extras.update({extra_name(k): v for k, v in entry.items()})
        extras.update({f"ris_{tag}": v for tag, v in unknown.items()})
        yield start, fields, extras, "ris"
