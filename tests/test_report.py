"""The HTML report: compact self-contained data, hostile text kept as text, and the page's
behaviour in a real browser (search, isolating topics, hover, names, timeline)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import label, report
from analysis import page as report_page
from analysis.dates import parse_dates
from analysis.load import load_corpus
from analysis.page import render_html, script_json, write_report
from analysis.report import fitted_report_data, report_data, topic_color
from analysis.state import FittedState
from browser import PAGE_SCRIPTS, SCRIPTS, open_report

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_NAME = "<img src=x onerror=alert(5)>"


def embedded_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="topicmap-data">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def export_frame(texts: list[str], topic: list[int], story: list[int] | None = None, **extra) -> pd.DataFrame:
    """A frame shaped like TopicMap.to_frame(), items on a line."""
    n = len(texts)
    return pd.DataFrame(
        {
            "doc_id": [str(i) for i in range(1, n + 1)],
            "kind": "headline",
            "text": texts,
            "topic": topic,
            "topic_label": "",
            "x": np.arange(n, dtype=float),
            "y": np.zeros(n),
            "story": story if story is not None else topic,
            "story_label": "",
            **extra,
        }
    )


def tiny_data(texts: list[str]) -> dict:
    """One topic of all `texts`; every name, keyword and provenance field is a text too."""
    frame = export_frame(texts, [0] * len(texts))
    topics = pd.DataFrame(
        [{"id": 0, "name": texts[0], "size": len(texts), "keywords": texts[:2], "representatives": texts[:2]}]
    )
    meta = {
        "input": texts[0],
        "items": len(texts),
        "model": texts[-1],
        "parameters": {"level": texts[1]},
        "version": "0",
        "generated": "now",
    }
    return report_data(frame, topics, topics, meta)


def test_script_json_escapes_everything_that_could_end_a_script():
    text = script_json({"t": "</script><b>&\u2028\u2029"})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"t": "</script><b>&\u2028\u2029"}


def test_points_are_compact_columns_not_one_record_per_item():
    frame = export_frame(
        ["oil alpha", "oil beta", "gas gamma"],
        [0, 0, -1],
        source=["S1", None, "S1"],
        date=["2025-01-01", "", "2025-01-03"],
    )
    topics = label.describe_topics(list(frame["text"]), frame["topic"].to_numpy())
    points = report_data(frame, topics, topics, {})["points"]
    assert points["x"] == [0.0, 1.0, 2.0] and points["topic"] == [0, 0, -1]
    assert points["doc_id"] is None  # the row numbers 1..n, derived by the page
    assert points["kind"] == {"values": ["headline"], "codes": None}
    source = points["extra"]["source"]
    assert [source["values"][c] for c in source["codes"]] == ["S1", "", "S1"]
    assert set(points["extra"]) == {"source", "date"}


def test_the_page_shows_item_text_as_a_person_reads_it_and_the_export_keeps_it():
    # AG News titles carry entities, some with their "&" lost ("Oracle #39;s"), and tags
    raw = ["Oracle #39;s Ellison happy", "AT&amp;T &lt;b&gt;buys&lt;/b&gt; rival", "Oracle AT&amp;T deal"]
    frame = export_frame(raw, [0, 0, 0])
    topics = label.describe_topics(raw, frame["topic"].to_numpy())
    data = report_data(frame, topics, topics, {})
    assert data["points"]["text"] == ["Oracle's Ellison happy", "AT&T <b>buys</b> rival", "Oracle AT&T deal"]
    (topic,) = data["topics"]
    assert "&amp;" not in topic["description"] and "#39;" not in topic["description"]
    assert list(frame["text"]) == raw  # the frame the export writes is not touched


def test_an_item_without_a_date_is_dated_by_when_it_was_published():
    # a feed's items added by `update` to a map read from a dated table have only `published`
    frame = export_frame(
        ["oil alpha", "oil beta", "gas gamma", "gas delta"],
        [0, 0, 1, 1],
        date=["2025-01-01", "2025-01-02", None, ""],
        published=[None, None, "Fri, 03 Jan 2025 10:00:00 GMT", None],
    )
    topics = label.describe_topics(list(frame["text"]), frame["topic"].to_numpy())
    data = report_data(frame, topics, topics, {})
    assert data["timeline"]["column"] == "date" and data["timeline"]["undated"] == 1
    shown = data["points"]["extra"]["date"]
    assert [shown["values"][c] for c in shown["codes"]][2] == "Fri, 03 Jan 2025 10:00:00 GMT"


def test_stories_are_sent_only_when_they_split_the_topics():
    texts = ["w1 alpha", "w2 alpha", "w3 beta", "w4 beta", "w5 gamma"]
    one_level = export_frame(texts, [0, 0, 1, 1, -1], story=[5, 5, 7, 7, -1])
    described = label.describe_topics(texts, one_level["topic"].to_numpy())
    data = report_data(one_level, described, described, {})
    assert data["stories"] == [] and data["points"]["story"] is None

    two_levels = export_frame(texts, [0, 0, 0, 0, -1], story=[0, 0, 1, 1, -1])
    stories = label.describe_topics(texts, two_levels["story"].to_numpy())
    data = report_data(two_levels, label.describe_topics(texts, two_levels["topic"].to_numpy()), stories, {})
    assert [(s["id"], s["parent"]) for s in data["stories"]] == [(0, 0), (1, 0)]
    assert data["points"]["story"] == [0, 0, 1, 1, -1]
    assert {s["color"] for s in data["stories"]} == {topic_color(0)}


#: A map of three levels: theme ⊇ topic ⊇ story, by id, with names; stories lie apart on
#: a line, the themes' far apart (see three_level_frame).
THEMES = {0: "Economy", 1: "Weather"}
MIDS = {10: ("Markets", 0), 11: ("Trade", 0), 12: ("Storms", 1)}
STORIES = {
    0: ("Stocks rally", 10, -6.0),
    1: ("Bond yields", 10, 6.0),
    2: ("Tariffs", 11, 24.0),
    3: ("Shipping", 11, 36.0),
    4: ("Hurricane", 12, 94.0),
    5: ("Floods", 12, 106.0),
}
PER_STORY = 6


def level_table(labels, names: dict) -> pd.DataFrame:
    """A level's table (id, name, size, keywords, representatives, description) by hand."""
    labels = np.asarray(labels)
    return pd.DataFrame(
        [
            {
                "id": k,
                "name": name,
                "size": int((labels == k).sum()),
                "keywords": [name.lower()],
                "representatives": [f"about {name}"],
                "description": f"All about {name}",
            }
            for k, name in names.items()
        ]
    )


def three_level_frame() -> tuple[pd.DataFrame, dict]:
    """PER_STORY items a story (STORIES), three unclustered; the frame's topic is the theme, its
    story the story; and the levels' labels and tables, {"theme", "mid", "story"}: (labels, table)."""
    rng = np.random.default_rng(5)
    story = [s for s in STORIES for _ in range(PER_STORY)] + [-1] * 3
    mid = [STORIES[s][1] if s >= 0 else -1 for s in story]
    theme = [MIDS[m][1] if m >= 0 else -1 for m in mid]
    texts = [f"{STORIES[s][0]} item {k}" if s >= 0 else f"odd item {k}" for k, s in enumerate(story)]
    frame = export_frame(texts, theme, story=story, source=[["AP", "Reuters"][k % 2] for k in range(len(story))])
    frame["x"] = [STORIES[s][2] if s >= 0 else 60.0 for s in story] + rng.normal(0, 0.8, len(story))
    frame["y"] = [0.0 if s >= 0 else 40.0 for s in story] + rng.normal(0, 0.8, len(story))
    levels = {
        "theme": (np.array(theme), level_table(theme, THEMES)),
        "mid": (np.array(mid), level_table(mid, {k: v[0] for k, v in MIDS.items()})),
        "story": (np.array(story), level_table(story, {k: v[0] for k, v in STORIES.items()})),
    }
    return frame, levels


def three_level_data() -> dict:
    frame, levels = three_level_frame()
    return report_data(frame, levels["theme"][1], levels["story"][1], {"parameters": {}}, mids=levels["mid"])


def three_level_report(tmp_path: Path) -> Path:
    out = tmp_path / "three.html"
    write_report(out, three_level_data(), title="three levels")
    return out


def test_three_levels_send_themes_topics_and_stories_with_their_parents():
    frame, levels = three_level_frame()
    data = three_level_data()
    assert data["meta"]["levels"] == ["theme", "topic", "story"]
    points = data["points"]
    assert points["topic"] == levels["theme"][0].tolist()
    assert points["mid"] == levels["mid"][0].tolist() and points["story"] == levels["story"][0].tolist()
    assert {r["id"]: r["name"] for r in data["topics"]} == THEMES
    assert {r["id"]: (r["name"], r["parent"]) for r in data["mids"]} == MIDS
    assert {r["id"]: (r["name"], r["mid"], r["parent"]) for r in data["stories"]} == {
        k: (name, mid, MIDS[mid][1]) for k, (name, mid, _) in STORIES.items()
    }
    # A topic and a story take their theme's colour; the themes differ.
    assert all(r["color"] == topic_color(r["parent"]) for r in data["mids"] + data["stories"])
    assert topic_color(0) != topic_color(1)
    # Isolated, a group's parts are drawn apart: a topic's colour among its theme's topics,
    # a story's among its topic's, the larger part first.
    by_size = lambda r: (-r["size"], r["id"])  # noqa: E731
    for records, within in ((data["mids"], "parent"), (data["stories"], "mid")):
        for group in {r[within] for r in records}:
            parts = sorted((r for r in records if r[within] == group), key=by_size)
            assert [r["part_color"] for r in parts] == [topic_color(k) for k in range(len(parts))]
    trade = next(r for r in data["mids"] if r["id"] == 11)
    assert trade["size"] == 2 * PER_STORY and trade["description"] == "All about Trade"
    assert 24.0 - 3 < trade["cx"] < 36.0 + 3 and trade["box"][0] < 26 < 34 < trade["box"][1]


def test_a_level_that_splits_nothing_more_than_the_one_above_is_dropped():
    frame, levels = three_level_frame()
    theme, story = levels["theme"], levels["story"]
    meta = {"parameters": {}}

    def shown(mid) -> dict:
        return report_data(frame, theme[1], story[1], meta, mids=mid)

    # Topics that are the themes (other ids): themes and stories.
    data = shown((theme[0] + 100, level_table(theme[0] + 100, {100: "a", 101: "b"})))
    assert data["meta"]["levels"] == ["theme", "story"] and data["mids"] == [] and data["points"]["mid"] is None
    assert data["points"]["story"] == story[0].tolist()
    assert {(r["id"], r["parent"]) for r in data["stories"]} == {(k, MIDS[v[1]][1]) for k, v in STORIES.items()}
    assert all("mid" not in r for r in data["stories"])
    # Stories that are the topics: themes and topics, the topics at the bottom.
    data = report_data(frame.assign(story=levels["mid"][0]), theme[1], levels["mid"][1], meta, mids=levels["mid"])
    assert data["meta"]["levels"] == ["theme", "topic"] and data["points"]["mid"] is None
    assert data["points"]["story"] == levels["mid"][0].tolist()
    assert {r["id"]: (r["name"], r["parent"]) for r in data["stories"]} == MIDS
    # All three the same partition: one level.
    same = frame.assign(story=theme[0])
    data = report_data(same, theme[1], theme[1], meta, mids=(theme[0], theme[1]))
    assert data["meta"]["levels"] == ["theme"] and data["stories"] == data["mids"] == []
    assert data["points"]["story"] is None and data["points"]["mid"] is None
    # Two levels by default are a topic and its stories; names must fit the levels.
    assert report_data(frame, theme[1], story[1], meta)["meta"]["levels"] == ["topic", "story"]
    with pytest.raises(ValueError, match="one name per level"):
        report_data(frame, theme[1], story[1], meta, names=("theme",))


def fitted_state(level: str) -> FittedState:
    """The three-level map as a fitted state made at `level`."""
    frame, levels = three_level_frame()
    chosen = {"theme": levels["theme"], "topic": levels["mid"], "story": levels["story"]}[level]
    n = len(frame)
    return FittedState(
        documents=frame[["doc_id", "kind", "text", "source"]],
        embeddings=np.ones((n, 2), dtype=np.float32),
        coords=frame[["x", "y"]].to_numpy(dtype=np.float32),
        labels=chosen[0],
        story_labels=levels["story"][0],
        topic_labels=levels["mid"][0],
        theme_labels=levels["theme"][0],
        added=np.zeros(n, dtype=bool),
        waiting=np.zeros(n, dtype=bool),
        grown=np.zeros(n, dtype=bool),
        topics=chosen[1],
        stories=levels["story"][1],
        topic_table=levels["mid"][1],
        theme_table=levels["theme"][1],
        level=level,
        next_topic_id=20,
        next_story_id=20,
    )


def test_a_fitted_map_shows_its_chosen_level_and_every_level_below():
    frame, levels = three_level_frame()
    expected = {"theme": ["theme", "topic", "story"], "topic": ["topic", "story"], "story": ["story"]}
    for level, names in expected.items():
        data = fitted_report_data(fitted_state(level), {}, sample_size=1000, random_state=0)
        assert data["meta"]["levels"] == names
        key = {"theme": "theme", "topic": "mid", "story": "story"}[level]
        assert data["points"]["topic"] == levels[key][0].tolist()
        assert [r["name"] for r in sorted(data["topics"], key=lambda r: r["id"])] == list(levels[key][1]["name"])
        assert (data["points"]["mid"] is not None) == (level == "theme")
        assert (data["points"]["story"] is not None) == (level != "story")
        assert "theme" not in data["points"]["extra"] and "theme" not in data["points"]["columns"]
    # A sample keeps each item's levels together.
    data = fitted_report_data(fitted_state("theme"), {}, sample_size=20, random_state=0)
    points = data["points"]
    assert len(points["text"]) < len(frame)
    at = {t: k for k, t in enumerate(frame["text"])}
    rows = [at[t] for t in points["text"]]
    assert points["mid"] == levels["mid"][0][rows].tolist() and points["story"] == levels["story"][0][rows].tolist()


def test_topic_names_sit_on_a_member_and_zoom_boxes_span_the_members():
    frame = export_frame([f"word{i} alpha" for i in range(6)], [0, 0, 0, 1, 1, -1])
    frame["x"] = [0.0, 1.0, 10.0, 50.0, 52.0, 99.0]
    frame["y"] = [0.0, 1.0, 2.0, 5.0, 5.0, 99.0]
    topics = label.describe_topics(list(frame["text"]), frame["topic"].to_numpy())
    records = {r["id"]: r for r in report_data(frame, topics, topics, {})["topics"]}
    assert (records[0]["cx"], records[0]["cy"]) == (1.0, 1.0)  # the member nearest the median
    assert records[1]["box"][0] >= 50.0 and records[1]["box"][1] <= 52.0
    assert records[0]["color"] != records[1]["color"]


def test_topic_colours_are_fixed_by_id_distinct_and_grey_for_unclustered():
    assert topic_color(-1) == report.NOISE_COLOR
    assert [topic_color(i) for i in range(200)] == [topic_color(i) for i in range(200)]
    assert len({topic_color(i) for i in range(200)}) == 200
    assert all(re.fullmatch(r"#[0-9a-f]{6}", topic_color(i)) for i in range(200))


def test_timeline_bins_by_day_or_week_and_counts_undated_items():
    days = ["2025-01-01", "2025-01-01T23:59:00Z", "2025-01-03", "", "no date"]
    frame = export_frame([f"t{i}" for i in range(5)], [0] * 5, date=days)
    data = report_data(
        frame,
        pd.DataFrame(columns=["id", "name", "size", "keywords", "representatives"]),
        pd.DataFrame(columns=["id"]),
        {},
    )
    timeline, date = data["timeline"], data["points"]["extra"]["date"]
    assert timeline["unit"] == "day" and timeline["labels"] == ["2025-01-01", "2025-01-02", "2025-01-03"]
    assert [timeline["value_bins"][c] for c in date["codes"]] == [0, 0, 2, -1, -1]
    assert timeline["undated"] == 2

    weeks = export_frame(["a", "b", "c"], [0, 0, 0], published=["2025-01-01", "2025-03-01", "2025-06-30"])
    assert (
        report_data(weeks, pd.DataFrame(columns=["id"]), pd.DataFrame(columns=["id"]), {})["timeline"]["unit"] == "week"
    )
    for frame in (export_frame(["a", "b"], [0, 0]), export_frame(["a", "b"], [0, 0], date=["soon", "later"])):
        assert report_data(frame, pd.DataFrame(columns=["id"]), pd.DataFrame(columns=["id"]), {})["timeline"] is None


def test_hostile_text_never_lands_in_html_unescaped():
    hostile = ["<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", "a\u2028b\u2029c & d"]
    data = tiny_data(hostile)
    html = render_html(data, title=hostile[0], plotlyjs="cdn")
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    scripts = "".join(re.findall(r"<script[^>]*>(.*?)</script>", html, re.S))
    assert not set("\u2028\u2029") & set(scripts)  # JS line breaks only in HTML text
    assert embedded_data(html) == json.loads(json.dumps(data))
    assert "<title>&lt;img src=x onerror=alert(1)&gt;</title>" in html


def test_an_asset_that_could_close_its_tag_is_refused(tmp_path, monkeypatch):
    (tmp_path / "bad.js").write_text("const s = '</SCRIPT>';")
    monkeypatch.setattr(report_page, "_assets_dir", lambda: tmp_path)
    with pytest.raises(ValueError, match="bad.js"):
        report_page.read_assets(("bad.js",))


def test_cdn_option_makes_a_small_file_that_loads_plotly_from_the_cdn():
    html = render_html(tiny_data(["a", "b"]), "t", plotlyjs="cdn")
    assert len(html) < 200_000
    assert re.search(r'<script src="https://cdn\.plot\.ly/plotly-[\d.]+\.min\.js"></script>', html)


def test_seed_report_holds_every_item_and_loads_nothing_from_the_network(seed_run):
    html = seed_run["html"].read_text(encoding="utf-8")
    assert embedded_data(html)["points"]["text"] == list(seed_run["export"]["text"])
    assert re.search(r"<script[^>]+src=", html) is None and "<link" not in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert csp.startswith("default-src 'none'") and "http" not in csp


def test_a_100k_item_report_stays_under_15_mb(tmp_path):
    spec = importlib.util.spec_from_file_location("report_scale", ROOT / "benchmarks" / "report_scale.py")
    scale = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scale)
    frame = scale.synthetic_frame(100_000)
    data = report_data(
        frame, scale.describe(frame, "topic", "T"), scale.describe(frame, "story", "S"), {"parameters": {}}
    )
    assert len(render_html(data, "big").encode("utf-8")) <= 15_000_000


# --- in Chromium ------------------------------------------------------------------------

HIGHLIGHTED = "window.topicmap.data.points.text.map((_, i) => window.topicmap.isHighlighted(i))"


def search(page, text: str) -> None:
    page.fill("#search", text)
    page.wait_for_function("q => window.topicmap.state().query === q", arg=text.strip().lower())


def hover_item(page, i: int) -> str:
    """Move the mouse onto item i on the map and return the hover card's text."""
    spot = page.evaluate(
        """i => { const gd = document.getElementById('map'), fl = gd._fullLayout, r = gd.getBoundingClientRect();
        const p = window.topicmap.data.points;
        return [r.left + fl.xaxis._offset + fl.xaxis.l2p(p.x[i]), r.top + fl.yaxis._offset + fl.yaxis.l2p(p.y[i])]; }""",
        i,
    )
    page.mouse.move(1, 1)
    page.wait_for_selector("#tooltip", state="hidden")
    page.mouse.move(*spot)
    page.wait_for_selector("#tooltip:not([hidden])")
    return page.text_content("#tooltip .tooltip-text")


def free_item(page, candidates) -> int:
    """An item from `candidates` whose point no name or other point covers."""
    return page.evaluate(
        """ids => ids.find(i => { const gd = document.getElementById('map'), fl = gd._fullLayout, r = gd.getBoundingClientRect();
        const p = window.topicmap.data.points;
        const x = r.left + fl.xaxis._offset + fl.xaxis.l2p(p.x[i]), y = r.top + fl.yaxis._offset + fl.yaxis.l2p(p.y[i]);
        const near = p.x.filter((_, j) => j !== i && Math.hypot(fl.xaxis.l2p(p.x[j]) - fl.xaxis.l2p(p.x[i]), fl.yaxis.l2p(p.y[j]) - fl.yaxis.l2p(p.y[i])) < 12);
        return near.length === 0 && !document.elementFromPoint(x, y).closest('.map-label'); })""",
        list(candidates),
    )


@pytest.mark.browser
def test_seed_report_in_chromium(seed_run):
    export = seed_run["export"]
    # The page's top level is the level the map was made at: the export column of its name.
    top = embedded_data(seed_run["html"].read_text(encoding="utf-8"))["meta"]["levels"][0]
    texts, topics = list(export["text"]), list(export[top])
    with open_report(seed_run["html"]) as (page, log):
        # Every item is plotted once, coloured by topic (one trace per topic, grey unclustered).
        assert page.evaluate("window.topicmap.plotted()") == list(range(len(texts)))
        traces = page.evaluate("document.getElementById('map').data.map(t => [t.x.length, t.marker.color])")
        assert sum(n for n, _ in traces[:-1]) == len(texts) and traces[0][1] == "#b8b8b8"
        assert page.locator(".map-label").count() >= 1

        search(page, "IRAN")
        expected = ["iran" in t.lower() for t in texts]
        assert page.evaluate(HIGHLIGHTED) == expected
        assert page.inner_text("#search-count") == f"{sum(expected)} matches"
        assert page.evaluate("document.getElementById('map').data.at(-1).x.length") == sum(expected)
        assert page.locator("#search-items li").count() == sum(expected)

        search(page, "")
        biggest = int(pd.Series([t for t in topics if t >= 0]).value_counts().idxmax())
        page.click("#topic-list .topic-card >> nth=0")
        assert page.evaluate("window.topicmap.isolated()") == {"level": top, "id": biggest}
        assert page.evaluate(HIGHLIGHTED) == [t == biggest for t in topics]
        assert page.locator("#detail-items .item-text").all_text_contents() == [
            t for t, k in zip(texts, topics) if k == biggest
        ]
        names = page.evaluate(
            """id => { const m = window.topicmap.model; return [m.topicById.get(id).name,
            ...m.mids.filter(r => r.parent === id).map(r => r.name), ...m.storiesOf(id).map(s => s.name)]; }""",
            biggest,
        )
        shown = page.locator(".map-label").all_text_contents()
        assert names[0] in shown and set(shown) <= set(names)

        page.click("#back")
        assert page.evaluate("window.topicmap.isolated()") is None
        label_text = page.locator(".map-label >> nth=0").text_content()
        page.click(".map-label >> nth=0")
        selected = page.evaluate("window.topicmap.isolated().id")
        assert page.evaluate("id => window.topicmap.model.topicById.get(id).name", selected) == label_text
        page.click("#reset")

        item = free_item(page, range(len(texts)))
        assert hover_item(page, item) == texts[item]
    assert log == {"console_errors": [], "page_errors": [], "requests": [], "dialogs": []}


HOSTILE = [  # text, topic, story
    ("<img src=x onerror=alert(1)>", 1, 2),
    ("</script><script>alert(2)</script>", 1, 2),
    ("<svg onload=alert(4)> script kiddies", 1, 2),
    ("&lt;escaped&gt; already &amp; twice", 1, 2),
    ("Markets rally as stocks climb", 0, 0),
    ("Stocks climb as markets rally again", 0, 0),
    ("Markets rally on stocks news", 0, 0),
    ("Bond yields fall as markets calm", 0, 1),
    ("Bond markets calm as yields fall", 0, 1),
    ("<a href='javascript:alert(3)'>x</a>", -1, -1),
    ("line\u2028separator\u2029here", -1, -1),
]


def hostile_report(tmp_path: Path) -> tuple[Path, list[str], pd.DataFrame]:
    """The hostile corpus through the real loader, naming and report code (no model: topics,
    stories and places are given); one topic is named with markup, and so is the input.
    Returns the page, the items' texts as the page shows them, and the loaded frame."""
    corpus = tmp_path / "hostile.csv"
    pd.DataFrame(
        {
            "text": [t for t, _, _ in HOSTILE],
            "source": ["<b>bold</b>", "Reuters"] * 5 + ["<i>x</i>"],
            "date": [f"2025-01-{d:02d}" for d in range(1, 11)] + ["<i>not a date</i>"],
        }
    ).to_csv(corpus, index=False)
    docs = load_corpus(corpus)
    texts = list(docs["text"])
    topic = np.array([k for _, k, _ in HOSTILE])
    story = np.array([s for _, _, s in HOSTILE])
    rng = np.random.default_rng(0)
    centres = {-1: (0.0, 8.0), 0: (-4.0, 0.0), 1: (4.0, 0.0), 2: (8.0, 6.0)}
    xy = np.array([centres[s] for s in story]) + rng.normal(0, 0.3, (len(texts), 2))
    frame = docs[["doc_id", "kind", "text"]].assign(
        topic=topic,
        topic_label="",
        x=xy[:, 0],
        y=xy[:, 1],
        story=story,
        story_label="",
        source=docs["source"],
        date=docs["date"],
    )
    topics = label.describe_topics(texts, topic)
    topics.loc[topics["id"] == 1, "name"] = HOSTILE_NAME
    stories = label.describe_topics(texts, story)
    meta = {
        "input": "<script>alert(6)</script>.csv",
        "items": len(texts),
        "model": "none",
        "parameters": {"level": "<b>theme</b>"},
        "version": "0",
        "generated": "now",
    }
    out = tmp_path / "hostile.html"
    write_report(out, report_data(frame, topics, stories, meta), title=HOSTILE_NAME)
    # The page reads entities as a person does ("&amp;" is "&", tags kept); the export keeps them.
    shown = [t.replace("&lt;escaped&gt; already &amp; twice", "<escaped> already & twice") for t in texts]
    return out, shown, frame


@pytest.mark.browser
def test_hostile_corpus_in_chromium_shows_text_and_runs_nothing(tmp_path):
    out, texts, frame = hostile_report(tmp_path)
    # The loader collapses whitespace runs (U+2028/U+2029 included) to one space.
    assert list(frame["text"]) == [" ".join(t.split()) for t, _, _ in HOSTILE]
    with open_report(out) as (page, log):
        assert page.evaluate("window.topicmap.data.points.text") == texts
        assert page.evaluate("window.topicmap.plotted()") == list(range(len(texts)))
        assert (
            page.evaluate(
                "document.querySelectorAll('img, iframe, object, embed, svg[onload], a[href^=javascript]').length"
            )
            == 0
        )
        assert page.evaluate(SCRIPTS) == PAGE_SCRIPTS
        assert page.text_content("h1") == HOSTILE_NAME
        assert page.text_content("#prov-input") == "<script>alert(6)</script>.csv"
        assert HOSTILE_NAME in page.locator(".map-label").all_text_contents()
        assert HOSTILE_NAME in page.locator("#topic-list .name").all_text_contents()

        search(page, "Script")  # the whole word: "</script>" and "script kiddies", not "javascript:"
        has_word = [re.search(r"(?<!\w)script(?!\w)", t, re.I) is not None for t in texts]
        assert page.evaluate(HIGHLIGHTED) == has_word and not has_word[9]
        assert page.locator("#search-items .item-text").all_text_contents() == [
            t for t, hit in zip(texts, has_word) if hit
        ]
        search(page, "")

        page.click("#topic-list .topic-card[data-topic='1']")
        assert page.evaluate(HIGHLIGHTED) == list(frame["topic"] == 1)
        assert page.locator("#detail-items .item-text").all_text_contents() == texts[:4]
        assert page.locator("#detail-items .item-facts").first.text_content() == "headline · <b>bold</b> · 2025-01-01"
        page.click("#reset")

        # Two levels: stories are named once zoomed in on them, or with the toggle.
        assert page.is_visible("#level-control")
        assert page.evaluate("document.getElementById('map-labels').dataset.level") == "topic"
        page.click("#level-control [data-level=story]")
        assert page.locator(".map-label.story").count() == 3
        page.click("#level-control [data-level=auto]")
        page.evaluate("window.topicmap.select('story', 1)")
        page.wait_for_function("document.getElementById('map-labels').dataset.level === 'story'")

        # Dates: the timeline counts every dated item once; the undated one is stated.
        assert page.is_visible("#timeline-chart")
        page.click("#reset")
        page.wait_for_function("window.topicmap.isolated() === null")
        assert (
            page.evaluate("document.getElementById('timeline-chart').data.flatMap(t => t.y).reduce((a, b) => a + b)")
            == 10
        )
        assert "1 item without a date" in page.text_content("#timeline-caption")

        # The timeline's legend and the size chart's bars isolate their topic too.
        page.locator("#timeline-chart .legend .traces").filter(has_text=HOSTILE_NAME).locator(".legendtoggle").click()
        assert page.evaluate("window.topicmap.isolated()") == {"level": "topic", "id": 1}
        page.click("#reset")
        page.locator("#sizes-chart").scroll_into_view_if_needed()
        bar = page.locator("#sizes-chart .point").nth(0).bounding_box()
        page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
        assert page.evaluate("window.topicmap.isolated()") == {"level": "topic", "id": 0}
        page.click("#reset")

        item = free_item(page, range(len(texts)))
        assert hover_item(page, item) == texts[item]
        assert page.evaluate("document.querySelectorAll('img, svg[onload]').length") == 0
    assert log == {"console_errors": [], "page_errors": [], "requests": [], "dialogs": []}


@pytest.mark.parametrize(
    ("values", "days"),
    [
        (["11/03/2014", "13/03/2014", "12/03/2014"], ["2014-03-11", "2014-03-13", "2014-03-12"]),  # a day over 12
        (["03/11/2014", "03/13/2014", "03/12/2014"], ["2014-03-11", "2014-03-13", "2014-03-12"]),  # a month first
        (["11.03.2014", "12.03.2014"], ["2014-03-11", "2014-03-12"]),  # dotted: day first
        (["2014-03-10T09:00Z", "11.03.2014", "Mar 12, 2014"], ["2014-03-10", "2014-03-11", "2014-03-12"]),
    ],
)
def test_a_column_of_numeric_dates_is_read_one_way(values, days):
    """Day-first dates were read month first whenever the day was 12 or less, so "11.03.2014"
    fell 237 days after "03/11/2014"."""
    assert parse_dates(pd.Series(values)).dt.strftime("%Y-%m-%d").tolist() == days


def test_the_provenance_counts_items_as_the_page_does(tmp_path):
    data = tiny_data(["one", "two"])
    data["meta"]["items"] = 12345
    out = tmp_path / "count.html"
    write_report(out, data, title="count")
    assert '<dd id="prov-items">12,345</dd>' in out.read_text(encoding="utf-8")  # was "12345"
