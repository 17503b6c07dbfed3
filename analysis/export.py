"""Write the per-item export table (.csv, .jsonl or .parquet) atomically."""

from __future__ import annotations

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
            frame.to_csv(tmp, index=False, lineterminator="\n")
        elif suffix == ".jsonl":
            frame.to_json(tmp, orient="records", lines=True, force_ascii=False)
        else:
            frame.to_parquet(tmp, index=False)
