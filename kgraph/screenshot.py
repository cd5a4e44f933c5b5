"""Take a screenshot of a kgraph HTML page with the system's Chromium.

Usage::

    python -m kgraph.screenshot outputs/graph.html outputs/graph.png

Playwright drives Debian's ``/usr/bin/chromium`` (``playwright install`` is not
needed); set ``KGRAPH_CHROMIUM`` to use another Chromium binary.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

CHROMIUM_PATH = os.environ.get("KGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions",
    "--disable-dev-shm-usage",
    # WebGL (the views draw with sigma.js) in software: SwiftShader, which Chromium no longer
    # falls back to by itself
    "--enable-unsafe-swiftshader",
]


def launch(playwright, headless: bool = True):
    """Launch the system Chromium with the flags kgraph's tests use.

    Parameters
    ----------
    playwright : playwright.sync_api.Playwright
        From ``with sync_playwright() as p``.

    Returns
    -------
    playwright.sync_api.Browser
    """
    if not Path(CHROMIUM_PATH).exists():
        raise FileNotFoundError(f"{CHROMIUM_PATH} not found: install Chromium (`make browser`) "
                                "or set KGRAPH_CHROMIUM")
    return playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=headless)


def wait_until_drawn(page, timeout: float = 15_000) -> None:
    """Wait until a kgraph view has drawn itself (``window.kgraph.ready``)."""
    page.wait_for_function("() => window.kgraph && window.kgraph.ready === true", timeout=timeout)


def screenshot(html_path, png_path, width: int = 1400, height: int = 900) -> Path:
    """Open ``html_path`` in Chromium and save a ``width`` x ``height`` PNG.

    Examples
    --------
    >>> screenshot("outputs/graph.html", "outputs/graph.png")   # doctest: +SKIP
    PosixPath('outputs/graph.png')
    """
    from playwright.sync_api import sync_playwright

    source = Path(html_path).resolve()
    if not source.is_file():
        raise FileNotFoundError(f"{html_path}: no such file")
    target = Path(png_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(source.as_uri())
            if page.evaluate("() => 'kgraph' in window"):
                wait_until_drawn(page)
            page.wait_for_timeout(200)
            page.screenshot(path=str(target))
        finally:
            browser.close()
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] in ("-h", "--help"):
        print("usage: python -m kgraph.screenshot PAGE.html OUT.png", file=sys.stderr)
        return 2
    try:
        path = screenshot(args[0], args[1])
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
