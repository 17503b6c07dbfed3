"""A story is about one thing: its items share a phrase, or it is split or dissolved."""

from __future__ import annotations

import numpy as np

from analysis import events, phrases

BAG = [  # ten headlines held together by no phrase a third of them use
    "Apple sues Samsung over patents",
    "Apple sues Samsung again",
    "Apple sues Samsung in Germany",
    "Oracle buys Sun Microsystems",
    "Oracle buys Sun for $7 billion",
    "Oracle buys Sun after IBM talks fail",
    "Ford cuts jobs in Europe",
    "Kraft cuts jobs at plants",
    "Intel profit beats forecasts",
    "Nike profit falls",
]
ONE_EVENT = [  # seven headlines of one event: "strike" is in all of them
    "Rail strike halts trains",
    "Rail strike enters second day",
    "Unions extend the strike",
    "Commuters stranded by strike",
    "Strike talks collapse",
    "Strike ends after deal",
    "What the strike cost",
]


def split(texts: list[str], labels: list[int], min_size: int = 3) -> np.ndarray:
    used, _ = phrases.phrase_matrix(texts)
    return events.one_thing(np.array(labels), used, min_size)


def test_a_bag_of_events_is_split_by_the_phrases_its_items_share():
    out = split(BAG, [0] * len(BAG))
    assert len(set(out[:3])) == 1 and out[0] >= 0  # "Apple sues Samsung"
    assert len(set(out[3:6])) == 1 and out[3] >= 0  # "Oracle buys Sun"
    assert out[0] != out[3]
    assert (out[6:] == -1).all()  # "cuts jobs" has two users, fewer than a story needs


def test_a_story_about_one_thing_is_kept_whole():
    texts = ONE_EVENT + BAG
    labels = [0] * len(ONE_EVENT) + [-1] * len(BAG)
    out = split(texts, labels)
    assert (out[: len(ONE_EVENT)] == out[0]).all() and out[0] >= 0
    assert (out[len(ONE_EVENT) :] == -1).all()  # unclustered items stay unclustered


def test_a_story_whose_items_share_nothing_is_dissolved():
    texts = ["Ford cuts jobs", "Intel profit beats", "Rain floods Lagos", "Mayor resigns"]
    assert (split(texts, [0, 0, 0, 0], min_size=2) == -1).all()


def test_every_story_found_shares_a_phrase_with_a_third_of_its_items():
    from analysis import TopicMap
    from analysis.load import load_corpus
    from conftest import SEED

    frame = load_corpus(SEED)
    fitted = TopicMap(level="story", random_state=0).fit(frame)
    used, _ = phrases.phrase_matrix(frame["text"].tolist())
    for story in np.unique(fitted.story_labels_[fitted.story_labels_ >= 0]):
        members = np.flatnonzero(fitted.story_labels_ == story)
        assert np.asarray(used[members].sum(axis=0)).max() >= len(members) / 3


def test_an_adverb_the_items_share_makes_no_story():
    # AG News held a 13-item sport story named "Back": "Indians Strike Back", "Real Back on
    # Track", "Davis Out with Back Injury"; "back" is a stop word, like "still" or "away"
    back = [
        "Indians Strike Back",
        "Real Back on Track",
        "Hamm not looking back",
        "Chiefs Have Opportunity to Get Back on Track",
        "Florida Is Bouncing Back",
        "Hornets' Davis Out with Back Injury",
        "Dawgs get Gators off their back",
        "Mets Look Ahead, They Keep Looking Back",
    ]
    assert not {"back", "ahead", "still", "away"} & set(phrases.ngrams(" ".join(back) + " still away"))
    out = split(back, [0] * len(back))
    assert (out[[0, 2, 4, 5, 6]] == -1).all()  # the items with no other phrase in common leave it
