"""Source credits at a headline's end ("(AP)", "- Reuters") tie no items and name nothing
(`analysis.credits`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import TopicMap, phrases
from analysis.cluster import lexical_vectors
from analysis.credits import without_credits
from analysis.embed import embed_texts
from conftest import BENCH

WIRE = [
    "Red Sox rally to beat White Sox (AP)",
    "Braves lose to Giants in tenth (AP)",
    "Oil climbs on supply fears - Reuters",
    "Stocks slip as oil climbs - Reuters",
    "Dollar steadies before jobs data - Reuters",
    "Senate passes budget bill (AP)",
    "Museum reopens after repairs (Photos)",
]


def test_a_tail_many_items_end_with_is_a_credit_and_a_rare_one_is_kept():
    plain = without_credits(WIRE)
    assert plain[:6] == [
        "Red Sox rally to beat White Sox",
        "Braves lose to Giants in tenth",
        "Oil climbs on supply fears",
        "Stocks slip as oil climbs",
        "Dollar steadies before jobs data",
        "Senate passes budget bill",
    ]
    assert plain[6] == WIRE[6]  # one item's tail is its own
    crowd = WIRE[:2] + [f"Item {i} about something else" for i in range(300)]
    assert without_credits(crowd)[:2] == WIRE[:2]  # 2 of 302: under 1% and under three items
    long_tail = [f"Story {i} (as told by the people who were there)" for i in range(5)]
    assert without_credits(long_tail) == long_tail  # more than four words: not a credit


def test_a_credit_is_no_phrase_and_ties_no_two_items():
    _, vocabulary = phrases.phrase_matrix(WIRE)
    assert "ap" not in vocabulary and "reuters" not in vocabulary
    assert "oil climbs" in vocabulary
    lexical = lexical_vectors(WIRE)
    assert (lexical[0] @ lexical[5].T).toarray()[0, 0] == 0  # sport and budget share only "(AP)"
    assert (lexical[2] @ lexical[3].T).toarray()[0, 0] > 0  # "oil climbs"


@pytest.mark.slow
def test_no_story_of_ag_news_is_a_wire_credit(tmp_path):
    """AG News ends 494 of its 7,568 titles with "(AP)": before credits were left out, a
    52-item story of AP's baseball results, injuries and ballpark deals was named "AP", and
    one of Canadian Press items "Canadian Press"."""
    frame = pd.read_csv(BENCH / "ag_news_test_titles.csv")
    rows = np.sort(np.random.default_rng(0).choice(len(frame), 3000, replace=False))
    frame = frame.iloc[rows].reset_index(drop=True)
    vectors = embed_texts(frame["text"].tolist(), cache_dir=tmp_path)
    fitted = TopicMap(level="theme", random_state=0).fit(frame, embeddings=vectors)
    credits = {"ap", "reuters", "afp", "canadian press"}
    for table in (fitted.stories_, fitted.topic_table_, fitted.theme_table_):
        for name in table["name"]:
            assert not credits & {phrases.fold(part) for part in name.split(phrases.SEPARATOR)}, name
