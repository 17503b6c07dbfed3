"""Plain text to items: the seed format (one headline a line, articles as blank-line
separated blocks of prose) and article files (Markdown or text, with optional front matter).
"""

from __future__ import annotations

import re

from analysis.feeds import Titled, has_words

# A paragraph is a line of real prose: several sentences and more words than any headline.
PARAGRAPH_MIN_WORDS = 25
_SENTENCE_BREAK = re.compile(r"[.!?][\"'”’)\]]?\s+[\"“‘(]?[A-Z0-9]")


def parse_plain_text(text: str) -> list[tuple[str, str, str]]:
    """Split seed-format text into (doc_id, kind, text) items."""
    items: list[tuple[str, str, str]] = []
    n_articles = n_headlines = 0
    for block in _blocks(text.splitlines()):
        if _is_article(block):
            n_articles += 1
            items += [(f"a{n_articles}.p{k}", "paragraph", line) for k, line in enumerate(block, 1)]
        else:
            for line in block:
                if has_words(line):
                    n_headlines += 1
                    items.append((f"h{n_headlines}", "headline", line))
    return items


def reads_as_article(text: str) -> bool:
    """Whether a .txt in a folder or glob is one article rather than the seed format.

    It is when, after its first line (the headline), at least half of its paragraphs are prose
    (the seed's test: 25+ words with a sentence break), a paragraph being one line or a
    blank-line-separated block of hard-wrapped lines. A list of headlines, or the seed's mix
    of headlines and article blocks, is not.
    """
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    body = text_paragraphs(lines[first + 1 :])
    return bool(body) and sum(map(_is_paragraph, body)) * 2 >= len(body)


_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*$\r?\n?", re.S | re.M)


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """A Markdown file's front matter (a leading block between "---" lines, as static site
    generators write it) as {key: value} for its top-level "key: value" lines, and the text
    after it; ({}, text) when there is none."""
    found = _FRONT_MATTER.match(text)
    if not found:
        return {}, text
    fields = {}
    for line in found.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not line[:1].isspace() and not key.startswith("-"):
            fields[key.strip().casefold()] = value.strip().strip("'\"")
    return fields, text[found.end() :]


def read_article(text: str, markdown: bool = False) -> Titled:
    """One article: its first line the title (unless that line is already prose), the rest
    its paragraphs. Markdown heading marks are dropped, and a Markdown block is one paragraph.
    A Markdown file's front matter is no text: its title is the article's when no line gives
    one, and its date is the article's `published`."""
    fields, text = front_matter(text) if markdown else ({}, text)
    article = _read_article(text, markdown)
    title, paragraphs = article.title, article.paragraphs
    given = " ".join(fields.get("title", "").split())
    first = next((line for line in text.splitlines() if line.strip()), "")
    if given and not _heading(first):  # the first line is the body's, the title the front matter's
        title, paragraphs = given, ([title] if title else []) + paragraphs
    date = fields.get("date") or fields.get("published")
    return Titled(title, paragraphs, {"published": date} if date else {})


def _read_article(text: str, markdown: bool) -> Titled:
    lines = text.splitlines()
    if markdown:  # a heading is a paragraph of its own
        lines = [part for line in lines for part in (["", _heading(line), ""] if _heading(line) else [line])]
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    title = " ".join(lines[first].split()) if first < len(lines) else ""
    body = text_paragraphs(lines[first + 1 :], joined=markdown)
    if _is_paragraph(title):
        title, body = "", [title, *body]
    return Titled(title, body)


def text_paragraphs(lines: list[str], joined: bool = False) -> list[str]:
    """Paragraphs of plain text: blank-line-separated blocks, each one paragraph when `joined`
    or hard-wrapped (most of its lines go on with a lowercase word), else one paragraph a line."""
    paragraphs: list[str] = []
    for block in _blocks(lines):
        wrapped = sum(line[0].islower() for line in block[1:]) * 2 >= len(block) - 1
        paragraphs += [" ".join(block)] if joined or wrapped else block
    return paragraphs


def _blocks(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines (whitespace collapsed) between blank lines."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        line = " ".join(line.split())
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _heading(line: str) -> str:
    """A Markdown ATX heading's text without its # marks; "" for any other line."""
    stripped = line.strip()
    if stripped.startswith("#") and stripped.lstrip("#")[:1] in ("", " "):
        return " ".join(stripped.strip("#").split())
    return ""


def _is_article(block: list[str]) -> bool:
    paragraphs = sum(_is_paragraph(line) for line in block)
    return paragraphs * 2 >= len(block)


def _is_paragraph(line: str) -> bool:
    return len(line.split()) >= PARAGRAPH_MIN_WORDS and _SENTENCE_BREAK.search(line) is not None
