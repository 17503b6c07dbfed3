"""A report people share (issue 24): colour by a column with a legend that hides and shows,
the sortable item table with every input column, the selection kept in the link, and the
page on a phone. Three page loads in all, from file:// with no network."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_report import export_frame

from analysis.page import write_report
from analysis.report import report_data
from browser import PAINTED, launch, watch

CLEAN_LOG = {"console_errors": [], "page_errors": [], "requests": [], "dialogs": []}
N = 240
SOURCES = ["Reuters", "AP", "<i>BBC</i>"]
LABELS = ["sport", "politics", "tech", "culture"]
WORDS = ["markets", "rain", "vote", "goal", "film", "chip"]


def table_report(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """N items in six topics of two stories each (a few unclustered), with a source, a label
    the user brought, a url (one value each: not a colour) and a date."""
    rng = np.random.default_rng(3)
    topic = np.where(np.arange(N) % 16 == 15, -1, np.arange(N) % 6)
    story = np.where(topic < 0, -1, topic * 2 + (np.arange(N) // 6) % 2)
    texts = [f"Headline {i} on {WORDS[t]} <b>now</b>" if t >= 0 else f"Odd item {i}" for i, t in enumerate(topic)]
    frame = export_frame(
        texts,
        topic.tolist(),
        story=story.tolist(),
        source=[SOURCES[i % 3] for i in range(N)],
        label=[LABELS[(i * 7) % 4] for i in range(N)],
        url=[f"https://example.test/{i}" for i in range(N)],
        date=[f"2025-01-{1 + (i * 5) % 20:02d}" for i in range(N)],
    )
    frame["x"] = rng.normal(0, 0.6, N) + (topic % 3) * 5
    frame["y"] = rng.normal(0, 0.6, N) + (topic // 3) * 5

    def table(column: str) -> pd.DataFrame:
        ids = sorted(set(frame[column]) - {-1})
        return pd.DataFrame(
            [
                {
                    "id": t,
                    "name": f"{column} {t}",
                    "size": int((frame[column] == t).sum()),
                    "keywords": ["k"],
                    "representatives": ["r"],
                }
                for t in ids
            ]
        )

    out = tmp_path / "table.html"
    write_report(out, report_data(frame, table("topic"), table("story"), {"parameters": {}}), title="table")
    return out, frame


def open_page(browser, path: Path, fragment: str = "", **context):
    page = browser.new_context(**context).new_page()
    log = watch(page)
    page.goto(path.resolve().as_uri() + ("#" + fragment if fragment else ""))
    page.wait_for_function(PAINTED, timeout=20_000)
    return page, log


def state(page) -> dict:
    return page.evaluate("window.topicmap.state()")


def table_rows(page) -> list[list[str]]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('#table-body tr')).map((tr) => Array.from(tr.cells).map((c) => c.textContent))"
    )


def fragment_of(page) -> str:
    return page.url.split("#", 1)[1] if "#" in page.url else ""


@pytest.mark.browser
def test_colour_table_and_the_selection_in_the_link(tmp_path):
    from playwright.sync_api import sync_playwright

    path, frame = table_report(tmp_path)
    columns = ["doc_id", "text", "topic", "story", "kind", "source", "date", "label", "url"]
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page, log = open_page(browser, path, viewport={"width": 1300, "height": 900}, accept_downloads=True)
            # Colour by: topic, source, the user's label and date; not the url (a value each).
            assert page.evaluate("window.topicmap.colorOptions()") == ["topic", "source", "label", "date"]
            assert state(page)["color"] == "topic" and page.is_hidden("#color-legend")
            topic_borders = page.evaluate(
                "[...document.querySelectorAll('.map-label')].map((b) => getComputedStyle(b).borderColor)"
            )
            page.select_option("#color-by", "source")
            assert state(page)["color"] == "source" and fragment_of(page) == "color=source"
            borders = page.evaluate(
                "[...document.querySelectorAll('.map-label')].map((b) => getComputedStyle(b).borderColor)"
            )
            assert len(set(borders)) == 1 and not set(borders) & set(topic_borders)  # no topic's colour left
            legend = page.locator("#color-legend .legend-entry")
            assert legend.locator(".name").all_text_contents() == SOURCES
            assert legend.locator(".size").all_text_contents() == ["80", "80", "80"]
            # Each point takes its source's colour (topic traces hold one colour per point).
            swatches = page.evaluate(
                "Array.from(document.querySelectorAll('#color-legend .swatch')).map((s) => getComputedStyle(s).backgroundColor)"
            )
            assert len(set(swatches)) == 3
            point_colors = page.evaluate(
                """() => { const out = {};
                for (const t of document.getElementById('map').data.slice(0, -1)) {
                  for (const c of Array.isArray(t.marker.color) ? t.marker.color : []) out[c] = (out[c] || 0) + 1;
                }
                return out; }"""
            )
            assert sorted(point_colors.values()) == [80, 80, 80]
            # A legend entry hides its items everywhere, and shows them again.
            legend.nth(1).click()
            assert legend.nth(1).get_attribute("aria-pressed") == "false"
            ap = {i for i in range(N) if SOURCES[i % 3] == "AP"}
            assert set(page.evaluate("window.topicmap.plotted()")) == set(range(N)) - ap
            assert page.text_content("#table-title") == "160 items shown"
            # ... and the link and state() say so, so a reader opening it sees the same items.
            assert fragment_of(page) == "color=source&hide=AP" and state(page)["hidden"] == ["AP"]
            other, other_log = open_page(
                browser, path, fragment=fragment_of(page), viewport={"width": 1300, "height": 900}
            )
            assert set(other.evaluate("window.topicmap.plotted()")) == set(range(N)) - ap
            assert other.locator("#color-legend .legend-entry").nth(1).get_attribute("aria-pressed") == "false"
            assert other_log == CLEAN_LOG
            other.close()
            legend.nth(1).click()
            assert len(page.evaluate("window.topicmap.plotted()")) == N

            # The table: every column, sorted by a click on its name, either way.
            assert page.locator("#table-head th").all_text_contents() == columns
            assert page.text_content("#table-title") == f"All {N} items"
            assert len(table_rows(page)) == 100 and page.is_visible("#table-more")
            label_col = columns.index("label")
            page.click("#table-head th:nth-child(8) button")
            assert page.get_attribute("#table-head th:nth-child(8)", "aria-sort") == "ascending"
            rows = table_rows(page)
            assert [r[label_col] for r in rows] == sorted(r[label_col] for r in rows) and rows[0][
                label_col
            ] == "culture"
            ids = [int(r[0]) for r in rows if r[label_col] == "culture"]
            assert ids == sorted(ids)  # ties stay in item order
            page.click("#table-head th:nth-child(8) button")
            assert page.get_attribute("#table-head th:nth-child(8)", "aria-sort") == "descending"
            assert table_rows(page)[0][label_col] == "tech"
            # Text is text: the headline's <b> shows as written.
            assert "<b>now</b>" in table_rows(page)[0][1]
            # The same items as the map: search, then an isolated topic.
            page.evaluate("window.topicmap.search('rain')")
            rain = [i for i in range(N) if "rain" in frame["text"][i]]
            rows = table_rows(page)
            assert sorted(int(r[0]) - 1 for r in rows) == rain
            assert page.text_content("#table-title") == f"{len(rain)} items shown"
            page.evaluate("window.topicmap.search(''); window.topicmap.select('topic', 2)")
            assert {r[2] for r in table_rows(page)} == {"topic 2"}
            page.evaluate("window.topicmap.select(null)")

            # A selection: the table shows it, the CSV holds every input column, the link keeps it.
            chosen = [*range(10, 30), 100, 101, 102, 199]
            page.evaluate("(ids) => window.topicmap.select(ids)", [str(i + 1) for i in chosen])
            assert sorted(int(r[0]) - 1 for r in table_rows(page)) == chosen
            with page.expect_download() as download:
                page.click("#selection-csv")
            rows = list(
                csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"), newline=""))
            )
            assert [r["url"] for r in rows] == [f"https://example.test/{i}" for i in chosen]
            assert [r["label"] for r in rows] == [LABELS[(i * 7) % 4] for i in chosen]
            link = fragment_of(page)
            assert re.fullmatch(r"color=source&sel=240\.r[0-9a-z.]+", link), link
            # A scattered selection is kept as a bitset, the shorter form for it.
            scattered = list(range(0, N, 2))
            page.evaluate("(ids) => window.topicmap.select(ids)", [str(i + 1) for i in scattered])
            assert re.search(r"sel=240\.b[A-Za-z0-9_-]{40}$", page.url)
            bits_link = fragment_of(page)
            page.evaluate("(ids) => window.topicmap.select(ids)", [str(i + 1) for i in chosen])
            assert log == CLEAN_LOG
            page.context.close()

            # Opening the link restores the colouring and the selection.
            page, log = open_page(
                browser,
                path,
                fragment=link.replace("color=source", "color=label"),
                viewport={"width": 1300, "height": 900},
            )
            assert state(page)["color"] == "label"
            assert page.locator("#color-legend .name").all_text_contents() == ["sport", "culture", "tech", "politics"]
            assert state(page)["selected"] == [str(i + 1) for i in chosen]
            assert page.evaluate("window.topicmap.highlighted()") == chosen
            assert page.text_content("#selection-title") == f"{len(chosen)} selected items"
            assert page.is_visible("#selection-view")
            page.evaluate("(f) => { location.hash = '#' + f; }", bits_link)
            page.wait_for_function("window.topicmap.state().selected.length === 120")
            assert page.evaluate("window.topicmap.highlighted()") == scattered
            # A link is untrusted: a selection for another page, or malformed, selects nothing.
            for bad in [
                "sel=241.r0.3",
                "sel=240.r0.300",
                "sel=240.r0.3.1",
                "sel=240.bAAAA",
                "sel=240.r<b>x</b>",
                "sel=240.r-1.3",
                "sel=__proto__",
                "color=__proto__&sel=240.r0",
            ]:
                page.evaluate("(f) => { location.hash = '#' + f; }", "q=x&" + bad)
                page.wait_for_function("window.topicmap.state().query === 'x'")
                assert state(page)["selected"] == [] and state(page)["color"] == "topic", bad
                page.evaluate("location.hash = '#q=y'")
                page.wait_for_function("window.topicmap.state().query === 'y'")
            assert log == CLEAN_LOG
        finally:
            browser.close()


@pytest.mark.browser
def test_the_page_on_a_phone(tmp_path):
    from playwright.sync_api import sync_playwright

    path, frame = table_report(tmp_path)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page, log = open_page(browser, path, viewport={"width": 400, "height": 800}, has_touch=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= 400
            # A map of equal axes as tall as the screen was half empty: about as tall as it is wide.
            # The table scrolls in a box, not a hundred rows of page before the overview.
            heights = page.evaluate(
                "['#map', '.table-scroll'].map((s) => document.querySelector(s).getBoundingClientRect().height)"
            )
            assert heights[0] <= 1.1 * 400 + 1 and heights[1] <= 0.7 * 800 + 1, heights
            # The table's name columns keep their words whole: the table scrolls sideways instead.
            widths = page.evaluate(
                "[...document.querySelectorAll('#table-body td.level')].map((td) => td.getBoundingClientRect().width)"
            )
            assert widths and min(widths) >= 140
            # A short word or number is never broken either: a reader pass saw "headli/ne" and
            # "2019-/01-26" at 1,440 pixels, and a topic's size "33" as "3" over "3" in the panel.
            lines = page.evaluate(
                """() => [...document.querySelectorAll('#table-body td.word, #topic-list .size')].map((e) => {
                  const r = document.createRange(); r.selectNodeContents(e);
                  return [e.textContent, new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size]; })"""
            )
            assert {text for text, _ in lines} >= {"headline", "2025-01-01"}
            assert [text for text, count in lines if count != 1] == []
            # An item in no story says so with a dash; the charts show no toolbar over their bars.
            cells = page.evaluate("[...document.querySelectorAll('#table-body td.level')].map((td) => td.textContent)")
            assert "" not in cells and "—" in cells
            assert page.evaluate("document.querySelectorAll('.overview .modebar-btn').length") == 0
            assert page.evaluate(
                "(() => { const s = document.querySelector('.table-scroll'); return s.scrollWidth > s.clientWidth; })()"
            )
            # An open facet menu fits the screen too.
            page.click("#source-filter summary")
            assert page.evaluate("document.documentElement.scrollWidth") <= 400
            page.click("#source-filter summary")
            # A tap on a point shows its card (touch screens have no hover).
            spot = page.evaluate(
                """() => { const gd = document.getElementById('map'), fl = gd._fullLayout, r = gd.getBoundingClientRect(), m = window.topicmap.model;
                for (let i = 0; i < m.n; i++) {
                  const x = r.left + fl.xaxis._offset + fl.xaxis.l2p(m.x[i]), y = r.top + fl.yaxis._offset + fl.yaxis.l2p(m.y[i]);
                  const at = document.elementFromPoint(x, y);
                  if (at && at.classList.contains('nsewdrag')) return [i, x, y];
                } return null; }"""
            )
            assert spot is not None
            page.touchscreen.tap(spot[1], spot[2])
            page.wait_for_selector("#tooltip:not([hidden])", timeout=5000)
            assert page.text_content("#tooltip .tooltip-text") == frame["text"][spot[0]]
            # The card says what the item is in, not a description of its topic read as the item's.
            assert "About" not in page.locator("#tooltip dt").all_text_contents()
            # Nothing covers the map's controls and hint (plotly's toolbar would, after a tap).
            covered = page.evaluate(
                """() => Array.from(document.querySelectorAll('#level-control button, #drag-control button, #color-by, .hint')).filter((e) => {
                  e.scrollIntoView({ block: "nearest" });
                  const r = e.getBoundingClientRect(), at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                  return !(at && (at === e || e.contains(at)));
                }).map((e) => e.id || e.className || e.textContent)"""
            )
            assert covered == []
            overlaps = page.evaluate(
                """() => { const bars = Array.from(document.querySelectorAll('#map .modebar')).map((m) => m.getBoundingClientRect());
                return Array.from(document.querySelectorAll('#level-control, #drag-control, #color-bar, .hint')).filter((e) => {
                  const r = e.getBoundingClientRect();
                  return bars.some((b) => b.width > 0 && r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom);
                }).map((e) => e.id || e.className); }"""
            )
            assert overlaps == []
            # In Box or Lasso mode a touch drag draws on the map instead of scrolling the page.
            page.click('#drag-control button[data-mode="lasso"]')
            assert page.evaluate("document.getElementById('map').style.touchAction") == "none"
            page.click('#drag-control button[data-mode="pan"]')
            assert page.evaluate("document.getElementById('map').style.touchAction") == ""
            # Isolating a topic from the list below the map brings the map into view.
            card = page.locator("#topic-list .topic-card").nth(3)
            card.evaluate("(e) => e.scrollIntoView({ block: 'start' })")
            assert page.evaluate("document.getElementById('map').getBoundingClientRect().bottom") < 0
            card.tap()
            assert page.evaluate("window.topicmap.isolated()") is not None
            top = page.evaluate("document.getElementById('map').getBoundingClientRect().top")
            assert -5 < top < 200
            assert page.evaluate("document.documentElement.scrollWidth") <= 400
            assert log == CLEAN_LOG
        finally:
            browser.close()
