"""Files in, one ``papers`` table out: each file read by its format's reader, every record
accounted for, duplicates merged and listed."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from ..config import builtin_corpus_path  # the one home of the bundled corpus's path
from ..errors import InputError
from .bibtex import read_bib
from .fields import PAPER_COLUMNS, make_paper, title_key
from .files import lines
from .jsonrecords import read_json, read_jsonl
from .lineformat import read_lines
from .sniff import detect_format
from .tables import read_table
from .tagged import read_medline, read_ris, read_wos

_READERS = {
    "wos": read_wos, "medline": read_medline, "ris": read_ris, "bib": read_bib,
    "csv": read_table, "tsv": lambda path, on_skip, on_note: read_table(path, on_skip, on_note, "\t"),
    "json": read_json, "jsonl": read_jsonl, "txt": read_lines,
}
_EMPTY = {"wos": "no Web of Science records found (a 'PT ' line starts one)",
          "medline": "no MEDLINE records found (a 'PMID- ' line starts one)",
          "ris": "no RIS records found (a 'TY  - ' line starts one)",
          "bib": "no BibTeX entries (@article{...}) found", "csv": "no rows found after the header",
          "tsv": "no rows found after the header", "json": "no records found in the JSON",
          "jsonl": "no JSON records found", "txt": "no title lines found"}


def iter_records(path: str | Path, fmt: str | None = None, *, on_skip=None, on_note=None
                 ) -> Iterator[tuple[object, dict]]:
    """Stream the papers of one file as ``(record, row)`` pairs.

    ``row`` is a dict with the ``papers`` columns (``year`` an int or None) plus any
    extra columns, and ``"_id_from"`` (what ``paper_id`` was taken from: ``id``, ``doi``,
    ``arxiv`` or ``title``). Duplicates are *not* merged here (:func:`read_papers` does
    that). Rows come one at a time, so a large JSON Lines or CSV file is never held in
    memory whole (JSON, BibTeX and the line format are).

    Parameters
    ----------
    path : str or Path
        The file.
    fmt : str, optional
        One of :data:`kgraph.sources.FORMATS`; default: from the file (see
        :func:`kgraph.sources.detect_format`).
    on_skip : callable, optional
        ``on_skip(record, reason)`` for a record that cannot be used; default raises
        :class:`~kgraph.errors.InputError`.
    on_note : callable, optional
        ``on_note(record_or_None, message)`` for things worth telling (header lines
        ignored, a year left empty, text read as Windows-1252); default ignores them.

    Raises
    ------
    InputError
        When the file cannot be read at all, naming the file (and line).

    Examples
    --------
    >>> rows = list(iter_records(builtin_corpus_path()))
    >>> len(rows), rows[0][0], rows[0][1]["source"], rows[0][1]["format"]
    (184, 3, 'trending_papers.txt:3', 'txt')
    """
    path = Path(path)
    name = detect_format(path, fmt)

    def raise_skip(record, reason: str) -> None:
        raise InputError(reason, file=str(path), record=record)

    skip = on_skip or raise_skip
    note = on_note or (lambda record, message: None)
    seen = 0  # records, including those skipped

    def counted_skip(record, reason: str) -> None:
        nonlocal seen
        seen += 1
        skip(record, reason)

    for record, fields, extras, record_format in _READERS[name](path, counted_skip, note):
        seen += 1
        row = make_paper(fields, extras, record_format, f"{path.name}:{record}", record, skip,
                         lambda _r, message, record=record: note(record, message))
        if row is not None:
            yield record, row
    if not seen:
        if not any(t.strip() for _, t in lines(path)):
            raise InputError("the file is empty", file=str(path))
        raise InputError(_EMPTY[name], file=str(path))


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
        Records merged into another paper (``len(merges)``).
    merges : list of dict
        One ``{file, record, into, why}`` per merged record: ``into`` is the ``paper_id``
        it was merged into, ``why`` is ``same DOI``, ``same id`` or ``same title and abstract``.
    skipped : list of (file, record, reason)
        Records that could not be used.
    files : list of str
        The files read, in order.
    formats : dict
        Records read per format, merged ones included, e.g. ``{"wos": 120, "scopus": 80}``.
    notes : list of str
        Other things worth knowing (header lines ignored, years left empty, merges).
    """

    records: int = 0
    papers: int = 0
    merged: int = 0
    merges: list[dict] = field(default_factory=list)
    skipped: list[tuple[str, object, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    formats: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (``skipped`` as a list of ``{file, record, reason}``)."""
        out = asdict(self)
        out["skipped"] = [{"file": f, "record": r, "reason": why} for f, r, why in self.skipped]
        return out


# --------------------------------------------------------------------------- merging
class _Papers:
    """The papers read so far, and the keys under which a later record finds its copy.

    Two records are one paper when they have the same DOI; or the same declared id
    (an id column, an OpenAlex or Semantic Scholar id, an arXiv id); or the same
    :func:`title_key` of the title and of the abstract (for two records without an
    abstract, also the same year and authors). Records whose DOIs differ are never merged.
    """

    def __init__(self):
        self.rows: list[dict] = []
        self.by_doi: dict[str, int] = {}
        self.by_id: dict[str, int] = {}
        self.by_content: dict[tuple, int] = {}

    @staticmethod
    def content(row: dict) -> tuple | None:
        """The key of a paper's text (computed once per record: it is the costly one); None for
        a text of punctuation only, which says nothing about which paper it is."""
        key = (title_key(row["title"]), title_key(row["abstract"]))
        if not any(key):
            return None
        return key if row["abstract"] else (*key, row["year"], title_key(row["authors"]))

    def find(self, row: dict, content: tuple | None) -> tuple[int | None, str]:
        if row["doi"] and row["doi"] in self.by_doi:
            return self.by_doi[row["doi"]], "same DOI"
        candidates = []
        if row["_id_from"] != "title" and row["paper_id"] in self.by_id:
            candidates.append((self.by_id[row["paper_id"]], "same id"))
        if content is not None and content in self.by_content:
            candidates.append((self.by_content[content], "same title and abstract"))
        for index, why in candidates:
            kept = self.rows[index]["doi"]
            if not (kept and row["doi"] and kept != row["doi"]):
                return index, why
        return None, ""

    def merge(self, index: int, row: dict) -> None:
        kept = self.rows[index]
        filled = False
        for name, value in row.items():
            if name not in ("paper_id", "source", "_id_from") and value not in ("", None) \
                    and kept.get(name) in ("", None):
                kept[name] = value
                filled = True
        if filled:  # now also found under its new DOI or text
            self._register(index, self.content(kept))

    def add(self, row: dict, content: tuple | None) -> str | None:
        """Add a new paper; returns a note when its id had to be changed to stay unique."""
        note = None
        if row["paper_id"] in self.by_id:
            base, n = row["paper_id"], 2
            while f"{base}-{n}" in self.by_id:
                n += 1
            row["paper_id"] = f"{base}-{n}"
            note = (f"id {base!r} is already the id of another paper (a different DOI, title or abstract); "
                    f"this record's paper_id is {row['paper_id']!r}")
        self.rows.append(row)
        self._register(len(self.rows) - 1, content)
        return note

    def _register(self, index: int, content: tuple | None) -> None:
        row = self.rows[index]
        if row["doi"]:
            self.by_doi.setdefault(row["doi"], index)
        self.by_id.setdefault(row["paper_id"], index)
        if content is not None:
            self.by_content.setdefault(content, index)


def _listed(items: list[str], limit: int = 5) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def read_papers(sources: str | Path | Iterable[str | Path] | None = None, fmt: str | None = None,
                strict: bool = False, warn: Callable[[str], None] | None = None,
                ) -> tuple[pd.DataFrame, IngestReport]:
    """Read papers from files into the ``papers`` table.

    Parameters
    ----------
    sources : path or list of paths, optional
        Input files (each file's format from its content and extension). None or empty:
        the built-in corpus (:func:`builtin_corpus_path`).
    fmt : str, optional
        Read every file as this format (one of :data:`kgraph.sources.FORMATS`).
    strict : bool
        Raise :class:`~kgraph.errors.InputError` for the first record that would be skipped.
    warn : callable, optional
        ``warn(message)`` is called with one line for each skipped record, each note
        about a record (a year left empty, an id made unique, text read as Windows-1252),
        once per file with papers that have no abstract, and once with a summary of the
        merged duplicates. Default: say nothing; everything is in the report.

    Returns
    -------
    papers : pandas.DataFrame
        Columns :data:`kgraph.sources.PAPER_COLUMNS` (``year`` as ``Int64``), then the
        extra input columns (text, "" where a file lacks them); ``paper_id`` is unique.
    report : IngestReport

    Raises
    ------
    InputError
        A file cannot be read (missing, empty, of no known format, ...), a record is bad
        and ``strict`` is set, or no paper at all could be read.

    Examples
    --------
    >>> papers, report = read_papers()
    >>> len(papers), report.records, report.skipped
    (184, 184, [])
    >>> papers.columns[:6].tolist()
    ['paper_id', 'title', 'abstract', 'year', 'authors', 'venue']
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
    papers = _Papers()
    origin: list[tuple[Path, object]] = []  # (file, record) of each paper

    for path in paths:
        def skip(record, reason: str, path=path) -> None:
            if strict:
                raise InputError(reason, file=str(path), record=record)
            report.records += 1
            report.skipped.append((str(path), record, reason))
            say(f"{path}:{record}: {reason} (record skipped)")

        def note(record, message: str, path=path) -> None:
            where = f"{path}:{record}" if record is not None else str(path)
            report.notes.append(f"{where}: {message}")
            if record is not None:
                say(f"{where}: {message}")

        for record, row in iter_records(path, fmt, on_skip=skip, on_note=note):
            report.records += 1
            report.formats[row["format"]] = report.formats.get(row["format"], 0) + 1
            content = papers.content(row)
            index, why = papers.find(row, content)
            if index is not None:
                papers.merge(index, row)
                report.merges.append({"file": str(path), "record": record,
                                      "into": papers.rows[index]["paper_id"], "why": why})
            else:
                changed = papers.add(row, content)
                origin.append((path, record))
                if changed:
                    note(record, changed)

    without = {}  # the papers with no abstract (not even from a merged copy), by file
    for (path, record), row in zip(origin, papers.rows):
        if not row["abstract"]:
            without.setdefault(path, []).append(str(record))
    for path, records in without.items():
        message = (f"{path}: {len(records)} paper(s) have no abstract; they are kept, their concepts come from "
                   f"the title only (records {_listed(records)})")
        report.notes.append(message)
        say(message)

    report.merged = len(report.merges)
    if report.merges:
        shown = [f"{Path(m['file']).name}:{m['record']} into {m['into']!r} ({m['why']})" for m in report.merges]
        message = f"merged {report.merged} duplicate record(s): {_listed(shown)}"
        report.notes.append(message)
        say(message)
    report.papers = len(papers.rows)
    if not papers.rows:
        where = paths[0] if len(paths) == 1 else None
        first = report.skipped[0] if report.skipped else None
        raise InputError(f"no paper could be read ({len(report.skipped)} record(s) skipped"
                         + (f"; first: {first[0]}:{first[1]}: {first[2]}" if first else "") + ")", file=where)
    return _papers_frame(papers.rows), report


def _papers_frame(rows: list[dict]) -> pd.DataFrame:
    names: dict[str, None] = {}
    for row in rows:
        row.pop("_id_from", None)
        names.update(dict.fromkeys(row))
    columns = PAPER_COLUMNS + [c for c in names if c not in PAPER_COLUMNS]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    frame["year"] = pd.array([r["year"] for r in rows], dtype="Int64")
    text_columns = [c for c in columns if c != "year"]
    frame[text_columns] = frame[text_columns].fillna("").astype(str)
    return frame
