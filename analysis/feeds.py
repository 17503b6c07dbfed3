"""Sources with a title and a body: RSS/Atom feeds and article files, read into items by unit.

A feed is parsed with feedparser (never regular expressions); HTML in titles and summaries is
reduced to text with the standard library's html.parser. Each entry or article becomes
items according to the unit:

- ``headline``: one item, its title (kind ``headline``, id ``h<n>``);
- ``article``: one item, the title and the whole body (kind ``article``, id ``a<n>``);
- ``paragraph``: one item a paragraph of the body (kind ``paragraph``, id ``a<n>.p<k>``).

An entry with no body is its title (a headline) under every unit, and one with no title is
its first paragraph under ``headline``.
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from analysis.errors import InputError

FEED_SUFFIXES = (".xml", ".rss", ".atom")
UNITS = ("headline", "article", "paragraph")
#: Columns every feed item carries, in this order.
FEED_COLUMNS = ("summary", "published", "link", "source")

# Tags that end a paragraph; text inside the skipped ones is never shown to a reader.
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
_SKIP_TAGS = frozenset(["script", "style", "template", "noscript"])
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class Titled:
    """One entry or article: a title (may be empty), its body's paragraphs, and extra columns."""

    title: str
    paragraphs: list[str]
    columns: dict[str, str] = field(default_factory=dict)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[list[str]] = [[]]
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS and self.paragraphs[-1]:
            self.paragraphs.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS and self.paragraphs[-1]:
            self.paragraphs.append([])

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.paragraphs[-1].append(data)


def html_paragraphs(html: str) -> list[str]:
    """The text of an HTML fragment, one string a block (paragraph, list item, line break)."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return [text for text in (_clean("".join(p)) for p in collector.paragraphs) if text]


def read_feed(path: Path) -> list[Titled]:
    """The entries of an RSS or Atom file, with summary, published, link and source columns.

    Raises InputError for a file that is not a feed or is too broken to give any entry; a
    malformed feed that still gives entries is read leniently, with a warning.
    """
    import feedparser

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path} cannot be read ({exc.strerror or exc}); check its permissions") from exc
    if not data.strip():
        raise InputError(f"{path} is empty: give it a feed's entries or remove it from the input")
    parsed = feedparser.parse(data)  # bytes, so feedparser never fetches a URL
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.entries:
        if problem is not None:
            raise InputError(
                f"{path} is not a readable RSS or Atom feed ({_describe(problem)}); fix or remove the file"
            )
        if not parsed.get("version"):
            raise InputError(
                f"{path} is not an RSS or Atom feed (no <rss>, <feed> or <rdf:RDF> root); remove it from the input"
            )
    feed_title = _text_of(parsed.feed.get("title_detail")) or path.stem
    records = [_entry(entry, feed_title) for entry in parsed.entries]
    if problem is not None and records:
        if not any(has_words(r.title) or any(map(has_words, r.paragraphs)) for r in records):
            # a feed cut off inside its first entry: that entry holds no words
            raise InputError(f"{path} is too broken to give any entry ({_describe(problem)}); fix or remove the file")
        warnings.warn(
            f"{path} has errors ({_describe(problem)}); read {len(parsed.entries)} entries leniently",
            stacklevel=3,
        )
    return records


def _entry(entry, feed_title: str) -> Titled:
    summary = _paragraphs_of(entry.get("summary_detail"))
    content = [_paragraphs_of(part) for part in entry.get("content", [])]
    body = max(content, key=lambda p: len(" ".join(p)), default=[]) or summary
    source = entry.get("source", {})
    columns = {
        "summary": " ".join(summary or body),
        "published": _published(entry),
        "link": entry.get("link") or "",
        "source": _clean(source.get("title", "")) or feed_title,
    }
    return Titled(_text_of(entry.get("title_detail")), body, columns)


def _paragraphs_of(detail) -> list[str]:
    if not detail or not detail.get("value"):
        return []
    if detail.get("type") in _HTML_TYPES:
        return html_paragraphs(detail["value"])
    return [text for text in (_clean(block) for block in detail["value"].split("\n\n")) if text]


def _text_of(detail) -> str:
    return " ".join(_paragraphs_of(detail))


def _published(entry) -> str:
    """When an entry was published (else updated): ISO 8601 when feedparser reads the date,
    else the date as the feed writes it ("yesterday"), so nothing of it is lost; "" when none.
    Asked by key, as feedparser warns when a missing `published_parsed` is read."""
    for key in ("published", "updated"):
        parsed = entry[f"{key}_parsed"] if f"{key}_parsed" in entry else None  # noqa: SIM401 (.get warns)
        if parsed and not _impossible_zone(str(entry.get(key, ""))):
            return _iso(parsed)
    return " ".join(str(entry["published"] if "published" in entry else entry.get("updated", "")).split())


def _impossible_zone(written: str) -> bool:
    """Whether a date ends in an offset no place has (past ±14:00, or 60+ minutes): feedparser
    reads "+2500" as 25 hours and moves the date a day, silently; it is kept as written."""
    zone = re.search(r"[+-](\d\d):?(\d\d)\s*$", written)
    if zone is None:
        return False
    hours, minutes = int(zone[1]), int(zone[2])
    return hours * 60 + minutes > 14 * 60 or minutes > 59


def _iso(parsed: time.struct_time | None) -> str:
    """feedparser's UTC struct_time as an ISO 8601 timestamp; empty when the feed gave none."""
    if not parsed:
        return ""
    year, month, day, hour, minute, second = parsed[:6]  # strftime's %Y writes the year 1 as "1"
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}Z"


def _describe(problem: Exception) -> str:
    line = getattr(problem, "getLineNumber", lambda: None)()
    where = f" at line {line}" if line else ""
    return f"{getattr(problem, 'getMessage', lambda: str(problem))()}{where}"


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def titled_items(records: list[Titled], unit: str) -> pd.DataFrame:
    """Items of `records` for `unit` (headline, article or paragraph): doc_id, kind, text,
    then ``title`` (article and paragraph units) and each record's columns."""
    rows: list[dict[str, str]] = []
    for n, record in enumerate(records, 1):
        title = record.title if has_words(record.title) else ""
        body = [p for p in record.paragraphs if has_words(p)]
        extra = ({"title": title} if unit != "headline" else {}) | record.columns
        if unit == "headline" or not body:
            text = title or (body[0] if body else "")  # the loader drops an empty one
            rows.append({"doc_id": f"h{n}", "kind": "headline", "text": text} | extra)
        elif unit == "article":
            rows.append({"doc_id": f"a{n}", "kind": "article", "text": _join(title, body)} | extra)
        else:
            rows += [{"doc_id": f"a{n}.p{k}", "kind": "paragraph", "text": p} | extra for k, p in enumerate(body, 1)]
    return pd.DataFrame(rows, columns=_columns(rows))


def _join(title: str, body: list[str]) -> str:
    if not title:
        return " ".join(body)
    stop = "" if title[-1] in ".!?:…" else "."
    return f"{title}{stop} " + " ".join(body)


def _columns(rows: list[dict[str, str]]) -> list[str]:
    names = ["doc_id", "kind", "text"]
    for row in rows:
        names += [name for name in row if name not in names]
    return names


def has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)
