"""Names on the map that help (issue 25): a name sits where its topic's items are densest,
with a leader line to that spot when it had to move; a box, lasso, pan or double-click that
starts on a name does what it does anywhere on the map (only a plain click isolates); and
no two theme colours are closer than a step anyone sees (CIEDE2000 >= 10)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_report import (
    MIDS,
    STORIES,
    THEMES,
    embedded_data,
    export_frame,
    free_item,
    hover_item,
    three_level_data,
    three_level_report,
)

from analysis import label, report
from analysis.page import write_report
from analysis.report import report_data
from browser import PAINTED, open_report
from conftest import BENCH, topicmap

ROOT = Path(__file__).resolve().parents[1]
CLEAN_LOG = {"console_errors": [], "page_errors": [], "requests": [], "dialogs": []}
#: The smallest colour difference two topics may have: about the step anyone sees at a glance.
MIN_DELTA_E = 10
#: map.js's LEADER_GAP: a name further than this (pixels) from its spot has a leader line.
LEADER_GAP = 10


# --- CIEDE2000 --------------------------------------------------------------------------


def srgb_to_lab(color: str) -> tuple[float, float, float]:
    """CIELAB (D65) of a "#rrggbb" sRGB colour."""
    rgb = [int(color[k : k + 2], 16) / 255 for k in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    xyz = (
        (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047,
        0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
        (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883,
    )
    fx, fy, fz = (t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """The CIEDE2000 colour difference (kL = kC = kH = 1), as in Sharma, Wu and Dalal (2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    d_l, d_c, d_h = l2 - l1, c2p - c1p, 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh) / 2)
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_mean, 1 + 0.015 * cp_mean * t
    r_t = (
        -math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2))))
        * 2
        * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    )
    return math.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h))


# Pairs from the published test data of Sharma, Wu and Dalal (2005), Table 1: both Lab
# colours and the expected difference (to 4 decimals). They cover the hue wrap-around, the
# mean-hue cases and the blue-region rotation term.
SHARMA_PAIRS = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0009), 7.1792),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0011), 7.2195),
    ((50.0, -0.001, 2.49), (50.0, 0.0009, -2.49), 4.8045),
    ((50.0, -0.001, 2.49), (50.0, 0.0011, -2.49), 4.7461),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ((50.0, 2.5, 0.0), (58.0, 24.0, 15.0), 19.4535),
    ((50.0, 2.5, 0.0), (50.0, 3.1736, 0.5854), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.694), (23.0331, 14.973, -42.5619), 2.0373),
    ((36.4612, 47.858, 18.3852), (36.2715, 50.5065, 21.2231), 1.4146),
]


def test_ciede2000_matches_the_published_test_pairs():
    for lab1, lab2, expected in SHARMA_PAIRS:
        assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=5e-5)
        assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=5e-5)
    # sRGB to Lab: white, black and pure red (the usual reference values).
    assert srgb_to_lab("#ffffff") == pytest.approx((100.0, 0.0, 0.0), abs=0.01)
    assert srgb_to_lab("#000000") == pytest.approx((0.0, 0.0, 0.0), abs=0.01)
    assert srgb_to_lab("#ff0000") == pytest.approx((53.24, 80.09, 67.20), abs=0.01)


def closest_pair(colors: list[str]) -> tuple[float, str, str]:
    labs = [srgb_to_lab(c) for c in colors]
    return min(
        (ciede2000(labs[i], labs[j]), colors[i], colors[j])
        for i in range(len(colors))
        for j in range(i + 1, len(colors))
    )


def test_every_theme_colour_the_page_draws_is_a_visible_step_from_every_other():
    # A map with as many themes as the palette holds, one story each: the colours the page
    # data gives topics (stories take their theme's), with the unclustered grey.
    n = len(report.PALETTE)
    topic = [t for t in range(n) for _ in range(3)] + [-1]
    frame = export_frame([f"word{i} item" for i in range(len(topic))], topic)
    topics = label.describe_topics(list(frame["text"]), frame["topic"].to_numpy())
    data = report_data(frame, topics, topics, {})
    colors = [r["color"] for r in sorted(data["topics"], key=lambda r: r["id"])]
    assert len(set(colors)) == n == 48  # a topic-level map of HuffPost has 27 topics
    distance, first, second = closest_pair([*colors, data["noise_color"]])
    assert distance >= MIN_DELTA_E, f"{first} and {second} differ by only {distance:.1f}"


def test_every_column_colour_is_a_visible_step_from_every_other():
    # color.js colours a column's commonest values, "Other" and "(none)".
    js = (ROOT / "analysis" / "assets" / "color.js").read_text(encoding="utf-8")
    category = re.findall(r"#[0-9a-f]{6}", re.search(r"const CATEGORY_COLORS = \[(.*?)\];", js).group(1))
    greys = [re.search(rf'const {name} = "(#[0-9a-f]{{6}})";', js).group(1) for name in ("COLOR_OTHER", "COLOR_NONE")]
    assert len(category) == 10
    distance, first, second = closest_pair(category + greys)
    assert distance >= MIN_DELTA_E, f"{first} and {second} differ by only {distance:.1f}"
    assert category == list(report.PALETTE[:10])  # a column's colours are the topics' first ten


# --- name anchors in the page data ------------------------------------------------------


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory) -> dict:
    """`topicmap report` on the first 2,000 HuffPost headlines of the bench set (a few themes
    of a few hundred items, each with stories)."""
    out = tmp_path_factory.mktemp("bench")
    corpus, html = out / "huffpost_2k.csv", out / "huffpost_2k.html"
    pd.read_csv(BENCH / "huffpost_v3_2018_2022_10k.csv").head(2000).to_csv(corpus, index=False)
    topicmap("report", str(corpus), "-o", str(html), check=True)
    return {"html": html, "data": embedded_data(html.read_text(encoding="utf-8"))}


def neighbours(points: np.ndarray, at: np.ndarray, radius: float) -> int:
    return int((np.hypot(*(points - at).T) <= radius).sum())


def test_a_name_anchor_sits_in_the_densest_clump_not_between_the_clumps():
    # Three clumps: the median (and the centroid) fall in the empty space between them.
    rng = np.random.default_rng(0)
    dense = rng.normal((0, 0), 0.2, (30, 2))
    xy = np.vstack([dense, rng.normal((6, 0), 0.3, (25, 2)), rng.normal((3, 5), 0.3, (25, 2))])
    frame = export_frame([f"word{i} item" for i in range(len(xy))], [0] * len(xy))
    frame["x"], frame["y"] = xy[:, 0], xy[:, 1]
    topics = label.describe_topics(list(frame["text"]), frame["topic"].to_numpy())
    record = report_data(frame, topics, topics, {})["topics"][0]
    anchor = np.array([record["cx"], record["cy"]])
    assert np.hypot(*(anchor - dense.mean(axis=0))) < 0.3
    assert np.isclose(xy, anchor, atol=1e-3).all(axis=1).any()  # on an item
    assert neighbours(xy, anchor, 0.5) > neighbours(xy, xy.mean(axis=0), 0.5) == 0


@pytest.mark.slow  # runs topicmap on 2,000 headlines
def test_name_anchors_of_a_real_map_are_where_its_topics_are_densest(bench_run):
    """Every theme's anchor is one of its items, inside its items' extent, with (nearly) the
    most of its items around it of any of them; a compact blob's centroid may have as many
    (it is no item), but over the map the anchors have more than the centroids."""
    data = bench_run["data"]
    xy = np.array([data["points"]["x"], data["points"]["y"]]).T
    topic = np.array(data["points"]["topic"])
    assert len(data["topics"]) >= 5
    at_anchors = at_centroids = 0
    for record in data["topics"]:
        members = xy[topic == record["id"]]
        anchor = np.array([record["cx"], record["cy"]])
        assert np.isclose(members, anchor, atol=1e-3).all(axis=1).any()
        assert (members.min(axis=0) <= anchor).all() and (anchor <= members.max(axis=0)).all()
        low, high = np.percentile(members, 2, axis=0), np.percentile(members, 98, axis=0)
        radius = report.ANCHOR_RADIUS * float(np.max(high - low))
        around, around_centroid = neighbours(members, anchor, radius), neighbours(members, members.mean(axis=0), radius)
        assert around >= 0.9 * max(neighbours(members, m, radius) for m in members), record["name"]
        assert around >= 0.9 * around_centroid, record["name"]
        at_anchors, at_centroids = at_anchors + around, at_centroids + around_centroid
    assert at_anchors > at_centroids


# --- in Chromium ------------------------------------------------------------------------


NAMES = """() => [...document.querySelectorAll('.map-label')].map(b => {
    const r = b.getBoundingClientRect();
    return {level: b.dataset.level, id: Number(b.dataset.id), name: b.textContent, box: [r.left, r.top, r.right, r.bottom]}; })"""

# Page pixel of every record's anchor, by "level:id" (level: the name of its level, as names have).
SPOTS = """() => { const gd = document.getElementById('map'), fl = gd._fullLayout, r = gd.getBoundingClientRect();
    const m = window.topicmap.model, out = {};
    for (const key of m.keys) for (const rec of m.records(key)) {
        out[m.name(key) + ':' + rec.id] = [r.left + fl.xaxis._offset + fl.xaxis.l2p(rec.cx), r.top + fl.yaxis._offset + fl.yaxis.l2p(rec.cy)]; }
    return out; }"""

# Page pixel of every drawn item, by item index.
ITEM_PIXELS = """() => { const gd = document.getElementById('map'), fl = gd._fullLayout, r = gd.getBoundingClientRect();
    const p = window.topicmap.data.points;
    return window.topicmap.plotted().map(i => [i, r.left + fl.xaxis._offset + fl.xaxis.l2p(p.x[i]), r.top + fl.yaxis._offset + fl.yaxis.l2p(p.y[i])]); }"""

RANGES = "(() => { const fl = document.getElementById('map')._fullLayout; return [fl.xaxis.range, fl.yaxis.range]; })()"


def flat(ranges) -> list[float]:
    return [v for pair in ranges for v in pair]


def centre(box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def gap_to_box(point, box) -> float:
    """Pixels from `point` to the nearest point of `box` (0 inside it)."""
    x = min(max(point[0], box[0]), box[2])
    y = min(max(point[1], box[1]), box[3])
    return math.hypot(point[0] - x, point[1] - y)


def name_at(page, x: float, y: float):
    """The name button at page pixel (x, y), or None."""
    return page.evaluate(
        "([x, y]) => { const b = document.elementFromPoint(x, y).closest('.map-label'); return b ? b.dataset.level + ':' + b.dataset.id : null; }",
        [x, y],
    )


def drawn_name(page, spots):
    """A name on the map whose spot (its anchor) is at least 60 pixels inside the map."""
    area = page.evaluate(
        "(() => { const r = document.getElementById('map').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })()"
    )
    for name in page.evaluate(NAMES):
        x, y = spots[f"{name['level']}:{name['id']}"]
        if area[0] + 60 < x < area[2] - 60 and area[1] + 60 < y < area[3] - 60:
            return name
    raise AssertionError("no name well inside the map")


def name_under_pointer(page):
    """(spots, name, the name's centre) for a drawn name that takes the pointer at its centre."""
    spots = page.evaluate(SPOTS)
    name = drawn_name(page, spots)
    start = centre(name["box"])
    assert name_at(page, *start) == f"{name['level']}:{name['id']}"
    return spots, name, start


def bare_map(page) -> tuple[float, float]:
    """A page pixel where the map itself (no name, no control on it) takes the pointer."""
    return tuple(
        page.evaluate(
            """() => { const r = document.getElementById('map').getBoundingClientRect();
            for (let y = r.top + r.height / 2; y < r.bottom; y += 7) for (let x = r.left + 20; x < r.right; x += 13) {
                const hit = document.elementFromPoint(x, y);
                if (hit && hit.classList.contains('nsewdrag')) return [x, y]; }
            return null; }"""
        )
    )


def inside(polygon, x: float, y: float) -> bool:
    """Even-odd rule, as the page's lasso."""
    result = False
    for (xa, ya), (xb, yb) in zip(polygon, polygon[-1:] + polygon[:-1]):
        if (ya > y) != (yb > y) and x < (xb - xa) * (y - ya) / (yb - ya) + xa:
            result = not result
    return result


def draw(page, points) -> None:
    """Press at the first point, move through the others, release at the last."""
    page.mouse.move(*points[0])
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*point, steps=4)
    page.mouse.up()


@pytest.mark.browser
def test_a_box_or_lasso_that_starts_on_a_name_selects_items_and_isolates_nothing(seed_run):
    with open_report(seed_run["html"]) as (page, log):
        spots, name, start = name_under_pointer(page)
        spot = spots[f"{name['level']}:{name['id']}"]

        # A box from the middle of the name to past its spot: the spot's item at least is in it.
        page.click("#drag-control [data-mode=select]")
        end = (2 * spot[0] - start[0] + 30, 2 * spot[1] - start[1] + math.copysign(30, spot[1] - start[1]))
        draw(page, [start, end])
        page.wait_for_function("window.topicmap.state().selected.length > 0", timeout=10_000)
        x0, x1 = sorted((start[0], end[0]))
        y0, y1 = sorted((start[1], end[1]))
        expected = sorted(i for i, x, y in page.evaluate(ITEM_PIXELS) if x0 <= x <= x1 and y0 <= y <= y1)
        assert page.evaluate("window.topicmap.highlighted()") == expected
        assert page.evaluate("window.topicmap.isolated()") is None

        # A lasso from the middle of the name around its spot.
        page.click("#selection-clear")
        page.click("#drag-control [data-mode=lasso]")
        assert name_at(page, *start) == f"{name['level']}:{name['id']}"
        lasso = [
            start,
            (spot[0] + 50, spot[1]),
            (spot[0], spot[1] + math.copysign(50, spot[1] - start[1])),
            (spot[0] - 50, spot[1]),
        ]
        draw(page, [*lasso, start])
        page.wait_for_function("window.topicmap.state().selected.length > 0", timeout=10_000)
        expected = sorted(i for i, x, y in page.evaluate(ITEM_PIXELS) if inside([*lasso, start], x, y))
        assert page.evaluate("window.topicmap.highlighted()") == expected
        assert page.evaluate("window.topicmap.isolated()") is None
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_a_double_click_on_a_name_resets_the_view_and_isolates_nothing(seed_run):
    with open_report(seed_run["html"]) as (page, log):
        home = page.evaluate(RANGES)
        # Zoom in around a name's spot, so that there is a view to reset.
        page.evaluate(
            """() => { const m = window.topicmap.model, t = m.topics[0], [x0, x1, y0, y1] = m.fullBox;
            const w = (x1 - x0) / 3, h = (y1 - y0) / 3;
            return Plotly.relayout('map', {'xaxis.range': [t.cx - w, t.cx + w], 'yaxis.range': [t.cy - h, t.cy + h]}); }"""
        )
        zoomed = page.evaluate(RANGES)
        assert zoomed != home
        _, _, start = name_under_pointer(page)
        page.mouse.dblclick(*start)
        page.wait_for_function(
            "home => { const fl = document.getElementById('map')._fullLayout;"
            " return Math.abs(fl.xaxis.range[0] - home[0][0]) < 1e-6 && Math.abs(fl.yaxis.range[1] - home[1][1]) < 1e-6; }",
            arg=home,
            timeout=10_000,
        )
        assert page.evaluate("window.topicmap.isolated()") is None
        assert flat(page.evaluate(RANGES)) == pytest.approx(flat(home))
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_a_double_click_on_a_name_keeps_an_isolation_made_before(seed_run):
    """A topic isolated from the panel stays isolated through a double-click on a name (the
    first click toggles it, the second undoes that), as through one on the bare map."""
    with open_report(seed_run["html"]) as (page, log):
        page.locator("#topic-list .topic-card").first.click()
        isolated = page.evaluate("window.topicmap.isolated()")
        assert isolated is not None
        page.wait_for_function("document.querySelectorAll('#map-labels .map-label').length > 0", timeout=10_000)
        _, _, start = name_under_pointer(page)
        page.mouse.dblclick(*start)
        page.wait_for_timeout(400)
        assert page.evaluate("window.topicmap.isolated()") == isolated
        page.mouse.dblclick(*bare_map(page))
        page.wait_for_timeout(400)
        assert page.evaluate("window.topicmap.isolated()") == isolated
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_a_name_keeps_the_keyboard_focus_when_the_names_are_drawn_again(seed_run):
    """Enter on a name isolated its topic and redrew every name: the focus fell to the page."""
    with open_report(seed_run["html"]) as (page, log):
        name = page.locator(".map-label").first
        key = (name.get_attribute("data-level"), name.get_attribute("data-id"))
        name.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("window.topicmap.isolated() !== null", timeout=10_000)
        focused = page.evaluate(
            "(() => { const e = document.activeElement; return e.classList.contains('map-label') ? [e.dataset.level, e.dataset.id] : null; })()"
        )
        assert tuple(focused) == key
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_a_plain_click_on_a_name_isolates_its_topic_and_a_drag_on_it_pans(seed_run):
    with open_report(seed_run["html"]) as (page, log):
        _, _, start = name_under_pointer(page)

        # Pan: the drag moves the map by the drag; nothing is isolated.
        before = page.evaluate(RANGES)
        draw(page, [start, (start[0] + 80, start[1] + 40)])
        page.wait_for_function(
            "x0 => document.getElementById('map')._fullLayout.xaxis.range[0] !== x0", arg=before[0][0], timeout=10_000
        )
        after = page.evaluate(RANGES)
        assert after[0][0] < before[0][0] and after[1][1] > before[1][1]
        assert page.evaluate("window.topicmap.isolated()") is None

        # A wheel turn on a name zooms the map.
        page.click("#reset")
        _, _, start = name_under_pointer(page)
        before = page.evaluate(RANGES)
        page.mouse.move(*start)
        page.mouse.wheel(0, -300)
        page.wait_for_function(
            "x0 => document.getElementById('map')._fullLayout.xaxis.range[0] !== x0", arg=before[0][0], timeout=10_000
        )
        after = page.evaluate(RANGES)
        assert after[0][1] - after[0][0] < before[0][1] - before[0][0]

        # A click isolates the named topic; from the keyboard too.
        page.click("#reset")
        first = page.evaluate(NAMES)[0]
        page.mouse.click(*centre(first["box"]))
        assert page.evaluate("window.topicmap.isolated()") == {"level": first["level"], "id": first["id"]}
        page.click("#reset")
        page.focus(".map-label >> nth=0")
        page.keyboard.press("Enter")
        assert page.evaluate("window.topicmap.isolated()") == {"level": first["level"], "id": first["id"]}
    assert log == CLEAN_LOG


@pytest.mark.slow  # runs topicmap on 2,000 headlines
@pytest.mark.browser
def test_names_sit_by_their_spots_and_a_moved_one_has_a_leader_line(bench_run):
    with open_report(bench_run["html"]) as (page, log):
        levels = bench_run["data"]["meta"]["levels"]
        assert levels[-1] == "story"
        for level in levels:  # the top level alone; ...; then many stories, some pushed aside
            page.click(f"#level-control [data-level={level}]")
            page.wait_for_function(
                "level => document.getElementById('map-labels').dataset.level === level", arg=level, timeout=10_000
            )
            spots, names = page.evaluate(SPOTS), page.evaluate(NAMES)
            leaders = page.evaluate(
                """() => Object.fromEntries([...document.querySelectorAll('.map-leaders .leader')].map(g => {
                const l = g.querySelector('line'), r = g.ownerSVGElement.getBoundingClientRect();
                return [g.dataset.level + ':' + g.dataset.id, [r.left + Number(l.getAttribute('x1')), r.top + Number(l.getAttribute('y1')),
                    r.left + Number(l.getAttribute('x2')), r.top + Number(l.getAttribute('y2'))]]; }))"""
            )
            assert {n["level"] for n in names} == {level} and len(names) >= 5
            for name in names:
                key = f"{name['level']}:{name['id']}"
                spot, box = spots[key], name["box"]
                if key in leaders:  # from the spot to the edge of the name's box
                    x1, y1, x2, y2 = leaders[key]
                    assert (x1, y1) == pytest.approx(spot, abs=0.6)
                    assert gap_to_box((x2, y2), box) < 0.6 and gap_to_box(spot, box) > LEADER_GAP
                else:  # right by its spot
                    assert gap_to_box(spot, box) <= LEADER_GAP
            assert set(leaders) <= {f"{n['level']}:{n['id']}" for n in names}
            for a in names:  # no name covers another
                for b in names:
                    if a is not b:
                        assert (
                            a["box"][2] <= b["box"][0]
                            or b["box"][2] <= a["box"][0]
                            or a["box"][3] <= b["box"][1]
                            or b["box"][3] <= a["box"][1]
                        )
            if level == "story":
                assert leaders, "with many stories at once, some names are moved and drawn with a leader"
    assert log == CLEAN_LOG


CONTROLS = """() => [...document.querySelectorAll('#level-control, #drag-control, #map .modebar')].map(e => {
    const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""


@pytest.mark.browser
def test_no_name_is_placed_under_the_maps_controls(bench_run):
    """Pan the map so that the largest topics' spots lie under the names toggle and the pan /
    box / lasso buttons: no name goes under them, and none names a spot under them (a
    reader's pass: a name's leader line ran under the names toggle, to a spot no one saw)."""
    move_spot = """([key, id, px, py]) => { const gd = document.getElementById('map'), fl = gd._fullLayout, xa = fl.xaxis, ya = fl.yaxis;
        const r = gd.getBoundingClientRect(), rec = window.topicmap.model.record(key, id);
        const ux = (xa.range[1] - xa.range[0]) / xa._length, uy = (ya.range[1] - ya.range[0]) / ya._length;
        const x0 = rec.cx - (px - r.left - xa._offset) * ux, y1 = rec.cy + (py - r.top - ya._offset) * uy;
        return Plotly.relayout('map', {'xaxis.range': [x0, x0 + ux * xa._length], 'yaxis.range': [y1 - uy * ya._length, y1]}); }"""
    with open_report(bench_run["html"]) as (page, log):
        key = page.evaluate("window.topicmap.model.keys[0]")
        records = page.evaluate("(key) => window.topicmap.model.records(key).map(r => [r.id, r.size])", key)
        biggest = [i for i, _ in sorted(records, key=lambda r: -r[1])[:3]]
        for control in page.evaluate(CONTROLS):
            for i in biggest:
                centre = ((control[0] + control[2]) / 2, (control[1] + control[3]) / 2)
                page.evaluate(move_spot, [key, i, *centre])
                page.wait_for_timeout(100)
                spots = page.evaluate(SPOTS)
                for name in page.evaluate(NAMES):
                    x, y = spots[f"{name['level']}:{name['id']}"]
                    for box in page.evaluate(CONTROLS):
                        a = name["box"]
                        assert a[2] <= box[0] or box[2] <= a[0] or a[3] <= box[1] or box[3] <= a[1], (name, box)
                        assert not (box[0] <= x <= box[2] and box[1] <= y <= box[3]), (name, box)
    assert log == CLEAN_LOG


def hidden_share(page) -> float:
    """The share of the items drawn in view that lie under a name's box."""
    boxes = [n["box"] for n in page.evaluate(NAMES)]
    view = page.evaluate(
        "(() => { const r = document.getElementById('map').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })()"
    )
    items = [(x, y) for _, x, y in page.evaluate(ITEM_PIXELS) if view[0] <= x <= view[2] and view[1] <= y <= view[3]]
    under = sum(any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes) for x, y in items)
    return under / len(items)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_names_leave_the_items_of_a_dense_map_in_sight(bench_run, viewport):
    """Names on their topics' densest spots hid 60% of this map's items at the first view (55%
    on a phone), and 37-46% with every story named: each name now goes where it hides the
    fewest items, beside its spot or a row or two off with a leader line, its first parts
    alone where the whole name would hide many ("Sport" on a phone), names of other levels
    fill only room that hides almost none (0.3% and 0.7%), and the names of the level shown
    hide at most 5% of the items between them (a reader pass found a topic-level map's names
    hiding 15%, 36% on a phone); the rest wait for a zoom."""
    phone = viewport["width"] < 500
    with open_report(bench_run["html"], viewport=viewport) as (page, log):
        assert len(page.evaluate(NAMES)) >= 8
        assert hidden_share(page) <= 0.05
        for level, least in (("topic", 8 if phone else 15), ("story", 12 if phone else 20)):  # many names at once
            page.click(f"#level-control [data-level={level}]")
            page.wait_for_function(f"document.getElementById('map-labels').dataset.level === '{level}'", timeout=10_000)
            assert len(page.evaluate(NAMES)) >= least and hidden_share(page) <= 0.06, level
        names = {n["name"] for n in page.evaluate(NAMES)}
        titles = page.evaluate("[...document.querySelectorAll('.map-label')].map(b => b.title)")
        assert all(any(t.startswith(n + " ") for t in titles) for n in names)  # a short form, whole name in its title
        cut = page.evaluate(
            "[...document.querySelectorAll('.map-label')].filter(b => b.scrollWidth > b.clientWidth + 1).map(b => b.textContent)"
        )
        assert not [n for n in cut if " · " in n]  # a name too wide is shown by its first parts, not cut with "…"
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_an_item_under_a_name_shows_its_card_on_hover(bench_run):
    """Names sit on their topics' densest spots, so they cover items there: the pointer over
    a name still hovers the map below it (a click on the name isolates its topic)."""
    with open_report(bench_run["html"]) as (page, log):
        covered = [(i, x, y) for i, x, y in page.evaluate(ITEM_PIXELS) if name_at(page, x, y)]
        assert covered, "no item lies under a name"
        texts = page.evaluate("window.topicmap.data.points.text")
        for i, x, y in covered[:3]:
            page.mouse.move(x - 40, y - 120)
            page.mouse.move(x, y, steps=4)
            page.wait_for_function("!document.getElementById('tooltip').hidden", timeout=10_000)
            card = page.text_content("#tooltip .tooltip-text")
            near = [j for j, xj, yj in page.evaluate(ITEM_PIXELS) if abs(xj - x) < 1.5 and abs(yj - y) < 1.5]
            assert any(texts[j].startswith(card.split(" … ")[0][:40]) for j in near), (card, i)
        assert page.evaluate("window.topicmap.isolated()") is None
    assert log == CLEAN_LOG


def touch_drag(page, points) -> None:
    """One finger down at the first of `points`, through the others, and up (CDP touch events:
    Playwright's touchscreen only taps)."""
    cdp = page.context.new_cdp_session(page)
    for kind, (x, y) in [("touchStart", points[0]), *(("touchMove", p) for p in points[1:])]:
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


@pytest.mark.browser
def test_on_a_touch_screen_a_drag_from_a_name_pans_or_draws_and_a_tap_isolates(bench_run):
    with open_report(bench_run["html"], viewport={"width": 390, "height": 844}, touch=True) as (page, log):
        _, name, start = name_under_pointer(page)
        before = page.evaluate(RANGES)
        touch_drag(page, [start, *((start[0] + 6 * k, start[1] + 4 * k) for k in range(1, 11))])
        page.wait_for_function(
            "x0 => document.getElementById('map')._fullLayout.xaxis.range[0] !== x0", arg=before[0][0], timeout=10_000
        )
        after = page.evaluate(RANGES)
        assert after[0][0] < before[0][0] and after[1][1] > before[1][1]
        assert page.evaluate("window.topicmap.isolated()") is None

        page.reload()  # the first view again, where a name lay well inside the map
        page.wait_for_function(PAINTED, timeout=20_000)
        page.click('#drag-control button[data-mode="lasso"]')
        _, name, start = name_under_pointer(page)
        lasso = [start, (start[0] + 60, start[1]), (start[0] + 60, start[1] + 60), (start[0], start[1] + 60), start]
        touch_drag(
            page, [p for a, b in zip(lasso, lasso[1:]) for p in (a, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2))] + [start]
        )
        page.wait_for_function("window.topicmap.state().selected.length > 0", timeout=10_000)
        assert page.evaluate("window.topicmap.isolated()") is None

        page.reload()
        page.wait_for_function(PAINTED, timeout=20_000)
        _, name, start = name_under_pointer(page)
        page.touchscreen.tap(*start)
        page.wait_for_function("window.topicmap.isolated() !== null", timeout=10_000)
        assert page.evaluate("window.topicmap.isolated()") == {"level": name["level"], "id": name["id"]}
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_no_name_is_drawn_heavier_than_a_name_of_a_broader_level(tmp_path):
    """A reader pass: an isolated theme's stories were drawn bolder (600) than its topics (500)."""
    out = three_level_report(tmp_path)
    with open_report(out) as (page, log):
        heaviest, lightest = {}, {}
        for mode in ("theme", "topic", "story"):
            page.click(f"#level-control [data-level={mode}]")
            page.wait_for_function(f"document.getElementById('map-labels').dataset.level === '{mode}'", timeout=10_000)
            shown = page.evaluate(
                "[...document.querySelectorAll('.map-label')].map(b => parseInt(getComputedStyle(b).fontWeight))"
            )
            heaviest[mode], lightest[mode] = max(shown), min(shown)
        assert lightest["theme"] >= heaviest["topic"] and lightest["topic"] >= heaviest["story"], (lightest, heaviest)
        assert heaviest["theme"] > heaviest["topic"] > heaviest["story"]  # groups of one size: each level its weight
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_a_hover_card_never_hides_the_item_it_describes(seed_run):
    with open_report(seed_run["html"]) as (page, log):
        pixels = page.evaluate(ITEM_PIXELS)
        middle = float(np.median([x for _, x, _ in pixels]))
        pixels.sort(key=lambda p: abs(p[1] - middle))  # the middle first: a card fits on no side there
        checked = 0
        for i, x, y in pixels:
            if checked == 10 or free_item(page, [i]) is None:
                continue
            hover_item(page, i)
            card = page.locator("#tooltip").bounding_box()
            inside = (
                card["x"] - 2 <= x <= card["x"] + card["width"] + 2
                and card["y"] - 2 <= y <= card["y"] + card["height"] + 2
            )
            assert not inside, (i, (x, y), card)
            checked += 1
        assert checked >= 8
    assert log == CLEAN_LOG


def view_width_and_centre(page) -> tuple[float, float]:
    (x0, x1), _ = page.evaluate(RANGES)
    return x1 - x0, (x0 + x1) / 2


@pytest.mark.browser
def test_on_a_phone_the_buttons_and_a_pinch_zoom_the_map(bench_run):
    """plotly.js has no pinch and a phone shows no toolbar: + and - zoom about the centre, two
    fingers zoom about their midpoint; a pinch isolates nothing and shows no card."""
    with open_report(bench_run["html"], viewport={"width": 390, "height": 844}, touch=True) as (page, log):
        width, middle = view_width_and_centre(page)
        page.click("#zoom-in")
        page.wait_for_function(
            f"document.getElementById('map')._fullLayout.xaxis.range[1] - document.getElementById('map')._fullLayout.xaxis.range[0] < {width * 0.75}"
        )
        zoomed, moved = view_width_and_centre(page)
        assert zoomed == pytest.approx(width / 2, rel=0.05) and moved == pytest.approx(middle, abs=0.02 * width)
        page.click("#zoom-out")
        page.wait_for_function(
            f"document.getElementById('map')._fullLayout.xaxis.range[1] - document.getElementById('map')._fullLayout.xaxis.range[0] > {width * 0.75}"
        )
        assert view_width_and_centre(page)[0] == pytest.approx(width, rel=0.05)

        box = page.locator("#map .nsewdrag").bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        cdp = page.context.new_cdp_session(page)

        def pinch(gaps: list[float]) -> None:
            for k, gap in enumerate(gaps):
                points = [{"x": cx - gap, "y": cy, "id": 0}, {"x": cx + gap, "y": cy, "id": 1}]
                cdp.send(
                    "Input.dispatchTouchEvent", {"type": "touchStart" if k == 0 else "touchMove", "touchPoints": points}
                )
                page.wait_for_timeout(50)
            cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

        pinch([40, 50, 60, 70, 80])  # fingers twice as far apart: twice as close
        page.wait_for_function(
            f"document.getElementById('map')._fullLayout.xaxis.range[1] - document.getElementById('map')._fullLayout.xaxis.range[0] < {width * 0.75}"
        )
        page.wait_for_timeout(200)
        zoomed, moved = view_width_and_centre(page)
        assert zoomed == pytest.approx(width / 2, rel=0.1) and moved == pytest.approx(middle, abs=0.05 * width)
        assert page.evaluate("window.topicmap.isolated()") is None and page.is_hidden("#tooltip")
        pinch([80, 60, 40, 20])  # fingers together: four times as far out
        page.wait_for_function(
            f"document.getElementById('map')._fullLayout.xaxis.range[1] - document.getElementById('map')._fullLayout.xaxis.range[0] > {width}"
        )
    assert log == CLEAN_LOG


def zoom_to(page, x0: float, x1: float, y: float, level: str) -> list[dict]:
    """Show map x from x0 to x1 around height y (asked a flat y range, which the map's equal
    scales widen, so x stays as asked); wait for the names of `level` (a level's name) and
    return the names drawn."""
    page.evaluate(
        "([x0, x1, y]) => Plotly.relayout('map', {'xaxis.range': [x0, x1], 'yaxis.range': [y - (x1 - x0) / 20, y + (x1 - x0) / 20]})",
        [x0, x1, y],
    )
    page.wait_for_function(
        "level => document.getElementById('map-labels').dataset.level === level", arg=level, timeout=10_000
    )
    return page.evaluate(NAMES)


@pytest.mark.browser
def test_three_levels_name_themes_zoomed_out_topics_between_and_stories_zoomed_in(tmp_path):
    mids = {k: name for k, (name, _) in MIDS.items()}
    stories = {k: name for k, (name, _, _) in STORIES.items()}
    with open_report(three_level_report(tmp_path)) as (page, log):
        buttons = page.locator("#level-control button")
        assert buttons.all_text_contents() == ["Auto", "Themes", "Topics", "Stories"]
        assert [buttons.nth(k).get_attribute("data-level") for k in range(4)] == ["auto", "theme", "topic", "story"]
        x0, x1 = page.evaluate("window.topicmap.model.fullBox").__getitem__(slice(0, 2))
        width = x1 - x0

        # Zoomed out: every theme is named (and no topic or story before them).
        names = zoom_to(page, x0, x1, 0.0, "theme")
        assert {(n["id"], n["name"]) for n in names if n["level"] == "theme"} == set(THEMES.items())
        assert names[0]["level"] == names[1]["level"] == "theme"
        # Between (0.45 of the map's width): the topics in view, placed before any other name.
        names = zoom_to(page, -10.0, -10.0 + 0.45 * width, 0.0, "topic")
        tops = [n for n in names if n["level"] == "topic"]
        assert {(n["id"], n["name"]) for n in tops} == {(10, mids[10]), (11, mids[11])}
        assert names[: len(tops)] == tops
        assert all(mids[n["id"]] == n["name"] for n in tops)
        # Zoomed in on one story (a tenth of the map): stories first.
        names = zoom_to(page, -6.0 - 0.05 * width, -6.0 + 0.05 * width, 0.0, "story")
        assert names[0]["level"] == "story" and (names[0]["id"], names[0]["name"]) == (0, stories[0])

        # The toggle's Topics names the topics alone, at any zoom.
        page.click("#level-control [data-level=topic]")
        names = zoom_to(page, x0, x1, 0.0, "topic")
        assert {n["level"] for n in names} == {"topic"}
        assert {(n["id"], n["name"]) for n in names} == set(mids.items())
        page.click("#level-control [data-level=auto]")

        # An isolated topic names itself first, then (zoomed in on it) its stories, and only its
        # theme besides; a click on a topic's name isolates that topic.
        page.evaluate("window.topicmap.select('topic', 11)")
        assert page.evaluate("document.getElementById('map-labels').dataset.level") == "story"
        names = page.evaluate(NAMES)
        assert {n["name"] for n in names} <= {THEMES[0], mids[11], stories[2], stories[3]}
        assert (names[0]["level"], names[0]["name"]) == ("topic", mids[11])
        assert {n["name"] for n in names[1:3]} == {stories[2], stories[3]}
        page.click("#reset")
        names = zoom_to(page, -10.0, -10.0 + 0.45 * width, 0.0, "topic")
        page.mouse.click(*centre(names[0]["box"]))
        assert page.evaluate("window.topicmap.isolated()") == {"level": "topic", "id": names[0]["id"]}
    assert log == CLEAN_LOG


@pytest.mark.browser
@pytest.mark.parametrize("twice", ["Trade · Tariffs", "Tariffs · Trade"])
def test_an_isolated_theme_names_its_topics_and_no_name_is_said_twice(tmp_path, twice):
    """A reader pass found a story named "HP" drawn beside its topic "HP", "North Korea"
    beside "Kim Jong Un · North Korea · Summit", and an isolated theme whose big topics went
    unnamed (only small ones in empty room were): the level below an isolated topic is now
    named first, and a name with a part that a name of its own topic (or one inside it)
    already says is not drawn again."""
    from analysis.page import write_report

    data = three_level_data()
    for story in data["stories"]:
        if story["id"] == 2:  # a story of the topic "Trade", named as a reader would see it twice
            story["name"] = twice
    out = tmp_path / "said.html"
    write_report(out, data, title="said twice")
    with open_report(out) as (page, log):
        x0, x1 = page.evaluate("window.topicmap.model.fullBox").__getitem__(slice(0, 2))
        # The page speaks of its own level: "fit no theme", not "fit no topic", on a theme map.
        note = page.text_content("#unclustered-note")
        assert "(3 of 39) fit no theme" in note and note.endswith("left out of the themes.")
        # The story is drawn where the toggle asks for stories alone...
        page.click("#level-control [data-level=story]")
        assert twice in {n["name"] for n in zoom_to(page, x0, x1, 0.0, "story")}
        # ...but with "auto" not beside its topic "Trade", whatever the zoom.
        page.click("#level-control [data-level=auto]")
        for low, high, level in ((x0, x1, "theme"), (-10.0, -10.0 + 0.45 * (x1 - x0), "topic"), (20.0, 40.0, "story")):
            names = {n["name"] for n in zoom_to(page, low, high, 0.0, level)}
            assert not ("Trade" in names and twice in names), (level, names)
        # An isolated theme, zoomed all the way out, names its topics, placed first after itself.
        page.evaluate("window.topicmap.select('theme', 0)")
        names = zoom_to(page, x0, x1, 0.0, "topic")
        assert (names[0]["level"], names[0]["name"]) == ("theme", THEMES[0])
        assert {n["name"] for n in names[1:3]} == {MIDS[10][0], MIDS[11][0]}
    assert log == CLEAN_LOG


@pytest.mark.browser
def test_an_isolated_theme_draws_its_topics_apart(tmp_path):
    """A reader pass: an isolated theme was one colour, so its topics' names could not be
    matched to their items. Its items take their topic's part colour, and so do the topics'
    names and the swatches of the panel's list."""
    data = three_level_data()
    # A part whose name says what its theme's does ("Economy") is named all the same: a
    # reader's pass found the largest topic of an isolated theme unnamed, as "Braves ·
    # Yankees · Red Sox" said what "Sport · Yankees" said.
    next(r for r in data["mids"] if r["id"] == 10)["name"] = "Economy · Markets"
    parts = {r["id"]: r["part_color"] for r in data["mids"]}
    out = tmp_path / "three.html"
    write_report(out, data, title="three levels")
    with open_report(out) as (page, log):
        page.evaluate("window.topicmap.select('theme', 0)")
        page.wait_for_function("document.getElementById('map-labels').dataset.level === 'topic'", timeout=10_000)
        drawn = page.evaluate(
            "(() => { const gd = document.getElementById('map'), top = gd.data[gd.data.length - 1];"
            " const c = top.marker.color; return Array.from(top.x, (_, k) => (Array.isArray(c) ? c[k] : c)); })()"
        )
        mids = [m for m, t in zip(data["points"]["mid"], data["points"]["topic"]) if t == 0]
        assert len(drawn) == len(mids)
        assert sorted(drawn) == sorted(parts[m] for m in mids)  # each item in its topic's colour
        assert len({parts[m] for m in mids}) == 2
        names = page.evaluate(
            "[...document.querySelectorAll('.map-label.mid')].map(b => [Number(b.dataset.id), b.style.borderColor])"
        )
        assert sorted(i for i, _ in names) == [10, 11]
        assert all(color == css_rgb(parts[i]) for i, color in names), names
        # Every other name inside a part takes the part's colour; the theme's own, grey.
        mid_of = {k: m for k, (_, m, _) in STORIES.items()}
        stories = page.evaluate(
            "[...document.querySelectorAll('.map-label.story')].map(b => [Number(b.dataset.id), b.style.borderColor])"
        )
        assert all(color == css_rgb(parts[mid_of[i]]) for i, color in stories), stories
        own = page.evaluate("[...document.querySelectorAll('.map-label.topic')].map(b => b.style.borderColor)")
        assert own == [css_rgb(NAME_GREY)]
        # The theme's item list says each item's topic, in its colour.
        shown = page.evaluate(
            "[...document.querySelectorAll('#detail-items .item-topic')].map(s => [s.textContent,"
            " s.querySelector('.swatch').style.background])"
        )
        names_of = {r["id"]: r["name"] for r in data["mids"]}
        assert shown and all([names_of[m], css_rgb(parts[m])] in shown for m in (10, 11)), shown
        # An item's hover card shows its topic with the topic's colour on the map.
        item = free_item(page, [k for k, m in enumerate(data["points"]["mid"]) if m == 11])
        hover_item(page, item)
        swatches = page.evaluate("[...document.querySelectorAll('#tooltip .swatch')].map(s => s.style.background)")
        assert css_rgb(parts[11]) in swatches, swatches
        swatches = page.evaluate(
            "[...document.querySelectorAll('#story-list li')].map(li => [Number(li.dataset.id),"
            " li.querySelector('.swatch').style.background])"
        )
        assert sorted(map(tuple, swatches)) == sorted((i, css_rgb(parts[i])) for i in (10, 11))
        page.evaluate("window.topicmap.select(null)")  # shown again, every item in its theme's colour
        page.wait_for_function("document.getElementById('map').data.at(-1).x.length === 0", timeout=10_000)
    assert log == CLEAN_LOG


#: map.js's NAME_GREY: a name's border while a group is isolated and it is none of its parts'.
NAME_GREY = "#9ca3af"


def css_rgb(color: str) -> str:
    """ "#rrggbb" as the browser writes a style's colour: "rgb(r, g, b)"."""
    return "rgb({}, {}, {})".format(*(int(color[k : k + 2], 16) for k in (1, 3, 5)))
