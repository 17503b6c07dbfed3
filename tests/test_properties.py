"""Property tests (issue 6, item 12): whatever a scraper wrote, the loaders and the export never
fail with a traceback, and every item is either exported or counted as dropped or merged.

The export part fits with hash-based fake vectors (no model): what is under test is the
loading, the bookkeeping and the writing, not the topics.
"""

from __future__ import annotations

import csv
import json
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.export import FORMULA_START, PLAIN_NUMBER, write_export
from analysis.load import load_corpus
from analysis.pipeline import TopicMap
from conftest import fake_vectors

# Examples are derandomised (the "ci" profile in conftest.py), so every run tries the same ones;
# HYPOTHESIS_PROFILE=explore draws new ones locally.
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

# Any Unicode a str can hold in a file (no lone surrogates), biased towards the awkward:
# line and paragraph separators, BOMs, NUL, quotes, separators, RTL marks, emoji.
AWKWARD = "\n\r\t,;\"'\x00\x0b\x0c\x1c\x85\u2028\u2029\ufeff\u200b\u200f\u202e\xa0 🙂👨‍👩‍👧"
chars = st.characters(exclude_categories=("Cs",)) | st.sampled_from(AWKWARD)
cell = st.text(chars, max_size=30) | st.sampled_from(
    ["", "  ", "NaN", "null", "N/A", "None", "...", "Fed raises rates"]
)
column_name = st.text(chars, max_size=8) | st.sampled_from(
    ["text", "Title", "headline", "topic", "doc_id", "count", "new"]
)


def load(path: Path, **options) -> pd.DataFrame | None:
    """load_corpus, where the only failure allowed is one InputError line."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return load_corpus(path, **options)
        except InputError as exc:
            assert "\n" not in str(exc) and str(exc).strip()
            return None


def write_csv(path: Path, names: list[str], rows: list[list[str]], sep: str = ",") -> None:
    """RFC 4180 CSV, as spreadsheets write it: CRLF, any field with a separator, quote or line
    break quoted."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=sep, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows(rows)


def accounted(frame: pd.DataFrame) -> int:
    """Items kept plus items dropped (no words) plus copies merged into another."""
    return len(frame) + frame.attrs["dropped"] + frame.attrs["merged"]


@SETTINGS
@given(st.lists(st.text(chars, max_size=60), max_size=25), st.booleans())
def test_any_text_file_loads_or_fails_with_one_line_and_every_line_is_accounted_for(lines, keep_duplicates):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.txt"
        data = "\n".join(lines).encode("utf-8")
        path.write_bytes(data)
        frame = load(path, keep_duplicates=keep_duplicates)
    text = data.decode("utf-8-sig").replace("\x00", "")  # a stray NUL is removed, with a warning
    nonblank = [line for line in text.splitlines() if line.strip()]
    if frame is None:  # no item at all, or so many control bytes that it is not text
        controls = sum(1 for b in data[:8192] if b < 32 and b not in b"\t\n\r\x0b\x0c\x1b")
        assert controls > 0.05 * len(data[:8192]) or not any(ch.isalnum() for line in nonblank for ch in line)
        return
    assert accounted(frame) == len(nonblank)
    assert frame["doc_id"].is_unique and frame["text"].map(lambda t: t == " ".join(t.split()) and t != "").all()


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from(["txt", "csv", "tsv", "jsonl", "parquet", "md", "xml"]))
def test_any_bytes_under_any_extension_load_or_fail_with_one_line(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input.{suffix}"
        path.write_bytes(data)
        frame = load(path)
    if frame is not None:
        assert len(frame) > 0 and frame["text"].map(bool).all()


@st.composite
def tables(draw):
    """A table of random shape: 0-5 random columns (names may clash with each other or with
    output columns), 0-20 rows of random cells, maybe a text column among them."""
    names = draw(st.lists(column_name, max_size=5))
    if draw(st.booleans()):
        names.insert(draw(st.integers(0, len(names))), "text")
    n_rows = draw(st.integers(0, 20))
    rows = [[draw(cell) for _ in names] for _ in range(n_rows)]
    return names, rows


@SETTINGS
@given(tables(), st.sampled_from([",", "\t"]), st.booleans())
def test_any_csv_loads_or_fails_with_one_line_and_every_row_is_accounted_for(table, sep, keep_duplicates):
    names, rows = table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("input.csv" if sep == "," else "input.tsv")
        write_csv(path, names, rows, sep)
        frame = load(path, keep_duplicates=keep_duplicates)
    if frame is not None:
        assert accounted(frame) == len(rows)
        assert frame.columns.is_unique and list(frame.columns[:3]) == ["doc_id", "kind", "text"]
        if keep_duplicates:
            assert frame.attrs["merged"] == 0


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(chars, max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@SETTINGS
@given(
    st.lists(st.dictionaries(column_name, json_value | cell, max_size=4), max_size=15),
    st.lists(st.sampled_from(["", "{broken", "[1, 2]", "null", "   "]), max_size=2),
)
def test_any_jsonl_loads_or_fails_with_one_line_and_every_object_is_accounted_for(objects, junk):
    lines = [json.dumps(o, ensure_ascii=False) for o in objects] + junk
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        frame = load(path)
    if frame is not None:
        assert not [j for j in junk if j.strip()]  # a broken line stops the run with its number
        assert accounted(frame) == len(objects)


@pytest.mark.slow  # fits a map per example
@SETTINGS
@given(tables(), st.booleans())
@example(table=(["text"], [["\x00"], ["\x1f\x08"]]), keep_duplicates=False)  # refused as not text
def test_every_loaded_item_reaches_every_export_format(table, keep_duplicates):
    names, rows = table
    if "text" not in names:
        names, rows = ["text", *names], [["", *row] for row in rows]
    # One plain headline, so the corpus always has a word to name a topic with (see below).
    rows = [["Markets rally on rate hopes" if n == "text" else "" for n in names], *rows]
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        write_csv(folder / "input.csv", names, rows)
        docs = load(folder / "input.csv", keep_duplicates=keep_duplicates)
        if docs is None and names.count("text") > 1:  # a text column named twice is refused
            return
        if docs is None:  # the loader's rule: NUL bytes among over 5% control bytes is not text
            data = (folder / "input.csv").read_bytes()[:8192]
            assert b"\x00" in data and sum(b < 32 and b not in b"\t\n\r\x0b\x0c\x1b" for b in data) > 0.05 * len(data)
            return
        assert accounted(docs) == len(rows)
        frame = TopicMap(cache=False).fit(docs, embeddings=fake_vectors(docs["text"])).to_frame()
        assert frame.columns.is_unique and len(frame) == len(docs)
        for suffix in ("csv", "jsonl", "parquet"):
            write_export(frame, folder / f"out.{suffix}")
        with open(folder / "out.csv", encoding="utf-8", newline="") as handle:
            header, *records = list(csv.reader(handle))
        jsonl = [json.loads(line) for line in (folder / "out.jsonl").read_bytes().decode("utf-8").split("\n") if line]
        parquet = pd.read_parquet(folder / "out.parquet")
    # The CSV quotes what a spreadsheet would run as a formula (README, "CSV and spreadsheets");
    # JSONL and Parquet keep every value as it was.
    assert header == [sheet(c) for c in parquet.columns] == [sheet(c) for c in frame.columns]
    assert list(parquet.columns) == list(frame.columns) == list(jsonl[0])
    assert len(records) == len(jsonl) == len(parquet) == len(docs)
    for exported in ([row["text"] for row in jsonl], parquet["text"].tolist()):
        assert exported == docs["text"].tolist()
    assert [r[2] for r in records] == [sheet(t) for t in docs["text"]]
    assert [r[0] for r in records] == [sheet(i) for i in parquet["doc_id"]] == [sheet(i) for i in docs["doc_id"]]
    for column in frame.columns[11:]:  # the input's own columns, unchanged in the CSV but for formulas
        expected = [sheet(v) for v in frame[column].fillna("").astype(str)]
        assert [r[header.index(sheet(column))] for r in records] == expected


def sheet(value: str) -> str:
    """A text cell as every CSV topicmap writes it: a leading quote where a spreadsheet would
    otherwise run it as a formula."""
    return "'" + value if value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value) else value


def test_a_topic_of_items_without_nameable_words_gets_a_name():
    texts = ["2024", "2024"]
    topic_map = TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts))
    assert topic_map.topics_["name"].map(bool).all()
