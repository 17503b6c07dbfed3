"""How a fitted map grows with new items: the update policy beside assign.py's placement.

- An item the map already holds (the same text after whitespace and case folding, the rule
  the loader merges copies by) is not added again: the map's item counts it (`count`).
- The other items join existing topics and stories (assign.py). Those no topic takes are
  clustered among themselves (`gather_subjects`): a cluster opens a new theme (or topic, on a
  topic map) only when it is as large as the map's smallest and its centroid lies farther
  from every theme's than all but NEW_SUBJECT of the map's stories lie from their own theme's
  (a new subject of the map's own scale, not the day's new events of an old subject), and,
  as in a fit, when it is more than one story (`_fold_lone_stories`); otherwise its items
  join the nearest theme. Copies alone never make a topic.
- The new items no saved story takes form stories as a fit finds them, but among their
  nearest saved items too (`day_stories`): a cluster mostly of one saved story's items is
  that story's next part and the new items join it; one mostly of new items is a new story.
  Clustered alone, a day's big event was most of the day's items and fell apart into its
  angles (Justin Bieber's deposition into eight stories in a UCI replay), and each day's part
  of a running event became a story of its own; no story may hold half the map's items,
  not half the day's.
- The levels the map was not made at follow, nested (`nest_new`): a new item's topic is its
  story's, or the nearest topic of its theme; a new theme opens one new topic; new stories of
  a theme farther from its topics than all but NEW_SUBJECT of the map's stories lie from
  their own open a topic when together they are as large as the smallest topic and more than
  one story; the others wait in the nearest topic (`waiting`) and later updates gather them
  with their own far stories, as near each other as a topic's stories are to it, so a subject
  that comes a little each day opens its topic once enough has come. Twelve daily updates
  otherwise grew a 5-theme map to 64 "themes" of 2-16 items (benchmarks/results/updates.md).
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
from analysis.themes import effective_stories

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
    """Cluster the new items that fit no topic; the clusters `gather_subjects` keeps (of two or
    more distinct texts) become new topics with fresh ids (on a story map, new stories). Then
    the new items no story holds, wherever they lie, join a saved story or form new ones of
    the map's least story size (`day_stories`). Returns the labels, the stories and the next
    ids."""
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
            corpus_size=len(old.labels) + len(labels),
        )
        groups = found.labels
        if old.level != "story" and (old.labels >= 0).any():
            groups = gather_subjects(old, found.labels, vectors[loose], labels, loose)
        passes = [(groups, labels), (found.story, stories)]
        if old.level != "story":  # their stories come below, found among their nearest saved items
            passes = passes[:1]
        for slot, (level_labels, target) in enumerate(passes):
            for new in np.unique(level_labels[level_labels >= 0]):
                members = loose[level_labels == new]
                if slot == 1:  # a story only for items no existing story took
                    members = members[target[members] < 0]
                if len(set(keys[members])) < 2:
                    continue
                target[members] = next_ids[slot]
                next_ids[slot] += 1
    storyless = np.flatnonzero(stories < 0)  # mostly inside existing topics: the day's new events
    for members, saved in day_stories(old, vectors, texts, storyless, min_size, random_state, len(labels)):
        if saved >= 0:  # the day's part of a saved event: it joins that story
            stories[members] = saved
            continue
        if len(set(keys[members])) < 2:
            continue
        stories[members] = next_ids[1]
        next_ids[1] += 1
        placed = labels[members][labels[members] >= 0]
        if len(placed) and old.level != "story":  # a story lies in one topic: its members' own
            labels[members[labels[members] < 0]] = np.bincount(placed).argmax()
    if old.level == "story":  # one partition, one counter: a new story is a new topic of the map
        next_ids = [max(next_ids)] * 2
    else:
        labels = _fold_lone_stories(old, vectors, labels, stories)
    return labels, stories, next_ids[0], next_ids[1]


def _fold_lone_stories(old: FittedState, vectors: np.ndarray, labels: np.ndarray, stories: np.ndarray) -> np.ndarray:
    """A new theme (topic, on a topic map) that is a single story (`themes.effective_stories`
    under 2), or smaller than the map's smallest once the items that continue saved stories
    leave for theirs, is no new subject, as in a fit: its items join the map's group nearest it."""
    fresh = np.unique(labels[labels >= old.next_topic_id])
    if not len(fresh) or not (old.labels >= 0).any():
        return labels
    unit = normalize(old.embeddings)
    ids, centres = _centroids(unit, old.labels)
    least = int(np.unique(old.labels[old.labels >= 0], return_counts=True)[1].min())
    labels = labels.copy()
    for group in fresh:
        inside = labels == group
        staying = inside & ~((stories >= 0) & (stories < old.next_story_id))  # a saved story's items follow it
        if staying.sum() < least or effective_stories(stories[staying]) < 2:
            own = normalize(vectors[inside].mean(axis=0, keepdims=True))[0]
            labels[inside] = ids[int(np.argmax(centres @ own))]
    return labels


def day_stories(
    old: FittedState,
    vectors: np.ndarray,
    texts: list[str],
    rows: np.ndarray,
    min_size: int,
    random_state: int,
    n_new: int,
) -> list[tuple[np.ndarray, int]]:
    """Stories among the new items `rows` (of `vectors`, `texts`) that no saved story took,
    found as a fit finds them but among their nearest saved items too, so a day's items are
    clustered in their part of the map, not alone (alone, one big event is most of them and
    falls apart into its angles). Each as (its new items, the saved story it continues or
    -1): a cluster most of whose items are saved ones in a story, most of those in one,
    continues that story; one mostly new is a new story when its new items are at least
    `min_size`."""
    if len(rows) < 2:
        return []
    unit_old = normalize(old.embeddings)
    near, _ = assign.nearest(unit_old, normalize(vectors[rows]), k=min(assign.N_NEIGHBORS, len(unit_old)))
    context = np.unique(near.ravel())
    old_texts = old.documents["text"].tolist()
    found = cluster.new_stories(
        np.vstack([vectors[rows], old.embeddings[context]]),
        [texts[i] for i in rows] + [old_texts[i] for i in context],
        min_size,
        random_state,
        len(old.labels) + n_new,
    )
    mine, theirs = found[: len(rows)], old.story_labels[context]
    out = []
    for group in np.unique(mine[mine >= 0]):
        members = rows[mine == group]
        saved = theirs[found[len(rows) :] == group]
        stories_there = saved[saved >= 0]
        top = np.bincount(stories_there).max(initial=0)  # the saved story most of them are in
        if len(stories_there) * 2 > len(members) + len(saved) and top * 2 > len(stories_there):
            out.append((members, int(np.bincount(stories_there).argmax())))
        elif len(members) >= min_size:
            out.append((members, -1))
    return out


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
    reach = _story_reach(unit, old.story_labels, themes, dict(zip(ids, theme_centroids)))
    for group in np.unique(groups[groups >= 0]) if reach is not None else []:  # beyond every theme's reach
        own = normalize(vectors[groups == group].mean(axis=0, keepdims=True))[0]
        if (theme_centroids @ own).max() >= reach:
            nearest[groups == group] = int(np.argmax(theme_centroids @ own))
            groups[groups == group] = -1
    dropped = nearest >= 0
    labels[loose[dropped]] = ids[nearest[dropped]]
    return groups


def _story_reach(
    unit: np.ndarray, stories: np.ndarray, groups: np.ndarray, centres: dict[int, np.ndarray]
) -> float | None:
    """How near a group's centroid its stories lie, at the loose end: the similarity of a
    story's centroid to its group's (`centres`) that all but NEW_SUBJECT of the stories reach;
    a new story or subject farther than that from every group is new to the map. None when no
    story lies in a group (nothing to measure by)."""
    ids, story_centres = _centroids(unit, stories)
    home = assign.story_themes(stories, groups, ids)
    own = [float(c @ centres[g]) for c, g in zip(story_centres, home) if g in centres]
    return float(np.quantile(own, NEW_SUBJECT)) if own else None


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
    stories earlier updates left waiting (and the new items that joined them) as
    `gather_subjects` gathers new themes: a group opens a topic only when it is as large as the
    map's smallest topic and more than one story. Returns `topics` with the new ones, the
    waiting stories that opened one (story id -> topic id), and the stories still waiting
    (far ones of this update included), so a subject that comes a little each day opens its
    topic once enough of it has come."""
    waiting = np.unique(old.story_labels[old.waiting & (old.story_labels >= 0)])
    new = (topics < 0) & (stories >= old.next_story_id) & (themes >= 0) & (themes < old.next_topic_id)
    pooled = new | np.isin(stories, waiting)  # with the new items that joined a waiting story
    settled = ~old.waiting
    ids, sizes = np.unique(old.topic_labels[settled & (old.topic_labels >= 0)], return_counts=True)
    unit_old = normalize(old.embeddings)
    centre = dict(zip(ids, _centroids(unit_old, np.where(settled, old.topic_labels, -1))[1]))
    kept = np.where(settled, old.story_labels, -1)  # a waiting story is no measure of a topic's reach
    reach = _story_reach(unit_old, kept, old.topic_labels, centre)
    if not pooled.any() or reach is None:
        return topics, {}, waiting
    topics, fresh = topics.copy(), max(first_topic_id(old), int(topics.max(initial=-1)) + 1)
    parent = _parent_of(old.topic_labels, old.theme_labels)
    theme_of_story = _parent_of(old.story_labels, old.theme_labels)
    opened: dict[int, int] = {}
    still: list[int] = []
    for theme in np.unique([*themes[pooled], *(theme_of_story.get(int(s), -1) for s in waiting)]):
        rows = np.flatnonzero(pooled & (themes == theme))
        before = np.flatnonzero(np.isin(old.story_labels, [s for s in waiting if theme_of_story.get(int(s)) == theme]))
        inside = [t for t in ids if parent.get(t) == theme]
        if theme < 0 or not inside:  # nowhere to open a topic: the waiting keep waiting
            still += [int(s) for s in np.unique(old.story_labels[before])]
            continue
        anchors = np.vstack([centre[t] for t in inside])
        vectors = np.vstack([unit_new[rows], unit_old[before]])
        ids_of = np.concatenate([stories[rows], old.story_labels[before]])
        groups = ids_of.copy()
        for story in np.unique(groups):
            centroid = normalize(vectors[groups == story].mean(axis=0, keepdims=True))[0]
            if (anchors @ centroid).max() >= reach:  # within an existing topic's reach: it joins one
                groups[groups == story] = -1
        far = np.unique(groups[groups >= 0])
        # one subject: its stories as near each other as a topic's stories lie to it
        groups, _ = _gather(groups, vectors, anchors, int(sizes.min()), reach)
        for group in np.unique(groups[groups >= 0]):
            members = groups == group
            if effective_stories(ids_of[members]) < 2:  # one story is no topic: it waits for more
                groups[members] = -1
                continue
            topics[rows[members[: len(rows)]]] = fresh
            opened.update({int(s): fresh for s in np.unique(old.story_labels[before[members[len(rows) :]]])})
            fresh += 1
        placed = set(np.unique(ids_of[groups >= 0]).tolist())
        still += [int(s) for s in far if int(s) not in placed]
    return topics, opened, np.array(sorted(still), dtype=np.int64)


def _centroids(unit: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The groups of `labels` (-1 none) and their unit centroids, in one sparse product."""
    rows = np.flatnonzero(labels >= 0)
    ids, inverse = np.unique(labels[rows], return_inverse=True)
    if not len(ids):
        return ids, np.empty((0, unit.shape[1]), dtype=unit.dtype)
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
