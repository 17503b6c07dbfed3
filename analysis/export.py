"""Write the per-item export table (.csv, .jsonl or .parquet) atomically."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.files import atomic_path
from analysis.state import FittedState

EXPORT_SUFFIXES = (".csv", ".jsonl", ".parquet")


def item_frame(state: FittedState) -> pd.DataFrame:
    """The export's rows, one per item in input order: doc_id, kind, text, then each level's
    id and name, broadest first (theme, theme_label, topic, topic_label, story, story_label),
    x, y, each level's description, `new` after an update, then the input's other columns.
    `topic` is the middle level, whatever level the map was made at (`state.level`). The
    order is `load.OUTPUT_COLUMNS`, the one list of the export's own columns."""
    docs = state.documents
    frame = pd.DataFrame(
        {"doc_id": docs["doc_id"].to_numpy(), "kind": docs["kind"].to_numpy(), "text": docs["text"].to_numpy()}
    )
    levels = (
        ("theme", state.theme_labels, state.theme_table),
        ("topic", state.topic_labels, state.topic_table),
        ("story", state.story_labels, state.stories),
    )
    lines = {}
    for name, labels, table in levels:
        names, lines[name] = _lookup(table)
        frame[name] = labels
        frame[f"{name}_label"] = [names.get(t, "") for t in labels]
    frame["x"] = np.round(state.coords[:, 0].astype(np.float64), 4)
    frame["y"] = np.round(state.coords[:, 1].astype(np.float64), 4)
    for name, labels, _ in levels:
        frame[f"{name}_description"] = [lines[name].get(t, "") for t in labels]
    if state.added.any() or state.added_since is not None:  # after an update, even of nothing new
        frame["new"] = state.added
    extra = docs.drop(columns=["doc_id", "kind", "text"]).reset_index(drop=True)
    return pd.concat([frame, extra], axis=1)


def _lookup(table: pd.DataFrame) -> tuple[dict, dict]:
    """id -> name and id -> description (empty for a map saved before descriptions existed)."""
    lines = table["description"] if "description" in table.columns else [""] * len(table)
    return dict(zip(table["id"], table["name"])), dict(zip(table["id"], lines))


def check_export_path(path: str | Path) -> None:
    if Path(path).suffix.lower() not in EXPORT_SUFFIXES:
        raise InputError(f"--export {path}: unsupported extension; use one of {', '.join(EXPORT_SUFFIXES)}")


def write_export(frame: pd.DataFrame, path: str | Path) -> None:
    """One row per item; no partial file if writing fails."""
    check_export_path(path)
    suffix = Path(path).suffix.lower()
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            frame = spreadsheet_safe(frame)
            # A cell holding a carriage return is only quoted when \r ends lines: use CRLF then.
            frame.to_csv(tmp, index=False, lineterminator="\r\n" if _has_cr(frame) else "\n")
        elif suffix == ".jsonl":
            frame.to_json(tmp, orient="records", lines=True, force_ascii=False, date_format="iso")
        else:
            parquet_ready(frame).to_parquet(tmp, index=False)


#: A spreadsheet runs a cell that starts with one of these as a formula (the page's CSV
#: download, assets/select.js, follows the same rule).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: ... unless the cell is a plain number ("-3", "+0.5", "-1e6"): a spreadsheet reads that as
#: the number, and a quote would make it text that cannot be summed or sorted.
PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell (and column name) that a spreadsheet would run as a
    formula prefixed with a quote, so it shows as text. For CSV only: JSONL and Parquet keep
    the text as it was."""

    def safe(value):
        risky = isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value)
        return "'" + value if risky else value

    frame = frame.copy(deep=False)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(safe)
    frame.columns = [safe(str(c)) for c in frame.columns]
    return frame


def _has_cr(frame: pd.DataFrame) -> bool:
    names = any("\r" in str(c) for c in frame.columns)
    return names or any(
        frame[c].map(lambda v: isinstance(v, str) and "\r" in v).any()
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    )


def parquet_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every input column Parquet cannot hold as it is (mixed types such as
    1 and "x", integers past 64 bits, empty JSON objects, complex numbers) turned into text: JSON for lists
    and objects, str() for the rest, missing values kept missing."""
    frame = frame.copy(deep=False)
    for column in frame.columns:
        if frame[column].dtype.kind == "c":  # complex numbers: Arrow has no type for them
            frame[column] = frame[column].map(_as_text).astype(object)
        elif not parquet_holds(frame[column]):
            frame[column] = frame[column].map(_as_text)
    return frame


def parquet_holds(values: pd.Series) -> bool:
    """Whether Parquet holds a column as it is: any typed column but complex numbers, and an
    object column that Arrow can write (not 1 and "x" mixed, not integers past 64 bits)."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    if values.dtype != object:
        return values.dtype.kind != "c"
    try:
        pq.write_table(pa.Table.from_pandas(values.to_frame(), preserve_index=False), io.BytesIO())
    except (pa.ArrowException, ValueError, TypeError, OverflowError):
        return False
    return True


def _as_text(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
