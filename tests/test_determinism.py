"""Determinism (issue 6, item 11): the same input and options give byte-identical exports,
and shuffling the input rows gives the same partition (ARI 1.0 between the runs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import normalize

from analysis.export import write_export
from analysis.load import load_corpus
from analysis.pipeline import TopicMap
from conftest import BENCH, ROOT, SEED


def partition(labels: np.ndarray) -> list[str]:
    """Labels as a partition: each unclustered item its own group."""
    return [f"t{t}" if t >= 0 else f"noise{i}" for i, t in enumerate(labels)]


def assert_same_partition_under_shuffles(texts: list[str], vectors: np.ndarray, shuffles: int = 3) -> None:
    base = TopicMap(cache=False).fit(texts, embeddings=vectors)
    assert (base.labels_ >= 0).any()
    for seed in range(shuffles):
        order = np.random.default_rng(seed).permutation(len(texts))
        shuffled = TopicMap(cache=False).fit([texts[i] for i in order], embeddings=vectors[order])
        assert shuffled.level_ == base.level_
        for attribute in ("labels_", "story_labels_"):
            restored = np.empty(len(texts), dtype=np.int64)
            restored[order] = getattr(shuffled, attribute)
            ari = adjusted_rand_score(partition(getattr(base, attribute)), partition(restored))
            assert ari == 1.0, (seed, attribute, ari)
        assert sorted(shuffled.topics_["size"]) == sorted(base.topics_["size"])


def test_the_same_input_and_options_give_byte_identical_exports_across_processes(seed_run, tmp_path):
    """A second process, another hash seed, the model run again instead of the cache."""
    csv = tmp_path / "again.csv"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "topicmap"),
            "report",
            str(SEED),
            "-o",
            str(tmp_path / "again.html"),
            "--export",
            str(csv),
            "--no-cache",
            "-q",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert result.returncode == 0, result.stderr
    assert csv.read_bytes() == seed_run["csv"].read_bytes()


@pytest.fixture(scope="module")
def seed_vectors():
    from analysis.cache import default_cache_dir
    from analysis.embed import embed_texts

    docs = load_corpus(SEED)
    return docs, embed_texts(docs["text"].tolist(), cache_dir=default_cache_dir())


def test_two_fits_write_byte_identical_files_in_every_format(seed_vectors, tmp_path):
    docs, vectors = seed_vectors
    for run in ("a", "b"):
        frame = TopicMap(cache=False).fit(docs, embeddings=vectors).to_frame()
        for suffix in ("csv", "jsonl", "parquet"):
            write_export(frame, tmp_path / f"{run}.{suffix}")
    for suffix in ("csv", "jsonl", "parquet"):
        assert (tmp_path / f"a.{suffix}").read_bytes() == (tmp_path / f"b.{suffix}").read_bytes(), suffix


def test_shuffled_seed_rows_give_the_same_partition(seed_vectors):
    docs, vectors = seed_vectors
    assert_same_partition_under_shuffles(docs["text"].tolist(), vectors)


def test_shuffled_rows_of_a_larger_corpus_give_the_same_partition():
    """700 real headlines (past the 512-item background sample and the small-corpus paths),
    with vectors built from their gold stories so no model is needed: each story a direction,
    each headline that direction plus noise."""
    rows = pd.read_csv(BENCH / "uci_news_aggregator_6k.csv", keep_default_na=False).head(700)
    texts = [" ".join(t.split()) for t in rows["text"]]
    stories = pd.factorize(rows["story"])[0]
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((stories.max() + 1, 48))
    vectors = normalize(centres[stories] + 0.6 * rng.standard_normal((len(texts), 48))).astype(np.float32)
    assert_same_partition_under_shuffles(texts, vectors, shuffles=2)
