"""Exploring and sharing a report (issue 16): selection and its CSV, the date and source
filters, the topic tree, the view in the URL fragment, what is new after `update`, the page
API, and the map inline in a notebook. The page tests run in Chromium from file://."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_report import (
    MIDS,
    PER_STORY,
    STORIES,
    THEMES,
    export_frame,
    fitted_state,
    hostile_report,
    hover_item,
    three_level_report,
)

from analysis import label
from analysis.page import InlineReport, write_report
from analysis.pipeline import TopicMap
from analysis.report import fitted_report_data, report_data
from browser import PAGE_SCRIPTS, SCRIPTS, open_report
from conftest import fake_vectors

CLEAN_LOG = {"console_errors": [], "page_errors": [], "requests": [], "dialogs": []}
#: The export's columns a page of two levels (topic, story) holds, in the export's order.
PAGE_EXPORT_COLUMNS = ["doc_id", "kind", "text", "topic", "topic_label", "story", "story_label", "x", "y"]
# sources (and each facet): the ticked names; None when every value is (no filter), [] for none.
EMPTY_STATE = {
    "query": "",
    "topic": None,
    "story": None,
    "from": None,
    "to": None,
    "sources": None,
    "facets": {"source": None},
    "selected": [],
    "color": "topic",
    "hidden": [],
    "onlyNew": False,
}


def state(page) -> dict:
    return page.evaluate("window.topicmap.state()")


def plotted(page) -> list[int]:
    return page.evaluate("window.topicmap.plotted()")


def map_pixel(page, x: float, y: float) -> tuple[float, float]:
    """The page pixel of map position (x, y)."""
    return tuple(
        page.evaluate(
            """([x, y]) => { const gd = document.getElementById('map'), fl = gd._fullLayout, r = gd.getBoundingClientRect();
        return [r.left + fl.xaxis._offset + fl.xaxis.l2p(x), r.top + fl.yaxis._offset + fl.yaxis.l2p(y)]; }""",
            [x, y],
        )
    )


def drag(page, start, end) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    for k in range(1, 6):
        page.mouse.move(start[0] + (end[0] - start[0]) * k / 5, start[1] + (end[1] - start[1]) * k / 5)
    page.mouse.up()


CSV_TEXTS = [
    '=HYPERLINK("http://x","click")',
    "+1 for markets",
    "-5 degrees tonight",
    '@user says, "hi"',
    "plain headline",
    "two\nlines",
]


def csv_report(tmp_path: Path) -> Path:
    """Items whose text a spreadsheet would run as a formula, or that need CSV quoting."""
    frame = export_frame(
        CSV_TEXTS,
        [0, 0, 1, 1, 1, -1],
        story=[0, 1, 2, 2, 3, -1],
        source=["=cmd", "-3.5", "AP", "AP", "Reuters", "AP"],
    )
    texts = list(frame["text"])
    topics = label.describe_topics(texts, frame["topic"].to_numpy())
    stories = label.describe_topics(texts, frame["story"].to_numpy())
    out = tmp_path / "csv.html"
    write_report(out, report_data(frame, topics, stories, {"parameters": {}}), title="csv")
    return out


@pytest.mark.browser
def test_selection_lists_items_and_downloads_them_as_safe_csv(tmp_path):
    with open_report(csv_report(tmp_path)) as (page, log):
        page.evaluate("window.topicmap.select(['1', '2', '3', '4', '6', 'unknown'])")
        assert state(page)["selected"] == ["1", "2", "3", "4", "6"]
        assert page.is_visible("#selection-view")
        assert page.text_content("#selection-title") == "5 selected items"
        assert page.locator("#selection-items .item-text").all_text_contents() == [
            CSV_TEXTS[i] for i in (0, 1, 2, 3, 5)
        ]
        per_topic = page.locator("#selection-topics .size").all_text_contents()
        assert sorted(per_topic) == ["1", "2", "2"]
        assert page.evaluate("window.topicmap.highlighted()") == [0, 1, 2, 3, 5]
        with page.expect_download() as download:
            page.click("#selection-csv")
        assert download.value.suggested_filename == "selection.csv"
        text = Path(download.value.path()).read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        # The export's columns in its order, for the levels the page shows (topic, story here).
        assert list(rows[0]) == [*PAGE_EXPORT_COLUMNS, "source"]
        assert [r["doc_id"] for r in rows] == ["1", "2", "3", "4", "6"]
        # Formula-like text and sources get a leading quote; numbers (topic -1) stay numbers.
        assert [r["text"] for r in rows] == [
            "'" + CSV_TEXTS[0],
            "'" + CSV_TEXTS[1],
            "'" + CSV_TEXTS[2],
            "'" + CSV_TEXTS[3],
            CSV_TEXTS[5],
        ]
        assert rows[0]["source"] == "'=cmd" and rows[-1]["topic"] == "-1" and rows[-1]["topic_label"] == ""
        assert rows[1]["source"] == "-3.5"  # a plain number stays a number in a spreadsheet
        assert [float(r["x"]) for r in rows] == [0.0, 1.0, 2.0, 3.0, 5.0]

        page.click("#selection-clear")
        assert state(page)["selected"] == [] and page.is_hidden("#selection-view")
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_box_and_lasso_on_the_map_select_the_items_inside(tmp_path):
    out, texts, frame = hostile_report(tmp_path)
    story0 = [i for i, s in enumerate(frame["story"]) if s == 0]
    with open_report(out) as (page, log):
        page.click("#drag-control [data-mode=select]")
        xs, ys = frame["x"][story0], frame["y"][story0]
        drag(page, map_pixel(page, xs.min() - 0.5, ys.max() + 0.5), map_pixel(page, xs.max() + 0.5, ys.min() - 0.5))
        page.wait_for_function("window.topicmap.state().selected.length > 0")
        assert state(page)["selected"] == [str(i + 1) for i in story0]
        assert page.locator("#selection-items .item-text").all_text_contents() == [texts[i] for i in story0]

        page.click("#drag-control [data-mode=lasso]")
        story2 = [i for i, s in enumerate(frame["story"]) if s == 2]
        cx, cy, r = frame["x"][story2].mean(), frame["y"][story2].mean(), 1.6
        ring = [
            map_pixel(page, cx + r * np.cos(a), cy + r * np.sin(a)) for a in np.linspace(-np.pi / 2, 1.5 * np.pi, 24)
        ]
        page.mouse.move(*ring[0])
        page.mouse.down()
        for spot in ring[1:]:
            page.mouse.move(*spot)
        page.mouse.up()
        page.wait_for_function("window.topicmap.state().selected[0] !== '5'")
        assert state(page)["selected"] == [str(i + 1) for i in story2]
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_timeline_brush_and_source_facet_filter_everything_and_show_all_clears(tmp_path):
    out, texts, frame = hostile_report(tmp_path)
    with open_report(out) as (page, log):
        # Drag across the bars of 2 to 4 January on the timeline.
        page.locator("#timeline-chart").scroll_into_view_if_needed()
        left, right = page.evaluate(
            """() => { const gd = document.getElementById('timeline-chart'), xa = gd._fullLayout.xaxis, r = gd.getBoundingClientRect();
            const px = (ms) => r.left + xa._offset + xa.l2p(ms);
            return [px(Date.UTC(2025, 0, 1, 15)), px(Date.UTC(2025, 0, 4, 9))]; }"""
        )
        top = page.locator("#timeline-chart .nsewdrag").bounding_box()
        y = top["y"] + top["height"] / 2
        drag(page, (left, y), (right, y))
        page.wait_for_function("window.topicmap.state().from !== null")
        assert (state(page)["from"], state(page)["to"]) == ("2025-01-02", "2025-01-04")
        in_range = [1, 2, 3]
        assert plotted(page) == in_range
        assert page.is_visible("#range-chip") and page.text_content("#range-text") == "2025-01-02 – 2025-01-04"
        assert "#from=2025-01-02&to=2025-01-04" in page.url
        # Search counts, the panel and the size bars count only the items in range.
        page.fill("#search", "script")
        page.wait_for_function("window.topicmap.state().query === 'script'")
        assert page.evaluate("window.topicmap.matches()") == [i for i in in_range if "script" in texts[i].lower()]
        assert page.inner_text("#search-count") == "2 matches"
        page.fill("#search", "")
        page.wait_for_function("window.topicmap.state().query === ''")
        assert page.evaluate("document.getElementById('sizes-chart').data[0].x") == [0, 3, 0]
        assert page.text_content("#topic-list .topic-card[data-topic='1'] .match-count") == "3 shown"

        # The source facet: every source with its count; unticking one hides its items.
        page.click("#source-filter summary")
        names = page.locator("#source-list .name").all_text_contents()
        assert sorted(names) == sorted(["<b>bold</b>", "Reuters", "<i>x</i>"])
        page.locator("#source-list .facet-row").filter(has_text="<b>bold</b>").locator("input").uncheck()
        assert state(page)["sources"] == ["Reuters", "<i>x</i>"]
        assert plotted(page) == [1, 3]
        # With isolation too: topic 1 (items 0-3) within range and source.
        page.evaluate("window.topicmap.select('topic', 1)")
        assert page.evaluate("window.topicmap.highlighted()") == [1, 3]
        assert page.locator("#detail-items .item-text").all_text_contents() == [texts[1], texts[3]]

        page.click("#reset")
        assert state(page) == EMPTY_STATE
        assert plotted(page) == list(range(len(texts)))
        assert page.is_hidden("#range-chip") and not page.url.count("#")
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_topic_tree_expands_and_isolates(tmp_path):
    out, texts, frame = hostile_report(tmp_path)
    with open_report(out) as (page, log):
        page.click("#panel-tabs [data-view=tree]")
        themes = page.locator("#topic-tree > .tree-theme > .tree-row .name").all_text_contents()
        assert len(themes) == 3 and "Unclustered" in themes
        assert page.locator("#topic-tree .tree-stories:visible").count() == 0
        theme0 = page.locator("#topic-tree > .tree-theme").filter(
            has=page.locator(".tree-row[data-id='0'][data-level=topic]")
        )
        theme0.locator(".twisty").click()
        assert theme0.locator(".tree-row.story").count() == 2
        assert theme0.locator(".tree-row.story .size").all_text_contents() == ["3", "2"]
        theme0.locator(".tree-row.story").nth(1).click()
        assert page.evaluate("window.topicmap.isolated()") == {"level": "story", "id": 1}
        assert page.evaluate("window.topicmap.highlighted()") == [7, 8]
        assert state(page)["story"] == 1 and "#story=1" in page.url
        page.click("#back")
        page.click("#topic-tree .tree-row.topic[data-id='1']")
        assert state(page)["topic"] == 1 and page.evaluate("window.topicmap.highlighted()") == [0, 1, 2, 3]
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_the_tree_and_the_facet_menus_work_from_the_keyboard(tmp_path):
    """Enter on a tree row's ▸ isolated the theme and hid the tree (the row took the key);
    Escape left a facet menu open."""
    out, texts, frame = hostile_report(tmp_path)
    with open_report(out) as (page, log):
        # The tabs are one stop in the Tab order; the arrows move between them.
        assert page.get_attribute("#topic-list-tab", "tabindex") == "0"
        assert page.get_attribute("#tree-tab", "tabindex") == "-1"
        assert page.get_attribute("#tree-tab", "aria-controls") == "tree-view"
        page.focus("#topic-list-tab")
        page.keyboard.press("ArrowRight")
        assert page.evaluate("document.activeElement.id") == "tree-tab" and page.is_visible("#tree-view")
        assert page.get_attribute("#tree-tab", "aria-selected") == "true" and page.is_hidden("#topic-list-view")
        page.keyboard.press("ArrowRight")  # the hidden Selection tab is skipped: round to the first
        assert page.evaluate("document.activeElement.id") == "topic-list-tab"
        page.keyboard.press("End")
        theme0 = page.locator("#topic-tree > .tree-theme").filter(
            has=page.locator(".tree-row[data-id='0'][data-level=topic]")
        )
        twisty = theme0.locator(".twisty")
        for key in ("Enter", " "):
            twisty.focus()
            page.keyboard.press(key)
            assert page.evaluate("window.topicmap.isolated()") is None
            assert page.evaluate("document.activeElement.classList.contains('twisty')")
        assert twisty.get_attribute("aria-expanded") == "false"  # opened, then closed
        page.keyboard.press("Enter")
        assert theme0.locator(".tree-row.story:visible").count() == 2
        theme0.locator(".tree-row.story").nth(1).focus()
        page.keyboard.press("Enter")  # the row itself still isolates
        assert page.evaluate("window.topicmap.isolated()") == {"level": "story", "id": 1}
        # A topic card opened by keyboard hands the focus to "← All …", and back to the card.
        page.click("#back")
        page.click("#panel-tabs [data-view=topic-list]")
        card = page.locator("#topic-list .topic-card").nth(1)
        card.focus()
        opened = card.get_attribute("data-topic")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "back"
        page.keyboard.press("Enter")
        assert page.evaluate("window.topicmap.isolated()") is None
        assert page.evaluate("document.activeElement.dataset.topic") == opened
        page.click("#source-filter summary")
        assert page.evaluate("document.getElementById('source-filter').open")
        page.keyboard.press("Escape")
        assert not page.evaluate("document.getElementById('source-filter').open")
        page.click("#source-filter summary")
        box = page.locator("#source-list input[type=checkbox]").nth(1)
        code = box.get_attribute("data-code")
        box.focus()
        page.keyboard.press("Space")  # the list is drawn again: the focus stays on the box
        assert page.evaluate("document.activeElement.dataset.code") == code
        assert not box.is_checked()
        page.keyboard.press("Space")
        assert box.is_checked() and page.evaluate("document.activeElement.dataset.code") == code
        page.mouse.click(5, 5)  # a press elsewhere closes it too
        assert not page.evaluate("document.getElementById('source-filter').open")
        # Enter on a legend entry keeps the focus on it (the legend is drawn again) ...
        page.select_option("#color-by", "source")
        entry = page.locator("#color-legend .legend-entry").nth(1)
        entry.focus()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.dataset.cat") == "1"
        assert entry.get_attribute("aria-pressed") == "false"
        # ... and "Clear selection" hands it to the tab now shown, not the top of the page.
        page.evaluate("window.topicmap.selectItems([0, 1])")
        page.focus("#selection-clear")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "topic-list-tab"
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_no_chart_offers_to_upload_itself(seed_run):
    """plotly 3 shows a "Share chart" button that sends the chart to Plotly Cloud by default."""
    with open_report(seed_run["html"]) as (page, log):
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=10_000)
        assert page.evaluate("document.querySelectorAll('.js-plotly-plot').length") >= 2
        assert (
            page.evaluate(
                'document.querySelectorAll(\'.modebar-btn[data-title*="Share"], a[href*="plotly.com"]\').length'
            )
            == 0
        )
        assert page.evaluate(
            "[...document.querySelectorAll('.js-plotly-plot')].every(g => g._context.showSendToCloud === false)"
        )
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_a_three_level_tree_opens_themes_topics_stories_and_a_topic_isolates_its_items(tmp_path):
    out = three_level_report(tmp_path)
    story = [s for s in STORIES for _ in range(PER_STORY)] + [-1] * 3
    mid = [STORIES[s][1] if s >= 0 else -1 for s in story]
    theme = [MIDS[m][1] if m >= 0 else -1 for m in mid]
    with open_report(out) as (page, log):
        assert page.text_content("#summary").startswith("39 items · 2 themes (3 topics, 6 stories)")
        assert page.text_content("#panel-tabs [data-view=topic-list]") == "Themes"
        page.click("#panel-tabs [data-view=tree]")
        tops = page.locator("#topic-tree > .tree-theme > .tree-row")
        assert tops.locator(".name").all_text_contents() == ["Economy", "Weather", "Unclustered"]
        assert {tops.nth(k).get_attribute("data-level") for k in range(3)} == {"theme"}
        assert page.locator("#topic-tree .tree-row.mid:visible, #topic-tree .tree-row.story:visible").count() == 0
        # Theme ▸ its topics ▸ their stories.
        economy = page.locator("#topic-tree > .tree-theme").filter(has=page.locator(".tree-row.topic[data-id='0']"))
        economy.locator(":scope > .tree-row .twisty").click()
        topics = economy.locator(".tree-row.mid:visible")
        assert topics.locator(".name").all_text_contents() == ["Markets", "Trade"]
        assert topics.first.get_attribute("data-level") == "topic"
        assert economy.locator(".tree-row.story:visible").count() == 0
        trade = economy.locator(".tree-branch").filter(has=page.locator(".tree-row.mid[data-id='11']"))
        trade.locator(":scope > .tree-row .twisty").click()
        assert trade.locator(".tree-row.story:visible .name").all_text_contents() == ["Tariffs", "Shipping"]
        assert trade.locator(".tree-row.story:visible").first.get_attribute("data-level") == "story"

        # A middle node isolates exactly its items: map, panel, table, link.
        trade.locator(":scope > .tree-row").click()
        in_trade = [i for i, m in enumerate(mid) if m == 11]
        assert page.evaluate("window.topicmap.isolated()") == {"level": "topic", "id": 11}
        assert page.evaluate("window.topicmap.highlighted()") == in_trade
        assert page.evaluate("document.getElementById('map').data.at(-1).x.length") == len(in_trade)
        assert state(page)["topic"] == 11 and state(page)["theme"] is None and state(page)["story"] is None
        assert page.url.endswith("#topic=11")
        assert page.text_content("#detail-kind") == "Topic"
        assert "part of theme “Economy”" in page.text_content("#detail-meta")
        assert page.text_content("#detail-stories-title") == "Stories in this topic"
        assert page.locator("#story-list li > span:first-child").all_text_contents() == ["Tariffs", "Shipping"]
        assert page.locator("#detail-items .item-text").count() == len(in_trade)
        assert page.locator("#table-body tr").count() == len(in_trade)
        assert set(page.locator("#table-head th").all_text_contents()) >= {"theme", "topic", "story"}
        assert page.locator(".tree-row.mid.current").get_attribute("data-id") == "11"
        # Its stories from the panel, then the same topic again shows everything.
        page.locator("#story-list li").nth(1).click()
        assert page.evaluate("window.topicmap.isolated()") == {"level": "story", "id": 3}
        assert "part of topic “Trade”, theme “Economy”" in page.text_content("#detail-meta")
        page.evaluate("window.topicmap.select('topic', 11)")
        page.evaluate("window.topicmap.select('topic', 11)")
        assert page.evaluate("window.topicmap.isolated()") is None

        # The page API by the levels' names; a theme's items are its topics'.
        page.evaluate("window.topicmap.select('theme', 1)")
        assert page.evaluate("window.topicmap.highlighted()") == [i for i, t in enumerate(theme) if t == 1]
        assert page.evaluate("window.topicmap.isolated()") == {"level": "theme", "id": 1}
        assert page.url.endswith("#theme=1")
        page.evaluate("window.topicmap.select('story', 4)")
        assert page.evaluate("window.topicmap.highlighted()") == [i for i, s in enumerate(story) if s == 4]
        for bad in ("window.topicmap.select('topic', 0)", "window.topicmap.select('galaxy', 1)"):
            assert (
                page.evaluate(f"() => {{ try {{ {bad}; return null; }} catch (e) {{ return e.name; }} }}")
                == "RangeError"
            )

        # Search and a source filter within a topic.
        page.click("#reset")
        page.evaluate(
            "window.topicmap.setSources('AP'); window.topicmap.search('item'); window.topicmap.select('topic', 12)"
        )
        assert page.evaluate("window.topicmap.highlighted()") == [
            i for i, m in enumerate(mid) if m == 12 and i % 2 == 0
        ]
        page.click("#reset")

        # The hover card names the item's theme, topic and story.
        item = in_trade[0]
        assert hover_item(page, item) == page.evaluate(f"window.topicmap.data.points.text[{item}]")
        facts = page.locator("#tooltip dt").all_text_contents()
        assert facts[:1] == ["Theme"] and "Topic" in facts and "Story" in facts
        values = page.locator("#tooltip dd").all_text_contents()
        assert {"Economy", "Trade", STORIES[story[item]][0]} <= set(values)

        # A selection downloads every shown level's id and name.
        page.evaluate("window.topicmap.select(['1', '13'])")
        with page.expect_download() as download:
            page.click("#selection-csv")
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"), newline="")))
        assert list(rows[0]) == [
            *("doc_id", "kind", "text", "theme", "theme_label", "topic", "topic_label", "story", "story_label"),
            *("x", "y", "source"),
        ]
        assert [(r["theme_label"], r["topic"], r["topic_label"], r["story_label"]) for r in rows] == [
            (THEMES[0], "10", "Markets", "Stocks rally"),
            (THEMES[0], "11", "Trade", "Tariffs"),
        ]
        assert page.text_content("#selection-by") == "By theme"
    assert log == CLEAN_LOG

    # A link names the middle level as topic=.
    with open_report(out, fragment="topic=12") as (page, log):
        assert page.evaluate("window.topicmap.isolated()") == {"level": "topic", "id": 12}
        assert page.evaluate("window.topicmap.highlighted()") == [i for i, m in enumerate(mid) if m == 12]
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_maps_made_at_the_topic_or_story_level_show_that_level_and_those_below(tmp_path):
    story = [s for s in STORIES for _ in range(PER_STORY)] + [-1] * 3
    for level, words in (("topic", ["Auto", "Topics", "Stories"]), ("story", [])):
        out = tmp_path / f"{level}.html"
        data = fitted_report_data(fitted_state(level), {"parameters": {}}, sample_size=1000, random_state=0)
        write_report(out, data, title=level)
        with open_report(out) as (page, log):
            buttons = page.locator("#level-control button")
            if words:
                assert page.is_visible("#level-control") and buttons.all_text_contents() == words
                assert page.text_content("#summary").startswith("39 items · 3 topics (6 stories)")
                assert page.is_visible("#panel-tabs [data-view=tree]")
            else:
                assert page.is_hidden("#level-control") and page.is_hidden("#panel-tabs")
                assert page.text_content("#summary").startswith("39 items · 6 stories ·")
                assert page.text_content("#topic-list-title") == "Stories"
            drawn = page.evaluate("[...document.querySelectorAll('.map-label')].map(b => b.dataset.level)")
            assert drawn and set(drawn) <= {level, "story"}
            page.evaluate("window.topicmap.select('story', 2)")
            assert page.evaluate("window.topicmap.isolated()") == {"level": "story", "id": 2}
            assert page.evaluate("window.topicmap.highlighted()") == [i for i, s in enumerate(story) if s == 2]
            assert page.url.endswith("#story=2") and state(page)["story"] == 2
            assert page.text_content("#detail-kind") == "Story"
            assert "theme" not in state(page)
        assert log == CLEAN_LOG


@pytest.mark.browser
def test_a_link_restores_the_view_and_the_view_updates_the_link(tmp_path):
    out, texts, frame = hostile_report(tmp_path)
    fragment = "q=Markets&topic=0&from=2025-01-05&to=2025-01-09&source=Reuters"
    with open_report(out, fragment=fragment) as (page, log):
        assert state(page) == {
            **EMPTY_STATE,
            "query": "markets",
            "topic": 0,
            "from": "2025-01-05",
            "to": "2025-01-09",
            "sources": ["Reuters"],
            "facets": {"source": ["Reuters"]},
        }
        assert page.input_value("#search") == "markets"
        # Reuters items in range: 6 and 8 (1-based ids 6, 8); of those in topic 0 matching "markets".
        assert plotted(page) == [5, 7]
        assert page.evaluate("window.topicmap.highlighted()") == [i for i in (5, 7) if "markets" in texts[i].lower()]
        page.evaluate("window.topicmap.select('topic', 0)")  # again: show all topics
        assert page.url.endswith("#q=markets&from=2025-01-05&to=2025-01-09&source=Reuters")
        # Editing the fragment in the address bar moves the view too.
        page.evaluate("location.hash = '#story=2'")
        page.wait_for_function("window.topicmap.state().story === 2")
        assert state(page) == {**EMPTY_STATE, "story": 2}
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_a_hostile_link_runs_nothing_and_is_ignored(tmp_path):
    out, texts, frame = hostile_report(tmp_path)
    fragment = (
        "q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&topic=constructor&story=__proto__&from=garbage"
        "&to=2025-02-30&source=nope&source=toString&new=1&x=%3Cscript%3Ealert(2)%3C/script%3E"
    )
    with open_report(out, fragment=fragment) as (page, log):
        assert state(page) == {**EMPTY_STATE, "query": "<img src=x onerror=alert(1)>"}
        assert page.inner_text("#search-count") == "1 match"  # the hostile corpus has that headline: shown as text
        assert page.evaluate("window.topicmap.highlighted()") == [0]
        assert page.evaluate("document.querySelectorAll('img').length") == 0 and page.evaluate(SCRIPTS) == PAGE_SCRIPTS
        assert plotted(page) == list(range(len(texts)))
        page.evaluate("location.hash = '#topic=99&story=-5&from=2025-13-01&source='")
        page.wait_for_function("window.topicmap.state().query === ''")
        assert state(page) == EMPTY_STATE
    assert log == CLEAN_LOG


def news_report(tmp_path: Path, since: str | None) -> tuple[Path, pd.DataFrame]:
    """An update's report: topic 0 grew by 2 of its 5 items, topic 2 is new, one new item is
    unclustered."""
    texts = (
        [f"old {i} markets" for i in range(3)]
        + ["new 3 markets", "new 4 markets"]
        + [f"old {i} bonds" for i in range(5, 8)]
        + ["new 8 vote", "new 9 vote", "new 10 other", "old 11 other"]
    )
    topic = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2, -1, -1]
    frame = export_frame(texts, topic, new=[t.startswith("new") for t in texts])
    described = label.describe_topics(texts, np.array(topic))
    out = tmp_path / f"news-{since is not None}.html"
    write_report(out, report_data(frame, described, described, {"parameters": {}}, since=since), title="news")
    return out, frame


@pytest.mark.browser
def test_an_update_report_opens_with_what_is_new(tmp_path):
    out, frame = news_report(tmp_path, "2025-01-02 10:00 UTC")
    new = [i for i, n in enumerate(frame["new"]) if n]
    with open_report(out) as (page, log):
        assert page.is_visible("#whats-new")
        assert page.text_content("#news-title") == "New since 2025-01-02 10:00 UTC"
        assert page.text_content("#news-summary") == "5 new items: 4 in topics, 1 unclustered; 1 new topic."
        grew = page.locator("#news-grew li").all_text_contents()
        assert len(grew) == 1 and grew[0].endswith("+2 · 40% of 5")
        assert len(page.locator("#news-fresh li").all_text_contents()) == 1
        page.click("#news-only")
        assert plotted(page) == new and page.url.endswith("#new=1")
        assert page.get_attribute("#news-only", "aria-pressed") == "true"
        page.click("#news-fresh li")
        assert state(page)["topic"] == 2
        page.click("#reset")
        assert plotted(page) == list(range(len(frame)))
    assert log == CLEAN_LOG
    old, _ = news_report(tmp_path, None)
    with open_report(old, fragment="new=1") as (page, log):
        assert page.text_content("#news-title") == "New since the saved map"
        assert plotted(page) == new
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_a_report_without_dates_sources_or_news_hides_those_controls(seed_run):
    with open_report(seed_run["html"]) as (page, log):
        for hidden in (
            "#whats-new",
            "#source-filter",
            "#range-chip",
            "#timeline-figure",
            "#panel-tabs [data-view=selection]",
        ):
            assert page.is_hidden(hidden), hidden
        page.evaluate("window.topicmap.setRange('2025-01-01', '2025-01-02')")
        assert state(page) == {**EMPTY_STATE, "facets": {}}  # no facet column
    assert log == CLEAN_LOG


def small_map(tmp_path: Path) -> TopicMap:
    texts = [f"{w} story number {i}" for w in ("rates", "storm", "match") for i in range(12)]
    return TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts))


def test_update_records_the_time_of_the_map_it_added_to(tmp_path):
    topic_map = small_map(tmp_path)
    assert topic_map.fitted_at_ and topic_map.added_since_ is None
    assert topic_map.theme_labels_.shape == topic_map.labels_.shape
    topic_map.save(tmp_path / "map")
    fitted_at = topic_map.fitted_at_
    grown = TopicMap.load(tmp_path / "map")
    assert grown.fitted_at_ == fitted_at
    new = ["rates story again", "storm story again"]
    grown.update(new, embeddings=fake_vectors(new))
    assert grown.added_since_ == fitted_at and grown.theme_labels_.shape == grown.labels_.shape
    data = grown._report_data("x")
    assert data["new"]["items"] == [36, 37]
    assert data["new"]["since"] == pd.Timestamp(fitted_at).strftime("%Y-%m-%d %H:%M UTC")


def test_a_map_saved_before_the_time_was_kept_still_loads(tmp_path):
    small_map(tmp_path).save(tmp_path / "map")
    manifest = json.loads((tmp_path / "map" / "topicmap.json").read_text())
    del manifest["fitted_at_"], manifest["added_since_"]
    (tmp_path / "map" / "topicmap.json").write_text(json.dumps(manifest))
    # Nor were the theme and middle levels.
    for name in ("theme_labels.npy", "topic_labels.npy", "topic_table.parquet", "theme_table.parquet"):
        (tmp_path / "map" / name).unlink()
    old = TopicMap.load(tmp_path / "map")
    assert old.fitted_at_ is None and np.array_equal(old.theme_labels_, old.labels_)
    old.update(["rates story again"], embeddings=fake_vectors(["rates story again"]))
    assert old._report_data("x")["new"]["since"] is None


def test_show_puts_the_page_in_a_sandboxed_frame(tmp_path):
    shown = small_map(tmp_path).show(height=500)
    assert isinstance(shown, InlineReport)
    html = shown._repr_html_()
    assert html.startswith("<iframe") and 'sandbox="allow-scripts allow-downloads"' in html
    assert "allow-same-origin" not in html and "<script" not in html and "height: 500px" in html
    assert "&lt;script" in html and "Content-Security-Policy" in html


@pytest.mark.browser
def test_the_inline_frame_paints_the_map_with_no_network(tmp_path):
    from playwright.sync_api import sync_playwright

    from browser import PAINTED, launch, watch

    page_html = tmp_path / "notebook.html"
    page_html.write_text("<!DOCTYPE html><html><body>" + small_map(tmp_path).show()._repr_html_() + "</body></html>")
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            log = watch(page)
            page.goto(page_html.resolve().as_uri())
            frame = page.frames[1]
            frame.wait_for_function(PAINTED, timeout=20_000)
            assert frame.evaluate("window.topicmap.model.n") == 36
            frame.evaluate("window.topicmap.search('storm')")
            assert frame.evaluate("window.topicmap.state().query") == "storm"
        finally:
            browser.close()
    assert log == CLEAN_LOG
