"""Read the exports researchers have into one ``papers`` table.

::

    papers, report = read_papers(["savedrecs.txt", "scopus.csv", "zotero.json"])

One module per family of formats, all giving the same records to
:func:`~kgraph.sources.fields.make_paper`:

==============  =====================================================================
module          formats
==============  =====================================================================
``tagged``      Web of Science plain text, PubMed/MEDLINE, RIS
``tables``      CSV/TSV: Scopus, IEEE Xplore, Web of Science tab-delimited, any table
                with a title or abstract column
``jsonrecords`` JSON and JSON Lines: OpenAlex, Semantic Scholar, CSL-JSON, plain records
``bibtex``      BibTeX/biblatex
``lineformat``  kgraph's line format (a title line, then an abstract line)
``sniff``       which of these a file is (:func:`detect_format`, :data:`FORMATS`)
``fields``      values normalised the same way for every format
``papers``      :func:`read_papers`: files in, one table out, duplicates merged
==============  =====================================================================

The ``papers`` table (:data:`PAPER_COLUMNS`, then the extra input columns)
    ``paper_id``: the record's own id where the source has a stable one (an ``id``
    column, an OpenAlex work id ``W...``, a Semantic Scholar ``paperId``); else its DOI;
    else its arXiv id; else 12 hex digits of the SHA-1 of the title's :func:`title_key`.
    Citation keys (BibTeX, RIS ``ID``, CSL ``id``) are kept as extra columns only:
    reference managers regenerate them. An id another paper already has gets ``-2``
    (``-3``...), with a warning. ``title`` and ``abstract``: text hygiene
    (:func:`clean_text`), and the abstract without publisher boilerplate
    (:func:`~kgraph.sources.fields.clean_abstract`). ``year``: an integer from any date
    form (``2015-03-01``, ``2015 Mar``, CSL ``date-parts``), empty (with a warning naming
    the record) when it is not a year from 1500 to next year. ``authors``: "; "-joined,
    in order. ``venue``: journal, proceedings or source title. ``doi``: lower case,
    without ``https://doi.org/``. ``keywords``: the author keywords, "; "-joined.
    ``references``: "; "-joined DOIs, or the source's own ids (OpenAlex, Semantic
    Scholar), or a reference as written where it has neither (Web of Science, Scopus).
    ``format``: what the record was read as (:data:`RECORD_FORMATS`). ``source``:
    ``"<file name>:<record>"``, the record being the line it starts on (``item N`` in a
    JSON file).

Duplicates
    Records with the same DOI, the same declared id (an id column, OpenAlex, Semantic
    Scholar, arXiv) or the same :func:`title_key` of title and abstract are one paper; records
    whose DOIs differ never are. The first copy wins and its empty fields are filled from
    the later ones.

Every record is accounted for
    ``records == papers + merged + len(skipped)``: a record is a paper, merged into one
    (listed in :attr:`IngestReport.merges`), or skipped with its reason (no title and no
    abstract, invalid JSON, a CSV row with extra fields, a tagged record the file ends
    inside...); with ``strict=True`` the first skip raises
    :class:`~kgraph.errors.InputError`. A problem with a whole file (missing, empty, not
    a known format, binary) raises an ``InputError`` naming the file. Text that is not
    UTF-8 is read as Windows-1252 with a warning; UTF-16 with a byte-order mark is read
    as such.
"""
from __future__ import annotations

from .fields import PAPER_COLUMNS, clean_abstract, clean_text, title_key
from .papers import IngestReport, builtin_corpus_path, iter_records, read_papers
from .sniff import FORMATS, detect_format

#: The values of the ``format`` column: what each record was read as.
RECORD_FORMATS = ("wos", "wos-tab", "medline", "ris", "bib", "scopus", "ieee", "csv", "tsv", "openalex", "s2",
                  "csl-json", "json", "jsonl", "txt")

__all__ = [
    "read_papers",
    "iter_records",
    "IngestReport",
    "builtin_corpus_path",
    "clean_text",
    "clean_abstract",
    "title_key",
    "detect_format",
    "PAPER_COLUMNS",
    "FORMATS",
    "RECORD_FORMATS",
]
