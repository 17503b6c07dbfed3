"""Screenshot the seed report for the README (docs/seed.png), in headless Debian Chromium.

    .venv/bin/python benchmarks/screenshot.py            # builds reports/seed.html if missing
    .venv/bin/python benchmarks/screenshot.py --rebuild  # runs `topicmap report` again first

The whole page is captured with the hover card of a topic's central item open.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import open_report  # noqa: E402

# The pixel of the central item of the biggest topic whose central item is a headline (its
# hover card stays small), else of the biggest topic.
CENTRAL_ITEM = """() => {
  const gd = document.getElementById("map"), fl = gd._fullLayout, r = gd.getBoundingClientRect();
  const m = window.topicmap.model;
  const central = (t) => m.members("topic", t.id).find((i) => m.x[i] === t.cx && m.y[i] === t.cy);
  const t = m.topics.find((t) => m.kind(central(t)) === "headline") || m.topics[0];
  return t ? [r.left + fl.xaxis._offset + fl.xaxis.l2p(t.cx), r.top + fl.yaxis._offset + fl.yaxis.l2p(t.cy)] : null;
}"""


def build_report(report: Path) -> None:
    """Write the seed report with the real command."""
    report.parent.mkdir(parents=True, exist_ok=True)
    topicmap = Path(sys.executable).parent / "topicmap"
    subprocess.run([str(topicmap), "report", str(ROOT / "data" / "seed.txt"), "-o", str(report), "-q"], check=True)


def screenshot(report: Path, output: Path) -> None:
    """Open `report` from file:// and save a full-page PNG to `output`."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with open_report(report) as (page, log):
        spot = page.evaluate(CENTRAL_ITEM)
        if spot:
            page.mouse.move(*spot)
            page.wait_for_selector("#tooltip:not([hidden])", timeout=5_000)
        page.screenshot(path=str(output), full_page=True)
    problems = {key: value for key, value in log.items() if value}
    if problems:
        raise SystemExit(f"the page reported problems: {problems}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=ROOT / "reports" / "seed.html")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "seed.png")
    parser.add_argument("--rebuild", action="store_true", help="run `topicmap report` on data/seed.txt first")
    args = parser.parse_args()
    if args.rebuild or not args.report.exists():
        build_report(args.report)
    screenshot(args.report, args.output)
    print(f"{args.output} from {args.report}")


if __name__ == "__main__":
    main()
