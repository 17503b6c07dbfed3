"""The embedding cache: keyed by model and exact text, atomic, shared safely, self-repairing."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys

import numpy as np
import pytest

from analysis import embed
from analysis.cache import MAX_SHARDS, EmbeddingCache, default_cache_dir, text_keys

TEXTS = ["Fed holds rates steady", "Fed holds rates steady ", "Storm hits the coast", "fed holds rates steady"]


def vectors_for(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 8)).astype(np.float32)


def test_a_key_is_the_exact_text():
    keys = text_keys(TEXTS + TEXTS[:1])
    assert len(set(keys[:4].tolist())) == 4  # a trailing space or a capital is another text
    assert keys[4] == keys[0]


def test_vectors_come_back_for_the_same_model_only(tmp_path):
    keys, vectors = text_keys(TEXTS), vectors_for(4)
    EmbeddingCache(tmp_path, "model-a").store(keys[:3], vectors[:3])
    found, cached = EmbeddingCache(tmp_path, "model-a").lookup(keys, 8)
    assert found.tolist() == [True, True, True, False]
    np.testing.assert_array_equal(cached, vectors[:3])
    found, cached = EmbeddingCache(tmp_path, "model-b").lookup(keys, 8)
    assert not found.any() and cached is None


def test_lookup_across_shards_keeps_the_order_asked(tmp_path):
    cache = EmbeddingCache(tmp_path, "m")
    keys, vectors = text_keys(TEXTS), vectors_for(4)
    cache.store(keys[[3, 0]], vectors[[3, 0]])
    cache.store(keys[[1]], vectors[[1]])
    found, cached = cache.lookup(keys[[0, 1, 2, 3]], 8)
    assert found.tolist() == [True, True, False, True]
    np.testing.assert_array_equal(cached, vectors[[0, 1, 3]])


def test_many_runs_leave_a_few_shards_and_every_vector(tmp_path):
    """Each run adds a shard and every lookup reads them all: past MAX_SHARDS the smallest are
    merged, and a large shard is left as it is."""
    cache = EmbeddingCache(tmp_path, "m")
    keys, vectors = text_keys([f"headline {i}" for i in range(1000)]), vectors_for(1000)
    cache.store(keys[:500], vectors[:500])
    (large,) = cache.folder.glob("*.npz")
    made = large.stat().st_mtime_ns
    for run in range(50):  # a run of ten new texts, and one text stored again
        chosen = list(range(500 + run * 10, 510 + run * 10)) + [run]
        cache.store(keys[chosen], vectors[chosen])
        assert len(list(cache.folder.glob("*.npz"))) <= MAX_SHARDS
    assert large.stat().st_mtime_ns == made
    found, cached = cache.lookup(keys, 8)
    assert found.all()
    np.testing.assert_array_equal(cached, vectors)


@pytest.mark.parametrize("save", [np.savez, np.savez_compressed])
def test_a_shard_written_otherwise_still_serves_its_vectors(tmp_path, save):
    """Shards of an earlier version (keys in any order) and compressed ones are read too."""
    cache = EmbeddingCache(tmp_path, "m")
    keys, vectors = text_keys([f"headline {i}" for i in range(50)]), vectors_for(50)
    cache.folder.mkdir(parents=True)
    with open(cache.folder / "old.npz", "wb") as handle:
        save(handle, keys=keys[::-1], vectors=vectors[::-1])
    found, cached = cache.lookup(keys[[7, 3, 7, 49]], 8)
    assert found.all()
    np.testing.assert_array_equal(cached, vectors[[7, 3, 7, 49]])


def test_an_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    cache = EmbeddingCache(tmp_path, "m")

    def dies_midway(handle, **arrays):
        handle.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        cache.store(text_keys(TEXTS), vectors_for(4))
    assert list(cache.folder.iterdir()) == []


def test_a_corrupt_shard_is_deleted_with_a_warning_and_rebuilt(tmp_path):
    texts = ["Storm hits the coast", "Markets rally on jobs data"]
    first = embed.embed_texts(texts, cache_dir=tmp_path)
    (shard,) = EmbeddingCache(tmp_path, embed.cache_key(None)).folder.glob("*.npz")
    shard.write_bytes(shard.read_bytes()[:100])
    with pytest.warns(UserWarning, match="corrupt.*will embed again"):
        again = embed.embed_texts(texts, cache_dir=tmp_path)
    np.testing.assert_allclose(again, first, atol=1e-5)
    found, _ = EmbeddingCache(tmp_path, embed.cache_key(None)).lookup(text_keys(texts), 384)
    assert found.all()


def test_a_rerun_encodes_only_new_texts(tmp_path, monkeypatch):
    embed.embed_texts(["Storm hits the coast"], cache_dir=tmp_path)
    encoded: list[str] = []
    real_encode = embed._encode

    def counting(texts, *args):
        encoded.extend(texts)
        return real_encode(texts, *args)

    monkeypatch.setattr(embed, "_encode", counting)
    vectors = embed.embed_texts(["Storm hits the coast", "New text", "New text"], cache_dir=tmp_path)
    assert encoded == ["New text"]
    np.testing.assert_array_equal(vectors[1], vectors[2])
    assert vectors.shape == (3, 384)


def _store_many(folder: str, worker: int) -> None:
    cache = EmbeddingCache(folder, "m")
    keys = text_keys([f"headline {i}" for i in range(200)])
    vectors = vectors_for(200)
    for round_ in range(20):  # every worker writes the same shards and some of its own
        cache.store(keys[round_ * 10 : round_ * 10 + 10], vectors[round_ * 10 : round_ * 10 + 10])
        cache.store(keys[[worker, round_]], vectors[[worker, round_]])
        cache.lookup(keys, 8)


def test_runs_sharing_a_cache_never_see_half_a_shard(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_store_many, args=(str(tmp_path), w)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    cache = EmbeddingCache(tmp_path, "m")
    assert not [p for p in cache.folder.iterdir() if p.suffix != ".npz"]  # no temporary file left
    found, cached = cache.lookup(text_keys([f"headline {i}" for i in range(200)]), 8)
    assert found.all()
    np.testing.assert_array_equal(cached, vectors_for(200))


def test_default_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("TOPICMAP_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "topicmap"
    monkeypatch.setenv("TOPICMAP_CACHE", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"


def test_numba_compiles_once_per_installation_not_per_cache_root(tmp_path):
    """topicmap leaves numba's compiled code where numba keeps it (beside the installed
    packages), so a new cache root does not compile umap again."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TOPICMAP_CACHE": str(tmp_path / "root")}
    code = "import analysis, numba; print(repr(numba.config.CACHE_DIR))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "''"


@pytest.mark.parametrize("damage", ["width", "nan", "strings", "directory"])
def test_a_shard_with_bad_vectors_is_dropped_and_embedded_again(tmp_path, damage):
    """Shape, dtype and finiteness are checked on read: garbage never reaches the topics, and
    the next run is not broken by it."""
    texts = ["Storm hits the coast", "Markets rally on jobs data"]
    first = embed.embed_texts(texts, cache_dir=tmp_path)
    cache = EmbeddingCache(tmp_path, embed.cache_key(None))
    (shard,) = cache.folder.glob("*.npz")
    keys = text_keys(texts)
    if damage == "directory":
        shard.unlink()
        shard.mkdir()
        (shard / "inside").write_text("x")
    else:
        vectors = {
            "width": np.ones((2, 7), np.float32),
            "nan": np.full((2, 384), np.nan, np.float32),
            "strings": np.array([["a"] * 384] * 2),
        }[damage]
        with open(shard, "wb") as handle:
            np.savez(handle, keys=keys, vectors=vectors)
    with pytest.warns(UserWarning, match="corrupt|not a file"):
        again = embed.embed_texts(texts, cache_dir=tmp_path)
    np.testing.assert_allclose(again, first, atol=1e-5)
    more = embed.embed_texts([*texts, "A third headline"], cache_dir=tmp_path)  # later runs work too
    assert more.shape == (3, 384) and np.isfinite(more).all()


def test_model_width_is_read_from_the_folder_without_loading_the_model():
    code = (
        "import sys; from analysis.embed import model_dimension; "
        "print(model_dimension(None), 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["384", "False"]


def test_folder_width_follows_pooling_modes_and_dense_layers(tmp_path):
    import json

    from analysis.embed import folder_dimension

    def module(kind: str, path: str) -> dict:
        return {"type": f"sentence_transformers.models.{kind}", "path": path}

    (tmp_path / "config.json").write_text(json.dumps({"hidden_size": 384}))
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": 384, "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": True})
    )
    modules = [module("Transformer", ""), module("Pooling", "1_Pooling"), module("Normalize", "2_Normalize")]
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    assert folder_dimension(tmp_path) == 768
    (tmp_path / "2_Dense").mkdir()
    (tmp_path / "2_Dense" / "config.json").write_text(json.dumps({"in_features": 768, "out_features": 128}))
    (tmp_path / "modules.json").write_text(json.dumps([*modules[:2], module("Dense", "2_Dense")]))
    assert folder_dimension(tmp_path) == 128
    (tmp_path / "modules.json").write_text(json.dumps([*modules, module("SomethingNew", "3_New")]))
    assert folder_dimension(tmp_path) is None  # unknown kind: the model is loaded instead
