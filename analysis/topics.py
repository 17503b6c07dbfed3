"""Topics, the middle level: communities of the story graph inside each theme.

A topic is a part of a theme that its items link to more than to the rest of the theme: the
theme's items and the ties of the stories' neighbour graph (meaning and wording mixed, see
cluster.py) among them, split into communities by Louvain modularity at its standard
resolution (1), so the count comes from the data. Then:

1. A community under MIN_TOPIC_SHARE of the corpus (1%, the finest group the theme stage
   resolves) joins the topic of its theme whose centroid is nearest (`themes.absorb_small`);
   a theme smaller than that is one topic.
2. A story lies whole in the topic most of its items are in (`cluster.nest_in`, by the caller).

Above SAMPLE items the communities are found on SAMPLE items drawn at random (their own
neighbour graph, from `graph_of`) and each other item joins the topic its nearest drawn
items of the same theme vote for, so the cost stays that of 10,000 items.

Measured against fine gold (seed 0, ARI, `cluster_levels` on the bench sets): Louvain
inside themes beat repeating the themes' significance test inside each theme on every set
with fine categories: StackOverflow 0.337 (9 topics) -> 0.516 (16), Biomedical 0.239 (21) ->
0.249 (37), MultiFin's 23 topics 0.244 (14) -> 0.344 (33), ECB+'s 43 topics 0.238 (10) ->
0.776 (35), HuffPost 0.070 (38) -> 0.075 (47). Tried and not adopted: HDBSCAN on the same
graph at a larger least size (n/200, n/100, n/50: counts from 2 to 141, no size right on
every set), resolution 0.5 (better on HuffPost, 0.116, worse on ECB+, 0.569: a tuned value),
and a least topic size of 4 stories' least size or 0.5% of the corpus (more topics, lower
ARI on 6 of 8 sets).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import sparse

from analysis import assign
from analysis.themes import SAMPLE, absorb_small

MIN_TOPIC_SHARE = 0.01
RESOLUTION = 1.0  # modularity's own; not tuned

Graph = tuple[np.ndarray, np.ndarray]  # each item's neighbours and similarities, most similar first


def group_topics(
    vectors: np.ndarray,
    theme: np.ndarray,
    graph: Graph,
    graph_of: Callable[[np.ndarray], Graph],
    random_state: int = 0,
) -> np.ndarray:
    """Topic of every item, nested in `theme` (an item in no theme is in no topic).

    `vectors` are unit rows; `graph` is the items' neighbour graph (indices, similarities);
    `graph_of(rows)` builds that graph among `rows` alone, used above SAMPLE items.
    """
    n = len(vectors)
    topic = np.full(n, -1, dtype=np.int64)
    drawn = np.arange(n)
    if n > SAMPLE:
        drawn = np.sort(np.random.RandomState(random_state).choice(n, SAMPLE, replace=False))
        graph = graph_of(drawn)
    weights = _weights(*graph)
    in_sample = np.zeros(n, dtype=bool)
    in_sample[drawn] = True
    min_size = MIN_TOPIC_SHARE * len(drawn)
    next_id = 0
    for t in np.unique(theme[theme >= 0]):
        local = np.flatnonzero(theme[drawn] == t)  # positions in the drawn items
        members = drawn[local]
        found = _communities(weights[local][:, local], random_state)
        found = absorb_small(vectors[members], found, min_size)
        topic[members] = found + next_id
        rest = np.flatnonzero((theme == t) & ~in_sample)
        if len(rest):
            topic[rest], _ = assign.assign(vectors[members], topic[members], None, vectors[rest], include_noise=False)
        next_id = int(topic[theme == t].max()) + 1
    return topic


def _weights(neighbours: np.ndarray, sims: np.ndarray) -> sparse.csr_matrix:
    """The neighbour graph as a symmetric weight matrix (a tie counts once, at its strongest)."""
    n, k = neighbours.shape
    matrix = sparse.csr_matrix(
        (np.clip(sims.ravel(), 1e-3, None), (np.repeat(np.arange(n), k), neighbours.ravel())), shape=(n, n)
    )
    return matrix.maximum(matrix.T).tocsr()


def _communities(weights: sparse.csr_matrix, random_state: int) -> np.ndarray:
    """Louvain communities of a weighted graph, numbered by their smallest member."""
    import networkx as nx

    labels = np.zeros(weights.shape[0], dtype=np.int64)
    if weights.shape[0] < 2 or weights.nnz == 0:
        return labels
    graph = nx.from_scipy_sparse_array(weights)
    found = nx.community.louvain_communities(graph, weight="weight", resolution=RESOLUTION, seed=random_state)
    for number, members in enumerate(sorted(found, key=min)):
        labels[list(members)] = number
    return labels
