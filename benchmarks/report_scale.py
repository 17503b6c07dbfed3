"""How the HTML report scales: file size, paint time and interaction times at 100,000 items.

No model runs: the items are the headlines of the news sets in data/bench/ repeated with numbered
suffixes, laid out as synthetic themes and stories (Gaussian blobs) plus uniform unclustered
points, with dates over 60 days; report_data() and render_html() build the same page as
`topicmap report`. The page is then opened from file:// in headless Debian Chromium (the
launcher of the browser tests) several times and timed.

    .venv/bin/python benchmarks/report_scale.py            # 100,000 items, 5 runs
    .venv/bin/python benchmarks/report_scale.py --items 20000 --runs 1

Writes reports/report_<n>.html (git-ignored) and benchmarks/results/report.md.
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
from analysis.report import generated_at, render_html, report_data  # noqa: E402
from browser import PAINTED, VIEWPORT, launch, watch  # noqa: E402

THEMES, STORIES_PER_THEME, NOISE_SHARE = 30, 5, 0.12
LIMIT_MB, LIMIT_PAINT_S = 15.0, 3.0


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


# Each probe runs in the page and returns milliseconds until the next frame after its redraw.
PROBES = {
    "search 'trump' (highlight + count + lists)": "window.topicmap.search('trump')",
    "clear search": "window.topicmap.search('')",
    "isolate the biggest topic (zoom + list)": "window.topicmap.select('topic', window.topicmap.model.topics[0].id)",
    "show all again": "window.topicmap.select(null)",
    "filter to 10 of the 60 days (brush)": "window.topicmap.setRange('2025-01-10', '2025-01-19')",
    "filter to one source": "window.topicmap.setSources([window.topicmap.data.points.extra.source.values[0]])",
    "select 1,000 items by doc_id (lasso's path)": "window.topicmap.select(Array.from({length: 1000}, (_, k) => String(k * 97 + 1)))",
    "show all (clear filters and selection)": "window.topicmap.reset()",
    "zoom in 4x (relabel)": """Plotly.relayout('map', {'xaxis.range': [-5, 5], 'yaxis.range': [-5, 5]})""",
}


def probe(page, expression: str) -> float:
    return page.evaluate(
        """async (expr) => { const t0 = performance.now(); await eval(expr);
        await new Promise((r) => requestAnimationFrame(() => r()));
        return performance.now() - t0; }""",
        expression,
    )


def measure(path: Path, runs: int) -> dict:
    """Open the report `runs` times (fresh tab each), each time after a page that only runs
    plotly.js (the floor any plotly page pays); paint time is from navigation start."""
    from playwright.sync_api import sync_playwright

    out = {
        "paint_ms": [],
        "charts_ms": [],
        "dom_ms": [],
        "heap_mb": [],
        "plotly_ms": [],
        "probes": {k: [] for k in PROBES},
        "log": None,
        "load": os.getloadavg(),
    }
    bare = plotly_only_page()
    with sync_playwright() as p:
        browser = launch(p)
        for _ in range(runs):
            out["plotly_ms"].append(plotly_eval_ms(browser, bare))
            page = browser.new_page(viewport=VIEWPORT)
            log = watch(page)
            page.goto(path.resolve().as_uri(), timeout=120_000)
            page.wait_for_function(PAINTED, timeout=120_000)
            out["paint_ms"].append(page.evaluate("window.topicmap.paintedAt"))
            out["charts_ms"].append(page.evaluate("window.topicmap.chartsAt"))
            out["dom_ms"].append(page.evaluate("performance.getEntriesByType('navigation')[0].domInteractive"))
            out["heap_mb"].append(page.evaluate("performance.memory ? performance.memory.usedJSHeapSize / 1e6 : 0"))
            for name, expression in PROBES.items():
                out["probes"][name].append(probe(page, expression))
            out["log"] = log
            page.close()
        browser.close()
    bare.unlink()
    return out


def plotly_only_page() -> Path:
    """A page that runs the inlined plotly.js and nothing else."""
    from plotly.offline import get_plotlyjs

    bare = ROOT / "reports" / "plotly_only.html"
    bare.write_text(
        "<!DOCTYPE html><script>t0=performance.now()</script><script>"
        + get_plotlyjs()
        + "</script><script>t1=performance.now()</script>",
        encoding="utf-8",
    )
    return bare


def plotly_eval_ms(browser, bare: Path) -> float:
    """How long this Chromium takes just to run the inlined plotly.js."""
    page = browser.new_page()
    page.goto(bare.as_uri())
    elapsed = page.evaluate("t1 - t0")
    page.close()
    return elapsed


def machine() -> str:
    """CPU and Chromium version, for the results."""
    chromium = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{platform.machine()}, {os.cpu_count()} CPUs ({platform.processor() or 'unknown'}), {chromium}"


def write_results(n: int, path: Path, build_s: float, m: dict, command: str) -> Path:
    """Write benchmarks/results/report.md from the measurements `m`; return its path."""
    size_mb = path.stat().st_size / 1e6
    paint_s = statistics.median(m["paint_ms"]) / 1000
    own_s = statistics.median(p - b for p, b in zip(m["paint_ms"], m["plotly_ms"])) / 1000
    med = lambda values: f"{statistics.median(values):,.0f} ms"  # noqa: E731
    load = ", ".join(f"{v:.1f}" for v in m["load"])
    lines = [
        "# Report at scale",
        "",
        f"`{command}` on {machine()}; software WebGL (SwiftShader), {len(m['paint_ms'])} runs, medians.",
        f"Load average when the runs began: {load} (other work on the machine slows every figure).",
        "",
        "| measure | value | limit |",
        "|---|---|---|",
        f"| items | {n:,} | |",
        f"| file size | {size_mb:.2f} MB | {LIMIT_MB:.0f} MB {'ok' if size_mb <= LIMIT_MB else 'OVER'} |",
        f"| paint: navigation start to the map and its names on screen | {paint_s:.2f} s "
        f"(runs: {', '.join(f'{v / 1000:.2f}' for v in m['paint_ms'])}; best {min(m['paint_ms']) / 1000:.2f}) | "
        f"{LIMIT_PAINT_S:.0f} s "
        f"{'ok' if paint_s <= LIMIT_PAINT_S else 'OVER'} |",
        f"| overview charts drawn too | {statistics.median(m['charts_ms']) / 1000:.2f} s | |",
        f"| a page that only runs plotly.js, for comparison | {med(m['plotly_ms'])} | |",
        f"| DOM interactive | {med(m['dom_ms'])} | |",
        f"| JS heap after paint | {statistics.median(m['heap_mb']):.0f} MB | |",
        f"| build (report_data + render_html in Python) | {build_s:.1f} s | |",
        "",
        "Interactions, from the call to the next frame after the redraw:",
        "",
        "| action | time |",
        "|---|---|",
        *[f"| {name} | {med(values)} |" for name, values in m["probes"].items()],
        "",
        f"Of the paint time, {own_s:.2f} s (median over runs of paint less the plotly.js-only page opened just "
        "before) is the report's own work: parsing its data, building the panel and the WebGL scene, drawing it. "
        "The rest is running plotly.js itself (the full bundle of plotly's Python package), which dominates on a "
        "slow or busy machine.",
        "",
        f"Console errors {len(m['log']['console_errors'])}, page errors {len(m['log']['page_errors'])}, "
        f"network requests {len(m['log']['requests'])} (last run).",
        "",
    ]
    result = ROOT / "benchmarks" / "results" / "report.md"
    result.write_text("\n".join(lines), encoding="utf-8")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    path, build_s = build(args.items)
    print(f"{path}: {path.stat().st_size / 1e6:.2f} MB, built in {build_s:.1f} s", flush=True)
    m = measure(path, args.runs)
    command = (
        "python benchmarks/report_scale.py"
        + ("" if args.items == 100_000 else f" --items {args.items}")
        + ("" if args.runs == 5 else f" --runs {args.runs}")
    )
    print(write_results(args.items, path, build_s, m, command).read_text())


if __name__ == "__main__":
    main()
