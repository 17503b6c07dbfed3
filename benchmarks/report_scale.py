"""How the HTML report scales: the seed page's size; file size, first paint and interaction
times at 10,000 and 100,000 items.

No model runs: the items are the headlines of the news sets in data/bench/ repeated with numbered
suffixes, laid out as synthetic themes and stories (Gaussian blobs) plus uniform unclustered
points, with dates over 60 days; report_data() and render_html() build the same page as
`topicmap report`. The page is then opened from file:// in headless Debian Chromium (the
launcher of the browser tests) several times and timed.

    .venv/bin/python benchmarks/report_scale.py            # 10,000 and 100,000 items, 3 runs
    .venv/bin/python benchmarks/report_scale.py --items 20000 --runs 1

Writes reports/seed_bench.html, reports/report_<n>.html (git-ignored) and
benchmarks/results/report.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from analysis import __version__  # noqa: E402
from analysis.page import PACK_DATA_CHARS, generated_at, render_html  # noqa: E402
from analysis.report import report_data  # noqa: E402
from browser import PAINTED, VIEWPORT, launch, watch  # noqa: E402

THEMES, STORIES_PER_THEME, NOISE_SHARE = 30, 5, 0.12
LIMIT_SEED_MB, LIMIT_MB, LIMIT_PAINT_S = 2.0, 8.0, 2.0


#: The news headline sets (not the short-text sets of other styles, whose snippets and titles
#: are longer than headlines and would measure another page).
NEWS_SETS = ("ag_news_test_titles.csv", "huffpost_v3_2018_2022_10k.csv", "uci_news_aggregator_6k.csv")


def synthetic_frame(n: int, seed: int = 0) -> pd.DataFrame:
    """n items: bench headlines (numbered copies past the first round), themes and stories
    as blobs on the map, the rest unclustered; source from the bench files, dates over 60 days."""
    rng = np.random.default_rng(seed)
    bench = pd.concat(
        [pd.read_csv(ROOT / "data" / "bench" / name, keep_default_na=False) for name in NEWS_SETS],
        ignore_index=True,
    )
    rows = np.arange(n) % len(bench)
    copy = np.arange(n) // len(bench) + 1
    texts = [t if c == 1 else f"{t} ({c})" for t, c in zip(bench["text"].to_numpy()[rows], copy)]
    sources = bench["source"].replace("", "AG News").to_numpy()[rows] if "source" in bench else ["bench"] * n
    theme_centres = rng.uniform(-20, 20, size=(THEMES, 2))
    story_centres = np.repeat(theme_centres, STORIES_PER_THEME, axis=0) + rng.normal(
        0, 2.0, (THEMES * STORIES_PER_THEME, 2)
    )
    story = rng.integers(0, len(story_centres), size=n)
    xy = story_centres[story] + rng.normal(0, 0.7, size=(n, 2))
    noise = rng.random(n) < NOISE_SHARE
    xy[noise] = rng.uniform(-24, 24, size=(noise.sum(), 2))
    story[noise] = -1
    topic = np.where(noise, -1, story // STORIES_PER_THEME)
    dates = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 60, size=n), unit="D")
    return pd.DataFrame(
        {
            "doc_id": [str(i) for i in range(1, n + 1)],
            "kind": "headline",
            "text": texts,
            "topic": topic,
            "topic_label": "",
            "x": xy[:, 0].round(4),
            "y": xy[:, 1].round(4),
            "story": story,
            "story_label": "",
            "source": sources,
            "date": dates.strftime("%Y-%m-%d"),
        }
    )


def describe(frame: pd.DataFrame, column: str, prefix: str) -> pd.DataFrame:
    """A topic table like label.describe_topics gives: name, size, keywords, representatives."""
    records = []
    for topic_id, members in frame[frame[column] >= 0].groupby(column):
        words = [w for w in " ".join(members["text"].head(40)).split() if w.isalpha() and len(w) > 4][:8]
        records.append(
            {
                "id": int(topic_id),
                "name": f"{prefix} {topic_id} {' '.join(words[:2])}",
                "size": len(members),
                "keywords": words,
                "representatives": members["text"].head(5).tolist(),
            }
        )
    return pd.DataFrame(records)


def build(n: int) -> tuple[Path, float]:
    """Write the n-item report; return its path and the build time in seconds."""
    start = time.perf_counter()
    frame = synthetic_frame(n)
    meta = {
        "input": f"synthetic_{n}.csv",
        "items": n,
        "model": "none (synthetic layout)",
        "parameters": {"themes": THEMES, "stories": THEMES * STORIES_PER_THEME},
        "version": __version__,
        "generated": generated_at(),
    }
    data = report_data(frame, describe(frame, "topic", "Theme"), describe(frame, "story", "Story"), meta)
    path = ROOT / "reports" / f"report_{n}.html"
    path.write_text(render_html(data, f"Topic map of {n:,} synthetic headlines"), encoding="utf-8")
    return path, time.perf_counter() - start


# Each probe runs in the page and returns milliseconds until the frame holding its redraw is
# painted: the second animation frame after the call (the first one's callbacks run before
# that frame is painted, so timing to it left out the paint itself: 0.24 s against 0.7-1.0 s
# on the 100,000-item page, stop 38).
PROBES = {
    "search 'trump'": "window.topicmap.search('trump')",
    "clear search": "window.topicmap.search('')",
    "filter to one source": "window.topicmap.setSources([window.topicmap.data.points.extra.source.values[0]])",
    "all sources again": "window.topicmap.setSources(null)",
    "isolate the biggest topic (zoom + list)": "window.topicmap.select('topic', window.topicmap.model.topics[0].id)",
    "show all again": "window.topicmap.select(null)",
    "box select (the items in a 10 x 10 box)": """(() => { const p = window.topicmap.data.points, picked = [];
        for (let i = 0; i < p.x.length; i++) if (Math.abs(p.x[i]) < 5 && Math.abs(p.y[i]) < 5) picked.push(i);
        return window.topicmap.selectItems(picked); })()""",
    "show all (clear filters and selection)": "window.topicmap.reset()",
}


def probe(page, expression: str) -> float:
    return page.evaluate(
        """async (expr) => { const t0 = performance.now(); await eval(expr);
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
        return performance.now() - t0; }""",
        expression,
    )


def measure(path: Path, runs: int) -> dict:
    """Open the report `runs` times (fresh tab each) and time its paint (from navigation
    start: unpacking plotly.js and the data included) and the probes."""
    from playwright.sync_api import sync_playwright

    out: dict = {
        "paint_ms": [],
        "charts_ms": [],
        "unpack_ms": [],
        "heap_mb": [],
        "probes": {k: [] for k in PROBES},
        "log": None,
    }
    with sync_playwright() as p:
        browser = launch(p)
        for _ in range(runs):
            page = browser.new_page(viewport=VIEWPORT)
            log = watch(page)
            page.goto(path.resolve().as_uri(), timeout=180_000)
            page.wait_for_function(PAINTED, timeout=180_000)
            out["paint_ms"].append(page.evaluate("window.topicmap.paintedAt"))
            out["charts_ms"].append(page.evaluate("window.topicmap.chartsAt"))
            out["unpack_ms"].append(
                page.evaluate(
                    "performance.getEntriesByName('topicmap:start')[0].startTime"
                    " - performance.getEntriesByName('topicmap:unpack')[0].startTime"
                )
            )
            out["heap_mb"].append(page.evaluate("performance.memory ? performance.memory.usedJSHeapSize / 1e6 : 0"))
            for name, expression in PROBES.items():
                out["probes"][name].append(probe(page, expression))
            out["log"] = log
            page.close()
        browser.close()
    return out


def seed_page() -> Path:
    """The seed report as `topicmap report data/seed.txt` writes it (the model runs)."""
    path = ROOT / "reports" / "seed_bench.html"
    topicmap = Path(sys.executable).parent / "topicmap"
    subprocess.run([str(topicmap), "report", str(ROOT / "data" / "seed.txt"), "-o", str(path), "--quiet"], check=True)
    return path


def machine() -> str:
    """CPU and Chromium version, for the results."""
    chromium = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{platform.machine()}, {os.cpu_count()} CPUs ({platform.processor() or 'unknown'}), {chromium}"


def write_results(seed: Path, pages: dict[int, tuple[Path, float, dict]], command: str, load: tuple) -> Path:
    """Write benchmarks/results/report.md from the measurements; return its path."""
    sizes = [n for n in pages]
    med = lambda values: f"{statistics.median(values):,.0f} ms"  # noqa: E731
    runs = len(next(iter(pages.values()))[2]["paint_ms"])
    seed_mb = seed.stat().st_size / 1e6
    lines = [
        "# Report at scale",
        "",
        f"`{command}` on {machine()}; software WebGL (SwiftShader), {runs} run(s) a page, medians.",
        f"Load average when the runs began: {', '.join(f'{v:.1f}' for v in load)} (the machine was shared with "
        "other work, which slows every figure).",
        "",
        "plotly.js and the page's code are inlined gzipped (base 85) and unpacked in the browser; a page "
        f"whose data is over {PACK_DATA_CHARS:,} characters of JSON has its data gzipped too.",
        "",
        "| measure | " + " | ".join(f"{n:,} items" for n in sizes) + " | limit |",
        "|---|" + "---|" * len(sizes) + "---|",
        f"| seed page (`topicmap report data/seed.txt`) | {seed_mb:.2f} MB"
        + " |" * len(sizes)
        + f" {LIMIT_SEED_MB:.0f} MB {'ok' if seed_mb <= LIMIT_SEED_MB else 'OVER'} |",
        "| file size | "
        + " | ".join(f"{pages[n][0].stat().st_size / 1e6:.2f} MB" for n in sizes)
        + f" | {LIMIT_MB:.0f} MB at 100,000 |",
        "| first paint: navigation start to the map and its names on screen | "
        + " | ".join(f"{statistics.median(pages[n][2]['paint_ms']) / 1000:.2f} s" for n in sizes)
        + f" | {LIMIT_PAINT_S:.0f} s at 10,000 |",
        "| of which unpacking plotly.js (and the data) and running plotly.js | "
        + " | ".join(f"{statistics.median(pages[n][2]['unpack_ms']) / 1000:.2f} s" for n in sizes)
        + " | |",
        "| overview charts drawn too | "
        + " | ".join(f"{statistics.median(pages[n][2]['charts_ms']) / 1000:.2f} s" for n in sizes)
        + " | |",
        "| JS heap after paint | "
        + " | ".join(f"{statistics.median(pages[n][2]['heap_mb']):.0f} MB" for n in sizes)
        + " | |",
        "| build (report_data + render_html in Python) | " + " | ".join(f"{pages[n][1]:.1f} s" for n in sizes) + " | |",
        "",
        "Interactions through the page API (`window.topicmap`), from the call to the frame holding the redraw painted (the second animation frame) "
        "(targets: 0.3 s at 10,000 items, 1 s at 100,000):",
        "",
        "| action | " + " | ".join(f"{n:,} items" for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
        *[f"| {name} | " + " | ".join(med(pages[n][2]["probes"][name]) for n in sizes) + " |" for name in PROBES],
        "",
        "Console errors, page errors, network requests (last run): "
        + "; ".join(
            f"{n:,}: {len(pages[n][2]['log']['console_errors'])}, {len(pages[n][2]['log']['page_errors'])}, "
            f"{len(pages[n][2]['log']['requests'])}"
            for n in sizes
        )
        + ".",
        "",
    ]
    result = ROOT / "benchmarks" / "results" / "report.md"
    result.write_text("\n".join(lines), encoding="utf-8")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()
    seed = seed_page()
    print(f"{seed}: {seed.stat().st_size / 1e6:.2f} MB", flush=True)
    pages = {}
    for n in args.items:
        path, build_s = build(n)
        print(f"{path}: {path.stat().st_size / 1e6:.2f} MB, built in {build_s:.1f} s", flush=True)
        pages[n] = (path, build_s, measure(path, args.runs))
    command = (
        "python benchmarks/report_scale.py"
        + ("" if args.items == [10_000, 100_000] else " --items " + " ".join(map(str, args.items)))
        + ("" if args.runs == 3 else f" --runs {args.runs}")
    )
    print(write_results(seed, pages, command, load).read_text())


if __name__ == "__main__":
    main()
