"""Score kgraph's paper links as nearest neighbours, beside text-similarity baselines.

Usage (from the repository root, in the benchmark venv that holds the peers)::

    .venv-bench/bin/python benchmarks/links.py [LABELED.jsonl] [--k 10]
        [--weights idf,count,jaccard,cosine] [--no-kgraph] [--no-yake] [--cache DIR]

LABELED.jsonl holds one record a line: ``{"id", "title", "abstract", "labels"}``
(``labels`` is a list of topic labels). The default is
``../shared/data/links_arxiv_dev.jsonl`` relative to the repository root.

Every system gives each paper its ``k`` strongest neighbours (similarity above 0,
ties broken by id):

- **kgraph (weight)**: ``kgraph.build([file])`` once, then
  ``kgraph.links.paper_links(mentions, concepts, weight=..., top_k=k)`` for each
  link weight; a paper's neighbours are its k strongest links.
- **TF-IDF cosine**: scikit-learn ``TfidfVectorizer(stop_words="english",
  sublinear_tf=True)`` over ``title + ". " + abstract``; the "(raw tf)" row is
  the same with ``sublinear_tf=False``.
- **YAKE Jaccard**: Jaccard overlap of the papers' YAKE keyphrase sets
  (``yake.KeywordExtractor(lan="en", n=3, top=10)``, lowercased).
- **chance**: the expected score of k neighbours drawn at random.

Scores, printed as one markdown table:

- precision@k: for each paper with at least one neighbour, the share of its
  neighbours that share a label with it; macro-averaged over those papers.
- coverage: the share of all papers that get k neighbours.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO_ROOT = Path(__file__).resolve().parents[1]
# Run as benchmarks/links.py, the editable install in .venv-bench resolves
# ``kgraph`` to a namespace package whose __init__ never runs (no kgraph.build);
# the repository root first on the path finds the real package.
sys.path.insert(0, str(REPO_ROOT))
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "links_arxiv_dev.jsonl"
WEIGHTS = ("idf", "count", "jaccard", "cosine")


def read_records(path: Path) -> list[dict]:
    """Records with an id, a title and/or abstract, and a list of labels (others skipped)."""
    records = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            r = json.loads(line)
            if r.get("id") is None or not (r.get("title") or r.get("abstract")):
                continue
            r["id"] = str(r["id"])
            r["labels"] = set(r.get("labels") or [])
            records.append(r)
    return records


def text_of(r: dict) -> str:
    return f"{r.get('title') or ''}. {r.get('abstract') or ''}"


# --------------------------------------------------------------------------- scoring


def score(neighbours: dict, records: list[dict], k: int) -> tuple[float, float, int]:
    """(precision@k macro over papers with a neighbour, coverage, papers with a neighbour)."""
    labels = {r["id"]: r["labels"] for r in records}
    precisions, full = [], 0
    for r in records:
        got = neighbours.get(r["id"], [])[:k]
        if not got:
            continue
        precisions.append(sum(bool(labels[r["id"]] & labels.get(n, set())) for n in got) / len(got))
        full += len(got) >= k
    return (float(np.mean(precisions)) if precisions else 0.0), full / len(records), len(precisions)


def chance(records: list[dict]) -> float:
    """Expected precision of random neighbours: per paper, the share of other papers sharing a label."""
    n = len(records)
    label_ids = {}
    rows, cols = [], []
    for i, r in enumerate(records):
        for lab in r["labels"]:
            rows.append(i)
            cols.append(label_ids.setdefault(lab, len(label_ids)))
    L = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, max(len(label_ids), 1)))
    share = (L @ L.T).tocsr()
    share.data[:] = 1.0
    same = np.asarray(share.sum(axis=1)).ravel() - (np.diff(L.indptr) > 0)  # minus the paper itself
    return float(np.mean(same / max(n - 1, 1)))


def top_k_neighbours(S: sp.spmatrix, ids: list[str], k: int, chunk: int = 512) -> dict:
    """Each row's k largest positive entries of a square similarity matrix (self excluded, ties by id)."""
    S = sp.csr_matrix(S)
    order = np.argsort(np.asarray(ids, dtype=object))  # rank of each id, for tie-breaking
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[order] = np.arange(len(ids))
    out = {}
    for start in range(0, S.shape[0], chunk):
        block = S[start:start + chunk].toarray()
        for local, row in enumerate(block):
            i = start + local
            row[i] = 0.0
            cand = np.flatnonzero(row > 0)
            if not len(cand):
                continue
            best = cand[np.lexsort((id_rank[cand], -np.round(row[cand], 12)))][:k]
            out[ids[i]] = [ids[j] for j in best]
    return out


def neighbours_from_links(links, k: int) -> dict:
    """Each paper's k strongest links from a paper_links table (either end), ties by id."""
    import pandas as pd

    both = pd.concat([
        links[["source", "target", "weight"]],
        links.rename(columns={"source": "target", "target": "source"})[["source", "target", "weight"]],
    ], ignore_index=True)
    both = both.assign(w=both["weight"].round(12))
    both = both.sort_values(["source", "w", "target"], ascending=[True, False, True], kind="stable")
    return {s: g["target"].head(k).tolist() for s, g in both.groupby("source", sort=False)}


# --------------------------------------------------------------------------- systems


def tfidf_neighbours(records, k, sublinear=True):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=sublinear)
    X = vectorizer.fit_transform([text_of(r) for r in records])
    return top_k_neighbours(X @ X.T, [r["id"] for r in records], k)


def yake_neighbours(records, k):
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=3, top=10)
    vocab, rows, cols = {}, [], []
    for i, r in enumerate(records):
        phrases = {kw.lower() for kw, _ in extractor.extract_keywords(text_of(r))}
        for p in phrases:
            rows.append(i)
            cols.append(vocab.setdefault(p, len(vocab)))
    B = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(records), max(len(vocab), 1)))
    inter = (B @ B.T).tocoo()
    size = np.diff(B.indptr)
    jac = inter.data / (size[inter.row] + size[inter.col] - inter.data)
    S = sp.csr_matrix((jac, (inter.row, inter.col)), shape=inter.shape)
    return top_k_neighbours(S, [r["id"] for r in records], k)


def kgraph_tables(path: Path, records: list[dict], cache: str | None):
    """mentions and concepts of a default kgraph build, with paper_ids mapped to the file's ids."""
    import kgraph

    settings = {"cache_dir": cache} if cache else {}
    kg = kgraph.build([path], **settings)
    ids = {r["id"] for r in records}
    to_id = {}
    for pid, source in zip(kg.papers["paper_id"], kg.papers["source"]):
        if pid in ids:
            to_id[pid] = pid
        else:  # paper_id made by kgraph (e.g. merged record): go by the record number
            record = int(str(source).rsplit(":", 1)[-1]) - 1
            if 0 <= record < len(records):
                to_id[pid] = records[record]["id"]
    mentions = kg.mentions.assign(paper_id=kg.mentions["paper_id"].map(to_id))
    return mentions[mentions["paper_id"].notna()], kg.concepts, kg.timings


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="?", default=str(DEFAULT_DATA))
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--weights", default=",".join(WEIGHTS))
    ap.add_argument("--no-kgraph", action="store_true")
    ap.add_argument("--no-yake", action="store_true")
    ap.add_argument("--cache", default=None, help="kgraph cache folder (default: kgraph's)")
    args = ap.parse_args(argv)
    path = Path(args.data)
    records = read_records(path)
    if not records:
        print(f"{path}: no labelled records", file=sys.stderr)
        return 2
    k = args.k
    rows = []

    def run(name, make):
        t = time.perf_counter()
        try:
            neighbours = make()
        except ImportError as exc:
            rows.append((name, None, None, None, f"not run ({exc.name or exc} missing)"))
            return
        p, cov, n = score(neighbours, records, k)
        rows.append((name, p, cov, n, f"{time.perf_counter() - t:.1f}"))

    if not args.no_kgraph:
        from kgraph.links import paper_links

        t = time.perf_counter()
        mentions, concepts, timings = kgraph_tables(path, records, args.cache)
        build_s = time.perf_counter() - t
        print(f"kgraph build: {build_s:.1f} s ({', '.join(f'{s} {v:.1f}' for s, v in timings.items())})")
        from kgraph.concepts import linking_mentions

        # as a build links papers: mentions plus the broader concepts and parts they imply
        linking = linking_mentions(mentions, concepts)
        for weight in [w.strip() for w in args.weights.split(",") if w.strip()]:
            run(f"kgraph ({weight})", lambda w=weight: neighbours_from_links(
                paper_links(linking, concepts, weight=w, top_k=k), k))
    run("TF-IDF cosine", lambda: tfidf_neighbours(records, k))
    run("TF-IDF cosine (raw tf)", lambda: tfidf_neighbours(records, k, sublinear=False))
    if not args.no_yake:
        run("YAKE Jaccard", lambda: yake_neighbours(records, k))
    rows.append(("chance", chance(records), None, None, ""))

    labels = {lab for r in records for lab in r["labels"]}
    print(f"\n{path.name}: {len(records)} papers, {len(labels)} labels, k = {k}\n")
    print(f"| system | precision@{k} | coverage | papers with links | seconds |")
    print("|---|---|---|---|---|")
    for name, p, cov, n, secs in rows:
        fmt = (lambda x: "" if x is None else f"{100 * x:.2f}%")
        print(f"| {name} | {fmt(p)} | {fmt(cov)} | {'' if n is None else n} | {secs} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
