"""Place new items on a fitted map: the topic most of their nearest fitted items share, and a
position among those neighbours.

Used by TopicMap.transform, by `topicmap update` and by --assign-noise. Works from the fitted
embeddings, labels and coordinates alone, so a saved map needs no pickled model to grow.
"""

from __future__ import annotations

import numpy as np

N_NEIGHBORS = 10
BLOCK_ROWS = 512
SAME_TEXT = 0.9999  # cosine at which two embeddings are the same text


def nearest(reference: np.ndarray, queries: np.ndarray, k: int = N_NEIGHBORS) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest reference rows of each query by cosine (rows L2-normalised): (indices, sims).

    Computed in blocks of queries, so memory stays O(block × reference) whatever the sizes.
    """
    k = min(k, len(reference))
    indices = np.empty((len(queries), k), dtype=np.int64)
    sims = np.empty((len(queries), k), dtype=np.float32)
    for start in range(0, len(queries), BLOCK_ROWS):
        block = queries[start : start + BLOCK_ROWS] @ reference.T
        top = np.argpartition(-block, k - 1, axis=1)[:, :k] if k < block.shape[1] else np.tile(np.arange(k), (len(block), 1))
        top_sims = np.take_along_axis(block, top, axis=1)
        order = np.lexsort((top, -top_sims), axis=1)
        indices[start : start + len(block)] = np.take_along_axis(top, order, axis=1)
        sims[start : start + len(block)] = np.take_along_axis(top_sims, order, axis=1)
    return indices, sims


def vote(neighbour_labels: np.ndarray, sims: np.ndarray, include_noise: bool = True) -> np.ndarray:
    """Similarity-weighted strict-majority label of each row's neighbours (else -1).

    An item whose nearest neighbour is the same text takes that neighbour's label. With
    include_noise=False, unclustered neighbours do not vote (every item gets a topic when any
    neighbour has one).
    """
    weights = np.clip(sims, 1e-6, None).astype(np.float64)
    if not include_noise:
        weights = np.where(neighbour_labels >= 0, weights, 0.0)
    # totals[r, j]: the weight of all neighbours of row r that share neighbour j's label.
    same_label = neighbour_labels[:, :, None] == neighbour_labels[:, None, :]
    totals = (same_label * weights[:, None, :]).sum(axis=2)
    best = np.argmax(totals, axis=1)  # first maximum: the nearer neighbour wins a tie
    labels = np.take_along_axis(neighbour_labels, best[:, None], axis=1)[:, 0].astype(np.int64)
    # Like clustering's attach rule: a topic needs a strict majority of the neighbours' weight.
    labels[totals.max(axis=1) * 2 <= weights.sum(axis=1)] = -1
    same = sims[:, 0] >= SAME_TEXT
    if include_noise:
        labels[same] = neighbour_labels[same, 0]
    return labels


def place(neighbour_coords: np.ndarray, sims: np.ndarray) -> np.ndarray:
    """A new item's map position: its neighbours' positions, weighted toward the nearest."""
    weights = np.exp((sims - sims[:, :1]) / 0.05)
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("nk,nkd->nd", weights, neighbour_coords).astype(np.float32)


def assign(
    reference: np.ndarray, labels: np.ndarray, coords: np.ndarray | None, queries: np.ndarray, include_noise: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Labels (and positions, when `coords` is given) for `queries` on a fitted map."""
    if len(queries) == 0:
        return np.empty(0, dtype=np.int64), (np.empty((0, 2), np.float32) if coords is not None else None)
    indices, sims = nearest(reference, queries)
    new_labels = vote(labels[indices], sims, include_noise)
    new_coords = place(coords[indices], sims) if coords is not None else None
    return new_labels, new_coords
