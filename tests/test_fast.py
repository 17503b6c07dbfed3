"""The fast path: the static model distilled from the packaged MiniLM, and the sampled layout.

The static model is distilled for real, offline, once per test session (a couple of minutes
on 2 cores) by a quiet CLI run into a session folder that stands for the cache root.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from analysis import TopicMap, embed, project
from analysis.cache import EmbeddingCache
from analysis.evaluate import score
from conftest import BENCH, SEED, topicmap


@pytest.fixture(autouse=True)
def models_under_the_cache_root(monkeypatch):
    """These tests check where the static model is built: under the cache root, as for a user
    (the other tests share one build through $TOPICMAP_MODELS)."""
    monkeypatch.delenv("TOPICMAP_MODELS", raising=False)


@pytest.fixture(scope="session")
def static_run(tmp_path_factory) -> tuple:
    """`topicmap report data/seed.txt --model static -q --cache ROOT`: distils into
    ROOT/models/static-<hash>, as a new user's first fast-path run does."""
    root, out = tmp_path_factory.mktemp("static-cache"), tmp_path_factory.mktemp("static-report")
    env = {name: value for name, value in os.environ.items() if name != "TOPICMAP_MODELS"}
    result = topicmap(
        "report", str(SEED), "-o", str(out / "r.html"), "-q", "--model", "static", "--cache", str(root), env=env
    )
    return root, result


@pytest.fixture(scope="session")
def static_root(static_run):
    return static_run[0]


@pytest.mark.slow  # distils the static model
def test_distilling_the_static_model_under_quiet_prints_nothing_and_follows_the_umask(static_run):
    root, result = static_run
    assert result.returncode == 0 and result.stderr == "", result.stderr
    (folder,) = (root / "models").iterdir()
    mask = os.umask(0)
    os.umask(mask)
    assert _mode(folder) == 0o777 & ~mask and _mode(folder / "model.safetensors") == 0o666 & ~mask


def _mode(path) -> int:
    return os.stat(path).st_mode & 0o777


@pytest.mark.slow  # distils the static model
def test_static_model_is_distilled_offline_once_under_the_cache_root(static_root):
    from analysis import static

    folder = static_root / "models" / static.static_model_name(embed.DEFAULT_MODEL)
    assert (folder / "modules.json").is_file()
    made = (folder / "modules.json").stat().st_mtime_ns
    assert (
        static.static_model_path(embed.DEFAULT_MODEL, embed.default_model_path(), static_root) == folder
    )  # found, not distilled again
    assert (folder / "modules.json").stat().st_mtime_ns == made
    assert [p.name for p in (static_root / "models").iterdir()] == [folder.name]  # no temporary left
    assert embed.model_dimension("static", static_root) == static.PCA_DIMS
    assert embed.model_identity("static") == "static (distilled from all-MiniLM-L6-v2)"


@pytest.mark.slow  # distils the static model
def test_static_vectors_have_their_own_cache_keys(static_root):
    assert embed.cache_key("static") != embed.cache_key(None)
    texts = ["Storm hits the coast", "Central bank raises rates"]
    vectors = embed.embed_texts(texts, "static", cache_dir=static_root)
    assert vectors.shape == (2, 256) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    static_cache = EmbeddingCache(static_root, embed.cache_key("static"))
    minilm_cache = EmbeddingCache(static_root, embed.cache_key(None))
    assert static_cache.folder != minilm_cache.folder and static_cache.folder.is_dir()
    from analysis.cache import text_keys

    found, cached = static_cache.lookup(text_keys(texts), 256)
    assert found.all()
    np.testing.assert_array_equal(cached, vectors)


@pytest.fixture(scope="module")
def uci_sample():
    frame = pd.read_csv(BENCH / "uci_news_aggregator_6k.csv")
    return frame.sample(2000, random_state=0).reset_index(drop=True)


@pytest.mark.slow  # distils the static model
def test_static_path_is_deterministic(static_root, uci_sample):
    sample = uci_sample.head(1000)  # past the 512-item background sample
    first = TopicMap(model="static", cache=str(static_root), random_state=0).fit(sample)
    again = TopicMap(model="static", cache=str(static_root), random_state=0).fit(sample.iloc[::-1])
    np.testing.assert_array_equal(first.labels_, again.labels_[::-1])
    np.testing.assert_array_equal(first.coords_, again.coords_[::-1])


# Measured on this sample (seed 0): stories ARI 0.678 on the static path against 0.778 on
# MiniLM, a gap of 0.100 (the static vectors lose 0.100 on the whole UCI set too,
# benchmarks/results/paths.md); the bar is that gap and a little (0.025) for numeric drift,
# so a change that widens it fails. It was 0.693 against 0.761 until "(Video)", which ends
# 21 of these 2,000 items (1%), became a tail that ties no stories (analysis/credits.py).
STORY_MARGIN = 0.125


@pytest.mark.slow  # distils the static model
def test_static_path_keeps_story_quality_on_a_2000_item_sample(static_root, uci_sample):
    minilm = TopicMap(random_state=0).fit(uci_sample)
    fast = TopicMap(model="static", cache=str(static_root), random_state=0).fit(uci_sample)
    ours, theirs = (
        score(fast.story_labels_, uci_sample["story"])["ari"],
        score(minilm.story_labels_, uci_sample["story"])["ari"],
    )
    print(f"stories ARI: static {ours:.3f}, MiniLM {theirs:.3f}")
    assert ours >= theirs - STORY_MARGIN


def test_sampled_layout_places_every_item_and_keeps_the_samples_map():
    from analysis.cluster import _embedding_neighbours

    rng = np.random.default_rng(0)
    centres = rng.standard_normal((6, 24))
    vectors = centres[rng.integers(0, 6, 900)] + 0.3 * rng.standard_normal((900, 24))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    knn = _embedding_neighbours(vectors, 30, 0)
    coords = project.sampled_layout(vectors, knn, random_state=0, size=300)
    assert coords.shape == (900, 2) and np.isfinite(coords).all()
    sample = np.sort(np.random.default_rng(0).choice(900, 300, replace=False))
    alone = project.sampled_layout(
        vectors[sample], _embedding_neighbours(vectors[sample], 30, 0), random_state=0, size=300
    )
    np.testing.assert_array_equal(coords[sample], alone)
