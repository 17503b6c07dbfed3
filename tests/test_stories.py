"""Items in no story join the story around them, round after round (`cluster.attach_by_majority`)."""

from __future__ import annotations

import numpy as np

from analysis import cluster


def test_an_item_joins_once_its_neighbours_have_joined():
    """Item 4's neighbours are items 0, 1 and 3; item 3 joins story 0 first (its neighbours are
    0, 1 and 2), and then 4 has a majority in the story too. Item 5 sits with story 1."""
    labels = np.array([0, 0, 0, -1, -1, -1, 1, 1])
    neighbours = np.array([[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2], [0, 3, 5], [6, 7, 4], [7, 5, 0], [6, 5, 0]])
    joined = cluster.attach_by_majority(labels, neighbours)
    assert joined.tolist() == [0, 0, 0, 0, 0, 1, 1, 1]


def test_an_item_split_between_stories_stays_out():
    labels = np.array([0, 0, 1, 1, -1])
    neighbours = np.array([[1, 4], [0, 4], [3, 4], [2, 4], [0, 2]])
    assert cluster.attach_by_majority(labels, neighbours).tolist() == [0, 0, 1, 1, -1]
    assert cluster.attach_by_majority(np.full(3, -1), neighbours[:3] % 3).tolist() == [-1, -1, -1]
