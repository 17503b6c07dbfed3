"""The notebook API: scikit-learn conventions, transform, save/load, update."""

from __future__ import annotations

import copy
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from analysis import TopicMap
from analysis import page as report_page
from analysis.errors import InputError
from conftest import BENCH, fake_vectors, real_vectors


@pytest.fixture(scope="module")
def uci_sample() -> pd.DataFrame:
    return pd.read_csv(BENCH / "uci_news_aggregator_6k.csv").sample(1500, random_state=1).reset_index(drop=True)


@pytest.fixture(scope="module")
def uci_map(uci_sample) -> TopicMap:
    return TopicMap(level="story", random_state=0).fit(uci_sample)


def test_clone_and_params():
    original = TopicMap(level="theme", n_topics=5, random_state=3)
    copy = clone(original)
    assert copy.get_params() == original.get_params()
    assert copy.set_params(level="story").level == "story"
    assert not hasattr(copy, "labels_")


def test_a_notebook_shows_the_estimator_without_warnings():
    """Jupyter shows a cell's TopicMap through scikit-learn's HTML view, which parses the
    docstring: section headers it could not read warned twice in every notebook."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        html = TopicMap(level="theme")._repr_html_()
    assert "level" in html and "theme" in html


@pytest.mark.parametrize(
    "params, message",
    [
        ({"level": "paragraph"}, "level='paragraph' is not allowed: use one of auto, story, topic, theme"),
        ({"n_topics": 0}, "n_topics=0 is not allowed"),
        ({"n_topics": 2.5}, "n_topics=2.5 is not allowed"),
        ({"random_state": "x"}, "random_state='x' is not allowed"),
        ({"assign_noise": "yes"}, "assign_noise='yes' is not allowed"),
    ],
)
def test_fit_validates_parameters_with_clear_messages(params, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        TopicMap(**params).fit(["a", "b", "c"], embeddings=np.eye(3, dtype=np.float32))


def test_fit_learned_state(uci_map, uci_sample):
    n = len(uci_sample)
    assert uci_map.labels_.shape == (n,) and uci_map.labels_.dtype == np.int64
    assert uci_map.coords_.shape == (n, 2) and uci_map.embeddings_.shape == (n, 384)
    assert set(uci_map.topics_.columns) >= {"id", "name", "size", "keywords", "representatives"}
    sizes = pd.Series(uci_map.labels_[uci_map.labels_ >= 0]).value_counts()
    assert dict(zip(uci_map.topics_["id"], uci_map.topics_["size"])) == sizes.to_dict()
    frame = uci_map.to_frame()
    assert len(frame) == n and list(frame["source"]) == list(uci_sample["source"])


def test_transform_agrees_with_labels_on_training_items(uci_map, uci_sample):
    assigned = uci_map.transform(uci_sample["text"].tolist())
    assert (assigned == uci_map.labels_).mean() >= 0.99


def test_save_load_round_trip(uci_map, uci_sample, tmp_path):
    uci_map.save(tmp_path / "map")
    loaded = TopicMap.load(tmp_path / "map")
    assert np.array_equal(loaded.labels_, uci_map.labels_)
    assert loaded.get_params() == uci_map.get_params()
    pd.testing.assert_frame_equal(loaded.to_frame(), uci_map.to_frame())
    assert (loaded.transform(uci_sample["text"].tolist()) == uci_map.labels_).mean() >= 0.99
    loaded.save(tmp_path / "again")
    for path in sorted((tmp_path / "map").iterdir()):
        assert path.read_bytes() == (tmp_path / "again" / path.name).read_bytes(), path.name


def test_load_refuses_other_format_versions_and_damage(uci_map, tmp_path):
    folder = tmp_path / "map"
    uci_map.save(folder)
    manifest = json.loads((folder / "topicmap.json").read_text())
    (folder / "topicmap.json").write_text(json.dumps({**manifest, "format_version": 99}))
    with pytest.raises(InputError, match="format 99"):
        TopicMap.load(folder)
    uci_map.save(folder)
    (folder / "labels.npy").write_bytes(b"garbage")
    with pytest.raises(InputError, match="damaged saved map"):
        TopicMap.load(folder)
    with pytest.raises(InputError, match="not a saved topic map"):
        TopicMap.load(tmp_path)


def test_a_saved_map_holding_a_pickle_is_refused_without_running_it(uci_map, tmp_path):
    uci_map.save(tmp_path / "map")
    ran = tmp_path / "ran"
    # An object array is stored as a pickle; this one would create `ran` when unpickled.
    payload = np.array([_Trap(str(ran))], dtype=object)
    np.save(tmp_path / "map" / "labels.npy", payload, allow_pickle=True)
    with pytest.raises(InputError, match="damaged saved map"):
        TopicMap.load(tmp_path / "map")
    assert not ran.exists()


class _Trap:
    """Unpickling this touches a file: proof that a load ran code from the folder."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_update_keeps_ids_places_new_items_and_opens_new_topics(uci_map, uci_sample, tmp_path):
    uci_map.save(tmp_path / "map")
    updated = TopicMap.load(tmp_path / "map")
    everything = pd.read_csv(BENCH / "uci_news_aggregator_6k.csv")
    new = everything[~everything["text"].isin(uci_sample["text"])].head(400).reset_index(drop=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        updated.update(new)
    assert not [w for w in caught if "no longer fits" in str(w.message)]  # more of the same news fits
    n_old = len(uci_sample)
    old_names = dict(zip(uci_map.topics_["id"], uci_map.topics_["name"]))
    new_names = dict(zip(updated.topics_["id"], updated.topics_["name"]))
    kept = np.isin(uci_map.labels_, list(new_names))
    assert np.array_equal(updated.labels_[:n_old][kept], uci_map.labels_[kept])  # joined stories aside
    assert kept[uci_map.labels_ >= 0].mean() > 0.95
    taken = (uci_map.labels_ < 0) & (updated.labels_[:n_old] >= 0)  # items the fit left out, now in a story
    assert taken.sum() < 0.05 * n_old  # the story a fit of the grown map finds them in (see rejoin_stories)
    assert updated.added_.sum() == len(new) and not updated.added_[:n_old].any()
    assert updated.coords_.shape == (n_old + len(new), 2) and np.isfinite(updated.coords_).all()
    assert all(new_names[i] == name for i, name in old_names.items() if i in new_names)
    opened = set(updated.labels_[n_old:]) - set(uci_map.labels_) - {-1}
    assert opened and min(opened) >= uci_map.next_topic_id_
    # New items put in existing stories are mostly about those stories' real events (a
    # nearest-neighbour vote on gold labels itself reaches about 0.8 here; chance is ~0.05).
    story_event = pd.Series(uci_sample["story"].to_numpy()).groupby(uci_map.labels_).agg(lambda s: s.mode()[0])
    fitted = uci_map.labels_ >= 0
    fitted_purity = np.mean(story_event[uci_map.labels_[fitted]].to_numpy() == uci_sample["story"].to_numpy()[fitted])
    joined = [(label, gold) for label, gold in zip(updated.labels_[n_old:], new["story"]) if label in old_names]
    assert len(joined) > 100
    assert np.mean([story_event[label] == gold for label, gold in joined]) >= 0.75 * fitted_purity
    frame = updated.to_frame()
    assert frame["new"].sum() == len(new) and frame["doc_id"].is_unique


def test_an_update_joins_stories_a_fit_of_the_grown_map_finds_as_one(uci_map):
    # an update cut a day's big event into its angles (9 "Bieber can't remember Australia"
    # headlines beside 178 on his deposition), as a fit of the items so far cut it, and kept
    # them apart for good, where a refit of more items joins them
    from analysis import growth

    stories = uci_map.story_labels_
    texts = uci_map.documents_["text"].tolist()
    big = np.bincount(stories[stories >= 0]).argmax()
    rows = np.flatnonzero(stories == big)
    cut = stories.copy()
    cut[rows[: 2 * len(rows) // 3]] = uci_map.next_story_id_  # most of it a story an update made
    topics = uci_map.topic_labels_
    joined = growth.rejoin_stories(cut, uci_map.embeddings_, texts, uci_map.next_story_id_, None, 0, topics)
    assert np.array_equal(joined, stories)  # one story again, under the saved id; nothing else moves
    assert np.array_equal(
        growth.rejoin_stories(stories, uci_map.embeddings_, texts, uci_map.next_story_id_, None, 0, topics), stories
    )


def test_an_update_gives_a_story_the_items_a_fit_left_out_of_it(uci_map):
    # a fit of the first half of UCI left 89 of the 230 headlines on Snowden's talk out of its
    # story, and twelve updates kept them out, where a fit of all the items holds 225 together
    from analysis import growth

    stories, topics = uci_map.story_labels_, uci_map.topic_labels_
    texts = uci_map.documents_["text"].tolist()
    big = np.bincount(stories[stories >= 0]).argmax()
    rows = np.flatnonzero(stories == big)
    left_out = stories.copy()
    left_out[rows[: len(rows) // 3]] = -1
    elsewhere = topics.copy()  # one of them lies in another topic: it stays out
    elsewhere[rows[0]] = (topics[rows[0]] + 1) % (topics.max() + 1)
    joined = growth.rejoin_stories(left_out, uci_map.embeddings_, texts, uci_map.next_story_id_, None, 0, elsewhere)
    assert joined[rows[0]] == -1
    assert np.array_equal(np.delete(joined, rows[0]), np.delete(stories, rows[0]))  # back in; nothing else moves


def test_an_update_of_a_small_map_with_items_in_no_story_runs():
    # below 200 items a map's themes are its stories, so regrouping them held -1: a ValueError
    # on every later update of a small map whose items outside stories have a theme
    headlines = pd.read_csv(BENCH / "multifin_en_headlines.csv")["text"].head(200).tolist()
    for level in ("topic", "theme"):
        topic_map = TopicMap(level=level, assign_noise=True, random_state=0).fit(headlines)
        topic_map.update(["Fed official says weak data caused by weather"])
        assert len(topic_map.labels_) == 201


def test_an_update_right_after_a_fit_keeps_the_fits_groups(uci_sample, tmp_path):
    # an update of copies only, or of five new items, joined fitted stories and split a
    # theme: the regrouping found the fit's own stories a little differently (in another
    # order) and a fit's choice of themes again
    topic_map = TopicMap(level="theme", random_state=0).fit(uci_sample.iloc[:800])
    stories, themes = topic_map.story_labels_.copy(), topic_map.theme_labels_.copy()
    topic_map.update(uci_sample["text"].iloc[:5].tolist())  # copies: counted, nothing else
    assert np.array_equal(topic_map.story_labels_, stories) and np.array_equal(topic_map.theme_labels_, themes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        topic_map.update(uci_sample["text"].iloc[800:805].tolist())
    assert np.array_equal(topic_map.story_labels_[:800], stories)
    assert np.array_equal(topic_map.theme_labels_[:800], themes)
    assert topic_map.grown_[800:].all() and not topic_map.grown_[:800].any()
    topic_map.save(tmp_path / "map")
    assert np.array_equal(TopicMap.load(tmp_path / "map").grown_, topic_map.grown_)  # saved with the map


def test_figure_has_a_trace_per_topic(uci_map):
    figure = uci_map.figure()
    assert len(figure.data) == len(set(uci_map.labels_))
    assert sum(len(trace.x) for trace in figure.data) == len(uci_map.labels_)


def test_unfitted_map_says_so():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        TopicMap().transform(["x"])


@pytest.fixture(scope="module")
def uci_theme_map(uci_sample) -> TopicMap:
    return TopicMap(level="theme", random_state=0).fit(uci_sample)


def sport_headlines(n: int) -> pd.DataFrame:
    """AG News sports titles: a subject the UCI sample (business, tech, entertainment, health) lacks."""
    ag = pd.read_csv(BENCH / "ag_news_test_titles.csv")
    return ag[ag["label"] == "Sports"].head(n)[["text"]].reset_index(drop=True)


def test_an_update_opens_a_theme_only_for_a_subject_as_large_as_the_smallest(uci_theme_map):
    themes = set(uci_theme_map.labels_) - {-1}
    smallest = min(np.sum(uci_theme_map.labels_ == t) for t in themes)
    small = copy.deepcopy(uci_theme_map)
    with pytest.warns(UserWarning, match="no longer fits"):
        small.update(sport_headlines(max(smallest // 4, 4)))
    assert set(small.labels_) - {-1} == themes  # a few items of a new subject join a theme
    large = copy.deepcopy(uci_theme_map)
    with pytest.warns(UserWarning, match="no longer fits them well: a refit"):  # a subject the map lacks
        large.update(sport_headlines(2 * smallest))
    opened = set(large.labels_) - themes - {-1}
    assert len(opened) >= 1  # a new subject of a theme's scale is a theme of its own
    new_items = large.labels_[len(uci_theme_map.labels_) :]
    assert np.isin(new_items, list(opened)).mean() > 0.5


def test_a_subject_that_comes_a_few_items_a_day_becomes_a_theme_of_its_own():
    # a subject under the smallest theme's size each day joined the nearest theme every day:
    # 150 sports headlines over five updates all stayed inside "Entertainment"
    uci = pd.read_csv(BENCH / "uci_news_aggregator_6k.csv").sample(1400, random_state=3)[["text"]]
    sport = sport_headlines(158)
    topic_map = TopicMap(level="theme", random_state=0).fit(pd.concat([uci.iloc[:800], sport.iloc[:8]]))
    fitted = topic_map.theme_table_.set_index("id")["name"].to_dict()
    smallest = min(np.bincount(topic_map.labels_[topic_map.labels_ >= 0]))
    assert smallest > 30  # each day's part is too small to open a theme by itself
    for day in range(5):
        news = pd.concat([uci.iloc[800 + 120 * day : 920 + 120 * day], sport.iloc[8 + 30 * day : 38 + 30 * day]])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            topic_map.update(news)
    frame = topic_map.to_frame()
    is_sport = frame["text"].isin(set(sport["text"]))
    home = frame.loc[is_sport, "theme"].value_counts()
    assert home.iloc[0] > 0.5 * is_sport.sum()  # most of the subject is one theme ...
    assert home.index[0] not in fitted  # ... a new one ...
    assert is_sport[frame["theme"] == home.index[0]].mean() > 0.8  # ... of that subject
    names = topic_map.theme_table_.set_index("id")["name"].to_dict()
    assert all(names[i] == name for i, name in fitted.items())  # the fitted themes keep their ids and names
    first = {name.split(" · ")[0] for name in fitted.values()}
    assert not {names[i].split(" · ")[0] for i in names if i not in fitted} & first  # and their subjects
    assert (frame.loc[frame["story"] >= 0].groupby("story")["topic"].nunique() == 1).all()  # still nested
    assert (frame.groupby("topic")["theme"].nunique() == 1).all()


@pytest.fixture(scope="module")
def uci_1100() -> tuple[TopicMap, pd.DataFrame]:
    """A theme map of 800 UCI headlines, and 300 more of the same news."""
    items = pd.read_csv(BENCH / "uci_news_aggregator_6k.csv").sample(1100, random_state=0)
    return TopicMap(level="theme", random_state=0).fit(items.iloc[:800]), items.iloc[800:]


def test_updates_keep_every_name_and_give_new_groups_names_of_their_own(uci_1100):
    # a second update named its new stories "Dead" and "Police", names the first one's new
    # stories kept: two stories of one level with one name
    from analysis.phrases import fold

    uci_theme_map = uci_1100[0]
    huffpost = pd.read_csv(BENCH / "huffpost_v3_2018_2022_10k.csv").sample(900, random_state=2)[["text"]]
    grown = copy.deepcopy(uci_theme_map)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # HuffPost is far from the UCI map: said, not tested here
        grown.update(huffpost.iloc[:450]).update(huffpost.iloc[450:])
    for level, before, after in [
        ("story", uci_theme_map.stories_, grown.stories_),
        ("topic", uci_theme_map.topic_table_, grown.topic_table_),
        ("theme", uci_theme_map.theme_table_, grown.theme_table_),
    ]:
        folded = after["name"].map(fold)
        assert not folded.duplicated().any(), (level, after[folded.duplicated(keep=False)][["id", "name"]])
        kept = dict(zip(after["id"], after["name"]))
        assert all(kept[i] == name for i, name in zip(before["id"], before["name"]) if i in kept), level
    assert len(grown.stories_) > len(uci_theme_map.stories_)  # the updates made stories to name


def test_an_update_gives_every_new_item_a_theme_and_topic_as_a_fit_does(uci_1100):
    # 15 of 300 new items, beyond every theme's reach, were left with theme and topic -1,
    # which a fit never leaves (only stories have unclustered items)
    uci_theme_map, new = uci_1100
    assert (uci_theme_map.theme_labels_ >= 0).all() and (uci_theme_map.topic_labels_ >= 0).all()
    grown = copy.deepcopy(uci_theme_map).update(new[["text"]])
    frame = grown.to_frame()
    assert (frame["theme"] >= 0).all() and (frame["topic"] >= 0).all()
    assert (frame.loc[frame["story"] >= 0].groupby("story")["topic"].nunique() == 1).all()  # still nested
    assert (frame.groupby("topic")["theme"].nunique() == 1).all()
    assert (frame.loc[frame["new"], "story"] < 0).any()  # stories still leave items out


def test_numpy_settings_fit_save_and_show_as_the_python_values_they_stand_for(tmp_path):
    # a seed from a numpy grid passed every check, then save and to_html failed on JSON
    texts = pd.read_csv(BENCH / "uci_news_aggregator_6k.csv")["text"].iloc[:300].tolist()
    vectors = real_vectors(texts)
    settings = {"random_state": np.int64(0), "n_topics": np.int32(4), "assign_noise": np.bool_(True)}
    topic_map = TopicMap(**settings).fit(texts, embeddings=vectors)
    assert (topic_map.labels_ >= 0).all()
    assert all(type(topic_map.params_[name]) is type(value.item()) for name, value in settings.items())
    assert "<html" in topic_map.to_html()
    topic_map.save(tmp_path / "map")
    assert TopicMap.load(tmp_path / "map").params_["random_state"] == 0
    plain = TopicMap(random_state=0, n_topics=4, assign_noise=True).fit(texts, embeddings=vectors)
    assert np.array_equal(plain.labels_, topic_map.labels_)


def test_assign_noise_leaves_no_new_item_out_on_a_story_map(uci_sample):
    texts = uci_sample["text"].tolist()[:800]
    vectors = real_vectors(texts)
    topic_map = TopicMap(level="story", assign_noise=True, random_state=0).fit(texts[:600], embeddings=vectors[:600])
    assert (topic_map.labels_ >= 0).all()
    topic_map.update(texts[600:], embeddings=vectors[600:])
    assert (topic_map.labels_ >= 0).all() and (topic_map.story_labels_ >= 0).all()
    frame = topic_map.to_frame()
    assert (frame.groupby("story")["topic"].nunique() == 1).all()


def test_an_update_of_a_map_without_groups_nests_its_new_stories(uci_sample):
    # a 5-item theme map has no group; an update's story of three had no topic and no theme
    texts = uci_sample["text"].tolist()[:35]
    vectors = real_vectors(texts)
    topic_map = TopicMap(level="theme", random_state=0).fit(texts[:5], embeddings=vectors[:5])
    assert (topic_map.labels_ < 0).all()
    topic_map.update(texts[5:], embeddings=vectors[5:])
    frame = topic_map.to_frame()
    assert (frame["story"] >= 0).any()
    storied = frame[frame["story"] >= 0]
    assert (storied["topic"] >= 0).all() and (storied["theme"] >= 0).all()
    assert (frame[frame["topic"] >= 0].groupby("topic")["theme"].nunique() == 1).all()


def test_given_vectors_and_page_settings_are_checked_on_every_path(monkeypatch):
    texts = ["Oil prices climb on supply fears", "Stocks slip as oil climbs", "Fed holds rates steady"] * 4
    vectors = fake_vectors([f"{t} {i}" for i, t in enumerate(texts)])
    topic_map = TopicMap(random_state=0).fit([f"{t} {i}" for i, t in enumerate(texts)], embeddings=vectors)
    with pytest.raises(InputError, match=r"shape \(5, 32\): expected \(2, d\)"):
        topic_map.transform([None, ""], embeddings=np.ones((5, 32)))  # no item with words: rows still checked
    with pytest.raises(InputError, match=r"shape \(5, 32\): expected \(0, d\)"):
        topic_map.update([], embeddings=np.ones((5, 32)))
    with pytest.raises(InputError, match="10 dimensions and the map's vectors 32"):
        topic_map.update(texts[:2], embeddings=np.ones((2, 10)))  # items the map holds: width still checked
    with pytest.raises(InputError, match="progress=5 is not allowed"):
        TopicMap().fit(texts, embeddings=vectors, progress=5)
    with pytest.raises(InputError, match=r"text_col=\['text'\] is not allowed"):
        TopicMap().fit(pd.DataFrame({"text": texts}), embeddings=vectors, text_col=["text"])
    with pytest.warns(UserWarning, match="text_col='body' has no effect"):
        topic_map.transform(texts[:2], embeddings=vectors[:2], text_col="body")
    topic_map.set_params(sample_size="50")  # a setting that may change after a fit, checked when used
    with pytest.raises(InputError, match="sample_size='50' is not allowed"):
        topic_map.to_html()
    monkeypatch.setattr(report_page, "generated_at", lambda: "now")
    topic_map.set_params(sample_size=4, random_state=7)  # the page's sample is drawn with the map's own seed
    assert topic_map.to_html() == topic_map.set_params(random_state=0).to_html()


def test_the_report_credits_vectors_given_with_the_items_to_them_not_to_the_model(tmp_path, uci_map):
    """A notebook user's pass: a map fitted on their own 1,536-wide vectors said on its page
    that all-MiniLM-L6-v2 had made them."""
    import re

    def page_model(topic_map: TopicMap) -> str:
        html = topic_map.to_html()
        return json.loads(re.search(r'id="topicmap-data">(.*?)</script>', html, re.S).group(1))["meta"]["model"]

    texts = uci_map.documents_["text"].tolist()[:300]
    vectors = np.random.default_rng(0).normal(size=(300, 24)).astype(np.float32)
    given = TopicMap(random_state=0).fit(texts, embeddings=vectors)
    assert given.vectors_given_ and page_model(given) == "vectors given with the items (24 wide)"
    given.save(tmp_path / "given")
    assert TopicMap.load(tmp_path / "given").vectors_given_
    assert not uci_map.vectors_given_ and "all-MiniLM-L6-v2" in page_model(uci_map)
    with pytest.raises(InputError, match="give vectors made as the map's were, given with embeddings="):
        given.transform(texts[:3], embeddings=np.ones((3, 5), dtype=np.float32))
    with pytest.raises(InputError, match=r"give vectors made as the map's were \(by all-MiniLM-L6-v2"):
        uci_map.transform(texts[:3], embeddings=np.ones((3, 5), dtype=np.float32))
