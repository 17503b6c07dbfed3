"""Embedding-cache lookups: a few texts in a large shard, and a cache of many daily runs.

- one shard of N rows, 300 texts looked up: `EmbeddingCache.lookup` (keys in order, vectors
  mapped from the file) against reading the shard whole and sorting its keys, as before 0.2.0;
- 200 runs storing 300 new texts each, then a lookup of 300: the shards left and the time,
  with the merging of small shards (`cache.MAX_SHARDS`) and without it.

    .venv/bin/python benchmarks/cache_lookup.py   # writes benchmarks/results/cache.md
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import cache  # noqa: E402
from analysis.cache import EmbeddingCache, text_keys  # noqa: E402

WIDTH = 384
ASKED = 300


def timed(call, repeats: int = 5) -> float:
    call()  # the page cache warm for both ways
    started = time.perf_counter()
    for _ in range(repeats):
        call()
    return (time.perf_counter() - started) / repeats * 1000


def read_whole(folder: Path, keys: np.ndarray) -> np.ndarray:
    """The lookup before 0.2.0: every shard read whole, its keys sorted."""
    out = np.zeros((len(keys), WIDTH), dtype=np.float32)
    for shard in sorted(folder.glob("*.npz")):
        with np.load(shard) as data:
            shard_keys, vectors = data["keys"], data["vectors"]
        order = np.argsort(shard_keys)
        position = np.clip(np.searchsorted(shard_keys[order], keys), 0, len(order) - 1)
        hit = shard_keys[order][position] == keys
        out[hit] = vectors[order[position[hit]]]
    return out


def one_large_shard(rows: int) -> tuple[float, float]:
    store = EmbeddingCache(tempfile.mkdtemp(), "m")
    keys = text_keys([f"headline {i}" for i in range(rows)])
    store.store(keys, np.random.default_rng(0).normal(size=(rows, WIDTH)).astype(np.float32))
    asked = keys[np.random.default_rng(1).choice(rows, ASKED, replace=False)]
    return timed(lambda: store.lookup(asked, WIDTH)), timed(lambda: read_whole(store.folder, asked))


def daily_runs(runs: int, merge: bool) -> tuple[int, float]:
    limit = cache.MAX_SHARDS
    cache.MAX_SHARDS = limit if merge else 10**9
    try:
        store = EmbeddingCache(tempfile.mkdtemp(), "m")
        rng = np.random.default_rng(0)
        for run in range(runs):
            keys = text_keys([f"run {run} headline {i}" for i in range(ASKED)])
            store.store(keys, rng.normal(size=(ASKED, WIDTH)).astype(np.float32))
        asked = text_keys([f"run {runs // 2} headline {i}" for i in range(ASKED)])
        return len(list(store.folder.glob("*.npz"))), timed(lambda: store.lookup(asked, WIDTH))
    finally:
        cache.MAX_SHARDS = limit


def main() -> None:
    lines = [
        "# Embedding-cache lookups",
        "",
        f"`.venv/bin/python benchmarks/cache_lookup.py`, {time.strftime('%Y-%m-%d %H:%M')}, "
        f"{platform.machine()}, {WIDTH}-wide float32 vectors, {ASKED} texts a lookup, mean of 5 after one warm-up.",
        "",
        "| case | now | before | |",
        "|---|---:|---:|---|",
    ]
    for rows in (20_000, 200_000):
        now, before = one_large_shard(rows)
        lines.append(f"| one shard of {rows:,} rows | {now:.0f} ms | {before:.0f} ms | read whole, keys sorted |")
        print(lines[-1], flush=True)
    merged, merged_ms = daily_runs(200, merge=True)
    kept, kept_ms = daily_runs(200, merge=False)
    lines.append(
        f"| after 200 runs of {ASKED} texts | {merged} shards, {merged_ms:.0f} ms | {kept} shards, {kept_ms:.0f} ms "
        "| no merging |"
    )
    print(lines[-1], flush=True)
    out = ROOT / "benchmarks" / "results" / "cache.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
