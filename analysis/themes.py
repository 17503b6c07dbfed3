"""Group stories into broad themes, with the number of themes decided by a significance test.

1. Micro-clusters: k-means with MICRO_CLUSTERS centroids (each about 1% of the corpus, so any
   theme of about 1% or more can be resolved), fitted on a sample of at most SAMPLE items.
2. Average linkage (cosine) over the micro-centroids gives a tree of ever broader groups.
3. The tree is cut where merges stop being more separated than structureless data of the same
   spread would give: the same two steps run on NULL_DRAWS copies of the sample whose principal
   components are shuffled independently (the baseline of the gap statistic and of parallel
   analysis), and the cut height is the median of those copies' highest merge of two
   theme-sized groups (each at least MIN_THEME_SHARE of the items). Theme-sized, because a
   null's very top merge is often a stray centroid of a few outliers joining the rest: on
   2,000 headlines that outlier merge sat above every real merge and made one theme of all.
   The median, not the maximum, for the same reason across draws.
4. A theme is a union of micro-clusters: a group under two micro-clusters' share of the corpus
   (MIN_THEME_SHARE, 2%) is story-sized, not a broad subject, so its items join the nearest
   theme (by centroid cosine), smallest first.
5. A story is one event, so a story lies in one theme: the theme most of its items are in,
   when more than half of them are (a loose "story" spanning themes is left to its items).
"""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import normalize

MICRO_CLUSTERS = 100
SAMPLE = 20_000  # fitting cap, for speed; every item is then assigned
NULL_DRAWS = 7  # odd, so the median is one draw's height
MIN_THEME_SHARE = 2 / MICRO_CLUSTERS  # a theme spans at least two micro-clusters' worth of items


def group_stories(vectors: np.ndarray, story: np.ndarray, random_state: int = 0) -> np.ndarray:
    """Theme of every item; a story lies whole inside the theme most of its items are in.

    Below 2 × MICRO_CLUSTERS items there is too little to tell broad themes from stories, so
    the stories are the themes.
    """
    if len(vectors) < 2 * MICRO_CLUSTERS:
        return story.copy()
    item_theme = significant_groups(vectors, random_state)
    theme = item_theme.copy()
    clustered = story >= 0
    if clustered.any():
        votes = np.zeros((story.max() + 1, item_theme.max() + 1), dtype=np.int64)
        np.add.at(votes, (story[clustered], item_theme[clustered]), 1)
        settled = votes.max(axis=1) * 2 > votes.sum(axis=1)
        follow = clustered & settled[np.maximum(story, 0)]
        theme[follow] = votes.argmax(axis=1)[story[follow]]
    return np.unique(theme, return_inverse=True)[1].astype(np.int64)


def significant_groups(vectors: np.ndarray, random_state: int = 0) -> np.ndarray:
    """Partition items into the groups whose separation beats a structureless baseline."""
    from scipy.cluster.hierarchy import fcluster

    rng = np.random.RandomState(random_state)
    n = len(vectors)
    sample = vectors[np.sort(rng.choice(n, SAMPLE, replace=False))] if n > SAMPLE else vectors
    micro, tree = _micro_tree(sample, random_state)
    cut = null_height(sample, rng, random_state)
    groups = fcluster(tree, cut, "distance") - 1
    return absorb_small(normalize(vectors), groups[micro.predict(vectors)], MIN_THEME_SHARE * len(vectors))


def null_height(sample: np.ndarray, rng: np.random.RandomState, random_state: int = 0) -> float:
    """Median over NULL_DRAWS structureless copies of `sample` (principal components shuffled
    independently: same spread, no clusters) of the micro-tree's highest theme-sized merge."""
    from sklearn.decomposition import PCA

    pca = PCA(random_state=random_state).fit(sample)
    components = pca.transform(sample)
    tops = []
    for draw in range(NULL_DRAWS):
        shuffled = np.column_stack([rng.permutation(column) for column in components.T])
        null_micro, null_tree = _micro_tree(normalize(pca.inverse_transform(shuffled)), random_state + 1 + draw)
        weights = np.bincount(null_micro.labels_, minlength=MICRO_CLUSTERS)
        tops.append(highest_merge_between(null_tree, weights, MIN_THEME_SHARE * len(sample)))
    return float(np.median(tops))


def highest_merge_between(tree: np.ndarray, weights: np.ndarray, min_size: float) -> float:
    """Height of the highest merge in a scipy linkage `tree` whose two sides each weigh at
    least `min_size` (leaf i weighs weights[i]); the top merge when no merge qualifies."""
    size = np.concatenate([weights, np.zeros(len(tree))]).astype(float)
    highest = None
    for step, (left, right, height, _) in enumerate(tree):
        size[len(weights) + step] = size[int(left)] + size[int(right)]
        if min(size[int(left)], size[int(right)]) >= min_size:
            highest = height
    return float(tree[-1, 2] if highest is None else highest)


def absorb_small(vectors: np.ndarray, labels: np.ndarray, min_size: float) -> np.ndarray:
    """Fold every group under `min_size` items, smallest first, into the group whose centroid
    is nearest its own; returns labels numbered 0..k-1. `vectors` are unit rows."""
    from scipy import sparse

    labels = np.unique(labels, return_inverse=True)[1]
    k = labels.max() + 1
    members = sparse.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, len(labels)))
    sums, sizes = np.asarray(members @ vectors), np.bincount(labels, minlength=k).astype(float)
    into = np.arange(k)
    alive = np.ones(k, dtype=bool)
    while alive.sum() > 1:
        smallest = int(np.flatnonzero(alive)[sizes[alive].argmin()])
        if sizes[smallest] >= min_size:
            break
        similarity = normalize(sums) @ (sums[smallest] / (np.linalg.norm(sums[smallest]) or 1.0))
        similarity[~alive | (np.arange(k) == smallest)] = -np.inf
        target = int(similarity.argmax())
        sums[target] += sums[smallest]
        sizes[target] += sizes[smallest]
        alive[smallest], into[into == smallest] = False, target
    return np.unique(into[labels], return_inverse=True)[1]


def _micro_tree(vectors: np.ndarray, random_state: int):
    from scipy.cluster.hierarchy import linkage
    from sklearn.cluster import KMeans

    # Run to convergence: a converged k-means is stable under the tiny numeric differences
    # between machines, where a capped one is not.
    micro = KMeans(MICRO_CLUSTERS, n_init=1, max_iter=300, random_state=random_state).fit(vectors)
    return micro, linkage(normalize(micro.cluster_centers_), "average", metric="cosine")
