"""A whole build of 100,000 abstracts made of real sentences: time and memory of every stage.

Usage (from the repository root)::

    python benchmarks/scale.py                    # 100,000 papers: about 25 minutes on 2 cores
    python benchmarks/scale.py --papers 10000     # a smaller corpus

``speed.py`` runs the graph stages at 100,000 papers on a synthetic incidence (the
issue's proof); this runs ``kgraph build`` itself, as a user does, on a corpus of
that size whose text is real: each paper is 5-10 sentences drawn at random from the
abstracts of ``../shared/data/links_arxiv_dev.jsonl`` and
``keyphrases_inspec_dev.jsonl`` (18,000-odd sentences), its title a real title with
the first words of another sentence after a colon. Drawn sentences make a harder
corpus than one field's real papers: each sentence, and so each of its concepts, is
in about 40 papers, and a paper's sentences come from papers on different topics.
Measured on such a corpus (its titles made otherwise): 102 linking concepts a paper
against 36 in the real abstracts, and the work of linking the papers (the sum over
concepts of their document frequency squared) 6.2e10, against about 2e10 for the real
abstracts' frequencies scaled to 100,000 papers.

Two runs, each ``kgraph build`` in a fresh process: cold (empty cache: spaCy parses
every paper) and forced (``--force``: every paper from the cache, every later stage
again). Printed: wall seconds, the stages' seconds as ``kgraph build`` reports them,
the largest process's peak resident set (``os.wait4``), and the peak of the
processes' proportional set sizes summed (``/proc/PID/smaps_rollup``, sampled every
half second: shared pages counted once).

The corpus is written to a temporary folder and removed afterwards; nothing from
``../shared/data`` is kept.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SOURCES = ("links_arxiv_dev.jsonl", "keyphrases_inspec_dev.jsonl")
STAGES = ("ingest", "nlp", "concepts", "graph", "projections", "communities", "export")


def make_corpus(path: Path, n: int, seed: int) -> int:
    """Write ``n`` papers of drawn sentences to ``path`` (JSONL); return the number of sentences drawn from."""
    sentences, titles = [], []
    for name in SOURCES:
        with open(DATA / name, encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                title = " ".join(str(record.get("title") or "").split())
                abstract = " ".join(str(record.get("abstract") or "").split())
                if title:
                    titles.append(title)
                sentences += [s for s in re.split(r"(?<=[.!?])\s+", abstract) if len(s) > 20]
    rng = random.Random(seed)
    seen: set[str] = set()
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            while True:  # titles are unique: kgraph merges papers with the same title
                words = rng.choice(sentences).split()[:6]
                title = f"{rng.choice(titles)}: {' '.join(words).rstrip('.,;:')}"
                if title.lower() not in seen:
                    seen.add(title.lower())
                    break
            abstract = " ".join(rng.sample(sentences, rng.randint(5, 10)))
            fh.write(json.dumps({"id": f"s{i:06d}", "title": title, "abstract": abstract}) + "\n")
    return len(sentences)


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parent = int(fh.read().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _pss_kb(pids: list[int]) -> int:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def run_build(python: str, corpus: Path, cache: Path, out: Path, force: bool) -> dict:
    """``kgraph build`` in a fresh process: wall, stage seconds, peak RSS and summed PSS."""
    cmd = [python, "-m", "kgraph", "build", str(corpus), "--cache-dir", str(cache), "--out", str(out), "-q"]
    if force:
        cmd.append("--force")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    texts: dict[str, str] = {}
    readers = [threading.Thread(target=lambda k=k, f=f: texts.__setitem__(k, f.read()), daemon=True)
               for k, f in (("stdout", proc.stdout), ("stderr", proc.stderr))]
    for t in readers:
        t.start()
    peak_pss = 0
    while True:  # sample the processes' memory until the build ends
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak_pss = max(peak_pss, _pss_kb(_tree(proc.pid)))
        time.sleep(0.5)
    wall = time.perf_counter() - started
    for t in readers:
        t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"kgraph build failed ({proc.returncode}):\n{texts['stderr'][-2000:]}")
    timings = {}
    for line in texts["stdout"].splitlines():
        if line.startswith("timings"):
            timings = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+)s", line)}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    # ru_maxrss: the largest of the build's processes (its own and those it waited for)
    return {"wall": wall, "timings": timings, "summary": summary, "peak_rss_mb": usage.ru_maxrss / 1024,
            "peak_pss_mb": peak_pss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"),
                        help="the Python of the venv kgraph is installed in")
    args = parser.parse_args()
    missing = [name for name in SOURCES if not (DATA / name).exists()]
    if missing:
        raise SystemExit(f"missing {', '.join(missing)} in {DATA}")
    with tempfile.TemporaryDirectory(prefix="kgraph-scale-") as tmp:
        tmp = Path(tmp)
        corpus = tmp / "corpus.jsonl"
        n_sentences = make_corpus(corpus, args.papers, args.seed)
        print(f"corpus: {args.papers:,} papers of 5-10 sentences drawn from {n_sentences:,} "
              f"({corpus.stat().st_size / 1e6:.0f} MB)", flush=True)
        rows = []
        for name, force in (("cold", False), ("forced (from the cache)", True)):
            r = run_build(args.python, corpus, tmp / "cache", tmp / "out", force)
            r["name"] = name
            rows.append(r)
            print(f"{name}: {r['wall']:.0f} s", flush=True)
    s = rows[0]["summary"]
    print(f"\n{s['papers']:,} papers, {s['concepts_selected']:,} concepts in the graph "
          f"(of {s['concepts_extracted']:,}), {s['paper_links']:,} paper links, "
          f"{s['concept_links']:,} concept links, {s['communities']:,} paper communities\n")
    head = ["run", "wall s", *STAGES, "peak RSS MB", "peak PSS MB"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in rows:
        cells = [r["name"], f"{r['wall']:.0f}", *(f"{r['timings'].get(k, float('nan')):.1f}" for k in STAGES),
                 f"{r['peak_rss_mb']:,.0f}", f"{r['peak_pss_mb']:,.0f}"]
        print("| " + " | ".join(cells) + " |")
    print("\nStages as kgraph build reports them (s). Peak RSS: the largest of the build's processes; "
          "peak PSS: its processes summed, sampled every half second.")


if __name__ == "__main__":
    main()
