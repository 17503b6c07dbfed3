"""Save and load a fitted topic map as plain files: JSON, .npy arrays and Parquet tables.

Nothing is pickled, so loading a map runs no code from it. The folder holds a format version;
a map written by an incompatible version is refused with a clear message, and so is a map
whose parts do not fit together (checked by value, not only by type).

A map is written only into a missing folder, an empty folder or a folder that holds a saved
map and nothing else, so saving never deletes anything of the user's.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.export import parquet_holds, parquet_ready
from analysis.files import atomic_dir, probe_write
from analysis.state import ARRAYS, SCALARS, TABLES, FittedState

FORMAT_VERSION = 1
MANIFEST = "topicmap.json"
#: Arrays and tables that maps saved by earlier versions lack.
OPTIONAL_ARRAYS = ("theme_labels", "topic_labels", "waiting", "grown")
OPTIONAL_TABLES = ("topic_table", "theme_table")
MAP_FILES = frozenset({MANIFEST, *(f"{a}.npy" for a in ARRAYS), *(f"{t}.parquet" for t in TABLES)})
MAX_ID = 2**53  # topic ids travel through JSON and JavaScript numbers
MAX_MANIFEST_BYTES = 10_000_000
MAX_NAME_BYTES = 200  # the staging folder's name adds about 20 bytes to the folder's; 255 is the limit


def check_target(folder: str | Path, protected: Iterable[str | Path] = (), flag: str = "--save-map") -> None:
    """Refuse, with one line, a folder a map may not be written to: anything but a missing
    folder, an empty one or a saved map's own; one under a regular file; one that is or holds
    a path in `protected` (the inputs and the other outputs)."""
    folder = Path(folder)
    resolved = folder.resolve()
    for path in protected:
        other = Path(path).resolve()
        if other == resolved or resolved in other.parents:
            raise InputError(
                f"{flag} {folder} is or contains {path}, an input or output of this run: "
                "keep the map's folder apart from the run's other files"
            )
    if len(os.fsencode(folder.name)) > MAX_NAME_BYTES:
        raise InputError(
            f"{flag} {folder.name[:40]}...: the folder name is too long (over {MAX_NAME_BYTES} bytes); "
            "choose a shorter name"
        )
    for parent in [folder, *folder.parents]:
        if parent.exists() and not parent.is_dir():
            raise InputError(f"{flag} {folder}: {parent} is a file, not a folder; choose a new folder for the map")
    if folder.is_dir():
        found = {p.name for p in folder.iterdir()}
        if found and (MANIFEST not in found or not found <= MAP_FILES):
            what = "is not a saved map" if MANIFEST not in found else "holds files that are not part of its map"
            raise InputError(
                f"{flag} {folder} {what}, and saving there would replace what it holds: "
                "choose a missing or empty folder"
            )
    _check_writable(folder, flag)


def _check_writable(folder: Path, flag: str) -> None:
    """Refuse, before any work, a map folder that saving could not replace: saving writes a
    new folder beside it and renames it in (the parent must be writable), then removes the
    old map's files (the map's own folder must be writable, or they would be left behind)."""
    real = folder.resolve() if folder.is_symlink() else folder.absolute()
    parent = next(p for p in real.parents if p.exists())  # saving makes the missing ones
    try:
        probe_write(parent)
    except OSError as exc:
        raise InputError(
            f"{flag} {folder}: cannot write in folder {parent} ({exc.strerror or exc}), where the map is saved; "
            "choose a folder you can write to"
        ) from exc
    # No probe inside (a map holds only its files); the mode bits too, since root may write
    # anywhere but a folder its owner made read-only is still not to be replaced.
    if real.is_dir() and (not os.access(real, os.W_OK | os.X_OK) or not real.stat().st_mode & stat.S_IWUSR):
        raise InputError(
            f"{flag} {folder} is read-only, so its saved map cannot be replaced: "
            f"make it writable (chmod u+w {folder}) or save the map to another folder"
        )


def save_state(
    folder: str | Path,
    params: dict,
    state: FittedState,
    version: str,
    flag: str = "--save-map",
    unit: str | None = None,
) -> None:
    """Write the estimator parameters and its fitted state into `folder` (see `check_target`,
    whose messages name the folder by `flag`), replacing it whole only once everything is
    written. `version` is topicmap's, recorded; `unit`, the loader's unit the items were read
    at, is recorded for `saved_unit`."""
    folder = _folder(folder)
    check_target(folder, flag=flag)
    if folder.is_symlink():  # a link to a saved map: the map it points to is updated
        folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    documents, as_json = _json_columns(state.documents)
    manifest = {
        "format_version": FORMAT_VERSION,
        "params": params,
        "topicmap_version": version,
        **{f"{name}_": getattr(state, name) for name in SCALARS},
        "json_columns": as_json,
        "unit": unit,
    }
    with atomic_dir(folder) as staging:
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        for name in ARRAYS:
            np.save(staging / f"{name}.npy", getattr(state, name), allow_pickle=False)
        for name in TABLES:
            table = documents if name == "documents" else getattr(state, name)
            parquet_ready(table).to_parquet(staging / f"{name}.parquet", index=False)


def _json_columns(documents: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The input's columns Parquet cannot hold as they are (1 and "x" mixed, integers past 64
    bits) written as one JSON value a cell, so a saved map gives them back as they were (the
    export writes them as text); and their names. A value JSON has no type for is saved as
    its text; a missing one stays missing."""
    documents = documents.copy(deep=False)
    names = []
    for column in documents.columns[3:]:  # after doc_id, kind and text
        if documents[column].dtype == np.dtype(object) and not parquet_holds(documents[column]):
            documents[column] = documents[column].map(
                lambda v: None if v is None or (isinstance(v, float) and v != v) else json.dumps(v, default=str)
            )
            names.append(str(column))
    return documents, names


def _folder(folder: object) -> Path:
    if not isinstance(folder, (str, os.PathLike)):
        raise InputError(f"folder={folder!r}: give the path of a saved map's folder")
    return Path(folder)


def load_state(folder: str | Path, known_params: Iterable[str]) -> tuple[dict, FittedState]:
    """Read a saved map: (estimator parameters, fitted state). The manifest may hold only
    the parameters in `known_params`; InputError naming the problem when the folder is not a
    saved map or is damaged."""
    folder = _folder(folder)
    manifest_path = folder / MANIFEST
    if not folder.exists():
        raise InputError(f"{folder} does not exist: give the folder a map was saved in")
    if not manifest_path.is_file():
        raise InputError(
            f"{folder} is not a saved topic map (no {MANIFEST}): save one with `topicmap report --save-map` "
            "or TopicMap.save"
        )
    manifest = _read_manifest(manifest_path)
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise InputError(
            f"{folder} is saved map format {version!r}, this topicmap reads format {FORMAT_VERSION}: "
            "rebuild it with this version's `topicmap report --save-map`"
        )
    try:
        optional = {f"{o}.npy" for o in OPTIONAL_ARRAYS} | {f"{o}.parquet" for o in OPTIONAL_TABLES}
        for name in MAP_FILES - {MANIFEST} - optional:
            if not (folder / name).is_file():
                raise ValueError(f"{name} is missing or not a file")
        names = [name for name in ARRAYS if name not in OPTIONAL_ARRAYS or (folder / f"{name}.npy").is_file()]
        arrays = {name: np.load(folder / f"{name}.npy", allow_pickle=False) for name in names}
        kept = [name for name in TABLES if name not in OPTIONAL_TABLES or (folder / f"{name}.parquet").is_file()]
        tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in kept}
        with np.errstate(over="ignore", invalid="ignore"):  # a value past float32 becomes inf: refused below
            for name in ("embeddings", "coords"):
                arrays[name] = (
                    arrays[name].astype(np.float32) if np.issubdtype(arrays[name].dtype, np.floating) else arrays[name]
                )
        problem = _damage(manifest, set(known_params), arrays, tables)
        documents = tables["documents"]
        as_json = manifest.get("json_columns", [])
        if not isinstance(as_json, list) or not set(as_json) <= set(map(str, documents.columns)):
            raise ValueError("json_columns in the manifest are not columns of the documents")
        for column in as_json:
            documents[column] = (
                documents[column].astype(object).map(lambda v: json.loads(v) if isinstance(v, str) else None)
            )
        for column in documents.columns[
            documents.dtypes.map(lambda d: d == np.dtype(object))
        ]:  # lists come back as arrays
            if documents[column].map(lambda v: isinstance(v, np.ndarray)).any():
                documents[column] = documents[column].map(lambda v: v.tolist() if isinstance(v, np.ndarray) else v)
        if not problem:
            for name in tables.keys() - {"documents"}:
                for column in ("keywords", "representatives"):
                    tables[name][column] = tables[name][column].map(_strings)
    except Exception as exc:
        problem = f"{type(exc).__name__}: {exc}".splitlines()[0]
    if problem:
        raise InputError(f"{folder} is a damaged saved map ({problem}); save the map again")
    _fill_older(manifest["level_"], arrays, tables)
    state = FittedState(
        documents=tables["documents"],
        topics=tables["topics"],
        stories=tables["stories"],
        topic_table=tables["topic_table"],
        theme_table=tables["theme_table"],
        embeddings=arrays["embeddings"].astype(np.float32),
        coords=arrays["coords"].astype(np.float32),
        labels=arrays["labels"].astype(np.int64),
        story_labels=arrays["story_labels"].astype(np.int64),
        topic_labels=arrays["topic_labels"].astype(np.int64),
        theme_labels=arrays["theme_labels"].astype(np.int64),
        added=arrays["added"].astype(bool),
        waiting=arrays["waiting"].astype(bool) if "waiting" in arrays else np.zeros(len(arrays["added"]), bool),
        grown=arrays["grown"].astype(bool) if "grown" in arrays else np.zeros(len(arrays["added"]), bool),
        level=str(manifest["level_"]),
        next_topic_id=int(manifest["next_topic_id_"]),
        next_story_id=int(manifest["next_story_id_"]),
        fitted_at=manifest.get("fitted_at_"),
        added_since=manifest.get("added_since_"),
        vectors_given=bool(manifest.get("vectors_given_", False)),
    )
    return manifest["params"], state


def _fill_older(level: str, arrays: dict[str, np.ndarray], tables: dict[str, pd.DataFrame]) -> None:
    """The levels a map saved before the middle level lacks, nested and named from what it
    has: a theme map's topics are its stories; a story map's themes and topics are its
    stories (its themes were never named)."""
    if "topic_table" in tables and "theme_table" in tables and "topic_labels" in arrays:
        return
    arrays["topic_labels"] = arrays["story_labels"]
    tables["topic_table"] = tables["stories"]
    if level == "theme":
        arrays.setdefault("theme_labels", arrays["labels"])
        tables["theme_table"] = tables["topics"]
    else:
        arrays["theme_labels"] = arrays["story_labels"]
        tables["theme_table"] = tables["stories"]


def _strings(value) -> list[str]:
    """A saved list of keywords or representative items, as a list of str."""
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise ValueError("keywords and representatives must be lists of text")
    return [str(v) for v in value]


def saved_unit(folder: str | Path) -> str | None:
    """The loader's unit (headline, article, paragraph) a saved map's items were read at, so
    an update reads new feeds and articles the same way; None for the default or when not
    recorded (a map saved from Python or before the unit was kept)."""
    path = Path(folder) / MANIFEST
    unit = _read_manifest(path).get("unit") if path.is_file() else None
    return unit if unit in ("headline", "article", "paragraph") else None


def _read_manifest(path: Path) -> dict:
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise ValueError("larger than any manifest")
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InputError(f"{path} is corrupt ({type(exc).__name__}); save the map again") from exc
    if not isinstance(manifest, dict):
        raise InputError(f"{path} is corrupt (not a JSON object); save the map again")
    return manifest


def _is_time(value: object) -> bool:
    """An ISO 8601 time that UTC can hold (a zone can move 9999-12-31 past the last year)."""
    from datetime import datetime, timezone

    try:
        stamp = datetime.fromisoformat(value) if isinstance(value, str) else None
        return stamp is not None and (stamp.tzinfo is None or stamp.astimezone(timezone.utc) is not None)
    except (ValueError, OverflowError):
        return False


def _damage(manifest: dict, known: set[str], arrays: dict[str, np.ndarray], tables: dict[str, pd.DataFrame]) -> str:
    """What is wrong with a saved map's parts, or "" when they fit together."""
    params = manifest.get("params")
    if not isinstance(params, dict) or not set(params) <= known:
        return "unknown or missing params in the manifest"
    if manifest.get("level_") not in ("story", "topic", "theme"):
        return "level_ in the manifest is not story, topic or theme"
    for key in ("fitted_at_", "added_since_"):
        if manifest.get(key) is not None and not _is_time(manifest[key]):
            return f"{key} in the manifest is not a time between years 1 and 9999 UTC"
    n = len(arrays["labels"]) if arrays["labels"].ndim == 1 else -1
    if any(array.ndim == 0 or len(array) != n for array in arrays.values()) or len(tables["documents"]) != n:
        return "arrays of different lengths"
    embeddings, coords = arrays["embeddings"], arrays["coords"]
    if embeddings.ndim != 2 or embeddings.shape[1] < 1 or coords.shape[1:] != (2,):
        return "embeddings or coords of the wrong shape"
    if not all(np.issubdtype(a.dtype, np.floating) for a in (embeddings, coords)):
        return "embeddings or coords are not floating-point numbers"
    if not (np.isfinite(embeddings).all() and np.isfinite(coords).all()):
        return "embeddings or coords hold NaN or infinite values"
    for name in ("added", "waiting", "grown"):
        if name in arrays and (arrays[name].ndim != 1 or arrays[name].dtype != np.bool_):
            return f"{name} is not one flag per item"
    if (
        "waiting" in arrays
        and arrays["story_labels"].ndim == 1
        and (arrays["story_labels"][arrays["waiting"]] < 0).any()
    ):
        return "waiting flags an item in no story"
    for key, name in (("next_topic_id_", "labels"), ("next_story_id_", "story_labels")):
        labels, next_id = arrays[name], manifest.get(key)
        if not isinstance(next_id, int) or isinstance(next_id, bool) or not 0 <= next_id <= MAX_ID:
            return f"{key} is missing or out of range"
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            return f"{name} are not integers"
        if len(labels) and (labels.min() < -1 or labels.max() >= next_id):
            return f"{name} outside -1..{key} - 1"
    for name in ("theme_labels", "topic_labels"):
        level = arrays.get(name)
        if level is not None and (not np.issubdtype(level.dtype, np.integer) or (len(level) and level.min() < -1)):
            return f"{name} are not topic ids"
    if any(
        arrays[name].ndim != 1
        for name in ("labels", "story_labels", "topic_labels", "theme_labels", "added")
        if name in arrays
    ):
        return "labels that are not one per item"
    level = manifest["level_"]
    if f"{level}_labels" in arrays and not np.array_equal(arrays["labels"], arrays[f"{level}_labels"]):
        return f"labels are not the {level} labels, though level_ is {level}"
    for lower, upper in (("story_labels", "topic_labels"), ("topic_labels", "theme_labels")):
        if lower in arrays and upper in arrays and not _nested(arrays[lower], arrays[upper]):
            return f"{lower} do not nest in {upper}"
    if not {"doc_id", "kind", "text"} <= set(tables["documents"].columns):
        return "documents table without doc_id, kind and text"
    if tables["documents"]["doc_id"].astype(str).duplicated().any():
        return "repeated doc_id values"
    if not tables["documents"]["text"].map(lambda t: isinstance(t, str)).all():
        return "documents whose text is not text"
    listed = [
        ("topics", "labels"),
        ("stories", "story_labels"),
        ("topic_table", "topic_labels"),
        ("theme_table", "theme_labels"),
    ]
    for name, labels_name in listed:
        if name not in tables or labels_name not in arrays:
            continue
        table, labels = tables[name], arrays[labels_name]
        if not {"id", "name", "size", "keywords", "representatives"} <= set(table.columns):
            return f"{name} table without its columns"
        if not set(np.unique(labels[labels >= 0]).tolist()) <= set(pd.to_numeric(table["id"], errors="coerce")):
            return f"{name} table does not list every topic"
    return ""


def _nested(lower: np.ndarray, upper: np.ndarray) -> bool:
    """Whether every group of `lower` (-1: none) lies in one group of `upper`."""
    inside = lower >= 0
    pairs = np.unique(np.stack([lower[inside], upper[inside]]), axis=1)
    return len(np.unique(pairs[0])) == pairs.shape[1]
