"""How a fitted map grows with new items: the update policy beside assign.py's placement.

- An item the map already holds (the same text after Unicode, whitespace and case folding, the rule
  the loader merges copies by) is not added again: the map's item counts it (`count`).
- The other items join existing topics and stories (assign.py). Those no topic takes are
  clustered among themselves, and a cluster opens a new theme (or topic, on a topic map) only
  when it is a new subject of the map's own scale, not the day's new events of an old subject
  (newgroups.py: as large as the map's smallest, beyond every theme's reach, more than one
  story); otherwise its items join the nearest theme. Such a subject that keeps coming a few
  items a day leaves that theme once a fit of the grown map would set it apart
  (`newgroups.split_themes`). Copies alone never make a topic.
- The new items no saved story takes form stories as a fit finds them, but among their
  nearest saved items too (`day_stories`): a cluster mostly of one saved story's items is
  that story's next part and the new items join it; one mostly of new items is a new story.
  Clustered alone, a day's big event was most of the day's items and fell apart into its
  angles (Justin Bieber's deposition into eight stories in a UCI replay), and each day's part
  of a running event became a story of its own; no story may hold half the map's items,
  not half the day's.
- The levels the map was not made at follow, nested (`newgroups.nest_new`): a new item's
  topic is its story's, or the nearest topic of its theme; a new theme opens one new topic;
  far new stories of a theme open a topic when they make a new subject, or wait in the
  nearest topic (`waiting`) until later updates bring enough of it. Twelve daily updates
  otherwise grew a 5-theme map to 64 "themes" of 2-16 items (benchmarks/results/updates.md).
- Ids are never reused, and existing topics keep the names readers already know.
- Saved stories that a fit of the grown map finds as one story are joined (`rejoin_stories`):
  an update cuts a day's big event into its angles as a fit of the items so far cuts it, and
  a refit of more items joins them. UCI replay: 120 stories -> 90 against a refit's 89, story
  ARI 0.712 -> 0.751 against 0.778; HuffPost 72 -> 65 against 62. The map's unclustered items
  such a found story holds join it too, in its topic: a fit leaves part of an event out that a
  fit of more items finds whole (UCI story ARI 0.751 -> 0.776). The update's own items that
  a loose saved story took by its reach follow the found story they lie in, to the story it
  continues (UCI, 1,200 fitted then three updates of 200: story ARI on the added items 0.769
  -> 0.853, a fresh fit 0.866).
- Not kept (stop 36, benchmarks/updates.py, after the last update against a fresh fit): one
  event's angles merged after an update as a fit merges them (`cluster.merge_close`). New
  stories joining a saved one, or each other: UCI 114 -> 110 stories (fresh 85), story ARI
  0.709 unchanged. Over the whole map: UCI 105 stories, ARI 0.723 (fresh 0.781), but
  HuffPost's 61 stories fell to 23 (fresh 60), re-merging what one_thing had split at the
  fit; with one_thing's phrase rule on each merge, still 42.
- When at least REFIT_SHARE of the new items lie beyond every topic's reach, the saved map no
  longer fits them: `misfit` says so, and that a refit would redraw it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.preprocessing import normalize

from analysis import assign, cluster, newgroups
from analysis.load import canonical_order, copy_key, copy_keys, join_distinct
from analysis.state import FittedState, reader_named

REFIT_SHARE = 0.5  # of the new items far from every topic: the saved map no longer fits them
REFIND_LIMIT = 200_000  # items; above, an update does not find the map's stories again (minutes)


def misfit(labels: np.ndarray) -> str | None:
    """A warning when at least REFIT_SHARE of the new items (`labels` from `place_new`, -1
    beyond every topic's reach) fit no topic of the saved map; None otherwise."""
    far = float(np.mean(labels < 0)) if len(labels) else 0.0
    if far < REFIT_SHARE:
        return None
    return (
        f"{far:.0%} of the new items are far from every topic of the saved map, which no longer "
        "fits them well: a refit on all the items (`fit`, or `topicmap report`) would redraw the map"
    )


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


@dataclass(frozen=True)
class Grown:
    """The levels of a map grown by an update, its saved items then the new ones, and what
    else the update learned."""

    embeddings: np.ndarray
    story: np.ndarray
    topic: np.ndarray
    theme: np.ndarray
    coords: np.ndarray  # the new items' places on the map
    waiting: np.ndarray  # the ids of the stories waiting for a topic of their own
    next_topic_id: int
    next_story_id: int
    misfit: str | None  # the warning that the saved map no longer fits the new items


def grow_levels(
    old: FittedState,
    texts: list[str],
    vectors: np.ndarray,
    random_state: int,
    min_story_size: int | None,
    include_noise: bool,
) -> Grown:
    """The saved map `old` with the new items (`texts`, `vectors`, none of them a copy of a
    saved item) placed, their stories and new groups found, every level nested, stories a fit
    of the grown map finds as one joined and a growing subject split out of its theme."""
    order = canonical_order(texts, vectors)
    restore = np.argsort(order)
    sorted_texts, sorted_vectors = [texts[i] for i in order], vectors[order]
    labels, stories, coords = place_new(old, sorted_vectors, include_noise=include_noise)
    problem = misfit(labels)
    labels, stories, next_topic, next_story = open_new_topics(
        old, sorted_vectors, sorted_texts, labels, stories, random_state, min_story_size
    )
    nested = newgroups.nest_new(old, sorted_vectors, labels, stories)
    topics, themes = nested.topics, nested.themes
    if old.level == "theme":  # the middle level's new ids are drawn from the stories' counter
        next_story = max(next_story, int(topics.max(initial=-1)) + 1, *(t + 1 for t in nested.opened.values()))
    # the whole map with the new items in that order to the end, so that no step sees the
    # day's row order (the new items are put back in theirs last)
    all_vectors = np.vstack([old.embeddings, sorted_vectors])
    grown = np.concatenate([old.grown, np.ones(len(texts), bool)])
    all_stories = np.concatenate([old.story_labels, stories])
    if texts:  # a day of copies only counts them: nothing new to regroup by
        all_stories = rejoin_stories(
            all_stories,
            all_vectors,
            old.documents["text"].tolist() + sorted_texts,
            old.next_story_id,
            min_story_size,
            random_state,
            np.concatenate([old.topic_labels, topics]),
            first_item=len(old.labels),
            named=reader_named(old.stories),
        )
    saved_topics = old.topic_labels.copy()
    for story, topic in nested.opened.items():  # stories that waited for a topic of their own
        saved_topics[old.story_labels == story] = topic
    all_topics = cluster.nest_in(all_stories, np.concatenate([saved_topics, topics]))
    all_themes = cluster.nest_in(all_topics, np.concatenate([old.theme_labels, themes]))
    # new themes' and topics' ids: past the counter that gives them (a theme map's themes
    # take next_topic, its topics next_story; a topic map's topics next_topic) and every id
    theme_from = next_topic if old.level == "theme" else 0
    topic_from = {"theme": max(next_story, next_topic), "topic": next_topic}.get(old.level, 0)
    if texts:
        all_themes, all_topics = newgroups.split_themes(
            all_vectors,
            all_stories,
            all_topics,
            all_themes,
            grown,
            random_state,
            max(theme_from, int(all_themes.max(initial=-1)) + 1),
            max(topic_from, int(all_topics.max(initial=-1)) + 1),
        )
    if not include_noise:  # assign_noise: no item of the new ones in no group, as after a fit
        all_stories, all_topics, all_themes = cluster.fill_noise(
            all_vectors, old.level, all_stories, all_topics, all_themes
        )
    if old.level == "theme":
        next_topic = max(next_topic, int(all_themes.max(initial=-1)) + 1)
        next_story = max(next_story, int(all_topics.max(initial=-1)) + 1)
    elif old.level == "topic":
        next_topic = max(next_topic, int(all_topics.max(initial=-1)) + 1)
    rows = np.concatenate([np.arange(len(old.labels)), len(old.labels) + restore])  # the day's order again
    return Grown(
        embeddings=all_vectors[rows],
        story=all_stories[rows],
        topic=all_topics[rows],
        theme=all_themes[rows],
        coords=coords[restore],
        waiting=nested.waiting,
        next_topic_id=next_topic,
        next_story_id=next_story,
        misfit=problem,
    )


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
            groups = newgroups.gather_subjects(old, found.labels, vectors[loose], labels, loose)
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
        if old.level == "story":
            continue
        if len(placed):  # a story lies in one topic: its members' own
            labels[members[labels[members] < 0]] = np.bincount(placed).argmax()
        elif (old.labels >= 0).any():  # none placed (too far for `place_new`): the nearest
            labels[members] = newgroups.nearest_group(old, vectors[members])
        else:  # the map has no group yet: the story opens one
            labels[members] = next_ids[0]
            next_ids[0] += 1
    if old.level == "story":  # one partition, one counter: a new story is a new topic of the map
        next_ids = [max(next_ids)] * 2
    else:
        labels = newgroups.fold_lone_stories(old, vectors, labels, stories)
    return labels, stories, next_ids[0], next_ids[1]


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


def place_new(old: FittedState, vectors: np.ndarray, include_noise: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Topics, stories and map positions of new items among the map's own."""
    labels, coords = assign.assign(
        old.embeddings, old.labels, old.coords, vectors, include_noise=include_noise, stories=old.level == "story"
    )
    assert coords is not None  # asked for with the fitted coords
    stories, _ = assign.assign(old.embeddings, old.story_labels, None, vectors, stories=True)
    return labels, stories, coords


def fresh_ids(new_ids: pd.Series, old_ids: pd.Series) -> list[str]:
    """New items' doc_ids, prefixed where they would clash with the map's."""
    taken = set(old_ids.astype(str))
    if not taken & set(new_ids.astype(str)):
        return list(new_ids.astype(str))
    prefix = next(f"u{k}." for k in range(1, 10_000) if not any(t.startswith(f"u{k}.") for t in taken))
    return [prefix + str(i) for i in new_ids]


def rejoin_stories(
    stories: np.ndarray,
    vectors: np.ndarray,
    texts: list[str],
    first_new: int,
    min_story_size: int | None,
    random_state: int,
    topics: np.ndarray,
    first_item: int | None = None,
    named: set[int] | frozenset[int] = frozenset(),
) -> np.ndarray:
    """The map's stories (`stories` of its `vectors` and `texts`, saved and new) with those a
    fit of the grown map finds as one joined under the largest one's id: a story found again
    (`cluster.story_kinds` over every item) that holds most of the items of two or more of
    the map's stories, and is mostly made of them, joins them. The id kept is a saved story's
    (ids below `first_new`: the one a reader may have named) before a new one's, the largest
    first. An event an update cut into its angles, as a fit of the items so far cut it, is
    one story again once the map holds enough to join them, as a refit joins them.

    The map's items in no story that such a found story holds, and that lie in the topic
    (`topics`, -1 none) of the story it continues, join that story: a fit leaves part of an
    event unclustered that a fit of more items finds whole (UCI: 89 of the 230 headlines on
    Snowden's talk, all fitted, stayed out of its story through twelve updates).

    The items this update adds (rows from `first_item` on) that a saved story took by its
    reach, while the found story they lie in continues another story, go to that one: a new
    event near a loose story went into it (UCI: 39 of 60 headlines on the Spritz reading app
    joined a story of Android's wearables, where a fit holds all 60 in one story).

    Only joins, never splits: a story a reader knows is not taken apart. A story the reader
    named (`named`) keeps its id and name when others join it, and is never joined into
    another (a HuffPost map of the war in Ukraine, the reader's "Siege of Mariupol" and
    "Zelensky" went into "Putin · Oil" with nine more stories, as a refit of all the items
    holds them as one). Maps above REFIND_LIMIT items keep their stories (the stage takes
    minutes at a million items)."""
    if len(stories) > REFIND_LIMIT or len(stories) < 3 or (stories < 0).all():
        return stories
    unit = normalize(vectors)
    min_size = min_story_size or cluster.default_min_story_size(len(unit))
    # in the fit's own order (by text, then vector), so the fitted items' stories are found
    # again as the fit found them: in the rows' order, a 5-item update joined fitted stories
    order = canonical_order(texts, vectors)
    ordered = [texts[i] for i in order]
    neighbours, sims = cluster.similarity_graph(unit[order], cluster.lexical_vectors(ordered), random_state)
    found = np.empty(len(order), dtype=np.int64)
    found[order] = cluster.story_kinds(unit[order], neighbours, sims, ordered, min_size)[0]
    held = (stories >= 0) & (found >= 0)
    slots = int(stories.max()) + 1
    sizes = np.bincount(stories[stories >= 0], minlength=slots)
    pairs = pd.DataFrame({"story": stories[held], "found": found[held]}).value_counts().reset_index(name="items")
    pairs = pairs[pairs["items"] * 2 > sizes[pairs["story"].to_numpy()]]  # most of the story's items
    pairs = pairs.assign(size=sizes[pairs["story"].to_numpy()])
    into = np.arange(slots)
    found_sizes = np.bincount(found[found >= 0])
    # this update's items that a story took by its reach while most of it lies elsewhere:
    # they follow the found story, and do not count against its being mostly the map's stories
    width = int(found.max()) + 1
    paired = np.isin(stories * width + found, pairs["story"].to_numpy() * width + pairs["found"].to_numpy())
    movable = held & ~paired & (np.arange(len(stories)) >= (len(stories) if first_item is None else first_item))
    spare = np.bincount(found[movable], minlength=len(found_sizes))
    continues = np.full(len(found_sizes), -1)  # the map's story each found story continues
    for group, rows in pairs.groupby("found"):
        if rows["size"].sum() * 2 < found_sizes[group] - spare[group]:  # mostly theirs
            continue
        rows = rows.assign(new=rows["story"] >= first_new, unnamed=~rows["story"].isin(list(named)))
        rows = rows.sort_values(["unnamed", "new", "size", "story"], ascending=[True, True, False, True])
        continues[group] = rows["story"].iloc[0]
        joined = rows["story"][rows["unnamed"] | (rows["story"] == continues[group])].to_numpy()
        if len(joined) >= 2:  # two or more: joined (another named story stays itself)
            into[joined] = continues[group]
    out = np.where(stories >= 0, into[np.maximum(stories, 0)], stories)
    loose = np.flatnonzero((stories < 0) & (found >= 0))
    target = continues[found[loose]]
    home = np.full(slots, -2)  # each story's topic (most of its items'); -2: none
    placed = pd.DataFrame({"story": out, "topic": topics})[(out >= 0) & (topics >= 0)]
    first = placed.value_counts().reset_index().drop_duplicates("story")
    home[first["story"].to_numpy()] = first["topic"].to_numpy()
    joins = (target >= 0) & (home[np.maximum(target, 0)] == topics[loose])
    out[loose[joins]] = target[joins]
    moves = np.flatnonzero(movable)
    target = continues[found[moves]]
    keep = (target >= 0) & (home[np.maximum(target, 0)] == topics[moves])  # in its topic, as above
    out[moves[keep]] = target[keep]
    return out
