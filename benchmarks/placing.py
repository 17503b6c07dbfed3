"""Placing new items: the exact top 10 of each query among a map's items (`assign.top_k`).

- the top-k step alone on one block of 512 queries (the block `assign.nearest` works in) over
  maps of 3,000 to 500,000 random unit vectors: `assign.top_k` (column groups) against
  numpy's argpartition and torch.topk, each followed by the sort it needs; the similarity
  product itself for scale;
- what torch cost an update before 0.2.0: `import torch` in a fresh process;
- `topicmap update` of 200 HuffPost headlines on a saved map of 2,000, in a fresh process
  (the ONNX encoder, the embedding cache warm), and whether torch was imported.

    .venv/bin/python benchmarks/placing.py   # writes benchmarks/results/placing.md
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import assign  # noqa: E402

K = 10
ROWS = 512
SIZES = (3_000, 20_000, 100_000, 500_000)
HUFFPOST = ROOT / "data" / "bench" / "huffpost_v3_2018_2022_10k.csv"


def best_of(call, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def by_argpartition(block: np.ndarray) -> np.ndarray:
    top = np.argpartition(block, block.shape[1] - K, axis=1)[:, -K:]
    order = np.lexsort((top, -np.take_along_axis(block, top, axis=1)), axis=1)
    return np.take_along_axis(top, order, axis=1)


def by_torch(block: np.ndarray) -> np.ndarray:
    import torch

    top = torch.topk(torch.from_numpy(block), K, dim=1).indices.numpy()
    order = np.lexsort((top, -np.take_along_axis(block, top, axis=1)), axis=1)
    return np.take_along_axis(top, order, axis=1)


def top_k_rows() -> list[str]:
    rng = np.random.default_rng(0)
    queries = rng.normal(size=(ROWS, 384)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    lines = []
    for n in SIZES:
        reference = rng.normal(size=(n, 384)).astype(np.float32)
        reference /= np.linalg.norm(reference, axis=1, keepdims=True)
        block = queries @ reference.T
        ours = assign.top_k(block, K)
        same = float(np.mean(ours == by_argpartition(block)))
        times = [best_of(lambda r=reference: queries @ r.T)]
        times += [best_of(lambda f=f, b=block: f(b)) for f in (lambda b: assign.top_k(b, K), by_argpartition, by_torch)]
        lines.append(f"| {n:,} | " + " | ".join(f"{t:.0f}" for t in times) + f" | {same:.3f} |")
        print(lines[-1], flush=True)
    return lines


def fresh(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def update_run() -> tuple[float, bool]:
    import pandas as pd

    frame = pd.read_csv(HUFFPOST)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        fitted, day = Path(tmp) / "fitted.csv", Path(tmp) / "day.csv"
        frame.head(2000).to_csv(fitted, index=False)
        frame.iloc[2000:2200].to_csv(day, index=False)
        topicmap = [sys.executable, "-m", "analysis.cli"]
        subprocess.run(
            [*topicmap, "report", str(fitted), "-o", f"{tmp}/a.html", "--save-map", f"{tmp}/map", "--quiet"],
            check=True,
            env=env,
        )
        code = (
            "import sys, runpy; sys.argv = ['topicmap', 'update', sys.argv[1], sys.argv[2], '-o', sys.argv[3], '--quiet'];"
            "from analysis.cli import main\ntry: main()\nexcept SystemExit: pass\nprint('torch' in sys.modules)"
        )
        seconds = []
        for _ in range(2):
            started = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", code, f"{tmp}/map", str(day), f"{tmp}/b.html"],
                check=True,
                env=env,
                capture_output=True,
                text=True,
            )
            seconds.append(time.perf_counter() - started)
        return min(seconds), out.stdout.strip().endswith("True")


def main() -> None:
    started = time.strftime("%Y-%m-%d %H:%M")
    rows = top_k_rows()
    torch_import = min(fresh("import torch") - fresh("pass") for _ in range(2))
    update_seconds, imported = update_run()
    lines = [
        "# Placing new items: the top 10 among a map's items",
        "",
        f"`.venv/bin/python benchmarks/placing.py`, {started}, {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end. Milliseconds, best of three, for one block of "
        f"{ROWS} queries (the block `assign.nearest` works in) over a map of random unit vectors (384 wide). "
        "Each top-k is followed by the sort it needs (most similar first); `assign.top_k` also puts ties "
        'in column order, so the placing is the same in any run. "Same": the share of its columns equal to '
        "argpartition's.",
        "",
        "| map items | similarities (the product) | assign.top_k | numpy argpartition | torch.topk | same |",
        "|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"`import torch` in a fresh process: {torch_import:.1f} s, what every update paid before 0.2.0 for ten neighbours.",
        "",
        f"`topicmap update` of 200 HuffPost headlines on a saved map of their 2,000 predecessors, in a fresh "
        f"process (ONNX encoder, embedding cache warm, best of two): {update_seconds:.1f} s; torch imported: "
        f"{'yes' if imported else 'no'}.",
        "",
    ]
    out = ROOT / "benchmarks" / "results" / "placing.md"
    out.write_text("\n".join(lines))
    print(out.read_text())


if __name__ == "__main__":
    main()
