"""A report people share (issue 24): facets that scale (searchable, sorted, top 20 with
"more", merged sources matching each of their sources, "None" as a state of its own, any
low-cardinality column), search people expect (whole words, "phrases", OR, -exclusion, the
matches marked safely), the page API's edges, and text direction isolated per field.

One report of a few hundred fake items (no model) and one page load, from file://."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_report import export_frame

from analysis import label
from analysis.page import write_report
from analysis.report import facet_columns, report_data
from browser import open_report

RLO = "\u202e"
EVIL = RLO + "Evil Times"  # an unclosed right-to-left override
MERGED = "ClaimsJournal.com; Reuters"
N = 300
WORDS = ["war", "Warner", "award", "warning", "war-torn", "WAR", "New York", "york new", "Iran", "Israel", "bond"]


def fake_frame() -> pd.DataFrame:
    """N items in 3 topics (and some unclustered) with 60 small sources and Reuters, merged
    syndicated items, a label column, an id-like column, dates, and text to search."""
    rng = np.random.default_rng(7)
    texts = [f"item {i} {WORDS[i % len(WORDS)]} {['markets', 'vote', 'storm'][i % 3]}" for i in range(N)]
    texts[5] = "<b>war</b> games & <img src=x onerror=alert(1)> début"
    sources = [f"Source {i % 60:02d}" if i % 4 else "Reuters" for i in range(N)]
    sources[5] = EVIL
    for i in (7, 11, 13):
        sources[i] = MERGED
    topic = [(-1 if i % 17 == 0 else i % 3) for i in range(N)]
    frame = export_frame(
        texts,
        topic,
        source=sources,
        date=[f"2025-01-{1 + i % 9:02d}" for i in range(N)],
        label=[["sports", "politics", "business"][i % 3] for i in range(N)],
        url=[f"https://example.com/{i}" for i in range(N)],
    )
    frame["x"] = np.array(topic) * 5.0 + rng.normal(0, 1, N)
    frame["y"] = rng.normal(0, 1, N)
    return frame


def whole_word(word: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I) is not None


def test_report_sends_low_cardinality_columns_and_sources_as_facets():
    frame = fake_frame()
    assert facet_columns(frame) == [{"column": "source", "split": "; "}, {"column": "label", "split": None}]
    data = report_data(frame, label.describe_topics(list(frame["text"]), frame["topic"].to_numpy()), frame[:0], {})
    assert [f["column"] for f in data["facets"]] == ["source", "label"]
    assert "label" in data["points"]["extra"] and "url" not in data["points"]["extra"]
    # A source column naming one source (every item from one file) is a menu of nothing: none.
    one = frame.assign(source="Reuters", source_file="huff.csv; huff.csv")
    assert facet_columns(one) == [{"column": "label", "split": None}]
    assert {"column": "source_file", "split": "; "} in facet_columns(frame.assign(source_file="a.csv; b.csv"))


@pytest.fixture(scope="module")
def report_path(tmp_path_factory) -> Path:
    frame = fake_frame()
    texts = list(frame["text"])
    topics = label.describe_topics(texts, frame["topic"].to_numpy())
    out = tmp_path_factory.mktemp("search") / "search.html"
    write_report(out, report_data(frame, topics, topics, {"parameters": {}}), title="search")
    return out


def state(page) -> dict:
    return page.evaluate("window.topicmap.state()")


def shown(page) -> list[str]:
    return page.evaluate("window.topicmap.shown()")


def ids(indices) -> list[str]:
    return [str(i + 1) for i in indices]


def throws(page, call: str) -> str:
    """The error message of a page API call (empty when it does not throw)."""
    return page.evaluate(f"() => {{ try {{ {call}; return ''; }} catch (e) {{ return e.name + ': ' + e.message; }} }}")


@pytest.mark.browser
def test_facets_search_page_api_and_text_direction(report_path):
    frame = fake_frame()
    texts, sources, labels, topic = (
        list(frame["text"]),
        list(frame["source"]),
        list(frame["label"]),
        list(frame["topic"]),
    )
    everyone = ids(range(N))
    with open_report(report_path) as (page, log):
        # --- Facets: the Sources menu shows the top 20 by count, with a search and "more".
        page.click("#source-filter summary")
        rows = page.locator("#source-list .facet-row")
        assert rows.count() == 20
        counts = [int(c.replace(",", "")) for c in page.locator("#source-list .size").all_text_contents()]
        assert (
            counts == sorted(counts, reverse=True)
            and page.locator("#source-list .name").first.text_content() == "Reuters"
        )
        page.click("#source-more")
        assert rows.count() > 20
        page.fill("#source-find", "claims")
        assert page.locator("#source-list .name").all_text_contents() == ["ClaimsJournal.com"]
        # A merged item counts for each of its sources, and ticking Reuters catches it.
        assert page.locator("#source-list .size").all_text_contents() == ["3"]
        page.evaluate("window.topicmap.setSources('Reuters')")
        reuters = [i for i, s in enumerate(sources) if "Reuters" in s.split("; ")]
        assert shown(page) == ids(reuters) and {8, 12, 14} <= {int(d) for d in shown(page)}
        assert state(page)["sources"] == ["Reuters"] and page.url.endswith("#source=Reuters")
        # None is a state of its own: nothing shown, in the link and in state().
        page.click("#source-none")
        assert state(page)["sources"] == [] and shown(page) == [] and page.evaluate("window.topicmap.plotted()") == []
        assert page.url.endswith("#none=source") and page.text_content("#source-summary") == "none"
        page.click("#source-all")
        assert state(page)["sources"] is None and shown(page) == everyone and "#" not in page.url
        # Every source but one: the link names the one left out, not the hundred ticked.
        names = sorted({part for s in sources for part in s.split("; ")})
        page.evaluate(f"window.topicmap.setSources({[n for n in names if n != 'Reuters']!r})")
        assert page.url.endswith("#not.source=Reuters") and sorted(state(page)["sources"]) == sorted(
            set(names) - {"Reuters"}
        )
        assert shown(page) == ids(i for i, s in enumerate(sources) if set(s.split("; ")) != {"Reuters"})
        page.evaluate("location.hash = '#not.source=Reuters&not.source=Source%2001'")
        page.wait_for_function(f"window.topicmap.state().sources.length === {len(names) - 2}")
        page.click("#source-all")
        page.evaluate("location.hash = '#none=source'")
        page.wait_for_function("window.topicmap.shown().length === 0")
        assert state(page)["sources"] == []
        page.click("#reset")
        page.click("#source-filter summary")  # closed
        # Any low-cardinality column is a facet too; its menu, the link and state() agree.
        page.click("#filter-bar .facet[data-column=label] summary")
        assert sorted(page.locator(".facet[data-column=label] .name").all_text_contents()) == [
            "business",
            "politics",
            "sports",
        ]
        page.evaluate("window.topicmap.setFacet('label', ['sports'])")
        assert shown(page) == ids(i for i, v in enumerate(labels) if v == "sports")
        assert state(page)["facets"] == {"source": None, "label": ["sports"]} and page.url.endswith("#f.label=sports")
        page.click("#reset")

        # --- Search: whole words, "phrases", OR, -exclusion; matches marked as text.
        page.fill("#search", "war")
        page.wait_for_function("window.topicmap.state().query === 'war'")
        wars = [i for i, t in enumerate(texts) if whole_word("war", t)]
        assert page.evaluate("window.topicmap.matches()") == wars
        assert not any("warner" in texts[i].lower() or "award" in texts[i].lower() for i in wars)
        assert any("war-torn" in texts[i] for i in wars) and 5 in wars
        marks = page.locator("#search-items mark.hit").all_text_contents()
        assert marks and {m.lower() for m in marks} == {"war"}
        assert page.evaluate("document.querySelectorAll('#search-items b, #search-items img').length") == 0
        test = "(q, t) => window.topicmap.query.test(q, t)"
        assert page.evaluate(f"({test})('\"new york\"', 'Rally in New  York today')") is True
        assert page.evaluate(f"({test})('\"new york\"', 'york new')") is False
        assert page.evaluate(f"({test})('iran OR israel', 'Israel votes')") is True
        assert page.evaluate(f"({test})('markets -bond', 'bond markets')") is False
        assert page.evaluate(f"({test})('début', 'DÉBUT du match')") is True
        assert page.evaluate(f"({test})('war*', 'Warner')") is True
        page.fill("#search", 'Iran OR "new york" -markets')
        page.wait_for_function("window.topicmap.state().query === 'iran OR \"new york\" -markets'")
        expected = [
            i
            for i, t in enumerate(texts)
            if (whole_word("iran", t) or whole_word("new york", t)) and not whole_word("markets", t)
        ]
        assert expected and page.evaluate("window.topicmap.matches()") == expected

        # --- Page API: shown() after search, facet and isolation; setters check arguments.
        page.evaluate("window.topicmap.setSources(['Reuters', 'ClaimsJournal.com'])")
        page.evaluate("window.topicmap.select('theme', 1)")
        assert state(page)["topic"] == 1 and page.evaluate("window.topicmap.isolated()") == {"level": "topic", "id": 1}
        assert "topic=1" in page.url and "theme" not in page.url
        assert shown(page) == ids(i for i in expected if i in reuters and topic[i] == 1)
        assert throws(page, "window.topicmap.setSources('Nobody')").startswith("RangeError")
        assert throws(page, "window.topicmap.setSources(42)").startswith("TypeError")
        assert throws(page, "window.topicmap.select('topic', 99)").startswith("RangeError")
        assert throws(page, "window.topicmap.select('galaxy', 1)").startswith("RangeError")
        assert throws(page, "window.topicmap.setRange('2025-02-30', null)").startswith("RangeError")
        assert throws(page, "window.topicmap.setColor('nope')").startswith("RangeError")
        # A long query is searched whole (an OR of 30 names is about 300 characters), and the
        # box holds no more than is searched.
        assert page.evaluate("document.getElementById('search').maxLength") == 1000
        page.evaluate("window.topicmap.search('storm OR ' + 'x'.repeat(290))")
        assert len(state(page)["query"]) == 299
        page.evaluate("window.topicmap.search('')")
        assert state(page)["topic"] == 1 and state(page)["sources"] == ["Reuters", "ClaimsJournal.com"]
        page.click("#reset")
        page.evaluate("window.topicmap.selectItems([9999, -1])")
        assert state(page)["selected"] == [] and shown(page) == everyone
        page.evaluate("window.topicmap.selectItems([4, 2, 2, 9999])")
        assert state(page)["selected"] == ["3", "5"] and shown(page) == ["3", "5"]
        page.click("#reset")

        # --- Text direction: an unclosed override in a source does not flip the date beside it.
        page.evaluate(f"window.topicmap.select('topic', {topic[5]})")
        date_order = page.evaluate(
            """() => {
            const li = [...document.querySelectorAll('#detail-items li')].find((n) => n.textContent.includes('Evil Times'));
            const walker = document.createTreeWalker(li.querySelector('.item-meta'), NodeFilter.SHOW_TEXT);
            let node; while ((node = walker.nextNode()) && !node.data.includes('2025-01-06'));
            const at = node.data.indexOf('2025-01-06'), x = (k) => { const r = document.createRange();
              r.setStart(node, at + k); r.setEnd(node, at + k + 1); return r.getBoundingClientRect().left; };
            return [x(0), x(9)]; }"""
        )
        assert date_order[0] < date_order[1]
    assert log == {"console_errors": [], "page_errors": [], "requests": [], "dialogs": []}


SEEN_TEXTS = [
    "İstanbul mayor İmamoğlu freed",
    "Cafe\u0301 opens in Zu\u0308rich",  # accents written as combining marks
    "Bun\u00adde\u00adstag votes on the budget",  # soft hyphens, as German feeds write them
    "Trump\u2019s plan, and don\u2019t say it",
    "A plain headline about rain",
    "Another headline about rain",
]


@pytest.mark.browser
def test_the_page_reads_as_the_reader_sees_it(tmp_path):
    """A column with an empty name drew nothing (the page stopped on it); numbers sorted as
    text ("-0.5" before "-10"); search missed "istanbul", "café", "bundestag" and "trump's"
    in text that shows them; a name with quotes read &quot; in the charts; search() left the
    box empty."""
    n = len(SEEN_TEXTS)
    frame = export_frame(SEEN_TEXTS, [0, 0, 0, 1, 1, 1])
    frame[""] = ["v0", "v1", "v2", "v0", "v1", "v2"]
    frame["score"] = ["-0.5", "-10", "0.25", "1.125", "-3", ""]
    frame["source"] = ["Reuters; AP", "Reuters", "AP", "AP", "Reuters; AP", "BBC"]
    topics = label.describe_topics(SEEN_TEXTS, frame["topic"].to_numpy())
    topics.loc[topics["id"] == 0, "name"] = 'The "Quoted" & Co'
    out = tmp_path / "seen.html"
    write_report(out, report_data(frame, topics, topics[:0], {"parameters": {}}), title="seen")
    with open_report(out) as (page, log):
        assert log["page_errors"] == [] and page.evaluate("typeof window.topicmap.state") == "function"
        assert "(unnamed column)" in page.text_content("body")
        finds = {
            query: page.evaluate("([q, t]) => window.topicmap.query.test(q, t)", [query, SEEN_TEXTS[k]])
            for query, k in [
                ("istanbul", 0), ("İstanbul", 0), ("imamoğlu", 0), ("café", 1), ("cafe", 1), ("zürich", 1),
                ("bundestag", 2), ("trump's", 3), ("don't", 3), ("trump\u2019s", 3),
            ]
        }  # fmt: skip
        assert all(finds.values()), finds
        marks = page.evaluate("([q, t]) => window.topicmap.query.marks(q, t)", ["bundestag", SEEN_TEXTS[2]])
        assert marks == [[0, len("Bun\u00adde\u00adstag")]]  # the mark covers the word as written
        assert not page.evaluate("([q, t]) => window.topicmap.query.test(q, t)", ["war", "Warner"])
        page.evaluate("window.topicmap.search('Istanbul')")
        assert (
            page.input_value("#search") == "Istanbul" and page.evaluate("window.topicmap.state().query") == "istanbul"
        )
        page.evaluate("window.topicmap.search('')")
        ticks = page.locator("#sizes-chart .ytick text").all_text_contents()
        assert any('"Quoted"' in t for t in ticks) and not any("&quot;" in t or "&#" in t for t in ticks), ticks
        page.click("#table-tab") if page.locator("#table-tab").count() else None
        header = page.locator("#table-head th button", has_text="score")
        header.click()
        column = [h.strip() for h in page.locator("#table-head th").all_text_contents()].index("score")
        cells = page.locator(f"#table-body tr td:nth-child({column + 1})").all_text_contents()
        assert cells[: n - 1] == ["-10", "-3", "-0.5", "0.25", "1.125"] and cells[n - 1] == "", cells
        page.select_option("#color-by", "source")  # a merged source is coloured as its first
        legend = " | ".join(page.locator("#color-legend").all_text_contents())
        assert "; " not in legend and "Reuters" in legend and "BBC" in legend, legend
    assert log["console_errors"] == [] and log["page_errors"] == []
