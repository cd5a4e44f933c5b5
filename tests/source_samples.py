"""Sample exports in each format kgraph reads, made from the built-in corpus's papers.

Each writer follows the format's public documentation (field tags, column headers, JSON
keys) and adds what real exports carry around the titles and abstracts: headers,
wrapped continuation lines, byte-order marks, CRLF line ends, trailing commas, publisher
copyright sentences, structured-abstract headings, ``[No abstract available]``. The
metadata (authors, years, DOIs under the test prefix 10.5555, venues, ids) is made up.
No real export is copied.

``python tests/source_samples.py tests/data/sources`` writes the small committed samples
(eight papers each); tests make larger ones in a temporary folder with :func:`write`.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import textwrap
from pathlib import Path

FAMILY = ["Costa", "Mendes", "Novak", "Okafor", "Haddad", "Berg", "Romano", "Olsen", "Moreau", "Adeyemi",
          "Fischer", "Tanaka", "Silva", "Kowalski", "Nguyen", "Larsen", "Ibrahim", "Petrov", "Garcia", "Chen"]
GIVEN = ["Ana", "Rui", "Sara", "Chidi", "Leila", "Mia", "Luca", "Ingrid", "Claire", "Tunde",
         "Paul", "Yuki", "Joao", "Marta", "Linh", "Erik", "Amina", "Ivan", "Lucia", "Wei"]
VENUES = ["Journal of Machine Learning Research", "Neural Computation", "Pattern Recognition",
          "Artificial Intelligence", "Machine Learning", "Neural Networks"]
KEYWORDS = ["machine learning", "deep learning", "reinforcement learning", "neural networks", "optimization",
            "representation learning", "language models", "generative models", "robustness", "inference"]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

#: The formats :func:`write` makes, and the file name of each.
FILES = {
    "wos": "savedrecs.txt", "wos-tab": "savedrecs_tab.txt", "scopus": "scopus.csv", "ieee": "ieee.csv",
    "medline": "pubmed.nbib", "openalex": "openalex_page.json", "openalex-jsonl": "openalex_works.jsonl",
    "s2": "s2_search.json", "s2-batch": "s2_batch.json", "csl-json": "zotero.json", "csv": "papers.csv",
}


def corpus(n: int | None = None) -> list[dict]:
    """The built-in corpus's papers (title, abstract) with made-up metadata, in order."""
    from kgraph.sources import read_papers

    papers, _ = read_papers()
    out = []
    for i, (title, abstract) in enumerate(zip(papers["title"], papers["abstract"])):
        if n is not None and i >= n:
            break
        authors = [(FAMILY[(i * 3 + k * 7) % 20], GIVEN[(i * 5 + k * 3) % 20]) for k in range(1 + i % 4)]
        out.append({
            "i": i, "title": title, "abstract": abstract, "year": 2012 + (i * 7) % 13, "month": 1 + i % 12,
            "authors": authors, "doi": f"10.5555/kg.{2000 + i}", "venue": VENUES[i % len(VENUES)],
            "keywords": [KEYWORDS[i % 10], KEYWORDS[(i * 3 + 1) % 10]],
            "references": [f"10.5555/kg.{2000 + j}" for j in (i - 1, i - 3) if j >= 0],
            "openalex": f"W{4100000000 + i}", "s2": hashlib.sha1(str(i).encode()).hexdigest(),
            "pmid": str(31000000 + i),
        })
    return out


def _wrap(tag_width: int, text: str, width: int = 78) -> list[str]:
    return textwrap.wrap(text, width=width - tag_width, break_long_words=False, break_on_hyphens=False) or [""]


# --------------------------------------------------------------------------- Web of Science
def _wos_tag(tag: str, values: list[str]) -> list[str]:
    """A field: one value per line for the list tags (AU, AF, CR: never wrapped), else wrapped at 78."""
    out = []
    for k, value in enumerate(values):
        pieces = [value] if tag in ("AU", "AF", "CR") else _wrap(3, value)
        for j, piece in enumerate(pieces):
            out.append(f"{tag if k == 0 and j == 0 else '  '} {piece}")
    return out


def wos(papers: list[dict]) -> str:
    """A Web of Science "Plain text file" export (``savedrecs.txt``): BOM, FN/VR, PT...ER, EF."""
    out = ["\ufeffFN Clarivate Analytics Web of Science", "VR 1.0"]
    for p in papers:
        short = [f"{f}, {g[0]}" for f, g in p["authors"]]
        full = [f"{f}, {g}" for f, g in p["authors"]]
        refs = [f"{FAMILY[k % 20]} {GIVEN[k % 20][0]}, {p['year'] - 1 - k}, {VENUES[k % 6].upper()}, V{k + 3}, "
                f"P{k * 11 + 1}, DOI {doi}" for k, doi in enumerate(p["references"])]
        refs.append("Smith J, 1998, THESIS U NOWHERE")
        abstract = p["abstract"] + f" (C) {p['year']} Elsevier Ltd. All rights reserved."
        out += ["PT J"] + _wos_tag("AU", short) + _wos_tag("AF", full) + _wos_tag("TI", [p["title"]])
        out += _wos_tag("SO", [p["venue"].upper()]) + ["LA English", "DT Article"]
        out += _wos_tag("DE", ["; ".join(p["keywords"])])
        out += _wos_tag("ID", ["; ".join(k.upper() for k in p["keywords"])])
        out += _wos_tag("AB", [abstract])
        out += _wos_tag("C1", [f"[{full[0]}] Univ Somewhere, Dept Comp Sci, Somewhere, Country."])
        out += _wos_tag("CR", refs) + [f"NR {len(refs)}", "TC 3", "Z9 3", "PU ELSEVIER", "SN 0000-0000",
                                       f"PD {MONTHS[p['month'] - 1]}", f"PY {p['year']}", "VL 12", "BP 1", "EP 14"]
        if p.get("doi") is not None:
            out.append(f"DI {p['doi']}")
        out += [f"UT WOS:{500000000000 + p['i']:015d}", "DA 2024-05-01", "ER", ""]
    out.append("EF")
    return "\n".join(out) + "\n"


WOS_TAB_COLUMNS = ["PT", "AU", "BA", "BE", "GP", "AF", "BF", "CA", "TI", "SO", "SE", "BS", "LA", "DT", "CT", "CY",
                   "CL", "SP", "HO", "DE", "ID", "AB", "C1", "RP", "EM", "RI", "OI", "FU", "FX", "CR", "NR", "TC",
                   "Z9", "U1", "U2", "PU", "PI", "PA", "SN", "EI", "BN", "J9", "JI", "PD", "PY", "VL", "IS", "PN",
                   "SU", "SI", "MA", "BP", "EP", "AR", "DI", "D2", "EA", "PG", "WC", "SC", "GA", "UT", "PM", "OA",
                   "HC", "HP", "DA"]


def wos_tab(papers: list[dict]) -> str:
    """A Web of Science "Tab delimited file" export: BOM, tag header, CRLF, a trailing tab."""
    rows = ["\t".join(WOS_TAB_COLUMNS) + "\t"]
    for p in papers:
        values = {
            "PT": "J", "AU": "; ".join(f"{f}, {g[0]}" for f, g in p["authors"]),
            "AF": "; ".join(f"{f}, {g}" for f, g in p["authors"]), "TI": p["title"], "SO": p["venue"].upper(),
            "LA": "English", "DT": "Article", "DE": "; ".join(p["keywords"]),
            "ID": "; ".join(k.upper() for k in p["keywords"]),
            "AB": p["abstract"] + f" (C) {p['year']} Elsevier Ltd. All rights reserved.",
            "CR": "; ".join(f"Doe J, {p['year'] - 2}, NATURE, V1, P2, DOI {d}" for d in p["references"]),
            "NR": str(len(p["references"])), "TC": "0", "PD": MONTHS[p["month"] - 1], "PY": str(p["year"]),
            "DI": p["doi"], "UT": f"WOS:{600000000000 + p['i']:015d}", "DA": "2024-05-01",
        }
        rows.append("\t".join(values.get(c, "") for c in WOS_TAB_COLUMNS) + "\t")
    return "\ufeff" + "\r\n".join(rows) + "\r\n"


# --------------------------------------------------------------------------- CSV
SCOPUS_COLUMNS = ["Authors", "Author full names", "Author(s) ID", "Title", "Year", "Source title", "Volume",
                  "Issue", "Art. No.", "Page start", "Page end", "Page count", "Cited by", "DOI", "Link",
                  "Abstract", "Author Keywords", "Index Keywords", "References", "Document Type",
                  "Publication Stage", "Open Access", "Source", "EID"]


def _csv(rows: list[list[str]], quote_all: bool = False, trailing: str = "", newline: str = "\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\n")
    for k, row in enumerate(rows):
        writer.writerow(row)
    lines = buffer.getvalue().split("\n")[:-1]
    # only the data rows get the trailing comma (the header does not)
    return newline.join([lines[0]] + [line + trailing for line in lines[1:]]) + newline


def scopus(papers: list[dict]) -> str:
    """A Scopus CSV export: BOM, every field quoted, rows ending with a comma, old-style
    authors ("Costa A., Mendes R."), copyright sentences, ``[No abstract available]``."""
    rows = [SCOPUS_COLUMNS]
    for p in papers:
        abstract = "[No abstract available]" if p.get("no_abstract") else \
            p["abstract"] + f" © {p['year']} Elsevier B.V. All rights reserved."
        refs = "; ".join(f"{FAMILY[k]}, {GIVEN[k][0]}., Some cited work, ({p['year'] - 2}) {VENUES[k]}, {k + 1}, "
                         f"pp. 1-10" for k in range(2))
        rows.append([
            ", ".join(f"{f} {g[0]}." for f, g in p["authors"]),
            "; ".join(f"{f}, {g} ({57200000000 + k})" for k, (f, g) in enumerate(p["authors"])),
            ";".join(str(57200000000 + k) for k in range(len(p["authors"]))), p["title"], str(p["year"]),
            p["venue"], "12", "3", "", "1", "14", "14", "3", p["doi"],
            f"https://www.scopus.com/inward/record.uri?eid=2-s2.0-{85000000000 + p['i']}&partnerID=40", abstract,
            "; ".join(p["keywords"]), "; ".join(k.title() for k in p["keywords"]), refs, "Article", "Final", "",
            "Scopus", f"2-s2.0-{85000000000 + p['i']}"])
    return "\ufeff" + _csv(rows, quote_all=True, trailing=",")


IEEE_COLUMNS = ["Document Title", "Authors", "Author Affiliations", "Publication Title", "Date Added To Xplore",
                "Publication Year", "Volume", "Issue", "Start Page", "End Page", "Abstract", "ISSN", "ISBNs", "DOI",
                "Funding Information", "PDF Link", "Author Keywords", "IEEE Terms", "Mesh_Terms",
                "Article Citation Count", "Patent Citation Count", "Reference Count", "License", "Online Date",
                "Issue Date", "Meeting Date", "Publisher", "Document Identifier"]


def ieee(papers: list[dict]) -> str:
    """An IEEE Xplore "Export: CSV" of search results."""
    rows = [IEEE_COLUMNS]
    for p in papers:
        rows.append([
            p["title"], "; ".join(f"{g[0]}. {f}" for f, g in p["authors"]),
            "; ".join("Dept. of Computer Science, Univ. of Somewhere" for _ in p["authors"]),
            "IEEE Transactions on " + p["venue"].replace("Journal of ", ""), "12 Mar 2024", str(p["year"]), "12",
            "3", "1", "14", p["abstract"], "1045-9227", "", p["doi"], "",
            f"https://ieeexplore.ieee.org/stamp/stamp.jsp?arnumber={9000000 + p['i']}", ";".join(p["keywords"]),
            ";".join(k.title() for k in p["keywords"]), "", "3", "", "40", "IEEE", f"{p['year']}-03-01", "", "",
            "IEEE", "IEEE Journals"])
    return _csv(rows)


def generic_csv(papers: list[dict]) -> str:
    """A spreadsheet of one's own: common column names, dates as ``2015-03-01``."""
    rows = [["Title", "Abstract", "Published", "Authors", "Journal", "DOI", "Notes"]]
    for p in papers:
        rows.append([p["title"], p["abstract"], f"{p['year']}-{p['month']:02d}-01",
                     "; ".join(f"{g} {f}" for f, g in p["authors"]), p["venue"], "https://doi.org/" + p["doi"],
                     "to read"])
    return _csv(rows)


# --------------------------------------------------------------------------- MEDLINE
def _medline_tag(tag: str, value: str) -> list[str]:
    pieces = _wrap(6, value, width=88)
    return [f"{tag:<4}- {pieces[0]}"] + [f"      {piece}" for piece in pieces[1:]]


def structured(abstract: str) -> str:
    """The abstract with structured-abstract headings put before its sentences."""
    import re

    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", abstract)
    headings = ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    marks = {0: 0, 1: 1, len(sentences) // 2: 2, len(sentences) - 1: 3} if len(sentences) >= 4 else {0: 0}
    return " ".join(f"{headings[marks[k]]}: {s}" if k in marks else s for k, s in enumerate(sentences))


def medline(papers: list[dict]) -> str:
    """PubMed's "PubMed" (MEDLINE) format, as "Send to: Citation manager" saves it (``.nbib``)."""
    out = []
    for p in papers:
        out += [f"PMID- {p['pmid']}", "OWN - NLM", "STAT- MEDLINE", "DCOM- 20240101", "LR  - 20240101",
                "IS  - 1879-2782 (Electronic)", "IS  - 0893-6080 (Linking)", "VI  - 12", "IP  - 3",
                f"DP  - {p['year']} {MONTHS[p['month'] - 1].title()}"]
        out += _medline_tag("TI", p["title"]) + ["PG  - 1-14", f"LID - {p['doi']} [doi]"]
        out += _medline_tag("AB", structured(p["abstract"])
                            + f" Copyright © {p['year']} Elsevier Ltd. All rights reserved.")
        out += [f"CI  - Copyright © {p['year']} Elsevier Ltd. All rights reserved."]
        for f, g in p["authors"]:
            out += [f"FAU - {f}, {g}", f"AU  - {f} {g[0]}", "AD  - Department of Computer Science, University of "
                    "Somewhere, Somewhere, Country."]
        out += ["LA  - eng", "PT  - Journal Article", f"DEP - {p['year']}{p['month']:02d}01", "PL  - United States",
                "TA  - Neural Netw", f"JT  - {p['venue']}", "JID - 8805018", "SB  - IM"]
        out += ["MH  - Humans", "MH  - *Machine Learning", "OTO - NOTNLM"] + [f"OT  - {k}" for k in p["keywords"]]
        out += [f"EDAT- {p['year']}/01/01 06:00", f"CRDT- {p['year']}/01/01 06:00", f"AID - {p['doi']} [doi]",
                f"AID - S0893-6080({p['year'] % 100:02d})00{p['i']:03d}-X [pii]", "PST - ppublish",
                f"SO  - Neural Netw. {p['year']} {MONTHS[p['month'] - 1].title()};12(3):1-14. doi: {p['doi']}.", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- JSON
def inverted_index(abstract: str) -> dict:
    index: dict[str, list[int]] = {}
    for position, word in enumerate(abstract.split()):
        index.setdefault(word, []).append(position)
    return index


def openalex_work(p: dict) -> dict:
    """An OpenAlex work object (the fields kgraph reads, and some it keeps or ignores)."""
    return {
        "id": f"https://openalex.org/{p['openalex']}", "doi": f"https://doi.org/{p['doi']}",
        "title": p["title"], "display_name": p["title"], "publication_year": p["year"],
        "publication_date": f"{p['year']}-{p['month']:02d}-01",
        "ids": {"openalex": f"https://openalex.org/{p['openalex']}", "doi": f"https://doi.org/{p['doi']}"},
        "language": "en", "type": "article",
        "primary_location": {"is_oa": False, "landing_page_url": f"https://doi.org/{p['doi']}",
                             "source": {"id": f"https://openalex.org/S{100 + p['i'] % 6}",
                                        "display_name": p["venue"], "type": "journal"}},
        "authorships": [{"author_position": "first" if k == 0 else "middle",
                         "author": {"id": f"https://openalex.org/A{5000 + k}", "display_name": f"{g} {f}",
                                    "orcid": None},
                         "institutions": [], "raw_author_name": f"{g} {f}"} for k, (f, g) in enumerate(p["authors"])],
        "cited_by_count": p["i"] % 17, "is_retracted": False,
        "keywords": [{"id": "https://openalex.org/keywords/" + k.replace(" ", "-"), "display_name": k,
                      "score": 0.5} for k in p["keywords"]],
        "referenced_works": [f"https://openalex.org/W{4100000000 + int(d.rsplit('.', 1)[1]) - 2000}"
                             for d in p["references"]],
        "abstract_inverted_index": None if p.get("no_abstract") else inverted_index(p["abstract"]),
        "counts_by_year": [{"year": 2024, "cited_by_count": 1}],
        "updated_date": "2024-05-01T00:00:00",
    }


def openalex_page(papers: list[dict]) -> str:
    """A page of ``GET /works?search=...`` (``meta``, ``results``), pretty-printed."""
    return json.dumps({"meta": {"count": len(papers), "db_response_time_ms": 31, "page": 1,
                                "per_page": max(len(papers), 25), "groups_count": None},
                       "results": [openalex_work(p) for p in papers], "group_by": []}, indent=2,
                      ensure_ascii=False) + "\n"


def openalex_jsonl(papers: list[dict]) -> str:
    """Works as OpenAlex snapshot lines (one work a line)."""
    return "".join(json.dumps(openalex_work(p), ensure_ascii=False) + "\n" for p in papers)


def s2_paper(p: dict) -> dict:
    """A Semantic Scholar Graph API paper with the fields asked for by
    ``fields=title,abstract,year,authors,venue,externalIds,references,url,publicationDate``."""
    return {"paperId": p["s2"], "externalIds": {"DOI": p["doi"], "CorpusId": 260000000 + p["i"]},
            "url": f"https://www.semanticscholar.org/paper/{p['s2']}", "title": p["title"],
            "abstract": None if p.get("no_abstract") else p["abstract"], "venue": p["venue"], "year": p["year"],
            "publicationDate": f"{p['year']}-{p['month']:02d}-01", "citationCount": p["i"] % 17,
            "authors": [{"authorId": str(2000 + k), "name": f"{g} {f}"} for k, (f, g) in enumerate(p["authors"])],
            "references": [{"paperId": hashlib.sha1(str(int(d.rsplit('.', 1)[1]) - 2000).encode()).hexdigest(),
                            "title": "A cited paper"} for d in p["references"]] + [{"paperId": None, "title": "x"}]}


def s2_search(papers: list[dict]) -> str:
    """A ``GET /graph/v1/paper/search`` response (``total``, ``offset``, ``next``, ``data``)."""
    return json.dumps({"total": len(papers), "offset": 0, "next": len(papers),
                       "data": [s2_paper(p) for p in papers]}, indent=2, ensure_ascii=False) + "\n"


def s2_batch(papers: list[dict]) -> str:
    """A ``POST /graph/v1/paper/batch`` response: a list, ``null`` for an id it did not find."""
    items = [s2_paper(p) for p in papers]
    items.insert(1, None)
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def csl_json(papers: list[dict]) -> str:
    """Zotero's "Export Collection... CSL JSON"."""
    items = [{"id": f"{p['authors'][0][0].lower()}{p['year']}{p['i']}", "type": "article-journal",
              "title": p["title"], "container-title": p["venue"], "abstract": p["abstract"],
              "DOI": p["doi"], "URL": f"https://doi.org/{p['doi']}", "language": "en",
              "keyword": ", ".join(p["keywords"]),
              "author": [{"family": f, "given": g} for f, g in p["authors"]],
              "issued": {"date-parts": [[p["year"], p["month"]]]}} for p in papers]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


WRITERS = {"wos": wos, "wos-tab": wos_tab, "scopus": scopus, "ieee": ieee, "medline": medline,
           "openalex": openalex_page, "openalex-jsonl": openalex_jsonl, "s2": s2_search, "s2-batch": s2_batch,
           "csl-json": csl_json, "csv": generic_csv}


def write(folder: Path, papers: list[dict], formats=None) -> dict[str, Path]:
    """Write each format's sample of ``papers`` into ``folder``; the paths by format."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for fmt in formats or WRITERS:
        path = folder / FILES[fmt]
        path.write_bytes(WRITERS[fmt](papers).encode("utf-8"))
        out[fmt] = path
    return out


if __name__ == "__main__":
    sample = corpus(8)
    sample[5]["no_abstract"] = True  # Scopus' [No abstract available], OpenAlex's null index
    for path in write(Path(sys.argv[1]), sample).values():
        print(path, path.stat().st_size)
