"""A report people share: "New since" dated by the data, a timeline that cannot blow up
(hourly bins for a day and a half of news), and a page of about 2 MB (plotly.js gzipped)."""

from __future__ import annotations

import base64
import gzip
import json
import re

import numpy as np
import pandas as pd
import pytest

from analysis import label
from analysis import page as report_page
from analysis.dates import timeline
from analysis.report import categorical, fitted_report_data
from analysis.state import FittedState
from browser import PAGE_SCRIPTS, SCRIPTS, open_report

START = pd.Timestamp("2014-03-10 14:00", tz="UTC")
OLD, NEW_IN_0, FRESH = 60, 4, 3
CLEAN_LOG = {"console_errors": [], "page_errors": [], "requests": [], "dialogs": []}


def dated_update(dates: list[str] | None = None) -> FittedState:
    """A map after an update: topics 0-2 of 20 old items each (dated every 30 minutes from
    START, the last two undated or dated 9999), then 4 new items of topic 0 and new topic 3
    of 3 items, dated hourly from START + 30 h (36 hours in all)."""
    words = ("rates", "storm", "match")
    texts = [f"{w} story number {i}" for w in words for i in range(20)]
    texts += [f"rates story added {i}" for i in range(NEW_IN_0)] + [f"vote story added {i}" for i in range(FRESH)]
    labels = np.array([0] * 20 + [1] * 20 + [2] * 20 + [0] * NEW_IN_0 + [3] * FRESH)
    if dates is None:
        old = [(START + pd.Timedelta(minutes=30 * k)).isoformat() for k in range(OLD - 2)] + ["", "9999-12-31"]
        dates = old + [(START + pd.Timedelta(hours=30 + k)).isoformat() for k in range(NEW_IN_0 + FRESH)]
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [12, 0], [0, 12], [12, 12]], dtype=float)
    vectors = rng.standard_normal((4, 16))[labels] + 0.05 * rng.standard_normal((len(texts), 16))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    topics = label.describe_topics(texts, labels, vectors)
    documents = pd.DataFrame({"doc_id": [str(i + 1) for i in range(len(texts))], "kind": "headline", "text": texts})
    if dates is not False:
        documents["date"] = dates
    return FittedState(
        documents=documents,
        embeddings=vectors,
        coords=(centres[labels] + rng.normal(0, 0.5, (len(texts), 2))).astype(np.float32),
        labels=labels,
        story_labels=labels,
        topic_labels=labels,
        theme_labels=labels,
        added=np.arange(len(texts)) >= OLD,
        waiting=np.zeros(len(texts), dtype=bool),
        grown=np.zeros(len(texts), dtype=bool),
        topics=topics,
        stories=topics,
        topic_table=topics,
        theme_table=topics,
        level="story",
        next_topic_id=4,
        next_story_id=4,
        fitted_at="2026-12-02T08:24:00+00:00",
        added_since="2026-12-01T07:00:00+00:00",
    )


def page_data(state: FittedState) -> dict:
    return fitted_report_data(state, {"parameters": {}}, sample_size=100_000, random_state=0)


def test_new_since_is_the_newest_date_in_the_saved_map_else_when_it_was_saved():
    new = page_data(dated_update())["new"]
    assert new == {
        "items": list(range(OLD, OLD + NEW_IN_0 + FRESH)),
        "since": "2014-03-11 18:30 UTC",  # the 58th old item, START + 28.5 h; the new ones are later
        "basis": "the newest item in the saved map",
    }
    days = ["2022-06-01"] * (OLD - 1) + ["2022-06-14"] + ["2026-12-01"] * (NEW_IN_0 + FRESH)
    assert page_data(dated_update(days))["new"]["since"] == "2022-06-14"
    placeholder = ["2022-06-01"] * (OLD - 2) + ["2022-06-14", "2099-12-31"] + ["2022-07-01"] * (NEW_IN_0 + FRESH)
    assert page_data(dated_update(placeholder))["new"]["since"] == "2022-06-14"  # not a date to come
    undated = page_data(dated_update(dates=False))["new"]  # type: ignore[arg-type]
    assert (undated["since"], undated["basis"]) == ("2026-12-01 07:00 UTC", "when the map was saved")


def bins_of(values: list[str]) -> dict:
    found = timeline({"date": categorical(pd.Series(values))}, len(values))
    assert found is not None
    return found


def test_the_timeline_stays_a_few_hundred_bins_and_counts_what_it_leaves_out():
    hours = [(START + pd.Timedelta(minutes=30 * k)).isoformat() for k in range(73)]  # 36 hours
    hourly = bins_of(hours + ["", "9999-12-31", "0999-01-01"])
    assert hourly["unit"] == "hour" and len(hourly["labels"]) == 37 and hourly["start"] == "2014-03-10T14"
    assert hourly["labels"][:2] == ["2014-03-10 14:00", "2014-03-10 15:00"] and hourly["undated"] == 3
    assert hourly["value_days"][:4] == [0, 0, 1, 1] and hourly["bin_days"][-1] == 37
    assert hourly["years"] == [1900, 2100]
    # A placeholder date far from the others ("1900-01-01" in a corpus of one month) stretches
    # nothing: it is left out with the undated items.
    month = [f"2014-03-{1 + i % 28:02d}" for i in range(200)]
    placed = bins_of(month + ["1900-01-01", "2099-12-31T23:59:59Z"])
    assert placed["unit"] == "day" and len(placed["labels"]) == 28 and placed["undated"] == 2
    decades = bins_of([f"{1990 + i % 35}-06-01" for i in range(200)])  # a long span is no placeholder
    assert decades["undated"] == 0
    # Dates without times stay days; longer spans take longer bins, never more than a few hundred.
    assert bins_of(["2014-03-11", "2014-03-12"])["unit"] == "day"
    for days, unit in ((5, "day"), (62, "day"), (700, "week"), (10_000, "month"), (72_000, "year")):
        found = bins_of(["1901-01-01", (pd.Timestamp("1901-01-01") + pd.Timedelta(days=days)).strftime("%Y-%m-%d")])
        assert found["unit"] == unit and len(found["labels"]) <= 400, (days, found["unit"], len(found["labels"]))


def unpack(text: str) -> str:
    raw = base64.b85decode(text.translate(str.maketrans(":,.", "&<>")))
    return gzip.decompress(raw).decode("utf-8")


def test_the_seed_page_is_small_with_plotly_gzipped_inside(seed_run):
    html = seed_run["html"].read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) <= 2_000_000
    packed = re.search(r'<script type="application/octet-stream" id="plotly-gzip">([^<]*)</script>', html)
    assert packed and not set("&<>/") & set(packed.group(1))
    from plotly.offline import get_plotlyjs

    assert unpack(packed.group(1)) == get_plotlyjs()


@pytest.mark.browser
def test_an_update_page_with_hours_news_names_and_packed_data(tmp_path, monkeypatch):
    monkeypatch.setattr(report_page, "PACK_DATA_CHARS", 0)  # the data gzipped too, as on a big page
    state = dated_update()
    data = page_data(state)
    out = tmp_path / "update.html"
    report_page.write_report(out, data, "update")
    html = out.read_text(encoding="utf-8")
    island = re.search(r'id="topicmap-data" data-packed="gzip">([^<]*)</script>', html)
    assert island and json.loads(unpack(island.group(1)))["new"] == data["new"]
    fresh = list(range(OLD + NEW_IN_0, OLD + NEW_IN_0 + FRESH))
    added = list(range(OLD, OLD + NEW_IN_0 + FRESH))
    names = {t["id"]: t["name"] for t in data["topics"]}
    with open_report(out) as (page, log):
        assert page.text_content("#news-title") == "New since 2014-03-11 18:30 UTC, the newest item in the saved map"
        assert page.locator("#news-fresh li").all_text_contents() == [names[3] + "3 items"]
        weights = dict(
            page.evaluate(
                "[...document.querySelectorAll('.map-label')].map(b => [b.textContent, getComputedStyle(b).fontWeight])"
            )
        )
        assert weights[names[0]] == "700" and int(weights[names[3]]) < 700  # by size, not all bold
        bars = page.evaluate("document.getElementById('timeline-chart').data")
        assert len(bars[0]["x"]) == 37 and sum(sum(t["y"]) for t in bars) == len(state.labels) - 2
        assert (
            "by hour (UTC) · 2 items without a date, dated outside 1900–2100 or far from the others left out"
            in page.text_content("#timeline-caption")
        )
        page.evaluate("window.topicmap.setRange('2014-03-11T20', '2014-03-12T02')")
        state_now = page.evaluate("window.topicmap.state()")
        assert (state_now["from"], state_now["to"]) == ("2014-03-11T20", "2014-03-12T02")
        assert page.url.endswith("#from=2014-03-11T20&to=2014-03-12T02")
        assert page.evaluate("window.topicmap.plotted()") == added
        # The size bars count the items in the range, and their caption says so (a reader's pass).
        assert page.text_content("#sizes-caption").startswith(f"Story sizes, of the {len(added)} items shown")
        assert page.evaluate("window.topicmap.state()")["onlyNew"] is False
        page.evaluate("window.topicmap.onlyNew(true)")
        assert page.evaluate("window.topicmap.state()")["onlyNew"] is True and "new=1" in page.url
        page.evaluate("window.topicmap.onlyNew(false)")
        page.click("#news-fresh li")
        assert page.evaluate("window.topicmap.highlighted()") == fresh
        # An isolated group says when its items are dated: a story of one event spans days, a
        # recurring subject years (HuffPost's "School Shooting", 2018 to 2022).
        first, last = (START + pd.Timedelta(hours=30 + NEW_IN_0 + k) for k in (0, FRESH - 1))
        span = f"dated {first:%Y-%m-%dT%H} to {last:%Y-%m-%dT%H}"
        assert f" · {span}" in page.text_content("#detail-meta"), page.text_content("#detail-meta")
        assert page.evaluate(SCRIPTS) == PAGE_SCRIPTS
    assert log == CLEAN_LOG
    with open_report(out, fragment="from=2014-03-10T14&to=2014-03-10T15") as (page, log):
        assert page.evaluate("window.topicmap.plotted()") == [0, 1, 2, 3]  # 14:00 to 15:59
    assert log == CLEAN_LOG
    # A day without an hour, on an hourly timeline: from its first hour to its last.
    with open_report(out, fragment="from=2014-03-10&to=2014-03-10") as (page, log):
        assert page.evaluate("window.topicmap.state()")["to"] == "2014-03-10T23"
        whole_day = page.evaluate("window.topicmap.plotted()")
        page.evaluate("window.topicmap.setRange('2014-03-10T00', '2014-03-10T23')")
        assert page.evaluate("window.topicmap.plotted()") == whole_day and len(whole_day) > 4
        page.evaluate("window.topicmap.setRange(null, '2014-03-10')")
        assert page.evaluate("window.topicmap.plotted()") == whole_day
    assert log == CLEAN_LOG


def test_the_timeline_says_it_counts_zoned_times_in_utc():
    # an item written 2022-06-01T01:01+05:00 counts on 31 May (UTC): the caption says so
    zoned = [f"2022-06-0{1 + k % 5}T01:01:00+05:00" for k in range(20)] + [f"2022-06-0{1 + k % 5}" for k in range(20)]
    assert bins_of(zoned)["utc"] is True
    assert bins_of([f"2022-06-{1 + k % 20:02d}" for k in range(40)])["utc"] is False
    assert bins_of([f"2022-06-{1 + k % 20:02d}T10:00:00" for k in range(40)])["utc"] is False
