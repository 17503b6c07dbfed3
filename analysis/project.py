"""Reduce embeddings to 2D map coordinates with UMAP, for corpora of any size.

UMAP's two steps are called apart, through umap-learn's documented functions: its fuzzy
graph is computed here in numpy (`fuzzy_graph`, the same sums as umap's `fuzzy_simplicial_set`
on the neighbour graph the clustering already found), and umap's `simplicial_set_embedding`
lays it out. umap-learn keeps none of its numba code compiled on disk, so each new process
compiled both steps again: 14-24 s for the seed's 23 items on a shared 2-core machine. The
graph step was 5.5 of the 8 s a fresh process paid for 2,000 items; in numpy it costs no
compile and 0.05 s, and only the layout's optimiser (about 2.5 s) is still compiled per process.

Past LAYOUT_SAMPLE items UMAP lays out a random sample of that many (its cost grows with n
and a map of more points than that reads no better), and every other item is placed among
its nearest neighbours as `topicmap update` places new items (`assign.place`: a weighted mean
in numpy, no compile), using the neighbours the clustering found: first those in the sample,
then those placed before. On 100,000 headlines (`benchmarks/results/map_sample.md`, one run,
load 4.7): a 20,000 sample at 200 epochs (the layout before) took 11.4 s, story share 0.472,
theme share 0.720, trustworthiness 0.867; 10,000 at 200 epochs 7.2 s, 0.464, 0.723, 0.872;
5,000 at 200 epochs 3.0 s, 0.445, 0.717, 0.874 (rejected: stories scatter more).

The map's regions are its topics (issue 25): told the fit's stories and themes, the layout
weakens the fuzzy graph's edges across them as umap's categorical target does (`label_graph`,
`Layout`; O(edges)), including story-to-no-story edges (on AG News two thirds of the items are
in no story and, left free, sat among the stories' items), and lays it out with umap's spread 2,
min_dist 0.2 and repulsion 3 so that topics open up instead of packing into specks. On the bench
sets (`benchmarks/results/map.md`) story share rose from 0.45-0.59 to 0.85-0.89 (UCI and Tweet
0.94 / 0.91 to 0.98 / 0.97), theme share from 0.70-0.83 to 0.94-0.99, trustworthiness moved
-0.014 to +0.015; UCI's specks shrank (32% of the points in 1% of the frame, now 20%), but the
theme-level maps fill less of the frame (AG: the densest half of the points in 11% of it, now
6%) as their themes now stand apart. Rejected there: umap's own categorical rule (stories stay
mixed), a larger min_dist alone (trustworthiness -0.06 on AG), spread 3 / min_dist 0.3 (-0.022 on
UCI), a milder theme cut (theme share 0.89), rank equalisation and moving themes as blocks after
the layout. SearchSnippets' story share (0.780, target 0.8) was tried at stop 39 (seed 0, plain
layout: trustworthiness 0.950): story_apart 0.01 gives 0.785 (trust 0.933); story_edge 0.1 gives
0.825 but trust 0.914 and theme share 0.906, past the 0.02 the map may lose; repulsion 2 0.770.
What it lacked was settling time: 300 layout epochs instead of 200 (`n_epochs`) give 0.801 and
raise trustworthiness on six of the seven bench sets.
Maps of up to SMALL_LAYOUT items keep umap's plain layout (PLAIN).
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse

N_NEIGHBORS = 15
UMAP_MIN_ITEMS = 4  # UMAP's spectral layout needs at least this many points
LAYOUT_SAMPLE = 10_000  # past this many items, UMAP lays out a sample (see map_sample.md)
PLACE_ROUNDS = 10  # neighbour-placement rounds before the last items are placed by exact search
SMALL_MAP, SMALL_EPOCHS, LARGE_EPOCHS = 2_000, 500, 300
SMOOTH_K_TOLERANCE = 1e-5  # umap's: when a row's memberships sum to log2(k) closely enough
MIN_K_DIST_SCALE = 1e-3  # umap's: no row's scale below this share of its mean distance


@dataclass(frozen=True)
class Layout:
    """How the fuzzy graph is laid out. `story_apart` and `theme_apart` scale the weight of an
    edge between two items in different stories / themes (both apply when both differ);
    `story_edge` scales an edge between an item in a story and one in none; -1 themes are
    unknown and cost nothing. `spread`, `min_dist` and `repulsion` are umap's spread, min_dist
    and repulsion_strength (gamma). See the module docstring for the figures behind each."""

    story_apart: float = 0.03
    theme_apart: float = 0.1
    story_edge: float = 0.2
    spread: float = 2.0
    min_dist: float = 0.2
    repulsion: float = 3.0


LAYOUT = Layout()
PLAIN = Layout(story_apart=1.0, theme_apart=1.0, story_edge=1.0, spread=1.0, min_dist=0.1, repulsion=1.0)  # umap's
SMALL_LAYOUT = 2 * N_NEIGHBORS  # up to this many items: PLAIN, umap's PCA start (seed: trust 0.80 vs 0.68)


def project_2d(
    embeddings: np.ndarray,
    random_state: int = 0,
    knn: tuple[np.ndarray, np.ndarray] | None = None,
    epochs: int | None = None,
    stories: np.ndarray | None = None,
    themes: np.ndarray | None = None,
    layout: Layout = LAYOUT,
):
    """Return (coords, graph): n×2 float32 map positions and the fuzzy graph laid out (a scipy
    COO matrix, weighted by `label_graph`; None when tiny or sampled).

    `knn` is (indices, similarities) of each item's nearest other items, most similar first
    (at least `N_NEIGHBORS - 1` of them, or n - 2 for small n); without it they are found here.
    Below UMAP_MIN_ITEMS points UMAP cannot run, so the points are laid out on a line by
    their first principal component; `n_neighbors` shrinks with n so small corpora work.
    `epochs` overrides the number of layout epochs (`n_epochs(n)` when None). `stories` and
    `themes` (per item, -1 for none) weaken the graph's edges across topics (`label_graph`) so
    that the map's regions are its topics; `layout` holds those weights and umap's settings
    (PLAIN up to SMALL_LAYOUT items, where topics of a few items each gain nothing).
    """
    n = len(embeddings)
    if n < UMAP_MIN_ITEMS:
        return _tiny_layout(embeddings), None
    if knn is None:
        from sklearn.preprocessing import normalize

        from analysis.neighbors import nearest_neighbours

        knn = nearest_neighbours(
            normalize(np.asarray(embeddings, dtype=np.float32)), min(n - 1, N_NEIGHBORS), random_state
        )
    if n > LAYOUT_SAMPLE:
        return sampled_layout(embeddings, knn, random_state, stories=stories, themes=themes, layout=layout), None
    from umap.umap_ import find_ab_params, simplicial_set_embedding

    if n <= SMALL_LAYOUT:
        layout = PLAIN
    n_neighbors = max(2, min(N_NEIGHBORS, n - 1))
    graph = label_graph(fuzzy_graph(*umap_knn(knn, n_neighbors)), stories, themes, layout)
    a, b = find_ab_params(layout.spread, layout.min_dist)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a disconnected graph: umap lays out each part
        coords, _ = simplicial_set_embedding(
            np.asarray(embeddings, dtype=np.float32),
            graph.copy(),
            n_components=2,
            initial_alpha=1.0,
            a=a,
            b=b,
            gamma=layout.repulsion,
            negative_sample_rate=5,
            n_epochs=epochs if epochs is not None else n_epochs(n),
            init="spectral" if n > SMALL_LAYOUT else "pca",
            random_state=np.random.RandomState(random_state),
            metric="cosine",
            metric_kwds={},
            densmap=False,
            densmap_kwds={},
            output_dens=False,
        )
    return np.asarray(coords, dtype=np.float32), graph


def warm_up() -> threading.Thread:
    """Import umap and compile its layout optimiser in a background thread, on a toy graph,
    so that a fit pays for them while it embeds (the encoder releases the GIL) instead of
    after; the layout itself then finds them ready (numba compiles under one lock). The toy
    layout draws from its own RandomState: no result depends on it."""

    def compile_layout() -> None:
        with contextlib.suppress(Exception):  # a warm-up only: the real layout reports any failure
            n = UMAP_MIN_ITEMS * 2
            toy = np.eye(n, 8, dtype=np.float32) + 0.01
            indices = (np.arange(n)[:, None] + np.arange(1, n - 1)[None, :]) % n
            project_2d(toy, 0, knn=(indices, np.full(indices.shape, 0.5, dtype=np.float32)))

    thread = threading.Thread(target=compile_layout, name="topicmap-umap-warm-up", daemon=True)
    thread.start()
    return thread


def fuzzy_graph(knn_indices: np.ndarray, knn_dists: np.ndarray, n_iter: int = 64) -> sparse.coo_matrix:
    """UMAP's fuzzy simplicial set of a kNN graph (each row: the item itself at distance 0,
    then its neighbours), with umap's defaults (local connectivity 1, bandwidth 1, fuzzy union):
    every row's distance to its nearest neighbour `rho` and the scale `sigma` at which its
    memberships sum to log2(k), found by bisection for all rows at once."""
    n, k = knn_indices.shape
    dists = knn_dists.astype(np.float32)
    positive = np.where(dists > 0, dists, np.inf)
    rho = positive.min(axis=1)
    rho[~np.isfinite(rho)] = 0.0
    beyond = (dists[:, 1:] - rho[:, None]).astype(np.float64)
    target = np.log2(k)
    low, high, mid = np.zeros(n), np.full(n, np.inf), np.ones(n)
    active = np.ones(n, dtype=bool)
    for _ in range(n_iter):
        rows = np.flatnonzero(active)
        if len(rows) == 0:
            break
        total = np.where(beyond[rows] > 0, np.exp(-np.maximum(beyond[rows], 0) / mid[rows, None]), 1.0).sum(axis=1)
        settled = np.abs(total - target) < SMOOTH_K_TOLERANCE
        active[rows[settled]] = False
        rows, total = rows[~settled], total[~settled]
        over, under = rows[total > target], rows[total <= target]
        high[over] = mid[over]
        mid[over] = (low[over] + high[over]) / 2
        low[under] = mid[under]
        unbounded = under[~np.isfinite(high[under])]
        bounded = under[np.isfinite(high[under])]
        mid[unbounded] *= 2
        mid[bounded] = (low[bounded] + high[bounded]) / 2
    floor = np.where(rho > 0, MIN_K_DIST_SCALE * dists.mean(axis=1), MIN_K_DIST_SCALE * dists.mean())
    sigma = np.maximum(mid, floor).astype(np.float32)
    excess = dists - rho[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # the entries np.where drops
        weights = np.where((excess <= 0) | (sigma[:, None] == 0), 1.0, np.exp(-excess / sigma[:, None]))
    weights[(knn_indices == np.arange(n)[:, None]) | (knn_indices < 0)] = 0.0
    rows = np.repeat(np.arange(n), k)
    own = sparse.csr_matrix((weights.ravel().astype(np.float32), (rows, np.maximum(knn_indices, 0).ravel())), (n, n))
    own.eliminate_zeros()
    theirs = own.T.tocsr()
    union = (own + theirs - own.multiply(theirs)).tocoo()
    union.eliminate_zeros()
    return union


def label_graph(
    graph: sparse.coo_matrix,
    stories: np.ndarray | None = None,
    themes: np.ndarray | None = None,
    layout: Layout = LAYOUT,
) -> sparse.coo_matrix:
    """`graph` with each edge's weight scaled by how far apart its two ends' topics are
    (`Layout`): like umap's categorical target, one O(edges) pass; the graph stays symmetric."""
    if stories is None and themes is None:
        return graph
    row, col = graph.row, graph.col
    scale = np.ones(len(row), dtype=np.float32)
    if stories is not None:
        in_row, in_col = stories[row] >= 0, stories[col] >= 0
        scale[in_row & in_col & (stories[row] != stories[col])] *= layout.story_apart
        scale[in_row != in_col] *= layout.story_edge
    if themes is not None:
        scale[(themes[row] >= 0) & (themes[col] >= 0) & (themes[row] != themes[col])] *= layout.theme_apart
    return sparse.coo_matrix((graph.data * scale, (row, col)), shape=graph.shape)


def sampled_layout(
    embeddings: np.ndarray,
    knn: tuple[np.ndarray, np.ndarray],
    random_state: int = 0,
    size: int = LAYOUT_SAMPLE,
    epochs: int | None = None,
    stories: np.ndarray | None = None,
    themes: np.ndarray | None = None,
    layout: Layout = LAYOUT,
) -> np.ndarray:
    """UMAP on `size` items drawn at random (their own exact neighbours, their own topics),
    then every other item placed by its `knn` neighbours that already have a position, round
    by round; items with none after PLACE_ROUNDS rounds are placed among their nearest sampled
    items."""
    from sklearn.preprocessing import normalize

    from analysis.assign import nearest, place

    n = len(embeddings)
    indices, sims = knn
    sample = np.sort(np.random.default_rng(random_state).choice(n, size, replace=False))
    vectors = normalize(embeddings[sample])
    found, found_sims = nearest(vectors, vectors, k=N_NEIGHBORS + 1)
    not_self = found != np.arange(size)[:, None]
    not_self[not_self.all(axis=1), -1] = False  # a row whose own index was not returned (a copy was)
    own_knn = (found[not_self].reshape(size, N_NEIGHBORS), found_sims[not_self].reshape(size, N_NEIGHBORS))
    coords = np.full((n, 2), np.nan, dtype=np.float32)
    coords[sample], _ = project_2d(
        vectors,
        random_state,
        knn=own_knn,
        epochs=epochs,
        stories=None if stories is None else stories[sample],
        themes=None if themes is None else themes[sample],
        layout=layout,
    )
    for _ in range(PLACE_ROUNDS):
        todo = np.flatnonzero(np.isnan(coords[:, 0]))
        if len(todo) == 0:
            break
        known = ~np.isnan(coords[indices[todo], 0])
        ready = known.any(axis=1)
        todo, known = todo[ready], known[ready]
        masked = np.where(known, sims[todo], -np.inf)
        order = np.argsort(-masked, axis=1, kind="stable")
        near, near_sims = np.take_along_axis(indices[todo], order, 1), np.take_along_axis(masked, order, 1)
        weights_ok = np.isfinite(near_sims)
        near_coords = np.where(weights_ok[:, :, None], coords[np.where(weights_ok, near, 0)], 0.0)
        coords[todo] = place(near_coords, np.where(weights_ok, near_sims, -1e9))
    left = np.flatnonzero(np.isnan(coords[:, 0]))
    if len(left):
        near, near_sims = nearest(vectors, normalize(embeddings[left]))
        coords[left] = place(coords[sample][near], near_sims)
    return coords


def n_epochs(n: int) -> int:
    """SMALL_EPOCHS up to SMALL_MAP items, where they cost little; LARGE_EPOCHS above. umap's
    own choice is 500 up to 10,000 items, 200 above. Told the topics (`label_graph`), the
    layout needs more than 200 to settle: on the seven bench sets of 2,353-9,965 items
    (`benchmarks/results/map.md`, seed 0) 300 epochs against 200 raised trustworthiness on six
    (+0.003 to +0.012; Tweet events -0.001) and SearchSnippets' story share from 0.780 to 0.801
    (the others within -0.006 to +0.015) for 50% more layout time (1.2 to 1.8 s on 5,000
    items); 500 added at most 0.016 more story share for another 50%. Laid out plain on a
    10,000 sample of 100,000 headlines, 500 epochs against 200 moved no figure by 0.01
    (`benchmarks/results/map_sample.md`). 300 up to SMALL_MAP too (stop 45, scratch, seed 0,
    samples of 600 and 2,000 of four bench sets): within 0.01 on most, but HuffPost's
    trustworthiness fell 0.031 at 600 items and its story share from 0.800 to 0.778 at 2,000."""
    return SMALL_EPOCHS if n <= SMALL_MAP else LARGE_EPOCHS


def umap_knn(knn: tuple[np.ndarray, np.ndarray], n_neighbors: int) -> tuple[np.ndarray, np.ndarray]:
    """UMAP's precomputed kNN: each item itself first (distance 0), then its nearest
    `n_neighbors - 1` others, as cosine distances."""
    indices, sims = knn
    n = len(indices)
    if indices.shape[1] < n_neighbors - 1:
        raise ValueError(f"knn has {indices.shape[1]} neighbours: UMAP needs {n_neighbors - 1}")
    own = np.arange(n, dtype=np.int64)[:, None]
    knn_indices = np.hstack([own, indices[:, : n_neighbors - 1].astype(np.int64)])
    knn_dists = np.hstack([np.zeros((n, 1)), np.clip(1.0 - sims[:, : n_neighbors - 1], 0.0, 2.0)])
    return knn_indices, knn_dists.astype(np.float32)


def _tiny_layout(embeddings: np.ndarray) -> np.ndarray:
    n = len(embeddings)
    coords = np.zeros((n, 2), dtype=np.float32)
    if n > 1:
        centred = embeddings - embeddings.mean(axis=0)
        _, _, components = np.linalg.svd(centred, full_matrices=False)
        first = centred @ components[0]
        coords[:, 0] = first / (np.abs(first).max() or 1.0)
    return coords
