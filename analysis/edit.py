"""The reader's edits of a fitted map: rename topics or stories, merge several into one.

Pure functions over a `FittedState` that return a new one (the input is not changed). Names
a reader gives are kept by `update` (every existing group keeps its name, and no new group
takes one: `taken` in label.describe_topics); a merged topic's old ids are gone from the
labels, so new items can never join them again.

Levels are named as `fit` names them: "theme", "topic", "story"; a map edits its own level
(the default) and those below it (`resolve_level`). Inside this module they are the map's
own level ("topic": `labels`, the `topics` table), "story" (`story_labels`, the `stories`
table) and "middle" (a theme map's topics, `topic_labels`, the `topic_table`; merged only
inside one theme, so every level stays nested). When two levels
are one partition (a story map), an edit of one is made to both. The level the map was made
at keeps its own copy in sync (`theme_table`, `topic_table`), and a level that is the
stories' partition follows their edits; the others stay nested (`_synced`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Set
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis import label, phrases
from analysis.errors import InputError
from analysis.state import LEVEL_ORDER, PLURALS, FittedState, reader_named, with_named

#: The longest name a reader may give (characters, after whitespace is collapsed).
NAME_MAX = 120


def clean_name(topic: int, name: object) -> str:
    """A name as the map shows it: whitespace collapsed, invisible format characters (zero-width
    spaces, direction overrides) dropped; InputError when it holds a control character, shows
    no letter, digit or symbol ("...", a zero-width space alone), or is too long."""
    if not isinstance(name, str):
        raise InputError(f"the new name of {topic} is not text ({type(name).__name__}): give a string")
    if control := next((c for c in name if unicodedata.category(c) == "Cc" and not c.isspace()), None):
        raise InputError(f"the new name of {topic} holds a control character (U+{ord(control):04X}): give plain text")
    text = " ".join("".join(c for c in name if unicodedata.category(c) != "Cf").split())
    if not any(unicodedata.category(c)[0] in "LNS" for c in text):
        raise InputError(f"the new name of {topic} is {'empty' if not text else repr(text)}: give a name with words")
    if len(text) > NAME_MAX:
        raise InputError(f"the new name of {topic} has {len(text)} characters: give one of at most {NAME_MAX}")
    return text


def resolve_level(state: FittedState, level: str | None, flag: str = "level") -> str:
    """The level this module edits for the reader's `level` ("theme", "topic" or "story"; None:
    the map's own); InputError for a level above the map's (`flag` names the option)."""
    if level is None or level == state.level:
        return "topic"
    if level == "middle":  # the name of a theme map's topics before levels were named as in fit
        return _check_middle(state)
    shown = f"{flag} {level}" if flag.startswith("--") else f"{flag}={level!r}"
    if level not in LEVEL_ORDER:
        raise InputError(f"{shown}: use 'theme', 'topic' or 'story' (the map's level or one below it)")
    below = LEVEL_ORDER[LEVEL_ORDER.index(state.level) :]
    if level not in below:
        options = " or ".join(f"--level {b}" if flag.startswith("--") else repr(b) for b in below)
        raise InputError(
            f"{shown}: this is a {state.level} map, so its {PLURALS[state.level]} (the default) and the "
            f"levels below can be edited; use {options}"
        )
    return "story" if level == "story" else _check_middle(state)


def _check_middle(state: FittedState) -> str:
    """The edit level of a theme map's own topics (between its themes and stories)."""
    if state.level != "theme":
        raise InputError(f"level='middle' edits a theme map's topics; this is a {state.level} map: use 'topic'")
    if np.array_equal(state.topic_labels, state.story_labels):
        raise InputError("this map's topics are its stories (the same groups): edit the stories (level 'story')")
    return "middle"


def _same_partition(state: FittedState) -> bool:
    """Whether topics and stories are one partition (a story map), so edits go to both."""
    return state.level == "story" and np.array_equal(state.labels, state.story_labels)


def _check_ids(state: FittedState, ids, level: str) -> list[int]:
    table = {"topic": state.topics, "story": state.stories, "middle": state.topic_table}[level]
    known = set(pd.to_numeric(table["id"]).astype(int).tolist())
    what = {"topic": state.level, "story": "story", "middle": "topic"}[level]
    checked = []
    for raw in ids:
        if isinstance(raw, bool) or not isinstance(raw, (int, np.integer)):
            raise InputError(f"{what} id {raw!r} is not an integer: give ids from the map's {what} table")
        if int(raw) not in known:
            shown = ", ".join(str(i) for i in sorted(known)[:20]) + (", ..." if len(known) > 20 else "")
            raise InputError(f"there is no {what} {int(raw)}: the {what} ids are {shown or 'none'}")
        checked.append(int(raw))
    return checked


def rename(state: FittedState, names: dict, level: str | None = None) -> FittedState:
    """`state` with the groups of `names` {id: new name} renamed, at `level` (see `resolve_level`)."""
    level = resolve_level(state, level)
    if not isinstance(names, Mapping):
        raise InputError(f"names={names!r}: pass a dict {{id: name}}, e.g. {{3: 'Election night'}}")
    if not names:
        raise InputError("no names given: pass {id: name}, e.g. {3: 'Election night'}")
    ids = _check_ids(state, list(names), level)
    new = {i: clean_name(i, names[raw]) for i, raw in zip(ids, names)}
    _check_distinct(state, new, level)

    def renamed(table: pd.DataFrame) -> pd.DataFrame:
        table = with_named(table, reader_named(table) | set(new))  # update never joins them away
        table["name"] = [new.get(int(i), n) for i, n in zip(table["id"], table["name"])]
        return table

    both = _same_partition(state)
    edited = replace(
        state,
        topics=renamed(state.topics) if level == "topic" or both else state.topics,
        stories=renamed(state.stories) if level == "story" or both else state.stories,
        topic_table=renamed(state.topic_table) if level == "middle" else state.topic_table,
    )
    return _synced(state, edited)


def _check_distinct(state: FittedState, new: dict[int, str], level: str) -> None:
    """No two groups of a level share a name (case and punctuation aside): a new name may not
    be another's, kept or given in the same call."""
    table = {"topic": state.topics, "story": state.stories, "middle": state.topic_table}[level]
    names = {int(i): n for i, n in zip(table["id"], table["name"])} | new
    holder: dict[str, int] = {}
    what = {"topic": state.level, "story": "story", "middle": "topic"}[level]
    for i, name in sorted(names.items(), key=lambda item: (item[0] in new, item[0])):
        other = holder.setdefault(phrases.fold(name), i)
        if other != i and i in new:
            raise InputError(
                f"the new name of {i}, {name!r}, is the name of {what} {other}: give each {what} a name of its own"
            )


def merge(state: FittedState, ids, level: str | None = None) -> FittedState:
    """`state` with the topics (or stories) `ids` made one, under the first id and its name.

    The merged topic's size, keywords, representatives and description are found again from
    its items (label.describe_topics on those items), and so are those of the groups above it
    whose items changed. The merged group lies where the first lay, at every level above it
    (the reader chose the group to merge into). Merging themes keeps every story inside one
    theme; stories of different themes can only be merged on a story map."""
    level = resolve_level(state, level)
    if isinstance(ids, (str, bytes, Set, Mapping)) or not hasattr(ids, "__iter__"):
        raise InputError(
            f"ids={ids!r}: give a list of two or more ids to merge, e.g. [3, 7] (a list: the first id is kept)"
        )
    ids = _check_ids(state, list(ids), level)
    if len(set(ids)) < 2:
        raise InputError(f"merging needs at least two different ids (got {ids}): e.g. [3, 7]")
    ids = list(dict.fromkeys(ids))
    target, others = ids[0], ids[1:]
    if level == "middle":
        return _merged_middle(state, ids)
    both = _same_partition(state)
    labels, stories, themes = state.labels.copy(), state.story_labels.copy(), state.theme_labels.copy()
    topics_above = state.topic_labels.copy()
    waiting = state.waiting.copy()
    if level == "topic" or both:
        inside = np.isin(labels, ids)
        labels[inside] = target
        if state.level == "theme":
            themes[inside] = target
    if level == "story" or both:
        inside = np.isin(stories, ids)
        parents = np.unique(themes[inside])
        if state.level != "story" and not both and len(parents) > 1:
            first_step = "merge their themes first, or " if state.level == "theme" else ""
            raise InputError(
                f"stories {', '.join(map(str, ids))} are in different themes ({', '.join(map(str, parents))}): "
                f"{first_step}merge stories of one theme"
            )
        stories[inside] = target
        waiting[inside] = waiting[inside].all()  # a merged story waits for a topic only if all its parts did
    # the merged group lies where the group it was merged into lay, at every level above it
    first = (state.labels if level == "topic" else state.story_labels) == target
    if state.level != "theme" or level == "story":
        themes[inside] = _majority(themes[first])
    if level == "story" or state.level == "story":
        topics_above[inside] = _majority(topics_above[first])
    if level == "story" and state.level == "topic":  # the map's own level is the topics
        labels[inside] = topics_above[inside]
    texts = state.documents["text"].astype(str).tolist()
    topics, story_table = state.topics, state.stories
    if level == "topic" or both:
        topics = _merged_table(state.topics, texts, labels, state.embeddings, target, others, stories, state.level)
    if level == "story" or both:
        story_table = _merged_table(state.stories, texts, stories, state.embeddings, target, others, None, "story")
    edited = replace(
        state,
        labels=labels,
        story_labels=stories,
        topic_labels=topics_above,
        theme_labels=themes,
        waiting=waiting,
        topics=topics,
        stories=story_table,
    )
    return _described_again(_synced(state, edited), state)


def _majority(labels: np.ndarray) -> int:
    return int(np.bincount(labels + 1).argmax()) - 1


def _described_again(after: FittedState, before: FittedState) -> FittedState:
    """`after` with its topics and themes whose items changed (a merge below them moved some)
    described again from their items, as the pipeline describes them, names kept; a level
    that is the stories' partition is left (its table is the stories')."""
    texts = after.documents["text"].astype(str).tolist()
    tables = {}
    for name in ("topic", "theme"):
        new, old = getattr(after, f"{name}_labels"), getattr(before, f"{name}_labels")
        table = getattr(after, f"{name}_table")
        if np.array_equal(new, after.story_labels):
            continue
        changed = [int(i) for i in table["id"] if not np.array_equal(new == int(i), old == int(i))]
        if not changed:
            continue
        only = np.where(np.isin(new, changed), new, -1)
        found = label.describe_topics(
            texts, only, after.embeddings, stories=np.where(only >= 0, after.story_labels, -1), subject=name == "theme"
        ).set_index("id")
        records = table.to_dict("records")
        for record in records:
            if int(record["id"]) in found.index:
                fresh = found.loc[int(record["id"])]
                record.update({k: fresh[k] for k in table.columns if k not in ("id", "name", "size") and k in fresh})
        tables[f"{name}_table"] = pd.DataFrame.from_records(records, columns=table.columns).astype(
            {"id": "int64", "size": "int64"}
        )
    after = replace(after, **tables)
    own = {"theme": after.theme_table, "topic": after.topic_table}.get(after.level)
    return after if own is None else replace(after, topics=own)


def _merged_middle(state: FittedState, ids: list[int]) -> FittedState:
    """`state` with a theme map's topics `ids` (of one theme) made one under the first."""
    inside = np.isin(state.topic_labels, ids)
    parents = np.unique(state.theme_labels[inside])
    if len(parents) > 1:
        raise InputError(
            f"topics {', '.join(map(str, ids))} are in different themes ({', '.join(map(str, parents))}): "
            "merge their themes first, or merge topics of one theme"
        )
    topics = state.topic_labels.copy()
    topics[inside] = ids[0]
    texts = state.documents["text"].astype(str).tolist()
    table = _merged_table(state.topic_table, texts, topics, state.embeddings, ids[0], ids[1:], None, "topic")
    return _synced(state, replace(state, topic_labels=topics, topic_table=table))


def _synced(before: FittedState, after: FittedState) -> FittedState:
    """`after` (its chosen level and stories edited) with every level's labels and table made
    to agree: the chosen level's from `labels`/`topics`, a level that was the stories'
    partition from the stories, and the rest nested again (`cluster.nest_in`), sizes recounted."""
    from analysis.cluster import nest_in

    own = {"theme": (after.theme_labels, after.theme_table), "topic": (after.topic_labels, after.topic_table)}
    for name in list(own):
        if name == after.level:
            own[name] = (after.labels, after.topics)
        elif np.array_equal(getattr(before, f"{name}_labels"), before.story_labels):
            own[name] = (after.story_labels, after.stories)
    topic_labels = nest_in(after.story_labels, own["topic"][0])
    theme_labels = nest_in(topic_labels, own["theme"][0])
    topic_table, theme_table = _recounted(own["topic"][1], topic_labels), _recounted(own["theme"][1], theme_labels)
    # the map's own level follows too: stories of two topics merged into one topic move items
    labels, topics = {
        "theme": (theme_labels, theme_table),
        "topic": (topic_labels, topic_table),
        "story": (after.labels, after.topics),
    }[after.level]
    return replace(
        after,
        labels=labels,
        topics=topics,
        topic_labels=topic_labels,
        theme_labels=theme_labels,
        topic_table=topic_table,
        theme_table=theme_table,
    )


def _recounted(table: pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    """`table` without groups left empty, each size the count of its items in `labels`."""
    counts = pd.Series(labels[labels >= 0]).value_counts()
    kept = table[table["id"].map(lambda i: int(counts.get(int(i), 0)) > 0)]
    return kept.assign(size=[int(counts.get(int(i), 0)) for i in kept["id"]])


def _merged_table(
    table: pd.DataFrame,
    texts: list[str],
    labels: np.ndarray,
    vectors: np.ndarray,
    target: int,
    others: list[int],
    stories: np.ndarray | None,
    level: str,
) -> pd.DataFrame:
    """`table` without the rows of `others`, and the row of `target` described again from its
    items (its name kept: the reader chose the topic to merge into)."""
    only = np.where(labels == target, target, -1)
    found = label.describe_topics(
        texts,
        only,
        vectors,
        stories=np.where(only >= 0, stories, -1) if stories is not None and level == "theme" else None,
    )
    fresh = {k: v for k, v in found.iloc[0].to_dict().items() if k not in ("id", "name")}
    records = [
        {**record, **{k: v for k, v in fresh.items() if k in table.columns}} if int(record["id"]) == target else record
        for record in table.to_dict("records")
        if int(record["id"]) not in others
    ]
    return pd.DataFrame.from_records(records, columns=table.columns).astype({"id": "int64", "size": "int64"})
