"""Recall@15 and time of the approximate neighbour search (`analysis.neighbors`) against the exact one.

Vectors are `--model` embeddings (default: the fast static model) of the distinct headlines in
data/bench (about 41,000); a size above that adds variants of random headlines (one word
dropped, one swapped for a word of another headline), as a day's news repeats a story in
many outlets' words. `--random` uses random unit vectors instead (timing only: they have
no neighbours worth the name). The exact neighbours come from `exact_neighbours` (minutes
at 100,000 items).

    .venv/bin/python benchmarks/neighbors.py                       # 20,000 and 100,000 items
    .venv/bin/python benchmarks/neighbors.py --sizes 41216 --evoc  # also EVōC's NN-descent
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import neighbors  # noqa: E402

K = 15


def headlines(n: int, seed: int = 0) -> list[str]:
    """n headlines: data/bench's distinct ones (a random n of them when fewer are asked
    for), then edited copies of random ones."""
    texts = sorted(
        {t for f in sorted((ROOT / "data" / "bench").glob("*.csv")) for t in pd.read_csv(f)["text"].astype(str)}
    )
    rng = np.random.default_rng(seed)
    if n <= len(texts):
        return [texts[i] for i in np.sort(rng.choice(len(texts), n, replace=False))]
    extra = []
    for i in rng.integers(0, len(texts), n - len(texts)):
        words = texts[i].split()
        if len(words) > 3:
            del words[rng.integers(len(words))]
        other = texts[rng.integers(len(texts))].split()
        words[rng.integers(len(words))] = other[rng.integers(len(other))]
        extra.append(" ".join(words))
    return texts + extra


def recall(found: np.ndarray, exact: np.ndarray) -> float:
    return float(np.mean([len(set(a) & set(b)) / exact.shape[1] for a, b in zip(found, exact)]))


def evoc_neighbours(vectors: np.ndarray) -> np.ndarray:
    """EVōC's NN-descent, which topicmap used before (its module is not a public API)."""
    from evoc.knn_graph import knn_graph

    graph = knn_graph(vectors, n_neighbors=K + 1, n_trees=8, random_state=0)[0]
    return np.array([[j for j in row if j != i][:K] for i, row in enumerate(graph)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--model", default="static")
    parser.add_argument("--random", action="store_true", help="random unit vectors (384-d): timing only")
    parser.add_argument("--evoc", action="store_true", help="also time EVōC's NN-descent (pip install evoc)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    for n in args.sizes:
        if args.random:
            vectors = np.random.default_rng(0).normal(size=(n, 384)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        else:
            from analysis.embed import embed_texts

            vectors = embed_texts(headlines(n), args.model)
        start = time.perf_counter()
        found, _ = neighbors.nearest_neighbours(vectors, K, random_state=0)
        took = time.perf_counter() - start
        line = f"{n:>7} items, {vectors.shape[1]}-d: graph search {took:6.2f} s"
        if args.evoc:
            start = time.perf_counter()
            by_evoc = evoc_neighbours(vectors)
            line += f", EVōC {time.perf_counter() - start:6.2f} s"
        if not args.random:
            start = time.perf_counter()
            exact = neighbors.exact_neighbours(vectors, K, np.arange(n))
            line += f", exact {time.perf_counter() - start:6.1f} s; recall@{K} {recall(found, exact):.4f}"
            if args.evoc:
                line += f" (EVōC {recall(by_evoc, exact):.4f})"
        print(line, flush=True)


if __name__ == "__main__":
    main()
