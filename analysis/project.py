"""Reduce embeddings to 2D map coordinates with UMAP, for corpora of any size."""

from __future__ import annotations

import warnings

import numpy as np

N_NEIGHBORS = 15
MIN_DIST = 0.1
UMAP_MIN_ITEMS = 4  # UMAP's spectral layout needs at least this many points


def project_2d(embeddings: np.ndarray, random_state: int = 0):
    """Return (coords, reducer): n×2 float32 map positions and the fitted UMAP (None when tiny).

    Below UMAP_MIN_ITEMS points UMAP cannot run, so the points are laid out on a line by
    their first principal component; `n_neighbors` shrinks with n so small corpora work.
    """
    n = len(embeddings)
    if n < UMAP_MIN_ITEMS:
        return _tiny_layout(embeddings), None
    import umap

    reducer = umap.UMAP(
        n_components=2,
        n_neighbors=max(2, min(N_NEIGHBORS, n - 1)),
        min_dist=MIN_DIST,
        metric="cosine",
        init="spectral" if n > 2 * N_NEIGHBORS else "pca",
        random_state=random_state,
    )
    with warnings.catch_warnings():
        # UMAP warns that a fixed random_state disables parallelism: that is the point.
        warnings.simplefilter("ignore", UserWarning)
        coords = reducer.fit_transform(embeddings)
    return np.asarray(coords, dtype=np.float32), reducer


def _tiny_layout(embeddings: np.ndarray) -> np.ndarray:
    n = len(embeddings)
    coords = np.zeros((n, 2), dtype=np.float32)
    if n > 1:
        centred = embeddings - embeddings.mean(axis=0)
        _, _, components = np.linalg.svd(centred, full_matrices=False)
        first = centred @ components[0]
        coords[:, 0] = first / (np.abs(first).max() or 1.0)
    return coords
