"""Recall@30 and time of the neighbour search above EXACT_MAX: the inverted lists of
`analysis.neighbors` against the USearch HNSW graph it replaced, in one run.

Vectors are `--model` embeddings (default: the fast static model) of the distinct headlines
of data/bench (`speed.distinct_headlines`, about 41,000). A size above that adds perturbed
copies of random headlines' vectors (Gaussian noise, cosine about 0.875 to their source,
renormalised), so that neighbour lists are not filled with near-copies. Recall is against
`exact_neighbours` (minutes at 100,000 items; kept under `--cache`). The new search is also
run a second time and once with one worker thread and BLAS held to one thread: the results
must be identical bit for bit. Writes benchmarks/results/neighbors.md.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/neighbors.py --cache /tmp/knncache
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/neighbors.py --sizes 41203 --no-old
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from analysis import neighbors  # noqa: E402

K = 30  # what analysis.cluster asks for: 2 × N_NEIGHBORS


def vectors_for(n: int, model: str, cache: str | None) -> np.ndarray:
    from speed import distinct_headlines

    from analysis.embed import embed_texts

    real = embed_texts(distinct_headlines(), model=model, cache_dir=cache)
    if n <= len(real):
        return real[:n]
    rng = np.random.default_rng(1)
    source = real[rng.integers(0, len(real), n - len(real))]
    # |noise|² = 0.306 → cosine 1/√1.306 ≈ 0.875 to the source
    extra = source + rng.normal(0, np.sqrt(0.306 / real.shape[1]), source.shape).astype(np.float32)
    return np.vstack([real, extra / np.linalg.norm(extra, axis=1, keepdims=True)])


def usearch_neighbours(vectors: np.ndarray, k: int, random_state: int = 0) -> np.ndarray:
    """The search used before (analysis/neighbors.py until this change): a USearch HNSW graph
    over 8-bit copies, built in one thread in a seeded order (16 links, expansion 64),
    searched on all cores for 30 candidates each, ranked by exact similarity."""
    from usearch.index import BatchMatches, Index

    n = len(vectors)
    order = np.random.default_rng(random_state).permutation(n)
    index = Index(
        ndim=vectors.shape[1], metric="ip", dtype="i8", connectivity=16, expansion_add=64, expansion_search=64
    )
    index.add(order, vectors[order], threads=1)
    wanted = min(n, max(30, k) + 1)
    found = index.search(vectors, wanted, threads=0)
    assert isinstance(found, BatchMatches)
    candidates = np.asarray(found.keys, dtype=np.int64).reshape(n, wanted)
    valid = (np.arange(wanted) < np.asarray(found.counts)[:, None]) & (candidates != np.arange(n)[:, None])
    sims = np.where(valid, np.einsum("ij,ikj->ik", vectors, vectors[np.where(valid, candidates, 0)]), -np.inf)
    best = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(candidates, best, 1)


def recall(found: np.ndarray, exact: np.ndarray) -> float:
    found, exact = np.sort(found, axis=1), np.sort(exact, axis=1)
    return float(np.mean([len(np.intersect1d(a, b, assume_unique=True)) for a, b in zip(found, exact)]) / K)


def exact_for(vectors: np.ndarray, cache: str | None, model: str) -> tuple[np.ndarray, float | None]:
    path = Path(cache) / f"exact-{model}-{len(vectors)}-k{K}.npy" if cache else None
    if path and path.exists():
        return np.load(path), None
    start = time.perf_counter()
    exact = neighbors.exact_neighbours(vectors, K, np.arange(len(vectors)))
    took = time.perf_counter() - start
    if path:
        np.save(path, exact)
    return exact, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[41_203, 100_000])
    parser.add_argument("--model", default="static")
    parser.add_argument("--cache", help="embedding cache and exact neighbours (default: none)")
    parser.add_argument("--no-old", action="store_true", help="skip the USearch graph")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "neighbors.md"))
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from threadpoolctl import threadpool_limits

    rows = []
    for n in args.sizes:
        vectors = vectors_for(n, args.model, args.cache)
        exact, exact_s = exact_for(vectors, args.cache, args.model)
        load = os.getloadavg()[0]
        start = time.perf_counter()
        new, new_sims = neighbors.nearest_neighbours(vectors, K, random_state=0)
        new_s = time.perf_counter() - start
        old_s = old_recall = None
        if not args.no_old:
            start = time.perf_counter()
            old = usearch_neighbours(vectors, K, random_state=0)
            old_s, old_recall = time.perf_counter() - start, recall(old, exact)
        start = time.perf_counter()
        again = neighbors.nearest_neighbours(vectors, K, random_state=0)
        again_s = time.perf_counter() - start
        cores = neighbors._cores
        neighbors._cores = lambda: 1  # type: ignore[assignment]
        try:
            with threadpool_limits(1):
                single = neighbors.nearest_neighbours(vectors, K, random_state=0)
        finally:
            neighbors._cores = cores  # type: ignore[assignment]
        same = all(np.array_equal(a, b) for a, b in zip((new, new_sims), again)) and all(
            np.array_equal(a, b) for a, b in zip((new, new_sims), single)
        )
        row = {
            "n": n,
            "d": vectors.shape[1],
            "load": f"{load:.1f}–{os.getloadavg()[0]:.1f}",
            "new_s": min(new_s, again_s),
            "new_recall": recall(new, exact),
            "old_s": old_s,
            "old_recall": old_recall,
            "same": same,
            "exact_s": exact_s,
        }
        rows.append(row)
        print(row, flush=True)
    write(rows, args, Path(args.out))


def write(rows: list[dict], args: argparse.Namespace, out: Path) -> None:
    def fmt(value: float | None, spec: str) -> str:
        return "–" if value is None else format(value, spec)

    lines = [
        "# Neighbour search above EXACT_MAX: inverted lists (new) against the USearch graph (old)",
        "",
        f"`HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/neighbors.py {' '.join(sys.argv[1:])}`".replace(" `", "`"),
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), shared "
        "with other work: compare the two columns of one row, measured in the same run, more than absolute times. "
        f"Vectors: `{args.model}` model, k = {K}, random_state 0; the first 41,203 rows are the distinct real "
        "headlines of data/bench, rows beyond are perturbed copies (cosine ≈ 0.875 to their source). "
        "New time: the faster of two runs.",
        "",
        "| items | dim | load avg (1 min) | new s | new recall@30 | old s | old recall@30 | new / old time "
        "| new identical (twice, 1 thread) |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        ratio = r["new_s"] / r["old_s"] if r["old_s"] else None
        lines.append(
            f"| {r['n']:,} | {r['d']} | {r['load']} | {r['new_s']:.2f} | {r['new_recall']:.4f} | "
            f"{fmt(r['old_s'], '.2f')} | {fmt(r['old_recall'], '.4f')} | {fmt(ratio, '.2f')} | "
            f"{'yes' if r['same'] else 'NO'} |"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
