"""The ONNX encoders (float32, the default, and int8) against PyTorch: speed, cosine, topics (issue 26).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/onnx_int8.py [--cache /tmp/onnx-bench] [--seeds 0 1 2]

Encodes every bench set with each backend of `analysis.embed` (`onnx-float32` and
`onnx-int8`, built on first use under the cache folder, and the packaged model in PyTorch),
reports each set's mean and least cosine of each ONNX precision to PyTorch, then stories and
themes through `cluster_levels` for each seed against each gold column the set has (themes
against `label`, stories against `story`): the ARI on PyTorch's vectors, on the ONNX ones, and
the difference. Speed: 3,000 UCI headlines encoded by each backend in turn (batch 64, after a
warm-up batch), best of two. Writes `benchmarks/results/onnx.md`.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "data" / "bench"
RESULTS = ROOT / "benchmarks" / "results" / "onnx.md"
BACKENDS = {"torch": None, "float32": "onnx-float32", "int8": "onnx-int8"}
GOLD = (("theme", "label"), ("story", "story"))


def texts_of(file: Path) -> list[str]:
    return pd.read_csv(file, keep_default_na=False)["text"].astype(str).tolist()


def speed(cache: str) -> dict[str, float]:
    """Headlines a second of each backend's encoder on the same 3,000 UCI headlines."""
    from analysis import embed

    texts = texts_of(BENCH / "uci_news_aggregator_6k.csv")[:3000]
    best: dict[str, float] = {}
    encoders = {name: embed.load_model(model, cache) for name, model in BACKENDS.items()}
    for encoder in encoders.values():
        encoder.encode(texts[:64], batch_size=64)
    for _ in range(2):
        for name, encoder in encoders.items():
            started = time.perf_counter()
            encoder.encode(texts, batch_size=64)
            best[name] = max(best.get(name, 0.0), len(texts) / (time.perf_counter() - started))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default="/tmp/onnx-bench")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from analysis import embed
    from analysis.cluster import cluster_levels
    from analysis.evaluate import score

    started = time.time()
    load_start = os.getloadavg()
    rates = speed(args.cache)
    onnx = [name for name in BACKENDS if name != "torch"]
    rows: dict[str, list[str]] = {name: [] for name in onnx}
    worst = {name: {"cosine": 1.0, "ari": 0.0, "loss": 0.0} for name in onnx}
    for file in sorted(BENCH.glob("*.csv")):
        frame = pd.read_csv(file, keep_default_na=False)
        texts = frame["text"].astype(str).tolist()
        vectors = {name: embed.embed_texts(texts, model, cache_dir=args.cache) for name, model in BACKENDS.items()}
        golds = [(level, column) for level, column in GOLD if column in frame.columns]
        aris: dict[tuple[str, str], list[float]] = {}
        counts: dict[tuple[str, str], list[int]] = {}
        for seed in args.seeds:
            for name, v in vectors.items():
                levels = cluster_levels(v, texts, level="auto", random_state=seed)
                for level, column in golds:
                    labels = getattr(levels, level)
                    aris.setdefault((level, name), []).append(score(labels, frame[column])["ari"])
                    counts.setdefault((level, name), []).append(int(labels.max(initial=-1)) + 1)
        for name in onnx:
            cosine = (vectors["torch"] * vectors[name]).sum(axis=1)
            worst[name]["cosine"] = min(worst[name]["cosine"], float(cosine.mean()))
            for level, _ in golds:
                diffs = np.subtract(aris[(level, name)], aris[(level, "torch")])
                worst[name]["ari"] = max(worst[name]["ari"], float(np.abs(diffs).max()))
                worst[name]["loss"] = min(worst[name]["loss"], float(diffs.min()))
                rows[name].append(
                    f"| {file.stem} | {len(texts):,} | {cosine.mean():.4f} | {cosine.min():.3f} | {level} | "
                    + " / ".join(f"{a:.3f}" for a in aris[(level, "torch")])
                    + " | "
                    + " / ".join(f"{a:.3f}" for a in aris[(level, name)])
                    + " | "
                    + " / ".join(f"{d:+.3f}" for d in diffs)
                    + " | "
                    + " / ".join(f"{t}→{i}" for t, i in zip(counts[(level, "torch")], counts[(level, name)]))
                    + " |"
                )
                print(name, rows[name][-1], flush=True)
    tables = []
    for name in onnx:
        tables += [
            f"### {name} against PyTorch",
            "",
            "| set | items | mean cosine | least cosine | level | ARI torch | ARI " + name + " | difference | count |",
            "|---|---:|---:|---:|---|---|---|---|---|",
            *rows[name],
            "",
            f"Lowest mean cosine of a set: {worst[name]['cosine']:.4f} (goal ≥ 0.99); largest ARI difference of "
            f"any level, set and seed: {worst[name]['ari']:.3f} (goal ≤ 0.01), the largest loss {worst[name]['loss']:+.3f}.",
            "",
        ]
    text = "\n".join(
        [
            "# The ONNX encoders against PyTorch (issue 26, deliverable 1)",
            "",
            f"`{' '.join(['python', *sys.argv])}`, {time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}, "
            f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), load average at the start "
            f"{load_start[0]:.1f}, at the end {os.getloadavg()[0]:.1f}.",
            "",
            "## Speed (3,000 UCI headlines, best of two, alternated in one process; PyTorch in batches of 64, "
            "ONNX Runtime float32 in batches of one token count, int8 one text a run on each core)",
            "",
            "| backend | headlines/s |",
            "|---|---:|",
            *(f"| {name} | {rate:.0f} |" for name, rate in rates.items()),
            *(f"| {name} ÷ torch | {rates[name] / rates['torch']:.2f}× |" for name in onnx),
            "",
            f"## Vectors and topics, seeds {', '.join(map(str, args.seeds))}",
            "",
            "ARI through `cluster_levels(level='auto')` against the set's gold at that level, unclustered "
            "items as singletons; count: topics found on PyTorch's vectors → on the ONNX ones.",
            "",
            *tables,
        ]
    )
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    main()
