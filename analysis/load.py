"""Load a corpus file into a table of items: doc_id, kind, text, then the input's own columns.

Formats, chosen by extension:
- ``.txt``: one item a line; a block of long multi-sentence lines set apart by blank lines is
  an article whose lines become items of kind ``paragraph`` (ids ``a1.p1``, ``a1.p2``...), the
  other lines are ``headline`` items (ids ``h1``, ``h2``...).
- ``.csv`` / ``.tsv``: the text column is ``--text-col``, else ``text``, ``title`` or ``headline``.
- ``.jsonl`` / ``.ndjson``: one JSON object a line, the same column rules.
- ``.parquet``: the same column rules.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pandas as pd

from analysis.errors import InputError

TEXT_SUFFIXES = (".txt",)
TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + TABLE_SUFFIXES
TEXT_COLUMN_CANDIDATES = ("text", "title", "headline")
#: Columns the pipeline writes; an input column with one of these names is kept as input_<name>.
OUTPUT_COLUMNS = ("doc_id", "kind", "text", "topic", "topic_label", "story", "story_label", "x", "y")

# A paragraph is a line of real prose: several sentences and more words than any headline.
PARAGRAPH_MIN_WORDS = 25
_SENTENCE_BREAK = re.compile(r"[.!?][\"'”’)\]]?\s+[\"“‘(]?[A-Z0-9]")


def load_corpus(path: str | Path, text_col: str | None = None) -> pd.DataFrame:
    """Read `path` into a DataFrame with columns doc_id, kind, text, then the input's others.

    Empty texts are dropped; their count is in ``frame.attrs["dropped"]``. Raises
    InputError (one line naming the problem and the fix) for anything unreadable.
    """
    path = Path(path)
    check_readable(path)
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        items = parse_plain_text(_read_text(path))
        frame, dropped = pd.DataFrame(items, columns=["doc_id", "kind", "text"]), 0
    else:
        frame, dropped = table_items(_read_table(path, suffix), path, text_col)
    if frame.empty:
        raise InputError(
            f"{path} has no items: expected one headline a line, or a CSV with a `text` column"
        )
    frame = frame.reset_index(drop=True)
    frame.attrs["dropped"] = dropped
    frame.attrs["source"] = str(path)
    return frame


def check_readable(path: Path) -> None:
    """Fail fast, before any model loads, on a path that cannot be a corpus."""
    if not path.exists():
        raise InputError(f"{path} does not exist: check the path")
    if path.is_dir():
        raise InputError(f"{path} is a directory: give one corpus file")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise InputError(f"{path} has an unsupported extension: use one of {supported}")


def parse_plain_text(text: str) -> list[tuple[str, str, str]]:
    """Split seed-format text into (doc_id, kind, text) items."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    items: list[tuple[str, str, str]] = []
    n_articles = n_headlines = 0
    for block in blocks:
        if not block:
            continue
        if _is_article(block):
            n_articles += 1
            items += [(f"a{n_articles}.p{k}", "paragraph", line) for k, line in enumerate(block, 1)]
        else:
            for line in block:
                if _has_words(line):
                    n_headlines += 1
                    items.append((f"h{n_headlines}", "headline", line))
    return items


def _is_article(block: list[str]) -> bool:
    paragraphs = sum(_is_paragraph(line) for line in block)
    return paragraphs * 2 >= len(block)


def _is_paragraph(line: str) -> bool:
    return len(line.split()) >= PARAGRAPH_MIN_WORDS and _SENTENCE_BREAK.search(line) is not None


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.warn(f"{path} is not UTF-8; read it as Windows-1252 (cp1252)", stacklevel=3)
        return data.decode("cp1252", errors="replace")


def _read_table(path: Path, suffix: str) -> pd.DataFrame:
    if suffix == ".parquet":
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
            raise InputError(f"{path} is not a readable Parquet file ({exc}); check the file") from exc
    text = _read_text(path)
    if suffix in (".jsonl", ".ndjson"):
        return _parse_jsonl(text, path)
    import io

    sep = "\t" if suffix == ".tsv" else ","
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except pd.errors.ParserError as exc:
        raise InputError(f"{path} is not valid {suffix[1:].upper()}: {exc}") from exc


def _parse_jsonl(text: str, path: Path) -> pd.DataFrame:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg}); fix or remove that line") from exc
        if not isinstance(row, dict):
            raise InputError(f"{path}:{number}: expected a JSON object a line, got {type(row).__name__}")
        rows.append(row)
    return pd.DataFrame(rows)


def table_items(table: pd.DataFrame, path: Path, text_col: str | None) -> tuple[pd.DataFrame, int]:
    column = _text_column(table, path, text_col)
    texts = table[column]
    keep = texts.notna() & texts.astype(str).map(_has_words)
    extra = table.drop(columns=[column]).rename(
        columns=lambda c: f"input_{c}" if str(c) in OUTPUT_COLUMNS else str(c)
    )
    frame = pd.DataFrame(
        {
            "doc_id": [str(i) for i in range(1, len(table) + 1)],
            "kind": "headline",
            "text": texts.astype(str).map(lambda t: " ".join(t.split())),
        }
    )
    frame = pd.concat([frame, extra.reset_index(drop=True)], axis=1)
    return frame[keep.to_numpy()], int((~keep).sum())


def _text_column(table: pd.DataFrame, path: Path, text_col: str | None) -> str:
    found = ", ".join(map(str, table.columns)) or "none"
    if text_col is not None:
        if text_col in table.columns:
            return text_col
        raise InputError(f"{path} has no column {text_col!r} (found: {found}); pass one of those to --text-col")
    by_lower = {str(c).lower(): c for c in table.columns}
    for candidate in TEXT_COLUMN_CANDIDATES:
        if candidate in by_lower:
            return by_lower[candidate]
    raise InputError(
        f"{path} has no text, title or headline column (found: {found}); name it with --text-col"
    )
