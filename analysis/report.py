"""The HTML topic map's data: report_data() turns the pipeline's tables into compact column
arrays (not one dict per point), with each topic's name placed where its points are dense,
the facets and the timeline (dates.py); page.render_html() puts it in the page.

A map has up to three nested levels, theme ⊇ topic ⊇ story (LEVEL_NAMES); the page shows the
level the map was made at and every level below it that splits the items further
(level_report_data), as points.topic (the top one), points.mid and points.story.
"""

from __future__ import annotations

import colorsys
import math
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from analysis.dates import DATE_COLUMNS, far_off, parse_dates, timeline
from analysis.export import item_frame
from analysis.load import RESERVED_COLUMNS, is_missing
from analysis.phrases import readable
from analysis.state import LEVEL_ORDER, FittedState

# Topic t < 48 gets PALETTE[t]: Tableau 10 (less its grey), then colours picked to stay
# apart from those and from each other and the unclustered grey. The first 24 differ by
# CIEDE2000 >= 16; the next 24 (for maps of many topics: HuffPost's 27 at --level topic
# reached the golden-angle hues, two of them 8.7 apart) were added one at a time, each the
# colour of an sRGB grid (steps of 15; chroma >= 30, lightness 30-85, far from white) furthest
# from all before it, and every pair of the 48 and the grey differs by >= 12.2
# (tests/test_map_names.py checks >= 10, a step anyone sees).
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
    "#5af000",
    "#f000d2",
    "#003cff",
    "#004b78",
    "#e14b00",
    "#00e1ff",
    "#f00078",
    "#009678",
    "#f0a587",
    "#96a500",
    "#a500ff",
    "#a54b87",
    "#c30f2d",
    "#c3e100",
    "#69783c",
    "#c3a569",
    "#ff69b4",
    "#5a5a96",
    "#5a96ff",
    "#693c0f",
    "#00e1d2",
    "#1ea5c3",
    "#96e196",
    "#a55a5a",
)
NOISE_COLOR = "#b8b8b8"
#: Input columns shown with an item when present (hover, item lists).
HOVER_COLUMNS = ("source", "date", "published")
#: Input columns that are always a facet (a menu of ticks) however many values they hold;
#: merged copies hold their values joined by FACET_SEPARATOR (see load.py).
SOURCE_COLUMNS = ("source", "source_file")
FACET_SEPARATOR = "; "
#: Any other input column with at most this many distinct values (and values that repeat) is a facet.
FACET_MAX_VALUES = 50
#: The export's own columns (and the loader's `count`): never a facet.
OUTPUT_COLUMNS = frozenset(RESERVED_COLUMNS)
COORD_DECIMALS = 3
#: A name sits where most of its topic's items lie within this share of the topic's extent
#: (see name_anchor), of which this many likely spots are counted exactly.
ANCHOR_RADIUS = 0.1
ANCHOR_CANDIDATES = 64
MAP_MIN_PER_TOPIC = 20  # a sampled map draws at least this many items of each topic (all if fewer)


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
    bottom one also its `mid` id when there is a middle level; both a `part_color`, see
    part_colors); `meta.levels` their names.

    When the frame has a `new` column (after `topicmap update`), "new" holds the new items'
    indices, `since`, the time of the map they were added to (None when unknown), and
    `since_basis`, what that time is (see new_since)."""
    shown = shown_levels(levels)
    top = shown[0][1]
    mid = shown[1] if len(shown) == 3 else None
    bottom = shown[-1] if len(shown) > 1 else None
    if set(DATE_COLUMNS) <= set(frame.columns):
        frame = frame.assign(date=item_dates(frame))
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
        "text": [readable(text, tags=True) for text in frame["text"].astype(str)],  # the export keeps them as given
        "kind": categorical(frame["kind"]),
        "doc_id": _doc_ids(frame["doc_id"]),
        "extra": extra,
        "columns": columns,
    }
    coords = frame[["x", "y"]].to_numpy(dtype=float)
    mids = topic_records(mid[2], coords, mid[1], parents=top) if mid else []
    stories = topic_records(bottom[2], coords, bottom[1], parents=top, mids=mid[1] if mid else None) if bottom else []
    return {
        "points": points,
        "topics": topic_records(shown[0][2], coords, top),
        "mids": part_colors(mids, "parent"),
        "stories": part_colors(stories, "mid" if mid else "parent"),
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


def item_dates(documents: pd.DataFrame) -> pd.Series | None:
    """Each item's date: its `date`, else its `published` (a feed's items added by `update` to
    a map read from a table with dates have only the feed's), else missing; None when the
    items have neither column."""
    present = [c for c in DATE_COLUMNS if c in documents.columns]
    if not present:
        return None
    dates = documents[present[0]].astype(object)
    for column in present[1:]:
        blank = dates.map(lambda v: is_missing(v) or (isinstance(v, str) and not v.strip()))
        dates = dates.where(~blank, documents[column].astype(object))
    return dates


def new_since(state: FittedState) -> tuple[str | None, str | None]:
    """What the items `update` added are new since, and what that is: the newest date among
    the map's other items when they have dates (see DATE_COLUMNS; items from 2022 are not new
    since the day the map was saved), else the time the map was saved; (None, None) when
    neither is known."""
    dates = item_dates(state.documents)
    if dates is not None and state.added.any() and (~state.added).any():
        stamps = parse_dates(dates[~state.added])
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
            names = {p for v in frame[column] if not is_missing(v) for p in str(v).split(FACET_SEPARATOR) if p}
            if len(names) >= 2:
                facets.append({"column": column, "split": FACET_SEPARATOR})
            continue
        distinct = frame[column].map(lambda v: "" if is_missing(v) else str(v)).nunique()
        if 2 <= distinct <= min(FACET_MAX_VALUES, len(frame) // 2):
            facets.append({"column": column, "split": None})
    return facets


def input_columns(frame: pd.DataFrame) -> list[str]:
    """The input's own columns in the export (every column but the export's own)."""
    return [c for c in frame.columns if isinstance(c, str) and c not in OUTPUT_COLUMNS]


def column_data(values: pd.Series) -> dict:
    """An input column for the page's table and downloads: categorical() when its values
    repeat, else {"list": one string per item} (missing values become "")."""
    text = values.map(lambda v: "" if is_missing(v) else str(v))
    if text.nunique() <= len(text) // 2:
        return categorical(values)
    return {"list": text.tolist()}


def categorical(values: pd.Series) -> dict:
    """A column as its distinct values plus one code per item (missing values become "");
    codes is None when there is only one value (every item has code 0)."""
    text = values.map(lambda v: "" if is_missing(v) else str(v))
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


def part_colors(records: list[dict], within: str) -> list[dict]:
    """Give each record a `part_color`: how its items are drawn when the group it lies in
    (its `within` id) is isolated, so the parts of an isolated theme (all one colour on the
    whole map) tell apart. The largest part takes the first palette colour."""
    siblings: dict[int, list[dict]] = {}
    for record in records:
        siblings.setdefault(record[within], []).append(record)
    for group in siblings.values():
        for rank, record in enumerate(sorted(group, key=lambda r: (-r["size"], r["id"]))):
            record["part_color"] = topic_color(rank)
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


def _coords(values: pd.Series) -> list[float]:
    return values.astype(float).round(COORD_DECIMALS).tolist()


def _round(value: float) -> float:
    return round(float(value), COORD_DECIMALS)


def _doc_ids(values: pd.Series) -> list[str] | None:
    """The ids, or None when they are just the row numbers 1..n (the page derives those)."""
    ids = values.astype(str).tolist()
    return None if ids == [str(i) for i in range(1, len(ids) + 1)] else ids
