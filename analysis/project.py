"""Reduce embeddings to 2D map coordinates with UMAP, for corpora of any size.

UMAP is given the embedding neighbours the clustering already found (its public
`precomputed_knn`), so it builds no nearest-neighbour index of its own. umap-learn offers no
documented way to keep its numba functions compiled on disk (only a few of its own are), so
each new process compiles them again: its first layout takes 14-24 s longer than the next
for 23 items and 10-12 s longer for 2,000 (0.1 s and 2.4 s once compiled), measured on a
shared 2-core machine. Switching numba's disk cache on inside umap-learn saved that after a
machine's first run, but only by patching umap's private numba dispatchers.

Past LAYOUT_SAMPLE items UMAP lays out a random sample of that many (its cost grows with n
and a map of more points than that reads no better), and every other item is placed among
its nearest neighbours as `topicmap update` places new items (`assign.place`), using the
neighbours the clustering found: first those in the sample, then those placed before.
"""

from __future__ import annotations

import warnings

import numpy as np

N_NEIGHBORS = 15
MIN_DIST = 0.1
UMAP_MIN_ITEMS = 4  # UMAP's spectral layout needs at least this many points
LAYOUT_SAMPLE = 20_000  # UMAP's layout of 20k items takes ~10 s on 2 cores; past it, a sample
PLACE_ROUNDS = 10  # neighbour-placement rounds before the last items are placed by exact search
EPOCH_BUDGET = 10_000_000  # items × epochs: past 50,000 items, fewer epochs (never below 100)
MIN_EPOCHS = 100


def project_2d(embeddings: np.ndarray, random_state: int = 0, knn: tuple[np.ndarray, np.ndarray] | None = None):
    """Return (coords, reducer): n×2 float32 map positions and the fitted UMAP (None when tiny).

    `knn` is (indices, similarities) of each item's nearest other items, most similar first
    (at least `N_NEIGHBORS - 1` of them, or n - 2 for small n); without it UMAP finds them.
    Below UMAP_MIN_ITEMS points UMAP cannot run, so the points are laid out on a line by
    their first principal component; `n_neighbors` shrinks with n so small corpora work.
    """
    n = len(embeddings)
    if n < UMAP_MIN_ITEMS:
        return _tiny_layout(embeddings), None
    if n > LAYOUT_SAMPLE and knn is not None:
        return sampled_layout(embeddings, knn, random_state), None
    import umap

    n_neighbors = max(2, min(N_NEIGHBORS, n - 1))
    reducer = umap.UMAP(
        n_components=2,
        n_neighbors=n_neighbors,
        min_dist=MIN_DIST,
        metric="cosine",
        init="spectral" if n > 2 * N_NEIGHBORS else "pca",
        n_epochs=n_epochs(n),
        random_state=random_state,
        precomputed_knn=umap_knn(knn, n_neighbors) if knn is not None else (None, None, None),
    )
    with warnings.catch_warnings():
        # UMAP warns that a fixed random_state disables parallelism (that is the point), and
        # that a precomputed kNN without its search index cannot transform new points.
        warnings.simplefilter("ignore", UserWarning)
        coords = reducer.fit_transform(embeddings)
    return np.asarray(coords, dtype=np.float32), reducer


def sampled_layout(
    embeddings: np.ndarray, knn: tuple[np.ndarray, np.ndarray], random_state: int = 0, size: int = LAYOUT_SAMPLE
) -> np.ndarray:
    """UMAP on `size` items drawn at random (their own exact neighbours), then every other
    item placed by its `knn` neighbours that already have a position, round by round; items
    with none after PLACE_ROUNDS rounds are placed among their nearest sampled items."""
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
    coords[sample], _ = project_2d(vectors, random_state, knn=own_knn)
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


def n_epochs(n: int) -> int | None:
    """UMAP's own choice (500 up to 10,000 items, 200 above) while the layout's cost, linear
    in items × epochs, stays within EPOCH_BUDGET; then fewer, down to MIN_EPOCHS."""
    return None if n <= EPOCH_BUDGET // 200 else max(MIN_EPOCHS, EPOCH_BUDGET // n)


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
