"""Feeds, folders and globs: RSS 2.0 and Atom 1.0 files, article files, --unit, syndicated copies."""

from __future__ import annotations

import textwrap
from html import escape
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.feeds import html_paragraphs
from analysis.load import load_corpus, reads_as_article
from analysis.persist import saved_unit
from conftest import SEED, cli

PROSE = (
    "Officials in Geneva said on Monday that the talks would resume next week after a pause of several "
    "months. Diplomats from both sides described the mood as cautious but constructive, and said a "
    "framework for a wider agreement could follow before the end of the year."
)


def rss(title: str, items: list[dict]) -> str:
    """An RSS 2.0 document; each item's description is escaped HTML, as feeds publish it."""
    entries = "".join(
        "<item>"
        f"<title>{escape(item['title'])}</title>"
        + (f"<link>{item['link']}</link>" if "link" in item else "")
        + (f"<description>{escape(item['summary'])}</description>" if "summary" in item else "")
        + (f"<pubDate>{item['date']}</pubDate>" if "date" in item else "")
        + "</item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://example.org/</link><description>news</description>"
        f"{entries}</channel></rss>"
    )


def atom(title: str, entries: list[dict]) -> str:
    """An Atom 1.0 document with html summaries and RFC 3339 dates."""
    body = "".join(
        f"<entry><title>{escape(e['title'])}</title><id>urn:{title}:{k}</id>"
        f'<link href="{e.get("link", f"https://example.com/{k}")}"/>'
        f"<updated>{e['date']}</updated>"
        + (f'<summary type="html">{escape(e["summary"])}</summary>' if "summary" in e else "")
        + "</entry>"
        for k, e in enumerate(entries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:{title}</id><updated>2026-11-02T12:00:00Z</updated>"
        f"{body}</feed>"
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_rss_entries_are_items_with_summary_date_link_and_the_feeds_title_as_source(tmp_path):
    feed = write(
        tmp_path / "reuters.rss",
        rss(
            "Reuters World",
            [
                {
                    "title": "Iran talks resume in Geneva",
                    "link": "https://r.test/1",
                    "summary": "Talks restart.",
                    "date": "Mon, 02 Nov 2026 08:30:00 +0100",
                },
                {"title": "Storm hits Lisbon", "summary": "Wind and rain."},
            ],
        ),
    )
    frame = load_corpus(feed)
    assert list(frame["text"]) == ["Iran talks resume in Geneva", "Storm hits Lisbon"]
    assert list(frame["kind"]) == ["headline", "headline"] and list(frame["doc_id"]) == ["h1", "h2"]
    assert list(frame["summary"]) == ["Talks restart.", "Wind and rain."]
    assert list(frame["published"]) == ["2026-11-02T07:30:00Z", ""]  # in UTC; none given -> empty
    assert list(frame["link"]) == ["https://r.test/1", ""]
    assert list(frame["source"]) == ["Reuters World", "Reuters World"]


def test_atom_entries_take_their_updated_date_and_the_feeds_title(tmp_path):
    feed = write(
        tmp_path / "ap.atom",
        atom(
            "AP News",
            [
                {
                    "title": "Markets rally on rate hopes",
                    "date": "2026-11-02T09:15:00-05:00",
                    "summary": "Stocks rose.",
                    "link": "https://ap.test/a",
                },
            ],
        ),
    )
    row = load_corpus(feed).iloc[0]
    assert (row["text"], row["summary"], row["link"]) == (
        "Markets rally on rate hopes",
        "Stocks rose.",
        "https://ap.test/a",
    )
    assert row["published"] == "2026-11-02T14:15:00Z"
    assert row["source"] == "AP News"


def test_a_feed_date_no_parser_reads_is_kept_as_written_without_a_library_notice(tmp_path):
    """ "yesterday" was left blank, with feedparser's notice on a missing published_parsed as
    the only message."""
    import warnings

    items = [
        {"title": "Fed raises rates by a quarter point", "date": "yesterday"},
        {"title": "Apple unveils new phone"},
        {"title": "Storm closes the port", "date": "Mon, 10 Mar 2014 10:00:00 GMT"},
        # no zone is 25 hours ahead: feedparser moved this one to the day before, silently
        {"title": "Bridge reopens after repairs", "date": "Mon, 10 Mar 2014 10:00:00 +2500"},
        {"title": "Kiribati marks the new year first", "date": "Mon, 10 Mar 2014 10:00:00 +1400"},
        {"title": "A clock reset to year one", "date": "0001-01-01T00:00:00Z"},  # ISO, four digits
    ]
    path = write(tmp_path / "wire.xml", rss("Wire", items))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = load_corpus(path)
    assert frame.set_index("text")["published"].to_dict() == {
        "Fed raises rates by a quarter point": "yesterday",
        "Apple unveils new phone": "",
        "Storm closes the port": "2014-03-10T10:00:00Z",
        "Bridge reopens after repairs": "Mon, 10 Mar 2014 10:00:00 +2500",
        "Kiribati marks the new year first": "2014-03-09T20:00:00Z",
        "A clock reset to year one": "0001-01-01T00:00:00Z",
    }


def test_html_in_summaries_is_reduced_to_text(tmp_path):
    summary = (
        '<p>First <b>bold</b> &amp; <a href="https://x.test">linked</a> words.</p>'
        "<script>alert('x')</script><p>Second<br/>line &lt;3</p>"
    )
    feed = write(tmp_path / "html.xml", rss("Wire", [{"title": "<i>Rates</i> cut", "summary": summary}]))
    row = load_corpus(feed).iloc[0]
    assert row["text"] == "Rates cut"
    assert row["summary"] == "First bold & linked words. Second line <3"
    assert html_paragraphs(summary) == ["First bold & linked words.", "Second", "line <3"]


def test_a_broken_feed_is_one_clear_input_error(tmp_path):
    broken = write(tmp_path / "broken.xml", '<?xml version="1.0"?><rss version="2.0"><channel><title>Cut off')
    with pytest.raises(InputError, match=r"broken.xml is not a readable RSS or Atom feed \(.*line 1\)") as caught:
        load_corpus(broken)
    assert "\n" not in str(caught.value)
    page = write(tmp_path / "page.xml", "<html><body><p>Not a feed</p></body></html>")
    with pytest.raises(InputError, match="page.xml is not an RSS or Atom feed"):
        load_corpus(page)
    empty = write(tmp_path / "empty.atom", " \n")
    with pytest.raises(InputError, match="empty.atom is empty"):
        load_corpus(empty)
    cut = write(tmp_path / "cut.xml", "<rss><channel><title>x</title><item><title>broken")  # inside its entry
    with pytest.raises(InputError, match=r"cut.xml is too broken to give any entry \("):
        load_corpus(cut)


def test_a_malformed_feed_with_entries_is_read_leniently_with_a_warning(tmp_path):
    # A raw & is not XML, but feedparser's lenient parser still reads the entry.
    feed = write(
        tmp_path / "loose.xml", rss("Loose", [{"title": "x"}]).replace("<title>x</title>", "<title>A & B merge</title>")
    )
    with pytest.warns(UserWarning, match=r"loose.xml has errors \(not well-formed.*\); read 1 entries leniently"):
        frame = load_corpus(feed)
    assert list(frame["text"]) == ["A & B merge"]


def test_mixed_folder_reads_every_format_with_source_file_and_unique_ids(tmp_path):
    write(tmp_path / "a_feed.xml", rss("Feed A", [{"title": "Feed headline", "date": "Tue, 03 Nov 2026 10:00:00 GMT"}]))
    write(tmp_path / "b_table.csv", "title,date\nTable headline,2026-11-03\n")
    write(tmp_path / "c_story.md", f"# Markdown *headline*\n\n{textwrap.fill(PROSE, 60)}\n")
    write(tmp_path / "d_story.txt", f"Text article headline\n\n{PROSE}\n\n{PROSE.replace('Geneva', 'Vienna')}\n")
    write(tmp_path / "e_seed.txt", SEED.read_text(encoding="utf-8"))
    write(tmp_path / "notes.pdf", "skipped")
    with pytest.warns(UserWarning, match=r"skipped 1 file in .* \(\.pdf\)"):
        frame = load_corpus(tmp_path)
    by_file = frame.groupby("source_file", sort=False)
    assert list(by_file.size().index) == [
        str(tmp_path / n) for n in ("a_feed.xml", "b_table.csv", "c_story.md", "d_story.txt", "e_seed.txt")
    ]
    assert frame["doc_id"].is_unique
    assert list(frame["doc_id"][:4]) == ["a_feed.xml:h1", "b_table.csv:1", "c_story.md:a1", "d_story.txt:a1"]
    assert list(frame["kind"][:4]) == ["headline", "headline", "article", "article"]
    assert frame["text"][2] == f"Markdown *headline*. {PROSE}"  # hard-wrapped Markdown joined
    assert frame.loc[0, "published"] == "2026-11-03T10:00:00Z" and frame.loc[1, "date"] == "2026-11-03"
    # The seed file keeps its own reading inside a folder: 6 paragraphs and 17 headlines.
    seed = frame[frame["source_file"] == str(tmp_path / "e_seed.txt")]
    assert (seed["kind"] == "paragraph").sum() == 6 and (seed["kind"] == "headline").sum() == 17


@pytest.mark.parametrize(
    "text, article",
    [
        (f"Headline\n\n{PROSE}\n\n{PROSE}\n", True),  # one paragraph a line
        (f"Headline\n\n{textwrap.fill(PROSE, 70)}\n\n{textwrap.fill(PROSE, 70)}\n", True),  # hard-wrapped
        (f"{PROSE}\n{PROSE}\n", True),  # no headline line: all prose
        ("U.S. Stocks Fall. Bonds Rally\nIran Talks Resume in Geneva\nStorm Hits Lisbon\n", False),
        (SEED.read_text(encoding="utf-8"), False),  # 6 paragraphs and 17 headlines: the seed format
    ],
)
def test_a_txt_in_a_folder_is_an_article_only_when_it_reads_as_prose(text, article):
    assert reads_as_article(text) is article


def test_a_single_txt_keeps_the_seed_reading_even_when_it_is_prose(tmp_path):
    story = write(tmp_path / "story.txt", f"Headline\n\n{PROSE}\n\n{PROSE.replace('Geneva', 'Vienna')}\n")
    assert list(load_corpus(story)["doc_id"]) == ["h1", "a1.p1", "a2.p1"]
    with pytest.warns(UserWarning, match="--unit article has no effect"):
        assert list(load_corpus(story, unit="article")["doc_id"]) == ["h1", "a1.p1", "a2.p1"]


def test_glob_reads_only_the_matching_files(tmp_path):
    for day in ("2026-11-01", "2026-11-02", "2026-12-01"):
        write(tmp_path / f"{day}.csv", f"text\nStory of {day}\n")
    frame = load_corpus(str(tmp_path / "2026-11-*.csv"))
    assert list(frame["text"]) == ["Story of 2026-11-01", "Story of 2026-11-02"]
    assert list(frame["source_file"]) == [str(tmp_path / "2026-11-01.csv"), str(tmp_path / "2026-11-02.csv")]
    with pytest.raises(InputError, match="matches no files"):
        load_corpus(str(tmp_path / "2025-*.csv"))


def syndicated_folder(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    write(
        folder / "ap.xml",
        rss(
            "AP",
            [
                {
                    "title": "Ceasefire agreed in Gaza talks",
                    "link": "https://ap.test/1",
                    "date": "Mon, 02 Nov 2026 08:00:00 GMT",
                },
                {"title": "Storm hits Lisbon", "link": "https://ap.test/2"},
            ],
        ),
    )
    write(
        folder / "bbc.atom",
        atom(
            "BBC",
            [
                {
                    "title": "CEASEFIRE  agreed in Gaza talks ",
                    "date": "2026-11-02T09:00:00Z",
                    "link": "https://bbc.test/1",
                },
            ],
        ),
    )
    write(
        folder / "reuters.xml",
        rss("Reuters", [{"title": "ceasefire agreed in gaza talks", "link": "https://r.test/1"}]),
    )
    return folder


def test_syndicated_copies_are_one_item_with_a_count_and_all_sources(tmp_path):
    frame = load_corpus(syndicated_folder(tmp_path))
    assert list(frame["text"]) == ["Ceasefire agreed in Gaza talks", "Storm hits Lisbon"]
    assert list(frame["count"]) == [3, 1]
    assert list(frame["source"]) == ["AP; BBC; Reuters", "AP"]
    assert frame.loc[0, "link"] == "https://ap.test/1" and frame.loc[0, "published"] == "2026-11-02T08:00:00Z"
    assert frame.loc[0, "source_file"].count(";") == 2
    assert frame.attrs["merged"] == 2
    kept = load_corpus(tmp_path, keep_duplicates=True)
    assert len(kept) == 4 and "count" not in kept.columns and kept.attrs["merged"] == 0


def test_a_single_table_merges_repeated_headlines_too(tmp_path):
    table = write(tmp_path / "news.csv", "text,source\nRates cut,AP\nRATES  cut,Reuters\nStorm hits Lisbon,AP\n")
    frame = load_corpus(table)
    assert list(frame["text"]) == ["Rates cut", "Storm hits Lisbon"]
    assert list(frame["count"]) == [2, 1] and list(frame["source"]) == ["AP; Reuters", "AP"]


def titled_folder(folder: Path) -> Path:
    write(
        folder / "wire.xml",
        rss(
            "Wire",
            [
                {"title": "Talks resume", "summary": "<p>First paragraph.</p><p>Second paragraph.</p>"},
                {"title": "No body here"},
            ],
        ),
    )
    write(folder / "story.txt", f"Geneva talks\n\n{PROSE}\n\n{PROSE.replace('Geneva', 'Vienna')}\n")
    write(folder / "list.txt", "Short headline one\nShort headline two\n")
    return folder


@pytest.mark.parametrize(
    "unit, texts, kinds",
    [
        (
            None,
            ["Geneva talks. " + PROSE + " " + PROSE.replace("Geneva", "Vienna"), "Talks resume", "No body here"],
            ["article", "headline", "headline"],
        ),
        ("headline", ["Geneva talks", "Talks resume", "No body here"], ["headline"] * 3),
        (
            "article",
            [
                "Geneva talks. " + PROSE + " " + PROSE.replace("Geneva", "Vienna"),
                "Talks resume. First paragraph. Second paragraph.",
                "No body here",
            ],
            ["article", "article", "headline"],
        ),
        (
            "paragraph",
            [PROSE, PROSE.replace("Geneva", "Vienna"), "First paragraph.", "Second paragraph.", "No body here"],
            ["paragraph"] * 4 + ["headline"],
        ),
    ],
)
def test_unit_chooses_headline_article_or_paragraphs(tmp_path, unit, texts, kinds):
    frame = load_corpus(titled_folder(tmp_path), unit=unit)
    titled = frame[frame["source_file"] != str(tmp_path / "list.txt")]
    assert list(titled["text"]) == texts and list(titled["kind"]) == kinds
    # The headline list is read in the seed format whatever the unit.
    assert list(frame.loc[frame["source_file"] == str(tmp_path / "list.txt"), "doc_id"]) == [
        "list.txt:h1",
        "list.txt:h2",
    ]
    if unit == "paragraph":
        assert list(titled["title"][:3]) == ["Geneva talks", "Geneva talks", "Talks resume"]
        assert list(titled["doc_id"][:3]) == ["story.txt:a1.p1", "story.txt:a1.p2", "wire.xml:a1.p1"]


def test_unit_is_checked_and_warns_when_nothing_has_a_title(tmp_path):
    table = write(tmp_path / "news.csv", "text\nA story\n")
    with pytest.raises(InputError, match="unit='body' is not allowed"):
        load_corpus(table, unit="body")
    with pytest.warns(UserWarning, match="--unit paragraph has no effect"):
        load_corpus(table, unit="paragraph")


def test_cli_maps_a_folder_of_feeds_with_sources_dates_and_copies_counted_once(tmp_path):
    feeds = syndicated_folder(tmp_path / "feeds")
    write(
        feeds / "guardian.xml",
        rss(
            "Guardian",
            [
                {"title": title, "date": f"Tue, 03 Nov 2026 {hour:02d}:00:00 GMT"}
                for hour, title in enumerate(
                    [
                        "Central bank cuts interest rates to fight slowdown",
                        "Interest rate cut lifts mortgage hopes",
                        "Bank of England signals more rate cuts ahead",
                        "Striker scores twice as United win derby",
                        "Champions League: late goal sends City through",
                        "Coach praises young squad after cup victory",
                        "Ceasefire holds as aid trucks enter Gaza",
                        "Hostage release follows Gaza ceasefire deal",
                    ],
                    1,
                )
            ],
        ),
    )
    html, export = tmp_path / "day.html", tmp_path / "day.csv"
    result = cli("report", str(feeds), "-o", str(html), "--export", str(export))
    assert result.returncode == 0, result.stderr
    assert "merged 2 copies" in result.stderr
    rows = pd.read_csv(export, keep_default_na=False)
    assert len(rows) == 10 and rows["text"].str.casefold().str.split().str.join(" ").is_unique
    wire = rows[rows["text"] == "Ceasefire agreed in Gaza talks"].iloc[0]
    assert (wire["count"], wire["source"], wire["published"]) == (3, "AP; BBC; Reuters", "2026-11-02T08:00:00Z")
    assert (rows["source"] != "").all() and (rows["published"] != "").sum() == 9
    page = html.read_text(encoding="utf-8")
    assert "AP; BBC; Reuters" in page and "2026-11-03T08:00:00Z" in page


def test_cli_broken_feed_is_one_line_and_exit_2(tmp_path):
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    write(feeds / "good.xml", rss("Good", [{"title": "A headline"}]))
    write(feeds / "bad.atom", '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Bad')
    result = cli("report", str(feeds), "-o", str(tmp_path / "x.html"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "bad.atom is not a readable RSS or Atom feed" in result.stderr
    assert not (tmp_path / "x.html").exists()


def test_update_reads_new_feeds_at_the_unit_the_saved_map_was_read_at(tmp_path):
    """A map of paragraphs grew by headlines when `update` was not given --unit again."""
    subjects = ["Central bank cuts rates", "Striker scores twice", "Ceasefire holds in Gaza", "New phone unveiled"]

    def feed(day: int) -> str:
        return rss(
            "Wire",
            [
                {
                    "title": f"{subject}, day {day}",
                    "summary": f"<p>{subject} as reported on day {day} by the wire.</p>"
                    f"<p>Officials said more news on the {subject.lower()} would follow.</p>",
                }
                for subject in subjects
            ],
        )

    first, second = write(tmp_path / "one.xml", feed(1)), write(tmp_path / "two.xml", feed(2))
    saved, export = tmp_path / "map", tmp_path / "grown.csv"
    made = cli("report", str(first), "-o", str(tmp_path / "a.html"), "--unit", "paragraph", "--save-map", str(saved))
    assert made.returncode == 0, made.stderr
    grown = cli("update", str(saved), str(second), "-o", str(tmp_path / "b.html"), "--export", str(export), "--save")
    assert grown.returncode == 0, grown.stderr
    rows = pd.read_csv(export, keep_default_na=False)
    # day 2's first paragraphs are new items; its second ones repeat day 1's and are counted
    assert set(rows["kind"]) == {"paragraph"} and rows["doc_id"].str.startswith("u1.").sum() == 4
    assert sorted(rows["count"]) == [1] * 8 + [2] * 4
    # a table has no unit: the remembered one is not warned of, as a given --unit would be
    table = write(tmp_path / "more.csv", "text\nBank holds rates steady\n")
    again = cli("update", str(saved), str(table), "-o", str(tmp_path / "c.html"), "--save")
    assert again.returncode == 0 and "--unit" not in again.stderr, again.stderr
    assert saved_unit(saved) == "paragraph"  # kept by each --save
    told = cli("update", str(saved), str(table), "-o", str(tmp_path / "d.html"), "--unit", "headline")
    assert "--unit headline has no effect" in told.stderr
