"""Open a report in Debian's headless Chromium through Playwright and record what happens."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run"]


@contextmanager
def open_report(path: Path):
    """Yield (page, log) with the report loaded from file:// and the map drawn."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `make test`, which installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    log = {"console_errors": [], "page_errors": [], "requests": [], "dialogs": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("console", lambda m: m.type == "error" and log["console_errors"].append(m.text))
        page.on("pageerror", lambda e: log["page_errors"].append(str(e)))
        page.on("request", lambda r: r.url.startswith("file:") or log["requests"].append(r.url))
        page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
        page.goto(path.resolve().as_uri())
        page.wait_for_function("window.topicmap && document.querySelector('#map .scattergl, #map canvas')")
        page.wait_for_timeout(300)
        try:
            yield page, log
        finally:
            browser.close()
