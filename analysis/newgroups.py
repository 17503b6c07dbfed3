"""When an update opens a new theme or topic, and how its new items nest in the map's levels.

A new group must be a new subject of the map's own scale, as a fit would find it: as large
as the map's smallest group at its level, beyond every group's reach (its centroid farther
from every group's than all but NEW_SUBJECT of the map's stories lie from their own group's,
`_story_reach`) and more than one story (`themes.effective_stories` at least 2, the fit's rule
for themes). New themes come from the items far from every topic (`gather_subjects`,
`fold_lone_stories`); new topics inside an existing theme from its far new stories, with the
stories earlier updates left waiting (`_open_topics`); every new item then takes its place at
every level (`nest_new`). A subject that comes a little each day joins the nearest theme
each day; once the grown map holds enough of it for a fit to set it apart, it leaves that
theme as a theme of its own (`split_themes`). growth.py holds the rest of the update policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize

from analysis import assign
from analysis.state import FittedState
from analysis.themes import MIN_THEME_SHARE, absorb_small, effective_stories, group_stories
from analysis.topics import MIN_TOPIC_SHARE

NEW_SUBJECT = 0.1  # a new story farther from every topic than all but this share of stories from their own is new


def fold_lone_stories(old: FittedState, vectors: np.ndarray, labels: np.ndarray, stories: np.ndarray) -> np.ndarray:
    """A new theme (topic, on a topic map) that is a single story (`themes.effective_stories`
    under 2), or smaller than the map's smallest once the items that continue saved stories
    leave for theirs, is no new subject, as in a fit: its items join the map's group nearest it."""
    fresh = np.unique(labels[labels >= old.next_topic_id])
    if not len(fresh) or not (old.labels >= 0).any():
        return labels
    least = int(np.unique(old.labels[old.labels >= 0], return_counts=True)[1].min())
    labels = labels.copy()
    for group in fresh:
        inside = labels == group
        staying = inside & ~((stories >= 0) & (stories < old.next_story_id))  # a saved story's items follow it
        if staying.sum() < least or effective_stories(stories[staying]) < 2:
            labels[inside] = nearest_group(old, vectors[inside])
    return labels


def nearest_group(old: FittedState, vectors: np.ndarray) -> int:
    """The map's group (of `old.labels`, which has one) whose centroid is nearest the mean of
    `vectors`: where a group of new items too small to stand alone belongs."""
    ids, centres = _centroids(normalize(old.embeddings), old.labels)
    own = normalize(vectors.mean(axis=0, keepdims=True))[0]
    return int(ids[int(np.argmax(centres @ own))])


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
        themes = _filled(old, old.theme_labels, unit_old, unit_new, themes)
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
        topics = _filled(old, old.topic_labels, unit_old, unit_new, topics)
    else:
        topics = assign.story_themes(old.story_labels, old.topic_labels, labels)
        if (old.topic_labels[old.story_labels < 0] >= 0).any():  # the map gives story-less items topics
            rows = np.flatnonzero(topics < 0)
            topics[rows] = _nearest(unit_old, old.topic_labels, unit_new[rows])
    orphans = (stories >= 0) & (topics < 0)  # new stories of a map with no topic to join (it found none)
    for k, story in enumerate(np.unique(stories[orphans])):
        topics[orphans & (stories == story)] = first_topic_id(old) + k
    parent = _parent_of(old.topic_labels, old.theme_labels)
    themes = np.array([parent.get(t, -1) for t in topics], dtype=np.int64)
    for topic in np.unique(topics[(themes < 0) & (topics >= 0)]):  # a new topic: the nearest theme
        inside = topics == topic
        centre = normalize(unit_new[inside].mean(axis=0, keepdims=True))
        themes[inside] = _nearest(unit_old, old.theme_labels, centre)[0]
    lonely = (topics >= 0) & (themes < 0)  # ... or none, when the map has no theme
    for k, topic in enumerate(np.unique(topics[lonely])):
        themes[lonely & (topics == topic)] = int(old.theme_labels.max(initial=-1)) + 1 + k
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


def _filled(
    old: FittedState, old_groups: np.ndarray, unit_old: np.ndarray, unit_new: np.ndarray, groups: np.ndarray
) -> np.ndarray:
    """`groups` of the new items with none (-1) given the nearest group, saved or opened by
    this update, where the map gives items outside every story a group (as a fit does its
    themes and topics); else `groups` as they are."""
    if not (old_groups[old.story_labels < 0] >= 0).any() or (groups >= 0).all():
        return groups
    rows = np.flatnonzero(groups < 0)
    placed = groups >= 0
    filled = groups.copy()
    filled[rows] = _nearest(
        np.vstack([unit_old, unit_new[placed]]), np.concatenate([old_groups, groups[placed]]), unit_new[rows]
    )
    return filled


def _nearest(unit: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each of `rows` (unit vectors), the group of `labels` (over `unit`) whose centroid is nearest; -1 without groups."""
    ids = np.unique(labels[labels >= 0])
    if not len(ids) or not len(rows):
        return np.full(len(rows), -1, dtype=np.int64)
    centroids = normalize(np.vstack([unit[labels == g].mean(axis=0) for g in ids]))
    return ids[np.argmax(rows @ centroids.T, axis=1)].astype(np.int64)


def split_themes(
    vectors: np.ndarray,
    stories: np.ndarray,
    topics: np.ndarray,
    themes: np.ndarray,
    grown: np.ndarray,
    random_state: int,
    first_theme: int,
    first_topic: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Themes and topics of a grown map's items (`vectors`, nested `stories`, `topics`,
    `themes`) with a new theme for each subject a fit of the grown map would set apart inside
    a theme: a new subject that came a few items a day and joined the theme nearest it.

    The stories are grouped again as a fit groups them (`themes.group_stories`). A group
    most of whose items lie in one theme, that is not the group most of that theme is in,
    opens a theme with its part of it when that part is under half of the theme, at least
    MIN_THEME_SHARE of the items (a fit's least theme), more than one story, and growing: a
    larger share of it than of the map came in updates since the fit (`grown`; a part of
    fitted items is the fit's own choice, or a reader's merge, not a new subject). Only that
    part moves: every other item keeps its theme. A story moves whole, when most of its items
    are in the part; a topic cut in two gives its moving items a new topic. New ids start at
    `first_theme` and `first_topic`.

    Measured on HuffPost's replay (benchmarks/updates.py; 3,000 fitted, twelve updates of 400):
    without it 5 themes, ARI 0.224 against a fresh fit's 7 and 0.263 (the lifestyle items stayed
    inside entertainment); with it 7 themes, 0.234. Without the growing rule 8-9 themes and
    0.246-0.252, but an update right after a fit split the fit's own themes, and a reader's
    merge was split apart again. Grouping the grown map again whole gave 7 themes and 0.297,
    but moved saved items between themes a reader knew."""
    themes, topics = themes.copy(), topics.copy()
    if (themes < 0).all():
        return themes, topics
    vectors = normalize(vectors)
    regrouped = group_stories(vectors, stories, random_state)
    least = MIN_THEME_SHARE * len(themes)
    held, slots = stories >= 0, int(stories.max(initial=-1)) + 1
    found = regrouped[regrouped >= 0]  # below 200 items the stories are the themes, -1 in none
    room = len(np.unique(found)) - len(np.unique(themes[themes >= 0]))  # themes a fit would add
    by_size = np.unique(found, return_counts=True)
    for group in by_size[0][np.argsort(-by_size[1], kind="stable")]:
        if room <= 0:
            break
        inside = (regrouped == group) & (themes >= 0)
        if not inside.any():
            continue
        counts = np.bincount(themes[inside])
        theme = int(counts.argmax())
        of_theme = themes == theme
        main = np.bincount(regrouped[of_theme & (regrouped >= 0)]).argmax()  # holds this group's items: not empty
        if counts[theme] * 2 <= (regrouped == group).sum() or main == group:
            continue
        part = inside & of_theme
        moving = np.bincount(stories[held & part], minlength=slots) * 2 > np.bincount(stories[held], minlength=slots)
        part = np.where(held & of_theme, moving[np.maximum(stories, 0)], part)  # a story moves whole, or not at all
        if part.sum() < least or part.sum() * 2 >= of_theme.sum() or effective_stories(stories[part]) < 2:
            continue
        if grown[part].mean() <= grown.mean():  # not growing faster than the map: the fit's choice
            continue
        topics[part], first_topic = _topics_of_part(
            vectors[part], topics[part], topics[of_theme & ~part], MIN_TOPIC_SHARE * len(themes), first_topic
        )
        themes[part] = first_theme
        first_theme += 1
        room -= 1
    return themes, topics


def _topics_of_part(
    vectors: np.ndarray, topics: np.ndarray, staying: np.ndarray, least: float, first_topic: int
) -> tuple[np.ndarray, int]:
    """Topics of the items leaving for a new theme (`topics`, their unit `vectors`), as a fit cuts
    topics by theme: a topic the move cuts (one with items `staying` behind) leaves a piece,
    and a piece under `least` items joins the group whose centroid is nearest
    (`themes.absorb_small`); a group keeps the id of a topic it holds whole, else takes a new
    one from `first_topic`. Returns the topics and the next new id."""
    merged = absorb_small(vectors, topics, least)
    out, cut = topics.copy(), set(staying.tolist())
    for group in np.unique(merged):
        members = merged == group
        whole = [t for t in np.unique(topics[members]) if t not in cut]
        if whole:
            out[members] = max(whole, key=lambda t: int(np.sum(topics[members] == t)))
        else:
            out[members] = first_topic
            first_topic += 1
    return out, first_topic
