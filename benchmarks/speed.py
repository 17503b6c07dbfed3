"""Speed and scale, side by side in one run on one machine (issue 8).

    .venv/bin/python benchmarks/speed.py                        # all of it (long: 100k items)
    .venv/bin/python benchmarks/speed.py --sizes 10000 20000    # a quicker look
    .venv/bin/python benchmarks/speed.py --skip-seed --sizes 100000 --transformer-max 0 --encode-max 3000

a. the seed report in a fresh process: topicmap vs BERTopic (fit + visualize_documents
   written to HTML, the same packaged all-MiniLM-L6-v2);
b. embedding throughput: embed_texts vs a raw SentenceTransformer.encode, same texts and
   batch size, in one process;
c. 10k, 20k and 100k headlines: the distinct headlines of data/bench/*.csv (about 23,800),
   and past that number the same headlines again with a numbered suffix ("… [2]"), so every
   text differs but only the first ~23,800 are distinct real headlines: a raw encode of the
   same texts, then `topicmap` end to end in a fresh process with an empty embedding cache
   (cold) and again with it filled (warm), on the fast path (`--model static`) and on the
   transformer path (MiniLM, up to --transformer-max items): wall and CPU time per stage,
   and peak RSS;
d. each stage's growth exponent: the slope of log(time) over log(n);
f. BERTopic (defaults) and topicmap (themes) on HuffPost's 10k labelled headlines, each in a
   fresh process embedding from scratch: time and ARI side by side.

Every measured run is its own process (this script started as a worker), timed from outside,
its peak RSS read from the kernel. CPU seconds are given beside wall seconds because on a
shared machine other processes' load inflates wall time. Writes benchmarks/results/speed.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "speed.md"
BATCH_SIZE = 64
STAGES = ("start", "load", "embed", "cluster", "name", "project", "report")


def distinct_headlines() -> list[str]:
    """The bench sets' distinct headlines, in file order."""
    import pandas as pd

    texts = pd.concat([pd.read_csv(f, keep_default_na=False) for f in sorted((ROOT / "data" / "bench").glob("*.csv"))])[
        "text"
    ].astype(str)
    return texts[~texts.str.strip().str.casefold().duplicated()].tolist()


def bench_texts(n: int) -> list[str]:
    """n headlines: the bench sets' distinct headlines, then numbered copies ("… [2]", …)."""
    base = distinct_headlines()
    return [base[i % len(base)] + (f" [{i // len(base) + 1}]" if i >= len(base) else "") for i in range(n)]


# ---------------------------------------------------------------- workers (one per process)


def worker_encode(n: int) -> dict:
    """A raw SentenceTransformer.encode of the n texts (model loading timed apart)."""
    from sentence_transformers import SentenceTransformer

    from analysis.embed import default_model_path

    texts = bench_texts(n)
    started = time.perf_counter()
    model = SentenceTransformer(default_model_path(), device="cpu")
    loaded, cpu = time.perf_counter(), time.process_time()
    model.encode(texts, batch_size=BATCH_SIZE, show_progress_bar=False)
    return {
        "load_s": loaded - started,
        "encode_s": time.perf_counter() - loaded,
        "encode_cpu_s": time.process_time() - cpu,
    }


def worker_throughput(n: int) -> dict:
    """embed_texts vs raw encode on the same n texts and model object, alternated, best of 2."""
    from analysis import embed

    texts = bench_texts(n)
    model = embed.load_model(None)
    model.encode(texts[:256], batch_size=BATCH_SIZE, show_progress_bar=False)  # warm-up
    raw, ours = [], []
    for _ in range(2):
        started = time.perf_counter()
        model.encode(texts, batch_size=BATCH_SIZE, show_progress_bar=False)
        raw.append(time.perf_counter() - started)
        started = time.perf_counter()
        embed.embed_texts(texts, batch_size=BATCH_SIZE, cache_dir=None)
        ours.append(time.perf_counter() - started)
    return {"raw_per_s": n / min(raw), "ours_per_s": n / min(ours)}


def worker_pipeline(csv: str, cache: str, html: str, started: float, model: str = "") -> dict:
    """`topicmap report` as the CLI runs it, with the time each stage starts."""
    from analysis.load import load_corpus
    from analysis.pipeline import TopicMap

    marks = {"start": started, "load": time.time()}
    docs = load_corpus(csv, keep_duplicates=True)

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault(stage, time.time())

    topic_map = TopicMap(model=model or None, cache=cache, random_state=0).fit(docs, progress=progress)
    marks["report"] = time.time()
    topic_map.report(html)
    marks["end"] = time.time()
    order = [s for s in (*STAGES, "end") if s in marks]
    return {
        "items": len(docs),
        "topics": int(topic_map.labels_.max() + 1),
        "stages": {a: marks[b] - marks[a] for a, b in zip(order, order[1:])},
    }


def worker_bertopic(out: str) -> dict:
    """BERTopic 0.17 on the seed corpus: fit, then visualize_documents written to HTML."""
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    from analysis.embed import default_model_path
    from analysis.load import load_corpus

    docs = load_corpus(ROOT / "data" / "seed.txt")["text"].tolist()
    topic_model = BERTopic(embedding_model=SentenceTransformer(default_model_path(), device="cpu"))
    topic_model.fit(docs)
    topic_model.visualize_documents(docs).write_html(out)
    return {"topics": len(set(topic_model.topics_) - {-1})}


HUFFPOST = ROOT / "data" / "bench" / "huffpost_v3_2018_2022_10k.csv"


def worker_side_by_side(tool: str) -> dict:
    """(f): BERTopic (its defaults) or topicmap (themes) fitted on HuffPost 10k, both embedding
    with the packaged MiniLM from scratch: topics and ARI against the 29 sections."""
    from analysis.evaluate import score
    from analysis.load import load_corpus

    frame = load_corpus(HUFFPOST, keep_duplicates=True)
    if tool == "bertopic":
        from bertopic import BERTopic
        from sentence_transformers import SentenceTransformer

        from analysis.embed import default_model_path

        model = BERTopic(embedding_model=SentenceTransformer(default_model_path(), device="cpu"))
        labels = np.asarray(model.fit_transform(frame["text"].tolist())[0])
    else:
        from analysis.pipeline import TopicMap

        labels = TopicMap(level="theme", cache=False, random_state=0).fit(frame).labels_
    result = score(labels, frame["label"])
    return {"items": len(frame), "topics": result["topics"], "ari": result["ari"]}


def side_by_side(lines: list[str]) -> None:
    """(f): BERTopic and topicmap on the same 10k labelled headlines, each in a fresh process."""
    try:
        import bertopic  # noqa: F401
    except ImportError:
        lines.append("\n## f. BERTopic at 10k\n\nBERTopic is not installed: `pip install -e '.[bench]'` adds it.")
        return
    runs = {tool: measure(worker("side", tool)) for tool in ("topicmap", "bertopic")}
    lines += [
        "\n## f. Side by side at 10k: HuffPost's 9,965 headlines, 29 sections, fresh process, no cache\n",
        "| tool | topics | ARI (sections) | wall s | CPU s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for tool, label in (("topicmap", "topicmap (themes, MiniLM)"), ("bertopic", "BERTopic 0.17 defaults (MiniLM)")):
        r = runs[tool]
        lines.append(
            f"| {label} | {r['topics']} | {r['ari']:.3f} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['rss_mb']:.0f} |"
        )


# ---------------------------------------------------------------- the parent: runs and tables


def measure(args: list[str], env: dict | None = None) -> dict:
    """Run a command in a fresh process: wall and CPU seconds, peak RSS (MB), its JSON output."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.PIPE, env=env or os.environ.copy(), cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read().decode(errors="replace")
        out.seek(0)
        stdout = out.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({process.returncode}):\n{stderr[-3000:]}")
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        **(json.loads(lines[-1]) if lines else {}),
    }


def worker(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--worker", *args]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(
        next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    )
    import torch

    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kb / 2**20:.1f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, torch {torch.__version__} (CPU, {torch.get_num_threads()} threads)"
    )


def load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def seed_runs(lines: list[str]) -> dict:
    """(a): topicmap and BERTopic on the seed corpus, each in a fresh process."""
    tmp = Path(tempfile.mkdtemp(prefix="speed-seed-"))
    topicmap = str(Path(sys.executable).parent / "topicmap")
    report = [topicmap, "report", "data/seed.txt", "-o", str(tmp / "seed.html"), "-q"]
    runs = {}
    empty_numba = {**os.environ, "NUMBA_CACHE_DIR": str(tmp / "numba")}
    runs["topicmap, first run on a machine (empty numba and embedding caches)"] = measure(
        [*report, "--cache", str(tmp / "cache")], empty_numba
    )
    runs["topicmap, embedding cache off"] = measure([*report, "--no-cache"])
    runs["topicmap, embedding cache warm"] = measure([*report, "--cache", str(tmp / "cache")])
    try:
        import bertopic  # noqa: F401
    except ImportError:
        lines.append("BERTopic is not installed: `pip install -e '.[bench]'` adds it.\n")
    else:
        runs["BERTopic fit + visualize_documents"] = measure(worker("bertopic", str(tmp / "bertopic.html")))
    shutil.rmtree(tmp, ignore_errors=True)
    lines += [
        "## a. The seed report (23 items), each in a fresh process\n",
        "| run | wall s | CPU s | peak RSS MB |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {name} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['rss_mb']:.0f} |" for name, r in runs.items()]
    return runs


PATHS = {"static": "fast (static)", "": "transformer (MiniLM)"}


def scale_runs(sizes: list[int], transformer_max: int, encode_max: int, lines: list[str]) -> dict:
    """(c): raw encode, then topicmap cold and warm on each path, at each size. The static
    model is distilled once before (its first-use cost is given apart), in a shared models
    folder: a cold run starts with an empty embedding cache, not without the model."""
    results: dict = {}
    rate: dict = {}
    models = Path(tempfile.mkdtemp(prefix="speed-models-"))
    distill = measure(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); "
            "from analysis import embed; embed.load_model('static', sys.argv[2])",
            str(ROOT),
            str(models),
        ]
    )
    for n in sizes:
        tmp = Path(tempfile.mkdtemp(prefix=f"speed-{n}-"))
        import pandas as pd

        pd.DataFrame({"text": bench_texts(n)}).to_csv(tmp / "items.csv", index=False)
        limit = max(transformer_max, encode_max)
        if n <= limit or not rate:  # past `limit`, a raw encode is estimated from the last rate measured
            measured = measure(worker("encode", str(min(n, limit))))
            rate = {key: measured[key] / min(n, limit) for key in ("encode_s", "encode_cpu_s")}
        encode = {key: value * n for key, value in rate.items()} | ({"estimated": True} if n > limit else {})
        for model in PATHS:
            if not model and n > transformer_max:
                continue
            cache = tmp / f"cache-{model or 'minilm'}"
            shutil.copytree(models / "models", cache / "models")
            run = [str(tmp / "items.csv"), str(cache), str(tmp / "map.html")]
            cold = measure(worker("pipeline", *run, repr(time.time()), model))
            warm = measure(worker("pipeline", *run, repr(time.time()), model))
            results[(n, model)] = {"encode": encode, "cold": cold, "warm": warm}
            print(
                f"  {n} {PATHS[model]}: encode {encode['encode_s']:.0f} s, cold {cold['wall_s']:.0f} s, "
                f"warm {warm['wall_s']:.0f} s",
                file=sys.stderr,
            )
        shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(models, ignore_errors=True)
    distinct = len(distinct_headlines())
    lines += [
        "\n## c. Scale: wall seconds per stage, fresh process each run\n",
        f"Items: the first {distinct:,} are distinct real headlines; past that, the same headlines with a "
        "numbered suffix. The static model's one-time distillation (first use on a machine, offline) took "
        f"{distill['wall_s']:.0f} s wall, {distill['cpu_s']:.0f} s CPU, before these runs.\n",
        "| items | path | run | " + " | ".join(STAGES) + " | total wall s | total CPU s | peak RSS MB | raw encode s |",
        "|---:|---|---|" + "---:|" * (len(STAGES) + 4),
    ]
    for (n, model), r in results.items():
        for kind in ("cold", "warm"):
            stages = r[kind]["stages"]
            cells = " | ".join(f"{stages[s]:.1f}" if s in stages else "" for s in STAGES)
            lines.append(
                f"| {n:,} | {PATHS[model]} | {kind} | {cells} | {r[kind]['wall_s']:.1f} | "
                f"{r[kind]['cpu_s']:.1f} | {r[kind]['rss_mb']:.0f} | {r['encode']['encode_s']:.1f}"
                f"{' (est.)' if r['encode'].get('estimated') else ''} |"
            )
    return results


def growth(results: dict, lines: list[str]) -> dict:
    """(d): least-squares slope of log(stage seconds) on log(n); embed from cold runs, the rest warm."""
    sizes = sorted(n for n, model in results if model == "static")
    results = {n: results[(n, "static")] for n in sizes}
    slopes = {}
    for stage in STAGES:
        kind = "cold" if stage == "embed" else "warm"
        times = [results[n][kind]["stages"].get(stage, 0.0) for n in sizes]
        if min(times) > 0:
            slopes[stage] = float(np.polyfit(np.log(sizes), np.log(times), 1)[0])
    lines += [
        "\n## d. Growth on the fast path: fitted exponent of time against n (1 linear, 2 quadratic)\n",
        "| stage | exponent |",
        "|---|---:|",
    ]
    lines += [f"| {stage} | {slope:.2f} |" for stage, slope in slopes.items()]
    return slopes


def goals(seed: dict, throughput: dict, scale: dict, lines: list[str]) -> None:
    """Every goal of the issue with the figure measured and met / not met."""
    rows = []
    bert = seed.get("BERTopic fit + visualize_documents")
    ours = seed.get("topicmap, embedding cache off")
    if bert and ours:
        rows.append(
            (
                "a. seed wall ≤ 0.5× BERTopic (no embedding cache)",
                f"{ours['wall_s'] / bert['wall_s']:.2f}× wall, {ours['cpu_s'] / bert['cpu_s']:.2f}× CPU",
                ours["wall_s"] <= 0.5 * bert["wall_s"],
            )
        )
    if throughput:
        ratio = throughput["ours_per_s"] / throughput["raw_per_s"]
        rows.append(
            (
                "b. embedding throughput ≥ 0.95× raw encode",
                f"{ratio:.2f}× ({throughput['ours_per_s']:.0f} vs {throughput['raw_per_s']:.0f} items/s)",
                ratio >= 0.95,
            )
        )
    fast = [n for n, model in scale if model == "static"]
    if fast:
        n = max(fast)
        r = scale[(n, "static")]
        rows += [
            (
                f"c. {n:,} cold ≤ 60 s, fast path",
                f"{r['cold']['wall_s']:.0f} s wall, {r['cold']['cpu_s']:.0f} s CPU; "
                f"{r['cold']['wall_s'] / r['encode']['encode_s']:.2f}× a raw MiniLM encode",
                r["cold"]["wall_s"] <= 60,
            ),
            (
                f"c. {n:,} warm ≤ 30 s, fast path",
                f"{r['warm']['wall_s']:.0f} s wall, {r['warm']['cpu_s']:.0f} s CPU",
                r["warm"]["wall_s"] <= 30,
            ),
            (f"c. {n:,} peak RSS, fast path", f"{max(r['cold']['rss_mb'], r['warm']['rss_mb']) / 1024:.2f} GB", True),
        ]
    slow = [n for n, model in scale if model == ""]
    if slow:
        n = max(slow)
        r = scale[(n, "")]
        ratio = r["cold"]["wall_s"] / r["encode"]["encode_s"]
        rows.append(
            (
                f"c. {n:,} cold ≤ 1.2× raw encode, transformer path",
                f"{ratio:.2f}× wall ({r['cold']['wall_s']:.0f} s vs {r['encode']['encode_s']:.0f} s)",
                ratio <= 1.2,
            )
        )
    lines += ["\n## Goals\n", "| goal | measured | met |", "|---|---|---|"]
    lines += [f"| {goal} | {value} | {'yes' if met else '**no**'} |" for goal, value, met in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 20_000, 100_000])
    parser.add_argument("--transformer-max", type=int, default=20_000, help="largest size run on the transformer path")
    parser.add_argument(
        "--encode-max",
        type=int,
        default=20_000,
        help="largest raw MiniLM encode run; larger sizes are estimated from its rate",
    )
    parser.add_argument("--skip-seed", action="store_true", help="skip a. and b. (the seed report, throughput)")
    parser.add_argument("--throughput-items", type=int, default=5_000)
    parser.add_argument("--skip-side", action="store_true", help="skip f. (BERTopic and topicmap on 10k)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        result = {
            "encode": lambda n: worker_encode(int(n)),
            "throughput": lambda n: worker_throughput(int(n)),
            "pipeline": lambda *a: worker_pipeline(*a[:3], float(a[3]), *a[4:]),
            "bertopic": worker_bertopic,
            "side": worker_side_by_side,
        }[kind](*rest)
        print(json.dumps(result))
        return

    started, load_before = time.time(), load_average()
    lines = [
        "# Speed and scale\n",
        f"`{' '.join(['benchmarks/speed.py', *sys.argv[1:]])}`, {time.strftime('%Y-%m-%d %H:%M')}, on {machine()}.\n",
    ]
    seed: dict = {}
    throughput: dict = {}
    if not args.skip_seed:
        print("a. seed report…", file=sys.stderr)
        seed = seed_runs(lines)
        print("b. embedding throughput…", file=sys.stderr)
        throughput = measure(worker("throughput", str(args.throughput_items)))
    lines += (
        []
        if args.skip_seed
        else [
            f"\n## b. Embedding throughput ({args.throughput_items:,} bench headlines, batch {BATCH_SIZE}, "
            "one process, best of 2)\n",
            "| | items/s |",
            "|---|---:|",
            f"| raw SentenceTransformer.encode | {throughput['raw_per_s']:.0f} |",
            f"| topicmap embed_texts (no cache) | {throughput['ours_per_s']:.0f} |",
        ]
    )
    print("c. scale…", file=sys.stderr)
    scale = scale_runs(args.sizes, args.transformer_max, args.encode_max, lines)
    if len(scale) >= 2:
        growth(scale, lines)
    if not args.skip_side:
        print("f. BERTopic at 10k…", file=sys.stderr)
        side_by_side(lines)
    goals(seed, throughput, scale, lines)
    lines.append(
        f"\nLoad average (1/5/15 min) at the start {load_before}, at the end {load_average()}; "
        f"{(time.time() - started) / 60:.0f} min in all."
    )
    text = "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
