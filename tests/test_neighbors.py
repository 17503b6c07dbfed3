"""Nearest neighbours: exact in blocks for small corpora, inverted lists above, both deterministic."""

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
    """Use the inverted-list search from the first item on, as corpora above EXACT_MAX do."""
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


def runs_without(module: str, rows: int, search: str) -> None:
    """Run `search` on `v`, `rows` random unit rows, in a fresh process (imports there are the
    run's own) and check it never imported `module`."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np; from analysis import assign, neighbors; "
        f"v = np.random.default_rng(0).normal(size=({rows}, 16)).astype(np.float32); "
        f"v /= np.linalg.norm(v, axis=1, keepdims=True); {search}; "
        f"assert {module!r} not in sys.modules, '{module} was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_graph_needs_no_numba():
    """The approximate search is numpy and BLAS: no JIT compile on a first run."""
    runs_without("numba", 300, "neighbors.EXACT_MAX = 0; neighbors.nearest_neighbours(v, 5)")


@pytest.fixture(scope="module")
def headline_vectors() -> np.ndarray:
    """4,000 real headlines of data/bench as unit LSA vectors (tf-idf, 96 SVD components):
    real text's uneven neighbourhoods, without a model to load."""
    from pathlib import Path

    import pandas as pd
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    path = Path(__file__).resolve().parents[1] / "data" / "bench" / "huffpost_v3_2018_2022_10k.csv"
    texts = pd.read_csv(path)["text"].astype(str).drop_duplicates().head(4000).tolist()
    tfidf = TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(texts)
    return normalize(TruncatedSVD(96, random_state=0).fit_transform(tfidf)).astype(np.float32)


def test_inverted_lists_find_almost_all_true_neighbours_of_real_headlines(monkeypatch, headline_vectors):
    monkeypatch.setattr(neighbors, "EXACT_MAX", 1000)  # 4,000 items: above it
    indices, sims = neighbors.nearest_neighbours(headline_vectors, 30, random_state=0)
    exact = brute_force(headline_vectors, 30)
    recall = np.mean([len(set(a) & set(b)) / 30 for a, b in zip(indices, exact)])
    assert recall > 0.95
    assert all(len(set(row)) == 30 for row in indices)
    assert not (indices == np.arange(len(indices))[:, None]).any()
    np.testing.assert_allclose(sims, np.einsum("ij,ikj->ik", headline_vectors, headline_vectors[indices]), rtol=1e-5)


def test_each_step_of_the_search_adds_recall(monkeypatch, headline_vectors):
    """Both directions of the lists and the refinement each find true neighbours the rest miss."""
    monkeypatch.setattr(neighbors, "EXACT_MAX", 0)
    exact = brute_force(headline_vectors, 30)

    def recall() -> float:
        found, _ = neighbors.nearest_neighbours(headline_vectors, 30, random_state=0)
        return float(np.mean([len(set(a) & set(b)) / 30 for a, b in zip(found, exact)]))

    full = recall()
    monkeypatch.setattr(neighbors, "REFINE_ROUNDS", 0)
    unrefined = recall()
    monkeypatch.setattr(neighbors, "_probes", lambda n, n_lists: 1)
    own_list_only = recall()
    assert full > unrefined + 0.005 > own_list_only + 0.1


def test_same_neighbours_whatever_the_number_of_threads(monkeypatch, headline_vectors):
    """Bit for bit, with 1 or 5 worker threads and BLAS held to one thread or not, on both paths."""
    from threadpoolctl import threadpool_limits

    vectors = headline_vectors[:2500]
    for exact_max in (0, 10_000):
        monkeypatch.setattr(neighbors, "EXACT_MAX", exact_max)
        monkeypatch.setattr(neighbors, "_cores", lambda: 5)
        first = neighbors.nearest_neighbours(vectors, 20, random_state=7)
        monkeypatch.setattr(neighbors, "_cores", lambda: 1)
        with threadpool_limits(1):
            second = neighbors.nearest_neighbours(vectors, 20, random_state=7)
        np.testing.assert_array_equal(first[0], second[0])
        np.testing.assert_array_equal(first[1], second[1])


def test_same_neighbours_in_a_process_with_one_blas_thread(monkeypatch, headline_vectors, tmp_path):
    import os
    import subprocess
    import sys

    monkeypatch.setattr(neighbors, "EXACT_MAX", 0)
    np.save(tmp_path / "v.npy", headline_vectors)
    here = neighbors.nearest_neighbours(headline_vectors, 15, random_state=1)
    code = (
        "import sys, numpy as np; from analysis import neighbors; neighbors.EXACT_MAX = 0; "
        "i, s = neighbors.nearest_neighbours(np.load(sys.argv[1]), 15, random_state=1); "
        "np.save(sys.argv[2], i); np.save(sys.argv[3], s)"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    paths = [str(tmp_path / name) for name in ("v.npy", "i.npy", "s.npy")]
    subprocess.run([sys.executable, "-c", code, *paths], check=True, env=env)
    np.testing.assert_array_equal(here[0], np.load(paths[1]))
    np.testing.assert_array_equal(here[1], np.load(paths[2]))


def test_seeds_change_the_lists_not_the_quality(graph_only, headline_vectors):
    a, _ = neighbors.nearest_neighbours(headline_vectors, 15, random_state=0)
    b, _ = neighbors.nearest_neighbours(headline_vectors, 15, random_state=1)
    assert (a != b).any()
    assert np.mean([len(set(x) & set(y)) / 15 for x, y in zip(a, b)]) > 0.9


@pytest.mark.parametrize("exact_max", [0, 10_000])
def test_equal_similarities_list_the_lower_index_first(monkeypatch, exact_max):
    """Copies scattered among other items: each copy's neighbours are copies (similarity 1),
    in increasing index order, on both paths."""
    monkeypatch.setattr(neighbors, "EXACT_MAX", exact_max)
    rest = clustered(900, seed=4)
    copies = np.flatnonzero(np.random.default_rng(5).permutation(960) < 60)  # 60 copies, scattered
    vectors = np.empty((960, rest.shape[1]), dtype=np.float32)
    vectors[copies] = clustered(1, seed=6)
    vectors[np.setdiff1d(np.arange(960), copies)] = rest
    indices, sims = neighbors.nearest_neighbours(vectors, 12, random_state=0)
    assert np.isin(indices[copies], copies).all()
    assert (sims[copies] == sims[copies][:, :1]).all()  # all exactly equal
    assert (np.diff(indices[copies], axis=1) > 0).all()
    equal = np.diff(sims, axis=1) == 0
    assert (np.diff(indices, axis=1)[equal] > 0).all()


@pytest.mark.parametrize("n", [7, 300, 1000, 4099])
def test_placing_finds_the_exact_nearest_with_ties_to_the_lower_index(n):
    """`assign.nearest` (how new items find their place) returns what a full sort by
    (similarity, then index) returns, also where similarities tie and where the reference is
    not a whole number of groups."""
    from analysis import assign

    rng = np.random.default_rng(n)
    reference = normalize(rng.normal(size=(n, 12))).astype(np.float32)
    reference[n // 2] = reference[1]  # the same text twice
    reference[n - min(15, n - 3) :] = reference[2]  # more copies than neighbours kept
    queries = np.vstack([reference[[1, 2, 0]], normalize(rng.normal(size=(40, 12)))]).astype(np.float32)
    indices, sims = assign.nearest(reference, queries, k=10)
    block = queries @ reference.T
    columns = np.broadcast_to(np.arange(n), block.shape)
    expected = np.lexsort((columns, -block), axis=1)[:, : min(10, n)]
    np.testing.assert_array_equal(indices, expected)
    np.testing.assert_array_equal(sims, np.take_along_axis(block, expected, axis=1))


def test_placing_new_items_needs_no_torch():
    """An update on the ONNX path placed its items with torch.topk: a 2 s import for ten
    neighbours."""
    runs_without("torch", 3000, "assign.nearest(v, v[:600])")
