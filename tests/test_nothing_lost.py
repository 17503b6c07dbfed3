"""Nothing of the user's is lost or left behind: two saves of one map at once keep both runs'
items; a target that cannot be written is refused before the work, not after; a damaged static
model is built again; folders follow the umask; every folder is swapped in by one helper.

Maps here are fitted on `fake_vectors` (384 wide, the packaged model's width) and the new
items' vectors are put in the map's cache beforehand, so `update` never loads the model.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import TopicMap, embed, static
from analysis.cache import EmbeddingCache, text_keys
from analysis.files import atomic_dir, locked
from analysis.load import load_corpus
from conftest import ROOT, SEED, cli, fake_vectors

WIDTH = 384  # the packaged model's, so a saved map passes the width check without loading it
NEW_A = [
    "Central Bank Holds Interest Rates Steady as Inflation Cools",
    "Wildfire Forces Thousands to Evacuate in Southern California",
    "Chess Prodigy, 12, Becomes Youngest Grandmaster on Record",
]
NEW_B = [
    "Volcanic Eruption Grounds Flights Across Northern Europe",
    "City Council Approves Plan for Free Weekend Bus Service",
    "Ancient Shipwreck Found Intact off the Coast of Sicily",
]


def _modes_bind() -> bool:
    """Whether this process is refused a write that a folder's mode forbids: root is not (run
    as root without CAP_DAC_OVERRIDE, e.g. under `setpriv --bounding-set -dac_override`)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "read-only"
        folder.mkdir(mode=0o555)
        try:
            (folder / "probe").touch()
        except PermissionError:
            return True
        return False


needs_modes = pytest.mark.skipif(not _modes_bind(), reason="this user writes whatever a folder's mode says (root)")


def one_line_error(result: subprocess.CompletedProcess, code: int, *needles: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def save_seed_map(folder: Path, cache: Path) -> None:
    """The seed corpus fitted on fake vectors and saved to `folder`; the new items' fake vectors
    stored in the map's embedding cache, so that updating it embeds nothing."""
    texts = load_corpus(SEED)["text"].tolist()
    TopicMap(cache=str(cache)).fit(texts, embeddings=fake_vectors(texts, WIDTH)).save(folder)
    new = NEW_A + NEW_B
    EmbeddingCache(cache, embed.cache_key(None)).store(text_keys(new), fake_vectors(new, WIDTH))


@pytest.fixture(scope="module")
def seed_map(tmp_path_factory) -> Path:
    """A saved seed map to copy (tests change their copy, never this one)."""
    where = tmp_path_factory.mktemp("seed-map")
    save_seed_map(where / "map", where / "cache")
    return where / "map"


@pytest.fixture
def map_copy(seed_map, tmp_path) -> Path:
    """A copy of the seed map in its own folder, with the two new-item files beside it."""
    import shutil

    folder = tmp_path / "maps" / "map"
    shutil.copytree(seed_map, folder)
    (tmp_path / "a.txt").write_text("\n".join(NEW_A) + "\n")
    (tmp_path / "b.txt").write_text("\n".join(NEW_B) + "\n")
    return folder


# 1. Two saves at once -----------------------------------------------------------------------


def test_two_updates_saving_one_map_at_once_keep_both_runs_items(seed_map, map_copy, tmp_path):
    command = str(Path(sys.executable).parent / "topicmap")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    runs = [
        subprocess.Popen(
            [command, "update", str(map_copy), str(tmp_path / f"{x}.txt"), "-o", str(tmp_path / f"{x}.html"), "--save"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for x in ("a", "b")
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    grown = TopicMap.load(map_copy)
    texts = set(grown.to_frame()["text"])
    assert set(NEW_A) <= texts and set(NEW_B) <= texts
    assert len(grown.labels_) == len(TopicMap.load(seed_map).labels_) + len(NEW_A) + len(NEW_B)
    assert [p.name for p in map_copy.parent.iterdir()] == ["map"]  # no lock file, no temporary left


def test_a_waiting_lock_follows_the_folder_swapped_in_by_the_holder(tmp_path):
    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "v").write_text("1")
    seen: list[str] = []
    with locked(folder):
        waiter = threading.Thread(target=lambda: _read_when_locked(folder, seen))
        waiter.start()
        time.sleep(0.3)  # the waiter now waits on the old folder
        with atomic_dir(folder) as new:
            (new / "v").write_text("2")
        assert not seen
    waiter.join(10)
    assert seen == ["2"]


def _read_when_locked(folder: Path, seen: list[str]) -> None:
    with locked(folder):
        seen.append((folder / "v").read_text())


# 2. Failing before the work, not after it ---------------------------------------------------


@pytest.mark.parametrize("how", ["under a file", pytest.param("read-only", marks=needs_modes)])
def test_an_unwritable_cache_root_is_refused_before_distilling(tmp_path, monkeypatch, how):
    monkeypatch.delenv("TOPICMAP_MODELS", raising=False)
    distilled: list[Path] = []
    monkeypatch.setattr(static, "distill_to", lambda teacher, target: distilled.append(target))
    if how == "under a file":
        (tmp_path / "file").write_text("x")
        root = tmp_path / "file" / "cache"
    else:
        root = tmp_path / "cache"
        root.mkdir(mode=0o555)
    result = cli("report", str(SEED), "-o", str(tmp_path / "r.html"), "--model", "static", "--cache", str(root))
    one_line_error(result, 2, str(root), "--cache DIR", "$TOPICMAP_CACHE")
    assert not distilled and not (tmp_path / "r.html").exists()


@needs_modes
def test_update_save_under_a_read_only_folder_is_refused_before_any_work(map_copy, tmp_path):
    parent = map_copy.parent
    parent.chmod(0o555)
    try:
        result = cli("update", str(map_copy), str(tmp_path / "a.txt"), "-o", str(tmp_path / "a.html"), "--save")
    finally:
        parent.chmod(0o755)
    one_line_error(result, 2, f"cannot write in folder {parent}")
    assert not (tmp_path / "a.html").exists()


# 3. The static model is built again when it does not load -----------------------------------


@pytest.fixture
def fake_distil(monkeypatch):
    """StaticEmbedding.from_distillation made instant: the packaged tokenizer with random
    weights `width` wide (set `calls["width"]` to change it); counts its calls."""
    from sentence_transformers.models import StaticEmbedding
    from tokenizers import Tokenizer

    monkeypatch.delenv("TOPICMAP_MODELS", raising=False)  # these tests build under their own cache root
    calls = {"n": 0, "width": static.PCA_DIMS}

    def distil(cls, teacher, **kwargs):
        calls["n"] += 1
        tokenizer = Tokenizer.from_file(str(Path(teacher) / "tokenizer.json"))
        weights = np.random.default_rng(0).standard_normal((tokenizer.get_vocab_size(), calls["width"]))
        return StaticEmbedding(tokenizer, embedding_weights=weights.astype(np.float32))

    monkeypatch.setattr(StaticEmbedding, "from_distillation", classmethod(distil))
    return calls


def build_static(root: Path) -> Path:
    return static.static_model_path(embed.DEFAULT_MODEL, embed.default_model_path(), root)


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize(
    "damage",
    [
        lambda folder: (folder / "modules.json").unlink(),
        lambda folder: truncate(folder / "model.safetensors"),
        lambda folder: (folder / "tokenizer.json").unlink(),
    ],
    ids=["no modules.json", "truncated weights", "no tokenizer"],
)
def test_a_static_model_that_does_not_load_is_built_again_with_a_warning(tmp_path, fake_distil, damage):
    from sentence_transformers import SentenceTransformer

    folder = build_static(tmp_path)
    damage(folder)
    with pytest.warns(UserWarning, match=f"static model in {folder} does not load"):
        assert build_static(tmp_path) == folder
    assert fake_distil["n"] == 2
    assert SentenceTransformer(str(folder), device="cpu").encode(["a headline"]).shape == (1, static.PCA_DIMS)
    assert [p.name for p in (tmp_path / "models").iterdir()] == [folder.name]  # nothing left beside it
    assert build_static(tmp_path) == folder and fake_distil["n"] == 2  # sound now: not built again


def test_a_static_model_that_still_does_not_load_is_built_only_once(tmp_path, fake_distil):
    fake_distil["width"] = 8
    with pytest.raises(RuntimeError, match="does not load"):
        build_static(tmp_path)
    assert fake_distil["n"] == 1


# 4. Modes follow the umask ------------------------------------------------------------------


@pytest.fixture
def umask_027():
    previous = os.umask(0o027)
    yield
    os.umask(previous)


def test_a_saved_map_follows_the_umask_and_keeps_its_mode_when_saved_again(tmp_path, umask_027):
    texts = [f"headline {i} about {w}" for i, w in enumerate(["rates", "storms", "talks", "tariffs"] * 5)]
    topic_map = TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts))
    folder = tmp_path / "map"
    topic_map.save(folder)
    assert mode(folder) == 0o750 and {mode(p) for p in folder.iterdir()} == {0o640}
    folder.chmod(0o705)
    topic_map.save(folder)
    assert mode(folder) == 0o705
    assert [p.name for p in tmp_path.iterdir()] == ["map"]


def test_the_static_model_follows_the_umask(tmp_path, fake_distil, umask_027):
    folder = build_static(tmp_path)
    assert mode(folder) == 0o750 and {mode(p) for p in folder.iterdir() if p.is_file()} == {0o640}


def test_a_read_only_map_is_refused_before_any_work_and_nothing_is_left(map_copy, tmp_path):
    before = {p.name: p.read_bytes() for p in map_copy.iterdir()}
    map_copy.chmod(0o555)
    try:
        result = cli("update", str(map_copy), str(tmp_path / "a.txt"), "-o", str(tmp_path / "a.html"), "--save")
    finally:
        map_copy.chmod(0o755)
    one_line_error(result, 2, f"{map_copy} is read-only", "chmod u+w")
    assert [p.name for p in map_copy.parent.iterdir()] == ["map"]
    assert {p.name: p.read_bytes() for p in map_copy.iterdir()} == before
    assert not (tmp_path / "a.html").exists()


# 5. One atomic folder swap ------------------------------------------------------------------


def test_atomic_dir_swaps_whole_folders_and_cleans_up_after_a_failure(tmp_path):
    target = tmp_path / "out"
    target.write_text("an old export written as one file")
    with atomic_dir(target) as new:
        (new / "part.0").write_text("new")
    assert [p.name for p in target.iterdir()] == ["part.0"]
    with pytest.raises(OSError), atomic_dir(target) as new:
        (new / "part.0").write_text("half")
        raise OSError(28, "No space left on device")
    assert (target / "part.0").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_failed_parquet_parts_export_keeps_the_old_one_and_leaves_nothing(tmp_path, monkeypatch):
    from analysis.distributed import write_parquet_parts

    frame = pd.DataFrame({"doc_id": ["1", "2", "3"], "text": ["a", "b", "c"], "tags": [["x", "y"], [], ["z"]]})
    export = tmp_path / "export.parquet"
    write_parquet_parts(frame, export, rows_per_part=2)
    assert sorted(p.name for p in export.iterdir()) == ["part.0.parquet", "part.1.parquet"]
    back = pd.read_parquet(export)
    assert len(back) == 3 and list(back["tags"].iloc[0]) == ["x", "y"]  # a list, not the text "['x', 'y']"

    def half_written(self, path, **kwargs):
        Path(path).write_bytes(b"PAR1 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", half_written)
    with pytest.raises(OSError):
        write_parquet_parts(frame.head(1), export)
    assert len(pd.read_parquet(export)) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["export.parquet"]
