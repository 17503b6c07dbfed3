"""A daily user's updates of one map (found by a hostile pass of the CLI): HuffPost's 2022
headlines, the first 600 fitted, then two days of 250."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from analysis import TopicMap, state
from conftest import BENCH, real_vectors


@pytest.fixture(scope="module")
def daily() -> tuple[list[pd.DataFrame], TopicMap]:
    """The three days and the map of the first (each test updates its own copy)."""
    rows = pd.read_csv(BENCH / "huffpost_v3_2018_2022_10k.csv")
    rows = rows[rows["date"] >= "2022-01-01"]
    days = [
        rows[rows["date"] < "2022-05-01"].head(600),
        rows[(rows["date"] >= "2022-05-01") & (rows["date"] < "2022-07-01")].head(250),
        rows[rows["date"] >= "2022-07-01"].head(250),
    ]
    days = [d.reset_index(drop=True) for d in days]
    return days, TopicMap(random_state=0).fit(days[0], embeddings=real_vectors(days[0]["text"]))


def test_an_update_gives_the_same_map_in_any_row_order_of_the_day(daily):
    """Read backwards, the second day sent five new food items to another theme and topic (and
    one saved item to another story), as steps after the new items' placement saw the day's
    row order."""
    days, fitted = daily
    maps = []
    for order in (np.arange(len(days[1])), np.arange(len(days[1]))[::-1]):
        grown = copy.deepcopy(fitted)
        shown = days[1].iloc[order].reset_index(drop=True)
        grown.update(shown, embeddings=real_vectors(shown["text"]))
        maps.append(grown.to_frame().set_index("text").sort_index())
    columns = [c for c in ("theme", "topic", "story", "theme_label", "topic_label", "story_label") if c in maps[0]]
    pd.testing.assert_frame_equal(maps[0][columns], maps[1][columns])


def test_stories_the_reader_named_are_never_joined_away_by_updates(daily, tmp_path):
    """The third day's update joined eleven saved stories of the war in Ukraine into one (a
    refit of all the items holds them as one), the reader's "Siege of Mariupol" and
    "Zelensky" with them. A story the reader named now stays, under its name, and may take in
    others; the mark is saved with the map."""
    days, fitted = daily
    first = set(fitted.stories_["id"].astype(int))

    def replay(names: dict[int, str]) -> tuple[TopicMap, set[int]]:
        grown = copy.deepcopy(fitted)
        if names:
            grown.rename_topics(names, level="story")
        grown.update(days[1], embeddings=real_vectors(days[1]["text"]))
        before = set(grown.stories_["id"].astype(int))
        grown.update(days[2], embeddings=real_vectors(days[2]["text"]))
        return grown, (before - set(grown.stories_["id"].astype(int))) & first  # fitted stories joined

    _, joined = replay({})
    assert len(joined) >= 2, "the days no longer join saved stories: pick others"
    chosen = dict(zip(sorted(joined)[:2], ["Siege of Mariupol", "Zelensky"]))
    grown, gone = replay(chosen)
    assert not gone & set(chosen)
    kept = grown.stories_.set_index("id")
    assert [kept.loc[i, "name"] for i in chosen] == list(chosen.values())
    assert state.reader_named(grown.stories_) == set(chosen)
    grown.save(tmp_path / "map")
    assert state.reader_named(TopicMap.load(tmp_path / "map").stories_) == set(chosen)
