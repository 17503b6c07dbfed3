"""Topics, the middle level: communities of the corpus's neighbour graph, cut by theme.

A topic is a group of stories its items tie to more than to the rest of the corpus, the
recipe of scanpy's clustering: the fuzzy union of the stories' own neighbour graph (meaning
and wording mixed, see cluster.py; umap's memberships, `project.fuzzy_graph`) with each story
collapsed into one node (its items' ties summed, so no story is split and modularity's null
model is the whole corpus's), split into communities by Louvain modularity at its standard
resolution (1), so the count comes from the data. Then every community is cut by theme, and
a piece under MIN_TOPIC_SHARE of the corpus (1%, the finest group the theme stage resolves)
joins the topic of its theme whose centroid is nearest (`themes.absorb_small`). Every story
lies in one topic and every topic in one theme.

Above SAMPLE items the communities are found on SAMPLE items drawn at random (their own
neighbour graph, from `graph_of`) and each other item joins the topic its nearest drawn
items of the same theme vote for, so the cost stays that of 10,000 items.

Measured against fine gold (ARI, topics in brackets; `cluster_levels` on the bench sets,
mean over Louvain seeds 0-4), against Louvain run inside each theme on the similarities (the
first version): HuffPost's 29 sections 0.074 (46) -> 0.097 (28), StackOverflow's 20 tags
0.521 (17) -> 0.521 (20), Biomedical's 20 0.241 (39) -> 0.255 (25), MultiFin's 23 topics
0.341 (37) -> 0.381 (29), ECB+'s 43 topics 0.778 (35) -> 0.790 (36). Tried and not adopted
(seed 0; every one loses a set by 0.1 or more): repeating the themes' significance test
inside each theme (StackOverflow 0.337 with 9 topics, ECB+ 0.238 with 10); HDBSCAN on the
graph at a larger least size (n/200, n/100, n/50: 2 to 141 topics); Louvain on the raw
similarities or on shared-neighbour (Jaccard) weights over the whole corpus (ECB+ 0.55-0.66:
its events merge); the graph with ties across themes cut (Biomedical 0.18-0.23 with 10-16
topics); the embedding graph alone (ECB+ 0.743 ± 0.053 over seeds); Louvain's count then
Ward or k-means inside each theme (lower on all five sets); no least size (57-138 topics) or
2% (ECB+ 0.762). Also tried, at Louvain's count, stories kept whole and cut by theme
(`cluster_levels` at seeds 0 and 1, change in ARI): Ward on a 5-d UMAP of the embeddings, the
space BERTopic and EVoC cluster in: HuffPost +0.003/+0.010, StackOverflow +0.058/+0.035,
Biomedical +0.000/+0.002, MultiFin -0.013/+0.023, ECB+ +0.027/-0.022, for a second UMAP run
(6 s for 5,000 items, about 40 s for HuffPost's 10,000 on two cores); Ward on a 10- or 20-d
spectral embedding of the fuzzy graph (ECB+ 0.59-0.62); Ward or k-means on the 2-d map
itself (lower on four sets: StackOverflow 0.43-0.44, ECB+ 0.69-0.71).
Tried at stop 37 (scratch, seed 0, the sets in file order, so "today" differs a little from
quality.md; HuffPost / StackOverflow / Biomedical / MultiFin / ECB+): today 0.115 / 0.523 /
0.246 / 0.401 / 0.786. At Louvain's count over the whole corpus, stories kept whole and cut by
theme: k-means 0.088 / 0.562 / 0.274 / 0.391 / 0.797, Ward 0.099 / 0.490 / 0.249 / 0.358 /
0.688. EVoC's layers (0.3.2) kept whole and cut the same way: StackOverflow's best layer
0.633 (17 groups) falls to 0.538, Biomedical's 0.261 to 0.235, while ECB+'s finest rises to
0.825 (48 topics) and HuffPost's to 0.183-0.271; each set wants a different layer. Louvain
left uncut by theme (0.087 / 0.526 / 0.232 / 0.380 / 0.787) and on items rather than stories
(0.101 / 0.524 / 0.254 / 0.487 / 0.731): the cut by theme costs nothing, and no variant gains
on every set. `benchmarks/results/quality.md` holds the table.
Where the loss is (stop 41, scratch, seed 0; HuffPost / StackOverflow / Biomedical / MultiFin /
ECB+, today 0.134 / 0.511 / 0.229 / 0.388 / 0.796): the items in a story are grouped well (ARI
on them alone 0.137 / 0.826 / 0.449 / 0.535 / 0.848), the items in none (72 / 62 / 67 / 35 / 6%
of them) badly (0.148 / 0.388 / 0.165 / 0.247 / 0.429). Tried for those and not adopted: each
at the nearest topic's centre (0.116 / 0.547 / 0.233 / 0.397 / 0.786), or where its 15 nearest
items in stories vote (0.110 / 0.481 / 0.168 / 0.392 / 0.800); and spherical k-means over the
stories, started from Louvain's topics inside each theme (`themes.refine_by_stories`: 0.118 /
0.542 / 0.251 / 0.386 / 0.789). Each gains on StackOverflow and loses on HuffPost.
Stop 46 (scratch, seed 0, today 0.130 / 0.511 / 0.229 / 0.365 / 0.789): that k-means over the
whole corpus, then cut by theme with pieces under 1% joining the nearest topic of their theme:
0.101 / 0.549 / 0.251 / 0.365 / 0.782; left uncut, 0.104 / 0.588 / 0.283 / 0.381 / 0.783,
above k-means told the count on StackOverflow (0.577), but its topics straddle themes. The
same pattern: StackOverflow and Biomedical gain, HuffPost loses.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import sparse

from analysis import assign
from analysis.project import fuzzy_graph
from analysis.themes import SAMPLE, absorb_small

MIN_TOPIC_SHARE = 0.01
RESOLUTION = 1.0  # modularity's own; not tuned

Graph = tuple[np.ndarray, np.ndarray]  # each item's neighbours and similarities, most similar first


def group_topics(
    vectors: np.ndarray,
    theme: np.ndarray,
    graph: Graph,
    graph_of: Callable[[np.ndarray], Graph],
    story: np.ndarray,
    random_state: int = 0,
) -> np.ndarray:
    """Topic of every item, nested in `theme` (an item in no theme is in no topic).

    Louvain communities (resolution 1) of the whole corpus's fuzzy neighbour graph (umap's
    memberships of `graph`, distance 1 - similarity, `project.fuzzy_graph`), each story one
    node (its items' ties summed, `story`: -1 for an item in none), so modularity's null model
    is the corpus's and no story is split; then every community is cut by theme and a piece
    under MIN_TOPIC_SHARE of the corpus joins the nearest topic of its theme (`absorb_small`).

    `vectors` are unit rows; `graph` is the items' neighbour graph (indices, similarities);
    `graph_of(rows)` builds that graph among `rows` alone, used above SAMPLE items.
    """
    n = len(vectors)
    topic = np.full(n, -1, dtype=np.int64)
    drawn = np.arange(n)
    if n > SAMPLE:
        drawn = np.sort(np.random.RandomState(random_state).choice(n, SAMPLE, replace=False))
        graph = graph_of(drawn)
    weights = _fuzzy_weights(*graph)
    node = _story_nodes(story[drawn])
    members_of = sparse.csr_matrix((np.ones(len(drawn)), (np.arange(len(drawn)), node)))
    found_all = _communities((members_of.T @ weights @ members_of).tocsr(), random_state)[node]
    in_sample = np.zeros(n, dtype=bool)
    in_sample[drawn] = True
    min_size = MIN_TOPIC_SHARE * len(drawn)
    next_id = 0
    for t in np.unique(theme[theme >= 0]):
        local = np.flatnonzero(theme[drawn] == t)  # positions in the drawn items
        rest = np.flatnonzero((theme == t) & ~in_sample)
        if len(local) == 0:  # a theme none of whose items was drawn: one topic
            topic[theme == t] = next_id
            next_id += 1
            continue
        members = drawn[local]
        found = absorb_small(vectors[members], found_all[local], min_size)
        topic[members] = found + next_id
        if len(rest):
            topic[rest], _ = assign.assign(vectors[members], topic[members], None, vectors[rest], include_noise=False)
        next_id = int(topic[theme == t].max()) + 1
    return topic


def _fuzzy_weights(neighbours: np.ndarray, sims: np.ndarray) -> sparse.csr_matrix:
    """umap's fuzzy union of the neighbour graph (distance 1 - similarity; each row the item
    itself first, at 0), as a symmetric weight matrix."""
    n = len(neighbours)
    indices = np.hstack([np.arange(n)[:, None], neighbours])
    dists = np.hstack([np.zeros((n, 1), dtype=np.float32), np.maximum(1 - sims, 0).astype(np.float32)])
    return fuzzy_graph(indices, dists).tocsr()


def _story_nodes(story: np.ndarray) -> np.ndarray:
    """Node of every item in the collapsed graph: its story's, or its own when in none."""
    own = np.where(story >= 0, story, story.max(initial=-1) + 1 + np.arange(len(story)))
    return np.unique(own, return_inverse=True)[1]


def _communities(weights: sparse.csr_matrix, random_state: int) -> np.ndarray:
    """Louvain communities of a weighted graph, numbered by their smallest member."""
    import networkx as nx

    labels = np.zeros(weights.shape[0], dtype=np.int64)
    if weights.shape[0] < 2 or weights.nnz == 0:
        return labels
    graph = nx.from_scipy_sparse_array(weights)
    found = nx.community.louvain_communities(graph, weight="weight", resolution=RESOLUTION, seed=int(random_state))
    for number, members in enumerate(sorted(found, key=min)):
        labels[list(members)] = number
    return labels
