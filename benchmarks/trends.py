"""Does ``growth`` find what is rising, and ``mean_year`` order old and new concepts? (issue 26)

Usage (from the repository root)::

    .venv/bin/python benchmarks/trends.py [ARXIV.jsonl] [--work DIR] [--top 15]

ARXIV.jsonl holds ``{"id", "title", "abstract"}`` records whose ids are arXiv ids
(default: ``../shared/data/links_arxiv_dev.jsonl`` relative to the repository root).
The year of each paper is read from its id, not from any other field: ``2005.05083``
is May 2020, ``quant-ph/9901001`` January 1999. The script writes that corpus, with a
``year`` field, as ``DIR/arxiv_years.jsonl`` (default: a folder under /tmp), builds it
with kgraph into ``DIR/out`` (the extraction cache in ``DIR/cache``, so a second run
skips the parse) and prints:

- how many papers have a year, their range and the recent period;
- the ``--top`` concepts rising and fading most (``kg.trends``);
- ``first_year``, ``mean_year`` and ``growth`` of a few concepts whose history a reader
  of machine learning knows (convolutional networks before transformers before large
  language models).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "links_arxiv_dev.jsonl"
#: Concepts to place in time, oldest first as the field knows them (looked up by label, key or alias).
NAMED = ["support vector machine", "convolutional neural network", "recurrent neural network",
         "generative adversarial network", "transformer", "diffusion model", "large language model",
         "state space model"]
_NEW_ID = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}(v\d+)?$")  # YYMM.NNNNN (since April 2007)
_OLD_ID = re.compile(r"^[a-z\-]+(\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}(v\d+)?$")  # archive/YYMMNNN (until March 2007)


def year_of_arxiv_id(arxiv_id: str) -> int | None:
    """The year an arXiv id was issued, or None when it is not one.

    >>> year_of_arxiv_id("2005.05083"), year_of_arxiv_id("quant-ph/9901001"), year_of_arxiv_id("x")
    (2020, 1999, None)
    """
    m = _NEW_ID.match(arxiv_id)
    if m:
        return 2000 + int(m.group(1))
    m = _OLD_ID.match(arxiv_id)
    if m:
        yy = int(m.group(2))
        return (1900 if yy >= 91 else 2000) + yy  # arXiv began in 1991
    return None


def write_corpus(source: Path, target: Path) -> tuple[int, int]:
    """Write ``source``'s records with the year of their id into ``target``; (records, with a year)."""
    n = dated = 0
    with open(source, encoding="utf-8") as fh, open(target, "w", encoding="utf-8") as out:
        for line in fh:
            if not line.strip():
                continue
            r = json.loads(line)
            record = {"id": r["id"], "title": r.get("title", ""), "abstract": r.get("abstract", "")}
            year = year_of_arxiv_id(str(r["id"]))
            if year is not None:
                record["year"] = year
                dated += 1
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    return n, dated


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kgraph-bench-trends")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)

    import pandas as pd

    import kgraph

    args.work.mkdir(parents=True, exist_ok=True)
    corpus = args.work / "arxiv_years.jsonl"
    n, dated = write_corpus(args.data, corpus)
    started = time.perf_counter()
    kg = kgraph.build(corpus, out=args.work / "out", cache_dir=args.work / "cache", force=True)
    seconds = time.perf_counter() - started
    years = kg.summary["years"]
    print(f"{args.data.name}: {n} records, {dated} with a year from their arXiv id; built in {seconds:.0f} s")
    print(f"papers with a year: {kg.summary['papers_with_year']} ({years['first']}–{years['last']}), "
          f"recent period {years['recent_from']}–{years['last']}\n")
    table = kg.trends(args.top)
    cols = ["label", "growth", "recent", "earlier", "first_year", "mean_year"]
    with pd.option_context("display.width", 200, "display.max_colwidth", 40):
        for trend in ("rising", "fading"):
            part = table[table["trend"] == trend][cols].round({"growth": 2, "mean_year": 1})
            print(f"{trend} (top {args.top} by growth)\n{part.to_string(index=False)}\n")
        rows = []
        for name in NAMED:
            try:
                line = kg.timeline(name)
            except ValueError:
                rows.append({"concept": name, "reach": 0})
                continue
            from kgraph.concepts import resolve_term

            c = kg.concepts.set_index("concept_id").loc[resolve_term(name, kg.concepts)]
            rows.append({"concept": name, "reach": int(c["reach"]), "first_year": c["first_year"],
                         "mean_year": round(float(c["mean_year"]), 1), "growth": round(float(c["growth"]), 2),
                         "dated papers": int(line["papers"].sum())})
        print("named concepts (oldest first as the field knows them)")
        print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
