"""Save and load a fitted topic map as plain files: JSON, .npy arrays and Parquet tables.

Nothing is pickled, so loading a map runs no code from it. The folder holds a format version;
a map written by an incompatible version is refused with a clear message.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError

FORMAT_VERSION = 1
MANIFEST = "topicmap.json"
ARRAYS = ("embeddings", "coords", "labels", "story_labels", "added")
#: Arrays that maps saved by earlier versions lack; loading gives them only when present.
OPTIONAL_ARRAYS = ("theme_labels",)
TABLES = ("documents", "topics", "stories")


def save_state(folder: str | Path, manifest: dict, arrays: dict[str, np.ndarray], tables: dict[str, pd.DataFrame]) -> None:
    """Write the map into `folder`, replacing it whole only once everything is written."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        (staging / MANIFEST).write_text(
            json.dumps({"format_version": FORMAT_VERSION, **manifest}, indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        for name in ARRAYS + OPTIONAL_ARRAYS:
            np.save(staging / f"{name}.npy", arrays[name], allow_pickle=False)
        for name in TABLES:
            tables[name].to_parquet(staging / f"{name}.parquet", index=False)
        if folder.exists():
            backup = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(backup, ignore_errors=True)
            folder.rename(backup)
            staging.rename(folder)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def load_state(folder: str | Path) -> tuple[dict, dict[str, np.ndarray], dict[str, pd.DataFrame]]:
    """Read a saved map; InputError naming the problem when the folder is not one."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise InputError(f"{folder} is not a saved topic map (no {MANIFEST}): save one with `topicmap report --save-map`")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{manifest_path} is corrupt ({exc}); save the map again") from exc
    if not isinstance(manifest, dict):
        raise InputError(f"{manifest_path} is corrupt (not a JSON object); save the map again")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise InputError(
            f"{folder} is saved map format {version!r}, this topicmap reads format {FORMAT_VERSION}: "
            "rebuild it with this version's `topicmap report --save-map`"
        )
    try:
        names = ARRAYS + tuple(name for name in OPTIONAL_ARRAYS if (folder / f"{name}.npy").exists())
        arrays = {name: np.load(folder / f"{name}.npy", allow_pickle=False) for name in names}
        tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
    except Exception as exc:
        raise InputError(f"{folder} is a damaged saved map ({type(exc).__name__}: {exc}); save the map again") from exc
    problem = _damage(manifest, arrays, tables)
    if problem:
        raise InputError(f"{folder} is a damaged saved map ({problem}); save the map again")
    for name in ("topics", "stories"):
        for column in ("keywords", "representatives"):
            tables[name][column] = tables[name][column].map(list)
    return manifest, arrays, tables


def _damage(manifest: dict, arrays: dict[str, np.ndarray], tables: dict[str, pd.DataFrame]) -> str:
    """What is wrong with a saved map's parts, or "" when they fit together."""
    import inspect

    from analysis.pipeline import TopicMap

    params = manifest.get("params")
    known = set(inspect.signature(TopicMap.__init__).parameters) - {"self"}
    if not isinstance(params, dict) or not set(params) <= known:
        return "unknown or missing params in the manifest"
    if not isinstance(manifest.get("level_"), str):
        return "no level_ in the manifest"
    for key in ("next_topic_id_", "next_story_id_"):
        if not isinstance(manifest.get(key), int) or isinstance(manifest.get(key), bool):
            return f"no {key} in the manifest"
    for key in ("fitted_at_", "added_since_"):
        if not isinstance(manifest.get(key), (str, type(None))):
            return f"{key} in the manifest is not a time"
    n = len(arrays["labels"]) if arrays["labels"].ndim else -1
    if any(array.ndim == 0 or len(array) != n for array in arrays.values()) or len(tables["documents"]) != n:
        return "arrays of different lengths"
    if arrays["embeddings"].ndim != 2 or arrays["coords"].shape[1:] != (2,):
        return "embeddings or coords of the wrong shape"
    if not all(np.issubdtype(arrays[name].dtype, np.integer) for name in ("labels", "story_labels", "theme_labels")
               if name in arrays):
        return "labels are not integers"
    if not {"doc_id", "kind", "text"} <= set(tables["documents"].columns):
        return "documents table without doc_id, kind and text"
    for name in ("topics", "stories"):
        if not {"id", "name", "size", "keywords", "representatives"} <= set(tables[name].columns):
            return f"{name} table without its columns"
    return ""
