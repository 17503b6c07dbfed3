"""A story that holds two events of one kind, each with a name of its own, is split in two."""

from __future__ import annotations

import numpy as np

from analysis import cluster, events, phrases

FIRST = [  # one Klitschko fight
    "Klitschko Stops Chambers in the Seventh",
    "Chambers Floored as Klitschko Keeps His Belts",
    "Klitschko Beats Chambers in Duesseldorf",
    "Chambers No Match for Klitschko",
    "Klitschko Retains Title Against Chambers",
    "Klitschko Knocks Out Chambers",
]
SECOND = [  # the same boxer's next fight, months later
    "Klitschko Defeats Thompson in Bern",
    "Thompson Falls to Klitschko",
    "Klitschko Too Strong for Thompson",
    "Klitschko Stops Thompson in Round Six",
    "Thompson Retires in His Corner Against Klitschko",
    "Klitschko Defends Belts Against Thompson",
]
ELSEWHERE = ["Storm Hits Florida Coast", "Markets Fall on Rate Fears", "New Phone Unveiled"]


def vectors_for(halves: list[int], seed: int = 0) -> np.ndarray:
    """Unit vectors in two tight groups, one per half of the story, plus scattered others."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 16))
    rows = [centres[h] + 0.05 * rng.normal(size=16) for h in halves]
    return np.asarray([r / np.linalg.norm(r) for r in rows], dtype=np.float32)


def split(texts: list[str], labels: list[int], halves: list[int], min_size: int = 3) -> np.ndarray:
    used, vocabulary = phrases.phrase_matrix(texts)
    return events.two_events(np.array(labels), vectors_for(halves), used, vocabulary, texts, min_size)


def test_two_fights_of_one_boxer_are_two_stories():
    texts = FIRST + SECOND + ELSEWHERE
    labels = [0] * 12 + [-1] * 3
    out = split(texts, labels, [0] * 6 + [1] * 6 + [2] * 3)
    assert len(set(out[:6])) == 1 and len(set(out[6:12])) == 1
    assert out[0] != out[6] and out[0] >= 0 and out[6] >= 0
    assert (out[12:] == -1).all()


def test_a_corpus_without_capitals_shows_no_names_and_splits_nothing():
    for texts in ([t.lower() for t in FIRST + SECOND], [t.upper() for t in FIRST + SECOND]):
        out = split(texts, [0] * 12, [0] * 6 + [1] * 6)
        assert (out == 0).all()


def test_an_event_whose_halves_share_their_names_stays_one_story():
    # two angles of one fight: every item names both boxers
    angles = [t + " (Chambers)" for t in SECOND]
    texts = [t.replace("Chambers", "Chambers and Thompson") for t in FIRST] + angles
    out = split(texts, [0] * 12, [0] * 6 + [1] * 6)
    assert (out == 0).all()


def test_a_name_many_other_stories_use_is_not_the_events_own():
    # "Thompson" is in six other items of the corpus: it names no one event
    others = [f"Thompson Speaks at Rally {i}" for i in range(8)]
    texts = FIRST + SECOND + others
    out = split(texts, [0] * 12 + [-1] * 8, [0] * 6 + [1] * 6 + [2] * 8)
    assert (out[:12] == 0).all()


def test_halves_under_the_least_story_size_are_not_split():
    texts = FIRST + SECOND
    out = split(texts, [0] * 12, [0] * 6 + [1] * 6, min_size=7)
    assert (out == 0).all()


def test_two_events_of_one_kind_are_two_stories_in_one_topic():
    """ECB+ pairs every event with one of its kind (its 43 topics of two events each): split
    before the topics were found, the twins fell into different topics (topic ARI 0.796 ->
    0.751); they are one unit for the levels above."""
    others = [f"{place} Floods Force Evacuations Day {k}" for place in ("Jakarta", "Lagos", "Dhaka") for k in range(6)]
    texts = FIRST + SECOND + others
    rng = np.random.default_rng(1)
    boxer, *places = rng.normal(size=(4, 24))
    centres = [boxer, boxer + 0.35 * rng.normal(size=24), *places]
    halves = [0] * 6 + [1] * 6 + [2] * 6 + [3] * 6 + [4] * 6
    vectors = np.asarray([centres[h] + 0.05 * rng.normal(size=24) for h in halves], dtype=np.float32)
    levels = cluster.cluster_levels(vectors, texts, level="topic", min_story_size=3)
    story, topic = levels.story, levels.topic
    assert story[0] >= 0 and story[6] >= 0 and story[0] != story[6]
    assert len(set(story[:6])) == 1 and len(set(story[6:12])) == 1
    assert topic[0] == topic[6]


def test_a_story_larger_than_the_2_means_sample_is_split_whole():
    # past BISECT_SAMPLE items the 2-means is fitted on a sample and every item joins the nearer half
    texts = [FIRST[i % 6] + f" ({i})" for i in range(1300)] + [SECOND[i % 6] + f" ({i})" for i in range(1300)]
    halves = [0] * 1300 + [1] * 1300
    out = split(texts, [0] * 2600, halves, min_size=40)
    assert events.BISECT_SAMPLE < 2600
    assert len(set(out[:1300])) == 1 and len(set(out[1300:])) == 1 and out[0] != out[1300]
