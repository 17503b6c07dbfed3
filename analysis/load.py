"""Load a corpus (a file, a folder or a glob of files) into a table of items: doc_id, kind,
text, then the input's own columns.

Formats, chosen by extension:
- ``.txt``: one item a line; a block of long multi-sentence lines set apart by blank lines is
  an article whose lines become items of kind ``paragraph`` (ids ``a1.p1``, ``a1.p2``...), the
  other lines are ``headline`` items (ids ``h1``, ``h2``...).
- ``.md``: one article (its first line the headline), read by ``--unit``; so is a ``.txt``
  in a folder or glob when it reads as prose (see `reads_as_article`).
- ``.xml`` / ``.rss`` / ``.atom``: an RSS or Atom feed, one entry an item (analysis.feeds).
- ``.csv`` / ``.tsv``: the text column is ``--text-col``, else ``text``, ``title`` or ``headline``.
- ``.jsonl`` / ``.ndjson``: one JSON object a line, the same column rules.
- ``.parquet``: the same column rules.

Items from a folder or glob carry a ``source_file`` column and ids prefixed by the file's
name (``reuters.xml:h3``). Copies of one item (the same text after Unicode, whitespace and case
folding; an article's title) are merged into the first, with a ``count`` column and every
copy's ``source`` joined, unless ``keep_duplicates``.
"""

from __future__ import annotations

import datetime
import fnmatch
import numbers
import os
import unicodedata
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.articles import parse_plain_text, read_article, reads_as_article
from analysis.decode import SURROGATE, read_table, read_text, without_surrogates
from analysis.errors import InputError
from analysis.feeds import FEED_SUFFIXES, UNITS, has_words, read_feed, titled_items

TEXT_SUFFIXES = (".txt",)
ARTICLE_SUFFIXES = (".md",)
TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + ARTICLE_SUFFIXES + FEED_SUFFIXES + TABLE_SUFFIXES
TEXT_COLUMN_CANDIDATES = ("text", "title", "headline")
#: Columns the pipeline writes; an input column with one of these names is kept as input_<name>.
OUTPUT_COLUMNS = (
    "doc_id",
    "kind",
    "text",
    "theme",
    "theme_label",
    "topic",
    "topic_label",
    "story",
    "story_label",
    "x",
    "y",
    "theme_description",
    "topic_description",
    "story_description",
    "new",
)
#: Names the loader and the export give columns: an input column named like one is kept as
#: input_<name> (`count` is the number of merged copies, whether or not any merged).
RESERVED_COLUMNS = (*OUTPUT_COLUMNS, "count")
#: A text cell holding only one of these (any case) is a missing value written out, not an item.
MISSING_MARKERS = ("nan", "na", "n/a", "#n/a", "<na>", "null", "none")


def load_corpus(
    path: str | Path,
    text_col: str | None = None,
    *,
    unit: str | None = None,
    keep_duplicates: bool = False,
    empty_ok: bool = False,
) -> pd.DataFrame:
    """Read `path` (a file, a folder or a glob) into a DataFrame: doc_id, kind, text, then the
    input's other columns.

    `unit` (headline, article or paragraph) is what one item is in feeds and article files
    (default: headline for feeds, article for article files); other formats ignore it. Copies
    of one item are merged unless `keep_duplicates`. Empty texts are dropped; the counts are in
    ``frame.attrs["dropped"]`` and ``frame.attrs["merged"]``; a table file's columns renamed
    to keep clear of the loader's own (`theme` read as `input_theme`) are in
    ``frame.attrs["columns"]``, loaded name -> the file's name. Raises InputError (one line
    naming the problem and the fix) for anything unreadable, and for input without an item,
    unless `empty_ok` and it is a day without news: tables without rows (or with blank ones;
    a header must still name the text column) and feeds without entries, not a text or
    article file without words (`topicmap update`'s empty day).
    """
    if unit is not None and unit not in UNITS:
        raise InputError(f"unit={unit!r} is not allowed: use one of {', '.join(UNITS)}")
    files, skipped, many = _expand(path)
    if skipped:
        kinds = ", ".join(sorted({p.suffix.lower() or p.name for p in skipped}))
        files_word = "file" if len(skipped) == 1 else "files"
        warnings.warn(
            f"skipped {len(skipped)} {files_word} in {path} with unsupported extensions ({kinds})", stacklevel=2
        )
    frames, dropped, readings, renamings = [], 0, set(), []
    root = os.path.commonpath([str(f.parent.absolute()) for f in files])
    for file in files:
        frame, n_dropped, reading = _load_file(file, text_col, unit, in_folder=many)
        dropped += n_dropped
        readings.add(reading)
        columns = dict(frame.attrs.get("columns", {}))
        if many:
            name = without_surrogates(os.path.relpath(file.absolute(), root))  # a name's bytes not UTF-8: U+FFFD
            before = list(frame.columns)
            frame = _rename_clashes(frame, ("source_file",))
            moved = dict(zip(before, frame.columns))
            columns = {moved.get(loaded, loaded): written for loaded, written in columns.items()}
            frame["doc_id"] = name + ":" + frame["doc_id"].astype(str)
            frame["source_file"] = without_surrogates(str(file))
        renamings.append(columns)
        frames.append(frame)
    # Files read alike (the parts of one export) keep the record of their renamed columns.
    columns = renamings[0] if all(r == renamings[0] for r in renamings) else {}
    if unit is not None and not readings & {"feed", "article"}:
        warnings.warn(f"--unit {unit} has no effect: {path} has no feed or article file", stacklevel=2)
    if text_col is not None and "table" not in readings:
        warnings.warn(
            f"--text-col {text_col} has no effect: {path} has no table file (CSV, JSONL, Parquet)", stacklevel=2
        )
    frame = pd.concat(frames, ignore_index=True, sort=False) if len(frames) > 1 else frames[0]
    tables = all(f.suffix.lower() in (".csv", ".tsv", ".parquet") for f in files)
    if frame.empty and tables and not empty_ok and not any(f.stat().st_size for f in files):
        raise InputError(f"{path} is empty (0 bytes): give a file with a header and a row an item")
    if frame.empty and empty_ok and readings <= {"table", "feed"}:  # tables and feeds without a row or entry
        frame.attrs["dropped"] = dropped
        return frame
    headed = all(f.suffix.lower() in (".csv", ".tsv", ".parquet") for f in files)
    if frame.empty and (dropped or _all_blank(files)):
        raise InputError(f"{path} has no items with words: its rows are blank, missing or punctuation only")
    if frame.empty and headed and not _all_blank(files) and any(f.stat().st_size for f in files):
        raise InputError(f"{path} has a header but no rows: add one row an item under it")
    if frame.empty and readings == {"feed"}:
        raise InputError(f"{path} has no entries: a feed's items are its entries (<item> or <entry>)")
    if frame.empty:
        raise InputError(
            f"{path} has no items: expected one headline a line, a feed with entries, or a CSV with a `text` column"
        )
    merged = 0
    if not keep_duplicates:
        frame, merged = merge_copies(frame, always_count=many or "feed" in readings)
    frame = _valid_unicode(frame.reset_index(drop=True))
    frame.attrs.update(dropped=dropped, merged=merged, source=str(path), files=[str(f) for f in files], columns=columns)
    return frame


def _all_blank(files: list[Path], size: int = 1 << 16) -> bool:
    """Whether the files are tables with no word at all: blank, not missing a text column."""
    tables = [file for file in files if file.suffix.lower() in (".csv", ".tsv")]
    if not tables:
        return False
    for table in tables:
        with open(table, "rb") as handle:
            if has_words(handle.read(size).decode("utf-8", "replace")):
                return False
    return True


def _valid_unicode(frame: pd.DataFrame) -> pd.DataFrame:
    """Every string cell one UTF-8 can hold: a lone surrogate (a JSON escape such as
    \\ud800, a character reference, a file name that is not UTF-8) becomes U+FFFD."""
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object:  # Arrow-backed text holds valid UTF-8 only
            continue
        if any(isinstance(v, str) and SURROGATE.search(v) for v in values):
            frame[column] = values.map(lambda v: SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v)
    return frame


def corpus_files(path: str | Path) -> list[Path]:
    """The files `path` names: itself, a folder's supported files, or a glob's; InputError if none."""
    return _expand(path)[0]


def reads(path: str | Path, file: Path) -> bool:
    """Whether `path` (a folder or glob; a file reads only itself) would read `file`, which
    need not exist yet: an output there would come back as input on the next run."""
    text = os.path.expanduser(str(path))
    if file.suffix.lower() not in SUPPORTED_SUFFIXES or file.name.startswith("."):
        return False
    if Path(text).is_dir():
        return file.absolute().parent.resolve() == Path(text).resolve()
    if not any(ch in text for ch in "*?[") or Path(text).exists():
        return False
    pattern, target = Path(text).absolute().parts, file.absolute().parts

    def match(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(target)
        if pattern[i] == "**":
            return any(match(i + 1, k) for k in range(j, len(target) + 1))
        return j < len(target) and fnmatch.fnmatchcase(target[j], pattern[i]) and match(i + 1, j + 1)

    return match(0, 0)


def _expand(path: str | Path) -> tuple[list[Path], list[Path], bool]:
    """(supported files, skipped files, whether `path` is a folder or glob), files sorted by name.

    A glob's `**` does not descend into linked folders, and a file reached twice is read once,
    so a folder that links to itself is neither a hang nor a multiplied corpus."""
    text = os.path.expanduser(str(path))
    if not text.strip():
        raise InputError("INPUT is empty: give a file, a folder or a quoted glob")
    try:
        if Path(text).is_dir():
            found = _once(p for p in Path(text).iterdir() if p.is_file() and not p.name.startswith("."))
            where = f"folder {path}"
        elif any(ch in text for ch in "*?[") and not Path(text).exists():
            found = _once(p for p in _glob(text) if p.is_file())
            if not found:
                hint = " (it names folders only: end it in '**/*' for the files in them)" if text.endswith("**") else ""
                raise InputError(f"{path} matches no files{hint}: check the pattern and the folder it names")
            where = f"pattern {path}"
        else:
            check_readable(Path(text))
            return [Path(text)], [], False
    except PermissionError as exc:
        raise InputError(
            f"{path}: cannot list {exc.filename or 'a folder'} (permission denied); check its permissions"
        ) from exc
    files = [p for p in found if p.suffix.lower() in SUPPORTED_SUFFIXES]
    if not files:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        skipped = ""
        if where.startswith("folder"):
            entries = list(Path(text).iterdir())
            hidden = sum(p.name.startswith(".") and p.is_file() for p in entries)
            folders = sum(p.is_dir() for p in entries)
            if hidden or folders:
                skipped = (
                    f" ({hidden} hidden files and {folders} subfolders are skipped; "
                    f"give a quoted glob such as '{Path(text) / '**'}' to read subfolders)"
                )
        raise InputError(f"{where} has no corpus files{skipped}: put files ending in one of {supported} there")
    return files, [p for p in found if p not in files], True


def _glob(pattern: str) -> list[Path]:
    """The paths a glob pattern matches, with pathlib's `**` (which does not follow links);
    hidden files and folders only where the pattern names them with a dot, as in a shell."""
    parts = Path(pattern).parts
    fixed = next((i for i, part in enumerate(parts) if any(ch in part for ch in "*?[")), len(parts))
    anchor = Path(*parts[:fixed]) if fixed else Path(".")
    rest = Path(*parts[fixed:])
    if not anchor.is_dir():
        return []
    dotted = any(part.startswith(".") for part in rest.parts)
    return [
        p for p in anchor.glob(str(rest)) if dotted or not any(n.startswith(".") for n in p.relative_to(anchor).parts)
    ]


def _once(paths) -> list[Path]:
    """The paths sorted by name, a file reached twice (by a link) once: as itself when the
    file is there, else by its first name."""
    chosen: dict[Path, Path] = {}
    for path in sorted(paths):
        real = path.resolve()
        if real not in chosen or (chosen[real].is_symlink() and not path.is_symlink()):
            chosen[real] = path
    return sorted(chosen.values())


def check_readable(path: Path) -> None:
    """Fail fast, before any model loads, on a path that cannot be a corpus file."""
    if not path.exists():
        raise InputError(f"{path} does not exist: check the path")
    if not path.is_file():  # a FIFO would block forever, a device read without end
        raise InputError(f"{path} is not a regular file: give a file, a folder or a quoted glob")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise InputError(f"{path} has an unsupported extension: use one of {supported}")


def _load_file(path: Path, text_col: str | None, unit: str | None, in_folder: bool) -> tuple[pd.DataFrame, int, str]:
    """One file's items, how many empty ones were dropped, and how it was read: feed,
    article, text (the seed format) or table."""
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        frame, dropped = table_items(read_table(path, suffix), path, text_col)
        return frame, dropped, "table"
    if suffix in FEED_SUFFIXES:
        frame, reading = titled_items(read_feed(path), unit or "headline"), "feed"
    else:
        text = read_text(path)
        markdown = suffix in ARTICLE_SUFFIXES
        if markdown or (in_folder and reads_as_article(text)):
            frame, reading = titled_items([read_article(text, markdown)], unit or "article"), "article"
        else:
            frame, reading = pd.DataFrame(parse_plain_text(text), columns=["doc_id", "kind", "text"]), "text"
    keep = frame["text"].map(has_words).astype(bool)
    frame = frame[keep]
    if reading == "text":  # parse_plain_text skips wordless lines (punctuation only): count them
        return frame, sum(1 for line in text.splitlines() if line.strip()) - len(frame), reading
    return frame, int((~keep).sum()), reading


def copy_keys(frame: pd.DataFrame) -> pd.Series:
    """What copies of one item share: the text (for an ``article`` item, its title) as
    `copy_key` reads it."""
    keys = frame["text"].astype(str)
    if "title" in frame.columns:
        titled = (frame["kind"] == "article") & frame["title"].fillna("").astype(str).map(has_words)
        keys = keys.where(~titled, frame["title"].astype(str))
    return keys.map(copy_key)


def copy_key(text: str) -> str:
    """The text as copies share it: Unicode compatibility forms made one (an "é" typed as one
    character or as "e" and an accent, a "ﬁ" ligature), whitespace collapsed, case folded."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", " ".join(text.split())).casefold())


def join_distinct(values) -> str:
    """The distinct non-empty values, each "; "-joined list split, sorted and joined by "; "."""
    return "; ".join(
        sorted({part for v in values if not is_missing(v) and str(v).strip() for part in str(v).split("; ") if part})
    )


def merge_copies(frame: pd.DataFrame, always_count: bool = False) -> tuple[pd.DataFrame, int]:
    """Merge copies of one item into one kept copy; return the frame and how many merged.

    Copies have the same text after Unicode, whitespace and case folding (for an ``article`` item, the
    same title). The kept copy, chosen whatever the row order (the most frequent written form,
    ties to the one that sorts first, then to the one whose other columns sort first), keeps its columns, gains ``count`` (the number of copies)
    and the distinct ``source`` and ``source_file`` values of all copies joined by "; ".
    ``count`` is added when something merged or `always_count`.
    """
    keys = copy_keys(frame)
    merged = int(keys.duplicated().sum())
    if not merged and not always_count:
        return frame, 0
    # The kept copy is the same whatever the row order: the most frequent written form, ties
    # to one that starts with a capital, then to the fewest capitals (not the all-caps copy),
    # then to the form that sorts first. It takes the place of its group's first row.
    # Copies of the same text tie to the one whose own other columns sort first (the earliest
    # ISO date), not to the row or file that came first; doc_id, source and source_file are
    # where a copy came from, not what it says (sources are joined below).
    text = frame["text"].astype(str).to_numpy()
    own = [c for c in frame.columns if c not in ("doc_id", "text", "source", "source_file")]
    rest = np.full(len(frame), "", dtype=object)
    copies = keys.duplicated(keep=False).to_numpy()
    if own and copies.any():
        rest[copies] = frame.loc[copies, own].map(_cell_text).agg("\x1f".join, axis=1).to_numpy()
    forms = pd.DataFrame(
        {
            "key": keys.to_numpy(),
            "text": text,
            "rest": rest,
            "row": np.arange(len(frame)),
            "lower_start": [not t[:1].isupper() for t in text],
            "capitals": [sum(c.isupper() for c in t) for t in text],
        }
    )
    forms["n"] = forms.groupby(["key", "text"])["row"].transform("size")
    forms["place"] = forms.groupby("key")["row"].transform("min")
    kept = (
        forms.sort_values(
            ["key", "n", "lower_start", "capitals", "text", "rest", "row"],
            ascending=[True, False, True, True, True, True, True],
        )
        .drop_duplicates("key")
        .sort_values("place")
    )
    result = _rename_clashes(frame.iloc[kept["row"].to_numpy()].copy(), ("count",))
    kept_keys = kept["key"]
    groups = frame.groupby(keys.to_numpy(), sort=False)
    for column in ("source", "source_file"):
        if column in frame.columns:
            joined = groups[column].agg(join_distinct)
            result[column] = kept_keys.map(joined).to_numpy()
    result["count"] = kept_keys.map(keys.value_counts()).astype(int).to_numpy()
    return result, merged


def _cell_text(value) -> str:
    """A table cell as text: "" for a missing value (None, NaN, NA), else str()."""
    return "" if is_missing(value) else str(value)


def is_missing(value) -> bool:
    """Whether a cell holds no value: None, NaN, NA or NaT."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _rename_clashes(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """Keep an input column named like one the loader adds as input_<name> (input_input_<name>
    when that is taken too, and so on)."""
    frame = frame.copy(deep=False)
    frame.columns = _unique_names([str(c) for c in frame.columns], names)
    return frame


def _unique_names(columns: list[str], reserved) -> list[str]:
    """Prefix input_ to a column named like a reserved one, until no two names are equal."""
    taken = set(reserved)
    out = []
    for name in columns:
        if name in taken or name in out:
            while name in taken or name in out or name in columns:
                name = f"input_{name}"
        out.append(name)
    return out


def table_items(table: pd.DataFrame, path: Path, text_col: str | None) -> tuple[pd.DataFrame, int]:
    if len(table) == 0:  # no rows (a header alone, blank lines): no items, but a header names the text
        if len(table.columns):
            _text_column(table, path, text_col)
        return pd.DataFrame(columns=["doc_id", "kind", "text"]), 0
    column = _text_column(table, path, text_col)
    repeated = table.attrs.get("repeated", [])
    if isinstance(table[column], pd.DataFrame) or column in repeated:
        raise InputError(f"{path} has more than one column named {column!r}: rename all but one")
    for name in repeated:
        warnings.warn(
            f"{path} has more than one column named {name!r}; read them as {name!r}, {name + '.1'!r} and so on",
            stacklevel=3,
        )
    texts = pd.Series(_text_cells(table[column], path), dtype=object)
    keep = (~texts.str.strip().str.casefold().isin(MISSING_MARKERS) & texts.map(has_words)).astype(bool)
    extra = table.drop(columns=[column])
    original = [str(c) for c in extra.columns]
    extra.columns = _unique_names(original, RESERVED_COLUMNS)
    frame = pd.DataFrame(
        {
            "doc_id": [str(i) for i in range(1, len(table) + 1)],
            "kind": "headline",
            "text": texts.map(lambda t: " ".join(t.replace("\x00", "").split())),  # NUL: as the loader drops it
        }
    )
    frame = pd.concat([frame, extra.reset_index(drop=True)], axis=1)
    frame.attrs["columns"] = dict(zip(extra.columns, original))  # loaded name -> the file's name
    return frame[keep.to_numpy()], int((~keep).sum())


def _text_cells(values: pd.Series, path, warn_numbers: bool = True) -> list[str]:
    """A text column's cells as str: bytes decoded as UTF-8, numbers written out with a
    warning (unless `warn_numbers` is False: the loader's own frame, warned of when read);
    lists, arrays, mappings and other objects refused with one line naming the column."""
    if warn_numbers and _only_numbers(values):
        warnings.warn(
            "docs holds numbers, not words; read them as text (pass the headlines as str)"
            if str(path) == "docs" and values.name == "docs"  # a list or array passed to the API
            else f"{path}: text column {_shown(values.name)} holds numbers, not words; "
            f"read them as text (pass the column of headlines to {_text_col_option(path)})",
            stacklevel=3,
        )
    texts = []
    for value in values:
        if isinstance(value, (bytes, bytearray, memoryview)):
            texts.append(bytes(value).decode("utf-8", errors="replace"))
        elif (
            isinstance(value, (str, numbers.Number, datetime.date))
            or is_missing(value)
            or value is pd.NA
            or value is pd.NaT
            or getattr(value, "ndim", None) == 0
        ):  # a numpy scalar
            texts.append(_cell_text(value))
        else:
            raise InputError(
                f"{path}: text column {_shown(values.name)} holds {type(value).__name__} values, "
                f"not text: name a column of plain text with {_text_col_option(path)}"
            )
    return texts


def _only_numbers(values: pd.Series) -> bool:
    """Whether a column holds numbers alone: typed so (JSONL, Parquet), or written so in every
    filled cell (a CSV, read as text)."""
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return True
    filled = [v for v in values if isinstance(v, str) and v.strip() or not (isinstance(v, str) or is_missing(v))]
    if filled and all(isinstance(v, numbers.Number) for v in filled):  # a list of numbers
        return True
    if not filled or not all(isinstance(v, str) for v in filled):
        return False
    numeric = (  # a few cells first: a column of headlines is told at once
        pd.to_numeric(pd.Series(cells, dtype=object).str.strip(), errors="coerce").notna().all()
        for cells in (filled[:50], filled[50:])
        if cells
    )
    return all(numeric)


def _text_column(table: pd.DataFrame, path: Path, text_col: str | None) -> str:
    found = ", ".join(_shown(column) for column in table.columns) or "none"
    if text_col is not None:
        if text_col in table.columns:
            return text_col
        raise InputError(
            f"{path} has no column {text_col!r} (found: {found}); pass one of those to {_text_col_option(path)}"
        )
    for candidate in TEXT_COLUMN_CANDIDATES:  # `text` as written first, then the first `Text` or `TEXT`
        if candidate in table.columns:
            return candidate
        for column in table.columns:
            if str(column).lower() == candidate:
                return column
    raise InputError(
        f"{path} has no text, title or headline column (found: {found}); name it with {_text_col_option(path)}"
    )


def _text_col_option(path) -> str:
    """How the text column is named where `path` came from: the CLI's flag, or the Python
    argument for data passed to the API (read as "docs")."""
    return "text_col" if str(path) == "docs" else "--text-col"


def _shown(name: object) -> str:
    """A column name as it can appear in a one-line message: quoted when blank or unprintable."""
    text = str(name)
    return text if text.strip() and text.isprintable() else repr(text)


def as_documents(docs, text_col: str | None = None, empty_ok: bool = False) -> pd.DataFrame:
    """Normalise str lists, Series and DataFrames to the loader's frame (doc_id, kind, text, ...)
    by the CLI's rule: bytes are decoded as UTF-8, lists and objects are refused, and items
    without a word (None, NaN, NA, blank, punctuation only) are dropped with a warning.

    The frame's index holds each kept item's row in `docs` (to line up vectors given with
    them); ``attrs["rows"]`` is the number of rows `docs` had. With `empty_ok`, `docs` may be
    empty or hold no item with words (the frame is then empty), for `transform`."""
    if text_col is not None and not isinstance(text_col, str):
        raise InputError(f"text_col={text_col!r} is not allowed: name one column, as a str")
    if isinstance(docs, pd.DataFrame):
        if {"doc_id", "kind", "text"} <= set(docs.columns) and text_col is None:
            # the loader's frame (or an export read back): its other columns named like the
            # export's own become input_<name>, as the loader names them
            frame = _rename_clashes(docs.reset_index(drop=True), OUTPUT_COLUMNS[3:])
            frame["text"] = _text_cells(frame["text"], "docs", warn_numbers=False)
            if frame["doc_id"].astype(str).duplicated().any():
                raise InputError("docs has repeated doc_id values: make them unique or drop the doc_id column")
        else:
            frame, _ = table_items(docs.reset_index(drop=True), Path("docs"), text_col)
    elif isinstance(docs, (pd.Series, Sequence, np.ndarray)) and not isinstance(docs, (str, bytes)):
        if isinstance(docs, np.ndarray) and docs.ndim != 1:
            shape = " × ".join(str(size) for size in docs.shape)
            raise InputError(
                f"docs is an array of shape {shape}, not one text per row: pass a 1-D array, a list of str, "
                "a Series or a DataFrame"
            )
        if text_col is not None:
            warnings.warn(
                f"text_col={text_col!r} has no effect: docs is a {type(docs).__name__}, one text per row; "
                "it names the text column of a DataFrame",
                stacklevel=3,
            )
        texts = _text_cells(pd.Series(list(docs), dtype=object, name="docs"), "docs")
        frame = pd.DataFrame({"doc_id": [str(i) for i in range(1, len(texts) + 1)], "kind": "headline", "text": texts})
    else:
        raise InputError(
            f"docs of type {type(docs).__name__} is not allowed: pass a list of str, a Series or a DataFrame"
        )
    rows = len(docs)
    if rows == 0 and not empty_ok:
        raise InputError("docs is empty: pass at least one text")
    keep = frame["text"].map(lambda t: has_words(t) and t.strip().casefold() not in MISSING_MARKERS).astype(bool)
    frame = frame[keep.to_numpy()].copy()
    if frame.empty and empty_ok:
        frame.attrs["rows"] = rows
        return frame
    if frame.empty:
        raise InputError(f"docs has no item with words ({rows} empty, missing or punctuation only): pass texts")
    if len(frame) < rows:
        warnings.warn(
            f"dropped {rows - len(frame)} item{'' if rows - len(frame) == 1 else 's'} with no words (empty, missing or punctuation only)",
            stacklevel=3,
        )
    # Every text a str that UTF-8 can hold: a lone surrogate (from a bad decode) becomes U+FFFD.
    frame["text"] = [SURROGATE.sub("\ufffd", " ".join(t.split())) for t in frame["text"]]
    frame.attrs["rows"] = rows
    return frame


def canonical_order(texts: list[str], embeddings: np.ndarray) -> np.ndarray:
    """A permutation that sorts the items by text, then by vector: the same for any row order."""
    return np.array(sorted(range(len(texts)), key=lambda i: (texts[i], embeddings[i].tobytes())), dtype=np.int64)
