"""Group stories into broad themes, with the number of themes decided by a significance test.

1. Micro-clusters: k-means with MICRO_CLUSTERS centroids (each about 1% of the corpus, so any
   theme of about 1% or more can be resolved), fitted on a sample of at most SAMPLE items.
2. Average linkage (cosine) over the micro-centroids gives a tree of ever broader groups. One
   k-means run's tree moves with its seed (UCI categories scored 0.46-0.63 ARI over three
   seeds), so TREE_RUNS runs are averaged: two micro-clusters of the first run are as far
   apart as their items are, on average, in the trees of all runs (their mean cophenetic
   distance), and average linkage over that consensus distance gives the tree that is cut.
3. The tree is cut where merges stop being more separated than structureless data of the same
   spread would give: single micro-trees are grown on NULL_DRAWS copies of the sample whose
   principal components are shuffled independently (the baseline of the gap statistic and of
   parallel analysis), and the cut height is the median of those copies' highest merge of two
   theme-sized groups (each at least MIN_THEME_SHARE of the items). Theme-sized, because a
   null's very top merge is often a stray centroid of a few outliers joining the rest: on
   2,000 headlines that outlier merge sat above every real merge and made one theme of all.
   The median, not the maximum, for the same reason across draws. The null trees are not
   averaged like the real one: that lowered the cut and split UCI's 4 categories into 12-14
   themes along their stories.
4. A theme is a union of micro-clusters: a group under two micro-clusters' share of the corpus
   (MIN_THEME_SHARE, 2%) is story-sized, not a broad subject, so its items join the nearest
   theme (by centroid cosine), smallest first.
5. A story is one event, so a story lies in one theme: the theme most of its items are in,
   when more than half of them are (a loose "story" spanning themes is left to its items).
6. A theme is a union of stories: one that is a single story (under two stories' worth of
   items, unclustered items counting as one-item stories) joins the nearest theme that is a
   union, unless fewer than two themes are unions; then the stories already are the themes.
7. The cut's partition is then refined at its count, stories kept whole: spherical k-means
   over stories (and unclustered items, one each), started from the cut and run to
   convergence. The tree is cut on micro-centroids; refining moves stories that the cut put
   by their micro-cluster's side rather than their own. Measured on six labelled sets, seed 0
   (`benchmarks/theme_partition.py`): UCI 0.512 -> 0.522, AG News 0.381 -> 0.398,
   StackOverflow 0.018 -> 0.061, Biomedical 0.074 -> 0.144, HuffPost 0.236 -> 0.284,
   SearchSnippets 0.573 -> 0.557 (still above k-means and agglomerative at its count).
   Adding k-means++ restarts (best total cosine) drifted from the cut: HuffPost 0.284 -> 0.183.
   No label-free criterion (silhouette, Calinski-Harabasz, Davies-Bouldin) picked the best of
   the cut, k-means and agglomerative partitions at the same count across those sets.

On a small diffuse corpus the test is near its edge, so the count moves with the seed: 1,500
HuffPost headlines drawn from five years, seeds 0-5, have the consensus tree's top merge 0.001
to 0.029 above the cut (2 to 3 groups before small ones are absorbed, 1 to 3 after). More
draws (21 null copies, 15 tree runs; stop 46) steady it only by finding less: 1 or 2 groups at
every seed. 50 micro-clusters instead of 100 did not steady it (HuffPost samples of 1,000: 1
and 1 themes; MultiFin's 1,545 headlines fell from 8 to 2). `cluster.auto_level` then leads
with the topics.
"""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import normalize

MICRO_CLUSTERS = 100
SAMPLE = 10_000  # fitting cap, for speed (every item is then assigned); the largest bench set's size
NULL_DRAWS = 7  # odd, so the median is one draw's height
TREE_RUNS = 5
MIN_THEME_SHARE = 2 / MICRO_CLUSTERS  # a theme spans at least two micro-clusters' worth of items


def derived_seed(value: int) -> int:
    """A seed derived from the user's (times a run count, plus a draw) brought back within the
    32 bits numpy's legacy seeding takes; the same as `value` for every seed below 2**32 / 5."""
    return int(value) % 2**32


def group_stories(vectors: np.ndarray, story: np.ndarray, random_state: int = 0) -> np.ndarray:
    """Theme of every item; a story lies whole inside the theme most of its items are in.

    Below 2 × MICRO_CLUSTERS distinct vectors there is too little to tell broad themes from stories, so
    the stories are the themes.
    """
    if len(vectors) < 2 * MICRO_CLUSTERS or not _has_distinct_rows(vectors, 2 * MICRO_CLUSTERS):
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
    unit = normalize(vectors)
    theme = refine_by_stories(unit, np.unique(theme, return_inverse=True)[1], story)
    return join_lone_stories(unit, theme, story).astype(np.int64)


def _has_distinct_rows(vectors: np.ndarray, count: int, block: int = 1024) -> bool:
    """Whether `vectors` has at least `count` distinct rows, reading no further than it must
    (-0.0 and 0.0 count as one value, as np.unique's do)."""
    seen: set[bytes] = set()
    for start in range(0, len(vectors), block):
        rows = np.ascontiguousarray(vectors[start : start + block]) + 0.0
        seen.update(row.tobytes() for row in rows)
        if len(seen) >= count:
            return True
    return False


def refine_by_stories(vectors: np.ndarray, theme: np.ndarray, story: np.ndarray, max_iter: int = 100) -> np.ndarray:
    """Spherical k-means over whole stories (an unclustered item is a story of one), started
    from `theme` (each story from the theme most of its items are in); labels 0..k-1 back.
    `vectors` are unit rows."""
    from scipy import sparse

    n, k = len(theme), theme.max() + 1
    unit = story.copy()
    loose = unit < 0
    unit[loose] = story.max() + 1 + np.arange(loose.sum())
    n_units = unit.max() + 1
    members = sparse.csr_matrix((np.ones(n, dtype=np.float32), (unit, np.arange(n))), shape=(n_units, n))
    sums = np.asarray(members @ vectors, dtype=np.float32)
    votes = sparse.csr_matrix((np.ones(n), (unit, theme)), shape=(n_units, k)).toarray()
    assign = votes.argmax(axis=1)
    for _ in range(max_iter):
        one_hot = sparse.csr_matrix(
            (np.ones(n_units, dtype=np.float32), assign, np.arange(n_units + 1)), shape=(n_units, k)
        )
        moved = (sums @ normalize(np.asarray(one_hot.T @ sums)).T).argmax(axis=1)
        if np.array_equal(moved, assign):
            break
        assign = moved
    return np.unique(assign[unit], return_inverse=True)[1]


def join_lone_stories(vectors: np.ndarray, theme: np.ndarray, story: np.ndarray) -> np.ndarray:
    """Fold every theme that is a single story (effective number of stories under 2; an
    unclustered item is a story of one) into the nearest theme that is a union of stories,
    when at least two themes are; returns labels numbered 0..k-1. `vectors` are unit rows."""
    k = theme.max() + 1
    breadth = np.array([effective_stories(story[theme == t]) for t in range(k)])
    union = breadth >= 2
    if union.sum() < 2 or union.all():
        return theme
    centroids = normalize(np.vstack([vectors[theme == t].sum(axis=0) for t in range(k)]))
    similarity = np.where(union[None, :], centroids @ centroids.T, -np.inf)
    into = np.where(union, np.arange(k), similarity.argmax(axis=1))
    return np.unique(into[theme], return_inverse=True)[1]


def effective_stories(story: np.ndarray) -> float:
    """Inverse Simpson index of the stories in a group; each unclustered item is its own."""
    counts = np.bincount(story[story >= 0]).astype(float)
    counts = np.concatenate([counts[counts > 0], np.ones(int((story < 0).sum()))])
    return float(counts.sum() ** 2 / (counts**2).sum())


def significant_groups(vectors: np.ndarray, random_state: int = 0) -> np.ndarray:
    """Partition items into the groups whose separation beats a structureless baseline."""
    from scipy.cluster.hierarchy import fcluster

    rng = np.random.RandomState(random_state)
    n = len(vectors)
    sample = vectors[np.sort(rng.choice(n, SAMPLE, replace=False))] if n > SAMPLE else vectors
    micro, tree = consensus_tree(sample, random_state)
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
        null = normalize(pca.inverse_transform(shuffled))
        _, null_labels, null_tree = _micro_tree(null, kmeans_plusplus(null, [derived_seed(random_state + 1 + draw)])[0])
        weights = np.bincount(null_labels, minlength=MICRO_CLUSTERS)
        tops.append(highest_merge_between(null_tree, weights, MIN_THEME_SHARE * len(sample)))
    return float(np.median(tops))


def consensus_tree(sample: np.ndarray, random_state: int = 0):
    """The first of TREE_RUNS micro-clusterings and an average-linkage tree over its
    micro-clusters by their mean cophenetic distance across the runs' micro-trees."""
    from scipy.cluster.hierarchy import cophenet, linkage
    from scipy.spatial.distance import squareform

    distance = np.zeros((MICRO_CLUSTERS, MICRO_CLUSTERS))
    starts = kmeans_plusplus(sample, [derived_seed(random_state * TREE_RUNS + run) for run in range(TREE_RUNS)])
    for run in range(TREE_RUNS):
        micro, labels, tree = _micro_tree(sample, starts[run])
        if run == 0:
            first, first_labels = micro, labels
        share = np.zeros((MICRO_CLUSTERS, MICRO_CLUSTERS))  # first run's cluster x this run's
        np.add.at(share, (first_labels, labels), 1)
        share /= np.maximum(share.sum(axis=1, keepdims=True), 1)  # a cluster k-means left empty
        distance += share @ squareform(cophenet(tree)) @ share.T / TREE_RUNS
    np.fill_diagonal(distance, 0)
    return first, linkage(squareform(distance, checks=False), "average")


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


def kmeans_plusplus(vectors: np.ndarray, seeds: list[int]) -> list[np.ndarray]:
    """MICRO_CLUSTERS k-means++ starting centres of `vectors` for each seed: scikit-learn's
    greedy k-means++ (`sklearn.cluster.kmeans_plusplus`, 2 + log k trials a centre), draw for
    draw the same, picking the same rows (checked on the bench sets and 100,000 headlines).

    The seeds run side by side, so each step reads the rows once for all of them (the step's
    cost). On float64 rows, as scikit-learn's: float32 distances picked another centre for
    one seed on 100,000 headlines (and scikit-learn upcasts float32 distances in chunks, which
    is slower still).
    """
    x = np.ascontiguousarray(vectors, dtype=np.float64)
    n, runs = len(x), len(seeds)
    trials = 2 + int(np.log(MICRO_CLUSTERS))
    norms = np.einsum("ij,ij->i", x, x)

    def squared_distances(rows: np.ndarray) -> np.ndarray:  # as sklearn's euclidean_distances
        out = -2 * (x[rows] @ x.T)
        out += norms[rows][:, None]
        out += norms[None, :]
        return np.maximum(out, 0, out=out)

    draws = [np.random.RandomState(seed) for seed in seeds]
    chosen = np.empty((runs, MICRO_CLUSTERS), dtype=np.int64)
    chosen[:, 0] = [draw.choice(n, p=np.ones(n) / n) for draw in draws]
    closest = squared_distances(chosen[:, 0])
    potential = closest.sum(axis=1, dtype=np.float64)
    every = np.arange(runs)
    for centre in range(1, MICRO_CLUSTERS):
        candidates = np.stack(
            [
                np.searchsorted(np.cumsum(closest[r], dtype=np.float64), draws[r].uniform(size=trials) * potential[r])
                for r in range(runs)
            ]
        )
        np.clip(candidates, None, n - 1, out=candidates)
        distances = squared_distances(candidates.ravel()).reshape(runs, trials, n)
        np.minimum(closest[:, None, :], distances, out=distances)
        potentials = distances.sum(axis=2, dtype=np.float64)
        best = potentials.argmin(axis=1)
        potential, closest = potentials[every, best], distances[every, best]
        chosen[:, centre] = candidates[every, best]
    return [np.asarray(vectors)[rows] for rows in chosen]


def _micro_tree(vectors: np.ndarray, start: np.ndarray):
    """k-means micro-clusters of `vectors` from the centres `start` (fitted k-means, each
    row's cluster) and the average-linkage tree over their centroids."""
    from scipy.cluster.hierarchy import linkage
    from sklearn.cluster import KMeans

    # Run to convergence: a converged k-means is stable under the tiny numeric differences
    # between machines, where a capped one is not.
    micro = KMeans(MICRO_CLUSTERS, init=start, n_init=1, max_iter=300).fit(vectors)
    return micro, micro.labels_, linkage(normalize(micro.cluster_centers_), "average", metric="cosine")
