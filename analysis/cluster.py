"""Group items into stories (one event) and themes (unions of stories); -1 is unclustered.

1. Similarity mixes meaning and wording: half the embedding cosine, half the cosine of
   IDF-weighted word counts, so two headlines that share a rare name (a person, a place)
   stay close even when the model places them apart. A word every item uses weighs 0.
2. A k-nearest-neighbour graph of that similarity (no n×n matrix).
3. Stories: HDBSCAN on the graph, then four steps: a story is kept only if its members are
   closer to each other than to their strongest tie outside it; an unclustered item joins
   the story holding a strict majority of its neighbours; two stories, each the other's
   nearest, merge when their centres are as close as a story's items are to its own
   (`merge_close`: one event's angles); and a story is about one thing, so one whose items
   share no phrase used by a third of them is split by the phrases its items share, or
   dissolved; one that holds two events of a kind, each with a name of its own (two
   Klitschko fights, two Apple launches), is split in two (events.py).
4. Themes: stories grouped by `themes.group_stories`; see that module.
5. Topics, the middle level: communities of the same graph over whole stories, cut by theme
   (`topics.group_topics`); every story lies in one topic and every topic in one theme.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph
from sklearn.preprocessing import normalize

from analysis import assign, events, phrases
from analysis.credits import without_credits
from analysis.density import hdbscan_labels
from analysis.events import renumber as _renumber

LEXICAL_WEIGHT = 0.5  # neither view preferred
N_NEIGHBORS = 15  # the customary kNN size of UMAP and HDBSCAN
RESCORE_BLOCK = 8192
MAX_GROUP_SHARE = 0.5  # a level whose largest group holds more of the items is no overview (auto_level)


@dataclass(frozen=True)
class Levels:
    """The three nested levels of one clustering: every item's story (-1 unclustered), topic
    and theme, and the level chosen for `labels` ("story", "topic" or "theme")."""

    story: np.ndarray
    topic: np.ndarray
    theme: np.ndarray
    level: str

    @property
    def labels(self) -> np.ndarray:
        return {"theme": self.theme, "topic": self.topic, "story": self.story}[self.level]


def embedding_graph(embeddings: np.ndarray, random_state: int = 0) -> tuple[np.ndarray, np.ndarray] | None:
    """Each item's 2 × N_NEIGHBORS nearest other items by embedding, (indices, cosines) most
    similar first: the one neighbour graph the stories and the map both use (None below 3
    items)."""
    n = len(embeddings)
    if n < 3:
        return None
    return _embedding_neighbours(
        normalize(np.asarray(embeddings, dtype=np.float32)), min(n - 1, 2 * N_NEIGHBORS), random_state
    )


def cluster_levels(
    embeddings: np.ndarray,
    texts: list[str],
    level: str = "auto",
    n_topics: int | None = None,
    random_state: int = 0,
    knn: tuple[np.ndarray, np.ndarray] | None = None,
    min_story_size: int | None = None,
    on_stage: Callable[[str], None] | None = None,
    phrase_table: tuple[sparse.csr_matrix, np.ndarray] | None = None,
    corpus_size: int | None = None,
) -> Levels:
    """Stories, topics and themes of every item, and the level chosen when `level` is "auto"
    (see `auto_level`).

    `knn` is `embedding_graph(embeddings)`, computed here when not given; `min_story_size` is
    the fewest items a story may have (None: `default_min_story_size`); `on_stage` is told
    "stories" and then "themes" as each starts (for progress and timing); `phrase_table` is
    `phrases.phrase_matrix(texts)`, computed here when not given; `corpus_size` is the number
    of items of the map the embeddings join (an update's: the map's and the new ones; None:
    these alone), which no story may hold half of.
    """
    from analysis.themes import group_stories
    from analysis.topics import group_topics

    vectors = normalize(np.asarray(embeddings, dtype=np.float32))
    n = len(vectors)
    if n < 3:
        story = _identical_groups(vectors)
        return Levels(story, story.copy(), story.copy(), "story" if level == "auto" else level)
    stage = on_stage or (lambda name: None)
    stage("stories")
    lexical = lexical_vectors(texts)
    knn = knn if knn is not None else embedding_graph(vectors, random_state)
    neighbours, sims = similarity_graph(vectors, lexical, random_state, knn=knn)
    min_size = min_story_size or default_min_story_size(n)
    story, kinds = story_kinds(vectors, neighbours, sims, texts, min_size, phrase_table, corpus_size)
    stage("themes")
    # two events of one kind are one unit for the levels above: they share a topic and a theme
    theme = attach_by_majority(group_stories(vectors, kinds, random_state), neighbours)
    stage("topics")

    def graph_of(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return similarity_graph(vectors[rows], lexical[rows], random_state)

    topic = group_topics(vectors, theme, (neighbours, sims), graph_of, kinds, random_state)
    topic = _same_ids(_same_ids(_renumber(nest_in(story, topic)), theme), story)
    if level == "auto":
        level = auto_level(story, topic, theme)
    if n_topics:
        if level == "story":
            story = merge_to(story, vectors, n_topics)
            topic = _storied(nest_in(story, topic), story, vectors)
        elif level == "topic":
            topic = merge_to(topic, vectors, n_topics)
        else:
            theme = merge_to(theme, vectors, n_topics)
        topic, theme = _renumber(topic), _renumber(nest_in(topic, theme))
    return Levels(story.astype(np.int64), topic.astype(np.int64), theme.astype(np.int64), level)


def story_kinds(
    vectors: np.ndarray,
    neighbours: np.ndarray,
    sims: np.ndarray,
    texts: list[str],
    min_size: int,
    phrase_table: tuple[sparse.csr_matrix, np.ndarray] | None = None,
    corpus_size: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The stories of items (unit `vectors`) whose `similarity_graph` is (`neighbours`,
    `sims`): dense groups of at least `min_size`, copies kept apart, loose items joining their
    neighbours' story, angles of one event merged, each story about one thing and one event
    (-1: in none); see `find_stories` for `corpus_size`. Also the same stories before two
    events of one kind were split apart (`events.two_events`): the units topics and themes
    group, so that the two stay in one topic."""
    story = find_stories(neighbours, sims, min_size, corpus_size)
    story = keep_distinct(story, neighbours, sims)
    story = attach_by_majority(story, neighbours)
    story = merge_close(story, vectors)
    used, vocabulary = phrase_table if phrase_table is not None else phrases.phrase_matrix(texts)
    kinds = events.one_thing(story, used, min_size)
    return events.two_events(kinds, vectors, used, vocabulary, texts, min_size), kinds


def new_stories(
    vectors: np.ndarray, texts: list[str], min_size: int, random_state: int = 0, corpus_size: int | None = None
) -> np.ndarray:
    """Stories among items no story holds (an update's new items), as a fit finds them; no
    story may hold half of `corpus_size` (the map's items and the new ones)."""
    if len(vectors) < max(min_size, 3):
        return np.full(len(vectors), -1, dtype=np.int64)
    unit = normalize(np.asarray(vectors, dtype=np.float32))
    neighbours, sims = similarity_graph(unit, lexical_vectors(texts), random_state)
    return story_kinds(unit, neighbours, sims, texts, min_size, corpus_size=corpus_size)[0].astype(np.int64)


def auto_level(story: np.ndarray, topic: np.ndarray, theme: np.ndarray) -> str:
    """The broadest level that is a real grouping: at least three groups, each holding 1.5
    stories on average, none holding more than MAX_GROUP_SHARE of the items, and stories
    enough to group (2 ln n, as before the middle level); else the stories. A day of 101
    HuffPost headlines has 27 stories, and its 24 "themes" (below 200 items the themes are
    the stories, `themes.group_stories`) were the stories again: 21 of them one story each.
    2,000 HuffPost headlines drawn from five years have 3 themes, one of 1,092 items
    ("Trump · Funniest Tweets · Meghan Markle": politics, celebrities, sport and tweets,
    too diffuse a corpus for the significance test to part at that size); its 27 topics
    are the overview."""
    n = len(story)
    n_stories, n_topics, n_themes = story.max() + 1, topic.max() + 1, theme.max() + 1
    if n_stories < 2 * np.log(max(n, 2)):
        return "story"

    def overview(labels: np.ndarray, count: int) -> bool:
        largest = np.bincount(labels[labels >= 0]).max() if (labels >= 0).any() else 0
        return count >= 3 and 3 * count <= 2 * n_stories and largest <= MAX_GROUP_SHARE * n

    if overview(theme, n_themes):
        return "theme"
    if overview(topic, n_topics):
        return "topic"
    return "theme" if n_themes < min(3, n_stories) else "story"


def nest_in(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """`upper` redrawn so that every group of `lower` lies whole in one upper group: the one
    most of its items are in (ties to the lower id); items in no lower group, and groups
    none of whose items has an upper group, keep theirs. Ids are kept (some may be left
    without items)."""
    upper = upper.copy()
    both = (lower >= 0) & (upper >= 0)
    if not both.any():
        return upper
    votes = sparse.csr_matrix(
        (np.ones(int(both.sum())), (lower[both], upper[both])), shape=(lower.max() + 1, upper.max() + 1)
    ).toarray()
    voted = votes.sum(axis=1) > 0
    inside = (lower >= 0) & voted[np.maximum(lower, 0)]
    upper[inside] = votes.argmax(axis=1)[lower[inside]]
    return upper


def lexical_vectors(texts: list[str]) -> sparse.csr_matrix:
    """Rows of log-damped word counts × log((1+n)/(1+df)), L2-normalised; source credits
    ("(AP)") left out."""
    from sklearn.feature_extraction.text import CountVectorizer

    try:
        counts = (
            CountVectorizer(stop_words="english", dtype=np.float32)
            .fit_transform(without_credits(texts, rare=False))
            .tocsr()
        )
    except ValueError:  # no word at all (punctuation only)
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    counts.data = 1 + np.log(counts.data)
    weighted = counts @ sparse.diags(np.log((1 + n) / (1 + df)).astype(np.float32))
    return normalize(weighted).tocsr()


def similarity_graph(
    vectors: np.ndarray,
    lexical: sparse.csr_matrix,
    random_state: int = 0,
    knn: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each item's N_NEIGHBORS most similar items by the mixed similarity: (indices, sims).

    Candidates are the 2k nearest by embedding (`knn`: indices and cosines, when already
    found), rescored by the mixed similarity in blocks of rows, so memory stays linear in n.
    """
    n = len(vectors)
    candidates, semantic = (
        knn if knn is not None else _embedding_neighbours(vectors, min(n - 1, 2 * N_NEIGHBORS), random_state)
    )
    lexical_sim = np.empty(candidates.shape, dtype=np.float32)
    for start in range(0, n, RESCORE_BLOCK):
        block = candidates[start : start + RESCORE_BLOCK]
        rows = np.repeat(np.arange(start, start + len(block)), block.shape[1])
        products = lexical[rows].multiply(lexical[block.ravel()])
        lexical_sim[start : start + len(block)] = np.asarray(products.sum(axis=1)).reshape(block.shape)
    mixed = (1 - LEXICAL_WEIGHT) * semantic + LEXICAL_WEIGHT * lexical_sim
    order = np.argsort(-mixed, axis=1, kind="stable")[:, : min(N_NEIGHBORS, candidates.shape[1])]
    return np.take_along_axis(candidates, order, axis=1), np.take_along_axis(mixed, order, axis=1)


def _embedding_neighbours(vectors: np.ndarray, k: int, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """Each item's k nearest other items by embedding: (indices, similarities), most similar first."""
    from analysis.neighbors import nearest_neighbours

    return nearest_neighbours(vectors, k, random_state)


def default_min_story_size(n: int) -> int:
    """The fewest items a story may have when the user does not say: grows slowly with n."""
    return max(2, int(round(np.sqrt(n) / 8)))


def find_stories(
    neighbours: np.ndarray, sims: np.ndarray, min_size: int | None = None, corpus_size: int | None = None
) -> np.ndarray:
    """HDBSCAN (min_samples 1, excess of mass; `density.hdbscan_labels`) over the kNN graph's
    distances (1 - similarity).

    A story is one event, so none may hold half the items or more: where one would, its
    sub-clusters are taken instead (on AG News, StackOverflow and Biomedical titles one
    "story" held 97-99.6% of the items; capped at a half, a quarter or a tenth of the items,
    each set gets the same 48-91 stories, and sets without such a giant do not change).
    The half is of the corpus (`corpus_size`, default these items): an update's new items are
    a few hundred, and a day's one big event is often more than half of them (capped at half
    the day's items, a UCI replay cut Justin Bieber's deposition into eight stories).
    """
    n, k = neighbours.shape
    distances = sparse.csr_matrix(
        ((1 - sims).ravel().clip(1e-6).astype(np.float64), (np.repeat(np.arange(n), k), neighbours.ravel())),
        shape=(n, n),
    )
    distances = distances.maximum(distances.T).tocsr()
    n_parts, part = csgraph.connected_components(distances, directed=False)
    if n_parts > 1:  # join the pieces at the largest possible distance so one tree spans them
        heads = np.array([np.flatnonzero(part == p)[0] for p in range(n_parts)])
        bridges = sparse.csr_matrix(
            (np.full(n_parts - 1, 2.0), (heads[1:], np.full(n_parts - 1, heads[0]))), shape=(n, n)
        )
        distances = (distances + bridges + bridges.T).tocsr()
    cap = (max(n, corpus_size or n) - 1) // 2
    return _renumber(hdbscan_labels(distances, min_size or default_min_story_size(n), max_size=cap))


def keep_distinct(labels: np.ndarray, neighbours: np.ndarray, sims: np.ndarray) -> np.ndarray:
    """Dissolve a cluster whose members are no closer to each other than to their strongest
    tie outside it (a group of items that merely share a word)."""
    labels = labels.copy()
    same = labels[neighbours] == labels[:, None]
    for cluster in np.unique(labels[labels >= 0]):
        members = np.flatnonzero(labels == cluster)
        inside = sims[members][same[members]].mean()
        outside = np.where(same[members], -np.inf, sims[members]).max(axis=1)
        if not np.isfinite(outside).any():  # no member has a neighbour outside: a closed group
            continue
        outside = np.where(np.isfinite(outside), outside, sims[members][:, -1])
        if inside <= outside.mean():
            labels[members] = -1
    return _renumber(labels)


def attach_by_majority(labels: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """An unclustered item joins the cluster that holds a strict majority of its neighbours,
    round after round until none joins, as the items that joined count for their neighbours.

    One round left 12% of the Tweet events' items in no story and 14% of UCI's; repeated, 6%
    and 9%, story ARI 0.752 -> 0.833 and 0.755 -> 0.767 (benchmarks/results/quality.md).
    After the first round only items with a neighbour that just joined are counted again."""
    labels = labels.copy()
    k = neighbours.shape[1]
    if len(labels) == 0 or labels.max() < 0:
        return labels
    loose = np.flatnonzero(labels < 0)
    n_clusters = int(labels.max()) + 1
    while len(loose):
        around = labels[neighbours[loose]]
        rows, cols = np.nonzero(around >= 0)
        pairs, counts = np.unique(rows * n_clusters + around[rows, cols], return_counts=True)
        wins = pairs[counts * 2 > k]  # (loose item, cluster) pairs; a strict majority is one cluster at most
        if not len(wins):
            break
        winners = loose[wins // n_clusters]
        labels[winners] = wins % n_clusters
        joined = np.zeros(len(labels), dtype=bool)
        joined[winners] = True
        loose = np.flatnonzero(labels < 0)
        loose = loose[joined[neighbours[loose]].any(axis=1)]
    return labels


def merge_close(labels: np.ndarray, vectors: np.ndarray, block: int = 2048) -> np.ndarray:
    """Merge two clusters that are each other's nearest (cosine of their centres) when their
    centres are as close as the looser one's items typically are to its own centre (the median
    item), round after round until none merges: the looser cluster would hold the other's centre
    as one of its items. HDBSCAN cuts a big event into its angles (the Tweet events' fly
    fishing and ice fishing, UCI's "Carney" and "BoE's Bean"); merged, story ARI on the Tweet
    events rose 0.833 -> 0.908 and on UCI 0.767 -> 0.780 (benchmarks/results/quality.md).
    `vectors` are unit rows; `block` rows of centres are compared at a time. Each round makes
    only the merged stories' centres and spreads again (`_centres_and_spreads`), the same
    figures as making every one again: on 300,000 items 14.6 s -> 2.6 s, the same stories.

    Tried and not kept (stop 36, seed 0, default fit; event stories unchanged in both): a
    merge only when a third of the merged items share a phrase (one_thing's rule), checked
    per pair: HuffPost topic ARI 0.130 -> 0.102, StackOverflow 0.511 -> 0.506, Biomedical
    0.229 -> 0.230; checked on each final group, undoing it whole: 0.118, 0.496, 0.244
    (SearchSnippets 87 -> 96 stories)."""
    labels = _renumber(labels)
    members = np.flatnonzero(labels >= 0)
    if not len(members):
        return labels
    k = int(labels.max()) + 1
    sums = np.zeros((k, vectors.shape[1]), dtype=np.float32)
    spread = np.zeros(k, dtype=np.float32)
    _centres_and_spreads(labels, members, vectors, np.arange(k), sums, spread)
    while k > 1:
        centres = normalize(sums)
        nearest, similarity = np.empty(k, dtype=np.int64), np.empty(k, dtype=np.float32)
        for start in range(0, k, block):
            sims = centres[start : start + block] @ centres.T
            sims[np.arange(len(sims)), np.arange(start, start + len(sims))] = -np.inf
            nearest[start : start + block] = sims.argmax(axis=1)
            similarity[start : start + block] = sims[np.arange(len(sims)), nearest[start : start + block]]
        ids = np.arange(k)
        merging = (nearest[nearest] == ids) & (ids < nearest) & (similarity >= np.minimum(spread, spread[nearest]))
        if not merging.any():
            break
        into = ids.copy()
        into[nearest[merging]] = ids[merging]
        renamed = _renumber(into)
        labels[members] = renamed[labels[members]]
        k = int(renamed.max()) + 1
        kept = ~np.isin(ids, np.concatenate([ids[merging], nearest[merging]]))
        new_sums, new_spread = np.zeros((k, vectors.shape[1]), dtype=np.float32), np.zeros(k, dtype=np.float32)
        new_sums[renamed[kept]], new_spread[renamed[kept]] = sums[kept], spread[kept]
        sums, spread = new_sums, new_spread
        # only the merged stories' centres and spreads change: recomputed from their items
        _centres_and_spreads(labels, members, vectors, renamed[ids[merging]], sums, spread)
    return labels


def _centres_and_spreads(
    labels: np.ndarray,
    members: np.ndarray,
    vectors: np.ndarray,
    which: np.ndarray,
    sums: np.ndarray,
    spread: np.ndarray,
) -> None:
    """Fill in `sums` (the summed unit vectors) and `spread` (the median item's cosine to the
    centre) of the clusters `which`, from their items among `members`."""
    which = np.sort(which)
    rows = members[np.isin(labels[members], which)]
    own = labels[rows]
    membership = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (own, rows)), shape=(len(sums), len(labels)))
    sums[which] = np.asarray(membership @ vectors, dtype=np.float32)[which]
    centres = normalize(sums[which])
    position = np.full(len(sums), -1)
    position[which] = np.arange(len(which))
    closeness = np.einsum("ij,ij->i", vectors[rows], centres[position[own]])
    order = np.lexsort((closeness, own))  # by cluster, then closeness: the median item of each
    sizes = np.bincount(own, minlength=len(sums))[which]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    ranked = closeness[order]
    spread[which] = (ranked[starts + (sizes - 1) // 2] + ranked[starts + sizes // 2]) / 2


def merge_to(labels: np.ndarray, vectors: np.ndarray, n_topics: int) -> np.ndarray:
    """--topics N: merge clusters (average linkage of their centroids) down to N."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n_clusters = labels.max() + 1
    if n_clusters <= n_topics:
        return labels
    centroids = normalize(np.vstack([vectors[labels == c].mean(axis=0) for c in range(n_clusters)]))
    merged = fcluster(linkage(centroids, "average", metric="cosine"), n_topics, "maxclust") - 1
    return np.where(labels >= 0, merged[np.maximum(labels, 0)], -1)


def _storied(topic: np.ndarray, story: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """`topic` with the topics that hold no story (left when stories were merged to a count)
    given up: their items join the nearest topic that holds one, by centroid."""
    kept = np.unique(topic[(story >= 0) & (topic >= 0)])
    loose = np.flatnonzero((topic >= 0) & ~np.isin(topic, kept))
    if not len(kept) or not len(loose):
        return topic
    unit = normalize(vectors)
    centres = normalize(np.vstack([unit[topic == t].mean(axis=0) for t in kept]))
    topic = topic.copy()
    topic[loose] = kept[np.argmax(unit[loose] @ centres.T, axis=1)]
    return topic


def _identical_groups(vectors: np.ndarray) -> np.ndarray:
    """For 1-2 items: two items that are the same text form a topic, otherwise none."""
    labels = np.full(len(vectors), -1)
    if len(vectors) == 2 and float(vectors[0] @ vectors[1]) > 0.9999:
        labels[:] = 0
    return labels


def _same_ids(labels: np.ndarray, other: np.ndarray) -> np.ndarray:
    """`other` itself when `labels` is the same partition under other ids, else `labels`, so
    levels that coincide share ids (and names)."""
    pairs = len(set(zip(labels.tolist(), other.tolist())))
    same = pairs == len(np.unique(labels)) == len(np.unique(other)) and np.array_equal(labels < 0, other < 0)
    return other.copy() if same else labels


def fill_noise(
    vectors: np.ndarray, level: str, story: np.ndarray, topic: np.ndarray, theme: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`assign_noise`: every item in no group of the map's `level` takes the group its nearest
    clustered items vote for, and the levels above follow it (nested); the levels below keep
    their unclustered items. Returns story, topic and theme."""
    labels = {"story": story, "topic": topic, "theme": theme}[level]
    clustered = labels >= 0
    if clustered.all() or not clustered.any():
        return story, topic, theme
    filled = labels.copy()
    filled[~clustered], _ = assign.assign(
        vectors[clustered], labels[clustered], None, vectors[~clustered], include_noise=False
    )
    if level == "story":
        story, topic = filled, nest_in(filled, topic)
    elif level == "topic":
        topic = filled
    theme = filled if level == "theme" else nest_in(topic, theme)
    return story, topic, theme
