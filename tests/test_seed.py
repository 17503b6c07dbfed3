"""The seed corpus end to end, on the real model: the four themes, named with their words, and
nothing else pulled in."""

from __future__ import annotations

from analysis.phrases import grounded
from conftest import seed_ari

THEMES = {"iran": "iran", "tariffs": "tariff", "epstein": "epstein", "belarus": "belarus"}


def test_seed_rows_line_up_with_the_reading(seed_run, seed_themes):
    export = seed_run["export"]
    assert list(export["text"]) == list(seed_themes["text"])
    assert list(export["kind"]) == ["paragraph"] * 6 + ["headline"] * 17


def test_seed_scores_ari_at_least_0_95(seed_run, seed_themes):
    assert seed_ari(seed_run["export"]["topic"].to_numpy(), seed_themes["theme"]) >= 0.95


def test_each_theme_is_its_own_topic_named_with_its_word(seed_run, seed_themes):
    export = seed_run["export"]
    topic_of_theme = {}
    for theme, word in THEMES.items():
        rows = export[seed_themes["theme"] == theme]
        topics = set(rows["topic"])
        assert len(topics) == 1 and -1 not in topics, f"{theme} items split or unclustered: {topics}"
        topic_of_theme[theme] = topics.pop()
        names = set(rows["topic_label"])
        assert len(names) == 1 and word in next(iter(names)).lower(), f"{theme} topic named {names}"
        members = export.loc[export["topic"] == topic_of_theme[theme], "text"].tolist()
        assert grounded(names.pop(), members), f"{theme} topic's name is not a phrase two of its items wrote"
    assert len(set(topic_of_theme.values())) == 4


def test_unrelated_headlines_stay_unclustered(seed_run, seed_themes):
    export = seed_run["export"]
    others = export[seed_themes["theme"] == "other"]
    assert (others["topic"] == -1).all(), others[others["topic"] != -1][["text", "topic_label"]]
    assert (others["topic_label"] == "").all()
