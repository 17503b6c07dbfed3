"""How a fitted map grows with new items: the update policy beside assign.py's placement.

- An item the map already holds (the same text after whitespace and case folding, the rule
  the loader merges copies by) is not added again: the map's item counts it (`count`).
- The other items join existing topics and stories (assign.py); those no topic takes are
  clustered among themselves with the whole map's least story size (a fresh fit's), and a
  cluster of at least two distinct texts becomes a new story with a fresh id; so do the
  stories among the items no saved story takes, wherever they lie (the day's new events:
  twelve updates of 400 HuffPost headlines made none before, 23 now). Copies alone never
  make a topic.
- A new cluster opens a new theme (or topic, on a topic map) only when it is as large as the
  map's smallest (a new subject of the map's own scale); a smaller one is a new story inside
  the existing theme (topic) nearest it. The levels the map was not made at follow, nested
  (`nest_new`): a new item's topic is its story's, or the nearest topic of its theme; a new
  theme opens one new topic; new stories of a theme farther from its topics than most stories
  lie from their own open a topic when they are as large as the smallest (smaller ones wait in
  the nearest topic, `waiting`, and later updates gather them with their own far stories, as
  near each other as a topic's stories are to it, so a subject that comes a little each day
  opens its topic once enough has come); a new topic or story
  lies in the theme (topic) nearest it. Twelve daily updates otherwise grew a 5-theme map to 64 "themes" of
  2-16 items (benchmarks/results/updates.md).
- Ids are never reused, and existing topics keep the names readers already know.
- When at least REFIT_SHARE of the new items lie beyond every topic's reach, the saved map no
  longer fits them: `misfit` says so, and that a refit would redraw it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.preprocessing import normalize

from analysis import assign, cluster
from analysis.load import copy_keys, join_distinct
from analysis.state import FittedState

REFIT_SHARE = 0.5  # of the new items far from every topic: the saved map no longer fits them
NEW_SUBJECT = 0.1  # a new story farther from every topic than all but this share of stories from their own is new


def misfit(labels: np.ndarray) -> str | None:
    """A warning when at least REFIT_SHARE of the new items (`labels` from `place_new`, -1
    beyond every topic's reach) fit no topic of the saved map; None otherwise."""
    far = float(np.mean(labels < 0)) if len(labels) else 0.0
    if far < REFIT_SHARE:
        return None
    return (
        f"{far:.0%} of the new items are far from every topic of the saved map, which no longer "
        "fits them well: a refit (`topicmap report` on all the items) would redraw the map"
    )


def copy_key(text: str) -> str:
    """The text as copies share it: whitespace collapsed, case folded."""
    return " ".join(text.split()).casefold()


def repeats(known: pd.DataFrame, new: pd.DataFrame) -> np.ndarray:
    """For each item of `new`, the row of `known` holding the same item (the loader's rule for
    copies, `load.copy_keys`), or -1."""
    rows = {key: row for row, key in reversed(list(enumerate(copy_keys(known))))}
    return np.array([rows.get(key, -1) for key in copy_keys(new)], dtype=np.int64)


def count_repeats(documents: pd.DataFrame, hits: np.ndarray, new: pd.DataFrame) -> pd.DataFrame:
    """The map's items with `count` raised by the repeats found in `new` (`hits`, rows of
    `documents` or -1) and their `source`/`source_file` joined with the repeats' own, as the
    loader merges copies. Unchanged without repeats."""
    found = hits >= 0
    if not found.any():
        return documents
    documents = documents.copy()
    for column in ("source", "source_file"):
        if column in new.columns:
            merged = (
                documents[column].astype(object)
                if column in documents.columns
                else pd.Series([None] * len(documents), dtype=object)
            )
            for row, value in zip(hits[found], new[column].to_numpy()[found]):
                merged.iloc[row] = join_distinct([merged.iloc[row], value])
            documents[column] = merged.to_numpy()
    copies = new["count"] if "count" in new.columns else None
    before = (
        pd.to_numeric(documents["count"], errors="coerce").fillna(1).astype(np.int64).to_numpy()
        if "count" in documents.columns
        else np.ones(len(documents), dtype=np.int64)
    )
    extra = (
        pd.to_numeric(copies, errors="coerce").fillna(1).astype(np.int64).to_numpy()
        if copies is not None
        else np.ones(len(hits), dtype=np.int64)
    )
    np.add.at(before, hits[found], extra[found])
    documents["count"] = before
    return documents


def open_new_topics(
    old: FittedState,
    vectors: np.ndarray,
    texts: list[str],
    labels: np.ndarray,
    stories: np.ndarray,
    random_state: int,
    min_story_size: int | None = None,
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Cluster the new items that fit no topic; clusters of two or more distinct texts become
    new topics (and stories) with fresh ids. Then the new items no story holds, wherever they
    lie, form new stories of the map's least story size. Returns the labels, the stories and
    the next ids."""
    next_ids = [old.next_topic_id, old.next_story_id]
    min_size = min_story_size or cluster.default_min_story_size(len(old.labels) + len(labels))
    keys = np.array([copy_key(text) for text in texts], dtype=object)
    loose = np.flatnonzero(labels < 0)
    if len(loose) >= 2:
        found = cluster.cluster_levels(  # stories of the whole map's scale, not of the day's
            vectors[loose],
            [texts[i] for i in loose],
            level=old.level,
            random_state=random_state,
            min_story_size=min_size,
        )
        groups = found.labels
        if old.level != "story" and (old.labels >= 0).any():
            groups = gather_subjects(old, found.labels, vectors[loose], labels, loose)
        for slot, (level_labels, target) in enumerate(((groups, labels), (found.story, stories))):
            for new in np.unique(level_labels[level_labels >= 0]):
                members = loose[level_labels == new]
                if slot == 1:  # a story only for items no existing story took
                    members = members[target[members] < 0]
                if len(set(keys[members])) < 2:
                    continue
                target[members] = next_ids[slot]
                next_ids[slot] += 1
    storyless = np.flatnonzero(stories < 0)  # mostly inside existing topics: the day's new events
    found_stories = cluster.new_stories(vectors[storyless], [texts[i] for i in storyless], min_size, random_state)
    order = np.argsort(found_stories, kind="stable")
    starts = np.searchsorted(found_stories[order], np.unique(found_stories[found_stories >= 0]))
    for members in np.split(storyless[order], starts)[1:] if len(starts) else []:
        if len(set(keys[members])) < 2:
            continue
        stories[members] = next_ids[1]
        next_ids[1] += 1
        placed = labels[members][labels[members] >= 0]
        if len(placed) and old.level != "story":  # a story lies in one topic: its members' own
            labels[members[labels[members] < 0]] = np.bincount(placed).argmax()
    if old.level == "story":  # one partition, one counter: a new story is a new topic of the map
        next_ids = [max(next_ids)] * 2
    return labels, stories, next_ids[0], next_ids[1]


def gather_subjects(
    old: FittedState, groups: np.ndarray, vectors: np.ndarray, labels: np.ndarray, loose: np.ndarray
) -> np.ndarray:
    """New themes (topics on a topic map) among the loose items' groups (`groups`, -1 none): an item in no group joins
    the group nearer it than every theme, and a group opens a theme only when it is as large
    as the map's smallest theme. A smaller group first joins the group
    nearest it when that group is nearer than every theme (a new subject the day's clustering
    cut into parts), else its items join the nearest theme (`labels` set) as a new story there."""
    themes = old.labels
    ids, sizes = np.unique(themes[themes >= 0], return_counts=True)
    unit = normalize(old.embeddings)
    theme_centroids = normalize(np.vstack([unit[themes == t].mean(axis=0) for t in ids]))
    groups = groups.copy()
    found = np.unique(groups[groups >= 0])
    if len(found) and (groups < 0).any():  # an item in no group goes with the group nearer it than every theme
        centroids = normalize(np.vstack([vectors[groups == g].mean(axis=0) for g in found]))
        rest = np.flatnonzero(groups < 0)
        unit_rest = normalize(vectors[rest])
        nearer = (unit_rest @ centroids.T).max(axis=1) > (unit_rest @ theme_centroids.T).max(axis=1)
        groups[rest[nearer]] = found[np.argmax(unit_rest[nearer] @ centroids.T, axis=1)]
    groups, nearest = _gather(groups, vectors, theme_centroids, int(sizes.min()))
    dropped = nearest >= 0
    labels[loose[dropped]] = ids[nearest[dropped]]
    return groups


def _gather(
    groups: np.ndarray, vectors: np.ndarray, anchors: np.ndarray, least: int, reach: float = -1.0
) -> tuple[np.ndarray, np.ndarray]:
    """`groups` (-1 none) with each group under `least` items joined to the group nearest it
    when that group is nearer than every one of `anchors` (unit centroids of the map's groups)
    and within `reach` (cosine of the centroids), else dropped (-1); and for each dropped item
    the index of the anchor nearest its group (-1 for the others)."""
    groups, nearest = groups.copy(), np.full(len(groups), -1)
    while True:
        found, counts = np.unique(groups[groups >= 0], return_counts=True)
        if not len(found) or counts.min() >= least:
            return groups, nearest
        small = found[np.argmin(counts)]
        centroids = normalize(np.vstack([vectors[groups == g].mean(axis=0) for g in found]))
        own = centroids[found == small][0]
        to_groups = np.where(found == small, -np.inf, centroids @ own)
        to_anchors = anchors @ own
        if len(found) > 1 and to_groups.max() > to_anchors.max() and to_groups.max() >= reach:
            groups[groups == small] = found[np.argmax(to_groups)]
        else:
            nearest[groups == small] = int(np.argmax(to_anchors))
            groups[groups == small] = -1


def place_new(old: FittedState, vectors: np.ndarray, include_noise: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Topics, stories and map positions of new items among the map's own."""
    labels, coords = assign.assign(old.embeddings, old.labels, old.coords, vectors, include_noise=include_noise)
    assert coords is not None  # asked for with the fitted coords
    stories, _ = assign.assign(old.embeddings, old.story_labels, None, vectors)
    return labels, stories, coords


@dataclass(frozen=True)
class Nested:
    """Where new items sit at every level, and what an update changed of the saved items'."""

    topics: np.ndarray  # each new item's topic
    themes: np.ndarray  # and theme
    opened: dict[int, int]  # saved stories that waited and now open a topic: story id -> topic id
    waiting: np.ndarray  # ids of the stories that wait for a topic of their own after this update


def nest_new(old: FittedState, vectors: np.ndarray, labels: np.ndarray, stories: np.ndarray) -> Nested:
    """New items' topics and themes, nested under the chosen level's `labels` (and `stories`)
    as the module says; ids of new topics continue after the map's largest."""
    none = np.empty(0, dtype=np.int64)
    if len(vectors) == 0:
        return Nested(none, none, {}, np.unique(old.story_labels[old.waiting & (old.story_labels >= 0)]))
    unit_old, unit_new = normalize(old.embeddings), normalize(vectors)
    if old.level == "theme":
        themes = labels.copy()
        of_story = assign.story_themes(old.story_labels, old.theme_labels, stories)
        themes = np.where(of_story >= 0, of_story, themes)  # an item of a saved story: the story's theme
        topics = assign.story_themes(old.story_labels, old.topic_labels, stories)
        parent = _parent_of(old.topic_labels, old.theme_labels)
        topics[(topics >= 0) & (np.array([parent.get(t, -2) for t in topics]) != themes)] = -1
        fresh = first_topic_id(old)
        for offset, theme in enumerate(np.unique(themes[themes >= old.next_topic_id])):
            topics[themes == theme] = fresh + offset
        topics, opened, waiting = _open_topics(old, unit_new, themes, topics, stories)
        for theme in np.unique(themes[(topics < 0) & (themes >= 0)]):
            rows = np.flatnonzero((topics < 0) & (themes == theme))
            inside = old.theme_labels == theme
            topics[rows], _ = assign.assign(
                old.embeddings[inside], old.topic_labels[inside], None, vectors[rows], include_noise=False
            )
        return Nested(topics, themes, opened, waiting)
    if old.level == "topic":
        of_story = assign.story_themes(old.story_labels, old.topic_labels, stories)
        topics = np.where(of_story >= 0, of_story, labels)  # an item of a saved story: the story's topic
    else:
        topics = assign.story_themes(old.story_labels, old.topic_labels, labels)
        if (old.topic_labels[old.story_labels < 0] >= 0).any():  # the map gives story-less items topics
            rows = np.flatnonzero(topics < 0)
            topics[rows] = _nearest(unit_old, old.topic_labels, unit_new[rows])
    parent = _parent_of(old.topic_labels, old.theme_labels)
    themes = np.array([parent.get(t, -1) for t in topics], dtype=np.int64)
    for topic in np.unique(topics[(themes < 0) & (topics >= 0)]):  # a new topic: the nearest theme
        inside = topics == topic
        centre = normalize(unit_new[inside].mean(axis=0, keepdims=True))
        themes[inside] = _nearest(unit_old, old.theme_labels, centre)[0]
    return Nested(topics, themes, {}, none)


def first_topic_id(old: FittedState) -> int:
    """The first id a new topic of a theme map's middle level may take. The level keeps no
    counter of its own, so its new ids come from the stories' (the caller raises
    `next_story_id` past them): an id merged away is never given again."""
    return max(int(old.topic_labels.max(initial=-1)) + 1, old.next_story_id, old.next_topic_id)


def _open_topics(
    old: FittedState, unit_new: np.ndarray, themes: np.ndarray, topics: np.ndarray, stories: np.ndarray
) -> tuple[np.ndarray, dict[int, int], np.ndarray]:
    """New topics for the new stories of an existing theme that lie farther from every topic
    of it than all but NEW_SUBJECT of the map's stories lie from their own, gathered with the
    stories earlier updates left waiting as `gather_subjects` gathers new themes: a group opens
    a topic only when it is as large as the map's smallest topic. Returns `topics` with the new
    ones, the waiting stories that opened one (story id -> topic id), and the far stories
    still waiting (those of this update included), so a subject that comes a little each day
    opens its topic once enough of it has come."""
    waiting = np.unique(old.story_labels[old.waiting & (old.story_labels >= 0)])
    new = (topics < 0) & (stories >= old.next_story_id) & (themes >= 0) & (themes < old.next_topic_id)
    settled = ~old.waiting
    ids, sizes = np.unique(old.topic_labels[settled & (old.topic_labels >= 0)], return_counts=True)
    if not (new.any() or len(waiting)) or not len(ids):
        return topics, {}, np.empty(0, dtype=np.int64)
    unit_old = normalize(old.embeddings)
    kept = np.where(settled, old.story_labels, -1)  # a waiting story is no measure of a topic's reach
    saved, story_centres = _centroids(unit_old, kept)
    centre = dict(zip(ids, _centroids(unit_old, np.where(settled, old.topic_labels, -1))[1]))
    home = assign.story_themes(old.story_labels, old.topic_labels, saved)
    own = [float(c @ centre[t]) for c, t in zip(story_centres, home) if t in centre]
    if not own:
        return topics, {}, np.empty(0, dtype=np.int64)
    reach = np.quantile(own, NEW_SUBJECT)
    topics, fresh = topics.copy(), max(first_topic_id(old), int(topics.max(initial=-1)) + 1)
    parent = _parent_of(old.topic_labels, old.theme_labels)
    theme_of_story = _parent_of(old.story_labels, old.theme_labels)
    old_rows = {
        t: np.flatnonzero(np.isin(old.story_labels, [s for s in waiting if theme_of_story.get(s) == t]))
        for t in set(theme_of_story.get(s, -1) for s in waiting)
    }
    opened: dict[int, int] = {}
    still: list[int] = []
    for theme in np.union1d(np.unique(themes[new]), np.array(sorted(old_rows), dtype=np.int64)):
        inside = [t for t in ids if parent.get(t) == theme]
        if theme < 0 or not inside:
            continue
        anchors = np.vstack([centre[t] for t in inside])
        rows = np.flatnonzero(new & (themes == theme))
        before = old_rows.get(int(theme), np.empty(0, dtype=np.int64))
        vectors = np.vstack([unit_new[rows], unit_old[before]])
        groups = np.concatenate([stories[rows], old.story_labels[before]])
        for story in np.unique(groups):
            centroid = normalize(vectors[groups == story].mean(axis=0, keepdims=True))[0]
            if (anchors @ centroid).max() >= reach:  # within an existing topic's reach: it joins one
                groups[groups == story] = -1
        far = np.unique(groups[groups >= 0])
        groups, _ = _gather(
            groups, vectors, anchors, int(sizes.min()), reach
        )  # one subject: as near as a topic's stories
        for group in np.unique(groups[groups >= 0]):
            members = groups == group
            topics[rows[members[: len(rows)]]] = fresh
            opened.update({int(s): fresh for s in np.unique(old.story_labels[before[members[len(rows) :]]])})
            fresh += 1
        placed = set(np.unique(np.concatenate([stories[rows], old.story_labels[before]])[groups >= 0]).tolist())
        still += [int(s) for s in far if int(s) not in placed]
    return topics, opened, np.array(sorted(still), dtype=np.int64)


def _centroids(unit: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The groups of `labels` (-1 none) and their unit centroids, in one sparse product."""
    rows = np.flatnonzero(labels >= 0)
    ids, inverse = np.unique(labels[rows], return_inverse=True)
    member = sparse.csr_matrix((np.ones(len(rows)), (inverse, rows)), shape=(len(ids), len(labels)))
    return ids, normalize(np.asarray(member @ unit))


def _parent_of(lower: np.ndarray, upper: np.ndarray) -> dict[int, int]:
    """Each group of `lower`: the `upper` group most of its items are in."""
    ids = np.unique(lower[lower >= 0])
    return dict(zip(ids.tolist(), assign.story_themes(lower, upper, ids).tolist()))


def _nearest(unit: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each of `rows` (unit vectors), the group of `labels` (over `unit`) whose centroid is nearest; -1 without groups."""
    ids = np.unique(labels[labels >= 0])
    if not len(ids) or not len(rows):
        return np.full(len(rows), -1, dtype=np.int64)
    centroids = normalize(np.vstack([unit[labels == g].mean(axis=0) for g in ids]))
    return ids[np.argmax(rows @ centroids.T, axis=1)].astype(np.int64)


def keep_names(topics: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """Existing topics keep the name readers already know; new ones get a fresh name."""
    old_names = dict(zip(old["id"], old["name"]))
    topics = topics.copy()
    topics["name"] = [old_names.get(i, n) for i, n in zip(topics["id"], topics["name"])]
    return topics


def fresh_ids(new_ids: pd.Series, old_ids: pd.Series) -> list[str]:
    """New items' doc_ids, prefixed where they would clash with the map's."""
    taken = set(old_ids.astype(str))
    if not taken & set(new_ids.astype(str)):
        return list(new_ids.astype(str))
    prefix = next(f"u{k}." for k in range(1, 10_000) if not any(t.startswith(f"u{k}.") for t in taken))
    return [prefix + str(i) for i in new_ids]
