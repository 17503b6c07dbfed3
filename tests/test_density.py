"""The fast HDBSCAN gives hdbscan's own clusters, on graphs like the story stage's."""

from __future__ import annotations

import warnings

import hdbscan
import numpy as np
import pytest
from hdbscan._hdbscan_linkage import label
from scipy import sparse
from scipy.sparse import csgraph

from analysis.density import hdbscan_labels, single_linkage


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


@pytest.mark.parametrize(("n", "seed", "min_size"), [(60, 0, 2), (400, 1, 3), (1500, 2, 5)])
def test_same_clusters_as_hdbscan(n, seed, min_size):
    graph = knn_distances(n, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = hdbscan.HDBSCAN(metric="precomputed", min_cluster_size=min_size, min_samples=1).fit_predict(graph)
    got = hdbscan_labels(graph, min_size)
    assert len(set(expected)) >= 2
    np.testing.assert_array_equal(got, expected)


def test_max_size_splits_what_would_be_larger():
    graph = knn_distances(1500, 3)
    free = hdbscan_labels(graph, 5)
    biggest = np.bincount(free[free >= 0]).max()
    capped = hdbscan_labels(graph, 5, max_size=biggest - 1)
    assert np.bincount(capped[capped >= 0]).max() < biggest


def test_single_linkage_matches_hdbscan_label():
    graph = knn_distances(500, 4)
    tree = csgraph.minimum_spanning_tree(graph)
    left, right = tree.nonzero()
    edges = np.column_stack([left, right, np.asarray(tree[left, right]).ravel()]).astype(np.float64)
    edges = edges[np.argsort(edges[:, 2], kind="stable")]
    np.testing.assert_array_equal(single_linkage(edges), label(edges))


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
