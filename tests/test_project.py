"""The 2D map: UMAP on the clustering's own neighbour graph, its edges weakened across topics,
deterministic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.spatial import cKDTree
from sklearn.manifold import trustworthiness
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

from analysis import project
from analysis.neighbors import nearest_neighbours
from conftest import BENCH


def blobs(n: int = 300, groups: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % groups
    centres = rng.normal(size=(groups, 32)) * 3
    return normalize(centres[labels] + rng.normal(size=(n, 32))).astype(np.float32), labels


def test_umap_knn_puts_each_item_first_at_distance_zero():
    vectors, _ = blobs(50)
    indices, sims = nearest_neighbours(vectors, 20)
    knn_indices, knn_dists = project.umap_knn((indices, sims), 15)
    assert knn_indices.shape == knn_dists.shape == (50, 15)
    np.testing.assert_array_equal(knn_indices[:, 0], np.arange(50))
    np.testing.assert_array_equal(knn_indices[:, 1:], indices[:, :14])
    assert (knn_dists[:, 0] == 0).all() and (np.diff(knn_dists, axis=1) >= 0).all()
    np.testing.assert_allclose(knn_dists[:, 1:], 1 - sims[:, :14], atol=1e-6)


def test_the_map_uses_the_given_neighbours_and_keeps_groups_apart():
    vectors, labels = blobs()
    knn = nearest_neighbours(vectors, 30)
    coords, graph = project.project_2d(vectors, random_state=0, knn=knn)
    assert coords.shape == (300, 2) and coords.dtype == np.float32
    given = {(i, j) for i, row in enumerate(knn[0][:, :14]) for j in row}
    assert all((i, j) in given or (j, i) in given for i, j in zip(graph.row, graph.col))
    assert silhouette_score(coords, labels) > 0.5


def test_the_fuzzy_graph_is_umaps():
    """The numpy graph holds umap's own fuzzy_simplicial_set weights on the same neighbours
    (float32 rounding apart), duplicated neighbours and all."""
    from umap.umap_ import fuzzy_simplicial_set

    vectors, _ = blobs(400, groups=4)
    vectors[1] = vectors[0]  # a copy: a neighbour at distance 0 besides the item itself
    knn_indices, knn_dists = project.umap_knn(nearest_neighbours(vectors, 20), 15)
    ours = project.fuzzy_graph(knn_indices, knn_dists).tocsr()
    theirs, _, _ = fuzzy_simplicial_set(vectors, 15, 0, "cosine", knn_indices=knn_indices, knn_dists=knn_dists)
    difference = abs(ours - theirs.tocsr())
    assert ours.shape == theirs.shape and difference.max() < 1e-3
    assert abs(ours.nnz - theirs.nnz) <= ours.nnz // 1000


def test_the_map_is_the_same_for_the_same_seed():
    vectors, _ = blobs(200)
    knn = nearest_neighbours(vectors, 30)
    first, _ = project.project_2d(vectors, random_state=1, knn=knn)
    second, _ = project.project_2d(vectors, random_state=1, knn=knn)
    np.testing.assert_array_equal(first, second)


def test_tiny_corpora_get_a_line_and_small_ones_a_map():
    vectors, _ = blobs(6)
    coords, graph = project.project_2d(vectors[:3])
    assert graph is None and coords.shape == (3, 2) and (coords[:, 1] == 0).all()
    coords, _ = project.project_2d(vectors, knn=nearest_neighbours(vectors, 5))
    assert coords.shape == (6, 2) and np.isfinite(coords).all()


def test_small_maps_get_more_epochs():
    assert project.n_epochs(30) == project.n_epochs(project.SMALL_MAP) == project.SMALL_EPOCHS
    assert project.n_epochs(project.SMALL_MAP + 1) == project.n_epochs(project.LAYOUT_SAMPLE) == project.LARGE_EPOCHS


def test_the_background_warm_up_finishes_and_changes_no_map():
    vectors, _ = blobs(120)
    knn = nearest_neighbours(vectors, 30)
    before, _ = project.project_2d(vectors, random_state=3, knn=knn)
    thread = project.warm_up()
    thread.join(timeout=120)
    assert not thread.is_alive()
    after, _ = project.project_2d(vectors, random_state=3, knn=knn)
    np.testing.assert_array_equal(before, after)


def test_label_graph_scales_only_edges_across_topics_and_stays_symmetric():
    stories = np.array([0, 0, 1, -1, -1])
    themes = np.array([0, 0, 1, 1, -1])
    pairs = [(0, 1), (0, 2), (0, 3), (2, 3), (3, 4), (1, 4)]
    rows, cols = zip(*(pairs + [(j, i) for i, j in pairs]))
    graph = sparse.coo_matrix((np.full(len(rows), 0.5, np.float32), (rows, cols)), shape=(5, 5))
    layout = project.Layout(story_apart=0.1, theme_apart=0.2, story_edge=0.3)
    scaled = project.label_graph(graph, stories, themes, layout).toarray()
    np.testing.assert_allclose(scaled, scaled.T)
    expected = {(0, 1): 0.5, (0, 2): 0.5 * 0.1 * 0.2, (0, 3): 0.5 * 0.3 * 0.2, (2, 3): 0.5 * 0.3}
    expected |= {(3, 4): 0.5, (1, 4): 0.5 * 0.3}  # item 4 has no theme: only its missing story counts
    for (i, j), weight in expected.items():
        assert scaled[i, j] == pytest.approx(weight)
    assert project.label_graph(graph) is graph


@pytest.fixture(scope="module")
def ag_fit():
    """A default fit of 1,500 real AG News titles (MiniLM vectors): two thirds of its items
    are in no story, as on the whole set."""
    from analysis.cache import default_cache_dir
    from analysis.embed import embed_texts
    from analysis.pipeline import TopicMap

    texts = pd.read_csv(BENCH / "ag_news_test_titles.csv")["text"].sample(1500, random_state=0).tolist()
    fitted = TopicMap(cache=False).fit(texts, embeddings=embed_texts(texts, cache_dir=default_cache_dir()))
    return fitted.embeddings_, fitted.story_labels_, fitted.theme_labels_


def shares(coords: np.ndarray, labels: np.ndarray) -> float:
    """Of each labelled item's 10 nearest map points, the mean share with its label."""
    near = cKDTree(coords).query(coords, k=11)[1][:, 1:]
    return float((labels[near] == labels[:, None])[labels >= 0].mean())


def test_the_topics_become_the_maps_regions_and_the_map_stays_trustworthy(ag_fit):
    vectors, stories, themes = ag_fit
    assert (stories < 0).mean() > 0.5
    knn = nearest_neighbours(vectors, 30)
    plain, _ = project.project_2d(vectors, 0, knn=knn, layout=project.PLAIN)
    told, _ = project.project_2d(vectors, 0, knn=knn, stories=stories, themes=themes)
    assert np.isfinite(told).all() and told.shape == (1500, 2)
    assert shares(told, stories) >= shares(plain, stories) + 0.2  # 0.36 to 0.67 when written
    assert shares(told, themes) >= max(shares(plain, themes), 0.95)  # 0.84 to 1.00
    trust = [trustworthiness(vectors, coords, n_neighbors=10, metric="cosine") for coords in (plain, told)]
    assert trust[1] >= trust[0] - 0.02
    again, _ = project.project_2d(vectors, 0, knn=knn, stories=stories, themes=themes)
    np.testing.assert_array_equal(told, again)


def test_a_sampled_layout_passes_the_samples_topics_on():
    vectors, labels = blobs(600, groups=4)
    knn = nearest_neighbours(vectors, 30)
    stories = np.where(np.arange(600) % 3 == 0, -1, labels)
    coords = project.sampled_layout(vectors, knn, 0, size=300, stories=stories, themes=labels)
    plain = project.sampled_layout(vectors, knn, 0, size=300)
    assert np.isfinite(coords).all() and not np.array_equal(coords, plain)
