"""Nearest neighbours of unit vectors by cosine similarity, for corpora of any size.

Up to EXACT_MAX items the neighbours are exact, computed in row blocks (never an n×n
matrix). Above, they come from EVōC's NN-descent (random projection forest, then neighbour
descent), whose numba code is cached on disk, so its compile cost is paid once per machine
and not in every run. Both are deterministic for a given `random_state`; NN-descent's
parallel updates depend on the number of cores, so above EXACT_MAX two machines with
different core counts can find slightly different neighbours.
"""

from __future__ import annotations

import numpy as np

EXACT_MAX = 8_192  # above this, exact search costs more than NN-descent
BLOCK = 1024  # rows per block of the exact search
N_TREES = 8  # random projection trees: fixed, so results do not depend on the number of cores


def nearest_neighbours(vectors: np.ndarray, k: int, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Each row's `k` nearest other rows: (indices, cosine similarities), most similar first.

    `vectors` are L2-normalised rows; `k` must be below their number. Ties keep the lower index.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) <= EXACT_MAX:
        indices = exact_neighbours(vectors, k, np.arange(len(vectors)))
    else:
        indices = _descent_neighbours(vectors, k, random_state)
    return _by_similarity(vectors, indices)


def exact_neighbours(vectors: np.ndarray, k: int, rows: np.ndarray) -> np.ndarray:
    """The exact `k` nearest other rows of `vectors[rows]`, unordered, block by block."""
    out = np.empty((len(rows), k), dtype=np.int64)
    for start in range(0, len(rows), BLOCK):
        block_rows = rows[start : start + BLOCK]
        block = vectors[block_rows] @ vectors.T
        block[np.arange(len(block_rows)), block_rows] = -np.inf
        out[start : start + len(block_rows)] = np.argpartition(-block, k - 1, axis=1)[:, :k]
    return out


def _descent_neighbours(vectors: np.ndarray, k: int, random_state: int) -> np.ndarray:
    """Approximate neighbours by NN-descent; rows it could not fill are searched exactly."""
    import warnings

    from evoc.knn_graph import knn_graph

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rows it could not fill are handled below
        graph = knn_graph(vectors, n_neighbors=k + 1, n_trees=N_TREES, random_state=random_state)[0].astype(np.int64)
    n = len(vectors)
    is_self = graph == np.arange(n)[:, None]
    is_self[~is_self.any(axis=1), -1] = True  # a row without itself (duplicates) drops its farthest
    indices = graph[~is_self].reshape(n, k)
    broken = np.flatnonzero((indices < 0).any(axis=1))
    if len(broken):
        indices[broken] = exact_neighbours(vectors, k, broken)
    return indices


def _by_similarity(vectors: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort each row's neighbours by similarity, highest first, ties by lower index."""
    indices = np.sort(indices, axis=1)
    sims = np.empty(indices.shape, dtype=np.float32)
    for start in range(0, len(indices), BLOCK):
        stop = start + BLOCK
        sims[start:stop] = np.einsum("ij,ikj->ik", vectors[start:stop], vectors[indices[start:stop]])
    order = np.argsort(-sims, axis=1, kind="stable")
    return np.take_along_axis(indices, order, axis=1), np.take_along_axis(sims, order, axis=1)
