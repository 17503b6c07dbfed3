"""Do updates keep every level sound? A dated set replayed day by day (issue 27, deliverable 5).

HuffPost's 10,000 dated headlines, oldest first: a map is fitted on the first 3,000 (default
settings, seed 0), then `update` adds the next 400 twelve times, as a daily user would; after
the last update its theme and story counts and theme ARI against the sections are set beside
a fresh fit on the same 7,800 items. Targets: counts within ±25% of the fresh fit's, theme
ARI within 0.02 of it.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/updates.py   # writes benchmarks/results/updates.md
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import TopicMap  # noqa: E402
from analysis.cache import default_cache_dir  # noqa: E402
from analysis.embed import embed_texts, encoder_name  # noqa: E402
from analysis.evaluate import score  # noqa: E402
from analysis.load import load_corpus  # noqa: E402

FIRST, STEP, STEPS = 3000, 400, 12


def counts(topic_map: TopicMap) -> tuple[int, int]:
    """Themes and stories of a map."""
    themes, stories = topic_map.theme_labels_, topic_map.story_labels_
    return len(np.unique(themes[themes >= 0])), len(np.unique(stories[stories >= 0]))


def main() -> None:
    frame = load_corpus(ROOT / "data" / "bench" / "huffpost_v3_2018_2022_10k.csv")
    frame = frame.sort_values(["date", "text"], kind="stable").reset_index(drop=True)
    frame = frame.iloc[: FIRST + STEP * STEPS].reset_index(drop=True)
    vectors = embed_texts(frame["text"].tolist(), encoder_name(None), cache_dir=default_cache_dir())
    lines = [
        "# Updates keep the levels sound",
        "",
        "`HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/updates.py`: HuffPost's dated headlines oldest first;",
        f"a map fitted on the first {FIRST:,} (default settings, seed 0), then {STEPS} updates of {STEP} each,",
        "beside a fresh fit on the same items. Theme ARI against the 29 sections.",
        "",
        "| step | items | new items | themes | stories | theme ARI | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    started = time.perf_counter()
    topic_map = TopicMap(random_state=0).fit(frame.iloc[:FIRST], embeddings=vectors[:FIRST])
    seconds = time.perf_counter() - started
    end = FIRST
    for step in range(STEPS + 1):
        if step:
            rows = slice(end, end + STEP)
            started = time.perf_counter()
            topic_map.update(frame.iloc[rows], embeddings=vectors[rows])
            seconds, end = time.perf_counter() - started, end + STEP
        themes, stories = counts(topic_map)
        ari = score(topic_map.theme_labels_, frame["label"].iloc[:end])["ari"]
        lines.append(
            f"| {'fit' if step == 0 else step} | {end:,} | {STEP if step else FIRST} | {themes} | {stories} | "
            f"{ari:.3f} | {seconds:.1f} |"
        )
        print(lines[-1], flush=True)
    fresh = TopicMap(random_state=0).fit(frame, embeddings=vectors)
    fresh_themes, fresh_stories = counts(fresh)
    fresh_ari = score(fresh.theme_labels_, frame["label"])["ari"]
    lines.append(f"| fresh fit | {end:,} | | {fresh_themes} | {fresh_stories} | {fresh_ari:.3f} | |")
    themes, stories = counts(topic_map)
    ari = score(topic_map.theme_labels_, frame["label"])["ari"]

    def within(ours: int, theirs: int) -> str:
        return "met" if abs(ours - theirs) <= 0.25 * theirs else "not met"

    lines += [
        "",
        "## Targets (after the last update, against the fresh fit)",
        "",
        f"- themes within ±25%: {themes} vs {fresh_themes} ({within(themes, fresh_themes)})",
        f"- stories within ±25%: {stories} vs {fresh_stories} ({within(stories, fresh_stories)})",
        f"- theme ARI within 0.02: {ari:.3f} vs {fresh_ari:.3f} ({'met' if abs(ari - fresh_ari) <= 0.02 else 'not met'})",
    ]
    out = ROOT / "benchmarks" / "results" / "updates.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[-5:]))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
