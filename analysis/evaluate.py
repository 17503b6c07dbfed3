"""Score topics against a gold grouping: the figures `topicmap eval` prints."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.load import OUTPUT_COLUMNS
from analysis.state import LEVEL_ORDER

#: The columns that make a table an export of `topicmap report --export`, whose groups are
#: scored as they are instead of fitting again; each level's ids are in its own column.
EXPORT_COLUMNS = ("doc_id", "kind", "topic", "x", "y")


class Gold(NamedTuple):
    """A gold column read for scoring: each item's group as text, and which items have one."""

    values: np.ndarray
    labelled: np.ndarray


def as_singletons(labels: np.ndarray) -> np.ndarray:
    """Unclustered items (-1) each become their own class, so noise earns nothing."""
    labels = np.asarray(labels)
    return np.where(labels >= 0, labels, -np.arange(1, len(labels) + 1))


def score(labels: np.ndarray, gold) -> dict:
    """ARI and NMI against `gold` (unclustered items as singletons), counts and noise share."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    labels = np.asarray(labels)
    gold = pd.Series(gold).astype(str).to_numpy()
    predicted = as_singletons(labels)
    return {
        "ari": float(adjusted_rand_score(gold, predicted)),
        "nmi": float(normalized_mutual_info_score(gold, predicted)),
        "topics": int(len(np.unique(labels[labels >= 0]))),
        "gold_groups": int(len(np.unique(gold))),
        "unclustered": float(np.mean(labels < 0)) if len(labels) else 0.0,
        "items": int(len(labels)),
    }


def export_columns(frame: pd.DataFrame) -> dict[str, str] | None:
    """An export's own columns as {the export's name: the loaded name}, or None when the
    table is not an export (it lacks one of `EXPORT_COLUMNS`): a corpus that merely has a
    `topic` column is a corpus, and its `topic` may be the gold grouping."""
    columns = frame.attrs.get("columns", {}).items()
    own = {name: loaded for loaded, name in columns if name in OUTPUT_COLUMNS and loaded in frame.columns}
    return own if all(name in own for name in EXPORT_COLUMNS) else None


def gold_column(frame: pd.DataFrame, gold_col: str, source: str) -> str:
    """The loaded name of the column the user called `gold_col`; InputError listing the
    columns there are when there is none."""
    renamed = {name: loaded for loaded, name in frame.attrs.get("columns", {}).items() if loaded in frame.columns}
    for column in (renamed.get(gold_col), gold_col, f"input_{gold_col}"):
        if column is not None and column in frame.columns and column not in ("doc_id", "kind", "text"):
            return column
    shown = frame.attrs.get("columns", {})
    found = ", ".join(shown.get(c, c) for c in frame.columns if c not in ("doc_id", "kind", "text"))
    if not found:
        raise InputError(
            f"{source} has no columns besides its text, so no gold column {gold_col!r}: "
            "give a CSV, JSONL or Parquet file with one"
        )
    raise InputError(f"{source} has no column {gold_col!r} (found: {found}); pass one of those to --gold-col")


def read_gold(values: pd.Series, gold_col: str, source: str) -> Gold:
    """Each item's gold group as text; a missing or blank cell is an unlabelled item, left
    out of the score rather than counted as a group of its own."""
    missing = values.isna().to_numpy(dtype=bool)
    text = np.array(["" if gap else str(value) for value, gap in zip(values.astype(object), missing)], dtype=object)
    labelled = ~missing & np.array([bool(t.strip()) for t in text], dtype=bool)
    if not labelled.any():
        raise InputError(
            f"{source}: --gold-col {gold_col} is blank or missing in every row; name the column holding the true groups"
        )
    return Gold(text, labelled)


def export_labels(frame: pd.DataFrame, own: dict[str, str], level: str, source: str) -> np.ndarray:
    """An export's ids at `level` (theme, topic or story); InputError when the export has
    no such column or it holds something other than ids."""
    if level not in own:
        raise InputError(
            f"{source} is an export without a {level} column (an older version's?): "
            f"use --level {' or '.join(name for name in LEVEL_ORDER if name in own)}, or export it again"
        )
    ids = pd.to_numeric(frame[own[level]], errors="coerce")
    if ids.isna().any() or (ids % 1 != 0).any() or (ids.abs() > 2**53).any() or (ids < -1).any():
        raise InputError(
            f"{source} reads as an export (doc_id, kind, topic, x and y columns) but its {level} column holds "
            "values that are not ids: give a labelled corpus or an export as written"
        )
    return ids.astype(np.int64).to_numpy()
