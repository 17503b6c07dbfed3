"""Theme subjects from the IPTC Media Topics, with the real packaged model on real headlines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import TopicMap, subjects
from analysis.cache import default_cache_dir
from analysis.embed import embed_texts, encoder_name
from conftest import BENCH


def embed(texts: list[str]) -> np.ndarray:
    return embed_texts(texts, encoder_name(None), cache_dir=default_cache_dir())


def test_the_vocabulary_is_a_tree_of_seventeen_subjects():
    labels, root, tops = subjects.vocabulary()
    assert len(labels) > 1000 and len(tops) == 17
    assert set(root) == set(tops)  # every subject's branch ends at a top-level subject
    assert "sport" in [labels[k] for k in tops]
    assert all(label.strip() == label and label for label in labels)


def test_sections_claim_their_branches_and_roll_up():
    """A listed section takes its IPTC subject and every narrower one; the rest of a top-level
    subject stays with it; a section within a broader one points at it."""
    t = subjects.taxonomy()
    section = {label: t.words[s][0] for label, s in zip(t.labels, t.section)}
    assert section["celebrity"] == "celebrities"
    assert section["cinema"] == section["film festival"] == "film"  # a narrower subject follows its section
    assert section["software"] == section["IT/computer sciences"] == "technology"  # two branches, one section
    assert section["soccer"] == "sport" and section["human interest"] == "people"
    assert section["judiciary"] == "courts" and section["law"] == "crime"  # the rest of its top level
    within = {t.words[s][0]: t.words[g][0] for s, g in enumerate(t.within) if g >= 0}
    assert within["film"] == within["celebrities"] == "entertainment" and within["video games"] == "technology"
    assert within["war"] == "world" and section["armed conflict"] == section["peace process"] == "war"  # World
    assert section["civil unrest"] == "conflicts" and "peace" not in {w for ws in t.words for w in ws}
    assert all(t.listed[s] for s, g in enumerate(t.within) if g >= 0)


def test_terms_split_a_label_at_commas_and_ands():
    assert subjects.terms("economy, business and finance") == ["economy", "business", "finance"]
    assert subjects.terms("sport") == ["sport"]


@pytest.fixture(scope="module")
def ag_sections():
    """300 AG News titles of each of its four sections, and their vectors."""
    frame = pd.read_csv(BENCH / "ag_news_test_titles.csv")
    frame = frame.groupby("label").head(300).reset_index(drop=True)
    return frame, embed(frame["text"].tolist())


def test_sections_are_named_by_their_subject(ag_sections):
    frame, vectors = ag_sections
    sections = sorted(frame["label"].unique())
    found = subjects.theme_subjects(vectors, [np.flatnonzero(frame["label"] == s) for s in sections], embed)
    named = dict(zip(sections, found))
    assert named["Sports"] == "Sport"
    assert named["Business"] in {"Business", "Economy", "Finance", "Markets"}
    assert named["World"] in {"World", "War", "Conflicts"}
    assert len(set(found)) >= 3  # the sections are told apart, not all called one thing


def test_a_theme_an_update_opens_is_not_called_what_a_saved_one_is(ag_sections):
    # an update that split phones out of a "Technology · Titanfall · iOS 7.1" theme called the
    # new one "Technology · iOS · iPhone Air Concept": two technology themes on one map
    frame, vectors = ag_sections
    sections = sorted(frame["label"].unique())
    members = [np.flatnonzero(frame["label"] == s) for s in sections]
    before = dict(zip(sections, subjects.theme_subjects(vectors, members, embed)))
    saved = sections.index("Business")  # a saved theme, named "Sport · Finance" by the reader
    held = frozenset({"sport", "finance"})
    after = dict(zip(sections, subjects.theme_subjects(vectors, members, embed, frozenset({saved}), held)))
    assert before["Sports"] == "Sport" and after["Sports"] != "Sport"  # the saved name holds the word
    assert after["Business"] is None  # a saved theme keeps its own name and claims nothing
    assert not {w.casefold() for w in after.values() if w} & held
    assert after["World"] == before["World"]  # the rest are named as before


def test_sections_take_the_word_an_editor_would():
    """Celebrity news is "human interest" in IPTC and computing an "economic sector": the
    sections drawn on the taxonomy name them as an editor would."""

    def named(file: str, size: int) -> dict[str, str | None]:
        frame = pd.read_csv(BENCH / file)  # in date order: a sample spans many stories
        frame = frame[frame["label"].map(frame["label"].value_counts()) >= size]
        frame = frame.groupby("label").sample(n=size, random_state=0).reset_index(drop=True)
        sections = sorted(frame["label"].unique())
        members = [np.flatnonzero(frame["label"] == s) for s in sections]
        return dict(zip(sections, subjects.theme_subjects(embed(frame["text"].tolist()), members, embed)))

    assert named("searchsnippets_5k.csv", 200) == {
        "business": "Business",
        "computers": "Technology",
        "culture-arts-entertainment": "Entertainment",
        "education-science": "Science",
        "health": "Health",
        "politics-society": "Politics",
        "sports": "Sport",
    }
    uci = named("uci_news_aggregator_6k.csv", 400)
    assert uci["entertainment"] == "Entertainment" and uci["business"] == "Business"


def test_a_mixed_theme_takes_no_subject(ag_sections):
    """A theme spread evenly over the four sections is no one subject: it keeps its phrases."""
    frame, vectors = ag_sections
    sections = sorted(frame["label"].unique())
    mixed = np.concatenate([np.flatnonzero(frame["label"] == s)[:75] for s in sections])
    pure = [np.flatnonzero(frame["label"] == s)[75:] for s in sections]
    found = subjects.theme_subjects(vectors, [mixed, *pure], embed)
    assert found[0] is None and found[1:].count(None) <= 1


def test_without_a_model_there_are_no_subjects(ag_sections):
    frame, vectors = ag_sections
    members = [np.arange(10), np.arange(10, 20)]
    assert subjects.theme_subjects(vectors, members, None) == [None, None]
    assert subjects.theme_subjects(vectors, members, lambda texts: None) == [None, None]
    assert subjects.theme_subjects(vectors, members, lambda texts: np.ones((len(texts), 8))) == [None, None]


def test_the_subject_leads_a_theme_name_and_no_word_repeats(ag_sections):
    from analysis import label
    from analysis.phrases import SEPARATOR, share_a_word

    frame, vectors = ag_sections
    themes = pd.factorize(frame["label"], sort=True)[0]
    stories = themes.copy()
    topics = label.describe_topics(frame["text"].tolist(), themes, vectors, embed=embed, stories=stories)
    name = dict(zip(topics["id"], topics["name"]))[sorted(frame["label"].unique()).index("Sports")]
    parts = name.split(SEPARATOR)
    assert parts[0] == "Sport" and 2 <= len(parts) <= label.BROAD_TERMS
    assert not any(share_a_word(a, b) for i, a in enumerate(parts) for b in parts[i + 1 :])


def test_a_broad_subject_a_theme_holds_less_than_a_third_of_is_still_its_subject():
    """HuffPost's first 3,000 headlines by date: the politics theme (1,213 items of Trump,
    McCain, Sanders...) holds IPTC's politics subject in under 30% of its items, but several
    times as often as the other themes and nearest its centroid: it is "Politics", as a
    section (Technology) in a corpus with little technology already was."""
    frame = pd.read_csv(BENCH / "huffpost_v3_2018_2022_10k.csv").sort_values(["date", "text"], kind="stable")
    frame = frame.iloc[:3000][["text"]].reset_index(drop=True)
    fitted = TopicMap(random_state=0).fit(frame, embeddings=embed(frame["text"].tolist()))
    names = fitted.theme_table_.sort_values("size", ascending=False)["name"].tolist()
    assert names[0].startswith("Politics · ")


def test_phones_are_technology_beside_a_games_theme():
    """UCI's phone headlines beside its games headlines: IPTC's labels hold no "smartphone", so
    phone items voted for "Lifestyle" and the games theme took "Technology"; with the section's
    everyday words the phones are "Technology" and the games "Video games"."""
    frame = pd.read_csv(BENCH / "uci_news_aggregator_6k.csv")
    phones = frame["text"].str.contains(r"iPhone|Galaxy|smartphone|Android", case=False)
    games = frame["text"].str.contains(r"Xbox|PlayStation|Titanfall|Nintendo", case=False)
    rest = ~(phones | games)
    groups = [
        np.flatnonzero(phones & ~games),
        np.flatnonzero(games & ~phones),
        np.flatnonzero(rest & (frame["label"] == "business"))[:400],
        np.flatnonzero(rest & (frame["label"] == "entertainment"))[:400],
    ]
    rows = np.concatenate(groups)
    members = np.split(np.arange(len(rows)), np.cumsum([len(g) for g in groups])[:-1])
    found = subjects.theme_subjects(embed(frame["text"].iloc[rows].tolist()), members, embed)
    assert found == ["Technology", "Video games", "Business", "Entertainment"]


def test_a_theme_left_without_a_word_takes_its_first_claim_from_a_winner_with_another():
    assert subjects._share_out([["technology", "video games"], ["technology"]], ["technology", None]) == [
        "video games",
        "technology",
    ]
    # the winner has no other claim free: the loser keeps none
    assert subjects._share_out(
        [["technology", "science"], ["technology"], ["science"]], ["technology", None, "science"]
    ) == [
        "technology",
        None,
        "science",
    ]


def test_examples_join_their_section():
    t = subjects.taxonomy()
    assert ("smartphone", t.words.index(["technology"])) in t.examples


def test_examples_on_a_top_level_row_join_its_remainder(tmp_path, monkeypatch):
    """A top-level subject's row shows its own words; examples there belong to its remainder."""
    rows = subjects.SECTIONS.read_text().splitlines()
    rows = [r + "\tfootballer; match report" if r.startswith("15000000\t") else r for r in rows]
    if not any(r.startswith("15000000\t") for r in rows):
        rows.append("15000000\tsport\t\tfootballer; match report")
    custom = tmp_path / "sections.tsv"
    custom.write_text("\n".join(rows) + "\n")
    monkeypatch.setattr(subjects, "SECTIONS", custom)
    subjects.taxonomy.cache_clear()
    try:
        t = subjects.taxonomy()
        sport = [k for k, w in enumerate(t.words) if w == ["sport"] and not t.listed[k]]
        assert ("footballer", sport[0]) in t.examples and ("match report", sport[0]) in t.examples
    finally:
        subjects.taxonomy.cache_clear()
