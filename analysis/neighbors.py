"""Nearest neighbours of unit vectors by cosine similarity, for corpora of any size.

Up to EXACT_MAX items the neighbours are exact, computed in row blocks (never an n×n
matrix). Above, they come from a USearch HNSW graph (`_graph_neighbours`): a compiled wheel,
so no run pays a JIT compile. The graph is built in one thread, so the neighbours depend on
`random_state` only, not on the number of cores; searching it uses every core.
`benchmarks/neighbors.py` measures its recall and time against the exact search.
"""

from __future__ import annotations

import numpy as np

EXACT_MAX = 8_192  # above this, exact search costs more than the graph search
BLOCK = 1024  # rows per block of the exact search and of the candidates' ranking
CONNECTIVITY = 16  # HNSW links per item
EXPANSION = 64  # HNSW candidate list while building and searching
CANDIDATES = 30  # graph matches per item, re-ranked by exact similarity


def nearest_neighbours(vectors: np.ndarray, k: int, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Each row's `k` nearest other rows: (indices, cosine similarities), most similar first.

    `vectors` are L2-normalised rows; `k` must be below their number. Ties keep the lower index.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) <= EXACT_MAX:
        indices = exact_neighbours(vectors, k, np.arange(len(vectors)))
    else:
        indices = _graph_neighbours(vectors, k, random_state)
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


def _graph_neighbours(vectors: np.ndarray, k: int, random_state: int) -> np.ndarray:
    """Approximate neighbours from a USearch HNSW graph over 8-bit copies of the vectors:
    built in one thread (items in a seeded order) so the graph depends only on the seed,
    searched in all threads for CANDIDATES each, which are then ranked by exact similarity.
    Rows with fewer than `k` candidates besides themselves are searched exactly."""
    from usearch.index import BatchMatches, Index

    n = len(vectors)
    order = np.random.default_rng(random_state).permutation(n)
    index = Index(
        ndim=vectors.shape[1],
        metric="ip",
        dtype="i8",
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION,
        expansion_search=EXPANSION,
    )
    index.add(order, vectors[order], threads=1)
    wanted = min(n, max(CANDIDATES, k) + 1)
    found = index.search(vectors, wanted, threads=0)
    assert isinstance(found, BatchMatches)  # one row of matches per query
    candidates = np.asarray(found.keys, dtype=np.int64).reshape(n, wanted)
    valid = (np.arange(wanted) < np.asarray(found.counts)[:, None]) & (candidates != np.arange(n)[:, None])
    candidates = np.where(valid, candidates, 0)
    indices = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, BLOCK):
        rows = slice(start, start + BLOCK)
        sims = np.einsum("ij,ikj->ik", vectors[rows], vectors[candidates[rows]])
        sims[~valid[rows]] = -np.inf
        # highest similarity first, ties by lower index (candidates sorted, then a stable sort)
        by_index = np.argsort(candidates[rows], axis=1, kind="stable")
        ranked = np.take_along_axis(candidates[rows], by_index, 1)
        best = np.argsort(-np.take_along_axis(sims, by_index, 1), axis=1, kind="stable")[:, :k]
        indices[rows] = np.take_along_axis(ranked, best, 1)
    broken = np.flatnonzero(valid.sum(axis=1) < k)
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
