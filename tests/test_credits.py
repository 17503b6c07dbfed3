"""Source credits at a headline's end ("(AP)", "- Reuters") tie no items and name nothing
(`analysis.credits`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import TopicMap, label, phrases
from analysis.cluster import lexical_vectors
from analysis.credits import credit_tails, without_credits
from conftest import BENCH, fake_vectors, real_vectors

SPORT = ["Red Sox rally to beat White Sox", "Braves lose to Giants in tenth", "Cubs sweep Mets at Wrigley"]
MARKETS = ["Oil climbs on supply fears", "Stocks slip as oil climbs", "Dollar steadies before jobs data"]
WIRE = [f"{title} (AP)" for title in SPORT * 4] + [f"{title} - Reuters" for title in MARKETS * 4]


def test_a_tail_many_items_end_with_is_a_credit_and_a_rare_one_is_kept():
    assert without_credits(WIRE) == SPORT * 4 + MARKETS * 4
    own = [*WIRE, "Museum reopens after repairs (Photos)", "Q&A with the mayor - Part 2"]
    assert without_credits(own)[-2:] == own[-2:]  # one item's tail is its own; a digit is content
    others = [f"Item {i} about something else" for i in range(300)]
    assert without_credits(WIRE[:2] + others)[:2] == WIRE[:2]  # two items: under FEW_ITEMS


def test_a_rare_tail_is_a_credit_when_its_items_are_about_many_things_and_never_write_it():
    """A feed of many sources credits each a few times: under MIN_ITEMS and the share, a tail
    is a credit when its items share no word and their bodies do not write it (AG's "(Canadian
    Press)"); a ticker on one firm's items, or a word the corpus writes, is content. Such a
    credit names nothing; the ties between items keep it (`rare=False`, the default)."""
    others = [f"Item {i} about something else" for i in range(300)]
    crowd = WIRE[:9] + others
    assert credit_tails(crowd) == {"ap"} and without_credits(crowd, rare=True)[:9] == SPORT * 3
    assert without_credits(crowd)[:9] == WIRE[:9]
    firm = [
        f"Urban Outfitters {what} (URBN)" for what in ("profit falls", "beats estimates", "shares jump", "cuts jobs")
    ]
    assert not credit_tails(firm + others)  # one firm's items: its ticker is content
    asked = ["How to draw a line", "Sorting strings fast", "Reading files in a loop", "Timing a function"]
    tagged = [f"{title} (matlab)" for title in asked]
    written = [f"Matlab plot {i} in a loop" for i in range(6)]
    assert not credit_tails(tagged + written + others)  # the corpus writes "matlab"
    assert credit_tails(tagged + others) == {"matlab"}  # where it does not, the tag is no content
    named = label.describe_topics(crowd[:9], np.zeros(9, dtype=int), fake_vectors(crowd[:9]), embed=fake_vectors)
    assert "ap" not in {phrases.fold(part) for part in named["name"].iloc[0].split(phrases.SEPARATOR)}


def test_a_credit_is_no_phrase_ties_no_two_items_and_grows_no_name():
    _, vocabulary = phrases.phrase_matrix(WIRE)
    assert "ap" not in vocabulary and "reuters" not in vocabulary
    assert "oil climbs" in vocabulary
    lexical = lexical_vectors(WIRE)
    assert (lexical[0] @ lexical[1].T).toarray()[0, 0] == 0  # two games share only "(AP)"
    assert (lexical[12] @ lexical[13].T).toarray()[0, 0] > 0  # "oil climbs"
    chambers = ["Senate", "House", "Lords", "Duma", "Knesset", "Bundestag", "Sejm", "Majlis", "Diet", "Cortes"]
    bills = [f"{chamber} passes Iran nuclear deal bill - Reuters" for chamber in chambers]
    named = label.describe_topics(bills, np.zeros(len(bills), dtype=int), fake_vectors(bills), embed=fake_vectors)
    assert "reuters" not in phrases.fold(named["name"].iloc[0]), named["name"].iloc[0]


@pytest.mark.slow
def test_no_story_of_ag_news_is_a_wire_credit():
    """AG News ends 494 of its 7,568 titles with "(AP)": before credits were left out, a
    52-item story of AP's baseball results, injuries and ballpark deals was named "AP", and
    one of Canadian Press items "Canadian Press"; in a 2,000-title sample, where "(Canadian Press)"
    ends 8 titles, a theme was still named "Hurricane · Mexico · Canadian Press"."""
    frame = pd.read_csv(BENCH / "ag_news_test_titles.csv")
    rows = np.sort(np.random.default_rng(0).choice(len(frame), 2000, replace=False))
    frame = frame.iloc[rows].reset_index(drop=True)
    vectors = real_vectors(frame["text"])
    fitted = TopicMap(level="theme", random_state=0).fit(frame, embeddings=vectors)
    credits = {"ap", "reuters", "afp", "canadian press"}
    for table in (fitted.stories_, fitted.topic_table_, fitted.theme_table_):
        for name in table["name"]:
            assert not credits & {phrases.fold(part) for part in name.split(phrases.SEPARATOR)}, name
