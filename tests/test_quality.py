"""Topic quality on a real labelled news set (UCI News Aggregator, 6,330 headlines), real model.

One embedding and one clustering run give both levels: stories against the gold story ids
(87 events), themes against the gold categories (4). The bars are the best peers' scores
(BERTopic tuned 0.72 on stories; agglomerative given the true k 0.46 on categories).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import TopicMap
from analysis.cluster import cluster_levels
from analysis.embed import embed_texts
from analysis.evaluate import score
from conftest import BENCH


@pytest.fixture(scope="module")
def uci(tmp_path_factory):
    frame = pd.read_csv(BENCH / "uci_news_aggregator_6k.csv")
    embeddings = embed_texts(frame["text"].tolist(), cache_dir=tmp_path_factory.mktemp("cache"))
    return frame, embeddings, cluster_levels(embeddings, frame["text"].tolist(), level="auto", random_state=0)


def test_stories_beat_the_best_peer(uci):
    frame, _, levels = uci
    result = score(levels["story"], frame["story"])
    assert result["ari"] > 0.72
    assert 87 / 2 <= result["topics"] <= 87 * 2


def test_themes_beat_the_best_peer_and_are_unions_of_stories(uci):
    frame, _, levels = uci
    result = score(levels["theme"], frame["label"])
    assert result["ari"] > 0.46
    assert 2 <= result["topics"] <= 8
    assert result["unclustered"] < 0.15
    story, theme = levels["story"], levels["theme"]
    for s in np.unique(story[story >= 0]):
        assert len(np.unique(theme[story == s])) == 1


def test_auto_picks_themes_for_a_large_varied_corpus(uci):
    assert uci[2]["level"] == "theme"


def test_topics_override_and_assign_noise(uci):
    frame, embeddings, _ = uci
    sample = frame.head(1500)
    forced = TopicMap(level="story", n_topics=12, assign_noise=True).fit(sample, embeddings=embeddings[:1500])
    assert len(forced.topics_) == 12
    assert (forced.labels_ >= 0).all()
