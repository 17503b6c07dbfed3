"""The fast HDBSCAN gives hdbscan's own clusters, on graphs like the story stage's."""

from __future__ import annotations

import warnings

import hdbscan
import numpy as np
import pytest
from scipy import sparse
from scipy.sparse import csgraph

from analysis.density import condensed_labels, hdbscan_labels, single_linkage, spanning_tree


def knn_distances(n: int, seed: int, k: int = 10) -> sparse.csr_matrix:
    """A symmetric kNN cosine-distance graph of clustered points, bridged into one piece."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(2, n // 40), 8))
    points = centres[rng.integers(0, len(centres), n)] + 0.4 * rng.standard_normal((n, 8))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    sims = points @ points.T
    np.fill_diagonal(sims, -np.inf)
    neighbours = np.argsort(-sims, axis=1)[:, :k]
    values = (1 - np.take_along_axis(sims, neighbours, axis=1)).clip(1e-6)
    graph = sparse.csr_matrix((values.ravel(), (np.repeat(np.arange(n), k), neighbours.ravel())), shape=(n, n))
    graph = graph.maximum(graph.T).tocsr()
    n_parts, part = csgraph.connected_components(graph, directed=False)
    heads = np.array([np.flatnonzero(part == p)[0] for p in range(n_parts)])
    bridges = sparse.csr_matrix((np.full(n_parts - 1, 2.0), (heads[1:], np.full(n_parts - 1, heads[0]))), shape=(n, n))
    return (graph + bridges + bridges.T).tocsr()


def hdbscan_own(graph: sparse.csr_matrix, min_size: int, max_size: int = 0) -> hdbscan.HDBSCAN:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hdbscan.HDBSCAN(
            metric="precomputed", min_cluster_size=min_size, min_samples=1, max_cluster_size=max_size
        ).fit(graph)


@pytest.mark.parametrize(
    ("n", "seed", "min_size", "max_size"),
    [(60, 0, 2, 0), (400, 1, 3, 0), (1500, 2, 5, 0), (400, 1, 3, 40), (1500, 2, 5, 100), (1500, 3, 4, 20)],
)
def test_same_clusters_as_hdbscan(n, seed, min_size, max_size):
    graph = knn_distances(n, seed)
    expected = hdbscan_own(graph, min_size, max_size).labels_
    got = hdbscan_labels(graph, min_size, max_size)
    assert len(set(expected)) >= 2
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("seed", range(5))
def test_same_clusters_as_hdbscan_with_tied_distances(seed):
    graph = knn_distances(300, seed, k=6)
    graph.data = np.maximum(np.round(graph.data, 1), 0.05)  # many equal heights
    for min_size, max_size in [(2, 0), (3, 0), (5, 0), (3, 30)]:
        expected = hdbscan_own(graph, min_size, max_size).labels_
        np.testing.assert_array_equal(hdbscan_labels(graph, min_size, max_size), expected)


def test_min_size_below_two_is_refused():
    with pytest.raises(ValueError, match="min_size"):
        condensed_labels(np.array([[0.0, 1.0, 0.5, 2.0]]), 1)


def test_max_size_splits_what_would_be_larger():
    graph = knn_distances(1500, 3)
    free = hdbscan_labels(graph, 5)
    biggest = np.bincount(free[free >= 0]).max()
    capped = hdbscan_labels(graph, 5, max_size=biggest - 1)
    assert np.bincount(capped[capped >= 0]).max() < biggest


def test_single_linkage_matches_hdbscan_tree():
    graph = knn_distances(500, 4)
    expected = hdbscan_own(graph, 5).single_linkage_tree_.to_numpy()
    np.testing.assert_array_equal(single_linkage(spanning_tree(graph)), expected)


def test_no_story_holds_half_the_items():
    # One dense mass and a small far group: uncapped, HDBSCAN makes one "story" of the mass.
    from analysis.cluster import find_stories
    from analysis.neighbors import nearest_neighbours

    rng = np.random.default_rng(7)
    mass = rng.standard_normal((380, 16)) * 0.3 + np.eye(16)[0]
    small = rng.standard_normal((20, 16)) * 0.05 + np.eye(16)[1]
    points = np.vstack([mass, small]).astype(np.float32)
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    neighbours, sims = nearest_neighbours(points, 15)
    graph = sparse.csr_matrix(
        ((1 - sims).ravel().clip(1e-6), (np.repeat(np.arange(400), 15), neighbours.ravel())), shape=(400, 400)
    )
    uncapped = hdbscan_labels(graph.maximum(graph.T).tocsr(), 5)
    assert np.bincount(uncapped[uncapped >= 0]).max() >= 200
    stories = find_stories(neighbours, sims)
    assert stories.max() >= 0
    assert np.bincount(stories[stories >= 0]).max() < 200
