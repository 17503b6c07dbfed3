"""The fitted state of a topic map, defined once.

`TopicMap.fit` and `update` produce a `FittedState`, `TopicMap` exposes its fields as the
scikit-learn attributes (`labels_`, `coords_`, ...), `persist` saves and loads it field by
field, and the Dask engine fills the same record. `check_embeddings` is the one validation of
vectors, whoever supplies them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from analysis.errors import InputError

#: Array fields, saved as .npy files; table fields, saved as Parquet; the rest go in the manifest.
#: The map's levels, broadest first: every story lies in one topic, every topic in one theme.
LEVEL_ORDER = ("theme", "topic", "story")
#: Each level's word for many of its groups.
PLURALS = {"theme": "themes", "topic": "topics", "story": "stories"}

ARRAYS = ("embeddings", "coords", "labels", "story_labels", "topic_labels", "theme_labels", "added", "waiting", "grown")
TABLES = ("documents", "topics", "stories", "topic_table", "theme_table")
SCALARS = ("level", "next_topic_id", "next_story_id", "fitted_at", "added_since", "vectors_given")


@dataclass
class FittedState:
    """What a fit learned; `TopicMap` shows each field as an attribute named `<field>_`.

    documents: the items (doc_id, kind, text and the input's columns), one row each.
    embeddings, coords: n×d unit vectors and n×2 map positions.
    labels: group of each item at the chosen `level` (-1 unclustered); story_labels,
        topic_labels, theme_labels: every level (themes ⊇ topics ⊇ stories, nested).
    added: True for the items the last `update` added.
    waiting: True for the items of stories updates found far from every topic of their theme
        but too small to open one: they wait in the nearest topic until enough gather.
    grown: True for the items updates added since the fit: a subject mostly of them is new to
        the fitted map, one mostly of fitted items is the fit's own choice (newgroups.py).
    topics: the chosen level's table, one row a group (id, name, size, keywords,
        representatives, description); stories, topic_table, theme_table: each level's.
    level: "story", "topic" or "theme"; next_topic_id, next_story_id: the ids new groups of
        the chosen level and new stories get.
    fitted_at: when the map last took in items (ISO 8601, UTC); added_since: the `fitted_at`
        of the map the last `update` added to.
    vectors_given: the fit's vectors came with the items (`embeddings=`), not from the model,
        so the report does not credit the model with them.
    """

    documents: pd.DataFrame
    embeddings: np.ndarray
    coords: np.ndarray
    labels: np.ndarray
    story_labels: np.ndarray
    topic_labels: np.ndarray
    theme_labels: np.ndarray
    added: np.ndarray
    waiting: np.ndarray
    grown: np.ndarray
    topics: pd.DataFrame
    stories: pd.DataFrame
    topic_table: pd.DataFrame
    theme_table: pd.DataFrame
    level: str
    next_topic_id: int
    next_story_id: int
    fitted_at: str | None = None
    added_since: str | None = None
    vectors_given: bool = False


def reader_named(table: pd.DataFrame) -> set[int]:
    """The ids of a level's groups a reader named (`edit.rename` marks them in the table's
    `named` column), which `update` keeps as they are: never joined into another group."""
    if "named" not in table.columns:
        return set()
    return set(table.loc[table["named"].fillna(False).astype(bool), "id"].astype(int).tolist())


def with_named(table: pd.DataFrame, ids: set[int]) -> pd.DataFrame:
    """`table` with its groups in `ids` marked as named by the reader (the others not); no
    column added when none is."""
    if not ids and "named" not in table.columns:
        return table
    return table.assign(named=table["id"].astype(int).isin(ids).to_numpy())


FIELDS = tuple(f.name for f in fields(FittedState))
assert set(FIELDS) == set(ARRAYS + TABLES + SCALARS)


def check_embeddings(embeddings, n: int) -> np.ndarray:
    """`embeddings` as float32 unit rows, checked to be one finite, non-zero row of at least two
    numbers per item; InputError otherwise. Only the direction counts (a map fitted on vectors
    placed new ones differently when they came at another length)."""
    try:
        vectors = np.asarray(embeddings, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise InputError(f"embeddings cannot be read as numbers ({exc}): pass an (n, d) float array") from exc
    if vectors.ndim != 2 or len(vectors) != n or vectors.shape[1] < 2:
        raise InputError(
            f"embeddings has shape {vectors.shape}: expected ({n}, d) with d at least 2, one row per document"
        )
    if not np.isfinite(vectors).all():
        raise InputError("embeddings holds NaN or infinite values: pass finite vectors")
    lengths = np.linalg.norm(vectors.astype(np.float64), axis=1, keepdims=True)
    if (lengths == 0).any():
        raise InputError(
            f"embeddings row {int(np.flatnonzero(lengths == 0)[0])} is all zeros: pass vectors with a direction"
        )
    # rows already of unit length (the model's) are kept bit for bit, so given vectors and the
    # map's own encoder give the same results
    return (vectors / np.where(np.abs(lengths - 1) > 1e-5, lengths, 1.0)).astype(np.float32)
