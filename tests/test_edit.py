"""Rename and merge topics (analysis.edit, TopicMap.rename_topics / merge_topics, `topicmap edit`).

The maps here are made by hand (four themes of two stories each, clear vector groups), saved
with persist.save_state and loaded: no UMAP, so the tests stay fast.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis import TopicMap, edit, label, persist, state
from analysis.edit import NAME_MAX
from analysis.errors import InputError
from analysis.meta import VERSION
from analysis.state import FittedState
from conftest import BENCH, cli

WORDS = ("rates", "storm", "match", "vote")
PER_STORY = 6


def grouped_vectors(groups: np.ndarray, dim: int = 16, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((groups.max() + 1, dim))
    vectors = centres[groups] + 0.05 * rng.standard_normal((len(groups), dim))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def made_state(level: str = "theme") -> FittedState:
    """Themes 0-3 (WORDS), each made of stories 2t and 2t+1 of PER_STORY items."""
    texts = [f"{w} {half} story number {i}" for w in WORDS for half in ("early", "late") for i in range(PER_STORY)]
    stories = np.repeat(np.arange(2 * len(WORDS)), PER_STORY)
    themes = stories // 2
    vectors = grouped_vectors(stories)
    rng = np.random.default_rng(1)
    coords = np.repeat(rng.uniform(-10, 10, (2 * len(WORDS), 2)), PER_STORY, axis=0) + rng.normal(
        0, 0.3, (len(texts), 2)
    )
    story_table = label.describe_topics(texts, stories, vectors)
    labels = themes if level == "theme" else stories
    theme_table = label.describe_topics(texts, themes, vectors, stories=stories)
    topics = theme_table if level == "theme" else story_table
    return FittedState(
        documents=pd.DataFrame({"doc_id": [str(i + 1) for i in range(len(texts))], "kind": "headline", "text": texts}),
        embeddings=vectors,
        coords=coords.astype(np.float32),
        labels=labels,
        story_labels=stories,
        topic_labels=stories,
        theme_labels=themes,
        added=np.zeros(len(texts), dtype=bool),
        waiting=np.zeros(len(texts), dtype=bool),
        grown=np.zeros(len(texts), dtype=bool),
        topics=topics,
        stories=story_table,
        topic_table=story_table,
        theme_table=theme_table,
        level=level,
        next_topic_id=int(labels.max()) + 1,
        next_story_id=int(stories.max()) + 1,
        fitted_at="2026-12-01T08:24:00+00:00",
    )


def saved_map(folder, level: str = "theme") -> TopicMap:
    persist.save_state(folder, TopicMap(cache=False).get_params(), made_state(level), VERSION)
    return TopicMap.load(folder)


def test_rename_and_merge_relabel_items_and_recount_the_merged_topic(tmp_path):
    topic_map = saved_map(tmp_path / "map")
    before = topic_map.topics_.set_index("id")
    topic_map.merge_topics([2, 0]).rename_topics({2: "  Sport   and rates ", 1: "Storms"})
    topics = topic_map.topics_.set_index("id")
    assert sorted(topics.index) == [1, 2, 3]
    assert topics.loc[2, "size"] == before.loc[2, "size"] + before.loc[0, "size"] == 24
    assert topics.loc[2, "name"] == "Sport and rates" and topics.loc[1, "name"] == "Storms"
    assert any("rates" in r for r in topics.loc[2, "representatives"])  # described again from all its items
    assert topics.loc[3, "name"] == before.loc[3, "name"]  # the others are untouched
    assert 0 not in set(topic_map.labels_) and (topic_map.labels_ == 2).sum() == 24
    assert np.array_equal(topic_map.theme_labels_, topic_map.labels_)
    # Every story still lies inside one theme.
    pairs = pd.DataFrame({"story": topic_map.story_labels_, "theme": topic_map.theme_labels_}).drop_duplicates()
    assert pairs["story"].is_unique
    frame = topic_map.to_frame()  # a theme map: its edits are the export's theme columns
    assert set(frame.loc[frame["theme"] == 2, "theme_label"]) == {"Sport and rates"}
    assert topic_map.theme_table_.set_index("id").loc[2, "size"] == 24
    names = {t["id"]: t["name"] for t in topic_map._report_data("x")["topics"]}
    assert names[2] == "Sport and rates" and 0 not in names

    # Stories of one theme merge; stories of two themes do not, on a theme map.
    topic_map.merge_topics([6, 7], level="story").rename_topics({6: "Both votes"}, level="story")
    stories = topic_map.stories_.set_index("id")
    assert 7 not in stories.index and stories.loc[6, "size"] == 12 and stories.loc[6, "name"] == "Both votes"
    with pytest.raises(InputError, match="different themes"):
        topic_map.merge_topics([1, 2], level="story")


def test_a_story_map_merges_its_topics_and_stories_together(tmp_path):
    topic_map = saved_map(tmp_path / "map", level="story")
    topic_map.merge_topics([1, 2]).rename_topics({1: "Storm and match"})
    assert np.array_equal(topic_map.labels_, topic_map.story_labels_)
    assert topic_map.topics_.equals(topic_map.stories_)
    assert topic_map.topics_.set_index("id").loc[1, "size"] == 12
    # Story 2 was in theme 1, story 1 in theme 0: its items follow the first story's theme.
    assert set(topic_map.theme_labels_[topic_map.labels_ == 1]) == {0}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.rename_topics({9: "x"}), "there is no theme 9: the theme ids are 0, 1, 2, 3"),
        (lambda m: m.rename_topics({1: "   "}), "the new name of 1 is empty"),
        (lambda m: m.rename_topics({1: "x" * (NAME_MAX + 1)}), f"at most {NAME_MAX}"),
        (lambda m: m.rename_topics({}), "no names given"),
        (lambda m: m.merge_topics([1]), "at least two different ids"),
        (lambda m: m.merge_topics([1, 1]), "at least two different ids"),
        (lambda m: m.merge_topics([1, -1]), "there is no theme -1"),
        (lambda m: m.merge_topics([1, "2"]), "theme id '2' is not an integer"),
        (lambda m: m.merge_topics([1, 2], level="section"), "level='section': use 'theme', 'topic' or 'story'"),
    ],
)
def test_bad_edits_are_one_line_errors_that_change_nothing(tmp_path, call, message):
    topic_map = saved_map(tmp_path / "map")
    labels, topics = topic_map.labels_.copy(), topic_map.topics_.copy()
    with pytest.raises(InputError, match=message) as caught:
        call(topic_map)
    assert "\n" not in str(caught.value)
    assert np.array_equal(topic_map.labels_, labels) and topic_map.topics_.equals(topics)


def test_merging_stories_of_two_topics_on_a_topic_map_keeps_the_map_in_step():
    """Topics 0-3 of two stories each, in themes 0-1: merging a story of topic 0 with one of
    topic 1 moves items between topics, and the map's own level follows them."""
    base = made_state("theme")
    texts = base.documents["text"].tolist()
    themes = base.theme_labels // 2
    state = replace(
        base,
        level="topic",
        labels=base.theme_labels,
        topics=base.theme_table,
        topic_labels=base.theme_labels,
        topic_table=base.theme_table,
        theme_labels=themes,
        theme_table=label.describe_topics(texts, themes, base.embeddings, stories=base.story_labels),
    )
    merged = edit.merge(state, [0, 2], level="story")
    assert np.array_equal(merged.labels, merged.topic_labels)
    assert merged.topics["id"].tolist() == merged.topic_table["id"].tolist()
    counts = pd.Series(merged.labels).value_counts()
    assert {int(i): int(n) for i, n in zip(merged.topics["id"], merged.topics["size"])} == counts.to_dict()
    assert len(set(merged.labels[merged.story_labels == 0])) == 1


def test_merging_one_id_is_refused_with_a_line_not_a_type_error():
    with pytest.raises(InputError, match="give a list of two or more ids"):
        edit.merge(made_state(), 0)


def test_update_keeps_the_readers_names_and_merges(tmp_path):
    topic_map = saved_map(tmp_path / "map")
    topic_map.merge_topics([1, 0]).rename_topics({1: "Weather and money", 3: "Elections"})
    topic_map.save(tmp_path / "map")
    grown = TopicMap.load(tmp_path / "map")
    new = ["rates early story again", "storm late story again", "vote early story again"]
    stories = np.array([0, 3, 6])
    vectors = grouped_vectors(np.repeat(np.arange(8), PER_STORY))
    grown.update(new, embeddings=np.array([vectors[s * PER_STORY] for s in stories]))
    names = grown.topics_.set_index("id")["name"]
    assert names[1] == "Weather and money" and names[3] == "Elections"
    assert 0 not in set(grown.labels_) and 0 not in set(names.index)
    assert grown.labels_[-3:].tolist() == [1, 1, 3]


def test_the_edit_command_saves_the_map_and_writes_its_report(tmp_path):
    saved_map(tmp_path / "map")
    out = tmp_path / "edited.html"
    result = cli(
        "edit", str(tmp_path / "map"), "--merge", "3,2", "--rename", "3=Votes & matches", "--rename", "0=Rates",
        "-o", str(out), "--plotlyjs", "cdn",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"2 renamed, 1 merged: 3 themes -> {tmp_path / 'map'}, {out}"
    edited = TopicMap.load(tmp_path / "map")
    assert edited.topics_.set_index("id")["name"].to_dict() == {
        0: "Rates",
        1: made_state().topics.set_index("id").loc[1, "name"],
        3: "Votes & matches",
    }
    assert "Votes \\u0026 matches" in out.read_text(encoding="utf-8")  # the page's data, escaped
    stories = cli("edit", str(tmp_path / "map"), "--level", "story", "--merge", "0,1", "--quiet")
    assert stories.returncode == 0 and stories.stderr == ""
    assert 1 not in set(TopicMap.load(tmp_path / "map").story_labels_)


def test_the_edit_command_counts_the_level_it_edited_and_writes_the_export(tmp_path):
    saved_map(tmp_path / "map")
    n_stories = len(TopicMap.load(tmp_path / "map").stories_)
    export = tmp_path / "edited.csv"
    result = cli(
        "edit", str(tmp_path / "map"), "--level", "story", "--merge", "0,1", "--rename", "0=Rate rise",
        "--export", str(export),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"1 renamed, 1 merged: {n_stories - 1} stories -> {tmp_path / 'map'}, {export}"
    frame = pd.read_csv(export, keep_default_na=False)
    assert set(frame.loc[frame["story"] == 0, "story_label"]) == {"Rate rise"}
    assert 1 not in set(frame["story"])
    assert len(frame) == len(TopicMap.load(tmp_path / "map").labels_)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rename", "three=x"], "--rename 'three=x': give ID=NAME"),
        (["--rename", "3"], "--rename '3': give ID=NAME"),
        (["--rename", "3= "], "the new name of 3 is empty"),
        (["--rename", "1=a", "--rename", "1=b"], "--rename names 1 twice"),
        (["--merge", "3"], "--merge '3': merging needs at least two different ids"),
        (["--merge", "3,x"], "--merge '3,x': give ids separated by commas"),
        ([], "nothing to edit"),
        (["--rename", "9=x"], "there is no theme 9"),
        (["--merge", "1,2", "-o", "out.txt"], "the report is HTML"),
        (["--merge", "1,2", "--export", "out.txt"], "--export"),
        (["--level", "themes", "--merge", "1,2"], "'--level'"),
        (["--merge", "0,1", "--rename", "1=x"], "--rename 1: --merge made 1 part of 0; rename 0 instead"),
        (["--merge", "0,1", "--merge", "2,0", "--rename", "1=x"], "--merge made 1 part of 2; rename 2 instead"),
        (["--rename", "1=a\x00b"], "the new name of 1 holds a control character (U+0000)"),
        (["--rename", "1=\u200b\u200b"], "the new name of 1 is empty"),
        (["--rename", "1=..."], "the new name of 1 is '...'"),
    ],
)
def test_bad_edit_options_are_one_line_and_exit_2(tmp_path, args, message):
    saved_map(tmp_path / "map")
    before = sorted(p.read_bytes() for p in (tmp_path / "map").iterdir())
    result = cli("edit", str(tmp_path / "map"), *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.read_bytes() for p in (tmp_path / "map").iterdir()) == before


def test_edit_refuses_a_folder_that_is_no_saved_map(tmp_path):
    result = cli("edit", str(tmp_path), "--rename", "1=x")
    assert result.returncode == 2 and "is not a saved map" in result.stderr
    story_map = saved_map(tmp_path / "stories", level="story")
    assert story_map.level_ == "story"
    themes = cli("edit", str(tmp_path / "stories"), "--level", "theme", "--rename", "1=x")
    assert themes.returncode == 2 and "use --level story" in themes.stderr


def middle_state() -> FittedState:
    """made_state's theme map with a middle level: each story of it is a topic of two stories."""
    from dataclasses import replace

    state = made_state("theme")
    texts = state.documents["text"].tolist()
    topics = state.story_labels
    stories = 2 * topics + (np.arange(len(topics)) % PER_STORY >= PER_STORY // 2)
    return replace(
        state,
        story_labels=stories,
        topic_labels=topics,
        stories=label.describe_topics(texts, stories, state.embeddings),
        topic_table=label.describe_topics(texts, topics, state.embeddings, stories=stories, subject=False),
        next_story_id=int(stories.max()) + 1,
    )


def test_a_theme_maps_topics_are_renamed_and_merged_inside_one_theme(tmp_path):
    persist.save_state(tmp_path / "map", TopicMap(cache=False).get_params(), middle_state(), VERSION)
    topic_map = TopicMap.load(tmp_path / "map")
    themes, stories = topic_map.theme_labels_.copy(), topic_map.story_labels_.copy()
    first = topic_map.topic_table_.set_index("id").loc[2, "name"]
    topic_map.rename_topics({3: "Away games"}, level="topic").merge_topics([2, 3], level="topic")
    assert topic_map.topic_table_.set_index("id").loc[2, "name"] == first  # merged under 2's name
    assert 3 not in set(topic_map.topic_labels_) and 3 not in set(topic_map.topic_table_["id"])
    assert (topic_map.topic_labels_[np.isin(stories, [4, 5, 6, 7])] == 2).all()
    assert np.array_equal(topic_map.theme_labels_, themes) and np.array_equal(topic_map.story_labels_, stories)
    assert topic_map.topic_table_.set_index("id").loc[2, "size"] == 2 * PER_STORY
    topic_map.rename_topics({2: "Matches"}, level="topic").save(tmp_path / "map")
    export = TopicMap.load(tmp_path / "map").to_frame()
    assert set(export.loc[export["topic"] == 2, "topic_label"]) == {"Matches"}
    with pytest.raises(InputError, match="topics 2, 4 are in different themes"):
        topic_map.merge_topics([2, 4], level="topic")
    with pytest.raises(InputError, match="a theme map's topics; this is a story map"):
        saved_map(tmp_path / "stories", level="story").rename_topics({1: "x"}, level="middle")  # the old name
    with pytest.raises(InputError, match=r"level='topic': this is a story map, so its stories \(the default\)"):
        saved_map(tmp_path / "stories2", level="story").rename_topics({1: "x"}, level="topic")


def test_the_levels_are_named_as_fit_names_them(tmp_path):
    # level="topic" renamed the themes of a theme map (the map's own level), whose ids
    # overlap the topics': the wrong group, without a word
    persist.save_state(tmp_path / "map", TopicMap(cache=False).get_params(), middle_state(), VERSION)
    topic_map = TopicMap.load(tmp_path / "map")
    themes, topics = topic_map.theme_table_.copy(), topic_map.topic_table_.copy()
    topic_map.rename_topics({3: "Away games"}, level="topic")
    assert topic_map.topic_table_.set_index("id").loc[3, "name"] == "Away games"
    assert topic_map.theme_table_.equals(themes) and topic_map.topics_.equals(themes)
    topic_map.rename_topics({1: "Weather"}, level="theme").rename_topics({0: "Money"})
    assert topic_map.theme_table_.set_index("id").loc[[0, 1], "name"].tolist() == ["Money", "Weather"]
    assert topic_map.topic_table_.drop(columns=["name", "named"]).equals(topics.drop(columns="name"))
    assert state.reader_named(topic_map.topic_table_) == {3} and state.reader_named(topic_map.theme_table_) == {0, 1}


def test_the_edit_command_edits_a_theme_maps_topics_with_level_topic(tmp_path):
    persist.save_state(tmp_path / "map", TopicMap(cache=False).get_params(), middle_state(), VERSION)
    result = cli("edit", str(tmp_path / "map"), "--level", "topic", "--rename", "5=Storm season", "--quiet")
    assert result.returncode == 0, result.stderr
    edited = TopicMap.load(tmp_path / "map")
    assert edited.topic_table_.set_index("id").loc[5, "name"] == "Storm season"
    assert edited.topics_["name"].tolist() == made_state().topics["name"].tolist()  # the themes untouched
    mixed = cli("edit", str(tmp_path / "map"), "--level", "topic", "--merge", "0,7")
    assert mixed.returncode == 2 and "are in different themes" in mixed.stderr


def test_a_merged_story_waits_for_a_topic_only_if_all_its_parts_did():
    """Stories 0 and 1 wait (far from their topics, too few to open one): merging them keeps the
    merged story waiting; merging a waiting story into a settled one settles it."""
    state = made_state()
    state.waiting[:] = np.isin(state.story_labels, [0, 1])
    both = edit.merge(state, [0, 1], "story")
    assert both.waiting[both.story_labels == 0].all() and both.waiting.sum() == 2 * PER_STORY
    state.waiting[:] = state.story_labels == 1
    mixed = edit.merge(state, [0, 1], "story")
    assert not mixed.waiting.any()


@pytest.mark.parametrize("name", ["a\x00b", "x\x1b[31m", "\u200b", " \ufeff ", "...", "-- !"])
def test_a_name_with_no_words_or_a_control_character_is_refused(name):
    with pytest.raises(InputError, match="the new name of 2"):
        edit.rename(made_state(), {2: name})


def test_invisible_format_characters_are_dropped_from_a_name():
    renamed = edit.rename(made_state(), {2: "\u202eElection\u200b night\ufeff", 3: "🔥"})
    assert renamed.topics.set_index("id").loc[[2, 3], "name"].tolist() == ["Election night", "🔥"]


@pytest.mark.parametrize("ids", [{0, 1}, {0: "a", 1: "b"}, frozenset({2, 3})])
def test_merge_refuses_ids_whose_order_is_arbitrary(ids):
    with pytest.raises(InputError, match="give a list of two or more ids"):
        edit.merge(made_state(), ids)


def test_renames_must_be_a_mapping():
    with pytest.raises(InputError, match=r"names=\[\(1, 'x'\)\]: pass a dict"):
        edit.rename(made_state(), [(1, "x")])


def test_a_story_map_refuses_an_edit_above_it_by_the_plural_name(tmp_path):
    saved_map(tmp_path / "map", level="story")
    result = cli("edit", str(tmp_path / "map"), "--level", "theme", "--merge", "0,1")
    assert result.returncode == 2 and "so its stories (the default)" in result.stderr, result.stderr


def test_an_interruption_after_the_save_says_the_map_was_saved(tmp_path, monkeypatch):
    saved_map(tmp_path / "map")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(TopicMap, "report", interrupted)
    result = cli("edit", str(tmp_path / "map"), "--rename", "1=Storms", "-o", str(tmp_path / "edited.html"))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: interrupted after writing the edited map in {tmp_path / 'map'}; "
        "nothing else was written, no partial file left"
    )
    assert TopicMap.load(tmp_path / "map").topics_.set_index("id").loc[1, "name"] == "Storms"
    assert not (tmp_path / "edited.html").exists()


@pytest.mark.parametrize("name", ["victim.csv", "headlines", "notes.txt"])
def test_the_api_report_refuses_a_name_that_is_not_html_and_keeps_the_file(tmp_path, name):
    topic_map = saved_map(tmp_path / "map")
    victim = tmp_path / name
    victim.write_text("the reader's data\n")
    with pytest.raises(InputError, match="the report is HTML; give a file name ending in .html"):
        topic_map.report(victim)
    assert victim.read_text() == "the reader's data\n"


def test_the_api_names_a_missing_path_instead_of_a_type_error(tmp_path):
    topic_map = saved_map(tmp_path / "map")
    with pytest.raises(InputError, match="path=None: give the report's file name"):
        topic_map.report(None)
    with pytest.raises(InputError, match="folder=None: give the path"):
        topic_map.save(None)
    with pytest.raises(InputError, match="folder=None: give the path"):
        TopicMap.load(None)
    (tmp_path / "page.html").mkdir()
    with pytest.raises(InputError, match="is a folder: give the path of a file ending in .html"):
        topic_map.report(tmp_path / "page.html")


def test_a_ctrl_c_that_surfaces_as_an_import_error_still_reads_as_an_interruption(tmp_path, monkeypatch):
    """A Ctrl-C inside a C extension's import comes out as ImportError("initialization failed")."""
    import os
    import signal

    saved_map(tmp_path / "map")

    def load_cut_short(folder):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:
            raise ImportError("initialization failed") from None

    monkeypatch.setattr(TopicMap, "load", load_cut_short)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result = cli("edit", str(tmp_path / "map"), "--rename", "1=Storms")
    finally:
        signal.signal(signal.SIGINT, before)
    assert (result.returncode, result.stderr) == (
        1,
        "error: interrupted before the run finished; no partial file left\n",
    )


def test_a_new_name_that_another_group_holds_is_refused():
    state = made_state()
    taken = state.topics.set_index("id").loc[0, "name"]
    with pytest.raises(InputError, match=f"the new name of 1, '{taken.upper()}', is the name of theme 0"):
        edit.rename(state, {1: taken.upper()})
    with pytest.raises(InputError, match="the new name of 3, 'rates!', is the name of theme 2"):
        edit.rename(state, {2: "Rates", 3: "rates!"})
    swapped = edit.rename(state, {0: state.topics.set_index("id").loc[1, "name"], 1: taken})
    assert swapped.topics.set_index("id").loc[1, "name"] == taken  # names may change hands in one call


def test_a_merged_topic_stays_in_the_theme_of_the_topic_it_was_merged_into():
    # on a topic map, merging topic 0 (theme 0) with the larger 2 and 3 (theme 1) put the
    # merged topic under theme 1, the majority, and left theme 1 described by items it lost
    state = replace(made_state("story"), level="topic")
    merged = edit.merge(state, [0, 2])
    rows = np.isin(state.labels, [0, 2])
    assert (merged.labels[rows] == 0).all() and (merged.theme_labels[rows] == 0).all()
    themes = merged.theme_table.set_index("id")
    texts = merged.documents["text"].to_numpy()
    for theme in (0, 1):
        held = set(texts[merged.theme_labels == theme])
        assert set(themes.loc[theme, "representatives"]) <= held, theme
        assert themes.loc[theme, "size"] == len(held)
    assert themes.loc[1, "name"] == state.theme_table.set_index("id").loc[1, "name"]  # names are kept
    bigger = edit.merge(state, [0, 2, 3])  # the target's theme, though most items came from theme 1
    assert (bigger.theme_labels[np.isin(state.labels, [0, 2, 3])] == 0).all()


def test_a_topic_maps_merged_story_lies_in_the_first_storys_topic():
    # the merged story landed in the topic most of its items were in (the second story's when
    # larger), and stories of two themes merged where the docstring said they may not

    headlines = pd.read_csv(BENCH / "multifin_en_headlines.csv")["text"].head(300).tolist()
    topic_map = TopicMap(level="topic", random_state=0).fit(headlines)
    frame = topic_map.to_frame()
    stories = frame[frame["story"] >= 0].groupby("story").agg(topic=("topic", "first"), theme=("theme", "first"))
    pairs = [(a, b) for a in stories.index for b in stories.index if a < b]
    same_theme = next((a, b) for a, b in pairs if stories.loc[a, "theme"] == stories.loc[b, "theme"]
                      and stories.loc[a, "topic"] != stories.loc[b, "topic"])  # fmt: skip
    two_themes = next((a, b) for a, b in pairs if stories.loc[a, "theme"] != stories.loc[b, "theme"])
    small, large = sorted(same_theme, key=lambda s: (frame["story"] == s).sum())
    topic_map.merge_topics([small, large], level="story")
    merged = topic_map.to_frame()
    assert set(merged.loc[merged["story"] == small, "topic"]) == {stories.loc[small, "topic"]}
    assert np.array_equal(topic_map.labels_, topic_map.topic_labels_)
    with pytest.raises(InputError, match="are in different themes"):
        topic_map.merge_topics(list(two_themes), level="story")
