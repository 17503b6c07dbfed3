"""Write the self-contained HTML topic map: one Jinja2 template, plotly.js and assets inlined.

report_data() turns the pipeline's tables into the page's data (compact column arrays, not
one dict per point); render_html() puts that data, plotly.js and the JS and CSS files of
assets/ into one page that loads nothing from the network.

A map has up to three nested levels, theme ⊇ topic ⊇ story (LEVEL_NAMES); the page shows the
level the map was made at and every level below it that splits the items further
(level_report_data), as points.topic (the top one), points.mid and points.story.
"""

from __future__ import annotations

import colorsys
import functools
import json
import math
import os
import re
import warnings
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.export import item_frame
from analysis.files import atomic_path
from analysis.load import RESERVED_COLUMNS
from analysis.state import LEVEL_ORDER, FittedState

if TYPE_CHECKING:
    import jinja2

# Topic t < 24 gets PALETTE[t]: Tableau 10 (less its grey), then colours picked to stay
# apart from those and from each other and the unclustered grey. Every pair differs by
# CIEDE2000 >= 16 (tests/test_map_names.py checks >= 10, a step anyone sees); two reds, two
# blues or two browns that only differ by a shade read as one topic on the map.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#005f50",
    "#5a5500",
    "#733796",
    "#afafff",
    "#a50a4b",
    "#37b9ff",
    "#96320a",
    "#a08205",
    "#146e0f",
    "#008791",
    "#f596f5",
    "#b4be82",
    "#915a00",
    "#8c69cd",
    "#00cd96",
)
NOISE_COLOR = "#b8b8b8"
#: Input columns shown with an item when present (hover, item lists).
HOVER_COLUMNS = ("source", "date", "published")
#: Input columns read as the item's date for the timeline, first found wins.
DATE_COLUMNS = ("date", "published")
#: Input columns that are always a facet (a menu of ticks) however many values they hold;
#: merged copies hold their values joined by FACET_SEPARATOR (see load.py).
SOURCE_COLUMNS = ("source", "source_file")
FACET_SEPARATOR = "; "
#: Any other input column with at most this many distinct values (and values that repeat) is a facet.
FACET_MAX_VALUES = 50
#: The export's own columns (and the loader's `count`): never a facet.
OUTPUT_COLUMNS = frozenset(RESERVED_COLUMNS)
#: Asset files inlined into the page, in this order (the JS files share one function scope).
JS_ASSETS = (
    "util.js",
    "model.js",
    "map.js",
    "panel.js",
    "filters.js",
    "overview.js",
    "select.js",
    "color.js",
    "table.js",
    "tree.js",
    "link.js",
    "news.js",
    "search.js",
    "report.js",
)
CSS_ASSETS = ("report.css", "search.css")
COORD_DECIMALS = 3
#: The page's data is gzipped (like plotly.js) when its JSON is longer than this.
PACK_DATA_CHARS = 1_000_000
#: A name sits where most of its topic's items lie within this share of the topic's extent
#: (see name_anchor), of which this many likely spots are counted exactly.
ANCHOR_RADIUS = 0.1
ANCHOR_CANDIDATES = 64
MAP_MIN_PER_TOPIC = 20  # a sampled map draws at least this many items of each topic (all if fewer)
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_PERIODS = {"hour": "h", "day": "D", "week": "W-SUN", "month": "M", "year": "Y"}
_LABELS = {"hour": "%Y-%m-%d %H:00", "day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


#: Dates outside these years (a typo such as 9999-12-31 or -2014-03-11) count as undated on
#: the timeline; the export keeps them as written.
DATE_YEARS = (1900, 2100)


def map_sample(labels: np.ndarray, size: int, random_state: int = 0) -> np.ndarray:
    """Items to draw on a map of more than `size` items: each topic (and the unclustered)
    in proportion to its size, but at least MAP_MIN_PER_TOPIC items (all when fewer), so every
    topic is on the map. About `size` indices, sorted."""
    rng = np.random.default_rng(random_state)
    groups, counts = np.unique(labels, return_counts=True)
    chosen = []
    for group, count in zip(groups, counts):
        quota = min(count, max(MAP_MIN_PER_TOPIC, math.floor(size * count / len(labels))))
        chosen.append(rng.choice(np.flatnonzero(labels == group), size=quota, replace=False))
    return np.sort(np.concatenate(chosen))


def topic_color(topic: int) -> str:
    """The colour of a topic id, fixed by the id alone (grey for unclustered)."""
    if topic < 0:
        return NOISE_COLOR
    if topic < len(PALETTE):
        return PALETTE[topic]
    # Past the palette: golden-angle hues, so neighbouring ids still differ.
    red, green, blue = colorsys.hls_to_rgb((topic * 137.508 % 360) / 360, 0.47, 0.55)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def script_json(value) -> str:
    """JSON that is safe inside a <script> element: no </script>, no HTML, no JS line breaks."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in _JSON_ESCAPES.items():
        text = text.replace(char, escape)
    return text


LEVEL_NAMES = LEVEL_ORDER
#: One level of the page: its name (one of LEVEL_NAMES), each item's id at it (-1: none) and
#: its table (id, name, size, keywords, representatives, description).
Level = tuple[str, np.ndarray, pd.DataFrame]


def report_data(
    frame: pd.DataFrame,
    topics: pd.DataFrame,
    stories: pd.DataFrame,
    meta: dict,
    since: str | None = None,
    since_basis: str | None = None,
    *,
    mids: tuple[np.ndarray, pd.DataFrame] | None = None,
    names: tuple[str, ...] | None = None,
) -> dict:
    """The page's data from an export-like frame (doc_id, kind, text, topic, x, y, story, ...),
    the tables of its levels (id, name, size, keywords, representatives, description) and
    provenance: frame["topic"] with `topics` is the top level, frame["story"] with `stories`
    the bottom one and, with `mids` (each item's id, the table), a middle level between them.
    `names` names the levels top first: ("topic", "story") by default, ("theme", "topic",
    "story") with `mids`. See level_report_data for the rest (levels that split nothing are
    dropped, `since` and `since_basis`)."""
    levels: list[Level] = [("", frame["topic"].to_numpy(dtype=np.int64), topics)]
    if mids is not None:
        levels.append(("", np.asarray(mids[0], dtype=np.int64), mids[1]))
    levels.append(("", frame["story"].to_numpy(dtype=np.int64), stories))
    names = names or (LEVEL_NAMES if mids is not None else ("topic", "story"))
    if len(names) != len(levels):
        raise ValueError(f"names={names!r}: one name per level ({len(levels)})")
    return level_report_data(
        frame, [(name, labels, table) for name, (_, labels, table) in zip(names, levels)], meta, since, since_basis
    )


def level_report_data(
    frame: pd.DataFrame, levels: list[Level], meta: dict, since: str | None = None, since_basis: str | None = None
) -> dict:
    """The page's data from the export frame (its doc_id, kind, text, x, y and input columns),
    the map's levels top first (one to three, see Level) and provenance.

    A level whose partition of the items equals the one above it is dropped, so the page
    shows one, two or three levels: `points.topic` holds each item's id at the top one,
    `points.mid` at the middle one (None unless three are shown), `points.story` at the
    bottom one (None with one level); `topics`, `mids` and `stories` hold their records
    (see topic_records: a middle or bottom record has the `parent` top id and its colour, a
    bottom one also its `mid` id when there is a middle level); `meta.levels` their names.

    When the frame has a `new` column (after `topicmap update`), "new" holds the new items'
    indices, `since`, the time of the map they were added to (None when unknown), and
    `since_basis`, what that time is (see new_since)."""
    shown = shown_levels(levels)
    top = shown[0][1]
    mid = shown[1] if len(shown) == 3 else None
    bottom = shown[-1] if len(shown) > 1 else None
    extra = {col: categorical(frame[col]) for col in HOVER_COLUMNS if col in frame.columns}
    facets = facet_columns(frame)
    extra.update({c: categorical(frame[c]) for c in (str(f["column"]) for f in facets) if c not in extra})
    columns = {col: column_data(frame[col]) for col in input_columns(frame) if col not in extra}
    points = {
        "x": _coords(frame["x"]),
        "y": _coords(frame["y"]),
        "topic": top.tolist(),
        "mid": mid[1].tolist() if mid else None,
        "story": bottom[1].tolist() if bottom else None,
        "text": frame["text"].astype(str).tolist(),
        "kind": categorical(frame["kind"]),
        "doc_id": _doc_ids(frame["doc_id"]),
        "extra": extra,
        "columns": columns,
    }
    coords = frame[["x", "y"]].to_numpy(dtype=float)
    return {
        "points": points,
        "topics": topic_records(shown[0][2], coords, top),
        "mids": topic_records(mid[2], coords, mid[1], parents=top) if mid else [],
        "stories": topic_records(bottom[2], coords, bottom[1], parents=top, mids=mid[1] if mid else None)
        if bottom
        else [],
        "timeline": timeline(extra, len(frame)),
        "new": new_items(frame, since, since_basis),
        "facets": facets,
        "noise_color": NOISE_COLOR,
        "meta": {**meta, "levels": [name for name, _, _ in shown]},
    }


def shown_levels(levels: list[Level]) -> list[Level]:
    """The levels the page shows, top first: each one but the first that splits the items
    otherwise than the level kept above it (at most three)."""
    if not 1 <= len(levels) <= 3:
        raise ValueError(f"{len(levels)} levels: a map has one to three")
    shown = [levels[0]]
    for level in levels[1:]:
        labels = np.asarray(level[1], dtype=np.int64)
        if has_two_levels(shown[-1][1], labels):
            shown.append((level[0], labels, level[2]))
    return [(name, np.asarray(labels, dtype=np.int64), table) for name, labels, table in shown]


def fitted_levels(state: FittedState) -> list[Level]:
    """The levels of a fitted map the page shows before equal ones are dropped: the chosen
    level (`state.labels`, `state.topics`) and every level below it."""
    below = {
        "topic": [("story", state.story_labels, state.stories)],
        "theme": [("topic", state.topic_labels, state.topic_table), ("story", state.story_labels, state.stories)],
    }
    return [(state.level, state.labels, state.topics), *below.get(state.level, [])]


def fitted_report_data(
    state: FittedState, meta: dict, *, sample_size: int, random_state: int, notes: tuple[str, ...] = ()
) -> dict:
    """The page's data for a fitted map: its items (a stratified sample of `sample_size` when
    there are more), its chosen level and the levels below it, and provenance (`meta`, with
    `notes` on how it was made)."""
    frame = item_frame(state)
    levels = fitted_levels(state)
    notes = tuple(notes)
    if len(frame) > sample_size:  # a page of millions of points: draw a sample, any engine
        rows = map_sample(state.labels, sample_size, random_state)
        frame = frame.iloc[rows].reset_index(drop=True)
        levels = [(name, np.asarray(labels)[rows], table) for name, labels, table in levels]
        notes = (f"the map draws a stratified sample of {len(frame):,}; topic sizes are exact", *notes)
    if notes:
        meta = {**meta, "items": f"{len(state.labels):,} ({'; '.join(notes)})"}
    since, basis = new_since(state)
    return level_report_data(frame, levels, meta, since=since, since_basis=basis)


def new_since(state: FittedState) -> tuple[str | None, str | None]:
    """What the items `update` added are new since, and what that is: the newest date among
    the map's other items when they have dates (see DATE_COLUMNS; items from 2022 are not new
    since the day the map was saved), else the time the map was saved; (None, None) when
    neither is known."""
    documents = state.documents
    column = next((c for c in DATE_COLUMNS if c in documents.columns), None)
    if column is not None and state.added.any() and (~state.added).any():
        stamps = parse_dates(documents[column][~state.added].astype(object))
        stamps = stamps.where(~far_off(stamps, np.ones(len(stamps), dtype=np.int64)))
        if stamps.notna().any():
            newest = stamps.max().tz_convert(None)
            shown = f"{newest:%Y-%m-%d}" if newest == newest.normalize() else f"{newest:%Y-%m-%d %H:%M} UTC"
            return shown, "the newest item in the saved map"
    saved = display_time(state.added_since)
    return saved, "when the map was saved" if saved else None


def new_items(frame: pd.DataFrame, since: str | None, basis: str | None = None) -> dict | None:
    """{items, since, basis}: the indices of the items `update` added, or None when there are none."""
    if "new" not in frame.columns or not frame["new"].fillna(False).astype(bool).any():
        return None
    items = np.flatnonzero(frame["new"].fillna(False).astype(bool).to_numpy()).tolist()
    return {"items": items, "since": since, "basis": basis}


def display_time(stamp: str | None) -> str | None:
    """An ISO 8601 time as the footer shows times (UTC, to the minute); None if it is no time."""
    try:
        parsed = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except ValueError:
        return None
    if parsed is None:
        return None
    try:
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(timezone.utc)
    except OverflowError:  # a time zone that moves it past year 9999
        return None
    return f"{parsed:%Y-%m-%d %H:%M} UTC" if parsed.year >= 1000 else None


def has_two_levels(topic: np.ndarray, story: np.ndarray) -> bool:
    """Whether the lower level `story` splits the items otherwise than `topic` does (False
    when both are the same partition, whatever their ids)."""
    pairs = len(set(zip(topic.tolist(), story.tolist())))
    return not (pairs == len(set(topic.tolist())) == len(set(story.tolist())))


def facet_columns(frame: pd.DataFrame) -> list[dict[str, str | None]]:
    """The input columns the page offers as facets, [{column, split}]: a source column (see
    SOURCE_COLUMNS) when it names two or more sources, any other input column but a date when
    it has 2 to FACET_MAX_VALUES distinct values that repeat. `split` is the separator of merged
    copies' values, or None. A menu of one value ("Sources: all 1") filters nothing."""
    facets: list[dict[str, str | None]] = []
    for column in frame.columns:
        if not isinstance(column, str) or column in OUTPUT_COLUMNS or column in DATE_COLUMNS:
            continue
        if column in SOURCE_COLUMNS:
            names = {p for v in frame[column] if not _missing(v) for p in str(v).split(FACET_SEPARATOR) if p}
            if len(names) >= 2:
                facets.append({"column": column, "split": FACET_SEPARATOR})
            continue
        distinct = frame[column].map(lambda v: "" if _missing(v) else str(v)).nunique()
        if 2 <= distinct <= min(FACET_MAX_VALUES, len(frame) // 2):
            facets.append({"column": column, "split": None})
    return facets


def input_columns(frame: pd.DataFrame) -> list[str]:
    """The input's own columns in the export (every column but the export's own)."""
    return [c for c in frame.columns if isinstance(c, str) and c not in OUTPUT_COLUMNS]


def column_data(values: pd.Series) -> dict:
    """An input column for the page's table and downloads: categorical() when its values
    repeat, else {"list": one string per item} (missing values become "")."""
    text = values.map(lambda v: "" if _missing(v) else str(v))
    if text.nunique() <= len(text) // 2:
        return categorical(values)
    return {"list": text.tolist()}


def categorical(values: pd.Series) -> dict:
    """A column as its distinct values plus one code per item (missing values become "");
    codes is None when there is only one value (every item has code 0)."""
    text = values.map(lambda v: "" if _missing(v) else str(v))
    codes, uniques = pd.factorize(text, sort=False)
    return {"values": [str(u) for u in uniques], "codes": codes.tolist() if len(uniques) > 1 else None}


def topic_records(
    table: pd.DataFrame,
    coords: np.ndarray,
    labels: np.ndarray,
    parents: np.ndarray | None = None,
    mids: np.ndarray | None = None,
) -> list[dict]:
    """One record per topic: its description plus colour, label anchor and zoom box.

    The anchor is where the name goes: the member where the topic's items are densest (see
    name_anchor); the box spans the 2nd to 98th percentile of the members. With `parents`
    (each item's top-level id) a record also gets its `parent` (the id most of its items
    have) and that one's colour; with `mids` (each item's middle-level id), its `mid` too.
    """
    records = []
    for row in table.itertuples(index=False):
        members = coords[labels == row.id]
        if len(members) == 0:
            continue
        low, high = np.percentile(members, 2, axis=0), np.percentile(members, 98, axis=0)
        anchor = name_anchor(members, low, high)
        record = {
            "id": int(row.id),
            "name": str(row.name),
            "size": int(row.size),
            "description": str(getattr(row, "description", "") or ""),
            "keywords": [str(k) for k in row.keywords],
            "representatives": [str(r) for r in row.representatives],
            "color": topic_color(int(row.id)),
            "cx": _round(anchor[0]),
            "cy": _round(anchor[1]),
            "box": [_round(low[0]), _round(high[0]), _round(low[1]), _round(high[1])],
        }
        if parents is not None:
            parent = _commonest(parents[labels == row.id])
            record["parent"] = parent
            record["color"] = topic_color(parent)
        if mids is not None:
            record["mid"] = _commonest(mids[labels == row.id])
        records.append(record)
    return records


def _commonest(values: np.ndarray) -> int:
    """The value most of `values` hold (the smallest of those tied)."""
    found, counts = np.unique(values, return_counts=True)
    return int(found[np.argmax(counts)])


def name_anchor(members: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The member with the most members within ANCHOR_RADIUS of the topic's extent (the box
    `low` to `high`) around it: where the topic's name goes. The centroid (or median) of a
    topic in two clumps lies in the empty space between them; this lies in the denser clump.

    Counting around every member would cost the square of a big topic's size: members are
    binned on a grid (cells a quarter of the radius wide) and scored by the members in the
    cells within the radius of their own; the ANCHOR_CANDIDATES best scored are then counted
    exactly. Ties go to the member nearest the members' median."""
    centre = np.median(members, axis=0)
    nearest = ((members - centre) ** 2).sum(axis=1)
    radius = ANCHOR_RADIUS * float(np.max(high - low))
    if len(members) < 3 or radius <= 0:
        return members[np.argmin(nearest)]
    cells = np.floor((np.clip(members, low, high) - low) / (radius / 4)).astype(np.int64)
    shape = cells.max(axis=0) + 1
    grid = np.zeros(shape + 8)  # four empty cells on every side: each disc of cells stays inside
    np.add.at(grid, (cells[:, 0] + 4, cells[:, 1] + 4), 1)
    disc = np.zeros(shape)
    for dx, dy in ((dx, dy) for dx in range(-4, 5) for dy in range(-4, 5) if dx * dx + dy * dy <= 16):
        disc += grid[4 + dx : 4 + dx + shape[0], 4 + dy : 4 + dy + shape[1]]
    rough = disc[cells[:, 0], cells[:, 1]]
    candidates = np.argsort(-rough, kind="stable")[:ANCHOR_CANDIDATES]
    counts = np.array([(((members - members[c]) ** 2).sum(axis=1) <= radius**2).sum() for c in candidates])
    return members[candidates[np.argmin(np.where(counts == counts.max(), nearest[candidates], np.inf))]]


FAR_OFF = 10  # spans of the middle 98% of the dates beyond which a date is far from the others


def timeline(extra: dict, n: int) -> dict | None:
    """Binning of the items' dates when the input has a date column (see DATE_COLUMNS) that
    parses for at least half of the items, else None: {unit, column, labels, undated, years,
    value_bins, start, value_days, bin_days} where value_bins[k] is the bin of the column's
    k-th distinct value (-1: no date), value_days[k] its step (an hour when unit is "hour",
    else a day) counted from `start` (the first date, YYYY-MM-DD, or YYYY-MM-DDTHH by the
    hour; -1: no date) and bin_days the first step of each bin, then the step after the last
    bin. `undated` counts the items without a date in DATE_YEARS (`years`) or far from the
    others' (`far_off`: "1900-01-01" in a corpus of 2014). A few hundred bins
    at most: hours under three days (when the dates have times), days up to two months, weeks up to two years, months up
    to thirty years, years beyond."""
    column = next((c for c in DATE_COLUMNS if c in extra), None)
    if column is None:
        return None
    values, codes = extra[column]["values"], extra[column]["codes"]
    counts = np.bincount(codes, minlength=len(values)) if codes is not None else np.array([n])
    stamps = parse_dates(pd.Series(values, dtype=object))
    stamps = stamps.where(~far_off(stamps, counts))
    dated = stamps.notna().to_numpy()
    if counts[dated].sum() < max(1, n / 2):
        return None
    naive = stamps.dt.tz_convert(None)
    timed = counts[dated & (naive != naive.dt.normalize()).to_numpy()].sum() >= counts[dated].sum() / 2
    unit = time_unit(stamps.max() - stamps.min(), timed)
    periods = naive.dt.to_period(_PERIODS[unit])
    bins = pd.period_range(periods.min(), periods.max(), freq=_PERIODS[unit])
    if len(bins) < 2:
        return None
    position = {period: i for i, period in enumerate(bins)}
    hourly = unit == "hour"
    step = pd.Timedelta(hours=1) if hourly else pd.Timedelta(days=1)
    steps = naive.dt.floor("h") if hourly else naive.dt.normalize()
    start = steps.min()
    last = bins[-1].end_time.floor("h") if hourly else bins[-1].end_time.normalize()
    bounds = [p.start_time for p in bins] + [last + step]
    return {
        "unit": unit,
        "column": column,
        "labels": [p.start_time.strftime(_LABELS[unit]) for p in bins],
        "undated": int(counts[~dated].sum()),
        "years": list(DATE_YEARS),
        "value_bins": [position[p] if ok else -1 for p, ok in zip(periods, dated)],
        "start": start.strftime("%Y-%m-%dT%H" if hourly else "%Y-%m-%d"),
        "value_days": [int((d - start) // step) if ok else -1 for d, ok in zip(steps, dated)],
        "bin_days": [int((b - start) // step) for b in bounds],
        "utc": any(_ZONED.search(str(v).strip()) for v, ok in zip(values, dated) if ok),
    }


#: A date written with its time zone ("...T01:00+05:00", "...Z"): the timeline counts it in UTC.
_ZONED = re.compile(r"\d[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})$", re.I)


def far_off(stamps: pd.Series, counts: np.ndarray) -> np.ndarray:
    """Which dates lie FAR_OFF times the span of the middle of the items (all but the 1%, and
    at least one item, at each end; `counts` items per date) beyond it: a placeholder
    ("1900-01-01", "2099-12-31") in a corpus of one year, which would stretch the timeline over
    two centuries and make "New since" a date to come."""
    dated = stamps.notna().to_numpy()
    far = np.zeros(len(stamps), dtype=bool)
    total = int(counts[dated].sum())
    trim = max(1, int(np.ceil(0.01 * total)))
    if total - 1 - trim < trim:
        return far
    seconds = stamps[dated].astype("int64").to_numpy() / 1e9
    order = np.argsort(seconds, kind="stable")
    cumulative = np.cumsum(counts[dated][order])
    low = seconds[order][np.searchsorted(cumulative, trim, side="right")]
    high = seconds[order][np.searchsorted(cumulative, total - 1 - trim, side="right")]
    reach = FAR_OFF * max(high - low, 86400.0)
    far[np.flatnonzero(dated)] = (seconds < low - reach) | (seconds > high + reach)
    return far


def time_unit(span: pd.Timedelta, timed: bool = True) -> str:
    """The timeline's bin for dates spanning `span`: at most a few hundred bins. Hours only
    when the dates have times of day (`timed`: most are not at midnight)."""
    days = span / pd.Timedelta(days=1)
    if days < 3 and timed:
        return "hour"
    return "day" if days <= 62 else "week" if days <= 730 else "month" if days <= 30 * 366 else "year"


def parse_dates(values: pd.Series) -> pd.Series:
    """Strings to UTC timestamps, NaT where a value is no date (ISO 8601 first, then any
    format) or lies outside DATE_YEARS: one mistyped year must not stretch the timeline."""
    text = values.map(lambda v: None if _missing(v) or not str(v).strip() else str(v).strip())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stamps = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
        if stamps.notna().sum() < text.notna().sum():
            rest = text[stamps.isna() & text.notna()].astype(str)
            found = pd.to_datetime(rest, utc=True, errors="coerce", format="mixed", dayfirst=_day_first(rest))
            stamps = stamps.fillna(found.reindex(stamps.index))
    years = stamps.dt.year
    return stamps.where((years >= DATE_YEARS[0]) & (years <= DATE_YEARS[1]))


def _day_first(text: pd.Series) -> bool:
    """Whether a column's numeric dates ("11/03/2014", "11.03.2014") put the day first, read
    once for the whole column, so no value is read one way and the next the other: a first
    number over 12 says day first, a second one over 12 month first; with no such value,
    dotted dates are read day first (as in Europe), others month first."""
    parts = text.str.extract(r"^(\d{1,2})([./-])(\d{1,2})[./-]\d{2,4}\b").dropna()
    if parts.empty:
        return False
    first, second = parts[0].astype(int), parts[2].astype(int)
    if (first > 12).any() != (second > 12).any():
        return bool((first > 12).any())
    return bool((parts[1] == ".").mean() > 0.5)


def _coords(values: pd.Series) -> list[float]:
    return values.astype(float).round(COORD_DECIMALS).tolist()


def _round(value: float) -> float:
    return round(float(value), COORD_DECIMALS)


def _doc_ids(values: pd.Series) -> list[str] | None:
    """The ids, or None when they are just the row numbers 1..n (the page derives those)."""
    ids = values.astype(str).tolist()
    return None if ids == [str(i) for i in range(1, len(ids) + 1)] else ids


def _missing(value) -> bool:
    return value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def render_html(data: dict, title: str, plotlyjs: str = "inline") -> str:
    """Render the report page around `data` (see report_data); plotlyjs is inline (gzipped in
    the page, unpacked by the browser) or cdn. The page's code is gzipped too, and so is data
    over PACK_DATA_CHARS."""
    data_json = script_json(data)
    packed = len(data_json) > PACK_DATA_CHARS
    return (
        _templates()
        .get_template("report.html.j2")
        .render(
            title=title,
            meta=data["meta"],
            css=read_assets(CSS_ASSETS),
            js_packed=_packed_page_code(),
            plotly=_plotly_tag(plotlyjs),
            data_json=gzip_base85(data_json) if packed else data_json,
            data_packed=packed,
        )
    )


def gzip_base85(text: str) -> str:
    """`text` as UTF-8, gzipped, in base 85 (RFC 1924's digits, with `&<>` written `:,.` so no
    markup can form): what the page unpacks with DecompressionStream. Base 85 makes a page
    about 120 kB smaller than base 64 would (5 characters for 4 bytes instead of 4 for 3)."""
    import base64
    import gzip

    packed = base64.b85encode(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return packed.decode("ascii").translate(_PAGE_DIGITS)


_PAGE_DIGITS = str.maketrans("&<>", ":,.")


class InlineReport:
    """A report page shown inline in Jupyter: a sandboxed iframe (scripts and downloads only, no
    access to the notebook) whose srcdoc is the whole page, escaped."""

    def __init__(self, page: str, height: int = 760) -> None:
        if isinstance(height, bool) or not isinstance(height, int) or not 200 <= height <= 10_000:
            raise InputError(f"height={height!r}: give the frame's height in pixels, an integer from 200 to 10000")
        self.page = page
        self.height = height

    def _repr_html_(self) -> str:
        return _templates().get_template("inline.html.j2").render(page=self.page, height=self.height)


def _templates() -> jinja2.Environment:
    """The Jinja2 templates of assets/, autoescaped."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_assets_dir())), autoescape=True, keep_trailing_newline=True
    )


def read_assets(names: tuple[str, ...]) -> str:
    """The named asset files joined; refuses any that could close its <script> or <style>."""
    parts = []
    for name in names:
        text = (_assets_dir() / name).read_text(encoding="utf-8")
        if "</script" in text.lower() or "</style" in text.lower():
            raise ValueError(f"asset {name} contains a closing </script> or </style> tag")
        parts.append(f"/* {name} */\n{text}")
    return "\n".join(parts)


def _assets_dir():
    return resources.files("analysis") / "assets"


def check_plotlyjs(plotlyjs: object) -> None:
    if plotlyjs not in ("inline", "cdn"):
        raise InputError(f"plotlyjs={plotlyjs!r}: use 'inline' (works offline) or 'cdn'")


def _plotly_tag(plotlyjs: str) -> dict:
    check_plotlyjs(plotlyjs)
    if plotlyjs == "inline":
        return {"packed": _packed_plotly(), "src": None}
    if plotlyjs == "cdn":
        from plotly.offline import get_plotlyjs_version

        return {"packed": None, "src": f"https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js"}
    raise AssertionError(plotlyjs)


@functools.cache
def _packed_page_code() -> str:
    """The page's own code (the JS assets, 130 kB) gzipped in base 85 (about 40 kB), made once
    a process: it kept the seed page under 2 MB as the code grew."""
    return gzip_base85(read_assets(JS_ASSETS) + "\n//# sourceURL=topicmap.js\n")


@functools.cache
def _packed_plotly() -> str:
    """plotly.js gzipped and in base 85 (1.8 MB instead of 4.8), made once a process."""
    from plotly.offline import get_plotlyjs

    return gzip_base85(get_plotlyjs())


def check_report_path(path: object) -> Path:
    """`path` as a Path if it can name the page: an .html or .htm file name, not a folder.
    The suffix is what keeps a slip (the input's name, an export's) from being overwritten."""
    if not isinstance(path, (str, os.PathLike)):
        raise InputError(f"path={path!r}: give the report's file name, ending in .html")
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{target} is a folder: give the path of a file ending in .html")
    if target.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"{target}: the report is HTML; give a file name ending in .html")
    return target


def write_report(path: str | Path, data: dict, title: str, plotlyjs: str = "inline") -> None:
    """Render and write the page atomically (no partial file on failure)."""
    path = check_report_path(path)
    html = render_html(data, title, plotlyjs)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")


def generated_at() -> str:
    """The time of generation for the provenance footer (UTC, to the minute)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
