"""The HTML views in a real browser (Debian's Chromium, driven by playwright).

Each page is opened from disk and must: draw every node, log no error, request
nothing but itself, find papers and concepts by a word, and show hostile titles
as text without running them.
"""
from __future__ import annotations

import struct
import subprocess
import sys
from types import SimpleNamespace

import pytest
from conftest import CHROMIUM, HOSTILE_TITLES, SMALL_RECORDS, make_kg, random_records

from kgraph import explorer, export
from kgraph.screenshot import launch, wait_until_drawn

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is missing (`make browser` installs Debian's chromium)")


@pytest.fixture(scope="module")
def kg():
    return make_kg(SMALL_RECORDS, focus=["flow"])


@pytest.fixture(scope="module")
def site(kg, tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "outputs"
    export.write_outputs(kg, out)
    return out


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser):
    """Open a page and record console errors, requests and dialogs while it lives."""
    pages = []

    def open_page(path=None, html=None):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        log = SimpleNamespace(errors=[], requests=[], dialogs=[], page=page)
        page.on("console", lambda m: log.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: log.errors.append(str(e)))
        page.on("request", lambda r: log.requests.append(r.url))
        page.on("dialog", lambda d: (log.dialogs.append(d.message), d.dismiss()))
        pages.append(page)
        if html is not None:
            page.set_content(html)
        else:
            page.goto(path.as_uri())
            if page.evaluate("() => 'kgraph' in window"):
                wait_until_drawn(page)
        return log

    yield open_page
    for page in pages:
        page.close()


def _offline(log, path):
    return [url for url in log.requests if url != path.as_uri() and not url.startswith("data:")]


@pytest.mark.parametrize("view", ["graph", "papers", "concepts"])
def test_every_view_draws_all_nodes_offline_and_without_errors(kg, site, visit, view):
    path = site / f"{view}.html"
    log = visit(path)
    expected = {"graph": kg.graph.number_of_nodes(), "papers": len(kg.papers),
                "concepts": int(kg.concepts["selected"].sum())}[view]
    drawn = log.page.evaluate("() => kgraph.network.body.data.nodes.length")
    assert drawn == expected == log.page.evaluate("() => kgraph.nodes.length")
    edges = log.page.evaluate("() => kgraph.edges.length")
    assert edges == len(explorer.build_view(kg, view).edges)
    assert log.page.locator("#kg-net canvas").count() == 1
    assert log.errors == [] and log.dialogs == []
    assert _offline(log, path) == []
    # the legend names the communities and the page links the other views
    assert log.page.locator("#kg-communities li").count() >= 2
    assert log.page.locator("#kg-nav a").count() == 4


def test_index_page_summarises_the_build_offline(kg, site, visit):
    path = site / "index.html"
    log = visit(path)
    assert log.errors == [] and _offline(log, path) == []
    links = log.page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
    assert {"graph.html", "papers.html", "concepts.html", "graph.gexf", "papers.csv"} <= set(links)
    assert "normalizing flow" in log.page.inner_text("body")


@pytest.mark.parametrize("view, query, expected", [
    ("graph", "lattice", "paper:p02"),
    ("graph", "molecular dyn", "concept:molecular dynamics"),
    ("papers", "chain thought", "p07"),
    ("concepts", "IRL", "inverse reinforcement learning"),  # by alias
])
def test_search_finds_a_node_by_any_word_and_selects_it(site, visit, view, query, expected):
    log = visit(site / f"{view}.html")
    log.page.fill("#kg-search", query)
    assert log.page.evaluate("() => kgraph.network.getSelectedNodes()") == [expected]
    assert log.page.locator("#kg-results li").count() >= 1
    assert log.page.is_visible("#kg-details")
    assert log.errors == []


def test_hostile_titles_are_shown_as_text_and_run_nothing(site, visit):
    log = visit(site / "graph.html")
    page = log.page
    for title, node in zip(HOSTILE_TITLES, ("paper:p09", "paper:p10")):
        page.fill("#kg-search", "")
        page.fill("#kg-search", "script alert" if node == "paper:p10" else "onerror")
        assert page.evaluate("() => kgraph.network.getSelectedNodes()") == [node]
        assert page.inner_text("#kg-details h2") == title
        assert page.locator("#kg-results li").first.inner_text().endswith(title)
        # hover the node: the tooltip shows the title as text
        page.wait_for_function("() => !kgraph.moving")  # the view glides to the node
        xy = page.evaluate(f"() => kgraph.network.canvasToDOM(kgraph.network.getPosition({node!r}))")
        page.mouse.move(xy["x"], xy["y"])
        page.wait_for_selector("#kg-tooltip:not([hidden])")
        assert page.inner_text("#kg-tooltip strong") == title
        page.mouse.move(5, 890)
    assert page.evaluate("() => document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert page.evaluate("() => document.scripts.length") == 3
    assert log.dialogs == [] and log.errors == []


def test_clicking_a_node_highlights_its_neighbourhood(kg, site, visit):
    log = visit(site / "graph.html")
    page = log.page
    node = "concept:language model"
    page.evaluate(f"() => kgraph.network.moveTo({{position: kgraph.network.getPosition({node!r}), scale: 1}})")
    xy = page.evaluate(f"() => kgraph.network.canvasToDOM(kgraph.network.getPosition({node!r}))")
    page.mouse.click(xy["x"], xy["y"])
    assert page.evaluate("() => kgraph.network.getSelectedNodes()") == [node]
    opacity = ("() => Object.values(kgraph.network.body.nodes).filter(n => !n.isCluster)"
               ".map(n => [n.id, n.options.opacity])")
    shown = dict(page.evaluate(opacity))
    near = {node, *kg.graph.neighbors(node)}
    assert {v for v, o in shown.items() if o == 1} == near
    assert {o for v, o in shown.items() if v not in near} == {0.25}
    assert page.is_visible("#kg-details")
    # another node: the first one's neighbourhood goes dim again
    page.evaluate("() => kgraph.select('paper:p11', false)")
    shown = dict(page.evaluate(opacity))
    assert shown["paper:p11"] == 1 and shown[node] == 0.25
    page.mouse.click(1000, 880)  # the background: back to normal
    assert set(dict(page.evaluate(opacity)).values()) == {1}
    assert page.evaluate("() => kgraph.network.getSelectedNodes()") == []
    assert log.errors == []


def test_filters_hide_a_community_and_weakly_linked_nodes(kg, site, visit):
    log = visit(site / "papers.html")
    page = log.page
    visible = "() => kgraph.nodes.get({filter: n => !n.hidden}).length"
    total = page.evaluate(visible)
    first = page.evaluate("() => kgraph.data.communities[0].count")
    page.locator("#kg-communities input").first.uncheck()
    assert page.evaluate(visible) == total - first
    page.locator("#kg-communities input").first.check()
    top = int(kg.paper_graph.degree[max(kg.paper_graph, key=kg.paper_graph.degree)])
    page.evaluate(f"() => {{ const r = document.getElementById('kg-degree'); r.value = {top};"
                  " r.dispatchEvent(new Event('input')); }")
    strong = sum(1 for v in kg.paper_graph if kg.paper_graph.degree[v] >= top)
    assert page.evaluate(visible) == strong
    assert log.errors == []


def test_a_pruned_page_says_what_it_left_out(tmp_path, visit):
    big = make_kg(random_records(150, 80, seed=5), max_html_nodes=60, centrality=False)
    path = tmp_path / "graph.html"
    path.write_text(explorer.kg_html(big, "graph"), encoding="utf-8")
    log = visit(path)
    assert log.page.evaluate("() => kgraph.nodes.length") == 60
    assert "Showing" in log.page.inner_text("#kg-notes")
    assert log.errors == []


def test_the_notebook_frame_runs_the_page_inline(kg, visit):
    log = visit(html=explorer.show(kg, view="concepts", height="600px").data)
    frame = log.page.frame_locator("iframe")
    frame.locator("#kg-net canvas").wait_for()
    inner = log.page.frames[1]
    inner.wait_for_function("() => window.kgraph && window.kgraph.ready")
    assert inner.evaluate("() => kgraph.nodes.length") == int(kg.concepts["selected"].sum())
    assert log.errors == [] and [u for u in log.requests if u.startswith("http")] == []


def test_screenshot_command_writes_a_1400x900_png(site, tmp_path):
    png = tmp_path / "graph.png"
    done = subprocess.run([sys.executable, "-m", "kgraph.screenshot", str(site / "graph.html"), str(png)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1400, 900)
