"""Open a report in Debian's headless Chromium through Playwright and record what happens."""

from __future__ import annotations

import re
import shutil
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 900}
#: The report sets window.topicmap.paintedAt once the map and its names have painted, and
#: chartsAt once the overview's charts have too.
PAINTED = "window.topicmap && window.topicmap.chartsAt !== null"
#: The page's own scripts, in order (id, or type for the one that runs): packed plotly.js, the
#: data, the packed page code and the bootstrap that unpacks them. An injected one would show.
SCRIPTS = "[...document.scripts].map((s) => s.id || s.type || 'bootstrap')"
PAGE_SCRIPTS = ["plotly-gzip", "topicmap-data", "page-gzip", "bootstrap"]


def launch(playwright):
    """Headless Debian Chromium (WebGL through SwiftShader); fails with the fix if it is missing."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError("Chromium is missing: run `make test`, which installs Debian's chromium package")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


def watch(page) -> dict:
    """Record console errors, page errors, dialogs and every request that is not the file
    itself; requests to the network are aborted, so a test never waits on one."""
    log = {"console_errors": [], "page_errors": [], "requests": [], "dialogs": []}
    page.on("console", lambda m: m.type == "error" and log["console_errors"].append(m.text))
    page.on("pageerror", lambda e: log["page_errors"].append(str(e)))
    page.on("request", lambda r: r.url.startswith("file:") or log["requests"].append(r.url))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    page.route(re.compile(r"^(?!file:)"), lambda route: route.abort())
    return log


@contextmanager
def open_report(path: Path, viewport: dict | None = None, fragment: str = "", touch: bool = False):
    """Yield (page, log) with the report loaded from file:// (with `fragment` after "#" in
    the URL, if given) and painted; with `touch`, on a touch screen."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=viewport or VIEWPORT, has_touch=touch)
            log = watch(page)
            page.goto(Path(path).resolve().as_uri() + ("#" + fragment if fragment else ""))
            page.wait_for_function(PAINTED, timeout=20_000)
            yield page, log
        finally:
            browser.close()
