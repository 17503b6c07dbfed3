"""Each loader on a small real-format file, and the seed's plain-text reading."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.load import load_corpus, parse_plain_text
from conftest import SEED


def test_seed_text_gives_6_paragraphs_of_one_article_and_17_headlines():
    frame = load_corpus(SEED)
    assert (frame["kind"] == "paragraph").sum() == 6
    assert (frame["kind"] == "headline").sum() == 17
    assert list(frame["doc_id"][:6]) == [f"a1.p{k}" for k in range(1, 7)]
    assert list(frame["doc_id"][6:9]) == ["h1", "h2", "h3"]
    assert frame["text"].iloc[6].startswith("Netanyahu to Meet Trump")


def test_headlines_alone_are_all_headlines_even_long_ones():
    items = parse_plain_text("Short headline one\nAnother short headline\n\nA third after a blank line\n")
    assert [kind for _, kind, _ in items] == ["headline"] * 3


def test_two_articles_get_their_own_ids():
    paragraph = "This is a long sentence with many words in it to look like prose. " * 4
    items = parse_plain_text(f"{paragraph}\n{paragraph}\n\nA headline\n\n{paragraph}\n")
    assert [i for i, _, _ in items] == ["a1.p1", "a1.p2", "h1", "a2.p1"]


def test_csv_keeps_every_other_column_and_drops_empty_text(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text("title,source,date\nFirst story,Reuters,2026-01-01\n,AP,2026-01-02\nSecond story,AP,2026-01-03\n")
    frame = load_corpus(path)
    assert list(frame.columns) == ["doc_id", "kind", "text", "source", "date"]
    assert list(frame["text"]) == ["First story", "Second story"]
    assert list(frame["source"]) == ["Reuters", "AP"]
    assert frame.attrs["dropped"] == 1


def test_tsv_with_explicit_text_column(tmp_path):
    path = tmp_path / "news.tsv"
    path.write_text("id\tbody\n7\tA story\n8\tAnother\n")
    frame = load_corpus(path, text_col="body")
    assert list(frame["text"]) == ["A story", "Another"] and list(frame["id"]) == ["7", "8"]


def test_jsonl_and_parquet(tmp_path):
    rows = [{"headline": "One", "score": 1}, {"headline": "Two", "score": 2}]
    jsonl = tmp_path / "news.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    parquet = tmp_path / "news.parquet"
    pd.DataFrame(rows).to_parquet(parquet)
    for path in (jsonl, parquet):
        frame = load_corpus(path)
        assert list(frame["text"]) == ["One", "Two"] and list(frame["score"]) == [1, 2]


def test_input_column_named_like_an_output_column_is_kept_renamed(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text("text,topic\nA story,sports\n")
    assert list(load_corpus(path).columns) == ["doc_id", "kind", "text", "input_topic"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.txt", "\n\n  \n", "has no items"),
        ("x.csv", "body,source\nA,B\n", "found: body, source"),
        ("x.jsonl", '{"text": "ok"}\n{broken\n', "x.jsonl:2"),
        ("y.jsonl", '{"": "a", "line\\nbreak": "b"}\n', r"found: '', 'line\\nbreak'\)"),
        ("x.docx", "hello", "unsupported extension"),
        ("x.parquet", "not parquet at all", "not a readable Parquet file"),
    ],
)
def test_bad_files_raise_one_clear_input_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        load_corpus(path)


def test_missing_file_and_folder_without_corpus_files(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_corpus(tmp_path / "nope.txt")
    (tmp_path / "notes.docx").write_text("not a corpus")
    with pytest.raises(InputError, match="has no corpus files"):
        load_corpus(tmp_path)
    (tmp_path / ".hidden.csv").write_text("text\nIran talks resume\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "news.csv").write_text("text\nTariffs rise again\n")
    with pytest.raises(InputError, match=r"has no corpus files \(1 hidden files and 1 subfolders are skipped; give"):
        load_corpus(tmp_path)


def test_jsonl_whole_numbers_with_nulls_stay_whole_in_the_export_and_the_page(tmp_path):
    """pandas reads a JSON column of whole numbers with a null as floats: 5 came back as 5.0
    and a 17-digit id lost its last digits."""
    from analysis import TopicMap
    from analysis.export import write_export
    from conftest import fake_vectors

    texts = load_corpus(SEED)["text"].tolist()
    ids = [None if i % 4 == 0 else 12345678901234567 + 10 * i for i in range(len(texts))]  # all end in 7
    huge = [2**70 + i if i % 2 else None for i in range(len(texts))]
    path = tmp_path / "ids.jsonl"
    path.write_text(
        "\n".join(
            json.dumps({"text": t, "id": i, "score": k % 3, "huge": h})
            for k, (t, i, h) in enumerate(zip(texts, ids, huge))
        ),
        encoding="utf-8",
    )
    frame = load_corpus(path)
    topic_map = TopicMap(cache=False).fit(frame, embeddings=fake_vectors(frame["text"].tolist(), 384))
    write_export(topic_map.to_frame(), tmp_path / "out.csv")
    written = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False).set_index("text")
    for text, i, h in zip(texts, ids, huge):
        assert written.loc[text, "id"] == ("" if i is None else str(i))
        assert written.loc[text, "huge"] == ("" if h is None else str(h))
    assert set(written["score"]) == {"0", "1", "2"}
    page = tmp_path / "ids.html"
    topic_map.report(page, plotlyjs="cdn")
    html = page.read_text(encoding="utf-8")
    assert "NA\\u003e" not in html and str(ids[1]) in html
    assert not [i for i in ids if i is not None and str(int(float(i))) in html]  # as floats they end in 6 or 8


def test_markdown_front_matter_is_no_text_and_gives_the_title_and_date(tmp_path):
    """Front matter was read as the article: "title: ... date: ... author: ... ---"."""
    article = tmp_path / "rates.md"
    article.write_text(
        '---\ntitle: "Central bank raises rates to fight inflation"\ndate: 2024-05-01\nauthor: Jane Doe\n'
        "tags: [economy, rates]\n---\n\n"
        "The central bank raised its benchmark interest rate by half a point on Wednesday.\n\n"
        "Markets fell on the news as traders priced in further increases.\n",
        encoding="utf-8",
    )
    for unit, kinds in (("headline", ["headline"]), ("article", ["article"]), ("paragraph", ["paragraph"] * 2)):
        frame = load_corpus(article, unit=unit)
        assert frame["kind"].tolist() == kinds
        assert not frame["text"].str.contains("author|---|title:").any()
        assert set(frame["published"]) == {"2024-05-01"}
    assert load_corpus(article, unit="headline")["text"].tolist() == ["Central bank raises rates to fight inflation"]
    assert load_corpus(article)["title"].tolist() == ["Central bank raises rates to fight inflation"]
    bare = tmp_path / "bare.md"  # a heading after the front matter is the title, as without it
    bare.write_text("---\nauthor: Jane Doe\n---\n# Storm closes the port\n\nShips wait offshore.\n", encoding="utf-8")
    assert load_corpus(bare)["title"].tolist() == ["Storm closes the port"]
    assert "published" not in load_corpus(bare).columns
