"""Group stories into broad themes (interim: average linkage of story centroids, cut at the
largest jump in merge distance)."""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import normalize


def group_stories(vectors: np.ndarray, story: np.ndarray, neighbours: np.ndarray, sims: np.ndarray,
                  random_state: int = 0) -> np.ndarray:
    """Theme of every item: a union of stories; story-unclustered items stay -1 here."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n_stories = story.max() + 1
    if n_stories < 3:
        return story.copy()
    centroids = normalize(np.vstack([vectors[story == s].mean(axis=0) for s in range(n_stories)]))
    tree = linkage(centroids, "average", metric="cosine")
    heights = tree[:, 2]
    jump = int(np.argmax(np.diff(heights)))
    groups = fcluster(tree, heights[jump], "distance") - 1
    return np.where(story >= 0, groups[np.maximum(story, 0)], -1)
