"""Speed at every size, each figure beside a raw PyTorch encode measured in the same run (issue 26).

    .venv/bin/python benchmarks/speed.py                    # 6k, 60k, 100k (about 15 min, quiet machine)
    .venv/bin/python benchmarks/speed.py --million          # and a million headlines on the fast path

Every topicmap figure is a real `topicmap report ITEMS.csv -o … --verbose` in a fresh process,
timed from outside (wall and CPU seconds, peak RSS from the kernel), its stages read from the
`--verbose` breakdown. The models topicmap builds on first use (the ONNX encoders, the
static model) are built once at the start, timed, and shared by every run (`$TOPICMAP_MODELS`);
each run otherwise gets its own cache root (`$TOPICMAP_CACHE`), so "cold" means no cached
vectors. numba's compiled code stays where topicmap leaves it (beside the installed packages,
made once by `make report`), except in the one run labelled "a machine's very first run",
which gets an empty `$NUMBA_CACHE_DIR`.

Items: the bench sets' distinct texts (titles, and titles with snippets), then, past their
number, new headlines made of the first half of one and the second half of another from the
same set (distinct, and not copies of one headline filling each other's neighbour lists).

Baseline: `SentenceTransformer.encode` of the packaged MiniLM in PyTorch (batch 64, model
loading timed apart), in a fresh process: on the 6,000 items themselves, and on the first
6,000 of a larger set to estimate its rate there (marked "est."). Writes
benchmarks/results/speed.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "speed.md"
TOPICMAP = str(Path(sys.executable).parent / "topicmap")
STAGES = ("read", "embed", "neighbours", "stories", "themes", "name", "project", "report")


def distinct_headlines() -> list[str]:
    """The bench sets' distinct texts (after whitespace and case folding), in file order."""
    import pandas as pd

    frames = [pd.read_csv(f, keep_default_na=False) for f in sorted((ROOT / "data" / "bench").glob("*.csv"))]
    texts = pd.concat(frames)["text"].astype(str)
    key = texts.str.split().str.join(" ").str.casefold()
    return texts[~key.duplicated()].tolist()


def bench_texts(n: int) -> list[str]:
    """n distinct headlines: the real ones, then halves of two real ones joined."""
    import numpy as np

    base = distinct_headlines()
    out, seen = list(base[:n]), {" ".join(t.split()).casefold() for t in base[:n]}
    rng = np.random.default_rng(0)
    while len(out) < n:
        i = int(rng.integers(len(base)))
        j = min(len(base) - 1, i + int(rng.integers(1, 50)))  # a neighbour in file order: the same set
        a, b = base[i].split(), base[j].split()
        text = " ".join(a[: max(1, len(a) // 2)] + b[len(b) // 2 :])
        if " ".join(text.split()).casefold() not in seen:
            seen.add(" ".join(text.split()).casefold())
            out.append(text)
    return out


def write_items(n: int, folder: Path) -> Path:
    import pandas as pd

    path = folder / f"items-{n}.csv"
    if not path.exists():
        pd.DataFrame({"text": bench_texts(n)}).to_csv(path, index=False)
    return path


# ---------------------------------------------------------------- workers (one per process)


def worker_encode(csv: str, limit: str) -> dict:
    """A raw PyTorch SentenceTransformer.encode of the first `limit` items (load timed apart)."""
    import pandas as pd
    from sentence_transformers import SentenceTransformer

    from analysis.embed import default_model_path

    texts = pd.read_csv(csv, keep_default_na=False)["text"].astype(str).tolist()[: int(limit)]
    started = time.perf_counter()
    model = SentenceTransformer(default_model_path(), device="cpu")
    loaded = time.perf_counter()
    model.encode(texts, batch_size=64, show_progress_bar=False)
    return {"load_s": loaded - started, "encode_s": time.perf_counter() - loaded, "items": len(texts)}


def worker_build(models: str) -> dict:
    """Build the ONNX encoders (float32, int8) and the static model into `models`, each timed."""
    from analysis import embed

    times = {}
    for name in (embed.ONNX_MODEL, embed.ONNX_INT8_MODEL, embed.STATIC_MODEL):
        started = time.perf_counter()
        embed.resolve_model(name)
        times[name] = time.perf_counter() - started
    return times


# ---------------------------------------------------------------- the parent: runs and tables


def measure(args: list[str], env: dict | None = None) -> dict:
    """Run a command in a fresh process: wall and CPU seconds, peak RSS (MB), its JSON output
    and the stage seconds of a `--verbose` breakdown on its stderr."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(args, stdout=out, stderr=err, env=env or os.environ.copy(), cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{stderr[-3000:]}")
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    stages = {name: float(s) for name, s in re.findall(r"(\w+) ([\d.]+) s \(\d+%\)", stderr)}
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "stages": stages,
        **(json.loads(lines[-1]) if lines else {}),
    }


def worker(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--worker", *args]


def environment(models: Path, root: Path, numba: Path | None = None) -> dict:
    """A run's environment: the shared models, its own cache root, and numba's compiled code
    where topicmap leaves it (beside the installed packages) or, with `numba`, in a folder of
    its own (an empty one: a machine's very first run, before `make report`)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOPICMAP_MODELS": str(models), "TOPICMAP_CACHE": str(root)}
    env.pop("NUMBA_CACHE_DIR", None)
    return {**env, "NUMBA_CACHE_DIR": str(numba)} if numba is not None else env


def run_topicmap(csv: Path, env: dict, out: Path, *extra: str) -> dict:
    return measure([TOPICMAP, "report", str(csv), "-o", str(out / "map.html"), "--verbose", *extra], env)


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
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kb / 2**20:.1f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def row(label: str, result: dict, baseline: float) -> str:
    stages = result["stages"]
    cells = " | ".join(f"{stages[s]:.1f}" if s in stages else "–" for s in STAGES)
    return (
        f"| {label} | {cells} | **{result['wall_s']:.1f}** | {result['cpu_s']:.1f} | {result['rss_mb']:,.0f} | "
        f"{baseline:.1f} | **{result['wall_s'] / baseline:.2f}×** |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[60_000, 100_000], help="fast-path sizes")
    parser.add_argument("--default-size", type=int, default=6_000, help="items on the default path")
    parser.add_argument("--million", action="store_true", help="also a million items on the fast path")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(globals()[f"worker_{args.worker[0]}"](*args.worker[1:])))
        return

    began, load_start = time.time(), load_average()
    work = Path(tempfile.mkdtemp(prefix="speed-"))
    models = work / "models"
    env = environment(models, work / "build-root")
    build = measure(worker("build", str(models)), env)
    print(f"built the models: {build}", flush=True)

    sizes = sorted({args.default_size, *args.sizes, *([1_000_000] if args.million else [])})
    csvs = {n: write_items(n, work) for n in sizes}
    raw = measure(worker("encode", str(csvs[args.default_size]), str(args.default_size)), env)
    rate = raw["items"] / raw["encode_s"]
    print(f"raw PyTorch encode of {args.default_size}: {raw}", flush=True)

    def baseline(n: int) -> float:
        return raw["encode_s"] if n == args.default_size else n / rate

    rows, figures = [], {}
    n = args.default_size
    for backend in ("onnx", "onnx-int8", "torch"):
        root = work / f"default-{backend}"
        result = run_topicmap(csvs[n], environment(models, root), work, "--backend", backend)
        figures[f"default-{backend}"] = result
        rows.append(row(f"{n:,} default path ({backend}), cold", result, baseline(n)))
        print(rows[-1], flush=True)
    for n in [s for s in sizes if s != args.default_size]:
        root = work / f"fast-{n}"
        if n == min(s for s in sizes if s != args.default_size):
            never = run_topicmap(
                csvs[n], environment(models, work / f"never-{n}", work / f"numba-{n}"), work, "--model", "static"
            )
            rows.append(row(f"{n:,} fast, a machine's very first run (no compiled code on disk)", never, baseline(n)))
            figures[f"fast-{n}-never"] = never
        first = run_topicmap(csvs[n], environment(models, root), work, "--model", "static")
        rows.append(row(f"{n:,} fast, a new cache root's first run (no vectors cached)", first, baseline(n)))
        print(rows[-1], flush=True)
        figures[f"fast-{n}-first"] = first
        if n >= 1_000_000:
            continue
        again = run_topicmap(csvs[n], environment(models, root), work, "--model", "static", "--no-cache")
        rows.append(row(f"{n:,} fast, again with --no-cache (vectors cold)", again, baseline(n)))
        warm = run_topicmap(csvs[n], environment(models, root), work, "--model", "static")
        rows.append(row(f"{n:,} fast, warm (vectors cached)", warm, baseline(n)))
        figures[f"fast-{n}-again"], figures[f"fast-{n}-warm"] = again, warm
        print(rows[-2] + "\n" + rows[-1], flush=True)

    header = " | ".join(STAGES)
    text = "\n".join(
        [
            "# Speed at every size (issue 26)",
            "",
            f"`{' '.join(['python', *sys.argv[0:1], *sys.argv[1:]])}`, "
            f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(began))}, {machine()}. Load average (1/5/15 min) "
            f"at the start {load_start}, at the end {load_average()}; {(time.time() - began) / 60:.0f} min in all.",
            "",
            f"One-time builds on a machine's first use, before the runs: the ONNX encoder {build[ONNX]:.1f} s "
            f"(int8: {build[ONNX_INT8]:.1f} s), the static model {build['static']:.1f} s (all offline, from the "
            "packaged MiniLM).",
            "",
            f"Raw PyTorch MiniLM encode of the {args.default_size:,} items: {raw['encode_s']:.1f} s "
            f"({rate:.0f} items/s; loading the model {raw['load_s']:.1f} s more). Larger sizes' baselines are "
            "that rate times their size (est.).",
            "",
            f"| run | {header} | wall s | CPU s | peak RSS MB | raw encode s | wall ÷ raw encode |",
            "|---|" + "---:|" * (len(STAGES) + 5),
            *rows,
            "",
        ]
    )
    args.output.write_text(text, encoding="utf-8")
    (args.output.with_suffix(".json")).write_text(json.dumps({"raw": raw, "build": build, **figures}, indent=1))
    print(text)
    shutil.rmtree(work, ignore_errors=True)


ONNX, ONNX_INT8 = "onnx-float32", "onnx-int8"

if __name__ == "__main__":
    main()
