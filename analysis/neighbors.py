"""Nearest neighbours of unit vectors by cosine similarity, for corpora of any size.

Up to EXACT_MAX items the neighbours are exact, computed in row blocks (never an n×n
matrix). Above, they come from an inverted-file search in numpy (`_ivf_neighbours`):

1. a spherical k-means (KMEANS_ITERATIONS rounds, on a seeded sample) cuts the items into
   about √n lists;
2. each item probes its PROBES most similar lists: one matrix product per list (the items
   probing it × its members) gives every probing item its best `k` members, and every member
   its best `k` probing items (the product is used both ways, so a pair is found when either
   item probes the other's list: recall 0.80 → 0.88 at the same cost);
3. REFINE_ROUNDS rounds of "neighbours of neighbours" (each item's REFINE_FANOUT best
   neighbours' REFINE_FANOUT best) add the pairs the lists missed.

Every matrix product runs with BLAS held to one thread, on blocks whose shapes depend only
on the data and the seed; the blocks are spread over the cores by a thread pool. So the
result is the same bit for bit whatever the number of cores or BLAS threads. The exact
search runs the same way. No JIT compile: numpy, scipy and threadpoolctl only.

Measured in one run on 2 cores shared with other work (load average 7-8), 256-d
static-model headline vectors, k = 30 (`benchmarks/results/neighbors.md`): at 100,000 items
(41,203 real headlines, the rest perturbed copies) 14.8 s and recall@30 0.922, against 50.0 s
and 0.915 for the USearch HNSW graph used before (built in one thread for determinism, i8,
16 links, expansion 64, searched on all cores; 13.7 s at load 3): 0.30 of its time. On the
41,203 real headlines alone: 5.9 s and 0.952 against 15.6 s and 0.917. On 10,000 HuffPost
headlines: recall@30 0.987, recall@5 0.994 (USearch: 0.913, 0.981).

Tried and rejected, at 100,000 items: the lists searched one way only (recall 0.80 at 6 of
316 lists, 0.86 at 16 of 1,000, each slower than the graph); a second refinement round
(+0.008 recall for +20 % time); faiss-cpu 1.15 IVFFlat on the same lists (no faster per
recall than the numpy scan: 0.80 at 6 of 316 lists in 15.6 s under load, and a 30 MB
dependency); USearch with a cheaper build (expansion 32: build 5.3 s instead of 11.8 s, but
recall 0.83, and the search still took 12 s). Threads share the process's BLAS setting:
while a search runs, BLAS in other threads of the process is held to one thread too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

EXACT_MAX = 8_192  # above this, exact search costs more than the inverted-file search
BLOCK = 1024  # rows per block of the exact search and of the candidates' ranking
PROBES = 7  # lists each item probes at 100,000 items and above; more below (`_probes`)
PROBES_AT = 100_000
KMEANS_ITERATIONS = 8
KMEANS_SAMPLE = 20  # items sampled per list to fit the k-means
QUERY_BLOCK = 4096  # probing items per matrix product
REFINE_ROUNDS = 1
REFINE_FANOUT = 8  # neighbours whose neighbours are candidates, per item and round
REFINE_BLOCK = 256  # rows per block of the refinement

T = TypeVar("T")


def nearest_neighbours(vectors: np.ndarray, k: int, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Each row's `k` nearest other rows: (indices, cosine similarities), most similar first.

    `vectors` are L2-normalised rows; `k` must be below their number. Ties keep the lower index.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    with threadpool_limits(1), ThreadPoolExecutor(_cores()) as pool:
        run = _runner(pool)
        if len(vectors) <= EXACT_MAX:
            indices = _exact(vectors, k, np.arange(len(vectors)), run)
        else:
            indices = _ivf_neighbours(vectors, k, random_state, run)
        return _by_similarity(vectors, indices, run)


def exact_neighbours(vectors: np.ndarray, k: int, rows: np.ndarray) -> np.ndarray:
    """The exact `k` nearest other rows of `vectors[rows]`, unordered, block by block."""
    with threadpool_limits(1), ThreadPoolExecutor(_cores()) as pool:
        return _exact(np.ascontiguousarray(vectors, dtype=np.float32), k, rows, _runner(pool))


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _runner(pool: ThreadPoolExecutor) -> Callable[[Callable[[int], T], Iterable[int]], list[T]]:
    """Runs a function over the pool, results in order (numpy releases the GIL in BLAS,
    sorting and gathering, so the threads share the cores)."""
    return lambda function, items: list(pool.map(function, items))


def _exact(vectors: np.ndarray, k: int, rows: np.ndarray, run) -> np.ndarray:
    out = np.empty((len(rows), k), dtype=np.int64)

    def block(start: int) -> None:
        block_rows = rows[start : start + BLOCK]
        sims = vectors[block_rows] @ vectors.T
        sims[np.arange(len(block_rows)), block_rows] = -np.inf
        out[start : start + len(block_rows)] = np.argpartition(sims, sims.shape[1] - k, axis=1)[:, -k:]

    run(block, range(0, len(rows), BLOCK))
    return out


def _ivf_neighbours(vectors: np.ndarray, k: int, random_state: int, run) -> np.ndarray:
    """Approximate neighbours, unordered: inverted lists searched both ways, then refined.
    Rows left with fewer than `k` candidates are searched exactly."""
    n = len(vectors)
    rng = np.random.default_rng(random_state)
    n_lists = max(1, int(round(np.sqrt(n))))
    centroids = _spherical_kmeans(vectors, n_lists, rng, run)
    probes_per_item = _probes(n, n_lists)
    probes = np.vstack(
        run(lambda start: _best_lists(vectors[start : start + BLOCK], centroids, probes_per_item), range(0, n, BLOCK))
    )
    own = probes[:, 0]
    members = np.argsort(own, kind="stable")
    member_bounds = np.searchsorted(own[members], np.arange(n_lists + 1))
    place = np.empty(n, dtype=np.int64)  # each item's position in its own list
    place[members] = np.arange(n) - member_bounds[own[members]]
    pairs = np.argsort(probes.ravel(), kind="stable")  # (item, probe) pairs, grouped by list
    pair_bounds = np.searchsorted(probes.ravel()[pairs], np.arange(n_lists + 1))
    width = (probes_per_item + 1) * k  # k from each probed list, k as a member
    candidates = np.full((n, width), -1, dtype=np.int64)
    sims = np.full((n, width), -np.inf, dtype=np.float32)

    def scan(lst: int) -> None:
        mine = members[member_bounds[lst] : member_bounds[lst + 1]]
        probing = pairs[pair_bounds[lst] : pair_bounds[lst + 1]]
        queries, slots = probing // probes_per_item, probing % probes_per_item
        if len(mine) == 0 or len(queries) == 0:
            return
        mine_vectors = vectors[mine]
        column_found, column_sims = [], []
        take = min(k, len(mine))
        for start in range(0, len(queries), QUERY_BLOCK):
            query, slot = queries[start : start + QUERY_BLOCK], slots[start : start + QUERY_BLOCK]
            block = vectors[query] @ mine_vectors.T
            selves = np.flatnonzero(own[query] == lst)
            block[selves, place[query[selves]]] = -np.inf
            best = np.argpartition(block, len(mine) - take, axis=1)[:, -take:]
            columns = slot[:, None] * k + np.arange(take)
            candidates[query[:, None], columns] = mine[best]
            sims[query[:, None], columns] = np.take_along_axis(block, best, 1)
            by_member = np.ascontiguousarray(block.T)
            back = min(k, len(query))
            best = np.argpartition(by_member, len(query) - back, axis=1)[:, -back:]
            column_found.append(query[best])
            column_sims.append(np.take_along_axis(by_member, best, 1))
        found, found_sims = np.hstack(column_found), np.hstack(column_sims)
        if found.shape[1] > k:
            best = np.argpartition(found_sims, found.shape[1] - k, axis=1)[:, -k:]
            found, found_sims = np.take_along_axis(found, best, 1), np.take_along_axis(found_sims, best, 1)
        columns = probes_per_item * k + np.arange(found.shape[1])
        candidates[mine[:, None], columns] = found
        sims[mine[:, None], columns] = found_sims

    run(scan, range(n_lists))
    picked = run(
        lambda start: _pick(candidates[start : start + BLOCK], sims[start : start + BLOCK], k), range(0, n, BLOCK)
    )
    indices, best_sims = np.vstack([p[0] for p in picked]), np.vstack([p[1] for p in picked])
    broken = np.flatnonzero((indices < 0).any(axis=1))
    if len(broken):
        indices[broken] = _exact(vectors, k, broken, run)
        best_sims[broken] = np.einsum("ij,ikj->ik", vectors[broken], vectors[indices[broken]])
    fanout = min(REFINE_FANOUT, k)
    for _ in range(REFINE_ROUNDS):
        refined = run(partial(_refine, vectors, indices, best_sims, fanout=fanout), range(0, n, REFINE_BLOCK))
        indices, best_sims = np.vstack([r[0] for r in refined]), np.vstack([r[1] for r in refined])
    return indices


def _probes(n: int, n_lists: int) -> int:
    """Lists each item probes: PROBES at PROBES_AT items and above, PROBES × √(PROBES_AT / n)
    below (the scan, n × probes × √n, stays well under its cost at PROBES_AT), up to a quarter
    of the lists. Smaller corpora need it: on 10,000 HuffPost headlines 7 of 100 lists gave
    recall@30 0.894 and recall@5 0.936 (USearch: 0.913, 0.981); 12 gave 0.951 and 0.975."""
    wanted = int(PROBES * np.sqrt(PROBES_AT / n)) if n < PROBES_AT else PROBES
    return max(1, min(n_lists, max(PROBES, min(wanted, n_lists // 4))))


def _spherical_kmeans(vectors: np.ndarray, n_lists: int, rng: np.random.Generator, run) -> np.ndarray:
    """Unit centroids of a k-means by cosine on a seeded sample of the rows."""
    sample = vectors[np.sort(rng.choice(len(vectors), min(len(vectors), KMEANS_SAMPLE * n_lists), replace=False))]
    centroids = sample[np.sort(rng.choice(len(sample), n_lists, replace=False))].copy()
    for _ in range(KMEANS_ITERATIONS):
        labels = np.concatenate(
            run(
                lambda start: np.argmax(sample[start : start + BLOCK] @ centroids.T, axis=1),
                range(0, len(sample), BLOCK),
            )
        )
        one_hot = sparse.csr_matrix(
            (np.ones(len(sample), dtype=np.float32), (labels, np.arange(len(sample)))), shape=(n_lists, len(sample))
        )
        sums = np.asarray(one_hot @ sample)
        norms = np.linalg.norm(sums, axis=1)
        kept = norms > 0  # an empty list keeps its centroid
        centroids[kept] = sums[kept] / norms[kept, None]
    return centroids


def _best_lists(block: np.ndarray, centroids: np.ndarray, count: int) -> np.ndarray:
    """Each row's `count` most similar centroids, most similar first (ties: lower index)."""
    sims = block @ centroids.T
    best = np.sort(np.argpartition(sims, sims.shape[1] - count, axis=1)[:, -count:], axis=1)
    order = np.argsort(-np.take_along_axis(sims, best, 1), axis=1, kind="stable")
    return np.take_along_axis(best, order, 1)


def _pick(candidates: np.ndarray, sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The `k` most similar distinct candidates of each row, most similar first (ties: lower
    index); -1 where a row has fewer. A candidate appears at most twice (found from its list
    and as a member), so the best 2k hold k distinct ones."""
    wide = min(2 * k, candidates.shape[1])
    best = np.argpartition(sims, sims.shape[1] - wide, axis=1)[:, -wide:]
    found, found_sims = np.take_along_axis(candidates, best, 1), np.take_along_axis(sims, best, 1)
    return _best_distinct(found, found_sims, k)


def _best_distinct(found: np.ndarray, found_sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The `k` most similar distinct entries of each row of `found` and their similarities,
    most similar first (ties: lower index); -1 where a row has fewer."""
    by_index = np.argsort(found, axis=1, kind="stable")
    found, found_sims = np.take_along_axis(found, by_index, 1), np.take_along_axis(found_sims, by_index, 1)
    found_sims[:, 1:][found[:, 1:] == found[:, :-1]] = -np.inf
    best = np.argsort(-found_sims, axis=1, kind="stable")[:, :k]
    best_sims = np.take_along_axis(found_sims, best, 1)
    return np.where(best_sims > -np.inf, np.take_along_axis(found, best, 1), -1), best_sims


def _refine(
    vectors: np.ndarray, indices: np.ndarray, sims: np.ndarray, start: int, fanout: int
) -> tuple[np.ndarray, np.ndarray]:
    """Rows `start`… of `indices` (most similar first) and their `sims`, improved by their
    neighbours' neighbours."""
    rows = np.arange(start, min(len(indices), start + REFINE_BLOCK))
    new = indices[indices[rows, :fanout], :fanout].reshape(len(rows), -1)
    new_sims = np.matmul(vectors[new], vectors[rows][:, :, None])[:, :, 0]
    new_sims[new == rows[:, None]] = -np.inf
    return _best_distinct(np.hstack([indices[rows], new]), np.hstack([sims[rows], new_sims]), indices.shape[1])


def _by_similarity(vectors: np.ndarray, indices: np.ndarray, run) -> tuple[np.ndarray, np.ndarray]:
    """Sort each row's neighbours by similarity, highest first, ties by lower index."""
    indices = np.sort(indices, axis=1)
    sims = np.empty(indices.shape, dtype=np.float32)

    def block(start: int) -> None:
        stop = start + BLOCK
        sims[start:stop] = np.einsum("ij,ikj->ik", vectors[start:stop], vectors[indices[start:stop]])

    run(block, range(0, len(indices), BLOCK))
    order = np.argsort(-sims, axis=1, kind="stable")
    return np.take_along_axis(indices, order, axis=1), np.take_along_axis(sims, order, axis=1)
