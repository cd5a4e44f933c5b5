"""How fast an explorer page opens and answers a click, at 20,000 nodes, in headless Chromium.

Usage (from the repository root)::

    python benchmarks/explorer_scale.py [--nodes 20000] [--links 100000] [--renderer sigma,vis] [--repeat 3]

A synthetic papers view (``--nodes`` papers in 40 clustered communities, ``--links`` links,
mostly inside a community, as kgraph's layout draws them) is written as a page and opened in
Debian's Chromium with kgraph's launch flags (``kgraph.screenshot.launch``). Printed per renderer:

- **open**: from ``page.goto`` until the page says it has drawn itself (``kgraph.ready``), in s;
- **select**: from ``kgraph.select(id)`` (highlight a node and its neighbours) until the next
  frame is drawn, in s, the median over ``--repeat`` nodes.

Renderers: ``sigma`` is kgraph's page today (sigma.js + graphology, WebGL); ``vis`` is the page
kgraph wrote before (vis-network 9.1.2 from the pyvis wheel, the templates of commit 424e157,
read with ``git show``: run it inside the repository).
"""
from __future__ import annotations

import argparse
import html
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kgraph import explorer  # noqa: E402
from kgraph.screenshot import launch  # noqa: E402

VIS_COMMIT = "424e157"
WORDS = ("flow", "sampling", "language", "model", "graph", "neural", "network", "learning", "reasoning",
         "Boltzmann", "lattice", "quantum", "reward", "policy", "vision", "transformer", "kernel", "sparse")


def synthetic_data(n: int, m: int, seed: int = 0) -> dict:
    """Page data of a papers view with ``n`` nodes and about ``m`` links (the shape of _page_data)."""
    rng = np.random.default_rng(seed)
    k = 40
    centre = rng.normal(0, 1, (k, 2)) * 900
    community = rng.integers(0, k, n)
    xy = centre[community] + rng.normal(0, 1, (n, 2)) * 140
    by_community = [np.flatnonzero(community == c) for c in range(k)]
    lo = rng.integers(0, n, m)
    inside = rng.random(m) < 0.85
    hi = rng.integers(0, n, m)
    for i in np.flatnonzero(inside).tolist():
        members = by_community[community[lo[i]]]
        hi[i] = members[rng.integers(0, len(members))]
    keep = lo != hi
    pairs = np.unique(np.sort(np.c_[lo[keep], hi[keep]], axis=1), axis=0)
    degree = np.bincount(pairs.ravel(), minlength=n)
    palette = list(explorer.PALETTE)
    years = rng.integers(2000, 2025, n)
    nodes = []
    for i in range(n):
        words = rng.choice(len(WORDS), 4, replace=False)
        title = " ".join(WORDS[w] for w in words).capitalize() + f" {i}"
        c = int(community[i])
        nodes.append({
            "id": f"p{i:05d}", "kind": "paper", "group": c % len(palette), "community": c,
            "color": palette[c % len(palette)], "degree": int(degree[i]), "focus": False,
            "x": round(float(xy[i, 0]), 1), "y": round(float(xy[i, 1]), 1), "year": int(years[i]),
            "label": title, "font": 4.0, "size": round(2.0 + 2.0 * float(np.sqrt(degree[i] / degree.max())), 2),
            "info": {"title": title, "year": int(years[i]), "concepts": [], "sentence": "", "authors": "",
                     "url": "", "doi": ""},
        })
    weight = np.round(rng.random(len(pairs)), 3)
    edges = [[int(a), int(b), float(w), explorer.EDGE_KINDS["link"], []] for (a, b), w in zip(pairs.tolist(), weight)]
    sizes = np.bincount(community, minlength=k)
    legend = [{"group": c % len(palette), "community": c, "count": int(sizes[c]), "color": palette[c % len(palette)],
               "name": f"community {c}"} for c in np.argsort(-sizes, kind="stable").tolist()]
    return {"view": "papers", "title": explorer.VIEW_TITLES["papers"], "nodes": nodes, "edges": edges,
            "communities": legend, "palette": palette, "other": explorer.OTHER_COLOR, "notes": [],
            "pages": {p: explorer.VIEW_FILES[p] for p in explorer.PAGES},
            "total": {"nodes": n, "edges": len(edges)}, "shown": {"papers": n, "concepts": 0},
            "build": {"papers": n, "concepts": 0}}


def vis_page(data: dict) -> str:
    """The page as kgraph wrote it with vis-network (templates of commit VIS_COMMIT)."""
    def old(name):
        return subprocess.run(["git", "show", f"{VIS_COMMIT}:kgraph/templates/{name}"], capture_output=True,
                              text=True, check=True, cwd=Path(__file__).resolve().parents[1]).stdout
    spec = importlib.util.find_spec("pyvis")
    if spec is None:
        raise SystemExit("the vis-network page needs pyvis (pip install pyvis==0.3.2, in the `bench` extra), "
                         "or run with --renderer sigma")
    spec_dir = Path(spec.submodule_search_locations[0])
    lib = spec_dir / "templates" / "lib" / "vis-9.1.2"
    vis_js = (lib / "vis-network.min.js").read_text("utf-8")
    app = old("explorer.js")
    return explorer._fill(old("explorer.html"), {
        "CSP": html.escape(explorer._csp([vis_js, app]), quote=False), "TITLE": "vis-network", "VIS_CSS":
        (lib / "vis-network.css").read_text("utf-8"), "CSS": old("explorer.css"), "DATA": explorer.script_json(data),
        "VIS_JS": vis_js, "APP_JS": app})


SELECT = {
    # resolves when the frame with the highlight is drawn
    "sigma": "async (id) => { const t = performance.now(); await kgraph.select(id); return performance.now() - t; }",
    "vis": """(id) => new Promise(done => { const t = performance.now();
                kgraph.network.once('afterDrawing', () => done(performance.now() - t));
                kgraph.select(id, false); })""",
}


def measure(browser, path: Path, renderer: str, ids: list[str]) -> tuple[float, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    start = time.perf_counter()
    page.goto(path.as_uri(), timeout=120_000)
    page.wait_for_function("() => window.kgraph && window.kgraph.ready === true", timeout=120_000, polling=20)
    opened = time.perf_counter() - start
    page.wait_for_timeout(300)
    times = [page.evaluate(SELECT[renderer], i) / 1000 for i in ids]
    page.close()
    if errors:
        raise RuntimeError(f"{renderer}: {errors[0]}")
    return opened, statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=20_000)
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--renderer", default="sigma,vis")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    data = synthetic_data(args.nodes, args.links)
    by_degree = sorted(data["nodes"], key=lambda v: (-v["degree"], v["id"]))
    ids = [v["id"] for v in by_degree[: args.repeat]]  # the busiest nodes: the most to highlight
    from playwright.sync_api import sync_playwright

    print(f"{args.nodes:,} nodes, {len(data['edges']):,} links; Chromium headless, software WebGL (SwiftShader)")
    print("| renderer | page size | open (s) | select (s) |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = launch(p)
        try:
            for renderer in args.renderer.split(","):
                page = explorer.render_page(data) if renderer == "sigma" else vis_page(data)
                path = Path(tmp) / f"{renderer}.html"
                path.write_text(page, encoding="utf-8")
                opened, selected = measure(browser, path, renderer, ids)
                print(f"| {renderer} | {path.stat().st_size / 1e6:.1f} MB | {opened:.2f} | {selected:.3f} |", flush=True)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
