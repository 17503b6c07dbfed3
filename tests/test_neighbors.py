"""Nearest neighbours: exact in blocks for small corpora, an HNSW graph above, both deterministic."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.preprocessing import normalize

from analysis import neighbors


def clustered(n: int, seed: int = 0, spread: float = 0.6) -> np.ndarray:
    """Unit vectors in 50 loose groups, like topics in embedding space."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(50, 64))
    return normalize(centres[rng.integers(0, 50, n)] + rng.normal(0, spread, (n, 64))).astype(np.float32)


def brute_force(vectors: np.ndarray, k: int) -> np.ndarray:
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    return np.argsort(-sims, axis=1, kind="stable")[:, :k]


def test_exact_neighbours_are_the_most_similar_others_in_order():
    vectors = clustered(700)
    indices, sims = neighbors.nearest_neighbours(vectors, 10)
    np.testing.assert_array_equal(indices, brute_force(vectors, 10))
    np.testing.assert_allclose(sims, np.einsum("ij,ikj->ik", vectors, vectors[indices]), rtol=1e-5)
    assert (np.diff(sims, axis=1) <= 0).all()
    assert not (indices == np.arange(700)[:, None]).any()


@pytest.fixture
def graph_only(monkeypatch):
    """Use the HNSW graph from the first item on, as corpora above EXACT_MAX do."""
    monkeypatch.setattr(neighbors, "EXACT_MAX", 0)


def test_graph_finds_almost_all_true_neighbours(graph_only):
    vectors = clustered(3000)
    indices, sims = neighbors.nearest_neighbours(vectors, 15, random_state=0)
    exact = brute_force(vectors, 15)
    recall = np.mean([len(set(a) & set(b)) / 15 for a, b in zip(indices, exact)])
    assert recall > 0.95
    assert ((indices >= 0) & (indices != np.arange(3000)[:, None])).all()
    assert all(len(set(row)) == 15 for row in indices)
    assert (np.diff(sims, axis=1) <= 0).all()


def test_graph_is_deterministic_for_a_seed(graph_only):
    vectors = clustered(3000, spread=1.5)  # hard: little structure, the graph has choices to make
    first = neighbors.nearest_neighbours(vectors, 15, random_state=3)
    second = neighbors.nearest_neighbours(vectors, 15, random_state=3)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_duplicates_never_list_an_item_as_its_own_neighbour(graph_only):
    vectors = np.vstack([np.repeat(clustered(1, seed=1), 40, axis=0), clustered(600)])
    indices, sims = neighbors.nearest_neighbours(vectors, 10)
    assert not (indices == np.arange(len(vectors))[:, None]).any()
    assert all(len(set(row)) == 10 for row in indices)
    np.testing.assert_allclose(sims[:40], 1.0, atol=1e-5)  # a copy's neighbours are its copies
    assert (indices[:40] < 40).all()


def test_graph_on_a_few_items_finds_them_all(graph_only):
    vectors = clustered(40, seed=2)
    indices, _ = neighbors.nearest_neighbours(vectors, 15, random_state=1)
    np.testing.assert_array_equal(np.sort(indices, axis=1), np.sort(brute_force(vectors, 15), axis=1))


def test_graph_needs_no_numba():
    """The approximate search is compiled ahead of time: no JIT compile on a first run."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np; from analysis import neighbors; neighbors.EXACT_MAX = 0; "
        "v = np.random.default_rng(0).normal(size=(300, 16)).astype(np.float32); "
        "v /= np.linalg.norm(v, axis=1, keepdims=True); neighbors.nearest_neighbours(v, 5); "
        "assert 'numba' not in sys.modules, 'numba was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
