"""Theme grouping (analysis.themes) on synthetic vectors whose structure is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import linkage
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import normalize

from analysis.themes import (
    MICRO_CLUSTERS,
    MIN_THEME_SHARE,
    absorb_small,
    group_stories,
    highest_merge_between,
    join_lone_stories,
    kmeans_plusplus,
    refine_by_stories,
    significant_groups,
)


def blobs(sizes, dim=24, spread=0.25, seed=0):
    """Unit vectors around len(sizes) random directions, with their true group."""
    rng = np.random.default_rng(seed)
    centres = normalize(rng.standard_normal((len(sizes), dim)))
    truth = np.repeat(np.arange(len(sizes)), sizes)
    return normalize(centres[truth] + spread * rng.standard_normal((len(truth), dim))).astype(np.float32), truth


def test_separated_themes_are_found():
    vectors, truth = blobs([150, 175, 200, 225, 250, 275], dim=128, spread=0.08, seed=4)
    assert adjusted_rand_score(truth, significant_groups(vectors, 0)) > 0.8


def test_structureless_data_is_one_theme():
    vectors = normalize(np.random.default_rng(1).standard_normal((1500, 64))).astype(np.float32)
    assert significant_groups(vectors, 0).max() == 0


def test_no_theme_smaller_than_two_micro_clusters():
    vectors, truth = blobs([150, 175, 200, 225, 250, 275, 8], dim=128, spread=0.08, seed=4)  # the last is story-sized
    groups = significant_groups(vectors, 0)
    assert groups.max() >= 1
    assert np.bincount(groups).min() >= MIN_THEME_SHARE * len(vectors)


def test_stories_lie_whole_in_one_theme():
    vectors, truth = blobs([300, 300, 300], seed=3)
    story = np.where(np.arange(len(truth)) % 3 == 0, truth, -1)  # every third item in its group's story
    story[0] = 2  # one stray member: the story still follows its majority
    theme = group_stories(vectors, story, 0)
    for s in range(3):
        assert len(np.unique(theme[story == s])) == 1


def test_small_corpus_keeps_stories_as_themes():
    vectors, truth = blobs([50, 50])
    story = truth.copy()
    story[:5] = -1
    assert (group_stories(vectors, story, 0) == story).all()


def test_absorb_small_folds_into_the_nearest_group():
    vectors = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1], [0.9, 0.1]], dtype=np.float32)
    labels = np.array([0, 0, 0, 5, 5, 5, 9])
    out = absorb_small(normalize(vectors), labels, min_size=2)
    assert out.tolist() == [0, 0, 0, 1, 1, 1, 0]


@pytest.mark.parametrize("min_size", [0, 1])
def test_absorb_small_keeps_groups_at_or_above_the_size(min_size):
    vectors, truth = blobs([5, 4, 3])
    assert (absorb_small(vectors, truth + 10, min_size) == truth).all()


def test_absorb_small_with_every_group_too_small_leaves_one():
    vectors, truth = blobs([3, 3, 3])
    assert absorb_small(vectors, truth, min_size=100).tolist() == [0] * 9


def test_highest_merge_between_skips_merges_with_a_light_side():
    points = np.array([[0.0], [1.0], [10.0], [11.0], [100.0]])  # the last point is a lone outlier
    tree = linkage(points, "average")
    weights = np.array([30, 30, 30, 30, 1])
    assert highest_merge_between(tree, weights, min_size=10) == pytest.approx(10.0)  # {0,1} with {10,11}
    assert highest_merge_between(tree, weights, min_size=1) == tree[-1, 2]  # the outlier's merge counts
    assert highest_merge_between(tree, weights, min_size=1000) == tree[-1, 2]  # none qualifies: the top


def test_a_theme_that_is_one_story_joins_the_nearest_union_of_stories():
    vectors = normalize(np.array([[1, 0, 0]] * 6 + [[0, 1, 0]] * 6 + [[0.2, 1, 0]] * 4 + [[0, 0, 1]] * 2, dtype=float))
    theme = np.array([0] * 6 + [1] * 6 + [2] * 4 + [3] * 2)
    story = np.array([0, 0, 1, 1, 2, -1] + [3, 3, 4, 4, -1, -1] + [5] * 4 + [-1, -1])
    # themes 0, 1 and 3 hold several stories (an unclustered item is a story of one); 2 is one
    assert join_lone_stories(vectors, theme, story).tolist() == [0] * 6 + [1] * 10 + [2] * 2


def test_single_story_themes_stay_when_fewer_than_two_themes_are_unions():
    vectors, truth = blobs([4, 4, 4])
    story = truth.copy()  # every theme is exactly one story: the stories are the themes
    assert (join_lone_stories(vectors, truth, story) == truth).all()
    story[:4] = [-1, -1, 7, 8]  # one union, two lone stories: still too few unions to fold into
    assert (join_lone_stories(vectors, truth, story) == truth).all()


def test_themes_are_deterministic_for_a_seed():
    vectors, truth = blobs([150, 175, 200, 225, 250, 275], dim=128, spread=0.08, seed=4)
    assert (significant_groups(vectors, 3) == significant_groups(vectors.copy(), 3)).all()


def total_cosine(vectors: np.ndarray, labels: np.ndarray) -> float:
    """Sum over items of the cosine to their group's centroid (spherical k-means' objective)."""
    return float(sum(np.linalg.norm(vectors[labels == g].sum(axis=0)) for g in np.unique(labels)))


def test_refining_moves_misplaced_stories_and_keeps_them_whole():
    vectors, truth = blobs([200, 200, 200], spread=0.15, seed=5)
    story = np.where(np.arange(len(truth)) % 4 == 0, truth * 10 + np.arange(len(truth)) % 10, -1)
    start = truth.copy()
    misplaced = np.isin(story, [1, 2, 11])  # three whole stories put in the next group
    start[misplaced] = (truth[misplaced] + 1) % 3
    refined = refine_by_stories(vectors, start, story)
    assert adjusted_rand_score(truth, start) < 0.99
    assert adjusted_rand_score(truth, refined) == 1.0
    assert total_cosine(vectors, refined) > total_cosine(vectors, start)
    for s in np.unique(story[story >= 0]):
        assert len(np.unique(refined[story == s])) == 1
    assert refined.max() == 2


def test_refining_a_converged_partition_changes_nothing():
    vectors, truth = blobs([150, 150], spread=0.1, seed=6)
    story = np.full(len(truth), -1)
    np.testing.assert_array_equal(refine_by_stories(vectors, truth, story), truth)


def test_kmeans_plusplus_picks_the_centres_scikit_learn_picks():
    from sklearn.cluster import kmeans_plusplus as reference

    vectors, _ = blobs([400, 300, 300], dim=32, spread=0.6)
    seeds = [0, 7, 2**31]
    for seed, start in zip(seeds, kmeans_plusplus(vectors, seeds)):
        expected = reference(vectors.astype(np.float64), MICRO_CLUSTERS, random_state=seed)[0]
        assert start.dtype == vectors.dtype and np.array_equal(start, expected.astype(vectors.dtype))
