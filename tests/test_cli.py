"""The command line, end to end, as a user runs it."""
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"
EXPECTED_FILES = {
    "graph.html", "papers.html", "concepts.html", "index.html", "graph.graphml", "graph.gexf", "graph.json",
    "papers.csv", "concepts.csv", "mentions.csv", "paper_links.csv", "concept_links.csv", "summary.json",
    "trends.html", "paper_graph.graphml", "paper_graph.gexf", "concept_graph.graphml", "concept_graph.gexf",
    "communities.csv", "concept_years.csv",
}


def kgraph(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kgraph", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Forty papers of the built-in corpus as a user's JSONL, with ids of their own."""
    from kgraph.sources import read_papers

    papers, _ = read_papers(None)
    path = tmp_path_factory.mktemp("corpus") / "forty.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for i, row in enumerate(papers.head(40).itertuples()):
            fh.write(json.dumps({"id": f"user-{i:02d}", "title": row.title, "abstract": row.abstract}) + "\n")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory, corpus):
    out = tmp_path_factory.mktemp("build") / "out"
    cache = tmp_path_factory.mktemp("cache")
    r = kgraph("build", corpus, "--out", out, "--cache-dir", cache, "--min-df", "2", "-q")
    assert r.returncode == 0, r.stderr
    return out, r


def test_build_writes_every_output_file(built):
    out, r = built
    assert EXPECTED_FILES <= {p.name for p in out.iterdir()}
    assert "papers" in r.stdout and "concepts" in r.stdout and "outputs" in r.stdout
    # how many papers had a year (none here), and the top concepts with the papers they reach
    assert "years       0 of 40 papers have a year" in r.stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["papers_with_year"] == 0 and summary["years"] is None
    top = summary["top_concepts"][0]
    assert top["reach"] >= top["doc_freq"] > 0 and f"{top['label']} {top['doc_freq']} ({top['reach']} with narrower)" \
        in r.stdout


def test_jsonl_ids_are_kept_and_tables_read_back(built, corpus):
    out, _ = built
    src = [json.loads(l) for l in corpus.read_text(encoding="utf-8").splitlines() if l.strip()]
    papers = pd.read_csv(out / "papers.csv", dtype=str, keep_default_na=False)
    assert set(papers["paper_id"]) == {r["id"] for r in src}
    mentions = pd.read_csv(out / "mentions.csv", keep_default_na=False)
    assert {"paper_id", "concept_id", "label", "score", "rank"} <= set(mentions.columns)
    links = pd.read_csv(out / "paper_links.csv", keep_default_na=False)
    assert {"source", "target", "weight", "shared"} <= set(links.columns)


def test_graphml_reads_back_with_same_counts(built):
    out, _ = built
    G = nx.read_graphml(out / "graph.graphml")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    papers = pd.read_csv(out / "papers.csv", dtype=str, keep_default_na=False)
    assert sum(1 for _, d in G.nodes(data=True) if d["kind"] == "paper") == len(papers)
    assert summary["papers"] == len(papers)


def test_html_loads_nothing_from_the_network(built):
    out, _ = built
    html = (out / "graph.html").read_text(encoding="utf-8")
    import re

    assert not re.search(r"<script[^>]+src=[\"']?https?:", html)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", html)


def test_questions_over_a_saved_build(built):
    out, _ = built
    papers = pd.read_csv(out / "papers.csv", dtype=str, keep_default_na=False)
    links = pd.read_csv(out / "paper_links.csv", dtype=str, keep_default_na=False)
    assert len(links) > 0
    a, b = links.iloc[0]["source"], links.iloc[0]["target"]
    r = kgraph("related", a, "--build", out)
    assert r.returncode == 0, r.stderr
    assert b in r.stdout
    r = kgraph("explain", a, b, "--build", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"{a} and {b} share ") and "contribution" in r.stdout and "NaN" not in r.stdout
    r = kgraph("concepts", "--top", "5", "--build", out)
    assert r.returncode == 0 and len(r.stdout.splitlines()) >= 5


def test_explain_two_papers_without_a_shared_concept_says_so(built):
    """One line, not a table of NaN contributions."""
    from kgraph.pipeline import KnowledgeGraph

    out, _ = built
    kg = KnowledgeGraph.load(out)
    ids = kg.papers["paper_id"].tolist()
    a, b = next((a, b) for i, a in enumerate(ids) for b in ids[i + 1:] if kg.explain(a, b).attrs["case"] != "shared")
    r = kgraph("explain", a, b, "--build", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("\n") == 1 and r.stdout.startswith(f"{a} and {b} share no concept")
    assert "NaN" not in r.stdout


def test_ids_that_look_like_numbers_stay_text(tmp_path):
    """An arXiv id is text: 0712.3825 is not 712.3825 (CSV), nor 1706.03760 the float 1706.0376 (a JSON
    number); read back by KnowledgeGraph.load, from papers.csv as its writer says, and by the commands."""
    from kgraph.pipeline import KnowledgeGraph

    (tmp_path / "old.csv").write_text("id,title,abstract\n0712.3825,Graph neural networks for molecules,"
                                      "We train graph neural networks on small molecules.\n", encoding="utf-8")
    (tmp_path / "new.jsonl").write_text(
        '{"id": 1706.03760, "title": "Attention in graph neural networks", "abstract": "Graph neural networks '
        'attend to small molecules."}\n'
        '{"id": 0704.0001, "title": "Not JSON", "abstract": "A JSON number cannot start with a zero."}\n',
        encoding="utf-8")
    out = tmp_path / "out"
    r = kgraph("build", tmp_path / "old.csv", tmp_path / "new.jsonl", "--out", out, "--no-cache", "--min-df", "1",
               "-q")
    assert r.returncode == 0, r.stderr
    assert 'new.jsonl:2: invalid JSON' in r.stderr and 'quote it ("0704.0001")' in r.stderr
    ids = ["0712.3825", "1706.03760"]
    assert KnowledgeGraph.load(out).papers["paper_id"].tolist() == ids
    for table, columns in (("papers.csv", ["paper_id"]), ("paper_links.csv", ["source", "target"])):
        back = pd.read_csv(out / table, keep_default_na=False,
                           dtype={c: str for c in ("paper_id", "concept_id", "source", "target")})
        assert sorted(back[columns].stack()) == ids, table
    r = kgraph("related", "0712.3825", "--build", out)
    assert r.returncode == 0 and r.stdout.startswith("0712.3825: Graph neural networks") and "1706.03760" in r.stdout


def test_bad_input_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "papers.xyz"
    bad.write_text("hello", encoding="utf-8")
    r = kgraph("build", bad, "--out", tmp_path / "o", "--no-cache")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert str(bad.name) in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_missing_file_and_bad_option(tmp_path):
    r = kgraph("build", tmp_path / "nope.jsonl", "--out", tmp_path / "o", "--no-cache")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "nope.jsonl" in r.stderr
    r = kgraph("build", DATA / "small.jsonl", "--link-weight", "magic", "--out", tmp_path / "o", "--no-cache")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_refuses_a_folder_it_did_not_make(tmp_path):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("precious", encoding="utf-8")
    r = kgraph("build", DATA / "small.jsonl", "--out", mine, "--no-cache")
    assert r.returncode == 2 and "--force" in r.stderr
    assert (mine / "chapter1.tex").read_text(encoding="utf-8") == "precious"


def test_help_is_complete():
    """Every setting of BuildConfig that names an option is one, with its help printed whole
    (typer's rich markup printed `pip install 'kgraph'`: it took [igraph] for a style; [dask] now)."""
    from dataclasses import fields

    from kgraph.config import BuildConfig

    r = kgraph("build", "--help")
    assert r.returncode == 0
    flat = " ".join(r.stdout.split())
    table = [f.metadata for f in fields(BuildConfig) if f.metadata.get("option")]
    assert len(table) >= 16
    for meta in table:
        assert meta["option"] in r.stdout and " ".join(meta["help"].split()) in flat, meta["option"]
    for opt in ("--out", "--no-cache", "--force", "--quiet"):  # the command's own
        assert opt in r.stdout, opt
    assert "pip install 'kgraph[dask]'" in flat
    assert kgraph("--help").returncode == 0


def test_version():
    import kgraph as kg

    r = kgraph("--version")
    assert r.returncode == 0 and r.stdout == f"kgraph {kg.__version__}\n"


@pytest.mark.parametrize("args, message", [
    (["--link-weight", "magic"], "--link-weight must be cosine, idf, count or jaccard, not 'magic'"),
    (["--communities", "spectral"], "--communities must be leiden or louvain, not 'spectral'"),
    (["--min-df", "0"], "--min-df must be at least 1, not 0"),
    (["--backbone", "2"], "--backbone must be in (0, 1], not 2.0"),
    (["--max-html-nodes", "5"], "--max-html-nodes must be at least 10, not 5"),
    (["--min-df", "x"], None),  # click's own words, which name the option too
    (["--what"], None),
])
def test_a_bad_option_is_one_line_naming_the_option(tmp_path, args, message):
    r = kgraph("build", DATA / "small.jsonl", "--out", tmp_path / "o", "--no-cache", *args)
    assert (r.returncode, r.stdout) == (2, "")
    if message:
        assert r.stderr == f"kgraph: error: {message}\n"
    else:
        assert r.stderr.startswith("kgraph: error: ") and r.stderr.count("\n") == 1 and args[0] in r.stderr
    assert not (tmp_path / "o").exists()


def test_every_setting_option_reaches_the_build(tmp_path, monkeypatch):
    """The options made from BuildConfig's fields set those fields (checked in this process)."""
    from dataclasses import fields

    from click.testing import CliRunner

    from kgraph import cli, pipeline
    from kgraph.config import BuildConfig

    words = tmp_path / "words.txt"
    words.write_text("label\treplace by\n", encoding="utf-8")
    given = {"format": "csv", "model": "my_model", "min_df": 3, "max_concepts": 50, "thesaurus": words,
             "stopwords": words, "focus": ["Boltzmann", "flow"], "link_weight": "idf", "links_per_paper": 4,
             "backbone": 0.05, "community_method": "leiden", "batch_size": 8, "cache_dir": tmp_path / "c",
             "strict": True, "dask": "local", "seed": 7, "max_html_nodes": 300,
             "keep_generic": True}
    args = ["build", str(DATA / "small.jsonl"), "--out", str(tmp_path / "o")]
    for f in fields(BuildConfig):
        option = f.metadata.get("option")
        if option:
            value = given.pop(f.name)
            args += [option] if value is True else [option, ",".join(value) if isinstance(value, list) else str(value)]
    assert not given  # every option is tried
    seen = []
    monkeypatch.setattr(pipeline, "build_into",
                        lambda out, config, **kw: seen.append(config) or pipeline.PreviousBuild(out, "0" * 64, 0, ()))
    r = CliRunner().invoke(cli.app, args)
    assert r.exit_code == 0, r.output
    want = BuildConfig(inputs=[DATA / "small.jsonl"], format="csv", model="my_model", min_df=3, max_concepts=50,
                       thesaurus=words, stopwords=words, focus="Boltzmann,flow", link_weight="idf",
                       links_per_paper=4, backbone=0.05, community_method="leiden", batch_size=8,
                       cache_dir=tmp_path / "c", strict=True, dask="local", seed=7, max_html_nodes=300,
                       keep_generic=True)
    assert seen == [want]
    r = CliRunner().invoke(cli.app, ["build", "--out", str(tmp_path / "o"), "--cache-dir", "x", "--no-cache"])
    assert seen[-1] == BuildConfig(cache_dir=None)  # the defaults are BuildConfig's


def test_backbone_keeps_only_significant_links(tmp_path, corpus, built):
    out, _ = built
    thin = tmp_path / "thin"
    r = kgraph("build", corpus, "--out", thin, "--cache-dir", tmp_path / "cache", "--backbone", "0.05", "-q")
    assert r.returncode == 0, r.stderr
    full = pd.read_csv(out / "paper_links.csv", dtype={"source": str, "target": str})
    kept = pd.read_csv(thin / "paper_links.csv", dtype={"source": str, "target": str})
    assert 0 < len(kept) < len(full)
    # a subset of the same links, same weights and explanations
    merged = kept.merge(full, on=["source", "target"], suffixes=("", "_full"), validate="one_to_one")
    assert len(merged) == len(kept)
    assert (merged["weight"] - merged["weight_full"]).abs().max() < 1e-9
    assert (merged["shared"] == merged["shared_full"]).all()
    assert json.loads((thin / "summary.json").read_text(encoding="utf-8"))["settings"]["backbone"] == 0.05
    r = kgraph("build", corpus, "--out", tmp_path / "x", "--no-cache", "--backbone", "2")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_louvain_communities_label_the_same_papers(tmp_path, corpus, built):
    """--communities louvain (not the default leiden) gives every linked paper a
    labelled community; same links, only the community columns change."""
    out, _ = built
    other = tmp_path / "louvain"
    r = kgraph("build", corpus, "--out", other, "--cache-dir", tmp_path / "cache", "--communities", "louvain", "-q")
    assert r.returncode == 0, r.stderr
    full = pd.read_csv(out / "paper_links.csv", dtype={"source": str, "target": str})
    assert pd.read_csv(other / "paper_links.csv", dtype={"source": str, "target": str}).equals(full)
    papers = pd.read_csv(other / "papers.csv", dtype={"paper_id": str})
    linked = set(full["source"]) | set(full["target"])
    in_graph = papers[papers["paper_id"].isin(linked)]
    assert (in_graph["community"] >= 0).all() and in_graph["community_label"].notna().all()
    assert 1 < in_graph["community"].nunique() < len(in_graph)
    summary = json.loads((other / "summary.json").read_text(encoding="utf-8"))
    assert summary["settings"]["community_method"] == "louvain"
    r = kgraph("build", corpus, "--out", tmp_path / "x", "--no-cache", "--communities", "spectral")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "--communities" in r.stderr




def test_ctrl_c_during_the_parse_says_so_and_leaves_no_process_and_no_output(tmp_path, corpus):
    """SIGINT reaches the whole process group, as a terminal's Ctrl-C does: the parse processes
    ignore it, the build stops them, writes nothing and says it was interrupted."""
    import os
    import signal
    import time

    # enough papers to parse in child processes for a few seconds: 320, each copy with a title of its
    # own (copies with the same title are merged back into the forty, parsed in about a second: too
    # little for an interrupted build to show an orphaned parse process or a sender blocked on the pipe)
    big = tmp_path / "big.jsonl"
    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    big.write_text("".join(json.dumps(dict(r, id=f"copy{k}-{r['id']}", title=f"{r['title']} (copy {k})")) + "\n"
                           for k in range(8) for r in records), encoding="utf-8")
    out = tmp_path / "out"
    # as from a terminal: a shell that ran this suite in the background passed SIGINT on ignored,
    # and Python leaves an ignored SIGINT ignored
    proc = subprocess.Popen([sys.executable, "-m", "kgraph", "build", str(big), "--out", str(out), "--cache-dir",
                             str(tmp_path / "cache")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen = ""
    deadline = time.monotonic() + 120
    while "extracting" not in seen and time.monotonic() < deadline:  # the progress bar: parsing
        seen += os.read(proc.stderr.fileno(), 4096).decode("utf-8", "replace")
    assert "extracting" in seen, seen
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "kgraph: interrupted" in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".out.kgraph-new-*"))
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):  # no parse process left behind in its group
        os.killpg(proc.pid, 0)
