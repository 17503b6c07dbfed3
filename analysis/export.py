"""Write the per-item export table (.csv, .jsonl or .parquet) atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.files import atomic_path

EXPORT_SUFFIXES = (".csv", ".jsonl", ".parquet")


def check_export_path(path: str | Path) -> None:
    if Path(path).suffix.lower() not in EXPORT_SUFFIXES:
        raise InputError(f"--export {path}: unsupported extension; use one of {', '.join(EXPORT_SUFFIXES)}")


def write_export(frame: pd.DataFrame, path: str | Path) -> None:
    """One row per item; no partial file if writing fails."""
    check_export_path(path)
    suffix = Path(path).suffix.lower()
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            # A cell holding a carriage return is only quoted when \r ends lines: use CRLF then.
            frame.to_csv(tmp, index=False, lineterminator="\r\n" if _has_cr(frame) else "\n")
        elif suffix == ".jsonl":
            frame.to_json(tmp, orient="records", lines=True, force_ascii=False, date_format="iso")
        else:
            parquet_ready(frame).to_parquet(tmp, index=False)


def _has_cr(frame: pd.DataFrame) -> bool:
    names = any("\r" in str(c) for c in frame.columns)
    return names or any(
        frame[c].map(lambda v: isinstance(v, str) and "\r" in v).any()
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    )


def parquet_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every input column Parquet cannot hold as it is (mixed types such as
    1 and "x", integers past 64 bits, empty JSON objects) turned into text: JSON for lists
    and objects, str() for the rest, missing values kept missing."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = frame.copy(deep=False)
    for column in frame.columns:
        if frame[column].dtype != object:
            continue
        try:
            pq.write_table(pa.Table.from_pandas(frame[[column]], preserve_index=False), io.BytesIO())
        except (pa.ArrowException, ValueError, TypeError, OverflowError):
            frame[column] = frame[column].map(_as_text)
    return frame


def _as_text(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
