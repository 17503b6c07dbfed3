"""How well the map's regions are its topics, and how honest it stays to the embedding.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/map.py sample [--items 100000]

Figures (issue 25): of each clustered item's 10 nearest points on the map, the share in its
own story and in its own theme (unclustered items left out), and
`sklearn.manifold.trustworthiness` (k = 10) on a 5,000-item sample.

`sample`: the layout of a large corpus is UMAP on a random sample plus placement of the other
items (`project.sampled_layout`); this lays out the same items (the speed benchmark's
distinct headlines, static-model vectors) with several sample sizes and epoch counts and
reports each one's seconds beside the figures, to choose the sample (issue 26, deliverable 3).
Writes benchmarks/results/map_sample.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
K = 10
TRUST_SAMPLE = 5_000


def neighbour_shares(coords: np.ndarray, story: np.ndarray, theme: np.ndarray) -> tuple[float, float]:
    """Of each clustered item's K nearest map points, the mean share in its story and its theme."""
    from scipy.spatial import cKDTree

    _, near = cKDTree(coords).query(coords, k=K + 1)
    near = near[:, 1:]
    shares = []
    for labels in (story, theme):
        clustered = labels >= 0
        same = labels[near] == labels[:, None]
        shares.append(float(same[clustered].mean()))
    return shares[0], shares[1]


def trust(vectors: np.ndarray, coords: np.ndarray, seed: int = 0) -> float:
    from sklearn.manifold import trustworthiness

    rows = np.random.default_rng(seed).choice(len(vectors), min(TRUST_SAMPLE, len(vectors)), replace=False)
    return float(trustworthiness(vectors[rows], coords[rows], n_neighbors=K, metric="cosine"))


def sample_sizes(items: int, cache: str) -> str:
    from speed import bench_texts

    from analysis import cluster, embed, project

    texts = bench_texts(items)
    vectors = embed.embed_texts(texts, "static", cache_dir=cache)
    knn = cluster.embedding_graph(vectors, 0)
    levels = cluster.cluster_levels(vectors, texts, level="auto", random_state=0, knn=knn)
    lines = [
        "| sample | epochs | layout s | story share | theme share | trustworthiness |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    project.warm_up().join()
    for size, epochs in ((20_000, 200), (10_000, 200), (10_000, 500), (5_000, 200)):  # 200, 500: umap's own
        started = time.perf_counter()
        coords = project.sampled_layout(vectors, knn, 0, size=size, epochs=epochs)
        seconds = time.perf_counter() - started
        story, theme = neighbour_shares(coords, levels.story, levels.theme)
        lines.append(
            f"| {size:,} | {epochs} | {seconds:.1f} | {story:.3f} | {theme:.3f} | {trust(vectors, coords):.3f} |"
        )
        print(lines[-1], flush=True)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["sample"])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--cache", default="/tmp/map-bench")
    args = parser.parse_args()
    began, load = time.strftime("%Y-%m-%d %H:%M"), os.getloadavg()[0]
    table = sample_sizes(args.items, args.cache)
    text = (
        "# The layout's sample size at scale (issue 26, deliverable 3)\n\n"
        f"`python benchmarks/map.py sample --items {args.items}`, {began}, {os.cpu_count()} cores, load average "
        f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end. {args.items:,} distinct headlines "
        "(`benchmarks/speed.py`'s items), static-model vectors; shares: of each clustered item's 10 nearest map "
        "points, those in its story / theme; trustworthiness k = 10 on 5,000 items.\n\n" + table + "\n"
    )
    (ROOT / "benchmarks" / "results" / "map_sample.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
