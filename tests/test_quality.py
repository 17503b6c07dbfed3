"""Topic quality on real labelled sets (UCI News Aggregator, 6,330 headlines; TREC tweet events), real model.

One embedding and one fit give both levels: stories against the gold story ids (87 events),
themes against the gold categories (4). Fixed bars are the best peers' scores from issue 3
(BERTopic tuned 0.72 on stories; agglomerative given the true k 0.46 on categories); the
2,000-item sample is scored against k-means and agglomerative clustering given the true k on
that same sample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import AgglomerativeClustering, KMeans

from analysis import TopicMap
from analysis.evaluate import score
from conftest import BENCH, real_vectors

pytestmark = pytest.mark.slow  # quality on real bench samples with the real model


@pytest.fixture(scope="module")
def uci():
    frame = pd.read_csv(BENCH / "uci_news_aggregator_6k.csv")
    embeddings = real_vectors(frame["text"])
    topic_map = TopicMap(level="auto", random_state=0).fit(frame, embeddings=embeddings)
    return frame, embeddings, topic_map


def peers_given_true_k(embeddings: np.ndarray, gold: pd.Series) -> dict[str, float]:
    """k-means and the better of Ward and average-cosine agglomerative, told the true k."""
    k = gold.nunique()
    kmeans = score(KMeans(k, n_init=4, random_state=0).fit_predict(embeddings), gold)["ari"]
    agglomerative = max(
        score(AgglomerativeClustering(k, linkage=linkage, metric=metric).fit_predict(embeddings), gold)["ari"]
        for linkage, metric in (("ward", "euclidean"), ("average", "cosine"))
    )
    return {"k-means": kmeans, "agglomerative": agglomerative}


def sample_rows(n: int, seed: int, size: int = 2000) -> np.ndarray:
    """A fixed random sample of `size` of n rows, in input order."""
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def fit_sample(frame: pd.DataFrame, embeddings: np.ndarray, level: str, seed: int):
    """(rows, sample, fitted TopicMap) for a 2,000-item sample of a labelled set at `level`."""
    rows = sample_rows(len(frame), seed)
    sample = frame.iloc[rows].reset_index(drop=True)
    return rows, sample, TopicMap(level=level, random_state=0).fit(sample, embeddings=embeddings[rows])


def test_stories_beat_the_best_peer(uci):
    frame, _, topic_map = uci
    result = score(topic_map.story_labels_, frame["story"])
    assert result["ari"] > 0.72
    assert 87 / 2 <= result["topics"] <= 87 * 2


def test_loose_headlines_join_their_story_round_after_round(uci):
    """A headline joins the story holding a strict majority of its neighbours, again once its
    neighbours have joined: one pass left 14% of UCI's headlines in no story, repeated 9%
    (TREC's tweet events: 12% and 6%, story ARI 0.752 and 0.833; benchmarks/results/quality.md)."""
    _, _, topic_map = uci
    assert np.mean(topic_map.story_labels_ < 0) < 0.11


def test_one_events_angles_merge_so_tweet_stories_beat_peers_given_the_true_count():
    """TREC's tweet events: HDBSCAN cuts a big event into its angles (ice fishing beside fly
    fishing); merged (`cluster.merge_close`), story ARI 0.833 -> 0.908, where agglomerative
    clustering told the true 89 events scores 0.841 (benchmarks/results/quality.md)."""
    frame = pd.read_csv(BENCH / "tweet_trec_events.csv", keep_default_na=False)
    embeddings = real_vectors(frame["text"])
    ours = score(TopicMap(level="story", random_state=0).fit(frame, embeddings=embeddings).labels_, frame["story"])
    peers = peers_given_true_k(embeddings, frame["story"])
    assert ours["ari"] > max(peers.values()), (ours["ari"], peers)
    assert 89 / 2 <= ours["topics"] <= 89 * 2


def test_themes_beat_the_best_peer_and_are_unions_of_stories(uci):
    frame, _, topic_map = uci
    result = score(topic_map.labels_, frame["label"])
    assert topic_map.level_ == "theme"  # auto picks themes for a large varied corpus
    assert result["ari"] > 0.46
    assert 2 <= result["topics"] <= 8
    assert result["unclustered"] < 0.15
    story, theme = topic_map.story_labels_, topic_map.labels_
    for s in np.unique(story[story >= 0]):
        assert len(np.unique(theme[story == s])) == 1


def test_stories_on_a_2000_item_sample_beat_peers_given_the_true_k(uci):
    frame, embeddings, _ = uci
    rows, sample, fitted = fit_sample(frame, embeddings, "story", seed=0)
    ours = score(fitted.labels_, sample["story"])
    for name, ari in peers_given_true_k(embeddings[rows], sample["story"]).items():
        assert ours["ari"] > ari, name
    assert sample["story"].nunique() / 2 <= ours["topics"] <= sample["story"].nunique() * 2


def test_themes_on_2000_item_samples_beat_peers_given_the_true_k_on_average(uci):
    # One 2,000-item sample is too few for a fair verdict at theme level (ours beat both peers on
    # 3 of 4 samples when measured), so the bar is the mean over four samples.
    frame, embeddings, _ = uci
    ours, peers = [], []
    for seed in range(4):
        rows, sample, fitted = fit_sample(frame, embeddings, "theme", seed=seed)
        result = score(fitted.labels_, sample["label"])
        assert 4 / 2 <= result["topics"] <= 4 * 2
        ours.append(result["ari"])
        peers.append(peers_given_true_k(embeddings[rows], sample["label"]))
    for name in peers[0]:
        assert np.mean(ours) > np.mean([peer[name] for peer in peers]), name


def test_a_2000_item_sample_of_many_sections_is_not_one_theme():
    # On small samples the structureless baseline's top merge is often a few outliers joining
    # the rest; cutting there once made a single theme of 2,000 HuffPost headlines.
    frame = pd.read_csv(BENCH / "huffpost_v3_2018_2022_10k.csv")
    sample = frame.iloc[sample_rows(len(frame), seed=0)]
    embeddings = real_vectors(sample["text"])
    fitted = TopicMap(level="theme", random_state=0).fit(sample.reset_index(drop=True), embeddings=embeddings)
    result = score(fitted.labels_, sample["label"])
    assert result["topics"] >= 3
    assert result["ari"] > 0.05


def test_topics_override_and_assign_noise(uci):
    frame, embeddings, _ = uci
    sample = frame.head(1500)
    forced = TopicMap(level="story", n_topics=12, assign_noise=True).fit(sample, embeddings=embeddings[:1500])
    assert len(forced.topics_) == 12
    assert (forced.labels_ >= 0).all()


def test_themes_on_a_2000_item_sample_match_k_means_given_our_count(uci):
    # Issue 18: at the count the significance test picks, the partition must be at least as good as
    # plain k-means told that same count (the cut tree alone was far below it on some sets).
    frame, embeddings, _ = uci
    rows, sample, fitted = fit_sample(frame, embeddings, "theme", seed=0)
    ours = score(fitted.labels_, sample["label"])
    kmeans = KMeans(ours["topics"], n_init=4, random_state=0).fit_predict(embeddings[rows])
    assert ours["ari"] >= score(kmeans, sample["label"])["ari"]
