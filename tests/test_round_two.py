"""Nothing lost, round two: the defects a second hostile pass found in the API, the CLI and
updates, each checked as a user meets it."""

from __future__ import annotations

import inspect
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from analysis import params
from analysis.errors import InputError
from analysis.load import load_corpus
from analysis.pipeline import TopicMap
from conftest import BENCH, SEED, cli, fake_vectors

WORDS = ["rates", "storms", "talks", "tariffs", "vaccine", "election", "drought", "merger"]


def texts_of(n: int) -> list[str]:
    return [f"headline {i} on {WORDS[i % len(WORDS)]} and {WORDS[(i * 3) % len(WORDS)]}" for i in range(n)]


@pytest.fixture(scope="module")
def seed_map() -> TopicMap:
    """The seed corpus fitted with the real packaged model."""
    return TopicMap(random_state=0).fit(load_corpus(SEED))


# --- internal errors -------------------------------------------------------------------------


def test_a_seed_past_a_fifth_of_32_bits_fits_many_items():
    texts = texts_of(240)
    fitted = TopicMap(random_state=4_000_000_000, cache=False).fit(texts, embeddings=fake_vectors(texts))
    assert len(fitted.labels_) == 240


def test_dates_with_a_negative_or_far_year_are_undated_not_an_error(tmp_path):
    texts = texts_of(40)
    dates = ["2014-03-11"] * 20 + ["2014-03-12"] * 17 + ["-2014-03-11", "0999-03-11", "9999-12-31"]
    frame = pd.DataFrame({"text": texts, "date": dates})
    fitted = TopicMap(cache=False).fit(frame, embeddings=fake_vectors(texts))
    fitted.report(tmp_path / "dates.html")
    data = fitted._report_data("dates")
    assert data["timeline"]["undated"] == 3 and data["timeline"]["labels"] == ["2014-03-11", "2014-03-12"]
    assert fitted.to_frame()["date"].tolist() == dates  # the export keeps them as written


def test_a_saved_map_with_a_time_out_of_range_is_damaged(tmp_path):
    texts = texts_of(30)
    TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts)).save(tmp_path / "map")
    manifest = json.loads((tmp_path / "map" / "topicmap.json").read_text())
    manifest["fitted_at_"] = "9999-12-31T23:00:00-05:00"
    (tmp_path / "map" / "topicmap.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="damaged saved map"):
        TopicMap.load(tmp_path / "map")


@pytest.mark.parametrize(
    "damage",
    ["level", "nesting", "doc_id"],
)
def test_a_saved_map_whose_levels_or_ids_do_not_fit_together_is_damaged(tmp_path, damage):
    """A manifest's level that is not the labels' (an update failed inside with "argmax of an
    empty sequence", exit 1), stories across topics, or one doc_id twice."""
    texts = texts_of(240)
    TopicMap(level="topic", cache=False).fit(texts, embeddings=fake_vectors(texts)).save(tmp_path / "map")
    folder = tmp_path / "map"
    if damage == "level":
        manifest = json.loads((folder / "topicmap.json").read_text())
        manifest["level_"] = "theme"
        (folder / "topicmap.json").write_text(json.dumps(manifest))
    elif damage == "nesting":
        topics = np.load(folder / "topic_labels.npy")
        stories = np.load(folder / "story_labels.npy")
        story = np.flatnonzero(stories >= 0)[0]
        members = np.flatnonzero(stories == stories[story])
        topics[members[0]] = (topics[members[0]] + 1) % (topics.max() + 1)
        np.save(folder / "topic_labels.npy", topics)
    else:
        documents = pd.read_parquet(folder / "documents.parquet")
        documents["doc_id"] = "same"
        documents.to_parquet(folder / "documents.parquet")
    with pytest.raises(InputError, match="damaged saved map"):
        TopicMap.load(folder)
    result = cli("update", str(folder), str(SEED), "-o", str(tmp_path / "u.html"))
    assert result.returncode == 2 and "damaged saved map" in result.stderr and result.stderr.count("\n") == 1


def test_a_count_above_the_groups_found_is_warned_of_not_met_silently(tmp_path):
    texts = texts_of(240)
    with pytest.warns(UserWarning, match=r"n_topics=500 \(--topics\): only \d+ themes were found"):
        fitted = TopicMap(level="theme", n_topics=500, cache=False).fit(texts, embeddings=fake_vectors(texts))
    found = len(fitted.topics_)
    assert found < 500
    with warnings.catch_warnings():  # a count the level holds: met, no warning
        warnings.simplefilter("error")
        fitted = TopicMap(level="theme", n_topics=found, cache=False).fit(texts, embeddings=fake_vectors(texts))
    assert len(fitted.topics_) == found
    result = cli("report", str(SEED), "-o", str(tmp_path / "r.html"), "--topics", "50")
    assert result.returncode == 0 and "warning: n_topics=50 (--topics): only" in result.stderr  # not under -q
    # Two items form no group: the warning says so, not "only 0 stories were found" (a notebook user's pass).
    with pytest.warns(UserWarning, match=r"n_topics=5 \(--topics\): 2 items are too few to form any group"):
        TopicMap(n_topics=5, cache=False).fit(texts[:2], embeddings=fake_vectors(texts[:2]))


def test_the_export_after_an_update_has_the_new_column_even_when_nothing_was_new():
    texts = texts_of(60)
    fitted = TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts))
    assert "new" not in fitted.to_frame().columns
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted.update(texts[:5], embeddings=fake_vectors(texts[:5]))  # every item already on the map
    frame = fitted.to_frame()
    assert "new" in frame.columns and not frame["new"].any() and len(frame) == 60


def test_options_that_cannot_apply_are_warned_of_not_dropped_silently():
    with pytest.warns(UserWarning, match="--text-col title has no effect: .* has no table file"):
        load_corpus(SEED, text_col="title")
    texts = texts_of(60)
    with pytest.warns(
        UserWarning, match=r"scheduler='tcp://127.0.0.1:1' \(--scheduler\) has no effect without engine='dask'"
    ):
        TopicMap(scheduler="tcp://127.0.0.1:1", cache=False).fit(texts, embeddings=fake_vectors(texts))


def test_a_numpy_integer_seed_fits_as_the_same_python_integer():
    texts = texts_of(240)
    vectors = fake_vectors(texts)
    plain = TopicMap(random_state=3, cache=False).fit(texts, embeddings=vectors)
    for seed in (np.int64(3), np.int32(3), np.uint8(3)):
        fitted = TopicMap(random_state=seed, cache=False).fit(texts, embeddings=vectors)
        assert np.array_equal(fitted.labels_, plain.labels_) and np.array_equal(fitted.coords_, plain.coords_)


def test_vectors_count_by_their_direction_alone_in_fit_transform_and_update():
    texts = texts_of(240)
    vectors = fake_vectors(texts)
    fitted = TopicMap(cache=False).fit(texts[:200], embeddings=vectors[:200])
    longer = TopicMap(cache=False).fit(texts[:200], embeddings=vectors[:200] * 7.5)
    assert np.array_equal(fitted.labels_, longer.labels_)
    assert np.allclose(np.linalg.norm(longer.embeddings_, axis=1), 1, atol=1e-5)
    new = vectors[200:]
    assert np.array_equal(
        fitted.transform(texts[200:], embeddings=new), fitted.transform(texts[200:], embeddings=new * 0.01)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = TopicMap(cache=False).fit(texts[:200], embeddings=vectors[:200]).update(texts[200:], embeddings=new)
        b = TopicMap(cache=False).fit(texts[:200], embeddings=vectors[:200]).update(texts[200:], embeddings=new * 3)
    assert np.array_equal(a.labels_, b.labels_) and np.allclose(a.coords_, b.coords_, atol=1e-4)


@pytest.mark.parametrize(
    ("vectors", "message"),
    [
        (np.ones((60, 1)), "with d at least 2"),
        (np.vstack([np.zeros((1, 4)), np.ones((59, 4))]), "row 0 is all zeros"),
    ],
)
def test_embeddings_of_one_column_or_a_zero_row_are_one_line(vectors, message):
    with pytest.raises(InputError, match=message):
        TopicMap(cache=False).fit(texts_of(60), embeddings=vectors)


def test_a_saved_map_gives_input_columns_back_as_they_were(tmp_path):
    """Lists (Parquet gives arrays), numbers and text mixed, integers past 64 bits (Parquet
    cannot hold them: saved as JSON); complex numbers have no JSON type and come back as text."""
    texts = texts_of(40)
    frame = pd.DataFrame(
        {
            "text": texts,
            "tags": [["x", "y"]] * 40,
            "ref": [1, "a"] * 20,
            "big": [2**70, None] * 20,
            "z": np.arange(40) + 1j,
        }
    )
    fitted = TopicMap(cache=False).fit(frame, embeddings=fake_vectors(texts))
    fitted.save(tmp_path / "map")
    back = TopicMap.load(tmp_path / "map").documents_
    for column in ("tags", "ref", "big"):
        assert back[column].tolist() == fitted.documents_[column].tolist()
        assert [type(v) for v in back[column]] == [type(v) for v in fitted.documents_[column]]
    assert back["z"].tolist()[:2] == ["1j", "(1+1j)"]


def test_writing_the_report_to_a_folder_or_under_a_missing_one_is_one_line(tmp_path):
    texts = texts_of(40)
    fitted = TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts))
    with pytest.raises(InputError, match="is a folder: give the path of a file"):
        fitted.report(tmp_path)
    with pytest.raises(InputError, match="does not exist; create it first"):
        fitted.report(tmp_path / "nope" / "map.html")
    assert list(tmp_path.iterdir()) == []


def test_the_python_api_names_its_own_arguments_not_the_clis_flags(tmp_path):
    texts = texts_of(40)
    fitted = TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts))
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match=r"^folder .* saving there would replace"):
        fitted.save(tmp_path)
    with pytest.raises(InputError, match="pass one of those to text_col$"):
        TopicMap(cache=False).fit(pd.DataFrame({"text": texts}), text_col="title")
    result = cli("report", str(SEED), "-o", str(tmp_path / "r.html"), "--text-col", "title")
    assert "--text-col" in result.stderr  # the CLI still names its flag


def test_a_model_name_too_long_for_any_folder_is_one_line_exit_2(tmp_path):
    result = cli("report", str(SEED), "-o", str(tmp_path / "r.html"), "--model", "m" * 300)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--model" in result.stderr and "255" in result.stderr


# --- the API takes the CLI's rule for input ----------------------------------------------------


def test_fit_refuses_items_without_words_and_objects_as_the_cli_does():
    with pytest.raises(InputError, match="no item with words"):
        TopicMap(cache=False).fit([None] * 5, embeddings=np.eye(5, dtype=np.float32))
    with pytest.raises(InputError, match="list values, not text"):
        TopicMap(cache=False).fit([["a list"], "text"], embeddings=np.eye(2, dtype=np.float32))
    with pytest.raises(InputError, match="dict values, not text"):
        TopicMap(cache=False).fit(pd.DataFrame({"text": [{"a": 1}, "b"]}), embeddings=np.eye(2, dtype=np.float32))


def test_fit_decodes_bytes_and_drops_missing_items_keeping_vectors_in_line():
    texts = texts_of(30)
    docs = [t.encode() if i % 2 else t for i, t in enumerate(texts)] + [pd.NA, "", None, "  ...  "]
    vectors = np.vstack([fake_vectors(texts), fake_vectors(["x1", "x2", "x3", "x4"])])
    with pytest.warns(UserWarning, match="dropped 4 items with no words"):
        fitted = TopicMap(cache=False).fit(docs, embeddings=vectors)
    assert fitted.documents_["text"].tolist() == texts
    assert np.array_equal(fitted.embeddings_, fake_vectors(texts))


def test_transform_gives_one_label_per_row_and_minus_one_without_words():
    texts = texts_of(30)
    fitted = TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = fitted.transform([texts[0], None, texts[1]], embeddings=fake_vectors([texts[0], "-", texts[1]]))
    assert labels.tolist() == [fitted.labels_[0], -1, fitted.labels_[1]]


def test_to_frame_before_fit_is_not_fitted_error():
    with pytest.raises(NotFittedError):
        TopicMap().to_frame()


# --- update: re-fed items, row order ----------------------------------------------------------


def test_update_with_the_maps_own_items_adds_nothing_and_counts_them(seed_map):
    grown = _copy(seed_map)
    before = len(grown.labels_)
    grown.update(load_corpus(SEED))
    assert len(grown.labels_) == before and not grown.added_.any()
    assert len(grown.topics_) == len(seed_map.topics_)
    assert (grown.documents_["count"] == 2).all()
    assert np.array_equal(grown.labels_, seed_map.labels_)


def test_update_never_opens_a_topic_of_copies(seed_map):
    grown = _copy(seed_map)
    copies = ["Bakery in Lyon wins the national croissant prize"] * 6
    grown.update(copies)
    assert (grown.labels_[grown.added_] == -1).all() and len(grown.topics_) == len(seed_map.topics_)


def test_update_sees_new_items_in_one_order_whatever_the_rows(seed_map):
    new = [
        "Iran says nuclear talks with the US will resume next week",
        "Epstein files: judge orders release of more documents",
        "Belarus frees more political prisoners after US talks",
        "Tariffs on steel imports rise again, says Commerce",
        "A small bakery in Lyon wins the national croissant prize",
        "Iran and the US trade messages through Oman before talks",
    ]
    first, second = _copy(seed_map), _copy(seed_map)
    first.update(new)
    second.update(new[::-1])
    by_text = dict(zip(first.documents_["text"], first.labels_))
    assert by_text == dict(zip(second.documents_["text"], second.labels_))
    coords = dict(zip(first.documents_["text"], map(tuple, first.coords_)))
    assert coords == dict(zip(second.documents_["text"], map(tuple, second.coords_)))


def _copy(fitted: TopicMap) -> TopicMap:
    import copy

    return copy.deepcopy(fitted)


# --- the CLI -------------------------------------------------------------------------------


def test_outputs_inside_a_saved_map_are_refused(seed_map, tmp_path):
    seed_map.save(tmp_path / "map")
    for args in (
        ["report", str(SEED), "-o", str(tmp_path / "map" / "r.html")],
        ["update", str(tmp_path / "map"), str(SEED), "-o", str(tmp_path / "r.html"), "--export", "x.csv"],
    ):
        if args[0] == "update":
            args[-1] = str(tmp_path / "map" / "x.csv")
        result = cli(*args)
        assert result.returncode == 2 and "inside the saved map" in result.stderr, result.stderr
    assert sorted(p.name for p in (tmp_path / "map").iterdir()) == sorted(
        p.name for p in (tmp_path / "map").iterdir() if p.suffix in (".json", ".npy", ".parquet")
    )


def test_a_relative_cache_is_saved_as_an_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    texts = texts_of(30)
    fitted = TopicMap(cache="relative-cache").fit(texts, embeddings=fake_vectors(texts))
    fitted.save(tmp_path / "map")
    assert TopicMap.load(tmp_path / "map").cache == str(tmp_path / "relative-cache")


def test_a_width_mismatch_says_how_the_maps_vectors_were_made(tmp_path):
    texts = texts_of(30)
    model = str(tmp_path / "the-maps-model")  # not loadable: names fall back to the items' vectors
    fitted = TopicMap(model=model, cache=False).fit(texts, embeddings=fake_vectors(texts))
    with pytest.raises(InputError, match="32: give vectors made as the map's were, given with embeddings=$"):
        fitted.update(["a new headline about rates"], embeddings=np.ones((1, 8), dtype=np.float32))


@pytest.mark.parametrize("content", ["text\n \n\t\n   \n", "  \n\n \t \n"])
def test_an_all_blank_csv_is_told_it_is_blank(tmp_path, content):
    path = tmp_path / "blank.csv"
    path.write_text(content)
    result = cli("report", str(path), "-o", str(tmp_path / "r.html"))
    assert result.returncode == 2 and "no items with words" in result.stderr and "column" not in result.stderr


def test_the_export_csv_quotes_formulas_as_the_page_does(tmp_path):
    from analysis.export import write_export

    frame = pd.DataFrame({"doc_id": ["1", "2"], "text": ["=HYPERLINK(1)", "-5 dead in storm"], "topic": [-1, 0]})
    frame["score"] = ["-3", "-2+3"]  # a plain number stays a number; a sum is a formula
    write_export(frame, tmp_path / "x.csv")
    written = pd.read_csv(tmp_path / "x.csv", dtype=str)
    assert written["text"].tolist() == ["'=HYPERLINK(1)", "'-5 dead in storm"] and written["topic"].tolist() == [
        "-1",
        "0",
    ]
    assert written["score"].tolist() == ["-3", "'-2+3"]
    write_export(frame, tmp_path / "x.jsonl")
    assert pd.read_json(tmp_path / "x.jsonl", lines=True)["text"].tolist() == frame["text"].tolist()


# --- one table of parameters ------------------------------------------------------------------


def test_topicmap_and_the_cli_take_their_parameters_from_the_one_table():
    from typer.main import get_command

    from analysis.cli import app

    signature = inspect.signature(TopicMap.__init__).parameters
    assert [p.name for p in params.PARAMS] == [n for n in signature if n != "self"]
    assert all(signature[p.name].default == p.default for p in params.PARAMS)
    report = get_command(app).commands["report"]  # type: ignore[attr-defined]
    flags = {opt for option in report.params for opt in option.opts}
    assert {p.flag for p in params.PARAMS} <= flags


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_story_size": 1}, "min_story_size=1 is not allowed: use an integer from 2"),
        ({"min_story_size": 2.5}, "min_story_size=2.5 is not allowed"),
        ({"model": "x" * 256}, "at most 255 characters"),
    ],
)
def test_new_parameters_are_validated(kwargs, message):
    with pytest.raises(InputError, match=message):
        TopicMap(**kwargs).fit(["a"], embeddings=np.ones((1, 4), np.float32))


def test_min_story_size_sets_the_smallest_story():
    texts = texts_of(400)
    # six groups of 60 items and four of 10, each item near its group's vector
    group = [i // 60 if i < 360 else 6 + (i - 360) // 10 for i in range(400)]
    vectors = fake_vectors([f"g{g}" for g in group]) + 0.05 * fake_vectors(texts)
    small = TopicMap(cache=False, level="story").fit(texts, embeddings=vectors)
    large = TopicMap(cache=False, level="story", min_story_size=20).fit(texts, embeddings=vectors)
    sizes = np.bincount(large.story_labels_[large.story_labels_ >= 0])
    assert sizes.min() >= 20 and np.bincount(small.story_labels_[small.story_labels_ >= 0]).min() < 20
    assert "min_story_size=20" in large.to_html()


# --- a second review's findings ---------------------------------------------------------------


def test_an_export_read_back_fits_and_reports(tmp_path):
    texts = texts_of(30)
    fitted = TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts))
    fitted.to_frame().to_csv(tmp_path / "export.csv", index=False)
    again = TopicMap(cache=False).fit(pd.read_csv(tmp_path / "export.csv"), embeddings=fake_vectors(texts))
    frame = again.to_frame()
    assert frame.columns.is_unique and {"input_topic", "input_x", "input_topic_label"} <= set(frame.columns)
    again.report(tmp_path / "again.html")
    with pytest.raises(InputError, match="repeated doc_id"):
        TopicMap(cache=False).fit(pd.DataFrame({"doc_id": ["1", "1"], "kind": "headline", "text": ["a b", "c d"]}))


def test_an_input_count_column_is_the_users_not_a_copy_count(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("title,count\nAlpha beta,500\nGamma delta,many\n")
    docs = load_corpus(path)
    assert docs["input_count"].tolist() == ["500", "many"] and "count" not in docs.columns


def test_update_joins_the_sources_of_repeats_as_the_loader_does():
    texts = texts_of(30)
    frame = pd.DataFrame({"text": texts, "source": ["AP"] * 30})
    fitted = TopicMap(cache=False).fit(frame, embeddings=fake_vectors(texts))
    fitted.update(pd.DataFrame({"text": [texts[0].upper()], "source": ["Reuters"]}), embeddings=fake_vectors(texts[:1]))
    assert fitted.documents_["source"].iloc[0] == "AP; Reuters" and fitted.documents_["count"].iloc[0] == 2


def test_update_counts_a_repeat_written_in_another_unicode_form():
    import unicodedata

    texts = [*texts_of(29), "Pokémon café opens in Zürich"]
    fitted = TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts))
    again = unicodedata.normalize("NFD", texts[-1])
    assert again != texts[-1]
    fitted.update([again], embeddings=fake_vectors([again]))
    assert len(fitted.documents_) == 30 and fitted.documents_["count"].iloc[-1] == 2


def test_assign_noise_at_the_story_level_keeps_stories_and_topics_one_partition():
    texts = texts_of(120)
    vectors = fake_vectors([f"g{i % 6}" for i in range(120)]) + 0.3 * fake_vectors(texts)
    fitted = TopicMap(cache=False, level="story", assign_noise=True).fit(texts, embeddings=vectors)
    assert (fitted.labels_ >= 0).all() and np.array_equal(fitted.labels_, fitted.story_labels_)


def test_a_rewritten_output_keeps_the_mode_its_owner_gave_it(tmp_path):
    from analysis.files import atomic_path

    target = tmp_path / "report.html"
    target.write_text("old")
    target.chmod(0o600)
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new" and target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("args", [["--merge", "3,--7"], ["--rename", "²=x"], ["--merge", "٣,4"]])
def test_edit_refuses_ids_that_are_not_ascii_integers(tmp_path, args):
    result = cli("edit", str(tmp_path / "map"), *args)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr


def test_fit_transform_gives_one_label_per_row_like_transform():
    # it returned labels_, shorter than docs when rows without a word were dropped, so
    # frame["topic"] = fit_transform(frame) failed on a length mismatch
    texts = texts_of(60)
    rows = list(texts)
    rows[3], rows[7] = None, "..."
    vectors = fake_vectors([t or "" for t in rows])
    topic_map = TopicMap(cache=False, random_state=0)
    with pytest.warns(UserWarning, match="dropped 2 items"):
        labels = topic_map.fit_transform(rows, embeddings=vectors)
    assert len(labels) == len(rows) and labels[3] == labels[7] == -1
    assert np.array_equal(np.delete(labels, [3, 7]), topic_map.labels_)
    frame = pd.DataFrame({"text": rows, "source": "wire"}, index=range(100, 160))
    with pytest.warns(UserWarning, match="dropped 2 items"):
        frame["label"] = TopicMap(cache=False, random_state=0).fit_transform(frame, embeddings=vectors)
    assert frame["label"].tolist() == labels.tolist()


def test_a_width_mismatch_names_the_fix_that_fits_where_the_vectors_came_from():
    # a map fitted on the reader's own 32-d vectors was told to "use the model the map was
    # made with (all-MiniLM-L6-v2)", which never made them
    texts = texts_of(40)
    fitted = TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts))
    with pytest.raises(InputError, match=r"makes vectors of 384 dimensions and the map's have 32, so the map was made"):
        fitted.transform(texts[:3])
    with pytest.raises(InputError, match=r"^embeddings= has 16 dimensions and the map's vectors 32: give vectors"):
        fitted.update(["A new headline about rates"], embeddings=fake_vectors(["A new headline about rates"], dim=16))


def test_the_notebook_api_checks_its_small_arguments_in_one_line(tmp_path):
    texts = texts_of(40)
    fitted = TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts))
    assert fitted.transform([]).tolist() == [] and fitted.transform(["", None, "..."]).tolist() == [-1, -1, -1]
    with pytest.raises(InputError, match="plotlyjs='bogus': use 'inline'"):
        fitted.report(tmp_path / "r.html", plotlyjs="bogus")
    for height in ("big", -5, 2.5, True):
        with pytest.raises(InputError, match=f"height={height!r}: give the frame's height in pixels"):
            fitted.show(height=height)
    with pytest.raises(InputError, match="does not exist: give the folder a map was saved in"):
        TopicMap.load(tmp_path / "missing")
    assert list(tmp_path.iterdir()) == []


def test_a_map_that_found_nothing_nests_the_stories_an_update_finds():
    # three unrelated headlines make no group; an update's new story had no topic or theme
    rng = np.random.default_rng(0)
    old = ["Fed raises rates", "Storm hits the coast", "Champions League final tonight"]
    fitted = TopicMap(cache=False, random_state=0).fit(old, embeddings=fake_vectors(old))
    assert (fitted.story_labels_ < 0).all()
    new = [f"Costume for the Flash revealed, take {i}" for i in range(4)]
    base = rng.standard_normal(32)
    vectors = (base + 0.01 * rng.standard_normal((4, 32))).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # far from the map: said, not tested here
        fitted.update(new, embeddings=vectors)
    frame = fitted.to_frame()
    assert (frame["story"] >= 0).any()
    storied = frame[frame["story"] >= 0]
    assert (storied["topic"] >= 0).all() and (storied["theme"] >= 0).all()
    assert set(storied["topic_label"]) != {""} and set(storied["theme_label"]) != {""}


def test_a_day_story_too_far_for_every_topic_still_nests_in_one():
    # 150 HuffPost headlines make a map of many small themes; in the next 120, three items
    # ("... Dies At 74") form a story no saved theme placed, which kept topic and theme -1
    texts = pd.read_csv(BENCH / "huffpost_v3_2018_2022_10k.csv")["text"].astype(str).tolist()
    fitted = TopicMap(level="theme", random_state=0).fit(texts[:150])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a day far from a small map: said, not tested here
        fitted.update(texts[150:270])
    frame = fitted.to_frame()
    storied = frame[frame["story"] >= 0]
    assert (storied["topic"] >= 0).all() and (storied["theme"] >= 0).all()
    assert (storied.groupby("story")["theme"].nunique() == 1).all()


def test_an_empty_day_leaves_the_map_as_it_is_with_a_warning():
    texts = texts_of(40)
    fitted = TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts))
    before = fitted.to_frame()
    with pytest.warns(UserWarning, match="no new items given: the map is unchanged"):
        assert fitted.update([]) is fitted
    with pytest.warns(UserWarning, match=r"no new items \(2 given, none with words\)"):
        fitted.update(["", "!!!"])
    pd.testing.assert_frame_equal(fitted.to_frame(), before)
    day = texts_of(46)[40:]
    fitted.update(day, embeddings=fake_vectors(day))
    assert fitted.added_.sum() == 6
    with pytest.warns(UserWarning, match="no new items given"):
        fitted.update([])
    assert not fitted.added_.any()  # the items the last day added are not today's news
