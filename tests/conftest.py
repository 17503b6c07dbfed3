"""Shared fixtures: the real seed corpus, its human reading, and one real CLI run on it."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings
from sklearn.metrics import adjusted_rand_score

# Property tests try the same examples on every run (CI has no example database to replay a
# failure from); `HYPOTHESIS_PROFILE=explore make test` draws new ones and keeps a database.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]

# The tests never touch the user's cache: one embedding cache for the session in a temporary
# folder, made by the first pytest process (which removes it at exit) and shared by the test
# processes xdist starts from it, so that a bench set is embedded once, not once per process or
# test (the cache's shards are written whole, see analysis/cache.py); numba's compiled code and
# the models topicmap builds (the int8 ONNX encoder, the static model) kept in machine-wide
# temporary folders, made once. Set before analysis is imported.
if "TOPICMAP_TEST_CACHE" not in os.environ:
    os.environ["TOPICMAP_TEST_CACHE"] = tempfile.mkdtemp(prefix="topicmap-tests-")
    atexit.register(shutil.rmtree, os.environ["TOPICMAP_TEST_CACHE"], ignore_errors=True)
os.environ["TOPICMAP_CACHE"] = os.environ["TOPICMAP_TEST_CACHE"]
os.environ["NUMBA_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / "topicmap-tests-numba")
os.environ["TOPICMAP_MODELS"] = str(Path(tempfile.gettempdir()) / "topicmap-tests-models")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Two test processes share the machine's cores: each computes on one thread (torch, BLAS,
# numba), or the two oversubscribe the cores and wait on each other's spinning threads.
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[_name] = "1"

SEED = ROOT / "data" / "seed.txt"
SEED_THEMES = ROOT / "tests" / "data" / "seed_themes.csv"
BENCH = ROOT / "data" / "bench"
#: The export's first columns, in order (README, "The export"); the input's own columns follow.
#: Written out here on purpose, not imported from `load.OUTPUT_COLUMNS`: the contract tests
#: must fail when the package's list changes, not follow it.
EXPORT_COLUMNS = [
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
]


def topicmap(*args: str, check: bool = False, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real `topicmap` command in a fresh process (in `env` when given)."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "topicmap"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=check,
        env=env,
    )


def cli(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    """Run `topicmap ARGS` through its real entry point in this process: a fresh process costs
    seconds of imports (test_cli.py keeps `topicmap` for what needs one: help, progress)."""
    import contextlib
    import io

    from analysis.cli import main

    out, err, argv = io.StringIO(), io.StringIO(), sys.argv
    sys.argv = ["topicmap", *args]
    interrupt = signal.getsignal(signal.SIGINT)  # main() ignores Ctrl-C once the run has ended
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = argv
        signal.signal(signal.SIGINT, interrupt)
    result = subprocess.CompletedProcess(["topicmap", *args], code, out.getvalue(), err.getvalue())
    if check:
        result.check_returncode()
    return result


def real_vectors(texts, model: str | None = None) -> np.ndarray:
    """The real model's vectors of `texts` (PyTorch unless `model` names another encoder),
    through the session's embedding cache: a bench set's items are embedded once for all
    the test processes."""
    from analysis.cache import default_cache_dir
    from analysis.embed import embed_texts

    return embed_texts(list(texts), model, cache_dir=default_cache_dir())


def fake_vectors(texts, dim: int = 32) -> np.ndarray:
    """A fast stand-in embedder for tests of other stages: one fixed random unit vector per
    text (after whitespace and case folding). Never for quality tests."""
    import hashlib

    out = np.empty((len(texts), dim), dtype=np.float32)
    for i, text in enumerate(texts):
        key = hashlib.blake2b(" ".join(text.split()).casefold().encode(), digest_size=8).digest()
        vector = np.random.default_rng(int.from_bytes(key, "little")).standard_normal(dim)
        out[i] = vector / np.linalg.norm(vector)
    return out


def seed_ari(topics: np.ndarray, themes: pd.Series) -> float:
    """ARI against the seed reading: each `other` row and each unclustered item its own class;
    the `tariffs|iran` row may go either way (the better reading counts)."""
    predicted = [f"topic{t}" if t >= 0 else f"noise{i}" for i, t in enumerate(topics)]
    best = -1.0
    for reading in ("tariffs", "iran"):
        gold = [
            (reading if theme == "tariffs|iran" else theme) if theme != "other" else f"other{i}"
            for i, theme in enumerate(themes)
        ]
        best = max(best, adjusted_rand_score(gold, predicted))
    return best


@pytest.fixture(scope="session")
def seed_themes() -> pd.DataFrame:
    return pd.read_csv(SEED_THEMES)


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory) -> dict:
    """`topicmap report data/seed.txt -o seed.html --export seed.csv`, run once for many tests."""
    out = tmp_path_factory.mktemp("seed")
    html, csv = out / "seed.html", out / "seed.csv"
    result = topicmap("report", str(SEED), "-o", str(html), "--export", str(csv), check=True)
    return {"html": html, "csv": csv, "export": pd.read_csv(csv, keep_default_na=False), "result": result}
