"""A build folder is data (issue 23): it reloads equal to the build, and opening one never runs code.

The build is saved as Parquet tables and node-link JSON graphs in ``kgraph-build/``;
a damaged or foreign folder gets one line naming the file, exit status 2 from the
CLI, and nothing half-loaded.
"""
from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import kgraph
from kgraph import store
from kgraph.config import BuildConfig
from kgraph.errors import KgraphError
from kgraph.pipeline import KnowledgeGraph

DATA = Path(__file__).parent / "data"
ARXIV_ID = "0712.3825"  # a float to anything that guesses types


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A real build of the built-in corpus (its first paper with an arXiv id; years, so that
    concept_years has rows) and its output folder."""
    from kgraph.sources import read_papers

    root = tmp_path_factory.mktemp("store")
    papers, _ = read_papers(None)
    rows = [{"id": r.paper_id, "title": r.title, "abstract": r.abstract, "year": 2012 + i % 12}
            for i, r in enumerate(papers.itertuples())]
    rows[0]["id"] = ARXIV_ID
    kg = kgraph.build(write_jsonl(root / "papers.jsonl", rows), out=root / "out", cache_dir=None)
    assert all(len(getattr(kg, name)) for name in store.TABLES)  # every table has rows to compare
    return kg, root / "out"


def fresh_copy(built, tmp_path) -> Path:
    return Path(shutil.copytree(built[1], tmp_path / "out"))


def assert_same_graph(G: nx.Graph, H: nx.Graph) -> None:
    assert type(H) is nx.Graph and H.graph == G.graph
    assert list(H.nodes(data=True)) == list(G.nodes(data=True))
    assert list(H.edges(data=True)) == list(G.edges(data=True))
    for node in G:  # neighbours in the same order: shortest paths among equals are the same
        assert list(H.adj[node]) == list(G.adj[node]), node


def test_the_reload_equals_the_build(built):
    kg, out = built
    again = KnowledgeGraph.load(out)
    for name in store.TABLES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(kg, name), check_exact=True, obj=name)
    for name in store.GRAPHS:
        assert_same_graph(getattr(kg, name), getattr(again, name))
    # where the cache lived is not saved (no fact of the build, and a folder travels): the default
    assert again.config == replace(kg.config, cache_dir=BuildConfig().cache_dir)
    assert again.summary == kg.summary
    assert (again.timings, again.run) == ({}, {})
    # and so are its answers
    pid = kg.papers["paper_id"].iloc[1]
    pd.testing.assert_frame_equal(again.related(pid), kg.related(pid))
    a, b = kg.papers["paper_id"].iloc[[0, -1]]
    pd.testing.assert_frame_equal(again.explain(a, b), kg.explain(a, b))


def test_a_build_with_empty_tables_reloads_with_the_saved_dtypes(tmp_path):
    rows = [json.loads(line) for line in (DATA / "small.jsonl").read_text(encoding="utf-8").splitlines() if line]
    kg = kgraph.build(write_jsonl(tmp_path / "two.jsonl", rows[:2]), cache_dir=None)
    assert len(kg.concept_links) == 0
    again = KnowledgeGraph.load(kg.save(tmp_path))
    for name, schema in store.TABLES.items():  # a table without rows may come with other dtypes
        pd.testing.assert_frame_equal(getattr(again, name), getattr(kg, name), check_dtype=False, obj=name)
        assert {c: str(t) for c, t in getattr(again, name).dtypes.items() if c in schema} == schema
    for name in store.GRAPHS:
        assert_same_graph(getattr(kg, name), getattr(again, name))


def test_a_lone_surrogate_is_saved_as_u_fffd_as_in_the_csv_files(built, tmp_path):
    kg, _ = built  # pandas' str dtype cannot hold one, an object column (from_extraction's input) can
    papers = kg.papers.astype({"title": object})
    papers.loc[0, "title"] = "Lone \ud800 surrogate"
    graph = kg.graph.copy()
    node = f"paper:{papers['paper_id'][0]}"
    graph.nodes[node]["title"] = papers.loc[0, "title"]
    again = KnowledgeGraph.load(replace(kg, papers=papers, graph=graph).save(tmp_path))
    assert again.papers.loc[0, "title"] == again.graph.nodes[node]["title"] == "Lone \ufffd surrogate"
    assert papers.loc[0, "title"] == "Lone \ud800 surrogate"  # the build itself keeps its text


def test_ids_stay_text(built):
    papers = KnowledgeGraph.load(built[1]).papers
    assert papers["paper_id"].dtype == "str" and ARXIV_ID in papers["paper_id"].tolist()
    assert KnowledgeGraph.load(built[1]).find_paper(ARXIV_ID) == ARXIV_ID


def test_the_saved_build_is_plain_files_pandas_and_networkx_read(built):
    kg, out = built
    folder = out / store.SAVE_FOLDER
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [store.MANIFEST] + [f"{t}.parquet" for t in store.TABLES] + [f"{g}.json" for g in store.GRAPHS])
    for name in store.TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(folder / f"{name}.parquet"), getattr(kg, name),
                                      check_dtype=False, obj=name)
    for name in store.GRAPHS:
        with open(folder / f"{name}.json", encoding="utf-8") as fh:
            assert_same_graph(getattr(kg, name), nx.node_link_graph(json.load(fh), edges="edges"))


def test_saving_again_gives_the_same_bytes_and_replaces_the_old_save(built, tmp_path):
    kg, out = built
    first = kg.save(tmp_path)
    assert first == tmp_path / store.SAVE_FOLDER
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    kg.save(tmp_path)
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before
    assert before == {p.name: p.read_bytes() for p in (out / store.SAVE_FOLDER).iterdir()}
    assert sorted(p.name for p in tmp_path.iterdir()) == [store.SAVE_FOLDER]  # nothing left beside it


def test_a_folder_of_someone_else_is_not_replaced(built, tmp_path):
    (tmp_path / store.SAVE_FOLDER).mkdir()
    (tmp_path / store.SAVE_FOLDER / "mine.txt").write_text("keep")
    with pytest.raises(KgraphError, match="not made by kgraph"):
        built[0].save(tmp_path)
    assert (tmp_path / store.SAVE_FOLDER / "mine.txt").read_text() == "keep"


@pytest.mark.parametrize("seed", range(20))
def test_insertion_order_rebuilds_every_neighbour_list(seed):
    rng = random.Random(seed)
    nodes = list(range(30))
    pairs = [(u, v) for u in nodes for v in nodes if u <= v]  # self-loops too
    rng.shuffle(pairs)
    G = nx.Graph()
    G.add_nodes_from(rng.sample(nodes, len(nodes)))
    G.add_edges_from(pairs[:rng.randrange(1, 200)])
    H = nx.Graph()
    H.add_nodes_from(G)
    H.add_edges_from(store.insertion_order(G))
    assert_same_graph(G, H)


# ----------------------------------------------------------------------------- nothing runs
class Payload:
    """Unpickling this creates the file ``path`` (what an attacker's code could do)."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return open, (str(self.path), "w")


def run_kgraph(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kgraph", *args], capture_output=True, text=True, timeout=120)


def assert_one_line(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.strip()
    assert "\n" not in err and "Traceback" not in err and err.startswith("kgraph: error: "), err
    for word in words:
        assert word in err, err


def as_older_build(out: Path, payload: Path) -> Path:
    """``out`` as a kgraph before this format left it: ``kgraph.pkl`` (here a crafted pickle), no saved folder."""
    shutil.rmtree(out / store.SAVE_FOLDER)
    (out / store.OLD_SAVE).write_bytes(pickle.dumps(Payload(payload)))
    return out


def test_a_crafted_pickle_in_an_older_build_folder_runs_nothing(built, tmp_path):
    out = as_older_build(fresh_copy(built, tmp_path), tmp_path / "pwned")
    with pytest.raises(KgraphError) as err:
        KnowledgeGraph.load(out)
    assert str(err.value) == f"{out}: made by an older kgraph; rebuild with --force"
    assert_one_line(run_kgraph("related", ARXIV_ID, "--build", str(out)), "older kgraph", "--force")
    assert_one_line(run_kgraph("concepts", "--build", str(out)), "older kgraph", "--force")
    assert not (tmp_path / "pwned").exists()


def test_a_crafted_pickle_beside_or_inside_the_saved_build_runs_nothing(built, tmp_path):
    out = fresh_copy(built, tmp_path)
    (out / store.OLD_SAVE).write_bytes(pickle.dumps(Payload(tmp_path / "pwned")))  # beside: never opened
    assert len(KnowledgeGraph.load(out).papers) == len(built[0].papers)
    for name in ("papers.parquet", "graph.json", store.MANIFEST):  # inside, under a name kgraph reads
        damaged = Path(shutil.copytree(out, tmp_path / name))
        (damaged / store.SAVE_FOLDER / name).write_bytes(pickle.dumps(Payload(tmp_path / "pwned")))
        with pytest.raises(KgraphError, match=name):
            KnowledgeGraph.load(damaged)
    assert_one_line(run_kgraph("related", ARXIV_ID, "--build", str(tmp_path / "papers.parquet")), "Parquet")
    assert not (tmp_path / "pwned").exists()


def test_a_pickled_arrow_extension_type_in_a_table_runs_nothing(built, tmp_path):
    # pyarrow before 14.0.1 unpickled these when reading a file (CVE-2023-47248); pyproject asks for 14.0.1
    out = fresh_copy(built, tmp_path)
    path = out / store.SAVE_FOLDER / "papers.parquet"
    table = pq.read_table(path)
    payload = {b"ARROW:extension:name": b"arrow.py_extension_type",
               b"ARROW:extension:metadata": pickle.dumps(Payload(tmp_path / "pwned"))}
    field = table.schema.field("paper_id").with_metadata(payload)
    pq.write_table(table.cast(table.schema.set(table.schema.get_field_index("paper_id"), field)), path)
    assert pq.read_schema(path).field("paper_id").metadata == payload  # it is in the file
    assert KnowledgeGraph.load(out).papers["paper_id"].tolist() == built[0].papers["paper_id"].tolist()
    assert not (tmp_path / "pwned").exists()


def test_an_up_to_date_looking_older_folder_is_built_again_without_running_its_pickle(built, tmp_path):
    kg, _ = built
    out = as_older_build(fresh_copy(built, tmp_path), tmp_path / "pwned")
    for name in (".kgraph", "summary.json"):  # the older kgraph listed kgraph.pkl among its files
        doc = json.loads((out / name).read_text(encoding="utf-8"))
        key = "files" if name == ".kgraph" else "outputs"
        doc[key] = [store.OLD_SAVE if f == store.SAVE_FOLDER else f for f in doc[key]]
        (out / name).write_text(json.dumps(doc), encoding="utf-8")
    again = kgraph.build(config=kg.config, out=out, cache_dir=None)
    assert again.run["up_to_date"] is False  # it could not be loaded: built again
    assert not (tmp_path / "pwned").exists()
    assert not (out / store.OLD_SAVE).exists() and (out / store.SAVE_FOLDER).is_dir()
    assert len(KnowledgeGraph.load(out).papers) == len(kg.papers)


# ----------------------------------------------------------------------------- damaged folders
def rewrite_table(folder: Path, name: str, change) -> None:
    path = folder / store.SAVE_FOLDER / f"{name}.parquet"
    pq.write_table(pa.Table.from_pandas(change(pd.read_parquet(path)), preserve_index=False), path)


def rewrite_json(folder: Path, name: str, change) -> None:
    path = folder / store.SAVE_FOLDER / name
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def truncate(folder: Path, name: str) -> None:
    path = folder / store.SAVE_FOLDER / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def set_first_row(name: str, column: str, value):
    def change(df):
        df.loc[0, column] = value
        return df
    return lambda folder: rewrite_table(folder, name, change)


def rename_first_node(doc: dict) -> None:
    """The first node called "nope", in the edges too: a graph fine in itself, not of the build's papers."""
    old = doc["nodes"][0]["id"]
    doc["nodes"][0]["id"] = "nope"
    for edge in doc["edges"]:
        for end in ("source", "target"):
            if edge[end] == old:
                edge[end] = "nope"


DAMAGE = {  # what is done to a copy of a good build folder -> (the file named, words of the error)
    "no saved build": (lambda f: shutil.rmtree(f / store.SAVE_FOLDER), "out", "no saved build"),
    "missing table": (lambda f: (f / store.SAVE_FOLDER / "mentions.parquet").unlink(), "mentions.parquet",
                      "missing"),
    "missing manifest": (lambda f: (f / store.SAVE_FOLDER / store.MANIFEST).unlink(), store.MANIFEST, "missing"),
    "truncated table": (lambda f: truncate(f, "papers.parquet"), "papers.parquet", "Parquet"),
    "truncated graph": (lambda f: truncate(f, "graph.json"), "graph.json", "not valid JSON"),
    "truncated manifest": (lambda f: truncate(f, store.MANIFEST), store.MANIFEST, "not valid JSON"),
    "empty table": (lambda f: (f / store.SAVE_FOLDER / "concepts.parquet").write_bytes(b""), "concepts.parquet",
                    "Parquet"),
    "a folder for a table": (lambda f: ((f / store.SAVE_FOLDER / "communities.parquet").unlink(),
                                        (f / store.SAVE_FOLDER / "communities.parquet").mkdir()),
                             "communities.parquet", "not a regular file"),
    "missing column": (lambda f: rewrite_table(f, "mentions", lambda df: df.drop(columns="rank")),
                       "mentions.parquet", "lacks the columns ['rank']"),
    "extra column": (lambda f: rewrite_table(f, "paper_links", lambda df: df.assign(x=1)), "paper_links.parquet",
                     "unexpected columns"),
    "wrong dtype": (lambda f: rewrite_table(f, "papers", lambda df: df.assign(pagerank=df["pagerank"].astype(str))),
                    "papers.parquet", "'pagerank'"),
    "missing value": (lambda f: rewrite_table(f, "concepts", lambda df: df.assign(
        doc_freq=pd.array([None] + df["doc_freq"].tolist()[1:], dtype="Int64"))), "concepts.parquet", "missing"),
    "fewer rows": (lambda f: rewrite_table(f, "paper_links", lambda df: df.iloc[1:]), "paper_links.parquet",
                   "rows"),
    "mention of an unknown paper": (set_first_row("mentions", "paper_id", "nope"), "mentions.parquet", "nope"),
    "link to an unknown concept": (set_first_row("concept_links", "target", "nope"), "concept_links.parquet",
                                   "nope"),
    "repeated paper id": (lambda f: rewrite_table(f, "papers", lambda df: df.assign(
        paper_id=[df["paper_id"][1]] + df["paper_id"].tolist()[1:])), "papers.parquet", "repeated"),
    "graph edge to an unknown node": (lambda f: rewrite_json(f, "paper_graph.json",
                                                             lambda d: d["edges"][0].update(target="nope")),
                                      "paper_graph.json", "'nope'"),
    "graph node that is no paper": (lambda f: rewrite_json(f, "paper_graph.json", rename_first_node),
                                    "paper_graph.json", "other nodes"),
    "graph attribute of another kind": (lambda f: rewrite_json(f, "graph.json",
                                                               lambda d: d["nodes"][0].update(title=["a", "b"])),
                                        "graph.json", "not text, a number"),
    "directed graph": (lambda f: rewrite_json(f, "concept_graph.json", lambda d: d.update(directed=True)),
                       "concept_graph.json", "undirected"),
    "another format version": (lambda f: rewrite_json(f, store.MANIFEST, lambda d: d.update(format_version=99)),
                               store.MANIFEST, "rebuild with --force"),
    "setting of the wrong type": (lambda f: rewrite_json(f, store.MANIFEST, lambda d: d["config"].update(min_df="2")),
                                  store.MANIFEST, "'min_df'"),
    "unknown setting": (lambda f: rewrite_json(f, store.MANIFEST, lambda d: d["config"].update(shell="rm -rf /")),
                        store.MANIFEST, "'shell'"),
    "refused setting": (lambda f: rewrite_json(f, store.MANIFEST, lambda d: d["config"].update(min_df=0)),
                        store.MANIFEST, "min_df"),
    "not a manifest": (lambda f: rewrite_json(f, store.MANIFEST, lambda d: d.clear()), store.MANIFEST,
                       "not a kgraph build"),
    "not UTF-8": (lambda f: (f / store.SAVE_FOLDER / "graph.json").write_bytes(b"\xff\xfe{}"), "graph.json",
                  "UTF-8"),
    "a device for a graph": (lambda f: ((f / store.SAVE_FOLDER / "graph.json").unlink(),
                                        (f / store.SAVE_FOLDER / "graph.json").symlink_to("/dev/zero")),
                             "graph.json", "not a regular file"),
    "nested too deeply": (lambda f: (f / store.SAVE_FOLDER / "graph.json").write_text("[" * 100_000),
                          "graph.json", "not valid JSON"),
    "no sizes": (lambda f: rewrite_json(f, store.MANIFEST, lambda d: d.pop("rows")), store.MANIFEST, "sizes"),
}


#: The cases also run through the command line (one of each kind: the CLI prints what load raises;
#: a kgraph process takes a second or two to start).
THROUGH_CLI = ("no saved build", "missing table", "truncated table", "truncated manifest", "missing column",
               "wrong dtype", "mention of an unknown paper", "graph edge to an unknown node",
               "another format version")


@pytest.mark.parametrize("case", DAMAGE)
def test_a_damaged_folder_gets_one_line_naming_the_file(built, tmp_path, case):
    damage, file, words = DAMAGE[case]
    out = fresh_copy(built, tmp_path)
    damage(out)
    with pytest.raises(KgraphError) as err:
        KnowledgeGraph.load(out)
    message = str(err.value)
    assert "\n" not in message and message.startswith(str(out)) and words in message, message
    assert message.split(": ")[0].endswith(file), message
    if case in THROUGH_CLI:
        assert_one_line(run_kgraph("related", ARXIV_ID, "--build", str(out)), file, words)
        assert_one_line(run_kgraph("concepts", "--build", str(out)), file, words)


def test_graph_attributes_are_data_whatever_their_names(built, tmp_path):
    out = fresh_copy(built, tmp_path)
    rewrite_json(out, "paper_graph.json", lambda d: d.update(graph={"incoming_graph_data": "x", "name": 1}))
    assert KnowledgeGraph.load(out).paper_graph.graph == {"incoming_graph_data": "x", "name": 1}


# ----------------------------------------------------------------------------- the folder among the outputs
def test_the_saved_build_counts_among_the_outputs_of_a_finished_build(built, tmp_path):
    from kgraph import pipeline

    out = fresh_copy(built, tmp_path)
    assert pipeline.previous_build(out) is not None and store.SAVE_FOLDER in pipeline.previous_build(out).files
    later = (out / ".kgraph").stat().st_mtime_ns + 10**9
    os.utime(out / store.SAVE_FOLDER / "mentions.parquet", ns=(later, later))  # changed after the build
    assert pipeline.previous_build(out) is None
    shutil.rmtree(out / store.SAVE_FOLDER)
    (out / store.SAVE_FOLDER).mkdir()  # emptied
    assert pipeline.previous_build(out) is None


def test_writing_in_place_twice_replaces_the_saved_build(built, tmp_path, monkeypatch):
    kg, _ = built
    monkeypatch.chdir(tmp_path)  # the current directory is written in place, file by file
    kg.write(".")
    (tmp_path / store.SAVE_FOLDER / "stale.json").write_text("{}")
    kg.write(".")
    assert not (tmp_path / store.SAVE_FOLDER / "stale.json").exists()  # the folder was replaced whole
    assert not [p for p in tmp_path.iterdir() if ".kgraph-" in p.name or p.name.startswith(".kgraph-build")]
    assert len(KnowledgeGraph.load(tmp_path).papers) == len(kg.papers)


def test_a_killed_builds_working_folder_with_a_saved_build_is_removed(built, tmp_path):
    from kgraph import export

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()  # a process id that is gone
    left = tmp_path / f".out.kgraph-new-{gone}-x1y2z3"
    shutil.copytree(built[1] / store.SAVE_FOLDER, left / store.SAVE_FOLDER)
    (left / "graph.html").write_text("half written")
    export.write_outputs(built[0], tmp_path / "out")
    assert not left.exists()
