"""TopicMap's parameters, declared once.

Each parameter's name, default, what is allowed, its CLI flag and help, and whether the
report's provenance shows it. `TopicMap`'s defaults and validation, the CLI's options and the
report's provenance are all read from `PARAMS`, so a new knob is one row here.
"""

from __future__ import annotations

import importlib.util
import numbers
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.errors import InputError

LEVELS = ("auto", "story", "topic", "theme")
ENGINES = ("local", "dask")
BACKENDS = ("onnx", "onnx-int8", "torch")
MAX_SEED = 2**32 - 1  # numpy's legacy seeding, used by k-means and UMAP, takes 32 bits
MAX_TOPICS = 1_000_000
MAX_MODEL_NAME = 255  # a longer name is no folder a file system can hold, nor a hub id


def _integer(low: int, high: int | None = None, optional: bool = False) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        if value is None:
            return optional
        return (
            isinstance(value, numbers.Integral)
            and not isinstance(value, bool)
            and int(value) >= low
            and (high is None or int(value) <= high)
        )

    return check


def _one_of(choices: tuple[str, ...]) -> Callable[[object], bool]:
    return lambda value: isinstance(value, str) and value in choices


def _name(max_length: int | None = None, optional: bool = True) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        if value is None:
            return optional
        return isinstance(value, str) and bool(value.strip()) and (max_length is None or len(value) <= max_length)

    return check


def _cache(value: object) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, (str, os.PathLike)):
        return bool(str(os.fspath(value)).strip())
    return False


@dataclass(frozen=True)
class Param:
    """One parameter: `check` says whether a value is allowed, `allowed` says so in words."""

    name: str
    default: object
    check: Callable[[object], bool]
    allowed: str
    flag: str | None
    help: str
    provenance: str | None = None  # the key the report's provenance shows it under


PARAMS: tuple[Param, ...] = (
    Param(
        "model",
        None,
        _name(MAX_MODEL_NAME),
        f"a sentence-transformers model name or folder of at most {MAX_MODEL_NAME} characters, or static "
        "(omit it for the packaged default)",
        "--model",
        "sentence-transformers model name or path, or `static` (the fast path: see the README) "
        "[default: packaged all-MiniLM-L6-v2].",
    ),
    Param(
        "backend",
        "onnx",
        _one_of(BACKENDS),
        f"one of {', '.join(BACKENDS)}",
        "--backend",
        "How the packaged model runs: onnx (ONNX Runtime, float32, built on first use: PyTorch's vectors, "
        "2.4 times as fast), onnx-int8 (int8: faster again, vectors at cosine 0.99, themes may differ) "
        "or torch (PyTorch). Other models run in PyTorch.",
    ),
    Param(
        "level",
        "auto",
        _one_of(LEVELS),
        f"one of {', '.join(LEVELS)}",
        "--level",
        "The level the map is made at: one event (story), a part of a subject (topic), a broad subject "
        "(theme), or chosen from the corpus. Every fit finds all three.",
        provenance="level",
    ),
    Param(
        "n_topics",
        None,
        _integer(1, MAX_TOPICS, optional=True),
        f"an integer from 1 to {MAX_TOPICS:,} (or leave it out to choose automatically)",
        "--topics",
        "Merge the chosen level down to this many topics (never split: fewer found, a warning) [default: chosen automatically].",
        provenance="topics",
    ),
    Param(
        "min_story_size",
        None,
        _integer(2, MAX_TOPICS, optional=True),
        f"an integer from 2 to {MAX_TOPICS:,} (or leave it out for max(2, round(sqrt(items) / 8)))",
        "--min-story-size",
        "The fewest items a story may have [default: max(2, round(sqrt(items) / 8))].",
        provenance="min_story_size",
    ),
    Param(
        "assign_noise",
        False,
        lambda value: isinstance(value, (bool, np.bool_)),
        "True or False",
        "--assign-noise",
        "Place every item in its nearest topic (no unclustered items).",
        provenance="assign_noise",
    ),
    Param(
        "cache",
        True,
        _cache,
        "True, False or a folder path",
        "--cache",
        "Embedding cache folder [default: $TOPICMAP_CACHE or ~/.cache/topicmap].",
    ),
    Param(
        "random_state",
        0,
        _integer(0, MAX_SEED),
        f"an integer from 0 to {MAX_SEED}",
        "--seed",
        f"Random seed (0 to {MAX_SEED}); the same seed gives the same map.",
        provenance="seed",
    ),
    Param(
        "engine",
        "local",
        _one_of(ENGINES),
        f"one of {', '.join(ENGINES)}",
        "--engine",
        "local (this process) or dask (a Dask cluster: --scheduler, else $TOPICMAP_SCHEDULER, "
        "else a LocalCluster on this machine).",
    ),
    Param(
        "scheduler",
        None,
        _name(),
        "an address such as tcp://host:8786",
        "--scheduler",
        "Dask scheduler address, e.g. tcp://host:8786 (default: $TOPICMAP_SCHEDULER).",
    ),
    Param(
        "sample_size",
        50_000,
        _integer(2),
        "an integer >= 2",
        "--sample-size",
        "With --engine dask: fit topics and the map on this many items, assign the rest; the map draws this many.",
    ),
)

BY_NAME = {param.name: param for param in PARAMS}
DEFAULTS = {param.name: param.default for param in PARAMS}


def check(values: Mapping[str, object], as_flags: bool = False) -> None:
    """Raise InputError for the first value not allowed, naming the parameter (or, from the
    CLI, its flag), the bad value and what is allowed."""
    for param in PARAMS:
        value = values[param.name]
        if not param.check(value):
            if as_flags and param.flag:
                shown = f"{param.flag} {value!r}" if isinstance(value, str) else f"{param.flag} {value}"
            else:
                shown = f"{param.name}={value!r}"
            if len(shown) > 120:
                shown = shown[:100] + "…"
            raise InputError(f"{shown} is not allowed: use {param.allowed}")
    if values["engine"] == "dask" and importlib.util.find_spec("distributed") is None:
        raise InputError("the dask engine needs Dask, which is not installed: pip install 'topicmap[dask]'")


def plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with numpy scalars (a seed drawn from a numpy grid, `np.True_`) as the Python
    values they stand for, so a map's parameters save and show as JSON."""
    return {name: value.item() if isinstance(value, np.generic) else value for name, value in values.items()}


def provenance(values: Mapping[str, object], level: str) -> dict[str, object]:
    """The parameters the report's foot shows, as the reader set them (`level` is the fitted one)."""
    shown: dict[str, object] = {}
    for param in PARAMS:
        if param.provenance is None:
            continue
        value = values[param.name]
        if param.name == "level":
            value = level if value == level else f"{value} ({level})"
        shown[param.provenance] = "auto" if value is None else value
    return shown
