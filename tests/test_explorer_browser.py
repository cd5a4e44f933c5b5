"""The HTML views in a real browser (Debian's Chromium, driven by playwright).

Each page is opened from disk and must: draw every node, log no error, request
nothing but itself, find papers and concepts by a word, show hostile titles as
text without running them, never draw a label over another at any zoom, and
answer the page API (select, nodeColor, setYears, colorBy, visibleNodes,
visibleLabels, zoom) and the PNG/SVG buttons.
"""
from __future__ import annotations

import json
import random
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from conftest import CHROMIUM, HOSTILE_TITLES, SMALL_RECORDS, make_kg, random_records

from kgraph import explorer, export
from kgraph.screenshot import launch, wait_until_drawn

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is missing (`make browser` installs Debian's chromium)")

VIEWS = ("graph", "papers", "concepts")


@pytest.fixture(scope="module")
def kg():
    return make_kg(SMALL_RECORDS, focus=["flow"])


@pytest.fixture(scope="module")
def site(kg, tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "outputs"
    export.write_outputs(kg, out)
    return out


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """A denser build (150 papers over 25 years): labels must compete for room."""
    big = make_kg(random_records(150, 80, seed=5), centrality=False)
    out = tmp_path_factory.mktemp("crowded")
    explorer.write_html(big, out, pages=VIEWS)
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
        page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
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
    return [url for url in log.requests if url != path.as_uri() and not url.startswith(("data:", "blob:"))]


def _page_data(path):
    import re
    text = path.read_text("utf-8")
    return json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', text, re.S).group(1))


def _overlaps(boxes):
    """Pairs of label boxes that overlap (touching edges do not count)."""
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["x"] < b["x"] + b["w"] - 0.01 and b["x"] < a["x"] + a["w"] - 0.01 and \
                    a["y"] < b["y"] + b["h"] - 0.01 and b["y"] < a["y"] + a["h"] - 0.01:
                out.append((a["id"], b["id"]))
    return out


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_draws_all_nodes_offline_and_without_errors(kg, site, visit, view):
    path = site / f"{view}.html"
    log = visit(path)
    expected = {"graph": kg.graph.number_of_nodes(), "papers": len(kg.papers),
                "concepts": int(kg.concepts["selected"].sum())}[view]
    shown = log.page.evaluate("() => kgraph.visibleNodes()")
    assert len(shown) == len(set(shown)) == expected == log.page.evaluate("() => kgraph.graph.order")
    assert set(shown) == {n["id"] for n in _page_data(path)["nodes"]}
    assert log.page.evaluate("() => kgraph.graph.size") == len(explorer.build_view(kg, view).edges)
    assert log.page.locator("#kg-net canvas").count() >= 3  # sigma's WebGL layers and the labels
    assert log.errors == [] and log.dialogs == []
    assert _offline(log, path) == []
    # the legend names the communities and the page links the other views and the trends page
    assert log.page.locator("#kg-communities li").count() >= 2
    links = log.page.eval_on_selector_all("#kg-nav a", "as => as.map(a => a.getAttribute('href'))")
    assert links == ["graph.html", "papers.html", "concepts.html", "index.html", "trends.html"]


def test_index_page_summarises_the_build_offline(kg, site, visit):
    path = site / "index.html"
    log = visit(path)
    assert log.errors == [] and _offline(log, path) == []
    links = log.page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
    assert {"graph.html", "papers.html", "concepts.html", "trends.html", "graph.gexf", "papers.csv"} <= set(links)
    assert links.count("trends.html") == 1  # a page among the views, not also among the data files
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
    assert log.page.evaluate("() => kgraph.focused()") == expected
    assert log.page.locator("#kg-results li").count() >= 1
    assert log.page.is_visible("#kg-details")
    assert log.errors == []


def test_hostile_titles_are_shown_as_text_and_run_nothing(site, visit):
    log = visit(site / "graph.html")
    page = log.page
    for title, node in zip(HOSTILE_TITLES, ("paper:p09", "paper:p10")):
        page.fill("#kg-search", "")
        page.fill("#kg-search", "script alert" if node == "paper:p10" else "onerror")
        assert page.evaluate("() => kgraph.focused()") == node
        assert page.inner_text("#kg-details h2") == title
        assert page.locator("#kg-results li").first.inner_text().endswith(title)
        # hover the node: the tooltip shows the title as text
        page.wait_for_function("() => !kgraph.moving")  # the view glides to the node
        xy = page.evaluate(f"() => kgraph.position({node!r})")
        page.mouse.move(xy["x"], xy["y"])
        page.wait_for_selector("#kg-tooltip:not([hidden])")
        assert page.inner_text("#kg-tooltip strong") == title
        page.mouse.move(340, 890)
    assert page.evaluate("() => document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert page.evaluate("() => document.scripts.length") == 3  # data, sigma + graphology, kgraph
    assert log.dialogs == [] and log.errors == []


def test_clicking_a_node_highlights_it_and_labels_its_neighbours(kg, site, visit):
    log = visit(site / "graph.html")
    page = log.page
    node = "concept:language model"
    xy = page.evaluate(f"() => kgraph.position({node!r})")
    page.mouse.click(xy["x"], xy["y"])
    page.wait_for_function(f"() => kgraph.focused() === {node!r}")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
    labelled = {b["id"] for b in page.evaluate("() => kgraph.visibleLabels()")}
    assert labelled == {node, *kg.graph.neighbors(node)}  # the neighbourhood, always labelled; nothing else
    assert page.is_visible("#kg-details")
    # another node through the API: resolves once drawn, the first neighbourhood is gone
    page.evaluate("() => kgraph.select('paper:p11')")
    assert page.evaluate("() => kgraph.focused()") == "paper:p11"
    labelled = {b["id"] for b in page.evaluate("() => kgraph.visibleLabels()")}
    assert labelled == {"paper:p11", *kg.graph.neighbors("paper:p11")}
    page.mouse.click(1000, 885)  # the background (the details panel is top right): back to normal
    page.wait_for_function("() => kgraph.focused() === null")
    assert not page.is_visible("#kg-details")
    assert len(page.evaluate("() => kgraph.visibleLabels()")) > len(labelled)
    assert log.errors == []


@pytest.mark.parametrize("view", VIEWS)
def test_no_two_labels_overlap_at_any_zoom(crowded, visit, view):
    log = visit(crowded / f"{view}.html")
    page = log.page
    counts = {}
    for factor in (1, 2, 4, 8):
        page.evaluate(f"() => kgraph.zoom({factor})")
        boxes = page.evaluate("() => kgraph.visibleLabels()")
        assert boxes, f"{view} at {factor}x draws no label"
        assert _overlaps(boxes) == [], f"{view} at {factor}x"
        assert all(b["x"] >= 330 and b["y"] >= 0 and b["x"] + b["w"] <= 1400.01 and b["y"] + b["h"] <= 900.01
                   for b in boxes)  # inside the map's frame (page pixels, right of the 330 px panel)
        counts[factor] = len(boxes)
    # zooming in reveals labels the opening view had no room for: centre on a node left unlabelled
    page.evaluate("() => kgraph.zoom(1)")
    shown = {b["id"] for b in page.evaluate("() => kgraph.visibleLabels()")}
    hidden = [v for v in page.evaluate("() => kgraph.visibleNodes()") if v not in shown]
    assert hidden, f"{view}: every label fits at 1x, nothing to reveal"
    target = hidden[len(hidden) // 2]
    page.evaluate(f"""() => {{ const d = kgraph.sigma.getNodeDisplayData({target!r}), c = kgraph.sigma.getCamera();
                      c.setState({{x: d.x, y: d.y, ratio: c.ratio / 12}}); }}""")
    page.evaluate("() => kgraph.zoom(12)")
    boxes = page.evaluate("() => kgraph.visibleLabels()")
    assert target in {b["id"] for b in boxes} and _overlaps(boxes) == []
    assert log.errors == []


def test_node_colours_are_the_builds_and_a_selection_keeps_them(kg, site, visit):
    for view in VIEWS:
        path = site / f"{view}.html"
        data = _page_data(path)
        log = visit(path)
        colours = log.page.evaluate("() => Object.fromEntries(kgraph.visibleNodes().map(id => [id, kgraph.nodeColor(id)]))")
        for node in data["nodes"]:
            want = node.get("color") or (data["palette"][node["group"]] if node["group"] >= 0 else data["other"])
            assert colours[node["id"]] == want.lower()
        assert all(len(c) == 7 and c.startswith("#") for c in colours.values())
        first = data["nodes"][0]["id"]
        log.page.evaluate(f"() => kgraph.select({first!r})")
        assert log.page.evaluate(f"() => kgraph.nodeColor({first!r})") == colours[first]
        assert log.page.evaluate("() => kgraph.nodeColor('no such node')") is None
        log.page.close()


def test_a_paper_has_one_colour_in_every_view(kg, site, visit):
    data = {view: _page_data(site / f"{view}.html") for view in ("graph", "papers")}
    assert all("color" in n for d in data.values() for n in d["nodes"]), "every node carries its colour"
    seen = {}
    for view in ("graph", "papers"):
        log = visit(site / f"{view}.html")
        for pid in kg.papers["paper_id"]:
            node = f"paper:{pid}" if view == "graph" else pid
            seen.setdefault(pid, set()).add(log.page.evaluate(f"() => kgraph.nodeColor({node!r})"))
    assert all(len(c) == 1 for c in seen.values()), seen


def _expected_in_years(data, low, high):
    """Node ids setYears(low, high) must leave: papers of those years and concepts of those papers."""
    nodes, edges = data["nodes"], data["edges"]
    year = {n["id"]: n.get("year", n["info"].get("year") if n["kind"] == "paper" else None) for n in nodes}
    papers = {n["id"] for n in nodes if n["kind"] == "paper" and year[n["id"]] is not None
              and low <= year[n["id"]] <= high}
    if data["view"] == "graph":
        concepts = set()
        for e in edges:
            for paper, other in ((nodes[e[0]], nodes[e[1]]), (nodes[e[1]], nodes[e[0]])):
                if paper["id"] in papers and other["kind"] == "concept":
                    concepts.add(other["id"])
        return papers | concepts
    if data["view"] == "papers":
        return papers
    out = set()
    for n in nodes:
        years = n.get("years") or ([n["year"]] if n.get("year") is not None else [])
        if any(low <= y <= high for y in years):
            out.add(n["id"])
    return out


@pytest.mark.parametrize("view", VIEWS)
def test_set_years_shows_the_papers_of_those_years_and_their_concepts(crowded, visit, view):
    path = crowded / f"{view}.html"
    data = _page_data(path)
    log = visit(path)
    page = log.page
    everything = set(page.evaluate("() => kgraph.visibleNodes()"))
    page.evaluate("() => kgraph.setYears(2010, 2014)")
    shown = set(page.evaluate("() => kgraph.visibleNodes()"))
    assert shown == _expected_in_years(data, 2010, 2014)
    assert 0 < len(shown) < len(everything)
    assert _overlaps(page.evaluate("() => kgraph.visibleLabels()")) == []
    assert set(b["id"] for b in page.evaluate("() => kgraph.visibleLabels()")) <= shown
    # one year, an empty range, reversed bounds, back to all: no crash
    page.evaluate("() => kgraph.setYears(2012, 2012)")
    assert set(page.evaluate("() => kgraph.visibleNodes()")) == _expected_in_years(data, 2012, 2012)
    page.evaluate("() => kgraph.setYears(1800, 1801)")
    assert page.evaluate("() => kgraph.visibleNodes()") == []
    assert page.evaluate("() => kgraph.visibleLabels()") == []
    page.evaluate("() => kgraph.setYears(2014, 2010)")
    assert set(page.evaluate("() => kgraph.visibleNodes()")) == _expected_in_years(data, 2010, 2014)
    page.evaluate("() => kgraph.setYears(null, null)")
    assert set(page.evaluate("() => kgraph.visibleNodes()")) == everything
    if not any(n.get("year") is not None or n.get("years") or (n["kind"] == "paper" and n["info"].get("year"))
               for n in data["nodes"]):
        assert "No years" in page.inner_text("#kg-years-box")
        return
    # the panel's range inputs do the same
    page.evaluate("""() => { const a = document.getElementById('kg-year-from'), b = document.getElementById('kg-year-to');
                      a.value = '2010'; a.dispatchEvent(new Event('input')); b.value = '2014';
                      b.dispatchEvent(new Event('input')); }""")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
    assert set(page.evaluate("() => kgraph.visibleNodes()")) == _expected_in_years(data, 2010, 2014)
    assert "2010" in page.inner_text("#kg-years-box")
    assert log.errors == []


def test_a_view_without_years_says_so_and_does_not_crash(tmp_path, visit):
    records = [dict(r, year=None) for r in SMALL_RECORDS]
    path = tmp_path / "papers.html"
    path.write_text(explorer.kg_html(make_kg(records), "papers"), encoding="utf-8")
    log = visit(path)
    assert "No years" in log.page.inner_text("#kg-years-box")
    assert log.page.is_hidden("#kg-year-from") and log.page.is_hidden("#kg-year-to")
    log.page.evaluate("() => kgraph.setYears(2000, 2020)")
    assert log.page.evaluate("() => kgraph.visibleNodes()") == []
    log.page.evaluate("() => kgraph.colorBy('year')")
    assert log.page.evaluate("() => kgraph.setYears(null, null).then(() => kgraph.visibleNodes().length)") == len(records)
    assert log.errors == []


@pytest.mark.parametrize("view", ("graph", "concepts"))
def test_color_by_year_uses_a_scale_with_a_legend(crowded, visit, view):
    path = crowded / f"{view}.html"
    data = _page_data(path)
    log = visit(path)
    page = log.page
    before = page.evaluate("() => kgraph.visibleNodes().map(id => kgraph.nodeColor(id))")
    assert page.is_hidden("#kg-year-legend")
    page.evaluate("() => kgraph.colorBy('year')")
    assert page.is_visible("#kg-year-legend")
    assert page.is_checked("#kg-color-year")
    year = {n["id"]: n.get("year", n["info"].get("year") if n["kind"] == "paper" else None) for n in data["nodes"]}
    dated = sorted((y, i) for i, y in year.items() if y is not None)
    assert dated, f"the {view} view's page data carries no years"
    oldest, newest = dated[0][1], dated[-1][1]
    colour = lambda i: page.evaluate(f"() => kgraph.nodeColor({i!r})")  # noqa: E731
    assert colour(oldest) == "#440154" and colour(newest) == "#fde725"  # the two ends of the scale
    # the scale spans the 5th-95th percentile of the years, its legend says so
    ys = sorted(y for y, _ in dated)
    low = ys[len(ys) * 5 // 100]
    assert page.inner_text("#kg-year-min") == (f"\u2264 {round(low)}" if ys[0] < low else str(round(low)))
    undated = [i for i, y in year.items() if y is None]
    if undated:
        assert colour(undated[0]) == "#c4c4c4"
    page.evaluate("() => kgraph.colorBy('community')")
    assert page.evaluate("() => kgraph.visibleNodes().map(id => kgraph.nodeColor(id))") == before
    assert page.is_hidden("#kg-year-legend")
    with pytest.raises(Exception, match="colorBy takes"):
        page.evaluate("() => kgraph.colorBy('size')")
    log.errors.clear()
    # the panel's radio buttons do the same
    page.check("#kg-color-year")
    assert colour(oldest) == "#440154"


def test_save_buttons_download_a_png_and_a_well_formed_svg(site, visit, tmp_path):
    log = visit(site / "concepts.html")
    page = log.page
    page.evaluate("() => kgraph.zoom(2)")
    with page.expect_download() as info:
        page.click("#kg-save-png")
    png = info.value
    assert png.suggested_filename == "kgraph-concepts.png"
    blob = open(png.path(), "rb").read()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", blob[16:24]) == (1070, 900)
    # not a blank picture: decode it in the page and count the pixels that are not background
    inked = page.evaluate("""async (bytes) => {
        const img = await createImageBitmap(new Blob([new Uint8Array(bytes)], {type: 'image/png'}));
        const c = new OffscreenCanvas(img.width, img.height), x = c.getContext('2d'); x.drawImage(img, 0, 0);
        const d = x.getImageData(0, 0, img.width, img.height).data; let n = 0;
        for (let i = 0; i < d.length; i += 4) { if (Math.abs(d[i] - 251) + Math.abs(d[i + 1] - 251) + Math.abs(d[i + 2] - 250) > 60) n++; }
        return n; }""", list(blob))
    assert inked > 2000
    with page.expect_download() as info:
        page.click("#kg-save-svg")
    svg = info.value
    assert svg.suggested_filename == "kgraph-concepts.svg"
    root = ET.parse(svg.path()).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.get("width") == "1070"
    texts = [t.text for t in root.iter(f"{ns}text")]
    labels = page.evaluate("() => kgraph.visibleLabels().map(b => kgraph.data.nodes.find(n => n.id === b.id).label)")
    assert labels and set(labels) <= set(texts)  # the labels on screen, and the legend
    assert any("Concepts" in (t or "") for t in texts)
    assert len(list(root.iter(f"{ns}polygon"))) + len(list(root.iter(f"{ns}circle"))) > 10
    assert log.errors == []


def test_filters_hide_a_community_and_weakly_linked_nodes(kg, site, visit):
    log = visit(site / "papers.html")
    page = log.page
    visible = "() => kgraph.visibleNodes().length"
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


def test_a_legend_entry_hides_exactly_the_nodes_of_its_colour(site, visit):
    # in the combined view paper and concept communities share numbers: the legend goes by colour
    log = visit(site / "graph.html")
    page = log.page
    entries = page.evaluate("() => kgraph.data.communities")
    ids = page.evaluate("() => kgraph.visibleNodes()")
    colour = {i: page.evaluate(f"() => kgraph.nodeColor({i!r})") for i in ids}
    boxes = page.locator("#kg-communities input")
    assert boxes.count() == len(entries) > 2
    for k, entry in enumerate(entries):
        same = {i for i in ids if colour[i] == entry["color"].lower()}
        assert 0 < len(same) < len(ids)
        boxes.nth(k).uncheck()
        assert sorted(page.evaluate("() => kgraph.visibleNodes()")) == sorted(set(ids) - same)
        boxes.nth(k).check()
    assert log.errors == []


def test_a_pruned_page_says_what_it_left_out(tmp_path, visit):
    big = make_kg(random_records(150, 80, seed=5), max_html_nodes=60, centrality=False)
    path = tmp_path / "graph.html"
    path.write_text(explorer.kg_html(big, "graph"), encoding="utf-8")
    log = visit(path)
    assert len(log.page.evaluate("() => kgraph.visibleNodes()")) == 60
    assert "Showing" in log.page.inner_text("#kg-notes")
    assert log.errors == []


def test_a_20000_node_view_opens_and_selects(tmp_path, visit):
    n, rng = 20_000, random.Random(7)
    nodes = [{"id": f"p{i}", "kind": "paper", "group": i % 20, "community": i % 20, "degree": 0, "focus": False,
              "x": round(rng.gauss(0, 1) * 3000, 1), "y": round(rng.gauss(0, 1) * 3000, 1), "label": f"Paper {i}",
              "font": 6.0 if i % 50 else 20.0, "size": 8.0, "year": 2000 + i % 20,
              "info": {"title": f"Paper {i}", "year": 2000 + i % 20}} for i in range(n)]
    pairs = {tuple(sorted((i, rng.randrange(n)))) for i in range(n) for _ in range(3)}
    edges = [[a, b, 1.0, explorer.EDGE_KINDS["link"], []] for a, b in sorted(pairs) if a != b]
    for a, b, *_ in edges:
        nodes[a]["degree"] += 1
        nodes[b]["degree"] += 1
    data = {"view": "papers", "title": "big", "nodes": nodes, "edges": edges, "communities": [], "palette":
            list(explorer.PALETTE), "other": explorer.OTHER_COLOR, "notes": [], "total": {"nodes": n, "edges": len(edges)},
            "pages": {p: explorer.VIEW_FILES[p] for p in explorer.PAGES}}
    path = tmp_path / "papers.html"
    path.write_text(explorer.render_page(data), encoding="utf-8")
    log = visit(path)
    page = log.page
    assert len(page.evaluate("() => kgraph.visibleNodes()")) == n
    assert page.evaluate("() => kgraph.graph.size") == len(edges)
    hub = max(range(n), key=lambda i: (nodes[i]["degree"], -i))
    page.evaluate(f"() => kgraph.select('p{hub}')")
    assert page.evaluate("() => kgraph.focused()") == f"p{hub}"
    assert f"p{hub}" in {b["id"] for b in page.evaluate("() => kgraph.visibleLabels()")}
    page.evaluate("() => kgraph.select(null)")
    assert _overlaps(page.evaluate("() => kgraph.visibleLabels()")) == []
    assert log.errors == []


def test_the_notebook_frame_runs_the_page_inline(kg, visit):
    log = visit(html=explorer.show(kg, view="concepts", height="600px").data)
    frame = log.page.frame_locator("iframe")
    frame.locator("#kg-net canvas").first.wait_for()
    inner = log.page.frames[1]
    inner.wait_for_function("() => window.kgraph && window.kgraph.ready")
    assert len(inner.evaluate("() => kgraph.visibleNodes()")) == int(kg.concepts["selected"].sum())
    assert log.errors == [] and [u for u in log.requests if u.startswith("http")] == []


def test_screenshot_command_writes_a_1400x900_png(site, tmp_path):
    png = tmp_path / "graph.png"
    done = subprocess.run([sys.executable, "-m", "kgraph.screenshot", str(site / "graph.html"), str(png)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1400, 900)
